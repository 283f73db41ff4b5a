// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The initramfs: a tree (rootfs-tree.c) written as a compressed newc cpio.
 * /init is a busybox sh script generated here.  With a root device it
 * polls for it (a USB disk appears seconds after the kernel is up, and
 * devtmpfs makes its node without udev), with a time limit and a rescue
 * shell rather than a kernel panic when it never comes.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "core/util.h"
#include "initramfs.h"
#include "rootfs/rootfs.h"
#include "rootfs/tree.h"

/* The text of src/pipeline/init.sh, embedded by the Makefile: static const char init_sh[]. */
#include "pipeline/init.sh.h"

/* Bumped when what the stage writes for the same inputs changes. */
#define INITRAMFS_FORMAT     "initramfs-2"
#define DEFAULT_ROOT_TIMEOUT 30

struct initramfs_conf {
	char *compression;
	char *root;
	char *overlay;
	unsigned root_timeout;
	/* derived */
	enum fb_tree_format format;
	const char *image; /* "initramfs.cpio.zst" */
	char *busybox;
	char key[FB_KEY_LEN + 1];
	/* what it is made for and from */
	const struct fb_board *board;
	const struct fb_stage_env *env;
	const struct fb_initramfs_in *in;
};

static const struct fb_key initramfs_keys[] = {
	{ "compression", FB_KEY_STRING, offsetof(struct initramfs_conf, compression) },
	{ "root", FB_KEY_STRING, offsetof(struct initramfs_conf, root) },
	{ "root-timeout", FB_KEY_UINT, offsetof(struct initramfs_conf, root_timeout) },
	{ "overlay", FB_KEY_STRING, offsetof(struct initramfs_conf, overlay) },
	{ NULL, 0, 0 },
};

int fb_initramfs_check_root(const char *root)
{
	static const char *const prefixes[] = { "/dev/", "LABEL=", "UUID=", "PARTLABEL=" };
	size_t n = 0;

	for (size_t i = 0; i < ELEMENTSOF(prefixes) && !n; i++)
		if (!strncmp(root, prefixes[i], strlen(prefixes[i])))
			n = strlen(prefixes[i]);
	if (!n || !root[n])
		return -EINVAL;
	/* it goes into a shell script unquoted */
	for (const char *s = root + n; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("/_.:-", *s))
			return -EINVAL;
	return 0;
}

/* Whether LINE ("NAME\n...") starts with NAME, a whole word. */
static bool starts_with_word(const char *line, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(line, name, n) && (line[n] == '\n' || line[n] == '\0');
}

/* One line of init.sh into F: its placeholders replaced by ROOT and TIMEOUT. */
static void put_line(FILE *f, const char *line, size_t len, const char *root, unsigned timeout)
{
	static const char root_ph[] = "@ROOT@", timeout_ph[] = "@TIMEOUT@";
	const char *at;

	while ((at = memmem(line, len, "@", 1))) {
		size_t skip = (size_t)(at - line);

		fwrite(line, 1, skip, f);
		if (len - skip >= strlen(root_ph) && !strncmp(at, root_ph, strlen(root_ph))) {
			fputs(root, f);
			skip += strlen(root_ph);
		} else if (len - skip >= strlen(timeout_ph) &&
			   !strncmp(at, timeout_ph, strlen(timeout_ph))) {
			fprintf(f, "%u", timeout);
			skip += strlen(timeout_ph);
		} else {
			fputc('@', f);
			skip++;
		}
		line += skip;
		len -= skip;
	}
	fwrite(line, 1, len, f);
}

char *fb_initramfs_init(const char *root, unsigned timeout, bool modules)
{
	_cleanup_fclose_ FILE *f = NULL;
	const char *block = NULL; /* the "#@if NAME" block the line is in, or NULL */
	char *s = NULL;
	size_t size = 0;

	f = open_memstream(&s, &size);
	if (!f)
		return NULL;
	for (const char *l = init_sh, *next; *l; l = next) {
		next = strchrnul(l, '\n');
		next += *next == '\n';
		if (!strncmp(l, "#@if ", 5)) {
			block = l + 5;
			continue;
		}
		if (starts_with_word(l, "#@end")) {
			block = NULL;
			continue;
		}
		if (block && !(starts_with_word(block, "modules") ? modules
			       : starts_with_word(block, "root")
				       ? root != NULL
				       : starts_with_word(block, "local") && !root))
			continue;
		put_line(f, l, (size_t)(next - l), root ? root : "", timeout);
	}
	if (fclose(TAKE_PTR(f)) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static int conf_read(const struct fb_section *s, struct initramfs_conf *c)
{
	const struct fb_kv *kv;
	int r;

	c->root_timeout = DEFAULT_ROOT_TIMEOUT;
	r = fb_keys_apply(initramfs_keys, c, s->kvs, s->n_kvs, "[initramfs]");
	if (r < 0)
		return r;
	kv = fb_section_get(s, "compression");
	if (!c->compression || !strcmp(c->compression, "zstd")) {
		c->format = FB_TREE_CPIO_ZSTD;
		c->image = "initramfs.cpio.zst";
	} else if (!strcmp(c->compression, "gzip")) {
		c->format = FB_TREE_CPIO_GZIP;
		c->image = "initramfs.cpio.gz";
	} else {
		return fb_err("%s:%u: [initramfs] compression '%s' is not zstd or gzip", kv->file,
			      kv->line, c->compression);
	}
	kv = fb_section_get(s, "root");
	if (c->root && fb_initramfs_check_root(c->root) < 0)
		return fb_err("%s:%u: [initramfs] root '%s' is not /dev/NAME, LABEL=, UUID= or "
			      "PARTLABEL=",
			      kv->file, kv->line, c->root);
	r = fb_rootfs_check_overlay(c->overlay, fb_section_get(s, "overlay"), "[initramfs]");
	if (r < 0)
		return r;
	if (!c->root && !c->in->rootfs)
		return fb_err("%s:%u: [initramfs] has no 'root', so the rootfs goes in it, but the "
			      "board has no [rootfs]",
			      s->file, s->line);
	return fb_busybox_find(c->board, c->env->cache, &c->busybox);
}

/* The rootfs in a root-less initramfs: the stage's by its key, --rootfs by its content. */
static int hash_rootfs(const struct initramfs_conf *c, struct fb_hasher *h)
{
	const char *tree = c->in->rootfs;
	struct stat st;

	if (c->root || c->in->rootfs_key) {
		fb_hasher_str(h, "rootfs", c->root ? NULL : c->in->rootfs_key);
		return 0;
	}
	if (stat(tree, &st) < 0)
		return fb_err_errno(-errno, "cannot read '%s'", tree);
	return S_ISDIR(st.st_mode) ? fb_hasher_tree(h, "rootfs-tree", tree)
				   : fb_hasher_file(h, "rootfs-archive", tree);
}

static int initramfs_key(const struct fb_section *s, struct initramfs_conf *c)
{
	_cleanup_(fb_hasher_freep) struct fb_hasher *h = fb_hasher_new("initramfs");
	char ts[32];
	int r;

	if (!h)
		return fb_err_errno(-ENOMEM, "cannot compute the initramfs key");
	fb_hasher_str(h, "format", INITRAMFS_FORMAT);
	fb_hasher_str(h, "arch", c->board->arch);
	snprintf(ts, sizeof(ts), "%" PRId64, c->env->timestamp);
	fb_hasher_str(h, "timestamp", ts);
	for (size_t i = 0; i < s->n_kvs; i++)
		fb_hasher_str(h, s->kvs[i].key, s->kvs[i].value);
	/* the rootfs's key stands for its whole content */
	r = hash_rootfs(c, h);
	/* the kernel's key stands for its modules */
	fb_hasher_str(h, "modules", c->in->modules ? c->in->kernel_key : NULL);
	if (r >= 0)
		r = fb_hasher_stat(h, "busybox", c->busybox);
	if (r >= 0 && c->overlay)
		r = fb_hasher_tree(h, "overlay", c->overlay);
	if (r >= 0)
		r = fb_hasher_final(h, c->key);
	return r;
}

/* What /init and busybox --install need when the initramfs is only a way to the root. */
static int add_minimal(struct fb_tree *t)
{
	static const char *const dirs[] = {
		"bin", "dev", "newroot", "proc", "sbin", "sys", "tmp", "usr/bin", "usr/sbin",
	};
	int r;

	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		r = fb_tree_add_dir(t, dirs[i], 0755, 0, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The kernel's modules as /lib/modules/NAME.ko, with modules.load naming them in order. */
static int add_modules(struct fb_tree *t, const char *dir)
{
	_cleanup_free_ char *list = fb_path_join(dir, "modules.load"), *line = NULL;
	_cleanup_fclose_ FILE *f = list ? fopen(list, "re") : NULL;
	size_t cap = 0;
	int r;

	if (!f)
		return fb_err_errno(list ? -errno : -ENOMEM, "cannot read '%s'", list ?: dir);
	r = fb_tree_add_dir(t, "lib", 0755, 0, 0);
	if (r >= 0)
		r = fb_tree_add_dir(t, "lib/modules", 0755, 0, 0);
	if (r >= 0)
		r = fb_tree_add_copy(t, "lib/modules/modules.load", 0644, list);
	while (r >= 0 && getline(&line, &cap, f) > 0) {
		_cleanup_free_ char *src = NULL, *dst = NULL;

		line[strcspn(line, "\n")] = '\0';
		if (!(src = fb_path_join(dir, line)) || asprintf(&dst, "lib/modules/%s", line) < 0)
			return fb_err_errno(-ENOMEM, "cannot add the kernel's modules");
		r = fb_tree_add_copy(t, dst, 0644, src);
	}
	return r;
}

static int initramfs_run(void *userdata, const char *outdir)
{
	const struct initramfs_conf *c = userdata;
	const struct fb_initramfs_in *in = c->in;
	_cleanup_(fb_tree_freep) struct fb_tree *t = NULL;
	_cleanup_free_ char *init = fb_initramfs_init(c->root, c->root_timeout, in->modules);
	_cleanup_free_ char *out = fb_path_join(outdir, c->image);
	int64_t mtime = c->env->timestamp;
	int r;

	if (!init || !out)
		return fb_err_errno(-ENOMEM, "cannot build the initramfs");
	r = fb_tree_new(c->root ? NULL : in->rootfs, NULL, mtime, &t);
	if (r >= 0 && c->root)
		r = add_minimal(t);
	if (r >= 0 && !fb_tree_exists(t, "bin/busybox"))
		r = fb_tree_add_copy(t, "bin/busybox", 0755, c->busybox);
	if (r >= 0 && in->modules)
		r = add_modules(t, in->modules);
	if (r >= 0)
		r = fb_tree_add_file(t, "init", 0755, init);
	if (r >= 0)
		r = fb_rootfs_add_dev_nodes(t);
	if (r >= 0 && c->overlay)
		r = fb_tree_add_overlay(t, c->overlay);
	if (r >= 0)
		r = fb_tree_write(t, out, c->format);
	return r;
}

int fb_initramfs_stage(const struct fb_board *b, const struct fb_stage_env *env,
		       const struct fb_initramfs_in *in, struct fb_initramfs *ret)
{
	const struct fb_section *s = fb_board_section(b, "initramfs", NULL);
	struct initramfs_conf c = { .board = b, .env = env, .in = in };
	int r;

	fb_initramfs_done(ret);
	if (!s)
		return 0;
	r = conf_read(s, &c);
	if (r >= 0)
		r = initramfs_key(s, &c);
	if (r >= 0)
		r = fb_stage_run(env->cache, "initramfs", c.key, initramfs_run, &c, &ret->art);
	if (r >= 0 && !(ret->image = fb_artifact_file(&ret->art, c.image)))
		r = fb_err_errno(-ENOMEM, "cannot build the initramfs");
	if (r < 0)
		fb_initramfs_done(ret);
	fb_keys_free(initramfs_keys, &c);
	free(c.busybox);
	return r;
}

void fb_initramfs_done(struct fb_initramfs *i)
{
	fb_artifact_clear(&i->art);
	free(i->image);
	i->image = NULL;
}

int fb_initramfs_check(const struct fb_board *b)
{
	return fb_board_check_keys(b, "initramfs", initramfs_keys, sizeof(struct initramfs_conf),
				   "[initramfs]");
}
