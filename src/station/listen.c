// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "listen.h"

static bool is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a))
			return a->s6_addr[12] == 127;
		return IN6_IS_ADDR_LOOPBACK(a);
	}
	return false;
}

/* "HOST:PORT" or "[V6]:PORT" into HOST and PORT (both in BUF). */
static int split(char *buf, char **host, char **port)
{
	char *colon;

	if (*buf == '[') {
		char *end = strchr(buf, ']');

		if (!end || end[1] != ':')
			return -EINVAL;
		*end = '\0';
		*host = buf + 1;
		*port = end + 2;
	} else {
		colon = strrchr(buf, ':');
		if (!colon || strchr(buf, ':') != colon)
			return -EINVAL;
		*colon = '\0';
		*host = buf;
		*port = colon + 1;
	}
	return **host && **port ? 0 : -EINVAL;
}

int fb_station_listen_parse(const char *s, struct fb_station_listen *ret)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV | AI_PASSIVE };
	_cleanup_free_ char *buf = strdup(s);
	struct addrinfo *ai = NULL;
	char *host, *port, *end;
	long p;
	int r;

	if (!buf)
		return fb_err_errno(-ENOMEM, "station: --listen '%s'", s);
	if (split(buf, &host, &port) < 0)
		return fb_err("station: --listen takes ADDRESS:PORT (127.0.0.1:8080, [::1]:8080, "
			      "0.0.0.0:8080), not '%s'",
			      s);
	p = strtol(port, &end, 10);
	if (*end || p < 1 || p > 65535)
		return fb_err("station: --listen '%s': the port must be a number from 1 to 65535",
			      s);
	r = getaddrinfo(host, port, &hints, &ai);
	if (r != 0)
		return fb_err("station: --listen '%s': %s", s, gai_strerror(r));
	memcpy(&ret->addr, ai->ai_addr, ai->ai_addrlen);
	ret->len = ai->ai_addrlen;
	ret->loopback = is_loopback(ai->ai_addr);
	freeaddrinfo(ai);
	return 0;
}

int fb_station_listen_open(const struct fb_station_listen *l, const char *what)
{
	int one = 1, fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return fb_err_errno(-errno, "station: cannot listen on %s", what);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)&l->addr, l->len) < 0 || listen(fd, 64) < 0) {
		r = fb_err_errno(-errno, "station: cannot listen on %s", what);
		close(fd);
		return r;
	}
	return fd;
}
