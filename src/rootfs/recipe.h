/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What rootfs.c shares with its recipes, rootfs-<recipe>.c: one const
 * struct fb_rootfs_recipe each, listed in rootfs.c's recipes[].
 */
#ifndef FB_ROOTFS_RECIPE_H
#define FB_ROOTFS_RECIPE_H

#include <stdbool.h>

#include "core/cache.h"
#include "core/strv.h"
#include "tree.h"
#include "users.h"
#include "profile/arch.h"
#include "rootfs.h"

/* [rootfs] as the profile says it. */
struct fb_rootfs_conf {
	char *recipe;
	char *overlay;
	char *users;
	char *root_password;
	char *hostname;
	char *console;
	char *packages;	     /* debian */
	char *suite;	     /* debian */
	char *mirror;	     /* debian */
	char *tarball;	     /* tar */
	char *host_programs; /* busybox */
	char *debs;	     /* busybox */
	char *dockerfile;    /* dockerfile */
	char *context;	     /* dockerfile */
};

struct fb_rootfs_debs;

struct fb_rootfs_ctx {
	const struct fb_board *board;
	const struct fb_stage_env *env;
	const struct fb_section *section;
	struct fb_rootfs_conf conf;
	const struct fb_rootfs_recipe *recipe;
	const struct fb_arch *arch;
	struct fb_users users;
	const char *hostname; /* the key, or the board's name */
	const char *console;  /* the key, or the architecture's */
	char key[FB_KEY_LEN + 1];
	char *busybox;		     /* busybox recipe: the binary */
	struct fb_strv host_files;   /* busybox recipe: host-programs and their libraries */
	struct fb_rootfs_debs *debs; /* busybox recipe: [rootfs] debs, unpacked */
	void *priv;		     /* the recipe's own state, freed by its done() */
};

struct fb_rootfs_recipe {
	const char *name; /* "busybox": matches "recipe = busybox" */
	/* Validates the conf and finds inputs; no building.  May be NULL. */
	int (*check)(struct fb_rootfs_ctx *ctx);
	/* Adds what it reads to the stage key.  May be NULL. */
	int (*hash)(struct fb_rootfs_ctx *ctx, struct fb_hasher *h);
	/* Makes (in WORKDIR) or names the base archive; *ret_base NULL: none.  May be NULL. */
	int (*base)(struct fb_rootfs_ctx *ctx, const char *workdir, char **ret_base);
	/* Adds its files on top of the base.  May be NULL. */
	int (*populate)(struct fb_rootfs_ctx *ctx, struct fb_tree *t);
	/* Frees ctx->priv.  May be NULL. */
	void (*done)(struct fb_rootfs_ctx *ctx);
};

extern const struct fb_rootfs_recipe fb_rootfs_busybox;
extern const struct fb_rootfs_recipe fb_rootfs_debian;
extern const struct fb_rootfs_recipe fb_rootfs_tar;
extern const struct fb_rootfs_recipe fb_rootfs_dockerfile;

/* The key's file:line, or the section's when the key is absent (for messages). */
static inline void fb_rootfs_where(const struct fb_rootfs_ctx *ctx, const char *key,
				   const char **ret_file, unsigned *ret_line)
{
	const struct fb_kv *kv = key ? fb_section_get(ctx->section, key) : NULL;

	*ret_file = kv ? kv->file : ctx->section->file;
	*ret_line = kv ? kv->line : ctx->section->line;
}

/*
 * busybox init's /etc/inittab: mounts, hostname, a getty on CONSOLE,
 * clean shutdown.  APPLET_LINKS: the rootfs has /sbin/getty and friends;
 * otherwise every command is "/bin/busybox APPLET".
 */
char *fb_rootfs_inittab(const char *console, bool applet_links);
/* /etc/fstab for busybox init's "mount -a": proc, sysfs, devtmpfs, tmpfs /tmp. */
const char *fb_rootfs_fstab(void);

#endif
