#!/bin/sh
# check-fast: no (builds an x86 kernel from source, unless the test cache holds it)
# x86-usb, BIOS route: the board's image boots as a USB stick on QEMU's pc
# machine with SeaBIOS: Syslinux's mbr.bin in the MBR, SYSLINUX in the
# bootable FAT partition with the kernel and the initramfs, whose /init
# waits for the stick's ext4 partition and switch_roots to it.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need qemu-system-x86_64 syslinux mcopy mdir sfdisk
MBR=/usr/lib/syslinux/mbr/mbr.bin
[ -r "$MBR" ] || skip "syslinux-common is not installed (scripts/install-deps)"

board_build x86-usb
cat "$TMP/build" >&2
img=$W/out/x86-usb.img

# The image: a dos table with a bootable FAT partition, mbr.bin's code in the MBR
sfdisk -d "$img" >"$TMP/table" || fail "sfdisk cannot read the image"
grep -Eq '^label: dos$' "$TMP/table" || fail "not a dos table"
grep -Eq 'img1 : start= *2048, size= *131072, type=c, bootable$' "$TMP/table" ||
	{ cat "$TMP/table" >&2; fail "partition 1 is not a bootable FAT partition"; }
cmp -n 440 "$img" "$MBR" >/dev/null 2>&1 || {
	# mbr.bin is shorter than 440 bytes: compare what it has
	n=$(wc -c <"$MBR")
	cmp -n "$n" "$img" "$MBR" || fail "the MBR does not hold Syslinux's mbr.bin"
}
mdir -a -b -i "$img@@1048576" ::/ >"$TMP/fat" || fail "mdir cannot read the FAT"
for f in ldlinux.sys ldlinux.c32 syslinux.cfg vmlinuz initrd.img; do
	grep -qix "::/$f" "$TMP/fat" || { cat "$TMP/fat" >&2; fail "no $f in the FAT"; }
done
mtype -i "$img@@1048576" ::/syslinux.cfg >"$TMP/cfg" || fail "cannot read syslinux.cfg"
grep -q 'APPEND console=tty0 console=ttyS0' "$TMP/cfg" || { cat "$TMP/cfg" >&2; fail "syslinux.cfg lacks the [kernel] cmdline"; }

# The boot: firmware -> MBR -> SYSLINUX -> kernel -> initramfs -> the stick's ext4
before=$(cksum <"$img")
fb emulate --board x86-usb --firmware bios --timeout 280 \
	--run 'findmnt -no SOURCE,FSTYPE /; cat /proc/cmdline; readlink -f /sys/block/sda; ls -1 /sys/firmware; findmnt -no SOURCE,FSTYPE /boot' \
	>"$TMP/run" 2>&1 || { cat "$TMP/run" >&2; fail "emulate --run failed"; }
cat "$TMP/run" >&2
grep -Eq '^/dev/sda2 ext4$' "$TMP/run" || fail "the root is not the stick's ext4 partition"
grep -Eq '^/dev/sda1 vfat$' "$TMP/run" || fail "/etc/fstab does not mount the boot partition at /boot"
# SYSLINUX appends initrd=; GRUB does not
grep -q '^BOOT_IMAGE=/vmlinuz .* initrd=/initrd.img$' "$TMP/run" || fail "the kernel was not started by SYSLINUX"
grep -qx 'efi' "$TMP/run" && fail "booted through UEFI, not BIOS"
grep -q '^login prompt: [0-9.]* s$' "$TMP/run" || fail "no login prompt time"
grep -q '/usb[0-9]*/' "$TMP/run" || fail "sda is not a USB disk"
[ "$(cksum <"$img")" = "$before" ] || fail "emulate changed the image"
