/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every refusal lives here, and only this file may say "this device may be
 * written".  A decision is made from facts gathered about the device (udev,
 * sysfs, /proc: see udev.c and usage.c), and made again on the descriptor
 * opened for writing right before the first write, so a device swapped in
 * meanwhile (another dev_t, size or diskseq) is not written.
 */
#ifndef FB_DEVICE_GUARD_H
#define FB_DEVICE_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/strv.h"

/*
 * What is known about a target: a whole disk, a partition, or a file.  udev.c
 * fills it (for `devices` and a flash target examined: its users and contents
 * too; for the station's events, what udev says), guard.c decides on it.
 */
struct fb_dev_facts {
	char *node;	  /* "/dev/sdb", or the path given */
	char *name;	  /* "sdb" (kernel name); NULL for a file */
	char *syspath;	  /* "/sys/devices/.../block/sdb": the station's key */
	char *id_path;	  /* ID_PATH: the port it is plugged into; NULL */
	char *card_type;  /* under an MMC host: "SD", "MMC" (eMMC), ...; NULL */
	uint64_t devnum;  /* dev_t of a block device */
	uint64_t size;	  /* bytes */
	uint64_t diskseq; /* 0: the kernel has none */
	char *bus;	  /* "usb", "mmc", "ata", "nvme", "virtio", "loop", ... */
	char *vendor, *model, *serial;
	char *contents; /* "gpt: ext4 'root', vfat 'BOOT'" (probe.c) */
	bool is_block, is_partition, removable, readonly;
	/* What uses it (usage.c): a system mount or swap, a mount, a holder, an O_EXCL opener. */
	char *system;	      /* "/ (/dev/sda2)", "swap (/dev/sda3)" */
	char *mounted;	      /* "/dev/sdb1 on /media/x" */
	char *holder;	      /* "dm-0" */
	bool busy;	      /* someone holds it open exclusively */
	struct fb_strv props; /* every udev property as "KEY=VALUE" (the station's --match) */
};

void fb_dev_facts_done(struct fb_dev_facts *f);

enum fb_refusal {
	FB_REFUSE_NONE,
	FB_REFUSE_NOT_BLOCK,
	FB_REFUSE_PARTITION,
	FB_REFUSE_SYSTEM,
	FB_REFUSE_MOUNTED,
	FB_REFUSE_HELD,
	FB_REFUSE_BUSY,
	FB_REFUSE_READONLY,
	FB_REFUSE_NO_MEDIUM,
	FB_REFUSE_FIXED,
	FB_REFUSE_SMALL,
	FB_REFUSE_CHANGED,
	_FB_REFUSE_MAX,
};

struct fb_guard_opts {
	bool allow_fixed;    /* a disk not on a removable bus */
	bool to_file;	     /* a regular file as the target */
	uint64_t image_size; /* 0: not known (listing devices) */
};

/* The first reason not to write the device F, or FB_REFUSE_NONE.  Pure. */
enum fb_refusal fb_guard_decide(const struct fb_dev_facts *f, const struct fb_guard_opts *o);

/* The reason as one line's tail ("holds the running system (/ on /dev/vda)"); malloc'ed. */
char *fb_guard_reason(const struct fb_dev_facts *f, const struct fb_guard_opts *o,
		      enum fb_refusal r);

/* A short name for scripts: "system", "mounted", ... ("" for none). */
const char *fb_refusal_to_string(enum fb_refusal r);

/*
 * The check made right before the first write, on the descriptor FD opened
 * (O_EXCL) for writing: it must still be the device FACTS describe (same
 * dev_t, size, diskseq), and a fresh look at its users must still allow it.
 * Logs the refusal, naming the device; returns 0, or -EPERM when refused
 * (*RET_REFUSAL says why), or -errno.
 */
int fb_guard_check_fd(int fd, const struct fb_dev_facts *facts, const struct fb_guard_opts *o,
		      enum fb_refusal *ret_refusal);

/* Logs "refusing to write 'NODE': REASON" once and returns -EPERM. */
int fb_guard_refuse(const struct fb_dev_facts *f, const struct fb_guard_opts *o, enum fb_refusal r);

#endif
