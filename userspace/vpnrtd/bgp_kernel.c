// SPDX-License-Identifier: GPL-2.0
/*
 * The BGP table's operations into vpnrt: ROUTE_DEL, ROUTE_NEW with
 * VPNRT_A_REPLACE (a pref change: atomic), ROUTE_NEW, in that order, up to
 * BGP_KERNEL_BATCH routes per request, so an UPDATE of N prefixes costs
 * N / 1024 requests, not N.
 *
 * A request is all or none (Documentation/netlink.rst, ROUTE_NEW): when
 * the kernel refuses one, its extack names the route ("route K: ..."),
 * the routes before it are sent again in one request, the route is dealt
 * with alone and the rest follow in full batches; so a refusal costs two
 * or three requests, not a retry per route. Without a route number the
 * batch is halved. The route the kernel refused:
 *  - an add that exists (EEXIST: a route left there by hand, or a race
 *    with a sweep): sent again as a replace, so the kernel holds what the
 *    table says;
 *  - a delete of a route that is gone (ESRCH: a timed sweep, its
 *    connection deleted): nothing to do;
 *  - anything else (a kernel quota, ENOSPC; the connection is gone,
 *    ENOENT): counted and logged with the extack; the table still holds
 *    the route as installed, and the speaker marks the gateway out of
 *    sync: bgp_kernel_resync() compares the kernel with the table on the
 *    retry timer and after deletions made room.
 *
 * The requests are synchronous on d->nl, as kernel.c's: the kernel acks
 * a batch in microseconds and nothing else can run meanwhile anyway.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <netlink/genl/genl.h>

#include "bgp_int.h"
#include "log.h"
#include "vpnrtd.h"

void bgp_kernel_route(const struct bgp_rib_op *op, const char *conn,
		      struct vpnrt_route *r)
{
	memset(r, 0, sizeof(*r));
	r->family = op->pfx.af == BGP_AF_IPV4 ? AF_INET : AF_INET6;
	r->dst.family = r->family;
	memcpy(r->dst.addr.bytes, op->pfx.addr,
	       op->pfx.af == BGP_AF_IPV4 ? 4 : 16);
	r->dst.len = op->pfx.len;
	r->proto = VPNRT_PROTO_BGP;
	snprintf(r->conn, sizeof(r->conn), "%s", conn);
	VPNRT_SET(r, VPNRT_A_ROUTE_FAMILY);
	VPNRT_SET(r, VPNRT_A_ROUTE_DST);
	VPNRT_SET(r, VPNRT_A_ROUTE_DST_LEN);
	VPNRT_SET(r, VPNRT_A_ROUTE_PROTO);
	VPNRT_SET(r, VPNRT_A_ROUTE_CONN);
	if (op->type == BGP_RIB_OP_ADD || op->type == BGP_RIB_OP_REPLACE) {
		r->pref = op->pref;
		VPNRT_SET(r, VPNRT_A_ROUTE_PREF);
	}
}

/* one request; 0, or the kernel's -errno with its extack in x */
static int xfer(struct vpnrtd *d, struct nl_msg *msg,
		int (*fn)(struct nl_msg *, void *), void *arg,
		struct vpnrt_xfer *x)
{
	*x = (struct vpnrt_xfer){ .fn = fn, .arg = arg };
	if (!msg) {
		x->error = -ENOMEM;
		snprintf(x->msg, sizeof(x->msg), "out of memory");
		return -ENOMEM;
	}
	vpnrt_nl_xfer(d->nl.sk, msg, x);
	nlmsg_free(msg);
	return x->error;
}

bool bgp_timing(void)
{
	static int on = -1;

	if (on < 0) {
		const char *e = getenv("VPNRTD_BGP_TIMING");

		on = e && *e && strcmp(e, "0");
	}
	return on;
}

uint64_t bgp_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}

static bgp_kernel_xfer_fn test_xfer;

void bgp_kernel_set_test_xfer(bgp_kernel_xfer_fn fn)
{
	test_xfer = fn;
}

static int send_one(struct vpnrtd *d, uint8_t cmd, bool replace,
		    const struct vpnrt_route *v, size_t n, struct vpnrt_xfer *x,
		    struct bgp_kernel_stats *st)
{
	st->msgs++;
	if (test_xfer) {
		*x = (struct vpnrt_xfer){ 0 };
		x->error = test_xfer(cmd, replace, v, n, x->msg, sizeof(x->msg));
		return x->error;
	}
	if (bgp_timing()) {
		uint64_t t0 = bgp_now_us();
		int err = xfer(d, vpnrt_routes_msg(d->nl.family_id, cmd,
						   replace, v, (int)n),
			       NULL, NULL, x);

		st->kernel_us += bgp_now_us() - t0;
		return err;
	}
	return xfer(d, vpnrt_routes_msg(d->nl.family_id, cmd, replace, v,
					(int)n), NULL, NULL, x);
}

/* the K of an extack "route K: ...", 0 if none */
static size_t extack_route(const struct vpnrt_xfer *x)
{
	unsigned int k;

	if (sscanf(x->msg, "route %u:", &k) == 1)
		return k;
	return 0;
}

static void refused(const struct vpnrt_route *r, const struct vpnrt_xfer *x,
		    struct bgp_kernel_stats *st)
{
	char pfx[64];

	if (!st->refused++)
		snprintf(st->first_err, sizeof(st->first_err), "%s on %s: %s",
			 format_prefix(&r->dst, false, pfx, sizeof(pfx)),
			 r->conn, vpnrt_xfer_strerror(x));
}

/* route r alone was refused with x; true when it was for a quota */
static bool single(struct vpnrtd *d, uint8_t cmd, bool replace,
		   const struct vpnrt_route *r, const struct vpnrt_xfer *x,
		   struct bgp_kernel_stats *st)
{
	struct vpnrt_xfer x2;

	if (cmd == VPNRT_CMD_ROUTE_DEL && x->error == -ESRCH) {
		st->gone++;
		return false;
	}
	if (cmd == VPNRT_CMD_ROUTE_NEW && !replace && x->error == -EEXIST) {
		if (!send_one(d, cmd, true, r, 1, &x2, st)) {
			st->replaced++;
			return false;
		}
		refused(r, &x2, st);
		return x2.error == -ENOSPC;
	}
	refused(r, x, st);
	return x->error == -ENOSPC;
}

/*
 * A quota is full: the additions behind it in the same scope (the
 * gateway's max-bgp-routes, or the connection's max-peer-routes) cannot
 * go in this batch either: counted refused without a request each.
 * Keeps the others in v[from..*n); returns how many were dropped.
 */
static size_t quota_drop(struct vpnrt_route *v, size_t from, size_t *n,
			 const struct vpnrt_route *r, const char *msg)
{
	bool gw = strstr(msg, "max-bgp-routes") != NULL;
	size_t k = from, dropped = 0;
	char conn[VPNRT_CONN_NAME_MAX];

	snprintf(conn, sizeof(conn), "%s", r->conn);
	for (size_t i = from; i < *n; i++) {
		if (gw || !strcmp(v[i].conn, conn))
			dropped++;
		else
			v[k++] = v[i];
	}
	*n = k;
	return dropped;
}

/* v[0..n) with one command, narrowing down refusals (see the top) */
static void send_routes(struct vpnrtd *d, uint8_t cmd, bool replace,
			struct vpnrt_route *v, size_t n,
			struct bgp_kernel_stats *st)
{
	size_t i = 0, lim = BGP_KERNEL_BATCH;

	while (i < n) {
		size_t cnt = n - i < lim ? n - i : lim, k;
		struct vpnrt_xfer x;

		if (!send_one(d, cmd, replace, v + i, cnt, &x, st)) {
			if (cmd == VPNRT_CMD_ROUTE_DEL)
				st->deleted += (uint32_t)cnt;
			else if (replace)
				st->replaced += (uint32_t)cnt;
			else
				st->added += (uint32_t)cnt;
			i += cnt;
			lim = BGP_KERNEL_BATCH;
			continue;
		}
		k = extack_route(&x);
		if (k > 1 && k <= cnt) {
			lim = k - 1;	/* the good head again, in one */
			continue;
		}
		if (k == 1 || cnt == 1) {
			if (single(d, cmd, replace, &v[i], &x, st))
				st->refused += (uint32_t)quota_drop(v, i + 1,
					&n, &v[i], vpnrt_xfer_strerror(&x));
			i++;
			lim = BGP_KERNEL_BATCH;
			continue;
		}
		lim = cnt / 2;
	}
}

static uint8_t op_cmd(uint8_t type, bool *replace)
{
	*replace = type == BGP_RIB_OP_REPLACE;
	return type == BGP_RIB_OP_DEL ? VPNRT_CMD_ROUTE_DEL : VPNRT_CMD_ROUTE_NEW;
}

void bgp_kernel_send(struct vpnrtd *d, const struct bgp_rib *rib,
		     const struct bgp_rib_op *ops, size_t n,
		     struct bgp_kernel_stats *st)
{
	struct vpnrt_route *v;
	size_t i = 0;

	v = calloc(n + 1, sizeof(*v));
	if (!v) {
		st->refused += (uint32_t)n;
		snprintf(st->first_err, sizeof(st->first_err), "out of memory");
		return;
	}
	while (i < n) {
		uint8_t type = ops[i].type, cmd;
		size_t m = 0;
		bool replace;

		for (; i < n && ops[i].type == type; i++) {
			if (ops[i].conn == BGP_RIB_CONN_VPC)
				continue;
			bgp_kernel_route(&ops[i],
					 bgp_rib_conn_name(rib, ops[i].conn),
					 &v[m++]);
		}
		if (type == BGP_RIB_OP_VPC_ADD || type == BGP_RIB_OP_VPC_DEL || !m)
			continue;
		cmd = op_cmd(type, &replace);
		send_routes(d, cmd, replace, v, m, st);
	}
	free(v);
}

/* ---- dump ---- */

struct rlist {
	size_t n, cap;
	struct vpnrt_route *v;
	bool nomem;
};

static int route_cb(struct nl_msg *msg, void *arg)
{
	struct rlist *l = arg;
	struct nlattr *tb[VPNRT_A_MAX + 1], *a;
	int rem;

	if (vpnrt_parse_msg(msg, tb) || !tb[VPNRT_A_ROUTES])
		return NL_SKIP;
	nla_for_each_nested(a, tb[VPNRT_A_ROUTES], rem) {
		if (l->n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 256;
			struct vpnrt_route *nv = realloc(l->v, cap * sizeof(*nv));

			if (!nv) {
				l->nomem = true;
				return NL_STOP;
			}
			l->v = nv;
			l->cap = cap;
		}
		memset(&l->v[l->n], 0, sizeof(l->v[0]));
		if (!vpnrt_parse_route(a, &l->v[l->n]) &&
		    l->v[l->n].proto == VPNRT_PROTO_BGP)
			l->n++;
	}
	return NL_OK;
}

int bgp_kernel_dump(struct vpnrtd *d, uint32_t gw_ifindex,
		    struct vpnrt_route **out, size_t *n)
{
	for (int tries = 0; tries < 5; tries++) {
		struct vpnrt_route filt = { 0 };
		struct rlist l = { 0 };
		struct vpnrt_xfer x;
		struct nl_msg *msg;
		int err;

		filt.proto = VPNRT_PROTO_BGP;
		VPNRT_SET(&filt, VPNRT_A_ROUTE_PROTO);
		if (gw_ifindex) {
			filt.gw_ifindex = gw_ifindex;
			VPNRT_SET(&filt, VPNRT_A_ROUTE_GW_IFINDEX);
		}
		msg = vpnrt_msg_new(d->nl.family_id, VPNRT_CMD_ROUTE_GET,
				    NLM_F_DUMP, 0);
		if (msg && vpnrt_put_routes(msg, &filt, 1) < 0) {
			nlmsg_free(msg);
			msg = NULL;
		}
		err = xfer(d, msg, route_cb, &l, &x);
		if (err || l.nomem) {
			vlog(LOG_ERR, "bgp: reading the kernel's BGP routes: %s",
			     l.nomem ? "out of memory" : vpnrt_xfer_strerror(&x));
			free(l.v);
			return -1;
		}
		if (x.dump_intr) {
			free(l.v);
			continue;
		}
		*out = l.v;
		*n = l.n;
		return 0;
	}
	vlog(LOG_ERR, "bgp: the kernel's BGP routes kept changing while read");
	return -1;
}

static int stale_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[VPNRT_A_MAX + 1];
	struct vpnrt_stale st = { 0 };

	if (vpnrt_parse_msg(msg, tb) || !tb[VPNRT_A_STALE] ||
	    vpnrt_parse_stale(tb[VPNRT_A_STALE], &st))
		return NL_SKIP;
	*(uint32_t *)arg = st.count;
	return NL_OK;
}

long bgp_kernel_stale(struct vpnrtd *d, uint32_t gw_ifindex,
		      const char *conn, long timeout)
{
	struct vpnrt_stale st = { 0 };
	struct vpnrt_xfer x;
	uint32_t count = 0;
	uint8_t cmd = timeout >= 0 ? VPNRT_CMD_ROUTE_STALE : VPNRT_CMD_ROUTE_SWEEP;

	st.gw_ifindex = gw_ifindex;
	VPNRT_SET(&st, VPNRT_A_STALE_GW_IFINDEX);
	st.proto = VPNRT_PROTO_BGP;
	VPNRT_SET(&st, VPNRT_A_STALE_PROTO);
	if (conn) {
		snprintf(st.conn, sizeof(st.conn), "%s", conn);
		VPNRT_SET(&st, VPNRT_A_STALE_CONN);
	}
	if (timeout > 0) {
		st.timeout = timeout > VPNRT_STALE_TIMEOUT_MAX ?
			     VPNRT_STALE_TIMEOUT_MAX : (uint32_t)timeout;
		VPNRT_SET(&st, VPNRT_A_STALE_TIMEOUT);
	}
	if (xfer(d, vpnrt_stale_msg(d->nl.family_id, cmd, &st), stale_cb,
		 &count, &x)) {
		vlog(LOG_ERR, "bgp: %s of the BGP routes of %s%s: %s",
		     cmd == VPNRT_CMD_ROUTE_STALE ? "marking stale" : "sweeping",
		     conn ? "connection " : "the gateway", conn ? conn : "",
		     vpnrt_xfer_strerror(&x));
		return -1;
	}
	return count;
}

/* ---- resync ---- */

static int route_cmp(const struct vpnrt_route *a, const struct vpnrt_route *b)
{
	int c = strcmp(a->conn, b->conn);

	if (c)
		return c;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->dst.addr.bytes, b->dst.addr.bytes, 16);
	if (c)
		return c;
	return a->dst.len == b->dst.len ? 0 : a->dst.len < b->dst.len ? -1 : 1;
}

static int route_qcmp(const void *a, const void *b)
{
	return route_cmp(a, b);
}

int bgp_kernel_resync(struct vpnrtd *d, const struct bgp_rib *rib,
		      uint32_t gw_ifindex, struct bgp_kernel_stats *st)
{
	struct vpnrt_route *have = NULL, *want = NULL, *add, *del;
	size_t n_have = 0, n_want = 0, cap = 256, n_add = 0, n_del = 0;
	size_t i = 0, j = 0;
	struct bgp_rib_iter it;
	struct bgp_rib_route r;
	int ret = -1;

	if (bgp_kernel_dump(d, gw_ifindex, &have, &n_have))
		return -1;
	want = malloc(cap * sizeof(*want));
	if (!want)
		goto out;
	bgp_rib_iter_init(&it, -1, -1, false);
	while (bgp_rib_iter_next(rib, &it, &r)) {
		struct bgp_rib_op op = { .type = BGP_RIB_OP_ADD,
					 .pref = r.pref, .pfx = r.pfx };

		if (!r.installed)
			continue;
		if (n_want == cap) {
			struct vpnrt_route *nv;

			cap *= 2;
			nv = realloc(want, cap * sizeof(*nv));
			if (!nv)
				goto out;
			want = nv;
		}
		bgp_kernel_route(&op, bgp_rib_conn_name(rib, r.conn),
				 &want[n_want++]);
	}
	qsort(have, n_have, sizeof(*have), route_qcmp);
	qsort(want, n_want, sizeof(*want), route_qcmp);
	/* the new and changed ones go as replaces: one request kind */
	add = calloc(n_want + 1, sizeof(*add));
	del = calloc(n_have + 1, sizeof(*del));
	if (!add || !del) {
		free(add);
		free(del);
		goto out;
	}
	while (i < n_have || j < n_want) {
		int c = i == n_have ? 1 : j == n_want ? -1 :
			route_cmp(&have[i], &want[j]);

		if (c < 0) {
			/* a stale one waits for the sweep */
			if (!have[i].stale) {
				struct bgp_rib_op op = { .type = BGP_RIB_OP_DEL };

				op.pfx.af = have[i].family == AF_INET ?
					    BGP_AF_IPV4 : BGP_AF_IPV6;
				op.pfx.len = have[i].dst.len;
				memcpy(op.pfx.addr, have[i].dst.addr.bytes, 16);
				bgp_kernel_route(&op, have[i].conn,
						 &del[n_del++]);
			}
			i++;
		} else if (c > 0) {
			add[n_add++] = want[j++];
		} else {
			if (have[i].pref != want[j].pref || have[i].stale)
				add[n_add++] = want[j];
			i++;
			j++;
		}
	}
	if (n_del)
		send_routes(d, VPNRT_CMD_ROUTE_DEL, false, del, n_del, st);
	if (n_add)
		send_routes(d, VPNRT_CMD_ROUTE_NEW, true, add, n_add, st);
	free(add);
	free(del);
	ret = st->refused ? -1 : 0;
out:
	if (ret && !st->refused && !st->first_err[0])
		snprintf(st->first_err, sizeof(st->first_err), "out of memory");
	free(have);
	free(want);
	return ret;
}
