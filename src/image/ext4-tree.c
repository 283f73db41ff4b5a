// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Applying fb_entries to a new ext4, as misc/create_inode.c does: a tree of
 * the paths made so far (and so a hard-link table), inodes for each kind of
 * entry, later entries replacing earlier ones, missing parents made as tar
 * makes them, and directory times set at the end.
 */
#include <et/com_err.h>
#include <search.h>
#include <string.h>

#include "ext4-internal.h"

static const struct {
	__u16 mode;
	int ftype;
} types[_FB_ENTRY_TYPE_MAX] = {
	[FB_ENTRY_REG] = { LINUX_S_IFREG, EXT2_FT_REG_FILE },
	[FB_ENTRY_DIR] = { LINUX_S_IFDIR, EXT2_FT_DIR },
	[FB_ENTRY_SYMLINK] = { LINUX_S_IFLNK, EXT2_FT_SYMLINK },
	[FB_ENTRY_CHR] = { LINUX_S_IFCHR, EXT2_FT_CHRDEV },
	[FB_ENTRY_BLK] = { LINUX_S_IFBLK, EXT2_FT_BLKDEV },
	[FB_ENTRY_FIFO] = { LINUX_S_IFIFO, EXT2_FT_FIFO },
	[FB_ENTRY_SOCK] = { LINUX_S_IFSOCK, EXT2_FT_SOCK },
};

static int mode_ftype(__u16 mode)
{
	for (size_t i = 0; i < ELEMENTSOF(types); i++)
		if (types[i].mode && types[i].mode == (mode & LINUX_S_IFMT))
			return types[i].ftype;
	return EXT2_FT_UNKNOWN;
}

static void set_time(__u32 *lo, __u32 *extra, int64_t sec, long nsec)
{
	*lo = (__u32)sec;
	*extra = ((__u32)((sec - (int32_t)*lo) >> 32) & EXT4_EPOCH_MASK) |
		 ((nsec >= 0 && nsec < 1000000000 ? (__u32)nsec : 0) << EXT4_EPOCH_BITS);
}

static void set_times(struct ext2_inode_large *in, const struct node *n)
{
	set_time(&in->i_atime, &in->i_atime_extra, n->atime, n->atime_nsec);
	set_time(&in->i_mtime, &in->i_mtime_extra, n->mtime, n->mtime_nsec);
	set_time(&in->i_ctime, &in->i_ctime_extra, n->ctime, n->ctime_nsec);
}

static void take_times(struct node *n, const struct fb_entry *e)
{
	n->atime = e->atime, n->atime_nsec = e->atime_nsec;
	n->mtime = e->mtime, n->mtime_nsec = e->mtime_nsec;
	n->ctime = e->ctime, n->ctime_nsec = e->ctime_nsec;
}

static void set_owner(struct ext2_inode_large *in, const struct fb_entry *e)
{
	in->i_mode = (in->i_mode & LINUX_S_IFMT) | (e->mode & 07777);
	in->i_uid = (__u16)e->uid;
	ext2fs_set_i_uid_high(*in, e->uid >> 16);
	in->i_gid = (__u16)e->gid;
	ext2fs_set_i_gid_high(*in, e->gid >> 16);
}

/* A whole inode in c->inode_buf: no bytes of an old inode table survive in it. */
static struct ext2_inode_large *init_inode(struct e4 *c, const struct fb_entry *e, __u16 type)
{
	struct ext2_inode_large *in = (void *)c->inode_buf;
	struct node times = { 0 };

	memset(c->inode_buf, 0, EXT2_INODE_SIZE(c->fs->super));
	in->i_mode = type;
	set_owner(in, e);
	take_times(&times, e);
	set_times(in, &times);
	in->i_crtime = (__u32)c->now;
	in->i_links_count = 1;
	in->i_extra_isize = sizeof(struct ext2_inode_large) - EXT2_GOOD_OLD_INODE_SIZE;
	return in;
}

static int new_inode(struct e4 *c, ext2_ino_t parent, __u16 type, ext2_ino_t *ret)
{
	errcode_t err = ext2fs_new_inode(c->fs, parent, type | 0755, NULL, ret);

	if (err)
		return fb_ext4_fail(c, err, "allocate an inode for");
	ext2fs_inode_alloc_stats2(c->fs, *ret, +1, type == LINUX_S_IFDIR);
	return 0;
}

static int add_links(struct e4 *c, ext2_ino_t ino, int delta)
{
	struct ext2_inode in;
	errcode_t err;

	err = ext2fs_read_inode(c->fs, ino, &in);
	if (err)
		return fb_ext4_fail(c, err, "read inode of");
	if (in.i_links_count + delta >= EXT2_LINK_MAX) {
		/* dir_nlink: a directory with too many subdirectories counts 1 */
		if (!LINUX_S_ISDIR(in.i_mode))
			return fb_err_code(-EMLINK, "%s: too many links to '%s'", c->name, c->path);
		in.i_links_count = 1;
	} else if (in.i_links_count != 1 || !LINUX_S_ISDIR(in.i_mode)) {
		in.i_links_count += delta;
	}
	err = ext2fs_write_inode(c->fs, ino, &in);
	return err ? fb_ext4_fail(c, err, "write inode of") : 0;
}

static int node_cmp(const void *a, const void *b)
{
	return strcmp(((const struct node *)a)->path, ((const struct node *)b)->path);
}

static struct node *node_find(struct e4 *c, const char *path)
{
	struct node key = { .path = path }, **n = tfind(&key, &c->tree, node_cmp);

	return n ? *n : NULL;
}

/* PATH is now INO; a node that had the path before is reused. */
int fb_ext4_node_set(struct e4 *c, const char *path, ext2_ino_t ino, bool is_dir, struct node **ret)
{
	size_t len = strlen(path);
	struct node *n = calloc(1, sizeof(*n) + len + 1), **found;

	if (!n)
		return fb_err_errno(-ENOMEM, "%s: cannot add '%s'", c->name, path);
	n->path = memcpy(n + 1, path, len + 1);
	found = tsearch(n, &c->tree, node_cmp);
	if (!found) {
		free(n);
		return fb_err_errno(-ENOMEM, "%s: cannot add '%s'", c->name, path);
	}
	if (*found != n) {
		free(n);
		n = *found;
	}
	n->ino = ino;
	n->is_dir = is_dir;
	if (ret)
		*ret = n;
	return 0;
}

/* Directory times are set last: adding children may change them. */
static int list_dir(struct e4 *c, struct node *n, const struct fb_entry *e)
{
	take_times(n, e);
	if (n->listed)
		return 0;
	if (c->n_dirs == c->dirs_cap) {
		size_t cap = c->dirs_cap ? c->dirs_cap * 2 : 256;
		struct node **d = realloc(c->dirs, cap * sizeof(*d));

		if (!d)
			return fb_err_errno(-ENOMEM, "%s: cannot add '%s'", c->name, n->path);
		c->dirs = d;
		c->dirs_cap = cap;
	}
	c->dirs[c->n_dirs++] = n;
	n->listed = true;
	return 0;
}

static int set_xattrs(struct e4 *c, ext2_ino_t ino, const struct fb_entry *e)
{
	struct ext2_xattr_handle *h = NULL;
	errcode_t err, err2;
	size_t i = 0;

	if (e->n_xattrs == 0)
		return 0;
	err = ext2fs_xattrs_open(c->fs, ino, &h);
	for (; !err && i < e->n_xattrs; i++)
		err = ext2fs_xattr_set(h, e->xattrs[i].name, e->xattrs[i].value, e->xattrs[i].size);
	if (h) {
		err2 = ext2fs_xattrs_close(&h);
		err = err ? err : err2;
	}
	if (err && fb_ext4_errno(err) != -ENOSPC) {
		fb_log_errno(FB_LOG_ERR, 0, "%s: cannot set xattr '%s' of '%s': %s", c->name,
			     e->xattrs[i ? i - 1 : 0].name, c->path, error_message(err));
		return fb_ext4_errno(err);
	}
	return err ? fb_ext4_fail(c, err, "set xattrs of") : 0;
}

static int new_file(struct e4 *c, struct fb_entries *src, const struct fb_entry *e,
		    ext2_ino_t parent, ext2_ino_t *ino)
{
	struct e4_file f;
	int r;

	r = new_inode(c, parent, LINUX_S_IFREG, ino);
	if (r >= 0)
		r = fb_ext4_file_begin(c, &f, *ino, init_inode(c, e, LINUX_S_IFREG));
	return r < 0 ? r : fb_ext4_copy_data(c, &f, src, e->size);
}

static int new_dir(struct e4 *c, const struct fb_entry *e, ext2_ino_t parent, ext2_ino_t *ino)
{
	struct ext2_inode_large *in;
	struct e4_file f;
	char *block = NULL;
	blk64_t blk = 0, len;
	errcode_t err;
	int r;

	r = new_inode(c, parent, LINUX_S_IFDIR, ino);
	if (r < 0)
		return r;
	in = init_inode(c, e, LINUX_S_IFDIR);
	in->i_links_count = 2;
	r = fb_ext4_file_begin(c, &f, *ino, in);
	if (r < 0)
		return r;
	err = ext2fs_new_dir_block(c->fs, *ino, parent, &block);
	r = err ? fb_ext4_fail(c, err, "create directory") : fb_ext4_alloc_run(c, 1, &blk, &len);
	if (r >= 0) {
		err = ext2fs_write_dir_block4(c->fs, blk, block, 0, *ino);
		r = err ? fb_ext4_fail(c, err, "create directory")
			: fb_ext4_file_extent(c, &f, 0, blk, 1);
	}
	ext2fs_free_mem(&block);
	if (r < 0) {
		ext2fs_extent_free(f.handle);
		return r;
	}
	return fb_ext4_file_end(c, &f, c->fs->blocksize);
}

static int new_symlink(struct e4 *c, const struct fb_entry *e, ext2_ino_t parent, ext2_ino_t *ino)
{
	struct fb_entry lnk = *e;
	struct ext2_inode_large *in;
	size_t len = strlen(e->link);
	struct e4_file f;
	int r;

	/* As in the kernel: the target and its NUL fit in one block. */
	if (len == 0 || len >= c->fs->blocksize)
		return fb_err_code(-ENAMETOOLONG, "%s: symlink '%s' has a target ext4 cannot hold",
				   c->name, e->path);
	r = new_inode(c, parent, LINUX_S_IFLNK, ino);
	if (r < 0)
		return r;
	lnk.mode = 0777;
	in = init_inode(c, &lnk, LINUX_S_IFLNK);
	if (len < sizeof(in->i_block)) {
		memcpy(in->i_block, e->link, len);
		in->i_size = (__u32)len;
		return fb_ext4_write_inode(c, *ino, in);
	}
	r = fb_ext4_file_begin(c, &f, *ino, in);
	if (r < 0)
		return r;
	r = fb_ext4_file_data(c, &f, e->link, len, 0);
	if (r < 0) {
		ext2fs_extent_free(f.handle);
		return r;
	}
	return fb_ext4_file_end(c, &f, len);
}

static int new_special(struct e4 *c, const struct fb_entry *e, ext2_ino_t parent, ext2_ino_t *ino)
{
	unsigned ma = e->rdev_major, mi = e->rdev_minor;
	struct ext2_inode_large *in;
	int r;

	r = new_inode(c, parent, types[e->type].mode, ino);
	if (r < 0)
		return r;
	in = init_inode(c, e, types[e->type].mode);
	/* The kernel's old_encode_dev() when it fits, else new_encode_dev() */
	if (e->type != FB_ENTRY_FIFO && ma < 256 && mi < 256)
		in->i_block[0] = ma * 256 + mi;
	else if (e->type != FB_ENTRY_FIFO)
		in->i_block[1] = (mi & 0xff) | (ma << 8) | ((mi & ~0xffU) << 12);
	return fb_ext4_write_inode(c, *ino, in);
}

/* Creates E as BASE in PARENT; SRC gives the data of a regular file. */
static int create(struct e4 *c, struct fb_entries *src, const struct fb_entry *e,
		  struct node *parent, const char *base)
{
	bool is_dir = e->type == FB_ENTRY_DIR;
	struct node *n;
	ext2_ino_t ino;
	int r;

	if (is_dir)
		r = new_dir(c, e, parent->ino, &ino);
	else if (e->type == FB_ENTRY_REG)
		r = new_file(c, src, e, parent->ino, &ino);
	else if (e->type == FB_ENTRY_SYMLINK)
		r = new_symlink(c, e, parent->ino, &ino);
	else
		r = new_special(c, e, parent->ino, &ino);
	if (r >= 0)
		r = fb_ext4_link(c, parent, base, ino, types[e->type].ftype);
	if (r >= 0 && is_dir)
		r = add_links(c, parent->ino, +1);
	if (r >= 0)
		r = set_xattrs(c, ino, e);
	if (r >= 0)
		r = fb_ext4_node_set(c, e->path, ino, is_dir, &n);
	if (r >= 0 && is_dir)
		r = list_dir(c, n, e);
	return r;
}

/* The directory of PATH; missing ones are made as tar does: 0755, root, now. */
static int get_parent(struct e4 *c, const char *path, struct node **ret)
{
	const char *slash = strrchr(path, '/');
	struct fb_entry d = { .type = FB_ENTRY_DIR, .mode = 0755 };
	_cleanup_free_ char *dir = NULL;
	struct node *p = c->root, *n;
	char *s, *end;
	int r;

	*ret = c->root;
	if (!slash)
		return 0;
	dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return fb_err_errno(-ENOMEM, "%s: cannot add '%s'", c->name, path);
	n = node_find(c, dir);
	if (n && n->is_dir) {
		*ret = n;
		return 0;
	}
	d.atime = d.mtime = d.ctime = c->now;
	d.path = dir;
	for (s = dir;; s = end + 1) {
		end = strchrnul(s, '/');
		*end = '\0';
		n = node_find(c, dir);
		if (n && !n->is_dir)
			return fb_err_code(-ENOTDIR,
					   "%s: '%s' is under '%s', which is not a directory",
					   c->name, path, dir);
		if (!n) {
			r = create(c, NULL, &d, p, s);
			if (r < 0)
				return r;
			n = node_find(c, dir);
		}
		p = n;
		if (end == dir + (slash - path))
			break;
		*end = '/';
	}
	*ret = p;
	return 0;
}

/* A later entry for a path replaces the earlier one, as tar extraction does. */
static int drop(struct e4 *c, ext2_ino_t dir, const char *base, struct node *n)
{
	struct ext2_inode_large *in = (void *)c->inode_buf;
	errcode_t err;
	int r;

	err = ext2fs_unlink(c->fs, dir, base, n->ino, 0);
	if (err)
		return fb_ext4_fail(c, err, "replace");
	r = fb_ext4_read_inode(c, n->ino);
	if (r < 0)
		return r;
	if (--in->i_links_count > 0)
		return fb_ext4_write_inode(c, n->ino, in);
	/* Device numbers and fast symlink targets live in i_block: nothing to punch there. */
	if (LINUX_S_ISREG(in->i_mode) ||
	    (LINUX_S_ISLNK(in->i_mode) && !ext2fs_is_fast_symlink((struct ext2_inode *)in)))
		err = ext2fs_punch(c->fs, n->ino, (struct ext2_inode *)in, NULL, 0, ~0ULL);
	if (!err)
		err = ext2fs_free_ext_attr(c->fs, n->ino, in);
	if (err)
		return fb_ext4_fail(c, err, "replace");
	ext2fs_inode_alloc_stats2(c->fs, n->ino, -1, 0);
	memset(in, 0, EXT2_INODE_SIZE(c->fs->super));
	return fb_ext4_write_inode(c, n->ino, in);
}

/* cpio keeps the data of linked files with the last link: it replaces the file's. */
static int replace_data(struct e4 *c, struct fb_entries *src, ext2_ino_t ino, uint64_t size)
{
	struct ext2_inode_large *in = (void *)c->inode_buf;
	struct e4_file f;
	errcode_t err;
	int r;

	r = fb_ext4_read_inode(c, ino);
	if (r < 0)
		return r;
	err = ext2fs_punch(c->fs, ino, (struct ext2_inode *)in, NULL, 0, ~0ULL);
	if (err)
		return fb_ext4_fail(c, err, "write data of");
	r = fb_ext4_file_begin(c, &f, ino, in);
	return r < 0 ? r : fb_ext4_copy_data(c, &f, src, size);
}

static int add_hardlink(struct e4 *c, struct fb_entries *src, const struct fb_entry *e,
			struct node *parent, const char *base)
{
	struct node *t = node_find(c, e->link);
	struct ext2_inode in;
	errcode_t err;
	int r;

	if (!t || t->is_dir)
		return fb_err_code(t ? -EPERM : -ENOENT, "%s: hard link '%s' to %s '%s'", c->name,
				   e->path, t ? "directory" : "missing", e->link);
	err = ext2fs_read_inode(c->fs, t->ino, &in);
	if (err)
		return fb_ext4_fail(c, err, "read inode of");
	r = fb_ext4_link(c, parent, base, t->ino, mode_ftype(in.i_mode));
	if (r >= 0)
		r = add_links(c, t->ino, +1);
	if (r >= 0 && e->size > 0)
		r = replace_data(c, src, t->ino, e->size);
	return r < 0 ? r : fb_ext4_node_set(c, e->path, t->ino, false, NULL);
}

static int update_dir(struct e4 *c, struct node *n, const struct fb_entry *e)
{
	int r;

	r = fb_ext4_read_inode(c, n->ino);
	if (r < 0)
		return r;
	set_owner((void *)c->inode_buf, e);
	r = fb_ext4_write_inode(c, n->ino, (void *)c->inode_buf);
	if (r >= 0)
		r = set_xattrs(c, n->ino, e);
	return r < 0 ? r : list_dir(c, n, e);
}

static int add_entry(struct e4 *c, struct fb_entries *src, const struct fb_entry *e)
{
	const char *slash = strrchr(e->path, '/'), *base = slash ? slash + 1 : e->path;
	struct node *parent, *n;
	int r;

	c->path = e->path;
	if (e->type == FB_ENTRY_SOCK) {
		fb_warn("%s: skipping socket '%s'", c->name, e->path);
		return 0;
	}
	n = *e->path ? node_find(c, e->path) : c->root;
	if (n && n->is_dir && e->type == FB_ENTRY_DIR)
		return c->overlay ? 0 : update_dir(c, n, e);
	if (n && n->is_dir)
		return fb_err_code(-EISDIR, "%s: '%s' is a directory, cannot replace it", c->name,
				   *e->path ? e->path : "/");
	if (e->type == FB_ENTRY_HARDLINK && n && node_find(c, e->link) == n)
		return 0;
	if (strlen(base) > EXT2_NAME_LEN)
		return fb_err_code(-ENAMETOOLONG, "%s: name of '%s' is too long for ext4", c->name,
				   e->path);
	r = get_parent(c, e->path, &parent);
	if (r >= 0 && n)
		r = drop(c, parent->ino, base, n);
	if (r < 0)
		return r;
	if (e->type == FB_ENTRY_HARDLINK)
		return add_hardlink(c, src, e, parent, base);
	return create(c, src, e, parent, base);
}

int fb_ext4_populate(struct e4 *c, struct fb_entries *src)
{
	const struct fb_entry *e;
	int r;

	for (;;) {
		r = fb_entries_next(src, &e);
		if (r <= 0)
			return r;
		r = add_entry(c, src, e);
		if (r < 0)
			return r;
	}
}

int fb_ext4_set_dir_times(struct e4 *c)
{
	int r;

	for (size_t i = 0; i < c->n_dirs; i++) {
		c->path = c->dirs[i]->path;
		r = fb_ext4_read_inode(c, c->dirs[i]->ino);
		if (r < 0)
			return r;
		set_times((void *)c->inode_buf, c->dirs[i]);
		r = fb_ext4_write_inode(c, c->dirs[i]->ino, (void *)c->inode_buf);
		if (r < 0)
			return r;
	}
	return 0;
}
