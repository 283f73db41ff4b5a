/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What makes the image boot: one handler per bootloader kind
 * (boot-syslinux.c, ...) behind one ops struct, named by the profile's
 * "[bootloader] kinds = ...".  Only image.c knows the list.  A bootloader
 * is installed after every part was written: it may add files to a
 * filesystem a part made and boot code to the gaps the table leaves.  One
 * whose files belong in a filesystem that is made in one pass (ext4) hands
 * them over before: its prepare hook stages them as the part's overlay,
 * the way Buildroot puts the kernel and extlinux.conf into the rootfs
 * before the filesystem image is made.
 */
#ifndef FB_BOOT_H
#define FB_BOOT_H

#include <stdbool.h>
#include <stddef.h>

#include "part.h"

struct fb_boot {
	const struct fb_boot_ops *ops;
	const struct fb_section *section; /* [bootloader] */
	struct fb_part *parts;		  /* the image's parts, to find its own */
	size_t n_parts;
	void *conf; /* ops->conf_size bytes, set from ops->keys */
	void *priv;
};

struct fb_boot_ops {
	const char *kind; /* "syslinux": matches "kinds = syslinux" */
	const struct fb_key *keys;
	size_t conf_size;
	bool checks_signatures; /* starts only a signed kernel: [bootloader] sign-key is for it */
	/* Validates the conf, the table and the inputs before anything is written. */
	int (*check)(struct fb_boot *bl, const struct fb_image_ctx *ctx);
	/* Stages files as a part's overlay (fb_part.overlay), before any part is written. */
	int (*prepare)(struct fb_boot *bl, const struct fb_image_ctx *ctx);
	/* Installs into the image open as FD, whose parts are all written. */
	int (*install)(struct fb_boot *bl, const struct fb_image_ctx *ctx, int fd);
	void (*done)(struct fb_boot *bl);
};

extern const struct fb_boot_ops fb_boot_syslinux;
extern const struct fb_boot_ops fb_boot_grub_efi;
extern const struct fb_boot_ops fb_boot_extlinux;
extern const struct fb_boot_ops fb_boot_shim;
extern const struct fb_boot_ops fb_boot_rpi;

#endif
