// SPDX-License-Identifier: GPL-2.0-or-later
/* flashbuild: argv -> one subcommand.  Nothing else lives here. */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "image/image.h"
#include "profile/board.h"

#define FB_VERSION "0.1"

/* Documented in flashbuild(1). */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
};

/* Parsed options: the only globals besides the log level. */
static const char *arg_board;
static const char *arg_rootfs;
static const char *arg_outdir = "out";

static void help(FILE *f)
{
	fputs("Usage: flashbuild [-C DIR] [-v|-q] COMMAND [OPTIONS]\n"
	      "\n"
	      "Turns a board profile into a bootable disk image.\n"
	      "\n"
	      "Commands:\n"
	      "  image --board NAME [--rootfs DIR|ARCHIVE] [-o DIR]\n"
	      "        assemble OUT/NAME.img and OUT/NAME.img.bmap from boards/NAME.conf:\n"
	      "        partition table from its sfdisk layout, ext4/vfat/raw contents\n"
	      "  help  show this text\n"
	      "\n"
	      "Options:\n"
	      "  -C, --directory DIR  work in DIR (boards/, partitions/ and out/ live there)\n"
	      "  -b, --board NAME     board profile: boards/NAME.conf, or a path to a .conf\n"
	      "  -r, --rootfs PATH    tree for 'from = rootfs': a directory or an archive\n"
	      "                       (tar, tar.gz/.xz/.zst, cpio)\n"
	      "  -o, --output DIR     where images go (default: out)\n"
	      "  -v, --verbose        say more; -q, --quiet: only errors\n"
	      "  -h, --help           this text;  -V, --version: the version\n"
	      "\n"
	      "Exit status: 0 ok, 1 failed, 2 usage error.  See flashbuild(1).\n",
	      f);
}

static int cmd_image(void)
{
	_cleanup_(fb_board_freep) struct fb_board *b = NULL;
	struct fb_image_opts o = { .rootfs = arg_rootfs, .outdir = arg_outdir };

	if (!arg_board) {
		fb_err("image: --board NAME is required");
		return EXIT_USAGE;
	}
	if (fb_board_load(arg_board, &b) < 0)
		return EXIT_FAILED;
	return fb_image_build(b, &o) < 0 ? EXIT_FAILED : EXIT_OK;
}

static int parse_argv(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "directory", required_argument, NULL, 'C' },
		{ "board", required_argument, NULL, 'b' },
		{ "rootfs", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "C:b:r:o:vqhV", opts, NULL)) >= 0) {
		switch (c) {
		case 'C':
			if (chdir(optarg) < 0)
				return fb_err_errno(-errno, "cannot change to directory '%s'",
						    optarg);
			break;
		case 'b':
			arg_board = optarg;
			break;
		case 'r':
			arg_rootfs = optarg;
			break;
		case 'o':
			arg_outdir = optarg;
			break;
		case 'v':
			fb_log_set_level(FB_LOG_DEBUG);
			break;
		case 'q':
			fb_log_set_level(FB_LOG_ERR);
			break;
		case 'h':
			help(stdout);
			exit(EXIT_OK);
		case 'V':
			puts("flashbuild " FB_VERSION);
			exit(EXIT_OK);
		default:
			return -EINVAL;
		}
	}
	return 0;
}

int main(int argc, char *argv[])
{
	const char *cmd;

	/*
	 * File names in archives are UTF-8 (pax) and go into the image as
	 * such, whatever the user's locale: libarchive converts names to the
	 * locale's character set, so make that UTF-8.
	 */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "");

	/* Options may come before or after the command: let getopt permute. */
	if (parse_argv(argc, argv) < 0) {
		fputs("Try 'flashbuild --help'.\n", stderr);
		return EXIT_USAGE;
	}
	if (optind >= argc) {
		help(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind];
	if (optind + 1 < argc) {
		fb_err("unexpected argument '%s'", argv[optind + 1]);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "image"))
		return cmd_image();
	if (!strcmp(cmd, "help")) {
		help(stdout);
		return EXIT_OK;
	}
	fb_err("unknown command '%s'; try 'flashbuild --help'", cmd);
	return EXIT_USAGE;
}
