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

		if (type == VPNRT_A_GW_ECMP_HASH)
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
				     VPNRT_A_GW_MAX_ROUTES, 16777217), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg,
			   "max-routes 16777217 out of range 0..16777216");
	nlt_settings(test, c, &now);
	KUNIT_EXPECT_EQ(test, now.max_routes, routes0);
	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_SET, 1,
				     VPNRT_A_GW_MAX_ROUTES, 16777216), 0);
	nlt_settings(test, c, &now);
	KUNIT_EXPECT_EQ(test, now.max_routes, 16777216u);

	/* max-paths alone, both ends */
	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_SET, 1,
				     VPNRT_A_GW_MAX_PATHS, 17), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "max-paths 17 out of range 1..16");
	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_SET, 1,
				     VPNRT_A_GW_MAX_PATHS, 0), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "max-paths 0 out of range 1..16");

	/* ecmp-hash alone */
	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_SET, 1,
				     VPNRT_A_GW_ECMP_HASH, 2), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "ecmp-hash: allowed 0 (l4), 1 (l3)");

	/* a good setting with a bad one: nothing changes */
	KUNIT_EXPECT_EQ(test, GW_REQ(VPNRT_CMD_GW_SET, 3,
				     VPNRT_A_GW_MAX_PATHS, 4,
				     VPNRT_A_GW_MAX_ROUTES, 10,
				     VPNRT_A_GW_MAX_CONNS, 0), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ans.msg, "max-conns 0 out of range 1..4096");
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
	KUNIT_EXPECT_TRUE(test, conn_name_ok("dc1-primary_2.a"));
	KUNIT_EXPECT_FALSE(test, conn_name_ok(""));
	KUNIT_EXPECT_FALSE(test, conn_name_ok("bad/name"));
	KUNIT_EXPECT_FALSE(test, conn_name_ok("has space"));
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
	KUNIT_EXPECT_EQ(test, gw_validate(tb, gw, &ext), -EBUSY);
	KUNIT_EXPECT_STREQ(test, ext._msg, "max-conns 2 is below the 3 in use");
	KUNIT_EXPECT_EQ(test, gw_validate(tb, NULL, &ext), 0);
	tb[VPNRT_A_GW_MAX_CONNS] = NULL;
	tb[VPNRT_A_GW_MAX_ROUTES] = nla_find_nested(n, VPNRT_A_GW_MAX_ROUTES);
	KUNIT_EXPECT_EQ(test, gw_validate(tb, gw, &ext), -EBUSY);
	KUNIT_EXPECT_STREQ(test, ext._msg, "max-routes 9 is below the 10 in use");
	kfree_skb(skb);
}

static struct kunit_case vpnrt_netlink_cases[] = {
	KUNIT_CASE(request_gateway_settings),
	KUNIT_CASE(request_policies),
	KUNIT_CASE(request_permissions),
	KUNIT_CASE(conn_names),
	KUNIT_CASE(quota_below_use),
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
