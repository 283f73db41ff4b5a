// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console.h"
#include "core/log.h"
#include "core/util.h"
#include "qemu.h"

#define KVM_PROBE_SECONDS 6.0

extern char **environ;

/*
 * What emulate's debugging options add: a NIC only with --net (a firmware
 * would try to network-boot from one first, so none at all otherwise), its
 * port forwards and the gdbstub on the loopback address only, the shared
 * folder.  Nothing listens anywhere unless asked.
 */
static int args_debug(const struct fb_qemu_opts *o, struct fb_strv *a)
{
	_cleanup_free_ char *nic = NULL;
	size_t len = 0;
	FILE *f;

	if (!o->net) {
		fb_strv_push(a, "-nic");
		fb_strv_push(a, "none");
	} else {
		f = open_memstream(&nic, &len);
		if (!f)
			return -ENOMEM;
		fputs("user,id=net0", f);
		for (const char *const *fw = o->forwards; fw && *fw; fw++)
			fprintf(f, ",hostfwd=tcp:127.0.0.1:%.*s-:%s", (int)strcspn(*fw, ":"), *fw,
				strchr(*fw, ':') + 1);
		if (fclose(f) != 0)
			return -ENOMEM;
		fb_strv_push(a, "-netdev");
		fb_strv_push(a, nic);
		/* romfile=: no iPXE ROM, the firmware does not try to boot from the NIC. */
		fb_strv_push(a, "-device");
		fb_strv_push(a, "virtio-net-pci,netdev=net0,romfile=");
	}
	if (o->gdb_port) {
		fb_strv_push(a, "-gdb");
		fb_strv_pushf(a, "tcp:127.0.0.1:%u", o->gdb_port);
		if (o->gdb_wait)
			fb_strv_push(a, "-S");
	}
	if (o->share) {
		fb_strv_push(a, "-virtfs");
		fb_strv_pushf(a,
			      "local,path=%s,mount_tag=hostshare,security_model=none,id=hostshare",
			      o->share);
	}
	return 0;
}

static int args_common(const struct fb_qemu_opts *o, struct fb_strv *a)
{
	fb_strv_push(a, "-m");
	fb_strv_pushf(a, "%" PRIu64, o->memory_mib ? o->memory_mib : 256);
	fb_strv_push(a, "-accel");
	fb_strv_push(a, o->kvm ? "kvm" : o->tcg_single ? "tcg,thread=single" : "tcg");
	if (o->kvm)
		fb_strv_push(a, "-cpu"), fb_strv_push(a, "host");
	fb_strv_push(a, "-display");
	fb_strv_push(a, "none");
	fb_strv_push(a, "-no-reboot");
	if (args_debug(o, a) < 0)
		return -ENOMEM;
	fb_strv_push(a, "-serial");
	fb_strv_push(a, o->interactive ? "mon:stdio" : "stdio");
	if (!o->interactive)
		fb_strv_push(a, "-monitor"), fb_strv_push(a, "none");
	return 0;
}

/* UEFI: the code read-only, the variable store a private copy the guest may change. */
static void args_uefi(const struct fb_qemu_opts *o, struct fb_strv *a)
{
	if (!o->uefi_code)
		return;
	fb_strv_push(a, "-drive");
	fb_strv_pushf(a, "if=pflash,format=raw,unit=0,readonly=on,file=%s", o->uefi_code);
	fb_strv_push(a, "-drive");
	fb_strv_pushf(a, "if=pflash,format=raw,unit=1,file=%s", o->uefi_vars);
}

/*
 * QEMU's pc machine with the common arguments and, when asked, UEFI.  OVMF
 * with Secure Boot keeps its variables behind SMM, which takes q35 and the
 * flash in secure mode, or a guest could change the keys.
 */
static int args_x86_pc(const struct fb_qemu_opts *o, struct fb_strv *a)
{
	fb_strv_push(a, "-M");
	fb_strv_push(a, o->secure_boot ? "q35,smm=on" : "pc");
	if (o->secure_boot) {
		fb_strv_push(a, "-global");
		fb_strv_push(a, "driver=cfi.pflash01,property=secure,value=on");
	}
	if (args_common(o, a) < 0)
		return -ENOMEM;
	args_uefi(o, a);
	return 0;
}

/* x86_64, kernel and initramfs handed over by QEMU: the seed's minimal board. */
static int args_x86_kernel(const struct fb_qemu_opts *o, struct fb_strv *a)
{
	if (!o->kernel)
		return -EINVAL;
	if (args_x86_pc(o, a) < 0)
		return -ENOMEM;
	fb_strv_push(a, "-kernel");
	fb_strv_push(a, o->kernel);
	if (o->initrd)
		fb_strv_push(a, "-initrd"), fb_strv_push(a, o->initrd);
	fb_strv_push(a, "-append");
	fb_strv_push(a, o->cmdline ? o->cmdline : "console=ttyS0");
	return 0;
}

/*
 * x86_64 PC booting the image as a USB stick on an xHCI controller, with
 * SeaBIOS (QEMU's default firmware) or OVMF: the firmware, the boot code
 * and the image's bootloader do the work, as on a real PC.  The stick
 * appears late to the kernel: the initramfs waits for its root partition.
 */
static int args_x86_usb_stick(const struct fb_qemu_opts *o, struct fb_strv *a)
{
	if (!o->disk || (o->uefi_code && !o->uefi_vars))
		return -EINVAL;
	if (args_x86_pc(o, a) < 0)
		return -ENOMEM;
	fb_strv_push(a, "-drive");
	/* snapshot: unless asked, the guest's writes must not change the image that gets flashed. */
	fb_strv_pushf(a, "if=none,id=stick,format=raw,%sfile=%s",
		      o->disk_writable ? "" : "snapshot=on,", o->disk);
	fb_strv_push(a, "-device");
	fb_strv_push(a, "qemu-xhci");
	fb_strv_push(a, "-device");
	fb_strv_push(a, "usb-storage,drive=stick,bootindex=0");
	return 0;
}

/*
 * arm64 QEMU virt with EDK2 (Debian's AAVMF pflash images) booting the
 * image as a virtio disk: the firmware starts \EFI\BOOT\BOOTAA64.EFI from
 * the ESP.  No NIC unless asked (args_debug), so no network boot first;
 * the guest's poweroff (PSCI SYSTEM_OFF) ends QEMU.
 */
static int args_arm64_efi_virt(const struct fb_qemu_opts *o, struct fb_strv *a)
{
	if (!o->disk || !o->uefi_code || !o->uefi_vars)
		return -EINVAL;
	fb_strv_push(a, "-M");
	fb_strv_push(a, "virt");
	if (!o->kvm)
		fb_strv_push(a, "-cpu"), fb_strv_push(a, "cortex-a53");
	if (args_common(o, a) < 0)
		return -ENOMEM;
	args_uefi(o, a);
	fb_strv_push(a, "-drive");
	fb_strv_pushf(a, "if=none,id=disk,format=raw,%sfile=%s",
		      o->disk_writable ? "" : "snapshot=on,", o->disk);
	fb_strv_push(a, "-device");
	fb_strv_push(a, "virtio-blk-pci,drive=disk,bootindex=0");
	return 0;
}

/*
 * Allwinner H3 (orangepi-pc) booting the image as its SD card: the boot
 * ROM loads U-Boot's SPL from 8 KiB of the card, U-Boot's distro boot
 * finds /boot/extlinux/extlinux.conf.  The SoC has no PSCI system-off, so
 * the guest cannot end QEMU (emulate stops it), and its clock runs fast
 * (boot times are taken on the host's clock).  QEMU models the board with
 * 1 GiB of RAM and no other size, whatever [emulate] memory says.
 */
static int args_orangepi_pc(const struct fb_qemu_opts *o, struct fb_strv *a)
{
	struct fb_qemu_opts fixed = *o;

	if (!o->disk)
		return -EINVAL;
	fixed.memory_mib = 1024;
	fb_strv_push(a, "-M");
	fb_strv_push(a, "orangepi-pc");
	if (args_common(&fixed, a) < 0)
		return -ENOMEM;
	fb_strv_push(a, "-drive");
	fb_strv_pushf(a, "if=sd,format=raw,%sfile=%s", o->disk_writable ? "" : "snapshot=on,",
		      o->disk);
	return 0;
}

/*
 * Raspberry Pi 3 Model B booting the image as its SD card.  QEMU runs no
 * GPU firmware: emulate reads what it would from the card (rpi-boot.h) and
 * hands the kernel, the initramfs, the device tree and cmdline.txt over.
 * The console is the mini UART (ttyS1, QEMU's second serial port: the
 * first is the PL011, wired to Bluetooth on the board).  QEMU models the
 * board's 1 GiB and no other size, and four cores, which one TCG thread
 * runs faster and steadier on two host cores than four threads do (3.5 s
 * to the root against 6-16 s, measured).  The guest's poweroff ends QEMU
 * through the watchdog (bcm2835_wdt), as on the board.
 */
static int args_raspi3b(const struct fb_qemu_opts *o, struct fb_strv *a)
{
	struct fb_qemu_opts fixed = *o;

	if (!o->disk || !o->kernel || !o->dtb)
		return -EINVAL;
	fixed.memory_mib = 1024;
	fixed.tcg_single = true;
	fb_strv_push(a, "-M");
	fb_strv_push(a, "raspi3b");
	fb_strv_push(a, "-serial");
	fb_strv_push(a, "null");
	if (args_common(&fixed, a) < 0)
		return -ENOMEM;
	fb_strv_push(a, "-kernel");
	fb_strv_push(a, o->kernel);
	fb_strv_push(a, "-dtb");
	fb_strv_push(a, o->dtb);
	if (o->initrd)
		fb_strv_push(a, "-initrd"), fb_strv_push(a, o->initrd);
	fb_strv_push(a, "-append");
	fb_strv_push(a, o->cmdline ?: "");
	fb_strv_push(a, "-drive");
	fb_strv_pushf(a, "if=sd,format=raw,%sfile=%s", o->disk_writable ? "" : "snapshot=on,",
		      o->disk);
	return 0;
}

static const struct fb_machine machines[] = {
	{
		.name = "qemu-x86",
		.binary = "qemu-system-x86_64",
		.arch = "x86_64",
		.kvm_capable = true,
		.args = args_x86_kernel,
	},
	{
		.name = "x86-usb-stick",
		.binary = "qemu-system-x86_64",
		.arch = "x86_64",
		.kvm_capable = true,
		.boots_disk = true,
		.uefi_code = "/usr/share/OVMF/OVMF_CODE_4M.fd",
		.uefi_vars = "/usr/share/OVMF/OVMF_VARS_4M.fd",
		.uefi_secure_code = "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd",
		.uefi_secure_vars = "/usr/share/OVMF/OVMF_VARS_4M.ms.fd",
		.args = args_x86_usb_stick,
		.probe_args = args_x86_kernel,
	},
	{
		.name = "arm64-efi-virt",
		.binary = "qemu-system-aarch64",
		.arch = "arm64",
		.boots_disk = true,
		.uefi_code = "/usr/share/AAVMF/AAVMF_CODE.fd",
		.uefi_vars = "/usr/share/AAVMF/AAVMF_VARS.fd",
		.uefi_only = true,
		.args = args_arm64_efi_virt,
	},
	{
		.name = "orangepi-pc",
		.binary = "qemu-system-arm",
		.arch = "armhf",
		.boots_disk = true,
		.disk_pow2 = true,
		.no_pci = true,
		.args = args_orangepi_pc,
	},
	{
		.name = "raspi3b",
		.binary = "qemu-system-aarch64",
		.arch = "arm64",
		.boots_disk = true,
		.disk_pow2 = true,
		.no_pci = true,
		.rpi_firmware = true,
		.args = args_raspi3b,
	},
};

const struct fb_machine *fb_machine_find(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(machines); i++)
		if (!strcmp(machines[i].name, name))
			return &machines[i];
	return NULL;
}

const char *fb_machine_names(void)
{
	return "qemu-x86, x86-usb-stick, arm64-efi-virt, orangepi-pc, raspi3b";
}

/* A value inside one of QEMU's "key=value,..." options: its commas doubled. */
static char *qemu_escape(const char *s)
{
	char *e = malloc(2 * strlen(s) + 1), *p = e;

	if (!e)
		return NULL;
	for (; *s; s++) {
		*p++ = *s;
		if (*s == ',')
			*p++ = ',';
	}
	*p = '\0';
	return e;
}

int fb_qemu_argv(const struct fb_machine *m, const struct fb_qemu_opts *o, struct fb_strv *ret)
{
	/* the paths that go into -drive and -virtfs values (not -kernel's own arguments) */
	_cleanup_free_ char *disk = o->disk ? qemu_escape(o->disk) : NULL;
	_cleanup_free_ char *code = o->uefi_code ? qemu_escape(o->uefi_code) : NULL;
	_cleanup_free_ char *vars = o->uefi_vars ? qemu_escape(o->uefi_vars) : NULL;
	_cleanup_free_ char *share = o->share ? qemu_escape(o->share) : NULL;
	struct fb_qemu_opts e = *o;
	struct fb_strv a = { 0 };
	int r;

	if (!!disk != !!o->disk || !!code != !!o->uefi_code || !!vars != !!o->uefi_vars ||
	    !!share != !!o->share)
		return -ENOMEM;
	e.disk = disk;
	e.uefi_code = code;
	e.uefi_vars = vars;
	e.share = share;
	fb_strv_push(&a, m->binary);
	r = m->args(&e, &a);
	/* strv errors are sticky: a NULL-less or short vector means ENOMEM. */
	if (r >= 0 && (!a.v || a.v[a.n] != NULL))
		r = -ENOMEM;
	if (r < 0) {
		fb_strv_free(&a);
		return r;
	}
	*ret = a;
	return 0;
}

int fb_qemu_start(const struct fb_strv *argv, bool in_tty, int err_fd, pid_t *ret_pid, int *ret_in,
		  int *ret_out)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	int r;

	if ((!in_tty && pipe2(in, O_CLOEXEC) < 0) || pipe2(out, O_CLOEXEC) < 0) {
		r = -errno;
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	if (!in_tty)
		posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	if (err_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	r = -posix_spawnp(ret_pid, argv->v[0], &fa, NULL, argv->v, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r < 0)
		goto fail;
	if (!in_tty)
		close(in[0]);
	close(out[1]);
	*ret_in = in[1];
	*ret_out = out[0];
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	return fb_err_errno(r, "cannot start '%s'", argv->v[0]);
}

int fb_qemu_stop(pid_t pid)
{
	int status = 0;

	if (pid <= 0)
		return 0;
	if (waitpid(pid, &status, WNOHANG) == pid)
		return status;
	kill(pid, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		usleep(20000);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* The probe's verdict for this host boot and this QEMU binary, kept in the cache. */
static char *kvm_verdict_path(const struct fb_machine *m, const struct fb_qemu_opts *o,
			      const struct fb_cache *cache)
{
	_cleanup_(fb_hasher_freep) struct fb_hasher *h = fb_hasher_new("kvm-probe");
	char key[FB_KEY_LEN + 1], boot_id[64] = "";
	_cleanup_fclose_ FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	_cleanup_free_ char *qemu = NULL;
	char *path = NULL;

	if (!h || !f || !fgets(boot_id, sizeof(boot_id), f))
		return NULL;
	fb_hasher_str(h, "boot-id", boot_id);
	fb_hasher_str(h, "qemu", m->binary);
	fb_hasher_str(h, "firmware", o->uefi_code);
	/* The binary's file (size, mtime) stands for its version. */
	qemu = fb_path_join("/usr/bin", m->binary);
	if (!qemu || access(qemu, X_OK) < 0 || fb_hasher_stat(h, "binary", qemu) < 0)
		fb_hasher_str(h, "binary", NULL);
	if (fb_hasher_final(h, key) < 0 || asprintf(&path, "%s/kvm-probe/%s", cache->dir, key) < 0)
		return NULL;
	return path;
}

static bool kvm_boot_test(const struct fb_machine *m, const struct fb_qemu_opts *o)
{
	static const char *const pats[] = { "Linux version", NULL };
	struct fb_qemu_opts p = *o;
	struct fb_machine probe = *m;
	struct fb_strv argv = { 0 };
	_cleanup_close_ int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct fb_console con;
	pid_t pid = 0;
	int in = -1, out = -1, r;

	p.kvm = true;
	p.interactive = false;
	p.cmdline = "console=ttyS0 panic=-1";
	p.disk_writable = false;
	/* The probe listens nowhere and waits for no debugger. */
	p.gdb_port = 0;
	p.net = false;
	p.share = NULL;
	if (m->probe_args)
		probe.args = m->probe_args;
	if (fb_qemu_argv(&probe, &p, &argv) < 0)
		return false;
	/* QEMU's complaints about KVM are the expected failure: keep them quiet. */
	r = fb_qemu_start(&argv, false, devnull, &pid, &in, &out);
	fb_strv_free(&argv);
	if (r < 0)
		return false;
	fb_console_init(&con, out, in, -1);
	r = fb_console_expect(&con, pats, fb_now() + KVM_PROBE_SECONDS, NULL);
	fb_console_done(&con);
	fb_qemu_stop(pid);
	close(in);
	close(out);
	return r == 0;
}

bool fb_kvm_probe(const struct fb_machine *m, const struct fb_qemu_opts *o,
		  const struct fb_cache *cache)
{
	_cleanup_free_ char *path = kvm_verdict_path(m, o, cache);
	_cleanup_close_ int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	char verdict[8] = "";
	bool ok;
	FILE *f;

	if (!m->kvm_capable || fd < 0) {
		fb_info("emulate: no usable /dev/kvm, using TCG (software emulation)");
		return false;
	}
	f = path ? fopen(path, "re") : NULL;
	if (f && fgets(verdict, sizeof(verdict), f)) {
		fclose(f);
		ok = !strcmp(verdict, "kvm\n");
	} else {
		if (f)
			fclose(f);
		ok = kvm_boot_test(m, o);
		if (path) {
			_cleanup_free_ char *dir = NULL;

			if (asprintf(&dir, "%s/kvm-probe", cache->dir) >= 0)
				mkdir(dir, 0755);
			f = fopen(path, "we");
			if (f) {
				fputs(ok ? "kvm\n" : "tcg\n", f);
				fclose(f);
			}
		}
	}
	if (ok)
		fb_info("emulate: KVM works here (probe booted a guest), using it");
	else
		fb_info("emulate: KVM probe failed (no guest output within %.0f s), using TCG",
			KVM_PROBE_SECONDS);
	return ok;
}
