#!/bin/sh
# flash --board NAME DEVICE builds the board first when it is stale (by the
# build stages' keys), then writes its image; with nothing changed it only
# writes.  The device then holds the image's bytes.
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"
need busybox

busybox_board "users = luca:luca"
truncate -s 64M "$TMP/stick"
dev=$(attach "$TMP/stick")

"$FLASHBUILD" -C "$W" flash --allow-fixed --board s "$dev" >"$TMP/out1" 2>&1 ||
	{ cat "$TMP/out1" >&2; fail "flash --board failed"; }
grep -q 'image  *built in' "$TMP/out1" || { cat "$TMP/out1" >&2; fail "the image was not built first"; }
# The partition's bytes (the table differs: its backup moved to the device's end).
cmp -i 1048576 -n $((31 * 1024 * 1024 - 17408)) "$W/out/s.img" "$dev" ||
	fail "the device does not hold the image's partition"
[ "$(blkid -p -O 1048576 -s TYPE -o value "$dev")" = ext4 ] || fail "no ext4 at 1 MiB on '$dev'"

"$FLASHBUILD" -C "$W" flash --allow-fixed --board s "$dev" >"$TMP/out2" 2>&1 ||
	{ cat "$TMP/out2" >&2; fail "second flash --board failed"; }
grep -q 'image  *up to date' "$TMP/out2" || { cat "$TMP/out2" >&2; fail "an up-to-date image was rebuilt"; }
