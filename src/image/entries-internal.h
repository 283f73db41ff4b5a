/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the two sources of entries share: entries.c (the common API, and
 * archives) and entries-dir.c (directories).  Only they include it:
 * libarchive's types stay behind them.
 */
#ifndef FB_ENTRIES_INTERNAL_H
#define FB_ENTRIES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "entries.h"

/* Big reads: a rootfs is mostly small files, but images carry big ones. */
#define DATA_BUF_SIZE (1024 * 1024)

struct archive;
struct archive_entry;
struct walk_dir;

struct fb_entries {
	char *src;
	bool keep_owners;
	int64_t clamp_time;

	struct archive *ar; /* archive source */

	struct archive *disk; /* directory source */
	struct archive_entry *de;
	int root_fd;
	struct walk_dir *stack;
	size_t depth, stack_cap;
	char *full; /* src + '/' + the current path */
	size_t full_cap, src_len;
	void *links;
	int data_fd;
	uint64_t data_pos, data_hole;
	void *data_buf;

	struct fb_entry cur;
	bool started;
	char *path, *link;
	size_t path_cap, link_cap;
	struct fb_xattr *xattrs;
	size_t xattrs_cap;
	uint8_t *acl[2]; /* POSIX ACLs as xattr values: access, default */
	size_t acl_cap[2];
};

/* entries.c */
/* Makes *PP hold at least NEED items of SIZE bytes; *CAP counts them. */
int fb_entries_grow(void *pp, size_t *cap, size_t need, size_t size);
/* Logs A's error, reading SRC (WHERE ENTRY, when ENTRY is not empty), and returns -errno. */
int fb_entries_ar_err(struct archive *a, const char *where, const char *src, const char *entry);
/* Everything but the path, from AE into e->cur. */
int fb_entries_fill(struct fb_entries *e, struct archive_entry *ae);

/* entries-dir.c */
int fb_entries_dir_open(struct fb_entries *e);
/* The next entry of the walk into e->cur: 1, 0 at the end, or -errno. */
int fb_entries_dir_next(struct fb_entries *e);
int fb_entries_dir_read(struct fb_entries *e, const void **buf, size_t *len, uint64_t *offset);
/* Frees what the directory source holds; e itself stays. */
void fb_entries_dir_done(struct fb_entries *e);

#endif
