// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "core/cleanup.h"
#include "guard.h"
#include "usage.h"

/* Mount points whose disk is the running system's, whatever the options say. */
static const char *const system_mounts[] = { "/", "/boot", "/boot/efi", "/efi", "/usr" };

static char *sysfs_dev_path(uint64_t dev, const char *tail)
{
	char *p;

	if (asprintf(&p, "/sys/dev/block/%u:%u%s%s", major(dev), minor(dev), tail ? "/" : "",
		     tail ? tail : "") < 0)
		return NULL;
	return p;
}

static int read_devnum(const char *path, uint64_t *ret)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	unsigned ma, mi;

	if (!f)
		return -errno;
	if (fscanf(f, "%u:%u", &ma, &mi) != 2)
		return -EINVAL;
	*ret = makedev(ma, mi);
	return 0;
}

static bool on_disk(uint64_t dev, uint64_t disk, int depth)
{
	_cleanup_free_ char *part = sysfs_dev_path(dev, "partition");
	_cleanup_free_ char *slaves = sysfs_dev_path(dev, "slaves");
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;

	if (dev == disk)
		return true;
	if (depth > 8 || !part || !slaves)
		return false;
	if (access(part, F_OK) == 0) {
		_cleanup_free_ char *parent = sysfs_dev_path(dev, "../dev");
		uint64_t p;

		if (parent && read_devnum(parent, &p) == 0 && p == disk)
			return true;
	}
	d = opendir(slaves);
	while (d && (de = readdir(d))) {
		_cleanup_free_ char *path = NULL;
		uint64_t s;

		if (de->d_name[0] == '.' || asprintf(&path, "%s/%s/dev", slaves, de->d_name) < 0)
			continue;
		if (read_devnum(path, &s) == 0 && on_disk(s, disk, depth + 1))
			return true;
	}
	return false;
}

bool fb_usage_dev_on_disk(uint64_t dev, uint64_t disk)
{
	return on_disk(dev, disk, 0);
}

void fb_usage_unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static bool is_system_mount(const char *mp)
{
	for (size_t i = 0; i < ELEMENTSOF(system_mounts); i++)
		if (!strcmp(mp, system_mounts[i]))
			return true;
	return false;
}

/* A mount whose st_dev says nothing (btrfs, overlay: 0:N): its source, if a block device. */
static uint64_t mount_dev(unsigned ma, unsigned mi, const char *source)
{
	struct stat st;

	if (ma != 0)
		return makedev(ma, mi);
	if (source && source[0] == '/' && stat(source, &st) == 0 && S_ISBLK(st.st_mode))
		return st.st_rdev;
	return 0;
}

static int scan_mounts(struct fb_dev_facts *f)
{
	_cleanup_fclose_ FILE *m = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	size_t len = 0;

	if (!m)
		return -errno;
	while (getline(&line, &len, m) > 0) {
		char mp[PATH_MAX], source[PATH_MAX] = "";
		char *dash = strstr(line, " - ");
		unsigned ma, mi;
		uint64_t dev;

		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &ma, &mi, mp) != 3)
			continue;
		if (dash)
			sscanf(dash, " - %*s %4095s", source);
		fb_usage_unescape(mp);
		fb_usage_unescape(source);
		dev = mount_dev(ma, mi, source);
		if (!dev || !on_disk(dev, f->devnum, 0))
			continue;
		if (is_system_mount(mp) && !f->system) {
			if (asprintf(&f->system, "%s on %s", mp, source) < 0)
				return -ENOMEM;
		} else if (!f->mounted) {
			if (asprintf(&f->mounted, "%s on %s", source, mp) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static int scan_swaps(struct fb_dev_facts *f)
{
	_cleanup_fclose_ FILE *s = fopen("/proc/swaps", "re");
	_cleanup_free_ char *line = NULL;
	size_t len = 0;

	if (!s)
		return errno == ENOENT ? 0 : -errno;
	while (getline(&line, &len, s) > 0) {
		char name[PATH_MAX];
		struct stat st;
		uint64_t dev;

		if (sscanf(line, "%4095s", name) != 1 || name[0] != '/')
			continue;
		fb_usage_unescape(name);
		if (stat(name, &st) < 0)
			continue;
		dev = S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev;
		if (on_disk(dev, f->devnum, 0) && !f->system)
			if (asprintf(&f->system, "active swap on %s", name) < 0)
				return -ENOMEM;
	}
	return 0;
}

/* The first entry of DIR/holders, for the disk itself or one of its partitions. */
static int first_holder(const char *dir, char **ret)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;

	if (asprintf(&path, "%s/holders", dir) < 0)
		return -ENOMEM;
	d = opendir(path);
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			*ret = strdup(de->d_name);
			return *ret ? 1 : -ENOMEM;
		}
	return 0;
}

static int scan_holders(struct fb_dev_facts *f)
{
	_cleanup_free_ char *dir = sysfs_dev_path(f->devnum, NULL);
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int r;

	if (!dir)
		return -ENOMEM;
	r = first_holder(dir, &f->holder);
	if (r != 0)
		return r < 0 ? r : 0;
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		_cleanup_free_ char *sub = NULL, *part = NULL;

		if (de->d_name[0] == '.' || asprintf(&sub, "%s/%s", dir, de->d_name) < 0 ||
		    asprintf(&part, "%s/partition", sub) < 0 || access(part, F_OK) < 0)
			continue;
		r = first_holder(sub, &f->holder);
		if (r != 0)
			return r < 0 ? r : 0;
	}
	return 0;
}

int fb_usage_fill(struct fb_dev_facts *f)
{
	int r;

	r = scan_mounts(f);
	if (r >= 0)
		r = scan_swaps(f);
	if (r >= 0)
		r = scan_holders(f);
	return r;
}

int fb_usage_partitions(uint64_t disk, unsigned *ret_pno, unsigned max)
{
	_cleanup_free_ char *dir = sysfs_dev_path(disk, NULL);
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	unsigned n = 0;

	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < max) {
		_cleanup_free_ char *part = NULL;
		_cleanup_fclose_ FILE *pf = NULL;

		if (de->d_name[0] == '.' || asprintf(&part, "%s/%s/partition", dir, de->d_name) < 0)
			continue;
		pf = fopen(part, "re");
		if (pf && fscanf(pf, "%u", &ret_pno[n]) == 1)
			n++;
	}
	return (int)n;
}
