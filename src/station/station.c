// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "core/log.h"
#include "core/util.h"
#include "device/udev.h"
#include "history.h"
#include "select.h"
#include "station.h"
#include "view.h"
#include "web.h"
#include "worker.h"

/* After the stop timeout, jobs are cancelled; one stuck in the kernel longer is given up. */
#define ABORT_GRACE 5.0
/* The page's state is refreshed at least this often while a card is written. */
#define WEB_INTERVAL 0.5
/* Unplugged cards the page keeps showing, each until its port has another. */
#define MAX_GONE 64

struct station {
	const struct fb_station_opts *o;
	struct fb_udev_monitor *mon;
	struct fb_station_status st;
	struct fb_station_worker_ctx ctx;
	pthread_mutex_t lock;
	int wake_fd, log_fd;
	struct fb_station_row **rows;
	size_t n;
	unsigned running;
	bool stopping, aborting, any_aborted;
	bool abandoned; /* workers stuck past the grace, left running */
	double stop_at, give_up_at;
	int err; /* the log cannot be written: stop */
	struct fb_station_history history;
	unsigned failed;
	uint64_t ok_bytes; /* of the verified copies, in ok_seconds */
	double ok_seconds;
	/* --listen */
	struct fb_station_web *web;
	char *page_url;
	struct fb_station_lines lines;
	struct fb_station_row **gone;
	size_t n_gone;
};

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static ssize_t find_row(const struct station *s, const char *syspath)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->rows[i]->dev.syspath, syspath))
			return (ssize_t)i;
	return -1;
}

static void forget_gone(struct station *s, size_t i)
{
	fb_station_row_free(s->gone[i]);
	memmove(s->gone + i, s->gone + i + 1, (s->n_gone - i - 1) * sizeof(*s->gone));
	s->n_gone--;
}

/* For the page: R stays, as unplugged, until its slot has another card. */
static void keep_gone(struct station *s, struct fb_station_row *r)
{
	struct fb_station_row **v;

	if (s->n_gone == MAX_GONE)
		forget_gone(s, 0);
	v = reallocarray(s->gone, s->n_gone + 1, sizeof(*v));
	if (!v) {
		fb_station_row_free(r);
		return;
	}
	s->gone = v;
	r->gone = true;
	s->gone[s->n_gone++] = r;
}

/* Row I is no longer plugged in; KEEP: shown as removed while the page is served. */
static void drop_row(struct station *s, size_t i, bool keep)
{
	struct fb_station_row *r = s->rows[i];

	memmove(s->rows + i, s->rows + i + 1, (s->n - i - 1) * sizeof(*s->rows));
	s->n--;
	if (keep && s->web)
		keep_gone(s, r);
	else
		fb_station_row_free(r);
}

/* R's state now (GONE: unplugged), shown, and in the page's log. */
static void say(struct station *s, const struct fb_station_row *r, bool gone)
{
	char line[512];

	fb_station_status_row(&s->st, r, gone);
	if (s->web)
		fb_station_lines_add(&s->lines,
				     fb_station_status_line(&s->st, r, gone, line, sizeof(line)));
}

static void note(struct station *s, const char *state, const char *what)
{
	_cleanup_free_ char *line = NULL;

	fb_station_status_note(&s->st, state, what);
	if (s->web && asprintf(&line, "station: %s: %s", state, what) >= 0)
		fb_station_lines_add(&s->lines, line);
}

static void record(struct station *s, const struct fb_station_row *r, double seconds, double at);

/* A card verified with this image before (by serial): said so; left alone with --skip-done. */
static void done_before(struct station *s, struct fb_station_row *r)
{
	const char *when = fb_station_history_find(&s->history, r->dev.serial);

	if (!when || !(r->done_before = strdup(when)))
		return;
	if (!s->o->skip_done)
		return;
	r->state = r->shown = FB_STATION_SKIPPED;
	r->finished = true;
	r->result = "skipped";
	if (asprintf(&r->reason, "verified with this image at %s (--skip-done)", when) < 0)
		r->reason = NULL;
}

/* Takes D over (it is left empty). */
static int add_row(struct station *s, struct fb_dev_facts *d, enum fb_station_pick pick)
{
	struct fb_station_row **v = reallocarray(s->rows, s->n + 1, sizeof(*v));
	struct fb_station_row *r = calloc(1, sizeof(*r));

	if (v)
		s->rows = v;
	if (!v || !r) {
		free(r);
		return fb_err_errno(-ENOMEM, "cannot take '%s'", d->node);
	}
	r->dev = *d;
	*d = (struct fb_dev_facts){ 0 };
	r->allow_fixed = pick == FB_STATION_TAKE_MARKED;
	r->shown = FB_STATION_WAITING;
	s->rows[s->n++] = r;
	done_before(s, r);
	say(s, r, false);
	if (r->state == FB_STATION_SKIPPED)
		record(s, r, 0, wall_now());
	return 0;
}

/* Whether the disk R was written to is gone, or another medium is in its place. */
static bool unplugged(const struct fb_station_row *r)
{
	_cleanup_free_ char *p = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	unsigned long long seq = 0;

	if (access(r->dev.syspath, F_OK) < 0)
		return true;
	if (!r->dev.diskseq || asprintf(&p, "%s/diskseq", r->dev.syspath) < 0)
		return false;
	f = fopen(p, "re");
	return f && fscanf(f, "%llu", &seq) == 1 && seq != r->dev.diskseq;
}

/* The outcome of R's job as the log says it; the job's own error line said the details. */
static void judge(struct station *s, struct fb_station_row *r)
{
	const char *why = NULL;

	r->result = "failed";
	if (r->outcome == FB_FLASH_OK) {
		r->result = "ok";
		r->state = FB_STATION_DONE;
		r->copy = ++s->st.verified;
		s->ok_bytes += r->written;
		s->ok_seconds += r->elapsed;
		return;
	}
	s->failed++;
	r->state = FB_STATION_FAILED;
	if (r->removed || unplugged(r)) {
		r->result = "removed";
		why = "removed during write";
	} else if (r->aborted) {
		r->result = r->touched ? "incomplete" : "cancelled";
		why = r->touched ? "stopped during write: incomplete" : "stopped before writing";
		s->any_aborted = true;
		s->failed -= !r->touched;
	} else if (r->outcome == FB_FLASH_REFUSED) {
		r->result = "refused";
		why = "refused (see the error above)";
	} else if (r->outcome == FB_FLASH_MISMATCH) {
		why = "read back wrong after writing it again";
	} else if (r->outcome == FB_FLASH_CORRUPT) {
		why = "the image does not match its bmap";
	} else {
		why = strerror(r->error ? -r->error : EIO);
	}
	r->reason = strdup(why);
}

/* R's line in the log, ended AT (seconds since the epoch). */
static void record(struct station *s, const struct fb_station_row *r, double seconds, double at)
{
	struct fb_station_record rec = {
		.time = at,
		.device = r->dev.node,
		.id_path = r->dev.id_path,
		.serial = r->dev.serial,
		.model = r->dev.model,
		.image = s->o->src->image,
		.image_sha256 = s->o->src->sha256,
		.signer = *s->o->src->signer.fpr ? s->o->src->signer.fpr : NULL,
		.size = r->dev.size,
		.bytes_written = r->written,
		.seconds = seconds,
		.result = r->result,
		.reason = r->reason,
		.error = r->error_text,
		.copy = r->copy,
		.eject = r->eject,
	};
	int k = fb_station_audit_append(s->log_fd, s->o->log, &rec);

	if (k < 0 && !s->err)
		s->err = k;
}

/* R's job has ended: judge it, log it, show it. */
static void finish(struct station *s, size_t i)
{
	struct fb_station_row *r = s->rows[i];
	char when[48];
	double at;

	fb_station_worker_join(r);
	s->running--;
	at = wall_now();
	judge(s, r);
	record(s, r, r->elapsed, at);
	/* Known as done by the time its log line says, should it come back. */
	fb_station_audit_time(at, when, sizeof(when));
	if (r->copy && fb_station_history_add(&s->history, r->dev.serial, when) < 0)
		fb_warn("'%s' will not be known as done when plugged in again", r->dev.node);
	r->shown = r->state;
	say(s, r, false);
	if (!strcmp(r->result, "removed"))
		drop_row(s, i, true);
}

static void reap(struct station *s)
{
	uint64_t v;

	if (read(s->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	for (size_t i = s->n; i-- > 0;) {
		struct fb_station_row *r = s->rows[i];
		bool ended;

		if (!r->worker)
			continue;
		pthread_mutex_lock(&s->lock);
		ended = r->finished;
		pthread_mutex_unlock(&s->lock);
		if (ended)
			finish(s, i);
	}
}

static void start_waiting(struct station *s)
{
	const struct fb_station_opts *o = s->o;

	for (size_t i = 0; i < s->n && !s->stopping; i++) {
		struct fb_station_row *r = s->rows[i];

		if (r->worker || r->finished || r->state != FB_STATION_WAITING)
			continue;
		if (s->running >= o->jobs || (o->count && s->st.verified + s->running >= o->count))
			return;
		if (fb_station_worker_start(r, &s->ctx) < 0) {
			r->finished = true;
			r->state = FB_STATION_FAILED;
			free(r->reason);
			r->reason = strdup("cannot start a worker");
			say(s, r, false);
			continue;
		}
		s->running++;
	}
}

static void on_device(void *userdata, enum fb_udev_action a, struct fb_dev_facts *d)
{
	struct station *s = userdata;
	ssize_t i = find_row(s, d->syspath);
	struct fb_station_row *r = i >= 0 ? s->rows[i] : NULL;
	enum fb_station_pick pick;

	if (a == FB_UDEV_OTHER)
		return;
	if (r && (a == FB_UDEV_REMOVE || d->size == 0)) {
		if (r->worker) { /* its job ends, and is judged, as "removed" */
			r->removed = true;
			fb_station_worker_cancel(r->worker);
			return;
		}
		say(s, r, true);
		drop_row(s, (size_t)i, true);
		return;
	}
	if (a == FB_UDEV_REMOVE)
		return;
	/* Being written, or written (or failed) and still plugged in: left alone. */
	if (r && (r->worker || r->dev.diskseq == d->diskseq))
		return;
	if (r) /* another medium in the same slot, e.g. a card reader's */
		drop_row(s, (size_t)i, false);
	pick = s->stopping ? FB_STATION_SKIP : fb_station_select(d, s->o->match);
	if (pick == FB_STATION_SKIP)
		return;
	for (size_t g = s->n_gone; g-- > 0;) /* the slot has a card again */
		if (!strcmp(fb_station_slot(&s->gone[g]->dev), fb_station_slot(d)))
			forget_gone(s, g);
	add_row(s, d, pick);
}

static void abort_all(struct station *s)
{
	s->aborting = true;
	s->give_up_at = fb_now() + ABORT_GRACE;
	for (size_t i = 0; i < s->n; i++)
		if (s->rows[i]->worker) {
			s->rows[i]->aborted = true;
			fb_station_worker_cancel(s->rows[i]->worker);
		}
}

static void on_signal(struct station *s)
{
	struct signalfd_siginfo si;
	char what[96];

	if (read(s->o->signal_fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (s->stopping) { /* a second signal: no more waiting */
		if (!s->aborting)
			abort_all(s);
		return;
	}
	s->stopping = true;
	s->stop_at = fb_now() + s->o->stop_timeout;
	snprintf(what, sizeof(what), "%s: taking no new devices, %u in flight get %.0f s",
		 strsignal((int)si.ssi_signo), s->running, s->o->stop_timeout);
	note(s, "stopping", what);
}

/* Jobs stuck in the kernel past the grace: logged as incomplete, left to the exit. */
static void give_up(struct station *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct fb_station_row *r = s->rows[i];

		if (!r->worker)
			continue;
		pthread_mutex_lock(&s->lock);
		r->written = r->touched ? r->done : 0;
		r->result = "incomplete";
		free(r->reason);
		r->reason = strdup("did not stop in time");
		record(s, r, r->elapsed, wall_now());
		pthread_mutex_unlock(&s->lock);
		fb_warn("'%s' did not stop in time; exiting without it", r->dev.node);
	}
	s->any_aborted = s->abandoned = true;
}

/* The page's state, when it changed (under the lock: it reads the jobs' part of the rows). */
static void publish(struct station *s, const char *state)
{
	struct fb_station_view v = {
		.src = s->o->src,
		.state = state,
		.count = s->o->count,
		.verified = s->st.verified,
		.failed = s->failed,
		.jobs = s->o->jobs,
		.ok_bytes = s->ok_bytes,
		.ok_seconds = s->ok_seconds,
		.rows = s->rows,
		.n = s->n,
		.gone = s->gone,
		.n_gone = s->n_gone,
		.lines = &s->lines,
	};
	char *json;

	if (s->web && (json = fb_station_view_json(&v)))
		fb_station_web_publish(s->web, json);
}

/* Plain and JSON: a line per change of state, and every interval while writing. */
static void show(struct station *s)
{
	double now = fb_now(), every = fb_station_status_interval(&s->st);

	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n; i++) {
		struct fb_station_row *r = s->rows[i];
		bool moving = r->state == FB_STATION_WRITING || r->state == FB_STATION_VERIFYING;

		/* The end is shown once it is judged. */
		if (!r->worker || r->finished || r->state == FB_STATION_DONE)
			continue;
		if (r->state != r->shown) {
			say(s, r, false);
			r->shown = r->state;
			r->shown_at = now;
		} else if (moving && now - r->shown_at >= every) {
			fb_station_status_row(&s->st, r, false);
			r->shown_at = now;
		}
	}
	fb_station_status_table(&s->st, s->rows, s->n, s->stopping ? " — stopping" : NULL);
	publish(s, s->stopping ? "stopping" : "running");
	pthread_mutex_unlock(&s->lock);
}

static int timeout_ms(const struct station *s)
{
	double t = fb_station_status_interval(&s->st), now = fb_now();

	if (s->web && t > WEB_INTERVAL)
		t = WEB_INTERVAL;
	if (s->stopping && !s->aborting && s->stop_at - now < t)
		t = s->stop_at - now;
	if (s->aborting && s->give_up_at - now < t)
		t = s->give_up_at - now;
	return t > 0 ? (int)(t * 1000) + 1 : 0;
}

static bool over(const struct station *s)
{
	if (s->stopping || (s->o->count && s->st.verified >= s->o->count))
		return s->running == 0;
	return false;
}

static int loop(struct station *s)
{
	struct pollfd p[] = {
		{ .fd = fb_udev_monitor_fd(s->mon), .events = POLLIN },
		{ .fd = s->o->signal_fd, .events = POLLIN },
		{ .fd = s->wake_fd, .events = POLLIN },
	};
	int r;

	while (!over(s) && !s->err) {
		if (poll(p, ELEMENTSOF(p), timeout_ms(s)) < 0 && errno != EINTR)
			return fb_err_errno(-errno, "station: cannot wait for events");
		if (p[1].revents)
			on_signal(s);
		if (p[2].revents)
			reap(s);
		if (p[0].revents && (r = fb_udev_monitor_receive(s->mon, on_device, s)) < 0)
			return r;
		if (s->stopping && !s->aborting && fb_now() >= s->stop_at)
			abort_all(s);
		if (s->aborting && fb_now() >= s->give_up_at) {
			give_up(s);
			break;
		}
		start_waiting(s);
		show(s);
	}
	return s->err;
}

static int start_web(struct station *s)
{
	int fd;

	if (!s->o->listen)
		return 0;
	fd = fb_station_listen_open(s->o->listen, s->o->listen_text);
	if (fd < 0)
		return fd;
	if (asprintf(&s->page_url, "http://%s/", s->o->listen_text) < 0) {
		s->page_url = NULL;
		close(fd);
		return fb_err_errno(-ENOMEM, "station: cannot serve the page");
	}
	s->st.page = s->page_url;
	return fb_station_web_start(fd, s->o->token, &s->web);
}

static int setup(struct station *s)
{
	int r;

	r = fb_station_audit_open(s->o->log, &s->log_fd);
	if (r >= 0)
		r = fb_station_history_load(s->o->log, s->o->src->sha256, &s->history);
	if (r >= 0)
		r = start_web(s);
	if (r < 0)
		return r;
	s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->wake_fd < 0)
		return fb_err_errno(-errno, "station: cannot make an eventfd");
	if (!fb_udevd_running())
		fb_warn("udevd is not running: disks plugged in from now on are not seen, and no "
			"udev rule marks any");
	/* The monitor first: a disk plugged in while the others are listed is not missed. */
	r = fb_udev_monitor_start(&s->mon);
	if (r < 0)
		return r;
	fb_station_status_start(&s->st);
	return fb_udev_monitor_enumerate(s->mon, on_device, s);
}

static void station_free(struct station *s)
{
	s->web = fb_station_web_stop(s->web);
	for (size_t i = 0; i < s->n; i++)
		fb_station_row_free(s->rows[i]);
	free(s->rows);
	for (size_t i = 0; i < s->n_gone; i++)
		fb_station_row_free(s->gone[i]);
	free(s->gone);
	fb_station_lines_done(&s->lines);
	fb_station_history_done(&s->history);
	free(s->page_url);
	fb_udev_monitor_free(s->mon);
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	if (s->log_fd >= 0)
		close(s->log_fd);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int fb_station_run(const struct fb_station_opts *o)
{
	struct station *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return fb_err_errno(-ENOMEM, "cannot start the station");
	*s = (struct station){
		.o = o,
		.wake_fd = -EBADF,
		.log_fd = -EBADF,
		.st = { .src = o->src, .count = o->count, .out = stdout, .mode = o->output },
	};
	pthread_mutex_init(&s->lock, NULL);
	r = setup(s);
	s->ctx = (struct fb_station_worker_ctx){ .src = o->src,
						 .opts = o->flash,
						 .lock = &s->lock,
						 .wake_fd = s->wake_fd,
						 .eject = o->eject };
	if (r >= 0) {
		start_waiting(s);
		show(s);
		r = loop(s);
	}
	if (r >= 0) {
		note(s, "stopped", s->any_aborted ? "some flashes were cut short" : "all ended");
		pthread_mutex_lock(&s->lock);
		publish(s, "stopped");
		pthread_mutex_unlock(&s->lock);
	}
	if (r >= 0)
		r = s->any_aborted ? FB_STATION_END_ABORTED : FB_STATION_END_DONE;
	/* A worker given up on still uses its row, the lock and the source: left to the exit. */
	if (s->abandoned)
		return FB_STATION_END_ABANDONED;
	if (s->running) /* the loop failed: stop the jobs (they end within one write) */
		abort_all(s);
	for (size_t i = 0; i < s->n; i++)
		fb_station_worker_join(s->rows[i]);
	station_free(s);
	return r;
}
