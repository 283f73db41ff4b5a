/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Raspberry Pi firmware's config.txt, read as the firmware reads it:
 * lines "key=value" (and "initramfs FILE followkernel", a key and its
 * words), '#' comments, under conditional sections ([all], [pi3], [pi4],
 * [board-type=0x11], [none], ...) that apply to the models they name, a
 * later setting of a key winning over an earlier one.  A board's own file
 * is checked (a key set twice where both apply to the same models is a
 * mistake, named by file:line), and the one on an image is acted on as a
 * model's firmware would (emulate).  dtoverlay= and dtparam= add up: they
 * may repeat.
 */
#ifndef FB_PROFILE_RPI_CONFIG_H
#define FB_PROFILE_RPI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct fb_rpi_setting {
	char *filter; /* the section it is under: "all", "pi3", "board-type=0x8" */
	char *key, *value;
	unsigned line;
};

struct fb_rpi_config {
	char *file; /* for messages */
	struct fb_rpi_setting *v;
	size_t n;
};

/*
 * Reads TEXT, config.txt as FILE holds it.  A line that is neither a
 * setting nor a section, or (STRICT: a board's own file) a key set twice
 * under one filter: logged with FILE:LINE, -EINVAL.
 */
int fb_rpi_config_parse(const char *file, const char *text, bool strict, struct fb_rpi_config *ret);
void fb_rpi_config_done(struct fb_rpi_config *c);

/*
 * What a model whose filters are FILTERS (NULL-terminated: "pi3",
 * "board-type=0x8"; "all" always applies) gets for KEY: the last setting
 * that applies, or NULL.
 */
const struct fb_rpi_setting *fb_rpi_config_get(const struct fb_rpi_config *c,
					       const char *const *filters, const char *key);

/* The first setting of KEY under any filter, or NULL: what a board may not set itself. */
const struct fb_rpi_setting *fb_rpi_config_find(const struct fb_rpi_config *c, const char *key);

#endif
