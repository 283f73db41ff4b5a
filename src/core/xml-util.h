/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cleanup wrappers for libxml2's types, for the files that own it (as systemd's fdisk-util.h). */
#ifndef FB_XML_UTIL_H
#define FB_XML_UTIL_H

#include <libxml/tree.h>

#include "cleanup.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(xmlDocPtr, xmlFreeDoc);

#endif
