// SPDX-License-Identifier: GPL-2.0
/*
 * Stale routes, for a graceful restart of their owner (BGP with the F
 * bit, RFC 4724): ROUTE_STALE marks the routes of a scope, a ROUTE_NEW of
 * the same route refreshes one (vpnrt_route_set()), ROUTE_SWEEP deletes
 * those still stale, and so does a timed sweep if the mark asked for one.
 * Lookups never read the mark: stale routes forward as fresh ones do.
 *
 * A timed sweep is a delayed work item of its own per scope, on the
 * gateway's list. Its work takes RTNL with rtnl_trylock() and tries again
 * a little later when it cannot, so that RTNL holders can cancel it
 * synchronously: a new mark or a sweep of a scope containing it, the
 * deletion of its connection or gateway (and so netns exit and rmmod).
 * Once it holds RTNL it leaves the list, so nobody cancels it any more,
 * and it frees itself; rmmod waits for such a last run by destroying the
 * workqueue after the gateways are gone.
 */
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "vpnrt.h"

struct stale_timer {
	struct list_head link;		/* gw->stale_timers, RTNL */
	struct delayed_work work;
	struct vpnrt_stale_scope sc;
};

static struct workqueue_struct *stale_wq;

/* is @r one of the routes of @sc's gateway that @sc names? */
static bool in_scope(const struct vpnrt_stale_scope *sc,
		     const struct vpnrt_route *r)
{
	/* flow protection's route belongs to the kernel, never stale */
	return !(r->flags & VPNRT_ROUTE_F_FLOW) &&
	       (!sc->proto || r->proto == sc->proto);
}

static bool conn_in_scope(const struct vpnrt_stale_scope *sc,
			  const struct vpnrt_conn *c)
{
	return !sc->conn || c == sc->conn;
}

/* every route of @inner is in @outer (same gateway) */
static bool scope_within(const struct vpnrt_stale_scope *inner,
			 const struct vpnrt_stale_scope *outer)
{
	return (!outer->conn || inner->conn == outer->conn) &&
	       (!outer->proto || inner->proto == outer->proto);
}

static void timer_cancel(struct stale_timer *st)
{
	list_del(&st->link);
	cancel_delayed_work_sync(&st->work);
	kfree(st);
}

/* the timed sweeps of scopes inside @sc are void: it is marked or swept */
static void cancel_within(const struct vpnrt_stale_scope *sc)
{
	struct stale_timer *st, *tmp;

	list_for_each_entry_safe(st, tmp, &sc->gw->stale_timers, link)
		if (scope_within(&st->sc, sc))
			timer_cancel(st);
}

static void stale_timer_fire(struct work_struct *work)
{
	struct stale_timer *st = container_of(to_delayed_work(work),
					      struct stale_timer, work);
	struct sk_buff_head q;
	u32 n;

	if (!rtnl_trylock()) {
		/* an RTNL holder may be cancelling us: it sees this return */
		queue_delayed_work(stale_wq, &st->work, HZ / 10);
		return;
	}
	list_del(&st->link);
	__skb_queue_head_init(&q);
	if (vpnrt_stale_sweep(&st->sc, &n, &q)) {
		/* no memory for the events: later */
		list_add_tail(&st->link, &st->sc.gw->stale_timers);
		queue_delayed_work(stale_wq, &st->work, HZ);
		rtnl_unlock();
		return;
	}
	if (n)
		vpnrt_gw_changed(st->sc.gw);
	/* under RTNL: the netns cannot go meanwhile */
	vpnrt_send_events(dev_net(st->sc.gw->dev), &q);
	rtnl_unlock();
	kfree(st);
}

/**
 * vpnrt_stale_mark() - mark the routes of a scope stale
 * @sc: the scope, under RTNL
 * @timeout_s: sweep them after so many seconds, or 0
 * @count: how many routes the scope has
 *
 * Mark every route of @sc stale (*@count: how many routes the scope has, all
 * stale now). A timed sweep of @sc or inside it is cancelled; with @timeout_s,
 * a new one sweeps @sc then. The caller bumps the netns' genid, as after a
 * sweep.
 *
 * Return: 0 or -ENOMEM; nothing changed then
 */
int vpnrt_stale_mark(const struct vpnrt_stale_scope *sc, u32 timeout_s,
		     u32 *count)
{
	struct stale_timer *st = NULL;
	struct vpnrt_route *r;
	struct vpnrt_conn *c;
	u32 n = 0;

	ASSERT_RTNL();
	if (timeout_s) {
		st = kzalloc(sizeof(*st), VPNRT_GFP_ROUTE);
		if (!st)
			return -ENOMEM;
		st->sc = *sc;
		INIT_DELAYED_WORK(&st->work, stale_timer_fire);
	}
	cancel_within(sc);
	list_for_each_entry(c, &sc->gw->conns, gw_link) {
		if (!conn_in_scope(sc, c))
			continue;
		list_for_each_entry(r, &c->routes, conn_link) {
			if (!in_scope(sc, r))
				continue;
			WRITE_ONCE(r->stale, 1);
			n++;
		}
	}
	if (st) {
		list_add_tail(&st->link, &sc->gw->stale_timers);
		queue_delayed_work(stale_wq, &st->work,
				   (unsigned long)timeout_s * HZ);
	}
	*count = n;
	return 0;
}

/**
 * vpnrt_stale_sweep() - delete the routes of a scope still stale
 * @sc: the scope, under RTNL
 * @count: how many went
 * @events: their ROUTE_DEL events
 *
 * Delete every route of @sc still stale, in one pass (freed after one grace
 * period), and cancel the timed sweeps of @sc and inside it. ROUTE_DEL events
 * for them go to @events, built before they go. -ENOMEM changes nothing.
 *
 * Return: 0 or -ENOMEM; nothing changed then
 */
int vpnrt_stale_sweep(const struct vpnrt_stale_scope *sc, u32 *count,
		      struct sk_buff_head *events)
{
	struct net *net = dev_net(sc->gw->dev);
	struct vpnrt_route **rt = NULL, *r;
	struct vpnrt_conn *c;
	u32 n = 0, i = 0;

	ASSERT_RTNL();
	list_for_each_entry(c, &sc->gw->conns, gw_link)
		if (conn_in_scope(sc, c))
			list_for_each_entry(r, &c->routes, conn_link)
				n += r->stale && in_scope(sc, r);
	if (n) {
		rt = kvmalloc_array(n, sizeof(*rt), VPNRT_GFP_ROUTE);
		if (!rt)
			return -ENOMEM;
	}
	cancel_within(sc);
	list_for_each_entry(c, &sc->gw->conns, gw_link)
		if (conn_in_scope(sc, c))
			list_for_each_entry(r, &c->routes, conn_link)
				if (r->stale && in_scope(sc, r))
					rt[i++] = r;
	if (n)
		vpnrt_route_events(net, rt, n, VPNRT_CMD_ROUTE_DEL, events);
	for (i = 0; i < n; i++) {
		vpnrt_route_del(rt[i]);
		if (!((i + 1) % VPNRT_CHUNK))
			cond_resched();
	}
	kvfree(rt);
	*count = n;
	return 0;
}

/**
 * vpnrt_stale_cancel_gw() - cancel every timed sweep of a gateway that goes
 * @gw: the gateway, under RTNL
 */
void vpnrt_stale_cancel_gw(struct vpnrt_gw *gw)
{
	struct stale_timer *st, *tmp;

	ASSERT_RTNL();
	list_for_each_entry_safe(st, tmp, &gw->stale_timers, link)
		timer_cancel(st);
}

/**
 * vpnrt_stale_cancel_conn() - cancel the timed sweeps naming a connection that
 * goes
 * @conn: the connection, under RTNL
 */
void vpnrt_stale_cancel_conn(struct vpnrt_conn *conn)
{
	struct stale_timer *st, *tmp;

	ASSERT_RTNL();
	list_for_each_entry_safe(st, tmp, &conn->gw->stale_timers, link)
		if (st->sc.conn == conn)
			timer_cancel(st);
}

/**
 * vpnrt_stale_init() - the workqueue of timed sweeps
 *
 * Return: 0 or -ENOMEM
 */
int vpnrt_stale_init(void)
{
	stale_wq = alloc_workqueue("vpnrt_stale", WQ_UNBOUND, 0);
	return stale_wq ? 0 : -ENOMEM;
}

/**
 * vpnrt_stale_exit() - destroy the sweeps' workqueue, after every gateway is
 * gone
 */
void vpnrt_stale_exit(void)
{
	destroy_workqueue(stale_wq);
}
