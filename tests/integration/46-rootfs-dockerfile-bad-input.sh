#!/bin/sh
# Bad recipe = dockerfile input, in the profile or in the Dockerfile, gives
# one error line naming file:line, a non-zero exit, and nothing in the
# cache: not even a base image is made before the Dockerfile is known good.
. "$(dirname "$0")/lib.sh"
need_flashbuild

export FLASHBUILD_CACHE="$TMP/cache"
W=$TMP/work
mkdir -p "$W/boards/d"
echo x >"$W/file"

# case NAME REGEX ROOTFS-LINES... (Dockerfile text from stdin): the build must fail so
case_() {
	_n=$1 _re=$2
	shift 2
	{
		printf '[board]\narch = x86_64\n[rootfs]\n'
		for _l in "$@"; do
			printf '%s\n' "$_l"
		done
	} >"$W/boards/$_n.conf"
	cat >"$W/boards/d/$_n"
	_rc=0
	"$FLASHBUILD" -C "$W" -q build --board "$_n" >"$TMP/out" 2>&1 || _rc=$?
	[ "$_rc" -ne 0 ] || fail "$_n: exit status 0"
	[ "$(wc -l <"$TMP/out")" -eq 1 ] || { cat "$TMP/out" >&2; fail "$_n: not one line"; }
	grep -Eq "^error: $_re\$" "$TMP/out" || { cat "$TMP/out" >&2; fail "$_n: not '$_re'"; }
	[ ! -e "$FLASHBUILD_CACHE/rootfs" ] || fail "$_n: something was built"
	note "$_n: $(cat "$TMP/out")"
}
ok='FROM scratch'

echo "$ok" | case_ nofile "boards/nofile.conf:3: \[rootfs\] recipe = dockerfile needs 'dockerfile'" \
	"recipe = dockerfile"
echo "$ok" | case_ missing "boards/missing.conf:5: cannot read Dockerfile 'boards/d/none': No such file or directory" \
	"recipe = dockerfile" "dockerfile = boards/d/none"
echo "$ok" | case_ ctxkey "boards/ctxkey.conf:5: \[rootfs\] 'context' is for recipe = dockerfile, not busybox" \
	"recipe = busybox" "context = boards/d"
echo "$ok" | case_ ctxfile "boards/ctxfile.conf:6: build context 'file' is not a directory" \
	"recipe = dockerfile" "dockerfile = boards/d/ctxfile" "context = file"
echo "$ok" | case_ arch "boards/arch.conf:5: recipe = dockerfile builds for this machine's architecture only, not armhf" \
	"recipe = dockerfile" "dockerfile = boards/d/arch" "[board]" "arch = armhf"
printf '# nothing here\n\n' | case_ nofrom "boards/d/nofrom: no FROM in the Dockerfile" \
	"recipe = dockerfile" "dockerfile = boards/d/nofrom"
printf 'ARG A\nRUN true\nFROM scratch\n' | case_ before "boards/d/before:2: only ARG may come before the first FROM" \
	"recipe = dockerfile" "dockerfile = boards/d/before"
printf '# base\nFROM localhost/flashbuild/alpine\n' | case_ ours "boards/d/ours:2: no such flashbuild image: localhost/flashbuild/ has busybox and debian-SUITE" \
	"recipe = dockerfile" "dockerfile = boards/d/ours"
printf 'FROM localhost/flashbuild/busybox\nRUN true\n\nFROM debian:bookworm\n' |
	case_ registry "boards/d/registry:4: 'debian:bookworm' is not local and flashbuild pulls only with --pull; offline, .*" \
		"recipe = dockerfile" "dockerfile = boards/d/registry"
printf 'FROM scratch\nCOPY --from=quay.io/x/y:1 /a /a\n' |
	case_ copyfrom "boards/d/copyfrom:2: 'quay.io/x/y:1' is not local .*" \
		"recipe = dockerfile" "dockerfile = boards/d/copyfrom"
printf 'ARG BASE=alpine\nFROM $BASE\n' |
	case_ argfrom "boards/d/argfrom:2: '\\\$BASE' is not local .*" \
		"recipe = dockerfile" "dockerfile = boards/d/argfrom"
