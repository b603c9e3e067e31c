// SPDX-License-Identifier: GPL-2.0
/*
 * Extended ACK parsing on hand-built NLMSG_ERROR buffers, and the receive
 * loop (libnl's nl_recvmsgs with our callbacks) on canned datagrams.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "genl.h"
#include "tap.h"

#define SEQ 7

static size_t put_attr(unsigned char *p, uint16_t type, const void *data, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type };

	memcpy(p, &a, sizeof(a));
	memcpy(p + NLA_HDRLEN, data, len);
	memset(p + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	return NLA_HDRLEN + NLA_ALIGN(len);
}

/*
 * An NLMSG_ERROR for a request of orig_len payload bytes; the payload is
 * echoed unless capped; msg/offs as extack TLVs when given.
 */
static size_t put_err(unsigned char *buf, uint32_t seq, int error, bool capped,
		      size_t orig_len, const char *msg, uint32_t offs)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlmsgerr e = { .error = error };
	unsigned char *p = buf + NLMSG_HDRLEN;

	e.msg.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + orig_len);
	e.msg.nlmsg_type = 0x42;
	e.msg.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	e.msg.nlmsg_seq = seq;
	memcpy(p, &e, sizeof(e));
	p += sizeof(e);
	if (!capped) {
		memset(p, 0xab, orig_len);	/* the echoed request */
		p += NLMSG_ALIGN(orig_len);
	}
	if (msg)
		p += put_attr(p, NLMSGERR_ATTR_MSG, msg, strlen(msg) + 1);
	if (offs)
		p += put_attr(p, NLMSGERR_ATTR_OFFS, &offs, sizeof(offs));
	memset(nlh, 0, sizeof(*nlh));
	nlh->nlmsg_len = (uint32_t)(p - buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = seq;
	if (capped)
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	if (msg || offs)
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	return nlh->nlmsg_len;
}

/* a generic netlink data message (reply) with one u32 attribute */
static size_t put_reply(unsigned char *buf, uint32_t seq, uint16_t flags, uint32_t val)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct genlmsghdr g = { .cmd = 4, .version = 1 };

	memset(nlh, 0, sizeof(*nlh));
	memcpy(buf + NLMSG_HDRLEN, &g, sizeof(g));
	nlh->nlmsg_len = (uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN +
				    put_attr(buf + NLMSG_HDRLEN + GENL_HDRLEN, 1, &val, 4));
	nlh->nlmsg_type = 0x42;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	return nlh->nlmsg_len;
}

/* NLMSG_DONE with its int error and optionally an extack message */
static size_t put_done(unsigned char *buf, uint32_t seq, int error, uint16_t flags,
		       const char *msg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	unsigned char *p = buf + NLMSG_HDRLEN;

	memset(nlh, 0, sizeof(*nlh));
	memcpy(p, &error, sizeof(error));
	p += NLMSG_ALIGN(sizeof(error));
	if (msg) {
		p += put_attr(p, NLMSGERR_ATTR_MSG, msg, strlen(msg) + 1);
		flags |= NLM_F_ACK_TLVS;
	}
	nlh->nlmsg_len = (uint32_t)(p - buf);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | flags;
	nlh->nlmsg_seq = seq;
	return nlh->nlmsg_len;
}

static void test_parse(void)
{
	unsigned char buf[4096];
	char msg[256];
	uint32_t off;
	int err;

	put_err(buf, SEQ, -EINVAL, false, 100, "route 3: conn \"x\" not found", 44);
	err = vpnrt_extack_parse((struct nlmsghdr *)buf, msg, sizeof(msg), &off);
	TAP_CHECK(err == -EINVAL && off == 44, "uncapped: error and offset (%d, %u)", err, off);
	TAP_STREQ(msg, "route 3: conn \"x\" not found", "uncapped: the message after the echoed request");

	put_err(buf, SEQ, -EEXIST, true, 60000, "route exists", 0);
	err = vpnrt_extack_parse((struct nlmsghdr *)buf, msg, sizeof(msg), &off);
	TAP_CHECK(err == -EEXIST && off == 0, "capped: error, no offset");
	TAP_STREQ(msg, "route exists", "capped (NLM_F_CAPPED): the message right after the header");

	put_err(buf, SEQ, -EPERM, true, 20, NULL, 0);
	err = vpnrt_extack_parse((struct nlmsghdr *)buf, msg, sizeof(msg), &off);
	TAP_CHECK(err == -EPERM && msg[0] == '\0', "no NLM_F_ACK_TLVS: error only");

	put_err(buf, SEQ, 0, true, 20, NULL, 0);
	TAP_CHECK(vpnrt_extack_parse((struct nlmsghdr *)buf, msg, sizeof(msg), NULL) == 0,
		  "an ack is error 0");

	/* a range check of the kernel's policy: the range joins the message */
	{
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
		unsigned char nest[64], *q = nest;
		uint32_t type = NL_ATTR_TYPE_U32;
		uint64_t lo = 1, hi = 16;

		put_err(buf, SEQ, -EINVAL, true, 40, "integer out of range", 28);
		q += put_attr(q, NL_POLICY_TYPE_ATTR_TYPE, &type, sizeof(type));
		q += put_attr(q, NL_POLICY_TYPE_ATTR_MIN_VALUE_U, &lo, sizeof(lo));
		q += put_attr(q, NL_POLICY_TYPE_ATTR_MAX_VALUE_U, &hi, sizeof(hi));
		nlh->nlmsg_len += (uint32_t)put_attr(buf + nlh->nlmsg_len,
						     NLMSGERR_ATTR_POLICY, nest,
						     (size_t)(q - nest));
		err = vpnrt_extack_parse(nlh, msg, sizeof(msg), &off);
		TAP_CHECK(err == -EINVAL && off == 28, "policy range: error and offset");
		TAP_STREQ(msg, "integer out of range; allowed 1..16",
			  "policy range: NLMSGERR_ATTR_POLICY's range joins the message");
	}

	put_err(buf, SEQ, -EINVAL, true, 0, "a long message that will not fit", 0);
	err = vpnrt_extack_parse((struct nlmsghdr *)buf, msg, 7, NULL);
	TAP_STREQ(msg, "a long", "the message is cut to the buffer (7 bytes: 6 characters)");

	/* a TLV claiming more than the message holds */
	put_err(buf, SEQ, -EINVAL, true, 0, "xyz", 0);
	((struct nlattr *)(buf + NLMSG_HDRLEN + sizeof(struct nlmsgerr)))->nla_len = 2000;
	err = vpnrt_extack_parse((struct nlmsghdr *)buf, msg, sizeof(msg), NULL);
	TAP_CHECK(err == -EINVAL && msg[0] == '\0', "a bad TLV length is ignored");

	/* an echoed length beyond the message */
	put_err(buf, SEQ, -EINVAL, false, 16, "m", 0);
	((struct nlmsgerr *)(buf + NLMSG_HDRLEN))->msg.nlmsg_len = 5000;
	err = vpnrt_extack_parse((struct nlmsghdr *)buf, msg, sizeof(msg), NULL);
	TAP_CHECK(err == -EINVAL && msg[0] == '\0', "a bogus echoed length is survived");

	put_reply(buf, SEQ, 0, 1);
	TAP_CHECK(vpnrt_extack_parse((struct nlmsghdr *)buf, msg, sizeof(msg), NULL) == 1,
		  "not an NLMSG_ERROR: 1");
}

/* ---- the receive loop on canned datagrams ---- */

static struct { unsigned char data[8192]; size_t len; } dgrams[8];
static int n_dgrams, next_dgram;

static int fake_recv(struct nl_sock *sk, struct sockaddr_nl *nla,
		     unsigned char **buf, struct ucred **creds)
{
	(void)sk;
	(void)creds;
	if (next_dgram >= n_dgrams)
		return -NLE_AGAIN;	/* would block: the test forgot an ack */
	nla->nl_family = AF_NETLINK;
	*buf = malloc(dgrams[next_dgram].len);
	memcpy(*buf, dgrams[next_dgram].data, dgrams[next_dgram].len);
	return (int)dgrams[next_dgram++].len;
}


static int replies;

static int count_reply(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	replies++;
	return NL_OK;
}

static int wait_for(struct vpnrt_xfer *x)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	nl_cb_overwrite_recv(cb, fake_recv);
	memset(x, 0, sizeof(*x));
	x->fn = count_reply;
	x->seq = SEQ;
	x->check_seq = true;
	replies = 0;
	next_dgram = 0;
	err = vpnrt_nl_wait(sk, cb, x);
	nl_cb_put(cb);
	nl_socket_free(sk);
	return err;
}

static void test_wait(void)
{
	struct vpnrt_xfer x;
	unsigned char *p;
	int err;

	/* a reply, then the error of the request with extack */
	n_dgrams = 2;
	dgrams[0].len = put_reply(dgrams[0].data, SEQ, 0, 1);
	dgrams[1].len = put_err(dgrams[1].data, SEQ, -ENOENT, true, 40,
				"route 3: connection \"cX\" not found", 0);
	err = wait_for(&x);
	TAP_CHECK(err == -ENOENT && x.error == -ENOENT && !x.nl_error && replies == 1,
		  "error after a reply: -ENOENT, one reply handled");
	TAP_STREQ(vpnrt_xfer_strerror(&x), "route 3: connection \"cX\" not found",
		  "the extack message is what is printed");

	/* no message: strerror */
	n_dgrams = 1;
	dgrams[0].len = put_err(dgrams[0].data, SEQ, -EPERM, false, 24, NULL, 0);
	err = wait_for(&x);
	TAP_STREQ(vpnrt_xfer_strerror(&x), "Operation not permitted",
		  "without extack: strerror");

	/* a stale ack (earlier sequence number) is skipped */
	n_dgrams = 2;
	dgrams[0].len = put_err(dgrams[0].data, SEQ - 1, -EEXIST, true, 20, "stale", 0);
	dgrams[1].len = put_err(dgrams[1].data, SEQ, 0, true, 20, NULL, 0);
	err = wait_for(&x);
	TAP_CHECK(err == 0 && x.done && x.msg[0] == '\0', "a stale error is skipped, the ack ends it");

	/* reply and ack in one datagram */
	n_dgrams = 1;
	p = dgrams[0].data;
	dgrams[0].len = put_reply(p, SEQ, 0, 5);
	dgrams[0].len += put_err(p + dgrams[0].len, SEQ, 0, true, 20, NULL, 0);
	err = wait_for(&x);
	TAP_CHECK(err == 0 && replies == 1, "reply and ack in one datagram");

	/* a dump in two datagrams, the second interrupted */
	n_dgrams = 2;
	p = dgrams[0].data;
	dgrams[0].len = put_reply(p, SEQ, NLM_F_MULTI, 1);
	dgrams[0].len += put_reply(p + dgrams[0].len, SEQ, NLM_F_MULTI, 2);
	p = dgrams[1].data;
	dgrams[1].len = put_reply(p, SEQ, NLM_F_MULTI | NLM_F_DUMP_INTR, 3);
	dgrams[1].len += put_done(p + dgrams[1].len, SEQ, 0, NLM_F_DUMP_INTR, NULL);
	err = wait_for(&x);
	TAP_CHECK(err == 0 && replies == 3 && x.dump_intr,
		  "a dump with NLM_F_DUMP_INTR: every reply handled, dump_intr set");

	n_dgrams = 1;
	p = dgrams[0].data;
	dgrams[0].len = put_reply(p, SEQ, NLM_F_MULTI, 1);
	dgrams[0].len += put_done(p + dgrams[0].len, SEQ, 0, 0, NULL);
	err = wait_for(&x);
	TAP_CHECK(err == 0 && replies == 1 && !x.dump_intr, "a clean dump");

	/* a dump that fails part-way: NLMSG_DONE carries the error */
	n_dgrams = 1;
	p = dgrams[0].data;
	dgrams[0].len = put_reply(p, SEQ, NLM_F_MULTI, 1);
	dgrams[0].len += put_done(p + dgrams[0].len, SEQ, -EMSGSIZE, 0, "route too big");
	err = wait_for(&x);
	TAP_CHECK(err == -EMSGSIZE && !strcmp(x.msg, "route too big"),
		  "NLMSG_DONE with an error and extack: %d %s", err, x.msg);

	/* the socket fails */
	n_dgrams = 0;
	err = wait_for(&x);
	TAP_CHECK(err < 0 && x.nl_error, "a receive error ends the wait: %s",
		  vpnrt_xfer_strerror(&x));
}

int main(void)
{
	test_parse();
	test_wait();
	return tap_done();
}
