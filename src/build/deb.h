/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Debian packages as sources: a .deb fetched once with apt-get download
 * into the cache (CACHE/deb/PKG_ARCH.deb), and files taken out of it in
 * process (a .deb is an ar archive holding data.tar.xz; both are read with
 * entries.c, no dpkg).  For another architecture, apt must know it:
 * dpkg --add-architecture ARCH && apt-get update.
 */
#ifndef FB_DEB_H
#define FB_DEB_H

#include "core/cache.h"

/* CACHE/deb/PKG_ARCH.deb, downloaded unless already there.  -errno, logged. */
int fb_deb_fetch(const struct fb_cache *c, const char *pkg, const char *arch, char **ret_deb);

/*
 * Writes the first of NAMES (NULL-terminated paths in the package, such as
 * "bin/busybox") found in DEB's data archive to OUT, with its mode.
 */
int fb_deb_extract_file(const char *deb, const char *const names[], const char *out);

#endif
