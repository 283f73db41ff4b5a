/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel stage: [kernel] of a profile -> CACHE/kernel/KEY/ holding the
 * kernel image (bzImage, zImage or Image), its .config as "config" and the
 * full build log as "build.log".
 *
 *	[kernel]
 *	source = linux-source-6.1	; Debian's /usr/src tarball (the default),
 *					; a tarball or kernel tree path, or
 *					; deb:linux-image-amd64 (prebuilt)
 *	config = tinyconfig		; a make target (*config) or a file
 *	fragments = boards/kernel/base.config boards/kernel/qemu-x86.config
 *	cmdline = console=ttyS0
 *	image = bzImage			; the make target, if not the arch's own
 *	compiler = ccache		; gcc, ccache, distcc, icecc (compiler.h)
 *
 * The key covers the source (a tarball by path, size and mtime; a tree by
 * every file's size and mtime; a package by version and SHA-256), the config
 * base and every fragment by content, the arch and the compiler; not the
 * number of make jobs.  The O= build directory lives outside the artifact,
 * in CACHE/kernel-build/, one per source, arch and compiler, so that a
 * changed config rebuilds only what it touches.
 */
#ifndef FB_KERNEL_H
#define FB_KERNEL_H

#include "core/stage.h"
#include "profile/board.h"

struct fb_kernel {
	struct fb_artifact art;
	char *image;   /* art.dir/bzImage (or zImage, Image) */
	char *cmdline; /* [kernel] cmdline, or NULL */
	char *modules; /* art.dir/modules: NAME.ko, modules.load; or NULL */
	char *fdt;     /* art.dir/dtbs/NAME.dtb: the first of [kernel] dtbs, or NULL */
	char *dtb_dir; /* art.dir/dtbs: every one of [kernel] dtbs, by basename; or NULL */
};

/*
 * Finds or builds the kernel of B into *RET (cmdline: a copy of [kernel]
 * cmdline, or NULL).  A board without [kernel] gets 0 and nothing set.
 * -errno, logged once (a profile error as file:line, a failed build naming
 * its log), with nothing set.
 */
int fb_kernel_stage(const struct fb_board *b, const struct fb_stage_env *env,
		    struct fb_kernel *ret);
void fb_kernel_done(struct fb_kernel *k);
/*
 * flashbuild kernel --board NAME ACTION: Kbuild's configurators on the
 * board's O= tree, configured from its base config and fragments first
 * when it holds another config.  Actions: menuconfig and nconfig (on the
 * terminal; -ENOTTY without one), then what changed; diff: what changed
 * since the board's config made the tree (scripts/diffconfig -m) on stdout;
 * savedefconfig: Kbuild's minimal defconfig on stdout.  SAVE: the change
 * into SAVE_PATH (a new file, or one of the board's fragments), by default
 * into DIR_OF_THE_PROFILE/kernel/NAME-local.config, which [kernel]
 * fragments is then told to list; savedefconfig's into SAVE_PATH or
 * .../kernel/NAME.defconfig.  -errno, logged.
 */
struct fb_kernel_tool_opts {
	const char *action;    /* "menuconfig", "nconfig", "savedefconfig", "diff" */
	bool save;	       /* --save */
	const char *save_path; /* --save FILE, or NULL: the default */
};
bool fb_kernel_tool_known(const char *action);
int fb_kernel_tool(const struct fb_board *b, const struct fb_stage_env *env,
		   const struct fb_kernel_tool_opts *o);

/* Whether every key of [kernel] is one it knows, with a value of its type.  Logs. */
int fb_kernel_check(const struct fb_board *b);

#endif
