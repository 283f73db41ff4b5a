/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What fills a byte range of the image: one handler per content kind
 * (part-ext4.c, part-vfat.c, part-raw.c, part-empty.c) behind one ops
 * struct.  Only image.c knows the list.
 */
#ifndef FB_PART_H
#define FB_PART_H

#include <stdbool.h>
#include <stdint.h>

#include "profile/board.h"
#include "profile/keys.h"
#include "table.h"

/* What every handler may read about the image being built. */
struct fb_signer;

struct fb_image_ctx {
	const char *image_path; /* the temporary image file */
	const char *rootfs;	/* --rootfs DIR|ARCHIVE, or NULL */
	int64_t timestamp;	/* "now" for every time written: fb_source_date_epoch() */
	const char *seed; /* what ids derive from (core/ids.h): [image] seed or the board name */
	const struct fb_table *table;
	uint64_t image_size;
	const char *arch; /* [board] arch; NULL: this machine's */
	/* The build's boot artifacts, for bootloaders; NULL when there are none. */
	const char *kernel, *initramfs, *cmdline;
	const char *fdt;     /* the board's device tree, or NULL */
	const char *dtb_dir; /* every one of [kernel] dtbs, by basename; or NULL */
	/* [bootloader] sign-key and sign-cert (sign.h); KERNEL is signed by it.  NULL: none. */
	const struct fb_signer *signer;
};

struct fb_part {
	const struct fb_part_ops *ops;
	const struct fb_section *section; /* [part NAME] or [raw NAME] */
	const struct fb_table_part *tp;	  /* the layout's partition; NULL for [raw] */
	char *what;			  /* "partition 'root'", for messages */
	uint64_t offset, size;		  /* the byte range it may write */
	/*
	 * A directory a bootloader staged (its prepare hook) to lay over the
	 * part's content: its files are added, replacing any of the same path;
	 * directories that exist keep their attributes.  NULL: none.  Only
	 * kinds with overlay_ok take one.
	 */
	const char *overlay;
	void *conf; /* ops->conf_size bytes, set from ops->keys */
	void *priv;
};

struct fb_part_ops {
	const char *kind; /* "ext4": matches "content = ext4" */
	const struct fb_key *keys;
	size_t conf_size;
	bool overlay_ok; /* write() lays fb_part.overlay over the content */
	/* Validates the conf and the range; may narrow offset/size.  No writes. */
	int (*setup)(struct fb_part *p, const struct fb_image_ctx *ctx);
	/* Fills [offset, offset+size) of the image open as FD. */
	int (*write)(struct fb_part *p, const struct fb_image_ctx *ctx, int fd);
	void (*done)(struct fb_part *p);
};

extern const struct fb_part_ops fb_part_ext4;
extern const struct fb_part_ops fb_part_vfat;
extern const struct fb_part_ops fb_part_raw;
extern const struct fb_part_ops fb_part_empty;
/* [raw NAME]: a file at an absolute offset, outside any partition or inside its own. */
extern const struct fb_part_ops fb_part_blob;

/*
 * The environment mtools (and syslinux, which runs mtools) gets: no geometry
 * check (mtools finds a FAT inside an image odd; ours come from mkfs.fat),
 * SOURCE_DATE_EPOCH = the image's timestamp, mtools' "now" for every
 * directory entry it writes, and TZ=UTC (FAT stores local time: the build
 * machine's zone must not show).
 */
struct fb_mtools_env {
	char epoch[48];
	const char *env[4];
};
const char *const *fb_mtools_env(struct fb_mtools_env *e, const struct fb_image_ctx *ctx);

/* Resolves a profile's "from = rootfs" (the --rootfs input) or a path. */
const char *fb_part_source(const struct fb_part *p, const struct fb_image_ctx *ctx,
			   const char *from);

#endif
