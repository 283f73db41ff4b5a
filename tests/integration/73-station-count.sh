#!/bin/sh
# A compressed image is decompressed once and shared: the station is given
# IMAGE.img.xz, and once it has started (the image prepared) the .xz and its
# bmap are deleted; with --jobs 1 the second device is written only after the
# first (a slow one) is done, from the shared copy, and is verified.
# --count 2 then stops the station (exit 0): the third matching device is
# never written.
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"
. "$TOOLS/stationlib.sh"
need bmaptool xz

free_loops 233 235
mkdir "$TMP/plain" "$TMP/src" "$TMP/cache"
img=$TMP/plain/test.img
make_image "$img" 32 50
xz -T1 -c "$img" >"$TMP/src/test.img.xz"
cp "$img.bmap" "$TMP/src/test.img.bmap"
truncate -s 32M "$TMP/back-a" "$TMP/stick-b"
head -c 32M /dev/urandom >"$TMP/stick-c"
c_sha=$(sha256sum "$TMP/stick-c" | cut -d' ' -f1)
faultfs_start "$TMP/back-a" "$TMP/fuse-a"
fault "$TMP/fuse-a" "slow 100000"
plug 233 "$TMP/fuse-a/disk"
plug 234 "$TMP/stick-b"
plug 235 "$TMP/stick-c"

log=$TMP/station.log
station_start --log "$log" --jobs 1 --count 2 --tmpdir "$TMP/cache" --allow-fixed \
	--match 'DEVNAME=/dev/loop23[345]' "$TMP/src/test.img.xz"
grep -q "\"image_sha256\": \"$(sha256sum "$TMP/src/test.img.xz" | cut -d' ' -f1)\"" \
	"$TMP/status" || fail "the station does not name the .xz by its sha256"
rm "$TMP/src/test.img.xz" "$TMP/src/test.img.bmap"
[ -z "$(ls -A "$TMP/cache")" ] || fail "the decompressed copy has a name in '$TMP/cache'"
rc=0
wait "$_ST_PID" || rc=$?
_ST_PID=
cat "$TMP/station.err" "$log" >&2
[ $rc -eq 0 ] || fail "--count 2 reached: exit $rc, not 0"
[ "$(log_count "$log" ok)" -eq 2 ] || fail "not 2 ok lines"
[ "$(log_count "$log")" -eq 2 ] || fail "not 2 lines"
fault "$TMP/fuse-a" clear
ranges_equal "$img" "$img.bmap" /dev/loop233
ranges_equal "$img" "$img.bmap" /dev/loop234
[ "$(dev_sha /dev/loop235)" = "$c_sha" ] || fail "loop235 was written after --count 2"
tail -n 1 "$TMP/status" | grep -q '"state": "stopped".*"verified": 2' ||
	fail "the last status line is not 'stopped' with 2 verified"

# Started by hand without --log where /var/log/flashbuild does not exist (a
# fresh /var/log, in a mount namespace of its own): the station makes the
# default log's directory (0750) and logs there.
unshare -m sh -c 'mount -t tmpfs tmpfs /var/log &&
	"$1" station --progress=plain --count 1 --allow-fixed --match DEVNAME=/dev/loop234 "$2" \
		>"$3/by-hand.out" 2>"$3/by-hand.err" &&
	stat -c %a /var/log/flashbuild >"$3/by-hand.mode" &&
	cp /var/log/flashbuild/station.log "$3/by-hand.log"' sh "$FLASHBUILD" "$img" "$TMP" ||
	{ cat "$TMP/by-hand.err" >&2; fail "the station started by hand without /var/log/flashbuild failed"; }
[ "$(cat "$TMP/by-hand.mode")" = 750 ] || fail "/var/log/flashbuild is not 0750"
[ "$(log_count "$TMP/by-hand.log" ok)" -eq 1 ] || fail "no ok line in the default log"
