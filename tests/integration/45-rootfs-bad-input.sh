#!/bin/sh
# Bad [rootfs] and [initramfs] input gives one error line naming file:line,
# a non-zero exit, no new artifact in the cache (none half-made either), no
# out/NAME.img, and nothing reported as built.
. "$(dirname "$0")/lib.sh"
need_flashbuild
[ -x /bin/busybox ] || skip "busybox-static is not installed (scripts/install-deps)"

# No kernel here: a cache of its own, to see that nothing lands in it.
export FLASHBUILD_CACHE="$TMP/cache"

W=$TMP/work
mkdir -p "$W/boards" "$W/partitions" "$W/overlay"
echo x >"$W/not-a-dir"
cat >"$W/partitions/root.sfdisk" <<'L'
label: gpt
start=2048, name=root
L
# board NAME LINES...: boards/NAME.conf; its [rootfs] starts at line 10
board() {
	_n=$1
	shift
	{
		printf '[board]\narch = x86_64\n[image]\nlayout = partitions/root.sfdisk\n'
		printf 'size = 16M\n[part root]\ncontent = ext4\nfrom = rootfs\n[rootfs]\n'
		for _l in "$@"; do
			printf '%s\n' "$_l"
		done
	} >"$W/boards/$_n.conf"
}

# its rootfs is the one of the [initramfs] cases below: those build nothing new either
board good "users = luca:luca" "hostname = h" "[initramfs]" "compression = gzip"
"$FLASHBUILD" -C "$W" -q build --board good || fail "the good board does not build"
find "$FLASHBUILD_CACHE" | sort >"$TMP/cache-before"

# expect NAME REGEX: the build fails with one line, "error: REGEX", and leaves nothing
expect() {
	_rc=0
	"$FLASHBUILD" -C "$W" -q build --board "$1" >"$TMP/out" 2>&1 || _rc=$?
	[ "$_rc" -ne 0 ] || fail "$1: exit status 0"
	[ "$(wc -l <"$TMP/out")" -eq 1 ] || { cat "$TMP/out" >&2; fail "$1: not one line"; }
	grep -Eq "^error: $2\$" "$TMP/out" || {
		cat "$TMP/out" >&2
		fail "$1: error does not match '$2'"
	}
	find "$FLASHBUILD_CACHE" | sort | diff -u "$TMP/cache-before" - >&2 ||
		fail "$1: the cache changed"
	[ ! -e "$W/out/$1.img" ] || fail "$1: out/$1.img exists after a failure"
	note "$1: $(cat "$TMP/out")"
}

board nopw "users = anna:x luca"
expect nopw "boards/nopw.conf:10: user 'luca' has no password \(write users = NAME:PASSWORD\)"
board emptypw "users = luca:"
expect emptypw "boards/emptypw.conf:10: user 'luca' has no password .*"
board badname "users = Luca:x"
expect badname "boards/badname.conf:10: user 'Luca' is not a valid name .*"
board twice "hostname = h" "users = a:1 a:2"
expect twice "boards/twice.conf:11: user 'a' is given twice"
board root "users = root:toor"
expect root "boards/root.conf:10: user 'root' cannot be set here: root's password is 'root-password'"
board emptyroot "root-password ="
expect emptyroot "boards/emptyroot.conf:10: \[rootfs\] 'root-password' is empty"
board recipe "recipe = gentoo"
expect recipe "boards/recipe.conf:10: \[rootfs\] unknown recipe 'gentoo' \(one of busybox, debian, tar, dockerfile\)"
board wrongkey "recipe = busybox" "packages = vim"
expect wrongkey "boards/wrongkey.conf:11: \[rootfs\] 'packages' is for recipe = debian, not busybox"
board notarball "recipe = tar"
expect notarball "boards/notarball.conf:9: \[rootfs\] recipe = tar needs 'tarball'"
board missingtar "recipe = tar" "tarball = missing.tar.gz"
expect missingtar "boards/missingtar.conf:11: cannot read tarball 'missing.tar.gz': No such file or directory"
board unknown "colour = red"
expect unknown "boards/unknown.conf:10: unknown key 'colour' for \[rootfs\]"
board hostname "hostname = a;b"
expect hostname "boards/hostname.conf:10: \[rootfs\] 'hostname' must be letters, digits, '-' and '.'"
board overlay "overlay = not-a-dir"
expect overlay "boards/overlay.conf:10: \[rootfs\] overlay 'not-a-dir' is not a directory: Not a directory"
board nooverlay "overlay = nowhere"
expect nooverlay "boards/nooverlay.conf:10: \[rootfs\] cannot read overlay 'nowhere': No such file or directory"
board badpkg "recipe = debian" "packages = vim;reboot"
expect badpkg "boards/badpkg.conf:11: \[rootfs\] 'packages' must be Debian package names"
board initroot "users = luca:luca" "hostname = h" "[initramfs]" "root = sda2"
expect initroot "boards/initroot.conf:13: \[initramfs\] root 'sda2' is not /dev/NAME, LABEL=, UUID= or PARTLABEL="
board initzip "users = luca:luca" "hostname = h" "[initramfs]" "compression = lz4"
expect initzip "boards/initzip.conf:13: \[initramfs\] compression 'lz4' is not zstd or gzip"
board inittimeout "users = luca:luca" "hostname = h" "[initramfs]" "root = LABEL=root" "root-timeout = soon"
expect inittimeout "boards/inittimeout.conf:14: bad value 'soon' for 'root-timeout': expected a whole number"

# the good board is still good, and up to date
"$FLASHBUILD" -C "$W" build --board good >"$TMP/out" 2>&1 || fail "the good board fails now"
grep -q "rootfs     up to date" "$TMP/out" || { cat "$TMP/out" >&2; fail "the rootfs was rebuilt"; }
