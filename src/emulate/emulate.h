/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `flashbuild emulate`: boot a board's build in QEMU, interactively or to run one command. */
#ifndef FB_EMULATE_H
#define FB_EMULATE_H

#include <stdbool.h>

#include "pipeline/build.h"

struct fb_emulate_opts {
	const char *run; /* --run CMD: log in, run it, exit with its status */
	double timeout;	 /* seconds for the whole run; 0: the default (none when interactive) */
	const char *force_accel; /* "kvm", "tcg" or NULL: probe */
	const char *
		firmware; /* "bios", "uefi", "uefi-secure" or NULL: [emulate] firmware, else bios */
	const char *
		uefi_vars; /* --uefi-vars FILE: the variable store's template ([emulate] uefi-vars) */
	const char *disk;	     /* boot this (written to) instead of the board's image */
	const char *login;	     /* "user:password" for --run instead of the profile's */
	unsigned gdb_port;	     /* --gdb[=PORT]: QEMU's gdbstub on 127.0.0.1; 0: none */
	bool gdb_nowait;	     /* --gdb-wait=no: the guest runs at once */
	bool net;		     /* --net: user-mode network */
	const char *const *forwards; /* --forward HOST:GUEST..., NULL-terminated */
	const char *share;	     /* --share DIR */
};

/*
 * Boots B's artifacts.  Returns the guest command's exit status (0-255)
 * with --run, 0 when an interactive session ends, or -errno (logged);
 * -EPERM when --disk names a disk it must not touch.
 */
int fb_emulate(const struct fb_build *b, const struct fb_emulate_opts *o);

/* Whether every key of [emulate] is one it knows, with a value of its type.  Logs. */
int fb_emulate_check(const struct fb_board *b);

#endif
