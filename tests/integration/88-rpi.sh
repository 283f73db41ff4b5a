#!/bin/sh
# Board rpi (Raspberry Pi 3 B/B+, 4 B, 400): an MBR card whose first FAT
# partition holds Debian's GPU firmware (raspi-firmware, from the archive's
# non-free-firmware component, which this machine's apt sources do not
# list: fetched through the cache's own apt lists, the host's left as they
# are), the kernel package's device trees for the models, the kernel, the
# initramfs, config.txt and cmdline.txt (root=PARTUUID of partition 2, the
# ext4 root).  emulate does the firmware's step (QEMU's raspi3b runs no GPU
# firmware) and boots the card; so does the plain QEMU command line of
# docs/boards.md, from the files on the card alone.  flash --grow takes the
# root to the card's end.  And the one-line errors.
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"
. "$TOOLS/stationlib.sh"
need qemu-system-aarch64 sfdisk mcopy fsck.vfat debugfs dpkg-deb apt-cache
dpkg --print-foreign-architectures | grep -qx arm64 ||
	skip "dpkg does not know architecture arm64 (scripts/install-deps adds it)"

apt_before=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | cksum)
start=$(date +%s)
board_build rpi
img=$W/out/rpi.img
note "build: $(($(date +%s) - start)) s"
[ "$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | cksum)" = "$apt_before" ] ||
	fail "the build changed the host's apt sources"
apt-cache show raspi-firmware >/dev/null 2>&1 &&
	note "the host's apt knows raspi-firmware itself: the component view is not what found it"

# 256 MiB, a power of two; the table the firmware reads.
[ "$(stat -c %s "$img")" -eq 268435456 ] || fail "the image is not 256 MiB"
[ "$(label_type "$img")" = dos ] || fail "not an MBR"
[ "$(part_type "$img" 1)" = c ] || fail "partition 1 is type $(part_type "$img" 1), not 0x0c"
[ "$(part_type "$img" 2)" = 83 ] || fail "partition 2 is not a Linux partition"
fat=$(part_offset "$img" 1)
root=$(part_offset "$img" 2)
vfat_fsck "$img" "$fat" "$(part_size "$img" 1)"
ext4_fsck "$img" "$root"
[ "$(vfat_label "$img" "$fat")" = RASPIFIRM ] || fail "the FAT is not labelled RASPIFIRM"
blkid -p -O "$fat" -s VERSION -o value "$img" | grep -qx FAT32 || fail "the FAT is not FAT32"

# The FAT holds exactly: the package's firmware, the kernel package's device
# trees for the models, the kernel, the initramfs, config.txt, cmdline.txt.
fw_deb=$(find "$FLASHBUILD_CACHE/deb" -maxdepth 1 -name 'raspi-firmware_*.deb' | head -n 1)
[ -n "$fw_deb" ] || fail "no raspi-firmware package in the cache"
k_ver=$(apt-cache show --no-all-versions linux-image-arm64:arm64 |
	sed -n 's/^Depends: \(linux-image-[^ ]*\) .*/\1/p')
k_deb=$(find "$FLASHBUILD_CACHE/deb" -maxdepth 1 -name "${k_ver}_*_arm64.deb" | head -n 1)
[ -n "$k_deb" ] || fail "no $k_ver package in the cache"
mkdir "$TMP/pkg" "$TMP/want"
dpkg-deb -x "$fw_deb" "$TMP/pkg"
dpkg-deb -x "$k_deb" "$TMP/pkg"
cp "$TMP/pkg"/usr/lib/raspi-firmware/* "$TMP/want/"
for d in bcm2837-rpi-3-b bcm2837-rpi-3-b-plus bcm2837-rpi-3-a-plus bcm2711-rpi-4-b \
	bcm2711-rpi-400 bcm2711-rpi-cm4-io; do
	cp "$TMP/pkg/usr/lib/$k_ver/broadcom/$d.dtb" "$TMP/want/"
done
cp "$TMP/pkg/boot/vmlinuz-${k_ver#linux-image-}" "$TMP/want/vmlinuz"
for f in initrd.img config.txt cmdline.txt; do
	vfat_cat "$img" "$fat" "/$f" >"$TMP/want/$f" || fail "no $f in the FAT"
done
vfat_compare "$img" "$fat" "$TMP/want"
for f in bootcode.bin start.elf fixup.dat start4.elf fixup4.dat; do
	[ -s "$TMP/want/$f" ] || fail "the firmware has no $f"
done

# config.txt: the board's, then the build's kernel and initramfs.
cat "$TMP/want/config.txt" >&2
for l in arm_64bit=1 enable_uart=1 upstream_kernel=1 '[board-type=0x11]' \
	device_tree=bcm2711-rpi-4-b.dtb device_tree=bcm2837-rpi-3-b-plus.dtb kernel=vmlinuz \
	'initramfs initrd.img followkernel'; do
	grep -qxF "$l" "$TMP/want/config.txt" || fail "config.txt has no '$l'"
done
# cmdline.txt: the root by partition 2's PARTUUID (the MBR's disk id, -02), the mini UART.
id=$(sfdisk --disk-id "$img" | sed 's/^0x//')
cat "$TMP/want/cmdline.txt" >&2
grep -q " root=PARTUUID=$id-02 " "$TMP/want/cmdline.txt" || fail "cmdline.txt's root is not partition 2's PARTUUID ($id-02)"
grep -q "console=ttyS1,115200" "$TMP/want/cmdline.txt" || fail "cmdline.txt has no serial console"
[ "$(blkid -p -O "$root" -s LABEL -o value "$img")" = RASPIROOT ] || fail "the root is not RASPIROOT"
debugfs -R "cat /etc/fstab" "$img?offset=$root" 2>/dev/null | grep -q '^LABEL=RASPIFIRM /boot/firmware vfat' ||
	fail "the root's fstab does not mount the FAT at /boot/firmware"

# Nothing to do the second time, and fast.
t0=$(date +%s%N)
fb build --board rpi >"$TMP/again" 2>&1 || { cat "$TMP/again" >&2; fail "rebuild failed"; }
note "no-op rebuild: $((($(date +%s%N) - t0) / 1000000)) ms"
grep -q "image      up to date" "$TMP/again" || { cat "$TMP/again" >&2; fail "rebuild not a no-op"; }

# emulate: the firmware's step, then the card boots.
before=$(cksum <"$img")
mkdir "$TMP/t"
rc=0
TMPDIR=$TMP/t fb emulate --board rpi --timeout 280 \
	--run 'uname -m; cat /proc/device-tree/model; findmnt -no SOURCE /; findmnt -no FSTYPE /boot/firmware' \
	>"$TMP/run" 2>&1 || rc=$?
cat "$TMP/run" >&2
[ "$rc" -eq 0 ] || fail "emulate exited with $rc"
grep -q '^emulate: QEMU runs no Raspberry Pi GPU firmware: its step is emulated' "$TMP/run" ||
	fail "emulate does not say the firmware step is emulated"
grep -q '^boot: .* s (guest: .* seconds)$' "$TMP/run" || fail "no boot time line"
grep -qx aarch64 "$TMP/run" || fail "the guest is not aarch64"
# the device tree's model ends in a NUL, no newline: findmnt's line follows it on the same line
grep -qx 'Raspberry Pi 3 Model B/dev/mmcblk0p2' "$TMP/run" ||
	fail "not the Pi 3 B's device tree, or the root is not the card's second partition"
grep -qx vfat "$TMP/run" || fail "/boot/firmware is not the card's FAT"
[ "$(cksum <"$img")" = "$before" ] || fail "emulate changed the image"
[ -z "$(ls -A "$TMP/t")" ] || fail "emulate left a file behind"

# The plain QEMU command line of docs/boards.md: the files on the card, no flashbuild.
mkdir "$TMP/fw"
mcopy -n -i "$img@@4M" ::vmlinuz ::initrd.img ::bcm2837-rpi-3-b.dtb ::cmdline.txt "$TMP/fw/" ||
	fail "mcopy from the card failed"
"$TOOLS/keys.py" --timeout 280 --expect "rpi login: " --send 'root\r' --expect "assword: " \
	--send 'root\r' --expect "# " --send 'findmnt -no SOURCE /; poweroff -f\r' -- \
	qemu-system-aarch64 -M raspi3b -accel tcg,thread=single -display none -monitor none \
	-serial null -serial stdio -no-reboot \
	-kernel "$TMP/fw/vmlinuz" -initrd "$TMP/fw/initrd.img" -dtb "$TMP/fw/bcm2837-rpi-3-b.dtb" \
	-append "$(cat "$TMP/fw/cmdline.txt")" \
	-drive if=sd,format=raw,snapshot=on,file="$img" >"$TMP/plain" 2>&1 ||
	{ tail -20 "$TMP/plain" >&2; fail "the plain QEMU command line did not reach a shell"; }
grep -q '^/dev/mmcblk0p2' "$TMP/plain" || fail "plain QEMU: the root is not the card's"

# flash --grow, and a station: the card's bytes, the root taken to its end.
truncate -s 1G "$TMP/card"
dev=$(attach "$TMP/card")
fb flash --allow-fixed --grow --progress=none --board rpi "$dev" >"$TMP/flash" 2>&1 ||
	{ cat "$TMP/flash" >&2; fail "flash --board rpi failed"; }
# (the table's second entry changed: --grow)
cmp -i "$fat:$fat" -n $((root - fat)) "$img" "$dev" || fail "the card's FAT is not the image's"
end=$(($(part_offset "$dev" 2) + $(part_size "$dev" 2)))
[ $((1073741824 - end)) -le $((2 << 20)) ] || fail "partition 2 ends at $end, not at the card's end"
ext4_fsck "$dev" "$root"
[ "$(sfdisk --disk-id "$dev" | sed 's/^0x//')" = "$id" ] || fail "the card's disk id changed: cmdline.txt's PARTUUID would not match"

free_loops 238
truncate -s 512M "$TMP/card2"
plug 238 "$TMP/card2"
fb station --progress=plain --allow-fixed --match DEVNAME=/dev/loop238 --grow --count 1 \
	--log "$TMP/station.log" --board rpi >"$TMP/st" 2>&1 || { cat "$TMP/st" >&2; fail "station --board rpi failed"; }
[ "$(log_get "$TMP/station.log" /dev/loop238 result)" = ok ] || fail "the station's card is not ok"
cmp -i "$fat:$fat" -n $((root - fat)) "$img" /dev/loop238 || fail "the station's card's FAT is not the image's"
end=$(($(part_offset /dev/loop238 2) + $(part_size /dev/loop238 2)))
[ $(((512 << 20) - end)) -le $((2 << 20)) ] || fail "the station's card: partition 2 ends at $end"
ext4_fsck /dev/loop238 "$root"

# Errors: one line, naming the profile or config.txt line and the package.
bad() { # NAME SED-EXPR EXPECTED [FILE]
	sed "$2" "$W/${4:-boards/rpi.conf}" >"$TMP/bad"
	if [ -n "${4:-}" ]; then
		cp "$W/$4" "$TMP/keep" && cp "$TMP/bad" "$W/$4"
		cp "$W/boards/rpi.conf" "$W/boards/$1.conf"
	else
		cp "$TMP/bad" "$W/boards/$1.conf"
	fi
	rc=0
	fb build --board "$1" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ -z "${4:-}" ] || cp "$TMP/keep" "$W/$4"
	[ "$rc" -ne 0 ] || fail "$1: succeeded"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || { cat "$TMP/err" >&2; fail "$1: not one error line"; }
	grep -qF "$3" "$TMP/err" || { cat "$TMP/err" >&2; fail "$1: expected '$3'"; }
	[ ! -e "$W/out/$1.img" ] || fail "$1: an image was written"
	note "$1: $(cat "$TMP/err")"
}
line() { grep -n "$1" "$W/${2:-boards/rpi.conf}" | cut -d: -f1; }
fw_ver=$(basename "$fw_deb" | cut -d_ -f2)
bad no-firmware 's|/usr/lib/raspi-firmware$|/lib/firmware/brcm|' \
	"boards/no-firmware.conf:$(line '^rpi-firmware'): rpi-firmware: package raspi-firmware $fw_ver has no /lib/firmware/brcm/bootcode.bin"
bad no-dtb 's|bcm2711-rpi-400.dtb|bcm2711-rpi-4000.dtb|' \
	"boards/no-dtb.conf:$(line '^dtbs'): package '$k_ver:arm64'"
bad bad-component 's|@non-free-firmware|@Non-Free|' \
	"boards/bad-component.conf:$(line '^rpi-firmware'): 'deb:raspi-firmware@Non-Free/usr/lib/raspi-firmware' is not deb:PACKAGE[:ARCH][@COMPONENT]/PATH"
bad twice "s|^enable_uart=1|&\\
enable_uart=0|" \
	"boards/rpi/config.txt:$(($(line '^enable_uart' boards/rpi/config.txt) + 1)): 'enable_uart' is set twice under [all] (first at line $(line '^enable_uart' boards/rpi/config.txt))" \
	boards/rpi/config.txt
bad own-kernel "s|^arm_64bit=1|&\\
kernel=kernel8.img|" \
	"boards/rpi/config.txt:$(($(line '^arm_64bit' boards/rpi/config.txt) + 1)): 'kernel' is the build's to set" \
	boards/rpi/config.txt
bad no-such-dtb 's|^device_tree=bcm2711-rpi-400.dtb|device_tree=bcm2711-rpi-500.dtb|' \
	"boards/rpi/config.txt:$(line '^device_tree=bcm2711-rpi-400' boards/rpi/config.txt): device_tree=bcm2711-rpi-500.dtb is not one of [kernel] dtbs" \
	boards/rpi/config.txt
