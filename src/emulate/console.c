// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "core/util.h"

#define READ_CHUNK 4096
/* Output kept while waiting: enough for a kernel log, bounded for a chatty guest. */
#define KEEP_MAX (1024 * 1024)

void fb_console_init(struct fb_console *c, int rfd, int wfd, int echo_fd)
{
	*c = (struct fb_console){ .rfd = rfd, .wfd = wfd, .echo_fd = echo_fd };
}

void fb_console_done(struct fb_console *c)
{
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Drops the oldest half when the buffer is full: a pattern is short. */
static int console_room(struct fb_console *c)
{
	if (c->len > KEEP_MAX) {
		memmove(c->buf, c->buf + c->len / 2, c->len - c->len / 2);
		c->len -= c->len / 2;
	}
	if (c->len + READ_CHUNK + 1 <= c->cap)
		return 0;
	size_t cap = c->cap ? c->cap * 2 : 4 * READ_CHUNK;
	char *b = realloc(c->buf, cap);

	if (!b)
		return -ENOMEM;
	c->buf = b;
	c->cap = cap;
	return 0;
}

static int console_read(struct fb_console *c, double deadline)
{
	struct pollfd p = { .fd = c->rfd, .events = POLLIN };
	double left = deadline - fb_now();
	ssize_t n;
	int r;

	if (left <= 0)
		return -ETIMEDOUT;
	r = poll(&p, 1, (int)(left * 1000) + 1);
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	if (r == 0)
		return -ETIMEDOUT;
	r = console_room(c);
	if (r < 0)
		return r;
	n = read(c->rfd, c->buf + c->len, READ_CHUNK);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	if (n == 0)
		return -EPIPE;
	if (c->echo_fd >= 0)
		(void)write_all(c->echo_fd, c->buf + c->len, (size_t)n);
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	return 0;
}

/* The earliest match of any pattern in the buffer: its index, or -1. */
static int console_find(struct fb_console *c, const char *const pats[], size_t *ret_at,
			size_t *ret_end)
{
	int best = -1;

	if (!c->buf)
		return -1;
	for (int i = 0; pats[i]; i++) {
		/* The guest may print NULs: search with memmem, not strstr. */
		const char *m = memmem(c->buf, c->len, pats[i], strlen(pats[i]));

		if (m && (best < 0 || (size_t)(m - c->buf) < *ret_at)) {
			best = i;
			*ret_at = (size_t)(m - c->buf);
			*ret_end = *ret_at + strlen(pats[i]);
		}
	}
	return best;
}

int fb_console_expect(struct fb_console *c, const char *const pats[], double deadline,
		      char **ret_before)
{
	size_t at = 0, end = 0;
	int which, r;

	while ((which = console_find(c, pats, &at, &end)) < 0) {
		r = console_read(c, deadline);
		if (r < 0)
			return r;
	}
	if (ret_before) {
		/* without the NULs the guest printed (a device tree string's end): a terminal shows none */
		char *t = malloc(at + 1);
		size_t k = 0;

		if (!t)
			return -ENOMEM;
		for (size_t i = 0; i < at; i++)
			if (c->buf[i])
				t[k++] = c->buf[i];
		t[k] = '\0';
		*ret_before = t;
	}
	memmove(c->buf, c->buf + end, c->len - end);
	c->len -= end;
	c->buf[c->len] = '\0';
	return which;
}

int fb_console_send(struct fb_console *c, const char *s)
{
	return write_all(c->wfd, s, strlen(s));
}
