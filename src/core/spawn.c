// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "spawn.h"

extern char **environ;

static bool path_has(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	for (const char *p = path; p; p = strchr(p, ':')) {
		p += *p == ':';
		if (!strncmp(p, dir, n) && (p[n] == ':' || p[n] == '\0'))
			return true;
	}
	return false;
}

int fb_spawn_init_path(void)
{
	static const char *const sbin[] = { "/usr/sbin", "/sbin" };
	const char *path = getenv("PATH");
	_cleanup_free_ char *p = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");

	for (size_t i = 0; p && i < ELEMENTSOF(sbin); i++) {
		char *more;

		if (path_has(p, sbin[i]))
			continue;
		if (asprintf(&more, "%s:%s", p, sbin[i]) < 0)
			return -ENOMEM;
		free(p);
		p = more;
	}
	if (!p)
		return -ENOMEM;
	return setenv("PATH", p, 1) < 0 ? -errno : 0;
}

/* Whether ENV (NULL-terminated "NAME=value") sets the variable of ENTRY ("NAME=..."). */
static bool env_overrides(const char *const env[], const char *entry)
{
	size_t len = strcspn(entry, "=");

	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(env[i], entry, len) && env[i][len] == '=')
			return true;
	return false;
}

/*
 * environ with ENV's variables replacing their namesakes ("MAKEFLAGS=" clears
 * what a calling make left there); the strings are borrowed, only the array
 * is allocated.
 */
static char **env_merge(const char *const env[])
{
	size_t n = 0, m = 0, k = 0;
	char **out;

	while (environ[n])
		n++;
	while (env && env[m])
		m++;
	out = calloc(n + m + 1, sizeof(*out));
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!env_overrides(env, environ[i]))
			out[k++] = environ[i];
	for (size_t i = 0; i < m; i++)
		out[k++] = (char *)env[i];
	return out;
}

/* The last non-empty line the tool printed, for the error message. */
static void last_line(int fd, char *buf, size_t len)
{
	off_t size = lseek(fd, 0, SEEK_END);
	off_t from = size > (off_t)len - 1 ? size - (off_t)len + 1 : 0;
	ssize_t n = pread(fd, buf, len - 1, from);
	char *end, *start;

	buf[n > 0 ? n : 0] = '\0';
	end = buf + strlen(buf);
	while (end > buf && (end[-1] == '\n' || end[-1] == ' '))
		*--end = '\0';
	start = strrchr(buf, '\n');
	if (start)
		memmove(buf, start + 1, strlen(start + 1) + 1);
}

static int spawn_wait(pid_t pid, const char *tool, const char *what, int out_fd)
{
	char line[512];
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fb_err_errno(-errno, "cannot wait for '%s' (%s)", tool, what);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	last_line(out_fd, line, sizeof(line));
	if (WIFSIGNALED(status))
		return fb_err_errno(-EIO, "'%s' killed by signal %d (%s)%s%s", tool,
				    WTERMSIG(status), what, line[0] ? ": " : "", line);
	fb_err("'%s' failed with exit status %d (%s)%s%s", tool, WEXITSTATUS(status), what,
	       line[0] ? ": " : "", line);
	return -EIO;
}

int fb_spawn(const char *const argv[], const char *const env[], const char *what)
{
	_cleanup_close_ int out_fd = memfd_create("fb-spawn", MFD_CLOEXEC);
	_cleanup_free_ char **envp = env_merge(env);
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int r;

	if (out_fd < 0 || !envp)
		return fb_err_errno(out_fd < 0 ? -errno : -ENOMEM, "cannot run '%s'", argv[0]);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return fb_err_errno(-r, "cannot run '%s' (%s)", argv[0], what);
	fb_debug("ran '%s' (%s)", argv[0], what);
	return spawn_wait(pid, argv[0], what, out_fd);
}

/* Buffered output of a tool, split into lines. */
struct line_buf {
	char *data;
	size_t len, cap;
};

static int line_buf_feed(struct line_buf *lb, int fd, const struct fb_spawn_pipe_opts *opts)
{
	ssize_t n;
	char *nl;
	size_t start = 0;

	if (lb->cap - lb->len < 4096) {
		size_t cap = lb->cap ? lb->cap * 2 : 65536;
		char *p = realloc(lb->data, cap);

		if (!p)
			return -ENOMEM;
		lb->data = p;
		lb->cap = cap;
	}
	n = read(fd, lb->data + lb->len, lb->cap - lb->len - 1);
	if (n < 0)
		return errno == EINTR ? 1 : -errno;
	if (n == 0)
		return 0;
	lb->len += (size_t)n;
	while ((nl = memchr(lb->data + start, '\n', lb->len - start))) {
		*nl = '\0';
		if (opts->line)
			opts->line(lb->data + start, (size_t)(nl - lb->data) - start,
				   opts->userdata);
		start = (size_t)(nl - lb->data) + 1;
	}
	memmove(lb->data, lb->data + start, lb->len - start);
	lb->len -= start;
	return 1;
}

/* Reads until EOF; a last line without '\n' is passed on too. */
static int pipe_drain(int fd, const struct fb_spawn_pipe_opts *opts)
{
	struct line_buf lb = { 0 };
	int r;

	while ((r = line_buf_feed(&lb, fd, opts)) > 0)
		;
	if (r == 0 && lb.len > 0 && opts->line) {
		lb.data[lb.len] = '\0';
		opts->line(lb.data, lb.len, opts->userdata);
	}
	free(lb.data);
	return r;
}

static int spawn_piped(const char *const argv[], const struct fb_spawn_pipe_opts *opts, char **envp,
		       int out_fd, pid_t *ret_pid)
{
	posix_spawn_file_actions_t fa;
	int r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
	if (opts->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, opts->cwd);
	r = posix_spawnp(ret_pid, argv[0], &fa, NULL, (char *const *)argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	return -r;
}

/* The exit status of PID (128+N when signal N killed it), or -errno, logged. */
static int wait_status(pid_t pid, const char *tool)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fb_err_errno(-errno, "cannot wait for '%s'", tool);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int fb_spawn_pipe(const char *const argv[], const struct fb_spawn_pipe_opts *opts)
{
	_cleanup_free_ char **envp = env_merge(opts->env);
	_cleanup_close_ int rd = -EBADF, wr = -EBADF;
	int fds[2], status, r;
	pid_t pid;

	if (!envp)
		return fb_err_errno(-ENOMEM, "cannot run '%s'", argv[0]);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return fb_err_errno(-errno, "cannot run '%s'", argv[0]);
	rd = fds[0];
	wr = fds[1];
	r = spawn_piped(argv, opts, envp, wr, &pid);
	if (r < 0)
		return fb_err_errno(r, "cannot run '%s'%s%s", argv[0], opts->cwd ? " in " : "",
				    opts->cwd ?: "");
	fb_debug("ran '%s'", argv[0]);
	/* Our copy of the write end must go, or the read never sees EOF. */
	close(TAKE_FD(wr));
	r = pipe_drain(rd, opts);
	/* After a read error too, so that the tool cannot block on a full pipe. */
	close(TAKE_FD(rd));
	status = wait_status(pid, argv[0]);
	if (status >= 0 && r < 0)
		return fb_err_errno(r, "cannot read the output of '%s'", argv[0]);
	return status;
}

int fb_spawn_inherit(const char *const argv[], const char *const env[])
{
	_cleanup_free_ char **envp = env_merge(env);
	pid_t pid;
	int r;

	if (!envp)
		return fb_err_errno(-ENOMEM, "cannot run '%s'", argv[0]);
	r = posix_spawnp(&pid, argv[0], NULL, NULL, (char *const *)argv, envp);
	if (r != 0)
		return fb_err_errno(-r, "cannot run '%s'", argv[0]);
	fb_debug("ran '%s' on the terminal", argv[0]);
	return wait_status(pid, argv[0]);
}
