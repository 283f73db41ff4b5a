// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "token.h"

static bool cookie_octet(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != '"' && c != ',' && c != ';' && c != '\\';
}

int fb_station_token_read(const char *path, char **ret)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, n;
	struct stat st;
	ssize_t len;

	if (!f)
		return fb_err_errno(-errno, "station: cannot read --token '%s'", path);
	len = getline(&line, &cap, f);
	n = len > 0 ? strcspn(line, "\r\n") : 0;
	if (len > 0)
		line[n] = '\0';
	if (n < FB_STATION_TOKEN_MIN)
		return fb_err("station: --token '%s': its first line must be a secret of at least "
			      "%d characters (head -c 24 /dev/urandom | base64 >FILE)",
			      path, FB_STATION_TOKEN_MIN);
	for (size_t i = 0; i < n; i++)
		if (!cookie_octet((unsigned char)line[i]))
			return fb_err("station: --token '%s': character %zu is not one a cookie "
				      "holds (no space, quote, comma, semicolon or backslash)",
				      path, i + 1);
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 0077))
		fb_warn("station: --token '%s' can be read by others (chmod 600 it)", path);
	*ret = line;
	line = NULL;
	return 0;
}
