/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A growable NULL-terminated argv: for building a tool's command line. */
#ifndef FB_STRV_H
#define FB_STRV_H

#include <stddef.h>

#include "cleanup.h"

struct fb_strv {
	char **v; /* NULL-terminated once anything was pushed */
	size_t n, cap;
};

/* Appends a copy of S (or the formatted string); -ENOMEM, S unchanged. */
int fb_strv_push(struct fb_strv *s, const char *str);
int fb_strv_pushf(struct fb_strv *s, const char *fmt, ...) _printf_(2, 3);
/* Appends the whitespace-separated words of WORDS. */
int fb_strv_push_words(struct fb_strv *s, const char *words);
void fb_strv_free(struct fb_strv *s);

#endif
