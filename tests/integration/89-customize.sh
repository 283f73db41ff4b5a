#!/bin/sh
# Each card its own (issue 21, the flash options so far): --user
# NAME[:PASSWORD] (--password-file), --hostname TEMPLATE, --ssh-key FILE
# (--ssh-user), --file SRC:DEST[:MODE] and --machine-id new are written
# into the card's ext4 after its verified
# write, with libext2fs, no mount; read back with debugfs (owner, mode,
# content), e2fsck -fn clean, the image file unchanged, the JSON event
# naming each path's sha256 and no secret.  Bad input is one line, before
# the device is touched.
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"
need debugfs e2fsck ssh-keygen busybox

busybox_board "users = luca:luca"
fb build --board s >"$TMP/build" 2>&1 || { cat "$TMP/build" >&2; fail "build failed"; }
img=$W/out/s.img
img_sha=$(sha256sum "$img" | cut -d' ' -f1)
ssh-keygen -q -t ed25519 -N '' -C unit@test -f "$TMP/key" || fail "ssh-keygen failed"
printf 'welcome\n' >"$TMP/motd"

truncate -s 64M "$TMP/stick"
dev=$(attach "$TMP/stick")
off=1048576
fb flash --allow-fixed --json --hostname 'unit-{date}' --ssh-key "$TMP/key.pub" \
	--file "$TMP/motd:/etc/motd:0640" --machine-id new "$img" "$dev" >"$TMP/json" 2>"$TMP/err" ||
	{ cat "$TMP/err" "$TMP/json" >&2; fail "flash with the customizing options failed"; }
cat "$TMP/json" >&2

dbg() { debugfs -R "$1" "$dev?offset=$off" 2>/dev/null; }
# stat PATH MODE UID GID: debugfs's mode and owner of PATH on the card
has_attrs() {
	dbg "stat $1" >"$TMP/stat"
	grep -q "Mode:  *0*$2 " "$TMP/stat" || { cat "$TMP/stat" >&2; fail "$1: mode is not $2"; }
	grep -q "User: *$3 *Group: *$4 " "$TMP/stat" || { cat "$TMP/stat" >&2; fail "$1: not $3:$4"; }
}
[ "$(dbg 'cat /etc/hostname')" = "unit-$(date -u +%Y-%m-%d)" ] || fail "the hostname is not unit-DATE"
has_attrs /etc/hostname 644 0 0
[ "$(dbg 'cat /etc/motd')" = welcome ] || fail "/etc/motd is not the --file's"
has_attrs /etc/motd 640 0 0
dbg 'cat /home/luca/.ssh/authorized_keys' | cmp -s - "$TMP/key.pub" || fail "authorized_keys is not the key"
has_attrs /home/luca/.ssh 700 1000 1000
has_attrs /home/luca/.ssh/authorized_keys 600 1000 1000
id1=$(dbg 'cat /etc/machine-id')
echo "$id1" | grep -qx '[0-9a-f]\{32\}' || fail "/etc/machine-id is not 32 hex digits: '$id1'"
has_attrs /etc/machine-id 444 0 0
e2fsck -fn "$dev?offset=$off" >"$TMP/fsck" 2>&1 || { cat "$TMP/fsck" >&2; fail "e2fsck -fn after customizing"; }
[ "$(sha256sum "$img" | cut -d' ' -f1)" = "$img_sha" ] || fail "the image file changed"

# The JSON event: each path with the sha256 of what was written, nothing secret.
ev=$(grep '"event": "customized"' "$TMP/json") || fail "no customized event"
for p in /etc/hostname /etc/motd /home/luca/.ssh/authorized_keys /etc/machine-id; do
	echo "$ev" | grep -qF "\"path\": \"$p\"" || fail "the event does not name $p"
done
sum=$(dbg 'cat /etc/motd' | sha256sum | cut -d' ' -f1)
echo "$ev" | grep -qF "\"sha256\": \"$sum\"" || fail "the event has not /etc/motd's sha256"
grep -q "$id1\|unit@test" "$TMP/json" && fail "the event holds a file's content"
grep '"event": "result"' "$TMP/json" | grep -q '"outcome": "ok"' || fail "the flash's result is not ok"

# A second card: its own machine id; the rest of the card is the image's.
truncate -s 64M "$TMP/stick2"
dev2=$(attach "$TMP/stick2")
fb flash --allow-fixed --progress=none --machine-id new "$img" "$dev2" 2>"$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "second flash failed"; }
id2=$(debugfs -R 'cat /etc/machine-id' "$dev2?offset=$off" 2>/dev/null)
[ -n "$id2" ] && [ "$id2" != "$id1" ] || fail "the second card's machine id is not its own ('$id2')"
[ "$(debugfs -R 'cat /etc/hostname' "$dev2?offset=$off" 2>/dev/null)" = s ] ||
	fail "the second card's hostname is not the image's"

# --user: a new user with a password from a file (hashed with a salt of its
# own: openssl computes the same hash), its home and SSH key; an existing
# user's new password; /etc/shadow keeps the image's mode and owner.
printf 's3cret\n' >"$TMP/pw"
shadow_attrs=$(debugfs -R 'stat /etc/shadow' "$dev?offset=$off" 2>/dev/null | grep -o 'Mode: *[0-7]*\|User: *[0-9]* *Group: *[0-9]*' | tr -s ' ')
fb flash --allow-fixed --json --user ana --password-file "$TMP/pw" --ssh-key "$TMP/key.pub" \
	"$img" "$dev" >"$TMP/json" 2>"$TMP/err" || { cat "$TMP/err" >&2; fail "flash --user ana failed"; }
grep -q "s3cret" "$TMP/json" "$TMP/err" && fail "the password is in the output"
dbg 'cat /etc/passwd' | grep -qx 'ana:x:1001:1001:ana:/home/ana:/bin/sh' || fail "no passwd line for ana"
dbg 'cat /etc/group' | grep -q '^ana:x:1001:' || fail "no group ana"
hash=$(dbg 'cat /etc/shadow' | sed -n 's/^ana:\([^:]*\):.*/\1/p')
salt=$(echo "$hash" | cut -d'$' -f3)
[ "$(openssl passwd -6 -salt "$salt" s3cret)" = "$hash" ] || fail "ana's hash is not SHA-512 crypt of the password"
has_attrs /home/ana 700 1001 1001
has_attrs /home/ana/.ssh/authorized_keys 600 1001 1001
[ "$(debugfs -R 'stat /etc/shadow' "$dev?offset=$off" 2>/dev/null | grep -o 'Mode: *[0-7]*\|User: *[0-9]* *Group: *[0-9]*' | tr -s ' ')" = "$shadow_attrs" ] ||
	fail "/etc/shadow's mode or owner changed"
e2fsck -fn "$dev?offset=$off" >"$TMP/fsck" 2>&1 || { cat "$TMP/fsck" >&2; fail "e2fsck -fn after --user"; }
fb flash --allow-fixed --progress=none --user luca:newpass "$img" "$dev2" 2>"$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "flash --user luca:newpass failed"; }
[ "$(debugfs -R 'cat /etc/passwd' "$dev2?offset=$off" 2>/dev/null | grep -c '^luca:')" -eq 1 ] ||
	fail "luca is not in /etc/passwd once"
hash=$(debugfs -R 'cat /etc/shadow' "$dev2?offset=$off" 2>/dev/null | sed -n 's/^luca:\([^:]*\):.*/\1/p')
[ "$(openssl passwd -6 -salt "$(echo "$hash" | cut -d'$' -f3)" newpass)" = "$hash" ] ||
	fail "luca's new password is not the hash"
[ "$(openssl passwd -6 -salt "$(echo "$hash" | cut -d'$' -f3)" luca)" != "$hash" ] ||
	fail "luca's password is still the image's"

# Bad input: one line, exit 1 or 2, the device untouched.
truncate -s 64M "$TMP/blank"
blank=$(attach "$TMP/blank")
blank_sha=$(dev_sha "$blank")
refused() { # EXIT EXPECTED ARGS...
	_want=$1 _text=$2
	shift 2
	rc=0
	fb flash --allow-fixed --progress=none "$@" "$img" "$blank" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ "$rc" -eq "$_want" ] || { cat "$TMP/err" >&2; fail "$*: exit $rc, not $_want"; }
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || { cat "$TMP/err" >&2; fail "$*: not one line"; }
	grep -qF -e "$_text" "$TMP/err" || { cat "$TMP/err" >&2; fail "$*: expected '$_text'"; }
	[ "$(dev_sha "$blank")" = "$blank_sha" ] || fail "$*: the device was written"
	note "$(cat "$TMP/err")"
}
refused 1 "unknown {serialnumber} (one of n, serial, date)" --hostname 'u-{serialnumber}'
refused 1 "{serial} has no value here (the device has no serial number)" --hostname 'u-{serial}'
refused 1 "{n} has no value here" --hostname 'u-{n}'
refused 1 "'bad_name' does not make a host name" --hostname bad_name
refused 1 "is a private key; give the public one" --ssh-key "$TMP/key"
refused 1 "$TMP/motd:1: not an SSH public key" --ssh-key "$TMP/motd"
refused 1 "the image has no user 'nobody2'" --ssh-key "$TMP/key.pub" --ssh-user nobody2
refused 1 "not SRC:DEST[:MODE] with an absolute DEST" --file "$TMP/motd:/etc/../shadow"
refused 1 "the image has no directory '/bin/sh' for '/bin/sh/x' (a symbolic link is not followed)" \
	--file "$TMP/motd:/bin/sh/x"
refused 1 "MODE '999' is not octal permissions" --file "$TMP/motd:/etc/x:999"
refused 2 "--machine-id takes 'new', not 'old'" --machine-id old
refused 1 "--user: 'Ana!' is not a user name" --user 'Ana!:x'
refused 1 "--user ana: no password (NAME:PASSWORD, or --password-file)" --user ana
refused 1 "--user NAME:PASSWORD or --password-file, not both" --user ana:x --password-file "$TMP/pw"
refused 1 "--password-file is --user's password: give --user NAME" --password-file "$TMP/pw"
refused 1 "--ssh-user names whose --ssh-key it is" --ssh-user luca
# an image with no ext4
printf 'label: gpt\nstart=2048, type=uefi, name=esp\n' >"$W/partitions/v.sfdisk"
printf '[image]\nlayout = partitions/v.sfdisk\nsize = 40M\n[part esp]\ncontent = vfat\n' >"$W/boards/v.conf"
fb build --board v >"$TMP/build" 2>&1 || { cat "$TMP/build" >&2; fail "build of v failed"; }
rc=0
fb flash --allow-fixed --progress=none --machine-id new "$W/out/v.img" "$blank" 2>"$TMP/err" || rc=$?
[ "$rc" -eq 1 ] && grep -qF -e "has no ext4 partition to customize" "$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "an image without ext4: not refused in one line"; }
[ "$(dev_sha "$blank")" = "$blank_sha" ] || fail "no ext4: the device was written"
