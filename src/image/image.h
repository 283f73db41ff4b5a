/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The image step: board profile + layout + trees -> NAME.img and NAME.img.bmap. */
#ifndef FB_IMAGE_H
#define FB_IMAGE_H

#include "profile/board.h"

struct fb_image_opts {
	const char *rootfs; /* --rootfs DIR|ARCHIVE, or NULL */
	const char *outdir; /* "out" */
};

/*
 * Builds OUTDIR/NAME.img and OUTDIR/NAME.img.bmap from the board B.  Both
 * are written under temporary names and renamed into place only when all
 * of the image was written: on failure an older image stays untouched.
 */
int fb_image_build(const struct fb_board *b, const struct fb_image_opts *opts);

#endif
