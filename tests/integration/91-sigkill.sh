#!/bin/sh
# SIGKILL of `flashbuild build` during the rootfs stage, during the kernel
# stage and during the image write: no final-name output (out/NAME.img, its
# .bmap, CACHE/STAGE/KEY) is ever partial, an older image stays as it was,
# and the next build finishes normally, removing the temporaries the killed
# one left (.NAME.PID.XXXXXX, CACHE/STAGE/.KEY.PID.XXXXXX) but never those of
# a build still running.
# Deterministic kill points: tools the stages run stop while $D/hold-STAGE
# exists and write their pids to $D/at-STAGE: a stand-in mmdebstrap (recipe
# = debian, a tiny base, offline), a stand-in kernel tree (as in
# 40-kernel-stage.sh) and a wrapper of mkfs.fat (the vfat part).
. "$(dirname "$0")/lib.sh"
need_flashbuild
need make mkfs.fat tar zstd bmaptool sfdisk mdir
[ -x /bin/busybox ] || skip "busybox-static is not installed (scripts/install-deps)"

export FLASHBUILD_CACHE="$TMP/cache"
D=$TMP/ctl
export FB91_DIR="$D"
mkdir -p "$D" "$TMP/bin" "$TMP/w/boards" "$TMP/w/partitions" "$TMP/w/boot" "$TMP/w/tree/scripts/kconfig"
W=$TMP/w

# hold STAGE: the start of a tool that stops while $D/hold-STAGE exists
hold() {
	cat <<EOH
#!/bin/sh
if [ -e "\$FB91_DIR/hold-$1" ]; then
	echo \$\$ >"\$FB91_DIR/at-$1.tmp" && mv "\$FB91_DIR/at-$1.tmp" "\$FB91_DIR/at-$1"
	exec sleep 300
fi
EOH
}
# mkfs.fat: the real one, once let go
{
	hold image
	echo "exec $(command -v mkfs.fat) \"\$@\""
} >"$TMP/bin/mkfs.fat"
# mmdebstrap: a stand-in that writes a tiny base (busybox) to its last argument
mkdir -p "$D/base/bin" "$D/base/etc"
cp /bin/busybox "$D/base/bin/"
echo k >"$D/base/etc/hostname"
{
	hold rootfs
	# shellcheck disable=SC2016
	echo 'for a; do out=$a; done; exec tar -C "$FB91_DIR/base" -cf "$out" .'
} >"$TMP/bin/mmdebstrap"
chmod +x "$TMP/bin/mkfs.fat" "$TMP/bin/mmdebstrap"

cat >"$W/tree/Makefile" <<'MK'
# A stand-in kernel tree; bzImage stops while $(FB91_DIR)/hold-kernel exists.
O ?= .
tinyconfig:
	printf 'CONFIG_BASE=y\n' >$(O)/.config
olddefconfig:
	true
bzImage:
	@echo "  CC      a.o"
	@if [ -e $(FB91_DIR)/hold-kernel ]; then \
		echo $$$$ $$PPID >$(FB91_DIR)/at-kernel.tmp && \
		mv $(FB91_DIR)/at-kernel.tmp $(FB91_DIR)/at-kernel && exec sleep 300; fi
	mkdir -p $(O)/arch/x86/boot
	cat $(O)/.config >$(O)/arch/x86/boot/bzImage
MK
cat >"$W/tree/scripts/kconfig/merge_config.sh" <<'SH'
#!/bin/sh
out=$3
shift 3
cat "$@" >"$out/.config.new" && mv "$out/.config.new" "$out/.config"
SH
chmod +x "$W/tree/scripts/kconfig/merge_config.sh"
printf 'CONFIG_X=y\n' >"$W/one.config"
printf 'label: gpt\nstart=2048, size=8MiB, name=boot\nname=root\n' >"$W/partitions/k.sfdisk"
echo first >"$W/boot/version"
cat >"$W/boards/k.conf" <<'B'
[board]
arch = x86_64
[image]
layout = partitions/k.sfdisk
size = 40M
[part boot]
content = vfat
from = boot
[part root]
content = ext4
from = rootfs
[rootfs]
recipe = debian
[kernel]
source = tree
fragments = one.config
cmdline = console=ttyS0
[initramfs]
compression = zstd
B

fbuild() { (cd "$W" && PATH="$TMP/bin:$PATH" exec "$FLASHBUILD" build --board k); }

# wait_for FILE: up to 60 s
wait_for() {
	_i=0
	while [ ! -s "$1" ]; do
		_i=$((_i + 1))
		[ $_i -lt 600 ] || fail "timed out waiting for '$1'"
		sleep 0.1
	done
}

# kill_during STAGE: starts a build, SIGKILLs it when it stops in STAGE,
# then ends the stopped tool (and the make waiting for it) by their pids
kill_during() {
	rm -f "$D"/hold-* "$D"/at-*
	touch "$D/hold-$1"
	# $! is flashbuild itself: the subshell execs it
	(cd "$W" && PATH="$TMP/bin:$PATH" exec "$FLASHBUILD" build --board k) >"$TMP/killed-$1.log" 2>&1 &
	_fb=$!
	wait_for "$D/at-$1"
	kill -0 "$_fb" 2>/dev/null || fail "the build ended before it was killed in $1"
	kill -KILL "$_fb"
	wait "$_fb" 2>/dev/null && fail "the killed build exited 0"
	read -r _tool _make <"$D/at-$1"
	kill -KILL "$_tool" 2>/dev/null || true
	if [ -n "${_make:-}" ]; then
		while kill -0 "$_make" 2>/dev/null; do sleep 0.1; done
	fi
	rm -f "$D/hold-$1"
	note "killed in $1"
}

# temps STAGE-DIR: the temporaries in a cache stage directory or out/
temps() { find "$1" -mindepth 1 -maxdepth 1 -name '.*.[0-9]*.??????' 2>/dev/null | wc -l; }

# check_finals: every final-name output there is complete
check_finals() {
	for a in "$FLASHBUILD_CACHE"/rootfs/*; do
		[ -d "$a" ] || continue
		tar -tf "$a/rootfs.tar" >/dev/null 2>&1 || fail "partial cache entry '$a'"
	done
	for a in "$FLASHBUILD_CACHE"/kernel/*; do
		[ -d "$a" ] || continue
		[ -s "$a/bzImage" ] && [ -s "$a/config" ] || fail "partial cache entry '$a'"
	done
	for a in "$FLASHBUILD_CACHE"/initramfs/*; do
		[ -d "$a" ] || continue
		zstd -tq "$a"/*.zst || fail "partial cache entry '$a'"
	done
	if [ -e "$W/out/k.img" ] || [ -e "$W/out/k.img.bmap" ]; then
		bmaptool -q copy --bmap "$W/out/k.img.bmap" "$W/out/k.img" "$TMP/copy.img" ||
			fail "out/k.img and its bmap do not match"
		rm -f "$TMP/copy.img"
	fi
}

# --- killed in the rootfs stage: no rootfs entry, its temporary left behind
kill_during rootfs
check_finals
[ "$(temps "$FLASHBUILD_CACHE/rootfs")" -eq 1 ] || fail "no rootfs temporary: not killed mid-stage"
[ ! -e "$W/out/k.img" ] || fail "an image after a build killed in the rootfs stage"

# --- killed in the kernel stage: the rootfs is done and its stale temporary gone
kill_during kernel
check_finals
[ "$(temps "$FLASHBUILD_CACHE/rootfs")" -eq 0 ] || fail "the stale rootfs temporary was not removed"
ls "$FLASHBUILD_CACHE"/rootfs/*/rootfs.tar >/dev/null || fail "no rootfs after the rootfs stage"
[ "$(temps "$FLASHBUILD_CACHE/kernel")" -eq 1 ] || fail "no kernel temporary: not killed mid-stage"
[ "$(find "$FLASHBUILD_CACHE/kernel" -mindepth 1 -maxdepth 1 ! -name '.*' | wc -l)" -eq 0 ] ||
	fail "a kernel entry after a build killed in the kernel stage"

# --- killed while writing the image: no image, its temporary left behind
kill_during image
check_finals
[ "$(temps "$FLASHBUILD_CACHE/kernel")" -eq 0 ] || fail "the stale kernel temporary was not removed"
[ "$(temps "$W/out")" -eq 1 ] || fail "no image temporary: not killed mid-write"
[ ! -e "$W/out/k.img" ] && [ ! -e "$W/out/k.img.bmap" ] || fail "an image from a killed write"

# --- a temporary of a live build stays, a stale one goes
sleep 300 &
live=$!
dead=$(sh -c 'echo $$')
touch "$W/out/.k.img.$live.AbC123" "$W/out/.k.img.$dead.XyZ789" "$W/out/.k.img.bmap.$dead.Q1w2E3"
# ...and what is not a temporary of ours is not touched
touch "$W/out/.k.img.$dead.toolong7" "$W/out/.other.img.$dead.AbC123"
fbuild >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; fail "the build after the kills failed"; }
check_finals
[ -e "$W/out/.k.img.$live.AbC123" ] || fail "the temporary of a live process was removed"
kill "$live"
for f in ".k.img.$dead.XyZ789" ".k.img.bmap.$dead.Q1w2E3"; do
	[ ! -e "$W/out/$f" ] || fail "stale '$f' was not removed"
done
[ -e "$W/out/.k.img.$dead.toolong7" ] && [ -e "$W/out/.other.img.$dead.AbC123" ] ||
	fail "a file that is not a temporary of out/k.img was removed"
rm -f "$W/out/.k.img.$live.AbC123" "$W/out/.k.img.$dead.toolong7" "$W/out/.other.img.$dead.AbC123"
for s in rootfs kernel initramfs; do
	[ "$(temps "$FLASHBUILD_CACHE/$s")" -eq 0 ] || fail "temporaries left in the cache's $s"
done
[ "$(temps "$W/out")" -eq 0 ] || fail "temporaries left in out/: $(ls -a "$W/out")"
old=$(sha256sum <"$W/out/k.img")
oldmap=$(sha256sum <"$W/out/k.img.bmap")

# --- a rebuild killed mid-write keeps the older image and its bmap as they were
echo second >"$W/boot/version"
kill_during image
check_finals
[ "$(sha256sum <"$W/out/k.img")" = "$old" ] || fail "the older image changed under a killed rebuild"
[ "$(sha256sum <"$W/out/k.img.bmap")" = "$oldmap" ] || fail "the older bmap changed"
fbuild >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; fail "the rebuild after the kill failed"; }
check_finals
[ "$(sha256sum <"$W/out/k.img")" != "$old" ] || fail "the rebuild did not change the image"
[ "$(temps "$W/out")" -eq 0 ] || fail "temporaries left in out/ after the rebuild"
off=$(part_offset "$W/out/k.img" boot)
[ "$(vfat_cat "$W/out/k.img" "$off" /version)" = second ] || fail "the rebuilt image lacks the change"
