// SPDX-License-Identifier: GPL-2.0-or-later
/* Where a prebuilt GRUB image looks for grub.cfg: the prefix among its modules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "image/efi-grub.h"
#include "testutil.h"

static size_t put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
	return 4;
}

/* A fake image: padding, "mimg" info, one ELF module object, then OBJ (type, text). */
static void write_image(const char *path, uint32_t obj_type, const char *text, uint32_t size_cut)
{
	unsigned char buf[512] = { 0 };
	size_t at = 100, o = at + 24, n;
	FILE *f;

	put32(buf + at, 0x676d696d);		   /* magic */
	put32(buf + at + 8, 24);		   /* offset of the first object */
	put32(buf + o, 0), put32(buf + o + 4, 16); /* an ELF module, 8 bytes of data */
	o += 16;
	n = strlen(text) + 1;
	put32(buf + o, obj_type), put32(buf + o + 4, (uint32_t)(8 + n));
	memcpy(buf + o + 8, text, n);
	o += 8 + n;
	put32(buf + at + 16, (uint32_t)(o - at) - size_cut); /* the area's size */
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, sizeof(buf), f), sizeof(buf));
	fclose(f);
}

static void test_prefix(void **state)
{
	char dir[] = "/tmp/fb-test-efi-grub.XXXXXX";
	struct tu_capture cap;
	char *prefix = NULL;

	(void)state;
	assert_int_equal(tu_enter_tmpdir(dir), 0);
	write_image("grub.efi", 3, "/EFI/debian", 0);
	assert_int_equal(fb_grub_image_prefix("grub.efi", &prefix), 0);
	assert_string_equal(prefix, "/EFI/debian");
	free(prefix);

	/* no prefix object (a config one instead): -ENOENT, for the caller to say */
	write_image("grub.efi", 2, "set root=x", 0);
	assert_int_equal(fb_grub_image_prefix("grub.efi", &prefix), -ENOENT);
	/* an area that ends inside the object: not read past it */
	write_image("grub.efi", 3, "/EFI/debian", 4);
	assert_int_equal(fb_grub_image_prefix("grub.efi", &prefix), -ENOENT);

	/* a prefix on another device is no place in the FAT */
	write_image("grub.efi", 3, "(memdisk)/boot/grub", 0);
	tu_capture(&cap);
	assert_int_equal(fb_grub_image_prefix("grub.efi", &prefix), -EINVAL);
	assert_non_null(strstr(tu_captured(&cap), "looks for grub.cfg in '(memdisk)/boot/grub'"));
	assert_int_equal(tu_remove_tmpdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
