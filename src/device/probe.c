// SPDX-License-Identifier: GPL-2.0-or-later
#include <blkid/blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/blkid-util.h"
#include "core/cleanup.h"
#include "probe.h"

/* "ext4 'root'" for the filesystem at OFF..OFF+SIZE of FD, appended to F. */
static void describe_fs(int fd, uint64_t off, uint64_t size, FILE *f)
{
	_cleanup_(blkid_free_probep) blkid_probe pr = blkid_new_probe();
	const char *type = NULL, *label = NULL;

	if (!pr || blkid_probe_set_device(pr, fd, (blkid_loff_t)off, (blkid_loff_t)size) < 0)
		return;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_LABEL);
	if (blkid_do_safeprobe(pr) != 0) {
		fputs("-", f);
		return;
	}
	blkid_probe_lookup_value(pr, "TYPE", &type, NULL);
	blkid_probe_lookup_value(pr, "LABEL", &label, NULL);
	fputs(type ? type : "?", f);
	if (label && *label)
		fprintf(f, " '%s'", label);
}

static void describe_table(int fd, blkid_probe pr, FILE *f)
{
	blkid_partlist ls = blkid_probe_get_partitions(pr);
	int n = ls ? blkid_partlist_numof_partitions(ls) : 0;
	blkid_parttable tab = ls ? blkid_partlist_get_table(ls) : NULL;

	fprintf(f, "%s:", tab ? blkid_parttable_get_type(tab) : "table");
	if (n <= 0)
		fputs(" no partitions", f);
	for (int i = 0; i < n; i++) {
		blkid_partition p = blkid_partlist_get_partition(ls, i);

		fprintf(f, "%s %d ", i ? "," : "", blkid_partition_get_partno(p));
		describe_fs(fd, (uint64_t)blkid_partition_get_start(p) * 512,
			    (uint64_t)blkid_partition_get_size(p) * 512, f);
	}
}

int fb_probe_contents(const char *path, char **ret)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	_cleanup_(blkid_free_probep) blkid_probe pr = NULL;
	const char *pttype = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (fd < 0)
		return -errno;
	pr = blkid_new_probe();
	if (!pr || blkid_probe_set_device(pr, fd, 0, 0) < 0)
		return -ENOMEM;
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	blkid_probe_enable_superblocks(pr, 0);
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	if (blkid_do_safeprobe(pr) == 0 &&
	    blkid_probe_lookup_value(pr, "PTTYPE", &pttype, NULL) == 0)
		describe_table(fd, pr, f);
	else
		describe_fs(fd, 0, 0, f);
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	if (!strcmp(text, "-")) {
		free(text);
		text = strdup("empty");
		if (!text)
			return -ENOMEM;
	}
	*ret = text;
	return 0;
}

/* A probe of FD's partition table alone, or NULL (ENOMEM). */
static blkid_probe table_probe(int fd)
{
	blkid_probe pr = blkid_new_probe();

	if (pr && blkid_probe_set_device(pr, fd, 0, 0) < 0) {
		blkid_free_probe(pr);
		return NULL;
	}
	if (pr) {
		blkid_probe_enable_partitions(pr, 1);
		blkid_probe_enable_superblocks(pr, 0);
	}
	return pr;
}

int fb_probe_has_table(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	_cleanup_(blkid_free_probep) blkid_probe pr = NULL;

	if (fd < 0)
		return -errno;
	pr = table_probe(fd);
	if (!pr)
		return -ENOMEM;
	return blkid_do_safeprobe(pr) == 0;
}

int fb_probe_fstype(const char *path, uint64_t off, uint64_t size, char **ret)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	_cleanup_(blkid_free_probep) blkid_probe pr = NULL;
	const char *type = NULL;

	*ret = NULL;
	if (fd < 0)
		return -errno;
	pr = blkid_new_probe();
	if (!pr || blkid_probe_set_device(pr, fd, (blkid_loff_t)off, (blkid_loff_t)size) < 0)
		return -ENOMEM;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
	if (blkid_do_safeprobe(pr) != 0 || blkid_probe_lookup_value(pr, "TYPE", &type, NULL) < 0)
		return 0;
	*ret = strdup(type);
	return *ret ? 0 : -ENOMEM;
}

int fb_probe_first_fs(const char *path, const char *fstype, uint64_t *ret_off, uint64_t *ret_size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	_cleanup_(blkid_free_probep) blkid_probe pr = NULL;
	blkid_partlist ls;
	int n;

	if (fd < 0)
		return -errno;
	pr = table_probe(fd);
	if (!pr)
		return -ENOMEM;
	if (blkid_do_safeprobe(pr) != 0 || !(ls = blkid_probe_get_partitions(pr)))
		return -ENOENT;
	n = blkid_partlist_numof_partitions(ls);
	for (int i = 0; i < n; i++) {
		blkid_partition p = blkid_partlist_get_partition(ls, i);
		uint64_t off = (uint64_t)blkid_partition_get_start(p) * 512;
		uint64_t size = (uint64_t)blkid_partition_get_size(p) * 512;
		_cleanup_free_ char *type = NULL;
		int r = fb_probe_fstype(path, off, size, &type);

		if (r < 0)
			return r;
		if (type && !strcmp(type, fstype)) {
			*ret_off = off;
			*ret_size = size;
			return 0;
		}
	}
	return -ENOENT;
}
