// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A profile found outside the current directory (search.h) takes its
 * relative paths from the root it was found in: ROOT/partitions/x.sfdisk,
 * ROOT/boards/x/overlay.  Done once, as it is loaded, for the keys that
 * name files; what is not a path (deb:..., from = rootfs, a kernel make
 * target or Debian source name, which have no '/') stays as written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "core/strv.h"
#include "core/util.h"
#include "paths.h"

enum how {
	PATH,	       /* a file or directory */
	PATH_IF_SLASH, /* a path if it has a '/': else a name ("tinyconfig", "linux-source-6.1") */
	PATH_LIST,     /* whitespace-separated paths */
};

static const struct {
	const char *kind, *key;
	enum how how;
} path_keys[] = {
	{ "image", "layout", PATH },
	{ "part", "from", PATH },
	{ "raw", "file", PATH },
	{ "rootfs", "overlay", PATH },
	{ "rootfs", "tarball", PATH },
	{ "rootfs", "dockerfile", PATH },
	{ "rootfs", "context", PATH },
	{ "initramfs", "overlay", PATH },
	{ "bootloader", "syslinux-mbr", PATH },
	{ "bootloader", "grub-efi-dir", PATH },
	{ "bootloader", "shim", PATH },
	{ "bootloader", "shim-grub", PATH },
	{ "bootloader", "shim-mokmanager", PATH },
	{ "bootloader", "sign-key", PATH },
	{ "bootloader", "sign-cert", PATH },
	{ "emulate", "uefi-vars", PATH },
	{ "kernel", "source", PATH_IF_SLASH },
	{ "kernel", "config", PATH_IF_SLASH },
	{ "kernel", "fragments", PATH_LIST },
};

static bool rebased(const char *v, enum how how)
{
	return *v && v[0] != '/' && strncmp(v, "deb:", 4) && strcmp(v, "rootfs") &&
	       (how != PATH_IF_SLASH || strchr(v, '/'));
}

/* ROOT/V, or a copy of V where it stays. */
static char *one(const char *root, const char *v, enum how how)
{
	return rebased(v, how) ? fb_path_join(root, v) : strdup(v);
}

static char *list(const char *root, const char *v)
{
	_cleanup_(fb_strv_free) struct fb_strv words = { 0 };
	size_t len = 1;
	char *s;

	if (fb_strv_push_words(&words, v) < 0)
		return NULL;
	for (size_t i = 0; i < words.n; i++)
		len += strlen(root) + strlen(words.v[i]) + 2;
	s = calloc(1, len);
	for (size_t i = 0; s && i < words.n; i++) {
		_cleanup_free_ char *w = one(root, words.v[i], PATH);

		if (!w) {
			free(s);
			return NULL;
		}
		if (i)
			strcat(s, " ");
		strcat(s, w);
	}
	return s;
}

static int rebase_kv(struct fb_kv *kv, const char *root, enum how how)
{
	char *v = how == PATH_LIST ? list(root, kv->value) : one(root, kv->value, how);

	if (!v)
		return -ENOMEM;
	free(kv->value);
	kv->value = v;
	return 0;
}

int fb_board_rebase(struct fb_board *b, const char *root)
{
	char *layout;

	for (size_t i = 0; i < b->n_sections; i++) {
		struct fb_section *s = &b->sections[i];

		for (size_t j = 0; j < s->n_kvs; j++)
			for (size_t k = 0; k < ELEMENTSOF(path_keys); k++) {
				if (strcmp(s->kind, path_keys[k].kind) ||
				    strcmp(s->kvs[j].key, path_keys[k].key))
					continue;
				if (rebase_kv(&s->kvs[j], root, path_keys[k].how) < 0)
					return -ENOMEM;
			}
	}
	if (!b->layout)
		return 0;
	layout = one(root, b->layout, PATH);
	if (!layout)
		return -ENOMEM;
	free(b->layout);
	b->layout = layout;
	return 0;
}
