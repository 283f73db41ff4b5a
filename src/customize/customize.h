/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Each card its own (issue 21): what a card gets in its root ext4 after
 * the verified write, that its image has not — its hostname, a user's SSH
 * keys, a machine id of its own, any file.  The image file is never
 * changed (it stays reproducible and matches its bmap and signature).
 *
 * The options are checked against the image before any device is touched
 * (fb_custom_prepare: its ext4 root found, the users named there, the key
 * files public keys), a card's files are made from them with its own
 * values (fb_custom_plan: {serial}, {date}, a new machine id) and written
 * into the card's ext4 in place with libext2fs (image/ext4-edit.h), then
 * read back from the card and compared (fb_custom_apply).
 */
#ifndef FB_CUSTOMIZE_H
#define FB_CUSTOMIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sha256.h"
#include "core/strv.h"
#include "template.h"

struct fb_custom_opts {
	const char *user;	   /* --user NAME[:PASSWORD]: a new user, or a new password */
	const char *password_file; /* --password-file FILE: --user's password, its first line */
	const char *hostname;	   /* --hostname TEMPLATE */
	const char *ssh_key;	   /* --ssh-key FILE: public keys */
	const char *ssh_user;	   /* --ssh-user NAME: whose (default: the image's first user) */
	struct fb_strv files;	   /* --file SRC:DEST[:MODE] */
	bool machine_id;	   /* --machine-id new */
};

/* Whether any option asks for a change. */
bool fb_custom_wanted(const struct fb_custom_opts *o);

/* One file a card gets. */
struct fb_custom_file {
	char *path; /* "/home/luca/.ssh/authorized_keys" */
	char *data;
	size_t len;
	uint32_t mode, uid, gid;
	char sha256[FB_SHA256_HEX_LEN + 1]; /* of DATA */
};

/* A directory made for a file, when the card has none. */
struct fb_custom_dir {
	char *path;
	uint32_t mode, uid, gid;
};

/* What the options ask of every card, checked against the image. */
struct fb_custom {
	const struct fb_custom_opts *opts;
	char *user, *password; /* --user's name and password, or NULL */
	/* The image's /etc/passwd, group, shadow (for --user), their attributes, the shell. */
	char *passwd[3];
	uint32_t passwd_mode[3], passwd_uid[3], passwd_gid[3];
	const char *shell;
	char *passwd_merged;  /* /etc/passwd with --user in it: whose --ssh-key */
	uint64_t root_offset; /* the image's (and so the card's) ext4 root, bytes */
	int64_t now;
	struct fb_custom_file *fixed; /* the same on every card: --file, the SSH keys */
	size_t n_fixed;
	struct fb_custom_dir *dirs;
	size_t n_dirs;
};

/*
 * Checks O against IMAGE (its first ext4 partition is the root) and reads
 * what is the same for every card.  Errors: one line, -EINVAL or -errno.
 */
int fb_custom_prepare(const struct fb_custom_opts *o, const char *image, struct fb_custom *ret);
void fb_custom_done(struct fb_custom *c);

/* One card's files: C's, and those made with V (the hostname) or new (the machine id). */
struct fb_custom_plan {
	struct fb_custom_file *v;
	size_t n;
};

int fb_custom_plan(const struct fb_custom *c, const struct fb_template_vars *v,
		   struct fb_custom_plan *ret);
void fb_custom_plan_done(struct fb_custom_plan *p);

/*
 * Writes P into the ext4 at C's offset of DEVICE, then reads every file
 * back from the device and compares bytes, mode and owner.  Logged.
 */
int fb_custom_apply(const struct fb_custom *c, const struct fb_custom_plan *p, const char *device);

#endif
