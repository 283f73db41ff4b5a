// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rootfs stage.  [rootfs] is checked against one key table; the
 * recipe (rootfs-busybox.c, rootfs-debian.c, rootfs-tar.c) makes a base,
 * then what every recipe gets goes on top, in this order: the hostname,
 * the device nodes a kernel needs before devtmpfs (/dev/console,
 * /dev/null), the overlay, and last the users, so that they land in
 * whichever /etc/passwd the base or the overlay brought.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "debs.h"
#include "recipe.h"

/*
 * Bumped when what the stage writes for the same inputs changes (2: --share;
 * 3: busybox /etc/hosts; 4: /boot; 5: share tag; 6: salts).
 */
#define ROOTFS_FORMAT "rootfs-6"

static const struct fb_rootfs_recipe *const recipes[] = {
	&fb_rootfs_busybox,
	&fb_rootfs_debian,
	&fb_rootfs_tar,
	&fb_rootfs_dockerfile,
};

static const struct fb_key rootfs_keys[] = {
	{ "recipe", FB_KEY_STRING, offsetof(struct fb_rootfs_conf, recipe) },
	{ "overlay", FB_KEY_STRING, offsetof(struct fb_rootfs_conf, overlay) },
	{ "users", FB_KEY_STRING, offsetof(struct fb_rootfs_conf, users) },
	{ "root-password", FB_KEY_STRING, offsetof(struct fb_rootfs_conf, root_password) },
	{ "hostname", FB_KEY_STRING, offsetof(struct fb_rootfs_conf, hostname) },
	{ "console", FB_KEY_STRING, offsetof(struct fb_rootfs_conf, console) },
	{ "packages", FB_KEY_STRING, offsetof(struct fb_rootfs_conf, packages) },
	{ "suite", FB_KEY_STRING, offsetof(struct fb_rootfs_conf, suite) },
	{ "mirror", FB_KEY_STRING, offsetof(struct fb_rootfs_conf, mirror) },
	{ "tarball", FB_KEY_STRING, offsetof(struct fb_rootfs_conf, tarball) },
	{ "host-programs", FB_KEY_STRING, offsetof(struct fb_rootfs_conf, host_programs) },
	{ "debs", FB_KEY_STRING, offsetof(struct fb_rootfs_conf, debs) },
	{ "dockerfile", FB_KEY_STRING, offsetof(struct fb_rootfs_conf, dockerfile) },
	{ "context", FB_KEY_STRING, offsetof(struct fb_rootfs_conf, context) },
	{ NULL, 0, 0 },
};

/* Keys only one recipe reads: given with another, they are a mistake. */
static const struct {
	const char *key, *recipe;
} recipe_keys[] = {
	{ "packages", "debian" },    { "suite", "debian" },	     { "mirror", "debian" },
	{ "tarball", "tar" },	     { "host-programs", "busybox" }, { "dockerfile", "dockerfile" },
	{ "context", "dockerfile" }, { "debs", "busybox" },
};

/* A word of letters, digits and a few separators: safe in inittab and /etc/hostname. */
static bool word_ok(const char *s, const char *extra)
{
	if (fb_str_empty(s) || strlen(s) > 63)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return false;
	return true;
}

int fb_rootfs_check_overlay(const char *dir, const struct fb_kv *kv, const char *what)
{
	struct stat st;

	if (!dir)
		return 0;
	if (stat(dir, &st) < 0)
		return fb_err_errno(-errno, "%s:%u: %s cannot read overlay '%s'", kv->file,
				    kv->line, what, dir);
	if (!S_ISDIR(st.st_mode))
		return fb_err_errno(-ENOTDIR, "%s:%u: %s overlay '%s' is not a directory", kv->file,
				    kv->line, what, dir);
	return 0;
}

static int conf_bad(const struct fb_rootfs_ctx *ctx, const char *key, const char *what)
{
	const char *file;
	unsigned line;

	fb_rootfs_where(ctx, key, &file, &line);
	return fb_err("%s:%u: [rootfs] %s", file, line, what);
}

static int conf_recipe(struct fb_rootfs_ctx *ctx)
{
	const char *name = ctx->conf.recipe ? ctx->conf.recipe : "busybox";
	char msg[128];

	for (size_t i = 0; i < ELEMENTSOF(recipes); i++)
		if (!strcmp(recipes[i]->name, name))
			ctx->recipe = recipes[i];
	if (!ctx->recipe) {
		snprintf(msg, sizeof(msg),
			 "unknown recipe '%s' (one of busybox, debian, tar, dockerfile)", name);
		return conf_bad(ctx, "recipe", msg);
	}
	for (size_t i = 0; i < ELEMENTSOF(recipe_keys); i++)
		if (strcmp(recipe_keys[i].recipe, name) &&
		    fb_section_get(ctx->section, recipe_keys[i].key)) {
			snprintf(msg, sizeof(msg), "'%s' is for recipe = %s, not %s",
				 recipe_keys[i].key, recipe_keys[i].recipe, name);
			return conf_bad(ctx, recipe_keys[i].key, msg);
		}
	return 0;
}

static int conf_users(struct fb_rootfs_ctx *ctx)
{
	_cleanup_free_ char *bad = NULL;
	const char *why, *file;
	unsigned line;
	int r;

	r = fb_users_parse(ctx->conf.users, &ctx->users, &bad, &why);
	if (r == -ENOMEM)
		return fb_err_errno(r, "cannot read [rootfs] users");
	if (r < 0) {
		fb_rootfs_where(ctx, "users", &file, &line);
		return fb_err("%s:%u: user '%s' %s", file, line, bad, why);
	}
	if (ctx->conf.root_password && !*ctx->conf.root_password)
		return conf_bad(ctx, "root-password", "'root-password' is empty");
	return 0;
}

static int conf_read(struct fb_rootfs_ctx *ctx)
{
	const struct fb_board *board = ctx->board;
	int r;

	r = fb_keys_apply(rootfs_keys, &ctx->conf, ctx->section->kvs, ctx->section->n_kvs,
			  "[rootfs]");
	if (r < 0)
		return r;
	ctx->arch = fb_arch_find(board->arch);
	if (!ctx->arch)
		return fb_err("%s: [board] arch '%s' is not one of x86_64, arm64, armhf",
			      board->path, board->arch ? board->arch : "(this machine's)");
	r = conf_recipe(ctx);
	if (r >= 0)
		r = conf_users(ctx);
	if (r < 0)
		return r;
	ctx->hostname = ctx->conf.hostname ? ctx->conf.hostname : board->name;
	if (!word_ok(ctx->hostname, "-."))
		return conf_bad(ctx, "hostname", "'hostname' must be letters, digits, '-' and '.'");
	ctx->console = ctx->conf.console ? ctx->conf.console : ctx->arch->console;
	if (!word_ok(ctx->console, "/"))
		return conf_bad(ctx, "console", "'console' must be a tty name such as ttyS0");
	r = fb_rootfs_check_overlay(ctx->conf.overlay, fb_section_get(ctx->section, "overlay"),
				    "[rootfs]");
	if (r < 0)
		return r;
	return ctx->recipe->check ? ctx->recipe->check(ctx) : 0;
}

/*
 * What password salts derive from besides the user and the password: [image]
 * seed, or nothing, so that boards with the same [rootfs] share one rootfs.
 */
static const char *salt_seed(const struct fb_rootfs_ctx *ctx)
{
	return ctx->board->seed ? ctx->board->seed : "";
}

static int rootfs_key(struct fb_rootfs_ctx *ctx)
{
	_cleanup_(fb_hasher_freep) struct fb_hasher *h = fb_hasher_new("rootfs");
	const struct fb_section *s = ctx->section;
	char ts[32];
	int r = 0;

	if (!h)
		return fb_err_errno(-ENOMEM, "cannot compute the rootfs key");
	fb_hasher_str(h, "format", ROOTFS_FORMAT);
	fb_hasher_str(h, "arch", ctx->arch->name);
	fb_hasher_str(h, "hostname", ctx->hostname);
	fb_hasher_str(h, "console", ctx->console);
	snprintf(ts, sizeof(ts), "%" PRId64, ctx->env->timestamp);
	fb_hasher_str(h, "timestamp", ts);
	fb_hasher_str(h, "salt-seed", salt_seed(ctx));
	for (size_t i = 0; i < s->n_kvs; i++)
		fb_hasher_str(h, s->kvs[i].key, s->kvs[i].value);
	if (ctx->conf.overlay)
		r = fb_hasher_tree(h, "overlay", ctx->conf.overlay);
	if (r >= 0 && ctx->recipe->hash)
		r = ctx->recipe->hash(ctx, h);
	if (r >= 0)
		r = fb_hasher_final(h, ctx->key);
	return r;
}

static int hash_password(const struct fb_rootfs_ctx *ctx, const char *name, const char *password,
			 char **ret)
{
	char setting[FB_USERS_SETTING_LEN + 1];
	int r;

	r = fb_users_setting(salt_seed(ctx), name, setting);
	if (r >= 0)
		r = fb_users_hash(password, setting, ret);
	if (r < 0)
		return fb_err_errno(r, "cannot hash the password of '%s'", name);
	return 0;
}

static int read_text(const struct fb_tree *t, const char *path, char **ret)
{
	const char *data;
	size_t size;

	if (fb_tree_read(t, path, &data, &size) < 0)
		return 0;
	*ret = strndup(data, size);
	return *ret ? 0 : -ENOMEM;
}

static int put_text(struct fb_tree *t, const char *path, mode_t mode, const char *text)
{
	struct fb_tree_item it = { .path = path,
				   .type = FB_ENTRY_REG,
				   .mode = mode,
				   .data = text,
				   .size = strlen(text),
				   .keep_meta = true };

	return fb_tree_add(t, &it);
}

/* The users and root's password, into whatever /etc/passwd the tree has by now. */
static int add_users(struct fb_rootfs_ctx *ctx, struct fb_tree *t)
{
	_cleanup_(fb_passwd_files_free) struct fb_passwd_files f = { 0 };
	_cleanup_free_ char *root_hash = NULL;
	struct fb_users *u = &ctx->users;
	int r;

	if (u->n == 0 && !ctx->conf.root_password)
		return 0;
	for (size_t i = 0; i < u->n; i++) {
		r = hash_password(ctx, u->v[i].name, u->v[i].password, &u->v[i].hash);
		if (r < 0)
			return r;
	}
	if (ctx->conf.root_password) {
		r = hash_password(ctx, "root", ctx->conf.root_password, &root_hash);
		if (r < 0)
			return r;
	}
	if (read_text(t, "etc/passwd", &f.passwd) < 0 || read_text(t, "etc/group", &f.group) < 0 ||
	    read_text(t, "etc/shadow", &f.shadow) < 0)
		return fb_err_errno(-ENOMEM, "cannot add users");
	/* Debian's users get bash when it is there, as adduser gives them */
	r = fb_users_merge(&f, u, root_hash,
			   fb_tree_exists(t, "bin/bash") ? "/bin/bash" : "/bin/sh");
	if (r < 0)
		return fb_err_errno(r, "cannot add users to /etc/passwd");
	r = put_text(t, "etc/passwd", 0644, f.passwd);
	if (r >= 0)
		r = put_text(t, "etc/group", 0644, f.group);
	if (r >= 0)
		r = put_text(t, "etc/shadow", 0600, f.shadow);
	for (size_t i = 0; r >= 0 && i < u->n; i++)
		if (u->v[i].home[0] == '/' && strcmp(u->v[i].home, "/"))
			r = fb_tree_add_dir(t, u->v[i].home + 1, 0700, u->v[i].uid, u->v[i].gid);
	return r;
}

int fb_rootfs_add_dev_nodes(struct fb_tree *t)
{
	static const struct fb_tree_item nodes[] = {
		{ .path = "dev/console",
		  .type = FB_ENTRY_CHR,
		  .mode = 0600,
		  .major = 5,
		  .minor = 1 },
		{ .path = "dev/null", .type = FB_ENTRY_CHR, .mode = 0666, .major = 1, .minor = 3 },
	};
	int r;

	for (size_t i = 0; i < ELEMENTSOF(nodes); i++) {
		if (fb_tree_exists(t, nodes[i].path))
			continue;
		r = fb_tree_add(t, &nodes[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int populate(struct fb_rootfs_ctx *ctx, struct fb_tree *t)
{
	_cleanup_free_ char *hostname = NULL;
	int r = 0;

	if (ctx->recipe->populate)
		r = ctx->recipe->populate(ctx, t);
	/* A tarball keeps its own hostname unless the profile says one. */
	if (r >= 0 && (ctx->conf.hostname || ctx->recipe != &fb_rootfs_tar)) {
		if (asprintf(&hostname, "%s\n", ctx->hostname) < 0)
			return fb_err_errno(-ENOMEM, "cannot write /etc/hostname");
		r = fb_tree_add_file(t, "etc/hostname", 0644, hostname);
	}
	if (r >= 0)
		r = fb_rootfs_add_dev_nodes(t);
	if (r >= 0 && ctx->conf.overlay)
		r = fb_tree_add_overlay(t, ctx->conf.overlay);
	if (r >= 0)
		r = add_users(ctx, t);
	return r;
}

static int rootfs_run(void *userdata, const char *outdir)
{
	static const char *const capture[] = { "etc/passwd", "etc/group", "etc/shadow", NULL };
	struct fb_rootfs_ctx *ctx = userdata;
	_cleanup_(fb_tree_freep) struct fb_tree *t = NULL;
	_cleanup_free_ char *base = NULL, *out = fb_path_join(outdir, "rootfs.tar");
	int64_t mtime = ctx->env->timestamp;
	int r = 0;

	if (!out)
		return fb_err_errno(-ENOMEM, "cannot build the rootfs");
	if (ctx->recipe->base)
		r = ctx->recipe->base(ctx, outdir, &base);
	if (r >= 0)
		r = fb_tree_new(base, capture, mtime, &t);
	if (r >= 0)
		r = populate(ctx, t);
	if (r >= 0)
		r = fb_tree_write(t, out, FB_TREE_TAR);
	/* A base made in the artifact's directory is not part of the artifact. */
	if (base && !strncmp(base, outdir, strlen(outdir)) && base[strlen(outdir)] == '/')
		unlink(base);
	return r;
}

static void ctx_done(struct fb_rootfs_ctx *ctx)
{
	if (ctx->recipe && ctx->recipe->done)
		ctx->recipe->done(ctx);
	fb_keys_free(rootfs_keys, &ctx->conf);
	fb_users_free(&ctx->users);
	free(ctx->busybox);
	fb_strv_free(&ctx->host_files);
	ctx->debs = fb_rootfs_debs_free(ctx->debs);
}

int fb_rootfs_stage(const struct fb_board *b, const struct fb_stage_env *env, struct fb_rootfs *ret)
{
	_cleanup_(ctx_done) struct fb_rootfs_ctx ctx = { .board = b, .env = env };
	int r;

	fb_rootfs_done(ret);
	ctx.section = fb_board_section(b, "rootfs", NULL);
	if (!ctx.section)
		return 0;
	r = conf_read(&ctx);
	if (r >= 0)
		r = rootfs_key(&ctx);
	if (r >= 0)
		r = fb_stage_run(env->cache, "rootfs", ctx.key, rootfs_run, &ctx, &ret->art);
	if (r >= 0 && !(ret->tar = fb_artifact_file(&ret->art, "rootfs.tar")))
		r = fb_err_errno(-ENOMEM, "cannot build the rootfs");
	if (r < 0)
		fb_rootfs_done(ret);
	return r;
}

void fb_rootfs_done(struct fb_rootfs *r)
{
	fb_artifact_clear(&r->art);
	free(r->tar);
	r->tar = NULL;
}

int fb_rootfs_check(const struct fb_board *b)
{
	return fb_board_check_keys(b, "rootfs", rootfs_keys, sizeof(struct fb_rootfs_conf),
				   "[rootfs]");
}
