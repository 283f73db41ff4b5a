// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The boot and the conversation.  Boot time is taken on the host clock,
 * from QEMU's start to the guest's "Boot took" line, which the initramfs'
 * /init prints; the guest's own figure is shown beside it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/users.h"
#include "console.h"
#include "core/log.h"
#include "core/util.h"
#include "device/guard.h"
#include "device/udev.h"
#include "emulate.h"
#include "firmware.h"
#include "qemu.h"
#include "rpi-boot.h"

#define RUN_TIMEOUT_DEFAULT 300.0

struct emulate_conf {
	char *machine;
	uint64_t memory;
	char *login; /* "user:password"; default: the first of [rootfs] users */
	char *firmware;
	char *uefi_vars; /* the UEFI variable store to start from, instead of the machine's */
};

static const struct fb_key emulate_keys[] = {
	{ "machine", FB_KEY_STRING, offsetof(struct emulate_conf, machine) },
	{ "memory", FB_KEY_SIZE, offsetof(struct emulate_conf, memory) },
	{ "login", FB_KEY_STRING, offsetof(struct emulate_conf, login) },
	{ "firmware", FB_KEY_STRING, offsetof(struct emulate_conf, firmware) },
	{ "uefi-vars", FB_KEY_STRING, offsetof(struct emulate_conf, uefi_vars) },
	{ NULL, 0, 0 },
};

/* A running guest and what we learnt of it. */
struct guest {
	pid_t pid;
	int in, out;
	int err; /* QEMU's stderr, shown only when the run fails; -1: the terminal */
	double t0;
	struct fb_console con;
};

/* The first of [rootfs] users, read by the rootfs stage's own parser, as "user:password". */
static int default_login(const struct fb_kv *users, char **ret)
{
	struct fb_users u = { 0 };
	_cleanup_free_ char *bad = NULL;
	const char *why = NULL;
	int r;

	r = fb_users_parse(users->value, &u, &bad, &why);
	if (r == -EINVAL)
		return fb_err("%s:%u: user '%s' %s", users->file, users->line, bad ? bad : "",
			      why ? why : "is not valid");
	if (r < 0)
		return fb_err_errno(r, "cannot read the users of '%s'", users->file);
	if (u.n > 0 && asprintf(ret, "%s:%s", u.v[0].name, u.v[0].password) < 0) {
		*ret = NULL;
		r = fb_err_errno(-ENOMEM, "cannot read the users of '%s'", users->file);
	}
	fb_users_free(&u);
	return r < 0 ? r : 0;
}

static int conf_load(const struct fb_board *board, struct emulate_conf *c)
{
	const struct fb_section *s = fb_board_section(board, "emulate", NULL);
	const struct fb_section *rs = fb_board_section(board, "rootfs", NULL);
	const struct fb_kv *users;
	int r;

	if (!s)
		return fb_err("%s: no [emulate] section: this board is not emulated", board->path);
	r = fb_keys_apply(emulate_keys, c, s->kvs, s->n_kvs, "emulate");
	if (r < 0)
		return r;
	if (!c->machine)
		return fb_err("%s:%u: [emulate] has no 'machine' (one of %s)", s->file, s->line,
			      fb_machine_names());
	users = rs ? fb_section_get(rs, "users") : NULL;
	if (!c->login && users)
		return default_login(users, &c->login);
	return 0;
}

/*
 * What the console says when the boot has failed, with what to tell: the
 * kernel's panic; UEFI firmware that would not start the boot program
 * (OVMF: "Access Denied" is Secure Boot refusing its signature); shim
 * refusing GRUB; GRUB refusing the kernel shim would not vouch for.
 */
static const struct {
	const char *pat, *what;
} boot_failures[] = {
	{ "Kernel panic", "the guest's kernel panicked:" },
	{ "BdsDxe: failed to load ", "the firmware would not start the image's boot program: " },
	{ "Verification failed: ", "shim refused the next boot program's signature: " },
	{ "error: bad shim signature", "GRUB refused the kernel, which shim did not verify" },
	{ "EFI stub: ERROR: ", "the kernel's EFI stub failed: " },
	{ "error: you need to load the kernel first", "GRUB could not load the kernel" },
};

static int boot_failed(struct guest *g, size_t i)
{
	static const char *const eol[] = { "\n", NULL };
	_cleanup_free_ char *rest = NULL;

	fb_console_expect(&g->con, eol, fb_now() + 2, &rest);
	if (rest)
		rest[strcspn(rest, "\r")] = '\0';
	return fb_err_code(-EIO, "%s%s", boot_failures[i].what, rest ? rest : "");
}

/* "Boot took N seconds" -> prints the host's and the guest's figures. */
static int wait_boot(struct guest *g, double deadline)
{
	static const char *const eol[] = { "\n", NULL };
	const char *boot[ELEMENTSOF(boot_failures) + 2] = { "Boot took " };
	_cleanup_free_ char *guest_secs = NULL;
	int r;

	for (size_t i = 0; i < ELEMENTSOF(boot_failures); i++)
		boot[i + 1] = boot_failures[i].pat;
	r = fb_console_expect(&g->con, boot, deadline, NULL);
	if (r > 0)
		return boot_failed(g, (size_t)r - 1);
	if (r < 0)
		return fb_err_errno(r, "no 'Boot took' line from the guest");
	r = fb_console_expect(&g->con, eol, deadline, &guest_secs);
	if (r < 0)
		return fb_err_errno(r, "no 'Boot took' line from the guest");
	guest_secs[strcspn(guest_secs, "\r")] = '\0';
	fb_info("boot: %.1f s (guest: %s)", fb_now() - g->t0, guest_secs);
	return 0;
}

static int login(struct guest *g, const char *user_pass, double deadline)
{
	static const char *const login_p[] = { "login: ", NULL };
	static const char *const pass_p[] = { "assword: ", NULL };
	static const char *const ready_p[] = { "__FB_READY__", "Login incorrect", NULL };
	_cleanup_free_ char *user = strndup(user_pass, strcspn(user_pass, ":"));
	const char *pass = strchr(user_pass, ':');
	int r;

	if (!user)
		return -ENOMEM;
	r = fb_console_expect(&g->con, login_p, deadline, NULL);
	if (r < 0)
		return fb_err_errno(r, "no login prompt on the serial console");
	fb_info("login prompt: %.1f s", fb_now() - g->t0);
	fb_console_send(&g->con, user);
	fb_console_send(&g->con, "\n");
	r = fb_console_expect(&g->con, pass_p, deadline, NULL);
	if (r < 0)
		return fb_err_errno(r, "no password prompt after logging in as '%s'", user);
	fb_console_send(&g->con, pass ? pass + 1 : "");
	fb_console_send(&g->con, "\n");
	/*
	 * Until the shell prints the marker: some login programs flush what
	 * was typed while they checked the password.  Split so that the echo
	 * of what we type does not match.
	 */
	do {
		fb_console_send(&g->con, "echo __FB_RE''ADY__\n");
		r = fb_console_expect(&g->con, ready_p, fmin(deadline, fb_now() + 3), NULL);
	} while (r == -ETIMEDOUT && fb_now() < deadline);
	if (r == 1)
		return fb_err("cannot log in as '%s': login incorrect", user);
	if (r < 0)
		return fb_err_errno(r, "no shell after logging in as '%s'", user);
	return 0;
}

/* The command goes over base64: no quoting of the user's text can break it. */
static int send_command(struct guest *g, const char *cmd)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(cmd), k = 0;
	_cleanup_free_ char *enc = malloc(4 * (n / 3 + 1) + 1);

	if (!enc)
		return -ENOMEM;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)cmd[i] << 16;

		v |= i + 1 < n ? (unsigned char)cmd[i + 1] << 8 : 0;
		v |= i + 2 < n ? (unsigned char)cmd[i + 2] : 0;
		enc[k++] = b64[v >> 18 & 63];
		enc[k++] = b64[v >> 12 & 63];
		enc[k++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		enc[k++] = i + 2 < n ? b64[v & 63] : '=';
	}
	enc[k] = '\0';
	fb_console_send(&g->con, "echo ");
	fb_console_send(&g->con, enc);
	return fb_console_send(&g->con,
			       " | base64 -d > /tmp/.fb-run; printf '\\n__FB_BE''GIN__\\n'; "
			       "sh /tmp/.fb-run; s=$?; sync; printf '\\n__FB_E''ND__:%s\\n' $s\n");
}

/*
 * The command's output, with the tty's \r\n turned back into \n: what lies
 * between the newline after the BEGIN marker and the newline that the END
 * marker's printf puts first.
 */
static void print_output(const char *text)
{
	size_t n = strlen(text);

	if (!strncmp(text, "\r\n", 2))
		text += 2, n -= 2;
	else if (text[0] == '\n')
		text++, n--;
	if (n >= 2 && !strcmp(text + n - 2, "\r\n"))
		n -= 2;
	/* What is left ends with the command's own newline, if it printed one. */
	for (size_t i = 0; i < n; i++)
		if (!(text[i] == '\r' && i + 1 < n && text[i + 1] == '\n'))
			putchar(text[i]);
	fflush(stdout);
}

static int run_command(struct guest *g, const char *cmd, double deadline)
{
	static const char *const begin_p[] = { "__FB_BEGIN__", NULL };
	static const char *const end_p[] = { "__FB_END__:", NULL };
	static const char *const eol_p[] = { "\n", NULL };
	_cleanup_free_ char *out = NULL, *status = NULL;
	int r;

	r = send_command(g, cmd);
	if (r >= 0)
		r = fb_console_expect(&g->con, begin_p, deadline, NULL);
	if (r >= 0)
		r = fb_console_expect(&g->con, end_p, deadline, &out);
	if (r >= 0)
		r = fb_console_expect(&g->con, eol_p, deadline, &status);
	if (r < 0)
		return fb_err_errno(r, "the guest did not finish '%s'", cmd);
	print_output(out);
	return atoi(status);
}

static int guest_start(struct guest *g, const struct fb_machine *m, const struct fb_qemu_opts *qo)
{
	struct fb_strv argv = { 0 };
	int r;

	r = fb_qemu_argv(m, qo, &argv);
	if (r < 0)
		return fb_err_errno(r, "cannot make the QEMU command line");
	if (fb_log_get_level() >= FB_LOG_DEBUG)
		for (size_t i = 0; i < argv.n; i++)
			fprintf(stderr, "%s%s", argv.v[i], i + 1 < argv.n ? " " : "\n");
	if (!qo->interactive)
		g->err = memfd_create("qemu-stderr", MFD_CLOEXEC);
	g->t0 = fb_now();
	r = fb_qemu_start(&argv, qo->interactive, g->err, &g->pid, &g->in, &g->out);
	fb_strv_free(&argv);
	return r;
}

/* What QEMU said on stderr, for a run that failed ("terminating on signal" is ours). */
static void guest_show_stderr(struct guest *g)
{
	char buf[4096];
	ssize_t n;

	if (g->err < 0)
		return;
	n = pread(g->err, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (!strstr(line, "terminating on signal"))
			fprintf(stderr, "qemu: %s\n", line);
}

static void guest_stop(struct guest *g, bool failed)
{
	fb_qemu_stop(g->pid);
	if (failed)
		guest_show_stderr(g);
	if (g->err >= 0)
		close(g->err);
	fb_console_done(&g->con);
	if (g->in >= 0)
		close(g->in);
	if (g->out >= 0)
		close(g->out);
}

/* Interactive: QEMU owns the terminal's input; we relay its output and note the boot time. */
static int interactive(struct guest *g)
{
	static const char *const never[] = { "\001never\001", NULL };
	int r;

	fb_console_init(&g->con, g->out, -1, STDOUT_FILENO);
	r = wait_boot(g, 1e12);
	if (r == -EPIPE || r >= 0)
		r = fb_console_expect(&g->con, never, 1e12, NULL);
	return r == -EPIPE ? 0 : r;
}

static int scripted(struct guest *g, const char *cmd, const char *login_as, double timeout)
{
	double deadline = g->t0 + timeout;
	int r;

	/* With -v the whole console shows on stderr. */
	fb_console_init(&g->con, g->out, g->in,
			fb_log_get_level() >= FB_LOG_DEBUG ? STDERR_FILENO : -1);
	r = wait_boot(g, deadline);
	if (r >= 0)
		r = login(g, login_as, deadline);
	if (r >= 0)
		r = run_command(g, cmd, deadline);
	if (r == -ETIMEDOUT)
		fb_err("emulate: timed out after %.0f s", timeout);
	return r;
}

/*
 * --disk PATH: an image file, or a disk (a stick the image was flashed to)
 * that the guest will write to: the flash guard's refusals apply, but a
 * fixed disk is fine.  -EPERM when refused.
 */
static int disk_check(const char *path)
{
	const struct fb_guard_opts go = { .allow_fixed = true, .to_file = true };
	struct fb_dev_facts f = { 0 };
	enum fb_refusal why;
	int r;

	if (access(path, R_OK | W_OK) < 0)
		return fb_err_errno(-errno, "emulate: cannot open '%s' for reading and writing",
				    path);
	r = fb_udev_facts_for_path(path, &f);
	if (r < 0)
		return r;
	why = fb_guard_decide(&f, &go);
	if (why != FB_REFUSE_NONE)
		r = fb_guard_refuse(&f, &go, why);
	fb_dev_facts_done(&f);
	return r;
}

/* WORD is one of the words of the command line S. */
static bool has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (s += strspn(s, " "); *s; s += strcspn(s, " "), s += strspn(s, " "))
		if (!strncmp(s, word, n) && (s[n] == ' ' || !s[n]))
			return true;
	return false;
}

/*
 * The -kernel command line with what the options need: nokaslr so that
 * breakpoints hit (--gdb; a debug kernel has it already, and x86's kernel
 * proper does not know it and hands each copy to init as an argument),
 * ip=dhcp so the kernel configures the NIC (--net).  Disk boots take theirs
 * from the bootloader (a Pi's: from cmdline.txt, rpi-boot.h).
 */
static char *kernel_cmdline(const char *base, const struct fb_emulate_opts *o)
{
	char *s = NULL;

	if (asprintf(&s, "%s%s%s", base,
		     o->gdb_port && !has_word(base, "nokaslr") ? " nokaslr" : "",
		     o->net ? " ip=dhcp" : "") < 0)
		return NULL;
	return s;
}

/* One line a user can paste: gdb with the kernel's symbols, attached to QEMU's stub. */
static void gdb_hint(const struct fb_build *b, const struct fb_emulate_opts *o)
{
	_cleanup_free_ char *vmlinux =
		b->kernel.art.dir ? fb_artifact_file(&b->kernel.art, "vmlinux") : NULL;
	_cleanup_free_ char *py =
		b->kernel.art.dir ? fb_artifact_file(&b->kernel.art, "vmlinux-gdb.py") : NULL;

	if (!vmlinux || access(vmlinux, R_OK) < 0) {
		fb_warn("emulate: the kernel has no vmlinux: gdb will have no symbols");
		free(vmlinux);
		vmlinux = NULL;
	}
	fb_info("gdb: %s on 127.0.0.1:%u; attach with:",
		o->gdb_nowait ? "listening" : "halted, waiting", o->gdb_port);
	if (py && access(py, R_OK) == 0)
		fb_info("  gdb -iex 'add-auto-load-safe-path %s' %s -ex 'target remote "
			"127.0.0.1:%u'",
			b->kernel.art.dir, vmlinux, o->gdb_port);
	else
		fb_info("  gdb %s -ex 'target remote 127.0.0.1:%u'", vmlinux ?: "", o->gdb_port);
}

/* --share DIR: a directory, by its absolute path (QEMU runs elsewhere than -C). */
static int share_check(const char *dir, char **ret)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return fb_err_errno(-errno, "emulate: --share: cannot use '%s'", dir);
	if (!S_ISDIR(st.st_mode))
		return fb_err("emulate: --share: '%s' is not a directory", dir);
	*ret = realpath(dir, NULL);
	return *ret ? 0 : fb_err_errno(-errno, "emulate: --share: cannot use '%s'", dir);
}

/* QEMU's SD card model takes only 2^N bytes; a file of another size is refused here. */
static int disk_size_check(const struct fb_machine *m, const char *disk)
{
	struct stat st;

	if (!m->disk_pow2)
		return 0;
	if (stat(disk, &st) < 0)
		return fb_err_errno(-errno, "emulate: cannot use '%s'", disk);
	if (S_ISREG(st.st_mode) && (st.st_size == 0 || (st.st_size & (st.st_size - 1))))
		return fb_err("emulate: '%s' is %lld bytes; machine '%s' takes it as an SD card, "
			      "which must be a power of two ([image] power-of-two = yes)",
			      disk, (long long)st.st_size, m->name);
	return 0;
}

/* The machine, the firmware and the disk the options and [emulate] ask for. */
static int setup(const struct fb_build *b, const struct fb_emulate_opts *o,
		 const struct emulate_conf *c, const struct fb_machine **ret_m,
		 struct fb_firmware *fw)
{
	const struct fb_machine *m = fb_machine_find(c->machine);
	enum fb_firmware_kind fwk;
	int r;

	if (!m)
		return fb_err("%s: unknown emulate machine '%s' (one of %s)", b->board->path,
			      c->machine, fb_machine_names());
	if (m->boots_disk ? !b->image && !o->disk : !b->kernel.image)
		return fb_err("%s: emulate machine '%s' boots %s, but the board has no %s",
			      b->board->path, m->name, m->boots_disk ? "the image" : "a kernel",
			      m->boots_disk ? "[image]" : "[kernel]");
	if (o->disk && !m->boots_disk)
		return fb_err("emulate: --disk: machine '%s' boots the kernel, not a disk",
			      m->name);
	if (fb_firmware_parse(o->firmware ?: c->firmware, &fwk) < 0)
		return fb_err("%s: unknown firmware '%s' (bios, uefi or uefi-secure)",
			      o->firmware ? "emulate: --firmware" : b->board->path,
			      o->firmware ?: c->firmware);
	if (m->uefi_only && !o->firmware && !c->firmware)
		fwk = FB_FIRMWARE_UEFI;
	if (m->uefi_only && fwk == FB_FIRMWARE_BIOS)
		return fb_err("%s: emulate machine '%s' boots through UEFI only, not '%s'",
			      o->firmware ? "emulate: --firmware" : b->board->path, m->name,
			      o->firmware ?: c->firmware);
	if (m->no_pci && (o->net || o->share))
		return fb_err("emulate: %s: machine '%s' has no PCI bus for its virtio device",
			      o->net ? "--net" : "--share", m->name);
	if (o->run && !o->login && !c->login)
		return fb_err("%s: --run needs a user: --login, [emulate] login or [rootfs] users",
			      b->board->path);
	if (o->disk && (r = disk_check(o->disk)) < 0)
		return r;
	if (m->boots_disk && (r = disk_size_check(m, o->disk ?: b->image)) < 0)
		return r;
	if (fwk == FB_FIRMWARE_BIOS && o->uefi_vars)
		return fb_err("emulate: --uefi-vars: the firmware is bios, not UEFI");
	*ret_m = m;
	return fb_firmware_prepare(m, fwk, o->uefi_vars ?: c->uefi_vars, fw);
}

/* A Raspberry Pi: the GPU firmware's step, which QEMU cannot run, done here. */
static int rpi_step(const struct fb_machine *m, const char *disk, struct fb_rpi_boot *rb)
{
	if (!m || !m->rpi_firmware)
		return 0;
	fb_info("emulate: QEMU runs no Raspberry Pi GPU firmware: its step is emulated "
		"(config.txt, "
		"cmdline.txt and the files they name, read from the card's FAT as a Pi 3 B's "
		"would)");
	return fb_rpi_boot_prepare(disk, rb);
}

int fb_emulate(const struct fb_build *b, const struct fb_emulate_opts *o)
{
	struct emulate_conf c = { 0 };
	struct guest g = { .in = -1, .out = -1, .err = -1 };
	struct fb_firmware fw = { 0 };
	struct fb_rpi_boot rb = { 0 };
	const struct fb_machine *m = NULL;
	_cleanup_free_ char *cmdline = NULL, *share = NULL;
	int r;

	r = conf_load(b->board, &c);
	if (r >= 0)
		r = setup(b, o, &c, &m, &fw);
	if (r >= 0)
		r = rpi_step(m, o->disk ?: b->image, &rb);
	if (r >= 0 && o->share)
		r = share_check(o->share, &share);
	if (r >= 0 &&
	    !(cmdline = kernel_cmdline(rb.cmdline ?: b->kernel.cmdline ?: "console=ttyS0", o)))
		r = fb_err_errno(-ENOMEM, "emulate: cannot start");
	if (r < 0)
		goto out;
	struct fb_qemu_opts qo = {
		.kernel = rb.kernel ?: b->kernel.image,
		.initrd = rb.kernel ? rb.initrd : b->initramfs.image,
		.dtb = rb.dtb,
		.cmdline = cmdline,
		.disk = o->disk ?: b->image,
		.disk_writable = o->disk != NULL,
		.uefi_code = fw.code,
		.uefi_vars = fw.vars,
		.secure_boot = fw.secure,
		.memory_mib = c.memory ? c.memory / FB_MiB : 256,
		.gdb_port = o->gdb_port,
		.gdb_wait = o->gdb_port && !o->gdb_nowait,
		.net = o->net,
		.forwards = o->forwards,
		.share = share,
		.interactive = !o->run,
	};
	if (o->force_accel)
		qo.kvm = !strcmp(o->force_accel, "kvm");
	else
		qo.kvm = fb_kvm_probe(m, &qo, &b->cache);
	if (o->gdb_port)
		gdb_hint(b, o);
	r = guest_start(&g, m, &qo);
	if (r >= 0)
		r = o->run ? scripted(&g, o->run, o->login ?: c.login,
				      o->timeout > 0 ? o->timeout : RUN_TIMEOUT_DEFAULT)
			   : interactive(&g);
	guest_stop(&g, r < 0);
out:
	fb_rpi_boot_done(&rb);
	fb_firmware_done(&fw);
	fb_keys_free(emulate_keys, &c);
	return r;
}

int fb_emulate_check(const struct fb_board *b)
{
	return fb_board_check_keys(b, "emulate", emulate_keys, sizeof(struct emulate_conf),
				   "emulate");
}
