// SPDX-License-Identifier: GPL-2.0-or-later
/* .deb files read with libarchive (see deb-archive.h). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "reader.h"

struct fb_deb_reader {
	char *deb;
	struct archive *outer; /* the ar archive, positioned at data.tar.* */
	struct archive *inner; /* data.tar.*, read out of OUTER */
	char *path;	       /* the current entry's normalized path */
	char *hardlink;	       /* its normalized hard link target, or NULL */
	uint64_t size;	       /* and its size */
};

static int archive_fail(struct archive *a, const char *deb)
{
	int err = archive_errno(a);

	fb_err("cannot read package '%s': %s", deb, archive_error_string(a) ?: "unknown error");
	return err > 0 ? -err : -EIO;
}

struct fb_deb_reader *fb_deb_reader_free(struct fb_deb_reader *r)
{
	if (!r)
		return NULL;
	if (r->inner)
		archive_read_free(r->inner);
	if (r->outer)
		archive_read_free(r->outer);
	free(r->path);
	free(r->hardlink);
	free(r->deb);
	free(r);
	return NULL;
}

/* The data member, block by block, as the inner archive's input. */
static la_ssize_t member_read(struct archive *inner _unused_, void *outer, const void **buf)
{
	const void *block;
	size_t size;
	la_int64_t off;
	int r = archive_read_data_block(outer, &block, &size, &off);

	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK)
		return -1;
	*buf = block;
	return (la_ssize_t)size;
}

/* Moves R->outer to its data.tar.* member. */
static int find_data(struct fb_deb_reader *r)
{
	struct archive_entry *e;
	int a;

	archive_read_support_format_ar(r->outer);
	if (archive_read_open_filename(r->outer, r->deb, 1 << 20) != ARCHIVE_OK)
		return archive_fail(r->outer, r->deb);
	while ((a = archive_read_next_header(r->outer, &e)) == ARCHIVE_OK)
		if (!strncmp(archive_entry_pathname(e) ?: "", "data.tar", 8))
			return 0;
	if (a != ARCHIVE_EOF)
		return archive_fail(r->outer, r->deb);
	return fb_err_errno(-EBADMSG, "'%s' is not a Debian package: it has no data.tar", r->deb);
}

struct fb_deb_reader *fb_deb_reader_open(const char *deb, int *ret_err)
{
	_cleanup_(fb_deb_reader_freep) struct fb_deb_reader *r = calloc(1, sizeof(*r));
	int q;

	if (!r || !(r->deb = strdup(deb)) || !(r->outer = archive_read_new()) ||
	    !(r->inner = archive_read_new())) {
		*ret_err = fb_err_errno(-ENOMEM, "cannot read package '%s'", deb);
		return NULL;
	}
	q = find_data(r);
	if (q >= 0) {
		/* what dpkg-deb reads; not filter_all, which may run lrzip or lzop */
		archive_read_support_filter_gzip(r->inner);
		archive_read_support_filter_xz(r->inner);
		archive_read_support_filter_zstd(r->inner);
		archive_read_support_filter_bzip2(r->inner);
		archive_read_support_filter_lzma(r->inner);
		archive_read_support_format_tar(r->inner);
		if (archive_read_open(r->inner, r->outer, NULL, member_read, NULL) != ARCHIVE_OK)
			q = archive_fail(r->inner, deb);
	}
	*ret_err = q;
	return q < 0 ? NULL : TAKE_PTR(r);
}

char *fb_deb_path_normalize(char *path)
{
	char *s = path;
	size_t n;

	while (s[0] == '.' && s[1] == '/')
		s += 2;
	s += strspn(s, "/");
	n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	for (const char *p = s; p; p = strchr(p, '/')) {
		p += *p == '/';
		if (!strncmp(p, "..", 2) && (p[2] == '/' || p[2] == '\0'))
			return NULL;
	}
	memmove(path, s, n + 1);
	return path;
}

int fb_deb_reader_next(struct fb_deb_reader *r, struct fb_deb_entry *ret)
{
	struct archive_entry *e;
	int a = archive_read_next_header(r->inner, &e);

	if (a == ARCHIVE_EOF)
		return 0;
	if (a != ARCHIVE_OK && a != ARCHIVE_WARN) {
		archive_fail(r->inner, r->deb);
		return -EIO;
	}
	free(r->path);
	free(r->hardlink);
	r->hardlink = NULL;
	r->path = strdup(archive_entry_pathname(e) ?: "");
	if (r->path && archive_entry_hardlink(e))
		r->hardlink = strdup(archive_entry_hardlink(e));
	/* plain -errno returns: the analyzer follows them into the callers' loops */
	if (!r->path || (archive_entry_hardlink(e) && !r->hardlink)) {
		fb_err_errno(-ENOMEM, "cannot read package '%s'", r->deb);
		return -ENOMEM;
	}
	if (!fb_deb_path_normalize(r->path) ||
	    (r->hardlink && !fb_deb_path_normalize(r->hardlink))) {
		fb_err("cannot read package '%s': unsafe name '%s'", r->deb,
		       archive_entry_pathname(e));
		return -EINVAL;
	}
	r->size = (uint64_t)archive_entry_size(e);
	*ret = (struct fb_deb_entry){
		.path = r->path,
		/* a hard link is a name, whatever its header's type says */
		.type = r->hardlink ? 0 : archive_entry_filetype(e),
		.mode = archive_entry_perm(e) & 07777,
		.size = (uint64_t)archive_entry_size(e),
		.link = archive_entry_symlink(e),
		.hardlink = r->hardlink,
	};
	return 1;
}

int fb_deb_reader_copy(struct fb_deb_reader *r, const char *path)
{
	return fb_deb_reader_copy_at(r, AT_FDCWD, path, 0644);
}

int fb_deb_reader_copy_at(struct fb_deb_reader *r, int dirfd, const char *path, mode_t mode)
{
	_cleanup_close_ int fd =
		openat(dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	const void *block;
	size_t size;
	la_int64_t off;
	int a;

	if (fd < 0)
		return fb_err_errno(-errno, "cannot create '%s'", path);
	while ((a = archive_read_data_block(r->inner, &block, &size, &off)) == ARCHIVE_OK)
		if (pwrite(fd, block, size, off) != (ssize_t)size)
			return fb_err_errno(-errno, "cannot write '%s'", path);
	if (a != ARCHIVE_EOF)
		return archive_fail(r->inner, r->deb);
	/* a sparse file may end in a hole */
	if (ftruncate(fd, (off_t)r->size) < 0 || fchmod(fd, mode) < 0)
		return fb_err_errno(-errno, "cannot write '%s'", path);
	if (fsync(fd) < 0 || close(TAKE_FD(fd)) < 0)
		return fb_err_errno(-errno, "cannot write '%s'", path);
	return 0;
}

int fb_deb_reader_slurp(struct fb_deb_reader *r, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;
	la_ssize_t n;

	for (;;) {
		if (len == cap) {
			char *nb;

			if (cap >= max)
				return fb_err_errno(-EFBIG, "'%s' in '%s' is over %zu bytes",
						    r->path, r->deb, max);
			cap = cap ? cap * 2 : 64 * 1024;
			if (cap > max)
				cap = max;
			nb = realloc(buf, cap + 1);
			if (!nb)
				return fb_err_errno(-ENOMEM, "cannot read '%s'", r->path);
			buf = nb;
		}
		n = archive_read_data(r->inner, buf + len, cap - len);
		if (n < 0)
			return archive_fail(r->inner, r->deb);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret_len = len;
	*ret = TAKE_PTR(buf);
	return 0;
}
