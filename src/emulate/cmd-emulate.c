// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flashbuild emulate --board NAME [--run CMD] [--timeout S] [--accel kvm|tcg]
 *                    [--firmware bios|uefi] [--disk PATH] [--login USER:PASSWORD]
 *                    [--gdb[=PORT]] [--gdb-wait=yes|no] [--net] [--forward HOST:GUEST]
 *                    [--share DIR] [--pull] [--debug]
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "core/cli.h"
#include "core/log.h"
#include "core/strv.h"
#include "core/util.h"
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

static int parse_port(const char *s, unsigned *ret)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || *end || v == 0 || v > 65535)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

/* "HOST:GUEST", two TCP ports. */
static int check_forward(const char *s)
{
	_cleanup_free_ char *host = strndup(s, strcspn(s, ":"));
	unsigned port;

	if (!host || !strchr(s, ':') || parse_port(host, &port) < 0 ||
	    parse_port(strchr(s, ':') + 1, &port) < 0)
		return fb_err("emulate: bad --forward '%s': expected HOST:GUEST TCP ports", s);
	return 0;
}

/* The debugging options: 1 taken, 0 not one of them, -EINVAL (logged) for a bad value. */
static int debug_opt(int c, const char *arg, struct fb_emulate_opts *eo, struct fb_strv *fwds)
{
	bool wait;

	switch (c) {
	case 'g':
		eo->gdb_port = 1234;
		if (arg && parse_port(arg, &eo->gdb_port) < 0)
			return fb_err("emulate: bad --gdb port '%s'", arg);
		return 1;
	case 'w':
		if (arg && fb_parse_bool(arg, &wait) < 0)
			return fb_err("emulate: --gdb-wait takes yes or no, not '%s'", arg);
		eo->gdb_nowait = arg && !wait;
		return 1;
	case 'n':
		eo->net = true;
		return 1;
	case 'F':
		if (check_forward(arg) < 0)
			return -EINVAL;
		return fb_strv_push(fwds, arg) < 0 ? fb_err_errno(-ENOMEM, "emulate") : 1;
	case 'S':
		eo->share = arg;
		return 1;
	}
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
		{ "debug", no_argument, NULL, 'D' },
		{ "gdb", optional_argument, NULL, 'g' },
		{ "gdb-wait", optional_argument, NULL, 'w' },
		{ "net", no_argument, NULL, 'n' },
		{ "forward", required_argument, NULL, 'F' },
		{ "share", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(fb_strv_free) struct fb_strv fwds = { 0 };
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
		case 'D':
			b.debug = true;
			break;
		default:
			r = debug_opt(c, optarg, &eo, &fwds);
			if (r <= 0)
				return FB_EXIT_USAGE;
		}
	}
	if (fwds.n && !eo.net) {
		fb_err("emulate: --forward needs --net");
		return FB_EXIT_USAGE;
	}
	eo.forwards = (const char *const *)fwds.v;
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
