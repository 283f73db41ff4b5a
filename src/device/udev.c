// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <libudev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/udev-util.h"
#include "core/util.h"
#include "probe.h"
#include "udev.h"
#include "usage.h"

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

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

/* Under an MMC host: the card's type ("SD", "MMC"). */
static char *card_type(struct udev_device *d)
{
	struct udev_device *card = udev_device_get_parent_with_subsystem_devtype(d, "mmc", NULL);

	return card ? dup_or_null(udev_device_get_sysattr_value(card, "type")) : NULL;
}

/* What udev and sysfs say of D; nothing is opened.  -ENOMEM. */
static int facts_from_udev(struct udev_device *d, struct fb_dev_facts *f)
{
	const char *node = udev_device_get_devnode(d);
	struct udev_list_entry *le;
	int r = 0;

	f->is_block = true;
	f->node = strdup(node ? node : "");
	f->name = strdup(udev_device_get_sysname(d));
	f->syspath = strdup(udev_device_get_syspath(d));
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
	f->id_path = dup_or_null(udev_device_get_property_value(d, "ID_PATH"));
	f->card_type = card_type(d);
	udev_list_entry_foreach(le, udev_device_get_properties_list_entry(d))
	{
		if (fb_strv_pushf(&f->props, "%s=%s", udev_list_entry_get_name(le),
				  udev_list_entry_get_value(le) ?: "") < 0)
			r = -ENOMEM;
	}
	if (!f->node || !f->name || !f->syspath || !f->bus || r < 0)
		return -ENOMEM;
	return 0;
}

/* And, for a disk that may be written: who uses it and what it holds. */
static int facts_examined(struct udev_device *d, struct fb_dev_facts *f)
{
	int r = facts_from_udev(d, f);

	if (r < 0 || f->is_partition)
		return r;
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

const char *fb_dev_facts_prop(const struct fb_dev_facts *f, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; i < f->props.n; i++)
		if (!strncmp(f->props.v[i], key, n) && f->props.v[i][n] == '=')
			return f->props.v[i] + n + 1;
	return NULL;
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
	r = facts_examined(d, &f);
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

/* FN(D, USERDATA) for every whole disk udev knows, until FN fails.  Logs a failure to list. */
static int for_each_disk(struct udev *u, int (*fn)(struct udev_device *d, void *userdata),
			 void *userdata)
{
	_cleanup_(udev_enumerate_unrefp) struct udev_enumerate *e =
		u ? udev_enumerate_new(u) : NULL;
	struct udev_list_entry *le;
	int r;

	if (!e || udev_enumerate_add_match_subsystem(e, "block") < 0 ||
	    udev_enumerate_add_match_property(e, "DEVTYPE", "disk") < 0 ||
	    udev_enumerate_scan_devices(e) < 0)
		return fb_err_errno(-ENOMEM, "cannot list block devices with udev");
	udev_list_entry_foreach(le, udev_enumerate_get_list_entry(e))
	{
		_cleanup_(udev_device_unrefp) struct udev_device *d =
			udev_device_new_from_syspath(u, udev_list_entry_get_name(le));

		if (d && (r = fn(d, userdata)) < 0)
			return r;
	}
	return 0;
}

struct list {
	struct fb_dev_facts *v;
	size_t n;
};

static int list_one(struct udev_device *d, void *userdata)
{
	struct list *l = userdata;
	struct fb_dev_facts *nv;
	int r;

	/* Unattached loop devices and empty zram: nothing to flash to, nothing to show. */
	if (attr_u64(d, "size") == 0)
		return 0;
	nv = reallocarray(l->v, l->n + 1, sizeof(*nv));
	if (!nv)
		return fb_err_errno(-ENOMEM, "cannot list block devices");
	l->v = nv;
	l->v[l->n] = (struct fb_dev_facts){ 0 };
	r = facts_examined(d, &l->v[l->n++]);
	return r < 0 ? fb_err_errno(r, "cannot look at '%s'", udev_device_get_syspath(d)) : 0;
}

int fb_udev_list(struct fb_dev_facts **ret, size_t *ret_n)
{
	_cleanup_(udev_unrefp) struct udev *u = udev_new();
	struct list l = { 0 };
	int r;

	r = for_each_disk(u, list_one, &l);
	if (r < 0) {
		fb_udev_list_free(l.v, l.n);
		return r;
	}
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), cmp_facts);
	*ret = l.v;
	*ret_n = l.n;
	return 0;
}

struct fb_udev_monitor {
	struct udev *udev;
	struct udev_monitor *mon;
};

bool fb_udevd_running(void)
{
	return access("/run/udev/control", F_OK) == 0;
}

struct fb_udev_monitor *fb_udev_monitor_free(struct fb_udev_monitor *m)
{
	if (!m)
		return NULL;
	udev_monitor_unrefp(&m->mon);
	udev_unrefp(&m->udev);
	free(m);
	return NULL;
}

int fb_udev_monitor_start(struct fb_udev_monitor **ret)
{
	struct fb_udev_monitor *m = calloc(1, sizeof(*m));
	int r = -ENOMEM;

	if (m && (m->udev = udev_new()))
		m->mon = udev_monitor_new_from_netlink(m->udev, "udev");
	if (m && m->mon) {
		r = udev_monitor_filter_add_match_subsystem_devtype(m->mon, "block", "disk");
		if (r >= 0)
			r = udev_monitor_enable_receiving(m->mon);
	}
	if (r < 0) {
		fb_udev_monitor_free(m);
		return fb_err_errno(r, "cannot listen to udev");
	}
	/* Sticks come in bursts (a hub's worth at once): keep them all. */
	udev_monitor_set_receive_buffer_size(m->mon, 8 * 1024 * 1024);
	*ret = m;
	return 0;
}

int fb_udev_monitor_fd(const struct fb_udev_monitor *m)
{
	return udev_monitor_get_fd(m->mon);
}

static enum fb_udev_action action_of(const char *a)
{
	static const char *const names[] = {
		[FB_UDEV_ADD] = "add",
		[FB_UDEV_CHANGE] = "change",
		[FB_UDEV_REMOVE] = "remove",
	};

	for (size_t i = 0; a && i < ELEMENTSOF(names); i++)
		if (!strcmp(a, names[i]))
			return (enum fb_udev_action)i;
	return FB_UDEV_OTHER;
}

struct hand_over {
	fb_udev_disk_fn fn;
	void *userdata;
	enum fb_udev_action action;
};

static int hand_over(struct udev_device *d, void *userdata)
{
	const struct hand_over *h = userdata;
	struct fb_dev_facts f = { 0 };
	int r = facts_from_udev(d, &f);

	if (r >= 0)
		h->fn(h->userdata, h->action, &f);
	fb_dev_facts_done(&f);
	return r < 0 ? fb_err_errno(r, "cannot look at '%s'", udev_device_get_syspath(d)) : 0;
}

int fb_udev_monitor_enumerate(struct fb_udev_monitor *m, fb_udev_disk_fn fn, void *userdata)
{
	struct hand_over h = { fn, userdata, FB_UDEV_ADD };

	return for_each_disk(m->udev, hand_over, &h);
}

int fb_udev_monitor_receive(struct fb_udev_monitor *m, fb_udev_disk_fn fn, void *userdata)
{
	for (;;) {
		_cleanup_(udev_device_unrefp) struct udev_device *d =
			udev_monitor_receive_device(m->mon);
		struct hand_over h = { fn, userdata, FB_UDEV_OTHER };
		int r;

		if (!d)
			return 0;
		h.action = action_of(udev_device_get_action(d));
		r = hand_over(d, &h);
		if (r < 0)
			return r;
	}
}

int fb_udev_power_off(const char *syspath, const char *node)
{
	_cleanup_(udev_unrefp) struct udev *u = udev_new();
	_cleanup_(udev_device_unrefp) struct udev_device *d =
		u ? udev_device_new_from_syspath(u, syspath) : NULL;
	struct udev_device *usb;
	int r;

	if (!d)
		return fb_err_errno(-errno ?: -ENODEV, "cannot find '%s' in udev", node);
	/* The parent is d's: freed with it. */
	usb = udev_device_get_parent_with_subsystem_devtype(d, "usb", "usb_device");
	if (!usb)
		return -ENODEV;
	/* As udisksctl power-off: the kernel flushes the disk's cache, then lets the port go. */
	r = udev_device_set_sysattr_value(usb, "remove", "1");
	if (r < 0)
		return fb_err_errno(r, "cannot power off '%s' (%s/remove)", node,
				    udev_device_get_syspath(usb));
	return 0;
}
