// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Layout application through libfdisk (src/image/table.c): the input is an
 * sfdisk script, planned onto a sparse 64 MiB temporary image, written to
 * it and dumped back as a script.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "image/table.h"

#define IMAGE_SIZE (64ULL << 20)

static void use_table(struct fb_table *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	for (size_t i = 0; i < t->n_parts; i++) {
		if (t->parts[i].name)
			(void)fb_table_find_name(t, t->parts[i].name);
		(void)fb_table_find_partno(t, t->parts[i].partno);
	}
	out = open_memstream(&text, &len);
	if (out) {
		(void)fb_table_dump(t, out);
		fclose(out);
	}
	free(text);
	(void)fb_table_write(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *layout = fuzz_file("layout.sfdisk", data, size);
	char *image = fuzz_sparse("image.img", IMAGE_SIZE);
	struct fb_table *t = NULL;

	if (fb_table_plan(layout, image, "fuzz", &t) >= 0)
		use_table(t);
	fb_table_free(t);
	free(layout);
	free(image);
	return 0;
}
