/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the kernel stage only: Kbuild in a plan's O= tree, for the build
 * (make.c) and for the kernel command's configurators (tool.c).  The O=
 * tree is locked from open to close, and its .config, once configured from
 * a plan, has the reference beside it: flashbuild-ref.config (the .config
 * as the base config and fragments made it) and flashbuild-ref.key (that
 * plan's key), so that what a user changed since is known.
 */
#ifndef FB_KERNEL_MAKE_H
#define FB_KERNEL_MAKE_H

#include <stdbool.h>
#include <stdio.h>

#include "plan.h"

#define FB_KMAKE_REF_CONFIG "flashbuild-ref.config"
#define FB_KMAKE_REF_KEY    "flashbuild-ref.key"

struct fb_kmake {
	const struct fb_kernel_plan *p;
	const char *src; /* the kernel tree */
	char *src_owned; /* ... when it is the unpacked tarball in the cache */
	char *obj;	 /* O= */
	char *o_arg, *arch_arg, *cross_arg, *jobs_arg, *cc_arg, *hostcc_arg, *ts_env;
	char *cc_env;	     /* CCACHE_DIR=... when flashbuild sets it */
	const char *env[12]; /* NAME=value overrides, NULL-terminated */
	int lock_fd;
	char *log_path;
	FILE *log;
	int log_err;
	bool tty;
	unsigned compiled;
	double shown; /* when the progress line was last drawn; 0: it is not there */
};

/*
 * The plan's kernel tree (the tarball unpacked once into the cache), its O=
 * tree created and locked, its log LOG_NAME there ("build.log") opened, the
 * compiler made ready (compiler.h) and its scripts written.  -errno, logged;
 * fb_kmake_close() either way.
 */
int fb_kmake_open(struct fb_kmake *m, struct fb_kernel_plan *p, const char *log_name);
void fb_kmake_close(struct fb_kmake *m);

/* Base config, fragments, olddefconfig, the fragments' lines checked; the reference saved. */
int fb_kmake_configure(struct fb_kmake *m);

/* Whether OBJ/.config was configured from this plan (its key), and the reference is there. */
bool fb_kmake_configured(const struct fb_kmake *m);

/* reference.c: saves the reference of a .config just configured (the key last). -errno, logged. */
int fb_kref_save(struct fb_kmake *m);
/* .config when it differs from its reference (a user's edits), with the reference in *RET_WAS; else NULL. */
char *fb_kref_edited(struct fb_kmake *m, char **ret_was);
/* After configuring: EDITED kept as flashbuild-unsaved.config, and a warning, if changes of it are gone. */
void fb_kref_keep_unsaved(struct fb_kmake *m, const char *was, const char *edited);

/* make TARGET (with all cores), its output in the log: its exit status, or -errno (logged). */
int fb_kmake_run(struct fb_kmake *m, const char *target, bool all_cores, const char *what);

/* make TARGET on the terminal (menuconfig): its exit status, or -errno (logged). */
int fb_kmake_interactive(struct fb_kmake *m, const char *target);

/* OBJ/NAME; NULL on ENOMEM. */
char *fb_kmake_path(const struct fb_kmake *m, const char *name);

#endif
