/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The station's log: an append-only file with one JSON line per finished
 * flash, each written with one write() and fsynced before the station goes
 * on, so that a line that is there is a flash that ended that way.
 */
#ifndef FB_STATION_AUDIT_H
#define FB_STATION_AUDIT_H

#include <stddef.h>
#include <stdint.h>

struct fb_station_record {
	double time; /* when it ended: seconds since the epoch */
	const char *device, *id_path, *serial, *model;
	const char *image, *image_sha256;
	const char *signer; /* the fingerprint of the key that signed its bmap, or NULL */
	uint64_t size, bytes_written;
	double seconds;
	const char *result; /* "ok" (written and verified), "failed", "removed", "incomplete", ... */
	const char *reason; /* NULL for ok */
	const char *error;  /* the flash's error message, as it was logged; or NULL */
	unsigned copy;	    /* ok: which copy of the station's run it was */
	int eject;	    /* --eject: 1 powered off, -errno not; 0: not asked */
};

/* T (seconds since the epoch) as the log writes it: "2026-11-25T13:40:02.125Z". */
void fb_station_audit_time(double t, char *buf, size_t len);

/* R as one line of JSON with its newline; malloc'ed, NULL without memory.  Pure. */
char *fb_station_audit_line(const struct fb_station_record *r);

/* Opens PATH for appending (created 0640).  Logs. */
int fb_station_audit_open(const char *path, int *ret_fd);
/* Appends R's line to FD and fsyncs it.  Logs, naming PATH. */
int fb_station_audit_append(int fd, const char *path, const struct fb_station_record *r);

#endif
