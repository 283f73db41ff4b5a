// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "dev.h"

void fb_station_dev_done(struct fb_station_dev *d)
{
	if (!d)
		return;
	free(d->syspath);
	free(d->node);
	free(d->id_path);
	free(d->serial);
	free(d->model);
	free(d->bus);
	free(d->card_type);
	fb_strv_free(&d->props);
	*d = (struct fb_station_dev){ 0 };
}

const char *fb_station_dev_prop(const struct fb_station_dev *d, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; i < d->props.n; i++)
		if (!strncmp(d->props.v[i], key, n) && d->props.v[i][n] == '=')
			return d->props.v[i] + n + 1;
	return NULL;
}
