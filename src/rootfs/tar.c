// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * recipe = tar: any tarball libarchive reads (plain, gz, xz, zst, bz2),
 * e.g. `docker export` output or an Alpine minirootfs, taken as it is:
 * only the hostname (if given), the overlay and the users go on top.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "recipe.h"

static int tar_check(struct fb_rootfs_ctx *ctx)
{
	const char *file;
	unsigned line;
	struct stat st;

	fb_rootfs_where(ctx, "tarball", &file, &line);
	if (!ctx->conf.tarball)
		return fb_err("%s:%u: [rootfs] recipe = tar needs 'tarball'", file, line);
	if (stat(ctx->conf.tarball, &st) < 0)
		return fb_err_errno(-errno, "%s:%u: cannot read tarball '%s'", file, line,
				    ctx->conf.tarball);
	return 0;
}

static int tar_hash(struct fb_rootfs_ctx *ctx, struct fb_hasher *h)
{
	return fb_hasher_stat(h, "tarball", ctx->conf.tarball);
}

static int tar_base(struct fb_rootfs_ctx *ctx, const char *workdir _unused_, char **ret_base)
{
	*ret_base = strdup(ctx->conf.tarball);
	return *ret_base ? 0 : fb_err_errno(-ENOMEM, "cannot read '%s'", ctx->conf.tarball);
}

const struct fb_rootfs_recipe fb_rootfs_tar = {
	.name = "tar",
	.check = tar_check,
	.hash = tar_hash,
	.base = tar_base,
};
