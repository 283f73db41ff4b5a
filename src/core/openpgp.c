// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <gpgme.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "openpgp.h"
#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(gpgme_ctx_t, gpgme_release);
DEFINE_TRIVIAL_CLEANUP_FUNC(gpgme_data_t, gpgme_data_release);

void fb_pgp_signer_done(struct fb_pgp_signer *s)
{
	free(s->uid);
	*s = (struct fb_pgp_signer){ 0 };
}

/* A context for OpenPGP; HOME: its own GNUPGHOME, or NULL for the user's. */
static int new_ctx(const char *home, gpgme_ctx_t *ret)
{
	gpgme_error_t e;

	/* Initialises GPGME; required before anything else, harmless again. */
	gpgme_check_version(NULL);
	e = gpgme_new(ret);
	if (!e)
		e = gpgme_set_protocol(*ret, GPGME_PROTOCOL_OpenPGP);
	if (!e && home)
		e = gpgme_ctx_set_engine_info(*ret, GPGME_PROTOCOL_OpenPGP, NULL, home);
	if (e)
		return fb_err("cannot start gpg through GPGME: %s", gpgme_strerror(e));
	return 0;
}

/* The keys of KEYRING into the empty GNUPGHOME of CTX. */
static int import_keyring(gpgme_ctx_t ctx, const char *keyring)
{
	_cleanup_(gpgme_data_releasep) gpgme_data_t d = NULL;
	gpgme_import_result_t res;
	gpgme_error_t e;

	e = gpgme_data_new_from_file(&d, keyring, 1);
	if (e)
		return fb_err("cannot read keyring '%s': %s", keyring, gpgme_strerror(e));
	e = gpgme_op_import(ctx, d);
	res = e ? NULL : gpgme_op_import_result(ctx);
	if (e || !res)
		return fb_err("cannot read keyring '%s': %s", keyring,
			      e ? gpgme_strerror(e) : "no result");
	if (res->imported + res->unchanged == 0)
		return fb_err("keyring '%s' holds no OpenPGP public key", keyring);
	return 0;
}

/* Why SIG does not count, or NULL when it does: a good signature by a usable key. */
static const char *refusal(const gpgme_signature_t sig, const char *keyring)
{
	switch (gpg_err_code(sig->status)) {
	case GPG_ERR_NO_ERROR:
		break;
	case GPG_ERR_BAD_SIGNATURE:
		return "bad signature: what it signs was changed";
	case GPG_ERR_NO_PUBKEY:
		return keyring ? "made by a key that is not in the keyring"
			       : "made by a key that is not in your keyring";
	case GPG_ERR_KEY_EXPIRED:
		return "made by a key that has expired";
	case GPG_ERR_CERT_REVOKED:
		return "made by a key that was revoked";
	case GPG_ERR_SIG_EXPIRED:
		return "the signature has expired";
	default:
		return gpgme_strerror(sig->status);
	}
	if (sig->summary & GPGME_SIGSUM_KEY_REVOKED)
		return "made by a key that was revoked";
	if (sig->summary & GPGME_SIGSUM_KEY_EXPIRED)
		return "made by a key that has expired";
	if (sig->summary & GPGME_SIGSUM_SIG_EXPIRED)
		return "the signature has expired";
	return NULL;
}

/* The first user id of the key with fingerprint FPR, or NULL. */
static char *first_uid(gpgme_ctx_t ctx, const char *fpr)
{
	gpgme_key_t key = NULL;
	char *uid = NULL;

	if (gpgme_get_key(ctx, fpr, &key, 0) == 0 && key->uids && key->uids->uid)
		uid = strdup(key->uids->uid);
	gpgme_key_unref(key);
	return uid;
}

static int check(gpgme_ctx_t ctx, const void *data, size_t len, const char *name, const char *sig,
		 const char *keyring, struct fb_pgp_signer *ret)
{
	_cleanup_(gpgme_data_releasep) gpgme_data_t s = NULL, d = NULL;
	gpgme_verify_result_t res;
	const char *why;
	gpgme_error_t e;

	e = gpgme_data_new_from_file(&s, sig, 1);
	if (!e)
		e = gpgme_data_new_from_mem(&d, data, len, 0);
	if (e)
		return fb_err("cannot read signature '%s': %s", sig, gpgme_strerror(e));
	e = gpgme_op_verify(ctx, s, d, NULL);
	res = gpgme_op_verify_result(ctx);
	if (e || !res || !res->signatures)
		return fb_err_code(-EKEYREJECTED, "signature '%s' of '%s': %s", sig, name,
				   e ? gpgme_strerror(e) : "no OpenPGP signature in it");
	why = refusal(res->signatures, keyring);
	if (why)
		return fb_err_code(-EKEYREJECTED, "signature '%s' of '%s' (key %s): %s", sig, name,
				   res->signatures->fpr ? res->signatures->fpr : "?", why);
	snprintf(ret->fpr, sizeof(ret->fpr), "%s", res->signatures->fpr);
	ret->uid = first_uid(ctx, res->signatures->fpr);
	return 0;
}

/* fb_pgp_verify() in GNUPGHOME HOME (NULL: the user's). */
static int verify_in(const char *home, const void *data, size_t len, const char *name,
		     const char *sig, const char *keyring, struct fb_pgp_signer *ret)
{
	_cleanup_(gpgme_releasep) gpgme_ctx_t ctx = NULL;
	int r;

	r = new_ctx(home, &ctx);
	if (r >= 0 && keyring)
		r = import_keyring(ctx, keyring);
	if (r >= 0)
		r = check(ctx, data, len, name, sig, keyring, ret);
	return r;
}

int fb_pgp_verify(const void *data, size_t len, const char *name, const char *sig,
		  const char *keyring, struct fb_pgp_signer *ret)
{
	_cleanup_free_ char *home = NULL;
	const char *tmp = getenv("TMPDIR") ?: "/tmp";
	int r;

	*ret = (struct fb_pgp_signer){ 0 };
	if (!keyring)
		return verify_in(NULL, data, len, name, sig, NULL, ret);
	/* A keyring's keys in a GNUPGHOME of their own: nothing of the user's counts. */
	if (asprintf(&home, "%s/flashbuild-gnupg.XXXXXX", tmp) < 0) {
		home = NULL;
		return fb_err_errno(-ENOMEM, "cannot check signature '%s'", sig);
	}
	if (!mkdtemp(home))
		return fb_err_errno(-errno, "cannot make a GNUPGHOME in '%s'", tmp);
	r = verify_in(home, data, len, name, sig, keyring, ret);
	fb_rm_rf(home);
	return r;
}

int fb_pgp_sign(const char *path, const char *keyid, int fd)
{
	_cleanup_(gpgme_releasep) gpgme_ctx_t ctx = NULL;
	_cleanup_(gpgme_data_releasep) gpgme_data_t in = NULL, out = NULL;
	gpgme_key_t key = NULL;
	gpgme_sign_result_t res;
	gpgme_error_t e;
	int r;

	r = new_ctx(NULL, &ctx);
	if (r < 0)
		return r;
	gpgme_set_armor(ctx, 1);
	e = gpgme_get_key(ctx, keyid, &key, 1);
	if (e)
		return fb_err("cannot sign '%s': no secret key '%s' (%s)", path, keyid,
			      gpgme_strerror(e));
	e = gpgme_signers_add(ctx, key);
	gpgme_key_unref(key);
	if (!e)
		e = gpgme_data_new_from_file(&in, path, 1);
	if (!e)
		e = gpgme_data_new_from_fd(&out, fd);
	if (!e)
		e = gpgme_op_sign(ctx, in, out, GPGME_SIG_MODE_DETACH);
	res = e ? NULL : gpgme_op_sign_result(ctx);
	if (e || !res || !res->signatures)
		return fb_err("cannot sign '%s' with key '%s': %s", path, keyid,
			      e ? gpgme_strerror(e) : "no signature made");
	return 0;
}
