/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The paths of a profile found outside the current directory, taken from its root (paths.c). */
#ifndef FB_PATHS_H
#define FB_PATHS_H

struct fb_board;

/*
 * The one list of the keys that name a file or a tree flashbuild reads
 * (paths.c): how a relative one is taken from a profile's root, whether it
 * may be a Debian package's file (deb:..., deb/sources.h), and whether the
 * image is made of it (its content goes into the image's key, image.c).
 */
enum fb_path_how {
	FB_PATH,	  /* a file or directory */
	FB_PATH_IF_SLASH, /* a path if it has a '/': else a name ("tinyconfig", "linux-source-6.1") */
	FB_PATH_LIST,	  /* whitespace-separated paths */
};

#define FB_PATH_DEB   0x1 /* may be deb:PACKAGE/PATH */
#define FB_PATH_INPUT 0x2 /* the image is made of it */

struct fb_path_key {
	const char *kind, *key; /* [kind] key = ... */
	enum fb_path_how how;
	unsigned flags;
};

/* The path key KEY of a section of kind KIND, or NULL when it names no path. */
const struct fb_path_key *fb_path_key_find(const char *kind, const char *key);

/* Every relative path B's keys name becomes ROOT/PATH.  -ENOMEM, not logged. */
int fb_board_rebase(struct fb_board *b, const char *root);

#endif
