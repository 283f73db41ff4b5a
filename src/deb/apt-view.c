// SPDX-License-Identifier: GPL-2.0-or-later
/* apt lists of one more component of the host's Debian mirrors (see apt-view.h). */
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
#include "core/spawn.h"
#include "core/util.h"

#define APT_LISTS	"/var/lib/apt/lists"
#define APT_PREFERENCES "/etc/apt/preferences"
#define DEBIAN_KEYRING	"/usr/share/keyrings/debian-archive-keyring.gpg"
/* What the view remembers: the host's lists when its own were fetched. */
#define HOST_KEY_FILE "host-lists"

bool fb_apt_component_valid(const char *s, size_t n)
{
	if (n == 0 || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/* The plain files of DIR by name, size and mtime. */
static int hash_lists(struct fb_hasher *h, const char *dir)
{
	struct dirent **names = NULL;
	int k, r = 0;

	k = scandir(dir, &names, NULL, alphasort);
	if (k < 0)
		return -errno;
	for (int i = 0; i < k; i++) {
		_cleanup_free_ char *p = fb_path_join(dir, names[i]->d_name);
		struct stat st;

		if (r >= 0 && !p)
			r = -ENOMEM;
		if (r >= 0 && names[i]->d_name[0] != '.' && lstat(p, &st) == 0 &&
		    S_ISREG(st.st_mode))
			r = fb_hasher_stat(h, "list", p);
		free(names[i]);
	}
	free(names);
	return r;
}

int fb_apt_hash_host(struct fb_hasher *h)
{
	int r = hash_lists(h, APT_LISTS);

	if (r >= 0 && access(APT_PREFERENCES, F_OK) == 0)
		r = fb_hasher_stat(h, "preferences", APT_PREFERENCES);
	if (r >= 0 && access(APT_PREFERENCES ".d", F_OK) == 0)
		r = fb_hasher_tree(h, "preferences.d", APT_PREFERENCES ".d");
	return r;
}

static int host_key(char key[FB_KEY_LEN + 1])
{
	_cleanup_(fb_hasher_freep) struct fb_hasher *h = fb_hasher_new("apt-host-lists");
	int r;

	if (!h)
		return -ENOMEM;
	r = fb_apt_hash_host(h);
	return r < 0 ? r : fb_hasher_final(h, key);
}

/* ------------------------------------------------------------------ sources.list */

struct targets {
	FILE *out;   /* the sources.list being written */
	char **seen; /* "URI SUITE" lines written */
	size_t n;
	const char *component;
	int r;
};

static bool seen_add(struct targets *t, const char *line)
{
	char **v;

	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->seen[i], line))
			return false;
	v = reallocarray(t->seen, t->n + 1, sizeof(*v));
	if (!v || !(v[t->n] = strdup(line))) {
		if (v)
			t->seen = v;
		t->r = -ENOMEM;
		return false;
	}
	t->seen = v;
	t->n++;
	return true;
}

/* "deb Debian URI SUITE": each Debian mirror and suite once, with the component. */
static void on_target(const char *line, size_t len _unused_, void *userdata)
{
	struct targets *t = userdata;
	char of[16], origin[64], uri[512], suite[128], repo[700];

	if (sscanf(line, "%15s %63s %511s %127s", of, origin, uri, suite) != 4 ||
	    strcmp(of, "deb") || strcmp(origin, "Debian"))
		return;
	snprintf(repo, sizeof(repo), "%s %s", uri, suite);
	if (seen_add(t, repo))
		fprintf(t->out, "deb [signed-by=" DEBIAN_KEYRING "] %s %s\n", repo, t->component);
}

static int write_sources(const char *path, const char *component)
{
	static const char *const argv[] = {
		"apt-get",  "indextargets",
		"--format", "$(TARGET_OF) $(ORIGIN) $(REPO_URI) $(RELEASE)",
		NULL,
	};
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	struct targets t = { .component = component };
	struct fb_spawn_pipe_opts o = { .line = on_target, .userdata = &t };
	int r;

	t.out = open_memstream(&text, &len);
	if (!t.out)
		return fb_err_errno(-ENOMEM, "cannot list component '%s'", component);
	fprintf(t.out, "# Made by flashbuild: the host's Debian mirrors with component %s\n",
		component);
	r = fb_spawn_pipe(argv, &o);
	if (fclose(t.out) != 0 && r >= 0)
		r = -ENOMEM;
	for (size_t i = 0; i < t.n; i++)
		free(t.seen[i]);
	free(t.seen);
	if (r > 0)
		return fb_err_errno(-EIO, "'apt-get indextargets' failed with exit status %d", r);
	if (r >= 0 && t.r < 0)
		r = t.r;
	if (r < 0)
		return fb_err_errno(r, "cannot list component '%s'", component);
	if (t.n == 0)
		return fb_err_errno(-ENOPKG,
				    "this machine's apt sources name no Debian archive to take "
				    "component '%s' from (apt-get update first?)",
				    component);
	return fb_outfile_write(path, text, strlen(text));
}

/* ------------------------------------------------------------------ update */

static void keep_last(const char *line, size_t len, void *userdata)
{
	char *last = userdata;

	if (len > 0)
		snprintf(last, 256, "%s", line);
}

static int apt_update(const struct fb_apt_view *v, const char *component)
{
	_cleanup_(fb_strv_free) struct fb_strv a = { 0 };
	char last[256] = "";
	struct fb_spawn_pipe_opts o = { .line = keep_last, .userdata = last };
	int r;

	fb_strv_push(&a, "apt-get");
	fb_strv_push(&a, "-q");
	for (size_t i = 0; i < v->opts.n; i++)
		fb_strv_push(&a, v->opts.v[i]);
	fb_strv_push(&a, "update");
	if (!a.v || a.v[a.n])
		return fb_err_errno(-ENOMEM, "cannot fetch component '%s'", component);
	fb_info("  %-10s fetching the package lists of component %s", "deb", component);
	r = fb_spawn_pipe((const char *const *)a.v, &o);
	if (r > 0)
		return fb_err_errno(-EIO,
				    "'apt-get update' of component '%s' failed with exit "
				    "status %d: %s",
				    component, r, last);
	return r;
}

/* Whether the view has lists fetched under the host's lists as they are now (KEY). */
static bool view_fresh(const char *dir, const char *key)
{
	_cleanup_free_ char *p = fb_path_join(dir, HOST_KEY_FILE);
	_cleanup_free_ char *had = NULL;
	size_t n = 0;

	if (!p || fb_read_file(p, &had, &n) < 0)
		return false;
	return n == FB_KEY_LEN && !memcmp(had, key, FB_KEY_LEN);
}

static int view_refresh(const struct fb_apt_view *v, const char *component)
{
	_cleanup_free_ char *sources = fb_path_join(v->dir, "sources.list");
	_cleanup_free_ char *partial = fb_path_join(v->dir, "lists/partial");
	_cleanup_free_ char *cache = fb_path_join(v->dir, "cache");
	_cleanup_free_ char *keyfile = fb_path_join(v->dir, HOST_KEY_FILE);
	char key[FB_KEY_LEN + 1];
	int r;

	if (!sources || !partial || !cache || !keyfile)
		return fb_err_errno(-ENOMEM, "cannot fetch component '%s'", component);
	r = host_key(key);
	if (r < 0)
		return fb_err_errno(r, "cannot read apt's lists in " APT_LISTS);
	if (view_fresh(v->dir, key))
		return 0;
	if ((r = fb_mkdir_p(partial)) < 0 || (r = fb_mkdir_p(cache)) < 0)
		return fb_err_errno(r, "cannot create '%s'", v->dir);
	r = write_sources(sources, component);
	if (r >= 0)
		r = apt_update(v, component);
	if (r >= 0)
		r = fb_outfile_write(keyfile, key, FB_KEY_LEN);
	return r;
}

static int view_opts(struct fb_apt_view *v)
{
	struct fb_strv *o = &v->opts;

	fb_strv_push(o, "-o");
	fb_strv_pushf(o, "Dir::Etc::sourcelist=%s/sources.list", v->dir);
	fb_strv_push(o, "-o");
	fb_strv_push(o, "Dir::Etc::sourceparts=-");
	fb_strv_push(o, "-o");
	fb_strv_pushf(o, "Dir::State::Lists=%s/lists", v->dir);
	fb_strv_push(o, "-o");
	fb_strv_pushf(o, "Dir::Cache=%s/cache", v->dir);
	/* as root, apt would hand the download to _apt, which may not reach the cache */
	if (geteuid() == 0)
		fb_strv_push(o, "-o"), fb_strv_push(o, "APT::Sandbox::User=root");
	return o->v && !o->v[o->n] ? 0 : -ENOMEM;
}

int fb_apt_view_open(const struct fb_cache *c, const char *component, bool refresh,
		     struct fb_apt_view *v)
{
	int r;

	*v = (struct fb_apt_view){ 0 };
	if (asprintf(&v->dir, "%s/apt/%s", c->dir, component) < 0) {
		v->dir = NULL;
		return fb_err_errno(-ENOMEM, "cannot read component '%s'", component);
	}
	r = view_opts(v);
	if (r < 0)
		r = fb_err_errno(r, "cannot read component '%s'", component);
	if (r >= 0 && refresh)
		r = view_refresh(v, component);
	if (r < 0)
		fb_apt_view_done(v);
	return r;
}

void fb_apt_view_done(struct fb_apt_view *v)
{
	free(v->dir);
	fb_strv_free(&v->opts);
	*v = (struct fb_apt_view){ 0 };
}
