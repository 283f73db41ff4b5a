/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every subcommand shares: its entry point's shape and the exit codes
 * main() returns (documented in flashbuild(1)).
 */
#ifndef FB_CLI_H
#define FB_CLI_H

#include <stdio.h>

enum fb_exit {
	FB_EXIT_OK = 0,
	FB_EXIT_FAILED = 1,
	FB_EXIT_USAGE = 2,
	FB_EXIT_REFUSED = 3, /* a device flashbuild must not touch */
	FB_EXIT_VERIFY = 4,  /* what was read back differs from what was written */
	FB_EXIT_SOURCE = 5,  /* the image does not match its bmap */
	/* its bmap's signature is bad, or missing where --keyring asks for one */
	FB_EXIT_SIGNATURE = 6,
	/* interrupted by SIGINT; flash exits 128 + N for signal N (143 SIGTERM, 129 SIGHUP) */
	FB_EXIT_CANCELLED = 130,
};

/*
 * A subcommand: ARGV[0] is its name, the rest its own options, parsed with
 * getopt_long (optind is reset for it).  Returns an enum fb_exit value.
 */
typedef int (*fb_cmd_fn)(int argc, char *argv[]);

/* The text of `flashbuild --help`; of `flashbuild help CMD` (-ENOENT: no such command). */
void fb_cli_help(FILE *f);
int fb_cli_help_command(FILE *f, const char *cmd);

/* The commands, one file each (cmd-NAME.c), for main.c's table. */
int fb_cmd_boards(int argc, char *argv[]);
int fb_cmd_build(int argc, char *argv[]);
int fb_cmd_image(int argc, char *argv[]);
int fb_cmd_emulate(int argc, char *argv[]);
int fb_cmd_devices(int argc, char *argv[]);
int fb_cmd_flash(int argc, char *argv[]);
int fb_cmd_station(int argc, char *argv[]);
int fb_cmd_verify(int argc, char *argv[]);
int fb_cmd_kernel(int argc, char *argv[]);

#endif
