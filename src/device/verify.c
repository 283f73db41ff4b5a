// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading back what was written, with O_DIRECT so the page cache proves
 * nothing, against the bmap's checksums (or those computed from the source
 * as it was written), after the last write: the body, then the deferred tail
 * and head are written, then all of it is read back, so that a card on which
 * a later write lands on an earlier block (a fake-capacity card) cannot pass.
 * A range that differs is written again once (cheap media have transient
 * faults); then everything is read back again, for a rewrite may land on a
 * range already checked.  What still differs is a mismatch, and the head is
 * wiped: a card that failed holds no partition table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "engine.h"
#include "source.h"
#include "stream.h"

/* Verifying comes after the last write: the head and tail are on the device too. */
static int fill_from_device(struct fb_engine *e, uint8_t *buf, uint64_t off, size_t len)
{
	return fb_target_read(&e->tgt, buf, len, off);
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

/* Range X read back wrong: written again from the source (the next pass reads it back). */
static int rewrite_extent(struct fb_engine *e, const struct fb_extent *x, uint8_t *src)
{
	int r = 0;

	fb_warn("'%s': range %u (bytes %llu-%llu) read back wrong, writing it again", e->tgt.node,
		x->bmap_index, (unsigned long long)x->off,
		(unsigned long long)(x->off + x->len - 1));
	for (uint64_t pos = 0; r >= 0 && pos < x->len;) {
		size_t n =
			x->len - pos > FB_ENGINE_CHUNK ? FB_ENGINE_CHUNK : (size_t)(x->len - pos);

		r = source_chunk(e, src, x->off + pos, n);
		if (r >= 0)
			r = fb_write_span(e, src, x->off + pos, n);
		pos += n;
	}
	return r < 0 ? r : fb_target_sync(&e->tgt);
}

/* One pass over every extent from the device; *RET_WRONG: how many read back wrong. */
static int verify_pass(struct fb_engine *e, size_t *ret_wrong)
{
	static const struct fb_stream_ops ops = {
		.phase = FB_FLASH_VERIFY,
		.hash_in_taker = true, /* the filler waits for the device, the caller hashes */
		.fill = fill_from_device,
		.extent_done = compare_extent,
	};
	int r = fb_stream_extents(e, &ops);

	*ret_wrong = 0;
	for (size_t i = 0; r >= 0 && i < e->n_ext; i++)
		*ret_wrong += e->ext[i].read_back_wrong;
	return r;
}

/* The deferred region D against the device; 1 if it differs (the first byte in *RET_AT). */
static int region_differs(struct fb_engine *e, const struct fb_deferred *d, uint8_t *dev,
			  uint64_t *ret_at)
{
	int r;

	if (!d->len)
		return 0;
	r = fb_target_read(&e->tgt, dev, (size_t)d->len, d->off);
	if (r < 0)
		return r;
	for (size_t i = 0; i < d->len; i++)
		if (dev[i] != d->buf[i]) {
			*ret_at = d->off + i;
			return 1;
		}
	return 0;
}

/* A mismatch that stays, at byte AT (of RANGE, 0: none): the head wiped, no table left. */
static int mismatch(struct fb_engine *e, uint64_t at, unsigned range)
{
	_cleanup_free_ uint8_t *zero = fb_target_alloc((size_t)e->head.len + FB_TARGET_BUF_ALIGN);
	char where[48] = "";

	e->outcome = FB_FLASH_MISMATCH;
	e->at.set = true;
	e->at.off = at;
	e->at.range = range;
	if (zero && fb_target_write(&e->tgt, zero, (size_t)e->head.len, e->head.off) >= 0 &&
	    fb_target_sync(&e->tgt) >= 0)
		e->head_written = false;
	if (range)
		snprintf(where, sizeof(where), " (range %u)", range);
	return fb_err_code(-EIO,
			   "verify failed: '%s' differs from the image at byte %llu%s, after "
			   "writing it again (a fake-capacity card? --check-capacity tells)",
			   e->tgt.node, (unsigned long long)at, where);
}

/* The first byte of range X the device holds otherwise than the source (*RET_AT). */
static int first_diff(struct fb_engine *e, const struct fb_extent *x, uint8_t *src, uint8_t *dev,
		      uint64_t *ret_at)
{
	int r = 0;

	*ret_at = x->off;
	for (uint64_t pos = 0; r >= 0 && pos < x->len;) {
		size_t n =
			x->len - pos > FB_ENGINE_CHUNK ? FB_ENGINE_CHUNK : (size_t)(x->len - pos);

		r = source_chunk(e, src, x->off + pos, n);
		if (r >= 0)
			r = fill_from_device(e, dev, x->off + pos, n);
		for (size_t i = 0; r >= 0 && i < n; i++)
			if (src[i] != dev[i]) {
				*ret_at = x->off + pos + i;
				return 0;
			}
		pos += n;
	}
	return r;
}

/* The second pass, after a rewrite: every range and the head and tail once more. */
static int verify_again(struct fb_engine *e, uint8_t *src, uint8_t *dev)
{
	const struct fb_deferred *regions[] = { &e->tail, &e->head };
	uint64_t at = 0;
	size_t wrong;
	int r;

	r = verify_pass(e, &wrong);
	for (size_t i = 0; r >= 0 && wrong && i < e->n_ext; i++)
		if (e->ext[i].read_back_wrong) {
			r = first_diff(e, &e->ext[i], src, dev, &at);
			return r < 0 ? r : mismatch(e, at, e->ext[i].bmap_index);
		}
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(regions); i++) {
		r = region_differs(e, regions[i], dev, &at);
		if (r > 0)
			return mismatch(e, at, 0);
	}
	return r;
}

int fb_verify_all(struct fb_engine *e)
{
	const struct fb_deferred *regions[] = { &e->tail, &e->head };
	_cleanup_free_ uint8_t *buf = fb_target_alloc(FB_ENGINE_CHUNK);
	_cleanup_free_ uint8_t *dev = fb_target_alloc(FB_ENGINE_CHUNK);
	size_t wrong, rewritten = 0;
	uint64_t at = 0;
	int r;

	if (!buf || !dev)
		return fb_err_errno(-ENOMEM, "cannot verify '%s'", e->tgt.node);
	r = verify_pass(e, &wrong);
	for (size_t i = 0; r >= 0 && wrong && i < e->n_ext; i++)
		if (e->ext[i].read_back_wrong) {
			r = rewrite_extent(e, &e->ext[i], buf);
			rewritten++;
		}
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(regions); i++) {
		r = region_differs(e, regions[i], dev, &at);
		if (r > 0) {
			fb_warn("'%s': byte %llu read back wrong, writing it again", e->tgt.node,
				(unsigned long long)at);
			r = fb_target_write(&e->tgt, regions[i]->buf, (size_t)regions[i]->len,
					    regions[i]->off);
			if (r >= 0)
				r = fb_target_sync(&e->tgt);
			rewritten++;
		}
	}
	if (r < 0 || !rewritten)
		return r;
	return verify_again(e, buf, dev);
}

/* The deferred tail, then the head (the table, the boot code): last of all. */
int fb_write_deferred(struct fb_engine *e)
{
	int r = 0;

	fb_engine_phase(e, FB_FLASH_HEAD, e->head.len + e->tail.len);
	if (e->tail.len)
		r = fb_target_write(&e->tgt, e->tail.buf, (size_t)e->tail.len, e->tail.off);
	if (r >= 0)
		r = fb_target_write(&e->tgt, e->head.buf, (size_t)e->head.len, e->head.off);
	if (r >= 0)
		r = fb_target_sync(&e->tgt);
	if (r < 0)
		return r;
	e->head_written = true;
	fb_engine_progress(e, FB_FLASH_HEAD, e->head.len + e->tail.len, e->head.len + e->tail.len);
	return 0;
}
