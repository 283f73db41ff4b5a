// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rootfs and initramfs stages' pure parts: users lines, password hashes,
 * the /etc/passwd merge, inittab and /init text, and the tree that merges a
 * base archive with added entries (written to a temporary directory and
 * read back).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pipeline/initramfs.h"
#include "rootfs/recipe.h"
#include "rootfs/tree.h"
#include "rootfs/users.h"
#include "image/entries.h"
#include "testutil.h"

static void test_users_parse(void **state)
{
	struct fb_users u = { 0 };
	char *bad = NULL;
	const char *why = NULL;

	(void)state;
	assert_int_equal(fb_users_parse("  luca:luca\tbob:s3cr:et ", &u, &bad, &why), 0);
	assert_int_equal(u.n, 2);
	assert_string_equal(u.v[0].name, "luca");
	assert_string_equal(u.v[0].password, "luca");
	assert_string_equal(u.v[1].name, "bob");
	assert_string_equal(u.v[1].password, "s3cr:et"); /* only the first ':' splits */
	fb_users_free(&u);

	assert_int_equal(fb_users_parse("", &u, &bad, &why), 0);
	assert_int_equal(u.n, 0);
	assert_int_equal(fb_users_parse(NULL, &u, &bad, &why), 0);
}

static void expect_bad(const char *line, const char *name, const char *why_part)
{
	struct fb_users u = { 0 };
	char *bad = NULL;
	const char *why = NULL;

	assert_int_equal(fb_users_parse(line, &u, &bad, &why), -EINVAL);
	assert_non_null(bad);
	assert_string_equal(bad, name);
	assert_non_null(strstr(why, why_part));
	assert_int_equal(u.n, 0);
	free(bad);
}

static void test_users_parse_bad(void **state)
{
	(void)state;
	expect_bad("luca", "luca", "has no password");
	expect_bad("ok:1 luca:", "luca", "has no password");
	expect_bad("Luca:x", "Luca", "not a valid name");
	expect_bad(":x", "", "not a valid name");
	expect_bad("9lives:x", "9lives", "not a valid name");
	expect_bad("a:1 b:2 a:3", "a", "twice");
	expect_bad("root:toor", "root", "root-password");
}

static void test_users_hash(void **state)
{
	char s1[FB_USERS_SETTING_LEN + 1], s2[FB_USERS_SETTING_LEN + 1];
	char s3[FB_USERS_SETTING_LEN + 1];
	char *h = NULL;

	(void)state;
	assert_int_equal(fb_users_setting("board", "luca", s1), 0);
	assert_int_equal(fb_users_setting("board", "luca", s2), 0);
	assert_string_equal(s1, s2); /* reproducible */
	assert_int_equal(fb_users_setting("board", "bob", s3), 0);
	assert_string_not_equal(s1, s3);
	assert_int_equal(fb_users_setting("board2", "luca", s3), 0);
	assert_string_not_equal(s1, s3);
	/* the seed and the name are not run together: ("ab", "c") is not ("a", "bc") */
	assert_int_equal(fb_users_setting("ab", "c", s2), 0);
	assert_int_equal(fb_users_setting("a", "bc", s3), 0);
	assert_string_not_equal(s2, s3);
	assert_int_equal(strlen(s1), 19);
	assert_memory_equal(s1, "$6$", 3);
	assert_int_equal(strspn(s1 + 3,
				"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
				"vwxyz"),
			 16);
	/* what python3 -c "import crypt; print(crypt.crypt('luca', '$6$abcdefghijklmnop'))" says */
	assert_int_equal(fb_users_hash("luca", "$6$abcdefghijklmnop", &h), 0);
	assert_string_equal(h, "$6$abcdefghijklmnop$cOo/iDhLRPo.dbeOWGf5EjLJlkFVcnH6YuUNusULYpDt0f5"
			       "dxRvdTKozcJpzvOZ2VsEnY3Tt/D6l0o9.Y3vl7/");
	free(h);
}

static void parse_users(const char *line, struct fb_users *u)
{
	char *bad = NULL;
	const char *why = NULL;

	assert_int_equal(fb_users_parse(line, u, &bad, &why), 0);
	for (size_t i = 0; i < u->n; i++) {
		u->v[i].hash = NULL;
		assert_int_not_equal(asprintf(&u->v[i].hash, "H-%s", u->v[i].name), -1);
	}
}

static void test_users_merge_new(void **state)
{
	struct fb_passwd_files f = { 0 };
	struct fb_users u = { 0 };

	(void)state;
	parse_users("luca:luca bob:x", &u);
	f.passwd = strdup("root:x:0:0:root:/root:/bin/sh\n");
	f.group = strdup("root:x:0:\n");
	f.shadow = strdup("root:*::0:99999:7:::\n");
	assert_int_equal(fb_users_merge(&f, &u, NULL, "/bin/sh"), 0);
	assert_string_equal(f.passwd, "root:x:0:0:root:/root:/bin/sh\n"
				      "luca:x:1000:1000:luca:/home/luca:/bin/sh\n"
				      "bob:x:1001:1001:bob:/home/bob:/bin/sh\n");
	assert_string_equal(f.group, "root:x:0:\nluca:x:1000:\nbob:x:1001:\n");
	assert_string_equal(f.shadow, "root:*::0:99999:7:::\n"
				      "luca:H-luca::0:99999:7:::\n"
				      "bob:H-bob::0:99999:7:::\n");
	assert_int_equal(u.v[1].uid, 1001);
	assert_string_equal(u.v[1].home, "/home/bob");
	fb_passwd_files_free(&f);
	fb_users_free(&u);
}

/* A base with accounts of its own (Debian's): kept, ids not reused, a known user updated. */
static void test_users_merge_existing(void **state)
{
	struct fb_passwd_files f = { 0 };
	struct fb_users u = { 0 };

	(void)state;
	parse_users("luca:luca new:x", &u);
	f.passwd = strdup("root:x:0:0:root:/root:/bin/bash\n"
			  "luca:x:1000:1000:Luca,,,:/home/luca:/bin/bash\n"
			  "other:x:1001:100::/srv/other:/bin/sh"); /* no final newline */
	f.group = strdup("root:x:0:\nusers:x:100:\nluca:x:1000:\nnew:x:1005:\n");
	f.shadow = strdup("root:*:19000:0:99999:7:::\nluca:!:19000:0:99999:7:::\n");
	assert_int_equal(fb_users_merge(&f, &u, "ROOTHASH", "/bin/sh"), 0);
	assert_string_equal(f.passwd, "root:x:0:0:root:/root:/bin/bash\n"
				      "luca:x:1000:1000:Luca,,,:/home/luca:/bin/bash\n"
				      "other:x:1001:100::/srv/other:/bin/sh\n"
				      "new:x:1002:1005:new:/home/new:/bin/sh\n");
	/* "new" had a group already: it is used, not added again */
	assert_string_equal(f.group, "root:x:0:\nusers:x:100:\nluca:x:1000:\nnew:x:1005:\n");
	assert_string_equal(f.shadow, "root:ROOTHASH:19000:0:99999:7:::\n"
				      "luca:H-luca:19000:0:99999:7:::\n"
				      "new:H-new::0:99999:7:::\n");
	assert_int_equal(u.v[0].uid, 1000);
	assert_string_equal(u.v[0].home, "/home/luca");
	fb_passwd_files_free(&f);
	fb_users_free(&u);
}

/* No files at all (a tarball without /etc/passwd). */
static void test_users_merge_empty(void **state)
{
	struct fb_passwd_files f = { 0 };
	struct fb_users u = { 0 };

	(void)state;
	parse_users("luca:luca", &u);
	assert_int_equal(fb_users_merge(&f, &u, NULL, "/bin/sh"), 0);
	assert_string_equal(f.passwd, "luca:x:1000:1000:luca:/home/luca:/bin/sh\n");
	assert_string_equal(f.group, "luca:x:1000:\n");
	assert_string_equal(f.shadow, "luca:H-luca::0:99999:7:::\n");
	fb_passwd_files_free(&f);
	fb_users_free(&u);
}

static void test_inittab(void **state)
{
	char *s;

	(void)state;
	s = fb_rootfs_inittab("ttyS0", true);
	assert_string_equal(s, "# busybox init(8): written by flashbuild\n"
			       "::sysinit:/bin/mount -a\n"
			       "::sysinit:/bin/hostname -F /etc/hostname\n"
			       "::sysinit:/bin/sh -c 'grep -qs hostshare "
			       "/sys/bus/virtio/drivers/9pnet_virtio/*/mount_tag && mkdir -p "
			       "/mnt/host && mount -t 9p -o trans=virtio,version=9p2000.L "
			       "hostshare /mnt/host 2>/dev/null; true'\n"
			       "ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100\n"
			       "::ctrlaltdel:/sbin/reboot\n"
			       "::shutdown:/bin/umount -a -r\n");
	free(s);
	s = fb_rootfs_inittab("ttyAMA0", false);
	assert_string_equal(s, "# busybox init(8): written by flashbuild\n"
			       "::sysinit:/bin/busybox mount -a\n"
			       "::sysinit:/bin/busybox hostname -F /etc/hostname\n"
			       "::sysinit:/bin/busybox sh -c '/bin/busybox grep -qs hostshare "
			       "/sys/bus/virtio/drivers/9pnet_virtio/*/mount_tag && "
			       "/bin/busybox mkdir -p /mnt/host && "
			       "/bin/busybox mount -t 9p -o trans=virtio,version=9p2000.L "
			       "hostshare /mnt/host 2>/dev/null; true'\n"
			       "ttyAMA0::respawn:/bin/busybox getty -L 115200 ttyAMA0 vt100\n"
			       "::ctrlaltdel:/bin/busybox reboot\n"
			       "::shutdown:/bin/busybox umount -a -r\n");
	free(s);
	assert_non_null(strstr(fb_rootfs_fstab(), "devtmpfs /dev devtmpfs"));
}

static void test_init_script(void **state)
{
	char *s;

	(void)state;
	s = fb_initramfs_init(NULL, 30, false);
	assert_null(strstr(s, "insmod"));
	assert_memory_equal(s, "#!/bin/busybox sh\n", 18);
	assert_non_null(strstr(s, "mount -t proc proc /proc\n"));
	assert_non_null(strstr(s, "mount -t sysfs sysfs /sys\n"));
	assert_non_null(strstr(s, "mount -t devtmpfs devtmpfs /dev\n"));
	assert_non_null(strstr(s, "echo \"Boot took $up seconds\""));
	assert_non_null(strstr(s, "boot_took\nexec /sbin/init\n"));
	assert_null(strstr(s, "switch_root"));
	free(s);
	s = fb_initramfs_init("PARTLABEL=root", 12, false);
	assert_non_null(strstr(s, "\nroot=PARTLABEL=root\ntimeout=12\n"));
	assert_non_null(strstr(s, "exec switch_root /newroot /sbin/init\n"));
	/* /proc is moved to the new root: the uptime must be read before */
	assert_true(strstr(s, "boot_took\n") < strstr(s, "mount --move"));
	free(s);
	/* the drivers of the root device are loaded before it is looked for */
	s = fb_initramfs_init("PARTLABEL=root", 12, true);
	assert_non_null(strstr(s, "/bin/busybox insmod \"/lib/modules/$m\""));
	assert_non_null(strstr(s, "done </lib/modules/modules.load\n"));
	assert_true(strstr(s, "insmod") > strstr(s, "mount -t devtmpfs"));
	assert_true(strstr(s, "insmod") < strstr(s, "find_root() {"));
	free(s);

	assert_int_equal(fb_initramfs_check_root("PARTLABEL=root"), 0);
	assert_int_equal(fb_initramfs_check_root("LABEL=my-root_1"), 0);
	assert_int_equal(fb_initramfs_check_root("UUID=0fc63daf-8483-4772-8e79-3d69d8477de4"), 0);
	assert_int_equal(fb_initramfs_check_root("/dev/sda2"), 0);
	assert_int_equal(fb_initramfs_check_root("sda2"), -EINVAL);
	assert_int_equal(fb_initramfs_check_root("LABEL="), -EINVAL);
	assert_int_equal(fb_initramfs_check_root("LABEL=a;reboot"), -EINVAL);
	assert_int_equal(fb_initramfs_check_root("PARTUUID=1234"), -EINVAL);
}

/* path -> "type mode uid link" of every entry of ARCHIVE, one line each, in order. */
static char *list_archive(const char *archive)
{
	struct fb_entries *e = NULL;
	const struct fb_entry *ent;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_int_equal(fb_entries_open(archive, NULL, &e), 0);
	while (fb_entries_next(e, &ent) > 0)
		fprintf(f, "%s %d %o %u %s\n", *ent->path ? ent->path : ".", ent->type, ent->mode,
			(unsigned)ent->uid, ent->link ? ent->link : "-");
	fb_entries_free(e);
	fclose(f);
	return out;
}

static void test_tree(void **state)
{
	char dir[] = "/tmp/fb-test-rootfs.XXXXXX", base[64], out[64], cpio[64], cmd[128];
	struct fb_tree *t = NULL;
	const char *data;
	size_t size;
	char *list;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(base, sizeof(base), "%s/base.tar", dir);
	snprintf(out, sizeof(out), "%s/out.tar", dir);
	snprintf(cpio, sizeof(cpio), "%s/out.cpio.gz", dir);

	/* a merged-/usr base: bin -> usr/bin */
	assert_int_equal(fb_tree_new(NULL, NULL, 0, &t), 0);
	assert_int_equal(fb_tree_add_dir(t, "usr/bin", 0755, 0, 0), 0);
	assert_int_equal(fb_tree_add_symlink(t, "bin", "usr/bin"), 0);
	assert_int_equal(fb_tree_add_file(t, "usr/bin/sh", 0755, "old sh"), 0);
	assert_int_equal(fb_tree_add_file(t, "etc/passwd", 0644, "root:x:0:0::/root:/bin/sh\n"), 0);
	assert_int_equal(fb_tree_add_dir(t, "etc/gone", 0755, 0, 0), 0);
	assert_int_equal(fb_tree_add_file(t, "etc/gone/file", 0644, "x"), 0);
	assert_int_equal(fb_tree_write(t, base, FB_TREE_TAR), 0);
	t = fb_tree_free(t);

	static const char *const capture[] = { "etc/passwd", NULL };
	assert_int_equal(fb_tree_new(base, capture, 0, &t), 0);
	assert_int_equal(fb_tree_read(t, "etc/passwd", &data, &size), 0);
	assert_int_equal(size, 26);
	assert_true(fb_tree_exists(t, "bin/sh")); /* through the symlink */
	assert_false(fb_tree_exists(t, "bin/ls"));
	assert_int_equal(fb_tree_add_file(t, "bin/sh", 0755, "new sh"), 0); /* lands in usr/bin */
	assert_int_equal(fb_tree_add_file(t, "etc/gone", 0600, "a file now"), 0);
	assert_int_equal(fb_tree_add_dir(t, "home/luca", 0700, 1000, 1000), 0);
	assert_int_equal(fb_tree_write(t, out, FB_TREE_TAR), 0);
	assert_int_equal(fb_tree_write(t, cpio, FB_TREE_CPIO_GZIP), 0);
	t = fb_tree_free(t);

	list = list_archive(out);
	/* the base's entries first, less what was replaced; then the added ones, sorted */
	assert_string_equal(list, ". 1 755 0 -\n"
				  "bin 2 777 0 usr/bin\n"
				  "etc 1 755 0 -\n"
				  "etc/passwd 0 644 0 -\n"
				  "usr 1 755 0 -\n"
				  "usr/bin 1 755 0 -\n"
				  "etc/gone 0 600 0 -\n"
				  "home 1 755 0 -\n"
				  "home/luca 1 700 1000 -\n"
				  "usr/bin/sh 0 755 0 -\n");
	free(list);
	list = list_archive(cpio); /* the cpio has no root entry */
	assert_non_null(strstr(list, "usr/bin/sh 0 755 0 -\n"));
	assert_null(strstr(list, "etc/gone/file"));
	free(list);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_users_parse),
		cmocka_unit_test(test_users_parse_bad),
		cmocka_unit_test(test_users_hash),
		cmocka_unit_test(test_users_merge_new),
		cmocka_unit_test(test_users_merge_existing),
		cmocka_unit_test(test_users_merge_empty),
		cmocka_unit_test(test_inittab),
		cmocka_unit_test(test_init_script),
		cmocka_unit_test(test_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
