// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "fuzz.h"

static char dir[PATH_MAX];

static void remove_dir(void)
{
	if (dir[0])
		fb_rm_rf(dir);
}

const char *fuzz_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (dir[0])
		return dir;
	snprintf(dir, sizeof(dir), "%s/fb-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		abort();
	atexit(remove_dir);
	return dir;
}

static char *path_of(const char *name)
{
	char *path = fb_path_join(fuzz_dir(), name);

	if (!path)
		abort();
	return path;
}

static int open_empty(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		abort();
	return fd;
}

char *fuzz_file(const char *name, const void *data, size_t size)
{
	char *path = path_of(name);
	int fd = open_empty(path);

	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	return path;
}

char *fuzz_sparse(const char *name, uint64_t size)
{
	char *path = path_of(name);
	int fd = open_empty(path);

	if (ftruncate(fd, (off_t)size) < 0)
		abort();
	close(fd);
	return path;
}
