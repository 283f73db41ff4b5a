// SPDX-License-Identifier: GPL-2.0-or-later
/* flashbuild boards [--json]: every board the search path finds (profile/search.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/log.h"
#include "device/json.h"
#include "profile/board.h"
#include "profile/search.h"

/* Where its kernel comes from: built from source, Debian's package, or none. */
static const char *kernel_of(const struct fb_board *b)
{
	const struct fb_section *s = fb_board_section(b, "kernel", NULL);
	const struct fb_kv *src = s ? fb_section_get(s, "source") : NULL;

	if (!s)
		return "none";
	return src && !strncmp(src->value, "deb:", 4) ? "debian" : "built";
}

static void print_one(const struct fb_board_found *f, const struct fb_board *b, bool json,
		      bool first)
{
	const char *arch = b->arch ? b->arch : "-";

	if (!json) {
		printf("%-18s %-7s %-7s %-10s %s\n", f->name, arch, kernel_of(b),
		       fb_place_to_string(f->place), b->description ? b->description : "");
		return;
	}
	printf("%s\n  {\"name\": ", first ? "" : ",");
	fb_json_str(stdout, f->name);
	fputs(", \"description\": ", stdout);
	fb_json_str(stdout, b->description);
	fputs(", \"arch\": ", stdout);
	fb_json_str(stdout, b->arch);
	printf(", \"kernel\": \"%s\", \"place\": \"%s\", \"path\": ", kernel_of(b),
	       fb_place_to_string(f->place));
	fb_json_str(stdout, f->path);
	fputs("}", stdout);
}

int fb_cmd_boards(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct fb_board_found *v = NULL;
	bool json = false, first = true;
	size_t n = 0;
	int c, r = FB_EXIT_OK;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
		if (c != 'j')
			return FB_EXIT_USAGE;
		json = true;
	}
	if (optind < argc) {
		fb_err("boards: unexpected argument '%s'", argv[optind]);
		return FB_EXIT_USAGE;
	}
	if (fb_board_list(&v, &n) < 0) {
		fb_err("boards: out of memory");
		return FB_EXIT_FAILED;
	}
	if (json)
		fputs("[", stdout);
	else
		printf("%-18s %-7s %-7s %-10s %s\n", "BOARD", "ARCH", "KERNEL", "FOUND",
		       "DESCRIPTION");
	for (size_t i = 0; i < n; i++) {
		_cleanup_(fb_board_freep) struct fb_board *b = NULL;

		/* a profile that does not load says why on its own line, and the rest go on */
		if (fb_board_load(v[i].path, &b) < 0) {
			r = FB_EXIT_FAILED;
			continue;
		}
		print_one(&v[i], b, json, first);
		first = false;
	}
	if (json)
		fputs(first ? "]\n" : "\n]\n", stdout);
	fb_board_list_free(v, n);
	return r;
}
