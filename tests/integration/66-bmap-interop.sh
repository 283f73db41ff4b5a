#!/bin/sh
# bmaps both ways: `bmaptool copy` takes the .bmap `flashbuild image` wrote,
# and `flashbuild flash` takes flashbuild's own (found beside the image) and
# one made by `bmaptool create` (given with --bmap); all put the same bytes.
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"
need bmaptool cmp

W=$TMP/work
mkdir -p "$W/boards" "$W/partitions" "$W/tree/etc"
echo hello >"$W/tree/etc/motd"
head -c 2M /dev/urandom >"$W/tree/blob"
cat >"$W/partitions/two.sfdisk" <<'L'
label: gpt
start=2048, size=16M, type=uefi, name=boot
type=linux, name=root
L
cat >"$W/boards/two.conf" <<'B'
[image]
layout = partitions/two.sfdisk
size = 96M
[part root]
content = ext4
from = tree
B
"$FLASHBUILD" -C "$W" image --board two >/dev/null || fail "flashbuild image failed"
img=$W/out/two.img

# bmaptool copy with flashbuild's bmap.
bmaptool copy "$img" "$TMP/copy.img" 2>"$TMP/log" || { cat "$TMP/log" >&2; fail "bmaptool copy"; }
grep -q "using bmap file" "$TMP/log" || fail "bmaptool did not use flashbuild's bmap"
cmp "$img" "$TMP/copy.img" || fail "bmaptool's copy differs"

truncate -s 96M "$TMP/disk"
dev=$(attach "$TMP/disk")
# flashbuild's own bmap, found as IMAGE.bmap.
dd if=/dev/urandom of="$dev" bs=1M count=96 oflag=direct status=none
"$FLASHBUILD" flash --allow-fixed --json "$img" "$dev" >/dev/null || fail "flash with our bmap"
ranges_equal "$img" "$img.bmap" "$dev"

# A bmap from bmaptool create, given with --bmap.
bmaptool create -o "$TMP/theirs.bmap" "$img" 2>/dev/null || fail "bmaptool create"
dd if=/dev/urandom of="$dev" bs=1M count=96 oflag=direct status=none
"$FLASHBUILD" flash --allow-fixed --progress=none --bmap "$TMP/theirs.bmap" "$img" "$dev" ||
	fail "flash with bmaptool's bmap"
ranges_equal "$img" "$TMP/theirs.bmap" "$dev"
