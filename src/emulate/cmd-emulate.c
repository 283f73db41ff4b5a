// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flashbuild emulate --board NAME [--run CMD] [--timeout S] [--accel kvm|tcg]
 *                    [--firmware bios|uefi] [--disk PATH] [--login USER:PASSWORD]
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "core/cli.h"
#include "core/log.h"
#include "emulate.h"
#include "firmware.h"

static int parse_timeout(const char *s, double *ret)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v <= 0)
		return fb_err("emulate: bad --timeout '%s': expected seconds", s);
	*ret = v;
	return 0;
}

int fb_cmd_emulate(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "board", required_argument, NULL, 'b' },
		{ "run", required_argument, NULL, 'R' },
		{ "timeout", required_argument, NULL, 't' },
		{ "accel", required_argument, NULL, 'a' },
		{ "output", required_argument, NULL, 'o' },
		{ "firmware", required_argument, NULL, 'f' },
		{ "disk", required_argument, NULL, 'd' },
		{ "login", required_argument, NULL, 'l' },
		{ "pull", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(fb_board_freep) struct fb_board *board = NULL;
	struct fb_build_opts bo = { .outdir = "out" };
	struct fb_emulate_opts eo = { 0 };
	struct fb_build b = { 0 };
	const char *name = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "b:R:t:a:o:f:d:l:", opts, NULL)) >= 0) {
		switch (c) {
		case 'b':
			name = optarg;
			break;
		case 'R':
			eo.run = optarg;
			break;
		case 't':
			if (parse_timeout(optarg, &eo.timeout) < 0)
				return FB_EXIT_USAGE;
			break;
		case 'a':
			if (strcmp(optarg, "kvm") && strcmp(optarg, "tcg")) {
				fb_err("emulate: --accel takes kvm or tcg, not '%s'", optarg);
				return FB_EXIT_USAGE;
			}
			eo.force_accel = optarg;
			break;
		case 'o':
			bo.outdir = optarg;
			break;
		case 'f':
			if (fb_firmware_parse(optarg, &(enum fb_firmware_kind){ 0 }) < 0) {
				fb_err("emulate: --firmware takes bios or uefi, not '%s'", optarg);
				return FB_EXIT_USAGE;
			}
			eo.firmware = optarg;
			break;
		case 'd':
			eo.disk = optarg;
			break;
		case 'l':
			eo.login = optarg;
			break;
		case 'P':
			b.pull = true;
			break;
		default:
			return FB_EXIT_USAGE;
		}
	}
	if (optind < argc || !name) {
		fb_err(name ? "emulate: unexpected argument" : "emulate: --board NAME is required");
		return FB_EXIT_USAGE;
	}
	if (fb_board_load(name, &board) < 0)
		return FB_EXIT_FAILED;
	b.board = board;
	r = fb_build_run(&b, &bo);
	if (r >= 0)
		r = fb_emulate(&b, &eo);
	fb_build_free(&b);
	if (r == -EPERM)
		return FB_EXIT_REFUSED;
	if (r < 0)
		return FB_EXIT_FAILED;
	return eo.run ? r : FB_EXIT_OK;
}
