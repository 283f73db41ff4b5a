// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Raw bytes from a file: "content = raw" fills (part of) a partition;
 * a [raw NAME] section puts a blob at an absolute offset of the image, e.g.
 * a bootloader at 8 KiB in the gap before the first partition.  Neither may
 * touch the partition table or a partition it does not belong to.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "part.h"

#define COPY_BLOCK 4096
#define COPY_CHUNK (256 * COPY_BLOCK)

struct raw_conf {
	char *file;
	uint64_t offset;
	char *partition; /* [raw]: the partition it may lie in */
};

static const struct fb_key part_raw_keys[] = {
	{ "file", FB_KEY_STRING, offsetof(struct raw_conf, file) },
	{ "offset", FB_KEY_SIZE, offsetof(struct raw_conf, offset) },
	{ NULL, 0, 0 },
};

static const struct fb_key blob_keys[] = {
	{ "file", FB_KEY_STRING, offsetof(struct raw_conf, file) },
	{ "offset", FB_KEY_SIZE, offsetof(struct raw_conf, offset) },
	{ "partition", FB_KEY_STRING, offsetof(struct raw_conf, partition) },
	{ NULL, 0, 0 },
};

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* The file's size; narrows the part's range to where the bytes go. */
static int raw_place(struct fb_part *p, uint64_t base, uint64_t room)
{
	const struct raw_conf *c = p->conf;
	const struct fb_section *s = p->section;
	struct stat st;
	char a[32], b[32];

	if (fb_str_empty(c->file))
		return fb_err("%s:%u: %s has no 'file'", s->file, s->line, p->what);
	if (stat(c->file, &st) < 0)
		return fb_err_errno(-errno, "%s: cannot read '%s'", p->what, c->file);
	if (!S_ISREG(st.st_mode))
		return fb_err("%s: '%s' is not a regular file", p->what, c->file);
	if (c->offset > room || (uint64_t)st.st_size > room - c->offset)
		return fb_err("%s: '%s' (%s at offset %" PRIu64 ") does not fit in %s", p->what,
			      c->file, fb_format_size((uint64_t)st.st_size, a, sizeof(a)),
			      c->offset, fb_format_size(room, b, sizeof(b)));
	p->offset = base + c->offset;
	p->size = (uint64_t)st.st_size;
	return 0;
}

static int raw_setup(struct fb_part *p, const struct fb_image_ctx *ctx _unused_)
{
	return raw_place(p, p->offset, p->size);
}

/* The file as the profile names it ("deb:u-boot-sunxi/..."), not the cache path it became. */
static const char *blob_file(const struct fb_part *p)
{
	const struct fb_kv *kv = fb_section_get(p->section, "file");

	return kv && kv->written ? kv->written : ((const struct raw_conf *)p->conf)->file;
}

static int blob_check_table(const struct fb_part *p, const struct fb_table *t)
{
	for (size_t i = 0; i < t->n_reserved; i++)
		if (overlaps(p->offset, p->size, t->reserved[i].start,
			     t->reserved[i].end - t->reserved[i].start))
			return fb_err("%s:%u: %s ('%s', bytes %" PRIu64 "-%" PRIu64
				      ") overlaps the %s partition table (bytes %" PRIu64
				      "-%" PRIu64 ")",
				      p->section->file, p->section->line, p->what, blob_file(p),
				      p->offset, p->offset + p->size - 1, t->label,
				      t->reserved[i].start, t->reserved[i].end - 1);
	return 0;
}

static int blob_check_parts(const struct fb_part *p, const struct fb_table *t)
{
	const struct raw_conf *c = p->conf;

	for (size_t i = 0; i < t->n_parts; i++) {
		const struct fb_table_part *tp = &t->parts[i];

		if (!overlaps(p->offset, p->size, tp->start, tp->size))
			continue;
		if (c->partition && fb_streq_ptr(tp->name, c->partition) &&
		    p->offset >= tp->start && p->offset + p->size <= tp->start + tp->size)
			continue;
		return fb_err("%s:%u: %s ('%s', bytes %" PRIu64 "-%" PRIu64
			      ") overlaps partition %zu%s%s%s (bytes %" PRIu64 "-%" PRIu64 ")",
			      p->section->file, p->section->line, p->what, blob_file(p), p->offset,
			      p->offset + p->size - 1, tp->partno, tp->name ? " ('" : "",
			      tp->name ? tp->name : "", tp->name ? "')" : "", tp->start,
			      tp->start + tp->size - 1);
	}
	return 0;
}

static int blob_setup(struct fb_part *p, const struct fb_image_ctx *ctx)
{
	const struct raw_conf *c = p->conf;
	const struct fb_section *s = p->section;
	int r;

	if (!c->offset)
		return fb_err("%s:%u: %s has no 'offset' (or it is 0, the partition table's "
			      "place)",
			      s->file, s->line, p->what);
	if (c->partition && !fb_table_find_name(ctx->table, c->partition))
		return fb_err("%s:%u: %s: the layout has no partition named '%s'", s->file, s->line,
			      p->what, c->partition);
	r = raw_place(p, 0, ctx->image_size);
	if (r < 0)
		return r;
	r = blob_check_table(p, ctx->table);
	if (r < 0)
		return r;
	return blob_check_parts(p, ctx->table);
}

static bool all_zero(const char *buf, size_t len)
{
	return len == 0 || (buf[0] == 0 && !memcmp(buf, buf + 1, len - 1));
}

/* Copies block by block and leaves all-zero blocks as holes: the image is zero there. */
static int copy_sparse(int in, int out, uint64_t offset, uint64_t size, char *buf)
{
	uint64_t done = 0;

	while (done < size) {
		size_t want = size - done > COPY_CHUNK ? COPY_CHUNK : (size_t)(size - done);
		ssize_t n = pread(in, buf, want, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ENODATA; /* the file shrank under us */
		for (size_t i = 0; i < (size_t)n; i += COPY_BLOCK) {
			size_t len = (size_t)n - i < COPY_BLOCK ? (size_t)n - i : COPY_BLOCK;

			if (all_zero(buf + i, len))
				continue;
			if (pwrite(out, buf + i, len, (off_t)(offset + done + i)) != (ssize_t)len)
				return -EIO;
		}
		done += (uint64_t)n;
	}
	return 0;
}

static int raw_write(struct fb_part *p, const struct fb_image_ctx *ctx _unused_, int fd)
{
	const struct raw_conf *c = p->conf;
	_cleanup_close_ int in = open(c->file, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = malloc(COPY_CHUNK);
	int r;

	if (in < 0)
		return fb_err_errno(-errno, "%s: cannot open '%s'", p->what, c->file);
	if (!buf)
		return fb_err_errno(-ENOMEM, "%s: cannot copy '%s'", p->what, c->file);
	r = copy_sparse(in, fd, p->offset, p->size, buf);
	if (r < 0)
		return fb_err_errno(r, "%s: cannot copy '%s' into the image", p->what, c->file);
	return 0;
}

const struct fb_part_ops fb_part_raw = {
	.kind = "raw",
	.keys = part_raw_keys,
	.conf_size = sizeof(struct raw_conf),
	.setup = raw_setup,
	.write = raw_write,
};

const struct fb_part_ops fb_part_blob = {
	.kind = "raw",
	.keys = blob_keys,
	.conf_size = sizeof(struct raw_conf),
	.setup = blob_setup,
	.write = raw_write,
};
