// SPDX-License-Identifier: GPL-2.0-or-later
/* fb_board_dup(): a deep copy of a profile, for the build's view of it (deb/sources.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"

static int dup_str(const char *s, char **ret)
{
	*ret = s ? strdup(s) : NULL;
	return s && !*ret ? -ENOMEM : 0;
}

/* The copy's own string for the file name F of B (the kvs and sections point at these). */
static const char *dup_file_of(const struct fb_board *b, const struct fb_board *copy, const char *f)
{
	for (size_t i = 0; i < b->n_files; i++)
		if (b->files[i] == f)
			return copy->files[i];
	return f; /* not one of the board's (a caller's own): shared, as in B */
}

static int dup_section(const struct fb_board *b, const struct fb_board *copy,
		       const struct fb_section *s, struct fb_section *ret)
{
	*ret = (struct fb_section){ .file = dup_file_of(b, copy, s->file), .line = s->line };
	if (dup_str(s->kind, &ret->kind) < 0 || dup_str(s->name, &ret->name) < 0)
		return -ENOMEM;
	ret->kvs = s->n_kvs ? calloc(s->n_kvs, sizeof(*ret->kvs)) : NULL;
	if (s->n_kvs && !ret->kvs)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_kvs; i++) {
		const struct fb_kv *kv = &s->kvs[i];
		struct fb_kv *c = &ret->kvs[i];

		ret->n_kvs = i + 1; /* freed with the rest from here on */
		c->file = dup_file_of(b, copy, kv->file);
		c->line = kv->line;
		if (dup_str(kv->key, &c->key) < 0 || dup_str(kv->value, &c->value) < 0 ||
		    dup_str(kv->written, &c->written) < 0 || dup_str(kv->origin, &c->origin) < 0)
			return -ENOMEM;
	}
	return 0;
}

int fb_board_dup(const struct fb_board *b, struct fb_board **ret)
{
	_cleanup_(fb_board_freep) struct fb_board *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->size = b->size;
	c->power_of_two = b->power_of_two;
	if (dup_str(b->name, &c->name) < 0 || dup_str(b->path, &c->path) < 0 ||
	    dup_str(b->root, &c->root) < 0 || dup_str(b->description, &c->description) < 0 ||
	    dup_str(b->arch, &c->arch) < 0 || dup_str(b->layout, &c->layout) < 0 ||
	    dup_str(b->seed, &c->seed) < 0 || dup_str(b->sign, &c->sign) < 0)
		return -ENOMEM;
	c->files = b->n_files ? calloc(b->n_files, sizeof(*c->files)) : NULL;
	c->sections = b->n_sections ? calloc(b->n_sections, sizeof(*c->sections)) : NULL;
	if ((b->n_files && !c->files) || (b->n_sections && !c->sections))
		return -ENOMEM;
	for (; c->n_files < b->n_files; c->n_files++)
		if (dup_str(b->files[c->n_files], &c->files[c->n_files]) < 0)
			return -ENOMEM;
	/* counted before it is filled: a half-copied section is freed with the rest */
	for (; c->n_sections < b->n_sections; c->n_sections++)
		if (dup_section(b, c, &b->sections[c->n_sections], &c->sections[c->n_sections]) <
		    0) {
			c->n_sections++;
			return -ENOMEM;
		}
	*ret = TAKE_PTR(c);
	return 0;
}
