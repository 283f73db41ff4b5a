#!/bin/sh
# [rootfs] host-programs: a program of this machine lands in a busybox rootfs
# at its own path with every library ldd lists and the loader, setuid bits
# dropped; the rootfs runs it (chroot); a missing program, or one asked for
# in another recipe, is a one-line error naming the profile.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need tar ldd chroot findmnt debugfs
[ -x /bin/busybox ] || fail "busybox-static is not installed (scripts/install-deps)"
export FLASHBUILD_CACHE="$TMP/cache"

W=$TMP/work
mkdir -p "$W/boards" "$W/partitions"
printf 'label: gpt\nstart=2048, name=root\n' >"$W/partitions/root.sfdisk"
board() { # board NAME RECIPE-LINES...
	_n=$1
	shift
	{
		printf '[board]\n[image]\nlayout = partitions/root.sfdisk\nsize = 48M\n'
		printf '[part root]\ncontent = ext4\nfrom = rootfs\n[rootfs]\n'
		printf '%s\n' "$@"
	} >"$W/boards/$_n.conf"
}
board hp 'recipe = busybox' 'host-programs = findmnt /bin/mount'
"$FLASHBUILD" -C "$W" build --board hp >"$TMP/out" 2>&1 || { cat "$TMP/out" >&2; fail "build failed"; }
tarball=$(echo "$FLASHBUILD_CACHE"/rootfs/*/rootfs.tar)
tar -tvf "$tarball" >"$TMP/list" || fail "cannot list the rootfs"
findmnt=$(command -v findmnt)
for f in "$findmnt" /bin/mount $(ldd "$findmnt" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^\s*\(\/[^ ]*\) .*/\1/p'); do
	grep -Eq " (\./)?${f#/}\$" "$TMP/list" || { cat "$TMP/list" >&2; fail "no $f in the rootfs"; }
done
grep -E " (\./)?bin/mount\$" "$TMP/list" | grep -q '^-rwxr-xr-x' || fail "/bin/mount kept a setuid bit"

# The copied program runs inside the rootfs: its libraries are all there
mkdir "$TMP/root"
tar -xf "$tarball" -C "$TMP/root" 2>/dev/null || fail "cannot unpack the rootfs"
chroot "$TMP/root" "$findmnt" --version >"$TMP/v" 2>&1 || { cat "$TMP/v" >&2; fail "findmnt does not run in the rootfs"; }
grep -q util-linux "$TMP/v" || fail "findmnt --version: $(cat "$TMP/v")"

# Bad input: one line naming the program, or the file and line
board nope 'recipe = busybox' 'host-programs = no-such-tool-45'
rc=0
"$FLASHBUILD" -C "$W" build --board nope >"$TMP/out" 2>"$TMP/err" || rc=$?
[ $rc -eq 1 ] || fail "a missing program: exit $rc"
grep -q "host-programs: no program 'no-such-tool-45'" "$TMP/err" || { cat "$TMP/err" >&2; fail "no clear error for a missing program"; }
board other 'recipe = tar' 'tarball = x.tar' 'host-programs = findmnt'
rc=0
"$FLASHBUILD" -C "$W" build --board other >"$TMP/out" 2>"$TMP/err" || rc=$?
[ $rc -eq 1 ] || fail "host-programs with recipe = tar: exit $rc"
grep -q "boards/other.conf:[0-9]*: .*'host-programs' is for recipe = busybox, not tar" "$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "no file:line error for host-programs with recipe = tar"; }
