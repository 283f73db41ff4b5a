// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "outfile.h"
#include "util.h"

int fb_outfile_open(struct fb_outfile *o, const char *path)
{
	_cleanup_free_ char *d = strdup(path), *b = strdup(path);
	const char *dir, *base;
	int r;

	*o = (struct fb_outfile){ .fd = -EBADF };
	if (!d || !b)
		return fb_err_errno(-ENOMEM, "cannot create '%s'", path);
	dir = dirname(d);
	base = basename(b);
	r = fb_mkdir_p(dir);
	if (r < 0)
		return fb_err_errno(r, "cannot create directory '%s'", dir);
	o->path = strdup(path);
	if (!o->path || asprintf(&o->tmp, "%s/.%s.XXXXXX", dir, base) < 0) {
		o->tmp = NULL;
		return fb_err_errno(-ENOMEM, "cannot create '%s'", path);
	}
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0) {
		r = -errno;
		free(o->tmp);
		o->tmp = NULL;
		return fb_err_errno(r, "cannot create a temporary file beside '%s'", path);
	}
	/* mkstemp makes 0600; an image is an ordinary file the user shares. */
	mode_t mask = umask(0);
	umask(mask);
	(void)fchmod(o->fd, 0666 & ~mask);
	return 0;
}

static int sync_dir_of(const char *path)
{
	_cleanup_free_ char *d = strdup(path);
	_cleanup_close_ int fd = -EBADF;

	if (!d)
		return -ENOMEM;
	fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

int fb_outfile_commit(struct fb_outfile *o)
{
	int fd = TAKE_FD(o->fd), r;

	if (fsync(fd) < 0) {
		r = -errno;
		close(fd);
		return fb_err_errno(r, "cannot write '%s'", o->tmp);
	}
	if (close(fd) < 0)
		return fb_err_errno(-errno, "cannot write '%s'", o->tmp);
	if (rename(o->tmp, o->path) < 0)
		return fb_err_errno(-errno, "cannot rename '%s' to '%s'", o->tmp, o->path);
	free(o->tmp);
	o->tmp = NULL;
	r = sync_dir_of(o->path);
	if (r < 0)
		return fb_err_errno(r, "cannot sync the directory of '%s'", o->path);
	return 0;
}

void fb_outfile_abort(struct fb_outfile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -EBADF;
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
}
