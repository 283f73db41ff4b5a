// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flashbuild kernel --board NAME menuconfig|nconfig|savedefconfig|diff
 * [--save [FILE]]: Kbuild's configurators on the board's O= tree, what
 * changed saved as a fragment (kernel/kernel.h).
 */
#include <errno.h>
#include <getopt.h>
#include <unistd.h>

#include "board-args.h"
#include "cli.h"
#include "core/log.h"

/* ACTION [FILE]: FILE only after --save, when it was not given as --save=FILE. */
static int parse_args(int argc, char *argv[], struct fb_kernel_tool_opts *o)
{
	if (optind >= argc) {
		fb_err("kernel: an action is required: menuconfig, nconfig, savedefconfig or diff");
		return FB_EXIT_USAGE;
	}
	o->action = argv[optind++];
	if (!fb_kernel_tool_known(o->action)) {
		fb_err("kernel: no action '%s': expected menuconfig, nconfig, savedefconfig or "
		       "diff",
		       o->action);
		return FB_EXIT_USAGE;
	}
	if (optind < argc && o->save && !o->save_path)
		o->save_path = argv[optind++];
	if (optind < argc) {
		fb_err("kernel: unexpected argument '%s'", argv[optind]);
		return FB_EXIT_USAGE;
	}
	return 0;
}

int fb_cmd_kernel(int argc, char *argv[])
{
	static const struct option opts[] = {
		FB_OPT_BOARD,
		{ "save", optional_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(fb_board_freep) struct fb_board *b = NULL;
	struct fb_kernel_tool_opts o = { 0 };
	const char *board = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "b:", opts, NULL)) >= 0)
		switch (c) {
		case 'b':
			board = optarg;
			break;
		case 's':
			o.save = true;
			o.save_path = optarg;
			break;
		default:
			return FB_EXIT_USAGE;
		}
	r = parse_args(argc, argv, &o);
	if (r)
		return r;
	if (!board) {
		fb_err("kernel: --board NAME is required");
		return FB_EXIT_USAGE;
	}
	/* stdout is the diff or the defconfig: the rest goes to stderr */
	fb_log_info_to_stderr(true);
	r = fb_board_load(board, &b);
	if (r >= 0)
		r = fb_build_kernel_tool(b, &o);
	if (r == -ENOTTY)
		return FB_EXIT_USAGE;
	return r < 0 ? FB_EXIT_FAILED : FB_EXIT_OK;
}
