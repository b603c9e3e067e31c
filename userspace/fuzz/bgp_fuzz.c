// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the BGP-4 wire codec (make fuzz). The first
 * input octet is the session: bit 0 4-octet AS, 1 eBGP, 2 IPv4 and 3
 * IPv6 negotiated, 4 peer AS 65001 checked, 5 our address 192.0.2.254,
 * 6 "raw": then the next octet is a message type and the rest its body
 * (the header is made here, so the fuzzer need not find the marker);
 * otherwise the rest is a byte stream cut by bgp_frame(). Each message
 * is copied to a buffer of its own size, so ASan sees any read past it.
 *
 * Whatever decodes is encoded again and decoded again and must be the
 * same: OPEN field by field, NOTIFICATION and ROUTE-REFRESH byte for
 * byte, an UPDATE's routes through bgp_build_announce() and
 * bgp_build_withdraw() (same prefixes, same canonical attribute set, and
 * the decoder must find nothing wrong with what the encoder made).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_AS4		0x01
#define FZ_EBGP		0x02
#define FZ_V4		0x04
#define FZ_V6		0x08
#define FZ_PEER		0x10
#define FZ_LOCAL	0x20
#define FZ_RAW		0x40

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static struct bgp_update u, u2;
static struct bgp_attrs ra, rb;
static struct bgp_prefix P[BGP_MSG_MAX], Q[BGP_MSG_MAX];

static void one_open(const uint8_t *m, size_t n, const struct bgp_ctx *c)
{
	struct bgp_open_expect exp = { .peer_as = c->peer_as };
	static uint8_t b1[BGP_MSG_MAX], b2[BGP_MSG_MAX];
	struct bgp_notification err;
	struct bgp_open o, o2;
	char e[160];
	int l1, l2;
	unsigned int i;

	if (bgp_open_decode(m, n, &exp, &o, &err) < 0) {
		CHECK(o.why[0] && memchr(o.why, 0, sizeof(o.why)));
		CHECK(err.code == 1 || err.code == 2);
		return;
	}
	l1 = bgp_build_open(&o, b1, sizeof(b1), e, sizeof(e));
	CHECK(l1 >= BGP_OPEN_MIN && (size_t)l1 <= n + 3);
	CHECK(bgp_open_decode(b1, (size_t)l1, &exp, &o2, &err) == 0);
	CHECK(o2.as == o.as && o2.hold_time == o.hold_time &&
	      o2.bgp_id == o.bgp_id && o2.cap_as4 == o.cap_as4 &&
	      o2.cap_rr == o.cap_rr && o2.cap_err == o.cap_err &&
	      o2.cap_gr == o.cap_gr && o2.n_mp == o.n_mp &&
	      o2.n_gr == o.n_gr && o2.n_other == o.n_other);
	CHECK(!o.cap_gr || (o2.gr_flags == o.gr_flags &&
			    o2.gr_time == o.gr_time));
	for (i = 0; i < o.n_mp; i++)
		CHECK(o2.mp[i].afi == o.mp[i].afi &&
		      o2.mp[i].safi == o.mp[i].safi);
	for (i = 0; i < o.n_gr; i++)
		CHECK(o2.gr[i].afi == o.gr[i].afi &&
		      o2.gr[i].safi == o.gr[i].safi &&
		      o2.gr[i].flags == o.gr[i].flags);
	for (i = 0; i < o.n_other; i++)
		CHECK(o2.other[i].code == o.other[i].code &&
		      o2.other[i].len == o.other[i].len &&
		      !memcmp(o2.other[i].val, o.other[i].val, o.other[i].len));
	/* the encoder's output is a fixed point */
	l2 = bgp_build_open(&o2, b2, sizeof(b2), e, sizeof(e));
	CHECK(l2 == l1 && !memcmp(b1, b2, (size_t)l1));
}

static int pfx_cmp(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct bgp_prefix));
}

/* checks a run's prefixes and copies them out */
static size_t run_prefixes(const struct bgp_nlri *r, const uint8_t *m,
			   size_t n, struct bgp_prefix *out)
{
	struct bgp_prefix_iter it;
	struct bgp_prefix p;
	unsigned int bits, i;
	size_t k = 0;

	CHECK(r->p >= m && r->p + r->len <= m + n && r->af < BGP_AF_COUNT);
	bgp_prefix_iter_init(&it, r);
	while (bgp_prefix_next(&it, &p)) {
		bits = r->af == BGP_AF_IPV6 ? 128 : 32;
		CHECK(p.af == r->af && p.len <= bits);
		for (i = p.len; i < bits; i++)
			CHECK(!(p.addr[i / 8] & (0x80 >> (i % 8))));
		out[k++] = p;
	}
	CHECK(k == r->count && it.off == r->len);
	return k;
}

/* smallest encoding of the prefixes: to tell "too big" from a bug */
static size_t min_size(const struct bgp_prefix *p, size_t n)
{
	size_t i, m = 17, s;

	for (i = 0; i < n; i++) {
		s = 1 + (p[i].len + 7u) / 8;
		if (s < m)
			m = s;
	}
	return m;
}

/* sends the prefixes again (a: announce) and decodes them back */
static void resend(const struct bgp_ctx *c, const struct bgp_attrs *a,
		   enum bgp_af af, size_t n)
{
	static uint8_t buf[BGP_MSG_MAX];
	size_t got = 0, used, k;
	char e[160];
	int len;

	memcpy(Q, P, n * sizeof(*P));
	while (got < n) {
		if (a)
			len = bgp_build_announce(c, a, af, P + got, n - got,
						 &used, buf, sizeof(buf), e,
						 sizeof(e));
		else
			len = bgp_build_withdraw(af, P + got, n - got, &used,
						 buf, sizeof(buf), e, sizeof(e));
		if (len < 0 && a && got == 0) {
			/* only attributes that leave no room may fail */
			CHECK(BGP_UPDATE_MIN + bgp_attrs_encoded_len(c, a, af) +
			      1 + min_size(P, n) > BGP_MSG_MAX);
			return;
		}
		CHECK(len >= BGP_UPDATE_MIN && len <= BGP_MSG_MAX && used);
		CHECK(bgp_update_decode(c, buf, (size_t)len, &u2) == BGP_UPD_OK);
		CHECK(u2.n_notes == 0 && u2.eor == -1);
		if (a) {
			CHECK(u2.n_announced == 1 && u2.n_withdrawn == 0);
			bgp_update_route_attrs(&u2, &u2.announced[0], &rb);
			CHECK(bgp_attrs_cmp(&rb, a) == 0);
			CHECK(bgp_attrs_hash(&rb) == bgp_attrs_hash(a));
			k = run_prefixes(&u2.announced[0], buf, (size_t)len,
					 Q + got);
		} else {
			CHECK(u2.n_withdrawn == 1 && u2.n_announced == 0);
			k = run_prefixes(&u2.withdrawn[0], buf, (size_t)len,
					 Q + got);
		}
		CHECK(k == used);
		got += used;
	}
	qsort(P, n, sizeof(*P), pfx_cmp);
	qsort(Q, n, sizeof(*Q), pfx_cmp);
	CHECK(!memcmp(P, Q, n * sizeof(*P)));
}

static void one_update(const uint8_t *m, size_t n, const struct bgp_ctx *c)
{
	static uint8_t buf[64];
	enum bgp_decision d = bgp_update_decode(c, m, n, &u);
	struct bgp_aspath_iter it;
	struct bgp_aspath_seg s;
	struct bgp_rank rk;
	unsigned int i;
	size_t k;
	char txt[256];

	CHECK(d <= BGP_UPD_SESSION_RESET && u.n_notes <= BGP_UPD_NOTES_MAX);
	for (i = 0; i < u.n_notes; i++)
		CHECK(memchr(u.notes[i].reason, 0, BGP_REASON_LEN) &&
		      u.notes[i].decision <= d);
	CHECK(d == BGP_UPD_OK || u.n_notes || u.notes_lost);
	if (d == BGP_UPD_SESSION_RESET) {
		CHECK(!u.n_withdrawn && !u.n_announced && u.notif.code);
		return;
	}
	CHECK(u.n_withdrawn <= 4 && u.n_announced <= 2);
	if (u.eor >= 0) {
		CHECK(d == BGP_UPD_OK && !u.n_withdrawn && !u.n_announced);
		k = (size_t)bgp_build_eor((enum bgp_af)u.eor, buf, sizeof(buf));
		CHECK(bgp_update_decode(c, buf, k, &u2) == BGP_UPD_OK &&
		      u2.eor == u.eor);
	}
	for (i = 0; i < u.n_withdrawn; i++) {
		k = run_prefixes(&u.withdrawn[i], m, n, P);
		resend(c, NULL, u.withdrawn[i].af, k);
	}
	for (i = 0; i < u.n_announced; i++) {
		bgp_update_route_attrs(&u, &u.announced[i], &ra);
		CHECK(bgp_attrs_size(&ra) <= sizeof(ra));
		bgp_aspath_iter_init(&it, &ra);
		while (bgp_aspath_next(&it, &s))
			CHECK(s.count && s.type >= 1 && s.type <= 4);
		CHECK(it.off == ra.aspath_len);
		bgp_aspath_fmt(&ra, txt, sizeof(txt));
		bgp_attrs_rank(&ra, &rk);
		CHECK(bgp_rank_cmp(&rk, &rk) == 0 &&
		      rk.path_len == bgp_aspath_length(&ra));
		for (k = 1; k < bgp_attrs_n_communities(&ra); k++)
			CHECK(bgp_attrs_community(&ra, k - 1) <
			      bgp_attrs_community(&ra, k));
		k = run_prefixes(&u.announced[i], m, n, P);
		resend(c, &ra, u.announced[i].af, k);
	}
}

static void one_notification(const uint8_t *m, size_t n)
{
	static struct bgp_notification no;
	static uint8_t b[BGP_MSG_MAX];
	const uint8_t *t;
	char why[160], out[1200];
	uint16_t afi;
	uint8_t safi;
	uint32_t lim;
	size_t tl, i;
	int len;

	if (bgp_notification_decode(m, n, &no) < 0)
		return;
	len = bgp_build_notification(&no, b, sizeof(b));
	CHECK(len > 0 && (size_t)len == n && !memcmp(b, m, n));
	if (bgp_notification_shutdown(&no, &t, &tl, why, sizeof(why)) == 1) {
		CHECK(tl <= 255 && bgp_utf8_valid(t, tl));
		bgp_sanitize(t, tl, out, sizeof(out));
		for (i = 0; out[i]; i++)
			CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
	}
	bgp_notification_maxprefix(&no, &afi, &safi, &lim);
	bgp_sanitize(no.data, no.len, out, sizeof(out));
	(void)bgp_suberr_name(no.code, no.subcode);
}

static void one_route_refresh(const uint8_t *m, size_t n)
{
	struct bgp_route_refresh rr;
	struct bgp_notification err;
	uint8_t b[64];

	if (bgp_route_refresh_decode(m, n, &rr, &err) != 0)
		return;
	CHECK(bgp_build_route_refresh(&rr, b, sizeof(b)) == (int)n &&
	      !memcmp(b, m, n));
}

static void one_message(const uint8_t *src, size_t n, const struct bgp_ctx *c)
{
	uint8_t *m = malloc(n);
	struct bgp_notification err;

	if (!m)
		return;
	memcpy(m, src, n);
	switch (m[18]) {
	case BGP_MSG_OPEN:
		one_open(m, n, c);
		break;
	case BGP_MSG_UPDATE:
		one_update(m, n, c);
		break;
	case BGP_MSG_NOTIFICATION:
		one_notification(m, n);
		break;
	case BGP_MSG_ROUTE_REFRESH:
		one_route_refresh(m, n);
		break;
	case BGP_MSG_KEEPALIVE:
		CHECK(n == BGP_HDR_LEN);
		break;
	}
	/* every decoder refuses a message of another type */
	if (m[18] != BGP_MSG_UPDATE)
		CHECK(bgp_update_decode(c, m, n, &u) == BGP_UPD_SESSION_RESET);
	if (m[18] != BGP_MSG_NOTIFICATION)
		CHECK(bgp_notification_decode(m, n, &err) < 0);
	free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[BGP_MSG_MAX];
	struct bgp_notification err;
	struct bgp_ctx c = { 0 };
	size_t off = 1, n, body;

	if (size < 1)
		return 0;
	c.as4 = data[0] & FZ_AS4;
	c.ebgp = data[0] & FZ_EBGP;
	c.afs = (data[0] & FZ_V4 ? 1 : 0) | (data[0] & FZ_V6 ? 2 : 0);
	c.peer_as = data[0] & FZ_PEER ? 65001 : 0;
	c.local_ip4 = data[0] & FZ_LOCAL ? 0xc00002fe : 0;
	if (data[0] & FZ_RAW) {
		if (size < 2)
			return 0;
		body = size - 2;
		if (body > BGP_MSG_MAX - BGP_HDR_LEN)
			body = BGP_MSG_MAX - BGP_HDR_LEN;
		memset(msg, 0xff, BGP_MARKER_LEN);
		msg[16] = (uint8_t)((BGP_HDR_LEN + body) >> 8);
		msg[17] = (uint8_t)(BGP_HDR_LEN + body);
		msg[18] = data[1];
		memcpy(msg + BGP_HDR_LEN, data + 2, body);
		if (bgp_frame(msg, BGP_HDR_LEN + body, &n, &err) == BGP_FRAME_MSG)
			one_message(msg, n, &c);
		return 0;
	}
	while (off < size) {
		switch (bgp_frame(data + off, size - off, &n, &err)) {
		case BGP_FRAME_MSG:
			CHECK(n >= BGP_HDR_LEN && n <= BGP_MSG_MAX &&
			      n <= size - off);
			one_message(data + off, n, &c);
			off += n;
			continue;
		case BGP_FRAME_ERROR:
			CHECK(err.code == BGP_ERR_HEADER && err.subcode >= 1 &&
			      err.subcode <= 3 && err.len <= 2);
			return 0;
		case BGP_FRAME_MORE:
			CHECK(n > size - off && n >= BGP_HDR_LEN);
			return 0;
		}
	}
	return 0;
}
