// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flashbuild kernel --board NAME ACTION (see kernel.h): Kbuild's own
 * configurators on the board's O= tree, and what changed since the board's
 * config made it, as Kbuild's scripts/diffconfig prints it, saved as a
 * fragment the profile lists (Buildroot's linux-menuconfig and
 * linux-update-defconfig).
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/outfile.h"
#include "core/spawn.h"
#include "core/strv.h"
#include "core/util.h"
#include "kernel.h"
#include "make.h"
#include "profile/edit.h"

struct tool {
	struct fb_kmake *m;
	const struct fb_kernel_plan *p;
	const struct fb_board *b;
	const struct fb_kernel_tool_opts *o;
	const struct action *a;
};

struct action {
	const char *name;   /* the command's ACTION */
	const char *target; /* the make target it runs, or NULL */
	bool tty;	    /* it talks to the user's terminal */
	int (*run)(struct tool *t);
};

/* ---------------------------------------------------------------- the diff */

struct diff {
	struct fb_kconfig k;  /* the changed symbols */
	struct fb_strv lines; /* as diffconfig printed them, in its order */
	int err;
};

static void diff_free(struct diff *d)
{
	fb_kconfig_free(&d->k);
	fb_strv_free(&d->lines);
}

static void on_diff_line(const char *line, size_t len _unused_, void *userdata)
{
	struct diff *d = userdata;
	unsigned at = 0;
	int r;

	if (d->err)
		return;
	r = fb_kconfig_parse(&d->k, line, "diffconfig", &at);
	if (r >= 0 && d->k.n > d->lines.n)
		r = fb_strv_push(&d->lines, line);
	if (r < 0)
		d->err = r;
}

/* scripts/diffconfig -m REFERENCE .config: the lines a fragment needs for the change. */
static int diff_read(struct tool *t, struct diff *d)
{
	_cleanup_free_ char *script = fb_path_join(t->m->src, "scripts/diffconfig");
	_cleanup_free_ char *ref = fb_kmake_path(t->m, FB_KMAKE_REF_CONFIG);
	_cleanup_free_ char *cfg = fb_kmake_path(t->m, ".config");
	int r;

	if (!script || !ref || !cfg)
		return fb_err_errno(-ENOMEM, "cannot compare the kernel configs");
	r = fb_spawn_pipe((const char *const[]){ "python3", script, "-m", ref, cfg, NULL },
			  &(struct fb_spawn_pipe_opts){ .line = on_diff_line, .userdata = d });
	if (r < 0)
		return r;
	if (r > 0)
		return fb_err("'%s -m %s %s' failed with exit status %d", script, ref, cfg, r);
	if (d->err)
		return fb_err_errno(d->err, "cannot read what scripts/diffconfig printed");
	return 0;
}

/* ------------------------------------------------------- where it is saved */

/* DIR_OF_THE_PROFILE/kernel/NAME-SUFFIX: boards/kernel/x86-usb-local.config. */
static char *default_path(const struct fb_board *b, const char *suffix)
{
	_cleanup_free_ char *copy = strdup(b->path);
	char *p;

	if (!copy || asprintf(&p, "%s/kernel/%s%s", dirname(copy), b->name, suffix) < 0)
		return NULL;
	return p;
}

/* PATH as the profile names it: relative to the board's root when it is below it. */
static char *profile_word(const struct fb_board *b, const char *path)
{
	_cleanup_free_ char *root = NULL, *dir = NULL, *abs = NULL;
	_cleanup_free_ char *copy = strdup(path), *copy2 = strdup(path);
	size_t n;

	if (!copy || !copy2)
		return NULL;
	if (!strcmp(b->root ?: ".", ".") && path[0] != '/')
		return strdup(path);
	root = realpath(b->root ?: ".", NULL);
	dir = realpath(dirname(copy), NULL);
	if (!root || !dir || asprintf(&abs, "%s/%s", dir, basename(copy2)) < 0)
		return NULL;
	n = strlen(root);
	if (!strncmp(abs, root, n) && abs[n] == '/')
		return strdup(abs + n + 1);
	return TAKE_PTR(abs);
}

/* Which of the plan's fragments PATH is (by its real path), or -1. */
static ssize_t fragment_index(const struct fb_kernel_plan *p, const char *path)
{
	_cleanup_free_ char *real = realpath(path, NULL);

	for (size_t i = 0; real && i < p->n_frags; i++)
		if (p->frags[i].abs && !strcmp(p->frags[i].abs, real))
			return (ssize_t)i;
	return -1;
}

/* A change saved into fragment I would not take if a later fragment sets it too. */
static int check_not_overridden(const struct tool *t, size_t i, const struct diff *d)
{
	const struct fb_kernel_plan *p = t->p;

	for (size_t k = 0; k < d->k.n; k++) {
		const struct fb_kconfig_sym *s = fb_kconfig_find(&p->want, d->k.syms[k]->name);

		for (size_t j = i + 1; s && j < p->n_frags; j++)
			if (s->file == p->frags[j].path)
				return fb_err(
					"%s:%u: sets %s after '%s': the change would not take "
					"there; save it to '%s'",
					s->file, s->line, s->name, p->frags[i].path, s->file);
	}
	return 0;
}

/* TEXT with each line that sets a symbol of D replaced by D's, the others appended. */
static int merged_text(const char *text, const struct diff *d, FILE *out)
{
	_cleanup_free_ bool *used = calloc(d->k.n + 1, sizeof(*used));

	if (!used)
		return -ENOMEM;
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		_cleanup_free_ char *copy = strndup(p, len), *name = NULL, *value = NULL;
		const struct fb_kconfig_sym *s = NULL;
		_cleanup_free_ char *line = NULL;

		if (!copy)
			return -ENOMEM;
		if (fb_kconfig_parse_line(copy, &name, &value) > 0)
			s = fb_kconfig_find(&d->k, name);
		if (s && !(line = fb_kconfig_line(s)))
			return -ENOMEM;
		for (size_t k = 0; s && k < d->k.n; k++)
			used[k] |= d->k.syms[k] == s;
		fprintf(out, "%s\n", line ?: copy);
		p += len + (p[len] == '\n');
	}
	for (size_t k = 0; k < d->k.n; k++)
		if (!used[k])
			fprintf(out, "%s\n", d->lines.v[k]);
	return ferror(out) ? -EIO : 0;
}

/* PATH anew (replacing it, 0644) with what merged_text() makes of TEXT and D. */
static int write_fragment(const char *path, const char *text, const struct diff *d)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_fclose_ FILE *mem = NULL;
	struct fb_outfile o = { 0 };
	size_t len = 0;
	int r;

	mem = open_memstream(&buf, &len);
	if (!mem || merged_text(text, d, mem) < 0 || fclose(TAKE_PTR(mem)) == EOF)
		return fb_err_errno(-ENOMEM, "cannot save '%s'", path);
	r = fb_outfile_open(&o, path);
	if (r >= 0 && (fb_pio_full(o.fd, true, buf, len, 0) < 0 || fchmod(o.fd, 0644) < 0))
		r = fb_err_errno(-errno, "cannot write '%s'", o.tmp);
	if (r >= 0)
		r = fb_outfile_commit(&o);
	fb_outfile_abort(&o);
	return r;
}

/* Into one of the board's fragments: its lines for these symbols replaced. */
static int save_into(struct tool *t, size_t i, const struct diff *d)
{
	_cleanup_free_ char *text = NULL;
	int r = check_not_overridden(t, i, d);

	if (r >= 0)
		r = fb_kernel_read_file(t->p->frags[i].abs, &text);
	return r < 0 ? r : write_fragment(t->p->frags[i].abs, text, d);
}

/* A new fragment PATH, then the profile told to include it; nothing left if that fails. */
static int save_new(struct tool *t, const char *path, const struct diff *d)
{
	_cleanup_free_ char *head = NULL, *word = NULL;
	int r;

	if (asprintf(&head, "# %s's kernel: changes saved by 'flashbuild kernel %s --save'\n",
		     t->b->name, t->a->name) < 0)
		return fb_err_errno(-ENOMEM, "cannot save the kernel config");
	r = write_fragment(path, head, d);
	if (r < 0)
		return r;
	/* after the file: its directory may be new */
	word = profile_word(t->b, path);
	r = word ? fb_board_append_word(t->b, "kernel", "fragments", word)
		 : fb_err_errno(-ENOMEM, "cannot name '%s' in %s", path, t->b->path);
	if (r < 0)
		unlink(path);
	return r;
}

static int save(struct tool *t, const struct diff *d)
{
	_cleanup_free_ char *def = t->o->save_path ? NULL : default_path(t->b, "-local.config");
	const char *path = t->o->save_path ?: def;
	ssize_t i;
	int r;

	if (!path)
		return fb_err_errno(-ENOMEM, "cannot save the kernel config");
	if (d->k.n == 0) {
		fb_info("kernel: the O= tree's config is %s's own: nothing to save", t->b->name);
		return 0;
	}
	i = fragment_index(t->p, path);
	if (i < 0 && access(path, F_OK) == 0)
		return fb_err("'%s' exists and is not one of %s's fragments: name a new file, or "
			      "one of its fragments",
			      path, t->b->name);
	r = i >= 0 ? save_into(t, (size_t)i, d) : save_new(t, path, d);
	if (r >= 0)
		fb_info("kernel: %zu change%s saved to '%s'", d->k.n, d->k.n == 1 ? "" : "s", path);
	return r;
}

/* -------------------------------------------------------------- the actions */

/* What changed, on stdout; saved with --save. */
static int act_diff(struct tool *t)
{
	_cleanup_(diff_free) struct diff d = { 0 };
	int r = diff_read(t, &d);

	if (r < 0)
		return r;
	for (size_t i = 0; i < d.lines.n; i++)
		printf("%s\n", d.lines.v[i]);
	if (fflush(stdout) == EOF)
		return fb_err_errno(-errno, "cannot write the diff");
	if (t->o->save)
		return save(t, &d);
	if (d.k.n > 0 && t->a->tty)
		fb_info("kernel: not saved: 'flashbuild kernel --board %s diff --save' keeps it",
			t->b->name);
	return 0;
}

static int act_configure(struct tool *t)
{
	int r = fb_kmake_interactive(t->m, t->a->target);

	if (r < 0)
		return r;
	if (r > 0)
		return fb_err("'make %s' failed with exit status %d", t->a->target, r);
	return act_diff(t);
}

/* Kbuild's minimal defconfig of the O= tree: on stdout, or --save'd (not in the profile). */
static int act_savedefconfig(struct tool *t)
{
	_cleanup_free_ char *from = fb_kmake_path(t->m, "defconfig"), *text = NULL;
	_cleanup_free_ char *def = t->o->save_path ? NULL : default_path(t->b, ".defconfig");
	const char *to = t->o->save_path ?: def;
	int r;

	if (!from || !to)
		return fb_err_errno(-ENOMEM, "cannot save the kernel config");
	r = fb_kmake_run(t->m, "savedefconfig", false, "savedefconfig");
	if (r > 0)
		return fb_err("'make savedefconfig' failed; see %s", t->m->log_path);
	if (r >= 0)
		r = fb_kernel_read_file(from, &text);
	if (r < 0)
		return r;
	if (!t->o->save) {
		fputs(text, stdout);
		return fflush(stdout) == EOF ? fb_err_errno(-errno, "cannot write the defconfig")
					     : 0;
	}
	r = write_fragment(to, text, &(struct diff){ 0 });
	if (r >= 0)
		fb_info("kernel: defconfig saved to '%s' (a base: [kernel] config = %s)", to, to);
	return r;
}

static const struct action actions[] = {
	{ "menuconfig", "menuconfig", true, act_configure },
	{ "nconfig", "nconfig", true, act_configure },
	{ "savedefconfig", NULL, false, act_savedefconfig },
	{ "diff", NULL, false, act_diff },
};

static const struct action *find(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(actions); i++)
		if (!strcmp(actions[i].name, name))
			return &actions[i];
	return NULL;
}

bool fb_kernel_tool_known(const char *name)
{
	return find(name) != NULL;
}

int fb_kernel_tool_run(struct fb_kernel_plan *p, const struct fb_board *b,
		       const struct fb_kernel_tool_opts *o)
{
	_cleanup_(fb_kmake_close) struct fb_kmake m = { .lock_fd = -EBADF };
	struct tool t = { .m = &m, .p = p, .b = b, .o = o, .a = find(o->action) };
	int r;

	if (!t.a)
		return fb_err("kernel: no action '%s'", o->action);
	if (t.a->tty && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		return fb_err("kernel %s needs a terminal; without one, change the O= tree's "
			      ".config "
			      "with scripts/config and run 'kernel diff'",
			      t.a->name),
		       -ENOTTY;
	r = fb_kmake_open(&m, p, "tool.log");
	if (r < 0)
		return r;
	if (fb_kmake_configured(&m)) {
		fb_info("  kernel     O= tree '%s' (%s's config)", m.obj, b->name);
	} else {
		fb_info("  kernel     O= tree '%s': configuring it for %s", m.obj, b->name);
		r = fb_kmake_configure(&m);
	}
	return r < 0 ? r : t.a->run(&t);
}
