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

/* The keys that name a file or a tree, in which section, and what they may be. */
static const struct fb_path_key path_keys[] = {
	{ "image", "layout", FB_PATH, 0 },
	{ "part", "from", FB_PATH, FB_PATH_DEB | FB_PATH_INPUT },
	{ "raw", "file", FB_PATH, FB_PATH_DEB | FB_PATH_INPUT },
	{ "rootfs", "overlay", FB_PATH, FB_PATH_DEB },
	{ "rootfs", "tarball", FB_PATH, FB_PATH_DEB },
	{ "rootfs", "dockerfile", FB_PATH, 0 },
	{ "rootfs", "context", FB_PATH, 0 },
	{ "initramfs", "overlay", FB_PATH, FB_PATH_DEB },
	{ "bootloader", "syslinux-mbr", FB_PATH, FB_PATH_DEB | FB_PATH_INPUT },
	{ "bootloader", "grub-efi-dir", FB_PATH, FB_PATH_DEB | FB_PATH_INPUT },
	{ "bootloader", "shim", FB_PATH, FB_PATH_DEB | FB_PATH_INPUT },
	{ "bootloader", "shim-grub", FB_PATH, FB_PATH_DEB | FB_PATH_INPUT },
	{ "bootloader", "shim-mokmanager", FB_PATH, FB_PATH_DEB | FB_PATH_INPUT },
	{ "bootloader", "rpi-firmware", FB_PATH, FB_PATH_DEB | FB_PATH_INPUT },
	{ "bootloader", "rpi-config", FB_PATH, FB_PATH_INPUT },
	/* not an input: the private key goes into no hash; the certificate stands for it */
	{ "bootloader", "sign-key", FB_PATH, 0 },
	{ "bootloader", "sign-cert", FB_PATH, FB_PATH_INPUT },
	{ "emulate", "uefi-vars", FB_PATH, 0 },
	{ "kernel", "source", FB_PATH_IF_SLASH, 0 },
	{ "kernel", "config", FB_PATH_IF_SLASH, 0 },
	{ "kernel", "fragments", FB_PATH_LIST, 0 },
};

const struct fb_path_key *fb_path_key_find(const char *kind, const char *key)
{
	for (size_t k = 0; k < ELEMENTSOF(path_keys); k++)
		if (!strcmp(kind, path_keys[k].kind) && !strcmp(key, path_keys[k].key))
			return &path_keys[k];
	return NULL;
}

static bool rebased(const char *v, enum fb_path_how how)
{
	return *v && v[0] != '/' && strncmp(v, "deb:", 4) && strcmp(v, "rootfs") &&
	       (how != FB_PATH_IF_SLASH || strchr(v, '/'));
}

/* ROOT/V, or a copy of V where it stays. */
static char *one(const char *root, const char *v, enum fb_path_how how)
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
		_cleanup_free_ char *w = one(root, words.v[i], FB_PATH);

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

static int rebase_kv(struct fb_kv *kv, const char *root, enum fb_path_how how)
{
	char *v = how == FB_PATH_LIST ? list(root, kv->value) : one(root, kv->value, how);

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

		for (size_t j = 0; j < s->n_kvs; j++) {
			const struct fb_path_key *k = fb_path_key_find(s->kind, s->kvs[j].key);

			if (k && rebase_kv(&s->kvs[j], root, k->how) < 0)
				return -ENOMEM;
		}
	}
	if (!b->layout)
		return 0;
	layout = one(root, b->layout, FB_PATH);
	if (!layout)
		return -ENOMEM;
	free(b->layout);
	b->layout = layout;
	return 0;
}
