#!/bin/sh
# check-fast: no (builds an x86 kernel from source, unless the test cache holds it)
# A real kernel built with [kernel] debug = yes, debugged the way
# docs/debugging.md's worked session does it.  The board is qemu-x86 with
# that key and nothing else, so the shared test cache builds one more kernel
# (beside qemu-x86's, in an O= directory of its own) and keeps it.
#   the artifact  vmlinux with DWARF, vmlinux-gdb.py and scripts/gdb beside it
#   --gdb         the printed gdb line, as pasted, loads vmlinux-gdb.py (its
#                 auto-load safe-path); a breakpoint on write(2) with a condition
#                 on $lx_current() stops when a user program calls it, at its
#                 source line, with the program's buffer in regs; lx-ps lists
#                 the program, lx-dmesg prints the boot log, lx-symbols reloads
#                 vmlinux; gdb detaches and the write reaches the console;
#                 the command line has one nokaslr (the debug kernel's)
. "$(dirname "$0")/lib.sh"
need_flashbuild
need qemu-system-x86_64 gdb gcc readelf ss

W=$TMP/tree
mkdir -p "$W"
cp -a "$TOP/boards" "$TOP/partitions" "$W/"
cat >"$W/boards/t57.conf" <<B
[board]
include = qemu-x86.conf
[kernel]
debug = yes
B
note "building qemu-x86 with [kernel] debug = yes (a kernel build unless cached)"
fb build --board t57 >"$TMP/build" 2>&1 || { cat "$TMP/build" >&2; fail "build of t57 failed"; }
cat "$TMP/build" >&2

# The program that calls write(2), brought in over --share (static: the rootfs has no libc).
mkdir "$TMP/bin"
cat >"$TMP/prog.c" <<'C'
#include <unistd.h>
int main(void)
{
	static const char m[] = "t57: written by fbsys\n";
	return write(1, m, sizeof(m) - 1) != sizeof(m) - 1;
}
C
gcc -static -O0 -o "$TMP/bin/fbsys" "$TMP/prog.c" || fail "cannot compile the test program"

GP=$((20000 + $$ % 20000))

fb emulate --board t57 --gdb="$GP" --share "$TMP/bin" --timeout 500 \
	--run 'cat /proc/cmdline; /mnt/host/fbsys; echo "fbsys: $?"' >"$TMP/run" 2>&1 &
em=$!
wait_listen "$GP"

# The line emulate prints, as a user pastes it.
line=$(sed -n "s/^  \(gdb -iex 'add-auto-load-safe-path [^']*' .* -ex 'target remote 127.0.0.1:$GP'\)$/\1/p" "$TMP/run")
[ -n "$line" ] || { cat "$TMP/run" >&2; fail "no gdb line with add-auto-load-safe-path"; }
kdir=$(echo "$line" | sed -n "s/^gdb -iex 'add-auto-load-safe-path \([^']*\)' .*/\1/p")
[ -f "$kdir/vmlinux-gdb.py" ] && [ -f "$kdir/scripts/gdb/linux/constants.py" ] ||
	fail "no vmlinux-gdb.py and scripts/gdb beside '$kdir/vmlinux'"
readelf -S --wide "$kdir/vmlinux" | grep -q ' \.debug_info ' || fail "'$kdir/vmlinux' has no DWARF"

cat >"$TMP/gdb.cmds" <<'G'
info auto-load python-scripts
break __x64_sys_write if $_streq($lx_current().comm, "fbsys")
continue
bt 1
x/s regs->si
lx-ps
lx-dmesg
lx-symbols
delete
detach
G
start=$(date +%s)
eval "timeout 400 $line -nx -batch -x \"\$TMP/gdb.cmds\"" >"$TMP/gdb" 2>&1 ||
	{ cat "$TMP/gdb" >&2; fail "gdb failed"; }
note "gdb: $(($(date +%s) - start)) s from attaching to detaching"
grep -v '^\[ *[0-9.]*\] ' "$TMP/gdb" >&2 # all but lx-dmesg's lines

grep -Eq '^Yes +.*/vmlinux-gdb\.py' "$TMP/gdb" || fail "gdb did not load vmlinux-gdb.py"
grep -q 'Python Exception' "$TMP/gdb" && fail "a gdb script failed"
grep -Eq '^Breakpoint 1, __x64_sys_write \(regs=0x[0-9a-f]+\) at .*/fs/read_write\.c:[0-9]+$' \
	"$TMP/gdb" || fail "gdb did not stop in __x64_sys_write with its file and line (DWARF)"
grep -Eq '^[0-9]+	SYSCALL_DEFINE3\(write, ' "$TMP/gdb" || fail "gdb showed no source line"
grep -q '^#0 .*__x64_sys_write' "$TMP/gdb" || fail "no __x64_sys_write in the backtrace"
grep -q ':	"t57: written by fbsys\\n"$' "$TMP/gdb" || fail "regs->si is not the program's buffer"
grep -Eq '^0x[0-9a-f]+ +[0-9]+ +fbsys$' "$TMP/gdb" || fail "lx-ps did not list the program"
grep -Eq '^\[ *[0-9.]+\] Linux version 6\.' "$TMP/gdb" || fail "lx-dmesg printed no 'Linux version'"
grep -Eq '^\[ *[0-9.]+\] Run /init as init process$' "$TMP/gdb" || fail "lx-dmesg: no 'Run /init'"
grep -qx 'loading vmlinux' "$TMP/gdb" || fail "lx-symbols did not reload vmlinux"

wait $em || { cat "$TMP/run" >&2; fail "the guest did not go on after gdb detached"; }
grep -qx 't57: written by fbsys' "$TMP/run" || { cat "$TMP/run" >&2; fail "the write did not reach the console"; }
grep -qx 'fbsys: 0' "$TMP/run" || fail "the program failed"
# A debug kernel's command line has nokaslr already: --gdb does not add another.
[ "$(grep -c '^console=ttyS0 .*nokaslr' "$TMP/run")" -eq 1 ] && ! grep -q 'nokaslr.*nokaslr' "$TMP/run" ||
	fail "not one nokaslr on the command line: $(grep '^console=' "$TMP/run")"
