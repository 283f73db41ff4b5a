#!/bin/sh
# check-fast: no (builds an x86 kernel from source, unless the test cache holds it)
# The Debian package: dpkg-buildpackage in a copy of the tree makes
# flashbuild_VERSION_ARCH.deb, lintian finds no error, and once installed
# flashbuild works from an empty directory with the boards it ships
# (`boards` lists them, `build` and `image` make them, the cached kernel
# found through FLASHBUILD_CACHE), its man page, udev rule, unit (not
# enabled) and bash completion are where they belong, and `dpkg -r` leaves
# none of its files behind.
. "$(dirname "$0")/lib.sh"
need_root
need_flashbuild
need git dpkg-buildpackage dpkg-parsechangelog lintian dpkg apt-get man
[ -r /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed (scripts/install-deps)"
if [ "$(dpkg-query -W -f='${Status}' flashbuild 2>/dev/null)" = "install ok installed" ]; then
	skip "a flashbuild package is installed here: this test installs and removes its own"
fi
version=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)

# The tree as it is (committed or not), as a fresh clone would have it.
mkdir "$TMP/src"
(cd "$TOP" && git ls-files -z --cached --others --exclude-standard |
	xargs -0 cp -a --parents -t "$TMP/src") || fail "cannot copy the tree"
(cd "$TMP/src" && dpkg-buildpackage -b -us -uc) >"$TMP/build.log" 2>&1 ||
	{ tail -n 30 "$TMP/build.log" >&2; fail "dpkg-buildpackage failed"; }
deb=$TMP/flashbuild_${version}_$arch.deb
[ -f "$deb" ] || fail "no '$deb'"
lintian "$TMP/flashbuild_${version}_$arch.changes" >"$TMP/lintian" 2>&1 || true
! grep -q '^E:' "$TMP/lintian" || { cat "$TMP/lintian" >&2; fail "lintian reports errors"; }
note "lintian: $(grep -c '^[EW]:' "$TMP/lintian") errors and warnings"

# Installed, and removed whatever happens below.
_pkg_cleanup() {
	dpkg -P flashbuild >/dev/null 2>&1 || true
}
trap '_pk_rc=$?; _pkg_cleanup; (exit $_pk_rc); _cleanup' EXIT
dpkg -i "$deb" >"$TMP/install.log" 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -f -y -q \
	>>"$TMP/install.log" 2>&1 || { cat "$TMP/install.log" >&2; fail "the package does not install"; }
[ "$(/usr/bin/flashbuild --version)" = "flashbuild $version" ] || fail "--version is not $version"

# From an empty directory: the installed boards.
E=$(user_dir empty)
cd "$E"
/usr/bin/flashbuild boards >"$TMP/boards" 2>&1 || { cat "$TMP/boards" >&2; fail "flashbuild boards failed"; }
cat "$TMP/boards" >&2
for b in x86-usb qemu-x86 nanopi-neo arm64-efi; do
	grep -Eq "^$b +[a-z0-9_]+ +[a-z]+ +installed " "$TMP/boards" || fail "boards does not list $b as installed"
done
/usr/bin/flashbuild build --board qemu-x86 >"$TMP/b1" 2>&1 || { cat "$TMP/b1" >&2; fail "build --board qemu-x86 failed"; }
grep -q '^  kernel     up to date' "$TMP/b1" || { cat "$TMP/b1" >&2; fail "the cached kernel was not found"; }
/usr/bin/flashbuild image --board x86-usb >"$TMP/b2" 2>&1 || { cat "$TMP/b2" >&2; fail "image --board x86-usb failed"; }
[ -s "$E/out/x86-usb.img" ] && [ -s "$E/out/x86-usb.img.bmap" ] || fail "no out/x86-usb.img in the empty directory"
ext4_fsck "$E/out/x86-usb.img" "$(part_offset "$E/out/x86-usb.img" 2)"
rc=0
/usr/bin/flashbuild build --board x86usb >"$TMP/out" 2>"$TMP/err" || rc=$?
[ $rc -eq 1 ] && grep -q "no such board profile.*close names: x86-usb" "$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "a mistyped board does not name x86-usb"; }
cd "$TOP"

# Where the rest belongs.
[ "$(man -w flashbuild)" = /usr/share/man/man1/flashbuild.1.gz ] || fail "man -w flashbuild: $(man -w flashbuild)"
[ -f /usr/lib/udev/rules.d/60-flashbuild.rules ] || fail "no udev rule in /usr/lib/udev/rules.d"
unit=/lib/systemd/system/flashbuild-station.service
[ -f "$unit" ] || fail "no '$unit'"
grep -q '^ExecStart=/usr/bin/flashbuild station ' "$unit" || fail "the unit does not start /usr/bin/flashbuild"
[ -z "$(find /etc/systemd/system -name flashbuild-station.service 2>/dev/null)" ] || fail "the unit was enabled"
bash -c '. /usr/share/bash-completion/bash_completion
	. /usr/share/bash-completion/completions/flashbuild
	complete -p flashbuild
	cd "$1"
	COMP_WORDS=(flashbuild build --board x86-u); COMP_CWORD=3
	COMP_LINE="flashbuild build --board x86-u"; COMP_POINT=${#COMP_LINE}
	_flashbuild; echo "${COMPREPLY[@]}"' sh "$E" >"$TMP/compl" 2>&1 || { cat "$TMP/compl" >&2; fail "completion failed"; }
grep -q '^complete -F _flashbuild flashbuild$' "$TMP/compl" || { cat "$TMP/compl" >&2; fail "no completion for flashbuild"; }
grep -qx 'x86-usb x86-usb-secureboot' "$TMP/compl" || { cat "$TMP/compl" >&2; fail "the completion does not offer the two x86-usb boards"; }

# Removed: none of its files is left.
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' >"$TMP/files"
dpkg -r flashbuild >"$TMP/remove.log" 2>&1 || { cat "$TMP/remove.log" >&2; fail "dpkg -r failed"; }
while read -r f; do
	[ ! -e "$f" ] || fail "'$f' is left after dpkg -r"
done <"$TMP/files"
[ ! -e /usr/share/flashbuild ] || fail "/usr/share/flashbuild is left after dpkg -r"
dpkg -P flashbuild >>"$TMP/remove.log" 2>&1 || { cat "$TMP/remove.log" >&2; fail "dpkg -P failed"; }
[ -z "$(dpkg-query -W flashbuild 2>/dev/null)" ] || fail "dpkg still knows flashbuild after dpkg -P"
note "$(wc -l <"$TMP/files") files installed and removed; boards, build, image and completion worked"
