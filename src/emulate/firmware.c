// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "firmware.h"

static const char *const names[] = {
	[FB_FIRMWARE_BIOS] = "bios",
	[FB_FIRMWARE_UEFI] = "uefi",
	[FB_FIRMWARE_UEFI_SECURE] = "uefi-secure",
};

int fb_firmware_parse(const char *s, enum fb_firmware_kind *ret)
{
	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (!strcmp(s ?: "bios", names[i])) {
			*ret = (enum fb_firmware_kind)i;
			return 0;
		}
	return -EINVAL;
}

const char *fb_firmware_name(enum fb_firmware_kind k)
{
	return names[k];
}

int fb_firmware_prepare(const struct fb_machine *m, enum fb_firmware_kind kind, const char *vars,
			struct fb_firmware *fw)
{
	const char *tmp = getenv("TMPDIR");
	bool secure = kind == FB_FIRMWARE_UEFI_SECURE;
	const char *code = secure ? m->uefi_secure_code : m->uefi_code;
	int r;

	*fw = (struct fb_firmware){ .kind = kind, .secure = secure };
	if (kind == FB_FIRMWARE_BIOS)
		return 0;
	if (!code)
		return fb_err("emulate: machine '%s' has no %s firmware", m->name,
			      secure ? "Secure Boot UEFI" : "UEFI");
	if (access(code, R_OK) < 0)
		return fb_err_errno(-errno,
				    "emulate: cannot read the UEFI firmware '%s' "
				    "(scripts/install-deps)",
				    code);
	vars = vars ?: secure ? m->uefi_secure_vars : m->uefi_vars;
	fw->code = code;
	if (asprintf(&fw->tmpdir, "%s/flashbuild-uefi.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
		return fb_err_errno(-ENOMEM, "emulate: cannot prepare UEFI");
	if (!mkdtemp(fw->tmpdir)) {
		r = fb_err_errno(-errno, "emulate: cannot create '%s'", fw->tmpdir);
		free(fw->tmpdir);
		fw->tmpdir = NULL;
		return r;
	}
	fw->vars = fb_path_join(fw->tmpdir, "VARS.fd");
	if (!fw->vars)
		return fb_err_errno(-ENOMEM, "emulate: cannot prepare UEFI");
	r = fb_copy_file(vars, fw->vars, 0600);
	if (r < 0)
		return fb_err_errno(r,
				    "emulate: cannot copy the UEFI variable store '%s' to '%s' "
				    "(scripts/install-deps)",
				    vars, fw->vars);
	return 0;
}

void fb_firmware_done(struct fb_firmware *fw)
{
	if (fw->tmpdir)
		fb_rm_rf(fw->tmpdir);
	free(fw->tmpdir);
	free(fw->vars);
	*fw = (struct fb_firmware){ 0 };
}
