// SPDX-License-Identifier: GPL-2.0
/*
 * The pure parts of vpnrtd's BGP glue: the advertisement (bgp_adv.c),
 * decoded back with the codec, and the table's operations into kernel
 * requests (bgp_kernel.c) against a fake kernel with a quota.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "bgp_int.h"
#include "vpnrtd.h"

/* ---- advertisement ---- */

#define MAXMSG 4096

static struct {
	int n;
	size_t len[MAXMSG];
	uint8_t *msg[MAXMSG];
	int fail_after;		/* sends accepted before a failure; -1: none */
	int markers[MAXMSG];	/* af * 256 + subtype, in order with msgs */
	int n_markers;
} out;

static void out_reset(int fail_after)
{
	for (int i = 0; i < out.n; i++)
		free(out.msg[i]);
	memset(&out, 0, sizeof(out));
	out.fail_after = fail_after;
}

static int fake_send(void *arg, const uint8_t *msg, size_t len)
{
	(void)arg;
	if (out.fail_after >= 0 && out.n >= out.fail_after) {
		errno = ENOBUFS;
		return -1;
	}
	out.msg[out.n] = malloc(len);
	memcpy(out.msg[out.n], msg, len);
	out.len[out.n++] = len;
	return 0;
}

static int fake_marker(void *arg, enum bgp_af af, uint8_t subtype)
{
	(void)arg;
	if (out.fail_after >= 0 && out.n >= out.fail_after) {
		errno = ENOBUFS;
		return -1;
	}
	out.markers[out.n_markers++] = (int)af * 256 + subtype;
	return 0;
}

static void pfx4(struct bgp_prefix *p, uint32_t a, uint8_t len)
{
	memset(p, 0, sizeof(*p));
	p->af = BGP_AF_IPV4;
	p->len = len;
	a = htonl(a);
	memcpy(p->addr, &a, 4);
}

static void pfx6(struct bgp_prefix *p, uint16_t w0, uint16_t w1, uint8_t len)
{
	memset(p, 0, sizeof(*p));
	p->af = BGP_AF_IPV6;
	p->len = len;
	p->addr[0] = (uint8_t)(w0 >> 8);
	p->addr[1] = (uint8_t)w0;
	p->addr[2] = (uint8_t)(w1 >> 8);
	p->addr[3] = (uint8_t)w1;
}

/* decode every captured UPDATE: announced and withdrawn counts, checks */
struct seen {
	size_t ann[2], wd[2];
	bool attrs_ok;
	struct bgp_pset ann_set;
};

static void decode_all(struct seen *s, uint32_t local_as, uint32_t nh4)
{
	/* decoded as the peer would: we are its eBGP neighbour local_as */
	struct bgp_ctx peer = { .as4 = true, .afs = 3, .peer_as = local_as,
				.ebgp = true };
	static struct bgp_update u;

	memset(s, 0, sizeof(*s));
	s->attrs_ok = true;
	for (int i = 0; i < out.n; i++) {
		if (bgp_update_decode(&peer, out.msg[i], out.len[i], &u) !=
		    BGP_UPD_OK) {
			s->attrs_ok = false;
			continue;
		}
		for (int r = 0; r < u.n_withdrawn; r++)
			s->wd[u.withdrawn[r].af] += u.withdrawn[r].count;
		for (int r = 0; r < u.n_announced; r++) {
			static struct bgp_attrs a;
			struct bgp_prefix_iter it;
			struct bgp_prefix p;

			bgp_update_route_attrs(&u, &u.announced[r], &a);
			if (bgp_aspath_first(&a) != local_as ||
			    bgp_aspath_length(&a) != 1 || a.origin != BGP_ORIGIN_IGP)
				s->attrs_ok = false;
			if (u.announced[r].af == BGP_AF_IPV4 &&
			    (a.nh_len != 4 || memcmp(a.nh, &nh4, 4)))
				s->attrs_ok = false;
			if (u.announced[r].af == BGP_AF_IPV6 &&
			    (a.nh_len != 16 || a.nh[10] != 0xff || a.nh[11] != 0xff ||
			     memcmp(a.nh + 12, &nh4, 4)))
				s->attrs_ok = false;
			s->ann[u.announced[r].af] += u.announced[r].count;
			bgp_prefix_iter_init(&it, &u.announced[r]);
			while (bgp_prefix_next(&it, &p))
				bgp_pset_add(&s->ann_set, &p);
		}
	}
	bgp_pset_sort(&s->ann_set);
}

static void test_adv(void)
{
	struct bgp_ctx ctx = { .as4 = true, .afs = 3, .peer_as = 65001,
			       .ebgp = true };
	struct bgp_adv adv = { 0 };
	struct bgp_pset want = { 0 };
	struct bgp_prefix p;
	struct seen s;
	uint32_t nh4 = htonl(0xa9fe0a01);	/* 169.254.10.1 */
	size_t msgs = 0;
	int rc;

	adv.local_as = 45104;
	adv.next_hop = nh4;
	/* 3000 IPv4 /24s and 10 IPv6 /48s */
	for (uint32_t i = 0; i < 3000; i++) {
		pfx4(&p, 0x0a000000 + (i << 8), 24);
		bgp_pset_add(&want, &p);
	}
	for (uint16_t i = 0; i < 10; i++) {
		pfx6(&p, 0x2001, 0x0db8 + i, 48);
		bgp_pset_add(&want, &p);
	}
	bgp_pset_sort(&want);
	TAP_CHECK(want.n == 3010, "want set: %zu prefixes", want.n);

	/* a new session: the whole set, then End-of-RIB per family */
	out_reset(-1);
	adv.eor_pending = 3;
	rc = bgp_adv_sync(&adv, &want, 3, &ctx, fake_send, fake_marker, NULL,
			  &msgs);
	decode_all(&s, 45104, nh4);
	TAP_CHECK(rc == 0 && adv.sent.n == 3010, "full sync: rc %d, %zu sent",
		  rc, adv.sent.n);
	TAP_CHECK(s.ann[0] == 3000 && s.ann[1] == 10 && s.wd[0] == 0,
		  "peer decodes 3000 IPv4 + 10 IPv6 announced (%zu + %zu)",
		  s.ann[0], s.ann[1]);
	TAP_CHECK(s.attrs_ok, "ORIGIN IGP, AS_PATH [45104], next hop 169.254.10.1 / ::ffff:169.254.10.1");
	TAP_CHECK(out.n <= 4, "3010 prefixes in %d UPDATEs (at most 4)", out.n);
	TAP_CHECK(s.ann_set.n == want.n &&
		  !memcmp(s.ann_set.v, want.v, want.n * sizeof(want.v[0])),
		  "exactly the advertise set, nothing else (split horizon)");
	TAP_CHECK(out.n_markers == 2 &&
		  out.markers[0] == BGP_AF_IPV4 * 256 + BGP_ADV_MARK_EOR &&
		  out.markers[1] == BGP_AF_IPV6 * 256 + BGP_ADV_MARK_EOR,
		  "End-of-RIB IPv4 then IPv6");
	bgp_pset_free(&s.ann_set);

	/* again: nothing to send */
	out_reset(-1);
	msgs = 0;
	rc = bgp_adv_sync(&adv, &want, 3, &ctx, fake_send, fake_marker, NULL,
			  &msgs);
	TAP_CHECK(rc == 0 && out.n == 0 && out.n_markers == 0,
		  "in sync: no message (%d)", out.n);

	/* a reload: 1000 prefixes go, 5 come */
	{
		struct bgp_pset w2 = { 0 };

		for (size_t i = 1000; i < want.n; i++)
			bgp_pset_add(&w2, &want.v[i]);
		for (uint32_t i = 0; i < 5; i++) {
			pfx4(&p, 0xc0a80000 + (i << 8), 24);
			bgp_pset_add(&w2, &p);
		}
		bgp_pset_sort(&w2);
		out_reset(-1);
		rc = bgp_adv_sync(&adv, &w2, 3, &ctx, fake_send, fake_marker,
				  NULL, &msgs);
		decode_all(&s, 45104, nh4);
		TAP_CHECK(rc == 0 && s.wd[0] == 1000 && s.ann[0] == 5 &&
			  s.ann[1] == 0 && adv.sent.n == w2.n,
			  "reload: 1000 withdrawn, 5 announced, %zu now (want %zu)",
			  adv.sent.n, w2.n);
		TAP_CHECK(out.n <= 3, "the difference in %d UPDATEs", out.n);
		bgp_pset_free(&s.ann_set);
		bgp_pset_free(&want);
		want = w2;
	}

	/* a full queue stops the sync; writable resumes it */
	{
		struct bgp_adv a2 = { .local_as = 45104, .next_hop = nh4,
				      .eor_pending = 1 };
		size_t total = 0;
		int rounds = 0;

		do {
			out_reset(1);
			rc = bgp_adv_sync(&a2, &want, 1, &ctx, fake_send,
					  fake_marker, NULL, &msgs);
			decode_all(&s, 45104, nh4);
			total += s.ann[0];
			bgp_pset_free(&s.ann_set);
			rounds++;
		} while (rc && rounds < 100);
		TAP_CHECK(rc == 0 && total == 2005 && a2.sent.n == 2005,
			  "one UPDATE per writable: %zu announced over %d rounds, then EoR",
			  total, rounds);
		TAP_CHECK(a2.sent.n == 2005 && !a2.eor_pending,
			  "IPv6 left out when not negotiated (%zu sent)", a2.sent.n);
		bgp_pset_free(&a2.sent);
	}

	/* enhanced route refresh: BoRR, the family again, EoRR */
	{
		size_t k = 0;

		for (size_t i = 0; i < adv.sent.n; i++)
			if (adv.sent.v[i].af != BGP_AF_IPV4)
				adv.sent.v[k++] = adv.sent.v[i];
		adv.sent.n = k;
		adv.borr_pending = adv.eorr_pending = 1;
		out_reset(-1);
		rc = bgp_adv_sync(&adv, &want, 3, &ctx, fake_send, fake_marker,
				  NULL, &msgs);
		decode_all(&s, 45104, nh4);
		TAP_CHECK(rc == 0 && s.ann[0] == 2005 &&
			  out.n_markers == 2 &&
			  out.markers[0] == BGP_RR_BORR &&
			  out.markers[1] == BGP_RR_EORR,
			  "refresh: BoRR, %zu IPv4 again, EoRR", s.ann[0]);
		bgp_pset_free(&s.ann_set);
	}
	out_reset(-1);
	bgp_pset_free(&adv.sent);
	bgp_pset_free(&want);
}

/* ---- kernel batching ---- */

#define FK_MAX 10000

static struct {
	struct vpnrt_route r[FK_MAX];
	size_t n, quota;
	int reqs, replaces;
	size_t biggest;
} fk;

static long fk_find(const struct vpnrt_route *r)
{
	for (size_t i = 0; i < fk.n; i++)
		if (!strcmp(fk.r[i].conn, r->conn) && fk.r[i].family == r->family &&
		    fk.r[i].dst.len == r->dst.len &&
		    !memcmp(fk.r[i].dst.addr.bytes, r->dst.addr.bytes, 16))
			return (long)i;
	return -1;
}

/* all or none, as the kernel: the first bad route names the error */
static int fk_xfer(uint8_t cmd, bool replace, const struct vpnrt_route *v,
		   size_t n, char *msg, size_t len)
{
	size_t n0 = fk.n;
	struct vpnrt_route save[64];

	fk.reqs++;
	if (n > fk.biggest)
		fk.biggest = n;
	if (replace)
		fk.replaces++;
	memcpy(save, fk.r, sizeof(save[0]) * (fk.n < 64 ? fk.n : 64));
	for (size_t i = 0; i < n; i++) {
		long at = fk_find(&v[i]);
		int err = 0;

		if (v[i].proto != VPNRT_PROTO_BGP || !VPNRT_HAS(&v[i], VPNRT_A_ROUTE_CONN))
			err = -EINVAL;
		else if (cmd == VPNRT_CMD_ROUTE_DEL) {
			if (at < 0)
				err = -ESRCH;
			else
				fk.r[at] = fk.r[--fk.n];
		} else if (at >= 0) {
			if (!replace)
				err = -EEXIST;
			else
				fk.r[at].pref = v[i].pref;
		} else if (fk.n >= fk.quota) {
			err = -ENOSPC;
		} else {
			fk.r[fk.n++] = v[i];
		}
		if (err) {
			snprintf(msg, len, "route %zu: %s", i + 1,
				 err == -ENOSPC ? "BGP route quota of vpngw0 reached (max-bgp-routes 5)" :
				 err == -EEXIST ? "route exists" : "no such route");
			/* roll back (the fake only checks counts after a failure) */
			if (fk.n > n0 && cmd == VPNRT_CMD_ROUTE_NEW)
				fk.n = n0;
			if (cmd == VPNRT_CMD_ROUTE_DEL && n0 <= 64) {
				memcpy(fk.r, save, sizeof(save[0]) * n0);
				fk.n = n0;
			}
			return err;
		}
	}
	return 0;
}

static void test_kernel(void)
{
	struct bgp_rib_config rc;
	struct bgp_rib *rib;
	struct bgp_rib_peer_conf pc = { .conn = "dc1", .tunnel = 1,
					.peer_as = 65001, .max_routes = 100000 };
	struct bgp_rib_op *ops;
	struct bgp_kernel_stats st;
	struct vpnrtd d;
	struct vpnrt_route r;
	int conn;
	size_t n;

	memset(&d, 0, sizeof(d));
	bgp_rib_config_init(&rc);
	rc.max_routes = 100000;
	rib = bgp_rib_new(&rc);
	TAP_CHECK(rib && bgp_rib_peer_add(rib, &pc) == 0, "table with one peer");
	conn = bgp_rib_conn_id(rib, "dc1");
	ops = calloc(5000, sizeof(*ops));
	bgp_kernel_set_test_xfer(fk_xfer);

	/* the route of an op */
	ops[0] = (struct bgp_rib_op){ .type = BGP_RIB_OP_ADD, .conn = (uint16_t)conn,
				      .pref = 3 };
	pfx4(&ops[0].pfx, 0x0a010000, 16);
	bgp_kernel_route(&ops[0], "dc1", &r);
	TAP_CHECK(r.family == AF_INET && r.dst.len == 16 &&
		  r.dst.addr.v4.s_addr == htonl(0x0a010000) &&
		  r.proto == VPNRT_PROTO_BGP && r.pref == 3 &&
		  VPNRT_HAS(&r, VPNRT_A_ROUTE_PREF) &&
		  !VPNRT_HAS(&r, VPNRT_A_ROUTE_WEIGHT) && !strcmp(r.conn, "dc1"),
		  "ADD op: family, dst, proto bgp, conn, pref, no weight");
	ops[0].type = BGP_RIB_OP_DEL;
	bgp_kernel_route(&ops[0], "dc1", &r);
	TAP_CHECK(!VPNRT_HAS(&r, VPNRT_A_ROUTE_PREF), "DEL op: the key only");

	/* 2500 adds: 3 requests of at most 1024 */
	memset(&fk, 0, sizeof(fk));
	fk.quota = FK_MAX;
	for (n = 0; n < 2500; n++) {
		ops[n] = (struct bgp_rib_op){ .type = BGP_RIB_OP_ADD,
					      .conn = (uint16_t)conn, .pref = 1 };
		pfx4(&ops[n].pfx, 0x0a000000 + ((uint32_t)n << 8), 24);
	}
	memset(&st, 0, sizeof(st));
	bgp_kernel_send(&d, rib, ops, n, &st);
	TAP_CHECK(st.added == 2500 && st.msgs == 3 && fk.n == 2500 &&
		  fk.biggest == BGP_KERNEL_BATCH,
		  "2500 adds in %u requests (biggest %zu)", st.msgs, fk.biggest);

	/* mixed: 10 deletes (2 already gone), 10 replaces, 10 adds, VPC ops */
	n = 0;
	for (uint32_t i = 0; i < 10; i++, n++) {
		ops[n] = (struct bgp_rib_op){ .type = BGP_RIB_OP_VPC_DEL,
					      .conn = BGP_RIB_CONN_VPC };
		pfx4(&ops[n].pfx, 0x0a000000 + (i << 8), 24);
	}
	for (uint32_t i = 0; i < 10; i++, n++) {
		ops[n] = (struct bgp_rib_op){ .type = BGP_RIB_OP_DEL,
					      .conn = (uint16_t)conn };
		pfx4(&ops[n].pfx, 0x0a000000 + ((i < 2 ? 5000 + i : i) << 8), 24);
	}
	for (uint32_t i = 100; i < 110; i++, n++) {
		ops[n] = (struct bgp_rib_op){ .type = BGP_RIB_OP_REPLACE,
					      .conn = (uint16_t)conn, .pref = 2 };
		pfx4(&ops[n].pfx, 0x0a000000 + (i << 8), 24);
	}
	for (uint32_t i = 0; i < 10; i++, n++) {
		ops[n] = (struct bgp_rib_op){ .type = BGP_RIB_OP_ADD,
					      .conn = (uint16_t)conn, .pref = 1 };
		pfx4(&ops[n].pfx, 0xac100000 + (i << 8), 24);
	}
	memset(&st, 0, sizeof(st));
	fk.reqs = fk.replaces = 0;
	bgp_kernel_send(&d, rib, ops, n, &st);
	TAP_CHECK(st.deleted == 8 && st.gone == 2 && st.replaced == 10 &&
		  st.added == 10 && st.refused == 0,
		  "8 deleted, 2 already gone, 10 replaced, 10 added (%u %u %u %u %u)",
		  st.deleted, st.gone, st.replaced, st.added, st.refused);
	TAP_CHECK(fk.n == 2500 - 8 + 10, "kernel holds %zu", fk.n);
	TAP_CHECK(st.msgs <= 8, "%u requests for 3 batches with 2 deletes refused",
		  st.msgs);

	/* an add of a route that exists: sent again as a replace */
	ops[0] = (struct bgp_rib_op){ .type = BGP_RIB_OP_ADD,
				      .conn = (uint16_t)conn, .pref = 7 };
	pfx4(&ops[0].pfx, 0x0a000000 + (300 << 8), 24);
	memset(&st, 0, sizeof(st));
	bgp_kernel_send(&d, rib, ops, 1, &st);
	bgp_kernel_route(&ops[0], "dc1", &r);
	TAP_CHECK(st.replaced == 1 && st.refused == 0 && fk_find(&r) >= 0 &&
		  fk.r[fk_find(&r)].pref == 7,
		  "EEXIST on add: sent again as a replace, pref 7 taken");

	/* quota: 5 routes, 12 adds: 5 in, 7 refused, few requests */
	memset(&fk, 0, sizeof(fk));
	fk.quota = 5;
	for (n = 0; n < 12; n++) {
		ops[n] = (struct bgp_rib_op){ .type = BGP_RIB_OP_ADD,
					      .conn = (uint16_t)conn, .pref = 1 };
		pfx4(&ops[n].pfx, 0x0b000000 + ((uint32_t)n << 8), 24);
	}
	memset(&st, 0, sizeof(st));
	bgp_kernel_send(&d, rib, ops, n, &st);
	TAP_CHECK(st.added == 5 && st.refused == 7 && fk.n == 5,
		  "quota 5: %u added, %u refused", st.added, st.refused);
	TAP_CHECK(strstr(st.first_err, "11.0.5.0/24") &&
		  strstr(st.first_err, "quota"),
		  "first refusal named with its extack: %s", st.first_err);
	TAP_CHECK(st.msgs <= 3, "%u requests: the full quota refuses the rest without a request each",
		  st.msgs);

	bgp_kernel_set_test_xfer(NULL);
	free(ops);
	bgp_rib_free(rib);
}

int main(void)
{
	test_adv();
	test_kernel();
	return tap_done();
}
