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

# Another program holds the disk's lock (udevadm lock, a partitioner; here
# one process that takes it as flock(1) does): with --lock-timeout 0 refused
# at once, naming it; with a timeout it is named after a second, waited for,
# then refused; released within the timeout, the flash goes on.
# hold_lock SECONDS: holds $dev's flock(LOCK_EX) that long; sets $holder
hold_lock() {
	python3 -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
time.sleep(float(sys.argv[2]))' "$dev" "$1" &
	holder=$!
	i=0
	until grep -q "FLOCK .* $holder " /proc/locks; do
		i=$((i + 1))
		[ $i -lt 50 ] || fail "the lock was not taken"
		sleep 0.1
	done
}
hold_lock 60
refused "locked" "pid $holder (python3) still holds its lock after 0 s (--lock-timeout)" "$dev" \
	--allow-fixed --lock-timeout 0 --progress=none "$img" "$dev"
rc=0
"$FLASHBUILD" flash --allow-fixed --lock-timeout 2 --progress=none "$img" "$dev" 2>"$TMP/err" || rc=$?
[ $rc -eq 3 ] || { cat "$TMP/err" >&2; fail "locked, --lock-timeout 2: exit $rc, not 3"; }
grep -q "^warning: '$dev' is locked by pid $holder (python3): waiting up to 2 s for it$" "$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "the wait for the lock is not said"; }
kill "$holder"
wait "$holder" 2>/dev/null || true
hold_lock 2
"$FLASHBUILD" flash --allow-fixed --progress=none "$img" "$dev" 2>"$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "the flash after the lock was released failed"; }
grep -q "is locked by pid $holder (python3): waiting up to 30 s" "$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "the wait for the lock is not said"; }
wait "$holder" || true
# (the disk is larger than the image: its GPT is moved to the disk's end, so only the table tells)
sfdisk -d "$dev" | grep -q 'name="root"' || fail "the image's table is not on '$dev'"

# No permission to open the disk: the real run and --dry-run fail alike,
# exit 1, with a hint; the disk as it was.
before=$(dev_sha "$dev")
for dry in "" --dry-run; do
	rc=0
	run_as_user "$FLASHBUILD" flash --allow-fixed --progress=none $dry "$img" "$dev" 2>"$TMP/err" || rc=$?
	[ $rc -eq 1 ] || { cat "$TMP/err" >&2; fail "as $(test_user)${dry:+ ($dry)}: exit $rc, not 1"; }
	[ "$(cat "$TMP/err")" = "error: cannot open '$dev' for writing (run as root, or with sudo): Permission denied" ] ||
		{ cat "$TMP/err" >&2; fail "as $(test_user)${dry:+ ($dry)}: not the one line with its hint"; }
done
[ "$(dev_sha "$dev")" = "$before" ] || fail "'$dev' changed by a run without permission"
