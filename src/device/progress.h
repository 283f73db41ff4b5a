/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sinks for a flash job's events: one updating line on a terminal, plain
 * periodic lines otherwise, or JSON lines for scripts.
 */
#ifndef FB_DEVICE_PROGRESS_H
#define FB_DEVICE_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#include "flash.h"

enum fb_progress_mode {
	FB_PROGRESS_TTY,
	FB_PROGRESS_PLAIN,
	FB_PROGRESS_JSON,
	FB_PROGRESS_NONE,
	_FB_PROGRESS_MAX,
};

struct fb_progress {
	enum fb_progress_mode mode;
	FILE *out;
	enum fb_flash_phase phase;
	double phase_t0, last;
	uint64_t total, done;
	int line_len; /* TTY: the line being updated, to be cleared */
};

void fb_progress_init(struct fb_progress *p, enum fb_progress_mode mode, FILE *out);
/* struct fb_flash_sink's emit; USERDATA is a struct fb_progress. */
void fb_progress_emit(void *userdata, const struct fb_flash_event *ev);

#endif
