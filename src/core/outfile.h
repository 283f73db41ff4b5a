/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Outputs are written under a temporary name in their final directory and
 * renamed into place, so a failed or killed run never leaves a half file
 * under a final name, and an older good file stays until the new one is
 * complete.
 *
 * A temporary is named ".NAME.PID.XXXXXX" after the process that makes it.
 * A run killed with SIGKILL cannot remove its temporaries; the next run that
 * writes NAME removes those whose process is gone, and never one of a run
 * still going (a concurrent build of the same output keeps its own).
 */
#ifndef FB_OUTFILE_H
#define FB_OUTFILE_H

#include <stddef.h>

struct fb_outfile {
	char *path; /* final name */
	char *tmp;  /* ".NAME.XXXXXX" beside it */
	int fd;
};

/*
 * Creates the directory of PATH if needed, removes stale temporaries of PATH
 * and opens a temporary file beside PATH.
 */
int fb_outfile_open(struct fb_outfile *o, const char *path);
/* fsync + close + rename over the final name; the directory is synced too. */
int fb_outfile_commit(struct fb_outfile *o);
/* Removes the temporary file if it was not committed; frees. Accepts a zeroed struct. */
void fb_outfile_abort(struct fb_outfile *o);

/* PATH holding the LEN bytes of DATA, written as above; -errno, logged. */
int fb_outfile_write(const char *path, const void *data, size_t len);

/* "DIR/.BASE.PID.XXXXXX" for this process, a template for mkstemp/mkdtemp; NULL on ENOMEM. */
char *fb_temp_template(const char *dir, const char *base);
/*
 * Removes DIR/.BASE.PID.XXXXXX (files or whole trees) whose process PID no
 * longer exists: what a killed run left.  Returns how many were removed;
 * what cannot be removed is left, with a warning.
 */
int fb_temp_remove_stale(const char *dir, const char *base);

#endif
