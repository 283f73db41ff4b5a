// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading back what was written, with O_DIRECT so the page cache proves
 * nothing, against the bmap's checksums (or those computed from the source
 * as it was written).  A range that differs is written again and read again
 * once: cheap media have transient faults.  Then the deferred tail and head.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "engine.h"
#include "source.h"
#include "stream.h"

/* Puts the deferred bytes of [OFF, OFF+LEN) into BUF: they are not on the device yet. */
static void from_deferred(const struct fb_deferred *d, uint8_t *buf, uint64_t off, size_t len)
{
	uint64_t a = off > d->off ? off : d->off;
	uint64_t b = off + len < d->off + d->len ? off + len : d->off + d->len;

	if (a < b)
		memcpy(buf + (a - off), d->buf + (a - d->off), (size_t)(b - a));
}

static int read_image_span(struct fb_engine *e, uint8_t *buf, uint64_t off, size_t len)
{
	int r = fb_target_read(&e->tgt, buf, len, off);

	if (r < 0)
		return r;
	from_deferred(&e->head, buf, off, len);
	from_deferred(&e->tail, buf, off, len);
	return 0;
}

static int fill_from_device(struct fb_engine *e, uint8_t *buf, uint64_t off, size_t len)
{
	return read_image_span(e, buf, off, len);
}

static int compare_extent(struct fb_engine *e, struct fb_extent *x, const char *hex)
{
	(void)e;
	x->read_back_wrong = strcmp(hex, x->sha) != 0;
	return 0;
}

static int source_chunk(struct fb_engine *e, uint8_t *buf, uint64_t off, size_t n)
{
	ssize_t got = fb_source_read(e->src, off, buf, n);

	if (got >= 0 && (size_t)got != n)
		return fb_err_errno(-EBADMSG, "'%s' ended early, at byte %llu",
				    e->job->source.image,
				    (unsigned long long)(off + (uint64_t)got));
	return got < 0 ? (int)got : 0;
}

/* Range X read back wrong: write it again from the source, then compare byte by byte. */
static int rewrite_extent(struct fb_engine *e, const struct fb_extent *x, uint8_t *src,
			  uint8_t *dev)
{
	int r;

	fb_warn("'%s': range %u (bytes %llu-%llu) read back wrong, writing it again", e->tgt.node,
		x->bmap_index, (unsigned long long)x->off,
		(unsigned long long)(x->off + x->len - 1));
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t pos = 0; pos < x->len;) {
			size_t n = x->len - pos > FB_ENGINE_CHUNK ? FB_ENGINE_CHUNK
								  : (size_t)(x->len - pos);

			r = source_chunk(e, src, x->off + pos, n);
			if (r < 0)
				return r;
			if (pass == 0)
				r = fb_write_span(e, src, x->off + pos, n, false);
			else
				r = read_image_span(e, dev, x->off + pos, n);
			if (r < 0)
				return r;
			for (size_t i = 0; pass == 1 && i < n; i++)
				if (src[i] != dev[i]) {
					e->outcome = FB_FLASH_MISMATCH;
					fb_err("verify failed: '%s' differs from the image at "
					       "byte %llu (range %u), even after writing it again",
					       e->tgt.node, (unsigned long long)(x->off + pos + i),
					       x->bmap_index);
					return -EIO;
				}
			pos += n;
		}
		if (pass == 0 && (r = fb_target_sync(&e->tgt)) < 0)
			return r;
	}
	fb_info("'%s': range %u is good after writing it again", e->tgt.node, x->bmap_index);
	return 0;
}

int fb_verify_body(struct fb_engine *e)
{
	static const struct fb_stream_ops ops = {
		.phase = FB_FLASH_VERIFY,
		.hash_in_taker = true, /* the filler waits for the device, the caller hashes */
		.fill = fill_from_device,
		.extent_done = compare_extent,
	};
	_cleanup_free_ uint8_t *buf = NULL, *dev = NULL;
	int r;

	r = fb_stream_extents(e, &ops);
	if (r < 0)
		return r;
	for (size_t i = 0; i < e->n_ext; i++) {
		if (!e->ext[i].read_back_wrong)
			continue;
		if (!buf && (!(buf = fb_target_alloc(FB_ENGINE_CHUNK)) ||
			     !(dev = fb_target_alloc(FB_ENGINE_CHUNK))))
			return fb_err_errno(-ENOMEM, "cannot verify '%s'", e->tgt.node);
		r = rewrite_extent(e, &e->ext[i], buf, dev);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Writes D, and with VERIFY reads it back; once again if it differs. */
static int write_region(struct fb_engine *e, const struct fb_deferred *d, bool verify, uint8_t *dev)
{
	int r;

	for (int attempt = 0; attempt < 2; attempt++) {
		r = fb_target_write(&e->tgt, d->buf, (size_t)d->len, d->off);
		if (r >= 0)
			r = fb_target_sync(&e->tgt);
		if (r < 0 || !verify)
			return r;
		r = fb_target_read(&e->tgt, dev, (size_t)d->len, d->off);
		if (r < 0)
			return r;
		if (!memcmp(dev, d->buf, (size_t)d->len))
			return 0;
		for (size_t i = 0; attempt == 1 && i < d->len; i++)
			if (dev[i] != d->buf[i]) {
				e->outcome = FB_FLASH_MISMATCH;
				fb_err("verify failed: '%s' differs from the image at byte %llu, "
				       "even after writing it again",
				       e->tgt.node, (unsigned long long)(d->off + i));
				return -EIO;
			}
		fb_warn("'%s': bytes %llu-%llu read back wrong, writing them again", e->tgt.node,
			(unsigned long long)d->off, (unsigned long long)(d->off + d->len - 1));
	}
	return 0;
}

int fb_write_deferred(struct fb_engine *e)
{
	_cleanup_free_ uint8_t *dev = fb_target_alloc(FB_ENGINE_HEAD + FB_TARGET_BUF_ALIGN);
	int r;

	if (!dev)
		return fb_err_errno(-ENOMEM, "cannot write '%s'", e->tgt.node);
	fb_engine_phase(e, FB_FLASH_HEAD, e->head.len + e->tail.len);
	if (e->tail.len) {
		r = write_region(e, &e->tail, e->job->opts.verify, dev);
		if (r < 0)
			return r;
	}
	/* The partition table and boot code: last of all. */
	r = write_region(e, &e->head, e->job->opts.verify, dev);
	if (r < 0)
		return r;
	e->head_written = true;
	fb_engine_progress(e, FB_FLASH_HEAD, e->head.len + e->tail.len, e->head.len + e->tail.len);
	return 0;
}
