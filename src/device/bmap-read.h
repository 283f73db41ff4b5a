/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a block map (bmaptool's format 1.x or 2.0, ours or bmaptool
 * create's) with libxml2, which this file owns.
 */
#ifndef FB_DEVICE_BMAP_READ_H
#define FB_DEVICE_BMAP_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cleanup.h"
#include "core/sha256.h"

struct fb_bmap_range {
	uint64_t first, last;		 /* blocks, inclusive */
	char sha[FB_SHA256_HEX_LEN + 1]; /* "" when the bmap has no SHA-256 for it */
};

struct fb_bmap {
	uint64_t image_size;
	uint32_t block_size;
	uint64_t blocks, mapped;
	struct fb_bmap_range *ranges; /* sorted, disjoint */
	size_t n;
};

/*
 * Parses TEXT (LEN bytes).  Checks what bmaptool checks: the version, the
 * counts, ranges inside the image and in order, and the file's own
 * checksum.  Logs nothing: returns -EBADMSG and sets *RET_WHY to a static
 * string saying what is wrong (and *RET_LINE to its line, or 0).
 */
int fb_bmap_parse(const char *text, size_t len, struct fb_bmap **ret, const char **ret_why,
		  int *ret_line);

/* Reads and parses PATH; logs "bmap 'PATH':LINE: WHY". */
int fb_bmap_load(const char *path, struct fb_bmap **ret);
/* Its two halves, for a caller that checks the bytes in between (a signature). */
int fb_bmap_read(const char *path, char **ret_text, size_t *ret_len);
int fb_bmap_load_text(const char *path, const char *text, size_t len, struct fb_bmap **ret);

struct fb_bmap *fb_bmap_free(struct fb_bmap *b);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fb_bmap *, fb_bmap_free);

/* The bytes of range I: [*RET_OFF, *RET_OFF + *RET_LEN), clipped to the image. */
void fb_bmap_range_bytes(const struct fb_bmap *b, size_t i, uint64_t *ret_off, uint64_t *ret_len);

#endif
