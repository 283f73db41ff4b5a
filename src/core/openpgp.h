/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Detached OpenPGP signatures, through GPGME (this file owns it): the
 * signature bmaptool checks on a bmap (IMAGE.bmap.asc), made and checked
 * the same way.  No OpenPGP is parsed here; gpg does it.
 */
#ifndef FB_OPENPGP_H
#define FB_OPENPGP_H

#include <stddef.h>

/*
 * The names of FILE's detached signature beside it, FILE.asc (armored, what
 * fb_pgp_sign() writes) and FILE.sig, as bmaptool looks for them, in that order.
 */
/* clang-format off */
#define FB_PGP_SIG_SUFFIXES { ".asc", ".sig" }
/* clang-format on */

/* The key that made a good signature. */
struct fb_pgp_signer {
	char fpr[64]; /* its fingerprint, as gpg prints it */
	char *uid;    /* its first user id, or NULL */
};

void fb_pgp_signer_done(struct fb_pgp_signer *s);

/*
 * Checks the detached signature in the file SIG (armored or binary) of the
 * LEN bytes at DATA, which NAME names in messages.  KEYRING (a keyring or
 * exported public keys): only its keys count, trusted as given; NULL: the
 * user's keyring.  0 and *RET for a good signature by a key that is neither
 * expired nor revoked; else -EKEYREJECTED, logged once with the key id and
 * the reason (bad, made by a key not in the keyring, expired, revoked), or
 * another -errno (logged).
 */
int fb_pgp_verify(const void *data, size_t len, const char *name, const char *sig,
		  const char *keyring, struct fb_pgp_signer *ret);

/*
 * Writes a detached, armored signature of the file PATH by the key KEYID
 * (the user's keyring and gpg agent) to FD.  -errno, logged.
 */
int fb_pgp_sign(const char *path, const char *keyid, int fd);

#endif
