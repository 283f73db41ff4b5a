/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --token FILE: the secret every request to the station's page must carry.
 * Its first line, which must be at least FB_STATION_TOKEN_MIN characters a
 * cookie can hold as they are (RFC 6265's cookie-octet: no space, quote,
 * comma, semicolon or backslash), e.g. `head -c 24 /dev/urandom | base64`.
 */
#ifndef FB_STATION_TOKEN_H
#define FB_STATION_TOKEN_H

#define FB_STATION_TOKEN_MIN 16

/* The token in PATH, malloc'ed.  Logs, naming PATH. */
int fb_station_token_read(const char *path, char **ret);

#endif
