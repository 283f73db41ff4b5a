#!/bin/sh
# check-fast: no (builds an x86 kernel from source, unless the test cache holds it)
# A board with a debian rootfs (mmdebstrap, rootless) listing an extra
# package boots with the shared test kernel, and `dpkg -s` in the guest
# shows the package installed.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need qemu-system-x86_64 mmdebstrap

"$FLASHBUILD" -C "$TOP" emulate --board qemu-x86-debian --timeout 300 \
	--run 'dpkg -s less; echo "user=$(id -un)"' >"$TMP/run" 2>&1 ||
	{ cat "$TMP/run" >&2; fail "emulate --run on the debian board failed"; }
cat "$TMP/run" >&2
grep -qx 'Package: less' "$TMP/run" || fail "dpkg -s less printed no 'Package: less'"
grep -qx 'Status: install ok installed' "$TMP/run" || fail "less is not installed in the guest"
grep -qx 'user=luca' "$TMP/run" || fail "the command did not run as luca"
