// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bmap.h"
#include "boot.h"
#include "core/log.h"
#include "core/openpgp.h"
#include "core/outfile.h"
#include "core/util.h"
#include "image.h"
#include "part.h"
#include "profile/paths.h"
#include "sign.h"

static const struct fb_part_ops *const part_kinds[] = {
	&fb_part_ext4,
	&fb_part_vfat,
	&fb_part_raw,
	&fb_part_empty,
};

static const struct fb_boot_ops *const boot_kinds[] = {
	&fb_boot_syslinux, &fb_boot_grub_efi, &fb_boot_extlinux, &fb_boot_shim, &fb_boot_rpi,
};
#define BOOT_KIND_NAMES "syslinux, grub-efi, extlinux, shim, rpi"

/* Keys of [part NAME] that image.c reads itself; the rest go to the handler. */
struct part_common {
	char *content;
	unsigned partno;
};

static const struct fb_key common_keys[] = {
	{ "content", FB_KEY_STRING, offsetof(struct part_common, content) },
	{ "partno", FB_KEY_UINT, offsetof(struct part_common, partno) },
	{ NULL, 0, 0 },
};

struct parts {
	struct fb_part *v;
	size_t n;
};

static void parts_free(struct parts *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		struct fb_part *p = &ps->v[i];

		if (p->ops && p->ops->done)
			p->ops->done(p);
		if (p->ops && p->conf)
			fb_keys_free(p->ops->keys, p->conf);
		free(p->conf);
		free(p->what);
	}
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}

static const struct fb_part_ops *part_kind(const char *content)
{
	for (size_t i = 0; i < ELEMENTSOF(part_kinds); i++)
		if (!strcmp(part_kinds[i]->kind, content))
			return part_kinds[i];
	return NULL;
}

/* Applies the section's keys: common ones here, the rest by the handler's table. */
static int part_apply_keys(struct fb_part *p, const struct fb_key *skip)
{
	const struct fb_section *s = p->section;

	p->conf = calloc(1, p->ops->conf_size ? p->ops->conf_size : 1);
	if (!p->conf)
		return fb_err_errno(-ENOMEM, "cannot set up %s", p->what);
	for (size_t i = 0; i < s->n_kvs; i++) {
		const struct fb_kv *kv = &s->kvs[i];
		struct part_common dummy = { 0 };

		if (skip && fb_keys_set(skip, &dummy, kv->key, kv->value) != -ENOENT) {
			fb_keys_free(skip, &dummy);
			continue;
		}
		int r = fb_keys_apply(p->ops->keys, p->conf, kv, 1, p->what);
		if (r < 0)
			return r;
	}
	return 0;
}

static int part_common_read(const struct fb_section *s, struct part_common *c)
{
	const struct fb_kv *kv;
	int r;

	for (size_t i = 0; i < s->n_kvs; i++) {
		kv = &s->kvs[i];
		r = fb_keys_set(common_keys, c, kv->key, kv->value);
		if (r < 0 && r != -ENOENT)
			return fb_err("%s:%u: bad value '%s' for '%s'", kv->file, kv->line,
				      kv->value, kv->key);
	}
	if (!c->content)
		return fb_err("%s:%u: [part %s] has no 'content' (one of ext4, vfat, raw, empty)",
			      s->file, s->line, s->name);
	return 0;
}

static int part_match(struct fb_part *p, const struct fb_table *t, const struct part_common *c)
{
	const struct fb_section *s = p->section;

	if (c->partno)
		p->tp = fb_table_find_partno(t, c->partno);
	else
		p->tp = fb_table_find_name(t, s->name);
	if (!p->tp && c->partno)
		return fb_err("%s:%u: [part %s]: layout '%s' has no partition %u", s->file, s->line,
			      s->name, t->layout, c->partno);
	if (!p->tp && !strcmp(t->label, "dos"))
		return fb_err("%s:%u: [part %s]: a dos layout has no partition names; "
			      "say which with 'partno = N'",
			      s->file, s->line, s->name);
	if (!p->tp)
		return fb_err("%s:%u: [part %s]: layout '%s' has no partition named '%s'", s->file,
			      s->line, s->name, t->layout, s->name);
	p->offset = p->tp->start;
	p->size = p->tp->size;
	return 0;
}

static int part_init(struct fb_part *p, const struct fb_section *s, const struct fb_table *t)
{
	struct part_common c = { 0 };
	int r;

	p->section = s;
	if (asprintf(&p->what, "%s '%s'", !strcmp(s->kind, "raw") ? "raw" : "partition", s->name) <
	    0) {
		p->what = NULL;
		return fb_err_errno(-ENOMEM, "cannot set up [%s %s]", s->kind, s->name);
	}
	if (!strcmp(s->kind, "raw")) {
		p->ops = &fb_part_blob;
		return part_apply_keys(p, NULL);
	}
	r = part_common_read(s, &c);
	if (r >= 0) {
		p->ops = part_kind(c.content);
		if (!p->ops)
			r = fb_err("%s:%u: [part %s]: unknown content '%s' (one of ext4, vfat, "
				   "raw, empty)",
				   fb_section_get(s, "content")->file,
				   fb_section_get(s, "content")->line, s->name, c.content);
	}
	if (r >= 0 && t) /* no table: the keys are checked, not the layout */
		r = part_match(p, t, &c);
	fb_keys_free(common_keys, &c);
	if (r < 0)
		return r;
	return part_apply_keys(p, common_keys);
}

static int parts_check_unique(const struct parts *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		for (size_t j = 0; j < i; j++)
			if (ps->v[i].tp && ps->v[i].tp == ps->v[j].tp)
				return fb_err(
					"%s:%u: [part %s] fills partition %zu, which [part %s] "
					"fills already",
					ps->v[i].section->file, ps->v[i].section->line,
					ps->v[i].section->name, ps->v[i].tp->partno,
					ps->v[j].section->name);
	return 0;
}

static int parts_init(const struct fb_board *b, const struct fb_table *t, struct parts *ps)
{
	int r;

	ps->v = calloc(b->n_sections + 1, sizeof(*ps->v));
	if (!ps->v)
		return fb_err_errno(-ENOMEM, "cannot set up the image");
	for (size_t i = 0; i < b->n_sections; i++) {
		const struct fb_section *s = &b->sections[i];

		if (strcmp(s->kind, "part") && strcmp(s->kind, "raw"))
			continue;
		r = part_init(&ps->v[ps->n++], s, t);
		if (r < 0)
			return r;
	}
	return parts_check_unique(ps);
}

static int parts_run(struct parts *ps, const struct fb_image_ctx *ctx, int fd)
{
	int r;

	for (size_t i = 0; i < ps->n; i++) {
		struct fb_part *p = &ps->v[i];

		if (p->ops->setup && (r = p->ops->setup(p, ctx)) < 0)
			return r;
	}
	for (size_t i = 0; i < ps->n; i++) {
		struct fb_part *p = &ps->v[i];
		double t0 = fb_now();

		if (!p->ops->write)
			continue;
		r = p->ops->write(p, ctx, fd);
		if (r < 0)
			return r;
		fb_debug("%s: %s written in %.2f s", p->what, p->ops->kind, fb_now() - t0);
	}
	return 0;
}

struct boots {
	struct fb_boot *v;
	size_t n;
	const struct fb_kv *sign_key,
		*sign_cert;  /* [bootloader] sign-key, sign-cert: image.c's own */
	char *signed_kernel; /* the kernel signed by them, beside the image */
};

static void boots_free(struct boots *bs)
{
	for (size_t i = 0; i < bs->n; i++) {
		struct fb_boot *bl = &bs->v[i];

		if (bl->ops->done)
			bl->ops->done(bl);
		if (bl->conf)
			fb_keys_free(bl->ops->keys, bl->conf);
		free(bl->conf);
	}
	free(bs->v);
	bs->v = NULL;
	bs->n = 0;
	if (bs->signed_kernel)
		unlink(bs->signed_kernel);
	free(bs->signed_kernel);
	bs->signed_kernel = NULL;
}

static const struct fb_boot_ops *boot_kind(const char *kind, size_t len)
{
	for (size_t i = 0; i < ELEMENTSOF(boot_kinds); i++)
		if (strlen(boot_kinds[i]->kind) == len && !strncmp(boot_kinds[i]->kind, kind, len))
			return boot_kinds[i];
	return NULL;
}

/* "kinds = syslinux grub-efi": one fb_boot each, in the order given. */
static int boots_add_kinds(const struct fb_section *s, const struct fb_kv *kinds,
			   const struct parts *ps, struct boots *bs)
{
	static const char sep[] = " \t,";
	size_t max = strlen(kinds->value) / 2 + 1;

	bs->v = calloc(max, sizeof(*bs->v));
	if (!bs->v)
		return fb_err_errno(-ENOMEM, "cannot set up the bootloaders");
	for (const char *k = kinds->value + strspn(kinds->value, sep); *k;
	     k += strcspn(k, sep), k += strspn(k, sep)) {
		size_t len = strcspn(k, sep);
		struct fb_boot *bl = &bs->v[bs->n];

		bl->ops = boot_kind(k, len);
		if (!bl->ops)
			return fb_err("%s:%u: unknown bootloader '%.*s' (one of " BOOT_KIND_NAMES
				      ")",
				      kinds->file, kinds->line, (int)len, k);
		bl->section = s;
		bl->parts = ps->v;
		bl->n_parts = ps->n;
		bl->conf = calloc(1, bl->ops->conf_size ? bl->ops->conf_size : 1);
		if (!bl->conf)
			return fb_err_errno(-ENOMEM, "cannot set up bootloader '%s'",
					    bl->ops->kind);
		bs->n++;
	}
	if (!bs->n)
		return fb_err("%s:%u: 'kinds' names no bootloader (one of " BOOT_KIND_NAMES ")",
			      kinds->file, kinds->line);
	return 0;
}

/* [bootloader]'s keys that image.c reads itself: the kinds, and the own key, which is every kind's. */
static bool boots_own_key(struct boots *bs, const struct fb_kv *kv)
{
	if (!strcmp(kv->key, "sign-key"))
		bs->sign_key = kv;
	else if (!strcmp(kv->key, "sign-cert"))
		bs->sign_cert = kv;
	return !strcmp(kv->key, "kinds") || !strcmp(kv->key, "sign-key") ||
	       !strcmp(kv->key, "sign-cert");
}

/* [bootloader]: 'kinds' and the own key are read here; every other key belongs to one of the kinds. */
static int boots_init(const struct fb_board *b, const struct parts *ps, struct boots *bs)
{
	const struct fb_section *s = fb_board_section(b, "bootloader", NULL);
	const struct fb_kv *kinds;
	int r;

	if (!s)
		return 0;
	kinds = fb_section_get(s, "kinds");
	if (!kinds)
		return fb_err("%s:%u: [bootloader] has no 'kinds' (one of " BOOT_KIND_NAMES ")",
			      s->file, s->line);
	r = boots_add_kinds(s, kinds, ps, bs);
	if (r < 0)
		return r;
	for (size_t i = 0; i < s->n_kvs; i++) {
		const struct fb_kv *kv = &s->kvs[i];
		bool taken = false;

		if (boots_own_key(bs, kv))
			continue;
		for (size_t j = 0; j < bs->n; j++) {
			r = fb_keys_set(bs->v[j].ops->keys, bs->v[j].conf, kv->key, kv->value);
			if (r == -ENOENT)
				continue;
			if (r < 0)
				return fb_err("%s:%u: bad value '%s' for '%s'", kv->file, kv->line,
					      kv->value, kv->key);
			taken = true;
		}
		if (!taken)
			return fb_err("%s:%u: unknown key '%s' in [bootloader]", kv->file, kv->line,
				      kv->key);
	}
	return 0;
}

static int boots_check(struct boots *bs, const struct fb_image_ctx *ctx)
{
	int r;

	for (size_t i = 0; i < bs->n; i++)
		if (bs->v[i].ops->check && (r = bs->v[i].ops->check(&bs->v[i], ctx)) < 0)
			return r;
	return 0;
}

static int boots_prepare(struct boots *bs, const struct fb_image_ctx *ctx)
{
	int r;

	for (size_t i = 0; i < bs->n; i++)
		if (bs->v[i].ops->prepare && (r = bs->v[i].ops->prepare(&bs->v[i], ctx)) < 0)
			return r;
	return 0;
}

static int boots_install(struct boots *bs, const struct fb_image_ctx *ctx, int fd)
{
	int r;

	for (size_t i = 0; i < bs->n; i++) {
		struct fb_boot *bl = &bs->v[i];
		double t0 = fb_now();

		if (!bl->ops->install)
			continue;
		r = bl->ops->install(bl, ctx, fd);
		if (r < 0)
			return r;
		fb_debug("bootloader %s installed in %.2f s", bl->ops->kind, fb_now() - t0);
	}
	return 0;
}

static bool boots_check_signatures(const struct boots *bs)
{
	for (size_t i = 0; i < bs->n; i++)
		if (bs->v[i].ops->checks_signatures)
			return true;
	return false;
}

/* [bootloader] sign-key and sign-cert, checked, as CTX's signer: the kinds check what they can sign. */
static int boots_signer(const struct boots *bs, struct fb_image_ctx *ctx, struct fb_signer *sg)
{
	int r;

	r = fb_sign_check(bs->sign_key, bs->sign_cert);
	if (r < 0 || !bs->sign_key)
		return r;
	if (!boots_check_signatures(bs))
		return fb_err("%s:%u: [bootloader] sign-key: no bootloader of 'kinds' checks a "
			      "signature; Secure Boot takes kinds = shim (a GRUB made by "
			      "grub-mkimage starts no kernel under Secure Boot without shim)",
			      bs->sign_key->file, bs->sign_key->line);
	*sg = (struct fb_signer){ .key = bs->sign_key->value,
				  .cert = bs->sign_cert->value,
				  .timestamp = ctx->timestamp };
	ctx->signer = sg;
	return 0;
}

/*
 * With a signer, every bootloader gets the kernel signed by it (a copy
 * beside the image, removed with it): the one that checks signatures and
 * the others alike.
 */
static int boots_sign_kernel(struct boots *bs, struct fb_image_ctx *ctx)
{
	int r;

	if (!ctx->signer || !ctx->kernel)
		return 0;
	if (asprintf(&bs->signed_kernel, "%s.vmlinuz", ctx->image_path) < 0) {
		bs->signed_kernel = NULL;
		return fb_err_errno(-ENOMEM, "cannot sign the kernel");
	}
	r = fb_sign_pe(ctx->signer, ctx->kernel, bs->signed_kernel, "the kernel");
	if (r >= 0)
		ctx->kernel = bs->signed_kernel;
	return r;
}

static int write_bmap(const char *path, int img_fd, uint64_t size, struct fb_outfile *bm)
{
	_cleanup_free_ char *bmap_path = NULL;
	struct fb_bmap_stats st;
	char a[32], b[32];
	int r;

	if (asprintf(&bmap_path, "%s.bmap", path) < 0)
		return fb_err_errno(-ENOMEM, "cannot write the bmap of '%s'", path);
	r = fb_outfile_open(bm, bmap_path);
	if (r < 0)
		return r;
	r = fb_bmap_write(img_fd, size, bm->fd, path, &st);
	if (r < 0)
		return r;
	fb_info("image: %s (%s, %s mapped)", path, fb_format_size(size, a, sizeof(a)),
		fb_format_size(st.mapped * FB_BMAP_BLOCK_SIZE, b, sizeof(b)));
	return 0;
}

/* The bmap's detached signature, by KEY, as BMAP.asc (armored, as bmaptool looks for it). */
static int sign_bmap(const struct fb_outfile *bm, const char *key, struct fb_outfile *sig)
{
	_cleanup_free_ char *path = NULL;
	int r;

	if (asprintf(&path, "%s.asc", bm->path) < 0)
		return fb_err_errno(-ENOMEM, "cannot sign '%s'", bm->path);
	r = fb_outfile_open(sig, path);
	if (r >= 0)
		r = fb_pgp_sign(bm->tmp, key, sig->fd);
	if (r >= 0)
		fb_info("image: %s signed by key %s", bm->path, key);
	return r;
}

/*
 * All outputs are complete: drop the old bmap and its signatures first, so
 * no new image pairs with them (a signature of another bmap included).
 */
static int commit_outputs(struct fb_outfile *img, struct fb_outfile *bm, struct fb_outfile *sig)
{
	static const char *const sigs[] = FB_PGP_SIG_SUFFIXES;
	int r;

	if (unlink(bm->path) < 0 && errno != ENOENT)
		return fb_err_errno(-errno, "cannot replace '%s'", bm->path);
	for (size_t i = 0; i < ELEMENTSOF(sigs); i++) {
		_cleanup_free_ char *p = NULL;

		if (asprintf(&p, "%s%s", bm->path, sigs[i]) < 0)
			return fb_err_errno(-ENOMEM, "cannot replace '%s'", bm->path);
		if (unlink(p) < 0 && errno != ENOENT)
			return fb_err_errno(-errno, "cannot remove '%s'", p);
	}
	r = fb_outfile_commit(img);
	if (r >= 0)
		r = fb_outfile_commit(bm);
	if (r >= 0 && sig->fd >= 0)
		r = fb_outfile_commit(sig);
	return r;
}

static int image_fill(const struct fb_board *b, const struct fb_image_opts *opts,
		      struct fb_outfile *img)
{
	_cleanup_(fb_table_freep) struct fb_table *t = NULL;
	struct parts ps = { 0 };
	struct boots bs = { 0 };
	struct fb_signer signer;
	struct fb_image_ctx ctx = {
		.image_path = img->tmp,
		.rootfs = opts->rootfs,
		.timestamp = opts->timestamp,
		.seed = b->seed ? b->seed : b->name,
		.image_size = b->size,
		.arch = b->arch,
		.kernel = opts->kernel,
		.initramfs = opts->initramfs,
		.cmdline = opts->cmdline,
		.fdt = opts->fdt,
		.dtb_dir = opts->dtb_dir,
	};
	int r;

	if (ftruncate(img->fd, (off_t)b->size) < 0)
		return fb_err_errno(-errno, "cannot size '%s' to %" PRIu64 " bytes", img->path,
				    b->size);
	r = fb_table_plan(b->layout, img->tmp, ctx.seed, &t);
	if (r < 0)
		return r;
	ctx.table = t;
	r = parts_init(b, t, &ps);
	if (r >= 0)
		r = boots_init(b, &ps, &bs);
	if (r >= 0)
		r = boots_signer(&bs, &ctx, &signer);
	if (r >= 0)
		r = boots_check(&bs, &ctx);
	if (r >= 0)
		r = boots_sign_kernel(&bs, &ctx);
	if (r >= 0)
		r = boots_prepare(&bs, &ctx);
	if (r >= 0)
		r = fb_table_write(t);
	if (r >= 0)
		r = parts_run(&ps, &ctx, img->fd);
	if (r >= 0)
		r = boots_install(&bs, &ctx, img->fd);
	boots_free(&bs);
	parts_free(&ps);
	return r;
}

int fb_image_check(const struct fb_board *b)
{
	struct parts ps = { 0 };
	struct boots bs = { 0 };
	int r;

	r = parts_init(b, NULL, &ps);
	if (r >= 0)
		r = boots_init(b, &ps, &bs);
	boots_free(&bs);
	parts_free(&ps);
	return r;
}

int fb_image_build(const struct fb_board *b, const struct fb_image_opts *opts)
{
	struct fb_outfile img = { .fd = -EBADF }, bm = { .fd = -EBADF }, sig = { .fd = -EBADF };
	const char *path = opts->path;
	double t0 = fb_now();
	int r;

	if (!fb_board_section(b, "image", NULL))
		return fb_err("%s: no [image] section: this board makes no disk image", b->path);
	r = fb_outfile_open(&img, path);
	if (r < 0)
		return r;
	r = image_fill(b, opts, &img);
	if (r >= 0 && fsync(img.fd) < 0)
		r = fb_err_errno(-errno, "cannot write '%s'", img.tmp);
	if (r >= 0)
		r = write_bmap(path, img.fd, b->size, &bm);
	if (r >= 0 && opts->sign)
		r = sign_bmap(&bm, opts->sign, &sig);
	if (r >= 0)
		r = commit_outputs(&img, &bm, &sig);
	if (r >= 0)
		fb_debug("image step took %.2f s", fb_now() - t0);
	fb_outfile_abort(&sig);
	fb_outfile_abort(&bm);
	fb_outfile_abort(&img);
	return r;
}

const char *fb_part_source(const struct fb_part *p _unused_, const struct fb_image_ctx *ctx,
			   const char *from)
{
	if (!strcmp(from, "rootfs"))
		return ctx->rootfs;
	return from;
}

/* A path a part reads: a tree by content, a file by content, a big file by stat. */
static int hash_input(struct fb_hasher *h, const struct fb_kv *kv)
{
	struct stat st;

	if (!strcmp(kv->value, "rootfs") && !strcmp(kv->key, "from"))
		return 0;
	if (stat(kv->value, &st) < 0) {
		fb_hasher_str(h, "missing", kv->value); /* the build will say what is wrong */
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return fb_hasher_tree(h, kv->key, kv->value);
	if (st.st_size > 16 * (off_t)FB_MiB)
		return fb_hasher_stat(h, kv->key, kv->value);
	return fb_hasher_file(h, kv->key, kv->value);
}

int fb_image_hash_inputs(const struct fb_board *b, struct fb_hasher *h)
{
	int r;

	for (size_t i = 0; i < b->n_files; i++) {
		r = fb_hasher_file(h, "profile", b->files[i]);
		if (r < 0)
			return r;
	}
	r = fb_hasher_file(h, "layout", b->layout);
	if (r < 0)
		return r;
	for (size_t i = 0; i < b->n_sections; i++) {
		const struct fb_section *s = &b->sections[i];

		if (strcmp(s->kind, "part") && strcmp(s->kind, "raw") &&
		    strcmp(s->kind, "bootloader"))
			continue;
		for (size_t j = 0; j < s->n_kvs; j++) {
			const struct fb_path_key *k = fb_path_key_find(s->kind, s->kvs[j].key);

			if (!k || !(k->flags & FB_PATH_INPUT))
				continue;
			r = hash_input(h, &s->kvs[j]);
			if (r < 0)
				return r;
		}
	}
	return 0;
}
