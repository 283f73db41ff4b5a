// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The O= tree's reference (see make.h): the .config as the plan configured
 * it, and the plan's key, so that what a user changed since is known, and
 * changes that configuring anew would lose are kept and said.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/outfile.h"
#include "make.h"

/* The key file goes first and comes last: a reference without its key is none. */
int fb_kref_save(struct fb_kmake *m)
{
	_cleanup_free_ char *cfg = fb_kmake_path(m, ".config");
	_cleanup_free_ char *ref = fb_kmake_path(m, FB_KMAKE_REF_CONFIG);
	_cleanup_free_ char *key = fb_kmake_path(m, FB_KMAKE_REF_KEY);
	struct fb_outfile o = { 0 };
	int r;

	if (!cfg || !ref || !key)
		return fb_err_errno(-ENOMEM, "cannot configure the kernel");
	if ((unlink(key) < 0 && errno != ENOENT) || (unlink(ref) < 0 && errno != ENOENT))
		return fb_err_errno(-errno, "cannot remove the old reference in '%s'", m->obj);
	r = fb_kernel_copy_file(cfg, ref);
	if (r >= 0)
		r = fb_outfile_open(&o, key);
	if (r >= 0 && dprintf(o.fd, "%s\n", m->p->key) < 0)
		r = fb_err_errno(-errno, "cannot write '%s'", o.tmp);
	if (r >= 0)
		r = fb_outfile_commit(&o);
	fb_outfile_abort(&o);
	return r;
}

bool fb_kmake_configured(const struct fb_kmake *m)
{
	_cleanup_free_ char *ref = fb_kmake_path(m, FB_KMAKE_REF_CONFIG);
	_cleanup_free_ char *key = fb_kmake_path(m, FB_KMAKE_REF_KEY);
	_cleanup_free_ char *cfg = fb_kmake_path(m, ".config");
	_cleanup_fclose_ FILE *f = key ? fopen(key, "re") : NULL;
	char have[FB_KEY_LEN + 2] = "";

	if (!f || !fgets(have, sizeof(have), f) || strncmp(have, m->p->key, FB_KEY_LEN))
		return false;
	return ref && cfg && access(ref, R_OK) == 0 && access(cfg, R_OK) == 0;
}

/* .config when it is not what it was configured as (a user's edits), else NULL; *RET_WAS that. */
char *fb_kref_edited(struct fb_kmake *m, char **ret_was)
{
	_cleanup_free_ char *cfg = fb_kmake_path(m, ".config");
	_cleanup_free_ char *ref = fb_kmake_path(m, FB_KMAKE_REF_CONFIG);
	_cleanup_free_ char *have = NULL, *was = NULL;

	if (!cfg || !ref || access(ref, R_OK) < 0 || access(cfg, R_OK) < 0)
		return NULL;
	if (fb_kernel_read_file(cfg, &have) < 0 || fb_kernel_read_file(ref, &was) < 0 ||
	    !strcmp(have, was))
		return NULL;
	*ret_was = TAKE_PTR(was);
	return TAKE_PTR(have);
}

/* Whether a symbol EDITED changed from WAS has another value in NOW (absent: "n"). */
static bool changes_lost(const char *was, const char *edited, const char *now)
{
	_cleanup_(fb_kconfig_free) struct fb_kconfig a = { 0 }, b = { 0 }, c = { 0 };
	unsigned line = 0;

	if (fb_kconfig_parse(&a, was, "", &line) < 0 ||
	    fb_kconfig_parse(&b, edited, "", &line) < 0 || fb_kconfig_parse(&c, now, "", &line) < 0)
		return true;
	for (size_t i = 0; i < b.n; i++) {
		const char *name = b.syms[i]->name, *v = b.syms[i]->value;

		if (strcmp(v, fb_kconfig_get(&a, name) ?: "n") &&
		    strcmp(v, fb_kconfig_get(&c, name) ?: "n"))
			return true;
	}
	return false;
}

/* Edits that configuring replaced are kept in flashbuild-unsaved.config, and said so. */
void fb_kref_keep_unsaved(struct fb_kmake *m, const char *was, const char *edited)
{
	_cleanup_free_ char *cfg = fb_kmake_path(m, ".config");
	_cleanup_free_ char *keep = fb_kmake_path(m, "flashbuild-unsaved.config");
	_cleanup_free_ char *now = NULL;
	_cleanup_fclose_ FILE *f = NULL;

	if (!cfg || !keep || fb_kernel_read_file(cfg, &now) < 0 || !changes_lost(was, edited, now))
		return;
	f = fopen(keep, "we");
	if (!f || fputs(edited, f) == EOF)
		return;
	fb_warn("kernel: the O= tree's .config had changes no fragment holds (see 'flashbuild "
		"kernel diff --save'): configured anew, the changed one kept as '%s'",
		keep);
}
