/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rootfs stage: [rootfs] -> CACHE/rootfs/KEY/rootfs.tar, an
 * uncompressed tar with numeric owners and device nodes as entries, which
 * the image's ext4 writer and the initramfs stage both read.  A recipe
 * (busybox, debian, tar) makes the base; the profile's hostname, overlay
 * and users go on top.
 */
#ifndef FB_ROOTFS_H
#define FB_ROOTFS_H

#include <stdbool.h>

#include "build.h"

/*
 * Reads [rootfs], then finds or builds the artifact; sets b->rootfs and
 * b->rootfs_tar.  A board without [rootfs] has no rootfs: nothing is set.
 */
int fb_rootfs_stage(struct fb_build *b);

/* What the build needs to know about an architecture of [board] arch. */
struct fb_arch {
	const char *name;    /* "x86_64": as [board] arch says it */
	const char *deb;     /* "amd64": Debian's name */
	const char *machine; /* "x86_64": uname -m of such a machine */
	const char *console; /* the usual serial console: "ttyS0" */
};

/* NAME (NULL: the host's architecture), or NULL when unknown. */
const struct fb_arch *fb_arch_find(const char *name);
bool fb_arch_is_host(const struct fb_arch *a);

/*
 * The static busybox binary for B's architecture: the host's /bin/busybox
 * (Debian's busybox-static), or for another architecture the one in
 * Debian's busybox-static:ARCH, downloaded once into the cache.
 */
int fb_busybox_find(const struct fb_build *b, char **ret_path);

/* DIR (may be NULL) is a directory; else logs "FILE:LINE: WHAT ..." from KV. */
struct fb_kv;
int fb_rootfs_check_overlay(const char *dir, const struct fb_kv *kv, const char *what);

/*
 * Adds /dev/console (5:1) and /dev/null (1:3) to T unless it has them: the
 * kernel opens the console for init before anything mounts devtmpfs, and a
 * normal user cannot mknod them.
 */
struct fb_tree;
int fb_rootfs_add_dev_nodes(struct fb_tree *t);

#endif
