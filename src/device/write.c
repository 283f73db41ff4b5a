// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The body of the write: the filler thread reads (and decompresses) the
 * source and checks each extent's SHA-256 against the bmap as it goes; the
 * caller's thread writes.  The image's head and tail go to memory.
 */
#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "engine.h"
#include "source.h"
#include "stream.h"

static int fill_from_source(struct fb_engine *e, uint8_t *buf, uint64_t off, size_t len)
{
	ssize_t n = fb_source_read(e->src, off, buf, len);

	if (n < 0)
		return (int)n;
	if ((size_t)n < len) {
		fb_err("'%s' ends at byte %llu, before the %llu bytes its bmap describes",
		       e->job->source.image, (unsigned long long)(off + (uint64_t)n),
		       (unsigned long long)e->image_size);
		return -EBADMSG;
	}
	return 0;
}

static int check_extent(struct fb_engine *e, struct fb_extent *x, const char *hex)
{
	return fb_extent_check(x, hex, e->job->source.image);
}

/* Copies the part of [OFF, OFF+LEN) inside D into its buffer. */
static void to_deferred(struct fb_deferred *d, const uint8_t *data, uint64_t off, size_t len)
{
	uint64_t a = off > d->off ? off : d->off;
	uint64_t b = off + len < d->off + d->len ? off + len : d->off + d->len;

	if (a < b)
		memcpy(d->buf + (a - d->off), data + (a - off), (size_t)(b - a));
}

int fb_write_span(struct fb_engine *e, const uint8_t *data, uint64_t off, size_t len)
{
	uint64_t a = off, b = off + len;

	/* once the head and tail are on the device, a range is written again whole */
	if (e->head_written)
		return fb_target_write(&e->tgt, data, len, off);
	to_deferred(&e->head, data, off, len);
	to_deferred(&e->tail, data, off, len);
	/* What lies between the head and the tail goes to the device now. */
	if (a < e->head.off + e->head.len)
		a = e->head.off + e->head.len;
	if (e->tail.len && b > e->tail.off)
		b = e->tail.off;
	if (a >= b)
		return 0;
	return fb_target_write(&e->tgt, data + (a - off), (size_t)(b - a), a);
}

int fb_write_body(struct fb_engine *e)
{
	static const struct fb_stream_ops ops = {
		.phase = FB_FLASH_WRITE,
		.hash_in_taker = false,
		.fill = fill_from_source,
		.take = fb_write_span,
		.extent_done = check_extent,
	};
	/* A shared source was checked against its checksums once, for every job. */
	static const struct fb_stream_ops checked_ops = {
		.phase = FB_FLASH_WRITE,
		.no_hash = true,
		.fill = fill_from_source,
		.take = fb_write_span,
	};
	int r = fb_stream_extents(e, e->job->shared ? &checked_ops : &ops);

	if (r == -EBADMSG)
		e->outcome = FB_FLASH_CORRUPT;
	return r;
}
