// SPDX-License-Identifier: GPL-2.0-or-later
/* The bmap reader (src/device/bmap-read.c): the input is a bmap file's text. */
#include <stdlib.h>

#include "device/bmap-read.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_bmap *b = NULL;
	const char *why = NULL;
	int line = 0;
	uint64_t off, len;

	if (fb_bmap_parse((const char *)data, size, &b, &why, &line) >= 0) {
		for (size_t i = 0; i < b->n; i++)
			fb_bmap_range_bytes(b, i, &off, &len);
		fb_bmap_free(b);
	}
	return 0;
}
