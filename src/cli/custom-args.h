/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The options that make each card its own (customize/customize.h), and the
 * flash engine's hook that writes them into a card after its verified
 * write: its files planned with the card's values, written, read back, and
 * reported (a line, or a JSON "customized" event with each path's sha256).
 */
#ifndef FB_CLI_CUSTOM_ARGS_H
#define FB_CLI_CUSTOM_ARGS_H

#include <stdbool.h>
#include <stdio.h>

#include "customize/customize.h"
#include "device/flash.h"

/* clang-format off */
#define FB_CUSTOM_OPTIONS                                                             \
	{ "hostname", required_argument, NULL, 0x300 },                               \
	{ "ssh-key", required_argument, NULL, 0x301 },                                \
	{ "ssh-user", required_argument, NULL, 0x302 },                               \
	{ "file", required_argument, NULL, 0x303 },                                   \
	{ "machine-id", required_argument, NULL, 0x304 },                             \
	{ "user", required_argument, NULL, 0x305 },                                   \
	{ "password-file", required_argument, NULL, 0x306 }
/* clang-format on */

/* Takes getopt's C with ARG when it is one of them (false when not); *R: -EINVAL when bad, logged. */
bool fb_custom_args_option(struct fb_custom_opts *o, int c, const char *arg, int *r);
void fb_custom_args_done(struct fb_custom_opts *o);

struct fb_custom_hook {
	struct fb_custom custom;    /* prepared against the image */
	struct fb_custom_plan plan; /* the card's, made before it is written */
	FILE *json;		    /* the JSON event goes here; NULL: an info line */
};

/*
 * Checks O against IMAGE (before any device is touched) and points JOB's
 * after-hook at H.  Nothing to do when O asks for nothing.  Logged.
 */
int fb_custom_hook_setup(struct fb_custom_hook *h, const struct fb_custom_opts *o,
			 const char *image, FILE *json, struct fb_flash_job *job);
void fb_custom_hook_done(struct fb_custom_hook *h);

#endif
