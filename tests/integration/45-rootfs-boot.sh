#!/bin/sh
# check-fast: no (builds an x86 kernel from source, unless the test cache holds it)
# The rootfs and initramfs boot: qemu-x86 (kernel + initramfs holding the
# busybox rootfs) logs luca in with flashbuild emulate; and an initramfs
# with 'root = PARTLABEL=...' finds the partition of a disk image, mounts it
# and switch_roots to it, or after root-timeout says so and opens a shell.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need qemu-system-x86_64 python3
[ -x /bin/busybox ] || skip "busybox-static is not installed (scripts/install-deps)"

# ------------------------------------------------------------ qemu-x86
# lib.sh's shared cache: the kernel is built once for every test
"$FLASHBUILD" -C "$TOP" build --board qemu-x86 >"$TMP/out" 2>&1 || {
	cat "$TMP/out" >&2
	fail "flashbuild build --board qemu-x86 failed"
}
"$FLASHBUILD" -C "$TOP" emulate --board qemu-x86 --run 'id -un; hostname; grep -c getty /etc/inittab' \
	>"$TMP/out" 2>&1 || { cat "$TMP/out" >&2; fail "flashbuild emulate --board qemu-x86 failed"; }
grep -qx luca "$TMP/out" || { cat "$TMP/out" >&2; fail "luca is not logged in"; }
grep -qx qemu-x86 "$TMP/out" || { cat "$TMP/out" >&2; fail "wrong hostname"; }
note "$(grep '^boot:' "$TMP/out")"

# A kernel of the shared cache that boots a virtio disk with ext4 on GPT, and a zstd initramfs
kernel=
for d in "$FLASHBUILD_CACHE"/kernel/*/; do
	[ -f "$d/bzImage" ] || continue
	n=$(grep -cxE 'CONFIG_(64BIT|VIRTIO_BLK|VIRTIO_PCI|EXT4_FS|EFI_PARTITION|RD_ZSTD|DEVTMPFS)=y' \
		"$d/config" || true)
	[ "$n" -eq 7 ] && kernel=$d/bzImage && break
done
[ -n "$kernel" ] || fail "no kernel in $FLASHBUILD_CACHE boots a virtio disk"

# ------------------------------------------------------------ switch_root
# No kernel in this board: its rootfs and initramfs go to a cache of their own.
export FLASHBUILD_CACHE="$TMP/cache"
W=$TMP/work
mkdir -p "$W/boards" "$W/partitions"
cat >"$W/partitions/one.sfdisk" <<'L'
label: gpt
start=2048, name=t45root
L
cat >"$W/boards/t45sw.conf" <<'B'
[board]
arch = x86_64
[image]
layout = partitions/one.sfdisk
size = 32M
[part t45root]
content = ext4
from = rootfs
[rootfs]
hostname = t45-disk
users = luca:luca
[initramfs]
root = PARTLABEL=t45root
root-timeout = 3
B
"$FLASHBUILD" -C "$W" build --board t45sw >"$TMP/out" 2>&1 || {
	cat "$TMP/out" >&2
	fail "flashbuild build --board t45sw failed"
}
initrd=$(echo "$FLASHBUILD_CACHE"/initramfs/*/initramfs.cpio.zst)

# console DISK STEP...: boots $kernel + $initrd (and DISK, unless "-"), drives the
# serial console: "expect=TEXT" waits for TEXT, "send=TEXT" types a line
console() {
	python3 - "$kernel" "$initrd" "$@" <<'P'
import os, select, subprocess, sys, time
kernel, initrd, disk, steps = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
cmd = ["qemu-system-x86_64", "-accel", "tcg", "-m", "256", "-nographic", "-no-reboot",
       "-nic", "none", "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0"]
if disk != "-":
    cmd += ["-drive", "file=%s,if=virtio,format=raw,snapshot=on" % disk]
p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
end, buf, ok = time.monotonic() + 90, b"", True
try:
    for step in steps:
        kind, _, text = step.partition("=")
        if kind == "send":
            p.stdin.write(text.encode() + b"\n")
            p.stdin.flush()
            continue
        while text.encode() not in buf:
            left = end - time.monotonic()
            r = select.select([p.stdout], [], [], max(left, 0))[0] if left > 0 else []
            chunk = os.read(p.stdout.fileno(), 65536) if r else b""
            if not chunk:
                sys.stderr.write(buf.decode(errors="replace"))
                sys.exit("no %r on the console" % text)
            buf += chunk
        buf = buf[buf.index(text.encode()) + len(text):]
finally:
    p.kill()
    p.wait()
P
}

console "$W/out/t45sw.img" "expect=Boot took" "expect=t45-disk login:" "send=luca" \
	"expect=Password:" "send=luca" "expect=$ " "send=grep ' / ' /proc/mounts" \
	"expect=/dev/vda1 / ext4 rw" || fail "no login on the root partition"
console - "expect=waiting up to 3 s for root device PARTLABEL=t45root" \
	"expect=no root device PARTLABEL=t45root after 3 s; starting a shell" \
	"send=echo R-\$((6 * 7))" "expect=R-42" || fail "no rescue shell without the disk"
