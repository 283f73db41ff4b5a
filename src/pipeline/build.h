/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one road from a profile to its outputs, for every command that
 * builds (build, image, emulate, flash --board, station --board): the deb:
 * values resolved once into a view of the profile, then the stages in
 * order (rootfs, kernel, initramfs), each cached under a key of its inputs,
 * then the image.  A stage that finds its artifact does nothing; --rootfs
 * takes the rootfs stage's place and nothing else's.
 */
#ifndef FB_BUILD_H
#define FB_BUILD_H

#include <stdbool.h>

#include "core/cache.h"
#include "core/stage.h"
#include "kernel/kernel.h"
#include "pipeline/initramfs.h"
#include "profile/board.h"
#include "rootfs/rootfs.h"

struct fb_build_opts {
	const char *outdir; /* "out" */
	const char *rootfs; /* --rootfs DIR|ARCHIVE: instead of the rootfs stage; NULL */
	bool pull;	    /* --pull: a Dockerfile's registry images may be fetched */
	bool debug;	    /* --debug: the kernel as [kernel] debug = yes */
	const char *sign;   /* --sign KEYID: the bmap signed by it (else [image] sign) */
};

struct fb_build {
	/* The profile as the stages see it: deb: values are paths in the cache. */
	struct fb_board *board;
	struct fb_cache cache;
	struct fb_stage_env env;
	const char *rootfs_override; /* opts->rootfs */

	/* Filled in by the stages, in the order they run. */
	struct fb_rootfs rootfs;
	struct fb_kernel kernel;
	struct fb_initramfs initramfs;
	char *image; /* OUTDIR/NAME.img, when the board has an [image] */
};

/* Everything `flashbuild build --board` does for PROFILE; the outputs stay in *B for emulate. */
int fb_build_run(const struct fb_board *profile, const struct fb_build_opts *opts,
		 struct fb_build *b);
void fb_build_free(struct fb_build *b);

/*
 * `flashbuild kernel`: PROFILE's sections checked as for a build, then the
 * kernel stage's configurators (kernel.h) with the build's cache and epoch.
 */
int fb_build_kernel_tool(const struct fb_board *profile, const struct fb_kernel_tool_opts *o);

#endif
