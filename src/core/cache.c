// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "log.h"
#include "outfile.h"
#include "util.h"

/* Bumped when what a key covers changes, so old artifacts are not reused. */
#define FB_CACHE_FORMAT "flashbuild-cache-1"

struct fb_hasher {
	struct fb_sha256 *sha;
};

static char *cache_default_dir(void)
{
	const char *env = getenv("FLASHBUILD_CACHE");
	char *dir = NULL;

	if (!fb_str_empty(env))
		return strdup(env);
	env = getenv("XDG_CACHE_HOME");
	if (!fb_str_empty(env) && env[0] == '/')
		return asprintf(&dir, "%s/flashbuild", env) < 0 ? NULL : dir;
	env = getenv("HOME");
	if (fb_str_empty(env))
		return NULL;
	return asprintf(&dir, "%s/.cache/flashbuild", env) < 0 ? NULL : dir;
}

int fb_cache_open(struct fb_cache *c)
{
	int r;

	c->dir = cache_default_dir();
	if (!c->dir)
		return fb_err("no cache directory: set FLASHBUILD_CACHE, XDG_CACHE_HOME or HOME");
	r = fb_mkdir_p(c->dir);
	if (r < 0)
		return fb_err_errno(r, "cannot create cache directory '%s'", c->dir);
	return 0;
}

void fb_cache_close(struct fb_cache *c)
{
	free(c->dir);
	c->dir = NULL;
}

char *fb_cache_path(const struct fb_cache *c, const char *stage, const char *key)
{
	char *p;

	return asprintf(&p, "%s/%s/%s", c->dir, stage, key) < 0 ? NULL : p;
}

bool fb_cache_has(const struct fb_cache *c, const char *stage, const char *key)
{
	_cleanup_free_ char *p = fb_cache_path(c, stage, key);
	struct stat st;

	return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int fb_cache_begin(const struct fb_cache *c, const char *stage, const char *key, char **ret_tmp)
{
	_cleanup_free_ char *dir = NULL, *tmp = NULL;
	int r;

	if (asprintf(&dir, "%s/%s", c->dir, stage) < 0 || !(tmp = fb_temp_template(dir, key)))
		return fb_err_errno(-ENOMEM, "cannot start stage '%s'", stage);
	r = fb_mkdir_p(dir);
	if (r < 0)
		return fb_err_errno(r, "cannot create '%s'", dir);
	/* What a killed build of this artifact left (CACHE/STAGE/.KEY.PID.XXXXXX). */
	r = fb_temp_remove_stale(dir, key);
	if (r < 0)
		return fb_err_errno(r, "cannot start stage '%s'", stage);
	if (!mkdtemp(tmp))
		return fb_err_errno(-errno, "cannot create a directory in '%s'", dir);
	*ret_tmp = TAKE_PTR(tmp);
	return 0;
}

int fb_cache_commit(const struct fb_cache *c, const char *stage, const char *key, const char *tmp)
{
	_cleanup_free_ char *final = fb_cache_path(c, stage, key);

	if (!final)
		return fb_err_errno(-ENOMEM, "cannot finish stage '%s'", stage);
	if (rename(tmp, final) < 0) {
		/* Another build made the same artifact meanwhile: same key, same content. */
		if (errno == ENOTEMPTY || errno == EEXIST) {
			fb_cache_abort(tmp);
			return 0;
		}
		return fb_err_errno(-errno, "cannot rename '%s' to '%s'", tmp, final);
	}
	return 0;
}

void fb_cache_abort(const char *tmp)
{
	if (tmp)
		fb_rm_rf(tmp);
}

struct fb_hasher *fb_hasher_new(const char *stage)
{
	struct fb_hasher *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->sha = fb_sha256_new();
	if (!h->sha)
		return fb_hasher_free(h);
	fb_hasher_str(h, FB_CACHE_FORMAT, stage);
	return h;
}

struct fb_hasher *fb_hasher_free(struct fb_hasher *h)
{
	if (h) {
		fb_sha256_free(h->sha);
		free(h);
	}
	return NULL;
}

/* Length-prefixed, so that ("ab","c") and ("a","bc") differ. */
static void hash_bytes(struct fb_hasher *h, const void *p, size_t n)
{
	uint64_t len = n;

	fb_sha256_update(h->sha, &len, sizeof(len));
	fb_sha256_update(h->sha, p, n);
}

void fb_hasher_str(struct fb_hasher *h, const char *label, const char *value)
{
	hash_bytes(h, label, strlen(label));
	if (value)
		hash_bytes(h, value, strlen(value));
	else
		hash_bytes(h, "\0absent", 7);
}

static int hash_fd(struct fb_hasher *h, int fd)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		fb_sha256_update(h->sha, buf, (size_t)n);
	}
	return 0;
}

int fb_hasher_file(struct fb_hasher *h, const char *label, const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return fb_err_errno(-errno, "cannot read '%s'", path);
	/* Content only: the same file elsewhere (another checkout) is the same input. */
	fb_hasher_str(h, label, "content");
	r = hash_fd(h, fd);
	if (r < 0)
		return fb_err_errno(r, "cannot read '%s'", path);
	return 0;
}

int fb_hasher_stat(struct fb_hasher *h, const char *label, const char *path)
{
	struct stat st;
	char buf[128];

	if (stat(path, &st) < 0)
		return fb_err_errno(-errno, "cannot read '%s'", path);
	snprintf(buf, sizeof(buf), "%" PRIu64 ":%" PRId64 ".%09ld", (uint64_t)st.st_size,
		 (int64_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	fb_hasher_str(h, label, path);
	fb_hasher_str(h, "stat", buf);
	return 0;
}

static int skip_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
}

static int hash_entry(struct fb_hasher *h, const char *path, const char *rel);

static int hash_dir(struct fb_hasher *h, const char *path, const char *rel)
{
	struct dirent **names = NULL;
	int n, r = 0;

	n = scandir(path, &names, skip_dots, alphasort);
	if (n < 0)
		return fb_err_errno(-errno, "cannot list '%s'", path);
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *p = NULL, *q = NULL;

		if (r >= 0 && (!(p = fb_path_join(path, names[i]->d_name)) ||
			       !(q = fb_path_join(rel, names[i]->d_name))))
			r = fb_err_errno(-ENOMEM, "cannot hash '%s'", path);
		if (r >= 0)
			r = hash_entry(h, p, q);
		free(names[i]);
	}
	free(names);
	return r;
}

static int hash_entry(struct fb_hasher *h, const char *path, const char *rel)
{
	char meta[96], target[4096];
	struct stat st;
	ssize_t n;

	if (lstat(path, &st) < 0)
		return fb_err_errno(-errno, "cannot read '%s'", path);
	snprintf(meta, sizeof(meta), "%o:%u:%u:%" PRIu64, st.st_mode, st.st_uid, st.st_gid,
		 (uint64_t)(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? st.st_rdev : 0));
	fb_hasher_str(h, "entry", rel);
	fb_hasher_str(h, "meta", meta);
	if (S_ISLNK(st.st_mode)) {
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			return fb_err_errno(-errno, "cannot read link '%s'", path);
		target[n] = '\0';
		fb_hasher_str(h, "target", target);
		return 0;
	}
	if (S_ISREG(st.st_mode))
		return fb_hasher_file(h, "content", path);
	if (S_ISDIR(st.st_mode))
		return hash_dir(h, path, rel);
	return 0;
}

int fb_hasher_tree(struct fb_hasher *h, const char *label, const char *dir)
{
	fb_hasher_str(h, label, "tree");
	return hash_entry(h, dir, "");
}

int fb_hasher_final(struct fb_hasher *h, char key[FB_KEY_LEN + 1])
{
	return fb_sha256_final_hex(h->sha, key);
}
