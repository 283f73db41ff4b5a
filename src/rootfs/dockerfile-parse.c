// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Dockerfile instructions and the images they name.  Only what flashbuild
 * needs before buildah runs: logical lines (a trailing backslash joins
 * the next line; comment and empty lines inside a continuation are
 * dropped, as BuildKit does), FROM's image and stage name, COPY --from=.
 * Parser directives (# escape=) and heredocs are not understood; buildah
 * still reads them, only a failed step's line number may then be off.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cleanup.h"
#include "dockerfile-parse.h"

struct parser {
	const char *p;	 /* the rest of the text */
	unsigned line;	 /* of the last physical line read */
	unsigned first;	 /* of the instruction being read */
	unsigned stage;	 /* FROMs seen */
	char **stages;	 /* their "AS" names (NULL: none), for FROM/COPY --from= */
	const char *why; /* on -EINVAL */
};

/* The next physical line, without its '\n'; false at the end. */
static bool physical_line(struct parser *ps, const char **ret, size_t *ret_len)
{
	size_t n;

	if (!*ps->p)
		return false;
	n = strcspn(ps->p, "\n");
	*ret = ps->p;
	*ret_len = n;
	ps->p += n + (ps->p[n] == '\n');
	ps->line++;
	return true;
}

static int append(char **s, size_t *len, const char *add, size_t n)
{
	char *t = realloc(*s, *len + n + 2);

	if (!t)
		return -ENOMEM;
	if (*len > 0)
		t[(*len)++] = ' ';
	memcpy(t + *len, add, n);
	*len += n;
	t[*len] = '\0';
	*s = t;
	return 0;
}

/* The next instruction's text, continuations joined, and its first line; NULL at the end. */
static int logical_line(struct parser *ps, char **ret, unsigned *ret_line)
{
	_cleanup_free_ char *s = NULL;
	size_t len = 0, n;
	const char *l;

	while (physical_line(ps, &l, &n)) {
		while (n > 0 && isspace((unsigned char)*l))
			l++, n--;
		while (n > 0 && isspace((unsigned char)l[n - 1]))
			n--;
		if (n == 0 || *l == '#')
			continue;
		if (!s)
			*ret_line = ps->line;
		if (append(&s, &len, l, l[n - 1] == '\\' ? n - 1 : n) < 0)
			return -ENOMEM;
		if (l[n - 1] != '\\')
			break;
	}
	*ret = TAKE_PTR(s);
	return 0;
}

/* An earlier stage, by its number or its name: no image to find. */
static bool is_stage(const struct parser *ps, const char *ref, size_t n)
{
	size_t digits = 0;

	while (digits < n && isdigit((unsigned char)ref[digits]))
		digits++;
	if (n > 0 && digits == n)
		return true;
	for (unsigned i = 0; i < ps->stage; i++)
		if (ps->stages[i] && strlen(ps->stages[i]) == n &&
		    !strncasecmp(ps->stages[i], ref, n))
			return true;
	return false;
}

/* localhost/flashbuild/NAME[:latest]: busybox, debian (bookworm) or debian-SUITE. */
static int flashbuild_image(struct parser *ps, struct fb_dockerfile_image *img)
{
	const char *name = img->ref + strlen(FB_DOCKERFILE_BASE_PREFIX);
	const char *tag = strchr(name, ':');
	size_t n = tag ? (size_t)(tag - name) : strlen(name);

	img->name = strndup(name, n);
	if (!img->name)
		return -ENOMEM;
	if ((tag && strcmp(tag, ":latest")) || strchr(name, '@')) {
		ps->why = "a flashbuild image has no tag but 'latest'";
		return -EINVAL;
	}
	if (!strcmp(img->name, "busybox")) {
		img->recipe = "busybox";
		return 0;
	}
	if (!strcmp(img->name, "debian") || !strncmp(img->name, "debian-", 7)) {
		img->recipe = "debian";
		img->suite = strdup(img->name[6] ? img->name + 7 : "bookworm");
		return img->suite ? 0 : -ENOMEM;
	}
	ps->why = "no such flashbuild image: localhost/flashbuild/ has busybox and "
		  "debian-SUITE";
	return -EINVAL;
}

static int add_image(struct parser *ps, struct fb_dockerfile *d, const char *ref, size_t n)
{
	struct fb_dockerfile_image *v, *img;

	for (size_t i = 0; i < d->n_images; i++)
		if (strlen(d->images[i].ref) == n && !strncmp(d->images[i].ref, ref, n))
			return 0;
	if (is_stage(ps, ref, n))
		return 0;
	v = reallocarray(d->images, d->n_images + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	d->images = v;
	img = &v[d->n_images];
	*img = (struct fb_dockerfile_image){ .ref = strndup(ref, n), .line = ps->first };
	if (!img->ref)
		return -ENOMEM;
	d->n_images++;
	if (!strcmp(img->ref, "scratch"))
		img->kind = FB_IMAGE_SCRATCH;
	else if (strchr(img->ref, '$'))
		img->kind = FB_IMAGE_ARG;
	else if (!strncmp(img->ref, FB_DOCKERFILE_BASE_PREFIX, strlen(FB_DOCKERFILE_BASE_PREFIX))) {
		img->kind = FB_IMAGE_FLASHBUILD;
		return flashbuild_image(ps, img);
	} else
		img->kind = FB_IMAGE_REGISTRY;
	return 0;
}

/* The next word of *P (advanced past it), or length 0 at the end. */
static size_t next_word(const char **p, const char **ret)
{
	size_t n;

	*p += strspn(*p, " \t");
	n = strcspn(*p, " \t");
	*ret = *p;
	*p += n;
	return n;
}

/* FROM [--platform=P] IMAGE [AS NAME] */
static int parse_from(struct parser *ps, struct fb_dockerfile *d, const char *args)
{
	const char *w, *image = NULL;
	size_t n, image_n = 0;
	char **v;
	int r;

	while ((n = next_word(&args, &w)) > 0 && !strncmp(w, "--", 2))
		;
	image = w, image_n = n;
	if (image_n == 0) {
		ps->why = "FROM names no image";
		return -EINVAL;
	}
	r = add_image(ps, d, image, image_n);
	if (r < 0)
		return r;
	v = reallocarray(ps->stages, ps->stage + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	ps->stages = v;
	v[ps->stage] = NULL;
	n = next_word(&args, &w);
	if (n == 2 && !strncasecmp(w, "as", 2)) {
		n = next_word(&args, &w);
		v[ps->stage] = n > 0 ? strndup(w, n) : NULL;
		if (n > 0 && !v[ps->stage])
			return -ENOMEM;
	}
	ps->stage++;
	return 0;
}

/* COPY --from=IMAGE ...: another image to have at hand. */
static int parse_copy(struct parser *ps, struct fb_dockerfile *d, const char *args)
{
	const char *w;
	size_t n;
	int r;

	while ((n = next_word(&args, &w)) > 0 && !strncmp(w, "--", 2))
		if (!strncmp(w, "--from=", 7) && n > 7) {
			r = add_image(ps, d, w + 7, n - 7);
			if (r < 0)
				return r;
		}
	return 0;
}

static int add_step(struct parser *ps, struct fb_dockerfile *d, char *text, unsigned line)
{
	struct fb_dockerfile_step *v, *s;
	const char *args = text;
	const char *kw;
	size_t n = next_word(&args, &kw);
	int r;

	ps->first = line;
	v = reallocarray(d->steps, d->n_steps + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	d->steps = v;
	s = &v[d->n_steps];
	args += strspn(args, " \t");
	*s = (struct fb_dockerfile_step){ .keyword = strndup(kw, n),
					  .args = strdup(args),
					  .line = line };
	if (!s->keyword || !s->args) {
		free(s->keyword);
		free(s->args);
		return -ENOMEM;
	}
	d->n_steps++;
	for (char *c = s->keyword; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	if (!strcmp(s->keyword, "FROM")) {
		r = parse_from(ps, d, s->args);
		s->stage = ps->stage;
		return r;
	}
	s->stage = ps->stage;
	if (ps->stage == 0 && strcmp(s->keyword, "ARG")) {
		ps->why = "only ARG may come before the first FROM";
		return -EINVAL;
	}
	return !strcmp(s->keyword, "COPY") ? parse_copy(ps, d, s->args) : 0;
}

int fb_dockerfile_parse(const char *text, struct fb_dockerfile *ret, unsigned *ret_line,
			const char **ret_why)
{
	struct parser ps = { .p = text };
	struct fb_dockerfile d = { 0 };
	unsigned line = 0;
	int r = 0;

	for (;;) {
		_cleanup_free_ char *l = NULL;

		r = logical_line(&ps, &l, &line);
		if (r < 0 || !l)
			break;
		r = add_step(&ps, &d, l, line);
		if (r < 0)
			break;
	}
	if (r >= 0 && ps.stage == 0) {
		ps.why = "no FROM in the Dockerfile";
		r = -EINVAL;
	}
	for (unsigned i = 0; i < ps.stage; i++)
		free(ps.stages[i]);
	free(ps.stages);
	if (r < 0) {
		*ret_line = line;
		*ret_why = ps.why ? ps.why : "cannot be read";
		fb_dockerfile_free(&d);
		return ps.why ? -EINVAL : r;
	}
	*ret = d;
	return 0;
}

void fb_dockerfile_free(struct fb_dockerfile *d)
{
	for (size_t i = 0; i < d->n_steps; i++) {
		free(d->steps[i].keyword);
		free(d->steps[i].args);
	}
	for (size_t i = 0; i < d->n_images; i++) {
		free(d->images[i].ref);
		free(d->images[i].suite);
		free(d->images[i].name);
	}
	free(d->steps);
	free(d->images);
	*d = (struct fb_dockerfile){ 0 };
}

const struct fb_dockerfile_step *fb_dockerfile_step(const struct fb_dockerfile *d, unsigned stage,
						    unsigned step)
{
	for (size_t i = 0; i < d->n_steps; i++)
		if (d->steps[i].stage == stage && !strcmp(d->steps[i].keyword, "FROM"))
			return i + step - 1 < d->n_steps && step > 0 &&
					       d->steps[i + step - 1].stage == stage
				       ? &d->steps[i + step - 1]
				       : NULL;
	return NULL;
}
