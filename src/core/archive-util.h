/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cleanup wrappers for libarchive's types, for the files that own it (as systemd's fdisk-util.h). */
#ifndef FB_ARCHIVE_UTIL_H
#define FB_ARCHIVE_UTIL_H

#include <archive.h>

#include "cleanup.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free);

#endif
