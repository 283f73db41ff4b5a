#!/bin/sh
# recipe = tar: a tarball as `docker export` gives one (no "./", owners of
# its own, a hard link, its own /etc/passwd), xz-compressed, taken as it
# is; the overlay and the users go on top; the initramfs keeps the hard
# link as one inode.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need tar zstd cpio python3
[ -x /bin/busybox ] || skip "busybox-static is not installed (scripts/install-deps)"

# No kernel here: a cache of its own, so that its artifacts are exactly this test's.
export FLASHBUILD_CACHE="$TMP/cache"

W=$TMP/work
mkdir -p "$W/boards" "$W/overlay/etc"
echo "from the overlay" >"$W/overlay/etc/motd"
python3 - "$W/base.tar.xz" <<'P'
import io, sys, tarfile

def add(t, name, kind=tarfile.REGTYPE, data=b"", mode=0o644, uid=0, gid=0, link=""):
    i = tarfile.TarInfo(name)
    i.type, i.mode, i.uid, i.gid, i.linkname, i.mtime = kind, mode, uid, gid, link, 1700000000
    i.size = len(data) if kind == tarfile.REGTYPE else 0
    t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)

with tarfile.open(sys.argv[1], "w:xz", format=tarfile.PAX_FORMAT) as t:
    for d in ("bin", "etc", "home", "sbin"):
        add(t, d, tarfile.DIRTYPE, mode=0o755)
    add(t, "home/old", tarfile.DIRTYPE, mode=0o750, uid=1000, gid=1000)
    add(t, "home/old/notes", data=b"mine\n", mode=0o600, uid=1000, gid=1000)
    add(t, "bin/busybox", data=open("/bin/busybox", "rb").read(), mode=0o755)
    add(t, "bin/bb", tarfile.LNKTYPE, link="bin/busybox", mode=0o755)
    add(t, "bin/sh", tarfile.SYMTYPE, link="busybox", mode=0o777)
    add(t, "sbin/init", tarfile.SYMTYPE, link="/bin/busybox", mode=0o777)
    add(t, "etc/hostname", data=b"base\n")
    add(t, "etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\nold:x:1000:1000::/home/old:/bin/sh\n")
    add(t, "etc/group", data=b"root:x:0:\nold:x:1000:\n")
    add(t, "etc/shadow", data=b"root:*:19000:0:99999:7:::\nold:!:19000:0:99999:7:::\n",
        mode=0o640, gid=42)
P
cat >"$W/boards/t45tar.conf" <<'B'
[board]
arch = x86_64
[rootfs]
recipe = tar
tarball = base.tar.xz
overlay = overlay
users = luca:luca
[initramfs]
compression = gzip
B

"$FLASHBUILD" -C "$W" build --board t45tar >"$TMP/out" 2>&1 || {
	cat "$TMP/out" >&2
	fail "flashbuild build failed"
}
tarball=$(echo "$FLASHBUILD_CACHE"/rootfs/*/rootfs.tar)
cpio=$(echo "$FLASHBUILD_CACHE"/initramfs/*/initramfs.cpio.gz)
[ -f "$tarball" ] && [ -f "$cpio" ] || fail "no rootfs.tar or initramfs.cpio.gz"

tar -tvf "$tarball" >"$TMP/list"
has() {
	grep -Eq "$1" "$TMP/list" || fail "rootfs.tar has no entry like '$1'"
}
has '^drwxr-x--- 1000/1000 .* \./home/old/$'
has '^-rw------- 1000/1000 +5 .* \./home/old/notes$'
has '^hrwxr-xr-x root/root +0 .* \./bin/bb link to \./bin/busybox$'
has '^lrwxrwxrwx root/root .* \./bin/sh -> busybox$'
has '^-rw-r----- root/42 .* \./etc/shadow$'
has '^crw------- root/root +5,1 .* \./dev/console$'
has '^drwx------ 1001/1001 .* \./home/luca/$'
has '^-rw-r--r-- root/root .* \./etc/motd$'
[ -z "$(tar -tf "$tarball" | sort | uniq -d)" ] || fail "rootfs.tar holds a path twice"
[ "$(tar -xOf "$tarball" ./etc/hostname)" = base ] || fail "the tarball's hostname was replaced"
tar -xOf "$tarball" ./etc/passwd >"$TMP/passwd"
grep -qx 'old:x:1000:1000::/home/old:/bin/sh' "$TMP/passwd" || fail "user old is gone"
grep -qx 'luca:x:1001:1001:luca:/home/luca:/bin/sh' "$TMP/passwd" || fail "no luca (uid 1001)"
tar -xOf "$tarball" ./etc/shadow >"$TMP/shadow"
grep -q '^old:!:19000:' "$TMP/shadow" || fail "old's shadow line changed"
python3 - "$TMP/shadow" <<'P' || fail "luca's password hash is wrong"
import sys, warnings
warnings.simplefilter("ignore")
import crypt
h = [l.split(":")[1] for l in open(sys.argv[1]) if l.startswith("luca:")][0]
assert h.startswith("$6$") and crypt.crypt("luca", h) == h
P

# the hard link is one inode in the cpio too (the kernel links later names to the first)
gzip -dc "$cpio" | cpio -itv --quiet >"$TMP/cpio-list"
grep -Eq '^-rwxr-xr-x +2 root +root +[1-9][0-9]* .* bin/busybox$' "$TMP/cpio-list" ||
	fail "bin/busybox is not the first of two links in the cpio"
grep -Eq '^-rwxr-xr-x +2 root +root +0 .* bin/bb$' "$TMP/cpio-list" ||
	fail "bin/bb is not a hard link in the cpio"
mkdir "$TMP/x"
(cd "$TMP/x" && gzip -dc "$cpio" | cpio -id --quiet --no-absolute-filenames bin/busybox bin/bb) ||
	fail "cpio cannot extract the initramfs"
[ "$(stat -c %i "$TMP/x/bin/busybox")" = "$(stat -c %i "$TMP/x/bin/bb")" ] ||
	fail "bin/bb and bin/busybox are two files after extraction"
cmp "$TMP/x/bin/busybox" /bin/busybox || fail "bin/busybox changed on the way"
