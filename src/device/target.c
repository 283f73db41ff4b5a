// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "target.h"

/* A failed large I/O is retried in pieces this size, to name where it fails. */
#define PROBE_PIECE (64 * 1024)

void *fb_target_alloc(size_t len)
{
	void *p = NULL;

	if (posix_memalign(&p, FB_TARGET_BUF_ALIGN, len ? len : FB_TARGET_BUF_ALIGN) != 0)
		return NULL;
	memset(p, 0, len);
	return p;
}

/* A disk that is not ours to open: the one-line hint a user needs. */
static int open_failed(const char *node, int err)
{
	if (err == EACCES || err == EPERM)
		return fb_err_errno(
			-err, "cannot open '%s' for writing (run as root, or with sudo)", node);
	return fb_err_errno(-err, "cannot open '%s' for writing", node);
}

static int open_file(struct fb_target *t, uint64_t min_size)
{
	struct stat st;

	/* An image ending mid-block would make O_DIRECT reads of the file's end short. */
	if (min_size % FB_TARGET_BUF_ALIGN == 0)
		t->fd = open(t->node, O_RDWR | O_CREAT | O_CLOEXEC | O_DIRECT, 0644);
	if (t->fd < 0) /* tmpfs and others take no O_DIRECT */
		t->fd = open(t->node, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (t->fd < 0)
		return open_failed(t->node, errno);
	if (fstat(t->fd, &st) < 0)
		return fb_err_errno(-errno, "cannot look at '%s'", t->node);
	t->direct = (fcntl(t->fd, F_GETFL) & O_DIRECT) != 0;
	t->align = t->direct ? 4096 : 1;
	if ((uint64_t)st.st_size < min_size && ftruncate(t->fd, (off_t)min_size) < 0)
		return fb_err_errno(-errno, "cannot size '%s'", t->node);
	t->size = (uint64_t)st.st_size < min_size ? min_size : (uint64_t)st.st_size;
	t->lock_fd = open(t->node, O_RDWR | O_CLOEXEC);
	if (t->lock_fd < 0)
		return fb_err_errno(-errno, "cannot open '%s'", t->node);
	return 0;
}

int fb_target_check_access(const char *node)
{
	if (faccessat(AT_FDCWD, node, R_OK | W_OK, AT_EACCESS) < 0 && errno != ENOENT)
		return open_failed(node, errno);
	return 0;
}

static int open_block(struct fb_target *t)
{
	int lbs = 512;

	/* O_EXCL fails while anything mounts or holds the disk, or another flasher has it. */
	t->fd = open(t->node, O_RDWR | O_EXCL | O_DIRECT | O_CLOEXEC);
	if (t->fd < 0 && errno == EBUSY)
		return -EBUSY;
	if (t->fd < 0)
		return open_failed(t->node, errno);
	t->direct = true;
	if (ioctl(t->fd, BLKSSZGET, &lbs) < 0 || lbs <= 0 || lbs > FB_TARGET_BUF_ALIGN)
		lbs = 512;
	t->align = (unsigned)lbs;
	if (ioctl(t->fd, BLKGETSIZE64, &t->size) < 0)
		return fb_err_errno(-errno, "cannot get the size of '%s'", t->node);
	t->lock_fd = open(t->node, O_RDWR | O_CLOEXEC);
	if (t->lock_fd < 0)
		return fb_err_errno(-errno, "cannot open '%s'", t->node);
	return 0;
}

int fb_target_trylock(struct fb_target *t)
{
	if (!t->is_block)
		return 0;
	if (flock(t->lock_fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno == EWOULDBLOCK)
		return -EWOULDBLOCK;
	return fb_err_errno(-errno, "cannot lock '%s'", t->node);
}

/* PID's command name, as ps shows it, into BUF; the lock outlives a taker whose children keep it. */
static void comm_of(long pid, char *buf, size_t len)
{
	char path[64];
	_cleanup_fclose_ FILE *f = NULL;

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	f = fopen(path, "re");
	if (!f || !fgets(buf, (int)len, f))
		snprintf(buf, len, "exited, a process it started holds it");
	buf[strcspn(buf, "\n")] = '\0';
}

void fb_target_lock_holder(const struct fb_target *t, char *buf, size_t len)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/locks", "re");
	char line[256], want[64], comm[64];
	struct stat st;

	snprintf(buf, len, "another process");
	if (!f || fstat(t->lock_fd, &st) < 0)
		return;
	/* "1: FLOCK  ADVISORY  WRITE 1690 00:06:93 0 EOF": the inode as MAJ:MIN:INO of its fs */
	snprintf(want, sizeof(want), "%02x:%02x:%llu", major(st.st_dev), minor(st.st_dev),
		 (unsigned long long)st.st_ino);
	while (fgets(line, sizeof(line), f)) {
		char kind[16], mode[16], dev[64];
		long pid;

		if (sscanf(line, "%*s %15s %*s %15s %ld %63s", kind, mode, &pid, dev) != 4 ||
		    strcmp(kind, "FLOCK") || strcmp(dev, want) || pid <= 0 || pid == getpid())
			continue;
		comm_of(pid, comm, sizeof(comm));
		snprintf(buf, len, "pid %ld (%s)", pid, comm);
		return;
	}
}

int fb_target_open(struct fb_target *t, const char *node, bool is_block, uint64_t min_size)
{
	int r;

	*t = (struct fb_target){
		.node = node, .fd = -EBADF, .lock_fd = -EBADF, .is_block = is_block
	};
	t->bounce = fb_target_alloc(FB_TARGET_BUF_ALIGN);
	if (!t->bounce)
		return fb_err_errno(-ENOMEM, "cannot open '%s'", node);
	r = is_block ? open_block(t) : open_file(t, min_size);
	if (r < 0)
		fb_target_close(t);
	return r;
}

void fb_target_close_data(struct fb_target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -EBADF;
}

void fb_target_close(struct fb_target *t)
{
	fb_target_close_data(t);
	if (t->lock_fd >= 0)
		close(t->lock_fd); /* releases the flock */
	t->lock_fd = -EBADF;
	free(t->bounce);
	t->bounce = NULL;
}

static int pio(struct fb_target *t, bool wr, void *buf, size_t len, uint64_t off)
{
	return fb_pio_full(t->fd, wr, buf, len, off);
}

/* I/O on an aligned span; a failure is narrowed down to the first piece that fails. */
static int span_io(struct fb_target *t, bool wr, void *buf, size_t len, uint64_t off)
{
	int r = pio(t, wr, buf, len, off);

	if (r == 0)
		return 0;
	for (size_t p = 0; len > PROBE_PIECE && p < len; p += PROBE_PIECE) {
		size_t n = len - p < PROBE_PIECE ? len - p : PROBE_PIECE;

		r = pio(t, wr, (char *)buf + p, n, off + p);
		if (r < 0) {
			t->failed = true;
			t->fail_off = off + p;
			return fb_err_errno(r, "cannot %s '%s' at byte %llu", wr ? "write" : "read",
					    t->node, (unsigned long long)(off + p));
		}
	}
	t->failed = true;
	t->fail_off = off;
	return fb_err_errno(r, "cannot %s '%s' at byte %llu", wr ? "write" : "read", t->node,
			    (unsigned long long)off);
}

int fb_target_write(struct fb_target *t, const void *buf, size_t len, uint64_t off)
{
	size_t body = len / t->align * t->align, rest = len - body;
	int r;

	if (off % t->align)
		return fb_err_errno(-EINVAL, "unaligned write to '%s' at byte %llu", t->node,
				    (unsigned long long)off);
	t->touched = true;
	t->written += len;
	if (body) {
		r = span_io(t, true, (void *)buf, body, off);
		if (r < 0)
			return r;
	}
	if (!rest)
		return 0;
	/* The image ends inside a device block: read, change, write that block. */
	r = span_io(t, false, t->bounce, t->align, off + body);
	if (r < 0)
		return r;
	memcpy(t->bounce, (const char *)buf + body, rest);
	return span_io(t, true, t->bounce, t->align, off + body);
}

int fb_target_read(struct fb_target *t, void *buf, size_t len, uint64_t off)
{
	size_t span = (size_t)fb_align_up(len, t->align);

	if (off % t->align)
		return fb_err_errno(-EINVAL, "unaligned read of '%s' at byte %llu", t->node,
				    (unsigned long long)off);
	if (off + span > t->size && t->size > off)
		span = (size_t)(t->size - off) / t->align * t->align;
	if (span < len) { /* a file target ending mid-block */
		int r = span_io(t, false, buf, span, off);

		if (r < 0)
			return r;
		return pio(t, false, (char *)buf + span, len - span, off + span) < 0 ? -EIO : 0;
	}
	return span_io(t, false, buf, span, off);
}

int fb_target_sync(struct fb_target *t)
{
	if (fsync(t->fd) < 0)
		return fb_err_errno(-errno, "cannot flush '%s'", t->node);
	if (!t->is_block) /* so that verify reads the disk, not the page cache */
		posix_fadvise(t->fd, 0, 0, POSIX_FADV_DONTNEED);
	return 0;
}

int fb_target_zero(struct fb_target *t, uint64_t off, uint64_t len)
{
	uint64_t range[2] = { off, len };

	if (!len)
		return 0;
	t->touched = true;
	t->written += len;
	if (t->is_block) {
		/* Needs whole logical blocks; a partial one at the end is left as it is. */
		range[1] = len / t->align * t->align;
		if (range[1] && ioctl(t->fd, BLKZEROOUT, range) < 0)
			return fb_err_errno(-errno, "cannot zero '%s' at byte %llu", t->node,
					    (unsigned long long)off);
		return 0;
	}
	if (fallocate(t->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) <
	    0)
		return fb_err_errno(-errno, "cannot zero '%s' at byte %llu", t->node,
				    (unsigned long long)off);
	return 0;
}
