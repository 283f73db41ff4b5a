// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flashbuild verify [OPTIONS] IMAGE [DEVICE]  |  verify [OPTIONS] --board NAME [DEVICE]:
 * the image against its bmap and the bmap's signature; with DEVICE, the
 * device read back against the image.  Nothing is written.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "core/log.h"
#include "core/util.h"
#include "device/compare.h"
#include "device/shared.h"
#include "image-args.h"

struct verify_args {
	struct fb_flash_source source;
	struct fb_image_args img;
	const char *tmpdir;
	const char *device;
};

static int parse_args(int argc, char *argv[], struct verify_args *a)
{
	static const struct option opts[] = {
		FB_IMAGE_ARGS_OPTIONS,
		{ "tmpdir", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	const char *const usage[2] = { "IMAGE [DEVICE]", "[DEVICE] after --board NAME" };
	int after, c;
	char **rest;

	while ((c = getopt_long(argc, argv, "b:r:o:", opts, NULL)) >= 0) {
		if (fb_image_args_option(&a->img, c, optarg))
			continue;
		if (c != 'T')
			return FB_EXIT_USAGE;
		a->tmpdir = optarg;
	}
	/* DEVICE is optional: one more than IMAGE (or --board) takes */
	after = argc - optind - (a->img.ba.board ? 0 : 1) > 0 ? 1 : 0;
	if (fb_image_args_positional(&a->img, argc, argv, after, usage, &rest))
		return FB_EXIT_USAGE;
	a->device = after ? rest[0] : NULL;
	return 0;
}

static void say_image(const struct fb_shared_source *s)
{
	char size[32];

	fb_format_size(s->ext.mapped, size, sizeof(size));
	if (!s->ext.n || !s->ext.v[0].bmap_index) {
		fb_info("'%s' has no bmap: nothing to check it against; the whole image, %s",
			s->image, size);
		return;
	}
	fb_info("'%s' matches its bmap: %zu ranges, %s%s%s%s%s", s->image, s->ext.n, size,
		*s->signer.fpr ? ", signed by key " : "", s->signer.fpr, s->signer.uid ? " " : "",
		s->signer.uid ? s->signer.uid : "");
}

/* The device against the prepared image; an enum fb_exit value. */
static int check_device(const struct fb_shared_source *s, const char *device)
{
	struct fb_compare_result res;
	char size[32];
	int r;

	r = fb_compare_device(s, device, &res);
	if (r < 0)
		return FB_EXIT_FAILED;
	if (r > 0) {
		const struct fb_extent *x = &s->ext.v[res.range - 1];

		fb_err("'%s' differs from '%s' at byte %" PRIu64 " (range %zu: bytes %" PRIu64
		       "-%" PRIu64 ")",
		       device, s->image, res.diff, res.range, x->off, x->off + x->len - 1);
		return FB_EXIT_VERIFY;
	}
	fb_info("'%s' holds '%s': %s compared", device, s->image,
		fb_format_size(res.compared, size, sizeof(size)));
	return FB_EXIT_OK;
}

int fb_cmd_verify(int argc, char *argv[])
{
	struct verify_args a = { 0 };
	struct fb_shared_source s = { .fd = -EBADF };
	const char *tmp;
	int r;

	a.img = (struct fb_image_args)FB_IMAGE_ARGS_INIT("verify", &a.source);
	if (parse_args(argc, argv, &a))
		return FB_EXIT_USAGE;
	tmp = a.tmpdir ?: getenv("TMPDIR") ?: "/var/tmp";
	r = fb_image_args_resolve(&a.img);
	if (r >= 0)
		r = fb_shared_source_prepare(&a.source, tmp, &s);
	if (r >= 0) {
		say_image(&s);
		r = a.device ? check_device(&s, a.device) : FB_EXIT_OK;
	} else {
		r = r == -EBADMSG	 ? FB_EXIT_SOURCE
		    : r == -EKEYREJECTED ? FB_EXIT_SIGNATURE
					 : FB_EXIT_FAILED;
	}
	fb_shared_source_done(&s);
	fb_image_args_done(&a.img);
	return r;
}
