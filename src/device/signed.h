/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bmap of what is flashed, found and loaded once for flash and the
 * station, with its detached OpenPGP signature checked as bmaptool does:
 * IMAGE.bmap.asc or IMAGE.bmap.sig beside it, or --bmap-sig.  The bytes
 * checked are the bytes parsed.  A bmap holds the SHA-256 of every range and
 * every range is checked as it is read, so a good signature on the bmap
 * vouches for every byte written.
 */
#ifndef FB_DEVICE_SIGNED_H
#define FB_DEVICE_SIGNED_H

#include "bmap-read.h"
#include "core/openpgp.h"
#include "flash.h"

struct fb_signed_bmap {
	char *path;		     /* the bmap used, or NULL: none (--no-bmap, or none found) */
	struct fb_bmap *bmap;	     /* NULL with it */
	char *sig;		     /* its signature's file, or NULL: unsigned (or not checked) */
	struct fb_pgp_signer signer; /* with SIG: the key that made it */
};

/*
 * Finds and loads SRC's bmap (src->bmap, else one next to the image unless
 * src->no_bmap) and checks its signature, unless src->no_sig_verify: a
 * signature that is there must be good; with src->keyring one must be there
 * and made by one of the keyring's keys (then an image without a bmap is
 * refused too: nothing would vouch for its bytes).  -EKEYREJECTED for a
 * signature refused, other -errno; logged.
 */
int fb_signed_bmap_load(const struct fb_flash_source *src, struct fb_signed_bmap *ret);
void fb_signed_bmap_done(struct fb_signed_bmap *s);

#endif
