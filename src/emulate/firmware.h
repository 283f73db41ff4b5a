/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The firmware a disk-booting machine starts: its own default (SeaBIOS on
 * the PC) or UEFI (OVMF), whose variable store is a private copy of
 * Debian's template for each run: the guest may write to it, and the
 * template and other runs must not see that.
 */
#ifndef FB_EMULATE_FIRMWARE_H
#define FB_EMULATE_FIRMWARE_H

#include "qemu.h"

enum fb_firmware_kind {
	FB_FIRMWARE_BIOS,
	FB_FIRMWARE_UEFI,
};

struct fb_firmware {
	enum fb_firmware_kind kind;
	char *tmpdir;	  /* holds the private VARS copy */
	char *vars;	  /* TMPDIR/VARS.fd */
	const char *code; /* read-only firmware code */
};

/* "bios" or "uefi" (NULL: "bios"); -EINVAL for anything else (not logged). */
int fb_firmware_parse(const char *s, enum fb_firmware_kind *ret);
const char *fb_firmware_name(enum fb_firmware_kind k);

/* Readies KIND for machine M: checks M has it, copies the VARS template.  Logs. */
int fb_firmware_prepare(const struct fb_machine *m, enum fb_firmware_kind kind,
			struct fb_firmware *fw);
/* Removes the private copy. */
void fb_firmware_done(struct fb_firmware *fw);

#endif
