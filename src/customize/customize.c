// SPDX-License-Identifier: GPL-2.0-or-later
/* A card's own files: checked against the image, written into the card (see customize.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "core/log.h"
#include "core/util.h"
#include "customize.h"
#include "device/probe.h"
#include "image/ext4-edit.h"
#include "rootfs/users.h"

#define MAX_FILE   (16 << 20) /* --file: a config file, a key, a small program */
#define MAX_PASSWD (1 << 20)
#define MACHINE_ID "/etc/machine-id"
#define HOSTNAME   "/etc/hostname"
#define KEYS_FILE  ".ssh/authorized_keys"

/* What --user changes, in the order of struct fb_custom's passwd[]. */
static const char *const passwd_paths[3] = { "/etc/passwd", "/etc/group", "/etc/shadow" };

bool fb_custom_wanted(const struct fb_custom_opts *o)
{
	return o->user || o->password_file || o->hostname || o->ssh_key || o->ssh_user ||
	       o->files.n || o->machine_id;
}

static void file_free(struct fb_custom_file *f)
{
	free(f->path);
	free(f->data);
}

void fb_custom_done(struct fb_custom *c)
{
	for (size_t i = 0; i < c->n_fixed; i++)
		file_free(&c->fixed[i]);
	for (size_t i = 0; i < c->n_dirs; i++)
		free(c->dirs[i].path);
	free(c->fixed);
	free(c->dirs);
	free(c->user);
	for (size_t i = 0; i < 3; i++)
		free(c->passwd[i]);
	free(c->passwd_merged);
	if (c->password)
		explicit_bzero(c->password, strlen(c->password));
	free(c->password);
	*c = (struct fb_custom){ 0 };
}

void fb_custom_plan_done(struct fb_custom_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		file_free(&p->v[i]);
	free(p->v);
	*p = (struct fb_custom_plan){ 0 };
}

static int sha256_hex(const void *data, size_t len, char hex[FB_SHA256_HEX_LEN + 1])
{
	struct fb_sha256 *h = fb_sha256_new();
	int r = h ? fb_sha256_update(h, data, len) : -ENOMEM;

	if (r >= 0)
		r = fb_sha256_final_hex(h, hex);
	fb_sha256_free(h);
	return r;
}

/* Appends a file (taking PATH and DATA) to V. */
static int file_add(struct fb_custom_file **v, size_t *n, char *path, char *data, size_t len,
		    uint32_t mode, uint32_t uid, uint32_t gid)
{
	struct fb_custom_file f = {
		.path = path, .data = data, .len = len, .mode = mode, .uid = uid, .gid = gid
	};
	struct fb_custom_file *nv = NULL;

	if (path && data && sha256_hex(data, len, f.sha256) >= 0)
		nv = reallocarray(*v, *n + 1, sizeof(**v));
	if (!nv) {
		file_free(&f);
		return fb_err_errno(-ENOMEM, "cannot customize the card");
	}
	nv[(*n)++] = f;
	*v = nv;
	return 0;
}

static int dir_add(struct fb_custom *c, const char *path, uint32_t mode, uint32_t uid, uint32_t gid)
{
	struct fb_custom_dir *nv = reallocarray(c->dirs, c->n_dirs + 1, sizeof(*nv));

	if (!nv)
		return fb_err_errno(-ENOMEM, "cannot customize the card");
	c->dirs = nv;
	nv[c->n_dirs] = (struct fb_custom_dir){
		.path = strdup(path), .mode = mode, .uid = uid, .gid = gid
	};
	if (!nv[c->n_dirs].path)
		return fb_err_errno(-ENOMEM, "cannot customize the card");
	c->n_dirs++;
	return 0;
}

/* PATH's directory is one in the image (no link on the way): the card will have it. */
static int check_parent(struct fb_ext4_edit *img, const char *what, const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	struct fb_ext4_attrs a;
	int r;

	if (!slash)
		return fb_err_errno(-ENOMEM, "cannot customize the card");
	*slash = '\0';
	r = fb_ext4_edit_stat(img, *dir ? dir : "/", &a);
	if (r == -ENOENT || (r >= 0 && a.type != S_IFDIR))
		return fb_err_code(
			-ENOENT, "%s: the image has no directory '%s' for '%s'%s", what,
			*dir ? dir : "/", path,
			r >= 0 && a.type == S_IFLNK ? " (a symbolic link is not followed)" : "");
	return r;
}

/* DEST of --file: absolute, no "." or ".." parts, not a directory's name. */
static bool dest_ok(const char *dest)
{
	if (dest[0] != '/' || dest[strlen(dest) - 1] == '/')
		return false;
	for (const char *p = dest; *p; p += strcspn(p, "/")) {
		size_t n;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && !strncmp(p, "..", 2)))
			return false;
	}
	return true;
}

/* --file SRC:DEST[:MODE] */
static int prepare_file(struct fb_custom *c, struct fb_ext4_edit *img, const char *spec)
{
	_cleanup_free_ char *src = strndup(spec, strcspn(spec, ":"));
	const char *rest = strchr(spec, ':');
	_cleanup_free_ char *dest = rest ? strndup(rest + 1, strcspn(rest + 1, ":")) : NULL;
	const char *mode_s = rest ? strchr(rest + 1, ':') : NULL;
	unsigned long mode = 0644;
	char *data = NULL, *end = NULL;
	size_t len;
	struct stat st;
	int r;

	if (!src || (rest && !dest))
		return fb_err_errno(-ENOMEM, "cannot customize the card");
	if (!rest || !*src || !dest_ok(dest))
		return fb_err_code(-EINVAL,
				   "--file '%s': not SRC:DEST[:MODE] with an absolute DEST "
				   "of no '.' or '..'",
				   spec);
	if (mode_s && (mode = strtoul(mode_s + 1, &end, 8), !mode_s[1] || *end || mode > 07777))
		return fb_err_code(-EINVAL, "--file '%s': MODE '%s' is not octal permissions", spec,
				   mode_s + 1);
	if (stat(src, &st) < 0)
		return fb_err_errno(-errno, "--file: cannot read '%s'", src);
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_FILE)
		return fb_err_code(-EINVAL, "--file: '%s' is not a regular file of at most 16 MiB",
				   src);
	r = check_parent(img, "--file", dest);
	if (r >= 0 && (r = fb_read_file(src, &data, &len)) < 0)
		r = fb_err_errno(r, "--file: cannot read '%s'", src);
	if (r < 0)
		return r;
	return file_add(&c->fixed, &c->n_fixed, TAKE_PTR(dest), data, len, (uint32_t)mode, 0, 0);
}

/* A line of authorized_keys that is a public key: "[options] TYPE BASE64 [comment]". */
static bool key_line_ok(const char *line, size_t n)
{
	static const char *const types[] = { "ssh-ed25519 ", "ssh-rsa ", "ecdsa-sha2-", "sk-",
					     "ssh-dss " };

	for (size_t i = 0; i < ELEMENTSOF(types); i++) {
		size_t tl = strlen(types[i]);

		for (const char *p = line; p + tl <= line + n; p++)
			if (!strncmp(p, types[i], tl))
				return true;
	}
	return false;
}

static int check_keys(const char *file, const char *text)
{
	unsigned line = 1, keys = 0;

	if (strstr(text, "PRIVATE KEY"))
		return fb_err_code(-EINVAL,
				   "--ssh-key: '%s' is a private key; give the public one "
				   "(.pub)",
				   file);
	for (const char *p = text; *p; line++) {
		size_t n = strcspn(p, "\n");
		size_t lead = strspn(p, " \t");

		if (n > lead && p[lead] != '#' && !key_line_ok(p, n))
			return fb_err_code(-EINVAL, "--ssh-key: %s:%u: not an SSH public key", file,
					   line);
		keys += n > lead && p[lead] != '#';
		p += n + (p[n] == '\n');
	}
	if (!keys)
		return fb_err_code(-EINVAL, "--ssh-key: '%s' holds no public key", file);
	return 0;
}

/* NAME's (or the first user's, uid 1000 and up) uid, gid and home in TEXT, the card's passwd. */
static int find_user(const char *text, const char *name, uint32_t *uid, uint32_t *gid, char **home,
		     char **ret_name)
{
	_cleanup_free_ char *passwd = strdup(text);

	if (!passwd)
		return fb_err_errno(-ENOMEM, "cannot customize the card");
	for (char *save = NULL, *l = strtok_r(passwd, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char u[64], h[512];
		unsigned long id, g;

		if (sscanf(l, "%63[^:]:%*[^:]:%lu:%lu:%*[^:]:%511[^:]", u, &id, &g, h) != 4)
			continue;
		if (name ? strcmp(u, name) : id < 1000 || id >= 65534)
			continue;
		*uid = (uint32_t)id;
		*gid = (uint32_t)g;
		*home = strdup(h);
		*ret_name = strdup(u);
		return *home && *ret_name ? 0 : fb_err_errno(-ENOMEM, "cannot customize the card");
	}
	if (name)
		return fb_err_code(-ENOENT, "--ssh-user: the image has no user '%s'", name);
	return fb_err_code(-ENOENT, "--ssh-key: the image has no user (uid 1000 or more); name "
				    "one with --ssh-user");
}

/* --ssh-key: HOME/.ssh (0700) and its authorized_keys (0600), the user's. */
static int prepare_keys(struct fb_custom *c, struct fb_ext4_edit *img)
{
	const struct fb_custom_opts *o = c->opts;
	_cleanup_free_ char *home = NULL, *user = NULL, *dir = NULL, *path = NULL;
	char *text = NULL;
	uint32_t uid = 0, gid = 0;
	size_t len;
	int r;

	r = fb_read_file(o->ssh_key, &text, &len);
	if (r < 0)
		return fb_err_errno(r, "--ssh-key: cannot read '%s'", o->ssh_key);
	r = check_keys(o->ssh_key, text);
	if (r >= 0 && !c->passwd[0])
		r = fb_err_code(-ENOENT, "--ssh-key: the image has no /etc/passwd");
	if (r >= 0)
		r = find_user(c->passwd_merged ?: c->passwd[0], o->ssh_user ?: c->user, &uid, &gid,
			      &home, &user);
	if (r >= 0 &&
	    (asprintf(&dir, "%s/.ssh", home) < 0 || asprintf(&path, "%s/" KEYS_FILE, home) < 0))
		r = fb_err_errno(-ENOMEM, "cannot customize the card");
	/* the home is the image's, or --user's new one */
	if (r >= 0 && !(c->n_dirs && !strcmp(c->dirs[c->n_dirs - 1].path, home)))
		r = check_parent(img, "--ssh-key", dir);
	if (r >= 0)
		r = dir_add(c, dir, 0700, uid, gid);
	if (r < 0) {
		free(text);
		return r;
	}
	return file_add(&c->fixed, &c->n_fixed, TAKE_PTR(path), text, len, 0600, uid, gid);
}

static bool hostname_ok(const char *s);

/* The template's vars known, and what it makes a host name (with sample values). */
static int check_hostname_template(const char *t)
{
	const struct fb_template_vars sample = { .serial = "S1", .date = "2026-01-01" };
	_cleanup_free_ char *name = NULL;
	int r = fb_template_check("--hostname", t, false);

	if (r >= 0)
		r = fb_template_expand("--hostname", t, &sample, &name);
	if (r >= 0 && !hostname_ok(name))
		r = fb_err_code(-EINVAL,
				"--hostname: '%s' does not make a host name (letters, "
				"digits, '-' and '.')",
				t);
	return r;
}

/* The image's passwd, group and shadow, with their attributes; those it has not stay NULL. */
static int read_passwd_files(struct fb_custom *c, struct fb_ext4_edit *img)
{
	for (size_t i = 0; i < 3; i++) {
		struct fb_ext4_attrs a;
		size_t len;
		int r = fb_ext4_edit_read(img, passwd_paths[i], MAX_PASSWD, &c->passwd[i], &len);

		if (r == -ENOENT)
			continue;
		if (r >= 0)
			r = fb_ext4_edit_stat(img, passwd_paths[i], &a);
		if (r < 0)
			return r;
		c->passwd_mode[i] = a.mode, c->passwd_uid[i] = a.uid, c->passwd_gid[i] = a.gid;
	}
	return 0;
}

/* --password-file's first line. */
static int read_password(const char *file, char **ret)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = fb_read_file(file, &text, &len);

	if (r < 0)
		return fb_err_errno(r, "--password-file: cannot read '%s'", file);
	text[strcspn(text, "\r\n")] = '\0';
	if (!*text)
		return fb_err_code(-EINVAL,
				   "--password-file: '%s' has no password on its first line", file);
	*ret = TAKE_PTR(text);
	return 0;
}

/* The user and HASH merged into copies of the image's passwd, group and shadow. */
static int merge_user(const struct fb_custom *c, const char *hash, struct fb_passwd_files *f,
		      struct fb_user *ret)
{
	struct fb_user u = { .name = c->user, .password = c->password, .hash = (char *)hash };
	struct fb_users us = { .v = &u, .n = 1 };
	int r;

	*f = (struct fb_passwd_files){ 0 };
	if ((c->passwd[0] && !(f->passwd = strdup(c->passwd[0]))) ||
	    (c->passwd[1] && !(f->group = strdup(c->passwd[1]))) ||
	    (c->passwd[2] && !(f->shadow = strdup(c->passwd[2]))))
		r = -ENOMEM;
	else
		r = fb_users_merge(f, &us, NULL, c->shell);
	if (r < 0) {
		fb_passwd_files_free(f);
		free(u.home);
		return fb_err_errno(r, "--user: cannot add '%s' to /etc/passwd", c->user);
	}
	*ret = u;
	return 0;
}

/* NAME[:PASSWORD] of --user, or the password from --password-file. */
static int parse_user(struct fb_custom *c)
{
	const struct fb_custom_opts *o = c->opts;
	const char *colon = strchr(o->user, ':');

	c->user = strndup(o->user, colon ? (size_t)(colon - o->user) : strlen(o->user));
	if (!c->user)
		return fb_err_errno(-ENOMEM, "cannot customize the card");
	if (fb_users_check_name(c->user) < 0)
		return fb_err_code(-EINVAL,
				   "--user: '%s' is not a user name ([a-z_][a-z0-9_-]*, "
				   "at most 32)",
				   c->user);
	if (colon && o->password_file)
		return fb_err_code(-EINVAL, "--user NAME:PASSWORD or --password-file, not both");
	if (o->password_file)
		return read_password(o->password_file, &c->password);
	if (colon && !(c->password = strdup(colon + 1)))
		return fb_err_errno(-ENOMEM, "cannot customize the card");
	if (!c->password || !*c->password)
		return fb_err_code(-EINVAL,
				   "--user %s: no password (NAME:PASSWORD, or "
				   "--password-file)",
				   c->user);
	return 0;
}

/* --user: checked, the image's files read, a new user's home to make. */
static int prepare_user(struct fb_custom *c, struct fb_ext4_edit *img)
{
	struct fb_passwd_files f = { 0 };
	struct fb_ext4_attrs a;
	struct fb_user u = { 0 };
	int r;

	r = parse_user(c);
	if (r >= 0)
		r = read_passwd_files(c, img);
	if (r >= 0 && !c->passwd[0])
		r = fb_err_code(-ENOENT, "--user: the image has no /etc/passwd");
	c->shell = fb_ext4_edit_stat(img, "/bin/bash", &a) >= 0 ? "/bin/bash" : "/bin/sh";
	if (r >= 0)
		r = merge_user(c, "!", &f, &u);
	if (r < 0)
		return r;
	/* a new user's home, as the build makes one; an existing user keeps theirs */
	r = fb_ext4_edit_stat(img, u.home, &a);
	if (r == -ENOENT) {
		r = check_parent(img, "--user", u.home);
		if (r >= 0)
			r = dir_add(c, u.home, 0700, u.uid, u.gid);
	}
	if (r >= 0) {
		/* for --ssh-key: the user is in it now; the file itself is made per card */
		free(c->passwd_merged);
		c->passwd_merged = TAKE_PTR(f.passwd);
	}
	fb_passwd_files_free(&f);
	free(u.home);
	return r;
}

static int prepare_checks(struct fb_custom *c, struct fb_ext4_edit *img)
{
	const struct fb_custom_opts *o = c->opts;
	int r = 0;

	if (o->password_file && !o->user)
		return fb_err_code(-EINVAL,
				   "--password-file is --user's password: give --user NAME");
	if (o->user)
		r = prepare_user(c, img);
	else if (o->ssh_key)
		r = read_passwd_files(c, img);
	if (r < 0)
		return r;
	if (o->hostname)
		r = check_hostname_template(o->hostname);
	if (r >= 0 && o->hostname)
		r = check_parent(img, "--hostname", HOSTNAME);
	if (r >= 0 && o->machine_id)
		r = check_parent(img, "--machine-id", MACHINE_ID);
	for (size_t i = 0; r >= 0 && i < o->files.n; i++)
		r = prepare_file(c, img, o->files.v[i]);
	if (r >= 0 && o->ssh_key)
		r = prepare_keys(c, img);
	return r;
}

int fb_custom_prepare(const struct fb_custom_opts *o, const char *image, struct fb_custom *ret)
{
	struct fb_custom c = { .opts = o, .now = time(NULL) };
	struct fb_ext4_edit *img = NULL;
	uint64_t size;
	int r;

	if (o->ssh_user && !o->ssh_key)
		return fb_err_code(-EINVAL,
				   "--ssh-user names whose --ssh-key it is: give --ssh-key");
	r = fb_probe_first_fs(image, "ext4", &c.root_offset, &size);
	if (r == -ENOENT)
		return fb_err_code(-EINVAL, "'%s' has no ext4 partition to customize", image);
	if (r < 0)
		return fb_err_errno(r, "cannot read '%s'", image);
	r = fb_ext4_edit_open(image, c.root_offset, image, false, &img);
	if (r >= 0)
		r = prepare_checks(&c, img);
	fb_ext4_edit_close(img);
	if (r < 0) {
		fb_custom_done(&c);
		return r;
	}
	*ret = c;
	return 0;
}

/* ------------------------------------------------------------------ a card */

/* What hostname(1) and /etc/hostname take: letters, digits, '-' and '.', 1 to 63 bytes a label. */
static bool hostname_ok(const char *s)
{
	size_t label = 0;

	if (!*s || strlen(s) > 253)
		return false;
	for (; *s; s++) {
		if (*s == '.' ? label == 0 : !isalnum((unsigned char)*s) && *s != '-')
			return false;
		label = *s == '.' ? 0 : label + 1;
		if (label > 63)
			return false;
	}
	return label > 0;
}

static int plan_hostname(const struct fb_custom *c, const struct fb_template_vars *v,
			 struct fb_custom_plan *p)
{
	_cleanup_free_ char *name = NULL;
	char *line = NULL;
	int r;

	r = fb_template_expand("--hostname", c->opts->hostname, v, &name);
	if (r < 0)
		return r;
	if (!hostname_ok(name))
		return fb_err_code(-EINVAL,
				   "--hostname: '%s' is not a host name (letters, digits, "
				   "'-' and '.')",
				   name);
	if (asprintf(&line, "%s\n", name) < 0)
		return fb_err_errno(-ENOMEM, "cannot customize the card");
	return file_add(&p->v, &p->n, strdup(HOSTNAME), line, strlen(line), 0644, 0, 0);
}

/* A machine id of its own, as systemd-machine-id-setup makes one: 128 random bits, hex. */
static int plan_machine_id(struct fb_custom_plan *p)
{
	uint8_t b[16];
	char *hex = malloc(34);

	if (!hex)
		return fb_err_errno(-ENOMEM, "cannot customize the card");
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		free(hex);
		return fb_err_errno(-errno, "--machine-id: no random bytes");
	}
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(hex + 2 * i, 3, "%02x", b[i]);
	hex[32] = '\n';
	hex[33] = '\0';
	return file_add(&p->v, &p->n, strdup(MACHINE_ID), hex, 33, 0444, 0, 0);
}

/* "$6$" and 16 random salt characters: each card's hash its own, as passwd(1) makes one. */
static int random_setting(char setting[FB_USERS_SETTING_LEN + 1])
{
	static const char abc[] =
		"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	uint8_t b[FB_USERS_SETTING_LEN - 3];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return fb_err_errno(-errno, "--user: no random bytes for the salt");
	memcpy(setting, "$6$", 3);
	for (size_t i = 0; i < sizeof(b); i++)
		setting[3 + i] = abc[b[i] % 64];
	setting[FB_USERS_SETTING_LEN] = '\0';
	return 0;
}

/* The card's passwd, group and shadow with --user, the password hashed under a salt of its own. */
static int plan_user(const struct fb_custom *c, struct fb_custom_plan *p)
{
	char setting[FB_USERS_SETTING_LEN + 1];
	_cleanup_free_ char *hash = NULL;
	struct fb_passwd_files f = { 0 };
	struct fb_user u = { 0 };
	char *text[3];
	int r;

	r = random_setting(setting);
	if (r >= 0 && (r = fb_users_hash(c->password, setting, &hash)) < 0)
		r = fb_err_errno(r, "--user: cannot hash the password");
	if (r >= 0)
		r = merge_user(c, hash, &f, &u);
	if (r < 0)
		return r;
	free(u.home);
	text[0] = f.passwd, text[1] = f.group, text[2] = f.shadow;
	for (size_t i = 0; i < 3; i++) {
		/* a file the image had not: root's, and shadow for root alone */
		bool had = c->passwd[i] != NULL;

		if (r >= 0 && text[i])
			r = file_add(&p->v, &p->n, strdup(passwd_paths[i]), text[i],
				     strlen(text[i]),
				     had      ? c->passwd_mode[i]
				     : i == 2 ? 0600
					      : 0644,
				     had ? c->passwd_uid[i] : 0, had ? c->passwd_gid[i] : 0);
		else
			free(text[i]);
	}
	return r;
}

int fb_custom_plan(const struct fb_custom *c, const struct fb_template_vars *v,
		   struct fb_custom_plan *ret)
{
	struct fb_custom_plan p = { 0 };
	int r = 0;

	for (size_t i = 0; r >= 0 && i < c->n_fixed; i++) {
		const struct fb_custom_file *f = &c->fixed[i];
		char *data = malloc(f->len + 1);

		if (data)
			memcpy(data, f->data, f->len);
		r = file_add(&p.v, &p.n, strdup(f->path), data, f->len, f->mode, f->uid, f->gid);
	}
	if (r >= 0 && c->user)
		r = plan_user(c, &p);
	if (r >= 0 && c->opts->hostname)
		r = plan_hostname(c, v, &p);
	if (r >= 0 && c->opts->machine_id)
		r = plan_machine_id(&p);
	if (r < 0) {
		fb_custom_plan_done(&p);
		return r;
	}
	*ret = p;
	return 0;
}

static int write_all(const struct fb_custom *c, const struct fb_custom_plan *p,
		     struct fb_ext4_edit *e)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < c->n_dirs; i++) {
		const struct fb_custom_dir *d = &c->dirs[i];
		const struct fb_ext4_attrs a = {
			.mode = d->mode, .uid = d->uid, .gid = d->gid, .mtime = c->now
		};

		r = fb_ext4_edit_mkdir(e, d->path, &a);
	}
	for (size_t i = 0; r >= 0 && i < p->n; i++) {
		const struct fb_custom_file *f = &p->v[i];
		const struct fb_ext4_attrs a = {
			.mode = f->mode, .uid = f->uid, .gid = f->gid, .mtime = c->now
		};

		r = fb_ext4_edit_write(e, f->path, f->data, f->len, &a);
	}
	return r;
}

/* Every file as the card now holds it, against what was written. */
static int read_back(const struct fb_custom_plan *p, struct fb_ext4_edit *e, const char *device)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct fb_custom_file *f = &p->v[i];
		_cleanup_free_ char *got = NULL;
		struct fb_ext4_attrs a;
		size_t len;
		int r;

		r = fb_ext4_edit_read(e, f->path, MAX_FILE, &got, &len);
		if (r >= 0)
			r = fb_ext4_edit_stat(e, f->path, &a);
		if (r == -ENOENT)
			return fb_err_code(-EIO, "%s: '%s' is not on the card after writing it",
					   device, f->path);
		if (r < 0)
			return r;
		if (len != f->len || memcmp(got, f->data, len) || a.mode != f->mode ||
		    a.uid != f->uid || a.gid != f->gid)
			return fb_err_code(-EIO, "%s: '%s' read back is not what was written",
					   device, f->path);
	}
	return 0;
}

int fb_custom_apply(const struct fb_custom *c, const struct fb_custom_plan *p, const char *device)
{
	struct fb_ext4_edit *e = NULL;
	int r, r2;

	r = fb_ext4_edit_open(device, c->root_offset, device, true, &e);
	if (r < 0)
		return r;
	r = write_all(c, p, e);
	r2 = fb_ext4_edit_close(e);
	if (r < 0 || r2 < 0)
		return r < 0 ? r : r2;
	/* a new handle: what is read comes from the device, not from what was cached */
	r = fb_ext4_edit_open(device, c->root_offset, device, false, &e);
	if (r >= 0)
		r = read_back(p, e, device);
	fb_ext4_edit_close(e);
	return r;
}
