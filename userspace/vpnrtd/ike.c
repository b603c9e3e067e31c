// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtd's VICI client of strongSwan's charon (ike.h).
 *
 * Two non-blocking stream connections: "event" registers ike-updown,
 * child-updown, ike-rekey, child-rekey and list-sa, and carries the
 * list-sas requests (list-sa events go only to the requesting connection,
 * and on this connection they are ordered with the updown events);
 * "command" carries everything else. Each connection has a queue with
 * exactly one request outstanding: charon answers in order and has no
 * sequence numbers. A request without an answer within cmd_timeout_ms, a
 * malformed or unexpected packet, or an error on either socket drops
 * both connections: every tunnel is reported down ("charon
 * disconnected"), and after a backoff (1 s .. 10 s) vpnrtd reconnects,
 * reads charon's conns, shared keys and SAs, and reconciles.
 *
 * initiate uses timeout=-1: charon answers at once and the command
 * connection never waits on a peer (a blocking initiate would hold up
 * every other tunnel's requests behind one unreachable peer), and no
 * control-log is involved, which avoids the 5.9.8 deadlock between
 * concurrent initiate/terminate and control-log (strongSwan #566). The
 * price: the reason a negotiation failed is only in charon's log; vpnrtd
 * learns of failure by the SA not coming up within up_deadline_ms, and
 * before every retry it asks list-sas whether an SA for the tunnel is
 * already INSTALLED or CONNECTING (charon's own retransmits, DPD restart),
 * in which case it does not initiate a duplicate.
 *
 * Reconciliation: after every (re)connect, and every resync_ms (30 s),
 * get-conns and get-shared: vpnrt.* conns and keys the config does not
 * want are unloaded (a conn's SAs terminated first: unload-conn leaves
 * start_action=none SAs up); wanted ones are loaded when charon lacks
 * them, when their request differs from the one charon acknowledged, or
 * when this process has not loaded them yet (after a vpnrtd restart:
 * loading an identical conn is a no-op in charon). A changed conn's SAs
 * are terminated before the reload, since charon keeps start_action=none
 * SAs running with the old settings. Other conns are never touched. The
 * periodic round also lists every SA, so the counters ike show prints
 * are at most resync_ms old.
 *
 * list-sas is sent without noblock: charon's noblock skips the IKE_SAs
 * that are checked out at that moment (a DPD, rekey or any exchange being
 * processed), and vpnrtd takes what a listing does not mention as gone: a
 * busy SA would be reported down, and a restarted vpnrtd would set a
 * carrying tunnel IKE-down in the kernel. charon holds an SA checked out
 * only while it processes a message or a timer job, so the wait is short;
 * cmd_timeout_ms bounds it as for any request.
 *
 * SA state is keyed on uniqueids: a tunnel is up while at least one child
 * SA of its conn is installed (duplicates counted). Rekeys move the
 * tunnel from the old to the new uniqueid without a down; uniqueids that
 * went down or were rekeyed are remembered (GONE_MAX of them), so a late
 * "down" for one of them is ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ike.h"
#include "ike_map.h"
#include "log.h"
#include "vici.h"

#define NONE		UINT64_MAX	/* a number charon did not send */
#define GONE_MAX	256		/* uniqueids known to be dead */
#define READ_CHUNK	65536
#define ERR_MAX		256
#define FIELD		48		/* algorithm names, states, hosts */
#define SPI_LEN		24

struct child_sa {
	struct child_sa *next;
	uint32_t uid, ike_uid;
	unsigned int gen;		/* snapshot generation last seen in */
	uint64_t seen_ms;		/* loop time of the last update */
	char state[FIELD], mode[FIELD], protocol[FIELD];
	char spi_in[SPI_LEN], spi_out[SPI_LEN];
	char encr[FIELD], integ[FIELD], dh[FIELD];
	uint64_t reqid, encr_keysize, install_time, rekey_time, life_time;
	uint64_t bytes_in, bytes_out, packets_in, packets_out;
};

struct ike_sa {
	struct ike_sa *next;
	uint32_t uid;
	unsigned int gen;
	uint64_t seen_ms;
	char state[FIELD];
	uint64_t version;
	char local_host[FIELD], remote_host[FIELD];
	uint64_t local_port, remote_port;
	char local_id[CFG_ID_MAX + 1], remote_id[CFG_ID_MAX + 1];
	char initiator[8];
	char ispi[SPI_LEN], rspi[SPI_LEN];
	char encr[FIELD], integ[FIELD], prf[FIELD], dh[FIELD];
	uint64_t encr_keysize, established, rekey_time, reauth_time;
};

struct tun {
	struct tun *next;
	struct ike *ike;
	char name[IKE_NAME_MAX];
	char conn[VPNRT_CONN_NAME_MAX];
	int pos;
	struct cfg_tunnel cfg;
	/* the packets the config wants, and what charon acknowledged */
	uint8_t *conn_msg, *key_msg, *loaded_conn, *loaded_key;
	size_t conn_len, key_len, loaded_conn_len, loaded_key_len;
	bool in_charon_conn, in_charon_key;	/* seen at the last sync */
	bool conn_ok;		/* charon has the conn the config wants */
	struct ike_sa *ikes;
	struct child_sa *children;
	unsigned int gen;
	unsigned int full_gen;	/* gen when the last full list-sas began */
	bool up;
	int last_count;		/* installed children at the last update */
	uint64_t up_since;
	unsigned int fails;	/* since the last stable up */
	struct loop_timer retry;
	bool waiting_up;	/* retry is the deadline of an initiate */
	bool busy;		/* a list-sas or initiate is queued */
	bool apply;		/* ike_set_tunnels: new or changed */
	bool reported;		/* ops->tunnel_state was called for it */
	char err[ERR_MAX];
	time_t err_time;
	bool err_cause;		/* err is charon's word on why, not a consequence */
};

struct ike;
struct cmd;

typedef void (*cmd_done)(struct ike *ike, struct cmd *c,
			 const struct vici_node *reply);

struct cmd {
	struct cmd *next;
	uint8_t *pkt;
	size_t len;
	enum vici_op expect;	/* CMD_RESPONSE or EVENT_CONFIRM */
	char what[96];		/* for messages: "load-conn vpnrt.dc1.1" */
	char tun[IKE_NAME_MAX];	/* cookie: the tunnel, by name */
	unsigned int gen;	/* cookie: snapshot generation */
	bool unknown;		/* charon answered CMD/EVENT_UNKNOWN */
	bool sent;
	cmd_done done;
};

struct vconn {
	struct ike *ike;
	const char *role;	/* "event", "command" */
	int fd;
	bool connecting, up;
	uint8_t *out;
	size_t out_len, out_off, out_cap;
	uint8_t *in;
	size_t in_len, in_cap;
	struct cmd *q, **q_tail;
	struct loop_timer timeout;
};

struct ike {
	struct loop *loop;
	char *uri;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct ike_ops ops;
	void *arg;
	struct ike_timing tm;
	struct vconn ev, cmd;
	unsigned int epoch;	/* bumped by every disconnect */
	bool synced;		/* connected, read and reconciled */
	int sync_pending;
	char **sync_conns, **sync_keys;
	int n_sync_conns, n_sync_keys;
	bool sync_conns_ok, sync_keys_ok;
	struct loop_timer reconnect;
	unsigned int reconnect_fails;
	struct loop_timer resync;	/* periodic get-conns/get-shared */
	int resync_pending;		/* answers still to come */
	char *foreign;		/* the foreign conns last logged */
	struct tun *tuns;
	uint32_t gone_child[GONE_MAX], gone_ike[GONE_MAX];
	unsigned int gone_child_n, gone_ike_n;
	uint64_t rng;
};

static const struct ike_timing timing_default = IKE_TIMING_DEFAULT;

static void ike_fail(struct ike *ike, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void tun_update(struct ike *ike, struct tun *t, const char *why);
static void tun_schedule(struct ike *ike, struct tun *t, const char *why);
static void tun_apply(struct ike *ike, struct tun *t);
static void resync_arm(struct ike *ike);

/* ---- small helpers ---- */

static uint64_t rnd(struct ike *ike)
{
	/* xorshift64: jitter only, nothing secret */
	ike->rng ^= ike->rng << 13;
	ike->rng ^= ike->rng >> 7;
	ike->rng ^= ike->rng << 17;
	return ike->rng;
}

/* min << n capped at max, minus up to 20% jitter (never above max) */
static uint64_t backoff(struct ike *ike, uint32_t min, uint32_t max,
			unsigned int n)
{
	uint64_t d = min;

	while (n-- && d < max)
		d *= 2;
	if (d > max)
		d = max;
	return d - rnd(ike) % (d / 5 + 1);
}

static void *xmemdup(const void *p, size_t n)
{
	void *d = malloc(n ? n : 1);

	if (d && n)
		memcpy(d, p, n);
	return d;
}

static bool same(const uint8_t *a, size_t alen, const uint8_t *b,
		 size_t blen)
{
	return a && b && alen == blen && !memcmp(a, b, alen);
}

static void wipe_free(uint8_t *p, size_t n)
{
	if (p)
		explicit_bzero(p, n);
	free(p);
}

/* printable ASCII copy of a value from charon, truncated to fit */
static void copy_clean(char *dst, size_t n, const uint8_t *v, size_t len)
{
	size_t i;

	for (i = 0; i < len && i + 1 < n; i++)
		dst[i] = (v[i] >= 0x20 && v[i] < 0x7f) ? (char)v[i] : '?';
	dst[i] = '\0';
}

static void get_field(char *dst, size_t n, const struct vici_node *sec,
		      const char *key)
{
	const struct vici_node *kv = vici_find_type(sec, VICI_N_KV, key);

	if (kv)
		copy_clean(dst, n, kv->value, kv->len);
}

static void get_num(uint64_t *dst, const struct vici_node *sec,
		    const char *key)
{
	uint64_t v;

	if (vici_get_u64(sec, key, &v) == 0)
		*dst = v;
}

/* a required uniqueid: 1..2^32-1 */
static int get_uid(const struct vici_node *sec, const char *key,
		   uint32_t *out)
{
	uint64_t v;

	if (vici_get_u64(sec, key, &v) || !v || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static bool yes(const struct vici_node *sec, const char *key)
{
	const char *s = vici_get_str(sec, key);

	return s && !strcmp(s, "yes");
}

static void gone_add(uint32_t *ring, unsigned int *n, uint32_t uid)
{
	ring[*n % GONE_MAX] = uid;
	(*n)++;
}

static bool gone_has(const uint32_t *ring, unsigned int n, uint32_t uid)
{
	unsigned int k = n < GONE_MAX ? n : GONE_MAX;

	for (unsigned int i = 0; i < k; i++)
		if (ring[i] == uid)
			return true;
	return false;
}

static struct tun *find_tun(struct ike *ike, const char *name)
{
	for (struct tun *t = ike->tuns; t; t = t->next)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

__attribute__((format(printf, 2, 3)))
static void tun_error(struct tun *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->err, sizeof(t->err), fmt, ap);
	va_end(ap);
	t->err_time = time(NULL);
	t->err_cause = false;
}

/* ---- SA records ---- */

static struct ike_sa *ike_sa_find(struct tun *t, uint32_t uid)
{
	for (struct ike_sa *s = t->ikes; s; s = s->next)
		if (s->uid == uid)
			return s;
	return NULL;
}

static struct child_sa *child_find(struct tun *t, uint32_t uid)
{
	for (struct child_sa *c = t->children; c; c = c->next)
		if (c->uid == uid)
			return c;
	return NULL;
}

static void ike_sa_remove(struct tun *t, uint32_t uid)
{
	for (struct ike_sa **pp = &t->ikes; *pp; pp = &(*pp)->next) {
		if ((*pp)->uid == uid) {
			struct ike_sa *s = *pp;

			*pp = s->next;
			free(s);
			return;
		}
	}
}

static void child_remove(struct tun *t, uint32_t uid)
{
	for (struct child_sa **pp = &t->children; *pp; pp = &(*pp)->next) {
		if ((*pp)->uid == uid) {
			struct child_sa *c = *pp;

			*pp = c->next;
			free(c);
			return;
		}
	}
}

static void tun_clear_sas(struct tun *t)
{
	while (t->ikes)
		ike_sa_remove(t, t->ikes->uid);
	while (t->children)
		child_remove(t, t->children->uid);
}

static struct ike_sa *ike_sa_upsert(struct ike *ike, struct tun *t,
				    uint32_t uid, const struct vici_node *sec)
{
	struct ike_sa *s = ike_sa_find(t, uid);

	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return NULL;
		s->uid = uid;
		s->version = s->local_port = s->remote_port = NONE;
		s->encr_keysize = s->established = NONE;
		s->rekey_time = s->reauth_time = NONE;
		s->next = t->ikes;
		t->ikes = s;
	}
	s->gen = t->gen;
	s->seen_ms = loop_now_ms();
	(void)ike;
	get_field(s->state, sizeof(s->state), sec, "state");
	get_num(&s->version, sec, "version");
	get_field(s->local_host, sizeof(s->local_host), sec, "local-host");
	get_num(&s->local_port, sec, "local-port");
	get_field(s->local_id, sizeof(s->local_id), sec, "local-id");
	get_field(s->remote_host, sizeof(s->remote_host), sec, "remote-host");
	get_num(&s->remote_port, sec, "remote-port");
	get_field(s->remote_id, sizeof(s->remote_id), sec, "remote-id");
	if (vici_find_type(sec, VICI_N_KV, "initiator"))
		snprintf(s->initiator, sizeof(s->initiator), "%s",
			 yes(sec, "initiator") ? "yes" : "no");
	get_field(s->ispi, sizeof(s->ispi), sec, "initiator-spi");
	get_field(s->rspi, sizeof(s->rspi), sec, "responder-spi");
	get_field(s->encr, sizeof(s->encr), sec, "encr-alg");
	get_num(&s->encr_keysize, sec, "encr-keysize");
	get_field(s->integ, sizeof(s->integ), sec, "integ-alg");
	get_field(s->prf, sizeof(s->prf), sec, "prf-alg");
	get_field(s->dh, sizeof(s->dh), sec, "dh-group");
	get_num(&s->established, sec, "established");
	get_num(&s->rekey_time, sec, "rekey-time");
	get_num(&s->reauth_time, sec, "reauth-time");
	return s;
}

static struct child_sa *child_upsert(struct tun *t, uint32_t uid,
				     uint32_t ike_uid,
				     const struct vici_node *sec)
{
	struct child_sa *c = child_find(t, uid);

	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return NULL;
		c->uid = uid;
		c->reqid = c->encr_keysize = c->install_time = NONE;
		c->rekey_time = c->life_time = NONE;
		c->bytes_in = c->bytes_out = NONE;
		c->packets_in = c->packets_out = NONE;
		c->next = t->children;
		t->children = c;
	}
	c->ike_uid = ike_uid;
	c->gen = t->gen;
	c->seen_ms = loop_now_ms();
	get_field(c->state, sizeof(c->state), sec, "state");
	get_field(c->mode, sizeof(c->mode), sec, "mode");
	get_field(c->protocol, sizeof(c->protocol), sec, "protocol");
	get_field(c->spi_in, sizeof(c->spi_in), sec, "spi-in");
	get_field(c->spi_out, sizeof(c->spi_out), sec, "spi-out");
	get_field(c->encr, sizeof(c->encr), sec, "encr-alg");
	get_num(&c->encr_keysize, sec, "encr-keysize");
	get_field(c->integ, sizeof(c->integ), sec, "integ-alg");
	get_field(c->dh, sizeof(c->dh), sec, "dh-group");
	get_num(&c->reqid, sec, "reqid");
	get_num(&c->install_time, sec, "install-time");
	get_num(&c->rekey_time, sec, "rekey-time");
	get_num(&c->life_time, sec, "life-time");
	get_num(&c->bytes_in, sec, "bytes-in");
	get_num(&c->bytes_out, sec, "bytes-out");
	get_num(&c->packets_in, sec, "packets-in");
	get_num(&c->packets_out, sec, "packets-out");
	return c;
}

/*
 * A child carries traffic while INSTALLED, and also while charon is
 * updating or rekeying it (its SAs stay in the kernel until replaced).
 */
static bool child_installed(const struct child_sa *c)
{
	return !strcmp(c->state, "INSTALLED") ||
	       !strcmp(c->state, "UPDATING") ||
	       !strcmp(c->state, "REKEYING");
}

static int tun_installed(const struct tun *t)
{
	int n = 0;

	for (const struct child_sa *c = t->children; c; c = c->next)
		n += child_installed(c);
	return n;
}

/* an SA for t is on its way: initiating another would make a duplicate */
static const char *tun_pending(const struct tun *t, uint32_t *uid)
{
	for (const struct ike_sa *s = t->ikes; s; s = s->next) {
		if (!strcmp(s->state, "CONNECTING") ||
		    !strcmp(s->state, "CREATED")) {
			*uid = s->uid;
			return "IKE SA";
		}
	}
	for (const struct child_sa *c = t->children; c; c = c->next) {
		if (!strcmp(c->state, "CREATED") ||
		    !strcmp(c->state, "INSTALLING") ||
		    !strcmp(c->state, "RETRYING")) {
			*uid = c->uid;
			return "child SA";
		}
	}
	return NULL;
}

/* ---- tunnel state ---- */

static void tun_report(struct ike *ike, struct tun *t, bool up,
		       const char *why)
{
	t->up = up;
	t->reported = true;
	vlog(LOG_NOTICE, "ike: %s (%s tunnel %d) %s: %s", t->name, t->conn,
	     t->pos, up ? "up" : "down", why);
	if (ike->ops.tunnel_state)
		ike->ops.tunnel_state(ike->arg, t->conn, t->pos, up, why);
}

/*
 * A tunnel never reported is unknown to the daemon, which then leaves the
 * kernel's state alone: once charon has been read, say it is down.
 */
static void tun_settle(struct ike *ike, struct tun *t, const char *why)
{
	if (!t->reported && !t->up)
		tun_report(ike, t, false, why);
}

/* count the installed children; report a change; keep it up */
static void tun_update(struct ike *ike, struct tun *t, const char *why)
{
	int n = tun_installed(t);
	uint64_t now = loop_now_ms();

	if (n && !t->up) {
		loop_timer_cancel(ike->loop, &t->retry);
		t->waiting_up = false;
		t->up_since = now;
		tun_report(ike, t, true, why);
	} else if (!n && t->up) {
		if (now - t->up_since >= ike->tm.stable_ms)
			t->fails = 0;
		tun_report(ike, t, false, why);
		tun_error(t, "%s", why);
		tun_schedule(ike, t, why);
	}
	if (n > 1 && n != t->last_count)
		vlog(LOG_INFO, "ike: %s has %d installed child SAs (duplicates, e.g. both ends initiated); counted, still up",
		     t->name, n);
	t->last_count = n;
}

/* ---- connections: output, queue ---- */

static void vc_flush(struct vconn *vc)
{
	struct ike *ike = vc->ike;

	while (vc->out_off < vc->out_len) {
		ssize_t n = send(vc->fd, vc->out + vc->out_off,
				 vc->out_len - vc->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			ike_fail(ike, "writing to charon's %s connection: %s",
				 vc->role, n < 0 ? strerror(errno) : "no progress");
			return;
		}
		vc->out_off += (size_t)n;
	}
	if (vc->out_off == vc->out_len)
		vc->out_off = vc->out_len = 0;
	loop_mod_fd(ike->loop, vc->fd,
		    EPOLLIN | (vc->out_len ? EPOLLOUT : 0));
}

/* put the head of the queue on the wire if nothing is outstanding */
static void vc_kick(struct vconn *vc)
{
	struct cmd *c = vc->q;
	struct ike *ike = vc->ike;

	if (!vc->up || !c || c->sent)
		return;
	if (vc->out_len + c->len > vc->out_cap) {
		size_t cap = vc->out_len + c->len;
		uint8_t *p = realloc(vc->out, cap);

		if (!p) {
			ike_fail(ike, "out of memory for a %zu byte request",
				 c->len);
			return;
		}
		vc->out = p;
		vc->out_cap = cap;
	}
	memcpy(vc->out + vc->out_len, c->pkt, c->len);
	vc->out_len += c->len;
	c->sent = true;
	vlog(LOG_DEBUG, "ike: -> %s (%s connection)", c->what, vc->role);
	loop_timer_arm(ike->loop, &vc->timeout, ike->tm.cmd_timeout_ms);
	vc_flush(vc);
}

static void cmd_free(struct cmd *c)
{
	if (!c)
		return;
	/* load-shared requests hold a key */
	wipe_free(c->pkt, c->len);
	free(c);
}

static void vc_drop_queue(struct vconn *vc)
{
	while (vc->q) {
		struct cmd *c = vc->q;

		vc->q = c->next;
		cmd_free(c);
	}
	vc->q_tail = &vc->q;
}

/*
 * Append c to vc's queue and send it if nothing is outstanding. Returns
 * c, or NULL if it was dropped: vc is not connected (after a failure in
 * the middle of a pass, later requests must not wait for the next
 * connection), or sending it failed and everything was reset.
 */
static struct cmd *vc_push(struct vconn *vc, struct cmd *c)
{
	unsigned int epoch = vc->ike->epoch;

	if (!vc->up) {
		vlog(LOG_DEBUG, "ike: %s dropped: not connected", c->what);
		cmd_free(c);
		return NULL;
	}
	*vc->q_tail = c;
	vc->q_tail = &c->next;
	vc_kick(vc);
	return vc->ike->epoch == epoch ? c : NULL;
}

/* queue a finished packet (taken from b, which is released) */
static struct cmd *vc_queue(struct vconn *vc, struct vici_builder *b,
			    cmd_done done, const char *tun, const char *fmt,
			    ...) __attribute__((format(printf, 5, 6)));
static struct cmd *vc_queue(struct vconn *vc, struct vici_builder *b,
			    cmd_done done, const char *tun, const char *fmt,
			    ...)
{
	const uint8_t *pkt;
	size_t len;
	struct cmd *c;
	va_list ap;

	if (vici_build_finish(b, &pkt, &len)) {
		vlog(LOG_ERR, "ike: cannot build a request: %s", b->err.msg);
		vici_build_free(b);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->pkt = xmemdup(pkt, len))) {
		free(c);
		vici_build_free(b);
		vlog(LOG_ERR, "ike: out of memory queueing a request");
		return NULL;
	}
	c->len = len;
	/* the packet type is the fifth byte of the segment */
	c->expect = pkt[4] == VICI_EVENT_REGISTER ? VICI_EVENT_CONFIRM :
						    VICI_CMD_RESPONSE;
	explicit_bzero(b->buf, b->cap);
	vici_build_free(b);
	c->done = done;
	if (tun)
		snprintf(c->tun, sizeof(c->tun), "%s", tun);
	va_start(ap, fmt);
	vsnprintf(c->what, sizeof(c->what), fmt, ap);
	va_end(ap);
	return vc_push(vc, c);
}

/* ---- disconnect, reconnect ---- */

static void vc_close(struct ike *ike, struct vconn *vc)
{
	if (vc->fd >= 0) {
		loop_del_fd(ike->loop, vc->fd);
		close(vc->fd);
	}
	vc->fd = -1;
	vc->connecting = vc->up = false;
	vc->out_len = vc->out_off = vc->in_len = 0;
	loop_timer_cancel(ike->loop, &vc->timeout);
	vc_drop_queue(vc);
}

static void free_names(char ***v, int *n)
{
	for (int i = 0; i < *n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

static void sync_reset(struct ike *ike)
{
	free_names(&ike->sync_conns, &ike->n_sync_conns);
	free_names(&ike->sync_keys, &ike->n_sync_keys);
	ike->sync_conns_ok = ike->sync_keys_ok = false;
	ike->sync_pending = 0;
}

static void ike_disconnect(struct ike *ike)
{
	bool was = ike->synced;

	ike->epoch++;
	vc_close(ike, &ike->ev);
	vc_close(ike, &ike->cmd);
	sync_reset(ike);
	ike->synced = false;
	ike->resync_pending = 0;
	loop_timer_cancel(ike->loop, &ike->resync);
	/* a restarted charon counts uniqueids from 1 again */
	ike->gone_child_n = ike->gone_ike_n = 0;
	for (struct tun *t = ike->tuns; t; t = t->next) {
		loop_timer_cancel(ike->loop, &t->retry);
		t->busy = t->waiting_up = false;
		t->conn_ok = false;
		t->in_charon_conn = t->in_charon_key = false;
		tun_clear_sas(t);
		if (t->up) {
			tun_error(t, "charon disconnected");
			tun_report(ike, t, false, "charon disconnected");
		}
	}
	if (was && ike->ops.charon)
		ike->ops.charon(ike->arg, false);
}

static void reconnect_arm(struct ike *ike)
{
	uint64_t d = backoff(ike, ike->tm.reconnect_min_ms,
			     ike->tm.reconnect_max_ms, ike->reconnect_fails);

	/* the first of a streak at info, the rest (every few s) at debug */
	vlog(ike->reconnect_fails ? LOG_DEBUG : LOG_INFO,
	     "ike: reconnecting to charon at %s in %llu ms (backoff %u..%u ms until it answers)",
	     ike->uri, (unsigned long long)d, ike->tm.reconnect_min_ms,
	     ike->tm.reconnect_max_ms);
	ike->reconnect_fails++;
	loop_timer_arm(ike->loop, &ike->reconnect, d);
}

static void ike_fail(struct ike *ike, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* the first failure of a streak is news, the rest is noise */
	vlog(ike->reconnect_fails ? LOG_DEBUG : LOG_WARNING,
	     "ike: connection to charon %s: %s",
	     ike->synced ? "lost" : "failed", msg);
	ike_disconnect(ike);
	reconnect_arm(ike);
}

/* ---- events ---- */

static const char *const event_names[] = {
	"ike-updown", "child-updown", "ike-rekey", "child-rekey", "list-sa",
	"log",
};

/*
 * What charon logs when a negotiation of ours fails: the tunnel keeps
 * the line as its last error, so `ike show` says why (a proposal
 * mismatch, a wrong key, a silent peer) although initiate does not wait.
 * A cause ("received NO_PROPOSAL_CHOSEN notify error") is usually
 * followed by its consequence ("failed to establish CHILD_SA, keeping
 * IKE_SA"); the consequence must not hide the cause, so within
 * CAUSE_KEEP_S of a cause it is added after it.
 */
enum { LOG_NOT_FAILURE, LOG_CONSEQUENCE, LOG_CAUSE };
#define CAUSE_KEEP_S	10

static int log_failure_kind(const char *msg)
{
	static const char *const causes[] = {
		"NO_PROPOSAL_CHOSEN", "no acceptable proposal", "no proposal",
		"AUTHENTICATION_FAILED", "INVALID_KE_PAYLOAD",
		"TS_UNACCEPTABLE", "giving up", "not responding",
		"no IKE config", "no matching peer config", "no shared key",
	};

	for (size_t i = 0; i < sizeof(causes) / sizeof(*causes); i++)
		if (strstr(msg, causes[i]))
			return LOG_CAUSE;
	return strstr(msg, "failed") ? LOG_CONSEQUENCE : LOG_NOT_FAILURE;
}

static int ev_log(struct ike *ike, const struct vici_node *root)
{
	const char *name = vici_get_str(root, "ikesa-name");
	const char *msg = vici_get_str(root, "msg");
	struct tun *t;
	int kind;

	if (!name || !msg)
		return 0;
	t = find_tun(ike, name);
	kind = log_failure_kind(msg);
	if (!t || kind == LOG_NOT_FAILURE)
		return 0;
	vlog(LOG_INFO, "ike: %s: charon says: %s", t->name, msg);
	if (kind == LOG_CONSEQUENCE && t->err_cause &&
	    time(NULL) - t->err_time <= CAUSE_KEEP_S) {
		size_t l = strlen(t->err);

		if (!strstr(t->err, msg))
			snprintf(t->err + l, sizeof(t->err) - l, "; %s", msg);
		return 0;
	}
	tun_error(t, "charon: %s", msg);
	t->err_cause = kind == LOG_CAUSE;
	return 0;
}

/* each handler returns -1 for a message that breaks the protocol */

static int ev_ike_updown(struct ike *ike, const struct vici_node *root)
{
	bool up = yes(root, "up");
	const struct vici_node *s;

	vici_for_each(s, root) {
		struct tun *t;
		uint32_t uid;

		if (s->type != VICI_N_SECTION)
			continue;
		if (get_uid(s, "uniqueid", &uid))
			return -1;
		t = find_tun(ike, s->name);
		if (!t) {
			vlog(LOG_DEBUG, "ike: ike-updown for %s: not ours, ignored",
			     s->name);
			continue;
		}
		if (up) {
			if (gone_has(ike->gone_ike, ike->gone_ike_n, uid)) {
				vlog(LOG_INFO, "ike: %s: ignoring an up for IKE SA #%u that is already gone",
				     t->name, uid);
				continue;
			}
			ike_sa_upsert(ike, t, uid, s);
			vlog(LOG_INFO, "ike: %s: IKE SA #%u established",
			     t->name, uid);
			tun_update(ike, t, "IKE SA up");
			continue;
		}
		gone_add(ike->gone_ike, &ike->gone_ike_n, uid);
		ike_sa_remove(t, uid);
		for (struct child_sa **pp = &t->children; *pp;) {
			struct child_sa *c = *pp;

			if (c->ike_uid != uid) {
				pp = &c->next;
				continue;
			}
			gone_add(ike->gone_child, &ike->gone_child_n, c->uid);
			*pp = c->next;
			free(c);
		}
		vlog(LOG_INFO, "ike: %s: IKE SA #%u down, its child SAs with it",
		     t->name, uid);
		tun_update(ike, t, "IKE SA down");
	}
	return 0;
}

static int ev_child_updown(struct ike *ike, const struct vici_node *root)
{
	bool up = yes(root, "up");
	const struct vici_node *s, *c;

	vici_for_each(s, root) {
		const struct vici_node *sas;
		struct tun *t;
		uint32_t ike_uid;

		if (s->type != VICI_N_SECTION)
			continue;
		if (get_uid(s, "uniqueid", &ike_uid))
			return -1;
		sas = vici_find_type(s, VICI_N_SECTION, "child-sas");
		vici_for_each(c, sas)
			if (c->type == VICI_N_SECTION &&
			    get_uid(c, "uniqueid", &(uint32_t){ 0 }))
				return -1;
		t = find_tun(ike, s->name);
		if (!t) {
			vlog(LOG_DEBUG, "ike: child-updown for %s: not ours, ignored",
			     s->name);
			continue;
		}
		if (!gone_has(ike->gone_ike, ike->gone_ike_n, ike_uid))
			ike_sa_upsert(ike, t, ike_uid, s);
		vici_for_each(c, sas) {
			const char *name = vici_get_str(c, "name");
			uint32_t uid = 0;

			/* checked above: every child has a uniqueid */
			if (c->type != VICI_N_SECTION ||
			    get_uid(c, "uniqueid", &uid))
				continue;
			if (name && strcmp(name, t->name)) {
				vlog(LOG_DEBUG, "ike: %s: child %s is not ours, ignored",
				     t->name, name);
				continue;
			}
			if (gone_has(ike->gone_child, ike->gone_child_n, uid)) {
				vlog(LOG_INFO, "ike: %s: ignoring %s for child SA #%u: already retired (rekeyed or down)",
				     t->name, up ? "up" : "down", uid);
				continue;
			}
			if (up) {
				struct child_sa *cs = child_upsert(t, uid,
								   ike_uid, c);

				if (cs && !cs->state[0])
					snprintf(cs->state, sizeof(cs->state),
						 "INSTALLED");
				vlog(LOG_INFO, "ike: %s: child SA #%u up in IKE SA #%u",
				     t->name, uid, ike_uid);
				tun_update(ike, t, "child SA installed");
			} else {
				gone_add(ike->gone_child, &ike->gone_child_n,
					 uid);
				child_remove(t, uid);
				vlog(LOG_INFO, "ike: %s: child SA #%u down",
				     t->name, uid);
				tun_update(ike, t, "child SA down");
			}
		}
	}
	return 0;
}

static int ev_ike_rekey(struct ike *ike, const struct vici_node *root)
{
	const struct vici_node *s;

	vici_for_each(s, root) {
		const struct vici_node *o, *n;
		uint32_t ou, nu;
		struct tun *t;

		if (s->type != VICI_N_SECTION)
			continue;
		o = vici_find_type(s, VICI_N_SECTION, "old");
		n = vici_find_type(s, VICI_N_SECTION, "new");
		if (!o || !n || get_uid(o, "uniqueid", &ou) ||
		    get_uid(n, "uniqueid", &nu))
			return -1;
		t = find_tun(ike, s->name);
		if (!t)
			continue;
		gone_add(ike->gone_ike, &ike->gone_ike_n, ou);
		ike_sa_remove(t, ou);
		ike_sa_upsert(ike, t, nu, n);
		for (struct child_sa *c = t->children; c; c = c->next)
			if (c->ike_uid == ou)
				c->ike_uid = nu;
		vlog(LOG_INFO, "ike: %s: IKE SA #%u rekeyed to #%u", t->name,
		     ou, nu);
		tun_update(ike, t, "IKE SA rekeyed");
	}
	return 0;
}

static int ev_child_rekey(struct ike *ike, const struct vici_node *root)
{
	const struct vici_node *s, *c;

	vici_for_each(s, root) {
		const struct vici_node *sas;
		uint32_t ike_uid;
		struct tun *t;

		if (s->type != VICI_N_SECTION)
			continue;
		if (get_uid(s, "uniqueid", &ike_uid))
			return -1;
		sas = vici_find_type(s, VICI_N_SECTION, "child-sas");
		vici_for_each(c, sas) {
			const struct vici_node *o, *n;
			uint32_t ou, nu;

			if (c->type != VICI_N_SECTION)
				continue;
			o = vici_find_type(c, VICI_N_SECTION, "old");
			n = vici_find_type(c, VICI_N_SECTION, "new");
			if (!o || !n || get_uid(o, "uniqueid", &ou) ||
			    get_uid(n, "uniqueid", &nu))
				return -1;
		}
		t = find_tun(ike, s->name);
		if (!t)
			continue;
		if (!gone_has(ike->gone_ike, ike->gone_ike_n, ike_uid))
			ike_sa_upsert(ike, t, ike_uid, s);
		vici_for_each(c, sas) {
			const struct vici_node *n;
			uint32_t ou = 0, nu = 0;

			if (c->type != VICI_N_SECTION)
				continue;
			if (strcmp(c->name, t->name)) {
				vlog(LOG_DEBUG, "ike: %s: child %s is not ours, ignored",
				     t->name, c->name);
				continue;
			}
			/* checked above: both sections with uniqueids */
			n = vici_find_type(c, VICI_N_SECTION, "new");
			if (get_uid(vici_find_type(c, VICI_N_SECTION, "old"),
				    "uniqueid", &ou) ||
			    get_uid(n, "uniqueid", &nu))
				continue;
			/* the old one's late "down" must not count */
			gone_add(ike->gone_child, &ike->gone_child_n, ou);
			child_remove(t, ou);
			if (!gone_has(ike->gone_child, ike->gone_child_n, nu))
				child_upsert(t, nu, ike_uid, n);
			vlog(LOG_INFO, "ike: %s: child SA #%u rekeyed to #%u",
			     t->name, ou, nu);
		}
		tun_update(ike, t, "child SA rekeyed");
	}
	return 0;
}

static int ev_list_sa(struct ike *ike, const struct vici_node *root)
{
	const struct vici_node *s, *c;

	vici_for_each(s, root) {
		const struct vici_node *sas;
		uint32_t ike_uid, uid = 0;
		struct tun *t;

		if (s->type != VICI_N_SECTION)
			continue;
		if (get_uid(s, "uniqueid", &ike_uid))
			return -1;
		sas = vici_find_type(s, VICI_N_SECTION, "child-sas");
		vici_for_each(c, sas)
			if (c->type == VICI_N_SECTION &&
			    get_uid(c, "uniqueid", &uid))
				return -1;
		t = find_tun(ike, s->name);
		if (!t)
			continue;
		if (gone_has(ike->gone_ike, ike->gone_ike_n, ike_uid))
			continue;
		ike_sa_upsert(ike, t, ike_uid, s);
		vici_for_each(c, sas) {
			const char *name = vici_get_str(c, "name");

			if (c->type != VICI_N_SECTION ||
			    get_uid(c, "uniqueid", &uid))
				continue;
			if ((name && strcmp(name, t->name)) ||
			    gone_has(ike->gone_child, ike->gone_child_n, uid))
				continue;
			child_upsert(t, uid, ike_uid, c);
		}
		tun_update(ike, t, tun_installed(t) ?
			   "child SA found by list-sas" :
			   "no installed child SA in list-sas");
	}
	return 0;
}

static int dispatch_event(struct ike *ike, const char *name,
			  const struct vici_node *root)
{
	if (!strcmp(name, "ike-updown"))
		return ev_ike_updown(ike, root);
	if (!strcmp(name, "child-updown"))
		return ev_child_updown(ike, root);
	if (!strcmp(name, "ike-rekey"))
		return ev_ike_rekey(ike, root);
	if (!strcmp(name, "child-rekey"))
		return ev_child_rekey(ike, root);
	if (!strcmp(name, "log"))
		return ev_log(ike, root);
	return ev_list_sa(ike, root);
}

/* ---- packets in ---- */

static const char *op_name(unsigned int op)
{
	static const char *const n[] = {
		"CMD_REQUEST", "CMD_RESPONSE", "CMD_UNKNOWN",
		"EVENT_REGISTER", "EVENT_UNREGISTER", "EVENT_CONFIRM",
		"EVENT_UNKNOWN", "EVENT",
	};

	return op < 8 ? n[op] : "?";
}

static void handle_packet(struct vconn *vc, const struct vici_packet *pkt)
{
	struct ike *ike = vc->ike;
	struct vici_node *root = NULL;
	struct vici_err err;
	struct cmd *c;

	switch (pkt->type) {
	case VICI_EVENT: {
		bool known = false;

		for (size_t i = 0; i < sizeof(event_names) / sizeof(*event_names); i++)
			known |= !strcmp(pkt->name, event_names[i]);
		if (vc != &ike->ev || !known) {
			ike_fail(ike, "unexpected event \"%s\" on the %s connection; only the registered ike-updown, child-updown, ike-rekey, child-rekey, list-sa, log allowed",
				 pkt->name, vc->role);
			return;
		}
		root = vici_parse(pkt->body, pkt->body_len, &err);
		if (!root) {
			ike_fail(ike, "malformed %s event: %s", pkt->name,
				 err.msg);
			return;
		}
		if (dispatch_event(ike, pkt->name, root)) {
			vici_free(root);
			ike_fail(ike, "malformed %s event: a uniqueid (1..4294967295) or old/new section missing",
				 pkt->name);
			return;
		}
		vici_free(root);
		return;
	}
	case VICI_CMD_RESPONSE:
	case VICI_CMD_UNKNOWN:
	case VICI_EVENT_CONFIRM:
	case VICI_EVENT_UNKNOWN:
		break;
	default:
		ike_fail(ike, "unexpected %s packet from charon on the %s connection",
			 op_name(pkt->type), vc->role);
		return;
	}
	c = vc->q;
	if (!c || !c->sent) {
		ike_fail(ike, "%s from charon on the %s connection without a request",
			 op_name(pkt->type), vc->role);
		return;
	}
	if ((c->expect == VICI_CMD_RESPONSE) !=
	    (pkt->type == VICI_CMD_RESPONSE || pkt->type == VICI_CMD_UNKNOWN)) {
		ike_fail(ike, "%s from charon in answer to %s", op_name(pkt->type),
			 c->what);
		return;
	}
	if (pkt->type == VICI_CMD_RESPONSE) {
		root = vici_parse(pkt->body, pkt->body_len, &err);
		if (!root) {
			ike_fail(ike, "malformed answer to %s: %s", c->what,
				 err.msg);
			return;
		}
	} else if (pkt->type != VICI_EVENT_CONFIRM) {
		c->unknown = true;
		vlog(LOG_ERR, "ike: charon does not know %s (%s); is it strongSwan 5.9 or later with the vici plugin?",
		     c->what, op_name(pkt->type));
	}
	vc->q = c->next;
	if (!vc->q)
		vc->q_tail = &vc->q;
	loop_timer_cancel(ike->loop, &vc->timeout);
	vlog(LOG_DEBUG, "ike: <- answer to %s", c->what);
	if (c->done)
		c->done(ike, c, root);
	vici_free(root);
	cmd_free(c);
}

static void vc_process(struct vconn *vc);

static void vc_read(struct vconn *vc)
{
	struct ike *ike = vc->ike;
	ssize_t n;

	if (vc->in_cap - vc->in_len < READ_CHUNK) {
		size_t cap = vc->in_len + READ_CHUNK;
		uint8_t *p = realloc(vc->in, cap);

		if (!p) {
			ike_fail(ike, "out of memory reading from charon");
			return;
		}
		vc->in = p;
		vc->in_cap = cap;
	}
	n = read(vc->fd, vc->in + vc->in_len, vc->in_cap - vc->in_len);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		return;
	if (n <= 0) {
		ike_fail(ike, "charon closed the %s connection%s%s", vc->role,
			 n ? ": " : "", n ? strerror(errno) : "");
		return;
	}
	vc->in_len += (size_t)n;
	vc_process(vc);
}

/* split what is in vc->in into packets and handle them */
static void vc_process(struct vconn *vc)
{
	struct ike *ike = vc->ike;
	unsigned int epoch = ike->epoch;
	size_t off = 0;

	for (;;) {
		struct vici_packet pkt;
		struct vici_err err;
		int r = vici_split(vc->in + off, vc->in_len - off, &pkt, &err);

		if (r < 0) {
			ike_fail(ike, "malformed packet from charon on the %s connection: %s",
				 vc->role, err.msg);
			return;
		}
		if (!r)
			break;
		handle_packet(vc, &pkt);
		if (ike->epoch != epoch)
			return;	/* disconnected: vc's buffers are reset */
		off += pkt.total;
		vc_kick(vc);
		if (ike->epoch != epoch)
			return;
	}
	memmove(vc->in, vc->in + off, vc->in_len - off);
	vc->in_len -= off;
	/* a declared segment may need up to VICI_PACKET_MAX: never more */
	if (vc->in_cap > 2 * READ_CHUNK + 4 + VICI_PACKET_MAX) {
		ike_fail(ike, "input buffer overgrown");
		return;
	}
}

/* ---- sync and reconcile ---- */

static void sync_step(struct ike *ike);

static void on_register(struct ike *ike, struct cmd *c,
			const struct vici_node *reply)
{
	(void)ike;
	(void)reply;
	if (!c->unknown)
		vlog(LOG_DEBUG, "ike: %s confirmed", c->what);
}

static int collect(char ***v, int *n, const struct vici_node *reply,
		   const char *key)
{
	const struct vici_node *l = vici_find_type(reply, VICI_N_LIST, key);
	const struct vici_node *it;

	vici_for_each(it, l) {
		const char *s = vici_str(it);
		char **nv;

		if (!s || !*s)
			return -1;
		nv = realloc(*v, (*n + 1) * sizeof(**v));
		if (!nv)
			return -1;
		*v = nv;
		if (!(nv[*n] = strdup(s)))
			return -1;
		(*n)++;
	}
	return 0;
}

/*
 * The names a get-conns or get-shared answer lists, for a sync or a
 * resync; -1 if the answer is malformed (the connection is dropped).
 */
static int take_conns(struct ike *ike, const struct vici_node *reply)
{
	if (reply && collect(&ike->sync_conns, &ike->n_sync_conns, reply,
			     "conns")) {
		ike_fail(ike, "malformed get-conns answer: a conn name is empty or holds a NUL byte");
		return -1;
	}
	ike->sync_conns_ok = reply != NULL;
	return 0;
}

static int take_keys(struct ike *ike, const struct vici_node *reply)
{
	if (reply && collect(&ike->sync_keys, &ike->n_sync_keys, reply,
			     "keys")) {
		ike_fail(ike, "malformed get-shared answer: a key id is empty or holds a NUL byte");
		return -1;
	}
	ike->sync_keys_ok = reply != NULL;
	return 0;
}

static void on_get_conns(struct ike *ike, struct cmd *c,
			 const struct vici_node *reply)
{
	(void)c;
	if (take_conns(ike, reply))
		return;
	ike->sync_pending--;
	sync_step(ike);
}

static void on_get_shared(struct ike *ike, struct cmd *c,
			  const struct vici_node *reply)
{
	(void)c;
	if (take_keys(ike, reply))
		return;
	ike->sync_pending--;
	sync_step(ike);
}

static void on_list_sas_all(struct ike *ike, struct cmd *c,
			    const struct vici_node *reply)
{
	(void)c;
	(void)reply;
	ike->sync_pending--;
	sync_step(ike);
}

static bool is_ours(const char *name)
{
	return !strncmp(name, "vpnrt.", 6);
}

static void on_logged_answer(struct ike *ike, struct cmd *c,
			     const struct vici_node *reply)
{
	const char *ok, *msg;

	(void)ike;
	if (!reply)
		return;
	ok = vici_get_str(reply, "success");
	msg = vici_get_str(reply, "errmsg");
	if (ok && !strcmp(ok, "yes"))
		vlog(LOG_INFO, "ike: %s: done", c->what);
	else
		vlog(LOG_WARNING, "ike: %s: charon said no: %s", c->what,
		     msg ? msg : "(no errmsg)");
}

static void on_terminate(struct ike *ike, struct cmd *c,
			 const struct vici_node *reply)
{
	const char *ok, *msg;
	uint64_t m = 0;

	(void)ike;
	if (!reply)
		return;
	ok = vici_get_str(reply, "success");
	msg = vici_get_str(reply, "errmsg");
	vici_get_u64(reply, "matches", &m);
	if (ok && !strcmp(ok, "yes"))
		vlog(LOG_INFO, "ike: %s: %llu IKE SA(s) being closed", c->what,
		     (unsigned long long)m);
	else
		vlog(LOG_INFO, "ike: %s: nothing to close (%s)", c->what,
		     msg ? msg : "no errmsg");
}

static void queue_simple(struct ike *ike, struct vconn *vc, const char *cmd,
			 const char *key, const char *val, cmd_done done)
{
	struct vici_builder b;

	vici_build_init(&b, VICI_CMD_REQUEST, cmd);
	vici_build_kv_str(&b, key, val);
	vc_queue(vc, &b, done, val, "%s %s", cmd, val);
	(void)ike;
}

static void queue_terminate(struct ike *ike, const char *name)
{
	struct vici_builder b;

	vici_build_init(&b, VICI_CMD_REQUEST, "terminate");
	vici_build_kv_str(&b, "ike", name);
	/* -1: answer at once, no control-log (strongSwan #566) */
	vici_build_kv_str(&b, "timeout", "-1");
	vc_queue(&ike->cmd, &b, on_terminate, name, "terminate ike %s", name);
}

static void unload_stale_conn(struct ike *ike, const char *name)
{
	unsigned int epoch = ike->epoch;

	/* unload-conn leaves SAs of start_action=none children up */
	vlog(LOG_NOTICE, "ike: charon has conn %s that the config does not want: terminating its SAs and unloading it",
	     name);
	queue_terminate(ike, name);
	/* a failed send has reset everything, name (a sync list entry)
	 * included */
	if (ike->epoch != epoch)
		return;
	queue_simple(ike, &ike->cmd, "unload-conn", "name", name,
		     on_logged_answer);
}

static void log_foreign(struct ike *ike)
{
	size_t len = 1;
	char *s;
	int n = 0;

	for (int i = 0; i < ike->n_sync_conns; i++)
		if (!is_ours(ike->sync_conns[i]))
			len += strlen(ike->sync_conns[i]) + 2;
	s = calloc(1, len);
	if (!s)
		return;
	for (int i = 0; i < ike->n_sync_conns; i++) {
		if (is_ours(ike->sync_conns[i]))
			continue;
		if (n++)
			strcat(s, ", ");
		strcat(s, ike->sync_conns[i]);
	}
	/* once per set: reconnects do not repeat it */
	if (n && (!ike->foreign || strcmp(ike->foreign, s)))
		vlog(LOG_NOTICE, "ike: charon has %d conn(s) not named vpnrt.*, left alone: %s",
		     n, s);
	free(ike->foreign);
	ike->foreign = s;
}

/*
 * Every request may fail to send, and the disconnect that follows frees
 * the sync lists: each loop stops at once when the epoch moves.
 */
static void reconcile(struct ike *ike)
{
	unsigned int epoch = ike->epoch;

	log_foreign(ike);
	for (int i = 0; i < ike->n_sync_conns && ike->epoch == epoch; i++) {
		const char *name = ike->sync_conns[i];
		struct tun *t;

		if (!is_ours(name))
			continue;
		t = find_tun(ike, name);
		if (t)
			t->in_charon_conn = true;
		else
			unload_stale_conn(ike, name);
	}
	for (int i = 0; i < ike->n_sync_keys && ike->epoch == epoch; i++) {
		const char *id = ike->sync_keys[i];
		struct tun *t;

		if (!is_ours(id))
			continue;
		t = find_tun(ike, id);
		if (t) {
			t->in_charon_key = true;
			continue;
		}
		vlog(LOG_NOTICE, "ike: charon has shared key %s that the config does not want: unloading it",
		     id);
		queue_simple(ike, &ike->cmd, "unload-shared", "id", id,
			     on_logged_answer);
	}
	for (struct tun *t = ike->tuns; t && ike->epoch == epoch; t = t->next)
		tun_apply(ike, t);
}

static void sync_step(struct ike *ike)
{
	int up = 0, n = 0;

	unsigned int epoch = ike->epoch;

	if (ike->sync_pending || ike->synced)
		return;
	reconcile(ike);
	if (ike->epoch != epoch)
		return;	/* a request could not be sent: reconnecting */
	sync_reset(ike);
	ike->synced = true;
	ike->reconnect_fails = 0;
	for (struct tun *t = ike->tuns; t; t = t->next) {
		tun_settle(ike, t, "no installed child SA in charon");
		up += t->up;
		n++;
	}
	vlog(LOG_NOTICE, "ike: connected to charon at %s: %d tunnel(s), %d up after reading its SAs",
	     ike->uri, n, up);
	resync_arm(ike);
	if (ike->ops.charon)
		ike->ops.charon(ike->arg, true);
}

static void resync_arm(struct ike *ike)
{
	if (ike->tm.resync_ms && ike->synced)
		loop_timer_arm(ike->loop, &ike->resync, ike->tm.resync_ms);
	else
		loop_timer_cancel(ike->loop, &ike->resync);
}

/* both answers in: reconcile against them like after a connect */
static void resync_step(struct ike *ike)
{
	unsigned int epoch = ike->epoch;

	if (--ike->resync_pending)
		return;
	if (ike->sync_conns_ok && ike->sync_keys_ok) {
		for (struct tun *t = ike->tuns; t; t = t->next)
			t->in_charon_conn = t->in_charon_key = false;
		reconcile(ike);
		if (ike->epoch != epoch)
			return;
	}
	sync_reset(ike);
	resync_arm(ike);
}

static void on_resync_conns(struct ike *ike, struct cmd *c,
			    const struct vici_node *reply)
{
	(void)c;
	if (take_conns(ike, reply))
		return;
	resync_step(ike);
}

static void on_resync_keys(struct ike *ike, struct cmd *c,
			   const struct vici_node *reply)
{
	(void)c;
	if (take_keys(ike, reply))
		return;
	resync_step(ike);
}

/* what a full list-sas did not mention since it began is gone */
static void on_resync_sas(struct ike *ike, struct cmd *c,
			  const struct vici_node *reply)
{
	(void)c;
	(void)reply;
	for (struct tun *t = ike->tuns; t; t = t->next) {
		for (struct ike_sa **pp = &t->ikes; *pp;) {
			struct ike_sa *sa = *pp;

			if (sa->gen >= t->full_gen) {
				pp = &sa->next;
				continue;
			}
			vlog(LOG_INFO, "ike: %s: IKE SA #%u (%s) no longer in charon",
			     t->name, sa->uid, sa->state);
			*pp = sa->next;
			free(sa);
		}
		for (struct child_sa **pp = &t->children; *pp;) {
			struct child_sa *cs = *pp;

			if (cs->gen >= t->full_gen) {
				pp = &cs->next;
				continue;
			}
			*pp = cs->next;
			free(cs);
		}
		tun_update(ike, t, tun_installed(t) ?
			   "child SA found by list-sas" :
			   "no installed child SA in list-sas");
	}
	resync_step(ike);
}

/*
 * Re-read charon's conns and keys (the timer, or a sign they vanished);
 * with sas also every SA, which refreshes what ike show prints and drops
 * records of SAs that ended without an event (a CONNECTING one that
 * failed).
 */
static void resync_start(struct ike *ike, bool sas)
{
	struct vici_builder b;

	if (!ike->synced || ike->resync_pending)
		return;
	loop_timer_cancel(ike->loop, &ike->resync);
	vlog(LOG_DEBUG, "ike: re-reading charon's conns and shared keys%s",
	     sas ? " and SAs" : "");
	ike->resync_pending = sas ? 3 : 2;
	vici_build_init(&b, VICI_CMD_REQUEST, "get-conns");
	if (!vc_queue(&ike->cmd, &b, on_resync_conns, NULL, "get-conns"))
		return;
	vici_build_init(&b, VICI_CMD_REQUEST, "get-shared");
	if (!vc_queue(&ike->cmd, &b, on_resync_keys, NULL, "get-shared") ||
	    !sas)
		return;
	for (struct tun *t = ike->tuns; t; t = t->next)
		t->full_gen = ++t->gen;
	vici_build_init(&b, VICI_CMD_REQUEST, "list-sas");
	vc_queue(&ike->ev, &b, on_resync_sas, NULL, "list-sas");
}

static void resync_timer(void *arg)
{
	resync_start(arg, true);
}

static void start_sync(struct ike *ike)
{
	struct vici_builder b;

	vlog(LOG_INFO, "ike: connected to %s; registering events, reading conns, keys and SAs",
	     ike->uri);
	for (size_t i = 0; i < sizeof(event_names) / sizeof(*event_names); i++) {
		vici_build_init(&b, VICI_EVENT_REGISTER, event_names[i]);
		vc_queue(&ike->ev, &b, on_register, NULL, "register %s",
			 event_names[i]);
	}
	ike->sync_pending = 3;
	vici_build_init(&b, VICI_CMD_REQUEST, "list-sas");
	vc_queue(&ike->ev, &b, on_list_sas_all, NULL, "list-sas");
	vici_build_init(&b, VICI_CMD_REQUEST, "get-conns");
	vc_queue(&ike->cmd, &b, on_get_conns, NULL, "get-conns");
	vici_build_init(&b, VICI_CMD_REQUEST, "get-shared");
	vc_queue(&ike->cmd, &b, on_get_shared, NULL, "get-shared");
}

/* ---- per tunnel: load, initiate, retry ---- */

static void on_load_shared(struct ike *ike, struct cmd *c,
			   const struct vici_node *reply)
{
	struct tun *t = find_tun(ike, c->tun);
	const char *ok = reply ? vici_get_str(reply, "success") : NULL;
	const char *msg = reply ? vici_get_str(reply, "errmsg") : NULL;

	if (!t)
		return;
	if (!ok || strcmp(ok, "yes")) {
		tun_error(t, "load-shared failed: %s",
			  msg ? msg : "charon gave no reason");
		vlog(LOG_ERR, "ike: %s: %s", t->name, t->err);
		return;
	}
	wipe_free(t->loaded_key, t->loaded_key_len);
	t->loaded_key = xmemdup(c->pkt, c->len);
	t->loaded_key_len = t->loaded_key ? c->len : 0;
	t->in_charon_key = true;
	vlog(LOG_INFO, "ike: %s: shared key loaded", t->name);
}

static void on_load_conn(struct ike *ike, struct cmd *c,
			 const struct vici_node *reply)
{
	struct tun *t = find_tun(ike, c->tun);
	const char *ok = reply ? vici_get_str(reply, "success") : NULL;
	const char *msg = reply ? vici_get_str(reply, "errmsg") : NULL;

	if (!t)
		return;
	if (!ok || strcmp(ok, "yes")) {
		tun_error(t, "load-conn failed: %s",
			  msg ? msg : "charon gave no reason");
		vlog(LOG_ERR, "ike: %s: %s; not initiating it until the config changes",
		     t->name, t->err);
		return;
	}
	free(t->loaded_conn);
	t->loaded_conn = xmemdup(c->pkt, c->len);
	t->loaded_conn_len = t->loaded_conn ? c->len : 0;
	t->in_charon_conn = true;
	t->conn_ok = same(t->loaded_conn, t->loaded_conn_len, t->conn_msg,
			  t->conn_len);
	vlog(LOG_INFO, "ike: %s: conn loaded", t->name);
	if (t->conn_ok && t->cfg.ike.initiate && !t->up) {
		t->fails = 0;
		loop_timer_arm(ike->loop, &t->retry, 0);
	}
}

static void queue_packet(struct ike *ike, struct tun *t, const uint8_t *pkt,
			 size_t len, cmd_done done, const char *what)
{
	struct cmd *c = calloc(1, sizeof(*c));

	if (!c || !(c->pkt = xmemdup(pkt, len))) {
		free(c);
		vlog(LOG_ERR, "ike: %s: out of memory queueing %s", t->name,
		     what);
		return;
	}
	c->len = len;
	c->expect = VICI_CMD_RESPONSE;
	c->done = done;
	snprintf(c->tun, sizeof(c->tun), "%s", t->name);
	snprintf(c->what, sizeof(c->what), "%s %s", what, t->name);
	vc_push(&ike->cmd, c);
}

/* bring charon's conn and key for t to what the config wants */
static void tun_apply(struct ike *ike, struct tun *t)
{
	if (!t->in_charon_key ||
	    !same(t->loaded_key, t->loaded_key_len, t->key_msg, t->key_len)) {
		vlog(LOG_INFO, "ike: %s: loading the shared key (%s)", t->name,
		     !t->in_charon_key ? "charon does not have it" :
		     t->loaded_key ? "the key or its ids changed" :
		     "not loaded by this vpnrtd yet; charon replaces it in place");
		queue_packet(ike, t, t->key_msg, t->key_len, on_load_shared,
			     "load-shared");
		if (!ike->cmd.up)
			return;	/* the send failed: everything was reset */
	}
	if (t->in_charon_conn &&
	    same(t->loaded_conn, t->loaded_conn_len, t->conn_msg, t->conn_len)) {
		vlog(LOG_DEBUG, "ike: %s: conn unchanged, not reloading it",
		     t->name);
		t->conn_ok = true;
		if (t->cfg.ike.initiate && !t->up && !t->busy &&
		    !t->retry.armed)
			loop_timer_arm(ike->loop, &t->retry, 0);
		return;
	}
	t->conn_ok = false;
	if (t->in_charon_conn && t->loaded_conn) {
		/*
		 * Replacing a conn leaves the SAs of start_action=none
		 * children running with the old settings: close them, so
		 * the tunnel comes back with the new ones.
		 */
		vlog(LOG_NOTICE, "ike: %s: config changed: closing its SAs and reloading the conn",
		     t->name);
		queue_terminate(ike, t->name);
	} else if (!t->in_charon_conn && t->loaded_conn && ike->synced) {
		vlog(LOG_WARNING, "ike: %s: charon no longer has the conn vpnrtd loaded (unloaded by someone else, e.g. swanctl --load-all); loading it again",
		     t->name);
	} else {
		vlog(LOG_INFO, "ike: %s: loading the conn (%s)", t->name,
		     !t->in_charon_conn ? "charon does not have it" :
		     "not loaded by this vpnrtd yet; an identical conn is a no-op in charon");
	}
	queue_packet(ike, t, t->conn_msg, t->conn_len, on_load_conn,
		     "load-conn");
}

static void tun_schedule(struct ike *ike, struct tun *t, const char *why)
{
	uint64_t d;

	if (!ike->synced || !t->cfg.ike.initiate || !t->conn_ok || t->up)
		return;
	d = backoff(ike, ike->tm.retry_min_ms, ike->tm.retry_max_ms,
		    t->fails);
	t->fails++;
	t->waiting_up = false;
	vlog(LOG_INFO, "ike: %s: next check (and initiate if charon has no SA for it) in %llu ms (%s; attempt %u)",
	     t->name, (unsigned long long)d, why, t->fails);
	loop_timer_arm(ike->loop, &t->retry, d);
}

static void on_initiate(struct ike *ike, struct cmd *c,
			const struct vici_node *reply)
{
	struct tun *t = find_tun(ike, c->tun);
	const char *ok = reply ? vici_get_str(reply, "success") : NULL;
	const char *msg = reply ? vici_get_str(reply, "errmsg") : NULL;

	if (!t)
		return;
	t->busy = false;
	if (t->up)
		return;
	if (!ok || strcmp(ok, "yes")) {
		tun_error(t, "initiate failed: %s",
			  msg ? msg : "charon gave no reason");
		vlog(LOG_WARNING, "ike: %s: %s", t->name, t->err);
		tun_schedule(ike, t, t->err);
		/* "CHILD_SA config '...' not found": someone unloaded it */
		if (msg && strstr(msg, "not found")) {
			vlog(LOG_NOTICE, "ike: %s: charon lost its config; re-reading charon's conns to load it again",
			     t->name);
			resync_start(ike, false);
		}
		return;
	}
	vlog(LOG_INFO, "ike: %s: initiating; waiting up to %u ms for a child SA",
	     t->name, ike->tm.up_deadline_ms);
	t->waiting_up = true;
	loop_timer_arm(ike->loop, &t->retry, ike->tm.up_deadline_ms);
}

static void on_list_sas_tun(struct ike *ike, struct cmd *c,
			    const struct vici_node *reply)
{
	struct tun *t = find_tun(ike, c->tun);
	struct vici_builder b;
	const char *what;
	uint32_t uid;

	(void)reply;
	if (!t)
		return;
	t->busy = false;
	/* whatever list-sas and events did not mention since is gone */
	for (struct ike_sa **pp = &t->ikes; *pp;) {
		struct ike_sa *s = *pp;

		if (s->gen >= c->gen) {
			pp = &s->next;
			continue;
		}
		vlog(LOG_INFO, "ike: %s: IKE SA #%u no longer in charon",
		     t->name, s->uid);
		*pp = s->next;
		free(s);
	}
	for (struct child_sa **pp = &t->children; *pp;) {
		struct child_sa *cs = *pp;

		if (cs->gen >= c->gen) {
			pp = &cs->next;
			continue;
		}
		*pp = cs->next;
		free(cs);
	}
	tun_update(ike, t, tun_installed(t) ? "child SA found by list-sas" :
			   "no installed child SA in list-sas");
	if (t->up || !t->cfg.ike.initiate || !t->conn_ok)
		return;
	what = tun_pending(t, &uid);
	if (what) {
		vlog(LOG_INFO, "ike: %s: not initiating: %s #%u is being established",
		     t->name, what, uid);
		tun_schedule(ike, t, "an SA is being established");
		return;
	}
	vlog(LOG_NOTICE, "ike: %s: initiating (no SA in charon%s%s)", t->name,
	     t->err[0] ? "; last error: " : "", t->err);
	vici_build_init(&b, VICI_CMD_REQUEST, "initiate");
	vici_build_kv_str(&b, "child", t->name);
	vici_build_kv_str(&b, "ike", t->name);
	/* -1: answer at once, no control-log: see the top of the file */
	vici_build_kv_str(&b, "timeout", "-1");
	if (vc_queue(&ike->cmd, &b, on_initiate, t->name, "initiate %s",
		     t->name))
		t->busy = true;
}

static void tun_retry(void *arg)
{
	struct tun *t = arg;
	struct ike *ike = t->ike;
	struct vici_builder b;
	struct cmd *c;

	if (!ike->synced || !t->cfg.ike.initiate || !t->conn_ok)
		return;
	if (t->waiting_up) {
		t->waiting_up = false;
		if (t->up)
			return;
		tun_error(t, "no child SA %u ms after initiate (charon's log says why)",
			  ike->tm.up_deadline_ms);
		vlog(LOG_WARNING, "ike: %s: %s", t->name, t->err);
		tun_schedule(ike, t, "not up within the deadline");
		return;
	}
	if (t->up || t->busy)
		return;
	/* ask charon first: never initiate a duplicate */
	t->gen++;
	vici_build_init(&b, VICI_CMD_REQUEST, "list-sas");
	vici_build_kv_str(&b, "ike", t->name);
	c = vc_queue(&ike->ev, &b, on_list_sas_tun, t->name, "list-sas ike %s",
		     t->name);
	if (c) {
		c->gen = t->gen;
		t->busy = true;
	}
}

/* ---- connecting ---- */

static void vc_io(void *arg, uint32_t events);

static void vc_connected(struct ike *ike)
{
	if (!ike->ev.up || !ike->cmd.up)
		return;
	start_sync(ike);
}

static int vc_open(struct ike *ike, struct vconn *vc)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	memcpy(sa.sun_path, ike->path, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	vc->fd = fd;
	r = loop_add_fd(ike->loop, fd, EPOLLIN | EPOLLOUT, vc_io, vc);
	if (r) {
		close(fd);
		vc->fd = -1;
		return r;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		vc->up = true;
		loop_mod_fd(ike->loop, fd, EPOLLIN);
		return 0;
	}
	if (errno == EINPROGRESS) {
		vc->connecting = true;
		return 0;
	}
	return -errno;
}

static void ike_connect(void *arg)
{
	struct ike *ike = arg;
	int r;

	r = vc_open(ike, &ike->ev);
	if (!r)
		r = vc_open(ike, &ike->cmd);
	if (r) {
		ike_fail(ike, "connecting to %s: %s", ike->uri, strerror(-r));
		return;
	}
	vc_connected(ike);
}

static void vc_io(void *arg, uint32_t events)
{
	struct vconn *vc = arg;
	struct ike *ike = vc->ike;
	unsigned int epoch = ike->epoch;

	if (vc->connecting) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(vc->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			ike_fail(ike, "connecting to %s: %s", ike->uri,
				 strerror(err));
			return;
		}
		vc->connecting = false;
		vc->up = true;
		loop_mod_fd(ike->loop, vc->fd, EPOLLIN);
		vc_connected(ike);
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		vc_read(vc);
		if (ike->epoch != epoch)
			return;
	}
	if ((events & EPOLLOUT) && vc->out_len)
		vc_flush(vc);
}

static void vc_timeout(void *arg)
{
	struct vconn *vc = arg;

	ike_fail(vc->ike, "no answer to %s on the %s connection within %u ms",
		 vc->q ? vc->q->what : "a request", vc->role,
		 vc->ike->tm.cmd_timeout_ms);
}

/* ---- API ---- */

static void vc_init(struct ike *ike, struct vconn *vc, const char *role)
{
	vc->ike = ike;
	vc->role = role;
	vc->fd = -1;
	vc->q_tail = &vc->q;
	loop_timer_init(&vc->timeout, vc_timeout, vc);
}

struct ike *ike_new(struct loop *loop, const char *uri,
		    const struct ike_ops *ops, void *arg)
{
	struct ike *ike;
	const char *path;

	if (!uri)
		uri = IKE_DEFAULT_URI;
	if (strncmp(uri, "unix://", 7)) {
		vlog(LOG_ERR, "ike: vici uri \"%s\": only unix:///path is allowed",
		     uri);
		return NULL;
	}
	path = uri + 7;
	if (path[0] != '/' ||
	    strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		vlog(LOG_ERR, "ike: vici uri \"%s\": the path must be absolute and at most %zu bytes",
		     uri, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		return NULL;
	}
	ike = calloc(1, sizeof(*ike));
	if (!ike || !(ike->uri = strdup(uri))) {
		free(ike);
		vlog(LOG_ERR, "ike: out of memory");
		return NULL;
	}
	snprintf(ike->path, sizeof(ike->path), "%s", path);
	ike->loop = loop;
	if (ops)
		ike->ops = *ops;
	ike->arg = arg;
	ike->tm = timing_default;
	ike->rng = ((uint64_t)getpid() << 32) ^ loop_now_ms() ^
		   (uint64_t)time(NULL) ^ 0x9e3779b97f4a7c15ull;
	vc_init(ike, &ike->ev, "event");
	vc_init(ike, &ike->cmd, "command");
	loop_timer_init(&ike->reconnect, ike_connect, ike);
	loop_timer_init(&ike->resync, resync_timer, ike);
	ike_connect(ike);
	return ike;
}

static void tun_free(struct ike *ike, struct tun *t)
{
	loop_timer_cancel(ike->loop, &t->retry);
	tun_clear_sas(t);
	free(t->conn_msg);
	free(t->loaded_conn);
	wipe_free(t->key_msg, t->key_len);
	wipe_free(t->loaded_key, t->loaded_key_len);
	explicit_bzero(&t->cfg, sizeof(t->cfg));
	free(t);
}

void ike_free(struct ike *ike)
{
	if (!ike)
		return;
	vc_close(ike, &ike->ev);
	vc_close(ike, &ike->cmd);
	free(ike->ev.in);
	free(ike->ev.out);
	free(ike->cmd.in);
	free(ike->cmd.out);
	loop_timer_cancel(ike->loop, &ike->reconnect);
	loop_timer_cancel(ike->loop, &ike->resync);
	sync_reset(ike);
	while (ike->tuns) {
		struct tun *t = ike->tuns;

		ike->tuns = t->next;
		tun_free(ike, t);
	}
	free(ike->foreign);
	free(ike->uri);
	free(ike);
}

void ike_set_timing(struct ike *ike, const struct ike_timing *tm)
{
	ike->tm = tm ? *tm : timing_default;
	if (!ike->resync_pending)
		resync_arm(ike);
}

bool ike_connected(const struct ike *ike)
{
	return ike->synced;
}

/* the packets of one tunnel, built before anything changes */
struct built {
	char name[IKE_NAME_MAX];
	uint8_t *conn, *key;
	size_t conn_len, key_len;
};

static int build_one(const struct ike_tunnel *it, struct built *o)
{
	char err[IKE_MAP_ERR_LEN];
	struct vici_builder b;
	const uint8_t *p;
	size_t len;

	if (ike_map_name(it->conn, it->pos, o->name, sizeof(o->name), err,
			 sizeof(err)) ||
	    ike_map_load_conn(&b, it, err, sizeof(err))) {
		vici_build_free(&b);
		vlog(LOG_ERR, "ike: %s tunnel %d: %s", it->conn, it->pos, err);
		return -1;
	}
	vici_build_finish(&b, &p, &len);
	o->conn = xmemdup(p, len);
	o->conn_len = len;
	vici_build_free(&b);
	if (ike_map_load_shared(&b, it, err, sizeof(err))) {
		vici_build_free(&b);
		vlog(LOG_ERR, "ike: %s tunnel %d: %s", it->conn, it->pos, err);
		return -1;
	}
	vici_build_finish(&b, &p, &len);
	o->key = xmemdup(p, len);
	o->key_len = len;
	explicit_bzero(b.buf, b.cap);
	vici_build_free(&b);
	if (!o->conn || !o->key) {
		vlog(LOG_ERR, "ike: out of memory");
		return -1;
	}
	return 0;
}

static void tun_remove(struct ike *ike, struct tun *t)
{
	vlog(LOG_NOTICE, "ike: %s: no longer in the config: terminating its SAs, unloading conn and key",
	     t->name);
	if (ike->synced) {
		queue_terminate(ike, t->name);
		queue_simple(ike, &ike->cmd, "unload-conn", "name", t->name,
			     on_logged_answer);
		queue_simple(ike, &ike->cmd, "unload-shared", "id", t->name,
			     on_logged_answer);
	}
	if (t->up)
		tun_report(ike, t, false, "removed from the configuration");
	tun_free(ike, t);
}

int ike_set_tunnels(struct ike *ike, const struct ike_tunnel *tuns, int n)
{
	struct built *bt = calloc(n > 0 ? n : 1, sizeof(*bt));
	struct tun *old = ike->tuns, **tail;
	int bad = 0;

	if (!bt) {
		vlog(LOG_ERR, "ike: out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (build_one(&tuns[i], &bt[i])) {
			bad++;
			continue;
		}
		for (int k = 0; k < i; k++) {
			if (!strcmp(bt[k].name, bt[i].name)) {
				vlog(LOG_ERR, "ike: tunnel %s given twice; each connection and position once allowed",
				     bt[i].name);
				bad++;
			}
		}
	}
	if (bad) {
		for (int i = 0; i < n; i++) {
			free(bt[i].conn);
			wipe_free(bt[i].key, bt[i].key_len);
		}
		free(bt);
		vlog(LOG_ERR, "ike: %d tunnel(s) refused; IKE configuration left as it was",
		     bad);
		return -1;
	}
	/* the new list, in config order; leftovers in old are removed */
	ike->tuns = NULL;
	tail = &ike->tuns;
	for (int i = 0; i < n; i++) {
		struct tun *t = NULL, **pp;
		bool is_new = false, changed;

		for (pp = &old; *pp; pp = &(*pp)->next) {
			if (!strcmp((*pp)->name, bt[i].name)) {
				t = *pp;
				*pp = t->next;
				break;
			}
		}
		if (!t) {
			t = calloc(1, sizeof(*t));
			if (!t) {
				vlog(LOG_ERR, "ike: out of memory; %s dropped",
				     bt[i].name);
				free(bt[i].conn);
				wipe_free(bt[i].key, bt[i].key_len);
				continue;
			}
			t->ike = ike;
			snprintf(t->name, sizeof(t->name), "%s", bt[i].name);
			loop_timer_init(&t->retry, tun_retry, t);
			is_new = true;
		}
		snprintf(t->conn, sizeof(t->conn), "%s", tuns[i].conn);
		t->pos = tuns[i].pos;
		t->cfg = *tuns[i].t;
		changed = !same(t->conn_msg, t->conn_len, bt[i].conn,
				bt[i].conn_len) ||
			  !same(t->key_msg, t->key_len, bt[i].key,
				bt[i].key_len);
		free(t->conn_msg);
		wipe_free(t->key_msg, t->key_len);
		t->conn_msg = bt[i].conn;
		t->conn_len = bt[i].conn_len;
		t->key_msg = bt[i].key;
		t->key_len = bt[i].key_len;
		t->next = NULL;
		*tail = t;
		tail = &t->next;
		if (is_new)
			vlog(LOG_INFO, "ike: %s: new tunnel (%s tunnel %d, if_id %u%s)",
			     t->name, t->conn, t->pos, t->cfg.if_id,
			     t->cfg.ike.initiate ? "" : ", responder only");
		if (!t->cfg.ike.nat_traversal && (is_new || changed))
			vlog(LOG_NOTICE, "ike: %s: nat-traversal off: charon never forces UDP encapsulation (encap=no), but it cannot switch off NAT detection",
			     t->name);
		if (!t->cfg.ike.initiate) {
			loop_timer_cancel(ike->loop, &t->retry);
			t->waiting_up = false;
		}
		t->apply = is_new || changed;
	}
	free(bt);
	/*
	 * Requests only once the list is whole: a failed send disconnects,
	 * and the disconnect must find every tunnel to reset it.
	 */
	for (struct tun *t = ike->tuns; t; t = t->next) {
		if (ike->synced)
			tun_settle(ike, t, "new tunnel, no SA yet");
		if (ike->synced && t->apply)
			tun_apply(ike, t);
		else if (ike->synced && t->conn_ok && t->cfg.ike.initiate &&
			 !t->up && !t->busy && !t->retry.armed)
			loop_timer_arm(ike->loop, &t->retry, 0);
		t->apply = false;
	}
	while (old) {
		struct tun *t = old;

		old = t->next;
		tun_remove(ike, t);
	}
	return 0;
}

/* ---- show ---- */

static bool tun_match(const struct tun *t, const char *conn)
{
	return !conn || !strcmp(conn, t->conn);
}

/* a value charon gave at seen_ms, moved on to now (up: counts up) */
static uint64_t aged(uint64_t v, uint64_t seen_ms, bool up)
{
	uint64_t el = (loop_now_ms() - seen_ms) / 1000;

	if (v == NONE)
		return NONE;
	if (up)
		return v + el;
	return v > el ? v - el : 0;
}

static void j_num(struct json *j, const char *key, uint64_t v)
{
	if (v != NONE)
		json_u64(j, key, v);
}

static void j_str(struct json *j, const char *key, const char *v)
{
	if (v[0])
		json_str(j, key, v);
}

/*
 * Keys: charon's own names for what comes from charon ("spi-in",
 * "encr-alg", as list-sas spells them), underscores for vpnrtd's (as in
 * agent show).
 */
static void show_child_json(struct json *j, const struct child_sa *c)
{
	json_obj_open(j, NULL);
	json_u64(j, "uniqueid", c->uid);
	json_u64(j, "ike_uniqueid", c->ike_uid);
	j_num(j, "reqid", c->reqid);
	j_str(j, "state", c->state);
	j_str(j, "mode", c->mode);
	j_str(j, "protocol", c->protocol);
	j_str(j, "spi-in", c->spi_in);
	j_str(j, "spi-out", c->spi_out);
	j_str(j, "encr-alg", c->encr);
	j_num(j, "encr-keysize", c->encr_keysize);
	j_str(j, "integ-alg", c->integ);
	j_str(j, "dh-group", c->dh);
	j_num(j, "install-time", aged(c->install_time, c->seen_ms, true));
	j_num(j, "rekey-time", aged(c->rekey_time, c->seen_ms, false));
	j_num(j, "life-time", aged(c->life_time, c->seen_ms, false));
	j_num(j, "bytes-in", c->bytes_in);
	j_num(j, "bytes-out", c->bytes_out);
	j_num(j, "packets-in", c->packets_in);
	j_num(j, "packets-out", c->packets_out);
	json_u64(j, "updated_ago", (loop_now_ms() - c->seen_ms) / 1000);
	json_obj_close(j);
}

static void show_ike_json(struct json *j, const struct ike_sa *s)
{
	json_obj_open(j, NULL);
	json_u64(j, "uniqueid", s->uid);
	j_str(j, "state", s->state);
	j_num(j, "version", s->version);
	j_str(j, "local-host", s->local_host);
	j_num(j, "local-port", s->local_port);
	j_str(j, "local-id", s->local_id);
	j_str(j, "remote-host", s->remote_host);
	j_num(j, "remote-port", s->remote_port);
	j_str(j, "remote-id", s->remote_id);
	if (s->initiator[0])
		json_bool(j, "initiator", !strcmp(s->initiator, "yes"));
	j_str(j, "initiator-spi", s->ispi);
	j_str(j, "responder-spi", s->rspi);
	j_str(j, "encr-alg", s->encr);
	j_num(j, "encr-keysize", s->encr_keysize);
	j_str(j, "integ-alg", s->integ);
	j_str(j, "prf-alg", s->prf);
	j_str(j, "dh-group", s->dh);
	j_num(j, "established", aged(s->established, s->seen_ms, true));
	j_num(j, "rekey-time", aged(s->rekey_time, s->seen_ms, false));
	j_num(j, "reauth-time", aged(s->reauth_time, s->seen_ms, false));
	json_u64(j, "updated_ago", (loop_now_ms() - s->seen_ms) / 1000);
	json_obj_close(j);
}

static int64_t retry_in_ms(const struct tun *t)
{
	uint64_t now = loop_now_ms();

	if (!t->retry.armed)
		return -1;
	return t->retry.due_ms > now ? (int64_t)(t->retry.due_ms - now) : 0;
}

void ike_show_json(struct ike *ike, const char *conn, struct json *j)
{
	json_arr_open(j, "tunnels");
	for (struct tun *t = ike->tuns; t; t = t->next) {
		int64_t r = retry_in_ms(t);

		if (!tun_match(t, conn))
			continue;
		json_obj_open(j, NULL);
		json_str(j, "conn", t->conn);
		json_u64(j, "pos", t->pos);
		json_str(j, "name", t->name);
		json_str(j, "state", t->up ? "up" : "down");
		json_u64(j, "installed_child_sas", tun_installed(t));
		json_bool(j, "initiate", t->cfg.ike.initiate);
		json_bool(j, "loaded", t->conn_ok);
		json_arr_open(j, "ike_sas");
		for (const struct ike_sa *s = t->ikes; s; s = s->next)
			show_ike_json(j, s);
		json_arr_close(j);
		json_arr_open(j, "child_sas");
		for (const struct child_sa *c = t->children; c; c = c->next)
			show_child_json(j, c);
		json_arr_close(j);
		if (t->err[0]) {
			json_str(j, "last_error", t->err);
			json_s64(j, "last_error_time", (int64_t)t->err_time);
		} else {
			json_null(j, "last_error");
			json_null(j, "last_error_time");
		}
		if (r >= 0)
			json_u64(j, "next_retry_in_ms", (uint64_t)r);
		else
			json_null(j, "next_retry_in_ms");
		json_obj_close(j);
	}
	json_arr_close(j);
}

/* "<pre><v><post>", or nothing when charon did not say */
static void t_num(FILE *out, const char *pre, uint64_t v, const char *post)
{
	if (v != NONE)
		fprintf(out, "%s%llu%s", pre, (unsigned long long)v, post);
}

void ike_show_text(struct ike *ike, const char *conn, FILE *out)
{
	if (!ike->synced)
		fprintf(out, "charon: not connected (%s)\n", ike->uri);
	for (struct tun *t = ike->tuns; t; t = t->next) {
		int64_t r = retry_in_ms(t);

		if (!tun_match(t, conn))
			continue;
		fprintf(out, "%s tunnel %d (%s): %s, %d installed child SA(s)%s\n",
			t->conn, t->pos, t->name, t->up ? "up" : "down",
			tun_installed(t), t->cfg.ike.initiate ? "" :
			", responder only");
		if (t->err[0])
			fprintf(out, "  last error: %s (%lld s ago)\n", t->err,
				(long long)(time(NULL) - t->err_time));
		if (r >= 0)
			fprintf(out, "  next attempt in %lld ms\n", (long long)r);
		for (const struct ike_sa *s = t->ikes; s; s = s->next) {
			fprintf(out, "  %s: #%u, %s", t->name, s->uid,
				s->state[0] ? s->state : "?");
			t_num(out, ", IKEv", s->version, "");
			if (s->ispi[0])
				fprintf(out, ", %s_i%s %s_r%s", s->ispi,
					!strcmp(s->initiator, "yes") ? "*" : "",
					s->rspi,
					!strcmp(s->initiator, "yes") ? "" : "*");
			fprintf(out, "\n    local  '%s' @ %s", s->local_id,
				s->local_host);
			t_num(out, "[", s->local_port, "]");
			fprintf(out, "\n    remote '%s' @ %s", s->remote_id,
				s->remote_host);
			t_num(out, "[", s->remote_port, "]");
			fprintf(out, "\n    %s", s->encr[0] ? s->encr : "?");
			t_num(out, "-", s->encr_keysize, "");
			fprintf(out, "/%s/%s/%s\n", s->integ, s->prf, s->dh);
			t_num(out, "    established ",
			      aged(s->established, s->seen_ms, true), "s ago");
			t_num(out, ", rekeying in ",
			      aged(s->rekey_time, s->seen_ms, false), "s");
			t_num(out, ", reauth in ",
			      aged(s->reauth_time, s->seen_ms, false), "s");
			if (s->established != NONE || s->rekey_time != NONE ||
			    s->reauth_time != NONE)
				fputc('\n', out);
			for (const struct child_sa *c = t->children; c;
			     c = c->next) {
				if (c->ike_uid != s->uid)
					continue;
				fprintf(out, "    %s: #%u", t->name, c->uid);
				t_num(out, ", reqid ", c->reqid, "");
				fprintf(out, ", %s, %s, %s:%s",
					c->state[0] ? c->state : "?",
					c->mode[0] ? c->mode : "?",
					c->protocol[0] ? c->protocol : "ESP",
					c->encr[0] ? c->encr : "?");
				t_num(out, "-", c->encr_keysize, "");
				fprintf(out, "/%s%s%s\n", c->integ,
					c->dh[0] ? "/" : "", c->dh);
				t_num(out, "      installed ",
				      aged(c->install_time, c->seen_ms, true), "s ago");
				t_num(out, ", rekeying in ",
				      aged(c->rekey_time, c->seen_ms, false), "s");
				t_num(out, ", expires in ",
				      aged(c->life_time, c->seen_ms, false), "s");
				if (c->install_time != NONE)
					fputc('\n', out);
				fprintf(out, "      in  %-8s", c->spi_in);
				t_num(out, ", ", c->bytes_in, " bytes");
				t_num(out, ", ", c->packets_in, " packets");
				fprintf(out, "\n      out %-8s", c->spi_out);
				t_num(out, ", ", c->bytes_out, " bytes");
				t_num(out, ", ", c->packets_out, " packets");
				fprintf(out, " (as of %llus ago)\n",
					(unsigned long long)((loop_now_ms() - c->seen_ms) / 1000));
			}
		}
	}
}
