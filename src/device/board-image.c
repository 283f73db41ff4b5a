// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "board-image.h"
#include "build/build.h"
#include "core/log.h"
#include "image/image.h"
#include "profile/board.h"

bool fb_image_args_option(struct fb_image_args *a, int c, const char *arg)
{
	switch (c) {
	case 'B':
		a->bmap = arg;
		return true;
	case 'N':
		a->no_bmap = true;
		return true;
	case 'b':
		a->board = arg;
		return true;
	case 'r':
		a->rootfs = arg;
		return true;
	case 'o':
		a->outdir = arg;
		return true;
	default:
		return false;
	}
}

int fb_image_args_resolve(struct fb_image_args *a)
{
	_cleanup_(fb_board_freep) struct fb_board *b = NULL;
	struct fb_image_opts io = { .rootfs = a->rootfs, .outdir = a->outdir };
	struct fb_build_opts bo = { .outdir = a->outdir };
	struct fb_build fb = { 0 };
	int r;

	if (!a->board)
		return 0;
	r = fb_board_load(a->board, &b);
	if (r < 0)
		return r;
	if (asprintf(&a->built, "%s/%s.img", a->outdir, b->name) < 0) {
		a->built = NULL;
		return fb_err_errno(-ENOMEM, "cannot name the image of '%s'", a->board);
	}
	a->image = a->built;
	if (a->rootfs)
		return fb_image_build(b, &io);
	fb.board = b;
	r = fb_build_run(&fb, &bo);
	fb_build_free(&fb);
	return r;
}

void fb_image_args_done(struct fb_image_args *a)
{
	free(a->built);
	a->built = NULL;
}
