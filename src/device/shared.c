// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bmap-read.h"
#include "core/log.h"
#include "core/sha256.h"
#include "core/util.h"
#include "shared.h"
#include "signed.h"
#include "source.h"

#define CHUNK (4 * 1024 * 1024)

void fb_shared_source_done(struct fb_shared_source *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->image);
	free(s->filter);
	free(s->ext.v);
	fb_pgp_signer_done(&s->signer);
	*s = (struct fb_shared_source){ .fd = -EBADF };
}

/* An unlinked file in DIR: gone when the last descriptor closes, even after a crash. */
static int open_tmp(const char *dir)
{
	_cleanup_free_ char *p = NULL;
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR))
		return fd >= 0 ? fd : -errno;
	p = fb_path_join(dir, ".flashbuild-image-XXXXXX");
	if (!p)
		return -ENOMEM;
	fd = mkostemp(p, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unlink(p);
	return fd;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	return n == 0 || (p[0] == 0 && !memcmp(p, p + 1, n - 1));
}

static int pwrite_all(int fd, const uint8_t *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n, len -= (size_t)n, off += (uint64_t)n;
	}
	return 0;
}

/* The stream SRC decompressed once into an unlinked file in TMPDIR; zeroes stay holes. */
static int decompress(struct fb_source *src, const char *tmpdir, int *ret_fd)
{
	_cleanup_close_ int fd = open_tmp(tmpdir);
	_cleanup_free_ uint8_t *buf = malloc(CHUNK);
	uint64_t pos = 0;
	ssize_t n;
	int r;

	if (fd < 0)
		return fb_err_errno(fd, "cannot create a temporary file in '%s'", tmpdir);
	if (!buf)
		return fb_err_errno(-ENOMEM, "cannot decompress '%s'", fb_source_path(src));
	while ((n = fb_source_read(src, pos, buf, CHUNK)) > 0) {
		if (!all_zero(buf, (size_t)n) && (r = pwrite_all(fd, buf, (size_t)n, pos)) < 0)
			return fb_err_errno(r, "cannot write '%s' decompressed into '%s'",
					    fb_source_path(src), tmpdir);
		pos += (uint64_t)n;
	}
	if (n < 0)
		return (int)n;
	if (ftruncate(fd, (off_t)pos) < 0)
		return fb_err_errno(-errno, "cannot size the decompressed '%s'",
				    fb_source_path(src));
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* The image's plain bytes in s->fd: the file itself, or the stream decompressed. */
static int materialize(struct fb_shared_source *s, struct fb_source *src, const char *tmpdir)
{
	s->filter = strdup(fb_source_filter(src));
	if (!s->filter)
		return fb_err_errno(-ENOMEM, "cannot prepare '%s'", s->image);
	if (fb_source_compressed(src))
		return decompress(src, tmpdir, &s->fd);
	s->fd = open(s->image, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return fb_err_errno(-errno, "cannot open image '%s'", s->image);
	return 0;
}

static int plan(struct fb_shared_source *s, const struct fb_bmap *b, const char *bmap)
{
	struct stat st;
	int r;

	if (fstat(s->fd, &st) < 0)
		return fb_err_errno(-errno, "cannot look at '%s'", s->image);
	if (b && b->image_size != (uint64_t)st.st_size)
		return fb_err_errno(-EBADMSG,
				    "'%s' has %" PRIu64
				    " bytes, but its bmap '%s' describes %" PRIu64,
				    s->image, (uint64_t)st.st_size, bmap, b->image_size);
	r = b ? fb_extents_from_bmap(b, &s->ext) : fb_extents_whole((uint64_t)st.st_size, &s->ext);
	return r < 0 ? fb_err_errno(r, "cannot plan the writing of '%s'", s->image) : 0;
}

/* Every extent read once: checked against the bmap, or its checksum taken for every job. */
static int check_extents(struct fb_shared_source *s)
{
	_cleanup_(fb_source_freep) struct fb_source *src = NULL;
	int r;

	r = fb_source_open_fd(fcntl(s->fd, F_DUPFD_CLOEXEC, 3), s->image, &src);
	if (r >= 0)
		r = fb_extents_check_source(src, s->ext.v, s->ext.n, s->image);
	for (size_t i = 0; r >= 0 && i < s->ext.n; i++)
		s->ext.v[i].sha_known = true;
	return r < 0 ? r : 0;
}

int fb_shared_source_prepare(const struct fb_flash_source *given, const char *tmpdir,
			     struct fb_shared_source *ret)
{
	const char *image = given->image;
	_cleanup_(fb_source_freep) struct fb_source *src = NULL;
	_cleanup_(fb_signed_bmap_done) struct fb_signed_bmap sb = { 0 };
	/* The absolute path: the station's log says which file, wherever it was started. */
	struct fb_shared_source s = { .fd = -EBADF, .image = realpath(image, NULL) };
	int r = s.image ? 0 : fb_err_errno(-errno, "cannot open image '%s'", image);

	/* the log names the image by what `sha256sum` prints */
	if (r >= 0 && (r = fb_sha256_file(image, s.sha256)) < 0)
		r = fb_err_errno(r, "cannot read image '%s'", image);
	/* the signature first: a station with --keyring does not start without a good one */
	if (r >= 0)
		r = fb_signed_bmap_load(given, &sb);
	if (r >= 0)
		r = fb_source_open(image, &src);
	if (r >= 0)
		r = materialize(&s, src, tmpdir);
	if (r >= 0)
		r = plan(&s, sb.bmap, sb.path);
	if (r >= 0)
		r = check_extents(&s);
	if (r >= 0 && sb.sig) {
		s.signer = sb.signer;
		sb.signer = (struct fb_pgp_signer){ 0 };
	}
	if (r < 0) {
		fb_shared_source_done(&s);
		return r;
	}
	*ret = s;
	return 0;
}

int fb_shared_source_attach(const struct fb_shared_source *s, struct fb_source **ret_src,
			    struct fb_extents *ret_ext)
{
	struct fb_extents x = s->ext;
	int r;

	x.v = malloc((s->ext.n ? s->ext.n : 1) * sizeof(*x.v));
	if (!x.v)
		return fb_err_errno(-ENOMEM, "cannot share '%s'", s->image);
	memcpy(x.v, s->ext.v, s->ext.n * sizeof(*x.v));
	r = fb_source_open_fd(fcntl(s->fd, F_DUPFD_CLOEXEC, 3), s->image, ret_src);
	if (r < 0) {
		free(x.v);
		return r;
	}
	*ret_ext = x;
	return 0;
}
