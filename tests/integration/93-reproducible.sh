#!/bin/sh
# check-fast: no (builds an x86 kernel from source, unless the test cache holds it)
# Reproducible images (docs/reproducible.md): the default board built twice,
# in two directories, with the same SOURCE_DATE_EPOCH, gives the same .img
# and .bmap.  Build A: an empty cache of its own (a cold kernel build in
# another O= path, by gcc alone; B's went through ccache, the default).  Build B: the test cache, which on CI (a fresh clone)
# also started empty and on a developer's machine holds what earlier builds
# left (a kernel tree built incrementally across configs).  B leaves
# SOURCE_DATE_EPOCH unset: the default epoch must be the one A names.
# The same for an ARM board (Debian packages as sources, extlinux, U-Boot),
# its packages copied from the test cache so that nothing is downloaded twice.
# Then one overlay file changes, and so must the image.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need sha256sum debugfs mdir sfdisk
EPOCH=1686355200 # flashbuild's default: 2023-06-10 00:00 UTC

# A: its own tree, its own empty cache, the epoch given
A=$TMP/a
mkdir -p "$A"
cp -a "$TOP/boards" "$TOP/partitions" "$A/"
note "build A: an empty cache (builds the kernel: minutes)"
# A compiles with gcc alone, B (the test cache) through ccache: the same kernel either way
SOURCE_DATE_EPOCH=$EPOCH FLASHBUILD_CACHE=$TMP/cache-a FLASHBUILD_KERNEL_CC=gcc "$FLASHBUILD" -C "$A" build --board x86-usb \
	>"$TMP/build-a" 2>&1 || { cat "$TMP/build-a" >&2; fail "build A failed"; }
grep -q "kernel     built" "$TMP/build-a" || { cat "$TMP/build-a" >&2; fail "A did not build its kernel"; }
rm -rf "$TMP/cache-a" # 2 GB of kernel tree

# B: another tree, made later (other mtimes), the test cache, no epoch given
sleep 1
unset SOURCE_DATE_EPOCH
board_build x86-usb
for f in x86-usb.img x86-usb.img.bmap; do
	a=$(sha256sum <"$A/out/$f")
	b=$(sha256sum <"$W/out/$f")
	[ "$a" = "$b" ] || {
		cmp -l "$A/out/$f" "$W/out/$f" 2>/dev/null | head -5 >&2
		fail "$f differs between the two builds"
	}
done
note "A and B: the same image and bmap ($(sha256sum <"$W/out/x86-usb.img" | cut -c1-16)...)"

# nanopi-neo: A's tree with a stage cache of its own, B's through the test cache
mkdir -p "$TMP/cache-n"
[ ! -d "$FLASHBUILD_CACHE/deb" ] || cp -a "$FLASHBUILD_CACHE/deb" "$TMP/cache-n/"
FLASHBUILD_CACHE=$TMP/cache-n "$FLASHBUILD" -C "$A" build --board nanopi-neo >"$TMP/build-n" 2>&1 ||
	{ cat "$TMP/build-n" >&2; fail "nanopi-neo build A failed"; }
fb build --board nanopi-neo >"$TMP/build-n" 2>&1 || { cat "$TMP/build-n" >&2; fail "nanopi-neo build B failed"; }
for f in nanopi-neo.img nanopi-neo.img.bmap; do
	cmp "$A/out/$f" "$W/out/$f" >&2 || fail "$f differs between the two builds"
done

# The times in it are the epoch: an ext4 inode and a FAT entry
img=$W/out/x86-usb.img
root=$(part_offset "$img" 2)
TZ=UTC debugfs -R 'stat /etc/motd' "$img?offset=$root" 2>/dev/null >"$TMP/stat"
grep -q ' mtime: 0x6483bd00:00000000 -- Sat Jun 10 00:00:00 2023' "$TMP/stat" ||
	{ cat "$TMP/stat" >&2; fail "/etc/motd's mtime is not the epoch"; }
mdir -i "$img@@$(part_offset "$img" 1)" ::/ >"$TMP/fat"
grep -q '^vmlinuz .* 2023-06-10 ' "$TMP/fat" || { cat "$TMP/fat" >&2; fail "vmlinuz in the FAT is not dated the epoch"; }

# One byte more in an overlay file: another image
before=$(sha256sum <"$img")
echo "changed" >>"$W/boards/x86-usb/overlay/etc/motd"
fb build --board x86-usb >"$TMP/build-c" 2>&1 || { cat "$TMP/build-c" >&2; fail "rebuild failed"; }
[ "$(sha256sum <"$img")" != "$before" ] || fail "changing the overlay did not change the image"
debugfs -R 'cat /etc/motd' "$img?offset=$root" 2>/dev/null | grep -qx changed ||
	fail "the changed motd is not in the image"
