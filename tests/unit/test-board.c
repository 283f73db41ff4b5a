// SPDX-License-Identifier: GPL-2.0-or-later
/* Profile parsing: values, includes, and the file:line of every error. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "profile/board.h"
#include "testutil.h"

static char tmpdir[] = "/tmp/fb-test-board.XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	return chdir(tmpdir);
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char good[] = "[board]\n"
			   "include = common.conf\n"
			   "description = a test board ; inline comment\n"
			   "\n"
			   "[image]\n"
			   "layout = partitions/t.sfdisk\n"
			   "size = 64M\n"
			   "\n"
			   "[part root]\n"
			   "content = ext4\n"
			   "label = root\n"
			   "[initramfs]\n"
			   "modules = a b\n"
			   "    c\n"
			   "\td ; comment\n"
			   "modules2 = e\n"
			   "cmdline = quiet\n"
			   "  root=LABEL=root rw\n";

static void test_good(void **state)
{
	_cleanup_(fb_board_freep) struct fb_board *b = NULL;
	const struct fb_section *s;

	(void)state;
	tu_write(".", "boards/good.conf", good);
	tu_write(".", "boards/common.conf", "[board]\narch = x86_64\ndescription = base\n");
	assert_int_equal(fb_board_load("good", &b), 0);
	assert_string_equal(b->name, "good");
	assert_string_equal(b->path, "boards/good.conf");
	assert_string_equal(b->arch, "x86_64");
	assert_string_equal(b->description, "a test board"); /* the board overrides its base */
	assert_string_equal(b->layout, "partitions/t.sfdisk");
	assert_int_equal(b->size, 64 << 20);
	s = fb_board_section(b, "part", "root");
	assert_non_null(s);
	assert_string_equal(fb_section_get(s, "content")->value, "ext4");
	assert_int_equal(fb_section_get(s, "label")->line, 11);
	assert_string_equal(fb_section_get(s, "label")->file, "boards/good.conf");
	assert_null(fb_board_section(b, "part", "boot"));
	/* A section with no keys still says "this stage, with its defaults". */
	assert_non_null(fb_board_section(b, "initramfs", NULL));
	assert_int_equal(fb_board_section(b, "initramfs", NULL)->line, 12);
	/* Indented lines continue the value above, joined with spaces. */
	s = fb_board_section(b, "initramfs", NULL);
	assert_string_equal(fb_section_get(s, "modules")->value, "a b c d");
	assert_int_equal(fb_section_get(s, "modules")->line, 13);
	assert_string_equal(fb_section_get(s, "modules2")->value, "e");
	/* a continuation may hold '=' (a kernel command line) */
	assert_string_equal(fb_section_get(s, "cmdline")->value, "quiet root=LABEL=root rw");
}

/* Each bad profile and the one error line it must give. */
static const struct {
	const char *text;
	const char *error;
} bad[] = {
	{ "[board]\narch = x\nfoo = 1\n[image]\nlayout = l\nsize = 1M\n",
	  "error: boards/bad.conf:3: unknown key 'foo' for board\n" },
	{ "[board]\narch = x\n[imaeg]\nlayout = l\n",
	  "error: boards/bad.conf:3: unknown section [imaeg]\n" },
	{ "[image]\nlayout = l\nsize = 12Q\n",
	  "error: boards/bad.conf:3: bad value '12Q' for 'size': expected a size such as 512, "
	  "8K, 64M or 2G\n" },
	{ "[image]\nlayout = l\n",
	  "error: boards/bad.conf:1: [image] has no 'size' (or it is 0)\n" },
	{ "[image]\nlayout l\n", "error: boards/bad.conf:2: syntax error: expected [section] or "
				 "key = value\n" },
	{ "[part]\ncontent = ext4\n",
	  "error: boards/bad.conf:1: section [part] needs a name, as in [part NAME]\n" },
	{ "[image NAME]\nsize = 1M\n",
	  "error: boards/bad.conf:1: section [image] takes no name\n" },
	{ "size = 1M\n", "error: boards/bad.conf:1: 'size' outside of any section\n" },
	/* indented keys: inih would join the second to the first one's value */
	{ "[part root]\n  label = root\n  from = rootfs\n",
	  "error: boards/bad.conf:3: indented 'from = rootfs' would continue 'label': a key "
	  "starts its line\n" },
	{ "[part root]\nlabel = root\n\tfrom=\n",
	  "error: boards/bad.conf:3: indented 'from=' would continue 'label': a key starts its "
	  "line\n" },
	{ "[board]\ninclude = missing.conf\n",
	  "error: boards/missing.conf: cannot open: No such file or directory\n" },
	{ "[board]\ninclude = bad.conf\n", "error: boards/bad.conf:2: includes nest deeper than 8 "
					   "(a loop?)\n" },
	{ "[board]\ninclude = inc-bad.conf\n", "error: boards/inc-bad.conf:1: unknown section "
					       "[nope]\n" },
};

static void test_bad(void **state)
{
	(void)state;
	tu_write(".", "boards/inc-bad.conf", "[nope]\nx = 1\n");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		_cleanup_(fb_board_freep) struct fb_board *b = NULL;
		struct tu_capture c;

		tu_write(".", "boards/bad.conf", bad[i].text);
		tu_capture(&c);
		assert_true(fb_board_load("bad", &b) < 0);
		assert_string_equal(tu_captured(&c), bad[i].error);
		assert_null(b);
	}
}

/* power-of-two = yes rounds the size up (QEMU's SD card); a power of two stays. */
static void test_power_of_two(void **state)
{
	static const struct {
		const char *size;
		uint64_t want;
	} cases[] = {
		{ "100M", 128 << 20 },
		{ "128M", 128 << 20 },
		{ "129M", 256 << 20 },
		{ "1", 1 },
		{ "3", 4 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_(fb_board_freep) struct fb_board *b = NULL;
		char text[128];

		snprintf(text, sizeof(text), "[image]\nlayout = l\nsize = %s\npower-of-two = yes\n",
			 cases[i].size);
		tu_write(".", "boards/p2.conf", text);
		assert_int_equal(fb_board_load("p2", &b), 0);
		assert_true(b->power_of_two);
		assert_int_equal(b->size, cases[i].want);
	}
}

static void test_missing_board(void **state)
{
	struct fb_board *b = NULL;
	struct tu_capture c;

	(void)state;
	tu_capture(&c);
	assert_int_equal(fb_board_load("nosuch", &b), -EINVAL);
	assert_non_null(strstr(tu_captured(&c), "boards/nosuch.conf: no such board profile"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_power_of_two),
		cmocka_unit_test(test_missing_board),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
