/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * [rootfs] debs (busybox recipe): Debian packages of the board's
 * architecture added to the tree, for programs busybox lacks on a board
 * whose arch is not this machine's (where host-programs cannot help):
 *
 *	debs = util-linux/bin/findmnt libmount1 libblkid1 libsmartcols1 ...
 *
 * A word is PACKAGE[:ARCH] (every file of its data archive) or
 * PACKAGE[:ARCH]/PATH (that file or directory only), each fetched and
 * unpacked once into the cache (deb-sources.c).  No maintainer scripts run
 * and no dependencies are followed: list the libraries too.
 */
#ifndef FB_ROOTFS_DEBS_H
#define FB_ROOTFS_DEBS_H

#include "recipe.h"
#include "tree.h"

struct fb_rootfs_debs;

/* Reads the key, asks apt, fetches and unpacks.  Errors name file:line, logged. */
int fb_rootfs_debs_prepare(struct fb_rootfs_ctx *ctx, const char *value,
			   struct fb_rootfs_debs **ret);
void fb_rootfs_debs_hash(const struct fb_rootfs_debs *d, struct fb_hasher *h);
int fb_rootfs_debs_add(const struct fb_rootfs_debs *d, struct fb_tree *t);
struct fb_rootfs_debs *fb_rootfs_debs_free(struct fb_rootfs_debs *d);

#endif
