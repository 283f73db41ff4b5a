/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What to write of an image: the ranges its bmap maps, or, without one, all
 * of it in pieces that are checked (and re-written on a mismatch) one by one.
 */
#ifndef FB_DEVICE_EXTENTS_H
#define FB_DEVICE_EXTENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sha256.h"

struct fb_bmap;

/* A byte range of the image to write, with the SHA-256 it must have. */
struct fb_extent {
	uint64_t off, len;
	char sha[FB_SHA256_HEX_LEN + 1]; /* known beforehand, or computed as written */
	bool sha_known;			 /* from the bmap, or from a shared source's check */
	unsigned bmap_index;		 /* its <Range>'s number in the bmap, from 1 (0: no bmap) */
	bool read_back_wrong;		 /* verify found another checksum on the device */
	bool source_wrong;		 /* the source has another checksum than the bmap's */
};

struct fb_extents {
	struct fb_extent *v;
	size_t n;
	uint64_t image_size, mapped; /* bytes: the image's, and those the extents cover */
};

/* IMAGE.bmap, else the name without its compression suffix, else without ".img"; or NULL. */
char *fb_extents_find_bmap(const char *image);

/* Fill *RET (freed with free(ret->v)); -ENOMEM only, not logged. */
int fb_extents_from_bmap(const struct fb_bmap *b, struct fb_extents *ret);
int fb_extents_whole(uint64_t image_size, struct fb_extents *ret);

/*
 * HEX is what the source holds for X: taken as X's checksum when none was
 * known, else compared with it.  -EBADMSG (logged, naming IMAGE) when they differ.
 */
int fb_extent_check(struct fb_extent *x, const char *hex, const char *image);

/*
 * Reads the N extents V from SRC and checks each as fb_extent_check does
 * (taking its checksum when none was known).  -EBADMSG for another checksum
 * or an image that ends early; logged.
 */
struct fb_source;
int fb_extents_check_source(struct fb_source *src, struct fb_extent *v, size_t n,
			    const char *image);

#endif
