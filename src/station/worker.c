// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/log.h"
#include "device/udev.h"
#include "worker.h"

struct fb_station_worker {
	pthread_t thread;
	int cancel_fd;
	struct fb_flash_job job;
	struct fb_station_row *row;
	pthread_mutex_t *lock;
	int wake_fd;
	bool eject;
};

static void poke(int fd)
{
	uint64_t one = 1;

	/* An eventfd only fails to count on overflow, which still wakes the reader. */
	if (write(fd, &one, sizeof(one)) < 0)
		return;
}

static enum fb_station_state state_of(enum fb_flash_phase p)
{
	switch (p) {
	case FB_FLASH_CHECK:
	case FB_FLASH_CAPACITY:
		return FB_STATION_CHECKING;
	case FB_FLASH_WIPE:
	case FB_FLASH_WRITE:
		return FB_STATION_WRITING;
	case FB_FLASH_VERIFY:
		return FB_STATION_VERIFYING;
	case FB_FLASH_DONE:
		return FB_STATION_DONE;
	default:
		return FB_STATION_FINISHING;
	}
}

/* The job's error message, for the log (kept once: a job has one result). */
static void keep_error(struct fb_station_row *r, const char *text)
{
	char *copy = text ? strdup(text) : NULL;

	free(r->error_text);
	r->error_text = copy;
}

static void emit(void *userdata, const struct fb_flash_event *ev)
{
	struct fb_station_worker *w = userdata;
	struct fb_station_row *r = w->row;
	bool changed = ev->type != FB_FLASH_EV_PROGRESS;

	pthread_mutex_lock(w->lock);
	r->elapsed = ev->elapsed;
	if (ev->type == FB_FLASH_EV_PHASE) {
		r->state = state_of(ev->phase);
		r->phase_t0 = ev->elapsed;
		r->done = 0;
		r->total = ev->total;
	} else if (ev->type == FB_FLASH_EV_PROGRESS) {
		r->done = ev->done;
		if (ev->total)
			r->total = ev->total;
	} else if (ev->type == FB_FLASH_EV_RESULT) {
		/* With --eject, finished once the device is powered off (run()). */
		r->finished = !w->eject || ev->outcome != FB_FLASH_OK;
		r->outcome = ev->outcome;
		r->error = ev->error;
		r->written = ev->written;
		r->touched = ev->device_touched;
		keep_error(r, ev->error_text);
	}
	pthread_mutex_unlock(w->lock);
	if (changed)
		poke(w->wake_fd);
}

static void *run(void *arg)
{
	struct fb_station_worker *w = arg;
	struct fb_station_row *r = w->row;
	bool eject;
	int k = 0;

	fb_flash_run(&w->job);
	pthread_mutex_lock(w->lock);
	eject = w->eject && r->outcome == FB_FLASH_OK;
	pthread_mutex_unlock(w->lock);
	if (eject) {
		k = fb_udev_power_off(r->dev.syspath, r->dev.node);
		if (k == -ENODEV)
			fb_warn("'%s' is not on USB: --eject leaves it powered", r->dev.node);
	}
	pthread_mutex_lock(w->lock);
	if (eject)
		r->eject = k < 0 ? k : 1;
	r->finished = true;
	pthread_mutex_unlock(w->lock);
	poke(w->wake_fd);
	return NULL;
}

static void worker_free(struct fb_station_worker *w)
{
	if (w->cancel_fd >= 0)
		close(w->cancel_fd);
	free(w);
}

int fb_station_worker_start(struct fb_station_row *row, const struct fb_station_worker_ctx *ctx)
{
	struct fb_station_worker *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return fb_err_errno(-ENOMEM, "cannot start a worker for '%s'", row->dev.node);
	*w = (struct fb_station_worker){
		.row = row, .lock = ctx->lock, .wake_fd = ctx->wake_fd, .eject = ctx->eject
	};
	w->cancel_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	w->job = (struct fb_flash_job){ .source = { .image = ctx->src->image },
					.shared = ctx->src,
					.device = row->dev.node,
					.opts = ctx->opts,
					.sink = { emit, w },
					.cancel_fd = w->cancel_fd };
	w->job.opts.verify = true;
	w->job.opts.allow_fixed = ctx->opts.allow_fixed || row->allow_fixed;
	r = w->cancel_fd < 0 ? -errno : -pthread_create(&w->thread, NULL, run, w);
	if (r < 0) {
		worker_free(w);
		return fb_err_errno(r, "cannot start a worker for '%s'", row->dev.node);
	}
	row->worker = w;
	return 0;
}

void fb_station_worker_cancel(struct fb_station_worker *w)
{
	poke(w->cancel_fd);
}

void fb_station_worker_join(struct fb_station_row *row)
{
	if (!row->worker)
		return;
	pthread_join(row->worker->thread, NULL);
	worker_free(row->worker);
	row->worker = NULL;
}
