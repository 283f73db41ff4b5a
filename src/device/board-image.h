/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The image `flash --board` and `station --board` write: the board's, built first when stale. */
#ifndef FB_DEVICE_BOARD_IMAGE_H
#define FB_DEVICE_BOARD_IMAGE_H

/*
 * OUTDIR/NAME.img of BOARD, built by `flashbuild build`'s stages and keys,
 * or, with ROOTFS, by the image step from that tree.  *RET for free().  Logs.
 */
int fb_board_image(const char *board, const char *outdir, const char *rootfs, char **ret);

#endif
