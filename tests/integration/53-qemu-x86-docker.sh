#!/bin/sh
# check-fast: no (builds an x86 kernel from source, unless the test cache holds it)
# qemu-x86-docker: the rootfs from boards/qemu-x86-docker/Dockerfile (FROM
# flashbuild's busybox, a user made by a RUN step, the board's rcS and
# inittab copied in) boots with the shared test kernel: luca logs in, the
# board's inittab and init script are the ones running.  The second build
# runs no buildah; a changed Dockerfile rebuilds the rootfs and the
# initramfs, not the kernel.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need qemu-system-x86_64 buildah
[ -x /bin/busybox ] || skip "busybox-static is not installed (scripts/install-deps)"

W=$TMP/tree
mkdir -p "$W"
cp -a "$TOP/boards" "$W/"
fb() { "$FLASHBUILD" -C "$W" "$@"; }
B=$W/boards/qemu-x86-docker

fb emulate --board qemu-x86-docker --timeout 240 --run 'id -un; cat /etc/inittab | head -3' \
	>"$TMP/run1" 2>&1 || { cat "$TMP/run1" >&2; fail "emulate --run failed"; }
cat "$TMP/run1" >&2
grep -qx luca "$TMP/run1" || fail "'id -un' did not print luca"
head -3 "$B/inittab" >"$TMP/want"
grep -Fx -f "$TMP/want" "$TMP/run1" >"$TMP/have" || true
diff -u "$TMP/want" "$TMP/have" >&2 || fail "the guest's /etc/inittab is not the board's"

fb emulate --board qemu-x86-docker --timeout 240 --run 'cat /run/rcS.done; hostname' \
	>"$TMP/run2" 2>&1 || { cat "$TMP/run2" >&2; fail "second emulate --run failed"; }
grep -qx 'rcS: qemu-x86-docker is up' "$TMP/run2" || { cat "$TMP/run2" >&2; fail "the board's rcS did not run"; }
grep -qx 'qemu-x86-docker' "$TMP/run2" || fail "wrong hostname"

# Nothing changed: no buildah, nothing built.
fb build --board qemu-x86-docker >"$TMP/build2" 2>&1 || fail "build failed"
! grep -q 'buildah bud\| built in ' "$TMP/build2" || { cat "$TMP/build2" >&2; fail "a no-change build rebuilt"; }

# A changed Dockerfile: rootfs and initramfs again, the kernel stays.
echo "RUN echo 'changed $$' > /etc/changed" >>"$B/Dockerfile"
fb build --board qemu-x86-docker >"$TMP/build3" 2>&1 || { cat "$TMP/build3" >&2; fail "third build failed"; }
cat "$TMP/build3" >&2
grep -q 'kernel  *up to date' "$TMP/build3" || fail "the kernel was rebuilt for a Dockerfile change"
grep -q 'initramfs  *built in ' "$TMP/build3" || fail "the initramfs was not rebuilt"
[ "$(grep -c 'rootfs  *built in ' "$TMP/build3")" -eq 1 ] || fail "not only the Dockerfile's rootfs was rebuilt"
fb emulate --board qemu-x86-docker --timeout 240 --run 'cat /etc/changed' >"$TMP/run3" 2>&1 ||
	{ cat "$TMP/run3" >&2; fail "emulate after the change failed"; }
grep -qx "changed $$" "$TMP/run3" || { cat "$TMP/run3" >&2; fail "the guest does not have the change"; }
