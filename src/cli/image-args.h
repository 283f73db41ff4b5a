/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `flash` and `station` write, as their options name it: IMAGE with
 * its bmap (--bmap, --no-bmap) and the bmap's signature (--bmap-sig,
 * --keyring, --no-sig-verify), or the image of --board NAME, built first
 * when stale by the same road as `build` (--rootfs in the rootfs stage's
 * place, -o).
 */
#ifndef FB_CLI_IMAGE_ARGS_H
#define FB_CLI_IMAGE_ARGS_H

#include <stdbool.h>

#include "board-args.h"
#include "device/flash.h"

struct fb_image_args {
	struct fb_board_args ba;
	struct fb_flash_source *src; /* where IMAGE, --bmap and --no-bmap go */
	struct fb_board_build bb;    /* --board's build, whose image src->image names */
};

/* Their struct option entries; their short forms are "b:r:o:". */
/* clang-format off */
#define FB_IMAGE_ARGS_OPTIONS                                                             \
	{ "bmap", required_argument, NULL, 'B' }, { "no-bmap", no_argument, NULL, 'N' }, \
	{ "bmap-sig", required_argument, NULL, 's' },                                     \
	{ "keyring", required_argument, NULL, 'k' },                                      \
	{ "no-sig-verify", no_argument, NULL, 'U' },                                      \
	FB_OPT_BOARD, FB_OPT_ROOTFS, FB_OPT_OUTPUT

/* The options flash and station share besides those, with the same letters in both. */
#define FB_FLASH_SHARED_OPTIONS                                                                  \
	{ "allow-fixed", no_argument, NULL, 'F' }, { "grow", no_argument, NULL, 'G' },          \
	{ "check-capacity", no_argument, NULL, 'C' }, { "json", no_argument, NULL, 'j' },       \
	{ "progress", required_argument, NULL, 'P' },                                          \
	{ "lock-timeout", required_argument, NULL, 'W' }

#define FB_IMAGE_ARGS_INIT(name, source) { .ba = FB_BOARD_ARGS_INIT(name), .src = (source) }
/* clang-format on */

/* Takes getopt's C with ARG when it is one of them; false when it is not. */
bool fb_image_args_option(struct fb_image_args *a, int c, const char *arg);

/*
 * One of FB_FLASH_SHARED_OPTIONS that sets O (--allow-fixed, --grow,
 * --check-capacity, --lock-timeout SEC); false when C is not.  *R: 0, or
 * -EINVAL for a bad value (logged, naming CMD).
 */
bool fb_flash_opts_option(struct fb_flash_opts *o, const char *cmd, int c, const char *arg, int *r);

/*
 * The arguments after the options: IMAGE unless --board was given, then
 * N_AFTER more (flash: DEVICE; station: none), which *RET_REST points at.
 * Else logs "CMD: expected USAGE[0]" (without --board) or USAGE[1] (with
 * it) and returns FB_EXIT_USAGE.
 */
int fb_image_args_positional(struct fb_image_args *a, int argc, char *argv[], int n_after,
			     const char *const usage[2], char ***ret_rest);

/* With --board, builds it and points src->image at its image.  Logs. */
int fb_image_args_resolve(struct fb_image_args *a);
void fb_image_args_done(struct fb_image_args *a);

#endif
