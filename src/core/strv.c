// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

static int strv_take(struct fb_strv *s, char *str)
{
	if (!str)
		return -ENOMEM;
	if (s->n + 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **v = reallocarray(s->v, cap, sizeof(*v));

		if (!v) {
			free(str);
			return -ENOMEM;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
	return 0;
}

int fb_strv_push(struct fb_strv *s, const char *str)
{
	return strv_take(s, strdup(str));
}

int fb_strv_pushf(struct fb_strv *s, const char *fmt, ...)
{
	char *str;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&str, fmt, ap);
	va_end(ap);
	return strv_take(s, r < 0 ? NULL : str);
}

int fb_strv_push_words(struct fb_strv *s, const char *words)
{
	const char *p = words;

	while (p && *p) {
		size_t skip = strspn(p, " \t"), len;
		int r;

		p += skip;
		len = strcspn(p, " \t");
		if (!len)
			break;
		r = strv_take(s, strndup(p, len));
		if (r < 0)
			return r;
		p += len;
	}
	return 0;
}

void fb_strv_free(struct fb_strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	*s = (struct fb_strv){ 0 };
}
