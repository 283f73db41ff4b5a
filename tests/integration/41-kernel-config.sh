#!/bin/sh
# check-fast: no (builds an x86 kernel from source, unless the test cache holds it)
# flashbuild kernel on the shared kernel's O= tree (no cold build): diff
# prints exactly what scripts/config changed in the tree's .config; --save
# writes it to a new fragment that the profile is told to list (nothing else
# in the profile changes); build then makes a kernel with it (the guest has
# /dev/loop0) and a second build does nothing; menuconfig, driven on a pty,
# saves a change that diff prints and --save merges into that fragment; and
# the one-line refusals: no terminal, a prebuilt kernel, a fragment a later
# one would override, a file that is not a fragment.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need make python3 qemu-system-x86_64

W=$TMP/tree
mkdir -p "$W"
cp -a "$TOP/boards" "$TOP/partitions" "$W/"
cp "$W/boards/qemu-x86.conf" "$TMP/profile.orig"
fb() { "$FLASHBUILD" -C "$W" "$@"; }
local_frag=$W/boards/kernel/qemu-x86-local.config

# status CMD...: runs CMD with stdout in $TMP/out, stderr in $TMP/err; prints its status
status() {
	_rc=0
	"$@" >"$TMP/out" 2>"$TMP/err" || _rc=$?
	echo "$_rc"
}

# one_error RC WORDS: exit status RC and one error line on stderr containing WORDS
one_error() {
	[ "$rc" -eq "$1" ] || { cat "$TMP/err" >&2; fail "exit $rc, expected $1 ($2)"; }
	[ "$(grep -c '^error: ' "$TMP/err")" -eq 1 ] || { cat "$TMP/err" >&2; fail "not one error line"; }
	grep -q "^error: .*$2" "$TMP/err" || { cat "$TMP/err" >&2; fail "the error does not say '$2'"; }
}

# --- usage errors: exit 2, one line, before anything is configured
rc=$(status fb kernel --board qemu-x86)
one_error 2 "an action is required"
rc=$(status fb kernel --board qemu-x86 frobconfig)
one_error 2 "no action 'frobconfig'"
rc=$(status fb kernel --board qemu-x86 menuconfig </dev/null)
one_error 2 "needs a terminal"
rc=$(status fb kernel --board arm64-efi diff)
one_error 1 "prebuilt"

# --- the shared kernel's tree, configured for qemu-x86 (the edits a failed run may have
# left undone: its reference is qemu-x86's config): no change
rc=$(status fb kernel --board qemu-x86 diff)
[ "$rc" -eq 0 ] || { cat "$TMP/err" >&2; fail "kernel diff exited $rc"; }
cat "$TMP/err" >&2
obj=$(sed -n "s/.*O= tree '\([^']*\)'.*/\1/p" "$TMP/err")
[ -f "$obj/.config" ] && [ -x "$obj/source/scripts/config" ] || fail "no O= tree named ('$obj')"
cp "$obj/flashbuild-ref.config" "$obj/.config"
rc=$(status fb kernel --board qemu-x86 diff)
[ "$rc" -eq 0 ] && [ ! -s "$TMP/out" ] || { cat "$TMP/out" >&2; fail "diff of a tree as the board configures it is not empty"; }

# --- scripts/config changes one line: diff prints exactly it
"$obj/source/scripts/config" --file "$obj/.config" --enable BLK_DEV_LOOP
rc=$(status fb kernel --board qemu-x86 diff)
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "CONFIG_BLK_DEV_LOOP=y" ] ||
	{ cat "$TMP/out" "$TMP/err" >&2; fail "diff did not print exactly CONFIG_BLK_DEV_LOOP=y"; }

# --- refused saves leave every file as it was
rc=$(status fb kernel --board qemu-x86 diff --save "$W/partitions/x86-usb.sfdisk")
one_error 1 "is not one of qemu-x86's fragments"
cmp -s "$W/boards/qemu-x86.conf" "$TMP/profile.orig" || fail "a refused save changed the profile"

# --- --save: a new fragment, listed last by the profile; nothing else changed there
rc=$(status fb kernel --board qemu-x86 diff --save)
[ "$rc" -eq 0 ] || { cat "$TMP/err" >&2; fail "diff --save exited $rc"; }
grep -qx 'CONFIG_BLK_DEV_LOOP=y' "$local_frag" || fail "the saved fragment lacks the change"
grep -qx 'fragments = .* boards/kernel/qemu-x86-local.config' "$W/boards/qemu-x86.conf" ||
	{ cat "$W/boards/qemu-x86.conf" >&2; fail "the profile does not list the fragment last"; }
diff "$TMP/profile.orig" "$W/boards/qemu-x86.conf" | grep '^[<>]' >"$TMP/changed" || true
[ "$(wc -l <"$TMP/changed")" -eq 2 ] && grep -q '^> fragments = ' "$TMP/changed" ||
	{ cat "$TMP/changed" >&2; fail "more than the fragments line changed"; }

# --- build: a kernel with it (few files recompile in the O= tree), and a no-op after
# (a comment of this run's in the fragment: a kernel an interrupted run left is not this one)
echo "# test run $$ $(date +%s%N)" >>"$local_frag"
fb -v build --board qemu-x86 >"$TMP/build1" 2>&1 || { cat "$TMP/build1" >&2; fail "build failed"; }
grep -v '^debug: ran' "$TMP/build1" >&2
art=$(sed -n "s/^debug: kernel: artifact '\(.*\)'$/\1/p" "$TMP/build1")
trap '_rc0=$?; rm -rf "$art"; (exit $_rc0); _cleanup' EXIT # this run's kernel is not kept
grep -q 'kernel  *built in ' "$TMP/build1" || fail "the kernel was not rebuilt for the saved change"
! grep -q 'had changes no fragment holds' "$TMP/build1" || fail "a saved change was called unsaved"
fb build --board qemu-x86 >"$TMP/build2" 2>&1 || fail "second build failed"
! grep -q ' built in ' "$TMP/build2" || { cat "$TMP/build2" >&2; fail "a no-change build rebuilt something"; }
fb emulate --board qemu-x86 --timeout 240 --run 'ls /sys/block' >"$TMP/run" 2>&1 ||
	{ cat "$TMP/run" >&2; fail "emulate failed"; }
grep -qw loop0 "$TMP/run" || { cat "$TMP/run" >&2; fail "the guest's kernel has no loop device"; }

# --- saving into an earlier fragment that the local one overrides: refused
rc=$(status fb kernel --board qemu-x86 diff)
[ ! -s "$TMP/out" ] || fail "diff right after the build is not empty"
"$obj/source/scripts/config" --file "$obj/.config" --disable BLK_DEV_LOOP
rc=$(status fb kernel --board qemu-x86 diff --save "$W/boards/kernel/base.config")
one_error 1 "qemu-x86-local.config:2: sets CONFIG_BLK_DEV_LOOP after 'boards/kernel/base.config'"
"$obj/source/scripts/config" --file "$obj/.config" --enable BLK_DEV_LOOP

# --- menuconfig on a pty: search BLK_DEV_LOOP, jump there, 'n', leave and save
"$TOOLS/keys.py" --timeout 120 \
	--expect 'Linux/x86' --send '/' \
	--expect 'Search' --send 'BLK_DEV_LOOP\r' \
	--expect '(1)' --send '1' \
	--expect 'oopback device support' --send 'n' \
	--expect '' --send '\x1b\x1b' --expect '' --send '\x1b\x1b' --expect '' --send '\x1b\x1b' \
	--expect 'save your new configuration' --send '\r' \
	-- "$FLASHBUILD" -C "$W" kernel --board qemu-x86 menuconfig >"$TMP/mc" 2>&1 ||
	{ tail -c 2000 "$TMP/mc" >&2; fail "menuconfig did not end well"; }
grep -q '# CONFIG_BLK_DEV_LOOP is not set' "$TMP/mc" || fail "menuconfig's change was not printed"
rc=$(status fb kernel --board qemu-x86 diff --save "$local_frag")
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "# CONFIG_BLK_DEV_LOOP is not set" ] ||
	{ cat "$TMP/out" "$TMP/err" >&2; fail "diff after menuconfig is not the one change"; }
grep -qx '# CONFIG_BLK_DEV_LOOP is not set' "$local_frag" && ! grep -q 'CONFIG_BLK_DEV_LOOP=y' "$local_frag" ||
	{ cat "$local_frag" >&2; fail "the change was not merged into the fragment"; }
[ "$(grep -c 'qemu-x86-local.config' "$W/boards/qemu-x86.conf")" -eq 1 ] || fail "the fragment is listed twice"

# --- savedefconfig: Kbuild's minimal config of the tree, on stdout
rc=$(status fb kernel --board qemu-x86 savedefconfig)
[ "$rc" -eq 0 ] && grep -q '^CONFIG_SERIAL_8250_CONSOLE=y$' "$TMP/out" ||
	{ cat "$TMP/err" >&2; fail "savedefconfig printed no defconfig"; }
