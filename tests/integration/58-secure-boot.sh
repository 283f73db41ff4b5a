#!/bin/sh
# check-fast: no (builds an x86 kernel from source, unless the test cache holds it)
# UEFI Secure Boot, both routes.  x86-usb-secureboot: Debian's shim (signed
# by Microsoft), signed GRUB and signed kernel boot under OVMF with Secure
# Boot enforced and Microsoft's keys; its BIOS route (SYSLINUX) still boots;
# an unsigned image (x86-usb) is refused by the same firmware in one line.
# The own key: x86-usb's own kernel (the tests' shared one) signed with
# Debian's snakeoil test key boots under the snakeoil variable store, and
# the same kernel unsigned is refused.  Both images are reproducible.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need qemu-system-x86_64 sbsign sbverify faketime openssl mcopy mdir mtype sfdisk
OVMF=/usr/share/OVMF
SNAKEOIL=/usr/share/ovmf/PkKek-1-snakeoil
for f in $OVMF/OVMF_CODE_4M.secboot.fd $OVMF/OVMF_VARS_4M.ms.fd $OVMF/OVMF_VARS_4M.snakeoil.fd \
	$SNAKEOIL.key $SNAKEOIL.pem; do
	[ -r "$f" ] || fail "no $f (ovmf; scripts/install-deps)"
done

board_build x86-usb-secureboot
img=$W/out/x86-usb-secureboot.img
esp=$(part_offset "$img" 1)
vfat_mdir "$img" "$esp" >"$TMP/fat"
for f in EFI/BOOT/BOOTX64.EFI EFI/BOOT/grubx64.efi EFI/BOOT/mmx64.efi EFI/debian/grub.cfg \
	vmlinuz initrd.img syslinux.cfg; do
	grep -qx "::/$f" "$TMP/fat" || { cat "$TMP/fat" >&2; fail "no $f in the ESP"; }
done
grep -q "ENROLL" "$TMP/fat" && fail "Debian's chain needs no key to enroll"

# The signatures: shim by Microsoft's UEFI CA, GRUB and the kernel by Debian's.
for f in EFI/BOOT/BOOTX64.EFI EFI/BOOT/grubx64.efi EFI/BOOT/mmx64.efi vmlinuz; do
	vfat_cat "$img" "$esp" "/$f" >"$TMP/pe"
	sbverify --list "$TMP/pe" >"$TMP/sigs" 2>&1 || { cat "$TMP/sigs" >&2; fail "$f: sbverify --list"; }
	case $f in
	*BOOTX64.EFI) want="Microsoft Corporation UEFI CA 2011" ;;
	*) want="Debian Secure Boot" ;;
	esac
	grep -q "$want" "$TMP/sigs" || { cat "$TMP/sigs" >&2; fail "$f is not signed by $want"; }
done
vfat_cat "$img" "$esp" /EFI/debian/grub.cfg >"$TMP/cfg"
grep -q "^	linux /vmlinuz 'console=tty0' 'console=ttyS0'" "$TMP/cfg" ||
	{ cat "$TMP/cfg" >&2; fail "grub.cfg does not start the kernel"; }

# Reproducible: the same inputs, the same bytes.
sum1=$(sha256sum <"$img")
rm "$W/out/.x86-usb-secureboot.key"
fb build --board x86-usb-secureboot >"$TMP/again" 2>&1 || { cat "$TMP/again" >&2; fail "rebuild failed"; }
grep -q "image      built" "$TMP/again" || fail "the image was not made again"
[ "$(sha256sum <"$img")" = "$sum1" ] || fail "x86-usb-secureboot: a second build differs"

# Secure Boot enforcing, Microsoft's keys: shim -> GRUB -> kernel -> the stick's root.
fb emulate --board x86-usb-secureboot --firmware uefi-secure --login root:root --timeout 280 \
	--run 'dmesg | grep -i "secure boot"; findmnt -no SOURCE /; cut -d" " -f1 /proc/modules' \
	>"$TMP/run" 2>&1 || { cat "$TMP/run" >&2; fail "emulate --firmware uefi-secure failed"; }
cat "$TMP/run" >&2
grep -q 'Secure boot enabled' "$TMP/run" || fail "the kernel does not say Secure Boot is enabled"
grep -qx '/dev/sda2' "$TMP/run" || fail "the root is not the stick's second partition"
for m in xhci_pci usb_storage sd_mod ext4; do
	grep -qx "$m" "$TMP/run" || fail "module $m (signed, under lockdown) is not loaded"
done

# The same stick through the BIOS: SYSLINUX starts the same signed kernel.
fb emulate --board x86-usb-secureboot --firmware bios --timeout 280 \
	--run 'findmnt -no SOURCE /; ls /sys/firmware' >"$TMP/bios" 2>&1 ||
	{ cat "$TMP/bios" >&2; fail "the BIOS route did not boot"; }
grep -qx '/dev/sda2' "$TMP/bios" || fail "BIOS: the root is not the stick's"
grep -qx 'efi' "$TMP/bios" && fail "BIOS: the kernel booted through UEFI"

# An independent QEMU command line (docs/boards.md) to the login prompt, no flashbuild.
cp $OVMF/OVMF_VARS_4M.ms.fd "$TMP/VARS.fd"
"$TOOLS/keys.py" --timeout 280 --expect "login: " --send 'root\r' --expect "assword: " \
	--send 'root\r' --expect "# " --send 'dmesg | grep -i "secure boot"; poweroff -f\r' -- \
	qemu-system-x86_64 -machine q35,smm=on -m 512 -nographic \
	-global driver=cfi.pflash01,property=secure,value=on \
	-drive if=pflash,format=raw,unit=0,readonly=on,file=$OVMF/OVMF_CODE_4M.secboot.fd \
	-drive if=pflash,format=raw,unit=1,file="$TMP/VARS.fd" \
	-drive if=none,id=stick,format=raw,snapshot=on,file="$img" \
	-device qemu-xhci -device usb-storage,drive=stick,bootindex=0 >"$TMP/plain" 2>&1 ||
	{ tail -20 "$TMP/plain" >&2; fail "the plain QEMU command line did not reach a shell"; }
grep -q 'Secure boot enabled' "$TMP/plain" || fail "plain QEMU: Secure Boot is not enabled"

# An image nobody signed: the same firmware refuses it, in one line, at once.
fb build --board x86-usb >"$TMP/b" 2>&1 || { cat "$TMP/b" >&2; fail "build of x86-usb failed"; }
rc=0
fb emulate --board x86-usb --firmware uefi-secure --timeout 280 --run true >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" -eq 1 ] || { cat "$TMP/out" "$TMP/err" >&2; fail "x86-usb under Secure Boot: exit $rc, not 1"; }
[ "$(grep -c . "$TMP/err")" -eq 1 ] || { cat "$TMP/err" >&2; fail "not one line"; }
grep -q "error: the firmware would not start the image's boot program: .*Access Denied" "$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "no line saying the firmware refused it"; }

# The own key: x86-usb's kernel signed by the snakeoil key, behind Debian's shim and GRUB.
openssl pkey -in $SNAKEOIL.key -passin pass:snakeoil -out "$TMP/snakeoil.key"
sed -e 's|^kinds = syslinux grub-efi$|kinds = syslinux shim\
shim = deb:shim-signed/usr/lib/shim/shimx64.efi.signed\
shim-grub = deb:grub-efi-amd64-signed/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed\
shim-mokmanager = deb:shim-helpers-amd64-signed/usr/lib/shim/mmx64.efi.signed\
sign-key = '"$TMP"'/snakeoil.key\
sign-cert = '"$SNAKEOIL"'.pem|' \
	-e 's|^machine = x86-usb-stick$|&\
uefi-vars = '"$OVMF"'/OVMF_VARS_4M.snakeoil.fd|' "$W/boards/x86-usb.conf" >"$W/boards/own-key.conf"
grep -q '^sign-key' "$W/boards/own-key.conf" || fail "the own-key board has no sign-key"
fb build --board own-key >"$TMP/own" 2>&1 || { cat "$TMP/own" >&2; fail "build of own-key failed"; }
grep -q "kernel     up to date" "$TMP/own" || { cat "$TMP/own" >&2; fail "own-key built another kernel"; }
own=$W/out/own-key.img
vfat_mdir "$own" "$esp" >"$TMP/ownfat"
grep -qx "::/EFI/BOOT/ENROLL_THIS_KEY_IN_MOKMANAGER.cer" "$TMP/ownfat" || fail "no certificate to enroll"
vfat_cat "$own" "$esp" /EFI/BOOT/ENROLL_THIS_KEY_IN_MOKMANAGER.cer >"$TMP/cer"
openssl x509 -inform DER -in "$TMP/cer" -noout -subject | grep -q SnakeOil || fail "the .cer is not the key's"
for f in vmlinuz EFI/BOOT/BOOTX64.EFI; do
	vfat_cat "$own" "$esp" "/$f" >"$TMP/pe"
	sbverify --cert $SNAKEOIL.pem "$TMP/pe" >/dev/null 2>&1 || fail "$f is not signed by the own key"
done
sbverify --list "$TMP/pe" 2>/dev/null | grep -q "Microsoft Corporation UEFI CA 2011" ||
	fail "shim lost Microsoft's signature"
vfat_cat "$own" "$esp" /EFI/debian/grub.cfg | grep -qx "set fallback=1" ||
	fail "grub.cfg does not fall back to MokManager"
grep -q "$(sed -n 2p "$TMP/snakeoil.key")" "$own" && fail "the private key is in the image"
grep -rqs "$(sed -n 2p "$TMP/snakeoil.key")" "$FLASHBUILD_CACHE" "$W/out" && fail "the private key is in the cache"
sum1=$(sha256sum <"$own")
rm "$W/out/.own-key.key"
fb build --board own-key >/dev/null 2>&1 || fail "own-key rebuild failed"
[ "$(sha256sum <"$own")" = "$sum1" ] || fail "own-key: a second build differs (the signing time?)"

fb emulate --board own-key --firmware uefi-secure --login root:root --timeout 280 \
	--run 'dmesg | grep -i "secure boot"; findmnt -no SOURCE /' >"$TMP/ownrun" 2>&1 ||
	{ cat "$TMP/ownrun" >&2; fail "own-key under the snakeoil keys failed"; }
grep -q 'Secure boot enabled' "$TMP/ownrun" || fail "own-key: Secure Boot is not enabled"
grep -qx '/dev/sda2' "$TMP/ownrun" || fail "own-key: the root is not the stick's"

# The same kernel unsigned, on a copy of that stick: refused.
cp --sparse=always "$own" "$TMP/unsigned.img"
vfat_cat "$W/out/x86-usb.img" "$esp" /vmlinuz >"$TMP/vmlinuz"
sbverify --list "$TMP/vmlinuz" 2>&1 | grep -q "No signature table" || fail "x86-usb's kernel is signed"
mcopy -o -i "$TMP/unsigned.img@@$esp" "$TMP/vmlinuz" ::/vmlinuz
rc=0
fb emulate --board own-key --firmware uefi-secure --disk "$TMP/unsigned.img" --timeout 280 \
	--run true >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" -eq 1 ] || { cat "$TMP/out" "$TMP/err" >&2; fail "the unsigned kernel: exit $rc, not 1"; }
grep -qx "error: GRUB refused the kernel, which shim did not verify." "$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "no line saying the kernel was refused"; }

# Bad input: one line each, naming the profile's line.
bad_board own-key bad-half 's|^sign-cert = .*||' "has sign-key but no sign-cert: both or neither"
bad_board own-key bad-cert "s|^sign-cert = .*|sign-cert = $TMP/snakeoil.key|" "is it a PEM certificate?"
bad_board own-key bad-grub 's|^kinds = syslinux shim|kinds = syslinux grub-efi|; /^shim/d' \
	"Secure Boot takes kinds = shim"
bad_board own-key bad-shim 's|^shim = .*|shim = /nonexistent/shimx64.efi|' "shim: cannot read '/nonexistent/shimx64.efi'"
