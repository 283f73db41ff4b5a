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

#include "boot-fat.h"
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

static int syslinux_check(struct fb_boot *bl, const struct fb_image_ctx *ctx)
{
	const struct syslinux_conf *c = bl->conf;
	const struct fb_section *s = bl->section;
	int r;

	r = fb_boot_fat_check(bl, ctx, "syslinux", c->partition);
	if (r < 0)
		return r;
	/* gptmbr.bin and the legacy BIOS bootable attribute would do for GPT: not yet. */
	if (strcmp(ctx->table->label, "dos"))
		return fb_err(
			"%s:%u: [bootloader] syslinux needs a dos layout ('label: dos' with a "
			"bootable FAT partition), not %s",
			s->file, s->line, ctx->table->label);
	if (access(c->mbr ?: SYSLINUX_MBR, R_OK) < 0)
		return fb_err_errno(-errno, "syslinux: cannot read '%s' (scripts/install-deps)",
				    c->mbr ?: SYSLINUX_MBR);
	return 0;
}

/* syslinux.cfg: straight into the kernel, no menu; the banner on the serial port too. */
static int stage_cfg(const char *dir, const struct fb_image_ctx *ctx)
{
	_cleanup_free_ char *cfg = NULL;

	if (asprintf(&cfg,
		     "SERIAL 0 115200\n"
		     "DEFAULT linux\n"
		     "PROMPT 0\n"
		     "TIMEOUT 0\n"
		     "LABEL linux\n"
		     "\tLINUX /" FB_BOOT_KERNEL "\n"
		     "%s"
		     "\tAPPEND %s\n",
		     ctx->initramfs ? "\tINITRD /" FB_BOOT_INITRD "\n" : "",
		     ctx->cmdline ?: "") < 0)
		return fb_err_errno(-ENOMEM, "syslinux: cannot write syslinux.cfg");
	return fb_boot_stage_text(dir, "syslinux.cfg", cfg);
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

/* The kernel, the initramfs and syslinux.cfg into the FAT's root. */
static int copy_files(const struct fb_image_ctx *ctx, uint64_t offset)
{
	_cleanup_free_ char *dir = NULL;
	int r;

	r = fb_boot_stage_new(ctx, "syslinux", &dir);
	if (r < 0)
		return r;
	r = fb_boot_stage_kernel(dir, ctx);
	if (r >= 0)
		r = stage_cfg(dir, ctx);
	if (r >= 0)
		r = fb_boot_stage_copy(dir, ctx, offset);
	fb_rm_rf(dir);
	return r;
}

static int syslinux_install(struct fb_boot *bl, const struct fb_image_ctx *ctx, int fd)
{
	const struct syslinux_conf *c = bl->conf;
	const struct fb_part *p = fb_boot_fat_part(bl, c->partition);
	struct fb_mtools_env env = { 0 };
	char offset[32];
	int r;

	r = copy_files(ctx, p->offset);
	if (r < 0)
		return r;
	/* Boot sector, ldlinux.sys and ldlinux.c32 of the FAT at that byte offset. */
	snprintf(offset, sizeof(offset), "%" PRIu64, p->offset);
	const char *argv[] = { "syslinux", "--offset", offset, "--install", ctx->image_path, NULL };
	r = fb_spawn(argv, fb_mtools_env(&env, ctx), "syslinux: installing into the FAT");
	if (r < 0)
		return r;
	return install_mbr(c, fd);
}

const struct fb_boot_ops fb_boot_syslinux = {
	.kind = "syslinux",
	.keys = syslinux_keys,
	.conf_size = sizeof(struct syslinux_conf),
	.check = syslinux_check,
	.install = syslinux_install,
};
