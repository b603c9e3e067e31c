// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the generic netlink family through its real request
 * path, built into netlink.c with --kunit only: requests go out of a
 * netlink socket of the test's own, as a user's would, through the genl
 * core (the family's policies as registered, strict validation, the
 * permission flags of each op) to the handlers, and the answers (replies,
 * dump parts, the error and its extack message) are read back from the
 * socket. On 6.1 suites run before the module's init, so the suite runs
 * the module's setup itself for its duration.
 */
#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/net.h>

#define NLT_GW		"vpkunit0"
#define NLT_BUF		16384

/*
 * A netlink socket of the test. An unprivileged one is opened and used
 * with @creds, which lack CAP_NET_ADMIN: a request sent to an address is
 * judged by the sender's credentials, not the socket's opener's.
 */
struct nlt {
	struct socket *sock;
	struct file *file;
	struct cred *creds;
	u32 seq;
	void *buf;
};

/* what came back for one request */
struct nlt_answer {
	int err;			/* of NLMSG_ERROR or NLMSG_DONE */
	bool acked;			/* NLMSG_ERROR or NLMSG_DONE seen */
	unsigned int n_replies;		/* messages of the family */
	unsigned int n_ours;		/* replies naming NLT_GW */
	u32 max_routes, max_paths;	/* of NLT_GW's last reply */
	u8 ecmp_hash;
	u32 stale_count;		/* COUNT of a ROUTE_STALE/SWEEP reply */
	bool stale_reply;
	char msg[VPNRT_ERRLEN];		/* extack message, "" if none */
};

static bool nlt_started;	/* the suite ran the module's setup */

static int nlt_suite_init(struct kunit_suite *suite)
{
	int err = 0;

	if (THIS_MODULE->state == MODULE_STATE_COMING) {
		err = vpnrt_module_start();
		nlt_started = !err;
	}
	return err;
}

static void nlt_suite_exit(struct kunit_suite *suite)
{
	if (nlt_started)
		vpnrt_module_stop();
	nlt_started = false;
}

/* open a netlink socket; without CAP_NET_ADMIN if @unprivileged */
static struct nlt *nlt_open(struct kunit *test, bool unprivileged)
{
	const struct cred *old = NULL;
	struct nlt *c;
	int one = 1, err;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->buf = kunit_kzalloc(test, NLT_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->buf);
	if (unprivileged) {
		c->creds = prepare_creds();
		KUNIT_ASSERT_NOT_NULL(test, c->creds);
		cap_lower(c->creds->cap_effective, CAP_NET_ADMIN);
		old = override_creds(c->creds);
	}
	err = sock_create_kern(&init_net, AF_NETLINK, SOCK_RAW,
			       NETLINK_GENERIC, &c->sock);
	if (!err) {
		/* a file, for the permission checks on the sender's file */
		c->file = sock_alloc_file(c->sock, 0, NULL);
		if (IS_ERR(c->file)) {
			err = PTR_ERR(c->file);	/* the socket is released */
			c->file = NULL;
		}
	}
	if (unprivileged)
		revert_creds(old);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = c->sock->ops->setsockopt(c->sock, SOL_NETLINK, NETLINK_EXT_ACK,
				       KERNEL_SOCKPTR(&one), sizeof(one));
	KUNIT_EXPECT_EQ(test, err, 0);
	return c;
}

static void nlt_close(struct nlt *c)
{
	if (c && c->file)
		fput(c->file);
	if (c && c->creds)
		put_cred(c->creds);
}

/* a request of @cmd to be filled in; its attributes follow */
static struct sk_buff *nlt_msg(struct kunit *test, struct nlt *c, u8 cmd,
			       u16 flags)
{
	struct sk_buff *skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_NOT_NULL(test, genlmsg_put(skb, 0, ++c->seq, &vpnrt_family,
						NLM_F_REQUEST | NLM_F_ACK | flags,
						cmd));
	return skb;
}

/* what the gateway nest @a of a reply says about NLT_GW */
static void nlt_gw_reply(const struct nlattr *gwa, struct nlt_answer *ans)
{
	const struct nlattr *a;

	a = nla_find_nested(gwa, VPNRT_A_GW_IFNAME);
	if (!a || strcmp(nla_data(a), NLT_GW))
		return;
	ans->n_ours++;
	a = nla_find_nested(gwa, VPNRT_A_GW_MAX_ROUTES);
	ans->max_routes = a ? nla_get_u32(a) : 0;
	a = nla_find_nested(gwa, VPNRT_A_GW_MAX_PATHS);
	ans->max_paths = a ? nla_get_u32(a) : 0;
	a = nla_find_nested(gwa, VPNRT_A_GW_ECMP_HASH);
	ans->ecmp_hash = a ? nla_get_u8(a) : 0xff;
}

/* the extack message of an NLMSG_ERROR or NLMSG_DONE @nlh, if any */
static void nlt_extack(const struct nlmsghdr *nlh, struct nlt_answer *ans)
{
	const struct nlmsgerr *e = nlmsg_data(nlh);
	unsigned int hlen = sizeof(*e);
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (nlh->nlmsg_type == NLMSG_DONE)
		hlen = sizeof(int);
	else if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hlen += nlmsg_len(&e->msg);
	if (nlmsg_len(nlh) < hlen)
		return;
	a = nla_find(nlmsg_data(nlh) + hlen, nlmsg_len(nlh) - hlen,
		     NLMSGERR_ATTR_MSG);
	if (a)
		nla_strscpy(ans->msg, a, sizeof(ans->msg));
}

/*
 * Send @skb (consumed) and read every answer until its ack, or for a
 * dump its NLMSG_DONE. The error is returned and in @ans.
 */
static int nlt_xfer(struct kunit *test, struct nlt *c, struct sk_buff *skb,
		    struct nlt_answer *ans)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct msghdr m = { .msg_name = &kernel,
			    .msg_namelen = sizeof(kernel) };
	const struct cred *old = NULL;
	struct kvec v;
	int len, rounds = 0;

	memset(ans, 0, sizeof(*ans));
	nlmsg_end(skb, nlmsg_hdr(skb));
	v.iov_base = skb->data;
	v.iov_len = skb->len;
	if (c->creds)
		old = override_creds(c->creds);
	len = kernel_sendmsg(c->sock, &m, &v, 1, skb->len);
	if (c->creds)
		revert_creds(old);
	kfree_skb(skb);
	KUNIT_ASSERT_GT(test, len, 0);

	while (!ans->acked) {
		struct msghdr rm = { .msg_flags = MSG_DONTWAIT };
		struct nlmsghdr *nlh;

		v.iov_base = c->buf;
		v.iov_len = NLT_BUF;
		len = kernel_recvmsg(c->sock, &rm, &v, 1, NLT_BUF, MSG_DONTWAIT);
		KUNIT_ASSERT_GT_MSG(test, len, 0, "no ack after %d messages",
				    ans->n_replies);
		KUNIT_ASSERT_LT(test, ++rounds, 1000);
		for (nlh = c->buf; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
			KUNIT_ASSERT_EQ(test, nlh->nlmsg_seq, c->seq);
			if (nlh->nlmsg_type == NLMSG_ERROR ||
			    nlh->nlmsg_type == NLMSG_DONE) {
				ans->err = *(int *)nlmsg_data(nlh);
				ans->acked = true;
				nlt_extack(nlh, ans);
				break;
			}
			KUNIT_ASSERT_EQ(test, nlh->nlmsg_type, vpnrt_family.id);
			ans->n_replies++;
			if (nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN) {
				const struct nlattr *gwa;

				gwa = nla_find(genlmsg_data(nlmsg_data(nlh)),
					       genlmsg_len(nlmsg_data(nlh)),
					       VPNRT_A_GW);
				if (gwa)
					nlt_gw_reply(gwa, ans);
				gwa = nla_find(genlmsg_data(nlmsg_data(nlh)),
					       genlmsg_len(nlmsg_data(nlh)),
					       VPNRT_A_STALE);
				gwa = gwa ? nla_find_nested(gwa, VPNRT_A_STALE_COUNT) : NULL;
				if (gwa) {
					ans->stale_reply = true;
					ans->stale_count = nla_get_u32(gwa);
				}
			}
		}
	}
	return ans->err;
}

/* a request whose one gateway nest holds NLT_GW's name and @n u32s */
static int nlt_gw(struct kunit *test, struct nlt *c, u8 cmd, u16 flags,
		  struct nlt_answer *ans, unsigned int n, ...)
{
	struct sk_buff *skb = nlt_msg(test, c, cmd, flags);
	struct nlattr *nest = nla_nest_start(skb, VPNRT_A_GW);
	va_list ap;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, nest);
	if (!(flags & NLM_F_DUMP))
		KUNIT_ASSERT_EQ(test, nla_put_string(skb, VPNRT_A_GW_IFNAME, NLT_GW), 0);
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		int type = va_arg(ap, int);
		u32 v = va_arg(ap, u32);

		if (type == VPNRT_A_GW_ECMP_HASH || type == VPNRT_A_GW_RP_CHECK)
			KUNIT_EXPECT_EQ(test, nla_put_u8(skb, type, v), 0);
		else
			KUNIT_EXPECT_EQ(test, nla_put_u32(skb, type, v), 0);
	}
	va_end(ap);
	nla_nest_end(skb, nest);
	return nlt_xfer(test, c, skb, ans);
}

#define GW_REQ(cmd, ...) nlt_gw(test, c, cmd, 0, &ans, __VA_ARGS__)

static int nlt_init(struct kunit *test)
{
	test->priv = nlt_open(test, false);
	return 0;
}

/* whatever a failed case left behind goes */
static void nlt_exit(struct kunit *test)
{
	struct net_device *dev;

	nlt_close(test->priv);
	rtnl_lock();
	dev = __dev_get_by_name(&init_net, NLT_GW);
	if (dev && vpnrt_is_gw(dev))
		unregister_netdevice(dev);
	rtnl_unlock();
}

/* the settings of NLT_GW, as GW_GET reports them */
static void nlt_settings(struct kunit *test, struct nlt *c,
			 struct nlt_answer *ans)
{
	KUNIT_ASSERT_EQ(test, nlt_gw(test, c, VPNRT_CMD_GW_GET, 0, ans, 0), 0);
	KUNIT_ASSERT_EQ(test, ans->n_ours, 1u);
}

/*
 * Gateway requests: creation, settings checked value by value (each
 * range alone, with its message), a refused request changing nothing,
 * GET and a dump, deletion.
 */
static void request_gateway_settings(struct kunit *test)
{
	struct nlt *c = test->priv;
	struct nlt_answer ans, now;
	u32 routes0;

	KUNIT_ASSERT_EQ(test, GW_REQ(VPNRT_CMD_GW_NEW, 0), 0);
	KUNIT_EXPECT_STREQ(test, ans.msg, "");
	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_NEW, 0), -EEXIST);
	nlt_settings(test, c, &now);
	routes0 = now.max_routes;
	KUNIT_EXPECT_NE(test, routes0, 16777216u);

	/* max-routes alone: one over the limit, then the limit */
	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_SET, 1,
				     VPNRT_A_GW_MAX_ROUTES, 16777217), -ERANGE);
	KUNIT_EXPECT_STREQ(test, ans.msg, "integer out of range");
	nlt_settings(test, c, &now);
	KUNIT_EXPECT_EQ(test, now.max_routes, routes0);
	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_SET, 1,
				     VPNRT_A_GW_MAX_ROUTES, 16777216), 0);
	nlt_settings(test, c, &now);
	KUNIT_EXPECT_EQ(test, now.max_routes, 16777216u);

	/* max-paths alone, both ends */
	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_SET, 1,
				     VPNRT_A_GW_MAX_PATHS, 17), -ERANGE);
	KUNIT_EXPECT_STREQ(test, ans.msg, "integer out of range");
	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_SET, 1,
				     VPNRT_A_GW_MAX_PATHS, 0), -ERANGE);
	KUNIT_EXPECT_STREQ(test, ans.msg, "integer out of range");

	/* ecmp-hash alone */
	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_SET, 1,
				     VPNRT_A_GW_ECMP_HASH, 2), -ERANGE);
	KUNIT_EXPECT_STREQ(test, ans.msg, "integer out of range");

	/* rp-check: its range is the policy's */
	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_SET, 1,
				     VPNRT_A_GW_RP_CHECK, VPNRT_RP_CHECK_LOOSE + 1),
			-ERANGE);
	KUNIT_EXPECT_STREQ(test, ans.msg, "integer out of range");
	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_SET, 1,
				     VPNRT_A_GW_RP_CHECK, VPNRT_RP_CHECK_LOOSE), 0);
	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_SET, 1,
				     VPNRT_A_GW_RP_CHECK, VPNRT_RP_CHECK_OFF), 0);

	/* a good setting with a bad one: nothing changes */
	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_SET, 3,
				     VPNRT_A_GW_MAX_PATHS, 4,
				     VPNRT_A_GW_MAX_ROUTES, 10,
				     VPNRT_A_GW_MAX_CONNS, 0), -ERANGE);
	KUNIT_EXPECT_STREQ(test, ans.msg, "integer out of range");
	nlt_settings(test, c, &now);
	KUNIT_EXPECT_NE(test, now.max_paths, 4u);
	KUNIT_EXPECT_EQ(test, now.max_routes, 16777216u);

	/* valid values apply */
	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_SET, 3,
				     VPNRT_A_GW_ECMP_HASH, VPNRT_HASH_L3,
				     VPNRT_A_GW_MAX_PATHS, 4,
				     VPNRT_A_GW_MAX_ROUTES, 10), 0);
	nlt_settings(test, c, &now);
	KUNIT_EXPECT_EQ(test, now.ecmp_hash, VPNRT_HASH_L3);
	KUNIT_EXPECT_EQ(test, now.max_paths, 4u);
	KUNIT_EXPECT_EQ(test, now.max_routes, 10u);

	/* a dump lists it, once */
	KUNIT_EXPECT_EQ(test, nlt_gw(test, c, VPNRT_CMD_GW_GET, NLM_F_DUMP, &ans, 0), 0);
	KUNIT_EXPECT_EQ(test, ans.n_ours, 1u);
	KUNIT_EXPECT_GE(test, ans.n_replies, 1u);
	KUNIT_EXPECT_EQ(test, ans.max_routes, 10u);

	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_DEL, 0), 0);
	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_GET, 0), -ENODEV);
	KUNIT_EXPECT_STREQ(test, ans.msg, "gateway: no such device in this netns");
}

/* a request of one route element: IPv4 and the attribute @type */
static int nlt_route(struct kunit *test, struct nlt *c, u8 cmd, u16 flags,
		     int type, const void *data, int len, struct nlt_answer *ans)
{
	struct sk_buff *skb = nlt_msg(test, c, cmd, flags);
	struct nlattr *arr, *el;

	arr = nla_nest_start(skb, VPNRT_A_ROUTES);
	KUNIT_ASSERT_NOT_NULL(test, arr);
	el = nla_nest_start(skb, 1);
	KUNIT_ASSERT_NOT_NULL(test, el);
	KUNIT_ASSERT_EQ(test, nla_put_u16(skb, VPNRT_A_ROUTE_FAMILY, AF_INET), 0);
	KUNIT_ASSERT_EQ(test, nla_put(skb, type, len, data), 0);
	nla_nest_end(skb, el);
	nla_nest_end(skb, arr);
	return nlt_xfer(test, c, skb, ans);
}

/*
 * The family's policies as the genl core applies them to requests and
 * dump requests: each refusal with its errno and message.
 */
static void request_policies(struct kunit *test)
{
	static const char long_name[] = "a-connection-name-of-forty-characters-xx";
	struct nlt *c = test->priv;
	struct nlt_answer ans;
	struct sk_buff *skb;
	struct nlattr *nest;
	u8 addr[17] = {};
	u8 one = 1;
	u32 v = 1;

	/* an address longer than 16 bytes */
	KUNIT_EXPECT_EQ(test, nlt_route(test, c, VPNRT_CMD_ROUTE_NEW, 0,
					VPNRT_A_ROUTE_DST, addr, 17, &ans), -ERANGE);
	KUNIT_EXPECT_STREQ(test, ans.msg, "Attribute failed policy validation");
	/* what the kernel reports cannot be set, and says why */
	KUNIT_EXPECT_EQ(test, nlt_route(test, c, VPNRT_CMD_ROUTE_NEW, 0,
					VPNRT_A_ROUTE_USABLE, &one, 1, &ans), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "attribute is read-only");
	/* unknown attributes: strict validation */
	KUNIT_EXPECT_EQ(test, nlt_route(test, c, VPNRT_CMD_ROUTE_NEW, 0,
					VPNRT_A_ROUTE_MAX + 1, &v, 4, &ans), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "Unknown attribute type");
	/* a connection name over the limit */
	KUNIT_EXPECT_EQ(test, nlt_route(test, c, VPNRT_CMD_ROUTE_NEW, 0,
					VPNRT_A_ROUTE_CONN, long_name,
					sizeof(long_name), &ans), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "Attribute failed policy validation");
	/* a u32 of two bytes: strict attribute lengths */
	KUNIT_EXPECT_EQ(test, nlt_route(test, c, VPNRT_CMD_ROUTE_NEW, 0,
					VPNRT_A_ROUTE_PREF, &v, 2, &ans), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "invalid attribute length");

	/* a nest not flagged as one */
	skb = nlt_msg(test, c, VPNRT_CMD_GW_NEW, 0);
	nest = nla_nest_start_noflag(skb, VPNRT_A_GW);
	KUNIT_ASSERT_NOT_NULL(test, nest);
	KUNIT_ASSERT_EQ(test, nla_put_string(skb, VPNRT_A_GW_IFNAME, NLT_GW), 0);
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_EQ(test, nlt_xfer(test, c, skb, &ans), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "NLA_F_NESTED is missing");

	/* an unknown attribute at the top */
	skb = nlt_msg(test, c, VPNRT_CMD_GW_GET, 0);
	KUNIT_ASSERT_EQ(test, nla_put_u32(skb, VPNRT_A_MAX + 1, 1), 0);
	KUNIT_EXPECT_EQ(test, nlt_xfer(test, c, skb, &ans), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "Unknown attribute type");

	/* dump requests are validated as strictly */
	KUNIT_EXPECT_EQ(test, nlt_gw(test, c, VPNRT_CMD_GW_GET, NLM_F_DUMP, &ans,
				     1, VPNRT_A_GW_N_CONNS, 1), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "attribute is read-only");
	KUNIT_EXPECT_EQ(test, ans.n_replies, 0u);
	KUNIT_EXPECT_EQ(test, nlt_route(test, c, VPNRT_CMD_ROUTE_GET, NLM_F_DUMP,
					VPNRT_A_ROUTE_DST, addr, 17, &ans), -ERANGE);
	skb = nlt_msg(test, c, VPNRT_CMD_CONN_GET, NLM_F_DUMP);
	KUNIT_ASSERT_EQ(test, nla_put_u32(skb, VPNRT_A_MAX + 1, 1), 0);
	KUNIT_EXPECT_EQ(test, nlt_xfer(test, c, skb, &ans), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "Unknown attribute type");
	/* a good dump request: done, no error */
	KUNIT_EXPECT_EQ(test, nlt_route(test, c, VPNRT_CMD_ROUTE_GET, NLM_F_DUMP,
					VPNRT_A_ROUTE_PROTO, &one, 1, &ans), 0);
	KUNIT_EXPECT_TRUE(test, ans.acked);

	/* route get is a dump only; a request needs its nest */
	skb = nlt_msg(test, c, VPNRT_CMD_ROUTE_GET, 0);
	KUNIT_EXPECT_EQ(test, nlt_xfer(test, c, skb, &ans), -EOPNOTSUPP);
	skb = nlt_msg(test, c, VPNRT_CMD_GW_SET, 0);
	KUNIT_EXPECT_EQ(test, nlt_xfer(test, c, skb, &ans), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "gateway attributes missing");
}

/* changes need CAP_NET_ADMIN over the netns; reading does not */
static void request_permissions(struct kunit *test)
{
	struct nlt *user = nlt_open(test, true);
	struct nlt *c = test->priv;
	struct nlt_answer ans;
	static const u8 cmds[] = {
		VPNRT_CMD_GW_NEW, VPNRT_CMD_GW_SET, VPNRT_CMD_GW_DEL,
		VPNRT_CMD_CONN_NEW, VPNRT_CMD_CONN_SET, VPNRT_CMD_CONN_DEL,
		VPNRT_CMD_ROUTE_NEW, VPNRT_CMD_ROUTE_DEL,
		VPNRT_CMD_ROUTE_STALE, VPNRT_CMD_ROUTE_SWEEP,
		VPNRT_CMD_ROUTE_LOOKUP,
	};
	unsigned int i;

	KUNIT_ASSERT_EQ(test, GW_REQ(VPNRT_CMD_GW_NEW, 0), 0);
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		KUNIT_EXPECT_EQ_MSG(test, nlt_xfer(test, user,
						   nlt_msg(test, user, cmds[i], 0),
						   &ans), -EPERM,
				    "command %u", cmds[i]);
	KUNIT_EXPECT_EQ(test, nlt_gw(test, user, VPNRT_CMD_GW_GET, 0, &ans, 0), 0);
	KUNIT_EXPECT_EQ(test, ans.n_ours, 1u);
	KUNIT_EXPECT_EQ(test, nlt_gw(test, user, VPNRT_CMD_GW_GET, NLM_F_DUMP,
				     &ans, 0), 0);
	KUNIT_EXPECT_EQ(test, ans.n_ours, 1u);
	nlt_close(user);
	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_DEL, 0), 0);
}

static void conn_names(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, vpnrt_nl_conn_name_ok("dc1-primary_2.a"));
	KUNIT_EXPECT_FALSE(test, vpnrt_nl_conn_name_ok(""));
	KUNIT_EXPECT_FALSE(test, vpnrt_nl_conn_name_ok("bad/name"));
	KUNIT_EXPECT_FALSE(test, vpnrt_nl_conn_name_ok("has space"));
}

/* a quota cannot go below what is in use (no tunnels needed here) */
static void quota_below_use(struct kunit *test)
{
	struct nlattr *tb[VPNRT_A_GW_MAX + 1] = {};
	struct netlink_ext_ack ext = {};
	struct vpnrt_gw *gw;
	struct sk_buff *skb;
	struct nlattr *n;

	gw = kunit_kzalloc(test, sizeof(*gw), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, gw);
	INIT_LIST_HEAD(&gw->conns);
	gw->n_conns = 3;
	gw->n_static = 10;
	skb = alloc_skb(512, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	n = nla_nest_start(skb, VPNRT_A_GW);
	if (!n || nla_put_u32(skb, VPNRT_A_GW_MAX_CONNS, 2) ||
	    nla_put_u32(skb, VPNRT_A_GW_MAX_ROUTES, 9)) {
		kfree_skb(skb);
		KUNIT_FAIL(test, "no room");
		return;
	}
	nla_nest_end(skb, n);
	tb[VPNRT_A_GW_MAX_CONNS] = nla_find_nested(n, VPNRT_A_GW_MAX_CONNS);
	KUNIT_EXPECT_EQ(test, vpnrt_nl_gw_validate(tb, gw, &ext), -EBUSY);
	KUNIT_EXPECT_STREQ(test, ext._msg, "max-conns 2 is below the 3 in use");
	KUNIT_EXPECT_EQ(test, vpnrt_nl_gw_validate(tb, NULL, &ext), 0);
	tb[VPNRT_A_GW_MAX_CONNS] = NULL;
	tb[VPNRT_A_GW_MAX_ROUTES] = nla_find_nested(n, VPNRT_A_GW_MAX_ROUTES);
	KUNIT_EXPECT_EQ(test, vpnrt_nl_gw_validate(tb, gw, &ext), -EBUSY);
	KUNIT_EXPECT_STREQ(test, ext._msg, "max-routes 9 is below the 10 in use");
	kfree_skb(skb);
}

/* a connection without tunnels, @name, on NLT_GW, made first if @new_gw */
static struct vpnrt_conn *nlt_conn(struct kunit *test, struct nlt *c,
				   const char *name, bool new_gw)
{
	struct nlt_answer ans;
	struct net_device *dev;
	struct vpnrt_conn *conn;

	if (new_gw)
		KUNIT_ASSERT_EQ(test, nlt_gw(test, c, VPNRT_CMD_GW_NEW, 0, &ans, 0), 0);
	rtnl_lock();
	dev = __dev_get_by_name(&init_net, NLT_GW);
	conn = dev ? vpnrt_conn_create(netdev_priv(dev), name, 0, NULL, 0, NULL) :
		     ERR_PTR(-ENODEV);
	rtnl_unlock();
	KUNIT_ASSERT_FALSE(test, IS_ERR(conn));
	return conn;
}

static struct vpnrt_gw *nlt_gwp(void)
{
	return netdev_priv(__dev_get_by_name(&init_net, NLT_GW));
}

/* a route of a request: IPv4 @dst/8, static with @val as weight or bgp pref */
struct nlt_rt {
	u8 dst, proto, val;
};

/* ROUTE_NEW of @rt[0..n-1]; VPNRT_A_REPLACE if @replace; @flags to nlmsg */
static int nlt_routes(struct kunit *test, struct nlt *c, u16 flags,
		      bool replace, const char *conn, const struct nlt_rt *rt,
		      unsigned int n, struct nlt_answer *ans)
{
	struct sk_buff *skb = nlt_msg(test, c, VPNRT_CMD_ROUTE_NEW, flags);
	struct nlattr *arr, *el;
	unsigned int i;

	if (replace)
		KUNIT_ASSERT_EQ(test, nla_put_flag(skb, VPNRT_A_REPLACE), 0);
	arr = nla_nest_start(skb, VPNRT_A_ROUTES);
	KUNIT_ASSERT_NOT_NULL(test, arr);
	for (i = 0; i < n; i++) {
		__be32 dst = htonl(rt[i].dst << 24);

		el = nla_nest_start(skb, i + 1);
		KUNIT_ASSERT_NOT_NULL(test, el);
		KUNIT_ASSERT_EQ(test, nla_put_u16(skb, VPNRT_A_ROUTE_FAMILY, AF_INET) ||
				nla_put(skb, VPNRT_A_ROUTE_DST, 4, &dst) ||
				nla_put_u8(skb, VPNRT_A_ROUTE_DST_LEN, 8) ||
				nla_put_u8(skb, VPNRT_A_ROUTE_PROTO, rt[i].proto) ||
				nla_put_string(skb, VPNRT_A_ROUTE_CONN, conn) ||
				(rt[i].proto == VPNRT_PROTO_BGP ?
				 nla_put_u32(skb, VPNRT_A_ROUTE_PREF, rt[i].val) :
				 nla_put_u8(skb, VPNRT_A_ROUTE_WEIGHT, rt[i].val)), 0);
		nla_nest_end(skb, el);
	}
	nla_nest_end(skb, arr);
	return nlt_xfer(test, c, skb, ans);
}

/* the route @dst/8 of @conn, under RTNL */
static struct vpnrt_route *nlt_find(struct vpnrt_conn *conn, u8 dst, u8 proto)
{
	struct vpnrt_route_spec s = {
		.family = AF_INET, .dst_len = 8, .proto = proto, .conn = conn,
	};
	struct vpnrt_route *r;

	s.dst.ip = htonl((u32)dst << 24);
	rtnl_lock();
	r = vpnrt_route_find(&s);
	rtnl_unlock();
	return r;
}

#define NLT_STATIC	VPNRT_PROTO_STATIC
#define NLT_BGP		VPNRT_PROTO_BGP

/*
 * ROUTE_NEW with VPNRT_A_REPLACE through the request path: without it an
 * existing route is refused, with it the values change and new routes
 * are added; a batch failing at its last element changes nothing.
 * NLM_F_REPLACE itself is refused by the genl core, as documented.
 */
static void request_replace(struct kunit *test)
{
	static const struct nlt_rt first[] = {
		{ 10, NLT_STATIC, 100 }, { 11, NLT_BGP, 5 },
	};
	static const struct nlt_rt again[] = { { 10, NLT_STATIC, 0 } };
	static const struct nlt_rt repl[] = {
		{ 10, NLT_STATIC, 0 }, { 12, NLT_STATIC, 100 },
	};
	static const struct nlt_rt bad[] = {
		{ 10, NLT_STATIC, 100 }, { 13, NLT_STATIC, 100 },
		{ 11, NLT_BGP, 6 }, { 12, NLT_STATIC, 50 },
	};
	struct nlt *c = test->priv;
	struct vpnrt_conn *conn = nlt_conn(test, c, "k1", true);
	struct nlt_answer ans;
	struct vpnrt_route *r;

	KUNIT_EXPECT_EQ(test, nlt_routes(test, c, 0, false, "k1", first, 2, &ans), 0);
	KUNIT_EXPECT_EQ(test, nlt_routes(test, c, 0, false, "k1", again, 1, &ans), -EEXIST);
	KUNIT_EXPECT_STREQ(test, ans.msg, "route 1: route exists");
	KUNIT_EXPECT_EQ(test, nlt_routes(test, c, NLM_F_REPLACE, false, "k1", again, 1, &ans),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "ambiguous or reserved bits set in nlmsg_flags");
	KUNIT_EXPECT_EQ_MSG(test, nlt_routes(test, c, 0, true, "k1", repl, 2, &ans),
			    0, "%s", ans.msg);
	r = nlt_find(conn, 10, NLT_STATIC);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->weight, 0);
	KUNIT_EXPECT_NOT_NULL(test, nlt_find(conn, 12, NLT_STATIC));
	KUNIT_EXPECT_EQ(test, nlt_gwp()->n_static, 2u);
	KUNIT_EXPECT_EQ(test, nlt_routes(test, c, 0, true, "k1", bad, 4, &ans),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg,
			   "route 4: weight 50; allowed 100 (active), 0 (standby)");
	r = nlt_find(conn, 10, NLT_STATIC);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->weight, 0);
	r = nlt_find(conn, 11, NLT_BGP);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->pref, 5u);
	KUNIT_EXPECT_NULL(test, nlt_find(conn, 13, NLT_STATIC));
	KUNIT_EXPECT_EQ(test, nlt_gwp()->n_static, 2u);
	KUNIT_EXPECT_EQ(test, nlt_gwp()->n_bgp, 1u);
}

/* ROUTE_STALE / ROUTE_SWEEP with @n (attribute, value) pairs */
static int nlt_stale(struct kunit *test, struct nlt *c, u8 cmd,
		     struct nlt_answer *ans, unsigned int n, ...)
{
	struct sk_buff *skb = nlt_msg(test, c, cmd, 0);
	struct nlattr *nest = nla_nest_start(skb, VPNRT_A_STALE);
	unsigned int i;
	va_list ap;

	KUNIT_ASSERT_NOT_NULL(test, nest);
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		int type = va_arg(ap, int);
		u32 v = va_arg(ap, u32);

		if (type == VPNRT_A_STALE_PROTO)
			KUNIT_EXPECT_EQ(test, nla_put_u8(skb, type, v), 0);
		else
			KUNIT_EXPECT_EQ(test, nla_put_u32(skb, type, v), 0);
	}
	va_end(ap);
	nla_nest_end(skb, nest);
	return nlt_xfer(test, c, skb, ans);
}

#define STALE(cmd, ...) nlt_stale(test, c, VPNRT_CMD_ROUTE_##cmd, &ans, __VA_ARGS__)

#define S_GW		VPNRT_A_STALE_GW_IFINDEX
#define S_CONN_ID	VPNRT_A_STALE_CONN_ID
#define S_PROTO		VPNRT_A_STALE_PROTO
#define S_TIMEOUT	VPNRT_A_STALE_TIMEOUT
#define S_COUNT		VPNRT_A_STALE_COUNT

static bool nlt_stale_of(struct vpnrt_conn *conn, u8 dst)
{
	struct vpnrt_route *r = nlt_find(conn, dst, NLT_BGP);

	return r && r->stale;
}

/*
 * ROUTE_STALE and ROUTE_SWEEP through the request path: the count in the
 * reply, a refresh by a plain add, the sweep, the timed sweep, and its
 * cancellation by a sweep, by the deletion of its connection and of the
 * gateway (a sweep left pending there would run on freed memory, which
 * KASAN reports); each rejection with its message.
 */
static void request_stale_sweep(struct kunit *test)
{
	static const struct nlt_rt two[] = {
		{ 20, NLT_BGP, 5 }, { 21, NLT_BGP, 5 }, { 10, NLT_STATIC, 100 },
	};
	struct nlt *c = test->priv;
	struct vpnrt_conn *conn = nlt_conn(test, c, "k1", true);
	struct nlt_answer ans;
	u32 gwi, id = conn->id;
	struct sk_buff *skb;

	gwi = nlt_gwp()->dev->ifindex;
	KUNIT_ASSERT_EQ(test, nlt_routes(test, c, 0, false, "k1", two, 3, &ans), 0);
	KUNIT_EXPECT_EQ(test, STALE(STALE, 2, S_GW, gwi, S_PROTO, NLT_BGP), 0);
	KUNIT_EXPECT_TRUE(test, ans.stale_reply);
	KUNIT_EXPECT_EQ(test, ans.stale_count, 2u);
	KUNIT_EXPECT_TRUE(test, nlt_stale_of(conn, 20));
	KUNIT_EXPECT_FALSE(test, nlt_find(conn, 10, NLT_STATIC)->stale);
	/* refresh: the same route added again is accepted */
	KUNIT_EXPECT_EQ(test, nlt_routes(test, c, 0, false, "k1", two, 1, &ans), 0);
	KUNIT_EXPECT_FALSE(test, nlt_stale_of(conn, 20));
	KUNIT_EXPECT_TRUE(test, nlt_stale_of(conn, 21));
	KUNIT_EXPECT_EQ(test, STALE(SWEEP, 2, S_GW, gwi, S_PROTO, NLT_BGP), 0);
	KUNIT_EXPECT_EQ(test, ans.stale_count, 1u);
	KUNIT_EXPECT_NULL(test, nlt_find(conn, 21, NLT_BGP));
	KUNIT_EXPECT_NOT_NULL(test, nlt_find(conn, 20, NLT_BGP));

	/* the timed sweep */
	KUNIT_EXPECT_EQ(test, STALE(STALE, 2, S_GW, gwi, S_TIMEOUT, 1), 0);
	KUNIT_EXPECT_EQ(test, ans.stale_count, 2u);
	msleep(2500);
	KUNIT_EXPECT_NULL(test, nlt_find(conn, 20, NLT_BGP));
	KUNIT_EXPECT_NULL(test, nlt_find(conn, 10, NLT_STATIC));
	KUNIT_EXPECT_TRUE(test, list_empty(&nlt_gwp()->stale_timers));

	/* cancelled by a sweep: a later mark of a smaller scope stays */
	KUNIT_ASSERT_EQ(test, nlt_routes(test, c, 0, false, "k1", two, 2, &ans), 0);
	KUNIT_EXPECT_EQ(test, STALE(STALE, 3, S_GW, gwi, S_PROTO, NLT_BGP,
				    S_TIMEOUT, 1), 0);
	KUNIT_EXPECT_EQ(test, nlt_routes(test, c, 0, false, "k1", two, 2, &ans), 0);
	KUNIT_EXPECT_EQ(test, STALE(SWEEP, 2, S_GW, gwi, S_PROTO, NLT_BGP), 0);
	KUNIT_EXPECT_EQ(test, ans.stale_count, 0u);
	KUNIT_EXPECT_TRUE(test, list_empty(&nlt_gwp()->stale_timers));
	KUNIT_EXPECT_EQ(test, STALE(STALE, 2, S_GW, gwi, S_CONN_ID, id), 0);
	msleep(2000);
	KUNIT_EXPECT_TRUE(test, nlt_stale_of(conn, 20));
	KUNIT_EXPECT_TRUE(test, nlt_stale_of(conn, 21));

	/* the rejections */
	skb = nlt_msg(test, c, VPNRT_CMD_ROUTE_STALE, 0);
	KUNIT_EXPECT_EQ(test, nlt_xfer(test, c, skb, &ans), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "stale attributes missing");
	KUNIT_EXPECT_EQ(test, STALE(STALE, 1, S_PROTO, NLT_BGP), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "stale: gw-ifindex is required");
	KUNIT_EXPECT_EQ(test, STALE(SWEEP, 1, S_GW, 999999), -ENODEV);
	KUNIT_EXPECT_STREQ(test, ans.msg, "stale: no vpnrt gateway with ifindex 999999");
	KUNIT_EXPECT_EQ(test, STALE(STALE, 2, S_GW, gwi, S_PROTO, 4), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "stale: proto 4; allowed 1 static, 2 policy, 3 bgp");
	KUNIT_EXPECT_EQ(test, STALE(STALE, 2, S_GW, gwi, S_TIMEOUT, 86401), -ERANGE);
	KUNIT_EXPECT_STREQ(test, ans.msg, "integer out of range");
	KUNIT_EXPECT_EQ(test, STALE(SWEEP, 2, S_GW, gwi, S_TIMEOUT, 1), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "stale: timeout is for route-stale, not route-sweep");
	KUNIT_EXPECT_EQ(test, STALE(STALE, 2, S_GW, gwi, S_CONN_ID, 999999), -ENOENT);
	KUNIT_EXPECT_STREQ(test, ans.msg, "stale: no conn with id 999999");
	KUNIT_EXPECT_EQ(test, STALE(STALE, 2, S_GW, gwi, S_COUNT, 1), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "attribute is read-only");
	KUNIT_EXPECT_TRUE(test, list_empty(&nlt_gwp()->stale_timers));

	/* the connection goes with a timed sweep naming it: the sweep goes */
	KUNIT_EXPECT_EQ(test, STALE(STALE, 3, S_GW, gwi, S_CONN_ID, id,
				    S_TIMEOUT, 1), 0);
	KUNIT_EXPECT_FALSE(test, list_empty(&nlt_gwp()->stale_timers));
	rtnl_lock();
	vpnrt_conn_destroy(conn);
	rtnl_unlock();
	KUNIT_EXPECT_TRUE(test, list_empty(&nlt_gwp()->stale_timers));

	/* the gateway goes with a timed sweep pending */
	conn = nlt_conn(test, c, "k2", false);
	KUNIT_ASSERT_EQ(test, nlt_routes(test, c, 0, false, "k2", two, 2, &ans), 0);
	KUNIT_EXPECT_EQ(test, STALE(STALE, 2, S_GW, gwi, S_TIMEOUT, 1), 0);
	KUNIT_EXPECT_EQ(test, ans.stale_count, 2u);
	KUNIT_EXPECT_EQ(test, nlt_gw(test, c, VPNRT_CMD_GW_DEL, 0, &ans, 0), 0);
	msleep(1500);
}

/* the seqs of @conn's routes are increasing, in list order */
static bool nlt_seq_sorted(struct vpnrt_conn *conn)
{
	struct vpnrt_route *r, *prev = NULL;
	bool ok = true;

	rtnl_lock();
	list_for_each_entry(r, &conn->routes, conn_link) {
		if (prev && (s32)(r->seq - prev->seq) <= 0)
			ok = false;
		prev = r;
	}
	rtnl_unlock();
	return ok;
}

static struct vpnrt_route *nlt_resume(struct netlink_callback *cb,
				      struct vpnrt_nl_dump *st,
				      struct vpnrt_conn *conn)
{
	struct vpnrt_route *r;

	rtnl_lock();
	r = vpnrt_nl_route_resume(cb, st, conn);
	rtnl_unlock();
	return list_entry_is_head(r, &conn->routes, conn_link) ? NULL : r;
}

/*
 * A route dump resumes by key: at the route of its cursor, or if that
 * was deleted at the next one added after it; a replacement keeps the
 * place. Seqs renumbered (forced here) restart the conn, marked.
 */
static void dump_resume(struct kunit *test)
{
	static const struct nlt_rt rt[] = {
		{ 10, NLT_STATIC, 100 }, { 11, NLT_STATIC, 100 },
		{ 12, NLT_STATIC, 100 }, { 13, NLT_STATIC, 100 },
	};
	static const struct nlt_rt repl[] = { { 12, NLT_STATIC, 0 } };
	static const struct nlt_rt more[] = { { 20, NLT_STATIC, 100 } };
	struct nlt *c = test->priv;
	struct vpnrt_conn *conn = nlt_conn(test, c, "k3", true);
	struct netlink_callback *cb;
	struct vpnrt_route *r, *r11;
	struct vpnrt_nl_dump *st;
	struct nlt_answer ans;
	u32 epoch;

	cb = kunit_kzalloc(test, sizeof(*cb), GFP_KERNEL);
	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cb);
	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_ASSERT_EQ(test, nlt_routes(test, c, 0, false, "k3", rt, 4, &ans), 0);
	KUNIT_EXPECT_TRUE(test, nlt_seq_sorted(conn));

	r11 = nlt_find(conn, 11, NLT_STATIC);
	KUNIT_ASSERT_NOT_NULL(test, r11);
	rtnl_lock();
	vpnrt_nl_route_cursor_set(st, conn, r11);
	rtnl_unlock();
	KUNIT_EXPECT_PTR_EQ(test, nlt_resume(cb, st, conn), r11);

	/* the cursor's route deleted: the one added after it */
	rtnl_lock();
	vpnrt_route_del(r11);
	rtnl_unlock();
	r = nlt_resume(cb, st, conn);
	KUNIT_EXPECT_PTR_EQ(test, r, nlt_find(conn, 12, NLT_STATIC));

	/* route 12 replaced: the new one, at the same place */
	rtnl_lock();
	vpnrt_nl_route_cursor_set(st, conn, r);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, nlt_routes(test, c, 0, true, "k3", repl, 1, &ans), 0);
	r = nlt_resume(cb, st, conn);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_PTR_EQ(test, r, nlt_find(conn, 12, NLT_STATIC));
	KUNIT_EXPECT_EQ(test, r->weight, 0);
	KUNIT_EXPECT_TRUE(test, nlt_seq_sorted(conn));

	/* 12 deleted and added again: now last, the cursor goes on at 13 */
	rtnl_lock();
	vpnrt_route_del(r);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, nlt_routes(test, c, 0, false, "k3", repl, 1, &ans), 0);
	KUNIT_EXPECT_PTR_EQ(test, nlt_resume(cb, st, conn),
			    nlt_find(conn, 13, NLT_STATIC));

	/* the span of seqs about to reach 2^31: numbered again, from 1 */
	epoch = conn->route_epoch;
	rtnl_lock();
	conn->route_seq = list_first_entry(&conn->routes, struct vpnrt_route,
					   conn_link)->seq + S32_MAX;
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, nlt_routes(test, c, 0, false, "k3", more, 1, &ans), 0);
	KUNIT_EXPECT_EQ(test, conn->route_epoch, epoch + 1);
	KUNIT_EXPECT_EQ(test, list_first_entry(&conn->routes, struct vpnrt_route,
					       conn_link)->seq, 1u);
	KUNIT_EXPECT_TRUE(test, nlt_seq_sorted(conn));
	cb->seq = 7;
	KUNIT_EXPECT_PTR_EQ(test, nlt_resume(cb, st, conn),
			    list_first_entry(&conn->routes, struct vpnrt_route,
					     conn_link));
	KUNIT_EXPECT_NE(test, cb->seq, 7u);
}

static struct kunit_case vpnrt_netlink_cases[] = {
	KUNIT_CASE(request_gateway_settings),
	KUNIT_CASE(request_policies),
	KUNIT_CASE(request_permissions),
	KUNIT_CASE(conn_names),
	KUNIT_CASE(quota_below_use),
	KUNIT_CASE(request_replace),
	KUNIT_CASE(request_stale_sweep),
	KUNIT_CASE(dump_resume),
	{}
};

static struct kunit_suite vpnrt_netlink_suite = {
	.name = "vpnrt_netlink",
	.suite_init = nlt_suite_init,
	.suite_exit = nlt_suite_exit,
	.init = nlt_init,
	.exit = nlt_exit,
	.test_cases = vpnrt_netlink_cases,
};

kunit_test_suite(vpnrt_netlink_suite);
