// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "boot-fat.h"
#include "core/log.h"
#include "core/util.h"
#include "efi-grub.h"

/* grub-mkimage's module area (include/grub/kernel.h): "mimg", then typed objects. */
#define GRUB_MODULE_MAGIC 0x676d696dU
#define GRUB_OBJ_PREFIX	  3
/* A GRUB image is a few MiB; a bigger file is not one. */
#define GRUB_IMAGE_MAX (64 * FB_MiB)

static const struct fb_efi_platform platforms[] = {
	{ "x86_64", "x86_64", "x86_64-efi", "BOOTX64.EFI", "grub-efi-amd64-bin", "x64" },
	{ "arm64", "aarch64", "arm64-efi", "BOOTAA64.EFI", "grub-efi-arm64-bin", "aa64" },
	{ "armhf", "armv7l", "arm-efi", "BOOTARM.EFI", "grub-efi-arm-bin", "arm" },
};

const struct fb_efi_platform *fb_efi_platform_find(const char *arch)
{
	struct utsname u;

	if (!arch && uname(&u) < 0)
		return NULL;
	for (size_t i = 0; i < ELEMENTSOF(platforms); i++)
		if (arch ? !strcmp(platforms[i].arch, arch)
			 : !strcmp(platforms[i].machine, u.machine))
			return &platforms[i];
	return NULL;
}

int fb_grub_cmdline_check(const struct fb_section *s, const char *who, const char *cmdline)
{
	if (strpbrk(cmdline ?: "", "'\n"))
		return fb_err("%s:%u: [bootloader] %s cannot pass a kernel command line "
			      "holding a single quote or a newline",
			      s->file, s->line, who);
	return 0;
}

/* Each word of the command line in single quotes: GRUB passes it on as it is. */
char *fb_grub_cfg_text(const struct fb_image_ctx *ctx, const char *fallback_efi)
{
	static const char sep[] = " \t";
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fputs("set timeout=0\n"
	      "set timeout_style=hidden\n",
	      f);
	if (fallback_efi)
		fputs("set fallback=1\n", f);
	fputs("menuentry 'Linux' {\n"
	      "\tlinux /" FB_BOOT_KERNEL,
	      f);
	for (const char *w = ctx->cmdline ?: ""; *(w += strspn(w, sep)); w += strcspn(w, sep))
		fprintf(f, " '%.*s'", (int)strcspn(w, sep), w);
	fputs("\n", f);
	if (ctx->initramfs)
		fputs("\tinitrd /" FB_BOOT_INITRD "\n", f);
	fputs("}\n", f);
	if (fallback_efi)
		fprintf(f,
			"menuentry 'MokManager: enroll the key this kernel is signed with' {\n"
			"\tchainloader %s\n"
			"}\n",
			fallback_efi);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * struct grub_module_info64 { u32 magic, padding; u64 offset, size; } at a
 * 4-byte boundary; at INFO + offset, objects { u32 type, size; data }, each
 * SIZE bytes with its header, up to INFO + size.
 */
static int find_prefix(const unsigned char *buf, size_t n, char **ret)
{
	for (size_t at = 0; at + 24 <= n; at += 4) {
		uint64_t off, size;

		if (le32(buf + at) != GRUB_MODULE_MAGIC)
			continue;
		off = le32(buf + at + 8) | (uint64_t)le32(buf + at + 12) << 32;
		size = le32(buf + at + 16) | (uint64_t)le32(buf + at + 20) << 32;
		if (off < 24 || size > n - at || off > size)
			continue;
		for (uint64_t o = at + off; o + 8 <= at + size;) {
			uint32_t type = le32(buf + o), len = le32(buf + o + 4);

			if (len < 8 || len > at + size - o)
				break;
			if (type == GRUB_OBJ_PREFIX) {
				*ret = strndup((const char *)buf + o + 8, len - 8);
				return *ret ? 0 : -ENOMEM;
			}
			o += len;
		}
	}
	return -ENOENT;
}

int fb_grub_image_prefix(const char *path, char **ret)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ unsigned char *buf = NULL;
	struct stat st;
	size_t n;
	int r;

	if (!f || fstat(fileno(f), &st) < 0)
		return fb_err_errno(-errno, "cannot read the GRUB image '%s'", path);
	if ((uint64_t)st.st_size > GRUB_IMAGE_MAX)
		return fb_err("'%s' is %lld bytes: too big for a GRUB image", path,
			      (long long)st.st_size);
	n = (size_t)st.st_size;
	buf = malloc(n ?: 1);
	if (!buf)
		return fb_err_errno(-ENOMEM, "cannot read the GRUB image '%s'", path);
	if (fread(buf, 1, n, f) != n)
		return fb_err_errno(-EIO, "cannot read the GRUB image '%s'", path);
	r = find_prefix(buf, n, ret);
	if (r == -ENOMEM)
		return fb_err_errno(r, "cannot read the GRUB image '%s'", path);
	if (r == 0 && (*ret)[0] != '/') {
		r = fb_err("the GRUB image '%s' looks for grub.cfg in '%s', not a path on its "
			   "own device",
			   path, *ret);
		free(*ret);
		*ret = NULL;
	}
	return r;
}
