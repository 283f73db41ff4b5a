// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot-fat.h"
#include "core/log.h"
#include "core/spawn.h"
#include "core/strv.h"
#include "core/util.h"

const struct fb_part *fb_boot_fat_part(const struct fb_boot *bl, const char *partition)
{
	for (size_t i = 0; i < bl->n_parts; i++) {
		const struct fb_part *p = &bl->parts[i];

		if (partition ? !strcmp(p->section->name, partition)
			      : !strcmp(p->ops->kind, "vfat"))
			return p;
	}
	return NULL;
}

int fb_boot_fat_check(const struct fb_boot *bl, const struct fb_image_ctx *ctx, const char *who,
		      const char *partition)
{
	const struct fb_section *s = bl->section;
	const struct fb_part *p = fb_boot_fat_part(bl, partition);

	if (!p && partition)
		return fb_err("%s:%u: [bootloader] %s: no [part %s]", s->file, s->line, who,
			      partition);
	if (!p)
		return fb_err("%s:%u: [bootloader] %s needs a [part] with content = vfat", s->file,
			      s->line, who);
	if (strcmp(p->ops->kind, "vfat"))
		return fb_err("%s:%u: [bootloader] %s: [part %s] is %s, not vfat", s->file, s->line,
			      who, p->section->name, p->ops->kind);
	/* `flashbuild image` is the image step alone: only `flashbuild build` has a kernel. */
	if (!ctx->kernel)
		return fb_err("%s:%u: [bootloader] %s needs the build's kernel: a [kernel] "
			      "section and `flashbuild build`",
			      s->file, s->line, who);
	return 0;
}

int fb_boot_stage_new(const struct fb_image_ctx *ctx, const char *who, char **ret_dir)
{
	char *dir = NULL;

	if (asprintf(&dir, "%s.%s.XXXXXX", ctx->image_path, who) < 0)
		return fb_err_errno(-ENOMEM, "%s: cannot stage its files", who);
	if (!mkdtemp(dir)) {
		int r = fb_err_errno(-errno, "%s: cannot create '%s'", who, dir);

		free(dir);
		return r;
	}
	*ret_dir = dir;
	return 0;
}

int fb_boot_stage_path(const char *dir, const char *name, char **ret)
{
	_cleanup_free_ char *path = fb_path_join(dir, name);
	char *slash;
	int r;

	if (!path)
		return fb_err_errno(-ENOMEM, "cannot stage '%s'", name);
	slash = strrchr(path, '/');
	*slash = '\0';
	r = fb_mkdir_p(path);
	if (r < 0)
		return fb_err_errno(r, "cannot create '%s'", path);
	*slash = '/';
	*ret = TAKE_PTR(path);
	return 0;
}

int fb_boot_stage_text(const char *dir, const char *name, const char *text)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -EBADF;
	size_t len = strlen(text);
	int r;

	r = fb_boot_stage_path(dir, name, &path);
	if (r < 0)
		return r;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fb_err_errno(-errno, "cannot create '%s'", path);
	if (write(fd, text, len) != (ssize_t)len || close(TAKE_FD(fd)) < 0)
		return fb_err_errno(-EIO, "cannot write '%s'", path);
	return 0;
}

int fb_boot_stage_link(const char *dir, const char *name, const char *src)
{
	_cleanup_free_ char *path = NULL, *abs = realpath(src, NULL);
	int r;

	if (!abs)
		return fb_err_errno(-errno, "cannot find '%s'", src);
	r = fb_boot_stage_path(dir, name, &path);
	if (r >= 0 && symlink(abs, path) < 0)
		r = fb_err_errno(-errno, "cannot stage '%s'", src);
	return r;
}

int fb_boot_stage_kernel(const char *dir, const struct fb_image_ctx *ctx)
{
	int r = fb_boot_stage_link(dir, FB_BOOT_KERNEL, ctx->kernel);

	if (r >= 0 && ctx->initramfs)
		r = fb_boot_stage_link(dir, FB_BOOT_INITRD, ctx->initramfs);
	return r;
}

/* "mcopy -s -o -i IMAGE@@OFFSET DIR/A DIR/B ... ::/" */
static int copy_argv(const char *dir, const struct fb_image_ctx *ctx, uint64_t offset,
		     struct fb_strv *a)
{
	_cleanup_(closedirp) DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return fb_err_errno(-errno, "cannot read '%s'", dir);
	fb_strv_push(a, "mcopy");
	fb_strv_push(a, "-s");
	fb_strv_push(a, "-o");
	fb_strv_push(a, "-i");
	fb_strv_pushf(a, "%s@@%" PRIu64, ctx->image_path, offset);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			fb_strv_pushf(a, "%s/%s", dir, de->d_name);
	fb_strv_push(a, "::/");
	return a->v && a->v[a->n] == NULL ? 0 : fb_err_errno(-ENOMEM, "cannot copy '%s'", dir);
}

int fb_boot_stage_copy(const char *dir, const struct fb_image_ctx *ctx, uint64_t offset)
{
	struct fb_mtools_env env = { 0 };
	struct fb_strv a = { 0 };
	int r;

	r = copy_argv(dir, ctx, offset, &a);
	if (r >= 0)
		r = fb_spawn((const char *const *)a.v, fb_mtools_env(&env, ctx),
			     "copying the boot files into the FAT");
	fb_strv_free(&a);
	return r;
}

int fb_boot_fat_install(struct fb_boot *bl, const struct fb_image_ctx *ctx, const char *who,
			uint64_t offset, fb_boot_stage_fn stage)
{
	_cleanup_free_ char *dir = NULL;
	int r;

	r = fb_boot_stage_new(ctx, who, &dir);
	if (r < 0)
		return r;
	r = stage(bl, ctx, dir);
	if (r >= 0)
		r = fb_boot_stage_kernel(dir, ctx);
	if (r >= 0)
		r = fb_boot_stage_copy(dir, ctx, offset);
	fb_rm_rf(dir);
	return r;
}
