/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files out of Debian packages, named in a profile wherever it names a file
 * or a directory to read (`file`, `from`, `overlay`, `tarball`,
 * `syslinux-mbr`, `grub-efi-dir`):
 *
 *	file = deb:u-boot-sunxi:armhf/usr/lib/u-boot/nanopi_neo/u-boot-sunxi-with-spl.bin
 *	grub-efi-dir = deb:grub-efi-arm64-bin/usr/lib/grub/arm64-efi
 *
 *	firmware = deb:raspi-firmware@non-free-firmware/usr/lib/raspi-firmware
 *
 * deb:PACKAGE[:ARCH][@COMPONENT]/PATH is PATH inside the package (ARCH:
 * the board's; COMPONENT: one of Debian's archive that the host's apt
 * sources need not list, read through apt-view.h).
 * Before the stages run, the build makes a view of the profile in which
 * each such value is the path of its extracted copy, CACHE/deb-file/KEY/NAME,
 * keyed by the package's name, architecture, version and SHA-256 and by
 * PATH; so every handler reads a plain file and keys it by content as it
 * would any other, and the profile itself stays as it was written.
 */
#ifndef FB_DEB_SOURCES_H
#define FB_DEB_SOURCES_H

#include "core/cache.h"
#include "deb.h"
#include "profile/board.h"

/*
 * *RET: a copy of B (fb_board_dup()) in which every deb: value is resolved,
 * fetched and extracted, with C opened first if it is not open and B has
 * any.  Errors name file:line, logged.
 */
int fb_deb_sources_resolve(const struct fb_board *b, struct fb_cache *c, struct fb_board **ret);

/*
 * PATH (a file, a symlink or a directory) of the resolved package D,
 * extracted once into CACHE/deb-file/KEY/NAME (NAME: PATH's last part),
 * fetching the package if need be.  -ENOENT, not logged, when the package
 * has no PATH; other errors logged.
 */
int fb_deb_file(const struct fb_cache *c, const struct fb_deb *d, const char *path, char **ret);

/*
 * Splits "PACKAGE[:ARCH][@COMPONENT]/PATH" (the part after "deb:") at its first '/':
 * *ret_spec_len is the length of PACKAGE[:ARCH][@COMPONENT], *ret_path points at PATH.
 * -EINVAL when there is no package or no path.
 */
int fb_deb_source_split(const char *ref, size_t *ret_spec_len, const char **ret_path);

#endif
