# shellcheck shell=sh
# tests/tools/flashlib.sh: loop devices and a faulty FUSE disk for the flash
# tests (tests/integration/6*-*.sh).  Source it after lib.sh:
#	. "$(dirname "$0")/lib.sh"
#	. "$TOOLS/flashlib.sh"
# It needs root (loop devices), and detaches every loop device it attached
# and unmounts its FUSE filesystems when the test exits.  Never /dev/vda:
# only loop devices on files in $TMP are written.

need_root
need_flashbuild
need losetup sfdisk blkid partx python3 sha256sum

_FL_LOOPS=$TMP/.loops
_FL_FUSE=$TMP/.fuse
: >"$_FL_LOOPS"
: >"$_FL_FUSE"

_fl_cleanup() {
	# Loop devices first: they may sit on a FUSE file.
	tac "$_FL_LOOPS" 2>/dev/null | while read -r _l; do
		partx -d "$_l" >/dev/null 2>&1 || true
		losetup -d "$_l" 2>/dev/null || true
	done
	while read -r _pid _mnt; do
		umount "$_mnt" 2>/dev/null || umount -l "$_mnt" 2>/dev/null || true
		kill "$_pid" 2>/dev/null || true
	done <"$_FL_FUSE"
}
trap '_fl_rc=$?; _fl_cleanup; (exit $_fl_rc); _cleanup' EXIT

# attach FILE [-P]: a loop device on FILE (in $TMP), detached at exit; prints it
attach() {
	_dev=$(losetup -f --show ${2:-} "$1") || fail "cannot attach '$1'"
	echo "$_dev" >>"$_FL_LOOPS"
	echo "$_dev"
}

# dev_sha DEV: the SHA-256 of a whole device
dev_sha() {
	sha256sum "$1" | cut -d' ' -f1
}

# make_image OUT SIZE_MIB PERCENT: a sparse GPT image (two partitions, 'boot'
# and 'root', root ext4 when it fits) with random data over PERCENT % of it in
# 4 MiB pieces, and OUT.bmap from bmaptool create
make_image() {
	truncate -s "${2}M" "$1"
	printf 'label: gpt\nstart=2048, size=16M, name=boot\nstart=34816, name=root\n' |
		sfdisk -q "$1" || fail "sfdisk on '$1'"
	python3 - "$1" "$2" "$3" <<'PY' || fail "cannot fill '$1'"
import os, sys
path, mib, pct = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
chunk = 4 << 20
n = max(1, mib * pct // 100 // 4)          # pieces of 4 MiB
start, end = 18 << 20, (mib - 2) << 20     # after the GPT and 'boot', before the backup GPT
step = max(chunk, (end - start) // n // chunk * chunk)
with open(path, "r+b") as f:
    for i in range(n):
        off = start + i * step
        if off + chunk > end:
            break
        f.seek(off)
        f.write(os.urandom(chunk))
PY
	bmaptool create -o "$1.bmap" "$1" 2>/dev/null || fail "bmaptool create '$1'"
}

# ranges_equal IMG BMAP DEV: every range the bmap maps holds the same bytes on DEV
ranges_equal() {
	python3 - "$@" <<'PY' || fail "'$3' differs from '$1' in a mapped range"
import re, sys
img, bmap, dev = sys.argv[1:4]
text = open(bmap).read()
bs = int(re.search(r"<BlockSize> *(\d+)", text).group(1))
n = 0
with open(img, "rb") as a, open(dev, "rb") as b:
    for x, y in re.findall(r"<Range[^>]*> *(\d+)(?:-(\d+))? *</Range>", text):
        first, last = int(x), int(y or x)
        for blk in range(first, last + 1, 256):
            cnt = min(256, last + 1 - blk)
            a.seek(blk * bs); b.seek(blk * bs)
            if a.read(cnt * bs) != b.read(cnt * bs):
                sys.exit("blocks %d.. differ" % blk)
        n += last - first + 1
print("%d mapped blocks equal" % n)
PY
}

# faultfs_start BACKING MNT: the fault-injecting FUSE filesystem of
# tests/tools/faultfs.c on MNT, its file MNT/disk backed by BACKING
faultfs_start() {
	[ -e /dev/fuse ] || skip "no /dev/fuse"
	# built by `make check` (make tools) with the program's warnings
	[ -x "$TOP/build/tools/faultfs" ] || make -s -C "$TOP" build/tools/faultfs ||
		fail "cannot build build/tools/faultfs (make tools; libfuse3-dev: scripts/install-deps)"
	mkdir -p "$2"
	"$TOP/build/tools/faultfs" "$1" "$2" -f -s 2>"$TMP/faultfs.log" &
	echo "$! $2" >>"$_FL_FUSE"
	_i=0
	while [ ! -e "$2/disk" ]; do
		_i=$((_i + 1))
		[ $_i -lt 100 ] || fail "faultfs did not come up: $(cat "$TMP/faultfs.log")"
		sleep 0.1
	done
}

# fault MNT LINE: tells faultfs on MNT what to do ("flip N", "eio-write N [LEN]", "clear")
fault() {
	echo "$2" >"$1/ctl" || fail "faultfs: cannot say '$2'"
}
