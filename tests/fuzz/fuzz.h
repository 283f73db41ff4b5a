/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the libFuzzer harnesses: each input goes to a file in a private
 * temporary directory (the parsers read files), nothing else is touched.
 */
#ifndef FB_FUZZ_H
#define FB_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A private directory for this process, made once, removed at exit; aborts on failure. */
const char *fuzz_dir(void);
/* Writes DATA to fuzz_dir()/NAME (replacing it); returns its path (free it) or aborts. */
char *fuzz_file(const char *name, const void *data, size_t size);
/* Makes fuzz_dir()/NAME a sparse file of SIZE bytes (emptied first); returns its path (free it). */
char *fuzz_sparse(const char *name, uint64_t size);

#endif
