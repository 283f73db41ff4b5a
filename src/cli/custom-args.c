// SPDX-License-Identifier: GPL-2.0-or-later
/* --hostname, --ssh-key, --file, ... and the hook that writes them into a card. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "custom-args.h"
#include "device/json.h"

bool fb_custom_args_option(struct fb_custom_opts *o, int c, const char *arg, int *r)
{
	*r = 0;
	switch (c) {
	case 0x300:
		o->hostname = arg;
		return true;
	case 0x301:
		o->ssh_key = arg;
		return true;
	case 0x302:
		o->ssh_user = arg;
		return true;
	case 0x303:
		if (fb_strv_push(&o->files, arg) < 0)
			*r = fb_err_errno(-ENOMEM, "cannot read --file");
		return true;
	case 0x305:
		o->user = arg;
		return true;
	case 0x306:
		o->password_file = arg;
		return true;
	case 0x304:
		if (strcmp(arg, "new"))
			*r = fb_err_code(-EINVAL, "--machine-id takes 'new', not '%s'", arg);
		o->machine_id = true;
		return true;
	default:
		return false;
	}
}

void fb_custom_args_done(struct fb_custom_opts *o)
{
	fb_strv_free(&o->files);
}

static void report(const struct fb_custom_hook *h, const char *node, const struct fb_custom_plan *p)
{
	if (!h->json) {
		fb_info("customized '%s':", node);
		for (size_t i = 0; i < p->n; i++)
			fb_info("  %s (%zu bytes, sha256 %s)", p->v[i].path, p->v[i].len,
				p->v[i].sha256);
		return;
	}
	fputs("{\"event\": \"customized\", \"device\": ", h->json);
	fb_json_str(h->json, node);
	fputs(", \"files\": [", h->json);
	for (size_t i = 0; i < p->n; i++) {
		fputs(i ? ", {\"path\": " : "{\"path\": ", h->json);
		fb_json_str(h->json, p->v[i].path);
		fprintf(h->json, ", \"sha256\": \"%s\"}", p->v[i].sha256);
	}
	fputs("]}\n", h->json);
	fflush(h->json);
}

/* Before the card is touched: its files, made with its own values. */
static int plan_card(void *userdata, const char *node _unused_, const char *serial)
{
	struct fb_custom_hook *h = userdata;
	char date[16];
	time_t now = time(NULL);
	struct tm tm;

	strftime(date, sizeof(date), "%Y-%m-%d", gmtime_r(&now, &tm));
	const struct fb_template_vars v = { .serial = serial, .date = date };

	fb_custom_plan_done(&h->plan);
	return fb_custom_plan(&h->custom, &v, &h->plan);
}

/* After its verified write: the card's files, written and read back. */
static int customize_card(void *userdata, const char *node)
{
	struct fb_custom_hook *h = userdata;
	int r = fb_custom_apply(&h->custom, &h->plan, node);

	if (r >= 0)
		report(h, node, &h->plan);
	return r;
}

int fb_custom_hook_setup(struct fb_custom_hook *h, const struct fb_custom_opts *o,
			 const char *image, FILE *json, struct fb_flash_job *job)
{
	int r;

	*h = (struct fb_custom_hook){ .json = json };
	if (!fb_custom_wanted(o))
		return 0;
	r = fb_custom_prepare(o, image, &h->custom);
	if (r < 0)
		return r;
	job->after = (struct fb_flash_after){ plan_card, customize_card, h };
	return 0;
}

void fb_custom_hook_done(struct fb_custom_hook *h)
{
	fb_custom_plan_done(&h->plan);
	fb_custom_done(&h->custom);
}
