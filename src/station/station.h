/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The station: watches for whole disks, takes those its selection picks,
 * flashes each with the flash engine in a worker of its own (several at
 * once) from one shared source, shows what happens and logs every flash
 * that ends.  A disk that was written and verified is not written again
 * while it stays plugged in; unplugged and plugged in again, it is.
 */
#ifndef FB_STATION_STATION_H
#define FB_STATION_STATION_H

#include <stdbool.h>

#include "device/flash.h"
#include "device/shared.h"
#include "listen.h"
#include "status.h"

struct fb_station_opts {
	const struct fb_shared_source *src;
	char *const *match;	    /* --match KEY=GLOB..., NULL-terminated; NULL: the default */
	struct fb_flash_opts flash; /* allow_fixed, grow, check_capacity, lock_timeout */
	unsigned jobs;		    /* at most this many written at once */
	unsigned count;		    /* stop after this many verified copies; 0: never */
	double stop_timeout;	    /* after SIGINT/SIGTERM: seconds in-flight jobs get to end */
	enum fb_station_output output;
	const char *log;			/* the append-only log */
	int signal_fd;				/* readable: SIGINT/SIGTERM came */
	const struct fb_station_listen *listen; /* --listen: the page; NULL: nothing listens */
	const char *listen_text;		/* as given */
	const char *token;			/* --token's secret, or NULL */
	bool skip_done; /* a card verified with this image before (same serial) is left alone */
	bool eject;	/* a verified card's USB device is powered off */
};

enum fb_station_end {
	FB_STATION_END_DONE,	/* --count reached, or stopped with nothing cut short */
	FB_STATION_END_ABORTED, /* stopped, and some flash was cut short (logged incomplete) */
	/* as ABORTED, but a worker stuck in the kernel still runs: o->src must stay, exit now */
	FB_STATION_END_ABANDONED,
};

/* Runs until --count is reached or a signal stops it; an enum fb_station_end or -errno. */
int fb_station_run(const struct fb_station_opts *o);

#endif
