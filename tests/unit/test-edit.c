// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * profile/edit.c: a word added to a list where the profile sets it (kernel
 * --save), every other byte of the file as it was.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "profile/board.h"
#include "profile/edit.h"
#include "testutil.h"

static char tmpdir[] = "/tmp/fb-test-edit.XXXXXX";

static int setup(void **state)
{
	(void)state;
	return tu_enter_tmpdir(tmpdir);
}

static int teardown(void **state)
{
	(void)state;
	return tu_remove_tmpdir(tmpdir);
}

static const char head[] = "[board]\narch = x86_64\n";

/* boards/e.conf as HEAD + BEFORE, WORD appended to [kernel] fragments: HEAD + AFTER. */
static void check(const char *before, const char *after)
{
	_cleanup_(fb_board_freep) struct fb_board *b = NULL;
	char text[2048], want[2048], have[2048] = "";
	FILE *f;
	size_t n;

	snprintf(text, sizeof(text), "%s%s", head, before);
	snprintf(want, sizeof(want), "%s%s", head, after);
	tu_write(".", "boards/e.conf", text);
	chmod("boards/e.conf", 0640);
	assert_int_equal(fb_board_load("e", &b), 0);
	assert_int_equal(
		fb_board_append_word(b, "kernel", "fragments", "boards/kernel/e-local.config"), 0);
	f = fopen("boards/e.conf", "r");
	assert_non_null(f);
	n = fread(have, 1, sizeof(have) - 1, f);
	have[n] = '\0';
	fclose(f);
	assert_string_equal(have, want);
	struct stat st;
	assert_int_equal(stat("boards/e.conf", &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	/* and the profile says so */
	b = fb_board_free(b);
	assert_int_equal(fb_board_load("e", &b), 0);
	const struct fb_kv *kv = fb_section_get(fb_board_section(b, "kernel", NULL), "fragments");
	assert_non_null(kv);
	assert_non_null(strstr(kv->value, "boards/kernel/e-local.config"));
}

static void test_append(void **state)
{
	(void)state;
	/* one line, a comment after it: the word before the comment */
	check("[kernel]\nfragments = a.config b.config  ; mine\ncmdline = quiet\n",
	      "[kernel]\nfragments = a.config b.config boards/kernel/e-local.config  ; mine\n"
	      "cmdline = quiet\n");
	/* continuation lines: after the last one, so it stays the last fragment */
	check("[kernel]\nfragments = a.config\n    b.config\n\tc.config\n; note\ncmdline = quiet\n",
	      "[kernel]\nfragments = a.config\n    b.config\n\tc.config "
	      "boards/kernel/e-local.config\n"
	      "; note\ncmdline = quiet\n");
	/* a key given twice: the last one counts, and gets it */
	check("[kernel]\nfragments = a.config\nfragments = b.config\n",
	      "[kernel]\nfragments = a.config\nfragments = b.config "
	      "boards/kernel/e-local.config\n");
	/* no fragments yet: a line of its own under the header */
	check("[kernel]\ncmdline = quiet\n",
	      "[kernel]\nfragments = boards/kernel/e-local.config\ncmdline = quiet\n");
	/* the header the file's last line, without a newline */
	check("[kernel]", "[kernel]\nfragments = boards/kernel/e-local.config\n");
}

static void test_no_section(void **state)
{
	_cleanup_(fb_board_freep) struct fb_board *b = NULL;
	struct tu_capture c;

	(void)state;
	tu_write(".", "boards/n.conf", head);
	assert_int_equal(fb_board_load("n", &b), 0);
	tu_capture(&c);
	assert_true(fb_board_append_word(b, "kernel", "fragments", "x") < 0);
	assert_string_equal(tu_captured(&c), "error: boards/n.conf: has no [kernel] section\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_no_section),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
