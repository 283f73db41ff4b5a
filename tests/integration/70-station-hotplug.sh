#!/bin/sh
# flashbuild station, hands-free.  udevd is started by hand and a rule marks
# only this test's loop devices (by number and backing file) with
# FLASHBUILD_STATION=1 and a made-up ID_PATH and serial (loop disks have
# none).  The station starts with a small image; then 3 loop devices are
# plugged in (a new loop node: the kernel says "add"): all 3 are written and
# verified (every mapped range equals the image), the log holds 3 "ok" lines
# with their ID_PATH, serial and the image's sha256, and the station keeps
# running.  A loop device the rule does not mark keeps its bytes and shows up
# nowhere, nor does this machine's own disk.  A verified device still plugged
# in is not written again (a change event for it); unplugged and plugged in
# again, it is.  The shipped udev/60-flashbuild.rules is loaded too: it
# parses, and marks no loop device (they are not removable USB or SD).
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"
. "$TOOLS/stationlib.sh"
need bmaptool

free_loops 240 249
img=$TMP/test.img
make_image "$img" 32 50
sha=$(sha256sum "$img" | cut -d' ' -f1)
for s in a b c d; do truncate -s 32M "$TMP/stick-$s"; done
mkdir "$TMP/other"
head -c 32M /dev/urandom >"$TMP/other/disk"
other_sha=$(sha256sum "$TMP/other/disk" | cut -d' ' -f1)

udevd_start
rule_install "$(cat "$TOP/udev/60-flashbuild.rules")" 60-flashbuild
rule_install "SUBSYSTEM==\"block\", KERNEL==\"loop24[0-8]\", ATTR{loop/backing_file}==\"$TMP/stick-*\", ENV{FLASHBUILD_STATION}=\"1\", ENV{ID_PATH}=\"test-port-%k\", ENV{ID_SERIAL_SHORT}=\"SERIAL-%k\""

log=$TMP/station.log
station_start --log "$log" "$img"

plug 240 "$TMP/stick-a"
plug 249 "$TMP/other/disk"
plug 241 "$TMP/stick-b"
plug 242 "$TMP/stick-c"
wait_for 120 "3 lines in the log" log_has "$log" 3
station_alive
cat "$log" >&2
[ "$(log_count "$log" ok)" -eq 3 ] || fail "not 3 ok lines: $(cat "$log")"
for n in 240 241 242; do
	ranges_equal "$img" "$img.bmap" "/dev/loop$n"
	[ "$(log_get "$log" /dev/loop$n id_path)" = "test-port-loop$n" ] || fail "loop$n: no ID_PATH"
	[ "$(log_get "$log" /dev/loop$n serial)" = "SERIAL-loop$n" ] || fail "loop$n: no serial"
	[ "$(log_get "$log" /dev/loop$n image_sha256)" = "$sha" ] || fail "loop$n: wrong sha256"
	[ "$(log_get "$log" /dev/loop$n bytes_written)" -gt 12000000 ] ||
		fail "loop$n: too few bytes written"
done

# Not marked: never taken.  Never the machine's own disk either.
[ "$(dev_sha /dev/loop249)" = "$other_sha" ] || fail "the unmarked loop249 was written"
! grep -q 'loop249' "$TMP/status" "$log" || fail "the unmarked loop249 shows up"
! grep -q '"/dev/vda' "$TMP/status" "$log" || fail "/dev/vda shows up"
sys=$(findmnt -n -o SOURCE / 2>/dev/null || true)
if [ -b "$sys" ]; then
	! grep -q "\"${sys%%[0-9]*}" "$TMP/status" "$log" || fail "the system disk shows up"
fi

# The shipped rule parses and leaves an unmarked loop device unmarked.
udevadm test --action=add /sys/block/loop249 >"$TMP/udevadm-test" 2>&1 || true
grep -q "60-flashbuild-$TEST_NAME" "$TMP/udevadm-test" || fail "udevadm test did not read the shipped rule"
! grep -i "60-flashbuild-$TEST_NAME.*\(invalid\|error\|unknown\)" "$TMP/udevadm-test" ||
	fail "the shipped rule does not parse"
! udevadm info --query=property /dev/loop249 | grep -q '^FLASHBUILD_STATION=' ||
	fail "loop249 is marked"

# Verified and still plugged in: a change event does not make it written again.
# loop243 plugged in after it is a marker: once it is in the log, the change
# event (sent and settled before) was seen.
udevadm trigger --action=change --settle /sys/block/loop240 || fail "udevadm trigger"
plug 243 "$TMP/stick-d"
wait_for 60 "loop243 in the log" log_has "$log" 4
[ "$(grep -c '"device": "/dev/loop240"' "$log")" -eq 1 ] || fail "loop240 was written again"
[ "$(grep -c '"device": "/dev/loop240".*"state": "checking"' "$TMP/status")" -eq 1 ] ||
	fail "loop240 was taken again"

# Unplugged and plugged in again (a fresh stick): written again.
unplug 241
wait_for 20 "loop241 to be seen gone" grep -q '"device": "/dev/loop241".*"state": "removed"' "$TMP/status"
rm "$TMP/stick-b"
truncate -s 32M "$TMP/stick-b"
plug 241 "$TMP/stick-b"
wait_for 60 "loop241 a second time in the log" log_has "$log" 5
[ "$(log_count "$log" ok)" -eq 5 ] || fail "not 5 ok lines: $(cat "$log")"
[ "$(grep -c '"device": "/dev/loop241"' "$log")" -eq 2 ] || fail "loop241 not written twice"
ranges_equal "$img" "$img.bmap" /dev/loop241

# Another card in the same reader slot: the node stays, its medium changes.
partx -d /dev/loop242 >/dev/null 2>&1 || true
losetup -d /dev/loop242 || fail "cannot detach loop242"
wait_for 20 "loop242 to be seen empty" grep -q '"device": "/dev/loop242".*"state": "removed"' "$TMP/status"
truncate -s 32M "$TMP/stick-e"
losetup /dev/loop242 "$TMP/stick-e" || fail "cannot attach loop242 again"
wait_for 60 "loop242 a second time in the log" log_has "$log" 6
[ "$(grep -c '"device": "/dev/loop242".*"result": "ok"' "$log")" -eq 2 ] ||
	fail "the new medium in loop242 was not written"
ranges_equal "$img" "$img.bmap" /dev/loop242
station_alive
note "ok: 6 flashes, all verified; loop249 and vda untouched"
