/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `flashbuild build`: the stages that turn a profile into artifacts
 * (rootfs, kernel, initramfs), each cached under a key of its inputs, and
 * then the image.  A stage that finds its artifact does nothing.
 */
#ifndef FB_BUILD_H
#define FB_BUILD_H

#include <stdbool.h>

#include "core/cache.h"
#include "profile/board.h"

struct fb_artifact {
	char key[FB_KEY_LEN + 1];
	char *dir;  /* CACHE/STAGE/KEY: complete, read-only from here on */
	bool fresh; /* built by this run */
};

struct fb_build {
	struct fb_board *board; /* deb: values become cache paths (deb-sources.h) */
	struct fb_cache cache;
	int64_t timestamp; /* fb_source_date_epoch(): "now" for everything built */
	bool pull;	   /* --pull: a Dockerfile's registry images may be fetched */
	bool debug;	   /* --debug: the kernel as [kernel] debug = yes */

	/* Filled in by the stages, in the order they run. */
	struct fb_artifact rootfs;    /* [rootfs] */
	char *rootfs_tar;	      /* rootfs.dir/rootfs.tar: the tree, owners and all */
	struct fb_artifact kernel;    /* [kernel] */
	char *kernel_image;	      /* kernel.dir/bzImage (or zImage, Image) */
	char *kernel_cmdline;	      /* [kernel] cmdline, or NULL */
	char *kernel_modules;	      /* kernel.dir/modules: NAME.ko, modules.load; or NULL */
	char *kernel_fdt;	      /* kernel.dir/dtbs/NAME.dtb: the first of [kernel] dtbs */
	struct fb_artifact initramfs; /* [initramfs] */
	char *initramfs_image;	      /* initramfs.dir/initramfs.cpio.zst (or .gz) */
	char *image;		      /* OUTDIR/NAME.img, when the board has an [image] */
};

/*
 * Runs one stage: if CACHE/STAGE/KEY exists, says "up to date" and sets
 * *art; else RUN(b, conf, tmpdir) fills a fresh temporary directory that is
 * then renamed to CACHE/STAGE/KEY.  A failed RUN leaves nothing behind.
 * Prints one line with the stage's name and time either way.
 */
typedef int (*fb_stage_run_fn)(struct fb_build *b, const void *conf, const char *outdir);
int fb_build_stage(struct fb_build *b, const char *stage, const char *key, fb_stage_run_fn run,
		   const void *conf, struct fb_artifact *art);

/* Path of NAME inside an artifact; NULL on ENOMEM. */
char *fb_artifact_file(const struct fb_artifact *art, const char *name);
void fb_artifact_clear(struct fb_artifact *art);

struct fb_build_opts {
	const char *outdir; /* "out" */
};

/* Everything `flashbuild build --board` does; the artifacts stay in B for emulate. */
int fb_build_run(struct fb_build *b, const struct fb_build_opts *opts);
void fb_build_free(struct fb_build *b);

#endif
