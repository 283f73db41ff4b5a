// SPDX-License-Identifier: GPL-2.0-or-later
/* flashbuild devices [--json] [--allow-fixed] */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/log.h"
#include "core/util.h"
#include "device/guard.h"
#include "device/json.h"
#include "device/udev.h"

static const char *dash(const char *s)
{
	return fb_str_empty(s) ? "-" : s;
}

static void print_json(const struct fb_dev_facts *v, size_t n, const struct fb_guard_opts *o)
{
	fputs("[", stdout);
	for (size_t i = 0; i < n; i++) {
		const struct fb_dev_facts *f = &v[i];
		enum fb_refusal r = fb_guard_decide(f, o);
		_cleanup_free_ char *why = fb_guard_reason(f, o, r);

		printf("%s\n  {\"node\": ", i ? "," : "");
		fb_json_str(stdout, f->node);
		printf(", \"size\": %" PRIu64 ", \"bus\": ", f->size);
		fb_json_str(stdout, f->bus);
		fputs(", \"vendor\": ", stdout);
		fb_json_str(stdout, f->vendor);
		fputs(", \"model\": ", stdout);
		fb_json_str(stdout, f->model);
		fputs(", \"serial\": ", stdout);
		fb_json_str(stdout, f->serial);
		printf(", \"removable\": %s, \"diskseq\": %" PRIu64 ", \"contents\": ",
		       f->removable ? "true" : "false", f->diskseq);
		fb_json_str(stdout, f->contents);
		fputs(", \"system\": ", stdout);
		fb_json_str(stdout, f->system);
		fputs(", \"mounted\": ", stdout);
		fb_json_str(stdout, f->mounted);
		printf(", \"writable\": %s, \"refusal\": ", r == FB_REFUSE_NONE ? "true" : "false");
		fb_json_str(stdout, r == FB_REFUSE_NONE ? NULL : fb_refusal_to_string(r));
		fputs(", \"reason\": ", stdout);
		fb_json_str(stdout, r == FB_REFUSE_NONE ? NULL : why);
		fputs("}", stdout);
	}
	fputs(n ? "\n]\n" : "]\n", stdout);
}

static void print_table(const struct fb_dev_facts *v, size_t n, const struct fb_guard_opts *o)
{
	printf("%-14s %10s  %-7s %-3s %-24s %-20s %s\n", "DEVICE", "SIZE", "BUS", "RM", "MODEL",
	       "SERIAL", "CONTENTS -> VERDICT");
	for (size_t i = 0; i < n; i++) {
		const struct fb_dev_facts *f = &v[i];
		enum fb_refusal r = fb_guard_decide(f, o);
		_cleanup_free_ char *why = fb_guard_reason(f, o, r);
		_cleanup_free_ char *model = NULL;
		char size[32];

		if (asprintf(&model, "%s%s%s", f->vendor ? f->vendor : "", f->vendor ? " " : "",
			     f->model ? f->model : "") < 0)
			model = NULL;
		printf("%-14s %10s  %-7s %-3s %-24s %-20s %s%s%s -> %s%s\n", f->node,
		       fb_format_size(f->size, size, sizeof(size)), dash(f->bus),
		       f->removable ? "yes" : "no", dash(model), dash(f->serial), dash(f->contents),
		       f->mounted ? "; mounted: " : "", f->mounted ? f->mounted : "",
		       r == FB_REFUSE_NONE ? "" : "refused: ", why ? why : "");
	}
}

int fb_cmd_devices(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "allow-fixed", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct fb_guard_opts o = { 0 };
	struct fb_dev_facts *v = NULL;
	bool json = false;
	size_t n = 0;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'F':
			o.allow_fixed = true;
			break;
		default:
			return FB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fb_err("devices: unexpected argument '%s'", argv[optind]);
		return FB_EXIT_USAGE;
	}
	if (fb_udev_list(&v, &n) < 0)
		return FB_EXIT_FAILED;
	if (json)
		print_json(v, n, &o);
	else
		print_table(v, n, &o);
	fb_udev_list_free(v, n);
	return FB_EXIT_OK;
}
