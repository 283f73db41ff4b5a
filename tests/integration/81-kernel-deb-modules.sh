#!/bin/sh
# A prebuilt Debian kernel of another architecture with modules: the image
# is the package's vmlinuz byte for byte, the modules [kernel] modules names
# come with their dependencies (read from each module's .modinfo: Debian's
# packages ship no modules.dep), dependencies first in modules.load, and the
# initramfs carries them with an /init that insmods them in that order
# before it looks for the root device.  Errors: a module the package lacks,
# modules for a kernel built from source.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need apt-cache dpkg dpkg-deb zstd cpio
dpkg --print-foreign-architectures | grep -qx arm64 ||
	skip "dpkg does not know architecture arm64 (scripts/install-deps adds it)"

# A cache of its own (one kernel artifact to look at), sharing the packages.
mkdir -p "$FLASHBUILD_CACHE/deb" "$TMP/cache"
ln -s "$FLASHBUILD_CACHE/deb" "$TMP/cache/deb"
export FLASHBUILD_CACHE=$TMP/cache

W=$TMP/tree
mkdir -p "$W/boards"
cat >"$W/boards/k.conf" <<'B'
[board]
arch = arm64

[kernel]
source = deb:linux-image-arm64
modules = virtio-blk ext4 virtio_pci
cmdline = console=ttyAMA0

[initramfs]
root = PARTLABEL=root
B
"$FLASHBUILD" -C "$W" build --board k >"$TMP/log" 2>&1 || { cat "$TMP/log" >&2; fail "build failed"; }
kdir=$(echo "$FLASHBUILD_CACHE"/kernel/*)
[ -f "$kdir/modules/modules.load" ] || fail "no kernel artifact with modules"

# the package apt picks, through the metapackage, unpacked by dpkg-deb
pkg=$(apt-cache show --no-all-versions linux-image-arm64:arm64 | sed -n 's/^Depends: \(linux-image-[^ ,]*\).*/\1/p')
ver=$(apt-cache show --no-all-versions "$pkg:arm64" | sed -n 's/^Version: //p')
deb=$FLASHBUILD_CACHE/deb/${pkg}_$(echo "$ver" | tr : +)_arm64.deb
[ -f "$deb" ] || fail "no '$deb' in the cache"
mkdir "$TMP/pkg"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$TMP/pkg" --wildcards './boot/*' \
	'./lib/modules/*/kernel/drivers/virtio/*' './lib/modules/*/kernel/drivers/block/virtio_blk.ko' \
	'./lib/modules/*/kernel/fs/*' './lib/modules/*/kernel/lib/crc16.ko'
cmp "$kdir/Image" "$TMP/pkg/boot/vmlinuz-"* || fail "Image is not the package's vmlinuz"
cmp "$kdir/config" "$TMP/pkg/boot/config-"* || fail "config is not the package's"

printf '%s\n' virtio_blk.ko jbd2.ko mbcache.ko crc16.ko ext4.ko virtio_pci_modern_dev.ko \
	virtio_pci_legacy_dev.ko virtio_pci.ko >"$TMP/want"
diff -u "$TMP/want" "$kdir/modules/modules.load" >&2 || fail "modules.load is not in dependency order"
m=$TMP/pkg/lib/modules/*/kernel
cmp "$kdir/modules/ext4.ko" $m/fs/ext4/ext4.ko || fail "ext4.ko differs from the package's"
cmp "$kdir/modules/jbd2.ko" $m/fs/jbd2/jbd2.ko || fail "jbd2.ko differs from the package's"
cmp "$kdir/modules/virtio_pci.ko" $m/drivers/virtio/virtio_pci.ko || fail "virtio_pci.ko differs"

# the initramfs: every module, the list, and /init loading them before the root wait
mkdir "$TMP/ird"
ird=$(echo "$FLASHBUILD_CACHE"/initramfs/*/initramfs.cpio.zst)
(cd "$TMP/ird" && zstd -dc "$ird" | cpio -id --quiet)
while read -r f; do
	cmp "$TMP/ird/lib/modules/$f" "$kdir/modules/$f" || fail "initramfs: $f differs"
done <"$kdir/modules/modules.load"
cmp "$TMP/ird/lib/modules/modules.load" "$kdir/modules/modules.load" || fail "initramfs: no modules.load"
file "$TMP/ird/bin/busybox" | grep -q "ARM aarch64" || fail "initramfs: busybox is not arm64"
awk '/insmod/ { i = NR } /^find_root\(\)/ { f = NR } END { exit !(i && f && i < f) }' "$TMP/ird/init" ||
	fail "/init does not insmod before it looks for the root"

# errors, one line each, naming the profile line
sed 's/virtio-blk ext4/virtio-blk nosuchmod ext4/' "$W/boards/k.conf" >"$W/boards/bad.conf"
! "$FLASHBUILD" -C "$W" build --board bad 2>"$TMP/err" >/dev/null || fail "unknown module: built"
[ "$(wc -l <"$TMP/err")" -eq 1 ] || { cat "$TMP/err" >&2; fail "unknown module: not one line"; }
grep -qF "boards/bad.conf:6: package '$pkg:arm64' ($ver) has no module 'nosuchmod'" "$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "unknown module: wrong message"; }
sed 's/deb:linux-image-arm64/linux-source-6.1/' "$W/boards/k.conf" >"$W/boards/src.conf"
! "$FLASHBUILD" -C "$W" build --board src 2>"$TMP/err" >/dev/null || fail "modules from source: built"
grep -qF "boards/src.conf:6: 'modules' are taken from a prebuilt kernel's package" "$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "modules from source: wrong message"; }
