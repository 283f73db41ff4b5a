#!/bin/sh
# Refusals leave the device byte-identical and exit 3 with one line naming
# the device and the reason: a mounted partition on the target, an image
# larger than the device, a fixed disk without --allow-fixed, a path that is
# not a block device without --to-file.
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"
need mkfs.ext4 mount umount bmaptool

img=$TMP/test.img
make_image "$img" 64 25

# refused DESC REASON DEV ARGS...: exit 3, the reason named, DEV unchanged
refused() {
	_desc=$1 _why=$2 _dev=$3
	shift 3
	_before=$(dev_sha "$_dev")
	_rc=0
	"$FLASHBUILD" flash "$@" 2>"$TMP/err" || _rc=$?
	cat "$TMP/err" >&2
	[ $_rc -eq 3 ] || fail "$_desc: exit $_rc, not 3"
	[ "$(grep -c . "$TMP/err")" -eq 1 ] || fail "$_desc: not one line"
	grep -q "refusing to write '$_dev': $_why" "$TMP/err" || fail "$_desc: wrong reason"
	[ "$(dev_sha "$_dev")" = "$_before" ] || fail "$_desc: '$_dev' was changed"
}

# A mounted partition on the target.
truncate -s 128M "$TMP/disk"
printf 'label: gpt\nstart=2048, name=data\n' | sfdisk -q "$TMP/disk"
dev=$(attach "$TMP/disk")
partx -a "$dev"
mkfs.ext4 -q "${dev}p1"
mkdir "$TMP/mnt"
mount "${dev}p1" "$TMP/mnt"
refused "mounted" "mounted (${dev}p1 on $TMP/mnt)" "$dev" --allow-fixed --progress=none "$img" "$dev"
umount "$TMP/mnt"

# Without --allow-fixed a loop device is a fixed disk.
refused "fixed" "not removable (use --allow-fixed)" "$dev" --progress=none "$img" "$dev"

# An image larger than the device.
truncate -s 32M "$TMP/small"
small=$(attach "$TMP/small")
refused "too small" "smaller than the image (32 MiB < 64 MiB)" "$small" --allow-fixed \
	--progress=none "$img" "$small"

# Not a block device, and no --to-file.
printf 'precious' >"$TMP/file"
refused "a file" "not a block device (use --to-file to write a file)" "$TMP/file" \
	--progress=none "$img" "$TMP/file"
# With --to-file it is written, and reads back as the image.
"$FLASHBUILD" flash --to-file --progress=none "$img" "$TMP/out.img" || fail "--to-file failed"
cmp "$img" "$TMP/out.img" || fail "--to-file wrote something else"
