// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "keys.h"

static const struct fb_key *key_find(const struct fb_key *keys, const char *name)
{
	for (; keys->name; keys++)
		if (!strcmp(keys->name, name))
			return keys;
	return NULL;
}

static int parse_uint(const char *s, unsigned *ret)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (v > 0xffffffffUL)
		return -ERANGE;
	*ret = (unsigned)v;
	return 0;
}

int fb_keys_set(const struct fb_key *keys, void *obj, const char *key, const char *value)
{
	const struct fb_key *k = key_find(keys, key);
	void *field;
	char *s;

	if (!k)
		return -ENOENT;
	field = (char *)obj + k->offset;
	switch (k->type) {
	case FB_KEY_STRING:
		s = strdup(value);
		if (!s)
			return -ENOMEM;
		free(*(char **)field);
		*(char **)field = s;
		return 0;
	case FB_KEY_SIZE:
		return fb_parse_size(value, field);
	case FB_KEY_UINT:
		return parse_uint(value, field);
	case FB_KEY_BOOL:
		return fb_parse_bool(value, field);
	case FB_KEY_PERCENT:
		return fb_parse_percent(value, field);
	case FB_KEY_UUID: {
		struct fb_uuid *u = field;
		int r = fb_parse_uuid(value, u->bytes);

		u->set = r == 0;
		return r;
	}
	default:
		return -EINVAL;
	}
}

void fb_keys_free(const struct fb_key *keys, void *obj)
{
	for (; keys->name; keys++)
		if (keys->type == FB_KEY_STRING) {
			char **s = (char **)((char *)obj + keys->offset);

			free(*s);
			*s = NULL;
		}
}

const char *fb_key_type_hint(enum fb_key_type type)
{
	static const char *const hints[_FB_KEY_TYPE_MAX] = {
		[FB_KEY_STRING] = "a string",
		[FB_KEY_SIZE] = "a size such as 512, 8K, 64M or 2G",
		[FB_KEY_UINT] = "a whole number",
		[FB_KEY_BOOL] = "yes or no",
		[FB_KEY_PERCENT] = "a percentage from 0 to 50",
		[FB_KEY_UUID] = "a UUID such as 0fc63daf-8483-4772-8e79-3d69d8477de4",
	};

	return type < _FB_KEY_TYPE_MAX ? hints[type] : "?";
}

int fb_keys_apply(const struct fb_key *keys, void *obj, const struct fb_kv *kvs, size_t n,
		  const char *what)
{
	for (size_t i = 0; i < n; i++) {
		const struct fb_kv *kv = &kvs[i];
		const struct fb_key *k = key_find(keys, kv->key);
		int r = k ? fb_keys_set(keys, obj, kv->key, kv->value) : -ENOENT;

		if (r == -ENOENT)
			return fb_err("%s:%u: unknown key '%s' for %s", kv->file, kv->line, kv->key,
				      what);
		if (r == -ENOMEM)
			return fb_err_errno(r, "%s:%u: cannot store '%s'", kv->file, kv->line,
					    kv->key);
		if (r < 0)
			return fb_err("%s:%u: bad value '%s' for '%s': expected %s", kv->file,
				      kv->line, kv->value, kv->key, fb_key_type_hint(k->type));
	}
	return 0;
}

int fb_keys_check(const struct fb_key *keys, size_t size, const struct fb_kv *kvs, size_t n,
		  const char *what)
{
	_cleanup_free_ void *obj = calloc(1, size ? size : 1);
	int r;

	if (!obj)
		return fb_err_errno(-ENOMEM, "cannot check %s", what);
	r = fb_keys_apply(keys, obj, kvs, n, what);
	fb_keys_free(keys, obj);
	return r;
}
