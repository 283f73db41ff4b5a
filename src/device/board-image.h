/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `flash` and `station` write, as their options name it: IMAGE with
 * its bmap, or --board NAME's image, built first when stale.
 */
#ifndef FB_DEVICE_BOARD_IMAGE_H
#define FB_DEVICE_BOARD_IMAGE_H

#include <getopt.h>
#include <stdbool.h>

struct fb_image_args {
	const char *image; /* IMAGE, or the board's once built */
	const char *bmap;  /* --bmap */
	bool no_bmap;	   /* --no-bmap */
	const char *board, *rootfs, *outdir;
	char *built; /* the board's image path, freed by fb_image_args_done() */
};

/* Their entries of a struct option table; the short options are "b:r:o:". */
#define FB_IMAGE_ARGS_OPTIONS                                                            \
	{ "bmap", required_argument, NULL, 'B' }, { "no-bmap", no_argument, NULL, 'N' }, \
		{ "board", required_argument, NULL, 'b' },                               \
		{ "rootfs", required_argument, NULL, 'r' },                              \
	{                                                                                \
		"output", required_argument, NULL, 'o'                                   \
	}

/* Takes getopt's C with ARG when it is one of them; false when it is not. */
bool fb_image_args_option(struct fb_image_args *a, int c, const char *arg);

/*
 * With --board, a->image becomes OUTDIR/NAME.img of the board, built by
 * `flashbuild build`'s stages and keys, or, with --rootfs, by the image step
 * from that tree.  Logs.
 */
int fb_image_args_resolve(struct fb_image_args *a);
void fb_image_args_done(struct fb_image_args *a);

#endif
