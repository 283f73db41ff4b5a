// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A prebuilt kernel: source = deb:PACKAGE.  apt decides the version (so the
 * key is known before anything is downloaded), `apt-get download` fetches
 * the package into the artifact being made, and kernel-src.c takes the
 * vmlinuz out of it with libarchive; the .deb itself is not kept.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/spawn.h"
#include "core/util.h"
#include "kernel-plan.h"
#include "kernel-src.h"

/* A metapackage (linux-image-amd64) leads to the package with the kernel in a step or two. */
#define MAX_HOPS 4

/* The fields we need of the first stanza `apt-cache show` prints. */
struct apt_info {
	char *package, *arch, *version, *sha256, *depends;
	bool done;	/* past the first stanza */
	char last[256]; /* the last line, for an error message */
};

static void apt_info_done(struct apt_info *a)
{
	free(a->package);
	free(a->arch);
	free(a->version);
	free(a->sha256);
	free(a->depends);
}

static void field(char **dst, const char *line, const char *name)
{
	size_t n = strlen(name);

	if (!strncmp(line, name, n) && line[n] == ':' && !*dst)
		*dst = strdup(line + n + 1 + strspn(line + n + 1, " "));
}

static void on_apt_line(const char *line, size_t len _unused_, void *userdata)
{
	struct apt_info *a = userdata;

	if (*line)
		snprintf(a->last, sizeof(a->last), "%s", line);
	if (a->done || !*line) {
		a->done |= a->package != NULL;
		return;
	}
	field(&a->package, line, "Package");
	field(&a->arch, line, "Architecture");
	field(&a->version, line, "Version");
	field(&a->sha256, line, "SHA256");
	field(&a->depends, line, "Depends");
}

/* "linux-image-6.1.0-56-amd64 (= 6.1.192-2), kmod" -> the first linux-image-*, or NULL. */
static char *kernel_dependency(const char *depends)
{
	for (const char *p = depends; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		p += strspn(p, " ");
		if (!strncmp(p, "linux-image-", 12))
			return strndup(p, strcspn(p, " ,(|:"));
	}
	return NULL;
}

static int apt_show(const char *pkg, struct apt_info *a, const struct fb_kv *at)
{
	const char *argv[] = { "apt-cache", "show", "--no-all-versions", pkg, NULL };
	struct fb_spawn_pipe_opts o = { .line = on_apt_line, .userdata = a };
	int r = fb_spawn_pipe(argv, &o);

	if (r < 0)
		return r;
	if (r > 0 || !a->package || !a->version || !a->arch)
		return fb_err("%s:%u: apt knows no package '%s'%s%s", at->file, at->line, pkg,
			      a->last[0] ? ": " : "", a->last);
	return 0;
}

int fb_kernel_deb_resolve(struct fb_kernel_plan *p, struct fb_hasher *h, const struct fb_kv *at)
{
	_cleanup_free_ char *pkg = strdup(p->source);
	int r;

	if (!pkg)
		return fb_err_errno(-ENOMEM, "cannot look up '%s'", p->source);
	for (int hop = 0; hop < MAX_HOPS; hop++) {
		_cleanup_(apt_info_done) struct apt_info a = { 0 };
		_cleanup_free_ char *next = NULL;

		r = apt_show(pkg, &a, at);
		if (r < 0)
			return r;
		next = kernel_dependency(a.depends);
		if (next) {
			free(pkg);
			if (asprintf(&pkg, "%s:%s", next, a.arch) < 0)
				return fb_err_errno(-ENOMEM, "cannot look up '%s'", next);
			continue;
		}
		if (asprintf(&p->deb, "%s:%s=%s", a.package, a.arch, a.version) < 0)
			return fb_err_errno(-ENOMEM, "cannot look up '%s'", pkg);
		fb_hasher_str(h, "deb", p->deb);
		fb_hasher_str(h, "sha256", a.sha256);
		return 0;
	}
	return fb_err("%s:%u: '%s' leads to no package with a kernel in %d steps", at->file,
		      at->line, p->source, MAX_HOPS);
}

static int is_deb(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && !strcmp(d->d_name + n - 4, ".deb");
}

/* The one .deb apt-get download left in DIR. */
static int find_deb(const char *dir, char **ret)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, is_deb, alphasort), r = 0;

	if (n < 0)
		return fb_err_errno(-errno, "cannot list '%s'", dir);
	if (n != 1)
		r = fb_err_errno(-ENOENT, "apt-get download left %d packages in '%s', not one", n,
				 dir);
	if (r >= 0 && !(*ret = fb_path_join(dir, names[0]->d_name)))
		r = fb_err_errno(-ENOMEM, "cannot list '%s'", dir);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

int fb_kernel_deb_fetch(struct fb_build *b _unused_, const void *conf, const char *outdir)
{
	const struct fb_kernel_plan *p = conf;
	const char *argv[] = { "apt-get", "download", "-q", p->deb, NULL };
	_cleanup_(apt_info_done) struct apt_info out = { .done = true };
	struct fb_spawn_pipe_opts o = { .cwd = outdir, .line = on_apt_line, .userdata = &out };
	_cleanup_free_ char *deb = NULL;
	int r;

	r = fb_spawn_pipe(argv, &o);
	if (r < 0)
		return r;
	if (r > 0)
		return fb_err("cannot download '%s'%s%s", p->deb, out.last[0] ? ": " : "",
			      out.last);
	r = find_deb(outdir, &deb);
	if (r < 0)
		return r;
	r = fb_kernel_src_from_deb(deb, outdir, p->image);
	if (r < 0)
		return r;
	if (unlink(deb) < 0)
		return fb_err_errno(-errno, "cannot remove '%s'", deb);
	return 0;
}
