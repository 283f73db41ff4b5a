// SPDX-License-Identifier: GPL-2.0-or-later
/* Kernel sources and prebuilt kernels out of archives, with libarchive (see kernel-src.h). */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/archive-util.h"
#include "core/log.h"
#include "core/util.h"
#include "source.h"

/* libarchive's message is the useful part; its errno, when set, the -errno to return. */
static int archive_fail(struct archive *a, const char *path)
{
	int err = archive_errno(a);

	fb_err("cannot unpack '%s': %s", path, archive_error_string(a) ?: "unknown error");
	return err > 0 ? -err : -EIO;
}

/* "top/a/b" -> "a/b"; "" for the top folder itself; NULL for an unsafe name. */
static const char *strip_top(const char *name)
{
	const char *s;

	if (!name || name[0] == '/')
		return NULL;
	s = strchr(name, '/');
	if (!s)
		return "";
	s += strspn(s, "/");
	for (const char *p = s; p; p = strchr(p, '/')) {
		p += *p == '/';
		if (!strncmp(p, "..", 2) && (p[2] == '/' || p[2] == '\0'))
			return NULL;
	}
	return s;
}

/* Points the entry (and its hard-link target) below DEST. */
static int relocate(struct archive_entry *e, const char *dest)
{
	const char *rel = strip_top(archive_entry_pathname(e));
	const char *link = archive_entry_hardlink(e);
	_cleanup_free_ char *p = NULL, *l = NULL;

	if (!rel)
		return -EINVAL;
	if (!*rel)
		return 0;
	p = fb_path_join(dest, rel);
	if (!p)
		return -ENOMEM;
	archive_entry_copy_pathname(e, p);
	if (link) {
		const char *lrel = strip_top(link);

		if (!lrel || !*lrel)
			return -EINVAL;
		l = fb_path_join(dest, lrel);
		if (!l)
			return -ENOMEM;
		archive_entry_copy_hardlink(e, l);
	}
	return 1;
}

static struct archive *disk_writer(void)
{
	struct archive *disk = archive_write_disk_new();

	if (!disk)
		return NULL;
	/* Our own names are absolute (DEST/...); strip_top() refused ".." already. */
	archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_TIME |
						     ARCHIVE_EXTRACT_SECURE_SYMLINKS |
						     ARCHIVE_EXTRACT_SECURE_NODOTDOT);
	return disk;
}

int fb_kernel_src_unpack(const char *tarball, const char *dest)
{
	_cleanup_(archive_read_freep) struct archive *a = archive_read_new();
	_cleanup_(archive_write_freep) struct archive *disk = disk_writer();
	struct archive_entry *e;
	int r;

	if (!a || !disk)
		return fb_err_errno(-ENOMEM, "cannot unpack '%s'", tarball);
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, tarball, 1 << 20) != ARCHIVE_OK)
		return archive_fail(a, tarball);
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		r = relocate(e, dest);
		if (r == -EINVAL)
			return fb_err("cannot unpack '%s': unsafe name '%s'", tarball,
				      archive_entry_pathname(e));
		if (r < 0)
			return fb_err_errno(r, "cannot unpack '%s'", tarball);
		if (r == 0)
			continue;
		if (archive_read_extract2(a, e, disk) != ARCHIVE_OK)
			return archive_fail(disk, tarball);
	}
	if (r != ARCHIVE_EOF)
		return archive_fail(a, tarball);
	if (archive_write_close(disk) != ARCHIVE_OK)
		return archive_fail(disk, tarball);
	return 0;
}

static int skip_entry(const struct dirent *d)
{
	return strcmp(d->d_name, ".") && strcmp(d->d_name, "..") && strcmp(d->d_name, ".git");
}

static int hash_tree_at(struct fb_hasher *h, const char *path, const char *rel)
{
	struct dirent **names = NULL;
	int n, r = 0;

	n = scandir(path, &names, skip_entry, alphasort);
	if (n < 0)
		return fb_err_errno(-errno, "cannot list '%s'", path);
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *p = fb_path_join(path, names[i]->d_name);
		_cleanup_free_ char *q = fb_path_join(rel, names[i]->d_name);
		char meta[96];
		struct stat st;

		if (r >= 0 && (!p || !q))
			r = fb_err_errno(-ENOMEM, "cannot hash '%s'", path);
		if (r >= 0 && lstat(p, &st) < 0)
			r = fb_err_errno(-errno, "cannot read '%s'", p);
		if (r >= 0) {
			snprintf(meta, sizeof(meta), "%o:%" PRIu64 ":%" PRId64 ".%09ld", st.st_mode,
				 (uint64_t)st.st_size, (int64_t)st.st_mtim.tv_sec,
				 st.st_mtim.tv_nsec);
			fb_hasher_str(h, q, meta);
			if (S_ISDIR(st.st_mode))
				r = hash_tree_at(h, p, q);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int fb_kernel_src_hash_tree(struct fb_hasher *h, const char *dir)
{
	fb_hasher_str(h, "tree", dir);
	return hash_tree_at(h, dir, "");
}
