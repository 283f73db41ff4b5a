// SPDX-License-Identifier: GPL-2.0-or-later
/* flashbuild: global options, then argv -> one subcommand.  Nothing else lives here. */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cli.h"
#include "core/log.h"
#include "core/spawn.h"
#include "station/cmd-station.h"

#define FB_VERSION "0.1"

struct command {
	const char *name;
	fb_cmd_fn fn;
};

static const struct command commands[] = {
	{ "build", fb_cmd_build },     { "emulate", fb_cmd_emulate }, { "image", fb_cmd_image },
	{ "devices", fb_cmd_devices }, { "flash", fb_cmd_flash },     { "station", fb_cmd_station },
};

static void help(FILE *f)
{
	fputs("Usage: flashbuild [-C DIR] [-v|-q] COMMAND [OPTIONS]\n"
	      "\n"
	      "Turns a board profile into a bootable disk image.\n"
	      "\n"
	      "Commands:\n"
	      "  build --board NAME [-o DIR] [--pull] [--debug]\n"
	      "        run the stale stages of boards/NAME.conf: rootfs, kernel, initramfs\n"
	      "        (each cached by a key of its inputs in $FLASHBUILD_CACHE, else\n"
	      "        ~/.cache/flashbuild), then the image; nothing changed: nothing done.\n"
	      "        Files from Debian packages (deb:PACKAGE[:ARCH]/PATH, any arch) are\n"
	      "        fetched once per version with apt-get download into the cache.\n"
	      "        --pull lets a Dockerfile's FROM fetch a registry image; --debug\n"
	      "        builds the kernel as with [kernel] debug = yes (DWARF, gdb scripts)\n"
	      "  emulate --board NAME [--run CMD] [--timeout S] [--accel kvm|tcg] [--pull]\n"
	      "        build what is stale and boot it in QEMU (KVM if a probe boots, else\n"
	      "        TCG); prints the boot time.  --run logs in on the serial console,\n"
	      "        runs CMD and exits with its status; without it, interactive\n"
	      "        (Ctrl-A X quits); emulate ends QEMU itself (orangepi-pc's guest\n"
	      "        cannot), and times boots on the host's clock\n"
	      "        --firmware bios|uefi   SeaBIOS or OVMF (AAVMF on arm64) for a disk boot\n"
	      "        --disk PATH            boot PATH (file or disk, written to) instead\n"
	      "                               of the image, which is never written\n"
	      "        --login USER:PASSWORD  the user --run logs in as\n"
	      "        --gdb[=PORT]           QEMU's gdbstub on 127.0.0.1:PORT (1234), the\n"
	      "                               guest halted until gdb continues (--gdb-wait=no:\n"
	      "                               not); prints the gdb line with vmlinux\n"
	      "        --net [--forward HOST:GUEST]...  user-mode network, TCP forwards\n"
	      "                               from 127.0.0.1:HOST; the kernel gets ip=dhcp\n"
	      "        --share DIR            DIR at /mnt/host in the guest (virtio-9p)\n"
	      "        --debug                the kernel as with [kernel] debug = yes\n"
	      "  image --board NAME [--rootfs DIR|ARCHIVE] [-o DIR]\n"
	      "        assemble OUT/NAME.img and OUT/NAME.img.bmap from boards/NAME.conf:\n"
	      "        partition table from its sfdisk layout, ext4/vfat/raw contents,\n"
	      "        bootloaders (syslinux, grub-efi, extlinux)\n"
	      "        -b, --board NAME     boards/NAME.conf, or a path to a .conf file\n"
	      "        -r, --rootfs PATH    tree for 'from = rootfs': a directory or an\n"
	      "                             archive (tar, tar.gz/.xz/.zst, cpio)\n"
	      "        -o, --output DIR     where images go (default: out)\n"
	      "  devices [--json] [--allow-fixed]\n"
	      "        list whole disks with size, bus, model, contents and a verdict:\n"
	      "        writable, or refused and why\n"
	      "  flash [OPTIONS] IMAGE DEVICE   |   flash [OPTIONS] --board NAME DEVICE\n"
	      "        write an image (.img, .img.xz/.gz/.zst/.bz2) to a whole disk: only\n"
	      "        what its .bmap maps, O_DIRECT, read back and checked, table last\n"
	      "        --bmap FILE | --no-bmap   the block map (default: IMAGE.bmap)\n"
	      "        --allow-fixed      also a non-removable disk (never the system's)\n"
	      "        --to-file          the target may be a regular file\n"
	      "        -n, --dry-run      every check, then stop before writing\n"
	      "        --no-verify        do not read back\n"
	      "        --discard          zero what the bmap leaves unmapped\n"
	      "        --check-capacity   catch fake-capacity cards first\n"
	      "        --grow             last partition and its ext4 to the disk's end\n"
	      "        --json, --progress=tty|plain|json|none\n"
	      "  station [OPTIONS] IMAGE   |   station [OPTIONS] --board NAME\n"
	      "        flash every disk plugged in that the selection takes, several at\n"
	      "        once, from one shared copy of the image; a log line per flash\n"
	      "        --match PROP=GLOB  take disks whose udev property matches (repeat:\n"
	      "                           all must); default: FLASHBUILD_STATION=1 (see\n"
	      "                           udev/60-flashbuild.rules), else removable USB, SD\n"
	      "        --allow-fixed      also non-removable disks --match takes\n"
	      "        --count N          stop after N verified copies\n"
	      "        --jobs N           at most N written at once (default 4)\n"
	      "        --log FILE         append-only log (default\n"
	      "                           /var/log/flashbuild/station.log)\n"
	      "        --stop-timeout S   on SIGINT/SIGTERM, in-flight flashes get S\n"
	      "                           seconds (default 3), then stop incomplete\n"
	      "        --tmpdir DIR       where a compressed image is decompressed once\n"
	      "        --bmap, --no-bmap, --grow, --check-capacity: as flash\n"
	      "        --json, --progress=tty|plain|json\n"
	      "  help  show this text\n"
	      "\n"
	      "Global options (before the command):\n"
	      "  -C, --directory DIR  work in DIR: boards/, partitions/, out/ and every\n"
	      "                       relative path, -o's too, are taken from there\n"
	      "  -v, --verbose        say more; -q, --quiet: only errors\n"
	      "  -h, --help           this text;  -V, --version: the version\n"
	      "\n"
	      "Exit status: 0 ok, 1 failed, 2 usage error; emulate --run: the command's;\n"
	      "flash, emulate --disk: 3 device refused,\n"
	      "4 read back wrong, 5 image does not match its bmap, 130 interrupted;\n"
	      "station: 0 --count reached or stopped, 5 image does not match its bmap,\n"
	      "130 stopped with a flash cut short (logged incomplete).\n"
	      "See flashbuild(1).\n",
	      f);
}

/* Global options stop at the command ('+'): what follows is the command's. */
static int parse_global(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "directory", required_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+C:vqhV", opts, NULL)) >= 0) {
		switch (c) {
		case 'C':
			if (chdir(optarg) < 0)
				return fb_err_errno(-errno, "cannot change to directory '%s'",
						    optarg);
			break;
		case 'v':
			fb_log_set_level(FB_LOG_DEBUG);
			break;
		case 'q':
			fb_log_set_level(FB_LOG_ERR);
			break;
		case 'h':
			help(stdout);
			return 1;
		case 'V':
			puts("flashbuild " FB_VERSION);
			return 1;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

int main(int argc, char *argv[])
{
	int r;

	/*
	 * File names in archives are UTF-8 (pax) and go into the image as
	 * such, whatever the user's locale: libarchive converts names to the
	 * locale's character set, so make that UTF-8.
	 */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "");

	if (fb_spawn_init_path() < 0) {
		fb_err("out of memory");
		return FB_EXIT_FAILED;
	}
	r = parse_global(argc, argv);
	if (r > 0)
		return FB_EXIT_OK;
	if (r < 0) {
		fputs("Try 'flashbuild --help'.\n", stderr);
		return FB_EXIT_USAGE;
	}
	if (optind >= argc) {
		help(stderr);
		return FB_EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help")) {
		help(stdout);
		return FB_EXIT_OK;
	}
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		if (!strcmp(argv[optind], commands[i].name)) {
			int n = argc - optind;

			argv += optind;
			optind = 0; /* 0: getopt re-initialises for the command's argv */
			return commands[i].fn(n, argv);
		}
	fb_err("unknown command '%s'; try 'flashbuild --help'", argv[optind]);
	return FB_EXIT_USAGE;
}
