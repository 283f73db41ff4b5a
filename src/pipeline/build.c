// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The build: deb: values resolved into a view of the profile, then rootfs,
 * kernel, initramfs (each a cached stage), then the image, which is up to
 * date when out/.NAME.key holds its key.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "core/log.h"
#include "core/outfile.h"
#include "core/util.h"
#include "deb/sources.h"
#include "image/image.h"

/* The tree the image's 'from = rootfs' and a root-less initramfs take: --rootfs, or the stage's. */
static const char *build_rootfs(const struct fb_build *b)
{
	return b->rootfs_override ?: b->rootfs.tar;
}

static int image_key(const struct fb_build *b, const char *sign, char key[FB_KEY_LEN + 1])
{
	_cleanup_(fb_hasher_freep) struct fb_hasher *h = fb_hasher_new("image");
	char epoch[24];
	int r;

	if (!h)
		return fb_err_errno(-ENOMEM, "cannot hash the image's inputs");
	fb_hasher_str(h, "rootfs", b->rootfs.art.dir ? b->rootfs.art.key : NULL);
	fb_hasher_str(h, "kernel", b->kernel.art.dir ? b->kernel.art.key : NULL);
	fb_hasher_str(h, "initramfs", b->initramfs.art.dir ? b->initramfs.art.key : NULL);
	snprintf(epoch, sizeof(epoch), "%" PRId64, b->env.timestamp);
	fb_hasher_str(h, "epoch", epoch);
	/*
	 * Bumped when the same inputs make a different image (2: bootloaders
	 * installed; 4: ids derived from the seed, every time the epoch).
	 */
	fb_hasher_str(h, "image-step", "4");
	/* a signature made is part of the outputs; none made keeps the keys of before */
	if (sign)
		fb_hasher_str(h, "sign", sign);
	r = fb_image_hash_inputs(b->board, h);
	if (r < 0)
		return r;
	return fb_hasher_final(h, key);
}

/* out/.NAME.key: the key of the image that out/NAME.img holds. */
static char *stamp_path(const struct fb_build *b, const char *outdir)
{
	char *p;

	return asprintf(&p, "%s/.%s.key", outdir, b->board->name) < 0 ? NULL : p;
}

static bool image_up_to_date(const struct fb_build *b, const char *outdir, const char *key)
{
	_cleanup_free_ char *stamp = stamp_path(b, outdir), *bmap = NULL;
	_cleanup_fclose_ FILE *f = stamp ? fopen(stamp, "re") : NULL;
	char have[FB_KEY_LEN + 2] = "";

	if (!f || !fgets(have, sizeof(have), f) || strncmp(have, key, FB_KEY_LEN))
		return false;
	if (asprintf(&bmap, "%s.bmap", b->image) < 0)
		return false;
	return access(b->image, R_OK) == 0 && access(bmap, R_OK) == 0;
}

static int write_stamp(const struct fb_build *b, const char *outdir, const char *key)
{
	_cleanup_free_ char *stamp = stamp_path(b, outdir);
	struct fb_outfile o;
	int r;

	if (!stamp)
		return fb_err_errno(-ENOMEM, "cannot record the image's key");
	r = fb_outfile_open(&o, stamp);
	if (r < 0)
		return r;
	if (dprintf(o.fd, "%s\n", key) < 0)
		r = fb_err_errno(-errno, "cannot write '%s'", o.tmp);
	if (r >= 0)
		r = fb_outfile_commit(&o);
	fb_outfile_abort(&o);
	return r;
}

/*
 * The image, unless out/.NAME.key says it is current.  A --rootfs tree is
 * the user's and is not keyed (hashing it would cost what reading it into
 * the image does): that image is always made, and leaves no key behind.
 */
static int image_stage(struct fb_build *b, const struct fb_build_opts *opts)
{
	_cleanup_free_ char *stamp = NULL;
	struct fb_image_opts io = {
		.rootfs = build_rootfs(b),
		.path = b->image,
		.kernel = b->kernel.image,
		.initramfs = b->initramfs.image,
		.cmdline = b->kernel.cmdline,
		.timestamp = b->env.timestamp,
		.fdt = b->kernel.fdt,
		.dtb_dir = b->kernel.dtb_dir,
		.sign = opts->sign ?: b->board->sign,
	};
	char key[FB_KEY_LEN + 1];
	double t0 = fb_now();
	int r;

	if (!b->image)
		return 0;
	r = image_key(b, io.sign, key);
	if (r < 0)
		return r;
	if (!b->rootfs_override && image_up_to_date(b, opts->outdir, key)) {
		fb_info("  %-10s up to date", "image");
		return 0;
	}
	/* The old stamp goes first: a failed build must not look current. */
	stamp = stamp_path(b, opts->outdir);
	if (stamp)
		unlink(stamp);
	r = fb_image_build(b->board, &io);
	if (r >= 0 && !b->rootfs_override)
		r = write_stamp(b, opts->outdir, key);
	if (r < 0)
		return r;
	fb_info("  %-10s built in %.2f s", "image", fb_now() - t0);
	return 0;
}

/* A board that names no stage and no Debian package needs no cache (a rootless user's
 * FLASHBUILD_CACHE may not be theirs): only the deb: values open it then. */
static bool needs_cache(const struct fb_board *p, const struct fb_build_opts *opts)
{
	return (!opts->rootfs && fb_board_section(p, "rootfs", NULL)) ||
	       fb_board_section(p, "kernel", NULL) || fb_board_section(p, "initramfs", NULL);
}

/* OUTDIR/NAME.img: the one place that names it. */
static int name_image(struct fb_build *b, const struct fb_build_opts *opts)
{
	if (!fb_board_section(b->board, "image", NULL))
		return 0;
	if (asprintf(&b->image, "%s/%s.img", opts->outdir, b->board->name) < 0) {
		b->image = NULL;
		return fb_err_errno(-ENOMEM, "cannot build the image of '%s'", b->board->name);
	}
	return 0;
}

/*
 * Every section's keys, before any stage runs: a mistyped [kernel] key is
 * not reported after the rootfs was built.  What needs files or the layout
 * is checked by the stage that reads them.
 */
static int check_profile(const struct fb_board *p)
{
	int r = fb_rootfs_check(p);

	if (r >= 0)
		r = fb_kernel_check(p);
	if (r >= 0)
		r = fb_initramfs_check(p);
	if (r >= 0 && fb_board_section(p, "image", NULL))
		r = fb_image_check(p);
	return r;
}

/* The initramfs of what the rootfs and kernel stages made (or --rootfs). */
static int initramfs_stage(struct fb_build *b)
{
	const struct fb_initramfs_in in = {
		.rootfs = build_rootfs(b),
		.rootfs_key = b->rootfs_override ? NULL : b->rootfs.art.key,
		.modules = b->kernel.modules,
		.kernel_key = b->kernel.art.key,
	};

	return fb_initramfs_stage(b->board, &b->env, &in, &b->initramfs);
}

int fb_build_run(const struct fb_board *profile, const struct fb_build_opts *opts,
		 struct fb_build *b)
{
	double t0 = fb_now();
	int r;

	*b = (struct fb_build){ .rootfs_override = opts->rootfs,
				.env = { .pull = opts->pull, .debug = opts->debug } };
	b->env.cache = &b->cache;
	r = fb_source_date_epoch(&b->env.timestamp);
	if (r >= 0)
		r = check_profile(profile);
	if (r >= 0 && needs_cache(profile, opts))
		r = fb_cache_open(&b->cache);
	if (r < 0)
		return r;
	fb_info("build: %s", profile->name);
	r = fb_deb_sources_resolve(profile, &b->cache, &b->board);
	if (r >= 0)
		r = name_image(b, opts);
	if (r >= 0 && !opts->rootfs)
		r = fb_rootfs_stage(b->board, &b->env, &b->rootfs);
	if (r >= 0)
		r = fb_kernel_stage(b->board, &b->env, &b->kernel);
	if (r >= 0)
		r = initramfs_stage(b);
	if (r >= 0)
		r = image_stage(b, opts);
	if (r < 0)
		return r;
	fb_info("build: %s done in %.2f s", b->board->name, fb_now() - t0);
	return 0;
}

int fb_build_kernel_tool(const struct fb_board *profile, const struct fb_kernel_tool_opts *o)
{
	struct fb_cache cache = { 0 };
	struct fb_stage_env env = { .cache = &cache };
	int r;

	r = fb_source_date_epoch(&env.timestamp);
	if (r >= 0)
		r = check_profile(profile);
	if (r >= 0)
		r = fb_cache_open(&cache);
	/* [kernel] has no deb: value but source's, which is the kernel stage's own. */
	if (r >= 0)
		r = fb_kernel_tool(profile, &env, o);
	fb_cache_close(&cache);
	return r;
}

void fb_build_free(struct fb_build *b)
{
	fb_rootfs_done(&b->rootfs);
	fb_kernel_done(&b->kernel);
	fb_initramfs_done(&b->initramfs);
	free(b->image);
	b->image = NULL;
	b->board = fb_board_free(b->board);
	fb_cache_close(&b->cache);
}
