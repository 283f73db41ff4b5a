// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bmap-read.h"
#include "core/log.h"
#include "extents.h"

/* Without a bmap the image is checked (and re-written on a mismatch) in pieces this size. */
#define PLAIN_EXTENT (64 * 1024 * 1024)

char *fb_extents_find_bmap(const char *image)
{
	static const char *const zext[] = { ".xz", ".gz", ".zst", ".zstd", ".bz2", ".lz4" };
	_cleanup_free_ char *base = strdup(image);
	char *p = NULL;

	if (!base || asprintf(&p, "%s.bmap", image) < 0)
		return NULL;
	if (access(p, F_OK) == 0)
		return p;
	free(p);
	for (size_t i = 0; i < ELEMENTSOF(zext); i++) {
		size_t n = strlen(base), m = strlen(zext[i]);

		if (n > m && !strcmp(base + n - m, zext[i]))
			base[n - m] = '\0';
	}
	for (int pass = 0; pass < 2; pass++) {
		size_t n = strlen(base);

		if (pass == 1 && n > 4 && !strcmp(base + n - 4, ".img"))
			base[n - 4] = '\0';
		else if (pass == 1)
			break;
		if (asprintf(&p, "%s.bmap", base) < 0)
			return NULL;
		if (access(p, F_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

int fb_extents_from_bmap(const struct fb_bmap *b, struct fb_extents *ret)
{
	struct fb_extents x = { .n = b->n, .image_size = b->image_size };

	x.v = calloc(b->n ? b->n : 1, sizeof(*x.v));
	if (!x.v)
		return -ENOMEM;
	for (size_t i = 0; i < b->n; i++) {
		struct fb_extent *e = &x.v[i];

		fb_bmap_range_bytes(b, i, &e->off, &e->len);
		memcpy(e->sha, b->ranges[i].sha, sizeof(e->sha));
		e->sha_known = e->sha[0] != '\0';
		e->bmap_index = (unsigned)i + 1;
		x.mapped += e->len;
	}
	*ret = x;
	return 0;
}

int fb_extents_whole(uint64_t image_size, struct fb_extents *ret)
{
	size_t n = (size_t)((image_size + PLAIN_EXTENT - 1) / PLAIN_EXTENT);
	struct fb_extents x = { .n = n, .image_size = image_size, .mapped = image_size };

	x.v = calloc(n ? n : 1, sizeof(*x.v));
	if (!x.v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint64_t off = (uint64_t)i * PLAIN_EXTENT, end = off + PLAIN_EXTENT;

		x.v[i] = (struct fb_extent){ .off = off,
					     .len = (end > image_size ? image_size : end) - off,
					     .bmap_index = (unsigned)i + 1 };
	}
	*ret = x;
	return 0;
}

int fb_extent_check(struct fb_extent *x, const char *hex, const char *image)
{
	if (!x->sha_known) {
		memcpy(x->sha, hex, sizeof(x->sha));
		return 0;
	}
	if (!strcmp(hex, x->sha))
		return 0;
	fb_err("'%s' does not match its bmap: range %u (bytes %llu-%llu) has another checksum; "
	       "the image is corrupt",
	       image, x->bmap_index, (unsigned long long)x->off,
	       (unsigned long long)(x->off + x->len - 1));
	return -EBADMSG;
}
