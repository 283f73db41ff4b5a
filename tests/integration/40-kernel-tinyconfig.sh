#!/bin/sh
# check-fast: no (builds an x86 kernel from source, unless the test cache holds it)
# The one real kernel of `make check`: Debian's linux-source-6.1, tinyconfig
# plus boards/kernel/base.config, x86-pc.config and emulate.config (what
# every x86 board builds), built with all cores
# into the shared test cache (build/test-cache; ~7-13 min on two cores), so
# that this checkout's later tests and runs find it.  The key is by content,
# so any board with the same config and fragments gets this same kernel.
# Checks: an x86 boot image, every fragment line in its .config, the full
# build log, and that building again is a no-op within seconds.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need make gcc flex bison bc
[ -r /usr/src/linux-source-6.1.tar.xz ] ||
	skip "no /usr/src/linux-source-6.1.tar.xz (scripts/install-deps)"

W=$TMP/w
mkdir -p "$W/boards" "$W/partitions"
printf 'label: gpt\nstart=2048, type=linux, name=data\n' >"$W/partitions/k.sfdisk"
cat >"$W/boards/k.conf" <<EOB
[board]
arch = x86_64

[image]
layout = partitions/k.sfdisk
size = 4M

[kernel]
source = linux-source-6.1
config = tinyconfig
fragments = $TOP/boards/kernel/base.config $TOP/boards/kernel/x86-pc.config $TOP/boards/kernel/emulate.config
cmdline = console=ttyS0
EOB

"$FLASHBUILD" -C "$W" build --board k >"$TMP/out" 2>"$TMP/err" || {
	cat "$TMP/out" "$TMP/err" >&2
	fail "the kernel build failed"
}
cat "$TMP/out" >&2
grep -Eq 'kernel +(built|up to date)' "$TMP/out" || fail "no kernel line: $(cat "$TMP/out")"

# config_has CONFIG FRAGMENT...: every line of the fragments holds in CONFIG,
# a later fragment's line for a symbol replacing an earlier one's (as
# merge_config.sh merges them: x86-pc.config turns on VT, base.config off)
config_has() {
	_cfg=$1
	shift
	grep -h -E '^(CONFIG_|# CONFIG_)' "$@" | awk '
		{ s = $0; sub(/^# /, "", s); sub(/[= ].*/, "", s) }
		!(s in last) { order[n++] = s }
		{ last[s] = $0 }
		END { for (i = 0; i < n; i++) print last[order[i]] }' | while IFS= read -r _l; do
		case $_l in
		"# "*)
			_s=${_l#\# }
			_s=${_s%% *}
			! grep -q "^$_s=" "$_cfg" || return 1
			;;
		*) grep -qxF "$_l" "$_cfg" || return 1 ;;
		esac
	done
}

# The artifact: the kernel in the cache whose config has every fragment line.
art=
for d in "$FLASHBUILD_CACHE"/kernel/*/; do
	if [ -f "$d/bzImage" ] && [ -f "$d/config" ] &&
		config_has "$d/config" "$TOP/boards/kernel/base.config" \
			"$TOP/boards/kernel/x86-pc.config" "$TOP/boards/kernel/emulate.config"; then
		art=$d
	fi
done
[ -n "$art" ] || fail "no kernel in '$FLASHBUILD_CACHE/kernel' has the fragments' config"
# The x86 boot protocol's header: "HdrS" at 0x202.
[ "$(dd if="$art/bzImage" bs=1 skip=514 count=4 status=none)" = HdrS ] ||
	fail "'$art/bzImage' is not an x86 boot image"
size=$(stat -c %s "$art/bzImage")
[ "$size" -lt $((8 * 1024 * 1024)) ] || fail "a tinyconfig kernel of $size bytes"
grep -q 'CONFIG_KERNEL_GZIP=y' "$art/config" || fail "not a gzip-compressed kernel"
# vmlinux is kept beside it, with its symbols, for emulate --gdb
[ "$(head -c 4 "$art/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ] || fail "no vmlinux in '$art'"
nm "$art/vmlinux" | grep -q ' T start_kernel$' || fail "'$art/vmlinux' has no start_kernel symbol"
grep -q 'Kernel: arch/x86/boot/bzImage is ready' "$art/build.log" ||
	fail "'$art/build.log' is not the full make log"

# Again: nothing to do, in seconds.
start=$(date +%s)
"$FLASHBUILD" -C "$W" build --board k >"$TMP/out" 2>"$TMP/err" || {
	cat "$TMP/err" >&2
	fail "the second build failed"
}
secs=$(($(date +%s) - start))
grep -Eq 'kernel +up to date' "$TMP/out" || fail "the kernel was built again: $(cat "$TMP/out")"
[ "$secs" -le 20 ] || fail "an up-to-date kernel took $secs s"
