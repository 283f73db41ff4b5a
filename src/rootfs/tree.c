// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A base archive streamed through, with entries added on top.  Two small
 * indexes, both tsearch() trees keyed by path: the base's paths (type,
 * symlink target, hard-link bookkeeping) from a first read, and the added
 * entries with their data.  The second read of the base writes what is not
 * replaced; then the added entries follow in sorted order, so that every
 * parent comes before its children (tar extraction does not need that, the
 * kernel's cpio unpacker does).
 */
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "tree-internal.h"

/* More hops than this through symlinks is a loop, as for the kernel's path walk. */
#define MAX_SYMLINK_HOPS 40
/* Base files kept for fb_tree_read() are small text files (/etc/passwd). */
#define MAX_CAPTURE (1024 * 1024)

int fb_tree_path_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void *fb_tree_find(void *const *root, const char *path)
{
	void **p = tfind(&path, root, fb_tree_path_cmp);

	return p ? *p : NULL;
}

static void base_ent_free(void *p)
{
	struct base_ent *b = p;

	free(b->path);
	free(b->link);
	free(b);
}

static void node_free(void *p)
{
	struct node *n = p;

	free(n->path);
	free((char *)n->it.link);
	free((void *)n->it.data);
	free(n);
}

struct fb_tree *fb_tree_free(struct fb_tree *t)
{
	if (!t)
		return NULL;
	tdestroy(t->base_index, base_ent_free);
	tdestroy(t->nodes, node_free);
	for (size_t i = 0; i < t->n_caps; i++) {
		free(t->caps[i].path);
		free(t->caps[i].data);
	}
	free(t->caps);
	free(t->base);
	free(t);
	return NULL;
}

/* Reads the current file of E whole into a new buffer of its size (holes are zeros). */
static int slurp_entry(struct fb_entries *e, uint64_t size, char **ret)
{
	_cleanup_free_ char *data = calloc(1, size + 1);
	const void *buf;
	size_t len;
	uint64_t off;
	int r;

	if (!data)
		return -ENOMEM;
	while ((r = fb_entries_read(e, &buf, &len, &off)) > 0) {
		if (off > size || len > size - off)
			return -EBADMSG;
		memcpy(data + off, buf, len);
	}
	if (r < 0)
		return r;
	*ret = TAKE_PTR(data);
	return 0;
}

static int capture(struct fb_tree *t, struct fb_entries *e, const struct fb_entry *ent,
		   const char *const *names)
{
	struct capture *c;
	int r;

	for (; names && *names; names++)
		if (!strcmp(*names, ent->path))
			break;
	if (!names || !*names || ent->type != FB_ENTRY_REG || ent->size > MAX_CAPTURE)
		return 0;
	c = reallocarray(t->caps, t->n_caps + 1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	t->caps = c;
	c = &t->caps[t->n_caps];
	*c = (struct capture){ .path = strdup(ent->path), .size = ent->size };
	if (!c->path)
		return -ENOMEM;
	t->n_caps++;
	r = slurp_entry(e, ent->size, &c->data);
	return r == -EBADMSG ? fb_err_errno(r, "'%s': '%s' is damaged", t->base, ent->path) : r;
}

static int index_one(struct fb_tree *t, const struct fb_entry *ent)
{
	struct base_ent *b = calloc(1, sizeof(*b)), **slot, *target;

	if (!b || !(b->path = strdup(ent->path)) ||
	    (ent->type == FB_ENTRY_SYMLINK && !(b->link = strdup(ent->link)))) {
		if (b)
			base_ent_free(b);
		return -ENOMEM;
	}
	b->type = ent->type;
	slot = tsearch(b, &t->base_index, fb_tree_path_cmp);
	if (!slot) {
		base_ent_free(b);
		return -ENOMEM;
	}
	if (*slot != b) {
		/* The same path twice: the later entry is the one that counts. */
		(*slot)->type = b->type;
		free((*slot)->link);
		(*slot)->link = TAKE_PTR(b->link);
		base_ent_free(b);
	}
	if (ent->type == FB_ENTRY_HARDLINK) {
		target = fb_tree_find(&t->base_index, ent->link);
		if (target)
			target->link_target = true;
	}
	return 0;
}

static int index_base(struct fb_tree *t, const char *const *names)
{
	struct fb_entries *e = NULL;
	const struct fb_entry *ent;
	int r;

	r = fb_entries_open(t->base, NULL, &e);
	if (r < 0)
		return r;
	while ((r = fb_entries_next(e, &ent)) > 0) {
		r = index_one(t, ent);
		if (r >= 0)
			r = capture(t, e, ent, names);
		if (r < 0)
			break;
	}
	fb_entries_free(e);
	if (r == -ENOMEM)
		return fb_err_errno(r, "cannot read '%s'", t->base);
	return r;
}

int fb_tree_new(const char *base, const char *const *capture, int64_t mtime, struct fb_tree **ret)
{
	_cleanup_(fb_tree_freep) struct fb_tree *t = calloc(1, sizeof(*t));
	int r;

	if (!t || (base && !(t->base = strdup(base))))
		return fb_err_errno(-ENOMEM, "cannot start a file tree");
	t->mtime = mtime;
	if (base) {
		r = index_base(t, capture);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(t);
	return 0;
}

/* Where PATH leads: the target of a symlink there (added first, else the base's), or NULL. */
static const char *symlink_at(const struct fb_tree *t, const char *path)
{
	const struct node *n = fb_tree_find(&t->nodes, path);
	const struct base_ent *b;

	if (n)
		return n->it.type == FB_ENTRY_SYMLINK ? n->it.link : NULL;
	b = fb_tree_find(&t->base_index, path);
	return b && b->type == FB_ENTRY_SYMLINK ? b->link : NULL;
}

/* Appends "/COMP" (or COMP at the start) to the resolved prefix DONE of length *len. */
static void push_comp(char *done, size_t *len, const char *comp, size_t clen)
{
	if (*len)
		done[(*len)++] = '/';
	memcpy(done + *len, comp, clen);
	*len += clen;
	done[*len] = '\0';
}

/* REST := TARGET + "/" + REST (TARGET relative to the resolved prefix, or to "/"). */
static int splice_link(char **rest, const char *target, const char *tail)
{
	char *s;

	if (asprintf(&s, "%s/%s", target, tail) < 0)
		return -ENOMEM;
	free(*rest);
	*rest = s;
	return 0;
}

/*
 * PATH inside the tree, with the symlinks of its directories followed (and
 * of its last component with FOLLOW_LAST), as a chroot would see it.
 */
static int resolve(const struct fb_tree *t, const char *path, bool follow_last, char **ret)
{
	_cleanup_free_ char *rest = strdup(path), *done = NULL;
	size_t len = 0, cap = 0;
	int hops = 0, r;

	if (!rest)
		return -ENOMEM;
	for (char *p = rest; *p;) {
		size_t clen = strcspn(p, "/");
		const char *tail = p + clen + strspn(p + clen, "/"), *target;

		if (clen == 0 || (clen == 1 && p[0] == '.')) {
			p = (char *)tail;
			continue;
		}
		if (clen == 2 && p[0] == '.' && p[1] == '.') {
			while (len > 0 && done[len - 1] != '/')
				len--;
			len = len > 0 ? len - 1 : 0;
			if (done)
				done[len] = '\0';
			p = (char *)tail;
			continue;
		}
		if (len + clen + 2 > cap) {
			char *d = realloc(done, cap = (len + clen + 2) * 2);

			if (!d)
				return -ENOMEM;
			done = d;
		}
		push_comp(done, &len, p, clen);
		target = (*tail || follow_last) ? symlink_at(t, done) : NULL;
		if (!target) {
			p = (char *)tail;
			continue;
		}
		if (++hops > MAX_SYMLINK_HOPS)
			return -ELOOP;
		len -= clen + (len > clen);
		done[len] = '\0';
		if (target[0] == '/')
			len = 0;
		r = splice_link(&rest, target, tail);
		if (r < 0)
			return r;
		p = rest;
	}
	*ret = done ? TAKE_PTR(done) : strdup("");
	return *ret ? 0 : -ENOMEM;
}

static bool is_dir_at(const struct fb_tree *t, const char *path, bool *ret_exists)
{
	const struct node *n = fb_tree_find(&t->nodes, path);
	const struct base_ent *b = n ? NULL : fb_tree_find(&t->base_index, path);

	*ret_exists = n || b;
	return n ? n->it.type == FB_ENTRY_DIR : b && b->type == FB_ENTRY_DIR;
}

static int insert(struct fb_tree *t, const struct fb_tree_item *it, char *path);

/* Makes the missing directories above PATH, weak: a base directory there stays as it is. */
static int add_parents(struct fb_tree *t, const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	struct fb_tree_item d = { .type = FB_ENTRY_DIR, .mode = 0755, .weak = true };
	bool exists;
	int r;

	if (!dir)
		return -ENOMEM;
	for (char *s = strchr(dir, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (is_dir_at(t, dir, &exists)) {
			*s = '/';
			continue;
		}
		if (exists && fb_tree_find(&t->nodes, dir))
			return fb_err_errno(-ENOTDIR, "cannot add '%s': '%s' is not a directory",
					    path, dir);
		d.path = dir;
		r = insert(t, &d, strdup(dir));
		if (r < 0)
			return r;
		*s = '/';
	}
	return 0;
}

static int node_fill(struct node *n, const struct fb_tree_item *it)
{
	n->it = *it;
	n->it.path = n->path;
	n->it.link = NULL;
	n->it.data = NULL;
	if (it->link && !(n->it.link = strdup(it->link)))
		return -ENOMEM;
	if (it->size > 0) {
		void *d = malloc(it->size);

		if (!d)
			return -ENOMEM;
		memcpy(d, it->data, it->size);
		n->it.data = d;
	}
	return 0;
}

/* Takes PATH (resolved; NULL means out of memory). */
static int insert(struct fb_tree *t, const struct fb_tree_item *it, char *path)
{
	struct node *n, *old, **slot;
	int r;

	if (!path)
		return fb_err_errno(-ENOMEM, "cannot add '%s'", it->path);
	old = fb_tree_find(&t->nodes, path);
	if (old && old->it.type == FB_ENTRY_DIR && it->type == FB_ENTRY_DIR) {
		free(path);
		if (it->weak)
			return 0;
		old->it.mode = it->mode;
		old->it.uid = it->uid;
		old->it.gid = it->gid;
		old->it.weak = false;
		return 0;
	}
	if (old && old->it.type == FB_ENTRY_DIR) {
		free(path);
		return fb_err_errno(-EISDIR, "cannot replace directory '%s' with a file", it->path);
	}
	n = calloc(1, sizeof(*n));
	if (!n || (n->path = path, node_fill(n, it)) < 0) {
		if (n)
			node_free(n);
		else
			free(path);
		return fb_err_errno(-ENOMEM, "cannot add '%s'", it->path);
	}
	if (old) {
		tdelete(old, &t->nodes, fb_tree_path_cmp);
		node_free(old);
	}
	slot = tsearch(n, &t->nodes, fb_tree_path_cmp);
	r = slot ? 0 : -ENOMEM;
	if (r < 0) {
		node_free(n);
		return fb_err_errno(r, "cannot add '%s'", it->path);
	}
	return 0;
}

int fb_tree_add(struct fb_tree *t, const struct fb_tree_item *it)
{
	char *path = NULL;
	int r;

	r = resolve(t, it->path, it->type == FB_ENTRY_DIR, &path);
	if (r < 0)
		return fb_err_errno(r, "cannot add '%s'", it->path);
	if (!*path) {
		/* The root itself: the base's (or the archive default) stays. */
		free(path);
		return it->type == FB_ENTRY_DIR ? 0 : fb_err_errno(-EISDIR, "cannot add '/'");
	}
	r = add_parents(t, path);
	if (r < 0) {
		free(path);
		return r == -ENOMEM ? fb_err_errno(r, "cannot add '%s'", it->path) : r;
	}
	return insert(t, it, path);
}

int fb_tree_add_file(struct fb_tree *t, const char *path, mode_t mode, const char *text)
{
	struct fb_tree_item it = {
		.path = path, .type = FB_ENTRY_REG, .mode = mode, .data = text, .size = strlen(text)
	};

	return fb_tree_add(t, &it);
}

int fb_tree_add_dir(struct fb_tree *t, const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	struct fb_tree_item it = {
		.path = path, .type = FB_ENTRY_DIR, .mode = mode, .uid = uid, .gid = gid
	};

	return fb_tree_add(t, &it);
}

int fb_tree_add_symlink(struct fb_tree *t, const char *path, const char *target)
{
	struct fb_tree_item it = {
		.path = path, .type = FB_ENTRY_SYMLINK, .mode = 0777, .link = target
	};

	return fb_tree_add(t, &it);
}

int fb_tree_add_copy(struct fb_tree *t, const char *path, mode_t mode, const char *src)
{
	_cleanup_free_ char *data = NULL;
	struct fb_tree_item it = { .path = path, .type = FB_ENTRY_REG, .mode = mode };
	int r;

	r = fb_read_file(src, &data, &it.size);
	if (r < 0)
		return fb_err_errno(r, "cannot read '%s'", src);
	it.data = data;
	return fb_tree_add(t, &it);
}

/* One overlay entry; a hard link becomes a copy of its target (added just before). */
static int overlay_one(struct fb_tree *t, const char *dir, struct fb_entries *e,
		       const struct fb_entry *ent)
{
	_cleanup_free_ char *data = NULL;
	struct fb_tree_item it = { .path = ent->path,
				   .type = ent->type,
				   .mode = ent->mode,
				   .link = ent->link,
				   .major = ent->rdev_major,
				   .minor = ent->rdev_minor,
				   .weak = ent->type == FB_ENTRY_DIR };
	int r;

	if (ent->type == FB_ENTRY_SOCK) {
		fb_warn("overlay '%s': skipping socket '%s'", dir, ent->path);
		return 0;
	}
	if (ent->type == FB_ENTRY_HARDLINK) {
		it.type = FB_ENTRY_REG;
		it.link = NULL;
		r = fb_tree_read(t, ent->link, (const char **)&it.data, &it.size);
		if (r < 0)
			return fb_err_errno(r, "overlay '%s': cannot copy '%s' to '%s'", dir,
					    ent->link, ent->path);
		return fb_tree_add(t, &it);
	}
	if (ent->type == FB_ENTRY_REG) {
		r = slurp_entry(e, ent->size, &data);
		if (r < 0)
			return r == -ENOMEM ? fb_err_errno(r, "cannot read '%s'", dir) : r;
		it.data = data;
		it.size = ent->size;
	}
	return fb_tree_add(t, &it);
}

int fb_tree_add_overlay(struct fb_tree *t, const char *dir)
{
	struct fb_entries *e = NULL;
	const struct fb_entry *ent;
	struct stat st;
	int r;

	if (stat(dir, &st) < 0)
		return fb_err_errno(-errno, "cannot read overlay '%s'", dir);
	if (!S_ISDIR(st.st_mode))
		return fb_err_errno(-ENOTDIR, "overlay '%s' is not a directory", dir);
	r = fb_entries_open(dir, NULL, &e);
	if (r < 0)
		return r;
	while ((r = fb_entries_next(e, &ent)) > 0) {
		if (!*ent->path)
			continue;
		r = overlay_one(t, dir, e, ent);
		if (r < 0)
			break;
	}
	fb_entries_free(e);
	return r;
}

bool fb_tree_exists(const struct fb_tree *t, const char *path)
{
	_cleanup_free_ char *p = NULL;
	bool exists;

	if (resolve(t, path, true, &p) < 0)
		return false;
	(void)is_dir_at(t, p, &exists);
	return exists || !*p;
}

int fb_tree_read(const struct fb_tree *t, const char *path, const char **ret, size_t *ret_size)
{
	_cleanup_free_ char *p = NULL;
	const struct node *n;
	int r;

	r = resolve(t, path, true, &p);
	if (r < 0)
		return r;
	n = fb_tree_find(&t->nodes, p);
	if (n) {
		if (n->it.type != FB_ENTRY_REG)
			return -ENOENT;
		*ret = n->it.data ? n->it.data : "";
		*ret_size = n->it.size;
		return 0;
	}
	for (size_t i = 0; i < t->n_caps; i++)
		if (!strcmp(t->caps[i].path, p)) {
			*ret = t->caps[i].data;
			*ret_size = t->caps[i].size;
			return 0;
		}
	return -ENOENT;
}
