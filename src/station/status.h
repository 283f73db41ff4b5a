/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the station shows: on a terminal a table, one row per device,
 * redrawn in place; otherwise one plain line per change of state (and
 * every few seconds while writing); with --json, JSON lines.
 */
#ifndef FB_STATION_STATUS_H
#define FB_STATION_STATUS_H

#include <stdbool.h>
#include <stdio.h>

#include "device/shared.h"
#include "row.h"

enum fb_station_output {
	FB_STATION_OUT_TTY,
	FB_STATION_OUT_PLAIN,
	FB_STATION_OUT_JSON,
	_FB_STATION_OUT_MAX,
};

struct fb_station_status {
	enum fb_station_output mode;
	FILE *out;
	const struct fb_shared_source *src;
	unsigned count;	   /* --count, 0: none */
	unsigned verified; /* done so far */
	int drawn;	   /* TTY: lines the last table took */
	const char *page;  /* --listen: the page's URL, or NULL */
};

/* Seconds between progress lines (plain, JSON) or redraws (TTY). */
double fb_station_status_interval(const struct fb_station_status *st);

void fb_station_status_start(struct fb_station_status *st);
/* R's state now; GONE: it was unplugged while not being written. */
void fb_station_status_row(struct fb_station_status *st, const struct fb_station_row *r, bool gone);
/* R's state as one line (as plain output prints it, without its newline) in BUF. */
const char *fb_station_status_line(const struct fb_station_status *st,
				   const struct fb_station_row *r, bool gone, char *buf,
				   size_t len);
/* TTY: the whole table again, over the last one. */
void fb_station_status_table(struct fb_station_status *st, struct fb_station_row *const *rows,
			     size_t n, const char *note);
/* The station's own state: "stopping: ...", "stopped". */
void fb_station_status_note(struct fb_station_status *st, const char *state, const char *what);

#endif
