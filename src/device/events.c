// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a flash job tells its sink (flash.h's events) and the one thing it
 * asks of its caller (cancel_fd): the engine's files (flash.c, write.c,
 * verify.c, capacity.c, parts.c, stream.c) report through here and nowhere
 * else, so none of them calls back into flash.c.
 */
#include <poll.h>

#include "core/openpgp.h"
#include "core/util.h"
#include "engine.h"
#include "events.h"

static const char *const phase_names[_FB_FLASH_PHASE_MAX] = {
	[FB_FLASH_CHECK] = "check", [FB_FLASH_CAPACITY] = "capacity",	[FB_FLASH_WIPE] = "wipe",
	[FB_FLASH_WRITE] = "write", [FB_FLASH_VERIFY] = "verify",	[FB_FLASH_HEAD] = "head",
	[FB_FLASH_TABLE] = "table", [FB_FLASH_CUSTOMIZE] = "customize", [FB_FLASH_DONE] = "done",
};

static const char *const outcome_names[_FB_FLASH_OUTCOME_MAX] = {
	[FB_FLASH_OK] = "ok",
	[FB_FLASH_FAILED] = "failed",
	[FB_FLASH_REFUSED] = "refused",
	[FB_FLASH_MISMATCH] = "verify-mismatch",
	[FB_FLASH_CORRUPT] = "source-corrupt",
	[FB_FLASH_CANCELLED] = "cancelled",
	[FB_FLASH_UNSIGNED] = "signature-refused",
};

const char *fb_flash_phase_to_string(enum fb_flash_phase p)
{
	return p < _FB_FLASH_PHASE_MAX ? phase_names[p] : "?";
}

const char *fb_flash_outcome_to_string(enum fb_flash_outcome o)
{
	return o < _FB_FLASH_OUTCOME_MAX ? outcome_names[o] : "?";
}

static void emit(const struct fb_engine *e, struct fb_flash_event ev)
{
	if (!e->job->sink.emit)
		return;
	ev.elapsed = fb_now() - e->t0;
	ev.device = e->job->device;
	e->job->sink.emit(e->job->sink.userdata, &ev);
}

void fb_engine_phase(const struct fb_engine *e, enum fb_flash_phase p, uint64_t total)
{
	emit(e, (struct fb_flash_event){ .type = FB_FLASH_EV_PHASE, .phase = p, .total = total });
}

void fb_engine_progress(const struct fb_engine *e, enum fb_flash_phase p, uint64_t done,
			uint64_t total)
{
	emit(e, (struct fb_flash_event){
			.type = FB_FLASH_EV_PROGRESS, .phase = p, .done = done, .total = total });
}

bool fb_engine_cancelled(struct fb_engine *e)
{
	struct pollfd p = { .fd = e->job->cancel_fd, .events = POLLIN };

	if (e->job->cancel_fd < 0 || poll(&p, 1, 0) <= 0)
		return false;
	e->outcome = FB_FLASH_CANCELLED;
	return true;
}

void fb_engine_signed(const struct fb_engine *e, const char *sig,
		      const struct fb_pgp_signer *signer)
{
	emit(e, (struct fb_flash_event){ .type = FB_FLASH_EV_SIGNED,
					 .sig = sig,
					 .signer = signer->fpr,
					 .signer_uid = signer->uid });
}

/* The bmap range (from 1) that holds byte AT, 0 for none. */
static unsigned range_of(const struct fb_engine *e, uint64_t at)
{
	for (size_t i = 0; i < e->n_ext; i++)
		if (at >= e->ext[i].off && at - e->ext[i].off < e->ext[i].len)
			return e->ext[i].bmap_index;
	return 0;
}

/* Where the job failed: a byte read back wrong, a range of the source, or a failed I/O. */
static void where(const struct fb_engine *e, struct fb_flash_event *ev)
{
	ev->at_known = true;
	if (e->at.set) {
		ev->at = e->at.off;
		ev->range = e->at.range;
		return;
	}
	for (size_t i = 0; i < e->n_ext; i++)
		if (e->ext[i].source_wrong) {
			ev->at = e->ext[i].off;
			ev->range = e->ext[i].bmap_index;
			return;
		}
	if (e->tgt.failed) {
		ev->at = e->tgt.fail_off;
		ev->range = range_of(e, ev->at);
		return;
	}
	ev->at_known = false;
}

void fb_engine_result(const struct fb_engine *e, int r)
{
	struct fb_flash_event ev = { .type = FB_FLASH_EV_RESULT,
				     .outcome = e->outcome,
				     .device_touched = e->tgt.touched,
				     .written = e->tgt.written,
				     .error = r < 0 ? r : 0 };

	if (e->outcome != FB_FLASH_OK) {
		ev.error_text = e->log.text[0] ? e->log.text : NULL;
		where(e, &ev);
	}
	emit(e, ev);
}
