// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "extents.h"
#include "signed.h"

void fb_signed_bmap_done(struct fb_signed_bmap *s)
{
	free(s->path);
	s->bmap = fb_bmap_free(s->bmap);
	free(s->sig);
	fb_pgp_signer_done(&s->signer);
	*s = (struct fb_signed_bmap){ 0 };
}

/* --bmap-sig, else BMAP.asc or BMAP.sig when there (bmaptool's names); NULL: none. */
static int find_sig(const struct fb_flash_source *src, const char *bmap, char **ret)
{
	static const char *const suffixes[] = FB_PGP_SIG_SUFFIXES;

	*ret = NULL;
	if (src->bmap_sig) {
		*ret = strdup(src->bmap_sig);
		return *ret ? 0 : -ENOMEM;
	}
	for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
		char *p;

		if (asprintf(&p, "%s%s", bmap, suffixes[i]) < 0)
			return -ENOMEM;
		if (access(p, F_OK) == 0) {
			*ret = p;
			return 0;
		}
		free(p);
	}
	return 0;
}

static int load_checked(const struct fb_flash_source *src, struct fb_signed_bmap *s)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	r = fb_bmap_read(s->path, &text, &len);
	if (r < 0)
		return r;
	if (!src->no_sig_verify) {
		r = find_sig(src, s->path, &s->sig);
		if (r < 0)
			return fb_err_errno(r, "cannot check the signature of '%s'", s->path);
		if (!s->sig && src->keyring)
			return fb_err_code(
				-EKEYREJECTED,
				"bmap '%s' is not signed (no %s.asc or .sig, no --bmap-sig), "
				"and --keyring '%s' asks for a signature",
				s->path, s->path, src->keyring);
		if (s->sig)
			r = fb_pgp_verify(text, len, s->path, s->sig, src->keyring, &s->signer);
		if (r < 0)
			return r;
	}
	return fb_bmap_load_text(s->path, text, len, &s->bmap);
}

int fb_signed_bmap_load(const struct fb_flash_source *src, struct fb_signed_bmap *ret)
{
	struct fb_signed_bmap s = { 0 };
	int r = 0;

	*ret = s;
	if (src->bmap)
		s.path = strdup(src->bmap);
	else if (!src->no_bmap)
		s.path = fb_extents_find_bmap(src->image);
	if (!s.path && !src->no_sig_verify && (src->keyring || src->bmap_sig))
		return fb_err_code(-EKEYREJECTED,
				   "'%s' has no bmap%s, and %s asks for a signed one: without it "
				   "nothing vouches for the image's bytes",
				   src->image, src->no_bmap ? " (--no-bmap)" : "",
				   src->keyring ? "--keyring" : "--bmap-sig");
	if (s.path)
		r = load_checked(src, &s);
	if (r < 0) {
		fb_signed_bmap_done(&s);
		return r;
	}
	*ret = s;
	return 0;
}
