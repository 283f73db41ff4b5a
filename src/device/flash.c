// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One flash job, in order: look (facts, refusals, source, bmap), open and
 * look again, wipe both ends, write the body, verify it, write the tail and
 * then the head, fix the table up, let the kernel see the partitions.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bmap-read.h"
#include "core/log.h"
#include "core/util.h"
#include "engine.h"
#include "shared.h"
#include "signed.h"
#include "source.h"
#include "udev.h"

static void take_extents(struct fb_engine *e, const struct fb_extents *x)
{
	e->ext = x->v;
	e->n_ext = x->n;
	e->image_size = x->image_size;
	e->mapped_bytes = x->mapped;
}

/* A stream without a bmap: its size is known only by reading it to the end once. */
static int measure(struct fb_engine *e)
{
	_cleanup_free_ uint8_t *buf = malloc(FB_ENGINE_CHUNK);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	e->image_size = 0;
	do {
		n = fb_source_read(e->src, e->image_size, buf, FB_ENGINE_CHUNK);
		if (n < 0) {
			e->outcome = n == -EBADMSG ? FB_FLASH_CORRUPT : FB_FLASH_FAILED;
			return (int)n;
		}
		e->image_size += (uint64_t)n;
		fb_engine_progress(e, FB_FLASH_CHECK, e->image_size, 0);
	} while (n > 0);
	return 0;
}

static int load_source(struct fb_engine *e)
{
	const struct fb_flash_job *j = e->job;
	_cleanup_(fb_signed_bmap_done) struct fb_signed_bmap sb = { 0 };
	const struct fb_bmap *b;
	const char *bmap;
	struct fb_extents x;
	int r;

	if (j->shared) {
		r = fb_shared_source_attach(j->shared, &e->src, &x);
		if (r >= 0)
			take_extents(e, &x);
		return r;
	}
	r = fb_signed_bmap_load(&j->source, &sb);
	if (r == -EKEYREJECTED)
		e->outcome = FB_FLASH_UNSIGNED;
	if (r < 0)
		return r;
	if (sb.sig)
		fb_engine_signed(e, sb.sig, &sb.signer);
	r = fb_source_open(j->source.image, &e->src);
	if (r < 0)
		return r;
	b = sb.bmap;
	bmap = sb.path;
	if (b) {
		if (!fb_source_compressed(e->src) && fb_source_size(e->src) != b->image_size) {
			e->outcome = FB_FLASH_CORRUPT;
			return fb_err("'%s' has %" PRIu64
				      " bytes, but its bmap '%s' describes %" PRIu64,
				      j->source.image, fb_source_size(e->src), bmap, b->image_size);
		}
		fb_debug("using bmap '%s': %zu ranges", bmap, b->n);
		r = fb_extents_from_bmap(b, &x);
	} else if (fb_source_compressed(e->src)) {
		r = measure(e);
		if (r < 0)
			return r;
		r = fb_extents_whole(e->image_size, &x);
	} else {
		r = fb_extents_whole(fb_source_size(e->src), &x);
	}
	if (r < 0)
		return fb_err_errno(r, "cannot plan the writing of '%s'", j->source.image);
	/* No bmap where one was looked for: all of it is written, which a user should know. */
	if (!b && !j->source.no_bmap) {
		char size[32];

		fb_warn("'%s' has no bmap (IMAGE.bmap, or --bmap): writing all of it, %s",
			j->source.image, fb_format_size(x.image_size, size, sizeof(size)));
	}
	take_extents(e, &x);
	return 0;
}

/* The head (first MiB) and, for an image over 2 MiB, its last MiB: held back, written last. */
static int plan_deferred(struct fb_engine *e)
{
	uint64_t size = e->image_size;

	e->head.off = 0;
	e->head.len = size < FB_ENGINE_HEAD ? size : FB_ENGINE_HEAD;
	if (size > 2 * FB_ENGINE_HEAD) {
		e->tail.off = (size - FB_ENGINE_HEAD) / FB_TARGET_BUF_ALIGN * FB_TARGET_BUF_ALIGN;
		e->tail.len = size - e->tail.off;
	}
	e->head.buf = fb_target_alloc((size_t)e->head.len + FB_TARGET_BUF_ALIGN);
	e->tail.buf = fb_target_alloc((size_t)e->tail.len + FB_TARGET_BUF_ALIGN);
	return e->head.buf && e->tail.buf ? 0 : -ENOMEM;
}

/*
 * Before the device is touched: the bmap's first range (a bmap of another
 * image fails here), or, for a dry run, all of them, so that it fails where
 * the real run would.  A shared source was checked whole when it was made.
 */
static int check_source(struct fb_engine *e)
{
	size_t n = e->job->opts.dry_run ? e->n_ext : 1;
	int r;

	if (e->job->shared || !e->n_ext || !e->ext[0].sha_known)
		return 0;
	r = fb_extents_check_source(e->src, e->ext, n, e->job->source.image);
	if (r == -EBADMSG)
		e->outcome = FB_FLASH_CORRUPT;
	return r;
}

static void dry_run(struct fb_engine *e)
{
	char a[32], b[32], c[32];

	fb_info("dry run: '%s' (%s, %s; %s to write in %zu ranges) to '%s' (%s, %s): wipe its "
		"first and last MiB, write all but the image's first and last MiB, %s, then "
		"those; nothing was written",
		e->job->source.image, fb_source_filter(e->src),
		fb_format_size(e->image_size, a, sizeof(a)),
		fb_format_size(e->mapped_bytes, b, sizeof(b)), e->n_ext, e->facts.node,
		fb_format_size(e->facts.size, c, sizeof(c)), e->facts.bus ? e->facts.bus : "file",
		e->job->opts.verify ? "verify" : "no verify");
}

/*
 * The disk's lock, waited for: udev holds it for a moment while it probes a
 * new disk; a holder still there after a second is named, and after
 * --lock-timeout the disk is refused.  Ctrl-C stops the wait.
 */
static int lock_target(struct fb_engine *e)
{
	const unsigned timeout = e->job->opts.lock_timeout;
	const struct timespec step = { .tv_nsec = 100 * 1000 * 1000 };
	double t0 = fb_now(), waited;
	char who[96];
	bool said = false;
	int r;

	while ((r = fb_target_trylock(&e->tgt)) == -EWOULDBLOCK) {
		waited = fb_now() - t0;
		if (waited >= timeout) {
			fb_target_lock_holder(&e->tgt, who, sizeof(who));
			e->outcome = FB_FLASH_REFUSED;
			return fb_err_code(-EBUSY,
					   "refusing to write '%s': %s still holds its lock after "
					   "%u s (--lock-timeout)",
					   e->facts.node, who, timeout);
		}
		if (!said && waited >= 1) {
			fb_target_lock_holder(&e->tgt, who, sizeof(who));
			fb_warn("'%s' is locked by %s: waiting up to %u s for it", e->facts.node,
				who, timeout);
			said = true;
		}
		if (fb_engine_cancelled(e))
			return -ECANCELED;
		nanosleep(&step, NULL);
	}
	return r;
}

static int open_checked(struct fb_engine *e, const struct fb_guard_opts *go)
{
	enum fb_refusal why;
	int r;

	r = fb_target_open(&e->tgt, e->facts.node, e->facts.is_block, e->image_size);
	if (r == -EBUSY) {
		e->outcome = FB_FLASH_REFUSED;
		return fb_guard_refuse(&e->facts, go, FB_REFUSE_BUSY);
	}
	if (r < 0)
		return r;
	if (!e->facts.is_block) {
		e->facts.size = e->tgt.size;
		return 0;
	}
	r = lock_target(e);
	if (r < 0)
		return r;
	/* The second look, on the descriptor we will write through. */
	r = fb_guard_check_fd(e->tgt.fd, &e->facts, go, &why);
	if (r < 0 && why != FB_REFUSE_NONE)
		e->outcome = FB_FLASH_REFUSED;
	return r;
}

/* Old signatures at both ends of the disk: no stale table or backup GPT survives. */
static int wipe(struct fb_engine *e)
{
	uint64_t n = e->tgt.size < FB_ENGINE_HEAD ? e->tgt.size : FB_ENGINE_HEAD;
	uint64_t tail = (e->tgt.size - n) / e->tgt.align * e->tgt.align;
	_cleanup_free_ uint8_t *zero = fb_target_alloc(FB_ENGINE_HEAD);
	int r;

	if (!zero)
		return -ENOMEM;
	fb_engine_phase(e, FB_FLASH_WIPE, 2 * n);
	r = fb_target_write(&e->tgt, zero, (size_t)n, 0);
	if (r >= 0 && tail >= n)
		r = fb_target_write(&e->tgt, zero, (size_t)(e->tgt.size - tail), tail);
	return r < 0 ? r : fb_target_sync(&e->tgt);
}

/* --discard: zero what the image leaves unmapped, up to the end of the disk. */
static int discard_gaps(struct fb_engine *e)
{
	uint64_t pos = e->head.len;
	int r;

	for (size_t i = 0; i <= e->n_ext; i++) {
		uint64_t end = i < e->n_ext ? e->ext[i].off : e->tgt.size;

		if (i == e->n_ext)
			pos = fb_align_up(pos, e->tgt.align);
		if (end > pos) {
			r = fb_target_zero(&e->tgt, pos, end - pos);
			if (r < 0)
				return r;
		}
		if (i < e->n_ext && e->ext[i].off + e->ext[i].len > pos)
			pos = e->ext[i].off + e->ext[i].len;
	}
	return 0;
}

static int run(struct fb_engine *e)
{
	const struct fb_flash_opts *o = &e->job->opts;
	struct fb_guard_opts go = { .allow_fixed = o->allow_fixed, .to_file = o->to_file };
	enum fb_refusal why;
	int r;

	fb_engine_phase(e, FB_FLASH_CHECK, 0);
	r = fb_udev_facts_for_path(e->job->device, &e->facts);
	if (r < 0)
		return r;
	/* A first look before reading anything: a wrong disk is named at once. */
	why = fb_guard_decide(&e->facts, &go);
	if (why != FB_REFUSE_NONE) {
		e->outcome = FB_FLASH_REFUSED;
		return fb_guard_refuse(&e->facts, &go, why);
	}
	r = load_source(e);
	if (r < 0 || (r = check_source(e)) < 0)
		return r;
	go.image_size = e->image_size;
	why = fb_guard_decide(&e->facts, &go);
	if (why != FB_REFUSE_NONE) {
		e->outcome = FB_FLASH_REFUSED;
		return fb_guard_refuse(&e->facts, &go, why);
	}
	if (plan_deferred(e) < 0)
		return fb_err_errno(-ENOMEM, "cannot flash '%s'", e->job->device);
	if (e->job->after.plan &&
	    (r = e->job->after.plan(e->job->after.userdata, e->facts.node, e->facts.serial)) < 0)
		return r;
	if (o->dry_run) {
		r = fb_target_check_access(e->facts.node);
		if (r >= 0)
			dry_run(e);
		return r;
	}
	r = open_checked(e, &go);
	if (r < 0)
		return r;
	if (o->check_capacity && (r = fb_capacity_check(e)) < 0)
		return r;
	if ((r = wipe(e)) < 0 || (o->discard && (r = discard_gaps(e)) < 0))
		return r;
	if ((r = fb_write_body(e)) < 0 || (r = fb_target_sync(&e->tgt)) < 0)
		return r;
	if ((r = fb_write_deferred(e)) < 0)
		return r;
	if (o->verify && (r = fb_verify_all(e)) < 0)
		return r;
	r = fb_parts_finish(e);
	if (r < 0 || !e->job->after.run)
		return r;
	fb_engine_phase(e, FB_FLASH_CUSTOMIZE, 0);
	return e->job->after.run(e->job->after.userdata, e->facts.node);
}

enum fb_flash_outcome fb_flash_run(const struct fb_flash_job *job)
{
	struct fb_engine e = { .job = job,
			       .outcome = FB_FLASH_FAILED,
			       .t0 = fb_now(),
			       .tgt = { .fd = -EBADF, .lock_fd = -EBADF },
			       .log = { .lock = PTHREAD_MUTEX_INITIALIZER } };
	struct fb_log_capture *outer = fb_log_capture_set(&e.log);
	int r = run(&e);
	bool touched = e.tgt.touched;

	if (r >= 0)
		e.outcome = FB_FLASH_OK;
	else if (e.outcome == FB_FLASH_CANCELLED)
		fb_err("interrupted: %s: '%s'",
		       !touched		? "nothing was written"
		       : e.head_written ? "the image is written, its partitions may not be set up"
					: "the device is now incomplete (no partition table)",
		       job->device);
	else if (touched && !e.head_written)
		fb_warn("'%s' is now incomplete: it holds no partition table; flash it again",
			job->device);
	fb_target_close(&e.tgt);
	if (e.outcome == FB_FLASH_OK)
		fb_engine_phase(&e, FB_FLASH_DONE, 0);
	fb_engine_result(&e, r);
	fb_log_capture_set(outer);
	fb_source_free(e.src);
	fb_dev_facts_done(&e.facts);
	free(e.ext);
	free(e.head.buf);
	free(e.tail.buf);
	return e.outcome;
}
