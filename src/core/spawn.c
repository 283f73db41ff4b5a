// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "spawn.h"

extern char **environ;

/* environ plus ENV; the strings are borrowed, only the array is allocated. */
static char **env_merge(const char *const env[])
{
	size_t n = 0, m = 0;
	char **out;

	while (environ[n])
		n++;
	while (env && env[m])
		m++;
	out = calloc(n + m + 1, sizeof(*out));
	if (!out)
		return NULL;
	memcpy(out, environ, n * sizeof(*out));
	for (size_t i = 0; i < m; i++)
		out[n + i] = (char *)env[i];
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
