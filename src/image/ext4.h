/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ext4 written in place, with libext2fs, into a byte range of an image
 * file.  This file owns libext2fs: errcode_t does not leave it.
 */
#ifndef FB_EXT4_H
#define FB_EXT4_H

#include <stdbool.h>
#include <stdint.h>

#include "entries.h"

struct fb_ext4_opts {
	const char *label;	  /* NULL: none */
	const uint8_t *uuid;	  /* 16 bytes; NULL: random */
	const uint8_t *hash_seed; /* 16 bytes for the dir hash seed; NULL: random */
	double reserved_percent;  /* root-reserved blocks, 0..50, like mke2fs -m (default 5) */
	/* >= 0: times of the superblock and of directories the tree does not
	 * describe (root, lost+found, implied parents), e.g. SOURCE_DATE_EPOCH;
	 * < 0: now */
	int64_t timestamp;
	/*
	 * Entries laid over SRC once it is written (a bootloader's /boot): their
	 * files are added or replace those of the same path; a directory that
	 * exists keeps its owner, mode and times.  NULL: none.
	 */
	struct fb_entries *overlay;
};

/*
 * Makes an ext4 filesystem of SIZE bytes at byte OFFSET of the image file
 * PATH, with the features, block size, inode ratio and journal that
 * `mke2fs -t ext4` picks for that size, then fills it from the entries of
 * SRC (may be NULL: an empty filesystem).  NAME is used in messages
 * (e.g. "partition 'root'").  Writes nothing outside [OFFSET, OFFSET+SIZE)
 * and writes no blocks of zeros it does not need (the image stays sparse).
 * A tree that does not fit gives -ENOSPC with one message naming NAME.
 * OPTS may be NULL (defaults: 5% reserved, random UUIDs, now).  Nothing is
 * fsync()ed: the caller syncs the image once it is complete.
 */
int fb_ext4_write(const char *path, uint64_t offset, uint64_t size, const char *name,
		  const struct fb_ext4_opts *opts, struct fb_entries *src);

#endif
