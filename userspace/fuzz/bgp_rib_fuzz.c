// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for vpnrtd's BGP table (vpnrtd/bgp_rib.c): the input
 * is a program of announcements, withdrawals, graceful and hard session
 * downs, sweeps, refreshes and partial drains on four peers (c1 with two
 * tunnels, c2, c3 with action teardown), small quotas and a small prefix
 * space so that they collide. After every step the table must agree with
 * a recount of itself; the drained operations are applied to a model of
 * the kernel and the VPC table that must never see an impossible
 * operation, and that must equal the table's view once all is drained.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_rib.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPFX	24
#define NPEER	4
#define NCONN	3

static struct bgp_prefix pfx[NPFX];
static struct bgp_attrs attrs[8];
/* the model: pref + 1 per (prefix, connection), 0 absent; VPC set */
static uint32_t model[NPFX][NCONN];
static bool vpc[NPFX];

static void die(const char *what)
{
	fprintf(stderr, "bgp_rib_fuzz: %s\n", what);
	abort();
}

static void setup(void)
{
	static const char *const paths[8] = {
		"65001", "65001 65002", "65002", "65001 45104",
		"65003 65004 65005", "65001", "65002 65009", "65001",
	};
	unsigned int i;

	for (i = 0; i < NPFX; i++) {
		struct bgp_prefix *p = &pfx[i];

		memset(p, 0, sizeof(*p));
		if (i < 16) {	/* 10.0.i.0/24, some /16s, 0/0, 100.64/10 */
			p->af = BGP_AF_IPV4;
			p->addr[0] = i == 14 ? 0 : i == 15 ? 100 : 10;
			p->addr[1] = i == 15 ? 64 : (uint8_t)(i / 8);
			p->addr[2] = i < 12 ? (uint8_t)i : 0;
			p->len = i == 14 ? 0 : i == 15 ? 10 : i < 12 ? 24 : 16;
			if (i == 14)
				p->addr[1] = 0;
			if (i >= 12 && i < 14)
				p->addr[1] = (uint8_t)(20 + i);
		} else {
			p->af = BGP_AF_IPV6;
			p->addr[0] = 0x20;
			p->addr[1] = 0x01;
			p->addr[2] = 0x0d;
			p->addr[3] = 0xb8;
			p->addr[5] = (uint8_t)i;
			p->len = 48;
		}
	}
	for (i = 0; i < 8; i++) {
		uint32_t asns[4];
		size_t n = 0;
		const char *s = paths[i];
		char *end;

		bgp_attrs_init(&attrs[i]);
		while (*s && n < 4) {
			asns[n++] = (uint32_t)strtoul(s, &end, 10);
			s = end;
		}
		bgp_attrs_set_path(&attrs[i], asns, n);
		attrs[i].origin = (uint8_t)(i % 3);
		if (i & 1) {
			attrs[i].med = i * 10;
			attrs[i].present |= 1u << BGP_ATTR_MED;
		}
		if (i >= 5) {
			attrs[i].local_pref = 100 + i;
			attrs[i].present |= 1u << BGP_ATTR_LOCAL_PREF;
		}
	}
}

static int pfx_index(const struct bgp_prefix *p)
{
	unsigned int i;

	for (i = 0; i < NPFX; i++)
		if (pfx[i].af == p->af && pfx[i].len == p->len &&
		    !memcmp(pfx[i].addr, p->addr, 16))
			return (int)i;
	die("unknown prefix in an operation");
	return -1;
}

static void apply(const struct bgp_rib *rib, const struct bgp_rib_op *o)
{
	int i = pfx_index(&o->pfx);
	int c = o->conn == BGP_RIB_CONN_VPC ? -1 :
		bgp_rib_conn_id(rib, bgp_rib_conn_name(rib, o->conn));

	if (o->conn != BGP_RIB_CONN_VPC && (c < 0 || c >= NCONN))
		die("operation on an unknown connection");
	switch (o->type) {
	case BGP_RIB_OP_ADD:
		if (model[i][c] || !o->pref)
			die("add of a route the kernel has");
		model[i][c] = o->pref + 1;
		break;
	case BGP_RIB_OP_REPLACE:
		if (!model[i][c] || model[i][c] == o->pref + 1)
			die("replace of a missing or unchanged route");
		model[i][c] = o->pref + 1;
		break;
	case BGP_RIB_OP_DEL:
		if (!model[i][c])
			die("delete of a missing route");
		model[i][c] = 0;
		break;
	case BGP_RIB_OP_VPC_ADD:
		if (vpc[i])
			die("VPC add of a present prefix");
		vpc[i] = true;
		break;
	case BGP_RIB_OP_VPC_DEL:
		if (!vpc[i])
			die("VPC delete of a missing prefix");
		vpc[i] = false;
		break;
	default:
		die("unknown operation");
	}
}

static void drain(struct bgp_rib *rib, size_t max)
{
	struct bgp_rib_op ops[8];
	size_t n, i;

	do {
		n = bgp_rib_drain(rib, ops, max < 8 ? max : 8);
		for (i = 0; i < n; i++)
			apply(rib, &ops[i]);
	} while (n && max >= 8);
}

/* the table against a recount of itself */
static void check(const struct bgp_rib *rib, const int *peers, bool drained)
{
	uint32_t inst[NPFX][NCONN], acc[NPFX][NCONN];
	struct bgp_rib_peer_stats ps;
	struct bgp_rib_stats s;
	struct bgp_rib_iter it;
	struct bgp_rib_route r;
	uint32_t routes = 0, paths = 0, accepted = 0, refused = 0;
	unsigned int k, i, c;

	memset(inst, 0, sizeof(inst));
	memset(acc, 0, sizeof(acc));
	bgp_rib_stats(rib, &s);
	for (k = 0; k < NPEER; k++) {
		uint32_t n = 0, a = 0, in = 0, st = 0, ref[BGP_RIB_NREASONS];

		memset(ref, 0, sizeof(ref));
		bgp_rib_iter_init(&it, peers[k], -1, true);
		while (bgp_rib_iter_next(rib, &it, &r)) {
			i = (unsigned int)pfx_index(&r.pfx);
			c = r.conn;
			n++;
			st += r.stale;
			if (r.why == BGP_RIB_OK) {
				a++;
				acc[i][c]++;
			} else {
				ref[r.why]++;
			}
			if (r.installed) {
				if (r.why != BGP_RIB_OK)
					die("a refused route installed");
				in++;
				inst[i][c]++;
				if (drained && model[i][c] != r.pref + 1)
					die("kernel model pref differs");
			}
		}
		bgp_rib_peer_stats(rib, peers[k], &ps);
		if (ps.received != n || ps.accepted != a || ps.installed != in ||
		    ps.stale != st || memcmp(ps.refused + 1, ref + 1,
					     sizeof(ref) - sizeof(ref[0])))
			die("peer counters differ from a recount");
		if (ps.accepted > ps.max_routes)
			die("peer quota exceeded");
		paths += n;
		accepted += a;
		refused += n - a;
	}
	for (i = 0; i < NPFX; i++) {
		bool any = false;

		for (c = 0; c < NCONN; c++) {
			if (inst[i][c] > 1 || (acc[i][c] && !inst[i][c]))
				die("not exactly one installed path");
			routes += inst[i][c];
			any |= inst[i][c] != 0;
			if (drained && !inst[i][c] && model[i][c])
				die("kernel model has a route the table lacks");
		}
		if (drained && any != vpc[i])
			die("VPC model differs");
	}
	if (s.routes != routes || s.paths != paths ||
	    s.accepted != accepted || s.refused != refused)
		die("gateway counters differ from a recount");
	if (s.routes > s.max_routes)
		die("gateway quota exceeded");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const conns[NPEER] = { "c1", "c1", "c2", "c3" };
	static bool ready;
	struct bgp_rib_peer_conf pc;
	struct bgp_rib_config cfg;
	struct bgp_rib *rib;
	int peers[NPEER];
	size_t off;
	unsigned int k;

	if (!ready) {
		setup();
		ready = true;
	}
	memset(model, 0, sizeof(model));
	memset(vpc, 0, sizeof(vpc));
	bgp_rib_config_init(&cfg);
	cfg.max_routes = 20;
	cfg.refused_max = 4;
	cfg.med_always_compare = size && (data[0] & 1);
	cfg.n_own = 1;
	cfg.own[0] = pfx[13];
	rib = bgp_rib_new(&cfg);
	if (!rib)
		die("bgp_rib_new");
	for (k = 0; k < NPEER; k++) {
		memset(&pc, 0, sizeof(pc));
		pc.conn = conns[k];
		pc.tunnel = (uint8_t)(k == 1 ? 2 : 1);
		pc.addr.af = BGP_AF_IPV4;
		pc.addr.addr[0] = 169;
		pc.addr.addr[1] = 254;
		pc.addr.addr[3] = (uint8_t)(NPEER - k);
		pc.max_routes = 10;
		pc.action = k == 3 ? BGP_RIB_ACT_TEARDOWN : BGP_RIB_ACT_REFUSE;
		peers[k] = bgp_rib_peer_add(rib, &pc);
		if (peers[k] < 0)
			die("bgp_rib_peer_add");
	}
	for (off = 1; off + 1 < size; off += 2) {
		unsigned int op = data[off] & 7, pk = (data[off] >> 3) & 3;
		unsigned int arg = data[off + 1];
		int p = peers[pk];

		switch (op) {
		case 0:
		case 1:
		case 2:
			if (bgp_rib_announce(rib, p, &pfx[arg % NPFX],
					     &attrs[arg / NPFX % 8], NULL) ==
			    BGP_RIB_TEARDOWN)
				bgp_rib_peer_down(rib, p, false);
			break;
		case 3:
			bgp_rib_withdraw(rib, p, &pfx[arg % NPFX]);
			break;
		case 4:
			bgp_rib_peer_down(rib, p, arg & 1);
			break;
		case 5:
			bgp_rib_peer_sweep(rib, p, 1 + arg % 3);
			break;
		case 6:
			bgp_rib_peer_refresh(rib, p);
			break;
		case 7:
			drain(rib, arg % 10);
			break;
		}
		check(rib, peers, false);
	}
	drain(rib, 1000);
	check(rib, peers, true);
	bgp_rib_free(rib);
	return 0;
}
