#!/bin/sh
# check-fast: no (builds an x86 kernel from source, unless the test cache holds it)
# Every example of README.md, docs/*.md and the man page's EXAMPLES
# (tests/tools/examples.py finds them) runs as written, in a directory with
# the repository's boards/ and partitions/ and ./flashbuild, where it needs
# no device: exit 0 and its effect (the image, its signature, the command's
# output in the guest, the login prompt of a board booted without --run).
# The files an example names are made first: rootfs.tar.zst (the x86-usb
# rootfs with a marker in it), the key release@example.com.  Those that
# write a device (/dev/...), run a station (hotplugged disks) or boot a
# board their document defines for the occasion are listed, not run: the
# flash, station and debugging tests run their like.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need python3 setsid gpg tar zstd debugfs qemu-system-x86_64 qemu-system-aarch64 qemu-system-arm

W=$TMP/w
mkdir -p "$W"
cp -a "$TOP/boards" "$TOP/partitions" "$W/"
ln -s "$FLASHBUILD" "$W/flashbuild"
PATH=$W:$PATH
export GNUPGHOME=$TMP/gnupg
mkdir -m 0700 "$GNUPGHOME"
cd "$W" || fail "cannot enter '$W'"

# The files the examples name.
gpg --batch --passphrase '' --quick-gen-key release@example.com ed25519 sign 1d 2>/dev/null ||
	fail "cannot make the key release@example.com"
./flashbuild -q build --board x86-usb || fail "cannot build x86-usb for its rootfs"
tree=$TMP/tree
mkdir "$tree"
for t in "$FLASHBUILD_CACHE"/rootfs/*/rootfs.tar; do
	[ "$(tar -xOf "$t" ./etc/hostname 2>/dev/null)" = x86-usb ] && tar -xpf "$t" -C "$tree" --numeric-owner
done
[ -x "$tree/bin/busybox" ] || fail "no x86-usb rootfs in the cache"
echo "from rootfs.tar.zst" >"$tree/etc/example-marker"
tar --zstd -cf rootfs.tar.zst -C "$tree" --numeric-owner . || fail "cannot make rootfs.tar.zst"

# ext4_has IMG FILE TEXT: the image's root partition (the last) holds FILE with TEXT
ext4_has() {
	_off=$(sfdisk -J "$1" | python3 -c 'import json, sys
t = json.load(sys.stdin)["partitiontable"]
print(t["partitions"][-1]["start"] * t.get("sectorsize", 512))')
	dd if="$1" of="$TMP/root.ext4" bs=1M iflag=skip_bytes skip="$_off" status=none
	[ "$(debugfs -R "cat $2" "$TMP/root.ext4" 2>/dev/null)" = "$3" ]
}

# booted_to_login CMD: CMD (an interactive emulate) gets to the login prompt; then stopped
booted_to_login() {
	setsid sh -c "$1" </dev/null >"$TMP/console" 2>&1 &
	_pid=$!
	_i=0
	until grep -q "login: " "$TMP/console"; do
		_i=$((_i + 1))
		if [ $_i -gt 3000 ] || ! kill -0 $_pid 2>/dev/null; then
			kill -TERM -$_pid 2>/dev/null || true
			cat "$TMP/console" >&2
			return 1
		fi
		sleep 0.1
	done
	kill -TERM -$_pid 2>/dev/null || true
	wait $_pid 2>/dev/null || true
	grep -q "^boot: [0-9.]* s" "$TMP/console"
}

# effect CMD: what CMD did besides exiting 0, when it says more than that
effect() {
	case $1 in
	*"image --board x86-usb --rootfs rootfs.tar.zst"*)
		ext4_has out/x86-usb.img /etc/example-marker "from rootfs.tar.zst" ||
			fail "the image has not the tree of rootfs.tar.zst" ;;
	*"build --board x86-usb --sign release@example.com"*)
		gpg --verify out/x86-usb.img.bmap.asc out/x86-usb.img.bmap 2>/dev/null ||
			fail "no good signature by release@example.com on the bmap" ;;
	*"build --board "*)
		b=${1#*--board }
		b=${b%% *}
		grep -q "^build: $b done in" "$TMP/out" || fail "build said not 'build: $b done'"
		# a board with an [image] section makes OUT/NAME.img; qemu-x86 a kernel and initramfs
		! grep -q '^\[image\]' "boards/$b.conf" || [ -s "out/$b.img" ] || fail "no out/$b.img" ;;
	*"--run 'uname -m; findmnt -no SOURCE /'"*)
		grep -Eq '^(aarch64|armv7l)$' "$TMP/out" ||
			fail "not the guest's machine: $(cat "$TMP/out")"
		grep -q '^/dev/' "$TMP/out" || fail "not the guest's root: $(cat "$TMP/out")" ;;
	*"--run 'id -un; cat /proc/version'"*)
		grep -q '^Linux version' "$TMP/out" || fail "no /proc/version from the guest" ;;
	*" devices"*)
		grep -q . "$TMP/out" || fail "devices printed nothing" ;;
	esac
}

python3 "$TOOLS/examples.py" "$TOP" >"$TMP/examples" || fail "cannot extract the examples"
[ "$(grep -c . "$TMP/examples")" -ge 15 ] || fail "too few examples found: $(cat "$TMP/examples")"
ran=0
tab=$(printf '\t')
: >"$TMP/seen"
while IFS="$tab" read -r where cmd; do
	board=$(echo "$cmd" | sed -n 's/.*--board \([^ ]*\).*/\1/p')
	case $cmd in
	*/dev/* | *" station "*)
		note "$where: needs a device, not run: $cmd"
		continue ;;
	esac
	# a board the document itself defines (boards/NAME.conf in it); any other must exist
	if [ -n "$board" ] && [ ! -e "boards/$board.conf" ]; then
		grep -q "boards/$board.conf" "$TOP/${where%%:*}" ||
			fail "$where: '$cmd': no board '$board'"
		note "$where: board '$board' is the document's own, not run: $cmd"
		continue
	fi
	# the same command in two places runs once
	c=${cmd#./}
	if grep -qxF "$c" "$TMP/seen"; then
		note "$where: ran above: $cmd"
		continue
	fi
	echo "$c" >>"$TMP/seen"
	note "$where: $cmd"
	case $cmd in
	*" emulate "*--run*) ;;
	*" emulate "*)
		booted_to_login "$cmd" </dev/null || fail "$where: '$cmd' did not boot to a login prompt"
		ran=$((ran + 1))
		continue ;;
	esac
	sh -c "$cmd" </dev/null >"$TMP/out" 2>"$TMP/err" ||
		{ cat "$TMP/out" "$TMP/err" >&2; fail "$where: '$cmd' failed"; }
	effect "$cmd"
	ran=$((ran + 1))
done <"$TMP/examples"
[ $ran -ge 8 ] || fail "only $ran examples ran"
note "$ran examples ran as written"
