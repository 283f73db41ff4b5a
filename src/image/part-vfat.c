// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * content = vfat: made by mkfs.fat straight at the partition's offset and
 * filled by mtools' mcopy through "IMAGE@@OFFSET": the tools dosfstools and
 * mtools own FAT, so we do not write FAT ourselves.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/ids.h"
#include "core/log.h"
#include "core/spawn.h"
#include "core/util.h"
#include "part.h"

struct vfat_conf {
	char *from;
	char *label;
	char *volume_id;   /* 8 hex digits */
	unsigned fat_size; /* 12, 16 or 32; 0: by the partition's size */
};

static const struct fb_key vfat_keys[] = {
	{ "from", FB_KEY_STRING, offsetof(struct vfat_conf, from) },
	{ "label", FB_KEY_STRING, offsetof(struct vfat_conf, label) },
	{ "volume-id", FB_KEY_STRING, offsetof(struct vfat_conf, volume_id) },
	{ "fat-size", FB_KEY_UINT, offsetof(struct vfat_conf, fat_size) },
	{ NULL, 0, 0 },
};

const char *const *fb_mtools_env(struct fb_mtools_env *e, const struct fb_image_ctx *ctx)
{
	snprintf(e->epoch, sizeof(e->epoch), "SOURCE_DATE_EPOCH=%" PRId64, ctx->timestamp);
	e->env[0] = "MTOOLS_SKIP_CHECK=1";
	e->env[1] = e->epoch;
	e->env[2] = "TZ=UTC";
	e->env[3] = NULL;
	return e->env;
}

static int vfat_setup(struct fb_part *p, const struct fb_image_ctx *ctx)
{
	const struct vfat_conf *c = p->conf;
	const struct fb_section *s = p->section;
	const char *src;
	struct stat st;

	if (c->label && strlen(c->label) > 11)
		return fb_err("%s:%u: %s: label '%s' is longer than 11 characters", s->file,
			      s->line, p->what, c->label);
	if (c->volume_id &&
	    (strlen(c->volume_id) != 8 || strspn(c->volume_id, "0123456789abcdefABCDEF") != 8))
		return fb_err("%s:%u: %s: volume-id '%s' is not 8 hex digits", s->file, s->line,
			      p->what, c->volume_id);
	if (c->fat_size && c->fat_size != 12 && c->fat_size != 16 && c->fat_size != 32)
		return fb_err("%s:%u: %s: fat-size must be 12, 16 or 32", s->file, s->line,
			      p->what);
	if (p->size < 64 * FB_KiB)
		return fb_err("%s: %" PRIu64 " bytes is too small for FAT", p->what, p->size);
	if (!c->from)
		return 0;
	src = fb_part_source(p, ctx, c->from);
	if (!src)
		return fb_err("%s:%u: %s: 'from = rootfs' but no --rootfs was given", s->file,
			      s->line, p->what);
	if (stat(src, &st) < 0)
		return fb_err_errno(-errno, "%s: cannot read '%s'", p->what, src);
	if (!S_ISDIR(st.st_mode))
		return fb_err("%s: '%s' is not a directory (vfat is filled from a directory)",
			      p->what, src);
	return 0;
}

/*
 * mkfs.fat picks the FAT type from the size of the whole file, not of the
 * filesystem it is told to make at an offset: choose it ourselves, as it
 * would for a device of the partition's size.
 */
static unsigned vfat_fat_size(const struct fb_part *p)
{
	const struct vfat_conf *c = p->conf;

	if (c->fat_size)
		return c->fat_size;
	if (p->size >= 512 * FB_MiB)
		return 32;
	return p->size >= 16 * FB_MiB ? 16 : 12;
}

/* The profile's volume-id, else 32 bits derived from the seed and the part's name. */
static int vfat_volume_id(const struct fb_part *p, const struct fb_image_ctx *ctx, char ret[16])
{
	const struct vfat_conf *c = p->conf;
	char purpose[256];
	uint8_t id[16];
	int r;

	if (c->volume_id) {
		snprintf(ret, 16, "%s", c->volume_id);
		return 0;
	}
	snprintf(purpose, sizeof(purpose), "vfat %s volume id", p->section->name);
	r = fb_id_derive(ctx->seed, purpose, id);
	if (r < 0)
		return r;
	snprintf(ret, 16, "%02x%02x%02x%02x", id[0], id[1], id[2], id[3]);
	return 0;
}

static int vfat_mkfs(const struct fb_part *p, const struct fb_image_ctx *ctx)
{
	const struct vfat_conf *c = p->conf;
	char offset[32], hidden[32], kib[32], fat[16], volume_id[16];
	const char *argv[18];
	size_t n = 0;
	int r;

	r = vfat_volume_id(p, ctx, volume_id);
	if (r < 0)
		return r;

	snprintf(offset, sizeof(offset), "--offset=%" PRIu64, p->offset / 512);
	/* Hidden sectors = the partition's start: boot code that reads it needs it. */
	snprintf(hidden, sizeof(hidden), "%" PRIu64, p->offset / 512);
	snprintf(kib, sizeof(kib), "%" PRIu64, p->size / 1024);
	snprintf(fat, sizeof(fat), "%u", vfat_fat_size(p));
	argv[n++] = "mkfs.fat";
	argv[n++] = "-F";
	argv[n++] = fat;
	argv[n++] = offset;
	argv[n++] = "-h";
	argv[n++] = hidden;
	if (c->label) {
		argv[n++] = "-n";
		argv[n++] = c->label;
	}
	/* Fixed times in the boot sector and root; then the volume id (after: it wins). */
	argv[n++] = "--invariant";
	argv[n++] = "-i";
	argv[n++] = volume_id;
	argv[n++] = ctx->image_path;
	argv[n++] = kib;
	argv[n] = NULL;
	return fb_spawn(argv, NULL, p->what);
}

static int skip_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
}

/* mcopy -s of every top-level entry of SRC, in sorted order, into "::/". */
static int vfat_copy(const struct fb_part *p, const struct fb_image_ctx *ctx, char **paths, int n)
{
	static const char *const head[] = {
		"mcopy",
		"-s" /* recursive */,
		"-p" /* attributes */,
		/* no -m: every entry gets the image's timestamp, not the checkout's mtimes */
		"-Q" /* stop at the first error */,
		"-i",
	};
	_cleanup_free_ const char **argv = calloc(ELEMENTSOF(head) + (size_t)n + 3, sizeof(*argv));
	_cleanup_free_ char *target = NULL;
	size_t k = 0;

	if (!argv || asprintf(&target, "%s@@%" PRIu64, ctx->image_path, p->offset) < 0)
		return fb_err_errno(-ENOMEM, "%s: cannot fill the FAT", p->what);
	for (size_t i = 0; i < ELEMENTSOF(head); i++)
		argv[k++] = head[i];
	argv[k++] = target;
	for (int i = 0; i < n; i++)
		argv[k++] = paths[i];
	argv[k++] = "::/";
	struct fb_mtools_env env = { 0 };

	return fb_spawn(argv, fb_mtools_env(&env, ctx), p->what);
}

static int vfat_fill(const struct fb_part *p, const struct fb_image_ctx *ctx, const char *src)
{
	struct dirent **names = NULL;
	char **paths = NULL;
	int n, r = 0;

	n = scandir(src, &names, skip_dots, alphasort);
	if (n < 0)
		return fb_err_errno(-errno, "%s: cannot list '%s'", p->what, src);
	paths = calloc((size_t)n + 1, sizeof(*paths));
	for (int i = 0; paths && i < n; i++)
		if (!(paths[i] = fb_path_join(src, names[i]->d_name)))
			r = -ENOMEM;
	if (!paths || r < 0)
		r = fb_err_errno(-ENOMEM, "%s: cannot fill the FAT from '%s'", p->what, src);
	else if (n > 0)
		r = vfat_copy(p, ctx, paths, n);
	for (int i = 0; i < n; i++) {
		free(names[i]);
		if (paths)
			free(paths[i]);
	}
	free(names);
	free(paths);
	return r;
}

static int vfat_write(struct fb_part *p, const struct fb_image_ctx *ctx, int fd _unused_)
{
	const struct vfat_conf *c = p->conf;
	int r;

	r = vfat_mkfs(p, ctx);
	if (r < 0 || !c->from)
		return r;
	return vfat_fill(p, ctx, fb_part_source(p, ctx, c->from));
}

const struct fb_part_ops fb_part_vfat = {
	.kind = "vfat",
	.keys = vfat_keys,
	.conf_size = sizeof(struct vfat_conf),
	.setup = vfat_setup,
	.write = vfat_write,
};
