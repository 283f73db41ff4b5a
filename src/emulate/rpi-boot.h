/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Raspberry Pi's GPU firmware step, done on the host: QEMU's raspi3b
 * runs no GPU firmware, so emulate reads what the firmware of a Pi 3
 * Model B would from the card's first FAT partition (mtools, no mount):
 * config.txt as that model sees it ([all], [pi3], [board-type=0x8]), the
 * kernel (kernel=), the initramfs (initramfs FILE ...), the device tree
 * (device_tree=, or the firmware's default name for the model) and the
 * command line (cmdline.txt, or cmdline=), for QEMU's -kernel, -initrd,
 * -dtb and -append.  The image stays the SD card.
 */
#ifndef FB_EMULATE_RPI_BOOT_H
#define FB_EMULATE_RPI_BOOT_H

struct fb_rpi_boot {
	char *dir;		     /* a temporary directory with the files read from the card */
	char *kernel, *initrd, *dtb; /* in DIR; initrd NULL without one */
	char *cmdline;
};

/* Reads DISK's FAT as a Pi 3 B's firmware would.  Errors name the file and line, logged. */
int fb_rpi_boot_prepare(const char *disk, struct fb_rpi_boot *rb);
void fb_rpi_boot_done(struct fb_rpi_boot *rb);

#endif
