/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where a kernel comes from: Debian's linux-source tarball unpacked once
 * into the cache, a kernel tree the profile names, or the vmlinuz inside a
 * linux-image .deb.  This file owns libarchive for the kernel stage: its
 * types and ARCHIVE_* codes do not leave it.
 */
#ifndef FB_KERNEL_SRC_H
#define FB_KERNEL_SRC_H

#include "core/cache.h"

/*
 * Unpacks TARBALL into the existing directory DEST without its top-level
 * folder ("linux-source-6.1/Makefile" -> DEST/Makefile).  Errors are logged
 * naming TARBALL.
 */
int fb_kernel_src_unpack(const char *tarball, const char *dest);

/*
 * Takes /boot/vmlinuz-* out of DEB (an ar archive holding data.tar.*) as
 * DEST/IMAGE, and /boot/config-* as DEST/config when there is one.
 * -ENOENT, logged, when DEB holds no kernel.
 */
int fb_kernel_src_from_deb(const char *deb, const char *dest, const char *image);

/*
 * Adds a kernel tree to a key by the path, size, mode and mtime of every
 * entry under DIR (in sorted order, .git left out): an edited file changes
 * the key without reading 1 GB of sources.
 */
int fb_kernel_src_hash_tree(struct fb_hasher *h, const char *dir);

#endif
