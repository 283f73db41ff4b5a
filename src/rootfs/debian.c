// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * recipe = debian: mmdebstrap --variant=minbase makes a tarball of Debian
 * SUITE with the profile's packages, rootless: --mode=unshare as root,
 * --mode=fakechroot as a normal user (it needs no /etc/subuid range).
 * minbase has no init system; busybox init (busybox-static is always
 * included) boots in a fraction of systemd's time and runs a getty on the
 * serial console, which hands over to Debian's own login(1).  A package
 * list that brings an init (systemd-sysv, sysvinit-core) keeps it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/spawn.h"
#include "core/util.h"
#include "recipe.h"

#define DEFAULT_SUITE "bookworm"

static const char *suite(const struct fb_rootfs_ctx *ctx)
{
	return ctx->conf.suite ? ctx->conf.suite : DEFAULT_SUITE;
}

/* "vim, less curl" -> "busybox-static,vim,less,curl"; NULL for a bad package name. */
static char *include_list(const char *packages)
{
	_cleanup_free_ char *s = strdup("busybox-static");
	const char *p = packages ? packages : "";

	while (s && *p) {
		size_t n;
		char *t;

		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++)
			if (!islower((unsigned char)p[i]) && !isdigit((unsigned char)p[i]) &&
			    !strchr("+-.:=", p[i]))
				return NULL;
		if (asprintf(&t, "%s,%.*s", s, (int)n, p) < 0)
			return NULL;
		free(s);
		s = t;
		p += n;
	}
	return TAKE_PTR(s);
}

static int debian_check(struct fb_rootfs_ctx *ctx)
{
	_cleanup_free_ char *inc = include_list(ctx->conf.packages);
	const char *file;
	unsigned line;

	if (!inc) {
		fb_rootfs_where(ctx, "packages", &file, &line);
		return fb_err("%s:%u: [rootfs] 'packages' must be Debian package names", file,
			      line);
	}
	for (const char *s = suite(ctx); *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-') {
			fb_rootfs_where(ctx, "suite", &file, &line);
			return fb_err("%s:%u: [rootfs] bad suite '%s'", file, line, suite(ctx));
		}
	return 0;
}

static int debian_hash(struct fb_rootfs_ctx *ctx, struct fb_hasher *h)
{
	fb_hasher_str(h, "suite", suite(ctx));
	return 0;
}

static int debian_base(struct fb_rootfs_ctx *ctx, const char *workdir, char **ret_base)
{
	_cleanup_free_ char *out = fb_path_join(workdir, "base.tar"), *inc = NULL, *inc_arg = NULL,
			    *arch_arg = NULL, *what = NULL;
	const char *argv[12];
	size_t n = 0;
	int r;

	inc = include_list(ctx->conf.packages);
	if (!out || !inc || asprintf(&inc_arg, "--include=%s", inc) < 0 ||
	    asprintf(&arch_arg, "--architectures=%s", ctx->arch->deb) < 0 ||
	    asprintf(&what, "making a Debian %s rootfs", suite(ctx)) < 0)
		return fb_err_errno(-ENOMEM, "cannot make the Debian rootfs");
	argv[n++] = "mmdebstrap";
	argv[n++] = "--quiet";
	/* unshare needs root or a subuid range; fakechroot needs neither */
	argv[n++] = geteuid() == 0 ? "--mode=unshare" : "--mode=fakechroot";
	argv[n++] = "--variant=minbase";
	argv[n++] = arch_arg;
	argv[n++] = inc_arg;
	argv[n++] = suite(ctx);
	argv[n++] = out;
	if (ctx->conf.mirror)
		argv[n++] = ctx->conf.mirror;
	argv[n] = NULL;
	fb_info("  %-10s mmdebstrap %s (%s)", "rootfs", suite(ctx), inc);
	r = fb_spawn(argv, NULL, what);
	if (r < 0) {
		unlink(out);
		return r;
	}
	*ret_base = TAKE_PTR(out);
	return 0;
}

static int debian_populate(struct fb_rootfs_ctx *ctx, struct fb_tree *t)
{
	_cleanup_free_ char *inittab = NULL;
	int r;

	if (fb_tree_exists(t, "sbin/init"))
		return 0;
	inittab = fb_rootfs_inittab(ctx->console, false);
	if (!inittab)
		return fb_err_errno(-ENOMEM, "cannot write /etc/inittab");
	r = fb_tree_add_symlink(t, "sbin/init", "/bin/busybox");
	if (r >= 0)
		r = fb_tree_add_file(t, "etc/inittab", 0644, inittab);
	if (r >= 0)
		r = fb_tree_add_file(t, "etc/fstab", 0644, fb_rootfs_fstab());
	return r;
}

const struct fb_rootfs_recipe fb_rootfs_debian = {
	.name = "debian",
	.check = debian_check,
	.hash = debian_hash,
	.base = debian_base,
	.populate = debian_populate,
};
