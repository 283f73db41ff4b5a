// SPDX-License-Identifier: GPL-2.0-or-later
/* flashbuild image --board NAME [--rootfs DIR|ARCHIVE] [-o DIR] */
#include <getopt.h>
#include <stdio.h>

#include "core/cli.h"
#include "build/deb-sources.h"
#include "core/log.h"
#include "core/util.h"
#include "image.h"
#include "profile/board.h"

int fb_cmd_image(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "board", required_argument, NULL, 'b' },
		{ "rootfs", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(fb_board_freep) struct fb_board *b = NULL;
	_cleanup_(fb_cache_close) struct fb_cache cache = { 0 };
	struct fb_image_opts o = { .outdir = "out" };
	const char *board = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "b:r:o:", opts, NULL)) >= 0) {
		switch (c) {
		case 'b':
			board = optarg;
			break;
		case 'r':
			o.rootfs = optarg;
			break;
		case 'o':
			o.outdir = optarg;
			break;
		default:
			return FB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fb_err("image: unexpected argument '%s'", argv[optind]);
		return FB_EXIT_USAGE;
	}
	if (!board) {
		fb_err("image: --board NAME is required");
		return FB_EXIT_USAGE;
	}
	if (fb_source_date_epoch(&o.timestamp) < 0 || fb_board_load(board, &b) < 0)
		return FB_EXIT_FAILED;
	/* files out of Debian packages (deb:PACKAGE/PATH) come through the build's cache */
	if (fb_deb_sources_resolve(b, &cache) < 0)
		return FB_EXIT_FAILED;
	return fb_image_build(b, &o) < 0 ? FB_EXIT_FAILED : FB_EXIT_OK;
}
