// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "web.h"

#include "station/page.html.h"

/* Every connection has a thread of its own; at most this many at once. */
#define MAX_CONNECTIONS 256
#define THREAD_STACK	(256 * 1024)
/* An idle request connection is closed after this; /events sends a comment more often. */
#define IDLE_TIMEOUT  60
#define PING_INTERVAL 15
#define TOKEN_COOKIE  "flashbuild_token"

struct fb_station_web {
	struct MHD_Daemon *mhd;
	char *token;
	pthread_mutex_t lock; /* guards the three below; held only to copy or swap */
	pthread_cond_t changed;
	char *json; /* the state last published */
	uint64_t seq;
	bool closing;
};

/* One /events connection: the message being sent, and which state it is. */
struct sse {
	struct fb_station_web *w;
	uint64_t seq;
	char *msg;
	size_t len, off;
};

/* Equal without telling by its time how much of it was. */
static bool token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;

	for (size_t i = 0; i < la; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i % (lb ? lb : 1)];
	return d == 0;
}

static bool authorized(const struct fb_station_web *w, struct MHD_Connection *c)
{
	const char *v;

	if (!w->token)
		return true;
	v = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, TOKEN_COOKIE);
	if (v && token_equal(v, w->token))
		return true;
	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (v && !strncmp(v, "Bearer ", 7) && token_equal(v + 7, w->token))
		return true;
	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
	return v && token_equal(v, w->token);
}

static void add_headers(struct MHD_Response *resp, const char *type)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'none'; script-src 'unsafe-inline'; "
				"style-src 'unsafe-inline'; connect-src 'self'; img-src data:");
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     void *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result r;

	if (!resp) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	add_headers(resp, type);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"flashbuild station\"");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	r = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	return reply(c, status, "text/plain; charset=utf-8", (void *)text, strlen(text),
		     MHD_RESPMEM_PERSISTENT);
}

static char *state_copy(struct fb_station_web *w)
{
	char *s;

	pthread_mutex_lock(&w->lock);
	s = strdup(w->json ? w->json : "{}");
	pthread_mutex_unlock(&w->lock);
	return s;
}

static enum MHD_Result serve_status(struct fb_station_web *w, struct MHD_Connection *c)
{
	char *s = state_copy(w);

	if (!s)
		return reply_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory\n");
	return reply(c, MHD_HTTP_OK, "application/json", s, strlen(s), MHD_RESPMEM_MUST_FREE);
}

/* The next message for S: the state once it changed, a comment after PING_INTERVAL. */
static int sse_next(struct sse *s)
{
	struct fb_station_web *w = s->w;
	struct timespec until;
	int r = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += PING_INTERVAL;
	free(s->msg);
	s->msg = NULL;
	s->len = s->off = 0;
	pthread_mutex_lock(&w->lock);
	while (!w->closing && w->seq == s->seq && r == 0)
		r = pthread_cond_timedwait(&w->changed, &w->lock, &until);
	/* The last state published is sent even when closing; then the stream ends. */
	if (w->seq == s->seq && w->closing) {
		pthread_mutex_unlock(&w->lock);
		return -ECANCELED;
	}
	if (w->seq != s->seq) {
		s->seq = w->seq;
		r = asprintf(&s->msg, "id: %" PRIu64 "\ndata: %s\n\n", w->seq, w->json);
	} else {
		r = asprintf(&s->msg, ": %s\n\n", "still here");
	}
	pthread_mutex_unlock(&w->lock);
	if (r < 0) {
		s->msg = NULL;
		return -ENOMEM;
	}
	s->len = (size_t)r;
	return 0;
}

/* MHD's reader in this connection's own thread: it may wait for the next state. */
static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sse *s = cls;
	size_t n;

	(void)pos;
	if (s->off == s->len && sse_next(s) < 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	n = s->len - s->off < max ? s->len - s->off : max;
	memcpy(buf, s->msg + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

static void sse_free(void *cls)
{
	struct sse *s = cls;

	free(s->msg);
	free(s);
}

static enum MHD_Result serve_events(struct fb_station_web *w, struct MHD_Connection *c)
{
	struct sse *s = calloc(1, sizeof(*s));
	struct MHD_Response *resp;
	enum MHD_Result r;

	if (!s)
		return reply_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory\n");
	s->w = w; /* seq 0: never published, so the first message is the state now */
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, sse_read, s, sse_free);
	if (!resp) {
		sse_free(s);
		return MHD_NO;
	}
	add_headers(resp, "text/event-stream");
	r = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_size, void **con_cls)
{
	struct fb_station_web *w = cls;
	bool page = !strcmp(url, "/") || !strcmp(url, "/index.html");

	(void)version;
	(void)upload_data;
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "read-only: GET only\n");
	if (*upload_size) /* a GET with a body: not read */
		return reply_text(c, MHD_HTTP_BAD_REQUEST, "no body, please\n");
	/* The page holds no state: without the token it is what asks for it. */
	if (!authorized(w, c)) {
		if (page)
			return reply(c, MHD_HTTP_UNAUTHORIZED, "text/html; charset=utf-8",
				     (void *)page_html, sizeof(page_html) - 1,
				     MHD_RESPMEM_PERSISTENT);
		return reply_text(c, MHD_HTTP_UNAUTHORIZED, "a token is required\n");
	}
	if (page)
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", (void *)page_html,
			     sizeof(page_html) - 1, MHD_RESPMEM_PERSISTENT);
	if (!strcmp(url, "/api/status"))
		return serve_status(w, c);
	if (!strcmp(url, "/events"))
		return serve_events(w, c);
	return reply_text(c, MHD_HTTP_NOT_FOUND, "not found: /, /api/status, /events\n");
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[256];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	fb_debug("station: web: %s", buf);
}

int fb_station_web_start(int fd, const char *token, struct fb_station_web **ret)
{
	struct fb_station_web *w = calloc(1, sizeof(*w));

	if (!w || (token && !(w->token = strdup(token)))) {
		free(w);
		close(fd);
		return fb_err_errno(-ENOMEM, "station: cannot serve the page");
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->changed, NULL);
	w->mhd = MHD_start_daemon(
		MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
		0, NULL, NULL, handle, w, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT,
		MHD_OPTION_THREAD_STACK_SIZE, (size_t)THREAD_STACK, MHD_OPTION_EXTERNAL_LOGGER,
		mhd_log, NULL, MHD_OPTION_END);
	if (!w->mhd) {
		close(fd);
		fb_station_web_stop(w);
		return fb_err("station: cannot serve the page (libmicrohttpd did not start)");
	}
	*ret = w;
	return 0;
}

void fb_station_web_publish(struct fb_station_web *w, char *json)
{
	char *old = json;

	pthread_mutex_lock(&w->lock);
	if (!w->json || strcmp(json, w->json)) { /* only a change is an event */
		old = w->json;
		w->json = json;
		w->seq++;
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->lock);
	free(old);
}

struct fb_station_web *fb_station_web_stop(struct fb_station_web *w)
{
	if (!w)
		return NULL;
	pthread_mutex_lock(&w->lock);
	w->closing = true;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	if (w->mhd)
		MHD_stop_daemon(w->mhd);
	pthread_cond_destroy(&w->changed);
	pthread_mutex_destroy(&w->lock);
	free(w->json);
	free(w->token);
	free(w);
	return NULL;
}
