// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sha256.h"

struct fb_sha256 {
	EVP_MD_CTX *ctx;
};

struct fb_sha256 *fb_sha256_new(void)
{
	struct fb_sha256 *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
		return fb_sha256_free(h);
	return h;
}

int fb_sha256_update(struct fb_sha256 *h, const void *data, size_t len)
{
	return EVP_DigestUpdate(h->ctx, data, len) == 1 ? 0 : -EIO;
}

int fb_sha256_final_hex(struct fb_sha256 *h, char hex[FB_SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	if (EVP_DigestFinal_ex(h->ctx, md, &len) != 1 || len != 32)
		return -EIO;
	for (unsigned i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	if (EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
		return -EIO;
	return 0;
}

struct fb_sha256 *fb_sha256_free(struct fb_sha256 *h)
{
	if (!h)
		return NULL;
	EVP_MD_CTX_free(h->ctx);
	free(h);
	return NULL;
}

int fb_sha256_file(const char *path, char hex[FB_SHA256_HEX_LEN + 1])
{
	enum { CHUNK = 1024 * 1024 };
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ uint8_t *buf = malloc(CHUNK);
	_cleanup_(fb_sha256_freep) struct fb_sha256 *h = fb_sha256_new();
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (!buf || !h)
		return -ENOMEM;
	while ((n = read(fd, buf, CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (fb_sha256_update(h, buf, (size_t)n) < 0)
			return -EIO;
	}
	return fb_sha256_final_hex(h, hex);
}
