/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One device the station took, from its arrival to its removal: what the
 * status shows and the log records.  The worker writes the job's part
 * (state, progress, result) under the station's lock; the rest is the main
 * loop's alone.
 */
#ifndef FB_STATION_ROW_H
#define FB_STATION_ROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/guard.h"
#include "device/flash.h"

enum fb_station_state {
	FB_STATION_WAITING, /* taken, for a free worker */
	FB_STATION_CHECKING,
	FB_STATION_WRITING,
	FB_STATION_VERIFYING,
	FB_STATION_FINISHING, /* head, table, partitions */
	FB_STATION_DONE,      /* written and verified */
	FB_STATION_FAILED,
	FB_STATION_SKIPPED, /* --skip-done: verified with this image before */
	_FB_STATION_STATE_MAX,
};

struct fb_station_worker;

struct fb_station_row {
	struct fb_dev_facts dev;
	bool allow_fixed;
	/* the job's, under the lock */
	enum fb_station_state state;
	uint64_t done, total; /* bytes of the current phase */
	double phase_t0, elapsed;
	bool finished, touched;
	enum fb_flash_outcome outcome;
	int error;
	char *error_text; /* the job's error message */
	uint64_t written;
	int eject; /* --eject, after a verified write: 1 powered off, or -errno; 0: not asked */
	/* the main loop's */
	struct fb_station_worker *worker;
	bool removed;	    /* a remove event came while it was written */
	bool aborted;	    /* the station stopped it */
	const char *result; /* for the log: "ok", "failed", "removed", "incomplete", ... */
	char *reason;	    /* why it failed, for people */
	enum fb_station_state shown;
	double shown_at;
	unsigned copy;	   /* verified: which copy of this run it is (1, 2, ...) */
	char *done_before; /* when this card (by serial) was verified with this image before */
	bool gone;	   /* unplugged: kept for the page, its last state as it was */
};

const char *fb_station_state_name(enum fb_station_state s);
/* The slot a disk is in: its port (ID_PATH), or its node when it has none. */
const char *fb_station_slot(const struct fb_dev_facts *d);
/* "writing 42 %", "done", "failed: removed during write"; in BUF (at least 128 bytes). */
const char *fb_station_row_state(const struct fb_station_row *r, char *buf, size_t len);
/* Bytes per second in the current phase, or over the whole job once finished. */
double fb_station_row_rate(const struct fb_station_row *r);
/* Percent of the current phase, or -1 when it has no size. */
double fb_station_row_percent(const struct fb_station_row *r);

struct fb_station_row *fb_station_row_free(struct fb_station_row *r);

#endif
