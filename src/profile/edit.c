// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Changing a profile file where it says something (see edit.h): one word
 * added to a list, the rest of the file byte for byte as it was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/outfile.h"
#include "core/util.h"
#include "edit.h"

/* Where line LINE (1-based) of TEXT starts; the end of TEXT past its last line. */
static size_t line_start(const char *text, unsigned line)
{
	const char *p = text;

	for (unsigned i = 1; i < line && *p; i++) {
		const char *nl = strchr(p, '\n');

		p = nl ? nl + 1 : p + strlen(p);
	}
	return (size_t)(p - text);
}

static size_t line_len(const char *p)
{
	return strcspn(p, "\n");
}

/* An indented line that inih joins to the value above: not blank, not a comment. */
static bool continues(const char *p)
{
	const char *c = p + strspn(p, " \t");

	return c > p && *c && *c != '\n' && *c != ';' && *c != '#';
}

/* Where the value of the line at P ends: before " ; comment" and trailing blanks. */
static size_t value_end(const char *p)
{
	size_t n = line_len(p);

	for (size_t i = 1; i < n; i++)
		if (p[i] == ';' && (p[i - 1] == ' ' || p[i - 1] == '\t')) {
			n = i;
			break;
		}
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	return n;
}

/* The whole of PATH, and its mode; NULL, logged, when it cannot be read. */
static char *read_text(const char *path, mode_t *ret_mode)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char *text = NULL;
	struct stat st;
	size_t len = 0;

	if (!f || fstat(fileno(f), &st) < 0) {
		fb_err_errno(-errno, "cannot read '%s'", path);
		return NULL;
	}
	if (getdelim(&text, &len, '\0', f) < 0) {
		free(text);
		text = ferror(f) ? NULL : strdup("");
		if (!text) {
			fb_err_errno(-EIO, "cannot read '%s'", path);
			return NULL;
		}
	}
	*ret_mode = st.st_mode & 07777;
	return text;
}

/* PATH rewritten as TEXT[0..AT) + INSERT + TEXT[AT..], under a temporary name. */
static int write_spliced(const char *path, const char *text, size_t at, const char *insert,
			 mode_t mode)
{
	struct fb_outfile o = { 0 };
	int r = fb_outfile_open(&o, path);

	if (r < 0)
		return r;
	if (dprintf(o.fd, "%.*s%s%s", (int)at, text, insert, text + at) < 0 ||
	    fchmod(o.fd, mode) < 0)
		r = fb_err_errno(-errno, "cannot write '%s'", o.tmp);
	if (r >= 0)
		r = fb_outfile_commit(&o);
	fb_outfile_abort(&o);
	return r;
}

int fb_board_append_word(const struct fb_board *b, const char *kind, const char *key,
			 const char *word)
{
	const struct fb_section *s = fb_board_section(b, kind, NULL);
	const struct fb_kv *kv = s ? fb_section_get(s, key) : NULL;
	_cleanup_free_ char *text = NULL, *insert = NULL;
	const char *file = kv ? kv->file : s ? s->file : b->path;
	unsigned line;
	size_t at;
	mode_t mode = 0644;
	int r;

	if (!s)
		return fb_err("%s: has no [%s] section", b->path, kind);
	text = read_text(file, &mode);
	if (!text)
		return -EIO;
	if (kv) {
		/* after the last line of the value: KEY = a b, then indented c d */
		for (line = kv->line; text[line_start(text, line + 1)] &&
				      continues(text + line_start(text, line + 1));
		     line++)
			;
		at = line_start(text, line);
		at += value_end(text + at);
		if (asprintf(&insert, " %s", word) < 0)
			insert = NULL;
	} else {
		/* a line of its own under [KIND] */
		at = line_start(text, s->line);
		at += line_len(text + at);
		if (asprintf(&insert, "%s%s = %s\n", text[at] ? "" : "\n", key, word) < 0)
			insert = NULL;
		at += text[at] == '\n';
	}
	if (!insert)
		return fb_err_errno(-ENOMEM, "cannot change '%s'", file);
	r = write_spliced(file, text, at, insert, mode);
	if (r >= 0)
		fb_info("%s:%u: %s now ends in '%s'", file, kv ? line : s->line + 1, key, word);
	return r;
}
