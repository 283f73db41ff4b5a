#!/bin/sh
# check-fast: no (builds an x86 kernel from source, unless the test cache holds it)
# x86-usb on a "stick": the image flashed to a loop device with
# `flashbuild flash` boots when QEMU is pointed at that device
# (emulate --disk), and what the guest writes lands on the device's ext4.
# A disk with a mounted filesystem is refused (exit 3) and not touched.
# A stick flashed with --hostname and --user boots as that host, the user
# logging in with the new password, not the image's.
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"
need qemu-system-x86_64 debugfs mkfs.ext4 mount umount

board_build x86-usb
img=$W/out/x86-usb.img

truncate -s 512M "$TMP/stick"
dev=$(attach "$TMP/stick")
fb flash --allow-fixed --progress=none "$img" "$dev" >"$TMP/flash" 2>&1 ||
	{ cat "$TMP/flash" >&2; fail "flash to $dev failed"; }

fb emulate --board x86-usb --disk "$dev" --login root:root --timeout 280 \
	--run 'findmnt -no SOURCE,FSTYPE /; echo hi > /root/x; sync' >"$TMP/run" 2>&1 ||
	{ cat "$TMP/run" >&2; fail "emulate --disk $dev failed"; }
cat "$TMP/run" >&2
grep -Eq '^/dev/sda2 ext4$' "$TMP/run" || fail "the root is not the stick's ext4 partition"

off=$(part_offset "$dev" 2)
size=$(part_size "$dev" 2)
extract_part "$dev" "$off" "$size" "$TMP/root.ext4"
debugfs -R 'cat /root/x' "$TMP/root.ext4" >"$TMP/x" 2>/dev/null || fail "debugfs cannot read /root/x"
[ "$(cat "$TMP/x")" = hi ] || fail "/root/x on $dev holds '$(cat "$TMP/x")', not 'hi'"

# A disk with a mounted filesystem: refused before QEMU starts, bytes unchanged
truncate -s 64M "$TMP/busy"
printf 'label: gpt\nstart=2048, name=data\n' | sfdisk -q "$TMP/busy"
busy=$(attach "$TMP/busy")
partx -a "$busy"
mkfs.ext4 -q "${busy}p1"
mkdir "$TMP/mnt"
mount -o ro,noload "${busy}p1" "$TMP/mnt"
sync
before=$(dev_sha "$busy")
rc=0
fb emulate --board x86-usb --disk "$busy" --run true >"$TMP/out" 2>"$TMP/err" || rc=$?
umount "$TMP/mnt"
cat "$TMP/err" >&2
[ $rc -eq 3 ] || fail "emulate --disk on a mounted disk: exit $rc, not 3"
grep -q "refusing to write '$busy': mounted (${busy}p1 on $TMP/mnt)" "$TMP/err" ||
	fail "no one-line refusal naming $busy"
grep -q '^boot:' "$TMP/out" && fail "QEMU booted a refused disk"
[ "$(dev_sha "$busy")" = "$before" ] || fail "'$busy' was changed"

# Each card its own (issue 21): a stick flashed with --hostname and a new
# password for luca boots with that hostname, and luca logs in with it.
truncate -s 512M "$TMP/stick3"
dev3=$(attach "$TMP/stick3")
fb flash --allow-fixed --progress=none --hostname unit-7 --user luca:s3cret "$img" "$dev3" \
	>"$TMP/flash3" 2>&1 || { cat "$TMP/flash3" >&2; fail "flash --hostname --user failed"; }
fb emulate --board x86-usb --disk "$dev3" --login luca:s3cret --timeout 280 \
	--run 'hostname; id luca' >"$TMP/run3" 2>&1 || { cat "$TMP/run3" >&2; fail "luca cannot log in with the card's password"; }
cat "$TMP/run3" >&2
grep -qx unit-7 "$TMP/run3" || fail "the customized stick's hostname is not unit-7"
grep -q '^uid=1000(luca) gid=1000(luca)' "$TMP/run3" || fail "no luca on the customized stick"
rc=0
fb emulate --board x86-usb --disk "$dev3" --login luca:luca --timeout 280 --run true \
	>"$TMP/run4" 2>&1 || rc=$?
if [ "$rc" -eq 0 ] || ! grep -q "login incorrect" "$TMP/run4"; then
	cat "$TMP/run4" >&2
	fail "the image's password still logs luca in"
fi
