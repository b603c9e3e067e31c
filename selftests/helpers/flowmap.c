// SPDX-License-Identifier: GPL-2.0
/*
 * flowmap: send crafted packets from one network namespace and report,
 * for each, the device it arrived on in others. One process does it all:
 * it opens a packet socket on every watched device (entering each
 * namespace with setns), then sends from the sender's namespace through
 * a raw socket with the IP header included, so any protocol, source
 * address and fragment can be sent.
 *
 *   flowmap --ns NS --watch NS:DEV [--watch NS:DEV ...] --src IP --dst IP
 *           [--ndst K] [--proto P[,P...]] [--flows N]
 *           [--sport P] [--dport P] [--frag] [--timeout MS]
 *
 *   --ns NS         the sender's namespace (a name in /run/netns or a path)
 *   --watch NS:DEV  a device to watch (1..8): an AF_PACKET SOCK_DGRAM
 *                   socket bound to DEV in NS sees what arrives there
 *   --src, --dst    the packets' addresses (one family); any source
 *                   address may be sent, the kernel routes by --dst
 *   --ndst K        K destinations, --dst and the K-1 addresses after it
 *                   (1..4096, default 1)
 *   --proto P[,P...]  protocols, each udp, udplite, sctp, tcp, icmp or a
 *                   number (default udp; at most 8), one after the other;
 *                   the first four bytes after the IP header are the
 *                   ports, whatever the protocol
 *   --flows N       datagrams per destination, source ports --sport ..
 *                   --sport+N-1 (1..4096, default 1)
 *   --sport, --dport  first source port (default 10000), destination port
 *                   (default 9)
 *   --frag          send each datagram as two fragments: the first with
 *                   the protocol header (IPv4 MF, offset 0; IPv6 fragment
 *                   header, M set), the second without it (offset > 0)
 *   --timeout MS    wait at most MS for every piece to arrive (default
 *                   2000); stops as soon as all have arrived
 *
 * Each piece carries a tag (magic, run id, datagram number, piece
 * number), found again in what the packet sockets capture. Output, one
 * line per datagram, in the order sent:
 *
 *   DST PROTO SPORT DPORT WHERE
 *
 * PROTO is the number; WHERE is the device the datagram arrived on, "-"
 * if it did not arrive, and with --frag the devices of the two fragments
 * joined by "/" (e.g. "xfrm1/xfrm2"); a piece seen on several devices
 * shows them joined by "+". Checksums are not filled in: what is
 * measured is where packets arrive, before any protocol looks at them.
 *
 * Exit 0 when everything was sent (whether or not it arrived), 1 on an
 * error, 2 on a usage error.
 */
#define _GNU_SOURCE
#define HELPER_NAME "flowmap"
#define HELPER_USAGE HELPER_NAME \
	" --ns NS --watch NS:DEV [--watch NS:DEV ...] --src IP --dst IP\n" \
	"         [--ndst K] [--proto P[,P...]] [--flows N]\n" \
	"         [--sport P] [--dport P] [--frag] [--timeout MS]"
#include "helper.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#define MAX_WATCH	8
#define MAX_DST		4096
#define MAX_FLOWS	4096
#define MAX_DGRAMS	16384
#define MAX_PROTOS	8
#define TAG_MAGIC	0x76507254u	/* "vPrT" */

union addr {
	struct in_addr v4;
	struct in6_addr v6;
};

struct tag {
	uint32_t magic, run, seq;
	uint8_t piece, pad[3];
};

struct watch {
	char ns[128], dev[IFNAMSIZ];
	int fd;
};

static struct watch watches[MAX_WATCH];
static int n_watch;
/* per datagram and piece: a bit per watch that saw it */
static uint8_t seen[MAX_DGRAMS][2];

static long num(const char *o, const char *v, long lo, long hi)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || end == v || n < lo || n > hi)
		usage_err("%s must be a number %ld..%ld, not \"%s\"", o, lo, hi, v);
	return n;
}

static int proto_num(const char *v)
{
	if (!strcmp(v, "udp"))
		return IPPROTO_UDP;
	if (!strcmp(v, "udplite"))
		return IPPROTO_UDPLITE;
	if (!strcmp(v, "sctp"))
		return IPPROTO_SCTP;
	if (!strcmp(v, "tcp"))
		return IPPROTO_TCP;
	if (!strcmp(v, "icmp"))
		return -1;	/* ICMP or ICMPv6, by the family */
	return (int)num("--proto", v, 0, 255);
}

/* length of the protocol's header in the first piece */
static unsigned int l4_len(int proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 20;
	case IPPROTO_SCTP:
		return 12;
	default:
		return 8;
	}
}

static void open_watch(struct watch *w)
{
	struct sockaddr_ll sll = { 0 };
	int size = 8 << 20;
	unsigned int ifindex;

	enter_netns(w->ns);
	ifindex = if_nametoindex(w->dev);
	if (!ifindex)
		die("netns %s: no device %s", w->ns, w->dev);
	w->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       htons(ETH_P_ALL));
	if (w->fd < 0)
		die("packet socket in %s: %s", w->ns, strerror(errno));
	if (setsockopt(w->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		die("SO_RCVBUFFORCE: %s", strerror(errno));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)ifindex;
	if (bind(w->fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("bind to %s in %s: %s", w->dev, w->ns, strerror(errno));
}

/* read what watch @w captured; returns the pieces newly seen */
static unsigned int drain(int wi, uint32_t run, unsigned int n_dgrams)
{
	static const uint32_t magic = TAG_MAGIC;
	unsigned char buf[2048];
	unsigned int fresh = 0;

	for (;;) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		const unsigned char *p;
		struct tag t;
		ssize_t n;

		n = recvfrom(watches[wi].fd, buf, sizeof(buf), 0,
			     (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return fresh;
			die("recv on %s: %s", watches[wi].dev, strerror(errno));
		}
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		p = memmem(buf, (size_t)n, &magic, sizeof(magic));
		if (!p || (size_t)(buf + n - p) < sizeof(t))
			continue;
		memcpy(&t, p, sizeof(t));
		if (t.run != run || t.seq >= n_dgrams || t.piece > 1)
			continue;
		if (!seen[t.seq][t.piece])
			fresh++;
		seen[t.seq][t.piece] |= 1u << wi;
	}
}

static void add_to_addr(int family, void *addr, unsigned int k)
{
	if (family == AF_INET) {
		struct in_addr *a = addr;

		a->s_addr = htonl(ntohl(a->s_addr) + k);
	} else {
		struct in6_addr *a = addr;
		int i;

		for (i = 15; i >= 0 && k; i--) {
			unsigned int s = a->s6_addr[i] + (k & 0xff);

			a->s6_addr[i] = (uint8_t)s;
			k = (k >> 8) + (s >> 8);
		}
	}
}

static void where(unsigned int mask, char *out, size_t room)
{
	size_t len = 0;
	int i;

	if (!mask) {
		snprintf(out, room, "-");
		return;
	}
	out[0] = '\0';
	for (i = 0; i < n_watch; i++) {
		if (!(mask & (1u << i)))
			continue;
		len += (size_t)snprintf(out + len, room - len, "%s%s",
					len ? "+" : "", watches[i].dev);
		if (len >= room)
			break;
	}
}

int main(int argc, char **argv)
{
	const char *ns = NULL, *src_s = NULL, *dst_s = NULL;
	long ndst = 1, flows = 1, sport = 10000, dport = 9, timeout = 2000;
	int protos[MAX_PROTOS] = { IPPROTO_UDP }, n_protos = 1, family, fd, i, frag = 0;
	union addr src, dst0;
	unsigned int n_dgrams, want, got = 0, seq;
	uint32_t run;
	int64_t deadline;

	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v;

		if (!strcmp(o, "--frag")) {
			frag = 1;
			continue;
		}
		v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			usage_err("%s needs a value", o);
		i++;
		if (!strcmp(o, "--ns")) {
			ns = v;
		} else if (!strcmp(o, "--watch")) {
			const char *colon = strrchr(v, ':');
			struct watch *w;

			if (n_watch == MAX_WATCH)
				usage_err("at most %d --watch", MAX_WATCH);
			if (!colon || colon == v || !colon[1] ||
			    (size_t)(colon - v) >= sizeof(w->ns) ||
			    strlen(colon + 1) >= IFNAMSIZ)
				usage_err("--watch needs NS:DEV, not \"%s\"", v);
			w = &watches[n_watch++];
			snprintf(w->ns, sizeof(w->ns), "%.*s", (int)(colon - v), v);
			snprintf(w->dev, sizeof(w->dev), "%s", colon + 1);
		} else if (!strcmp(o, "--src")) {
			src_s = v;
		} else if (!strcmp(o, "--dst")) {
			dst_s = v;
		} else if (!strcmp(o, "--ndst")) {
			ndst = num(o, v, 1, MAX_DST);
		} else if (!strcmp(o, "--proto")) {
			char list[64], *tok, *save = NULL;

			if (strlen(v) >= sizeof(list))
				usage_err("--proto \"%s\" is too long", v);
			snprintf(list, sizeof(list), "%s", v);
			n_protos = 0;
			for (tok = strtok_r(list, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if (n_protos == MAX_PROTOS)
					usage_err("at most %d protocols", MAX_PROTOS);
				protos[n_protos++] = proto_num(tok);
			}
			if (!n_protos)
				usage_err("--proto needs a protocol");
		} else if (!strcmp(o, "--flows")) {
			flows = num(o, v, 1, MAX_FLOWS);
		} else if (!strcmp(o, "--sport")) {
			sport = num(o, v, 0, 65535);
		} else if (!strcmp(o, "--dport")) {
			dport = num(o, v, 0, 65535);
		} else if (!strcmp(o, "--timeout")) {
			timeout = num(o, v, 1, 600000);
		} else {
			usage_err("unknown option %s", o);
		}
	}
	if (!ns || !src_s || !dst_s || !n_watch)
		usage_err("--ns, --watch, --src and --dst are required");
	if (inet_pton(AF_INET, dst_s, &dst0.v4) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, dst_s, &dst0.v6) == 1)
		family = AF_INET6;
	else
		usage_err("--dst %s is not an IP address", dst_s);
	if (inet_pton(family, src_s, &src) != 1)
		usage_err("--src %s is not an %s address", src_s,
			  family == AF_INET ? "IPv4" : "IPv6");
	for (i = 0; i < n_protos; i++)
		if (protos[i] < 0)
			protos[i] = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	if (sport + flows - 1 > 65535)
		usage_err("--sport + --flows - 1 must be at most 65535");
	if (n_protos * ndst * flows > MAX_DGRAMS)
		usage_err("protocols x --ndst x --flows must be at most %d", MAX_DGRAMS);
	n_dgrams = (unsigned int)(n_protos * ndst * flows);
	want = n_dgrams * (frag ? 2 : 1);

	for (i = 0; i < n_watch; i++)
		open_watch(&watches[i]);
	enter_netns(ns);
	fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0)
		die("raw socket in %s: %s", ns, strerror(errno));
	run = (uint32_t)getpid() ^ (uint32_t)now_ns();

	for (seq = 0; seq < n_dgrams; seq++) {
		unsigned int per = (unsigned int)(ndst * flows);
		int proto = protos[seq / per];
		unsigned int d = seq % per / (unsigned int)flows, f = seq % (unsigned int)flows;
		unsigned int hl = l4_len(proto), first = (hl + sizeof(struct tag) + 7) & ~7u;
		unsigned char pkt[256];
		union { struct sockaddr_in v4; struct sockaddr_in6 v6; } sa;
		int piece, pieces = frag ? 2 : 1;

		memset(&sa, 0, sizeof(sa));
		if (family == AF_INET) {
			sa.v4.sin_family = AF_INET;
			sa.v4.sin_addr = dst0.v4;
			add_to_addr(AF_INET, &sa.v4.sin_addr, d);
		} else {
			sa.v6.sin6_family = AF_INET6;
			sa.v6.sin6_addr = dst0.v6;
			add_to_addr(AF_INET6, &sa.v6.sin6_addr, d);
		}
		for (piece = 0; piece < pieces; piece++) {
			struct tag t = { TAG_MAGIC, run, seq, (uint8_t)piece, { 0 } };
			unsigned int ip_len = family == AF_INET ? 20 : 40 + (frag ? 8 : 0);
			unsigned char *l4 = pkt + ip_len;
			unsigned int len;
			uint16_t id = (uint16_t)(seq + 1);

			memset(pkt, 0, sizeof(pkt));
			if (piece == 0) {
				uint16_t ports[2] = { htons((uint16_t)(sport + f)),
						      htons((uint16_t)dport) };

				memcpy(l4, ports, sizeof(ports));
				if (proto == IPPROTO_TCP) {
					l4[12] = 5 << 4;	/* data offset */
					l4[13] = 0x02;		/* SYN */
				} else if (proto == IPPROTO_UDP ||
					   proto == IPPROTO_UDPLITE) {
					/* UDP: length; UDP-Lite: coverage (all) */
					uint16_t ulen = htons(proto == IPPROTO_UDP ?
							      (uint16_t)(frag ? first + sizeof(t) : hl + sizeof(t)) : 0);

					memcpy(l4 + 4, &ulen, sizeof(ulen));
				}
				memcpy(l4 + hl, &t, sizeof(t));
				len = frag ? first : hl + (unsigned int)sizeof(t);
			} else {
				memcpy(l4, &t, sizeof(t));
				len = sizeof(t);
			}
			if (family == AF_INET) {
				uint16_t off = 0, tot = htons((uint16_t)(20 + len));
				uint32_t sa4 = src.v4.s_addr, da4 = sa.v4.sin_addr.s_addr;

				if (frag)
					off = htons(piece ? (uint16_t)(first / 8) : 0x2000);
				pkt[0] = 0x45;
				memcpy(pkt + 2, &tot, 2);
				id = htons(id);
				memcpy(pkt + 4, &id, 2);
				memcpy(pkt + 6, &off, 2);
				pkt[8] = 64;
				pkt[9] = (uint8_t)proto;
				memcpy(pkt + 12, &sa4, 4);
				memcpy(pkt + 16, &da4, 4);
			} else {
				uint16_t plen = htons((uint16_t)(ip_len - 40 + len));

				pkt[0] = 0x60;
				memcpy(pkt + 4, &plen, 2);
				pkt[6] = frag ? 44 : (uint8_t)proto;
				pkt[7] = 64;
				memcpy(pkt + 8, &src.v6, 16);
				memcpy(pkt + 24, &sa.v6.sin6_addr, 16);
				if (frag) {
					uint16_t off = htons(piece ? (uint16_t)first : 1);
					uint32_t ident = htonl(run ^ seq);

					pkt[40] = (uint8_t)proto;
					memcpy(pkt + 42, &off, 2);
					memcpy(pkt + 44, &ident, 4);
				}
			}
			if (sendto(fd, pkt, ip_len + len, 0, (struct sockaddr *)&sa,
				   family == AF_INET ? sizeof(sa.v4) : sizeof(sa.v6)) < 0)
				die("send %u/%d: %s", seq, piece, strerror(errno));
		}
		/* let the softirqs keep up: no backlog overflows */
		if (seq % 16 == 15) {
			struct timespec ts = { 0, 200000 };

			nanosleep(&ts, NULL);
			for (i = 0; i < n_watch; i++)
				got += drain(i, run, n_dgrams);
		}
	}

	deadline = now_ns() + (int64_t)timeout * 1000000;
	for (;;) {
		struct pollfd pfd[MAX_WATCH];
		int64_t left;

		for (i = 0; i < n_watch; i++)
			got += drain(i, run, n_dgrams);
		left = (deadline - now_ns()) / 1000000;
		if (got >= want || left <= 0)
			break;
		for (i = 0; i < n_watch; i++) {
			pfd[i].fd = watches[i].fd;
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)n_watch, (int)left) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
	}

	for (seq = 0; seq < n_dgrams; seq++) {
		unsigned int per = (unsigned int)(ndst * flows);
		int proto = protos[seq / per];
		unsigned int d = seq % per / (unsigned int)flows, f = seq % (unsigned int)flows;
		char addr[INET6_ADDRSTRLEN], w0[128], w1[128];
		union addr a = dst0;

		add_to_addr(family, &a, d);
		inet_ntop(family, &a, addr, sizeof(addr));
		where(seen[seq][0], w0, sizeof(w0));
		if (frag) {
			where(seen[seq][1], w1, sizeof(w1));
			printf("%s %d %ld %ld %s/%s\n", addr, proto, sport + f,
			       dport, w0, w1);
		} else {
			printf("%s %d %ld %ld %s\n", addr, proto, sport + f,
			       dport, w0);
		}
	}
	return 0;
}
