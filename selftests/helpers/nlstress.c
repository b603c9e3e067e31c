// SPDX-License-Identifier: GPL-2.0
/*
 * nlstress: the concurrency stress of the vpnrt genetlink family (issue
 * 13). Forks workers that each do one kind of work in a loop against one
 * gateway for S seconds, every one on its own socket, at the same time:
 *
 *   route   route add / delete / replace batches (up to 64 routes a
 *           request, IPv4 and IPv6, over two conns of its own), and
 *           batches whose last route exists, which must fail whole
 *   churn   conn new (one tunnel, or two in ECMP), a batch of routes on
 *           it, admin down/up, health start, tunnel rebind, conn del
 *   health  health reconfiguration of the traffic conn (--health-conn):
 *           start/replace with another interval and policy, or stop
 *   dump    full dumps of gateways, conns and routes (multi-message):
 *           nothing twice (unless NLM_F_DUMP_INTR), the gateway and the
 *           fixed conn in every one, the fixed conn's routes all there
 *   lookup  ROUTE_LOOKUP: --expect ADDR=CONN must always be answered by
 *           CONN; other destinations answer or say ENETUNREACH
 *   gwset   GW_SET of mss-clamp, ecmp-hash and max-paths, and creation
 *           and deletion of a scratch gateway (--scratch-gw)
 *
 * Each worker keeps a model of the objects it owns (nobody else touches
 * them) and takes any answer the model does not predict as a failure.
 * When time is up every worker waits for all to stop (the quiesced phase),
 * then puts its objects into a fixed final state from its model; the
 * parent then checks the dumps against that state exactly (routes, their
 * weights, conns, tunnels, admin, the gateway's settings and its route
 * counters) and prints, per kind, "nlstress: KIND: N ops (I items), R/s".
 *
 * Exit 0 when all is as expected, 1 on a failure (each said on stderr),
 * 2 on a usage error.
 */
#define _GNU_SOURCE
#define HELPER_NAME "nlstress"
#define HELPER_USAGE HELPER_NAME " --gateway GW --seconds S --tunnels T1,T2,... [--ns NS]\n" \
	"  [--route-workers N] [--churn-workers N] [--dump-workers N] [--lookup-workers N]\n" \
	"  [--health-conn C --health-dst A --health-src A] [--fixed-conn C]\n" \
	"  [--expect ADDR=CONN] [--scratch-gw NAME] [--seed N]"
#include "helper.h"

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "linux/vpnrt.h"

#define MSG_SIZE	65536
#define MAX_WORKERS	32
#define MAX_TUNNELS	32
#define NR_ROUTES	512	/* route space of one route worker */
#define MAX_BATCH	64
#define CHURN_ROUTES	16

enum kind { K_ROUTE, K_CHURN, K_HEALTH, K_DUMP, K_LOOKUP, K_GWSET, N_KINDS };
static const char *const kind_name[N_KINDS] = {
	"route", "churn", "health", "dump", "lookup", "gwset",
};

struct wstat {
	uint64_t ops;		/* requests answered as expected */
	uint64_t items;		/* routes sent, dump messages, ... */
	int reached;		/* at the barrier */
};

struct shared {
	int done;		/* workers at the barrier (or dead) */
	struct wstat w[MAX_WORKERS];
};

static struct shared *shm;

/* ---- options ---- */
static const char *gw_name, *ns_name, *health_conn, *fixed_conn, *scratch_gw;
static uint32_t health_dst, health_src;	/* network order */
static double seconds = -1;
static char tun[MAX_TUNNELS][IFNAMSIZ];
static uint32_t tun_ifx[MAX_TUNNELS];
static int n_tun;
static int n_route = 2, n_churn = 2, n_dump = 1, n_lookup = 1;
static uint32_t expect_addr;
static char expect_conn[VPNRT_CONN_NAME_MAX];
static uint64_t seed;
static uint32_t gw_ifx;

/* ---- per worker ---- */
static int me;
static const char *me_name;
static char me_label[32];
static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng >> 11) % n : 0;
}

__attribute__((format(printf, 1, 2), noreturn))
static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, HELPER_NAME ": %s: ", me_label);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ---- netlink ---- */
static uint16_t fam;
static int nl_fd = -1;
static uint32_t nl_seq;
static char nl_ext[256];	/* the extack message of the last error */

struct msg {
	union {
		struct nlmsghdr h;
		uint8_t buf[MSG_SIZE];
	};
	struct nlattr *nest[8];
	int depth;
};

static struct msg req;
static uint8_t rbuf[MSG_SIZE * 2];

static void nl_open(void)
{
	int one = 1, sz = 1 << 20;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl_fd < 0 || bind(nl_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fail("netlink socket: %s", strerror(errno));
	setsockopt(nl_fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(nl_fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

static void msg_init(struct msg *m, uint16_t type, uint8_t cmd, uint16_t flags)
{
	struct genlmsghdr *g;

	memset(&m->h, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	m->h.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->h.nlmsg_type = type;
	m->h.nlmsg_flags = NLM_F_REQUEST | flags;
	g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	g->cmd = cmd;
	g->version = VPNRT_GENL_VERSION;
	m->depth = 0;
}

static void put(struct msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + NLMSG_ALIGN(m->h.nlmsg_len));

	if (NLMSG_ALIGN(m->h.nlmsg_len) + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(m->buf))
		fail("request over %d bytes", MSG_SIZE);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
	memset((uint8_t *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	m->h.nlmsg_len = NLMSG_ALIGN(m->h.nlmsg_len) + NLA_HDRLEN + NLA_ALIGN(len);
}

static void put_u8(struct msg *m, uint16_t t, uint8_t v) { put(m, t, &v, 1); }
static void put_u16(struct msg *m, uint16_t t, uint16_t v) { put(m, t, &v, 2); }
static void put_u32(struct msg *m, uint16_t t, uint32_t v) { put(m, t, &v, 4); }
static void put_str(struct msg *m, uint16_t t, const char *s) { put(m, t, s, strlen(s) + 1); }

static void nest(struct msg *m, uint16_t type)
{
	m->nest[m->depth++] = (struct nlattr *)(m->buf + m->h.nlmsg_len);
	put(m, type | NLA_F_NESTED, NULL, 0);
}

static void nest_end(struct msg *m)
{
	struct nlattr *a = m->nest[--m->depth];

	a->nla_len = m->buf + m->h.nlmsg_len - (uint8_t *)a;
}

/* attributes of a payload, by type (the last of a type wins) */
#define MAX_ATTR 64
static void parse(const void *data, size_t len, const struct nlattr **tb)
{
	const struct nlattr *a = data;

	memset(tb, 0, MAX_ATTR * sizeof(*tb));
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		uint16_t t = a->nla_type & NLA_TYPE_MASK;

		if (t < MAX_ATTR)
			tb[t] = a;
		len -= (size_t)NLA_ALIGN(a->nla_len) < len ? (size_t)NLA_ALIGN(a->nla_len) : len;
		a = (const struct nlattr *)((const uint8_t *)a + NLA_ALIGN(a->nla_len));
	}
}

static const void *adata(const struct nlattr *a) { return (const uint8_t *)a + NLA_HDRLEN; }
static size_t alen(const struct nlattr *a) { return a->nla_len - NLA_HDRLEN; }
static uint32_t au32(const struct nlattr *a) { return a ? *(const uint32_t *)adata(a) : 0; }
static uint8_t au8(const struct nlattr *a) { return a ? *(const uint8_t *)adata(a) : 0; }

static void nested(const struct nlattr *a, const struct nlattr **tb)
{
	parse(adata(a), alen(a), tb);
}

typedef void (*reply_cb)(const struct nlmsghdr *h, const struct nlattr **tb, void *arg);

/*
 * Send the request and read its answers: each reply message's top-level
 * attributes go to CB; returns 0 or -errno (its extack message in
 * nl_ext). *intr says whether a dump message had NLM_F_DUMP_INTR.
 */
static int talk(struct msg *m, reply_cb cb, void *arg, bool *intr)
{
	const struct nlattr *tb[MAX_ATTR];
	bool dump = m->h.nlmsg_flags & NLM_F_DUMP;

	m->h.nlmsg_seq = ++nl_seq;
	if (!dump)
		m->h.nlmsg_flags |= NLM_F_ACK;
	nl_ext[0] = 0;
	if (intr)
		*intr = false;
	if (send(nl_fd, m->buf, m->h.nlmsg_len, 0) != (ssize_t)m->h.nlmsg_len)
		fail("netlink send: %s", strerror(errno));
	for (;;) {
		ssize_t n = recv(nl_fd, rbuf, sizeof(rbuf), 0);
		struct nlmsghdr *h;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail("netlink recv: %s", strerror(errno));
		}
		for (h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != m->h.nlmsg_seq)
				continue;
			if (intr && (h->nlmsg_flags & NLM_F_DUMP_INTR))
				*intr = true;
			if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE) {
				int err = *(int *)NLMSG_DATA(h);
				size_t off = h->nlmsg_type == NLMSG_ERROR ?
					sizeof(struct nlmsgerr) : sizeof(int);

				if (h->nlmsg_flags & NLM_F_ACK_TLVS &&
				    h->nlmsg_len > NLMSG_HDRLEN + off) {
					parse((uint8_t *)NLMSG_DATA(h) + off,
					      h->nlmsg_len - NLMSG_HDRLEN - off, tb);
					if (tb[NLMSGERR_ATTR_MSG])
						snprintf(nl_ext, sizeof(nl_ext), "%s",
							 (const char *)adata(tb[NLMSGERR_ATTR_MSG]));
				}
				return err;
			}
			if (h->nlmsg_type != fam)
				fail("answer of type %u, not the family's %u", h->nlmsg_type, fam);
			parse((uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN,
			      h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, tb);
			if (cb)
				cb(h, tb, arg);
		}
	}
}

static const char *err_str(int err)
{
	static char s[400];

	snprintf(s, sizeof(s), "%s%s%s", strerror(-err), nl_ext[0] ? ": " : "", nl_ext);
	return s;
}

/* the request must succeed */
static void must(struct msg *m, reply_cb cb, void *arg, const char *what)
{
	int err = talk(m, cb, arg, NULL);

	if (err)
		fail("%s: %s", what, err_str(err));
}

static void fam_cb(const struct nlmsghdr *h, const struct nlattr **tb, void *arg)
{
	(void)h;
	if (tb[CTRL_ATTR_FAMILY_ID])
		*(uint16_t *)arg = *(const uint16_t *)adata(tb[CTRL_ATTR_FAMILY_ID]);
}

static void resolve_family(void)
{
	uint16_t id = 0;

	fam = GENL_ID_CTRL;
	msg_init(&req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	put_str(&req, CTRL_ATTR_FAMILY_NAME, VPNRT_GENL_NAME);
	must(&req, fam_cb, &id, "resolving the vpnrt family");
	if (!id)
		fail("no family id for %s", VPNRT_GENL_NAME);
	fam = id;
}

static void vmsg(uint8_t cmd, uint16_t flags)
{
	msg_init(&req, fam, cmd, flags);
}

/* ---- routes ---- */
struct route {
	bool v6;
	uint8_t dst[16], len;
	uint8_t weight;
	const char *conn;
};

static void put_route(struct msg *m, int i, const struct route *r)
{
	nest(m, i + 1);
	put_u16(m, VPNRT_A_ROUTE_FAMILY, r->v6 ? AF_INET6 : AF_INET);
	put(m, VPNRT_A_ROUTE_DST, r->dst, r->v6 ? 16 : 4);
	put_u8(m, VPNRT_A_ROUTE_DST_LEN, r->len);
	put_u8(m, VPNRT_A_ROUTE_PROTO, VPNRT_PROTO_STATIC);
	put_str(m, VPNRT_A_ROUTE_CONN, r->conn);
	put_u8(m, VPNRT_A_ROUTE_WEIGHT, r->weight);
	nest_end(m);
}

/* route K of route worker W: 100.(64+W).x.y/26 or fd53:W:K::/48 */
static char rw_conn[MAX_WORKERS][2][VPNRT_CONN_NAME_MAX];

static void rw_route(int w, int k, uint8_t weight, struct route *r)
{
	memset(r, 0, sizeof(*r));
	r->conn = rw_conn[w][k & 1];
	r->weight = weight;
	if (k < NR_ROUTES / 2) {
		uint32_t a = htonl(100u << 24 | (64u + w) << 16 | (uint32_t)k << 6);

		memcpy(r->dst, &a, 4);
		r->len = 26;
	} else {
		r->v6 = true;
		r->dst[0] = 0xfd;
		r->dst[1] = 0x53;
		r->dst[3] = w;
		r->dst[4] = k >> 8;
		r->dst[5] = k & 0xff;
		r->len = 48;
	}
}

/* the final state: every third route, weights 0 and 100 alternating */
static bool rw_final(int k, uint8_t *weight)
{
	*weight = k % 6 == 0 ? 0 : 100;
	return k % 3 == 0;
}

static char ch_conn[MAX_WORKERS][VPNRT_CONN_NAME_MAX];

static void ch_route(int w, int k, struct route *r)
{
	uint32_t a = htonl(100u << 24 | (96u + w) << 16 | (uint32_t)k << 8);

	memset(r, 0, sizeof(*r));
	memcpy(r->dst, &a, 4);
	r->len = 24;
	r->conn = ch_conn[w];
	r->weight = 100;
}

/* worker @w's CHURN_ROUTES routes added to its conn in one request */
static void ch_routes_add(int w, const char *what)
{
	struct route r;
	int i;

	vmsg(VPNRT_CMD_ROUTE_NEW, 0);
	nest(&req, VPNRT_A_ROUTES);
	for (i = 0; i < CHURN_ROUTES; i++) {
		ch_route(w, i, &r);
		put_route(&req, i, &r);
	}
	nest_end(&req);
	must(&req, NULL, NULL, what);
}

/* ---- workers ---- */
static int64_t deadline;

static void count(uint64_t items)
{
	shm->w[me].ops++;
	shm->w[me].items += items;
}

static bool running(void)
{
	return now_ns() < deadline;
}

/* wait until every worker has stopped its loop */
static void barrier(void)
{
	__atomic_store_n(&shm->w[me].reached, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&shm->done, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&shm->done, __ATOMIC_SEQ_CST) < n_route + n_churn +
	       n_dump + n_lookup + !!health_conn + 1)
		usleep(10000);
}

static void conn_new(const char *name, const uint32_t *ifx, int n, uint8_t mode, uint8_t admin)
{
	int i;

	vmsg(VPNRT_CMD_CONN_NEW, 0);
	nest(&req, VPNRT_A_CONN);
	put_str(&req, VPNRT_A_CONN_NAME, name);
	put_u32(&req, VPNRT_A_CONN_GW_IFINDEX, gw_ifx);
	nest(&req, VPNRT_A_CONN_TUNNELS);
	for (i = 0; i < n; i++) {
		nest(&req, i + 1);
		put_u32(&req, VPNRT_A_TUNNEL_IFINDEX, ifx[i]);
		nest_end(&req);
	}
	nest_end(&req);
	put_u8(&req, VPNRT_A_CONN_MODE, mode);
	put_u8(&req, VPNRT_A_CONN_ADMIN, admin);
	nest_end(&req);
}

static void conn_del(const char *name)
{
	vmsg(VPNRT_CMD_CONN_DEL, 0);
	nest(&req, VPNRT_A_CONN);
	put_str(&req, VPNRT_A_CONN_NAME, name);
	nest_end(&req);
}

static void route_worker(int w)
{
	static bool present[NR_ROUTES];
	static uint8_t weight[NR_ROUTES];
	int picks[MAX_BATCH], np, i, k, err;
	uint8_t wts[MAX_BATCH];
	struct route r;

	for (i = 0; i < 2; i++) {
		conn_new(rw_conn[w][i], &tun_ifx[2 * w + i], 1, VPNRT_MODE_ACTIVE_STANDBY, 1);
		must(&req, NULL, NULL, "conn new");
	}
	while (running()) {
		int op = rnd(8), want = 1 + rnd(MAX_BATCH);
		bool add = op < 3, replace = op == 6, bad = op == 7;

		/* pick up to WANT routes present (del, replace) or absent (add) */
		np = 0;
		for (k = rnd(NR_ROUTES), i = 0; i < NR_ROUTES && np < want; i++) {
			int j = (k + i * 7) % NR_ROUTES;	/* 7 is prime to 512 */

			if (present[j] == !add)
				picks[np++] = j;
		}
		if (!np)
			continue;
		if (bad) {
			/* adds, then one route that exists: nothing may change */
			int dup = -1;

			for (k = rnd(NR_ROUTES), i = 0; i < NR_ROUTES; i++)
				if (present[(k + i) % NR_ROUTES]) {
					dup = (k + i) % NR_ROUTES;
					break;
				}
			np = 0;
			for (k = rnd(NR_ROUTES), i = 0; i < NR_ROUTES && np < want - 1; i++) {
				int j = (k + i * 7) % NR_ROUTES;

				if (!present[j])
					picks[np++] = j;
			}
			if (dup < 0 || !np)
				continue;
			vmsg(VPNRT_CMD_ROUTE_NEW, 0);
			nest(&req, VPNRT_A_ROUTES);
			for (i = 0; i < np; i++) {
				rw_route(w, picks[i], 100, &r);
				put_route(&req, i, &r);
			}
			rw_route(w, dup, weight[dup], &r);
			put_route(&req, np, &r);
			nest_end(&req);
			err = talk(&req, NULL, NULL, NULL);
			if (err != -EEXIST)
				fail("route add of %d with an existing one last: %s, not EEXIST",
				     np + 1, err ? err_str(err) : "accepted");
			count(np + 1);
			continue;
		}
		vmsg(add || replace ? VPNRT_CMD_ROUTE_NEW : VPNRT_CMD_ROUTE_DEL, 0);
		if (replace)
			put(&req, VPNRT_A_REPLACE, NULL, 0);
		nest(&req, VPNRT_A_ROUTES);
		for (i = 0; i < np; i++) {
			k = picks[i];
			wts[i] = add ? (rnd(2) ? 100 : 0) : replace ? 100 - weight[k] : weight[k];
			rw_route(w, k, wts[i], &r);
			put_route(&req, i, &r);
		}
		nest_end(&req);
		err = talk(&req, NULL, NULL, NULL);
		if (err)
			fail("route %s of %d routes: %s", add ? "add" : replace ? "replace" : "del",
			     np, err_str(err));
		for (i = 0; i < np; i++) {
			present[picks[i]] = add || replace;
			weight[picks[i]] = wts[i];
		}
		count(np);
	}
	barrier();
	/* the final state, reached from the model: deletes, then adds/replaces */
	for (int pass = 0; pass < 2; pass++) {
		np = 0;
		vmsg(pass ? VPNRT_CMD_ROUTE_NEW : VPNRT_CMD_ROUTE_DEL, 0);
		if (pass)
			put(&req, VPNRT_A_REPLACE, NULL, 0);
		nest(&req, VPNRT_A_ROUTES);
		for (k = 0; k < NR_ROUTES; k++) {
			uint8_t wt;
			bool keep = rw_final(k, &wt);

			if (pass == 0 && present[k] && !keep) {
				rw_route(w, k, weight[k], &r);
				put_route(&req, np++, &r);
			} else if (pass == 1 && keep && (!present[k] || weight[k] != wt)) {
				rw_route(w, k, wt, &r);
				put_route(&req, np++, &r);
			}
		}
		nest_end(&req);
		if (np)
			must(&req, NULL, NULL, pass ? "final route add" : "final route del");
	}
}

static void health_nest(struct msg *m, uint32_t interval, uint32_t retries, uint8_t policy)
{
	nest(m, VPNRT_A_TUNNEL_HEALTH);
	put_u16(m, VPNRT_A_HEALTH_FAMILY, AF_INET);
	put(m, VPNRT_A_HEALTH_DST, &health_dst, 4);
	put(m, VPNRT_A_HEALTH_SRC, &health_src, 4);
	put_u32(m, VPNRT_A_HEALTH_INTERVAL, interval);
	put_u32(m, VPNRT_A_HEALTH_RETRIES, retries);
	put_u8(m, VPNRT_A_HEALTH_POLICY, policy);
	nest_end(m);
}

static void conn_set_start(const char *name)
{
	vmsg(VPNRT_CMD_CONN_SET, 0);
	nest(&req, VPNRT_A_CONN);
	put_str(&req, VPNRT_A_CONN_NAME, name);
}

static void churn_worker(int w)
{
	const uint32_t *ifx = &tun_ifx[2 * n_route + 2 * w];
	bool exists = false, two = false, rebound = false;

	while (running()) {
		int step;

		if (!exists) {
			two = rnd(3) == 0;
			rebound = false;
			conn_new(ch_conn[w], ifx, two ? 2 : 1,
				 two ? VPNRT_MODE_ECMP : VPNRT_MODE_ACTIVE_STANDBY, rnd(2));
			must(&req, NULL, NULL, "conn new");
			exists = true;
			count(1);
			ch_routes_add(w, "route add on the new conn");
			count(CHURN_ROUTES);
			continue;
		}
		step = rnd(6);
		if (step == 1 && !health_conn)
			step = 0;
		if (step == 2 && two)
			step = 3;
		if (step >= 3) {
			conn_del(ch_conn[w]);
			must(&req, NULL, NULL, "conn del");
			exists = false;
			count(1);
			continue;
		}
		conn_set_start(ch_conn[w]);
		if (step == 0) {
			put_u8(&req, VPNRT_A_CONN_ADMIN, rnd(2));
		} else {
			nest(&req, VPNRT_A_CONN_TUNNELS);
			nest(&req, 1);
			put_u8(&req, VPNRT_A_TUNNEL_POSITION, 1);
			if (step == 1) {
				/* probes through a tunnel with no SA: they fail, it goes down */
				health_nest(&req, 10 + rnd(40), 1 + rnd(3), rnd(2));
			} else {
				/* tunnel 1 to the other device and back */
				put_u32(&req, VPNRT_A_TUNNEL_IFINDEX, ifx[!rebound]);
				rebound = !rebound;
			}
			nest_end(&req);
			nest_end(&req);
		}
		nest_end(&req);
		must(&req, NULL, NULL, step == 0 ? "conn set admin" : step == 1 ?
		     "conn set health" : "tunnel rebind");
		count(1);
	}
	barrier();
	if (exists) {
		conn_del(ch_conn[w]);
		must(&req, NULL, NULL, "final conn del");
	}
	conn_new(ch_conn[w], ifx, 1, VPNRT_MODE_ACTIVE_STANDBY, 1);
	must(&req, NULL, NULL, "final conn new");
	ch_routes_add(w, "final route add");
}

static void health_set(uint32_t interval, uint32_t retries, uint8_t policy, bool off)
{
	conn_set_start(health_conn);
	nest(&req, VPNRT_A_CONN_TUNNELS);
	nest(&req, 1);
	put_u8(&req, VPNRT_A_TUNNEL_POSITION, 1);
	if (off) {
		nest(&req, VPNRT_A_TUNNEL_HEALTH);
		put(&req, VPNRT_A_HEALTH_OFF, NULL, 0);
		nest_end(&req);
	} else {
		health_nest(&req, interval, retries, policy);
	}
	nest_end(&req);
	nest_end(&req);
	nest_end(&req);
	must(&req, NULL, NULL, off ? "health off" : "health start");
	count(1);
}

static void health_worker(void)
{
	static const uint32_t ivl[] = { 20, 50, 100, 250, 500 };

	while (running()) {
		uint32_t i = ivl[rnd(5)];
		/* about 2 s of lost probes before down: traffic must pass */
		uint32_t retries = 2000 / i < 3 ? 3 : 2000 / i > 100 ? 100 : 2000 / i;

		health_set(i, retries, rnd(2), rnd(5) == 0);
		if (rnd(4) == 0)
			usleep(100000 + rnd(200000));	/* let probes fly */
	}
	barrier();
	health_set(500, 3, VPNRT_HEALTH_REVOKE_ROUTE, false);
}

/* ---- dumps ---- */
struct rkey {
	uint16_t family;
	uint8_t dst[16], len, proto, src[16], slen, zero;	/* no padding */
	char conn[VPNRT_CONN_NAME_MAX];
};

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct rkey));
}

struct wroute {
	struct rkey k;		/* first: key_cmp() compares it */
	uint8_t weight;
};

static int wroute_cmp(const void *a, const void *b)
{
	return key_cmp(&((const struct wroute *)a)->k, &((const struct wroute *)b)->k);
}

struct dstate {
	int gw_seen, fixed_seen, n;
	size_t cap;
	char (*names)[VPNRT_CONN_NAME_MAX];
	uint32_t *ids;
	struct wroute *keys;	/* routes with their weights */
	int fixed_routes;
	/* for the final check */
	uint32_t gw_n_routes, gw_mss, gw_paths;
	uint8_t gw_hash;
	bool scratch_seen;
	int conn_admin[MAX_WORKERS * 3], conn_ntun[MAX_WORKERS * 3];
	uint32_t conn_tun1[MAX_WORKERS * 3], conn_nroutes[MAX_WORKERS * 3];
};

static void grow(struct dstate *d)
{
	if ((size_t)d->n < d->cap)
		return;
	d->cap = d->cap ? d->cap * 2 : 1024;
	d->names = realloc(d->names, d->cap * sizeof(*d->names));
	d->keys = realloc(d->keys, d->cap * sizeof(*d->keys));
	d->ids = realloc(d->ids, d->cap * sizeof(*d->ids));
	if (!d->names || !d->keys || !d->ids)
		fail("no memory");
}

static void gw_cb(const struct nlmsghdr *h, const struct nlattr **tb, void *arg)
{
	struct dstate *d = arg;
	const struct nlattr *g[MAX_ATTR];

	(void)h;
	if (!tb[VPNRT_A_GW])
		fail("gateway dump: a message without VPNRT_A_GW");
	nested(tb[VPNRT_A_GW], g);
	if (!g[VPNRT_A_GW_IFNAME])
		fail("gateway dump: a gateway without a name");
	if (scratch_gw && !strcmp(adata(g[VPNRT_A_GW_IFNAME]), scratch_gw))
		d->scratch_seen = true;
	if (au32(g[VPNRT_A_GW_IFINDEX]) != gw_ifx)
		return;
	d->gw_seen++;
	d->gw_n_routes = au32(g[VPNRT_A_GW_N_ROUTES]);
	d->gw_mss = au32(g[VPNRT_A_GW_MSS_CLAMP]);
	d->gw_paths = au32(g[VPNRT_A_GW_MAX_PATHS]);
	d->gw_hash = au8(g[VPNRT_A_GW_ECMP_HASH]);
}

/* index of a conn this helper owns: route worker conns, then churn conns */
static int own_conn(const char *name)
{
	int i;

	for (i = 0; i < n_route; i++) {
		if (!strcmp(name, rw_conn[i][0]))
			return 2 * i;
		if (!strcmp(name, rw_conn[i][1]))
			return 2 * i + 1;
	}
	for (i = 0; i < n_churn; i++)
		if (!strcmp(name, ch_conn[i]))
			return 2 * n_route + i;
	return -1;
}

static void conn_cb(const struct nlmsghdr *h, const struct nlattr **tb, void *arg)
{
	struct dstate *d = arg;
	const struct nlattr *c[MAX_ATTR], *t[MAX_ATTR];
	const char *name;
	int i, o;

	(void)h;
	if (!tb[VPNRT_A_CONN])
		fail("conn dump: a message without VPNRT_A_CONN");
	nested(tb[VPNRT_A_CONN], c);
	if (!c[VPNRT_A_CONN_NAME])
		fail("conn dump: a conn without a name");
	name = adata(c[VPNRT_A_CONN_NAME]);
	/*
	 * a conn deleted and created again meanwhile is another conn (a new
	 * id), which the dump may hold too: the id says which is which
	 */
	for (i = 0; i < d->n; i++)
		if (d->ids[i] == au32(c[VPNRT_A_CONN_ID]) && !strcmp(d->names[i], name))
			fail("conn dump: %s (id %u) twice", name, d->ids[i]);
	grow(d);
	d->ids[d->n] = au32(c[VPNRT_A_CONN_ID]);
	snprintf(d->names[d->n++], VPNRT_CONN_NAME_MAX, "%s", name);
	if (fixed_conn && !strcmp(name, fixed_conn))
		d->fixed_seen++;
	o = own_conn(name);
	if (o < 0)
		return;
	d->conn_admin[o] = au8(c[VPNRT_A_CONN_ADMIN]);
	d->conn_nroutes[o] = au32(c[VPNRT_A_CONN_N_ROUTES]);
	d->conn_ntun[o] = 0;
	if (c[VPNRT_A_CONN_TUNNELS]) {
		const struct nlattr *ta = c[VPNRT_A_CONN_TUNNELS], *e;

		for (e = adata(ta); (const uint8_t *)e < (const uint8_t *)ta + ta->nla_len;
		     e = (const struct nlattr *)((const uint8_t *)e + NLA_ALIGN(e->nla_len))) {
			nested(e, t);
			if (!d->conn_ntun[o]++)
				d->conn_tun1[o] = au32(t[VPNRT_A_TUNNEL_IFINDEX]);
		}
	}
}

static void route_cb(const struct nlmsghdr *h, const struct nlattr **tb, void *arg)
{
	struct dstate *d = arg;
	const struct nlattr *r[MAX_ATTR], *ra = tb[VPNRT_A_ROUTES];
	struct rkey k;

	(void)h;
	if (!ra || alen(ra) < NLA_HDRLEN)
		fail("route dump: a message without VPNRT_A_ROUTES");
	nested(adata(ra), r);
	memset(&k, 0, sizeof(k));
	if (!r[VPNRT_A_ROUTE_FAMILY] || !r[VPNRT_A_ROUTE_DST] || !r[VPNRT_A_ROUTE_CONN])
		fail("route dump: a route without family, dst or conn");
	k.family = *(const uint16_t *)adata(r[VPNRT_A_ROUTE_FAMILY]);
	memcpy(k.dst, adata(r[VPNRT_A_ROUTE_DST]), alen(r[VPNRT_A_ROUTE_DST]) > 16 ? 16 :
	       alen(r[VPNRT_A_ROUTE_DST]));
	k.len = au8(r[VPNRT_A_ROUTE_DST_LEN]);
	k.proto = au8(r[VPNRT_A_ROUTE_PROTO]);
	if (r[VPNRT_A_ROUTE_SRC])
		memcpy(k.src, adata(r[VPNRT_A_ROUTE_SRC]), alen(r[VPNRT_A_ROUTE_SRC]) > 16 ?
		       16 : alen(r[VPNRT_A_ROUTE_SRC]));
	k.slen = au8(r[VPNRT_A_ROUTE_SRC_LEN]);
	snprintf(k.conn, sizeof(k.conn), "%s", (const char *)adata(r[VPNRT_A_ROUTE_CONN]));
	grow(d);
	d->keys[d->n].k = k;
	d->keys[d->n].weight = au8(r[VPNRT_A_ROUTE_WEIGHT]);
	d->n++;
	if (fixed_conn && !strcmp(k.conn, fixed_conn))
		d->fixed_routes++;
}

/* the dumps of one round; returns whether a dump was interrupted */
static bool dump_all(struct dstate *d, uint64_t *msgs)
{
	bool intr, any = false;
	int i, err;

	d->n = 0;
	d->gw_seen = 0;
	d->scratch_seen = false;
	vmsg(VPNRT_CMD_GW_GET, NLM_F_DUMP);
	err = talk(&req, gw_cb, d, &intr);
	if (err)
		fail("gateway dump: %s", err_str(err));
	if (d->gw_seen != 1)
		fail("gateway dump: %s %d times", gw_name, d->gw_seen);
	*msgs += 1;
	any |= intr;

	d->n = 0;
	d->fixed_seen = 0;
	vmsg(VPNRT_CMD_CONN_GET, NLM_F_DUMP);
	err = talk(&req, conn_cb, d, &intr);
	if (err)
		fail("conn dump: %s", err_str(err));
	if (fixed_conn && d->fixed_seen != 1)
		fail("conn dump: %s %d times", fixed_conn, d->fixed_seen);
	*msgs += d->n;
	any |= intr;

	d->n = 0;
	d->fixed_routes = 0;
	vmsg(VPNRT_CMD_ROUTE_GET, NLM_F_DUMP);
	if (rnd(2)) {
		nest(&req, VPNRT_A_ROUTES);
		nest(&req, 1);
		put_u32(&req, VPNRT_A_ROUTE_GW_IFINDEX, gw_ifx);
		nest_end(&req);
		nest_end(&req);
	}
	err = talk(&req, route_cb, d, &intr);
	if (err)
		fail("route dump: %s", err_str(err));
	*msgs += d->n;
	any |= intr;
	/*
	 * whatever changes between rounds, what is there all along is there
	 * once (Documentation/netlink.rst, Dumps): the fixed conn's routes
	 * always, any route when nothing changed (no NLM_F_DUMP_INTR); a
	 * route deleted and added again meanwhile is another route, which
	 * the dump may hold too
	 */
	qsort(d->keys, d->n, sizeof(*d->keys), wroute_cmp);
	for (i = 1; i < d->n; i++)
		if (!wroute_cmp(&d->keys[i - 1], &d->keys[i]) &&
		    (!intr || (fixed_conn && !strcmp(d->keys[i].k.conn, fixed_conn))))
			fail("route dump: a route of conn %s twice%s", d->keys[i].k.conn,
			     intr ? " (NLM_F_DUMP_INTR)" : "");
	return any;
}

static void dump_worker(void)
{
	struct dstate d = { 0 };
	int fixed = -1;
	uint64_t msgs = 0, intr = 0;

	while (running()) {
		msgs = 0;
		intr += dump_all(&d, &msgs);
		if (fixed_conn) {
			/* its routes do not change during the run */
			if (fixed < 0)
				fixed = d.fixed_routes;
			else if (d.fixed_routes != fixed)
				fail("route dump: %d routes of %s, %d before", d.fixed_routes,
				     fixed_conn, fixed);
		}
		count(msgs);
	}
	if (intr)
		fprintf(stderr, HELPER_NAME ": %s: %llu rounds had NLM_F_DUMP_INTR\n",
			me_label, (unsigned long long)intr);
	barrier();
}

/* ---- lookups ---- */
static void lookup_cb(const struct nlmsghdr *h, const struct nlattr **tb, void *arg)
{
	const struct nlattr *l[MAX_ATTR], *r[MAX_ATTR];
	char *conn = arg;

	(void)h;
	if (!tb[VPNRT_A_LOOKUP])
		fail("lookup: a reply without VPNRT_A_LOOKUP");
	nested(tb[VPNRT_A_LOOKUP], l);
	if (!l[VPNRT_A_LOOKUP_ROUTE])
		return;
	nested(l[VPNRT_A_LOOKUP_ROUTE], r);
	if (r[VPNRT_A_ROUTE_CONN])
		snprintf(conn, VPNRT_CONN_NAME_MAX, "%s", (const char *)adata(r[VPNRT_A_ROUTE_CONN]));
}

static void lookup_worker(void)
{
	char conn[VPNRT_CONN_NAME_MAX];
	struct route r;
	int err;

	while (running()) {
		int which = rnd(4);

		conn[0] = 0;
		vmsg(VPNRT_CMD_ROUTE_LOOKUP, 0);
		nest(&req, VPNRT_A_LOOKUP);
		put_u32(&req, VPNRT_A_LOOKUP_GW_IFINDEX, gw_ifx);
		if (which == 0 && expect_conn[0]) {
			put_u16(&req, VPNRT_A_LOOKUP_FAMILY, AF_INET);
			put(&req, VPNRT_A_LOOKUP_DST, &expect_addr, 4);
		} else if (which == 1 && n_churn) {
			ch_route(rnd(n_churn), rnd(CHURN_ROUTES), &r);
			r.dst[3] = 1 + rnd(254);
			put_u16(&req, VPNRT_A_LOOKUP_FAMILY, AF_INET);
			put(&req, VPNRT_A_LOOKUP_DST, r.dst, 4);
		} else if (n_route) {
			rw_route(rnd(n_route), rnd(NR_ROUTES), 100, &r);
			put_u16(&req, VPNRT_A_LOOKUP_FAMILY, r.v6 ? AF_INET6 : AF_INET);
			r.dst[r.v6 ? 15 : 3] |= 1;
			put(&req, VPNRT_A_LOOKUP_DST, r.dst, r.v6 ? 16 : 4);
			put_u8(&req, VPNRT_A_LOOKUP_IPPROTO, 17);
			put_u16(&req, VPNRT_A_LOOKUP_SPORT, 1024 + rnd(60000));
			put_u16(&req, VPNRT_A_LOOKUP_DPORT, 53);
		} else {
			put_u16(&req, VPNRT_A_LOOKUP_FAMILY, AF_INET);
			put(&req, VPNRT_A_LOOKUP_DST, &expect_addr, 4);
		}
		nest_end(&req);
		err = talk(&req, lookup_cb, conn, NULL);
		if (which == 0 && expect_conn[0]) {
			if (err || strcmp(conn, expect_conn))
				fail("lookup of the fixed route: %s, conn '%s', not %s",
				     err ? err_str(err) : "answered", conn, expect_conn);
		} else if (err && err != -ENETUNREACH) {
			fail("lookup: %s", err_str(err));
		}
		count(1);
	}
	barrier();
}

/* ---- gateway settings ---- */
#define FINAL_MSS	1360
#define FINAL_HASH	VPNRT_HASH_L3
#define FINAL_PATHS	4

static void gw_set(uint32_t mss, uint8_t hash, uint32_t paths)
{
	vmsg(VPNRT_CMD_GW_SET, 0);
	nest(&req, VPNRT_A_GW);
	put_u32(&req, VPNRT_A_GW_IFINDEX, gw_ifx);
	put_u32(&req, VPNRT_A_GW_MSS_CLAMP, mss);
	put_u8(&req, VPNRT_A_GW_ECMP_HASH, hash);
	put_u32(&req, VPNRT_A_GW_MAX_PATHS, paths);
	nest_end(&req);
	must(&req, NULL, NULL, "gateway set");
	count(1);
}

static void scratch(uint8_t cmd)
{
	vmsg(cmd, 0);
	nest(&req, VPNRT_A_GW);
	put_str(&req, VPNRT_A_GW_IFNAME, scratch_gw);
	nest_end(&req);
	must(&req, NULL, NULL, cmd == VPNRT_CMD_GW_NEW ? "scratch gateway new" :
	     "scratch gateway del");
	count(1);
}

static void gwset_worker(void)
{
	static const uint32_t mss[] = { VPNRT_MSS_CLAMP_OFF, VPNRT_MSS_CLAMP_AUTO, 1200, 1400 };
	bool sg = false;

	while (running()) {
		if (scratch_gw && rnd(8) == 0) {
			scratch(sg ? VPNRT_CMD_GW_DEL : VPNRT_CMD_GW_NEW);
			sg = !sg;
			continue;
		}
		gw_set(mss[rnd(4)], rnd(2), 1 + rnd(VPNRT_MAX_PATHS));
	}
	barrier();
	if (sg)
		scratch(VPNRT_CMD_GW_DEL);
	gw_set(FINAL_MSS, FINAL_HASH, FINAL_PATHS);
}

/* ---- the final check (parent) ---- */
static int failures;

__attribute__((format(printf, 1, 2)))
static void bad(const char *fmt, ...)
{
	va_list ap;

	if (++failures > 20) {
		if (failures == 21)
			fprintf(stderr, HELPER_NAME ": final state: more differences not shown\n");
		return;
	}
	fprintf(stderr, HELPER_NAME ": final state: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void want_route(struct wroute *w, const struct route *r)
{
	memset(w, 0, sizeof(*w));
	w->k.family = r->v6 ? AF_INET6 : AF_INET;
	memcpy(w->k.dst, r->dst, 16);
	w->k.len = r->len;
	w->k.proto = VPNRT_PROTO_STATIC;
	snprintf(w->k.conn, VPNRT_CONN_NAME_MAX, "%s", r->conn);
	w->weight = r->weight;
}

static void final_check(void)
{
	struct dstate d = { 0 };
	struct wroute *want;
	int nw = 0, i, j, k, n_static = 0;
	uint64_t msgs = 0;
	struct route r;

	if (dump_all(&d, &msgs))
		bad("a dump was interrupted with nothing running");
	/* gateway */
	if (d.gw_mss != FINAL_MSS || d.gw_hash != FINAL_HASH || d.gw_paths != FINAL_PATHS)
		bad("gateway mss-clamp %u ecmp-hash %u max-paths %u, not %u %u %u",
		    d.gw_mss, d.gw_hash, d.gw_paths, FINAL_MSS, FINAL_HASH, FINAL_PATHS);
	if (d.scratch_seen)
		bad("scratch gateway %s still there", scratch_gw);
	/* routes: what this helper owns, exactly, with their weights */
	want = calloc(n_route * NR_ROUTES + n_churn * CHURN_ROUTES + 1, sizeof(*want));
	if (!want)
		fail("no memory");
	for (i = 0; i < n_route; i++)
		for (k = 0; k < NR_ROUTES; k++) {
			uint8_t wt;

			if (!rw_final(k, &wt))
				continue;
			rw_route(i, k, wt, &r);
			want_route(&want[nw++], &r);
		}
	for (i = 0; i < n_churn; i++)
		for (k = 0; k < CHURN_ROUTES; k++) {
			ch_route(i, k, &r);
			want_route(&want[nw++], &r);
		}
	qsort(want, nw, sizeof(*want), wroute_cmp);
	/* the dumped routes of the helper's conns (dump_all sorted them all) */
	j = 0;
	for (i = 0; i < d.n; i++) {
		if (d.keys[i].k.proto == VPNRT_PROTO_STATIC)
			n_static++;
		if (own_conn(d.keys[i].k.conn) < 0)
			continue;
		d.keys[j++] = d.keys[i];
	}
	if (j != nw)
		bad("%d routes on the helper's conns, %d expected", j, nw);
	for (i = 0, k = 0; i < nw || k < j;) {
		int c = i == nw ? 1 : k == j ? -1 : wroute_cmp(&want[i], &d.keys[k]);
		char a[INET6_ADDRSTRLEN];

		if (c < 0) {
			inet_ntop(want[i].k.family, want[i].k.dst, a, sizeof(a));
			bad("route %s/%u of conn %s missing", a, want[i].k.len, want[i].k.conn);
			i++;
		} else if (c > 0) {
			inet_ntop(d.keys[k].k.family, d.keys[k].k.dst, a, sizeof(a));
			bad("route %s/%u of conn %s there, not expected", a, d.keys[k].k.len,
			    d.keys[k].k.conn);
			k++;
		} else {
			if (d.keys[k].weight != want[i].weight) {
				inet_ntop(want[i].k.family, want[i].k.dst, a, sizeof(a));
				bad("route %s/%u of conn %s: weight %u, not %u", a, want[i].k.len,
				    want[i].k.conn, d.keys[k].weight, want[i].weight);
			}
			i++;
			k++;
		}
	}
	if (d.gw_n_routes != (uint32_t)n_static)
		bad("gateway n-routes %u, but %d static routes dumped", d.gw_n_routes, n_static);
	/* conns */
	d.n = 0;
	vmsg(VPNRT_CMD_CONN_GET, NLM_F_DUMP);
	for (i = 0; i < MAX_WORKERS * 3; i++)
		d.conn_ntun[i] = -1;
	must(&req, conn_cb, &d, "conn dump");
	for (i = 0; i < 2 * n_route + n_churn; i++) {
		const char *name = i < 2 * n_route ? rw_conn[i / 2][i % 2] : ch_conn[i - 2 * n_route];
		uint32_t t1 = tun_ifx[i < 2 * n_route ? i : 2 * n_route + 2 * (i - 2 * n_route)];
		uint32_t nr = 0;

		if (d.conn_ntun[i] < 0) {
			bad("conn %s missing", name);
			continue;
		}
		for (k = 0; k < nw; k++)
			nr += !strcmp(want[k].k.conn, name);
		if (d.conn_admin[i] != 1 || d.conn_ntun[i] != 1 || d.conn_tun1[i] != t1 ||
		    d.conn_nroutes[i] != nr)
			bad("conn %s: admin %d, %d tunnels, tunnel 1 ifindex %u, n-routes %u; not admin 1, 1 tunnel, %u, %u",
			    name, d.conn_admin[i], d.conn_ntun[i], d.conn_tun1[i],
			    d.conn_nroutes[i], t1, nr);
	}
	printf(HELPER_NAME ": final state of %d routes, %d conns and the gateway: %s\n",
	       nw, 2 * n_route + n_churn, failures ? "MISMATCH" : "as expected");
	free(want);
	free(d.names);
	free(d.keys);
	free(d.ids);
}

/* ---- main ---- */
static void split_tunnels(char *s)
{
	char *t;

	for (t = strtok(s, ","); t; t = strtok(NULL, ",")) {
		if (n_tun == MAX_TUNNELS)
			usage_err("--tunnels: at most %d", MAX_TUNNELS);
		if (strlen(t) >= IFNAMSIZ)
			usage_err("--tunnels: '%s' is no interface name", t);
		snprintf(tun[n_tun++], IFNAMSIZ, "%s", t);
	}
}

static int num(const char *opt, const char *s, int lo, int hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi)
		usage_err("%s: \"%s\" is not in %d..%d", opt, s, lo, hi);
	return v;
}

static uint32_t addr4(const char *opt, const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		usage_err("%s: \"%s\" is not an IPv4 address", opt, s);
	return a.s_addr;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "gateway", required_argument, NULL, 'g' },
		{ "seconds", required_argument, NULL, 't' },
		{ "tunnels", required_argument, NULL, 'T' },
		{ "ns", required_argument, NULL, 'n' },
		{ "route-workers", required_argument, NULL, 'R' },
		{ "churn-workers", required_argument, NULL, 'C' },
		{ "dump-workers", required_argument, NULL, 'D' },
		{ "lookup-workers", required_argument, NULL, 'L' },
		{ "health-conn", required_argument, NULL, 'h' },
		{ "health-dst", required_argument, NULL, 'd' },
		{ "health-src", required_argument, NULL, 's' },
		{ "fixed-conn", required_argument, NULL, 'f' },
		{ "expect", required_argument, NULL, 'e' },
		{ "scratch-gw", required_argument, NULL, 'S' },
		{ "seed", required_argument, NULL, 'r' },
		{ 0 }
	};
	int c, i, nw, status, rc = 0;
	pid_t pids[MAX_WORKERS];
	enum kind kinds[MAX_WORKERS];
	int64_t t0;
	char *end, *eq;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'g': gw_name = optarg; break;
		case 't':
			seconds = strtod(optarg, &end);
			if (*end || end == optarg || !(seconds > 0 && seconds <= 86400))
				usage_err("--seconds: \"%s\" is not in (0, 86400]", optarg);
			break;
		case 'T': split_tunnels(optarg); break;
		case 'n': ns_name = optarg; break;
		case 'R': n_route = num("--route-workers", optarg, 0, 8); break;
		case 'C': n_churn = num("--churn-workers", optarg, 0, 8); break;
		case 'D': n_dump = num("--dump-workers", optarg, 0, 4); break;
		case 'L': n_lookup = num("--lookup-workers", optarg, 0, 4); break;
		case 'h': health_conn = optarg; break;
		case 'd': health_dst = addr4("--health-dst", optarg); break;
		case 's': health_src = addr4("--health-src", optarg); break;
		case 'f': fixed_conn = optarg; break;
		case 'e':
			eq = strchr(optarg, '=');
			if (!eq || !eq[1] || strlen(eq + 1) >= VPNRT_CONN_NAME_MAX)
				usage_err("--expect: \"%s\" is not ADDR=CONN", optarg);
			*eq = 0;
			expect_addr = addr4("--expect", optarg);
			snprintf(expect_conn, sizeof(expect_conn), "%s", eq + 1);
			break;
		case 'S': scratch_gw = optarg; break;
		case 'r': seed = strtoull(optarg, NULL, 0); break;
		case '?':
			if (optopt)
				usage_err("%s needs a value", argv[optind - 1]);
			usage_err("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_err("unexpected argument %s", argv[optind]);
	if (!gw_name || seconds < 0 || !n_tun)
		usage_err("--gateway, --seconds (> 0) and --tunnels are required");
	if (n_tun < 2 * (n_route + n_churn))
		usage_err("--tunnels: %d given; %d route and %d churn workers need 2 each",
			  n_tun, n_route, n_churn);
	if (health_conn && (!health_dst || !health_src))
		usage_err("--health-conn needs --health-dst and --health-src");

	snprintf(me_label, sizeof(me_label), "main");
	if (ns_name)
		enter_netns(ns_name);
	gw_ifx = if_nametoindex(gw_name);
	if (!gw_ifx)
		die("gateway %s: %s", gw_name, strerror(errno));
	for (i = 0; i < n_tun; i++)
		if (!(tun_ifx[i] = if_nametoindex(tun[i])))
			die("tunnel %s: %s", tun[i], strerror(errno));
	for (i = 0; i < n_route; i++) {
		snprintf(rw_conn[i][0], VPNRT_CONN_NAME_MAX, "stress-r%da", i);
		snprintf(rw_conn[i][1], VPNRT_CONN_NAME_MAX, "stress-r%db", i);
	}
	for (i = 0; i < n_churn; i++)
		snprintf(ch_conn[i], VPNRT_CONN_NAME_MAX, "stress-c%d", i);
	if (!seed)
		seed = (uint64_t)now_ns() ^ getpid();
	printf(HELPER_NAME ": seed %llu\n", (unsigned long long)seed);
	fflush(stdout);
	nl_open();
	resolve_family();

	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	nw = 0;
	for (i = 0; i < n_route; i++)
		kinds[nw++] = K_ROUTE;
	for (i = 0; i < n_churn; i++)
		kinds[nw++] = K_CHURN;
	if (health_conn)
		kinds[nw++] = K_HEALTH;
	for (i = 0; i < n_dump; i++)
		kinds[nw++] = K_DUMP;
	for (i = 0; i < n_lookup; i++)
		kinds[nw++] = K_LOOKUP;
	kinds[nw++] = K_GWSET;

	t0 = now_ns();
	deadline = t0 + (int64_t)(seconds * 1e9);
	for (i = 0; i < nw; i++) {
		int nth = 0, j;

		for (j = 0; j < i; j++)
			nth += kinds[j] == kinds[i];
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork: %s", strerror(errno));
		if (pids[i])
			continue;
		me = i;
		me_name = kind_name[kinds[i]];
		snprintf(me_label, sizeof(me_label), "%s%d", me_name, nth);
		rng = seed * 0x9e3779b97f4a7c15ull + (uint64_t)i * 0x2545f4914f6cdd1dull + 1;
		close(nl_fd);
		nl_open();
		switch (kinds[i]) {
		case K_ROUTE: route_worker(nth); break;
		case K_CHURN: churn_worker(nth); break;
		case K_HEALTH: health_worker(); break;
		case K_DUMP: dump_worker(); break;
		case K_LOOKUP: lookup_worker(); break;
		case K_GWSET: gwset_worker(); break;
		default: break;
		}
		exit(0);
	}
	/* a worker that died before the barrier counts as there */
	for (c = 0; c < nw; c++) {
		pid_t p = wait(&status);

		for (i = 0; i < nw && pids[i] != p; i++)
			;
		if (i == nw)
			continue;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, HELPER_NAME ": worker %d (%s) %s %d\n", i,
				kind_name[kinds[i]], WIFEXITED(status) ? "exited" : "killed by signal",
				WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			rc = 1;
		}
		if (!__atomic_load_n(&shm->w[i].reached, __ATOMIC_SEQ_CST))
			__atomic_add_fetch(&shm->done, 1, __ATOMIC_SEQ_CST);
	}
	for (c = 0; c < N_KINDS; c++) {
		uint64_t ops = 0, items = 0;
		int n = 0;

		for (i = 0; i < nw; i++)
			if (kinds[i] == (enum kind)c) {
				ops += shm->w[i].ops;
				items += shm->w[i].items;
				n++;
			}
		if (n)
			printf(HELPER_NAME ": %s: %d workers, %llu ops (%llu items), %.0f ops/s\n",
			       kind_name[c], n, (unsigned long long)ops, (unsigned long long)items,
			       ops / seconds);
	}
	snprintf(me_label, sizeof(me_label), "final");
	rng = seed;
	final_check();
	printf(HELPER_NAME ": %s\n", rc || failures ? "FAILED" : "passed");
	return rc || failures ? 1 : 0;
}
