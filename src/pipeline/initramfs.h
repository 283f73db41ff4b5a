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
#include "profile/board.h"

struct fb_initramfs {
	struct fb_artifact art;
	char *image; /* art.dir/initramfs.cpio.zst (or .gz) */
};

/* What the stage takes from the stages before it. */
struct fb_initramfs_in {
	const char *rootfs;	/* the tree a root-less initramfs holds: a tar, a directory... */
	const char *rootfs_key; /* ... the rootfs stage's key; NULL: --rootfs, keyed by content */
	const char *modules;	/* the kernel's modules directory, or NULL */
	const char *kernel_key; /* which stands for them */
};

/* Without [initramfs] in B, does nothing (*RET empty); else finds or builds it into *RET. */
int fb_initramfs_stage(const struct fb_board *b, const struct fb_stage_env *env,
		       const struct fb_initramfs_in *in, struct fb_initramfs *ret);
void fb_initramfs_done(struct fb_initramfs *i);
/* Whether every key of [initramfs] is one it knows, with a value of its type.  Logs. */
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
