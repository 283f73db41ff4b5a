/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A per-card template ("unit-{serial}"): {serial} is the device's
 * ID_SERIAL_SHORT, {date} the day of the write (UTC, YYYY-MM-DD), {n} the
 * card's number where the caller counts cards (0: it does not).
 */
#ifndef FB_CUSTOMIZE_TEMPLATE_H
#define FB_CUSTOMIZE_TEMPLATE_H

#include <stdbool.h>

struct fb_template_vars {
	unsigned long n;    /* 0: no {n} here */
	const char *serial; /* NULL: the device has none */
	const char *date;   /* "2026-12-07" */
};

/*
 * *RET: TEMPLATE with its {var}s replaced.  An unknown {var}, an unclosed
 * '{', or a var with no value here: logged naming WHAT ("--hostname"),
 * -EINVAL.
 */
int fb_template_expand(const char *what, const char *template, const struct fb_template_vars *v,
		       char **ret);

/* Checks that TEMPLATE's {var}s are all known (before any device is touched); logged. */
int fb_template_check(const char *what, const char *template, bool have_n);

#endif
