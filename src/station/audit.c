// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "core/log.h"
#include "device/json.h"

void fb_station_audit_time(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;
	size_t n;

	gmtime_r(&s, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03dZ", (int)((t - (double)s) * 1000) % 1000);
}

char *fb_station_audit_line(const struct fb_station_record *r)
{
	const char *keys[] = { "device", "id_path",	 "serial", "model",
			       "image",	 "image_sha256", "signer" };
	const char *vals[] = { r->device, r->id_path,	   r->serial, r->model,
			       r->image,  r->image_sha256, r->signer };
	char when[48], *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);

	if (!f)
		return NULL;
	fb_station_audit_time(r->time, when, sizeof(when));
	fprintf(f, "{\"time\": \"%s\"", when);
	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		fprintf(f, ", \"%s\": ", keys[i]);
		fb_json_str(f, vals[i]);
	}
	fprintf(f,
		", \"size\": %" PRIu64 ", \"bytes_written\": %" PRIu64
		", \"seconds\": %.3f, \"result\": ",
		r->size, r->bytes_written, r->seconds);
	fb_json_str(f, r->result);
	fputs(", \"reason\": ", f);
	fb_json_str(f, r->reason);
	if (r->error) {
		fputs(", \"error\": ", f);
		fb_json_str(f, r->error);
	}
	if (r->copy)
		fprintf(f, ", \"copy\": %u", r->copy);
	if (r->eject)
		fprintf(f, ", \"ejected\": %s", r->eject > 0 ? "true" : "false");
	fputs("}\n", f);
	if (fclose(f) != 0) {
		free(line);
		return NULL;
	}
	return line;
}

int fb_station_audit_open(const char *path, int *ret_fd)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);

	if (fd < 0)
		return fb_err_errno(-errno, "cannot open the station's log '%s'", path);
	*ret_fd = fd;
	return 0;
}

int fb_station_audit_append(int fd, const char *path, const struct fb_station_record *r)
{
	_cleanup_free_ char *line = fb_station_audit_line(r);
	size_t len = line ? strlen(line) : 0;
	ssize_t n;

	if (!line)
		return fb_err_errno(-ENOMEM, "cannot write to '%s'", path);
	/* One write: O_APPEND puts it whole at the end, whoever else appends. */
	n = write(fd, line, len);
	if (n < 0)
		return fb_err_errno(-errno, "cannot write to '%s'", path);
	if ((size_t)n != len)
		return fb_err_errno(-ENOSPC, "cannot write to '%s'", path);
	if (fsync(fd) < 0)
		return fb_err_errno(-errno, "cannot flush '%s'", path);
	return 0;
}
