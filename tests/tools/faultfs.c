// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * faultfs: a FUSE filesystem with one file, "disk", backed by a real file,
 * that fails the way a bad USB stick does, for the flash tests.  A loop
 * device on MOUNT/disk then gives real I/O errors and bit flips that
 * flashbuild cannot tell from a failing stick; flashbuild has no test hooks.
 *
 *   faultfs BACKING MOUNTPOINT [FUSE options, e.g. -f]
 *
 * It is told what to do by writing a line to MOUNT/ctl:
 *   eio-write OFFSET [LENGTH]  a write touching OFFSET..OFFSET+LENGTH (default: to the
 *                      end) fails with EIO: a bad spot, or a stick pulled out there
 *   eio-read OFFSET [LENGTH]   the same for reads
 *   flip OFFSET        the byte at OFFSET reads inverted (the file is unchanged)
 *   slow USECONDS      every write of "disk" takes that long first (a slow stick)
 *   wrap REAL          a fake-capacity card: "disk" keeps its size, but byte O
 *                      is byte O % REAL of the backing file, read and written
 *   clear              behave again (not wrap: a card's fakeness is for good)
 * "disk" is opened direct_io, so every read of the loop device reaches here.
 * Built by `make tools` as build/tools/faultfs.
 */
#define FUSE_USE_VERSION 35
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NONE UINT64_MAX

struct state {
	int fd;
	uint64_t eio_write, eio_read, flip;
	uint64_t eio_write_len, eio_read_len;
	unsigned long slow_us;
	uint64_t wrap; /* 0: none */
};

/* pread() or pwrite() of SIZE bytes at OFF, each byte at OFF % s->wrap when it wraps. */
static ssize_t wrapped_io(struct state *s, bool wr, char *buf, size_t size, off_t off)
{
	size_t done = 0;

	if (!s->wrap)
		return wr ? pwrite(s->fd, buf, size, off) : pread(s->fd, buf, size, off);
	while (done < size) {
		uint64_t at = ((uint64_t)off + done) % s->wrap;
		size_t n = size - done;
		ssize_t k;

		if (n > s->wrap - at)
			n = (size_t)(s->wrap - at);
		k = wr ? pwrite(s->fd, buf + done, n, (off_t)at)
		       : pread(s->fd, buf + done, n, (off_t)at);
		if (k < 0)
			return done ? (ssize_t)done : -1;
		if (k == 0)
			break;
		done += (size_t)k;
	}
	return (ssize_t)done;
}

static int hits(uint64_t from, uint64_t len, off_t off, size_t size)
{
	if (from == NONE || (uint64_t)off + size <= from)
		return 0;
	return len == NONE || (uint64_t)off < from + len;
}

static struct state *st(void)
{
	return fuse_get_context()->private_data;
}

static int ff_getattr(const char *path, struct stat *s, struct fuse_file_info *fi)
{
	struct stat b;

	(void)fi;
	memset(s, 0, sizeof(*s));
	if (!strcmp(path, "/")) {
		s->st_mode = S_IFDIR | 0755;
		s->st_nlink = 2;
		return 0;
	}
	if (!strcmp(path, "/ctl")) {
		s->st_mode = S_IFREG | 0600;
		s->st_nlink = 1;
		return 0;
	}
	if (strcmp(path, "/disk"))
		return -ENOENT;
	if (fstat(st()->fd, &b) < 0)
		return -errno;
	s->st_mode = S_IFREG | 0600;
	s->st_nlink = 1;
	s->st_size = b.st_size;
	s->st_blocks = b.st_blocks;
	return 0;
}

static int ff_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	(void)off, (void)fi, (void)flags;
	if (strcmp(path, "/"))
		return -ENOENT;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	fill(buf, "disk", NULL, 0, 0);
	fill(buf, "ctl", NULL, 0, 0);
	return 0;
}

static int ff_open(const char *path, struct fuse_file_info *fi)
{
	if (strcmp(path, "/disk") && strcmp(path, "/ctl"))
		return -ENOENT;
	fi->direct_io = 1;
	return 0;
}

static int ff_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	(void)fi;
	if (!strcmp(path, "/ctl"))
		return 0;
	return ftruncate(st()->fd, size) < 0 ? -errno : 0;
}

static int ff_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct state *s = st();
	ssize_t n;

	(void)fi;
	if (strcmp(path, "/disk"))
		return 0;
	if (hits(s->eio_read, s->eio_read_len, off, size))
		return -EIO;
	n = wrapped_io(s, false, buf, size, off);
	if (n < 0)
		return -errno;
	if (s->flip != NONE && s->flip >= (uint64_t)off && s->flip < (uint64_t)off + (uint64_t)n)
		buf[s->flip - (uint64_t)off] ^= 0xff;
	return (int)n;
}

static int control(struct state *s, const char *buf, size_t size)
{
	char line[128], word[32];
	unsigned long long v = 0, len = NONE;

	snprintf(line, sizeof(line), "%.*s", (int)size, buf);
	if (sscanf(line, "%31s %llu %llu", word, &v, &len) < 1)
		return -EINVAL;
	if (!strcmp(word, "eio-write"))
		s->eio_write = v, s->eio_write_len = len;
	else if (!strcmp(word, "eio-read"))
		s->eio_read = v, s->eio_read_len = len;
	else if (!strcmp(word, "flip"))
		s->flip = v;
	else if (!strcmp(word, "slow"))
		s->slow_us = (unsigned long)v;
	else if (!strcmp(word, "wrap") && v > 0)
		s->wrap = v;
	else if (!strcmp(word, "clear"))
		s->eio_write = s->eio_read = s->flip = NONE, s->slow_us = 0;
	else
		return -EINVAL;
	return 0;
}

static int ff_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct state *s = st();
	ssize_t n;
	int r;

	(void)fi;
	if (!strcmp(path, "/ctl")) {
		r = control(s, buf, size);
		return r < 0 ? r : (int)size;
	}
	if (s->slow_us)
		usleep(s->slow_us);
	if (hits(s->eio_write, s->eio_write_len, off, size))
		return -EIO;
	n = wrapped_io(s, true, (char *)buf, size, off);
	return n < 0 ? -errno : (int)n;
}

static int ff_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path, (void)fi;
	return (datasync ? fdatasync(st()->fd) : fsync(st()->fd)) < 0 ? -errno : 0;
}

static void *ff_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->direct_io = 1;
	return fuse_get_context()->private_data;
}

static const struct fuse_operations ops = {
	.init = ff_init,
	.getattr = ff_getattr,
	.readdir = ff_readdir,
	.open = ff_open,
	.truncate = ff_truncate,
	.read = ff_read,
	.write = ff_write,
	.fsync = ff_fsync,
};

int main(int argc, char *argv[])
{
	struct state s = { .eio_write = NONE, .eio_read = NONE, .flip = NONE };

	if (argc < 3) {
		fprintf(stderr, "usage: faultfs BACKING MOUNTPOINT [FUSE options]\n");
		return 2;
	}
	s.fd = open(argv[1], O_RDWR);
	if (s.fd < 0) {
		perror(argv[1]);
		return 1;
	}
	argv[1] = argv[0];
	return fuse_main(argc - 1, argv + 1, &ops, &s);
}
