// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "device/udev.h"
#include "select.h"

int fb_station_match_check(const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return fb_err("station: --match takes PROPERTY=VALUE (a glob), not '%s'", arg);
	return 0;
}

static bool matches(const struct fb_dev_facts *d, const char *m)
{
	const char *eq = strchr(m, '=');
	_cleanup_free_ char *key = eq ? strndup(m, (size_t)(eq - m)) : NULL;
	const char *v = key ? fb_dev_facts_prop(d, key) : NULL;

	return v && fnmatch(eq + 1, v, 0) == 0;
}

enum fb_station_pick fb_station_select(const struct fb_dev_facts *d, char *const *match)
{
	const char *mark;

	if (d->is_partition || d->size == 0)
		return FB_STATION_SKIP;
	if (match && *match) {
		for (; *match; match++)
			if (!matches(d, *match))
				return FB_STATION_SKIP;
		return FB_STATION_TAKE;
	}
	mark = fb_dev_facts_prop(d, FB_STATION_MARK);
	if (mark)
		return !strcmp(mark, "1") ? FB_STATION_TAKE_MARKED : FB_STATION_SKIP;
	/* What the shipped rule marks, for a machine without it. */
	if (fb_streq_ptr(d->bus, "usb") && d->removable)
		return FB_STATION_TAKE;
	if (fb_streq_ptr(d->bus, "mmc") && fb_streq_ptr(d->card_type, "SD"))
		return FB_STATION_TAKE;
	return FB_STATION_SKIP;
}
