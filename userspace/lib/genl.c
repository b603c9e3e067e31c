// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <linux/vpnrt.h>

#include "genl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static void set_opt(int fd, int level, int opt, int val)
{
	/* best effort: old kernels lack some options, non-root cannot force */
	(void)setsockopt(fd, level, opt, &val, sizeof(val));
}

int vpnrt_nl_open(struct vpnrt_nl *nl, char *err, size_t errlen)
{
	struct nl_cache *cache = NULL;
	struct genl_family *fam;
	int fd, e;

	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	e = genl_connect(nl->sk);
	if (e < 0) {
		snprintf(err, errlen, "cannot open a generic netlink socket: %s",
			 nl_geterror(e));
		goto fail;
	}
	e = genl_ctrl_alloc_cache(nl->sk, &cache);
	if (e < 0) {
		snprintf(err, errlen, "cannot list generic netlink families: %s",
			 nl_geterror(e));
		goto fail;
	}
	fam = genl_ctrl_search_by_name(cache, VPNRT_GENL_NAME);
	if (!fam) {
		snprintf(err, errlen,
			 "generic netlink family \"%s\" not found: the vpnrt module is not loaded (load it as root with insmod; make builds it as build/mod-6.1/kmod/vpnrt.ko, see the README)",
			 VPNRT_GENL_NAME);
		goto fail;
	}
	nl->family_id = genl_family_get_id(fam);
	nl->version = genl_family_get_version(fam);
	genl_family_put(fam);
	nl_cache_free(cache);
	nl->events_grp = genl_ctrl_resolve_grp(nl->sk, VPNRT_GENL_NAME,
					       VPNRT_MCGRP_EVENTS);
	if (nl->events_grp < 0)
		nl->events_grp = -1;

	fd = nl_socket_get_fd(nl->sk);
	set_opt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
	set_opt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
	nl_socket_set_buffer_size(nl->sk, VPNRT_NL_RCVBUF, VPNRT_NL_SNDBUF);
	/* above net.core.rmem_max when we may */
	set_opt(fd, SOL_SOCKET, SO_RCVBUFFORCE, VPNRT_NL_RCVBUF);
	set_opt(fd, SOL_SOCKET, SO_SNDBUFFORCE, VPNRT_NL_SNDBUF);
	nl_socket_disable_auto_ack(nl->sk);
	return 0;
fail:
	nl_cache_free(cache);
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return -1;
}

void vpnrt_nl_close(struct vpnrt_nl *nl)
{
	nl_socket_free(nl->sk);
	nl->sk = NULL;
}

/*
 * The range of the policy an attribute failed (NLMSGERR_ATTR_POLICY of
 * a range check in the kernel's policy), for the message; out unchanged
 * if the policy has no range.
 */
static void policy_range(const unsigned char *p, size_t len, char *out, size_t outlen)
{
	bool smin = false, smax = false, has_min = false, has_max = false;
	uint64_t min = 0, max = 0;

	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		size_t alen = a->nla_len;

		if (alen < NLA_HDRLEN || alen > len)
			break;
		if (alen - NLA_HDRLEN == sizeof(uint64_t)) {
			switch (a->nla_type & NLA_TYPE_MASK) {
			case NL_POLICY_TYPE_ATTR_MIN_VALUE_S:
				smin = true;
				/* fall through */
			case NL_POLICY_TYPE_ATTR_MIN_VALUE_U:
				memcpy(&min, p + NLA_HDRLEN, sizeof(min));
				has_min = true;
				break;
			case NL_POLICY_TYPE_ATTR_MAX_VALUE_S:
				smax = true;
				/* fall through */
			case NL_POLICY_TYPE_ATTR_MAX_VALUE_U:
				memcpy(&max, p + NLA_HDRLEN, sizeof(max));
				has_max = true;
				break;
			}
		}
		if (NLA_ALIGN(alen) >= len)
			break;
		p += NLA_ALIGN(alen);
		len -= NLA_ALIGN(alen);
	}
	if (!has_min || !has_max)
		return;
	if (smin || smax)
		snprintf(out, outlen, "allowed %lld..%lld", (long long)min, (long long)max);
	else
		snprintf(out, outlen, "allowed %llu..%llu", (unsigned long long)min,
			 (unsigned long long)max);
}

/*
 * extack TLVs in [p, p + len): the message and the offset; a range in
 * the policy is added to the message ("integer out of range; allowed 1..16").
 */
static void parse_tlvs(const unsigned char *p, size_t len, char *msg,
		       size_t msglen, uint32_t *offset)
{
	char range[64] = "";

	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		size_t alen = a->nla_len, plen;
		const char *data = (const char *)p + NLA_HDRLEN;

		if (alen < NLA_HDRLEN || alen > len)
			break;
		plen = alen - NLA_HDRLEN;
		switch (a->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			if (msglen) {
				size_t n = strnlen(data, plen);

				if (n >= msglen)
					n = msglen - 1;
				memcpy(msg, data, n);
				msg[n] = '\0';
			}
			break;
		case NLMSGERR_ATTR_OFFS:
			if (offset && plen >= sizeof(uint32_t))
				memcpy(offset, data, sizeof(uint32_t));
			break;
		case NLMSGERR_ATTR_POLICY:
			policy_range((const unsigned char *)data, plen, range, sizeof(range));
			break;
		}
		if (NLA_ALIGN(alen) >= len)
			break;
		p += NLA_ALIGN(alen);
		len -= NLA_ALIGN(alen);
	}
	if (range[0] && msglen) {
		size_t n = strlen(msg);

		snprintf(msg + n, msglen - n, "%s%s", n ? "; " : "", range);
	}
}

int vpnrt_extack_parse(const struct nlmsghdr *nlh, char *msg, size_t len,
		       uint32_t *offset)
{
	const struct nlmsgerr *e;
	size_t hlen, total;

	if (len)
		msg[0] = '\0';
	if (offset)
		*offset = 0;
	if (nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
		return 1;
	e = NLMSG_DATA(nlh);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return e->error;
	/* the request's header is echoed; its payload too unless capped */
	hlen = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN)
			return e->error;
		hlen += e->msg.nlmsg_len - NLMSG_HDRLEN;
	}
	hlen = NLMSG_ALIGN(hlen);
	total = nlh->nlmsg_len - NLMSG_HDRLEN;
	if (hlen < total)
		parse_tlvs((const unsigned char *)NLMSG_DATA(nlh) + hlen,
			   total - hlen, msg, len, offset);
	return e->error;
}

static int seq_cb(struct nl_msg *msg, void *arg)
{
	struct vpnrt_xfer *x = arg;

	if (x->check_seq && nlmsg_hdr(msg)->nlmsg_seq != x->seq)
		return NL_SKIP;	/* a stale reply to an earlier request */
	return NL_OK;
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct vpnrt_xfer *x = arg;

	if (nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP_INTR)
		x->dump_intr = true;
	return x->fn ? x->fn(msg, x->arg) : NL_OK;
}

static int intr_cb(struct nl_msg *msg, void *arg)
{
	struct vpnrt_xfer *x = arg;

	(void)msg;
	x->dump_intr = true;
	return NL_OK;
}

static int ack_cb(struct nl_msg *msg, void *arg)
{
	struct vpnrt_xfer *x = arg;

	(void)msg;
	x->done = true;
	return NL_STOP;
}

/* NLMSG_DONE carries an int: a dump that failed part-way, with extack */
static int finish_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct vpnrt_xfer *x = arg;
	int err;

	x->done = true;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		x->dump_intr = true;
	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
		memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
		if (err < 0) {
			x->error = err;
			if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
				size_t h = NLMSG_ALIGN(sizeof(int));
				size_t total = nlh->nlmsg_len - NLMSG_HDRLEN;

				if (h < total)
					parse_tlvs((unsigned char *)NLMSG_DATA(nlh) + h,
						   total - h, x->msg,
						   sizeof(x->msg), &x->offset);
			}
		}
	}
	return NL_STOP;
}

static int err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	/* libnl hands us the payload; the header is right before it */
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct vpnrt_xfer *x = arg;
	int err;

	(void)nla;
	if (x->check_seq && nlh->nlmsg_seq != x->seq)
		return NL_SKIP;
	err = vpnrt_extack_parse(nlh, x->msg, sizeof(x->msg), &x->offset);
	x->error = err == 1 ? e->error : err;
	x->nl_error = false;
	x->done = true;
	return NL_STOP;
}

void vpnrt_xfer_set_cb(struct nl_cb *cb, struct vpnrt_xfer *x)
{
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, seq_cb, x);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, x);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, intr_cb, x);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, x);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, x);
	nl_cb_err(cb, NL_CB_CUSTOM, err_cb, x);
}

int vpnrt_nl_wait(struct nl_sock *sk, struct nl_cb *base, struct vpnrt_xfer *x)
{
	struct nl_cb *own = NULL, *cb;
	int err;

	if (!base)
		base = own = nl_socket_get_cb(sk);
	cb = nl_cb_clone(base);
	if (own)
		nl_cb_put(own);
	if (!cb) {
		x->error = -NLE_NOMEM;
		x->nl_error = true;
		return x->error;
	}
	vpnrt_xfer_set_cb(cb, x);
	while (!x->done) {
		err = nl_recvmsgs(sk, cb);
		if (x->done)
			break;
		if (err == -NLE_DUMP_INTR) {
			x->dump_intr = true;
			continue;
		}
		if (err < 0) {
			x->error = err;
			x->nl_error = true;
			x->done = true;
		}
	}
	nl_cb_put(cb);
	return x->error;
}

int vpnrt_nl_xfer(struct nl_sock *sk, struct nl_msg *msg, struct vpnrt_xfer *x)
{
	int err;

	x->done = false;
	x->error = 0;
	x->nl_error = false;
	x->msg[0] = '\0';
	err = nl_send_auto(sk, msg);
	if (err < 0) {
		x->error = err;
		x->nl_error = true;
		return err;
	}
	x->seq = nlmsg_hdr(msg)->nlmsg_seq;
	x->check_seq = true;
	return vpnrt_nl_wait(sk, NULL, x);
}

const char *vpnrt_xfer_strerror(const struct vpnrt_xfer *x)
{
	if (x->msg[0])
		return x->msg;
	if (x->nl_error)
		return nl_geterror(x->error);
	return strerror(-x->error);
}
