#!/bin/sh
# flashbuild flash: a 1 GiB image, 25 % mapped, to a loop device of its size:
# every mapped range on the device equals the image, the partitions appear,
# exit 0.  --dry-run checks and stops before opening for writing (the device
# is unchanged), also for this machine's own disk, which it refuses (exit 3).
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"
need bmaptool

img=$TMP/test.img
make_image "$img" 1024 25
truncate -s 1G "$TMP/disk"
dev=$(attach "$TMP/disk")

# --dry-run: every check, nothing written.
before=$(dev_sha "$dev")
"$FLASHBUILD" flash --allow-fixed --dry-run "$img" "$dev" >"$TMP/dry" ||
	fail "--dry-run failed"
grep -q "dry run" "$TMP/dry" || fail "--dry-run printed no plan"
[ "$(dev_sha "$dev")" = "$before" ] || fail "--dry-run changed '$dev'"

# The system disk: refused by the checks --dry-run runs; never a real attempt.
root=$(findmnt -n -o SOURCE / 2>/dev/null || true)
if [ -b "$root" ]; then
	rc=0
	"$FLASHBUILD" flash --allow-fixed --dry-run "$img" "$root" 2>"$TMP/sys" || rc=$?
	[ $rc -eq 3 ] || fail "--dry-run to the system disk '$root': exit $rc, not 3"
	grep -q "refusing to write '$root': holds the running system" "$TMP/sys" ||
		fail "no system-disk refusal: $(cat "$TMP/sys")"
fi

# The real thing, with JSON lines for a script.
"$FLASHBUILD" flash --allow-fixed --json "$img" "$dev" >"$TMP/events" 2>"$TMP/log" || {
	cat "$TMP/log" >&2
	fail "flash failed"
}
tail -n 1 "$TMP/events" | grep -q '"outcome": "ok"' || fail "no ok result: $(tail -n 1 "$TMP/events")"
grep -q '"phase": "verify"' "$TMP/events" || fail "no verify phase in the events"
ranges_equal "$img" "$img.bmap" "$dev"
[ "$(blkid -p -s PTTYPE -o value "$dev")" = gpt ] || fail "no GPT on '$dev'"
sfdisk --verify "$dev" >/dev/null || fail "sfdisk --verify '$dev' is not clean"
[ -b "${dev}p2" ] || fail "the kernel was not told of '${dev}p2'"
[ "$(cat "/sys/class/block/$(basename "$dev")p2/start")" -eq 34816 ] ||
	fail "'${dev}p2' does not start where the table says"

# Without a bmap it says so, with what it will write; -q prints nothing but
# errors; the progress lines give sizes and speeds in the same units.
small=$TMP/small.img
make_image "$small" 64 25
rm "$small.bmap"
truncate -s 64M "$TMP/disk2"
dev2=$(attach "$TMP/disk2")
"$FLASHBUILD" flash --allow-fixed --progress=plain "$small" "$dev2" >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "flash of an image without a bmap failed"; }
grep -q "^warning: '$small' has no bmap (IMAGE.bmap, or --bmap): writing all of it, 64 MiB$" "$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "no word of the missing bmap"; }
grep -q 'MiB / 64 MiB  [0-9.]* MiB/s' "$TMP/err" || { cat "$TMP/err" >&2; fail "no progress line in MiB and MiB/s"; }
! grep -q 'MB/s' "$TMP/err" || fail "a speed in MB/s beside sizes in MiB"
"$FLASHBUILD" -q flash --allow-fixed "$small" "$dev2" >"$TMP/out" 2>"$TMP/err" || fail "-q flash failed"
[ ! -s "$TMP/err" ] && [ ! -s "$TMP/out" ] || { cat "$TMP/err" >&2; fail "-q printed something"; }
cmp "$small" "$dev2" || fail "the image without a bmap is not on the device"

# A bmap of another image: caught on its first range before the device is
# touched (exit 5, the device as it was), and by --dry-run alike; the JSON
# result line names the error, the range and its offset.
other=$TMP/other.img
make_image "$other" 64 50
before=$(dev_sha "$dev2")
for dry in "" --dry-run; do
	rc=0
	"$FLASHBUILD" flash --allow-fixed --json $dry --bmap "$other.bmap" "$small" "$dev2" \
		>"$TMP/events" 2>"$TMP/err" || rc=$?
	[ $rc -eq 5 ] || { cat "$TMP/err" >&2; fail "another image's bmap${dry:+ ($dry)}: exit $rc, not 5"; }
	grep -q "^error: '$small' does not match its bmap: range 1 (bytes 0-[0-9]*) has another checksum: the image is corrupt, or the bmap is another image's$" "$TMP/err" ||
		{ cat "$TMP/err" >&2; fail "another image's bmap${dry:+ ($dry)}: no such error"; }
	[ "$(grep -c . "$TMP/err")" -eq 1 ] || { cat "$TMP/err" >&2; fail "more than one line"; }
	tail -n 1 "$TMP/events" | grep -q '"outcome": "source-corrupt", "device_touched": false, "error": ".*another image.s", "offset": 0, "range": 1}$' ||
		fail "result line: $(tail -n 1 "$TMP/events")"
	! grep -q '"phase": "wipe"' "$TMP/events" || fail "the device was wiped${dry:+ ($dry)}"
	[ "$(dev_sha "$dev2")" = "$before" ] || fail "'$dev2' changed${dry:+ ($dry)}"
done

# A corrupt image whose first range is good: the real run finds it while
# writing, --dry-run reads it all and exits as the real run does (5).
make_image "$TMP/bad.img" 64 25
# a byte of the last range flipped
last=$(sed -n 's/.*<Range[^>]*> *\([0-9]*\)[-0-9]* *<\/Range>.*/\1/p' "$TMP/bad.img.bmap" | tail -n 1)
python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(int(sys.argv[2]) * 4096 + 100); b = f.read(1); f.seek(-1, 1); f.write(bytes([b[0] ^ 1]))' "$TMP/bad.img" "$last"
rc=0
"$FLASHBUILD" flash --allow-fixed --dry-run "$TMP/bad.img" "$dev2" 2>"$TMP/err" || rc=$?
[ $rc -eq 5 ] || { cat "$TMP/err" >&2; fail "--dry-run of a corrupt image: exit $rc, not 5"; }
grep -q "^error: '$TMP/bad.img' does not match its bmap: range [2-9]" "$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "--dry-run of a corrupt image: no such error"; }
[ "$(dev_sha "$dev2")" = "$before" ] || fail "'$dev2' changed by --dry-run"
rc=0
"$FLASHBUILD" flash --allow-fixed --progress=none "$TMP/bad.img" "$dev2" 2>"$TMP/err" || rc=$?
[ $rc -eq 5 ] || { cat "$TMP/err" >&2; fail "the real run of a corrupt image: exit $rc, not 5"; }
