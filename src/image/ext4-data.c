// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Blocks of the ext4 writer: inodes, file data staged and written in runs
 * with its extents, and directory entries appended to a directory's last
 * block.
 */
#include <string.h>

#include "ext4-internal.h"

int fb_ext4_write_inode(struct e4 *c, ext2_ino_t ino, struct ext2_inode_large *in)
{
	errcode_t err = ext2fs_write_inode_full(c->fs, ino, (struct ext2_inode *)in,
						EXT2_INODE_SIZE(c->fs->super));

	return err ? fb_ext4_fail(c, err, "write inode of") : 0;
}

int fb_ext4_read_inode(struct e4 *c, ext2_ino_t ino)
{
	errcode_t err = ext2fs_read_inode_full(c->fs, ino, (struct ext2_inode *)c->inode_buf,
					       EXT2_INODE_SIZE(c->fs->super));

	return err ? fb_ext4_fail(c, err, "read inode of") : 0;
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
	return err ? fb_ext4_fail(c, err, "link") : 0;
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
int fb_ext4_link(struct e4 *c, struct node *dir, const char *name, ext2_ino_t ino, int ftype)
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
			return err ? fb_ext4_fail(c, err, "link") : 0;
		}
		err = ext2fs_expand_dir(c->fs, dir->ino);
		dir->tail = 0;
		if (err)
			break;
	}
	return fb_ext4_fail(c, err ? err : EXT2_ET_DIR_NO_SPACE, "link");
}

int fb_ext4_alloc_run(struct e4 *c, blk64_t want, blk64_t *pblk, blk64_t *plen)
{
	errcode_t err = ext2fs_new_range(c->fs, 0, c->goal, want, NULL, pblk, plen);

	if (err)
		return fb_ext4_fail(c, err, "allocate blocks for");
	ext2fs_block_alloc_stats_range(c->fs, *pblk, *plen, +1);
	c->goal = *pblk + *plen;
	return 0;
}

int fb_ext4_file_begin(struct e4 *c, struct e4_file *f, ext2_ino_t ino, struct ext2_inode_large *in)
{
	errcode_t err;
	int r;

	*f = (struct e4_file){ .ino = ino, .inode = in };
	/* Extent blocks are checksummed with the inode's generation: the inode goes first. */
	r = fb_ext4_write_inode(c, ino, in);
	if (r < 0)
		return r;
	err = ext2fs_extent_open2(c->fs, ino, (struct ext2_inode *)in, &f->handle);
	return err ? fb_ext4_fail(c, err, "map blocks of") : 0;
}

static int file_flush_extent(struct e4 *c, struct e4_file *f)
{
	errcode_t err;

	if (!f->ext.e_len)
		return 0;
	/* Extents come in order, so each goes after the last; the handle stays on it. */
	err = ext2fs_extent_insert(f->handle, f->inserted ? EXT2_EXTENT_INSERT_AFTER : 0, &f->ext);
	if (err)
		return fb_ext4_fail(c, err, "map blocks of");
	f->inserted = true;
	f->ext.e_len = 0;
	return 0;
}

int fb_ext4_file_extent(struct e4 *c, struct e4_file *f, blk64_t lblk, blk64_t pblk, blk64_t len)
{
	struct ext2fs_extent *x = &f->ext;
	errcode_t err;
	int r;

	err = ext2fs_iblk_add_blocks(c->fs, (struct ext2_inode *)f->inode, len);
	if (err)
		return fb_ext4_fail(c, err, "map blocks of");
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
		r = fb_ext4_alloc_run(c, n, &pblk, &len);
		if (r < 0)
			return r;
		err = io_channel_write_blk64(c->fs->io, pblk, (int)len, data);
		if (err)
			return fb_ext4_fail(c, err, "write data of");
		r = fb_ext4_file_extent(c, f, lblk, pblk, len);
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
int fb_ext4_file_data(struct e4 *c, struct e4_file *f, const char *p, size_t len, uint64_t off)
{
	uint64_t bs = c->fs->blocksize, pos;
	size_t n;
	int r;

	if (off + len > f->end)
		f->end = off + len;
	while (len > 0) {
		pos = f->lblk * bs + f->fill;
		if (f->staged && off < pos)
			return fb_err_code(-EBADMSG, "%s: data of '%s' is out of order", c->name,
					   c->path);
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

int fb_ext4_file_end(struct e4 *c, struct e4_file *f, uint64_t size)
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
		return fb_ext4_fail(c, err, "set size of");
	return fb_ext4_write_inode(c, f->ino, f->inode);
}

/* Copies the current entry's data into the inode set up in f. */
int fb_ext4_copy_data(struct e4 *c, struct e4_file *f, struct fb_entries *src, uint64_t size)
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
		r = fb_ext4_file_data(c, f, buf, len, off);
		if (r < 0) {
			ext2fs_extent_free(f->handle);
			return r;
		}
	}
	return fb_ext4_file_end(c, f, f->end > size ? f->end : size);
}
