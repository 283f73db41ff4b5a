/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where a kernel built from source comes from: Debian's linux-source
 * tarball unpacked once into the cache, or a kernel tree the profile names.
 * This file owns libarchive for the kernel stage: its types and ARCHIVE_*
 * codes do not leave it (a prebuilt kernel's package: deb-archive.c).
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
 * Adds a kernel tree to a key by the path, size, mode and mtime of every
 * entry under DIR (in sorted order, .git left out): an edited file changes
 * the key without reading 1 GB of sources.
 */
int fb_kernel_src_hash_tree(struct fb_hasher *h, const char *dir);

#endif
