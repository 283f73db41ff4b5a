// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <string.h>

#include "core/util.h"
#include "json.h"
#include "progress.h"

#define TTY_INTERVAL   0.2
#define PLAIN_INTERVAL 5.0
#define JSON_INTERVAL  1.0

void fb_progress_init(struct fb_progress *p, enum fb_progress_mode mode, FILE *out)
{
	*p = (struct fb_progress){ .mode = mode, .out = out, .phase = _FB_FLASH_PHASE_MAX };
}

static double rate(const struct fb_progress *p, double now)
{
	double t = now - p->phase_t0;

	return t > 0 ? (double)p->done / t : 0;
}

/* "write  42%  430 MiB / 1 GiB  488.6 MiB/s  ETA 0:02": sizes and speeds in the same units */
static int format_line(const struct fb_progress *p, const struct fb_flash_event *ev, char *buf,
		       size_t len)
{
	char d[32], t[32], eta[32] = "";
	double r = rate(p, ev->elapsed);

	if (p->total == 0)
		return snprintf(buf, len, "%-8s %s  %.1f MiB/s", fb_flash_phase_to_string(p->phase),
				fb_format_size(p->done, d, sizeof(d)), r / (double)FB_MiB);
	if (r > 0 && p->done < p->total) {
		double left = (double)(p->total - p->done) / r;

		snprintf(eta, sizeof(eta), "  ETA %d:%02d", (int)left / 60, (int)left % 60);
	}
	return snprintf(
		buf, len, "%-8s %3.0f%%  %s / %s  %.1f MiB/s%s", fb_flash_phase_to_string(p->phase),
		100.0 * (double)p->done / (double)p->total, fb_format_size(p->done, d, sizeof(d)),
		fb_format_size(p->total, t, sizeof(t)), r / (double)FB_MiB, eta);
}

/* A failed result's "error" (the message logged), and the "offset" and "range" it names. */
static void json_failure(FILE *out, const struct fb_flash_event *ev)
{
	if (ev->outcome == FB_FLASH_OK)
		return;
	fputs(", \"error\": ", out);
	fb_json_str(out, ev->error_text);
	if (ev->at_known)
		fprintf(out, ", \"offset\": %" PRIu64, ev->at);
	if (ev->at_known && ev->range)
		fprintf(out, ", \"range\": %u", ev->range);
}

static void json_event(struct fb_progress *p, const struct fb_flash_event *ev)
{
	static const char *const types[] = { "phase", "progress", "result", "signature" };

	fprintf(p->out, "{\"event\": \"%s\", \"device\": ", types[ev->type]);
	fb_json_str(p->out, ev->device);
	fprintf(p->out, ", \"elapsed\": %.3f", ev->elapsed);
	if (ev->type == FB_FLASH_EV_RESULT) {
		fprintf(p->out, ", \"outcome\": \"%s\", \"device_touched\": %s",
			fb_flash_outcome_to_string(ev->outcome),
			ev->device_touched ? "true" : "false");
		json_failure(p->out, ev);
	} else if (ev->type == FB_FLASH_EV_SIGNED) {
		fputs(", \"signature\": ", p->out);
		fb_json_str(p->out, ev->sig);
		fputs(", \"key\": ", p->out);
		fb_json_str(p->out, ev->signer);
		fputs(", \"uid\": ", p->out);
		fb_json_str(p->out, ev->signer_uid);
	} else
		fprintf(p->out,
			", \"phase\": \"%s\", \"done\": %" PRIu64 ", \"total\": %" PRIu64
			", \"bytes_per_second\": %.0f",
			fb_flash_phase_to_string(ev->phase), p->done, p->total,
			rate(p, ev->elapsed));
	fputs("}\n", p->out);
	fflush(p->out);
}

static void show(struct fb_progress *p, const struct fb_flash_event *ev, bool final)
{
	char line[160];
	int n = format_line(p, ev, line, sizeof(line));

	if (p->mode == FB_PROGRESS_TTY) {
		fprintf(p->out, "\r%s%*s", line, p->line_len > n ? p->line_len - n : 0, "");
		p->line_len = final ? 0 : n;
		if (final)
			fputc('\n', p->out);
	} else {
		fprintf(p->out, "%s\n", line);
	}
	fflush(p->out);
}

/* The phase that ends gets its last line (100 %). */
static void end_phase(struct fb_progress *p, const struct fb_flash_event *ev)
{
	if (p->phase == _FB_FLASH_PHASE_MAX || p->mode == FB_PROGRESS_JSON)
		return;
	if (p->phase == FB_FLASH_WRITE || p->phase == FB_FLASH_VERIFY ||
	    (p->mode == FB_PROGRESS_TTY && p->line_len))
		show(p, ev, true);
}

void fb_progress_emit(void *userdata, const struct fb_flash_event *ev)
{
	struct fb_progress *p = userdata;
	double interval = p->mode == FB_PROGRESS_TTY	? TTY_INTERVAL
			  : p->mode == FB_PROGRESS_JSON ? JSON_INTERVAL
							: PLAIN_INTERVAL;

	if (p->mode == FB_PROGRESS_NONE)
		return;
	switch (ev->type) {
	case FB_FLASH_EV_PHASE:
		end_phase(p, ev);
		p->phase = ev->phase;
		p->phase_t0 = p->last = ev->elapsed;
		p->total = ev->total;
		p->done = 0;
		if (p->mode == FB_PROGRESS_JSON)
			json_event(p, ev);
		else if (p->mode == FB_PROGRESS_PLAIN && ev->phase != FB_FLASH_DONE &&
			 ev->phase != FB_FLASH_CHECK)
			fprintf(p->out, "%s\n", fb_flash_phase_to_string(ev->phase));
		break;
	case FB_FLASH_EV_PROGRESS:
		p->done = ev->done;
		if (ev->total)
			p->total = ev->total;
		if (ev->elapsed - p->last < interval)
			break;
		p->last = ev->elapsed;
		if (p->mode == FB_PROGRESS_JSON)
			json_event(p, ev);
		else
			show(p, ev, false);
		break;
	case FB_FLASH_EV_SIGNED:
		if (p->mode == FB_PROGRESS_JSON)
			json_event(p, ev);
		else
			fprintf(p->out, "signature '%s': good, key %s%s%s%s\n", ev->sig, ev->signer,
				ev->signer_uid ? " (" : "", ev->signer_uid ? ev->signer_uid : "",
				ev->signer_uid ? ")" : "");
		break;
	case FB_FLASH_EV_RESULT:
		if (p->mode == FB_PROGRESS_JSON)
			json_event(p, ev);
		else if (p->mode == FB_PROGRESS_TTY && p->line_len)
			fputc('\n', p->out), p->line_len = 0;
		break;
	}
}
