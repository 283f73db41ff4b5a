// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/spawn.h"
#include "core/util.h"
#include "hostprog.h"

#define SEARCH_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* NAME as a path: itself when it has a slash, else the first executable in SEARCH_PATH. */
static char *find_program(const char *name)
{
	_cleanup_free_ char *dirs = strdup(SEARCH_PATH);
	char *save = NULL;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? strdup(name) : NULL;
	for (char *d = dirs ? strtok_r(dirs, ":", &save) : NULL; d;
	     d = strtok_r(NULL, ":", &save)) {
		char *p = fb_path_join(d, name);

		if (p && access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

static void push_unique(struct fb_strv *v, const char *path)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], path))
			return;
	fb_strv_push(v, path);
}

/* An ldd line: "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux... (0x...)". */
static void ldd_line(const char *line, size_t len _unused_, void *userdata)
{
	const char *arrow = strstr(line, "=> ");
	const char *p = arrow ? arrow + 3 : line + strspn(line, " \t");

	if (*p != '/')
		return; /* linux-vdso.so.1, "statically linked", "not found" */
	_cleanup_free_ char *path = strndup(p, strcspn(p, " \t("));

	if (path)
		push_unique(userdata, path);
}

static int add_libraries(const char *prog, struct fb_strv *files)
{
	const char *argv[] = { "ldd", prog, NULL };
	struct fb_spawn_pipe_opts o = { .line = ldd_line, .userdata = files };
	int r = fb_spawn_pipe(argv, &o);

	if (r < 0)
		return r;
	/* ldd exits 1 for a static program ("not a dynamic executable"): nothing to add. */
	return 0;
}

int fb_hostprog_resolve(const char *list, struct fb_strv *ret_files)
{
	static const char sep[] = " \t,";
	struct fb_strv files = { 0 };
	int r = 0;

	for (const char *w = list; r >= 0 && *(w += strspn(w, sep)); w += strcspn(w, sep)) {
		_cleanup_free_ char *name = strndup(w, strcspn(w, sep));
		_cleanup_free_ char *prog = name ? find_program(name) : NULL;

		if (!prog) {
			r = fb_err("host-programs: no program '%s' on this machine", name ?: "");
			break;
		}
		push_unique(&files, prog);
		r = add_libraries(prog, &files);
	}
	if (r >= 0 && (!files.v || files.v[files.n]))
		r = fb_err_errno(-ENOMEM, "host-programs: cannot list the files");
	if (r < 0) {
		fb_strv_free(&files);
		return r;
	}
	*ret_files = files;
	return 0;
}

int fb_hostprog_hash(const struct fb_strv *files, struct fb_hasher *h)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < files->n; i++)
		r = fb_hasher_stat(h, "host-program", files->v[i]);
	return r;
}

/* "lib", "lib/x86_64-linux-gnu" for PATH "lib/x86_64-linux-gnu/libc.so.6": weak directories. */
static int add_parents(struct fb_tree *t, const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	int r = 0;

	if (!dir)
		return -ENOMEM;
	for (char *s = strchr(dir, '/'); r >= 0 && s; s = strchr(s + 1, '/')) {
		struct fb_tree_item it = {
			.path = dir, .type = FB_ENTRY_DIR, .mode = 0755, .weak = true
		};

		*s = '\0';
		r = fb_tree_add(t, &it);
		*s = '/';
	}
	return r;
}

int fb_hostprog_add(const struct fb_strv *files, struct fb_tree *t)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < files->n; i++) {
		const char *path = files->v[i] + 1; /* absolute: "/usr/bin/findmnt" */
		struct stat st;

		if (stat(files->v[i], &st) < 0)
			return fb_err_errno(-errno, "host-programs: cannot read '%s'", files->v[i]);
		r = add_parents(t, path);
		if (r >= 0)
			r = fb_tree_add_copy(t, path, st.st_mode & 0755, files->v[i]);
	}
	return r;
}
