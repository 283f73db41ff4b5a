/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Outputs are written under a temporary name in their final directory and
 * renamed into place, so a failed or killed run never leaves a half file
 * under a final name, and an older good file stays until the new one is
 * complete.
 */
#ifndef FB_OUTFILE_H
#define FB_OUTFILE_H

struct fb_outfile {
	char *path; /* final name */
	char *tmp;  /* ".NAME.XXXXXX" beside it */
	int fd;
};

/* Creates the directory of PATH if needed and opens a temporary file beside PATH. */
int fb_outfile_open(struct fb_outfile *o, const char *path);
/* fsync + close + rename over the final name; the directory is synced too. */
int fb_outfile_commit(struct fb_outfile *o);
/* Removes the temporary file if it was not committed; frees. Accepts a zeroed struct. */
void fb_outfile_abort(struct fb_outfile *o);

#endif
