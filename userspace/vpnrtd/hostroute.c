// SPDX-License-Identifier: GPL-2.0
/*
 * Host routing tables over raw rtnetlink (hostroute.h).
 *
 * Three NETLINK_ROUTE sockets, all non-blocking:
 *   req   route adds and deletes, pipelined: up to win requests in
 *         flight, each with NLM_F_ACK, packed many to a sendmsg; acks
 *         are read from the loop and matched to their request by
 *         sequence number (slots[seq % win]);
 *   ev    RTNLGRP_IPV4_ROUTE and IPV6_ROUTE; a socket filter drops the
 *         notifications our own requests cause (their nlmsg_pid is req's
 *         port id), so installing 100,000 routes does not flood it;
 *   sync  table dumps (begin, watch, resync): sent and read to the end
 *         at once, a bounded wait on the kernel, never on the network.
 *
 * Per (table, ifindex) of the VPC table an entry per prefix holds what
 * vpnrtd wants and what it knows of the kernel's slot for that prefix
 * (same table, dst/len, TOS 0, default metric): our route is there
 * (kern), or another one is (held, by protocol holder). After each
 * change settle() decides: queue an add or a delete, count a conflict,
 * or free the entry. The queue is a list through the entries (one
 * pending operation per prefix at most), so its memory is bounded by
 * the routes themselves.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hostroute.h"
#include "log.h"

#define HR_WIN_MAX	1024		/* requests in flight at most */
#define HR_ACK_COST	1024		/* receive buffer one ack may take */
#define HR_BATCH	(32 * 1024)	/* bytes of requests per sendmsg */
#define HR_RCVBUF	(8 * 1024 * 1024)
#define HR_RBUF		(64 * 1024)
#define HR_DUMP_MS	10000		/* a dump's time limit */
#define HR_REPAIR_MS	1000		/* re-add ours deleted by others */
#define HR_RETRY_MS	100		/* a sendmsg that failed */
#define HR_LINK_MS	100		/* reload after a device went down */
#define HR_LOG_BURST	10		/* refusals logged per burst */
#define HR_MAX_NH	32
#define HR_V6_METRIC	1024		/* IP6_RT_PRIO_USER */

/* ---- prefixes and a small hash ---- */

struct hr_node {
	struct hr_node *hnext;
	struct bgp_prefix p;
};

struct hr_hash {
	struct hr_node **b;
	size_t mask;
	size_t n;
};

static size_t af_bytes(uint8_t af)
{
	return af == BGP_AF_IPV4 ? 4 : 16;
}

/* p canonical: bytes beyond the family and bits beyond len zero */
static void pfx_norm(struct bgp_prefix *p)
{
	size_t n = af_bytes(p->af), i;

	if (p->len > n * 8)
		p->len = n * 8;
	for (i = 0; i < 16; i++) {
		size_t bit = i * 8;

		if (bit >= p->len)
			p->addr[i] = 0;
		else if (bit + 8 > p->len)
			p->addr[i] &= (uint8_t)(0xff00 >> (p->len - bit));
	}
}

static uint32_t pfx_hash(const struct bgp_prefix *p)
{
	uint32_t h = 2166136261u ^ p->af ^ ((uint32_t)p->len << 8);
	size_t i, n = af_bytes(p->af);

	for (i = 0; i < n; i++)
		h = (h ^ p->addr[i]) * 16777619u;
	return h ^ (h >> 15);
}

static bool pfx_eq(const struct bgp_prefix *a, const struct bgp_prefix *b)
{
	return a->af == b->af && a->len == b->len &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static int pfx_cmp(const void *x, const void *y)
{
	return bgp_prefix_cmp(x, y);
}

static int hash_init(struct hr_hash *t)
{
	t->mask = 63;
	t->n = 0;
	t->b = calloc(t->mask + 1, sizeof(*t->b));
	return t->b ? 0 : -1;
}

static struct hr_node *hash_find(const struct hr_hash *t,
				 const struct bgp_prefix *p)
{
	struct hr_node *n;

	for (n = t->b[pfx_hash(p) & t->mask]; n; n = n->hnext)
		if (pfx_eq(&n->p, p))
			return n;
	return NULL;
}

static void hash_insert(struct hr_hash *t, struct hr_node *n)
{
	size_t i;

	if (t->n > t->mask) {
		size_t nmask = t->mask * 2 + 1;
		struct hr_node **nb = calloc(nmask + 1, sizeof(*nb));

		if (nb) {	/* else: longer chains, still correct */
			for (i = 0; i <= t->mask; i++) {
				struct hr_node *c = t->b[i], *next;

				for (; c; c = next) {
					size_t j = pfx_hash(&c->p) & nmask;

					next = c->hnext;
					c->hnext = nb[j];
					nb[j] = c;
				}
			}
			free(t->b);
			t->b = nb;
			t->mask = nmask;
		}
	}
	i = pfx_hash(&n->p) & t->mask;
	n->hnext = t->b[i];
	t->b[i] = n;
	t->n++;
}

static void hash_remove(struct hr_hash *t, struct hr_node *n)
{
	struct hr_node **pp = &t->b[pfx_hash(&n->p) & t->mask];

	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == n) {
			*pp = n->hnext;
			t->n--;
			return;
		}
}

/* calls fn on every node; fn may remove (and free) the node it gets */
static void hash_each(struct hr_hash *t, void (*fn)(void *arg,
		      struct hr_node *n), void *arg)
{
	size_t i;

	for (i = 0; i <= t->mask; i++) {
		struct hr_node *n = t->b[i], *next;

		for (; n; n = next) {
			next = n->hnext;
			fn(arg, n);
		}
	}
}

/* ---- state ---- */

struct hr_ent {
	struct hr_node node;		/* first */
	struct hr_ent *qnext;
	uint8_t holder;			/* protocol of the route in our slot */
	uint8_t seen_holder;
	bool held;			/* another route holds the slot */
	bool want;			/* vpnrtd wants ours installed */
	bool kern;			/* ours is in the kernel */
	bool stale;			/* found at begin, not added since */
	bool queued, inflight;
	bool hold;			/* no request until asked again */
	bool lost;			/* deleted by someone else: repair */
	bool verify;			/* EEXIST, holder unknown: reload */
	bool conflict, logged;
	bool seen_kern, seen_held;	/* load() */
};

struct hr_vpc {
	struct hr_vpc *next;
	struct hostroute *h;
	uint32_t table;
	int ifindex;
	char dev[IF_NAMESIZE + 8];
	struct hr_hash ents;
	struct hr_ent *qhead, *qtail;
	size_t nqueued, ninflight;
	uint32_t routes, conflicts;
	uint64_t errors, lost;
	uint64_t lost_quiet;		/* lost, not logged one by one */
	unsigned int nlogged;
	uint64_t suppressed;
	bool need_load;
	bool down;			/* the device is down: no adds */
	bool closing;			/* flushed: freed once idle */
};

struct hr_rkey {
	uint32_t metric, oif;
	uint8_t tos;
	bool ok;
};

struct hr_wp {
	struct hr_node node;		/* first */
	uint16_t n, cap;
	bool in;			/* counts: a qualifying route */
	struct hr_rkey *k;
};

struct hr_watch {
	struct hr_watch *next;
	struct hostroute *h;
	uint32_t table;
	int *skip;
	size_t n_skip;
	hostroute_table_cb cb;
	void *arg;
	struct hr_hash set;
	size_t count;			/* prefixes in */
	struct loop_timer timer;
};

enum { OP_ADD = 1, OP_DEL = 2 };

struct hr_slot {
	uint32_t seq;
	uint8_t op;
	bool used;
	struct hr_vpc *v;
	struct hr_ent *e;
};

struct hostroute {
	struct loop *loop;
	int req_fd, ev_fd, sync_fd;
	uint32_t req_portid, sync_portid;
	uint32_t seq, sync_seq;
	uint64_t requests;
	struct hr_slot *slots;
	size_t win, ninflight;
	struct hr_vpc *vpcs;
	struct hr_watch *watches;
	struct loop_timer pump_t, resync_t, repair_t;
	bool resync_all;
	bool ev_filtered;
	uint8_t *sbuf;
	uint8_t *req_buf, *ev_buf, *sync_buf;
	size_t slen;
};

/* a route message, parsed */
struct hr_rt {
	uint16_t nltype, nlflags;
	uint32_t nlpid;
	uint8_t family, dst_len, src_len, tos, proto, type;
	uint32_t flags, table, metric, oif;
	bool gw, mp, nhid;
	unsigned int n_oif;
	uint32_t oifs[HR_MAX_NH];
	struct bgp_prefix p;
};

static void settle(struct hr_vpc *v, struct hr_ent *e);

/* ---- netlink helpers ---- */

static int nl_socket(uint32_t groups, uint32_t *portid)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	socklen_t salen = sizeof(sa);
	int fd, one = 1, rcv = HR_RCVBUF;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	/* best effort: older kernels lack them */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen)) {
		close(fd);
		return -1;
	}
	*portid = sa.nl_pid;
	return fd;
}

static void put_attr(struct nlmsghdr *nh, uint16_t type, const void *data,
		     size_t len)
{
	struct rtattr *a = (struct rtattr *)((uint8_t *)nh +
					     NLMSG_ALIGN(nh->nlmsg_len));

	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static uint8_t af_family(uint8_t af)
{
	return af == BGP_AF_IPV4 ? AF_INET : AF_INET6;
}

static uint32_t def_metric(uint8_t family)
{
	return family == AF_INET6 ? HR_V6_METRIC : 0;
}

/* most bytes put_route() writes */
#define HR_MSG_MAX	(NLMSG_SPACE(sizeof(struct rtmsg)) + RTA_SPACE(16) + \
			 2 * RTA_SPACE(4))

static size_t put_route(uint8_t *buf, uint16_t type, uint16_t flags,
			uint32_t seq, const struct hr_vpc *v,
			const struct bgp_prefix *p)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct rtmsg *rtm;
	uint32_t oif = (uint32_t)v->ifindex;

	memset(buf, 0, NLMSG_SPACE(sizeof(*rtm)));
	nh->nlmsg_len = NLMSG_LENGTH(sizeof(*rtm));
	nh->nlmsg_type = type;
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nh->nlmsg_seq = seq;
	rtm = NLMSG_DATA(nh);
	rtm->rtm_family = af_family(p->af);
	rtm->rtm_dst_len = p->len;
	rtm->rtm_table = v->table < 256 ? (uint8_t)v->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = HOSTROUTE_PROTO;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_scope = type == RTM_NEWROUTE ? RT_SCOPE_LINK : RT_SCOPE_NOWHERE;
	if (p->len)
		put_attr(nh, RTA_DST, p->addr, af_bytes(p->af));
	put_attr(nh, RTA_TABLE, &v->table, 4);
	put_attr(nh, RTA_OIF, &oif, 4);
	return NLMSG_ALIGN(nh->nlmsg_len);
}

static bool parse_route(const struct nlmsghdr *nh, struct hr_rt *r)
{
	const struct rtmsg *rtm = NLMSG_DATA(nh);
	const struct rtattr *a;
	int len;

	if ((nh->nlmsg_type != RTM_NEWROUTE && nh->nlmsg_type != RTM_DELROUTE) ||
	    nh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return false;
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return false;
	memset(r, 0, sizeof(*r));
	r->nltype = nh->nlmsg_type;
	r->nlflags = nh->nlmsg_flags;
	r->nlpid = nh->nlmsg_pid;
	r->family = rtm->rtm_family;
	r->dst_len = rtm->rtm_dst_len;
	r->src_len = rtm->rtm_src_len;
	r->tos = rtm->rtm_tos;
	r->proto = rtm->rtm_protocol;
	r->type = rtm->rtm_type;
	r->flags = rtm->rtm_flags;
	r->table = rtm->rtm_table;
	r->p.af = rtm->rtm_family == AF_INET ? BGP_AF_IPV4 : BGP_AF_IPV6;
	if (r->dst_len > af_bytes(r->p.af) * 8)
		return false;
	r->p.len = r->dst_len;
	len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*rtm));
	for (a = RTM_RTA(rtm); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		size_t alen = RTA_PAYLOAD(a);

		switch (a->rta_type) {
		case RTA_DST:
			if (alen != af_bytes(r->p.af))
				return false;
			memcpy(r->p.addr, RTA_DATA(a), alen);
			break;
		case RTA_TABLE:
			if (alen == 4)
				memcpy(&r->table, RTA_DATA(a), 4);
			break;
		case RTA_PRIORITY:
			if (alen == 4)
				memcpy(&r->metric, RTA_DATA(a), 4);
			break;
		case RTA_OIF:
			if (alen == 4) {
				memcpy(&r->oif, RTA_DATA(a), 4);
				r->oifs[0] = r->oif;
				r->n_oif = 1;
			}
			break;
		case RTA_GATEWAY:
		case RTA_VIA:
			r->gw = true;
			break;
		case RTA_NH_ID:
			r->nhid = true;
			break;
		case RTA_MULTIPATH: {
			const struct rtnexthop *nh2 = RTA_DATA(a);
			size_t left = alen;

			r->mp = true;
			r->n_oif = 0;
			while (left >= sizeof(*nh2) && nh2->rtnh_len >= sizeof(*nh2) &&
			       nh2->rtnh_len <= left) {
				if (r->n_oif < HR_MAX_NH)
					r->oifs[r->n_oif++] = (uint32_t)nh2->rtnh_ifindex;
				if (nh2->rtnh_len > sizeof(*nh2))
					r->gw = true;	/* RTA_GATEWAY / RTA_VIA */
				size_t step = RTNH_ALIGN((size_t)nh2->rtnh_len);

				if (step >= left)
					break;
				left -= step;
				nh2 = (const struct rtnexthop *)
					((const uint8_t *)nh2 + step);
			}
			break;
		}
		default:
			break;
		}
	}
	pfx_norm(&r->p);
	return true;
}

/* the error of an NLMSG_ERROR and the kernel's message, if any */
static int ack_parse(const struct nlmsghdr *nh, const char **msg)
{
	const struct nlmsgerr *e = NLMSG_DATA(nh);
	const struct nlattr *a;
	size_t off;
	int len;

	*msg = NULL;
	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return EPROTO;
	if (!(nh->nlmsg_flags & NLM_F_ACK_TLVS))
		return -e->error;
	off = sizeof(*e);
	if (!(nh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len > sizeof(struct nlmsghdr) ?
		       e->msg.nlmsg_len - sizeof(struct nlmsghdr) : 0;
	off = NLMSG_LENGTH(NLMSG_ALIGN(off));
	if (off >= nh->nlmsg_len)
		return -e->error;
	len = (int)(nh->nlmsg_len - off);
	a = (const struct nlattr *)((const uint8_t *)nh + off);
	while (len >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&
	       a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG &&
		    a->nla_len > NLA_HDRLEN) {
			const char *s = (const char *)a + NLA_HDRLEN;

			if (memchr(s, '\0', a->nla_len - NLA_HDRLEN))
				*msg = s;
		}
		len -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const uint8_t *)a + NLA_ALIGN(a->nla_len));
	}
	return -e->error;
}

/*
 * Dump family's routes of table on the sync socket, calling fn on each
 * route of that table. 0, or -1 with err.
 */
static int dump_family(struct hostroute *h, uint8_t family, uint32_t table,
		       void (*fn)(void *arg, const struct hr_rt *r), void *arg,
		       char *err, size_t errlen)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rtm;
		struct rtattr a;
		uint32_t table;
	} req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	uint64_t deadline = loop_now_ms() + HR_DUMP_MS;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = ++h->sync_seq;
	req.rtm.rtm_family = family;
	req.rtm.rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	req.a.rta_type = RTA_TABLE;
	req.a.rta_len = RTA_LENGTH(4);
	req.table = table;
	if (sendto(h->sync_fd, &req, sizeof(req), 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
		snprintf(err, errlen, "route dump: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		struct pollfd pfd = { .fd = h->sync_fd, .events = POLLIN };
		uint64_t now = loop_now_ms();
		ssize_t n = recv(h->sync_fd, h->sync_buf, HR_RBUF, MSG_DONTWAIT);
		struct nlmsghdr *nh;
		size_t left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN) {
				snprintf(err, errlen, "route dump: %s", strerror(errno));
				return -1;
			}
			if (now >= deadline) {
				snprintf(err, errlen, "route dump: no answer in %d ms",
					 HR_DUMP_MS);
				return -1;
			}
			poll(&pfd, 1, (int)(deadline - now));
			continue;
		}
		left = (size_t)n;
		for (nh = (struct nlmsghdr *)h->sync_buf; NLMSG_OK(nh, left);
		     nh = NLMSG_NEXT(nh, left)) {
			struct hr_rt r;

			if (nh->nlmsg_seq != h->sync_seq ||
			    nh->nlmsg_pid != h->sync_portid)
				continue;	/* an earlier, abandoned dump */
			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const char *msg;
				int e = ack_parse(nh, &msg);

				if (!e)
					continue;
				snprintf(err, errlen, "route dump: %s%s%s", strerror(e),
					 msg ? ": " : "", msg ? msg : "");
				return -1;
			}
			if (parse_route(nh, &r) && r.table == table)
				fn(arg, &r);
		}
	}
}

static int dump_table(struct hostroute *h, uint32_t table,
		      void (*fn)(void *arg, const struct hr_rt *r), void *arg,
		      char *err, size_t errlen)
{
	if (dump_family(h, AF_INET, table, fn, arg, err, errlen) ||
	    dump_family(h, AF_INET6, table, fn, arg, err, errlen))
		return -1;
	return 0;
}

/* ---- the VPC table ---- */

static const char *fmt(const struct bgp_prefix *p, char *buf, size_t len)
{
	return bgp_prefix_fmt(p, buf, len);
}

static struct hr_vpc *vpc_find(const struct hostroute *h, uint32_t table,
			       int ifindex)
{
	struct hr_vpc *v;

	for (v = h->vpcs; v; v = v->next)
		if (v->table == table && v->ifindex == ifindex)
			return v;
	return NULL;
}

static struct hr_ent *ent_get(struct hr_vpc *v, const struct bgp_prefix *p,
			      bool create)
{
	struct hr_ent *e = (struct hr_ent *)hash_find(&v->ents, p);

	if (e || !create)
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->node.p = *p;
	hash_insert(&v->ents, &e->node);
	return e;
}

static void enqueue(struct hr_vpc *v, struct hr_ent *e)
{
	e->queued = true;
	e->qnext = NULL;
	if (v->qtail)
		v->qtail->qnext = e;
	else
		v->qhead = e;
	v->qtail = e;
	v->nqueued++;
	if (!v->h->pump_t.armed)
		loop_timer_arm(v->h->loop, &v->h->pump_t, 0);
}

static bool need_add(const struct hr_vpc *v, const struct hr_ent *e)
{
	return e->want && !e->kern && !e->conflict && !e->hold && !v->down;
}

static bool need_del(const struct hr_ent *e)
{
	return !e->want && e->kern && !e->hold;
}

static void set_kern(struct hr_vpc *v, struct hr_ent *e, bool kern)
{
	if (e->kern == kern)
		return;
	e->kern = kern;
	if (kern)
		v->routes++;
	else
		v->routes--;
}

/* another route holds the slot and it is not one vpnrtd may replace */
static bool is_conflict(const struct hr_ent *e)
{
	return e->want && e->held && !e->kern && e->holder != HOSTROUTE_PROTO;
}

static void settle(struct hr_vpc *v, struct hr_ent *e)
{
	bool c = is_conflict(e);
	char buf[64];

	if (c != e->conflict) {
		e->conflict = c;
		if (c) {
			v->conflicts++;
			if (!e->logged)
				vlog(LOG_WARNING, "hostroute: table %u: %s is held by a route of protocol %u, not via %s: left alone",
				     v->table, fmt(&e->node.p, buf, sizeof(buf)),
				     e->holder, v->dev);
			e->logged = true;
		} else {
			v->conflicts--;
		}
	}
	if (!e->held)
		e->logged = false;
	if (e->queued || e->inflight)
		return;
	if (need_add(v, e) || need_del(e)) {
		enqueue(v, e);
		return;
	}
	if (!e->want && !e->kern && !e->held && !e->verify) {
		hash_remove(&v->ents, &e->node);
		free(e);
	}
}

static void log_refusal(struct hr_vpc *v, struct hr_ent *e, int op, int err,
			const char *msg)
{
	char buf[64];

	v->errors++;
	if (v->nlogged >= HR_LOG_BURST) {
		v->suppressed++;
		return;
	}
	v->nlogged++;
	vlog(LOG_ERR, "hostroute: table %u: %s %s via %s refused: %s%s%s",
	     v->table, op == OP_ADD ? "adding" : "deleting",
	     fmt(&e->node.p, buf, sizeof(buf)), v->dev, strerror(err),
	     msg ? ": " : "", msg ? msg : "");
}

static void vpc_idle(struct hr_vpc *v)
{
	if (v->nqueued || v->ninflight)
		return;
	if (v->suppressed)
		vlog(LOG_ERR, "hostroute: table %u via %s: %llu more requests refused",
		     v->table, v->dev, (unsigned long long)v->suppressed);
	v->suppressed = 0;
	v->nlogged = 0;
}

static void ev_read(struct hostroute *h);

static void ack(struct hostroute *h, const struct nlmsghdr *nh, bool *drained)
{
	struct hr_slot *s = &h->slots[nh->nlmsg_seq % h->win];
	struct hr_vpc *v = s->v;
	struct hr_ent *e = s->e;
	const char *msg;
	int err;

	if (!s->used || s->seq != nh->nlmsg_seq)
		return;		/* not one of ours (or already given up) */
	err = ack_parse(nh, &msg);
	s->used = false;
	h->ninflight--;
	v->ninflight--;
	/* e->inflight stays set until the end: ev_read() below settles
	 * entries, and must not free this one */
	if (s->op == OP_ADD) {
		if (!err) {
			set_kern(v, e, true);
			e->held = false;	/* replaced a vpnrtd route */
		} else if (err == EEXIST) {
			/* the holder's notification came before this ack */
			if (!*drained) {
				ev_read(h);
				*drained = true;
			}
			if (!e->held) {
				/* unknown holder: look at the table again */
				e->verify = true;
				e->hold = true;
				v->need_load = true;
				if (!h->resync_t.armed)
					loop_timer_arm(h->loop, &h->resync_t, 0);
			}
		} else {
			log_refusal(v, e, OP_ADD, err, msg);
			e->hold = true;
		}
	} else {
		if (!err || err == ESRCH) {
			set_kern(v, e, false);
		} else {
			log_refusal(v, e, OP_DEL, err, msg);
			e->hold = true;
		}
	}
	e->inflight = false;
	settle(v, e);
	vpc_idle(v);
}

static void give_up_inflight(struct hostroute *h)
{
	size_t i;

	for (i = 0; i < h->win; i++) {
		struct hr_slot *s = &h->slots[i];

		if (!s->used)
			continue;
		s->used = false;
		s->e->inflight = false;
		s->e->verify = true;
		s->e->hold = true;
		s->v->ninflight--;
		s->v->need_load = true;
	}
	h->ninflight = 0;
	if (!h->resync_t.armed)
		loop_timer_arm(h->loop, &h->resync_t, 0);
}

static void pump(struct hostroute *h);

static void req_read(struct hostroute *h)
{
	bool drained = false;

	for (;;) {
		ssize_t n = recv(h->req_fd, h->req_buf, HR_RBUF, MSG_DONTWAIT);
		struct nlmsghdr *nh;
		size_t left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* acks lost: what is in flight is unknown now */
				vlog(LOG_WARNING, "hostroute: acks lost (receive buffer full); reloading the tables");
				give_up_inflight(h);
				continue;
			}
			break;
		}
		left = (size_t)n;
		for (nh = (struct nlmsghdr *)h->req_buf; NLMSG_OK(nh, left);
		     nh = NLMSG_NEXT(nh, left))
			if (nh->nlmsg_type == NLMSG_ERROR)
				ack(h, nh, &drained);
	}
}

static bool send_batch(struct hostroute *h, uint32_t first)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	uint32_t s;

	if (!h->slen)
		return true;
	if (sendto(h->req_fd, h->sbuf, h->slen, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) >= 0) {
		h->slen = 0;
		return true;
	}
	vlog(LOG_WARNING, "hostroute: sending %zu bytes of requests: %s; retrying",
	     h->slen, strerror(errno));
	/* nothing of it was processed: queue those again */
	for (s = first; s != h->seq + 1; s++) {
		struct hr_slot *sl = &h->slots[s % h->win];

		if (!sl->used || sl->seq != s)
			continue;
		sl->used = false;
		h->ninflight--;
		sl->v->ninflight--;
		sl->e->inflight = false;
		enqueue(sl->v, sl->e);
	}
	h->slen = 0;
	loop_timer_arm(h->loop, &h->pump_t, HR_RETRY_MS);
	return false;
}

static void pump(struct hostroute *h)
{
	struct hr_vpc *v;
	uint32_t first = h->seq + 1;
	bool more = true;

	while (more && h->ninflight < h->win) {
		more = false;
		for (v = h->vpcs; v && h->ninflight < h->win; v = v->next) {
			struct hr_ent *e = v->qhead;
			struct hr_slot *s;
			uint16_t type, flags;

			if (!e)
				continue;
			more = true;
			v->qhead = e->qnext;
			if (!v->qhead)
				v->qtail = NULL;
			v->nqueued--;
			e->queued = false;
			if (need_add(v, e)) {
				type = RTM_NEWROUTE;
				/* replace only a route of vpnrtd's */
				flags = NLM_F_CREATE | (e->held ? NLM_F_REPLACE : NLM_F_EXCL);
			} else if (need_del(e)) {
				type = RTM_DELROUTE;
				flags = 0;
			} else {
				settle(v, e);
				vpc_idle(v);
				continue;
			}
			s = &h->slots[(h->seq + 1) % h->win];
			if (s->used) {	/* an old request never acked */
				enqueue(v, e);
				more = false;
				break;
			}
			if (h->slen + HR_MSG_MAX > HR_BATCH) {
				if (!send_batch(h, first)) {
					enqueue(v, e);
					loop_timer_arm(h->loop, &h->pump_t, HR_RETRY_MS);
					return;
				}
				first = h->seq + 1;
			}
			h->seq++;
			h->slen += put_route(h->sbuf + h->slen, type, flags, h->seq,
					     v, &e->node.p);
			h->requests++;
			s->seq = h->seq;
			s->op = type == RTM_NEWROUTE ? OP_ADD : OP_DEL;
			s->used = true;
			s->v = v;
			s->e = e;
			e->inflight = true;
			h->ninflight++;
			v->ninflight++;
		}
	}
	send_batch(h, first);
}

static void ent_free(void *arg, struct hr_node *n)
{
	(void)arg;
	free(n);
}

static void vpc_free(struct hr_vpc *v)
{
	hash_each(&v->ents, ent_free, NULL);
	free(v->ents.b);
	free(v);
}

/* flushed instances with nothing of ours left: forgotten (from the loop) */
static void vpc_gc(struct hostroute *h)
{
	struct hr_vpc **pp = &h->vpcs, *v;

	while ((v = *pp)) {
		if (v->closing && !v->routes && !v->nqueued && !v->ninflight) {
			*pp = v->next;
			vpc_free(v);
		} else {
			pp = &v->next;
		}
	}
}

static void pump_cb(void *arg)
{
	struct hostroute *h = arg;

	pump(h);
	req_read(h);	/* the kernel has answered already, mostly */
	pump(h);
	vpc_gc(h);
}

static void req_cb(void *arg, uint32_t events)
{
	struct hostroute *h = arg;

	(void)events;
	req_read(h);
	pump(h);
	vpc_gc(h);
}

/* a route of v's table seen in a dump (load) */
static bool vpc_slot(const struct hr_vpc *v, const struct hr_rt *r)
{
	return r->table == v->table && !r->tos && !r->src_len &&
	       !(r->flags & RTM_F_CLONED) && r->metric == def_metric(r->family);
}

static bool vpc_ours(const struct hr_vpc *v, const struct hr_rt *r)
{
	return r->proto == HOSTROUTE_PROTO && r->type == RTN_UNICAST &&
	       !r->mp && !r->gw && !r->nhid && r->oif == (uint32_t)v->ifindex;
}

static void load_route(void *arg, const struct hr_rt *r)
{
	struct hr_vpc *v = arg;
	struct hr_ent *e;

	if (r->nltype != RTM_NEWROUTE || !vpc_slot(v, r))
		return;
	e = ent_get(v, &r->p, true);
	if (!e)
		return;
	if (vpc_ours(v, r)) {
		e->seen_kern = true;
	} else {
		e->seen_held = true;
		e->seen_holder = r->proto;
	}
}

static void load_clear(void *arg, struct hr_node *n)
{
	struct hr_ent *e = (struct hr_ent *)n;

	(void)arg;
	e->seen_kern = false;
	e->seen_held = false;
	e->seen_holder = 0;
}

struct load_ctx {
	struct hr_vpc *v;
	bool begin;
	size_t stale;
};

static void load_apply(void *arg, struct hr_node *n)
{
	struct load_ctx *c = arg;
	struct hr_ent *e = (struct hr_ent *)n;

	if (e->seen_kern && !e->kern && !e->want) {
		e->want = true;	/* adopted: kept until the sweep */
		e->stale = true;
	}
	if (c->begin && e->seen_kern) {
		e->want = true;
		e->stale = true;
	}
	if (e->stale)
		c->stale++;
	set_kern(c->v, e, e->seen_kern);
	e->held = e->seen_held;
	e->holder = e->seen_holder;
	e->verify = false;
	e->hold = false;
	e->lost = false;
	settle(c->v, e);
}

static int vpc_load(struct hr_vpc *v, bool begin, char *err, size_t len)
{
	struct load_ctx c = { .v = v, .begin = begin };

	v->need_load = false;
	ev_read(v->h);	/* events before the dump first */
	hash_each(&v->ents, load_clear, NULL);
	if (dump_table(v->h, v->table, load_route, v, err, len))
		return -1;
	hash_each(&v->ents, load_apply, &c);
	vlog(LOG_DEBUG, "hostroute: table %u via %s: %u routes of ours, %zu stale",
	     v->table, v->dev, v->routes, c.stale);
	return 0;
}

static struct hr_vpc *vpc_new(struct hostroute *h, uint32_t table, int ifindex)
{
	struct hr_vpc *v = calloc(1, sizeof(*v));
	char name[IF_NAMESIZE];

	if (!v || hash_init(&v->ents)) {
		free(v);
		return NULL;
	}
	v->h = h;
	v->table = table;
	v->ifindex = ifindex;
	if (if_indextoname((unsigned int)ifindex, name)) {
		struct ifreq ifr;
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		snprintf(v->dev, sizeof(v->dev), "%s", name);
		memset(&ifr, 0, sizeof(ifr));
		memcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
		if (fd >= 0 && !ioctl(fd, SIOCGIFFLAGS, &ifr))
			v->down = !(ifr.ifr_flags & IFF_UP);
		if (fd >= 0)
			close(fd);
	} else
		snprintf(v->dev, sizeof(v->dev), "ifindex %d", ifindex);
	v->next = h->vpcs;
	h->vpcs = v;
	return v;
}

static bool table_ok(uint32_t table)
{
	return table != RT_TABLE_UNSPEC && table != RT_TABLE_LOCAL;
}

static struct hr_vpc *vpc_get(struct hostroute *h, uint32_t table,
			      int ifindex)
{
	struct hr_vpc *v = vpc_find(h, table, ifindex);
	char err[256];

	if (v || !table_ok(table) || ifindex <= 0)
		return v;
	/* no begin: adopt what is there, mark nothing stale */
	v = vpc_new(h, table, ifindex);
	if (v && vpc_load(v, false, err, sizeof(err)))
		vlog(LOG_ERR, "hostroute: table %u via %s: %s", table, v->dev, err);
	return v;
}

static void begin_mark(void *arg, struct hr_node *n)
{
	struct hr_vpc *v = arg;
	struct hr_ent *e = (struct hr_ent *)n;

	if (e->kern) {
		e->stale = true;
		e->want = true;
	} else {
		e->want = false;
		e->stale = false;
	}
	e->hold = false;
	settle(v, e);
}

int hostroute_vpc_begin(struct hostroute *h, uint32_t table, int ifindex,
			char *err, size_t len)
{
	struct hr_vpc *v;

	if (!table_ok(table)) {
		snprintf(err, len, "table %u cannot be a VPC table", table);
		return -1;
	}
	if (ifindex <= 0) {
		snprintf(err, len, "no gateway device (ifindex %d)", ifindex);
		return -1;
	}
	v = vpc_find(h, table, ifindex);
	if (!v) {
		v = vpc_new(h, table, ifindex);
		if (!v) {
			snprintf(err, len, "out of memory");
			return -1;
		}
	} else {
		v->closing = false;
		hash_each(&v->ents, begin_mark, v);
	}
	return vpc_load(v, true, err, len);
}

int hostroute_vpc_add(struct hostroute *h, uint32_t table, int ifindex,
		      const struct bgp_prefix *p)
{
	struct hr_vpc *v = vpc_get(h, table, ifindex);
	struct bgp_prefix q = *p;
	struct hr_ent *e;

	if (!v)
		return table_ok(table) && ifindex > 0 ? -1 : 0;
	v->closing = false;
	if (q.af != BGP_AF_IPV4 && q.af != BGP_AF_IPV6)
		return 0;
	pfx_norm(&q);
	e = ent_get(v, &q, true);
	if (!e)
		return -1;
	e->want = true;
	e->stale = false;
	e->hold = false;
	e->lost = false;
	settle(v, e);
	return 0;
}

int hostroute_vpc_del(struct hostroute *h, uint32_t table, int ifindex,
		      const struct bgp_prefix *p)
{
	struct hr_vpc *v = vpc_find(h, table, ifindex);
	struct bgp_prefix q = *p;
	struct hr_ent *e;

	if (!v || (q.af != BGP_AF_IPV4 && q.af != BGP_AF_IPV6))
		return 0;
	pfx_norm(&q);
	e = ent_get(v, &q, false);
	if (!e)
		return 0;
	e->want = false;
	e->stale = false;
	e->hold = false;
	e->lost = false;
	settle(v, e);
	return 0;
}

struct drop_ctx {
	struct hr_vpc *v;
	bool all;
	size_t n;
};

static void drop_one(void *arg, struct hr_node *n)
{
	struct drop_ctx *c = arg;
	struct hr_ent *e = (struct hr_ent *)n;

	if (!c->all && !e->stale)
		return;
	if (e->kern || e->inflight)
		c->n++;
	e->want = false;
	e->stale = false;
	e->hold = false;
	e->lost = false;
	settle(c->v, e);
}

size_t hostroute_vpc_sweep(struct hostroute *h, uint32_t table, int ifindex)
{
	struct hr_vpc *v = vpc_find(h, table, ifindex);
	struct drop_ctx c = { .v = v };

	if (v)
		hash_each(&v->ents, drop_one, &c);
	return c.n;
}

size_t hostroute_vpc_flush(struct hostroute *h, uint32_t table, int ifindex)
{
	struct hr_vpc *v = vpc_find(h, table, ifindex);
	struct drop_ctx c = { .v = v, .all = true };

	if (!v)
		return 0;
	hash_each(&v->ents, drop_one, &c);
	v->closing = true;
	if (!h->pump_t.armed)
		loop_timer_arm(h->loop, &h->pump_t, 0);
	return c.n;
}

int hostroute_vpc_sync(struct hostroute *h, uint32_t table, int ifindex,
		       char *err, size_t len)
{
	struct hr_vpc *v = vpc_find(h, table, ifindex);

	if (!v) {
		snprintf(err, len, "table %u ifindex %d: no hostroute_vpc_begin",
			 table, ifindex);
		return -1;
	}
	return vpc_load(v, false, err, len);
}

void hostroute_vpc_stats(const struct hostroute *h, uint32_t table,
			 int ifindex, struct hostroute_stats *s)
{
	const struct hr_vpc *v = vpc_find(h, table, ifindex);

	memset(s, 0, sizeof(*s));
	if (!v)
		return;
	s->routes = v->routes;
	s->queued = (uint32_t)(v->nqueued + v->ninflight);
	s->conflicts = v->conflicts;
	s->errors = v->errors;
	s->lost = v->lost;
}

uint64_t hostroute_requests(const struct hostroute *h)
{
	return h->requests;
}

static void repair_one(void *arg, struct hr_node *n)
{
	struct hr_ent *e = (struct hr_ent *)n;

	if (!e->lost)
		return;
	e->lost = false;
	e->hold = false;
	settle(arg, e);
}

static void repair_cb(void *arg)
{
	struct hostroute *h = arg;
	struct hr_vpc *v;

	for (v = h->vpcs; v; v = v->next) {
		if (v->lost_quiet)
			vlog(LOG_WARNING, "hostroute: table %u: %llu more routes via %s deleted by someone else; re-adding them",
			     v->table, (unsigned long long)v->lost_quiet, v->dev);
		v->lost_quiet = 0;
		hash_each(&v->ents, repair_one, v);
	}
}

/* a route event in v's table */
static void vpc_event(struct hr_vpc *v, const struct hr_rt *r)
{
	struct hr_ent *e;
	char buf[64];

	if (!vpc_slot(v, r))
		return;
	e = ent_get(v, &r->p, r->nltype == RTM_NEWROUTE);
	if (!e)
		return;
	if (vpc_ours(v, r)) {
		if (r->nltype == RTM_NEWROUTE) {
			if (!e->kern && !e->want) {
				e->want = true;	/* someone added one: adopt */
				e->stale = true;
			}
			set_kern(v, e, true);
			e->held = false;
		} else if (e->kern) {
			set_kern(v, e, false);
			if (e->want && !e->inflight) {
				v->lost++;
				e->lost = true;
				e->hold = true;
				if (v->nlogged < HR_LOG_BURST) {
					v->nlogged++;
					vlog(LOG_WARNING, "hostroute: table %u: %s via %s deleted by someone else; re-adding it in %d ms",
					     v->table, fmt(&r->p, buf, sizeof(buf)),
					     v->dev, HR_REPAIR_MS);
				} else {
					v->lost_quiet++;
				}
				loop_timer_arm(v->h->loop, &v->h->repair_t, HR_REPAIR_MS);
			}
		}
	} else if (r->nltype == RTM_NEWROUTE) {
		if (r->nlflags & NLM_F_REPLACE)
			set_kern(v, e, false);	/* ours was replaced */
		e->held = true;
		e->holder = r->proto;
	} else {
		e->held = false;
		e->holder = 0;
	}
	settle(v, e);
}

/* ---- the advertised table ---- */

static struct hr_watch *watch_find(const struct hostroute *h, uint32_t table)
{
	struct hr_watch *w;

	for (w = h->watches; w; w = w->next)
		if (w->table == table)
			return w;
	return NULL;
}

static bool watch_qualifies(const struct hr_watch *w, const struct hr_rt *r)
{
	unsigned int i;
	size_t j;

	if (r->type != RTN_UNICAST || r->proto == HOSTROUTE_PROTO ||
	    (r->flags & RTM_F_CLONED))
		return false;
	/* IPv6 link-local (fe80::/10) is never advertised */
	if (r->family == AF_INET6 && r->p.len >= 10 && r->p.addr[0] == 0xfe &&
	    (r->p.addr[1] & 0xc0) == 0x80)
		return false;
	for (i = 0; i < r->n_oif; i++)
		for (j = 0; j < w->n_skip; j++)
			if (r->oifs[i] == (uint32_t)w->skip[j])
				return false;
	return true;
}

static void wp_free(struct hr_wp *wp)
{
	free(wp->k);
	free(wp);
}

static void watch_route(struct hr_watch *w, const struct hr_rt *r)
{
	struct hr_wp *wp = (struct hr_wp *)hash_find(&w->set, &r->p);
	struct hr_rkey key = {
		.metric = r->metric, .tos = r->tos,
		.oif = r->mp ? 0 : r->oif, .ok = watch_qualifies(w, r),
	};
	unsigned int i, found = UINT16_MAX;
	bool was, now = false;

	if (r->table != w->table)
		return;
	if (!wp) {
		if (r->nltype != RTM_NEWROUTE)
			return;
		wp = calloc(1, sizeof(*wp));
		if (!wp)
			return;	/* out of memory: the prefix is missed */
		wp->node.p = r->p;
		hash_insert(&w->set, &wp->node);
	}
	was = wp->in;
	/* the route in the list: same metric, TOS and device, else the
	 * first of that metric and TOS */
	for (i = 0; i < wp->n; i++)
		if (wp->k[i].metric == key.metric && wp->k[i].tos == key.tos) {
			if (wp->k[i].oif == key.oif) {
				found = i;
				break;
			}
			if (found == UINT16_MAX)
				found = i;
		}
	if (found != UINT16_MAX && r->nltype == RTM_NEWROUTE &&
	    !(r->nlflags & NLM_F_REPLACE) && wp->k[found].oif != key.oif)
		found = UINT16_MAX;	/* another route of the same slot */
	if (r->nltype == RTM_NEWROUTE) {
		if (found == UINT16_MAX) {
			if (wp->n == wp->cap) {
				uint16_t cap = wp->cap ? wp->cap * 2 : 1;
				struct hr_rkey *k = cap > 4096 ? NULL :
					realloc(wp->k, cap * sizeof(*k));

				if (!k)
					return;	/* out of memory: missed */
				wp->k = k;
				wp->cap = cap;
			}
			found = wp->n++;
		}
		wp->k[found] = key;
	} else if (found != UINT16_MAX) {
		wp->k[found] = wp->k[--wp->n];
	}
	for (i = 0; i < wp->n; i++)
		now |= wp->k[i].ok;
	wp->in = now;
	if (now != was) {
		if (now)
			w->count++;
		else
			w->count--;
		if (w->cb && !w->timer.armed)
			loop_timer_arm(w->h->loop, &w->timer, 0);
	}
	if (!wp->n) {
		hash_remove(&w->set, &wp->node);
		wp_free(wp);
	}
}

static void watch_dump_route(void *arg, const struct hr_rt *r)
{
	watch_route(arg, r);
}

static void wp_free_node(void *arg, struct hr_node *n)
{
	struct hr_hash *t = arg;

	hash_remove(t, n);
	wp_free((struct hr_wp *)n);
}

static void watch_clear(struct hr_watch *w)
{
	hash_each(&w->set, wp_free_node, &w->set);
	w->count = 0;
}

static int watch_load(struct hr_watch *w, char *err, size_t len)
{
	ev_read(w->h);
	watch_clear(w);
	return dump_table(w->h, w->table, watch_dump_route, w, err, len);
}

static void watch_timer_cb(void *arg)
{
	struct hr_watch *w = arg;

	if (w->cb)
		w->cb(w->arg, w->table);
}

int hostroute_watch(struct hostroute *h, uint32_t table, const int *skip,
		    size_t n_skip, hostroute_table_cb cb, void *arg,
		    char *err, size_t len)
{
	struct hr_watch *w = watch_find(h, table);
	int *sk = NULL;

	if (table == RT_TABLE_UNSPEC) {
		snprintf(err, len, "table 0 cannot be watched");
		return -1;
	}
	if (n_skip) {
		sk = malloc(n_skip * sizeof(*sk));
		if (!sk) {
			snprintf(err, len, "out of memory");
			return -1;
		}
		memcpy(sk, skip, n_skip * sizeof(*sk));
	}
	if (!w) {
		w = calloc(1, sizeof(*w));
		if (!w || hash_init(&w->set)) {
			free(w);
			free(sk);
			snprintf(err, len, "out of memory");
			return -1;
		}
		w->h = h;
		w->table = table;
		loop_timer_init(&w->timer, watch_timer_cb, w);
		w->next = h->watches;
		h->watches = w;
	}
	free(w->skip);
	w->skip = sk;
	w->n_skip = n_skip;
	w->cb = cb;
	w->arg = arg;
	if (watch_load(w, err, len)) {
		hostroute_unwatch(h, table);
		return -1;
	}
	return 0;
}

void hostroute_unwatch(struct hostroute *h, uint32_t table)
{
	struct hr_watch **pp, *w;

	for (pp = &h->watches; (w = *pp); pp = &w->next)
		if (w->table == table) {
			*pp = w->next;
			loop_timer_cancel(h->loop, &w->timer);
			watch_clear(w);
			free(w->set.b);
			free(w->skip);
			free(w);
			return;
		}
}

size_t hostroute_table(const struct hostroute *h, uint32_t table,
		       struct bgp_prefix *out, size_t max)
{
	const struct hr_watch *w = watch_find(h, table);
	struct bgp_prefix *all;
	size_t i, n = 0;

	if (!w)
		return 0;
	all = malloc((w->count ? w->count : 1) * sizeof(*all));
	for (i = 0; i <= w->set.mask; i++) {
		const struct hr_node *nd;

		for (nd = w->set.b[i]; nd; nd = nd->hnext) {
			if (!((const struct hr_wp *)nd)->in)
				continue;
			if (all && n < w->count)
				all[n] = nd->p;
			n++;
		}
	}
	if (!all) {	/* no memory: unsorted, as far as out goes */
		size_t k = 0;

		for (i = 0; i <= w->set.mask && k < max; i++) {
			const struct hr_node *nd;

			for (nd = w->set.b[i]; nd && k < max; nd = nd->hnext)
				if (((const struct hr_wp *)nd)->in)
					out[k++] = nd->p;
		}
		return n;
	}
	qsort(all, n, sizeof(*all), pfx_cmp);
	if (n && max)
		memcpy(out, all, (n < max ? n : max) * sizeof(*out));
	free(all);
	return n;
}

/* ---- events ---- */

/*
 * A device went down or away: the kernel drops its IPv4 routes without
 * a word, so every table is read again. The gateway device coming up:
 * its table is brought back.
 */
static void link_event(struct hostroute *h, const struct nlmsghdr *nh)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	bool gone, changed;
	struct hr_vpc *v;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return;
	gone = nh->nlmsg_type == RTM_DELLINK || !(ifi->ifi_flags & IFF_UP);
	changed = nh->nlmsg_type == RTM_DELLINK || (ifi->ifi_change & IFF_UP);
	for (v = h->vpcs; v; v = v->next) {
		if (v->ifindex != ifi->ifi_index || v->down == gone)
			continue;
		v->down = gone;
		vlog(LOG_INFO, "hostroute: table %u: %s is %s", v->table, v->dev,
		     gone ? "down: routes via it wait" : "up: installing its routes");
		if (!gone) {
			v->need_load = true;
			if (!h->resync_t.armed)
				loop_timer_arm(h->loop, &h->resync_t, 0);
		}
	}
	if (gone && changed) {
		h->resync_all = true;
		loop_timer_arm(h->loop, &h->resync_t, HR_LINK_MS);
	}
}

static void ev_read(struct hostroute *h)
{
	for (;;) {
		ssize_t n = recv(h->ev_fd, h->ev_buf, HR_RBUF, MSG_DONTWAIT);
		struct nlmsghdr *nh;
		size_t left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				vlog(LOG_WARNING, "hostroute: route events lost (receive buffer full); reloading the tables");
				h->resync_all = true;
				if (!h->resync_t.armed)
					loop_timer_arm(h->loop, &h->resync_t, 0);
				continue;
			}
			return;
		}
		left = (size_t)n;
		for (nh = (struct nlmsghdr *)h->ev_buf; NLMSG_OK(nh, left);
		     nh = NLMSG_NEXT(nh, left)) {
			struct hr_rt r;
			struct hr_vpc *v;
			struct hr_watch *w;

			if (nh->nlmsg_type == RTM_NEWLINK ||
			    nh->nlmsg_type == RTM_DELLINK) {
				link_event(h, nh);
				continue;
			}
			if (!parse_route(nh, &r))
				continue;
			/* what our own requests did (when unfiltered) */
			if (r.nlpid == h->req_portid && r.nlpid)
				continue;
			for (v = h->vpcs; v; v = v->next)
				if (v->table == r.table)
					vpc_event(v, &r);
			for (w = h->watches; w; w = w->next)
				if (w->table == r.table)
					watch_route(w, &r);
		}
	}
}

static void ev_cb(void *arg, uint32_t events)
{
	(void)events;
	ev_read(arg);
}

static void resync_cb(void *arg)
{
	struct hostroute *h = arg;
	bool all = h->resync_all;
	struct hr_vpc *v;
	struct hr_watch *w;
	char err[256];

	h->resync_all = false;
	for (v = h->vpcs; v; v = v->next)
		if ((all || v->need_load) && vpc_load(v, false, err, sizeof(err))) {
			vlog(LOG_ERR, "hostroute: table %u via %s: %s; retrying in %d ms",
			     v->table, v->dev, err, HR_REPAIR_MS);
			v->need_load = true;
			loop_timer_arm(h->loop, &h->resync_t, HR_REPAIR_MS);
		}
	if (!all)
		return;
	for (w = h->watches; w; w = w->next) {
		if (watch_load(w, err, sizeof(err))) {
			vlog(LOG_ERR, "hostroute: watching table %u: %s; retrying in %d ms",
			     w->table, err, HR_REPAIR_MS);
			h->resync_all = true;
			loop_timer_arm(h->loop, &h->resync_t, HR_REPAIR_MS);
		}
		if (w->cb && !w->timer.armed)
			loop_timer_arm(h->loop, &w->timer, 0);
	}
}

/* drop the notifications whose nlmsg_pid is portid (our own requests) */
static bool ev_filter(int fd, uint32_t portid)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 (uint32_t)offsetof(struct nlmsghdr, nlmsg_pid)),
		/* BPF loads are big-endian: compare with the bytes as loaded */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohl(portid), 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
	};
	struct sock_fprog prog = {
		.len = sizeof(code) / sizeof(code[0]), .filter = code,
	};

	return !setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

struct hostroute *hostroute_new(struct loop *l, char *err, size_t len)
{
	struct hostroute *h = calloc(1, sizeof(*h));
	int one = 1, rcv = 0;
	socklen_t sl = sizeof(rcv);

	if (!h) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	h->loop = l;
	h->req_fd = h->ev_fd = h->sync_fd = -1;
	loop_timer_init(&h->pump_t, pump_cb, h);
	loop_timer_init(&h->resync_t, resync_cb, h);
	loop_timer_init(&h->repair_t, repair_cb, h);
	h->sbuf = malloc(HR_BATCH);
	h->req_buf = malloc(HR_RBUF);
	h->ev_buf = malloc(HR_RBUF);
	h->sync_buf = malloc(HR_RBUF);
	h->req_fd = nl_socket(0, &h->req_portid);
	h->sync_fd = nl_socket(0, &h->sync_portid);
	h->ev_fd = nl_socket(RTMGRP_LINK | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE,
			     &(uint32_t){0});
	if (!h->sbuf || !h->req_buf || !h->ev_buf || !h->sync_buf || h->req_fd < 0 || h->sync_fd < 0 ||
	    h->ev_fd < 0) {
		snprintf(err, len, "rtnetlink sockets: %s",
			 errno ? strerror(errno) : "out of memory");
		hostroute_free(h);
		return NULL;
	}
	/* dumps filtered by the kernel (else here) */
	setsockopt(h->sync_fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one,
		   sizeof(one));
	h->ev_filtered = ev_filter(h->ev_fd, h->req_portid);
	if (getsockopt(h->req_fd, SOL_SOCKET, SO_RCVBUF, &rcv, &sl) || rcv <= 0)
		rcv = 212992;
	/* a power of two (slots by seq % win across the wrap), whose acks
	 * fit in the receive buffer */
	for (h->win = HR_WIN_MAX; h->win > 16 &&
	     h->win * HR_ACK_COST > (size_t)rcv; h->win /= 2)
		;
	h->slots = calloc(h->win, sizeof(*h->slots));
	if (!h->slots ||
	    loop_add_fd(l, h->req_fd, EPOLLIN, req_cb, h) ||
	    loop_add_fd(l, h->ev_fd, EPOLLIN, ev_cb, h)) {
		snprintf(err, len, "out of memory");
		hostroute_free(h);
		return NULL;
	}
	return h;
}

void hostroute_free(struct hostroute *h)
{
	struct hr_vpc *v;

	if (!h)
		return;
	while (h->watches)
		hostroute_unwatch(h, h->watches->table);
	while ((v = h->vpcs)) {
		h->vpcs = v->next;
		vpc_free(v);
	}
	loop_timer_cancel(h->loop, &h->pump_t);
	loop_timer_cancel(h->loop, &h->resync_t);
	loop_timer_cancel(h->loop, &h->repair_t);
	if (h->req_fd >= 0) {
		loop_del_fd(h->loop, h->req_fd);
		close(h->req_fd);
	}
	if (h->ev_fd >= 0) {
		loop_del_fd(h->loop, h->ev_fd);
		close(h->ev_fd);
	}
	if (h->sync_fd >= 0)
		close(h->sync_fd);
	free(h->slots);
	free(h->sbuf);
	free(h->req_buf);
	free(h->ev_buf);
	free(h->sync_buf);
	free(h);
}
