/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What flashbuild reads of a Dockerfile before buildah does: its
 * instructions with their line numbers (to name the line of a failed
 * step) and the images it starts from, so that a base flashbuild makes
 * itself is imported and a registry image is refused without --pull,
 * before anything runs.  Pure code: no logging, no files.
 */
#ifndef FB_ROOTFS_DOCKERFILE_PARSE_H
#define FB_ROOTFS_DOCKERFILE_PARSE_H

#include <stddef.h>

/* Local base images flashbuild makes from its own recipes: "localhost/flashbuild/NAME". */
#define FB_DOCKERFILE_BASE_PREFIX "localhost/flashbuild/"

enum fb_dockerfile_image_kind {
	FB_IMAGE_SCRATCH,    /* FROM scratch: nothing to find */
	FB_IMAGE_FLASHBUILD, /* localhost/flashbuild/busybox, .../debian-SUITE */
	FB_IMAGE_REGISTRY,   /* anything else: only with --pull */
	FB_IMAGE_ARG,	     /* names a build argument ("$BASE"): only with --pull */
	_FB_IMAGE_KIND_MAX,
};

/* An image the Dockerfile names in FROM or COPY --from= (an earlier stage is none). */
struct fb_dockerfile_image {
	char *ref; /* as written: "localhost/flashbuild/debian-bookworm:latest" */
	unsigned line;
	enum fb_dockerfile_image_kind kind;
	/* FB_IMAGE_FLASHBUILD: the recipe that makes it and its suite (debian), else NULL */
	const char *recipe;
	char *suite;
	char *name; /* "debian-bookworm": the image's name under the prefix, no tag */
};

/* One instruction, its continuation lines joined. */
struct fb_dockerfile_step {
	char *keyword; /* upper case: "RUN" */
	char *args;
	unsigned line;	/* where it starts */
	unsigned stage; /* 1-based: the FROM it follows */
};

struct fb_dockerfile {
	struct fb_dockerfile_step *steps;
	size_t n_steps;
	struct fb_dockerfile_image *images; /* in order of first mention, no repeats */
	size_t n_images;
};

/*
 * Parses TEXT.  -EINVAL with *RET_LINE (0: the whole file) and *RET_WHY for
 * a Dockerfile flashbuild cannot use (no FROM, an instruction before it, a
 * bad FROM, an unknown localhost/flashbuild/ image); -ENOMEM.
 */
int fb_dockerfile_parse(const char *text, struct fb_dockerfile *ret, unsigned *ret_line,
			const char **ret_why);
void fb_dockerfile_free(struct fb_dockerfile *d);

/* The instruction of step STEP (1-based, FROM is 1) of stage STAGE (1-based), or NULL. */
const struct fb_dockerfile_step *fb_dockerfile_step(const struct fb_dockerfile *d, unsigned stage,
						    unsigned step);

#endif
