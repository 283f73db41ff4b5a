/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * buildah, the daemonless builder Debian's podman builds with, run in a
 * private store: DIR/root and DIR/runroot (--root, --runroot, the vfs
 * driver: no overlay mounts, no fuse-overlayfs), removed afterwards; the
 * user's own store is never touched.  Everything buildah prints goes to
 * one log file.  buildah rather than `podman build`: rootless podman
 * leaves a pause process behind for every store it opens; buildah leaves
 * nothing.
 */
#ifndef FB_ROOTFS_DOCKERFILE_BUILDAH_H
#define FB_ROOTFS_DOCKERFILE_BUILDAH_H

#include <stdbool.h>
#include <stdio.h>

#include "dockerfile-parse.h"

/* What decides how buildah runs RUN steps on this host. */
struct fb_buildah_host {
	/* cgroup v1 with a v2 tree beside it: crun refuses to run there */
	bool hybrid_cgroups;
	bool runc; /* runc is installed */
};

/* Looks at /sys/fs/cgroup and where buildah looks for runc. */
void fb_buildah_host_probe(struct fb_buildah_host *ret);
/*
 * The option that makes RUN steps work on host H: NULL (buildah's default
 * runtime works), "--runtime=runc", or "--isolation=chroot" when no OCI
 * runtime can run.
 */
const char *fb_buildah_isolation(const struct fb_buildah_host *h);

/* "STEP 2/4: RUN ..." or "[1/2] STEP 2/4: ...": 1 and the numbers; 0 for another line. */
int fb_buildah_step_line(const char *line, unsigned *ret_stage, unsigned *ret_step,
			 unsigned *ret_steps);

struct fb_buildah {
	char *dir;     /* the private store and buildah's XDG directories */
	char *root;    /* "--root=DIR/root" */
	char *runroot; /* "--runroot=DIR/runroot" */
	char *env[3];  /* XDG_RUNTIME_DIR, XDG_DATA_HOME under DIR */
	const char *isolation;
	const char *log_path;
	FILE *log;
	int log_err;
	char *step;  /* the last "STEP" line buildah printed */
	char *error; /* its "Error: ..." line */
};

/* Creates the store under PARENT (made if missing) and opens LOG_PATH. */
int fb_buildah_open(struct fb_buildah *bh, const char *parent, const char *log_path);
/* The rootfs tarball TAR as the local image REF ("localhost/flashbuild/busybox"). */
int fb_buildah_import(struct fb_buildah *bh, const char *tar, const char *ref);

struct fb_buildah_build {
	const char *dockerfile;
	const struct fb_dockerfile *parsed; /* to name a failed step's line */
	const char *context;
	bool pull;	 /* registry images may be pulled */
	const char *out; /* the result's files as a tarball */
};

/*
 * buildah bud.  A failed step is one error line: the Dockerfile's line, the
 * step as buildah numbers it, its instruction and the log to read.
 */
int fb_buildah_build(struct fb_buildah *bh, const struct fb_buildah_build *a);
/* Removes the store (from inside the user namespace when rootless) and closes the log. */
void fb_buildah_close(struct fb_buildah *bh);

#endif
