// SPDX-License-Identifier: GPL-2.0-or-later
/* The QEMU command lines of the machines: what each option becomes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/strv.h"
#include "emulate/qemu.h"

/* The argument after the first FLAG in A, or NULL. */
static const char *after(const struct fb_strv *a, const char *flag)
{
	for (size_t i = 0; i + 1 < a->n; i++)
		if (!strcmp(a->v[i], flag))
			return a->v[i + 1];
	return NULL;
}

static bool has(const struct fb_strv *a, const char *arg)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i], arg))
			return true;
	return false;
}

static void test_commas(void **state)
{
	const struct fb_machine *m = fb_machine_find("x86-usb-stick");
	struct fb_qemu_opts o = {
		.disk = "/tmp/a,b.img",
		.uefi_code = "/fw/CODE,1.fd",
		.uefi_vars = "/tmp/v,/VARS.fd",
		.share = "/home/x,y",
	};
	struct fb_strv a = { 0 };

	(void)state;
	assert_non_null(m);
	assert_int_equal(fb_qemu_argv(m, &o, &a), 0);
	/* a ',' in a path inside an option's value is doubled, or QEMU splits there */
	assert_true(has(&a, "if=none,id=stick,format=raw,snapshot=on,file=/tmp/a,,b.img"));
	assert_true(has(&a, "if=pflash,format=raw,unit=0,readonly=on,file=/fw/CODE,,1.fd"));
	assert_true(has(&a, "if=pflash,format=raw,unit=1,file=/tmp/v,,/VARS.fd"));
	assert_string_equal(after(&a, "-virtfs"),
			    "local,path=/home/x,,y,mount_tag=hostshare,security_model=none,"
			    "id=hostshare");
	/* nothing listens without --gdb or --net */
	assert_string_equal(after(&a, "-nic"), "none");
	assert_null(after(&a, "-gdb"));
	fb_strv_free(&a);

	/* -kernel takes a whole argument: no doubling there */
	m = fb_machine_find("qemu-x86");
	o = (struct fb_qemu_opts){ .kernel = "/k,1/bzImage", .initrd = "/k,1/initrd" };
	assert_int_equal(fb_qemu_argv(m, &o, &a), 0);
	assert_string_equal(after(&a, "-kernel"), "/k,1/bzImage");
	assert_string_equal(after(&a, "-initrd"), "/k,1/initrd");
	fb_strv_free(&a);
}

static void test_loopback_only(void **state)
{
	const struct fb_machine *m = fb_machine_find("qemu-x86");
	const char *const fw[] = { "2345:22", NULL };
	struct fb_qemu_opts o = { .kernel = "/bzImage",
				  .gdb_port = 1234,
				  .gdb_wait = true,
				  .net = true,
				  .forwards = fw };
	struct fb_strv a = { 0 };

	(void)state;
	assert_int_equal(fb_qemu_argv(m, &o, &a), 0);
	assert_string_equal(after(&a, "-gdb"), "tcp:127.0.0.1:1234");
	assert_true(has(&a, "-S"));
	assert_string_equal(after(&a, "-netdev"), "user,id=net0,hostfwd=tcp:127.0.0.1:2345-:22");
	fb_strv_free(&a);
}

/* Secure Boot: q35 with SMM and the flash in secure mode, or the guest could rewrite the keys. */
static void test_secure_boot(void **state)
{
	const struct fb_machine *m = fb_machine_find("x86-usb-stick");
	struct fb_qemu_opts o = {
		.disk = "/tmp/stick.img",
		.uefi_code = m ? m->uefi_secure_code : NULL,
		.uefi_vars = "/tmp/VARS.fd",
		.secure_boot = true,
	};
	struct fb_strv a = { 0 };

	(void)state;
	assert_non_null(m);
	assert_string_equal(m->uefi_secure_vars, "/usr/share/OVMF/OVMF_VARS_4M.ms.fd");
	assert_int_equal(fb_qemu_argv(m, &o, &a), 0);
	assert_string_equal(after(&a, "-M"), "q35,smm=on");
	assert_string_equal(after(&a, "-global"), "driver=cfi.pflash01,property=secure,value=on");
	assert_true(has(&a, "if=pflash,format=raw,unit=0,readonly=on,"
			    "file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"));
	fb_strv_free(&a);

	/* without it, the pc machine as before */
	o.secure_boot = false;
	assert_int_equal(fb_qemu_argv(m, &o, &a), 0);
	assert_string_equal(after(&a, "-M"), "pc");
	assert_null(after(&a, "-global"));
	fb_strv_free(&a);
	/* the arm64 machine has no Secure Boot firmware */
	assert_null(fb_machine_find("arm64-efi-virt")->uefi_secure_code);
}

/* The Pi 3: the firmware's files handed over, the card on the SD host, the mini UART on stdio. */
static void test_raspi3b(void **state)
{
	const struct fb_machine *m = fb_machine_find("raspi3b");
	struct fb_qemu_opts o = {
		.disk = "/tmp/card,1.img",
		.kernel = "/tmp/fw/vmlinuz",
		.initrd = "/tmp/fw/initrd.img",
		.dtb = "/tmp/fw/bcm2837-rpi-3-b.dtb",
		.cmdline = "console=ttyS1,115200 root=PARTUUID=12345678-02",
		.memory_mib = 256,
	};
	struct fb_strv a = { 0 };
	size_t serial = 0;

	(void)state;
	assert_non_null(m);
	assert_true(m->disk_pow2 && m->rpi_firmware && m->no_pci);
	assert_int_equal(fb_qemu_argv(m, &o, &a), 0);
	assert_string_equal(after(&a, "-M"), "raspi3b");
	assert_string_equal(after(&a, "-dtb"), "/tmp/fw/bcm2837-rpi-3-b.dtb");
	assert_string_equal(after(&a, "-kernel"), "/tmp/fw/vmlinuz");
	assert_string_equal(after(&a, "-append"), o.cmdline);
	assert_string_equal(after(&a, "-accel"), "tcg,thread=single");
	/* the board's 1 GiB, whatever was asked */
	assert_string_equal(after(&a, "-m"), "1024");
	assert_true(has(&a, "if=sd,format=raw,snapshot=on,file=/tmp/card,,1.img"));
	/* serial 0 (the PL011) to nothing, serial 1 (ttyS1) to stdio */
	for (size_t i = 0; i + 1 < a.n; i++)
		if (!strcmp(a.v[i], "-serial"))
			assert_string_equal(a.v[i + 1], serial++ ? "stdio" : "null");
	assert_int_equal(serial, 2);
	fb_strv_free(&a);
	/* no device tree: the firmware step did not run */
	o.dtb = NULL;
	assert_int_equal(fb_qemu_argv(m, &o, &a), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commas),
		cmocka_unit_test(test_loopback_only),
		cmocka_unit_test(test_secure_boot),
		cmocka_unit_test(test_raspi3b),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
