/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cleanup wrappers for libudev's types, for the files that own it (as systemd's fdisk-util.h). */
#ifndef FB_UDEV_UTIL_H
#define FB_UDEV_UTIL_H

#include <libudev.h>

#include "cleanup.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev *, udev_unref);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_device *, udev_device_unref);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_enumerate *, udev_enumerate_unref);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_monitor *, udev_monitor_unref);

#endif
