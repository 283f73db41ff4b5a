// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The directory source of entries.  Directories are walked depth first in
 * byte order of names, and each file is described by libarchive's disk
 * reader, so that modes, owners, times, symlink targets and xattrs come out
 * exactly as they do for an archive.  Data is read with pread(), and holes
 * are found with SEEK_DATA.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <search.h>
#include <string.h>
#include <sys/stat.h>

#include "entries-internal.h"

struct walk_dir {
	int fd;
	struct dirent **names;
	int n, next;
	size_t full_len; /* length of this directory's path in e->full */
};

/* A file seen with st_nlink > 1: later paths to it become hard links. */
struct link_node {
	dev_t dev;
	ino_t ino;
	char path[];
};

static int link_cmp(const void *a, const void *b)
{
	const struct link_node *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

/* The first path of a multiply linked file is the file; later ones link to it. */
static int check_hardlink(struct fb_entries *e, const struct stat *st)
{
	size_t len = strlen(e->cur.path);
	struct link_node *n, **found;

	if (S_ISDIR(st->st_mode) || st->st_nlink < 2)
		return 0;
	n = malloc(sizeof(*n) + len + 1);
	if (!n)
		return fb_err_errno(-ENOMEM, "cannot read '%s'", e->src);
	*n = (struct link_node){ .dev = st->st_dev, .ino = st->st_ino };
	memcpy(n->path, e->cur.path, len + 1);
	found = tsearch(n, &e->links, link_cmp);
	if (!found) {
		free(n);
		return fb_err_errno(-ENOMEM, "cannot read '%s'", e->src);
	}
	if (*found != n) {
		free(n);
		/* the data went with the first path */
		e->cur.type = FB_ENTRY_HARDLINK;
		e->cur.link = (*found)->path;
		e->cur.size = 0;
		return 1;
	}
	return 0;
}

/* Describes e->full (fd: open on it, or -1) into e->cur. */
static void clamp_times(struct fb_entries *e)
{
	struct fb_entry *c = &e->cur;

	if (e->clamp_time <= 0)
		return;
	if (c->mtime >= e->clamp_time) {
		c->mtime = e->clamp_time;
		c->mtime_nsec = 0;
	}
	c->atime = c->ctime = c->mtime;
	c->atime_nsec = c->ctime_nsec = c->mtime_nsec;
}

static int describe(struct fb_entries *e, int fd, const struct stat *st)
{
	int r;

	archive_entry_clear(e->de);
	archive_entry_copy_sourcepath(e->de, e->full);
	r = archive_read_disk_entry_from_file(e->disk, e->de, fd, st);
	if (r < ARCHIVE_WARN)
		return fb_entries_ar_err(e->disk, "at", e->src, e->full);
	if (r == ARCHIVE_WARN)
		fb_warn("'%s': %s, ignoring", e->full, archive_error_string(e->disk));
	r = fb_entries_fill(e, e->de);
	if (r < 0)
		return r;
	if (!e->keep_owners)
		e->cur.uid = e->cur.gid = 0;
	clamp_times(e);
	return check_hardlink(e, st);
}

static int skip_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

/* Not alphasort(): strcoll() would make the order, and so the image, depend on LC_COLLATE. */
static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Takes fd; the directory's path is e->full. */
static int walk_push(struct fb_entries *e, int fd)
{
	struct walk_dir *d;
	int r;

	r = fb_entries_grow(&e->stack, &e->stack_cap, e->depth + 1, sizeof(*e->stack));
	if (r < 0) {
		close(fd);
		return r;
	}
	d = &e->stack[e->depth];
	*d = (struct walk_dir){ .fd = fd, .full_len = strlen(e->full) };
	d->n = scandirat(fd, ".", &d->names, skip_dots, name_cmp);
	if (d->n < 0) {
		r = -errno;
		close(fd);
		return fb_err_errno(r, "cannot read directory '%s'", e->full);
	}
	e->depth++;
	return 0;
}

static void walk_pop(struct fb_entries *e)
{
	struct walk_dir *d = &e->stack[--e->depth];

	while (d->next < d->n)
		free(d->names[d->next++]);
	free(d->names);
	close(d->fd);
}

static int next_root(struct fb_entries *e)
{
	struct stat st;
	int fd = e->root_fd, r;

	e->root_fd = -EBADF;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return fb_err_errno(r, "cannot stat '%s'", e->src);
	}
	e->cur.path = "";
	r = describe(e, fd, &st);
	if (r < 0) {
		close(fd);
		return r;
	}
	r = walk_push(e, fd);
	return r < 0 ? r : 1;
}

/* A later path of a file already seen: no need to open it. */
static bool seen_link(struct fb_entries *e, const struct stat *st)
{
	struct link_node key = { .dev = st->st_dev, .ino = st->st_ino };

	return st->st_nlink > 1 && tfind(&key, &e->links, link_cmp);
}

/* Reading must not change the source, not even its atimes. */
static int open_child(int dirfd, const char *name, bool is_dir)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (is_dir ? O_DIRECTORY : 0), fd;

	fd = openat(dirfd, name, flags | O_NOATIME);
	/* O_NOATIME is for the owner only */
	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, name, flags);
	return fd;
}

int fb_entries_dir_next(struct fb_entries *e)
{
	struct walk_dir *d;
	struct dirent *de;
	struct stat st;
	_cleanup_close_ int fd = -EBADF;
	int r;

	if (e->root_fd >= 0)
		return next_root(e);
	for (;;) {
		if (e->depth == 0)
			return 0;
		d = &e->stack[e->depth - 1];
		if (d->next < d->n)
			break;
		walk_pop(e);
	}
	de = d->names[d->next++];
	r = fb_entries_grow(&e->full, &e->full_cap, d->full_len + strlen(de->d_name) + 2, 1);
	if (r < 0) {
		r = fb_err_errno(r, "cannot read '%s'", e->src);
		goto out;
	}
	sprintf(e->full + d->full_len, "/%s", de->d_name);
	e->cur.path = e->full + e->src_len + 1;
	if (fstatat(d->fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		r = fb_err_errno(-errno, "cannot stat '%s'", e->full);
		goto out;
	}
	if (S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && !seen_link(e, &st))) {
		fd = open_child(d->fd, de->d_name, S_ISDIR(st.st_mode));
		if (fd < 0) {
			r = fb_err_errno(-errno, "cannot open '%s'", e->full);
			goto out;
		}
	}
	r = describe(e, fd, &st);
	if (r < 0)
		goto out;
	if (S_ISDIR(st.st_mode))
		r = walk_push(e, TAKE_FD(fd));
	else if (e->cur.type == FB_ENTRY_REG) {
		e->data_fd = TAKE_FD(fd);
		e->data_pos = e->data_hole = 0;
	}
out:
	free(de);
	return r < 0 ? r : 1;
}

/* Finds the next data run at or after data_pos: SEEK_DATA keeps holes out of the copy. */
static int seek_data(struct fb_entries *e)
{
	off_t d, h;

	d = lseek(e->data_fd, (off_t)e->data_pos, SEEK_DATA);
	if (d < 0 && errno == ENXIO)
		return 0;
	if (d < 0) {
		/* No SEEK_DATA here: everything is data. */
		e->data_hole = e->cur.size;
		return 1;
	}
	h = lseek(e->data_fd, d, SEEK_HOLE);
	e->data_pos = (uint64_t)d;
	e->data_hole = h < 0 ? e->cur.size : (uint64_t)h;
	return e->data_pos < e->cur.size;
}

int fb_entries_dir_read(struct fb_entries *e, const void **buf, size_t *len, uint64_t *offset)
{
	uint64_t end;
	ssize_t n;
	int r;

	if (e->data_fd < 0 || e->data_pos >= e->cur.size)
		return 0;
	if (e->data_pos >= e->data_hole) {
		r = seek_data(e);
		if (r <= 0)
			return r;
	}
	end = e->data_hole < e->cur.size ? e->data_hole : e->cur.size;
	if (end - e->data_pos > DATA_BUF_SIZE)
		end = e->data_pos + DATA_BUF_SIZE;
	n = pread(e->data_fd, e->data_buf, end - e->data_pos, (off_t)e->data_pos);
	if (n < 0)
		return fb_err_errno(-errno, "cannot read '%s'", e->full);
	if (n == 0)
		return fb_err_code(-EIO, "'%s' shrank while being read", e->full);
	*buf = e->data_buf;
	*len = (size_t)n;
	*offset = e->data_pos;
	e->data_pos += (uint64_t)n;
	return 1;
}

int fb_entries_dir_open(struct fb_entries *e)
{
	e->root_fd = open(e->src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (e->root_fd < 0)
		return fb_err_errno(-errno, "cannot open directory '%s'", e->src);
	e->disk = archive_read_disk_new();
	e->de = archive_entry_new();
	e->data_buf = malloc(DATA_BUF_SIZE);
	e->src_len = strlen(e->src);
	/* "dir/" and "dir" must give the same paths. */
	while (e->src_len > 1 && e->src[e->src_len - 1] == '/')
		e->src_len--;
	if (!e->disk || !e->de || !e->data_buf ||
	    fb_entries_grow(&e->full, &e->full_cap, e->src_len + 1, 1) < 0)
		return -ENOMEM;
	memcpy(e->full, e->src, e->src_len);
	e->full[e->src_len] = '\0';
	if (e->src_len == 1 && e->src[0] == '/')
		e->full[--e->src_len] = '\0';
	/* Holes are found with SEEK_DATA and chattr flags are not copied. */
	archive_read_disk_set_behavior(e->disk,
				       ARCHIVE_READDISK_NO_SPARSE | ARCHIVE_READDISK_NO_FFLAGS);
	return 0;
}

void fb_entries_dir_done(struct fb_entries *e)
{
	while (e->depth > 0)
		walk_pop(e);
	closep(&e->root_fd);
	closep(&e->data_fd);
	tdestroy(e->links, free);
	if (e->disk)
		archive_read_free(e->disk);
	if (e->de)
		archive_entry_free(e->de);
	free(e->stack);
	free(e->full);
	free(e->data_buf);
}
