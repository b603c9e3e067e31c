/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vpnrtctl without a kernel for the unit tests: the ops record every
 * request, answer with canned replies or a canned kernel error, and know
 * a few fake devices. Output goes to a memory stream.
 */
#ifndef VPNRT_TEST_FAKE_H
#define VPNRT_TEST_FAKE_H

#include <stdlib.h>
#include <string.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "vpnrtctl.h"

#define FAKE_FAMILY	0x42
#define FAKE_KEEP	16	/* requests kept for inspection */
#define FAKE_MAX	4096	/* requests counted */

struct fake {
	struct nl_msg *sent[FAKE_KEEP];	/* the first requests, referenced */
	int n_sent;
	uint8_t cmd[FAKE_MAX];		/* command of each request */
	int n_routes[FAKE_MAX];		/* routes in each request */
	uint32_t len[FAKE_MAX];		/* bytes of each request */
	struct nl_msg *replies[16];	/* given to the reply handler */
	int n_replies;
	int fail_at;			/* this request (0-based) fails, -1 none */
	const char *fail_msg;		/* with this kernel message */
	bool dump_intr;			/* requests see NLM_F_DUMP_INTR */
	bool opened;
	char *out;
	size_t out_len;
};

static const struct { const char *name; unsigned int idx; } fake_devs[] = {
	{ "vpngw0", 10 }, { "xfrm1", 11 }, { "xfrm2", 12 }, { "vpngw1", 13 },
};

static inline int fake_open(struct vpnrtctl *c)
{
	((struct fake *)c->priv)->opened = true;
	c->family_id = FAKE_FAMILY;
	return 0;
}

static inline int fake_count_routes(struct nl_msg *msg)
{
	struct nlattr *tb[VPNRT_A_MAX + 1], *a;
	int rem, n = 0;

	if (vpnrt_parse_msg(msg, tb) < 0 || !tb[VPNRT_A_ROUTES])
		return 0;
	nla_for_each_nested(a, tb[VPNRT_A_ROUTES], rem)
		n++;
	return n;
}

static inline int fake_xfer(struct vpnrtctl *c, struct nl_msg *msg,
			    vpnrtctl_reply_fn fn, void *arg)
{
	struct fake *f = c->priv;
	int i = f->n_sent++;

	if (i < FAKE_KEEP) {
		nlmsg_get(msg);
		f->sent[i] = msg;
	}
	if (i < FAKE_MAX) {
		f->cmd[i] = ((struct genlmsghdr *)nlmsg_data(nlmsg_hdr(msg)))->cmd;
		f->n_routes[i] = fake_count_routes(msg);
		f->len[i] = nlmsg_hdr(msg)->nlmsg_len;
	}
	if (i == f->fail_at) {
		snprintf(c->err, sizeof(c->err), "%s", f->fail_msg);
		c->err_kernel = true;
		return -1;
	}
	for (int r = 0; r < f->n_replies && fn; r++)
		fn(f->replies[r], arg);
	c->dump_intr = f->dump_intr;
	return 0;
}

static inline unsigned int fake_name2index(struct vpnrtctl *c, const char *name)
{
	(void)c;
	for (size_t i = 0; i < sizeof(fake_devs) / sizeof(fake_devs[0]); i++)
		if (!strcmp(fake_devs[i].name, name))
			return fake_devs[i].idx;
	return 0;
}

static inline const char *fake_index2name(struct vpnrtctl *c, unsigned int idx,
					  char *buf)
{
	(void)c;
	for (size_t i = 0; i < sizeof(fake_devs) / sizeof(fake_devs[0]); i++)
		if (fake_devs[i].idx == idx)
			return strcpy(buf, fake_devs[i].name);
	return NULL;
}

static inline int fake_listen(struct vpnrtctl *c, vpnrtctl_reply_fn fn, void *arg)
{
	struct fake *f = c->priv;

	for (int r = 0; r < f->n_replies; r++)
		fn(f->replies[r], arg);
	return cli_err(c, "no more events");
}

static const struct vpnrtctl_ops fake_ops = {
	.open = fake_open,
	.xfer = fake_xfer,
	.name2index = fake_name2index,
	.index2name = fake_index2name,
	.listen = fake_listen,
};

static inline void fake_reset(struct fake *f)
{
	for (int i = 0; i < f->n_sent && i < FAKE_KEEP; i++)
		nlmsg_free(f->sent[i]);
	for (int i = 0; i < f->n_replies; i++)
		nlmsg_free(f->replies[i]);
	free(f->out);
	memset(f, 0, sizeof(*f));
	f->fail_at = -1;
}

/* a fresh context writing into f->out */
static inline void fake_init(struct vpnrtctl *c, struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->fail_at = -1;
	vpnrtctl_init(c);
	c->ops = &fake_ops;
	c->priv = f;
	c->out = open_memstream(&f->out, &f->out_len);
}

/* the output so far (the stream stays open) */
static inline const char *fake_out(struct vpnrtctl *c)
{
	struct fake *f = c->priv;

	fflush(c->out);
	return f->out ? f->out : "";
}

static inline void fake_fini(struct vpnrtctl *c, struct fake *f)
{
	fclose(c->out);
	c->out = NULL;
	fake_reset(f);
}

/* run a command line given as one string (split at spaces) */
static inline int run_line(struct vpnrtctl *c, const char *line)
{
	char buf[1024], *argv[64], *save = NULL, *w;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (w = strtok_r(buf, " ", &save); w && argc < 64; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	return vpnrtctl_run(c, argc, argv);
}

/* the top-level attributes of request i */
static inline struct genlmsghdr *sent_parse(struct fake *f, int i,
					    struct nlattr **tb)
{
	struct nl_msg *m = f->sent[i];

	if (vpnrt_parse_msg(m, tb) < 0)
		return NULL;
	return nlmsg_data(nlmsg_hdr(m));
}

/* a reply/event message to fill with nla_put*() */
static inline struct nl_msg *reply_new(uint8_t cmd)
{
	return vpnrt_msg_new(FAKE_FAMILY, cmd, NLM_F_MULTI, 4096);
}

#endif
