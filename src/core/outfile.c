// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "outfile.h"
#include "util.h"

char *fb_temp_template(const char *dir, const char *base)
{
	char *t;

	return asprintf(&t, "%s/.%s.%d.XXXXXX", dir, base, (int)getpid()) < 0 ? NULL : t;
}

#define MKSTEMP_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/* NAME is ".BASE.PID.XXXXXX" (six letters or digits, as mkstemp makes); its PID. */
static bool temp_name_pid(const char *name, const char *base, pid_t *ret_pid)
{
	size_t n = strlen(base);
	unsigned long pid;
	char *end;

	if (name[0] != '.' || strncmp(name + 1, base, n) || name[n + 1] != '.')
		return false;
	name += n + 2;
	if (*name < '1' || *name > '9')
		return false;
	errno = 0;
	pid = strtoul(name, &end, 10);
	if (errno || pid > INT32_MAX || *end != '.' || strlen(end + 1) != 6 ||
	    strspn(end + 1, MKSTEMP_CHARS) != 6)
		return false;
	*ret_pid = (pid_t)pid;
	return true;
}

/*
 * Gone only when kill() says there is no such process: EPERM is another
 * user's live process.  A reused PID keeps a stale temporary (harmless);
 * a process in another PID namespace sharing the directory looks gone.
 */
static bool process_gone(pid_t pid)
{
	return kill(pid, 0) < 0 && errno == ESRCH;
}

int fb_temp_remove_stale(const char *dir, const char *base)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int removed = 0;
	pid_t pid;

	if (!d)
		return 0; /* no directory yet: nothing stale in it */
	while ((de = readdir(d))) {
		_cleanup_free_ char *path = NULL;

		if (!temp_name_pid(de->d_name, base, &pid) || !process_gone(pid))
			continue;
		path = fb_path_join(dir, de->d_name);
		if (!path) {
			removed = -ENOMEM;
			break;
		}
		fb_rm_rf(path);
		if (access(path, F_OK) == 0) {
			fb_warn("cannot remove '%s' left by a killed run, ignoring", path);
			continue;
		}
		fb_debug("removed '%s' left by a killed run (pid %d)", path, (int)pid);
		removed++;
	}
	closedir(d);
	return removed;
}

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
	r = fb_temp_remove_stale(dir, base);
	o->path = strdup(path);
	o->tmp = fb_temp_template(dir, base);
	if (r < 0 || !o->path || !o->tmp) {
		free(o->tmp); /* a template, no file yet */
		o->tmp = NULL;
		fb_outfile_abort(o);
		return fb_err_errno(-ENOMEM, "cannot create '%s'", path);
	}
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0) {
		r = -errno;
		free(o->tmp);
		o->tmp = NULL;
		fb_outfile_abort(o);
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

int fb_outfile_write(const char *path, const void *data, size_t len)
{
	struct fb_outfile o;
	int r;

	r = fb_outfile_open(&o, path);
	if (r < 0)
		return r;
	r = fb_pio_full(o.fd, true, (void *)data, len, 0);
	if (r < 0)
		r = fb_err_errno(r, "cannot write '%s'", o.tmp);
	else
		r = fb_outfile_commit(&o);
	fb_outfile_abort(&o);
	return r;
}
