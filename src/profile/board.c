// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <ini.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "paths.h"
#include "search.h"
#include "core/log.h"
#include "core/util.h"

#define MAX_INCLUDE_DEPTH 8

struct section_kind {
	const char *kind;
	bool named;
};

static const struct section_kind section_kinds[] = {
	{ "board", false },
	{ "image", false },
	{ "part", true },
	{ "raw", true },
	/* Owned by the build and emulate stages, which check their keys. */
	{ "kernel", false },
	{ "initramfs", false },
	{ "rootfs", false },
	{ "emulate", false },
	{ "bootloader", false },
};

static const struct fb_key board_keys[] = {
	{ "description", FB_KEY_STRING, offsetof(struct fb_board, description) },
	{ "arch", FB_KEY_STRING, offsetof(struct fb_board, arch) },
	{ NULL, 0, 0 },
};

static const struct fb_key image_keys[] = {
	{ "layout", FB_KEY_STRING, offsetof(struct fb_board, layout) },
	{ "size", FB_KEY_SIZE, offsetof(struct fb_board, size) },
	{ "seed", FB_KEY_STRING, offsetof(struct fb_board, seed) },
	{ "sign", FB_KEY_STRING, offsetof(struct fb_board, sign) },
	{ "power-of-two", FB_KEY_BOOL, offsetof(struct fb_board, power_of_two) },
	{ NULL, 0, 0 },
};

/* State of one INI file being read; includes nest. */
struct reader {
	FILE *f;
	const char *file;
	unsigned line;
	unsigned section_line; /* of the last "[section]" header */
	bool indented;	       /* the line starts with blanks: inih may pass it as a continuation */
	unsigned depth;
	struct fb_board *board;
	char *error;	   /* the first error, without "file:line: " */
	unsigned err_line; /* its line */
	const char *err_file;
};

static int parse_file(struct fb_board *b, const char *path, unsigned depth, char **ret_error,
		      const char **ret_file, unsigned *ret_line);

static struct fb_section *section_get_or_add(struct reader *rd, const char *section);
static int set_error(struct reader *rd, const char *fmt, ...) _printf_(2, 3);

/*
 * inih calls no handler for a section header, so an empty section would
 * vanish ("[initramfs]" alone asks for the defaults): add it here, and
 * remember the header's line for messages.  A malformed header is left
 * to inih, which reports it.
 */
static void reader_section(struct reader *rd, const char *after_bracket)
{
	const char *end = strchr(after_bracket, ']');
	_cleanup_free_ char *name = NULL;

	rd->section_line = rd->line;
	if (!end || rd->error)
		return;
	name = strndup(after_bracket, (size_t)(end - after_bracket));
	if (!name) {
		set_error(rd, "out of memory");
		return;
	}
	(void)section_get_or_add(rd, name);
}

static char *reader_gets(char *str, int num, void *stream)
{
	struct reader *rd = stream;
	char *s = fgets(str, num, rd->f);

	if (s) {
		rd->line++;
		rd->indented = strspn(s, " \t") > 0;
		if (s[strspn(s, " \t")] == '[')
			reader_section(rd, s + strspn(s, " \t") + 1);
	}
	return s;
}

static int set_error_va(struct reader *rd, unsigned line, const char *fmt, va_list ap)
{
	if (rd->error)
		return 0;
	if (vasprintf(&rd->error, fmt, ap) < 0)
		rd->error = NULL;
	rd->err_line = line;
	rd->err_file = rd->file;
	return 0; /* what inih wants from a handler that failed */
}

static int set_error(struct reader *rd, const char *fmt, ...) _printf_(2, 3);
static int set_error(struct reader *rd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error_va(rd, rd->line, fmt, ap);
	va_end(ap);
	return 0;
}

/* An error about the section header itself. */
static int set_section_error(struct reader *rd, const char *fmt, ...) _printf_(2, 3);
static int set_section_error(struct reader *rd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error_va(rd, rd->section_line, fmt, ap);
	va_end(ap);
	return 0;
}

/* "part root" -> kind "part", name "root"; checks the kind. */
static int split_section(struct reader *rd, const char *section, char **ret_kind, char **ret_name)
{
	const char *sp = strchr(section, ' ');
	size_t klen = sp ? (size_t)(sp - section) : strlen(section);
	const struct section_kind *k = NULL;

	for (size_t i = 0; i < ELEMENTSOF(section_kinds); i++)
		if (strlen(section_kinds[i].kind) == klen &&
		    !strncmp(section_kinds[i].kind, section, klen))
			k = &section_kinds[i];
	if (!k)
		return set_section_error(rd, "unknown section [%s]", section), -EINVAL;
	while (sp && *sp == ' ')
		sp++;
	if (k->named && fb_str_empty(sp))
		return set_section_error(rd, "section [%s] needs a name, as in [%s NAME]", section,
					 k->kind),
		       -EINVAL;
	if (!k->named && !fb_str_empty(sp))
		return set_section_error(rd, "section [%s] takes no name", k->kind), -EINVAL;
	*ret_kind = strndup(section, klen);
	*ret_name = k->named ? strdup(sp) : NULL;
	if (!*ret_kind || (k->named && !*ret_name))
		return set_error(rd, "out of memory"), -ENOMEM;
	return 0;
}

static struct fb_section *section_get_or_add(struct reader *rd, const char *section)
{
	struct fb_board *b = rd->board;
	char *kind = NULL, *name = NULL;
	struct fb_section *s;

	if (split_section(rd, section, &kind, &name) < 0)
		return NULL;
	for (size_t i = 0; i < b->n_sections; i++) {
		s = &b->sections[i];
		if (!strcmp(s->kind, kind) && fb_streq_ptr(s->name, name)) {
			free(kind);
			free(name);
			return s;
		}
	}
	s = reallocarray(b->sections, b->n_sections + 1, sizeof(*s));
	if (!s) {
		free(kind);
		free(name);
		set_error(rd, "out of memory");
		return NULL;
	}
	b->sections = s;
	s = &b->sections[b->n_sections++];
	*s = (struct fb_section){
		.kind = kind, .name = name, .file = rd->file, .line = rd->section_line
	};
	return s;
}

/*
 * An indented line under "key = value" continues that value (inih passes
 * it with the same key): the words are joined with a space, as in
 * "debs = a b" followed by "    c d".
 */
/*
 * "key = value", "key= value" or "key =": a key, not words of a list or a
 * kernel command line ("root=LABEL=root" has no blank at its '=').
 */
static bool looks_like_key(const char *value)
{
	size_t n = strspn(value, "abcdefghijklmnopqrstuvwxyz0123456789_-");
	size_t blanks = strspn(value + n, " \t");

	if (n == 0 || value[n + blanks] != '=')
		return false;
	return blanks > 0 || strchr(" \t", value[n + 1]);
}

static int section_continue_kv(struct reader *rd, struct fb_kv *kv, const char *value)
{
	size_t len = strlen(value);
	char *joined;

	/* inih joins an indented line to the key above, even one that names a key */
	if (looks_like_key(value))
		return set_error(rd, "indented '%s' would continue '%s': a key starts its line",
				 value, kv->key);

	/* inih strips " ; comment" from "key = value" lines, not from continuations */
	for (const char *c = value; (c = strchr(c, ';')); c++)
		if (c > value && (c[-1] == ' ' || c[-1] == '\t')) {
			len = (size_t)(c - value);
			break;
		}
	while (len && (value[len - 1] == ' ' || value[len - 1] == '\t'))
		len--;
	if (asprintf(&joined, "%s %.*s", kv->value, (int)len, value) < 0)
		return set_error(rd, "out of memory"), -ENOMEM;
	free(kv->value);
	kv->value = joined;
	return 0;
}

static int section_add_kv(struct reader *rd, struct fb_section *s, const char *key,
			  const char *value)
{
	struct fb_kv *last = s->n_kvs ? &s->kvs[s->n_kvs - 1] : NULL, *kvs;

	if (rd->indented && last && last->file == rd->file && !strcmp(last->key, key))
		return section_continue_kv(rd, last, value);
	kvs = reallocarray(s->kvs, s->n_kvs + 1, sizeof(*kvs));
	if (!kvs)
		return set_error(rd, "out of memory"), -ENOMEM;
	s->kvs = kvs;
	kvs[s->n_kvs] = (struct fb_kv){
		.key = strdup(key),
		.value = strdup(value),
		.file = rd->file,
		.line = rd->line,
	};
	if (!kvs[s->n_kvs].key || !kvs[s->n_kvs].value) {
		free(kvs[s->n_kvs].key);
		free(kvs[s->n_kvs].value);
		return set_error(rd, "out of memory"), -ENOMEM;
	}
	s->n_kvs++;
	return 0;
}

/* "include = FILE" in [board]: read FILE, relative to the including file's directory. */
static int handle_include(struct reader *rd, const char *value)
{
	_cleanup_free_ char *dir_copy = strdup(rd->file);
	_cleanup_free_ char *path = NULL;
	char *error = NULL;
	const char *efile = NULL;
	unsigned eline = 0;
	int r;

	if (!dir_copy)
		return set_error(rd, "out of memory");
	if (rd->depth + 1 >= MAX_INCLUDE_DEPTH)
		return set_error(rd, "includes nest deeper than %d (a loop?)", MAX_INCLUDE_DEPTH);
	path = fb_path_join(dirname(dir_copy), value);
	if (!path)
		return set_error(rd, "out of memory");
	r = parse_file(rd->board, path, rd->depth + 1, &error, &efile, &eline);
	if (r < 0 && !rd->error) {
		/* Report the error where it is, in the included file. */
		rd->error = error;
		rd->err_file = efile;
		rd->err_line = eline;
		return 0;
	}
	free(error);
	return 1;
}

static int on_ini_line(void *user, const char *section, const char *key, const char *value)
{
	struct reader *rd = user;
	struct fb_section *s;

	if (rd->error)
		return 0;
	if (fb_str_empty(section))
		return set_error(rd, "'%s' outside of any section", key);
	if (!strcmp(section, "board") && !strcmp(key, "include"))
		return handle_include(rd, value);
	s = section_get_or_add(rd, section);
	if (!s)
		return 0;
	return section_add_kv(rd, s, key, value) < 0 ? 0 : 1;
}

/* Remembers PATH in b->files (the kvs point at these strings) and returns the copy. */
static const char *board_add_file(struct fb_board *b, const char *path)
{
	char **files = reallocarray(b->files, b->n_files + 1, sizeof(*files));

	if (!files)
		return NULL;
	b->files = files;
	files[b->n_files] = strdup(path);
	if (!files[b->n_files])
		return NULL;
	return files[b->n_files++];
}

static int parse_file(struct fb_board *b, const char *path, unsigned depth, char **ret_error,
		      const char **ret_file, unsigned *ret_line)
{
	_cleanup_fclose_ FILE *f = NULL;
	struct reader rd = { .board = b, .depth = depth };
	int r;

	rd.file = board_add_file(b, path);
	if (!rd.file)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		if (asprintf(ret_error, "cannot open: %s", strerror(-r)) < 0)
			*ret_error = NULL;
		*ret_file = rd.file;
		*ret_line = 0;
		return r;
	}
	rd.f = f;
	r = ini_parse_stream(reader_gets, &rd, on_ini_line, &rd);
	if (r != 0 && !rd.error) {
		/* inih's own complaint: a line without '=' or a bad section header. */
		rd.err_line = r > 0 ? (unsigned)r : rd.line;
		rd.err_file = rd.file;
		rd.error = strdup("syntax error: expected [section] or key = value");
	}
	if (!rd.error)
		return 0;
	*ret_error = rd.error;
	*ret_file = rd.err_file;
	*ret_line = rd.err_line;
	return -EINVAL;
}

static int board_apply_keys(struct fb_board *b)
{
	for (size_t i = 0; i < b->n_sections; i++) {
		const struct fb_section *s = &b->sections[i];
		const struct fb_key *keys;
		int r;

		if (!strcmp(s->kind, "board"))
			keys = board_keys;
		else if (!strcmp(s->kind, "image"))
			keys = image_keys;
		else
			continue; /* named sections belong to their handlers */
		r = fb_keys_apply(keys, b, s->kvs, s->n_kvs, s->kind);
		if (r < 0)
			return r;
	}
	return 0;
}

static int board_check(const struct fb_board *b)
{
	const struct fb_section *img = fb_board_section(b, "image", NULL);

	if (!img)
		return 0; /* a kernel and an initramfs only, as qemu-x86 */
	if (fb_str_empty(b->layout))
		return fb_err("%s:%u: [image] has no 'layout'", img->file, img->line);
	if (b->size == 0)
		return fb_err("%s:%u: [image] has no 'size' (or it is 0)", img->file, img->line);
	return 0;
}

/* power-of-two = yes: QEMU's SD card model takes only cards of 2^N bytes. */
static int board_round_size(struct fb_board *b)
{
	const struct fb_section *img = fb_board_section(b, "image", NULL);
	uint64_t size = 1;

	if (!img || !b->power_of_two)
		return 0;
	while (size < b->size) {
		if (size > UINT64_MAX / 2)
			return fb_err("%s:%u: [image] size rounded up to a power of two is too big",
				      img->file, img->line);
		size *= 2;
	}
	b->size = size;
	return 0;
}

/*
 * "x86-usb": the first place that has boards/x86-usb.conf (search.h), whose
 * root its paths are taken from (*RET_ROOT; NULL when none has it); a path
 * (with '/' or ".conf") stays as it is, its paths the current directory's.
 */
static int board_resolve(const char *name, char **ret_path, char **ret_name, char **ret_root)
{
	_cleanup_free_ char *copy = NULL;
	enum fb_place place;
	const char *base;
	size_t n;
	int r = 0;

	if (strchr(name, '/') || strstr(name, ".conf")) {
		*ret_path = strdup(name);
		*ret_root = strdup(".");
		if (!*ret_path || !*ret_root)
			return -ENOMEM;
	} else if ((r = fb_board_find(name, ret_path, ret_root, &place)) == -ENOMEM) {
		return r;
	}
	copy = *ret_path ? strdup(*ret_path) : NULL;
	if (!copy)
		return -ENOMEM;
	base = basename(copy);
	n = strlen(base);
	if (n > 5 && !strcmp(base + n - 5, ".conf"))
		n -= 5;
	*ret_name = strndup(base, n);
	return *ret_name ? 0 : -ENOMEM;
}

/* No such profile: one line, with the places looked in and the close names. */
static int not_found(const struct fb_board *b)
{
	_cleanup_free_ char *user = fb_place_root(FB_PLACE_USER), *close = NULL;

	close = fb_board_close_names(b->name);
	return fb_err("%s: no such board profile (boards are looked up in ./boards, %s/boards and "
		      "%s/boards)%s%s",
		      b->path, user ? user : "~/.config/flashbuild", FB_DATADIR,
		      close ? "; close names: " : "", close ? close : "");
}

int fb_board_load(const char *name, struct fb_board **ret)
{
	_cleanup_(fb_board_freep) struct fb_board *b = NULL;
	_cleanup_free_ char *error = NULL, *root = NULL;
	const char *efile = NULL;
	unsigned eline = 0;
	int r;

	b = calloc(1, sizeof(*b));
	if (!b)
		return fb_err_errno(-ENOMEM, "cannot load board '%s'", name);
	r = board_resolve(name, &b->path, &b->name, &root);
	if (r < 0)
		return fb_err_errno(r, "cannot load board '%s'", name);
	r = parse_file(b, b->path, 0, &error, &efile, &eline);
	if (r == -ENOENT && eline == 0 && efile && !strcmp(efile, b->path))
		return not_found(b);
	if (r < 0 && eline == 0)
		return fb_err("%s: %s", efile ? efile : b->path, error ? error : "cannot read");
	if (r < 0)
		return fb_err("%s:%u: %s", efile, eline, error ? error : "out of memory");
	r = board_apply_keys(b);
	if (r < 0)
		return r;
	if (root && strcmp(root, ".") && fb_board_rebase(b, root) < 0)
		return fb_err_errno(-ENOMEM, "cannot load board '%s'", name);
	b->root = TAKE_PTR(root);
	r = board_check(b);
	if (r >= 0)
		r = board_round_size(b);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(b);
	return 0;
}

struct fb_board *fb_board_free(struct fb_board *b)
{
	if (!b)
		return NULL;
	for (size_t i = 0; i < b->n_sections; i++) {
		struct fb_section *s = &b->sections[i];

		for (size_t j = 0; j < s->n_kvs; j++) {
			free(s->kvs[j].key);
			free(s->kvs[j].value);
			free(s->kvs[j].written);
			free(s->kvs[j].origin);
		}
		free(s->kvs);
		free(s->kind);
		free(s->name);
	}
	free(b->sections);
	for (size_t i = 0; i < b->n_files; i++)
		free(b->files[i]);
	free(b->files);
	fb_keys_free(board_keys, b);
	fb_keys_free(image_keys, b);
	free(b->name);
	free(b->path);
	free(b->root);
	free(b);
	return NULL;
}

const struct fb_section *fb_board_section(const struct fb_board *b, const char *kind,
					  const char *name)
{
	for (size_t i = 0; i < b->n_sections; i++)
		if (!strcmp(b->sections[i].kind, kind) && fb_streq_ptr(b->sections[i].name, name))
			return &b->sections[i];
	return NULL;
}

int fb_board_check_keys(const struct fb_board *b, const char *kind, const struct fb_key *keys,
			size_t size, const char *what)
{
	const struct fb_section *s = fb_board_section(b, kind, NULL);

	return s ? fb_keys_check(keys, size, s->kvs, s->n_kvs, what) : 0;
}

const struct fb_kv *fb_section_get(const struct fb_section *s, const char *key)
{
	const struct fb_kv *found = NULL;

	for (size_t i = 0; i < s->n_kvs; i++)
		if (!strcmp(s->kvs[i].key, key))
			found = &s->kvs[i];
	return found;
}
