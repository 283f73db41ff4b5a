#!/bin/bash
# bench/build.sh: how long `flashbuild build --board qemu-x86` takes
#   cold       an empty cache: kernel (Debian's linux-source-6.1, tinyconfig),
#              busybox rootfs and initramfs, all built
#   no-op      nothing changed (best of 5)
#   overlay    one file of the board's overlay changed: rootfs and initramfs
#              rebuilt, the kernel not
#   ccache     the kernel again from an empty O= tree (and no artifact), its
#              objects from the ccache the cold build filled (when the
#              compiler is ccache: the default where it is installed)
#   option     one kernel option more (a fragment added): the O= tree reused;
#              then that config from an empty O= tree through the ccache too
# usage: bench/build.sh [--board NAME] [--warm] [--compiler NAME] [--distcc N]
#   --warm     reuse the test cache's kernel (build/test-cache): skips the
#              cold kernel build, for a quick look at the other numbers
#   --compiler gcc|ccache|distcc|icecc: FLASHBUILD_KERNEL_CC for every build
#   --distcc N the cold build through N distccd on 127.0.0.1 (started here),
#              each with as many jobs as cores: the share each daemon took
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
fb=${FLASHBUILD:-$top/flashbuild}
board=qemu-x86
warm=
distcc=0
while [ $# -gt 0 ]; do
	case $1 in
	--board) board=$2; shift ;;
	--warm) warm=1 ;;
	--compiler) export FLASHBUILD_KERNEL_CC=$2; shift ;;
	--distcc) distcc=$2; export FLASHBUILD_KERNEL_CC=distcc; shift ;;
	-h | --help) sed -n '2,20p' "$0"; exit 0 ;;
	*) echo "usage: $0 [--board NAME] [--warm] [--compiler NAME] [--distcc N]" >&2; exit 2 ;;
	esac
	shift
done
[ -x "$fb" ] || { echo "bench/build.sh: build flashbuild first (make)" >&2; exit 1; }

tmp=$(mktemp -d)
pids=
# shellcheck disable=SC2086 # the pids, one word each
trap '[ -z "$pids" ] || kill $pids 2>/dev/null || true; rm -rf "$tmp"' EXIT
# --distcc N: N daemons on loopback; each one's log counts the jobs it took
if [ "$distcc" -gt 0 ]; then
	export DISTCC_DIR=$tmp/distcc DISTCC_HOSTS=
	mkdir -p "$DISTCC_DIR"
	chmod 0777 "$tmp"
	for i in $(seq "$distcc"); do
		port=$((3700 + i))
		: >"$tmp/distccd-$i.log"
		chmod 0666 "$tmp/distccd-$i.log"
		distccd --daemon --no-detach --allow 127.0.0.1 --listen 127.0.0.1 --port "$port" \
			--jobs "$(nproc)" --log-file "$tmp/distccd-$i.log" --log-level info --user nobody &
		pids="$pids $!"
		DISTCC_HOSTS="$DISTCC_HOSTS 127.0.0.1:$port/$(nproc)"
	done
	sleep 1
fi
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
cp "$tmp/log" "$tmp/cold.out"
if [ -z "$warm" ]; then cp "$FLASHBUILD_CACHE"/kernel-build/*/build.log "$tmp/cold-kernel.log"; fi
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

cc=$(grep -o 'compiling with [a-z]*' "$tmp/cold.out" | head -1 | cut -d' ' -f3)
stats() { # stats: ccache's hit rate since it was zeroed, and how many hits were direct
	CCACHE_DIR=$FLASHBUILD_CACHE/ccache ccache --print-stats |
		awk '$1 == "direct_cache_hit" { d = $2 } $1 == "preprocessed_cache_hit" { p = $2 }
		     $1 == "cache_miss" { m = $2 }
		     END { printf "%.1f %% (%d direct, %d preprocessed, %d missed)", 100 * (d + p) / (d + p + m), d, p, m }'
}
if [ -z "$warm" ]; then
	# the kernel again from an empty O= tree, the config the ccache was filled with
	if [ "$cc" = ccache ]; then
		rm -rf "$FLASHBUILD_CACHE"/kernel-build "$FLASHBUILD_CACHE"/kernel
		CCACHE_DIR=$FLASHBUILD_CACHE/ccache ccache -z >/dev/null
		rebuilt=$(secs build)
		hits=$(stats)
	fi
	# one option more: a fragment of one line, the O= tree reused
	echo 'CONFIG_PRINTK_TIME=y' >"$tmp/boards/bench-option.config"
	sed -i "s|^fragments = .*|& $tmp/boards/bench-option.config|" "$tmp/boards/$board.conf"
	option=$(secs build)
	files=$(grep -c '^  CC ' "$FLASHBUILD_CACHE"/kernel-build/*/build.log || true)
	# and that config from an empty O= tree: every object's autoconf.h changed, so
	# ccache's direct mode misses and its preprocessor mode hits
	if [ "$cc" = ccache ]; then
		rm -rf "$FLASHBUILD_CACHE"/kernel-build "$FLASHBUILD_CACHE"/kernel
		CCACHE_DIR=$FLASHBUILD_CACHE/ccache ccache -z >/dev/null
		rebuilt2=$(secs build)
		hits2=$(stats)
	fi
fi

printf '%-34s %10s\n' "flashbuild build --board $board" seconds
printf '%-34s %10s\n' "cold${warm:+ (kernel cached: --warm)}${cc:+, compiler $cc}" "$cold"
printf '%-34s %10s\n' "no-op (best of 5)" "$best"
printf '%-34s %10s\n' "overlay change" "$over"
[ -z "${option:-}" ] || printf '%-34s %10s\n' "one option more ($files files compiled)" "$option"
[ -z "${rebuilt:-}" ] || {
	printf '%-34s %10s\n' "empty O= tree, ccache warm" "$rebuilt"
	awk -v r="$rebuilt" -v c="$cold" -v h="$hits" \
		'BEGIN { printf "  ratio to cold %.2f (goal < 0.33), ccache hits %s\n", r / c, h }'
	printf '%-34s %10s\n' "the same, one option more" "$rebuilt2"
	awk -v r="$rebuilt2" -v c="$cold" -v h="$hits2" \
		'BEGIN { printf "  ratio to cold %.2f, ccache hits %s\n", r / c, h }'
}
if [ "$distcc" -gt 0 ]; then
	total=$(cat "$tmp"/distccd-*.log | grep -c COMPILE_OK || true)
	local_cc=$(grep -c '^  CC ' "$tmp/cold-kernel.log" || true)
	echo "distcc over $distcc daemons on 127.0.0.1 ($DISTCC_HOSTS ), the cold build's $local_cc"
	echo "Kbuild CC lines and the later builds':"
	for i in $(seq "$distcc"); do
		n=$(grep -c COMPILE_OK "$tmp/distccd-$i.log" || true)
		awk -v i="$i" -v n="$n" -v t="$total" \
			'BEGIN { printf "  distccd %d: %d compiles, %.1f %% of the %d the daemons took\n", i, n, 100 * n / t, t }'
	done
fi
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
