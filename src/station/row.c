// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>

#include "row.h"

static const char *const state_names[_FB_STATION_STATE_MAX] = {
	[FB_STATION_WAITING] = "waiting",     [FB_STATION_CHECKING] = "checking",
	[FB_STATION_WRITING] = "writing",     [FB_STATION_VERIFYING] = "verifying",
	[FB_STATION_FINISHING] = "finishing", [FB_STATION_DONE] = "done",
	[FB_STATION_FAILED] = "failed",	      [FB_STATION_SKIPPED] = "skipped",
};

const char *fb_station_state_name(enum fb_station_state s)
{
	return s < _FB_STATION_STATE_MAX ? state_names[s] : "?";
}

const char *fb_station_slot(const struct fb_dev_facts *d)
{
	return d->id_path ? d->id_path : d->node;
}

double fb_station_row_percent(const struct fb_station_row *r)
{
	if (!r->total)
		return -1;
	return 100.0 * (double)r->done / (double)r->total;
}

double fb_station_row_rate(const struct fb_station_row *r)
{
	double t = r->elapsed - r->phase_t0;

	if (r->finished)
		return r->elapsed > 0.05 ? (double)r->written / r->elapsed : 0;
	return t > 0.05 ? (double)r->done / t : 0;
}

const char *fb_station_row_state(const struct fb_station_row *r, char *buf, size_t len)
{
	const char *name = fb_station_state_name(r->state);
	double pct = fb_station_row_percent(r);

	if (r->state == FB_STATION_FAILED || r->state == FB_STATION_SKIPPED)
		snprintf(buf, len, "%s: %s", name, r->reason ? r->reason : "?");
	else if ((r->state == FB_STATION_WRITING || r->state == FB_STATION_VERIFYING) && pct >= 0)
		snprintf(buf, len, "%s %.0f %%", name, pct);
	else
		snprintf(buf, len, "%s", name);
	return buf;
}

struct fb_station_row *fb_station_row_free(struct fb_station_row *r)
{
	if (!r)
		return NULL;
	fb_dev_facts_done(&r->dev);
	free(r->reason);
	free(r->error_text);
	free(r->done_before);
	free(r);
	return NULL;
}
