/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What is on a disk, through libblkid (this file owns it): table, filesystems, labels. */
#ifndef FB_DEVICE_PROBE_H
#define FB_DEVICE_PROBE_H

#include <stdint.h>

/*
 * One line describing the contents of the device or file PATH, read only:
 * "gpt: 1 vfat 'BOOT', 2 ext4 'root'", "ext4 'data'", "empty".  Logs nothing.
 */
int fb_probe_contents(const char *path, char **ret);

/* True when PATH (at OFFSET 0) holds a partition table blkid recognises.  Logs nothing. */
int fb_probe_has_table(const char *path);

/* The filesystem type at OFF..OFF+SIZE of PATH ("ext4"), or NULL in *RET.  Logs nothing. */
int fb_probe_fstype(const char *path, uint64_t off, uint64_t size, char **ret);

/*
 * Where the first partition of PATH's table that holds a FSTYPE ("vfat")
 * lies, in bytes: what a firmware that boots from the first FAT reads.
 * -ENOENT when there is none (or no table).  Logs nothing.
 */
int fb_probe_first_fs(const char *path, const char *fstype, uint64_t *ret_off, uint64_t *ret_size);

#endif
