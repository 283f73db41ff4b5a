/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Key tables: each section kind and each handler (part kind, raw blob)
 * lists the keys it accepts with a type and where the parsed value goes.
 */
#ifndef FB_KEYS_H
#define FB_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fb_key_type {
	FB_KEY_STRING,	/* char * (strdup'ed) */
	FB_KEY_SIZE,	/* uint64_t, "64M" */
	FB_KEY_UINT,	/* unsigned */
	FB_KEY_BOOL,	/* bool */
	FB_KEY_PERCENT, /* double, "5%" */
	FB_KEY_UUID,	/* uint8_t[16] + the bool right after it says "set" */
	_FB_KEY_TYPE_MAX,
};

struct fb_key {
	const char *name;
	enum fb_key_type type;
	size_t offset;
};

/* One "key = value" line of a profile, remembered with where it was written. */
struct fb_kv {
	char *key;
	char *value;
	const char *file; /* owned by the board */
	unsigned line;
	/*
	 * In the build's view of a profile (deb/sources.h), where the view's
	 * value is a resolved one (a deb: value became a path in the cache):
	 * the value as the profile wrote it, for messages, and the package it
	 * came from, "raspi-firmware 1.20220830+ds-1".  Else NULL.
	 */
	char *written, *origin;
};

/* For FB_KEY_UUID: the bytes and whether they were given. */
struct fb_uuid {
	uint8_t bytes[16];
	bool set;
};

/*
 * Sets the field named by KEY in OBJ.  Returns 0, -ENOENT for a key the
 * table lacks, or -EINVAL/-ERANGE for a bad value.  Logs nothing.
 */
int fb_keys_set(const struct fb_key *keys, void *obj, const char *key, const char *value);
/* Frees the FB_KEY_STRING fields of OBJ. */
void fb_keys_free(const struct fb_key *keys, void *obj);
/* Applies KVS to OBJ with KEYS; logs "file:line: ..." for the first bad one. */
int fb_keys_apply(const struct fb_key *keys, void *obj, const struct fb_kv *kvs, size_t n,
		  const char *what);
/*
 * As fb_keys_apply() into a zeroed object of SIZE bytes, which is then
 * freed: whether every key is known and every value of its type, before
 * anything reads them for real.
 */
int fb_keys_check(const struct fb_key *keys, size_t size, const struct fb_kv *kvs, size_t n,
		  const char *what);
/* A short description of what a key of TYPE takes, for messages. */
const char *fb_key_type_hint(enum fb_key_type type);

#endif
