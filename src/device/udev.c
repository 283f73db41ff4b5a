// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <libudev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "core/util.h"
#include "probe.h"
#include "udev.h"
#include "usage.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev *, udev_unref);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_device *, udev_device_unref);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_enumerate *, udev_enumerate_unref);

static char *dup_trimmed(const char *s)
{
	size_t n;

	if (!s)
		return NULL;
	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		n--;
	return n ? strndup(s, n) : NULL;
}

/* A udev property, else a sysfs attribute of the device or of its "device" parent. */
static char *prop_or_attr(struct udev_device *d, const char *prop, const char *attr)
{
	const char *v = prop ? udev_device_get_property_value(d, prop) : NULL;
	struct udev_device *p;

	if (!v && attr)
		v = udev_device_get_sysattr_value(d, attr);
	if (!v && attr && (p = udev_device_get_parent(d)))
		v = udev_device_get_sysattr_value(p, attr);
	/* virtio's "vendor" is a PCI id, not a name */
	if (v && !strncmp(v, "0x", 2))
		return NULL;
	return dup_trimmed(v);
}

/* ID_BUS when udevd has run; else the first bus found walking up the device tree. */
static char *find_bus(struct udev_device *d)
{
	static const char *const buses[] = { "usb", "mmc", "memstick", "nvme", "virtio", "ata" };
	const char *v = udev_device_get_property_value(d, "ID_BUS");
	const char *name = udev_device_get_sysname(d);

	if (v)
		return strdup(v);
	if (!strncmp(name, "loop", 4))
		return strdup("loop");
	for (struct udev_device *p = udev_device_get_parent(d); p; p = udev_device_get_parent(p)) {
		const char *sub = udev_device_get_subsystem(p);

		for (size_t i = 0; sub && i < ELEMENTSOF(buses); i++)
			if (!strcmp(sub, buses[i]))
				return strdup(sub);
		if (sub && !strcmp(sub, "scsi"))
			return strdup(strstr(udev_device_get_devpath(p), "/ata") ? "ata" : "scsi");
	}
	if (strstr(udev_device_get_devpath(d), "/virtual/"))
		return strdup("virtual");
	return strdup("unknown");
}

static bool attr_is(struct udev_device *d, const char *attr, const char *value)
{
	const char *v = udev_device_get_sysattr_value(d, attr);

	return v && !strncmp(v, value, strlen(value));
}

static uint64_t attr_u64(struct udev_device *d, const char *attr)
{
	const char *v = udev_device_get_sysattr_value(d, attr);

	return v ? strtoull(v, NULL, 10) : 0;
}

/* Someone holding the disk with O_EXCL (a mount, a holder, another flasher) makes this fail. */
static bool held_exclusively(const char *node)
{
	int fd = open(node, O_RDONLY | O_EXCL | O_CLOEXEC | O_NONBLOCK);

	if (fd >= 0) {
		close(fd);
		return false;
	}
	return errno == EBUSY;
}

static int facts_from_udev(struct udev_device *d, struct fb_dev_facts *f)
{
	const char *node = udev_device_get_devnode(d);
	int r;

	f->is_block = true;
	f->node = strdup(node ? node : "");
	f->name = strdup(udev_device_get_sysname(d));
	f->devnum = udev_device_get_devnum(d);
	f->is_partition = fb_streq_ptr(udev_device_get_devtype(d), "partition");
	f->size = attr_u64(d, "size") * 512;
	f->diskseq = attr_u64(d, "diskseq");
	f->removable = attr_is(d, "removable", "1");
	f->readonly = attr_is(d, "ro", "1");
	f->bus = find_bus(d);
	f->vendor = prop_or_attr(d, "ID_VENDOR", "device/vendor");
	f->model = prop_or_attr(d, "ID_MODEL", "device/model");
	f->serial = prop_or_attr(d, "ID_SERIAL_SHORT", "serial");
	if (!f->node || !f->name || !f->bus)
		return -ENOMEM;
	if (f->is_partition)
		return 0;
	r = fb_usage_fill(f);
	if (r < 0)
		return r;
	if (f->size && *f->node) {
		f->busy = held_exclusively(f->node);
		if (fb_probe_contents(f->node, &f->contents) < 0)
			f->contents = NULL;
	}
	return 0;
}

int fb_udev_facts_for_path(const char *path, struct fb_dev_facts *ret)
{
	_cleanup_(udev_unrefp) struct udev *u = NULL;
	_cleanup_(udev_device_unrefp) struct udev_device *d = NULL;
	struct fb_dev_facts f = { 0 };
	struct stat st;
	int r;

	if (stat(path, &st) < 0 || !S_ISBLK(st.st_mode)) {
		f.node = strdup(path);
		if (!f.node)
			return fb_err_errno(-ENOMEM, "cannot look at '%s'", path);
		f.size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
		*ret = f;
		return 0;
	}
	u = udev_new();
	d = u ? udev_device_new_from_devnum(u, 'b', st.st_rdev) : NULL;
	if (!d)
		return fb_err_errno(-errno ?: -ENODEV, "cannot find '%s' in udev", path);
	r = facts_from_udev(d, &f);
	if (r < 0) {
		fb_dev_facts_done(&f);
		return fb_err_errno(r, "cannot look at '%s'", path);
	}
	/* Keep the name the user typed (a /dev/disk/by-id link says more). */
	free(f.node);
	f.node = strdup(path);
	*ret = f;
	return f.node ? 0 : fb_err_errno(-ENOMEM, "cannot look at '%s'", path);
}

void fb_udev_list_free(struct fb_dev_facts *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		fb_dev_facts_done(&v[i]);
	free(v);
}

static int cmp_facts(const void *a, const void *b)
{
	return strcmp(((const struct fb_dev_facts *)a)->node,
		      ((const struct fb_dev_facts *)b)->node);
}

int fb_udev_list(struct fb_dev_facts **ret, size_t *ret_n)
{
	_cleanup_(udev_unrefp) struct udev *u = udev_new();
	_cleanup_(udev_enumerate_unrefp) struct udev_enumerate *e = NULL;
	struct udev_list_entry *le;
	struct fb_dev_facts *v = NULL;
	size_t n = 0;

	e = u ? udev_enumerate_new(u) : NULL;
	if (!e || udev_enumerate_add_match_subsystem(e, "block") < 0 ||
	    udev_enumerate_add_match_property(e, "DEVTYPE", "disk") < 0 ||
	    udev_enumerate_scan_devices(e) < 0)
		return fb_err_errno(-ENOMEM, "cannot list block devices with udev");
	udev_list_entry_foreach(le, udev_enumerate_get_list_entry(e))
	{
		_cleanup_(udev_device_unrefp) struct udev_device *d =
			udev_device_new_from_syspath(u, udev_list_entry_get_name(le));
		struct fb_dev_facts *nv;
		int r;

		/* Unattached loop devices and empty zram: nothing to flash to, nothing to show. */
		if (!d || attr_u64(d, "size") == 0)
			continue;
		nv = reallocarray(v, n + 1, sizeof(*v));
		if (!nv) {
			fb_udev_list_free(v, n);
			return fb_err_errno(-ENOMEM, "cannot list block devices");
		}
		v = nv;
		v[n] = (struct fb_dev_facts){ 0 };
		r = facts_from_udev(d, &v[n++]);
		if (r < 0) {
			fb_udev_list_free(v, n);
			return fb_err_errno(r, "cannot look at '%s'", udev_list_entry_get_name(le));
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_facts);
	*ret = v;
	*ret_n = n;
	return 0;
}
