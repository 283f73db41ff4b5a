/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kconfig files as symbol tables: the board's config fragments (what it
 * asks for) and the .config that Kbuild made of them (what it got), so a
 * fragment line that olddefconfig dropped can be named.  Pure code, no
 * logging: callers log with the file and line these return.
 */
#ifndef FB_KCONFIG_H
#define FB_KCONFIG_H

#include <stddef.h>

#include "core/cleanup.h"

struct fb_kconfig_sym {
	char *name;	  /* "CONFIG_EXT4_FS" */
	char *value;	  /* "y", "m", "0x1000", "\"quoted\"", or "n" for "is not set" */
	const char *file; /* borrowed from the caller of fb_kconfig_parse() */
	unsigned line;
	size_t seq; /* when it was last set: the order of the lines that count */
};

struct fb_kconfig {
	struct fb_kconfig_sym **syms; /* in the order first seen */
	size_t n, cap;
	size_t seq;
	void *index; /* tsearch() tree by name */
};

/*
 * One line of a Kconfig file: "CONFIG_X=v" or "# CONFIG_X is not set" give
 * 1 with the name and value (both allocated); blank lines and other
 * comments give 0; anything else -EINVAL.
 */
int fb_kconfig_parse_line(const char *line, char **ret_name, char **ret_value);

/*
 * Adds the symbols of TEXT (the content of FILE) to K; a symbol given again,
 * here or in an earlier file, takes the new value and place, as Kconfig
 * does when it merges fragments.  -EINVAL with *ret_line set for a line
 * that is not Kconfig, -ENOMEM.
 */
int fb_kconfig_parse(struct fb_kconfig *k, const char *text, const char *file, unsigned *ret_line);

/* The value of NAME ("n" for "is not set"), or NULL when K lacks it. */
const char *fb_kconfig_get(const struct fb_kconfig *k, const char *name);
/* NAME's symbol (its value, and the file and line that set it last), or NULL. */
const struct fb_kconfig_sym *fb_kconfig_find(const struct fb_kconfig *k, const char *name);
/* S as a line of a Kconfig file, without '\n': "CONFIG_X=y", "# CONFIG_X is not set"; NULL on ENOMEM. */
char *fb_kconfig_line(const struct fb_kconfig_sym *s);

/*
 * The first symbol of WANT, in its order, whose value HAVE does not have
 * (a symbol HAVE lacks counts as "n"), or NULL when all are there.
 */
const struct fb_kconfig_sym *fb_kconfig_first_mismatch(const struct fb_kconfig *want,
						       const struct fb_kconfig *have);

void fb_kconfig_free(struct fb_kconfig *k);

#endif
