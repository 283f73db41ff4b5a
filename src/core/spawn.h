/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running the external tools that own a job (mkfs.fat, mtools, ...). */
#ifndef FB_SPAWN_H
#define FB_SPAWN_H

/*
 * Runs ARGV (argv[0] looked up in PATH) with posix_spawn, with the extra
 * "NAME=value" strings of ENV (NULL-terminated, may be NULL) added to the
 * environment.  Its output is captured and only its last line shown, in
 * the one error message, when it fails.  Returns 0, or -errno (exit status
 * != 0 is -EIO), logged naming the tool and WHAT it was doing.
 */
int fb_spawn(const char *const argv[], const char *const env[], const char *what);

#endif
