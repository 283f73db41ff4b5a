// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel stage (see kernel.h): [kernel] -> a plan (arch, source, base
 * config, fragments, compiler) -> a key -> the cached artifact, or a build
 * by kernel-make.c (from source) or kernel-deb.c (prebuilt).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/log.h"
#include "core/spawn.h"
#include "core/util.h"
#include "plan.h"
#include "source.h"
#include "kernel.h"

#define DEFAULT_SOURCE "linux-source-6.1"
#define DEFAULT_CONFIG "tinyconfig"
/* Bumped when what the kernel key covers, or how a kernel is built, changes. */
/* 2: vmlinux kept; 3: CC= is flashbuild-cc, running the compiler by its triplet's name
 * (x86_64-linux-gnu-gcc, as distcc would: the kernel's CONFIG_CC_VERSION_TEXT says it) */
#define KERNEL_FORMAT "kernel-3"

/* [kernel] debug = yes: what gdb needs (emulate --gdb), on any base config. */
#define DEBUG_FRAGMENT                                  \
	"CONFIG_DEBUG_KERNEL=y\n"                       \
	"CONFIG_DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT=y\n" \
	"# CONFIG_DEBUG_INFO_REDUCED is not set\n"      \
	"CONFIG_GDB_SCRIPTS=y\n"                        \
	"# CONFIG_RANDOMIZE_BASE is not set\n"

struct kernel_conf {
	bool debug;
	char *source;
	char *config;
	char *fragments;
	char *cmdline;
	char *image;
	char *modules;
	char *dtbs;
	char *compiler;
};

static const struct fb_key kernel_keys[] = {
	{ "source", FB_KEY_STRING, offsetof(struct kernel_conf, source) },
	{ "config", FB_KEY_STRING, offsetof(struct kernel_conf, config) },
	{ "fragments", FB_KEY_STRING, offsetof(struct kernel_conf, fragments) },
	{ "cmdline", FB_KEY_STRING, offsetof(struct kernel_conf, cmdline) },
	{ "image", FB_KEY_STRING, offsetof(struct kernel_conf, image) },
	{ "debug", FB_KEY_BOOL, offsetof(struct kernel_conf, debug) },
	{ "modules", FB_KEY_STRING, offsetof(struct kernel_conf, modules) },
	{ "dtbs", FB_KEY_STRING, offsetof(struct kernel_conf, dtbs) },
	{ "compiler", FB_KEY_STRING, offsetof(struct kernel_conf, compiler) },
	{ NULL, 0, 0 },
};

static const struct fb_kernel_arch arches[] = {
	{ "x86_64", "x86_64", "x86", "x86_64-linux-gnu-", "x86_64", "amd64", "bzImage" },
	{ "armhf", "arm", "arm", "arm-linux-gnueabihf-", "armv7l", "armhf", "zImage" },
	{ "arm64", "arm64", "arm64", "aarch64-linux-gnu-", "aarch64", "arm64", "Image" },
};

/* What a message about KEY points at: its line, or the [kernel] header's. */
static struct fb_kv at(const struct fb_section *s, const char *key)
{
	const struct fb_kv *kv = key ? fb_section_get(s, key) : NULL;

	return kv ? *kv : (struct fb_kv){ .file = s->file, .line = s->line };
}

static void plan_free(struct fb_kernel_plan *p)
{
	free(p->source);
	fb_deb_done(&p->deb);
	free(p->modules);
	free(p->dtbs);
	free(p->cross);
	free(p->base);
	free(p->base_file);
	for (size_t i = 0; i < p->n_frags; i++) {
		free(p->frags[i].path);
		free(p->frags[i].abs);
		free(p->frags[i].text);
	}
	free(p->frags);
	fb_kconfig_free(&p->want);
}

static int plan_arch(struct fb_kernel_plan *p, const struct fb_board *b, const struct fb_section *s)
{
	const char *arch = b->arch;
	struct fb_kv a = at(s, NULL);
	struct utsname u;

	if (fb_str_empty(arch))
		return fb_err("%s:%u: [kernel] needs 'arch' in [board]", a.file, a.line);
	for (size_t i = 0; i < ELEMENTSOF(arches); i++)
		if (!strcmp(arches[i].name, arch))
			p->arch = &arches[i];
	if (!p->arch)
		return fb_err("%s:%u: no kernel for arch '%s': expected x86_64, armhf or arm64",
			      a.file, a.line, arch);
	if (uname(&u) < 0 || strcmp(u.machine, p->arch->machine))
		if (!(p->cross = strdup(p->arch->cross)))
			return fb_err_errno(-ENOMEM, "cannot plan the kernel");
	return 0;
}

/* A tree we can build out of: Kbuild's O= refuses one that was configured in place. */
static int check_tree(const char *dir, const struct fb_kv *a)
{
	_cleanup_free_ char *mk = fb_path_join(dir, "scripts/kconfig/merge_config.sh");
	_cleanup_free_ char *dot = fb_path_join(dir, ".config");

	if (!mk || !dot)
		return fb_err_errno(-ENOMEM, "cannot plan the kernel");
	if (access(mk, R_OK) < 0)
		return fb_err("%s:%u: '%s' is not a kernel tree: it has no "
			      "scripts/kconfig/merge_config.sh",
			      a->file, a->line, dir);
	if (access(dot, F_OK) == 0)
		return fb_err("%s:%u: kernel tree '%s' was configured in place (it has a .config): "
			      "run 'make mrproper' there, flashbuild builds out of tree",
			      a->file, a->line, dir);
	return 0;
}

/* deb:PACKAGE, linux-source-X (in /usr/src), a tarball, or a kernel tree. */
static int plan_source(struct fb_kernel_plan *p, const struct kernel_conf *c,
		       const struct fb_section *s)
{
	const char *v = c->source ?: DEFAULT_SOURCE;
	struct fb_kv a = at(s, "source");
	_cleanup_free_ char *path = NULL;
	bool debian = !strchr(v, '/') && !strncmp(v, "linux-source-", 13);
	struct stat st;

	if (!strncmp(v, "deb:", 4)) {
		p->kind = FB_KERNEL_DEB;
		if (!v[4])
			return fb_err("%s:%u: 'deb:' needs a package, as in deb:linux-image-amd64",
				      a.file, a.line);
		if (strchr(v + 4, ':') ? !(p->source = strdup(v + 4))
				       : asprintf(&p->source, "%s:%s", v + 4, p->arch->deb) < 0)
			return fb_err_errno(-ENOMEM, "cannot plan the kernel");
		return 0;
	}
	if (debian ? asprintf(&path, "/usr/src/%s.tar.xz", v) < 0 : !(path = strdup(v)))
		return fb_err_errno(-ENOMEM, "cannot plan the kernel");
	if (stat(path, &st) < 0)
		return fb_err_errno(-errno, "%s:%u: cannot read kernel source '%s'%s%s%s", a.file,
				    a.line, path, debian ? " (apt-get install " : "",
				    debian ? v : "", debian ? ")" : "");
	p->kind = S_ISDIR(st.st_mode) ? FB_KERNEL_TREE : FB_KERNEL_TARBALL;
	p->source = realpath(path, NULL);
	if (!p->source)
		return fb_err_errno(-errno, "%s:%u: cannot read kernel source '%s'", a.file, a.line,
				    path);
	return p->kind == FB_KERNEL_TREE ? check_tree(p->source, &a) : 0;
}

/* "tinyconfig", "defconfig", "sunxi_defconfig": a make target; anything else a file. */
static bool is_make_target(const char *v)
{
	size_t n = strlen(v);

	return n >= 6 && !strcmp(v + n - 6, "config") &&
	       strspn(v, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_-") == n;
}

static int plan_config(struct fb_kernel_plan *p, const struct kernel_conf *c,
		       const struct fb_section *s)
{
	const char *v = c->config ?: DEFAULT_CONFIG;
	struct fb_kv a = at(s, "config");

	if (is_make_target(v)) {
		p->base = strdup(v);
		return p->base ? 0 : fb_err_errno(-ENOMEM, "cannot plan the kernel");
	}
	p->base_file = realpath(v, NULL);
	if (!p->base_file)
		return fb_err_errno(-errno, "%s:%u: cannot read kernel config '%s'", a.file, a.line,
				    v);
	return 0;
}

static struct fb_kernel_frag *new_fragment(struct fb_kernel_plan *p, const char *path)
{
	struct fb_kernel_frag *f = reallocarray(p->frags, p->n_frags + 1, sizeof(*f));

	if (!f)
		return NULL;
	p->frags = f;
	f = &p->frags[p->n_frags++];
	*f = (struct fb_kernel_frag){ .path = strdup(path) };
	return f->path ? f : NULL;
}

static int parse_fragment(struct fb_kernel_plan *p, const struct fb_kernel_frag *f)
{
	unsigned line = 0;
	int r = fb_kconfig_parse(&p->want, f->text, f->path, &line);

	if (r == -EINVAL)
		return fb_err("%s:%u: not a Kconfig line: expected CONFIG_NAME=value or "
			      "'# CONFIG_NAME is not set'",
			      f->path, line);
	if (r < 0)
		return fb_err_errno(r, "cannot read '%s'", f->path);
	return 0;
}

static int add_fragment(struct fb_kernel_plan *p, const char *path, const struct fb_kv *a)
{
	struct fb_kernel_frag *f = new_fragment(p, path);
	int r;

	if (!f)
		return fb_err_errno(-ENOMEM, "cannot plan the kernel");
	f->abs = realpath(path, NULL);
	if (!f->abs)
		return fb_err_errno(-errno, "%s:%u: cannot read config fragment '%s'", a->file,
				    a->line, path);
	r = fb_kernel_read_file(f->abs, &f->text);
	return r < 0 ? r : parse_fragment(p, f);
}

/* [kernel] debug, or build --debug: the last fragment, written into O= when configuring. */
static int add_debug_fragment(struct fb_kernel_plan *p)
{
	struct fb_kernel_frag *f = new_fragment(p, "[kernel] debug");

	if (!f || !(f->text = strdup(DEBUG_FRAGMENT)))
		return fb_err_errno(-ENOMEM, "cannot plan the kernel");
	p->debug = true;
	return parse_fragment(p, f);
}

static int plan_fragments(struct fb_kernel_plan *p, const struct kernel_conf *c,
			  const struct fb_section *s)
{
	_cleanup_free_ char *list = c->fragments ? strdup(c->fragments) : NULL;
	struct fb_kv a = at(s, "fragments");
	char *save = NULL;
	int r;

	if (c->fragments && !list)
		return fb_err_errno(-ENOMEM, "cannot plan the kernel");
	for (char *t = list ? strtok_r(list, " \t", &save) : NULL; t;
	     t = strtok_r(NULL, " \t", &save)) {
		r = add_fragment(p, t, &a);
		if (r < 0)
			return r;
	}
	return 0;
}

static void on_version_line(const char *line, size_t len, void *userdata)
{
	fwrite(line, 1, len, userdata);
	fputc('\n', userdata);
}

/* The compiler by path, size, mtime and what it says it is. */
static int hash_toolchain(struct fb_hasher *h, const struct fb_kernel_plan *p)
{
	_cleanup_free_ char *cc = NULL, *path = NULL, *out = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	size_t len = 0;
	int r;

	if (asprintf(&cc, "%sgcc", p->cross ?: "") < 0)
		return fb_err_errno(-ENOMEM, "cannot plan the kernel");
	path = fb_find_in_path(cc);
	if (!path)
		return fb_err("cannot find the compiler '%s' in PATH (install %s%.*s)", cc,
			      p->cross ? "gcc-" : "gcc", p->cross ? (int)strlen(p->cross) - 1 : 0,
			      p->cross ?: "");
	r = fb_hasher_stat(h, "cc", path);
	if (r < 0)
		return r;
	f = open_memstream(&out, &len);
	if (!f)
		return fb_err_errno(-ENOMEM, "cannot run '%s'", cc);
	r = fb_spawn_pipe((const char *const[]){ path, "--version", NULL },
			  &(struct fb_spawn_pipe_opts){ .line = on_version_line, .userdata = f });
	if (r < 0)
		return r;
	if (r > 0)
		return fb_err("'%s --version' failed with exit status %d", path, r);
	if (fclose(TAKE_PTR(f)) == EOF)
		return fb_err_errno(-ENOMEM, "cannot run '%s'", cc);
	fb_hasher_str(h, "cc-version", out);
	return 0;
}

static int hasher_done(struct fb_hasher *h, char key[FB_KEY_LEN + 1])
{
	int r = fb_hasher_final(h, key);

	return r < 0 ? fb_err_errno(r, "cannot compute the kernel key") : 0;
}

/* CACHE/kernel-src/KEY (the unpacked tarball) and CACHE/kernel-build/KEY (O=). */
static int plan_dir_keys(struct fb_kernel_plan *p)
{
	_cleanup_(fb_hasher_freep) struct fb_hasher *src = fb_hasher_new("kernel-src");
	_cleanup_(fb_hasher_freep) struct fb_hasher *obj = fb_hasher_new("kernel-build");
	int r;

	if (!src || !obj)
		return fb_err_errno(-ENOMEM, "cannot compute the kernel key");
	if (p->kind == FB_KERNEL_TARBALL) {
		r = fb_hasher_stat(src, "tarball", p->source);
		if (r >= 0)
			r = hasher_done(src, p->src_key);
		if (r < 0)
			return r;
	}
	fb_hasher_str(obj, "format", KERNEL_FORMAT);
	/* A tree by its path: an edited tree rebuilds in the same directory. */
	fb_hasher_str(obj, "source", p->kind == FB_KERNEL_TARBALL ? p->src_key : p->source);
	fb_hasher_str(obj, "arch", p->arch->name);
	fb_hasher_str(obj, "cross", p->cross);
	/* DWARF changes every object's flags: a debug kernel builds beside the others, so
	 * that switching between them recompiles nothing.  Only then, so other keys stay. */
	if (p->debug)
		fb_hasher_str(obj, "debug", "yes");
	r = hash_toolchain(obj, p);
	if (r < 0)
		return r;
	return hasher_done(obj, p->build_key);
}

static int plan_key(struct fb_kernel_plan *p, const struct fb_cache *c, const struct fb_section *s,
		    char key[FB_KEY_LEN + 1])
{
	_cleanup_(fb_hasher_freep) struct fb_hasher *h = fb_hasher_new("kernel");
	_cleanup_free_ char *base = NULL;
	struct fb_kv a = at(s, "source");
	char ts[32];
	int r;

	if (!h)
		return fb_err_errno(-ENOMEM, "cannot compute the kernel key");
	fb_hasher_str(h, "format", KERNEL_FORMAT);
	fb_hasher_str(h, "image", p->image);
	if (p->kind == FB_KERNEL_DEB) {
		r = fb_kernel_deb_resolve(p, c, h, &a);
		return r < 0 ? r : hasher_done(h, key);
	}
	r = plan_dir_keys(p);
	if (r >= 0 && p->kind == FB_KERNEL_TREE)
		r = fb_kernel_src_hash_tree(h, p->source);
	if (r >= 0 && p->base_file)
		r = fb_kernel_read_file(p->base_file, &base);
	if (r < 0)
		return r;
	fb_hasher_str(h, "build", p->build_key);
	/* DWARF's compile directory is what distcc rewrites in an object (distcc(1)): a debug
	 * kernel compiled elsewhere is not byte for byte the one compiled here. */
	if (p->debug && p->cc.ops->remote)
		fb_hasher_str(h, "compiled-by", p->cc.ops->name);
	fb_hasher_str(h, "base", p->base);
	fb_hasher_str(h, "base-file", base);
	for (size_t i = 0; i < p->n_frags; i++)
		fb_hasher_str(h, "fragment", p->frags[i].text);
	snprintf(ts, sizeof(ts), "%lld", (long long)p->timestamp);
	fb_hasher_str(h, "timestamp", ts);
	/*
	 * Bumped when the same config came out as other bytes from a shared O=
	 * tree (1: KBUILD_BUILD_VERSION fixed; 2: the built-in initramfs re-stamped).
	 */
	fb_hasher_str(h, "reproducible", "2");
	return hasher_done(h, key);
}

static int plan(struct fb_kernel_plan *p, const struct kernel_conf *c, const struct fb_board *b,
		const struct fb_stage_env *env, const struct fb_section *s)
{
	struct fb_kv a = at(s, c->config ? "config" : "fragments");
	int r;

	r = plan_arch(p, b, s);
	if (r >= 0)
		r = plan_source(p, c, s);
	if (r < 0)
		return r;
	p->image = c->image ?: p->arch->image;
	if (strchr(p->image, '/') || !strcmp(p->image, ".") || !strcmp(p->image, "..")) {
		a = at(s, "image");
		return fb_err("%s:%u: 'image' is a make target such as bzImage, not a path", a.file,
			      a.line);
	}
	if (p->kind == FB_KERNEL_DEB) {
		const char *no = c->config	? "config"
				 : c->fragments ? "fragments"
				 : c->debug	? "debug"
				 : c->compiler	? "compiler"
						: NULL;

		if (no) {
			a = at(s, no);
			return fb_err("%s:%u: a prebuilt kernel (source = deb:...) takes no '%s'",
				      a.file, a.line, no);
		}
		p->modules_at = at(s, "modules");
		p->dtbs_at = at(s, "dtbs");
		if (c->dtbs && !c->dtbs[strspn(c->dtbs, " \t")])
			return fb_err("%s:%u: 'dtbs' names no device tree", p->dtbs_at.file,
				      p->dtbs_at.line);
		if ((c->modules && !(p->modules = strdup(c->modules))) ||
		    (c->dtbs && !(p->dtbs = strdup(c->dtbs))))
			return fb_err_errno(-ENOMEM, "cannot plan the kernel");
		return 0;
	}
	if (c->modules) {
		a = at(s, "modules");
		return fb_err(
			"%s:%u: 'modules' are taken from a prebuilt kernel's package (source = "
			"deb:...); a kernel built here has its drivers built in",
			a.file, a.line);
	}
	/* make dtbs for a kernel built here is not done yet. */
	if (c->dtbs) {
		a = at(s, "dtbs");
		return fb_err("%s:%u: 'dtbs' are taken from a prebuilt kernel's package (source = "
			      "deb:...) only",
			      a.file, a.line);
	}
	r = plan_config(p, c, s);
	if (r >= 0)
		r = plan_fragments(p, c, s);
	if (r >= 0 && (c->debug || env->debug))
		r = add_debug_fragment(p);
	if (r >= 0) {
		a = at(s, "compiler");
		r = fb_kernel_cc_plan(c->compiler, &a, &p->cc);
	}
	return r;
}

static int set_outputs(struct fb_kernel *k, const struct fb_kernel_plan *p,
		       const struct kernel_conf *c)
{
	k->image = fb_artifact_file(&k->art, p->image);
	if (!k->image)
		return fb_err_errno(-ENOMEM, "cannot use the kernel");
	if (p->modules && !(k->modules = fb_artifact_file(&k->art, "modules")))
		return fb_err_errno(-ENOMEM, "cannot use the kernel");
	if (p->dtbs) {
		/* The first named is the board's: its basename, as kernel-deb.c stores it. */
		_cleanup_free_ char *first =
			strndup(p->dtbs + strspn(p->dtbs, " \t"),
				strcspn(p->dtbs + strspn(p->dtbs, " \t"), " \t"));
		const char *base = first ? strrchr(first, '/') : NULL;

		if (!first || asprintf(&k->fdt, "%s/" FB_KERNEL_DTBS_DIR "/%s", k->art.dir,
				       base ? base + 1 : first) < 0) {
			k->fdt = NULL;
			return fb_err_errno(-ENOMEM, "cannot use the kernel");
		}
		k->dtb_dir = fb_artifact_file(&k->art, FB_KERNEL_DTBS_DIR);
		if (!k->dtb_dir)
			return fb_err_errno(-ENOMEM, "cannot use the kernel");
	}
	char *cmdline = NULL;

	/* A debugged kernel must sit where vmlinux says: no KASLR, whatever the config. */
	if (p->debug
		    ? asprintf(&cmdline, "%s%snokaslr", c->cmdline ?: "", c->cmdline ? " " : "") < 0
		    : c->cmdline && !(cmdline = strdup(c->cmdline)))
		return fb_err_errno(-ENOMEM, "cannot use the kernel");
	k->cmdline = cmdline;
	return 0;
}

static void conf_free(struct kernel_conf *c)
{
	fb_keys_free(kernel_keys, c);
}

int fb_kernel_stage(const struct fb_board *b, const struct fb_stage_env *env, struct fb_kernel *ret)
{
	const struct fb_section *s = fb_board_section(b, "kernel", NULL);
	_cleanup_(conf_free) struct kernel_conf c = { 0 };
	_cleanup_(plan_free) struct fb_kernel_plan p = { .timestamp = env->timestamp,
							 .cache = env->cache };
	int r;

	fb_kernel_done(ret);
	if (!s)
		return 0;
	r = fb_keys_apply(kernel_keys, &c, s->kvs, s->n_kvs, "[kernel]");
	if (r >= 0)
		r = plan(&p, &c, b, env, s);
	if (r >= 0)
		r = plan_key(&p, env->cache, s, p.key);
	if (r >= 0)
		r = fb_stage_run(env->cache, "kernel", p.key,
				 p.kind == FB_KERNEL_DEB ? fb_kernel_deb_fetch : fb_kernel_make, &p,
				 &ret->art);
	if (r >= 0)
		r = set_outputs(ret, &p, &c);
	/* Nothing half-set: a failed stage reports no artifact at all. */
	if (r < 0)
		fb_kernel_done(ret);
	return r;
}

int fb_kernel_tool(const struct fb_board *b, const struct fb_stage_env *env,
		   const struct fb_kernel_tool_opts *o)
{
	const struct fb_section *s = fb_board_section(b, "kernel", NULL);
	_cleanup_(conf_free) struct kernel_conf c = { 0 };
	_cleanup_(plan_free) struct fb_kernel_plan p = { .timestamp = env->timestamp,
							 .cache = env->cache };
	struct fb_kv a;
	int r;

	if (!s)
		return fb_err("%s: no [kernel] section: no kernel to configure", b->path);
	r = fb_keys_apply(kernel_keys, &c, s->kvs, s->n_kvs, "[kernel]");
	if (r >= 0)
		r = plan(&p, &c, b, env, s);
	if (r < 0)
		return r;
	if (p.kind == FB_KERNEL_DEB) {
		a = at(s, "source");
		return fb_err(
			"%s:%u: the kernel is Debian's, prebuilt (source = deb:...): there is "
			"no config to change",
			a.file, a.line);
	}
	r = plan_key(&p, env->cache, s, p.key);
	return r < 0 ? r : fb_kernel_tool_run(&p, b, o);
}

void fb_kernel_done(struct fb_kernel *k)
{
	fb_artifact_clear(&k->art);
	free(k->image);
	free(k->cmdline);
	free(k->modules);
	free(k->fdt);
	free(k->dtb_dir);
	*k = (struct fb_kernel){ 0 };
}

int fb_kernel_check(const struct fb_board *b)
{
	return fb_board_check_keys(b, "kernel", kernel_keys, sizeof(struct kernel_conf),
				   "[kernel]");
}
