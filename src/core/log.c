// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

/* The one piece of global mutable state besides parsed options. */
static enum fb_log_level log_level = FB_LOG_INFO;

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

	if (level <= log_level) {
		FILE *out = level == FB_LOG_INFO ? stdout : stderr;

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
