// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --check-capacity: a fake-capacity card maps its claimed size onto less
 * flash, so that what is written at or past its real size R lands on an
 * earlier byte (at O % R, on the cards seen) or is lost.  A probe that only
 * reads back its own block cannot tell: it lands somewhere and reads back
 * from there.  The probes here are placed so that on such a card one of them
 * lands on a block that is written after it, whatever R is:
 *
 *   - a dense run D = blocks 0..L-1, written last, and
 *   - sparse blocks at L, 2L, 3L, ... and the last one, written first,
 *
 * with L = ceil(sqrt(N)) for a disk of N blocks.  For R >= L the first
 * sparse block at or past R is below R + L, so it lands inside D, which is
 * written after it: reading it back gives D's bytes, not its own.  For R < L,
 * D itself reaches past R.  For R in (N - L, N) the last block lands in D.
 * A card that loses writes past R fails the first sparse block past R.
 * Every block's bytes are unique (a keyed stream of its byte offsets), so
 * where a block's read-back is found in D says where it landed, and so R.
 * Cost: 2 sqrt(N) blocks of 4 KiB (16 MiB for a 16 GiB card, 23 MiB for
 * 32 GiB; half of them one at a time), read, written, read back and
 * written back.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/log.h"
#include "core/util.h"
#include "engine.h"

#define BLOCK 4096

struct probe {
	uint64_t n_blocks; /* N */
	uint64_t dense;	   /* L: blocks 0..L-1, and the step of the sparse ones */
	uint64_t *sparse;  /* their block numbers, ascending, the last one N-1 */
	size_t n_sparse;
	uint8_t *saved; /* what was there: dense blocks first, then sparse */
	uint8_t *d;	/* the dense run's bytes as written */
	uint64_t nonce;
	size_t sparse_written; /* how many sparse blocks were written, in order */
	bool dense_written;    /* and the dense run: only these are put back */
};

static void probe_done(struct probe *p)
{
	free(p->sparse);
	free(p->saved);
	free(p->d);
}

/* Block X's bytes: every 8 bytes their own offset through a keyed mix (splitmix64). */
static void fill_block(uint8_t *b, uint64_t nonce, uint64_t x)
{
	for (size_t k = 0; k < BLOCK; k += 8) {
		uint64_t z = nonce + (x * BLOCK + k) * 0x9e3779b97f4a7c15ULL;

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		for (size_t j = 0; j < 8; j++) /* little-endian, whatever the host */
			b[k + j] = (uint8_t)(z >> (8 * j));
	}
}

static int plan(struct probe *p, uint64_t size)
{
	uint64_t nonce = 0;

	p->n_blocks = size / BLOCK;
	p->dense = (uint64_t)ceil(sqrt((double)p->n_blocks));
	if (p->dense > p->n_blocks)
		p->dense = p->n_blocks;
	p->sparse = calloc(p->n_blocks / p->dense + 2, sizeof(*p->sparse));
	if (!p->sparse)
		return -ENOMEM;
	for (uint64_t x = p->dense; x < p->n_blocks; x += p->dense)
		p->sparse[p->n_sparse++] = x;
	if (p->dense < p->n_blocks &&
	    (!p->n_sparse || p->sparse[p->n_sparse - 1] != p->n_blocks - 1))
		p->sparse[p->n_sparse++] = p->n_blocks - 1;
	p->saved = fb_target_alloc((size_t)(p->dense + p->n_sparse) * BLOCK);
	p->d = fb_target_alloc((size_t)p->dense * BLOCK);
	if (!p->saved || !p->d)
		return -ENOMEM;
	p->nonce = (uint64_t)(fb_now() * 1e9); /* unless the kernel has better */
	if (getrandom(&nonce, sizeof(nonce), 0) == sizeof(nonce))
		p->nonce ^= nonce;
	for (uint64_t x = 0; x < p->dense; x++)
		fill_block(p->d + x * BLOCK, p->nonce, x);
	return 0;
}

/* Between two I/Os: a signal stops the check (what it wrote is put back). */
static int io(struct fb_engine *e, bool wr, uint8_t *buf, size_t len, uint64_t off, uint64_t *done,
	      uint64_t total)
{
	int r;

	if (fb_engine_cancelled(e))
		return -ECANCELED;
	r = wr ? fb_target_write(&e->tgt, buf, len, off) : fb_target_read(&e->tgt, buf, len, off);
	*done += len;
	fb_engine_progress(e, FB_FLASH_CAPACITY, *done, total);
	return r;
}

static int save(struct fb_engine *e, struct probe *p, uint64_t *done, uint64_t total)
{
	int r = io(e, false, p->saved, (size_t)p->dense * BLOCK, 0, done, total);

	for (size_t i = 0; r >= 0 && i < p->n_sparse; i++)
		r = io(e, false, p->saved + (p->dense + i) * BLOCK, BLOCK, p->sparse[i] * BLOCK,
		       done, total);
	return r;
}

/* The sparse blocks first, then the dense run over whatever landed there. */
static int write_probes(struct fb_engine *e, struct probe *p, uint8_t *buf, uint64_t *done,
			uint64_t total)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < p->n_sparse; i++) {
		fill_block(buf, p->nonce, p->sparse[i]);
		r = io(e, true, buf, BLOCK, p->sparse[i] * BLOCK, done, total);
		/* a failed write may have reached the card in part: it is put back too */
		if (r != -ECANCELED)
			p->sparse_written = i + 1;
	}
	if (r >= 0) {
		r = io(e, true, p->d, (size_t)p->dense * BLOCK, 0, done, total);
		p->dense_written = r != -ECANCELED;
	}
	return r < 0 ? r : fb_target_sync(&e->tgt);
}

/*
 * Refused.  GOT is what block AT read back; found in the dense run at D, it
 * landed there: AT - D is the real size (the first block past it lands in
 * the run, as the header says), or, for a card smaller than the run (D past
 * AT), AT's aliases lie D - AT apart, which bounds it.  Not found: lost.
 */
static int refuse(struct fb_engine *e, const struct probe *p, uint64_t at, const uint8_t *got)
{
	const uint8_t *hit = memmem(p->d, (size_t)p->dense * BLOCK, got, 64);
	uint64_t d = hit ? (uint64_t)(hit - p->d) : 0, bound = at;
	char a[32], b[32];

	e->outcome = FB_FLASH_REFUSED;
	fb_format_size(e->tgt.size, a, sizeof(a));
	if (hit && at > d)
		return fb_err_code(-EIO,
				   "refusing to write '%s': a fake-capacity card: it says %s, but "
				   "holds %" PRIu64 " bytes (%s): what is written at byte %" PRIu64
				   " lands on byte %" PRIu64,
				   e->tgt.node, a, at - d, fb_format_size(at - d, b, sizeof(b)), at,
				   d);
	if (hit && d > at)
		bound = d - at;
	return fb_err_code(-EIO,
			   "refusing to write '%s': a fake-capacity card: it says %s, but what is "
			   "written at byte %" PRIu64
			   " does not read back: it holds at most %" PRIu64 " bytes (%s)",
			   e->tgt.node, a, at, bound, fb_format_size(bound, b, sizeof(b)));
}

static int check(struct fb_engine *e, struct probe *p, uint8_t *buf, uint64_t *done, uint64_t total)
{
	_cleanup_free_ uint8_t *back = fb_target_alloc((size_t)p->dense * BLOCK);
	int r;

	if (!back)
		return -ENOMEM;
	/* the dense run: a card smaller than it wraps within it */
	r = io(e, false, back, (size_t)p->dense * BLOCK, 0, done, total);
	for (uint64_t x = 0; r >= 0 && x < p->dense; x++)
		if (memcmp(back + x * BLOCK, p->d + x * BLOCK, BLOCK))
			return refuse(e, p, x * BLOCK, back + x * BLOCK);
	for (size_t i = 0; r >= 0 && i < p->n_sparse; i++) {
		r = io(e, false, back, BLOCK, p->sparse[i] * BLOCK, done, total);
		fill_block(buf, p->nonce, p->sparse[i]);
		if (r >= 0 && memcmp(back, buf, BLOCK))
			return refuse(e, p, p->sparse[i] * BLOCK, back);
	}
	return r;
}

/*
 * What was there, back, for what was written (a stopped check puts back only
 * that, at once): every copy of a block that aliases holds the same old bytes.
 */
static int restore(struct fb_engine *e, const struct probe *p)
{
	int r = p->dense_written ? fb_target_write(&e->tgt, p->saved, (size_t)p->dense * BLOCK, 0)
				 : 0;

	for (size_t i = 0; r >= 0 && i < p->sparse_written; i++)
		r = fb_target_write(&e->tgt, p->saved + (p->dense + i) * BLOCK, BLOCK,
				    p->sparse[i] * BLOCK);
	return r < 0 ? r : fb_target_sync(&e->tgt);
}

int fb_capacity_check(struct fb_engine *e)
{
	_cleanup_(probe_done) struct probe p = { 0 };
	_cleanup_free_ uint8_t *buf = fb_target_alloc(BLOCK);
	uint64_t done = 0, total;
	int r, k;

	if (e->tgt.size < 2 * BLOCK)
		return 0;
	if (!buf || plan(&p, e->tgt.size) < 0)
		return fb_err_errno(-ENOMEM, "cannot check '%s'", e->tgt.node);
	total = 3 * (p.dense + p.n_sparse) * BLOCK;
	fb_engine_phase(e, FB_FLASH_CAPACITY, total);
	r = save(e, &p, &done, total);
	if (r < 0)
		return r == -ECANCELED ? r : fb_err_errno(r, "cannot check '%s'", e->tgt.node);
	r = write_probes(e, &p, buf, &done, total);
	if (r >= 0)
		r = check(e, &p, buf, &done, total);
	/* put back what was there also when stopped or refused: the card is as it was */
	k = restore(e, &p);
	/* put back: the device holds what it held, as if it had not been touched */
	if (k >= 0 && r < 0)
		e->tgt.touched = false;
	if (r == -ECANCELED)
		return r;
	if (r < 0 && e->outcome == FB_FLASH_REFUSED)
		return k < 0 ? fb_err_errno(k, "cannot restore '%s'", e->tgt.node) : r;
	if (r < 0)
		return fb_err_errno(r, "cannot check '%s'", e->tgt.node);
	return k < 0 ? fb_err_errno(k, "cannot restore '%s'", e->tgt.node) : 0;
}
