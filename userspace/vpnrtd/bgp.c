// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtd's BGP speakers (bgp.h): one per gateway that has tunnels with
 * bgp:, each a table (bgp_rib.h) and one session (bgp_session.h) per such
 * tunnel. This file is the glue: config, tunnel state, the sessions'
 * callbacks, graceful restart, and the control socket's queries. What we
 * announce is bgp_adv.c, what reaches the kernel bgp_kernel.c.
 *
 * Decisions, and why:
 *  - A session runs only while its tunnel can carry it (IKE up; for
 *    ike: none, while the device exists). When the tunnel goes down the
 *    session is stopped and its routes removed at once, not kept stale:
 *    the kernel already cannot use them, and a peer that comes back
 *    resends them.
 *  - The table's operations are drained from a zero-delay timer: the
 *    callbacks of one loop turn (up to 64 UPDATEs per connection) are
 *    coalesced into one set of batched requests.
 *  - A route the kernel refuses (its quota, per connection, is not the
 *    table's, per peer) stays installed in the table: the gateway is
 *    marked out of sync and bgp_kernel_resync() brings the kernel to the
 *    table every RESYNC_MS, and one second after deletions that may have
 *    made room. Refusals are logged once per batch with the first extack
 *    and the count.
 *  - Graceful restart as the restarting speaker (RFC 4724, with the F
 *    bit: the kernel keeps forwarding across our restart): bgp_open()
 *    marks the kernel's BGP routes stale with a timeout of the longest
 *    restart time + GR_MARGIN_S (the kernel sweeps them itself should we
 *    never come back); each route a peer sends again is added, which for
 *    a stale route is its refresh (Documentation/netlink.rst, ROUTE_NEW:
 *    no EEXIST); when every peer of a connection has sent End-of-RIB for
 *    each family it negotiated, that connection is swept; the restart
 *    time sweeps the rest.
 *  - As helper (the peer restarts): its routes stay stale for its restart
 *    time, then STALE_PATH_S after it is back until its End-of-RIB.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_int.h"
#include "hostroute.h"
#include "log.h"
#include "vpnrtd.h"

#define RESYNC_MS		30000
#define RESYNC_SOON_MS		1000
#define GR_MARGIN_S		60
#define STALE_PATH_S		360	/* helper: after the peer is back */
#define DRAIN_OPS		4096

struct bgp_peer {
	struct bgp_speaker *sp;
	char conn[VPNRT_CONN_NAME_MAX];
	int pos;
	struct bgp_session *s;
	struct bgp_session_cfg scfg;	/* gr_* zero: compared on reload */
	int rib_peer;
	bool tunnel_up;
	bool restarting;		/* the R bit still to send */
	bool eor_all;			/* End-of-RIB of every family seen */
	uint8_t afs_up;			/* negotiated, while Established */
	uint8_t eor_rcvd;
	struct loop_timer stale_timer;	/* helper: the peer's stale routes */
	struct bgp_adv adv;
	bool seen;
};

struct bgp_speaker {
	struct bgp *b;
	char gw[IFNAMSIZ];
	uint32_t ifindex;
	struct bgp_rib *rib;
	struct bgp_rib_config rcfg;
	int n_peers;
	struct bgp_peer *peers[BGP_RIB_PEERS_MAX];
	struct bgp_pset want;		/* what every peer gets: */
	struct bgp_pset advertise;	/* the advertise list, and */
	uint32_t adv_table;		/* advertise-table's routes (0: none) */
	/* the VPC table (hostroute.h): learned prefixes via the gw device */
	uint32_t vpc_table;		/* taken over; 0: none */
	int vpc_ifindex;
	bool vpc_sweep_pending;		/* stale routes of a previous run */
	struct loop_timer vpc_timer;	/* ... swept at the latest then */
	uint64_t vpc_errors;		/* adds and deletes not queued */
	bool out_of_sync;
	bool seen;
};

/* a connection whose kernel routes were marked stale at start */
struct gr_conn {
	uint32_t ifindex;
	char gw[IFNAMSIZ];
	char conn[VPNRT_CONN_NAME_MAX];
	bool swept;
};

struct bgp {
	struct vpnrtd *d;
	int n_sp;
	struct bgp_speaker **sp;
	struct loop_timer drain_timer, resync_timer, gr_timer;
	struct bgp_rib_op *ops;
	/* graceful restart of our own */
	bool restarting;
	uint32_t gr_time;		/* s, the longest configured */
	int n_grc;
	struct gr_conn *grc;
	struct gr_gw { uint32_t ifindex; bool done; } *grg;
	int n_grg;
	uint64_t upd_us, upd_n;		/* VPNRTD_BGP_TIMING: UPDATEs since */
	struct timespec upd_first;	/* the last drain: time, count, when
					 * the first came */
};

static void schedule_drain(struct bgp *b)
{
	if (!b->drain_timer.armed)
		loop_timer_arm(b->d->loop, &b->drain_timer, 0);
}

static const char *peer_addr(const struct bgp_peer *p, char *buf, size_t len)
{
	return inet_ntop(AF_INET, &p->scfg.peer.v4, buf, (socklen_t)len);
}

/* ---- advertisement ---- */

static int adv_send(void *arg, const uint8_t *msg, size_t len)
{
	struct bgp_peer *p = arg;

	if (!bgp_session_writable(p->s))
		return -1;
	return bgp_session_send(p->s, msg, len);
}

static int adv_marker(void *arg, enum bgp_af af, uint8_t subtype)
{
	struct bgp_peer *p = arg;

	if (!bgp_session_writable(p->s))
		return -1;
	if (subtype == BGP_ADV_MARK_EOR)
		return bgp_session_send_eor(p->s, af);
	return bgp_session_route_refresh(p->s, af, subtype);
}

static void adv_sync(struct bgp_peer *p)
{
	size_t msgs = 0, before = p->adv.sent.n;

	/* afs_up, not the state: the up callback runs before Established */
	if (!p->s || !p->afs_up)
		return;
	if (bgp_adv_sync(&p->adv, &p->sp->want, p->afs_up,
			 bgp_session_ctx(p->s), adv_send, adv_marker, p, &msgs)) {
		if (bgp_session_writable(p->s))
			vlog(LOG_WARNING, "%s: the advertisement could not be queued (%s); retried when the session's queue drains",
			     bgp_session_label(p->s), strerror(errno));
		else
			vlog(LOG_DEBUG, "%s: advertisement waits for the send queue",
			     bgp_session_label(p->s));
	}
	if (msgs)
		vlog(LOG_INFO, "%s: advertised %zu prefixes now (was %zu), %zu UPDATEs",
		     bgp_session_label(p->s), p->adv.sent.n, before, msgs);
}

/* ---- the VPC table ---- */

static void vpc_apply(struct bgp_speaker *sp, const struct bgp_rib_op *ops,
		      size_t n, uint8_t type)
{
	struct hostroute *h = sp->b->d->hostroute;

	if (!h || !sp->vpc_table)
		return;
	for (size_t i = 0; i < n; i++) {
		int err;

		if (ops[i].type != type)
			continue;
		if (type == BGP_RIB_OP_VPC_ADD)
			err = hostroute_vpc_add(h, sp->vpc_table, sp->vpc_ifindex,
						&ops[i].pfx);
		else
			err = hostroute_vpc_del(h, sp->vpc_table, sp->vpc_ifindex,
						&ops[i].pfx);
		if (err && !sp->vpc_errors++)
			vlog(LOG_ERR, "gateway %s: VPC table %u: out of memory queueing a route; the next sync puts it right",
			     sp->gw, sp->vpc_table);
	}
}

static void vpc_sweep(struct bgp_speaker *sp, const char *why)
{
	size_t n;

	if (!sp->vpc_sweep_pending)
		return;
	sp->vpc_sweep_pending = false;
	loop_timer_cancel(sp->b->d->loop, &sp->vpc_timer);
	if (!sp->b->d->hostroute || !sp->vpc_table)
		return;
	n = hostroute_vpc_sweep(sp->b->d->hostroute, sp->vpc_table,
				sp->vpc_ifindex);
	vlog(n ? LOG_NOTICE : LOG_INFO, "gateway %s: VPC table %u: %zu route%s of a previous run not learned again removed (%s)",
	     sp->gw, sp->vpc_table, n, n == 1 ? "" : "s", why);
}

static void on_vpc_timer(void *arg)
{
	struct bgp_speaker *sp = arg;

	vpc_sweep(sp, "restart time over");
}

/* every peer of the speaker sent End-of-RIB: the previous run's go */
static void vpc_check(struct bgp_speaker *sp)
{
	if (!sp->vpc_sweep_pending)
		return;
	for (int i = 0; i < sp->n_peers; i++)
		if (!sp->peers[i]->eor_all)
			return;
	vpc_sweep(sp, "End-of-RIB from every peer");
}

/*
 * Take over (table, the gateway device) as g says: a changed or removed
 * table is flushed; a new one is read (routes of ours there become
 * stale, swept once every peer sent End-of-RIB or after the restart
 * time) and gets the prefixes installed now.
 */
static void vpc_setup(struct bgp_speaker *sp, const struct cfg_gw *g)
{
	struct hostroute *h = sp->b->d->hostroute;
	uint32_t table = g ? g->bgp.vpc_table : 0;
	int ifindex = (int)sp->ifindex;
	struct bgp_rib_iter it;
	struct bgp_rib_route r;
	char err[256];
	size_t n = 0;

	if (!h)
		return;
	if (!ifindex)
		table = 0;
	if (sp->vpc_table == table && sp->vpc_ifindex == ifindex)
		return;
	if (sp->vpc_table) {
		n = hostroute_vpc_flush(h, sp->vpc_table, sp->vpc_ifindex);
		vlog(LOG_NOTICE, "gateway %s: VPC table %u given up: %zu route%s removed",
		     sp->gw, sp->vpc_table, n, n == 1 ? "" : "s");
		sp->vpc_table = 0;
		sp->vpc_sweep_pending = false;
		loop_timer_cancel(sp->b->d->loop, &sp->vpc_timer);
	}
	if (!table)
		return;
	if (hostroute_vpc_begin(h, table, ifindex, err, sizeof(err))) {
		vlog(LOG_ERR, "gateway %s: VPC table %u: %s; learned routes do not go there",
		     sp->gw, table, err);
		return;
	}
	sp->vpc_table = table;
	sp->vpc_ifindex = ifindex;
	sp->vpc_sweep_pending = true;
	loop_timer_arm(sp->b->d->loop, &sp->vpc_timer,
		       (uint64_t)(sp->b->gr_time ? sp->b->gr_time :
				  CFG_GR_TIME_DEF) * 1000);
	bgp_rib_iter_init(&it, -1, -1, false);
	n = 0;
	while (bgp_rib_iter_next(sp->rib, &it, &r))
		if (r.installed) {
			if (hostroute_vpc_add(h, table, ifindex, &r.pfx) &&
			    !sp->vpc_errors++)
				vlog(LOG_ERR, "gateway %s: VPC table %u: out of memory",
				     sp->gw, table);
			n++;
		}
	vlog(LOG_NOTICE, "gateway %s: VPC table %u via %s: %zu learned prefix%s",
	     sp->gw, table, sp->gw, n, n == 1 ? "" : "es");
}

/* ---- advertise-table ---- */

/* want = the advertise list + the watched table's prefixes now */
static int want_rebuild(struct bgp_speaker *sp)
{
	struct hostroute *h = sp->b->d->hostroute;
	struct bgp_prefix *v = NULL;
	size_t n = 0;

	bgp_pset_free(&sp->want);
	for (size_t i = 0; i < sp->advertise.n; i++)
		if (bgp_pset_add(&sp->want, &sp->advertise.v[i]))
			return -1;
	if (h && sp->adv_table) {
		n = hostroute_table(h, sp->adv_table, NULL, 0);
		v = n ? calloc(n, sizeof(*v)) : NULL;
		if (n && !v)
			return -1;
		n = v ? hostroute_table(h, sp->adv_table, v, n) : 0;
		for (size_t i = 0; i < n; i++)
			if (bgp_pset_add(&sp->want, &v[i])) {
				free(v);
				return -1;
			}
		free(v);
	}
	bgp_pset_sort(&sp->want);
	return 0;
}

static void adv_sync_all(struct bgp_speaker *sp)
{
	for (int i = 0; i < sp->n_peers; i++)
		adv_sync(sp->peers[i]);
}

/* the watched table changed: every speaker announcing it follows */
static void on_table(void *arg, uint32_t table)
{
	struct bgp *b = arg;

	for (int i = 0; i < b->n_sp; i++) {
		struct bgp_speaker *sp = b->sp[i];
		size_t before = sp->want.n;

		if (sp->adv_table != table)
			continue;
		if (want_rebuild(sp)) {
			vlog(LOG_ERR, "gateway %s: out of memory following table %u",
			     sp->gw, table);
			continue;
		}
		vlog(LOG_INFO, "gateway %s: table %u changed: %zu prefixes to announce (were %zu)",
		     sp->gw, table, sp->want.n, before);
		adv_sync_all(sp);
	}
}

/*
 * Watch the tables the speakers announce (skipping routes via any
 * gateway device: what vpnrt forwards, learned ones included, is never
 * announced back), stop watching the others.
 */
static void tables_watch(struct bgp *b, const uint32_t *old, int n_old)
{
	struct hostroute *h = b->d->hostroute;
	int skip[BGP_RIB_PEERS_MAX];
	size_t n_skip = 0;
	char err[256];

	if (!h)
		return;
	for (int i = 0; i < b->d->cfg->n_gws && n_skip < BGP_RIB_PEERS_MAX; i++) {
		unsigned int ix = if_nametoindex(b->d->cfg->gws[i].name);

		if (ix)
			skip[n_skip++] = (int)ix;
	}
	for (int i = 0; i < b->n_sp; i++) {
		uint32_t t = b->sp[i]->adv_table;
		bool done = false;

		for (int j = 0; j < i && !done; j++)
			done = b->sp[j]->adv_table == t;
		if (!t || done)
			continue;
		if (hostroute_watch(h, t, skip, n_skip, on_table, b, err,
				    sizeof(err)))
			vlog(LOG_ERR, "advertise-table %u: %s; its routes are not announced",
			     t, err);
	}
	for (int k = 0; k < n_old; k++) {
		bool used = false;

		for (int i = 0; i < b->n_sp && !used; i++)
			used = b->sp[i]->adv_table == old[k];
		if (old[k] && !used)
			hostroute_unwatch(h, old[k]);
	}
	for (int i = 0; i < b->n_sp; i++)
		if (b->sp[i]->adv_table && !want_rebuild(b->sp[i]))
			adv_sync_all(b->sp[i]);
}

/* ---- the kernel ---- */

static void drain_speaker(struct bgp_speaker *sp)
{
	struct bgp *b = sp->b;
	struct bgp_kernel_stats st = { 0 };
	size_t n, total = 0;
	uint64_t t0 = 0, t_rib = 0, t_vpc = 0, t;

	if (bgp_timing())
		t0 = bgp_now_us();
	while ((n = bgp_rib_drain(sp->rib, b->ops, DRAIN_OPS))) {
		if (t0) {
			t = bgp_now_us();
			t_rib += t - t0;
			t0 = t;
		}
		/* VPC deletions before the routes go, additions after */
		vpc_apply(sp, b->ops, n, BGP_RIB_OP_VPC_DEL);
		bgp_kernel_send(b->d, sp->rib, b->ops, n, &st);
		vpc_apply(sp, b->ops, n, BGP_RIB_OP_VPC_ADD);
		total += n;
		if (t0) {
			t = bgp_now_us();
			t_vpc += t - t0;
			t0 = t;
		}
	}
	if (!total)
		return;
	if (t0) {
		struct timespec rt, cpu;

		t_rib += bgp_now_us() - t0;
		clock_gettime(CLOCK_REALTIME, &rt);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
		vlog(LOG_INFO, "gateway %s: timing at %lld.%03ld (cpu %lld.%03ld s): %zu ops; %llu UPDATEs from %lld.%03ld took %llu us; drain %llu us, kernel %llu us, VPC queueing and the rest %llu us",
		     sp->gw, (long long)rt.tv_sec, rt.tv_nsec / 1000000,
		     (long long)cpu.tv_sec, cpu.tv_nsec / 1000000, total,
		     (unsigned long long)b->upd_n,
		     (long long)b->upd_first.tv_sec,
		     b->upd_first.tv_nsec / 1000000,
		     (unsigned long long)b->upd_us,
		     (unsigned long long)t_rib,
		     (unsigned long long)st.kernel_us,
		     (unsigned long long)(t_vpc - st.kernel_us));
		b->upd_n = b->upd_us = 0;
	}
	if (st.added || st.replaced || st.deleted || st.gone)
		vlog(LOG_INFO, "gateway %s: BGP routes: %u added, %u replaced, %u removed%s in %u request%s",
		     sp->gw, st.added, st.replaced, st.deleted,
		     st.gone ? " (some already gone)" : "", st.msgs,
		     st.msgs == 1 ? "" : "s");
	if (st.refused) {
		vlog(LOG_WARNING, "gateway %s: the kernel refused %u BGP route%s (first: %s); kept in the BGP table, retried every %d s",
		     sp->gw, st.refused, st.refused == 1 ? "" : "s",
		     st.first_err, RESYNC_MS / 1000);
		sp->out_of_sync = true;
		if (!b->resync_timer.armed)
			loop_timer_arm(b->d->loop, &b->resync_timer, RESYNC_MS);
	} else if (sp->out_of_sync && (st.deleted || st.gone)) {
		/* room may have been made */
		loop_timer_arm(b->d->loop, &b->resync_timer, RESYNC_SOON_MS);
	}
}

static void on_resync(void *arg)
{
	struct bgp *b = arg;
	bool again = false;

	for (int i = 0; i < b->n_sp; i++) {
		struct bgp_speaker *sp = b->sp[i];
		struct bgp_kernel_stats st = { 0 };

		if (!sp->out_of_sync)
			continue;
		drain_speaker(sp);
		if (!bgp_kernel_resync(b->d, sp->rib, sp->ifindex, &st)) {
			vlog(LOG_NOTICE, "gateway %s: kernel BGP routes match the table again (%u added or changed, %u removed)",
			     sp->gw, st.replaced, st.deleted);
			sp->out_of_sync = false;
			continue;
		}
		vlog(LOG_DEBUG, "gateway %s: resync: %u still refused (first: %s)",
		     sp->gw, st.refused, st.first_err);
		again = true;
	}
	if (again)
		loop_timer_arm(b->d->loop, &b->resync_timer, RESYNC_MS);
}

/* ---- graceful restart (ours) ---- */

static struct bgp_speaker *speaker_by_ifindex(struct bgp *b, uint32_t ifindex)
{
	for (int i = 0; i < b->n_sp; i++)
		if (b->sp[i]->ifindex == ifindex)
			return b->sp[i];
	return NULL;
}

static void gr_sweep(struct bgp *b, struct gr_conn *g, const char *why)
{
	long n = bgp_kernel_stale(b->d, g->ifindex, g->conn, -1);

	g->swept = true;
	if (n >= 0)
		vlog(LOG_NOTICE, "gateway %s: connection %s: graceful restart done (%s): %ld stale BGP route%s swept",
		     g->gw, g->conn, why, n, n == 1 ? "" : "s");
	/* the stale routes counted in the kernel's quotas: room for refused ones */
	for (int i = 0; n > 0 && i < b->n_sp; i++)
		if (b->sp[i]->out_of_sync)
			loop_timer_arm(b->d->loop, &b->resync_timer, RESYNC_SOON_MS);
}

/* sweep the connections whose peers all sent End-of-RIB; force: all */
static void gr_check(struct bgp *b, bool force)
{
	bool left = false;

	if (!b->restarting)
		return;
	for (int i = 0; i < b->n_grc; i++) {
		struct gr_conn *g = &b->grc[i];
		struct bgp_speaker *sp;
		bool ready = true;

		if (g->swept)
			continue;
		sp = speaker_by_ifindex(b, g->ifindex);
		for (int j = 0; sp && j < sp->n_peers; j++)
			if (!strcmp(sp->peers[j]->conn, g->conn) &&
			    !sp->peers[j]->eor_all)
				ready = false;
		if (force)
			gr_sweep(b, g, "restart time over");
		else if (ready)
			gr_sweep(b, g, sp ? "End-of-RIB from every peer" :
				 "no BGP peer configured");
		else
			left = true;
	}
	if (left)
		return;
	/* a gateway sweep also cancels the kernel's timed one */
	for (int i = 0; i < b->n_grg; i++)
		if (!b->grg[i].done) {
			b->grg[i].done = true;
			bgp_kernel_stale(b->d, b->grg[i].ifindex, NULL, -1);
		}
	b->restarting = false;
	loop_timer_cancel(b->d->loop, &b->gr_timer);
	for (int i = 0; i < b->n_sp; i++)
		for (int j = 0; j < b->sp[i]->n_peers; j++) {
			struct bgp_peer *p = b->sp[i]->peers[j];

			p->restarting = false;
			if (p->s)
				bgp_session_set_gr(p->s, false, p->scfg.afs);
		}
	vlog(LOG_NOTICE, "bgp: graceful restart complete");
}

/*
 * We restart and the peer p, back now, restarted too without keeping any
 * forwarding state (bgp_gr_peer_lost_all): its connection's stale kernel
 * routes go at once. The kernel sweeps a whole connection (every family),
 * so only when p is its connection's one BGP peer; else they wait for the
 * End-of-RIB of every peer of the connection, as usual.
 */
static void gr_peer_lost_all(struct bgp_peer *p)
{
	struct bgp *b = p->sp->b;
	int peers = 0;

	for (int j = 0; j < p->sp->n_peers; j++)
		if (!strcmp(p->sp->peers[j]->conn, p->conn))
			peers++;
	for (int i = 0; i < b->n_grc; i++) {
		struct gr_conn *g = &b->grc[i];

		if (g->swept || g->ifindex != p->sp->ifindex ||
		    strcmp(g->conn, p->conn))
			continue;
		if (peers > 1) {
			vlog(LOG_NOTICE, "gateway %s: connection %s: bgp %s/%d restarted without forwarding state; the connection's stale routes wait for every peer's End-of-RIB",
			     g->gw, g->conn, p->conn, p->pos);
			return;
		}
		gr_sweep(b, g, "the peer restarted too, without forwarding state");
		schedule_drain(b);
	}
}

static void on_gr_timer(void *arg)
{
	struct bgp *b = arg;

	vlog(LOG_NOTICE, "bgp: restart time (%u s) over: sweeping the stale BGP routes not sent again",
	     b->gr_time);
	for (int i = 0; i < b->n_sp; i++)
		drain_speaker(b->sp[i]);
	gr_check(b, true);
}

static void on_drain(void *arg)
{
	struct bgp *b = arg;

	for (int i = 0; i < b->n_sp; i++) {
		drain_speaker(b->sp[i]);
		vpc_check(b->sp[i]);
	}
	gr_check(b, false);
}

/* ---- session callbacks ---- */

static void peer_event(struct bgp_peer *p, enum bgp_state from,
		       enum bgp_state to, const char *why)
{
	struct vpnrtd *d = p->sp->b->d;
	char addr[INET_ADDRSTRLEN];
	struct bgp_event ev = {
		.gw = p->sp->gw, .conn = p->conn, .pos = p->pos,
		.peer = peer_addr(p, addr, sizeof(addr)),
		.peer_as = p->scfg.peer_as, .from = from, .to = to, .why = why,
	};

	if (d->bgp_event)
		d->bgp_event(d, &ev);
}

static void cb_state(void *arg, struct bgp_session *s, enum bgp_state from,
		     enum bgp_state to, const char *why)
{
	(void)s;
	peer_event(arg, from, to, why);
}

static void cb_up(void *arg, struct bgp_session *s)
{
	struct bgp_peer *p = arg;
	const struct bgp_ctx *ctx = bgp_session_ctx(s);
	const struct bgp_session_info *in = bgp_session_info(s);

	p->afs_up = ctx->afs;
	p->eor_rcvd = 0;
	vlog(LOG_NOTICE, "%s: up: %s%s%s, hold %u s%s",
	     bgp_session_label(s), ctx->afs & BGP_AFS(BGP_AF_IPV4) ? "IPv4" : "",
	     ctx->afs == (BGP_AFS(BGP_AF_IPV4) | BGP_AFS(BGP_AF_IPV6)) ? " and " : "",
	     ctx->afs & BGP_AFS(BGP_AF_IPV6) ? "IPv6" : "", in->hold_time,
	     p->restarting ? ", we are restarting (R bit sent)" : "");
	if (p->restarting) {
		/* one OPEN says we restarted; later ones do not */
		p->restarting = false;
		bgp_session_set_gr(s, false, p->scfg.afs);
	}
	if (p->sp->b->restarting &&
	    bgp_gr_peer_lost_all(in->have_peer_open ? &in->peer_open : NULL,
				 ctx->afs))
		gr_peer_lost_all(p);
	if (p->stale_timer.armed) {
		/*
		 * helper (RFC 4724 4.2): families whose forwarding state the
		 * peer lost (F bit 0, not in its GR capability, or no
		 * capability) go now; the rest wait for its End-of-RIB
		 */
		uint8_t all = BGP_AFS(BGP_AF_IPV4) | BGP_AFS(BGP_AF_IPV6);
		uint8_t keep = bgp_gr_helper_keep(in->have_peer_open ?
						  &in->peer_open : NULL,
						  ctx->afs);
		uint8_t drop = all & (uint8_t)~keep;
		uint8_t lost = ctx->afs & (uint8_t)~keep;
		size_t n = bgp_rib_peer_sweep(p->sp->rib, p->rib_peer, drop);

		bgp_rib_peer_flush(p->sp->rib, p->rib_peer, drop);
		if (lost || n)
			vlog(LOG_NOTICE, "%s: back without forwarding state for %s%s%s (%s): %zu stale route%s removed at once%s",
			     bgp_session_label(s),
			     lost & BGP_AFS(BGP_AF_IPV4) ? "IPv4" : "",
			     lost == (BGP_AFS(BGP_AF_IPV4) | BGP_AFS(BGP_AF_IPV6)) ?
			     " and " : "",
			     lost & BGP_AFS(BGP_AF_IPV6) ? "IPv6" : "",
			     !in->have_peer_open || !in->peer_open.cap_gr ?
			     "no graceful restart capability" :
			     "F bit 0 or family not in its capability",
			     n, n == 1 ? "" : "s",
			     keep ? "; the others wait for End-of-RIB" : "");
		loop_timer_arm(p->sp->b->d->loop, &p->stale_timer,
			       STALE_PATH_S * 1000ull);
		schedule_drain(p->sp->b);
	}
	bgp_pset_free(&p->adv.sent);
	p->adv.eor_pending = ctx->afs;
	p->adv.borr_pending = p->adv.eorr_pending = 0;
	adv_sync(p);
}

static void cb_down(void *arg, struct bgp_session *s, const struct bgp_down *dn)
{
	struct bgp_peer *p = arg;
	struct bgp_rib_peer_stats st;
	bool graceful = dn->graceful && p->tunnel_up;

	if (!bgp_rib_peer_stats(p->sp->rib, p->rib_peer, &st) && st.teardown)
		graceful = false;
	p->afs_up = 0;
	bgp_pset_free(&p->adv.sent);
	if (graceful) {
		bgp_rib_peer_down(p->sp->rib, p->rib_peer, true);
		bgp_rib_peer_flush(p->sp->rib, p->rib_peer,
				   (BGP_AFS(BGP_AF_IPV4) | BGP_AFS(BGP_AF_IPV6)) &
				   ~dn->gr_afs);
		loop_timer_arm(p->sp->b->d->loop, &p->stale_timer,
			       dn->restart_time * 1000ull);
	} else {
		bgp_rib_peer_down(p->sp->rib, p->rib_peer, false);
		loop_timer_cancel(p->sp->b->d->loop, &p->stale_timer);
	}
	vlog(LOG_NOTICE, "%s: down: %s; its routes %s", bgp_session_label(s),
	     dn->reason, graceful ? "are kept stale (graceful restart)" :
	     "are removed");
	schedule_drain(p->sp->b);
}

static void cb_update(void *arg, struct bgp_session *s,
		      const struct bgp_update *u)
{
	struct bgp_peer *p = arg;
	struct bgp_notification n;
	uint16_t afi;
	uint8_t safi;
	uint32_t limit;
	enum bgp_rib_result res;

	if (bgp_timing()) {
		uint64_t t0 = bgp_now_us();

		if (!p->sp->b->upd_n)
			clock_gettime(CLOCK_REALTIME, &p->sp->b->upd_first);
		res = bgp_rib_update(p->sp->rib, p->rib_peer, u);
		p->sp->b->upd_us += bgp_now_us() - t0;
		p->sp->b->upd_n++;
	} else {
		res = bgp_rib_update(p->sp->rib, p->rib_peer, u);
	}
	switch (res) {
	case BGP_RIB_TEARDOWN:
		bgp_rib_teardown_notif(p->sp->rib, p->rib_peer, &n);
		if (bgp_notification_maxprefix(&n, &afi, &safi, &limit))
			afi = BGP_AFI_IPV4, limit = 0;
		vlog(LOG_WARNING, "%s: route limit %u exceeded: closing the session (max-prefix-action teardown)",
		     bgp_session_label(s), limit);
		bgp_session_maxprefix(s, afi == BGP_AFI_IPV6 ? BGP_AF_IPV6 :
				      BGP_AF_IPV4, limit);
		break;
	case BGP_RIB_ENOMEM:
		vlog(LOG_ERR, "%s: out of memory for the BGP table: resetting the session",
		     bgp_session_label(s));
		bgp_session_resources(s, "vpnrtd BGP table out of memory");
		break;
	default:
		break;
	}
	schedule_drain(p->sp->b);
}

static void cb_af_disabled(void *arg, struct bgp_session *s, enum bgp_af af,
			   const char *why)
{
	struct bgp_peer *p = arg;

	vlog(LOG_WARNING, "%s: %s disabled (%s): its routes are removed",
	     bgp_session_label(s), bgp_af_name(af), why);
	bgp_rib_peer_flush(p->sp->rib, p->rib_peer, BGP_AFS(af));
	p->afs_up &= (uint8_t)~BGP_AFS(af);
	schedule_drain(p->sp->b);
}

static void cb_eor(void *arg, struct bgp_session *s, enum bgp_af af)
{
	struct bgp_peer *p = arg;
	size_t n = bgp_rib_peer_sweep(p->sp->rib, p->rib_peer, BGP_AFS(af));

	p->eor_rcvd |= BGP_AFS(af);
	vlog(n ? LOG_NOTICE : LOG_INFO, "%s: End-of-RIB %s%s%zu stale route%s swept",
	     bgp_session_label(s), bgp_af_name(af), n ? ": " : ", ", n,
	     n == 1 ? "" : "s");
	if ((p->eor_rcvd & p->afs_up) == p->afs_up) {
		p->eor_all = true;
		if (p->stale_timer.armed) {
			loop_timer_cancel(p->sp->b->d->loop, &p->stale_timer);
			bgp_rib_peer_sweep(p->sp->rib, p->rib_peer,
					   BGP_AFS(BGP_AF_IPV4) | BGP_AFS(BGP_AF_IPV6));
		}
	}
	schedule_drain(p->sp->b);
}

static void cb_refresh(void *arg, struct bgp_session *s, enum bgp_af af,
		       uint8_t subtype)
{
	struct bgp_peer *p = arg;
	const struct bgp_session_info *in = bgp_session_info(s);
	size_t n;

	switch (subtype) {
	case BGP_RR_NORMAL:
		/* the family again, from scratch: drop it from "sent" */
		for (size_t i = 0, k = 0; i <= p->adv.sent.n; i++) {
			if (i == p->adv.sent.n) {
				p->adv.sent.n = k;
				break;
			}
			if (p->adv.sent.v[i].af != af)
				p->adv.sent.v[k++] = p->adv.sent.v[i];
		}
		if (in->have_peer_open && in->peer_open.cap_err &&
		    in->local_open.cap_err) {
			p->adv.borr_pending |= BGP_AFS(af);
			p->adv.eorr_pending |= BGP_AFS(af);
		}
		vlog(LOG_INFO, "%s: route refresh %s asked: advertising again",
		     bgp_session_label(s), bgp_af_name(af));
		adv_sync(p);
		break;
	case BGP_RR_BORR:
		bgp_rib_peer_stale(p->sp->rib, p->rib_peer, BGP_AFS(af));
		break;
	case BGP_RR_EORR:
		n = bgp_rib_peer_sweep(p->sp->rib, p->rib_peer, BGP_AFS(af));
		if (n)
			vlog(LOG_INFO, "%s: EoRR %s: %zu route%s not sent again removed",
			     bgp_session_label(s), bgp_af_name(af), n,
			     n == 1 ? "" : "s");
		schedule_drain(p->sp->b);
		break;
	}
}

static void cb_writable(void *arg, struct bgp_session *s)
{
	(void)s;
	adv_sync(arg);
}

static const struct bgp_session_ops session_ops = {
	.up = cb_up,
	.down = cb_down,
	.state = cb_state,
	.update = cb_update,
	.af_disabled = cb_af_disabled,
	.eor = cb_eor,
	.refresh = cb_refresh,
	.writable = cb_writable,
};

static void on_stale_timer(void *arg)
{
	struct bgp_peer *p = arg;
	size_t n = bgp_rib_peer_sweep(p->sp->rib, p->rib_peer,
				      BGP_AFS(BGP_AF_IPV4) | BGP_AFS(BGP_AF_IPV6));

	vlog(LOG_NOTICE, "bgp %s/%d: stale routes timer over: %zu removed",
	     p->conn, p->pos, n);
	schedule_drain(p->sp->b);
}

/* ---- config ---- */

static void to_bgp_prefix(const struct prefix *in, struct bgp_prefix *out)
{
	memset(out, 0, sizeof(*out));
	out->af = in->family == AF_INET6 ? BGP_AF_IPV6 : BGP_AF_IPV4;
	out->len = in->len;
	memcpy(out->addr, in->addr.bytes, in->family == AF_INET6 ? 16 : 4);
}

static bool gw_has_v6(const struct cfg_gw *g)
{
	if (g->bgp.advertise_table)
		return true;
	for (int i = 0; i < g->bgp.n_advertise; i++)
		if (g->bgp.advertise[i].family == AF_INET6)
			return true;
	for (int i = 0; i < g->bgp.n_import_deny; i++)
		if (g->bgp.import_deny[i].family == AF_INET6)
			return true;
	return false;
}

static void rib_cfg_from(const struct cfg_gw *g, struct bgp_rib_config *rc)
{
	bgp_rib_config_init(rc);
	rc->local_as = g->bgp.local_asn;
	rc->max_routes = g->quotas.bgp_routes;
	rc->n_deny = 0;
	for (int i = 0; i < g->bgp.n_import_deny; i++) {
		if (rc->n_deny == BGP_RIB_DENY_MAX) {
			vlog(LOG_WARNING, "gateway %s: import-deny has %d entries; the BGP table takes the first %d",
			     g->name, g->bgp.n_import_deny, BGP_RIB_DENY_MAX);
			break;
		}
		to_bgp_prefix(&g->bgp.import_deny[i], &rc->deny[rc->n_deny].pfx);
		rc->deny[rc->n_deny].exact = g->bgp.import_deny[i].len == 0;
		rc->n_deny++;
	}
	rc->n_own = 0;
	for (int i = 0; i < g->bgp.n_advertise; i++) {
		if (rc->n_own == BGP_RIB_OWN_MAX) {
			vlog(LOG_WARNING, "gateway %s: %d advertise prefixes; learned routes inside the first %d only are refused as own",
			     g->name, g->bgp.n_advertise, BGP_RIB_OWN_MAX);
			break;
		}
		to_bgp_prefix(&g->bgp.advertise[i], &rc->own[rc->n_own++]);
	}
}

static void session_cfg_from(const struct cfg_gw *g, const struct cfg_conn *c,
			     int t, struct bgp_session_cfg *sc)
{
	const struct cfg_tunnel *ct = &c->tunnels[t];
	const struct cfg_tunnel_bgp *tb = &ct->bgp;

	memset(sc, 0, sizeof(*sc));
	snprintf(sc->name, sizeof(sc->name), "%.24s/%d", c->name, t + 1);
	sc->local.family = sc->peer.family = AF_INET;
	sc->local.v4 = tb->local.addr.v4;
	sc->peer.v4 = tb->peer.addr.v4;
	snprintf(sc->dev, sizeof(sc->dev), "%s", ct->device);
	sc->local_as = g->bgp.local_asn;
	sc->peer_as = tb->peer_asn;
	sc->bgp_id = ntohl(g->bgp.router_id.s_addr);
	sc->hold_time = (uint16_t)tb->hold_time;
	snprintf(sc->md5_key, sizeof(sc->md5_key), "%s", tb->md5);
	sc->ttl_security = tb->ttl_security;
	sc->afs = BGP_AFS(BGP_AF_IPV4);
	if (gw_has_v6(g))
		sc->afs |= BGP_AFS(BGP_AF_IPV6);
	sc->gr_time = (uint16_t)tb->graceful_restart;
}

static bool tunnel_can_carry(struct vpnrtd *d, const struct cfg_conn *c, int t)
{
	struct tun_state *ts = vpnrtd_tun(d, c->name, t + 1);

	if (!ts)
		return false;
	if (c->tunnels[t].ike_none)
		return ts->ifindex != 0;
	return ts->ike_up;
}

static int peer_session_new(struct bgp_peer *p)
{
	struct bgp_session_cfg sc = p->scfg;
	char err[256];

	sc.gr_restarting = p->restarting && sc.gr_time;
	sc.gr_fwd_afs = sc.afs;
	p->s = bgp_session_new(p->sp->b->d->loop, &sc, &session_ops, p, err,
			       sizeof(err));
	if (!p->s) {
		vlog(LOG_ERR, "bgp %s/%d: cannot create the session: %s",
		     p->conn, p->pos, err);
		return -1;
	}
	return 0;
}

static void rib_peer_del(struct bgp_speaker *sp, int peer)
{
	while (bgp_rib_peer_del(sp->rib, peer) == -ENOMEM)
		drain_speaker(sp);
}

static void peer_free(struct bgp_peer *p, bool notify)
{
	struct bgp_speaker *sp = p->sp;

	loop_timer_cancel(sp->b->d->loop, &p->stale_timer);
	if (notify)
		bgp_session_free(p->s);
	else
		bgp_session_free_quiet(p->s);
	if (notify && p->rib_peer >= 0)
		rib_peer_del(sp, p->rib_peer);
	bgp_pset_free(&p->adv.sent);
	free(p);
}

static struct bgp_peer *peer_new(struct bgp_speaker *sp, const struct cfg_gw *g,
				 const struct cfg_conn *c, int t)
{
	struct bgp_peer *p = calloc(1, sizeof(*p));
	struct bgp_rib_peer_conf pc = { 0 };

	if (!p)
		return NULL;
	p->sp = sp;
	snprintf(p->conn, sizeof(p->conn), "%s", c->name);
	p->pos = t + 1;
	p->restarting = sp->b->restarting;
	session_cfg_from(g, c, t, &p->scfg);
	p->adv.next_hop = p->scfg.local.v4.s_addr;
	p->adv.local_as = g->bgp.local_asn;
	loop_timer_init(&p->stale_timer, on_stale_timer, p);
	pc.conn = c->name;
	pc.tunnel = (uint8_t)(t + 1);
	to_bgp_prefix(&c->tunnels[t].bgp.peer, &pc.addr);
	pc.peer_as = c->tunnels[t].bgp.peer_asn;
	pc.max_routes = g->quotas.peer_routes;
	pc.action = g->bgp.max_prefix_action == CFG_MAXPFX_TEARDOWN ?
		    BGP_RIB_ACT_TEARDOWN : BGP_RIB_ACT_REFUSE;
	p->rib_peer = bgp_rib_peer_add(sp->rib, &pc);
	if (p->rib_peer < 0) {
		vlog(LOG_ERR, "bgp %s/%d: cannot add the peer to the BGP table: %s",
		     c->name, t + 1, strerror(-p->rib_peer));
		free(p);
		return NULL;
	}
	if (peer_session_new(p)) {
		rib_peer_del(sp, p->rib_peer);
		free(p);
		return NULL;
	}
	return p;
}

static void speaker_free(struct bgp_speaker *sp, bool notify)
{
	for (int i = 0; i < sp->n_peers; i++)
		peer_free(sp->peers[i], notify);
	sp->n_peers = 0;
	if (notify) {
		drain_speaker(sp);
		vpc_setup(sp, NULL);
	}
	loop_timer_cancel(sp->b->d->loop, &sp->vpc_timer);
	bgp_rib_free(sp->rib);
	bgp_pset_free(&sp->want);
	bgp_pset_free(&sp->advertise);
	free(sp);
}

static struct bgp_speaker *speaker_new(struct bgp *b, const struct cfg_gw *g)
{
	struct bgp_speaker *sp = calloc(1, sizeof(*sp));

	if (!sp)
		return NULL;
	sp->b = b;
	loop_timer_init(&sp->vpc_timer, on_vpc_timer, sp);
	snprintf(sp->gw, sizeof(sp->gw), "%s", g->name);
	rib_cfg_from(g, &sp->rcfg);
	sp->rib = bgp_rib_new(&sp->rcfg);
	if (!sp->rib) {
		vlog(LOG_ERR, "gateway %s: cannot create the BGP table", g->name);
		free(sp);
		return NULL;
	}
	return sp;
}

static struct bgp_speaker *find_speaker(struct bgp *b, const char *gw)
{
	for (int i = 0; i < b->n_sp; i++)
		if (!strcmp(b->sp[i]->gw, gw))
			return b->sp[i];
	return NULL;
}

static struct bgp_peer *find_peer(struct bgp_speaker *sp, const char *conn,
				  int pos)
{
	for (int i = 0; sp && i < sp->n_peers; i++)
		if (sp->peers[i] && sp->peers[i]->pos == pos &&
		    !strcmp(sp->peers[i]->conn, conn))
			return sp->peers[i];
	return NULL;
}

static struct bgp *bgp_get(struct vpnrtd *d)
{
	struct bgp *b;

	if (d->bgp)
		return d->bgp;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->ops = calloc(DRAIN_OPS, sizeof(*b->ops));
	if (!b->ops) {
		free(b);
		return NULL;
	}
	b->d = d;
	loop_timer_init(&b->drain_timer, on_drain, b);
	loop_timer_init(&b->resync_timer, on_resync, b);
	loop_timer_init(&b->gr_timer, on_gr_timer, b);
	d->bgp = b;
	return b;
}

/* peers of one configured gateway, in config order */
static int speaker_apply(struct bgp_speaker *sp, struct vpnrtd *d,
			 const struct cfg_gw *g)
{
	struct bgp_peer *v[BGP_RIB_PEERS_MAX];
	struct bgp_rib_config rc;
	int n = 0;

	sp->ifindex = if_nametoindex(g->name);
	vpc_setup(sp, g);
	rib_cfg_from(g, &rc);
	if (bgp_rib_reconfigure(sp->rib, &rc))
		vlog(LOG_ERR, "gateway %s: the BGP table refused the new settings",
		     g->name);
	else
		sp->rcfg = rc;
	bgp_pset_free(&sp->advertise);
	for (int i = 0; i < g->bgp.n_advertise; i++) {
		struct bgp_prefix p;

		to_bgp_prefix(&g->bgp.advertise[i], &p);
		if (bgp_pset_add(&sp->advertise, &p))
			return -1;
	}
	bgp_pset_sort(&sp->advertise);
	sp->adv_table = g->bgp.advertise_table;
	if (want_rebuild(sp))
		return -1;
	for (int i = 0; i < sp->n_peers; i++)
		sp->peers[i]->seen = false;
	for (int c = 0; c < g->n_conns; c++) {
		const struct cfg_conn *cc = &g->conns[c];

		for (int t = 0; t < cc->n_tunnels; t++) {
			struct bgp_peer *p;
			struct bgp_session_cfg sc;

			if (!cc->tunnels[t].bgp.present || n == BGP_RIB_PEERS_MAX)
				continue;
			p = find_peer(sp, cc->name, t + 1);
			session_cfg_from(g, cc, t, &sc);
			if (p && memcmp(&sc, &p->scfg, sizeof(sc))) {
				vlog(LOG_NOTICE, "bgp %s/%d: session settings changed: restarting it",
				     cc->name, t + 1);
				p->seen = false;	/* replaced below */
				p = NULL;
			}
			if (p) {
				bgp_rib_peer_set_limit(sp->rib, p->rib_peer,
					g->quotas.peer_routes,
					g->bgp.max_prefix_action == CFG_MAXPFX_TEARDOWN ?
					BGP_RIB_ACT_TEARDOWN : BGP_RIB_ACT_REFUSE);
				p->seen = true;
				v[n++] = p;
				continue;
			}
			/* a changed peer goes before its replacement comes */
			for (int i = 0; i < sp->n_peers; i++) {
				struct bgp_peer *o = sp->peers[i];

				if (o && o->pos == t + 1 && !strcmp(o->conn, cc->name)) {
					peer_free(o, true);
					sp->peers[i] = NULL;
				}
			}
			p = peer_new(sp, g, cc, t);
			if (!p)
				continue;
			p->seen = true;
			v[n++] = p;
			vlog(LOG_INFO, "bgp %s/%d: peer %s AS%u configured",
			     cc->name, t + 1, inet_ntoa(p->scfg.peer.v4),
			     p->scfg.peer_as);
		}
	}
	for (int i = 0; i < sp->n_peers; i++) {
		struct bgp_peer *o = sp->peers[i];

		if (o && !o->seen) {
			vlog(LOG_NOTICE, "bgp %s/%d: peer removed from the config: stopping it (Cease/3), its routes withdrawn",
			     o->conn, o->pos);
			peer_free(o, true);
		}
	}
	memcpy(sp->peers, v, sizeof(v[0]) * (size_t)n);
	sp->n_peers = n;
	for (int i = 0; i < n; i++) {
		struct bgp_peer *p = sp->peers[i];
		const struct cfg_conn *cc = cfg_find_conn(d->cfg, p->conn, NULL);
		int accepted = bgp_rib_peer_refresh(sp->rib, p->rib_peer);

		if (accepted > 0)
			vlog(LOG_INFO, "bgp %s/%d: %d held route%s accepted under the new settings",
			     p->conn, p->pos, accepted, accepted == 1 ? "" : "s");
		if (cc && !p->tunnel_up && tunnel_can_carry(d, cc, p->pos - 1))
			bgp_tunnel(d, p->conn, p->pos, true);
		adv_sync(p);
	}
	return 0;
}

int bgp_apply(struct vpnrtd *d)
{
	struct bgp *b = bgp_get(d);
	struct bgp_speaker **v;
	uint32_t old_tables[BGP_RIB_PEERS_MAX];
	int n = 0, ret = 0, n_old;

	if (!b) {
		vlog(LOG_ERR, "bgp: out of memory");
		return -1;
	}
	v = calloc((size_t)d->cfg->n_gws + 1, sizeof(*v));
	if (!v) {
		vlog(LOG_ERR, "bgp: out of memory");
		return -1;
	}
	n_old = b->n_sp < BGP_RIB_PEERS_MAX ? b->n_sp : BGP_RIB_PEERS_MAX;
	for (int i = 0; i < b->n_sp; i++) {
		b->sp[i]->seen = false;
		if (i < n_old)
			old_tables[i] = b->sp[i]->adv_table;
	}
	for (int i = 0; i < d->cfg->n_gws; i++) {
		const struct cfg_gw *g = &d->cfg->gws[i];
		struct bgp_speaker *sp;

		if (!g->bgp.n_peers)
			continue;
		sp = find_speaker(b, g->name);
		if (sp && sp->rcfg.local_as != g->bgp.local_asn) {
			vlog(LOG_NOTICE, "gateway %s: local-asn changed: every session restarts",
			     g->name);
			sp->seen = false;
			sp = NULL;
		}
		if (!sp) {
			sp = speaker_new(b, g);
			if (!sp) {
				ret = -1;
				continue;
			}
			vlog(LOG_NOTICE, "gateway %s: BGP speaker AS%u, %d peer%s",
			     g->name, g->bgp.local_asn, g->bgp.n_peers,
			     g->bgp.n_peers == 1 ? "" : "s");
		}
		sp->seen = true;
		v[n++] = sp;
	}
	for (int i = 0; i < b->n_sp; i++)
		if (!b->sp[i]->seen) {
			vlog(LOG_NOTICE, "gateway %s: no BGP peer any more: speaker stopped, its routes withdrawn",
			     b->sp[i]->gw);
			speaker_free(b->sp[i], true);
		}
	free(b->sp);
	b->sp = v;
	b->n_sp = n;
	for (int i = 0; i < n; i++)
		if (speaker_apply(v[i], d, cfg_find_gw(d->cfg, v[i]->gw)))
			ret = -1;
	tables_watch(b, old_tables, n_old);
	schedule_drain(b);
	return ret;
}

void bgp_tunnel(struct vpnrtd *d, const char *conn, int pos, bool up)
{
	struct bgp *b = d->bgp;
	struct bgp_peer *p = NULL;

	for (int i = 0; b && !p && i < b->n_sp; i++)
		p = find_peer(b->sp[i], conn, pos);
	if (!p || p->tunnel_up == up)
		return;
	p->tunnel_up = up;
	if (up) {
		vlog(LOG_INFO, "%s: the tunnel can carry it: starting",
		     bgp_session_label(p->s));
		bgp_session_start(p->s);
		return;
	}
	vlog(LOG_NOTICE, "%s: the tunnel is down: session stopped, its routes removed",
	     bgp_session_label(p->s));
	bgp_session_stop(p->s, "tunnel down");
	loop_timer_cancel(d->loop, &p->stale_timer);
	bgp_rib_peer_down(p->sp->rib, p->rib_peer, false);
	schedule_drain(b);
}

void bgp_sync_tunnels(struct vpnrtd *d)
{
	if (!d->bgp || !d->cfg)
		return;
	for (int g = 0; g < d->cfg->n_gws; g++)
		for (int c = 0; c < d->cfg->gws[g].n_conns; c++) {
			const struct cfg_conn *cc = &d->cfg->gws[g].conns[c];

			for (int t = 0; t < cc->n_tunnels; t++)
				if (cc->tunnels[t].bgp.present)
					bgp_tunnel(d, cc->name, t + 1,
						   tunnel_can_carry(d, cc, t));
		}
}

/* ---- start and stop ---- */

int bgp_open(struct vpnrtd *d)
{
	struct bgp *b = bgp_get(d);
	struct vpnrt_route *v = NULL;
	size_t n = 0;
	uint32_t gr = 0;

	if (!b)
		return -1;
	for (int i = 0; i < d->cfg->n_gws; i++)
		for (int c = 0; c < d->cfg->gws[i].n_conns; c++)
			for (int t = 0; t < d->cfg->gws[i].conns[c].n_tunnels; t++) {
				const struct cfg_tunnel_bgp *tb =
					&d->cfg->gws[i].conns[c].tunnels[t].bgp;

				if (tb->present && tb->graceful_restart > gr)
					gr = tb->graceful_restart;
			}
	/*
	 * graceful-restart 0 on every peer: no R bit, but the kernel's routes
	 * still wait for the peers' End-of-RIB, at most the default time
	 */
	if (!gr)
		gr = CFG_GR_TIME_DEF;
	b->gr_time = gr;
	if (bgp_kernel_dump(d, 0, &v, &n))
		return -1;
	if (!n) {
		free(v);
		return 0;
	}
	b->grc = calloc(n, sizeof(*b->grc));
	b->grg = calloc((size_t)d->cfg->n_gws + 1, sizeof(*b->grg));
	if (!b->grc || !b->grg) {
		free(v);
		vlog(LOG_ERR, "bgp: out of memory");
		return -1;
	}
	for (int i = 0; i < d->cfg->n_gws; i++) {
		const struct cfg_gw *g = &d->cfg->gws[i];
		uint32_t ifindex = if_nametoindex(g->name);
		size_t here = 0;
		long marked;

		for (size_t j = 0; j < n; j++)
			if (ifindex && v[j].gw_ifindex == ifindex)
				here++;
		if (!here)
			continue;
		marked = bgp_kernel_stale(d, ifindex, NULL,
					  (long)gr + GR_MARGIN_S);
		if (marked < 0)
			continue;
		b->grg[b->n_grg++].ifindex = ifindex;
		vlog(LOG_NOTICE, "gateway %s: graceful restart: %ld BGP route%s kept forwarding, marked stale for at most %u s",
		     g->name, marked, marked == 1 ? "" : "s", gr + GR_MARGIN_S);
		/* one entry per connection */
		for (size_t j = 0; j < n; j++) {
			bool dup = false;

			if (v[j].gw_ifindex != ifindex)
				continue;
			for (int k = 0; k < b->n_grc && !dup; k++)
				dup = b->grc[k].ifindex == ifindex &&
				      !strcmp(b->grc[k].conn, v[j].conn);
			if (dup)
				continue;
			b->grc[b->n_grc].ifindex = ifindex;
			snprintf(b->grc[b->n_grc].gw, sizeof(b->grc[0].gw), "%s", g->name);
			snprintf(b->grc[b->n_grc].conn, sizeof(b->grc[0].conn), "%s",
				 v[j].conn);
			b->n_grc++;
		}
	}
	free(v);
	if (b->n_grc) {
		b->restarting = true;
		loop_timer_arm(d->loop, &b->gr_timer, (uint64_t)gr * 1000);
	}
	return 0;
}

void bgp_close(struct vpnrtd *d)
{
	struct bgp *b = d->bgp;

	if (!b)
		return;
	for (int i = 0; i < b->n_sp; i++)
		speaker_free(b->sp[i], false);
	free(b->sp);
	loop_timer_cancel(d->loop, &b->drain_timer);
	loop_timer_cancel(d->loop, &b->resync_timer);
	loop_timer_cancel(d->loop, &b->gr_timer);
	free(b->ops);
	free(b->grc);
	free(b->grg);
	free(b);
	d->bgp = NULL;
}

/* ---- queries ---- */

int bgp_n_peers(const struct vpnrtd *d)
{
	int n = 0;

	for (int i = 0; d->bgp && i < d->bgp->n_sp; i++)
		n += d->bgp->sp[i]->n_peers;
	return n;
}

static struct bgp_peer *peer_at(const struct vpnrtd *d, int i)
{
	for (int s = 0; d->bgp && i >= 0 && s < d->bgp->n_sp; s++) {
		if (i < d->bgp->sp[s]->n_peers)
			return d->bgp->sp[s]->peers[i];
		i -= d->bgp->sp[s]->n_peers;
	}
	return NULL;
}

int bgp_peer_view(const struct vpnrtd *d, int i, struct bgp_peer_view *v)
{
	struct bgp_peer *p = peer_at(d, i);

	if (!p)
		return -ENOENT;
	memset(v, 0, sizeof(*v));
	v->gw = p->sp->gw;
	v->conn = p->conn;
	v->pos = p->pos;
	v->s = p->s;
	v->rib = p->sp->rib;
	v->rib_peer = p->rib_peer;
	bgp_rib_peer_stats(p->sp->rib, p->rib_peer, &v->st);
	v->advertised = (uint32_t)p->adv.sent.n;
	v->tunnel_up = p->tunnel_up;
	return 0;
}

size_t bgp_peer_advertised(const struct vpnrtd *d, int i,
			   struct bgp_prefix *out, size_t max)
{
	struct bgp_peer *p = peer_at(d, i);

	if (!p)
		return 0;
	for (size_t k = 0; k < p->adv.sent.n && k < max; k++)
		out[k] = p->adv.sent.v[k];
	return p->adv.sent.n;
}

/* the peers of conn; 0 with *n, or -1 with err */
static int conn_peers(struct vpnrtd *d, const char *conn,
		      struct bgp_peer **v, int *n, char *err, size_t len)
{
	*n = 0;
	if (!cfg_find_conn(d->cfg, conn, NULL)) {
		snprintf(err, len, "no connection %s", conn);
		return -1;
	}
	for (int s = 0; d->bgp && s < d->bgp->n_sp; s++)
		for (int i = 0; i < d->bgp->sp[s]->n_peers; i++)
			if (!strcmp(d->bgp->sp[s]->peers[i]->conn, conn) &&
			    *n < VPNRT_MAX_TUNNELS)
				v[(*n)++] = d->bgp->sp[s]->peers[i];
	if (!*n) {
		snprintf(err, len, "connection %s has no BGP peer", conn);
		return -1;
	}
	return 0;
}

int bgp_refresh(struct vpnrtd *d, const char *conn, char *err, size_t len)
{
	struct bgp_peer *v[VPNRT_MAX_TUNNELS];
	int n, est = 0;

	if (conn_peers(d, conn, v, &n, err, len))
		return -1;
	for (int i = 0; i < n; i++) {
		struct bgp_peer *p = v[i];
		bgp_rib_peer_refresh(p->sp->rib, p->rib_peer);
		if (bgp_session_state(p->s) != BGP_ESTABLISHED)
			continue;
		est++;
		for (int af = 0; af < BGP_AF_COUNT; af++)
			if (p->afs_up & BGP_AFS(af))
				bgp_session_route_refresh(p->s, (enum bgp_af)af,
							  BGP_RR_NORMAL);
		vlog(LOG_NOTICE, "%s: route refresh asked (operator)",
		     bgp_session_label(p->s));
	}
	schedule_drain(d->bgp);
	if (!est) {
		snprintf(err, len, "no BGP session of %s is Established", conn);
		return -1;
	}
	return 0;
}

int bgp_reset(struct vpnrtd *d, const char *conn, char *err, size_t len)
{
	struct bgp_peer *v[VPNRT_MAX_TUNNELS];
	int n;

	if (conn_peers(d, conn, v, &n, err, len))
		return -1;
	for (int i = 0; i < n; i++) {
		vlog(LOG_NOTICE, "%s: reset (operator)", bgp_session_label(v[i]->s));
		bgp_session_reset(v[i]->s, "administrative reset");
	}
	return 0;
}
