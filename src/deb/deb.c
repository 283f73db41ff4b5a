// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Debian packages: resolved with apt-cache, fetched with apt-get download
 * (see deb.h).  apt-cache reads every package list each time it runs
 * (seconds where the binary cache is turned off, as in containers), so all
 * the packages of a build are asked for in one call, and the answers are
 * remembered under a key of the lists' names, sizes and mtimes.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apt-view.h"
#include "core/log.h"
#include "core/outfile.h"
#include "core/sha256.h"
#include "core/spawn.h"
#include "core/util.h"
#include "deb.h"

/* Bumped when what a remembered answer holds changes. */
#define RESOLVE_FORMAT "deb-resolve-2"

void fb_deb_done(struct fb_deb *d)
{
	free(d->name);
	free(d->arch);
	free(d->component);
	free(d->version);
	free(d->pkg_arch);
	free(d->sha256);
	free(d->depends);
	*d = (struct fb_deb){ 0 };
}

/* Debian policy 5.6.1: lowercase letters, digits, + - . ; two or more, starting alphanumeric. */
static bool valid_name(const char *s, size_t n)
{
	if (n < 2 || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) &&
		    !strchr("+-.", s[i]))
			return false;
	return true;
}

static bool valid_arch(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

int fb_deb_parse_spec(const char *spec, size_t len, const char *defarch, struct fb_deb *d)
{
	const char *at = memchr(spec, '@', len);
	size_t plen = at ? (size_t)(at - spec) : len;
	const char *colon = memchr(spec, ':', plen);
	size_t n = colon ? (size_t)(colon - spec) : plen;

	if (!valid_name(spec, n))
		return -EINVAL;
	if (colon ? !valid_arch(colon + 1, plen - n - 1) : !defarch)
		return -EINVAL;
	if (at && !fb_apt_component_valid(at + 1, len - plen - 1))
		return -EINVAL;
	d->name = strndup(spec, n);
	d->arch = colon ? strndup(colon + 1, plen - n - 1) : strdup(defarch);
	d->component = at ? strndup(at + 1, len - plen - 1) : NULL;
	if (!d->name || !d->arch || (at && !d->component)) {
		fb_deb_done(d);
		return -ENOMEM;
	}
	return 0;
}

void fb_deb_hash(struct fb_hasher *h, const struct fb_deb *d)
{
	fb_hasher_str(h, "deb", d->name);
	fb_hasher_str(h, "deb-arch", d->arch);
	if (d->component)
		fb_hasher_str(h, "deb-component", d->component);
	fb_hasher_str(h, "deb-version", d->version);
	fb_hasher_str(h, "deb-sha256", d->sha256);
}

/* ------------------------------------------------------------------ resolve */

/* One stanza of apt-cache show, as it is read. */
struct stanza {
	char *package, *arch, *version, *sha256, *depends;
};

/* The packages of one apt-cache call: those of one component (or the host's), by pointer. */
struct group {
	struct fb_deb **v;
	size_t n;
	const char *component;
	const struct fb_apt_view *view; /* NULL: the host's apt */
};

struct show {
	const struct group *g;
	struct stanza cur;
	char last[256]; /* the last line, for an error message */
};

static void stanza_clear(struct stanza *s)
{
	free(s->package);
	free(s->arch);
	free(s->version);
	free(s->sha256);
	free(s->depends);
	*s = (struct stanza){ 0 };
}

static void field(char **dst, const char *line, const char *name)
{
	size_t n = strlen(name);

	if (!strncmp(line, name, n) && line[n] == ':' && !*dst)
		*dst = strdup(line + n + 1 + strspn(line + n + 1, " "));
}

/* The stanza answers every request for its package and architecture ("all" fits any). */
static void stanza_end(struct show *sh)
{
	struct stanza *s = &sh->cur;

	for (size_t i = 0; s->package && s->version && i < sh->g->n; i++) {
		struct fb_deb *d = sh->g->v[i];

		if (d->version || strcmp(d->name, s->package) ||
		    (strcmp(d->arch, s->arch ?: "") && strcmp(s->arch ?: "", "all")))
			continue;
		d->version = strdup(s->version);
		d->pkg_arch = strdup(s->arch ?: d->arch);
		d->sha256 = s->sha256 ? strdup(s->sha256) : NULL;
		d->depends = s->depends ? strdup(s->depends) : NULL;
	}
	stanza_clear(s);
}

static void on_show_line(const char *line, size_t len _unused_, void *userdata)
{
	struct show *sh = userdata;

	if (!*line) {
		stanza_end(sh);
		return;
	}
	if (line[0] != ' ')
		snprintf(sh->last, sizeof(sh->last), "%s", line);
	field(&sh->cur.package, line, "Package");
	field(&sh->cur.arch, line, "Architecture");
	field(&sh->cur.version, line, "Version");
	field(&sh->cur.sha256, line, "SHA256");
	field(&sh->cur.depends, line, "Depends");
}

/* apt-get or apt-cache with a view's options, then ARGS. */
static void apt_argv(struct fb_strv *a, const char *tool, const struct fb_apt_view *view)
{
	fb_strv_push(a, tool);
	for (size_t i = 0; view && i < view->opts.n; i++)
		fb_strv_push(a, view->opts.v[i]);
}

/*
 * One apt-cache call for the packages of G that have no answer yet, as
 * NAME:ARCH, or as NAME:all (ALL): apt finds an "all" package that is not
 * installed by that name only, not as NAME:arm64.
 */
static int apt_show(const struct group *g, bool all)
{
	_cleanup_(fb_strv_free) struct fb_strv a = { 0 };
	struct show sh = { .g = g };
	struct fb_spawn_pipe_opts o = { .line = on_show_line, .userdata = &sh };
	size_t asked = 0;
	int r;

	apt_argv(&a, "apt-cache", g->view);
	fb_strv_push(&a, "show");
	fb_strv_push(&a, "--no-all-versions");
	for (size_t i = 0; i < g->n; i++)
		if (!g->v[i]->version && ++asked)
			fb_strv_pushf(&a, "%s:%s", g->v[i]->name, all ? "all" : g->v[i]->arch);
	if (!a.v || a.v[a.n])
		return fb_err_errno(-ENOMEM, "cannot ask apt about packages");
	if (!asked)
		return 0;
	r = fb_spawn_pipe((const char *const *)a.v, &o);
	stanza_end(&sh);
	/* apt-cache exits 100 when one of the packages is unknown: the caller says which */
	if (r > 0 && r != 100)
		return fb_err("'apt-cache show' failed with exit status %d: %s", r, sh.last);
	return r < 0 ? r : 0;
}

/* The key of an answer: the packages asked for and apt's lists and pins as they are. */
static int resolve_key(const struct group *g, char key[FB_KEY_LEN + 1])
{
	_cleanup_(fb_hasher_freep) struct fb_hasher *h = fb_hasher_new(RESOLVE_FORMAT);
	_cleanup_free_ char *lists = NULL;
	int r;

	if (!h)
		return -ENOMEM;
	for (size_t i = 0; i < g->n; i++) {
		fb_hasher_str(h, "name", g->v[i]->name);
		fb_hasher_str(h, "arch", g->v[i]->arch);
	}
	r = fb_apt_hash_host(h);
	if (r >= 0 && g->view) {
		fb_hasher_str(h, "component", g->component);
		lists = fb_path_join(g->view->dir, "lists");
		r = lists ? fb_hasher_tree(h, "component-lists", lists) : -ENOMEM;
	}
	return r < 0 ? r : fb_hasher_final(h, key);
}

static char *memo_path(const struct fb_cache *c, const char *key)
{
	char *p;

	return asprintf(&p, "%s/deb/resolved/%s", c->dir, key) < 0 ? NULL : p;
}

static void answers_clear(const struct group *g)
{
	for (size_t j = 0; j < g->n; j++) {
		struct fb_deb *d = g->v[j];

		free(d->version);
		free(d->pkg_arch);
		free(d->sha256);
		free(d->depends);
		d->version = d->pkg_arch = d->sha256 = d->depends = NULL;
	}
}

/* A remembered answer: a line "version arch sha256 depends" per package, in order. */
static bool memo_read(const char *path, const struct group *g)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, i = 0;

	if (!f)
		return false;
	for (; i < g->n && getline(&line, &cap, f) > 0; i++) {
		struct fb_deb *d = g->v[i];
		char *save = NULL, *v, *a, *s, *dep;

		line[strcspn(line, "\n")] = '\0';
		v = strtok_r(line, "\t", &save);
		a = strtok_r(NULL, "\t", &save);
		s = strtok_r(NULL, "\t", &save);
		dep = strtok_r(NULL, "", &save);
		if (!v || !a || !s || !(d->version = strdup(v)) || !(d->pkg_arch = strdup(a)) ||
		    !(d->sha256 = strdup(s)) || (dep && !(d->depends = strdup(dep))))
			break;
	}
	if (i == g->n)
		return true;
	answers_clear(g);
	return false;
}

/* Remembers an answer in which apt knew every package; a failure only costs time later. */
static void memo_write(const char *path, const struct group *g)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	struct fb_outfile o;
	int r;

	for (size_t i = 0; i < g->n; i++)
		if (!g->v[i]->version || !g->v[i]->sha256)
			return;
	if (!slash)
		return;
	*slash = '\0';
	if (fb_mkdir_p(dir) < 0 || fb_outfile_open(&o, path) < 0)
		return;
	r = 0;
	for (size_t i = 0; i < g->n && r >= 0; i++)
		r = dprintf(o.fd, "%s\t%s\t%s\t%s\n", g->v[i]->version, g->v[i]->pkg_arch,
			    g->v[i]->sha256, g->v[i]->depends ?: "");
	if (r >= 0)
		(void)fb_outfile_commit(&o);
	fb_outfile_abort(&o);
}

static int resolve_group(const struct fb_cache *c, const struct group *g)
{
	_cleanup_free_ char *memo = NULL;
	char key[FB_KEY_LEN + 1];
	int r;

	if (resolve_key(g, key) >= 0 && (memo = memo_path(c, key)) && memo_read(memo, g))
		return 0;
	r = apt_show(g, false);
	if (r >= 0)
		r = apt_show(g, true);
	if (r < 0)
		return r;
	if (memo)
		memo_write(memo, g);
	return 0;
}

static bool same_component(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The packages of DEBS in the component of DEBS[FIRST], asked for together. */
static int resolve_component(const struct fb_cache *c, struct fb_deb *debs, size_t n, size_t first)
{
	_cleanup_free_ struct fb_deb **v = calloc(n, sizeof(*v));
	struct fb_apt_view view = { 0 };
	struct group g = { .v = v, .component = debs[first].component };
	int r = 0;

	if (!v)
		return fb_err_errno(-ENOMEM, "cannot ask apt about packages");
	for (size_t i = first; i < n; i++)
		if (same_component(debs[i].component, g.component))
			v[g.n++] = &debs[i];
	if (g.component) {
		r = fb_apt_view_open(c, g.component, true, &view);
		g.view = &view;
	}
	if (r >= 0)
		r = resolve_group(c, &g);
	fb_apt_view_done(&view);
	return r;
}

int fb_deb_resolve(const struct fb_cache *c, struct fb_deb *debs, size_t n)
{
	int r;

	for (size_t i = 0; i < n; i++) {
		bool done = false;

		for (size_t j = 0; j < i && !done; j++)
			done = same_component(debs[i].component, debs[j].component);
		if (!done && (r = resolve_component(c, debs, n, i)) < 0)
			return r;
	}
	return 0;
}

int fb_deb_unknown(const char *file, unsigned line, const struct fb_deb *d)
{
	char at[32] = "";

	if (line)
		snprintf(at, sizeof(at), ":%u", line);
	if (d->component)
		return fb_err("%s%s: component '%s' of this machine's Debian mirrors has no "
			      "package '%s:%s'",
			      file, at, d->component, d->name, d->arch);
	return fb_err("%s%s: apt knows no package '%s:%s' (apt-get update; an architecture dpkg "
		      "does not know needs dpkg --add-architecture %s first)",
		      file, at, d->name, d->arch, d->arch);
}

/* ------------------------------------------------------------------ fetch */

static int is_deb(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && !strcmp(d->d_name + n - 4, ".deb");
}

/* The one .deb apt-get download left in DIR. */
static int find_deb(const char *dir, char **ret)
{
	struct dirent **names = NULL;
	int n, r = 0;

	n = scandir(dir, &names, is_deb, alphasort);
	if (n < 0)
		return fb_err_errno(-errno, "cannot list '%s'", dir);
	if (n != 1)
		/* not -ENOENT: that means "no such file in the package" to the callers */
		r = fb_err_errno(-EIO, "apt-get download left %d packages in '%s', not one", n,
				 dir);
	else if (!(*ret = fb_path_join(dir, names[0]->d_name)))
		r = fb_err_errno(-ENOMEM, "cannot fetch a package");
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

/* The last line a tool printed, for the one error message. */
static void keep_last(const char *line, size_t len, void *userdata)
{
	char *last = userdata;

	if (len > 0)
		snprintf(last, 256, "%s", line);
}

static int apt_download(const struct fb_cache *c, const struct fb_deb *d, const char *spec,
			const char *dir)
{
	_cleanup_(fb_strv_free) struct fb_strv a = { 0 };
	struct fb_apt_view view = { 0 };
	char last[256] = "";
	struct fb_spawn_pipe_opts o = { .cwd = dir, .line = keep_last, .userdata = last };
	int r = 0;

	if (d->component)
		r = fb_apt_view_open(c, d->component, false, &view);
	if (r < 0)
		return r;
	apt_argv(&a, "apt-get", d->component ? &view : NULL);
	fb_strv_push(&a, "download");
	fb_strv_push(&a, "-q");
	fb_strv_push(&a, spec);
	fb_apt_view_done(&view);
	if (!a.v || a.v[a.n])
		return fb_err_errno(-ENOMEM, "cannot fetch '%s'", spec);
	fb_info("  %-10s downloading %s", "deb", spec);
	r = fb_spawn_pipe((const char *const *)a.v, &o);
	if (r > 0)
		return fb_err_errno(-EIO, "'apt-get download %s' failed with exit status %d: %s",
				    spec, r, last);
	return r;
}

/*
 * 1 when PATH is there with the SHA-256 apt names for D, 0 when it is not
 * there (or is another build of that version: removed, to be fetched again).
 */
static int cached_deb_ok(const char *path, const struct fb_deb *d)
{
	char hex[FB_SHA256_HEX_LEN + 1];
	int r = fb_sha256_file(path, hex);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return fb_err_errno(r, "cannot read '%s'", path);
	if (!d->sha256 || !strcmp(hex, d->sha256))
		return 1;
	fb_info("  %-10s '%s' is not the package apt names now (SHA-256), fetching it again", "deb",
		path);
	if (unlink(path) < 0)
		return fb_err_errno(-errno, "cannot remove '%s'", path);
	return 0;
}

int fb_deb_fetch(const struct fb_cache *c, const struct fb_deb *d, char **ret_deb)
{
	_cleanup_free_ char *name = NULL, *final = NULL, *spec = NULL, *tmp = NULL, *got = NULL;
	int r;

	if (!d->version)
		return fb_err_errno(-ENOPKG, "apt knows no package '%s:%s'", d->name, d->arch);
	/* a version's epoch colon, as apt spells it in file names */
	if (asprintf(&name, "%s_%s_%s", d->name, d->version, d->arch) < 0 ||
	    /* an "all" package goes by name:all: apt has no name:arm64 of it */
	    asprintf(&spec, "%s:%s=%s", d->name, d->pkg_arch ?: d->arch, d->version) < 0)
		return fb_err_errno(-ENOMEM, "cannot fetch a package");
	for (char *p = name; *p; p++)
		if (*p == ':' || *p == '/')
			*p = '+';
	if (asprintf(&final, "%s/deb/%s.deb", c->dir, name) < 0)
		return fb_err_errno(-ENOMEM, "cannot fetch a package");
	r = cached_deb_ok(final, d);
	if (r < 0)
		return r;
	if (r > 0) {
		*ret_deb = TAKE_PTR(final);
		return 0;
	}
	r = fb_cache_begin(c, "deb", name, &tmp);
	if (r < 0)
		return r;
	/* apt-get download writes to the current directory */
	r = apt_download(c, d, spec, tmp);
	if (r >= 0)
		r = find_deb(tmp, &got);
	if (r >= 0 && rename(got, final) < 0)
		r = fb_err_errno(-errno, "cannot rename '%s' to '%s'", got, final);
	fb_cache_abort(tmp);
	if (r < 0)
		return r;
	*ret_deb = TAKE_PTR(final);
	return 0;
}
