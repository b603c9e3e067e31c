// SPDX-License-Identifier: GPL-2.0
/*
 * VICI wire codec, written from strongSwan's vici/README.md. Input comes
 * from a socket we do not control, so every length is checked against
 * what is left before it is used.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vici.h"

#define VICI_PREFIX	4

static const char *const elem_names[] = {
	[VICI_SECTION_START]	= "section start",
	[VICI_SECTION_END]	= "section end",
	[VICI_KEY_VALUE]	= "key-value",
	[VICI_LIST_START]	= "list start",
	[VICI_LIST_ITEM]	= "list item",
	[VICI_LIST_END]		= "list end",
};

__attribute__((format(printf, 2, 3)))
static void set_err(struct vici_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

bool vici_op_named(unsigned int op)
{
	return op == VICI_CMD_REQUEST || op == VICI_EVENT_REGISTER ||
	       op == VICI_EVENT_UNREGISTER || op == VICI_EVENT;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* ---- builder ---- */

__attribute__((format(printf, 2, 3)))
static int build_fail(struct vici_builder *b, const char *fmt, ...)
{
	va_list ap;

	/* keep the first error: later ones are usually its consequences */
	if (b->failed)
		return -1;
	b->failed = true;
	va_start(ap, fmt);
	vsnprintf(b->err.msg, sizeof(b->err.msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* room for n more bytes; the segment may never outgrow the daemon's cap */
static int build_reserve(struct vici_builder *b, size_t n)
{
	size_t want, cap;
	uint8_t *p;

	if (n > VICI_PREFIX + VICI_PACKET_MAX - b->len)
		return build_fail(b, "packet exceeds %d bytes",
				  VICI_PACKET_MAX);
	want = b->len + n;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap *= 2;
	p = realloc(b->buf, cap);
	if (!p)
		return build_fail(b, "out of memory");
	b->buf = p;
	b->cap = cap;
	return 0;
}

static void put(struct vici_builder *b, const void *p, size_t n)
{
	if (n)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void put_u8(struct vici_builder *b, unsigned int v)
{
	b->buf[b->len++] = (uint8_t)v;
}

static int check_name(struct vici_builder *b, const char *what,
		      const char *name)
{
	size_t n;

	if (!name)
		return build_fail(b, "%s without a name", what);
	n = strlen(name);
	if (!n)
		return build_fail(b, "empty %s name", what);
	if (n > VICI_NAME_MAX)
		return build_fail(b, "%s name of %zu bytes exceeds %d", what,
				  n, VICI_NAME_MAX);
	return 0;
}

/* element type, then name and value as the type wants them */
static int put_elem(struct vici_builder *b, enum vici_elem t,
		    const char *name, const void *val, size_t vlen)
{
	bool has_val = t == VICI_KEY_VALUE || t == VICI_LIST_ITEM;
	bool has_name = t == VICI_SECTION_START || t == VICI_KEY_VALUE ||
			t == VICI_LIST_START;
	size_t nlen;

	if (b->failed)
		return -1;
	if (has_name && check_name(b, elem_names[t], name))
		return -1;
	nlen = has_name ? strlen(name) : 0;
	if (has_val && vlen > VICI_VALUE_MAX)
		return build_fail(b, "%s value of %zu bytes exceeds %d",
				  elem_names[t], vlen, VICI_VALUE_MAX);
	if (has_val && vlen && !val)
		return build_fail(b, "%s value is NULL", elem_names[t]);
	if (build_reserve(b, 1 + (has_name ? 1 + nlen : 0) +
			  (has_val ? 2 + vlen : 0)))
		return -1;
	put_u8(b, t);
	if (has_name) {
		put_u8(b, nlen);
		put(b, name, nlen);
	}
	if (has_val) {
		put_u8(b, vlen >> 8);
		put_u8(b, vlen & 0xff);
		put(b, val, vlen);
	}
	return 0;
}

int vici_build_init(struct vici_builder *b, enum vici_op op,
		    const char *name)
{
	memset(b, 0, sizeof(*b));
	if ((unsigned int)op > VICI_EVENT)
		return build_fail(b, "unknown packet type %u",
				  (unsigned int)op);
	if (!vici_op_named(op) && name)
		return build_fail(b, "packet type %u takes no name",
				  (unsigned int)op);
	if (vici_op_named(op) && check_name(b, "packet", name))
		return -1;
	if (build_reserve(b, VICI_PREFIX + 1 + (name ? 1 + strlen(name) : 0)))
		return -1;
	/* the length prefix is filled in by vici_build_finish() */
	b->len = VICI_PREFIX;
	put_u8(b, op);
	if (name) {
		put_u8(b, strlen(name));
		put(b, name, strlen(name));
	}
	return 0;
}

/* lists hold only items: everything else is refused inside one */
static int not_in_list(struct vici_builder *b, enum vici_elem t)
{
	if (b->failed)
		return -1;
	if (b->in_list)
		return build_fail(b, "%s inside a list", elem_names[t]);
	return 0;
}

int vici_build_section(struct vici_builder *b, const char *name)
{
	if (not_in_list(b, VICI_SECTION_START))
		return -1;
	if (b->depth >= VICI_DEPTH_MAX)
		return build_fail(b, "sections nested deeper than %d",
				  VICI_DEPTH_MAX);
	if (put_elem(b, VICI_SECTION_START, name, NULL, 0))
		return -1;
	b->depth++;
	return 0;
}

int vici_build_section_end(struct vici_builder *b)
{
	if (not_in_list(b, VICI_SECTION_END))
		return -1;
	if (!b->depth)
		return build_fail(b, "section end without open section");
	if (put_elem(b, VICI_SECTION_END, NULL, NULL, 0))
		return -1;
	b->depth--;
	return 0;
}

int vici_build_kv(struct vici_builder *b, const char *key, const void *val,
		  size_t len)
{
	if (not_in_list(b, VICI_KEY_VALUE))
		return -1;
	return put_elem(b, VICI_KEY_VALUE, key, val, len);
}

int vici_build_kv_str(struct vici_builder *b, const char *key,
		      const char *val)
{
	if (!val)
		return build_fail(b, "key-value value is NULL");
	return vici_build_kv(b, key, val, strlen(val));
}

int vici_build_list(struct vici_builder *b, const char *name)
{
	if (not_in_list(b, VICI_LIST_START))
		return -1;
	if (put_elem(b, VICI_LIST_START, name, NULL, 0))
		return -1;
	b->in_list = true;
	return 0;
}

int vici_build_item(struct vici_builder *b, const void *val, size_t len)
{
	if (b->failed)
		return -1;
	if (!b->in_list)
		return build_fail(b, "list item outside a list");
	return put_elem(b, VICI_LIST_ITEM, NULL, val, len);
}

int vici_build_item_str(struct vici_builder *b, const char *val)
{
	if (!val)
		return build_fail(b, "list item value is NULL");
	return vici_build_item(b, val, strlen(val));
}

int vici_build_list_end(struct vici_builder *b)
{
	if (b->failed)
		return -1;
	if (!b->in_list)
		return build_fail(b, "list end outside a list");
	if (put_elem(b, VICI_LIST_END, NULL, NULL, 0))
		return -1;
	b->in_list = false;
	return 0;
}

static int build_list(struct vici_builder *b, const struct vici_node *l)
{
	const struct vici_node *c;

	if (vici_build_list(b, l->name))
		return -1;
	vici_for_each(c, l)
		if (c->type != VICI_N_ITEM ||
		    vici_build_item(b, c->value, c->len))
			return build_fail(b, "list member is not an item");
	return vici_build_list_end(b);
}

/* recursion is bounded: vici_build_section() refuses depth > 32 */
int vici_build_tree(struct vici_builder *b, const struct vici_node *sec)
{
	const struct vici_node *c;
	int r = 0;

	if (!sec || sec->type != VICI_N_SECTION)
		return build_fail(b, "tree root is not a section");
	vici_for_each(c, sec) {
		switch (c->type) {
		case VICI_N_SECTION:
			r = vici_build_section(b, c->name);
			if (!r)
				r = vici_build_tree(b, c);
			if (!r)
				r = vici_build_section_end(b);
			break;
		case VICI_N_KV:
			r = vici_build_kv(b, c->name, c->value, c->len);
			break;
		case VICI_N_LIST:
			r = build_list(b, c);
			break;
		default:
			r = build_fail(b, "list item outside a list");
		}
		if (r)
			return -1;
	}
	return 0;
}

int vici_build_finish(struct vici_builder *b, const uint8_t **pkt,
		      size_t *len)
{
	size_t n;

	if (b->failed)
		return -1;
	if (!b->buf)
		return build_fail(b, "builder not initialised");
	if (b->in_list)
		return build_fail(b, "unterminated list at end of message");
	if (b->depth)
		return build_fail(b, "%d unterminated section(s) at end of message",
				  b->depth);
	n = b->len - VICI_PREFIX;
	b->buf[0] = n >> 24;
	b->buf[1] = (n >> 16) & 0xff;
	b->buf[2] = (n >> 8) & 0xff;
	b->buf[3] = n & 0xff;
	*pkt = b->buf;
	*len = b->len;
	return 0;
}

void vici_build_free(struct vici_builder *b)
{
	free(b->buf);
	b->buf = NULL;
	b->len = b->cap = 0;
}

/* ---- splitter ---- */

static int split_name(const uint8_t *p, size_t n, struct vici_packet *pkt,
		      struct vici_err *err)
{
	/* offsets below are in the segment: prefix 4, type 1 */
	size_t nlen;

	if (n < 2) {
		set_err(err, "truncated packet name at offset 5");
		return -1;
	}
	nlen = p[1];
	if (!nlen) {
		set_err(err, "empty packet name at offset 5");
		return -1;
	}
	if (nlen > n - 2) {
		set_err(err, "truncated packet name at offset 5");
		return -1;
	}
	if (memchr(p + 2, 0, nlen)) {
		set_err(err, "NUL byte in packet name at offset 5");
		return -1;
	}
	memcpy(pkt->name, p + 2, nlen);
	pkt->name[nlen] = '\0';
	pkt->body = p + 2 + nlen;
	pkt->body_len = n - 2 - nlen;
	return 0;
}

int vici_split(const uint8_t *buf, size_t len, struct vici_packet *pkt,
	       struct vici_err *err)
{
	uint32_t n;

	memset(pkt, 0, sizeof(*pkt));
	if (len < VICI_PREFIX)
		return 0;
	n = get_be32(buf);
	/* refuse before anyone allocates or waits for the declared size */
	if (n > VICI_PACKET_MAX) {
		set_err(err, "packet length %u exceeds limit %d", n,
			VICI_PACKET_MAX);
		return -1;
	}
	if (!n) {
		set_err(err, "empty packet at offset 0");
		return -1;
	}
	pkt->total = VICI_PREFIX + (size_t)n;
	if (len < pkt->total)
		return 0;
	buf += VICI_PREFIX;
	if (buf[0] > VICI_EVENT) {
		set_err(err, "unknown packet type %u at offset 4", buf[0]);
		return -1;
	}
	pkt->type = buf[0];
	if (vici_op_named(buf[0]))
		return split_name(buf, n, pkt, err) ? -1 : 1;
	pkt->body = buf + 1;
	pkt->body_len = n - 1;
	return 1;
}

/* ---- parser ---- */

/*
 * Two passes over the same code: the first validates and counts nodes
 * and string bytes, the second fills one allocation of exactly that
 * size. So the tree costs one malloc and the second pass cannot fail.
 */
struct parser {
	const uint8_t *p;
	size_t len, off;
	struct vici_err *err;
	bool fill;
	size_t nnodes, nbytes;		/* counted, or used so far */
	struct vici_node *nodes;
	uint8_t *bytes;
	int depth;
	/* open sections; [0] is the root; tail: last child of each */
	struct vici_node *sec[VICI_DEPTH_MAX + 1];
	struct vici_node *tail[VICI_DEPTH_MAX + 1];
	size_t sec_off[VICI_DEPTH_MAX + 1];
	struct vici_node *list, *list_tail;
	size_t list_off;
	bool in_list;
};

__attribute__((format(printf, 2, 3)))
static int parse_fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int read_name(struct parser *ps, enum vici_elem t, size_t at,
		     const uint8_t **name, size_t *nlen)
{
	size_t left = ps->len - ps->off;

	if (left < 1 || ps->p[ps->off] > left - 1)
		return parse_fail(ps, "truncated %s name at offset %zu",
				  elem_names[t], at);
	*nlen = ps->p[ps->off];
	*name = ps->p + ps->off + 1;
	if (!*nlen)
		return parse_fail(ps, "empty %s name at offset %zu",
				  elem_names[t], at);
	/* names become C strings for lookups */
	if (memchr(*name, 0, *nlen))
		return parse_fail(ps, "NUL byte in %s name at offset %zu",
				  elem_names[t], at);
	ps->off += 1 + *nlen;
	return 0;
}

static int read_value(struct parser *ps, enum vici_elem t, size_t at,
		      const uint8_t **val, size_t *vlen)
{
	size_t left = ps->len - ps->off;

	if (left < 2)
		return parse_fail(ps, "truncated %s value at offset %zu",
				  elem_names[t], at);
	*vlen = (size_t)ps->p[ps->off] << 8 | ps->p[ps->off + 1];
	if (*vlen > left - 2)
		return parse_fail(ps, "truncated %s value at offset %zu",
				  elem_names[t], at);
	*val = ps->p + ps->off + 2;
	ps->off += 2 + *vlen;
	return 0;
}

/* a NUL-terminated copy in the string area, or just its size counted */
static const uint8_t *store(struct parser *ps, const uint8_t *s, size_t n)
{
	uint8_t *d;

	/* in the counting pass there is no area yet, not even a base */
	if (!ps->fill) {
		ps->nbytes += n + 1;
		return NULL;
	}
	d = ps->bytes + ps->nbytes;
	ps->nbytes += n + 1;
	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static struct vici_node *add_node(struct parser *ps,
				  enum vici_node_type type,
				  const uint8_t *name, size_t nlen,
				  const uint8_t *val, size_t vlen)
{
	struct vici_node *n, **tail;

	ps->nnodes++;
	if (name)
		name = store(ps, name, nlen);
	if (val)
		val = store(ps, val, vlen);
	if (!ps->fill)
		return NULL;
	n = &ps->nodes[ps->nnodes - 1];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->name = (const char *)name;
	n->value = val;
	n->len = vlen;
	if (type == VICI_N_ITEM) {
		tail = &ps->list_tail;
		if (*tail)
			(*tail)->next = n;
		else
			ps->list->first = n;
	} else {
		tail = &ps->tail[ps->depth];
		if (*tail)
			(*tail)->next = n;
		else
			ps->sec[ps->depth]->first = n;
	}
	*tail = n;
	return n;
}

static int parse_section_start(struct parser *ps, size_t at)
{
	const uint8_t *name;
	size_t nlen;
	struct vici_node *n;

	if (ps->depth >= VICI_DEPTH_MAX)
		return parse_fail(ps, "sections nested deeper than %d at offset %zu",
				  VICI_DEPTH_MAX, at);
	if (read_name(ps, VICI_SECTION_START, at, &name, &nlen))
		return -1;
	n = add_node(ps, VICI_N_SECTION, name, nlen, NULL, 0);
	ps->depth++;
	ps->sec[ps->depth] = n;
	ps->tail[ps->depth] = NULL;
	ps->sec_off[ps->depth] = at;
	return 0;
}

static int parse_list_start(struct parser *ps, size_t at)
{
	const uint8_t *name;
	size_t nlen;

	if (read_name(ps, VICI_LIST_START, at, &name, &nlen))
		return -1;
	ps->list = add_node(ps, VICI_N_LIST, name, nlen, NULL, 0);
	ps->list_tail = NULL;
	ps->list_off = at;
	ps->in_list = true;
	return 0;
}

static int parse_kv(struct parser *ps, size_t at)
{
	const uint8_t *name, *val;
	size_t nlen, vlen;

	if (read_name(ps, VICI_KEY_VALUE, at, &name, &nlen) ||
	    read_value(ps, VICI_KEY_VALUE, at, &val, &vlen))
		return -1;
	add_node(ps, VICI_N_KV, name, nlen, val, vlen);
	return 0;
}

static int parse_item(struct parser *ps, size_t at)
{
	const uint8_t *val;
	size_t vlen;

	if (read_value(ps, VICI_LIST_ITEM, at, &val, &vlen))
		return -1;
	add_node(ps, VICI_N_ITEM, NULL, 0, val, vlen);
	return 0;
}

/* the grammar: which element may appear where */
static int check_place(struct parser *ps, unsigned int t, size_t at)
{
	bool list_elem = t == VICI_LIST_ITEM || t == VICI_LIST_END;

	if (t < VICI_SECTION_START || t > VICI_LIST_END)
		return parse_fail(ps, "unknown element type %u at offset %zu",
				  t, at);
	if (ps->in_list && !list_elem)
		return parse_fail(ps, "%s inside a list at offset %zu",
				  elem_names[t], at);
	if (!ps->in_list && list_elem)
		return parse_fail(ps, "%s outside a list at offset %zu",
				  elem_names[t], at);
	if (t == VICI_SECTION_END && !ps->depth)
		return parse_fail(ps, "section end without open section at offset %zu",
				  at);
	return 0;
}

static int parse_elem(struct parser *ps)
{
	size_t at = ps->off;
	unsigned int t = ps->p[ps->off];

	if (check_place(ps, t, at))
		return -1;
	ps->off++;
	switch (t) {
	case VICI_SECTION_START:
		return parse_section_start(ps, at);
	case VICI_SECTION_END:
		ps->depth--;
		return 0;
	case VICI_KEY_VALUE:
		return parse_kv(ps, at);
	case VICI_LIST_START:
		return parse_list_start(ps, at);
	case VICI_LIST_ITEM:
		return parse_item(ps, at);
	default: /* VICI_LIST_END */
		ps->in_list = false;
		return 0;
	}
}

static int parse_pass(struct parser *ps)
{
	ps->off = 0;
	ps->depth = 0;
	ps->in_list = false;
	ps->nnodes = ps->nbytes = 0;
	/* the implicit root */
	ps->nnodes++;
	if (ps->fill) {
		memset(&ps->nodes[0], 0, sizeof(ps->nodes[0]));
		ps->nodes[0].type = VICI_N_SECTION;
		ps->sec[0] = &ps->nodes[0];
		ps->tail[0] = NULL;
	}
	while (ps->off < ps->len)
		if (parse_elem(ps))
			return -1;
	if (ps->in_list)
		return parse_fail(ps, "unterminated list opened at offset %zu",
				  ps->list_off);
	if (ps->depth)
		return parse_fail(ps, "unterminated section opened at offset %zu",
				  ps->sec_off[ps->depth]);
	return 0;
}

struct vici_node *vici_parse(const uint8_t *msg, size_t len,
			     struct vici_err *err)
{
	struct vici_err dummy;
	struct parser ps = { .p = msg, .len = len, .err = err ? err : &dummy };
	size_t nsize;
	void *mem;

	if (len > VICI_PACKET_MAX) {
		parse_fail(&ps, "message of %zu bytes exceeds limit %d", len,
			   VICI_PACKET_MAX);
		return NULL;
	}
	if (!msg && len) {
		parse_fail(&ps, "no message buffer");
		return NULL;
	}
	if (parse_pass(&ps))
		return NULL;
	/* bounded by the length cap: nodes <= len + 1, bytes <= 2 * len */
	nsize = ps.nnodes * sizeof(struct vici_node);
	mem = malloc(nsize + ps.nbytes);
	if (!mem) {
		parse_fail(&ps, "out of memory");
		return NULL;
	}
	ps.fill = true;
	ps.nodes = mem;
	ps.bytes = (uint8_t *)mem + nsize;
	if (parse_pass(&ps)) {
		/* cannot happen: same input, same checks */
		free(mem);
		return NULL;
	}
	return mem;
}

struct vici_node *vici_parse_packet(const uint8_t *buf, size_t len,
				    struct vici_packet *pkt,
				    struct vici_err *err)
{
	int r = vici_split(buf, len, pkt, err);

	if (r < 0)
		return NULL;
	if (!r) {
		set_err(err, "truncated packet: %zu of %zu bytes", len,
			pkt->total ? pkt->total : (size_t)VICI_PREFIX);
		return NULL;
	}
	if (len > pkt->total) {
		set_err(err, "%zu trailing bytes after packet at offset %zu",
			len - pkt->total, pkt->total);
		return NULL;
	}
	return vici_parse(pkt->body, pkt->body_len, err);
}

void vici_free(struct vici_node *root)
{
	free(root);
}

/* ---- accessors ---- */

const struct vici_node *vici_find(const struct vici_node *sec,
				  const char *name)
{
	const struct vici_node *c;

	if (!sec || sec->type != VICI_N_SECTION || !name)
		return NULL;
	vici_for_each(c, sec)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

const struct vici_node *vici_find_type(const struct vici_node *sec,
				       enum vici_node_type type,
				       const char *name)
{
	const struct vici_node *c = vici_find(sec, name);

	return c && c->type == type ? c : NULL;
}

const struct vici_node *vici_path(const struct vici_node *sec, ...)
{
	const char *name;
	va_list ap;

	va_start(ap, sec);
	while (sec && (name = va_arg(ap, const char *)))
		sec = vici_find(sec, name);
	va_end(ap);
	return sec;
}

size_t vici_count(const struct vici_node *n)
{
	const struct vici_node *c;
	size_t k = 0;

	if (!n || (n->type != VICI_N_SECTION && n->type != VICI_N_LIST))
		return 0;
	vici_for_each(c, n)
		k++;
	return k;
}

const char *vici_str(const struct vici_node *n)
{
	if (!n || (n->type != VICI_N_KV && n->type != VICI_N_ITEM))
		return NULL;
	/* a C string would silently stop at an embedded NUL */
	if (memchr(n->value, 0, n->len))
		return NULL;
	return (const char *)n->value;
}

const char *vici_get_str(const struct vici_node *sec, const char *key)
{
	return vici_str(vici_find_type(sec, VICI_N_KV, key));
}

int vici_get_u64(const struct vici_node *sec, const char *key,
		 uint64_t *out)
{
	const char *s = vici_get_str(sec, key);
	uint64_t v = 0;

	/* strtoull would accept spaces, signs and 0x: the daemon sends none */
	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}
