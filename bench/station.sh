#!/bin/bash
# bench/station.sh: what one station gains by writing several devices at once.
#
# One image (--size MiB, default 256, fully mapped with random data, with its
# bmap) is flashed by `flashbuild station` to 1 loop device alone, then to 4
# loop devices at once (--jobs 4), each run ending by --count.  Every flash is
# written, read back with O_DIRECT and checked, as the station always does.
# From the station's log: MB/s = the bytes written to the devices (the mapped
# image and the wiped first and last MiB) /
# the wall time from the first flash's start to the last one's end (the
# image's one-time preparation is not counted).  Prints both and the ratio
# "aggregate MB/s with 4 / MB/s with 1".  Each runs --runs times (default 3);
# the best counts.
# The loop devices (/dev/loop220-223, made and removed here) use direct I/O on
# files under TMPDIR, so writes reach a disk as on a stick, not only the page
# cache; they all share that one disk, which a hub's sticks would not.
#
# With --idle-connections N, instead: 1 device alone, then 1 device while the
# station serves its page (--listen on 127.0.0.1) with N idle connections held
# open and one client following /events (connected within milliseconds of the
# station listening: use --size 1024 so that the flash lasts seconds); prints
# both and the ratio "with the page's clients / without" (the page must not
# slow a flash: goal >= 0.90).
#
# usage: bench/station.sh [--runs N] [--size MIB] [--keep] [--idle-connections N]
# env:   FLASHBUILD (default: ./flashbuild at the repo root), TMPDIR
# Needs root (loop devices).  Only loop devices on files under TMPDIR are written.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
fb=${FLASHBUILD:-$repo/flashbuild}
runs=3
size=256
keep=false
idle=0

while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift ;;
	--size) size=$2; shift ;;
	--keep) keep=true ;;
	--idle-connections) idle=$2; shift ;;
	*) sed -n '2,/^set -eu/{/^set -eu/d; s/^# \{0,1\}//; p}' "$0" >&2; exit 2 ;;
	esac
	shift
done

die() { echo "bench: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }

[ "$(id -u)" -eq 0 ] || die "needs root (loop devices)"
[ -x "$fb" ] || die "'$fb' is not built (make)"
for t in bmaptool losetup python3 sfdisk; do
	command -v "$t" >/dev/null || die "'$t' is missing (scripts/install-deps)"
done
for n in 220 221 222 223; do
	[ ! -e /sys/block/loop$n ] || die "loop$n exists already; this bench needs loop220-223 free"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/fb-bench-station.XXXXXX")
nums=()
cleanup() {
	for n in "${nums[@]}"; do
		partx -d /dev/loop$n >/dev/null 2>&1 || true
		losetup -d /dev/loop$n 2>/dev/null || true
		python3 -c 'import fcntl, os, sys
fcntl.ioctl(os.open("/dev/loop-control", os.O_RDWR), 0x4C81, int(sys.argv[1]))' "$n" \
			2>/dev/null || true
	done
	if $keep; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

log "making a ${size} MiB image in $work"
truncate -s "${size}M" "$work/img"
printf 'label: gpt\nstart=2048, name=root\n' | sfdisk -q "$work/img"
python3 - "$work/img" "$size" <<'PY'
import os, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(1 << 20)
    for _ in range(int(sys.argv[2]) - 2):
        f.write(os.urandom(1 << 20))
PY
bmaptool create -o "$work/img.bmap" "$work/img" 2>/dev/null
cat "$work/img" >/dev/null # a warm page cache for every run
for n in 220 221 222 223; do
	truncate -s "${size}M" "$work/disk$n"
	nums+=("$n")
	losetup --direct-io=on /dev/loop$n "$work/disk$n"
done

# clients PORT N: N idle connections to 127.0.0.1:PORT and one /events follower, made
# as soon as the port listens, held until killed
clients() {
	exec python3 - "$1" "$2" "$work/clients" >/dev/null 2>&1 <<'PY'
import socket, sys, threading, time, urllib.request
port, n = int(sys.argv[1]), int(sys.argv[2])
while True:
    try:
        socket.create_connection(("127.0.0.1", port)).close()
        break
    except OSError:
        time.sleep(0.005)
idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
open(sys.argv[3], "w").write("%d connected\n" % n)
def follow():
    for _ in urllib.request.urlopen("http://127.0.0.1:%d/events" % port):
        pass
threading.Thread(target=follow, daemon=True).start()
time.sleep(3600)
PY
}

# station N [ARGS]: one station run over loop220.. (N of them); prints the aggregate MB/s
station() {
	local last=$((219 + $1)) n=$1 cpid=
	shift
	rm -f "$work/log"
	if [ $# -gt 0 ]; then
		clients "$port" "$idle" &
		cpid=$!
	fi
	"$fb" station --progress=plain --allow-fixed --match "DEVNAME=/dev/loop22[0-${last#22}]" \
		--jobs "$n" --count "$n" --log "$work/log" "$@" "$work/img" >>"$work/out" 2>&1 ||
		die "the station failed (see $work/out)"
	if [ -n "$cpid" ]; then
		kill "$cpid"
		wait "$cpid" 2>/dev/null || true
		[ -s "$work/clients" ] || die "the page's clients never connected while the station ran"
		rm -f "$work/clients"
	fi
	python3 - "$work/log" "$n" <<'PY'
import datetime, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
if len(rows) != int(sys.argv[2]) or any(r["result"] != "ok" for r in rows):
    sys.exit("bench: not %s ok flashes: %r" % (sys.argv[2], rows))
def t(r):
    return datetime.datetime.strptime(r["time"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
start = min(t(r) - r["seconds"] for r in rows)
end = max(t(r) for r in rows)
print("%.1f" % (sum(r["bytes_written"] for r in rows) / (end - start) / 1e6))
PY
}

best() { sort -rn | head -n 1; }

if [ "$idle" -gt 0 ]; then
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	plain=() served=()
	for _ in $(seq "$runs"); do
		plain+=("$(station 1)")
		served+=("$(station 1 --listen "127.0.0.1:$port")")
	done
	a=$(printf '%s\n' "${plain[@]}" | best)
	b=$(printf '%s\n' "${served[@]}" | best)
	log "without the page: ${plain[*]} MB/s; with $idle idle connections and /events: ${served[*]} MB/s"
	echo "station, ${size} MiB image (fully mapped) to 1 loop device (direct I/O), best of $runs"
	echo "without the page: $a MB/s"
	echo "with the page, $idle idle connections and one /events client: $b MB/s"
	awk -v a="$b" -v b="$a" 'BEGIN { printf "ratio served/plain: %.2f (goal >= 0.90)\n", a / b }'
	exit 0
fi

declare -A rate
for n in 1 4; do
	r=()
	for _ in $(seq "$runs"); do r+=("$(station $n)"); done
	rate[$n]=$(printf '%s\n' "${r[@]}" | best)
	log "$n device(s): ${r[*]} MB/s"
done

echo "station, ${size} MiB image (fully mapped) to loop devices (direct I/O), best of $runs"
echo "1 device alone: ${rate[1]} MB/s"
echo "4 devices at once: ${rate[4]} MB/s aggregate"
awk -v a="${rate[4]}" -v b="${rate[1]}" 'BEGIN { printf "ratio 4/1: %.2f\n", a / b }'
