// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bmap-read.h"
#include "core/log.h"
#include "core/util.h"
#include "core/xml-util.h"

struct parse_state {
	const char *why;
	int line;
	bool v2; /* format 2.x: SHA-256 checksums */
};

static int bad(struct parse_state *st, xmlNodePtr n, const char *why)
{
	st->why = why;
	st->line = n ? (int)xmlGetLineNo(n) : 0;
	return -EBADMSG;
}

/* An element's text as a number: " 4096 " -> 4096. */
static int node_u64(xmlNodePtr n, uint64_t *ret)
{
	xmlChar *t = xmlNodeGetContent(n);
	char *end;
	int r = -EINVAL;

	if (t) {
		const char *s = (const char *)t;

		while (*s == ' ' || *s == '\n' || *s == '\t')
			s++;
		errno = 0;
		*ret = strtoull(s, &end, 10);
		while (*end == ' ' || *end == '\n' || *end == '\t')
			end++;
		if (!errno && end != s && *end == '\0' && *s != '-')
			r = 0;
	}
	xmlFree(t);
	return r;
}

static bool is_hex(const char *s, size_t len)
{
	if (strlen(s) != len)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* "<Range chksum="...">  12-34 </Range>" */
static int parse_range(struct parse_state *st, xmlNodePtr n, struct fb_bmap_range *r)
{
	xmlChar *t = xmlNodeGetContent(n);
	xmlChar *sum = xmlGetProp(n, BAD_CAST(st->v2 ? "chksum" : "sha1"));
	unsigned long long a, b;
	int k = 0, used = 0;

	*r = (struct fb_bmap_range){ 0 };
	if (!t || sscanf((const char *)t, " %llu%n", &a, &used) != 1) {
		k = bad(st, n, "a range that is not 'FIRST' or 'FIRST-LAST'");
		goto out;
	}
	b = a;
	if (((const char *)t)[used] == '-' && sscanf((const char *)t + used + 1, "%llu", &b) != 1) {
		k = bad(st, n, "a range that is not 'FIRST' or 'FIRST-LAST'");
		goto out;
	}
	if (b < a) {
		k = bad(st, n, "a range that ends before it starts");
		goto out;
	}
	r->first = a;
	r->last = b;
	if (st->v2 && sum) {
		if (!is_hex((const char *)sum, FB_SHA256_HEX_LEN)) {
			k = bad(st, n, "a range checksum that is not a SHA-256");
			goto out;
		}
		memcpy(r->sha, sum, FB_SHA256_HEX_LEN + 1);
	}
out:
	xmlFree(t);
	xmlFree(sum);
	return k;
}

static int parse_blockmap(struct parse_state *st, xmlNodePtr map, struct fb_bmap *b)
{
	size_t cap = 0;

	for (xmlNodePtr n = map->children; n; n = n->next) {
		struct fb_bmap_range r;
		int k;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcmp(n->name, BAD_CAST "Range"))
			return bad(st, n, "an element other than <Range> in <BlockMap>");
		k = parse_range(st, n, &r);
		if (k < 0)
			return k;
		if (b->n && r.first <= b->ranges[b->n - 1].last)
			return bad(st, n, "ranges that overlap or are out of order");
		if (r.last >= b->blocks)
			return bad(st, n, "a range past the end of the image");
		if (b->n == cap) {
			struct fb_bmap_range *v;

			cap = cap ? cap * 2 : 64;
			v = reallocarray(b->ranges, cap, sizeof(*v));
			if (!v)
				return -ENOMEM;
			b->ranges = v;
		}
		b->ranges[b->n++] = r;
	}
	return 0;
}

static int parse_version(struct parse_state *st, xmlNodePtr root)
{
	xmlChar *v = xmlGetProp(root, BAD_CAST "version");
	int major = v ? atoi((const char *)v) : 0;

	xmlFree(v);
	if (major != 1 && major != 2)
		return bad(st, root, "an unsupported bmap version (1.x and 2.x are known)");
	st->v2 = major == 2;
	return 0;
}

static int parse_fields(struct parse_state *st, xmlNodePtr root, struct fb_bmap *b)
{
	uint64_t bs = 0, mapped = 0, sum = 0;
	bool have_size = false, have_map = false;
	int k;

	for (xmlNodePtr n = root->children; n; n = n->next) {
		const char *name = (const char *)n->name;
		uint64_t v;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp(name, "BlockMap")) {
			have_map = true;
			continue;
		}
		if (strcmp(name, "ImageSize") && strcmp(name, "BlockSize") &&
		    strcmp(name, "BlocksCount") && strcmp(name, "MappedBlocksCount"))
			continue;
		if (node_u64(n, &v) < 0)
			return bad(st, n, "a count that is not a number");
		if (!strcmp(name, "ImageSize"))
			b->image_size = v, have_size = true;
		else if (!strcmp(name, "BlockSize"))
			bs = v;
		else if (!strcmp(name, "BlocksCount"))
			b->blocks = v;
		else
			mapped = v;
	}
	if (!have_size || !have_map || bs == 0 || bs > (1U << 24) || bs % 512)
		return bad(st, root,
			   "no <ImageSize>, <BlockSize> or <BlockMap>, or a bad block size");
	b->block_size = (uint32_t)bs;
	if (b->blocks != (b->image_size + bs - 1) / bs)
		return bad(st, root, "<BlocksCount> does not match <ImageSize>");
	for (xmlNodePtr n = root->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, BAD_CAST "BlockMap")) {
			k = parse_blockmap(st, n, b);
			if (k < 0)
				return k;
		}
	for (size_t i = 0; i < b->n; i++)
		sum += b->ranges[i].last - b->ranges[i].first + 1;
	if (sum != mapped)
		return bad(st, root, "<MappedBlocksCount> does not match the ranges");
	b->mapped = mapped;
	return 0;
}

/* The file's own SHA-256, computed over the text with that checksum zeroed. */
static int check_file_checksum(struct parse_state *st, xmlNodePtr root, const char *text,
			       size_t len)
{
	_cleanup_(fb_sha256_freep) struct fb_sha256 *h = NULL;
	char want[FB_SHA256_HEX_LEN + 1] = "", got[FB_SHA256_HEX_LEN + 1];
	_cleanup_free_ char *copy = NULL;
	xmlNodePtr node = NULL;

	for (xmlNodePtr n = root->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, BAD_CAST "BmapFileChecksum"))
			node = n;
	if (!node)
		return 0; /* optional in bmaptool's format too */
	{
		xmlChar *t = xmlNodeGetContent(node);

		if (t)
			sscanf((const char *)t, " %64s", want);
		xmlFree(t);
	}
	if (!is_hex(want, FB_SHA256_HEX_LEN))
		return bad(st, node, "a <BmapFileChecksum> that is not a SHA-256");
	/* Not strndup(): TEXT need not end in a NUL, and the hash covers all LEN bytes. */
	copy = malloc(len + 1);
	h = fb_sha256_new();
	if (!copy || !h)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (char *p = copy; (p = strstr(p, want)); p += FB_SHA256_HEX_LEN)
		memset(p, '0', FB_SHA256_HEX_LEN);
	if (fb_sha256_update(h, copy, len) < 0 || fb_sha256_final_hex(h, got) < 0)
		return -EIO;
	if (strcmp(got, want))
		return bad(st, node, "the bmap file's own checksum does not match: it was changed");
	return 0;
}

int fb_bmap_parse(const char *text, size_t len, struct fb_bmap **ret, const char **ret_why,
		  int *ret_line)
{
	_cleanup_(xmlFreeDocp) xmlDocPtr doc = NULL;
	struct parse_state st = { 0 };
	struct fb_bmap *b;
	xmlNodePtr root;
	int k;

	*ret_why = NULL;
	*ret_line = 0;
	doc = xmlReadMemory(text, (int)len, "bmap", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *e = xmlGetLastError();

		*ret_why = "not well-formed XML";
		*ret_line = e ? e->line : 0;
		return -EBADMSG;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || xmlStrcmp(root->name, BAD_CAST "bmap")) {
		*ret_why = "no <bmap> root element";
		return -EBADMSG;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	k = parse_version(&st, root);
	if (k >= 0)
		k = parse_fields(&st, root, b);
	if (k >= 0 && st.v2)
		k = check_file_checksum(&st, root, text, len);
	if (k < 0) {
		*ret_why = st.why ? st.why : "out of memory";
		*ret_line = st.line;
		fb_bmap_free(b);
		return k;
	}
	*ret = b;
	return 0;
}

int fb_bmap_read(const char *path, char **ret_text, size_t *ret_len)
{
	struct stat st;
	int r;

	if (stat(path, &st) < 0)
		return fb_err_errno(-errno, "cannot read bmap '%s'", path);
	if (st.st_size > 256 * (off_t)FB_MiB)
		return fb_err("bmap '%s' is too large", path);
	r = fb_read_file(path, ret_text, ret_len);
	if (r < 0)
		return fb_err_errno(r, "cannot read bmap '%s'", path);
	return 0;
}

int fb_bmap_load_text(const char *path, const char *text, size_t len, struct fb_bmap **ret)
{
	const char *why;
	int line, r;

	r = fb_bmap_parse(text, len, ret, &why, &line);
	if (r == -EBADMSG && line)
		return fb_err("bmap '%s':%d: %s", path, line, why);
	if (r == -EBADMSG)
		return fb_err("bmap '%s': %s", path, why);
	if (r < 0)
		return fb_err_errno(r, "cannot read bmap '%s'", path);
	return 0;
}

int fb_bmap_load(const char *path, struct fb_bmap **ret)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	r = fb_bmap_read(path, &text, &len);
	return r < 0 ? r : fb_bmap_load_text(path, text, len, ret);
}

struct fb_bmap *fb_bmap_free(struct fb_bmap *b)
{
	if (b) {
		free(b->ranges);
		free(b);
	}
	return NULL;
}

void fb_bmap_range_bytes(const struct fb_bmap *b, size_t i, uint64_t *ret_off, uint64_t *ret_len)
{
	uint64_t off = b->ranges[i].first * b->block_size;
	uint64_t end = (b->ranges[i].last + 1) * b->block_size;

	if (end > b->image_size)
		end = b->image_size;
	*ret_off = off;
	*ret_len = end - off;
}
