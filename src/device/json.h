/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The little JSON that `devices --json` and `flash --json` print. */
#ifndef FB_DEVICE_JSON_H
#define FB_DEVICE_JSON_H

#include <stdio.h>

/* S as a JSON string (quoted, escaped), or null when S is NULL. */
void fb_json_str(FILE *f, const char *s);

#endif
