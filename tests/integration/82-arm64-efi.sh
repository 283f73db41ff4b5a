#!/bin/sh
# Board arm64-efi: a GPT disk whose ESP holds GRUB for arm64-efi (modules
# from grub-efi-arm64-bin:arm64) as \EFI\BOOT\BOOTAA64.EFI with Debian's
# arm64 kernel and the initramfs; QEMU virt (cortex-a53) with EDK2 boots
# it from a virtio disk, the initramfs loads the virtio and ext4 modules,
# and the root is the disk's ext4 partition with arm64 busybox and
# util-linux's findmnt.  A rebuild on the warm cache does nothing.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need qemu-system-aarch64 grub-mkimage mcopy mdir mtype sfdisk debugfs dpkg
dpkg --print-foreign-architectures | grep -qx arm64 ||
	skip "dpkg does not know architecture arm64 (scripts/install-deps adds it)"
VARS=/usr/share/AAVMF/AAVMF_VARS.fd
[ -r "$VARS" ] || fail "qemu-efi-aarch64 is not installed (scripts/install-deps)"

start=$(date +%s)
board_build arm64-efi
img=$W/out/arm64-efi.img
note "build: $(($(date +%s) - start)) s"

# The table: a GPT, the ESP first with the ESP type, then root.
[ "$(label_type "$img")" = gpt ] || fail "not a GPT"
[ "$(part_type "$img" esp)" = C12A7328-F81F-11D2-BA4B-00A0C93EC93B ] || fail "esp is not an ESP"
esp=$(part_offset "$img" esp)
root=$(part_offset "$img" root)
mdir -/ -b -i "$img@@$esp" ::/ >"$TMP/fat" || fail "mdir cannot read the ESP"
for f in EFI/BOOT/BOOTAA64.EFI EFI/BOOT/grub.cfg vmlinuz initrd.img; do
	grep -qix "::/$f" "$TMP/fat" || { cat "$TMP/fat" >&2; fail "no $f in the ESP"; }
done
mcopy -i "$img@@$esp" ::/EFI/BOOT/BOOTAA64.EFI "$TMP/grub.efi" || fail "cannot read BOOTAA64.EFI"
file "$TMP/grub.efi" | grep -q "Aarch64" || fail "BOOTAA64.EFI is not an arm64 program: $(file "$TMP/grub.efi")"
ext4_fsck "$img" "$root"
debugfs -R "stat /bin/findmnt" "$img?offset=$root" 2>/dev/null | grep -q "Type: regular" ||
	fail "no /bin/findmnt in the rootfs"

# Nothing to do the second time.
fb build --board arm64-efi >"$TMP/again" 2>&1 || { cat "$TMP/again" >&2; fail "rebuild failed"; }
grep -q "image      up to date" "$TMP/again" || { cat "$TMP/again" >&2; fail "rebuild not a no-op"; }

# The boot: EDK2 -> GRUB -> kernel -> initramfs (modules) -> the virtio disk's ext4.
before=$(cksum <"$img")
mkdir "$TMP/t"
TMPDIR=$TMP/t fb emulate --board arm64-efi --timeout 280 \
	--run 'uname -m; findmnt -no SOURCE /; cut -d" " -f1 /proc/modules; ls -1 /sys/firmware' \
	>"$TMP/run" 2>&1 || { cat "$TMP/run" >&2; fail "emulate failed"; }
cat "$TMP/run" >&2
grep -q '^boot: .* s (guest: .* seconds)$' "$TMP/run" || fail "no boot time line"
grep -qx 'aarch64' "$TMP/run" || fail "the guest is not aarch64"
grep -qx '/dev/vda2' "$TMP/run" || fail "the root is not the virtio disk's second partition"
for m in virtio_blk virtio_pci ext4 jbd2 crc32c_generic; do
	grep -qx "$m" "$TMP/run" || fail "module $m is not loaded"
done
grep -qx 'efi' "$TMP/run" || fail "the kernel did not boot through UEFI (no /sys/firmware/efi)"
[ "$(cksum <"$img")" = "$before" ] || fail "emulate changed the image"
[ -z "$(ls -A "$TMP/t")" ] || fail "emulate left its UEFI variable store behind"

# The guest command's status is emulate's; UEFI is the machine's default
# firmware (a board without "firmware = uefi" boots the same).
sed '/^firmware = uefi$/d' "$W/boards/arm64-efi.conf" >"$W/boards/arm64-efi-nofw.conf"
! grep -q '^firmware' "$W/boards/arm64-efi-nofw.conf" || fail "the copy still names its firmware"
rc=0
fb emulate --board arm64-efi-nofw --timeout 280 --run 'exit 7' >"$TMP/run2" 2>&1 || rc=$?
[ "$rc" -eq 7 ] || { cat "$TMP/run2" >&2; fail "exit status $rc, not the guest's 7"; }

# A firmware the machine cannot boot: one line, before QEMU starts.
rc=0
fb emulate --board arm64-efi --firmware bios --run true >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" -eq 1 ] || { cat "$TMP/err" >&2; fail "--firmware bios: exit status $rc"; }
grep -qx "error: emulate: --firmware: emulate machine 'arm64-efi-virt' boots through UEFI only, not 'bios'" \
	"$TMP/err" || { cat "$TMP/err" >&2; fail "--firmware bios: not the expected error"; }
! grep -q '^boot:' "$TMP/out" || fail "--firmware bios: QEMU started"
