/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The paths of a profile found outside the current directory, taken from its root (paths.c). */
#ifndef FB_PATHS_H
#define FB_PATHS_H

struct fb_board;

/* Every relative path B's keys name becomes ROOT/PATH.  -ENOMEM, not logged. */
int fb_board_rebase(struct fb_board *b, const char *root);

#endif
