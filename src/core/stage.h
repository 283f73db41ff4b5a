/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One cached build stage: its artifact is CACHE/STAGE/KEY, found there or
 * made under a temporary name and renamed into place (cache.h).  What the
 * stages are and what their keys cover is theirs (rootfs/, kernel/,
 * pipeline/); this is only the find-or-make around them.
 */
#ifndef FB_STAGE_H
#define FB_STAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "cache.h"

struct fb_artifact {
	char key[FB_KEY_LEN + 1];
	char *dir;  /* CACHE/STAGE/KEY: complete, read-only from here on */
	bool fresh; /* built by this run */
};

/* What every stage of one build is given, besides its board. */
struct fb_stage_env {
	struct fb_cache *cache;
	int64_t timestamp; /* fb_source_date_epoch(): "now" for everything built */
	bool pull;	   /* --pull: a Dockerfile's registry images may be fetched */
	bool debug;	   /* --debug: the kernel as [kernel] debug = yes */
};

/* Fills OUTDIR, an empty temporary directory, with the artifact.  -errno, logged. */
typedef int (*fb_stage_fn)(void *userdata, const char *outdir);

/*
 * If CACHE/STAGE/KEY exists, says "up to date" and sets *ART; else RUN
 * fills a fresh temporary directory that is then renamed to CACHE/STAGE/KEY.
 * A failed RUN leaves nothing behind.  Prints one line with the stage's
 * name and time either way.
 */
int fb_stage_run(const struct fb_cache *c, const char *stage, const char *key, fb_stage_fn run,
		 void *userdata, struct fb_artifact *art);

/* Path of NAME inside an artifact; NULL on ENOMEM. */
char *fb_artifact_file(const struct fb_artifact *art, const char *name);
void fb_artifact_clear(struct fb_artifact *art);

#endif
