// SPDX-License-Identifier: GPL-2.0-or-later
/* flashbuild build --board NAME [-o DIR] [--pull] [--debug] */
#include <getopt.h>

#include "build.h"
#include "core/cli.h"
#include "core/log.h"

int fb_cmd_build(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "board", required_argument, NULL, 'b' },
		{ "output", required_argument, NULL, 'o' },
		{ "pull", no_argument, NULL, 'P' },
		{ "debug", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(fb_board_freep) struct fb_board *board = NULL;
	struct fb_build_opts bo = { .outdir = "out" };
	struct fb_build b = { 0 };
	const char *name = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "b:o:", opts, NULL)) >= 0) {
		switch (c) {
		case 'b':
			name = optarg;
			break;
		case 'o':
			bo.outdir = optarg;
			break;
		case 'P':
			b.pull = true;
			break;
		case 'D':
			b.debug = true;
			break;
		default:
			return FB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fb_err("build: unexpected argument '%s'", argv[optind]);
		return FB_EXIT_USAGE;
	}
	if (!name) {
		fb_err("build: --board NAME is required");
		return FB_EXIT_USAGE;
	}
	if (fb_board_load(name, &board) < 0)
		return FB_EXIT_FAILED;
	b.board = board;
	r = fb_build_run(&b, &bo);
	fb_build_free(&b);
	return r < 0 ? FB_EXIT_FAILED : FB_EXIT_OK;
}
