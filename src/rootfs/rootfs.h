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

#include "core/stage.h"
#include "profile/board.h"

struct fb_rootfs {
	struct fb_artifact art;
	char *tar; /* art.dir/rootfs.tar: the tree, owners and all */
};

/*
 * Reads [rootfs] of B, then finds or builds the artifact into *RET.  A
 * board without [rootfs] has no rootfs: *RET stays empty (tar NULL).
 */
int fb_rootfs_stage(const struct fb_board *b, const struct fb_stage_env *env,
		    struct fb_rootfs *ret);
void fb_rootfs_done(struct fb_rootfs *r);
/* Whether every key of [rootfs] is one it knows, with a value of its type.  Logs. */
int fb_rootfs_check(const struct fb_board *b);

/*
 * The static busybox binary for B's architecture: the host's /bin/busybox
 * (Debian's busybox-static), or for another architecture the one in
 * Debian's busybox-static:ARCH, downloaded once into the cache.
 */
int fb_busybox_find(const struct fb_board *b, const struct fb_cache *c, char **ret_path);

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
