/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A component of Debian's archive that this machine's apt sources do not
 * list (non-free-firmware, say), read through apt lists of its own in the
 * cache, CACHE/apt/COMPONENT/: a sources.list made from the host's own
 * Debian entries (each mirror and suite apt-get indextargets names, signed
 * by Debian's archive keyring) with that component, and apt's lists and
 * binary cache beside it.  The host's configuration is never changed: apt
 * reads the view through -o options.  The view's lists are fetched (apt-get
 * update into the view) when it has none, and again when the host's own
 * lists changed since (the user ran apt-get update), so a no-op build
 * stays off the network and a view is as fresh as the host's lists.
 */
#ifndef FB_DEB_APT_VIEW_H
#define FB_DEB_APT_VIEW_H

#include <stdbool.h>

#include "core/cache.h"
#include "core/strv.h"

struct fb_apt_view {
	char *dir;	     /* CACHE/apt/COMPONENT */
	struct fb_strv opts; /* "-o", "Dir::Etc::sourcelist=...", ...: apt's options */
};

/* A component name as Debian spells them: lowercase letters, digits and '-'. */
bool fb_apt_component_valid(const char *s, size_t n);

/*
 * *V: the view of COMPONENT, made or refreshed first when REFRESH and its
 * lists are missing or older than the host's.  -errno, logged (apt's last
 * line when apt-get update failed).
 */
int fb_apt_view_open(const struct fb_cache *c, const char *component, bool refresh,
		     struct fb_apt_view *v);
void fb_apt_view_done(struct fb_apt_view *v);

/* Adds apt's host lists (names, sizes, mtimes) and pins to H: what an answer of apt's depends on. */
int fb_apt_hash_host(struct fb_hasher *h);

#endif
