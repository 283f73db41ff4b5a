// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * After the image is on the disk: the backup GPT moves to the disk's real
 * end, --grow takes the last partition (and its ext4, with resize2fs) to it,
 * and the kernel learns the new partitions: BLKRRPART where it parses
 * tables, else BLKPG one partition at a time, as `partx -a` does.  This file
 * owns libfdisk on the device side.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libfdisk.h>
#include <linux/blkpg.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "core/fdisk-util.h"
#include "core/log.h"
#include "core/spawn.h"
#include "engine.h"
#include "probe.h"
#include "usage.h"

#define MAX_PARTS 128

struct part {
	unsigned pno;
	uint64_t start, size; /* bytes */
};

static int read_table(struct fdisk_context *cxt, struct part *v, unsigned *ret_n)
{
	_cleanup_(fdisk_unref_tablep) struct fdisk_table *tb = NULL;
	unsigned long ss = fdisk_get_sector_size(cxt);
	unsigned n = 0;

	*ret_n = 0;
	if (!fdisk_has_label(cxt))
		return 0;
	if (fdisk_get_partitions(cxt, &tb) < 0)
		return -EIO;
	for (size_t i = 0; i < fdisk_table_get_nents(tb) && n < MAX_PARTS; i++) {
		struct fdisk_partition *pa = fdisk_table_get_partition(tb, i);

		if (!fdisk_partition_is_used(pa))
			continue;
		v[n++] = (struct part){ .pno = (unsigned)fdisk_partition_get_partno(pa) + 1,
					.start = fdisk_partition_get_start(pa) * ss,
					.size = fdisk_partition_get_size(pa) * ss };
	}
	*ret_n = n;
	return 0;
}

/* The last partition's new size in sectors: to the last usable sector, on the grain. */
static int grow_last(struct fdisk_context *cxt, struct part *last)
{
	_cleanup_(fdisk_unref_partitionp) struct fdisk_partition *pa = fdisk_new_partition();
	unsigned long ss = fdisk_get_sector_size(cxt);
	uint64_t grain = fdisk_get_grain_size(cxt) / ss, start = last->start / ss;
	uint64_t end = fdisk_get_last_lba(cxt) + 1, size;

	if (grain > 1)
		end = end / grain * grain;
	if (!pa || end <= start)
		return -EINVAL;
	size = end - start;
	if (size * ss <= last->size)
		return 0;
	if (fdisk_partition_set_size(pa, size) < 0 ||
	    fdisk_set_partition(cxt, last->pno - 1, pa) < 0)
		return -EIO;
	last->size = size * ss;
	return 1;
}

static int resize_ext4(struct fb_engine *e, const struct part *p)
{
	_cleanup_free_ char *type = NULL, *dev = NULL, *size = NULL;
	int r;

	r = fb_probe_fstype(e->tgt.node, p->start, p->size, &type);
	if (r < 0 || !type || strncmp(type, "ext", 3)) {
		fb_info("partition %u of '%s' is %s: only its partition grew", p->pno, e->tgt.node,
			type ? type : "no known filesystem");
		return 0;
	}
	/* e2fsprogs opens "DEVICE?offset=N": no partition device is needed. */
	if (asprintf(&dev, "%s?offset=%" PRIu64, e->tgt.node, p->start) < 0 ||
	    asprintf(&size, "%" PRIu64 "K", p->size / 1024) < 0)
		return fb_err_errno(-ENOMEM, "cannot grow '%s'", e->tgt.node);
	/* e2fsprogs open the disk O_EXCL: ours must be closed; the flock stays. */
	fb_target_close_data(&e->tgt);
	/*
	 * resize2fs wants a freshly checked filesystem ("Please run e2fsck -f
	 * first") once it was ever mounted: check it read-only, then tell
	 * resize2fs it was (-f); a filesystem with problems is not grown.
	 */
	r = fb_spawn((const char *const[]){ "e2fsck", "-fn", dev, NULL }, NULL,
		     "checking the last partition's filesystem before growing it");
	if (r < 0)
		return r;
	return fb_spawn((const char *const[]){ "resize2fs", "-f", dev, size, NULL }, NULL,
			"growing the last partition's filesystem");
}

/* Backup GPT at the disk's end, and with GROW the last partition to it. */
static int fix_table(struct fb_engine *e, bool grow, struct part *v, unsigned *n)
{
	_cleanup_(fdisk_unref_contextp) struct fdisk_context *cxt = fdisk_new_context();
	bool changed = false;
	int r;

	if (!cxt || fdisk_assign_device_by_fd(cxt, e->tgt.lock_fd, e->tgt.node, 0) < 0)
		return fb_err_errno(-EIO, "cannot read the partition table on '%s'", e->tgt.node);
	if (!fdisk_has_label(cxt))
		return 0;
	/* libfdisk moves a backup GPT that is not at the end when it writes the table. */
	if (fdisk_is_label(cxt, GPT) && e->tgt.size > e->image_size) {
		fdisk_label_set_changed(fdisk_get_label(cxt, NULL), 1);
		changed = true;
	}
	r = read_table(cxt, v, n);
	if (r < 0)
		return fb_err_errno(r, "cannot read the partitions on '%s'", e->tgt.node);
	if (grow && *n) {
		struct part *last = &v[0];

		for (unsigned i = 1; i < *n; i++)
			if (v[i].start > last->start)
				last = &v[i];
		r = grow_last(cxt, last);
		if (r < 0)
			return fb_err_errno(r, "cannot grow partition %u of '%s'", last->pno,
					    e->tgt.node);
		changed |= r > 0;
	}
	if (changed && (r = fdisk_write_disklabel(cxt)) < 0)
		return fb_err_errno(r, "cannot write the partition table to '%s'", e->tgt.node);
	if (changed && fsync(e->tgt.lock_fd) < 0)
		return fb_err_errno(-errno, "cannot flush '%s'", e->tgt.node);
	return 0;
}

/* The kernel's partitions, replaced by V (what `partx -d` then `partx -a` do). */
static int blkpg_sync(int fd, const char *node, const struct part *v, unsigned n, uint64_t disk)
{
	unsigned old[MAX_PARTS];
	int k = fb_usage_partitions(disk, old, MAX_PARTS);

	for (int i = 0; i < k; i++) {
		struct blkpg_partition bp = { .pno = (int)old[i] };
		struct blkpg_ioctl_arg a = { .op = BLKPG_DEL_PARTITION,
					     .datalen = sizeof(bp),
					     .data = &bp };

		if (ioctl(fd, BLKPG, &a) < 0)
			return fb_err_errno(-errno, "cannot remove partition %u of '%s'", old[i],
					    node);
	}
	for (unsigned i = 0; i < n; i++) {
		struct blkpg_partition bp = { .start = (long long)v[i].start,
					      .length = (long long)v[i].size,
					      .pno = (int)v[i].pno };
		struct blkpg_ioctl_arg a = { .op = BLKPG_ADD_PARTITION,
					     .datalen = sizeof(bp),
					     .data = &bp };

		if (ioctl(fd, BLKPG, &a) < 0)
			return fb_err_errno(-errno, "cannot add partition %u of '%s'", v[i].pno,
					    node);
	}
	return 0;
}

static int reread(struct fb_engine *e, const struct part *v, unsigned n)
{
	_cleanup_close_ int fd = open(e->tgt.node, O_RDONLY | O_CLOEXEC);
	unsigned have[MAX_PARTS];
	int k;

	if (fd < 0)
		return fb_err_errno(-errno, "cannot open '%s'", e->tgt.node);
	/*
	 * Fails (EINVAL) where the kernel does not scan this disk (a loop device
	 * without -P); then partitions it knew from before may be stale.
	 */
	if (ioctl(fd, BLKRRPART) == 0) {
		k = fb_usage_partitions(e->facts.devnum, have, MAX_PARTS);
		if (k >= 0 && (unsigned)k == n)
			return 0;
	} else {
		fb_debug("BLKRRPART on '%s': %m", e->tgt.node);
	}
	/* The kernel cannot parse this table itself (no parser built in): tell it each partition. */
	return blkpg_sync(fd, e->tgt.node, v, n, e->facts.devnum);
}

int fb_parts_finish(struct fb_engine *e)
{
	struct part v[MAX_PARTS];
	unsigned n = 0;
	int r;

	fb_engine_phase(e, FB_FLASH_TABLE, 0);
	r = fix_table(e, e->job->opts.grow, v, &n);
	if (r < 0)
		return r;
	if (e->job->opts.grow && n) {
		const struct part *last = &v[0];

		for (unsigned i = 1; i < n; i++)
			if (v[i].start > last->start)
				last = &v[i];
		r = resize_ext4(e, last);
		if (r < 0)
			return r;
	}
	if (!e->tgt.is_block)
		return 0;
	/* Release the lock first: udev then probes the new partitions. */
	fb_target_close(&e->tgt);
	return reread(e, v, n);
}
