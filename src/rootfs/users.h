/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The accounts of a rootfs: "users = name:password ..." from the profile,
 * passwords hashed with SHA-512 crypt (libxcrypt) under a salt derived
 * from the stage key (the same profile gives the same /etc/shadow), and
 * merged into the text of /etc/passwd, /etc/group and /etc/shadow.  Pure:
 * nothing here logs; the caller names the profile's line.
 */
#ifndef FB_ROOTFS_USERS_H
#define FB_ROOTFS_USERS_H

#include <stddef.h>
#include <sys/types.h>

struct fb_user {
	char *name;
	char *password;
	char *hash; /* set by the caller before fb_users_merge() */
	/* Set by fb_users_merge(): */
	uid_t uid;
	gid_t gid;
	char *home;
};

struct fb_users {
	struct fb_user *v;
	size_t n;
};

/*
 * Parses "name:password name2:password2".  0, or -EINVAL with *ret_bad (the
 * offending name, to free) and *ret_why ("has no password", ...), or -ENOMEM.
 */
int fb_users_parse(const char *s, struct fb_users *ret, char **ret_bad, const char **ret_why);
void fb_users_free(struct fb_users *u);

/* A user name as useradd takes it: [a-z_][a-z0-9_-]*, at most 32 bytes. */
int fb_users_check_name(const char *name);

#define FB_USERS_SETTING_LEN (3 + 16)
/*
 * "$6$" and 16 salt characters from SHA-256("shadow salt", SEED, NAME): the
 * same profile gives the same /etc/shadow wherever it is built
 * (docs/reproducible.md).  Not from the password, which the salt would leak.
 */
int fb_users_setting(const char *seed, const char *name, char ret[FB_USERS_SETTING_LEN + 1]);
/* The SHA-512 crypt(3) hash of PASSWORD under SETTING, allocated. */
int fb_users_hash(const char *password, const char *setting, char **ret);

/* The three files as text; NULL for one that does not exist yet. */
struct fb_passwd_files {
	char *passwd;
	char *group;
	char *shadow;
};

/*
 * Adds each user (or, for one already in /etc/passwd, sets the password),
 * with a group of its name, uid = gid from 1000 up, home /home/NAME and
 * SHELL.  ROOT_HASH, if not NULL, becomes root's password; otherwise root
 * stays as it is.  The texts are replaced.
 */
int fb_users_merge(struct fb_passwd_files *f, struct fb_users *u, const char *root_hash,
		   const char *shell);
void fb_passwd_files_free(struct fb_passwd_files *f);

#endif
