#!/bin/sh
# Board nanopi-neo (Allwinner H3): an MBR SD card with Debian's U-Boot
# (u-boot-sunxi:armhf, nanopi_neo) raw at 8 KiB before the one ext4
# partition, which holds the rootfs and, from the extlinux bootloader,
# /boot/extlinux/extlinux.conf, Debian's armmp kernel, the board's device
# tree from the same package and the initramfs; padded to a power of two.
# QEMU's orangepi-pc (an H3 too) boots the card: boot ROM -> SPL -> U-Boot's
# distro boot -> kernel -> initramfs (sunxi_mmc, ext4 modules) -> the SD
# card's ext4.  The guest cannot end QEMU: emulate --run does.  And the
# one-line errors naming the profile line and the package or file.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need qemu-system-arm sfdisk debugfs dpkg dpkg-deb apt-cache
dpkg --print-foreign-architectures | grep -qx armhf ||
	skip "dpkg does not know architecture armhf (scripts/install-deps adds it)"

start=$(date +%s)
board_build nanopi-neo
img=$W/out/nanopi-neo.img
note "build: $(($(date +%s) - start)) s"

# Padded to a power of two (QEMU's SD card model takes nothing else).
size=$(stat -c %s "$img")
[ "$size" -eq 134217728 ] || fail "the image is $size bytes, not 128 MiB"

# U-Boot's bytes at 8 KiB, as dpkg-deb unpacks them from the cached package.
ub_ver=$(apt-cache show --no-all-versions u-boot-sunxi:armhf | sed -n 's/^Version: //p')
ub_deb=$FLASHBUILD_CACHE/deb/u-boot-sunxi_$(echo "$ub_ver" | tr : +)_armhf.deb
[ -f "$ub_deb" ] || fail "no '$ub_deb' in the cache"
mkdir "$TMP/ub"
dpkg-deb -x "$ub_deb" "$TMP/ub"
spl=$TMP/ub/usr/lib/u-boot/nanopi_neo/u-boot-sunxi-with-spl.bin
spl_size=$(stat -c %s "$spl")
cmp -n "$spl_size" "$spl" "$img" 0 8192 || fail "U-Boot is not at offset 8192 of the image"

# The table: dos, one bootable Linux partition, after U-Boot's end.
sfdisk -d "$img" >"$TMP/table"
cat "$TMP/table" >&2
[ "$(label_type "$img")" = dos ] || fail "not an MBR"
[ "$(part_count "$img")" -eq 1 ] || fail "not one partition"
grep -q 'type=83, bootable$' "$TMP/table" || fail "partition 1 is not a bootable Linux partition"
root=$(part_offset "$img" 1)
[ "$root" -ge 1048576 ] || fail "the partition starts at $root, before 1 MiB"
[ "$root" -ge $((8192 + spl_size)) ] || fail "the partition starts inside U-Boot"

# The ext4: rootfs and /boot.
ext4_fsck "$img" "$root"
[ "$(blkid_at "$img" "$root" LABEL)" = root ] || fail "the ext4 is not labelled root"
dbg() { debugfs -R "$1" "$img?offset=$root" 2>/dev/null; }
dbg "cat /boot/extlinux/extlinux.conf" >"$TMP/extlinux.conf"
cat "$TMP/extlinux.conf" >&2
for l in 'kernel /boot/vmlinuz' 'fdt /boot/dtbs/sun8i-h3-nanopi-neo.dtb' \
	'initrd /boot/initrd.img' 'append console=ttyS0,115200 quiet'; do
	grep -qxF "	$l" "$TMP/extlinux.conf" || fail "extlinux.conf has no '$l'"
done
for f in /boot/vmlinuz /boot/initrd.img /boot/dtbs/sun8i-h3-nanopi-neo.dtb /bin/findmnt /bin/busybox; do
	dbg "stat $f" | grep -q "Type: regular" || fail "no $f in the ext4"
done
# The device tree is the kernel package's, byte for byte.
k_ver=$(apt-cache show --no-all-versions linux-image-armmp:armhf |
	sed -n 's/^Depends: \(linux-image-[^ ]*\) .*/\1/p')
k_deb=$(find "$FLASHBUILD_CACHE/deb" -maxdepth 1 -name "${k_ver}_*_armhf.deb" | head -n 1)
[ -n "$k_deb" ] || fail "no $k_ver package in the cache"
dpkg-deb --fsys-tarfile "$k_deb" | tar -xO "./usr/lib/$k_ver/sun8i-h3-nanopi-neo.dtb" >"$TMP/pkg.dtb"
dbg "cat /boot/dtbs/sun8i-h3-nanopi-neo.dtb" | cmp -s - "$TMP/pkg.dtb" ||
	fail "the device tree differs from $k_ver's"
dpkg-deb --fsys-tarfile "$k_deb" | tar -xO "./boot/vmlinuz-${k_ver#linux-image-}" >"$TMP/pkg.vmlinuz"
dbg "cat /boot/vmlinuz" | cmp -s - "$TMP/pkg.vmlinuz" || fail "/boot/vmlinuz differs from $k_ver's"

# Nothing to do the second time.
fb build --board nanopi-neo >"$TMP/again" 2>&1 || { cat "$TMP/again" >&2; fail "rebuild failed"; }
grep -q "image      up to date" "$TMP/again" || { cat "$TMP/again" >&2; fail "rebuild not a no-op"; }

# The boot, from the image as an SD card.  QEMU does not end by itself here:
# emulate ends it once the command's status is read.
before=$(cksum <"$img")
mkdir "$TMP/t"
t0=$(date +%s)
rc=0
TMPDIR=$TMP/t fb emulate --board nanopi-neo --timeout 280 \
	--run 'uname -m; findmnt -no SOURCE /; cut -d" " -f1 /proc/modules; tr -d "\0" </proc/device-tree/model; echo' \
	>"$TMP/run" 2>&1 || rc=$?
cat "$TMP/run" >&2
[ "$rc" -eq 0 ] || fail "emulate exited with $rc"
note "emulate: $(($(date +%s) - t0)) s"
grep -q '^boot: .* s (guest: .* seconds)$' "$TMP/run" || fail "no boot time line"
grep -qx 'armv7l' "$TMP/run" || fail "the guest is not armv7l"
grep -qx '/dev/mmcblk0p1' "$TMP/run" || fail "the root is not the SD card's first partition"
for m in sunxi_mmc ext4 jbd2 crc32c_generic; do
	grep -qx "$m" "$TMP/run" || fail "module $m is not loaded"
done
grep -qx 'FriendlyARM NanoPi NEO' "$TMP/run" || fail "the kernel did not get the NanoPi NEO's device tree"
[ "$(cksum <"$img")" = "$before" ] || fail "emulate changed the image"
[ -z "$(ls -A "$TMP/t")" ] || fail "emulate left a file behind"

# Errors: one line, naming the profile line and the package or file.
bad() { # NAME SED-EXPR EXPECTED [COMMAND]
	sed "$2" "$W/boards/nanopi-neo.conf" >"$W/boards/$1.conf"
	if fb "${4:-build}" --board "$1" >"$TMP/out" 2>"$TMP/err"; then
		fail "$1: succeeded"
	fi
	grep -v '^  \|^build: \|^image: \|^emulate: no usable' "$TMP/err" >"$TMP/err1" || true
	[ "$(wc -l <"$TMP/err1")" -eq 1 ] || { cat "$TMP/err" >&2; fail "$1: not one error line"; }
	grep -qF "$3" "$TMP/err1" || { cat "$TMP/err" >&2; fail "$1: expected '$3'"; }
	note "$1: $(cat "$TMP/err1")"
}
line() { grep -n "$1" "$W/boards/nanopi-neo.conf" | cut -d: -f1; }
bad unknown-package 's|deb:u-boot-sunxi/|deb:u-boot-sunxy/|' \
	"boards/unknown-package.conf:$(line '^file = deb:u-boot'): apt knows no package 'u-boot-sunxy:armhf'"
bad missing-file 's|nanopi_neo/|nanopi_neox/|' \
	"boards/missing-file.conf:$(line '^file = deb:u-boot'): package 'u-boot-sunxi:armhf' ($ub_ver) has no '/usr/lib/u-boot/nanopi_neo"
bad missing-dtb 's|^dtbs = .*|dtbs = sun8i-h3-nanopi-neox.dtb|' \
	"boards/missing-dtb.conf:$(line '^dtbs'): package '$k_ver:armhf'"
grep -qF "has no device tree 'sun8i-h3-nanopi-neox.dtb'" "$TMP/err1" || fail "missing-dtb: the message names no device tree"
bad overlap 's|^offset = 8K|offset = 1M|' \
	"boards/overlap.conf:$(line '^\[raw spl\]'): raw 'spl' ('deb:u-boot-sunxi/usr/lib/u-boot/nanopi_neo/u-boot-sunxi-with-spl.bin', bytes 1048576-"
grep -qF "overlaps partition 1" "$TMP/err1" || fail "overlap: the message names no partition"
[ ! -e "$W/out/overlap.img" ] || fail "overlap: an image was written"
bad not-pow2 's|^power-of-two = yes|power-of-two = no|; s|^size = 128M|size = 100M|' \
	"which must be a power of two ([image] power-of-two = yes)" emulate
# No PCI bus on the H3: no virtio NIC or 9p share, said before QEMU starts.
rc=0
fb emulate --board nanopi-neo --net --run true >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" -eq 1 ] || { cat "$TMP/err" >&2; fail "--net: exit status $rc"; }
grep -qx "error: emulate: --net: machine 'orangepi-pc' has no PCI bus for its virtio device" \
	"$TMP/err" || { cat "$TMP/err" >&2; fail "--net: not the expected error"; }
