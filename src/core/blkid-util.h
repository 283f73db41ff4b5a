/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cleanup wrappers for libblkid's types, for the files that own it (as systemd's fdisk-util.h). */
#ifndef FB_BLKID_UTIL_H
#define FB_BLKID_UTIL_H

#include <blkid/blkid.h>

#include "cleanup.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(blkid_probe, blkid_free_probe);

#endif
