// SPDX-License-Identifier: GPL-2.0-or-later
/* One cached build stage: find the artifact, or make it under a temporary name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "stage.h"
#include "util.h"

static void say_time(const char *stage, const char *what, double secs)
{
	if (secs >= 60)
		fb_info("  %-10s %s in %dm%02ds", stage, what, (int)secs / 60, (int)secs % 60);
	else
		fb_info("  %-10s %s in %.2f s", stage, what, secs);
}

int fb_stage_run(const struct fb_cache *c, const char *stage, const char *key, fb_stage_fn run,
		 void *userdata, struct fb_artifact *art)
{
	_cleanup_free_ char *tmp = NULL;
	double t0 = fb_now();
	int r;

	fb_artifact_clear(art);
	snprintf(art->key, sizeof(art->key), "%s", key);
	art->dir = fb_cache_path(c, stage, key);
	if (!art->dir)
		return fb_err_errno(-ENOMEM, "cannot run stage '%s'", stage);
	fb_debug("%s: artifact '%s'", stage, art->dir);
	if (fb_cache_has(c, stage, key)) {
		fb_info("  %-10s up to date", stage);
		return 0;
	}
	r = fb_cache_begin(c, stage, key, &tmp);
	if (r < 0)
		return r;
	r = run(userdata, tmp);
	if (r >= 0)
		r = fb_cache_commit(c, stage, key, tmp);
	if (r < 0) {
		fb_cache_abort(tmp);
		return r;
	}
	art->fresh = true;
	say_time(stage, "built", fb_now() - t0);
	return 0;
}

char *fb_artifact_file(const struct fb_artifact *art, const char *name)
{
	return fb_path_join(art->dir, name);
}

void fb_artifact_clear(struct fb_artifact *art)
{
	free(art->dir);
	*art = (struct fb_artifact){ 0 };
}
