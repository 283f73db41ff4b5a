/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * [rootfs] host-programs = findmnt strace: programs of the build machine
 * copied into a rootfs of the same architecture, with the shared
 * libraries and the loader they need (as ldd(1) lists them), at the same
 * paths.  For a busybox rootfs that lacks one tool, not for a distribution.
 */
#ifndef FB_ROOTFS_HOSTPROG_H
#define FB_ROOTFS_HOSTPROG_H

#include "core/cache.h"
#include "core/strv.h"
#include "tree.h"

/* Each program of LIST (names found in PATH, or absolute paths) and its libraries. */
int fb_hostprog_resolve(const char *list, struct fb_strv *ret_files);
/* The files by path, size and mtime. */
int fb_hostprog_hash(const struct fb_strv *files, struct fb_hasher *h);
/* Adds each file at its own path, with its directories. */
int fb_hostprog_add(const struct fb_strv *files, struct fb_tree *t);

#endif
