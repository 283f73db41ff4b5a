/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging.  Every message goes to stderr as "flashbuild: MESSAGE".  The
 * fb_err*() helpers return a negative errno so a failure can be logged and
 * returned in one statement:  return fb_err_errno(r, "cannot open '%s'", p);
 */
#ifndef FB_LOG_H
#define FB_LOG_H

#include <pthread.h>
#include <stdbool.h>

#include "cleanup.h"

enum fb_log_level {
	FB_LOG_ERR,
	FB_LOG_WARN,
	FB_LOG_INFO,
	FB_LOG_DEBUG,
	_FB_LOG_MAX,
};

/*
 * The first error a job logs, kept for its result (flash's JSON result line,
 * the station's log): while a thread has a capture set, its first error
 * message (as printed, without "error: ") is also kept in TEXT.  Threads of
 * one job may share a capture.
 */
#define FB_LOG_CAPTURE_MAX 512
struct fb_log_capture {
	pthread_mutex_t lock;
	char text[FB_LOG_CAPTURE_MAX];
};
/* Sets this thread's capture (NULL: none); returns the one it had. */
struct fb_log_capture *fb_log_capture_set(struct fb_log_capture *c);

void fb_log_set_level(enum fb_log_level level);
/* Info lines on stderr instead of stdout, for a command whose stdout is its result. */
void fb_log_info_to_stderr(bool on);
enum fb_log_level fb_log_get_level(void);

/* Logs at LEVEL; appends ": strerror(-r)" when r != 0; returns -|r| (or -EIO for r == 0). */
int fb_log_errno(enum fb_log_level level, int r, const char *fmt, ...) _printf_(3, 4);

#define fb_err_errno(r, ...)  fb_log_errno(FB_LOG_ERR, (r), __VA_ARGS__)
#define fb_warn_errno(r, ...) fb_log_errno(FB_LOG_WARN, (r), __VA_ARGS__)
/*
 * Logs without a strerror() suffix (which would only repeat the message) and
 * returns R, a code of the caller's: fb_err_code(-EBADMSG, "'%s' is truncated", p).
 */
#define fb_err_code(r, ...) (fb_log_errno(FB_LOG_ERR, 0, __VA_ARGS__), (r))
/* Without an errno to show: returns -EINVAL unless told otherwise with fb_err_errno. */
#define fb_err(...)   fb_log_errno(FB_LOG_ERR, 0, __VA_ARGS__)
#define fb_warn(...)  ((void)fb_log_errno(FB_LOG_WARN, 0, __VA_ARGS__))
#define fb_info(...)  ((void)fb_log_errno(FB_LOG_INFO, 0, __VA_ARGS__))
#define fb_debug(...) ((void)fb_log_errno(FB_LOG_DEBUG, 0, __VA_ARGS__))

#endif
