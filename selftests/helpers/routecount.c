// SPDX-License-Identifier: GPL-2.0
/*
 * routecount: wait until a number of routes is there, and say when.
 * For the BGP convergence rows of `make bench` (scripts/bench-guest).
 *
 *   routecount --ns NS --table T --proto P --until N [--timeout SECS]
 *              [--ready FILE]
 *       the IPv4 routes of kernel table T with protocol P, followed by
 *       rtnetlink events (RTNLGRP_IPV4_ROUTE) after one dump: exact to
 *       the event, no polling. A socket overrun (ENOBUFS) dumps again.
 *   routecount --ns NS --gateway GW --until N [--interval-ms MS] ...
 *       the BGP routes of vpnrt gateway GW (GW_GET's N_BGP_ROUTES, one
 *       request every MS milliseconds, 10 by default).
 *
 * Prints "start NS count C" once it counts (FILE is created then),
 * "first NS count C" at the first change, and "done NS count N" when the
 * count is N, or "timeout NS count C" (exit 1). NS are CLOCK_REALTIME
 * nanoseconds, comparable with `date +%s%N`.
 */
#define _GNU_SOURCE
#define HELPER_NAME "routecount"
#define HELPER_USAGE "routecount --ns NS (--table T --proto P | --gateway GW) --until N [--timeout SECS] [--interval-ms MS] [--ready FILE]"
#include "helper.h"

#include <getopt.h>
#include <stdbool.h>
#include <arpa/inet.h>
#include <poll.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include "linux/vpnrt.h"

static int64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* ---- a set of IPv4 prefixes (address << 8 | length) ---- */
static uint64_t *set_keys;
static size_t set_cap, set_n;

static size_t slot(uint64_t k)
{
	return (size_t)((k * 0x9e3779b97f4a7c15ull) >> 20) & (set_cap - 1);
}

static void set_init(size_t cap)
{
	free(set_keys);
	set_cap = cap;
	set_n = 0;
	set_keys = calloc(cap, sizeof(*set_keys));
	if (!set_keys)
		die("no memory");
}

/* keys are stored + 1 so that 0 means empty; deletion by backward shift */
static void set_add(uint64_t k)
{
	size_t i;

	k++;
	if (set_n * 2 >= set_cap) {
		uint64_t *old = set_keys;
		size_t oc = set_cap, j;

		set_keys = NULL;
		set_init(oc * 2);
		for (j = 0; j < oc; j++)
			if (old[j])
				set_add(old[j] - 1);
		free(old);
	}
	for (i = slot(k);; i = (i + 1) & (set_cap - 1)) {
		if (set_keys[i] == k)
			return;
		if (!set_keys[i]) {
			set_keys[i] = k;
			set_n++;
			return;
		}
	}
}

static void set_del(uint64_t k)
{
	size_t i, j, h;

	k++;
	for (i = slot(k);; i = (i + 1) & (set_cap - 1)) {
		if (!set_keys[i])
			return;
		if (set_keys[i] == k)
			break;
	}
	set_keys[i] = 0;
	set_n--;
	for (j = (i + 1) & (set_cap - 1); set_keys[j]; j = (j + 1) & (set_cap - 1)) {
		h = slot(set_keys[j]);
		/* move j back to i unless its home lies cyclically in (i, j] */
		if (!(i < j ? (h > i && h <= j) : (h > i || h <= j))) {
			set_keys[i] = set_keys[j];
			set_keys[j] = 0;
			i = j;
		}
	}
}

/* ---- rtnetlink ---- */
static uint32_t want_table;
static int want_proto;

/* one route message: 1 if it is ours (add or delete applied) */
static int route_msg(const struct nlmsghdr *h)
{
	const struct rtmsg *r = NLMSG_DATA(h);
	const struct rtattr *a;
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*r));
	uint32_t table, dst = 0;

	if (len < 0 || r->rtm_family != AF_INET || r->rtm_protocol != want_proto ||
	    r->rtm_type != RTN_UNICAST)
		return 0;
	table = r->rtm_table;
	for (a = RTM_RTA(r); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) >= 4)
			memcpy(&table, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) >= 4)
			memcpy(&dst, RTA_DATA(a), 4);
	}
	if (table != want_table)
		return 0;
	if (h->nlmsg_type == RTM_NEWROUTE)
		set_add((uint64_t)ntohl(dst) << 8 | r->rtm_dst_len);
	else
		set_del((uint64_t)ntohl(dst) << 8 | r->rtm_dst_len);
	return 1;
}

static char rbuf[1 << 20];

/* dump the table into the set, on its own socket */
static void dump(void)
{
	struct {
		struct nlmsghdr h;
		struct rtmsg r;
		struct rtattr a;
		uint32_t table;
	} req = {
		.h.nlmsg_len = sizeof(req),
		.h.nlmsg_type = RTM_GETROUTE,
		.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.h.nlmsg_seq = 1,
		.r.rtm_family = AF_INET,
		.a.rta_len = RTA_LENGTH(4),
		.a.rta_type = RTA_TABLE,
		.table = want_table,
	};
	int fd, one = 1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	/* the kernel filters on the table itself */
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (send(fd, &req, sizeof(req), 0) < 0)
		die("dump: %s", strerror(errno));
	set_init(1 << 18);
	for (;;) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), 0);
		struct nlmsghdr *h;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("dump: recv: %s", strerror(errno));
		}
		for (h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				close(fd);
				return;
			}
			if (h->nlmsg_type == NLMSG_ERROR)
				die("dump: %s", strerror(-((struct nlmsgerr *)NLMSG_DATA(h))->error));
			if (h->nlmsg_type == RTM_NEWROUTE)
				route_msg(h);
		}
	}
}

/* ---- vpnrt ---- */
static struct nl_sock *gsk;
static int gfam;
static const char *gw_name;
static long gw_count;

static int gw_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[VPNRT_A_MAX + 1], *gt[VPNRT_A_GW_MAX + 1];

	(void)arg;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, VPNRT_A_MAX, NULL) ||
	    !tb[VPNRT_A_GW] ||
	    nla_parse_nested(gt, VPNRT_A_GW_MAX, tb[VPNRT_A_GW], NULL) ||
	    !gt[VPNRT_A_GW_N_BGP_ROUTES])
		return NL_SKIP;
	gw_count = nla_get_u32(gt[VPNRT_A_GW_N_BGP_ROUTES]);
	return NL_OK;
}

static long gw_poll(void)
{
	struct nl_msg *m = nlmsg_alloc();
	struct nlattr *nest;
	int err;

	if (!m || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, gfam, 0, 0,
			       VPNRT_CMD_GW_GET, VPNRT_GENL_VERSION))
		die("no memory");
	nest = nla_nest_start(m, VPNRT_A_GW);
	nla_put_string(m, VPNRT_A_GW_IFNAME, gw_name);
	nla_nest_end(m, nest);
	gw_count = -1;
	err = nl_send_auto(gsk, m);
	nlmsg_free(m);
	if (err < 0)
		die("GW_GET %s: %s", gw_name, nl_geterror(err));
	/* no ack asked for: the answer alone, or an error */
	while (gw_count < 0) {
		err = nl_recvmsgs_default(gsk);
		if (err < 0)
			die("GW_GET %s: %s", gw_name, nl_geterror(err));
	}
	return gw_count;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ns", required_argument, NULL, 'n' },
		{ "table", required_argument, NULL, 't' },
		{ "proto", required_argument, NULL, 'p' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "until", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "ready", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ns = NULL, *ready = NULL;
	long until = -1, timeout = 120, interval = 10, last;
	int64_t end;
	bool rt = false, first = false;
	int c, fd = -1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': ns = optarg; break;
		case 't': want_table = strtoul(optarg, NULL, 0); rt = true; break;
		case 'p': want_proto = atoi(optarg); break;
		case 'g': gw_name = optarg; break;
		case 'u': until = atol(optarg); break;
		case 'T': timeout = atol(optarg); break;
		case 'i': interval = atol(optarg); break;
		case 'r': ready = optarg; break;
		default: usage_err("unknown option");
		}
	}
	if (!ns || until < 0 || timeout <= 0 || interval <= 0 ||
	    (rt == !!gw_name) || (rt && (!want_table || want_proto <= 0)))
		usage_err("give --ns, --until and either --table and --proto or --gateway");
	enter_netns(ns);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (rt) {
		struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
					  .nl_groups = 1 << (RTNLGRP_IPV4_ROUTE - 1) };
		int big = 256 << 20;

		fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (fd < 0)
			die("socket: %s", strerror(errno));
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
			die("bind: %s", strerror(errno));
		/* subscribed first, then dumped: nothing falls in between */
		dump();
		last = (long)set_n;
	} else {
		gsk = nl_socket_alloc();
		if (!gsk || genl_connect(gsk))
			die("generic netlink socket");
		gfam = genl_ctrl_resolve(gsk, VPNRT_GENL_NAME);
		if (gfam < 0)
			die("vpnrt family: %s (module not loaded?)", nl_geterror(gfam));
		nl_socket_modify_cb(gsk, NL_CB_VALID, NL_CB_CUSTOM, gw_reply, NULL);
		nl_socket_disable_auto_ack(gsk);
		last = gw_poll();
	}
	printf("start %lld count %ld\n", (long long)real_ns(), last);
	if (ready) {
		int r = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (r >= 0)
			close(r);
	}
	end = now_ns() + (int64_t)timeout * 1000000000ll;
	while (last != until) {
		long cur;
		int64_t left = end - now_ns();

		if (left <= 0) {
			printf("timeout %lld count %ld\n", (long long)real_ns(), last);
			return 1;
		}
		if (rt) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			ssize_t n;
			struct nlmsghdr *h;

			if (poll(&p, 1, (int)(left / 1000000 + 1)) <= 0)
				continue;
			n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
			if (n < 0) {
				if (errno == ENOBUFS) {
					fprintf(stderr, "routecount: events overran, dumping again\n");
					dump();
				} else if (errno != EINTR && errno != EAGAIN) {
					die("recv: %s", strerror(errno));
				}
			} else {
				for (h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, n);
				     h = NLMSG_NEXT(h, n))
					if (h->nlmsg_type == RTM_NEWROUTE ||
					    h->nlmsg_type == RTM_DELROUTE)
						route_msg(h);
			}
			cur = (long)set_n;
		} else {
			struct timespec ts = { .tv_sec = interval / 1000,
					       .tv_nsec = interval % 1000 * 1000000 };

			nanosleep(&ts, NULL);
			cur = gw_poll();
		}
		if (cur != last && !first) {
			first = true;
			printf("first %lld count %ld\n", (long long)real_ns(), cur);
		}
		last = cur;
	}
	printf("done %lld count %ld\n", (long long)real_ns(), last);
	return 0;
}
