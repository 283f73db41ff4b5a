// SPDX-License-Identifier: GPL-2.0-or-later
/* Kconfig fragments and .config files as symbol tables (see kconfig.h). */
#include <ctype.h>
#include <errno.h>
#include <search.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig.h"

#define PREFIX "CONFIG_"

/* Length of a symbol name at S ("CONFIG_" and at least one more of [A-Za-z0-9_]). */
static size_t sym_len(const char *s)
{
	size_t n;

	if (strncmp(s, PREFIX, strlen(PREFIX)))
		return 0;
	n = strlen(PREFIX);
	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return n > strlen(PREFIX) ? n : 0;
}

static const char *skip_blanks(const char *s)
{
	return s + strspn(s, " \t");
}

static bool only_blanks(const char *s)
{
	return *skip_blanks(s) == '\0' || *skip_blanks(s) == '\n';
}

/* "# CONFIG_X is not set": the name's length, or 0 for any other comment. */
static size_t not_set_len(const char *s)
{
	static const char tail[] = " is not set";
	size_t n;

	if (strncmp(s, "# ", 2))
		return 0;
	n = sym_len(s + 2);
	if (!n || strncmp(s + 2 + n, tail, strlen(tail)) || !only_blanks(s + 2 + n + strlen(tail)))
		return 0;
	return n;
}

static int set_result(const char *name, size_t n, const char *value, size_t vn, char **ret_name,
		      char **ret_value)
{
	char *a = strndup(name, n), *b = strndup(value, vn);

	if (!a || !b) {
		free(a);
		free(b);
		return -ENOMEM;
	}
	*ret_name = a;
	*ret_value = b;
	return 1;
}

int fb_kconfig_parse_line(const char *line, char **ret_name, char **ret_value)
{
	const char *v;
	size_t n, vn;

	line = skip_blanks(line);
	n = not_set_len(line);
	if (n)
		return set_result(line + 2, n, "n", 1, ret_name, ret_value);
	if (*line == '#' || only_blanks(line))
		return 0;
	n = sym_len(line);
	if (!n || line[n] != '=')
		return -EINVAL;
	v = line + n + 1;
	vn = strcspn(v, "\n");
	while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t' || v[vn - 1] == '\r'))
		vn--;
	if (vn == 0)
		return -EINVAL;
	return set_result(line, n, v, vn, ret_name, ret_value);
}

static int sym_cmp(const void *a, const void *b)
{
	const struct fb_kconfig_sym *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static struct fb_kconfig_sym *sym_find(const struct fb_kconfig *k, const char *name)
{
	struct fb_kconfig_sym key = { .name = (char *)name };
	void *const *node = tfind(&key, &k->index, sym_cmp);

	return node ? *node : NULL;
}

static int sym_add(struct fb_kconfig *k, struct fb_kconfig_sym *s)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 256;
		struct fb_kconfig_sym **p = realloc(k->syms, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		k->syms = p;
		k->cap = cap;
	}
	if (!tsearch(s, &k->index, sym_cmp))
		return -ENOMEM;
	k->syms[k->n++] = s;
	return 0;
}

/* Takes NAME and VALUE. */
static int sym_set(struct fb_kconfig *k, char *name, char *value, const char *file, unsigned line)
{
	struct fb_kconfig_sym *s = sym_find(k, name);
	int r;

	if (s) {
		free(name);
		free(s->value);
	} else {
		s = calloc(1, sizeof(*s));
		if (!s) {
			free(name);
			free(value);
			return -ENOMEM;
		}
		s->name = name;
		r = sym_add(k, s);
		if (r < 0) {
			free(s->name);
			free(s);
			free(value);
			return r;
		}
	}
	s->value = value;
	s->file = file;
	s->line = line;
	s->seq = k->seq++;
	return 0;
}

int fb_kconfig_parse(struct fb_kconfig *k, const char *text, const char *file, unsigned *ret_line)
{
	unsigned line = 0;

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		_cleanup_free_ char *copy = strndup(p, len);
		char *name = NULL, *value = NULL;
		int r;

		line++;
		if (!copy)
			return -ENOMEM;
		r = fb_kconfig_parse_line(copy, &name, &value);
		if (r == -EINVAL)
			*ret_line = line;
		if (r < 0)
			return r;
		if (r > 0) {
			r = sym_set(k, name, value, file, line);
			if (r < 0)
				return r;
		}
		p += len + (nl ? 1 : 0);
	}
	return 0;
}

const struct fb_kconfig_sym *fb_kconfig_find(const struct fb_kconfig *k, const char *name)
{
	return sym_find(k, name);
}

char *fb_kconfig_line(const struct fb_kconfig_sym *s)
{
	char *line;

	if (!strcmp(s->value, "n"))
		return asprintf(&line, "# %s is not set", s->name) < 0 ? NULL : line;
	return asprintf(&line, "%s=%s", s->name, s->value) < 0 ? NULL : line;
}

const char *fb_kconfig_get(const struct fb_kconfig *k, const char *name)
{
	const struct fb_kconfig_sym *s = sym_find(k, name);

	return s ? s->value : NULL;
}

/* Kconfig reads "=n" and an absent symbol as "is not set". */
static bool same_value(const char *want, const char *have)
{
	return !strcmp(want, have ?: "n");
}

const struct fb_kconfig_sym *fb_kconfig_first_mismatch(const struct fb_kconfig *want,
						       const struct fb_kconfig *have)
{
	const struct fb_kconfig_sym *first = NULL;

	for (size_t i = 0; i < want->n; i++) {
		const struct fb_kconfig_sym *s = want->syms[i];
		const char *v = fb_kconfig_get(have, s->name);

		if (same_value(s->value, v))
			continue;
		if (!first || s->seq < first->seq)
			first = s;
	}
	return first;
}

static void noop_free(void *p _unused_)
{
}

void fb_kconfig_free(struct fb_kconfig *k)
{
	tdestroy(k->index, noop_free);
	for (size_t i = 0; i < k->n; i++) {
		free(k->syms[i]->name);
		free(k->syms[i]->value);
		free(k->syms[i]);
	}
	free(k->syms);
	*k = (struct fb_kconfig){ 0 };
}
