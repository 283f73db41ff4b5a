// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kinds = grub-efi: UEFI boot from a FAT partition, on a dos or a gpt disk.
 * grub-mkimage makes GRUB for the board's EFI platform (Debian's
 * grub-efi-ARCH-bin: no root, nothing installed on the host) and it goes
 * into the FAT as the removable-media path UEFI firmware looks for,
 * \EFI\BOOT\BOOTX64.EFI on x86_64, with a grub.cfg beside it that starts
 * the same kernel, initramfs and command line as every other bootloader.
 * GRUB's prefix is /EFI/BOOT on the device it was loaded from.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot-fat.h"
#include "efi-grub.h"
#include "core/log.h"
#include "core/spawn.h"
#include "core/strv.h"
#include "core/util.h"

#define GRUB_LIB    "/usr/lib/grub"
#define GRUB_PREFIX "/EFI/BOOT"
/* What grub.cfg needs: its filesystem and table, the menu, linux and initrd. */
#define GRUB_MODULES "fat part_msdos part_gpt normal configfile echo linux boot efi_gop"

struct grub_efi_conf {
	char *partition; /* the [part NAME] with the FAT; default: the first vfat part */
	char *modules;	 /* more GRUB modules to build in */
	char *dir;	 /* the platform's modules; default GRUB_LIB/PLATFORM */
};

static const struct fb_key grub_efi_keys[] = {
	{ "grub-efi-partition", FB_KEY_STRING, offsetof(struct grub_efi_conf, partition) },
	{ "grub-efi-modules", FB_KEY_STRING, offsetof(struct grub_efi_conf, modules) },
	{ "grub-efi-dir", FB_KEY_STRING, offsetof(struct grub_efi_conf, dir) },
	{ NULL, 0, 0 },
};

static int grub_efi_check(struct fb_boot *bl, const struct fb_image_ctx *ctx)
{
	const struct grub_efi_conf *c = bl->conf;
	const struct fb_section *s = bl->section;
	const struct fb_efi_platform *pf = fb_efi_platform_find(ctx->arch);
	_cleanup_free_ char *moddep = NULL;
	int r;

	r = fb_boot_fat_check(bl, ctx, "grub-efi", c->partition);
	if (r < 0)
		return r;
	if (!pf)
		return fb_err("%s:%u: [bootloader] grub-efi: no UEFI platform for arch '%s'",
			      s->file, s->line, ctx->arch ?: "(this machine's)");
	r = fb_grub_cmdline_check(s, "grub-efi", ctx->cmdline);
	if (r < 0)
		return r;
	if (c->dir ? asprintf(&moddep, "%s/moddep.lst", c->dir) < 0
		   : asprintf(&moddep, GRUB_LIB "/%s/moddep.lst", pf->grub) < 0)
		return fb_err_errno(-ENOMEM, "grub-efi: cannot check its modules");
	if (access(moddep, R_OK) < 0 && c->dir)
		return fb_err_errno(-errno, "%s:%u: grub-efi-dir: no GRUB modules in '%s'", s->file,
				    s->line, moddep);
	if (access(moddep, R_OK) < 0)
		return fb_err_errno(-errno,
				    "grub-efi: no GRUB modules in '%s' (%s; scripts/install-deps, "
				    "or grub-efi-dir = deb:%s/usr/lib/grub/%s)",
				    moddep, pf->package, pf->package, pf->grub);
	return 0;
}

/* grub-mkimage: GRUB with its modules and prefix, as DIR/EFI/BOOT/BOOTxx.EFI. */
static int stage_grub(const char *dir, const struct grub_efi_conf *c,
		      const struct fb_efi_platform *pf)
{
	_cleanup_free_ char *efi_dir = fb_path_join(dir, "EFI/BOOT");
	struct fb_strv a = { 0 };
	int r;

	assert(pf); /* grub_efi_check() found the platform */
	if (!efi_dir)
		return fb_err_errno(-ENOMEM, "grub-efi: cannot stage GRUB");
	r = fb_mkdir_p(efi_dir);
	if (r < 0)
		return fb_err_errno(r, "grub-efi: cannot create '%s'", efi_dir);
	fb_strv_push(&a, "grub-mkimage");
	fb_strv_push(&a, "-O");
	fb_strv_push(&a, pf->grub);
	fb_strv_push(&a, "-p");
	fb_strv_push(&a, GRUB_PREFIX);
	if (c->dir) {
		fb_strv_push(&a, "-d");
		fb_strv_push(&a, c->dir);
	}
	fb_strv_push(&a, "-o");
	fb_strv_pushf(&a, "%s/%s", efi_dir, pf->loader);
	fb_strv_push_words(&a, GRUB_MODULES);
	if (c->modules)
		fb_strv_push_words(&a, c->modules);
	if (!a.v || a.v[a.n])
		r = fb_err_errno(-ENOMEM, "grub-efi: cannot run grub-mkimage");
	else
		r = fb_spawn((const char *const *)a.v, NULL, "grub-efi: grub-mkimage");
	fb_strv_free(&a);
	return r;
}

static int grub_efi_stage(struct fb_boot *bl, const struct fb_image_ctx *ctx, const char *dir)
{
	_cleanup_free_ char *cfg = fb_grub_cfg_text(ctx, NULL);
	int r;

	if (!cfg)
		return fb_err_errno(-ENOMEM, "grub-efi: cannot write grub.cfg");
	r = stage_grub(dir, bl->conf, fb_efi_platform_find(ctx->arch));
	if (r >= 0)
		r = fb_boot_stage_text(dir, "EFI/BOOT/grub.cfg", cfg);
	return r;
}

static int grub_efi_install(struct fb_boot *bl, const struct fb_image_ctx *ctx, int fd _unused_)
{
	const struct grub_efi_conf *c = bl->conf;

	return fb_boot_fat_install(bl, ctx, "grub-efi", fb_boot_fat_part(bl, c->partition)->offset,
				   grub_efi_stage);
}

const struct fb_boot_ops fb_boot_grub_efi = {
	.kind = "grub-efi",
	.keys = grub_efi_keys,
	.conf_size = sizeof(struct grub_efi_conf),
	.check = grub_efi_check,
	.install = grub_efi_install,
};
