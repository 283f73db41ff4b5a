#!/bin/sh
# Real I/O faults, from a loop device on a FUSE file (tests/tools/faultfs.c)
# that flashbuild cannot tell from a failing stick:
# - a byte that reads back flipped: verify fails naming that byte, exit 4;
# - EIO from an offset on: the flash fails naming the device and the offset;
# - EIO in the middle of the write: the device holds no partition table
#   afterwards (sfdisk -d and blkid -p find nothing), not a half-written one,
#   though it held a good one before.
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"
need bmaptool

img=$TMP/test.img
make_image "$img" 64 25
# A byte inside a mapped range in the body, and one in the second half.
body=$(python3 - "$img.bmap" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
r = [(int(a), int(b or a)) for a, b in re.findall(r"<Range[^>]*> *(\d+)(?:-(\d+))? *</Range>", text)]
body = [a for a, b in r if a * 4096 > 2 << 20]
print(body[0] * 4096 + 1234, body[len(body) // 2] * 4096 + 777)
PY
)
flip=${body% *}
eio=${body#* }

# range_of OFFSET: the number (from 1) of the bmap range holding byte OFFSET
range_of() {
	python3 - "$img.bmap" "$1" <<'PY'
import re, sys
text, at = open(sys.argv[1]).read(), int(sys.argv[2])
r = [(int(a), int(b or a)) for a, b in re.findall(r"<Range[^>]*> *(\d+)(?:-(\d+))? *</Range>", text)]
print([i + 1 for i, (a, b) in enumerate(r) if a * 4096 <= at < (b + 1) * 4096][0])
PY
}

# result_has FIELDS: the JSON result line of $TMP/events holds these (a regex)
result_has() {
	tail -n 1 "$TMP/events" | grep -q "^{\"event\": \"result\", .*$1" ||
		fail "the result line lacks '$1': $(tail -n 1 "$TMP/events")"
}

truncate -s 64M "$TMP/backing"
faultfs_start "$TMP/backing" "$TMP/fuse"
dev=$(attach "$TMP/fuse/disk")

# A good flash first: the device then holds a valid table.
"$FLASHBUILD" flash --allow-fixed --progress=none "$img" "$dev" || fail "the clean flash failed"
[ "$(blkid -p -s PTTYPE -o value "$dev")" = gpt ] || fail "no table after the clean flash"

# 1. A byte flipped on every read of it.  The JSON result line says what the
#    error line says, and where: the byte and its bmap range.
fault "$TMP/fuse" "flip $flip"
rc=0
"$FLASHBUILD" flash --allow-fixed --json "$img" "$dev" >"$TMP/events" 2>"$TMP/err" || rc=$?
cat "$TMP/err" >&2
fault "$TMP/fuse" clear
[ $rc -eq 4 ] || fail "a flipped byte: exit $rc, not 4"
grep -q "verify failed: '$dev' differs from the image at byte $flip " "$TMP/err" ||
	fail "the verify error does not name byte $flip"
result_has "\"outcome\": \"verify-mismatch\", .*\"error\": \"verify failed: '$dev' differs from the image at byte $flip (range $(range_of "$flip")), .*\", \"offset\": $flip, \"range\": $(range_of "$flip")}"

# 2. EIO from an offset to the end: the first failing write is named.
fault "$TMP/fuse" "eio-write $eio"
rc=0
"$FLASHBUILD" flash --allow-fixed --progress=none "$img" "$dev" 2>"$TMP/err" || rc=$?
cat "$TMP/err" >&2
fault "$TMP/fuse" clear
[ $rc -ne 0 ] || fail "EIO: exit 0"
grep -q "cannot write '$dev' at byte [0-9]*: Input/output error" "$TMP/err" ||
	fail "the EIO error does not name the device and offset"

# 3. Good again, then EIO in the middle of the body only (a bad spot).
"$FLASHBUILD" flash --allow-fixed --progress=none "$img" "$dev" || fail "the clean flash failed"
[ "$(blkid -p -s PTTYPE -o value "$dev")" = gpt ] || fail "no table after the clean flash"
fault "$TMP/fuse" "eio-write $eio 4096"
rc=0
"$FLASHBUILD" flash --allow-fixed --json "$img" "$dev" >"$TMP/events" 2>"$TMP/err" || rc=$?
cat "$TMP/err" >&2
fault "$TMP/fuse" clear
[ $rc -ne 0 ] || fail "EIO mid-write: exit 0"
at=$(sed -n "s/.*cannot write '.*' at byte \([0-9]*\).*/\1/p" "$TMP/err")
[ -n "$at" ] && [ "$at" -le "$eio" ] && [ $((at + 65536)) -gt "$eio" ] ||
	fail "EIO at $eio reported at '$at'"
result_has "\"outcome\": \"failed\", .*\"error\": \"cannot write '$dev' at byte $at: Input/output error\", \"offset\": $at, \"range\": $(range_of "$at")}"
if sfdisk -d "$dev" >"$TMP/dump" 2>/dev/null; then
	cat "$TMP/dump" >&2
	fail "a partition table survived a failed flash"
fi
if blkid -p "$dev" >"$TMP/blkid"; then
	cat "$TMP/blkid" >&2
	fail "blkid -p finds something on a failed flash"
fi

# 4. Ctrl-C (SIGINT), SIGTERM, SIGHUP in the middle of a slow write: a clean
#    stop that says the device is incomplete, exit 128 + the signal's number
#    (130, 143, 129, as documented), and no partition table.
for sig in INT:130 TERM:143 HUP:129; do
	"$FLASHBUILD" flash --allow-fixed --progress=none "$img" "$dev" || fail "the clean flash failed"
	fault "$TMP/fuse" "slow 200000"
	# a fresh file: the last round's "write" line must not be taken for this one's
	rm -f "$TMP/events"
	"$FLASHBUILD" flash --allow-fixed --json "$img" "$dev" >"$TMP/events" 2>"$TMP/err" &
	pid=$!
	i=0
	until grep -q '"phase": "write"' "$TMP/events" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "the write phase never started"
		sleep 0.05
	done
	kill -"${sig%:*}" $pid
	rc=0
	wait $pid || rc=$?
	fault "$TMP/fuse" clear
	cat "$TMP/err" >&2
	[ $rc -eq "${sig#*:}" ] || fail "SIG${sig%:*}: exit $rc, not ${sig#*:}"
	grep -q "interrupted: the device is now incomplete" "$TMP/err" || fail "SIG${sig%:*}: no word of the interruption"
	tail -n 1 "$TMP/events" | grep -q '"outcome": "cancelled"' || fail "SIG${sig%:*}: no cancelled result event"
	if sfdisk -d "$dev" >/dev/null 2>&1; then
		fail "a partition table survived a flash interrupted by SIG${sig%:*}"
	fi
done
