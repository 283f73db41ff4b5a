// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "history.h"

static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* One line of the log: remembered when it is a verified copy of this image. */
static int line(struct fb_station_history *h, const char *text, const char *sha256)
{
	struct json_object *o = json_tokener_parse(text);
	const char *serial, *result, *sum, *time;
	int r = 0;

	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -EINVAL;
	}
	serial = get_str(o, "serial");
	result = get_str(o, "result");
	sum = get_str(o, "image_sha256");
	time = get_str(o, "time");
	if (serial && *serial && result && !strcmp(result, "ok") && sum && !strcmp(sum, sha256))
		r = fb_station_history_add(h, serial, time ? time : "?");
	json_object_put(o);
	return r;
}

int fb_station_history_load(const char *log, const char *sha256, struct fb_station_history *h)
{
	_cleanup_fclose_ FILE *f = fopen(log, "re");
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0;
	unsigned no = 0;
	bool warned = false;
	int r;

	if (!f)
		return errno == ENOENT
			       ? 0
			       : fb_err_errno(-errno, "cannot read the station's log '%s'", log);
	while (getline(&buf, &cap, f) > 0) {
		no++;
		r = line(h, buf, sha256);
		if (r == -ENOMEM)
			return fb_err_errno(r, "cannot read '%s'", log);
		if (r < 0 && !warned) {
			fb_warn("%s:%u: not a line of JSON: ignored (and any other such)", log, no);
			warned = true;
		}
	}
	if (ferror(f))
		return fb_err_errno(-EIO, "cannot read the station's log '%s'", log);
	return 0;
}

const char *fb_station_history_find(const struct fb_station_history *h, const char *serial)
{
	if (!serial || !*serial)
		return NULL;
	/* The last time counts: from the newest back. */
	for (size_t i = h->serials.n; i-- > 0;)
		if (!strcmp(h->serials.v[i], serial))
			return h->times.v[i];
	return NULL;
}

int fb_station_history_add(struct fb_station_history *h, const char *serial, const char *time)
{
	int r;

	if (!serial || !*serial)
		return 0;
	r = fb_strv_push(&h->serials, serial);
	if (r < 0)
		return r;
	r = fb_strv_push(&h->times, time);
	if (r < 0) { /* the two stay the same length */
		free(h->serials.v[--h->serials.n]);
		h->serials.v[h->serials.n] = NULL;
	}
	return r;
}

void fb_station_history_done(struct fb_station_history *h)
{
	fb_strv_free(&h->serials);
	fb_strv_free(&h->times);
}
