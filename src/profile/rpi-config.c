// SPDX-License-Identifier: GPL-2.0-or-later
/* config.txt of the Raspberry Pi firmware (see rpi-config.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/util.h"
#include "rpi-config.h"

/* Keys the firmware adds up rather than replaces. */
static const char *const repeatable[] = { "dtoverlay", "dtparam" };

void fb_rpi_config_done(struct fb_rpi_config *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].filter);
		free(c->v[i].key);
		free(c->v[i].value);
	}
	free(c->v);
	free(c->file);
	*c = (struct fb_rpi_config){ 0 };
}

static bool is_repeatable(const char *key)
{
	for (size_t i = 0; i < ELEMENTSOF(repeatable); i++)
		if (!strcmp(key, repeatable[i]))
			return true;
	return false;
}

static char *trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

static int add(struct fb_rpi_config *c, const char *filter, char *key, char *value, unsigned line)
{
	struct fb_rpi_setting *v;

	if (!key || !value || !(v = reallocarray(c->v, c->n + 1, sizeof(*v)))) {
		free(key);
		free(value);
		return -ENOMEM;
	}
	c->v = v;
	v[c->n] = (struct fb_rpi_setting){
		.filter = strdup(filter), .key = key, .value = value, .line = line
	};
	if (!v[c->n++].filter)
		return -ENOMEM;
	return 0;
}

/* A key set again under the same filter: the earlier setting, or NULL. */
static const struct fb_rpi_setting *twice(const struct fb_rpi_config *c)
{
	const struct fb_rpi_setting *last = &c->v[c->n - 1];

	if (is_repeatable(last->key))
		return NULL;
	for (size_t i = 0; i + 1 < c->n; i++)
		if (!strcmp(c->v[i].key, last->key) && !strcmp(c->v[i].filter, last->filter))
			return &c->v[i];
	return NULL;
}

/* "key=value", or "initramfs FILE ..." (the one key the firmware takes with a space). */
static int parse_setting(struct fb_rpi_config *c, const char *filter, const char *s, size_t n,
			 unsigned line, bool strict)
{
	const char *eq = memchr(s, '=', n);
	size_t klen = 0;
	const struct fb_rpi_setting *first;
	int r;

	if (eq)
		klen = (size_t)(eq - s);
	else
		while (klen < n && s[klen] != ' ' && s[klen] != '\t')
			klen++;
	if (!eq && (klen != strlen("initramfs") || strncmp(s, "initramfs", klen) || klen == n))
		return fb_err("%s:%u: not a config.txt setting (key=value): '%.*s'", c->file, line,
			      (int)n, s);
	r = add(c, filter, trimmed(s, klen), trimmed(s + klen + 1, n - klen - 1), line);
	if (r < 0)
		return fb_err_errno(r, "cannot read '%s'", c->file);
	if (!*c->v[c->n - 1].key)
		return fb_err("%s:%u: a setting with no key", c->file, line);
	first = strict ? twice(c) : NULL;
	if (first)
		return fb_err("%s:%u: '%s' is set twice under [%s] (first at line %u)", c->file,
			      line, first->key, first->filter, first->line);
	return 0;
}

static int parse_line(struct fb_rpi_config *c, char **filter, const char *s, size_t n,
		      unsigned line, bool strict)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || s[0] == '#')
		return 0;
	if (s[0] != '[')
		return parse_setting(c, *filter, s, n, line, strict);
	if (s[n - 1] != ']' || n < 3)
		return fb_err("%s:%u: a section is [FILTER]: '%.*s'", c->file, line, (int)n, s);
	free(*filter);
	*filter = trimmed(s + 1, n - 2);
	return *filter ? 0 : fb_err_errno(-ENOMEM, "cannot read '%s'", c->file);
}

int fb_rpi_config_parse(const char *file, const char *text, bool strict, struct fb_rpi_config *ret)
{
	struct fb_rpi_config c = { .file = strdup(file) };
	char *filter = strdup("all");
	unsigned line = 1;
	int r = 0;

	if (!c.file || !filter)
		r = fb_err_errno(-ENOMEM, "cannot read '%s'", file);
	for (const char *s = text; r >= 0 && *s; line++) {
		size_t n = strcspn(s, "\n");

		r = parse_line(&c, &filter, s, n, line, strict);
		s += n + (s[n] == '\n');
	}
	free(filter);
	if (r < 0) {
		fb_rpi_config_done(&c);
		return r;
	}
	*ret = c;
	return 0;
}

static bool applies(const char *filter, const char *const *filters)
{
	if (!strcmp(filter, "all"))
		return true;
	for (; filters && *filters; filters++)
		if (!strcasecmp(filter, *filters))
			return true;
	return false;
}

const struct fb_rpi_setting *fb_rpi_config_get(const struct fb_rpi_config *c,
					       const char *const *filters, const char *key)
{
	const struct fb_rpi_setting *got = NULL;

	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].key, key) && applies(c->v[i].filter, filters))
			got = &c->v[i];
	return got;
}

const struct fb_rpi_setting *fb_rpi_config_find(const struct fb_rpi_config *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].key, key))
			return &c->v[i];
	return NULL;
}
