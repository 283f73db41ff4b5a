// SPDX-License-Identifier: GPL-2.0-or-later
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "core/util.h"
#include "source.h"

#define SKIP_CHUNK (256 * 1024)

struct fb_source {
	char *path;
	int fd;		   /* plain */
	struct archive *a; /* stream */
	const char *filter;
	uint64_t size; /* plain only */
	uint64_t pos;  /* stream: bytes given out so far */
	bool eof;
	char *skip;
};

static int stream_open(struct fb_source *s)
{
	struct archive_entry *e;
	int r;

	if (s->a)
		archive_read_free(s->a);
	s->pos = 0;
	s->eof = false;
	s->a = archive_read_new();
	if (!s->a)
		return -ENOMEM;
	archive_read_support_filter_all(s->a);
	archive_read_support_format_raw(s->a);
	r = archive_read_open_filename(s->a, s->path, 1024 * 1024);
	if (r == ARCHIVE_OK)
		r = archive_read_next_header(s->a, &e);
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
		int err = archive_errno(s->a);

		fb_err("cannot read '%s': %s", s->path, archive_error_string(s->a));
		return err > 0 ? -err : -EIO;
	}
	return 0;
}

int fb_source_open(const char *path, struct fb_source **ret)
{
	struct fb_source *s = calloc(1, sizeof(*s));
	struct stat st;
	int r;

	if (!s || !(s->path = strdup(path))) {
		free(s);
		return fb_err_errno(-ENOMEM, "cannot open '%s'", path);
	}
	s->fd = -EBADF;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		fb_source_free(s);
		return fb_err_errno(-errno ?: -EINVAL, "cannot open image '%s'", path);
	}
	r = stream_open(s);
	if (r < 0) {
		fb_source_free(s);
		return r;
	}
	if (archive_filter_count(s->a) > 1 && archive_filter_code(s->a, 0) != ARCHIVE_FILTER_NONE) {
		s->filter = archive_filter_name(s->a, 0);
		s->skip = malloc(SKIP_CHUNK);
		if (!s->skip) {
			fb_source_free(s);
			return fb_err_errno(-ENOMEM, "cannot open '%s'", path);
		}
		*ret = s;
		return 0;
	}
	/* Not compressed: read the file itself, where asked. */
	archive_read_free(s->a);
	s->a = NULL;
	s->filter = "none";
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		r = fb_err_errno(-errno, "cannot open image '%s'", path);
		fb_source_free(s);
		return r;
	}
	s->size = (uint64_t)st.st_size;
	posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	*ret = s;
	return 0;
}

int fb_source_open_fd(int fd, const char *name, struct fb_source **ret)
{
	struct fb_source *s = calloc(1, sizeof(*s));
	struct stat st;

	if (!s || !(s->path = strdup(name))) {
		free(s);
		close(fd);
		return fb_err_errno(-ENOMEM, "cannot open '%s'", name);
	}
	s->fd = fd;
	s->filter = "none";
	if (fstat(fd, &st) < 0) {
		int r = -errno;

		fb_source_free(s);
		return fb_err_errno(r, "cannot open image '%s'", name);
	}
	s->size = (uint64_t)st.st_size;
	*ret = s;
	return 0;
}

struct fb_source *fb_source_free(struct fb_source *s)
{
	if (!s)
		return NULL;
	if (s->a)
		archive_read_free(s->a);
	if (s->fd >= 0)
		close(s->fd);
	free(s->skip);
	free(s->path);
	free(s);
	return NULL;
}

bool fb_source_compressed(const struct fb_source *s)
{
	return s->a != NULL;
}

const char *fb_source_filter(const struct fb_source *s)
{
	return s->filter;
}

uint64_t fb_source_size(const struct fb_source *s)
{
	return s->a ? 0 : s->size;
}

const char *fb_source_path(const struct fb_source *s)
{
	return s->path;
}

static ssize_t plain_read(struct fb_source *s, uint64_t off, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(s->fd, buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fb_err_errno(-errno, "cannot read '%s' at byte %llu", s->path,
					    (unsigned long long)(off + got));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Up to LEN bytes from the stream at its position. */
static ssize_t stream_next(struct fb_source *s, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len && !s->eof) {
		la_ssize_t n = archive_read_data(s->a, buf + got, len - got);

		if (n < 0) {
			fb_err("cannot decompress '%s' at byte %llu: %s", s->path,
			       (unsigned long long)(s->pos + got), archive_error_string(s->a));
			return -EBADMSG;
		}
		if (n == 0)
			s->eof = true;
		got += (size_t)n;
	}
	s->pos += got;
	return (ssize_t)got;
}

ssize_t fb_source_read(struct fb_source *s, uint64_t off, void *buf, size_t len)
{
	int r;

	if (!s->a)
		return plain_read(s, off, buf, len);
	if (off < s->pos) {
		r = stream_open(s);
		if (r < 0)
			return r;
	}
	while (s->pos < off && !s->eof) {
		uint64_t gap = off - s->pos;
		ssize_t n = stream_next(s, s->skip, gap < SKIP_CHUNK ? (size_t)gap : SKIP_CHUNK);

		if (n < 0)
			return n;
	}
	if (s->pos < off)
		return 0;
	return stream_next(s, buf, len);
}
