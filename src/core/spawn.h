/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running the external tools that own a job (mkfs.fat, mtools, ...). */
#ifndef FB_SPAWN_H
#define FB_SPAWN_H

#include <stddef.h>

/*
 * Runs ARGV (argv[0] looked up in PATH) with posix_spawn, with the extra
 * "NAME=value" strings of ENV (NULL-terminated, may be NULL) added to the
 * environment.  Its output is captured and only its last line shown, in
 * the one error message, when it fails.  Returns 0, or -errno (exit status
 * != 0 is -EIO), logged naming the tool and WHAT it was doing.
 */
int fb_spawn(const char *const argv[], const char *const env[], const char *what);

/*
 * Makes PATH hold /usr/sbin and /sbin (appended, so the user's own PATH
 * wins): Debian keeps tools flashbuild runs there (mkfs.fat, resize2fs), and
 * a normal user's PATH has neither.  Called once, from main().  -ENOMEM.
 */
int fb_spawn_init_path(void);

/* Called with each line (without its '\n', NUL-terminated) a tool prints. */
typedef void (*fb_spawn_line_fn)(const char *line, size_t len, void *userdata);

struct fb_spawn_pipe_opts {
	const char *const *env; /* extra "NAME=value" strings, or NULL */
	const char *cwd;	/* directory to run in, or NULL */
	fb_spawn_line_fn line;	/* gets stdout and stderr, interleaved as printed */
	void *userdata;
};

/*
 * Runs ARGV like fb_spawn(), with stdin from /dev/null, and hands every
 * line of its output to OPTS->line as it comes, for a log file and a
 * progress line.  Returns the tool's exit status (0-255, or 128+N when
 * signal N killed it) and leaves judging it to the caller, who knows what
 * to say; -errno, logged, only when the tool could not be run at all.
 */
int fb_spawn_pipe(const char *const argv[], const struct fb_spawn_pipe_opts *opts);

/*
 * Runs ARGV (with ENV, as fb_spawn()) on this process's own stdin, stdout
 * and stderr, for a tool that talks to the user's terminal (menuconfig).
 * Returns its exit status as fb_spawn_pipe() does; -errno, logged.
 */
int fb_spawn_inherit(const char *const argv[], const char *const env[]);

#endif
