/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The options every command that builds a board shares (--board, -o, and
 * where the command takes them --rootfs, --pull, --debug), parsed, checked
 * and turned into a build in one place.
 */
#ifndef FB_CLI_BOARD_ARGS_H
#define FB_CLI_BOARD_ARGS_H

#include <getopt.h>
#include <stdbool.h>

#include "pipeline/build.h"
#include "profile/board.h"

struct fb_board_args {
	const char *cmd;   /* "build": what messages start with */
	const char *board; /* --board NAME|PATH */
	struct fb_build_opts build;
};

/* The struct option entries, each for the commands that take it; their short forms: "b:o:r:". */
/* clang-format off */
#define FB_OPT_BOARD  { "board", required_argument, NULL, 'b' }
#define FB_OPT_OUTPUT { "output", required_argument, NULL, 'o' }
#define FB_OPT_ROOTFS { "rootfs", required_argument, NULL, 'r' }
#define FB_OPT_PULL   { "pull", no_argument, NULL, 'P' }
#define FB_OPT_DEBUG  { "debug", no_argument, NULL, 'D' }
#define FB_OPT_SIGN   { "sign", required_argument, NULL, 'K' }

/* CMD's defaults: -o out. */
#define FB_BOARD_ARGS_INIT(name) { .cmd = (name), .build = { .outdir = "out" } }
/* clang-format on */

/* Takes getopt's C with ARG when it is one of the FB_OPT_* above; false when it is not. */
bool fb_board_args_option(struct fb_board_args *a, int c, const char *arg);

/*
 * After the options: nothing may follow them (ARGV[OPTIND..]), and --board
 * must have been given.  0, or FB_EXIT_USAGE (logged as "CMD: ...").
 */
int fb_board_args_check(const struct fb_board_args *a, int argc, char *argv[]);

/*
 * Loads --board and builds it with A's options (the one road of
 * pipeline/build.h, which checks the sections of the build); IMAGE: the
 * command writes the image, so the board must have an [image]; CHECK (or
 * NULL): the command's own sections' check, before anything is built.
 * 0 or -errno, logged; *RET is freed with fb_board_args_done() either way.
 */
struct fb_board_build {
	struct fb_board *board; /* as the profile says it */
	struct fb_build build;
};
int fb_board_args_build(const struct fb_board_args *a, bool image,
			int (*check)(const struct fb_board *b), struct fb_board_build *ret);
void fb_board_args_done(struct fb_board_build *bb);

/*
 * The whole of a command that only builds (build, image): OPTS, all of them
 * FB_OPT_* entries (short forms SHORTOPTS), checked, then the build.
 * Returns an enum fb_exit value.
 */
int fb_board_args_command(struct fb_board_args *a, const struct option *opts, const char *shortopts,
			  bool image, int argc, char *argv[]);

#endif
