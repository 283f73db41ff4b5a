/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Changing a profile where it says something: the kernel command adds the
 * fragment it saved to [kernel] fragments.  Only the line that is changed
 * changes; comments, order and the other lines stay as the user wrote them.
 */
#ifndef FB_PROFILE_EDIT_H
#define FB_PROFILE_EDIT_H

#include "board.h"

/*
 * Adds WORD to the end of the list KEY of [KIND] in the file that sets it
 * (after the value's last continuation line, before a " ; comment"), or as
 * a line "KEY = WORD" under the section's header when it has no KEY.  The
 * file is rewritten under a temporary name and renamed into place, its mode
 * kept.  -errno, logged.
 */
int fb_board_append_word(const struct fb_board *b, const char *kind, const char *key,
			 const char *word);

#endif
