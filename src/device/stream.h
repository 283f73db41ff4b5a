/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every extent of the image, in order, through FB_ENGINE_SLOTS aligned
 * buffers from a filler thread to the caller's thread, with the SHA-256 of
 * each extent computed on the side that has the CPU to spare: the filler
 * when it only copies (reading the source, then the caller blocks in
 * writes), the caller when the filler blocks in reads (verifying).
 */
#ifndef FB_DEVICE_STREAM_H
#define FB_DEVICE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

struct fb_stream_ops {
	enum fb_flash_phase phase;
	bool hash_in_taker;
	bool no_hash; /* the extents' checksums were checked before (a shared source) */
	/* Filler thread: the image's bytes at OFF into BUF (source or device). -errno stops. */
	int (*fill)(struct fb_engine *e, uint8_t *buf, uint64_t off, size_t len);
	/* Caller's thread: a filled buffer, in order.  NULL: nothing to do. */
	int (*take)(struct fb_engine *e, const uint8_t *buf, uint64_t off, size_t len);
	/* Extent X has the SHA-256 HEX; on the hashing side.  -errno stops. */
	int (*extent_done)(struct fb_engine *e, struct fb_extent *x, const char *hex);
};

/* Returns 0 or the first failure (-ECANCELED when the job was cancelled). */
int fb_stream_extents(struct fb_engine *e, const struct fb_stream_ops *ops);

#endif
