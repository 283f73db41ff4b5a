// SPDX-License-Identifier: GPL-2.0-or-later
/* flashbuild flash [OPTIONS] IMAGE DEVICE  |  flashbuild flash --board NAME DEVICE */
#include <getopt.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/log.h"
#include "custom-args.h"
#include "device/flash.h"
#include "device/progress.h"
#include "image-args.h"

struct flash_args {
	struct fb_flash_job job;
	struct fb_image_args img;
	enum fb_progress_mode progress;
	bool json;
	struct fb_custom_opts custom;
};

static int parse_progress(const char *s, enum fb_progress_mode *ret)
{
	static const char *const names[_FB_PROGRESS_MAX] = {
		[FB_PROGRESS_TTY] = "tty",
		[FB_PROGRESS_PLAIN] = "plain",
		[FB_PROGRESS_JSON] = "json",
		[FB_PROGRESS_NONE] = "none",
	};

	for (int i = 0; i < _FB_PROGRESS_MAX; i++)
		if (!strcmp(s, names[i])) {
			*ret = (enum fb_progress_mode)i;
			return 0;
		}
	return fb_err("flash: --progress takes tty, plain, json or none, not '%s'", s);
}

/* The options that only set a flag of struct fb_flash_opts; true when C was one. */
static bool set_flag(int c, struct fb_flash_opts *o)
{
	static const struct {
		int c;
		size_t off;
		bool value;
	} flags[] = {
		{ 'T', offsetof(struct fb_flash_opts, to_file), true },
		{ 'V', offsetof(struct fb_flash_opts, verify), false },
		{ 'n', offsetof(struct fb_flash_opts, dry_run), true },
		{ 'D', offsetof(struct fb_flash_opts, discard), true },
	};

	for (size_t i = 0; i < ELEMENTSOF(flags); i++)
		if (flags[i].c == c) {
			*(bool *)((char *)o + flags[i].off) = flags[i].value;
			return true;
		}
	return false;
}

static int parse_args(int argc, char *argv[], struct flash_args *a)
{
	static const struct option opts[] = {
		FB_IMAGE_ARGS_OPTIONS,
		FB_FLASH_SHARED_OPTIONS,
		FB_CUSTOM_OPTIONS,
		{ "to-file", no_argument, NULL, 'T' },
		{ "no-verify", no_argument, NULL, 'V' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "discard", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	const char *const usage[2] = { "IMAGE DEVICE", "DEVICE after --board NAME" };
	char **rest;
	int c, r;

	while ((c = getopt_long(argc, argv, "b:r:o:n", opts, NULL)) >= 0) {
		if (fb_flash_opts_option(&a->job.opts, "flash", c, optarg, &r)) {
			if (r < 0)
				return FB_EXIT_USAGE;
			continue;
		}
		if (fb_custom_args_option(&a->custom, c, optarg, &r)) {
			if (r < 0)
				return FB_EXIT_USAGE;
			continue;
		}
		if (set_flag(c, &a->job.opts) || fb_image_args_option(&a->img, c, optarg))
			continue;
		switch (c) {
		case 'j':
			a->progress = FB_PROGRESS_JSON;
			break;
		case 'P':
			if (parse_progress(optarg, &a->progress) < 0)
				return FB_EXIT_USAGE;
			break;
		default:
			return FB_EXIT_USAGE;
		}
	}
	r = fb_image_args_positional(&a->img, argc, argv, 1, usage, &rest);
	if (r)
		return r;
	a->job.device = rest[0];
	return 0;
}

static int outcome_exit(enum fb_flash_outcome o)
{
	switch (o) {
	case FB_FLASH_OK:
		return FB_EXIT_OK;
	case FB_FLASH_REFUSED:
		return FB_EXIT_REFUSED;
	case FB_FLASH_MISMATCH:
		return FB_EXIT_VERIFY;
	case FB_FLASH_CORRUPT:
		return FB_EXIT_SOURCE;
	case FB_FLASH_CANCELLED:
		return FB_EXIT_CANCELLED;
	case FB_FLASH_UNSIGNED:
		return FB_EXIT_SIGNATURE;
	default:
		return FB_EXIT_FAILED;
	}
}

/*
 * The signal that stopped the job, taken off the signalfd before the mask is
 * lifted (else it would kill the process then): exit 128 + its number, as a
 * shell reports a command a signal ended.
 */
static int cancelled_exit(int sfd)
{
	struct signalfd_siginfo si;
	int r = FB_EXIT_CANCELLED, n = 0;

	/* every one pending is taken (the first counts): none kills us afterwards */
	while (sfd >= 0 && read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (n++ == 0)
			r = 128 + (int)si.ssi_signo;
	return r;
}

int fb_cmd_flash(int argc, char *argv[])
{
	struct flash_args a = { .progress = _FB_PROGRESS_MAX,
				.job = { .opts = { .verify = true,
						   .lock_timeout = FB_FLASH_LOCK_TIMEOUT },
					 .cancel_fd = -1 } };
	_cleanup_close_ int sfd = -EBADF;
	struct fb_custom_hook hook = { 0 };
	struct fb_progress p;
	sigset_t mask, old;
	enum fb_flash_outcome o;
	int r;

	a.img = (struct fb_image_args)FB_IMAGE_ARGS_INIT("flash", &a.job.source);
	if (parse_args(argc, argv, &a)) {
		fb_custom_args_done(&a.custom);
		return FB_EXIT_USAGE;
	}
	if (fb_image_args_resolve(&a.img) < 0 ||
	    fb_custom_hook_setup(&hook, &a.custom, a.job.source.image,
				 a.progress == FB_PROGRESS_JSON ? stdout : NULL, &a.job) < 0) {
		fb_custom_args_done(&a.custom);
		fb_image_args_done(&a.img);
		return FB_EXIT_FAILED;
	}
	/* -q: only errors, so no progress unless --progress or --json asks for it */
	if (a.progress == _FB_PROGRESS_MAX && fb_log_get_level() < FB_LOG_INFO)
		a.progress = FB_PROGRESS_NONE;
	if (a.progress == _FB_PROGRESS_MAX)
		a.progress = isatty(STDERR_FILENO) ? FB_PROGRESS_TTY : FB_PROGRESS_PLAIN;
	fb_progress_init(&p, a.progress, a.progress == FB_PROGRESS_JSON ? stdout : stderr);
	a.job.sink = (struct fb_flash_sink){ fb_progress_emit, &p };
	/* Ctrl-C becomes a readable descriptor the engine polls: it stops between writes. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	a.job.cancel_fd = sfd;
	o = fb_flash_run(&a.job);
	r = o == FB_FLASH_CANCELLED ? cancelled_exit(sfd) : outcome_exit(o);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (o == FB_FLASH_OK && !a.job.opts.dry_run && a.progress != FB_PROGRESS_JSON)
		fb_info("'%s' written to '%s'%s", a.job.source.image, a.job.device,
			a.job.opts.verify ? " and verified" : "");
	fb_custom_hook_done(&hook);
	fb_custom_args_done(&a.custom);
	fb_image_args_done(&a.img);
	return r;
}
