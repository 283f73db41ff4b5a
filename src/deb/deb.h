/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Debian packages as sources, of any architecture apt knows (dpkg
 * --add-architecture ARCH && apt-get update).  apt decides the version
 * first (apt-cache show), so what a stage takes from a package is keyed by
 * name, architecture, version and the archive's SHA-256 before anything is
 * downloaded; the .deb is then fetched once per version with apt-get
 * download (which knows this machine's mirrors, proxies and keys) into
 * CACHE/deb/NAME_VERSION_ARCH.deb and read in process (deb-archive.c).
 */
#ifndef FB_DEB_H
#define FB_DEB_H

#include <stddef.h>

#include "core/cache.h"

struct fb_deb {
	char *name, *arch; /* asked for */
	/* A component the host's apt sources do not list (apt-view.h), or NULL. */
	char *component;
	/* What apt would fetch; version NULL when apt knows no such package. */
	char *version, *sha256, *depends;
	char *pkg_arch; /* the package's own Architecture: ARCH, or "all" */
};

void fb_deb_done(struct fb_deb *d);

/*
 * "PKG[:ARCH][@COMPONENT]" (ARCH defaults to DEFARCH) into D's name, arch
 * and component: "raspi-firmware@non-free-firmware" is read from that
 * component of the host's Debian mirrors.  -EINVAL for something that is
 * not a Debian package name, -ENOMEM.
 */
int fb_deb_parse_spec(const char *spec, size_t len, const char *defarch, struct fb_deb *d);

/*
 * Sets version, sha256 and depends of the N packages in DEBS with one
 * apt-cache call, remembered in CACHE/deb/resolved/ for as long as apt's
 * package lists are the same files (a no-op build does not wait for apt).
 * (one more per component, which may fetch its lists first: apt-view.h).
 * A package apt does not know keeps its version NULL: the caller says
 * which profile line asked for it.  -errno, logged, when apt cannot run.
 */
int fb_deb_resolve(const struct fb_cache *c, struct fb_deb *debs, size_t n);

/*
 * Logs that apt knows no package D (its version is NULL after
 * fb_deb_resolve()), at FILE:LINE (LINE 0: FILE alone) of the profile that
 * asked for it.  Returns -EINVAL.
 */
int fb_deb_unknown(const char *file, unsigned line, const struct fb_deb *d);

/* Adds a resolved package to a stage key. */
void fb_deb_hash(struct fb_hasher *h, const struct fb_deb *d);

/* CACHE/deb/NAME_VERSION_ARCH.deb of a resolved package, downloaded unless there. */
int fb_deb_fetch(const struct fb_cache *c, const struct fb_deb *d, char **ret_deb);

#endif
