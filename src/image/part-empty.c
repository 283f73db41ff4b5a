// SPDX-License-Identifier: GPL-2.0-or-later
/* content = empty: the partition is in the table and nothing is written into it. */
#include "part.h"

static const struct fb_key empty_keys[] = {
	{ NULL, 0, 0 },
};

const struct fb_part_ops fb_part_empty = {
	.kind = "empty",
	.keys = empty_keys,
};
