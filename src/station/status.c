// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <string.h>

#include "core/util.h"
#include "device/json.h"
#include "status.h"

static const double intervals[_FB_STATION_OUT_MAX] = {
	[FB_STATION_OUT_TTY] = 0.5,
	[FB_STATION_OUT_PLAIN] = 5.0,
	[FB_STATION_OUT_JSON] = 1.0,
};

double fb_station_status_interval(const struct fb_station_status *st)
{
	return intervals[st->mode];
}

static void counted(const struct fb_station_status *st, char *buf, size_t len)
{
	if (st->count)
		snprintf(buf, len, "%u of %u verified", st->verified, st->count);
	else
		snprintf(buf, len, "%u verified", st->verified);
}

void fb_station_status_start(struct fb_station_status *st)
{
	const struct fb_shared_source *s = st->src;
	char size[32];

	if (st->mode == FB_STATION_OUT_JSON) {
		fputs("{\"event\": \"station\", \"state\": \"started\", \"image\": ", st->out);
		fb_json_str(st->out, s->image);
		fprintf(st->out, ", \"image_sha256\": \"%s\", \"signer\": ", s->sha256);
		fb_json_str(st->out, *s->signer.fpr ? s->signer.fpr : NULL);
		fprintf(st->out, ", \"bytes_to_write\": %" PRIu64 ", \"count\": %u, \"page\": ",
			s->ext.mapped, st->count);
		fb_json_str(st->out, st->page);
		fputs("}\n", st->out);
	} else {
		fprintf(st->out,
			"station: '%s' (sha256 %.16s..., %s, %s to write%s%s%s%s), waiting for "
			"devices%s%s\n",
			s->image, s->sha256, s->filter,
			fb_format_size(s->ext.mapped, size, sizeof(size)),
			*s->signer.fpr ? ", signed by " : "", s->signer.fpr,
			s->signer.uid ? " " : "", s->signer.uid ? s->signer.uid : "",
			st->page ? "; the page is at " : "", st->page ? st->page : "");
	}
	fflush(st->out);
}

static void json_row(struct fb_station_status *st, const struct fb_station_row *r, bool gone)
{
	double pct = fb_station_row_percent(r);

	fputs("{\"event\": \"device\", \"device\": ", st->out);
	fb_json_str(st->out, r->dev.node);
	fputs(", \"port\": ", st->out);
	fb_json_str(st->out, r->dev.id_path);
	fputs(", \"model\": ", st->out);
	fb_json_str(st->out, r->dev.model);
	fputs(", \"serial\": ", st->out);
	fb_json_str(st->out, r->dev.serial);
	fprintf(st->out, ", \"size\": %" PRIu64 ", \"state\": \"%s\"", r->dev.size,
		gone ? "removed" : fb_station_state_name(r->state));
	if (pct >= 0 && !r->finished)
		fprintf(st->out, ", \"percent\": %.1f", pct);
	fprintf(st->out, ", \"bytes_per_second\": %.0f, \"result\": ", fb_station_row_rate(r));
	fb_json_str(st->out, r->result);
	fputs(", \"reason\": ", st->out);
	fb_json_str(st->out, r->reason);
	if (r->copy)
		fprintf(st->out, ", \"copy\": %u", r->copy);
	fprintf(st->out, ", \"verified\": %u}\n", st->verified);
}

const char *fb_station_status_line(const struct fb_station_status *st,
				   const struct fb_station_row *r, bool gone, char *buf, size_t len)
{
	char state[160], size[32], n[48];
	int k;

	counted(st, n, sizeof(n));
	k = snprintf(buf, len, "%s [%s, %s, %s, %s]: %s", r->dev.node, r->dev.id_path ?: "-",
		     r->dev.model ?: "-", r->dev.serial ?: "-",
		     fb_format_size(r->dev.size, size, sizeof(size)),
		     gone ? "removed" : fb_station_row_state(r, state, sizeof(state)));
	if (k >= 0 && (size_t)k < len &&
	    (r->state == FB_STATION_WRITING || r->state == FB_STATION_VERIFYING ||
	     r->state == FB_STATION_DONE))
		k += snprintf(buf + k, len - (size_t)k, ", %.1f MiB/s",
			      fb_station_row_rate(r) / (double)FB_MiB);
	if (k >= 0 && (size_t)k < len && r->finished && !gone)
		snprintf(buf + k, len - (size_t)k, " (%s)", n);
	return buf;
}

void fb_station_status_row(struct fb_station_status *st, const struct fb_station_row *r, bool gone)
{
	char line[512];

	if (st->mode == FB_STATION_OUT_JSON) {
		json_row(st, r, gone);
	} else if (st->mode == FB_STATION_OUT_PLAIN) {
		fprintf(st->out, "%s\n", fb_station_status_line(st, r, gone, line, sizeof(line)));
	} else {
		return; /* the table shows it */
	}
	fflush(st->out);
}

void fb_station_status_table(struct fb_station_status *st, struct fb_station_row *const *rows,
			     size_t n, const char *note)
{
	char state[160], size[32], head[48];

	if (st->mode != FB_STATION_OUT_TTY)
		return;
	/* Up over the last table, and clear to the end of the screen. */
	if (st->drawn)
		fprintf(st->out, "\033[%dA", st->drawn);
	fputs("\r\033[J", st->out);
	counted(st, head, sizeof(head));
	fprintf(st->out, "station: %s%s%s\n", head, n ? "" : "; waiting for devices",
		note ? note : "");
	fprintf(st->out, "%-40s %-16s %-16s %9s  %-28s %7s\n", "PORT", "MODEL", "SERIAL", "SIZE",
		"STATE", "MiB/s");
	for (size_t i = 0; i < n; i++) {
		const struct fb_station_row *r = rows[i];

		fprintf(st->out, "%-40.40s %-16.16s %-16.16s %9s  %-28.28s %7.1f\n",
			r->dev.id_path ?: r->dev.node, r->dev.model ?: "-", r->dev.serial ?: "-",
			fb_format_size(r->dev.size, size, sizeof(size)),
			fb_station_row_state(r, state, sizeof(state)),
			fb_station_row_rate(r) / (double)FB_MiB);
	}
	st->drawn = (int)n + 2;
	fflush(st->out);
}

void fb_station_status_note(struct fb_station_status *st, const char *state, const char *what)
{
	char n[48];

	counted(st, n, sizeof(n));
	if (st->mode == FB_STATION_OUT_JSON) {
		fprintf(st->out, "{\"event\": \"station\", \"state\": \"%s\", \"what\": ", state);
		fb_json_str(st->out, what);
		fprintf(st->out, ", \"verified\": %u}\n", st->verified);
	} else if (st->mode == FB_STATION_OUT_PLAIN) {
		fprintf(st->out, "station: %s: %s (%s)\n", state, what, n);
	} else {
		return;
	}
	fflush(st->out);
}
