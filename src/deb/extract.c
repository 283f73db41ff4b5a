// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PATH of a .deb into a directory of the cache (see deb-archive.h).
 *
 * Every name is made below the directory's descriptor, one component at a
 * time, never through a symbolic link: a package that holds "a -> /etc" and
 * then "a/passwd" is refused, not followed out of the cache.  A PATH that is
 * itself a symbolic link is resolved inside the package, as the installed
 * system would resolve it.  Hard links are linked when their target was
 * extracted too, and copied from a second read otherwise.  Directory modes
 * are set last, so a read-only directory does not stop its own entries.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "reader.h"

#define MAX_FOLLOW 16

struct named_mode {
	char *rel; /* below the destination */
	mode_t mode;
	char *target; /* a hard link's target in the package, or NULL */
};

struct extract {
	const char *deb;
	int dirfd;	  /* the destination's parent */
	const char *base; /* the destination's name in it */
	const char *want; /* in the package, normalized; "" for all of it */
	struct named_mode *dirs, *copies;
	size_t n_dirs, n_copies;
	char *follow; /* WANT is a symbolic link to this */
	unsigned n;
};

static void named_modes_free(struct named_mode *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].rel);
		free(v[i].target);
	}
	free(v);
}

static int named_mode_add(struct named_mode **v, size_t *n, const char *rel, mode_t mode,
			  const char *target)
{
	struct named_mode *nv = reallocarray(*v, *n + 1, sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = (struct named_mode){ .rel = strdup(rel), .mode = mode };
	if (target)
		nv[*n].target = strdup(target);
	if (!nv[*n].rel || (target && !nv[*n].target)) {
		free(nv[*n].rel);
		free(nv[*n].target);
		return -ENOMEM;
	}
	(*n)++;
	return 0;
}

/*
 * REL's parent below DIRFD, its directories made as needed and none of them
 * a symbolic link: a new descriptor in *RET_FD, REL's last part in *RET_LEAF.
 */
static int open_parent(int dirfd, char *rel, int *ret_fd, const char **ret_leaf)
{
	_cleanup_close_ int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	char *part = rel, *slash;

	if (fd < 0)
		return -errno;
	while ((slash = strchr(part, '/'))) {
		int next;

		*slash = '\0';
		if (mkdirat(fd, part, 0700) < 0 && errno != EEXIST)
			next = -errno;
		else
			next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		*slash = '/';
		if (next < 0)
			return next == -1 ? -errno : next;
		close(fd);
		fd = next;
		part = slash + 1;
	}
	*ret_fd = TAKE_FD(fd);
	*ret_leaf = part;
	return 0;
}

static int make_entry(struct extract *x, struct fb_deb_reader *r, const struct fb_deb_entry *e,
		      char *rel)
{
	_cleanup_close_ int fd = -EBADF;
	const char *leaf;
	int q = open_parent(x->dirfd, rel, &fd, &leaf);

	if (q < 0)
		return fb_err_errno(q, "cannot extract '%s' from '%s'%s", e->path, x->deb,
				    q == -ELOOP || q == -ENOTDIR ? ": it lies under a symbolic link"
								 : "");
	switch (e->type) {
	case S_IFDIR:
		if (mkdirat(fd, leaf, 0700) < 0 && errno != EEXIST)
			return fb_err_errno(-errno, "cannot create '%s'", rel);
		q = named_mode_add(&x->dirs, &x->n_dirs, rel, e->mode, NULL);
		break;
	case S_IFLNK:
		if (symlinkat(e->link ?: "", fd, leaf) < 0)
			return fb_err_errno(-errno, "cannot create '%s'", rel);
		break;
	case S_IFREG:
		return fb_deb_reader_copy_at(r, fd, leaf, e->mode);
	default:
		return 0; /* a package holds no devices or fifos worth taking */
	}
	return q; /* -ENOMEM, logged by the caller */
}

/* The part of PATH at or below WANT ("" or "/x"; all of PATH when WANT is ""), or NULL. */
static const char *below(const char *path, const char *want)
{
	size_t n = strlen(want);

	if (strncmp(path, want, n) || (n && path[n] != '\0' && path[n] != '/'))
		return NULL;
	return path + n;
}

/* Where the entry at TAIL (from below()) goes, below the destination's parent. */
static char *dest_rel(const struct extract *x, const char *tail)
{
	char *rel;

	if (asprintf(&rel, "%s%s%s", x->base, *x->want ? "" : "/", tail) < 0)
		return NULL;
	return rel;
}

static int link_at(int dirfd, char *from, char *to)
{
	_cleanup_close_ int ffd = -EBADF, tfd = -EBADF;
	const char *fleaf, *tleaf;
	int q = open_parent(dirfd, from, &ffd, &fleaf);

	if (q >= 0)
		q = open_parent(dirfd, to, &tfd, &tleaf);
	if (q >= 0 && linkat(ffd, fleaf, tfd, tleaf, 0) < 0)
		q = -errno;
	return q;
}

/* A hard link REL to an earlier entry: linked when that was extracted, else copied later. */
static int make_hardlink(struct extract *x, const struct fb_deb_entry *e, char *rel)
{
	const char *tail = below(e->hardlink, x->want);
	_cleanup_free_ char *target = NULL;
	int q;

	if (!tail)
		return named_mode_add(&x->copies, &x->n_copies, rel, e->mode, e->hardlink);
	target = dest_rel(x, tail);
	if (!target)
		return -ENOMEM;
	q = link_at(x->dirfd, target, rel);
	return q < 0 ? fb_err_errno(q, "cannot link '%s' to '%s'", e->path, e->hardlink) : 0;
}

/* One read of the package: everything at or below WANT. */
static int extract_pass(struct extract *x)
{
	_cleanup_(fb_deb_reader_freep) struct fb_deb_reader *r = NULL;
	struct fb_deb_entry e = { 0 };
	int q;

	r = fb_deb_reader_open(x->deb, &q);
	if (!r)
		return q;
	while ((q = fb_deb_reader_next(r, &e)) > 0) {
		const char *tail = below(e.path, x->want);
		_cleanup_free_ char *rel = NULL;

		if (!tail || !*e.path)
			continue;
		if (*x->want && !*tail && e.type == S_IFLNK) {
			/* WANT itself is a symbolic link: the caller follows it */
			x->follow = strdup(e.link ?: "");
			return x->follow ? 0 : fb_err_errno(-ENOMEM, "cannot extract '%s'", e.path);
		}
		rel = dest_rel(x, tail);
		if (!rel)
			return fb_err_errno(-ENOMEM, "cannot extract '%s'", e.path);
		q = e.hardlink ? make_hardlink(x, &e, rel) : make_entry(x, r, &e, rel);
		if (q < 0)
			return q == -ENOMEM ? fb_err_errno(q, "cannot extract '%s'", e.path) : q;
		x->n++;
		if (*x->want && !*tail && e.type != S_IFDIR)
			break; /* a file (not a directory) is the whole answer */
	}
	return q;
}

/* Hard links to files outside WANT: their targets' bytes, from a second read. */
static int copy_hardlinks(struct extract *x)
{
	_cleanup_(fb_deb_reader_freep) struct fb_deb_reader *r = NULL;
	struct fb_deb_entry e = { 0 };
	size_t done = 0;
	int q;

	r = fb_deb_reader_open(x->deb, &q);
	if (!r)
		return q;
	while (done < x->n_copies && (q = fb_deb_reader_next(r, &e)) > 0) {
		struct named_mode *first = NULL;

		if (e.type != S_IFREG)
			continue;
		for (size_t i = 0; q >= 0 && i < x->n_copies; i++) {
			struct named_mode *c = &x->copies[i];
			_cleanup_close_ int fd = -EBADF;
			const char *leaf;

			if (strcmp(c->target, e.path))
				continue;
			if (first) {
				q = link_at(x->dirfd, first->rel, c->rel);
			} else {
				q = open_parent(x->dirfd, c->rel, &fd, &leaf);
				if (q >= 0)
					q = fb_deb_reader_copy_at(r, fd, leaf, c->mode);
				first = c;
			}
			done++;
		}
		if (q < 0)
			return fb_err_errno(q, "cannot extract '%s' from '%s'", e.path, x->deb);
	}
	if (q < 0)
		return q;
	return done == x->n_copies
		       ? 0
		       : fb_err_errno(-EBADMSG, "'%s' has a hard link to no file", x->deb);
}

/* Directory modes, deepest first: a read-only directory is made so last. */
static int set_dir_modes(const struct extract *x)
{
	for (size_t i = x->n_dirs; i-- > 0;) {
		_cleanup_close_ int pfd = -EBADF, fd = -EBADF;
		const char *leaf;
		int q = open_parent(x->dirfd, x->dirs[i].rel, &pfd, &leaf);

		if (q >= 0 &&
		    (fd = openat(pfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			q = -errno;
		if (q >= 0 && fchmod(fd, x->dirs[i].mode) < 0)
			q = -errno;
		if (q < 0)
			return fb_err_errno(q, "cannot set the mode of '%s'", x->dirs[i].rel);
	}
	return 0;
}

/* LINK, found at the package's AT, as a normalized package path; NULL when it leaves the package. */
static char *resolve_link(const char *at, const char *link)
{
	_cleanup_free_ char *joined = NULL;
	char *out, *o, *save = NULL;
	const char *slash = strrchr(at, '/');

	if (asprintf(&joined, "%.*s/%s", link[0] == '/' || !slash ? 0 : (int)(slash - at), at,
		     link) < 0)
		return NULL;
	out = o = calloc(1, strlen(joined) + 1);
	if (!out)
		return NULL;
	for (char *p = strtok_r(joined, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (!strcmp(p, "."))
			continue;
		if (!strcmp(p, "..")) {
			/* as in the kernel, ".." of the root is the root */
			while (o > out && *--o != '/')
				;
			*o = '\0';
			continue;
		}
		o += sprintf(o, "%s%s", o > out ? "/" : "", p);
	}
	return out;
}

static int extract_once(struct extract *x)
{
	int q = extract_pass(x);

	if (q >= 0 && !x->follow && x->n_copies)
		q = copy_hardlinks(x);
	if (q >= 0 && !x->follow)
		q = set_dir_modes(x);
	return q;
}

int fb_deb_extract(const char *deb, const char *path, const char *dest)
{
	_cleanup_free_ char *parent = strdup(dest), *want = strdup(path);
	char *slash = parent ? strrchr(parent, '/') : NULL;
	_cleanup_close_ int dirfd = -EBADF;
	struct extract x = { .deb = deb };
	int q = 0;

	if (!want || !slash)
		return fb_err_errno(want ? -EINVAL : -ENOMEM, "cannot extract to '%s'", dest);
	*slash = '\0';
	dirfd = open(*parent ? parent : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return fb_err_errno(-errno, "cannot open '%s'", parent);
	x.dirfd = dirfd;
	x.base = slash + 1;
	for (unsigned hops = 0; q >= 0; hops++) {
		char *next;

		x.want = want;
		q = extract_once(&x);
		if (q < 0 || !x.follow)
			break;
		if (hops == MAX_FOLLOW) {
			q = fb_err_errno(-ELOOP, "'%s' in '%s': too many symbolic links", path,
					 deb);
			break;
		}
		next = resolve_link(want, x.follow);
		free(want);
		want = next;
		free(x.follow);
		x.follow = NULL;
		if (!want)
			q = fb_err_errno(-ENOMEM, "cannot extract '%s'", path);
		else if (!*want)
			q = -ENOENT; /* a link to the package's root: not a file to take */
	}
	named_modes_free(x.dirs, x.n_dirs);
	named_modes_free(x.copies, x.n_copies);
	free(x.follow);
	if (q < 0)
		return q;
	return x.n > 0 ? (int)x.n : -ENOENT;
}
