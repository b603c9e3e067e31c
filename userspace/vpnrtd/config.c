// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtd's configuration file (config.h, Documentation/vpnrtd-config.rst).
 *
 * Two stages. libyaml's event parser builds a small tree of our own
 * (scalars, lists, mappings), each node with its line; anchors, aliases
 * and tags are refused there, and the depth and size are bounded. Then
 * the tree is walked against the schema, filling struct cfg; every
 * error is recorded with its line and the whole file is checked, so the
 * caller gets all errors, sorted into file order.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "config.h"

#define CFG_FILE_MAX	(4u << 20)	/* bytes */
#define CFG_DEPTH_MAX	32		/* nested lists and mappings */
#define CFG_NODES_MAX	1000000u
#define PATHLEN		256
#define SHOW_MAX	40		/* bytes of a value quoted in a message */
#define CFG_ERRORS_MAX	10000		/* messages kept of one load */

/*
 * snprintf() through a function: paths and messages are cut at their
 * buffer's size on purpose, and GCC's -Wformat-truncation cannot know.
 */
static int __attribute__((format(printf, 3, 4)))
snp(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- errors ---- */

struct lerr {
	int line;
	unsigned int seq;
	char *msg;
};

struct ld {
	const char *file;
	struct lerr *e;
	int n, cap;
	bool oom;
	unsigned long nodes;
	unsigned long dropped;	/* errors past CFG_ERRORS_MAX */
	/*
	 * Lines are counted by '\n', as editors and grep -n do; libyaml
	 * also breaks lines at a lone '\r' and at U+0085, U+2028 and
	 * U+2029. When the input has none of those its line is ours;
	 * otherwise a mark's character index is looked up in nl, the
	 * character indexes of the '\n's.
	 */
	bool other_breaks;
	uint32_t *nl;
	size_t n_nl;
	int max_line;		/* 1 + the number of '\n' */
};

static void add_msg(struct ld *L, int line, char *msg)
{
	if (!msg) {
		L->oom = true;
		return;
	}
	if (L->n >= CFG_ERRORS_MAX) {
		free(msg);
		L->dropped++;
		return;
	}
	if (L->n == L->cap) {
		int cap = L->cap ? 2 * L->cap : 16;
		struct lerr *e = realloc(L->e, (size_t)cap * sizeof(*e));

		if (!e) {
			free(msg);
			L->oom = true;
			return;
		}
		L->e = e;
		L->cap = cap;
	}
	L->e[L->n].line = line;
	L->e[L->n].seq = (unsigned int)L->n;
	L->e[L->n].msg = msg;
	L->n++;
}

/* "FILE:LINE: PATH: what; allowed" */
static void __attribute__((format(printf, 4, 5)))
err_at(struct ld *L, int line, const char *path, const char *fmt, ...)
{
	char body[1024], *msg;
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (!*path)
		path = "(top)";
	n = snp(NULL, 0, "%s:%d: %s: %s", L->file, line, path, body);
	msg = malloc((size_t)n + 1);
	if (msg)
		snp(msg, (size_t)n + 1, "%s:%d: %s: %s", L->file, line, path, body);
	add_msg(L, line, msg);
}

/* a file-level error, no line: "FILE: what; allowed" */
static void __attribute__((format(printf, 2, 3)))
err_file(struct ld *L, const char *fmt, ...)
{
	char body[512], *msg;
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	n = snp(NULL, 0, "%s: %s", L->file, body);
	msg = malloc((size_t)n + 1);
	if (msg)
		snp(msg, (size_t)n + 1, "%s: %s", L->file, body);
	add_msg(L, 0, msg);
}

static int lerr_cmp(const void *a, const void *b)
{
	const struct lerr *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* hand the errors over to errs, in file order */
static void flush_errors(struct ld *L, struct cfg_errors *errs)
{
	char **m;
	int i;

	if (L->oom) {
		L->oom = false;
		err_file(L, "out of memory while reading it; more free memory required");
	}
	qsort(L->e, (size_t)L->n, sizeof(*L->e), lerr_cmp);
	if (L->dropped) {	/* last, after the sorted ones */
		unsigned long more = L->dropped + 1;	/* and the one replaced */
		char *msg;
		int n;

		n = snp(NULL, 0, "%s: %lu more errors not shown; fix the ones above first",
			L->file, more);
		msg = malloc((size_t)n + 1);
		if (msg) {
			snp(msg, (size_t)n + 1, "%s: %lu more errors not shown; fix the ones above first",
			    L->file, more);
			L->dropped = 0;
			L->n--;	/* make room: the cap is reached */
			free(L->e[L->n].msg);
			L->e[L->n].msg = msg;
			L->n++;
		}
	}
	m = realloc(errs->msg, (size_t)(errs->n + L->n + 1) * sizeof(*m));
	if (!m) {
		for (i = 0; i < L->n; i++)
			free(L->e[i].msg);
	} else {
		errs->msg = m;
		for (i = 0; i < L->n; i++)
			errs->msg[errs->n++] = L->e[i].msg;
	}
	free(L->e);
	L->e = NULL;
	L->n = L->cap = 0;
}

/* a value for a message: quoted, at most SHOW_MAX bytes, controls as '?' */
static const char *show(const char *s, char *buf, size_t len)
{
	size_t n = strlen(s), i, o = 0, max = SHOW_MAX;
	bool cut = n > max;

	if (cut)	/* do not cut a UTF-8 sequence */
		while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
			max--;
	buf[o++] = '"';
	for (i = 0; i < n && i < max && o + 5 < len; i++)
		buf[o++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (cut && o + 5 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* digits for a message: as they are, or cut */
static const char *num_show(const char *s, char *buf, size_t len)
{
	snp(buf, len, "%.20s%s", s, strlen(s) > 20 ? "..." : "");
	return buf;
}

/*
 * A parse.c message about value s turned into "what; allowed": their
 * "(allowed: X)" becomes "; X allowed", their "...: expected X" or
 * "...: write X" becomes "; expected X", and fallback is appended when
 * the message says nothing of what is allowed.
 */
static void adapt(const char *s, const char *msg, const char *fallback,
		  char *out, size_t len)
{
	size_t skip = 0, sl = strlen(s);
	const char *p;

	if (msg[0] == '"' && !strncmp(msg + 1, s, sl) && msg[sl + 1] == '"')
		skip = sl + 2;
	else if (!strncmp(msg, s, sl))
		skip = sl;
	p = strstr(msg + skip, " (allowed: ");
	if (p && p[strlen(p) - 1] == ')') {
		snp(out, len, "%.*s; %.*s allowed", (int)(p - msg), msg,
			 (int)(strlen(p) - 12), p + 11);
		return;
	}
	p = strstr(msg + skip, ": ");
	if (p) {
		snp(out, len, "%.*s; %s", (int)(p - msg), msg, p + 2);
		return;
	}
	if (strstr(msg + skip, "; ")) {
		snp(out, len, "%s", msg);
		return;
	}
	snp(out, len, "%s; %s", msg, fallback);
}

/* ---- the YAML tree ---- */

enum { YN_SCALAR, YN_SEQ, YN_MAP, YN_BAD };

struct yn {
	int type;
	bool plain;		/* a plain (unquoted) scalar */
	int line;		/* 1-based */
	char *s;		/* scalar, NUL-terminated */
	size_t len;		/* scalar bytes (may hold a NUL) */
	struct yn **kid;	/* list items; mapping: key, value, key, ... */
	size_t n, cap;
};

static void yn_free(struct yn *y)
{
	size_t i;

	if (!y)
		return;
	for (i = 0; i < y->n; i++)
		yn_free(y->kid[i]);
	free(y->kid);
	free(y->s);
	free(y);
}

static int yn_add(struct yn *parent, struct yn *kid)
{
	if (parent->n == parent->cap) {
		size_t cap = parent->cap ? 2 * parent->cap : 4;
		struct yn **k = realloc(parent->kid, cap * sizeof(*k));

		if (!k)
			return -1;
		parent->kid = k;
		parent->cap = cap;
	}
	parent->kid[parent->n++] = kid;
	return 0;
}

struct frame {
	struct yn *node;
};

/* the path of the node being built, from the stack */
static const char *stack_path(struct frame *st, int depth, char *buf, size_t len)
{
	size_t o = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < depth && o < len; i++) {
		const struct yn *y = st[i].node;
		bool top = i == depth - 1;	/* its new child is not added yet */

		if (y->type == YN_SEQ) {
			o += (size_t)snp(buf + o, len - o, "[%zu]", top ? y->n : y->n - 1);
		} else if (top ? y->n % 2 == 1 : y->n % 2 == 0) {
			/* the value under construction, and its key before it */
			const struct yn *k = y->kid[top ? y->n - 1 : y->n - 2];

			o += (size_t)snp(buf + o, len - o, "%s%s", o ? "." : "",
					      k->type == YN_SCALAR ? k->s : "?");
		} else {
			break;	/* a key is being read (a list or mapping as key) */
		}
	}
	if (!buf[0])
		snp(buf, len, "(top)");
	return buf;
}

static int map_lines(struct ld *L, const char *buf, size_t len)
{
	const unsigned char *u = (const unsigned char *)buf;
	size_t i, n = 0, chars = 0;

	for (i = 0; i < len; i++) {
		if (u[i] == '\n')
			n++;
		else if ((u[i] == '\r' && (i + 1 == len || u[i + 1] != '\n')) ||
			 (u[i] == 0xc2 && i + 1 < len && u[i + 1] == 0x85) ||
			 (u[i] == 0xe2 && i + 2 < len && u[i + 1] == 0x80 &&
			  (u[i + 2] == 0xa8 || u[i + 2] == 0xa9)))
			L->other_breaks = true;
	}
	L->max_line = (int)n + 1;	/* len <= 4 MiB */
	if (!L->other_breaks)
		return 0;
	L->nl = malloc((n ? n : 1) * sizeof(*L->nl));
	if (!L->nl)
		return -1;
	for (i = 0; i < len; i++) {
		if (u[i] == '\n')
			L->nl[L->n_nl++] = (uint32_t)chars;
		if ((u[i] & 0xc0) != 0x80)
			chars++;
	}
	return 0;
}

/* the 1-based line of a libyaml mark, in lines ended by '\n' */
static int mark_line(const struct ld *L, const yaml_mark_t *m)
{
	size_t lo = 0, hi = L->n_nl;
	int line;

	if (!L->other_breaks) {
		line = m->line >= (size_t)INT32_MAX ? INT32_MAX : (int)m->line + 1;
	} else {
		while (lo < hi) {	/* how many '\n' come before the mark */
			size_t mid = lo + (hi - lo) / 2;

			if (L->nl[mid] < m->index)
				lo = mid + 1;
			else
				hi = mid;
		}
		line = (int)lo + 1;
	}
	/* libyaml may place the end of the input after its last line */
	return line > L->max_line ? L->max_line : line;
}

static int offset_line(const char *buf, size_t len, size_t off)
{
	int line = 1;
	size_t i;

	for (i = 0; i < off && i < len; i++)
		if (buf[i] == '\n')
			line++;
	return line;
}

static void syntax_error(struct ld *L, yaml_parser_t *p, const char *buf,
			 size_t len)
{
	const char *problem = p->problem ? p->problem : "unknown error";
	int line;

	if (p->error == YAML_READER_ERROR) {
		line = offset_line(buf, len, p->problem_offset);
		if (p->problem_value != -1)
			err_at(L, line, "YAML syntax",
			       "%s (#%X at byte %zu); UTF-8 text without control characters allowed",
			       problem, (unsigned int)p->problem_value, p->problem_offset);
		else
			err_at(L, line, "YAML syntax",
			       "%s (at byte %zu); UTF-8 text without control characters allowed",
			       problem, p->problem_offset);
		return;
	}
	if (p->error == YAML_MEMORY_ERROR) {
		L->oom = true;
		return;
	}
	line = mark_line(L, &p->problem_mark);
	if (p->context)
		err_at(L, line, "YAML syntax", "%s (%s at line %d); valid YAML allowed",
		       problem, p->context, mark_line(L, &p->context_mark));
	else
		err_at(L, line, "YAML syntax", "%s; valid YAML allowed", problem);
}

/*
 * Build the tree of the one document in buf. NULL with errors recorded
 * when the YAML is broken; NULL without an error for an empty stream.
 * Refused constructs (anchors, aliases, tags) are reported and the walk
 * goes on: an alias becomes a YN_BAD node that the schema walk skips.
 */
static struct yn *build_tree(struct ld *L, const char *buf, size_t len,
			     bool *fatal)
{
	struct frame st[CFG_DEPTH_MAX + 1];
	struct yn *root = NULL;
	yaml_parser_t p;
	yaml_event_t ev;
	int depth = 0, docs = 0;
	char path[PATHLEN];
	bool done = false;

	*fatal = false;
	if (!yaml_parser_initialize(&p)) {
		L->oom = true;
		*fatal = true;
		return NULL;
	}
	if (map_lines(L, buf, len)) {
		yaml_parser_delete(&p);
		L->oom = true;
		*fatal = true;
		return NULL;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);	/* no UTF-16 */
	while (!done) {
		struct yn *y = NULL;
		const char *anchor = NULL, *tag = NULL;
		int line;

		if (!yaml_parser_parse(&p, &ev)) {
			syntax_error(L, &p, buf, len);
			*fatal = true;
			break;
		}
		line = mark_line(L, &ev.start_mark);
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				err_at(L, line, "YAML syntax",
				       "a second document; one document allowed");
				*fatal = true;
				done = true;
			}
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_ALIAS_EVENT:
			err_at(L, line, stack_path(st, depth, path, sizeof(path)),
			       "alias *%s; anchors and aliases are not supported, write the value out",
			       (const char *)ev.data.alias.anchor);
			y = calloc(1, sizeof(*y));
			if (y)
				y->type = YN_BAD;
			break;
		case YAML_SCALAR_EVENT:
			anchor = (const char *)ev.data.scalar.anchor;
			tag = (const char *)ev.data.scalar.tag;
			y = calloc(1, sizeof(*y));
			if (!y)
				break;
			y->type = YN_SCALAR;
			y->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			y->len = ev.data.scalar.length;
			y->s = malloc(y->len + 1);
			if (!y->s) {
				free(y);
				y = NULL;
				break;
			}
			memcpy(y->s, ev.data.scalar.value, y->len);
			y->s[y->len] = '\0';
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (ev.type == YAML_SEQUENCE_START_EVENT) {
				anchor = (const char *)ev.data.sequence_start.anchor;
				tag = (const char *)ev.data.sequence_start.tag;
			} else {
				anchor = (const char *)ev.data.mapping_start.anchor;
				tag = (const char *)ev.data.mapping_start.tag;
			}
			if (depth == CFG_DEPTH_MAX) {
				err_at(L, line, stack_path(st, depth, path, sizeof(path)),
				       "nested more than %d lists and mappings deep; at most %d levels allowed",
				       CFG_DEPTH_MAX, CFG_DEPTH_MAX);
				*fatal = true;
				done = true;
				break;
			}
			y = calloc(1, sizeof(*y));
			if (y)
				y->type = ev.type == YAML_SEQUENCE_START_EVENT ? YN_SEQ : YN_MAP;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
		if (anchor)
			err_at(L, line, stack_path(st, depth, path, sizeof(path)),
			       "anchor &%s; anchors and aliases are not supported, write the value out",
			       anchor);
		if (tag)
			err_at(L, line, stack_path(st, depth, path, sizeof(path)),
			       "tag %s; tags are not supported, write the value without one",
			       tag);
		if (y) {
			y->line = line;
			if (++L->nodes > CFG_NODES_MAX) {
				err_at(L, line, "YAML syntax",
				       "more than %u values; at most %u allowed",
				       CFG_NODES_MAX, CFG_NODES_MAX);
				yn_free(y);
				*fatal = true;
				done = true;
			} else if (depth == 0 && !root) {
				root = y;
			} else if (depth == 0 || yn_add(st[depth - 1].node, y)) {
				yn_free(y);	/* depth 0: cannot happen in one document */
				L->oom = depth > 0;
				*fatal = true;
				done = true;
			}
			if (!done && (y->type == YN_SEQ || y->type == YN_MAP))
				st[depth++].node = y;
		} else if (!done && (ev.type == YAML_SCALAR_EVENT ||
				     ev.type == YAML_ALIAS_EVENT ||
				     ev.type == YAML_SEQUENCE_START_EVENT ||
				     ev.type == YAML_MAPPING_START_EVENT)) {
			L->oom = true;
			*fatal = true;
			done = true;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (*fatal) {
		yn_free(root);
		return NULL;
	}
	return root;
}

/* ---- typed access to mappings ---- */

#define MAXK 16

struct mp {
	const struct yn *node;
	const char *const *names;
	const struct yn *k[MAXK], *v[MAXK];
	char path[PATHLEN];
};

static const char *type_name(const struct yn *y)
{
	return y->type == YN_SEQ ? "a list" : y->type == YN_MAP ? "a mapping" : "a value";
}

static bool is_null(const struct yn *y)
{
	return y->type == YN_SCALAR && y->plain &&
	       (!y->len || !strcmp(y->s, "~") || !strcmp(y->s, "null") ||
		!strcmp(y->s, "Null") || !strcmp(y->s, "NULL"));
}

static void key_list(const char *const *names, char *buf, size_t len)
{
	size_t o = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; names[i] && o < len; i++)
		o += (size_t)snp(buf + o, len - o, "%s%s", i ? ", " : "", names[i]);
}

/*
 * node as a mapping with the keys names (NULL-terminated): unknown and
 * duplicate keys are reported. false (reported) when node is not a
 * mapping; what says what the mapping holds, for that message.
 */
static bool mp_load(struct ld *L, struct mp *m, const struct yn *node,
		    int key_line, const char *path, const char *const *names,
		    const char *what)
{
	char allowed[512], sb[64];
	size_t i;
	int j;

	memset(m, 0, sizeof(*m));
	m->node = node;
	m->names = names;
	snp(m->path, sizeof(m->path), "%s", path);
	if (node->type == YN_BAD)
		return false;
	if (node->type != YN_MAP) {
		if (is_null(node))
			err_at(L, key_line, path, "no value; %s allowed", what);
		else if (node->type == YN_SCALAR)
			err_at(L, node->line, path, "%s is a string; %s allowed",
			       show(node->s, sb, sizeof(sb)), what);
		else
			err_at(L, key_line, path, "%s; %s allowed", type_name(node), what);
		return false;
	}
	key_list(names, allowed, sizeof(allowed));
	for (i = 0; i + 1 < node->n; i += 2) {
		const struct yn *k = node->kid[i], *v = node->kid[i + 1];
		char kp[PATHLEN];

		if (k->type == YN_BAD)
			continue;
		if (k->type != YN_SCALAR) {
			err_at(L, k->line, path, "%s as a key; keys are names: %s",
			       type_name(k), allowed);
			continue;
		}
		snp(kp, sizeof(kp), "%s%s%s", path, *path ? "." : "", k->s);
		for (j = 0; names[j]; j++)
			if (!strcmp(names[j], k->s) && strlen(k->s) == k->len)
				break;
		if (!names[j]) {
			err_at(L, k->line, kp, "unknown key; allowed keys: %s", allowed);
			continue;
		}
		if (m->k[j]) {
			err_at(L, k->line, kp, "given twice (first at line %d); each key once allowed",
			       m->k[j]->line);
			continue;
		}
		m->k[j] = k;
		m->v[j] = v;
	}
	return true;
}

static void kpath(const struct mp *m, int i, char *buf, size_t len)
{
	snp(buf, len, "%s%s%s", m->path, *m->path ? "." : "", m->names[i]);
}

/*
 * Node v (a mapping's value or a list's item) as a scalar: 0 absent, 1
 * with *s set, -1 wrong (reported). A null, a list, a mapping or a string
 * holding a NUL is wrong; key_line is where an empty value is reported.
 */
static int n_scalar(struct ld *L, const struct yn *v, int key_line,
		    const char *path, const char *allowed, const char **s)
{
	if (!v)
		return 0;
	if (v->type == YN_BAD)
		return -1;
	if (is_null(v)) {
		err_at(L, key_line, path, "no value; %s allowed", allowed);
		return -1;
	}
	if (v->type != YN_SCALAR) {
		err_at(L, key_line, path, "%s; %s allowed", type_name(v), allowed);
		return -1;
	}
	if (strlen(v->s) != v->len) {
		err_at(L, v->line, path, "contains a NUL character; %s allowed", allowed);
		return -1;
	}
	*s = v->s;
	return 1;
}

/* scalar i of m, as n_scalar() */
static int g_scalar(struct ld *L, const struct mp *m, int i, const char *allowed,
		    const char **s)
{
	char p[PATHLEN];

	if (!m->v[i])
		return 0;
	kpath(m, i, p, sizeof(p));
	return n_scalar(L, m->v[i], m->k[i]->line, p, allowed, s);
}

/*
 * List i of m: 0 absent, 1 with *out set, -1 wrong (reported, except a
 * refused alias). what names the items: "a list of <what> allowed".
 */
static int g_list(struct ld *L, const struct mp *m, int i, const char *what,
		  const struct yn **out)
{
	const struct yn *v = m->v[i];
	char p[PATHLEN];

	if (!v)
		return 0;
	if (v->type == YN_BAD)
		return -1;
	if (v->type != YN_SEQ) {
		kpath(m, i, p, sizeof(p));
		err_at(L, v->type == YN_SCALAR && !is_null(v) ? v->line : m->k[i]->line, p,
		       "%s; a list of %s allowed",
		       is_null(v) ? "no value" : v->type == YN_MAP ? "a mapping" : "a string",
		       what);
		return -1;
	}
	*out = v;
	return 1;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* an unquoted whole number min..max */
static int g_u32(struct ld *L, const struct mp *m, int i, uint32_t min,
		 uint32_t max, uint32_t *out)
{
	char allowed[64], p[PATHLEN], e[160], msg[256], sb[64];
	const char *s;
	int r;

	snp(allowed, sizeof(allowed), "a number %u..%u", min, max);
	r = g_scalar(L, m, i, allowed, &s);
	if (r <= 0)
		return r;
	kpath(m, i, p, sizeof(p));
	if (!m->v[i]->plain) {
		err_at(L, m->v[i]->line, p, "%s is quoted, a string; %s allowed, unquoted",
		       show(s, sb, sizeof(sb)), allowed);
		return -1;
	}
	if (all_digits(s) && strlen(s) > 10) {
		err_at(L, m->v[i]->line, p, "%s is out of range; %u..%u allowed",
		       num_show(s, sb, sizeof(sb)), min, max);
		return -1;
	}
	if (parse_u32(s, min, max, out, e, sizeof(e))) {
		adapt(s, e, "", msg, sizeof(msg));
		err_at(L, m->v[i]->line, p, "%s", msg);
		return -1;
	}
	return 1;
}

static int g_bool(struct ld *L, const struct mp *m, int i, bool *out)
{
	const char *s;
	char p[PATHLEN], sb[64];
	int r = g_scalar(L, m, i, "true or false", &s);

	if (r <= 0)
		return r;
	if (m->v[i]->plain) {
		if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
			*out = true;
			return 1;
		}
		if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
			*out = false;
			return 1;
		}
	}
	kpath(m, i, p, sizeof(p));
	err_at(L, m->v[i]->line, p, "%s%s is not a boolean; true or false allowed",
	       show(s, sb, sizeof(sb)), m->v[i]->plain ? "" : " (quoted)");
	return -1;
}

/* one of names[] (NULL-terminated): *out its index */
static int g_enum(struct ld *L, const struct mp *m, int i,
		  const char *const *names, int *out)
{
	char allowed[256], p[PATHLEN], sb[64];
	const char *s;
	size_t o = 0;
	int j, r;

	for (j = 0; names[j]; j++)
		o += (size_t)snp(allowed + o, sizeof(allowed) - o, "%s%s",
				      j ? (names[j + 1] ? ", " : " or ") : "", names[j]);
	r = g_scalar(L, m, i, allowed, &s);
	if (r <= 0)
		return r;
	for (j = 0; names[j]; j++) {
		if (!strcmp(s, names[j])) {
			*out = j;
			return 1;
		}
	}
	kpath(m, i, p, sizeof(p));
	err_at(L, m->v[i]->line, p, "%s; %s allowed", show(s, sb, sizeof(sb)), allowed);
	return -1;
}

/* a unicast host address */
static int g_addr(struct ld *L, const struct mp *m, int i, struct prefix *out)
{
	static const char allowed[] = "an IPv4 or IPv6 host address allowed, e.g. 192.0.2.1 or 2001:db8::1";
	char p[PATHLEN], e[160], msg[300], sb[64];
	const char *s;
	int r = g_scalar(L, m, i, "an IPv4 or IPv6 host address", &s);

	if (r <= 0)
		return r;
	kpath(m, i, p, sizeof(p));
	if (parse_addr(s, out, e, sizeof(e))) {
		adapt(s, e, allowed, msg, sizeof(msg));
		err_at(L, m->v[i]->line, p, "%s", msg);
		return -1;
	}
	if (out->family == AF_INET ?
	    (out->addr.v4.s_addr == 0 || out->addr.bytes[0] >= 224) :
	    (IN6_IS_ADDR_UNSPECIFIED(&out->addr.v6) || IN6_IS_ADDR_MULTICAST(&out->addr.v6))) {
		err_at(L, m->v[i]->line, p,
		       "%s is not a unicast host address; %s", show(s, sb, sizeof(sb)), allowed);
		return -1;
	}
	return 1;
}

/* node v as a prefix (host bits clear), as n_scalar() */
static int n_prefix(struct ld *L, const struct yn *v, int key_line,
		    const char *path, struct prefix *out)
{
	char e[200], msg[300];
	const char *s;
	int r = n_scalar(L, v, key_line, path, "a prefix like 10.0.0.0/8 or 2001:db8::/32", &s);

	if (r <= 0)
		return r;
	if (parse_prefix(s, out, e, sizeof(e))) {
		adapt(s, e, "a prefix like 10.0.0.0/8 or 2001:db8::/32 allowed",
		      msg, sizeof(msg));
		err_at(L, v->line, path, "%s", msg);
		return -1;
	}
	return 1;
}

static int g_prefix(struct ld *L, const struct mp *m, int i, struct prefix *out)
{
	char p[PATHLEN];

	if (!m->v[i])
		return 0;
	kpath(m, i, p, sizeof(p));
	return n_prefix(L, m->v[i], m->k[i]->line, p, out);
}

/* seconds: a number, or a number with unit s, m or h (lifetimes, DPD) */
static int g_seconds(struct ld *L, const struct mp *m, int i, uint32_t min,
		     uint32_t max, uint32_t *out)
{
	char allowed[128], p[PATHLEN], e[200], msg[300], sb[64];
	const char *s;
	size_t n;
	uint32_t v;
	int r;

	snp(allowed, sizeof(allowed),
		 "%u..%u seconds, as a number or with unit s, m or h (e.g. 3600, 60m, 1h)",
		 min, max);
	if (!m->v[i])
		return 0;
	if (m->v[i]->type == YN_SCALAR && all_digits(m->v[i]->s))
		return g_u32(L, m, i, min, max, out);
	r = g_scalar(L, m, i, allowed, &s);
	if (r <= 0)
		return r;
	kpath(m, i, p, sizeof(p));
	n = strlen(s);
	if (n >= 2 && (s[n - 1] == 'h' || (s[n - 1] == 'm' && s[n - 2] != 'm'))) {
		uint64_t mult = s[n - 1] == 'h' ? 3600 : 60, x = 0;
		size_t j;

		for (j = 0; j + 1 < n; j++) {
			if (!isdigit((unsigned char)s[j]) || x > UINT32_MAX)
				break;
			x = x * 10 + (uint64_t)(s[j] - '0');
		}
		if (j + 1 < n) {
			err_at(L, m->v[i]->line, p, "%s is not a duration; %s allowed",
			       show(s, sb, sizeof(sb)), allowed);
			return -1;
		}
		if (x * mult < min || x * mult > max) {
			err_at(L, m->v[i]->line, p, "%s is out of range; %s allowed",
			       show(s, sb, sizeof(sb)), allowed);
			return -1;
		}
		*out = (uint32_t)(x * mult);
		return 1;
	}
	if (n >= 2 && s[n - 1] == 's' && s[n - 2] == 'm') {
		err_at(L, m->v[i]->line, p, "%s is in milliseconds; %s allowed",
		       show(s, sb, sizeof(sb)), allowed);
		return -1;
	}
	if (parse_duration_ms(s, min * 1000u, max * 1000u, &v, e, sizeof(e))) {
		if (strstr(e, "out of range"))
			snp(msg, sizeof(msg), "%s is out of range; %s allowed",
				 show(s, sb, sizeof(sb)), allowed);
		else
			snp(msg, sizeof(msg), "%s is not a duration; %s allowed",
				 show(s, sb, sizeof(sb)), allowed);
		err_at(L, m->v[i]->line, p, "%s", msg);
		return -1;
	}
	if (v % 1000) {
		err_at(L, m->v[i]->line, p, "%s is not a whole number of seconds; %s allowed",
		       show(s, sb, sizeof(sb)), allowed);
		return -1;
	}
	*out = v / 1000;
	return 1;
}

/*
 * A key shared with another system (IKE psk, TCP MD5): 1..max printable
 * ASCII characters without space or '"', which every peer's CLI and
 * config file can hold unquoted or quoted. out has max + 1 bytes.
 */
static int g_secret(struct ld *L, const struct mp *m, int i, const char *what,
		    size_t max, char *out)
{
	char allowed[64], p[PATHLEN];
	const char *s, *c;
	int r;

	snp(allowed, sizeof(allowed), "%s of 1..%zu characters", what, max);
	r = g_scalar(L, m, i, allowed, &s);
	if (r <= 0)
		return r;
	kpath(m, i, p, sizeof(p));
	if (!*s || strlen(s) > max) {
		err_at(L, m->v[i]->line, p, "%zu characters; 1..%zu allowed", strlen(s), max);
		return -1;
	}
	for (c = s; *c; c++)
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f || *c == '"')
			break;
	if (*c) {
		err_at(L, m->v[i]->line, p,
		       "contains %s; letters, digits and the printable ASCII symbols except '\"' allowed, no spaces",
		       *c == ' ' ? "a space" : *c == '"' ? "'\"'" :
		       "a character other than printable ASCII");
		return -1;
	}
	strcpy(out, s);
	return 1;
}

/* "required" for a missing key i of m, reported at the mapping's line */
static void missing(struct ld *L, const struct mp *m, int i, const char *allowed)
{
	char p[PATHLEN];

	kpath(m, i, p, sizeof(p));
	err_at(L, m->node->line, p, "missing; %s required", allowed);
}

/* ---- names ---- */

/* what the kernel's dev_valid_name() takes, without '%' (a template) */
static bool ifname_ok(const char *s, char *why, size_t len)
{
	char sb[64];
	size_t n = strlen(s);
	const char *c;

	if (!n || n >= IFNAMSIZ) {
		bool ascii = true;

		for (c = s; *c; c++)
			if ((unsigned char)*c >= 0x80)
				ascii = false;
		snp(why, len, "%s has %zu %s; a device name of 1..%d %s allowed, without '/', ':', '%%' or spaces",
		    show(s, sb, sizeof(sb)), n, ascii ? "characters" : "bytes in UTF-8",
		    IFNAMSIZ - 1, ascii ? "characters" : "bytes");
		return false;
	}
	if (!strcmp(s, ".") || !strcmp(s, "..")) {
		snp(why, len, "%s is not a device name; a device name of 1..%d characters allowed, other than \".\" and \"..\"",
			 show(s, sb, sizeof(sb)), IFNAMSIZ - 1);
		return false;
	}
	for (c = s; *c; c++) {
		unsigned char u = (unsigned char)*c;

		if (u == '/' || u == ':' || u == '%' || u == ' ' ||
		    (u >= '\t' && u <= '\r') || u == 0xa0) {
			snp(why, len, "%s contains %s; a device name of 1..%d characters allowed, without '/', ':', '%%' or spaces",
			    show(s, sb, sizeof(sb)),
			    u == '/' ? "'/'" : u == ':' ? "':'" : u == '%' ? "'%'" :
			    u == ' ' ? "a space" : "white space",
			    IFNAMSIZ - 1);
			return false;
		}
	}
	return true;
}

/* letters and digits of ASCII, whatever the locale */
static bool ascii_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* what a character is, for a message: 'x', a control or non-ASCII one */
static const char *char_desc(char c, char *buf, size_t len)
{
	unsigned char u = (unsigned char)c;

	if (u >= 0x80)
		return "a non-ASCII character";
	if (u < 0x20 || u == 0x7f)
		return "a control character";
	if (u == ' ')
		return "a space";
	snp(buf, len, "'%c'", c);
	return buf;
}

/* the kernel's conn_name_ok(), and its length */
static bool conn_name_ok(const char *s, char *why, size_t len)
{
	static const char allowed[] = "1..31 letters, digits, '-', '_' or '.' allowed";
	char sb[64], cb[8];
	size_t n = strlen(s);
	const char *c;

	if (!n || n >= VPNRT_CONN_NAME_MAX) {
		snp(why, len, "%s has %zu characters; %s", show(s, sb, sizeof(sb)), n, allowed);
		return false;
	}
	for (c = s; *c; c++) {
		if (!ascii_alnum(*c) && *c != '-' && *c != '_' && *c != '.') {
			snp(why, len, "%s contains %s; %s", show(s, sb, sizeof(sb)),
			    char_desc(*c, cb, sizeof(cb)), allowed);
			return false;
		}
	}
	return true;
}

/* an FQDN: labels of 1..63 letters, digits and '-' (not first or last),
 * at most 253 bytes, the last label not all digits */
static bool fqdn_ok(const char *s)
{
	size_t n = strlen(s), lab = 0;
	bool digits = true;
	const char *c;

	if (!n || n > 253)
		return false;
	for (c = s;; c++) {
		if (!*c || *c == '.') {
			if (!lab || c[-1] == '-')
				return false;
			if (!*c)
				return !digits;
			lab = 0;
			digits = true;
			continue;
		}
		if (!ascii_alnum(*c) && *c != '-')
			return false;
		if (*c == '-' && !lab)
			return false;
		if (!isdigit((unsigned char)*c))
			digits = false;
		if (++lab > 63)
			return false;
	}
}

/* ---- sets of names and numbers, for uniqueness ---- */

struct hent {
	char *key;
	int line;
	char *owner;	/* the path of the first holder */
};

struct hset {
	struct hent *e;
	size_t cap, n;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct hent *hs_find(const struct hset *h, const char *key)
{
	size_t i;

	if (!h->cap)
		return NULL;
	for (i = hash_str(key) & (h->cap - 1); h->e[i].key; i = (i + 1) & (h->cap - 1))
		if (!strcmp(h->e[i].key, key))
			return &h->e[i];
	return NULL;
}

/* add key; NULL on success, else the entry that holds it already */
static const struct hent *hs_add(struct ld *L, struct hset *h, const char *key,
				 int line, const char *owner)
{
	struct hent *old = hs_find(h, key);
	size_t i;

	if (old)
		return old;
	if ((h->n + 1) * 2 > h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 64, j;
		struct hent *e = calloc(cap, sizeof(*e));

		if (!e) {
			L->oom = true;
			return NULL;
		}
		for (j = 0; j < h->cap; j++) {
			if (!h->e[j].key)
				continue;
			for (i = hash_str(h->e[j].key) & (cap - 1); e[i].key; i = (i + 1) & (cap - 1))
				;
			e[i] = h->e[j];
		}
		free(h->e);
		h->e = e;
		h->cap = cap;
	}
	for (i = hash_str(key) & (h->cap - 1); h->e[i].key; i = (i + 1) & (h->cap - 1))
		;
	h->e[i].key = strdup(key);
	h->e[i].owner = strdup(owner);
	if (!h->e[i].key || !h->e[i].owner) {
		free(h->e[i].key);
		free(h->e[i].owner);
		h->e[i].key = NULL;
		L->oom = true;
		return NULL;
	}
	h->e[i].line = line;
	h->n++;
	return NULL;
}

static void hs_free(struct hset *h)
{
	size_t i;

	for (i = 0; i < h->cap; i++) {
		free(h->e[i].key);
		free(h->e[i].owner);
	}
	free(h->e);
	memset(h, 0, sizeof(*h));
}

/* ---- IKE settings: layers and their resolution ---- */

enum {
	K_VERSION, K_MODE, K_PSK, K_LOCAL_ID, K_REMOTE_ID, K_ENCR, K_INTEG,
	K_DH, K_LIFETIME, K_DPD, K_DPD_DELAY, K_DPD_TIMEOUT, K_NATT,
	K_INITIATE, K_IKE_N
};
static const char *const ike_keys[] = {
	"version", "mode", "psk", "local-id", "remote-id", "encryption",
	"integrity", "dh-group", "lifetime", "dpd", "dpd-delay", "dpd-timeout",
	"nat-traversal", "initiate", NULL
};

enum { P_ENCR, P_INTEG, P_DH, P_LIFETIME, P_N };
static const char *const ipsec_keys[] = {
	"encryption", "integrity", "dh-group", "lifetime", NULL
};

static const char *const encr_names[] = {
	"aes", "aes128", "aes192", "aes256", "des", "3des", NULL
};
static const char *const integ_names[] = {
	"md5", "sha1", "sha256", "sha384", "sha512", NULL
};
static const char *const ike_dh_names[] = { "1", "2", "5", "14", NULL };
static const char *const ipsec_dh_names[] = { "1", "2", "5", "14", "disabled", NULL };
static const uint8_t dh_values[] = { 1, 2, 5, 14, 0 };

/* the keys one mapping (connection-wide or a tunnel's) gives */
struct ike_layer {
	int level;			/* 1 connection, 2 tunnel */
	char path[PATHLEN];		/* of its ike: mapping */
	char ppath[PATHLEN];		/* of its ipsec: mapping */
	int line[K_IKE_N];		/* 0: not given */
	int pline[P_N];
	struct cfg_ike v;
};

/* where a resolved setting came from */
struct ike_src {
	int level;			/* 0 default, 1 connection, 2 tunnel */
	int line;
	const char *path;		/* of the mapping */
};

static const struct cfg_ike ike_defaults = {
	.version = 2,
	.psk_generated = true,
	.ike = { CFG_ENCR_AES, CFG_INTEG_SHA1, 2, CFG_LIFETIME_DEF },
	.ipsec = { CFG_ENCR_AES, CFG_INTEG_SHA1, 2, CFG_LIFETIME_DEF },
	.dpd = true,
	.dpd_delay = 10,
	.dpd_timeout = 30,
	.nat_traversal = true,
	.initiate = true,
};

static void get_id(struct ld *L, const struct mp *m, int i, char *out,
		   int *line)
{
	struct prefix a;
	char p[PATHLEN], e[64], sb[64];
	const char *s;

	if (g_scalar(L, m, i, "an IP address or an FQDN", &s) <= 0)
		return;
	kpath(m, i, p, sizeof(p));
	if (strlen(s) > 253) {	/* longer than any address or FQDN */
		err_at(L, m->v[i]->line, p, "%zu characters; an IP address or an FQDN of at most 253 characters allowed",
		       strlen(s));
		return;
	}
	if (parse_addr(s, &a, e, sizeof(e)) && !fqdn_ok(s)) {
		err_at(L, m->v[i]->line, p,
		       "%s is neither an IP address nor an FQDN; an IP address or an FQDN (labels of letters, digits and '-', e.g. vpn.example.com) allowed",
		       show(s, sb, sizeof(sb)));
		return;
	}
	strcpy(out, s);
	*line = m->k[i]->line;
}

static void get_proposal_key(struct ld *L, const struct mp *m, int i, int key,
			     bool ipsec, struct cfg_proposal *pr, int *line)
{
	uint32_t u;
	int x;

	switch (key) {
	case P_ENCR:
		if (g_enum(L, m, i, encr_names, &x) > 0) {
			pr->encr = (uint8_t)x;
			*line = m->k[i]->line;
		}
		break;
	case P_INTEG:
		if (g_enum(L, m, i, integ_names, &x) > 0) {
			pr->integ = (uint8_t)x;
			*line = m->k[i]->line;
		}
		break;
	case P_DH:
		if (g_enum(L, m, i, ipsec ? ipsec_dh_names : ike_dh_names, &x) > 0) {
			pr->dh_group = dh_values[x];
			*line = m->k[i]->line;
		}
		break;
	case P_LIFETIME:
		if (g_seconds(L, m, i, 0, CFG_LIFETIME_MAX, &u) > 0) {
			pr->lifetime = u;
			*line = m->k[i]->line;
		}
		break;
	}
}

static void parse_ike(struct ld *L, const struct yn *node, int key_line,
		      const char *path, struct ike_layer *ly)
{
	static const char *const versions[] = { "ikev1", "ikev2", NULL };
	static const char *const modes[] = { "main", "aggressive", NULL };
	static const int pkey[] = {
		[K_ENCR] = P_ENCR, [K_INTEG] = P_INTEG, [K_DH] = P_DH,
		[K_LIFETIME] = P_LIFETIME,
	};
	char p[PATHLEN], sb[64];
	struct mp m;
	uint32_t u;
	bool b;
	int i, x;

	snp(ly->path, sizeof(ly->path), "%s", path);
	if (!mp_load(L, &m, node, key_line, path, ike_keys, "a mapping of IKE settings"))
		return;
	for (i = 0; i < K_IKE_N; i++) {
		if (!m.v[i])
			continue;
		kpath(&m, i, p, sizeof(p));
		switch (i) {
		case K_VERSION:
			if (g_enum(L, &m, i, versions, &x) > 0) {
				ly->v.version = (uint8_t)(x + 1);
				ly->line[i] = m.k[i]->line;
			}
			break;
		case K_MODE:
			if (g_enum(L, &m, i, modes, &x) > 0) {
				ly->v.aggressive = x == 1;
				ly->line[i] = m.k[i]->line;
			}
			break;
		case K_PSK:
			if (g_secret(L, &m, i, "a pre-shared key", CFG_PSK_MAX, ly->v.psk) > 0) {
				ly->v.psk_generated = false;
				ly->line[i] = m.k[i]->line;
			}
			break;
		case K_LOCAL_ID:
			get_id(L, &m, i, ly->v.local_id, &ly->line[i]);
			break;
		case K_REMOTE_ID:
			get_id(L, &m, i, ly->v.remote_id, &ly->line[i]);
			break;
		case K_ENCR:
		case K_INTEG:
		case K_LIFETIME:
			get_proposal_key(L, &m, i, pkey[i], false, &ly->v.ike, &ly->line[i]);
			break;
		case K_DH:
			if (m.v[i]->type == YN_SCALAR && !strcmp(m.v[i]->s, "disabled")) {
				err_at(L, m.v[i]->line, p,
				       "%s: IKE (phase 1) always uses a DH group; 1, 2, 5 or 14 allowed (disabled only under ipsec)",
				       show(m.v[i]->s, sb, sizeof(sb)));
				break;
			}
			get_proposal_key(L, &m, i, P_DH, false, &ly->v.ike, &ly->line[i]);
			break;
		case K_DPD:
		case K_NATT:
		case K_INITIATE:
			if (g_bool(L, &m, i, &b) > 0) {
				if (i == K_DPD)
					ly->v.dpd = b;
				else if (i == K_NATT)
					ly->v.nat_traversal = b;
				else
					ly->v.initiate = b;
				ly->line[i] = m.k[i]->line;
			}
			break;
		case K_DPD_DELAY:
			if (g_seconds(L, &m, i, 1, 3600, &u) > 0) {
				ly->v.dpd_delay = u;
				ly->line[i] = m.k[i]->line;
			}
			break;
		case K_DPD_TIMEOUT:
			if (g_seconds(L, &m, i, 2, 86400, &u) > 0) {
				ly->v.dpd_timeout = u;
				ly->line[i] = m.k[i]->line;
			}
			break;
		}
	}
}

static void parse_ipsec(struct ld *L, const struct yn *node, int key_line,
			const char *path, struct ike_layer *ly)
{
	struct mp m;
	int i;

	snp(ly->ppath, sizeof(ly->ppath), "%s", path);
	if (!mp_load(L, &m, node, key_line, path, ipsec_keys,
		     "a mapping of IPsec (phase 2) settings"))
		return;
	for (i = 0; i < P_N; i++)
		if (m.v[i])
			get_proposal_key(L, &m, i, i, true, &ly->v.ipsec, &ly->pline[i]);
}

/* the settings of one tunnel: defaults, then c, then t (either NULL) */
static void ike_resolve(const struct ike_layer *c, const struct ike_layer *t,
			struct cfg_ike *out, struct ike_src src[K_IKE_N])
{
	const struct ike_layer *ly[2] = { c, t };
	int k, i;

	*out = ike_defaults;
	for (i = 0; i < K_IKE_N; i++)
		src[i] = (struct ike_src){ 0, 0, NULL };
	for (k = 0; k < 2; k++) {
		const struct ike_layer *l = ly[k];

		if (!l)
			continue;
		for (i = 0; i < K_IKE_N; i++) {
			if (!l->line[i])
				continue;
			src[i] = (struct ike_src){ l->level, l->line[i], l->path };
			switch (i) {
			case K_VERSION: out->version = l->v.version; break;
			case K_MODE: out->aggressive = l->v.aggressive; break;
			case K_PSK:
				memcpy(out->psk, l->v.psk, sizeof(out->psk));
				out->psk_generated = false;
				break;
			case K_LOCAL_ID:
				memcpy(out->local_id, l->v.local_id, sizeof(out->local_id));
				break;
			case K_REMOTE_ID:
				memcpy(out->remote_id, l->v.remote_id, sizeof(out->remote_id));
				break;
			case K_ENCR: out->ike.encr = l->v.ike.encr; break;
			case K_INTEG: out->ike.integ = l->v.ike.integ; break;
			case K_DH: out->ike.dh_group = l->v.ike.dh_group; break;
			case K_LIFETIME: out->ike.lifetime = l->v.ike.lifetime; break;
			case K_DPD: out->dpd = l->v.dpd; break;
			case K_DPD_DELAY: out->dpd_delay = l->v.dpd_delay; break;
			case K_DPD_TIMEOUT: out->dpd_timeout = l->v.dpd_timeout; break;
			case K_NATT: out->nat_traversal = l->v.nat_traversal; break;
			case K_INITIATE: out->initiate = l->v.initiate; break;
			}
		}
		if (l->pline[P_ENCR])
			out->ipsec.encr = l->v.ipsec.encr;
		if (l->pline[P_INTEG])
			out->ipsec.integ = l->v.ipsec.integ;
		if (l->pline[P_DH])
			out->ipsec.dh_group = l->v.ipsec.dh_group;
		if (l->pline[P_LIFETIME])
			out->ipsec.lifetime = l->v.ipsec.lifetime;
	}
}

static const char *src_desc(const struct ike_src *s, char *buf, size_t len)
{
	if (!s->level)
		snp(buf, len, "(the default)");
	else
		snp(buf, len, "(line %d)", s->line);
	return buf;
}

/* reported (rule, line) pairs of one connection: its tunnels share keys */
struct seen {
	int n;
	int rule[8], line[8];
};

static bool seen_once(struct seen *s, int rule, int line)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->rule[i] == rule && s->line[i] == line)
			return false;
	if (s->n < 8) {
		s->rule[s->n] = rule;
		s->line[s->n] = line;
		s->n++;
	}
	return true;
}

/* of keys a[0..n), the one to blame: given, latest level, then line */
static int blame(const struct ike_src *src, const int *a, int n)
{
	int i, best = -1;

	for (i = 0; i < n; i++) {
		const struct ike_src *s = &src[a[i]];

		if (!s->level)
			continue;
		if (best < 0 || s->level > src[best].level ||
		    (s->level == src[best].level && s->line > src[best].line))
			best = a[i];
	}
	return best;
}

static void ike_rule_err(struct ld *L, struct seen *seen, int rule,
			 const struct ike_src *src, int key, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void ike_rule_err(struct ld *L, struct seen *seen, int rule,
			 const struct ike_src *src, int key, const char *fmt, ...)
{
	char body[512], p[PATHLEN];
	va_list ap;

	if (!seen_once(seen, rule, src[key].line))
		return;
	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	snp(p, sizeof(p), "%s.%s", src[key].path, ike_keys[key]);
	err_at(L, src[key].line, p, "%s", body);
}

/* the rules between keys, on one tunnel's resolved settings */
static void ike_check(struct ld *L, struct seen *seen, const struct cfg_ike *k,
		      const struct ike_src *src)
{
	char d1[32], d2[32];
	int b;

	if (k->aggressive && k->version != 1) {
		static const int inv[] = { K_MODE, K_VERSION };

		b = blame(src, inv, 2);
		if (b == K_MODE)
			ike_rule_err(L, seen, 1, src, b,
				     "aggressive needs version ikev1, and the version is ikev2 %s; main allowed with ikev2",
				     src_desc(&src[K_VERSION], d1, sizeof(d1)));
		else
			ike_rule_err(L, seen, 1, src, b,
				     "ikev2 with mode aggressive %s; ikev1 allowed with mode aggressive",
				     src_desc(&src[K_MODE], d1, sizeof(d1)));
	}
	if (k->version == 1 && k->dpd_timeout <= k->dpd_delay) {
		static const int inv[] = { K_DPD_TIMEOUT, K_DPD_DELAY, K_VERSION };

		b = blame(src, inv, 3);
		if (b == K_DPD_TIMEOUT)
			ike_rule_err(L, seen, 2, src, b,
				     "%u is not above dpd-delay %u %s; with ikev1 a dpd-timeout above dpd-delay allowed",
				     k->dpd_timeout, k->dpd_delay,
				     src_desc(&src[K_DPD_DELAY], d1, sizeof(d1)));
		else if (b == K_DPD_DELAY)
			ike_rule_err(L, seen, 2, src, b,
				     "%u is not below dpd-timeout %u %s; with ikev1 a dpd-delay below dpd-timeout allowed",
				     k->dpd_delay, k->dpd_timeout,
				     src_desc(&src[K_DPD_TIMEOUT], d1, sizeof(d1)));
		else
			ike_rule_err(L, seen, 2, src, b,
				     "ikev1 with dpd-timeout %u %s not above dpd-delay %u %s; with ikev1 a dpd-timeout above dpd-delay allowed",
				     k->dpd_timeout, src_desc(&src[K_DPD_TIMEOUT], d1, sizeof(d1)),
				     k->dpd_delay, src_desc(&src[K_DPD_DELAY], d2, sizeof(d2)));
	}
	/* an inherited dpd-timeout under a tunnel's own ikev2 is unused */
	if (k->version == 2 && src[K_DPD_TIMEOUT].level &&
	    src[K_DPD_TIMEOUT].level >= src[K_VERSION].level) {
		static const int inv[] = { K_DPD_TIMEOUT, K_VERSION };

		b = blame(src, inv, 2);
		if (b == K_DPD_TIMEOUT)
			ike_rule_err(L, seen, 3, src, b,
				     "IKEv1 only, and the version is ikev2 %s; dpd-timeout allowed with version ikev1 only",
				     src_desc(&src[K_VERSION], d1, sizeof(d1)));
		else
			ike_rule_err(L, seen, 3, src, b,
				     "ikev2 with dpd-timeout %s, which is IKEv1 only; ikev1 allowed with dpd-timeout",
				     src_desc(&src[K_DPD_TIMEOUT], d1, sizeof(d1)));
	}
}

/* ---- the schema walk ---- */

enum { Q_CONNS, Q_BGP_ROUTES, Q_PEER_ROUTES, Q_BGP_PEERS, Q_POLICY_ROUTES, Q_N };

/* what the walk keeps of the gateway being read, for rules across it */
struct gw_walk {
	struct cfg_gw *gw;
	int qline[Q_N];		/* of the quotas given; 0: the default */
	uint32_t policy_routes;	/* counted so far */
	struct hset cidrs;	/* tunnel-cidr: unique per gateway */
	bool asn_ok;		/* bgp.local-asn valid: compare peers to it */
	int asn_line;		/* of bgp.local-asn; 0: the default */
};

struct walk {
	struct ld *L;
	struct cfg *cfg;
	struct hset gw_names, devs, conn_names, ids, if_ids, pairs;
	struct gw_walk *g;	/* the gateway being read */
};

/* where quota q of the gateway being read comes from, for messages */
static const char *quota_src(const struct walk *W, int q, char *buf, size_t len)
{
	if (W->g->qline[q])
		snp(buf, len, "line %d", W->g->qline[q]);
	else
		snp(buf, len, "the default");
	return buf;
}

/* a name or number into a uniqueness set: error at the second holder */
static bool unique(struct walk *W, struct hset *h, const char *key, int line,
		   const char *path, const char *what, const char *allowed)
{
	const struct hent *e = hs_add(W->L, h, key, line, path);

	if (e)
		err_at(W->L, line, path, "%s %s is already used by %s (line %d); %s",
		       what, key, e->owner, e->line, allowed);
	return !e;
}

enum { H_DST, H_SRC, H_INTERVAL, H_RETRIES, H_RISE, H_POLICY, H_TIMEOUT, H_N };
static const char *const health_keys[] = {
	"dst", "src", "interval", "retries", "rise", "policy", "timeout", NULL
};

static void parse_health(struct ld *L, const struct yn *node, int key_line,
			 const char *path, struct cfg_health *h)
{
	static const char *const policies[] = {
		"revoke-route", "reserve-route", "revoke_route", "reserve_route", NULL
	};
	char p[PATHLEN], e[200], msg[300], a1[PREFIX_STRLEN], a2[PREFIX_STRLEN];
	const char *s;
	struct mp m;
	int x, rd, rs;

	memset(h, 0, sizeof(*h));
	h->interval_ms = 3000;
	h->retries = 3;
	h->rise = 1;
	h->policy = VPNRT_HEALTH_REVOKE_ROUTE;
	if (!mp_load(L, &m, node, key_line, path, health_keys,
		     "a mapping with dst, src, interval, timeout, retries, rise, policy"))
		return;
	h->enabled = true;
	rd = g_addr(L, &m, H_DST, &h->dst);
	if (!rd)
		missing(L, &m, H_DST, "the address probed through the tunnel (data-centre side)");
	rs = g_addr(L, &m, H_SRC, &h->src);
	if (!rs)
		missing(L, &m, H_SRC, "the probes' source address (gateway side)");
	if (rd > 0 && rs > 0) {
		kpath(&m, H_SRC, p, sizeof(p));
		if (h->dst.family != h->src.family)
			err_at(L, m.v[H_SRC]->line, p,
			       "%s is IPv%d and dst %s is IPv%d; one family allowed",
			       format_prefix(&h->src, true, a1, sizeof(a1)),
			       h->src.family == AF_INET ? 4 : 6,
			       format_prefix(&h->dst, true, a2, sizeof(a2)),
			       h->dst.family == AF_INET ? 4 : 6);
		else if (!memcmp(&h->dst.addr, &h->src.addr, sizeof(h->dst.addr)))
			err_at(L, m.v[H_SRC]->line, p, "%s is also dst; a source other than dst allowed",
			       format_prefix(&h->src, true, a1, sizeof(a1)));
	}
	if (g_scalar(L, &m, H_INTERVAL, "a duration 10ms..60s, like 100ms, 3s or 1.5s", &s) > 0 &&
	    parse_duration_ms(s, 10, 60000, &h->interval_ms, e, sizeof(e))) {
		kpath(&m, H_INTERVAL, p, sizeof(p));
		adapt(s, e, "a duration 10ms..60s allowed, like 100ms, 3s or 1.5s", msg, sizeof(msg));
		err_at(L, m.v[H_INTERVAL]->line, p, "%s", msg);
		h->interval_ms = 3000;
	}
	h->timeout_ms = h->interval_ms;
	if (g_scalar(L, &m, H_TIMEOUT, "a duration 10ms..60s, like 100ms, 3s or 1.5s", &s) > 0) {
		kpath(&m, H_TIMEOUT, p, sizeof(p));
		if (parse_duration_ms(s, VPNRT_HEALTH_TIMEOUT_MIN, VPNRT_HEALTH_TIMEOUT_MAX,
				      &h->timeout_ms, e, sizeof(e))) {
			adapt(s, e, "a duration 10ms..60s allowed, like 100ms, 3s or 1.5s",
			      msg, sizeof(msg));
			err_at(L, m.v[H_TIMEOUT]->line, p, "%s", msg);
			h->timeout_ms = h->interval_ms;
		} else if (h->timeout_ms > VPNRT_HEALTH_TIMEOUT_RATIO_MAX * h->interval_ms) {
			err_at(L, m.v[H_TIMEOUT]->line, p,
			       "%s is more than %d x the interval (%s); at most %d probes are outstanding",
			       s, VPNRT_HEALTH_TIMEOUT_RATIO_MAX,
			       format_duration_ms(h->interval_ms, e, sizeof(e)),
			       VPNRT_HEALTH_TIMEOUT_RATIO_MAX);
			h->timeout_ms = h->interval_ms;
		}
	}
	g_u32(L, &m, H_RETRIES, 1, 100, &h->retries);
	g_u32(L, &m, H_RISE, 1, 100, &h->rise);
	if (g_enum(L, &m, H_POLICY, policies, &x) > 0)
		h->policy = x % 2 ? VPNRT_HEALTH_RESERVE_ROUTE : VPNRT_HEALTH_REVOKE_ROUTE;
}

/* ---- BGP ---- */

#define AS_TRANS	23456	/* RFC 6793 */
#define ASN_ALLOWED	"an ASN 1..4294967295 other than 23456, as a number or in asdot X.Y (X and Y 0..65535, not 0.0, e.g. 1.10 = 65546)"
#define TABLE_ALLOWED	"main, none or a table number 1..4294967295 other than 253..255"
#define CIDR_ALLOWED	"a /30 inside 169.254.0.0/16 other than 169.254.N.0/30 for N 0..6 and 169.254.169.252/30"

/* n bytes of s as a decimal number of 1..5 digits: false if it is not */
static bool digits5(const char *s, size_t n, uint32_t *v)
{
	size_t i;

	if (!n || n > 5)
		return false;
	for (*v = 0, i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*v = *v * 10 + (uint32_t)(s[i] - '0');
	}
	return true;
}

/*
 * s as an ASN, a number or asdot "X.Y" (RFC 5396: X * 65536 + Y): NULL
 * and *out set, or what is wrong, to follow the value in a message.
 */
static const char *asn_parse(const char *s, uint32_t *out)
{
	const char *dot = strchr(s, '.');
	unsigned long long n;
	uint32_t hi, lo;

	if (!dot) {
		if (!all_digits(s))
			return "is not an ASN";
		n = strlen(s) > 10 ? 0 : strtoull(s, NULL, 10);
		if (!n || n > UINT32_MAX)
			return "is out of range";
		*out = (uint32_t)n;
		return NULL;
	}
	if (!digits5(s, (size_t)(dot - s), &hi) || !digits5(dot + 1, strlen(dot + 1), &lo)) {
		/* all digits and dots, just too long a half: a range error */
		if (strspn(s, "0123456789") == (size_t)(dot - s) &&
		    strspn(dot + 1, "0123456789") == strlen(dot + 1) && dot > s && dot[1])
			return "is out of range";
		return "is not an ASN";
	}
	if (hi > 65535 || lo > 65535 || (!hi && !lo))
		return "is out of range";
	*out = hi << 16 | lo;
	return NULL;
}

static int g_asn(struct ld *L, const struct mp *m, int i, uint32_t *out)
{
	const struct yn *v = m->v[i];
	char p[PATHLEN], sb[64];
	const char *s, *why;
	uint32_t asn = 0;
	int r = g_scalar(L, m, i, ASN_ALLOWED, &s);

	if (r <= 0)
		return r;
	kpath(m, i, p, sizeof(p));
	if (all_digits(s) && !v->plain) {
		err_at(L, v->line, p, "%s is quoted, a string; %s allowed, numbers unquoted",
		       show(s, sb, sizeof(sb)), ASN_ALLOWED);
		return -1;
	}
	why = asn_parse(s, &asn);
	/* no AS has it: 2-octet speakers see it in place of a 4-octet ASN */
	if (!why && asn == AS_TRANS)
		why = "is AS_TRANS (RFC 6793), the stand-in for 4-octet ASNs on the wire";
	if (why) {
		err_at(L, v->line, p, "%s %s; %s allowed",
		       all_digits(s) ? num_show(s, sb, sizeof(sb)) : show(s, sb, sizeof(sb)),
		       why, ASN_ALLOWED);
		return -1;
	}
	*out = asn;
	return 1;
}

/*
 * A routing table: main, none (0) or a number. Names of
 * /etc/iproute2/rt_tables are not read: the file may differ between the
 * host that checks a config and the one that runs it. The kernel's own
 * tables are refused: local (255) is looked up before every other and
 * holds the host's addresses, default (253) is the last rule's.
 */
static int g_table(struct ld *L, const struct mp *m, int i, uint32_t *out)
{
	static const struct { const char *name; uint32_t id; } kernel[] = {
		{ "default", 253 }, { "local", 255 },
	};
	const struct yn *v = m->v[i];
	char p[PATHLEN], sb[64];
	unsigned long long n;
	const char *s;
	size_t k;
	int r = g_scalar(L, m, i, TABLE_ALLOWED, &s);

	if (r <= 0)
		return r;
	kpath(m, i, p, sizeof(p));
	if (!strcmp(s, "main") || !strcmp(s, "none")) {
		*out = s[0] == 'm' ? CFG_TABLE_MAIN : 0;
		return 1;
	}
	for (k = 0; k < sizeof(kernel) / sizeof(kernel[0]); k++) {
		if (strcmp(s, kernel[k].name) && (!all_digits(s) || strtoull(s, NULL, 10) != kernel[k].id))
			continue;
		if (all_digits(s))
			err_at(L, v->line, p, "%u is the kernel's %s table, reserved; %s allowed",
			       kernel[k].id, kernel[k].name, TABLE_ALLOWED);
		else
			err_at(L, v->line, p, "%s is the kernel's %s table (%u), reserved; %s allowed",
			       show(s, sb, sizeof(sb)), kernel[k].name, kernel[k].id, TABLE_ALLOWED);
		return -1;
	}
	if (!all_digits(s)) {
		err_at(L, v->line, p,
		       "%s is not a table vpnrtd knows (it does not read /etc/iproute2/rt_tables); %s allowed",
		       show(s, sb, sizeof(sb)), TABLE_ALLOWED);
		return -1;
	}
	if (!v->plain) {
		err_at(L, v->line, p, "%s is quoted, a string; %s allowed, numbers unquoted",
		       show(s, sb, sizeof(sb)), TABLE_ALLOWED);
		return -1;
	}
	n = strlen(s) > 10 ? 0 : strtoull(s, NULL, 10);
	if (n == CFG_TABLE_MAIN) {
		err_at(L, v->line, p, "254 is the main table, written main; %s allowed", TABLE_ALLOWED);
		return -1;
	}
	if (!n || n > UINT32_MAX) {
		err_at(L, v->line, p, "%s is out of range; %s allowed",
		       num_show(s, sb, sizeof(sb)), TABLE_ALLOWED);
		return -1;
	}
	*out = (uint32_t)n;
	return 1;
}

/* an IPv4 address (host prefix); allowed ends its messages */
static int g_ipv4(struct ld *L, const struct mp *m, int i, const char *allowed,
		  struct prefix *out)
{
	char p[PATHLEN], e[160], sb[64];
	const char *s;
	int r = g_scalar(L, m, i, allowed, &s);

	if (r <= 0)
		return r;
	if (parse_addr(s, out, e, sizeof(e)) || out->family != AF_INET) {
		kpath(m, i, p, sizeof(p));
		err_at(L, m->v[i]->line, p, "%s is not an IPv4 address; %s allowed",
		       show(s, sb, sizeof(sb)), allowed);
		return -1;
	}
	return 1;
}

/*
 * A list of prefixes, each once, into *out (replacing what it held):
 * 0 absent, 1 read (errors reported), -1 not a list.
 */
static int g_prefix_list(struct walk *W, const struct mp *m, int i,
			 struct prefix **out, int *n)
{
	struct ld *L = W->L;
	struct hset seen = { 0 };
	char p[PATHLEN], ip[PATHLEN], a[PREFIX_STRLEN];
	const struct yn *l;
	struct prefix *v;
	size_t k;
	int r = g_list(L, m, i, "prefixes", &l), cnt = 0;

	if (r <= 0)
		return r;
	kpath(m, i, p, sizeof(p));
	v = calloc(l->n ? l->n : 1, sizeof(*v));
	if (!v) {
		L->oom = true;
		return -1;
	}
	for (k = 0; k < l->n; k++) {
		snp(ip, sizeof(ip), "%s[%zu]", p, k);
		if (k == CFG_BGP_PREFIXES_MAX) {
			err_at(L, l->kid[k]->line, ip, "prefix %zu of %s; at most %d prefixes allowed",
			       k + 1, m->names[i], CFG_BGP_PREFIXES_MAX);
			break;
		}
		if (n_prefix(L, l->kid[k], l->kid[k]->line, ip, &v[cnt]) <= 0)
			continue;
		unique(W, &seen, format_prefix(&v[cnt], false, a, sizeof(a)),
		       l->kid[k]->line, ip, "prefix", "each prefix once allowed");
		cnt++;
	}
	hs_free(&seen);
	free(*out);
	*out = v;
	*n = cnt;
	return 1;
}

/* a gateway's BGP settings before its bgp: mapping, if any, is read */
static void bgp_defaults(struct ld *L, struct cfg_bgp *b)
{
	static const char *const deny[] = { "0.0.0.0/0", "100.64.0.0/10" };
	char e[64];
	int i;

	b->local_asn = CFG_LOCAL_ASN_DEF;
	b->vpc_table = CFG_TABLE_MAIN;
	b->max_prefix_action = CFG_MAXPFX_REFUSE;
	b->import_deny = calloc(2, sizeof(*b->import_deny));
	if (!b->import_deny) {
		L->oom = true;
		return;
	}
	for (i = 0; i < 2; i++)
		parse_prefix(deny[i], &b->import_deny[i], e, sizeof(e));
	b->n_import_deny = 2;
}

enum {
	B_LOCAL_ASN, B_ROUTER_ID, B_ADVERTISE, B_ADVERTISE_TABLE, B_VPC_TABLE,
	B_IMPORT_DENY, B_MAX_PREFIX_ACTION, B_N
};
static const char *const bgp_keys[] = {
	"local-asn", "router-id", "advertise", "advertise-table", "vpc-table",
	"import-deny", "max-prefix-action", NULL
};

static void parse_gw_bgp(struct walk *W, const struct yn *node, int key_line,
			 const char *path, struct cfg_bgp *b)
{
	static const char *const actions[] = { "refuse", "teardown", NULL };
	static const char rid_allowed[] = "a non-zero IPv4 address (the 32-bit BGP identifier)";
	struct ld *L = W->L;
	struct prefix rid;
	char p[PATHLEN];
	struct mp m;
	int r, x;

	b->line = key_line;
	if (!mp_load(L, &m, node, key_line, path, bgp_keys,
		     "a mapping of BGP settings (local-asn, router-id, advertise, ...)")) {
		W->g->asn_ok = false;
		return;
	}
	b->present = true;
	r = g_asn(L, &m, B_LOCAL_ASN, &b->local_asn);
	W->g->asn_ok = r >= 0;
	W->g->asn_line = r > 0 ? m.v[B_LOCAL_ASN]->line : 0;
	if (g_ipv4(L, &m, B_ROUTER_ID, rid_allowed, &rid) > 0) {
		kpath(&m, B_ROUTER_ID, p, sizeof(p));
		if (!rid.addr.v4.s_addr)	/* RFC 6286: non-zero */
			err_at(L, m.v[B_ROUTER_ID]->line, p, "0.0.0.0 is zero; %s allowed",
			       rid_allowed);
		b->router_id = rid.addr.v4;
		b->router_id_given = true;
	}
	g_prefix_list(W, &m, B_ADVERTISE, &b->advertise, &b->n_advertise);
	g_table(L, &m, B_ADVERTISE_TABLE, &b->advertise_table);
	g_table(L, &m, B_VPC_TABLE, &b->vpc_table);
	g_prefix_list(W, &m, B_IMPORT_DENY, &b->import_deny, &b->n_import_deny);
	if (g_enum(L, &m, B_MAX_PREFIX_ACTION, actions, &x) > 0)
		b->max_prefix_action = (uint8_t)x;
}

/*
 * Why c cannot be a tunnel CIDR, NULL if it can. The reserved /30s, the
 * first of each of 169.254.0.0/24..169.254.6.0/24 and 169.254.169.252/30,
 * are those the clouds keep for their own link-local services
 * (169.254.169.254 is the metadata address): a cloud peer refuses them.
 */
static const char *cidr_why(const struct prefix *c, char *buf, size_t len)
{
	uint32_t a = ntohl(c->addr.v4.s_addr);

	if (c->family != AF_INET)
		return "is IPv6";
	if (c->len != 30) {
		snp(buf, len, "is a /%u", c->len);
		return buf;
	}
	if (a >> 16 != 0xa9fe)
		return "is outside 169.254.0.0/16";
	if (((a >> 8 & 0xff) <= 6 && !(a & 0xff)) || a == 0xa9fea9fc)
		return "is reserved for the cloud's own link-local use";
	return NULL;
}

/* local-ip against tunnel-cidr; the peer is the other usable address */
static void tunnel_bgp_addrs(struct ld *L, const struct mp *m, int i,
			     struct cfg_tunnel_bgp *tb)
{
	uint32_t net = ntohl(tb->cidr.addr.v4.s_addr), a = ntohl(tb->local.addr.v4.s_addr);
	char p[PATHLEN], c[PREFIX_STRLEN], l[PREFIX_STRLEN], u1[INET_ADDRSTRLEN],
	     u2[INET_ADDRSTRLEN];
	struct in_addr x;
	const char *why = NULL;

	x.s_addr = htonl(net + 1);
	inet_ntop(AF_INET, &x, u1, sizeof(u1));
	x.s_addr = htonl(net + 2);
	inet_ntop(AF_INET, &x, u2, sizeof(u2));
	if ((a & ~3u) != net)
		why = "is outside tunnel-cidr";
	else if (a == net)
		why = "is the network address of tunnel-cidr";
	else if (a == net + 3)
		why = "is the broadcast address of tunnel-cidr";
	if (why) {
		kpath(m, i, p, sizeof(p));
		err_at(L, m->v[i]->line, p, "%s %s %s; %s or %s allowed",
		       format_prefix(&tb->local, true, l, sizeof(l)), why,
		       format_prefix(&tb->cidr, false, c, sizeof(c)), u1, u2);
		return;
	}
	tb->peer = tb->local;
	tb->peer.addr.v4.s_addr = htonl(a == net + 1 ? net + 2 : net + 1);
}

enum { TB_CIDR, TB_LOCAL_IP, TB_PEER_ASN, TB_MD5, TB_HOLD, TB_TTL, TB_GR, TB_N };
static const char *const tunnel_bgp_keys[] = {
	"tunnel-cidr", "local-ip", "peer-asn", "md5", "hold-time", "ttl-security",
	"graceful-restart", NULL
};

/* the peer: one more of the gateway's quotas.bgp-peers */
static void count_peer(struct walk *W, int line, const char *path)
{
	struct cfg_gw *gw = W->g->gw;
	char q[32];

	if ((uint32_t)++gw->bgp.n_peers == gw->quotas.bgp_peers + 1)
		err_at(W->L, line, path,
		       "BGP peer %d of gateway %s; at most quotas.bgp-peers %u (%s) allowed",
		       gw->bgp.n_peers, gw->name, gw->quotas.bgp_peers,
		       quota_src(W, Q_BGP_PEERS, q, sizeof(q)));
}

static void parse_tunnel_bgp(struct walk *W, const struct yn *node, int key_line,
			     const char *path, struct cfg_tunnel_bgp *tb)
{
	struct ld *L = W->L;
	const struct cfg_bgp *gb = &W->g->gw->bgp;
	char p[PATHLEN], why[32], a[PREFIX_STRLEN], n1[CFG_ASN_STRLEN];
	const char *w;
	struct mp m;
	int rc, rl, ra;

	memset(tb, 0, sizeof(*tb));
	tb->line = key_line;
	tb->hold_time = CFG_HOLD_TIME_DEF;
	tb->graceful_restart = CFG_GR_TIME_DEF;
	if (!mp_load(L, &m, node, key_line, path, tunnel_bgp_keys,
		     "a mapping of the tunnel's BGP session (tunnel-cidr, local-ip, peer-asn, ...)"))
		return;
	tb->present = true;
	count_peer(W, key_line, path);
	rc = g_prefix(L, &m, TB_CIDR, &tb->cidr);
	if (!rc)
		missing(L, &m, TB_CIDR, "the tunnel's CIDR, " CIDR_ALLOWED);
	if (rc > 0 && (w = cidr_why(&tb->cidr, why, sizeof(why)))) {
		kpath(&m, TB_CIDR, p, sizeof(p));
		err_at(L, m.v[TB_CIDR]->line, p, "%s %s; %s allowed",
		       format_prefix(&tb->cidr, false, a, sizeof(a)), w, CIDR_ALLOWED);
		/* a misplaced /30 still frames local-ip */
		rc = tb->cidr.family == AF_INET && tb->cidr.len == 30 ? 0 : -1;
	} else if (rc > 0) {
		kpath(&m, TB_CIDR, p, sizeof(p));
		unique(W, &W->g->cidrs, format_prefix(&tb->cidr, false, a, sizeof(a)),
		       m.v[TB_CIDR]->line, p, "tunnel-cidr", "tunnel CIDRs unique per gateway allowed");
	}
	rl = g_ipv4(L, &m, TB_LOCAL_IP, "one of tunnel-cidr's two usable IPv4 addresses", &tb->local);
	if (!rl)
		missing(L, &m, TB_LOCAL_IP, "the gateway's BGP address, one of tunnel-cidr's two usable addresses");
	if (rl > 0 && rc >= 0 && m.v[TB_CIDR])
		tunnel_bgp_addrs(L, &m, TB_LOCAL_IP, tb);
	ra = g_asn(L, &m, TB_PEER_ASN, &tb->peer_asn);
	if (!ra)
		missing(L, &m, TB_PEER_ASN, "the peer's ASN");
	if (ra > 0 && W->g->asn_ok && tb->peer_asn == gb->local_asn) {
		kpath(&m, TB_PEER_ASN, p, sizeof(p));
		if (W->g->asn_line)
			snp(why, sizeof(why), "line %d", W->g->asn_line);
		else
			snp(why, sizeof(why), "the default");
		err_at(L, m.v[TB_PEER_ASN]->line, p,
		       "%s is also the gateway's local-asn (%s); a peer ASN other than the local ASN allowed (eBGP only)",
		       cfg_asn_str(tb->peer_asn, n1, sizeof(n1)), why);
	}
	g_secret(L, &m, TB_MD5, "a TCP MD5 key", CFG_MD5_MAX, tb->md5);
	if (g_seconds(L, &m, TB_HOLD, 0, 65535, &tb->hold_time) > 0 &&
	    tb->hold_time && tb->hold_time < 3) {
		kpath(&m, TB_HOLD, p, sizeof(p));
		err_at(L, m.v[TB_HOLD]->line, p,
		       "%u is below 3 seconds; 0 (no hold timer, no keepalives) or 3..65535 seconds allowed (RFC 4271)",
		       tb->hold_time);
	}
	tb->keepalive = tb->hold_time / 3;
	g_bool(L, &m, TB_TTL, &tb->ttl_security);
	g_seconds(L, &m, TB_GR, 0, CFG_GR_TIME_MAX, &tb->graceful_restart);
}

/* no router-id given: the lowest local-ip of the gateway's peers */
static void default_router_id(struct cfg_gw *gw)
{
	uint32_t best = 0;
	int c, t;

	if (gw->bgp.router_id_given)
		return;
	for (c = 0; c < gw->n_conns; c++)
		for (t = 0; t < gw->conns[c].n_tunnels; t++) {
			const struct cfg_tunnel_bgp *tb = &gw->conns[c].tunnels[t].bgp;
			uint32_t a = ntohl(tb->local.addr.v4.s_addr);

			if (tb->present && tb->local.family == AF_INET && (!best || a < best))
				best = a;
		}
	gw->bgp.router_id.s_addr = htonl(best);
}

enum {
	T_LOCAL, T_REMOTE, T_DEVICE, T_IF_ID, T_MTU, T_IKE, T_IPSEC, T_HEALTH,
	T_BGP, T_N
};
static const char *const tunnel_keys[] = {
	"local-address", "remote-address", "device", "if-id", "mtu", "ike",
	"ipsec", "health", "bgp", NULL
};

/* what one tunnel holds while its connection is checked */
struct tun_tmp {
	struct ike_layer ly;
	bool has_ly;
	int if_id_line, device_line, mtu_line;
	char path[PATHLEN];
};

static void parse_tunnel(struct walk *W, const struct yn *node, const char *path,
			 struct cfg_tunnel *t, struct tun_tmp *tt)
{
	struct ld *L = W->L;
	char p[PATHLEN], why[256], a1[PREFIX_STRLEN], a2[PREFIX_STRLEN], sb[64];
	const char *s;
	struct mp m;
	int rl, rr;

	memset(tt, 0, sizeof(*tt));
	snp(tt->path, sizeof(tt->path), "%s", path);
	tt->ly.level = 2;
	t->line = node->line;
	if (!mp_load(L, &m, node, node->line, path, tunnel_keys,
		     "a mapping of tunnel settings (local-address, remote-address, ...)"))
		return;
	if (m.v[T_IKE] && m.v[T_IKE]->type == YN_SCALAR && !is_null(m.v[T_IKE])) {
		kpath(&m, T_IKE, p, sizeof(p));
		if (!strcmp(m.v[T_IKE]->s, "none"))
			t->ike_none = true;
		else
			err_at(L, m.v[T_IKE]->line, p,
			       "%s; none (an existing device, no IKE) or a mapping of IKE settings allowed",
			       show(m.v[T_IKE]->s, sb, sizeof(sb)));
	} else if (m.v[T_IKE]) {
		kpath(&m, T_IKE, p, sizeof(p));
		tt->has_ly = true;
		parse_ike(L, m.v[T_IKE], m.k[T_IKE]->line, p, &tt->ly);
	}
	if (m.v[T_IPSEC]) {
		kpath(&m, T_IPSEC, p, sizeof(p));
		if (t->ike_none)
			err_at(L, m.k[T_IPSEC]->line, p,
			       "given with ike: none (line %d); ipsec settings allowed only on tunnels with IKE",
			       m.k[T_IKE]->line);
		else {
			tt->has_ly = true;
			parse_ipsec(L, m.v[T_IPSEC], m.k[T_IPSEC]->line, p, &tt->ly);
		}
	}
	rl = g_addr(L, &m, T_LOCAL, &t->local);
	rr = g_addr(L, &m, T_REMOTE, &t->remote);
	if (!t->ike_none) {
		if (!rl)
			missing(L, &m, T_LOCAL, "the gateway's underlay address (or ike: none)");
		if (!rr)
			missing(L, &m, T_REMOTE, "the peer's underlay address (or ike: none)");
	}
	if (rl > 0 && rr > 0) {
		kpath(&m, T_REMOTE, p, sizeof(p));
		if (t->local.family != t->remote.family)
			err_at(L, m.v[T_REMOTE]->line, p,
			       "%s is IPv%d and local-address %s is IPv%d; one family allowed",
			       format_prefix(&t->remote, true, a1, sizeof(a1)),
			       t->remote.family == AF_INET ? 4 : 6,
			       format_prefix(&t->local, true, a2, sizeof(a2)),
			       t->local.family == AF_INET ? 4 : 6);
		else if (!memcmp(&t->local.addr, &t->remote.addr, sizeof(t->local.addr)))
			err_at(L, m.v[T_REMOTE]->line, p,
			       "%s is also local-address; the peer's own address allowed",
			       format_prefix(&t->remote, true, a1, sizeof(a1)));
	}
	if (g_scalar(L, &m, T_DEVICE, "a device name", &s) > 0) {
		kpath(&m, T_DEVICE, p, sizeof(p));
		if (!ifname_ok(s, why, sizeof(why))) {
			err_at(L, m.v[T_DEVICE]->line, p, "%s", why);
		} else {
			strcpy(t->device, s);
			t->device_given = true;
			tt->device_line = m.v[T_DEVICE]->line;
		}
	} else if (!m.v[T_DEVICE] && t->ike_none) {
		missing(L, &m, T_DEVICE, "the name of the existing device (ike: none)");
	}
	if (m.v[T_IF_ID] && t->ike_none) {
		kpath(&m, T_IF_ID, p, sizeof(p));
		err_at(L, m.k[T_IF_ID]->line, p,
		       "given with ike: none (line %d); if-id allowed only on tunnels vpnrtd creates (with IKE)",
		       m.k[T_IKE]->line);
	} else if (g_u32(L, &m, T_IF_ID, 1, UINT32_MAX, &t->if_id) > 0) {
		t->if_id_given = true;
		tt->if_id_line = m.v[T_IF_ID]->line;
	}
	if (m.v[T_MTU] && t->ike_none) {
		kpath(&m, T_MTU, p, sizeof(p));
		err_at(L, m.k[T_MTU]->line, p,
		       "given with ike: none (line %d); mtu allowed only on tunnels vpnrtd creates (with IKE)",
		       m.k[T_IKE]->line);
	} else if (m.v[T_MTU]) {
		bool v6 = rl > 0 && t->local.family == AF_INET6;
		uint32_t min = v6 ? 1280 : 576;

		kpath(&m, T_MTU, p, sizeof(p));
		if (m.v[T_MTU]->type == YN_SCALAR && m.v[T_MTU]->plain &&
		    all_digits(m.v[T_MTU]->s) &&
		    (strlen(m.v[T_MTU]->s) > 10 || strtoull(m.v[T_MTU]->s, NULL, 10) < min ||
		     strtoull(m.v[T_MTU]->s, NULL, 10) > 9000))
			err_at(L, m.v[T_MTU]->line, p,
			       "%s is out of range; %u..9000 allowed over an IPv%d underlay",
			       num_show(m.v[T_MTU]->s, sb, sizeof(sb)), min, v6 ? 6 : 4);
		else if (g_u32(L, &m, T_MTU, min, 9000, &t->mtu) > 0)
			tt->mtu_line = m.v[T_MTU]->line;
		else
			t->mtu = 0;
	}
	if (m.v[T_HEALTH]) {
		kpath(&m, T_HEALTH, p, sizeof(p));
		parse_health(L, m.v[T_HEALTH], m.k[T_HEALTH]->line, p, &t->health);
	}
	if (m.v[T_BGP]) {
		kpath(&m, T_BGP, p, sizeof(p));
		parse_tunnel_bgp(W, m.v[T_BGP], m.k[T_BGP]->line, p, &t->bgp);
	}
}

enum { R_PREFIX, R_WEIGHT, R_FROM, R_PRIORITY, R_N };
static const char *const route_keys[] = {
	"prefix", "weight", "from", "priority", NULL
};

static void parse_route(struct ld *L, const struct yn *node, const char *path,
			struct cfg_route *r, bool *ok)
{
	char p[PATHLEN], a1[PREFIX_STRLEN], a2[PREFIX_STRLEN];
	struct mp m;
	uint32_t u;
	int rp, rf;

	memset(r, 0, sizeof(*r));
	r->line = node->line;
	r->weight = VPNRT_WEIGHT_ACTIVE;
	r->priority = VPNRT_PRIORITY_DEFAULT;
	*ok = false;
	if (!mp_load(L, &m, node, node->line, path, route_keys,
		     "a mapping with prefix and optionally weight, from, priority"))
		return;
	rp = g_prefix(L, &m, R_PREFIX, &r->dst);
	if (!rp)
		missing(L, &m, R_PREFIX, "the destination prefix");
	rf = g_prefix(L, &m, R_FROM, &r->src);
	if (rf > 0)
		r->policy = true;
	if (rp > 0 && rf > 0 && r->dst.family != r->src.family) {
		kpath(&m, R_FROM, p, sizeof(p));
		err_at(L, m.v[R_FROM]->line, p, "%s is IPv%d and prefix %s is IPv%d; one family allowed",
		       format_prefix(&r->src, false, a1, sizeof(a1)),
		       r->src.family == AF_INET ? 4 : 6,
		       format_prefix(&r->dst, false, a2, sizeof(a2)),
		       r->dst.family == AF_INET ? 4 : 6);
		rf = -1;
	}
	if (m.v[R_WEIGHT] && g_u32(L, &m, R_WEIGHT, 0, 100, &u) > 0) {
		if (u != VPNRT_WEIGHT_ACTIVE && u != VPNRT_WEIGHT_STANDBY) {
			kpath(&m, R_WEIGHT, p, sizeof(p));
			err_at(L, m.v[R_WEIGHT]->line, p, "%u; 100 (active) or 0 (standby) allowed", u);
		} else {
			r->weight = (uint8_t)u;
		}
	}
	if (m.v[R_PRIORITY]) {
		if (!m.v[R_FROM]) {
			kpath(&m, R_PRIORITY, p, sizeof(p));
			err_at(L, m.k[R_PRIORITY]->line, p,
			       "given without from; priority allowed only on policy routes (with from:)");
		} else if (g_u32(L, &m, R_PRIORITY, VPNRT_PRIORITY_MIN, VPNRT_PRIORITY_MAX, &u) > 0) {
			r->priority = (uint8_t)u;
		}
	}
	*ok = rp > 0 && rf >= 0;
}

static int prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	c = memcmp(&a->addr, &b->addr, sizeof(a->addr));
	return c;
}

static bool prefix_eq(const struct prefix *a, const struct prefix *b)
{
	return !prefix_cmp(a, b);
}

struct rref {
	const struct cfg_route *r;
	int idx;
};

static int rref_cmp(const void *x, const void *y)
{
	const struct rref *a = x, *b = y;
	int c;

	if (a->r->policy != b->r->policy)
		return a->r->policy ? 1 : -1;
	c = prefix_cmp(&a->r->dst, &b->r->dst);
	if (!c && a->r->policy)
		c = prefix_cmp(&a->r->src, &b->r->src);
	if (!c)
		c = a->idx < b->idx ? -1 : a->idx > b->idx;
	return c;
}

/* duplicate routes of one connection (valid ones: ok[i]) */
static void route_dups(struct ld *L, const char *cpath, const struct cfg_conn *c,
		       const bool *ok)
{
	struct rref *v;
	char p[PATHLEN], a1[PREFIX_STRLEN], a2[PREFIX_STRLEN];
	int i, j, n = 0;

	v = malloc((size_t)(c->n_routes ? c->n_routes : 1) * sizeof(*v));
	if (!v) {
		L->oom = true;
		return;
	}
	for (i = 0; i < c->n_routes; i++) {
		if (!ok[i])
			continue;
		v[n].r = &c->routes[i];
		v[n].idx = i;
		n++;
		if (c->routing == VPNRT_ROUTING_FLOW && !c->routes[i].policy &&
		    prefix_eq(&c->routes[i].dst, &c->peer_cidr)) {
			snp(p, sizeof(p), "%s.routes[%d].prefix", cpath, i);
			err_at(L, c->routes[i].line, p,
			       "%s is the peer-cidr, which flow protection routes already; each prefix once per connection",
			       format_prefix(&c->routes[i].dst, false, a1, sizeof(a1)));
		}
	}
	/* equal routes are adjacent, each run in file order */
	qsort(v, (size_t)n, sizeof(*v), rref_cmp);
	for (i = 1, j = 0; i < n; i++) {
		const struct rref *a = &v[i - 1], *b = &v[i];

		if (a->r->policy != b->r->policy || !prefix_eq(&a->r->dst, &b->r->dst) ||
		    (b->r->policy && !prefix_eq(&a->r->src, &b->r->src))) {
			j = i;	/* the first of a new run */
			continue;
		}
		snp(p, sizeof(p), "%s.routes[%d]", cpath, b->idx);
		if (b->r->policy)
			err_at(L, b->r->line, p,
			       "a policy route to %s from %s, as routes[%d] (line %d); each destination and source pair once per connection",
			       format_prefix(&b->r->dst, false, a1, sizeof(a1)),
			       format_prefix(&b->r->src, false, a2, sizeof(a2)),
			       v[j].idx, v[j].r->line);
		else
			err_at(L, b->r->line, p,
			       "a route to %s, as routes[%d] (line %d); each prefix once per connection (weight 0 makes a standby on another connection)",
			       format_prefix(&b->r->dst, false, a1, sizeof(a1)),
			       v[j].idx, v[j].r->line);
	}
	free(v);
}

enum {
	C_NAME, C_ID, C_MODE, C_ROUTING, C_LOCAL_CIDR, C_PEER_CIDR, C_ENABLED,
	C_IKE, C_IPSEC, C_TUNNELS, C_ROUTES, C_N
};
static const char *const conn_keys[] = {
	"name", "id", "mode", "routing", "local-cidr", "peer-cidr", "enabled",
	"ike", "ipsec", "tunnels", "routes", NULL
};

static void parse_conn(struct walk *W, const struct yn *node, const char *path,
		       struct cfg_conn *c)
{
	static const char *const modes[] = { "active-standby", "ecmp", NULL };
	static const char *const routings[] = { "destination", "flow-protection", NULL };
	struct ld *L = W->L;
	struct ike_layer cl;
	struct tun_tmp tt[VPNRT_MAX_TUNNELS];
	struct seen seen = { 0 };
	char p[PATHLEN], why[256], num[16], a1[PREFIX_STRLEN], a2[PREFIX_STRLEN];
	const struct yn *tl, *rl;
	const char *s;
	bool have_cl = false, *ok;
	struct mp m;
	size_t i;
	int x, rlc, rpc;

	memset(c, 0, sizeof(*c));
	memset(&cl, 0, sizeof(cl));
	cl.level = 1;
	c->line = node->line;
	c->enabled = true;
	c->mode = VPNRT_MODE_ACTIVE_STANDBY;
	c->routing = VPNRT_ROUTING_DESTINATION;
	if (!mp_load(L, &m, node, node->line, path, conn_keys,
		     "a mapping of connection settings (name, tunnels, ...)"))
		return;
	if (g_scalar(L, &m, C_NAME, "a connection name", &s) > 0) {
		kpath(&m, C_NAME, p, sizeof(p));
		if (!conn_name_ok(s, why, sizeof(why))) {
			err_at(L, m.v[C_NAME]->line, p, "%s", why);
		} else {
			strcpy(c->name, s);
			unique(W, &W->conn_names, s, m.v[C_NAME]->line, p, "connection name",
			       "connection names unique across the file allowed");
		}
	} else if (!m.v[C_NAME]) {
		missing(L, &m, C_NAME, "a connection name (1..31 letters, digits, '-', '_' or '.')");
	}
	if (g_u32(L, &m, C_ID, 1, UINT32_MAX, &c->id) > 0) {
		kpath(&m, C_ID, p, sizeof(p));
		snp(num, sizeof(num), "%u", c->id);
		unique(W, &W->ids, num, m.v[C_ID]->line, p, "id",
		       "ids unique across the file allowed");
	}
	if (g_enum(L, &m, C_MODE, modes, &x) > 0)
		c->mode = x ? VPNRT_MODE_ECMP : VPNRT_MODE_ACTIVE_STANDBY;
	if (g_enum(L, &m, C_ROUTING, routings, &x) > 0)
		c->routing = x ? VPNRT_ROUTING_FLOW : VPNRT_ROUTING_DESTINATION;
	g_bool(L, &m, C_ENABLED, &c->enabled);
	if (c->routing == VPNRT_ROUTING_FLOW) {
		rlc = g_prefix(L, &m, C_LOCAL_CIDR, &c->local_cidr);
		rpc = g_prefix(L, &m, C_PEER_CIDR, &c->peer_cidr);
		if (!rlc)
			missing(L, &m, C_LOCAL_CIDR, "with routing: flow-protection, the local CIDR");
		if (!rpc)
			missing(L, &m, C_PEER_CIDR, "with routing: flow-protection, the peer CIDR");
		if (rlc > 0 && rpc > 0 && c->local_cidr.family != c->peer_cidr.family) {
			kpath(&m, C_PEER_CIDR, p, sizeof(p));
			err_at(L, m.v[C_PEER_CIDR]->line, p,
			       "%s is IPv%d and local-cidr %s is IPv%d; one family allowed",
			       format_prefix(&c->peer_cidr, false, a1, sizeof(a1)),
			       c->peer_cidr.family == AF_INET ? 4 : 6,
			       format_prefix(&c->local_cidr, false, a2, sizeof(a2)),
			       c->local_cidr.family == AF_INET ? 4 : 6);
		}
	} else {
		for (x = C_LOCAL_CIDR; x <= C_PEER_CIDR; x++) {
			if (!m.v[x])
				continue;
			kpath(&m, x, p, sizeof(p));
			err_at(L, m.k[x]->line, p,
			       "given with routing destination%s; allowed only with routing: flow-protection",
			       m.v[C_ROUTING] ? "" : " (the default)");
		}
	}
	if (m.v[C_IKE]) {
		kpath(&m, C_IKE, p, sizeof(p));
		have_cl = true;
		if (m.v[C_IKE]->type == YN_SCALAR && !strcmp(m.v[C_IKE]->s, "none"))
			err_at(L, m.v[C_IKE]->line, p,
			       "none is a tunnel's setting; a mapping of IKE settings allowed here (ike: none goes under tunnels)");
		else
			parse_ike(L, m.v[C_IKE], m.k[C_IKE]->line, p, &cl);
	}
	if (m.v[C_IPSEC]) {
		kpath(&m, C_IPSEC, p, sizeof(p));
		have_cl = true;
		parse_ipsec(L, m.v[C_IPSEC], m.k[C_IPSEC]->line, p, &cl);
	}
	if (!have_cl)
		snp(cl.path, sizeof(cl.path), "%s.ike", path);

	/* tunnels */
	tl = m.v[C_TUNNELS];
	kpath(&m, C_TUNNELS, p, sizeof(p));
	if (!tl) {
		missing(L, &m, C_TUNNELS, "a list of 1 or 2 tunnels");
	} else if (tl->type == YN_BAD) {
		;
	} else if (tl->type != YN_SEQ) {
		err_at(L, tl->type == YN_SCALAR && !is_null(tl) ? tl->line : m.k[C_TUNNELS]->line, p,
		       "%s; a list of 1 or 2 tunnels allowed",
		       is_null(tl) ? "no value" : tl->type == YN_MAP ? "a mapping" : "a string");
	} else if (!tl->n) {
		err_at(L, m.k[C_TUNNELS]->line, p, "an empty list; 1 or 2 tunnels allowed");
	} else {
		for (i = 0; i < tl->n; i++) {
			char tp[PATHLEN];

			if (i == VPNRT_MAX_TUNNELS) {
				snp(tp, sizeof(tp), "%s[%zu]", p, i);
				err_at(L, tl->kid[i]->line, tp, "a third tunnel; 1 or 2 tunnels allowed");
				break;
			}
			snp(tp, sizeof(tp), "%s[%zu]", p, i);
			parse_tunnel(W, tl->kid[i], tp, &c->tunnels[i], &tt[i]);
			c->n_tunnels++;
		}
	}
	if (c->mode == VPNRT_MODE_ECMP && c->n_tunnels == 1) {
		kpath(&m, C_MODE, p, sizeof(p));
		err_at(L, m.v[C_MODE]->line, p, "ecmp with 1 tunnel; ecmp needs 2 tunnels, active-standby allowed with 1");
	}
	for (x = 0; x < c->n_tunnels; x++) {
		struct cfg_tunnel *t = &c->tunnels[x];
		struct ike_src src[K_IKE_N];

		if (t->ike_none)
			continue;
		ike_resolve(have_cl ? &cl : NULL, tt[x].has_ly ? &tt[x].ly : NULL, &t->ike, src);
		ike_check(L, &seen, &t->ike, src);
	}

	/* names and numbers of tunnels */
	for (x = 0; x < c->n_tunnels; x++) {
		struct cfg_tunnel *t = &c->tunnels[x];
		char dp[PATHLEN];

		if (t->if_id_given) {
			snp(dp, sizeof(dp), "%s.if-id", tt[x].path);
			snp(num, sizeof(num), "%u", t->if_id);
			unique(W, &W->if_ids, num, tt[x].if_id_line, dp, "if-id",
			       "if-ids unique across the file allowed");
		}
		/* charon finds a responder's config and key by the addresses */
		if (!t->ike_none && t->local.family && t->remote.family) {
			char a[PREFIX_STRLEN], b[PREFIX_STRLEN], key[2 * PREFIX_STRLEN + 8];

			snp(key, sizeof(key), "%s to %s",
			    format_prefix(&t->local, true, a, sizeof(a)),
			    format_prefix(&t->remote, true, b, sizeof(b)));
			snp(dp, sizeof(dp), "%s.remote-address", tt[x].path);
			unique(W, &W->pairs, key, t->line, dp, "the address pair",
			       "one IKE tunnel per local and remote address pair allowed (charon could not tell their configs and keys apart)");
		}
		if (t->device_given) {
			snp(dp, sizeof(dp), "%s.device", tt[x].path);
			unique(W, &W->devs, t->device, tt[x].device_line, dp, "device",
			       "device names unique across the file (gateways included) allowed");
		} else if (t->if_id_given) {
			const struct hent *e;

			snp(t->device, sizeof(t->device), "xfrm%u", t->if_id);
			snp(dp, sizeof(dp), "%s.if-id", tt[x].path);
			e = hs_add(L, &W->devs, t->device, tt[x].if_id_line, dp);
			if (e)
				err_at(L, tt[x].if_id_line, dp,
				       "%u names the device %s by default, which is already used by %s (line %d); give device: a free name, or a free if-id",
				       t->if_id, t->device, e->owner, e->line);
		}
	}

	/* routes */
	kpath(&m, C_ROUTES, p, sizeof(p));
	if (g_list(L, &m, C_ROUTES, "routes", &rl) > 0 && rl->n) {
		c->routes = calloc(rl->n, sizeof(*c->routes));
		ok = calloc(rl->n, sizeof(*ok));
		if (!c->routes || !ok) {
			free(ok);
			L->oom = true;
			return;
		}
		for (i = 0; i < rl->n; i++) {
			char rp[PATHLEN];
			struct cfg_route *r = &c->routes[c->n_routes];

			snp(rp, sizeof(rp), "%s[%zu]", p, i);
			if (i == CFG_MAX_ROUTES) {
				err_at(L, rl->kid[i]->line, rp,
				       "route %zu of connection %s; at most %d routes per connection allowed",
				       i + 1, c->name, CFG_MAX_ROUTES);
				break;
			}
			parse_route(L, rl->kid[i], rp, r, &ok[c->n_routes]);
			c->n_routes++;
			if (ok[c->n_routes - 1] && r->policy &&
			    ++W->g->policy_routes == W->g->gw->quotas.policy_routes + 1) {
				const struct cfg_gw *gw = W->g->gw;
				char q[32];

				err_at(L, r->line, rp,
				       "policy route %u of gateway %s; at most quotas.policy-routes %u (%s) allowed",
				       W->g->policy_routes, gw->name, gw->quotas.policy_routes,
				       quota_src(W, Q_POLICY_ROUTES, q, sizeof(q)));
			}
		}
		route_dups(L, path, c, ok);
		free(ok);
	}
}

enum { G_NAME, G_ECMP_HASH, G_MAX_PATHS, G_QUOTAS, G_CONNS, G_BGP, G_N };
static const char *const gw_keys[] = {
	"name", "ecmp-hash", "max-paths", "quotas", "connections", "bgp", NULL
};
static const char *const quota_keys[] = {
	"connections", "bgp-routes", "peer-routes", "bgp-peers", "policy-routes", NULL
};
static const uint32_t quota_max[Q_N] = { 4096, 1000000, 1000000, 8192, 100000 };

static void parse_quotas(struct walk *W, const struct mp *m, struct cfg_quotas *q)
{
	uint32_t *f[Q_N] = {
		&q->connections, &q->bgp_routes, &q->peer_routes, &q->bgp_peers,
		&q->policy_routes,
	};
	char p[PATHLEN];
	struct mp qm;
	int x;

	kpath(m, G_QUOTAS, p, sizeof(p));
	if (mp_load(W->L, &qm, m->v[G_QUOTAS], m->k[G_QUOTAS]->line, p, quota_keys,
		    "a mapping of quotas (connections, bgp-routes, peer-routes, bgp-peers, policy-routes)"))
		for (x = 0; x < Q_N; x++)
			if (g_u32(W->L, &qm, x, 1, quota_max[x], f[x]) > 0)
				W->g->qline[x] = qm.v[x]->line;
}

static void parse_gw(struct walk *W, const struct yn *node, const char *path,
		     struct cfg_gw *gw)
{
	static const char *const hashes[] = { "l3", "l4", NULL };
	struct gw_walk g = { .gw = gw, .asn_ok = true };
	struct ld *L = W->L;
	char p[PATHLEN], why[256];
	const struct yn *cl;
	const char *s;
	struct mp m;
	int x;
	size_t i;

	memset(gw, 0, sizeof(*gw));
	gw->line = node->line;
	gw->ecmp_hash = VPNRT_HASH_L4;
	gw->max_paths = VPNRT_MAX_PATHS;
	gw->quotas = (struct cfg_quotas){
		VPNRT_DEF_MAX_CONNS, VPNRT_DEF_MAX_BGP_ROUTES,
		VPNRT_DEF_MAX_PEER_ROUTES, 8, VPNRT_DEF_MAX_POLICY_ROUTES,
	};
	bgp_defaults(L, &gw->bgp);
	W->g = &g;
	if (!mp_load(L, &m, node, node->line, path, gw_keys,
		     "a mapping of gateway settings (name, connections, ...)"))
		goto out;
	if (g_scalar(L, &m, G_NAME, "a device name", &s) > 0) {
		kpath(&m, G_NAME, p, sizeof(p));
		if (!ifname_ok(s, why, sizeof(why))) {
			err_at(L, m.v[G_NAME]->line, p, "%s", why);
		} else {
			strcpy(gw->name, s);
			if (unique(W, &W->gw_names, s, m.v[G_NAME]->line, p, "gateway",
				   "gateway names unique allowed"))
				unique(W, &W->devs, s, m.v[G_NAME]->line, p, "device",
				       "device names unique across the file (gateways included) allowed");
		}
	} else if (!m.v[G_NAME]) {
		missing(L, &m, G_NAME, "the gateway's device name (like vpngw0)");
	}
	if (g_enum(L, &m, G_ECMP_HASH, hashes, &x) > 0)
		gw->ecmp_hash = x ? VPNRT_HASH_L4 : VPNRT_HASH_L3;
	g_u32(L, &m, G_MAX_PATHS, 1, VPNRT_MAX_PATHS, &gw->max_paths);
	if (m.v[G_QUOTAS])
		parse_quotas(W, &m, &gw->quotas);
	/* before the tunnels: their peers are checked against it */
	if (m.v[G_BGP]) {
		kpath(&m, G_BGP, p, sizeof(p));
		parse_gw_bgp(W, m.v[G_BGP], m.k[G_BGP]->line, p, &gw->bgp);
	}
	kpath(&m, G_CONNS, p, sizeof(p));
	if (g_list(L, &m, G_CONNS, "connections", &cl) > 0 && cl->n) {
		gw->conns = calloc(cl->n, sizeof(*gw->conns));
		if (!gw->conns) {
			L->oom = true;
			goto out;
		}
		for (i = 0; i < cl->n; i++) {
			char cp[PATHLEN];

			snp(cp, sizeof(cp), "%s[%zu]", p, i);
			if (i == gw->quotas.connections) {
				char qd[32];

				err_at(L, cl->kid[i]->line, cp,
				       "connection %zu of gateway %s; at most quotas.connections %u (%s) allowed",
				       i + 1, gw->name, gw->quotas.connections,
				       quota_src(W, Q_CONNS, qd, sizeof(qd)));
			}
			parse_conn(W, cl->kid[i], cp, &gw->conns[i]);
			gw->n_conns++;
		}
	}
	default_router_id(gw);
out:
	hs_free(&g.cidrs);
	W->g = NULL;
}

/* numbers for tunnels without if-id; see Documentation/vpnrtd-config.rst */
static void default_if_ids(struct walk *W)
{
	struct cfg *cfg = W->cfg;
	struct hset reserved = { 0 };
	char num[16], dev[IFNAMSIZ];
	uint32_t next = 1;
	int g, c, t;

	/* the id-based defaults that later fallbacks must not take */
	for (g = 0; g < cfg->n_gws; g++)
		for (c = 0; c < cfg->gws[g].n_conns; c++) {
			const struct cfg_conn *cn = &cfg->gws[g].conns[c];

			if (!cn->id || cn->id > (UINT32_MAX - 2) / 100)
				continue;
			for (t = 0; t < cn->n_tunnels; t++) {
				if (cn->tunnels[t].ike_none || cn->tunnels[t].if_id_given)
					continue;
				snp(num, sizeof(num), "%u", 100 * cn->id + (uint32_t)t + 1);
				hs_add(W->L, &reserved, num, 0, "");
			}
		}
	for (g = 0; g < cfg->n_gws; g++)
		for (c = 0; c < cfg->gws[g].n_conns; c++) {
			struct cfg_conn *cn = &cfg->gws[g].conns[c];

			for (t = 0; t < cn->n_tunnels; t++) {
				struct cfg_tunnel *tu = &cn->tunnels[t];
				uint32_t v = 0;

				if (tu->ike_none || tu->if_id_given)
					continue;
				if (cn->id && cn->id <= (UINT32_MAX - 2) / 100) {
					v = 100 * cn->id + (uint32_t)t + 1;
					snp(num, sizeof(num), "%u", v);
					snp(dev, sizeof(dev), "xfrm%u", v);
					if (hs_find(&W->if_ids, num) ||
					    (!tu->device_given && hs_find(&W->devs, dev)))
						v = 0;
				}
				while (!v && next) {
					snp(num, sizeof(num), "%u", next);
					snp(dev, sizeof(dev), "xfrm%u", next);
					if (!hs_find(&W->if_ids, num) && !hs_find(&reserved, num) &&
					    (tu->device_given || !hs_find(&W->devs, dev)))
						v = next;
					next++;
				}
				if (!v) {	/* 2^32 - 1 numbers taken: impossible in 4 MiB */
					W->L->oom = true;
					continue;
				}
				tu->if_id = v;
				snp(num, sizeof(num), "%u", v);
				hs_add(W->L, &W->if_ids, num, tu->line, "");
				if (!tu->device_given) {
					snp(tu->device, sizeof(tu->device), "xfrm%u", v);
					hs_add(W->L, &W->devs, tu->device, tu->line, "");
				}
			}
		}
	hs_free(&reserved);
}

static void walk_root(struct walk *W, const struct yn *root)
{
	static const char *const top_keys[] = { "gateways", NULL };
	struct ld *L = W->L;
	const struct yn *gl;
	struct mp m;
	size_t i;

	if (!root) {
		err_at(L, 1, "gateways", "the file is empty; a mapping with gateways: (a list) required");
		return;
	}
	if (!mp_load(L, &m, root, root->line, "", top_keys,
		     "at the top, a mapping with gateways: (a list)"))
		return;
	gl = m.v[0];
	if (!gl) {
		err_at(L, root->line, "gateways", "missing; a list of gateways required (gateways: [] for none)");
		return;
	}
	if (gl->type == YN_BAD)
		return;
	if (gl->type != YN_SEQ) {
		err_at(L, gl->type == YN_SCALAR && !is_null(gl) ? gl->line : m.k[0]->line, "gateways",
		       "%s; a list of gateways allowed",
		       is_null(gl) ? "no value" : gl->type == YN_MAP ? "a mapping" : "a string");
		return;
	}
	if (!gl->n)
		return;
	W->cfg->gws = calloc(gl->n, sizeof(*W->cfg->gws));
	if (!W->cfg->gws) {
		L->oom = true;
		return;
	}
	for (i = 0; i < gl->n; i++) {
		char gp[PATHLEN];

		snp(gp, sizeof(gp), "gateways[%zu]", i);
		parse_gw(W, gl->kid[i], gp, &W->cfg->gws[i]);
		W->cfg->n_gws++;
	}
	if (!L->n && !L->oom)
		default_if_ids(W);
}

/* ---- the interface ---- */

int cfg_load_buf(const char *name, const char *buf, size_t len,
		 struct cfg **out, struct cfg_errors *errs)
{
	struct ld L = { .file = name };
	struct walk W = { .L = &L };
	struct yn *root;
	bool fatal;

	*out = NULL;
	if (!buf)	/* libyaml asserts a buffer, even an empty one */
		buf = "";
	if (len > CFG_FILE_MAX) {
		err_file(&L, "%zu bytes; at most %u (4 MiB) allowed", len, CFG_FILE_MAX);
		flush_errors(&L, errs);
		return -1;
	}
	root = build_tree(&L, buf, len, &fatal);
	if (!fatal) {
		W.cfg = calloc(1, sizeof(*W.cfg));
		if (W.cfg)
			W.cfg->file = strdup(name);
		if (!W.cfg || !W.cfg->file)
			L.oom = true;
		else
			walk_root(&W, root);
	}
	yn_free(root);
	free(L.nl);
	hs_free(&W.gw_names);
	hs_free(&W.devs);
	hs_free(&W.conn_names);
	hs_free(&W.ids);
	hs_free(&W.if_ids);
	hs_free(&W.pairs);
	if (L.n || L.oom) {
		cfg_free(W.cfg);
		flush_errors(&L, errs);
		return -1;
	}
	free(L.e);
	*out = W.cfg;
	return 0;
}

int cfg_load(const char *path, struct cfg **out, struct cfg_errors *errs)
{
	struct ld L = { .file = path };
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	FILE *f;
	int r;

	*out = NULL;
	f = fopen(path, "r");
	if (!f) {
		err_file(&L, "cannot open: %s; a readable YAML file required", strerror(errno));
		goto fail;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		err_file(&L, "not a regular file; a readable YAML file required");
		goto fail;
	}
	if ((unsigned long long)st.st_size > CFG_FILE_MAX) {
		err_file(&L, "%llu bytes; at most %u (4 MiB) allowed",
			 (unsigned long long)st.st_size, CFG_FILE_MAX);
		goto fail;
	}
	buf = malloc(CFG_FILE_MAX + 1);
	if (!buf) {
		L.oom = true;
		goto fail;
	}
	n = fread(buf, 1, CFG_FILE_MAX + 1, f);
	if (ferror(f)) {
		err_file(&L, "cannot read: %s; a readable YAML file required", strerror(errno));
		goto fail;
	}
	fclose(f);
	r = cfg_load_buf(path, buf, n, out, errs);
	free(buf);
	return r;
fail:
	if (f)
		fclose(f);
	free(buf);
	flush_errors(&L, errs);
	return -1;
}

void cfg_free(struct cfg *cfg)
{
	int g, c;

	if (!cfg)
		return;
	for (g = 0; g < cfg->n_gws; g++) {
		for (c = 0; c < cfg->gws[g].n_conns; c++)
			free(cfg->gws[g].conns[c].routes);
		free(cfg->gws[g].conns);
		free(cfg->gws[g].bgp.advertise);
		free(cfg->gws[g].bgp.import_deny);
	}
	free(cfg->gws);
	free(cfg->file);
	free(cfg);
}

void cfg_errors_free(struct cfg_errors *errs)
{
	int i;

	for (i = 0; i < errs->n; i++)
		free(errs->msg[i]);
	free(errs->msg);
	errs->msg = NULL;
	errs->n = 0;
}

const char *cfg_encr_name(uint8_t encr)
{
	return encr < sizeof(encr_names) / sizeof(encr_names[0]) - 1 ?
	       encr_names[encr] : "?";
}

const char *cfg_integ_name(uint8_t integ)
{
	return integ < sizeof(integ_names) / sizeof(integ_names[0]) - 1 ?
	       integ_names[integ] : "?";
}

const struct cfg_gw *cfg_find_gw(const struct cfg *cfg, const char *name)
{
	int g;

	for (g = 0; cfg && g < cfg->n_gws; g++)
		if (!strcmp(cfg->gws[g].name, name))
			return &cfg->gws[g];
	return NULL;
}

const struct cfg_conn *cfg_find_conn(const struct cfg *cfg, const char *name,
				     const struct cfg_gw **gw)
{
	int g, c;

	for (g = 0; cfg && g < cfg->n_gws; g++)
		for (c = 0; c < cfg->gws[g].n_conns; c++)
			if (!strcmp(cfg->gws[g].conns[c].name, name)) {
				if (gw)
					*gw = &cfg->gws[g];
				return &cfg->gws[g].conns[c];
			}
	return NULL;
}

const char *cfg_asdot_str(uint32_t asn, char *buf, size_t len)
{
	if (asn <= 65535)
		snp(buf, len, "%u", asn);
	else
		snp(buf, len, "%u.%u", asn >> 16, asn & 0xffff);
	return buf;
}

const char *cfg_asn_str(uint32_t asn, char *buf, size_t len)
{
	if (asn <= 65535)
		snp(buf, len, "%u", asn);
	else
		snp(buf, len, "%u (%u.%u)", asn, asn >> 16, asn & 0xffff);
	return buf;
}
