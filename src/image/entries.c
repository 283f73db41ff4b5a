// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A file tree as a stream of entries: the common API and the archive
 * source.  Archives are tar and cpio, compressed or not; their paths are
 * normalised here so that the consumer sees one spelling per file.  The
 * directory source is in entries-dir.c; both describe files with
 * libarchive, so that they come out alike.
 */
#include <archive.h>
#include <archive_entry.h>
#include <endian.h>
#include <string.h>
#include <sys/stat.h>

#include "entries-internal.h"

/* An entry of the kernel's POSIX ACL xattr format (struct posix_acl_xattr_entry). */
struct acl_ent {
	uint16_t tag, perm;
	uint32_t id;
};

int fb_entries_grow(void *pp, size_t *cap, size_t need, size_t size)
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

	r = fb_entries_grow(buf, cap, strlen(in) + 1, 1);
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
int fb_entries_ar_err(struct archive *a, const char *where, const char *src, const char *entry)
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

	if (fb_entries_grow(&e->xattrs, &e->xattrs_cap, n + 2, sizeof(*e->xattrs)) < 0)
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
	if (fb_entries_grow(&e->acl[i], &e->acl_cap[i], 4 + (size_t)n * sizeof(*v), 1) < 0)
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
int fb_entries_fill(struct fb_entries *e, struct archive_entry *ae)
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
			return fb_err_code(-EBADMSG, "'%s': symlink '%s' has no target", e->src,
					   c->path);
	}
	if (c->type == _FB_ENTRY_TYPE_MAX)
		return fb_err_code(-EBADMSG, "'%s': '%s' has an unknown file type", e->src,
				   c->path);
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
		return fb_err_code(-EBADMSG, "cannot read '%s': it is empty", e->src);
	if (fmt == ARCHIVE_FORMAT_TAR && e->started && archive_filter_bytes(e->ar, 0) == pos)
		return fb_err_code(-EBADMSG,
				   "cannot read '%s' after entry '%s': truncated tar archive",
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
			return fb_entries_ar_err(e->ar, "at entry", e->src, e->path);
		pos = archive_filter_bytes(e->ar, 0);
	}
	r = archive_read_next_header(e->ar, &ae);
	if (r == ARCHIVE_EOF)
		return check_end(e, pos);
	if (r < ARCHIVE_WARN)
		return fb_entries_ar_err(e->ar, "after entry", e->src, e->started ? e->path : NULL);
	if (r == ARCHIVE_WARN)
		fb_warn("'%s': %s, ignoring", e->src, archive_error_string(e->ar));
	e->started = true;

	p = archive_entry_pathname(ae);
	if (!p || normalise(p, &e->path, &e->path_cap) < 0)
		return fb_err_code(-EBADMSG, "'%s': entry '%s' has an unusable path", e->src,
				   p ? p : "?");
	e->cur.path = e->path;
	r = fb_entries_fill(e, ae);
	if (r < 0)
		return r;
	hl = archive_entry_hardlink(ae);
	if (hl) {
		if (normalise(hl, &e->link, &e->link_cap) < 0 || !*e->link)
			return fb_err_code(-EBADMSG, "'%s': hard link '%s' has an unusable target",
					   e->src, e->path);
		e->cur.link = e->link;
	}
	return 1;
}

int fb_entries_next(struct fb_entries *e, const struct fb_entry **ret)
{
	int r;

	closep(&e->data_fd);
	e->data_fd = -EBADF;
	e->cur = (struct fb_entry){ 0 };
	r = e->ar ? next_archive(e) : fb_entries_dir_next(e);
	if (r > 0)
		*ret = &e->cur;
	return r;
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
			return fb_entries_ar_err(e->ar, "at entry", e->src, e->cur.path);
		if (r == ARCHIVE_WARN)
			fb_warn("'%s': '%s': %s, ignoring", e->src, e->cur.path,
				archive_error_string(e->ar));
		if (off < 0)
			return fb_err_code(-EBADMSG, "'%s': '%s' has data at a negative offset",
					   e->src, e->cur.path);
		if (*len > 0) {
			*offset = (uint64_t)off;
			return 1;
		}
	}
}

int fb_entries_read(struct fb_entries *e, const void **buf, size_t *len, uint64_t *offset)
{
	return e->ar ? read_archive(e, buf, len, offset) : fb_entries_dir_read(e, buf, len, offset);
}

/*
 * Only what a root filesystem comes in, not *_all(): mtree would read the
 * host files a manifest names, and lrzip, lzop and grzip run programs.  The
 * filters here run a program too when libarchive was built without their
 * library, and then return ARCHIVE_WARN: that is refused (Debian's has
 * them all).  Registering fails otherwise only when out of memory.
 */
static const struct {
	const char *name;
	int (*add)(struct archive *a);
} readers[] = {
	{ "bzip2", archive_read_support_filter_bzip2 },
	{ "compress", archive_read_support_filter_compress },
	{ "gzip", archive_read_support_filter_gzip },
	{ "lzma", archive_read_support_filter_lzma },
	{ "xz", archive_read_support_filter_xz },
	{ "lz4", archive_read_support_filter_lz4 },
	{ "zstd", archive_read_support_filter_zstd },
	{ "uncompressed", archive_read_support_filter_none },
	{ "ar", archive_read_support_format_ar },     /* Debian packages (.deb) */
	{ "cpio", archive_read_support_format_cpio }, /* odc, newc, crc, binary */
	{ "empty", archive_read_support_format_empty },
	{ "tar", archive_read_support_format_tar }, /* ustar, pax, GNU, v7 */
};

static int open_archive(struct fb_entries *e)
{
	int r;

	e->ar = archive_read_new();
	if (!e->ar)
		return -ENOMEM;
	for (size_t i = 0; i < ELEMENTSOF(readers); i++) {
		r = readers[i].add(e->ar);
		if (r == ARCHIVE_WARN)
			return fb_err_code(-ENOTSUP,
					   "cannot read '%s': libarchive has no built-in %s reader",
					   e->src, readers[i].name);
		if (r != ARCHIVE_OK)
			return -ENOMEM;
	}
	if (archive_read_open_filename(e->ar, e->src, DATA_BUF_SIZE) != ARCHIVE_OK)
		return fb_entries_ar_err(e->ar, NULL, e->src, NULL);
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
	e->clamp_time = opts ? opts->clamp_time : 0;
	e->src = strdup(path);
	if (!e->src)
		r = -ENOMEM;
	else
		r = S_ISDIR(st.st_mode) ? fb_entries_dir_open(e) : open_archive(e);
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
	fb_entries_dir_done(e);
	if (e->ar)
		archive_read_free(e->ar);
	free(e->path);
	free(e->link);
	free(e->xattrs);
	free(e->acl[0]);
	free(e->acl[1]);
	free(e->src);
	free(e);
	return NULL;
}
