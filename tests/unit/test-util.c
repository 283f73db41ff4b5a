// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>

#include "core/util.h"

static void test_parse_size(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(fb_parse_size("512", &v), 0);
	assert_int_equal(v, 512);
	assert_int_equal(fb_parse_size("8K", &v), 0);
	assert_int_equal(v, 8192);
	assert_int_equal(fb_parse_size("64M", &v), 0);
	assert_int_equal(v, 64ULL << 20);
	assert_int_equal(fb_parse_size("2GiB", &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(fb_parse_size("1t", &v), 0);
	assert_int_equal(v, 1ULL << 40);
	assert_int_equal(fb_parse_size("", &v), -EINVAL);
	assert_int_equal(fb_parse_size("-1", &v), -EINVAL);
	assert_int_equal(fb_parse_size("12Q", &v), -EINVAL);
	assert_int_equal(fb_parse_size("1MX", &v), -EINVAL);
	assert_int_equal(fb_parse_size("99999999999999999999", &v), -ERANGE);
	assert_int_equal(fb_parse_size("17000000000E", &v), -ERANGE);
}

static void test_parse_percent(void **state)
{
	double d;

	(void)state;
	assert_int_equal(fb_parse_percent("5", &d), 0);
	assert_true(d == 5.0);
	assert_int_equal(fb_parse_percent("0.5%", &d), 0);
	assert_true(d == 0.5);
	assert_int_equal(fb_parse_percent("51", &d), -ERANGE);
	assert_int_equal(fb_parse_percent("5%%", &d), -EINVAL);
	assert_int_equal(fb_parse_percent("x", &d), -EINVAL);
}

static void test_parse_uuid(void **state)
{
	uint8_t u[16];

	(void)state;
	assert_int_equal(fb_parse_uuid("0fc63daf-8483-4772-8e79-3D69D8477DE4", u), 0);
	assert_int_equal(u[0], 0x0f);
	assert_int_equal(u[15], 0xe4);
	assert_int_equal(fb_parse_uuid("0fc63daf-8483-4772-8e79-3d69d8477de", u), -EINVAL);
	assert_int_equal(fb_parse_uuid("0fc63daf+8483-4772-8e79-3d69d8477de4", u), -EINVAL);
	assert_int_equal(fb_parse_uuid("0fc63daf-8483-4772-8e79-3d69d8477dz4", u), -EINVAL);
}

static void test_parse_bool(void **state)
{
	bool b;

	(void)state;
	assert_int_equal(fb_parse_bool("Yes", &b), 0);
	assert_true(b);
	assert_int_equal(fb_parse_bool("off", &b), 0);
	assert_false(b);
	assert_int_equal(fb_parse_bool("maybe", &b), -EINVAL);
}

static void test_format_size(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(fb_format_size(512, buf, sizeof(buf)), "512 B");
	assert_string_equal(fb_format_size(64ULL << 20, buf, sizeof(buf)), "64 MiB");
	assert_string_equal(fb_format_size(3ULL << 29, buf, sizeof(buf)), "1.5 GiB");
}

static void test_path_join(void **state)
{
	char *p;

	(void)state;
	p = fb_path_join("a/b", "c");
	assert_string_equal(p, "a/b/c");
	free(p);
	p = fb_path_join("a/b/", "c");
	assert_string_equal(p, "a/b/c");
	free(p);
	p = fb_path_join("a", "/abs");
	assert_string_equal(p, "/abs");
	free(p);
	p = fb_path_join(NULL, "c");
	assert_string_equal(p, "c");
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_size),  cmocka_unit_test(test_parse_percent),
		cmocka_unit_test(test_parse_uuid),  cmocka_unit_test(test_parse_bool),
		cmocka_unit_test(test_format_size), cmocka_unit_test(test_path_join),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
