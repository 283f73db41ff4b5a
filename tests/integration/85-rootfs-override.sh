#!/bin/sh
# check-fast: no (builds an x86 kernel from source, unless the test cache holds it)
# --rootfs with --board takes the rootfs stage's place and nothing else's:
# the kernel and the initramfs come from the cache (or are built) as in
# `build`, the bootloader gets them, and the root filesystem is the tree
# given.  flash --board nanopi-neo and arm64-efi with a directory, image
# --board x86-usb with a tar.zst; the arm64 card and the x86 stick boot
# into the tree given.  Such an image leaves no key behind: the next
# `build` makes the board's own image again, byte for byte.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need_root
need qemu-system-aarch64 qemu-system-x86_64 sfdisk debugfs mcopy tar zstd
for a in armhf arm64; do
	dpkg --print-foreign-architectures | grep -qx $a ||
		skip "dpkg does not know architecture $a (scripts/install-deps adds it)"
done
W=$TMP/tree
mkdir -p "$W"
cp -a "$TOP/boards" "$TOP/partitions" "$W/"

# rootfs_tree BOARD DIR: the board's own rootfs (its stage's tar in the cache,
# told apart by its /etc/hostname) unpacked into DIR, plus /etc/override
rootfs_tree() {
	_t=
	for _f in "$FLASHBUILD_CACHE"/rootfs/*/rootfs.tar; do
		[ "$(tar -xOf "$_f" ./etc/hostname 2>/dev/null)" = "$1" ] && _t=$_f
	done
	[ -n "$_t" ] || fail "no rootfs of $1 in the cache after its build"
	mkdir -p "$2"
	tar -xpf "$_t" -C "$2" --numeric-owner || fail "cannot unpack '$_t'"
	echo "override of $1" >"$2/etc/override"
}

# ext4_cat IMG OFFSET PATH: a file of the ext4 at OFFSET
ext4_cat() { debugfs -R "cat $3" "$1?offset=$2" 2>/dev/null; }

# own_build BOARD: `build` of BOARD; its image's sha256 in $ref_sum, a copy in $TMP/BOARD.ref
own_build() {
	fb build --board "$1" >"$TMP/build-$1" 2>&1 || { cat "$TMP/build-$1" >&2; fail "build of $1 failed"; }
	cp "$W/out/$1.img" "$TMP/$1.ref"
	ref_sum=$(sha256sum <"$TMP/$1.ref")
}

# the_road LOG: the kernel and initramfs stages ran (from the cache), the rootfs stage did not
the_road() {
	grep -q '^  kernel ' "$1" || { cat "$1" >&2; fail "no kernel stage"; }
	grep -q '^  initramfs ' "$1" || { cat "$1" >&2; fail "no initramfs stage"; }
	! grep -q '^  rootfs ' "$1" || { cat "$1" >&2; fail "the rootfs stage ran"; }
}

# own_again BOARD: no key was left, so `build` makes the board's own image again
own_again() {
	[ ! -e "$W/out/.$1.key" ] || fail "$1: the --rootfs image left a key"
	fb build --board "$1" >"$TMP/again-$1" 2>&1 || { cat "$TMP/again-$1" >&2; fail "rebuild of $1 failed"; }
	grep -q '^  image      built' "$TMP/again-$1" || { cat "$TMP/again-$1" >&2; fail "$1: the image was not rebuilt"; }
	[ "$(sha256sum <"$W/out/$1.img")" = "$ref_sum" ] || fail "$1: the rebuilt image is not the board's own"
}

# same_files BOARD CAT OFFSET FILE...: CAT (ext4_cat, vfat_cat) reads each FILE of the card
# $card at OFFSET as of the board's own image
same_files() {
	_b=$1 _cat=$2 _off=$3
	shift 3
	for _f in "$@"; do
		$_cat "$card" "$_off" "$_f" >"$TMP/have"
		$_cat "$TMP/$_b.ref" "$_off" "$_f" >"$TMP/want"
		{ [ -s "$TMP/want" ] && cmp -s "$TMP/have" "$TMP/want"; } || fail "$_b: $_f is not the board's"
	done
}

# flash_tree BOARD: its own build, then flash --board BOARD --rootfs DIR --to-file $card,
# DIR its own rootfs with /etc/override
flash_tree() {
	own_build "$1"
	rootfs_tree "$1" "$TMP/$1.root"
	card=$TMP/$1.card
	fb flash --board "$1" --rootfs "$TMP/$1.root" --to-file --progress=none "$card" \
		>"$TMP/flash-$1" 2>&1 || { cat "$TMP/flash-$1" >&2; fail "flash --board $1 --rootfs failed"; }
	the_road "$TMP/flash-$1"
}

# --- nanopi-neo: flash --board --rootfs DIR --to-file
flash_tree nanopi-neo
cmp -n 1048576 "$card" "$TMP/nanopi-neo.ref" || fail "nanopi-neo: the table and U-Boot differ from the board's"
root=$(part_offset "$card" 1)
ext4_fsck "$card" "$root"
[ "$(ext4_cat "$card" "$root" /etc/override)" = "override of nanopi-neo" ] ||
	fail "nanopi-neo: the card's ext4 is not the tree given"
same_files nanopi-neo ext4_cat "$root" /boot/vmlinuz /boot/initrd.img \
	/boot/dtbs/sun8i-h3-nanopi-neo.dtb /boot/extlinux/extlinux.conf
own_again nanopi-neo

# --- arm64-efi: the same, and the card boots into the tree given
flash_tree arm64-efi
esp=$(part_offset "$card" esp)
root=$(part_offset "$card" root)
ext4_fsck "$card" "$root"
same_files arm64-efi vfat_cat "$esp" /vmlinuz /initrd.img /EFI/BOOT/BOOTAA64.EFI
fb emulate --board arm64-efi --disk "$card" --timeout 280 --run 'cat /etc/override; findmnt -no SOURCE /' \
	>"$TMP/run-a" 2>&1 || { cat "$TMP/run-a" >&2; fail "arm64-efi: the card did not boot"; }
grep -qx 'override of arm64-efi' "$TMP/run-a" || { cat "$TMP/run-a" >&2; fail "arm64-efi: not booted into the tree given"; }
grep -qx '/dev/vda2' "$TMP/run-a" || { cat "$TMP/run-a" >&2; fail "arm64-efi: the root is not the card's ext4"; }
# emulate took the board's own road first: its own image is back
[ "$(sha256sum <"$W/out/arm64-efi.img")" = "$ref_sum" ] || fail "arm64-efi: emulate's build is not the board's own image"

# --- x86-usb: image --board --rootfs T.tar.zst; the stick boots into it
own_build x86-usb
rootfs_tree x86-usb "$TMP/x86-usb.root"
tar --zstd -cf "$TMP/xroot.tar.zst" -C "$TMP/x86-usb.root" --numeric-owner . || fail "cannot make the tar.zst"
fb image --board x86-usb --rootfs "$TMP/xroot.tar.zst" >"$TMP/image-x" 2>&1 ||
	{ cat "$TMP/image-x" >&2; fail "image --board x86-usb --rootfs T.tar.zst failed"; }
the_road "$TMP/image-x"
card=$TMP/x86-usb.card
cp "$W/out/x86-usb.img" "$card"
boot=$(part_offset "$card" 1)
root=$(part_offset "$card" 2)
ext4_fsck "$card" "$root"
[ "$(ext4_cat "$card" "$root" /etc/override)" = "override of x86-usb" ] ||
	fail "x86-usb: the stick's ext4 is not the tarball given"
same_files x86-usb vfat_cat "$boot" /vmlinuz /initrd.img /ldlinux.sys /EFI/BOOT/BOOTX64.EFI
own_again x86-usb
fb emulate --board x86-usb --disk "$card" --firmware bios --timeout 280 --run 'cat /etc/override; findmnt -no SOURCE /' \
	>"$TMP/run-x" 2>&1 || { cat "$TMP/run-x" >&2; fail "x86-usb: the stick did not boot"; }
grep -qx 'override of x86-usb' "$TMP/run-x" || { cat "$TMP/run-x" >&2; fail "x86-usb: not booted into the tarball given"; }
grep -qx '/dev/sda2' "$TMP/run-x" || { cat "$TMP/run-x" >&2; fail "x86-usb: the root is not the stick's ext4"; }

# A board that makes no image: one line, nothing written, before anything is built.
rc=0
fb flash --board qemu-x86 --rootfs "$TMP/x86-usb.root" --to-file "$TMP/none" >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" -eq 1 ] || { cat "$TMP/err" >&2; fail "flash --board qemu-x86: exit status $rc, not 1"; }
[ "$(wc -l <"$TMP/err")" -eq 1 ] || { cat "$TMP/err" >&2; fail "flash --board qemu-x86: not one line"; }
grep -qx "error: boards/qemu-x86.conf: no \[image\] section: this board makes no disk image" "$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "flash --board qemu-x86: not the expected error"; }
[ ! -e "$TMP/none" ] || fail "flash --board qemu-x86 wrote '$TMP/none'"
! grep -q '^build:' "$TMP/out" || fail "flash --board qemu-x86 built something"
note "nanopi-neo and arm64-efi flashed, x86-usb imaged from the trees given; arm64 and x86 booted into them"
