/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The architectures a profile's [board] arch may name, with what the
 * stages need to know of each (Debian's name, uname -m, the usual serial
 * console).  The kernel's own names (ARCH=, CROSS_COMPILE=) are the kernel
 * stage's (kernel/kernel.c).
 */
#ifndef FB_ARCH_H
#define FB_ARCH_H

#include <stdbool.h>

struct fb_arch {
	const char *name;    /* "x86_64": as [board] arch says it */
	const char *deb;     /* "amd64": Debian's name */
	const char *machine; /* "x86_64": uname -m of such a machine */
	const char *console; /* the usual serial console: "ttyS0" */
};

/* NAME (NULL: the host's architecture), or NULL when unknown. */
const struct fb_arch *fb_arch_find(const char *name);
bool fb_arch_is_host(const struct fb_arch *a);

#endif
