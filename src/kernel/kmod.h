/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel modules of a prebuilt kernel, without kmod: Debian's linux-image
 * packages ship no modules.dep (depmod makes it when the package is
 * installed), so the dependencies come from what depmod itself reads, each
 * module's .modinfo section ("depends=jbd2,mbcache,crc16"), and the load
 * order is dependencies first.  Pure code: no files, no logging.
 */
#ifndef FB_KMOD_H
#define FB_KMOD_H

#include <stddef.h>
#include <sys/types.h>

/*
 * The value of KEY ("depends", "name") in the .modinfo section of the ELF
 * module ELF (LEN bytes; ELF32 or ELF64, little- or big-endian), as a new
 * string ("" when the key is there and empty).  -ENOENT without the key,
 * -ENOEXEC for something that is not an ELF object with a .modinfo.
 */
int fb_kmod_modinfo(const void *elf, size_t len, const char *key, char **ret);

/* "virtio-blk" -> "virtio_blk" in place: the kernel's own spelling of a module name. */
char *fb_kmod_name_normalize(char *name);

/* Every module of a package: its name and what it depends on. */
struct fb_kmod {
	char *name;    /* normalized */
	char *path;    /* in the package: "lib/modules/V/kernel/fs/ext4/ext4.ko" */
	char *depends; /* "jbd2,mbcache,crc16", normalized */
};

struct fb_kmod_set {
	struct fb_kmod *v;
	size_t n;
};

void fb_kmod_set_free(struct fb_kmod_set *s);
/* Takes NAME, PATH and DEPENDS (malloc'ed) into S.  -ENOMEM (then they are freed). */
int fb_kmod_set_add(struct fb_kmod_set *s, char *name, char *path, char *depends);

/*
 * The modules WANT (space-separated names) need, dependencies before the
 * modules that need them, each once: indices into S in *RET (N in *RET_N).
 * -ENOENT with *RET_MISSING set to the first name S does not have (a new
 * string); -ELOOP for a dependency cycle; -ENOMEM.
 */
int fb_kmod_order(const struct fb_kmod_set *s, const char *want, size_t **ret, size_t *ret_n,
		  char **ret_missing);

#endif
