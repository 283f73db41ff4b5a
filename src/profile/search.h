/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where boards are found, in this order: the current directory's boards/
 * (a project of one's own; -C DIR's), $XDG_CONFIG_HOME/flashbuild/boards
 * (~/.config/flashbuild/boards), and the installed FB_DATADIR/boards
 * (/usr/share/flashbuild/boards from the package).  Each such place is a
 * root: its boards/ and partitions/ sit in it, and a profile found there has
 * its relative paths taken from there (paths.h), so a profile in one place
 * never picks up a layout of the same name from another.
 */
#ifndef FB_SEARCH_H
#define FB_SEARCH_H

#include <stddef.h>

/* FB_DATADIR: the installed boards and layouts, PREFIX/share/flashbuild (the Makefile's). */
#include "config.h"

enum fb_place {
	FB_PLACE_HERE,	    /* ./boards */
	FB_PLACE_USER,	    /* $XDG_CONFIG_HOME/flashbuild/boards */
	FB_PLACE_INSTALLED, /* FB_DATADIR/boards */
	_FB_PLACE_MAX,
};

/* "here", "user", "installed" */
const char *fb_place_to_string(enum fb_place p);

/* The root of place P: ".", "~/.config/flashbuild", FB_DATADIR; NULL when it has none. */
char *fb_place_root(enum fb_place p);

/*
 * NAME ("x86-usb") as the first ROOT/boards/NAME.conf of the places that
 * exists: *RET_PATH and *RET_ROOT ("." for the current directory), or
 * -ENOENT with *RET_PATH the path looked for here.  Logs nothing.
 */
int fb_board_find(const char *name, char **ret_path, char **ret_root, enum fb_place *ret_place);

/* A board found: NAME in PLACE, at PATH. */
struct fb_board_found {
	char *name, *path;
	enum fb_place place;
};

/* Every board of every place, by name, the first place's where names repeat.  -errno. */
int fb_board_list(struct fb_board_found **ret, size_t *ret_n);
void fb_board_list_free(struct fb_board_found *v, size_t n);

/* The names found that are close to NAME (a typo away), as "a, b"; NULL when none. */
char *fb_board_close_names(const char *name);

#endif
