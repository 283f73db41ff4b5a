// SPDX-License-Identifier: GPL-2.0-or-later
/* [kernel] compiler (see compiler.h): gcc, ccache, distcc, icecc. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compiler.h"
#include "core/log.h"
#include "core/outfile.h"
#include "core/spawn.h"
#include "core/util.h"

#define ENV_NAME "FLASHBUILD_KERNEL_CC"

static void on_jobs_line(const char *line, size_t len _unused_, void *userdata)
{
	char *end;
	long v = strtol(line, &end, 10);

	if (end != line && *end == '\0' && v > 0 && v < 100000)
		*(int *)userdata = (int)v;
}

/* What `distcc -j` says: the sum of its hosts' slots (DISTCC_HOSTS, ~/.distcc/hosts, ...). */
static int distcc_jobs(const char *where, int cores _unused_, int *ret)
{
	int n = 0, r;

	r = fb_spawn_pipe((const char *const[]){ "distcc", "-j", NULL },
			  &(struct fb_spawn_pipe_opts){ .line = on_jobs_line, .userdata = &n });
	if (r < 0)
		return r;
	if (r > 0 || n == 0)
		return fb_err(
			"%s, but distcc knows no hosts: set DISTCC_HOSTS (or ~/.distcc/hosts)",
			where);
	*ret = n;
	return 0;
}

/* icecream tells a client nothing of its cluster's size: four jobs per local core. */
static int icecc_jobs(const char *where _unused_, int cores, int *ret)
{
	*ret = 4 * cores;
	return 0;
}

static const struct fb_kernel_cc_ops compilers[] = {
	{ .name = "gcc" },
	{ .name = "ccache", .program = "ccache" },
	{ .name = "distcc", .program = "distcc", .remote = true, .jobs = distcc_jobs },
	{ .name = "icecc", .program = "icecc", .remote = true, .jobs = icecc_jobs },
};

static int cpu_count(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 1;
	return CPU_COUNT(&set) > 0 ? CPU_COUNT(&set) : 1;
}

static bool installed(const char *program)
{
	_cleanup_free_ char *p = fb_find_in_path(program);

	return p != NULL;
}

static const struct fb_kernel_cc_ops *find(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(compilers); i++)
		if (!strcmp(compilers[i].name, name))
			return &compilers[i];
	return NULL;
}

int fb_kernel_cc_plan(const char *value, const struct fb_kv *at, struct fb_kernel_cc *ret)
{
	const char *env = getenv(ENV_NAME);
	const char *name = value;

	*ret = (struct fb_kernel_cc){ .from = "[kernel] compiler" };
	if (!fb_str_empty(env)) {
		name = env;
		ret->from = ENV_NAME;
		snprintf(ret->where, sizeof(ret->where), ENV_NAME "=%s", name);
	} else if (name) {
		snprintf(ret->where, sizeof(ret->where), "%s:%u: compiler = %s", at->file, at->line,
			 name);
	} else {
		name = installed("ccache") ? "ccache" : "gcc";
		ret->from = "default";
		snprintf(ret->where, sizeof(ret->where), "compiler = %s (the default)", name);
	}
	ret->ops = find(name);
	if (!ret->ops)
		return fb_err("%s: expected gcc, ccache, distcc or icecc", ret->where);
	return 0;
}

int fb_kernel_cc_ready(struct fb_kernel_cc *cc)
{
	const char *program = cc->ops->program;
	int cores = cpu_count();

	if (program && !installed(program))
		return fb_err("%s, but '%s' is not installed (apt-get install %s)", cc->where,
			      program, program);
	cc->jobs = cores;
	return cc->ops->jobs ? cc->ops->jobs(cc->where, cores, &cc->jobs) : 0;
}

int fb_kernel_cc_script(const struct fb_kernel_cc *cc, const char *dir, const char *name,
			const char *compiler, char **ret)
{
	_cleanup_free_ char *path = fb_path_join(dir, name);
	struct fb_outfile o = { 0 };
	int r;

	if (!path)
		return fb_err_errno(-ENOMEM, "cannot write the compiler script");
	r = fb_outfile_open(&o, path);
	if (r < 0)
		return r;
	if (dprintf(o.fd,
		    "#!/bin/sh\n"
		    "# Kbuild's compiler, written by flashbuild: [kernel] compiler = %s\n"
		    "exec %s%s%s \"$@\"\n",
		    cc->ops->name, cc->ops->program ?: "", cc->ops->program ? " " : "",
		    compiler) < 0 ||
	    fchmod(o.fd, 0755) < 0)
		r = fb_err_errno(-errno, "cannot write '%s'", o.tmp);
	if (r >= 0)
		r = fb_outfile_commit(&o);
	fb_outfile_abort(&o);
	if (r >= 0)
		*ret = TAKE_PTR(path);
	return r;
}

int fb_kernel_cc_env(const struct fb_kernel_cc *cc, const struct fb_cache *cache, const char **env,
		     size_t n, size_t max, char **owned)
{
	_cleanup_free_ char *top = NULL;

	if (strcmp(cc->ops->name, "ccache"))
		return (int)n;
	if (n + 2 > max)
		return fb_err_errno(-ENOMEM, "cannot set up ccache");
	if (!getenv("CCACHE_DIR")) {
		top = realpath(cache->dir, NULL);
		if (!top)
			return fb_err_errno(-errno, "cannot find the cache '%s'", cache->dir);
		if (asprintf(owned, "CCACHE_DIR=%s/ccache", top) < 0)
			return *owned = NULL, fb_err_errno(-ENOMEM, "cannot set up ccache");
		env[n++] = *owned;
	}
	/*
	 * Never ccache's base_dir: it hands gcc relative paths, which the kernel's
	 * -fmacro-prefix-map does not take out of __FILE__, so the kernel would
	 * hold "../../kernel-src/..." strings gcc alone does not put there.
	 */
	env[n++] = "CCACHE_BASEDIR=";
	return (int)n;
}
