/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU machines, one per kind of board: which binary, which machine, how
 * the kernel or the disk attaches, where the console is.  And the KVM
 * probe: /dev/kvm may open and still not run a guest, so only a guest that
 * prints its first line under KVM proves it.
 */
#ifndef FB_QEMU_H
#define FB_QEMU_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/cache.h"
#include "core/strv.h"

struct fb_qemu_opts {
	const char *kernel, *initrd, *cmdline; /* -kernel boots */
	const char *dtb;		       /* -dtb: the device tree, or NULL */
	const char *disk;		       /* disk boots: the image (out/NAME.img) */
	bool disk_writable;		       /* the guest's writes reach DISK */
	const char *uefi_code, *uefi_vars;     /* UEFI instead of the default firmware */
	bool secure_boot;		       /* UEFI_CODE enforces Secure Boot: SMM on */
	uint64_t memory_mib;
	unsigned gdb_port;	     /* QEMU's gdbstub on 127.0.0.1:PORT; 0: none */
	bool gdb_wait;		     /* halted at the first instruction until gdb continues */
	bool net;		     /* user-mode network (else no NIC at all) */
	const char *const *forwards; /* "HOST:GUEST" TCP ports, NULL-terminated, with NET */
	const char *share;	     /* a host directory over virtio-9p, tag "hostshare" */
	bool kvm;
	bool tcg_single;  /* one TCG thread for all vCPUs (set by the machine's args) */
	bool interactive; /* serial and monitor muxed on stdio (Ctrl-A X) */
};

struct fb_machine {
	const char *name;   /* [emulate] machine = NAME */
	const char *binary; /* qemu-system-x86_64 */
	const char *arch;   /* the [board] arch it runs */
	bool kvm_capable;   /* guest arch == host arch */
	bool boots_disk;    /* boots the board's image, not its kernel */
	bool disk_pow2;	    /* the disk must be 2^N bytes (QEMU's SD card model) */
	bool uefi_only;	    /* no firmware but UEFI boots it (the default then) */
	bool no_pci;	    /* no PCI bus: no virtio-pci NIC (--net) or 9p (--share) */
	/* A Raspberry Pi: emulate does the GPU firmware's step (rpi-boot.h) for -kernel. */
	bool rpi_firmware;
	/* UEFI firmware: code (read-only) and the VARS template; NULL: none. */
	const char *uefi_code, *uefi_vars;
	/* The same with Secure Boot enforced, and the keys it trusts by default; NULL: none. */
	const char *uefi_secure_code, *uefi_secure_vars;
	int (*args)(const struct fb_qemu_opts *o, struct fb_strv *argv);
	/* The KVM probe's guest: the kernel alone, fast to its first line; NULL: ARGS. */
	int (*probe_args)(const struct fb_qemu_opts *o, struct fb_strv *argv);
};

const struct fb_machine *fb_machine_find(const char *name);
/* A comma-separated list of machine names, for messages. */
const char *fb_machine_names(void);

/* The whole QEMU command line. */
int fb_qemu_argv(const struct fb_machine *m, const struct fb_qemu_opts *o, struct fb_strv *ret);

/*
 * Starts QEMU with its stdin and stdout on pipes (*ret_in: write end,
 * *ret_out: read end); with IN_TTY, stdin stays the caller's terminal and
 * *ret_in is -1.  Its stderr goes to ERR_FD (-1: inherited).
 */
int fb_qemu_start(const struct fb_strv *argv, bool in_tty, int err_fd, pid_t *ret_pid, int *ret_in,
		  int *ret_out);
/* Ends QEMU (SIGTERM, then SIGKILL after a grace period) and reaps it; its exit status. */
int fb_qemu_stop(pid_t pid);

/*
 * Whether KVM runs this machine's guests: boots O's kernel under KVM and
 * waits a few seconds for its first console line.  The answer is cached
 * per host boot and QEMU binary.  Logs the outcome in one line.
 */
bool fb_kvm_probe(const struct fb_machine *m, const struct fb_qemu_opts *o,
		  const struct fb_cache *cache);

#endif
