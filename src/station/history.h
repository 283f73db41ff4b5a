/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which cards were verified with this image before: read from the
 * station's log (audit.h) at the start, by serial number, and added to as
 * copies are verified, so that a card plugged in again is shown as done
 * (and, with --skip-done, left alone).  A card without a serial is never
 * known again.
 */
#ifndef FB_STATION_HISTORY_H
#define FB_STATION_HISTORY_H

#include "core/strv.h"

struct fb_station_history {
	struct fb_strv serials, times; /* the same index in both */
};

/* The "ok" lines of LOG for the image of SHA256 (LOG missing: none).  Logs. */
int fb_station_history_load(const char *log, const char *sha256, struct fb_station_history *h);
/* When SERIAL was verified (the log's time), or NULL. */
const char *fb_station_history_find(const struct fb_station_history *h, const char *serial);
/* Remembers SERIAL verified at TIME (NULL serial: nothing). -ENOMEM. */
int fb_station_history_add(struct fb_station_history *h, const char *serial, const char *time);
void fb_station_history_done(struct fb_station_history *h);

#endif
