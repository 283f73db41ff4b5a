/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The image step: board profile + layout + trees -> NAME.img and NAME.img.bmap. */
#ifndef FB_IMAGE_H
#define FB_IMAGE_H

#include "core/cache.h"
#include "profile/board.h"

struct fb_image_opts {
	const char *rootfs; /* the tree of 'from = rootfs': a directory or an archive, or NULL */
	const char *path;   /* OUTDIR/NAME.img; its bmap goes beside it */
	/* What a bootloader boots ([kernel], [initramfs]); NULL when not built. */
	const char *kernel, *initramfs, *cmdline;
	int64_t timestamp;   /* "now" for file times: fb_source_date_epoch() */
	const char *fdt;     /* the board's device tree ([kernel] dtbs), or NULL */
	const char *dtb_dir; /* every one of [kernel] dtbs, by basename; or NULL */
	const char *sign;    /* --sign or [image] sign: the key that signs the bmap, or NULL */
};

/*
 * Builds opts->path and opts->path.bmap from the board B (and, with
 * opts->sign, the bmap's detached signature opts->path.bmap.asc).  All
 * are written under temporary names and renamed into place only when all
 * of the image was written: on failure an older image stays untouched.
 */
int fb_image_build(const struct fb_board *b, const struct fb_image_opts *opts);

/*
 * Whether every [part], [raw] and [bootloader] section of B names a kind
 * that exists and keys that kind knows, with values of their types: what
 * can be said without the layout and the files.  Logs.
 */
int fb_image_check(const struct fb_board *b);

/*
 * Adds everything the image of B is made from to H: the profile files, the
 * layout, and every file or tree a part or raw blob names ("from = rootfs"
 * stands for the rootfs, which the caller hashes by its own key).
 */
int fb_image_hash_inputs(const struct fb_board *b, struct fb_hasher *h);

#endif
