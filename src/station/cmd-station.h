/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashbuild station: main.c's entry point (an enum fb_exit value, see core/cli.h). */
#ifndef FB_STATION_CMD_STATION_H
#define FB_STATION_CMD_STATION_H

int fb_cmd_station(int argc, char *argv[]);

#endif
