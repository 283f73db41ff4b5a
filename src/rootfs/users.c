// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Users in /etc/passwd, /etc/group and /etc/shadow, edited as text the way
 * useradd and chpasswd would, so that a base that already has accounts
 * (Debian's, Alpine's) keeps them: lines are kept, added or have one field
 * replaced.  This file owns libcrypt.
 */
#include <crypt.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/sha256.h"
#include "users.h"

#define FIRST_UID 1000
#define LAST_UID  59999

int fb_users_check_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 32 || !(islower((unsigned char)name[0]) || name[0] == '_'))
		return -EINVAL;
	for (size_t i = 1; i < n; i++)
		if (!(islower((unsigned char)name[i]) || isdigit((unsigned char)name[i]) ||
		      name[i] == '_' || name[i] == '-'))
			return -EINVAL;
	return 0;
}

void fb_users_free(struct fb_users *u)
{
	for (size_t i = 0; i < u->n; i++) {
		free(u->v[i].name);
		free(u->v[i].password);
		free(u->v[i].hash);
		free(u->v[i].home);
	}
	free(u->v);
	*u = (struct fb_users){ 0 };
}

/* Checks one "name:password" word; the name goes to *ret_bad on error. */
static int parse_word(const struct fb_users *u, const char *w, size_t len, struct fb_user *ret,
		      char **ret_bad, const char **ret_why)
{
	const char *colon = memchr(w, ':', len);
	size_t nlen = colon ? (size_t)(colon - w) : len;
	_cleanup_free_ char *name = strndup(w, nlen);

	if (!name)
		return -ENOMEM;
	if (fb_users_check_name(name) < 0)
		*ret_why = "is not a valid name (a-z, 0-9, '_' and '-', at most 32 bytes)";
	else if (!colon || colon + 1 == w + len)
		*ret_why = "has no password (write users = NAME:PASSWORD)";
	else if (!strcmp(name, "root"))
		*ret_why = "cannot be set here: root's password is 'root-password'";
	else
		for (size_t i = 0; i < u->n; i++)
			if (!strcmp(u->v[i].name, name))
				*ret_why = "is given twice";
	if (*ret_why) {
		*ret_bad = TAKE_PTR(name);
		return -EINVAL;
	}
	ret->password = strndup(colon + 1, len - nlen - 1);
	if (!ret->password)
		return -ENOMEM;
	ret->name = TAKE_PTR(name);
	return 0;
}

int fb_users_parse(const char *s, struct fb_users *ret, char **ret_bad, const char **ret_why)
{
	struct fb_users u = { 0 };
	int r = 0;

	*ret_bad = NULL;
	*ret_why = NULL;
	while (s && *s && r >= 0) {
		size_t len;
		struct fb_user *v;

		s += strspn(s, " \t");
		len = strcspn(s, " \t");
		if (len == 0)
			break;
		v = reallocarray(u.v, u.n + 1, sizeof(*v));
		if (!v) {
			r = -ENOMEM;
			break;
		}
		u.v = v;
		u.v[u.n] = (struct fb_user){ 0 };
		r = parse_word(&u, s, len, &u.v[u.n], ret_bad, ret_why);
		if (r >= 0)
			u.n++;
		s += len;
	}
	if (r < 0) {
		fb_users_free(&u);
		return r;
	}
	*ret = u;
	return 0;
}

int fb_users_setting(const char *seed, const char *name, char ret[FB_USERS_SETTING_LEN + 1])
{
	static const char alphabet[] =
		"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	struct fb_sha256 *h = fb_sha256_new();
	char hex[FB_SHA256_HEX_LEN + 1];
	int r;

	if (!h)
		return -ENOMEM;
	/*
	 * Never the password: the salt is stored in clear beside the hash, and a
	 * salt made from the password would let a guess be checked with one
	 * SHA-256 instead of sha512crypt's 5000 rounds.
	 */
	r = fb_sha256_update(h, "shadow salt", sizeof("shadow salt"));
	if (r >= 0)
		r = fb_sha256_update(h, seed, strlen(seed) + 1);
	if (r >= 0)
		r = fb_sha256_update(h, name, strlen(name));
	if (r >= 0)
		r = fb_sha256_final_hex(h, hex);
	fb_sha256_free(h);
	if (r < 0)
		return r;
	memcpy(ret, "$6$", 3);
	for (size_t i = 0; i < 16; i++) {
		unsigned byte;

		sscanf(hex + 2 * i, "%2x", &byte);
		ret[3 + i] = alphabet[byte % 64];
	}
	ret[FB_USERS_SETTING_LEN] = '\0';
	return 0;
}

int fb_users_hash(const char *password, const char *setting, char **ret)
{
	_cleanup_free_ struct crypt_data *data = calloc(1, sizeof(*data));
	const char *h;

	if (!data)
		return -ENOMEM;
	h = crypt_r(password, setting, data);
	/* libxcrypt fails with a string starting with '*', or NULL */
	if (!h || h[0] == '*')
		return errno > 0 ? -errno : -EINVAL;
	*ret = strdup(h);
	return *ret ? 0 : -ENOMEM;
}

/* The line of TEXT whose first field is NAME, or NULL. */
static const char *find_line(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, name, n) && l[n] == ':')
			return l;
	return NULL;
}

/* Field IDX (0-based) of LINE as a number, or -1. */
static long field_num(const char *line, int idx)
{
	char *end;
	long v;

	for (int i = 0; i < idx; i++) {
		line = strpbrk(line, ":\n");
		if (!line || *line == '\n')
			return -1;
		line++;
	}
	if (!isdigit((unsigned char)*line))
		return -1;
	v = strtol(line, &end, 10);
	return *end == ':' || *end == '\n' || !*end ? v : -1;
}

/* Field IDX of LINE as a new string. */
static char *field_str(const char *line, int idx)
{
	for (int i = 0; i < idx; i++) {
		line = strpbrk(line, ":\n");
		if (!line || *line == '\n')
			return strdup("");
		line++;
	}
	return strndup(line, strcspn(line, ":\n"));
}

static bool id_used(const char *text, int idx, long id)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (field_num(l, idx) == id)
			return true;
	return false;
}

/* TEXT + LINE, with a newline between them if TEXT lacks its last one. */
static int append(char **text, const char *line)
{
	const char *t = *text ? *text : "";
	size_t n = strlen(t);
	char *s;

	if (asprintf(&s, "%s%s%s\n", t, n && t[n - 1] != '\n' ? "\n" : "", line) < 0)
		return -ENOMEM;
	free(*text);
	*text = s;
	return 0;
}

/* Replaces field 1 (the password) of NAME's line of *TEXT with HASH, or adds a line. */
static int set_shadow(char **text, const char *name, const char *hash)
{
	const char *l = *text ? find_line(*text, name) : NULL, *rest;
	_cleanup_free_ char *line = NULL;
	char *s;

	if (!l) {
		if (asprintf(&line, "%s:%s::0:99999:7:::", name, hash) < 0)
			return -ENOMEM;
		return append(text, line);
	}
	rest = l + strlen(name) + 1;
	rest += strcspn(rest, ":\n");
	if (asprintf(&s, "%.*s%s:%s%s", (int)(l - *text), *text, name, hash, rest) < 0)
		return -ENOMEM;
	free(*text);
	*text = s;
	return 0;
}

/* Takes U's ids and home from its passwd line, or adds one (and its group). */
static int add_account(struct fb_passwd_files *f, struct fb_user *u, const char *shell)
{
	const char *l = f->passwd ? find_line(f->passwd, u->name) : NULL;
	const char *g = f->group ? find_line(f->group, u->name) : NULL;
	_cleanup_free_ char *line = NULL;
	long id;
	int r;

	if (l) {
		u->uid = (uid_t)field_num(l, 2);
		u->gid = (gid_t)field_num(l, 3);
		u->home = field_str(l, 5);
		return u->home ? 0 : -ENOMEM;
	}
	for (id = FIRST_UID; id <= LAST_UID; id++)
		if (!id_used(f->passwd, 2, id) && (g || !id_used(f->group, 2, id)))
			break;
	if (id > LAST_UID)
		return -ENOSPC;
	u->uid = (uid_t)id;
	u->gid = g ? (gid_t)field_num(g, 2) : (gid_t)id;
	if (asprintf(&u->home, "/home/%s", u->name) < 0) {
		u->home = NULL;
		return -ENOMEM;
	}
	if (asprintf(&line, "%s:x:%u:%u:%s:%s:%s", u->name, (unsigned)u->uid, (unsigned)u->gid,
		     u->name, u->home, shell) < 0) {
		line = NULL;
		return -ENOMEM;
	}
	r = append(&f->passwd, line);
	if (r < 0 || g)
		return r;
	free(line);
	if (asprintf(&line, "%s:x:%u:", u->name, (unsigned)u->gid) < 0) {
		line = NULL;
		return -ENOMEM;
	}
	return append(&f->group, line);
}

int fb_users_merge(struct fb_passwd_files *f, struct fb_users *u, const char *root_hash,
		   const char *shell)
{
	int r;

	for (size_t i = 0; i < u->n; i++) {
		r = add_account(f, &u->v[i], shell);
		if (r >= 0)
			r = set_shadow(&f->shadow, u->v[i].name, u->v[i].hash);
		if (r < 0)
			return r;
	}
	if (root_hash)
		return set_shadow(&f->shadow, "root", root_hash);
	return 0;
}

void fb_passwd_files_free(struct fb_passwd_files *f)
{
	free(f->passwd);
	free(f->group);
	free(f->shadow);
	*f = (struct fb_passwd_files){ 0 };
}
