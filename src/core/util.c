// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "util.h"

static int size_suffix_shift(const char *s, unsigned *ret)
{
	static const char units[] = "KMGTPE";
	const char *u;

	if (*s == '\0') {
		*ret = 0;
		return 0;
	}
	u = strchr(units, toupper((unsigned char)*s));
	if (!u)
		return -EINVAL;
	s++;
	if (strcasecmp(s, "") && strcasecmp(s, "iB") && strcasecmp(s, "B"))
		return -EINVAL;
	*ret = 10 * (unsigned)(u - units + 1);
	return 0;
}

int fb_parse_size(const char *s, uint64_t *ret)
{
	unsigned long long v;
	unsigned shift;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -errno;
	if (size_suffix_shift(end, &shift) < 0)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*ret = (uint64_t)v << shift;
	return 0;
}

int fb_parse_percent(const char *s, double *ret)
{
	char *end;
	double v;

	if (!s || !(isdigit((unsigned char)*s) || *s == '.'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno)
		return -errno;
	if (*end == '%')
		end++;
	if (*end != '\0' || !isfinite(v))
		return -EINVAL;
	if (v < 0 || v > 50)
		return -ERANGE;
	*ret = v;
	return 0;
}

int fb_parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i])) {
			*ret = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int fb_parse_uuid(const char *s, uint8_t ret[16])
{
	uint8_t out[16];
	size_t n = 0;

	if (strlen(s) != 36)
		return -EINVAL;
	for (size_t i = 0; i < 36; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -EINVAL;
			continue;
		}
		hi = hexval(s[i]);
		lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[n++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	memcpy(ret, out, 16);
	return 0;
}

const char *fb_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned u = 0;
	double v = (double)bytes;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0]))
		v /= 1024, u++;
	if (u == 0 || v == floor(v))
		snprintf(buf, len, "%.0f %s", v, units[u]);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

char *fb_path_join(const char *dir, const char *name)
{
	char *p;

	if (!dir || !*dir || name[0] == '/')
		return strdup(name);
	if (asprintf(&p, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name) < 0)
		return NULL;
	return p;
}

bool fb_streq_ptr(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool fb_str_empty(const char *s)
{
	return !s || !*s;
}

int fb_source_date_epoch(int64_t *ret)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	long long v;
	char *end;

	if (!s) {
		*ret = FB_DEFAULT_EPOCH;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || errno || *end)
		return fb_err("SOURCE_DATE_EPOCH='%s' is not a number of seconds since 1970", s);
	if (v < FB_MIN_EPOCH || v > FB_MAX_EPOCH)
		return fb_err(
			"SOURCE_DATE_EPOCH=%s is outside 1980-2099, which FAT and cpio can store",
			s);
	*ret = v;
	return 0;
}

double fb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int fb_mkdir_p(const char *path)
{
	char *copy = strdup(path);
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (char *p = copy + 1; *p && r == 0; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			r = -errno;
		*p = '/';
	}
	if (r == 0 && mkdir(copy, 0755) < 0 && errno != EEXIST)
		r = -errno;
	free(copy);
	return r;
}

int fb_copy_file(const char *src, const char *dst, mode_t mode)
{
	_cleanup_close_ int in = open(src, O_RDONLY | O_CLOEXEC), out = -EBADF;
	struct stat st;
	ssize_t n;

	if (in < 0 || fstat(in, &st) < 0)
		return -errno;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (out < 0)
		return -errno;
	/* copy_file_range shares or copies the bytes in the kernel */
	for (off_t left = st.st_size; left > 0; left -= n) {
		n = copy_file_range(in, NULL, out, NULL, (size_t)left, 0);
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n <= 0)
			return n < 0 ? -errno : -EIO; /* shorter than fstat said */
	}
	if (fsync(out) < 0 || close(TAKE_FD(out)) < 0)
		return -errno;
	return 0;
}

static int rm_one(const char *path, const struct stat *st _unused_, int flag _unused_,
		  struct FTW *ftw _unused_)
{
	remove(path);
	return 0;
}

void fb_rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int fb_pio_full(int fd, bool write, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write ? pwrite(fd, (char *)buf + done, len - done, (off_t)(off + done))
				  : pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENOSPC;
		done += (size_t)n;
	}
	return 0;
}

char *fb_find_in_path(const char *name)
{
	_cleanup_free_ char *dirs = strdup(getenv("PATH") ?: "/usr/bin:/bin");
	char *save = NULL;

	for (char *d = dirs ? strtok_r(dirs, ":", &save) : NULL; d;
	     d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *p = fb_path_join(d, name);

		if (p && access(p, X_OK) == 0)
			return realpath(p, NULL);
	}
	return NULL;
}

int fb_read_file(const char *src, char **ret, size_t *ret_size)
{
	_cleanup_close_ int fd = open(src, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *data = NULL;
	struct stat st;
	size_t done = 0;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	data = malloc((size_t)st.st_size + 1);
	if (!data)
		return -ENOMEM;
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, data + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	data[done] = '\0';
	*ret = TAKE_PTR(data);
	*ret_size = done;
	return 0;
}
