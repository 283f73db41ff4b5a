#!/bin/sh
# recipe = debian, rootless: mmdebstrap minbase (fakechroot as a normal
# user) with a package, busybox init on the serial console, dpkg's
# database intact, users added to Debian's own files.  Needs the Debian
# mirror; takes a minute or two.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need mmdebstrap fakechroot fakeroot tar python3

# No kernel here: a cache of its own, so that its artifacts are exactly this test's.
W=$(user_dir work)
cache=$(user_dir cache)
mkdir -p "$W/boards"
cat >"$W/boards/t45deb.conf" <<'B'
[board]
arch = x86_64
[rootfs]
recipe = debian
packages = less
hostname = t45-debian
users = luca:luca
root-password = toor
B
chmod -R a+rX "$W"

start=$(date +%s)
(
	export FLASHBUILD_CACHE="$cache"
	run_as_user "$FLASHBUILD" -C "$W" build --board t45deb >"$TMP/out" 2>&1
) || {
	cat "$TMP/out" >&2
	grep -q "Temporary failure resolving\|Could not resolve\|Failed to fetch" "$TMP/out" &&
		skip "no Debian mirror"
	fail "rootless flashbuild build failed"
}
note "debian rootfs in $(($(date +%s) - start)) s"
tarball=$(echo "$cache"/rootfs/*/rootfs.tar)
[ -f "$tarball" ] || fail "no rootfs.tar"
[ ! -e "$(dirname "$tarball")/base.tar" ] || fail "mmdebstrap's tarball is left in the artifact"

tar -tvf "$tarball" >"$TMP/list"
has() {
	grep -Eq "$1" "$TMP/list" || fail "rootfs.tar has no entry like '$1'"
}
has '^lrwxrwxrwx root/root .* \./sbin -> usr/sbin$'
has '^lrwxrwxrwx root/root .* \./usr/sbin/init -> /bin/busybox$'
has '^-rwxr-xr-x root/root .* \./usr/bin/busybox$'
has '^-rw-r----- root/42 .* \./etc/shadow$'
has '^crw-[-rw]+ root/root +5,1 .* \./dev/console$'
has '^drwx------ 1000/1000 .* \./home/luca/$'
[ -z "$(tar -tf "$tarball" | sort | uniq -d)" ] || fail "rootfs.tar holds a path twice"
tar -xOf "$tarball" ./var/lib/dpkg/status | grep -qx 'Package: less' || fail "dpkg does not know less"
tar -xOf "$tarball" ./etc/inittab |
	grep -qx 'ttyS0::respawn:/bin/busybox getty -L 115200 ttyS0 vt100' || fail "no getty on ttyS0"
[ "$(tar -xOf "$tarball" ./etc/hostname)" = t45-debian ] || fail "wrong /etc/hostname"
tar -xOf "$tarball" ./etc/passwd >"$TMP/passwd"
grep -q '^_apt:' "$TMP/passwd" || fail "Debian's own users are gone"
grep -qx 'luca:x:1000:1000:luca:/home/luca:/bin/bash' "$TMP/passwd" || fail "no luca"
tar -xOf "$tarball" ./etc/shadow >"$TMP/shadow"
python3 - "$TMP/shadow" <<'P' || fail "/etc/shadow does not hold the profile's passwords"
import sys, warnings
warnings.simplefilter("ignore")
import crypt
want = {"luca": "luca", "root": "toor"}
for line in open(sys.argv[1]):
    name, h = line.split(":")[:2]
    if name in want:
        assert h.startswith("$6$") and crypt.crypt(want.pop(name), h) == h, name
assert not want, want
P
