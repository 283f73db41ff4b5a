// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>

#include "board-image.h"
#include "build/build.h"
#include "core/log.h"
#include "image/image.h"
#include "profile/board.h"

int fb_board_image(const char *board, const char *outdir, const char *rootfs, char **ret)
{
	_cleanup_(fb_board_freep) struct fb_board *b = NULL;
	struct fb_image_opts io = { .rootfs = rootfs, .outdir = outdir };
	struct fb_build_opts bo = { .outdir = outdir };
	struct fb_build fb = { 0 };
	int r;

	r = fb_board_load(board, &b);
	if (r < 0)
		return r;
	if (asprintf(ret, "%s/%s.img", outdir, b->name) < 0)
		return fb_err_errno(-ENOMEM, "cannot name the image of '%s'", board);
	if (rootfs)
		return fb_image_build(b, &io);
	fb.board = b;
	r = fb_build_run(&fb, &bo);
	fb_build_free(&fb);
	return r;
}
