// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The board-profile parser (src/profile/board.c, keys.c): the input is a
 * .conf file; every key = value it yields is then parsed as every key type.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "fuzz.h"
#include "profile/board.h"

struct all_types {
	char *s;
	uint64_t size;
	unsigned u;
	bool b;
	double percent;
	struct fb_uuid uuid;
};

static const enum fb_key_type types[] = { FB_KEY_STRING, FB_KEY_SIZE,	 FB_KEY_UINT,
					  FB_KEY_BOOL,	 FB_KEY_PERCENT, FB_KEY_UUID };
static const size_t offsets[] = {
	offsetof(struct all_types, s),	     offsetof(struct all_types, size),
	offsetof(struct all_types, u),	     offsetof(struct all_types, b),
	offsetof(struct all_types, percent), offsetof(struct all_types, uuid),
};

static void parse_values(const struct fb_section *s)
{
	for (size_t i = 0; i < s->n_kvs; i++)
		for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
			const struct fb_key keys[] = { { s->kvs[i].key, types[t], offsets[t] },
						       { NULL, 0, 0 } };
			struct all_types obj = { 0 };

			(void)fb_keys_set(keys, &obj, s->kvs[i].key, s->kvs[i].value);
			fb_keys_free(keys, &obj);
		}
}

/*
 * "include = FILE" reads FILE relative to the profile: keep it inside the
 * private directory (no '/' at all), where inc.conf is a small profile.
 */
static bool may_leave_dir(const uint8_t *data, size_t size)
{
	return memmem(data, size, "include", 7) && memchr(data, '/', size);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char inc[] = "[board]\ndescription = included\n[part x]\nsize = 1M\n";

	(void)argc;
	(void)argv;
	free(fuzz_file("inc.conf", inc, sizeof(inc) - 1));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_board *b = NULL;
	char *path;

	if (may_leave_dir(data, size))
		return -1; /* not added to the corpus */
	path = fuzz_file("board.conf", data, size);
	if (fb_board_load(path, &b) >= 0) {
		for (size_t i = 0; i < b->n_sections; i++)
			parse_values(&b->sections[i]);
		(void)fb_board_section(b, "part", "root");
		fb_board_free(b);
	}
	free(path);
	return 0;
}
