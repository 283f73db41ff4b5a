// SPDX-License-Identifier: GPL-2.0-or-later
/* Kernel modules' .modinfo and load order (see kmod.h). */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "kmod.h"

struct elf_view {
	const uint8_t *p;
	size_t len;
	bool is64, big;
};

static uint64_t rd(const struct elf_view *e, size_t off, size_t size)
{
	uint64_t v = 0;

	for (size_t i = 0; i < size; i++) {
		size_t k = e->big ? i : size - 1 - i;

		v = v << 8 | e->p[off + k];
	}
	return v;
}

/* Offset and size of section I; false when it lies outside the file. */
static bool section(const struct elf_view *e, uint64_t shoff, uint64_t shentsize, uint64_t i,
		    uint64_t *ret_off, uint64_t *ret_size, uint32_t *ret_name)
{
	uint64_t h = shoff + i * shentsize;
	size_t need = e->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);

	if (h > e->len || e->len - h < need)
		return false;
	*ret_name = (uint32_t)rd(e, h, 4);
	*ret_off = e->is64 ? rd(e, h + 24, 8) : rd(e, h + 16, 4);
	*ret_size = e->is64 ? rd(e, h + 32, 8) : rd(e, h + 20, 4);
	return *ret_off <= e->len && *ret_size <= e->len - *ret_off;
}

/* The .modinfo section's bytes. */
static int find_modinfo(const struct elf_view *e, const char **ret, size_t *ret_len)
{
	uint64_t shoff, shentsize, shnum, shstrndx, str_off, str_size, off, size;
	uint32_t name;

	shoff = e->is64 ? rd(e, 0x28, 8) : rd(e, 0x20, 4);
	shentsize = rd(e, e->is64 ? 0x3a : 0x2e, 2);
	shnum = rd(e, e->is64 ? 0x3c : 0x30, 2);
	shstrndx = rd(e, e->is64 ? 0x3e : 0x32, 2);
	if (shentsize < (e->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)) || shstrndx >= shnum ||
	    !section(e, shoff, shentsize, shstrndx, &str_off, &str_size, &name))
		return -ENOEXEC;
	for (uint64_t i = 1; i < shnum; i++) {
		if (!section(e, shoff, shentsize, i, &off, &size, &name))
			return -ENOEXEC;
		if (name >= str_size || str_size - name < sizeof(".modinfo") ||
		    memcmp(e->p + str_off + name, ".modinfo", sizeof(".modinfo")))
			continue;
		*ret = (const char *)e->p + off;
		*ret_len = size;
		return 0;
	}
	return -ENOEXEC;
}

int fb_kmod_modinfo(const void *elf, size_t len, const char *key, char **ret)
{
	struct elf_view e = { .p = elf, .len = len };
	size_t klen = strlen(key), n;
	const char *info;
	int r;

	if (len < sizeof(Elf64_Ehdr) || memcmp(elf, ELFMAG, SELFMAG))
		return -ENOEXEC;
	e.is64 = e.p[EI_CLASS] == ELFCLASS64;
	e.big = e.p[EI_DATA] == ELFDATA2MSB;
	if (!e.is64 && e.p[EI_CLASS] != ELFCLASS32)
		return -ENOEXEC;
	r = find_modinfo(&e, &info, &n);
	if (r < 0)
		return r;
	/* NUL-separated "key=value" strings, with NUL padding between them */
	for (size_t i = 0; i < n;) {
		const char *s = info + i;
		size_t sl = strnlen(s, n - i);

		if (sl > klen && !strncmp(s, key, klen) && s[klen] == '=') {
			*ret = strndup(s + klen + 1, sl - klen - 1);
			return *ret ? 0 : -ENOMEM;
		}
		i += sl + 1;
	}
	return -ENOENT;
}

char *fb_kmod_name_normalize(char *name)
{
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	return name;
}

void fb_kmod_set_free(struct fb_kmod_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].path);
		free(s->v[i].depends);
	}
	free(s->v);
	*s = (struct fb_kmod_set){ 0 };
}

int fb_kmod_set_add(struct fb_kmod_set *s, char *name, char *path, char *depends)
{
	struct fb_kmod *v = reallocarray(s->v, s->n + 1, sizeof(*v));

	if (!v) {
		free(name);
		free(path);
		free(depends);
		return -ENOMEM;
	}
	s->v = v;
	/* modpost writes "depends=" by file name (dm-crypt: depends=dm-mod) */
	if (depends)
		fb_kmod_name_normalize(depends);
	v[s->n++] = (struct fb_kmod){ fb_kmod_name_normalize(name), path, depends };
	return 0;
}

static ssize_t find(const struct fb_kmod_set *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->v[i].name) == len && !strncmp(s->v[i].name, name, len))
			return (ssize_t)i;
	return -1;
}

struct order {
	const struct fb_kmod_set *s;
	uint8_t *state; /* 0 new, 1 on the path, 2 placed */
	size_t *out, n;
	char *missing;
};

/* Depth first: a module goes out after everything it depends on. */
static int visit(struct order *o, const char *name, size_t len, unsigned depth)
{
	ssize_t i = find(o->s, name, len);
	const char *d;

	if (i < 0) {
		o->missing = strndup(name, len);
		return o->missing ? -ENOENT : -ENOMEM;
	}
	if (o->state[i] == 2)
		return 0;
	if (o->state[i] == 1 || depth > 64)
		return -ELOOP;
	o->state[i] = 1;
	d = o->s->v[i].depends ?: "";
	for (size_t n; *d; d += n + (d[n] == ',')) {
		n = strcspn(d, ",");
		if (n > 0) {
			int r = visit(o, d, n, depth + 1);

			if (r < 0)
				return r;
		}
	}
	o->state[i] = 2;
	o->out[o->n++] = (size_t)i;
	return 0;
}

int fb_kmod_order(const struct fb_kmod_set *s, const char *want, size_t **ret, size_t *ret_n,
		  char **ret_missing)
{
	_cleanup_free_ char *names = strdup(want);
	_cleanup_free_ uint8_t *state = calloc(s->n + 1, 1);
	struct order o = { .s = s, .state = state, .out = calloc(s->n + 1, sizeof(size_t)) };
	char *save = NULL;
	int r = 0;

	if (!names || !state || !o.out) {
		free(o.out);
		return -ENOMEM;
	}
	for (char *t = strtok_r(names, " \t", &save); t && r >= 0; t = strtok_r(NULL, " \t", &save))
		r = visit(&o, fb_kmod_name_normalize(t), strlen(t), 0);
	if (r < 0) {
		free(o.out);
		*ret_missing = o.missing;
		return r;
	}
	*ret = o.out;
	*ret_n = o.n;
	return 0;
}
