/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device (or file) being written: opened O_EXCL and O_DIRECT, locked
 * with flock(LOCK_EX) for the whole write (systemd's "Locking Block Device
 * Access": udev leaves a locked disk alone), with writes and reads that
 * handle the device's alignment.  Only this file opens a target for writing.
 */
#ifndef FB_DEVICE_TARGET_H
#define FB_DEVICE_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Buffers given to fb_target_write/read are aligned to this. */
#define FB_TARGET_BUF_ALIGN 4096

struct fb_target {
	const char *node;
	int fd;	     /* O_RDWR | O_EXCL | O_DIRECT (when the target takes it) */
	int lock_fd; /* O_RDWR, holds the flock; libfdisk uses it */
	bool is_block, direct;
	unsigned align; /* logical block size, 1 for a buffered file */
	uint64_t size;
	void *bounce;	  /* one aligned block for unaligned tails */
	bool touched;	  /* anything written yet */
	uint64_t written; /* bytes written (or zeroed) so far */
	bool failed;	  /* an I/O failed, at byte fail_off */
	uint64_t fail_off;
};

/*
 * Opens NODE for writing (creating a file when IS_BLOCK is false; a file is
 * made at least MIN_SIZE bytes).  -EBUSY when another holds the disk.  Logs.
 * A disk is not locked yet: fb_target_trylock.
 */
int fb_target_open(struct fb_target *t, const char *node, bool is_block, uint64_t min_size);
/*
 * The disk's flock(LOCK_EX), without waiting: -EWOULDBLOCK while another
 * holds it (udev, briefly, while it probes; `udevadm lock`; another tool);
 * 0 for a file, which is not locked.  Other failures logged.
 */
int fb_target_trylock(struct fb_target *t);
/* Who holds T's lock, for a message: "pid 1690 (flock)", or "another process". */
void fb_target_lock_holder(const struct fb_target *t, char *buf, size_t len);
/*
 * What a dry run can know of fb_target_open without opening: whether this
 * user may read and write NODE (one that does not exist yet counts as yes).
 * Logs, with a hint to run as root.
 */
int fb_target_check_access(const char *node);
/* Closes the data descriptor (keeping the lock), e.g. before a tool opens the disk O_EXCL. */
void fb_target_close_data(struct fb_target *t);
/* Releases the lock and closes everything; accepts a zeroed or half-opened target. */
void fb_target_close(struct fb_target *t);

/* BUF aligned, OFF a multiple of t->align; LEN any.  Logs naming the device and offset. */
int fb_target_write(struct fb_target *t, const void *buf, size_t len, uint64_t off);
/* As write; BUF must have room for LEN rounded up to t->align. */
int fb_target_read(struct fb_target *t, void *buf, size_t len, uint64_t off);
int fb_target_sync(struct fb_target *t);
/* Zeroes [OFF, OFF+LEN) the cheapest way the target has (BLKZEROOUT, hole punching). */
int fb_target_zero(struct fb_target *t, uint64_t off, uint64_t len);

/* An aligned, zeroed buffer of LEN bytes, for free(). */
void *fb_target_alloc(size_t len);

#endif
