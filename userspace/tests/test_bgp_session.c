// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtd's BGP session (vpnrtd/bgp_session.c) on the host's loopback:
 * the session under test runs on a real loop, the peer is faked here
 * with bgp_wire's builders on plain non-blocking sockets. Test k uses
 * 127.0.k.1 (the session) and 127.0.k.2 (the fake peer), port 179 when
 * it can be bound (root), else 1790. About 12 s, most of it the 3 s
 * hold timer, the 1.5 s of a full send queue and the MD5/GTSM waits.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bgp_session.h"
#include "bgp_wire.h"
#include "log.h"
#include "loop.h"
#include "tap.h"

#define PEER_AS		65002
#define LOCAL_AS	65001
#define ID_LOW		0x0a000001
#define ID_HIGH		0x0a0000fe
#define V4V6		(BGP_AFS(BGP_AF_IPV4) | BGP_AFS(BGP_AF_IPV6))

static struct loop *L;
static uint16_t PORT = BGP_PORT;
static FILE *LOG;

/* ---- what the callbacks saw ---- */

static struct {
	int ups, downs, updates, refreshes, writables, af_disabled;
	int eor[BGP_AF_COUNT];
	uint8_t rr_subtype;
	struct bgp_down down;
	char down_reason[BGP_SESSION_ERR_MAX];
	enum bgp_decision decision;
	bool as4;
	uint32_t first_as, path_len, last_as;
	unsigned int n_withdrawn, n_announced;
	uint32_t idle_holds[8];
	int n_idle;
} R;

static void cb_up(void *arg, struct bgp_session *s)
{
	(void)arg;
	(void)s;
	R.ups++;
}

static void cb_down(void *arg, struct bgp_session *s, const struct bgp_down *d)
{
	(void)arg;
	(void)s;
	R.downs++;
	R.down = *d;
	snprintf(R.down_reason, sizeof(R.down_reason), "%s", d->reason);
}

static void cb_state(void *arg, struct bgp_session *s, enum bgp_state from,
		     enum bgp_state to, const char *why)
{
	(void)arg;
	(void)from;
	(void)why;
	if (to == BGP_IDLE && R.n_idle < 8)
		R.idle_holds[R.n_idle++] = bgp_session_info(s)->idle_hold_ms;
}

static void cb_update(void *arg, struct bgp_session *s,
		      const struct bgp_update *u)
{
	struct bgp_attrs *a = malloc(sizeof(*a));
	struct bgp_aspath_iter it;
	struct bgp_aspath_seg seg;

	(void)arg;
	R.updates++;
	R.decision = u->decision;
	R.as4 = bgp_session_ctx(s)->as4;
	R.n_withdrawn = R.n_announced = 0;
	for (unsigned int i = 0; i < u->n_withdrawn; i++)
		R.n_withdrawn += u->withdrawn[i].count;
	for (unsigned int i = 0; i < u->n_announced; i++)
		R.n_announced += u->announced[i].count;
	if (!a || !u->n_announced) {
		free(a);
		return;
	}
	bgp_update_route_attrs(u, &u->announced[0], a);
	R.first_as = bgp_aspath_first(a);
	R.path_len = bgp_aspath_length(a);
	bgp_aspath_iter_init(&it, a);
	while (bgp_aspath_next(&it, &seg))
		R.last_as = bgp_aspath_asn(&seg, seg.count - 1);
	free(a);
}

static void cb_af_disabled(void *arg, struct bgp_session *s, enum bgp_af af,
			   const char *why)
{
	(void)arg;
	(void)s;
	(void)af;
	(void)why;
	R.af_disabled++;
}

static void cb_eor(void *arg, struct bgp_session *s, enum bgp_af af)
{
	(void)arg;
	(void)s;
	R.eor[af]++;
}

static void cb_refresh(void *arg, struct bgp_session *s, enum bgp_af af,
		       uint8_t subtype)
{
	(void)arg;
	(void)s;
	(void)af;
	R.refreshes++;
	R.rr_subtype = subtype;
}

static void cb_writable(void *arg, struct bgp_session *s)
{
	(void)arg;
	(void)s;
	R.writables++;
}

static const struct bgp_session_ops OPS = {
	.up = cb_up, .down = cb_down, .state = cb_state, .update = cb_update,
	.af_disabled = cb_af_disabled, .eor = cb_eor, .refresh = cb_refresh,
	.writable = cb_writable,
};

/* ---- loop and fake peer plumbing ---- */

static void pump(int ms)
{
	uint64_t end = loop_now_ms() + (uint64_t)ms;

	while (loop_now_ms() < end)
		loop_run_once(L, 5);
}

/* this process's open file descriptors, as /proc lists them */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* cond is evaluated once per loop turn, and its last value is returned */
#define PUMP_UNTIL(cond, ms) ({						\
	uint64_t _end = loop_now_ms() + (ms);				\
	bool _ok;							\
	while (!(_ok = (cond)) && loop_now_ms() < _end)			\
		loop_run_once(L, 5);					\
	_ok;								\
})

static void addr4(struct bgp_addr *a, int k, int host)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "127.0.%d.%d", k, host);
	a->family = AF_INET;
	inet_pton(AF_INET, buf, &a->v4);
}

static struct sockaddr_in sin4(int k, int host, uint16_t port)
{
	struct sockaddr_in s = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	char buf[32];

	snprintf(buf, sizeof(buf), "127.0.%d.%d", k, host);
	inet_pton(AF_INET, buf, &s.sin_addr);
	return s;
}

static int fp_socket(int family)
{
	return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

static int fp_listen4(int k, int host, int rcvbuf)
{
	struct sockaddr_in a = sin4(k, host, PORT);
	int fd = fp_socket(AF_INET), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0) {
		printf("# fake listen 127.0.%d.%d:%u: %s\n", k, host, PORT,
		       strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int fp_accept(int lfd, int ms)
{
	int fd = -1;

	if (lfd < 0)
		return -1;
	PUMP_UNTIL((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0, ms);
	return fd;
}

static int set_md5(int fd, const struct sockaddr_in *peer, const char *key)
{
	struct tcp_md5sig m = { .tcpm_keylen = (uint16_t)strlen(key) };

	memcpy(&m.tcpm_addr, peer, sizeof(*peer));
	memcpy(m.tcpm_key, key, strlen(key));
	return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &m, sizeof(m));
}

/* from 127.0.k.src to 127.0.k.1:PORT; ttl 0: default; key NULL: none */
static int fp_connect4(int k, int src, int ttl, const char *key)
{
	struct sockaddr_in from = sin4(k, src, 0), to = sin4(k, 1, PORT);
	int fd = fp_socket(AF_INET);

	if (ttl)
		setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	if (key)
		set_md5(fd, &to, key);
	bind(fd, (struct sockaddr *)&from, sizeof(from));
	connect(fd, (struct sockaddr *)&to, sizeof(to));
	return fd;
}

/* the connect completed within ms */
static bool fp_connected(int fd, int ms)
{
	uint64_t end = loop_now_ms() + (uint64_t)ms;

	while (loop_now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int err = 0;
		socklen_t len = sizeof(err);

		loop_run_once(L, 5);
		if (poll(&p, 1, 0) == 1) {
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
			return err == 0;
		}
	}
	return false;
}

struct fp {
	int fd;
	uint8_t buf[1 << 16];
	size_t len;
	bool eof;
};

static struct fp F, F2;

static void fp_init(struct fp *f, int fd)
{
	f->fd = fd;
	f->len = 0;
	f->eof = false;
}

static void fp_close(struct fp *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

static bool fp_send(struct fp *f, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t end = loop_now_ms() + 3000;

	while (n && loop_now_ms() < end) {
		ssize_t w = send(f->fd, b, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w > 0) {
			b += w;
			n -= (size_t)w;
		} else if (w < 0 && errno != EAGAIN) {
			return false;
		} else {
			loop_run_once(L, 5);
		}
	}
	return n == 0;
}

/* the next message in msg: its length, 0 at EOF, -1 after ms */
static int fp_next(struct fp *f, uint8_t *msg, int ms)
{
	uint64_t end = loop_now_ms() + (uint64_t)ms;

	for (;;) {
		if (f->len >= BGP_HDR_LEN) {
			size_t l = (size_t)(f->buf[16] << 8 | f->buf[17]);

			if (l >= BGP_HDR_LEN && f->len >= l) {
				memcpy(msg, f->buf, l);
				memmove(f->buf, f->buf + l, f->len - l);
				f->len -= l;
				return (int)l;
			}
		}
		if (f->eof)
			return 0;
		ssize_t r = recv(f->fd, f->buf + f->len, sizeof(f->buf) - f->len,
				 MSG_DONTWAIT);
		if (r > 0) {
			f->len += (size_t)r;
			continue;
		}
		if (r == 0 || (r < 0 && errno != EAGAIN)) {
			f->eof = true;
			continue;
		}
		if (loop_now_ms() >= end)
			return -1;
		loop_run_once(L, 5);
	}
}

/* the next message of type (KEEPALIVEs skipped unless asked for) */
static int fp_expect(struct fp *f, uint8_t type, uint8_t *msg, int ms)
{
	int n;

	while ((n = fp_next(f, msg, ms)) > 0) {
		if (msg[18] == type)
			return n;
		if (msg[18] != BGP_MSG_KEEPALIVE)
			return -2;
	}
	return n;
}

/* a NOTIFICATION came: *n filled */
static bool fp_notif(struct fp *f, struct bgp_notification *n, int ms)
{
	uint8_t m[BGP_MSG_MAX];
	int len = fp_expect(f, BGP_MSG_NOTIFICATION, m, ms);

	return len > 0 && bgp_notification_decode(m, (size_t)len, n) == 0;
}

static bool fp_eof(struct fp *f, int ms)
{
	uint8_t m[BGP_MSG_MAX];
	int n;

	while ((n = fp_next(f, m, ms)) > 0)
		;
	return n == 0;
}

static int mk_open(uint8_t *buf, uint32_t as, uint32_t id, uint16_t hold,
		   bool as4, uint16_t gr_time)
{
	static const uint8_t unknown[] = { 1, 2, 3 };
	struct bgp_open o = {
		.as = as, .hold_time = hold, .bgp_id = id, .cap_as4 = as4,
		.cap_rr = true, .cap_err = true, .n_mp = 2,
		.mp = { { BGP_AFI_IPV4, BGP_SAFI_UNICAST, 0 },
			{ BGP_AFI_IPV6, BGP_SAFI_UNICAST, 0 } },
		.n_other = 1,
		.other = { { .code = 73, .len = 3, .val = unknown } },
	};
	char err[BGP_REASON_LEN];

	if (gr_time) {
		o.cap_gr = true;
		o.gr_time = gr_time;
		o.n_gr = 1;
		o.gr[0] = (struct bgp_afi_safi){ BGP_AFI_IPV4, BGP_SAFI_UNICAST,
						 BGP_GR_AF_F };
	}
	return bgp_build_open(&o, buf, BGP_MSG_MAX, err, sizeof(err));
}

static void fp_keepalive(struct fp *f)
{
	uint8_t ka[BGP_HDR_LEN];

	bgp_build_keepalive(ka, sizeof(ka));
	fp_send(f, ka, sizeof(ka));
}

static void cfg_init(struct bgp_session_cfg *c, int k)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "t%d/1", k);
	addr4(&c->local, k, 1);
	addr4(&c->peer, k, 2);
	c->local_port = c->peer_port = PORT;
	c->local_as = LOCAL_AS;
	c->peer_as = PEER_AS;
	c->bgp_id = ID_LOW;
	c->hold_time = 90;
	c->afs = V4V6;
	c->connect_retry_ms = 300;
	c->idle_hold_min_ms = 100;
}

static struct bgp_open SOPEN;	/* the session's OPEN, as the peer saw it */

/*
 * An active session of cfg to a fake peer listening on 127.0.k.2 that
 * sends open[0..olen) then a KEEPALIVE. The session, or NULL.
 */
static struct bgp_session *establish(const struct bgp_session_cfg *cfg,
				     int k, const uint8_t *open, int olen,
				     int rcvbuf)
{
	int lfd = fp_listen4(k, 2, rcvbuf);
	struct bgp_session *s;
	struct bgp_notification err;
	uint8_t m[BGP_MSG_MAX];
	char e[128];
	int n;

	memset(&R, 0, sizeof(R));
	s = bgp_session_new(L, cfg, &OPS, NULL, e, sizeof(e));
	if (!s) {
		printf("# session: %s\n", e);
		close(lfd);
		return NULL;
	}
	bgp_session_start(s);
	fp_init(&F, fp_accept(lfd, 2000));
	close(lfd);
	n = fp_expect(&F, BGP_MSG_OPEN, m, 2000);
	if (n <= 0 || bgp_open_decode(m, (size_t)n, NULL, &SOPEN, &err) < 0) {
		printf("# no OPEN from the session (%d)\n", n);
		return s;
	}
	fp_send(&F, open, (size_t)olen);
	fp_keepalive(&F);
	/* and the session's KEEPALIVE of OpenConfirm */
	if (PUMP_UNTIL(bgp_session_state(s) == BGP_ESTABLISHED, 2000))
		fp_expect(&F, BGP_MSG_KEEPALIVE, m, 1000);
	return s;
}

static struct bgp_session *establish_std(struct bgp_session_cfg *cfg, int k,
					 uint16_t gr)
{
	uint8_t o[BGP_MSG_MAX];
	int n = mk_open(o, PEER_AS, ID_HIGH, 90, true, gr);

	return establish(cfg, k, o, n, 0);
}

static size_t log_count(const char *needle)
{
	char line[LOG_LINE_MAX + 16];
	size_t n = 0;

	fflush(LOG);
	rewind(LOG);
	while (fgets(line, sizeof(line), LOG))
		if (strstr(line, needle))
			n++;
	fseek(LOG, 0, SEEK_END);
	return n;
}

static void finish(struct bgp_session *s)
{
	bgp_session_free(s);
	fp_close(&F);
	fp_close(&F2);
	pump(10);
}

/* ---- tests ---- */

static void test_cfg(void)
{
	struct bgp_session_cfg c;
	char e[128];

	cfg_init(&c, 1);
	c.hold_time = 2;
	TAP_CHECK(!bgp_session_new(L, &c, &OPS, NULL, e, sizeof(e)) &&
		  strstr(e, "hold time 2"), "cfg: hold time 2 refused (%s)", e);
	c.hold_time = 90;
	c.peer.family = AF_INET6;
	TAP_CHECK(!bgp_session_new(L, &c, &OPS, NULL, e, sizeof(e)),
		  "cfg: local IPv4 with peer IPv6 refused (%s)", e);
}

static void test_active(void)
{
	struct bgp_session_cfg c;
	struct bgp_session *s;
	const struct bgp_session_info *i;

	cfg_init(&c, 2);
	c.gr_time = 120;
	c.hold_time = 60;
	s = establish_std(&c, 2, 0);
	i = bgp_session_info(s);
	TAP_CHECK(bgp_session_state(s) == BGP_ESTABLISHED && R.ups == 1 &&
		  i->outgoing, "active: Established on our connection");
	TAP_CHECK(i->hold_time == 60 && i->keepalive == 20,
		  "active: hold min(60, 90) = 60, keepalive 20 (%u/%u)",
		  i->hold_time, i->keepalive);
	TAP_CHECK(SOPEN.as == LOCAL_AS && SOPEN.bgp_id == ID_LOW &&
		  SOPEN.cap_as4 && SOPEN.cap_rr && SOPEN.cap_err &&
		  SOPEN.n_mp == 2 && SOPEN.cap_gr && SOPEN.gr_time == 120 &&
		  !(SOPEN.gr_flags & BGP_GR_R),
		  "active: our OPEN has MP v4+v6, RR, enhanced RR, AS4, GR 120 s");
	TAP_CHECK(i->have_peer_open && i->peer_open.n_other == 1 &&
		  i->peer_open.other[0].code == 73 &&
		  i->peer_open.other[0].len == 3 &&
		  i->peer_open.other[0].val[2] == 3,
		  "active: the peer's unknown capability 73 kept for show");
	TAP_CHECK(i->ctx.as4 && i->ctx.ebgp && i->ctx.afs == V4V6 &&
		  i->in[BGP_MSG_OPEN].msgs == 1 && i->out[BGP_MSG_OPEN].msgs == 1 &&
		  i->connect_attempts >= 1,
		  "active: context and counters");
	TAP_CHECK(log_count("t2/1 127.0.2.2 AS65002: OpenConfirm -> Established: KEEPALIVE received") == 1,
		  "active: the state change is logged with its reason");
	finish(s);
}

static void test_passive(void)
{
	struct bgp_session_cfg c;
	struct bgp_session *s;
	uint8_t m[BGP_MSG_MAX], o[BGP_MSG_MAX];
	int n;
	char e[128];

	cfg_init(&c, 3);
	c.passive = true;
	snprintf(c.dev, sizeof(c.dev), "lo");
	memset(&R, 0, sizeof(R));
	s = bgp_session_new(L, &c, &OPS, NULL, e, sizeof(e));
	TAP_CHECK(s && bgp_session_start(s) == 0, "passive: listening (bound to lo)");
	pump(20);
	TAP_CHECK(bgp_session_state(s) == BGP_ACTIVE &&
		  bgp_session_info(s)->connect_attempts == 0,
		  "passive: Active, no connect attempt");
	fp_init(&F, fp_connect4(3, 2, 0, NULL));
	n = fp_expect(&F, BGP_MSG_OPEN, m, 2000);
	TAP_CHECK(n > 0, "passive: OPEN on the peer's connection");
	n = mk_open(o, PEER_AS, ID_HIGH, 90, true, 0);
	fp_send(&F, o, (size_t)n);
	fp_keepalive(&F);
	TAP_CHECK(PUMP_UNTIL(bgp_session_state(s) == BGP_ESTABLISHED, 2000) &&
		  !bgp_session_info(s)->outgoing,
		  "passive: Established on the peer's connection");
	finish(s);
}

static void test_ipv6(void)
{
	struct bgp_session_cfg c;
	struct bgp_session *s;
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_addr = IN6ADDR_LOOPBACK_INIT,
				  .sin6_port = htons(PORT + 1) };
	uint8_t m[BGP_MSG_MAX], o[BGP_MSG_MAX];
	int lfd = fp_socket(AF_INET6), one = 1, n;
	char e[128];

	cfg_init(&c, 4);
	c.local.family = c.peer.family = AF_INET6;
	c.local.v6 = c.peer.v6 = in6addr_loopback;
	c.peer_port = PORT + 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 1) < 0) {
		TAP_CHECK(1, "ipv6 # SKIP no ::1 (%s)", strerror(errno));
		close(lfd);
		return;
	}
	memset(&R, 0, sizeof(R));
	s = bgp_session_new(L, &c, &OPS, NULL, e, sizeof(e));
	bgp_session_start(s);
	fp_init(&F, fp_accept(lfd, 2000));
	close(lfd);
	n = fp_expect(&F, BGP_MSG_OPEN, m, 2000);
	fp_send(&F, o, (size_t)mk_open(o, PEER_AS, ID_HIGH, 90, true, 0));
	fp_keepalive(&F);
	TAP_CHECK(n > 0 && PUMP_UNTIL(bgp_session_state(s) == BGP_ESTABLISHED, 2000),
		  "ipv6: Established over ::1");
	finish(s);
}

static void test_open_refused(void)
{
	struct bgp_session_cfg c;
	struct bgp_session *s;
	struct bgp_notification n;
	uint8_t o[BGP_MSG_MAX];
	int len;

	cfg_init(&c, 5);
	len = mk_open(o, 65099, ID_HIGH, 90, true, 0);
	s = establish(&c, 5, o, len, 0);
	TAP_CHECK(fp_notif(&F, &n, 2000) && n.code == 2 && n.subcode == 2,
		  "wrong peer AS: NOTIFICATION 2/2 (%u/%u)", n.code, n.subcode);
	TAP_CHECK(R.n_idle >= 1 && R.ups == 0 &&
		  strstr(bgp_session_info(s)->last_error, "peer says AS 65099"),
		  "wrong peer AS: Idle, last error \"%s\"",
		  bgp_session_info(s)->last_error);
	finish(s);

	cfg_init(&c, 6);
	len = mk_open(o, PEER_AS, ID_HIGH, 3, true, 0);
	o[BGP_HDR_LEN + 4] = 1;		/* hold time 3 -> 1 */
	s = establish(&c, 6, o, len, 0);
	TAP_CHECK(fp_notif(&F, &n, 2000) && n.code == 2 && n.subcode == 6,
		  "hold time 1: NOTIFICATION 2/6 (%u/%u)", n.code, n.subcode);
	finish(s);
}

static void test_hold(void)
{
	struct bgp_session_cfg c;
	struct bgp_session *s;
	struct bgp_notification n = { 0 };
	uint8_t m[BGP_MSG_MAX];
	uint64_t t0, t1 = 0;
	int kas = 0, len;

	cfg_init(&c, 7);
	c.hold_time = 3;
	s = establish_std(&c, 7, 120);
	t0 = loop_now_ms();
	/* the peer goes silent: the session keeps sending KEEPALIVEs */
	while ((len = fp_next(&F, m, 5000)) > 0) {
		if (m[18] == BGP_MSG_KEEPALIVE) {
			kas++;
			continue;
		}
		t1 = loop_now_ms();
		bgp_notification_decode(m, (size_t)len, &n);
		break;
	}
	TAP_CHECK(kas >= 2 && kas <= 4,
		  "keepalive cadence: %d KEEPALIVEs in a 3 s hold (1 s apart)", kas);
	TAP_CHECK(n.code == BGP_ERR_HOLD && t1 - t0 >= 2500 && t1 - t0 <= 4500,
		  "hold timer: NOTIFICATION 4/0 after %llu ms",
		  (unsigned long long)(t1 - t0));
	TAP_CHECK(log_count("t7/1 127.0.7.2 AS65002: Established -> Idle: hold timer expired (3 s without a message)") == 1,
		  "hold timer: logged \"Established -> Idle: hold timer expired (3 s without a message)\"");
	TAP_CHECK(R.downs == 1 && R.down.graceful && R.down.restart_time == 120 &&
		  R.down.gr_afs == BGP_AFS(BGP_AF_IPV4) &&
		  R.down.gr_fwd_afs == BGP_AFS(BGP_AF_IPV4),
		  "graceful restart: down without a NOTIFICATION from the peer is graceful, 120 s");
	TAP_CHECK(bgp_session_info(s)->flaps == 1, "hold timer: one flap");
	finish(s);
}

/*
 * RFC 4724 4.2, helper side: which families' stale routes wait for the
 * restarted peer's End-of-RIB, from its new OPEN (built, then decoded as
 * it arrives): F bit 0, a family not listed and no GR capability at all
 * mean at once
 */
static bool gr_open(bool cap, bool r, uint8_t f4, uint8_t f6, int n_gr,
		    uint16_t safi, struct bgp_open *d)
{
	struct bgp_open o = {
		.version = 4, .as = 65002, .hold_time = 90, .bgp_id = ID_LOW,
		.cap_as4 = true, .n_mp = 2,
		.mp = { { BGP_AFI_IPV4, BGP_SAFI_UNICAST, 0 },
			{ BGP_AFI_IPV6, BGP_SAFI_UNICAST, 0 } },
	};
	struct bgp_notification n;
	uint8_t buf[BGP_MSG_MAX];
	char err[BGP_REASON_LEN];
	int len;

	if (cap) {
		o.cap_gr = true;
		o.gr_time = 120;
		o.gr_flags = r ? BGP_GR_R : 0;
		o.n_gr = (uint8_t)n_gr;
		o.gr[0] = (struct bgp_afi_safi){ BGP_AFI_IPV4, (uint8_t)safi, f4 };
		o.gr[1] = (struct bgp_afi_safi){ BGP_AFI_IPV6, BGP_SAFI_UNICAST, f6 };
	}
	len = bgp_build_open(&o, buf, sizeof(buf), err, sizeof(err));
	return len > 0 && !bgp_open_decode(buf, (size_t)len, NULL, d, &n) &&
	       d->cap_gr == cap && !!(d->gr_flags & BGP_GR_R) == (cap && r);
}

static uint8_t gr_keep_of(bool cap, uint8_t f4, uint8_t f6, int n_gr,
			  uint16_t safi, uint8_t afs, bool *ok)
{
	struct bgp_open d;

	*ok = gr_open(cap, true, f4, f6, n_gr, safi, &d);
	return *ok ? bgp_gr_helper_keep(&d, afs) : 0xff;
}

static void test_gr_helper_keep(void)
{
	const uint8_t FW = BGP_GR_AF_F, V4 = BGP_AFS(BGP_AF_IPV4),
		      V6 = BGP_AFS(BGP_AF_IPV6);
	const struct {
		bool cap;
		uint8_t f4, f6;
		int n_gr;
		uint16_t safi;
		uint8_t afs, want;
		const char *what;
	} t[] = {
		{ true, FW, FW, 2, BGP_SAFI_UNICAST, V4V6, V4V6,
		  "F bit on both families: both wait for End-of-RIB" },
		{ true, 0, FW, 2, BGP_SAFI_UNICAST, V4V6, V6,
		  "F bit 0 for IPv4: its stale routes go at once, IPv6 waits" },
		{ true, FW, 0, 2, BGP_SAFI_UNICAST, V4V6, V4,
		  "F bit 0 for IPv6: its stale routes go at once, IPv4 waits" },
		{ true, 0, 0, 2, BGP_SAFI_UNICAST, V4V6, 0,
		  "F bit 0 on both (BIRD without recovery, FRR without preserve-fw-state): all go" },
		{ true, FW, FW, 1, BGP_SAFI_UNICAST, V4V6, V4,
		  "IPv6 not in the GR capability: its stale routes go at once" },
		{ true, FW, FW, 0, BGP_SAFI_UNICAST, V4V6, 0,
		  "GR capability without families (restart time only): all go" },
		{ false, 0, 0, 0, BGP_SAFI_UNICAST, V4V6, 0,
		  "no GR capability in the new OPEN: all go" },
		{ true, FW, FW, 2, 2, V4V6, V6,
		  "F bit on IPv4 multicast is not IPv4 unicast's" },
		{ true, FW, FW, 2, BGP_SAFI_UNICAST, V4, V4,
		  "only the families negotiated now are kept" },
	};
	bool ok;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t got = gr_keep_of(t[i].cap, t[i].f4, t[i].f6, t[i].n_gr,
					 t[i].safi, t[i].afs, &ok);

		TAP_CHECK(ok && got == t[i].want, "GR helper, peer back: %s (keep %#x, want %#x)",
			  t[i].what, got, t[i].want);
	}
	TAP_CHECK(bgp_gr_helper_keep(NULL, V4V6) == 0,
		  "GR helper, peer back without a decoded OPEN: all go");
}

/* we restart, and the peer comes back: did it restart too and lose all? */
static void test_gr_peer_lost_all(void)
{
	const uint8_t FW = BGP_GR_AF_F, V4 = BGP_AFS(BGP_AF_IPV4);
	const struct {
		bool cap, r;
		uint8_t f4, f6;
		int n_gr;
		uint8_t afs;
		bool want;
		const char *what;
	} t[] = {
		{ true, true, 0, 0, 2, V4V6, true,
		  "R bit, F bit 0 on both: its stale routes go at once" },
		{ true, true, 0, FW, 2, V4V6, false,
		  "R bit, F bit on IPv6: the connection waits for End-of-RIB" },
		{ true, true, 0, FW, 2, V4, true,
		  "R bit, F bit only on a family not negotiated: all go" },
		{ true, true, FW, FW, 0, V4V6, true,
		  "R bit, no family in its GR capability: all go" },
		{ true, false, 0, 0, 2, V4V6, false,
		  "no R bit (it did not restart: BIRD, FRR by default): kept" },
		{ false, false, 0, 0, 0, V4V6, false,
		  "no GR capability: cannot tell, kept until End-of-RIB" },
		{ true, true, FW, FW, 2, V4V6, false,
		  "R bit and F bit on both: kept until End-of-RIB" },
	};
	struct bgp_open d;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bool ok = gr_open(t[i].cap, t[i].r, t[i].f4, t[i].f6, t[i].n_gr,
				  BGP_SAFI_UNICAST, &d);

		TAP_CHECK(ok && bgp_gr_peer_lost_all(&d, t[i].afs) == t[i].want,
			  "GR restarting, peer back: %s", t[i].what);
	}
	TAP_CHECK(!bgp_gr_peer_lost_all(NULL, V4V6) &&
		  !bgp_gr_peer_lost_all(&d, 0),
		  "GR restarting: no OPEN or no family negotiated: nothing goes");
}

static int mk_announce(uint8_t *buf, bool as4, const uint32_t *path, size_t n,
		       int k)
{
	struct bgp_ctx ctx = { .as4 = as4, .afs = V4V6, .ebgp = true };
	struct bgp_attrs *a = malloc(sizeof(*a));
	struct bgp_prefix p = { .af = BGP_AF_IPV4, .len = 16,
				.addr = { 10, (uint8_t)k } };
	char err[BGP_REASON_LEN];
	size_t used;
	int len;

	bgp_attrs_init(a);
	bgp_attrs_set_path(a, path, n);
	a->nh_len = 4;
	a->nh[0] = 192;
	a->nh[2] = 2;
	a->nh[3] = (uint8_t)k;
	len = bgp_build_announce(&ctx, a, BGP_AF_IPV4, &p, 1, &used, buf,
				 BGP_MSG_MAX, err, sizeof(err));
	free(a);
	return len;
}

static void test_updates(void)
{
	static const uint32_t p2[] = { PEER_AS, 65100 };
	static const uint32_t p4[] = { 4200000002u, 4200000100u };
	struct bgp_session_cfg c;
	struct bgp_session *s;
	struct bgp_notification n;
	struct bgp_update *u = malloc(sizeof(*u));
	struct bgp_ctx ctx4 = { .as4 = true, .afs = V4V6, .ebgp = true,
				.peer_as = PEER_AS };
	uint8_t o[BGP_MSG_MAX], m[BGP_MSG_MAX];
	socklen_t el;
	int len, fds, err = 0;
	bool sent;

	/* a 2-octet peer: no AS4 capability */
	cfg_init(&c, 8);
	s = establish(&c, 8, o, mk_open(o, PEER_AS, ID_HIGH, 90, false, 0), 0);
	len = mk_announce(m, false, p2, 2, 8);
	fp_send(&F, m, (size_t)len);
	TAP_CHECK(PUMP_UNTIL(R.updates == 1, 2000) && !R.as4 &&
		  R.decision == BGP_UPD_OK && R.first_as == PEER_AS &&
		  R.last_as == 65100 && R.n_announced == 1,
		  "2-octet peer: UPDATE decoded with 2-octet AS_PATH (%u .. %u)",
		  R.first_as, R.last_as);
	/* ORIGIN 5: treat-as-withdraw (RFC 7606 7.1), session kept */
	for (int i = BGP_UPDATE_MIN; i + 3 < len; i++)
		if (m[i] == 0x40 && m[i + 1] == 1 && m[i + 2] == 1) {
			m[i + 3] = 5;
			break;
		}
	fp_send(&F, m, (size_t)len);
	TAP_CHECK(PUMP_UNTIL(R.updates == 2, 2000) &&
		  R.decision == BGP_UPD_TREAT_AS_WITHDRAW &&
		  R.n_withdrawn == 1 && R.n_announced == 0 &&
		  bgp_session_state(s) == BGP_ESTABLISHED,
		  "treat-as-withdraw UPDATE: delivered as a withdrawal, still Established");
	TAP_CHECK(log_count("UPDATE treat-as-withdraw") >= 1 &&
		  bgp_session_info(s)->notes_logged == 1,
		  "treat-as-withdraw UPDATE: its note logged once");
	/* withdrawn routes length overrunning the message: session reset */
	len = mk_announce(m, false, p2, 2, 8);
	m[BGP_HDR_LEN] = 0x0f;
	bgp_update_decode(&ctx4, m, (size_t)len, u);
	fp_send(&F, m, (size_t)len);
	TAP_CHECK(u->decision == BGP_UPD_SESSION_RESET && fp_notif(&F, &n, 2000) &&
		  n.code == u->notif.code && n.subcode == u->notif.subcode &&
		  R.downs == 1 && bgp_session_state(s) == BGP_IDLE,
		  "session-reset UPDATE: the codec's NOTIFICATION %u/%u sent, Idle",
		  u->notif.code, u->notif.subcode);
	TAP_CHECK(!strncmp(bgp_session_info(s)->last_error, "UPDATE: ", 8),
		  "session-reset UPDATE: last error \"%s\"",
		  bgp_session_info(s)->last_error);
	/*
	 * what the peer sends after it is read, not answered with a TCP
	 * reset (which could overtake the NOTIFICATION); the socket is
	 * closed when the peer closes
	 */
	fds = count_fds();
	len = bgp_build_keepalive(m, sizeof(m));
	sent = send(F.fd, m, (size_t)len, MSG_NOSIGNAL) == len;
	pump(200);
	el = sizeof(err);
	TAP_CHECK(sent && !getsockopt(F.fd, SOL_SOCKET, SO_ERROR, &err, &el) && !err,
		  "session-reset UPDATE: a KEEPALIVE sent after it read, no reset (SO_ERROR %d)",
		  err);
	fp_close(&F);
	TAP_CHECK(PUMP_UNTIL(count_fds() == fds - 2, 3000),
		  "session-reset UPDATE: its socket closed after the peer's FIN (%d fds, %d before)",
		  count_fds(), fds);
	finish(s);

	/* a 4-octet peer */
	cfg_init(&c, 9);
	c.peer_as = 4200000002u;
	s = establish(&c, 9, o, mk_open(o, 4200000002u, ID_HIGH, 90, true, 0), 0);
	len = mk_announce(m, true, p4, 2, 9);
	fp_send(&F, m, (size_t)len);
	TAP_CHECK(PUMP_UNTIL(R.updates == 1, 2000) && R.as4 &&
		  R.first_as == 4200000002u && R.last_as == 4200000100u,
		  "4-octet peer: UPDATE decoded with 4-octet AS_PATH (%u .. %u)",
		  R.first_as, R.last_as);
	/* End-of-RIB both families, both ways */
	len = bgp_build_eor(BGP_AF_IPV4, m, sizeof(m));
	fp_send(&F, m, (size_t)len);
	len = bgp_build_eor(BGP_AF_IPV6, m, sizeof(m));
	fp_send(&F, m, (size_t)len);
	TAP_CHECK(PUMP_UNTIL(R.eor[BGP_AF_IPV4] == 1 && R.eor[BGP_AF_IPV6] == 1, 2000) &&
		  R.updates == 1, "End-of-RIB IPv4 and IPv6 to the eor callback");
	len = -1;
	if (bgp_session_send_eor(s, BGP_AF_IPV6) == 0 &&
	    (len = fp_expect(&F, BGP_MSG_UPDATE, m, 2000)) > 0)
		bgp_update_decode(&ctx4, m, (size_t)len, u);
	TAP_CHECK(len > 0 && u->eor == BGP_AF_IPV6, "End-of-RIB IPv6 sent");
	/* route refresh both ways */
	{
		struct bgp_route_refresh rr = { .afi = 1, .safi = 1 };
		struct bgp_route_refresh got;

		len = bgp_build_route_refresh(&rr, m, sizeof(m));
		fp_send(&F, m, (size_t)len);
		rr.subtype = BGP_RR_BORR;
		len = bgp_build_route_refresh(&rr, m, sizeof(m));
		fp_send(&F, m, (size_t)len);
		TAP_CHECK(PUMP_UNTIL(R.refreshes == 2, 2000) &&
			  R.rr_subtype == BGP_RR_BORR,
			  "ROUTE-REFRESH and BoRR received");
		len = -1;
		if (bgp_session_route_refresh(s, BGP_AF_IPV4, BGP_RR_NORMAL) == 0)
			len = fp_expect(&F, BGP_MSG_ROUTE_REFRESH, m, 2000);
		TAP_CHECK(len > 0 && bgp_route_refresh_decode(m, (size_t)len, &got, &n) == 0 &&
			  got.afi == 1 && got.safi == 1 && got.subtype == 0,
			  "ROUTE-REFRESH sent");
	}
	/* max prefix teardown */
	bgp_session_maxprefix(s, BGP_AF_IPV4, 100);
	{
		uint16_t afi = 0;
		uint8_t safi = 0;
		uint32_t limit = 0;

		TAP_CHECK(fp_notif(&F, &n, 2000) &&
			  bgp_notification_maxprefix(&n, &afi, &safi, &limit) == 0 &&
			  afi == 1 && safi == 1 && limit == 100 && R.downs == 1 &&
			  !R.down.graceful,
			  "max prefix: Cease/1 with AFI 1 SAFI 1 limit 100");
	}
	finish(s);
	free(u);
}

static void test_shutdown(void)
{
	static const char txt[] = "maint\nwindow \x1b[31m\"ok\"";
	struct bgp_session_cfg c;
	struct bgp_session *s;
	struct bgp_notification n;
	uint8_t m[BGP_MSG_MAX];
	const uint8_t *t;
	size_t tl;
	int len;

	/* the peer's shutdown communication, shown sanitised */
	cfg_init(&c, 10);
	s = establish_std(&c, 10, 120);
	bgp_notif_shutdown(&n, BGP_CEASE_SHUTDOWN, txt);
	len = bgp_build_notification(&n, m, sizeof(m));
	fp_send(&F, m, (size_t)len);
	TAP_CHECK(PUMP_UNTIL(bgp_session_state(s) == BGP_IDLE, 2000) &&
		  bgp_session_info(s)->notif_rcvd.valid &&
		  bgp_session_info(s)->notif_rcvd.code == 6 &&
		  bgp_session_info(s)->notif_rcvd.subcode == 2,
		  "NOTIFICATION 6/2 received: Idle");
	TAP_CHECK(strstr(bgp_session_info(s)->notif_rcvd.text, "maint") &&
		  !strchr(bgp_session_info(s)->notif_rcvd.text, '\n') &&
		  !strchr(bgp_session_info(s)->notif_rcvd.text, '\x1b'),
		  "shutdown communication sanitised: \"%s\"",
		  bgp_session_info(s)->notif_rcvd.text);
	TAP_CHECK(R.downs == 1 && !R.down.graceful,
		  "down after a NOTIFICATION is not graceful although the peer has GR");
	finish(s);

	/* ours */
	cfg_init(&c, 11);
	s = establish_std(&c, 11, 0);
	bgp_session_stop(s, "planned maintenance");
	TAP_CHECK(fp_notif(&F, &n, 2000) && n.code == 6 && n.subcode == 2 &&
		  bgp_notification_shutdown(&n, &t, &tl, NULL, 0) == 1 &&
		  tl == 19 && !memcmp(t, "planned maintenance", 19),
		  "stop: Cease/2 with the shutdown communication seen by the peer");
	TAP_CHECK(fp_eof(&F, 1000) && bgp_session_state(s) == BGP_IDLE &&
		  bgp_session_info(s)->notif_sent.subcode == 2 && R.downs == 1,
		  "stop: connection closed, Idle, down reported");
	pump(400);
	TAP_CHECK(bgp_session_state(s) == BGP_IDLE,
		  "stop: stays Idle (no restart)");
	finish(s);
}

static void test_refused(void)
{
	struct bgp_session_cfg c;
	struct bgp_session *s;
	char e[128];

	cfg_init(&c, 12);
	c.passive = true;
	s = bgp_session_new(L, &c, &OPS, NULL, e, sizeof(e));
	bgp_session_start(s);
	fp_init(&F, fp_connect4(12, 9, 0, NULL));
	fp_init(&F2, fp_connect4(12, 10, 0, NULL));
	TAP_CHECK(fp_eof(&F, 2000) && fp_eof(&F2, 2000) &&
		  bgp_session_info(s)->refused == 2,
		  "connections from 127.0.12.9 and .10 closed at once");
	TAP_CHECK(log_count("connection from 127.0.12.") == 1,
		  "refused connections logged once a minute at most");
	TAP_CHECK(bgp_session_state(s) == BGP_ACTIVE, "still Active");
	finish(s);
}

/*
 * A collision: the session connects to the fake peer and the fake peer
 * to the session; OPENs on both. The connection of the side with the
 * higher identifier must stay.
 */
static void collision(int k, uint32_t local_id, uint32_t peer_id)
{
	struct bgp_session_cfg c;
	struct bgp_session *s;
	struct bgp_notification n;
	struct fp *ours = &F, *theirs = &F2, *loser, *winner;
	uint8_t m[BGP_MSG_MAX], o[BGP_MSG_MAX];
	int lfd = fp_listen4(k, 2, 0), olen;
	bool we_win = local_id > peer_id;
	char e[128];

	cfg_init(&c, k);
	c.bgp_id = local_id;
	memset(&R, 0, sizeof(R));
	s = bgp_session_new(L, &c, &OPS, NULL, e, sizeof(e));
	bgp_session_start(s);
	fp_init(ours, fp_accept(lfd, 2000));	/* the session's connection */
	close(lfd);
	fp_expect(ours, BGP_MSG_OPEN, m, 2000);
	fp_init(theirs, fp_connect4(k, 2, 0, NULL));
	fp_expect(theirs, BGP_MSG_OPEN, m, 2000);
	olen = mk_open(o, PEER_AS, peer_id, 90, true, 0);
	fp_send(ours, o, (size_t)olen);
	PUMP_UNTIL(bgp_session_state(s) == BGP_OPENCONFIRM, 1000);
	fp_send(theirs, o, (size_t)olen);
	/* the session's own id wins: the peer's connection is closed */
	loser = we_win ? theirs : ours;
	winner = we_win ? ours : theirs;
	TAP_CHECK(fp_notif(loser, &n, 2000) && n.code == 6 && n.subcode == 7 &&
		  fp_eof(loser, 1000),
		  "collision, our id %s: Cease/7 on the %s connection",
		  we_win ? "higher" : "lower", we_win ? "peer's" : "our");
	fp_keepalive(winner);
	TAP_CHECK(PUMP_UNTIL(bgp_session_state(s) == BGP_ESTABLISHED, 2000) &&
		  bgp_session_info(s)->outgoing == we_win &&
		  bgp_session_info(s)->collisions == 1,
		  "collision, our id %s: Established on the %s connection",
		  we_win ? "higher" : "lower", we_win ? "our" : "peer's");
	if (we_win) {
		/* one more connection while Established: it loses */
		fp_close(theirs);
		fp_init(theirs, fp_connect4(k, 2, 0, NULL));
		fp_expect(theirs, BGP_MSG_OPEN, m, 2000);
		fp_send(theirs, o, (size_t)olen);
		TAP_CHECK(fp_notif(theirs, &n, 2000) && n.subcode == 7 &&
			  bgp_session_state(s) == BGP_ESTABLISHED &&
			  R.downs == 0 && bgp_session_info(s)->outgoing,
			  "collision with an Established session keeps the Established one");
	}
	finish(s);
}

static bool md5_supported(char *why, size_t len)
{
	struct sockaddr_in a = sin4(13, 2, 0);
	int fd = fp_socket(AF_INET), r = set_md5(fd, &a, "probe");

	if (r < 0)
		snprintf(why, len, "kernel without TCP_MD5SIG (%s)",
			 strerror(errno));
	close(fd);
	return r == 0;
}

static void test_md5(void)
{
	struct bgp_session_cfg c;
	struct bgp_session *s;
	uint8_t m[BGP_MSG_MAX];
	char e[128], why[128];
	int bad, none;

	if (!md5_supported(why, sizeof(why))) {
		TAP_CHECK(1, "md5 match # SKIP %s", why);
		TAP_CHECK(1, "md5 mismatch # SKIP %s", why);
		return;
	}
	cfg_init(&c, 13);
	c.passive = true;
	snprintf(c.md5_key, sizeof(c.md5_key), "s3cret");
	s = bgp_session_new(L, &c, &OPS, NULL, e, sizeof(e));
	bgp_session_start(s);
	bad = fp_connect4(13, 2, 0, "wrong");
	none = fp_connect4(13, 2, 0, NULL);
	TAP_CHECK(!fp_connected(bad, 1000) && !fp_connected(none, 10),
		  "md5 mismatch: a wrong key and no key do not connect");
	close(bad);
	close(none);
	fp_init(&F, fp_connect4(13, 2, 0, "s3cret"));
	TAP_CHECK(fp_expect(&F, BGP_MSG_OPEN, m, 2000) > 0,
		  "md5 match: connected, OPEN received");
	finish(s);
}

static void test_gtsm(void)
{
	struct bgp_session_cfg c;
	struct bgp_session *s;
	uint8_t m[BGP_MSG_MAX];
	char e[128];
	int low;

	cfg_init(&c, 14);
	c.passive = true;
	c.ttl_security = true;
	s = bgp_session_new(L, &c, &OPS, NULL, e, sizeof(e));
	bgp_session_start(s);
	low = fp_connect4(14, 2, 64, NULL);
	TAP_CHECK(!fp_connected(low, 1000), "gtsm: a TTL 64 peer is dropped");
	close(low);
	fp_init(&F, fp_connect4(14, 2, 255, NULL));
	TAP_CHECK(fp_expect(&F, BGP_MSG_OPEN, m, 2000) > 0,
		  "gtsm: a TTL 255 peer connects");
	finish(s);
}

/* an UPDATE of about 4 KB: withdrawals of /32s */
static int mk_big(uint8_t *buf, int i)
{
	struct bgp_prefix p[800];
	char err[BGP_REASON_LEN];
	size_t used;

	for (int j = 0; j < 800; j++)
		p[j] = (struct bgp_prefix){ .af = BGP_AF_IPV4, .len = 32,
			.addr = { 10, (uint8_t)i, (uint8_t)(j >> 8), (uint8_t)j } };
	return bgp_build_withdraw(BGP_AF_IPV4, p, 800, &used, buf, BGP_MSG_MAX,
				  err, sizeof(err));
}

static void test_sendq(void)
{
	struct bgp_session_cfg c;
	struct bgp_session *s;
	uint8_t m[BGP_MSG_MAX], o[BGP_MSG_MAX];
	int sent = 0, got = 0, first_ka = -1, len, r = 0;
	bool blocked = false;
	uint64_t t0;

	cfg_init(&c, 15);
	c.hold_time = 3;
	c.sendq_max = 256 * 1024;
	c.sendq_hiwat = 64 * 1024;
	c.sendq_lowat = 16 * 1024;
	c.sndbuf = 16 * 1024;
	s = establish(&c, 15, o, mk_open(o, PEER_AS, ID_HIGH, 3, true, 0), 4096);
	/* the peer stops reading; its KEEPALIVEs keep coming */
	t0 = loop_now_ms();
	while (sent < 2000) {
		len = mk_big(m, sent);
		r = bgp_session_send(s, m, (size_t)len);
		if (r < 0)
			break;
		sent++;
		if (!bgp_session_writable(s))
			blocked = true;
		if (sent % 8 == 0)
			loop_run_once(L, 0);
	}
	TAP_CHECK(blocked && r < 0 && errno == ENOBUFS &&
		  bgp_session_info(s)->sendq_bytes >= 64 * 1024,
		  "send queue: not writable above 64 KiB, ENOBUFS at 256 KiB (%d UPDATEs, %zu bytes queued)",
		  sent, bgp_session_info(s)->sendq_bytes);
	/* 1.5 s: a KEEPALIVE of ours is due while the UPDATEs wait */
	while (loop_now_ms() - t0 < 1500) {
		fp_keepalive(&F);
		pump(300);
	}
	TAP_CHECK(R.writables == 0 && !bgp_session_writable(s),
		  "send queue: still full while the peer does not read (%d, %zu bytes)",
		  R.writables, bgp_session_info(s)->sendq_bytes);
	while (got < sent && (len = fp_next(&F, m, 2000)) > 0) {
		if (m[18] == BGP_MSG_UPDATE)
			got++;
		else if (m[18] == BGP_MSG_KEEPALIVE && first_ka < 0)
			first_ka = got;
		if (got % 16 == 0)
			fp_keepalive(&F);
	}
	TAP_CHECK(got == sent && R.writables == 1 && bgp_session_writable(s) &&
		  bgp_session_state(s) == BGP_ESTABLISHED,
		  "send queue: all %d UPDATEs arrive in order, writable callback once below 16 KiB",
		  got);
	TAP_CHECK(first_ka >= 0 && first_ka < sent / 2,
		  "send queue: a KEEPALIVE overtook the queued UPDATEs (after %d of %d)",
		  first_ka, sent);
	finish(s);
}

/* another fd of the loop, always readable: called once a loop turn */
static const struct bgp_session_info *PROBE_I;
static uint64_t probe_last, probe_max_delta;
static unsigned int probe_calls;

static void probe_cb(void *arg, uint32_t ev)
{
	uint64_t now = PROBE_I->in[BGP_MSG_KEEPALIVE].msgs;

	(void)arg;
	(void)ev;
	probe_calls++;
	if (now - probe_last > probe_max_delta)
		probe_max_delta = now - probe_last;
	probe_last = now;
}

static void test_batch(void)
{
	struct bgp_session_cfg c;
	struct bgp_session *s;
	static uint8_t flood[10000 * BGP_HDR_LEN];
	size_t off = 0;
	uint64_t base;
	int pfd[2];

	cfg_init(&c, 16);
	s = establish_std(&c, 16, 0);
	PROBE_I = bgp_session_info(s);
	for (int i = 0; i < 10000; i++)
		bgp_build_keepalive(flood + i * BGP_HDR_LEN, BGP_HDR_LEN);
	if (pipe2(pfd, O_NONBLOCK) < 0)
		return;
	write(pfd[1], "x", 1);
	base = probe_last = PROBE_I->in[BGP_MSG_KEEPALIVE].msgs;
	loop_add_fd(L, pfd[0], EPOLLIN, probe_cb, NULL);
	while (off < sizeof(flood) ||
	       PROBE_I->in[BGP_MSG_KEEPALIVE].msgs - base < 10000) {
		ssize_t w = off < sizeof(flood) ?
			send(F.fd, flood + off, sizeof(flood) - off, MSG_DONTWAIT) : 0;

		if (w > 0)
			off += (size_t)w;
		if (loop_run_once(L, 100) <= 0 && off == sizeof(flood))
			break;
	}
	loop_del_fd(L, pfd[0]);
	close(pfd[0]);
	close(pfd[1]);
	TAP_CHECK(PROBE_I->in[BGP_MSG_KEEPALIVE].msgs - base == 10000 &&
		  bgp_session_state(s) == BGP_ESTABLISHED,
		  "10,000 KEEPALIVEs at once: all handled, still Established");
	TAP_CHECK(probe_max_delta <= 2 * BGP_SESSION_MSG_BATCH &&
		  probe_calls >= 10000 / (2 * BGP_SESSION_MSG_BATCH),
		  "10,000 KEEPALIVEs: another fd ran %u times, at most %llu handled between two of its turns (cap %d per event)",
		  probe_calls, (unsigned long long)probe_max_delta,
		  BGP_SESSION_MSG_BATCH);
	finish(s);
}

static void test_backoff(void)
{
	struct bgp_session_cfg c;
	struct bgp_session *s;
	int lfd = fp_listen4(17, 2, 0), fd;
	char e[128];

	cfg_init(&c, 17);
	c.idle_hold_min_ms = 100;
	c.idle_hold_max_ms = 400;
	memset(&R, 0, sizeof(R));
	s = bgp_session_new(L, &c, &OPS, NULL, e, sizeof(e));
	bgp_session_start(s);
	/* the peer accepts and hangs up, again and again */
	for (int i = 0; i < 4; i++) {
		fd = fp_accept(lfd, 2000);
		if (fd >= 0)
			close(fd);
		PUMP_UNTIL(R.n_idle == i + 1, 2000);
	}
	close(lfd);
	TAP_CHECK(R.n_idle == 4 && R.idle_holds[0] == 100 &&
		  R.idle_holds[1] == 200 && R.idle_holds[2] == 400 &&
		  R.idle_holds[3] == 400,
		  "idle hold backoff: %u %u %u %u ms (100 doubling up to 400)",
		  R.idle_holds[0], R.idle_holds[1], R.idle_holds[2],
		  R.idle_holds[3]);
	TAP_CHECK(bgp_session_info(s)->failures == 4,
		  "idle hold backoff: 4 failures counted");
	/* RFC 4271 8.2.2: ManualStop and ManualStart zero the counter */
	bgp_session_reset(s, NULL);
	TAP_CHECK(bgp_session_info(s)->failures == 0 &&
		  bgp_session_info(s)->idle_hold_ms == 0,
		  "an administrative reset starts the backoff afresh (%u failures, idle hold %u ms)",
		  bgp_session_info(s)->failures, bgp_session_info(s)->idle_hold_ms);
	finish(s);
}

static void pick_port(void)
{
	struct sockaddr_in a = sin4(250, 1, BGP_PORT);
	int fd = fp_socket(AF_INET);

	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		printf("# cannot bind port 179 (%s): using 1790\n",
		       strerror(errno));
		PORT = 1790;
	}
	close(fd);
}

int main(void)
{
	LOG = tmpfile();
	log_set_file(LOG);
	log_set_level(LOG_DEBUG);
	L = loop_new();
	pick_port();
	test_cfg();
	test_active();
	test_passive();
	test_ipv6();
	test_open_refused();
	test_hold();
	test_updates();
	test_shutdown();
	test_refused();
	collision(18, ID_HIGH, ID_LOW);
	collision(19, ID_LOW, ID_HIGH);
	test_md5();
	test_gtsm();
	test_sendq();
	test_batch();
	test_backoff();
	test_gr_helper_keep();
	test_gr_peer_lost_all();
	loop_free(L);
	/* BGP_TEST_LOG=1: the session's log lines after the results */
	if (getenv("BGP_TEST_LOG")) {
		char line[LOG_LINE_MAX + 16];

		rewind(LOG);
		while (fgets(line, sizeof(line), LOG))
			printf("# %s", line);
	}
	return tap_done();
}
