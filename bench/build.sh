#!/bin/bash
# bench/build.sh: how long `flashbuild build --board qemu-x86` takes
#   cold       an empty cache: kernel (Debian's linux-source-6.1, tinyconfig),
#              busybox rootfs and initramfs, all built
#   no-op      nothing changed (best of 5)
#   overlay    one file of the board's overlay changed: rootfs and initramfs
#              rebuilt, the kernel not
# usage: bench/build.sh [--board NAME] [--warm]
#   --warm     reuse the test cache's kernel (build/test-cache): skips the
#              cold kernel build, for a quick look at the other numbers
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
fb=${FLASHBUILD:-$top/flashbuild}
board=qemu-x86
warm=
while [ $# -gt 0 ]; do
	case $1 in
	--board) board=$2; shift ;;
	--warm) warm=1 ;;
	-h | --help) sed -n '2,10p' "$0"; exit 0 ;;
	*) echo "usage: $0 [--board NAME] [--warm]" >&2; exit 2 ;;
	esac
	shift
done
[ -x "$fb" ] || { echo "bench/build.sh: build flashbuild first (make)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$top/boards" "$tmp/"
if [ -n "$warm" ]; then
	export FLASHBUILD_CACHE=$top/build/test-cache
else
	export FLASHBUILD_CACHE=$tmp/cache
fi

secs() { # secs CMD...: wall seconds of CMD, its output in $tmp/log
	local t0=$EPOCHREALTIME
	"$@" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'
}
build() { "$fb" -C "$tmp" build --board "$board"; }

# Only the stages of this board are timed: the overlay change touches a fresh file.
overlay=$tmp/boards/$board/overlay
mkdir -p "$overlay/etc"

cold=$(secs build)
grep -E '^  (kernel|rootfs|initramfs)' "$tmp/log" | sed 's/^/    /'
best=
for _ in 1 2 3 4 5; do
	t=$(secs build)
	grep -q ' built in ' "$tmp/log" && { echo "a no-op build rebuilt something" >&2; exit 1; }
	best=$(awk -v a="${best:-$t}" -v b="$t" 'BEGIN { print (b < a) ? b : a }')
done
echo "bench $$ $(date +%s%N)" >"$overlay/etc/bench-stamp"
over=$(secs build)
grep -q 'kernel  *up to date' "$tmp/log" || { echo "the overlay change rebuilt the kernel" >&2; exit 1; }

printf '%-34s %10s\n' "flashbuild build --board $board" seconds
printf '%-34s %10s\n' "cold${warm:+ (kernel cached: --warm)}" "$cold"
printf '%-34s %10s\n' "no-op (best of 5)" "$best"
printf '%-34s %10s\n' "overlay change" "$over"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
