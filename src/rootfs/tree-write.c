// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writing a tree (rootfs-tree.c) as one archive with libarchive: a pax tar
 * (ustar unless a name or an xattr needs more) for a rootfs, a newc cpio
 * compressed with zstd or gzip for an initramfs.  In a cpio, a hard link is
 * a second entry with the same inode number: the kernel's unpacker keeps
 * the data of the first (nlink >= 2) and links the later ones to it.
 */
#include <archive.h>
#include <archive_entry.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "tree-internal.h"

#define ZERO_BLOCK 65536

struct writer {
	struct fb_tree *t;
	enum fb_tree_format format;
	const char *out;
	struct archive *a;
	struct archive_entry *ae;
	unsigned next_ino;
	int r; /* for the twalk_r() callback */
};

static int ar_fail(struct writer *w, const char *path)
{
	const char *msg = archive_error_string(w->a);
	int err = archive_errno(w->a);

	fb_err("cannot write '%s'%s%s%s: %s", w->out, path ? " at '" : "", path ? path : "",
	       path ? "'" : "", msg ? msg : "unknown error");
	return err > 0 ? -err : -EIO;
}

static int write_bytes(struct writer *w, const void *buf, size_t len, const char *path)
{
	la_ssize_t n = archive_write_data(w->a, buf, len);

	if (n < 0 || (size_t)n != len)
		return ar_fail(w, path);
	return 0;
}

static int write_zeros(struct writer *w, uint64_t len, const char *path)
{
	static const char zeros[ZERO_BLOCK];
	int r = 0;

	while (len > 0 && r >= 0) {
		size_t n = len > sizeof(zeros) ? sizeof(zeros) : (size_t)len;

		r = write_bytes(w, zeros, n, path);
		len -= n;
	}
	return r;
}

static unsigned ae_type(enum fb_entry_type type)
{
	switch (type) {
	case FB_ENTRY_DIR:
		return AE_IFDIR;
	case FB_ENTRY_SYMLINK:
		return AE_IFLNK;
	case FB_ENTRY_CHR:
		return AE_IFCHR;
	case FB_ENTRY_BLK:
		return AE_IFBLK;
	case FB_ENTRY_FIFO:
		return AE_IFIFO;
	case FB_ENTRY_SOCK:
		return AE_IFSOCK;
	default:
		return AE_IFREG;
	}
}

/* Tar names say "./etc/passwd", as mmdebstrap's and docker's do; cpio names are bare. */
static int set_name(struct writer *w, const char *path, bool hardlink)
{
	_cleanup_free_ char *s = NULL;

	if (w->format != FB_TREE_TAR) {
		if (hardlink)
			archive_entry_copy_hardlink(w->ae, path);
		else
			archive_entry_copy_pathname(w->ae, path);
		return 0;
	}
	if (asprintf(&s, "./%s", path) < 0)
		return -ENOMEM;
	if (hardlink)
		archive_entry_copy_hardlink(w->ae, s);
	else
		archive_entry_copy_pathname(w->ae, s);
	return 0;
}

/* cpio: inode numbers and link counts; a hard link shares its target's inode. */
static int set_cpio_links(struct writer *w, const struct fb_entry *e, struct base_ent *be)
{
	struct base_ent *target;

	archive_entry_set_nlink(w->ae, e->type == FB_ENTRY_DIR ? 2 : 1);
	if (e->type != FB_ENTRY_HARDLINK) {
		archive_entry_set_ino(w->ae, ++w->next_ino);
		if (be && be->link_target && e->type == FB_ENTRY_REG) {
			archive_entry_set_nlink(w->ae, 2);
			be->ino = w->next_ino;
		}
		return 0;
	}
	target = fb_tree_find(&w->t->base_index, e->link);
	if (!target || !target->ino)
		return fb_err_errno(-ENOENT, "cannot write '%s': hard link '%s' to missing '%s'",
				    w->out, e->path, e->link);
	archive_entry_set_ino(w->ae, target->ino);
	archive_entry_set_nlink(w->ae, 2);
	archive_entry_set_filetype(w->ae, AE_IFREG);
	archive_entry_set_size(w->ae, 0);
	return 0;
}

static int put_header(struct writer *w, const struct fb_entry *e, struct base_ent *be)
{
	struct archive_entry *ae = w->ae;
	int r;

	archive_entry_clear(ae);
	if (set_name(w, e->path, false) < 0)
		return fb_err_errno(-ENOMEM, "cannot write '%s'", w->out);
	archive_entry_set_filetype(ae, ae_type(e->type));
	archive_entry_set_perm(ae, e->mode & 07777);
	archive_entry_set_uid(ae, e->uid);
	archive_entry_set_gid(ae, e->gid);
	if (w->format == FB_TREE_TAR && e->uid == 0)
		archive_entry_set_uname(ae, "root");
	if (w->format == FB_TREE_TAR && e->gid == 0)
		archive_entry_set_gname(ae, "root");
	archive_entry_set_mtime(ae, e->mtime, e->mtime_nsec);
	/* the cpio writer wants a size on every entry; a symlink's target is its data */
	archive_entry_set_size(ae, e->type == FB_ENTRY_REG ? (la_int64_t)e->size : 0);
	if (e->type == FB_ENTRY_SYMLINK)
		archive_entry_copy_symlink(ae, e->link);
	if (e->type == FB_ENTRY_CHR || e->type == FB_ENTRY_BLK) {
		archive_entry_set_rdevmajor(ae, e->rdev_major);
		archive_entry_set_rdevminor(ae, e->rdev_minor);
	}
	if (w->format == FB_TREE_TAR && e->type == FB_ENTRY_HARDLINK &&
	    set_name(w, e->link, true) < 0)
		return fb_err_errno(-ENOMEM, "cannot write '%s'", w->out);
	if (w->format != FB_TREE_TAR) {
		r = set_cpio_links(w, e, be);
		if (r < 0)
			return r;
	}
	/* newc has no room for xattrs; ACLs come as system.posix_acl_* values, kept as such. */
	for (size_t i = 0; w->format == FB_TREE_TAR && i < e->n_xattrs; i++)
		archive_entry_xattr_add_entry(ae, e->xattrs[i].name, e->xattrs[i].value,
					      e->xattrs[i].size);
	r = archive_write_header(w->a, ae);
	if (r < ARCHIVE_WARN)
		return ar_fail(w, e->path);
	if (r == ARCHIVE_WARN)
		fb_warn("'%s': '%s': %s, ignoring", w->out, e->path, archive_error_string(w->a));
	return 0;
}

/* The data of the current base entry, holes written as zeros. */
static int put_stream(struct writer *w, const struct fb_entry *e, struct fb_entries *src)
{
	uint64_t pos = 0, off;
	const void *buf;
	size_t len;
	int r;

	while ((r = fb_entries_read(src, &buf, &len, &off)) > 0) {
		if (off < pos || off > e->size || len > e->size - off)
			return fb_err_errno(-EBADMSG, "'%s': '%s' has data beyond its size",
					    w->t->base, e->path);
		r = write_zeros(w, off - pos, e->path);
		if (r >= 0)
			r = write_bytes(w, buf, len, e->path);
		if (r < 0)
			return r;
		pos = off + len;
	}
	if (r < 0)
		return r;
	return write_zeros(w, e->size - pos, e->path);
}

/* Whether a directory above PATH was replaced by an added non-directory. */
static bool under_replaced(const struct fb_tree *t, const char *path)
{
	_cleanup_free_ char *p = strdup(path);

	for (char *s = p ? strchr(p, '/') : NULL; s; s = strchr(s + 1, '/')) {
		const struct node *n;

		*s = '\0';
		n = fb_tree_find(&t->nodes, p);
		*s = '/';
		if (n && n->it.type != FB_ENTRY_DIR)
			return true;
	}
	return false;
}

static int copy_one(struct writer *w, struct fb_entries *src, const struct fb_entry *ent)
{
	struct fb_tree *t = w->t;
	struct base_ent *be = fb_tree_find(&t->base_index, ent->path), *target;
	struct node *n = fb_tree_find(&t->nodes, ent->path);
	struct fb_entry e = *ent;
	int r;

	if (!*ent->path)
		return w->format == FB_TREE_TAR ? put_header(w, ent, be) : 0;
	if (under_replaced(t, ent->path) ||
	    (n && !(n->it.type == FB_ENTRY_DIR && ent->type == FB_ENTRY_DIR))) {
		if (be)
			be->skipped = true;
		if (n && n->it.keep_meta && ent->type == FB_ENTRY_REG) {
			n->it.mode = ent->mode;
			n->it.uid = ent->uid;
			n->it.gid = ent->gid;
		}
		return 0;
	}
	if (ent->type == FB_ENTRY_HARDLINK) {
		target = fb_tree_find(&t->base_index, ent->link);
		if (target && target->skipped)
			return fb_err_errno(-EBUSY,
					    "cannot replace '%s' of '%s': '%s' is a hard link "
					    "to it",
					    ent->link, t->base, ent->path);
	}
	if (n) {
		n->written = true;
		if (!n->it.weak) {
			e.mode = n->it.mode;
			e.uid = n->it.uid;
			e.gid = n->it.gid;
		}
	}
	r = put_header(w, &e, be);
	if (r >= 0 && e.type == FB_ENTRY_REG)
		r = put_stream(w, &e, src);
	return r;
}

static int copy_base(struct writer *w)
{
	struct fb_entries *src = NULL;
	const struct fb_entry *ent;
	int r;

	r = fb_entries_open(w->t->base, NULL, &src);
	if (r < 0)
		return r;
	while ((r = fb_entries_next(src, &ent)) > 0) {
		r = copy_one(w, src, ent);
		if (r < 0)
			break;
	}
	fb_entries_free(src);
	return r;
}

static int put_node(struct writer *w, struct node *n)
{
	const struct fb_tree_item *it = &n->it;
	struct fb_entry e = {
		.path = n->path,
		.type = it->type,
		.mode = it->mode,
		.uid = it->uid,
		.gid = it->gid,
		.mtime = w->t->mtime,
		.size = it->type == FB_ENTRY_REG ? it->size : 0,
		.link = it->link,
		.rdev_major = it->major,
		.rdev_minor = it->minor,
	};
	int r;

	r = put_header(w, &e, NULL);
	if (r >= 0 && e.size > 0)
		r = write_bytes(w, it->data, it->size, n->path);
	n->written = true;
	return r;
}

/* twalk_r() visits each node twice on the way (or once, a leaf): postorder is sorted order. */
static void walk_node(const void *nodep, VISIT which, void *closure)
{
	struct writer *w = closure;
	struct node *n = *(struct node *const *)nodep;

	if (w->r < 0 || n->written || (which != postorder && which != leaf))
		return;
	w->r = put_node(w, n);
}

static void reset_node(const void *nodep, VISIT which _unused_, void *closure _unused_)
{
	(*(struct node *const *)nodep)->written = false;
}

static void reset_base(const void *nodep, VISIT which _unused_, void *closure _unused_)
{
	struct base_ent *b = *(struct base_ent *const *)nodep;

	b->skipped = false;
	b->ino = 0;
}

static int writer_open(struct writer *w, int fd)
{
	struct archive *a;

	w->a = a = archive_write_new();
	w->ae = archive_entry_new();
	if (!a || !w->ae)
		return fb_err_errno(-ENOMEM, "cannot write '%s'", w->out);
	if (w->format == FB_TREE_TAR) {
		if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK)
			return ar_fail(w, NULL);
	} else if (archive_write_set_format_cpio_newc(a) != ARCHIVE_OK ||
		   (w->format == FB_TREE_CPIO_ZSTD
			    ? archive_write_add_filter_zstd(a)
			    : archive_write_add_filter_gzip(a)) != ARCHIVE_OK) {
		return ar_fail(w, NULL);
	}
	/* gzip stores the time of writing unless told not to: the same tree, the same bytes. */
	if (w->format == FB_TREE_CPIO_GZIP &&
	    archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK)
		return ar_fail(w, NULL);
	if (archive_write_open_fd(a, fd) != ARCHIVE_OK)
		return ar_fail(w, NULL);
	return 0;
}

/* A tar names its root "./" (mode 0755, root's), unless the base does. */
static int put_root(struct writer *w)
{
	struct fb_entry e = { .path = "", .type = FB_ENTRY_DIR, .mode = 0755, .mtime = w->t->mtime };

	if (w->format != FB_TREE_TAR || fb_tree_find(&w->t->base_index, ""))
		return 0;
	return put_header(w, &e, NULL);
}

static int write_all(struct writer *w, int fd)
{
	int r;

	/* a tree may be written more than once */
	twalk_r(w->t->nodes, reset_node, NULL);
	twalk_r(w->t->base_index, reset_base, NULL);
	r = writer_open(w, fd);
	if (r >= 0)
		r = put_root(w);
	if (r >= 0 && w->t->base)
		r = copy_base(w);
	if (r >= 0) {
		twalk_r(w->t->nodes, walk_node, w);
		r = w->r;
	}
	if (r >= 0 && archive_write_close(w->a) != ARCHIVE_OK)
		r = ar_fail(w, NULL);
	if (w->a)
		archive_write_free(w->a);
	if (w->ae)
		archive_entry_free(w->ae);
	return r;
}

int fb_tree_write(struct fb_tree *t, const char *out, enum fb_tree_format format)
{
	struct writer w = { .t = t, .format = format, .out = out };
	int fd, r;

	assert(format < _FB_TREE_FORMAT_MAX);
	fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return fb_err_errno(-errno, "cannot create '%s'", out);
	r = write_all(&w, fd);
	if (r >= 0 && fsync(fd) < 0)
		r = fb_err_errno(-errno, "cannot write '%s'", out);
	if (close(fd) < 0 && r >= 0)
		r = fb_err_errno(-errno, "cannot write '%s'", out);
	if (r < 0)
		unlink(out);
	return r;
}
