/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * [kernel] compiler: what the kernel's compiles run through, one entry of a
 * table each (gcc, ccache, distcc, icecc).  Kbuild gets CC= and HOSTCC= as
 * two small scripts in the O= tree that run the wrapper in front of gcc, so
 * that its command lines (which Kbuild compares to decide what to rebuild)
 * are the same whichever wrapper runs: switching from ccache to distcc
 * recompiles nothing, and the objects and the cache key are the same.
 *
 *	[kernel]
 *	compiler = distcc	; gcc, ccache, distcc, icecc; default: ccache
 *				; when installed, else gcc.  FLASHBUILD_KERNEL_CC
 *				; overrides both.
 */
#ifndef FB_KERNEL_COMPILER_H
#define FB_KERNEL_COMPILER_H

#include <stdbool.h>

#include "core/cache.h"
#include "profile/keys.h"

struct fb_kernel_cc_ops {
	const char *name;    /* "distcc": the value of [kernel] compiler */
	const char *program; /* what runs in front of gcc; NULL: gcc alone */
	bool remote;	     /* compiles on other machines (in a debug kernel's key, then) */
	/* The make -j it takes (distcc: the slots its hosts have); NULL: the local cores. */
	int (*jobs)(const char *where, int cores, int *ret);
};

struct fb_kernel_cc {
	const struct fb_kernel_cc_ops *ops;
	const char *from; /* the choice's: "FLASHBUILD_KERNEL_CC", "[kernel] compiler", "default" */
	char where[512];  /* what messages start with: "FILE:LINE: compiler = distcc" */
	int jobs;	  /* make -j, once ready */
};

/*
 * The compiler for VALUE ([kernel] compiler, or NULL) at AT, with
 * $FLASHBUILD_KERNEL_CC before it and the default after.  A name it does
 * not know: -EINVAL, logged as AT's file:line (or naming the variable).
 * *RET refers to no string of AT's.
 */
int fb_kernel_cc_plan(const char *value, const struct fb_kv *at, struct fb_kernel_cc *ret);

/*
 * Before compiling (not for a kernel found in the cache): whether CC's
 * wrapper is installed (and distcc knows hosts), and its make -j.  Logs.
 */
int fb_kernel_cc_ready(struct fb_kernel_cc *cc);

/*
 * Writes DIR/NAME, a script that runs COMPILER ("gcc",
 * "aarch64-linux-gnu-gcc") through CC's wrapper with its arguments; *RET is
 * its path.  -errno, logged.
 */
int fb_kernel_cc_script(const struct fb_kernel_cc *cc, const char *dir, const char *name,
			const char *compiler, char **ret);

/*
 * The environment CC's wrapper needs, as "NAME=value" strings added to ENV
 * (N entries, at most MAX): ccache keeps its cache in CACHE/ccache unless
 * CCACHE_DIR is set, and never rewrites paths (CCACHE_BASEDIR cleared: the
 * kernel's bytes would change).  Returns the new count, or -errno (logged);
 * the string it allocates goes into *OWNED.
 */
int fb_kernel_cc_env(const struct fb_kernel_cc *cc, const struct fb_cache *cache, const char **env,
		     size_t n, size_t max, char **owned);

#endif
