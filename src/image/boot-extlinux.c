// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kinds = extlinux: U-Boot's distro boot (and any firmware that reads the
 * extlinux/pxe format) from a filesystem of the image.  U-Boot scans each
 * partition for /extlinux/extlinux.conf and /boot/extlinux/extlinux.conf;
 * this puts into the partition's /boot:
 *
 *	boot/extlinux/extlinux.conf	kernel, fdt, initrd, append
 *	boot/vmlinuz			the build's kernel
 *	boot/initrd.img			the initramfs, if any
 *	boot/dtbs/NAME.dtb		the board's device tree ([kernel] dtbs), if any
 *
 * ext4 is made in one pass, so the files are staged before the parts are
 * written and handed to the part as its overlay (fb_part.overlay), as
 * Buildroot installs the kernel and extlinux.conf into the rootfs before it
 * makes the filesystem image.  The staged files take SOURCE_DATE_EPOCH as
 * their times: the image stays reproducible.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot-fat.h"
#include "core/log.h"
#include "core/util.h"

#define BOOT_DIR  "boot"
#define CONF_PATH BOOT_DIR "/extlinux/extlinux.conf"
#define KERNEL	  BOOT_DIR "/vmlinuz"
#define INITRD	  BOOT_DIR "/initrd.img"
#define DTB_DIR	  BOOT_DIR "/dtbs"

struct extlinux_conf {
	char *partition; /* the [part NAME] whose filesystem gets /boot; default: the first ext4 */
};

static const struct fb_key extlinux_keys[] = {
	{ "extlinux-partition", FB_KEY_STRING, offsetof(struct extlinux_conf, partition) },
	{ NULL, 0, 0 },
};

struct extlinux {
	char *stage; /* the staging directory, the part's overlay */
};

static struct fb_part *find_part(struct fb_boot *bl, const char *partition)
{
	for (size_t i = 0; i < bl->n_parts; i++) {
		struct fb_part *p = &bl->parts[i];

		if (partition ? !strcmp(p->section->kind, "part") &&
					!strcmp(p->section->name, partition)
			      : !strcmp(p->ops->kind, "ext4"))
			return p;
	}
	return NULL;
}

static int extlinux_check(struct fb_boot *bl, const struct fb_image_ctx *ctx)
{
	const struct extlinux_conf *c = bl->conf;
	const struct fb_section *s = bl->section;
	const struct fb_part *p = find_part(bl, c->partition);

	if (!p && c->partition)
		return fb_err("%s:%u: [bootloader] extlinux: no [part %s]", s->file, s->line,
			      c->partition);
	if (!p)
		return fb_err("%s:%u: [bootloader] extlinux needs a [part] with content = ext4",
			      s->file, s->line);
	if (!p->ops->overlay_ok)
		return fb_err("%s:%u: [bootloader] extlinux: [part %s] is %s; /boot goes into an "
			      "ext4",
			      s->file, s->line, p->section->name, p->ops->kind);
	if (!ctx->kernel)
		return fb_err("%s:%u: [bootloader] extlinux needs the build's kernel: a [kernel] "
			      "section and `flashbuild build`",
			      s->file, s->line);
	/* The kernel's own command line has no quoting: a newline would end the APPEND line. */
	if (ctx->cmdline && strchr(ctx->cmdline, '\n'))
		return fb_err("%s:%u: [bootloader] extlinux: the kernel command line has a newline",
			      s->file, s->line);
	return 0;
}

/* DIR/NAME holding a copy of SRC, its directories made. */
static int stage_copy(const char *dir, const char *name, const char *src)
{
	_cleanup_free_ char *path = NULL;
	int r;

	r = fb_boot_stage_path(dir, name, &path);
	if (r >= 0 && (r = fb_copy_file(src, path, 0644)) < 0)
		return fb_err_errno(r, "extlinux: cannot copy '%s' to '%s'", src, path);
	return r;
}

static char *dtb_name(const char *fdt)
{
	const char *base = strrchr(fdt, '/');
	char *name = NULL;

	return asprintf(&name, DTB_DIR "/%s", base ? base + 1 : fdt) < 0 ? NULL : name;
}

/* The one entry U-Boot boots at once: no prompt, so no menu and no wait. */
static int stage_conf(const char *dir, const struct fb_image_ctx *ctx, const char *dtb)
{
	_cleanup_free_ char *text = NULL;

	if (asprintf(&text,
		     "# Made by flashbuild; U-Boot's distro boot reads it (extlinux format).\n"
		     "default linux\n"
		     "label linux\n"
		     "\tkernel /" KERNEL "\n"
		     "%s%s%s"
		     "%s"
		     "\tappend %s\n",
		     dtb ? "\tfdt /" : "", dtb ?: "", dtb ? "\n" : "",
		     ctx->initramfs ? "\tinitrd /" INITRD "\n" : "", ctx->cmdline ?: "") < 0)
		return fb_err_errno(-ENOMEM, "extlinux: cannot write extlinux.conf");
	return fb_boot_stage_text(dir, CONF_PATH, text);
}

/* The board's device tree as boot/dtbs/NAME.dtb; *RET_DTB: that path, NULL without one. */
static int stage_dtb(const char *dir, const struct fb_image_ctx *ctx, char **ret_dtb)
{
	_cleanup_free_ char *name = NULL;
	int r;

	if (!ctx->fdt)
		return 0;
	name = dtb_name(ctx->fdt);
	if (!name)
		return fb_err_errno(-ENOMEM, "extlinux: cannot stage the device tree");
	r = stage_copy(dir, name, ctx->fdt);
	if (r < 0)
		return r;
	*ret_dtb = TAKE_PTR(name);
	return 0;
}

static int extlinux_prepare(struct fb_boot *bl, const struct fb_image_ctx *ctx)
{
	const struct extlinux_conf *c = bl->conf;
	struct fb_part *p = find_part(bl, c->partition);
	_cleanup_free_ char *dtb = NULL;
	struct extlinux *x;
	int r;

	assert(p); /* check() found it */
	if (p->overlay)
		return fb_err("%s:%u: [bootloader] extlinux: another bootloader stages files into "
			      "[part %s] already",
			      bl->section->file, bl->section->line, p->section->name);
	x = calloc(1, sizeof(*x));
	if (!x)
		return fb_err_errno(-ENOMEM, "extlinux: cannot stage its files");
	bl->priv = x;
	r = fb_boot_stage_new(ctx, "extlinux", &x->stage);
	if (r < 0)
		return r;
	/* The overlay's root is the filesystem's: mkdtemp's 0700 must not reach it. */
	if (chmod(x->stage, 0755) < 0)
		return fb_err_errno(-errno, "extlinux: cannot use '%s'", x->stage);
	r = stage_copy(x->stage, KERNEL, ctx->kernel);
	if (r >= 0 && ctx->initramfs)
		r = stage_copy(x->stage, INITRD, ctx->initramfs);
	if (r >= 0)
		r = stage_dtb(x->stage, ctx, &dtb);
	if (r >= 0)
		r = stage_conf(x->stage, ctx, dtb);
	/* Their times: the ext4 writer clamps the staged files' to the epoch. */
	if (r < 0)
		return r;
	p->overlay = x->stage;
	return 0;
}

static void extlinux_done(struct fb_boot *bl)
{
	struct extlinux *x = bl->priv;

	if (!x)
		return;
	if (x->stage)
		fb_rm_rf(x->stage);
	free(x->stage);
	free(x);
	bl->priv = NULL;
}

const struct fb_boot_ops fb_boot_extlinux = {
	.kind = "extlinux",
	.keys = extlinux_keys,
	.conf_size = sizeof(struct extlinux_conf),
	.check = extlinux_check,
	.prepare = extlinux_prepare,
	.done = extlinux_done,
};
