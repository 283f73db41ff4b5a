// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kinds = syslinux: BIOS boot from a FAT partition of a dos-labelled disk.
 * The kernel, the initramfs and a syslinux.cfg go into the FAT with mtools,
 * Syslinux's own installer (the mtools flavour: no mount, no root) writes
 * ldlinux.sys and ldlinux.c32 and patches the FAT's boot sector, and
 * Syslinux's mbr.bin becomes the MBR's boot code: it chains to the
 * partition marked bootable in the layout.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "core/log.h"
#include "core/spawn.h"
#include "core/util.h"

#define SYSLINUX_MBR "/usr/lib/syslinux/mbr/mbr.bin"
/* The MBR's boot code ends where the disk signature and the table begin. */
#define MBR_CODE_SIZE 440

struct syslinux_conf {
	char *partition; /* the [part NAME] with the FAT; default: the first vfat part */
	char *mbr;	 /* boot code for the MBR */
};

static const struct fb_key syslinux_keys[] = {
	{ "syslinux-partition", FB_KEY_STRING, offsetof(struct syslinux_conf, partition) },
	{ "syslinux-mbr", FB_KEY_STRING, offsetof(struct syslinux_conf, mbr) },
	{ NULL, 0, 0 },
};

static const char *const mtools_env[] = {
	"MTOOLS_SKIP_CHECK=1", /* see part-vfat.c */
	NULL,
};

static const struct fb_part *syslinux_part(const struct fb_boot *bl)
{
	const struct syslinux_conf *c = bl->conf;

	for (size_t i = 0; i < bl->n_parts; i++) {
		const struct fb_part *p = &bl->parts[i];

		if (c->partition ? !strcmp(p->section->name, c->partition)
				 : !strcmp(p->ops->kind, "vfat"))
			return p;
	}
	return NULL;
}

static int syslinux_check(struct fb_boot *bl, const struct fb_image_ctx *ctx)
{
	const struct syslinux_conf *c = bl->conf;
	const struct fb_section *s = bl->section;
	const struct fb_part *p = syslinux_part(bl);

	if (!p && c->partition)
		return fb_err("%s:%u: [bootloader] syslinux: no [part %s]", s->file, s->line,
			      c->partition);
	if (!p)
		return fb_err("%s:%u: [bootloader] syslinux needs a [part] with content = vfat",
			      s->file, s->line);
	if (strcmp(p->ops->kind, "vfat"))
		return fb_err("%s:%u: [bootloader] syslinux: [part %s] is %s, not vfat", s->file,
			      s->line, p->section->name, p->ops->kind);
	/* gptmbr.bin and the legacy BIOS bootable attribute would do for GPT: not yet. */
	if (strcmp(ctx->table->label, "dos"))
		return fb_err(
			"%s:%u: [bootloader] syslinux needs a dos layout ('label: dos' with a "
			"bootable FAT partition), not %s",
			s->file, s->line, ctx->table->label);
	/* `flashbuild image` is the image step alone: only `flashbuild build` has a kernel. */
	if (!ctx->kernel)
		return fb_err("%s:%u: [bootloader] syslinux needs the build's kernel: a [kernel] "
			      "section and `flashbuild build`",
			      s->file, s->line);
	if (access(c->mbr ?: SYSLINUX_MBR, R_OK) < 0)
		return fb_err_errno(-errno, "syslinux: cannot read '%s' (scripts/install-deps)",
				    c->mbr ?: SYSLINUX_MBR);
	return 0;
}

/* mcopy SRC to "::/NAME" of the FAT at OFFSET of the image. */
static int fat_put(const struct fb_image_ctx *ctx, uint64_t offset, const char *src,
		   const char *name)
{
	_cleanup_free_ char *target = NULL, *dest = NULL;

	if (asprintf(&target, "%s@@%" PRIu64, ctx->image_path, offset) < 0 ||
	    asprintf(&dest, "::/%s", name) < 0)
		return fb_err_errno(-ENOMEM, "syslinux: cannot copy '%s'", src);
	const char *argv[] = { "mcopy", "-o", "-i", target, src, dest, NULL };
	return fb_spawn(argv, mtools_env, "syslinux: copying into the FAT");
}

/* syslinux.cfg: straight into the kernel, no menu; the banner on the serial port too. */
static int write_cfg(const struct fb_image_ctx *ctx, uint64_t offset)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -EBADF;
	int r;

	if (asprintf(&path, "%s.syslinux.cfg", ctx->image_path) < 0)
		return fb_err_errno(-ENOMEM, "syslinux: cannot write syslinux.cfg");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fb_err_errno(-errno, "syslinux: cannot create '%s'", path);
	if (dprintf(fd,
		    "SERIAL 0 115200\n"
		    "DEFAULT linux\n"
		    "PROMPT 0\n"
		    "TIMEOUT 0\n"
		    "LABEL linux\n"
		    "\tLINUX /vmlinuz\n"
		    "%s"
		    "\tAPPEND %s\n",
		    ctx->initramfs ? "\tINITRD /initrd.img\n" : "", ctx->cmdline ?: "") < 0 ||
	    close(TAKE_FD(fd)) < 0)
		r = fb_err_errno(-errno, "syslinux: cannot write '%s'", path);
	else
		r = fat_put(ctx, offset, path, "syslinux.cfg");
	unlink(path);
	return r;
}

static int install_mbr(const struct syslinux_conf *c, int fd)
{
	const char *path = c->mbr ?: SYSLINUX_MBR;
	_cleanup_close_ int in = open(path, O_RDONLY | O_CLOEXEC);
	char code[MBR_CODE_SIZE];
	ssize_t n;

	if (in < 0)
		return fb_err_errno(-errno, "syslinux: cannot open '%s'", path);
	n = read(in, code, sizeof(code));
	if (n < 0)
		return fb_err_errno(-errno, "syslinux: cannot read '%s'", path);
	if (n == 0)
		return fb_err("syslinux: '%s' is empty", path);
	/* Only the boot code: the disk signature and the table are libfdisk's. */
	if (pwrite(fd, code, (size_t)n, 0) != n)
		return fb_err_errno(-EIO, "syslinux: cannot write the MBR boot code");
	return 0;
}

static int syslinux_install(struct fb_boot *bl, const struct fb_image_ctx *ctx, int fd)
{
	const struct fb_part *p = syslinux_part(bl);
	char offset[32];
	int r;

	r = fat_put(ctx, p->offset, ctx->kernel, "vmlinuz");
	if (r >= 0 && ctx->initramfs)
		r = fat_put(ctx, p->offset, ctx->initramfs, "initrd.img");
	if (r >= 0)
		r = write_cfg(ctx, p->offset);
	if (r < 0)
		return r;
	/* Boot sector, ldlinux.sys and ldlinux.c32 of the FAT at that byte offset. */
	snprintf(offset, sizeof(offset), "%" PRIu64, p->offset);
	const char *argv[] = { "syslinux", "--offset", offset, "--install", ctx->image_path, NULL };
	r = fb_spawn(argv, mtools_env, "syslinux: installing into the FAT");
	if (r < 0)
		return r;
	return install_mbr(bl->conf, fd);
}

const struct fb_boot_ops fb_boot_syslinux = {
	.kind = "syslinux",
	.keys = syslinux_keys,
	.conf_size = sizeof(struct syslinux_conf),
	.check = syslinux_check,
	.install = syslinux_install,
};
