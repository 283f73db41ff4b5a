// SPDX-License-Identifier: GPL-2.0-or-later
/* config.txt of the Raspberry Pi firmware: filters, the last setting winning, a key set twice. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "profile/rpi-config.h"

static const char *const pi3b[] = { "pi3", "board-type=0x8", NULL };
static const char *const pi4b[] = { "pi4", "board-type=0x11", NULL };

static const char *value(const struct fb_rpi_config *c, const char *const *model, const char *key)
{
	const struct fb_rpi_setting *st = fb_rpi_config_get(c, model, key);

	return st ? st->value : NULL;
}

static void test_filters(void **state)
{
	struct fb_rpi_config c = { 0 };

	(void)state;
	assert_int_equal(fb_rpi_config_parse("config.txt",
					     "# comment\n"
					     "arm_64bit=1\n"
					     "  enable_uart = 1  \n"
					     "[pi3]\n"
					     "device_tree=bcm2837-rpi-3-b.dtb\n"
					     "[board-type=0x11]\n"
					     "device_tree=bcm2711-rpi-4-b.dtb\n"
					     "[none]\n"
					     "kernel=never.img\n"
					     "[all]\n"
					     "kernel=vmlinuz\n"
					     "initramfs initrd.img followkernel\n"
					     "dtoverlay=a\n"
					     "dtoverlay=b\n",
					     true, &c),
			 0);
	assert_string_equal(value(&c, pi3b, "arm_64bit"), "1");
	assert_string_equal(value(&c, pi3b, "enable_uart"), "1");
	assert_string_equal(value(&c, pi3b, "device_tree"), "bcm2837-rpi-3-b.dtb");
	assert_string_equal(value(&c, pi4b, "device_tree"), "bcm2711-rpi-4-b.dtb");
	/* [none] applies to no model; the later [all] one wins */
	assert_string_equal(value(&c, pi3b, "kernel"), "vmlinuz");
	assert_string_equal(value(&c, pi3b, "initramfs"), "initrd.img followkernel");
	/* dtoverlay adds up: the last is what get() returns, both were kept */
	assert_string_equal(value(&c, pi3b, "dtoverlay"), "b");
	assert_null(value(&c, pi3b, "cmdline"));
	assert_int_equal(fb_rpi_config_find(&c, "kernel")->line, 9);
	fb_rpi_config_done(&c);
}

static void test_twice(void **state)
{
	struct fb_rpi_config c = { 0 };

	(void)state;
	/* the same key under the same filter, in two sections of that filter */
	assert_int_equal(fb_rpi_config_parse("b.txt",
					     "[pi4]\narm_64bit=1\n[all]\nx=1\n[pi4]\n"
					     "arm_64bit=0\n",
					     true, &c),
			 -EINVAL);
	/* the same key under different filters is how models differ */
	assert_int_equal(fb_rpi_config_parse("b.txt",
					     "[pi3]\ndevice_tree=a\n[pi4]\n"
					     "device_tree=b\n",
					     true, &c),
			 0);
	fb_rpi_config_done(&c);
	/* a card's own file is read as the firmware reads it: the last wins */
	assert_int_equal(fb_rpi_config_parse("card", "kernel=a\nkernel=b\n", false, &c), 0);
	assert_string_equal(value(&c, pi3b, "kernel"), "b");
	fb_rpi_config_done(&c);
}

static void test_bad_lines(void **state)
{
	struct fb_rpi_config c = { 0 };

	(void)state;
	assert_int_equal(fb_rpi_config_parse("b.txt", "arm_64bit\n", true, &c), -EINVAL);
	assert_int_equal(fb_rpi_config_parse("b.txt", "[pi4\n", true, &c), -EINVAL);
	assert_int_equal(fb_rpi_config_parse("b.txt", "=1\n", true, &c), -EINVAL);
	assert_int_equal(fb_rpi_config_parse("b.txt", "initramfs\n", true, &c), -EINVAL);
	assert_null(c.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_twice),
		cmocka_unit_test(test_bad_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
