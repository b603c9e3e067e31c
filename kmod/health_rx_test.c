// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the prober's receive handler, built into health.c (they
 * reach its static functions) with --kunit only: crafted echo replies on
 * an unregistered device, each differing from the right answer in one
 * field. Only the right one counts; one of ours (identifier, addresses)
 * with a wrong cookie or sequence number is taken and ignored; anything
 * else passes on untouched. The cookie is computed here, apart from
 * probe_cookie(): SipHash-2-4 under the prober's key of its identifier
 * and the sequence number, two little-endian 32-bit words. Also the
 * timer's phase points and the spread of probers' phases, and the event
 * queue: its overflow counted and told once it drains.
 */
#include <kunit/test.h>
#include <linux/if_arp.h>

#define RXT_SEQ0	0xfff0		/* close to the 16-bit wrap */

struct rxt {
	struct vpnrt_conn conn;
	struct vpnrt_health hc;
	struct net_device *dev;
	struct workqueue_struct *own_wq, *saved_wq;
	unsigned int events;
	struct vpnrt_health_ev last;	/* the last event taken */
	u16 seq;			/* the outstanding probe */
};

static void rxt_event(struct work_struct *work)
{
	struct rxt *r = container_of(work, struct rxt, hc.event_work);
	struct vpnrt_health_ev ev[MAX_PENDING + 1];
	unsigned int n;

	spin_lock_bh(&r->hc.lock);
	n = health_events_take(&r->hc, ev);
	spin_unlock_bh(&r->hc.lock);
	r->events += n;
	if (n)
		r->last = ev[n - 1];
}

static void rxt_dev_setup(struct net_device *dev)
{
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_NOARP;
}

/* a prober for tunnel 0 of a bare connection, with one probe out */
static struct rxt *rxt_new(struct kunit *test, int family)
{
	struct vpnrt_hsm_change ch;
	struct rxt *r;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->dev = alloc_netdev(0, "vrtk%d", NET_NAME_UNKNOWN, rxt_dev_setup);
	KUNIT_ASSERT_NOT_NULL(test, r->dev);
	/*
	 * A workqueue of our own: on 6.1 suites run before the module's init,
	 * and a suite may have run (and ended) the module's setup before us.
	 */
	r->own_wq = alloc_workqueue("vpnrt_health_test", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, r->own_wq);
	r->saved_wq = health_wq;
	health_wq = r->own_wq;
	r->conn.n_tunnels = 1;
	spin_lock_init(&r->hc.lock);
	INIT_WORK(&r->hc.event_work, rxt_event);
	r->hc.conn = &r->conn;
	r->hc.dev = r->dev;
	r->hc.cfg.family = family;
	r->hc.cfg.policy = VPNRT_HEALTH_REVOKE_ROUTE;
	r->hc.cfg.retries = 3;
	r->hc.cfg.rise = 1;
	if (family == AF_INET) {
		r->hc.cfg.src.ip = htonl(0x0a630101);	/* 10.99.1.1 */
		r->hc.cfg.dst.ip = htonl(0xac10ff01);	/* 172.16.255.1 */
	} else {
		r->hc.cfg.src.ip6.s6_addr32[0] = htonl(0xfd990001);
		r->hc.cfg.src.ip6.s6_addr32[3] = htonl(1);
		r->hc.cfg.dst.ip6.s6_addr32[0] = htonl(0xfd200000);
		r->hc.cfg.dst.ip6.s6_addr32[3] = htonl(1);
	}
	get_random_bytes(&r->hc.key, sizeof(r->hc.key));
	r->hc.id = htons(0x4242);
	vpnrt_hsm_init(&r->hc.sm, 3, 1, 10 * NSEC_PER_SEC, RXT_SEQ0,
		       ktime_get_ns());
	vpnrt_hsm_send(&r->hc.sm, ktime_get_ns(), &r->seq, &ch);
	rcu_assign_pointer(r->dev->rx_handler_data, &r->hc);
	return r;
}

static void rxt_free(struct rxt *r)
{
	flush_work(&r->hc.event_work);
	health_wq = r->saved_wq;
	destroy_workqueue(r->own_wq);
	free_netdev(r->dev);
}

/* the cookie of probe @seq of a prober with @key and @id, by its definition */
static u64 rxt_cookie(const siphash_key_t *key, __be16 id, u16 seq)
{
	__le32 words[2] __aligned(SIPHASH_ALIGNMENT);

	words[0] = cpu_to_le32(be16_to_cpu(id));
	words[1] = cpu_to_le32(seq);
	return siphash(words, sizeof(words), key);
}

/* what to change in an otherwise right answer */
enum rxt_fault {
	RIGHT,
	WRONG_ID,
	WRONG_COOKIE,		/* one bit off */
	COOKIE_OTHER_KEY,	/* right for another prober's key */
	COOKIE_OTHER_SEQ,	/* right for another probe of this prober */
	COOKIE_OTHER_ID,	/* right for another identifier */
	WRONG_SEQ,
	WRONG_SADDR,
	WRONG_DADDR,
	WRONG_TYPE,
	WRONG_CODE,
	WRONG_PROTO,
	FRAGMENT,
	TRUNCATED,
	WRONG_ETHERTYPE,
};

static struct sk_buff *rxt_reply(struct kunit *test, struct rxt *r,
				 enum rxt_fault f)
{
	const struct vpnrt_health_cfg *cfg = &r->hc.cfg;
	u16 seq = f == WRONG_SEQ ? r->seq - 1 : r->seq;
	__be16 id = f == WRONG_ID ? htons(0x4243) : r->hc.id;
	siphash_key_t other_key = r->hc.key;
	u64 cookie;
	unsigned int l3 = cfg->family == AF_INET ? sizeof(struct iphdr) :
						   sizeof(struct ipv6hdr);
	unsigned int len = l3 + sizeof(struct icmphdr) + COOKIE_LEN;
	struct sk_buff *skb = alloc_skb(len, GFP_KERNEL);
	union vpnrt_addr saddr = cfg->dst, daddr = cfg->src;
	unsigned int last = cfg->family == AF_INET ? 3 : 15;

	other_key.key[1] ^= 1ULL << 40;
	switch (f) {
	case WRONG_COOKIE:
		cookie = rxt_cookie(&r->hc.key, id, seq) ^ (1ULL << 63);
		break;
	case COOKIE_OTHER_KEY:
		cookie = rxt_cookie(&other_key, id, seq);
		break;
	case COOKIE_OTHER_SEQ:
		cookie = rxt_cookie(&r->hc.key, id, seq + 1);
		break;
	case COOKIE_OTHER_ID:
		cookie = rxt_cookie(&r->hc.key, htons(0x4243), seq);
		break;
	default:
		cookie = rxt_cookie(&r->hc.key, id, seq);
	}
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reset_network_header(skb);
	skb_put_zero(skb, f == TRUNCATED ? l3 + 4 : len);
	skb->dev = r->dev;
	if (f == WRONG_SADDR)
		saddr.bytes[last] ^= 2;
	if (f == WRONG_DADDR)
		daddr.bytes[last] ^= 2;
	if (cfg->family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);
		struct icmphdr *ic = (struct icmphdr *)(iph + 1);

		iph->version = 4;
		iph->ihl = 5;
		iph->ttl = 64;
		iph->tot_len = htons(len);
		iph->protocol = f == WRONG_PROTO ? IPPROTO_UDP : IPPROTO_ICMP;
		iph->frag_off = f == FRAGMENT ? htons(IP_MF) : htons(IP_DF);
		iph->saddr = saddr.ip;
		iph->daddr = daddr.ip;
		skb->protocol = htons(f == WRONG_ETHERTYPE ? ETH_P_IPV6 : ETH_P_IP);
		if (f == TRUNCATED)
			return skb;
		ic->type = f == WRONG_TYPE ? ICMP_ECHO : ICMP_ECHOREPLY;
		ic->code = f == WRONG_CODE;
		ic->un.echo.id = id;
		ic->un.echo.sequence = htons(seq);
		memcpy(ic + 1, &cookie, COOKIE_LEN);
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);
		struct icmp6hdr *ic = (struct icmp6hdr *)(ip6h + 1);

		ip6h->version = 6;
		ip6h->payload_len = htons(len - l3);
		ip6h->nexthdr = f == WRONG_PROTO ? IPPROTO_UDP : IPPROTO_ICMPV6;
		ip6h->hop_limit = 64;
		ip6h->saddr = saddr.ip6;
		ip6h->daddr = daddr.ip6;
		skb->protocol = htons(f == WRONG_ETHERTYPE ? ETH_P_IP : ETH_P_IPV6);
		if (f == TRUNCATED)
			return skb;
		ic->icmp6_type = f == WRONG_TYPE ? ICMPV6_ECHO_REQUEST :
						   ICMPV6_ECHO_REPLY;
		ic->icmp6_code = f == WRONG_CODE;
		ic->icmp6_identifier = id;
		ic->icmp6_sequence = htons(seq);
		memcpy(ic + 1, &cookie, COOKIE_LEN);
	}
	return skb;
}

/* hand @f's reply to the handler; true if it took it */
static bool rxt_deliver(struct kunit *test, struct rxt *r, enum rxt_fault f)
{
	struct sk_buff *skb = rxt_reply(test, r, f);
	rx_handler_result_t res;

	rcu_read_lock();
	local_bh_disable();
	res = vpnrt_health_rx(&r->hc, skb) ? RX_HANDLER_CONSUMED :
					     RX_HANDLER_PASS;
	local_bh_enable();
	rcu_read_unlock();
	if (res == RX_HANDLER_PASS) {
		kfree_skb(skb);
		return false;
	}
	KUNIT_EXPECT_EQ(test, res, RX_HANDLER_CONSUMED);
	return true;
}

static void rx_faults(struct kunit *test, int family)
{
	static const enum rxt_fault not_ours[] = {
		WRONG_ID, WRONG_SADDR, WRONG_DADDR, WRONG_TYPE, WRONG_CODE,
		WRONG_PROTO, FRAGMENT, TRUNCATED, WRONG_ETHERTYPE,
	};
	static const enum rxt_fault forged[] = {
		WRONG_COOKIE, COOKIE_OTHER_KEY, COOKIE_OTHER_SEQ,
		COOKIE_OTHER_ID, WRONG_SEQ,
	};
	struct rxt *r = rxt_new(test, family);
	unsigned int i;

	/* anything not an echo reply of this prober passes untouched */
	for (i = 0; i < ARRAY_SIZE(not_ours); i++) {
		if (family == AF_INET6 && not_ours[i] == FRAGMENT)
			continue;	/* no fragment header is ever matched */
		KUNIT_EXPECT_FALSE_MSG(test, rxt_deliver(test, r, not_ours[i]),
				       "fault %d taken", not_ours[i]);
	}
	KUNIT_EXPECT_EQ(test, r->hc.sm.ignored, 0);
	KUNIT_EXPECT_EQ(test, r->hc.sm.answered, 0);

	/* ours but forged or stale: taken and ignored */
	for (i = 0; i < ARRAY_SIZE(forged); i++)
		KUNIT_EXPECT_TRUE_MSG(test, rxt_deliver(test, r, forged[i]),
				      "fault %d passed", forged[i]);
	KUNIT_EXPECT_EQ(test, r->hc.sm.ignored, ARRAY_SIZE(forged));
	KUNIT_EXPECT_EQ(test, r->hc.sm.answered, 0);
	KUNIT_EXPECT_EQ(test, r->hc.sm.state, VPNRT_HEALTH_INIT);

	/* the right answer: up; the same again is a duplicate */
	KUNIT_EXPECT_TRUE(test, rxt_deliver(test, r, RIGHT));
	KUNIT_EXPECT_EQ(test, r->hc.sm.answered, 1);
	KUNIT_EXPECT_EQ(test, r->hc.sm.state, VPNRT_HEALTH_UP);
	KUNIT_EXPECT_TRUE(test, rxt_deliver(test, r, RIGHT));
	KUNIT_EXPECT_EQ(test, r->hc.sm.answered, 1);
	KUNIT_EXPECT_EQ(test, r->hc.sm.ignored, ARRAY_SIZE(forged) + 1);

	flush_work(&r->hc.event_work);
	KUNIT_EXPECT_EQ(test, r->events, 1);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(r->conn.tun[0].down) & VPNRT_DOWN_HEALTH);
	rxt_free(r);
}

static void health_rx_ipv4(struct kunit *test)
{
	rx_faults(test, AF_INET);
}

static void health_rx_ipv6(struct kunit *test)
{
	rx_faults(test, AF_INET6);
}

/*
 * The probes the prober sends carry the cookie of the definition, for
 * its key, identifier and each sequence number; two probers' cookies for
 * one sequence number differ.
 */
static void probe_cookies(struct kunit *test, int family)
{
	struct rxt *r = rxt_new(test, family);
	unsigned int i, same_seq = 0, same_key = 0;
	u64 prev = 0;

	for (i = 0; i < 64; i++) {
		u16 seq = i ? get_random_u16() : 0;
		struct sk_buff *skb;
		siphash_key_t other;
		__be16 id, pseq;
		u64 cookie;
		void *ic;

		if (i & 1)
			get_random_bytes(&r->hc.key, sizeof(r->hc.key));
		if (i & 2)
			r->hc.id = (__force __be16)get_random_u16();
		skb = family == AF_INET ? probe_build4(&r->hc, seq) :
					  probe_build6(&r->hc, seq);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		ic = skb_transport_header(skb);
		KUNIT_ASSERT_EQ(test, skb_tail_pointer(skb) - (u8 *)ic,
				(long)(sizeof(struct icmphdr) + COOKIE_LEN));
		if (family == AF_INET) {
			id = ((struct icmphdr *)ic)->un.echo.id;
			pseq = ((struct icmphdr *)ic)->un.echo.sequence;
		} else {
			id = ((struct icmp6hdr *)ic)->icmp6_identifier;
			pseq = ((struct icmp6hdr *)ic)->icmp6_sequence;
		}
		memcpy(&cookie, (u8 *)ic + sizeof(struct icmphdr), COOKIE_LEN);
		kfree_skb(skb);
		KUNIT_EXPECT_EQ(test, id, r->hc.id);
		KUNIT_EXPECT_EQ(test, ntohs(pseq), seq);
		KUNIT_EXPECT_EQ_MSG(test, cookie, rxt_cookie(&r->hc.key, id, seq),
				    "probe %u, seq %u", i, seq);
		same_seq += cookie == rxt_cookie(&r->hc.key, id, seq + 1);
		other = r->hc.key;
		other.key[0] ^= 1;
		same_key += cookie == rxt_cookie(&other, id, seq);
		KUNIT_EXPECT_NE(test, cookie, prev);
		prev = cookie;
	}
	KUNIT_EXPECT_EQ(test, same_seq, 0);
	KUNIT_EXPECT_EQ(test, same_key, 0);
	rxt_free(r);
}

static void health_probe_cookie_ipv4(struct kunit *test)
{
	probe_cookies(test, AF_INET);
}

static void health_probe_cookie_ipv6(struct kunit *test)
{
	probe_cookies(test, AF_INET6);
}

/* retries lost probes flip the tunnel down at once, an answer back up */
static void health_rx_down_and_up(struct kunit *test)
{
	struct rxt *r = rxt_new(test, AF_INET);
	struct vpnrt_hsm_change ch;
	unsigned int i;
	u64 t = ktime_get_ns();

	for (i = 0; i < 3; i++) {
		t += 20 * NSEC_PER_SEC;		/* past the 10 s timeout */
		spin_lock_bh(&r->hc.lock);
		if (vpnrt_hsm_expire(&r->hc.sm, t, &ch))
			health_changed(&r->hc, &ch);
		if (vpnrt_hsm_send(&r->hc.sm, t, &r->seq, &ch))
			health_changed(&r->hc, &ch);
		spin_unlock_bh(&r->hc.lock);
	}
	KUNIT_EXPECT_EQ(test, r->hc.sm.state, VPNRT_HEALTH_DOWN);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(r->conn.tun[0].down) & VPNRT_DOWN_HEALTH);
	KUNIT_EXPECT_TRUE(test, rxt_deliver(test, r, WRONG_COOKIE));
	KUNIT_EXPECT_TRUE(test, READ_ONCE(r->conn.tun[0].down) & VPNRT_DOWN_HEALTH);
	KUNIT_EXPECT_TRUE(test, rxt_deliver(test, r, RIGHT));
	KUNIT_EXPECT_EQ(test, r->hc.sm.state, VPNRT_HEALTH_UP);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(r->conn.tun[0].down) & VPNRT_DOWN_HEALTH);
	flush_work(&r->hc.event_work);
	KUNIT_EXPECT_EQ(test, r->events, 2);
	rxt_free(r);
}

static u64 rxt_rem(u64 x, u64 iv)
{
	u64 rem;

	div64_u64_rem(x, iv, &rem);
	return rem;
}

/*
 * Probes go at the prober's phase past each multiple of the interval: the
 * first at the first such point from the start, each next one at the
 * first after the send; missed points are skipped, not caught up.
 */
static void health_timer_phase(struct kunit *test)
{
	const u64 iv = 100 * NSEC_PER_MSEC;
	u64 now, phase, t, i;

	for (i = 0; i < 50; i++) {
		now = ktime_get_ns() + get_random_u32_below(NSEC_PER_SEC);
		phase = i < 2 ? i * (iv - 1) : get_random_u32_below(iv);
		t = health_slot(now, iv, phase);
		KUNIT_EXPECT_EQ(test, rxt_rem(t, iv), phase);
		KUNIT_EXPECT_GE(test, t, now);
		KUNIT_EXPECT_LT(test, t, now + iv);
		/* sent on time: the next one interval on */
		KUNIT_EXPECT_EQ(test, health_slot(t + 1, iv, phase), t + iv);
		/* sent 3.5 intervals late: the next point after that */
		KUNIT_EXPECT_EQ(test, health_slot(t + 7 * iv / 2 + 1, iv, phase),
				t + 4 * iv);
	}
	/* the first probe: within min(interval, 1 s), at the phase modulo it */
	for (i = 0; i < 50; i++) {
		u64 big = (1 + get_random_u32_below(60)) * NSEC_PER_SEC;

		now = ktime_get_ns() + get_random_u32_below(NSEC_PER_SEC);
		phase = rxt_rem(get_random_u64(), big);
		t = health_first(now, big, phase);
		KUNIT_EXPECT_GE(test, t, now);
		KUNIT_EXPECT_LT(test, t, now + NSEC_PER_SEC);
		KUNIT_EXPECT_EQ(test, rxt_rem(t, NSEC_PER_SEC),
				rxt_rem(phase, NSEC_PER_SEC));
		phase = get_random_u32_below(iv);
		t = health_first(now, iv, phase);
		KUNIT_EXPECT_EQ(test, t, health_slot(now, iv, phase));
	}
	/* early in boot: the clock below the phase */
	KUNIT_EXPECT_EQ(test, health_slot(5, iv, 7), 7);
	KUNIT_EXPECT_EQ(test, health_slot(8, iv, 7), iv + 7);
}

/* the busiest tenth of the interval holds at most twice its share */
static void rxt_spread(struct kunit *test, const u32 *ids, unsigned int n,
		       unsigned int per_conn, u64 iv, const char *what)
{
	unsigned int bins[10] = {}, i, j, most = 0;
	u64 p;

	for (i = 0; i < n / per_conn; i++) {
		for (j = 0; j < per_conn; j++) {
			p = health_phase(ids[i], j, iv);
			KUNIT_ASSERT_LT(test, p, iv);
			/* stable: the same for the same tunnel */
			KUNIT_EXPECT_EQ(test, p, health_phase(ids[i], j, iv));
			bins[div64_u64(p * 10, iv)]++;
		}
	}
	for (i = 0; i < 10; i++)
		most = max(most, bins[i]);
	kunit_info(test, "%s: %u of %u in the busiest tenth", what, most, n);
	KUNIT_EXPECT_LE_MSG(test, most, 2 * n / 10, "%s", what);
}

/* 1,000 probers of one interval are spread over it */
static void health_phase_spread(struct kunit *test)
{
	static const u64 ivs[] = { 10, 100, 3000, 60000 };
	u32 *ids = kunit_kcalloc(test, 1000, sizeof(*ids), GFP_KERNEL);
	unsigned int i, k;

	KUNIT_ASSERT_NOT_NULL(test, ids);
	for (k = 0; k < ARRAY_SIZE(ivs); k++) {
		u64 iv = ivs[k] * NSEC_PER_MSEC;

		for (i = 0; i < 1000; i++)
			ids[i] = i + 1;
		rxt_spread(test, ids, 1000, 1, iv, "1000 conns, ids 1..1000");
		rxt_spread(test, ids, 1000, 2, iv, "500 conns of 2 tunnels");
		for (i = 0; i < 1000; i++)
			ids[i] = 7 * i + 1000000;
		rxt_spread(test, ids, 1000, 1, iv, "ids 7 apart");
		for (i = 0; i < 1000; i++)
			ids[i] = get_random_u32();
		rxt_spread(test, ids, 1000, 2, iv, "random ids");
	}
}

/*
 * The event queue overflows: the changes past MAX_PENDING are counted,
 * and when the queue drains one more event, EVENTS_LOST, tells the state
 * and the count; the next drain tells nothing more.
 */
static void health_events_overflow(struct kunit *test)
{
	struct rxt *r = rxt_new(test, AF_INET);
	struct vpnrt_health_info info;
	struct vpnrt_hsm_change ch = {
		.old = VPNRT_HEALTH_INIT,
		.new = VPNRT_HEALTH_INIT,
		.reason = VPNRT_HEALTH_R_START,
	};
	unsigned int i;

	/* the work waits on the lock until all are queued */
	spin_lock_bh(&r->hc.lock);
	for (i = 0; i < MAX_PENDING + 3; i++)
		health_changed(&r->hc, &ch);
	KUNIT_EXPECT_EQ(test, r->hc.n_pending, MAX_PENDING);
	spin_unlock_bh(&r->hc.lock);
	flush_work(&r->hc.event_work);
	KUNIT_EXPECT_EQ(test, r->events, MAX_PENDING + 1);
	KUNIT_EXPECT_EQ(test, r->last.reason, VPNRT_HEALTH_R_EVENTS_LOST);
	KUNIT_EXPECT_EQ(test, r->last.new, r->hc.sm.state);
	KUNIT_EXPECT_EQ(test, r->last.events_lost, 3);
	r->hc.cfg.interval_ms = 100;
	vpnrt_health_info(&r->hc, &info);
	KUNIT_EXPECT_EQ(test, info.events_lost, 3);

	/* one more change: just that */
	spin_lock_bh(&r->hc.lock);
	health_changed(&r->hc, &ch);
	spin_unlock_bh(&r->hc.lock);
	flush_work(&r->hc.event_work);
	KUNIT_EXPECT_EQ(test, r->events, MAX_PENDING + 2);
	KUNIT_EXPECT_EQ(test, r->last.reason, VPNRT_HEALTH_R_START);
	KUNIT_EXPECT_EQ(test, r->last.events_lost, 3);

	/* a failed send (as the work counts it) is told at the next drain */
	spin_lock_bh(&r->hc.lock);
	r->hc.events_lost++;
	health_changed(&r->hc, &ch);
	spin_unlock_bh(&r->hc.lock);
	flush_work(&r->hc.event_work);
	KUNIT_EXPECT_EQ(test, r->events, MAX_PENDING + 4);
	KUNIT_EXPECT_EQ(test, r->last.reason, VPNRT_HEALTH_R_EVENTS_LOST);
	KUNIT_EXPECT_EQ(test, r->last.events_lost, 4);
	rxt_free(r);
}

/*
 * Through the tunnel's own handler (rx.c), with the gateway's source
 * check strict and no route at all: the answer is the prober's, taken
 * before the check; anything else from the far side's probe address is
 * dropped by it and counted.
 */
static void health_rx_before_rp_check(struct kunit *test)
{
	struct rxt *r = rxt_new(test, AF_INET);
	struct vpnrt_gw *gw = kunit_kzalloc(test, sizeof(*gw), GFP_KERNEL);
	struct vpnrt_tunnel *t = &r->conn.tun[0];
	struct vpnrt_gstats st;
	struct sk_buff *skb;
	rx_handler_result_t res;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, gw);
	gw->stats = netdev_alloc_pcpu_stats(struct vpnrt_gstats);
	KUNIT_ASSERT_NOT_NULL(test, gw->stats);
	vpnrt_table_init(&gw->v4, AF_INET);
	vpnrt_table_init(&gw->v6, AF_INET6);
	gw->max_paths = VPNRT_MAX_PATHS;
	gw->rp_check = VPNRT_RP_CHECK_STRICT;
	r->conn.gw = gw;
	t->conn = &r->conn;
	rcu_assign_pointer(t->rx_health, &r->hc);
	rcu_assign_pointer(r->dev->rx_handler_data, t);

	/* the answer, then a packet from its address that is not one */
	for (i = 0; i < 2; i++) {
		skb = rxt_reply(test, r, i ? WRONG_TYPE : RIGHT);
		rcu_read_lock();
		local_bh_disable();
		res = vpnrt_tunnel_rx(&skb);
		local_bh_enable();
		rcu_read_unlock();
		KUNIT_EXPECT_EQ(test, res, RX_HANDLER_CONSUMED);
		KUNIT_EXPECT_EQ(test, r->hc.sm.answered, 1);
	}
	vpnrt_gw_stats(gw, &st);
	KUNIT_EXPECT_EQ(test, u64_stats_read(&st.rp_drops), 1);

	free_percpu(gw->stats);
	rxt_free(r);
}

static struct kunit_case vpnrt_health_rx_cases[] = {
	KUNIT_CASE(health_rx_ipv4),
	KUNIT_CASE(health_rx_ipv6),
	KUNIT_CASE(health_probe_cookie_ipv4),
	KUNIT_CASE(health_probe_cookie_ipv6),
	KUNIT_CASE(health_rx_down_and_up),
	KUNIT_CASE(health_timer_phase),
	KUNIT_CASE(health_phase_spread),
	KUNIT_CASE(health_events_overflow),
	KUNIT_CASE(health_rx_before_rp_check),
	{}
};

static struct kunit_suite vpnrt_health_rx_suite = {
	.name = "vpnrt_health_rx",
	.test_cases = vpnrt_health_rx_cases,
};

kunit_test_suite(vpnrt_health_rx_suite);
