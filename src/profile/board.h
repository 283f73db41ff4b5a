/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A board profile: boards/NAME.conf, an INI file read with inih.  Sections
 * are kept as "key = value" lines with their file and line, so that the
 * handler that owns a section (a part kind, a raw blob) can check its own
 * keys and point at the line of a bad one.
 */
#ifndef FB_BOARD_H
#define FB_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "core/cleanup.h"
#include "keys.h"

struct fb_section {
	char *kind; /* "board", "image", "part", "raw" */
	char *name; /* "root" for [part root]; NULL for unnamed kinds */
	const char *file;
	unsigned line; /* of its "[kind name]" header */
	struct fb_kv *kvs;
	size_t n_kvs;
};

struct fb_board {
	char *name; /* "x86-usb" */
	char *path; /* "boards/x86-usb.conf" */
	char *root; /* where its relative paths are taken from: "." or a place's root (search.h) */

	/* [board] */
	char *description;
	char *arch;
	/* [image] */
	char *layout;
	uint64_t size; /* with power_of_two, already rounded up */
	bool power_of_two;
	char *seed; /* what the image's ids derive from; NULL: the board name */
	char *sign; /* the key that signs the bmap (OUT/NAME.img.bmap.asc), or NULL */

	struct fb_section *sections;
	size_t n_sections;
	char **files; /* every file read (the board and its includes), for messages */
	size_t n_files;
};

/*
 * Loads a profile: NAME is a board name ("x86-usb" -> boards/x86-usb.conf)
 * or a path to a .conf file.  Errors are logged as "file:line: ...".
 */
int fb_board_load(const char *name, struct fb_board **ret);
struct fb_board *fb_board_free(struct fb_board *b);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fb_board *, fb_board_free);
/*
 * A deep copy of B, for a view of it whose values may be changed (the
 * build's, with deb: values as paths) while B stays as the profile says.
 * Its kvs keep their files and lines.  -ENOMEM, not logged.
 */
int fb_board_dup(const struct fb_board *b, struct fb_board **ret);

/* The section [KIND NAME] (NAME NULL for unnamed kinds), or NULL. */
const struct fb_section *fb_board_section(const struct fb_board *b, const char *kind,
					  const char *name);
/*
 * The keys of [KIND] of B, if it has one, checked against KEYS (an object
 * of SIZE bytes; WHAT for messages: fb_keys_check()).  Logs.
 */
int fb_board_check_keys(const struct fb_board *b, const char *kind, const struct fb_key *keys,
			size_t size, const char *what);
/* Value of KEY in a section (the last one given), or NULL. */
const struct fb_kv *fb_section_get(const struct fb_section *s, const char *key);

#endif
