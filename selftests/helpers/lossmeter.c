// SPDX-License-Identifier: GPL-2.0
/*
 * Selftest helper: measure the loss window of a failover with one UDP flow.
 * One process does everything: it enters each network namespace itself
 * (setns), so a UDP socket is left behind in each receiving namespace and
 * one in the sending namespace.
 *
 *   lossmeter --tx-ns NS --dst IP --port P --rate PPS
 *             (--duration SEC | --until-file FILE [--duration SEC])
 *             --rx-ns NS1 [--rx-ns NS2 ...]
 *             [--ready FILE] [--linger MS] [--max-delay MS] [--size BYTES]
 *
 *   --tx-ns NS       namespace to send from (a name in /run/netns, or a path
 *                    containing '/', e.g. /proc/self/ns/net)
 *   --dst IP         IPv4 or IPv6 destination; the receive sockets bind to
 *                    0.0.0.0:P or [::]:P accordingly (AF_INET6, V6ONLY)
 *   --port P         UDP port (1-65535)
 *   --rate PPS       datagrams per second (1-100000), paced on absolute
 *                    CLOCK_MONOTONIC deadlines with clock_nanosleep
 *   --duration SEC   how long to send (may be fractional); with
 *                    --until-file it is the hard maximum (default 60)
 *   --until-file F   send until F exists (checked before every datagram;
 *                    it must not exist at the start)
 *   --rx-ns NS       a receiving namespace (1 to 32 of them, in order: the
 *                    receiver index is the position on the command line)
 *   --ready FILE     created once every socket is set up and the first
 *                    datagram has been sent
 *   --linger MS      wait for stragglers after the last send (default 300)
 *   --max-delay MS   later than this after its send, a datagram counts as
 *                    delayed, and as lost for gap_ms (default 100)
 *   --size BYTES     datagram payload size (24-65000, default 24)
 *
 * Each datagram carries a magic, this run's id, a 32-bit sequence number
 * and its CLOCK_MONOTONIC send time in ns; anything else arriving on the
 * port is counted as "stray" and ignored. A send that fails (no route,
 * ENOBUFS, ...) still uses up its sequence number: it counts as sent and
 * lost (and in send_errors). SIGINT/SIGTERM stop sending early; the result
 * is still printed.
 *
 * Output, one "key value..." per line, in this order (times in ms, one
 * decimal):
 *   sent N              datagrams sent (sequence numbers used, 0..N-1)
 *   received N          distinct sequence numbers received by anyone
 *   rx NS N             per receiver: distinct sequence numbers it got
 *   lost N              sent - received
 *   delayed N           received, but more than --max-delay ms (default
 *                       100) after it was sent: held somewhere (say an
 *                       ARP queue while a link was down); for gap_ms
 *                       these count as lost, as they would for a call.
 *                       The arrival time is the kernel's receive
 *                       timestamp (SO_TIMESTAMPNS), so a receiver that
 *                       was slow to read (this process not scheduled on
 *                       a loaded machine) does not make datagrams late
 *   gap_ms X.X          the longest run of consecutive sequence numbers
 *                       nobody received in time, as time: send time of the first
 *                       seq received after the run minus send time of the
 *                       last seq received before it. If the run starts at
 *                       seq 0 its first seq's send time is used instead,
 *                       if it lasts to the end the time sending stopped.
 *                       0.0 if nothing was lost.
 *   gap_first_seq S     first missing seq of that run (-1 if none)
 *   gap_last_seq S      last missing seq of that run (-1 if none)
 *   gap_len N           number of seqs in that run (0 if none)
 *   first_rx NS S       per receiver: first seq it got (-1 if none)
 *   last_rx NS S        per receiver: last (highest) seq it got (-1 if none)
 *   dup N               seqs received more than once (by one or several)
 *   reordered N         datagrams that arrived after a higher seq had
 *                       already arrived (at any receiver); duplicates are
 *                       not counted
 *   send_errors N       sends that failed
 *   stray N             datagrams that were not from this run
 *   late N              times the sender fell more than 50 ms behind its
 *                       schedule and restarted pacing from "now"
 *   elapsed_ms X.X      send time of the last datagram minus that of the
 *                       first
 *   lost_outside N      seqs nobody received, outside the longest gap
 *   delayed_outside N   seqs received late (see delayed), outside the
 *                       longest gap: with lost_outside, what the loss
 *                       window does not account for
 *   gap_from_real_ns T  the start of gap_ms (the send time of the last
 *                       seq received in time before it) on
 *                       CLOCK_REALTIME, in ns, to compare with other
 *                       clocks (0 if nothing was lost)
 *   gap_to_real_ns T    the end of gap_ms likewise
 *   untimed N           datagrams that came without a receive timestamp
 *                       (timed when read instead)
 *
 * Exit status: 0 when the measurement ran (losses are a result, not an
 * error), 1 on a setup or runtime error, 2 on a usage error.
 */
#define _GNU_SOURCE
#define HELPER_NAME "lossmeter"
#define HELPER_USAGE HELPER_NAME " --tx-ns NS --dst IP --port P --rate PPS\n" \
	"         (--duration SEC | --until-file FILE [--duration SEC])\n" \
	"         --rx-ns NS [--rx-ns NS ...] [--ready FILE] [--linger MS] [--max-delay MS]\n" \
	"         [--size BYTES]"
#include "helper.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_RX		32
#define MAX_SEQS	(4u << 20)
#define MAGIC		0x4c4d5452u	/* "LMTR" */
#define HDR_LEN		24
#define LATE_NS		50000000ll

static volatile sig_atomic_t stop_req;

static struct timespec ns_to_ts(int64_t ns)
{
	struct timespec ts;

	if (ns < 0)
		ns = 0;
	ts.tv_sec = ns / 1000000000ll;
	ts.tv_nsec = ns % 1000000000ll;
	return ts;
}

static long parse_long(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		usage_err("%s: \"%s\" is not an integer in %ld..%ld", opt, s,
			  min, max);
	return v;
}

static double parse_double(const char *opt, const char *s, double min,
			   double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= min && v <= max))
		usage_err("%s: \"%s\" is not a number in %g..%g", opt, s, min,
			  max);
	return v;
}

static void touch(const char *file)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		die("cannot create %s: %s", file, strerror(errno));
	close(fd);
}

static void on_signal(int sig)
{
	(void)sig;
	stop_req = 1;
}

struct rx {
	const char *ns;
	int fd;
	uint32_t n;		/* distinct seqs */
	int64_t first, last;	/* seqs, -1 if none */
};

/* per sequence number */
static int64_t *send_ts;	/* send time */
static uint32_t *rx_mask;	/* which receivers got it */
static uint8_t *rx_cnt;		/* how often it arrived (saturates) */
static uint8_t *rx_late;	/* its first arrival exceeded max_delay */
static int64_t max_delay = 100 * 1000000ll;

static struct rx rxs[MAX_RX];
static int nrx;
static uint32_t run_id;
static uint32_t nsent;
static int64_t max_seen = -1;
static unsigned long reordered, stray, untimed;
static unsigned char *rbuf;
static size_t rbuf_len;

/* CLOCK_REALTIME minus CLOCK_MONOTONIC: receive timestamps to send times */
static int64_t real_off;

static void drain(struct rx *r, int idx)
{
	for (;;) {
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(sizeof(struct timespec))];
		} cbuf;
		struct iovec iov = { .iov_base = rbuf, .iov_len = rbuf_len };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = &cbuf, .msg_controllen = sizeof(cbuf),
		};
		ssize_t n = recvmsg(r->fd, &mh, MSG_DONTWAIT);
		uint32_t magic, id, seq;
		struct cmsghdr *cm;
		int64_t at = -1;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			/* e.g. a queued ICMP error: not fatal */
			if (errno == ECONNREFUSED || errno == EHOSTUNREACH ||
			    errno == ENETUNREACH)
				continue;
			die("recv in %s: %s", r->ns, strerror(errno));
		}
		/* when the kernel took it in, not when we got to read it */
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec t;

				memcpy(&t, CMSG_DATA(cm), sizeof(t));
				at = (int64_t)t.tv_sec * 1000000000ll + t.tv_nsec -
				     real_off;
			}
		if (at < 0) {
			untimed++;
			at = now_ns();
		}
		if (n < HDR_LEN) {
			stray++;
			continue;
		}
		memcpy(&magic, rbuf, 4);
		memcpy(&id, rbuf + 4, 4);
		memcpy(&seq, rbuf + 8, 4);
		if (magic != MAGIC || id != run_id || seq >= nsent) {
			stray++;
			continue;
		}
		if (!rx_cnt[seq] && at - send_ts[seq] > max_delay)
			rx_late[seq] = 1;
		if (rx_cnt[seq] < UINT8_MAX)
			rx_cnt[seq]++;
		if (rx_cnt[seq] > 1) {
			/* a duplicate; still note a new receiver */
		} else if ((int64_t)seq < max_seen) {
			reordered++;
		}
		if ((int64_t)seq > max_seen)
			max_seen = seq;
		if (!(rx_mask[seq] & (1u << idx))) {
			rx_mask[seq] |= 1u << idx;
			r->n++;
			if (r->first < 0)
				r->first = seq;
			if ((int64_t)seq > r->last)
				r->last = seq;
		}
	}
}

/* wait for datagrams until the absolute time DEADLINE (or a signal) */
static void receive_until(struct pollfd *pfd, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ns();
		struct timespec ts;
		int i, n;

		if (left <= 0)
			return;
		ts = ns_to_ts(left);
		n = ppoll(pfd, nrx, &ts, NULL);
		if (n < 0) {
			if (errno == EINTR) {
				if (stop_req)
					return;
				continue;
			}
			die("ppoll: %s", strerror(errno));
		}
		if (n == 0) {
			/* ppoll may wake a little early: finish precisely */
			ts = ns_to_ts(deadline);
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
					       &ts, NULL) == EINTR && !stop_req)
				;
			return;
		}
		for (i = 0; i < nrx; i++)
			if (pfd[i].revents)
				drain(&rxs[i], i);
	}
}

int main(int argc, char **argv)
{
	const char *tx_ns = NULL, *dst_s = NULL, *ready = NULL, *until = NULL;
	long port = -1, rate = -1, linger = 300, size = HDR_LEN;
	double duration = -1;
	struct sockaddr_storage dst;
	socklen_t dst_len;
	struct pollfd pfd[MAX_RX];
	struct sigaction sa;
	unsigned long send_errors = 0, late = 0, last_err_report = 0;
	int64_t interval, next, t_end, t_stop, max_seqs;
	int family, txfd, i, ready_done = 0;
	uint32_t seq, received = 0, dup = 0, delayed = 0;
	uint32_t lost_out = 0, delayed_out = 0;
	unsigned char *sbuf;

	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v;

		if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			fprintf(stderr, "see the header of lossmeter.c\n");
			usage_err("help requested");
		}
		if (i + 1 >= argc)
			usage_err("%s needs a value", o);
		v = argv[++i];
		if (!strcmp(o, "--tx-ns"))
			tx_ns = v;
		else if (!strcmp(o, "--dst"))
			dst_s = v;
		else if (!strcmp(o, "--port"))
			port = parse_long(o, v, 1, 65535);
		else if (!strcmp(o, "--rate"))
			rate = parse_long(o, v, 1, 100000);
		else if (!strcmp(o, "--duration"))
			duration = parse_double(o, v, 0.001, 86400);
		else if (!strcmp(o, "--until-file"))
			until = v;
		else if (!strcmp(o, "--ready"))
			ready = v;
		else if (!strcmp(o, "--linger"))
			linger = parse_long(o, v, 0, 600000);
		else if (!strcmp(o, "--max-delay"))
			max_delay = parse_long(o, v, 1, 600000) * 1000000ll;
		else if (!strcmp(o, "--size"))
			size = parse_long(o, v, HDR_LEN, 65000);
		else if (!strcmp(o, "--rx-ns")) {
			if (nrx == MAX_RX)
				usage_err("at most %d --rx-ns", MAX_RX);
			rxs[nrx++].ns = v;
		} else
			usage_err("unknown option %s", o);
	}
	if (!tx_ns || !dst_s || port < 0 || rate < 0 || !nrx)
		usage_err("--tx-ns, --dst, --port, --rate and --rx-ns are required");
	if (duration < 0 && !until)
		usage_err("give --duration or --until-file");
	if (duration < 0)
		duration = 60;
	if (until && access(until, F_OK) == 0)
		usage_err("--until-file %s exists already", until);
	for (i = 0; i < nrx; i++)
		for (int j = 0; j < i; j++)
			if (!strcmp(rxs[i].ns, rxs[j].ns))
				usage_err("--rx-ns %s given twice", rxs[i].ns);

	memset(&dst, 0, sizeof(dst));
	{
		struct sockaddr_in *s4 = (struct sockaddr_in *)&dst;
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&dst;

		if (inet_pton(AF_INET, dst_s, &s4->sin_addr) == 1) {
			family = AF_INET;
			s4->sin_family = AF_INET;
			s4->sin_port = htons(port);
			dst_len = sizeof(*s4);
		} else if (inet_pton(AF_INET6, dst_s, &s6->sin6_addr) == 1) {
			family = AF_INET6;
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(port);
			dst_len = sizeof(*s6);
		} else {
			usage_err("--dst: \"%s\" is not an IPv4 or IPv6 address",
				  dst_s);
		}
	}

	interval = 1000000000ll / rate;
	max_seqs = (int64_t)(duration * rate) + 2;
	if (max_seqs > MAX_SEQS)
		usage_err("rate x duration is more than %u datagrams", MAX_SEQS);
	send_ts = calloc(max_seqs, sizeof(*send_ts));
	rx_mask = calloc(max_seqs, sizeof(*rx_mask));
	rx_cnt = calloc(max_seqs, sizeof(*rx_cnt));
	rx_late = calloc(max_seqs, sizeof(*rx_late));
	rbuf_len = 65536;
	rbuf = malloc(rbuf_len);
	sbuf = calloc(1, size);
	if (!send_ts || !rx_mask || !rx_cnt || !rx_late || !rbuf || !sbuf)
		die("out of memory");
	run_id = (uint32_t)getpid() ^ (uint32_t)now_ns();
	{
		struct timespec rt;

		clock_gettime(CLOCK_REALTIME, &rt);
		real_off = (int64_t)rt.tv_sec * 1000000000ll + rt.tv_nsec -
			   now_ns();
	}

	/* receivers: one socket per netns, bound to the wildcard address */
	for (i = 0; i < nrx; i++) {
		struct sockaddr_storage la;
		int one = 1, buf = 4 << 20, fd;

		enter_netns(rxs[i].ns);
		fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			die("netns %s: socket: %s", rxs[i].ns, strerror(errno));
		memset(&la, 0, sizeof(la));
		if (family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&la;

			s4->sin_family = AF_INET;
			s4->sin_port = htons(port);
		} else {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&la;

			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(port);
			s6->sin6_addr = in6addr_any;
			if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				       sizeof(one)) < 0)
				die("netns %s: IPV6_V6ONLY: %s", rxs[i].ns,
				    strerror(errno));
		}
		/* best effort: a bigger queue for the straggler burst */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
		if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one,
			       sizeof(one)) < 0)
			die("netns %s: SO_TIMESTAMPNS: %s", rxs[i].ns,
			    strerror(errno));
		if (bind(fd, (struct sockaddr *)&la, dst_len) < 0)
			die("netns %s: bind to UDP port %ld: %s", rxs[i].ns,
			    port, strerror(errno));
		rxs[i].fd = fd;
		rxs[i].first = rxs[i].last = -1;
		pfd[i].fd = fd;
		pfd[i].events = POLLIN;
	}

	enter_netns(tx_ns);
	txfd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (txfd < 0)
		die("netns %s: socket: %s", tx_ns, strerror(errno));

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: wake ppoll */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	next = now_ns();
	t_end = next + (int64_t)(duration * 1e9);
	for (seq = 0; seq < max_seqs && !stop_req; seq++) {
		uint32_t magic = MAGIC;
		int64_t t;

		receive_until(pfd, next);
		if (stop_req)
			break;
		t = now_ns();
		if (t >= t_end && seq > 0)
			break;
		if (until && seq > 0 && access(until, F_OK) == 0)
			break;
		if (t - next > LATE_NS) {
			/* far behind (a slow VM): do not burst to catch up */
			late++;
			next = t;
		}
		memcpy(sbuf, &magic, 4);
		memcpy(sbuf + 4, &run_id, 4);
		memcpy(sbuf + 8, &seq, 4);
		memcpy(sbuf + 16, &t, 8);
		send_ts[seq] = t;
		nsent = seq + 1;
		if (sendto(txfd, sbuf, size, 0, (struct sockaddr *)&dst,
			   dst_len) < 0) {
			send_errors++;
			/* tell, but do not flood stderr during an outage */
			if (send_errors - last_err_report >= 100 ||
			    send_errors == 1) {
				fprintf(stderr, "%s: send seq %u: %s (%lu errors)\n",
					HELPER_NAME, seq, strerror(errno), send_errors);
				last_err_report = send_errors;
			}
		}
		if (ready && !ready_done) {
			touch(ready);
			ready_done = 1;
		}
		next += interval;
	}
	t_stop = nsent ? send_ts[nsent - 1] : now_ns();

	/* stragglers */
	stop_req = 0;
	receive_until(pfd, now_ns() + linger * 1000000ll);

	/* results */
	{
		int64_t best = -1, gap_first = -1, gap_last = -1;
		int64_t last_rx = -1, gap_from = 0, gap_to = 0;

		for (seq = 0; seq < nsent; seq++) {
			if (rx_cnt[seq])
				received++;
			if (rx_cnt[seq] > 1)
				dup++;
			if (rx_late[seq])
				delayed++;
		}
		for (seq = 0; seq < nsent; ) {
			uint32_t s = seq, e;
			int64_t from, to;

			if (rx_cnt[seq] && !rx_late[seq]) {
				last_rx = seq++;
				continue;
			}
			while (seq < nsent && (!rx_cnt[seq] || rx_late[seq]))
				seq++;
			e = seq - 1;	/* run s..e */
			from = last_rx >= 0 ? send_ts[last_rx] : send_ts[s];
			to = seq < nsent ? send_ts[seq] : t_stop;
			if (to - from > best) {
				best = to - from;
				gap_first = s;
				gap_last = e;
				gap_from = from;
				gap_to = to;
			}
		}
		for (seq = 0; seq < nsent; seq++) {
			if ((int64_t)seq >= gap_first && (int64_t)seq <= gap_last)
				continue;
			if (!rx_cnt[seq])
				lost_out++;
			else if (rx_late[seq])
				delayed_out++;
		}
		printf("sent %u\n", nsent);
		printf("received %u\n", received);
		for (i = 0; i < nrx; i++)
			printf("rx %s %u\n", rxs[i].ns, rxs[i].n);
		printf("lost %u\n", nsent - received);
		printf("delayed %u\n", delayed);
		printf("gap_ms %.1f\n", best < 0 ? 0.0 : best / 1e6);
		printf("gap_first_seq %lld\n", (long long)gap_first);
		printf("gap_last_seq %lld\n", (long long)gap_last);
		printf("gap_len %lld\n",
		       (long long)(gap_first < 0 ? 0 : gap_last - gap_first + 1));
		for (i = 0; i < nrx; i++)
			printf("first_rx %s %lld\n", rxs[i].ns,
			       (long long)rxs[i].first);
		for (i = 0; i < nrx; i++)
			printf("last_rx %s %lld\n", rxs[i].ns,
			       (long long)rxs[i].last);
		printf("dup %u\n", dup);
		printf("reordered %lu\n", reordered);
		printf("send_errors %lu\n", send_errors);
		printf("stray %lu\n", stray);
		printf("late %lu\n", late);
		printf("elapsed_ms %.1f\n",
		       nsent ? (send_ts[nsent - 1] - send_ts[0]) / 1e6 : 0.0);
		printf("lost_outside %u\n", lost_out);
		printf("delayed_outside %u\n", delayed_out);
		printf("gap_from_real_ns %lld\n",
		       (long long)(best < 0 ? 0 : gap_from + real_off));
		printf("gap_to_real_ns %lld\n",
		       (long long)(best < 0 ? 0 : gap_to + real_off));
		printf("untimed %lu\n", untimed);
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		die("writing the result: %s", strerror(errno));
	for (i = 0; i < nrx; i++)
		close(rxs[i].fd);
	close(txfd);
	free(send_ts);
	free(rx_mask);
	free(rx_cnt);
	free(rx_late);
	free(rbuf);
	free(sbuf);
	return 0;
}
