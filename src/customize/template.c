// SPDX-License-Identifier: GPL-2.0-or-later
/* {var}s of a per-card template (see template.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "template.h"

#define VAR_NAMES "n, serial, date"

/* The value of the var NAME (LEN bytes) into F; -ENOENT unknown, -ENODATA no value here. */
static int put_var(FILE *f, const char *name, size_t len, const struct fb_template_vars *v)
{
	if (len == 1 && name[0] == 'n') {
		if (!v->n)
			return -ENODATA;
		fprintf(f, "%lu", v->n);
	} else if (len == 6 && !strncmp(name, "serial", 6)) {
		if (!v->serial || !*v->serial)
			return -ENODATA;
		fputs(v->serial, f);
	} else if (len == 4 && !strncmp(name, "date", 4)) {
		fputs(v->date ? v->date : "", f);
	} else {
		return -ENOENT;
	}
	return 0;
}

static int expand(const char *what, const char *t, const struct fb_template_vars *v, FILE *f)
{
	for (const char *p = t; *p; p++) {
		const char *end;
		int r;

		if (*p != '{') {
			fputc(*p, f);
			continue;
		}
		end = strchr(p, '}');
		if (!end)
			return fb_err_code(-EINVAL, "%s: '%s' has a '{' with no '}'", what, t);
		r = put_var(f, p + 1, (size_t)(end - p - 1), v);
		if (r == -ENOENT)
			return fb_err_code(-EINVAL,
					   "%s: '%s': unknown {%.*s} (one of " VAR_NAMES ")", what,
					   t, (int)(end - p - 1), p + 1);
		if (r == -ENODATA)
			return fb_err_code(-EINVAL, "%s: '%s': {%.*s} has no value here%s", what, t,
					   (int)(end - p - 1), p + 1,
					   p[1] == 'n' ? " ({n} counts a station's cards)"
						       : " (the device has no serial number)");
		p = end;
	}
	return 0;
}

int fb_template_expand(const char *what, const char *template, const struct fb_template_vars *v,
		       char **ret)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int r;

	if (!f)
		return fb_err_errno(-ENOMEM, "%s: cannot expand '%s'", what, template);
	r = expand(what, template, v, f);
	if (fclose(f) != 0 && r >= 0)
		r = fb_err_errno(-ENOMEM, "%s: cannot expand '%s'", what, template);
	if (r < 0) {
		free(text);
		return r;
	}
	*ret = text;
	return 0;
}

int fb_template_check(const char *what, const char *template, bool have_n)
{
	/* every var given a value, so that only unknown ones fail */
	const struct fb_template_vars v = { .n = have_n ? 1 : 0, .serial = "S", .date = "D" };
	char *s = NULL;
	int r = fb_template_expand(what, template, &v, &s);

	free(s);
	return r;
}
