// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A prebuilt kernel: source = deb:PACKAGE.  apt decides the version (so the
 * key is known before anything is downloaded), deb.c fetches the package
 * once into the cache, and deb-archive.c reads the vmlinuz, the config and
 * the modules [kernel] modules names out of it.  Debian's packages carry no
 * modules.dep (depmod makes it at install time), so the dependencies come
 * from each module's .modinfo (kmod.c): a first pass over the package reads
 * every module's, a second takes those needed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "core/outfile.h"
#include "core/util.h"
#include "deb/reader.h"
#include "plan.h"
#include "kmod.h"

/* A metapackage (linux-image-amd64) leads to the package with the kernel in a step or two. */
#define MAX_HOPS 4
/* No module comes near this; a bigger one is not a module. */
#define MAX_MODULE  (64 * FB_MiB)
#define MODULES_DIR "modules"

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

int fb_kernel_deb_resolve(struct fb_kernel_plan *p, const struct fb_cache *c, struct fb_hasher *h,
			  const struct fb_kv *at)
{
	struct fb_deb *d = &p->deb;
	int r;

	if (fb_deb_parse_spec(p->source, strlen(p->source), NULL, d) < 0)
		return fb_err("%s:%u: '%s' is not a Debian package name", at->file, at->line,
			      p->source);
	for (int hop = 0; hop < MAX_HOPS; hop++) {
		_cleanup_free_ char *next = NULL;

		r = fb_deb_resolve(c, d, 1);
		if (r < 0)
			return r;
		if (!d->version)
			return fb_deb_unknown(at->file, at->line, d);
		next = kernel_dependency(d->depends);
		if (!next) {
			fb_deb_hash(h, d);
			fb_hasher_str(h, "modules", p->modules);
			fb_hasher_str(h, "dtbs", p->dtbs);
			return 0;
		}
		free(d->name);
		free(d->version);
		free(d->sha256);
		free(d->depends);
		d->name = TAKE_PTR(next);
		d->version = d->sha256 = d->depends = NULL;
	}
	return fb_err("%s:%u: '%s' leads to no package with a kernel in %d steps", at->file,
		      at->line, p->source, MAX_HOPS);
}

static bool is_module(const struct fb_deb_entry *e)
{
	size_t n = strlen(e->path);

	return e->type == S_IFREG && !strncmp(e->path, "lib/modules/", 12) && n > 3 &&
	       !strcmp(e->path + n - 3, ".ko");
}

/* A module's name and dependencies, from its .modinfo. */
static int read_module(struct fb_deb_reader *rd, const struct fb_deb_entry *e,
		       struct fb_kmod_set *mods)
{
	_cleanup_free_ char *elf = NULL, *name = NULL, *deps = NULL, *path = strdup(e->path);
	size_t len;
	int r;

	if (!path)
		return fb_err_errno(-ENOMEM, "cannot read '%s'", e->path);
	r = fb_deb_reader_slurp(rd, MAX_MODULE, &elf, &len);
	if (r < 0)
		return r;
	r = fb_kmod_modinfo(elf, len, "name", &name);
	if (r == -ENOENT) { /* older modules: the file's name */
		const char *base = strrchr(e->path, '/') + 1;

		name = strndup(base, strlen(base) - 3);
		r = name ? 0 : -ENOMEM;
	}
	if (r >= 0)
		r = fb_kmod_modinfo(elf, len, "depends", &deps);
	if (r == -ENOENT)
		r = 0;
	if (r < 0)
		return fb_err_errno(r, "cannot read the module '%s'", e->path);
	r = fb_kmod_set_add(mods, TAKE_PTR(name), TAKE_PTR(path), TAKE_PTR(deps));
	return r < 0 ? fb_err_errno(r, "cannot read '%s'", e->path) : 0;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The device trees [kernel] dtbs names, and which of them the package had. */
struct dtbs {
	char *buf;    /* the list, its words cut apart in place */
	char **names; /* into buf: "sun8i-h3-nanopi-neo.dtb", "allwinner/sun50i-a64-pine64.dtb" */
	bool *found;
	size_t n, n_found;
};

static void dtbs_free(struct dtbs *d)
{
	free(d->buf);
	free(d->names);
	free(d->found);
}

static int dtbs_parse(const char *list, struct dtbs *d)
{
	size_t max = list ? strlen(list) / 2 + 1 : 0;
	char *save = NULL;

	if (!list)
		return 0;
	d->buf = strdup(list);
	d->names = calloc(max, sizeof(*d->names));
	d->found = calloc(max, sizeof(*d->found));
	if (!d->buf || !d->names || !d->found)
		return -ENOMEM;
	for (char *t = strtok_r(d->buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
		d->names[d->n++] = t;
	return 0;
}

/*
 * usr/lib/linux-image-VERSION/NAME: a device tree Debian ships with the
 * kernel (in a vendor directory on arm64); the index of its name, or -1.
 */
static int dtb_index(const struct dtbs *d, const struct fb_deb_entry *e)
{
	const char *rel;

	if (!d->n || e->type != S_IFREG || !starts(e->path, "usr/lib/linux-image-"))
		return -1;
	rel = strchr(e->path + strlen("usr/lib/linux-image-"), '/');
	for (size_t i = 0; rel && i < d->n; i++)
		if (!d->found[i] && !strcmp(rel + 1, d->names[i]))
			return (int)i;
	return -1;
}

/* OUTDIR/dtbs/NAME.dtb (its basename: the names are the kernel's, unique per board). */
static char *dtb_target(const char *outdir, const char *name)
{
	const char *base = strrchr(name, '/');
	char *to = NULL;

	if (asprintf(&to, "%s/" FB_KERNEL_DTBS_DIR "/%s", outdir, base ? base + 1 : name) < 0)
		return NULL;
	return to;
}

/*
 * Pass 1: the image, the config and the device trees D names into OUTDIR,
 * and every module's .modinfo into MODS.
 */
static int take_kernel(const struct fb_kernel_plan *p, const char *deb, const char *outdir,
		       struct fb_kmod_set *mods, struct dtbs *d)
{
	_cleanup_(fb_deb_reader_freep) struct fb_deb_reader *rd = NULL;
	bool image = false, config = false;
	struct fb_deb_entry e = { 0 };
	int r;

	rd = fb_deb_reader_open(deb, &r);
	if (!rd)
		return r;
	/* /boot comes before the modules and /usr/lib: without those, stop there */
	while ((p->modules || d->n_found < d->n || !image || !config) &&
	       (r = fb_deb_reader_next(rd, &e)) > 0) {
		_cleanup_free_ char *to = NULL;
		int dtb = dtb_index(d, &e);

		if (e.type != S_IFREG)
			continue;
		if (dtb >= 0) {
			to = dtb_target(outdir, d->names[dtb]);
			d->found[dtb] = true;
			d->n_found++;
		} else if (starts(e.path, "boot/vmlinuz-") || starts(e.path, "boot/vmlinux-")) {
			to = fb_path_join(outdir, p->image);
			image = true;
		} else if (starts(e.path, "boot/config-")) {
			to = fb_path_join(outdir, "config");
			config = true;
		} else if (p->modules && is_module(&e)) {
			r = read_module(rd, &e, mods);
			if (r < 0)
				return r;
			continue;
		} else {
			continue;
		}
		if (!to)
			return fb_err_errno(-ENOMEM, "cannot unpack '%s'", deb);
		r = fb_deb_reader_copy(rd, to);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	if (!image)
		return fb_err_errno(-ENOENT, "'%s' holds no /boot/vmlinuz-*", deb);
	for (size_t i = 0; i < d->n; i++)
		if (!d->found[i])
			return fb_err("%s:%u: package '%s:%s' (%s) has no device tree '%s' (in "
				      "/usr/lib/linux-image-*/)",
				      p->dtbs_at.file, p->dtbs_at.line, p->deb.name, p->deb.arch,
				      p->deb.version, d->names[i]);
	return 0;
}

static int module_index(const struct fb_kmod_set *mods, const size_t *order, size_t n,
			const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(mods->v[order[i]].path, path))
			return (int)i;
	return -1;
}

/* Pass 2: the modules in ORDER as OUTDIR/modules/NAME.ko. */
static int take_modules(const struct fb_kmod_set *mods, const size_t *order, size_t n,
			const char *deb, const char *dir)
{
	_cleanup_(fb_deb_reader_freep) struct fb_deb_reader *rd = NULL;
	struct fb_deb_entry e = { 0 };
	size_t found = 0;
	int r;

	rd = fb_deb_reader_open(deb, &r);
	if (!rd)
		return r;
	while (found < n && (r = fb_deb_reader_next(rd, &e)) > 0) {
		int i = is_module(&e) ? module_index(mods, order, n, e.path) : -1;
		_cleanup_free_ char *to = NULL;

		if (i < 0)
			continue;
		if (asprintf(&to, "%s/%s.ko", dir, mods->v[order[i]].name) < 0)
			return fb_err_errno(-ENOMEM, "cannot unpack '%s'", deb);
		r = fb_deb_reader_copy(rd, to);
		if (r < 0)
			return r;
		found++;
	}
	if (r < 0)
		return r;
	return found == n ? 0 : fb_err_errno(-EIO, "'%s' changed while it was read", deb);
}

/* modules/modules.load: NAME.ko a line, in the order /init loads them. */
static int write_load_order(const struct fb_kmod_set *mods, const size_t *order, size_t n,
			    const char *dir)
{
	_cleanup_free_ char *path = fb_path_join(dir, "modules.load");
	struct fb_outfile o = { 0 };
	int r;

	if (!path)
		return fb_err_errno(-ENOMEM, "cannot write the module list");
	r = fb_outfile_open(&o, path);
	for (size_t i = 0; r >= 0 && i < n; i++)
		if (dprintf(o.fd, "%s.ko\n", mods->v[order[i]].name) < 0)
			r = fb_err_errno(-errno, "cannot write '%s'", o.tmp);
	if (r >= 0)
		r = fb_outfile_commit(&o);
	fb_outfile_abort(&o);
	return r;
}

static int modules(const struct fb_kernel_plan *p, const struct fb_kmod_set *mods, const char *deb,
		   const char *outdir)
{
	_cleanup_free_ char *dir = fb_path_join(outdir, MODULES_DIR), *missing = NULL;
	_cleanup_free_ size_t *order = NULL;
	size_t n = 0;
	int r;

	if (!dir)
		return fb_err_errno(-ENOMEM, "cannot unpack '%s'", deb);
	r = fb_kmod_order(mods, p->modules, &order, &n, &missing);
	if (r == -ENOENT)
		return fb_err("%s:%u: package '%s:%s' (%s) has no module '%s'", p->modules_at.file,
			      p->modules_at.line, p->deb.name, p->deb.arch, p->deb.version,
			      missing);
	if (r == -ELOOP)
		return fb_err("%s:%u: the modules of '%s' depend on each other in a circle",
			      p->modules_at.file, p->modules_at.line, p->deb.name);
	if (r < 0)
		return fb_err_errno(r, "cannot order the modules");
	r = fb_mkdir_p(dir);
	if (r < 0)
		return fb_err_errno(r, "cannot create '%s'", dir);
	r = take_modules(mods, order, n, deb, dir);
	return r < 0 ? r : write_load_order(mods, order, n, dir);
}

int fb_kernel_deb_fetch(void *plan, const char *outdir)
{
	const struct fb_kernel_plan *p = plan;
	_cleanup_(fb_kmod_set_free) struct fb_kmod_set mods = { 0 };
	_cleanup_(dtbs_free) struct dtbs d = { 0 };
	_cleanup_free_ char *deb = NULL, *dtb_dir = fb_path_join(outdir, FB_KERNEL_DTBS_DIR);
	int r;

	if (!dtb_dir || dtbs_parse(p->dtbs, &d) < 0)
		return fb_err_errno(-ENOMEM, "cannot unpack the kernel");
	if (d.n && (r = fb_mkdir_p(dtb_dir)) < 0)
		return fb_err_errno(r, "cannot create '%s'", dtb_dir);
	r = fb_deb_fetch(p->cache, &p->deb, &deb);
	if (r >= 0)
		r = take_kernel(p, deb, outdir, &mods, &d);
	if (r >= 0 && p->modules)
		r = modules(p, &mods, deb, outdir);
	return r;
}
