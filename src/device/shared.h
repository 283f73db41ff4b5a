/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One image prepared for many flash jobs at once (the station): read and
 * decompressed once, into an unlinked temporary file (a plain image is used
 * as it is, through one descriptor), every range checked once against its
 * bmap (or its checksum computed once), and the SHA-256 of the file as given
 * taken for the station's log.  Each job reads those bytes through its own
 * descriptor of the same open file: nothing is read from IMAGE's name
 * again, so an image rebuilt or removed meanwhile does not change what the
 * jobs write.
 */
#ifndef FB_DEVICE_SHARED_H
#define FB_DEVICE_SHARED_H

#include <stdbool.h>
#include <stdint.h>

#include "core/openpgp.h"
#include "core/sha256.h"
#include "extents.h"
#include "flash.h"

struct fb_source;

struct fb_shared_source {
	char *image;  /* its absolute path */
	char *filter; /* "xz", ..., or "none" */
	int fd;	      /* the image's plain bytes */
	struct fb_extents ext;
	char sha256[FB_SHA256_HEX_LEN + 1]; /* of IMAGE as given (sha256sum IMAGE) */
	struct fb_pgp_signer signer;	    /* who signed its bmap; fpr "" when unsigned */
};

/*
 * Prepares SRC's image with its bmap (NULL: found next to it, unless
 * no_bmap), whose signature is checked first (signed.h); a compressed image
 * is decompressed into an unlinked file in TMPDIR.  Logs; -EBADMSG when the
 * image does not decompress or match its bmap, -EKEYREJECTED when the bmap's
 * signature is refused.
 */
int fb_shared_source_prepare(const struct fb_flash_source *src, const char *tmpdir,
			     struct fb_shared_source *ret);
void fb_shared_source_done(struct fb_shared_source *s);

/* For one job: its own source on the shared bytes, and its own copy of the extents.  Logs. */
int fb_shared_source_attach(const struct fb_shared_source *s, struct fb_source **ret_src,
			    struct fb_extents *ret_ext);

#endif
