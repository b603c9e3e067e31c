// SPDX-License-Identifier: GPL-2.0
/*
 * Selftest helper: forge ICMP/ICMPv6 echo replies to the echo requests a
 * device sends, and inject them from other namespaces, to prove that a
 * health check only counts replies that really answer its probes; or,
 * with no --inject-ns, count the echo requests leaving a device (or every
 * device of a namespace) over a time window timed by this process, and
 * how far each one is from a grid of the monotonic clock. One process
 * does everything: it enters each network namespace itself (setns) and
 * keeps a socket in each.
 *
 *   forge_echo --sniff-ns NS --sniff-dev DEV --inject-ns NS2[:DEV2]
 *              [--inject-ns NS3[:DEV3] ...] --count N [--timeout SEC]
 *              [--mangle MODE[,MODE...]] [--ready FILE] [--verbose]
 *   forge_echo --sniff-ns NS --sniff-dev DEV|any [--count N]
 *              [--timeout SEC] [--grid MS] [--ready FILE]
 *
 *   --sniff-ns NS     namespace of the device to watch (a name in
 *                     /run/netns, or a path containing '/')
 *   --sniff-dev DEV   the device (e.g. xfrm1): an AF_PACKET SOCK_DGRAM
 *                     socket bound to it sees the packets leaving it
 *                     (sll_pkttype PACKET_OUTGOING) without a link header,
 *                     so L3 devices (xfrm, ipip, ...) and Ethernet both work;
 *                     "any": every device of the namespace
 *   --inject-ns NS[:DEV]
 *                     where to inject every forged reply from (0 to 16, a
 *                     namespace name must not contain ':'). The reply goes
 *                     out of a raw socket with the IP header included
 *                     (IPPROTO_RAW: IP_HDRINCL / IPv6 hdrincl, so the forged
 *                     source needs no local address, no IP_FREEBIND and no
 *                     IPV6_TRANSPARENT) and the kernel of NS routes it by
 *                     its destination, the request's source address. So NS
 *                     needs a route to that address towards the gateway
 *                     (a default route via the gateway is enough, or a
 *                     route through the probed tunnel's far end, which
 *                     puts the reply into that tunnel). With
 *                     ":DEV" the socket is bound to DEV (SO_BINDTODEVICE):
 *                     IPv4 then goes out of DEV even without a route (the
 *                     kernel assumes an on-link destination and ARPs for
 *                     it, which the gateway answers for any of its
 *                     addresses), IPv6 still needs a route through DEV
 *                     (e.g. via the gateway's link-local address on it).
 *                     Without any --inject-ns nothing is forged: the
 *                     requests are only counted (count mode, below).
 *   --count N         stop after capturing N echo requests (1-1000000);
 *                     required with --inject-ns
 *   --timeout SEC     stop after SEC seconds at the latest (default 10,
 *                     fractional allowed); in count mode, the window
 *   --mangle MODES    how to spoil the replies, one MODE per captured
 *                     request in turn, round robin (default "none"):
 *                       none    the exact reply
 *                       id      the echo identifier inverted
 *                       src     the reply's source (the request's
 *                               destination) with bit 1 of its last
 *                               byte flipped: not the probed address
 *                       dst     the reply's destination (the request's
 *                               source) likewise
 *                       cookie  the first 8 bytes of the echo data (the
 *                               prober's cookie) replaced by those of the
 *                               previous request of the same family, a
 *                               replay; for the first request, inverted
 *   --grid MS         count mode: also report how late each request was
 *                     after the last multiple of MS ms on CLOCK_MONOTONIC
 *                     (1-60000)
 *   --silence MS      count mode: also report the time in gaps longer
 *                     than MS ms (1-60000) between counted requests (and
 *                     the window's ends): when nothing was sent, such as
 *                     a stalled guest's
 *   --ready FILE      created once every socket is set up
 *   --verbose         one line per forged reply on stderr
 *
 * Echo requests: IPv4 ICMP type 8 code 0 (unfragmented, options allowed),
 * IPv6 ICMPv6 type 128 code 0 (after hop-by-hop, routing and destination
 * options headers; fragments are ignored). The reply is a plain IPv4
 * (no options) or IPv6 (no extension headers) packet with source and
 * destination swapped, the request's TOS / traffic class, TTL / hop limit
 * 64, type 0 / 129 with the same identifier, sequence number and payload,
 * and correct IP header, ICMP and ICMPv6 checksums, then mangled as asked
 * (the checksums stay correct).
 *
 * Output, one "key value..." per line, in this order:
 *   captured N        echo requests captured (IPv4 + IPv6)
 *   captured_v4 N
 *   captured_v6 N
 *   injected N        forged replies sent, all inject namespaces together
 *   injected NS N     per --inject-ns, NS exactly as given (":DEV" too)
 *   inject_errors N   sends that failed (each is also reported on stderr)
 *   ignored N         other packets leaving DEV
 *   mangled MODE N    per --mangle MODE: requests answered that way (each
 *                     reply injected once per --inject-ns)
 * and in count mode:
 *   window_ms X.X     the window: requests are counted by their capture
 *                     time (the kernel's timestamp, CLOCK_REALTIME), from
 *                     just after the socket was bound to the end of
 *                     --timeout, both read by this process
 *   untimed N         requests that came without a timestamp (counted
 *                     by the time they were read)
 *   grid_late_p50_ms X.X, grid_late_p90_ms X.X, grid_late_max_ms X.X
 *                     with --grid: the median, 90th percentile and
 *                     largest time past the last grid point of the
 *                     counted requests
 *   silent_ms X.X     with --silence: the sum of those gaps
 *
 * Exit status: 0 if at least one request was captured and every injection
 * succeeded, 2 if no request was captured, 1 on an error (an injection
 * failed, a socket could not be set up) and on usage errors.
 * SIGINT/SIGTERM stop early; the counts are still printed.
 */
#define _GNU_SOURCE
#define HELPER_NAME "forge_echo"
#define HELPER_USAGE HELPER_NAME " --sniff-ns NS --sniff-dev DEV --inject-ns NS[:DEV]\n" \
	"         [--inject-ns NS[:DEV] ...] --count N [--timeout SEC]\n" \
	"         [--mangle MODE[,MODE...]] [--ready FILE] [--verbose]\n" \
	"       " HELPER_NAME " --sniff-ns NS --sniff-dev DEV|any [--count N]\n" \
	"         [--timeout SEC] [--grid MS] [--silence MS] [--ready FILE]"
#define HELPER_USAGE_EXIT 1
#include "helper.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAX_INJ		16
#define PKT_MAX		65536

static volatile sig_atomic_t stop_req;

static void on_signal(int sig)
{
	(void)sig;
	stop_req = 1;
}

/* ones' complement sum, to be folded by csum_fold() */
static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

struct inj {
	const char *arg;	/* as given */
	char ns[PATH_MAX];
	const char *dev;	/* or NULL */
	unsigned int ifindex;
	int fd4, fd6;
	unsigned long sent;
};

enum mangle { M_NONE, M_ID, M_SRC, M_DST, M_COOKIE, M_NMODES };
static const char *const mangle_names[M_NMODES] = {
	"none", "id", "src", "dst", "cookie"
};
#define MAX_MANGLE	16
#define COOKIE_LEN	8

static struct inj injs[MAX_INJ];
static int ninj;
static unsigned long inject_errors;
static int verbose;

static void inject(const uint8_t *pkt, size_t len, int v6)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int i;

	memset(&ss, 0, sizeof(ss));
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, pkt + 24, 16);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, pkt + 16, 4);
		sl = sizeof(*s4);
	}
	for (i = 0; i < ninj; i++) {
		struct inj *in = &injs[i];

		if (v6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			s6->sin6_scope_id =
				IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr) ?
				in->ifindex : 0;
		}
		if (sendto(v6 ? in->fd6 : in->fd4, pkt, len, 0,
			   (struct sockaddr *)&ss, sl) < 0) {
			char a[INET6_ADDRSTRLEN];

			inject_errors++;
			inet_ntop(v6 ? AF_INET6 : AF_INET,
				  v6 ? (const void *)(pkt + 24) :
				       (const void *)(pkt + 16), a, sizeof(a));
			fprintf(stderr, "%s: inject from %s to %s: %s\n", HELPER_NAME,
				in->arg, a, strerror(errno));
			continue;
		}
		in->sent++;
	}
}

static void report(const uint8_t *pkt, int v6, const uint8_t *icmp)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	int af = v6 ? AF_INET6 : AF_INET;

	if (!verbose)
		return;
	inet_ntop(af, pkt + (v6 ? 8 : 12), s, sizeof(s));
	inet_ntop(af, pkt + (v6 ? 24 : 16), d, sizeof(d));
	fprintf(stderr, "%s: forged %s echo reply %s > %s id %u seq %u\n",
		HELPER_NAME, v6 ? "ICMPv6" : "ICMP", s, d,
		icmp[4] << 8 | icmp[5], icmp[6] << 8 | icmp[7]);
}

/* an IPv4 echo request in P (LEN bytes) -> reply in OUT; its length or 0 */
static size_t forge4(const uint8_t *p, size_t len, uint8_t *out)
{
	static uint16_t ip_id = 1;
	size_t ihl, tot, ilen;
	uint16_t frag, v;

	if (len < 20 || p[0] >> 4 != 4)
		return 0;
	ihl = (size_t)(p[0] & 0xf) * 4;
	tot = (size_t)p[2] << 8 | p[3];
	frag = (uint16_t)(p[6] << 8 | p[7]);
	if (ihl < 20 || tot < ihl + 8 || tot > len || p[9] != IPPROTO_ICMP ||
	    (frag & 0x3fff))
		return 0;
	if (p[ihl] != 8 || p[ihl + 1] != 0)
		return 0;
	ilen = tot - ihl;
	if (20 + ilen > 65535)
		return 0;

	memset(out, 0, 20);
	out[0] = 0x45;
	out[1] = p[1];
	v = htons((uint16_t)(20 + ilen));
	memcpy(out + 2, &v, 2);
	v = htons(ip_id++);
	memcpy(out + 4, &v, 2);
	out[8] = 64;
	out[9] = IPPROTO_ICMP;
	memcpy(out + 12, p + 16, 4);	/* src = request's dst */
	memcpy(out + 16, p + 12, 4);	/* dst = request's src */
	v = csum_fold(csum_add(0, out, 20));
	memcpy(out + 10, &v, 2);

	memcpy(out + 20, p + ihl, ilen);
	out[20] = 0;			/* echo reply */
	out[21] = 0;
	out[22] = out[23] = 0;
	v = csum_fold(csum_add(0, out + 20, ilen));
	memcpy(out + 22, &v, 2);
	return 20 + ilen;
}

/* the ICMPv6 checksum (with its pseudo header) of an IPv6 reply */
static void fix6(uint8_t *out, size_t len)
{
	size_t ilen = len - 40;
	uint32_t sum, w;
	uint16_t v;

	out[42] = out[43] = 0;
	sum = csum_add(0, out + 8, 32);
	w = htonl((uint32_t)ilen);
	sum = csum_add(sum, &w, 4);
	w = htonl(IPPROTO_ICMPV6);
	sum = csum_add(sum, &w, 4);
	sum = csum_add(sum, out + 40, ilen);
	v = csum_fold(sum);
	memcpy(out + 42, &v, 2);
}

/* an IPv6 echo request in P (LEN bytes) -> reply in OUT; its length or 0 */
static size_t forge6(const uint8_t *p, size_t len, uint8_t *out)
{
	size_t plen, off = 40, ilen;
	uint8_t nh;
	uint16_t v;

	if (len < 40 || p[0] >> 4 != 6)
		return 0;
	plen = (size_t)p[4] << 8 | p[5];
	if (!plen || 40 + plen > len)
		return 0;
	len = 40 + plen;
	nh = p[6];
	while (nh == 0 || nh == 43 || nh == 60) {	/* HBH, RH, DSTOPTS */
		if (off + 8 > len)
			return 0;
		nh = p[off];
		off += ((size_t)p[off + 1] + 1) * 8;
	}
	if (nh != IPPROTO_ICMPV6 || off + 8 > len)
		return 0;
	if (p[off] != 128 || p[off + 1] != 0)
		return 0;
	ilen = len - off;

	memset(out, 0, 40);
	/* version 6, the request's traffic class, flow label 0 */
	out[0] = (uint8_t)(0x60 | (p[0] & 0x0f));
	out[1] = p[1] & 0xf0;
	v = htons((uint16_t)ilen);
	memcpy(out + 4, &v, 2);
	out[6] = IPPROTO_ICMPV6;
	out[7] = 64;
	memcpy(out + 8, p + 24, 16);	/* src = request's dst */
	memcpy(out + 24, p + 8, 16);	/* dst = request's src */

	memcpy(out + 40, p + off, ilen);
	out[40] = 129;			/* echo reply */
	out[41] = 0;
	fix6(out, 40 + ilen);
	return 40 + ilen;
}

/* recompute the checksums of a reply built by forge4() */
static void fix4(uint8_t *out, size_t len)
{
	uint16_t v;

	out[10] = out[11] = 0;
	v = csum_fold(csum_add(0, out, 20));
	memcpy(out + 10, &v, 2);
	out[22] = out[23] = 0;
	v = csum_fold(csum_add(0, out + 20, len - 20));
	memcpy(out + 22, &v, 2);
}


/*
 * spoil the reply OUT (LEN bytes) as MODE says; the cookie of the
 * previous request of this family is in PREV (HAVE_PREV), and this
 * request's goes there
 */
static void mangle(uint8_t *out, size_t len, int v6, enum mangle mode,
		   uint8_t *prev, int *have_prev)
{
	size_t l3 = v6 ? 40 : 20, alen = v6 ? 16 : 4;
	uint8_t *icmp = out + l3, *data = icmp + 8;
	uint8_t cur[COOKIE_LEN] = { 0 };
	int has_cookie = len >= l3 + 8 + COOKIE_LEN;
	int i;

	if (has_cookie)
		memcpy(cur, data, COOKIE_LEN);
	switch (mode) {
	case M_ID:
		icmp[4] ^= 0xff;
		icmp[5] ^= 0xff;
		break;
	case M_SRC:
		out[(v6 ? 8 : 12) + alen - 1] ^= 0x02;
		break;
	case M_DST:
		out[(v6 ? 24 : 16) + alen - 1] ^= 0x02;
		break;
	case M_COOKIE:
		if (!has_cookie)
			break;
		if (*have_prev)
			memcpy(data, prev, COOKIE_LEN);
		else
			for (i = 0; i < COOKIE_LEN; i++)
				data[i] ^= 0xff;
		break;
	default:
		break;
	}
	if (has_cookie) {
		memcpy(prev, cur, COOKIE_LEN);
		*have_prev = 1;
	}
	if (v6)
		fix6(out, len);
	else
		fix4(out, len);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	const char *sniff_ns = NULL, *sniff_dev = NULL, *ready = NULL;
	unsigned long captured4 = 0, captured6 = 0, ignored = 0, total = 0;
	unsigned long mangled[M_NMODES] = { 0 }, untimed = 0;
	long count = -1, grid_ms = 0, silence_ms = 0;
	double timeout = 10;
	static uint8_t pkt[PKT_MAX], out[PKT_MAX];
	uint8_t prev_cookie[2][COOKIE_LEN];
	int have_prev[2] = { 0, 0 };
	enum mangle modes[MAX_MANGLE] = { M_NONE };
	int nmodes = 1, next_mode = 0, count_mode;
	int64_t *late = NULL, *stamps = NULL, t0_real = 0, t1_real = 0, mono_off = 0;
	size_t nlate = 0, late_cap = 0, nstamps = 0, stamps_cap = 0;
	struct sockaddr_ll sll;
	struct sigaction sa;
	unsigned int sniff_ifindex;
	int64_t deadline;
	int i, sfd, one = 1;

	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v;
		char *end;

		if (!strcmp(o, "--verbose") || !strcmp(o, "-v")) {
			verbose = 1;
			continue;
		}
		if (!strcmp(o, "-h") || !strcmp(o, "--help"))
			usage_err("see the header of forge_echo.c");
		if (i + 1 >= argc)
			usage_err("%s needs a value", o);
		v = argv[++i];
		if (!strcmp(o, "--sniff-ns")) {
			sniff_ns = v;
		} else if (!strcmp(o, "--sniff-dev")) {
			sniff_dev = v;
		} else if (!strcmp(o, "--inject-ns")) {
			struct inj *in;
			const char *c = strchr(v, ':');
			size_t nl = c ? (size_t)(c - v) : strlen(v);

			if (ninj == MAX_INJ)
				usage_err("at most %d --inject-ns", MAX_INJ);
			in = &injs[ninj++];
			in->arg = v;
			if (!nl || nl >= sizeof(in->ns) || (c && !c[1]))
				usage_err("--inject-ns: bad \"%s\"", v);
			memcpy(in->ns, v, nl);
			in->ns[nl] = 0;
			in->dev = c ? c + 1 : NULL;
			if (in->dev && strlen(in->dev) >= IFNAMSIZ)
				usage_err("--inject-ns: device name too long in \"%s\"",
					  v);
		} else if (!strcmp(o, "--count")) {
			errno = 0;
			count = strtol(v, &end, 10);
			if (errno || end == v || *end || count < 1 ||
			    count > 1000000)
				usage_err("--count: \"%s\" is not in 1..1000000",
					  v);
		} else if (!strcmp(o, "--timeout")) {
			errno = 0;
			timeout = strtod(v, &end);
			if (errno || end == v || *end ||
			    !(timeout > 0 && timeout <= 86400))
				usage_err("--timeout: \"%s\" is not in (0, 86400]",
					  v);
		} else if (!strcmp(o, "--grid")) {
			errno = 0;
			grid_ms = strtol(v, &end, 10);
			if (errno || end == v || *end || grid_ms < 1 ||
			    grid_ms > 60000)
				usage_err("--grid: \"%s\" is not in 1..60000", v);
		} else if (!strcmp(o, "--silence")) {
			errno = 0;
			silence_ms = strtol(v, &end, 10);
			if (errno || end == v || *end || silence_ms < 1 ||
			    silence_ms > 60000)
				usage_err("--silence: \"%s\" is not in 1..60000", v);
		} else if (!strcmp(o, "--mangle")) {
			char buf[256], *tok, *save = NULL;

			if (strlen(v) >= sizeof(buf))
				usage_err("--mangle: too long");
			strcpy(buf, v);
			nmodes = 0;
			for (tok = strtok_r(buf, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				int m;

				for (m = 0; m < M_NMODES; m++)
					if (!strcmp(tok, mangle_names[m]))
						break;
				if (m == M_NMODES)
					usage_err("--mangle: \"%s\" is not one of none, id, src, dst, cookie",
						  tok);
				if (nmodes == MAX_MANGLE)
					usage_err("--mangle: at most %d modes",
						  MAX_MANGLE);
				modes[nmodes++] = (enum mangle)m;
			}
			if (!nmodes)
				usage_err("--mangle: no mode given");
		} else if (!strcmp(o, "--ready")) {
			ready = v;
		} else {
			usage_err("unknown option %s", o);
		}
	}
	count_mode = !ninj;
	if (!sniff_ns || !sniff_dev || (!count_mode && count < 0))
		usage_err("--sniff-ns, --sniff-dev, and --inject-ns with --count are required");
	if (strlen(sniff_dev) >= IFNAMSIZ)
		usage_err("--sniff-dev: name too long");
	if ((grid_ms || silence_ms) && !count_mode)
		usage_err("--grid and --silence are for count mode (no --inject-ns)");
	if (count < 0)
		count = LONG_MAX;

	/* injectors first, the sniffer last: nothing is queued before we look */
	for (i = 0; i < ninj; i++) {
		struct inj *in = &injs[i];

		enter_netns(in->ns);
		in->fd4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
		in->fd6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
		if (in->fd4 < 0 || in->fd6 < 0)
			die("netns %s: raw socket: %s", in->ns, strerror(errno));
		if (in->dev) {
			in->ifindex = if_nametoindex(in->dev);
			if (!in->ifindex)
				die("netns %s: no device %s", in->ns, in->dev);
			if (setsockopt(in->fd4, SOL_SOCKET, SO_BINDTODEVICE,
				       in->dev, strlen(in->dev)) < 0 ||
			    setsockopt(in->fd6, SOL_SOCKET, SO_BINDTODEVICE,
				       in->dev, strlen(in->dev)) < 0)
				die("netns %s: SO_BINDTODEVICE %s: %s", in->ns,
				    in->dev, strerror(errno));
		}
	}

	enter_netns(sniff_ns);
	if (!strcmp(sniff_dev, "any")) {
		sniff_ifindex = 0;
	} else {
		sniff_ifindex = if_nametoindex(sniff_dev);
		if (!sniff_ifindex)
			die("netns %s: no device %s", sniff_ns, sniff_dev);
	}
	/* protocol 0: receives nothing until bound to the device */
	sfd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sfd < 0)
		die("netns %s: packet socket: %s", sniff_ns, strerror(errno));
	{
		int buf = 4 << 20;

		setsockopt(sfd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	}
	if (setsockopt(sfd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0)
		die("SO_TIMESTAMPNS: %s", strerror(errno));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)sniff_ifindex;
	if (bind(sfd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("netns %s: bind to %s: %s", sniff_ns, sniff_dev,
		    strerror(errno));
	/* the window starts now: everything sent from here on is queued */
	t0_real = real_ns();
	mono_off = t0_real - now_ns();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: wake poll */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (ready) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (fd < 0)
			die("cannot create %s: %s", ready, strerror(errno));
		close(fd);
	}

	deadline = now_ns() + (int64_t)(timeout * 1e9);
	t1_real = t0_real + (int64_t)(timeout * 1e9);
	for (;;) {
		struct pollfd pfd = { .fd = sfd, .events = POLLIN };
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(sizeof(struct timespec))];
		} cbuf;
		struct sockaddr_ll from;
		struct iovec iov = { .iov_base = pkt, .iov_len = sizeof(pkt) };
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = &cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct cmsghdr *cm;
		int64_t left = deadline - now_ns(), ts = -1;
		int draining = left <= 0 || stop_req;
		size_t olen;
		ssize_t n;
		int v6, r;

		if ((long)(captured4 + captured6) >= count)
			break;
		if (draining && !count_mode)
			break;
		if (!draining) {
			r = poll(&pfd, 1, (int)((left + 999999) / 1000000));
			if (r < 0) {
				if (errno == EINTR)
					continue;
				die("poll: %s", strerror(errno));
			}
			if (r == 0)
				continue;
		}
		/* count mode past the deadline: what is queued, then stop */
		n = recvmsg(sfd, &mh, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (draining)
					break;
				continue;
			}
			if (errno == EINTR)
				continue;
			if (errno == ENETDOWN) {	/* device went down */
				ignored++;
				continue;
			}
			die("recv on %s: %s", sniff_dev, strerror(errno));
		}
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec t;

				memcpy(&t, CMSG_DATA(cm), sizeof(t));
				ts = (int64_t)t.tv_sec * 1000000000ll + t.tv_nsec;
			}
		if (from.sll_pkttype != PACKET_OUTGOING ||
		    (size_t)n > sizeof(pkt) || n < 1) {
			ignored++;
			continue;
		}
		v6 = pkt[0] >> 4 == 6;
		olen = v6 ? forge6(pkt, n, out) : forge4(pkt, n, out);
		if (!olen) {
			ignored++;
			continue;
		}
		if (count_mode) {
			if (ts < 0) {
				untimed++;
				ts = real_ns();
			}
			if (ts < t0_real || ts > t1_real)
				continue;	/* outside the window */
			if (silence_ms) {
				if (nstamps == stamps_cap) {
					stamps_cap = stamps_cap ? 2 * stamps_cap : 4096;
					stamps = realloc(stamps, stamps_cap * sizeof(*stamps));
					if (!stamps)
						die("out of memory");
				}
				stamps[nstamps++] = ts;
			}
			if (grid_ms) {
				if (nlate == late_cap) {
					late_cap = late_cap ? 2 * late_cap : 4096;
					late = realloc(late, late_cap * sizeof(*late));
					if (!late)
						die("out of memory");
				}
				late[nlate++] = (ts - mono_off) %
						(grid_ms * 1000000ll);
			}
		}
		if (v6)
			captured6++;
		else
			captured4++;
		if (count_mode)
			continue;
		{
			enum mangle m = modes[next_mode];

			next_mode = (next_mode + 1) % nmodes;
			mangle(out, olen, v6, m, prev_cookie[v6], &have_prev[v6]);
			mangled[m]++;
		}
		report(out, v6, out + (v6 ? 40 : 20));
		inject(out, olen, v6);
	}

	for (i = 0; i < ninj; i++)
		total += injs[i].sent;
	printf("captured %lu\n", captured4 + captured6);
	printf("captured_v4 %lu\n", captured4);
	printf("captured_v6 %lu\n", captured6);
	printf("injected %lu\n", total);
	for (i = 0; i < ninj; i++)
		printf("injected %s %lu\n", injs[i].arg, injs[i].sent);
	printf("inject_errors %lu\n", inject_errors);
	printf("ignored %lu\n", ignored);
	if (!count_mode) {
		for (i = 0; i < M_NMODES; i++) {
			int k, used = 0;

			for (k = 0; k < nmodes; k++)
				used |= modes[k] == (enum mangle)i;
			if (used)
				printf("mangled %s %lu\n", mangle_names[i],
				       mangled[i]);
		}
	} else {
		printf("window_ms %.1f\n", (t1_real - t0_real) / 1e6);
		printf("untimed %lu\n", untimed);
		if (grid_ms) {
			qsort(late, nlate, sizeof(*late), cmp_i64);
			printf("grid_late_p50_ms %.1f\n",
			       nlate ? late[nlate / 2] / 1e6 : 0.0);
			printf("grid_late_p90_ms %.1f\n",
			       nlate ? late[nlate * 9 / 10] / 1e6 : 0.0);
			printf("grid_late_max_ms %.1f\n",
			       nlate ? late[nlate - 1] / 1e6 : 0.0);
		}
		if (silence_ms) {
			int64_t prev = t0_real, silent = 0;
			size_t k;

			qsort(stamps, nstamps, sizeof(*stamps), cmp_i64);
			for (k = 0; k <= nstamps; k++) {
				int64_t t = k < nstamps ? stamps[k] : t1_real;

				if (t - prev > silence_ms * 1000000ll)
					silent += t - prev;
				prev = t;
			}
			printf("silent_ms %.1f\n", silent / 1e6);
		}
	}
	free(late);
	free(stamps);
	if (fflush(stdout) == EOF || ferror(stdout))
		die("writing the result: %s", strerror(errno));
	if (!(captured4 + captured6))
		return 2;
	return inject_errors ? 1 : 0;
}
