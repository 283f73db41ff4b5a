// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bmap-read.h"
#include "core/log.h"
#include "extents.h"
#include "source.h"

/* Checking an extent against the source reads this much at a time. */
#define CHECK_CHUNK (4 * 1024 * 1024)

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
	x->source_wrong = true;
	fb_err("'%s' does not match its bmap: range %u (bytes %llu-%llu) has another checksum: "
	       "the image is corrupt, or the bmap is another image's",
	       image, x->bmap_index, (unsigned long long)x->off,
	       (unsigned long long)(x->off + x->len - 1));
	return -EBADMSG;
}

static int check_one(struct fb_source *src, struct fb_extent *x, struct fb_sha256 *h, uint8_t *buf,
		     const char *image)
{
	char hex[FB_SHA256_HEX_LEN + 1];
	int r = 0;

	for (uint64_t pos = 0; r >= 0 && pos < x->len; pos += CHECK_CHUNK) {
		size_t n = x->len - pos > CHECK_CHUNK ? CHECK_CHUNK : (size_t)(x->len - pos);
		ssize_t got = fb_source_read(src, x->off + pos, buf, n);

		if (got >= 0 && (size_t)got != n)
			got = fb_err_code(-EBADMSG,
					  "'%s' ends at byte %llu, before the bytes its "
					  "bmap describes",
					  image,
					  (unsigned long long)(x->off + pos + (uint64_t)got));
		r = got < 0 ? (int)got : fb_sha256_update(h, buf, n);
	}
	if (r >= 0 && fb_sha256_final_hex(h, hex) < 0)
		r = fb_err_errno(-EIO, "cannot check '%s'", image);
	return r < 0 ? r : fb_extent_check(x, hex, image);
}

int fb_extents_check_source(struct fb_source *src, struct fb_extent *v, size_t n, const char *image)
{
	_cleanup_(fb_sha256_freep) struct fb_sha256 *h = fb_sha256_new();
	_cleanup_free_ uint8_t *buf = malloc(CHECK_CHUNK);
	int r = 0;

	if (!h || !buf)
		return fb_err_errno(-ENOMEM, "cannot check '%s'", image);
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = check_one(src, &v[i], h, buf, image);
	return r;
}
