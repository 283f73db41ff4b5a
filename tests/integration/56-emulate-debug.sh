#!/bin/sh
# check-fast: no (builds an x86 kernel from source, unless the test cache holds it)
# emulate's debugging options on qemu-x86:
#   --gdb       QEMU's gdbstub on 127.0.0.1, the guest halted until gdb
#               continues; gdb with the kernel's vmlinux stops in start_kernel,
#               detaches, and the guest boots on and runs --run's command
#   no --gdb    nothing listens on any port (and without --share, init does not
#               try to mount one: no 9pnet_virtio complaint)
#   --share     a host directory appears at /mnt/host in the guest
#   --net       user-mode network with --forward on 127.0.0.1 only: gdbserver in
#               the guest (host-programs) runs a program from --share, and a
#               host gdb stops at its main
. "$(dirname "$0")/lib.sh"
need_flashbuild
need qemu-system-x86_64 gdb gdbserver ss gcc

board_build qemu-x86
base=$((20000 + $$ % 20000))
GP=$base FP=$((base + 1))

# descendants PID: PID and every process under it
descendants() {
	echo "$1"
	for _c in $(pgrep -P "$1"); do
		descendants "$_c"
	done
}
# listeners PID: the TCP sockets PID and the processes under it listen on
listeners() {
	for _p in $(descendants "$1"); do
		ss -Hltnp | grep "pid=$_p," || true
	done
}

# --- --gdb: break in start_kernel, then the boot goes on
fb emulate --board qemu-x86 --gdb="$GP" --timeout 280 --run 'echo after-gdb' >"$TMP/gdb-run" 2>&1 &
em=$!
wait_listen "$GP"
listeners $em >"$TMP/socks"
cat "$TMP/socks" >&2
grep -q "127.0.0.1:$GP " "$TMP/socks" || fail "the gdbstub is not on 127.0.0.1:$GP"
grep -v "127.0.0.1:$GP " "$TMP/socks" | grep -q . && fail "emulate --gdb listens elsewhere too"
vmlinux=$(sed -n "s/^  gdb \([^ ]*\) -ex 'target remote 127.0.0.1:$GP'$/\1/p" "$TMP/gdb-run")
[ -f "$vmlinux" ] || { cat "$TMP/gdb-run" >&2; fail "no 'gdb VMLINUX -ex ...' line to paste"; }
timeout 240 gdb -nx -batch -ex "target remote 127.0.0.1:$GP" -ex 'break start_kernel' \
	-ex continue -ex 'bt 1' -ex detach "$vmlinux" >"$TMP/gdb" 2>&1 ||
	{ cat "$TMP/gdb" >&2; fail "gdb failed"; }
cat "$TMP/gdb" >&2
grep -q '^#0 .*start_kernel' "$TMP/gdb" || fail "gdb did not stop in start_kernel"
wait $em || { cat "$TMP/gdb-run" >&2; fail "the guest did not boot on after gdb"; }
grep -qx 'after-gdb' "$TMP/gdb-run" || fail "no --run output after gdb detached"

# --- without --gdb (and without --net): nothing listens
fb emulate --board qemu-x86 --timeout 280 --run 'sleep 8; echo slept; dmesg | grep 9p || true' >"$TMP/quiet" 2>&1 &
em=$!
sleep 6
listeners $em >"$TMP/socks"
wait $em || { cat "$TMP/quiet" >&2; fail "emulate without --gdb failed"; }
[ -s "$TMP/socks" ] && { cat "$TMP/socks" >&2; fail "emulate listens on a port without --gdb"; }
# ... and, without --share, init does not ask for the share (the kernel would complain on the console)
grep -q 'no channels available' "$TMP/quiet" && { cat "$TMP/quiet" >&2; fail "init mounted a share that is not there"; }

# --- --share: a host directory at /mnt/host
mkdir "$TMP/share"
echo "from the host $$" >"$TMP/share/hello"
fb emulate --board qemu-x86 --share "$TMP/share" --timeout 280 --run 'cat /mnt/host/hello' \
	>"$TMP/share.out" 2>&1 || { cat "$TMP/share.out" >&2; fail "emulate --share failed"; }
grep -qx "from the host $$" "$TMP/share.out" || { cat "$TMP/share.out" >&2; fail "/mnt/host/hello not seen in the guest"; }

# --- --net --forward: gdbserver in the guest, gdb on the host stops at main
cat >"$TMP/prog.c" <<'C'
#include <stdio.h>
static int answer(void) { return 42; }
int main(void) { printf("%d\n", answer()); return 0; }
C
# The program comes over --share (the guest's /tmp is a tmpfs); gdbserver is in the rootfs.
mkdir "$TMP/bin"
gcc -g -O0 -o "$TMP/bin/prog" "$TMP/prog.c" || fail "cannot compile the test program"
cat >"$W/boards/t56.conf" <<B
[board]
include = qemu-x86.conf
[rootfs]
hostname = t56
host-programs = gdbserver
B
fb emulate --board t56 --net --forward "$FP:2345" --share "$TMP/bin" --timeout 280 \
	--run "gdbserver :2345 /mnt/host/prog; echo gdbserver-done" >"$TMP/net" 2>&1 &
em=$!
wait_listen "$FP"
listeners $em >"$TMP/socks"
grep -q "127.0.0.1:$FP " "$TMP/socks" || { cat "$TMP/socks" >&2; fail "--forward is not on 127.0.0.1:$FP"; }
grep -v "127.0.0.1:$FP " "$TMP/socks" | grep -q . && fail "emulate --net listens elsewhere too"
# The forward listens from QEMU's start; gdbserver only once the guest is up: retry.
ok=
end=$(($(date +%s) + 150))
while [ "$(date +%s)" -lt $end ]; do
	if timeout 30 gdb -nx -batch -ex "target remote 127.0.0.1:$FP" -ex 'break main' \
		-ex continue -ex 'bt 1' -ex kill "$TMP/bin/prog" >"$TMP/gdb2" 2>&1 &&
		grep -q '^#0 *main () at .*prog.c' "$TMP/gdb2"; then
		ok=1
		break
	fi
	sleep 2
done
cat "$TMP/gdb2" >&2
[ -n "$ok" ] || fail "host gdb did not stop at main of the program under gdbserver"
wait $em || { cat "$TMP/net" >&2; fail "emulate --net failed"; }
grep -qx 'gdbserver-done' "$TMP/net" || fail "the guest command did not finish"

# --- bad options are usage errors
rc=0
fb emulate --board qemu-x86 --forward 1:2 --run true 2>"$TMP/err" || rc=$?
[ $rc -eq 2 ] && grep -q -- '--forward needs --net' "$TMP/err" || fail "--forward without --net: exit $rc"
rc=0
fb emulate --board qemu-x86 --net --forward 99999:22 --run true 2>"$TMP/err" || rc=$?
[ $rc -eq 2 ] && grep -q "bad --forward '99999:22'" "$TMP/err" || fail "a bad --forward: exit $rc"
