/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers: no logging here, callers log. */
#ifndef FB_UTIL_H
#define FB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FB_KiB 1024ULL
#define FB_MiB (1024ULL * FB_KiB)
#define FB_GiB (1024ULL * FB_MiB)

/* "512", "8K", "64M", "1G", "1T" (binary units, optional "iB"/"B") -> bytes. */
int fb_parse_size(const char *s, uint64_t *ret);
/* "5", "5%", "0.5%" -> 5.0, 5.0, 0.5; must lie in [0, 50]. */
int fb_parse_percent(const char *s, double *ret);
/* "yes/no/true/false/1/0/on/off" */
int fb_parse_bool(const char *s, bool *ret);
/* A UUID "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" -> 16 bytes. */
int fb_parse_uuid(const char *s, uint8_t ret[16]);

/* Human-readable size: "64 MiB", "1.5 GiB", "512 B"; BUF of at least 32 bytes. */
const char *fb_format_size(uint64_t bytes, char *buf, size_t len);

/* "dir" + "name" -> "dir/name", or name alone when it is absolute or dir is NULL/"". */
char *fb_path_join(const char *dir, const char *name);
bool fb_streq_ptr(const char *a, const char *b);
bool fb_str_empty(const char *s);

static inline uint64_t fb_align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/* The first executable NAME in $PATH, its symlinks resolved (gcc -> gcc-12); NULL if none. */
char *fb_find_in_path(const char *name);

/* mkdir -p PATH (mode 0755): 0 or -errno. */
int fb_mkdir_p(const char *path);
/* A new file DST (MODE; it must not exist) with SRC's bytes, fsynced: 0 or -errno. */
int fb_copy_file(const char *src, const char *dst, mode_t mode);
/* The whole regular file PATH, NUL-terminated (*RET_SIZE: without the NUL); -errno, not logged. */
int fb_read_file(const char *path, char **ret, size_t *ret_size);
/*
 * All LEN bytes at OFF: pwrite() when WRITE, else pread(), again after a
 * short transfer or EINTR.  0, -errno, or -ENOSPC when the file or device
 * ends first.
 */
int fb_pio_full(int fd, bool write, void *buf, size_t len, uint64_t off);
/* rm -rf PATH: best effort, no symlink followed. */
void fb_rm_rf(const char *path);

/*
 * "Now" for everything a build writes (file times, the kernel's build date):
 * SOURCE_DATE_EPOCH, or FB_DEFAULT_EPOCH when it is unset, so that builds
 * are reproducible by default (docs/reproducible.md).
 */
#define FB_DEFAULT_EPOCH INT64_C(1686355200) /* 2023-06-10 00:00 UTC, Debian 12's release */
#define FB_MIN_EPOCH	 INT64_C(315532800)  /* 1980-01-01: FAT stores nothing earlier */
#define FB_MAX_EPOCH	 INT64_C(4102444799) /* 2099-12-31: cpio and FAT store nothing later */
/* 0, or -EINVAL (logged) when SOURCE_DATE_EPOCH is set but not such a time. */
int fb_source_date_epoch(int64_t *ret);
/* Monotonic clock in seconds. */
double fb_now(void);

#endif
