// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kinds = rpi: the Raspberry Pi's own boot, as Debian's raspi-firmware
 * package lays it out in /boot/firmware.  The boot ROM (Pi 3: reading
 * bootcode.bin from the card; Pi 4: its EEPROM) starts the GPU firmware
 * (start.elf / start4.elf with fixup*.dat) from the first FAT partition of
 * the MBR; the firmware reads config.txt, loads the device tree for the
 * model (device_tree=, or its default name), the kernel (kernel=) and the
 * initramfs (initramfs ... followkernel), and starts the kernel with
 * cmdline.txt.  Into the FAT go:
 *
 *	bootcode.bin start*.elf fixup*.dat	every file of rpi-firmware
 *	*.dtb					every one of [kernel] dtbs
 *	vmlinuz initrd.img			the build's kernel and initramfs
 *	config.txt				rpi-config, then kernel= and initramfs
 *	cmdline.txt				[kernel] cmdline, root=PARTUUID= of the root
 *
 * The board's config.txt may not name the kernel, the initramfs or the
 * command line (they are the build's), and the device trees it names must
 * be ones the build took.
 */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot-fat.h"
#include "core/log.h"
#include "core/util.h"
#include "profile/rpi-config.h"

#define CONFIG_TXT  "config.txt"
#define CMDLINE_TXT "cmdline.txt"

/* What each model's firmware starts with: Pi 3 (bootcode.bin, start.elf), Pi 4 (start4.elf). */
static const char *const firmware_files[] = {
	"bootcode.bin", "start.elf", "fixup.dat", "start4.elf", "fixup4.dat",
};

/* The keys the build sets in config.txt: the board's may not. */
static const char *const build_keys[] = { "kernel", "initramfs", "cmdline", "os_prefix" };

struct rpi_conf {
	char *firmware;	 /* the directory of the GPU firmware's files */
	char *config;	 /* the board's config.txt */
	char *partition; /* the [part NAME] of the FAT; default: the first vfat */
	char *root;	 /* the [part NAME] cmdline.txt's root= names; default: the first ext4 */
};

static const struct fb_key rpi_keys[] = {
	{ "rpi-firmware", FB_KEY_STRING, offsetof(struct rpi_conf, firmware) },
	{ "rpi-config", FB_KEY_STRING, offsetof(struct rpi_conf, config) },
	{ "rpi-partition", FB_KEY_STRING, offsetof(struct rpi_conf, partition) },
	{ "rpi-root", FB_KEY_STRING, offsetof(struct rpi_conf, root) },
	{ NULL, 0, 0 },
};

struct rpi {
	char *config_text; /* the board's config.txt, read once */
};

static const struct fb_part *root_part(const struct fb_boot *bl, const char *name)
{
	for (size_t i = 0; i < bl->n_parts; i++) {
		const struct fb_part *p = &bl->parts[i];

		if (p->tp &&
		    (name ? !strcmp(p->section->name, name) : !strcmp(p->ops->kind, "ext4")))
			return p;
	}
	return NULL;
}

/* Where a file of KV's directory would have come from: its package and path, or the directory. */
static int missing(const struct fb_kv *kv, const char *name)
{
	const char *in_pkg = kv->written && kv->origin ? strchr(kv->written + 4, '/') : NULL;

	if (in_pkg)
		return fb_err("%s:%u: %s: package %s has no %s/%s", kv->file, kv->line, kv->key,
			      kv->origin, in_pkg, name);
	return fb_err("%s:%u: %s: '%s' has no %s", kv->file, kv->line, kv->key, kv->value, name);
}

static int check_firmware(const struct fb_boot *bl, const struct rpi_conf *c)
{
	const struct fb_section *s = bl->section;
	const struct fb_kv *kv = fb_section_get(s, "rpi-firmware");

	if (!c->firmware)
		return fb_err("%s:%u: [bootloader] rpi needs rpi-firmware, the directory of the "
			      "Pi's GPU firmware (deb:raspi-firmware@non-free-firmware/usr/lib/"
			      "raspi-firmware)",
			      s->file, s->line);
	for (size_t i = 0; i < ELEMENTSOF(firmware_files); i++) {
		_cleanup_free_ char *p = fb_path_join(c->firmware, firmware_files[i]);

		if (!p)
			return fb_err_errno(-ENOMEM, "rpi: cannot check the firmware");
		if (access(p, R_OK) < 0)
			return missing(kv, firmware_files[i]);
	}
	return 0;
}

/* A device tree the board's config.txt names must be one the build took. */
static int check_dtb(const struct fb_rpi_config *cfg, const struct fb_rpi_setting *st,
		     const struct fb_image_ctx *ctx)
{
	_cleanup_free_ char *p = fb_path_join(ctx->dtb_dir, st->value);

	if (!p)
		return fb_err_errno(-ENOMEM, "rpi: cannot check the device trees");
	if (strchr(st->value, '/') || access(p, R_OK) < 0)
		return fb_err("%s:%u: device_tree=%s is not one of [kernel] dtbs (by its name, "
			      "no directory)",
			      cfg->file, st->line, st->value);
	return 0;
}

static int check_config(const struct rpi_conf *c, const struct fb_image_ctx *ctx, const char *text)
{
	struct fb_rpi_config cfg = { 0 };
	int r;

	r = fb_rpi_config_parse(c->config, text, true, &cfg);
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(build_keys); i++) {
		const struct fb_rpi_setting *st = fb_rpi_config_find(&cfg, build_keys[i]);

		if (st)
			r = fb_err("%s:%u: '%s' is the build's to set (the kernel, initramfs and "
				   "cmdline.txt it makes); take it out",
				   cfg.file, st->line, st->key);
	}
	for (size_t i = 0; r >= 0 && i < cfg.n; i++)
		if (!strcmp(cfg.v[i].key, "device_tree"))
			r = check_dtb(&cfg, &cfg.v[i], ctx);
	fb_rpi_config_done(&cfg);
	return r;
}

static int rpi_check(struct fb_boot *bl, const struct fb_image_ctx *ctx)
{
	const struct rpi_conf *c = bl->conf;
	const struct fb_section *s = bl->section;
	const struct fb_part *root = root_part(bl, c->root);
	struct rpi *x;
	size_t len;
	int r;

	r = fb_boot_fat_check(bl, ctx, "rpi", c->partition);
	if (r >= 0)
		r = check_firmware(bl, c);
	if (r < 0)
		return r;
	if (strcmp(ctx->table->label, "dos"))
		return fb_err("%s: the Pi's firmware reads an MBR ('label: dos'), not %s",
			      ctx->table->layout, ctx->table->label);
	if (!root || !root->tp->uuid)
		return fb_err("%s:%u: [bootloader] rpi: no [part %s] for cmdline.txt's root=",
			      s->file, s->line, c->root ?: "] with content = ext4 [");
	if (!ctx->dtb_dir)
		return fb_err("%s:%u: [bootloader] rpi needs the Pi's device trees: [kernel] dtbs",
			      s->file, s->line);
	if (!c->config)
		return fb_err("%s:%u: [bootloader] rpi needs rpi-config, the board's config.txt",
			      s->file, s->line);
	x = calloc(1, sizeof(*x));
	if (!x)
		return fb_err_errno(-ENOMEM, "rpi: cannot check config.txt");
	bl->priv = x;
	r = fb_read_file(c->config, &x->config_text, &len);
	if (r < 0)
		return fb_err_errno(r, "%s:%u: rpi-config: cannot read '%s'", s->file, s->line,
				    c->config);
	return check_config(c, ctx, x->config_text);
}

/* Every regular file of SRC (by symlink) into DIR's root. */
static int stage_dir_files(const char *dir, const char *src, const char *suffix)
{
	DIR *d = opendir(src);
	struct dirent *e;
	int r = 0;

	if (!d)
		return fb_err_errno(-errno, "rpi: cannot read '%s'", src);
	while (r >= 0 && (e = readdir(d))) {
		_cleanup_free_ char *p = fb_path_join(src, e->d_name);
		size_t n = strlen(e->d_name);
		struct stat st;

		if (!p)
			r = fb_err_errno(-ENOMEM, "rpi: cannot stage '%s'", src);
		else if (e->d_name[0] == '.' || stat(p, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		else if (suffix &&
			 (n < strlen(suffix) || strcmp(e->d_name + n - strlen(suffix), suffix)))
			continue;
		else
			r = fb_boot_stage_link(dir, e->d_name, p);
	}
	closedir(d);
	return r;
}

static int stage_texts(struct fb_boot *bl, const struct fb_image_ctx *ctx, const char *dir)
{
	const struct rpi_conf *c = bl->conf;
	const struct rpi *x = bl->priv;
	const struct fb_part *root = root_part(bl, c->root);
	_cleanup_free_ char *config = NULL, *cmdline = NULL;
	int r;

	assert(root && x); /* rpi_check() found the root and read the config */
	if (asprintf(&config,
		     "# Made by flashbuild from %s; the Raspberry Pi's firmware reads it.\n"
		     "%s%s"
		     "\n# The build's kernel and initramfs (set by flashbuild)\n"
		     "[all]\n"
		     "kernel=" FB_BOOT_KERNEL "\n"
		     "%s",
		     c->config, x->config_text,
		     *x->config_text && x->config_text[strlen(x->config_text) - 1] != '\n' ? "\n"
											   : "",
		     ctx->initramfs ? "initramfs " FB_BOOT_INITRD " followkernel\n" : "") < 0 ||
	    asprintf(&cmdline, "%s%sroot=PARTUUID=%s rootwait\n", ctx->cmdline ?: "",
		     ctx->cmdline && *ctx->cmdline ? " " : "", root->tp->uuid) < 0)
		return fb_err_errno(-ENOMEM, "rpi: cannot write config.txt");
	r = fb_boot_stage_text(dir, CONFIG_TXT, config);
	if (r >= 0)
		r = fb_boot_stage_text(dir, CMDLINE_TXT, cmdline);
	return r;
}

static int rpi_stage(struct fb_boot *bl, const struct fb_image_ctx *ctx, const char *dir)
{
	const struct rpi_conf *c = bl->conf;
	int r;

	r = stage_dir_files(dir, c->firmware, NULL);
	if (r >= 0)
		r = stage_dir_files(dir, ctx->dtb_dir, ".dtb");
	if (r >= 0)
		r = stage_texts(bl, ctx, dir);
	return r;
}

static int rpi_install(struct fb_boot *bl, const struct fb_image_ctx *ctx, int fd _unused_)
{
	const struct rpi_conf *c = bl->conf;

	return fb_boot_fat_install(bl, ctx, "rpi", fb_boot_fat_part(bl, c->partition)->offset,
				   rpi_stage);
}

static void rpi_done(struct fb_boot *bl)
{
	struct rpi *x = bl->priv;

	if (x)
		free(x->config_text);
	free(x);
	bl->priv = NULL;
}

const struct fb_boot_ops fb_boot_rpi = {
	.kind = "rpi",
	.keys = rpi_keys,
	.conf_size = sizeof(struct rpi_conf),
	.check = rpi_check,
	.install = rpi_install,
	.done = rpi_done,
};
