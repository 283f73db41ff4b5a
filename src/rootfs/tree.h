/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A file tree to be written as one archive: an optional base archive (a
 * Debian tarball, a user's tarball, a rootfs.tar), streamed through once,
 * and the files added on top of it in memory (generated /etc files, an
 * overlay, /init).  What is added replaces the base's entry of the same path,
 * paths are resolved through the base's symlinks (a merged-/usr "sbin/init"
 * lands in "usr/sbin/init"), and missing parents are made (0755, root).
 * The output holds every path once, parents first: an uncompressed tar for
 * the rootfs, a newc cpio (zstd or gzip) for an initramfs.  Owners are
 * numeric; device nodes are entries, so no mknod (or root) is needed.
 *
 * This file owns libarchive for writing; reading goes through entries.c.
 */
#ifndef FB_ROOTFS_TREE_H
#define FB_ROOTFS_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/cleanup.h"
#include "image/entries.h"

struct fb_tree;

/* What to add: a file (DATA, SIZE), a directory, a symlink (LINK) or a device node. */
struct fb_tree_item {
	const char *path; /* relative: "etc/passwd" */
	enum fb_entry_type type;
	mode_t mode; /* permission bits */
	uid_t uid;
	gid_t gid;
	const char *link;
	unsigned major, minor;
	const void *data;
	size_t size;
	/* Replacing a base file: keep the base's mode and owners (/etc/shadow's group). */
	bool keep_meta;
	/* A directory that yields to the base's entry (an overlay's or a parent). */
	bool weak;
};

enum fb_tree_format {
	FB_TREE_TAR,
	FB_TREE_CPIO_ZSTD,
	FB_TREE_CPIO_GZIP,
	_FB_TREE_FORMAT_MAX,
};

/*
 * BASE: an archive libarchive reads, or NULL.  It is read once here to
 * know its paths (and to keep the text of the small files named in
 * CAPTURE, NULL-terminated, for fb_tree_read()); its data is copied by
 * fb_tree_write().  MTIME is the time of every added entry.
 */
int fb_tree_new(const char *base, const char *const *capture, int64_t mtime, struct fb_tree **ret);
struct fb_tree *fb_tree_free(struct fb_tree *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fb_tree *, fb_tree_free);

/* Adds (or replaces) one entry; DATA is copied.  -errno, logged. */
int fb_tree_add(struct fb_tree *t, const struct fb_tree_item *it);
int fb_tree_add_file(struct fb_tree *t, const char *path, mode_t mode, const char *text);
int fb_tree_add_dir(struct fb_tree *t, const char *path, mode_t mode, uid_t uid, gid_t gid);
int fb_tree_add_symlink(struct fb_tree *t, const char *path, const char *target);
/* Adds the file at SRC (read into memory) as PATH. */
int fb_tree_add_copy(struct fb_tree *t, const char *path, mode_t mode, const char *src);
/* Adds every entry of the directory DIR, owned by root; its directories are weak. */
int fb_tree_add_overlay(struct fb_tree *t, const char *dir);

/* Whether PATH exists, added or in the base (through symlinks). */
bool fb_tree_exists(const struct fb_tree *t, const char *path);
/*
 * The current text of the regular file PATH: added, or captured from the
 * base.  0 with *ret (not NUL-terminated, *ret_size bytes), or -ENOENT.
 */
int fb_tree_read(const struct fb_tree *t, const char *path, const char **ret, size_t *ret_size);

/* Writes the base's entries that are not replaced, then the added ones, to a new file OUT. */
int fb_tree_write(struct fb_tree *t, const char *out, enum fb_tree_format format);

#endif
