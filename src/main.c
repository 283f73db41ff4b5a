// SPDX-License-Identifier: GPL-2.0-or-later
/* flashbuild: global options, then argv -> one subcommand.  Nothing else lives here. */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/spawn.h"

/* FB_VERSION (debian/changelog's), written by the Makefile */
#include "config.h"

struct command {
	const char *name;
	fb_cmd_fn fn;
};

static const struct command commands[] = {
	{ "build", fb_cmd_build },     { "emulate", fb_cmd_emulate }, { "image", fb_cmd_image },
	{ "devices", fb_cmd_devices }, { "flash", fb_cmd_flash },     { "station", fb_cmd_station },
	{ "verify", fb_cmd_verify },   { "boards", fb_cmd_boards },   { "kernel", fb_cmd_kernel },
};

/* Global options stop at the command ('+'): what follows is the command's. */
static int parse_global(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "directory", required_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+C:vqhV", opts, NULL)) >= 0) {
		switch (c) {
		case 'C':
			if (chdir(optarg) < 0)
				return fb_err_errno(-errno, "cannot change to directory '%s'",
						    optarg);
			break;
		case 'v':
			fb_log_set_level(FB_LOG_DEBUG);
			break;
		case 'q':
			fb_log_set_level(FB_LOG_ERR);
			break;
		case 'h':
			fb_cli_help(stdout);
			return 1;
		case 'V':
			puts("flashbuild " FB_VERSION);
			return 1;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

int main(int argc, char *argv[])
{
	int r;

	/*
	 * File names in archives are UTF-8 (pax) and go into the image as
	 * such, whatever the user's locale: libarchive converts names to the
	 * locale's character set, so make that UTF-8.
	 */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "");

	if (fb_spawn_init_path() < 0) {
		fb_err("out of memory");
		return FB_EXIT_FAILED;
	}
	r = parse_global(argc, argv);
	if (r > 0)
		return FB_EXIT_OK;
	if (r < 0) {
		fputs("Try 'flashbuild --help'.\n", stderr);
		return FB_EXIT_USAGE;
	}
	if (optind >= argc) {
		fb_cli_help(stderr);
		return FB_EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help")) {
		if (optind + 1 >= argc) {
			fb_cli_help(stdout);
			return FB_EXIT_OK;
		}
		if (fb_cli_help_command(stdout, argv[optind + 1]) == 0)
			return FB_EXIT_OK;
		fb_err("help: unknown command '%s'; try 'flashbuild --help'", argv[optind + 1]);
		return FB_EXIT_USAGE;
	}
	/* CMD --help, CMD -h: that command's part of the help */
	if (optind + 1 < argc &&
	    (!strcmp(argv[optind + 1], "--help") || !strcmp(argv[optind + 1], "-h")) &&
	    fb_cli_help_command(stdout, argv[optind]) == 0)
		return FB_EXIT_OK;
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		if (!strcmp(argv[optind], commands[i].name)) {
			int n = argc - optind;

			argv += optind;
			optind = 0; /* 0: getopt re-initialises for the command's argv */
			return commands[i].fn(n, argv);
		}
	fb_err("unknown command '%s'; try 'flashbuild --help'", argv[optind]);
	return FB_EXIT_USAGE;
}
