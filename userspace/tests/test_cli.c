// SPDX-License-Identifier: GPL-2.0
/* gateway and conn: the requests built from argv, and rejections */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "fake.h"
#include "tap.h"

static struct nla_policy gw_pol[VPNRT_A_GW_MAX + 1] = {
	[VPNRT_A_GW_IFINDEX] = { .type = NLA_U32 },
	[VPNRT_A_GW_IFNAME] = { .type = NLA_STRING },
	[VPNRT_A_GW_ECMP_HASH] = { .type = NLA_U8 },
	[VPNRT_A_GW_MAX_PATHS] = { .type = NLA_U32 },
	[VPNRT_A_GW_MAX_CONNS] = { .type = NLA_U32 },
	[VPNRT_A_GW_MAX_BGP_ROUTES] = { .type = NLA_U32 },
	[VPNRT_A_GW_MAX_PEER_ROUTES] = { .type = NLA_U32 },
	[VPNRT_A_GW_MAX_POLICY_ROUTES] = { .type = NLA_U32 },
	[VPNRT_A_GW_MAX_ROUTES] = { .type = NLA_U32 },
	[VPNRT_A_GW_MSS_CLAMP] = { .type = NLA_U32 },
	[VPNRT_A_GW_RP_CHECK] = { .type = NLA_U8 },
};

static struct nla_policy conn_pol[VPNRT_A_CONN_MAX + 1] = {
	[VPNRT_A_CONN_NAME] = { .type = NLA_STRING },
	[VPNRT_A_CONN_ID] = { .type = NLA_U32 },
	[VPNRT_A_CONN_GW_IFINDEX] = { .type = NLA_U32 },
	[VPNRT_A_CONN_TUNNELS] = { .type = NLA_NESTED },
	[VPNRT_A_CONN_MODE] = { .type = NLA_U8 },
	[VPNRT_A_CONN_ROUTING] = { .type = NLA_U8 },
	[VPNRT_A_CONN_FAMILY] = { .type = NLA_U16 },
	[VPNRT_A_CONN_LOCAL_LEN] = { .type = NLA_U8 },
	[VPNRT_A_CONN_PEER_LEN] = { .type = NLA_U8 },
	[VPNRT_A_CONN_ADMIN] = { .type = NLA_U8 },
	[VPNRT_A_CONN_IKE_MANAGED] = { .type = NLA_U8 },
	[VPNRT_A_CONN_IKE] = { .type = NLA_U8 },
	[VPNRT_A_CONN_STATE] = { .type = NLA_U8 },
	[VPNRT_A_CONN_DOWN_REASON] = { .type = NLA_U32 },
	[VPNRT_A_CONN_N_ROUTES] = { .type = NLA_U32 },
	[VPNRT_A_CONN_N_BGP_ROUTES] = { .type = NLA_U32 },
	[VPNRT_A_CONN_OWNER] = { .type = NLA_U8 },
};

static struct nla_policy tunnel_pol[VPNRT_A_TUNNEL_MAX + 1] = {
	[VPNRT_A_TUNNEL_IFINDEX] = { .type = NLA_U32 },
	[VPNRT_A_TUNNEL_IFNAME] = { .type = NLA_STRING },
	[VPNRT_A_TUNNEL_STATE] = { .type = NLA_U8 },
	[VPNRT_A_TUNNEL_DOWN_REASON] = { .type = NLA_U32 },
	[VPNRT_A_TUNNEL_TX_PACKETS] = { .type = NLA_U64 },
	[VPNRT_A_TUNNEL_TX_BYTES] = { .type = NLA_U64 },
	[VPNRT_A_TUNNEL_TX_ERRORS] = { .type = NLA_U64 },
	[VPNRT_A_TUNNEL_HEALTH] = { .type = NLA_NESTED },
	[VPNRT_A_TUNNEL_IKE] = { .type = NLA_U8 },
	[VPNRT_A_TUNNEL_POSITION] = { .type = NLA_U8 },
};

/* what a request may carry (the kernel rejects the rest as read-only) */
static struct nla_policy health_pol[VPNRT_A_HEALTH_MAX + 1] = {
	[VPNRT_A_HEALTH_OFF] = { .type = NLA_FLAG },
	[VPNRT_A_HEALTH_FAMILY] = { .type = NLA_U16 },
	[VPNRT_A_HEALTH_DST] = { .type = NLA_UNSPEC, .maxlen = 16 },
	[VPNRT_A_HEALTH_SRC] = { .type = NLA_UNSPEC, .maxlen = 16 },
	[VPNRT_A_HEALTH_INTERVAL] = { .type = NLA_U32 },
	[VPNRT_A_HEALTH_RETRIES] = { .type = NLA_U32 },
	[VPNRT_A_HEALTH_RISE] = { .type = NLA_U32 },
	[VPNRT_A_HEALTH_POLICY] = { .type = NLA_U8 },
};

/* count attributes present in tb[1..max] */
static int n_attrs(struct nlattr **tb, int max)
{
	int i, n = 0;

	for (i = 1; i <= max; i++)
		n += !!tb[i];
	return n;
}

/* run line, parse request 0's nest `top` into nt; the command or -1 */
static int nest_of(struct vpnrtctl *c, struct fake *f, const char *line, int top,
		   struct nlattr **nt, int max, struct nla_policy *pol, uint16_t *flags)
{
	struct nlattr *tb[VPNRT_A_MAX + 1];
	struct genlmsghdr *g;

	if (run_line(c, line)) {
		printf("# unexpected error: %s\n", c->err);
		return -1;
	}
	if (f->n_sent != 1 || !(g = sent_parse(f, 0, tb)))
		return -1;
	if (flags)
		*flags = nlmsg_hdr(f->sent[0])->nlmsg_flags;
	if (!tb[top]) {
		memset(nt, 0, sizeof(*nt) * (size_t)(max + 1));
		return g->cmd;
	}
	if (!(tb[top]->nla_type & NLA_F_NESTED) ||
	    nla_parse_nested(nt, max, tb[top], pol) < 0)
		return -1;
	return g->cmd;
}

static void test_gateway(void)
{
	struct nlattr *gt[VPNRT_A_GW_MAX + 1];
	struct vpnrtctl c;
	struct fake f;
	uint16_t flags = 0;
	int cmd;

	fake_init(&c, &f);
	cmd = nest_of(&c, &f, "gateway add vpngw9", VPNRT_A_GW, gt, VPNRT_A_GW_MAX, gw_pol, &flags);
	TAP_CHECK(cmd == VPNRT_CMD_GW_NEW && (flags & NLM_F_ACK) &&
		  !strcmp(nla_get_string(gt[VPNRT_A_GW_IFNAME]), "vpngw9") &&
		  n_attrs(gt, VPNRT_A_GW_MAX) == 1,
		  "gateway add NAME: GW_NEW with only IFNAME (the device need not exist)");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = nest_of(&c, &f, "gateway add vpngw9 ecmp-hash l3 max-paths 16 max-conns 5 "
		      "max-bgp-routes 6 max-peer-routes 7 max-policy-routes 8 max-routes 9",
		      VPNRT_A_GW, gt, VPNRT_A_GW_MAX, gw_pol, NULL);
	TAP_CHECK(cmd == VPNRT_CMD_GW_NEW &&
		  nla_get_u8(gt[VPNRT_A_GW_ECMP_HASH]) == VPNRT_HASH_L3 &&
		  nla_get_u32(gt[VPNRT_A_GW_MAX_PATHS]) == 16 &&
		  nla_get_u32(gt[VPNRT_A_GW_MAX_CONNS]) == 5 &&
		  nla_get_u32(gt[VPNRT_A_GW_MAX_BGP_ROUTES]) == 6 &&
		  nla_get_u32(gt[VPNRT_A_GW_MAX_PEER_ROUTES]) == 7 &&
		  nla_get_u32(gt[VPNRT_A_GW_MAX_POLICY_ROUTES]) == 8 &&
		  nla_get_u32(gt[VPNRT_A_GW_MAX_ROUTES]) == 9,
		  "gateway add with every setting");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = nest_of(&c, &f, "gateway set vpngw0 ecmp-hash l4", VPNRT_A_GW, gt,
		      VPNRT_A_GW_MAX, gw_pol, NULL);
	TAP_CHECK(cmd == VPNRT_CMD_GW_SET && nla_get_u32(gt[VPNRT_A_GW_IFINDEX]) == 10 &&
		  nla_get_u8(gt[VPNRT_A_GW_ECMP_HASH]) == VPNRT_HASH_L4 &&
		  !gt[VPNRT_A_GW_IFNAME] && n_attrs(gt, VPNRT_A_GW_MAX) == 2,
		  "gateway set: GW_SET with the resolved IFINDEX and the change");
	fake_fini(&c, &f);

	static const struct { const char *arg; uint32_t want; } mss[] = {
		{ "auto", VPNRT_MSS_CLAMP_AUTO }, { "off", VPNRT_MSS_CLAMP_OFF },
		{ "536", 536 }, { "1360", 1360 }, { "65535", 65535 },
	};
	for (size_t i = 0; i < sizeof(mss) / sizeof(mss[0]); i++) {
		char line[64];

		snprintf(line, sizeof(line), "gateway set vpngw0 mss-clamp %s", mss[i].arg);
		fake_init(&c, &f);
		cmd = nest_of(&c, &f, line, VPNRT_A_GW, gt, VPNRT_A_GW_MAX, gw_pol, NULL);
		TAP_CHECK(cmd == VPNRT_CMD_GW_SET && gt[VPNRT_A_GW_MSS_CLAMP] &&
			  nla_get_u32(gt[VPNRT_A_GW_MSS_CLAMP]) == mss[i].want &&
			  n_attrs(gt, VPNRT_A_GW_MAX) == 2,
			  "gateway set mss-clamp %s: MSS_CLAMP %u", mss[i].arg, mss[i].want);
		fake_fini(&c, &f);
	}

	static const struct { const char *arg; uint8_t want; } rp[] = {
		{ "strict", VPNRT_RP_CHECK_STRICT }, { "loose", VPNRT_RP_CHECK_LOOSE },
		{ "off", VPNRT_RP_CHECK_OFF },
	};
	for (size_t i = 0; i < sizeof(rp) / sizeof(rp[0]); i++) {
		char line[64];

		snprintf(line, sizeof(line), "gateway set vpngw0 rp-check %s", rp[i].arg);
		fake_init(&c, &f);
		cmd = nest_of(&c, &f, line, VPNRT_A_GW, gt, VPNRT_A_GW_MAX, gw_pol, NULL);
		TAP_CHECK(cmd == VPNRT_CMD_GW_SET && gt[VPNRT_A_GW_RP_CHECK] &&
			  nla_get_u8(gt[VPNRT_A_GW_RP_CHECK]) == rp[i].want &&
			  n_attrs(gt, VPNRT_A_GW_MAX) == 2,
			  "gateway set rp-check %s: RP_CHECK %u", rp[i].arg, rp[i].want);
		fake_fini(&c, &f);
	}

	fake_init(&c, &f);
	cmd = nest_of(&c, &f, "gateway del vpngw0", VPNRT_A_GW, gt, VPNRT_A_GW_MAX, gw_pol, NULL);
	TAP_CHECK(cmd == VPNRT_CMD_GW_DEL && nla_get_u32(gt[VPNRT_A_GW_IFINDEX]) == 10 &&
		  n_attrs(gt, VPNRT_A_GW_MAX) == 1, "gateway del: GW_DEL {IFINDEX}");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = nest_of(&c, &f, "gateway show", VPNRT_A_GW, gt, VPNRT_A_GW_MAX, gw_pol, &flags);
	TAP_CHECK(cmd == VPNRT_CMD_GW_GET && (flags & NLM_F_DUMP) == NLM_F_DUMP &&
		  n_attrs(gt, VPNRT_A_GW_MAX) == 0, "gateway show: GW_GET dump");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = nest_of(&c, &f, "gateway show vpngw1 -s", VPNRT_A_GW, gt, VPNRT_A_GW_MAX,
		      gw_pol, &flags);
	TAP_CHECK(cmd == VPNRT_CMD_GW_GET && !(flags & NLM_F_DUMP) && (flags & NLM_F_ACK) &&
		  nla_get_u32(gt[VPNRT_A_GW_IFINDEX]) == 13 && c.stats,
		  "gateway show NAME -s: GW_GET do with IFINDEX, stats on");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = nest_of(&c, &f, "gateway", VPNRT_A_GW, gt, VPNRT_A_GW_MAX, gw_pol, &flags);
	TAP_CHECK(cmd == VPNRT_CMD_GW_GET, "bare \"gateway\" means show");
	fake_fini(&c, &f);
}

static void test_conn(void)
{
	struct nlattr *ct[VPNRT_A_CONN_MAX + 1], *t, *tt[VPNRT_A_TUNNEL_MAX + 1];
	struct vpnrtctl c;
	struct fake f;
	uint16_t flags = 0;
	int cmd, rem, n = 0;
	uint32_t tun[2] = { 0, 0 };
	bool typed = true;

	fake_init(&c, &f);
	cmd = nest_of(&c, &f, "conn add c1 gateway vpngw0 tunnel xfrm1", VPNRT_A_CONN, ct,
		      VPNRT_A_CONN_MAX, conn_pol, &flags);
	TAP_CHECK(cmd == VPNRT_CMD_CONN_NEW && (flags & NLM_F_ACK) &&
		  !strcmp(nla_get_string(ct[VPNRT_A_CONN_NAME]), "c1") &&
		  nla_get_u32(ct[VPNRT_A_CONN_GW_IFINDEX]) == 10 &&
		  nla_get_u8(ct[VPNRT_A_CONN_MODE]) == VPNRT_MODE_ACTIVE_STANDBY,
		  "conn add: CONN_NEW name, gw ifindex, mode active-standby");
	TAP_CHECK(cmd > 0 && !ct[VPNRT_A_CONN_ID] && !ct[VPNRT_A_CONN_ROUTING] &&
		  !ct[VPNRT_A_CONN_IKE_MANAGED] && !ct[VPNRT_A_CONN_ADMIN] &&
		  !ct[VPNRT_A_CONN_IKE] && n_attrs(ct, VPNRT_A_CONN_MAX) == 4,
		  "conn add: no id, routing, ike or admin unless given");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = nest_of(&c, &f, "conn add c2 gateway vpngw0 tunnel xfrm1 tunnel xfrm2 mode ecmp "
		      "id 42 flow-protection local 10.0.0.0/24 peer 10.1.0.0/16 ike managed admin down",
		      VPNRT_A_CONN, ct, VPNRT_A_CONN_MAX, conn_pol, NULL);
	if (cmd > 0 && ct[VPNRT_A_CONN_TUNNELS])
		nla_for_each_nested(t, ct[VPNRT_A_CONN_TUNNELS], rem) {
			static struct nla_policy tp[VPNRT_A_TUNNEL_MAX + 1] = {
				[VPNRT_A_TUNNEL_IFINDEX] = { .type = NLA_U32 },
			};

			if (n < 2 && !nla_parse_nested(tt, VPNRT_A_TUNNEL_MAX, t, tp) &&
			    tt[VPNRT_A_TUNNEL_IFINDEX])
				tun[n] = nla_get_u32(tt[VPNRT_A_TUNNEL_IFINDEX]);
			n++;
			typed = typed && nla_type(t) == n && (t->nla_type & NLA_F_NESTED);
		}
	TAP_CHECK(n == 2 && typed && tun[0] == 11 && tun[1] == 12,
		  "conn add: TUNNELS is an array of nests typed 1, 2 with IFINDEX 11, 12");
	TAP_CHECK(cmd > 0 && nla_get_u8(ct[VPNRT_A_CONN_MODE]) == VPNRT_MODE_ECMP &&
		  nla_get_u32(ct[VPNRT_A_CONN_ID]) == 42 &&
		  nla_get_u8(ct[VPNRT_A_CONN_IKE_MANAGED]) == 1 &&
		  nla_get_u8(ct[VPNRT_A_CONN_ADMIN]) == VPNRT_STATE_DOWN,
		  "conn add: mode ecmp, id 42, ike managed, admin down");
	{
		uint8_t l[4] = { 10, 0, 0, 0 }, p[4] = { 10, 1, 0, 0 };

		TAP_CHECK(cmd > 0 && nla_get_u8(ct[VPNRT_A_CONN_ROUTING]) == VPNRT_ROUTING_FLOW &&
			  nla_get_u16(ct[VPNRT_A_CONN_FAMILY]) == AF_INET &&
			  nla_len(ct[VPNRT_A_CONN_LOCAL_ADDR]) == 4 &&
			  !memcmp(nla_data(ct[VPNRT_A_CONN_LOCAL_ADDR]), l, 4) &&
			  nla_get_u8(ct[VPNRT_A_CONN_LOCAL_LEN]) == 24 &&
			  !memcmp(nla_data(ct[VPNRT_A_CONN_PEER_ADDR]), p, 4) &&
			  nla_get_u8(ct[VPNRT_A_CONN_PEER_LEN]) == 16,
			  "conn add flow-protection: routing flow, family, local/peer addr and len");
	}
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = nest_of(&c, &f, "conn add c3 gateway vpngw0 tunnel xfrm1 flow-protection peer fd00:1::/64 local fd00::/64",
		      VPNRT_A_CONN, ct, VPNRT_A_CONN_MAX, conn_pol, NULL);
	TAP_CHECK(cmd > 0 && nla_get_u16(ct[VPNRT_A_CONN_FAMILY]) == AF_INET6 &&
		  nla_len(ct[VPNRT_A_CONN_PEER_ADDR]) == 16 &&
		  nla_get_u8(ct[VPNRT_A_CONN_PEER_LEN]) == 64,
		  "flow-protection in either order, IPv6");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = nest_of(&c, &f, "conn set c1 admin up ike down", VPNRT_A_CONN, ct,
		      VPNRT_A_CONN_MAX, conn_pol, NULL);
	TAP_CHECK(cmd == VPNRT_CMD_CONN_SET && nla_get_u8(ct[VPNRT_A_CONN_ADMIN]) == VPNRT_STATE_UP &&
		  nla_get_u8(ct[VPNRT_A_CONN_IKE]) == VPNRT_STATE_DOWN &&
		  n_attrs(ct, VPNRT_A_CONN_MAX) == 3, "conn set: CONN_SET {NAME, ADMIN, IKE}");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = nest_of(&c, &f, "conn del c1", VPNRT_A_CONN, ct, VPNRT_A_CONN_MAX, conn_pol, NULL);
	TAP_CHECK(cmd == VPNRT_CMD_CONN_DEL && n_attrs(ct, VPNRT_A_CONN_MAX) == 1,
		  "conn del: CONN_DEL {NAME}");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = nest_of(&c, &f, "conn show gateway vpngw1", VPNRT_A_CONN, ct, VPNRT_A_CONN_MAX,
		      conn_pol, &flags);
	TAP_CHECK(cmd == VPNRT_CMD_CONN_GET && (flags & NLM_F_DUMP) == NLM_F_DUMP &&
		  nla_get_u32(ct[VPNRT_A_CONN_GW_IFINDEX]) == 13 &&
		  n_attrs(ct, VPNRT_A_CONN_MAX) == 1,
		  "conn show gateway GW: CONN_GET dump filtered by GW_IFINDEX");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = nest_of(&c, &f, "conn show c1 -s", VPNRT_A_CONN, ct, VPNRT_A_CONN_MAX,
		      conn_pol, &flags);
	TAP_CHECK(cmd == VPNRT_CMD_CONN_GET && !(flags & NLM_F_DUMP) && c.stats &&
		  !strcmp(nla_get_string(ct[VPNRT_A_CONN_NAME]), "c1"),
		  "conn show NAME -s: CONN_GET do with NAME");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = nest_of(&c, &f, "conn show name gateway", VPNRT_A_CONN, ct, VPNRT_A_CONN_MAX,
		      conn_pol, &flags);
	TAP_CHECK(cmd == VPNRT_CMD_CONN_GET &&
		  !strcmp(nla_get_string(ct[VPNRT_A_CONN_NAME]), "gateway"),
		  "conn show name NAME: a connection named like a keyword");
	fake_fini(&c, &f);
}

/*
 * conn set with health: run line, check CONN_SET carries only NAME and the
 * conn attributes in `want` (bits), and one tunnel element (type 1); its
 * IFINDEX into *ifindex (0 if absent) and its health nest into ht. The
 * attributes point into the request, kept in *keep until the next call.
 */
static bool set_health(const char *line, uint32_t want, struct nlattr **ct,
		       uint32_t *ifindex, struct nlattr **ht, struct nl_msg **keep)
{
	struct nlattr *tt[VPNRT_A_TUNNEL_MAX + 1], *t;
	struct vpnrtctl c;
	struct fake f;
	bool ok = true;
	int cmd, i, rem, n = 0;

	if (*keep)
		nlmsg_free(*keep);
	*keep = NULL;
	fake_init(&c, &f);
	cmd = nest_of(&c, &f, line, VPNRT_A_CONN, ct, VPNRT_A_CONN_MAX, conn_pol, NULL);
	if (cmd != VPNRT_CMD_CONN_SET) {
		fake_fini(&c, &f);
		return false;
	}
	*keep = f.sent[0];
	nlmsg_get(*keep);
	for (i = 1; i <= VPNRT_A_CONN_MAX; i++)
		if (!!ct[i] != !!(want & (1u << i) || i == VPNRT_A_CONN_NAME)) {
			printf("# attribute %d %s\n", i, ct[i] ? "unexpected" : "missing");
			ok = false;
		}
	*ifindex = 0;
	memset(ht, 0, sizeof(*ht) * (VPNRT_A_HEALTH_MAX + 1));
	if (ct[VPNRT_A_CONN_TUNNELS])
		nla_for_each_nested(t, ct[VPNRT_A_CONN_TUNNELS], rem) {
			n++;
			if (nla_type(t) != 1 || !(t->nla_type & NLA_F_NESTED) ||
			    nla_parse_nested(tt, VPNRT_A_TUNNEL_MAX, t, tunnel_pol) < 0 ||
			    !tt[VPNRT_A_TUNNEL_HEALTH] ||
			    !(tt[VPNRT_A_TUNNEL_HEALTH]->nla_type & NLA_F_NESTED) ||
			    nla_parse_nested(ht, VPNRT_A_HEALTH_MAX, tt[VPNRT_A_TUNNEL_HEALTH],
					     health_pol) < 0) {
				ok = false;
				continue;
			}
			for (i = 1; i <= VPNRT_A_TUNNEL_MAX; i++)
				if (tt[i] && i != VPNRT_A_TUNNEL_IFINDEX && i != VPNRT_A_TUNNEL_HEALTH)
					ok = false;
			if (tt[VPNRT_A_TUNNEL_IFINDEX])
				*ifindex = nla_get_u32(tt[VPNRT_A_TUNNEL_IFINDEX]);
		}
	fake_fini(&c, &f);
	return ok && n == (want & (1u << VPNRT_A_CONN_TUNNELS) ? 1 : 0);
}

static bool addr_is(struct nlattr *a, int family, const char *s)
{
	unsigned char b[16];

	inet_pton(family, s, b);
	return a && nla_len(a) == (family == AF_INET ? 4 : 16) &&
	       !memcmp(nla_data(a), b, (size_t)nla_len(a));
}

static void test_conn_set_health(void)
{
	struct nlattr *ct[VPNRT_A_CONN_MAX + 1], *ht[VPNRT_A_HEALTH_MAX + 1];
	const uint32_t tun = 1u << VPNRT_A_CONN_TUNNELS;
	struct nl_msg *keep = NULL;
	uint32_t ifindex;
	bool ok;

	ok = set_health("conn set c1 health dst 172.16.255.1 src 10.99.1.1", tun, ct,
			&ifindex, ht, &keep);
	TAP_CHECK(ok && ifindex == 0 && nla_get_u16(ht[VPNRT_A_HEALTH_FAMILY]) == AF_INET &&
		  addr_is(ht[VPNRT_A_HEALTH_DST], AF_INET, "172.16.255.1") &&
		  addr_is(ht[VPNRT_A_HEALTH_SRC], AF_INET, "10.99.1.1") &&
		  !ht[VPNRT_A_HEALTH_INTERVAL] && !ht[VPNRT_A_HEALTH_RETRIES] &&
		  !ht[VPNRT_A_HEALTH_RISE] && !ht[VPNRT_A_HEALTH_POLICY] && !ht[VPNRT_A_HEALTH_OFF],
		  "conn set health dst src: CONN_SET {NAME, TUNNELS [{HEALTH {FAMILY, DST, SRC}}]}, "
		  "no IFINDEX (the only tunnel), defaults left to the kernel");

	ok = set_health("conn set c1 tunnel xfrm2 health dst fd20:ff::2 src fd99:2::1 interval 1.5s "
			"retries 5 rise 2 policy reserve-route admin down timeout 4.5s",
			tun | 1u << VPNRT_A_CONN_ADMIN, ct, &ifindex, ht, &keep);
	TAP_CHECK(ok && ifindex == 12 && nla_get_u16(ht[VPNRT_A_HEALTH_FAMILY]) == AF_INET6 &&
		  addr_is(ht[VPNRT_A_HEALTH_DST], AF_INET6, "fd20:ff::2") &&
		  addr_is(ht[VPNRT_A_HEALTH_SRC], AF_INET6, "fd99:2::1") &&
		  nla_get_u32(ht[VPNRT_A_HEALTH_INTERVAL]) == 1500 &&
		  nla_get_u32(ht[VPNRT_A_HEALTH_TIMEOUT]) == 4500 &&
		  nla_get_u32(ht[VPNRT_A_HEALTH_RETRIES]) == 5 &&
		  nla_get_u32(ht[VPNRT_A_HEALTH_RISE]) == 2 &&
		  nla_get_u8(ht[VPNRT_A_HEALTH_POLICY]) == VPNRT_HEALTH_RESERVE_ROUTE &&
		  nla_get_u8(ct[VPNRT_A_CONN_ADMIN]) == VPNRT_STATE_DOWN,
		  "conn set tunnel DEV health (IPv6, every setting) with admin: one message");

	ok = set_health("conn set c3 health dst 172.16.255.3 src 10.99.3.1 tunnel xfrm1 interval 10ms "
			"timeout 10ms",
			tun, ct, &ifindex, ht, &keep);
	TAP_CHECK(ok && ifindex == 11 && nla_get_u32(ht[VPNRT_A_HEALTH_INTERVAL]) == 10 &&
		  nla_get_u32(ht[VPNRT_A_HEALTH_TIMEOUT]) == 10,
		  "tunnel DEV after the health settings; interval and timeout 10ms, the minimum");

	ok = set_health("conn set c1 h d 1.2.3.4 s 5.6.7.8 interval 60s po res ret 100 ris 100 ti 60s",
			tun, ct, &ifindex, ht, &keep);
	TAP_CHECK(ok && nla_get_u32(ht[VPNRT_A_HEALTH_INTERVAL]) == 60000 &&
		  nla_get_u32(ht[VPNRT_A_HEALTH_TIMEOUT]) == 60000 &&
		  nla_get_u8(ht[VPNRT_A_HEALTH_POLICY]) == VPNRT_HEALTH_RESERVE_ROUTE &&
		  nla_get_u32(ht[VPNRT_A_HEALTH_RETRIES]) == 100 &&
		  nla_get_u32(ht[VPNRT_A_HEALTH_RISE]) == 100,
		  "abbreviated keywords and values; interval and timeout (ti) 60s, retries and rise 100, the maxima");

	ok = set_health("conn set c1 health dst 1.2.3.4 src 5.6.7.8 policy revoke-route",
			tun, ct, &ifindex, ht, &keep);
	TAP_CHECK(ok && nla_get_u8(ht[VPNRT_A_HEALTH_POLICY]) == VPNRT_HEALTH_REVOKE_ROUTE,
		  "policy revoke-route is sent when given");

	ok = set_health("conn set c1 health dst 1.2.3.4 src 5.6.7.8 policy revoke_route",
			tun, ct, &ifindex, ht, &keep) &&
	     nla_get_u8(ht[VPNRT_A_HEALTH_POLICY]) == VPNRT_HEALTH_REVOKE_ROUTE &&
	     set_health("conn set c1 health dst 1.2.3.4 src 5.6.7.8 policy reserve_route",
			tun, ct, &ifindex, ht, &keep) &&
	     nla_get_u8(ht[VPNRT_A_HEALTH_POLICY]) == VPNRT_HEALTH_RESERVE_ROUTE;
	TAP_CHECK(ok, "the old spellings revoke_route and reserve_route are still taken");

	ok = set_health("conn set c1 health off", tun, ct, &ifindex, ht, &keep);
	TAP_CHECK(ok && ifindex == 0 && ht[VPNRT_A_HEALTH_OFF] && nla_len(ht[VPNRT_A_HEALTH_OFF]) == 0 &&
		  !ht[VPNRT_A_HEALTH_FAMILY] && !ht[VPNRT_A_HEALTH_DST] && !ht[VPNRT_A_HEALTH_SRC],
		  "conn set health off: HEALTH {OFF} alone");

	ok = set_health("conn set c1 tunnel xfrm1 health off admin up",
			tun | 1u << VPNRT_A_CONN_ADMIN, ct, &ifindex, ht, &keep);
	TAP_CHECK(ok && ifindex == 11 && ht[VPNRT_A_HEALTH_OFF] &&
		  nla_get_u8(ct[VPNRT_A_CONN_ADMIN]) == VPNRT_STATE_UP,
		  "conn set tunnel DEV health off admin up");

	ok = set_health("conn set c1 admin up ike down", 1u << VPNRT_A_CONN_ADMIN |
			1u << VPNRT_A_CONN_IKE, ct, &ifindex, ht, &keep);
	TAP_CHECK(ok, "conn set without health: no TUNNELS, and nothing the kernel cannot change");
	nlmsg_free(keep);
}

/*
 * run line: a CONN_SET whose conn nest has NAME and the attributes in
 * `want` (bits), and one tunnel element (type 1), parsed into tt; the
 * request is kept in *keep until the next call
 */
static bool set_tunnel(const char *line, uint32_t want, struct nlattr **ct,
		       struct nlattr **tt, struct nl_msg **keep)
{
	struct vpnrtctl c;
	struct fake f;
	struct nlattr *t;
	bool ok = true;
	int cmd, i, rem, n = 0;

	if (*keep)
		nlmsg_free(*keep);
	*keep = NULL;
	memset(tt, 0, sizeof(*tt) * (VPNRT_A_TUNNEL_MAX + 1));
	fake_init(&c, &f);
	cmd = nest_of(&c, &f, line, VPNRT_A_CONN, ct, VPNRT_A_CONN_MAX, conn_pol, NULL);
	if (cmd != VPNRT_CMD_CONN_SET) {
		fake_fini(&c, &f);
		return false;
	}
	*keep = f.sent[0];
	nlmsg_get(*keep);
	want |= 1u << VPNRT_A_CONN_NAME | 1u << VPNRT_A_CONN_TUNNELS;
	for (i = 1; i <= VPNRT_A_CONN_MAX; i++)
		if (!!ct[i] != !!(want & (1u << i))) {
			printf("# attribute %d %s\n", i, ct[i] ? "unexpected" : "missing");
			ok = false;
		}
	if (ct[VPNRT_A_CONN_TUNNELS])
		nla_for_each_nested(t, ct[VPNRT_A_CONN_TUNNELS], rem) {
			n++;
			if (nla_type(t) != 1 ||
			    nla_parse_nested(tt, VPNRT_A_TUNNEL_MAX, t, tunnel_pol) < 0)
				ok = false;
		}
	fake_fini(&c, &f);
	return ok && n == 1;
}

/* a tunnel nest has exactly the attributes in `want` (bits) */
static bool tunnel_has(struct nlattr **tt, uint32_t want)
{
	int i;

	for (i = 1; i <= VPNRT_A_TUNNEL_MAX; i++)
		if (!!tt[i] != !!(want & (1u << i)))
			return false;
	return true;
}

/* conn set ... tunnel DEV|N ike up|down, tunnel N dev DEV */
static void test_conn_set_tunnel(void)
{
	struct nlattr *ct[VPNRT_A_CONN_MAX + 1], *tt[VPNRT_A_TUNNEL_MAX + 1];
	struct nlattr *ht[VPNRT_A_HEALTH_MAX + 1];
	const uint32_t IFX = 1u << VPNRT_A_TUNNEL_IFINDEX;
	const uint32_t POS = 1u << VPNRT_A_TUNNEL_POSITION;
	const uint32_t IKE = 1u << VPNRT_A_TUNNEL_IKE;
	const uint32_t HEALTH = 1u << VPNRT_A_TUNNEL_HEALTH;
	struct nl_msg *keep = NULL;
	bool ok;

	ok = set_tunnel("conn set c1 tunnel xfrm2 ike down", 0, ct, tt, &keep);
	TAP_CHECK(ok && tunnel_has(tt, IFX | IKE) &&
		  nla_get_u32(tt[VPNRT_A_TUNNEL_IFINDEX]) == 12 &&
		  nla_get_u8(tt[VPNRT_A_TUNNEL_IKE]) == VPNRT_STATE_DOWN,
		  "conn set tunnel DEV ike down: TUNNELS [{IFINDEX, IKE down}], no conn IKE");

	ok = set_tunnel("conn set c1 ike up tunnel 2", 0, ct, tt, &keep);
	TAP_CHECK(ok && tunnel_has(tt, POS | IKE) &&
		  nla_get_u8(tt[VPNRT_A_TUNNEL_POSITION]) == 2 &&
		  nla_get_u8(tt[VPNRT_A_TUNNEL_IKE]) == VPNRT_STATE_UP,
		  "conn set ike up tunnel N (either order): TUNNELS [{POSITION 2, IKE up}]");

	ok = set_tunnel("conn set c1 tunnel 1 dev xfrm2", 0, ct, tt, &keep);
	TAP_CHECK(ok && tunnel_has(tt, POS | IFX) &&
		  nla_get_u8(tt[VPNRT_A_TUNNEL_POSITION]) == 1 &&
		  nla_get_u32(tt[VPNRT_A_TUNNEL_IFINDEX]) == 12,
		  "conn set tunnel N dev DEV: TUNNELS [{POSITION 1, IFINDEX}] (a rebind)");

	ok = set_tunnel("conn set c1 dev xfrm1 tunnel 2 health off ike down admin up",
			1u << VPNRT_A_CONN_ADMIN, ct, tt, &keep);
	TAP_CHECK(ok && tunnel_has(tt, POS | IFX | IKE | HEALTH) &&
		  nla_get_u8(tt[VPNRT_A_TUNNEL_POSITION]) == 2 &&
		  nla_get_u32(tt[VPNRT_A_TUNNEL_IFINDEX]) == 11 &&
		  nla_get_u8(tt[VPNRT_A_TUNNEL_IKE]) == VPNRT_STATE_DOWN &&
		  nla_get_u8(ct[VPNRT_A_CONN_ADMIN]) == VPNRT_STATE_UP,
		  "dev, tunnel N, health off, ike and admin in one request, any order");

	ok = set_tunnel("conn set c1 tunnel 2 health dst 1.2.3.4 src 5.6.7.8 dev xfrm1", 0, ct,
			tt, &keep) &&
	     !nla_parse_nested(ht, VPNRT_A_HEALTH_MAX, tt[VPNRT_A_TUNNEL_HEALTH], health_pol);
	TAP_CHECK(ok && tunnel_has(tt, POS | IFX | HEALTH) &&
		  nla_get_u32(tt[VPNRT_A_TUNNEL_IFINDEX]) == 11 &&
		  addr_is(ht[VPNRT_A_HEALTH_DST], AF_INET, "1.2.3.4") && !ht[VPNRT_A_HEALTH_OFF],
		  "dev among the settings of health: the rebind with its new check");
	nlmsg_free(keep);
}

static void test_rejections(void)
{
	static const struct { const char *line, *msg; } bad[] = {
		{ "frob", "unknown object \"frob\"; allowed: gateway, conn, route, monitor, family, " },
		{ "gateway add", "\"gateway add\" needs a gateway NAME" },
		{ "gateway add vpngw0123456789ab", "must be 1..15 characters" },
		{ "gateway add a/b", "must not contain '/', ':' or spaces" },
		{ "gateway add g0 ecmp-hash l5", "ecmp-hash must be l3 or l4, not \"l5\"" },
		{ "gateway add g0 max-paths 17", "max-paths must be 1..16, not \"17\"" },
		{ "gateway add g0 max-paths 0", "max-paths must be 1..16, not \"0\"" },
		{ "gateway add g0 max-conns -1", "max-conns must be 0..4294967295, not \"-1\"" },
		{ "gateway add g0 max-p 3", "ambiguous keyword \"max-p\" after \"gateway add\"" },
		{ "gateway add g0 speed 3", "unknown keyword \"speed\" after \"gateway add\"; allowed: ecmp-hash, max-paths, max-conns, max-bgp-routes, max-peer-routes, max-policy-routes, max-routes, mss-clamp, rp-check" },
		{ "gateway set vpngw0 rp-check on", "rp-check must be strict, loose or off, not \"on\"" },
		{ "gateway set vpngw0 rp-check", "missing value after \"rp-check\"" },
		{ "gateway set vpngw0 mss-clamp 10", "mss-clamp must be auto, off or 536..65535, not \"10\"" },
		{ "gateway set vpngw0 mss-clamp 70000", "mss-clamp must be auto, off or 536..65535, not \"70000\"" },
		{ "gateway set vpngw0 mss-clamp on", "mss-clamp must be auto, off or 536..65535, not \"on\"" },
		{ "gateway add g0 max-conns", "missing value after \"max-conns\"" },
		{ "gateway add g0 max-conns 1 max-conns 2", "\"max-conns\" given twice" },
		{ "gateway set vpngw0", "\"gateway set vpngw0\" needs something to change" },
		{ "gateway set nosuch0 max-conns 3", "device \"nosuch0\" does not exist" },
		{ "gateway del nosuch0", "device \"nosuch0\" does not exist" },
		{ "gateway del vpngw0 now", "takes no more arguments, got \"now\"" },
		{ "gateway show vpngw0 vpngw1", "unexpected \"vpngw1\"" },
		{ "gateway s", "ambiguous keyword \"s\" after \"gateway\"" },
		{ "conn add", "\"conn add\" needs a connection NAME" },
		{ "conn add c1 tunnel xfrm1", "\"conn add c1\" needs gateway GW" },
		{ "conn add c1 gateway vpngw0", "\"conn add c1\" needs tunnel DEV (one or two)" },
		{ "conn add c1 gateway nosuch0 tunnel xfrm1", "device \"nosuch0\" does not exist" },
		{ "conn add c1 gateway vpngw0 tunnel xfrm9", "device \"xfrm9\" does not exist" },
		{ "conn add c1 gateway vpngw0 tunnel xfrm1 tunnel xfrm2 tunnel vpngw1", "at most 2 tunnels" },
		{ "conn add c1 gateway vpngw0 tunnel xfrm1 tunnel xfrm1", "tunnel \"xfrm1\" given twice" },
		{ "conn add c1 gateway vpngw0 tunnel xfrm1 mode lb", "mode must be active-standby or ecmp, not \"lb\"" },
		{ "conn add c1 gateway vpngw0 tunnel xfrm1 id 0", "id must be 1..4294967295" },
		{ "conn add c1 gateway vpngw0 tunnel xfrm1 ike auto", "ike must be managed or none, not \"auto\"" },
		{ "conn add c1 gateway vpngw0 tunnel xfrm1 admin on", "admin must be up or down, not \"on\"" },
		{ "conn add c1 gateway vpngw0 tunnel xfrm1 flow-protection local 10.0.0.0/8", "\"flow-protection\" needs local CIDR peer CIDR" },
		{ "conn add c1 gateway vpngw0 tunnel xfrm1 flow-protection local 10.0.0.1/8 peer 10.1.0.0/16", "flow-protection local: \"10.0.0.1/8\" has host bits set; did you mean 10.0.0.0/8?" },
		{ "conn add c1 gateway vpngw0 tunnel xfrm1 flow-protection local 10.0.0.0/8 peer fd00::/8", "same family" },
		{ "conn add c1 gateway vpngw0 tunnel xfrm1 flow-protection local 10.0.0.0/8 local 10.0.0.0/8", "\"local\" given twice" },
		{ "conn add c1 gateway vpngw0 tunnel xfrm1 i 3", "ambiguous keyword \"i\" after \"conn add\"" },
		{ "conn add c1 gateway vpngw0 tunnel xfrm1 color red", "unknown keyword \"color\" after \"conn add\"; allowed: gateway, tunnel, mode, id, flow-protection, ike, admin" },
		{ "conn add c1 gateway vpngw0 gateway vpngw1 tunnel xfrm1", "\"gateway\" given twice" },
		{ "conn add 0123456789abcdef0123456789abcdef gateway vpngw0 tunnel xfrm1", "too long (at most 31 characters)" },
		{ "conn set c1", "\"conn set c1\" needs something to change: admin up|down, ike up|down, [tunnel DEV] health dst IP src IP [interval DURATION] [timeout DURATION] [retries N] [rise N] [policy revoke-route|reserve-route], or [tunnel DEV] health off" },
		{ "conn set c1 ike managed", "ike must be up or down, not \"managed\"" },
		{ "conn set c1 mode ecmp", "unknown keyword \"mode\" after \"conn set\"; allowed: admin, ike, tunnel, health, dev" },
		{ "conn set c1 admin up admin down", "\"admin\" given twice" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 interval 5ms", "health interval: 5ms is out of range (allowed: 10ms..60s)" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 timeout 9ms", "health timeout: 9ms is out of range (allowed: 10ms..60s)" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 timeout 60.001s", "health timeout: 60.001s is out of range (allowed: 10ms..60s)" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 timeout 3", "health timeout: \"3\" has no unit: write 3ms or 3s (allowed units: ms, s)" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 timeout 1s ti 2s", "\"timeout\" given twice" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 t 1s", "ambiguous keyword \"t\" after \"health\"" },
		{ "conn set c1 health off timeout 1s", "\"health off\" takes no other health setting, got \"timeout\"" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 interval 61s", "health interval: 61s is out of range (allowed: 10ms..60s)" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 interval 100", "health interval: \"100\" has no unit: write 100ms or 100s (allowed units: ms, s)" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 interval 1m", "health interval: \"1m\" is not a duration: expected a number with unit ms or s, e.g. 100ms, 3s or 1.5s" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 interval 0.0015s", "health interval: 0.0015s is not a whole number of milliseconds" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 retries 0", "retries must be 1..100 (probes lost in a row to go down), not \"0\"" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 retries 101", "retries must be 1..100" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 rise 0", "rise must be 1..100 (probes answered in a row to come up), not \"0\"" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 rise x", "rise must be 1..100" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 policy drop", "policy must be revoke-route or reserve-route, not \"drop\"" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 policy re", "policy must be revoke-route or reserve-route, not \"re\"" },
		{ "conn set c1 health dst 1.2.3.4 src fd00::1", "health dst and src must be the same family (both IPv4 or both IPv6)" },
		{ "conn set c1 health dst fd00::1 src 1.2.3.4", "same family" },
		{ "conn set c1 health dst 1.2.3.4", "\"health\" needs src IP (the probes' source, on this side)" },
		{ "conn set c1 health src 1.2.3.4 interval 3s", "\"health\" needs dst IP (the far side, which answers the probes)" },
		{ "conn set c1 health admin up", "\"health\" needs dst IP (the far side, which answers the probes) and src IP" },
		{ "conn set c1 health", "\"health\" needs its settings: [tunnel DEV] health dst IP src IP [interval DURATION] [timeout DURATION] [retries N] [rise N] [policy revoke-route|reserve-route], or [tunnel DEV] health off" },
		{ "conn set c1 health dst 1.2.3.300 src 1.2.3.4", "health dst: \"1.2.3.300\" is not an IPv4 or IPv6 address" },
		{ "conn set c1 health dst 1.2.3.4 src 10.0.0.0/24", "health src: \"10.0.0.0/24\" is not an IPv4 or IPv6 address" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 dst 1.2.3.5", "\"dst\" given twice" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 interval", "missing value after \"interval\"" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 i 3s", "ambiguous keyword \"i\" after \"health\"; allowed: admin, ike, tunnel, dst, src, interval, retries, rise, policy" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 r 3", "ambiguous keyword \"r\" after \"health\"" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 color red", "unknown keyword \"color\" after \"health\"; allowed: admin, ike, tunnel, dst, src, interval, retries, rise, policy" },
		{ "conn set c1 health dst 1.2.3.4 src 5.6.7.8 health off", "\"health\" given twice (one tunnel per command)" },
		{ "conn set c1 health off dst 1.2.3.4", "\"health off\" takes no other health setting, got \"dst\"" },
		{ "conn set c1 health off interval 3s", "\"health off\" takes no other health setting, got \"interval\"" },
		{ "conn set c1 health off now", "unknown keyword \"now\" after \"health off\"; allowed: admin, ike, tunnel" },
		{ "conn set c1 health off health off", "\"health\" given twice (one tunnel per command)" },
		{ "conn set c1 tunnel xfrm1 admin up", "\"tunnel xfrm1\" needs something to change: ike up|down, dev DEV (tunnel 1|2), or [tunnel DEV] health dst IP src IP" },
		{ "conn set c1 tunnel xfrm1", "\"tunnel xfrm1\" needs something to change" },
		{ "conn set c1 tunnel 2", "\"tunnel 2\" needs something to change: ike up|down, dev DEV" },
		{ "conn set c1 tunnel 3 ike up", "tunnel position must be 1..2 (or a device name), not \"3\"" },
		{ "conn set c1 tunnel 0 ike up", "tunnel position must be 1..2 (or a device name), not \"0\"" },
		{ "conn set c1 dev xfrm2", "\"dev xfrm2\" rebinds a tunnel named by its position: tunnel 1|2 dev DEV" },
		{ "conn set c1 tunnel xfrm1 dev xfrm2", "\"dev xfrm2\" rebinds a tunnel named by its position" },
		{ "conn set c1 tunnel 1 dev nosuch0", "device \"nosuch0\" does not exist" },
		{ "conn set c1 tunnel 1 dev xfrm1 dev xfrm2", "\"dev\" given twice (one tunnel per command)" },
		{ "conn set c1 tunnel 1 dev", "missing value after \"dev\"" },
		{ "conn set c1 tunnel 2 ike up ike down", "\"ike\" given twice" },
		{ "conn set c1 tunnel 2 ike on", "ike must be up or down, not \"on\"" },
		{ "conn set c1 tunnel 1 tunnel 2 ike up", "\"tunnel\" given twice (one tunnel per command)" },
		{ "conn set c1 health off dst 1.2.3.4 dev xfrm1", "\"health off\" takes no other health setting, got \"dst\"" },
		{ "conn set c1 tunnel xfrm1 tunnel xfrm2 health off", "\"tunnel\" given twice (one tunnel per command)" },
		{ "conn set c1 tunnel xfrm9 health off", "device \"xfrm9\" does not exist" },
		{ "conn set c1 tunnel", "missing value after \"tunnel\"" },
		{ "conn set c1 dst 1.2.3.4 src 5.6.7.8", "\"dst\" is a setting of health: [tunnel DEV] health dst IP src IP" },
		{ "conn set c1 interval 3s", "\"interval\" is a setting of health" },
		{ "conn del c1 c2", "\"conn del c1\" takes no more arguments, got \"c2\"" },
		{ "conn show c1 c2", "unknown keyword \"c2\" after \"conn show\"" },
		{ "conn show gateway nosuch0", "device \"nosuch0\" does not exist" },
		{ "monitor now", "\"monitor\" takes no arguments, got \"now\"" },
		{ "family list", "unknown command \"family list\"; allowed: family show" },
	};
	struct vpnrtctl c;
	struct fake f;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;

		fake_init(&c, &f);
		rc = run_line(&c, bad[i].line);
		TAP_CHECK(rc == -1 && strstr(c.err, bad[i].msg) && f.n_sent == 0,
			  "rejected: %s -> %s", bad[i].line, c.err);
		fake_fini(&c, &f);
	}
}

static void test_kernel_error(void)
{
	struct vpnrtctl c;
	struct fake f;
	int rc;

	fake_init(&c, &f);
	f.fail_at = 0;
	f.fail_msg = "tunnel xfrm1 is already used by conn c0";
	rc = run_line(&c, "conn add c1 gateway vpngw0 tunnel xfrm1");
	TAP_CHECK(rc == -1 && c.err_kernel && !strcmp(c.err, f.fail_msg),
		  "a kernel error is reported verbatim: %s", c.err);
	fake_fini(&c, &f);
}

int main(void)
{
	test_gateway();
	test_conn();
	test_conn_set_health();
	test_conn_set_tunnel();
	test_rejections();
	test_kernel_error();
	return tap_done();
}
