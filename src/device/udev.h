/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding block devices and what they are, through libudev (this file owns
 * it, for `devices`, flash and the station alike): one disk is one struct
 * fb_dev_facts, whether it was looked up, listed or came with an event.
 */
#ifndef FB_DEVICE_UDEV_H
#define FB_DEVICE_UDEV_H

#include <stdbool.h>
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

/* The value of udev property KEY of F (F->props), or NULL. */
const char *fb_dev_facts_prop(const struct fb_dev_facts *f, const char *key);

/*
 * Watching for whole disks (the station): a monitor started before the
 * disks already there are enumerated, so that none plugged in between is
 * missed.  The facts an event brings are what udev and sysfs say (no
 * users, no contents: the disk may be being written).
 */
enum fb_udev_action {
	FB_UDEV_ADD, /* plugged in, or there at the start */
	FB_UDEV_CHANGE,
	FB_UDEV_REMOVE,
	FB_UDEV_OTHER,
};

struct fb_udev_monitor;

/* Listening from now on.  Logs. */
int fb_udev_monitor_start(struct fb_udev_monitor **ret);
struct fb_udev_monitor *fb_udev_monitor_free(struct fb_udev_monitor *m);
int fb_udev_monitor_fd(const struct fb_udev_monitor *m);
/* Whether udevd runs: without it no event (and none of its rules' properties) comes. */
bool fb_udevd_running(void);

/* FN may keep what is in *F (it is freed after FN returns: take it by zeroing *F). */
typedef void (*fb_udev_disk_fn)(void *userdata, enum fb_udev_action a, struct fb_dev_facts *f);

/* Every whole disk there now, as FB_UDEV_ADD, in the kernel's order.  Logs. */
int fb_udev_monitor_enumerate(struct fb_udev_monitor *m, fb_udev_disk_fn fn, void *userdata);
/* Every event waiting on the monitor's socket; never blocks.  Logs. */
int fb_udev_monitor_receive(struct fb_udev_monitor *m, fb_udev_disk_fn fn, void *userdata);

/*
 * Powers off the USB device the disk at SYSPATH (NODE, for messages) is on,
 * as `udisksctl power-off` does: its "remove" attribute.  -ENODEV, not
 * logged, when the disk is not on USB; other failures are logged.
 */
int fb_udev_power_off(const char *syspath, const char *node);

#endif
