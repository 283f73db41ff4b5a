/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where the station's page listens: --listen ADDR:PORT ("127.0.0.1:8080",
 * "[::1]:8080", "0.0.0.0:8080", "localhost:8080"), parsed and bound here so
 * that a mistake is reported before any device is touched.
 */
#ifndef FB_STATION_LISTEN_H
#define FB_STATION_LISTEN_H

#include <stdbool.h>
#include <sys/socket.h>

struct fb_station_listen {
	struct sockaddr_storage addr;
	socklen_t len;
	bool loopback; /* only this machine can connect */
};

/* S as an address to listen on; logs "station: --listen ..." on a bad one. */
int fb_station_listen_parse(const char *s, struct fb_station_listen *ret);
/* A listening TCP socket on L (SO_REUSEADDR, close-on-exec); the descriptor, or -errno. Logs. */
int fb_station_listen_open(const struct fb_station_listen *l, const char *what);

#endif
