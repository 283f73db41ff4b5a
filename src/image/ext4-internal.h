/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the pieces of the ext4 writer share: ext4.c (entry point, mkfs),
 * ext4-data.c (blocks, extents, directory entries) and ext4-tree.c
 * (applying entries).  Only they include it: libext2fs stays behind them.
 */
#ifndef FB_EXT4_INTERNAL_H
#define FB_EXT4_INTERNAL_H

#include <ext2fs/ext2fs.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/log.h"
#include "ext4.h"

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
	bool overlay;	  /* adding opts->overlay: existing directories stay as they are */
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

/* ext4.c: errcode_t to -errno, and the one message for a libext2fs failure */
int fb_ext4_errno(errcode_t err);
int fb_ext4_fail(struct e4 *c, errcode_t err, const char *what);

/* ext4-data.c: inodes, data blocks and directory entries */
int fb_ext4_write_inode(struct e4 *c, ext2_ino_t ino, struct ext2_inode_large *in);
/* Reads inode INO into c->inode_buf. */
int fb_ext4_read_inode(struct e4 *c, ext2_ino_t ino);
/* Adds NAME -> INO at the end of directory DIR. */
int fb_ext4_link(struct e4 *c, struct node *dir, const char *name, ext2_ino_t ino, int ftype);
/* Allocates up to WANT blocks in one run at c->goal or after. */
int fb_ext4_alloc_run(struct e4 *c, blk64_t want, blk64_t *pblk, blk64_t *plen);
/* Writes IN, then opens its extent map: a caller that stops before file_end frees f->handle. */
int fb_ext4_file_begin(struct e4 *c, struct e4_file *f, ext2_ino_t ino,
		       struct ext2_inode_large *in);
int fb_ext4_file_extent(struct e4 *c, struct e4_file *f, blk64_t lblk, blk64_t pblk, blk64_t len);
int fb_ext4_file_data(struct e4 *c, struct e4_file *f, const char *p, size_t len, uint64_t off);
/* Flushes what is staged, frees f->handle and writes the inode with SIZE. */
int fb_ext4_file_end(struct e4 *c, struct e4_file *f, uint64_t size);
/* Copies the data of SRC's current entry into f, then ends it. */
int fb_ext4_copy_data(struct e4 *c, struct e4_file *f, struct fb_entries *src, uint64_t size);

/* ext4-tree.c: the tree of paths, and the entries applied to it */
/* PATH is now INO; a node that had the path before is reused. */
int fb_ext4_node_set(struct e4 *c, const char *path, ext2_ino_t ino, bool is_dir,
		     struct node **ret);
int fb_ext4_populate(struct e4 *c, struct fb_entries *src);
/* Directory times are set last: adding children may change them. */
int fb_ext4_set_dir_times(struct e4 *c);

#endif
