/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A whole disk as the station sees it, copied out of udev (monitor.c owns
 * libudev for the station): what the selection, the status and the log need.
 */
#ifndef FB_STATION_DEV_H
#define FB_STATION_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "core/strv.h"

struct fb_station_dev {
	char *syspath; /* the key: one row per syspath */
	char *node;    /* "/dev/sdb" */
	char *id_path, *serial, *model;
	char *bus;	 /* ID_BUS, else "mmc" under an MMC host; NULL: neither */
	char *card_type; /* under an MMC host: "SD", "MMC" (eMMC), ... */
	uint64_t size, diskseq;
	bool is_disk, removable;
	struct fb_strv props; /* every udev property as "KEY=VALUE", for --match */
};

void fb_station_dev_done(struct fb_station_dev *d);
/* The value of udev property KEY, or NULL. */
const char *fb_station_dev_prop(const struct fb_station_dev *d, const char *key);

#endif
