#!/bin/sh
# A GPT image on a disk twice its size: the backup GPT moves to the disk's
# real end (sfdisk --verify is clean); with --grow the last partition ends
# near the disk's end, and its ext4 grew with it (e2fsck -fn clean, larger).
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"
need bmaptool mke2fs e2fsck dumpe2fs

img=$TMP/test.img
truncate -s 64M "$img"
printf 'label: gpt\nstart=2048, size=16M, name=boot\nstart=34816, name=root\n' | sfdisk -q "$img"
start=$(part_offset "$img" 2)
size=$(part_size "$img" 2)
mkdir -p "$TMP/tree"
head -c 3M /dev/urandom >"$TMP/tree/blob"
mke2fs -q -t ext4 -d "$TMP/tree" -E offset="$start" "$img" "$((size / 1024))k"
bmaptool create -o "$img.bmap" "$img" 2>/dev/null

truncate -s 128M "$TMP/disk"
dev=$(attach "$TMP/disk")

"$FLASHBUILD" flash --allow-fixed --progress=none "$img" "$dev" || fail "flash failed"
sfdisk --verify "$dev" >"$TMP/verify" 2>&1 || { cat "$TMP/verify" >&2; fail "sfdisk --verify"; }
grep -q "No errors detected" "$TMP/verify" || { cat "$TMP/verify" >&2; fail "sfdisk --verify"; }
[ "$(part_size "$dev" 2)" -eq "$size" ] || fail "without --grow the partition changed"

"$FLASHBUILD" flash --allow-fixed --grow --progress=none "$img" "$dev" || fail "flash --grow failed"
sfdisk --verify "$dev" >"$TMP/verify" 2>&1 || { cat "$TMP/verify" >&2; fail "sfdisk --verify"; }
grep -q "No errors detected" "$TMP/verify" || { cat "$TMP/verify" >&2; fail "sfdisk --verify"; }
end=$(($(part_offset "$dev" 2) + $(part_size "$dev" 2)))
disk=$((128 << 20))
note "partition 2 ends at $end of $disk"
[ $((disk - end)) -le $((2 << 20)) ] || fail "partition 2 ends at $end, not near $disk"
ext4_fsck "$dev" "$start"
blocks=$(dumpe2fs -h "$dev?offset=$start" 2>/dev/null | sed -n 's/^Block count: *//p')
bsize=$(dumpe2fs -h "$dev?offset=$start" 2>/dev/null | sed -n 's/^Block size: *//p')
[ $((blocks * bsize)) -gt "$size" ] || fail "the ext4 did not grow ($blocks blocks of $bsize)"
[ $((blocks * bsize)) -le $((disk - start)) ] || fail "the ext4 is larger than its partition"
