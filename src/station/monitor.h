/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The station's eyes: a libudev monitor of whole disks (this file owns
 * libudev for the station), started before the disks already there are
 * enumerated, so that none plugged in between is missed.
 */
#ifndef FB_STATION_MONITOR_H
#define FB_STATION_MONITOR_H

#include <stdbool.h>

#include "dev.h"

enum fb_station_action {
	FB_STATION_ADD, /* plugged in, or there at the start */
	FB_STATION_CHANGE,
	FB_STATION_REMOVE,
	FB_STATION_OTHER,
};

struct fb_station_monitor;

/* Listening from now on.  Logs. */
int fb_station_monitor_start(struct fb_station_monitor **ret);
struct fb_station_monitor *fb_station_monitor_free(struct fb_station_monitor *m);
int fb_station_monitor_fd(const struct fb_station_monitor *m);
/* Whether udevd runs: without it no event (and none of its rules' properties) comes. */
bool fb_station_udevd_running(void);

typedef void (*fb_station_dev_fn)(void *userdata, enum fb_station_action a,
				  struct fb_station_dev *d);

/* Every whole disk there now, as FB_STATION_ADD, in name order.  Logs. */
int fb_station_monitor_enumerate(struct fb_station_monitor *m, fb_station_dev_fn fn,
				 void *userdata);
/* Every event waiting on the monitor's socket; never blocks.  Logs. */
int fb_station_monitor_receive(struct fb_station_monitor *m, fb_station_dev_fn fn, void *userdata);

#endif
