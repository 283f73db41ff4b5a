// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "core/log.h"
#include "core/util.h"
#include "guard.h"
#include "usage.h"

void fb_dev_facts_done(struct fb_dev_facts *f)
{
	if (!f)
		return;
	free(f->node);
	free(f->name);
	free(f->syspath);
	free(f->id_path);
	free(f->card_type);
	fb_strv_free(&f->props);
	free(f->bus);
	free(f->vendor);
	free(f->model);
	free(f->serial);
	free(f->contents);
	free(f->system);
	free(f->mounted);
	free(f->holder);
	*f = (struct fb_dev_facts){ 0 };
}

/* Buses a user plugs sticks and cards into. */
static bool removable_bus(const char *bus)
{
	return fb_streq_ptr(bus, "usb") || fb_streq_ptr(bus, "mmc") ||
	       fb_streq_ptr(bus, "memstick");
}

/*
 * The order matters: what no option overrides comes first, so the line a
 * user sees is the one they cannot argue with.
 */
enum fb_refusal fb_guard_decide(const struct fb_dev_facts *f, const struct fb_guard_opts *o)
{
	if (!f->is_block) {
		if (!o->to_file)
			return FB_REFUSE_NOT_BLOCK;
		if (o->image_size && f->size && f->size < o->image_size)
			return FB_REFUSE_SMALL;
		return FB_REFUSE_NONE;
	}
	if (f->is_partition)
		return FB_REFUSE_PARTITION;
	if (f->system)
		return FB_REFUSE_SYSTEM;
	if (f->mounted)
		return FB_REFUSE_MOUNTED;
	if (f->holder)
		return FB_REFUSE_HELD;
	if (f->busy)
		return FB_REFUSE_BUSY;
	if (f->readonly)
		return FB_REFUSE_READONLY;
	if (f->size == 0)
		return FB_REFUSE_NO_MEDIUM;
	if (!f->removable && !removable_bus(f->bus) && !o->allow_fixed)
		return FB_REFUSE_FIXED;
	if (o->image_size && f->size < o->image_size)
		return FB_REFUSE_SMALL;
	return FB_REFUSE_NONE;
}

static const char *const refusal_names[_FB_REFUSE_MAX] = {
	[FB_REFUSE_NONE] = "",
	[FB_REFUSE_NOT_BLOCK] = "not-block",
	[FB_REFUSE_PARTITION] = "partition",
	[FB_REFUSE_SYSTEM] = "system",
	[FB_REFUSE_MOUNTED] = "mounted",
	[FB_REFUSE_HELD] = "held",
	[FB_REFUSE_BUSY] = "busy",
	[FB_REFUSE_READONLY] = "read-only",
	[FB_REFUSE_NO_MEDIUM] = "no-medium",
	[FB_REFUSE_FIXED] = "not-removable",
	[FB_REFUSE_SMALL] = "too-small",
	[FB_REFUSE_CHANGED] = "changed",
};

const char *fb_refusal_to_string(enum fb_refusal r)
{
	return r < _FB_REFUSE_MAX ? refusal_names[r] : "";
}

char *fb_guard_reason(const struct fb_dev_facts *f, const struct fb_guard_opts *o,
		      enum fb_refusal r)
{
	char a[32], b[32];
	char *s = NULL;
	int n = -1;

	switch (r) {
	case FB_REFUSE_NONE:
		n = asprintf(&s, "writable");
		break;
	case FB_REFUSE_NOT_BLOCK:
		n = asprintf(&s, "not a block device (use --to-file to write a file)");
		break;
	case FB_REFUSE_PARTITION:
		n = asprintf(&s, "a partition, not a whole disk");
		break;
	case FB_REFUSE_SYSTEM:
		n = asprintf(&s, "holds the running system (%s)", f->system);
		break;
	case FB_REFUSE_MOUNTED:
		n = asprintf(&s, "mounted (%s)", f->mounted);
		break;
	case FB_REFUSE_HELD:
		n = asprintf(&s, "in use by '%s'", f->holder);
		break;
	case FB_REFUSE_BUSY:
		n = asprintf(&s, "opened exclusively by another program");
		break;
	case FB_REFUSE_READONLY:
		n = asprintf(&s, "read-only");
		break;
	case FB_REFUSE_NO_MEDIUM:
		n = asprintf(&s, "no medium (size 0)");
		break;
	case FB_REFUSE_FIXED:
		n = asprintf(&s, "not removable (use --allow-fixed)");
		break;
	case FB_REFUSE_SMALL:
		n = asprintf(&s, "smaller than the image (%s < %s)",
			     fb_format_size(f->size, a, sizeof(a)),
			     fb_format_size(o->image_size, b, sizeof(b)));
		break;
	case FB_REFUSE_CHANGED:
		n = asprintf(&s, "changed since it was checked (another device in its place)");
		break;
	default:
		break;
	}
	return n < 0 ? NULL : s;
}

int fb_guard_refuse(const struct fb_dev_facts *f, const struct fb_guard_opts *o, enum fb_refusal r)
{
	_cleanup_free_ char *why = fb_guard_reason(f, o, r);

	fb_err("refusing to write '%s': %s", f->node, why ? why : fb_refusal_to_string(r));
	return -EPERM;
}

/* Same device, same medium: dev_t, size and (where the kernel has it) diskseq. */
static bool same_device(int fd, const struct fb_dev_facts *f)
{
	uint64_t size = 0, seq = 0;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return false;
	if (!f->is_block)
		return !S_ISBLK(st.st_mode);
	if (!S_ISBLK(st.st_mode) || st.st_rdev != f->devnum)
		return false;
	if (ioctl(fd, BLKGETSIZE64, &size) < 0 || size != f->size)
		return false;
	if (f->diskseq && (ioctl(fd, BLKGETDISKSEQ, &seq) < 0 || seq != f->diskseq))
		return false;
	return true;
}

int fb_guard_check_fd(int fd, const struct fb_dev_facts *facts, const struct fb_guard_opts *o,
		      enum fb_refusal *ret_refusal)
{
	struct fb_dev_facts now = *facts;
	enum fb_refusal r;
	int k;

	*ret_refusal = FB_REFUSE_NONE;
	if (!same_device(fd, facts)) {
		*ret_refusal = FB_REFUSE_CHANGED;
		return fb_guard_refuse(facts, o, FB_REFUSE_CHANGED);
	}
	if (!facts->is_block) {
		r = fb_guard_decide(facts, o);
		*ret_refusal = r;
		return r == FB_REFUSE_NONE ? 0 : fb_guard_refuse(facts, o, r);
	}
	/* A fresh look at who uses it; the descriptor itself is our O_EXCL open. */
	now.system = now.mounted = now.holder = NULL;
	now.busy = false;
	k = fb_usage_fill(&now);
	if (k < 0) {
		free(now.system);
		free(now.mounted);
		free(now.holder);
		return fb_err_errno(k, "cannot tell what uses '%s'", facts->node);
	}
	r = fb_guard_decide(&now, o);
	*ret_refusal = r;
	k = r == FB_REFUSE_NONE ? 0 : fb_guard_refuse(&now, o, r);
	free(now.system);
	free(now.mounted);
	free(now.holder);
	return k;
}
