/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The build cache.  Each build stage has a key, a SHA-256 over everything
 * it reads (profile keys, files by content, big files by path+size+mtime)
 * and the keys of the stages it consumes.  Its artifact is a directory
 * CACHE/STAGE/KEY/, complete or absent: it is made under a temporary name
 * and renamed into place, so a killed build never leaves half an artifact.
 *
 * CACHE is $FLASHBUILD_CACHE, else $XDG_CACHE_HOME/flashbuild, else
 * ~/.cache/flashbuild.
 */
#ifndef FB_CACHE_H
#define FB_CACHE_H

#include <stdbool.h>

#include "cleanup.h"
#include "sha256.h"

#define FB_KEY_LEN FB_SHA256_HEX_LEN

struct fb_cache {
	char *dir;
};

int fb_cache_open(struct fb_cache *c);
void fb_cache_close(struct fb_cache *c);

/* CACHE/STAGE/KEY (whether or not it exists); NULL on ENOMEM. */
char *fb_cache_path(const struct fb_cache *c, const char *stage, const char *key);
bool fb_cache_has(const struct fb_cache *c, const char *stage, const char *key);
/*
 * Creates an empty CACHE/STAGE/.KEY.PID.XXXXXX to build the artifact in,
 * after removing those a killed build of KEY left (their PID is gone).
 */
int fb_cache_begin(const struct fb_cache *c, const char *stage, const char *key, char **ret_tmp);
/* Renames TMP to CACHE/STAGE/KEY (replacing nothing: a present KEY wins). */
int fb_cache_commit(const struct fb_cache *c, const char *stage, const char *key, const char *tmp);
/* Removes TMP and everything below it (after a failed stage). */
void fb_cache_abort(const char *tmp);

/* A stage key: SHA-256 over labelled inputs, in the order they are added. */
struct fb_hasher;

struct fb_hasher *fb_hasher_new(const char *stage);
struct fb_hasher *fb_hasher_free(struct fb_hasher *h);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fb_hasher *, fb_hasher_free);
/* A string input; VALUE may be NULL (hashed as absent, unlike ""). */
void fb_hasher_str(struct fb_hasher *h, const char *label, const char *value);
/* A file by content (not by name).  -errno, logged naming PATH. */
int fb_hasher_file(struct fb_hasher *h, const char *label, const char *path);
/* A big file by path, size and mtime (a kernel tarball, a compiler). */
int fb_hasher_stat(struct fb_hasher *h, const char *label, const char *path);
/*
 * A directory tree by content: every entry's path relative to DIR, type,
 * mode, owner, symlink target and file content, walked in sorted order.
 */
int fb_hasher_tree(struct fb_hasher *h, const char *label, const char *dir);
int fb_hasher_final(struct fb_hasher *h, char key[FB_KEY_LEN + 1]);

#endif
