/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which disks the station takes.  Pure: decided from a struct fb_dev_facts.
 *   --match KEY=GLOB ...   every one must hold (fnmatch), instead of the default;
 *   default                FLASHBUILD_STATION=1 (udev/60-flashbuild.rules sets it,
 *                          an admin narrows it, e.g. to a hub's ports by ID_PATH);
 *                          any other value: not taken; no such property (the rule
 *                          is not installed): removable USB media and SD cards.
 */
#ifndef FB_STATION_SELECT_H
#define FB_STATION_SELECT_H

#include "device/guard.h"

#define FB_STATION_MARK "FLASHBUILD_STATION"

enum fb_station_pick {
	FB_STATION_SKIP,
	FB_STATION_TAKE,
	FB_STATION_TAKE_MARKED, /* marked by a rule: the admin allows it even when fixed */
};

/* Checks one --match argument: "KEY=GLOB" with a non-empty KEY.  Logs. */
int fb_station_match_check(const char *arg);

/* MATCH: NULL, or a NULL-terminated list of "KEY=GLOB". */
enum fb_station_pick fb_station_select(const struct fb_dev_facts *d, char *const *match);

#endif
