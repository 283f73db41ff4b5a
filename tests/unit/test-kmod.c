// SPDX-License-Identifier: GPL-2.0-or-later
/* Kernel modules of a prebuilt kernel: .modinfo out of ELF objects, and the load order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <elf.h>
#include <errno.h>

#include "kernel/kmod.h"

static const char modinfo[] = "license=GPL\0\0\0depends=jbd2,mbcache,crc16\0name=ext4\0"
			      "vermagic=6.1.0 SMP mod_unload aarch64\0";
static const char shstrtab[] = "\0.modinfo\0.shstrtab\0";

/* An ELF relocatable object with sections: null, .modinfo, .shstrtab. */
static size_t make_elf64(uint8_t *buf)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	size_t info_off = sizeof(*eh), str_off = info_off + sizeof(modinfo);
	size_t sh_off = (str_off + sizeof(shstrtab) + 7) & ~(size_t)7;
	Elf64_Shdr *sh = (Elf64_Shdr *)(buf + sh_off);

	memset(buf, 0, sh_off + 3 * sizeof(*sh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_REL;
	eh->e_machine = EM_AARCH64;
	eh->e_shoff = sh_off;
	eh->e_shentsize = sizeof(*sh);
	eh->e_shnum = 3;
	eh->e_shstrndx = 2;
	memcpy(buf + info_off, modinfo, sizeof(modinfo));
	memcpy(buf + str_off, shstrtab, sizeof(shstrtab));
	sh[1] = (Elf64_Shdr){ .sh_name = 1,
			      .sh_type = SHT_PROGBITS,
			      .sh_offset = info_off,
			      .sh_size = sizeof(modinfo) };
	sh[2] = (Elf64_Shdr){ .sh_name = 10,
			      .sh_type = SHT_STRTAB,
			      .sh_offset = str_off,
			      .sh_size = sizeof(shstrtab) };
	return sh_off + 3 * sizeof(*sh);
}

static void test_modinfo(void **state)
{
	static uint8_t buf[4096];
	size_t len = make_elf64(buf);
	char *v = NULL;

	(void)state;
	assert_int_equal(fb_kmod_modinfo(buf, len, "depends", &v), 0);
	assert_string_equal(v, "jbd2,mbcache,crc16");
	free(v);
	assert_int_equal(fb_kmod_modinfo(buf, len, "name", &v), 0);
	assert_string_equal(v, "ext4");
	free(v);
	/* "name" is not "vermagic"'s prefix; a missing key */
	assert_int_equal(fb_kmod_modinfo(buf, len, "softdep", &v), -ENOENT);
	assert_int_equal(fb_kmod_modinfo(buf, len, "nam", &v), -ENOENT);
	/* cut short: the section headers lie past the end */
	assert_int_equal(fb_kmod_modinfo(buf, len - 1, "name", &v), -ENOEXEC);
	assert_int_equal(fb_kmod_modinfo("not an ELF object at all, really not", 37, "name", &v),
			 -ENOEXEC);
	/* a section past the end of the file */
	((Elf64_Shdr *)(buf + ((Elf64_Ehdr *)buf)->e_shoff))[1].sh_size = 1 << 20;
	assert_int_equal(fb_kmod_modinfo(buf, len, "name", &v), -ENOEXEC);
}

static void add(struct fb_kmod_set *s, const char *name, const char *deps)
{
	assert_int_equal(fb_kmod_set_add(s, strdup(name), strdup(name), deps ? strdup(deps) : NULL),
			 0);
}

static void test_order(void **state)
{
	struct fb_kmod_set s = { 0 };
	size_t *order = NULL, n = 0;
	char *missing = NULL, got[256] = "";

	(void)state;
	add(&s, "ext4", "jbd2,mbcache,crc16");
	add(&s, "crc16", "");
	add(&s, "jbd2", NULL);
	add(&s, "mbcache", NULL);
	add(&s, "virtio_blk", NULL);
	add(&s, "virtio-pci", "virtio_pci_modern_dev,virtio_pci_legacy_dev");
	add(&s, "virtio_pci_modern_dev", NULL);
	add(&s, "virtio_pci_legacy_dev", NULL);
	/* modpost writes dependencies by file name: dm-crypt depends=dm-mod */
	add(&s, "dm-crypt", "dm-mod");
	add(&s, "dm-mod", NULL);
	add(&s, "loop_a", "loop_b");
	add(&s, "loop_b", "loop_a");
	/* dependencies first, each once, '-' as '_' */
	assert_int_equal(
		fb_kmod_order(&s, "virtio-pci  virtio_blk ext4 jbd2", &order, &n, &missing), 0);
	for (size_t i = 0; i < n; i++) {
		strcat(got, s.v[order[i]].name);
		strcat(got, " ");
	}
	assert_string_equal(got,
			    "virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk "
			    "jbd2 mbcache crc16 ext4 ");
	free(order);
	got[0] = '\0';
	assert_int_equal(fb_kmod_order(&s, "dm_crypt", &order, &n, &missing), 0);
	for (size_t i = 0; i < n; i++) {
		strcat(got, s.v[order[i]].name);
		strcat(got, " ");
	}
	assert_string_equal(got, "dm_mod dm_crypt ");
	free(order);
	assert_int_equal(fb_kmod_order(&s, "ext4 nosuch", &order, &n, &missing), -ENOENT);
	assert_string_equal(missing, "nosuch");
	free(missing);
	missing = NULL;
	assert_int_equal(fb_kmod_order(&s, "loop_a", &order, &n, &missing), -ELOOP);
	assert_null(missing);
	fb_kmod_set_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modinfo),
		cmocka_unit_test(test_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
