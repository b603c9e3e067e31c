// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtd: the tunnel devices, over rtnetlink with libnl-route-3.
 *
 * An IKE tunnel's device is an xfrm interface vpnrtd creates: on the
 * underlay device that holds the tunnel's local address, with the
 * tunnel's if_id, an MTU derived from the underlay's and the ESP
 * overhead (or the configured one), IPv6 address generation off, up,
 * and the alias "vpnrtd:<connection>/<position>" that marks it as
 * vpnrtd's across restarts. A device of that name that vpnrtd did not
 * create is used only if it already is an xfrm interface with the right
 * if_id; otherwise the tunnel waits, with an error saying why. An
 * `ike: none` tunnel's device is the operator's: vpnrtd only finds it.
 *
 * Link events (a device deleted, created, renamed) make the daemon
 * reconcile soon: a deleted tunnel device is created again and the
 * connection's tunnel rebound to it.
 *
 * The BGP inside address. A tunnel with bgp: needs its local-ip, with the
 * tunnel-cidr's prefix length (169.254.10.1/30), on its device (an
 * `ike: none` device too), so that the connected route of the /30 sends
 * the session to the peer's inside address through the tunnel.
 * link_ensure() adds it when the device lacks it. vpnrtd marks the
 * addresses it adds with the address protocol IFA_PROTO 194 (Linux 6.1
 * and later keep it and report it in dumps; the same number as its VPC
 * table routes, "vpnrt"), and only such addresses are ever removed: one
 * of them inside 169.254.0.0/16 that the config does not name on its
 * device (bgp: removed, local-ip or tunnel-cidr changed, moved to another
 * tunnel) is deleted, by link_ensure() for the tunnel's own device and by
 * link_prune() on every device. Every other address is left alone, the
 * operator's own 169.254.x.y included; one the operator already put there
 * (the same address and prefix length, any protocol) counts as present
 * and is not added again, nor ever removed. Nothing is logged when all is
 * right, so a restart with the same config changes nothing; each address
 * added or removed is logged. Address events (RTNLGRP_IPV4_IFADDR) make
 * the daemon reconcile soon too, so an inside address deleted by hand is
 * put back within a fraction of a second.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/link/xfrmi.h>
#include <netlink/route/rtnl.h>

#include "hostroute.h"
#include "log.h"
#include "vpnrtd.h"

#define ALIAS_PREFIX	"vpnrtd:"
/* IFA_PROTO of the BGP inside addresses vpnrtd adds */
#define ADDR_PROTO	HOSTROUTE_PROTO

static void link_event(void *arg, uint32_t events)
{
	struct vpnrtd *d = arg;

	(void)events;
	/* the content does not matter: the reconcile reads the truth */
	nl_recvmsgs_default(d->rtnl_ev);
	vpnrtd_kick(d, 200);
}

static int skip_all(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_SKIP;
}

int link_open(struct vpnrtd *d)
{
	int err;

	d->rtnl = nl_socket_alloc();
	d->rtnl_ev = nl_socket_alloc();
	if (!d->rtnl || !d->rtnl_ev) {
		vlog(LOG_ERR, "links: out of memory");
		return -1;
	}
	err = nl_connect(d->rtnl, NETLINK_ROUTE);
	if (!err)
		err = nl_connect(d->rtnl_ev, NETLINK_ROUTE);
	if (err) {
		vlog(LOG_ERR, "links: cannot open an rtnetlink socket: %s",
		     nl_geterror(err));
		return -1;
	}
	nl_socket_disable_seq_check(d->rtnl_ev);
	nl_socket_modify_cb(d->rtnl_ev, NL_CB_VALID, NL_CB_CUSTOM, skip_all, NULL);
	nl_socket_set_nonblocking(d->rtnl_ev);
	err = nl_socket_add_membership(d->rtnl_ev, RTNLGRP_LINK);
	if (!err)
		err = nl_socket_add_membership(d->rtnl_ev, RTNLGRP_IPV4_IFADDR);
	if (err) {
		vlog(LOG_ERR, "links: cannot follow link and address events: %s",
		     nl_geterror(err));
		return -1;
	}
	if (loop_add_fd(d->loop, nl_socket_get_fd(d->rtnl_ev), EPOLLIN,
			link_event, d)) {
		vlog(LOG_ERR, "links: cannot watch link events");
		return -1;
	}
	return 0;
}

void link_close(struct vpnrtd *d)
{
	if (d->rtnl_ev) {
		loop_del_fd(d->loop, nl_socket_get_fd(d->rtnl_ev));
		nl_socket_free(d->rtnl_ev);
		d->rtnl_ev = NULL;
	}
	if (d->rtnl) {
		nl_socket_free(d->rtnl);
		d->rtnl = NULL;
	}
}

/* bytes ESP in tunnel mode adds to an inner packet, at most */
unsigned int link_esp_overhead(const struct cfg_tunnel *t)
{
	const struct cfg_proposal *p = &t->ike.ipsec;
	unsigned int outer = t->local.family == AF_INET6 ? 40 : 20;
	unsigned int iv, block, icv;

	switch (p->encr) {
	case CFG_ENCR_DES:
	case CFG_ENCR_3DES:
		iv = block = 8;
		break;
	default:
		iv = block = 16;
		break;
	}
	switch (p->integ) {
	case CFG_INTEG_MD5:
	case CFG_INTEG_SHA1:
		icv = 12;
		break;
	case CFG_INTEG_SHA256:
		icv = 16;
		break;
	case CFG_INTEG_SHA384:
		icv = 24;
		break;
	default:
		icv = 32;
		break;
	}
	/*
	 * outer header, UDP encapsulation (NAT-T may switch it on at any
	 * time), SPI + sequence number, IV, the most padding, pad length +
	 * next header, ICV
	 */
	return outer + 8 + 8 + iv + (block - 1) + 2 + icv;
}

/* the device holding addr, 0 if none */
static int underlay_of(struct vpnrtd *d, const struct prefix *addr)
{
	struct nl_cache *cache;
	struct nl_object *o;
	int ifindex = 0, alen = addr->family == AF_INET6 ? 16 : 4;

	if (rtnl_addr_alloc_cache(d->rtnl, &cache))
		return 0;
	for (o = nl_cache_get_first(cache); o && !ifindex; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a);

		if (local && nl_addr_get_family(local) == addr->family &&
		    nl_addr_get_len(local) == (unsigned int)alen &&
		    !memcmp(nl_addr_get_binary_addr(local), addr->addr.bytes, alen))
			ifindex = rtnl_addr_get_ifindex(a);
	}
	nl_cache_free(cache);
	return ifindex;
}

static bool ours(struct rtnl_link *l)
{
	const char *alias = rtnl_link_get_ifalias(l);

	return alias && !strncmp(alias, ALIAS_PREFIX, strlen(ALIAS_PREFIX));
}

static int set_up(struct vpnrtd *d, struct rtnl_link *l, uint32_t mtu,
		  const char *alias)
{
	struct rtnl_link *chg = rtnl_link_alloc();
	int err;

	if (!chg)
		return -NLE_NOMEM;
	rtnl_link_set_flags(chg, IFF_UP);
	if (mtu)
		rtnl_link_set_mtu(chg, mtu);
	if (alias)
		rtnl_link_set_ifalias(chg, alias);
	err = rtnl_link_change(d->rtnl, l, chg, 0);
	rtnl_link_put(chg);
	return err;
}

int link_gw_up(struct vpnrtd *d, const char *name)
{
	struct rtnl_link *l;
	int err;

	err = rtnl_link_get_kernel(d->rtnl, 0, name, &l);
	if (err) {
		vlog(LOG_ERR, "gateway %s: device not found: %s", name, nl_geterror(err));
		return -1;
	}
	if (!(rtnl_link_get_flags(l) & IFF_UP)) {
		err = set_up(d, l, 0, NULL);
		if (err)
			vlog(LOG_ERR, "gateway %s: cannot bring it up: %s", name,
			     nl_geterror(err));
		else
			vlog(LOG_NOTICE, "gateway %s: brought up", name);
	}
	rtnl_link_put(l);
	return err ? -1 : 0;
}

/*
 * No IPv6 link-local address on the tunnel (nothing needs one, and DAD
 * probes would go into the tunnel); not fatal if IPv6 is off.
 */
static void no_addrgen(struct vpnrtd *d, struct rtnl_link *l)
{
	struct rtnl_link *chg = rtnl_link_alloc();
	int e;

	if (!chg)
		return;
	rtnl_link_inet6_set_addr_gen_mode(chg, rtnl_link_inet6_str2addrgenmode("none"));
	e = rtnl_link_change(d->rtnl, l, chg, 0);
	if (e)
		vlog(LOG_INFO, "links: %s: IPv6 address generation stays on: %s",
		     rtnl_link_get_name(l), nl_geterror(e));
	rtnl_link_put(chg);
}

static uint32_t want_mtu(struct vpnrtd *d, const struct cfg_tunnel *t, int underlay)
{
	struct rtnl_link *u;
	uint32_t mtu, over = link_esp_overhead(t);

	if (t->mtu)
		return t->mtu;
	if (rtnl_link_get_kernel(d->rtnl, underlay, NULL, &u))
		return 0;
	mtu = rtnl_link_get_mtu(u);
	rtnl_link_put(u);
	return mtu > over + 576 ? mtu - over : 576;
}

static uint32_t create_xfrm(struct vpnrtd *d, const struct cfg_conn *c,
			    const struct cfg_tunnel *t, int pos, char *err,
			    size_t errlen)
{
	char alias[64], addr[PREFIX_STRLEN];
	struct rtnl_link *l, *got;
	int underlay, e;
	uint32_t mtu, ifindex;

	underlay = underlay_of(d, &t->local);
	if (!underlay) {
		snprintf(err, errlen, "no device holds local-address %s; the underlay must have it",
			 format_prefix(&t->local, true, addr, sizeof(addr)));
		return 0;
	}
	mtu = want_mtu(d, t, underlay);
	l = rtnl_link_xfrmi_alloc();
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	rtnl_link_set_name(l, t->device);
	rtnl_link_xfrmi_set_link(l, underlay);
	rtnl_link_xfrmi_set_if_id(l, t->if_id);
	if (mtu)
		rtnl_link_set_mtu(l, mtu);
	e = rtnl_link_add(d->rtnl, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(l);
	if (e) {
		snprintf(err, errlen, "cannot create xfrm interface %s (if_id %u): %s",
			 t->device, t->if_id, nl_geterror(e));
		return 0;
	}
	e = rtnl_link_get_kernel(d->rtnl, 0, t->device, &got);
	if (e) {
		snprintf(err, errlen, "created %s but cannot read it back: %s",
			 t->device, nl_geterror(e));
		return 0;
	}
	snprintf(alias, sizeof(alias), ALIAS_PREFIX "%s/%d", c->name, pos);
	no_addrgen(d, got);
	e = set_up(d, got, 0, alias);
	ifindex = rtnl_link_get_ifindex(got);
	rtnl_link_put(got);
	if (e) {
		snprintf(err, errlen, "cannot bring %s up: %s", t->device, nl_geterror(e));
		return 0;
	}
	vlog(LOG_NOTICE, "connection %s: tunnel %d: created %s (xfrm, if_id %u, mtu %u)",
	     c->name, pos, t->device, t->if_id, mtu);
	return ifindex;
}

/* ---- the BGP inside addresses ---- */

struct addr_row {
	int ifindex;
	uint8_t plen;
	int proto;		/* IFA_PROTO, -1 when the kernel sent none */
	struct in_addr local;
};

struct addr_list {
	int n, cap;
	struct addr_row *v;
	bool oom;
};

static int addr_cb(struct nl_msg *msg, void *arg)
{
	struct addr_list *l = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[IFA_MAX + 1], *a;
	struct ifaddrmsg *ifa;
	struct addr_row *r;

	if (h->nlmsg_type != RTM_NEWADDR ||
	    !nlmsg_valid_hdr(h, sizeof(*ifa)))
		return NL_OK;
	ifa = nlmsg_data(h);
	if (ifa->ifa_family != AF_INET ||
	    nlmsg_parse(h, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return NL_OK;
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || nla_len(a) != 4)
		return NL_OK;
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 16;
		struct addr_row *v = realloc(l->v, (size_t)cap * sizeof(*v));

		if (!v) {
			l->oom = true;
			return NL_STOP;
		}
		l->v = v;
		l->cap = cap;
	}
	r = &l->v[l->n++];
	r->ifindex = (int)ifa->ifa_index;
	r->plen = ifa->ifa_prefixlen;
	r->proto = tb[IFA_PROTO] ? nla_get_u8(tb[IFA_PROTO]) : -1;
	memcpy(&r->local, nla_data(a), 4);
	return NL_OK;
}

/* every IPv4 address of the netns; 0, or -1 (logged) */
static int addr_dump(struct vpnrtd *d, struct addr_list *l)
{
	struct nl_cb *cb;
	int e;

	*l = (struct addr_list){ 0 };
	e = nl_rtgen_request(d->rtnl, RTM_GETADDR, AF_INET, NLM_F_DUMP);
	if (e < 0)
		goto out;
	cb = nl_cb_clone(nl_socket_get_cb(d->rtnl));
	if (!cb) {
		e = -NLE_NOMEM;
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, addr_cb, l);
	e = nl_recvmsgs(d->rtnl, cb);
	nl_cb_put(cb);
	if (!e && l->oom)
		e = -NLE_NOMEM;
out:
	if (e < 0) {
		vlog(LOG_ERR, "links: cannot read the addresses: %s", nl_geterror(e));
		free(l->v);
		*l = (struct addr_list){ 0 };
		return -1;
	}
	return 0;
}

/* add (RTM_NEWADDR, marked ours) or delete (RTM_DELADDR) local/plen */
static int addr_change(struct vpnrtd *d, int type, int ifindex,
		       struct in_addr local, uint8_t plen)
{
	struct ifaddrmsg ifa = {
		.ifa_family = AF_INET,
		.ifa_prefixlen = plen,
		.ifa_scope = RT_SCOPE_UNIVERSE,
		.ifa_index = (uint32_t)ifindex,
	};
	int flags = type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0;
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (!msg)
		return -NLE_NOMEM;
	if (nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, IFA_LOCAL, 4, &local) < 0 ||
	    nla_put(msg, IFA_ADDRESS, 4, &local) < 0 ||
	    (type == RTM_NEWADDR && nla_put_u8(msg, IFA_PROTO, ADDR_PROTO) < 0)) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	/* sends, waits for the ack, frees msg */
	return nl_send_sync(d->rtnl, msg);
}

static bool in_link_local(struct in_addr a)
{
	return (ntohl(a.s_addr) & 0xffff0000u) == 0xa9fe0000u;
}

/* does the config want local/plen on the device named name? */
static bool addr_wanted(const struct cfg *cfg, const char *name,
			struct in_addr local, uint8_t plen)
{
	for (int g = 0; g < cfg->n_gws; g++)
		for (int c = 0; c < cfg->gws[g].n_conns; c++) {
			const struct cfg_conn *cc = &cfg->gws[g].conns[c];

			for (int t = 0; t < cc->n_tunnels; t++) {
				const struct cfg_tunnel *ct = &cc->tunnels[t];

				if (ct->bgp.present && ct->bgp.local.family == AF_INET &&
				    ct->bgp.local.addr.v4.s_addr == local.s_addr &&
				    ct->bgp.cidr.len == plen &&
				    !strcmp(ct->device, name))
					return true;
			}
		}
	return false;
}

/*
 * Remove ours (IFA_PROTO 194, inside 169.254.0.0/16) the config does not
 * name on their device: on ifindex only, or on every device (0).
 */
static void addr_sweep(struct vpnrtd *d, const struct addr_list *l, int ifindex)
{
	for (int i = 0; i < l->n; i++) {
		const struct addr_row *r = &l->v[i];
		char name[IF_NAMESIZE] = "", a[INET_ADDRSTRLEN];
		int e;

		if ((ifindex && r->ifindex != ifindex) || r->proto != ADDR_PROTO ||
		    !in_link_local(r->local))
			continue;
		if (!if_indextoname((unsigned int)r->ifindex, name))
			continue;	/* gone meanwhile */
		if (addr_wanted(d->cfg, name, r->local, r->plen))
			continue;
		inet_ntop(AF_INET, &r->local, a, sizeof(a));
		e = addr_change(d, RTM_DELADDR, r->ifindex, r->local, r->plen);
		if (e && e != -NLE_NOADDR && e != -NLE_OBJ_NOTFOUND)
			vlog(LOG_ERR, "links: cannot remove BGP inside address %s/%u from %s (no longer in the config): %s",
			     a, r->plen, name, nl_geterror(e));
		else if (!e)
			vlog(LOG_NOTICE, "links: removed BGP inside address %s/%u from %s: no longer in the config",
			     a, r->plen, name);
	}
}

/* tunnel t's device (ifindex) gets its inside address, loses stale ones */
static void addr_sync(struct vpnrtd *d, const struct cfg_conn *c,
		      const struct cfg_tunnel *t, int pos, int ifindex)
{
	const struct cfg_tunnel_bgp *b = &t->bgp;
	struct addr_list l;
	char a[INET_ADDRSTRLEN];

	if (addr_dump(d, &l))
		return;
	if (b->present && b->local.family == AF_INET) {
		bool have = false, theirs = false;

		for (int i = 0; i < l.n && !have; i++)
			if (l.v[i].ifindex == ifindex &&
			    l.v[i].local.s_addr == b->local.addr.v4.s_addr &&
			    l.v[i].plen == b->cidr.len) {
				have = true;
				theirs = l.v[i].proto != ADDR_PROTO;
			}
		inet_ntop(AF_INET, &b->local.addr.v4, a, sizeof(a));
		if (!have) {
			int e = addr_change(d, RTM_NEWADDR, ifindex, b->local.addr.v4,
					    b->cidr.len);

			if (e && e != -NLE_EXIST)
				vlog(LOG_ERR, "connection %s: tunnel %d: cannot add BGP inside address %s/%u to %s: %s",
				     c->name, pos, a, b->cidr.len, t->device, nl_geterror(e));
			else if (!e)
				vlog(LOG_NOTICE, "connection %s: tunnel %d: added BGP inside address %s/%u to %s",
				     c->name, pos, a, b->cidr.len, t->device);
		} else if (theirs) {
			vlog(d->announce ? LOG_INFO : LOG_DEBUG,
			     "connection %s: tunnel %d: %s already has %s/%u, not added by vpnrtd: used as is, never removed",
			     c->name, pos, t->device, a, b->cidr.len);
		}
	}
	addr_sweep(d, &l, ifindex);
	free(l.v);
}

static uint32_t ensure_dev(struct vpnrtd *d, const struct cfg_conn *c,
			   const struct cfg_tunnel *t, char *err, size_t errlen);

uint32_t link_ensure(struct vpnrtd *d, const struct cfg_conn *c,
		     const struct cfg_tunnel *t, char *err, size_t errlen)
{
	uint32_t ifindex = ensure_dev(d, c, t, err, errlen);

	/*
	 * An address that cannot be added is logged, not an error: the
	 * tunnel forwards without it, only its BGP session cannot run; the
	 * next reconcile tries again.
	 */
	if (ifindex)
		addr_sync(d, c, t, (int)(t - c->tunnels) + 1, (int)ifindex);
	return ifindex;
}

static uint32_t ensure_dev(struct vpnrtd *d, const struct cfg_conn *c,
			   const struct cfg_tunnel *t, char *err, size_t errlen)
{
	int pos = (int)(t - c->tunnels) + 1;
	struct rtnl_link *l;
	uint32_t ifindex, if_id = 0;
	int e;

	e = rtnl_link_get_kernel(d->rtnl, 0, t->device, &l);
	if (e == -NLE_OBJ_NOTFOUND || e == -NLE_NODEV) {
		if (t->ike_none) {
			snprintf(err, errlen, "device %s does not exist (ike: none uses an existing device as is)",
				 t->device);
			return 0;
		}
		return create_xfrm(d, c, t, pos, err, errlen);
	}
	if (e) {
		snprintf(err, errlen, "cannot read device %s: %s", t->device,
			 nl_geterror(e));
		return 0;
	}
	ifindex = rtnl_link_get_ifindex(l);
	if (t->ike_none) {
		rtnl_link_put(l);
		return ifindex;
	}
	if (!rtnl_link_is_xfrmi(l) || rtnl_link_xfrmi_get_if_id(l, &if_id) ||
	    if_id != t->if_id) {
		if (ours(l)) {
			/* ours, made for another config: make it again */
			e = rtnl_link_delete(d->rtnl, l);
			rtnl_link_put(l);
			if (e) {
				snprintf(err, errlen, "cannot delete %s to recreate it: %s",
					 t->device, nl_geterror(e));
				return 0;
			}
			vlog(LOG_NOTICE, "connection %s: tunnel %d: %s had another if_id; recreating it",
			     c->name, pos, t->device);
			return create_xfrm(d, c, t, pos, err, errlen);
		}
		snprintf(err, errlen, "device %s exists and is not an xfrm interface with if_id %u; vpnrtd does not change devices it did not create",
			 t->device, t->if_id);
		rtnl_link_put(l);
		return 0;
	}
	if (!(rtnl_link_get_flags(l) & IFF_UP)) {
		e = set_up(d, l, 0, NULL);
		if (e) {
			snprintf(err, errlen, "cannot bring %s up: %s", t->device,
				 nl_geterror(e));
			rtnl_link_put(l);
			return 0;
		}
		vlog(LOG_NOTICE, "connection %s: tunnel %d: brought %s up",
		     c->name, pos, t->device);
	}
	if (t->mtu && rtnl_link_get_mtu(l) != t->mtu) {
		e = set_up(d, l, t->mtu, NULL);
		if (e)
			vlog(LOG_WARNING, "connection %s: tunnel %d: cannot set the mtu of %s to %u: %s",
			     c->name, pos, t->device, t->mtu, nl_geterror(e));
	}
	rtnl_link_put(l);
	return ifindex;
}

/* is name a device of an IKE tunnel in the config? */
static bool configured(const struct cfg *cfg, const char *name)
{
	for (int g = 0; g < cfg->n_gws; g++)
		for (int c = 0; c < cfg->gws[g].n_conns; c++) {
			const struct cfg_conn *cc = &cfg->gws[g].conns[c];

			for (int t = 0; t < cc->n_tunnels; t++)
				if (!cc->tunnels[t].ike_none &&
				    !strcmp(cc->tunnels[t].device, name))
					return true;
		}
	return false;
}

void link_prune(struct vpnrtd *d)
{
	struct addr_list al;
	struct nl_cache *cache;
	struct nl_object *o;

	if (rtnl_link_alloc_cache(d->rtnl, AF_UNSPEC, &cache))
		return;
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		const char *name = rtnl_link_get_name(l);
		int e;

		if (!ours(l) || !name || configured(d->cfg, name))
			continue;
		e = rtnl_link_delete(d->rtnl, l);
		if (e)
			vlog(LOG_ERR, "links: cannot delete %s (no longer in the config): %s",
			     name, nl_geterror(e));
		else
			vlog(LOG_NOTICE, "links: deleted %s: no longer in the config", name);
	}
	nl_cache_free(cache);
	/* BGP inside addresses of ours the config no longer names anywhere */
	if (!addr_dump(d, &al)) {
		addr_sweep(d, &al, 0);
		free(al.v);
	}
}
