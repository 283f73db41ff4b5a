// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A kernel from source: base config, the board's fragments merged with the
 * kernel's own scripts/kconfig/merge_config.sh, olddefconfig, a check that
 * every fragment line survived, then make with all cores.  The O= directory
 * (CACHE/kernel-build/KEY/) is reused across configs, so a changed config
 * rebuilds only what it touches; it is locked while in use.  make's output
 * goes to build.log there, and a TTY sees one updating line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/outfile.h"
#include "core/spawn.h"
#include "core/util.h"
#include "compiler.h"
#include "make.h"
#include "source.h"

/* Takes the progress line away, before anything else is printed. */
static void progress_end(struct fb_kmake *m)
{
	if (!m->shown)
		return;
	fputs("\r\033[K", stdout);
	fflush(stdout);
	m->shown = 0;
}

void fb_kmake_close(struct fb_kmake *m)
{
	progress_end(m);
	if (m->log)
		fclose(m->log);
	if (m->lock_fd >= 0)
		close(m->lock_fd);
	free(m->src_owned);
	free(m->obj);
	free(m->o_arg);
	free(m->arch_arg);
	free(m->cross_arg);
	free(m->jobs_arg);
	free(m->cc_arg);
	free(m->hostcc_arg);
	free(m->ts_env);
	free(m->cc_env);
	free(m->log_path);
	*m = (struct fb_kmake){ .lock_fd = -EBADF };
}

/* The one updating line a TTY gets; nothing elsewhere. */
static void progress(struct fb_kmake *m, const char *fmt, ...) _printf_(2, 3);
static void progress(struct fb_kmake *m, const char *fmt, ...)
{
	va_list ap;

	if (!m->tty)
		return;
	fputs("\r  kernel     ", stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputs("\033[K", stdout);
	fflush(stdout);
	m->shown = fb_now();
}

static void on_line(const char *line, size_t len, void *userdata)
{
	struct fb_kmake *m = userdata;

	if ((fwrite(line, 1, len, m->log) != len || fputc('\n', m->log) == EOF) && !m->log_err)
		m->log_err = errno ? -errno : -EIO;
	/* Kbuild's short log: "  CC      init/main.o", "  CC [M]  ..." */
	if (strncmp(line, "  CC ", 5))
		return;
	m->compiled++;
	if (fb_now() - m->shown >= 0.1)
		progress(m, "%u files compiled", m->compiled);
}

/*
 * Runs one step with its output in the log, saying WHAT it does on a TTY:
 * its exit status, or -errno (logged).
 */
static int step(struct fb_kmake *m, const char *const argv[], const char *cwd, const char *what)
{
	struct fb_spawn_pipe_opts o = { .env = m->env, .cwd = cwd, .line = on_line, .userdata = m };
	int r;

	progress(m, "%s", what);
	fputs("$", m->log);
	for (size_t i = 0; argv[i]; i++)
		fprintf(m->log, " %s", argv[i]);
	fputc('\n', m->log);
	fflush(m->log);
	r = fb_spawn_pipe(argv, &o);
	progress_end(m);
	if (r >= 0 && (fflush(m->log) == EOF || m->log_err))
		return fb_err_errno(m->log_err ?: -errno, "cannot write '%s'", m->log_path);
	return r;
}

/* make -C SRC O=OBJ ARCH= [CROSS_COMPILE=] CC= HOSTCC= [-jN] TARGET; NULL-terminated in ARGV. */
static void make_argv(const struct fb_kmake *m, const char *target, bool all_cores,
		      const char *argv[static 12])
{
	size_t n = 0;

	argv[n++] = "make";
	argv[n++] = "-C";
	argv[n++] = m->src;
	argv[n++] = m->o_arg;
	argv[n++] = m->arch_arg;
	if (m->cross_arg)
		argv[n++] = m->cross_arg;
	argv[n++] = m->cc_arg;
	argv[n++] = m->hostcc_arg;
	if (all_cores)
		argv[n++] = m->jobs_arg;
	argv[n++] = target;
	argv[n] = NULL;
}

int fb_kmake_run(struct fb_kmake *m, const char *target, bool all_cores, const char *what)
{
	const char *argv[12];

	make_argv(m, target, all_cores, argv);
	return step(m, argv, NULL, what);
}

int fb_kmake_interactive(struct fb_kmake *m, const char *target)
{
	const char *argv[12];

	make_argv(m, target, false, argv);
	fprintf(m->log, "$ make %s (on the terminal)\n", target);
	fflush(m->log);
	return fb_spawn_inherit(argv, m->env);
}

/*
 * Kbuild's CC= and HOSTCC=: scripts in O= that run [kernel] compiler's
 * wrapper in front of gcc, named the same whichever it is (compiler.h).
 */
static int compiler_args(struct fb_kmake *m)
{
	const struct fb_kernel_plan *p = m->p;
	_cleanup_free_ char *abs = realpath(m->obj, NULL), *cc = NULL, *target = NULL;
	_cleanup_free_ char *hostcc = NULL;
	int r;

	if (!abs)
		return fb_err_errno(-errno, "cannot find '%s'", m->obj);
	/* by its triplet's name, native too: what distcc would call it, and what
	 * the kernel then says built it (CONFIG_CC_VERSION_TEXT, /proc/version) */
	if (asprintf(&target, "%sgcc", p->arch->cross) < 0)
		return fb_err_errno(-ENOMEM, "cannot build the kernel");
	r = fb_kernel_cc_script(&p->cc, abs, "flashbuild-cc", target, &cc);
	if (r >= 0)
		r = fb_kernel_cc_script(&p->cc, abs, "flashbuild-hostcc", "gcc", &hostcc);
	if (r < 0)
		return r;
	if (asprintf(&m->cc_arg, "CC=%s", cc) < 0 ||
	    asprintf(&m->hostcc_arg, "HOSTCC=%s", hostcc) < 0)
		return fb_err_errno(-ENOMEM, "cannot build the kernel");
	return 0;
}

static int make_args(struct fb_kmake *m)
{
	const struct fb_kernel_plan *p = m->p;
	size_t n = 0;
	int r;

	if (asprintf(&m->o_arg, "O=%s", m->obj) < 0 ||
	    asprintf(&m->arch_arg, "ARCH=%s", p->arch->karch) < 0 ||
	    (p->cross && asprintf(&m->cross_arg, "CROSS_COMPILE=%s", p->cross) < 0) ||
	    asprintf(&m->jobs_arg, "-j%d", p->cc.jobs) < 0 ||
	    asprintf(&m->ts_env, "KBUILD_BUILD_TIMESTAMP=@%lld", (long long)p->timestamp) < 0)
		return fb_err_errno(-ENOMEM, "cannot build the kernel");
	/*
	 * A make that runs flashbuild (make check, a user's Makefile) leaves
	 * its flags in the environment: "-s" would silence Kbuild's log, and
	 * its jobserver is not ours.  Kbuild gets a clean slate.
	 */
	m->env[n++] = "MAKEFLAGS=";
	m->env[n++] = "MFLAGS=";
	m->env[n++] = "MAKELEVEL=";
	/*
	 * The same bytes whoever builds it, wherever, whenever: "#1" even in an
	 * O= tree that linked before (Kbuild counts links in .version).
	 */
	m->env[n++] = "KBUILD_BUILD_USER=flashbuild";
	m->env[n++] = "KBUILD_BUILD_HOST=flashbuild";
	m->env[n++] = "KBUILD_BUILD_VERSION=1";
	m->env[n++] = m->ts_env;
	r = fb_kernel_cc_env(&p->cc, p->cache, m->env, n, ELEMENTSOF(m->env) - 1, &m->cc_env);
	if (r < 0)
		return r;
	m->env[r] = NULL;
	return compiler_args(m);
}

/* The kernel tree: the profile's own, or the tarball unpacked once into the cache. */
static int source_dir(struct fb_kmake *m)
{
	_cleanup_free_ char *tmp = NULL;
	int r;

	if (m->p->kind == FB_KERNEL_TREE) {
		m->src = m->p->source;
		return 0;
	}
	m->src = m->src_owned = fb_cache_path(m->p->cache, "kernel-src", m->p->src_key);
	if (!m->src)
		return fb_err_errno(-ENOMEM, "cannot unpack '%s'", m->p->source);
	if (fb_cache_has(m->p->cache, "kernel-src", m->p->src_key))
		return 0;
	progress(m, "unpacking '%s'", m->p->source);
	r = fb_cache_begin(m->p->cache, "kernel-src", m->p->src_key, &tmp);
	if (r < 0)
		return r;
	r = fb_kernel_src_unpack(m->p->source, tmp);
	progress_end(m);
	if (r >= 0)
		r = fb_cache_commit(m->p->cache, "kernel-src", m->p->src_key, tmp);
	if (r < 0)
		fb_cache_abort(tmp);
	return r;
}

static int mkdir_one(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return fb_err_errno(-errno, "cannot create '%s'", path);
	return 0;
}

/* CACHE/kernel-build/KEY/, locked against another flashbuild, and its log LOG_NAME. */
static int build_dir(struct fb_kmake *m, const char *log_name)
{
	_cleanup_free_ char *top = fb_path_join(m->p->cache->dir, "kernel-build"), *lock = NULL;
	int r;

	m->obj = fb_cache_path(m->p->cache, "kernel-build", m->p->build_key);
	if (!top || !m->obj || asprintf(&lock, "%s.lock", m->obj) < 0 ||
	    !(m->log_path = fb_path_join(m->obj, log_name)))
		return fb_err_errno(-ENOMEM, "cannot build the kernel");
	r = mkdir_one(top);
	if (r >= 0)
		r = mkdir_one(m->obj);
	if (r < 0)
		return r;
	/* Not O_CLOEXEC: make inherits the lock, so a make orphaned by a killed build
	 * still holds the O= directory and the next build waits for it. */
	m->lock_fd = open(lock, O_RDWR | O_CREAT, 0644);
	if (m->lock_fd < 0)
		return fb_err_errno(-errno, "cannot open '%s'", lock);
	if (flock(m->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		fb_info("  kernel     waiting for another flashbuild building in '%s'", m->obj);
		if (flock(m->lock_fd, LOCK_EX) < 0)
			return fb_err_errno(-errno, "cannot lock '%s'", lock);
	}
	m->log = fopen(m->log_path, "we");
	if (!m->log)
		return fb_err_errno(-errno, "cannot create '%s'", m->log_path);
	return 0;
}

/* A built-in fragment's text as OBJ/flashbuild-debug.config, for merge_config.sh. */
static int write_builtin_fragment(struct fb_kmake *m, const struct fb_kernel_frag *f,
				  char **ret_path)
{
	_cleanup_free_ char *path = fb_path_join(m->obj, FB_KERNEL_BUILTIN_FRAG);
	_cleanup_fclose_ FILE *out = NULL;

	if (!path)
		return fb_err_errno(-ENOMEM, "cannot configure the kernel");
	out = fopen(path, "we");
	if (!out || fputs(f->text, out) == EOF || fclose(TAKE_PTR(out)) == EOF)
		return fb_err_errno(-errno ?: -EIO, "cannot write '%s'", path);
	*ret_path = TAKE_PTR(path);
	return 0;
}

/* Base config, fragments, olddefconfig: OBJ/.config. */
static int configure(struct fb_kmake *m)
{
	const struct fb_kernel_plan *p = m->p;
	_cleanup_free_ char *merge = fb_path_join(m->src, "scripts/kconfig/merge_config.sh");
	_cleanup_free_ char *dotconfig = fb_path_join(m->obj, ".config");
	_cleanup_free_ const char **argv = calloc(p->n_frags + 6, sizeof(*argv));
	_cleanup_free_ char *builtin = NULL;
	size_t n = 0;
	int r;

	if (!merge || !dotconfig || !argv)
		return fb_err_errno(-ENOMEM, "cannot configure the kernel");
	if (p->base) {
		r = fb_kmake_run(m, p->base, false, "configuring");
		if (r != 0)
			return r < 0 ? r : fb_err("'make %s' failed; see %s", p->base, m->log_path);
	}
	if (p->base_file || p->n_frags > 0) {
		argv[n++] = merge;
		argv[n++] = "-m";
		argv[n++] = "-O";
		argv[n++] = m->obj;
		argv[n++] = p->base_file ?: dotconfig;
		for (size_t i = 0; i < p->n_frags; i++) {
			if (!p->frags[i].abs && !builtin &&
			    (r = write_builtin_fragment(m, &p->frags[i], &builtin)) < 0)
				return r;
			argv[n++] = p->frags[i].abs ?: builtin;
		}
		argv[n] = NULL;
		/* It makes its temporary files in the current directory. */
		r = step(m, argv, m->obj, "configuring");
		if (r != 0)
			return r < 0 ? r
				     : fb_err("merging the config fragments failed; see %s",
					      m->log_path);
	}
	r = fb_kmake_run(m, "olddefconfig", false, "configuring");
	if (r != 0)
		return r < 0 ? r : fb_err("'make olddefconfig' failed; see %s", m->log_path);
	return 0;
}

int fb_kernel_read_file(const char *path, char **ret)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *text = NULL;
	size_t len = 0;

	if (!f)
		return fb_err_errno(-errno, "cannot read '%s'", path);
	if (getdelim(&text, &len, '\0', f) < 0 && ferror(f))
		return fb_err_errno(-EIO, "cannot read '%s'", path);
	if (!text && !(text = strdup("")))
		return fb_err_errno(-ENOMEM, "cannot read '%s'", path);
	*ret = TAKE_PTR(text);
	return 0;
}

/* Every fragment line must be in the .config that olddefconfig wrote. */
static int check_config(struct fb_kmake *m)
{
	_cleanup_free_ char *path = fb_path_join(m->obj, ".config"), *text = NULL;
	_cleanup_(fb_kconfig_free) struct fb_kconfig have = { 0 };
	const struct fb_kconfig_sym *s;
	const char *v;
	unsigned line = 0;
	int r;

	if (!path)
		return fb_err_errno(-ENOMEM, "cannot check the kernel config");
	r = fb_kernel_read_file(path, &text);
	if (r < 0)
		return r;
	r = fb_kconfig_parse(&have, text, path, &line);
	if (r == -EINVAL)
		return fb_err("%s:%u: not a Kconfig line", path, line);
	if (r < 0)
		return fb_err_errno(r, "cannot read '%s'", path);
	s = fb_kconfig_first_mismatch(&m->p->want, &have);
	if (!s)
		return 0;
	v = fb_kconfig_get(&have, s->name) ?: "n";
	if (!strcmp(v, "n"))
		return fb_err("%s:%u: %s=%s was dropped by Kbuild (missing dependency?)", s->file,
			      s->line, s->name, s->value);
	if (!strcmp(s->value, "n"))
		return fb_err("%s:%u: '# %s is not set' was overridden by Kbuild: %s=%s (selected "
			      "by another symbol?)",
			      s->file, s->line, s->name, s->name, v);
	return fb_err("%s:%u: %s=%s was changed by Kbuild to %s=%s (missing dependency?)", s->file,
		      s->line, s->name, s->value, s->name, v);
}

/* The built image: arch/SRCARCH/boot/IMAGE, or IMAGE at the top (vmlinux). */
static char *image_path(const struct fb_kmake *m)
{
	char *p = NULL;

	if (asprintf(&p, "%s/arch/%s/boot/%s", m->obj, m->p->arch->srcarch, m->p->image) < 0)
		return NULL;
	if (access(p, F_OK) == 0)
		return p;
	free(p);
	return fb_path_join(m->obj, m->p->image);
}

int fb_kernel_copy_file(const char *src, const char *dst)
{
	int r = fb_copy_file(src, dst, 0644);

	return r < 0 ? fb_err_errno(r, "cannot copy '%s' to '%s'", src, dst) : 0;
}

/* vmlinux too, for a debugger (emulate --gdb): its symbols, and DWARF with [kernel] debug. */
static int collect_vmlinux(struct fb_kmake *m, const char *outdir)
{
	_cleanup_free_ char *from = fb_path_join(m->obj, "vmlinux");
	_cleanup_free_ char *to = fb_path_join(outdir, "vmlinux");

	if (!from || !to)
		return fb_err_errno(-ENOMEM, "cannot store the kernel");
	if (!strcmp(m->p->image, "vmlinux") || access(from, F_OK) < 0)
		return 0;
	return fb_kernel_copy_file(from, to);
}

/*
 * [kernel] debug: the gdb helpers (lx-dmesg, lx-symbols) beside vmlinux, as
 * Kbuild lays them out: vmlinux-gdb.py loads scripts/gdb/linux/ from its
 * directory.  Copied with their links resolved: the build tree changes.
 */
static int collect_gdb_scripts(struct fb_kmake *m, const char *outdir)
{
	_cleanup_free_ char *py = fb_path_join(m->obj, "vmlinux-gdb.py");
	_cleanup_free_ char *dir = fb_path_join(m->obj, "scripts/gdb");
	_cleanup_free_ char *to_scripts = fb_path_join(outdir, "scripts");

	if (!py || !dir || !to_scripts)
		return fb_err_errno(-ENOMEM, "cannot store the kernel");
	if (!m->p->debug)
		return 0;
	if (mkdir(to_scripts, 0755) < 0)
		return fb_err_errno(-errno, "cannot create '%s'", to_scripts);
	const char *argv[] = { "cp", "-L", py, outdir, NULL };
	const char *argv_dir[] = { "cp", "-RL", dir, to_scripts, NULL };
	int r = fb_spawn(argv_dir, NULL, "kernel: copying the gdb scripts");

	if (r >= 0)
		r = fb_spawn(argv, NULL, "kernel: copying vmlinux-gdb.py");
	return r;
}

/* The image, the final .config and the log into the artifact. */
static int collect(struct fb_kmake *m, const char *outdir)
{
	_cleanup_free_ char *img = image_path(m), *cfg = fb_path_join(m->obj, ".config");
	_cleanup_free_ char *to_img = fb_path_join(outdir, m->p->image);
	_cleanup_free_ char *to_cfg = fb_path_join(outdir, "config");
	_cleanup_free_ char *to_log = fb_path_join(outdir, "build.log");
	int r;

	if (!img || !cfg || !to_img || !to_cfg || !to_log)
		return fb_err_errno(-ENOMEM, "cannot store the kernel");
	if (fflush(m->log) == EOF)
		return fb_err_errno(-errno, "cannot write '%s'", m->log_path);
	r = fb_kernel_copy_file(img, to_img);
	if (r >= 0)
		r = fb_kernel_copy_file(cfg, to_cfg);
	if (r >= 0)
		r = collect_vmlinux(m, outdir);
	if (r >= 0)
		r = collect_gdb_scripts(m, outdir);
	if (r >= 0)
		r = fb_kernel_copy_file(m->log_path, to_log);
	return r;
}

/*
 * Kbuild reads KBUILD_BUILD_TIMESTAMP for the built-in initramfs (usr/) but
 * does not rebuild it when only the timestamp changed: in an O= tree shared
 * across builds, an older epoch would stay in the kernel.  Made anew each time.
 */
static int forget_stamped(struct fb_kmake *m)
{
	_cleanup_free_ char *cpio = fb_path_join(m->obj, "usr/initramfs_data.cpio");

	if (!cpio)
		return fb_err_errno(-ENOMEM, "cannot build the kernel");
	if (unlink(cpio) < 0 && errno != ENOENT)
		return fb_err_errno(-errno, "cannot remove '%s'", cpio);
	return 0;
}

int fb_kmake_open(struct fb_kmake *m, struct fb_kernel_plan *p, const char *log_name)
{
	int r;

	*m = (struct fb_kmake){
		.p = p,
		.lock_fd = -EBADF,
		.tty = isatty(STDOUT_FILENO) && fb_log_get_level() >= FB_LOG_INFO,
	};
	r = fb_kernel_cc_ready(&p->cc);
	if (r >= 0)
		r = source_dir(m);
	if (r >= 0)
		r = build_dir(m, log_name);
	if (r >= 0)
		r = make_args(m);
	return r;
}

char *fb_kmake_path(const struct fb_kmake *m, const char *name)
{
	return fb_path_join(m->obj, name);
}

int fb_kmake_configure(struct fb_kmake *m)
{
	_cleanup_free_ char *was = NULL, *edited = fb_kref_edited(m, &was);
	int r;

	r = configure(m);
	if (r >= 0)
		r = check_config(m);
	if (r >= 0)
		r = fb_kref_save(m);
	if (r >= 0 && edited)
		fb_kref_keep_unsaved(m, was, edited);
	return r;
}

int fb_kernel_make(void *plan, const char *outdir)
{
	_cleanup_(fb_kmake_close) struct fb_kmake m = { .lock_fd = -EBADF };
	struct fb_kernel_plan *p = plan;
	int r;

	r = fb_kmake_open(&m, p, "build.log");
	if (r >= 0)
		r = fb_kmake_configure(&m);
	if (r >= 0)
		r = forget_stamped(&m);
	if (r < 0)
		return r;
	fb_info("  kernel     compiling with %s (%s), %d jobs", p->cc.ops->name, p->cc.from,
		p->cc.jobs);
	r = fb_kmake_run(&m, p->image, true, "compiling");
	/* vmlinux-gdb.py and scripts/gdb/ are Kbuild's 'all', not the image's: asked for. */
	if (r == 0 && p->debug)
		r = fb_kmake_run(&m, "scripts_gdb", true, "gdb scripts");
	if (r < 0)
		return r;
	if (r > 0)
		return fb_err("kernel build failed; see %s", m.log_path);
	return collect(&m, outdir);
}
