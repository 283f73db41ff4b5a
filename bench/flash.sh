#!/bin/bash
# bench/flash.sh: how long flashbuild takes to put an image on a device, next
# to its peers, measured in the same run, on the same loop device.
#
# Two 1 GiB images, one fully mapped (random data everywhere) and one 25 %
# mapped (random data in 4 MiB pieces over a sparse file), each written:
#   dd         dd bs=4M oflag=direct conv=fsync, then cmp of the device with the
#              image (the read-back check a careful dd user does)
#   bmaptool   bmaptool copy (with the image's bmap: writes the mapped blocks,
#              checks their SHA-256 as it reads them, no read-back)
#   flashbuild flashbuild flash --allow-fixed (bmap, O_DIRECT, read-back verify)
#   fb-noverify the same with --no-verify: bmaptool's amount of I/O, for comparison
# The loop device uses direct I/O on its backing file (losetup --direct-io=on),
# so what is written reaches a disk, as on a stick, and not only the page cache.
# Each runs --runs times (default 3) and the best wall time counts; the
# device is overwritten with another image between runs, so nothing is
# skipped for being already there.  Then flashbuild's peak RSS
# (/usr/bin/time -v) flashing a fully mapped 4 GiB image.
#
# usage: bench/flash.sh [--runs N] [--no-rss] [--keep]
# env:   FLASHBUILD (default: ./flashbuild at the repo root), TMPDIR
# Needs root (loop devices).  Only loop devices on files under TMPDIR are written.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
fb=${FLASHBUILD:-$repo/flashbuild}
runs=3
rss=true
keep=false

while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift ;;
	--no-rss) rss=false ;;
	--keep) keep=true ;;
	*) sed -n '2,/^set -eu/{/^set -eu/d; s/^# \{0,1\}//; p}' "$0" >&2; exit 2 ;;
	esac
	shift
done

die() { echo "bench: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }

[ "$(id -u)" -eq 0 ] || die "needs root (loop devices)"
[ -x "$fb" ] || die "'$fb' is not built (make)"
for t in dd cmp bmaptool losetup python3 /usr/bin/time; do
	command -v "$t" >/dev/null || die "'$t' is missing (scripts/install-deps)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/fb-bench-flash.XXXXXX")
loops=()
cleanup() {
	for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null || true; done
	if $keep; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# make_image OUT MIB PERCENT: GPT, random data over PERCENT %, and OUT.bmap
make_image() {
	truncate -s "${2}M" "$1"
	printf 'label: gpt\nstart=2048, name=root\n' | sfdisk -q "$1"
	python3 - "$@" <<'PY'
import os, sys
path, mib, pct = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
chunk = 4 << 20
start, end = 1 << 20, (mib - 1) << 20
n = (end - start) // chunk * pct // 100
step = (end - start) // chunk // max(n, 1) * chunk
with open(path, "r+b") as f:
    for i in range(n):
        f.seek(start + i * step)
        f.write(os.urandom(chunk))
PY
	bmaptool create -o "$1.bmap" "$1" 2>/dev/null
}

best() { sort -n | head -n 1; }

# timed CMD...: wall seconds of CMD (its output to a log)
timed() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$@" >>"$work/log" 2>&1 || die "failed: $* (see $work/log)"
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

run_dd() { dd if="$1" of="$dev" bs=4M oflag=direct conv=fsync status=none && cmp "$1" "$dev"; }
run_bmaptool() { bmaptool copy "$1" "$dev"; }
run_flashbuild() { "$fb" flash --allow-fixed --progress=none "$1" "$dev"; }
run_fbnoverify() { "$fb" flash --allow-fixed --no-verify --progress=none "$1" "$dev"; }

# scramble: another image's bytes over the device, so no run finds its data there;
# flushed (conv=fsync, then sync) so that no run pays for the previous one's writes
scramble() {
	dd if="$work/scramble" of="$dev" bs=4M oflag=direct conv=fsync status=none
	sync
}

log "making the images in $work"
make_image "$work/full.img" 1024 100
make_image "$work/quarter.img" 1024 25
head -c 1G /dev/urandom >"$work/scramble"
truncate -s 1G "$work/disk"
dev=$(losetup --direct-io=on -f --show "$work/disk")
loops+=("$dev")
cat "$work/full.img" "$work/quarter.img" >/dev/null # the same warm page cache for all

declare -A secs
for img in full quarter; do
	for tool in dd bmaptool flashbuild fbnoverify; do
		times=()
		for _ in $(seq "$runs"); do
			scramble
			times+=("$(timed "run_$tool" "$work/$img.img")")
		done
		secs[$img.$tool]=$(printf '%s\n' "${times[@]}" | best)
		log "$img $tool: ${times[*]} s"
	done
done

echo "flash of a 1 GiB image to a loop device (direct I/O), best of $runs, seconds"
printf '%-12s %8s %9s %11s %12s  %-10s %-12s %-12s\n' image dd+cmp bmaptool flashbuild \
	fb-noverify "fb/dd+cmp" "fb/bmaptool" "fb-nv/bmaptool"
for img in full quarter; do
	label=$([ $img = full ] && echo "100% mapped" || echo "25% mapped")
	awk -v l="$label" -v d="${secs[$img.dd]}" -v b="${secs[$img.bmaptool]}" \
		-v f="${secs[$img.flashbuild]}" -v n="${secs[$img.fbnoverify]}" \
		'BEGIN { printf "%-12s %8.2f %9.2f %11.2f %12.2f  %-10.2f %-12.2f %-12.2f\n",
			 l, d, b, f, n, f / d, f / b, n / b }'
done

if $rss; then
	log "peak RSS: a fully mapped 4 GiB image"
	rm -f "$work/quarter.img" "$work/scramble"
	make_image "$work/big.img" 4096 100
	truncate -s 4G "$work/disk4"
	dev=$(losetup --direct-io=on -f --show "$work/disk4")
	loops+=("$dev")
	/usr/bin/time -v "$fb" flash --allow-fixed --progress=none "$work/big.img" "$dev" \
		2>"$work/time4" >/dev/null || die "4 GiB flash failed: $(tail -n 3 "$work/time4")"
	kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time4")
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time4")
	echo "peak RSS flashing a 4 GiB image: $((kb / 1024)) MiB ($kb KiB), wall $wall"
fi
