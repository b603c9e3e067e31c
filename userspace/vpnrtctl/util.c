// SPDX-License-Identifier: GPL-2.0
/* vpnrtctl: keywords, errors, devices and the request helpers */
#include <net/if.h>
#include <stdarg.h>
#include <string.h>
#include <netlink/msg.h>

#include "vpnrtctl.h"

int cli_err(struct vpnrtctl *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	c->err_kernel = false;
	return -1;
}

int kw_find(const char *arg, const char *const *kws)
{
	size_t len = strlen(arg);
	int i, found = -1;

	if (!len)
		return -1;
	for (i = 0; kws[i]; i++)
		if (!strcmp(arg, kws[i]))
			return i;
	for (i = 0; kws[i]; i++) {
		if (strncmp(arg, kws[i], len))
			continue;
		if (found >= 0)
			return -2;
		found = i;
	}
	return found;
}

const char *kw_join(const char *const *kws, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; kws[i] && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", kws[i]);
	return buf;
}

int kw_expect(struct vpnrtctl *c, const char *arg, const char *const *kws,
	      const char *ctx)
{
	char list[256];
	int k = kw_find(arg, kws);

	if (k >= 0)
		return k;
	kw_join(kws, list, sizeof(list));
	if (k == -2)
		cli_err(c, "ambiguous keyword \"%s\" after \"%s\"; allowed: %s",
			arg, ctx, list);
	else
		cli_err(c, "unknown keyword \"%s\" after \"%s\"; allowed: %s",
			arg, ctx, list);
	return -1;
}

const char *next_arg(struct vpnrtctl *c, int *i, int argc, char **argv,
		     const char *kw)
{
	if (*i + 1 >= argc) {
		cli_err(c, "missing value after \"%s\"", kw);
		return NULL;
	}
	return argv[++*i];
}

int dev_index(struct vpnrtctl *c, const char *name, uint32_t *ifindex)
{
	unsigned int idx;

	if (!*name || strlen(name) >= IFNAMSIZ)
		return cli_err(c, "\"%s\" is not a device name (1..%d characters)",
			       name, IFNAMSIZ - 1);
	idx = c->ops->name2index(c, name);
	if (!idx)
		return cli_err(c, "device \"%s\" does not exist", name);
	*ifindex = idx;
	return 0;
}

const char *dev_name(struct vpnrtctl *c, uint32_t ifindex, char *buf)
{
	if (!c->ops->index2name(c, ifindex, buf))
		snprintf(buf, IFNAMSIZ, "if%u", ifindex);
	return buf;
}

int check_conn_name(struct vpnrtctl *c, const char *name)
{
	if (!*name)
		return cli_err(c, "a connection name must not be empty");
	if (strlen(name) >= VPNRT_CONN_NAME_MAX)
		return cli_err(c, "connection name \"%s\" is too long (at most %d characters)",
			       name, VPNRT_CONN_NAME_MAX - 1);
	return 0;
}

int ctl_open(struct vpnrtctl *c)
{
	return c->ops->open(c);
}

struct nl_msg *ctl_msg(struct vpnrtctl *c, uint8_t cmd, int flags,
		       size_t size)
{
	struct nl_msg *msg;

	if (ctl_open(c))
		return NULL;
	msg = vpnrt_msg_new(c->family_id, cmd, flags, size);
	if (!msg)
		cli_err(c, "out of memory");
	return msg;
}

int ctl_xfer(struct vpnrtctl *c, struct nl_msg *msg, vpnrtctl_reply_fn fn,
	     void *arg)
{
	int rc;

	c->dump_intr = false;
	rc = c->ops->xfer(c, msg, fn, arg);
	nlmsg_free(msg);
	if (!rc && c->dump_intr)
		rc = cli_err(c, DUMP_INTR_MSG);
	return rc;
}

void show_begin(struct vpnrtctl *c)
{
	if (!c->json)
		return;
	json_init(&c->j, c->out, c->pretty);
	json_arr_open(&c->j, NULL);
}

void show_end(struct vpnrtctl *c)
{
	if (!c->json)
		return;
	json_arr_close(&c->j);
	json_end(&c->j);
}
