#!/bin/sh
# recipe = busybox: the rootfs tar (owners, modes, device nodes, applet
# links, inittab, users with SHA-512 hashes, the overlay) and the initramfs
# cpio that holds it, built by root and again rootless; with
# SOURCE_DATE_EPOCH, the same bytes twice.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need tar zstd cpio python3
[ -x /bin/busybox ] || skip "busybox-static is not installed (scripts/install-deps)"

# No kernel here: a cache of its own, so that its artifacts are exactly this test's.
export FLASHBUILD_CACHE="$TMP/cache"

W=$(user_dir work)
mkdir -p "$W/boards" "$W/partitions" "$W/overlay/etc"
echo "from the overlay" >"$W/overlay/etc/motd"
cat >"$W/partitions/root.sfdisk" <<'L'
label: gpt
start=2048, name=root
L
cat >"$W/boards/t45.conf" <<'B'
[board]
arch = x86_64
[image]
layout = partitions/root.sfdisk
size = 16M
[part root]
content = ext4
from = rootfs
[rootfs]
recipe = busybox
hostname = t45-busybox
users = luca:luca anna:s3cret
overlay = overlay
[initramfs]
compression = zstd
B
chmod -R a+rX "$W"

# build [CACHE]: flashbuild build, its output kept in $TMP/out
build() {
	"$FLASHBUILD" -C "$W" build --board t45 >"$TMP/out" 2>&1 || {
		cat "$TMP/out" >&2
		fail "flashbuild build failed"
	}
}

# tar_list TAR: one line per entry: name mode uid gid type link devmajor devminor size
tar_list() {
	python3 -c '
import sys, tarfile
for m in tarfile.open(sys.argv[1]):
    print(m.name, oct(m.mode), m.uid, m.gid, m.type.decode(), m.linkname or "-",
          m.devmajor, m.devminor, m.size)' "$1"
}

start=$(date +%s.%N)
build
note "rootfs + initramfs + image in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"
tarball=$(echo "$FLASHBUILD_CACHE"/rootfs/*/rootfs.tar)
cpio=$(echo "$FLASHBUILD_CACHE"/initramfs/*/initramfs.cpio.zst)
[ -f "$tarball" ] || fail "no rootfs.tar in $FLASHBUILD_CACHE"
[ -f "$cpio" ] || fail "no initramfs.cpio.zst in $FLASHBUILD_CACHE"

# ------------------------------------------------------------ the rootfs tar
tar -tvf "$tarball" >"$TMP/list"
has() {
	grep -Eq "$1" "$TMP/list" || fail "rootfs.tar has no entry like '$1'"
}
has '^drwxr-xr-x root/root +0 .* \./$'
has '^crw------- root/root +5,1 .* \./dev/console$'
has '^crw-rw-rw- root/root +1,3 .* \./dev/null$'
has '^-rwxr-xr-x root/root +[0-9]+ .* \./bin/busybox$'
has '^lrwxrwxrwx root/root .* \./bin/sh -> /bin/busybox$'
has '^lrwxrwxrwx root/root .* \./sbin/init -> /bin/busybox$'
has '^lrwxrwxrwx root/root .* \./sbin/getty -> /bin/busybox$'
has '^lrwxrwxrwx root/root .* \./bin/login -> /bin/busybox$'
has '^-rw------- root/root .* \./etc/shadow$'
has '^drwx------ root/root .* \./root/$'
has '^drwx------ 1000/1000 .* \./home/luca/$'
has '^drwx------ 1001/1001 .* \./home/anna/$'
has '^drwxrwxrwt root/root .* \./tmp/$'
has '^-rw-r--r-- root/root .* \./etc/motd$'
[ "$(grep -v ' root/root ' "$TMP/list" | grep -vc '\./home/[a-z]*/$')" -eq 0 ] ||
	fail "rootfs.tar has entries not owned by root outside the homes"
[ -z "$(tar -tf "$tarball" | sort | uniq -d)" ] || fail "rootfs.tar holds a path twice"
links=$(grep -c ' -> /bin/busybox$' "$TMP/list")
applets=$(/bin/busybox --list-full | grep -vc '^bin/busybox$')
[ "$links" -eq "$applets" ] || fail "$links applet links, busybox has $applets applets"

tar -xOf "$tarball" ./etc/inittab >"$TMP/inittab"
grep -qx 'ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100' "$TMP/inittab" ||
	fail "no getty on ttyS0 in /etc/inittab"
grep -qx '::sysinit:/bin/mount -a' "$TMP/inittab" || fail "/etc/inittab mounts nothing"
[ "$(tar -xOf "$tarball" ./etc/hostname)" = t45-busybox ] || fail "wrong /etc/hostname"
[ "$(tar -xOf "$tarball" ./etc/motd)" = "from the overlay" ] || fail "the overlay is missing"
tar -xOf "$tarball" ./etc/passwd | grep -qx 'luca:x:1000:1000:luca:/home/luca:/bin/sh' ||
	fail "no luca in /etc/passwd"
tar -xOf "$tarball" ./etc/group | grep -qx 'anna:x:1001:' || fail "no group anna"
tar -xOf "$tarball" ./etc/shadow >"$TMP/shadow"
python3 - "$TMP/shadow" <<'P' || fail "/etc/shadow does not hold the profile's passwords"
import sys, warnings
warnings.simplefilter("ignore")
import crypt
want = {"luca": "luca", "anna": "s3cret"}
for line in open(sys.argv[1]):
    name, h = line.split(":")[:2]
    if name == "root":
        assert h in ("*", "!"), "root is not locked: " + h
        continue
    assert h.startswith("$6$"), name + ": not SHA-512: " + h
    assert crypt.crypt(want.pop(name), h) == h, name + ": wrong hash"
assert not want, "missing: %s" % want
P

# ------------------------------------------------------------ the initramfs
zstd -dc "$cpio" | cpio -itv --quiet >"$TMP/cpio-list"
grep -Eq '^-rwxr-xr-x +1 root +root .* init$' "$TMP/cpio-list" || fail "no executable /init"
grep -Eq '^crw------- +1 root +root +5, +1 .* dev/console$' "$TMP/cpio-list" ||
	fail "no /dev/console in the initramfs"
zstd -dc "$cpio" | cpio -i --quiet --to-stdout init >"$TMP/init"
[ "$(head -n 1 "$TMP/init")" = '#!/bin/busybox sh' ] || fail "/init is not a busybox sh script"
grep -q 'Boot took' "$TMP/init" || fail "/init does not say how long the boot took"
grep -q '^exec /sbin/init$' "$TMP/init" || fail "/init does not hand over to /sbin/init"
# the rootfs, all of it, and /init
tar -tf "$tarball" | sed -e 's|^\./||' -e 's|/$||' | grep -v '^$' | sort >"$TMP/want"
echo init >>"$TMP/want"
sort -o "$TMP/want" "$TMP/want"
zstd -dc "$cpio" | cpio -it --quiet | sort >"$TMP/have"
diff -u "$TMP/want" "$TMP/have" >&2 || fail "the initramfs is not the rootfs plus /init"

# ------------------------------------------------------------ rootless
tar_list "$tarball" >"$TMP/root.list"
ucache=$(user_dir ucache)
(
	export FLASHBUILD_CACHE="$ucache"
	run_as_user "$FLASHBUILD" -C "$W" build --board t45 >"$TMP/out" 2>&1
) || { cat "$TMP/out" >&2; fail "rootless flashbuild build failed"; }
tar_list "$TMP"/ucache/rootfs/*/rootfs.tar >"$TMP/user.list"
diff -u "$TMP/root.list" "$TMP/user.list" >&2 || fail "a rootless build gives another rootfs"

# ------------------------------------------------------------ reproducible
for c in r1 r2; do
	(
		export SOURCE_DATE_EPOCH=1700000000 FLASHBUILD_CACHE="$TMP/$c"
		build
	) || exit 1
done
cmp "$TMP"/r1/rootfs/*/rootfs.tar "$TMP"/r2/rootfs/*/rootfs.tar ||
	fail "two builds with SOURCE_DATE_EPOCH give two rootfs tars"
cmp "$TMP"/r1/initramfs/*/initramfs.cpio.zst "$TMP"/r2/initramfs/*/initramfs.cpio.zst ||
	fail "two builds with SOURCE_DATE_EPOCH give two initramfs"
