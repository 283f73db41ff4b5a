// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

/* The one piece of global mutable state besides parsed options. */
static enum fb_log_level log_level = FB_LOG_INFO;
/* A parsed option too: a command whose stdout is its result (kernel diff) says the rest on stderr. */
static bool info_to_stderr;
/* Per thread, set by the job that runs there (fb_log_capture_set). */
static _Thread_local struct fb_log_capture *capture;

struct fb_log_capture *fb_log_capture_set(struct fb_log_capture *c)
{
	struct fb_log_capture *old = capture;

	capture = c;
	return old;
}

static void keep(int err, const char *fmt, va_list ap)
{
	size_t n;

	pthread_mutex_lock(&capture->lock);
	if (!capture->text[0]) {
		vsnprintf(capture->text, sizeof(capture->text), fmt, ap);
		n = strlen(capture->text);
		if (err)
			snprintf(capture->text + n, sizeof(capture->text) - n, ": %s",
				 strerror(err));
	}
	pthread_mutex_unlock(&capture->lock);
}

void fb_log_info_to_stderr(bool on)
{
	info_to_stderr = on;
}

void fb_log_set_level(enum fb_log_level level)
{
	log_level = level;
}

enum fb_log_level fb_log_get_level(void)
{
	return log_level;
}

static const char *const level_prefix[_FB_LOG_MAX] = {
	[FB_LOG_ERR] = "error: ",
	[FB_LOG_WARN] = "warning: ",
	[FB_LOG_INFO] = "",
	[FB_LOG_DEBUG] = "debug: ",
};

int fb_log_errno(enum fb_log_level level, int r, const char *fmt, ...)
{
	int err = r < 0 ? -r : r;
	va_list ap;

	if (level == FB_LOG_ERR && capture) {
		va_start(ap, fmt);
		keep(err, fmt, ap);
		va_end(ap);
	}
	if (level <= log_level) {
		FILE *out = level == FB_LOG_INFO && !info_to_stderr ? stdout : stderr;

		fprintf(out, "%s", level_prefix[level]);
		va_start(ap, fmt);
		vfprintf(out, fmt, ap);
		va_end(ap);
		if (err)
			fprintf(out, ": %s", strerror(err));
		fputc('\n', out);
		fflush(out);
	}
	return err ? -err : -EINVAL;
}
