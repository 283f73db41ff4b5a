// SPDX-License-Identifier: GPL-2.0-or-later
/* Refusals decided from fake device facts: what no option overrides, and what does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "device/guard.h"
#include "device/usage.h"

/* A 16 GiB USB stick, nothing mounted: writable. */
static struct fb_dev_facts stick(void)
{
	return (struct fb_dev_facts){ .node = "/dev/sdb",
				      .name = "sdb",
				      .is_block = true,
				      .size = 16ULL << 30,
				      .bus = "usb",
				      .removable = true };
}

static void test_stick_writable(void **state)
{
	struct fb_dev_facts f = stick();
	struct fb_guard_opts o = { .image_size = 1ULL << 30 };

	(void)state;
	assert_int_equal(fb_guard_decide(&f, &o), FB_REFUSE_NONE);
	f.removable = false; /* a USB disk that says it is fixed is still on a removable bus */
	assert_int_equal(fb_guard_decide(&f, &o), FB_REFUSE_NONE);
	f.bus = "mmc";
	assert_int_equal(fb_guard_decide(&f, &o), FB_REFUSE_NONE);
}

static void test_system_always_refused(void **state)
{
	struct fb_dev_facts f = stick();
	struct fb_guard_opts o = { .allow_fixed = true, .to_file = true };
	char *why;

	(void)state;
	f.system = "/ on /dev/sdb2";
	f.mounted = "/dev/sdb3 on /home";
	assert_int_equal(fb_guard_decide(&f, &o), FB_REFUSE_SYSTEM);
	why = fb_guard_reason(&f, &o, FB_REFUSE_SYSTEM);
	assert_string_equal(why, "holds the running system (/ on /dev/sdb2)");
	free(why);
	f.system = "active swap on /dev/sdb1";
	assert_int_equal(fb_guard_decide(&f, &o), FB_REFUSE_SYSTEM);
}

static void test_in_use(void **state)
{
	struct fb_dev_facts f = stick();
	struct fb_guard_opts o = { .allow_fixed = true };

	(void)state;
	f.mounted = "/dev/sdb1 on /media/x";
	assert_int_equal(fb_guard_decide(&f, &o), FB_REFUSE_MOUNTED);
	f.mounted = NULL;
	f.holder = "dm-0";
	assert_int_equal(fb_guard_decide(&f, &o), FB_REFUSE_HELD);
	f.holder = NULL;
	f.busy = true;
	assert_int_equal(fb_guard_decide(&f, &o), FB_REFUSE_BUSY);
	f.busy = false;
	f.readonly = true;
	assert_int_equal(fb_guard_decide(&f, &o), FB_REFUSE_READONLY);
}

static void test_fixed_needs_option(void **state)
{
	struct fb_dev_facts f = stick();
	struct fb_guard_opts o = { 0 };
	char *why;

	(void)state;
	f.bus = "loop";
	f.removable = false;
	assert_int_equal(fb_guard_decide(&f, &o), FB_REFUSE_FIXED);
	why = fb_guard_reason(&f, &o, FB_REFUSE_FIXED);
	assert_string_equal(why, "not removable (use --allow-fixed)");
	free(why);
	o.allow_fixed = true;
	assert_int_equal(fb_guard_decide(&f, &o), FB_REFUSE_NONE);
	f.bus = "ata";
	f.removable = true; /* a card reader on SATA says removable=1 */
	o.allow_fixed = false;
	assert_int_equal(fb_guard_decide(&f, &o), FB_REFUSE_NONE);
}

static void test_size_and_kind(void **state)
{
	struct fb_dev_facts f = stick();
	struct fb_guard_opts o = { .image_size = 32ULL << 30 };
	char *why;

	(void)state;
	assert_int_equal(fb_guard_decide(&f, &o), FB_REFUSE_SMALL);
	why = fb_guard_reason(&f, &o, FB_REFUSE_SMALL);
	assert_string_equal(why, "smaller than the image (16 GiB < 32 GiB)");
	free(why);
	o.image_size = 0;
	f.size = 0;
	assert_int_equal(fb_guard_decide(&f, &o), FB_REFUSE_NO_MEDIUM);
	f = stick();
	f.is_partition = true;
	assert_int_equal(fb_guard_decide(&f, &o), FB_REFUSE_PARTITION);
	f = (struct fb_dev_facts){ .node = "out.img", .size = 0 };
	assert_int_equal(fb_guard_decide(&f, &o), FB_REFUSE_NOT_BLOCK);
	o.to_file = true;
	assert_int_equal(fb_guard_decide(&f, &o), FB_REFUSE_NONE);
	assert_string_equal(fb_refusal_to_string(FB_REFUSE_FIXED), "not-removable");
}

static void test_unescape(void **state)
{
	char s[] = "/media/my\\040stick\\011x\\\\";

	(void)state;
	fb_usage_unescape(s);
	assert_string_equal(s, "/media/my stick\tx\\\\");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stick_writable), cmocka_unit_test(test_system_always_refused),
		cmocka_unit_test(test_in_use),	       cmocka_unit_test(test_fixed_needs_option),
		cmocka_unit_test(test_size_and_kind),  cmocka_unit_test(test_unescape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
