#!/bin/sh
# Devices that fail while the station writes them, from loop devices on the
# fault-injecting FUSE file of tests/tools/faultfs.c, next to a good one:
# - one whose writes start failing with EIO (a stick pulled out) and whose
#   udev "remove" event comes: reported failed, "removed during write" or an
#   I/O error, never ok, and logged so;
# - one, slow, whose "remove" event comes mid-write: "removed during write",
#   logged "removed"; plugged in again ("add"), it is written again, ok;
# - one with a bad spot (EIO on writes in the middle of the image), not
#   removed: "failed: Input/output error", logged "failed"; still plugged in, a
#   change event does not make the station try it again;
# - the good one, plugged in meanwhile, finishes ok and is verified.
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"
. "$TOOLS/stationlib.sh"
need bmaptool

free_loops 250 259
img=$TMP/test.img
make_image "$img" 32 50
truncate -s 32M "$TMP/stick-a" "$TMP/back-b" "$TMP/back-c" "$TMP/back-d"
faultfs_start "$TMP/back-b" "$TMP/fuse-b"
faultfs_start "$TMP/back-c" "$TMP/fuse-c"
faultfs_start "$TMP/back-d" "$TMP/fuse-d"

udevd_start
rule_install "SUBSYSTEM==\"block\", KERNEL==\"loop25[0-9]\", ATTR{loop/backing_file}==\"$TMP/*\", ENV{FLASHBUILD_STATION}=\"1\", ENV{ID_PATH}=\"test-port-%k\""

log=$TMP/station.log
station_start --log "$log" "$img"

# writing: true once the station says DEV is being written
writing() {
	grep -q "\"device\": \"$1\".*\"state\": \"writing\"" "$TMP/status"
}

# B: slow, then EIO on every write and a remove event, as when it is pulled out.
fault "$TMP/fuse-b" "slow 100000"
plug 251 "$TMP/fuse-b/disk"
# C: slow, then only a remove event.  Slow enough (0.5 s a write) that the remove
# event, which a busy udevd may hand on seconds later, still comes mid-write.
fault "$TMP/fuse-c" "slow 500000"
plug 252 "$TMP/fuse-c/disk"
wait_for 30 "loop251 to be written" writing /dev/loop251
wait_for 30 "loop252 to be written" writing /dev/loop252
fault "$TMP/fuse-b" "eio-write 0"
echo remove >/sys/block/loop251/uevent
echo remove >/sys/block/loop252/uevent
# D: a bad spot 20 MiB in (inside a mapped range of the body).
fault "$TMP/fuse-d" "eio-write $((20 << 20)) 4096"
plug 253 "$TMP/fuse-d/disk"
# A: plugged in while the others fail.
plug 250 "$TMP/stick-a"

wait_for 90 "4 lines in the log" log_has "$log" 4
cat "$log" >&2
station_alive
[ "$(log_get "$log" /dev/loop250 result)" = ok ] || fail "loop250 is not ok"
ranges_equal "$img" "$img.bmap" /dev/loop250
b=$(log_get "$log" /dev/loop251 result)
case $b in
removed) [ "$(log_get "$log" /dev/loop251 reason)" = "removed during write" ] ||
	fail "loop251: removed, but the reason is not 'removed during write'" ;;
failed) [ "$(log_get "$log" /dev/loop251 reason)" = "Input/output error" ] ||
	fail "loop251: failed, but not with an I/O error" ;;
*) fail "loop251 (EIO, removed) logged '$b'" ;;
esac
[ "$(log_get "$log" /dev/loop252 result)" = removed ] || fail "loop252 (removed) is not logged removed"
[ "$(log_get "$log" /dev/loop252 reason)" = "removed during write" ] || fail "loop252: wrong reason"
grep -q '"device": "/dev/loop252".*"state": "failed".*"reason": "removed during write"' \
	"$TMP/status" || fail "the status does not say loop252 was removed during write"
grep -q '"device": "/dev/loop251".*"state": "failed"' "$TMP/status" ||
	fail "the status does not say loop251 failed"
[ "$(log_get "$log" /dev/loop253 result)" = failed ] || fail "loop253 (bad spot) is not logged failed"
[ "$(log_get "$log" /dev/loop253 reason)" = "Input/output error" ] || fail "loop253: wrong reason"
# the log line carries the error as flash logged it, with the device and the byte
log_get "$log" /dev/loop253 error | grep -q "^cannot write '/dev/loop253' at byte [0-9]*: Input/output error$" ||
	fail "loop253's log line has not the error: $(grep loop253 "$log")"
grep -q '"device": "/dev/loop253".*"state": "failed".*"reason": "Input/output error"' \
	"$TMP/status" || fail "the status does not say loop253 failed with an I/O error"
! grep -q '"device": "/dev/loop25[123]".*"result": "ok"' "$TMP/status" "$log" ||
	fail "a failed device was reported ok"
# Failed and still plugged in: not tried again (the next plug-in below is the marker).
fault "$TMP/fuse-d" clear
udevadm trigger --action=change --settle /sys/block/loop253 || fail "udevadm trigger"

# C plugged in again, behaving: written again, ok.
fault "$TMP/fuse-c" clear
echo add >/sys/block/loop252/uevent
wait_for 60 "loop252 a second time in the log" log_has "$log" 5
[ "$(log_get "$log" /dev/loop252 result)" = ok ] || fail "loop252 again: not ok: $(cat "$log")"
ranges_equal "$img" "$img.bmap" /dev/loop252
[ "$(log_count "$log" ok)" -eq 2 ] || fail "not exactly 2 ok lines"
[ "$(grep -c '"device": "/dev/loop253"' "$log")" -eq 1 ] || fail "the failed loop253 was tried again"
station_alive
