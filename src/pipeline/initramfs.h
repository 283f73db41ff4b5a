/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The initramfs stage: [initramfs] -> CACHE/initramfs/KEY/initramfs.cpio.zst
 * (or .gz), a newc cpio written in process.  Without 'root' it holds the
 * whole rootfs (the rootfs stage's tar, or --rootfs) and /init hands over to its
 * /sbin/init; with 'root' it holds busybox and an /init that waits for the
 * root device, mounts it and switch_roots to it.  Either way /init mounts
 * proc, sysfs and devtmpfs and prints "Boot took N seconds" on the console.
 */
#ifndef FB_INITRAMFS_H
#define FB_INITRAMFS_H

#include <stdbool.h>

#include "core/stage.h"

struct fb_initramfs {
	struct fb_artifact art;
	char *image; /* art.dir/initramfs.cpio.zst (or .gz) */
};

/* Without [initramfs], does nothing; else sets b->initramfs. */
struct fb_build;
int fb_initramfs_stage(struct fb_build *b);
void fb_initramfs_done(struct fb_initramfs *i);
/* Whether every key of [initramfs] is one it knows, with a value of its type.  Logs. */
struct fb_board;
int fb_initramfs_check(const struct fb_board *b);

/* "/dev/sda2", "LABEL=root", "UUID=...", "PARTLABEL=root": 0, or -EINVAL. */
int fb_initramfs_check_root(const char *root);

/*
 * The text of /init, a busybox sh script.  ROOT NULL: exec /sbin/init of the
 * initramfs; else wait up to TIMEOUT seconds for ROOT, mount it, switch_root.
 * MODULES: first insmod the kernel modules /lib/modules/modules.load names.
 */
char *fb_initramfs_init(const char *root, unsigned timeout, bool modules);

#endif
