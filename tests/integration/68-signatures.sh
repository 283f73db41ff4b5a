#!/bin/sh
# OpenPGP-signed bmaps, as bmaptool names them (IMAGE.bmap.asc): flash
# --keyring writes an image whose bmap a key of the keyring signed, and
# refuses (exit 6, one line naming the key and the reason, the device
# untouched) a bmap edited after signing, one signed by another key, by an
# expired or a revoked key, and a missing signature; --no-bmap with
# --keyring is refused too.  A good signature over an image whose bytes were
# changed: exit 5, no partition table.  Without --keyring a signature there
# is checked against the user's keyring.  The station does not start with an
# unsigned image and --keyring.  `verify` checks an image, and a device
# against it (exit 4 naming the first differing byte).  `image --sign`
# signs the bmap; a rebuild without it drops the signature.
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"
need gpg bmaptool

export GNUPGHOME=$TMP/gnupg
mkdir -m 0700 "$GNUPGHOME"
# newkey NAME [GPG-OPTIONS...]: a signing key without a passphrase; its public key in $TMP/NAME.pub
newkey() {
	_n=$1
	shift
	gpg --batch --passphrase '' "$@" --quick-gen-key "$_n <$_n@example.com>" ed25519 sign 1d \
		2>/dev/null || fail "cannot make key $_n"
	gpg --armor --export "$_n@example.com" >"$TMP/$_n.pub" || fail "cannot export key $_n"
}
fpr_of() { gpg --with-colons --list-keys "$1@example.com" | awk -F: '/^fpr/ { print $10; exit }'; }
# sign NAME FILE [GPG-OPTIONS...]: FILE.asc, a detached armored signature by NAME
sign() {
	_n=$1 _f=$2
	shift 2
	gpg --batch --yes "$@" --detach-sign --armor -u "$_n@example.com" -o "$_f.asc" "$_f" \
		2>/dev/null || fail "cannot sign '$_f' with $_n"
}

newkey alice
newkey bob
newkey old --faked-system-time 20200101T000000
newkey gone

img=$TMP/test.img
make_image "$img" 64 25
# gone signs, then is revoked (gpg signs with no revoked key)
sign gone "$img.bmap"
mv "$img.bmap.asc" "$TMP/gone.asc"
sed 's/^:-----/-----/' "$GNUPGHOME/openpgp-revocs.d/$(fpr_of gone).rev" | gpg --batch --import 2>/dev/null ||
	fail "cannot revoke key gone"
gpg --armor --export gone@example.com >"$TMP/gone.pub"
sign alice "$img.bmap"
truncate -s 64M "$TMP/disk"
dev=$(attach "$TMP/disk")
before=$(dev_sha "$dev")

# refused WHY ARGS...: flash exits 6 with one line holding WHY; the device unchanged
refused() {
	_why=$1
	shift
	_rc=0
	"$FLASHBUILD" flash --allow-fixed --progress=none "$@" >"$TMP/out" 2>"$TMP/err" || _rc=$?
	[ $_rc -eq 6 ] || { cat "$TMP/err" >&2; fail "$_why: exit $_rc, not 6"; }
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || { cat "$TMP/err" >&2; fail "$_why: not one line"; }
	grep -qF "$_why" "$TMP/err" || { cat "$TMP/err" >&2; fail "not refused for: $_why"; }
	[ "$(dev_sha "$dev")" = "$before" ] || fail "$_why: the device was written"
	note "refused: $(cat "$TMP/err")"
}

# A good signature by a key of the keyring: written and verified.
"$FLASHBUILD" flash --allow-fixed --keyring "$TMP/alice.pub" --progress=plain "$img" "$dev" \
	>"$TMP/ok" 2>&1 || { cat "$TMP/ok" >&2; fail "flash --keyring of a well-signed image failed"; }
grep -q "^signature '$img.bmap.asc': good, key $(fpr_of alice) (alice <alice@example.com>)$" "$TMP/ok" ||
	{ cat "$TMP/ok" >&2; fail "the signer is not named"; }
ranges_equal "$img" "$img.bmap" "$dev"

# bmaptool finds the same signature under the same name.  Debian 12's bmaptool
# (3.6) checks it only through the python module "gpgme" (pygpgme), which
# Debian 12 does not ship: it stops there, naming that module, so it did take
# IMAGE.bmap.asc for the bmap's signature.
rc=0
bmaptool copy "$img" "$TMP/bmaptool.img" >"$TMP/bt" 2>&1 || rc=$?
bt_python=$(sed -n '1s/^#! *//p' "$(command -v bmaptool)")
if $bt_python -c 'import gpgme' 2>/dev/null; then
	[ $rc -eq 0 ] || { cat "$TMP/bt" >&2; fail "bmaptool refused flashbuild's signed bmap"; }
else
	[ $rc -ne 0 ] && grep -q 'python "gpgme" module' "$TMP/bt" ||
		{ cat "$TMP/bt" >&2; fail "bmaptool did not take IMAGE.bmap.asc for the signature"; }
fi

# verify: the image, then the device against it; one byte changed: exit 4 naming it
"$FLASHBUILD" verify --keyring "$TMP/alice.pub" "$img" >"$TMP/v1" 2>&1 || { cat "$TMP/v1" >&2; fail "verify IMAGE failed"; }
grep -q "matches its bmap: .*signed by key $(fpr_of alice)" "$TMP/v1" || { cat "$TMP/v1" >&2; fail "verify IMAGE said nothing of it"; }
"$FLASHBUILD" verify "$img" "$dev" >"$TMP/v2" 2>&1 || { cat "$TMP/v2" >&2; fail "verify IMAGE DEVICE failed after a flash"; }
grep -q "^'$dev' holds '$img'" "$TMP/v2" || { cat "$TMP/v2" >&2; fail "verify IMAGE DEVICE said nothing"; }
# the first mapped byte after the table: the first 4 MiB of random data
off=$((18 * 1048576 + 12345))
printf 'X' | dd of="$dev" bs=1 seek=$off conv=notrunc status=none
[ "$(dd if="$img" bs=1 skip=$off count=1 status=none)" != X ] || fail "the image holds X there already"
rc=0
"$FLASHBUILD" verify "$img" "$dev" >"$TMP/v3" 2>&1 || rc=$?
[ $rc -eq 4 ] || { cat "$TMP/v3" >&2; fail "verify of a changed device: exit $rc, not 4"; }
grep -q "^error: '$dev' differs from '$img' at byte $off " "$TMP/v3" || { cat "$TMP/v3" >&2; fail "verify does not name byte $off"; }

# Put the disk back to zeros for the refusals: each must leave it so.
dd if=/dev/zero of="$dev" bs=1M count=64 status=none
before=$(dev_sha "$dev")

# Signed by another key, by an expired key, by a revoked key; none at all; no bmap.
cp "$img.bmap.asc" "$TMP/alice.asc"
refused "made by a key that is not in the keyring" --keyring "$TMP/bob.pub" "$img" "$dev"
sign old "$img.bmap" --faked-system-time 20200101T120000
refused "made by a key that has expired" --keyring "$TMP/old.pub" "$img" "$dev"
refused "made by a key that was revoked" --keyring "$TMP/gone.pub" --bmap-sig "$TMP/gone.asc" "$img" "$dev"
rm "$img.bmap.asc"
refused "is not signed" --keyring "$TMP/alice.pub" "$img" "$dev"
cp "$TMP/alice.asc" "$img.bmap.asc"
refused "has no bmap (--no-bmap)" --keyring "$TMP/alice.pub" --no-bmap "$img" "$dev"
# --bmap-sig names the signature; a bmap changed after signing is refused
cp "$img.bmap" "$TMP/edited.bmap"
sed -i 's/<!--/<!-- edited/' "$TMP/edited.bmap"
refused "bad signature" --keyring "$TMP/alice.pub" --bmap "$TMP/edited.bmap" --bmap-sig "$TMP/alice.asc" "$img" "$dev"
# without --keyring: a signature there is checked against the user's keyring; one that fails refuses
refused "bad signature" --bmap "$TMP/edited.bmap" --bmap-sig "$TMP/alice.asc" "$img" "$dev"
rc=0
"$FLASHBUILD" flash --allow-fixed --no-sig-verify --progress=none --bmap "$TMP/edited.bmap" \
	--bmap-sig "$TMP/alice.asc" "$img" "$dev" 2>"$TMP/err" || rc=$?
grep -q "own checksum does not match" "$TMP/err" || { cat "$TMP/err" >&2; fail "--no-sig-verify did not skip the signature"; }

# A good signature over changed image bytes: the range check catches it (exit 5), no table.
cp "$img" "$TMP/bad.img"
cp "$img.bmap" "$TMP/bad.img.bmap"
cp "$img.bmap.asc" "$TMP/bad.img.bmap.asc"
printf 'Y' | dd of="$TMP/bad.img" bs=1 seek=$off conv=notrunc status=none
rc=0
"$FLASHBUILD" flash --allow-fixed --keyring "$TMP/alice.pub" --progress=none "$TMP/bad.img" "$dev" \
	2>"$TMP/err" || rc=$?
[ $rc -eq 5 ] || { cat "$TMP/err" >&2; fail "a changed image under a good signature: exit $rc, not 5"; }
[ -z "$(blkid -p -s PTTYPE -o value "$dev" || true)" ] || fail "a partition table was written"
rc=0
"$FLASHBUILD" verify --keyring "$TMP/alice.pub" "$TMP/bad.img" >"$TMP/out" 2>&1 || rc=$?
[ $rc -eq 5 ] || { cat "$TMP/out" >&2; fail "verify of a changed image: exit $rc, not 5"; }

# The station does not start with --keyring and an unsigned image.
rm "$img.bmap.asc"
rc=0
"$FLASHBUILD" station --keyring "$TMP/alice.pub" --log "$TMP/station.log" \
	--match 'DEVNAME=/dev/nothing' "$img" >"$TMP/out" 2>"$TMP/err" || rc=$?
[ $rc -eq 6 ] || { cat "$TMP/err" >&2; fail "station with an unsigned image: exit $rc, not 6"; }
[ "$(wc -l <"$TMP/err")" -eq 1 ] || { cat "$TMP/err" >&2; fail "station: not one line"; }
grep -q "is not signed" "$TMP/err" || { cat "$TMP/err" >&2; fail "station: not the expected refusal"; }

# image --sign: the bmap signed where bmaptool looks for it; without --sign, no stale signature.
W=$TMP/proj
mkdir -p "$W/boards" "$W/partitions"
printf 'label: gpt\nstart=2048, size=4M, name=data\n' >"$W/partitions/s.sfdisk"
printf '[image]\nlayout = partitions/s.sfdisk\nsize = 8M\n[part data]\ncontent = empty\n' >"$W/boards/s.conf"
"$FLASHBUILD" -C "$W" image --board s --sign alice@example.com >"$TMP/out" 2>&1 ||
	{ cat "$TMP/out" >&2; fail "image --sign failed"; }
[ -s "$W/out/s.img.bmap.asc" ] || fail "image --sign wrote no out/s.img.bmap.asc"
"$FLASHBUILD" verify --keyring "$TMP/alice.pub" "$W/out/s.img" >"$TMP/out" 2>&1 ||
	{ cat "$TMP/out" >&2; fail "the signature image --sign made is refused"; }
"$FLASHBUILD" -C "$W" image --board s >"$TMP/out" 2>&1 || { cat "$TMP/out" >&2; fail "image without --sign failed"; }
[ ! -e "$W/out/s.img.bmap.asc" ] || fail "a signature of the old bmap was left"
note "good, other, expired, revoked, missing, edited and no-bmap signatures; verify; station; image --sign"
