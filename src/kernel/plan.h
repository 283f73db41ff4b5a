/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the kernel stage only: kernel.c reads [kernel] into a plan and
 * keys it; kernel-make.c builds a plan from source in the reused O=
 * directory; kernel-deb.c takes a prebuilt kernel out of a Debian package.
 */
#ifndef FB_KERNEL_PLAN_H
#define FB_KERNEL_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cache.h"
#include "profile/keys.h"
#include "deb/deb.h"
#include "compiler.h"
#include "kconfig.h"

struct fb_kernel_arch {
	const char *name;    /* [board] arch: "x86_64" */
	const char *karch;   /* make ARCH= */
	const char *srcarch; /* arch/SRCARCH/boot/ holds the image */
	const char *cross;   /* CROSS_COMPILE= unless the host is MACHINE */
	const char *machine; /* uname -m of a host that builds it natively */
	const char *deb;     /* Debian architecture, for deb:PACKAGE */
	const char *image;   /* make target and file name in the artifact */
};

enum fb_kernel_source {
	FB_KERNEL_TARBALL,
	FB_KERNEL_TREE,
	FB_KERNEL_DEB,
	_FB_KERNEL_SOURCE_MAX,
};

struct fb_kernel_frag {
	char *path; /* as the profile gives it, for messages */
	char *abs;  /* for merge_config.sh, which runs in the build directory; NULL: built in */
	char *text;
};

/* The file flashbuild writes into O= for a built-in fragment ([kernel] debug). */
#define FB_KERNEL_BUILTIN_FRAG "flashbuild-debug.config"

/* All that [kernel] asks for, worked out before the cache is looked at. */
struct fb_kernel_plan {
	const struct fb_kernel_arch *arch;
	enum fb_kernel_source kind;
	char *source;		 /* tarball or tree (absolute), or "package:debarch" */
	struct fb_deb deb;	 /* FB_KERNEL_DEB: the package with the kernel, resolved */
	char *modules;		 /* FB_KERNEL_DEB: the modules to take, space-separated, or NULL */
	struct fb_kv modules_at; /* where the profile says which, for messages */
	char *dtbs;		 /* FB_KERNEL_DEB: device trees to take, space-separated, or NULL */
	struct fb_kv dtbs_at;
	char *cross;	   /* CROSS_COMPILE, or NULL for a native build */
	const char *image; /* make target / artifact file name */
	char *base;	   /* make target ("tinyconfig") ... */
	char *base_file;   /* ... or an absolute path to a config file */
	struct fb_kernel_frag *frags;
	size_t n_frags;
	struct fb_kconfig want;		/* every fragment's symbols, the last word counts */
	bool debug;			/* DWARF, gdb scripts, no KASLR; vmlinux-gdb.py kept */
	int64_t timestamp;		/* KBUILD_BUILD_TIMESTAMP */
	const struct fb_cache *cache;	/* where kernel-src/ and kernel-build/ are */
	char src_key[FB_KEY_LEN + 1];	/* CACHE/kernel-src/KEY: the unpacked tarball */
	char build_key[FB_KEY_LEN + 1]; /* CACHE/kernel-build/KEY: the O= directory */
	char key[FB_KEY_LEN + 1];	/* the artifact's: CACHE/kernel/KEY */
	struct fb_kernel_cc cc;		/* what compiles run through; not in any key */
};

/* The fb_stage_fn of a kernel built from source: PLAN is the struct fb_kernel_plan. */
int fb_kernel_make(void *plan, const char *outdir);

struct fb_board;
struct fb_kernel_tool_opts;
/* fb_kernel_tool() once the plan of B's kernel (from source) and its key are made. */
int fb_kernel_tool_run(struct fb_kernel_plan *p, const struct fb_board *b,
		       const struct fb_kernel_tool_opts *o);

/*
 * For source = deb:PACKAGE: asks apt which version it would install
 * (following a metapackage such as linux-image-amd64 to the package with
 * the kernel) and sets p->deb; it and the modules go into H.  AT is the
 * profile line that a message points at.
 */
int fb_kernel_deb_resolve(struct fb_kernel_plan *p, const struct fb_cache *c, struct fb_hasher *h,
			  const struct fb_kv *at);
/*
 * The fb_stage_fn of a prebuilt kernel (PLAN: the struct fb_kernel_plan): the package (fetched once), its
 * vmlinuz as the image, its config, the modules asked for with what they
 * depend on as modules/NAME.ko, their load order in modules/modules.load,
 * and the device trees asked for as dtbs/NAME.dtb.
 */
int fb_kernel_deb_fetch(void *plan, const char *outdir);

/* Where the artifact keeps the device trees: dtbs/NAME.dtb. */
#define FB_KERNEL_DTBS_DIR "dtbs"

/* The whole of PATH as a string.  -errno, logged. */
int fb_kernel_read_file(const char *path, char **ret);

/* Copies SRC to DST (0644), fsynced.  -errno, logged. */
int fb_kernel_copy_file(const char *src, const char *dst);

#endif
