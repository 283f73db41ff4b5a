/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The partition table, from an sfdisk script (partitions/NAME.sfdisk) with
 * libfdisk's script API.  This file owns libfdisk.
 */
#ifndef FB_TABLE_H
#define FB_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/cleanup.h"

struct fb_range {
	uint64_t start, end; /* bytes, [start, end) */
};

struct fb_table_part {
	size_t partno;	      /* 1-based, as in sfdisk and /dev/sdX1 */
	char *name;	      /* GPT partition name, NULL when none */
	char *type;	      /* type GUID or "0c"-style code */
	char *uuid;	      /* PARTUUID: GPT's, or an MBR's "DISKID-NN"; NULL when unknown */
	uint64_t start, size; /* bytes */
	unsigned line;	      /* line of the layout file that made it */
};

struct fb_table {
	char *layout; /* the sfdisk script's path, for messages */
	char *label;  /* "gpt" or "dos" */
	uint64_t sector_size;
	struct fb_table_part *parts;
	size_t n_parts;
	struct fb_range reserved[2]; /* bytes the table itself occupies */
	size_t n_reserved;
	struct fdisk_context *cxt; /* holds the image open until fb_table_write() */
	struct fb_table_priv *priv;
};

/*
 * Reads the sfdisk script LAYOUT and lays it out over the image file
 * IMAGE_PATH (already at its final size) in memory: partitions are
 * placed and checked, nothing is written yet.  The disk id and the GPT
 * partition UUIDs the script does not give are derived from SEED (the
 * same seed, the same table).  Errors are logged naming LAYOUT and the line.
 */
int fb_table_plan(const char *layout, const char *image_path, const char *seed,
		  struct fb_table **ret);
/* Writes the table to the image and closes libfdisk's handle on it. */
int fb_table_write(struct fb_table *t);
struct fb_table *fb_table_free(struct fb_table *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fb_table *, fb_table_free);

const struct fb_table_part *fb_table_find_name(const struct fb_table *t, const char *name);
const struct fb_table_part *fb_table_find_partno(const struct fb_table *t, size_t partno);
/* Prints the table as an sfdisk script (what `sfdisk -d` shows). */
int fb_table_dump(struct fb_table *t, FILE *out);

#endif
