// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Archive -> ext4 (src/image/entries.c, ext4*.c): the input is a tar or
 * cpio (any format libarchive reads), written into a fresh 8 MiB ext4 at
 * an offset inside a sparse temporary image, as a partition would be.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "image/entries.h"
#include "image/ext4.h"

#define OFFSET	(1ULL << 20)
#define FS_SIZE (8ULL << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t id[16] = { 0xfb, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	const struct fb_ext4_opts opts = {
		.uuid = id,
		.hash_seed = id,
		.reserved_percent = 5,
		.timestamp = 0,
	};
	char *archive = fuzz_file("input.archive", data, size);
	char *image = fuzz_sparse("image.img", OFFSET + FS_SIZE + (1 << 20));
	struct fb_entries *e = NULL;

	if (fb_entries_open(archive, NULL, &e) >= 0)
		(void)fb_ext4_write(image, OFFSET, FS_SIZE, "fuzz", &opts, e);
	fb_entries_free(e);
	free(archive);
	free(image);
	return 0;
}
