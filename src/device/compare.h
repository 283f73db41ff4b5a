/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `flashbuild verify IMAGE DEVICE`: a device read back against an image
 * prepared once (shared.h: its ranges already checked against the bmap),
 * byte for byte over every range the image maps, writing nothing.
 */
#ifndef FB_DEVICE_COMPARE_H
#define FB_DEVICE_COMPARE_H

#include <stdint.h>

#include "shared.h"

struct fb_compare_result {
	uint64_t compared; /* bytes compared */
	uint64_t diff;	   /* with a difference: the first differing byte's offset */
	size_t range;	   /* and its range, from 1 */
};

/*
 * Compares DEVICE (a block device or a file, opened read-only) with S.
 * 0 when it holds every mapped byte; 1 with RET's diff and range set at the
 * first byte that differs (not logged); -errno, logged.
 */
int fb_compare_device(const struct fb_shared_source *s, const char *device,
		      struct fb_compare_result *ret);

#endif
