// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtd's BGP session (bgp_session.h): the RFC 4271 section 8 FSM of
 * one peer on the event loop.
 *
 * Sockets: a listener on local:port (from start to stop) and at most two
 * connections (struct conn), one of them ours and one the peer's while a
 * collision (RFC 4271 6.8) is being resolved. The session's state is the
 * furthest state of its connections (Connect while ours is connecting,
 * Active when only listening), Idle while stopped or in idle hold.
 *
 * Failures: a connect that fails or times out is retried after
 * ConnectRetry (5 s, jittered), state Active. A connection that fails
 * after TCP came up (an error, a NOTIFICATION, the hold timer, EOF) when
 * no other connection is left sends the session to Idle for the idle
 * hold time: min << (failures - 1) up to max, the failures counted since
 * the session last stayed Established for stable_ms (RFC 4271's
 * DampPeerOscillations). While Idle, connections from the peer are
 * accepted and closed at once.
 *
 * Every state change is logged with its reason, at notice when
 * Established is involved, at debug between Connect and Active (a dead
 * peer would fill the log every ConnectRetry), at info otherwise.
 */
#define _GNU_SOURCE	/* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bgp_session.h"
#include "log.h"

#define RBUF_SIZE	(4 * BGP_MSG_MAX)
#define PRIO_MAX	(2 * BGP_MSG_MAX + 256)	/* OPEN + NOTIFICATION + ... */
#define OPENSENT_HOLD_MS (240 * 1000)		/* RFC 4271 8: "large" */
#define SENDHOLD_MIN_MS	(480 * 1000)		/* RFC 9687 */
#define RESUME_MS	1	/* after a full batch: > 0 so that other fds run */
#define DRAIN_MAX	(64 * 1024)	/* read before close (else RST) */
#define LINGER_MS	2000	/* a closed socket waits this for the peer's FIN */
#define LINGER_MAX	8	/* sockets of one session waiting so */
#define ACCEPT_BATCH	8
#define NOTES_BURST	10	/* UPDATE note lines per window */
#define NOTES_WINDOW_MS	10000
#define REFUSED_WINDOW_MS 60000
#define BGP_ERR_SEND_HOLD 8	/* RFC 9687 Send Hold Timer Expired */

enum fail_kind {
	K_ERROR,	/* we found an error (a NOTIFICATION is sent) */
	K_LOSS,		/* hold timer, TCP EOF/reset: graceful if peer GR */
	K_NOTIF,	/* the peer sent a NOTIFICATION */
	K_COLLISION,	/* 6.8: this connection loses, the other goes on */
};

struct lane {
	uint8_t *buf;
	size_t len;	/* bytes queued */
	size_t off;	/* bytes written */
	size_t bound;	/* start of the message holding off (== off: between) */
	size_t cap, max;
};

struct conn {
	struct bgp_session *s;
	int fd;
	unsigned int gen;	/* bumped on close: callers check it */
	bool outgoing;
	bool paused;		/* input batch full: EPOLLIN off till resume */
	enum bgp_state state;	/* IDLE: slot free */
	uint32_t events;
	uint8_t in[RBUF_SIZE];
	size_t in_len;
	struct lane prio, bulk;
	uint64_t last_sent_ms;	/* a whole message handed to the kernel */
	uint64_t progress_ms;	/* write progress, or output pending since */
	struct loop_timer hold, keepalive, resume;
	uint16_t hold_time, keepalive_s;
	bool have_open;
	uint8_t open_msg[BGP_MSG_MAX];
	size_t open_len;
	struct bgp_open open;	/* the peer's, pointing into open_msg */
	struct bgp_ctx ctx;
};

struct ratelimit {
	uint64_t start;
	unsigned int n, lost;
};

/*
 * The socket of a connection closed after a NOTIFICATION: its write side
 * is shut down, and it is read until the peer closes or LINGER_MS.
 * Closing it at once with the peer's later bytes unread would make the
 * kernel reset the connection, and a reset can overtake the NOTIFICATION
 * still queued below the socket and destroy it.
 */
struct closing {
	struct bgp_session *s;
	int fd;
	struct loop_timer timer;
	struct closing *next;
};

struct bgp_session {
	struct loop *loop;
	struct closing *lingering;	/* LINGER_MAX at most */
	unsigned int n_lingering;
	struct bgp_session_cfg cfg;
	struct bgp_session_ops ops;
	void *arg;
	char label[BGP_SESSION_NAME_MAX + INET6_ADDRSTRLEN + 24];
	bool admin_up;
	bool idle_hold;		/* in Idle until the idle timer */
	int lfd;		/* listener, -1 */
	struct conn conn[2];
	struct conn *est;	/* the Established one, or NULL */
	enum bgp_state state;
	uint64_t up_ms;
	bool blocked;		/* bulk lane went above hiwat */
	struct loop_timer retry, idle;
	struct ratelimit rl_notes, rl_refused;
	uint64_t rng;
	struct bgp_ctx ctx;	/* of est, with disabled families removed */
	uint8_t peer_open_msg[BGP_MSG_MAX];
	struct bgp_session_info info;
	struct bgp_update upd;	/* big: one per session, not on the stack */
};

static void conn_fail(struct conn *c, const struct bgp_notification *n,
		      enum fail_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fsm_sync(struct bgp_session *s, const char *why);
static void connect_start(struct bgp_session *s, const char *why);
static void arm_retry(struct bgp_session *s);
static void conn_input(struct conn *c);

/* ---- small helpers ---- */

static const char *const state_names[] = {
	"Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established",
};

const char *bgp_state_name(enum bgp_state st)
{
	if ((unsigned int)st >= sizeof(state_names) / sizeof(*state_names))
		return "unknown";
	return state_names[st];
}

static uint64_t rnd(struct bgp_session *s)
{
	/* xorshift64: jitter only */
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t cfg_or(uint32_t v, uint32_t dflt)
{
	return v ? v : dflt;
}

static const char *conn_dir(const struct conn *c)
{
	return c->outgoing ? "outgoing" : "incoming";
}

static struct conn *other_conn(struct conn *c)
{
	struct bgp_session *s = c->s;
	struct conn *o = c == &s->conn[0] ? &s->conn[1] : &s->conn[0];

	return o->state != BGP_IDLE ? o : NULL;
}

static int af_of(uint16_t afi, uint8_t safi)
{
	if (safi != BGP_SAFI_UNICAST)
		return -1;
	if (afi == BGP_AFI_IPV4)
		return BGP_AF_IPV4;
	if (afi == BGP_AFI_IPV6)
		return BGP_AF_IPV6;
	return -1;
}

static uint16_t afi_of(enum bgp_af af)
{
	return af == BGP_AF_IPV6 ? BGP_AFI_IPV6 : BGP_AFI_IPV4;
}

/* true if a line may be logged now; *lost: lines dropped before it */
static bool rl_allow(struct ratelimit *r, unsigned int burst,
		     uint64_t window_ms, unsigned int *lost)
{
	uint64_t now = loop_now_ms();

	*lost = 0;
	if (!r->start || now - r->start >= window_ms) {
		*lost = r->lost;
		r->start = now;
		r->n = r->lost = 0;
	}
	if (r->n >= burst) {
		r->lost++;
		return false;
	}
	r->n++;
	return true;
}

static void set_error(struct bgp_session *s, const char *why)
{
	snprintf(s->info.last_error, sizeof(s->info.last_error), "%s", why);
}

/* a failed connect is not why the session went down: kept apart */
static void set_connect_error(struct bgp_session *s, const char *why)
{
	snprintf(s->info.connect_error, sizeof(s->info.connect_error), "%.*s",
		 (int)sizeof(s->info.connect_error) - 1, why);
}

static void sockaddr_of(const struct bgp_addr *a, uint16_t port,
			struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = a->v6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_addr = a->v4;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
	}
}

static bool addr_is(const struct bgp_addr *a, const struct sockaddr_storage *ss)
{
	if (ss->ss_family != a->family)
		return false;
	if (a->family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr,
			       &a->v6, sizeof(a->v6));
	return ((const struct sockaddr_in *)ss)->sin_addr.s_addr ==
	       a->v4.s_addr;
}

static const char *ss_str(const struct sockaddr_storage *ss, char *buf,
			  size_t len)
{
	const void *p = ss->ss_family == AF_INET6 ?
		(const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr :
		(const void *)&((const struct sockaddr_in *)ss)->sin_addr;

	if (!inet_ntop(ss->ss_family, p, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

/* ---- socket options ---- */

static int set_md5(struct bgp_session *s, int fd)
{
	struct tcp_md5sig md5;
	socklen_t len;
	size_t klen = strlen(s->cfg.md5_key);

	if (!klen)
		return 0;
	memset(&md5, 0, sizeof(md5));
	sockaddr_of(&s->cfg.peer, 0, &md5.tcpm_addr, &len);
	md5.tcpm_keylen = (uint16_t)klen;
	memcpy(md5.tcpm_key, s->cfg.md5_key, klen);
	return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &md5, sizeof(md5));
}

static int set_gtsm(struct bgp_session *s, int fd)
{
	int ttl = 255, min = 254;

	if (!s->cfg.ttl_security)
		return 0;
	if (s->cfg.local.family == AF_INET6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
				  sizeof(ttl)) ||
		       setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &min,
				  sizeof(min)) ? -1 : 0;
	return setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) ||
	       setsockopt(fd, IPPROTO_IP, IP_MINTTL, &min, sizeof(min)) ? -1 : 0;
}

/*
 * The options of both the listener and our connecting socket; on error
 * -1 with why. FREEBIND: the tunnel's inside address may not be
 * configured yet when the session starts.
 */
static int sock_opts(struct bgp_session *s, int fd, char *why, size_t wlen)
{
	int one = 1;

	if (s->cfg.local.family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	else
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	if (s->cfg.dev[0] &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, s->cfg.dev,
		       (socklen_t)strlen(s->cfg.dev)) < 0) {
		snprintf(why, wlen, "SO_BINDTODEVICE %s: %s", s->cfg.dev,
			 strerror(errno));
		return -1;
	}
	if (set_md5(s, fd) < 0) {
		snprintf(why, wlen, "TCP_MD5SIG: %s%s", strerror(errno),
			 errno == ENOPROTOOPT ?
			 " (kernel without CONFIG_TCP_MD5SIG)" : "");
		return -1;
	}
	if (set_gtsm(s, fd) < 0) {
		snprintf(why, wlen, "ttl-security (TTL 255, minimum 254): %s",
			 strerror(errno));
		return -1;
	}
	/* set on the listener too: accepted sockets inherit it */
	if (s->cfg.sndbuf &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &s->cfg.sndbuf,
		       sizeof(s->cfg.sndbuf)) < 0) {
		snprintf(why, wlen, "SO_SNDBUF %d: %s", s->cfg.sndbuf,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- output lanes ---- */

static size_t lane_pending(const struct lane *q)
{
	return q->len - q->off;
}

static int lane_put(struct lane *q, const uint8_t *msg, size_t len)
{
	if (q->len + len > q->cap && q->bound) {
		/* the written messages are no longer needed */
		memmove(q->buf, q->buf + q->bound, q->len - q->bound);
		q->len -= q->bound;
		q->off -= q->bound;
		q->bound = 0;
	}
	if (q->len + len > q->max)
		return -1;
	if (q->len + len > q->cap) {
		size_t cap = q->cap ? q->cap : 4096;
		uint8_t *p;

		while (cap < q->len + len)
			cap *= 2;
		if (cap > q->max)
			cap = q->max;
		p = realloc(q->buf, cap);
		if (!p)
			return -1;
		q->buf = p;
		q->cap = cap;
	}
	memcpy(q->buf + q->len, msg, len);
	q->len += len;
	return 0;
}

static void lane_free(struct lane *q)
{
	free(q->buf);
	*q = (struct lane){ .max = q->max };
}

/* n more bytes written: count the messages they completed */
static void lane_advance(struct conn *c, struct lane *q, size_t n)
{
	struct bgp_session *s = c->s;

	q->off += n;
	while (q->bound < q->len) {
		uint16_t mlen = get16(q->buf + q->bound + 16);
		uint8_t type = q->buf[q->bound + 18];

		if (q->bound + mlen > q->off)
			break;
		if (type <= BGP_MSG_ROUTE_REFRESH) {
			s->info.out[type].msgs++;
			s->info.out[type].bytes += mlen;
		}
		c->last_sent_ms = loop_now_ms();
		q->bound += mlen;
	}
	if (q->off == q->len)
		q->off = q->len = q->bound = 0;
}

/* ---- epoll interest ---- */

static void conn_events(struct conn *c)
{
	uint32_t ev = 0;

	if (c->fd < 0)
		return;
	if (c->state == BGP_CONNECT) {
		ev = EPOLLOUT;
	} else {
		if (!c->paused)
			ev |= EPOLLIN;
		if (lane_pending(&c->prio) || lane_pending(&c->bulk))
			ev |= EPOLLOUT;
	}
	if (ev != c->events && loop_mod_fd(c->s->loop, c->fd, ev) == 0)
		c->events = ev;
}

/* the owner's flow control: high and low water marks of the bulk lane */
static void bulk_check(struct bgp_session *s)
{
	size_t q = s->est ? lane_pending(&s->est->bulk) : 0;

	s->info.sendq_bytes = q;
	if (q >= s->cfg.sendq_hiwat) {
		s->blocked = true;
	} else if (s->blocked && q <= s->cfg.sendq_lowat) {
		s->blocked = false;
		if (s->est && s->ops.writable)
			s->ops.writable(s->arg, s);
	}
}

/*
 * Write what the kernel takes: the rest of a partly written UPDATE
 * first (a message is never interleaved), then the priority lane, then
 * the bulk lane. 0, or -errno on a write error.
 */
static int conn_flush(struct conn *c)
{
	for (;;) {
		struct lane *q;
		size_t n;
		ssize_t w;

		if (c->bulk.bound < c->bulk.off) {
			q = &c->bulk;
			n = q->bound + get16(q->buf + q->bound + 16) - q->off;
		} else if (lane_pending(&c->prio)) {
			q = &c->prio;
			n = lane_pending(q);
		} else if (lane_pending(&c->bulk)) {
			q = &c->bulk;
			n = lane_pending(q);
		} else {
			break;
		}
		w = send(c->fd, q->buf + q->off, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		c->progress_ms = loop_now_ms();
		lane_advance(c, q, (size_t)w);
	}
	conn_events(c);
	return 0;
}

static int conn_queue(struct conn *c, struct lane *q, const uint8_t *msg,
		      size_t len)
{
	if (!lane_pending(&c->prio) && !lane_pending(&c->bulk))
		c->progress_ms = loop_now_ms();
	return lane_put(q, msg, len);
}

/* OPEN, KEEPALIVE, NOTIFICATION: ahead of queued UPDATEs, written now */
static int conn_send_prio(struct conn *c, const uint8_t *msg, size_t len)
{
	int r;

	if (conn_queue(c, &c->prio, msg, len) < 0)
		return -ENOBUFS;
	r = conn_flush(c);
	return r;
}

static void record_notif(struct bgp_notif_info *ni,
			 const struct bgp_notification *n)
{
	const uint8_t *txt;
	size_t tlen;
	char why[BGP_REASON_LEN];

	ni->valid = true;
	ni->when = time(NULL);
	ni->code = n->code;
	ni->subcode = n->subcode;
	ni->code_name = bgp_err_name(n->code);
	ni->subcode_name = bgp_suberr_name(n->code, n->subcode);
	ni->text[0] = '\0';
	if (bgp_notification_shutdown(n, &txt, &tlen, why, sizeof(why)) > 0)
		bgp_sanitize(txt, tlen, ni->text, sizeof(ni->text));
}

static void send_notification(struct conn *c, const struct bgp_notification *n)
{
	uint8_t buf[BGP_MSG_MAX];
	int len = bgp_build_notification(n, buf, sizeof(buf));

	record_notif(&c->s->info.notif_sent, n);
	if (len > 0)
		conn_send_prio(c, buf, (size_t)len);
}

static void send_keepalive(struct conn *c)
{
	uint8_t buf[BGP_HDR_LEN];

	/* one unwritten message is enough to reset the peer's hold timer */
	if (lane_pending(&c->prio))
		return;
	if (bgp_build_keepalive(buf, sizeof(buf)) == BGP_HDR_LEN &&
	    conn_send_prio(c, buf, BGP_HDR_LEN) < 0)
		conn_fail(c, NULL, K_LOSS, "TCP write: %s", strerror(errno));
}

/* ---- connections ---- */

/*
 * Read and drop what the peer sent, DRAIN_MAX at most, so that close()
 * ends with a FIN and not an RST that could destroy our NOTIFICATION in
 * the peer's buffer. Return: true once the peer has closed (or the
 * socket failed), false while it may send more.
 */
static bool drain(int fd)
{
	uint8_t buf[4096];
	size_t total = 0;
	ssize_t r = -1;

	while (total < DRAIN_MAX &&
	       (r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		total += (size_t)r;
	return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
			  errno != EINTR);
}

static void linger_end(void *arg)
{
	struct closing *lg = arg, **pp;
	struct bgp_session *s = lg->s;

	loop_timer_cancel(s->loop, &lg->timer);
	loop_del_fd(s->loop, lg->fd);
	close(lg->fd);
	for (pp = &s->lingering; *pp != lg; pp = &(*pp)->next)
		;
	*pp = lg->next;
	s->n_lingering--;
	free(lg);
}

/*
 * the peer sent more, or closed: drop it (a bounded read, the loop comes
 * back while there is more), and end at its FIN
 */
static void linger_io(void *arg, uint32_t events)
{
	struct closing *lg = arg;

	(void)events;
	if (drain(lg->fd))
		linger_end(lg);
}

/*
 * Close @fd, whose write side is shut down, once the peer has closed too
 * (struct closing); at once if @s has LINGER_MAX such sockets already or
 * without memory.
 */
static void linger_close(struct bgp_session *s, int fd)
{
	struct closing *lg = NULL;

	if (s->n_lingering < LINGER_MAX)
		lg = calloc(1, sizeof(*lg));
	if (!lg || loop_add_fd(s->loop, fd, EPOLLIN, linger_io, lg) < 0) {
		free(lg);
		close(fd);
		return;
	}
	lg->s = s;
	lg->fd = fd;
	loop_timer_init(&lg->timer, linger_end, lg);
	loop_timer_arm(s->loop, &lg->timer, LINGER_MS);
	lg->next = s->lingering;
	s->lingering = lg;
	s->n_lingering++;
}

/* close c's socket (after a NOTIFICATION if n), free the slot */
static void conn_close(struct conn *c, const struct bgp_notification *n)
{
	struct bgp_session *s = c->s;
	bool peer_closed;

	if (c->fd >= 0) {
		if (n && c->state >= BGP_OPENSENT)
			send_notification(c, n);
		loop_del_fd(s->loop, c->fd);
		peer_closed = drain(c->fd);
		shutdown(c->fd, SHUT_WR);
		if (peer_closed)
			close(c->fd);
		else
			linger_close(s, c->fd);
	}
	loop_timer_cancel(s->loop, &c->hold);
	loop_timer_cancel(s->loop, &c->keepalive);
	loop_timer_cancel(s->loop, &c->resume);
	lane_free(&c->prio);
	lane_free(&c->bulk);
	c->fd = -1;
	c->gen++;
	c->state = BGP_IDLE;
	c->paused = false;
	c->events = 0;
	c->in_len = 0;
	c->have_open = false;
	if (s->est == c) {
		s->est = NULL;
		s->blocked = false;
		s->info.sendq_bytes = 0;
	}
}

static void hold_arm(struct conn *c)
{
	struct bgp_session *s = c->s;

	if (c->state == BGP_OPENSENT)
		loop_timer_arm(s->loop, &c->hold, OPENSENT_HOLD_MS);
	else if (c->hold_time)
		loop_timer_arm(s->loop, &c->hold, c->hold_time * 1000ull);
	else
		loop_timer_cancel(s->loop, &c->hold);
}

static void on_hold(void *arg)
{
	struct conn *c = arg;
	struct bgp_notification n;
	unsigned int secs = c->state == BGP_OPENSENT ?
		OPENSENT_HOLD_MS / 1000 : c->hold_time;

	bgp_notif_set(&n, BGP_ERR_HOLD, 0, NULL, 0);
	conn_fail(c, &n, K_LOSS, "hold timer expired (%u s without a message%s)",
		  secs, c->state == BGP_OPENSENT ? " in OpenSent" : "");
}

static uint64_t sendhold_ms(const struct conn *c)
{
	uint64_t h = 2000ull * c->hold_time;

	return h > SENDHOLD_MIN_MS ? h : SENDHOLD_MIN_MS;
}

static void on_keepalive(void *arg)
{
	struct conn *c = arg;
	struct bgp_session *s = c->s;
	uint64_t now = loop_now_ms(), ka = c->keepalive_s * 1000ull;
	struct bgp_notification n;

	if ((lane_pending(&c->prio) || lane_pending(&c->bulk)) &&
	    now - c->progress_ms > sendhold_ms(c)) {
		bgp_notif_set(&n, BGP_ERR_SEND_HOLD, 0, NULL, 0);
		conn_fail(c, &n, K_ERROR, "send hold timer expired (RFC 9687): nothing written for %llu s",
			  (unsigned long long)(now - c->progress_ms) / 1000);
		return;
	}
	/* RFC 4271 8.2.2: any message sent restarts the KeepaliveTimer */
	if (now - c->last_sent_ms + 50 < ka) {
		loop_timer_arm(s->loop, &c->keepalive, ka - (now - c->last_sent_ms));
		return;
	}
	loop_timer_arm(s->loop, &c->keepalive, ka);
	send_keepalive(c);
}

static void on_resume(void *arg)
{
	struct conn *c = arg;

	c->paused = false;
	conn_events(c);
	conn_input(c);
}

static void local_open(struct bgp_session *s, struct bgp_open *o)
{
	memset(o, 0, sizeof(*o));
	o->version = 4;
	o->as = s->cfg.local_as;
	o->hold_time = s->cfg.hold_time;
	o->bgp_id = s->cfg.bgp_id;
	o->cap_as4 = o->cap_rr = o->cap_err = true;
	for (unsigned int af = 0; af < BGP_AF_COUNT; af++) {
		if (!(s->cfg.afs & BGP_AFS(af)))
			continue;
		o->mp[o->n_mp++] = (struct bgp_afi_safi){
			.afi = afi_of(af), .safi = BGP_SAFI_UNICAST };
		if (!s->cfg.gr_time)
			continue;
		o->gr[o->n_gr++] = (struct bgp_afi_safi){
			.afi = afi_of(af), .safi = BGP_SAFI_UNICAST,
			.flags = s->cfg.gr_fwd_afs & BGP_AFS(af) ?
				 BGP_GR_AF_F : 0 };
	}
	if (s->cfg.gr_time) {
		o->cap_gr = true;
		o->gr_time = s->cfg.gr_time > BGP_GR_TIME_MAX ?
			     BGP_GR_TIME_MAX : s->cfg.gr_time;
		o->gr_flags = s->cfg.gr_restarting ? BGP_GR_R : 0;
	}
}

/* TCP is up on c: send our OPEN, OpenSent with the large hold time */
static void conn_opensent(struct conn *c)
{
	struct bgp_session *s = c->s;
	uint8_t buf[BGP_MSG_MAX];
	char err[BGP_REASON_LEN];
	int len;

	local_open(s, &s->info.local_open);
	len = bgp_build_open(&s->info.local_open, buf, sizeof(buf), err,
			     sizeof(err));
	c->state = BGP_OPENSENT;
	/* ConnectRetry is also the connect timeout of a connecting socket */
	if (s->conn[0].state != BGP_CONNECT && s->conn[1].state != BGP_CONNECT)
		loop_timer_cancel(s->loop, &s->retry);
	hold_arm(c);
	conn_events(c);
	if (len < 0) {
		conn_fail(c, NULL, K_ERROR, "cannot build our OPEN: %s", err);
		return;
	}
	if (conn_send_prio(c, buf, (size_t)len) < 0)
		conn_fail(c, NULL, K_LOSS, "TCP write: %s", strerror(errno));
}

static void conn_io(void *arg, uint32_t events);

static struct conn *conn_slot(struct bgp_session *s)
{
	for (int i = 0; i < 2; i++)
		if (s->conn[i].state == BGP_IDLE)
			return &s->conn[i];
	return NULL;
}

static int conn_attach(struct conn *c, int fd, bool outgoing,
		       enum bgp_state st)
{
	int r;

	c->fd = fd;
	c->outgoing = outgoing;
	c->state = st;
	c->events = st == BGP_CONNECT ? EPOLLOUT : EPOLLIN;
	c->last_sent_ms = c->progress_ms = loop_now_ms();
	c->hold_time = c->keepalive_s = 0;
	r = loop_add_fd(c->s->loop, fd, c->events, conn_io, c);
	if (r < 0) {
		c->fd = -1;
		c->state = BGP_IDLE;
		close(fd);
	}
	return r;
}

/* ---- session state ---- */

static enum bgp_state derive_state(const struct bgp_session *s)
{
	enum bgp_state best = BGP_IDLE;

	if (!s->admin_up || s->idle_hold)
		return BGP_IDLE;
	for (int i = 0; i < 2; i++)
		if (s->conn[i].state > best)
			best = s->conn[i].state;
	if (best >= BGP_OPENSENT || best == BGP_CONNECT)
		return best;
	return BGP_ACTIVE;
}

static int state_level(enum bgp_state a, enum bgp_state b)
{
	if (a == BGP_ESTABLISHED || b == BGP_ESTABLISHED)
		return LOG_NOTICE;
	if ((a == BGP_CONNECT || a == BGP_ACTIVE) &&
	    (b == BGP_CONNECT || b == BGP_ACTIVE))
		return LOG_DEBUG;
	return LOG_INFO;
}

static void fsm_sync(struct bgp_session *s, const char *why)
{
	enum bgp_state from = s->state, to = derive_state(s);

	if (from == to)
		return;
	s->state = to;
	s->info.state = to;
	s->info.since = time(NULL);
	vlog(state_level(from, to), "%s: %s -> %s: %s", s->label,
	     bgp_state_name(from), bgp_state_name(to), why);
	if (s->ops.state)
		s->ops.state(s->arg, s, from, to, why);
}

static void on_idle(void *arg)
{
	struct bgp_session *s = arg;

	s->idle_hold = false;
	connect_start(s, "idle hold time over");
}

/* the session failed with no connection left: Idle for the idle hold */
static void go_idle(struct bgp_session *s, const char *why, bool backoff)
{
	uint32_t min = s->cfg.idle_hold_min_ms, max = s->cfg.idle_hold_max_ms;
	uint64_t d = min;

	loop_timer_cancel(s->loop, &s->retry);
	if (!s->admin_up)
		return;
	if (backoff) {
		s->info.failures++;
		for (unsigned int i = 1; i < s->info.failures && d < max; i++)
			d *= 2;
		if (d > max)
			d = max;
	} else {
		d = 0;
	}
	s->info.idle_hold_ms = (uint32_t)d;
	s->idle_hold = true;
	loop_timer_arm(s->loop, &s->idle, d);
	fsm_sync(s, why);
	if (d)
		vlog(LOG_INFO, "%s: idle hold %llu ms (failure %u in a row; doubling up to %u ms until it stays up %u s)",
		     s->label, (unsigned long long)d, s->info.failures, max,
		     s->cfg.stable_ms / 1000);
}

static void gr_families(const struct bgp_open *o, uint8_t *afs,
			uint8_t *fwd)
{
	*afs = *fwd = 0;
	for (unsigned int i = 0; i < o->n_gr; i++) {
		int af = af_of(o->gr[i].afi, o->gr[i].safi);

		if (af < 0)
			continue;
		*afs |= BGP_AFS(af);
		if (o->gr[i].flags & BGP_GR_AF_F)
			*fwd |= BGP_AFS(af);
	}
}

uint8_t bgp_gr_helper_keep(const struct bgp_open *po, uint8_t afs)
{
	uint8_t gr_afs, fwd;

	if (!po || !po->cap_gr)
		return 0;
	gr_families(po, &gr_afs, &fwd);
	return fwd & afs;
}

bool bgp_gr_peer_lost_all(const struct bgp_open *po, uint8_t afs)
{
	return po && po->cap_gr && (po->gr_flags & BGP_GR_R) && afs &&
	       !bgp_gr_helper_keep(po, afs);
}

/* before c (Established) is closed: what the owner will be told */
static void down_prepare(const struct conn *c, bool loss, struct bgp_down *d)
{
	const struct bgp_open *po = &c->open;

	memset(d, 0, sizeof(*d));
	/* RFC 4724: without a NOTIFICATION (RFC 8538's N bit: not done) */
	if (loss && po->cap_gr) {
		d->graceful = true;
		d->restart_time = po->gr_time;
		gr_families(po, &d->gr_afs, &d->gr_fwd_afs);
	}
}

/* the Established connection is closed now: tell the owner */
static void session_down(struct bgp_session *s, struct bgp_down *d,
			 const char *why)
{
	d->reason = why;
	s->info.flaps++;
	s->info.up_since = 0;
	if (loop_now_ms() - s->up_ms >= s->cfg.stable_ms)
		s->info.failures = 0;
	if (d->graceful)
		vlog(LOG_NOTICE, "%s: graceful restart: keeping its routes stale for %u s",
		     s->label, d->restart_time);
	if (s->ops.down)
		s->ops.down(s->arg, s, d);
}

static void conn_fail(struct conn *c, const struct bgp_notification *n,
		      enum fail_kind kind, const char *fmt, ...)
{
	struct bgp_session *s = c->s;
	enum bgp_state was = c->state;
	char why[BGP_SESSION_ERR_MAX];
	struct bgp_down d;
	va_list ap;

	if (was == BGP_IDLE)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (was == BGP_CONNECT)
		set_connect_error(s, why);
	else if (kind != K_COLLISION)
		set_error(s, why);
	if (was == BGP_ESTABLISHED)
		down_prepare(c, kind == K_LOSS, &d);
	conn_close(c, n);
	if (was == BGP_ESTABLISHED)
		session_down(s, &d, why);
	if (!s->admin_up)
		return;	/* the owner stopped it from down() */
	if (s->conn[0].state != BGP_IDLE || s->conn[1].state != BGP_IDLE) {
		vlog(LOG_INFO, "%s: %s connection closed: %s", s->label,
		     conn_dir(c), why);
		fsm_sync(s, why);
		return;
	}
	if (was == BGP_CONNECT) {
		arm_retry(s);
		fsm_sync(s, why);
		return;
	}
	if (kind == K_COLLISION) {
		connect_start(s, why);
		return;
	}
	go_idle(s, why, true);
}

/* ---- connecting ---- */

static void arm_retry(struct bgp_session *s)
{
	uint64_t d = s->cfg.connect_retry_ms;

	/* RFC 4271 10: jitter, 75..100 % */
	d -= rnd(s) % (d / 4 + 1);
	loop_timer_arm(s->loop, &s->retry, d);
}

static int listen_open(struct bgp_session *s);

static bool want_connect(struct bgp_session *s)
{
	if (!s->admin_up || s->idle_hold || s->cfg.passive)
		return false;
	for (int i = 0; i < 2; i++) {
		const struct conn *c = &s->conn[i];

		/* RFC 4271 8: ConnectRetry is stopped in OpenSent and on */
		if (c->state >= BGP_OPENSENT ||
		    (c->state == BGP_CONNECT && c->outgoing))
			return false;
	}
	return conn_slot(s) != NULL;
}

/* our socket, bound to the local address, connecting; -1 with why */
static int connect_socket(struct bgp_session *s, char *why, size_t wlen)
{
	struct sockaddr_storage la, pa;
	socklen_t llen, plen;
	int fd;

	fd = socket(s->cfg.peer.family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, wlen, "socket: %s", strerror(errno));
		return -1;
	}
	sockaddr_of(&s->cfg.local, 0, &la, &llen);
	sockaddr_of(&s->cfg.peer, s->cfg.peer_port, &pa, &plen);
	if (sock_opts(s, fd, why, wlen) < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&la, llen) < 0) {
		snprintf(why, wlen, "bind: %s", strerror(errno));
		goto fail;
	}
	s->info.connect_attempts++;
	if (connect(fd, (struct sockaddr *)&pa, plen) < 0 &&
	    errno != EINPROGRESS) {
		snprintf(why, wlen, "connect: %s", strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

static void connect_now(struct bgp_session *s)
{
	char why[BGP_REASON_LEN];
	int fd = connect_socket(s, why, sizeof(why));

	if (fd < 0) {
		vlog(LOG_DEBUG, "%s: %s", s->label, why);
		set_connect_error(s, why);
		return;
	}
	if (conn_attach(conn_slot(s), fd, true, BGP_CONNECT) < 0)
		return;
	fsm_sync(s, "connecting");
}

/* connect if the FSM wants to, and (re)arm ConnectRetry */
static void connect_start(struct bgp_session *s, const char *why)
{
	if (!s->admin_up || s->idle_hold)
		return;
	if (s->lfd < 0)
		listen_open(s);
	if (want_connect(s))
		connect_now(s);
	/* ConnectRetry also retries a listener that could not be opened */
	if (want_connect(s) || (s->cfg.passive && s->lfd < 0) ||
	    s->conn[0].state == BGP_CONNECT || s->conn[1].state == BGP_CONNECT)
		arm_retry(s);
	fsm_sync(s, why);
}

static void on_retry(void *arg)
{
	struct bgp_session *s = arg;

	for (int i = 0; i < 2; i++)
		if (s->conn[i].state == BGP_CONNECT) {
			set_connect_error(s, "connect timed out");
			conn_close(&s->conn[i], NULL);
		}
	connect_start(s, "ConnectRetry timer expired");
}

static void connect_done(struct conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == EINPROGRESS)
		return;
	if (err) {
		vlog(LOG_DEBUG, "%s: connect: %s", c->s->label, strerror(err));
		conn_fail(c, NULL, K_LOSS, "connect: %s", strerror(err));
		return;
	}
	vlog(LOG_DEBUG, "%s: connected", c->s->label);
	conn_opensent(c);
	fsm_sync(c->s, "connected, OPEN sent");
}

/* ---- listening ---- */

static void refuse(struct bgp_session *s, int fd,
		   const struct sockaddr_storage *ss, const char *why)
{
	char a[INET6_ADDRSTRLEN];
	unsigned int lost;

	if (rl_allow(&s->rl_refused, 1, REFUSED_WINDOW_MS, &lost))
		vlog(LOG_WARNING, "%s: connection from %s refused: %s (at most one such line a minute; %u not logged)",
		     s->label, ss_str(ss, a, sizeof(a)), why, lost);
	close(fd);
}

static void take_incoming(struct bgp_session *s, int fd)
{
	char why[BGP_REASON_LEN];
	struct conn *c = conn_slot(s);

	if (!c) {
		/* both taken: the peer gave up on its earlier connection */
		for (int i = 0; i < 2 && !c; i++)
			if (!s->conn[i].outgoing &&
			    s->conn[i].state != BGP_ESTABLISHED) {
				c = &s->conn[i];
				conn_close(c, NULL);
			}
		if (!c) {
			vlog(LOG_INFO, "%s: incoming connection closed: no free slot",
			     s->label);
			close(fd);
			return;
		}
	}
	/* the listener's options are inherited; GTSM's TTL set again */
	if (set_gtsm(s, fd) < 0) {
		snprintf(why, sizeof(why), "%s", strerror(errno));
		vlog(LOG_ERR, "%s: ttl-security on an accepted socket: %s",
		     s->label, why);
	}
	if (conn_attach(c, fd, false, BGP_OPENSENT) < 0)
		return;
	vlog(LOG_DEBUG, "%s: incoming connection accepted", s->label);
	conn_opensent(c);
	fsm_sync(s, "incoming connection, OPEN sent");
}

static void on_accept(void *arg, uint32_t events)
{
	struct bgp_session *s = arg;

	(void)events;
	for (int i = 0; i < ACCEPT_BATCH && s->lfd >= 0; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(s->lfd, (struct sockaddr *)&ss, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		if (!addr_is(&s->cfg.peer, &ss)) {
			s->info.refused++;
			refuse(s, fd, &ss, "not the configured peer");
		} else if (!s->admin_up || s->idle_hold) {
			vlog(LOG_DEBUG, "%s: incoming connection closed: Idle",
			     s->label);
			close(fd);
		} else {
			take_incoming(s, fd);
		}
	}
}

/* bind, listen, register; -1 with why */
static int listen_setup(struct bgp_session *s, int fd, char *why, size_t wlen)
{
	struct sockaddr_storage la;
	socklen_t llen;
	int one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s->cfg.local.family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (sock_opts(s, fd, why, wlen) < 0)
		return -1;
	sockaddr_of(&s->cfg.local, s->cfg.local_port, &la, &llen);
	if (bind(fd, (struct sockaddr *)&la, llen) < 0) {
		snprintf(why, wlen, "bind port %u: %s", s->cfg.local_port,
			 strerror(errno));
		return -1;
	}
	if (listen(fd, 4) < 0) {
		snprintf(why, wlen, "listen: %s", strerror(errno));
		return -1;
	}
	if (loop_add_fd(s->loop, fd, EPOLLIN, on_accept, s) < 0) {
		snprintf(why, wlen, "no room in the event loop");
		return -1;
	}
	return 0;
}

static int listen_open(struct bgp_session *s)
{
	char why[BGP_REASON_LEN];
	int fd;

	fd = socket(s->cfg.local.family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
	if (fd < 0) {
		vlog(LOG_ERR, "%s: socket: %s", s->label, strerror(errno));
		return -1;
	}
	if (listen_setup(s, fd, why, sizeof(why)) < 0) {
		vlog(LOG_ERR, "%s: cannot listen: %s; trying again every ConnectRetry",
		     s->label, why);
		set_error(s, why);
		close(fd);
		return -1;
	}
	s->lfd = fd;
	return 0;
}

/* ---- receiving ---- */

static void log_notes(struct bgp_session *s, const struct bgp_update *u)
{
	char line[LOG_LINE_MAX];
	size_t o = 0;
	unsigned int lost;

	if (!u->n_notes)
		return;
	if (!rl_allow(&s->rl_notes, NOTES_BURST, NOTES_WINDOW_MS, &lost)) {
		s->info.notes_suppressed++;
		return;
	}
	s->info.notes_logged++;
	for (unsigned int i = 0; i < u->n_notes && o < sizeof(line); i++)
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%s",
				      i ? "; " : "", u->notes[i].reason);
	vlog(LOG_WARNING, "%s: UPDATE %s: %s%s (%u more notes; %u UPDATE(s) not logged before this one)",
	     s->label, bgp_decision_name(u->decision), line,
	     o >= sizeof(line) ? "..." : "", u->notes_lost, lost);
}

static void disable_af(struct conn *c, unsigned int af, const char *why)
{
	struct bgp_session *s = c->s;

	if (af >= BGP_AF_COUNT || (s->info.afs_disabled & BGP_AFS(af)))
		return;
	s->info.afs_disabled |= BGP_AFS(af);
	s->ctx.afs &= (uint8_t)~BGP_AFS(af);
	s->info.ctx = s->ctx;
	vlog(LOG_WARNING, "%s: %s disabled for this session (RFC 7606): %s",
	     s->label, bgp_af_name(af), why);
	if (s->ops.af_disabled)
		s->ops.af_disabled(s->arg, s, af, why);
}

static void handle_update(struct conn *c, const uint8_t *msg, size_t len)
{
	struct bgp_session *s = c->s;
	struct bgp_update *u = &s->upd;
	unsigned int gen = c->gen;
	enum bgp_decision d = bgp_update_decode(&s->ctx, msg, len, u);

	log_notes(s, u);
	if (d == BGP_UPD_SESSION_RESET) {
		const char *r = u->n_notes ? u->notes[0].reason : "malformed";

		conn_fail(c, &u->notif, K_ERROR, "%s%s",
			  strncmp(r, "UPDATE:", 7) ? "UPDATE: " : "", r);
		return;
	}
	if (d == BGP_UPD_AF_DISABLE) {
		disable_af(c, u->disable_af,
			   u->n_notes ? u->notes[0].reason : "malformed");
		if (c->gen != gen)
			return;
	}
	if (u->eor >= 0) {
		if (!(s->info.afs_disabled & BGP_AFS(u->eor)) && s->ops.eor)
			s->ops.eor(s->arg, s, (enum bgp_af)u->eor);
		return;
	}
	if (s->ops.update)
		s->ops.update(s->arg, s, u);
}

static void handle_refresh(struct conn *c, const uint8_t *msg, size_t len)
{
	struct bgp_session *s = c->s;
	struct bgp_route_refresh rr;
	struct bgp_notification err;
	int r = bgp_route_refresh_decode(msg, len, &rr, &err), af;

	if (r < 0) {
		conn_fail(c, &err, K_ERROR, "malformed ROUTE-REFRESH (%zu bytes)",
			  len);
		return;
	}
	af = af_of(rr.afi, rr.safi);
	if (r > 0 || af < 0 || !(s->ctx.afs & BGP_AFS(af))) {
		/* RFC 2918 4, RFC 7313 5: ignored */
		vlog(LOG_INFO, "%s: ROUTE-REFRESH for AFI %u SAFI %u subtype %u ignored (not negotiated or unknown)",
		     s->label, rr.afi, rr.safi, rr.subtype);
		return;
	}
	vlog(LOG_INFO, "%s: ROUTE-REFRESH %s for %s", s->label,
	     rr.subtype == BGP_RR_BORR ? "BoRR" :
	     rr.subtype == BGP_RR_EORR ? "EoRR" : "request", bgp_af_name(af));
	if (s->ops.refresh)
		s->ops.refresh(s->arg, s, (enum bgp_af)af, rr.subtype);
}

static void handle_notification(struct conn *c, const uint8_t *msg,
				size_t len)
{
	struct bgp_session *s = c->s;
	struct bgp_notification *n = &s->upd.notif;	/* big: no stack */
	struct bgp_notif_info *ni = &s->info.notif_rcvd;

	if (bgp_notification_decode(msg, len, n) < 0) {
		conn_fail(c, NULL, K_NOTIF, "malformed NOTIFICATION received (%zu bytes)",
			  len);
		return;
	}
	record_notif(ni, n);
	conn_fail(c, NULL, K_NOTIF, "NOTIFICATION received: %s/%s (%u/%u)%s%s%s",
		  ni->code_name, ni->subcode_name, n->code, n->subcode,
		  ni->text[0] ? " \"" : "", ni->text, ni->text[0] ? "\"" : "");
}

/*
 * RFC 4271 6.8 between c (whose OPEN just came) and o (in OpenConfirm):
 * the connection opened by the side with the higher BGP identifier
 * stays (equal identifiers, RFC 6286: the higher AS). Returns the loser.
 */
static struct conn *collision_loser(struct conn *c, struct conn *o)
{
	struct bgp_session *s = c->s;
	uint32_t peer_id = c->open.bgp_id, local_id = s->cfg.bgp_id;
	bool we_win = local_id > peer_id ||
		      (local_id == peer_id && s->cfg.local_as > c->open.as);
	struct conn *ours = c->outgoing ? c : o, *theirs = c->outgoing ? o : c;

	return we_win ? theirs : ours;
}

/* an OPEN on c while o exists; false if c is closed */
static bool resolve_collision(struct conn *c, struct conn *o)
{
	struct bgp_session *s = c->s;
	struct bgp_notification n;
	struct conn *loser;

	bgp_notif_set(&n, BGP_ERR_CEASE, BGP_CEASE_COLLISION, NULL, 0);
	if (o->state == BGP_ESTABLISHED) {
		if (o->open.cap_gr) {
			/* RFC 4724 4.2: the peer restarted */
			conn_fail(o, NULL, K_LOSS, "peer restarted: new connection with graceful restart while Established");
			return c->state != BGP_IDLE;
		}
		s->info.collisions++;
		conn_fail(c, &n, K_COLLISION, "connection collision: keeping the Established %s connection",
			  conn_dir(o));
		return false;
	}
	if (o->state != BGP_OPENCONFIRM)
		return true;	/* decided when o gets its OPEN */
	loser = collision_loser(c, o);
	s->info.collisions++;
	vlog(LOG_INFO, "%s: connection collision: BGP identifier %08x (ours) vs %08x: closing the %s connection",
	     s->label, s->cfg.bgp_id, c->open.bgp_id, conn_dir(loser));
	conn_fail(loser, &n, K_COLLISION, "connection collision (RFC 4271 6.8): the %s connection lost",
		  conn_dir(loser));
	return loser != c;
}

static void handle_open(struct conn *c, const uint8_t *msg, size_t len)
{
	struct bgp_session *s = c->s;
	struct bgp_open_expect exp = {
		.peer_as = s->cfg.peer_as, .local_as = s->cfg.local_as,
		.local_id = s->cfg.bgp_id, .min_hold = s->cfg.min_hold,
	};
	struct bgp_notification *err = &s->upd.notif;
	struct conn *o = other_conn(c);
	uint16_t hold;

	memcpy(c->open_msg, msg, len);
	c->open_len = len;
	if (bgp_open_decode(c->open_msg, len, &exp, &c->open, err) < 0) {
		conn_fail(c, err, K_ERROR, "OPEN refused: %s", c->open.why);
		return;
	}
	c->have_open = true;
	if (c->open.why[0])
		vlog(LOG_INFO, "%s: OPEN: %s", s->label, c->open.why);
	if (o && !resolve_collision(c, o))
		return;
	hold = bgp_open_negotiate(&s->info.local_open, &c->open,
				  s->cfg.local_as != s->cfg.peer_as, &c->ctx);
	if (s->cfg.local.family == AF_INET)
		c->ctx.local_ip4 = ntohl(s->cfg.local.v4.s_addr);
	c->hold_time = hold;
	c->keepalive_s = hold / 3;
	c->state = BGP_OPENCONFIRM;
	hold_arm(c);
	if (hold) {
		loop_timer_arm(s->loop, &c->keepalive, c->keepalive_s * 1000ull);
		send_keepalive(c);
	} else {
		/* no hold time: no KEEPALIVEs either, but one to confirm */
		uint8_t ka[BGP_HDR_LEN];

		bgp_build_keepalive(ka, sizeof(ka));
		conn_send_prio(c, ka, sizeof(ka));
	}
	fsm_sync(s, "OPEN received, KEEPALIVE sent");
}

static void established(struct conn *c)
{
	struct bgp_session *s = c->s;
	struct conn *o = other_conn(c);
	struct bgp_notification n;
	unsigned int gen = c->gen;

	if (o) {
		bgp_notif_set(&n, BGP_ERR_CEASE, BGP_CEASE_COLLISION, NULL, 0);
		s->info.collisions++;
		conn_fail(o, &n, K_COLLISION, "connection collision: the %s connection is Established",
			  conn_dir(c));
		if (c->gen != gen)
			return;
	}
	c->state = BGP_ESTABLISHED;
	s->est = c;
	s->ctx = c->ctx;
	s->up_ms = loop_now_ms();
	s->blocked = false;
	memcpy(s->peer_open_msg, c->open_msg, c->open_len);
	/* decode again: the unknown capabilities point into the copy */
	bgp_open_decode(s->peer_open_msg, c->open_len, NULL,
			&s->info.peer_open, &n);
	s->info.have_peer_open = true;
	s->info.ctx = s->ctx;
	s->info.afs_disabled = 0;
	s->info.hold_time = c->hold_time;
	s->info.keepalive = c->keepalive_s;
	s->info.outgoing = c->outgoing;
	s->info.up_since = time(NULL);
	s->info.sendq_bytes = 0;
	set_error(s, "");
	if (s->ops.up)
		s->ops.up(s->arg, s);
	if (c->gen != gen)
		return;
	fsm_sync(s, "KEEPALIVE received");
}

static void fsm_error(struct conn *c, uint8_t type)
{
	struct bgp_notification n;
	uint8_t sub = c->state == BGP_OPENSENT ? 1 :
		      c->state == BGP_OPENCONFIRM ? 2 : 3;	/* RFC 6608 */

	bgp_notif_set(&n, BGP_ERR_FSM, sub, NULL, 0);
	conn_fail(c, &n, K_ERROR, "unexpected %s in %s", bgp_msg_name(type),
		  bgp_state_name(c->state));
}

static void handle_msg(struct conn *c, const uint8_t *msg, size_t len)
{
	struct bgp_session *s = c->s;
	uint8_t type = msg[18];

	s->info.in[type].msgs++;
	s->info.in[type].bytes += len;
	/* any message restarts the hold timer (RFC 4271 8.2.2) */
	if (c->state != BGP_OPENSENT)
		hold_arm(c);
	if (type == BGP_MSG_NOTIFICATION) {
		handle_notification(c, msg, len);
		return;
	}
	switch (c->state) {
	case BGP_OPENSENT:
		if (type != BGP_MSG_OPEN)
			break;
		handle_open(c, msg, len);
		return;
	case BGP_OPENCONFIRM:
		if (type != BGP_MSG_KEEPALIVE)
			break;
		established(c);
		return;
	case BGP_ESTABLISHED:
		if (type == BGP_MSG_KEEPALIVE)
			return;
		if (type == BGP_MSG_UPDATE) {
			handle_update(c, msg, len);
			return;
		}
		if (type == BGP_MSG_ROUTE_REFRESH) {
			handle_refresh(c, msg, len);
			return;
		}
		break;
	default:
		return;
	}
	fsm_error(c, type);
}

/* one read's worth; 1: more may come, 0: nothing now, -1: c closed */
static int conn_read(struct conn *c)
{
	ssize_t r;

	if (c->in_len == sizeof(c->in))
		return 0;
	r = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
		 MSG_DONTWAIT);
	if (r > 0) {
		c->in_len += (size_t)r;
		return 1;
	}
	if (r == 0) {
		conn_fail(c, NULL, K_LOSS, "TCP connection closed by the peer%s",
			  c->state == BGP_OPENSENT ? " in OpenSent (wrong MD5 key, or we are not configured there?)" : "");
		return -1;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	conn_fail(c, NULL, K_LOSS, "TCP read: %s", strerror(errno));
	return -1;
}

/*
 * Handle at most BGP_SESSION_MSG_BATCH messages, reading as needed;
 * with more left, stop reading and come back on the next loop turn.
 */
static void conn_input(struct conn *c)
{
	unsigned int gen = c->gen, n = 0;
	struct bgp_notification err;
	size_t off = 0, mlen;

	while (n < BGP_SESSION_MSG_BATCH) {
		enum bgp_frame_result fr = bgp_frame(c->in + off,
						     c->in_len - off, &mlen,
						     &err);

		if (fr == BGP_FRAME_ERROR) {
			conn_fail(c, &err, K_ERROR, "message header error: %s/%s",
				  bgp_err_name(err.code),
				  bgp_suberr_name(err.code, err.subcode));
			return;
		}
		if (fr == BGP_FRAME_MSG) {
			handle_msg(c, c->in + off, mlen);
			if (c->gen != gen)
				return;
			off += mlen;
			n++;
			continue;
		}
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
		off = 0;
		if (conn_read(c) <= 0)
			break;
	}
	if (c->gen != gen)
		return;
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
	if (n >= BGP_SESSION_MSG_BATCH) {
		c->paused = true;
		loop_timer_arm(c->s->loop, &c->resume, RESUME_MS);
		conn_events(c);
	}
}

static void conn_io(void *arg, uint32_t events)
{
	struct conn *c = arg;
	unsigned int gen = c->gen;
	int r;

	if (c->state == BGP_CONNECT) {
		connect_done(c);
		return;
	}
	if (events & EPOLLOUT) {
		r = conn_flush(c);
		if (r < 0) {
			conn_fail(c, NULL, K_LOSS, "TCP write: %s", strerror(-r));
			return;
		}
		if (c == c->s->est)
			bulk_check(c->s);
		if (c->gen != gen)
			return;
	}
	if (!c->paused && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		conn_input(c);
}

/* ---- API ---- */

static int cfg_check(struct bgp_session_cfg *c, char *err, size_t len)
{
	if (c->local.family != AF_INET && c->local.family != AF_INET6)
		return snprintf(err, len, "local address: no family"), -1;
	if (c->peer.family != c->local.family)
		return snprintf(err, len, "local and peer address of different families"), -1;
	if (!c->local_as || !c->peer_as)
		return snprintf(err, len, "AS 0"), -1;
	if (!c->bgp_id)
		return snprintf(err, len, "BGP identifier 0.0.0.0"), -1;
	if (c->hold_time == 1 || c->hold_time == 2)
		return snprintf(err, len, "hold time %u (0 or 3..65535)",
				c->hold_time), -1;
	if (!c->afs || (c->afs & ~(BGP_AFS(BGP_AF_IPV4) | BGP_AFS(BGP_AF_IPV6))))
		return snprintf(err, len, "no or unknown address families"), -1;
	if (!memchr(c->md5_key, 0, sizeof(c->md5_key)) ||
	    !memchr(c->dev, 0, sizeof(c->dev)) ||
	    !memchr(c->name, 0, sizeof(c->name)))
		return snprintf(err, len, "unterminated string"), -1;
	c->local_port = c->local_port ? c->local_port : BGP_PORT;
	c->peer_port = c->peer_port ? c->peer_port : BGP_PORT;
	c->connect_retry_ms = cfg_or(c->connect_retry_ms, 5000);
	c->idle_hold_min_ms = cfg_or(c->idle_hold_min_ms, 1000);
	c->idle_hold_max_ms = cfg_or(c->idle_hold_max_ms, 60000);
	c->stable_ms = cfg_or(c->stable_ms, 60000);
	if (!c->sendq_max)
		c->sendq_max = 1 << 20;
	if (!c->sendq_hiwat)
		c->sendq_hiwat = c->sendq_max / 4;
	if (!c->sendq_lowat)
		c->sendq_lowat = c->sendq_hiwat / 4;
	if (c->idle_hold_min_ms > c->idle_hold_max_ms ||
	    c->sendq_lowat >= c->sendq_hiwat || c->sendq_hiwat > c->sendq_max ||
	    c->sendq_max < BGP_MSG_MAX)
		return snprintf(err, len, "idle hold or send queue limits out of order"), -1;
	return 0;
}

struct bgp_session *bgp_session_new(struct loop *l,
				    const struct bgp_session_cfg *cfg,
				    const struct bgp_session_ops *ops,
				    void *arg, char *err, size_t errlen)
{
	struct bgp_session *s = calloc(1, sizeof(*s));
	char a[INET6_ADDRSTRLEN];

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	if (cfg_check(&s->cfg, err, errlen) < 0) {
		free(s);
		return NULL;
	}
	s->loop = l;
	if (ops)
		s->ops = *ops;
	s->arg = arg;
	s->lfd = -1;
	s->rng = ((uint64_t)s->cfg.bgp_id << 32 | (uintptr_t)s) ^ loop_now_ms();
	if (!s->rng)
		s->rng = 1;
	inet_ntop(s->cfg.peer.family, &s->cfg.peer.v6, a, sizeof(a));
	snprintf(s->label, sizeof(s->label), "bgp %s %s AS%u", s->cfg.name, a,
		 s->cfg.peer_as);
	loop_timer_init(&s->retry, on_retry, s);
	loop_timer_init(&s->idle, on_idle, s);
	for (int i = 0; i < 2; i++) {
		struct conn *c = &s->conn[i];

		c->s = s;
		c->fd = -1;
		c->prio.max = PRIO_MAX;
		c->bulk.max = s->cfg.sendq_max + BGP_MSG_MAX;
		loop_timer_init(&c->hold, on_hold, c);
		loop_timer_init(&c->keepalive, on_keepalive, c);
		loop_timer_init(&c->resume, on_resume, c);
	}
	local_open(s, &s->info.local_open);
	s->info.since = time(NULL);
	return s;
}

static void close_all(struct bgp_session *s, const struct bgp_notification *n)
{
	for (int i = 0; i < 2; i++)
		conn_close(&s->conn[i], n);
	if (s->lfd >= 0) {
		loop_del_fd(s->loop, s->lfd);
		close(s->lfd);
		s->lfd = -1;
	}
	loop_timer_cancel(s->loop, &s->retry);
	loop_timer_cancel(s->loop, &s->idle);
	s->idle_hold = false;
}

/* before @s goes: its lingering sockets are closed now */
static void linger_all_end(struct bgp_session *s)
{
	while (s->lingering)
		linger_end(s->lingering);
}

void bgp_session_free(struct bgp_session *s)
{
	struct bgp_notification n;

	if (!s)
		return;
	bgp_notif_set(&n, BGP_ERR_CEASE, BGP_CEASE_DECONFIGURED, NULL, 0);
	close_all(s, &n);
	linger_all_end(s);
	free(s);
}

void bgp_session_free_quiet(struct bgp_session *s)
{
	if (!s)
		return;
	close_all(s, NULL);
	linger_all_end(s);
	free(s);
}

int bgp_session_start(struct bgp_session *s)
{
	if (s->admin_up)
		return 0;
	s->admin_up = true;
	s->info.failures = 0;
	vlog(LOG_INFO, "%s: starting (%s, %s, hold %u s%s%s%s)", s->label,
	     s->cfg.local_as == s->cfg.peer_as ? "iBGP" : "eBGP",
	     s->cfg.passive ? "passive" : "active and passive",
	     s->cfg.hold_time, s->cfg.md5_key[0] ? ", MD5" : "",
	     s->cfg.ttl_security ? ", ttl-security" : "",
	     s->cfg.gr_time ? ", graceful restart" : "");
	connect_start(s, "started");
	return s->lfd >= 0 || !s->cfg.passive ? 0 : -1;
}

/* an admin Cease on every connection; down() if it was Established */
static void admin_close(struct bgp_session *s, const struct bgp_notification *n,
			const char *why)
{
	bool was_est = s->est != NULL;
	struct bgp_down d;

	if (was_est)
		down_prepare(s->est, false, &d);
	set_error(s, why);
	if (n)
		vlog(LOG_NOTICE, "%s: sending NOTIFICATION %s/%s: %s", s->label,
		     bgp_err_name(n->code),
		     bgp_suberr_name(n->code, n->subcode), why);
	for (int i = 0; i < 2; i++)
		conn_close(&s->conn[i], n);
	if (was_est)
		session_down(s, &d, why);
}

void bgp_session_stop(struct bgp_session *s, const char *text)
{
	struct bgp_notification n;
	char why[BGP_REASON_LEN];

	if (!s->admin_up)
		return;
	if (!text || bgp_notif_shutdown(&n, BGP_CEASE_SHUTDOWN, text) < 0)
		bgp_notif_set(&n, BGP_ERR_CEASE, BGP_CEASE_SHUTDOWN, NULL, 0);
	snprintf(why, sizeof(why), "stopped%s%.100s%s", text ? ": \"" : "",
		 text ? text : "", text ? "\"" : "");
	s->admin_up = false;
	admin_close(s, &n, why);
	close_all(s, NULL);
	fsm_sync(s, why);
}

void bgp_session_reset(struct bgp_session *s, const char *text)
{
	struct bgp_notification n;
	char why[BGP_REASON_LEN];

	if (!s->admin_up)
		return;
	if (!text || bgp_notif_shutdown(&n, BGP_CEASE_RESET, text) < 0)
		bgp_notif_set(&n, BGP_ERR_CEASE, BGP_CEASE_RESET, NULL, 0);
	snprintf(why, sizeof(why), "reset%s%.100s%s", text ? ": \"" : "",
		 text ? text : "", text ? "\"" : "");
	admin_close(s, &n, why);
	/* a ManualStop and a ManualStart: the backoff starts afresh (RFC
	 * 4271 8.2.2 zeroes ConnectRetryCounter on both) */
	s->info.failures = 0;
	if (s->admin_up)
		go_idle(s, why, false);
}

void bgp_session_maxprefix(struct bgp_session *s, enum bgp_af af,
			   uint32_t limit)
{
	struct bgp_notification n;
	char why[BGP_REASON_LEN];

	if (!s->est)
		return;
	bgp_notif_maxprefix(&n, afi_of(af), BGP_SAFI_UNICAST, limit);
	snprintf(why, sizeof(why), "maximum number of %s prefixes (%u) exceeded",
		 bgp_af_name(af), limit);
	admin_close(s, &n, why);
	if (s->admin_up)
		go_idle(s, why, true);
}

void bgp_session_resources(struct bgp_session *s, const char *why_text)
{
	struct bgp_notification n;
	char why[BGP_REASON_LEN];

	if (!s->est)
		return;
	bgp_notif_set(&n, BGP_ERR_CEASE, BGP_CEASE_RESOURCES, NULL, 0);
	snprintf(why, sizeof(why), "out of resources: %.100s",
		 why_text ? why_text : "");
	admin_close(s, &n, why);
	if (s->admin_up)
		go_idle(s, why, true);
}

void bgp_session_set_gr(struct bgp_session *s, bool restarting,
			uint8_t fwd_afs)
{
	s->cfg.gr_restarting = restarting;
	s->cfg.gr_fwd_afs = fwd_afs;
}

static int bulk_send(struct bgp_session *s, const uint8_t *msg, size_t len)
{
	struct conn *c = s->est;

	if (!c) {
		errno = ENOTCONN;
		return -1;
	}
	if (lane_pending(&c->bulk) + len > s->cfg.sendq_max ||
	    conn_queue(c, &c->bulk, msg, len) < 0) {
		errno = ENOBUFS;
		return -1;
	}
	/* written when the loop says the socket takes it: one write for many */
	conn_events(c);
	bulk_check(s);
	return 0;
}

int bgp_session_send(struct bgp_session *s, const uint8_t *msg, size_t len)
{
	if (len < BGP_UPDATE_MIN || len > BGP_MSG_MAX ||
	    get16(msg + 16) != len || msg[18] != BGP_MSG_UPDATE) {
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < BGP_MARKER_LEN; i++)
		if (msg[i] != 0xff) {
			errno = EINVAL;
			return -1;
		}
	return bulk_send(s, msg, len);
}

bool bgp_session_writable(const struct bgp_session *s)
{
	return s->est && !s->blocked &&
	       lane_pending(&s->est->bulk) < s->cfg.sendq_hiwat;
}

int bgp_session_send_eor(struct bgp_session *s, enum bgp_af af)
{
	uint8_t buf[64];
	int len = bgp_build_eor(af, buf, sizeof(buf));

	if (len < 0) {
		errno = EINVAL;
		return -1;
	}
	return bulk_send(s, buf, (size_t)len);
}

int bgp_session_route_refresh(struct bgp_session *s, enum bgp_af af,
			      uint8_t subtype)
{
	struct bgp_route_refresh rr = {
		.afi = afi_of(af), .safi = BGP_SAFI_UNICAST, .subtype = subtype,
	};
	const struct bgp_open *po = &s->info.peer_open;
	uint8_t buf[64];
	int len;

	if (!s->est) {
		errno = ENOTCONN;
		return -1;
	}
	if (subtype > BGP_RR_EORR || !(s->ctx.afs & BGP_AFS(af)) ||
	    (subtype == BGP_RR_NORMAL ? !po->cap_rr : !po->cap_err)) {
		errno = EOPNOTSUPP;
		return -1;
	}
	len = bgp_build_route_refresh(&rr, buf, sizeof(buf));
	return len < 0 ? -1 : bulk_send(s, buf, (size_t)len);
}

enum bgp_state bgp_session_state(const struct bgp_session *s)
{
	return s->state;
}

const struct bgp_ctx *bgp_session_ctx(const struct bgp_session *s)
{
	return &s->ctx;
}

const struct bgp_session_info *bgp_session_info(const struct bgp_session *s)
{
	return &s->info;
}

const struct bgp_session_cfg *bgp_session_cfg(const struct bgp_session *s)
{
	return &s->cfg;
}

const char *bgp_session_label(const struct bgp_session *s)
{
	return s->label;
}
