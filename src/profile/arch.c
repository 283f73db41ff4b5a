// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>
#include <sys/utsname.h>

#include "arch.h"
#include "core/cleanup.h"

static const struct fb_arch arches[] = {
	{ "x86_64", "amd64", "x86_64", "ttyS0" },
	{ "arm64", "arm64", "aarch64", "ttyAMA0" },
	{ "armhf", "armhf", "armv7l", "ttyS0" },
};

const struct fb_arch *fb_arch_find(const char *name)
{
	struct utsname u;

	if (!name) {
		if (uname(&u) < 0)
			return NULL;
		for (size_t i = 0; i < ELEMENTSOF(arches); i++)
			if (!strcmp(arches[i].machine, u.machine))
				return &arches[i];
		return NULL;
	}
	for (size_t i = 0; i < ELEMENTSOF(arches); i++)
		if (!strcmp(arches[i].name, name))
			return &arches[i];
	return NULL;
}

bool fb_arch_is_host(const struct fb_arch *a)
{
	return a && a == fb_arch_find(NULL);
}
