// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * content = ext4: made and filled in place at the partition's offset by
 * ext4.c (libext2fs), from a directory or an archive (entries.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/ids.h"
#include "core/log.h"
#include "core/util.h"
#include "entries.h"
#include "ext4.h"
#include "part.h"

struct ext4_conf {
	char *from;
	char *label;
	struct fb_uuid uuid;
	struct fb_uuid hash_seed;
	double reserved;
	bool reserved_set;
	bool keep_owners;
};

static const struct fb_key ext4_keys[] = {
	{ "from", FB_KEY_STRING, offsetof(struct ext4_conf, from) },
	{ "label", FB_KEY_STRING, offsetof(struct ext4_conf, label) },
	{ "uuid", FB_KEY_UUID, offsetof(struct ext4_conf, uuid) },
	{ "hash-seed", FB_KEY_UUID, offsetof(struct ext4_conf, hash_seed) },
	{ "reserved", FB_KEY_PERCENT, offsetof(struct ext4_conf, reserved) },
	{ "keep-owners", FB_KEY_BOOL, offsetof(struct ext4_conf, keep_owners) },
	{ NULL, 0, 0 },
};

static int ext4_setup(struct fb_part *p, const struct fb_image_ctx *ctx)
{
	struct ext4_conf *c = p->conf;
	const struct fb_section *s = p->section;
	const struct fb_kv *kv;
	const char *src;
	struct stat st;

	if (c->label && strlen(c->label) > 16)
		return fb_err("%s:%u: %s: label '%s' is longer than 16 bytes", s->file, s->line,
			      p->what, c->label);
	kv = fb_section_get(s, "reserved");
	c->reserved_set = kv != NULL;
	if (!c->from)
		return 0;
	src = fb_part_source(p, ctx, c->from);
	if (!src)
		return fb_err("%s:%u: %s: 'from = rootfs' but no --rootfs was given",
			      fb_section_get(s, "from")->file, fb_section_get(s, "from")->line,
			      p->what);
	if (stat(src, &st) < 0)
		return fb_err_errno(-errno, "%s: cannot read '%s'", p->what, src);
	return 0;
}

/* The profile's UUID, else one derived from the image's seed and the part's name. */
static int ext4_id(const struct fb_part *p, const struct fb_image_ctx *ctx,
		   const struct fb_uuid *given, const char *what, uint8_t ret[16])
{
	char purpose[256];

	if (given->set) {
		memcpy(ret, given->bytes, 16);
		return 0;
	}
	snprintf(purpose, sizeof(purpose), "ext4 %s %s", p->section->name, what);
	return fb_id_uuid(ctx->seed, purpose, ret);
}

static int ext4_write(struct fb_part *p, const struct fb_image_ctx *ctx, int fd _unused_)
{
	const struct ext4_conf *c = p->conf;
	struct fb_entries_opts eo = { .keep_owners = c->keep_owners, .clamp_time = ctx->timestamp };
	uint8_t uuid[16], hash_seed[16];
	struct fb_ext4_opts o = {
		.label = c->label,
		.uuid = uuid,
		.hash_seed = hash_seed,
		.reserved_percent = c->reserved_set ? c->reserved : 5.0,
		.timestamp = ctx->timestamp,
	};
	struct fb_entries_opts staged = { .clamp_time = ctx->timestamp };
	struct fb_entries *src = NULL;
	int r;

	r = ext4_id(p, ctx, &c->uuid, "uuid", uuid);
	if (r >= 0)
		r = ext4_id(p, ctx, &c->hash_seed, "hash seed", hash_seed);
	if (r >= 0 && c->from)
		r = fb_entries_open(fb_part_source(p, ctx, c->from), &eo, &src);
	/* A bootloader's staged files (extlinux: /boot); their owners are root's. */
	if (r >= 0 && p->overlay)
		r = fb_entries_open(p->overlay, &staged, &o.overlay);
	if (r >= 0)
		r = fb_ext4_write(ctx->image_path, p->offset, p->size, p->what, &o, src);
	fb_entries_free(o.overlay);
	fb_entries_free(src);
	return r;
}

const struct fb_part_ops fb_part_ext4 = {
	.kind = "ext4",
	.keys = ext4_keys,
	.conf_size = sizeof(struct ext4_conf),
	.overlay_ok = true,
	.setup = ext4_setup,
	.write = ext4_write,
};
