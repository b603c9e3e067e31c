// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtctl -b FILE: one command per line, like ip -batch. Runs of
 * `route add` (or of `route del`, or of `route replace`) lines go to the
 * kernel as one ROUTE_NEW (ROUTE_DEL, ROUTE_NEW with VPNRT_A_REPLACE) per
 * chunk, which the kernel applies all or nothing; everything else runs
 * line by line. The first failure stops.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vpnrtctl.h"

#define MAX_ARGS 256

/* the route lines that go in chunks */
enum { CHANGE_NONE, CHANGE_ADD, CHANGE_DEL, CHANGE_REPLACE };
static const char *const change_verbs[] = { NULL, "add", "del", "replace" };

struct pending {
	int kind;		/* CHANGE_*, CHANGE_NONE when empty */
	int n;
	size_t bytes;
	struct vpnrt_route *routes;
	int *lines;
};

/* prefix c->err with "line N: " or "lines A-B: " */
static int at_lines(struct vpnrtctl *c, int first, int last, const char *msg)
{
	char tmp[sizeof(c->err) - 64];
	bool kernel = c->err_kernel;

	snprintf(tmp, sizeof(tmp), "%.*s", (int)sizeof(tmp) - 1, msg);
	if (first == last)
		snprintf(c->err, sizeof(c->err), "line %d: %s", first, tmp);
	else
		snprintf(c->err, sizeof(c->err), "lines %d-%d: %s", first, last, tmp);
	c->err_kernel = kernel;
	return -1;
}

static int flush(struct vpnrtctl *c, struct pending *p)
{
	struct nl_msg *msg;
	unsigned int k;
	int n = p->n, off = 0;

	if (!n)
		return 0;
	p->n = 0;
	p->bytes = 0;
	msg = route_change_msg(c, p->kind == CHANGE_DEL ? VPNRT_CMD_ROUTE_DEL :
			       VPNRT_CMD_ROUTE_NEW, p->kind == CHANGE_REPLACE,
			       p->routes, n);
	if (!msg)
		return at_lines(c, p->lines[0], p->lines[n - 1], c->err);
	if (!ctl_xfer(c, msg, NULL, NULL))
		return 0;
	/* the kernel names the failing route: "route K: ...", K from 1 */
	if (c->err_kernel && sscanf(c->err, "route %u: %n", &k, &off) == 1 &&
	    off > 0 && k >= 1 && k <= (unsigned int)n)
		return at_lines(c, p->lines[k - 1], p->lines[k - 1], c->err + off);
	return at_lines(c, p->lines[0], p->lines[n - 1], c->err);
}

/* split line in place; -1 on an unterminated quote or too many words */
static int tokenize(char *s, char **argv, int max)
{
	int argc = 0;

	for (;;) {
		char *w;

		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (!*s || *s == '#')
			return argc;
		if (argc == max)
			return -1;
		argv[argc++] = w = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') {
			if (*s == '"' || *s == '\'') {
				char q = *s++;

				while (*s && *s != q)
					*w++ = *s++;
				if (!*s)
					return -1;
				s++;
			} else {
				*w++ = *s++;
			}
		}
		if (*s)
			s++;
		*w = '\0';
	}
}

/* CHANGE_ADD, _DEL, _REPLACE for "route add|del|replace ...", else NONE */
static int route_change(int argc, char **argv)
{
	static const char *const objs[] = {
		"gateway", "conn", "route", "monitor", "family", "help", NULL
	};
	static const char *const verbs[] = {
		"add", "del", "show", "get", "replace", "stale", "sweep", NULL
	};
	int v;

	if (argc < 2 || kw_find(argv[0], objs) != 2)
		return CHANGE_NONE;
	if (!strcmp(argv[1], "delete"))
		return CHANGE_DEL;
	v = kw_find(argv[1], verbs);
	return v == 0 ? CHANGE_ADD : v == 1 ? CHANGE_DEL :
	       v == 4 ? CHANGE_REPLACE : CHANGE_NONE;
}

int vpnrtctl_batch_stream(struct vpnrtctl *c, FILE *in)
{
	struct pending p = { 0 };
	char *line = NULL, *argv[MAX_ARGS];
	size_t cap = 0;
	int lineno = 0, rc = 0, chunk = c->route_chunk > 0 ? c->route_chunk : 1;

	p.routes = calloc((size_t)chunk, sizeof(*p.routes));
	p.lines = calloc((size_t)chunk, sizeof(*p.lines));
	if (!p.routes || !p.lines) {
		rc = cli_err(c, "out of memory");
		goto out;
	}
	while (getline(&line, &cap, in) >= 0) {
		int argc = tokenize(line, argv, MAX_ARGS);
		int kind;

		lineno++;
		if (argc == 0)
			continue;
		if (argc < 0) {
			rc = flush(c, &p);
			if (!rc)
				rc = at_lines(c, lineno, lineno,
					      "unterminated quote or more than 256 words");
			goto out;
		}
		kind = route_change(argc, argv);
		if (kind != CHANGE_NONE) {
			struct vpnrt_route *r = &p.routes[p.n];
			size_t size;

			if (route_parse_change(c, change_verbs[kind],
					       argc - 2, argv + 2, r)) {
				char err[sizeof(c->err)];

				/* the lines before this one run first */
				snprintf(err, sizeof(err), "%s", c->err);
				rc = flush(c, &p);
				if (!rc)
					rc = at_lines(c, lineno, lineno, err);
				goto out;
			}
			size = vpnrt_route_size(r);
			if (p.n && (p.kind != kind || p.bytes + size > c->chunk_bytes)) {
				struct vpnrt_route keep = *r;

				rc = flush(c, &p);
				if (rc)
					goto out;
				p.routes[0] = keep;
			}
			p.kind = kind;
			p.lines[p.n++] = lineno;
			p.bytes += size;
			if (p.n == chunk) {
				rc = flush(c, &p);
				if (rc)
					goto out;
			}
			continue;
		}
		rc = flush(c, &p);
		if (rc)
			goto out;
		if (vpnrtctl_run(c, argc, argv)) {
			rc = at_lines(c, lineno, lineno, c->err);
			goto out;
		}
	}
	rc = flush(c, &p);
out:
	free(line);
	free(p.routes);
	free(p.lines);
	return rc;
}

int vpnrtctl_batch(struct vpnrtctl *c, const char *file)
{
	FILE *in = stdin;
	int rc;

	if (strcmp(file, "-")) {
		in = fopen(file, "r");
		if (!in)
			return cli_err(c, "cannot open batch file \"%s\": %s", file,
				       strerror(errno));
	}
	rc = vpnrtctl_batch_stream(c, in);
	if (in != stdin)
		fclose(in);
	return rc;
}
