// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `flashbuild build`: rootfs, kernel, initramfs (each a cached stage), then
 * the image, which is up to date when out/.NAME.key holds its key.
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
#include "deb-sources.h"
#include "image/image.h"
#include "initramfs.h"
#include "kernel.h"
#include "rootfs.h"

static int image_key(const struct fb_build *b, char key[FB_KEY_LEN + 1])
{
	_cleanup_(fb_hasher_freep) struct fb_hasher *h = fb_hasher_new("image");
	char epoch[24];
	int r;

	if (!h)
		return fb_err_errno(-ENOMEM, "cannot hash the image's inputs");
	fb_hasher_str(h, "rootfs", b->rootfs.dir ? b->rootfs.key : NULL);
	fb_hasher_str(h, "kernel", b->kernel.dir ? b->kernel.key : NULL);
	fb_hasher_str(h, "initramfs", b->initramfs.dir ? b->initramfs.key : NULL);
	snprintf(epoch, sizeof(epoch), "%" PRId64, b->timestamp);
	fb_hasher_str(h, "epoch", epoch);
	/*
	 * Bumped when the same inputs make a different image (2: bootloaders
	 * installed; 4: ids derived from the seed, every time the epoch).
	 */
	fb_hasher_str(h, "image-step", "4");
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
	_cleanup_free_ char *stamp = stamp_path(b, outdir), *img = NULL, *bmap = NULL;
	_cleanup_fclose_ FILE *f = stamp ? fopen(stamp, "re") : NULL;
	char have[FB_KEY_LEN + 2] = "";

	if (!f || !fgets(have, sizeof(have), f) || strncmp(have, key, FB_KEY_LEN))
		return false;
	if (asprintf(&img, "%s/%s.img", outdir, b->board->name) < 0 ||
	    asprintf(&bmap, "%s.bmap", img) < 0)
		return false;
	return access(img, R_OK) == 0 && access(bmap, R_OK) == 0;
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

static int image_stage(struct fb_build *b, const struct fb_build_opts *opts)
{
	_cleanup_free_ char *stamp = NULL;
	struct fb_image_opts io = {
		.rootfs = b->rootfs_tar,
		.outdir = opts->outdir,
		.kernel = b->kernel_image,
		.initramfs = b->initramfs_image,
		.cmdline = b->kernel_cmdline,
		.timestamp = b->timestamp,
		.fdt = b->kernel_fdt,
	};
	char key[FB_KEY_LEN + 1];
	double t0 = fb_now();
	int r;

	if (!fb_board_section(b->board, "image", NULL))
		return 0;
	if (asprintf(&b->image, "%s/%s.img", opts->outdir, b->board->name) < 0) {
		b->image = NULL;
		return fb_err_errno(-ENOMEM, "cannot build the image of '%s'", b->board->name);
	}
	r = image_key(b, key);
	if (r < 0)
		return r;
	if (image_up_to_date(b, opts->outdir, key)) {
		fb_info("  %-10s up to date", "image");
		return 0;
	}
	/* The old stamp goes first: a failed build must not look current. */
	stamp = stamp_path(b, opts->outdir);
	if (stamp)
		unlink(stamp);
	r = fb_image_build(b->board, &io);
	if (r < 0)
		return r;
	r = write_stamp(b, opts->outdir, key);
	if (r < 0)
		return r;
	fb_info("  %-10s built in %.2f s", "image", fb_now() - t0);
	return 0;
}

int fb_build_run(struct fb_build *b, const struct fb_build_opts *opts)
{
	double t0 = fb_now();
	int r;

	r = fb_cache_open(&b->cache);
	if (r < 0)
		return r;
	r = fb_source_date_epoch(&b->timestamp);
	if (r < 0)
		return r;
	fb_info("build: %s", b->board->name);
	r = fb_deb_sources_resolve(b->board, &b->cache);
	if (r >= 0)
		r = fb_rootfs_stage(b);
	if (r >= 0)
		r = fb_kernel_stage(b);
	if (r >= 0)
		r = fb_initramfs_stage(b);
	if (r >= 0)
		r = image_stage(b, opts);
	if (r < 0)
		return r;
	fb_info("build: %s done in %.2f s", b->board->name, fb_now() - t0);
	return 0;
}

void fb_build_free(struct fb_build *b)
{
	fb_artifact_clear(&b->rootfs);
	fb_artifact_clear(&b->kernel);
	fb_artifact_clear(&b->initramfs);
	free(b->rootfs_tar);
	free(b->kernel_image);
	free(b->kernel_cmdline);
	free(b->kernel_modules);
	free(b->kernel_fdt);
	free(b->initramfs_image);
	free(b->image);
	fb_cache_close(&b->cache);
}
