#!/bin/sh
# Files out of Debian packages of other architectures (deb:PACKAGE[:ARCH]/PATH):
# U-Boot for armhf raw at 8 KiB and GRUB's arm64-efi modules as an ext4 tree,
# byte for byte what dpkg-deb unpacks; each package version fetched once into
# the cache and a second build a no-op without apt; the same as a normal user
# through `flashbuild image`; and the one-line errors naming the profile line:
# a package apt does not know, a path the package lacks, a bad spelling.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need apt-get apt-cache dpkg dpkg-deb sfdisk e2fsck debugfs setpriv
for a in armhf arm64; do
	dpkg --print-foreign-architectures | grep -qx "$a" ||
		skip "dpkg does not know architecture $a (scripts/install-deps adds it)"
done

W=$TMP/tree
mkdir -p "$W/boards" "$W/partitions"
cat >"$W/partitions/d.sfdisk" <<'L'
label: dos
start=2048, size=30MiB, type=83
L
cat >"$W/boards/d.conf" <<'B'
[board]
arch = armhf

[image]
layout = partitions/d.sfdisk
size = 32M

[part data]
partno = 1
content = ext4
from = deb:grub-efi-arm64-bin:arm64/usr/lib/grub/arm64-efi ; not the board's arch

[raw spl]
file = deb:u-boot-sunxi/usr/lib/u-boot/nanopi_neo/u-boot-sunxi-with-spl.bin
offset = 8K
B

"$FLASHBUILD" -C "$W" build --board d >"$TMP/log1" 2>&1 || { cat "$TMP/log1" >&2; fail "build failed"; }
img=$W/out/d.img

# What dpkg-deb itself unpacks, from the very .debs flashbuild keeps.
ub_ver=$(apt-cache show --no-all-versions u-boot-sunxi:armhf | sed -n 's/^Version: //p')
gr_ver=$(apt-cache show --no-all-versions grub-efi-arm64-bin:arm64 | sed -n 's/^Version: //p')
ub_deb=$FLASHBUILD_CACHE/deb/u-boot-sunxi_$(echo "$ub_ver" | tr : +)_armhf.deb
gr_deb=$FLASHBUILD_CACHE/deb/grub-efi-arm64-bin_$(echo "$gr_ver" | tr : +)_arm64.deb
[ -f "$ub_deb" ] || fail "no '$ub_deb' in the cache"
[ -f "$gr_deb" ] || fail "no '$gr_deb' in the cache"
dpkg-deb --info "$ub_deb" | grep -q "Architecture: armhf" || fail "'$ub_deb' is not armhf"
mkdir "$TMP/ub" "$TMP/gr"
dpkg-deb -x "$ub_deb" "$TMP/ub"
dpkg-deb -x "$gr_deb" "$TMP/gr"

spl=$TMP/ub/usr/lib/u-boot/nanopi_neo/u-boot-sunxi-with-spl.bin
cmp -n "$(stat -c %s "$spl")" "$spl" "$img" 0 8192 || fail "U-Boot is not at 8 KiB of the image"
off=$(part_offset "$img" 1)
ext4_fsck "$img" "$off"
# every module, same bytes (the tree's root is the partition's root)
n=0
for b in $(cd "$TMP/gr/usr/lib/grub/arm64-efi" && find . -type f | sed 's|^\./||'); do
	debugfs -R "cat /$b" "$img?offset=$off" 2>/dev/null |
		cmp -s - "$TMP/gr/usr/lib/grub/arm64-efi/$b" ||
		fail "'$b' in the ext4 differs from grub-efi-arm64-bin's"
	n=$((n + 1))
done
[ "$n" -gt 100 ] || fail "only $n GRUB modules compared"
note "U-Boot at 8 KiB and $n GRUB modules match dpkg-deb's"

# Again: nothing fetched, apt not even asked (its answer is remembered).
"$FLASHBUILD" -C "$W" build --board d >"$TMP/log2" 2>&1 || { cat "$TMP/log2" >&2; fail "rebuild failed"; }
grep -q "image      up to date" "$TMP/log2" || { cat "$TMP/log2" >&2; fail "the rebuild was not a no-op"; }
! grep -q downloading "$TMP/log2" || fail "the rebuild downloaded again"
[ "$(find "$FLASHBUILD_CACHE/deb" -maxdepth 1 -name "u-boot-sunxi_*_armhf.deb" | grep -c -F "$(echo "$ub_ver" | tr : +)")" -eq 1 ] ||
	fail "more than one u-boot-sunxi .deb of version $ub_ver"

# A cached package that is not the one apt names (a damaged file, or a local
# repository that rebuilt the version): fetched again, not unpacked.
rm -rf "$FLASHBUILD_CACHE/deb-file"
printf 'not a package' >"$ub_deb"
"$FLASHBUILD" -C "$W" image --board d >"$TMP/log4" 2>&1 || { cat "$TMP/log4" >&2; fail "rebuild with a damaged .deb failed"; }
grep -q "is not the package apt names now (SHA-256), fetching it again" "$TMP/log4" ||
	{ cat "$TMP/log4" >&2; fail "the damaged .deb was not fetched again"; }
cmp -n "$(stat -c %s "$spl")" "$spl" "$img" 0 8192 || fail "after a new fetch: U-Boot is not at 8 KiB"

# A normal user, `flashbuild image`, a cache of its own.
U=$(user_dir user)
cp -a "$W/boards" "$W/partitions" "$U/"
FLASHBUILD_CACHE=$U/cache run_as_user "$FLASHBUILD" -C "$U" image --board d >"$TMP/log3" 2>&1 ||
	{ cat "$TMP/log3" >&2; fail "image as a normal user failed"; }
cmp -n "$(stat -c %s "$spl")" "$spl" "$U/out/d.img" 0 8192 || fail "user's image: U-Boot is not at 8 KiB"
[ "$(stat -c %u "$U/cache/deb")" -ne 0 ] || fail "the user's cache is root's"

# Errors: one line, naming the profile line and the package or file.
bad() { bad_board d "$@"; }
bad unknown 's|deb:u-boot-sunxi/|deb:u-boot-sunxy/|' \
	"boards/unknown.conf:14: apt knows no package 'u-boot-sunxy:armhf'"
bad missing 's|nanopi_neo/|nanopi_neox/|' \
	"boards/missing.conf:14: package 'u-boot-sunxi:armhf' ($ub_ver) has no '/usr/lib/u-boot/nanopi_neox/u-boot-sunxi-with-spl.bin'"
bad spelling 's|deb:u-boot-sunxi/usr.*|deb:u-boot-sunxi|' \
	"boards/spelling.conf:14: 'deb:u-boot-sunxi' is not deb:PACKAGE[:ARCH][@COMPONENT]/PATH"
bad arch 's|grub-efi-arm64-bin:arm64|grub-efi-arm64-bin:mips99|' \
	"boards/arch.conf:11: apt knows no package 'grub-efi-arm64-bin:mips99'"
