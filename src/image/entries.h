/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A stream of file-tree entries, read from a directory (walked depth first,
 * names in byte order, the root first as "") or from any archive libarchive
 * reads (tar, tar.gz/.xz/.zst, cpio).  This file owns libarchive for
 * reading trees: nothing of libarchive's types leaves it.
 */
#ifndef FB_ENTRIES_H
#define FB_ENTRIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum fb_entry_type {
	FB_ENTRY_REG,
	FB_ENTRY_DIR,
	FB_ENTRY_SYMLINK,
	/*
	 * 'link' names an earlier entry of the same stream.  Size 0, or data
	 * that replaces the linked file's (cpio keeps it with the last link).
	 */
	FB_ENTRY_HARDLINK,
	FB_ENTRY_CHR,
	FB_ENTRY_BLK,
	FB_ENTRY_FIFO,
	FB_ENTRY_SOCK,
	_FB_ENTRY_TYPE_MAX,
};

/* POSIX ACLs come as "system.posix_acl_access"/"_default", in the kernel's format. */
struct fb_xattr {
	const char *name; /* full name, e.g. "security.capability", "user.x" */
	const void *value;
	size_t size;
};

struct fb_entry {
	const char *path; /* normalised: relative, no "./" or leading '/', "" is the root */
	enum fb_entry_type type;
	mode_t mode; /* permission bits incl. setuid/setgid/sticky (07777); with an ACL, its mask */
	uid_t uid;
	gid_t gid;
	int64_t mtime, atime, ctime;
	long mtime_nsec, atime_nsec, ctime_nsec;
	uint64_t size;	  /* regular files: logical size (holes included) */
	const char *link; /* SYMLINK: target; HARDLINK: path of the earlier entry */
	unsigned rdev_major, rdev_minor;
	const struct fb_xattr *xattrs;
	size_t n_xattrs;
};

struct fb_entries;

struct fb_entries_opts {
	/* Directory sources only: owners become root:root unless this is set. */
	bool keep_owners;
	/*
	 * Directory sources only, when > 0: times later than this become this
	 * (a checkout's mtimes are when it was made), and atime and ctime are
	 * the mtime, so that the same files give the same image.
	 */
	int64_t clamp_time;
};

/*
 * Opens PATH, a directory or an archive file.  Errors are logged once and
 * name PATH.
 */
int fb_entries_open(const char *path, const struct fb_entries_opts *opts, struct fb_entries **ret);
/*
 * The next entry: 1 and *ret set, 0 at the end, -errno on failure (logged,
 * naming the source and the entry; a truncated archive is an error).  The
 * entry stays valid until the next call.
 */
int fb_entries_next(struct fb_entries *e, const struct fb_entry **ret);
/*
 * Data of the current regular file, one block at a time: 1 with *buf,
 * *len and *offset (the block's place in the file; a jump over a gap is a
 * hole), 0 at the end, -errno on failure (logged).  Offsets only grow but
 * need not be aligned (sparse tar maps are in 512-byte units); *buf stays
 * valid until the next call.
 */
int fb_entries_read(struct fb_entries *e, const void **buf, size_t *len, uint64_t *offset);
struct fb_entries *fb_entries_free(struct fb_entries *e);

#endif
