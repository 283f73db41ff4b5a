# shellcheck shell=sh
# tests/tools/stationlib.sh: hotplugged loop devices, a udevd started by
# hand, a test udev rule and a running `flashbuild station`, for the station
# tests (tests/integration/7*-*.sh).  Source it after lib.sh and flashlib.sh:
#	. "$(dirname "$0")/lib.sh"
#	. "$TOOLS/flashlib.sh"
#	. "$TOOLS/stationlib.sh"
# At exit it stops the station, unplugs (LOOP_CTL_REMOVE) every loop device it
# plugged, stops the udevd it started (and removes /run/udev/control), removes
# its rule, then flashlib's cleanup runs.  Only loop devices on files in $TMP
# are written; /dev/vda never is.

need udevadm python3
UDEVD=${UDEVD:-/lib/systemd/systemd-udevd}
[ -x "$UDEVD" ] || skip "no '$UDEVD' (systemd)"

_ST_PLUGGED=$TMP/.plugged
_ST_UDEVD_PID=
_ST_RUN_UDEV_NEW=
_ST_RULES=
_ST_PID=
: >"$_ST_PLUGGED"

# loop_remove N: LOOP_CTL_REMOVE on /dev/loop-control: the kernel and udev say "remove"
loop_remove() {
	python3 -c 'import fcntl, os, sys
fd = os.open("/dev/loop-control", os.O_RDWR)
fcntl.ioctl(fd, 0x4C81, int(sys.argv[1]))' "$1"
}

_st_cleanup() {
	if [ -n "$_ST_PID" ] && kill -0 "$_ST_PID" 2>/dev/null; then
		kill -KILL "$_ST_PID" 2>/dev/null || true
		wait "$_ST_PID" 2>/dev/null || true
	fi
	while read -r _n; do
		partx -d "/dev/loop$_n" >/dev/null 2>&1 || true
		losetup -d "/dev/loop$_n" 2>/dev/null || true
		loop_remove "$_n" 2>/dev/null || true
	done <"$_ST_PLUGGED"
	for _r in $_ST_RULES; do rm -f "$_r"; done
	if [ -n "$_ST_UDEVD_PID" ]; then
		kill "$_ST_UDEVD_PID" 2>/dev/null || true
		wait "$_ST_UDEVD_PID" 2>/dev/null || true
		rm -f /run/udev/control
		# Its database too, when there was none before: stale properties mislead libudev.
		[ -z "$_ST_RUN_UDEV_NEW" ] || rm -rf /run/udev
	elif [ -n "$_ST_RULES" ]; then
		udevadm control --reload 2>/dev/null || true
	fi
}
trap '_st_rc=$?; _st_cleanup; _fl_cleanup; (exit $_st_rc); _cleanup' EXIT

# wait_for SECONDS WHAT CMD...: polls CMD every 0.1 s until it succeeds, else fails
wait_for() {
	_w_end=$(($(date +%s) + $1))
	_w_what=$2
	shift 2
	until "$@"; do
		[ "$(date +%s)" -lt "$_w_end" ] || fail "timed out waiting for $_w_what"
		sleep 0.1
	done
}

# udevd_start: our own udevd (one already running is used as it is, left running);
# stopped at exit, with /run/udev/control (and /run/udev if it made it)
udevd_start() {
	if udevadm control --ping >/dev/null 2>&1; then
		note "using the udevd that already runs"
		return
	fi
	rm -f /run/udev/control
	[ -e /run/udev ] || _ST_RUN_UDEV_NEW=1
	"$UDEVD" 2>"$TMP/udevd.log" &
	_ST_UDEVD_PID=$!
	wait_for 10 "udevd to start" udevadm control --ping
}

# rule_install TEXT [NAME]: a udev rule in /run/udev/rules.d (as NAME-TEST-PID.rules,
# default 99-flashbuild), removed at exit
rule_install() {
	mkdir -p /run/udev/rules.d
	_r=/run/udev/rules.d/${2:-99-flashbuild}-$TEST_NAME-$$.rules
	_ST_RULES="$_ST_RULES $_r"
	printf '%s\n' "$1" >"$_r"
	udevadm control --reload || fail "udevadm control --reload"
}

# free_loops FIRST LAST: fails unless no loopN in that range exists
free_loops() {
	for _n in $(seq "$1" "$2"); do
		[ ! -e "/sys/block/loop$_n" ] || fail "loop$_n exists already; these tests need it free"
	done
}

# plug N FILE: a loop device /dev/loopN on FILE, made now: the kernel says "add"
plug() {
	[ ! -e "/sys/block/loop$1" ] || fail "loop$1 exists already"
	echo "$1" >>"$_ST_PLUGGED"
	losetup "/dev/loop$1" "$2" || fail "cannot attach /dev/loop$1"
}

# unplug N: detached and removed: the kernel says "remove"
unplug() {
	partx -d "/dev/loop$1" >/dev/null 2>&1 || true
	losetup -d "/dev/loop$1" || fail "cannot detach /dev/loop$1"
	wait_for 10 "loop$1 to let go" loop_remove "$1"
}

# station_start ARGS...: `flashbuild station --json ARGS` in the background, its
# JSON lines in $TMP/status, its stderr in $TMP/station.err
station_start() {
	"$FLASHBUILD" station --json "$@" >"$TMP/status" 2>"$TMP/station.err" &
	_ST_PID=$!
	wait_for 20 "the station to start" grep -q '"state": "started"' "$TMP/status"
}

# station_alive: fails if the station has exited
station_alive() {
	kill -0 "$_ST_PID" 2>/dev/null || {
		cat "$TMP/station.err" >&2
		fail "the station exited"
	}
}

# log_count LOG [RESULT]: lines in the station's log (with that result)
log_count() {
	[ -e "$1" ] || { echo 0; return; }
	python3 - "$@" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if len(sys.argv) < 3 or r["result"] == sys.argv[2]:
        n += 1
print(n)
PY
}

# log_has LOG N: true once the log holds N lines
log_has() {
	[ "$(log_count "$1")" -ge "$2" ]
}

# log_get LOG DEVICE FIELD: FIELD of DEVICE's last line in the log
log_get() {
	python3 - "$@" <<'PY'
import json, sys
v = None
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["device"] == sys.argv[2]:
        v = r[sys.argv[3]]
print(v)
PY
}
