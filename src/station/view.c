// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "device/json.h"
#include "view.h"

void fb_station_lines_add(struct fb_station_lines *l, const char *text)
{
	time_t now = time(NULL);
	struct tm tm;
	char when[16], *line = NULL;
	unsigned at;

	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (asprintf(&line, "%s %s", when, text) < 0)
		return; /* the page's log misses a line */
	if (l->n < FB_STATION_LINES) {
		l->v[(l->start + l->n++) % FB_STATION_LINES] = line;
		return;
	}
	at = l->start;
	free(l->v[at]);
	l->v[at] = line;
	l->start = (at + 1) % FB_STATION_LINES;
}

void fb_station_lines_done(struct fb_station_lines *l)
{
	for (unsigned i = 0; i < l->n; i++)
		free(l->v[(l->start + i) % FB_STATION_LINES]);
	*l = (struct fb_station_lines){ 0 };
}

const char *fb_station_view_state(const struct fb_station_row *r)
{
	if (r->gone)
		return "removed";
	switch (r->state) {
	case FB_STATION_WAITING:
		return "idle";
	case FB_STATION_DONE:
		return r->finished ? "verified" : "finishing";
	case FB_STATION_FAILED:
		return r->result && !strcmp(r->result, "refused") ? "refused" : "failed";
	default:
		return fb_station_state_name(r->state);
	}
}

static void json_num(FILE *f, const char *key, double v, bool have)
{
	if (have)
		fprintf(f, ", \"%s\": %.1f", key, v);
	else
		fprintf(f, ", \"%s\": null", key);
}

static void json_key_str(FILE *f, const char *key, const char *v)
{
	fprintf(f, ", \"%s\": ", key);
	fb_json_str(f, v);
}

static void slot(FILE *f, const struct fb_station_row *r, bool first)
{
	const char *state = fb_station_view_state(r);
	bool moving = !r->gone && !r->finished &&
		      (r->state == FB_STATION_WRITING || r->state == FB_STATION_VERIFYING);
	bool verified = !strcmp(state, "verified") || (r->gone && r->copy);
	double pct = fb_station_row_percent(r), rate = fb_station_row_rate(r);

	if (verified) /* the whole job's, however short it was */
		rate = r->elapsed > 0 ? (double)r->written / r->elapsed : 0;

	fputs(first ? "{\"device\": " : ", {\"device\": ", f);
	fb_json_str(f, r->dev.node);
	json_key_str(f, "port", r->dev.id_path);
	json_key_str(f, "model", r->dev.model);
	json_key_str(f, "serial", r->dev.serial);
	fprintf(f, ", \"size\": %" PRIu64 ", \"state\": \"%s\"", r->dev.size, state);
	json_num(f, "percent", pct, moving && pct >= 0);
	json_num(f, "bytes_per_second", rate, moving || verified);
	json_num(f, "eta_seconds", rate > 0 ? (double)(r->total - r->done) / rate : 0,
		 moving && rate > 0 && r->total >= r->done);
	if (r->copy)
		fprintf(f, ", \"copy\": %u", r->copy);
	else
		fputs(", \"copy\": null", f);
	json_key_str(f, "reason", r->reason);
	json_key_str(f, "error", r->error_text);
	json_key_str(f, "done_before", r->done_before);
	fprintf(f, ", \"remove_now\": %s, \"ejected\": %s}",
		!r->gone && !strcmp(state, "verified") ? "true" : "false",
		r->eject > 0 ? "true" : "false");
}

static int by_port(const void *a, const void *b)
{
	const struct fb_station_row *x = *(struct fb_station_row *const *)a;
	const struct fb_station_row *y = *(struct fb_station_row *const *)b;

	return strverscmp(fb_station_slot(&x->dev), fb_station_slot(&y->dev));
}

/* The plugged in and the unplugged, in the order of their ports. */
static void slots(FILE *f, const struct fb_station_view *v)
{
	size_t n = v->n + v->n_gone;
	struct fb_station_row **all = n ? calloc(n, sizeof(*all)) : NULL;

	fputs(", \"slots\": [", f);
	if (all) {
		memcpy(all, v->rows, v->n * sizeof(*all));
		memcpy(all + v->n, v->gone, v->n_gone * sizeof(*all));
		qsort(all, n, sizeof(*all), by_port);
		for (size_t i = 0; i < n; i++)
			slot(f, all[i], i == 0);
	}
	fputs("]", f);
	free(all);
}

static void header(FILE *f, const struct fb_station_view *v)
{
	const struct fb_shared_source *s = v->src;
	const char *base = strrchr(s->image, '/');

	fprintf(f, "{\"state\": \"%s\", \"image\": {\"name\": ", v->state);
	fb_json_str(f, base ? base + 1 : s->image);
	json_key_str(f, "path", s->image);
	json_key_str(f, "sha256", s->sha256);
	json_key_str(f, "signer", *s->signer.fpr ? s->signer.fpr : NULL);
	json_key_str(f, "signer_uid", *s->signer.fpr ? s->signer.uid : NULL);
	fprintf(f, ", \"bytes_to_write\": %" PRIu64 "}", s->ext.mapped);
	fprintf(f, ", \"count\": %u, \"verified\": %u, \"failed\": %u, \"jobs\": %u", v->count,
		v->verified, v->failed, v->jobs);
	if (v->count)
		fprintf(f, ", \"left\": %u", v->count > v->verified ? v->count - v->verified : 0);
	else
		fputs(", \"left\": null", f);
	json_num(f, "bytes_per_second", v->ok_seconds > 0 ? (double)v->ok_bytes / v->ok_seconds : 0,
		 v->ok_seconds > 0);
}

char *fb_station_view_json(const struct fb_station_view *v)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	header(f, v);
	slots(f, v);
	fputs(", \"log\": [", f);
	for (unsigned i = 0; v->lines && i < v->lines->n; i++) {
		fputs(i ? ", " : "", f);
		fb_json_str(f, v->lines->v[(v->lines->start + i) % FB_STATION_LINES]);
	}
	fputs("]}", f);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
