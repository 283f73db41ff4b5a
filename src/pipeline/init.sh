#!/bin/busybox sh
# /init: written by flashbuild
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

rescue() {
	echo "flashbuild: $*; starting a shell"
	exec /bin/busybox setsid /bin/busybox cttyhack /bin/busybox sh
}

boot_took() {
	read -r up _ </proc/uptime
	echo "Boot took $up seconds"
}
#@if modules

# the kernel's drivers for the root device, as [kernel] modules lists them
while read -r m; do
	/bin/busybox insmod "/lib/modules/$m" || echo "flashbuild: cannot load $m"
done </lib/modules/modules.load
#@end
#@if local

boot_took
exec /sbin/init
rescue "cannot run /sbin/init"
#@end
#@if root

/bin/busybox --install -s
root=@ROOT@
timeout=@TIMEOUT@
# root= on the kernel command line wins, as it would without an initramfs
for arg in $(cat /proc/cmdline); do
	case "$arg" in root=*) root=${arg#root=} ;; esac
done

find_root() {
	case "$root" in
	PARTLABEL=*)
		for u in /sys/class/block/*/uevent; do
			if grep -qx "PARTNAME=${root#PARTLABEL=}" "$u"; then
				sed -n 's|^DEVNAME=|/dev/|p' "$u"
				return 0
			fi
		done
		return 1 ;;
	PARTUUID=*-[0-9a-f][0-9a-f])
		# an MBR partition, DISKID-NN: the disk whose signature (the 4 bytes
		# at 440, little-endian) is DISKID, its partition NN (hex)
		id=${root#PARTUUID=}
		for d in /sys/class/block/*; do
			[ -e "$d/partition" ] && continue
			sig=$(dd if="/dev/${d##*/}" bs=4 skip=110 count=1 2>/dev/null |
				od -An -tx4 | tr -d ' \n')
			[ "$sig" = "${id%-*}" ] || continue
			for p in "$d/${d##*/}"*; do
				[ "$(cat "$p/partition" 2>/dev/null)" = "$((0x${id##*-}))" ] &&
					echo "/dev/${p##*/}" && return 0
			done
		done
		return 1 ;;
	LABEL=* | UUID=*) findfs "$root" 2>/dev/null ;;
	*) [ -b "$root" ] && echo "$root" ;;
	esac
}

# USB storage shows up seconds after the kernel starts
n=0
until dev=$(find_root); do
	[ $n -eq 10 ] && echo "flashbuild: waiting up to $timeout s for root device $root"
	[ $n -ge $((timeout * 10)) ] && rescue "no root device $root after $timeout s"
	sleep 0.1
	n=$((n + 1))
done
mkdir -p /newroot
mount "$dev" /newroot || rescue "cannot mount $dev ($root)"
[ -e /newroot/sbin/init ] || [ -L /newroot/sbin/init ] ||
	rescue "$dev has no /sbin/init"
boot_took
for d in dev proc sys; do
	mount --move /$d /newroot/$d 2>/dev/null || umount -l /$d
done
exec switch_root /newroot /sbin/init
rescue "cannot switch to $dev"
#@end
