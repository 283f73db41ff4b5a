// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An ext4 that exists, changed in place (see ext4-edit.h), with
 * libext2fs's own file, link and directory calls, as debugfs's write and
 * mkdir do (misc/create_inode.c): a few small files, not a tree.
 */
#include <et/com_err.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ext4-edit.h"
#include "ext4-internal.h"

struct fb_ext4_edit {
	ext2_filsys fs;
	char *name;
	bool writable;
};

static int fail(struct fb_ext4_edit *e, errcode_t err, const char *what, const char *fspath)
{
	return fb_err_code(fb_ext4_errno(err), "%s: cannot %s '%s': %s", e->name, what,
			   fspath ?: "/", error_message(err));
}

/* The filesystem must be as a clean unmount leaves it: nothing to replay, nothing to repair. */
static int check_clean(struct fb_ext4_edit *e)
{
	struct ext2_super_block *sb = e->fs->super;

	if (ext2fs_has_feature_journal_needs_recovery(sb))
		return fb_err_code(-EBUSY,
				   "%s: the ext4's journal needs recovery (mounted, or not "
				   "unmounted cleanly): not changed",
				   e->name);
	if (!(sb->s_state & EXT2_VALID_FS) || (sb->s_state & EXT2_ERROR_FS))
		return fb_err_code(-EUCLEAN,
				   "%s: the ext4 is not clean (e2fsck it first): not "
				   "changed",
				   e->name);
	return 0;
}

int fb_ext4_edit_open(const char *path, uint64_t offset, const char *name, bool writable,
		      struct fb_ext4_edit **ret)
{
	struct fb_ext4_edit *e = calloc(1, sizeof(*e));
	char opt[48];
	errcode_t err;
	int r;

	initialize_ext2_error_table();
	if (!e || !(e->name = strdup(name))) {
		free(e);
		return fb_err_errno(-ENOMEM, "%s: cannot open the ext4", name);
	}
	e->writable = writable;
	snprintf(opt, sizeof(opt), "offset=%" PRIu64, offset);
	err = ext2fs_open2(path, opt, EXT2_FLAG_64BITS | (writable ? EXT2_FLAG_RW : 0), 0, 0,
			   unix_io_manager, &e->fs);
	if (err) {
		e->fs = NULL;
		r = fb_err_code(fb_ext4_errno(err), "%s: no ext4 at byte %" PRIu64 " of '%s': %s",
				name, offset, path, error_message(err));
	} else {
		r = check_clean(e);
		if (r >= 0 && writable && (err = ext2fs_read_bitmaps(e->fs)))
			r = fail(e, err, "read the bitmaps of", NULL);
	}
	if (r < 0) {
		fb_ext4_edit_close(e);
		return r;
	}
	*ret = e;
	return 0;
}

/* The inode NAME (LEN bytes) of directory DIR; -ENOENT when there is none. */
static int lookup(struct fb_ext4_edit *e, ext2_ino_t dir, const char *name, size_t len,
		  const char *fspath, ext2_ino_t *ret)
{
	errcode_t err = ext2fs_lookup(e->fs, dir, name, (int)len, NULL, ret);

	if (err == EXT2_ET_FILE_NOT_FOUND)
		return -ENOENT;
	return err ? fail(e, err, "look up", fspath) : 0;
}

/*
 * FSPATH's inode and, when it is there, the inode itself, walked a name at a
 * time from the root; a symbolic link on the way is refused.  -ENOENT, not
 * logged, when a name is missing.
 */
static int walk(struct fb_ext4_edit *e, const char *fspath, ext2_ino_t *ret_ino,
		struct ext2_inode *ret_in)
{
	ext2_ino_t ino = EXT2_ROOT_INO;
	struct ext2_inode in;
	const char *p = fspath;
	errcode_t err;
	int r;

	for (;;) {
		err = ext2fs_read_inode(e->fs, ino, &in);
		if (err)
			return fail(e, err, "read", fspath);
		p += strspn(p, "/");
		if (!*p)
			break;
		if (LINUX_S_ISLNK(in.i_mode))
			return fb_err_code(-ELOOP, "%s: '%.*s' is a symbolic link: not followed",
					   e->name, (int)(p - fspath - 1), fspath);
		if (!LINUX_S_ISDIR(in.i_mode))
			return fb_err_code(-ENOTDIR, "%s: '%.*s' is not a directory", e->name,
					   (int)(p - fspath - 1), fspath);
		size_t n = strcspn(p, "/");

		if ((n == 2 && !strncmp(p, "..", 2)) || (n == 1 && *p == '.'))
			return fb_err_code(-EINVAL, "%s: '%s': no '.' or '..' in a path", e->name,
					   fspath);
		r = lookup(e, ino, p, n, fspath, &ino);
		if (r < 0)
			return r;
		p += n;
	}
	*ret_ino = ino;
	if (ret_in)
		*ret_in = in;
	return 0;
}

/* FSPATH's parent directory, and FSPATH's last name. */
static int parent_of(struct fb_ext4_edit *e, const char *fspath, ext2_ino_t *ret_dir,
		     const char **ret_base)
{
	_cleanup_free_ char *dir = strdup(fspath);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	struct ext2_inode in;
	int r;

	if (!dir)
		return fb_err_errno(-ENOMEM, "%s: cannot change '%s'", e->name, fspath);
	if (!slash || !slash[1])
		return fb_err_code(-EINVAL, "%s: '%s' is not an absolute path to a file", e->name,
				   fspath);
	*slash = '\0';
	*ret_base = fspath + (slash - dir) + 1;
	if (!strcmp(*ret_base, ".") || !strcmp(*ret_base, ".."))
		return fb_err_code(-EINVAL, "%s: '%s': no '.' or '..' in a path", e->name, fspath);
	r = walk(e, dir, ret_dir, &in);
	if (r == -ENOENT)
		return fb_err_code(-ENOENT, "%s: no directory '%s' for '%s'", e->name,
				   *dir ? dir : "/", fspath);
	if (r >= 0 && LINUX_S_ISLNK(in.i_mode))
		return fb_err_code(-ELOOP, "%s: '%s' is a symbolic link: not followed", e->name,
				   dir);
	if (r >= 0 && !LINUX_S_ISDIR(in.i_mode))
		return fb_err_code(-ENOTDIR, "%s: '%s' is not a directory", e->name, dir);
	return r;
}

int fb_ext4_edit_stat(struct fb_ext4_edit *e, const char *fspath, struct fb_ext4_attrs *ret)
{
	struct ext2_inode in;
	ext2_ino_t ino;
	int r = walk(e, fspath, &ino, &in);

	if (r < 0)
		return r;
	*ret = (struct fb_ext4_attrs){
		.mode = in.i_mode & 07777,
		.type = in.i_mode & LINUX_S_IFMT,
		.uid = inode_uid(in),
		.gid = inode_gid(in),
		.mtime = in.i_mtime,
	};
	return 0;
}

int fb_ext4_edit_read(struct fb_ext4_edit *e, const char *fspath, size_t max, char **ret,
		      size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	struct ext2_inode in;
	ext2_file_t f = NULL;
	unsigned got = 0;
	ext2_ino_t ino;
	errcode_t err;
	uint64_t size;
	int r;

	r = walk(e, fspath, &ino, &in);
	if (r < 0)
		return r;
	if (LINUX_S_ISLNK(in.i_mode))
		return fb_err_code(-ELOOP, "%s: '%s' is a symbolic link: not followed", e->name,
				   fspath);
	if (!LINUX_S_ISREG(in.i_mode))
		return fb_err_code(-EINVAL, "%s: '%s' is not a regular file", e->name, fspath);
	size = EXT2_I_SIZE(&in);
	if (size > max)
		return fb_err_code(-EFBIG, "%s: '%s' is larger than %zu bytes", e->name, fspath,
				   max);
	buf = malloc((size_t)size + 1);
	if (!buf)
		return fb_err_errno(-ENOMEM, "%s: cannot read '%s'", e->name, fspath);
	err = ext2fs_file_open(e->fs, ino, 0, &f);
	if (!err)
		err = ext2fs_file_read(f, buf, (unsigned)size, &got);
	if (f) {
		errcode_t err2 = ext2fs_file_close(f);

		err = err ? err : err2;
	}
	if (err)
		return fail(e, err, "read", fspath);
	if (got != size)
		return fb_err_code(-EIO, "%s: '%s' ended after %u of %" PRIu64 " bytes", e->name,
				   fspath, got, size);
	buf[got] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_len = got;
	return 0;
}

static void set_xtime(__u32 *lo, __u32 *extra, int64_t sec)
{
	*lo = (__u32)sec;
	*extra = (__u32)((sec - (int32_t)*lo) >> 32) & EXT4_EPOCH_MASK;
}

/* A's owner, permissions and times on INO, its type kept. */
static int set_attrs(struct fb_ext4_edit *e, ext2_ino_t ino, const struct fb_ext4_attrs *a,
		     const char *fspath)
{
	struct ext2_inode_large in = { 0 };
	errcode_t err;

	err = ext2fs_read_inode_full(e->fs, ino, (struct ext2_inode *)&in, sizeof(in));
	if (err)
		return fail(e, err, "read", fspath);
	in.i_mode = (__u16)((in.i_mode & LINUX_S_IFMT) | (a->mode & 07777));
	in.i_uid = (__u16)a->uid;
	ext2fs_set_i_uid_high(in, a->uid >> 16);
	in.i_gid = (__u16)a->gid;
	ext2fs_set_i_gid_high(in, a->gid >> 16);
	set_xtime(&in.i_atime, &in.i_atime_extra, a->mtime);
	set_xtime(&in.i_mtime, &in.i_mtime_extra, a->mtime);
	set_xtime(&in.i_ctime, &in.i_ctime_extra, a->mtime);
	err = ext2fs_write_inode_full(e->fs, ino, (struct ext2_inode *)&in, sizeof(in));
	return err ? fail(e, err, "change", fspath) : 0;
}

/* NAME -> INO in DIR, the directory grown by a block when it is full. */
static errcode_t link_in(struct fb_ext4_edit *e, ext2_ino_t dir, const char *name, ext2_ino_t ino,
			 int ftype)
{
	errcode_t err = ext2fs_link(e->fs, dir, name, ino, ftype);

	if (err == EXT2_ET_DIR_NO_SPACE) {
		err = ext2fs_expand_dir(e->fs, dir);
		if (!err)
			err = ext2fs_link(e->fs, dir, name, ino, ftype);
	}
	return err;
}

/* A new, empty regular file NAME in DIR. */
static int create_file(struct fb_ext4_edit *e, ext2_ino_t dir, const char *name, const char *fspath,
		       ext2_ino_t *ret)
{
	struct ext2_inode in = { 0 };
	ext2_extent_handle_t h;
	errcode_t err;

	err = ext2fs_new_inode(e->fs, dir, LINUX_S_IFREG | 0644, NULL, ret);
	if (!err)
		err = link_in(e, dir, name, *ret, EXT2_FT_REG_FILE);
	if (err)
		return fail(e, err, "create", fspath);
	ext2fs_inode_alloc_stats2(e->fs, *ret, +1, 0);
	in.i_mode = LINUX_S_IFREG | 0644;
	in.i_links_count = 1;
	if (ext2fs_has_feature_extents(e->fs->super)) {
		/* an empty extent tree in i_block, EXT4_EXTENTS_FL set */
		err = ext2fs_extent_open2(e->fs, *ret, &in, &h);
		if (err)
			return fail(e, err, "create", fspath);
		ext2fs_extent_free(h);
	}
	err = ext2fs_write_new_inode(e->fs, *ret, &in);
	return err ? fail(e, err, "create", fspath) : 0;
}

static int write_data(struct fb_ext4_edit *e, ext2_ino_t ino, const void *data, size_t len,
		      const char *fspath)
{
	ext2_file_t f = NULL;
	unsigned done = 0, n = 0;
	errcode_t err;

	err = ext2fs_file_open(e->fs, ino, EXT2_FILE_WRITE, &f);
	while (!err && done < len) {
		err = ext2fs_file_write(f, (const char *)data + done, (unsigned)(len - done), &n);
		if (!err && n == 0)
			err = EXT2_ET_SHORT_WRITE;
		done += n;
	}
	if (!err)
		err = ext2fs_file_set_size2(f, len);
	if (f) {
		errcode_t err2 = ext2fs_file_close(f);

		err = err ? err : err2;
	}
	return err ? fail(e, err, "write", fspath) : 0;
}

/*
 * FSPATH's parent and last name, and its inode when it is there; -ENOENT (not
 * logged) with *RET_BASE set when only the last name is missing.
 */
static int find_entry(struct fb_ext4_edit *e, const char *fspath, ext2_ino_t *ret_dir,
		      const char **ret_base, ext2_ino_t *ret_ino, struct ext2_inode *ret_in)
{
	const char *base = NULL;
	errcode_t err;
	int r;

	*ret_base = NULL;
	r = parent_of(e, fspath, ret_dir, &base);
	if (r < 0 || !base)
		return r < 0 ? r : -EINVAL;
	*ret_base = base;
	r = lookup(e, *ret_dir, base, strlen(base), fspath, ret_ino);
	if (r >= 0 && (err = ext2fs_read_inode(e->fs, *ret_ino, ret_in)))
		r = fail(e, err, "read", fspath);
	return r;
}

int fb_ext4_edit_write(struct fb_ext4_edit *e, const char *fspath, const void *data, size_t len,
		       const struct fb_ext4_attrs *a)
{
	struct ext2_inode in;
	const char *base;
	ext2_ino_t dir, ino;
	errcode_t err;
	int r;

	r = find_entry(e, fspath, &dir, &base, &ino, &in);
	if (r == -ENOENT && base)
		r = create_file(e, dir, base, fspath, &ino);
	else if (r >= 0 && !LINUX_S_ISREG(in.i_mode))
		r = fb_err_code(LINUX_S_ISLNK(in.i_mode) ? -ELOOP : -EISDIR,
				"%s: '%s' is %s: not replaced", e->name, fspath,
				LINUX_S_ISLNK(in.i_mode) ? "a symbolic link"
							 : "not a regular file");
	else if (r >= 0 && (err = ext2fs_punch(e->fs, ino, NULL, NULL, 0, ~0ULL)))
		r = fail(e, err, "empty", fspath);
	if (r >= 0)
		r = write_data(e, ino, data, len, fspath);
	if (r >= 0)
		r = set_attrs(e, ino, a, fspath);
	return r;
}

int fb_ext4_edit_mkdir(struct fb_ext4_edit *e, const char *fspath, const struct fb_ext4_attrs *a)
{
	struct ext2_inode in;
	const char *base;
	ext2_ino_t dir, ino;
	errcode_t err;
	int r;

	r = find_entry(e, fspath, &dir, &base, &ino, &in);
	if (r == -ENOENT && base) {
		err = ext2fs_mkdir(e->fs, dir, 0, base);
		if (err == EXT2_ET_DIR_NO_SPACE && !(err = ext2fs_expand_dir(e->fs, dir)))
			err = ext2fs_mkdir(e->fs, dir, 0, base);
		r = err ? fail(e, err, "make directory", fspath)
			: lookup(e, dir, base, strlen(base), fspath, &ino);
	} else if (r >= 0 && !LINUX_S_ISDIR(in.i_mode)) {
		r = fb_err_code(-ENOTDIR, "%s: '%s' is there and is not a directory", e->name,
				fspath);
	}
	if (r >= 0)
		r = set_attrs(e, ino, a, fspath);
	return r;
}

int fb_ext4_edit_close(struct fb_ext4_edit *e)
{
	errcode_t err = 0;
	int r = 0;

	if (!e)
		return 0;
	/*
	 * Also after a failed change: inodes and directory blocks are written
	 * as they change, so the bitmaps and counts must follow them.
	 */
	if (e->fs && e->writable)
		err = ext2fs_close2(e->fs, 0); /* flushed and synced */
	else if (e->fs)
		ext2fs_free(e->fs);
	if (err) {
		r = fb_err_code(fb_ext4_errno(err), "%s: cannot write the ext4's metadata: %s",
				e->name, error_message(err));
		ext2fs_free(e->fs);
	}
	free(e->name);
	free(e);
	return r;
}
