/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What rootfs-tree.c (indexing, adding) and rootfs-tree-write.c (writing) share. */
#ifndef FB_ROOTFS_TREE_INTERNAL_H
#define FB_ROOTFS_TREE_INTERNAL_H

#include "tree.h"

/* A path of the base archive.  Both index entries start with the path. */
struct base_ent {
	char *path;
	enum fb_entry_type type;
	char *link;	  /* symlink target */
	bool skipped;	  /* replaced by an added entry */
	bool link_target; /* a later hard link names it */
	unsigned ino;	  /* cpio: the inode number it was written with */
};

/* An added entry. */
struct node {
	char *path;
	struct fb_tree_item it; /* it.path, it.link and it.data are owned */
	bool written;
};

struct capture {
	char *path;
	char *data;
	size_t size;
};

struct fb_tree {
	char *base;
	int64_t mtime;
	void *base_index; /* tsearch() of struct base_ent */
	void *nodes;	  /* tsearch() of struct node */
	struct capture *caps;
	size_t n_caps;
};

/* Compares the leading path pointers of two index entries. */
int fb_tree_path_cmp(const void *a, const void *b);
/* The entry of PATH in the index ROOT, or NULL. */
void *fb_tree_find(void *const *root, const char *path);

#endif
