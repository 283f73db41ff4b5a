// SPDX-License-Identifier: GPL-2.0-or-later
/* flashbuild build --board NAME [-o DIR] [--pull] [--debug] */
#include "board-args.h"
#include "cli.h"

int fb_cmd_build(int argc, char *argv[])
{
	static const struct option opts[] = {
		FB_OPT_BOARD, FB_OPT_OUTPUT, FB_OPT_PULL,
		FB_OPT_DEBUG, FB_OPT_SIGN,   { NULL, 0, NULL, 0 },
	};
	struct fb_board_args a = FB_BOARD_ARGS_INIT("build");

	return fb_board_args_command(&a, opts, "b:o:", false, argc, argv);
}
