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

#include "build.h"

/*
 * Finds or builds the kernel of B's board: sets b->kernel, b->kernel_image
 * and b->kernel_cmdline (a copy of [kernel] cmdline, or NULL).  A board
 * without [kernel] gets 0 and nothing set.  -errno, logged once (a profile
 * error as file:line, a failed build naming its log), with nothing set.
 */
int fb_kernel_stage(struct fb_build *b);

#endif
