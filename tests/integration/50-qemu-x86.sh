#!/bin/sh
# check-fast: no (builds an x86 kernel from source, unless the test cache holds it)
# qemu-x86: build the kernel (once, cached for every test) and the busybox
# initramfs, boot them in QEMU, log in on the serial console as luca and run
# commands: their output and exit status come back; a second build does
# nothing; an overlay change rebuilds the initramfs and not the kernel.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need qemu-system-x86_64 busybox

W=$TMP/tree
mkdir -p "$W"
cp -a "$TOP/boards" "$W/"
fb() { "$FLASHBUILD" -C "$W" "$@"; }

fb build --board qemu-x86 >"$TMP/build1" 2>&1 || { cat "$TMP/build1" >&2; fail "build failed"; }
cat "$TMP/build1" >&2

fb emulate --board qemu-x86 --timeout 240 --run 'id -un; cat /proc/version' >"$TMP/run1" 2>&1 ||
	{ cat "$TMP/run1" >&2; fail "emulate --run failed"; }
cat "$TMP/run1" >&2
grep -qx 'luca' "$TMP/run1" || fail "'id -un' did not print luca"
grep -q '^Linux version 6\.1\.' "$TMP/run1" || fail "no 6.1 kernel version"
grep -Eq '^boot: [0-9.]+ s \(guest: [0-9.]+ seconds\)$' "$TMP/run1" || fail "no boot time"

rc=0
fb emulate --board qemu-x86 --timeout 240 --run 'exit 3' >"$TMP/run2" 2>&1 || rc=$?
[ "$rc" -eq 3 ] || { cat "$TMP/run2" >&2; fail "--run 'exit 3' exited $rc"; }

# Nothing changed: every stage is up to date.
fb build --board qemu-x86 >"$TMP/build2" 2>&1 || fail "second build failed"
! grep -q ' built in ' "$TMP/build2" || { cat "$TMP/build2" >&2; fail "a no-change build rebuilt something"; }
grep -q 'kernel  *up to date' "$TMP/build2" || fail "kernel not reported up to date"

# An overlay change: the initramfs is rebuilt, the kernel is not.
mkdir -p "$W/boards/qemu-x86/overlay/etc"
echo "changed $$" >"$W/boards/qemu-x86/overlay/etc/motd"
fb build --board qemu-x86 >"$TMP/build3" 2>&1 || fail "third build failed"
cat "$TMP/build3" >&2
grep -q 'kernel  *up to date' "$TMP/build3" || fail "the kernel was rebuilt for an overlay change"
grep -q 'initramfs  *built in ' "$TMP/build3" || fail "the initramfs was not rebuilt"
fb emulate --board qemu-x86 --timeout 240 --run 'cat /etc/motd' >"$TMP/run3" 2>&1 || fail "emulate after the change failed"
grep -qx "changed $$" "$TMP/run3" || { cat "$TMP/run3" >&2; fail "the guest does not have the changed overlay file"; }
