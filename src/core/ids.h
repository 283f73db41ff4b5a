/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stable identifiers.  What mkfs and fdisk would draw at random (a disk
 * id, partition and filesystem UUIDs, a directory hash seed, a FAT volume
 * id) is derived instead from a seed and what it is for, so that the same
 * profile gives the same image, byte for byte (docs/reproducible.md).
 */
#ifndef FB_IDS_H
#define FB_IDS_H

#include <stdint.h>

#define FB_UUID_STR_LEN 36

/* 16 bytes from SHA-256 of SEED and PURPOSE ("ext4 root uuid"). */
int fb_id_derive(const char *seed, const char *purpose, uint8_t ret[16]);
/* The same, shaped as a version 4 UUID (as uuid_generate() makes). */
int fb_id_uuid(const char *seed, const char *purpose, uint8_t ret[16]);
/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */
void fb_uuid_format(const uint8_t u[16], char ret[FB_UUID_STR_LEN + 1]);

#endif
