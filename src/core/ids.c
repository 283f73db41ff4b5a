// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "ids.h"
#include "log.h"
#include "sha256.h"

static int hexval(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

int fb_id_derive(const char *seed, const char *purpose, uint8_t ret[16])
{
	static const char domain[] = "flashbuild id";
	_cleanup_(fb_sha256_freep) struct fb_sha256 *h = fb_sha256_new();
	char hex[FB_SHA256_HEX_LEN + 1];

	/* The NULs keep ("ab", "c") apart from ("a", "bc"). */
	if (!h || fb_sha256_update(h, domain, sizeof(domain)) < 0 ||
	    fb_sha256_update(h, seed, strlen(seed) + 1) < 0 ||
	    fb_sha256_update(h, purpose, strlen(purpose) + 1) < 0 ||
	    fb_sha256_final_hex(h, hex) < 0)
		return fb_err_errno(-ENOMEM, "cannot derive an id for %s", purpose);
	for (size_t i = 0; i < 16; i++)
		ret[i] = (uint8_t)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
	return 0;
}

int fb_id_uuid(const char *seed, const char *purpose, uint8_t ret[16])
{
	int r = fb_id_derive(seed, purpose, ret);

	if (r < 0)
		return r;
	ret[6] = (uint8_t)((ret[6] & 0x0f) | 0x40);
	ret[8] = (uint8_t)((ret[8] & 0x3f) | 0x80);
	return 0;
}

void fb_uuid_format(const uint8_t u[16], char ret[FB_UUID_STR_LEN + 1])
{
	snprintf(ret, FB_UUID_STR_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
		 u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
		 u[15]);
}
