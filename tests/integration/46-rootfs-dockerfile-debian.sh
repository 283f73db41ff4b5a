#!/bin/sh
# recipe = dockerfile FROM localhost/flashbuild/debian-bookworm: flashbuild
# makes its own Debian rootfs (mmdebstrap), imports it, and the Dockerfile's
# RUN steps use Debian's own tools on it (useradd, dpkg).  Needs the Debian
# mirror for mmdebstrap; takes a minute.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need buildah mmdebstrap tar

export FLASHBUILD_CACHE="$TMP/cache"
W=$TMP/work
mkdir -p "$W/boards/t46d"
cat >"$W/boards/t46d.conf" <<'B'
[board]
arch = x86_64
[rootfs]
recipe = dockerfile
dockerfile = boards/t46d/Dockerfile
B
cat >"$W/boards/t46d/Dockerfile" <<'D'
FROM localhost/flashbuild/debian-bookworm
RUN useradd --create-home --shell /bin/bash --uid 1234 anna \
 && dpkg-query -W -f '${Package} ${Status}\n' busybox-static > /etc/from-dpkg
D

"$FLASHBUILD" -C "$W" build --board t46d >"$TMP/out" 2>&1 || {
	cat "$TMP/out" >&2
	grep -q "Temporary failure resolving\|Could not resolve\|Failed to fetch" "$TMP/out" &&
		skip "no Debian mirror"
	fail "build FROM localhost/flashbuild/debian-bookworm failed"
}
cat "$TMP/out" >&2
grep -q 'base image localhost/flashbuild/debian-bookworm' "$TMP/out" || fail "no Debian base made"
tarball=$(ls "$FLASHBUILD_CACHE"/rootfs/*/build.log | sed 's|build.log$|rootfs.tar|')
[ -f "$tarball" ] || fail "no rootfs.tar from the Dockerfile"
[ "$(tar -xOf "$tarball" ./etc/from-dpkg)" = 'busybox-static install ok installed' ] ||
	fail "dpkg in a RUN step did not see the Debian base"
tar -xOf "$tarball" ./etc/passwd | grep -qx 'anna:x:1234:1234::/home/anna:/bin/bash' ||
	fail "Debian's useradd in a RUN step made no anna"
tar --numeric-owner -tvf "$tarball" | grep -Eq '^d[rwx-]{9} 1234/1234 .* \./home/anna/$' ||
	fail "/home/anna is not anna's"
tar -tf "$tarball" | grep -qx './var/lib/dpkg/status' || fail "dpkg's database is gone"
