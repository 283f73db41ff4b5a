/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The image to write: a plain file read where asked, or a compressed one
 * (.xz, .gz, .zst, .bz2: whatever libarchive's filters know, found by
 * content) decompressed as a stream, never to disk.  This file owns libarchive
 * for the device side.
 */
#ifndef FB_DEVICE_SOURCE_H
#define FB_DEVICE_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/cleanup.h"

struct fb_source;

int fb_source_open(const char *path, struct fb_source **ret);
/* A plain source on FD (taken over, closed by fb_source_free), named NAME in messages. */
int fb_source_open_fd(int fd, const char *name, struct fb_source **ret);
struct fb_source *fb_source_free(struct fb_source *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fb_source *, fb_source_free);

bool fb_source_compressed(const struct fb_source *s);
/* "xz", "zstd", ... or "none". */
const char *fb_source_filter(const struct fb_source *s);
/* The plain file's size; 0 for a stream (its size is known only at its end). */
uint64_t fb_source_size(const struct fb_source *s);
const char *fb_source_path(const struct fb_source *s);

/*
 * Reads up to LEN bytes at OFF into BUF; fewer only at the end of the image.
 * A stream skips forward by decompressing, and starts again from its first
 * byte when asked for an earlier offset.  Returns the count or -errno,
 * logged; -EBADMSG for data that does not decompress.
 */
ssize_t fb_source_read(struct fb_source *s, uint64_t off, void *buf, size_t len);

#endif
