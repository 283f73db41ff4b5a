#!/bin/sh
# A GPT image with a vfat, an ext4 (from a tar.zst holding every kind of
# entry) and a raw blob in the gap, built as a normal user: the table matches
# the layout, e2fsck is clean, every archive entry is in the ext4, the FAT
# holds the directory, the blob's bytes are at their offset, and bmaptool
# accepts the bmap.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need sfdisk e2fsck debugfs mdir bmaptool zstd python3 setpriv

W=$(user_dir work)
mkdir -p "$W/boards" "$W/partitions" "$W/boot/EFI/BOOT"
cat >"$W/partitions/t.sfdisk" <<'L'
label: gpt
unit: sectors

start=2048, size=32MiB, type=uefi, name=boot
size=96MiB, type=linux, name=root
type=linux, name=data
L
cat >"$W/boards/t.conf" <<'B'
[board]
description = test: gpt with vfat, ext4, raw, empty
arch = x86_64

[image]
layout = partitions/t.sfdisk
size = 160M

[part boot]
content = vfat
from = boot
label = BOOT

[part root]
content = ext4
from = rootfs
label = root

[part data]
content = empty

[raw blob]
file = blob.bin
offset = 64K
B
printf 'loader\n' >"$W/boot/EFI/BOOT/BOOTX64.EFI"
printf 'console=ttyS0\n' >"$W/boot/cmdline.txt"
head -c 300000 /dev/urandom >"$W/blob.bin"
make_test_tree "$W/tree.tar.zst"
[ "$(id -u)" -ne 0 ] || chown -R "$(test_user):" "$W"

run_as_user "$FLASHBUILD" -C "$W" image --board t --rootfs tree.tar.zst
img=$W/out/t.img
[ -f "$img" ] && [ -f "$img.bmap" ] || fail "no image or no bmap"
[ "$(stat -c %U "$img")" = "$(test_user)" ] || [ "$(id -u)" -ne 0 ] || fail "image not owned by the user"

sfdisk_dump "$img" >"$TMP/table"
compare_golden "$TMP/table" "$TOP/tests/integration/golden/10-image-gpt.sfdisk"

boot=$(part_offset "$img" boot)
root=$(part_offset "$img" root)
rsize=$(part_size "$img" root)
bsize=$(part_size "$img" boot)
ext4_fsck "$img" "$root"
[ "$(blkid_at "$img" "$root" LABEL)" = root ] || fail "ext4 label is not 'root'"
ext4_check "$img" "$root" "$rsize" "$W/tree.tar.zst"
note "$(tail -n 1 "$TMP/ext4-check.out")"

vfat_fsck "$img" "$boot" "$bsize"
[ "$(vfat_label "$img" "$boot")" = BOOT ] || fail "vfat label is not BOOT"
vfat_compare "$img" "$boot" "$W/boot"

cmp -n 300000 -i 65536:0 "$img" "$W/blob.bin" || fail "blob bytes are not at 64 KiB"
data=$(part_offset "$img" data)
[ -z "$(blkid_at "$img" "$data" TYPE)" ] || fail "the empty partition holds something"

# The image is sparse, and bmaptool copies it and checks every range.
[ "$(allocated_bytes "$img")" -lt $((40 * 1024 * 1024)) ] || fail "image is not sparse"
bmaptool copy "$img" "$TMP/copy.img" 2>"$TMP/bmaptool.log" || {
	cat "$TMP/bmaptool.log" >&2
	fail "bmaptool copy refused the image"
}
cmp "$img" "$TMP/copy.img" || fail "bmaptool's copy differs from the image"
