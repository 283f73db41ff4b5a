/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the station's page and /api/status show: the station's state as one
 * JSON document (one line), built by the station's loop under its lock and
 * handed to the web side (web.h) as a string.  And the last lines of what
 * the station said, for the page's log.
 */
#ifndef FB_STATION_VIEW_H
#define FB_STATION_VIEW_H

#include <stdint.h>

#include "device/shared.h"
#include "row.h"

#define FB_STATION_LINES 50

/* The last FB_STATION_LINES lines, oldest first from START. */
struct fb_station_lines {
	char *v[FB_STATION_LINES];
	unsigned start, n;
};

/* Appends "HH:MM:SS TEXT" (local time). */
void fb_station_lines_add(struct fb_station_lines *l, const char *text);
void fb_station_lines_done(struct fb_station_lines *l);

struct fb_station_view {
	const struct fb_shared_source *src;
	const char *state; /* "running", "stopping", "stopped" */
	unsigned count, verified, failed, jobs;
	uint64_t ok_bytes; /* written by the verified copies, in OK_SECONDS */
	double ok_seconds;
	struct fb_station_row *const *rows; /* plugged in */
	size_t n;
	struct fb_station_row *const *gone; /* unplugged, kept while their port is empty */
	size_t n_gone;
	const struct fb_station_lines *lines;
};

/* The slot's state as the page names it: "idle", "writing", "verified", "refused", ... */
const char *fb_station_view_state(const struct fb_station_row *r);
/* V as JSON (no newline); malloc'ed, NULL without memory. */
char *fb_station_view_json(const struct fb_station_view *v);

#endif
