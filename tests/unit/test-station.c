// SPDX-License-Identifier: GPL-2.0-or-later
/* The station's pure parts: which disks it takes, and the log's line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "station/audit.h"
#include "station/row.h"
#include "station/select.h"

/* A removable 16 GiB USB stick with udev's properties, plus EXTRA ("KEY=VALUE"). */
static struct fb_dev_facts stick(const char *extra)
{
	struct fb_dev_facts d = { .removable = true, .size = 16ULL << 30, .bus = strdup("usb") };

	fb_strv_push(&d.props, "ID_BUS=usb");
	fb_strv_push(&d.props, "ID_PATH=pci-0000:00:14.0-usb-0:2.3:1.0-scsi-0:0:0:0");
	fb_strv_push(&d.props, "DEVNAME=/dev/sdb");
	if (extra)
		fb_strv_push(&d.props, extra);
	return d;
}

static void test_default_removable_usb_and_sd(void **state)
{
	struct fb_dev_facts d = stick(NULL);

	(void)state;
	assert_int_equal(fb_station_select(&d, NULL), FB_STATION_TAKE);
	d.removable = false; /* a USB disk: not by default */
	assert_int_equal(fb_station_select(&d, NULL), FB_STATION_SKIP);
	free(d.bus);
	d.bus = strdup("mmc");
	d.card_type = strdup("SD");
	assert_int_equal(fb_station_select(&d, NULL), FB_STATION_TAKE);
	free(d.card_type);
	d.card_type = strdup("MMC"); /* eMMC soldered to a board: never by default */
	assert_int_equal(fb_station_select(&d, NULL), FB_STATION_SKIP);
	free(d.bus);
	d.bus = strdup("virtio"); /* a machine's own disk */
	assert_int_equal(fb_station_select(&d, NULL), FB_STATION_SKIP);
	fb_dev_facts_done(&d);
}

static void test_mark_decides(void **state)
{
	struct fb_dev_facts d = stick(FB_STATION_MARK "=1");
	struct fb_dev_facts n = stick(FB_STATION_MARK "=0");

	(void)state;
	d.removable = false; /* marked: the admin wants it, fixed or not */
	assert_int_equal(fb_station_select(&d, NULL), FB_STATION_TAKE_MARKED);
	assert_int_equal(fb_station_select(&n, NULL), FB_STATION_SKIP);
	d.size = 0; /* no medium */
	assert_int_equal(fb_station_select(&d, NULL), FB_STATION_SKIP);
	d.size = 1;
	d.is_partition = true;
	assert_int_equal(fb_station_select(&d, NULL), FB_STATION_SKIP);
	fb_dev_facts_done(&d);
	fb_dev_facts_done(&n);
}

static void test_match_globs_all_must_hold(void **state)
{
	struct fb_dev_facts d = stick(FB_STATION_MARK "=0");
	char *port[] = { "ID_PATH=pci-0000:00:14.0-usb-0:2.[1-4]:*", NULL };
	char *both[] = { "ID_PATH=*usb-0:2.3*", "ID_BUS=ata", NULL };
	char *none[] = { "ID_SERIAL=*", NULL };

	(void)state;
	/* --match replaces the default, the mark too */
	assert_int_equal(fb_station_select(&d, port), FB_STATION_TAKE);
	assert_int_equal(fb_station_select(&d, both), FB_STATION_SKIP);
	assert_int_equal(fb_station_select(&d, none), FB_STATION_SKIP);
	assert_int_equal(fb_station_match_check("ID_PATH=x"), 0);
	assert_true(fb_station_match_check("ID_PATH") < 0);
	assert_true(fb_station_match_check("=x") < 0);
	fb_dev_facts_done(&d);
}

static void test_audit_line(void **state)
{
	struct fb_station_record r = { .time = 1764077402.125,
				       .device = "/dev/sdb",
				       .id_path = "pci-0000:00:14.0-usb-0:2.3",
				       .serial = "4C5\"31",
				       .image = "out/x.img",
				       .image_sha256 = "ab12",
				       .size = 100,
				       .bytes_written = 42,
				       .seconds = 1.5,
				       .result = "ok" };
	char *line = fb_station_audit_line(&r);

	(void)state;
	assert_non_null(line);
	assert_string_equal(
		line, "{\"time\": \"2025-11-25T13:30:02.125Z\", \"device\": \"/dev/sdb\", "
		      "\"id_path\": \"pci-0000:00:14.0-usb-0:2.3\", \"serial\": \"4C5\\\"31\", "
		      "\"model\": null, \"image\": \"out/x.img\", \"image_sha256\": \"ab12\", "
		      "\"signer\": null, "
		      "\"size\": 100, \"bytes_written\": 42, \"seconds\": 1.500, \"result\": "
		      "\"ok\", \"reason\": null}\n");
	free(line);
}

static void test_row_state(void **state)
{
	struct fb_station_row r = { .state = FB_STATION_WRITING, .done = 42, .total = 100 };
	char buf[128];

	(void)state;
	assert_string_equal(fb_station_row_state(&r, buf, sizeof(buf)), "writing 42 %");
	r.state = FB_STATION_FAILED;
	r.reason = "removed during write";
	assert_string_equal(fb_station_row_state(&r, buf, sizeof(buf)),
			    "failed: removed during write");
	r.state = FB_STATION_DONE;
	assert_string_equal(fb_station_row_state(&r, buf, sizeof(buf)), "done");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_removable_usb_and_sd),
		cmocka_unit_test(test_mark_decides),
		cmocka_unit_test(test_match_globs_all_must_hold),
		cmocka_unit_test(test_audit_line),
		cmocka_unit_test(test_row_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
