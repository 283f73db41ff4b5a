// SPDX-License-Identifier: GPL-2.0-or-later
/* The Pi's firmware step for QEMU's raspi3b (see rpi-boot.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/spawn.h"
#include "core/util.h"
#include "device/probe.h"
#include "profile/rpi-config.h"
#include "rpi-boot.h"

/* What a Raspberry Pi 3 Model B's firmware matches in config.txt besides [all]. */
static const char *const pi3b_filters[] = { "pi3", "board-type=0x8", NULL };

/* The firmware's default names, without and with upstream_kernel=1. */
#define PI3B_KERNEL	  "kernel8.img"
#define PI3B_DTB	  "bcm2710-rpi-3-b.dtb"
#define PI3B_DTB_UPSTREAM "bcm2837-rpi-3-b.dtb"

struct card {
	const char *disk;
	char at[64]; /* "@@OFFSET" for mtools */
	const char *dir;
};

/* ::NAME of the card's FAT as DIR/NAME; *RET that path.  -ENOENT, not logged, when it is not there. */
static int card_read(const struct card *c, const char *name, char **ret)
{
	static const char *const env[] = { "MTOOLS_SKIP_CHECK=1", NULL };
	_cleanup_free_ char *img = NULL, *src = NULL, *dst = fb_path_join(c->dir, name);
	struct fb_spawn_pipe_opts o = { .env = env };
	int r;

	if (!dst || asprintf(&img, "%s%s", c->disk, c->at) < 0 || asprintf(&src, "::%s", name) < 0)
		return fb_err_errno(-ENOMEM, "emulate: cannot read the card");
	if (strchr(name, '/'))
		return -ENOENT; /* the firmware's files are in the FAT's root */
	r = fb_spawn_pipe((const char *const[]){ "mcopy", "-n", "-i", img, src, dst, NULL }, &o);
	if (r > 0)
		return -ENOENT;
	if (r < 0)
		return r;
	*ret = TAKE_PTR(dst);
	return 0;
}

/* The first word of VALUE ("initrd.img followkernel" -> "initrd.img"). */
static char *first_word(const char *value)
{
	return strndup(value, strcspn(value, " \t"));
}

/* KEY's file as the model sees it (or DEF), read from the card into *RET. */
static int read_named(const struct card *c, const struct fb_rpi_config *cfg, const char *key,
		      const char *def, char **ret)
{
	const struct fb_rpi_setting *st = fb_rpi_config_get(cfg, pi3b_filters, key);
	_cleanup_free_ char *name = st ? first_word(st->value) : def ? strdup(def) : NULL;
	int r;

	if (!name)
		return fb_err_errno(-ENOMEM, "emulate: cannot read the card");
	r = card_read(c, name, ret);
	if (r == -ENOENT && st)
		return fb_err("%s:%u: %s names '%s', which the card's FAT does not have", cfg->file,
			      st->line, key, name);
	if (r == -ENOENT)
		return fb_err("%s: no %s= and no '%s' (the firmware's default) on the card's FAT",
			      cfg->file, key, name);
	return r;
}

static int read_cmdline(const struct card *c, const struct fb_rpi_config *cfg, char **ret)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	size_t len;
	int r;

	r = read_named(c, cfg, "cmdline", "cmdline.txt", &path);
	if (r >= 0 && (r = fb_read_file(path, &text, &len)) < 0)
		return fb_err_errno(r, "emulate: cannot read '%s'", path);
	if (r < 0)
		return r;
	text[strcspn(text, "\r\n")] = '\0'; /* the firmware takes the first line */
	*ret = TAKE_PTR(text);
	return 0;
}

/* config.txt as the Pi 3 B sees it: 64-bit, and the files it names. */
static int read_config(const struct card *c, const char *label, struct fb_rpi_boot *rb)
{
	struct fb_rpi_config cfg = { 0 };
	_cleanup_free_ char *path = NULL, *text = NULL;
	const struct fb_rpi_setting *st;
	size_t len;
	int r;

	r = card_read(c, "config.txt", &path);
	if (r == -ENOENT)
		return fb_err("emulate: '%s' has no config.txt in its first FAT partition: not a "
			      "Raspberry Pi card",
			      c->disk);
	if (r >= 0 && (r = fb_read_file(path, &text, &len)) < 0)
		r = fb_err_errno(r, "emulate: cannot read '%s'", path);
	if (r >= 0)
		r = fb_rpi_config_parse(label, text, false, &cfg);
	if (r < 0)
		return r;
	st = fb_rpi_config_get(&cfg, pi3b_filters, "arm_64bit");
	if (!st || strcmp(st->value, "1"))
		r = fb_err("%s: no arm_64bit=1 for a Pi 3: its firmware would start the kernel in "
			   "32-bit mode",
			   label);
	st = fb_rpi_config_get(&cfg, pi3b_filters, "upstream_kernel");
	if (r >= 0)
		r = read_named(c, &cfg, "kernel", PI3B_KERNEL, &rb->kernel);
	if (r >= 0 && fb_rpi_config_get(&cfg, pi3b_filters, "initramfs"))
		r = read_named(c, &cfg, "initramfs", NULL, &rb->initrd);
	if (r >= 0)
		r = read_named(c, &cfg, "device_tree",
			       st && !strcmp(st->value, "1") ? PI3B_DTB_UPSTREAM : PI3B_DTB,
			       &rb->dtb);
	if (r >= 0)
		r = read_cmdline(c, &cfg, &rb->cmdline);
	fb_rpi_config_done(&cfg);
	return r;
}

static int make_dir(char **ret)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = NULL;

	if (asprintf(&dir, "%s/flashbuild-rpi.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
		return fb_err_errno(-ENOMEM, "emulate: cannot read the card");
	if (!mkdtemp(dir)) {
		int r = fb_err_errno(-errno, "emulate: cannot create '%s'", dir);

		free(dir);
		return r;
	}
	*ret = dir;
	return 0;
}

int fb_rpi_boot_prepare(const char *disk, struct fb_rpi_boot *rb)
{
	_cleanup_free_ char *label = NULL;
	struct card c = { .disk = disk };
	uint64_t off, size;
	int r;

	*rb = (struct fb_rpi_boot){ 0 };
	r = fb_probe_first_fs(disk, "vfat", &off, &size);
	if (r == -ENOENT)
		return fb_err("emulate: '%s' has no FAT partition for the Pi's firmware to read",
			      disk);
	if (r < 0)
		return fb_err_errno(r, "emulate: cannot read '%s'", disk);
	snprintf(c.at, sizeof(c.at), "@@%" PRIu64, off);
	if (asprintf(&label, "%s:config.txt", disk) < 0)
		return fb_err_errno(-ENOMEM, "emulate: cannot read the card");
	r = make_dir(&rb->dir);
	if (r < 0)
		return r;
	c.dir = rb->dir;
	r = read_config(&c, label, rb);
	if (r < 0)
		fb_rpi_boot_done(rb);
	return r;
}

void fb_rpi_boot_done(struct fb_rpi_boot *rb)
{
	if (rb->dir)
		fb_rm_rf(rb->dir);
	free(rb->dir);
	free(rb->kernel);
	free(rb->initrd);
	free(rb->dtb);
	free(rb->cmdline);
	*rb = (struct fb_rpi_boot){ 0 };
}
