// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --check-capacity: a fake-capacity card maps its claimed size onto less
 * flash, so what is written past its real size lands on (wraps onto) earlier
 * blocks.  Write a block that cannot be mistaken (its own offset, a random
 * nonce) at points spread over the whole disk, read them all back, and put
 * back what was there.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/log.h"
#include "engine.h"

#define PROBES 64
#define BLOCK  4096

static void pattern(uint8_t *b, uint64_t nonce, unsigned i, uint64_t off)
{
	uint64_t x = nonce ^ (off * 0x9e3779b97f4a7c15ULL) ^ i;

	for (size_t k = 0; k < BLOCK; k += 8) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		memcpy(b + k, &x, 8);
	}
	memcpy(b, "flashbuild-capacity", 19);
	memcpy(b + 24, &off, 8);
}

static uint64_t probe_offset(const struct fb_engine *e, unsigned i)
{
	uint64_t blocks = e->tgt.size / BLOCK;

	return (blocks - 1) * i / (PROBES - 1) * BLOCK;
}

static int restore(struct fb_engine *e, uint8_t *saved, unsigned n)
{
	int r = 0;

	for (unsigned i = n; i-- > 0;) {
		int k = fb_target_write(&e->tgt, saved + (size_t)i * BLOCK, BLOCK,
					probe_offset(e, i));

		if (k < 0 && r == 0)
			r = k;
	}
	return r < 0 ? r : fb_target_sync(&e->tgt);
}

static int write_and_check(struct fb_engine *e, uint8_t *saved, uint8_t *buf, uint64_t nonce)
{
	int r;

	for (unsigned i = 0; i < PROBES; i++) {
		pattern(buf, nonce, i, probe_offset(e, i));
		r = fb_target_write(&e->tgt, buf, BLOCK, probe_offset(e, i));
		if (r < 0)
			return r;
	}
	r = fb_target_sync(&e->tgt);
	for (unsigned i = 0; r == 0 && i < PROBES; i++) {
		uint8_t want[BLOCK];

		r = fb_target_read(&e->tgt, buf, BLOCK, probe_offset(e, i));
		if (r < 0)
			break;
		pattern(want, nonce, i, probe_offset(e, i));
		if (memcmp(want, buf, BLOCK)) {
			e->outcome = FB_FLASH_REFUSED;
			r = fb_err_errno(-EIO,
					 "refusing to write '%s': what was written at byte %llu "
					 "did not read back: it holds less than it says (a "
					 "fake-capacity card?)",
					 e->tgt.node, (unsigned long long)probe_offset(e, i));
		}
		fb_engine_progress(e, FB_FLASH_CAPACITY, i + 1, PROBES);
	}
	(void)saved;
	return r;
}

int fb_capacity_check(struct fb_engine *e)
{
	_cleanup_free_ uint8_t *saved = fb_target_alloc((size_t)PROBES * BLOCK);
	_cleanup_free_ uint8_t *buf = fb_target_alloc(BLOCK);
	uint64_t nonce = 0;
	int r, k;

	if (!saved || !buf)
		return fb_err_errno(-ENOMEM, "cannot check '%s'", e->tgt.node);
	if (e->tgt.size < (uint64_t)PROBES * BLOCK)
		return 0;
	if (getrandom(&nonce, sizeof(nonce), 0) != sizeof(nonce))
		nonce = (uint64_t)e->t0 * 1000003;
	fb_engine_phase(e, FB_FLASH_CAPACITY, PROBES);
	for (unsigned i = 0; i < PROBES; i++) {
		r = fb_target_read(&e->tgt, saved + (size_t)i * BLOCK, BLOCK, probe_offset(e, i));
		if (r < 0)
			return r;
	}
	r = write_and_check(e, saved, buf, nonce);
	k = restore(e, saved, PROBES);
	return r < 0 ? r : k;
}
