/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers for the cmocka unit tests: files in a temp dir, stderr captured. */
#ifndef FB_TESTUTIL_H
#define FB_TESTUTIL_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes TEXT to DIR/NAME, creating parent directories one level deep. */
static inline void tu_write(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	char *slash = strrchr(path, '/');
	if (slash > path + strlen(dir)) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

/* A group's setup/teardown: a fresh directory from TEMPLATE ("/tmp/x.XXXXXX") to work in, removed after. */
static inline int tu_enter_tmpdir(char *template)
{
	return mkdtemp(template) ? chdir(template) : -1;
}

static inline int tu_remove_tmpdir(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Captures what the code under test logs on stderr, from tu_capture() to tu_captured(). */
struct tu_capture {
	int saved;
	char path[64];
	char text[4096];
};

static inline void tu_capture(struct tu_capture *c)
{
	int fd;

	fflush(stderr);
	strcpy(c->path, "/tmp/fb-unit-stderr.XXXXXX");
	fd = mkstemp(c->path);
	c->saved = dup(2);
	dup2(fd, 2);
	close(fd);
}

static inline const char *tu_captured(struct tu_capture *c)
{
	FILE *f;
	size_t n;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	f = fopen(c->path, "r");
	n = f ? fread(c->text, 1, sizeof(c->text) - 1, f) : 0;
	c->text[n] = '\0';
	if (f)
		fclose(f);
	unlink(c->path);
	return c->text;
}

#endif
