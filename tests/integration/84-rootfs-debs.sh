#!/bin/sh
# [rootfs] debs: files of Debian packages in a busybox rootfs, as dpkg would
# install them: a name that is a symbolic link in the package
# (e2fsprogs' /sbin/mkfs.ext4 -> mke2fs) gives its target's bytes, a hard
# link (perl-base's /usr/bin/perl5.36.0) its target's bytes, a set-user-id
# program (util-linux's /bin/su) keeps its mode; and the one-line errors,
# at the profile's line: a path the package lacks, a directory.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need apt-get apt-cache dpkg-deb python3
[ -x /bin/busybox ] || skip "busybox-static is not installed (scripts/install-deps)"

# A stage cache of its own, so that its one rootfs is this test's; the
# packages copied from the shared one, so that nothing is downloaded twice.
mkdir -p "$TMP/cache"
[ ! -d "$FLASHBUILD_CACHE/deb" ] || cp -a "$FLASHBUILD_CACHE/deb" "$TMP/cache/"
export FLASHBUILD_CACHE="$TMP/cache"

W=$TMP/tree
mkdir -p "$W/boards" "$W/partitions"
cat >"$W/partitions/root.sfdisk" <<'L'
label: gpt
start=2048, name=root
L
cat >"$W/boards/d.conf" <<'B'
[board]
arch = x86_64
[image]
layout = partitions/root.sfdisk
size = 48M
[part root]
content = ext4
from = rootfs
[rootfs]
recipe = busybox
debs = e2fsprogs/sbin/mkfs.ext4 perl-base/usr/bin/perl5.36.0 util-linux/bin/su
B

"$FLASHBUILD" -C "$W" build --board d >"$TMP/log" 2>&1 || { cat "$TMP/log" >&2; fail "build failed"; }
tarball=$(echo "$FLASHBUILD_CACHE"/rootfs/*/rootfs.tar)
[ -f "$tarball" ] || { cat "$TMP/log" >&2; fail "no rootfs tarball in '$FLASHBUILD_CACHE'"; }

# What dpkg-deb unpacks from the very .debs flashbuild keeps.
deb_of() { # PACKAGE: the cached .deb of its candidate version
	_v=$(apt-cache show --no-all-versions "$1:amd64" | sed -n 's/^Version: //p' | tr : +)
	echo "$FLASHBUILD_CACHE/deb/$1_${_v}_amd64.deb"
}
for p in e2fsprogs perl-base util-linux; do
	[ -f "$(deb_of $p)" ] || fail "no '$(deb_of $p)' in the cache"
	mkdir "$TMP/$p"
	dpkg-deb -x "$(deb_of $p)" "$TMP/$p"
done

# name mode type size of each of the three, and their bytes
python3 - "$tarball" "$TMP" <<'P' || fail "the rootfs does not hold the packages' files"
import sys, tarfile
t = tarfile.open(sys.argv[1])
want = {
    "sbin/mkfs.ext4": ("e2fsprogs/sbin/mke2fs", 0o755),
    "usr/bin/perl5.36.0": ("perl-base/usr/bin/perl", 0o755),
    "bin/su": ("util-linux/bin/su", 0o4755),
}
ok = True
for name, (ref, mode) in want.items():
    m = t.getmember("./" + name) if "./" + name in t.getnames() else t.getmember(name)
    data = t.extractfile(m).read() if m.isfile() else None
    good = open(sys.argv[2] + "/" + ref, "rb").read()
    print(name, oct(m.mode), "file" if m.isfile() else m.type, len(data or b""), file=sys.stderr)
    if not m.isfile() or data != good or m.mode != mode or m.uid != 0:
        print("FAIL:", name, "differs from", ref, file=sys.stderr)
        ok = False
sys.exit(0 if ok else 1)
P
note "mkfs.ext4 (a symlink), perl5.36.0 (a hard link) and su (set-user-id) as dpkg installs them"

# Errors: one line, at the debs line, naming the package and the path.
bad() { bad_board d "$@"; }
ul=$(apt-cache show --no-all-versions util-linux:amd64 | sed -n 's/^Version: //p')
bad missing 's|util-linux/bin/su|util-linux/bin/nosuch|' \
	"boards/missing.conf:11: debs: package 'util-linux:amd64' ($ul) has no '/bin/nosuch'"
bad directory 's|util-linux/bin/su|util-linux/usr/bin|' \
	"boards/directory.conf:11: debs: '/usr/bin' of package 'util-linux:amd64' is not a file"
bad unknown 's|util-linux/bin/su|util-linuks/bin/su|' \
	"boards/unknown.conf:11: apt knows no package 'util-linuks:amd64'"
