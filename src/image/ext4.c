// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ext4 in place: the steps of mke2fs (misc/mke2fs.c) done with libext2fs on
 * a byte range of the image, then a copy of an fb_entries tree in the way
 * of misc/create_inode.c (ext4-tree.c), except that file data goes straight
 * to extents allocated in large runs (ext4-data.c), instead of block by block.
 */
#include <et/com_err.h>
#include <fcntl.h>
#include <inttypes.h>
#include <search.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "ext4-internal.h"

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
int fb_ext4_errno(errcode_t err)
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

int fb_ext4_fail(struct e4 *c, errcode_t err, const char *what)
{
	const char *path = c->path && !*c->path ? "/" : c->path;
	bool full = err == EXT2_ET_BLOCK_ALLOC_FAIL || err == EXT2_ET_INODE_ALLOC_FAIL;
	char size[32];
	int r = fb_ext4_errno(err);

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
		return fb_err_code(-EINVAL, "%s: reserved blocks percentage %g is not within 0..50",
				   c->name, reserved);
	size_str(c->size, size);
	if (blocks < 64 || inodes * 256 >= blocks * bs)
		return fb_err_code(-ENOSPC, "%s: %s is too small for ext4", c->name, size);
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
	return err ? fb_ext4_fail(c, err, "clear old data") : 0;
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
	return err ? fb_ext4_fail(c, err, "write reserved inodes") : 0;
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
	return err ? fb_ext4_fail(c, err, "create reserved inodes") : 0;
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
		return fb_ext4_fail(c, err, "create the root directory");
	r = fb_ext4_node_set(c, "", EXT2_ROOT_INO, true, &c->root);
	return r < 0 ? r : fb_ext4_node_set(c, "lost+found", lpf, true, NULL);
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
	return err ? fb_ext4_fail(c, err, "create the journal") : 0;
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
		return fb_ext4_fail(c, err, "create ext4");
	/* as mke2fs -E offset=: every block number is relative to the partition */
	snprintf(opt, sizeof(opt), "offset=%" PRIu64, offset);
	err = io_channel_set_options(c->fs->io, opt);
	if (!err && c->fs->super->s_inodes_count <= EXT2_FIRST_INO(c->fs->super))
		err = EXT2_ET_TOOSMALL;
	c->inode_buf = calloc(1, EXT2_INODE_SIZE(c->fs->super));
	c->dir_buf = malloc(c->fs->blocksize);
	if (err || !c->inode_buf || !c->dir_buf)
		return fb_ext4_fail(c, err ? err : EXT2_ET_NO_MEMORY, "create ext4");
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
		return fb_ext4_fail(c, err, "allocate ext4 tables");
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
		return fb_err_code(-EINVAL, "%s: '%s' ends before the partition does", name, path);
	c.stage = malloc(STAGE_SIZE);
	if (!c.stage)
		return fb_err_errno(-ENOMEM, "%s: cannot create ext4", name);
	r = mkfs(&c, path, offset, opts ? opts : &defaults);
	if (r >= 0 && src)
		r = fb_ext4_populate(&c, src);
	if (r >= 0 && opts && opts->overlay) {
		c.overlay = true;
		r = fb_ext4_populate(&c, opts->overlay);
	}
	if (r >= 0)
		r = fb_ext4_set_dir_times(&c);
	if (r < 0)
		return r;
	c.path = NULL;
	/* No fsync here: the image is synced once, when it is complete. */
	err = ext2fs_close2(c.fs, EXT2_FLAG_FLUSH_NO_SYNC);
	if (err)
		return fb_ext4_fail(&c, err, "write ext4 metadata");
	c.fs = NULL;
	return 0;
}
