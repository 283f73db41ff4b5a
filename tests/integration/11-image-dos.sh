#!/bin/sh
# A dos (MBR) image: partitions matched by partno, an ext4 filled from a
# directory (owners become root:root), a vfat, a raw partition; the table
# matches the layout, e2fsck is clean, and every file of the directory is in
# the ext4.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need sfdisk e2fsck debugfs mdir bmaptool python3 setpriv

W=$(user_dir work)
mkdir -p "$W/boards" "$W/partitions" "$W/boot" "$W/rootdir/etc" "$W/rootdir/usr/bin" \
	"$W/rootdir/var/empty"
cat >"$W/partitions/d.sfdisk" <<'L'
label: dos
unit: sectors

start=2048, size=16MiB, type=c, bootable
size=48MiB, type=83
size=1MiB, type=da
L
cat >"$W/boards/d.conf" <<'B'
[board]
description = test: dos with vfat, ext4 from a directory, raw partition
arch = armhf

[image]
layout = partitions/d.sfdisk
size = 72M

[part boot]
partno = 1
content = vfat
from = boot

[part rootfs]
partno = 2
content = ext4
from = rootdir
reserved = 0

[part env]
partno = 3
content = raw
file = env.bin
offset = 4K
B
echo 'kernel' >"$W/boot/zImage"
echo 'flashbuild' >"$W/rootdir/etc/hostname"
printf '#!/bin/sh\necho hi\n' >"$W/rootdir/usr/bin/hello"
chmod 4755 "$W/rootdir/usr/bin/hello"
chmod 1777 "$W/rootdir/var/empty"
ln -s ../etc/hostname "$W/rootdir/usr/name"
ln "$W/rootdir/etc/hostname" "$W/rootdir/etc/hostname.hard"
head -c 10000 /dev/urandom >"$W/env.bin"
touch -d '2020-01-02 03:04:05' "$W/rootdir/etc" "$W/rootdir/usr/bin/hello"
[ "$(id -u)" -ne 0 ] || chown -R "$(test_user):" "$W"

run_as_user "$FLASHBUILD" -C "$W" image --board d
img=$W/out/d.img

sfdisk_dump "$img" >"$TMP/table"
compare_golden "$TMP/table" "$TOP/tests/integration/golden/11-image-dos.sfdisk"
[ "$(label_type "$img")" = dos ] || fail "not a dos label"

root=$(part_offset "$img" 2)
rsize=$(part_size "$img" 2)
ext4_fsck "$img" "$root"
# times after the epoch (the checkout's) are the epoch; the 2020 ones are kept
ext4_check "$img" "$root" "$rsize" "$W/rootdir" --owners-root --clamp 1686355200
[ "$(dumpe2fs -h "$img?offset=$root" 2>/dev/null | sed -n 's/^Reserved block count: *//p')" = 0 ] ||
	fail "reserved = 0 was not applied"

boot=$(part_offset "$img" 1)
vfat_compare "$img" "$boot" "$W/boot"
env=$(part_offset "$img" 3)
cmp -n 10000 -i $((env + 4096)):0 "$img" "$W/env.bin" || fail "raw partition bytes are not at 4 KiB"

