// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An ext4 changed in place: files made and replaced with their owner, mode
 * and bytes, directories made, a symbolic link on the way refused, a
 * filesystem that is not clean refused; e2fsck -fn finds nothing wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/entries.h"
#include "image/ext4-edit.h"
#include "image/ext4.h"
#include "testutil.h"

#define OFFSET (1 << 20)

/* img: 1 MiB of something else, then an 8 MiB ext4 of tree/ (etc/, a link out). */
static int setup(void **state)
{
	static char dir[] = "/tmp/fb-ext4-edit.XXXXXX";
	struct fb_entries *src = NULL;
	int fd;

	*state = dir;
	assert_int_equal(tu_enter_tmpdir(dir), 0);
	assert_int_equal(mkdir("tree", 0755), 0);
	assert_int_equal(mkdir("tree/etc", 0755), 0);
	tu_write("tree/etc", "hostname", "image\n");
	assert_int_equal(symlink("/etc", "tree/out"), 0);
	fd = open("img", O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, OFFSET + (8 << 20)), 0);
	assert_int_equal(pwrite(fd, "before", 6, 0), 6);
	close(fd);
	assert_int_equal(fb_entries_open("tree", NULL, &src), 0);
	assert_int_equal(fb_ext4_write("img", OFFSET, 8 << 20, "test", NULL, src), 0);
	fb_entries_free(src);
	return 0;
}

static int teardown(void **state)
{
	return tu_remove_tmpdir(*state);
}

static void assert_fsck_clean(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "e2fsck -fn 'img?offset=%d' >fsck.log 2>&1", OFFSET);
	if (system(cmd) != 0) {
		(void)system("cat fsck.log >&2");
		fail_msg("e2fsck -fn found problems");
	}
}

static void test_write_read(void **state)
{
	const struct fb_ext4_attrs key = { .mode = 0600, .uid = 1000, .gid = 1001, .mtime = 1e9 };
	const struct fb_ext4_attrs dir = { .mode = 0700, .uid = 1000, .gid = 1001, .mtime = 1e9 };
	const struct fb_ext4_attrs etc = { .mode = 0644, .mtime = 1e9 };
	struct fb_ext4_edit *e = NULL;
	struct fb_ext4_attrs got;
	char *text = NULL, big[70000];
	size_t len;

	(void)state;
	assert_int_equal(fb_ext4_edit_open("img", OFFSET, "card", true, &e), 0);
	/* replaced in place, and new */
	assert_int_equal(fb_ext4_edit_write(e, "/etc/hostname", "unit-7\n", 7, &etc), 0);
	assert_int_equal(fb_ext4_edit_mkdir(e, "/home", &etc), 0);
	assert_int_equal(fb_ext4_edit_mkdir(e, "/home/luca", &dir), 0);
	assert_int_equal(fb_ext4_edit_mkdir(e, "/home/luca/.ssh", &dir), 0);
	assert_int_equal(fb_ext4_edit_write(e, "/home/luca/.ssh/authorized_keys", "ssh-ed25519 A\n",
					    14, &key),
			 0);
	/* a file of several blocks, then the same path smaller */
	memset(big, 'x', sizeof(big));
	assert_int_equal(fb_ext4_edit_write(e, "/etc/big", big, sizeof(big), &etc), 0);
	assert_int_equal(fb_ext4_edit_write(e, "/etc/big", "small", 5, &etc), 0);
	/* an existing directory gets the attributes */
	assert_int_equal(fb_ext4_edit_mkdir(e, "/home/luca", &dir), 0);
	assert_int_equal(fb_ext4_edit_close(e), 0);

	/* read back from the disk, by a new handle */
	assert_int_equal(fb_ext4_edit_open("img", OFFSET, "card", false, &e), 0);
	assert_int_equal(fb_ext4_edit_read(e, "/etc/hostname", 4096, &text, &len), 0);
	assert_string_equal(text, "unit-7\n");
	free(text);
	assert_int_equal(fb_ext4_edit_read(e, "/etc/big", 4096, &text, &len), 0);
	assert_int_equal(len, 5);
	free(text);
	assert_int_equal(fb_ext4_edit_stat(e, "/home/luca/.ssh/authorized_keys", &got), 0);
	assert_int_equal(got.mode, 0600);
	assert_int_equal(got.uid, 1000);
	assert_int_equal(got.gid, 1001);
	assert_int_equal(got.mtime, 1000000000);
	assert_int_equal(fb_ext4_edit_stat(e, "/home/luca/.ssh", &got), 0);
	assert_int_equal(got.mode, 0700);
	assert_int_equal(fb_ext4_edit_stat(e, "/nothing", &got), -ENOENT);
	assert_int_equal(fb_ext4_edit_read(e, "/etc/nothing", 4096, &text, &len), -ENOENT);
	/* larger than asked for */
	assert_int_equal(fb_ext4_edit_read(e, "/etc/hostname", 3, &text, &len), -EFBIG);
	assert_int_equal(fb_ext4_edit_close(e), 0);
	assert_fsck_clean();
}

static void test_refusals(void **state)
{
	const struct fb_ext4_attrs a = { .mode = 0644 };
	struct fb_ext4_edit *e = NULL;
	char *text = NULL, head[6];
	size_t len;
	int fd;

	(void)state;
	assert_int_equal(fb_ext4_edit_open("img", OFFSET, "card", true, &e), 0);
	/* /out is a link to /etc: neither through it nor over it */
	assert_int_equal(fb_ext4_edit_write(e, "/out/passwd", "x", 1, &a), -ELOOP);
	assert_int_equal(fb_ext4_edit_write(e, "/out", "x", 1, &a), -ELOOP);
	assert_int_equal(fb_ext4_edit_read(e, "/out/hostname", 4096, &text, &len), -ELOOP);
	assert_int_equal(fb_ext4_edit_write(e, "/etc/../x", "x", 1, &a), -EINVAL);
	assert_int_equal(fb_ext4_edit_write(e, "/etc", "x", 1, &a), -EISDIR);
	assert_int_equal(fb_ext4_edit_write(e, "/no/such", "x", 1, &a), -ENOENT);
	assert_int_equal(fb_ext4_edit_write(e, "relative", "x", 1, &a), -EINVAL);
	assert_int_equal(fb_ext4_edit_mkdir(e, "/etc/hostname", &a), -ENOTDIR);
	assert_int_equal(fb_ext4_edit_close(e), 0);
	assert_fsck_clean();
	/* the bytes before the filesystem are not its */
	fd = open("img", O_RDONLY);
	assert_int_equal(pread(fd, head, 6, 0), 6);
	close(fd);
	assert_memory_equal(head, "before", 6);
	/* no ext4 there */
	assert_true(fb_ext4_edit_open("img", 0, "card", true, &e) < 0);
}

static void test_not_clean(void **state)
{
	struct fb_ext4_edit *e = NULL;
	char cmd[160];

	(void)state;
	/* as a mounted or crashed filesystem says: its journal needs recovery */
	snprintf(cmd, sizeof(cmd),
		 "debugfs -w -R 'feature needs_recovery' 'img?offset=%d' >/dev/null 2>&1", OFFSET);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(fb_ext4_edit_open("img", OFFSET, "card", true, &e), -EBUSY);
	snprintf(cmd, sizeof(cmd),
		 "debugfs -w -R 'feature ^needs_recovery' 'img?offset=%d' >/dev/null 2>&1", OFFSET);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(fb_ext4_edit_open("img", OFFSET, "card", true, &e), 0);
	assert_int_equal(fb_ext4_edit_close(e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_read),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_not_clean),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
