/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Secure Boot signatures with the board's own key ([bootloader] sign-key,
 * sign-cert: PEM files): sbsign (sbsigntool) adds an Authenticode
 * signature to a PE program, the kernel's EFI stub or shim, beside any it
 * has.  The signature holds a signing time; run under faketime at the
 * image's timestamp, the same inputs give the same bytes.  The key is read
 * by sbsign alone: it goes into no file flashbuild writes and no key.
 */
#ifndef FB_IMAGE_SIGN_H
#define FB_IMAGE_SIGN_H

#include <stdint.h>

#include "core/cache.h"
#include "profile/board.h"

struct fb_signer {
	const char *key, *cert; /* PEM files */
	int64_t timestamp;	/* the signing time: the image's */
};

/*
 * Checks [bootloader] sign-key and sign-cert (both or neither; NULL: not
 * set): readable, the certificate one openssl reads, sbsign installed.
 * Logs with the key's file:line.
 */
int fb_sign_check(const struct fb_kv *key, const struct fb_kv *cert);

/* OUT: IN with a signature by SG added.  WHAT names IN in messages.  Logs. */
int fb_sign_pe(const struct fb_signer *sg, const char *in, const char *out, const char *what);

/* OUT: SG's certificate in DER, as MokManager enrolls it.  Logs. */
int fb_sign_cert_der(const struct fb_signer *sg, const char *out);

#endif
