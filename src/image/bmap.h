/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The block map, in bmaptool's format 2.0: which 4 KiB blocks of the image
 * hold data, with a SHA-256 per range and of the bmap file itself.
 */
#ifndef FB_BMAP_H
#define FB_BMAP_H

#include <stdint.h>
#include <stdio.h>

#define FB_BMAP_BLOCK_SIZE 4096

struct fb_bmap_stats {
	uint64_t blocks, mapped;
};

/*
 * Maps what was written to the image open as IMG_FD (SIZE bytes): the
 * ranges the filesystem holds data for (SEEK_DATA/SEEK_HOLE: everything
 * written, no scanning for zeros), and writes the bmap to OUT_FD.
 * Errors are logged naming NAME (the image).
 */
int fb_bmap_write(int img_fd, uint64_t size, int out_fd, const char *name,
		  struct fb_bmap_stats *ret_stats);

#endif
