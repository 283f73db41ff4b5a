#!/bin/sh
# The kernel stage without a real kernel: a stand-in kernel tree (a Makefile
# and merge_config.sh that do what flashbuild asks of Kbuild, in no time)
# shows the cache (no-op, config change, edited fragment), the TTY progress
# line, and the one-line errors: a dropped symbol, a failing build (naming
# its log), a missing source; none leaves an artifact behind.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need make

# Not the shared cache: these artifacts are throwaway.
export FLASHBUILD_CACHE=$TMP/cache
cd "$TMP" || exit 1

mkdir -p tree/scripts/kconfig
cat >tree/Makefile <<'MK'
# A stand-in for a kernel tree: just the targets flashbuild runs.
O ?= .
tinyconfig:
	printf 'CONFIG_BASE=y\n# CONFIG_B is not set\n' >$(O)/.config
olddefconfig:
	sed -i '/CONFIG_DROPME/d' $(O)/.config
bzImage:
	@for f in a b c d e; do echo "  CC      $$f.o"; sleep 0.15; done
	@if grep -q CONFIG_FAIL=y $(O)/.config; then echo "f.c:1: error: boom" >&2; exit 2; fi
	mkdir -p $(O)/arch/x86/boot
	cat $(O)/.config >$(O)/arch/x86/boot/bzImage
	echo vmlinux >$(O)/vmlinux
	echo built >>$(O)/builds
# As in Kbuild: the gdb scripts are a target of their own (part of 'all', not of bzImage).
scripts_gdb:
	grep -q CONFIG_GDB_SCRIPTS=y $(O)/.config
	mkdir -p $(O)/scripts/gdb/linux && echo py >$(O)/scripts/gdb/linux/utils.py
	echo gdbpy >$(O)/vmlinux-gdb.py
MK
# merge_config.sh -m -O DIR BASE FRAGMENT...: a .config reader takes the last word.
cat >tree/scripts/kconfig/merge_config.sh <<'SH'
#!/bin/sh
[ "$1" = -m ] && [ "$2" = -O ] || exit 1
out=$3
shift 3
cat "$@" >"$out/.config.new" && mv "$out/.config.new" "$out/.config"
SH
chmod +x tree/scripts/kconfig/merge_config.sh

printf 'CONFIG_X=y\n# CONFIG_Y is not set\n' >one.config
printf 'CONFIG_Z=m\n' >two.config
printf 'CONFIG_X=y\nCONFIG_DROPME=y\n' >drop.config
printf 'CONFIG_FAIL=y\n' >fail.config

mkdir -p boards partitions
printf 'label: gpt\nstart=2048, type=linux, name=data\n' >partitions/k.sfdisk

# board NAME FRAGMENTS [SOURCE]: boards/NAME.conf, a [kernel] and an empty disk
board() {
	cat >"boards/$1.conf" <<EOB
[board]
arch = x86_64

[image]
layout = partitions/k.sfdisk
size = 4M

[kernel]
source = ${3:-tree}
fragments = $2
cmdline = console=ttyS0 quiet
EOB
}

# build NAME: flashbuild build, stdout in log.out, stderr in log.err; its status
build() {
	_rc=0
	"$FLASHBUILD" build --board "$1" >log.out 2>log.err || _rc=$?
	return $_rc
}

artifacts() { find cache/kernel -mindepth 1 -maxdepth 1 | wc -l; }

# --- a build, then nothing to do
board k "one.config two.config"
build k || { cat log.err >&2; fail "the first build failed"; }
grep -q 'kernel .*built' log.out || fail "no 'kernel built' line: $(cat log.out)"
[ "$(artifacts)" -eq 1 ] || fail "expected one artifact"
art=$(find cache/kernel -mindepth 1 -maxdepth 1)
for f in bzImage config build.log; do
	[ -s "$art/$f" ] || fail "artifact lacks '$f'"
done
grep -qx 'CONFIG_Z=m' "$art/config" || fail "fragment not merged into the config"
grep -q '^  CC      e.o' "$art/build.log" || fail "build.log lacks make's output"
if grep -q "$(printf '\r')" log.out || grep -q 'files compiled' log.out; then
	fail "progress output without a TTY"
fi
build k || fail "the second build failed"
grep -q 'kernel .*up to date' log.out || fail "no 'up to date': $(cat log.out)"
[ "$(cat cache/kernel-build/*/builds | wc -l)" -eq 1 ] || fail "make ran again for an unchanged kernel"

# --- a config change: a new artifact, built in the same O= directory
board k "one.config"
build k || fail "the build with one fragment failed"
grep -q 'kernel .*built' log.out || fail "a changed config was not rebuilt"
[ "$(artifacts)" -eq 2 ] || fail "expected a second artifact"
[ "$(find cache/kernel-build -mindepth 1 -maxdepth 1 -type d | wc -l)" -eq 1 ] ||
	fail "a config change got a new build directory"

# --- an edited fragment is a new key (by content, not by name)
printf 'CONFIG_X=m\n' >one.config
build k || fail "the build with an edited fragment failed"
grep -q 'kernel .*built' log.out || fail "an edited fragment was not rebuilt"
[ "$(artifacts)" -eq 3 ] || fail "expected a third artifact"

# --- a TTY sees one updating progress line
if command -v script >/dev/null 2>&1; then
	printf 'CONFIG_X=y\n' >one.config
	echo 'CONFIG_W=y' >>two.config
	board k "one.config two.config"
	script -qec "'$FLASHBUILD' build --board k" /dev/null >tty.out || fail "the build on a TTY failed"
	grep -q 'files compiled' tty.out || fail "no progress line on a TTY: $(cat tty.out)"
fi

# error NAME WANT: the build of NAME fails with exactly the line WANT, and no new artifact
error() {
	_n=$(artifacts)
	if build "$1"; then
		fail "board '$1' built"
	fi
	[ "$(cat log.err)" = "$2" ] || fail "board '$1': expected '$2', got '$(cat log.err)'"
	[ "$(artifacts)" -eq "$_n" ] || fail "board '$1' left an artifact"
	if find cache/kernel -name '.*' | grep -q .; then
		fail "board '$1' left a temporary directory"
	fi
}

board drop "one.config drop.config"
error drop "error: drop.config:2: CONFIG_DROPME=y was dropped by Kbuild (missing dependency?)"

board failing "fail.config"
log=$(find "$TMP/cache/kernel-build" -name build.log)
error failing "error: kernel build failed; see $log"
grep -q 'error: boom' "$log" || fail "the log lacks the compiler's error"

# --- [kernel] debug = yes: the debug fragment, nokaslr, vmlinux and the gdb scripts
# (Kbuild's scripts_gdb) kept
board dbg "one.config"
echo "debug = yes" >>boards/dbg.conf
n=$(artifacts)
build dbg || { cat log.err >&2; fail "the debug build failed"; }
[ "$(artifacts)" -eq $((n + 1)) ] || fail "debug = yes is not a new kernel"
# DWARF recompiles everything: a build directory of its own, the other one left as it was
[ "$(find cache/kernel-build -mindepth 1 -maxdepth 1 -type d | wc -l)" -eq 2 ] ||
	fail "a debug kernel did not get a build directory of its own"
art=$(ls -td cache/kernel/*/ | head -1)
grep -qx 'CONFIG_GDB_SCRIPTS=y' "$art/config" || fail "no CONFIG_GDB_SCRIPTS in the debug config"
grep -qx 'CONFIG_DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT=y' "$art/config" || fail "no DWARF in the debug config"
for f in vmlinux vmlinux-gdb.py scripts/gdb/linux/utils.py; do
	[ -s "$art/$f" ] || fail "the debug artifact lacks '$f'"
done
# build --debug asks the same of a board without the key: the same kernel, nothing built
board dbg "one.config"
"$FLASHBUILD" build --debug --board dbg >log.out 2>log.err || fail "build --debug failed"
grep -q 'kernel .*up to date' log.out || fail "build --debug is not [kernel] debug = yes: $(cat log.out)"
[ -z "$(find cache/kernel -mindepth 2 -name vmlinux-gdb.py | grep -v "^$art")" ] ||
	fail "a kernel without debug kept the gdb scripts"

board nosrc "one.config" /nonexistent/linux
error nosrc "error: boards/nosrc.conf:9: cannot read kernel source '/nonexistent/linux': No such file or directory"

board nofrag "one.config nope.config"
error nofrag "error: boards/nofrag.conf:10: cannot read config fragment 'nope.config': No such file or directory"

printf 'CONFIG_A=y\nCONFIG_B y\n' >bad.config
board badfrag "bad.config"
error badfrag "error: bad.config:2: not a Kconfig line: expected CONFIG_NAME=value or '# CONFIG_NAME is not set'"
