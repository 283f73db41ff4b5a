/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the parts of one flash job share (flash.c, write.c, verify.c, capacity.c, parts.c). */
#ifndef FB_DEVICE_ENGINE_H
#define FB_DEVICE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/log.h"
#include "events.h"
#include "extents.h"
#include "flash.h"
#include "guard.h"
#include "target.h"

struct fb_source;

/* Each I/O moves at most this much; the writer has FB_ENGINE_SLOTS such buffers in flight. */
#define FB_ENGINE_CHUNK (4 * 1024 * 1024)
#define FB_ENGINE_SLOTS 4
/* The first MiB (the partition table, boot code) is written last. */
#define FB_ENGINE_HEAD (1024 * 1024)

/*
 * The image's head and tail, kept in memory while the body is written and
 * verified, then written last: a stick unplugged before the end has no
 * partition table (and no backup GPT) rather than one that points at
 * half-written partitions.
 */
struct fb_deferred {
	uint64_t off, len;
	uint8_t *buf;
};

struct fb_engine {
	const struct fb_flash_job *job;
	struct fb_source *src;
	struct fb_target tgt;
	struct fb_dev_facts facts;
	struct fb_extent *ext;
	size_t n_ext;
	uint64_t image_size, mapped_bytes;
	struct fb_deferred head, tail;
	enum fb_flash_outcome outcome; /* set at the failure's site */
	struct fb_log_capture log;     /* its first error, for the result */
	struct {
		bool set;
		uint64_t off;	/* the byte of the image / device where it failed */
		unsigned range; /* the bmap range holding it, 0: none */
	} at;
	bool head_written; /* the table is on the device */
	double t0;
	double last_progress;
};

/* Its events to the job's sink: events.h. */

/* write.c: every extent from the source to the target, head and tail to memory. */
int fb_write_body(struct fb_engine *e);
/*
 * Writes DATA (the image's bytes at OFF..OFF+LEN) to the target; before the
 * head and tail are written, their parts go to memory instead (deferred).
 */
int fb_write_span(struct fb_engine *e, const uint8_t *data, uint64_t off, size_t len);

/* verify.c */
/* After the last write: every extent, the tail and the head read back (verify.c). */
int fb_verify_all(struct fb_engine *e);
int fb_write_deferred(struct fb_engine *e);

/* capacity.c */
int fb_capacity_check(struct fb_engine *e);

/* parts.c: backup GPT to the end, --grow, then the kernel learns the new partitions. */
int fb_parts_finish(struct fb_engine *e);

#endif
