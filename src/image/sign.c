// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/spawn.h"
#include "core/util.h"
#include "sign.h"

static int check_file(const struct fb_kv *kv)
{
	if (access(kv->value, R_OK) < 0)
		return fb_err_errno(-errno, "%s:%u: [bootloader] %s: cannot read '%s'", kv->file,
				    kv->line, kv->key, kv->value);
	return 0;
}

int fb_sign_check(const struct fb_kv *key, const struct fb_kv *cert)
{
	_cleanup_free_ char *sbsign = fb_find_in_path("sbsign"), *what = NULL;
	const struct fb_kv *one = key ?: cert;
	int r;

	if (!key && !cert)
		return 0;
	if (!key || !cert)
		return fb_err("%s:%u: [bootloader] has %s but no %s: both or neither", one->file,
			      one->line, one->key, key ? "sign-cert" : "sign-key");
	r = check_file(key);
	if (r >= 0)
		r = check_file(cert);
	if (r < 0)
		return r;
	if (!sbsign)
		return fb_err("%s:%u: [bootloader] sign-key: no sbsign in PATH (sbsigntool; "
			      "scripts/install-deps)",
			      key->file, key->line);
	if (asprintf(&what, "%s:%u: [bootloader] sign-cert '%s': is it a PEM certificate?",
		     cert->file, cert->line, cert->value) < 0)
		return fb_err_errno(-ENOMEM, "cannot read '%s'", cert->value);
	return fb_spawn(
		(const char *const[]){ "openssl", "x509", "-noout", "-in", cert->value, NULL },
		NULL, what);
}

/* faketime's "@YYYY-MM-DD hh:mm:ss i0.0": the clock stands at the image's timestamp. */
static int fake_time(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "@%Y-%m-%d %H:%M:%S i0.0", &tm))
		return -EINVAL;
	return 0;
}

int fb_sign_pe(const struct fb_signer *sg, const char *in, const char *out, const char *what)
{
	static const char *const env[] = { "TZ=UTC", NULL };
	_cleanup_free_ char *faketime = fb_find_in_path("faketime"), *msg = NULL;
	const char *argv[12];
	char when[48];
	size_t n = 0;

	if (fake_time(sg->timestamp, when, sizeof(when)) < 0)
		return fb_err("cannot sign %s: no date for timestamp %lld", what,
			      (long long)sg->timestamp);
	if (faketime) {
		argv[n++] = "faketime";
		argv[n++] = "-f";
		argv[n++] = when;
	} else {
		fb_warn("signing %s: no faketime (scripts/install-deps): the signature holds "
			"this moment, and the image differs from build to build",
			what);
	}
	argv[n++] = "sbsign";
	argv[n++] = "--key";
	argv[n++] = sg->key;
	argv[n++] = "--cert";
	argv[n++] = sg->cert;
	argv[n++] = "--output";
	argv[n++] = out;
	argv[n++] = in;
	argv[n] = NULL;
	if (asprintf(&msg, "signing %s with [bootloader] sign-key", what) < 0)
		return fb_err_errno(-ENOMEM, "cannot sign %s", what);
	return fb_spawn(argv, env, msg);
}

int fb_sign_cert_der(const struct fb_signer *sg, const char *out)
{
	const char *const argv[] = { "openssl", "x509", "-in", sg->cert, "-outform",
				     "DER",	"-out", out,   NULL };

	return fb_spawn(argv, NULL, "writing [bootloader] sign-cert in DER");
}
