#!/bin/sh
# SIGTERM while the station writes: it takes no new device, gives the write
# in flight --stop-timeout seconds, then stops it; it exits (130: a flash was
# cut short) within 10 s, the log marks that device "incomplete", and every
# "ok" line is a device whose mapped ranges equal the image.  The devices are
# there before the station starts (it lists them: no udevd here) and chosen
# with --match on a glob, --allow-fixed (loop devices are not removable).
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"
. "$TOOLS/stationlib.sh"
need bmaptool

free_loops 230 233
img=$TMP/test.img
make_image "$img" 32 50
truncate -s 32M "$TMP/stick-a" "$TMP/back-b"
faultfs_start "$TMP/back-b" "$TMP/fuse-b"
# A write of the slow one takes 0.3 s: it cannot end within the stop timeout.
fault "$TMP/fuse-b" "slow 300000"
plug 230 "$TMP/stick-a"
plug 231 "$TMP/fuse-b/disk"

log=$TMP/station.log
station_start --log "$log" --stop-timeout 2 --allow-fixed --match 'DEVNAME=/dev/loop23[01]' \
	"$img"
wait_for 60 "loop230 in the log" log_has "$log" 1
wait_for 30 "loop231 to be written" \
	grep -q '"device": "/dev/loop231".*"state": "writing"' "$TMP/status"
station_alive

t0=$(date +%s)
kill -TERM "$_ST_PID"
rc=0
wait "$_ST_PID" || rc=$?
secs=$(($(date +%s) - t0))
_ST_PID=
cat "$TMP/station.err" "$log" >&2
[ "$secs" -le 10 ] || fail "the station took $secs s to exit after SIGTERM"
[ "$rc" -eq 130 ] || fail "exit $rc after a flash was cut short, not 130"
grep -q '"state": "stopping"' "$TMP/status" || fail "the station did not say it was stopping"
grep -q '"state": "stopped"' "$TMP/status" || fail "the station did not say it stopped"
[ "$(log_get "$log" /dev/loop231 result)" = incomplete ] || fail "loop231 is not logged incomplete"
[ "$(log_count "$log")" -eq 2 ] || fail "not 2 lines in the log"
# Nothing logged ok that was not verified: every ok device holds the image.
for dev in $(python3 -c 'import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["result"] == "ok": print(r["device"])' "$log"); do
	ranges_equal "$img" "$img.bmap" "$dev"
done
[ "$(log_get "$log" /dev/loop230 result)" = ok ] || fail "loop230 is not ok"
# The cut-short device holds no partition table (the table is written last).
fault "$TMP/fuse-b" clear
! sfdisk -d /dev/loop231 >/dev/null 2>&1 || fail "loop231 holds a partition table"
