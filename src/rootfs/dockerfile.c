// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * recipe = dockerfile: `dockerfile = boards/NAME/Dockerfile`, built by
 * buildah (rootfs-dockerfile-buildah.c) in a private store with its
 * directory (or `context`) as the build context, and its files exported as
 * a tarball that goes the way of recipe = tar's: hostname, overlay and
 * users on top.  A FROM (or COPY --from=) of localhost/flashbuild/busybox
 * or localhost/flashbuild/debian-SUITE is that recipe's rootfs stage, made
 * (or found in the cache) and imported into the store, so a Dockerfile
 * builds offline.  A registry image is used only with --pull.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "dockerfile-buildah.h"
#include "dockerfile-parse.h"
#include "recipe.h"

#define MAX_DOCKERFILE (1024 * 1024)

/* A localhost/flashbuild/ image: the rootfs stage that makes it. */
struct base {
	const struct fb_dockerfile_image *img;
	char *tar; /* its rootfs.tar in the cache */
};

struct state {
	struct fb_dockerfile parsed;
	char *context;
	struct base *bases;
	size_t n_bases;
};

static void dockerfile_done(struct fb_rootfs_ctx *ctx)
{
	struct state *st = ctx->priv;

	if (!st)
		return;
	fb_dockerfile_free(&st->parsed);
	for (size_t i = 0; i < st->n_bases; i++)
		free(st->bases[i].tar);
	free(st->bases);
	free(st->context);
	free(st);
	ctx->priv = NULL;
}

static int read_dockerfile(const char *path, const char *file, unsigned line, char **ret)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *text = NULL;
	size_t n;

	if (!f)
		return fb_err_errno(-errno, "%s:%u: cannot read Dockerfile '%s'", file, line, path);
	text = malloc(MAX_DOCKERFILE + 1);
	if (!text)
		return fb_err_errno(-ENOMEM, "cannot read '%s'", path);
	n = fread(text, 1, MAX_DOCKERFILE + 1, f);
	if (ferror(f))
		return fb_err_errno(-EIO, "cannot read '%s'", path);
	if (n > MAX_DOCKERFILE)
		return fb_err("'%s' is larger than 1 MiB: is it a Dockerfile?", path);
	text[n] = '\0';
	*ret = TAKE_PTR(text);
	return 0;
}

/* A registry image (or one a build argument names) needs --pull. */
static int check_images(const struct fb_rootfs_ctx *ctx, const struct fb_dockerfile *d)
{
	const char *path = ctx->conf.dockerfile;

	for (size_t i = 0; i < d->n_images && !ctx->env->pull; i++) {
		const struct fb_dockerfile_image *img = &d->images[i];

		if (img->kind == FB_IMAGE_REGISTRY || img->kind == FB_IMAGE_ARG)
			return fb_err("%s:%u: '%s' is not local and flashbuild pulls only with "
				      "--pull; offline, start FROM scratch and ADD the image's "
				      "exported tarball, or FROM localhost/flashbuild/busybox or "
				      "localhost/flashbuild/debian-bookworm",
				      path, img->line, img->ref);
	}
	return 0;
}

static int check_context(struct fb_rootfs_ctx *ctx, struct state *st)
{
	_cleanup_free_ char *copy = strdup(ctx->conf.dockerfile);
	const char *file;
	unsigned line;
	struct stat sb;

	if (!copy)
		return fb_err_errno(-ENOMEM, "cannot read [rootfs]");
	st->context = strdup(ctx->conf.context ? ctx->conf.context : dirname(copy));
	if (!st->context)
		return fb_err_errno(-ENOMEM, "cannot read [rootfs]");
	fb_rootfs_where(ctx, ctx->conf.context ? "context" : "dockerfile", &file, &line);
	if (stat(st->context, &sb) < 0)
		return fb_err_errno(-errno, "%s:%u: cannot read build context '%s'", file, line,
				    st->context);
	if (!S_ISDIR(sb.st_mode))
		return fb_err("%s:%u: build context '%s' is not a directory", file, line,
			      st->context);
	return 0;
}

static int dockerfile_check(struct fb_rootfs_ctx *ctx)
{
	_cleanup_free_ char *text = NULL;
	struct state *st;
	const char *file, *why;
	unsigned line;
	int r;

	fb_rootfs_where(ctx, "dockerfile", &file, &line);
	if (!ctx->conf.dockerfile)
		return fb_err("%s:%u: [rootfs] recipe = dockerfile needs 'dockerfile'", file, line);
	if (!fb_arch_is_host(ctx->arch))
		return fb_err("%s:%u: recipe = dockerfile builds for this machine's architecture "
			      "only, not %s",
			      file, line, ctx->arch->name);
	st = ctx->priv = calloc(1, sizeof(*st));
	if (!st)
		return fb_err_errno(-ENOMEM, "cannot read [rootfs]");
	r = read_dockerfile(ctx->conf.dockerfile, file, line, &text);
	if (r < 0)
		return r;
	r = fb_dockerfile_parse(text, &st->parsed, &line, &why);
	if (r == -EINVAL && line == 0)
		return fb_err("%s: %s", ctx->conf.dockerfile, why);
	if (r == -EINVAL)
		return fb_err("%s:%u: %s", ctx->conf.dockerfile, line, why);
	if (r < 0)
		return fb_err_errno(r, "cannot read '%s'", ctx->conf.dockerfile);
	r = check_images(ctx, &st->parsed);
	if (r >= 0)
		r = check_context(ctx, st);
	return r;
}

/*
 * The rootfs stage of a board of one section, "[rootfs] recipe = RECIPE"
 * (and "suite = SUITE"), made or found in the cache like any other:
 * localhost/flashbuild/NAME is exactly what recipe = NAME gives.
 */
static int base_stage(struct fb_rootfs_ctx *ctx, const struct fb_dockerfile_image *img,
		      struct base *ret, struct fb_hasher *h)
{
	struct fb_kv kvs[] = {
		{ (char *)"recipe", (char *)img->recipe, ctx->conf.dockerfile, img->line, NULL,
		  NULL },
		{ (char *)"suite", img->suite, ctx->conf.dockerfile, img->line, NULL, NULL },
	};
	struct fb_section s = { .kind = (char *)"rootfs",
				.file = ctx->conf.dockerfile,
				.line = img->line,
				.kvs = kvs,
				.n_kvs = img->suite ? 2 : 1 };
	struct fb_board board = { .name = img->name,
				  .path = ctx->conf.dockerfile,
				  .arch = ctx->board->arch,
				  .sections = &s,
				  .n_sections = 1 };
	struct fb_rootfs base = { 0 };
	int r;

	fb_info("  %-10s base image %s", "rootfs", img->ref);
	/* the same cache and time, for a stage of its own */
	r = fb_rootfs_stage(&board, ctx->env, &base);
	if (r >= 0) {
		fb_hasher_str(h, img->ref, base.art.key);
		ret->img = img;
		ret->tar = TAKE_PTR(base.tar);
	}
	fb_rootfs_done(&base);
	return r;
}

static int dockerfile_hash(struct fb_rootfs_ctx *ctx, struct fb_hasher *h)
{
	struct state *st = ctx->priv;
	int r;

	r = fb_hasher_file(h, "dockerfile", ctx->conf.dockerfile);
	if (r >= 0)
		r = fb_hasher_tree(h, "context", st->context);
	for (size_t i = 0; r >= 0 && i < st->parsed.n_images; i++) {
		const struct fb_dockerfile_image *img = &st->parsed.images[i];
		struct base *v;

		if (img->kind != FB_IMAGE_FLASHBUILD)
			continue;
		v = reallocarray(st->bases, st->n_bases + 1, sizeof(*v));
		if (!v)
			return fb_err_errno(-ENOMEM, "cannot make base image '%s'", img->ref);
		st->bases = v;
		v[st->n_bases] = (struct base){ 0 };
		r = base_stage(ctx, img, &v[st->n_bases], h);
		if (r >= 0)
			st->n_bases++;
	}
	return r;
}

static int build(struct fb_rootfs_ctx *ctx, const char *store, const char *log, const char *out)
{
	struct state *st = ctx->priv;
	struct fb_buildah_build a = { .dockerfile = ctx->conf.dockerfile,
				      .parsed = &st->parsed,
				      .context = st->context,
				      .pull = ctx->env->pull,
				      .out = out };
	struct fb_buildah bh;
	int r;

	r = fb_buildah_open(&bh, store, log);
	for (size_t i = 0; r >= 0 && i < st->n_bases; i++)
		r = fb_buildah_import(&bh, st->bases[i].tar, st->bases[i].img->ref);
	if (r >= 0)
		r = fb_buildah_build(&bh, &a);
	fb_buildah_close(&bh);
	return r;
}

static int dockerfile_base(struct fb_rootfs_ctx *ctx, const char *workdir, char **ret_base)
{
	_cleanup_free_ char *out = fb_path_join(workdir, "base.tar"), *log = NULL, *dir = NULL,
			    *keep = fb_path_join(workdir, "build.log");
	int r;

	dir = fb_path_join(ctx->env->cache->dir, "dockerfile");
	if (!out || !keep || !dir || asprintf(&log, "%s/%s.log", dir, ctx->key) < 0) {
		log = NULL;
		return fb_err_errno(-ENOMEM, "cannot build '%s'", ctx->conf.dockerfile);
	}
	fb_info("  %-10s buildah bud %s", "rootfs", ctx->conf.dockerfile);
	r = build(ctx, dir, log, out);
	if (r < 0)
		return r;
	/* the log goes with the artifact; after a failure it stays where the error says */
	if (rename(log, keep) < 0)
		return fb_err_errno(-errno, "cannot move '%s' to '%s'", log, keep);
	*ret_base = TAKE_PTR(out);
	return 0;
}

const struct fb_rootfs_recipe fb_rootfs_dockerfile = {
	.name = "dockerfile",
	.check = dockerfile_check,
	.hash = dockerfile_hash,
	.base = dockerfile_base,
	.done = dockerfile_done,
};
