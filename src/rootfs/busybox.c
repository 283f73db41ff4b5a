// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * recipe = busybox: a static busybox, one symlink per applet, busybox init
 * with an inittab that puts a getty on the serial console, and the few
 * /etc files login and the shell read.  No base archive: the whole tree is
 * made here.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/spawn.h"
#include "core/util.h"
#include "deb/sources.h"
#include "deb/deb.h"
#include "debs.h"
#include "hostprog.h"
#include "recipe.h"

#define HOST_BUSYBOX "/bin/busybox"
#define BUSYBOX_DEB  "busybox-static"

struct inittab_cmds {
	const char *mount, *hostname, *getty, *reboot, *umount, *share;
};

/*
 * emulate --share: the host's folder (virtio-9p tag "hostshare") at /mnt/host,
 * if a 9p device has that tag: a mount without one has the kernel complain
 * on the console ("9pnet_virtio: no channels available").
 */
#define SHARE_MOUNT(sh, bb)                                                                        \
	sh " -c '" bb "grep -qs hostshare /sys/bus/virtio/drivers/9pnet_virtio/*/mount_tag && " bb \
	   "mkdir -p /mnt/host && " bb                                                             \
	   "mount -t 9p -o trans=virtio,version=9p2000.L hostshare /mnt/host 2>/dev/null; true'"

char *fb_rootfs_inittab(const char *console, bool applet_links)
{
	static const struct inittab_cmds links = { "/bin/mount",  "/bin/hostname",
						   "/sbin/getty", "/sbin/reboot",
						   "/bin/umount", SHARE_MOUNT("/bin/sh", "") };
	static const struct inittab_cmds bare = {
		"/bin/busybox mount",  "/bin/busybox hostname",
		"/bin/busybox getty",  "/bin/busybox reboot",
		"/bin/busybox umount", SHARE_MOUNT("/bin/busybox sh", "/bin/busybox ")
	};
	const struct inittab_cmds *c = applet_links ? &links : &bare;
	char *s;

	if (asprintf(&s,
		     "# busybox init(8): written by flashbuild\n"
		     "::sysinit:%s -a\n"
		     "::sysinit:%s -F /etc/hostname\n"
		     "::sysinit:%s\n"
		     "%s::respawn:%s -L 115200 %s vt100\n"
		     "::ctrlaltdel:%s\n"
		     "::shutdown:%s -a -r\n",
		     c->mount, c->hostname, c->share, console, c->getty, console, c->reboot,
		     c->umount) < 0)
		return NULL;
	return s;
}

const char *fb_rootfs_fstab(void)
{
	return "# <file system> <mount point> <type> <options> <dump> <pass>\n"
	       "proc /proc proc nosuid,nodev,noexec 0 0\n"
	       "sysfs /sys sysfs nosuid,nodev,noexec 0 0\n"
	       "devtmpfs /dev devtmpfs nosuid,mode=0755 0 0\n"
	       "tmpfs /tmp tmpfs nosuid,nodev,mode=1777 0 0\n";
}

/* Whether the ELF program at FD asks for an interpreter (ld.so): 1 yes, 0 no, -errno. */
static int has_interp(int fd)
{
	unsigned char ident[EI_NIDENT];
	Elf64_Ehdr e64;
	Elf32_Ehdr e32;
	uint64_t off, num, size;

	if (pread(fd, ident, sizeof(ident), 0) != sizeof(ident) || memcmp(ident, ELFMAG, SELFMAG))
		return -ENOEXEC;
	if (ident[EI_CLASS] == ELFCLASS64 && pread(fd, &e64, sizeof(e64), 0) == sizeof(e64))
		off = e64.e_phoff, num = e64.e_phnum, size = e64.e_phentsize;
	else if (ident[EI_CLASS] == ELFCLASS32 && pread(fd, &e32, sizeof(e32), 0) == sizeof(e32))
		off = e32.e_phoff, num = e32.e_phnum, size = e32.e_phentsize;
	else
		return -ENOEXEC;
	/* p_type is the first 32-bit word of both program header layouts */
	for (uint64_t i = 0; i < num; i++) {
		uint32_t type;

		if (pread(fd, &type, sizeof(type), (off_t)(off + i * size)) != sizeof(type))
			return -ENOEXEC;
		if (type == PT_INTERP)
			return 1;
	}
	return 0;
}

/* A dynamically linked busybox (Debian's "busybox") would need a libc in the rootfs. */
static int check_static(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return fb_err_errno(-errno, "cannot read '%s' (install busybox-static)", path);
	r = has_interp(fd);
	if (r < 0)
		return fb_err_errno(r, "'%s' is not an ELF program", path);
	if (r > 0)
		return fb_err_errno(-ENOEXEC,
				    "'%s' is dynamically linked: install busybox-static, "
				    "not busybox",
				    path);
	return 0;
}

int fb_busybox_find(const struct fb_board *b, const struct fb_cache *c, char **ret_path)
{
	const struct fb_arch *arch = fb_arch_find(b->arch);
	_cleanup_(fb_deb_done) struct fb_deb d = { 0 };
	int r;

	if (!arch)
		return fb_err("%s: [board] arch '%s' is not one of x86_64, arm64, armhf", b->path,
			      b->arch ? b->arch : "(this machine's)");
	if (fb_arch_is_host(arch)) {
		r = check_static(HOST_BUSYBOX);
		if (r < 0)
			return r;
		*ret_path = strdup(HOST_BUSYBOX);
		return *ret_path ? 0 : fb_err_errno(-ENOMEM, "cannot find busybox");
	}
	/* another architecture's: Debian's busybox-static for it */
	r = fb_deb_parse_spec(BUSYBOX_DEB, strlen(BUSYBOX_DEB), arch->deb, &d);
	if (r < 0)
		return fb_err_errno(r, "cannot find busybox");
	r = fb_deb_resolve(c, &d, 1);
	if (r < 0)
		return r;
	if (!d.version)
		return fb_deb_unknown(b->path, 0, &d);
	r = fb_deb_file(c, &d, "bin/busybox", ret_path);
	if (r == -ENOENT)
		return fb_err("package '%s:%s' (%s) has no /bin/busybox", BUSYBOX_DEB, arch->deb,
			      d.version);
	return r;
}

struct applets {
	struct fb_tree *t;
	unsigned n;
	int r;
};

/* A line of busybox --list-full, "usr/bin/awk": a symlink to /bin/busybox there. */
static void applet_line(const char *line, size_t len _unused_, void *userdata)
{
	struct applets *a = userdata;

	if (a->r < 0 || !*line || line[0] == '/' || strchr(line, ' ') ||
	    !strcmp(line, "bin/busybox"))
		return;
	a->r = fb_tree_add_symlink(a->t, line, "/bin/busybox");
	a->n++;
}

/* One symlink per applet, where the host's busybox --list-full says (Debian's layout). */
static int add_applets(struct fb_tree *t)
{
	static const char *const argv[] = { HOST_BUSYBOX, "--list-full", NULL };
	struct applets a = { .t = t };
	struct fb_spawn_pipe_opts o = { .line = applet_line, .userdata = &a };
	int r;

	r = fb_spawn_pipe(argv, &o);
	if (r < 0)
		return r;
	if (a.r < 0)
		return a.r;
	if (r > 0 || a.n == 0)
		return fb_err_errno(-EIO, "'%s --list-full' failed (exit status %d)", HOST_BUSYBOX,
				    r);
	return 0;
}

static int add_dirs(struct fb_tree *t)
{
	static const struct {
		const char *path;
		mode_t mode;
	} dirs[] = {
		{ "bin", 0755 },     { "boot", 0755 },	  { "dev", 0755 },	{ "etc", 0755 },
		{ "home", 0755 },    { "mnt", 0755 },	  { "proc", 0555 },	{ "root", 0700 },
		{ "run", 0755 },     { "sbin", 0755 },	  { "sys", 0555 },	{ "tmp", 01777 },
		{ "usr", 0755 },     { "usr/bin", 0755 }, { "usr/sbin", 0755 }, { "var", 0755 },
		{ "var/log", 0755 },
	};
	int r;

	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		r = fb_tree_add_dir(t, dirs[i].path, dirs[i].mode, 0, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_etc(struct fb_rootfs_ctx *ctx, struct fb_tree *t)
{
	_cleanup_free_ char *inittab = fb_rootfs_inittab(ctx->console, true), *securetty = NULL;
	int r;

	if (!inittab || asprintf(&securetty, "console\n%s\n", ctx->console) < 0)
		return fb_err_errno(-ENOMEM, "cannot write /etc");
	r = fb_tree_add_file(t, "etc/inittab", 0644, inittab);
	if (r >= 0)
		r = fb_tree_add_file(t, "etc/fstab", 0644, fb_rootfs_fstab());
	if (r >= 0)
		r = fb_tree_add_file(
			t, "etc/profile", 0644,
			"# written by flashbuild\n"
			"export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
			"/sbin:/bin\n"
			"export PS1='\\u@\\h:\\w\\$ '\n");
	if (r >= 0)
		r = fb_tree_add_file(t, "etc/shells", 0644, "/bin/sh\n/bin/ash\n");
	/* glibc programs (host-programs) resolve "localhost" through it */
	if (r >= 0)
		r = fb_tree_add_file(t, "etc/hosts", 0644,
				     "127.0.0.1\tlocalhost\n::1\tlocalhost\n");
	/* busybox login lets root in only on the ttys listed here */
	if (r >= 0)
		r = fb_tree_add_file(t, "etc/securetty", 0644, securetty);
	if (r >= 0)
		r = fb_tree_add_file(t, "etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\n");
	if (r >= 0)
		r = fb_tree_add_file(t, "etc/group", 0644, "root:x:0:\n");
	/* root has no password: locked until the profile gives one */
	if (r >= 0)
		r = fb_tree_add_file(t, "etc/shadow", 0600, "root:*::0:99999:7:::\n");
	return r;
}

static int busybox_check(struct fb_rootfs_ctx *ctx)
{
	const char *file;
	unsigned line;
	int r;

	r = fb_busybox_find(ctx->board, ctx->env->cache, &ctx->busybox);
	if (r >= 0 && ctx->conf.debs)
		r = fb_rootfs_debs_prepare(ctx, ctx->conf.debs, &ctx->debs);
	if (r < 0 || !ctx->conf.host_programs)
		return r;
	if (!fb_arch_is_host(ctx->arch)) {
		fb_rootfs_where(ctx, "host-programs", &file, &line);
		return fb_err("%s:%u: host-programs: this machine's programs do not run on %s",
			      file, line, ctx->arch->name);
	}
	return fb_hostprog_resolve(ctx->conf.host_programs, &ctx->host_files);
}

static int busybox_hash(struct fb_rootfs_ctx *ctx, struct fb_hasher *h)
{
	int r;

	r = fb_hasher_stat(h, "busybox", ctx->busybox);
	/* the applet list comes from the host's busybox */
	if (r >= 0 && strcmp(ctx->busybox, HOST_BUSYBOX))
		r = fb_hasher_stat(h, "host-busybox", HOST_BUSYBOX);
	if (r >= 0)
		r = fb_hostprog_hash(&ctx->host_files, h);
	fb_rootfs_debs_hash(ctx->debs, h);
	return r;
}

static int busybox_populate(struct fb_rootfs_ctx *ctx, struct fb_tree *t)
{
	int r;

	r = add_dirs(t);
	if (r >= 0)
		r = fb_tree_add_copy(t, "bin/busybox", 0755, ctx->busybox);
	if (r >= 0)
		r = add_applets(t);
	if (r >= 0)
		r = add_etc(ctx, t);
	if (r >= 0)
		r = fb_hostprog_add(&ctx->host_files, t);
	if (r >= 0)
		r = fb_rootfs_debs_add(ctx->debs, t);
	return r;
}

const struct fb_rootfs_recipe fb_rootfs_busybox = {
	.name = "busybox",
	.check = busybox_check,
	.hash = busybox_hash,
	.populate = busybox_populate,
};
