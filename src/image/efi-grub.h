/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the two UEFI bootloaders share (boot-grub-efi.c: a GRUB made with
 * grub-mkimage; boot-shim.c: Debian's signed shim and GRUB): the board's
 * UEFI platform and the names its firmware and shim look for, the grub.cfg
 * that starts the build's kernel, and where a prebuilt GRUB looks for it.
 */
#ifndef FB_EFI_GRUB_H
#define FB_EFI_GRUB_H

#include "part.h"

/* The board's arch as UEFI, GRUB and shim name it. */
struct fb_efi_platform {
	const char *arch;    /* [board] arch */
	const char *machine; /* uname -m, for boards without an arch */
	const char *grub;    /* GRUB's platform: /usr/lib/grub/PLATFORM */
	const char *loader;  /* the removable-media boot file in \EFI\BOOT: BOOTX64.EFI */
	const char *package; /* where the platform's GRUB modules come from */
	const char *suffix;  /* shim's: it starts grubSUFFIX.efi, MokManager is mmSUFFIX.efi */
};

/* ARCH's platform (NULL: this machine's), or NULL when UEFI has none. */
const struct fb_efi_platform *fb_efi_platform_find(const char *arch);

/* Whether grub.cfg can pass CMDLINE (no single quote, no newline); logs as WHO at S. */
int fb_grub_cmdline_check(const struct fb_section *s, const char *who, const char *cmdline);

/*
 * grub.cfg: no menu, no wait, straight into CTX's kernel, initramfs and
 * command line.  With FALLBACK_EFI (a path in the FAT, "/EFI/BOOT/mmx64.efi")
 * a kernel GRUB refuses to start falls back to starting that program.
 * NULL when out of memory.
 */
char *fb_grub_cfg_text(const struct fb_image_ctx *ctx, const char *fallback_efi);

/*
 * The prefix built into the GRUB image at PATH ("/EFI/debian": where it
 * looks for grub.cfg on the device it was started from), as grub-mkimage's
 * -p put it among the image's modules.  Logs; -ENOENT when it has none.
 */
int fb_grub_image_prefix(const char *path, char **ret);

#endif
