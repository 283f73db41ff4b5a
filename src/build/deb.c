// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .deb files: fetched with apt-get (which knows the mirrors, proxies and
 * keys of this machine), read with entries.c.  A .deb is an ar archive:
 * debian-binary, control.tar.*, data.tar.* (xz, zst or gz); libarchive
 * reads both levels.  The data member is copied to a temporary file first,
 * since entries.c reads a tree from a path.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/spawn.h"
#include "core/util.h"
#include "deb.h"
#include "image/entries.h"

static int is_deb(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && !strcmp(d->d_name + n - 4, ".deb");
}

/* The one .deb apt-get download left in DIR. */
static int find_deb(const char *dir, char **ret)
{
	struct dirent **names = NULL;
	int n, r = 0;

	n = scandir(dir, &names, is_deb, alphasort);
	if (n < 0)
		return fb_err_errno(-errno, "cannot list '%s'", dir);
	if (n == 0)
		r = fb_err_errno(-ENOENT, "apt-get download left no .deb in '%s'", dir);
	else if (!(*ret = fb_path_join(dir, names[0]->d_name)))
		r = fb_err_errno(-ENOMEM, "cannot fetch a package");
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

/* The last line a tool printed, for the one error message. */
static void keep_last(const char *line, size_t len, void *userdata)
{
	char *last = userdata;

	if (len > 0)
		snprintf(last, 256, "%s", line);
}

static int apt_download(const char *spec, const char *dir)
{
	const char *const argv[] = { "apt-get", "download", "-q", spec, NULL };
	char last[256] = "";
	struct fb_spawn_pipe_opts o = { .cwd = dir, .line = keep_last, .userdata = last };
	int r;

	fb_info("  %-10s downloading %s", "deb", spec);
	r = fb_spawn_pipe(argv, &o);
	if (r > 0)
		return fb_err_errno(-EIO,
				    "'apt-get download %s' failed with exit status %d: %s "
				    "(another architecture needs dpkg --add-architecture "
				    "and apt-get update first)",
				    spec, r, last);
	return r;
}

int fb_deb_fetch(const struct fb_cache *c, const char *pkg, const char *arch, char **ret_deb)
{
	_cleanup_free_ char *name = NULL, *final = NULL, *spec = NULL, *tmp = NULL, *got = NULL;
	int r;

	if (asprintf(&name, "%s_%s", pkg, arch) < 0 || asprintf(&spec, "%s:%s", pkg, arch) < 0 ||
	    asprintf(&final, "%s/deb/%s.deb", c->dir, name) < 0)
		return fb_err_errno(-ENOMEM, "cannot fetch a package");
	if (access(final, F_OK) == 0) {
		*ret_deb = TAKE_PTR(final);
		return 0;
	}
	r = fb_cache_begin(c, "deb", name, &tmp);
	if (r < 0)
		return r;
	/* apt-get download writes to the current directory */
	r = apt_download(spec, tmp);
	if (r >= 0)
		r = find_deb(tmp, &got);
	if (r >= 0 && rename(got, final) < 0)
		r = fb_err_errno(-errno, "cannot rename '%s' to '%s'", got, final);
	fb_cache_abort(tmp);
	if (r < 0)
		return r;
	*ret_deb = TAKE_PTR(final);
	return 0;
}

/* Copies the current file of E into FD, holes and all. */
static int stream_to_fd(struct fb_entries *e, const struct fb_entry *ent, int fd, const char *to)
{
	const void *buf;
	size_t len;
	uint64_t off;
	int r;

	while ((r = fb_entries_read(e, &buf, &len, &off)) > 0)
		for (size_t done = 0; done < len;) {
			ssize_t n = pwrite(fd, (const char *)buf + done, len - done,
					   (off_t)(off + done));

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return fb_err_errno(-errno, "cannot write '%s'", to);
			done += (size_t)n;
		}
	if (r < 0)
		return r;
	if (ftruncate(fd, (off_t)ent->size) < 0)
		return fb_err_errno(-errno, "cannot write '%s'", to);
	return 0;
}

/* Writes the current file of E to a new temporary file beside PATH; its name in *ret. */
static int write_temp(struct fb_entries *e, const struct fb_entry *ent, const char *path,
		      char **ret)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -EBADF;
	int r;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return fb_err_errno(-ENOMEM, "cannot write '%s'", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return fb_err_errno(-errno, "cannot create a file beside '%s'", path);
	r = stream_to_fd(e, ent, fd, tmp);
	if (r >= 0 && fchmod(fd, ent->mode & 07777) < 0)
		r = fb_err_errno(-errno, "cannot write '%s'", tmp);
	if (r >= 0 && fsync(fd) < 0)
		r = fb_err_errno(-errno, "cannot write '%s'", tmp);
	if (r >= 0 && close(TAKE_FD(fd)) < 0)
		r = fb_err_errno(-errno, "cannot write '%s'", tmp);
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	*ret = TAKE_PTR(tmp);
	return 0;
}

/* The data.tar.* member of DEB, copied to a temporary file beside OUT. */
static int deb_data(const char *deb, const char *out, char **ret)
{
	struct fb_entries *e = NULL;
	const struct fb_entry *ent;
	int r;

	r = fb_entries_open(deb, NULL, &e);
	if (r < 0)
		return r;
	while ((r = fb_entries_next(e, &ent)) > 0)
		if (!strncmp(ent->path, "data.tar", 8) && ent->type == FB_ENTRY_REG)
			break;
	if (r == 0)
		r = fb_err_errno(-EBADMSG, "'%s' has no data.tar member: not a .deb", deb);
	if (r > 0)
		r = write_temp(e, ent, out, ret);
	fb_entries_free(e);
	return r;
}

static bool wanted(const char *path, const char *const names[])
{
	for (; *names; names++)
		if (!strcmp(path, *names))
			return true;
	return false;
}

int fb_deb_extract_file(const char *deb, const char *const names[], const char *out)
{
	_cleanup_free_ char *data = NULL, *tmp = NULL;
	struct fb_entries *e = NULL;
	const struct fb_entry *ent;
	int r;

	r = deb_data(deb, out, &data);
	if (r < 0)
		return r;
	r = fb_entries_open(data, NULL, &e);
	while (r >= 0 && (r = fb_entries_next(e, &ent)) > 0)
		if (ent->type == FB_ENTRY_REG && wanted(ent->path, names))
			break;
	if (r == 0)
		r = fb_err_errno(-ENOENT, "'%s' has no '%s'", deb, names[0]);
	if (r > 0)
		r = write_temp(e, ent, out, &tmp);
	fb_entries_free(e);
	unlink(data);
	if (r >= 0 && rename(tmp, out) < 0) {
		r = fb_err_errno(-errno, "cannot rename '%s' to '%s'", tmp, out);
		unlink(tmp);
	}
	return r < 0 ? r : 0;
}
