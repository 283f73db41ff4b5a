// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kconfig fragments against the .config Kbuild made of them (kconfig.c),
 * and the one-line errors of a bad [kernel] section, which are all found
 * before anything is built or run.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel/kconfig.h"
#include "kernel/kernel.h"
#include "testutil.h"

static char tmpdir[] = "/tmp/fb-test-kconfig.XXXXXX";

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

static void check_line(const char *line, int want, const char *name, const char *value)
{
	char *n = NULL, *v = NULL;

	assert_int_equal(fb_kconfig_parse_line(line, &n, &v), want);
	if (want == 1) {
		assert_string_equal(n, name);
		assert_string_equal(v, value);
	} else {
		assert_null(n);
		assert_null(v);
	}
	free(n);
	free(v);
}

static void test_parse_line(void **state)
{
	(void)state;
	check_line("CONFIG_EXT4_FS=y", 1, "CONFIG_EXT4_FS", "y");
	check_line("CONFIG_EXT4_FS=m\n", 1, "CONFIG_EXT4_FS", "m");
	check_line("CONFIG_LOG_BUF_SHIFT=17  \r\n", 1, "CONFIG_LOG_BUF_SHIFT", "17");
	check_line("CONFIG_CMDLINE=\"console=ttyS0 quiet\"", 1, "CONFIG_CMDLINE",
		   "\"console=ttyS0 quiet\"");
	check_line("CONFIG_PHYS=0x1000000", 1, "CONFIG_PHYS", "0x1000000");
	check_line("CONFIG_64BIT=y", 1, "CONFIG_64BIT", "y");
	check_line("# CONFIG_KERNEL_XZ is not set", 1, "CONFIG_KERNEL_XZ", "n");
	check_line("CONFIG_ACPI=n", 1, "CONFIG_ACPI", "n");
	check_line("", 0, NULL, NULL);
	check_line("   \t", 0, NULL, NULL);
	check_line("# a comment", 0, NULL, NULL);
	check_line("# CONFIG_X is set to something", 0, NULL, NULL);
	check_line("#\n", 0, NULL, NULL);
	check_line("CONFIG_X y", -EINVAL, NULL, NULL);
	check_line("CONFIG_X=", -EINVAL, NULL, NULL);
	check_line("CONFIG_=y", -EINVAL, NULL, NULL);
	check_line("EXT4_FS=y", -EINVAL, NULL, NULL);
	check_line("CONFIG_X-Y=y", -EINVAL, NULL, NULL);
}

static void test_parse_override(void **state)
{
	_cleanup_(fb_kconfig_free) struct fb_kconfig k = { 0 };
	unsigned line = 0;

	(void)state;
	assert_int_equal(fb_kconfig_parse(&k, "# base\nCONFIG_A=y\nCONFIG_B=y\n", "base", &line),
			 0);
	assert_int_equal(fb_kconfig_parse(&k, "\n# CONFIG_A is not set\nCONFIG_C=m", "frag", &line),
			 0);
	assert_int_equal(k.n, 3);
	assert_string_equal(fb_kconfig_get(&k, "CONFIG_A"), "n");
	assert_string_equal(fb_kconfig_get(&k, "CONFIG_B"), "y");
	assert_string_equal(fb_kconfig_get(&k, "CONFIG_C"), "m");
	assert_null(fb_kconfig_get(&k, "CONFIG_D"));
	/* The line that counts is the last one that set it. */
	assert_string_equal(k.syms[0]->file, "frag");
	assert_int_equal(k.syms[0]->line, 2);
}

static void test_parse_error(void **state)
{
	_cleanup_(fb_kconfig_free) struct fb_kconfig k = { 0 };
	unsigned line = 0;

	(void)state;
	assert_int_equal(fb_kconfig_parse(&k, "CONFIG_A=y\n\n# x\nCONFIG_B y\n", "f", &line),
			 -EINVAL);
	assert_int_equal(line, 4);
}

/* WANT (fragments, in order) against HAVE (a .config): the first mismatch's file:line. */
static void check_mismatch(const char *want1, const char *want2, const char *have, const char *file,
			   unsigned line)
{
	_cleanup_(fb_kconfig_free) struct fb_kconfig w = { 0 }, h = { 0 };
	const struct fb_kconfig_sym *s;
	unsigned l = 0;

	assert_int_equal(fb_kconfig_parse(&w, want1, "one.config", &l), 0);
	assert_int_equal(fb_kconfig_parse(&w, want2, "two.config", &l), 0);
	assert_int_equal(fb_kconfig_parse(&h, have, ".config", &l), 0);
	s = fb_kconfig_first_mismatch(&w, &h);
	if (!file) {
		assert_null(s);
		return;
	}
	assert_non_null(s);
	assert_string_equal(s->file, file);
	assert_int_equal(s->line, line);
}

static void test_mismatch(void **state)
{
	static const char have[] = "CONFIG_A=y\n"
				   "# CONFIG_B is not set\n"
				   "CONFIG_C=m\n"
				   "CONFIG_S=\"x y\"\n"
				   "CONFIG_H=0x10\n";

	(void)state;
	check_mismatch("CONFIG_A=y\n", "CONFIG_C=m\nCONFIG_S=\"x y\"\nCONFIG_H=0x10\n", have, NULL,
		       0);
	/* "is not set" matches a symbol that is not set, and one that is not there at all. */
	check_mismatch("# CONFIG_B is not set\nCONFIG_Z=n\n", "# CONFIG_GONE is not set\n", have,
		       NULL, 0);
	/* Dropped: not there, or not set. */
	check_mismatch("CONFIG_A=y\nCONFIG_NEW=y\n", "", have, "one.config", 2);
	check_mismatch("CONFIG_A=y\n", "\nCONFIG_B=y\n", have, "two.config", 2);
	/* Changed: y -> m, another string, set although a fragment says not. */
	check_mismatch("CONFIG_C=y\n", "", have, "one.config", 1);
	check_mismatch("", "CONFIG_S=\"x\"\n", have, "two.config", 1);
	check_mismatch("# CONFIG_A is not set\n", "", have, "one.config", 1);
	/* A later fragment overrides an earlier one: only its word is checked. */
	check_mismatch("CONFIG_B=y\n", "# CONFIG_B is not set\n", have, NULL, 0);
	/* The first in the order the lines that count were read. */
	check_mismatch("CONFIG_X1=y\nCONFIG_A=y\n", "CONFIG_X2=y\nCONFIG_X1=y\n", have,
		       "two.config", 1);
}

/* A [kernel] section's errors: one line naming the file and line. */
static const struct {
	const char *kernel;
	const char *error;
} bad[] = {
	{ "sourc = x\n", "error: boards/k.conf:7: unknown key 'sourc' for [kernel]\n" },
	{ "source = /nonexistent/linux\n",
	  "error: boards/k.conf:7: cannot read kernel source '/nonexistent/linux': No such file "
	  "or directory\n" },
	{ "source = linux-source-0.1\n",
	  "error: boards/k.conf:7: cannot read kernel source '/usr/src/linux-source-0.1.tar.xz' "
	  "(apt-get install linux-source-0.1): No such file or directory\n" },
	{ "source = tree\n", "error: boards/k.conf:7: 'TMP/tree' is not a kernel tree: it has no "
			     "scripts/kconfig/merge_config.sh\n" },
	{ "source = ktree\n",
	  "error: boards/k.conf:7: kernel tree 'TMP/ktree' was configured in place (it has a "
	  ".config): run 'make mrproper' there, flashbuild builds out of tree\n" },
	{ "source = deb:linux-image-amd64\nfragments = a.config\n",
	  "error: boards/k.conf:8: a prebuilt kernel (source = deb:...) takes no 'fragments'\n" },
	{ "source = ktree2\nconfig = nope/x.config\n",
	  "error: boards/k.conf:8: cannot read kernel config 'nope/x.config': No such file or "
	  "directory\n" },
	{ "source = ktree2\nfragments = a.config nope.config\n",
	  "error: boards/k.conf:8: cannot read config fragment 'nope.config': No such file or "
	  "directory\n" },
	{ "source = ktree2\nfragments = a.config bad.config\n",
	  "error: bad.config:3: not a Kconfig line: expected CONFIG_NAME=value or '# CONFIG_NAME "
	  "is not set'\n" },
	{ "source = ktree2\nimage = ../bzImage\n",
	  "error: boards/k.conf:8: 'image' is a make target such as bzImage, not a path\n" },
	{ "source = ktree2\ncompiler = tcc\n",
	  "error: boards/k.conf:8: compiler = tcc: expected gcc, ccache, distcc or icecc\n" },
	{ "source = deb:linux-image-amd64\ncompiler = ccache\n",
	  "error: boards/k.conf:8: a prebuilt kernel (source = deb:...) takes no 'compiler'\n" },
};

/* "TMP" in WANT stands for the test's directory. */
static void assert_error(const char *have, const char *want)
{
	char buf[1024];
	const char *t = strstr(want, "TMP");

	if (t)
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(t - want), want, tmpdir, t + 3);
	assert_string_equal(have, t ? buf : want);
}

/* A symbol as a fragment's line, as Kconfig writes it. */
static void test_line(void **state)
{
	_cleanup_(fb_kconfig_free) struct fb_kconfig k = { 0 };
	unsigned line = 0;
	char *a, *b;

	(void)state;
	assert_int_equal(
		fb_kconfig_parse(&k, "# CONFIG_A is not set\nCONFIG_B=\"x y\"\n", "f", &line), 0);
	a = fb_kconfig_line(fb_kconfig_find(&k, "CONFIG_A"));
	b = fb_kconfig_line(fb_kconfig_find(&k, "CONFIG_B"));
	assert_string_equal(a, "# CONFIG_A is not set");
	assert_string_equal(b, "CONFIG_B=\"x y\"");
	assert_null(fb_kconfig_find(&k, "CONFIG_C"));
	free(a);
	free(b);
}

static void test_kernel_section(void **state)
{
	static const char head[] = "[board]\narch = x86_64\n[image]\nlayout = l\nsize = 1M\n"
				   "[kernel]\n";
	char text[1024];

	(void)state;
	assert_int_equal(system("mkdir -p ktree/scripts/kconfig ktree2/scripts/kconfig"), 0);
	tu_write(".", "tree/Makefile", "");
	tu_write(".", "ktree/.config", "");
	tu_write(".", "ktree/scripts/kconfig/merge_config.sh", "");
	tu_write(".", "ktree2/scripts/kconfig/merge_config.sh", "");
	tu_write(".", "a.config", "CONFIG_A=y\n");
	tu_write(".", "bad.config", "# ok\nCONFIG_A=y\nCONFIG_B\n");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		_cleanup_(fb_board_freep) struct fb_board *bd = NULL;
		struct fb_cache cache = { 0 };
		struct fb_stage_env env = { .cache = &cache, .timestamp = -1 };
		struct fb_kernel k = { 0 };
		struct tu_capture c;

		snprintf(text, sizeof(text), "%s%s", head, bad[i].kernel);
		tu_write(".", "boards/k.conf", text);
		assert_int_equal(fb_board_load("k", &bd), 0);
		tu_capture(&c);
		assert_true(fb_kernel_stage(bd, &env, &k) < 0);
		assert_error(tu_captured(&c), bad[i].error);
		assert_null(k.art.dir);
		assert_null(k.image);
		assert_null(k.cmdline);
	}
}

static void test_no_kernel(void **state)
{
	_cleanup_(fb_board_freep) struct fb_board *bd = NULL;
	struct fb_cache cache = { 0 };
	struct fb_stage_env env = { .cache = &cache, .timestamp = -1 };
	struct fb_kernel k = { 0 };

	(void)state;
	tu_write(".", "boards/nok.conf",
		 "[board]\narch = x86_64\n[image]\nlayout = l\nsize = 1M\n");
	assert_int_equal(fb_board_load("nok", &bd), 0);
	assert_int_equal(fb_kernel_stage(bd, &env, &k), 0);
	assert_null(k.art.dir);
	assert_null(k.image);
	assert_null(k.cmdline);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_line),     cmocka_unit_test(test_parse_override),
		cmocka_unit_test(test_parse_error),    cmocka_unit_test(test_mismatch),
		cmocka_unit_test(test_kernel_section), cmocka_unit_test(test_no_kernel),
		cmocka_unit_test(test_line),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
