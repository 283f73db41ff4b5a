// SPDX-License-Identifier: GPL-2.0-or-later
/* deb:PACKAGE[:ARCH][@COMPONENT]/PATH values of a profile (see sources.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "reader.h"
#include "sources.h"
#include "deb.h"
#include "profile/arch.h"
#include "profile/paths.h"

#define PREFIX "deb:"

struct ref {
	struct fb_kv *kv;
	size_t deb; /* index into the packages */
	char *path; /* in the package, normalized */
};

struct refs {
	struct ref *v;
	size_t n;
	struct fb_deb *debs;
	size_t n_debs;
};

static void refs_free(struct refs *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->v[i].path);
	for (size_t i = 0; i < rs->n_debs; i++)
		fb_deb_done(&rs->debs[i]);
	free(rs->v);
	free(rs->debs);
}

int fb_deb_source_split(const char *ref, size_t *ret_spec_len, const char **ret_path)
{
	const char *slash = strchr(ref, '/');

	if (!slash || slash == ref || !slash[strspn(slash, "/")])
		return -EINVAL;
	*ret_spec_len = (size_t)(slash - ref);
	*ret_path = slash;
	return 0;
}

/* The index of D in RS's packages, adding it when new; -ENOMEM. */
static int deb_index(struct refs *rs, struct fb_deb *d)
{
	struct fb_deb *v;

	for (size_t i = 0; i < rs->n_debs; i++)
		if (!strcmp(rs->debs[i].name, d->name) && !strcmp(rs->debs[i].arch, d->arch) &&
		    !strcmp(rs->debs[i].component ?: "", d->component ?: "")) {
			fb_deb_done(d);
			return (int)i;
		}
	v = reallocarray(rs->debs, rs->n_debs + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	rs->debs = v;
	v[rs->n_debs] = *d;
	*d = (struct fb_deb){ 0 };
	return (int)rs->n_debs++;
}

static int add_ref(struct refs *rs, struct fb_kv *kv, const char *defarch)
{
	const char *ref = kv->value + strlen(PREFIX), *path;
	struct fb_deb d = { 0 };
	struct ref *v;
	size_t len;
	int r;

	if (fb_deb_source_split(ref, &len, &path) < 0 ||
	    (r = fb_deb_parse_spec(ref, len, defarch, &d)) == -EINVAL)
		return fb_err("%s:%u: '%s' is not deb:PACKAGE[:ARCH][@COMPONENT]/PATH", kv->file,
			      kv->line, kv->value);
	if (r < 0)
		return fb_err_errno(r, "cannot read '%s'", kv->value);
	r = deb_index(rs, &d);
	if (r < 0)
		return fb_err_errno(r, "cannot read '%s'", kv->value);
	v = reallocarray(rs->v, rs->n + 1, sizeof(*v));
	if (!v)
		return fb_err_errno(-ENOMEM, "cannot read '%s'", kv->value);
	rs->v = v;
	v[rs->n] = (struct ref){ .kv = kv, .deb = (size_t)r, .path = strdup(path) };
	if (!v[rs->n].path)
		return fb_err_errno(-ENOMEM, "cannot read '%s'", kv->value);
	rs->n++; /* freed with the rest from here on */
	if (!fb_deb_path_normalize(v[rs->n - 1].path) || !*v[rs->n - 1].path)
		return fb_err("%s:%u: '%s' is not deb:PACKAGE[:ARCH][@COMPONENT]/PATH", kv->file,
			      kv->line, kv->value);
	return 0;
}

static int collect(struct fb_board *b, struct refs *rs)
{
	const struct fb_arch *arch = fb_arch_find(b->arch);
	int r;

	for (size_t i = 0; i < b->n_sections; i++) {
		struct fb_section *s = &b->sections[i];

		/* not [kernel] source = deb:PACKAGE: that is the kernel stage's */
		for (size_t j = 0; j < s->n_kvs; j++) {
			struct fb_kv *kv = &s->kvs[j];
			const struct fb_path_key *k = fb_path_key_find(s->kind, kv->key);

			if (strncmp(kv->value, PREFIX, strlen(PREFIX)) || !k ||
			    !(k->flags & FB_PATH_DEB))
				continue;
			r = add_ref(rs, kv, arch ? arch->deb : NULL);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int ref_key(const struct fb_deb *d, const char *path, char key[FB_KEY_LEN + 1])
{
	_cleanup_(fb_hasher_freep) struct fb_hasher *h = fb_hasher_new("deb-file");

	if (!h)
		return -ENOMEM;
	/* 2: symbolic links followed, hard links and set-id bits kept */
	fb_hasher_str(h, "format", "deb-file-2");
	fb_deb_hash(h, d);
	fb_hasher_str(h, "path", path);
	return fb_hasher_final(h, key);
}

int fb_deb_file(const struct fb_cache *c, const struct fb_deb *d, const char *path, char **ret)
{
	/* the whole package ("") unpacks into a folder "data" */
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : *path ? path : "data";
	_cleanup_free_ char *dir = NULL, *deb = NULL, *tmp = NULL, *out = NULL, *local = NULL;
	char key[FB_KEY_LEN + 1];
	int r;

	r = ref_key(d, path, key);
	if (r < 0 || !(dir = fb_cache_path(c, "deb-file", key)) ||
	    !(local = fb_path_join(dir, base)))
		return fb_err_errno(r < 0 ? r : -ENOMEM, "cannot extract '%s'", path);
	if (!fb_cache_has(c, "deb-file", key)) {
		r = fb_deb_fetch(c, d, &deb);
		if (r >= 0)
			r = fb_cache_begin(c, "deb-file", key, &tmp);
		if (r >= 0 && !(out = fb_path_join(tmp, base)))
			r = fb_err_errno(-ENOMEM, "cannot extract '%s'", path);
		if (r >= 0)
			r = fb_deb_extract(deb, path, out);
		if (r >= 0)
			r = fb_cache_commit(c, "deb-file", key, tmp);
		if (r < 0) {
			fb_cache_abort(tmp);
			return r;
		}
	}
	*ret = TAKE_PTR(local);
	return 0;
}

/* The values of B's view V that name files of Debian packages become paths in C. */
static int resolve(struct fb_board *v, struct fb_cache *c)
{
	_cleanup_(refs_free) struct refs rs = { 0 };
	int r;

	r = collect(v, &rs);
	if (r < 0 || rs.n == 0)
		return r;
	/* A board without deb: values needs no cache. */
	if (!c->dir)
		r = fb_cache_open(c);
	if (r >= 0)
		r = fb_deb_resolve(c, rs.debs, rs.n_debs);
	for (size_t i = 0; r >= 0 && i < rs.n; i++) {
		const struct fb_deb *d = &rs.debs[rs.v[i].deb];
		char *local = NULL;

		if (!d->version)
			return fb_deb_unknown(rs.v[i].kv->file, rs.v[i].kv->line, d);
		r = fb_deb_file(c, d, rs.v[i].path, &local);
		if (r == -ENOENT)
			return fb_err("%s:%u: package '%s:%s' (%s) has no '/%s'", rs.v[i].kv->file,
				      rs.v[i].kv->line, d->name, d->arch, d->version, rs.v[i].path);
		if (r >= 0) {
			struct fb_kv *kv = rs.v[i].kv;

			free(kv->written);
			free(kv->origin);
			kv->written = kv->value;
			kv->value = local;
			if (asprintf(&kv->origin, "%s %s", d->name, d->version) < 0) {
				kv->origin = NULL;
				r = fb_err_errno(-ENOMEM, "cannot read '%s'", kv->written);
			}
		}
	}
	return r;
}

int fb_deb_sources_resolve(const struct fb_board *b, struct fb_cache *c, struct fb_board **ret)
{
	_cleanup_(fb_board_freep) struct fb_board *v = NULL;
	int r;

	if (fb_board_dup(b, &v) < 0)
		return fb_err_errno(-ENOMEM, "cannot read '%s'", b->path);
	r = resolve(v, c);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(v);
	return 0;
}
