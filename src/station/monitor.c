// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <libudev.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "monitor.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_device *, udev_device_unref);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_enumerate *, udev_enumerate_unref);

struct fb_station_monitor {
	struct udev *udev;
	struct udev_monitor *mon;
};

bool fb_station_udevd_running(void)
{
	return access("/run/udev/control", F_OK) == 0;
}

struct fb_station_monitor *fb_station_monitor_free(struct fb_station_monitor *m)
{
	if (!m)
		return NULL;
	if (m->mon)
		udev_monitor_unref(m->mon);
	if (m->udev)
		udev_unref(m->udev);
	free(m);
	return NULL;
}

int fb_station_monitor_start(struct fb_station_monitor **ret)
{
	struct fb_station_monitor *m = calloc(1, sizeof(*m));
	int r = -ENOMEM;

	if (m && (m->udev = udev_new()))
		m->mon = udev_monitor_new_from_netlink(m->udev, "udev");
	if (m && m->mon) {
		r = udev_monitor_filter_add_match_subsystem_devtype(m->mon, "block", "disk");
		if (r >= 0)
			r = udev_monitor_enable_receiving(m->mon);
	}
	if (r < 0) {
		fb_station_monitor_free(m);
		return fb_err_errno(r, "cannot listen to udev");
	}
	/* Sticks come in bursts (a hub's worth at once): keep them all. */
	udev_monitor_set_receive_buffer_size(m->mon, 8 * 1024 * 1024);
	*ret = m;
	return 0;
}

int fb_station_monitor_fd(const struct fb_station_monitor *m)
{
	return udev_monitor_get_fd(m->mon);
}

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static uint64_t attr_u64(struct udev_device *d, const char *attr)
{
	const char *v = udev_device_get_sysattr_value(d, attr);

	return v ? strtoull(v, NULL, 10) : 0;
}

/* ID_BUS; or "mmc" (and the card's type: "SD", "MMC") for a disk under an MMC host. */
static void find_bus(struct udev_device *d, struct fb_station_dev *ret)
{
	struct udev_device *card = udev_device_get_parent_with_subsystem_devtype(d, "mmc", NULL);

	ret->bus = dup_or_null(udev_device_get_property_value(d, "ID_BUS"));
	if (!card)
		return;
	if (!ret->bus)
		ret->bus = strdup("mmc");
	ret->card_type = dup_or_null(udev_device_get_sysattr_value(card, "type"));
}

static int dev_from_udev(struct udev_device *d, struct fb_station_dev *ret)
{
	struct fb_station_dev v = { 0 };
	const char *removable = udev_device_get_sysattr_value(d, "removable");
	struct udev_list_entry *le;
	int r = 0;

	v.syspath = strdup(udev_device_get_syspath(d));
	v.node = dup_or_null(udev_device_get_devnode(d));
	v.id_path = dup_or_null(udev_device_get_property_value(d, "ID_PATH"));
	v.serial = dup_or_null(udev_device_get_property_value(d, "ID_SERIAL_SHORT"));
	v.model = dup_or_null(udev_device_get_property_value(d, "ID_MODEL"));
	v.is_disk = fb_streq_ptr(udev_device_get_devtype(d), "disk");
	v.removable = removable && removable[0] == '1';
	v.size = attr_u64(d, "size") * 512;
	v.diskseq = attr_u64(d, "diskseq");
	find_bus(d, &v);
	udev_list_entry_foreach(le, udev_device_get_properties_list_entry(d))
	{
		if (fb_strv_pushf(&v.props, "%s=%s", udev_list_entry_get_name(le),
				  udev_list_entry_get_value(le) ?: "") < 0)
			r = -ENOMEM;
	}
	if (!v.syspath || r < 0) {
		fb_station_dev_done(&v);
		return -ENOMEM;
	}
	*ret = v;
	return 0;
}

static enum fb_station_action action_of(const char *a)
{
	static const char *const names[] = {
		[FB_STATION_ADD] = "add",
		[FB_STATION_CHANGE] = "change",
		[FB_STATION_REMOVE] = "remove",
	};

	for (size_t i = 0; a && i < ELEMENTSOF(names); i++)
		if (!strcmp(a, names[i]))
			return (enum fb_station_action)i;
	return FB_STATION_OTHER;
}

static int hand_over(struct udev_device *d, enum fb_station_action a, fb_station_dev_fn fn,
		     void *userdata)
{
	struct fb_station_dev v;
	int r = dev_from_udev(d, &v);

	if (r < 0)
		return fb_err_errno(r, "cannot look at '%s'", udev_device_get_syspath(d));
	fn(userdata, a, &v);
	fb_station_dev_done(&v);
	return 0;
}

int fb_station_monitor_enumerate(struct fb_station_monitor *m, fb_station_dev_fn fn, void *userdata)
{
	_cleanup_(udev_enumerate_unrefp) struct udev_enumerate *e = udev_enumerate_new(m->udev);
	struct udev_list_entry *le;
	int r;

	if (!e || udev_enumerate_add_match_subsystem(e, "block") < 0 ||
	    udev_enumerate_add_match_property(e, "DEVTYPE", "disk") < 0 ||
	    udev_enumerate_scan_devices(e) < 0)
		return fb_err_errno(-ENOMEM, "cannot list block devices with udev");
	udev_list_entry_foreach(le, udev_enumerate_get_list_entry(e))
	{
		_cleanup_(udev_device_unrefp) struct udev_device *d =
			udev_device_new_from_syspath(m->udev, udev_list_entry_get_name(le));

		if (d && (r = hand_over(d, FB_STATION_ADD, fn, userdata)) < 0)
			return r;
	}
	return 0;
}

int fb_station_monitor_receive(struct fb_station_monitor *m, fb_station_dev_fn fn, void *userdata)
{
	for (;;) {
		_cleanup_(udev_device_unrefp) struct udev_device *d =
			udev_monitor_receive_device(m->mon);
		int r;

		if (!d)
			return 0;
		r = hand_over(d, action_of(udev_device_get_action(d)), fn, userdata);
		if (r < 0)
			return r;
	}
}
