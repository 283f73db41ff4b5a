// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare.h"
#include "core/log.h"
#include "core/util.h"
#include "target.h"

#define CHUNK (4 * 1024 * 1024)

/* The device's bytes, not the page cache's: O_DIRECT where it can be had. */
static int open_device(const char *device)
{
	int fd = open(device, O_RDONLY | O_CLOEXEC | O_DIRECT);

	if (fd < 0 && errno == EINVAL)
		fd = open(device, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* One piece: the image's LEN bytes at OFF against the device's (read aligned); 1 if they differ. */
static int compare_piece(const struct fb_shared_source *s, int dev, const char *name, uint8_t *a,
			 uint8_t *b, uint64_t off, size_t len, uint64_t *ret_diff)
{
	uint64_t start = off / FB_TARGET_BUF_ALIGN * FB_TARGET_BUF_ALIGN;
	size_t lead = (size_t)(off - start);
	size_t span =
		(lead + len + FB_TARGET_BUF_ALIGN - 1) / FB_TARGET_BUF_ALIGN * FB_TARGET_BUF_ALIGN;
	int r;

	r = fb_pio_full(s->fd, false, a, len, off);
	if (r < 0)
		return fb_err_errno(r == -ENOSPC ? -EIO : r, "cannot read '%s'", s->image);
	r = fb_pio_full(dev, false, b, span, start);
	/* the device may end before the aligned span does, not before the image's bytes */
	if (r == -ENOSPC)
		r = fb_pio_full(dev, false, b + lead, len, off);
	if (r == -ENOSPC)
		return fb_err_code(-ENOSPC, "'%s' ends before byte %llu of '%s'", name,
				   (unsigned long long)(off + len), s->image);
	if (r < 0)
		return fb_err_errno(r, "cannot read '%s' at byte %llu", name,
				    (unsigned long long)off);
	if (!memcmp(a, b + lead, len))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (a[i] != b[lead + i]) {
			*ret_diff = off + i;
			break;
		}
	return 1;
}

int fb_compare_device(const struct fb_shared_source *s, const char *device,
		      struct fb_compare_result *ret)
{
	_cleanup_free_ uint8_t *a = malloc(CHUNK);
	_cleanup_free_ uint8_t *b = fb_target_alloc(CHUNK + 2 * FB_TARGET_BUF_ALIGN);
	_cleanup_close_ int dev = -EBADF;
	int r = 0;

	*ret = (struct fb_compare_result){ 0 };
	if (!a || !b)
		return fb_err_errno(-ENOMEM, "cannot compare '%s'", device);
	dev = open_device(device);
	if (dev < 0)
		return fb_err_errno(dev, "cannot open '%s' for reading", device);
	for (size_t i = 0; r == 0 && i < s->ext.n; i++) {
		const struct fb_extent *x = &s->ext.v[i];

		for (uint64_t done = 0; r == 0 && done < x->len;) {
			size_t n = x->len - done > CHUNK ? CHUNK : (size_t)(x->len - done);

			r = compare_piece(s, dev, device, a, b, x->off + done, n, &ret->diff);
			if (r == 1)
				ret->range = i + 1;
			else if (r == 0)
				ret->compared += n;
			done += n;
		}
	}
	return r;
}
