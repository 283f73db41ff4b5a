// SPDX-License-Identifier: GPL-2.0-or-later
/* Debian packages as sources: the spellings a profile may use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "build/deb-archive.h"
#include "build/deb-sources.h"
#include "build/deb.h"

static void test_parse_spec(void **state)
{
	struct fb_deb d = { 0 };

	(void)state;
	assert_int_equal(fb_deb_parse_spec("busybox-static", 14, "arm64", &d), 0);
	assert_string_equal(d.name, "busybox-static");
	assert_string_equal(d.arch, "arm64");
	fb_deb_done(&d);
	/* an architecture of its own wins over the board's */
	assert_int_equal(fb_deb_parse_spec("u-boot-sunxi:armhf/usr", 18, "arm64", &d), 0);
	assert_string_equal(d.name, "u-boot-sunxi");
	assert_string_equal(d.arch, "armhf");
	fb_deb_done(&d);
	assert_int_equal(fb_deb_parse_spec("libstdc++6:amd64", 16, NULL, &d), 0);
	assert_string_equal(d.name, "libstdc++6");
	fb_deb_done(&d);
	/* not package names: upper case, one letter, a leading dash, an empty arch */
	assert_int_equal(fb_deb_parse_spec("U-boot", 6, "armhf", &d), -EINVAL);
	assert_int_equal(fb_deb_parse_spec("a", 1, "armhf", &d), -EINVAL);
	assert_int_equal(fb_deb_parse_spec("-ab", 3, "armhf", &d), -EINVAL);
	assert_int_equal(fb_deb_parse_spec("grub:", 5, "armhf", &d), -EINVAL);
	assert_int_equal(fb_deb_parse_spec("grub:ARM", 8, "armhf", &d), -EINVAL);
	/* no architecture anywhere */
	assert_int_equal(fb_deb_parse_spec("grub", 4, NULL, &d), -EINVAL);
	assert_null(d.name);
}

static void test_source_split(void **state)
{
	const char *path;
	size_t len;

	(void)state;
	assert_int_equal(fb_deb_source_split("u-boot-sunxi:armhf/usr/lib/x.bin", &len, &path), 0);
	assert_int_equal(len, 18);
	assert_string_equal(path, "/usr/lib/x.bin");
	assert_int_equal(fb_deb_source_split("busybox-static/bin/busybox", &len, &path), 0);
	assert_int_equal(len, 14);
	assert_int_equal(fb_deb_source_split("busybox-static", &len, &path), -EINVAL);
	assert_int_equal(fb_deb_source_split("busybox-static/", &len, &path), -EINVAL);
	assert_int_equal(fb_deb_source_split("/bin/busybox", &len, &path), -EINVAL);
}

static void test_path_normalize(void **state)
{
	char a[] = "./usr/lib/grub/", b[] = "/boot/vmlinuz", c[] = "usr/../etc", d[] = "..",
	     e[] = "usr/lib..x/y", f[] = "./";

	(void)state;
	assert_string_equal(fb_deb_path_normalize(a), "usr/lib/grub");
	assert_string_equal(fb_deb_path_normalize(b), "boot/vmlinuz");
	assert_null(fb_deb_path_normalize(c));
	assert_null(fb_deb_path_normalize(d));
	assert_string_equal(fb_deb_path_normalize(e), "usr/lib..x/y");
	assert_string_equal(fb_deb_path_normalize(f), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_spec),
		cmocka_unit_test(test_source_split),
		cmocka_unit_test(test_path_normalize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
