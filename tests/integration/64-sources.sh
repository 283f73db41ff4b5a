#!/bin/sh
# Sources: .img.xz, .img.zst and .img.gz, streamed (never decompressed to
# disk), put the same bytes on the device as the plain image, with the
# plain image's bmap and without any; a byte changed in the image after its
# bmap was made fails the flash naming the range (exit 5).
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"
need bmaptool xz zstd gzip cmp

img=$TMP/test.img
make_image "$img" 48 25
truncate -s 48M "$TMP/disk"
dev=$(attach "$TMP/disk")
"$FLASHBUILD" flash --allow-fixed --progress=none "$img" "$dev" || fail "plain flash failed"
want=$(dev_sha "$dev")

for z in xz zst gz; do
	case $z in
	xz) xz -T2 -1 -k -c "$img" >"$img.xz" ;;
	zst) zstd -q -1 -c "$img" >"$img.zst" ;;
	gz) gzip -1 -c "$img" >"$img.gz" ;;
	esac
	# The bmap is found beside it, as test.img.bmap.
	dd if=/dev/urandom of="$dev" bs=1M count=48 oflag=direct status=none
	"$FLASHBUILD" flash --allow-fixed --progress=none "$img.$z" "$dev" 2>"$TMP/err" || {
		cat "$TMP/err" >&2
		fail ".$z with a bmap failed"
	}
	ranges_equal "$img" "$img.bmap" "$dev"
	# Without a bmap the whole image is written: the device is the image.
	"$FLASHBUILD" flash --allow-fixed --no-bmap --progress=none "$img.$z" "$dev" ||
		fail ".$z without a bmap failed"
	cmp "$img" "$dev" || fail ".$z without a bmap: the device is not the image"
	[ "$(dev_sha "$dev")" = "$want" ] || fail ".$z: other bytes than the plain image's"
	rm -f "$img.$z"
done

# A byte changed inside a mapped range after the bmap was made.
off=$(python3 - "$img.bmap" <<'PY'
import re, sys
r = re.findall(r"<Range[^>]*> *(\d+)(?:-(\d+))? *</Range>", open(sys.argv[1]).read())
print(int(r[2][0]) * 4096 + 100)
PY
)
cp --sparse=always "$img" "$TMP/bad.img"
cp "$img.bmap" "$TMP/bad.img.bmap"
printf 'X' | dd of="$TMP/bad.img" bs=1 seek="$off" conv=notrunc status=none
rc=0
"$FLASHBUILD" flash --allow-fixed --progress=none "$TMP/bad.img" "$dev" 2>"$TMP/err" || rc=$?
cat "$TMP/err" >&2
[ $rc -eq 5 ] || fail "a corrupt source: exit $rc, not 5"
grep -q "does not match its bmap: range 3 (bytes" "$TMP/err" || fail "the range is not named"
# Compressed, the same.
xz -T2 -1 -c "$TMP/bad.img" >"$TMP/bad.img.xz"
rc=0
"$FLASHBUILD" flash --allow-fixed --progress=none "$TMP/bad.img.xz" "$dev" 2>"$TMP/err" || rc=$?
[ $rc -eq 5 ] || fail "a corrupt .xz source: exit $rc, not 5"
grep -q "range 3" "$TMP/err" || fail "the range is not named for .xz"
