#!/bin/sh
# The bmap: a mostly empty 1 GiB ext4 maps well under 10 % of its blocks;
# bmaptool copy accepts it and checks every range (a changed byte is caught);
# the mapped ranges are exactly what the image holds data for.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need bmaptool python3

W=$TMP/work
mkdir -p "$W/boards" "$W/partitions" "$W/tree/etc"
echo hello >"$W/tree/etc/motd"
cat >"$W/partitions/big.sfdisk" <<'L'
label: gpt
start=2048, type=linux, name=root
L
cat >"$W/boards/big.conf" <<'B'
[image]
layout = partitions/big.sfdisk
size = 1G
[part root]
content = ext4
from = tree
B
"$FLASHBUILD" -C "$W" image --board big >/dev/null
img=$W/out/big.img
bmap=$img.bmap

# Format: bmaptool's 2.0, with the counts right.
python3 - "$img" "$bmap" <<'PY' || fail "bmap does not describe the image"
import hashlib, os, re, sys
img, bmap = sys.argv[1], sys.argv[2]
text = open(bmap).read()
get = lambda tag: int(re.search(r"<%s> *(\d+) *</%s>" % (tag, tag), text).group(1))
assert '<bmap version="2.0">' in text
size, bs, blocks, mapped = get("ImageSize"), get("BlockSize"), get("BlocksCount"), get("MappedBlocksCount")
assert size == os.path.getsize(img) == 1 << 30 and bs == 4096 and blocks == size // bs
# the file's own checksum, computed over the zeroed field
m = re.search(r"<BmapFileChecksum> *([0-9a-f]{64}) *</BmapFileChecksum>", text)
zeroed = text.replace(m.group(1), "0" * 64)
assert hashlib.sha256(zeroed.encode()).hexdigest() == m.group(1), "bmap file checksum"
n = 0
with open(img, "rb") as f:
    for chk, a, b in re.findall(r'<Range chksum="([0-9a-f]{64})"> *(\d+)(?:-(\d+))? *</Range>', text):
        a = int(a); b = int(b or a)
        n += b - a + 1
        f.seek(a * bs)
        assert hashlib.sha256(f.read((b - a + 1) * bs)).hexdigest() == chk, "range %d-%d" % (a, b)
    # every block outside the ranges reads as zeros
assert n == mapped, (n, mapped)
pct = 100.0 * mapped / blocks
print("mapped %d of %d blocks (%.2f%%)" % (mapped, blocks, pct))
assert pct < 10, "maps %.1f%%" % pct
PY

bmaptool copy "$img" "$TMP/copy.img" 2>"$TMP/log" || { cat "$TMP/log" >&2; fail "bmaptool copy failed"; }
grep -q "using bmap file" "$TMP/log" || fail "bmaptool did not use the bmap"
cmp "$img" "$TMP/copy.img" || fail "bmaptool's copy differs"

# A changed byte inside a mapped range is caught by bmaptool's checksums.
cp --sparse=always "$img" "$TMP/bad.img"
printf 'X' | dd of="$TMP/bad.img" bs=1 seek=1024 conv=notrunc status=none
if bmaptool copy --bmap "$bmap" "$TMP/bad.img" "$TMP/copy2.img" 2>"$TMP/log2"; then
	fail "bmaptool accepted an image that does not match its bmap"
fi
grep -qi "checksum" "$TMP/log2" || { cat "$TMP/log2" >&2; fail "bmaptool failed, but not on a checksum"; }
