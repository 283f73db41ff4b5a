#!/bin/sh
# station --board NAME builds the board's image first (as flash --board does),
# then flashes it: the device holds the image's partition (an ext4), and the
# log names the built image and its sha256.  Then, with the image up to date,
# --grow: the station takes the last partition and its ext4 to the end of a
# larger device, as flash --grow does.
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"
. "$TOOLS/stationlib.sh"
need busybox e2fsck dumpe2fs

free_loops 236 237
busybox_board
truncate -s 64M "$TMP/stick"
plug 236 "$TMP/stick"

log=$TMP/station.log
"$FLASHBUILD" -C "$W" station --progress=plain --allow-fixed --match DEVNAME=/dev/loop236 \
	--count 1 --log "$log" --board s >"$TMP/out" 2>&1 || { cat "$TMP/out" >&2; fail "station --board failed"; }
cat "$TMP/out" "$log" >&2
grep -q 'image  *built in' "$TMP/out" || fail "the image was not built first"
grep -q '^/dev/loop236 .*: done, ' "$TMP/out" || fail "no plain 'done' line for loop236"
[ "$(log_get "$log" /dev/loop236 result)" = ok ] || fail "loop236 is not ok"
[ "$(log_get "$log" /dev/loop236 image)" = "$(realpath "$W/out/s.img")" ] ||
	fail "the log does not name out/s.img by its absolute path"
[ "$(log_get "$log" /dev/loop236 image_sha256)" = "$(sha256sum "$W/out/s.img" | cut -d' ' -f1)" ] ||
	fail "the log's sha256 is not the built image's"
# The partition's bytes (the table differs: its backup moved to the device's end).
cmp -i 1048576 -n $((31 * 1024 * 1024 - 17408)) "$W/out/s.img" /dev/loop236 ||
	fail "the device does not hold the image's partition"
[ "$(blkid -p -O 1048576 -s TYPE -o value /dev/loop236)" = ext4 ] || fail "no ext4 at 1 MiB"

# --grow, through the station, on a 96 MiB device.
truncate -s 96M "$TMP/stick2"
plug 237 "$TMP/stick2"
"$FLASHBUILD" -C "$W" station --progress=plain --allow-fixed --match DEVNAME=/dev/loop237 \
	--grow --count 1 --log "$log" --board s >"$TMP/out2" 2>&1 ||
	{ cat "$TMP/out2" >&2; fail "station --grow failed"; }
grep -q 'image  *up to date' "$TMP/out2" || fail "an up-to-date image was rebuilt"
[ "$(log_get "$log" /dev/loop237 result)" = ok ] || fail "loop237 is not ok"
start=$(part_offset /dev/loop237 1)
end=$((start + $(part_size /dev/loop237 1)))
[ $(((96 << 20) - end)) -le $((2 << 20)) ] || fail "the partition ends at $end, not near 96 MiB"
ext4_fsck /dev/loop237 "$start"
blocks=$(dumpe2fs -h "/dev/loop237?offset=$start" 2>/dev/null | sed -n 's/^Block count: *//p')
bsize=$(dumpe2fs -h "/dev/loop237?offset=$start" 2>/dev/null | sed -n 's/^Block size: *//p')
[ $((blocks * bsize)) -gt $((64 << 20)) ] || fail "the ext4 did not grow ($blocks blocks of $bsize)"
