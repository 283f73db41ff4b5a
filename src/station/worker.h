/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One device's flash job in a thread of its own: the flash engine, as
 * `flashbuild flash` runs it, on the station's shared source, telling the
 * device's row what happens.  The station stops it through its cancel
 * descriptor (the engine looks between writes).
 */
#ifndef FB_STATION_WORKER_H
#define FB_STATION_WORKER_H

#include <pthread.h>
#include <stdbool.h>

#include "device/flash.h"
#include "device/shared.h"
#include "row.h"

struct fb_station_worker_ctx {
	const struct fb_shared_source *src;
	struct fb_flash_opts opts;
	pthread_mutex_t *lock; /* guards the job's part of every row */
	int wake_fd;	       /* an eventfd: written on every state change and at the end */
	bool eject;	       /* --eject: a verified disk's USB device is powered off */
};

/* Starts ROW's job; ROW->worker is set.  Logs. */
int fb_station_worker_start(struct fb_station_row *row, const struct fb_station_worker_ctx *ctx);
/* Asks the job to stop at its next write. */
void fb_station_worker_cancel(struct fb_station_worker *w);
/* Waits for the thread and frees it; ROW->worker becomes NULL. */
void fb_station_worker_join(struct fb_station_row *row);

#endif
