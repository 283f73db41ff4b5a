/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files changed in an ext4 that exists, in place, with libext2fs: the
 * filesystem at a byte offset of an image or a disk (the unix io manager's
 * offset=, as the image step writes it), no mount.  What a flashed card
 * gets that the image does not have (its hostname, a user's key).  A path
 * is walked one name at a time from the root, and a symbolic link met on
 * the way is refused, never followed: nothing outside the filesystem's
 * own tree is reached, whatever the card holds.  A filesystem that is not
 * clean (mounted, or its journal needs replaying) is refused.
 */
#ifndef FB_EXT4_EDIT_H
#define FB_EXT4_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fb_ext4_edit;

struct fb_ext4_attrs {
	uint32_t mode; /* permission bits, 07777 */
	uint32_t type; /* fb_ext4_edit_stat(): S_IFREG, S_IFDIR, S_IFLNK, ... (ignored when set) */
	uint32_t uid, gid;
	int64_t mtime; /* also atime and ctime */
};

/*
 * Opens the ext4 at OFFSET of PATH for changes (WRITABLE) or to read.  NAME
 * is for messages ("/dev/sdb2").  -errno, logged.
 */
int fb_ext4_edit_open(const char *path, uint64_t offset, const char *name, bool writable,
		      struct fb_ext4_edit **ret);

/*
 * The whole of the regular file FSPATH ("/etc/hostname"), NUL-terminated,
 * at most MAX bytes.  -ENOENT (not logged) when there is none; a symbolic
 * link on the way, a file that is not regular or larger than MAX: logged.
 */
int fb_ext4_edit_read(struct fb_ext4_edit *e, const char *fspath, size_t max, char **ret,
		      size_t *ret_len);

/* The attributes of FSPATH (any type; no link followed).  -ENOENT, not logged. */
int fb_ext4_edit_stat(struct fb_ext4_edit *e, const char *fspath, struct fb_ext4_attrs *ret);

/* Makes directory FSPATH with A, or gives one that exists A.  Its parent must exist. */
int fb_ext4_edit_mkdir(struct fb_ext4_edit *e, const char *fspath, const struct fb_ext4_attrs *a);

/*
 * FSPATH holds the LEN bytes of DATA with A: a new file, or the regular file
 * that was there with its contents replaced.  Its parent must exist.
 */
int fb_ext4_edit_write(struct fb_ext4_edit *e, const char *fspath, const void *data, size_t len,
		       const struct fb_ext4_attrs *a);

/*
 * Writes what changed (the bitmaps, counts and superblock; synced) and
 * closes, also after a change that failed, so the filesystem stays
 * consistent.  -errno, logged.  NULL is fine.
 */
int fb_ext4_edit_close(struct fb_ext4_edit *e);

#endif
