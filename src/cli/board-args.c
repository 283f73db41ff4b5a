// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>

#include "board-args.h"
#include "cli.h"
#include "core/log.h"

bool fb_board_args_option(struct fb_board_args *a, int c, const char *arg)
{
	switch (c) {
	case 'b':
		a->board = arg;
		return true;
	case 'o':
		a->build.outdir = arg;
		return true;
	case 'r':
		a->build.rootfs = arg;
		return true;
	case 'P':
		a->build.pull = true;
		return true;
	case 'D':
		a->build.debug = true;
		return true;
	case 'K':
		a->build.sign = arg;
		return true;
	default:
		return false;
	}
}

int fb_board_args_check(const struct fb_board_args *a, int argc, char *argv[])
{
	if (optind < argc) {
		fb_err("%s: unexpected argument '%s'", a->cmd, argv[optind]);
		return FB_EXIT_USAGE;
	}
	if (!a->board) {
		fb_err("%s: --board NAME is required", a->cmd);
		return FB_EXIT_USAGE;
	}
	return 0;
}

int fb_board_args_build(const struct fb_board_args *a, bool image,
			int (*check)(const struct fb_board *b), struct fb_board_build *ret)
{
	int r;

	*ret = (struct fb_board_build){ 0 };
	r = fb_board_load(a->board, &ret->board);
	if (r >= 0 && check)
		r = check(ret->board);
	if (r < 0)
		return r;
	if (image && !fb_board_section(ret->board, "image", NULL))
		return fb_err("%s: no [image] section: this board makes no disk image",
			      ret->board->path);
	return fb_build_run(ret->board, &a->build, &ret->build);
}

void fb_board_args_done(struct fb_board_build *bb)
{
	fb_build_free(&bb->build);
	bb->board = fb_board_free(bb->board);
}

int fb_board_args_command(struct fb_board_args *a, const struct option *opts, const char *shortopts,
			  bool image, int argc, char *argv[])
{
	struct fb_board_build bb;
	int c, r;

	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) >= 0)
		if (!fb_board_args_option(a, c, optarg))
			return FB_EXIT_USAGE;
	r = fb_board_args_check(a, argc, argv);
	if (r)
		return r;
	r = fb_board_args_build(a, image, NULL, &bb);
	fb_board_args_done(&bb);
	return r < 0 ? FB_EXIT_FAILED : FB_EXIT_OK;
}
