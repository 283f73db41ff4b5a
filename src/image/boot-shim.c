// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kinds = shim: UEFI Secure Boot the way Debian boots, from a FAT
 * partition.  Firmware that trusts Microsoft's UEFI CA (PCs as they come)
 * starts shim as \EFI\BOOT\BOOTX64.EFI; shim starts the GRUB beside it
 * (grubx64.efi), checked against the distribution's key built into shim,
 * or the firmware's db, or a key the user enrolled with MokManager
 * (mmx64.efi, beside it too); that GRUB finds grub.cfg under the prefix
 * built into it (Debian's: /EFI/debian) and asks shim to check the kernel
 * before starting it.  All three come from the profile as files, signed
 * Debian packages as a rule:
 *
 *	shim = deb:shim-signed/usr/lib/shim/shimx64.efi.signed
 *	shim-grub = deb:grub-efi-amd64-signed/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed
 *	shim-mokmanager = deb:shim-helpers-amd64-signed/usr/lib/shim/mmx64.efi.signed
 *
 * With the board's own key ([bootloader] sign-key), the kernel is signed
 * by it (image.c), shim gets the key's signature beside Microsoft's (for
 * firmware that trusts that key instead), the certificate goes into the
 * FAT in DER for MokManager, and grub.cfg falls back to MokManager when
 * the kernel is refused: a PC that does not know the key yet offers to
 * enroll it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot-fat.h"
#include "core/log.h"
#include "core/util.h"
#include "efi-grub.h"
#include "sign.h"

#define SHIM_DIR "EFI/BOOT"
/* MokManager's "Enroll key from disk" lists the FAT: the name says what to pick. */
#define SHIM_CERT "ENROLL_THIS_KEY_IN_MOKMANAGER.cer"

struct shim_conf {
	char *partition;  /* the [part NAME] with the FAT; default: the first vfat part */
	char *shim;	  /* shimSUFFIX.efi, signed */
	char *grub;	  /* the GRUB shim starts, signed, with its modules built in */
	char *mokmanager; /* mmSUFFIX.efi, or NULL */
};

static const struct fb_key shim_keys[] = {
	{ "shim-partition", FB_KEY_STRING, offsetof(struct shim_conf, partition) },
	{ "shim", FB_KEY_STRING, offsetof(struct shim_conf, shim) },
	{ "shim-grub", FB_KEY_STRING, offsetof(struct shim_conf, grub) },
	{ "shim-mokmanager", FB_KEY_STRING, offsetof(struct shim_conf, mokmanager) },
	{ NULL, 0, 0 },
};

struct shim_priv {
	char *prefix; /* shim-grub's: where its grub.cfg goes */
};

static int need_file(const struct fb_section *s, const char *key, const char *path)
{
	if (!path)
		return fb_err("%s:%u: [bootloader] shim needs '%s' (a signed EFI program)", s->file,
			      s->line, key);
	if (access(path, R_OK) < 0)
		return fb_err_errno(-errno, "%s:%u: [bootloader] %s: cannot read '%s'", s->file,
				    s->line, key, path);
	return 0;
}

static int shim_check(struct fb_boot *bl, const struct fb_image_ctx *ctx)
{
	const struct shim_conf *c = bl->conf;
	const struct fb_section *s = bl->section;
	struct shim_priv *p;
	int r;

	r = fb_boot_fat_check(bl, ctx, "shim", c->partition);
	if (r >= 0 && !fb_efi_platform_find(ctx->arch))
		r = fb_err("%s:%u: [bootloader] shim: no UEFI platform for arch '%s'", s->file,
			   s->line, ctx->arch ?: "(this machine's)");
	if (r >= 0)
		r = fb_grub_cmdline_check(s, "shim", ctx->cmdline);
	if (r >= 0)
		r = need_file(s, "shim", c->shim);
	if (r >= 0)
		r = need_file(s, "shim-grub", c->grub);
	if (r >= 0 && c->mokmanager)
		r = need_file(s, "shim-mokmanager", c->mokmanager);
	if (r < 0)
		return r;
	p = calloc(1, sizeof(*p));
	if (!p)
		return fb_err_errno(-ENOMEM, "shim: cannot check its files");
	bl->priv = p;
	r = fb_grub_image_prefix(c->grub, &p->prefix);
	if (r == -ENOENT)
		return fb_err("%s:%u: [bootloader] shim-grub: '%s' has no prefix built in: "
			      "where would it look for grub.cfg?",
			      s->file, s->line, c->grub);
	return r;
}

/* DIR/NAME: a copy of SRC, with the own key's signature added when there is one. */
static int stage_program(const char *dir, const char *name, const char *src,
			 const struct fb_signer *sg)
{
	_cleanup_free_ char *path = NULL;
	int r = fb_boot_stage_path(dir, name, &path);

	if (r < 0)
		return r;
	if (sg)
		return fb_sign_pe(sg, src, path, name);
	r = fb_copy_file(src, path, 0644);
	if (r < 0)
		return fb_err_errno(r, "shim: cannot stage '%s'", src);
	return 0;
}

static int stage_cert(const char *dir, const struct fb_signer *sg)
{
	_cleanup_free_ char *path = NULL;
	int r = fb_boot_stage_path(dir, SHIM_DIR "/" SHIM_CERT, &path);

	return r < 0 ? r : fb_sign_cert_der(sg, path);
}

static int stage_shim(const char *dir, const struct shim_conf *c, const struct fb_image_ctx *ctx)
{
	const struct fb_efi_platform *pf = fb_efi_platform_find(ctx->arch);
	_cleanup_free_ char *grub = NULL, *mm = NULL, *loader = NULL;
	int r;

	if (asprintf(&loader, SHIM_DIR "/%s", pf->loader) < 0 ||
	    asprintf(&grub, SHIM_DIR "/grub%s.efi", pf->suffix) < 0 ||
	    asprintf(&mm, SHIM_DIR "/mm%s.efi", pf->suffix) < 0)
		return fb_err_errno(-ENOMEM, "shim: cannot stage its files");
	r = stage_program(dir, loader, c->shim, ctx->signer);
	if (r >= 0)
		r = stage_program(dir, grub, c->grub, NULL);
	if (r >= 0 && c->mokmanager)
		r = stage_program(dir, mm, c->mokmanager, NULL);
	if (r >= 0 && ctx->signer)
		r = stage_cert(dir, ctx->signer);
	return r;
}

static int shim_stage(struct fb_boot *bl, const struct fb_image_ctx *ctx, const char *dir)
{
	const struct shim_conf *c = bl->conf;
	const struct shim_priv *p = bl->priv;
	const struct fb_efi_platform *pf = fb_efi_platform_find(ctx->arch);
	_cleanup_free_ char *cfg = NULL, *cfg_path = NULL, *mm = NULL;
	int r;

	if ((c->mokmanager && ctx->signer &&
	     asprintf(&mm, "/" SHIM_DIR "/mm%s.efi", pf->suffix) < 0) ||
	    asprintf(&cfg_path, "%s/grub.cfg", p->prefix + strspn(p->prefix, "/")) < 0 ||
	    !(cfg = fb_grub_cfg_text(ctx, mm)))
		return fb_err_errno(-ENOMEM, "shim: cannot write grub.cfg");
	r = stage_shim(dir, c, ctx);
	if (r >= 0)
		r = fb_boot_stage_text(dir, cfg_path, cfg);
	return r;
}

static int shim_install(struct fb_boot *bl, const struct fb_image_ctx *ctx, int fd _unused_)
{
	const struct shim_conf *c = bl->conf;

	return fb_boot_fat_install(bl, ctx, "shim", fb_boot_fat_part(bl, c->partition)->offset,
				   shim_stage);
}

static void shim_done(struct fb_boot *bl)
{
	struct shim_priv *p = bl->priv;

	if (p)
		free(p->prefix);
	free(p);
	bl->priv = NULL;
}

const struct fb_boot_ops fb_boot_shim = {
	.kind = "shim",
	.keys = shim_keys,
	.conf_size = sizeof(struct shim_conf),
	.checks_signatures = true,
	.check = shim_check,
	.install = shim_install,
	.done = shim_done,
};
