/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cleanup wrappers for libfdisk's types, for the files that own it (as systemd's fdisk-util.h). */
#ifndef FB_FDISK_UTIL_H
#define FB_FDISK_UTIL_H

#include <libfdisk.h>

#include "cleanup.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct fdisk_context *, fdisk_unref_context);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fdisk_script *, fdisk_unref_script);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fdisk_table *, fdisk_unref_table);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fdisk_partition *, fdisk_unref_partition);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fdisk_iter *, fdisk_free_iter);

#endif
