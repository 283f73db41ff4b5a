#!/bin/sh
# check-fast: no (builds an x86 kernel from source, unless the test cache holds it)
# x86-usb, UEFI route: OVMF (a private copy of its variable store) starts
# GRUB as \EFI\BOOT\BOOTX64.EFI from the stick's FAT partition; GRUB starts
# the same kernel and initramfs as SYSLINUX does, whose /init mounts the
# stick's ext4 partition.  Then a copy of the image booted with --disk keeps
# what the guest wrote: the rootfs is on disk and writable.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need qemu-system-x86_64 grub-mkimage mcopy mdir mtype sfdisk debugfs
VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
[ -r "$VARS" ] || fail "ovmf is not installed (scripts/install-deps)"

board_build x86-usb
img=$W/out/x86-usb.img

# GRUB for x86_64-efi where UEFI firmware looks on removable media, and its grub.cfg
mdir -/ -b -i "$img@@1048576" ::/ >"$TMP/fat" || fail "mdir cannot read the FAT"
for f in EFI/BOOT/BOOTX64.EFI EFI/BOOT/grub.cfg vmlinuz initrd.img; do
	grep -qix "::/$f" "$TMP/fat" || { cat "$TMP/fat" >&2; fail "no $f in the FAT"; }
done
mcopy -i "$img@@1048576" ::/EFI/BOOT/BOOTX64.EFI "$TMP/grub.efi" || fail "cannot read BOOTX64.EFI"
[ "$(head -c 2 "$TMP/grub.efi")" = MZ ] || fail "BOOTX64.EFI is not a PE program"
mtype -i "$img@@1048576" ::/EFI/BOOT/grub.cfg >"$TMP/cfg" || fail "cannot read grub.cfg"
grep -q "linux /vmlinuz 'console=tty0' 'console=ttyS0'" "$TMP/cfg" ||
	{ cat "$TMP/cfg" >&2; fail "grub.cfg lacks the [kernel] cmdline"; }

# The boot: OVMF -> GRUB -> kernel -> initramfs -> the stick's ext4, on the image itself
before=$(cksum <"$img")
vars_before=$(cksum <"$VARS")
mkdir "$TMP/t"
TMPDIR=$TMP/t fb emulate --board x86-usb --firmware uefi --timeout 280 \
	--run 'findmnt -no SOURCE,FSTYPE /; cat /proc/cmdline; ls -1 /sys/firmware' \
	>"$TMP/run" 2>&1 || { cat "$TMP/run" >&2; fail "emulate --firmware uefi failed"; }
cat "$TMP/run" >&2
grep -Eq '^/dev/sda2 ext4$' "$TMP/run" || fail "the root is not the stick's ext4 partition"
grep -q '^BOOT_IMAGE=/vmlinuz console=tty0 console=ttyS0' "$TMP/run" || fail "the kernel was not started by GRUB"
grep -q 'initrd=' "$TMP/run" && fail "SYSLINUX started the kernel, not GRUB"
grep -qx 'efi' "$TMP/run" || fail "the kernel did not boot through UEFI (no /sys/firmware/efi)"
[ "$(cksum <"$img")" = "$before" ] || fail "emulate changed the image"
[ "$(cksum <"$VARS")" = "$vars_before" ] || fail "emulate changed Debian's OVMF_VARS template"
[ -z "$(ls -A "$TMP/t")" ] || fail "emulate left its UEFI variable store behind: $(ls "$TMP/t")"

# --disk: a copy of the image, written to by the guest, as root
cp --sparse=always "$img" "$TMP/stick.img"
fb emulate --board x86-usb --firmware uefi --disk "$TMP/stick.img" --login root:root --timeout 280 \
	--run 'echo hi > /root/x; sync' >"$TMP/run2" 2>&1 ||
	{ cat "$TMP/run2" >&2; fail "emulate --disk failed"; }
off=$(part_offset "$TMP/stick.img" 2)
size=$(part_size "$TMP/stick.img" 2)
extract_part "$TMP/stick.img" "$off" "$size" "$TMP/root.ext4"
debugfs -R 'cat /root/x' "$TMP/root.ext4" >"$TMP/x" 2>/dev/null || fail "debugfs cannot read /root/x"
[ "$(cat "$TMP/x")" = hi ] || fail "/root/x in the image's ext4 holds '$(cat "$TMP/x")', not 'hi'"
[ "$(cksum <"$img")" = "$before" ] || fail "emulate --disk changed the board's image"

# Bad firmware names are usage errors
rc=0
fb emulate --board x86-usb --firmware coreboot --run true 2>"$TMP/err" || rc=$?
[ $rc -eq 2 ] || fail "--firmware coreboot: exit $rc, not 2"
grep -q "firmware takes bios, uefi or uefi-secure, not 'coreboot'" "$TMP/err" || fail "no clear error for --firmware coreboot"
