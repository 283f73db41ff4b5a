// SPDX-License-Identifier: GPL-2.0-or-later
/* flashbuild station [OPTIONS] IMAGE  |  flashbuild station [OPTIONS] --board NAME */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/log.h"
#include "core/strv.h"
#include "image-args.h"
#include "station/listen.h"
#include "station/select.h"
#include "station/station.h"
#include "station/token.h"

#define DEFAULT_LOG_DIR "/var/log/flashbuild"
#define DEFAULT_LOG	DEFAULT_LOG_DIR "/station.log"

struct station_args {
	struct fb_station_opts o;
	struct fb_flash_source source;
	struct fb_image_args img;
	const char *tmpdir;
	struct fb_strv match;
	struct fb_station_listen listen;
	const char *token_file;
	char *token;
};

static int parse_number(const char *opt, const char *s, double max, double *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < 0 || v > max)
		return fb_err("station: %s takes a number from 0 to %.0f, not '%s'", opt, max, s);
	*ret = v;
	return 0;
}

static int parse_output(const char *s, enum fb_station_output *ret)
{
	static const char *const names[_FB_STATION_OUT_MAX] = {
		[FB_STATION_OUT_TTY] = "tty",
		[FB_STATION_OUT_PLAIN] = "plain",
		[FB_STATION_OUT_JSON] = "json",
	};

	for (int i = 0; i < _FB_STATION_OUT_MAX; i++)
		if (!strcmp(s, names[i])) {
			*ret = (enum fb_station_output)i;
			return 0;
		}
	return fb_err("station: --progress takes tty, plain or json, not '%s'", s);
}

/* The options with a value of their own; true when C was one (*R: its parse result). */
static bool parse_valued(int c, struct station_args *a, int *r)
{
	double v = 0;

	*r = 0;
	switch (c) {
	case 'm':
		*r = fb_station_match_check(optarg);
		if (*r >= 0)
			*r = fb_strv_push(&a->match, optarg);
		return true;
	case 'c':
		*r = parse_number("--count", optarg, 1e6, &v);
		a->o.count = (unsigned)v;
		return true;
	case 'J':
		*r = parse_number("--jobs", optarg, 64, &v);
		a->o.jobs = (unsigned)v;
		if (*r >= 0 && !a->o.jobs)
			*r = fb_err("station: --jobs must be at least 1");
		return true;
	case 'S':
		*r = parse_number("--stop-timeout", optarg, 3600, &a->o.stop_timeout);
		return true;
	case 'P':
		*r = parse_output(optarg, &a->o.output);
		return true;
	case 'L':
		*r = fb_station_listen_parse(optarg, &a->listen);
		a->o.listen = &a->listen;
		a->o.listen_text = optarg;
		return true;
	default:
		return false;
	}
}

/* Safe by default: only this machine reaches a page without a token. */
static int check_page(struct station_args *a)
{
	if (a->token_file && !a->o.listen)
		return fb_err("station: --token is the page's: it needs --listen ADDRESS:PORT");
	if (a->o.listen && !a->o.listen->loopback && !a->token_file)
		return fb_err("station: --listen %s can be reached from other machines: give "
			      "--token FILE too (a secret the page asks for)",
			      a->o.listen_text);
	if (a->token_file && fb_station_token_read(a->token_file, &a->token) < 0)
		return -EINVAL;
	a->o.token = a->token;
	return 0;
}

static int parse_args(int argc, char *argv[], struct station_args *a)
{
	static const struct option opts[] = {
		FB_IMAGE_ARGS_OPTIONS,
		FB_FLASH_SHARED_OPTIONS,
		{ "match", required_argument, NULL, 'm' },
		{ "count", required_argument, NULL, 'c' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "log", required_argument, NULL, 'l' },
		{ "stop-timeout", required_argument, NULL, 'S' },
		{ "tmpdir", required_argument, NULL, 'T' },
		{ "listen", required_argument, NULL, 'L' },
		{ "token", required_argument, NULL, 'K' },
		{ "skip-done", no_argument, NULL, 'D' },
		{ "eject", no_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	const char *const usage[2] = { "IMAGE or --board NAME", "nothing after --board NAME" };
	char **rest;
	int c, r;

	while ((c = getopt_long(argc, argv, "b:r:o:", opts, NULL)) >= 0) {
		if (parse_valued(c, a, &r)) {
			if (r < 0)
				return -EINVAL;
			continue;
		}
		if (fb_flash_opts_option(&a->o.flash, "station", c, optarg, &r)) {
			if (r < 0)
				return -EINVAL;
			continue;
		}
		if (fb_image_args_option(&a->img, c, optarg))
			continue;
		switch (c) {
		case 'l':
			a->o.log = optarg;
			break;
		case 'T':
			a->tmpdir = optarg;
			break;
		case 'K':
			a->token_file = optarg;
			break;
		case 'D':
			a->o.skip_done = true;
			break;
		case 'E':
			a->o.eject = true;
			break;
		case 'j':
			a->o.output = FB_STATION_OUT_JSON;
			break;
		default:
			return -EINVAL;
		}
	}
	if (fb_image_args_positional(&a->img, argc, argv, 0, usage, &rest))
		return -EINVAL;
	return check_page(a);
}

static int exit_code(int r)
{
	if (r == -EBADMSG)
		return FB_EXIT_SOURCE;
	if (r == -EKEYREJECTED)
		return FB_EXIT_SIGNATURE;
	if (r < 0)
		return FB_EXIT_FAILED;
	return r == FB_STATION_END_DONE ? FB_EXIT_OK : FB_EXIT_CANCELLED;
}

/* The default log's directory, made when missing (the unit's LogsDirectory= makes it too). */
static int make_log_dir(const char *log)
{
	if (strcmp(log, DEFAULT_LOG) || mkdir(DEFAULT_LOG_DIR, 0750) == 0 || errno == EEXIST)
		return 0;
	return fb_err_errno(-errno,
			    "station: cannot make the log directory '%s' (--log FILE, or "
			    "run as root)",
			    DEFAULT_LOG_DIR);
}

/* The image once, for every worker; then the station until --count or a signal. */
static int run(struct station_args *a)
{
	struct fb_shared_source src = { .fd = -EBADF };
	const char *tmp = a->tmpdir ?: getenv("TMPDIR") ?: "/var/tmp";
	sigset_t mask;
	int r;

	r = make_log_dir(a->o.log);
	if (r >= 0)
		r = fb_shared_source_prepare(&a->source, tmp, &src);
	if (r < 0)
		return r;
	a->o.src = &src;
	a->o.match = a->match.v;
	/* Signals become a descriptor the station polls; every thread inherits the mask. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	a->o.signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (a->o.signal_fd < 0)
		r = fb_err_errno(-errno, "station: cannot take signals");
	else
		r = fb_station_run(&a->o);
	/* Abandoned workers read the source until the process exits. */
	if (r != FB_STATION_END_ABANDONED)
		fb_shared_source_done(&src);
	return r;
}

int fb_cmd_station(int argc, char *argv[])
{
	struct station_args a = { .o = { .flash = { .lock_timeout = FB_FLASH_LOCK_TIMEOUT },
					 .jobs = 4,
					 .stop_timeout = 3,
					 .log = DEFAULT_LOG,
					 .output = _FB_STATION_OUT_MAX,
					 .signal_fd = -EBADF } };
	int r;

	a.img = (struct fb_image_args)FB_IMAGE_ARGS_INIT("station", &a.source);
	if (parse_args(argc, argv, &a) < 0) {
		fb_strv_free(&a.match);
		free(a.token);
		return FB_EXIT_USAGE;
	}
	if (a.o.output == _FB_STATION_OUT_MAX)
		a.o.output = isatty(STDOUT_FILENO) ? FB_STATION_OUT_TTY : FB_STATION_OUT_PLAIN;
	r = fb_image_args_resolve(&a.img);
	if (r >= 0)
		r = run(&a);
	fb_image_args_done(&a.img);
	fb_strv_free(&a.match);
	free(a.token);
	return exit_code(r);
}
