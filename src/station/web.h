/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The station's page, with libmicrohttpd: "/" the page (page.html, one
 * self-contained file), "/api/status" the station's state as JSON, and
 * "/events" the same state as Server-Sent Events, one message per change.
 * The HTTP threads only read the last state published (a copy of a string,
 * under a lock of their own held for that copy): they never touch the
 * station's rows or the workers' lock.  Nothing served writes anything.
 * With a token, every request must carry it (a cookie the page sets, an
 * "Authorization: Bearer" header, or "?token="), or gets 401.
 */
#ifndef FB_STATION_WEB_H
#define FB_STATION_WEB_H

struct fb_station_web;

/* Serves on FD (a listening socket, taken over); TOKEN: the secret, or NULL.  Logs. */
int fb_station_web_start(int fd, const char *token, struct fb_station_web **ret);
/* JSON becomes the state served (taken over; one line, no newline), unless it is the same. */
void fb_station_web_publish(struct fb_station_web *w, char *json);
/* Ends every connection and stops; NULL. */
struct fb_station_web *fb_station_web_stop(struct fb_station_web *w);

#endif
