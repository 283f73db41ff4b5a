/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The flash engine: one job (an image, its bmap, one target, options) run
 * to an outcome, telling a sink what happens as it goes.  No globals and no
 * printing of its own besides the one error line at a failure's site, so a
 * caller can run several jobs (one per device) and show them as it likes.
 */
#ifndef FB_DEVICE_FLASH_H
#define FB_DEVICE_FLASH_H

#include <stdbool.h>
#include <stdint.h>

enum fb_flash_phase {
	FB_FLASH_CHECK,	    /* facts, refusals, source and bmap */
	FB_FLASH_CAPACITY,  /* --check-capacity */
	FB_FLASH_WIPE,	    /* old signatures at both ends */
	FB_FLASH_WRITE,	    /* everything but the head and tail */
	FB_FLASH_VERIFY,    /* read back, O_DIRECT */
	FB_FLASH_HEAD,	    /* the image's tail, then its head (the table) last */
	FB_FLASH_TABLE,	    /* backup GPT, --grow, the kernel's partitions */
	FB_FLASH_CUSTOMIZE, /* the card's own files (job->after) */
	FB_FLASH_DONE,
	_FB_FLASH_PHASE_MAX,
};

enum fb_flash_outcome {
	FB_FLASH_OK,
	FB_FLASH_FAILED,
	FB_FLASH_REFUSED,
	FB_FLASH_MISMATCH, /* read back differs, after one re-write */
	FB_FLASH_CORRUPT,  /* the source does not match its bmap */
	FB_FLASH_CANCELLED,
	FB_FLASH_UNSIGNED, /* its bmap's signature is bad, or missing where one is a must */
	_FB_FLASH_OUTCOME_MAX,
};

enum fb_flash_event_type {
	FB_FLASH_EV_PHASE,    /* a phase starts: total is its byte count (0: unknown) */
	FB_FLASH_EV_PROGRESS, /* done of total bytes of the phase */
	FB_FLASH_EV_RESULT,   /* the end: outcome */
	FB_FLASH_EV_SIGNED,   /* its bmap's signature is good: sig, signer, signer_uid */
};

struct fb_flash_event {
	enum fb_flash_event_type type;
	enum fb_flash_phase phase;
	uint64_t done, total;
	double elapsed; /* seconds since the job started */
	enum fb_flash_outcome outcome;
	bool device_touched;	/* for RESULT: was anything written */
	uint64_t written;	/* for RESULT: bytes written to the device */
	int error;		/* for RESULT: the failure's -errno, 0 for ok */
	const char *error_text; /* for RESULT: the failure's message, as logged; or NULL */
	bool at_known;		/* for RESULT: where it failed: */
	uint64_t at;		/* the image's (and the device's) byte */
	unsigned range;		/* in the bmap's range RANGE (from 1), 0: none */
	const char *device;
	const char *sig, *signer, *signer_uid; /* for SIGNED; signer_uid may be NULL */
};

struct fb_flash_sink {
	void (*emit)(void *userdata, const struct fb_flash_event *ev);
	void *userdata;
};

struct fb_flash_opts {
	bool allow_fixed, to_file;
	bool verify;	       /* default true; --no-verify */
	bool dry_run;	       /* every check, then stop before opening for writing */
	bool discard;	       /* zero/discard what the bmap leaves unmapped */
	bool check_capacity;   /* fake-capacity test first */
	bool grow;	       /* last partition (and its ext4) to the disk's end */
	unsigned lock_timeout; /* seconds to wait while another holds the disk's flock */
};

/* --lock-timeout's default: udev holds a new disk's lock for a moment while it probes it. */
#define FB_FLASH_LOCK_TIMEOUT 30

/* What is written: IMAGE and its block map, as flash's and station's options name them. */
struct fb_flash_source {
	const char *image;
	const char *bmap;     /* NULL: IMAGE.bmap and friends when they exist */
	bool no_bmap;	      /* ignore any bmap: write the whole image */
	const char *bmap_sig; /* --bmap-sig; NULL: BMAP.asc or BMAP.sig when there */
	const char *keyring;  /* --keyring: a good signature by one of its keys is a must */
	bool no_sig_verify;   /* --no-sig-verify: no signature is looked at */
};

struct fb_shared_source;

/*
 * What the caller does to the device once it is written, verified and its
 * partitions set up, while the engine still holds it (a card's own files:
 * customize/).  PLAN runs after the checks, before anything is written
 * (also in a dry run), with the device's node and its ID_SERIAL_SHORT (or
 * NULL), RUN at the end.  Each returns 0, or -errno logged: the job fails
 * (after PLAN, with the device untouched).
 */
struct fb_flash_after {
	int (*plan)(void *userdata, const char *node, const char *serial);
	int (*run)(void *userdata, const char *node);
	void *userdata;
};

struct fb_flash_job {
	struct fb_flash_source source;
	/* An image prepared once for many jobs (shared.h); then source.bmap and no_bmap do not
	 * count. */
	const struct fb_shared_source *shared;
	const char *device;
	struct fb_flash_opts opts;
	struct fb_flash_sink sink;
	struct fb_flash_after after; /* run NULL: nothing */
	int cancel_fd;		     /* readable means stop (a signalfd for SIGINT); -1: none */
};

const char *fb_flash_phase_to_string(enum fb_flash_phase p);
const char *fb_flash_outcome_to_string(enum fb_flash_outcome o);

/* Runs JOB to its outcome; the failure, if any, was logged once where it happened. */
enum fb_flash_outcome fb_flash_run(const struct fb_flash_job *job);

#endif
