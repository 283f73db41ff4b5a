/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The serial console conversation: read what the guest prints, wait for
 * patterns with a deadline, type lines.  Knows nothing of QEMU.
 */
#ifndef FB_CONSOLE_H
#define FB_CONSOLE_H

#include <stddef.h>

struct fb_console {
	int rfd;     /* the guest's serial output */
	int wfd;     /* its serial input */
	int echo_fd; /* a copy of everything read goes here; -1: none */
	char *buf;   /* read and not yet consumed by a match */
	size_t len, cap;
};

void fb_console_init(struct fb_console *c, int rfd, int wfd, int echo_fd);
void fb_console_done(struct fb_console *c);

/*
 * Waits until one of PATS (NULL-terminated) appears in the output, or the
 * monotonic clock passes DEADLINE (fb_now() seconds).  Returns the index of
 * the pattern that matched first and consumes the output up to its end;
 * *ret_before (if not NULL) gets a copy of the text before the match,
 * without the NUL bytes in it.
 * -ETIMEDOUT at the deadline, -EPIPE when the guest's output ends.  Logs
 * nothing: the caller knows what it was waiting for.
 */
int fb_console_expect(struct fb_console *c, const char *const pats[], double deadline,
		      char **ret_before);
/* Types S. */
int fb_console_send(struct fb_console *c, const char *s);

#endif
