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

#include "core/log.h"
#include "core/util.h"
#include "initramfs.h"
#include "rootfs-tree.h"
#include "rootfs.h"

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
};

static const struct fb_key initramfs_keys[] = {
	{ "compression", FB_KEY_STRING, offsetof(struct initramfs_conf, compression) },
	{ "root", FB_KEY_STRING, offsetof(struct initramfs_conf, root) },
	{ "root-timeout", FB_KEY_UINT, offsetof(struct initramfs_conf, root_timeout) },
	{ "overlay", FB_KEY_STRING, offsetof(struct initramfs_conf, overlay) },
	{ NULL, 0, 0 },
};

static const char init_head[] = "#!/bin/busybox sh\n"
				"# /init: written by flashbuild\n"
				"export PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"
				"/bin/busybox mkdir -p /proc /sys /dev\n"
				"/bin/busybox mount -t proc proc /proc\n"
				"/bin/busybox mount -t sysfs sysfs /sys\n"
				"/bin/busybox mount -t devtmpfs devtmpfs /dev\n"
				"exec </dev/console >/dev/console 2>&1\n"
				"\n"
				"rescue() {\n"
				"\techo \"flashbuild: $*; starting a shell\"\n"
				"\texec /bin/busybox setsid /bin/busybox cttyhack /bin/busybox sh\n"
				"}\n"
				"\n"
				"boot_took() {\n"
				"\tread -r up _ </proc/uptime\n"
				"\techo \"Boot took $up seconds\"\n"
				"}\n";

/* The modules [kernel] modules lists (kernel-deb.c), dependencies first. */
static const char init_modules[] =
	"\n"
	"# the kernel's drivers for the root device, as [kernel] modules lists them\n"
	"while read -r m; do\n"
	"\t/bin/busybox insmod \"/lib/modules/$m\" || echo \"flashbuild: cannot load $m\"\n"
	"done </lib/modules/modules.load\n";

static const char init_local[] = "\n"
				 "boot_took\n"
				 "exec /sbin/init\n"
				 "rescue \"cannot run /sbin/init\"\n";

/* %s: the root device, %u: the time limit. */
static const char init_switch[] =
	"/bin/busybox --install -s\n"
	"root=%s\n"
	"timeout=%u\n"
	"# root= on the kernel command line wins, as it would without an initramfs\n"
	"for arg in $(cat /proc/cmdline); do\n"
	"\tcase \"$arg\" in root=*) root=${arg#root=} ;; esac\n"
	"done\n"
	"\n"
	"find_root() {\n"
	"\tcase \"$root\" in\n"
	"\tPARTLABEL=*)\n"
	"\t\tfor u in /sys/class/block/*/uevent; do\n"
	"\t\t\tif grep -qx \"PARTNAME=${root#PARTLABEL=}\" \"$u\"; then\n"
	"\t\t\t\tsed -n 's|^DEVNAME=|/dev/|p' \"$u\"\n"
	"\t\t\t\treturn 0\n"
	"\t\t\tfi\n"
	"\t\tdone\n"
	"\t\treturn 1 ;;\n"
	"\tLABEL=* | UUID=*) findfs \"$root\" 2>/dev/null ;;\n"
	"\t*) [ -b \"$root\" ] && echo \"$root\" ;;\n"
	"\tesac\n"
	"}\n"
	"\n"
	"# USB storage shows up seconds after the kernel starts\n"
	"n=0\n"
	"until dev=$(find_root); do\n"
	"\t[ $n -eq 10 ] && echo \"flashbuild: waiting up to $timeout s for root device $root\"\n"
	"\t[ $n -ge $((timeout * 10)) ] && rescue \"no root device $root after $timeout s\"\n"
	"\tsleep 0.1\n"
	"\tn=$((n + 1))\n"
	"done\n"
	"mkdir -p /newroot\n"
	"mount \"$dev\" /newroot || rescue \"cannot mount $dev ($root)\"\n"
	"[ -e /newroot/sbin/init ] || [ -L /newroot/sbin/init ] ||\n"
	"\trescue \"$dev has no /sbin/init\"\n"
	"boot_took\n"
	"for d in dev proc sys; do\n"
	"\tmount --move /$d /newroot/$d 2>/dev/null || umount -l /$d\n"
	"done\n"
	"exec switch_root /newroot /sbin/init\n"
	"rescue \"cannot switch to $dev\"\n";

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

char *fb_initramfs_init(const char *root, unsigned timeout, bool modules)
{
	_cleanup_free_ char *tail = NULL;
	const char *mods = modules ? init_modules : "";
	char *s;

	if (!root)
		return asprintf(&s, "%s%s%s", init_head, mods, init_local) < 0 ? NULL : s;
	if (asprintf(&tail, init_switch, root, timeout) < 0)
		return NULL;
	return asprintf(&s, "%s%s\n%s", init_head, mods, tail) < 0 ? NULL : s;
}

static int conf_read(struct fb_build *b, const struct fb_section *s, struct initramfs_conf *c)
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
	if (!c->root && !b->rootfs_tar)
		return fb_err("%s:%u: [initramfs] has no 'root', so the rootfs goes in it, but the "
			      "board has no [rootfs]",
			      s->file, s->line);
	return fb_busybox_find(b, &c->busybox);
}

static int initramfs_key(struct fb_build *b, const struct fb_section *s, struct initramfs_conf *c)
{
	_cleanup_(fb_hasher_freep) struct fb_hasher *h = fb_hasher_new("initramfs");
	char ts[32];
	int r;

	if (!h)
		return fb_err_errno(-ENOMEM, "cannot compute the initramfs key");
	fb_hasher_str(h, "format", INITRAMFS_FORMAT);
	fb_hasher_str(h, "arch", b->board->arch);
	snprintf(ts, sizeof(ts), "%" PRId64, b->timestamp);
	fb_hasher_str(h, "timestamp", ts);
	for (size_t i = 0; i < s->n_kvs; i++)
		fb_hasher_str(h, s->kvs[i].key, s->kvs[i].value);
	/* the rootfs's key stands for its whole content */
	fb_hasher_str(h, "rootfs", c->root ? NULL : b->rootfs.key);
	/* the kernel's key stands for its modules */
	fb_hasher_str(h, "modules", b->kernel_modules ? b->kernel.key : NULL);
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

static int initramfs_run(struct fb_build *b, const void *conf, const char *outdir)
{
	const struct initramfs_conf *c = conf;
	_cleanup_(fb_tree_freep) struct fb_tree *t = NULL;
	_cleanup_free_ char *init = fb_initramfs_init(c->root, c->root_timeout, b->kernel_modules);
	_cleanup_free_ char *out = fb_path_join(outdir, c->image);
	int64_t mtime = b->timestamp;
	int r;

	if (!init || !out)
		return fb_err_errno(-ENOMEM, "cannot build the initramfs");
	r = fb_tree_new(c->root ? NULL : b->rootfs_tar, NULL, mtime, &t);
	if (r >= 0 && c->root)
		r = add_minimal(t);
	if (r >= 0 && !fb_tree_exists(t, "bin/busybox"))
		r = fb_tree_add_copy(t, "bin/busybox", 0755, c->busybox);
	if (r >= 0 && b->kernel_modules)
		r = add_modules(t, b->kernel_modules);
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

int fb_initramfs_stage(struct fb_build *b)
{
	const struct fb_section *s = fb_board_section(b->board, "initramfs", NULL);
	struct initramfs_conf c = { 0 };
	int r;

	if (!s)
		return 0;
	r = conf_read(b, s, &c);
	if (r >= 0)
		r = initramfs_key(b, s, &c);
	if (r >= 0)
		r = fb_build_stage(b, "initramfs", c.key, initramfs_run, &c, &b->initramfs);
	if (r >= 0) {
		free(b->initramfs_image);
		b->initramfs_image = fb_artifact_file(&b->initramfs, c.image);
		if (!b->initramfs_image)
			r = fb_err_errno(-ENOMEM, "cannot build the initramfs");
	}
	fb_keys_free(initramfs_keys, &c);
	free(c.busybox);
	return r;
}
