// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"
#include "core/log.h"
#include "image-args.h"

bool fb_image_args_option(struct fb_image_args *a, int c, const char *arg)
{
	switch (c) {
	case 'B':
		a->src->bmap = arg;
		return true;
	case 'N':
		a->src->no_bmap = true;
		return true;
	case 's':
		a->src->bmap_sig = arg;
		return true;
	case 'k':
		a->src->keyring = arg;
		return true;
	case 'U':
		a->src->no_sig_verify = true;
		return true;
	case 'P':
	case 'D':
	case 'K':
		return false; /* not --pull, --debug, --sign: flash's --progress and --discard */
	default:
		return fb_board_args_option(&a->ba, c, arg);
	}
}

bool fb_flash_opts_option(struct fb_flash_opts *o, const char *cmd, int c, const char *arg, int *r)
{
	char *end;
	unsigned long v;

	*r = 0;
	switch (c) {
	case 'F':
		o->allow_fixed = true;
		return true;
	case 'G':
		o->grow = true;
		return true;
	case 'C':
		o->check_capacity = true;
		return true;
	case 'W':
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || *arg == '-' || v > 3600)
			*r = fb_err("%s: --lock-timeout takes seconds from 0 to 3600, not '%s'",
				    cmd, arg);
		o->lock_timeout = (unsigned)v;
		return true;
	default:
		return false;
	}
}

int fb_image_args_positional(struct fb_image_args *a, int argc, char *argv[], int n_after,
			     const char *const usage[2], char ***ret_rest)
{
	bool board = a->ba.board;

	if (argc - optind != n_after + (board ? 0 : 1)) {
		fb_err("%s: expected %s", a->ba.cmd, usage[board]);
		return FB_EXIT_USAGE;
	}
	if (!board)
		a->src->image = argv[optind++];
	*ret_rest = argv + optind;
	return 0;
}

int fb_image_args_resolve(struct fb_image_args *a)
{
	int r;

	if (!a->ba.board)
		return 0;
	r = fb_board_args_build(&a->ba, true, NULL, &a->bb);
	if (r >= 0)
		a->src->image = a->bb.build.image;
	return r;
}

void fb_image_args_done(struct fb_image_args *a)
{
	fb_board_args_done(&a->bb);
}
