#!/bin/sh
# Fake-capacity cards: a loop device on a FUSE file that claims 512 MiB but
# holds less, every byte at or past its real size landing on byte O % REAL
# (tests/tools/faultfs.c "wrap"), with real sizes that are neither powers of
# two nor multiples of anything the check uses.
# - holds 200,000,000 bytes, more than the image spans (only the check can
#   tell): --check-capacity refuses, exit 3, naming 200000000, and the card
#   holds exactly what it held;
# - holds 60,000,000 bytes, less than the image spans: without the check the
#   flash does not end "verified" (exit 4, no partition table); with it, 3;
# - a genuine card passes the check and holds every mapped range;
# - Ctrl-C 2 s into a slow check: exit 130 at once, the card as it was.
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"
need bmaptool

img=$TMP/test.img
make_image "$img" 128 30
truncate -s 512M "$TMP/back"
head -c 200000000 /dev/urandom | dd of="$TMP/back" conv=notrunc status=none
faultfs_start "$TMP/back" "$TMP/fuse"
dev=$(attach "$TMP/fuse/disk")
back_sha() { sha256sum "$TMP/back" | cut -d' ' -f1; }

# flash_rc ARGS...: flashbuild flash's exit status, its stderr in $TMP/err
flash_rc() {
	_rc=0
	"$FLASHBUILD" flash --allow-fixed --progress=none "$@" "$img" "$dev" 2>"$TMP/err" || _rc=$?
	cat "$TMP/err" >&2
	return $_rc
}

# 1. 200,000,000 bytes behind 512 MiB: refused by the check, named, untouched.
fault "$TMP/fuse" "wrap 200000000"
before=$(back_sha)
rc=0
flash_rc --check-capacity || rc=$?
[ $rc -eq 3 ] || fail "a 200,000,000-byte card: exit $rc, not 3"
grep -q "a fake-capacity card: it says 512 MiB, but holds 200000000 bytes" "$TMP/err" ||
	fail "the real size is not named"
[ "$(back_sha)" = "$before" ] || fail "the check left the card changed"

# 2. 60,000,000 bytes, less than the image spans: never "verified".
fault "$TMP/fuse" "wrap 60000000"
rc=0
flash_rc || rc=$?
[ $rc -eq 4 ] || fail "a 60,000,000-byte card without the check: exit $rc, not 4"
grep -q "verify failed" "$TMP/err" || fail "no verify failure on a card that wraps at 60,000,000"
if sfdisk -d "$dev" >/dev/null 2>&1; then
	fail "a card that failed its verify holds a partition table"
fi
before=$(back_sha)
rc=0
flash_rc --check-capacity || rc=$?
[ $rc -eq 3 ] || fail "a 60,000,000-byte card with the check: exit $rc, not 3"
grep -q "holds 60000000 bytes" "$TMP/err" || fail "the real size 60000000 is not named"
[ "$(back_sha)" = "$before" ] || fail "the check left the 60,000,000-byte card changed"

# 4. Ctrl-C 2 s into a slow check: at once, exit 130, the card as it was (checked
#    before 3, which writes the image).
fault "$TMP/fuse" "wrap 200000000"
fault "$TMP/fuse" "slow 20000"
before=$(back_sha)
"$FLASHBUILD" flash --allow-fixed --check-capacity --json "$img" "$dev" >"$TMP/events" 2>"$TMP/err" &
pid=$!
sleep 2
grep -q '"phase": "capacity"' "$TMP/events" || fail "the check was not running 2 s in"
t0=$(date +%s%N)
kill -INT $pid
rc=0
wait $pid || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
fault "$TMP/fuse" "slow 0"
cat "$TMP/err" >&2
[ $rc -eq 130 ] || fail "Ctrl-C in the check: exit $rc, not 130"
[ $ms -lt 3000 ] || fail "Ctrl-C in the check: $ms ms to stop"
[ "$(back_sha)" = "$before" ] || fail "a check stopped by Ctrl-C left the card changed"
grep -q "interrupted: nothing was written" "$TMP/err" || fail "the stop does not say the card is as it was"
note "stopped $ms ms after Ctrl-C"

# 3. A genuine card (of the image's size: its GPT stays where the image has it):
#    the check passes, every mapped range is there.
truncate -s 128M "$TMP/back2"
faultfs_start "$TMP/back2" "$TMP/fuse2"
dev=$(attach "$TMP/fuse2/disk")
flash_rc --check-capacity || fail "a genuine card: exit $?"
ranges_equal "$img" "$img.bmap" "$dev"
