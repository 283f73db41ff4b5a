/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The firmware a disk-booting machine starts: its own default (SeaBIOS on
 * the PC) or UEFI (OVMF), whose variable store is a private copy of
 * Debian's template for each run: the guest may write to it, and the
 * template and other runs must not see that.  uefi-secure is UEFI with
 * Secure Boot enforced: OVMF built for it (SMM guards the variables) and
 * a store with keys enrolled, Microsoft's unless the board or the user
 * names another (OVMF_VARS_4M.snakeoil.fd: Debian's test key).
 */
#ifndef FB_EMULATE_FIRMWARE_H
#define FB_EMULATE_FIRMWARE_H

#include "qemu.h"

enum fb_firmware_kind {
	FB_FIRMWARE_BIOS,
	FB_FIRMWARE_UEFI,
	FB_FIRMWARE_UEFI_SECURE,
};

struct fb_firmware {
	enum fb_firmware_kind kind;
	char *tmpdir;	  /* holds the private VARS copy */
	char *vars;	  /* TMPDIR/VARS.fd */
	const char *code; /* read-only firmware code */
	bool secure;	  /* Secure Boot: the machine needs SMM */
};

/* "bios", "uefi" or "uefi-secure" (NULL: "bios"); -EINVAL for anything else (not logged). */
int fb_firmware_parse(const char *s, enum fb_firmware_kind *ret);
const char *fb_firmware_name(enum fb_firmware_kind k);

/*
 * Readies KIND for machine M: checks M has it, copies the VARS template
 * (VARS, if not NULL, instead of M's: a UEFI kind's keys).  Logs.
 */
int fb_firmware_prepare(const struct fb_machine *m, enum fb_firmware_kind kind, const char *vars,
			struct fb_firmware *fw);
/* Removes the private copy. */
void fb_firmware_done(struct fb_firmware *fw);

#endif
