/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 through OpenSSL's libcrypto (EVP); this file owns libcrypto. */
#ifndef FB_SHA256_H
#define FB_SHA256_H

#include <stddef.h>

#include "cleanup.h"

#define FB_SHA256_HEX_LEN 64

struct fb_sha256;

struct fb_sha256 *fb_sha256_new(void);
int fb_sha256_update(struct fb_sha256 *h, const void *data, size_t len);
/* Writes 64 hex digits and a NUL to HEX; the context can then be reused. */
int fb_sha256_final_hex(struct fb_sha256 *h, char hex[FB_SHA256_HEX_LEN + 1]);
struct fb_sha256 *fb_sha256_free(struct fb_sha256 *h);
/* What `sha256sum PATH` prints, into HEX; -errno, not logged. */
int fb_sha256_file(const char *path, char hex[FB_SHA256_HEX_LEN + 1]);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fb_sha256 *, fb_sha256_free);

#endif
