// SPDX-License-Identifier: GPL-2.0-or-later
/* [rootfs] debs: Debian packages, or files of them, in a busybox rootfs (see rootfs-debs.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "core/util.h"
#include "deb/reader.h"
#include "deb/sources.h"
#include "deb/deb.h"
#include "debs.h"
#include "rootfs.h"

struct fb_rootfs_debs {
	struct fb_deb *debs;
	char **paths; /* in the package, "" for all of it */
	char **local; /* its unpacked copy in the cache */
	size_t n;
};

struct fb_rootfs_debs *fb_rootfs_debs_free(struct fb_rootfs_debs *d)
{
	if (!d)
		return NULL;
	for (size_t i = 0; i < d->n; i++) {
		fb_deb_done(&d->debs[i]);
		free(d->paths[i]);
		free(d->local[i]);
	}
	free(d->debs);
	free(d->paths);
	free(d->local);
	free(d);
	return NULL;
}

/* One word: PACKAGE[:ARCH][/PATH]. */
static int add_word(struct fb_rootfs_debs *d, const char *w, const char *defarch)
{
	size_t len = strcspn(w, "/");
	struct fb_deb *debs = reallocarray(d->debs, d->n + 1, sizeof(*debs));
	char **paths = debs ? reallocarray(d->paths, d->n + 1, sizeof(*paths)) : NULL;
	char **local = paths ? reallocarray(d->local, d->n + 1, sizeof(*local)) : NULL;
	int r;

	if (debs)
		d->debs = debs;
	if (paths)
		d->paths = paths;
	if (!local)
		return -ENOMEM;
	d->local = local;
	d->debs[d->n] = (struct fb_deb){ 0 };
	d->local[d->n] = NULL;
	d->paths[d->n] = strdup(w + len);
	if (!d->paths[d->n])
		return -ENOMEM;
	r = fb_deb_parse_spec(w, len, defarch, &d->debs[d->n]);
	d->n++; /* freed with the rest from here on */
	if (r < 0)
		return r;
	return fb_deb_path_normalize(d->paths[d->n - 1]) ? 0 : -EINVAL;
}

static bool is_file(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int unpack(struct fb_rootfs_ctx *ctx, struct fb_rootfs_debs *d, const char *file,
		  unsigned line)
{
	int r;

	for (size_t i = 0; i < d->n; i++) {
		const struct fb_deb *p = &d->debs[i];

		if (!p->version)
			return fb_deb_unknown(file, line, p);
		r = fb_deb_file(ctx->env->cache, p, d->paths[i], &d->local[i]);
		if (r == -ENOENT)
			return fb_err("%s:%u: debs: package '%s:%s' (%s) has no '/%s'", file, line,
				      p->name, p->arch, p->version, d->paths[i]);
		if (r < 0)
			return r;
		if (*d->paths[i] && !is_file(d->local[i]))
			return fb_err("%s:%u: debs: '/%s' of package '%s:%s' is not a file: name "
				      "a file or the whole package",
				      file, line, d->paths[i], p->name, p->arch);
	}
	return 0;
}

int fb_rootfs_debs_prepare(struct fb_rootfs_ctx *ctx, const char *value,
			   struct fb_rootfs_debs **ret)
{
	struct fb_rootfs_debs *d = calloc(1, sizeof(*d));
	_cleanup_free_ char *words = strdup(value);
	char *save = NULL;
	const char *file;
	unsigned line;
	int r = 0;

	fb_rootfs_where(ctx, "debs", &file, &line);
	if (!d || !words) {
		fb_rootfs_debs_free(d);
		return fb_err_errno(-ENOMEM, "cannot read 'debs'");
	}
	for (char *w = strtok_r(words, " \t", &save); w && r >= 0; w = strtok_r(NULL, " \t", &save))
		if ((r = add_word(d, w, ctx->arch->deb)) == -EINVAL)
			r = fb_err("%s:%u: debs: '%s' is not PACKAGE[:ARCH][/PATH]", file, line, w);
	if (r == -ENOMEM)
		r = fb_err_errno(r, "cannot read 'debs'");
	if (r >= 0)
		r = fb_deb_resolve(ctx->env->cache, d->debs, d->n);
	if (r >= 0)
		r = unpack(ctx, d, file, line);
	if (r < 0) {
		fb_rootfs_debs_free(d);
		return r;
	}
	*ret = d;
	return 0;
}

void fb_rootfs_debs_hash(const struct fb_rootfs_debs *d, struct fb_hasher *h)
{
	for (size_t i = 0; d && i < d->n; i++) {
		fb_deb_hash(h, &d->debs[i]);
		fb_hasher_str(h, "deb-path", d->paths[i]);
	}
}

int fb_rootfs_debs_add(const struct fb_rootfs_debs *d, struct fb_tree *t)
{
	int r = 0;

	for (size_t i = 0; d && i < d->n && r >= 0; i++) {
		struct stat st;

		if (lstat(d->local[i], &st) < 0)
			return fb_err_errno(-errno, "cannot read '%s'", d->local[i]);
		/* fb_rootfs_debs_prepare() took files and whole packages only */
		if (*d->paths[i])
			r = fb_tree_add_copy(t, d->paths[i], st.st_mode & 07777, d->local[i]);
		else
			r = fb_tree_add_overlay(t, d->local[i]);
	}
	return r;
}
