/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who uses a disk: the running system (/, /boot, swap), other mounts, and
 * holders (device-mapper, md), through any of its partitions or the stacked
 * devices built on it.  Reads /proc/self/mountinfo, /proc/swaps and sysfs.
 */
#ifndef FB_DEVICE_USAGE_H
#define FB_DEVICE_USAGE_H

#include <stdbool.h>
#include <stdint.h>

struct fb_dev_facts;

/* Fills F->system, F->mounted and F->holder for the whole disk F->devnum. */
int fb_usage_fill(struct fb_dev_facts *f);

/* True when the block device DEV is DISK, one of its partitions, or stacked on either. */
bool fb_usage_dev_on_disk(uint64_t dev, uint64_t disk);

/* The kernel's partitions of DISK, by partition number: fills RET (up to MAX); returns count. */
int fb_usage_partitions(uint64_t disk, unsigned *ret_pno, unsigned max);

/* Unescapes mountinfo's octal escapes ("\040" for a space) in place.  Pure. */
void fb_usage_unescape(char *s);

#endif
