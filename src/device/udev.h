/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Finding block devices and what they are, through libudev (this file owns it). */
#ifndef FB_DEVICE_UDEV_H
#define FB_DEVICE_UDEV_H

#include <stddef.h>

#include "guard.h"

/*
 * Facts about PATH: a block device (whole disk or partition, with its bus,
 * model, contents and users) or anything else (is_block false: a file, or
 * nothing yet).  Logs.
 */
int fb_udev_facts_for_path(const char *path, struct fb_dev_facts *ret);

/* Every whole disk with a medium, in name order; *RET freed with fb_udev_list_free(). Logs. */
int fb_udev_list(struct fb_dev_facts **ret, size_t *ret_n);
void fb_udev_list_free(struct fb_dev_facts *v, size_t n);

#endif
