// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A file tree as a stream of entries.  Directories are walked depth first
 * in byte order of names, and each file is described by libarchive's disk
 * reader, so that modes, owners, times, symlink targets and xattrs come out
 * exactly as they do for an archive.  Archives are anything libarchive
 * reads; their paths are normalised here so that the consumer sees one
 * spelling per file.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <endian.h>
#include <fcntl.h>
#include <search.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "core/log.h"
#include "image/entries.h"

/* Logs without a strerror() suffix, which would only repeat the message. */
#define fail(r, ...) (fb_log_errno(FB_LOG_ERR, 0, __VA_ARGS__), (r))

/* Big reads: a rootfs is mostly small files, but images carry big ones. */
#define DATA_BUF_SIZE (1024 * 1024)

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

struct fb_entries {
	char *src;
	bool keep_owners;

	struct archive *ar; /* archive source */

	struct archive *disk; /* directory source */
	struct archive_entry *de;
	int root_fd;
	struct walk_dir *stack;
	size_t depth, stack_cap;
	char *full; /* src + '/' + the current path */
	size_t full_cap, src_len;
	void *links;
	int data_fd;
	uint64_t data_pos, data_hole;
	void *data_buf;

	struct fb_entry cur;
	bool started;
	char *path, *link;
	size_t path_cap, link_cap;
	struct fb_xattr *xattrs;
	size_t xattrs_cap;
	uint8_t *acl[2]; /* POSIX ACLs as xattr values: access, default */
	size_t acl_cap[2];
};

/* An entry of the kernel's POSIX ACL xattr format (struct posix_acl_xattr_entry). */
struct acl_ent {
	uint16_t tag, perm;
	uint32_t id;
};

static int grow(void *pp, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*(void **)pp, n * size);
	if (!p)
		return -ENOMEM;
	*(void **)pp = p;
	*cap = n;
	return 0;
}

/*
 * Archives spell one file many ways ("./a/b/", "/a//b", "a/./b").  Keep
 * the components only; ".." could make one tree entry alias another, so
 * such a path is refused rather than guessed at.
 */
static int normalise(const char *in, char **buf, size_t *cap)
{
	size_t o = 0;
	int r;

	r = grow(buf, cap, strlen(in) + 1, 1);
	if (r < 0)
		return r;
	while (*in) {
		size_t len = strcspn(in, "/");

		if (len == 2 && in[0] == '.' && in[1] == '.')
			return -EINVAL;
		if (len > 0 && !(len == 1 && in[0] == '.')) {
			if (o > 0)
				(*buf)[o++] = '/';
			memcpy(*buf + o, in, len);
			o += len;
		}
		in += len;
		in += strspn(in, "/");
	}
	(*buf)[o] = '\0';
	return 0;
}

static enum fb_entry_type entry_type(mode_t ft)
{
	switch (ft) {
	case AE_IFREG:
		return FB_ENTRY_REG;
	case AE_IFDIR:
		return FB_ENTRY_DIR;
	case AE_IFLNK:
		return FB_ENTRY_SYMLINK;
	case AE_IFCHR:
		return FB_ENTRY_CHR;
	case AE_IFBLK:
		return FB_ENTRY_BLK;
	case AE_IFIFO:
		return FB_ENTRY_FIFO;
	case AE_IFSOCK:
		return FB_ENTRY_SOCK;
	default:
		return _FB_ENTRY_TYPE_MAX;
	}
}

/* libarchive's errno is 0, -1 or EILSEQ for a damaged stream: say so. */
static int ar_err(struct archive *a, const char *where, const char *src, const char *entry)
{
	const char *msg = archive_error_string(a);
	int err = archive_errno(a);

	if (entry && *entry)
		fb_log_errno(FB_LOG_ERR, 0, "cannot read '%s' %s '%s': %s", src, where, entry,
			     msg ? msg : "damaged or truncated archive");
	else
		fb_log_errno(FB_LOG_ERR, 0, "cannot read '%s': %s", src,
			     msg ? msg : "damaged or truncated archive");
	return err <= 0 || err == EILSEQ ? -EBADMSG : -err;
}

static int fill_xattrs(struct fb_entries *e, struct archive_entry *ae)
{
	size_t n = (size_t)archive_entry_xattr_reset(ae), i = 0;
	const char *name;
	const void *value;
	size_t size;

	if (grow(&e->xattrs, &e->xattrs_cap, n + 2, sizeof(*e->xattrs)) < 0)
		return -ENOMEM;
	while (i < n && archive_entry_xattr_next(ae, &name, &value, &size) == ARCHIVE_OK)
		e->xattrs[i++] = (struct fb_xattr){ .name = name, .value = value, .size = size };
	e->cur.xattrs = e->xattrs;
	e->cur.n_xattrs = i;
	return 0;
}

static int acl_ent_cmp(const void *a, const void *b)
{
	const struct acl_ent *x = a, *y = b;

	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static uint16_t acl_tag(int tag)
{
	switch (tag) {
	case ARCHIVE_ENTRY_ACL_USER_OBJ:
		return 0x01;
	case ARCHIVE_ENTRY_ACL_USER:
		return 0x02;
	case ARCHIVE_ENTRY_ACL_GROUP_OBJ:
		return 0x04;
	case ARCHIVE_ENTRY_ACL_GROUP:
		return 0x08;
	case ARCHIVE_ENTRY_ACL_MASK:
		return 0x10;
	case ARCHIVE_ENTRY_ACL_OTHER:
		return 0x20;
	default:
		return 0; /* NFSv4 */
	}
}

/*
 * The qualifier of a named ACL entry.  GNU tar may store a name alone; the
 * host's user database says nothing about the image's, so only a numeric
 * name can stand for an id.
 */
static int acl_id(struct fb_entries *e, int id, const char *qname, uint32_t *ret)
{
	char *end;
	unsigned long v;

	if (id >= 0) {
		*ret = (uint32_t)id;
		return 0;
	}
	errno = 0;
	v = qname ? strtoul(qname, &end, 10) : 0;
	if (!qname || !*qname || *end || errno || v > UINT32_MAX) {
		fb_warn("'%s': '%s': ACL entry for '%s' has no numeric id, ignoring", e->src,
			e->cur.path, qname ? qname : "?");
		return -EINVAL;
	}
	*ret = (uint32_t)v;
	return 0;
}

/*
 * libarchive hands POSIX ACLs over as its own entries, not as xattrs: turn
 * them back into "system.posix_acl_*" values (the kernel's format, sorted
 * by tag and id), which libext2fs stores in ext4's format, unless the
 * archive carried the xattr itself (GNU tar --xattrs).  libarchive also put
 * the owning group's bits into the mode; with an ACL the mode shows the
 * mask instead.
 */
static int add_acl(struct fb_entries *e, struct archive_entry *ae, int type, int i)
{
	static const char *const names[] = { "system.posix_acl_access",
					     "system.posix_acl_default" };
	int n = archive_entry_acl_reset(ae, type), atype, perm, tag, id, k = 0;
	const char *qname;
	struct acl_ent *v;
	bool raw = false;

	for (size_t j = 0; j < e->cur.n_xattrs; j++)
		raw = raw || strcmp(e->xattrs[j].name, names[i]) == 0;
	if (n <= 0)
		return 0;
	if (grow(&e->acl[i], &e->acl_cap[i], 4 + (size_t)n * sizeof(*v), 1) < 0)
		return -ENOMEM;
	v = (struct acl_ent *)(e->acl[i] + 4);
	while (k < n &&
	       archive_entry_acl_next(ae, type, &atype, &perm, &tag, &id, &qname) == ARCHIVE_OK) {
		v[k] = (struct acl_ent){ .tag = acl_tag(tag), .perm = perm & 7, .id = UINT32_MAX };
		if (v[k].tag == 0 || (!raw && (v[k].tag == 0x02 || v[k].tag == 0x08) &&
				      acl_id(e, id, qname, &v[k].id) < 0))
			continue;
		k++;
	}
	qsort(v, (size_t)k, sizeof(*v), acl_ent_cmp);
	for (int j = 0; j < k; j++) {
		if (type == ARCHIVE_ENTRY_ACL_TYPE_ACCESS && v[j].tag == 0x10)
			e->cur.mode = (e->cur.mode & ~070u) | (v[j].perm << 3);
		v[j] = (struct acl_ent){ htole16(v[j].tag), htole16(v[j].perm), htole32(v[j].id) };
	}
	if (raw)
		return 0;
	*(uint32_t *)e->acl[i] = htole32(2);
	e->xattrs[e->cur.n_xattrs++] = (struct fb_xattr){ .name = names[i],
							  .value = e->acl[i],
							  .size = 4 + (size_t)k * sizeof(*v) };
	return 0;
}

/* Everything but the path, shared by both sources. */
static int fill_entry(struct fb_entries *e, struct archive_entry *ae)
{
	struct fb_entry *c = &e->cur;

	c->type = archive_entry_hardlink(ae) ? FB_ENTRY_HARDLINK
					     : entry_type(archive_entry_filetype(ae));
	c->mode = archive_entry_perm(ae) & 07777;
	c->uid = archive_entry_uid(ae);
	c->gid = archive_entry_gid(ae);
	c->mtime = archive_entry_mtime(ae);
	c->mtime_nsec = archive_entry_mtime_nsec(ae);
	c->atime = archive_entry_atime_is_set(ae) ? archive_entry_atime(ae) : c->mtime;
	c->atime_nsec =
		archive_entry_atime_is_set(ae) ? archive_entry_atime_nsec(ae) : c->mtime_nsec;
	c->ctime = archive_entry_ctime_is_set(ae) ? archive_entry_ctime(ae) : c->mtime;
	c->ctime_nsec =
		archive_entry_ctime_is_set(ae) ? archive_entry_ctime_nsec(ae) : c->mtime_nsec;
	c->size = archive_entry_size_is_set(ae) && archive_entry_size(ae) > 0
			  ? (uint64_t)archive_entry_size(ae)
			  : 0;
	c->rdev_major = archive_entry_rdevmajor(ae);
	c->rdev_minor = archive_entry_rdevminor(ae);
	c->link = NULL;
	if (c->type == FB_ENTRY_SYMLINK) {
		c->link = archive_entry_symlink(ae);
		if (!c->link)
			return fail(-EBADMSG, "'%s': symlink '%s' has no target", e->src, c->path);
	}
	if (c->type == _FB_ENTRY_TYPE_MAX)
		return fail(-EBADMSG, "'%s': '%s' has an unknown file type", e->src, c->path);
	if (fill_xattrs(e, ae) < 0 || add_acl(e, ae, ARCHIVE_ENTRY_ACL_TYPE_ACCESS, 0) < 0 ||
	    add_acl(e, ae, ARCHIVE_ENTRY_ACL_TYPE_DEFAULT, 1) < 0)
		return fb_err_errno(-ENOMEM, "cannot read '%s'", e->src);
	return 0;
}

/*
 * libarchive, like tar, takes a tar archive that stops between two members
 * for a complete one.  A real one ends with zero blocks, which are read as
 * the end: no bytes read after the last member means it was cut short.
 */
static int check_end(struct fb_entries *e, int64_t pos)
{
	int fmt = archive_format(e->ar) & ARCHIVE_FORMAT_BASE_MASK;

	if (fmt == ARCHIVE_FORMAT_EMPTY)
		return fail(-EBADMSG, "cannot read '%s': it is empty", e->src);
	if (fmt == ARCHIVE_FORMAT_TAR && e->started && archive_filter_bytes(e->ar, 0) == pos)
		return fail(-EBADMSG, "cannot read '%s' after entry '%s': truncated tar archive",
			    e->src, e->path);
	return 0;
}

static int next_archive(struct fb_entries *e)
{
	struct archive_entry *ae;
	const char *p, *hl;
	int64_t pos = 0;
	int r;

	if (e->started) {
		if (archive_read_data_skip(e->ar) < ARCHIVE_WARN)
			return ar_err(e->ar, "at entry", e->src, e->path);
		pos = archive_filter_bytes(e->ar, 0);
	}
	r = archive_read_next_header(e->ar, &ae);
	if (r == ARCHIVE_EOF)
		return check_end(e, pos);
	if (r < ARCHIVE_WARN)
		return ar_err(e->ar, "after entry", e->src, e->started ? e->path : NULL);
	if (r == ARCHIVE_WARN)
		fb_warn("'%s': %s, ignoring", e->src, archive_error_string(e->ar));
	e->started = true;

	p = archive_entry_pathname(ae);
	if (!p || normalise(p, &e->path, &e->path_cap) < 0)
		return fail(-EBADMSG, "'%s': entry '%s' has an unusable path", e->src, p ? p : "?");
	e->cur.path = e->path;
	r = fill_entry(e, ae);
	if (r < 0)
		return r;
	hl = archive_entry_hardlink(ae);
	if (hl) {
		if (normalise(hl, &e->link, &e->link_cap) < 0 || !*e->link)
			return fail(-EBADMSG, "'%s': hard link '%s' has an unusable target", e->src,
				    e->path);
		e->cur.link = e->link;
	}
	return 1;
}

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
static int describe(struct fb_entries *e, int fd, const struct stat *st)
{
	int r;

	archive_entry_clear(e->de);
	archive_entry_copy_sourcepath(e->de, e->full);
	r = archive_read_disk_entry_from_file(e->disk, e->de, fd, st);
	if (r < ARCHIVE_WARN)
		return ar_err(e->disk, "at", e->src, e->full);
	if (r == ARCHIVE_WARN)
		fb_warn("'%s': %s, ignoring", e->full, archive_error_string(e->disk));
	r = fill_entry(e, e->de);
	if (r < 0)
		return r;
	if (!e->keep_owners)
		e->cur.uid = e->cur.gid = 0;
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

	r = grow(&e->stack, &e->stack_cap, e->depth + 1, sizeof(*e->stack));
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

/* Reading must not change the source: atimes are part of the next image. */
static int open_child(int dirfd, const char *name, bool is_dir)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (is_dir ? O_DIRECTORY : 0), fd;

	fd = openat(dirfd, name, flags | O_NOATIME);
	/* O_NOATIME is for the owner only */
	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, name, flags);
	return fd;
}

static int next_dir(struct fb_entries *e)
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
	r = grow(&e->full, &e->full_cap, d->full_len + strlen(de->d_name) + 2, 1);
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

int fb_entries_next(struct fb_entries *e, const struct fb_entry **ret)
{
	int r;

	closep(&e->data_fd);
	e->data_fd = -EBADF;
	e->cur = (struct fb_entry){ 0 };
	r = e->ar ? next_archive(e) : next_dir(e);
	if (r > 0)
		*ret = &e->cur;
	return r;
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

static int read_file(struct fb_entries *e, const void **buf, size_t *len, uint64_t *offset)
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
		return fail(-EIO, "'%s' shrank while being read", e->full);
	*buf = e->data_buf;
	*len = (size_t)n;
	*offset = e->data_pos;
	e->data_pos += (uint64_t)n;
	return 1;
}

static int read_archive(struct fb_entries *e, const void **buf, size_t *len, uint64_t *offset)
{
	la_int64_t off;
	int r;

	if (e->cur.type != FB_ENTRY_REG && e->cur.type != FB_ENTRY_HARDLINK)
		return 0;
	for (;;) {
		r = archive_read_data_block(e->ar, buf, len, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return ar_err(e->ar, "at entry", e->src, e->cur.path);
		if (r == ARCHIVE_WARN)
			fb_warn("'%s': '%s': %s, ignoring", e->src, e->cur.path,
				archive_error_string(e->ar));
		if (off < 0)
			return fail(-EBADMSG, "'%s': '%s' has data at a negative offset", e->src,
				    e->cur.path);
		if (*len > 0) {
			*offset = (uint64_t)off;
			return 1;
		}
	}
}

int fb_entries_read(struct fb_entries *e, const void **buf, size_t *len, uint64_t *offset)
{
	return e->ar ? read_archive(e, buf, len, offset) : read_file(e, buf, len, offset);
}

static int open_archive(struct fb_entries *e)
{
	e->ar = archive_read_new();
	if (!e->ar)
		return -ENOMEM;
	archive_read_support_filter_all(e->ar);
	archive_read_support_format_all(e->ar);
	if (archive_read_open_filename(e->ar, e->src, DATA_BUF_SIZE) != ARCHIVE_OK)
		return ar_err(e->ar, NULL, e->src, NULL);
	return 0;
}

static int open_dir(struct fb_entries *e)
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
	    grow(&e->full, &e->full_cap, e->src_len + 1, 1) < 0)
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

int fb_entries_open(const char *path, const struct fb_entries_opts *opts, struct fb_entries **ret)
{
	struct fb_entries *e;
	struct stat st;
	int r;

	if (stat(path, &st) < 0)
		return fb_err_errno(-errno, "cannot access '%s'", path);
	e = calloc(1, sizeof(*e));
	if (!e)
		return fb_err_errno(-ENOMEM, "cannot read '%s'", path);
	e->root_fd = e->data_fd = -EBADF;
	e->keep_owners = opts && opts->keep_owners;
	e->src = strdup(path);
	if (!e->src)
		r = -ENOMEM;
	else
		r = S_ISDIR(st.st_mode) ? open_dir(e) : open_archive(e);
	if (r < 0) {
		fb_entries_free(e);
		return r == -ENOMEM ? fb_err_errno(r, "cannot read '%s'", path) : r;
	}
	*ret = e;
	return 0;
}

struct fb_entries *fb_entries_free(struct fb_entries *e)
{
	if (!e)
		return NULL;
	while (e->depth > 0)
		walk_pop(e);
	closep(&e->root_fd);
	closep(&e->data_fd);
	tdestroy(e->links, free);
	if (e->ar)
		archive_read_free(e->ar);
	if (e->disk)
		archive_read_free(e->disk);
	if (e->de)
		archive_entry_free(e->de);
	free(e->stack);
	free(e->full);
	free(e->data_buf);
	free(e->path);
	free(e->link);
	free(e->xattrs);
	free(e->acl[0]);
	free(e->acl[1]);
	free(e->src);
	free(e);
	return NULL;
}
