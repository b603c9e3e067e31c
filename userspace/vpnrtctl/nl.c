// SPDX-License-Identifier: GPL-2.0
/* vpnrtctl: the real netlink operations (libnl-genl-3) */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "vpnrtctl.h"

static int ctl_nl_open(struct vpnrtctl *c)
{
	if (c->nl.sk)
		return 0;
	if (vpnrt_nl_open(&c->nl, c->err, sizeof(c->err))) {
		c->err_kernel = false;
		return -1;
	}
	c->family_id = c->nl.family_id;
	return 0;
}

static int ctl_nl_xfer(struct vpnrtctl *c, struct nl_msg *msg,
		   vpnrtctl_reply_fn fn, void *arg)
{
	struct vpnrt_xfer x = { .fn = fn, .arg = arg };

	if (ctl_nl_open(c))
		return -1;
	vpnrt_nl_xfer(c->nl.sk, msg, &x);
	c->dump_intr = x.dump_intr;
	if (x.error) {
		snprintf(c->err, sizeof(c->err), "%s", vpnrt_xfer_strerror(&x));
		c->err_kernel = !x.nl_error;
		return -1;
	}
	return 0;
}

static unsigned int ctl_nl_name2index(struct vpnrtctl *c, const char *name)
{
	(void)c;
	return if_nametoindex(name);
}

static const char *ctl_nl_index2name(struct vpnrtctl *c, unsigned int ifindex,
				 char *buf)
{
	(void)c;
	return if_indextoname(ifindex, buf);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int ctl_nl_listen(struct vpnrtctl *c, vpnrtctl_reply_fn fn, void *arg)
{
	struct nl_cb *sk_cb, *cb;
	int64_t next_try = 0;
	int err;

	if (ctl_nl_open(c))
		return -1;
	if (c->nl.events_grp < 0)
		return cli_err(c, "the kernel's vpnrt family has no \"%s\" multicast group",
			       VPNRT_MCGRP_EVENTS);
	err = nl_socket_add_membership(c->nl.sk, c->nl.events_grp);
	if (err < 0)
		return cli_err(c, "cannot join the \"%s\" group: %s",
			       VPNRT_MCGRP_EVENTS, nl_geterror(err));
	/*
	 * Route changes come as one event per request chunk, up to 256
	 * routes each: a large batch floods a default-sized buffer. Ask for
	 * 8 MiB, past rmem_max if allowed (as ip monitor does).
	 */
	{
		int fd = nl_socket_get_fd(c->nl.sk), size = 8 << 20;

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	}
	/* events are not replies: no sequence numbers to check */
	nl_socket_disable_seq_check(c->nl.sk);
	sk_cb = nl_socket_get_cb(c->nl.sk);
	cb = nl_cb_clone(sk_cb);
	nl_cb_put(sk_cb);
	if (!cb)
		return cli_err(c, "out of memory");
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, fn, arg);
	for (;;) {
		if (c->agent_mon || c->agent_retry) {
			/*
			 * vpnrtd's event stream too: wait for either; without
			 * one, try to open it every AGENT_RETRY_MS, however
			 * busy the kernel's events keep us
			 */
			struct pollfd p[2] = {
				{ .fd = nl_socket_get_fd(c->nl.sk), .events = POLLIN },
				{ .fd = c->agent_mon ? c->agent_fd : -1, .events = POLLIN },
			};
			int64_t now = mono_ms(), wait = -1;

			if (!c->agent_mon) {
				if (now >= next_try) {
					next_try = now + AGENT_RETRY_MS;
					if (!agent_monitor_retry(c))
						continue;
				}
				wait = next_try - now;
			}
			if (poll(p, 2, (int)wait) < 0) {
				if (errno == EINTR)
					continue;
				cli_err(c, "poll: %s", strerror(errno));
				break;
			}
			if (p[1].revents)
				agent_monitor_read(c);
			if (!p[0].revents)
				continue;
		}
		err = nl_recvmsgs(c->nl.sk, cb);
		if (err == -NLE_NOMEM || err == -NLE_MSG_OVERFLOW) {
			/* ENOBUFS: the receive buffer overflowed */
			fflush(c->out);
			fprintf(stderr, "vpnrtctl: warning: events were lost (receive buffer overflow)\n");
			continue;
		}
		if (err < 0) {
			cli_err(c, "receiving events: %s", nl_geterror(err));
			break;
		}
	}
	nl_cb_put(cb);
	return -1;
}

static void ctl_nl_close(struct vpnrtctl *c)
{
	if (c->nl.sk)
		vpnrt_nl_close(&c->nl);
}

const struct vpnrtctl_ops vpnrtctl_nl_ops = {
	.open = ctl_nl_open,
	.xfer = ctl_nl_xfer,
	.name2index = ctl_nl_name2index,
	.index2name = ctl_nl_index2name,
	.listen = ctl_nl_listen,
	.close = ctl_nl_close,
};

void vpnrtctl_init(struct vpnrtctl *c)
{
	memset(c, 0, sizeof(*c));
	c->out = stdout;
	c->ops = &vpnrtctl_nl_ops;
	c->route_chunk = VPNRTCTL_ROUTE_CHUNK;
	c->chunk_bytes = VPNRTCTL_CHUNK_BYTES;
}

void vpnrtctl_fini(struct vpnrtctl *c)
{
	if (c->ops && c->ops->close)
		c->ops->close(c);
}
