// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "stream.h"

struct slot {
	uint8_t *buf;
	uint64_t off;
	size_t len;
	struct fb_extent *ext; /* the extent this belongs to */
	bool last;	       /* its last piece */
};

struct pipe {
	struct fb_engine *e;
	const struct fb_stream_ops *ops;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct slot slots[FB_ENGINE_SLOTS];
	unsigned head, count; /* filled slots: a ring of COUNT from HEAD */
	bool done, stop;      /* the filler finished / the taker gave up */
	int err;	      /* the filler's failure */
};

/* Waits for a free slot; NULL once the taker has stopped. */
static struct slot *get_free(struct pipe *p)
{
	struct slot *s = NULL;

	pthread_mutex_lock(&p->lock);
	while (!p->stop && p->count == FB_ENGINE_SLOTS)
		pthread_cond_wait(&p->cond, &p->lock);
	if (!p->stop)
		s = &p->slots[(p->head + p->count) % FB_ENGINE_SLOTS];
	pthread_mutex_unlock(&p->lock);
	return s;
}

static void push(struct pipe *p)
{
	pthread_mutex_lock(&p->lock);
	p->count++;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static int finish_hash(struct fb_engine *e, const struct fb_stream_ops *ops, struct fb_sha256 *h,
		       struct fb_extent *x)
{
	char hex[FB_SHA256_HEX_LEN + 1];

	if (fb_sha256_final_hex(h, hex) < 0)
		return -EIO;
	return ops->extent_done ? ops->extent_done(e, x, hex) : 0;
}

static int fill_extent(struct pipe *p, struct fb_extent *x, struct fb_sha256 *h)
{
	const bool hash = !p->ops->hash_in_taker && !p->ops->no_hash;
	int r;

	for (uint64_t pos = 0; pos < x->len;) {
		size_t n =
			x->len - pos > FB_ENGINE_CHUNK ? FB_ENGINE_CHUNK : (size_t)(x->len - pos);
		struct slot *s = get_free(p);

		if (!s)
			return -ECANCELED;
		r = p->ops->fill(p->e, s->buf, x->off + pos, n);
		if (r < 0)
			return r;
		if (hash)
			fb_sha256_update(h, s->buf, n);
		*s = (struct slot){ .buf = s->buf,
				    .off = x->off + pos,
				    .len = n,
				    .ext = x,
				    .last = pos + n == x->len };
		push(p);
		pos += n;
	}
	return hash ? finish_hash(p->e, p->ops, h, x) : 0;
}

static void *filler(void *arg)
{
	struct pipe *p = arg;
	struct fb_sha256 *h = fb_sha256_new();
	int r = h ? 0 : -ENOMEM;

	fb_log_capture_set(&p->e->log); /* its errors are the job's */
	for (size_t i = 0; r == 0 && i < p->e->n_ext; i++)
		r = fill_extent(p, &p->e->ext[i], h);
	fb_sha256_free(h);
	pthread_mutex_lock(&p->lock);
	p->done = true;
	p->err = r == -ECANCELED ? 0 : r;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* The caller's loop: filled slots in order until the filler is done or something fails. */
static int drain(struct pipe *p, struct fb_sha256 *h)
{
	struct fb_engine *e = p->e;
	uint64_t moved = 0;
	int r;

	for (;;) {
		struct slot *s;

		pthread_mutex_lock(&p->lock);
		while (!p->count && !p->done)
			pthread_cond_wait(&p->cond, &p->lock);
		/* A failure on the filler's side stops everything at once. */
		s = p->count && !(p->done && p->err) ? &p->slots[p->head] : NULL;
		pthread_mutex_unlock(&p->lock);
		if (!s)
			return 0;
		if (fb_engine_cancelled(e))
			return -ECANCELED;
		if (p->ops->take && (r = p->ops->take(e, s->buf, s->off, s->len)) < 0)
			return r;
		if (p->ops->hash_in_taker && !p->ops->no_hash) {
			fb_sha256_update(h, s->buf, s->len);
			if (s->last && (r = finish_hash(e, p->ops, h, s->ext)) < 0)
				return r;
		}
		moved += s->len;
		fb_engine_progress(e, p->ops->phase, moved, e->mapped_bytes);
		pthread_mutex_lock(&p->lock);
		p->head = (p->head + 1) % FB_ENGINE_SLOTS;
		p->count--;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
	}
}

int fb_stream_extents(struct fb_engine *e, const struct fb_stream_ops *ops)
{
	struct pipe p = { .e = e, .ops = ops };
	struct fb_sha256 *h = fb_sha256_new();
	pthread_t th;
	int r = h ? 0 : -ENOMEM;

	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);
	for (unsigned i = 0; r == 0 && i < FB_ENGINE_SLOTS; i++)
		if (!(p.slots[i].buf = fb_target_alloc(FB_ENGINE_CHUNK)))
			r = -ENOMEM;
	if (r < 0) {
		fb_err_errno(r, "cannot stream to '%s'", e->tgt.node);
		goto out;
	}
	fb_engine_phase(e, ops->phase, e->mapped_bytes);
	r = -pthread_create(&th, NULL, filler, &p);
	if (r < 0) {
		fb_err_errno(r, "cannot start a thread");
		goto out;
	}
	r = drain(&p, h);
	pthread_mutex_lock(&p.lock);
	p.stop = true;
	pthread_cond_broadcast(&p.cond);
	pthread_mutex_unlock(&p.lock);
	pthread_join(th, NULL);
	if (r == 0)
		r = p.err;
out:
	for (unsigned i = 0; i < FB_ENGINE_SLOTS; i++)
		free(p.slots[i].buf);
	fb_sha256_free(h);
	pthread_cond_destroy(&p.cond);
	pthread_mutex_destroy(&p.lock);
	return r;
}
