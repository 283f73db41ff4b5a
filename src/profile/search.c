// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/strv.h"
#include "core/util.h"
#include "search.h"

const char *fb_place_to_string(enum fb_place p)
{
	static const char *const names[_FB_PLACE_MAX] = {
		[FB_PLACE_HERE] = "here",
		[FB_PLACE_USER] = "user",
		[FB_PLACE_INSTALLED] = "installed",
	};

	return p < _FB_PLACE_MAX ? names[p] : "?";
}

char *fb_place_root(enum fb_place p)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *r = NULL;

	switch (p) {
	case FB_PLACE_HERE:
		return strdup(".");
	case FB_PLACE_USER:
		if (!fb_str_empty(xdg) && xdg[0] == '/')
			return fb_path_join(xdg, "flashbuild");
		if (fb_str_empty(home) || asprintf(&r, "%s/.config/flashbuild", home) < 0)
			return NULL;
		return r;
	case FB_PLACE_INSTALLED:
		return strdup(FB_DATADIR);
	default:
		return NULL;
	}
}

static char *board_path(const char *root, const char *name)
{
	char *p;

	if (!strcmp(root, "."))
		return asprintf(&p, "boards/%s.conf", name) < 0 ? NULL : p;
	return asprintf(&p, "%s/boards/%s.conf", root, name) < 0 ? NULL : p;
}

int fb_board_find(const char *name, char **ret_path, char **ret_root, enum fb_place *ret_place)
{
	_cleanup_free_ char *here = NULL;

	for (int p = 0; p < _FB_PLACE_MAX; p++) {
		_cleanup_free_ char *root = fb_place_root((enum fb_place)p), *path = NULL;

		if (!root)
			continue;
		path = board_path(root, name);
		if (!path)
			return -ENOMEM;
		if (access(path, F_OK) == 0) {
			*ret_path = TAKE_PTR(path);
			*ret_root = TAKE_PTR(root);
			*ret_place = (enum fb_place)p;
			return 0;
		}
		if (p == FB_PLACE_HERE)
			here = TAKE_PTR(path);
	}
	/* the message names the path a project of one's own would have */
	*ret_path = TAKE_PTR(here);
	return -ENOENT;
}

void fb_board_list_free(struct fb_board_found *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].path);
	}
	free(v);
}

static bool listed(const struct fb_board_found *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return true;
	return false;
}

/* Every NAME.conf of PLACE's boards/ not listed already, appended to *V. */
static int list_place(enum fb_place p, struct fb_board_found **v, size_t *n)
{
	_cleanup_free_ char *root = fb_place_root(p), *dir = NULL;
	struct dirent **ents = NULL;
	int m, r = 0;

	if (!root)
		return 0;
	dir = fb_path_join(root, "boards");
	if (!dir)
		return -ENOMEM;
	m = scandir(dir, &ents, NULL, alphasort);
	for (int i = 0; i < m; i++) {
		const char *f = ents[i]->d_name;
		size_t len = strlen(f);
		struct fb_board_found *nv;
		char *name;

		if (r < 0 || len <= 5 || strcmp(f + len - 5, ".conf") || f[0] == '.')
			continue;
		name = strndup(f, len - 5);
		if (!name || listed(*v, *n, name)) {
			r = name ? r : -ENOMEM;
			free(name);
			continue;
		}
		nv = reallocarray(*v, *n + 1, sizeof(**v));
		if (!nv) {
			free(name);
			r = -ENOMEM;
			continue;
		}
		*v = nv;
		nv[*n] = (struct fb_board_found){ .name = name,
						  .path = board_path(root, name),
						  .place = p };
		if (!nv[(*n)++].path)
			r = -ENOMEM;
	}
	for (int i = 0; i < m; i++)
		free(ents[i]);
	free(ents);
	return r;
}

static int cmp_found(const void *a, const void *b)
{
	return strcmp(((const struct fb_board_found *)a)->name,
		      ((const struct fb_board_found *)b)->name);
}

int fb_board_list(struct fb_board_found **ret, size_t *ret_n)
{
	struct fb_board_found *v = NULL;
	size_t n = 0;
	int r = 0;

	for (int p = 0; r >= 0 && p < _FB_PLACE_MAX; p++)
		r = list_place((enum fb_place)p, &v, &n);
	if (r < 0) {
		fb_board_list_free(v, n);
		return r;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_found);
	*ret = v;
	*ret_n = n;
	return 0;
}

/* Levenshtein distance of A and B, up to 32 characters each (more: far). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[33];

	if (la > 32 || lb > 32)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

char *fb_board_close_names(const char *name)
{
	_cleanup_(fb_strv_free) struct fb_strv close = { 0 };
	struct fb_board_found *v = NULL;
	size_t n = 0, len = 0;
	char *s;

	if (fb_board_list(&v, &n) < 0)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (distance(name, v[i].name) <= 2 ||
		    (strlen(name) >= 3 && strstr(v[i].name, name)))
			fb_strv_push(&close, v[i].name);
	fb_board_list_free(v, n);
	if (!close.n)
		return NULL;
	for (size_t i = 0; i < close.n; i++)
		len += strlen(close.v[i]) + 2;
	s = calloc(1, len + 1);
	for (size_t i = 0; s && i < close.n; i++) {
		if (i)
			strcat(s, ", ");
		strcat(s, close.v[i]);
	}
	return s;
}
