// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bmap.h"
#include "core/log.h"
#include "core/sha256.h"
#include "core/util.h"

#define BS    FB_BMAP_BLOCK_SIZE
#define CHUNK (1024 * 1024)

struct block_range {
	uint64_t first, last; /* blocks, inclusive */
	char sha[FB_SHA256_HEX_LEN + 1];
};

struct range_list {
	struct block_range *v;
	size_t n, cap;
};

static int ranges_add(struct range_list *l, uint64_t first, uint64_t last)
{
	if (l->n && first <= l->v[l->n - 1].last + 1) {
		if (last > l->v[l->n - 1].last)
			l->v[l->n - 1].last = last;
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct block_range *v = reallocarray(l->v, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct block_range){ .first = first, .last = last };
	return 0;
}

/* The data extents of the file, rounded out to whole blocks. */
static int ranges_scan(int fd, uint64_t size, struct range_list *l)
{
	off_t pos = 0;

	while ((uint64_t)pos < size) {
		off_t data = lseek(fd, pos, SEEK_DATA), hole;

		if (data < 0 && errno == ENXIO)
			break;
		if (data < 0)
			return -errno;
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0)
			return -errno;
		if ((uint64_t)hole > size)
			hole = (off_t)size;
		if (hole > data &&
		    ranges_add(l, (uint64_t)data / BS, ((uint64_t)hole - 1) / BS) < 0)
			return -ENOMEM;
		pos = hole;
	}
	return 0;
}

static int range_hash(int fd, uint64_t size, struct block_range *br, struct fb_sha256 *h, char *buf)
{
	uint64_t pos = br->first * BS, end = (br->last + 1) * BS;

	if (end > size)
		end = size;
	while (pos < end) {
		size_t want = end - pos > CHUNK ? CHUNK : (size_t)(end - pos);
		ssize_t n = pread(fd, buf, want, (off_t)pos);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		fb_sha256_update(h, buf, (size_t)n);
		pos += (uint64_t)n;
	}
	return fb_sha256_final_hex(h, br->sha);
}

static void bmap_print(FILE *f, uint64_t size, const struct range_list *l, uint64_t mapped,
		       const char *checksum)
{
	uint64_t blocks = (size + BS - 1) / BS;
	char hs[32], hm[32];

	fprintf(f, "<?xml version=\"1.0\" ?>\n"
		   "<!-- This file contains the block map for an image file, which is basically\n"
		   "     a list of useful (mapped) block numbers in the image file. In other\n"
		   "     words, it lists only those blocks which contain data (boot sector,\n"
		   "     partition table, file-system metadata, files, directories, extents,\n"
		   "     etc). These blocks have to be copied to the target device. The other\n"
		   "     blocks do not contain any useful data and do not have to be copied. -->\n"
		   "<!-- Written by flashbuild. -->\n"
		   "<bmap version=\"2.0\">\n");
	fprintf(f,
		"    <!-- Image size in bytes: %s -->\n    <ImageSize> %" PRIu64
		" </ImageSize>\n\n",
		fb_format_size(size, hs, sizeof(hs)), size);
	fprintf(f, "    <!-- Size of a block in bytes -->\n    <BlockSize> %u </BlockSize>\n\n",
		(unsigned)BS);
	fprintf(f,
		"    <!-- Count of blocks in the image file -->\n"
		"    <BlocksCount> %" PRIu64 " </BlocksCount>\n\n",
		blocks);
	fprintf(f,
		"    <!-- Count of mapped blocks: %s or %.1f%% -->\n"
		"    <MappedBlocksCount> %" PRIu64 " </MappedBlocksCount>\n\n",
		fb_format_size(mapped * BS, hm, sizeof(hm)),
		blocks ? 100.0 * (double)mapped / (double)blocks : 0.0, mapped);
	fprintf(f,
		"    <!-- Type of checksum used in this file -->\n"
		"    <ChecksumType> sha256 </ChecksumType>\n\n"
		"    <!-- The checksum of this bmap file. When it is calculated, the value of\n"
		"         the checksum has be zero (all ASCII \"0\" symbols).  -->\n"
		"    <BmapFileChecksum> %s </BmapFileChecksum>\n\n"
		"    <!-- The block map which consists of elements which may either be a\n"
		"         range of blocks or a single block. The 'chksum' attribute\n"
		"         (if present) is the checksum of this blocks range. -->\n"
		"    <BlockMap>\n",
		checksum);
	for (size_t i = 0; i < l->n; i++) {
		const struct block_range *br = &l->v[i];

		if (br->first == br->last)
			fprintf(f, "        <Range chksum=\"%s\"> %" PRIu64 " </Range>\n", br->sha,
				br->first);
		else
			fprintf(f,
				"        <Range chksum=\"%s\"> %" PRIu64 "-%" PRIu64 " </Range>\n",
				br->sha, br->first, br->last);
	}
	fprintf(f, "    </BlockMap>\n</bmap>\n");
}

/* The bmap's text, with its own checksum computed over the zeroed field. */
static int bmap_render(uint64_t size, const struct range_list *l, uint64_t mapped,
		       struct fb_sha256 *h, char **ret, size_t *ret_len)
{
	char zeros[FB_SHA256_HEX_LEN + 1], sum[FB_SHA256_HEX_LEN + 1];
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	memset(zeros, '0', FB_SHA256_HEX_LEN);
	zeros[FB_SHA256_HEX_LEN] = '\0';
	for (int pass = 0; pass < 2; pass++) {
		free(text);
		text = NULL;
		f = open_memstream(&text, &len);
		if (!f)
			return -ENOMEM;
		bmap_print(f, size, l, mapped, pass ? sum : zeros);
		if (fclose(f) != 0) {
			free(text);
			return -ENOMEM;
		}
		if (pass == 0 &&
		    (fb_sha256_update(h, text, len) < 0 || fb_sha256_final_hex(h, sum) < 0)) {
			free(text);
			return -EIO;
		}
	}
	*ret = text;
	*ret_len = len;
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fb_bmap_write(int img_fd, uint64_t size, int out_fd, const char *name,
		  struct fb_bmap_stats *ret_stats)
{
	_cleanup_(fb_sha256_freep) struct fb_sha256 *h = fb_sha256_new();
	_cleanup_free_ char *buf = malloc(CHUNK), *text = NULL;
	struct range_list l = { 0 };
	uint64_t mapped = 0;
	size_t len;
	int r;

	if (!h || !buf)
		return fb_err_errno(-ENOMEM, "cannot map '%s'", name);
	r = ranges_scan(img_fd, size, &l);
	if (r < 0) {
		fb_err_errno(r, "cannot map the data of '%s'", name);
		goto out;
	}
	for (size_t i = 0; i < l.n; i++) {
		r = range_hash(img_fd, size, &l.v[i], h, buf);
		if (r < 0) {
			fb_err_errno(r, "cannot read '%s' to checksum it", name);
			goto out;
		}
		mapped += l.v[i].last - l.v[i].first + 1;
	}
	r = bmap_render(size, &l, mapped, h, &text, &len);
	if (r < 0) {
		fb_err_errno(r, "cannot write the bmap of '%s'", name);
		goto out;
	}
	r = write_all(out_fd, text, len);
	if (r < 0) {
		fb_err_errno(r, "cannot write the bmap of '%s'", name);
		goto out;
	}
	if (ret_stats)
		*ret_stats = (struct fb_bmap_stats){ (size + BS - 1) / BS, mapped };
out:
	free(l.v);
	return r;
}
