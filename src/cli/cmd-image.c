// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flashbuild image --board NAME [--rootfs DIR|ARCHIVE] [-o DIR]: the build's
 * road to the image, with --rootfs in the rootfs stage's place.
 */
#include "board-args.h"
#include "cli.h"

int fb_cmd_image(int argc, char *argv[])
{
	static const struct option opts[] = {
		FB_OPT_BOARD, FB_OPT_ROOTFS, FB_OPT_OUTPUT, FB_OPT_SIGN, { NULL, 0, NULL, 0 },
	};
	struct fb_board_args a = FB_BOARD_ARGS_INIT("image");

	return fb_board_args_command(&a, opts, "b:r:o:", true, argc, argv);
}
