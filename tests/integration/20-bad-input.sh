#!/bin/sh
# Bad input gives one error line naming file:line or the partition, a
# non-zero exit, no new out/NAME.img, and an older good image untouched.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need gzip python3

W=$TMP/work
mkdir -p "$W/boards" "$W/partitions" "$W/tree/etc"
echo hello >"$W/tree/etc/motd"
head -c 3000000 /dev/urandom >"$W/tree/big"
tar -C "$W/tree" -czf "$W/tree.tar.gz" .
head -c 2000 /dev/urandom >"$W/blob.bin"

cat >"$W/partitions/ok.sfdisk" <<'L'
label: gpt
start=2048, size=6MiB, type=linux, name=root
L
cat >"$W/partitions/overlap.sfdisk" <<'L'
label: gpt
start=2048, size=4MiB, name=a
start=6144, size=4MiB, name=b
L
# libfdisk: "Start sector 6144 out of range." (dos), or only "Invalid argument" when the table
# is written (gpt, a partition running into the next)
printf 'label: dos\nstart=2048, size=4MiB\nstart=6144, size=4MiB\n' >"$W/partitions/overlap-dos.sfdisk"
cat >"$W/partitions/overlap-end.sfdisk" <<'L'
label: gpt
start=8192, size=2MiB, name=a
start=2048, size=4MiB, name=b
L
cat >"$W/partitions/exceed.sfdisk" <<'L'
label: gpt

start=2048, size=40MiB, name=root
L
good() {
	cat <<B
[image]
layout = partitions/${1:-ok}.sfdisk
size = 8M
[part root]
content = ext4
from = ${2:-tree.tar.gz}
B
}

# expect NAME REGEX: flashbuild fails on boards/NAME.conf with one error line matching REGEX
expect() {
	_rc=0
	"$FLASHBUILD" -C "$W" image --board "$1" >"$TMP/out" 2>"$TMP/err" || _rc=$?
	[ "$_rc" -ne 0 ] || fail "$1: exit status 0"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || { cat "$TMP/err" >&2; fail "$1: not one error line"; }
	grep -Eq "^error: $2\$" "$TMP/err" || { cat "$TMP/err" >&2; fail "$1: error does not match '$2'"; }
	[ ! -e "$W/out/$1.img" ] || fail "$1: out/$1.img exists after a failure"
	[ -z "$(find "$W/out" -name ".$1.*" 2>/dev/null)" ] || fail "$1: a temporary file is left"
	note "$1: $(cat "$TMP/err")"
}

{ good; echo "colour = red"; } >"$W/boards/unknown-key.conf"
expect unknown-key "boards/unknown-key.conf:7: unknown key 'colour' for partition 'root'"

{ good; echo "[kernal]"; echo "x = 1"; } >"$W/boards/unknown-section.conf"
expect unknown-section "boards/unknown-section.conf:7: unknown section \[kernal\]"

good >"$W/boards/bad-epoch.conf"
SOURCE_DATE_EPOCH=yesterday expect bad-epoch "SOURCE_DATE_EPOCH='yesterday' is not a number of seconds since 1970"
SOURCE_DATE_EPOCH=0 expect bad-epoch "SOURCE_DATE_EPOCH=0 is outside 1980-2099, which FAT and cpio can store"
unset SOURCE_DATE_EPOCH # sh may keep an assignment made before a function call

good overlap >"$W/boards/overlap.conf"
expect overlap "partitions/overlap.sfdisk:3: partition 2 \(sectors 6144-14335\) overlaps partition 1 \(sectors 2048-10239\)"
good overlap-dos >"$W/boards/overlap-dos.conf"
expect overlap-dos "partitions/overlap-dos.sfdisk:3: partition 2 \(sectors 6144-14335\) overlaps partition 1 \(sectors 2048-10239\)"
good overlap-end >"$W/boards/overlap-end.conf"
expect overlap-end "partitions/overlap-end.sfdisk:3: partition 2 \(sectors 2048-10239\) overlaps partition 1 \(sectors 8192-12287\)"

good exceed >"$W/boards/exceed.conf"
expect exceed "partitions/exceed.sfdisk:3: partition 1 \(40 MiB at sector 2048\) does not fit in the 8 MiB image"

{ good; printf '[raw spl]\nfile = blob.bin\noffset = 1M\n'; } >"$W/boards/blob-over-part.conf"
expect blob-over-part "boards/blob-over-part.conf:7: raw 'spl' \('blob.bin', bytes 1048576-1050575\) overlaps partition 1 \('root'\) \(bytes 1048576-7340031\)"

{ good; printf '[raw spl]\nfile = blob.bin\noffset = 8K\n'; } >"$W/boards/blob-over-table.conf"
expect blob-over-table "boards/blob-over-table.conf:7: raw 'spl' \('blob.bin', bytes 8192-10191\) overlaps the gpt partition table \(bytes 0-17407\)"

good ok >"$W/boards/no-fit.conf"
sed -i "s/size=6MiB/size=2MiB/" "$W/partitions/ok.sfdisk"
expect no-fit "partition 'root': .* not fit in 2 MiB.*"
sed -i "s/size=2MiB/size=6MiB/" "$W/partitions/ok.sfdisk"

head -c 1500000 "$W/tree.tar.gz" >"$W/truncated.tar.gz"
good ok truncated.tar.gz >"$W/boards/truncated.conf"
expect truncated ".*truncated\.tar\.gz.*"

good ok missing.tar >"$W/boards/missing-src.conf"
expect missing-src "partition 'root': cannot read 'missing\.tar': No such file or directory"

{ good; echo "[bootloader]"; echo "kinds = lilo"; } >"$W/boards/boot-kind.conf"
expect boot-kind "boards/boot-kind.conf:8: unknown bootloader 'lilo' \(one of syslinux, grub-efi, extlinux, shim, rpi\)"

{ good; echo "[bootloader]"; echo "kinds = syslinux"; echo "colour = red"; } >"$W/boards/boot-key.conf"
expect boot-key "boards/boot-key.conf:9: unknown key 'colour' in \[bootloader\]"

{ good; echo "[bootloader]"; echo "kinds = syslinux"; } >"$W/boards/boot-nofat.conf"
expect boot-nofat "boards/boot-nofat.conf:7: \[bootloader\] syslinux needs a \[part\] with content = vfat"

{ good; echo "[bootloader]"; echo "kinds = grub-efi"; echo "grub-efi-partition = esp"; } >"$W/boards/efi-nopart.conf"
expect efi-nopart "boards/efi-nopart.conf:7: \[bootloader\] grub-efi: no \[part esp\]"

{ echo "[image]"; echo "layout = partitions/ok.sfdisk"; echo "size = 8Q"; } >"$W/boards/bad-size.conf"
expect bad-size "boards/bad-size.conf:3: bad value '8Q' for 'size': expected a size such as 512, 8K, 64M or 2G"

# An older good image stays as it was when a later build fails.
good ok >"$W/boards/keep.conf"
"$FLASHBUILD" -q -C "$W" image --board keep || fail "the good build failed"
sum=$(sha256sum <"$W/out/keep.img")
bsum=$(sha256sum <"$W/out/keep.img.bmap")
good ok truncated.tar.gz >"$W/boards/keep.conf"
expect_keep_rc=0
"$FLASHBUILD" -q -C "$W" image --board keep 2>/dev/null || expect_keep_rc=$?
[ "$expect_keep_rc" -eq 1 ] || fail "a failed rebuild exited $expect_keep_rc, not 1"
[ "$(sha256sum <"$W/out/keep.img")" = "$sum" ] || fail "the older image was changed"
[ "$(sha256sum <"$W/out/keep.img.bmap")" = "$bsum" ] || fail "the older bmap was changed"

# Usage errors exit 2.
rc=0
"$FLASHBUILD" image >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "image without --board exited $rc, not 2"
rc=0
"$FLASHBUILD" frobnicate >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "an unknown command exited $rc, not 2"

# Each command's own help: exit 0, that command's options only.
for form in "flash --help" "flash -h" "help flash"; do
	# shellcheck disable=SC2086
	"$FLASHBUILD" $form >"$TMP/help" 2>&1 || fail "'$form' exited non-zero"
	grep -q -- '--check-capacity' "$TMP/help" || fail "'$form' does not show flash's options"
	! grep -q -- '--stop-timeout' "$TMP/help" || fail "'$form' shows station's options too"
done
rc=0
"$FLASHBUILD" help frobnicate >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "help of an unknown command exited $rc, not 2"
