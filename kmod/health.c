// SPDX-License-Identifier: GPL-2.0
/*
 * The prober: one per health-checked tunnel. A soft hrtimer fires every
 * interval, at a phase of the interval of its own (from a hash of the
 * connection's id and the tunnel's position: stable, and spread over the
 * interval, so that the probes of many tunnels of one interval do not all
 * go out in one timer interrupt), and at the deadline of each outstanding
 * probe; it feeds the state machine and sends
 * an ICMP or ICMPv6 echo request from the probe source to the far side
 * straight out through the tunnel device, on a route of its own to that
 * device (the "src/32 route through the tunnel": the gateway's own lookup
 * never sees probes). A
 * receive handler on the tunnel device takes the answers: only an echo
 * reply that came in through this tunnel, from the far side to the probe
 * source, with our identifier and a cookie keyed by a secret of this
 * prober, reaches the state machine; it then judges the sequence number.
 * That handler is the tunnel's own (rx.c), shared with the source check
 * and the MSS clamp: it hands every packet here first.
 *
 * A state change flips VPNRT_DOWN_HEALTH on the tunnel at once, in the
 * softirq that saw it (unless the policy is reserve_route), so routes stop
 * or resume being used by the next packet; the event to userspace follows
 * from a work item, through a queue of MAX_PENDING changes: a change that
 * finds it full, or an event that cannot be allocated, is counted
 * (events_lost), and the next time the queue drains one more event, of
 * reason EVENTS_LOST, tells the state then and the count, so that a
 * listener knows to resynchronise. Tunnels without a check have no prober
 * and cost nothing. Configuration runs under RTNL; the prober's own state is under
 * its spinlock, taken only by the timer, the answers and readers.
 */
#include <linux/etherdevice.h>
#include <linux/hash.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/math64.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "vpnrt.h"
#include "health.h"

#define PROBE_TTL	64
#define COOKIE_LEN	sizeof(u64)
#define MAX_PENDING	8		/* unreported changes kept */

struct vpnrt_health {
	spinlock_t lock;		/* sm, pending, the counters, next */
	struct vpnrt_hsm sm;
	struct vpnrt_health_ev pending[MAX_PENDING];
	unsigned int n_pending;
	u64 send_errors;
	u64 events_lost;		/* changes not reported */
	u64 events_lost_told;		/* events_lost in the last EVENTS_LOST
					 * event queued
					 */
	u64 next;			/* ns: the next probe is due */
	bool deferred;			/* the last run was late: judged nothing */

	struct hrtimer timer;
	struct work_struct event_work;
	struct vpnrt_conn *conn;
	unsigned int idx;		/* conn->tun[idx] */
	struct net_device *dev;		/* the tunnel device */
	struct dst_entry *dst;		/* our route out through it */
	struct vpnrt_health_cfg cfg;
	u64 interval, phase;		/* ns; probes go at phase + k interval */
	u64 grace;			/* ns; see health_timer() */
	siphash_key_t key;
	__be16 id;			/* echo identifier */
};

/* event work of every prober; flushed before the netlink family goes */
static struct workqueue_struct *health_wq;

static bool health_addr_ok(int family, const union vpnrt_addr *a)
{
	if (family == AF_INET)
		return !ipv4_is_zeronet(a->ip) && !ipv4_is_multicast(a->ip) &&
		       !ipv4_is_lbcast(a->ip) && !ipv4_is_loopback(a->ip);
	return !(ipv6_addr_type(&a->ip6) &
		 (IPV6_ADDR_ANY | IPV6_ADDR_MULTICAST | IPV6_ADDR_LOOPBACK));
}

/**
 * vpnrt_health_cfg_check() - the checks of a health configuration that need no
 * device
 * @cfg: the configuration, range-checked by the netlink code
 * @extack: where a rejection says why
 *
 * Return: 0, or -EINVAL with a message
 */
int vpnrt_health_cfg_check(const struct vpnrt_health_cfg *cfg,
			   struct netlink_ext_ack *extack)
{
	if (!health_addr_ok(cfg->family, &cfg->dst)) {
		NL_SET_ERR_MSG(extack, "health: dst must be a unicast address");
		return -EINVAL;
	}
	if (!health_addr_ok(cfg->family, &cfg->src)) {
		NL_SET_ERR_MSG(extack, "health: src must be a unicast address");
		return -EINVAL;
	}
	if (!memcmp(&cfg->src, &cfg->dst, sizeof(cfg->src))) {
		NL_SET_ERR_MSG(extack, "health: src and dst must differ");
		return -EINVAL;
	}
	return 0;
}

static u64 probe_cookie(const struct vpnrt_health *hc, u16 seq)
{
	return siphash_2u32(be16_to_cpu(hc->id), seq, &hc->key);
}

/* ---- state changes ---- */

static void health_ev_fill(struct vpnrt_health *hc, struct vpnrt_health_ev *ev,
			   const struct vpnrt_hsm_change *ch, u64 real)
{
	ev->old = ch->old;
	ev->new = ch->new;
	ev->reason = ch->reason;
	ev->time = real;
	ev->loss_start = ch->loss_start ? real - (ch->at - ch->loss_start) : 0;
	ev->sent = hc->sm.sent;
	ev->answered = hc->sm.answered;
	ev->consec_lost = hc->sm.consec_lost;
	ev->events_lost = hc->events_lost;
}

/* under hc->lock, in any context */
static void health_changed(struct vpnrt_health *hc,
			   const struct vpnrt_hsm_change *ch)
{
	struct vpnrt_tunnel *t = &hc->conn->tun[hc->idx];

	vpnrt_tunnel_set_down(t, VPNRT_DOWN_HEALTH,
			      ch->new == VPNRT_HEALTH_DOWN &&
			      hc->cfg.policy == VPNRT_HEALTH_REVOKE_ROUTE);
	if (hc->n_pending == MAX_PENDING) {
		/* told when the queue drains; the dumps tell the state */
		hc->events_lost++;
		return;
	}
	health_ev_fill(hc, &hc->pending[hc->n_pending++], ch,
		       ktime_get_real_ns());
	queue_work(health_wq, &hc->event_work);
}

/*
 * Under hc->lock: empty the queue into @ev (MAX_PENDING + 1 of them), with
 * one more event, of reason EVENTS_LOST and the state now, if events were
 * lost since the last one. Returns how many.
 */
static unsigned int health_events_take(struct vpnrt_health *hc,
				       struct vpnrt_health_ev *ev)
{
	unsigned int n = hc->n_pending;
	struct vpnrt_hsm_change ch = {
		.old = hc->sm.state,
		.new = hc->sm.state,
		.reason = VPNRT_HEALTH_R_EVENTS_LOST,
	};

	memcpy(ev, hc->pending, n * sizeof(ev[0]));
	hc->n_pending = 0;
	if (hc->events_lost != hc->events_lost_told) {
		health_ev_fill(hc, &ev[n++], &ch, ktime_get_real_ns());
		hc->events_lost_told = hc->events_lost;
	}
	return n;
}

static void health_event_work(struct work_struct *work)
{
	struct vpnrt_health *hc = container_of(work, struct vpnrt_health,
					       event_work);
	struct vpnrt_health_ev ev[MAX_PENDING + 1];
	unsigned int i, n, lost = 0;

	spin_lock_bh(&hc->lock);
	n = health_events_take(hc, ev);
	spin_unlock_bh(&hc->lock);
	for (i = 0; i < n; i++)
		lost += vpnrt_notify_health(hc->conn, hc->idx, hc->dev,
					    &hc->cfg, &ev[i]) < 0;
	if (lost) {	/* told with the next change */
		spin_lock_bh(&hc->lock);
		hc->events_lost += lost;
		spin_unlock_bh(&hc->lock);
	}
}

/* ---- probes out ---- */

static struct sk_buff *probe_alloc(const struct vpnrt_health *hc,
				   unsigned int l3len)
{
	struct net_device *dev = hc->dev;
	unsigned int len = l3len + sizeof(struct icmphdr) + COOKIE_LEN;
	struct sk_buff *skb;

	skb = alloc_skb(LL_RESERVED_SPACE(dev) + len + dev->needed_tailroom,
			GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, LL_RESERVED_SPACE(dev));
	skb_reset_network_header(skb);
	skb_put(skb, len);
	skb_set_transport_header(skb, l3len);
	return skb;
}

static struct sk_buff *probe_build4(const struct vpnrt_health *hc, u16 seq)
{
	struct sk_buff *skb = probe_alloc(hc, sizeof(struct iphdr));
	unsigned int ilen = sizeof(struct icmphdr) + COOKIE_LEN;
	u64 cookie = probe_cookie(hc, seq);
	struct icmphdr *ic;
	struct iphdr *iph;

	if (!skb)
		return NULL;
	iph = ip_hdr(skb);
	memset(iph, 0, sizeof(*iph));
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->tot_len = htons(skb->len);
	iph->frag_off = htons(IP_DF);
	iph->ttl = PROBE_TTL;
	iph->protocol = IPPROTO_ICMP;
	iph->saddr = hc->cfg.src.ip;
	iph->daddr = hc->cfg.dst.ip;
	ip_send_check(iph);
	ic = icmp_hdr(skb);
	ic->type = ICMP_ECHO;
	ic->code = 0;
	ic->checksum = 0;
	ic->un.echo.id = hc->id;
	ic->un.echo.sequence = htons(seq);
	memcpy(ic + 1, &cookie, COOKIE_LEN);
	ic->checksum = csum_fold(csum_partial(ic, ilen, 0));
	skb->protocol = htons(ETH_P_IP);
	return skb;
}

static struct sk_buff *probe_build6(const struct vpnrt_health *hc, u16 seq)
{
	struct sk_buff *skb = probe_alloc(hc, sizeof(struct ipv6hdr));
	unsigned int ilen = sizeof(struct icmp6hdr) + COOKIE_LEN;
	u64 cookie = probe_cookie(hc, seq);
	struct icmp6hdr *ic;
	struct ipv6hdr *ip6h;

	if (!skb)
		return NULL;
	ip6h = ipv6_hdr(skb);
	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->payload_len = htons(ilen);
	ip6h->nexthdr = IPPROTO_ICMPV6;
	ip6h->hop_limit = PROBE_TTL;
	ip6h->saddr = hc->cfg.src.ip6;
	ip6h->daddr = hc->cfg.dst.ip6;
	ic = icmp6_hdr(skb);
	memset(ic, 0, sizeof(*ic));
	ic->icmp6_type = ICMPV6_ECHO_REQUEST;
	ic->icmp6_identifier = hc->id;
	ic->icmp6_sequence = htons(seq);
	memcpy(ic + 1, &cookie, COOKIE_LEN);
	ic->icmp6_cksum = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, ilen,
					  IPPROTO_ICMPV6,
					  csum_partial(ic, ilen, 0));
	skb->protocol = htons(ETH_P_IPV6);
	return skb;
}

/* in the timer's softirq; a probe not sent is simply lost */
static void probe_send(struct vpnrt_health *hc, u16 seq)
{
	struct net_device *dev = hc->dev;
	struct sk_buff *skb = NULL;
	int err;

	if (netif_running(dev) && netif_carrier_ok(dev))
		skb = hc->cfg.family == AF_INET ? probe_build4(hc, seq) :
						  probe_build6(hc, seq);
	if (!skb)
		goto err;
	skb->dev = dev;
	skb->ip_summed = CHECKSUM_NONE;
	skb_dst_set(skb, dst_clone(hc->dst));
	err = dev_queue_xmit(skb);
	if (!net_xmit_eval(err))
		return;
err:
	spin_lock(&hc->lock);
	hc->send_errors++;
	spin_unlock(&hc->lock);
}

/* the first time at or after @t that is @phase past a multiple of @iv */
static u64 health_slot(u64 t, u64 iv, u64 phase)
{
	u64 rem;

	div64_u64_rem(t + iv - phase, iv, &rem);
	return rem ? t + iv - rem : t;
}

/*
 * The prober's phase within its interval: a multiplicative hash of the
 * connection's id and the tunnel's position, so stable across restarts
 * of the check, and spread evenly over the interval for consecutive ids.
 */
static u64 health_phase(u32 conn_id, unsigned int idx, u64 iv)
{
	u32 h = hash_32(conn_id * VPNRT_MAX_TUNNELS + idx, 32);

	return mul_u64_u32_shr(iv, h, 32);
}

/*
 * The first probe: at the prober's phase within min(interval, 1 s) of
 * the start (the phase taken modulo that), so that a check of a long
 * interval answers soon and checks started together are still spread.
 */
static u64 health_first(u64 now, u64 iv, u64 phase)
{
	u64 fiv = min_t(u64, iv, NSEC_PER_SEC), fphase;

	div64_u64_rem(phase, fiv, &fphase);
	return health_slot(now, fiv, fphase);
}

/*
 * How late a run of the timer may be before it judges nothing: a quarter
 * of the timeout, at most 50 ms.
 */
static u64 health_grace(u64 timeout)
{
	return min_t(u64, timeout / 4, 50 * NSEC_PER_MSEC);
}

/*
 * A probe is due (hc->next, on the prober's phase of the interval): send
 * it, and the next is due at the next phase point after now (missed ones
 * are skipped, not caught up). Or an outstanding probe's deadline came:
 * judge it. The timer then waits for whichever comes first.
 *
 * Deadlines run from the send time, so a probe sent late by less than the
 * grace has its deadline just after the next probe's time: that probe then
 * goes out with the judgment, in one run, rather than in two runs a few
 * microseconds apart.
 *
 * A run later than the grace means the machine itself stalled (the timer,
 * and the answers in flight with it, could not run): the answers that came
 * in meanwhile may still be queued behind this softirq. Such a run judges
 * nothing and comes back one grace later, once; that run judges, however
 * late it is, so that detection is delayed by one grace at most and a
 * machine that is always late still sees its losses.
 */
static enum hrtimer_restart health_timer(struct hrtimer *timer)
{
	struct vpnrt_health *hc = container_of(timer, struct vpnrt_health,
					       timer);
	u64 exp = ktime_to_ns(hrtimer_get_expires(timer));
	u64 now = ktime_get_ns(), next, due, grace = hc->grace;
	u64 late = now > exp ? now - exp : 0;
	struct vpnrt_hsm_change ch;
	bool send, judge, changed = false;
	u16 seq = 0;

	spin_lock(&hc->lock);
	due = vpnrt_hsm_next_due(&hc->sm);
	judge = due <= now && (late <= grace || hc->deferred);
	hc->deferred = due <= now && !judge;
	if (judge)
		changed = vpnrt_hsm_expire(&hc->sm, now, &ch);
	send = now >= hc->next;
	if (send) {
		changed |= vpnrt_hsm_send(&hc->sm, now, &seq, &ch);
		hc->next = health_slot(now + 1, hc->interval, hc->phase);
	}
	if (changed)
		health_changed(hc, &ch);
	if (hc->deferred) {
		next = min(hc->next, now + grace);
	} else {
		due = vpnrt_hsm_next_due(&hc->sm);
		next = min(hc->next, due);
		/*
		 * a deadline just after the next probe's time (the last probe
		 * went out late by less than the grace): one run for both, the
		 * probe that much later
		 */
		if (due > hc->next && due - hc->next <= grace)
			next = due;
	}
	spin_unlock(&hc->lock);
	if (send)
		probe_send(hc, seq);
	hrtimer_set_expires(timer, ns_to_ktime(next));
	return HRTIMER_RESTART;
}

/* ---- answers in ---- */

/* the echo reply's sequence number, if @skb is one for @hc */
static bool reply_match4(const struct vpnrt_health *hc, struct sk_buff *skb,
			 u16 *seq, u64 *cookie)
{
	struct {
		struct icmphdr ic;
		u64 cookie;
	} _r, *r;
	struct iphdr _iph;
	const struct iphdr *iph;
	unsigned int off = skb_network_offset(skb);

	iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5 ||
	    iph->protocol != IPPROTO_ICMP || ip_is_fragment(iph) ||
	    iph->saddr != hc->cfg.dst.ip || iph->daddr != hc->cfg.src.ip)
		return false;
	r = skb_header_pointer(skb, off + iph->ihl * 4, sizeof(_r), &_r);
	if (!r || r->ic.type != ICMP_ECHOREPLY || r->ic.code ||
	    r->ic.un.echo.id != hc->id)
		return false;
	*seq = ntohs(r->ic.un.echo.sequence);
	memcpy(cookie, &r->cookie, sizeof(*cookie));
	return true;
}

static bool reply_match6(const struct vpnrt_health *hc, struct sk_buff *skb,
			 u16 *seq, u64 *cookie)
{
	struct {
		struct icmp6hdr ic;
		u64 cookie;
	} _r, *r;
	struct ipv6hdr _ip6h;
	const struct ipv6hdr *ip6h;
	unsigned int off = skb_network_offset(skb);

	ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6 || ip6h->nexthdr != IPPROTO_ICMPV6 ||
	    !ipv6_addr_equal(&ip6h->saddr, &hc->cfg.dst.ip6) ||
	    !ipv6_addr_equal(&ip6h->daddr, &hc->cfg.src.ip6))
		return false;
	r = skb_header_pointer(skb, off + sizeof(*ip6h), sizeof(_r), &_r);
	if (!r || r->ic.icmp6_type != ICMPV6_ECHO_REPLY || r->ic.icmp6_code ||
	    r->ic.icmp6_identifier != hc->id)
		return false;
	*seq = ntohs(r->ic.icmp6_sequence);
	memcpy(cookie, &r->cookie, sizeof(*cookie));
	return true;
}

/**
 * vpnrt_health_rx() - take @skb if it is an answer to @hc's probes
 * @hc: the prober of the tunnel @skb came in through
 * @skb: the packet, from the tunnel's receive handler (rx.c)
 *
 * Every packet the tunnel receives passes here while it has a check; all
 * but our answers go on untouched after a few compares, without a lock.
 *
 * Return: true if @skb was an answer, consumed
 */
bool vpnrt_health_rx(struct vpnrt_health *hc, struct sk_buff *skb)
{
	struct vpnrt_hsm_change ch;
	bool match;
	u64 cookie;
	u16 seq;

	if (hc->cfg.family == AF_INET)
		match = skb->protocol == htons(ETH_P_IP) &&
			reply_match4(hc, skb, &seq, &cookie);
	else
		match = skb->protocol == htons(ETH_P_IPV6) &&
			reply_match6(hc, skb, &seq, &cookie);
	if (!match)
		return false;

	spin_lock(&hc->lock);
	if (cookie != probe_cookie(hc, seq))
		hc->sm.ignored++;
	else if (vpnrt_hsm_reply(&hc->sm, seq, ktime_get_ns(), &ch) > 0)
		health_changed(hc, &ch);
	spin_unlock(&hc->lock);
	consume_skb(skb);
	return true;
}

/* ---- configuration, under RTNL ---- */

static struct dst_entry *probe_dst(struct net_device *dev, int family)
{
	if (family == AF_INET) {
		struct rtable *rt = rt_dst_alloc(dev, 0, RTN_UNICAST, false);

		return rt ? &rt->dst : NULL;
	}
#if IS_ENABLED(CONFIG_IPV6)
	{
		struct rt6_info *rt6 = ip6_dst_alloc(dev_net(dev), dev, 0);

		return rt6 ? &rt6->dst : NULL;
	}
#else
	return NULL;
#endif
}

/*
 * Our route holds the tunnel device; cached copies of it (in-flight skbs,
 * IPsec bundles built on it) must not keep the device from going away, so
 * move it to loopback first, as dst_ifdown() and vrf.c do.
 */
static void probe_dst_release(struct dst_entry *dst)
{
	struct net_device *lo = dev_net(dst->dev)->loopback_dev;

	netdev_ref_replace(dst->dev, lo, &dst->dev_tracker, GFP_KERNEL);
	dst->dev = lo;
	dst_release(dst);
}

/**
 * vpnrt_health_prepare() - a prober for a tunnel, ready to start
 * @c: the connection, under RTNL
 * @idx: the tunnel
 * @dev: its device, or the one it is being rebound to; NULL if it has none
 * @cfg: the configuration
 * @extack: where a failure says why
 *
 * Everything that can fail, before anything changes: the prober for
 * conn->tun[idx] on @dev (its device, or the one it is being rebound to; NULL
 * if it has none), ready to start. vpnrt_health_start() cannot fail.
 *
 * Return: the prober, or an ERR_PTR() with an extack
 */
struct vpnrt_health *vpnrt_health_prepare(struct vpnrt_conn *c,
					  unsigned int idx,
					  struct net_device *dev,
					  const struct vpnrt_health_cfg *cfg,
					  struct netlink_ext_ack *extack)
{
	struct vpnrt_tunnel *t = &c->tun[idx];
	struct vpnrt_health *hc;

	ASSERT_RTNL();
	if (!dev) {
		NL_SET_ERR_MSG_FMT(extack,
				   "health: tunnel %s was deleted; rebind it first (position, ifindex)",
				   t->ifname);
		return ERR_PTR(-ENODEV);
	}
	/* our own prober on @dev goes when the new one starts */
	if (vpnrt_rx_check(t, dev, NULL, NULL)) {
		NL_SET_ERR_MSG_FMT(extack,
				   "health: %s already has a receive handler (enslaved?)",
				   dev->name);
		return ERR_PTR(-EBUSY);
	}
	hc = kzalloc(sizeof(*hc), GFP_KERNEL_ACCOUNT);
	if (!hc)
		return ERR_PTR(-ENOMEM);
	hc->dst = probe_dst(dev, cfg->family);
	if (!hc->dst) {
		kfree(hc);
		return ERR_PTR(-ENOMEM);
	}
	spin_lock_init(&hc->lock);
	hrtimer_init(&hc->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_SOFT);
	hc->timer.function = health_timer;
	INIT_WORK(&hc->event_work, health_event_work);
	hc->conn = c;
	hc->idx = idx;
	hc->dev = dev;
	hc->cfg = *cfg;
	hc->interval = (u64)cfg->interval_ms * NSEC_PER_MSEC;
	hc->phase = health_phase(c->id, idx, hc->interval);
	hc->grace = health_grace((u64)cfg->timeout_ms * NSEC_PER_MSEC);
	get_random_bytes(&hc->key, sizeof(hc->key));
	hc->id = (__force __be16)get_random_u16();
	return hc;
}

/**
 * vpnrt_health_discard() - free a prepared prober that will not be started
 * @hc: the prober, or NULL
 */
void vpnrt_health_discard(struct vpnrt_health *hc)
{
	if (hc) {
		probe_dst_release(hc->dst);
		kfree(hc);
	}
}

/**
 * vpnrt_health_stop_begin() - first half of vpnrt_health_stop(), so that
 * many probers share one grace period: the receive handler is
 * unpublished, as netdev_rx_handler_unregister() does before it waits
 * @c: the conn
 * @idx: which tunnel's prober
 *
 * Call vpnrt_health_stop_end() for it after synchronize_net(), in the
 * same RTNL section.
 *
 * Return: true if the tunnel has a prober (a grace period is due).
 */
bool vpnrt_health_stop_begin(struct vpnrt_conn *c, unsigned int idx)
{
	struct vpnrt_health *hc = c->tun[idx].health;

	ASSERT_RTNL();
	if (!hc)
		return false;
	/* the tunnel's receive handler goes too if nothing else wants it */
	RCU_INIT_POINTER(c->tun[idx].rx_health, NULL);
	vpnrt_rx_detach_begin(&c->tun[idx], false);
	return true;
}

/**
 * vpnrt_health_stop_end() - second half of vpnrt_health_stop(), after
 * vpnrt_health_stop_begin() and a grace period: no packet is in our
 * receive handler any more; the prober is stopped and freed
 * @c: the conn
 * @idx: which tunnel's prober
 */
void vpnrt_health_stop_end(struct vpnrt_conn *c, unsigned int idx)
{
	struct vpnrt_tunnel *t = &c->tun[idx];
	struct vpnrt_health *hc = t->health;

	ASSERT_RTNL();
	if (!hc)
		return;
	t->health = NULL;
	vpnrt_rx_detach_end(t);
	hrtimer_cancel(&hc->timer);
	cancel_work_sync(&hc->event_work);
	vpnrt_tunnel_set_down(t, VPNRT_DOWN_HEALTH, false);
	vpnrt_health_discard(hc);
}

/**
 * vpnrt_health_stop() - stop and free a tunnel's prober, if it has one
 * @c: the connection, under RTNL
 * @idx: the tunnel
 *
 * Its routes are usable again. The two halves, vpnrt_health_stop_begin() and
 * vpnrt_health_stop_end(), around a grace period of its own, which is what
 * netdev_rx_handler_unregister() does.
 */
void vpnrt_health_stop(struct vpnrt_conn *c, unsigned int idx)
{
	if (!vpnrt_health_stop_begin(c, idx))
		return;
	synchronize_net();
	vpnrt_health_stop_end(c, idx);
}

/**
 * vpnrt_health_start() - start probing a tunnel
 * @c: the connection, under RTNL
 * @idx: the tunnel
 * @hc: the prober, from vpnrt_health_prepare()
 *
 * The tunnel's prober, if any, is replaced. The first probe goes out within
 * min(interval, 1 s), then one every interval at the prober's phase. This
 * cannot fail.
 */
void vpnrt_health_start(struct vpnrt_conn *c, unsigned int idx,
			struct vpnrt_health *hc)
{
	struct vpnrt_tunnel *t = &c->tun[idx];
	struct vpnrt_hsm_change ch = {
		.old = VPNRT_HEALTH_INIT,
		.new = VPNRT_HEALTH_INIT,
		.reason = VPNRT_HEALTH_R_START,
	};
	u64 now = ktime_get_ns();

	ASSERT_RTNL();
	if (t->health) {
		spin_lock_bh(&t->health->lock);
		ch.old = t->health->sm.state;
		spin_unlock_bh(&t->health->lock);
	}
	vpnrt_health_stop(c, idx);
	vpnrt_hsm_init(&hc->sm, hc->cfg.retries, hc->cfg.rise,
		       (u64)hc->cfg.timeout_ms * NSEC_PER_MSEC, get_random_u16(),
		       now);
	hc->next = health_first(now, hc->interval, hc->phase);
	ch.at = now;
	rcu_assign_pointer(t->rx_health, hc);
	vpnrt_rx_attach(t);	/* checked in prepare, under RTNL */
	t->health = hc;
	spin_lock_bh(&hc->lock);
	health_changed(hc, &ch);
	spin_unlock_bh(&hc->lock);
	hrtimer_start(&hc->timer, ns_to_ktime(hc->next), HRTIMER_MODE_ABS_SOFT);
}

/**
 * vpnrt_health_info() - a consistent copy of a prober's configuration and
 * counters
 * @hc: the prober
 * @info: the copy
 */
void vpnrt_health_info(struct vpnrt_health *hc, struct vpnrt_health_info *info)
{
	u64 now = ktime_get_ns();

	info->cfg = hc->cfg;
	spin_lock_bh(&hc->lock);
	info->state = hc->sm.state;
	info->since_ms = div_u64(now - hc->sm.changed_at, NSEC_PER_MSEC);
	info->sent = hc->sm.sent;
	info->answered = hc->sm.answered;
	info->ignored = hc->sm.ignored;
	info->send_errors = hc->send_errors;
	info->events_lost = hc->events_lost;
	info->consec_lost = hc->sm.consec_lost;
	info->rtt_us = hc->sm.rtt_us;
	info->srtt_us = vpnrt_hsm_srtt_us(&hc->sm);
	info->window = hc->sm.hist_n;
	info->window_lost = hc->sm.hist_lost;
	info->transitions = hc->sm.transitions;
	spin_unlock_bh(&hc->lock);
}

/**
 * vpnrt_health_flush() - wait for the health events under way
 */
void vpnrt_health_flush(void)
{
	flush_workqueue(health_wq);
}

/**
 * vpnrt_health_init() - the workqueue that sends health events
 *
 * Return: 0 or -ENOMEM
 */
int vpnrt_health_init(void)
{
	health_wq = alloc_workqueue("vpnrt_health", WQ_UNBOUND, 0);
	return health_wq ? 0 : -ENOMEM;
}

/**
 * vpnrt_health_exit() - destroy the health workqueue, after every prober is
 * stopped
 */
void vpnrt_health_exit(void)
{
	destroy_workqueue(health_wq);
}

#ifdef VPNRT_KUNIT
#include "health_rx_test.c"
#endif
