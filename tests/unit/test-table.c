// SPDX-License-Identifier: GPL-2.0-or-later
/* Layouts applied with libfdisk to a sparse file: offsets, names, and errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <libfdisk.h>
#include <stdlib.h>
#include <string.h>

#include "image/table.h"
#include "testutil.h"

static char tmpdir[] = "/tmp/fb-test-table.XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir) || chdir(tmpdir) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void make_image(uint64_t size)
{
	int fd = open("img", O_RDWR | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	close(fd);
}

static void test_gpt(void **state)
{
	_cleanup_(fb_table_freep) struct fb_table *t = NULL;
	const struct fb_table_part *p;

	(void)state;
	tu_write(".", "gpt.sfdisk",
		 "label: gpt\n\nstart=2048, size=32M, type=uefi, name=boot\n"
		 "size=16M, type=linux, name=root\n");
	make_image(64 << 20);
	assert_int_equal(fb_table_plan("gpt.sfdisk", "img", "test", &t), 0);
	assert_string_equal(t->label, "gpt");
	assert_int_equal(t->n_parts, 2);
	p = fb_table_find_name(t, "root");
	assert_non_null(p);
	assert_int_equal(p->partno, 2);
	assert_int_equal(p->start, (1 << 20) + (32 << 20));
	assert_int_equal(p->size, 16 << 20);
	assert_int_equal(p->line, 4);
	assert_string_equal(p->type, "0FC63DAF-8483-4772-8E79-3D69D8477DE4");
	/* protective MBR + header + 128 entries, and the backup at the end */
	assert_int_equal(t->n_reserved, 2);
	assert_int_equal(t->reserved[0].start, 0);
	assert_int_equal(t->reserved[0].end, 34 * 512);
	assert_int_equal(t->reserved[1].start, (64 << 20) - 33 * 512);
	assert_int_equal(t->reserved[1].end, 64 << 20);
	assert_int_equal(fb_table_write(t), 0);
}

static void test_dos(void **state)
{
	_cleanup_(fb_table_freep) struct fb_table *t = NULL;
	const struct fb_table_part *p;

	(void)state;
	tu_write(".", "dos.sfdisk",
		 "label: dos\n# a comment\nstart=4M, size=8M, type=c, bootable\n"
		 "type=83\n");
	make_image(64 << 20);
	assert_int_equal(fb_table_plan("dos.sfdisk", "img", "test", &t), 0);
	assert_string_equal(t->label, "dos");
	/* As sfdisk does it: a partition without start= takes the first free gap. */
	p = fb_table_find_partno(t, 2);
	assert_non_null(p);
	assert_null(p->name);
	assert_int_equal(p->start, 1 << 20);
	assert_int_equal(p->size, 3 << 20);
	assert_int_equal(p->line, 4);
	/* PARTUUID: the disk id (from the seed) and the number, as the kernel spells it */
	assert_non_null(p->uuid);
	assert_int_equal(strlen(p->uuid), 11);
	assert_string_equal(p->uuid + 8, "-02");
	assert_memory_equal(fb_table_find_partno(t, 1)->uuid, p->uuid, 9);
	assert_string_equal(fb_table_find_partno(t, 1)->uuid + 8, "-01");
	assert_int_equal(fb_table_find_partno(t, 1)->start, 4 << 20);
	assert_int_equal(t->n_reserved, 1);
	assert_int_equal(t->reserved[0].end, 512);
}

/* The disk id and partition 1's UUID that SCRIPT gets with SEED, as "ID UUID". */
static char *planned_ids(const char *script, const char *seed)
{
	_cleanup_(fb_table_freep) struct fb_table *t = NULL;
	struct fdisk_partition *pa = NULL;
	char *id = NULL, *out = NULL;

	tu_write(".", "ids.sfdisk", script);
	make_image(16 << 20);
	assert_int_equal(fb_table_plan("ids.sfdisk", "img", seed, &t), 0);
	assert_int_equal(fdisk_get_disklabel_id(t->cxt, &id), 0);
	assert_int_equal(fdisk_get_partition(t->cxt, 0, &pa), 0);
	assert_true(asprintf(&out, "%s %s", id,
			     fdisk_partition_get_uuid(pa) ? fdisk_partition_get_uuid(pa) : "-") >
		    0);
	fdisk_unref_partition(pa);
	free(id);
	return out;
}

/* What fdisk draws at random comes from the seed; what the script gives is kept. */
static void test_ids(void **state)
{
	static const char gpt[] = "label: gpt\nsize=4M, name=a\n";
	char *a = planned_ids(gpt, "one"), *b = planned_ids(gpt, "one"),
	     *c = planned_ids(gpt, "two"), *d, *e;

	(void)state;
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), 36 + 1 + 36);
	d = planned_ids("label: gpt\nlabel-id: 11111111-2222-4333-8444-555555555555\n"
			"size=4M, uuid=66666666-7777-4888-8999-AAAAAAAAAAAA\n",
			"one");
	assert_string_equal(d, "11111111-2222-4333-8444-555555555555 "
			       "66666666-7777-4888-8999-AAAAAAAAAAAA");
	e = planned_ids("label: dos\nsize=4M\n", "one");
	assert_int_equal(strlen(e), strlen("0x12345678 -"));
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
}

static const struct {
	const char *script;
	const char *error;
} bad[] = {
	{ "label: gpt\nstart=2048, size=8M\nstart=4096, size=8M\n",
	  "error: bad.sfdisk:3: partition 2 (sectors 4096-20479) overlaps partition 1 (sectors "
	  "2048-18431)\n" },
	{ "label: dos\nstart=2048, size=20M\nsize=20M\n",
	  "error: bad.sfdisk:3: cannot place partition 2: No free sectors available.\n" },
	{ "label: gpt\nsize=8M, type=whatever\n",
	  "error: bad.sfdisk:2: partition 1: unknown type 'whatever' for a gpt table\n" },
	{ "label: gpt\n\nsize=8M\nsize=8Q\n", "error: bad.sfdisk:4: cannot parse sfdisk script "
					      "line\n" },
	{ "label: gpt\n", "error: bad.sfdisk: the layout has no partitions\n" },
	{ "start=2048, size=8M\n", "error: bad.sfdisk: no 'label: gpt' or 'label: dos' header\n" },
};

static void test_bad(void **state)
{
	(void)state;
	make_image(32 << 20);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		_cleanup_(fb_table_freep) struct fb_table *t = NULL;
		struct tu_capture c;

		tu_write(".", "bad.sfdisk", bad[i].script);
		tu_capture(&c);
		assert_true(fb_table_plan("bad.sfdisk", "img", "test", &t) < 0);
		assert_string_equal(tu_captured(&c), bad[i].error);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpt),
		cmocka_unit_test(test_dos),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
