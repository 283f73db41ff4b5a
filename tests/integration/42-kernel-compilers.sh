#!/bin/sh
# check-fast: no (builds an x86 kernel from source, unless the test cache holds it)
# [kernel] compiler on the shared kernel's cache, no cold build:
# - ccache: the shared kernel's O= tree and artifact moved aside (put back if
#   the test fails), the kernel rebuilt from nothing with a ccache hit rate
#   over 90 %, byte for byte the kernel the tree made before;
# - distcc: a distccd on 127.0.0.1 (started here, stopped at the end) and
#   compiler = distcc: one option more (PRINTK_TIME), the files it touches
#   are compiled there (the daemon's log), and that kernel boots;
# - the one-line errors: an unknown compiler (file:line), distcc without hosts.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need make ccache distcc distccd qemu-system-x86_64

W=$TMP/tree
mkdir -p "$W"
cp -a "$TOP/boards" "$TOP/partitions" "$W/"
fb() { "$FLASHBUILD" -C "$W" "$@"; }

# The O= tree and the artifact of BOARD ($obj, $art): from `kernel diff` and `-v build`.
locate() {
	fb kernel --board "$1" diff >/dev/null 2>"$TMP/where" || { cat "$TMP/where" >&2; fail "kernel diff failed"; }
	obj=$(sed -n "s/.*O= tree '\([^']*\)'.*/\1/p" "$TMP/where")
	fb -v build --board "$1" >"$TMP/where" 2>&1 || { cat "$TMP/where" >&2; fail "build of $1 failed"; }
	art=$(sed -n "s/^debug: kernel: artifact '\(.*\)'$/\1/p" "$TMP/where")
	[ -d "$obj" ] && [ -d "$art" ] || fail "no O= tree ('$obj') or artifact ('$art') of $1"
}

# --- errors: exit 1, one line, before anything builds
cat >"$W/boards/bad-cc.conf" <<'EOF'
[board]
arch = x86_64

[kernel]
config = tinyconfig
compiler = tcc
EOF
rc=0
fb build --board bad-cc >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" -eq 1 ] && grep -qx "error: boards/bad-cc.conf:6: compiler = tcc: expected gcc, ccache, distcc or icecc" "$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "an unknown compiler: exit $rc"; }

# --- ccache: a kernel whose O= tree is gone, rebuilt from the cache
export CCACHE_DIR="$FLASHBUILD_CACHE/ccache"
locate qemu-x86
aside=$FLASHBUILD_CACHE/.aside-$$
restore() {
	[ -d "$aside" ] || return 0
	rm -rf "$obj" "$art"
	mv "$aside/obj" "$obj" && mv "$aside/art" "$art" && rmdir "$aside"
}
trap '_rc0=$?; restore; (exit $_rc0); _cleanup' EXIT

# rebuild: the O= tree and the artifact aside, the kernel built again through ccache
rebuild() {
	mkdir "$aside"
	mv "$obj" "$aside/obj"
	mv "$art" "$aside/art"
	ccache -z >/dev/null
	FLASHBUILD_KERNEL_CC=ccache fb build --board qemu-x86 >"$TMP/build" 2>&1 ||
		{ cat "$TMP/build" >&2; fail "the rebuild failed"; }
	cat "$TMP/build" >&2
	grep -q 'compiling with ccache (FLASHBUILD_KERNEL_CC)' "$TMP/build" || fail "not compiled with ccache"
	cmp "$art/bzImage" "$aside/art/bzImage" || fail "ccache made another kernel than the tree did before"
	rm -rf "$aside"
}
stat_of() { ccache --print-stats | awk -v k="$1" '$1 == k { print $2 }'; }
files=$(stat_of files_in_cache)
if [ "${files:-0}" -lt 1000 ]; then
	# a test cache older than this test (or a cleared ccache): filled once
	note "ccache holds ${files:-0} files: one build through it first"
	rebuild
fi
rebuild
hits=$(($(stat_of direct_cache_hit) + $(stat_of preprocessed_cache_hit)))
misses=$(stat_of cache_miss)
note "ccache: $hits hits, $misses misses"
[ $((hits * 100)) -gt $(((hits + misses) * 90)) ] || fail "ccache hit rate under 90 % ($hits hits, $misses misses)"
unset CCACHE_DIR

# --- distcc without hosts
rc=0
DISTCC_HOSTS=' ' FLASHBUILD_KERNEL_CC=distcc fb build --board bad-cc >"$TMP/out" 2>"$TMP/err" || rc=$?
# (bad-cc names tcc: the variable wins over the profile)
[ "$rc" -eq 1 ] && grep -q "error: FLASHBUILD_KERNEL_CC=distcc, but distcc knows no hosts" "$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "distcc without hosts: exit $rc"; }

# --- distcc: a daemon on loopback takes the compiles of one option more
port=$((20000 + $$ % 20000))
: >"$TMP/distccd.log"
chmod 0666 "$TMP/distccd.log"
distccd --daemon --no-detach --allow 127.0.0.1 --listen 127.0.0.1 --port "$port" \
	--log-file "$TMP/distccd.log" --log-level info --jobs 2 --user nobody &
dpid=$!
trap '_rc0=$?; kill $dpid 2>/dev/null; restore; (exit $_rc0); _cleanup' EXIT
wait_listen "$port"
export DISTCC_HOSTS="127.0.0.1:$port/4" DISTCC_DIR="$TMP/distcc"
mkdir -p "$DISTCC_DIR"
echo 'CONFIG_PRINTK_TIME=y' >"$W/boards/kernel/printk-time.config"
sed -e 's|^fragments = .*|& boards/kernel/printk-time.config\ncompiler = distcc|' \
	"$W/boards/qemu-x86.conf" >"$W/boards/qemu-distcc.conf"
# an artifact a run cut short left would make this a no-op: it goes first
fb -v build --board qemu-distcc >"$TMP/b0" 2>&1 || { cat "$TMP/b0" >&2; fail "build failed"; }
if grep -q 'kernel  *up to date' "$TMP/b0"; then
	rm -rf "$(sed -n "s/^debug: kernel: artifact '\(.*\)'$/\1/p" "$TMP/b0")"
	fb build --board qemu-distcc >"$TMP/b0" 2>&1 || { cat "$TMP/b0" >&2; fail "build failed"; }
fi
cat "$TMP/b0" >&2
grep -q 'compiling with distcc (\[kernel\] compiler), 4 jobs' "$TMP/b0" || fail "not compiled with distcc, 4 jobs"
grep -q 'COMPILE_OK' "$TMP/distccd.log" || { cat "$TMP/distccd.log" >&2; fail "distccd compiled nothing"; }
grep -q 'COMPILE_OK .* .*kernel/printk/printk\.c' "$TMP/distccd.log" ||
	{ grep COMPILE "$TMP/distccd.log" >&2; fail "printk.c was not compiled by distccd"; }
note "distccd compiled $(grep -c COMPILE_OK "$TMP/distccd.log") files"
fb emulate --board qemu-distcc --timeout 240 --run 'cat /sys/module/printk/parameters/time' >"$TMP/run" 2>&1 ||
	{ cat "$TMP/run" >&2; fail "the distcc kernel did not boot"; }
grep -qx Y "$TMP/run" || { cat "$TMP/run" >&2; fail "the booted kernel lacks PRINTK_TIME"; }
# the test's kernel is not kept: the next run compiles through distccd again
fb -v build --board qemu-distcc >"$TMP/b1" 2>&1
rm -rf "$(sed -n "s/^debug: kernel: artifact '\(.*\)'$/\1/p" "$TMP/b1")"
