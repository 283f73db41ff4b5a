// SPDX-License-Identifier: GPL-2.0-or-later
/* Debian packages as sources: the spellings a profile may use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deb/reader.h"
#include "deb/sources.h"
#include "deb/deb.h"
#include "core/util.h"
#include "testutil.h"

static void test_parse_spec(void **state)
{
	struct fb_deb d = { 0 };

	(void)state;
	assert_int_equal(fb_deb_parse_spec("busybox-static", 14, "arm64", &d), 0);
	assert_string_equal(d.name, "busybox-static");
	assert_string_equal(d.arch, "arm64");
	fb_deb_done(&d);
	/* an architecture of its own wins over the board's */
	assert_int_equal(fb_deb_parse_spec("u-boot-sunxi:armhf/usr", 18, "arm64", &d), 0);
	assert_string_equal(d.name, "u-boot-sunxi");
	assert_string_equal(d.arch, "armhf");
	fb_deb_done(&d);
	assert_int_equal(fb_deb_parse_spec("libstdc++6:amd64", 16, NULL, &d), 0);
	assert_string_equal(d.name, "libstdc++6");
	fb_deb_done(&d);
	/* not package names: upper case, one letter, a leading dash, an empty arch */
	assert_int_equal(fb_deb_parse_spec("U-boot", 6, "armhf", &d), -EINVAL);
	assert_int_equal(fb_deb_parse_spec("a", 1, "armhf", &d), -EINVAL);
	assert_int_equal(fb_deb_parse_spec("-ab", 3, "armhf", &d), -EINVAL);
	assert_int_equal(fb_deb_parse_spec("grub:", 5, "armhf", &d), -EINVAL);
	assert_int_equal(fb_deb_parse_spec("grub:ARM", 8, "armhf", &d), -EINVAL);
	assert_null(d.component);
	fb_deb_done(&d);
	/* a component of the archive, after the architecture or without one */
	assert_int_equal(fb_deb_parse_spec("raspi-firmware@non-free-firmware", 32, "arm64", &d), 0);
	assert_string_equal(d.name, "raspi-firmware");
	assert_string_equal(d.arch, "arm64");
	assert_string_equal(d.component, "non-free-firmware");
	fb_deb_done(&d);
	assert_int_equal(fb_deb_parse_spec("firmware-brcm80211:armhf@non-free", 33, "arm64", &d),
			 0);
	assert_string_equal(d.arch, "armhf");
	assert_string_equal(d.component, "non-free");
	fb_deb_done(&d);
	/* an empty or upper-case component, an architecture after it */
	assert_int_equal(fb_deb_parse_spec("grub@", 5, "armhf", &d), -EINVAL);
	assert_int_equal(fb_deb_parse_spec("grub@Main", 9, "armhf", &d), -EINVAL);
	assert_int_equal(fb_deb_parse_spec("grub@main:arm64", 15, "armhf", &d), -EINVAL);
	/* no architecture anywhere */
	assert_int_equal(fb_deb_parse_spec("grub", 4, NULL, &d), -EINVAL);
	assert_null(d.name);
}

static void test_source_split(void **state)
{
	const char *path;
	size_t len;

	(void)state;
	assert_int_equal(fb_deb_source_split("u-boot-sunxi:armhf/usr/lib/x.bin", &len, &path), 0);
	assert_int_equal(len, 18);
	assert_string_equal(path, "/usr/lib/x.bin");
	assert_int_equal(fb_deb_source_split("busybox-static/bin/busybox", &len, &path), 0);
	assert_int_equal(len, 14);
	assert_int_equal(fb_deb_source_split("busybox-static", &len, &path), -EINVAL);
	assert_int_equal(fb_deb_source_split("busybox-static/", &len, &path), -EINVAL);
	assert_int_equal(fb_deb_source_split("/bin/busybox", &len, &path), -EINVAL);
}

static void test_path_normalize(void **state)
{
	char a[] = "./usr/lib/grub/", b[] = "/boot/vmlinuz", c[] = "usr/../etc", d[] = "..",
	     e[] = "usr/lib..x/y", f[] = "./";

	(void)state;
	assert_string_equal(fb_deb_path_normalize(a), "usr/lib/grub");
	assert_string_equal(fb_deb_path_normalize(b), "boot/vmlinuz");
	assert_null(fb_deb_path_normalize(c));
	assert_null(fb_deb_path_normalize(d));
	assert_string_equal(fb_deb_path_normalize(e), "usr/lib..x/y");
	assert_string_equal(fb_deb_path_normalize(f), "");
}

/* One entry of a made-up package's data.tar. */
struct tent {
	const char *path;
	mode_t type; /* 0 with HARDLINK */
	mode_t mode;
	const char *data; /* a file's bytes, a symlink's target */
	const char *hardlink;
};

static void ar_member(struct archive *ar, const char *name, const void *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	assert_int_equal(archive_write_header(ar, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(ar, data, len), (la_ssize_t)len);
	archive_entry_free(e);
}

/* DIR/p.deb: debian-binary, control.tar, and a data.tar of V. */
static void write_deb(const char *deb, const struct tent *v, size_t n)
{
	struct archive *a = archive_write_new(), *ar = archive_write_new();
	size_t cap = 1 << 20, used = 0;
	char *buf = malloc(cap);

	assert_non_null(buf);
	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		size_t len = v[i].type == S_IFREG ? strlen(v[i].data) : 0;

		archive_entry_set_pathname(e, v[i].path);
		archive_entry_set_filetype(e, v[i].type ? v[i].type : AE_IFREG);
		archive_entry_set_perm(e, v[i].mode);
		archive_entry_set_size(e, (la_int64_t)len);
		if (v[i].type == S_IFLNK)
			archive_entry_set_symlink(e, v[i].data);
		if (v[i].hardlink)
			archive_entry_set_hardlink(e, v[i].hardlink);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, v[i].data, len), (la_ssize_t)len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_write_set_format_ar_svr4(ar);
	assert_int_equal(archive_write_open_filename(ar, deb), ARCHIVE_OK);
	ar_member(ar, "debian-binary", "2.0\n", 4);
	ar_member(ar, "control.tar", "", 0);
	ar_member(ar, "data.tar", buf, used);
	assert_int_equal(archive_write_close(ar), ARCHIVE_OK);
	archive_write_free(ar);
	free(buf);
}

static char *slurp(const char *path)
{
	static char text[256];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	assert_true(n >= 0);
	text[n] = '\0';
	return text;
}

static const struct tent pkg[] = {
	{ "./", S_IFDIR, 0755, NULL, NULL },
	{ "./usr/", S_IFDIR, 0755, NULL, NULL },
	{ "./usr/bin/", S_IFDIR, 0755, NULL, NULL },
	{ "./usr/bin/perl", S_IFREG, 0755, "perl\n", NULL },
	/* as perl-base: a hard link, here to a file outside a PATH of usr/lib */
	{ "./usr/bin/perl5.36.0", 0, 0755, NULL, "./usr/bin/perl" },
	{ "./usr/bin/mount", S_IFREG, 04755, "mount\n", NULL },
	{ "./usr/lib/", S_IFDIR, 0755, NULL, NULL },
	{ "./usr/lib/perl", 0, 0755, NULL, "./usr/bin/perl" },
	{ "./usr/share/", S_IFDIR, 0555, NULL, NULL },
	{ "./usr/share/doc", S_IFREG, 0644, "doc\n", NULL },
	/* as e2fsprogs: a relative and an absolute symlink, and a chain of them */
	{ "./sbin/", S_IFDIR, 0755, NULL, NULL },
	{ "./sbin/mke2fs", S_IFREG, 0755, "mke2fs\n", NULL },
	{ "./sbin/mkfs.ext4", S_IFLNK, 0777, "mke2fs", NULL },
	{ "./sbin/mkfs", S_IFLNK, 0777, "/sbin/mkfs.ext4", NULL },
	{ "./sbin/up", S_IFLNK, 0777, "../../../usr/bin/perl", NULL },
	{ "./sbin/loop1", S_IFLNK, 0777, "loop2", NULL },
	{ "./sbin/loop2", S_IFLNK, 0777, "loop1", NULL },
	{ "./sbin/nowhere", S_IFLNK, 0777, "nosuch", NULL },
};

/* a package that makes a symlink out of the tree and then writes through it */
static const struct tent evil[] = {
	{ "./etc/", S_IFDIR, 0755, NULL, NULL },
	{ "./etc/a", S_IFLNK, 0777, "../../OUTSIDE", NULL },
	{ "./etc/a/passwd", S_IFREG, 0644, "pwned\n", NULL },
};

static void test_extract(void **state)
{
	char dir[] = "/tmp/fb-test-deb.XXXXXX", deb[64], out[96], path[160];
	struct stat st, st2;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(deb, sizeof(deb), "%s/p.deb", dir);
	write_deb(deb, pkg, sizeof(pkg) / sizeof(pkg[0]));

	/* one file that is a hard link to another: its bytes */
	snprintf(out, sizeof(out), "%s/x/perl5", dir);
	mkdir(strcat(strcpy(path, dir), "/x"), 0755);
	assert_int_equal(fb_deb_extract(deb, "usr/bin/perl5.36.0", out), 1);
	assert_string_equal(slurp(out), "perl\n");
	assert_int_equal(lstat(out, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);

	/* a symlink PATH is followed in the package: relative, absolute, above the root */
	snprintf(out, sizeof(out), "%s/x/mkfs.ext4", dir);
	assert_int_equal(fb_deb_extract(deb, "sbin/mkfs.ext4", out), 1);
	assert_int_equal(lstat(out, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_string_equal(slurp(out), "mke2fs\n");
	snprintf(out, sizeof(out), "%s/x/mkfs", dir);
	assert_int_equal(fb_deb_extract(deb, "sbin/mkfs", out), 1);
	assert_string_equal(slurp(out), "mke2fs\n");
	snprintf(out, sizeof(out), "%s/x/up", dir);
	assert_int_equal(fb_deb_extract(deb, "sbin/up", out), 1);
	assert_string_equal(slurp(out), "perl\n");
	snprintf(out, sizeof(out), "%s/x/loop", dir);
	{
		struct tu_capture c;

		tu_capture(&c);
		assert_int_equal(fb_deb_extract(deb, "sbin/loop1", out), -ELOOP);
		assert_non_null(strstr(tu_captured(&c), "too many symbolic links"));
	}
	assert_int_equal(fb_deb_extract(deb, "sbin/nowhere", out), -ENOENT);
	assert_int_equal(fb_deb_extract(deb, "usr/nosuch", out), -ENOENT);

	/* a directory: hard links within it linked, set-id bits and modes kept */
	snprintf(out, sizeof(out), "%s/usr", dir);
	assert_int_equal(fb_deb_extract(deb, "usr", out), 9);
	assert_int_equal(lstat(strcat(strcpy(path, out), "/bin/perl"), &st), 0);
	assert_int_equal(lstat(strcat(strcpy(path, out), "/bin/perl5.36.0"), &st2), 0);
	assert_int_equal(st.st_ino, st2.st_ino);
	assert_int_equal(lstat(strcat(strcpy(path, out), "/lib/perl"), &st2), 0);
	assert_int_equal(st.st_ino, st2.st_ino);
	assert_int_equal(lstat(strcat(strcpy(path, out), "/bin/mount"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 04755);
	assert_int_equal(lstat(strcat(strcpy(path, out), "/share"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0555);
	assert_string_equal(slurp(strcat(strcpy(path, out), "/share/doc")), "doc\n");
	chmod(strcat(strcpy(path, out), "/share"), 0755);

	/* a hard link whose target lies outside PATH: a copy */
	snprintf(out, sizeof(out), "%s/lib", dir);
	assert_int_equal(fb_deb_extract(deb, "usr/lib", out), 2);
	assert_string_equal(slurp(strcat(strcpy(path, out), "/perl")), "perl\n");

	/* never through a symlink the package made */
	snprintf(deb, sizeof(deb), "%s/evil.deb", dir);
	write_deb(deb, evil, sizeof(evil) / sizeof(evil[0]));
	mkdir(strcat(strcpy(path, dir), "/OUTSIDE"), 0755);
	snprintf(out, sizeof(out), "%s/data", dir);
	{
		struct tu_capture c;

		tu_capture(&c);
		assert_true(fb_deb_extract(deb, "", out) < 0);
		assert_non_null(strstr(tu_captured(&c), "lies under a symbolic link"));
	}
	assert_int_equal(lstat(strcat(strcpy(path, dir), "/OUTSIDE/passwd"), &st), -1);

	fb_rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_spec),
		cmocka_unit_test(test_source_split),
		cmocka_unit_test(test_path_normalize),
		cmocka_unit_test(test_extract),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
