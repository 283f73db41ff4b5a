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

#include "core/ids.h"
#include "core/log.h"
#include "core/util.h"
#include "testutil.h"

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

static void test_source_date_epoch(void **state)
{
	int64_t t = 0;

	(void)state;
	unsetenv("SOURCE_DATE_EPOCH");
	assert_int_equal(fb_source_date_epoch(&t), 0);
	assert_int_equal(t, FB_DEFAULT_EPOCH);
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	assert_int_equal(fb_source_date_epoch(&t), 0);
	assert_int_equal(t, 1700000000);
	t = 7;
	setenv("SOURCE_DATE_EPOCH", "", 1);
	assert_int_equal(fb_source_date_epoch(&t), -EINVAL);
	setenv("SOURCE_DATE_EPOCH", "17e8", 1);
	assert_int_equal(fb_source_date_epoch(&t), -EINVAL);
	setenv("SOURCE_DATE_EPOCH", "0", 1); /* before FAT's 1980 */
	assert_int_equal(fb_source_date_epoch(&t), -EINVAL);
	setenv("SOURCE_DATE_EPOCH", "4102444800", 1); /* 2100 */
	assert_int_equal(fb_source_date_epoch(&t), -EINVAL);
	assert_int_equal(t, 7);
	unsetenv("SOURCE_DATE_EPOCH");
}

static void test_copy_file(void **state)
{
	char dir[] = "/tmp/fb-test-util.XXXXXX", src[64], dst[64], empty[64], buf[16] = "";
	struct stat st;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	tu_write(dir, "src", "0123456789");
	snprintf(src, sizeof(src), "%s/src", dir);
	snprintf(dst, sizeof(dst), "%s/dst", dir);
	assert_int_equal(fb_copy_file(src, dst, 0600), 0);
	fd = open(dst, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 10);
	close(fd);
	assert_string_equal(buf, "0123456789");
	assert_int_equal(stat(dst, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* never over an existing file; a missing source */
	assert_int_equal(fb_copy_file(src, dst, 0600), -EEXIST);
	assert_int_equal(fb_copy_file(dst, src, 0600), -EEXIST);
	snprintf(empty, sizeof(empty), "%s/nosuch", dir);
	assert_int_equal(fb_copy_file(empty, empty, 0600), -ENOENT);
	/* an empty file */
	tu_write(dir, "empty", "");
	snprintf(empty, sizeof(empty), "%s/empty", dir);
	snprintf(dst, sizeof(dst), "%s/empty2", dir);
	assert_int_equal(fb_copy_file(empty, dst, 0644), 0);
	assert_int_equal(stat(dst, &st), 0);
	assert_int_equal(st.st_size, 0);
	fb_rm_rf(dir);
}

static void test_ids(void **state)
{
	uint8_t a[16], b[16], c[16];
	char s[FB_UUID_STR_LEN + 1];

	(void)state;
	assert_int_equal(fb_id_uuid("x86-usb", "ext4 root uuid", a), 0);
	assert_int_equal(fb_id_uuid("x86-usb", "ext4 root uuid", b), 0);
	assert_memory_equal(a, b, 16);
	/* another purpose, another seed, or the same text split elsewhere: another id */
	assert_int_equal(fb_id_uuid("x86-usb", "ext4 boot uuid", c), 0);
	assert_memory_not_equal(a, c, 16);
	assert_int_equal(fb_id_uuid("x86-usb2", "ext4 root uuid", c), 0);
	assert_memory_not_equal(a, c, 16);
	assert_int_equal(fb_id_derive("ab", "c", b), 0);
	assert_int_equal(fb_id_derive("a", "bc", c), 0);
	assert_memory_not_equal(b, c, 16);
	/* shaped as a version 4, RFC 4122 variant UUID, and read back */
	fb_uuid_format(a, s);
	assert_int_equal(strlen(s), 36);
	assert_int_equal(s[14], '4');
	assert_true(strchr("89ab", s[19]) != NULL);
	assert_int_equal(fb_parse_uuid(s, b), 0);
	assert_memory_equal(a, b, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_size),	  cmocka_unit_test(test_parse_percent),
		cmocka_unit_test(test_parse_uuid),	  cmocka_unit_test(test_parse_bool),
		cmocka_unit_test(test_format_size),	  cmocka_unit_test(test_path_join),
		cmocka_unit_test(test_source_date_epoch), cmocka_unit_test(test_ids),
		cmocka_unit_test(test_copy_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
