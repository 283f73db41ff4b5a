/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a .deb in process: an ar archive (debian-binary, control.tar.*,
 * data.tar.xz/zst/gz) whose data member is streamed straight out of the ar
 * archive into a second libarchive reader, with no temporary file and no
 * dpkg.  This file owns libarchive for Debian packages: its types and
 * ARCHIVE_* codes do not leave it.
 */
#ifndef FB_DEB_READER_H
#define FB_DEB_READER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/cleanup.h"

struct fb_deb_reader;

struct fb_deb_entry {
	const char *path; /* in the package, without "./": "usr/lib/grub/arm64-efi/fat.mod" */
	mode_t type; /* S_IFREG, S_IFDIR, S_IFLNK; 0 for a hard link (anything else: skip it) */
	mode_t mode; /* permission bits, set-id and sticky bits included */
	uint64_t size;
	const char *link;     /* symlink target, or NULL */
	const char *hardlink; /* an earlier entry's path, normalized, when a hard link to it */
};

/* Opens DEB at the start of its data archive; NULL and *RET_ERR = -errno, logged, on failure. */
struct fb_deb_reader *fb_deb_reader_open(const char *deb, int *ret_err);
struct fb_deb_reader *fb_deb_reader_free(struct fb_deb_reader *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fb_deb_reader *, fb_deb_reader_free);
/* The next entry: 1, 0 at the end, -errno logged.  Valid until the next call. */
int fb_deb_reader_next(struct fb_deb_reader *r, struct fb_deb_entry *ret);
/* The current regular file's bytes into a new file PATH, mode 0644, fsynced. */
int fb_deb_reader_copy(struct fb_deb_reader *r, const char *path);
/* The same, PATH below DIRFD (not through a symlink at its end), with MODE. */
int fb_deb_reader_copy_at(struct fb_deb_reader *r, int dirfd, const char *path, mode_t mode);
/* The current regular file's bytes in memory (at most MAX, else -EFBIG, logged). */
int fb_deb_reader_slurp(struct fb_deb_reader *r, size_t max, char **ret, size_t *ret_len);

/*
 * Extracts PATH of DEB (a file or a whole directory, as
 * "usr/lib/grub/arm64-efi"; "" for the whole package) to DEST, which must
 * not exist yet (deb-extract.c).  A PATH that is a symbolic link is followed
 * inside the package; a hard link gets its target's bytes.  Returns the
 * number of entries written; -ENOENT, not logged, when the package has no
 * PATH (the caller names the profile line); other errors logged.
 */
int fb_deb_extract(const char *deb, const char *path, const char *dest);

/* "./usr/lib/x" or "/usr/lib/x/" -> "usr/lib/x" in place; NULL for "..". */
char *fb_deb_path_normalize(char *path);

#endif
