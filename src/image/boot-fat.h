/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the bootloaders that live in a FAT partition share (boot-syslinux.c,
 * boot-grub-efi.c): finding their partition, and putting files into it.
 * A handler lays its files out in a staging directory, as they go into the
 * FAT, and one mcopy copies the lot (mtools: no mount, no root).  The
 * staging helpers serve boot-extlinux.c too, whose directory becomes an
 * ext4 part's overlay.
 */
#ifndef FB_BOOT_FAT_H
#define FB_BOOT_FAT_H

#include <stdint.h>

#include "boot.h"

/* Where the kernel and the initramfs go; every FAT bootloader starts these. */
#define FB_BOOT_KERNEL "vmlinuz"
#define FB_BOOT_INITRD "initrd.img"

/* The [part NAME] named PARTITION, or the first vfat part when PARTITION is NULL. */
const struct fb_part *fb_boot_fat_part(const struct fb_boot *bl, const char *partition);

/*
 * Checks that bootloader WHO finds its FAT partition (PARTITION, as in
 * fb_boot_fat_part) and that the build made a kernel; logs what is missing.
 */
int fb_boot_fat_check(const struct fb_boot *bl, const struct fb_image_ctx *ctx, const char *who,
		      const char *partition);

/* A new staging directory beside the image, for WHO's files. */
int fb_boot_stage_new(const struct fb_image_ctx *ctx, const char *who, char **ret_dir);
/* Makes DIR/NAME's directories; *RET: DIR/NAME. */
int fb_boot_stage_path(const char *dir, const char *name, char **ret);
/* DIR/NAME ("EFI/BOOT/grub.cfg") holding TEXT; makes NAME's directories. */
int fb_boot_stage_text(const char *dir, const char *name, const char *text);
/* DIR/NAME: a symlink to SRC, which mcopy follows (a large file is not copied twice). */
int fb_boot_stage_link(const char *dir, const char *name, const char *src);
/* The kernel as DIR/vmlinuz and the initramfs, if any, as DIR/initrd.img. */
int fb_boot_stage_kernel(const char *dir, const struct fb_image_ctx *ctx);
/* Copies everything in DIR into the root of the FAT at OFFSET (merging directories). */
int fb_boot_stage_copy(const char *dir, const struct fb_image_ctx *ctx, uint64_t offset);

/* Lays a bootloader's own files out in DIR (the staging directory's root is the FAT's). */
typedef int (*fb_boot_stage_fn)(struct fb_boot *bl, const struct fb_image_ctx *ctx,
				const char *dir);
/*
 * What a FAT bootloader's install is: a staging directory for WHO, STAGE's
 * files and the kernel in it, one mcopy into the FAT at OFFSET, the
 * directory removed.
 */
int fb_boot_fat_install(struct fb_boot *bl, const struct fb_image_ctx *ctx, const char *who,
			uint64_t offset, fb_boot_stage_fn stage);

#endif
