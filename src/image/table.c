// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <libfdisk.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fdisk-util.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/util.h"
#include "table.h"

/*
 * libfdisk says why it refused something through its "ask" callback
 * (warnings, info), not in the return code: keep the last message so
 * that the one error line can carry it.
 */
struct ask_state {
	char msg[256];
};

/* libfdisk keeps a pointer to the ask state for the context's whole life. */
struct fb_table_priv {
	struct ask_state ask;
};

static int ask_cb(struct fdisk_context *cxt _unused_, struct fdisk_ask *ask, void *data)
{
	struct ask_state *st = data;
	const char *m;

	switch (fdisk_ask_get_type(ask)) {
	case FDISK_ASKTYPE_INFO:
	case FDISK_ASKTYPE_WARN:
	case FDISK_ASKTYPE_WARNX:
		m = fdisk_ask_print_get_mesg(ask);
		if (m)
			snprintf(st->msg, sizeof(st->msg), "%s", m);
		return 0;
	default:
		/* Nothing may be asked: a script answers everything. */
		return -EINVAL;
	}
}

/*
 * The line of the n-th partition line of an sfdisk script, following
 * libfdisk's own rule: before the first partition, a line with a ':'
 * (not first) and no '=' is a header.
 */
static unsigned script_partition_line(const char *path, size_t index)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0, seen = 0;
	unsigned line = 0;

	if (!f)
		return 0;
	while (getline(&buf, &cap, f) >= 0) {
		char *s = buf + strspn(buf, " \t");
		char *colon = strchr(s, ':');

		line++;
		if (*s == '\0' || *s == '\n' || *s == '#')
			continue;
		if (seen == 0 && colon && colon != s && colon[1] && !strchr(s, '=') &&
		    colon[1] != '\n')
			continue;
		if (seen++ == index)
			return line;
	}
	return 0;
}

static int table_read_script(struct fb_table *t, struct fdisk_script *dp)
{
	_cleanup_fclose_ FILE *f = fopen(t->layout, "re");
	int r;

	if (!f)
		return fb_err_errno(-errno, "cannot open layout '%s'", t->layout);
	r = fdisk_script_read_file(dp, f);
	if (r < 0)
		return fb_err("%s:%d: cannot parse sfdisk script line", t->layout,
			      fdisk_script_get_nlines(dp));
	if (!fdisk_script_get_header(dp, "label"))
		return fb_err("%s: no 'label: gpt' or 'label: dos' header", t->layout);
	return 0;
}

/*
 * libfdisk, like sfdisk, quietly shrinks a partition that runs past the end
 * of the disk.  An image layout means what it says: that is an error.
 */
static int table_check_placed(struct fb_table *t, struct fdisk_partition *want, size_t partno,
			      unsigned line)
{
	_cleanup_(fdisk_unref_partitionp) struct fdisk_partition *got = NULL;
	uint64_t ss = t->sector_size;
	char a[32], b[32];
	int r;

	r = fdisk_get_partition(t->cxt, partno, &got);
	if (r < 0)
		return fb_err_errno(r, "%s:%u: cannot read back partition %zu", t->layout, line,
				    partno + 1);
	if (fdisk_partition_has_start(want) &&
	    fdisk_partition_get_start(want) != fdisk_partition_get_start(got))
		return fb_err("%s:%u: partition %zu cannot start at sector %ju", t->layout, line,
			      partno + 1, (uintmax_t)fdisk_partition_get_start(want));
	if (fdisk_partition_has_size(want) &&
	    fdisk_partition_get_size(want) != fdisk_partition_get_size(got))
		return fb_err(
			"%s:%u: partition %zu (%s at sector %ju) does not fit in the %s image",
			t->layout, line, partno + 1,
			fb_format_size(fdisk_partition_get_size(want) * ss, a, sizeof(a)),
			(uintmax_t)fdisk_partition_get_start(got),
			fb_format_size(fdisk_get_nsectors(t->cxt) * ss, b, sizeof(b)));
	return 0;
}

/* Q's sectors, first and last. */
static void part_sectors(struct fdisk_partition *q, uintmax_t *first, uintmax_t *last)
{
	*first = fdisk_partition_get_start(q);
	*last = *first + (fdisk_partition_has_size(q) && fdisk_partition_get_size(q)
				  ? fdisk_partition_get_size(q) - 1
				  : 0);
}

/*
 * A partition placed where one already is: named as such, where libfdisk
 * says "out of range", "already used" or nothing at all.  N: its number in
 * the layout, from 1.
 */
static int table_check_overlap(struct fb_table *t, struct fdisk_partition *want, size_t n,
			       unsigned line)
{
	_cleanup_(fdisk_unref_tablep) struct fdisk_table *tb = NULL;
	_cleanup_(fdisk_free_iterp) struct fdisk_iter *itr = fdisk_new_iter(FDISK_ITER_FORWARD);
	struct fdisk_partition *q;
	uintmax_t a, b, c, d;

	if (!fdisk_partition_has_start(want) || !itr || fdisk_get_partitions(t->cxt, &tb) < 0)
		return 0; /* libfdisk places it, or says why not */
	part_sectors(want, &a, &b);
	while (fdisk_table_next_partition(tb, itr, &q) == 0) {
		if (fdisk_partition_is_container(q))
			continue; /* a dos extended partition holds the logical ones */
		part_sectors(q, &c, &d);
		if (a <= d && c <= b)
			return fb_err("%s:%u: partition %zu (sectors %ju-%ju) overlaps partition "
				      "%zu (sectors %ju-%ju)",
				      t->layout, line, n, a, b, fdisk_partition_get_partno(q) + 1,
				      c, d);
	}
	return 0;
}

/* The disk id (dos: 32 bits, gpt: a GUID) from the seed, unless the script has label-id. */
static int table_disk_id(struct fb_table *t, struct fdisk_script *dp, const char *seed)
{
	char id[FB_UUID_STR_LEN + 1];
	uint8_t u[16];
	int r;

	if (fdisk_script_get_header(dp, "label-id"))
		return 0;
	r = fb_id_uuid(seed, "disk id", u);
	if (r < 0)
		return r;
	if (fdisk_is_label(t->cxt, DOS))
		snprintf(id, sizeof(id), "0x%02x%02x%02x%02x", u[0], u[1], u[2], u[3]);
	else
		fb_uuid_format(u, id);
	r = fdisk_set_disklabel_id_from_string(t->cxt, id);
	if (r < 0)
		return fb_err_errno(r, "%s: cannot set the disk id", t->layout);
	return 0;
}

/* A GPT partition's UUID from the seed, unless the script gives uuid=. */
static int table_part_uuid(struct fb_table *t, struct fdisk_partition *want, size_t partno,
			   const char *seed)
{
	_cleanup_(fdisk_unref_partitionp) struct fdisk_partition *pa = NULL;
	char purpose[64], id[FB_UUID_STR_LEN + 1];
	uint8_t u[16];
	int r;

	if (!fdisk_is_label(t->cxt, GPT) || fdisk_partition_get_uuid(want))
		return 0;
	snprintf(purpose, sizeof(purpose), "partition %zu uuid", partno + 1);
	r = fb_id_uuid(seed, purpose, u);
	if (r < 0)
		return r;
	fb_uuid_format(u, id);
	pa = fdisk_new_partition();
	if (!pa || fdisk_partition_set_uuid(pa, id) < 0)
		return fb_err_errno(-ENOMEM, "%s: cannot set partition %zu's UUID", t->layout,
				    partno + 1);
	r = fdisk_set_partition(t->cxt, partno, pa);
	if (r < 0)
		return fb_err_errno(r, "%s: cannot set partition %zu's UUID", t->layout,
				    partno + 1);
	return 0;
}

static int table_add_parts(struct fb_table *t, struct fdisk_script *dp, struct ask_state *st,
			   const char *seed)
{
	struct fdisk_table *tb = fdisk_script_get_table(dp);
	_cleanup_(fdisk_free_iterp) struct fdisk_iter *itr = fdisk_new_iter(FDISK_ITER_FORWARD);
	struct fdisk_partition *pa;
	size_t i = 0, partno;
	int r;

	if (!itr)
		return fb_err_errno(-ENOMEM, "cannot read layout '%s'", t->layout);
	if (!tb || fdisk_table_get_nents(tb) == 0)
		return fb_err("%s: the layout has no partitions", t->layout);
	while (fdisk_table_next_partition(tb, itr, &pa) == 0) {
		struct fdisk_parttype *type = fdisk_partition_get_type(pa);
		unsigned line = script_partition_line(t->layout, i);

		if (type && fdisk_parttype_is_unknown(type))
			return fb_err("%s:%u: partition %zu: unknown type '%s' for a %s table",
				      t->layout, line, i + 1, fdisk_parttype_get_string(type),
				      fdisk_script_get_header(dp, "label"));
		r = table_check_overlap(t, pa, i + 1, line);
		if (r < 0)
			return r;
		st->msg[0] = '\0';
		r = fdisk_add_partition(t->cxt, pa, &partno);
		if (r < 0 && st->msg[0])
			return fb_err("%s:%u: cannot place partition %zu: %s", t->layout, line,
				      i + 1, st->msg);
		if (r < 0)
			return fb_err_errno(r, "%s:%u: cannot place partition %zu", t->layout, line,
					    i + 1);
		r = table_check_placed(t, pa, partno, line);
		if (r >= 0)
			r = table_part_uuid(t, pa, partno, seed);
		if (r < 0)
			return r;
		i++;
	}
	return 0;
}

/*
 * The PARTUUID the kernel will know the partition by (root=PARTUUID=...):
 * a GPT partition's own UUID; on an MBR, the disk id and the number,
 * "1234abcd-02".
 */
static int part_uuid(struct fb_table *t, struct fdisk_partition *pa, struct fb_table_part *p)
{
	_cleanup_free_ char *id = NULL;
	const char *u = fdisk_partition_get_uuid(pa);

	if (u)
		return (p->uuid = strdup(u)) ? 0 : -ENOMEM;
	if (!fdisk_is_label(t->cxt, DOS) || fdisk_get_disklabel_id(t->cxt, &id) < 0 || !id)
		return 0;
	return asprintf(&p->uuid, "%s-%02zx", strncmp(id, "0x", 2) ? id : id + 2, p->partno) < 0
		       ? (p->uuid = NULL, -ENOMEM)
		       : 0;
}

static int table_add_result(struct fb_table *t, struct fdisk_partition *pa, size_t index)
{
	struct fb_table_part *p = &t->parts[t->n_parts];
	struct fdisk_parttype *type = fdisk_partition_get_type(pa);
	const char *name = fdisk_partition_get_name(pa);
	const char *tstr = NULL;
	char code[8];

	*p = (struct fb_table_part){
		.partno = fdisk_partition_get_partno(pa) + 1,
		.start = fdisk_partition_get_start(pa) * t->sector_size,
		.size = fdisk_partition_get_size(pa) * t->sector_size,
		.line = script_partition_line(t->layout, index),
	};
	if (type) {
		tstr = fdisk_parttype_get_string(type);
		if (!tstr) {
			snprintf(code, sizeof(code), "%x", fdisk_parttype_get_code(type));
			tstr = code;
		}
	}
	p->name = fb_str_empty(name) ? NULL : strdup(name);
	p->type = tstr ? strdup(tstr) : NULL;
	if ((!fb_str_empty(name) && !p->name) || (tstr && !p->type))
		return -ENOMEM;
	if (part_uuid(t, pa, p) < 0)
		return -ENOMEM;
	t->n_parts++;
	return 0;
}

static int table_collect(struct fb_table *t)
{
	_cleanup_(fdisk_unref_tablep) struct fdisk_table *tb = NULL;
	_cleanup_(fdisk_free_iterp) struct fdisk_iter *itr = fdisk_new_iter(FDISK_ITER_FORWARD);
	struct fdisk_partition *pa;
	size_t i = 0;
	int r;

	if (!itr)
		return fb_err_errno(-ENOMEM, "cannot read layout '%s'", t->layout);
	r = fdisk_get_partitions(t->cxt, &tb);
	if (r < 0)
		return fb_err_errno(r, "%s: cannot list partitions", t->layout);
	t->parts = calloc(fdisk_table_get_nents(tb) + 1, sizeof(*t->parts));
	if (!t->parts)
		return fb_err_errno(-ENOMEM, "cannot read layout '%s'", t->layout);
	while (fdisk_table_next_partition(tb, itr, &pa) == 0) {
		if (fdisk_partition_is_container(pa))
			continue; /* a dos extended partition holds others, nothing of its own */
		r = table_add_result(t, pa, i++);
		if (r < 0)
			return fb_err_errno(r, "cannot read layout '%s'", t->layout);
	}
	return 0;
}

static uint64_t label_item(struct fdisk_context *cxt, int id)
{
	struct fdisk_labelitem *item = fdisk_new_labelitem();
	uint64_t v = 0;

	if (item && fdisk_get_disklabel_item(cxt, id, item) == 0)
		fdisk_labelitem_get_data_u64(item, &v);
	fdisk_unref_labelitem(item);
	return v;
}

/* What the table itself takes: sector 0, and for GPT the header and entries, twice. */
static void table_reserved(struct fb_table *t)
{
	uint64_t ss = t->sector_size;

	if (strcmp(t->label, "gpt")) {
		t->reserved[0] = (struct fb_range){ 0, ss };
		t->n_reserved = 1;
		return;
	}
	uint64_t first = label_item(t->cxt, GPT_LABELITEM_ENTRIESLBA);
	uint64_t last = label_item(t->cxt, GPT_LABELITEM_ENTRIESLASTLBA);
	uint64_t alt = label_item(t->cxt, GPT_LABELITEM_ALTLBA);

	t->reserved[0] = (struct fb_range){ 0, (last + 1) * ss };
	t->reserved[1] = (struct fb_range){ (alt - (last - first + 1)) * ss, (alt + 1) * ss };
	t->n_reserved = 2;
}

static int table_open(struct fb_table *t, const char *image_path, struct ask_state *st)
{
	int r;

	t->cxt = fdisk_new_context();
	if (!t->cxt)
		return fb_err_errno(-ENOMEM, "cannot read layout '%s'", t->layout);
	r = fdisk_set_ask(t->cxt, ask_cb, st);
	if (r >= 0)
		r = fdisk_assign_device(t->cxt, image_path, 0);
	if (r < 0)
		return fb_err_errno(r, "cannot open image '%s' for partitioning", image_path);
	/* Partitioning a file: no signatures to wipe beyond what we write. */
	fdisk_enable_wipe(t->cxt, 0);
	t->sector_size = fdisk_get_sector_size(t->cxt);
	return 0;
}

int fb_table_plan(const char *layout, const char *image_path, const char *seed,
		  struct fb_table **ret)
{
	_cleanup_(fb_table_freep) struct fb_table *t = calloc(1, sizeof(*t));
	_cleanup_(fdisk_unref_scriptp) struct fdisk_script *dp = NULL;
	struct ask_state *st;
	int r;

	if (!t || !(t->priv = calloc(1, sizeof(*t->priv))) || !(t->layout = strdup(layout)))
		return fb_err_errno(-ENOMEM, "cannot read layout '%s'", layout);
	st = &t->priv->ask;
	r = table_open(t, image_path, st);
	if (r < 0)
		return r;
	dp = fdisk_new_script(t->cxt);
	if (!dp)
		return fb_err_errno(-ENOMEM, "cannot read layout '%s'", layout);
	r = table_read_script(t, dp);
	if (r < 0)
		return r;
	r = fdisk_apply_script_headers(t->cxt, dp);
	if (r < 0)
		return fb_err("%s: cannot create a '%s' partition table%s%s", layout,
			      fdisk_script_get_header(dp, "label"), st->msg[0] ? ": " : "",
			      st->msg);
	r = table_add_parts(t, dp, st, seed);
	if (r >= 0)
		r = table_disk_id(t, dp, seed);
	fdisk_set_script(t->cxt, NULL);
	if (r < 0)
		return r;
	t->label = strdup(fdisk_label_get_name(fdisk_get_label(t->cxt, NULL)));
	if (!t->label)
		return fb_err_errno(-ENOMEM, "cannot read layout '%s'", layout);
	table_reserved(t);
	r = table_collect(t);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(t);
	return 0;
}

int fb_table_write(struct fb_table *t)
{
	int r;

	r = fdisk_write_disklabel(t->cxt);
	if (r < 0)
		return fb_err_errno(r, "cannot write the partition table of '%s'", t->layout);
	/* Deassigning syncs and closes: a failure here is a failed write too. */
	r = fdisk_deassign_device(t->cxt, 0);
	if (r < 0)
		return fb_err_errno(r, "cannot write the partition table of '%s'", t->layout);
	return 0;
}

int fb_table_dump(struct fb_table *t, FILE *out)
{
	_cleanup_(fdisk_unref_scriptp) struct fdisk_script *dp = fdisk_new_script(t->cxt);
	int r;

	if (!dp)
		return -ENOMEM;
	r = fdisk_script_read_context(dp, t->cxt);
	if (r < 0)
		return r;
	return fdisk_script_write_file(dp, out);
}

struct fb_table *fb_table_free(struct fb_table *t)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->n_parts; i++) {
		free(t->parts[i].name);
		free(t->parts[i].type);
		free(t->parts[i].uuid);
	}
	free(t->parts);
	free(t->label);
	free(t->layout);
	fdisk_unref_context(t->cxt);
	free(t->priv);
	free(t);
	return NULL;
}

const struct fb_table_part *fb_table_find_name(const struct fb_table *t, const char *name)
{
	for (size_t i = 0; i < t->n_parts; i++)
		if (fb_streq_ptr(t->parts[i].name, name))
			return &t->parts[i];
	return NULL;
}

const struct fb_table_part *fb_table_find_partno(const struct fb_table *t, size_t partno)
{
	for (size_t i = 0; i < t->n_parts; i++)
		if (t->parts[i].partno == partno)
			return &t->parts[i];
	return NULL;
}
