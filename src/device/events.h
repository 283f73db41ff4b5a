/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A flash job's events to its sink, and whether it was cancelled (events.c). */
#ifndef FB_DEVICE_EVENTS_H
#define FB_DEVICE_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "flash.h"

struct fb_engine;

/* A phase starts (TOTAL: its bytes, 0 unknown); DONE of TOTAL bytes of it are done. */
void fb_engine_phase(const struct fb_engine *e, enum fb_flash_phase p, uint64_t total);
void fb_engine_progress(const struct fb_engine *e, enum fb_flash_phase p, uint64_t done,
			uint64_t total);
/* The bmap's signature SIG is good, made by SIGNER. */
struct fb_pgp_signer;
void fb_engine_signed(const struct fb_engine *e, const char *sig,
		      const struct fb_pgp_signer *signer);
/* The job's end: its outcome, what was written, R its -errno or 0. */
void fb_engine_result(const struct fb_engine *e, int r);
/* True (and the outcome set to CANCELLED) once the job's cancel_fd is readable. */
bool fb_engine_cancelled(struct fb_engine *e);

#endif
