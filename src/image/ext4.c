// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ext4 in place: the steps of mke2fs (misc/mke2fs.c) done with libext2fs on
 * a byte range of the image, then a copy of an fb_entries tree in the way
 * of misc/create_inode.c, except that file data goes straight to extents
 * allocated here, in large runs, instead of block by block.
 */
#include <et/com_err.h>
#include <ext2fs/ext2fs.h>
#include <fcntl.h>
#include <inttypes.h>
#include <search.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "core/log.h"
#include "image/ext4.h"

/* Logs without a strerror() suffix, which would only repeat the message. */
#define fail(r, ...) (fb_log_errno(FB_LOG_ERR, 0, __VA_ARGS__), (r))

/* File data is staged and written in runs of this size; a multiple of any block size. */
#define STAGE_SIZE (1024 * 1024)

/* A path of the tree, so that entries need no ext2fs_namei(). */
struct node {
	const char *path;
	ext2_ino_t ino;
	bool is_dir, listed;	 /* listed: in e4.dirs, its times are set at the end */
	blk64_t tail, tail_lblk; /* a directory's last block, where entries are added */
	int64_t atime, mtime, ctime;
	long atime_nsec, mtime_nsec, ctime_nsec;
};

struct e4 {
	ext2_filsys fs;
	const char *name;
	uint64_t size;
	int64_t now;
	void *tree;
	struct node *root;
	struct node **dirs;
	size_t n_dirs, dirs_cap;
	char *stage, *inode_buf, *dir_buf;
	blk64_t goal;
	const char *path; /* the entry being added, for messages */
};

/* A file, symlink or directory whose blocks are being written. */
struct e4_file {
	ext2_ino_t ino;
	struct ext2_inode_large *inode;
	ext2_extent_handle_t handle;
	struct ext2fs_extent ext; /* the last extent, not inserted yet while it may grow */
	bool inserted, staged;
	blk64_t lblk; /* file block of stage[0] */
	size_t fill;
	uint64_t end;
};

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

static void size_str(uint64_t n, char buf[static 32])
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	size_t u = 0;

	while (u + 1 < ELEMENTSOF(units) && n >= 1024 && n % 1024 == 0) {
		n /= 1024;
		u++;
	}
	snprintf(buf, 32, "%" PRIu64 " %s", n, units[u]);
}

/* errcode_t stops here: libext2fs returns errno values and its own EXT2_ET_* codes. */
static int e2_errno(errcode_t err)
{
	switch (err) {
	case EXT2_ET_BLOCK_ALLOC_FAIL:
	case EXT2_ET_INODE_ALLOC_FAIL:
	case EXT2_ET_TOOSMALL:
		return -ENOSPC;
	case EXT2_ET_NO_MEMORY:
		return -ENOMEM;
	case EXT2_ET_FILE_EXISTS:
	case EXT2_ET_DIR_EXISTS:
		return -EEXIST;
	case EXT2_ET_FILE_NOT_FOUND:
		return -ENOENT;
	case EXT2_ET_FILE_TOO_BIG:
		return -EFBIG;
	case EXT2_ET_INVALID_ARGUMENT:
		return -EINVAL;
	case EXT2_ET_EA_NO_SPACE:
		return -E2BIG;
	default:
		return err > 0 && err < 4096 ? -(int)err : -EIO;
	}
}

static int e2_fail(struct e4 *c, errcode_t err, const char *what)
{
	const char *path = c->path && !*c->path ? "/" : c->path;
	bool full = err == EXT2_ET_BLOCK_ALLOC_FAIL || err == EXT2_ET_INODE_ALLOC_FAIL;
	char size[32];
	int r = e2_errno(err);

	size_str(c->size, size);
	/* out of room in the filesystem, not on the disk holding the image */
	if (full && path)
		fb_log_errno(FB_LOG_ERR, 0, "%s: files do not fit in %s (out of %s at '%s')",
			     c->name, size, err == EXT2_ET_INODE_ALLOC_FAIL ? "inodes" : "blocks",
			     path);
	else if (full || err == EXT2_ET_TOOSMALL)
		fb_log_errno(FB_LOG_ERR, 0, "%s: %s is too small for ext4", c->name, size);
	else if (path)
		fb_log_errno(FB_LOG_ERR, 0, "%s: cannot %s '%s': %s", c->name, what, path,
			     error_message(err));
	else
		fb_log_errno(FB_LOG_ERR, 0, "%s: cannot %s: %s", c->name, what, error_message(err));
	return r;
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

static int write_inode(struct e4 *c, ext2_ino_t ino, struct ext2_inode_large *in)
{
	errcode_t err = ext2fs_write_inode_full(c->fs, ino, (struct ext2_inode *)in,
						EXT2_INODE_SIZE(c->fs->super));

	return err ? e2_fail(c, err, "write inode of") : 0;
}

static int read_inode(struct e4 *c, ext2_ino_t ino)
{
	errcode_t err = ext2fs_read_inode_full(c->fs, ino, (struct ext2_inode *)c->inode_buf,
					       EXT2_INODE_SIZE(c->fs->super));

	return err ? e2_fail(c, err, "read inode of") : 0;
}

static int new_inode(struct e4 *c, ext2_ino_t parent, __u16 type, ext2_ino_t *ret)
{
	errcode_t err = ext2fs_new_inode(c->fs, parent, type | 0755, NULL, ret);

	if (err)
		return e2_fail(c, err, "allocate an inode for");
	ext2fs_inode_alloc_stats2(c->fs, *ret, +1, type == LINUX_S_IFDIR);
	return 0;
}

static int add_links(struct e4 *c, ext2_ino_t ino, int delta)
{
	struct ext2_inode in;
	errcode_t err;

	err = ext2fs_read_inode(c->fs, ino, &in);
	if (err)
		return e2_fail(c, err, "read inode of");
	if (in.i_links_count + delta >= EXT2_LINK_MAX) {
		/* dir_nlink: a directory with too many subdirectories counts 1 */
		if (!LINUX_S_ISDIR(in.i_mode))
			return fail(-EMLINK, "%s: too many links to '%s'", c->name, c->path);
		in.i_links_count = 1;
	} else if (in.i_links_count != 1 || !LINUX_S_ISDIR(in.i_mode)) {
		in.i_links_count += delta;
	}
	err = ext2fs_write_inode(c->fs, ino, &in);
	return err ? e2_fail(c, err, "write inode of") : 0;
}

static int dir_tail(struct e4 *c, struct node *d)
{
	struct ext2_inode in;
	errcode_t err;

	if (d->tail)
		return 0;
	err = ext2fs_read_inode(c->fs, d->ino, &in);
	d->tail_lblk = EXT2_I_SIZE(&in) / c->fs->blocksize - 1;
	if (!err)
		err = ext2fs_bmap2(c->fs, d->ino, &in, NULL, 0, d->tail_lblk, NULL, &d->tail);
	return err ? e2_fail(c, err, "link") : 0;
}

/* Puts NAME into the free space after the last entry of a directory block, if it fits. */
static bool add_dirent(struct e4 *c, char *block, const char *name, ext2_ino_t ino, int ftype)
{
	unsigned end = c->fs->blocksize, off = 0, rec, used;
	unsigned len = (unsigned)strlen(name), need = EXT2_DIR_REC_LEN(len);
	struct ext2_dir_entry *d;

	if (ext2fs_has_feature_metadata_csum(c->fs->super))
		end -= sizeof(struct ext2_dir_entry_tail);
	for (;;) {
		d = (struct ext2_dir_entry *)(block + off);
		if (ext2fs_get_rec_len(c->fs, d, &rec) || rec < 8 || off + rec > end)
			return false;
		if (off + rec == end)
			break;
		off += rec;
	}
	used = d->inode ? EXT2_DIR_REC_LEN(ext2fs_dirent_name_len(d)) : 0;
	if (rec - used < need)
		return false;
	if (used) {
		ext2fs_set_rec_len(c->fs, used, d);
		d = (struct ext2_dir_entry *)(block + off + used);
	}
	d->inode = ino;
	ext2fs_dirent_set_name_len(d, (int)len);
	ext2fs_dirent_set_file_type(d, ftype);
	memcpy(d->name, name, len);
	ext2fs_set_rec_len(c->fs, rec - used, d);
	return true;
}

/*
 * ext2fs_link() scans the whole directory for room, which makes filling a
 * big directory quadratic.  Entries are only ever added here, so room is in
 * the last block, or in a new one.
 */
static int link_ino(struct e4 *c, struct node *dir, const char *name, ext2_ino_t ino, int ftype)
{
	errcode_t err = 0;
	int r;

	for (int tries = 0; tries < 2; tries++) {
		r = dir_tail(c, dir);
		if (r < 0)
			return r;
		err = ext2fs_read_dir_block4(c->fs, dir->tail, c->dir_buf, 0, dir->ino);
		if (err)
			break;
		if (add_dirent(c, c->dir_buf, name, ino, ftype)) {
			err = ext2fs_write_dir_block4(c->fs, dir->tail, c->dir_buf, 0, dir->ino);
			return err ? e2_fail(c, err, "link") : 0;
		}
		err = ext2fs_expand_dir(c->fs, dir->ino);
		dir->tail = 0;
		if (err)
			break;
	}
	return e2_fail(c, err ? err : EXT2_ET_DIR_NO_SPACE, "link");
}

static int alloc_run(struct e4 *c, blk64_t want, blk64_t *pblk, blk64_t *plen)
{
	errcode_t err = ext2fs_new_range(c->fs, 0, c->goal, want, NULL, pblk, plen);

	if (err)
		return e2_fail(c, err, "allocate blocks for");
	ext2fs_block_alloc_stats_range(c->fs, *pblk, *plen, +1);
	c->goal = *pblk + *plen;
	return 0;
}

static int file_begin(struct e4 *c, struct e4_file *f, ext2_ino_t ino, struct ext2_inode_large *in)
{
	errcode_t err;
	int r;

	*f = (struct e4_file){ .ino = ino, .inode = in };
	/* Extent blocks are checksummed with the inode's generation: the inode goes first. */
	r = write_inode(c, ino, in);
	if (r < 0)
		return r;
	err = ext2fs_extent_open2(c->fs, ino, (struct ext2_inode *)in, &f->handle);
	return err ? e2_fail(c, err, "map blocks of") : 0;
}

static int file_flush_extent(struct e4 *c, struct e4_file *f)
{
	errcode_t err;

	if (!f->ext.e_len)
		return 0;
	/* Extents come in order, so each goes after the last; the handle stays on it. */
	err = ext2fs_extent_insert(f->handle, f->inserted ? EXT2_EXTENT_INSERT_AFTER : 0, &f->ext);
	if (err)
		return e2_fail(c, err, "map blocks of");
	f->inserted = true;
	f->ext.e_len = 0;
	return 0;
}

static int file_extent(struct e4 *c, struct e4_file *f, blk64_t lblk, blk64_t pblk, blk64_t len)
{
	struct ext2fs_extent *x = &f->ext;
	errcode_t err;
	int r;

	err = ext2fs_iblk_add_blocks(c->fs, (struct ext2_inode *)f->inode, len);
	if (err)
		return e2_fail(c, err, "map blocks of");
	if (x->e_len && x->e_lblk + x->e_len == lblk && x->e_pblk + x->e_len == pblk &&
	    x->e_len + len <= EXT_INIT_MAX_LEN) {
		x->e_len += len;
		return 0;
	}
	r = file_flush_extent(c, f);
	if (r < 0)
		return r;
	*x = (struct ext2fs_extent){ .e_lblk = lblk, .e_pblk = pblk, .e_len = (__u32)len };
	return 0;
}

static int write_run(struct e4 *c, struct e4_file *f, blk64_t lblk, const char *data, blk64_t n)
{
	blk64_t pblk, len;
	errcode_t err;
	int r;

	while (n > 0) {
		r = alloc_run(c, n, &pblk, &len);
		if (r < 0)
			return r;
		err = io_channel_write_blk64(c->fs->io, pblk, (int)len, data);
		if (err)
			return e2_fail(c, err, "write data of");
		r = file_extent(c, f, lblk, pblk, len);
		if (r < 0)
			return r;
		lblk += len;
		data += len * c->fs->blocksize;
		n -= len;
	}
	return 0;
}

static bool is_zero(const char *p, size_t n)
{
	return p[0] == 0 && memcmp(p, p + 1, n - 1) == 0;
}

/* Writes the staged blocks; blocks of zeros stay holes, as mke2fs -d leaves them. */
static int stage_flush(struct e4 *c, struct e4_file *f)
{
	size_t bs = c->fs->blocksize, nblk = (f->fill + bs - 1) / bs, i = 0, j;
	int r;

	memset(c->stage + f->fill, 0, nblk * bs - f->fill);
	while (i < nblk) {
		if (is_zero(c->stage + i * bs, bs)) {
			i++;
			continue;
		}
		for (j = i + 1; j < nblk && !is_zero(c->stage + j * bs, bs); j++)
			;
		r = write_run(c, f, f->lblk + i, c->stage + i * bs, j - i);
		if (r < 0)
			return r;
		i = j;
	}
	f->lblk += nblk;
	f->fill = 0;
	return 0;
}

/* Data at byte OFF of the file; a gap of whole blocks since the last data is a hole. */
static int file_data(struct e4 *c, struct e4_file *f, const char *p, size_t len, uint64_t off)
{
	uint64_t bs = c->fs->blocksize, pos;
	size_t n;
	int r;

	if (off + len > f->end)
		f->end = off + len;
	while (len > 0) {
		pos = f->lblk * bs + f->fill;
		if (f->staged && off < pos)
			return fail(-EBADMSG, "%s: data of '%s' is out of order", c->name, c->path);
		if (f->staged && off / bs != pos / bs) {
			r = stage_flush(c, f);
			if (r < 0)
				return r;
			f->staged = false;
		}
		if (!f->staged) {
			f->lblk = off / bs;
			f->fill = 0;
			f->staged = true;
			pos = f->lblk * bs;
		}
		memset(c->stage + f->fill, 0, off - pos);
		f->fill += off - pos;
		n = len < STAGE_SIZE - f->fill ? len : STAGE_SIZE - f->fill;
		memcpy(c->stage + f->fill, p, n);
		f->fill += n;
		p += n;
		off += n;
		len -= n;
		if (f->fill == STAGE_SIZE) {
			r = stage_flush(c, f);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int file_end(struct e4 *c, struct e4_file *f, uint64_t size)
{
	errcode_t err;
	int r;

	r = f->staged ? stage_flush(c, f) : 0;
	if (r >= 0)
		r = file_flush_extent(c, f);
	ext2fs_extent_free(f->handle);
	f->handle = NULL;
	if (r < 0)
		return r;
	err = ext2fs_inode_size_set(c->fs, (struct ext2_inode *)f->inode, size);
	if (err)
		return e2_fail(c, err, "set size of");
	return write_inode(c, f->ino, f->inode);
}

/* Copies the current entry's data into the inode set up in f. */
static int copy_data(struct e4 *c, struct e4_file *f, struct fb_entries *src, uint64_t size)
{
	const void *buf;
	uint64_t off;
	size_t len;
	int r;

	for (;;) {
		r = fb_entries_read(src, &buf, &len, &off);
		if (r < 0) {
			ext2fs_extent_free(f->handle);
			return r;
		}
		if (r == 0)
			break;
		r = file_data(c, f, buf, len, off);
		if (r < 0) {
			ext2fs_extent_free(f->handle);
			return r;
		}
	}
	return file_end(c, f, f->end > size ? f->end : size);
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
static int node_set(struct e4 *c, const char *path, ext2_ino_t ino, bool is_dir, struct node **ret)
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
	if (err && e2_errno(err) != -ENOSPC) {
		fb_log_errno(FB_LOG_ERR, 0, "%s: cannot set xattr '%s' of '%s': %s", c->name,
			     e->xattrs[i ? i - 1 : 0].name, c->path, error_message(err));
		return e2_errno(err);
	}
	return err ? e2_fail(c, err, "set xattrs of") : 0;
}

static int new_file(struct e4 *c, struct fb_entries *src, const struct fb_entry *e,
		    ext2_ino_t parent, ext2_ino_t *ino)
{
	struct e4_file f;
	int r;

	r = new_inode(c, parent, LINUX_S_IFREG, ino);
	if (r >= 0)
		r = file_begin(c, &f, *ino, init_inode(c, e, LINUX_S_IFREG));
	return r < 0 ? r : copy_data(c, &f, src, e->size);
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
	r = file_begin(c, &f, *ino, in);
	if (r < 0)
		return r;
	err = ext2fs_new_dir_block(c->fs, *ino, parent, &block);
	r = err ? e2_fail(c, err, "create directory") : alloc_run(c, 1, &blk, &len);
	if (r >= 0) {
		err = ext2fs_write_dir_block4(c->fs, blk, block, 0, *ino);
		r = err ? e2_fail(c, err, "create directory") : file_extent(c, &f, 0, blk, 1);
	}
	ext2fs_free_mem(&block);
	if (r < 0) {
		ext2fs_extent_free(f.handle);
		return r;
	}
	return file_end(c, &f, c->fs->blocksize);
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
		return fail(-ENAMETOOLONG, "%s: symlink '%s' has a target ext4 cannot hold",
			    c->name, e->path);
	r = new_inode(c, parent, LINUX_S_IFLNK, ino);
	if (r < 0)
		return r;
	lnk.mode = 0777;
	in = init_inode(c, &lnk, LINUX_S_IFLNK);
	if (len < sizeof(in->i_block)) {
		memcpy(in->i_block, e->link, len);
		in->i_size = (__u32)len;
		return write_inode(c, *ino, in);
	}
	r = file_begin(c, &f, *ino, in);
	if (r < 0)
		return r;
	r = file_data(c, &f, e->link, len, 0);
	if (r < 0) {
		ext2fs_extent_free(f.handle);
		return r;
	}
	return file_end(c, &f, len);
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
	return write_inode(c, *ino, in);
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
		r = link_ino(c, parent, base, ino, types[e->type].ftype);
	if (r >= 0 && is_dir)
		r = add_links(c, parent->ino, +1);
	if (r >= 0)
		r = set_xattrs(c, ino, e);
	if (r >= 0)
		r = node_set(c, e->path, ino, is_dir, &n);
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
			return fail(-ENOTDIR, "%s: '%s' is under '%s', which is not a directory",
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
		return e2_fail(c, err, "replace");
	r = read_inode(c, n->ino);
	if (r < 0)
		return r;
	if (--in->i_links_count > 0)
		return write_inode(c, n->ino, in);
	/* Device numbers and fast symlink targets live in i_block: nothing to punch there. */
	if (LINUX_S_ISREG(in->i_mode) ||
	    (LINUX_S_ISLNK(in->i_mode) && !ext2fs_is_fast_symlink((struct ext2_inode *)in)))
		err = ext2fs_punch(c->fs, n->ino, (struct ext2_inode *)in, NULL, 0, ~0ULL);
	if (!err)
		err = ext2fs_free_ext_attr(c->fs, n->ino, in);
	if (err)
		return e2_fail(c, err, "replace");
	ext2fs_inode_alloc_stats2(c->fs, n->ino, -1, 0);
	memset(in, 0, EXT2_INODE_SIZE(c->fs->super));
	return write_inode(c, n->ino, in);
}

/* cpio keeps the data of linked files with the last link: it replaces the file's. */
static int replace_data(struct e4 *c, struct fb_entries *src, ext2_ino_t ino, uint64_t size)
{
	struct ext2_inode_large *in = (void *)c->inode_buf;
	struct e4_file f;
	errcode_t err;
	int r;

	r = read_inode(c, ino);
	if (r < 0)
		return r;
	err = ext2fs_punch(c->fs, ino, (struct ext2_inode *)in, NULL, 0, ~0ULL);
	if (err)
		return e2_fail(c, err, "write data of");
	r = file_begin(c, &f, ino, in);
	return r < 0 ? r : copy_data(c, &f, src, size);
}

static int add_hardlink(struct e4 *c, struct fb_entries *src, const struct fb_entry *e,
			struct node *parent, const char *base)
{
	struct node *t = node_find(c, e->link);
	struct ext2_inode in;
	errcode_t err;
	int r;

	if (!t || t->is_dir)
		return fail(t ? -EPERM : -ENOENT, "%s: hard link '%s' to %s '%s'", c->name, e->path,
			    t ? "directory" : "missing", e->link);
	err = ext2fs_read_inode(c->fs, t->ino, &in);
	if (err)
		return e2_fail(c, err, "read inode of");
	r = link_ino(c, parent, base, t->ino, mode_ftype(in.i_mode));
	if (r >= 0)
		r = add_links(c, t->ino, +1);
	if (r >= 0 && e->size > 0)
		r = replace_data(c, src, t->ino, e->size);
	return r < 0 ? r : node_set(c, e->path, t->ino, false, NULL);
}

static int update_dir(struct e4 *c, struct node *n, const struct fb_entry *e)
{
	int r;

	r = read_inode(c, n->ino);
	if (r < 0)
		return r;
	set_owner((void *)c->inode_buf, e);
	r = write_inode(c, n->ino, (void *)c->inode_buf);
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
		return update_dir(c, n, e);
	if (n && n->is_dir)
		return fail(-EISDIR, "%s: '%s' is a directory, cannot replace it", c->name,
			    *e->path ? e->path : "/");
	if (e->type == FB_ENTRY_HARDLINK && n && node_find(c, e->link) == n)
		return 0;
	if (strlen(base) > EXT2_NAME_LEN)
		return fail(-ENAMETOOLONG, "%s: name of '%s' is too long for ext4", c->name,
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

static int populate(struct e4 *c, struct fb_entries *src)
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

static int set_dir_times(struct e4 *c)
{
	int r;

	for (size_t i = 0; i < c->n_dirs; i++) {
		c->path = c->dirs[i]->path;
		r = read_inode(c, c->dirs[i]->ino);
		if (r < 0)
			return r;
		set_times((void *)c->inode_buf, c->dirs[i]);
		r = write_inode(c, c->dirs[i]->ino, (void *)c->inode_buf);
		if (r < 0)
			return r;
	}
	return 0;
}

/* What `mke2fs -t ext4` takes from Debian 12's /etc/mke2fs.conf for this size. */
static int fs_params(struct e4 *c, double reserved, struct ext2_super_block *p)
{
	/* mke2fs rounds a device's size down to whole 4 KiB pages */
	uint64_t kib = (c->size / 1024) & ~3ULL, blocks, inodes;
	unsigned bs = 4096, ratio = 16384;
	char size[32];

	if (kib < 3 * 1024) /* "floppy" */
		bs = 1024, ratio = 8192;
	else if (kib < 512 * 1024) /* "small" */
		bs = 1024, ratio = 4096;
	else if (kib >= 16ULL << 30) /* "huge" */
		ratio = 65536;
	else if (kib >= 4ULL << 30) /* "big" */
		ratio = 32768;
	blocks = kib / (bs / 1024);
	inodes = blocks * bs / ratio < UINT32_MAX ? blocks * bs / ratio : UINT32_MAX;
	if (!(reserved >= 0 && reserved <= 50))
		return fail(-EINVAL, "%s: reserved blocks percentage %g is not within 0..50",
			    c->name, reserved);
	size_str(c->size, size);
	if (blocks < 64 || inodes * 256 >= blocks * bs)
		return fail(-ENOSPC, "%s: %s is too small for ext4", c->name, size);
	memset(p, 0, sizeof(*p));
	p->s_rev_level = EXT2_DYNAMIC_REV;
	p->s_log_block_size = p->s_log_cluster_size = bs == 4096 ? 2 : 0;
	p->s_feature_compat = EXT2_FEATURE_COMPAT_RESIZE_INODE | EXT2_FEATURE_COMPAT_DIR_INDEX |
			      EXT2_FEATURE_COMPAT_EXT_ATTR | EXT3_FEATURE_COMPAT_HAS_JOURNAL;
	p->s_feature_incompat = EXT2_FEATURE_INCOMPAT_FILETYPE | EXT3_FEATURE_INCOMPAT_EXTENTS |
				EXT4_FEATURE_INCOMPAT_FLEX_BG | EXT4_FEATURE_INCOMPAT_64BIT;
	p->s_feature_ro_compat =
		EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE |
		EXT4_FEATURE_RO_COMPAT_HUGE_FILE | EXT4_FEATURE_RO_COMPAT_DIR_NLINK |
		EXT4_FEATURE_RO_COMPAT_EXTRA_ISIZE | EXT4_FEATURE_RO_COMPAT_METADATA_CSUM;
	/* As mke2fs: past 2^32 blocks the resize inode cannot map its blocks */
	if (blocks > UINT32_MAX)
		p->s_feature_compat &= ~EXT2_FEATURE_COMPAT_RESIZE_INODE;
	p->s_default_mount_opts = EXT2_DEFM_XATTR_USER | EXT2_DEFM_ACL;
	p->s_desc_size = EXT2_MIN_DESC_SIZE_64BIT;
	p->s_log_groups_per_flex = 4;
	p->s_inode_size = 256;
	p->s_inodes_count = (__u32)inodes;
	ext2fs_blocks_count_set(p, blocks);
	ext2fs_r_blocks_count_set(p, (blk64_t)(reserved * (double)blocks / 100.0));
	return 0;
}

static int fill_id(void *dst, const uint8_t *src)
{
	uint8_t *u = dst;

	if (src) {
		memcpy(dst, src, 16);
		return 0;
	}
	if (getrandom(u, 16, 0) != 16)
		return -errno;
	/* a version 4 UUID, as uuid_generate() makes */
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	return 0;
}

static int set_super(struct e4 *c, const struct fb_ext4_opts *o)
{
	struct ext2_super_block *sb = c->fs->super;
	size_t len;
	int r;

	if (o->timestamp >= 0) {
		c->fs->now = o->timestamp;
		sb->s_mkfs_time = sb->s_lastcheck = sb->s_wtime = (__u32)o->timestamp;
	}
	c->now = o->timestamp >= 0 ? o->timestamp : time(NULL);
	r = fill_id(sb->s_uuid, o->uuid);
	if (r >= 0)
		r = fill_id(sb->s_hash_seed, o->hash_seed);
	if (r < 0)
		return fb_err_errno(r, "%s: cannot make a UUID", c->name);
	/* Checksums are seeded from the UUID: set it before anything is written. */
	ext2fs_init_csum_seed(c->fs);
	sb->s_def_hash_version = EXT2_HASH_HALF_MD4;
	sb->s_max_mnt_count = -1;
	sb->s_checksum_type = EXT2_CRC32C_CHKSUM;
	sb->s_kbytes_written = 1;
	if (o->label) {
		len = strlen(o->label);
		if (len > sizeof(sb->s_volume_name)) {
			len = sizeof(sb->s_volume_name);
			fb_warn("%s: label '%s' is longer than %zu bytes, truncating", c->name,
				o->label, len);
		}
		memcpy(sb->s_volume_name, o->label, len);
	}
	return 0;
}

/*
 * Inode tables and the journal of a new filesystem must read as zeros.
 * mke2fs discards the device, which on a file punches a hole, and then
 * writes none of them.  Where holes cannot be punched, a range that is
 * still all hole reads as zeros too.
 */
static bool range_zeroed(struct e4 *c, const char *path, uint64_t offset)
{
	_cleanup_close_ int fd = -EBADF;
	off_t d;

	if (io_channel_discard(c->fs->io, 0, ext2fs_blocks_count(c->fs->super)) == 0)
		return true;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	d = lseek(fd, (off_t)offset, SEEK_DATA);
	return (d < 0 && errno == ENXIO) || (d >= 0 && (uint64_t)d >= offset + c->size);
}

/* Old data underneath: clear what mke2fs clears on a disk, old signatures first. */
static int wipe_old(struct e4 *c)
{
	blk64_t blocks = ext2fs_blocks_count(c->fs->super), rsv = 65536 / c->fs->blocksize;
	blk64_t start = blocks & ~(rsv - 1);
	char zero[4096] = { 0 };
	errcode_t err;

	io_channel_set_blksize(c->fs->io, 512);
	err = io_channel_write_blk64(c->fs->io, 0, -(int)sizeof(zero), zero);
	io_channel_set_blksize(c->fs->io, c->fs->blocksize);
	if (start > rsv)
		start -= rsv;
	if (!err && start > 0)
		err = ext2fs_zero_blocks2(c->fs, start, (int)(blocks - start), NULL, NULL);
	return err ? e2_fail(c, err, "clear old data") : 0;
}

static int init_inodes(struct e4 *c, bool zeroed)
{
	ext2_filsys fs = c->fs;
	errcode_t err = 0;
	ext2_ino_t ino;

	for (dgrp_t g = 0; zeroed && g < fs->group_desc_count; g++) {
		/* nothing left for the kernel's lazyinit thread to zero */
		ext2fs_bg_flags_set(fs, g, EXT2_BG_INODE_ZEROED);
		ext2fs_group_desc_csum_set(fs, g);
	}
	/* Reserved inodes need valid checksums, as in mke2fs's write_reserved_inodes() */
	memset(c->inode_buf, 0, EXT2_INODE_SIZE(fs->super));
	for (ino = 1; !err && ino < EXT2_FIRST_INO(fs->super); ino++)
		err = ext2fs_write_inode_full(fs, ino, (struct ext2_inode *)c->inode_buf,
					      EXT2_INODE_SIZE(fs->super));
	return err ? e2_fail(c, err, "write reserved inodes") : 0;
}

/* After the root directory, as in mke2fs, so that blocks land where its go. */
static int make_reserved(struct e4 *c)
{
	ext2_filsys fs = c->fs;
	errcode_t err;
	ext2_ino_t ino;

	for (ino = EXT2_ROOT_INO + 1; ino < EXT2_FIRST_INO(fs->super); ino++)
		ext2fs_inode_alloc_stats2(fs, ino, +1, 0);
	ext2fs_mark_ib_dirty(fs);
	ext2fs_inode_alloc_stats2(fs, EXT2_BAD_INO, +1, 0);
	err = ext2fs_update_bb_inode(fs, NULL);
	if (!err && ext2fs_has_feature_resize_inode(fs->super))
		err = ext2fs_create_resize_inode(fs);
	return err ? e2_fail(c, err, "create reserved inodes") : 0;
}

static int make_root(struct e4 *c)
{
	ext2_filsys fs = c->fs;
	unsigned size = 0;
	ext2_ino_t lpf = 0;
	errcode_t err;
	int r;

	err = ext2fs_mkdir(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, NULL);
	if (!err) {
		fs->umask = 077;
		err = ext2fs_mkdir(fs, EXT2_ROOT_INO, 0, "lost+found");
		fs->umask = 022;
	}
	if (!err)
		err = ext2fs_lookup(fs, EXT2_ROOT_INO, "lost+found", 10, NULL, &lpf);
	/* As mke2fs: 16 KiB and two blocks at least, so e2fsck never has to grow it */
	for (int i = 1; !err && i < EXT2_NDIR_BLOCKS; i++) {
		size += fs->blocksize;
		if (size >= 16 * 1024 && size >= 2 * fs->blocksize)
			break;
		err = ext2fs_expand_dir(fs, lpf);
	}
	if (err)
		return e2_fail(c, err, "create the root directory");
	r = node_set(c, "", EXT2_ROOT_INO, true, &c->root);
	return r < 0 ? r : node_set(c, "lost+found", lpf, true, NULL);
}

static int make_journal(struct e4 *c, bool zeroed, blk64_t *overhead)
{
	struct ext2fs_journal_params jp;
	errcode_t err;

	/* As mke2fs: a filesystem too small for a journal (< 2048 blocks) gets none */
	if (ext2fs_get_journal_params(&jp, c->fs) || !jp.num_journal_blocks) {
		ext2fs_clear_feature_journal(c->fs->super);
		return 0;
	}
	*overhead += jp.num_journal_blocks + jp.num_fc_blocks;
	err = ext2fs_add_journal_inode3(c->fs, &jp, ~0ULL,
					EXT2_MKJOURNAL_NO_MNT_CHECK |
						(zeroed ? EXT2_MKJOURNAL_LAZYINIT : 0));
	return err ? e2_fail(c, err, "create the journal") : 0;
}

static int mkfs(struct e4 *c, const char *path, uint64_t offset, const struct fb_ext4_opts *o)
{
	struct ext2_super_block param;
	blk64_t overhead = 0;
	char opt[48];
	errcode_t err;
	bool zeroed;
	int r;

	r = fs_params(c, o->reserved_percent, &param);
	if (r < 0)
		return r;
	err = ext2fs_initialize(path, EXT2_FLAG_64BITS, &param, unix_io_manager, &c->fs);
	if (err)
		return e2_fail(c, err, "create ext4");
	/* as mke2fs -E offset=: every block number is relative to the partition */
	snprintf(opt, sizeof(opt), "offset=%" PRIu64, offset);
	err = io_channel_set_options(c->fs->io, opt);
	if (!err && c->fs->super->s_inodes_count <= EXT2_FIRST_INO(c->fs->super))
		err = EXT2_ET_TOOSMALL;
	c->inode_buf = calloc(1, EXT2_INODE_SIZE(c->fs->super));
	c->dir_buf = malloc(c->fs->blocksize);
	if (err || !c->inode_buf || !c->dir_buf)
		return e2_fail(c, err ? err : EXT2_ET_NO_MEMORY, "create ext4");
	r = set_super(c, o);
	if (r < 0)
		return r;
	zeroed = range_zeroed(c, path, offset);
	r = zeroed ? 0 : wipe_old(c);
	if (r < 0)
		return r;
	err = ext2fs_allocate_tables(c->fs);
	if (!err)
		err = ext2fs_count_used_clusters(c->fs, c->fs->super->s_first_data_block,
						 ext2fs_blocks_count(c->fs->super) - 1, &overhead);
	if (err)
		return e2_fail(c, err, "allocate ext4 tables");
	r = init_inodes(c, zeroed);
	if (r >= 0)
		r = make_root(c);
	if (r >= 0)
		r = make_reserved(c);
	if (r >= 0)
		r = make_journal(c, zeroed, &overhead);
	c->fs->super->s_overhead_clusters = (__u32)(overhead + c->fs->super->s_first_data_block);
	return r;
}

static void e4_done(struct e4 *c)
{
	if (c->fs)
		ext2fs_free(c->fs);
	tdestroy(c->tree, free);
	free(c->dirs);
	free(c->stage);
	free(c->inode_buf);
	free(c->dir_buf);
}

int fb_ext4_write(const char *path, uint64_t offset, uint64_t size, const char *name,
		  const struct fb_ext4_opts *opts, struct fb_entries *src)
{
	static const struct fb_ext4_opts defaults = { .reserved_percent = 5, .timestamp = -1 };
	_cleanup_(e4_done) struct e4 c = { .name = name, .size = size };
	struct stat st;
	errcode_t err;
	int r;

	initialize_ext2_error_table();
	if (stat(path, &st) < 0)
		return fb_err_errno(-errno, "%s: cannot access '%s'", name, path);
	if ((uint64_t)st.st_size < offset + size)
		return fail(-EINVAL, "%s: '%s' ends before the partition does", name, path);
	c.stage = malloc(STAGE_SIZE);
	if (!c.stage)
		return fb_err_errno(-ENOMEM, "%s: cannot create ext4", name);
	r = mkfs(&c, path, offset, opts ? opts : &defaults);
	if (r >= 0 && src)
		r = populate(&c, src);
	if (r >= 0)
		r = set_dir_times(&c);
	if (r < 0)
		return r;
	c.path = NULL;
	/* No fsync here: the image is synced once, when it is complete. */
	err = ext2fs_close2(c.fs, EXT2_FLAG_FLUSH_NO_SYNC);
	if (err)
		return e2_fail(&c, err, "write ext4 metadata");
	c.fs = NULL;
	return 0;
}
