#!/bin/bash
# bench/boot.sh: how long x86-usb takes to boot in QEMU, per firmware:
# from QEMU's start to the initramfs' "Boot took" line (boot) and to the
# login prompt on the serial console (login), as `flashbuild emulate`
# measures them on the host's clock; best and median of N runs.  The UEFI
# route is also given as a ratio to the BIOS route measured in the same run.
# usage: bench/boot.sh [--board NAME] [--runs N] [--accel kvm|tcg]
#   The board is built first (the test cache's kernel is reused).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
fb=${FLASHBUILD:-$top/flashbuild}
board=x86-usb
runs=5
accel=()
while [ $# -gt 0 ]; do
	case $1 in
	--board) board=$2; shift ;;
	--runs) runs=$2; shift ;;
	--accel) accel=(--accel "$2"); shift ;;
	-h | --help) sed -n '2,9p' "$0"; exit 0 ;;
	*) echo "usage: $0 [--board NAME] [--runs N] [--accel kvm|tcg]" >&2; exit 2 ;;
	esac
	shift
done
[ -x "$fb" ] || { echo "bench/boot.sh: build flashbuild first (make)" >&2; exit 1; }
export FLASHBUILD_CACHE=${FLASHBUILD_CACHE:-$top/build/test-cache}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$top/boards" "$top/partitions" "$tmp/"
"$fb" -C "$tmp" build --board "$board" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }

# stats FILE: "best median" of the numbers in FILE
stats() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.1f %.1f\n", v[1], v[int((NR + 1) / 2)] }'; }

printf '%-10s %5s %16s %16s\n' firmware runs "boot best/med" "login best/med"
for fw in bios uefi; do
	: >"$tmp/boot.$fw"
	: >"$tmp/login.$fw"
	for _ in $(seq "$runs"); do
		"$fb" -C "$tmp" emulate --board "$board" --firmware "$fw" "${accel[@]}" \
			--run true >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
		sed -n 's/^boot: \([0-9.]*\) s.*/\1/p' "$tmp/log" >>"$tmp/boot.$fw"
		sed -n 's/^login prompt: \([0-9.]*\) s$/\1/p' "$tmp/log" >>"$tmp/login.$fw"
	done
	read -r bb bm < <(stats "$tmp/boot.$fw")
	read -r lb lm < <(stats "$tmp/login.$fw")
	printf '%-10s %5s %7s / %-6s %7s / %-6s\n' "$fw" "$runs" "$bb" "$bm" "$lb" "$lm"
	eval "login_$fw=$lm"
done
grep -m1 -o 'using [A-Z]*' "$tmp/log" | sed 's/^/accel: /'
awk -v u="$login_uefi" -v b="$login_bios" \
	'BEGIN { printf "uefi/bios login time (median): %.2fx\n", u / b }'
