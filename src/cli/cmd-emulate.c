// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flashbuild emulate --board NAME [--run CMD] [--timeout S] [--accel kvm|tcg]
 *                    [--firmware bios|uefi|uefi-secure] [--uefi-vars FILE] [--disk PATH] [--login USER:PASSWORD]
 *                    [--gdb[=PORT]] [--gdb-wait=yes|no] [--net] [--forward HOST:GUEST]
 *                    [--share DIR] [--pull] [--debug]
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "board-args.h"
#include "cli.h"
#include "core/log.h"
#include "core/strv.h"
#include "core/util.h"
#include "emulate/emulate.h"
#include "emulate/firmware.h"

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

/* Emulate's own options with a value: 1 taken, 0 not one of them, -EINVAL (logged) if bad. */
static int emulate_opt(int c, const char *arg, struct fb_emulate_opts *eo)
{
	switch (c) {
	case 'R':
		eo->run = arg;
		return 1;
	case 't':
		return parse_timeout(arg, &eo->timeout) < 0 ? -EINVAL : 1;
	case 'a':
		if (strcmp(arg, "kvm") && strcmp(arg, "tcg"))
			return fb_err("emulate: --accel takes kvm or tcg, not '%s'", arg);
		eo->force_accel = arg;
		return 1;
	case 'f':
		if (fb_firmware_parse(arg, &(enum fb_firmware_kind){ 0 }) < 0)
			return fb_err(
				"emulate: --firmware takes bios, uefi or uefi-secure, not '%s'",
				arg);
		eo->firmware = arg;
		return 1;
	case 'V':
		eo->uefi_vars = arg;
		return 1;
	case 'd':
		eo->disk = arg;
		return 1;
	case 'l':
		eo->login = arg;
		return 1;
	}
	return 0;
}

static int parse_args(int argc, char *argv[], struct fb_board_args *a, struct fb_emulate_opts *eo,
		      struct fb_strv *fwds)
{
	static const struct option opts[] = {
		FB_OPT_BOARD,
		{ "run", required_argument, NULL, 'R' },
		{ "timeout", required_argument, NULL, 't' },
		{ "accel", required_argument, NULL, 'a' },
		FB_OPT_OUTPUT,
		{ "firmware", required_argument, NULL, 'f' },
		{ "uefi-vars", required_argument, NULL, 'V' },
		{ "disk", required_argument, NULL, 'd' },
		{ "login", required_argument, NULL, 'l' },
		FB_OPT_PULL,
		FB_OPT_DEBUG,
		{ "gdb", optional_argument, NULL, 'g' },
		{ "gdb-wait", optional_argument, NULL, 'w' },
		{ "net", no_argument, NULL, 'n' },
		{ "forward", required_argument, NULL, 'F' },
		{ "share", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	int c, r;

	while ((c = getopt_long(argc, argv, "b:R:t:a:o:f:d:l:", opts, NULL)) >= 0) {
		if (fb_board_args_option(a, c, optarg))
			continue;
		r = emulate_opt(c, optarg, eo);
		if (r == 0)
			r = debug_opt(c, optarg, eo, fwds);
		if (r <= 0)
			return FB_EXIT_USAGE;
	}
	if (fwds->n && !eo->net) {
		fb_err("emulate: --forward needs --net");
		return FB_EXIT_USAGE;
	}
	eo->forwards = (const char *const *)fwds->v;
	return fb_board_args_check(a, argc, argv);
}

int fb_cmd_emulate(int argc, char *argv[])
{
	_cleanup_(fb_strv_free) struct fb_strv fwds = { 0 };
	struct fb_board_args a = FB_BOARD_ARGS_INIT("emulate");
	struct fb_emulate_opts eo = { 0 };
	struct fb_board_build bb = { 0 };
	int r;

	r = parse_args(argc, argv, &a, &eo, &fwds);
	if (r)
		return r;
	r = fb_board_args_build(&a, false, fb_emulate_check, &bb);
	if (r >= 0)
		r = fb_emulate(&bb.build, &eo);
	fb_board_args_done(&bb);
	if (r == -EPERM)
		return FB_EXIT_REFUSED;
	if (r < 0)
		return FB_EXIT_FAILED;
	return eo.run ? r : FB_EXIT_OK;
}
