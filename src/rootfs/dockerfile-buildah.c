// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * buildah in a private, temporary store.  RUN steps need an OCI runtime
 * that works on this host: crun (Debian's default) refuses hybrid cgroup
 * hosts ("cgroups in hybrid mode not supported"), runc does not, and with
 * neither buildah's chroot isolation runs them without one.  The choice is
 * made here from what the host has; nobody configures it.
 */
#include <errno.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "core/cache.h"
#include "core/log.h"
#include "core/spawn.h"
#include "core/util.h"
#include "dockerfile-buildah.h"

#define MAX_ARGS 24

static bool fs_is(const char *path, long magic)
{
	struct statfs s;

	return statfs(path, &s) == 0 && s.f_type == magic;
}

void fb_buildah_host_probe(struct fb_buildah_host *ret)
{
	/* where containers.conf's [engine.runtimes] looks for runc */
	static const char *const runc[] = { "/usr/bin/runc",	   "/usr/sbin/runc",
					    "/usr/local/bin/runc", "/usr/local/sbin/runc",
					    "/sbin/runc",	   "/bin/runc" };

	*ret = (struct fb_buildah_host){
		.hybrid_cgroups = fs_is("/sys/fs/cgroup", TMPFS_MAGIC) &&
				  fs_is("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC),
	};
	for (size_t i = 0; i < ELEMENTSOF(runc) && !ret->runc; i++)
		ret->runc = access(runc[i], X_OK) == 0;
}

const char *fb_buildah_isolation(const struct fb_buildah_host *h)
{
	if (!h->hybrid_cgroups)
		return NULL;
	return h->runc ? "--runtime=runc" : "--isolation=chroot";
}

int fb_buildah_step_line(const char *line, unsigned *ret_stage, unsigned *ret_step,
			 unsigned *ret_steps)
{
	unsigned stage = 1, stages, step, steps;
	int n = 0;

	if (line[0] == '[' && (sscanf(line, "[%u/%u] %n", &stage, &stages, &n) != 2 || n == 0))
		return 0;
	if (sscanf(line + n, "STEP %u/%u:", &step, &steps) != 2)
		return 0;
	*ret_stage = stage;
	*ret_step = step;
	*ret_steps = steps;
	return 1;
}

/* A line buildah printed: into the log; the step and the error remembered. */
static void on_line(const char *line, size_t len, void *userdata)
{
	struct fb_buildah *bh = userdata;
	unsigned stage, step, steps;
	char **keep = NULL;

	if ((fwrite(line, 1, len, bh->log) != len || fputc('\n', bh->log) == EOF) && !bh->log_err)
		bh->log_err = errno ? -errno : -EIO;
	if (fb_buildah_step_line(line, &stage, &step, &steps))
		keep = &bh->step;
	else if (!strncmp(line, "Error: ", 7))
		keep = &bh->error;
	if (keep) {
		free(*keep);
		*keep = strdup(line);
	}
	if (keep == &bh->step)
		fb_debug("  %-10s %s", "rootfs", line);
}

/* buildah --root --runroot --storage-driver=vfs ARGS...: its exit status, or -errno (logged). */
static int run(struct fb_buildah *bh, const char *const *args)
{
	const char *argv[MAX_ARGS] = { "buildah", bh->root, bh->runroot, "--storage-driver=vfs" };
	struct fb_spawn_pipe_opts o = { .env = (const char *const *)bh->env,
					.line = on_line,
					.userdata = bh };
	size_t n = 4;
	int r;

	for (; *args && n < MAX_ARGS - 1; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	fputs("$", bh->log);
	for (size_t i = 0; i < n; i++)
		fprintf(bh->log, " %s", argv[i]);
	fputc('\n', bh->log);
	fflush(bh->log);
	r = fb_spawn_pipe(argv, &o);
	if (r >= 0 && (fflush(bh->log) == EOF || bh->log_err))
		return fb_err_errno(bh->log_err ?: -errno, "cannot write '%s'", bh->log_path);
	return r;
}

int fb_buildah_open(struct fb_buildah *bh, const char *parent, const char *log_path)
{
	struct fb_buildah_host host;
	int r;

	*bh = (struct fb_buildah){ .log_path = log_path };
	fb_buildah_host_probe(&host);
	bh->isolation = fb_buildah_isolation(&host);
	r = fb_mkdir_p(parent);
	if (r < 0)
		return fb_err_errno(r, "cannot create '%s'", parent);
	if (asprintf(&bh->dir, "%s/store.XXXXXX", parent) < 0) {
		bh->dir = NULL;
		return fb_err_errno(-ENOMEM, "cannot make a container store");
	}
	if (!mkdtemp(bh->dir)) {
		r = fb_err_errno(-errno, "cannot create '%s'", bh->dir);
		free(TAKE_PTR(bh->dir));
		return r;
	}
	if (asprintf(&bh->root, "--root=%s/root", bh->dir) < 0 ||
	    asprintf(&bh->runroot, "--runroot=%s/runroot", bh->dir) < 0 ||
	    asprintf(&bh->env[0], "XDG_RUNTIME_DIR=%s", bh->dir) < 0 ||
	    asprintf(&bh->env[1], "XDG_DATA_HOME=%s/data", bh->dir) < 0)
		return fb_err_errno(-ENOMEM, "cannot make a container store");
	bh->log = fopen(log_path, "we");
	if (!bh->log)
		return fb_err_errno(-errno, "cannot create '%s'", log_path);
	fb_debug("  %-10s buildah store '%s', %s", "rootfs", bh->dir,
		 bh->isolation ? bh->isolation : "default runtime");
	return 0;
}

int fb_buildah_import(struct fb_buildah *bh, const char *tar, const char *ref)
{
	static const char ctr[] = "flashbuild-import";
	const char *const from[] = { "from",	"--quiet", "--pull=never", "--name", ctr,
				     "scratch", NULL };
	const char *const add[] = { "add", "--quiet", ctr, tar, "/", NULL };
	const char *const commit[] = { "commit", "--quiet", "--rm", ctr, ref, NULL };
	int r;

	r = run(bh, from);
	if (r == 0)
		r = run(bh, add);
	if (r == 0)
		r = run(bh, commit);
	if (r > 0)
		return fb_err("cannot import '%s' as %s: %s; see '%s'", tar, ref,
			      bh->error ? bh->error : "buildah failed", bh->log_path);
	return r;
}

/* One line for a build that failed with buildah's exit status STATUS. */
static int build_failed(struct fb_buildah *bh, const struct fb_buildah_build *a, int status)
{
	/* "Error: building at STEP \"RUN ...\": while running runtime: exit status 3" */
	const char *why = bh->error ? strstr(bh->error, "exit status") : NULL;
	const struct fb_dockerfile_step *s = NULL;
	unsigned stage, step, steps;

	if (!why)
		why = bh->error ? bh->error + strlen("Error: ") : "buildah failed";
	if (bh->step && fb_buildah_step_line(bh->step, &stage, &step, &steps))
		s = fb_dockerfile_step(a->parsed, stage, step);
	if (!s)
		return fb_err("%s: building failed (exit status %d): %s; see '%s'", a->dockerfile,
			      status, why, bh->log_path);
	return fb_err("%s:%u: step %u/%u '%s %.60s%s' failed: %s; see '%s'", a->dockerfile, s->line,
		      step, steps, s->keyword, s->args, strlen(s->args) > 60 ? "..." : "", why,
		      bh->log_path);
}

int fb_buildah_build(struct fb_buildah *bh, const struct fb_buildah_build *a)
{
	_cleanup_free_ char *out = NULL;
	const char *argv[MAX_ARGS];
	size_t n = 0;
	int r;

	if (asprintf(&out, "type=tar,dest=%s", a->out) < 0)
		return fb_err_errno(-ENOMEM, "cannot build '%s'", a->dockerfile);
	argv[n++] = "bud";
	/* the store is empty but for the imports: "missing" pulls only registry images */
	argv[n++] = a->pull ? "--pull=missing" : "--pull=never";
	/* RUN apt-get works wherever the host has a network; no CNI, no slirp4netns */
	argv[n++] = "--network=host";
	if (bh->isolation)
		argv[n++] = bh->isolation;
	argv[n++] = "--file";
	argv[n++] = a->dockerfile;
	argv[n++] = "--output";
	argv[n++] = out;
	argv[n++] = a->context;
	argv[n] = NULL;
	free(TAKE_PTR(bh->step));
	r = run(bh, argv);
	if (r > 0) {
		unlink(a->out);
		return build_failed(bh, a, r);
	}
	return r;
}

void fb_buildah_close(struct fb_buildah *bh)
{
	_cleanup_free_ char *root = NULL, *runroot = NULL;

	/* Rootless, the layers hold files of the user's subordinate ids: only the namespace can
	 * remove them. */
	if (bh->dir && geteuid() != 0 && bh->log && (root = fb_path_join(bh->dir, "root")) &&
	    (runroot = fb_path_join(bh->dir, "runroot"))) {
		const char *const argv[] = { "unshare", "rm", "-rf", "--", root, runroot, NULL };

		if (run(bh, argv) != 0)
			fb_warn("cannot remove the container store '%s', ignoring", bh->dir);
	}
	if (bh->dir)
		fb_cache_abort(bh->dir);
	if (bh->log)
		fclose(bh->log);
	free(bh->dir);
	free(bh->root);
	free(bh->runroot);
	free(bh->env[0]);
	free(bh->env[1]);
	free(bh->step);
	free(bh->error);
	*bh = (struct fb_buildah){ 0 };
}
