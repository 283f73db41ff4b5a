#!/bin/bash
# bench/image.sh: how long flashbuild takes to build a disk image, next to its peers.
#
# One layout (GPT, 1100M image: a 32M vfat 'boot' at 1M, a 1G ext4 'root'
# after it), one real tree (Debian bookworm minbase from mmdebstrap, or a tar
# of /usr/share when mmdebstrap is missing), built four ways:
#   (a)  flashbuild image --rootfs DIR        the extracted tree
#   (a') flashbuild image --rootfs TARBALL    the same tree, straight from the tar
#   (b)  genimage                             hdimage of a vfat and an ext4 (mke2fs -d)
#   (c)  mke2fs -t ext4 -d + mkfs.vfat/mcopy + sfdisk + dd conv=notrunc,sparse
# Each runs --runs times (default 3) and the best wall time counts.  Every
# image is then checked (e2fsck -fn and fsck.vfat -n on its partitions) so a
# fast but broken result cannot pass; --check also compares flashbuild's root
# partition with the tree entry by entry (tests/tools/ext4-check).
#
# usage: bench/image.sh [--runs N] [--tree TARBALL] [--check] [--keep]
# env:   FLASHBUILD (default: ./flashbuild at the repo root), TMPDIR,
#        FB_BENCH_CACHE (default: $XDG_CACHE_HOME/flashbuild-bench, else bench/.cache)
# Without the flashbuild binary the peers still run and its lines say 'not built'.
# shellcheck disable=SC2317 # the run_* functions are called through ${fn[...]}
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
fb=${FLASHBUILD:-$repo/flashbuild}
runs=3
tree_tar=
check=false
keep=false

usage() {
	sed -n '2,/^# shellcheck/{/^# shellcheck/d; s/^# \{0,1\}//; p}' "$0" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift ;;
	--tree) tree_tar=$(realpath "$2"); shift ;;
	--check) check=true ;;
	--keep) keep=true ;;
	*) usage ;;
	esac
	shift
done

die() {
	echo "bench: $*" >&2
	exit 1
}
log() { echo "bench: $*" >&2; }

for t in genimage mke2fs e2fsck mkfs.vfat fsck.vfat mcopy sfdisk python3 tar; do
	command -v "$t" >/dev/null || die "'$t' is missing (scripts/install-deps)"
done

if [ -n "${FB_BENCH_CACHE:-}" ]; then
	cache=$FB_BENCH_CACHE
elif [ -n "${XDG_CACHE_HOME:-}" ]; then
	cache=$XDG_CACHE_HOME/flashbuild-bench
else
	cache=$here/.cache
fi
mkdir -p "$cache"
cache=$(realpath "$cache")

# ---------------------------------------------------------------- the tree

# A tarball of a real root filesystem, made once and kept.
make_tree_tar() {
	local out=$cache/bookworm-minbase.tar
	if [ -s "$out" ]; then
		tree_name="Debian bookworm minbase (mmdebstrap)"
		tree_tar=$out
		return
	fi
	if command -v mmdebstrap >/dev/null; then
		log "making $out with mmdebstrap (once, ~1.5 min)"
		if mmdebstrap --quiet --variant=minbase bookworm "$cache/tmp-minbase.tar" >&2; then
			mv "$cache/tmp-minbase.tar" "$out"
			tree_name="Debian bookworm minbase (mmdebstrap)"
			tree_tar=$out
			return
		fi
		rm -f "$cache/tmp-minbase.tar"
		log "mmdebstrap failed, falling back to a tar of /usr/share"
	else
		log "mmdebstrap is missing, falling back to a tar of /usr/share"
	fi
	out=$cache/usr-share.tar
	if [ ! -s "$out" ]; then
		# The first ~160 MB / 12000 entries of /usr/share in sorted order: like
		# minbase, and sure to fit the 1G root (65536 inodes).
		python3 -c '
import os, sys
size = n = 0
for top, dirs, files in os.walk("/usr/share"):
    dirs.sort()
    for name in [""] + sorted(files):
        p = os.path.join(top, name) if name else top
        size += os.lstat(p).st_size if name else 0
        n += 1
        sys.stdout.buffer.write(os.fsencode(os.path.relpath(p, "/usr")) + b"\0")
        if size > 160 << 20 or n >= 12000:
            sys.exit(0)' >"$cache/tmp-share.list"
		# unreadable files are skipped (tar exits 1): the tree only needs to be big
		tar -C /usr --numeric-owner --ignore-failed-read --no-recursion --null \
			-T "$cache/tmp-share.list" -cf "$cache/tmp-share.tar" || [ $? -eq 1 ]
		mv "$cache/tmp-share.tar" "$out"
		rm -f "$cache/tmp-share.list"
	fi
	tree_name="part of /usr/share of this host"
	tree_tar=$out
}

if [ -n "$tree_tar" ]; then
	tree_name=$(basename "$tree_tar")
else
	make_tree_tar
fi

# The same tree as a directory, extracted once per tarball (keyed by its size and mtime).
key=$(stat -c '%s-%Y' "$tree_tar")
tree_dir=$cache/tree-$(basename "$tree_tar" | tr -c 'A-Za-z0-9.\n' _)-$key
if [ ! -e "$tree_dir.complete" ]; then
	rm -rf "$tree_dir" "$tree_dir.tmp"
	mkdir -p "$tree_dir.tmp"
	log "extracting the tree to $tree_dir"
	if [ "$(id -u)" -eq 0 ]; then
		tar -C "$tree_dir.tmp" --numeric-owner --xattrs --xattrs-include='*' -xpf "$tree_tar"
	else
		# no device nodes and no owners without root: the timing hardly changes
		tar -C "$tree_dir.tmp" --no-same-owner --exclude='./dev/*' -xf "$tree_tar" ||
			log "some entries could not be extracted as a normal user"
	fi
	mv "$tree_dir.tmp" "$tree_dir"
	: >"$tree_dir.complete"
fi

# Boot files for the vfat partition: made once, ~23 MiB.
boot_src=$cache/bootfiles
if [ ! -d "$boot_src" ]; then
	mkdir -p "$boot_src.tmp/EFI/BOOT" "$boot_src.tmp/extlinux"
	head -c 10M /dev/urandom >"$boot_src.tmp/vmlinuz"
	head -c 12M /dev/urandom >"$boot_src.tmp/initrd.img"
	head -c 1M /dev/urandom >"$boot_src.tmp/EFI/BOOT/BOOTX64.EFI"
	printf 'default linux\nlabel linux\n  kernel /vmlinuz\n  initrd /initrd.img\n  append root=PARTLABEL=root\n' \
		>"$boot_src.tmp/extlinux/extlinux.conf"
	mv "$boot_src.tmp" "$boot_src"
fi

tree_mb=$(du -sm --apparent-size "$tree_dir" | cut -f1)
tree_n=$(find "$tree_dir" | wc -l)

# ---------------------------------------------------------------- work dir

work=$(mktemp -d "${TMPDIR:-/tmp}/fb-bench.XXXXXX")
cleanup() {
	if $keep; then
		log "kept $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

ESP=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
LINUX=0FC63DAF-8483-4772-8E79-3D69D8477DE4
IMG_SIZE=1100M
BOOT_OFF_MB=1 BOOT_MB=32 ROOT_OFF_MB=33 ROOT_MB=1024

cfg=$work/cfg
mkdir -p "$cfg/boards" "$cfg/partitions"
cp -a "$boot_src" "$cfg/bootfiles"
cat >"$cfg/partitions/bench.sfdisk" <<EOF
label: gpt
start=${BOOT_OFF_MB}MiB, size=${BOOT_MB}MiB, type=$ESP, name=boot
start=${ROOT_OFF_MB}MiB, size=${ROOT_MB}MiB, type=$LINUX, name=root
EOF
cat >"$cfg/boards/bench.conf" <<EOF
[board]
description = benchmark: GPT, 32M vfat + 1G ext4 in 1100M
arch = x86_64

[image]
layout = partitions/bench.sfdisk
size = $IMG_SIZE

[part boot]
content = vfat
from = bootfiles
label = BOOT

[part root]
content = ext4
from = rootfs
label = root
EOF
cat >"$work/genimage.cfg" <<EOF
image boot.vfat {
	vfat {
		label = "BOOT"
	}
	srcpath = "$cfg/bootfiles"
	size = ${BOOT_MB}M
	temporary = true
}

image root.ext4 {
	ext4 {
		use-mke2fs = true
		label = "root"
	}
	size = ${ROOT_MB}M
	temporary = true
}

image bench.img {
	hdimage {
		partition-table-type = "gpt"
		align = 1M
	}
	size = $IMG_SIZE
	partition boot {
		image = "boot.vfat"
		partition-type-uuid = "U"
		offset = ${BOOT_OFF_MB}M
		size = ${BOOT_MB}M
	}
	partition root {
		image = "root.ext4"
		partition-type-uuid = "L"
		offset = ${ROOT_OFF_MB}M
		size = ${ROOT_MB}M
	}
}
EOF

# ---------------------------------------------------------------- the methods
# Each writes $work/out-NAME/bench.img from a clean state.

run_flashbuild_dir() {
	"$fb" -C "$cfg" image --board bench --rootfs "$tree_dir" -o "$work/out-a"
}

run_flashbuild_tar() {
	"$fb" -C "$cfg" image --board bench --rootfs "$tree_tar" -o "$work/out-a2"
}

run_genimage() {
	rm -rf "$work/gi-tmp" "$work/gi-in"
	mkdir -p "$work/gi-tmp" "$work/gi-in" "$work/out-b"
	genimage --config "$work/genimage.cfg" --rootpath "$tree_dir" --tmppath "$work/gi-tmp" \
		--inputpath "$work/gi-in" --outputpath "$work/out-b"
}

run_manual() {
	local o=$work/out-c
	mkdir -p "$o"
	mke2fs -q -F -t ext4 -L root -d "$tree_dir" "$o/root.ext4" "${ROOT_MB}M"
	mkfs.vfat -n BOOT -C "$o/boot.vfat" $((BOOT_MB * 1024)) >/dev/null
	mcopy -s -p -m -i "$o/boot.vfat" "$cfg/bootfiles"/* ::
	truncate -s "$IMG_SIZE" "$o/bench.img"
	sfdisk -q "$o/bench.img" <"$cfg/partitions/bench.sfdisk"
	dd if="$o/boot.vfat" of="$o/bench.img" bs=1M seek="$BOOT_OFF_MB" conv=notrunc,sparse status=none
	dd if="$o/root.ext4" of="$o/bench.img" bs=1M seek="$ROOT_OFF_MB" conv=notrunc,sparse status=none
	rm -f "$o/root.ext4" "$o/boot.vfat"
}

# The step flashbuild does and the others do not: a bmap of the result.
run_bmap() {
	bmaptool -q create -o "$work/out-c/bench.img.bmap" "$work/out-c/bench.img"
}

# time_best NAME OUTDIR FUNCTION: sets best_us and times (seconds, space separated)
time_best() {
	local name=$1 outdir=$2 fn=$3 i t0 t1 dt
	best_us=
	times=
	for i in $(seq "$runs"); do
		[ "$fn" = run_bmap ] || rm -rf "$outdir"
		t0=${EPOCHREALTIME/./}
		if ! "$fn" >"$work/$name.log" 2>&1; then
			log "$name failed (run $i):"
			tail -n 20 "$work/$name.log" >&2
			best_us=FAIL
			return
		fi
		t1=${EPOCHREALTIME/./}
		dt=$((t1 - t0))
		times="$times $(secs "$dt")"
		if [ -z "$best_us" ] || [ "$dt" -lt "$best_us" ]; then
			best_us=$dt
		fi
	done
}

secs() { printf '%d.%02d' $(($1 / 1000000)) $(($1 % 1000000 / 10000)); }

# verify IMG: fsck both partitions by offset; prints ok or what failed
verify() {
	local img=$1 offs
	[ -f "$img" ] || { echo "no image"; return; }
	offs=$(sfdisk -J "$img" 2>/dev/null | python3 -c '
import json, sys
t = json.load(sys.stdin)["partitiontable"]
print(" ".join("%d:%d" % (p["start"] * 512, p["size"] * 512) for p in t["partitions"]))') ||
		{ echo "no partition table"; return; }
	# shellcheck disable=SC2086 # split into its words on purpose
	set -- $offs
	[ $# -eq 2 ] || { echo "$# partitions"; return; }
	if ! fsck.vfat -n "$(extract "$img" "$1")" >/dev/null 2>&1; then
		echo "fsck.vfat failed"
		return
	fi
	if ! e2fsck -fn "$img?offset=${2%%:*}" >/dev/null 2>&1; then
		echo "e2fsck failed"
		return
	fi
	echo ok
}

# extract IMG OFF:SIZE: a partition as a file (fsck.vfat takes no offset)
extract() {
	local f=$work/part.vfat
	rm -f "$f"
	dd if="$1" of="$f" bs=1M iflag=skip_bytes,count_bytes skip="${2%%:*}" count="${2##*:}" \
		conv=sparse status=none
	echo "$f"
}

allocated() { [ -f "$1" ] && du -m "$1" | cut -f1 || echo -; }

# ---------------------------------------------------------------- run

declare -A best result alloc runs_s
methods="a a2 b c"
declare -A label=(
	[a]="(a)  flashbuild, tree as directory"
	[a2]="(a') flashbuild, tree as tarball"
	[b]="(b)  genimage (mke2fs -d, mkdosfs)"
	[c]="(c)  mke2fs -d + mkfs.vfat + sfdisk + dd"
	[cb]="     + bmaptool create on (c)'s image"
)
declare -A fn=([a]=run_flashbuild_dir [a2]=run_flashbuild_tar [b]=run_genimage [c]=run_manual
	[cb]=run_bmap)

failed=0
ext4_check_result=
for m in $methods cb; do
	case $m in
	a | a2)
		if [ ! -x "$fb" ]; then
			best[$m]="not built"
			continue
		fi
		;;
	cb)
		if [ "${best[c]}" = FAILED ]; then
			best[$m]=FAILED
			continue
		fi
		;;
	esac
	log "timing ${label[$m]} ($runs runs)"
	time_best "$m" "$work/out-$m" "${fn[$m]}"
	if [ "$best_us" = FAIL ]; then
		best[$m]=FAILED
		failed=1
		continue
	fi
	best[$m]=$best_us
	runs_s[$m]=$times
	if [ "$m" != cb ]; then
		result[$m]=$(verify "$work/out-$m/bench.img")
		alloc[$m]=$(allocated "$work/out-$m/bench.img")
		[ "${result[$m]}" = ok ] || failed=1
	fi
done

# The tarball run is the one to compare: a directory source loses its owners
# (they become root:root), a tarball's are kept.
if $check && [ -f "$work/out-a2/bench.img" ]; then
	log "ext4-check of flashbuild's root partition (tarball run) against the tree"
	if "$repo/tests/tools/ext4-check" "$work/out-a2/bench.img" "${ROOT_OFF_MB}M" "${ROOT_MB}M" \
		"$tree_tar" >"$work/ext4-check.out" 2>&1; then
		ext4_check_result=ok
	else
		failed=1
		tail -n 20 "$work/ext4-check.out" >&2
		ext4_check_result="FAILED: $(tail -n 1 "$work/ext4-check.out")"
	fi
fi

echo
echo "flashbuild image benchmark: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, best of $runs"
echo "tree:   $tree_name, $tree_mb MB, $tree_n entries"
echo "layout: GPT, 1100M image, boot 32M vfat, root 1G ext4"
echo
printf '%-42s %8s  %-22s %9s  %s\n' method "best s" "all runs s" "alloc MB" check
for m in $methods cb; do
	v=${best[$m]}
	case $v in
	"not built" | FAILED)
		printf '%-42s %8s\n' "${label[$m]}" "$v"
		;;
	*)
		printf '%-42s %8s  %-22s %9s  %s\n' "${label[$m]}" "$(secs "$v")" \
			"${runs_s[$m]# }" "${alloc[$m]:-}" "${result[$m]:-}"
		;;
	esac
done
echo

# ratio A B: A's time as a multiple of B's
ratio() {
	local a=${best[$1]} b=${best[$2]}
	case "$a $b" in *"not built"* | *FAILED*)
		echo "n/a"
		return
		;;
	esac
	python3 -c "print('%.2fx' % ($a / $b))"
}
printf 'flashbuild (dir) / genimage:              %s\n' "$(ratio a b)"
printf 'flashbuild (dir) / mke2fs+sfdisk+dd:      %s\n' "$(ratio a c)"
printf 'flashbuild (tarball) / genimage:          %s\n' "$(ratio a2 b)"
printf 'flashbuild (tarball) / mke2fs+sfdisk+dd:  %s\n' "$(ratio a2 c)"
if [ -n "${ext4_check_result:-}" ]; then
	echo
	echo "ext4-check of (a') against the tarball: $ext4_check_result"
fi
exit $failed
