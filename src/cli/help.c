// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `flashbuild --help`: every command and option in one text; `flashbuild
 * help CMD` and `flashbuild CMD --help`: that command's part (flashbuild(1)
 * says more).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/cleanup.h"

static const char head[] = "Usage: flashbuild [-C DIR] [-v|-q] COMMAND [OPTIONS]\n"
			   "\n"
			   "Turns a board profile into a bootable disk image.\n"
			   "\n"
			   "Commands:\n";

/* One per command, in the order --help lists them. */
static const struct {
	const char *name, *text;
} commands[] = {
	{ "build",
	  "  build --board NAME [-o DIR] [--pull] [--debug] [--sign KEYID]\n"
	  "        run the stale stages of boards/NAME.conf: rootfs, kernel, initramfs\n"
	  "        (each cached by a key of its inputs in $FLASHBUILD_CACHE, else\n"
	  "        ~/.cache/flashbuild), then the image; nothing changed: nothing done.\n"
	  "        Files from Debian packages (deb:PACKAGE[:ARCH][@COMPONENT]/PATH, any\n"
	  "        arch; @non-free-firmware: a component the host's apt does not list)\n"
	  "        are fetched once per version with apt-get download into the cache.\n"
	  "        --pull lets a Dockerfile's FROM fetch a registry image; --debug\n"
	  "        builds the kernel as with [kernel] debug = yes (DWARF, gdb scripts)\n" },
	{ "emulate",
	  "  emulate --board NAME [--run CMD] [--timeout S] [--accel kvm|tcg] [--pull]\n"
	  "        build what is stale and boot it in QEMU (KVM if a probe boots, else\n"
	  "        TCG); prints the boot time.  --run logs in on the serial console,\n"
	  "        runs CMD and exits with its status; without it, interactive\n"
	  "        (Ctrl-A X quits); emulate ends QEMU itself (orangepi-pc's guest\n"
	  "        cannot), and times boots on the host's clock; for a Raspberry Pi\n"
	  "        (raspi3b) it does the GPU firmware's step, which QEMU cannot run\n"
	  "        --firmware bios|uefi|uefi-secure  SeaBIOS or OVMF (AAVMF on arm64)\n"
	  "                               for a disk boot; uefi-secure: OVMF enforcing\n"
	  "                               Secure Boot with Microsoft's keys (q35, SMM)\n"
	  "        --uefi-vars FILE       the UEFI variable store to start from (a copy):\n"
	  "                               other keys, e.g. OVMF_VARS_4M.snakeoil.fd\n"
	  "        --disk PATH            boot PATH (file or disk, written to) instead\n"
	  "                               of the image, which is never written\n"
	  "        --login USER:PASSWORD  the user --run logs in as\n"
	  "        --gdb[=PORT]           QEMU's gdbstub on 127.0.0.1:PORT (1234), the\n"
	  "                               guest halted until gdb continues (--gdb-wait=no:\n"
	  "                               not); prints the gdb line with vmlinux\n"
	  "        --net [--forward HOST:GUEST]...  user-mode network, TCP forwards\n"
	  "                               from 127.0.0.1:HOST; the kernel gets ip=dhcp\n"
	  "        --share DIR            DIR at /mnt/host in the guest (virtio-9p)\n"
	  "        --debug                the kernel as with [kernel] debug = yes\n" },
	{ "image",
	  "  image --board NAME [--rootfs DIR|ARCHIVE] [-o DIR] [--sign KEYID]\n"
	  "        build what is stale, as build does, and assemble OUT/NAME.img and\n"
	  "        OUT/NAME.img.bmap: partition table from its sfdisk layout,\n"
	  "        ext4/vfat/raw contents, bootloaders (syslinux, grub-efi, extlinux,\n"
	  "        shim: Secure Boot), the kernel signed with [bootloader] sign-key\n"
	  "        -b, --board NAME     boards/NAME.conf, or a path to a .conf file\n"
	  "        -r, --rootfs PATH    tree for 'from = rootfs', in the rootfs stage's\n"
	  "                             place (kernel, initramfs: as build): a\n"
	  "                             directory or an archive (tar, tar.gz/.xz/.zst,\n"
	  "                             cpio); made every time, no key left in OUT\n"
	  "        -o, --output DIR     where images go (default: out)\n"
	  "        --sign KEYID         sign the bmap (OUT/NAME.img.bmap.asc) with\n"
	  "                             gpg's key KEYID, as [image] sign does (build too)\n" },
	{ "kernel",
	  "  kernel --board NAME menuconfig|nconfig|savedefconfig|diff [--save [FILE]]\n"
	  "        Kbuild's own tools on the board's O= tree (configured from its base\n"
	  "        config and fragments first, when it holds another config):\n"
	  "        menuconfig, nconfig   the configurator (a terminal needed), then diff\n"
	  "        diff                  the CONFIG_ lines that differ from the board's\n"
	  "                              config (scripts/diffconfig -m), on stdout\n"
	  "        savedefconfig         Kbuild's minimal defconfig, on stdout\n"
	  "        --save [FILE]         the change into FILE: a new fragment that\n"
	  "                              [kernel] fragments is told to list, or one it\n"
	  "                              lists; default boards/kernel/NAME-local.config\n"
	  "                              (savedefconfig: FILE, or "
	  "boards/kernel/NAME.defconfig)\n" },
	{ "devices", "  devices [--json] [--allow-fixed]\n"
		     "        list whole disks with size, bus, model, contents and a verdict:\n"
		     "        writable, or refused and why\n" },
	{ "flash", "  flash [OPTIONS] IMAGE DEVICE   |   flash [OPTIONS] --board NAME DEVICE\n"
		   "        write an image (.img, .img.xz/.gz/.zst/.bz2) to a whole disk: only\n"
		   "        what its .bmap maps, O_DIRECT, read back and checked, table last\n"
		   "        --bmap FILE | --no-bmap   the block map (default: IMAGE.bmap)\n"
		   "        --keyring FILE     write only a bmap signed by one of its keys\n"
		   "                           (BMAP.asc or BMAP.sig, as bmaptool; without it a\n"
		   "                           signature there is checked with your keyring)\n"
		   "        --bmap-sig FILE | --no-sig-verify   the signature, or none checked\n"
		   "        --allow-fixed      also a non-removable disk (never the system's)\n"
		   "        --to-file          the target may be a regular file\n"
		   "        -n, --dry-run      every check, then stop before writing\n"
		   "        --no-verify        do not read back\n"
		   "        --discard          zero what the bmap leaves unmapped\n"
		   "        --check-capacity   catch fake-capacity cards first\n"
		   "        --lock-timeout S   wait S seconds (default 30) while another\n"
		   "                           holds the disk's lock, then refuse it\n"
		   "        --grow             last partition and its ext4 to the disk's end\n"
		   "        --json, --progress=tty|plain|json|none\n"
		   "        each card its own, written into its ext4 after the write, read back:\n"
		   "        --user NAME[:PASSWORD] a new user, or a new password (SHA-512\n"
		   "                               crypt); --password-file FILE: its first line\n"
		   "        --hostname TEMPLATE    /etc/hostname; {serial}, {date}\n"
		   "        --ssh-key FILE         public keys for --ssh-user NAME (default:\n"
		   "                               the image's first user)\n"
		   "        --file SRC:DEST[:MODE] any file (repeatable)\n"
		   "        --machine-id new       a new /etc/machine-id\n" },
	{ "station",
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
	  "        --listen ADDR:PORT serve a live page for the operator (/), its state\n"
	  "                           as JSON (/api/status) and as events (/events);\n"
	  "                           off by default, read-only\n"
	  "        --token FILE       the secret every request to the page needs (the\n"
	  "                           page asks once); required unless ADDR is loopback\n"
	  "        --skip-done        leave a card this log says was verified with this\n"
	  "                           image (same serial) alone\n"
	  "        --eject            power a verified card's USB device off\n"
	  "        --bmap, --no-bmap, --keyring, --bmap-sig, --no-sig-verify, --grow,\n"
	  "        --check-capacity, --lock-timeout: as flash (--keyring: no start without a good\n"
	  "        signature; the log names the signer)\n"
	  "        --json, --progress=tty|plain|json\n" },
	{ "verify",
	  "  verify [OPTIONS] IMAGE [DEVICE]   |   verify [OPTIONS] --board NAME [DEVICE]\n"
	  "        check an image against its bmap and the bmap's signature; with\n"
	  "        DEVICE, read the device back against every mapped range, writing\n"
	  "        nothing: the first differing byte, exit 4\n"
	  "        --bmap, --no-bmap, --keyring, --bmap-sig, --no-sig-verify: as flash\n"
	  "        --tmpdir DIR       where a compressed image is decompressed\n" },
	{ "boards", "  boards [--json]\n"
		    "        every board found (./boards, then ~/.config/flashbuild/boards,\n"
		    "        then the installed ones): description, arch, kernel, where\n" },
	{ "help", "  help [CMD]  this text, or CMD's part of it (CMD --help, CMD -h: the same)\n" },
};

static const char globals[] =
	"Global options (before the command):\n"
	"  -C, --directory DIR  work in DIR: boards/, partitions/, out/ and every\n"
	"                       relative path, -o's too, are taken from there\n"
	"                       (a board found elsewhere takes its paths from there)\n"
	"  -v, --verbose        say more; -q, --quiet: only errors\n"
	"  -h, --help           this text;  -V, --version: the version\n";

static const char exits[] =
	"Exit status: 0 ok, 1 failed, 2 usage error; emulate --run: the command's;\n"
	"flash, emulate --disk: 3 device refused,\n"
	"4 read back wrong, 5 image does not match its bmap, 6 its bmap's\n"
	"signature bad or missing where --keyring asks for one; interrupted: 128 + the\n"
	"signal, 130 SIGINT, 143 SIGTERM, 129 SIGHUP;\n"
	"verify: 0, 4 the device differs, 5, 6 as flash;\n"
	"station: 0 --count reached or stopped, 5 image does not match its bmap,\n"
	"6 as flash, 130 stopped with a flash cut short (logged incomplete).\n"
	"See flashbuild(1).\n";

void fb_cli_help(FILE *f)
{
	fputs(head, f);
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		fputs(commands[i].text, f);
	fprintf(f, "\n%s\n%s", globals, exits);
}

int fb_cli_help_command(FILE *f, const char *cmd)
{
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		if (!strcmp(commands[i].name, cmd)) {
			fprintf(f, "Usage: flashbuild [-C DIR] [-v|-q] %s [OPTIONS]\n\n%s\n%s", cmd,
				commands[i].text, exits);
			return 0;
		}
	return -ENOENT;
}
