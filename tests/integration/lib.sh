# shellcheck shell=sh
# tests/integration/lib.sh: helpers for tests/integration/NN-name.sh.
#
# A test starts with
#	#!/bin/sh
#	. "$(dirname "$0")/lib.sh"
# and then has: set -eu, $TOP (repo root), $FLASHBUILD, $TMP (a fresh
# directory removed on exit; FB_KEEP=1 keeps it), $TOOLS (tests/tools).
# Exit status: 0 pass, 1 fail, 77 skip.  Under CI=true a skip is a failure:
# CI has everything, so nothing there may pass by not running.
# POSIX sh (dash) is enough; bash works too.
#
# fail exits the shell it runs in: inside $(...) only that subshell.  So take
# values into a variable first, where set -e stops the test:
#	off=$(part_offset "$img" root)		# not: ext4_fsck "$img" "$(part_offset ...)"

set -eu

TOP=$(cd "$(dirname "$0")/../.." && pwd)
TOOLS=$TOP/tests/tools
FLASHBUILD=${FLASHBUILD:-$TOP/flashbuild}
# One build cache for every test of a checkout: the kernel is built once.
export FLASHBUILD_CACHE=$TOP/build/test-cache
TEST_NAME=$(basename "$0" .sh)
export MTOOLS_SKIP_CHECK=1 # mtools refuses odd but valid geometries otherwise
LC_ALL=C.UTF-8 # byte-order sorting like C, and UTF-8 names stay readable
export LC_ALL

# ------------------------------------------------------------------ outcomes

# fail MSG...: the test failed
fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	exit 1
}

# skip REASON...: cannot run here (exit 77); under CI=true that is a failure
skip() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $TEST_NAME: would skip, but CI=true: $*" >&2
		exit 1
	fi
	echo "SKIP: $TEST_NAME: $*" >&2
	exit 77
}

# note MSG...: a progress line on stderr
note() {
	echo "$TEST_NAME: $*" >&2
}

# need CMD...: skip unless every command exists
need() {
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 || skip "'$_c' is not installed (scripts/install-deps)"
	done
}

# need_root: skip unless root (e.g. to extract device nodes for a peer tool)
need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

# need_flashbuild: skip unless ./flashbuild is built
need_flashbuild() {
	[ -x "$FLASHBUILD" ] || skip "'$FLASHBUILD' is not built (make)"
}

# wait_listen PORT: until something listens on TCP port PORT (60 s; needs ss)
wait_listen() {
	for _ in $(seq 600); do
		ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	fail "nothing listens on port $1"
}

# ------------------------------------------------------------------ temp dir

TMP=$(mktemp -d "${TMPDIR:-/tmp}/fb-$TEST_NAME.XXXXXX")
# The unprivileged user of run_as_user must reach files under it.
chmod 0755 "$TMP"

_cleanup() {
	_rc=$?
	if [ "${FB_KEEP:-}" = 1 ]; then
		echo "$TEST_NAME: kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
	exit "$_rc"
}
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------ rootless

# The user run_as_user becomes: $FB_TEST_USER, else a dedicated
# 'flashbuild-test' user if one exists, else 'nobody'.
test_user() {
	if [ -n "${FB_TEST_USER:-}" ]; then
		echo "$FB_TEST_USER"
	elif id flashbuild-test >/dev/null 2>&1; then
		echo flashbuild-test
	else
		echo nobody
	fi
}

# user_dir NAME: a directory under $TMP that run_as_user's user owns; prints it
user_dir() {
	mkdir -p "$TMP/$1"
	[ "$(id -u)" -ne 0 ] || chown "$(test_user):" "$TMP/$1"
	echo "$TMP/$1"
}

# run_as_user CMD...: runs CMD without root, to prove flashbuild needs none.
# As root: as $(test_user), with no capabilities and no supplementary groups,
# HOME in $TMP, PATH a normal user's as Debian's /etc/profile sets it (no
# sbin directories), the rest of the environment kept.  As a normal user: as is.
# Its files must go to a user_dir.
run_as_user() {
	if [ "$(id -u)" -ne 0 ]; then
		"$@"
		return
	fi
	_u=$(test_user)
	_uid=$(id -u "$_u") || fail "no user '$_u'"
	_gid=$(id -g "$_u")
	[ "$_uid" -ne 0 ] || fail "test user '$_u' is root"
	_home=$(user_dir "home-$_u")
	# setpriv changes ids without PAM or a login: nothing else changes.
	# All uids non-zero clears the capability sets (no SECBIT_KEEP_CAPS).
	HOME=$_home USER=$_u LOGNAME=$_u PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games \
		setpriv --reuid="$_uid" --regid="$_gid" --clear-groups --inh-caps=-all -- "$@"
}

# ------------------------------------------------------------------ tables

# _sfdisk_json IMG SEL EXPR: evaluates python EXPR with t = sfdisk -J's table,
# ss = its sector size, parts = its partitions, p = the partition SEL (a
# 1-based number or a GPT name; "" for none)
_sfdisk_json() {
	sfdisk -J "$1" 2>/dev/null | python3 -c '
import json, sys
t = json.load(sys.stdin)["partitiontable"]
ss = t.get("sectorsize", 512)
parts = t.get("partitions", [])
sel, p = sys.argv[1], None
for x in parts:
    n = x["node"]
    if sel in (n[len(n.rstrip("0123456789")):], x.get("name")):
        p = x
if sel and p is None:
    sys.exit("no partition %r" % sel)
print(eval(sys.argv[2]))' "$2" "$3" || fail "cannot read partition '$2' of '$1'"
}

# part_offset IMG SEL: byte offset of partition SEL (number or GPT name)
part_offset() { _sfdisk_json "$1" "$2" "p['start'] * ss"; }
# part_size IMG SEL: its length in bytes
part_size() { _sfdisk_json "$1" "$2" "p['size'] * ss"; }
# part_type IMG SEL: its type (GPT GUID or MBR hex code, as sfdisk prints it)
part_type() { _sfdisk_json "$1" "$2" "p['type']"; }
# part_count IMG: number of partitions
part_count() { _sfdisk_json "$1" "" "len(parts)"; }
# label_type IMG: gpt or dos
label_type() { _sfdisk_json "$1" "" "t['label']"; }

# sfdisk_dump IMG [--keep-ids]: `sfdisk -d` with the image path as IMAGE and,
# unless --keep-ids, label-id and partition uuids as X (random without --seed)
sfdisk_dump() {
	sfdisk -d "$1" | {
		if [ "${2:-}" = --keep-ids ]; then
			cat
		else
			sed -e 's/^label-id: .*/label-id: X/' -e 's/uuid=[0-9A-Fa-f-]*/uuid=X/'
		fi
	} | awk -v img="$1" '{
		while ((i = index($0, img)) > 0)
			$0 = substr($0, 1, i - 1) "IMAGE" substr($0, i + length(img))
		print
	}'
}

# compare_golden ACTUAL GOLDEN: diff, or with FB_UPDATE_GOLDEN=1 rewrite GOLDEN
compare_golden() {
	if [ "${FB_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$1" "$2"
		note "updated $2"
		return
	fi
	diff -u "$2" "$1" >&2 || fail "'$1' differs from golden '$2'"
}

# bad_board BASE NAME SED-EXPR EXPECTED: boards/NAME.conf, a copy of $W's
# boards/BASE.conf edited by SED-EXPR, fails to build with one error line
# holding EXPECTED, and leaves no image
bad_board() {
	sed "$3" "$W/boards/$1.conf" >"$W/boards/$2.conf"
	if "$FLASHBUILD" -C "$W" build --board "$2" >"$TMP/out" 2>"$TMP/err"; then
		fail "$2: the build succeeded"
	fi
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || { cat "$TMP/err" >&2; fail "$2: not one line"; }
	grep -qF "$4" "$TMP/err" || { cat "$TMP/err" >&2; fail "$2: expected '$4'"; }
	[ ! -e "$W/out/$2.img" ] || fail "$2: an image was written"
	note "$2: $(cat "$TMP/err")"
}

# board_build BOARD: builds the repository's BOARD in a copy of boards/ and
# partitions/ at $W ($TMP/tree); fb runs flashbuild there
board_build() {
	W=$TMP/tree
	mkdir -p "$W"
	cp -a "$TOP/boards" "$TOP/partitions" "$W/"
	fb build --board "$1" >"$TMP/build" 2>&1 || { cat "$TMP/build" >&2; fail "build of $1 failed"; }
}
fb() { "$FLASHBUILD" -C "$W" "$@"; }

# busybox_board [ROOTFS-LINE...]: board s at $W ($TMP/w): a 32 MiB GPT image whose one
# partition is an ext4 of a busybox rootfs (with the [rootfs] lines given); its own cache
busybox_board() {
	W=$TMP/w
	mkdir -p "$W/boards" "$W/partitions"
	printf 'label: gpt\nstart=2048, type=linux, name=root\n' >"$W/partitions/s.sfdisk"
	printf '[image]\nlayout = partitions/s.sfdisk\nsize = 32M\n[part root]\ncontent = ext4\n' >"$W/boards/s.conf"
	printf 'from = rootfs\n[rootfs]\nrecipe = busybox\n' >>"$W/boards/s.conf"
	for _l in "$@"; do echo "$_l" >>"$W/boards/s.conf"; done
	export FLASHBUILD_CACHE=$TMP/cache
}

# ------------------------------------------------------------------ contents

# extract_part IMG OFFSET SIZE OUT: the byte range as a sparse file
extract_part() {
	dd if="$1" of="$4" bs=1M iflag=skip_bytes,count_bytes skip="$2" count="$3" \
		conv=sparse status=none
	[ "$(stat -c %s "$4")" -eq "$3" ] || fail "'$1' ends before $2+$3"
}

# blkid_at IMG OFFSET TAG: a probed value (TYPE, LABEL, UUID...) at OFFSET
blkid_at() {
	blkid -p -O "$2" -s "$3" -o value "$1" || true
}

# ext4_fsck IMG OFFSET: e2fsck -fn on the filesystem at OFFSET (no copy:
# e2fsprogs' unix_io takes IMG?offset=N); fails on any problem
ext4_fsck() {
	_out=$(e2fsck -fn "$1?offset=$2" 2>&1) || {
		echo "$_out" >&2
		fail "e2fsck -fn found problems in the ext4 at $2 of '$1'"
	}
}

# ext4_check IMG OFFSET SIZE SOURCE [--owners-root|--no-xattrs]: every entry
# of SOURCE (tar or dir) is in the ext4 at OFFSET (tests/tools/ext4-check)
ext4_check() {
	"$TOOLS/ext4-check" "$@" >"$TMP/ext4-check.out" 2>&1 || {
		cat "$TMP/ext4-check.out" >&2
		fail "ext4 at $2 of '$1' does not match '$4'"
	}
}

# vfat_mdir IMG OFFSET [PATH]: recursive bare listing, one path a line
vfat_mdir() {
	mdir -i "$1@@$2" -/ -b "::${3:-/}"
}

# vfat_cat IMG OFFSET PATH: a file's bytes on stdout
vfat_cat() {
	mcopy -n -i "$1@@$2" "::$3" -
}

# vfat_label IMG OFFSET: the volume label
vfat_label() {
	blkid_at "$1" "$2" LABEL
}

# vfat_fsck IMG OFFSET SIZE: fsck.vfat -n on the range (it takes no offset)
vfat_fsck() {
	extract_part "$1" "$2" "$3" "$TMP/vfat-fsck.img"
	_out=$(fsck.vfat -n "$TMP/vfat-fsck.img" 2>&1) || {
		echo "$_out" >&2
		fail "fsck.vfat -n found problems in the vfat at $2 of '$1'"
	}
	rm -f "$TMP/vfat-fsck.img"
}

# vfat_compare IMG OFFSET DIR: the vfat holds exactly DIR's files, same bytes
vfat_compare() {
	(cd "$3" && find . -mindepth 1 | sed 's|^\./|::/|' | LC_ALL=C sort) >"$TMP/vfat-want"
	vfat_mdir "$1" "$2" | sed 's|/$||' | LC_ALL=C sort >"$TMP/vfat-have"
	diff -u "$TMP/vfat-want" "$TMP/vfat-have" >&2 ||
		fail "vfat at $2 of '$1' lists other files than '$3'"
	(cd "$3" && find . -type f) | while IFS= read -r _f; do
		vfat_cat "$1" "$2" "${_f#.}" | cmp -s - "$3/$_f" ||
			fail "vfat at $2 of '$1': '${_f#./}' differs from '$3'"
	done
}

# ------------------------------------------------------------------ files

# allocated_bytes FILE: bytes on disk (a sparse image has fewer than its size)
allocated_bytes() {
	echo $(($(stat -c '%b * %B' "$1")))
}

# make_test_tree OUT [--gzip|--xz|--zstd]: tests/tools/make-test-tree
make_test_tree() {
	"$TOOLS/make-test-tree" "$@" || fail "make-test-tree $*"
}
