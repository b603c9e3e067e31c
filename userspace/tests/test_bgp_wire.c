// SPDX-License-Identifier: GPL-2.0
/*
 * BGP-4 wire codec (vpnrtd/bgp_wire.c) on byte vectors written by hand
 * from RFC 4271, 4760, 6793, 7606, 9072, 8203/9003, 4486, 2918/7313,
 * and the parser CVE shapes of shared/research/bgp-anchors.md section 5.
 * With BGP_CORPUS_DIR set, the vectors are also written there as
 * libFuzzer seeds for fuzz/bgp_fuzz.c (a context octet, then the
 * message).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_wire.h"
#include "tap.h"

/* string literals hold the vectors: S() gives pointer and length */
#define S(s) (const void *)(s), sizeof(s) - 1

#define MARKER "\xff\xff\xff\xff\xff\xff\xff\xff" \
	       "\xff\xff\xff\xff\xff\xff\xff\xff"

/* the fuzzer's context octet (fuzz/bgp_fuzz.c reads it the same way) */
#define FZ_AS4		0x01
#define FZ_EBGP		0x02
#define FZ_V4		0x04
#define FZ_V6		0x08
#define FZ_PEER		0x10	/* peer AS 65001 */
#define FZ_LOCAL	0x20	/* local address 192.0.2.254 */

static const struct bgp_ctx ebgp4 = {
	.as4 = true, .afs = 3, .peer_as = 65001, .ebgp = true,
	.local_ip4 = 0xc00002fe,
};
static const struct bgp_ctx ibgp4 = { .as4 = true, .afs = 3 };
static const struct bgp_ctx ebgp2 = {
	.as4 = false, .afs = 3, .peer_as = 65001, .ebgp = true,
};
static const struct bgp_ctx ibgp2 = { .as4 = false, .afs = 3 };
static const struct bgp_ctx v4only = {
	.as4 = true, .afs = 1, .peer_as = 65001, .ebgp = true,
};

static uint8_t ctx_octet(const struct bgp_ctx *c)
{
	return (c->as4 ? FZ_AS4 : 0) | (c->ebgp ? FZ_EBGP : 0) |
	       (c->afs & 1 ? FZ_V4 : 0) | (c->afs & 2 ? FZ_V6 : 0) |
	       (c->peer_as ? FZ_PEER : 0) | (c->local_ip4 ? FZ_LOCAL : 0);
}

static void seed(const char *name, const struct bgp_ctx *c, const void *p,
		 size_t n)
{
	uint8_t o = ctx_octet(c);

	tap_seed("BGP_CORPUS_DIR", name, &o, 1, p, n);
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_be16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* a message from a type and a body */
static size_t mk(uint8_t *out, uint8_t type, const void *body, size_t blen)
{
	size_t len = BGP_HDR_LEN + blen;

	memset(out, 0xff, BGP_MARKER_LEN);
	out[16] = (uint8_t)(len >> 8);
	out[17] = (uint8_t)len;
	out[18] = type;
	memcpy(out + BGP_HDR_LEN, body, blen);
	return len;
}

static uint8_t M[8192];
static size_t ML;
static struct bgp_update U;

/* an UPDATE from withdrawn routes, path attributes and NLRI */
static size_t mk_update(uint8_t *out, const void *w, size_t wl,
			const void *a, size_t al, const void *n, size_t nl)
{
	uint8_t body[8192];
	size_t o = 0;

	body[o++] = (uint8_t)(wl >> 8);
	body[o++] = (uint8_t)wl;
	memcpy(body + o, w, wl);
	o += wl;
	body[o++] = (uint8_t)(al >> 8);
	body[o++] = (uint8_t)al;
	memcpy(body + o, a, al);
	o += al;
	memcpy(body + o, n, nl);
	o += nl;
	return mk(out, BGP_MSG_UPDATE, body, o);
}

static enum bgp_decision dec(const struct bgp_ctx *c, const void *w,
			     size_t wl, const void *a, size_t al,
			     const void *n, size_t nl)
{
	ML = mk_update(M, w, wl, a, al, n, nl);
	return bgp_update_decode(c, M, ML, &U);
}

/* some note of U is exactly this */
static bool note_is(const char *reason)
{
	unsigned int i;

	for (i = 0; i < U.n_notes; i++)
		if (!strcmp(U.notes[i].reason, reason))
			return true;
	printf("#   notes:");
	for (i = 0; i < U.n_notes; i++)
		printf(" [%s]", U.notes[i].reason);
	printf("\n");
	return false;
}

static unsigned int count_runs(const struct bgp_nlri *runs, unsigned int n)
{
	struct bgp_prefix_iter it;
	struct bgp_prefix p;
	unsigned int i, c = 0;

	for (i = 0; i < n; i++) {
		bgp_prefix_iter_init(&it, &runs[i]);
		while (bgp_prefix_next(&it, &p))
			c++;
	}
	return c;
}

/* attribute pieces */
#define ORIGIN_IGP	"\x40\x01\x01\x00"
#define ORIGIN_INC	"\x40\x01\x01\x02"
#define ASP4_65001	"\x40\x02\x06\x02\x01\x00\x00\xfd\xe9"
#define ASP2_65001	"\x40\x02\x04\x02\x01\xfd\xe9"
#define NH_192_0_2_1	"\x40\x03\x04\xc0\x00\x02\x01"
#define BASE4		ORIGIN_IGP ASP4_65001 NH_192_0_2_1
#define BASE2		ORIGIN_IGP ASP2_65001 NH_192_0_2_1
#define PFX_10_0_1	"\x18\x0a\x00\x01"			/* 10.0.1.0/24 */
#define PFX_10_0_2	"\x18\x0a\x00\x02"
/* MP_REACH_NLRI IPv6 unicast, next hop 2001:db8::1, 2001:db8:1::/48 */
#define NH6_DOC		"\x20\x01\x0d\xb8\x00\x00\x00\x00" \
			"\x00\x00\x00\x00\x00\x00\x00\x01"
#define PFX6_DOC1	"\x30\x20\x01\x0d\xb8\x00\x01"
#define MPR6		"\x80\x0e\x1c\x00\x02\x01\x10" NH6_DOC "\x00" PFX6_DOC1
#define MPU6		"\x80\x0f\x0a\x00\x02\x01" PFX6_DOC1

/* ---- framing ---- */

static void test_frame(void)
{
	struct bgp_notification err;
	uint8_t b[64];
	size_t n;

	memset(b, 0xff, sizeof(b));
	TAP_CHECK(bgp_frame(b, 0, &n, &err) == BGP_FRAME_MORE && n == 19,
		  "frame: nothing yet, 19 bytes needed");
	TAP_CHECK(bgp_frame(b, 18, &n, &err) == BGP_FRAME_MORE && n == 19,
		  "frame: 18 bytes of header, more needed");
	b[3] = 0xfe;
	TAP_CHECK(bgp_frame(b, 4, &n, &err) == BGP_FRAME_ERROR &&
		  err.code == 1 && err.subcode == 1 && err.len == 0,
		  "frame: a marker byte not 0xff is 1/1 as soon as it is seen");
	n = mk(b, BGP_MSG_KEEPALIVE, "", 0);
	TAP_CHECK(bgp_frame(b, n, &n, &err) == BGP_FRAME_MSG && n == 19,
		  "frame: KEEPALIVE of 19 bytes");
	b[17] = 18;
	TAP_CHECK(bgp_frame(b, 19, &n, &err) == BGP_FRAME_ERROR &&
		  err.code == 1 && err.subcode == 2 && err.len == 2 &&
		  err.data[0] == 0 && err.data[1] == 18,
		  "frame: length 18 is 1/2 with the length field as data");
	b[16] = 0x10;
	b[17] = 0x01;
	TAP_CHECK(bgp_frame(b, 19, &n, &err) == BGP_FRAME_ERROR &&
		  err.subcode == 2 && err.data[0] == 0x10 && err.data[1] == 1,
		  "frame: length 4097 is 1/2");
	b[16] = 0x10;
	b[17] = 0x00;
	b[18] = BGP_MSG_UPDATE;
	TAP_CHECK(bgp_frame(b, 19, &n, &err) == BGP_FRAME_MORE && n == 4096,
		  "frame: length 4096 accepted, 4096 bytes needed");
	b[16] = 0;
	b[17] = 19;
	b[18] = 6;
	TAP_CHECK(bgp_frame(b, 19, &n, &err) == BGP_FRAME_ERROR &&
		  err.subcode == 3 && err.len == 1 && err.data[0] == 6,
		  "frame: type 6 (a dynamic capability message, CVE-2022-37032's) is 1/3 with the type");
	seed("cve-2022-37032", &ebgp4, b, 19);
	b[18] = 0;
	TAP_CHECK(bgp_frame(b, 19, &n, &err) == BGP_FRAME_ERROR &&
		  err.subcode == 3, "frame: type 0 is 1/3");
	b[17] = 28;
	b[18] = BGP_MSG_OPEN;
	TAP_CHECK(bgp_frame(b, 19, &n, &err) == BGP_FRAME_ERROR &&
		  err.subcode == 2, "frame: OPEN of 28 bytes is 1/2");
	b[17] = 29;
	TAP_CHECK(bgp_frame(b, 19, &n, &err) == BGP_FRAME_MORE && n == 29,
		  "frame: OPEN of 29 bytes accepted");
	b[17] = 22;
	b[18] = BGP_MSG_UPDATE;
	TAP_CHECK(bgp_frame(b, 19, &n, &err) == BGP_FRAME_ERROR &&
		  err.subcode == 2, "frame: UPDATE of 22 bytes is 1/2");
	b[17] = 20;
	b[18] = BGP_MSG_NOTIFICATION;
	TAP_CHECK(bgp_frame(b, 19, &n, &err) == BGP_FRAME_ERROR &&
		  err.subcode == 2, "frame: NOTIFICATION of 20 bytes is 1/2");
	b[18] = BGP_MSG_KEEPALIVE;
	TAP_CHECK(bgp_frame(b, 19, &n, &err) == BGP_FRAME_ERROR &&
		  err.subcode == 2, "frame: KEEPALIVE of 20 bytes is 1/2");
	/* two messages in one read: the first is cut off */
	n = mk(b, BGP_MSG_KEEPALIVE, "", 0);
	mk(b + n, BGP_MSG_KEEPALIVE, "", 0);
	TAP_CHECK(bgp_frame(b, 2 * n, &n, &err) == BGP_FRAME_MSG && n == 19 &&
		  bgp_frame(b + n, 19, &n, &err) == BGP_FRAME_MSG,
		  "frame: two KEEPALIVEs in one buffer, one at a time");
}

/* ---- KEEPALIVE, NOTIFICATION, ROUTE-REFRESH ---- */

static void test_keepalive(void)
{
	uint8_t b[32];
	struct bgp_notification err;
	size_t n;

	TAP_CHECK(bgp_build_keepalive(b, sizeof(b)) == 19 &&
		  tap_bytes_eq(b, 19, S(MARKER "\x00\x13\x04")),
		  "KEEPALIVE bytes");
	seed("keepalive", &ebgp4, b, 19);
	TAP_CHECK(bgp_frame(b, 19, &n, &err) == BGP_FRAME_MSG,
		  "KEEPALIVE frames");
	TAP_CHECK(bgp_build_keepalive(b, 18) == -1,
		  "KEEPALIVE into 18 bytes refused");
}

static void test_notification(void)
{
	static const char shut[] = MARKER "\x00\x21\x03" "\x06\x02"
				   "\x0b" "maintenance";
	struct bgp_notification n, m;
	const uint8_t *txt;
	uint8_t b[BGP_MSG_MAX];
	char why[128], out[128];
	size_t tl;
	uint16_t afi;
	uint8_t safi;
	uint32_t lim;
	int len;

	TAP_CHECK(bgp_notification_decode(S(shut), &n) == 0 &&
		  n.code == 6 && n.subcode == 2 && n.len == 12,
		  "NOTIFICATION Cease/Administrative Shutdown decodes");
	seed("notif-shutdown", &ebgp4, S(shut));
	TAP_CHECK(bgp_notification_shutdown(&n, &txt, &tl, why, sizeof(why)) == 1 &&
		  tl == 11 && !memcmp(txt, "maintenance", 11),
		  "RFC 9003 shutdown communication read");
	len = bgp_build_notification(&n, b, sizeof(b));
	TAP_CHECK(len > 0 && tap_bytes_eq(b, (size_t)len, S(shut)),
		  "NOTIFICATION re-encodes to the same bytes");
	TAP_CHECK(bgp_notif_shutdown(&m, BGP_CEASE_SHUTDOWN, "maintenance") == 0 &&
		  m.len == n.len && !memcmp(m.data, n.data, n.len),
		  "bgp_notif_shutdown() makes the same data");

	/* CVE-2019-16159's shape: the length octet says more than is there */
	bgp_notif_set(&n, 6, 2, "\x40" "abc", 4);
	TAP_CHECK(bgp_notification_shutdown(&n, &txt, &tl, why, sizeof(why)) == -1 &&
		  !txt && !strcmp(why, "shutdown communication length 64 overruns the data (3 bytes left)"),
		  "shutdown length 64 with 3 bytes (CVE-2019-16159 shape): malformed, not read");
	seed("cve-2019-16159", &ebgp4, b,
	     (size_t)bgp_build_notification(&n, b, sizeof(b)));
	bgp_notif_set(&n, 6, 4, "\x02\xc3\x28", 3);
	TAP_CHECK(bgp_notification_shutdown(&n, &txt, &tl, why, sizeof(why)) == -1 &&
		  strstr(why, "not valid UTF-8") && !strchr(why, 0xc3),
		  "shutdown text with invalid UTF-8: malformed, the text not quoted");
	bgp_notif_set(&n, 6, 2, "\x00", 1);
	TAP_CHECK(bgp_notification_shutdown(&n, &txt, &tl, why, sizeof(why)) == 0,
		  "shutdown communication of length 0: none");
	bgp_notif_set(&n, 6, 3, "\x05hello", 6);
	TAP_CHECK(bgp_notification_shutdown(&n, &txt, &tl, why, sizeof(why)) == 0,
		  "Cease/3 carries no shutdown communication");
	{
		char t[300];

		memset(t, 'a', sizeof(t));
		t[sizeof(t) - 1] = '\0';
		t[254] = (char)0xc3;	/* a 2-byte character across 255 */
		t[255] = (char)0xa9;
		TAP_CHECK(bgp_notif_shutdown(&n, 4, t) == 0 && n.len == 255 &&
			  n.data[0] == 254,
			  "shutdown text cut to 255 bytes on a UTF-8 boundary (254)");
		t[254] = 'a';
		t[255] = 'a';
		TAP_CHECK(bgp_notif_shutdown(&n, 4, t) == 0 && n.len == 256 &&
			  n.data[0] == 255 &&
			  bgp_notification_shutdown(&n, &txt, &tl, why, sizeof(why)) == 1 &&
			  tl == 255, "shutdown text of 255 bytes, the maximum");
		TAP_CHECK(bgp_notif_shutdown(&n, 2, "\xff") == -1,
			  "shutdown text that is not UTF-8 refused");
	}
	{
		static const char raw[] = "ok \"q\" \\ \x1b[2J\n\xe2\x80\xae"
					  "abc\xff\xc3\xa9";

		bgp_sanitize((const uint8_t *)raw, sizeof(raw) - 1, out,
			     sizeof(out));
	}
	TAP_STREQ(out, "ok \\\"q\\\" \\\\ \\u{001b}[2J\\u{000a}\\u{202e}abc\\xff\xc3\xa9",
		  "sanitiser escapes quotes, controls, bidi override, bad bytes; keeps UTF-8");
	TAP_CHECK(bgp_sanitize((const uint8_t *)"\x1b\x1b", 2, out, 9) == 8 &&
		  !strcmp(out, "\\u{001b}"),
		  "sanitiser never cuts an escape in half");
	TAP_CHECK(bgp_sanitize((const uint8_t *)"x", 1, out, 1) == 0 &&
		  out[0] == 0, "sanitiser with room for the NUL only");

	/* RFC 4486: AWS's answer to the 101st prefix (bgp-anchors.md 4.6) */
	ML = mk(M, BGP_MSG_NOTIFICATION, "\x06\x01\x00\x01\x01\x00\x00\x00\x64", 9);
	TAP_CHECK(bgp_notification_decode(M, ML, &n) == 0 &&
		  bgp_notification_maxprefix(&n, &afi, &safi, &lim) == 0 &&
		  afi == 1 && safi == 1 && lim == 100,
		  "Cease/1 maximum prefixes: AFI 1 SAFI 1 limit 100");
	seed("notif-maxprefix", &ebgp4, M, ML);
	bgp_notif_maxprefix(&m, 1, 1, 100);
	TAP_CHECK(bgp_build_notification(&m, b, sizeof(b)) == (int)ML &&
		  !memcmp(b, M, ML), "Cease/1 encodes to the same bytes");
	bgp_notif_set(&n, 6, 1, "\x00\x01\x01", 3);
	TAP_CHECK(bgp_notification_maxprefix(&n, &afi, &safi, &lim) == -1,
		  "Cease/1 with 3 bytes of data: no limit read");
	ML = mk(M, BGP_MSG_NOTIFICATION, "\x04\x00", 2);
	TAP_CHECK(bgp_notification_decode(M, ML, &n) == 0 && n.len == 0 &&
		  n.code == 4, "Hold Timer Expired without data");
	TAP_CHECK(bgp_notification_decode(M, ML - 1, &n) == -1 && n.code == 1,
		  "NOTIFICATION shorter than its length field: refused");
	memset(m.data, 0xab, sizeof(m.data));
	bgp_notif_set(&m, 3, 1, m.data, BGP_NOTIF_DATA_MAX);
	len = bgp_build_notification(&m, b, sizeof(b));
	TAP_CHECK(len == BGP_MSG_MAX && bgp_notification_decode(b, 4096, &n) == 0 &&
		  n.len == BGP_NOTIF_DATA_MAX,
		  "NOTIFICATION with 4075 bytes of data is 4096 bytes");
}

static void test_route_refresh(void)
{
	struct bgp_route_refresh rr, r2 = { 2, BGP_RR_EORR, 1 };
	struct bgp_notification err;
	uint8_t b[64];
	int len;

	ML = mk(M, BGP_MSG_ROUTE_REFRESH, "\x00\x01\x00\x01", 4);
	TAP_CHECK(bgp_route_refresh_decode(M, ML, &rr, &err) == 0 &&
		  rr.afi == 1 && rr.safi == 1 && rr.subtype == BGP_RR_NORMAL,
		  "ROUTE-REFRESH IPv4 unicast");
	seed("rr-normal", &ebgp4, M, ML);
	ML = mk(M, BGP_MSG_ROUTE_REFRESH, "\x00\x02\x01\x01", 4);
	TAP_CHECK(bgp_route_refresh_decode(M, ML, &rr, &err) == 0 &&
		  rr.afi == 2 && rr.subtype == BGP_RR_BORR,
		  "ROUTE-REFRESH BoRR (RFC 7313)");
	seed("rr-borr", &ebgp4, M, ML);
	len = bgp_build_route_refresh(&r2, b, sizeof(b));
	TAP_CHECK(len == 23 && tap_bytes_eq(b, 23, S(MARKER "\x00\x17\x05\x00\x02\x02\x01")),
		  "ROUTE-REFRESH EoRR bytes");
	ML = mk(M, BGP_MSG_ROUTE_REFRESH, "\x00\x01\x07\x01", 4);
	TAP_CHECK(bgp_route_refresh_decode(M, ML, &rr, &err) == 1,
		  "ROUTE-REFRESH subtype 7: ignored (RFC 7313 5)");
	ML = mk(M, BGP_MSG_ROUTE_REFRESH, "\x00\x01\x00", 3);
	TAP_CHECK(bgp_route_refresh_decode(M, ML, &rr, &err) == -1 &&
		  err.code == 7 && err.subcode == 1 && err.len == 22,
		  "ROUTE-REFRESH of 22 bytes: 7/1 with the whole message");
	/* CVE-2023-41360's shape: ORF entries that were never negotiated */
	ML = mk(M, BGP_MSG_ROUTE_REFRESH, "\x00\x01\x00\x01\x01\x40", 6);
	TAP_CHECK(bgp_route_refresh_decode(M, ML, &rr, &err) == -1 &&
		  err.code == 7 && err.subcode == 1 && err.len == 25,
		  "ROUTE-REFRESH with an ORF header (CVE-2023-41360 shape): 7/1, ORF never read");
	seed("cve-2023-41360", &ebgp4, M, ML);
	ML = mk(M, BGP_MSG_ROUTE_REFRESH, "\x00\x01\x02\x01\x00", 5);
	TAP_CHECK(bgp_route_refresh_decode(M, ML, &rr, &err) == -1 &&
		  err.code == 7, "EoRR of 24 bytes: 7/1");
}

/* ---- OPEN ---- */

/* AS 65001, hold 90, 192.0.2.1; MP v4 and v6, RR, ERR, AS4, GR, FQDN */
static const char open_full[] =
	MARKER "\x00\x44\x01"
	"\x04" "\xfd\xe9" "\x00\x5a" "\xc0\x00\x02\x01"
	"\x27" "\x02\x25"
	"\x01\x04\x00\x01\x00\x01"
	"\x01\x04\x00\x02\x00\x01"
	"\x02\x00"
	"\x46\x00"
	"\x41\x04\x00\x00\xfd\xe9"
	"\x40\x06\x80\x78\x00\x01\x01\x80"
	"\x49\x05\x03" "gw1" "\x00";

static size_t mk_open(uint8_t *out, const void *fixed9, const void *params,
		      size_t plen, int optlen)
{
	uint8_t body[4096];

	memcpy(body, fixed9, 9);
	body[9] = (uint8_t)(optlen < 0 ? plen : (size_t)optlen);
	memcpy(body + 10, params, plen);
	return mk(out, BGP_MSG_OPEN, body, 10 + plen);
}

#define OPEN_FIXED	"\x04\xfd\xe9\x00\x5a\xc0\x00\x02\x01"

static void open_fails(const void *fixed, const void *params, size_t plen,
		       int optlen, const struct bgp_open_expect *exp,
		       uint8_t sub, const char *why, const char *what)
{
	struct bgp_notification err;
	struct bgp_open o;
	int r;

	ML = mk_open(M, fixed, params, plen, optlen);
	r = bgp_open_decode(M, ML, exp, &o, &err);
	TAP_CHECK(r == -1 && err.code == 2 && err.subcode == sub,
		  "OPEN %s: 2/%u", what, sub);
	if (why)
		TAP_STREQ(o.why, why, "OPEN %s: reason", what);
}

static void test_open(void)
{
	struct bgp_open_expect exp = { .peer_as = 65001 };
	struct bgp_notification err;
	struct bgp_open o, o2, local;
	struct bgp_ctx ctx;
	uint8_t b[BGP_MSG_MAX];
	char e[128];
	int len, i;

	TAP_CHECK(bgp_open_decode(S(open_full), &exp, &o, &err) == 0,
		  "OPEN with six capabilities decodes");
	seed("open-full", &ebgp4, S(open_full));
	TAP_CHECK(o.version == 4 && o.as == 65001 && o.hold_time == 90 &&
		  o.bgp_id == 0xc0000201 && !o.ext_params,
		  "OPEN fixed fields");
	TAP_CHECK(o.n_mp == 2 && o.mp[0].afi == 1 && o.mp[1].afi == 2 &&
		  o.mp[1].safi == 1, "OPEN multiprotocol IPv4 and IPv6 unicast");
	TAP_CHECK(o.cap_rr && o.cap_err && o.cap_as4,
		  "OPEN route refresh, enhanced route refresh, 4-octet AS");
	TAP_CHECK(o.cap_gr && o.gr_flags == BGP_GR_R && o.gr_time == 120 &&
		  o.n_gr == 1 && o.gr[0].afi == 1 && o.gr[0].flags == BGP_GR_AF_F,
		  "OPEN graceful restart: R bit, 120 s, IPv4 with F bit");
	TAP_CHECK(o.n_other == 1 && o.other[0].code == 73 && o.other[0].len == 5 &&
		  !memcmp(o.other[0].val, "\x03gw1\x00", 5),
		  "OPEN unknown capability 73 kept (code, length, value)");
	TAP_STREQ(o.why, "", "OPEN: nothing ignored");
	len = bgp_build_open(&o, b, sizeof(b), e, sizeof(e));
	TAP_CHECK(len > 0 && tap_bytes_eq(b, (size_t)len, S(open_full)),
		  "OPEN re-encodes to the same bytes");

	/* a 4-octet AS: My AS is AS_TRANS */
	memset(&local, 0, sizeof(local));
	local.as = 4200000000u;
	local.hold_time = 30;
	local.bgp_id = 0xa9fe0001;
	local.cap_as4 = true;
	local.n_mp = 1;
	local.mp[0].afi = 2;
	local.mp[0].safi = 1;
	len = bgp_build_open(&local, b, sizeof(b), e, sizeof(e));
	TAP_CHECK(len == 29 + 14 && b[20] == 0x5b && b[21] == 0xa0,
		  "OPEN for AS 4200000000 says AS_TRANS (23456) in My AS");
	TAP_CHECK(bgp_open_decode(b, (size_t)len, NULL, &o2, &err) == 0 &&
		  o2.as == 4200000000u && o2.as2 == BGP_AS_TRANS,
		  "and decodes to AS 4200000000");
	seed("open-as4", &ebgp4, b, (size_t)len);
	local.cap_as4 = false;
	TAP_CHECK(bgp_build_open(&local, b, sizeof(b), e, sizeof(e)) == -1,
		  "OPEN for a 4-octet AS without the capability refused");

	/* negotiation */
	local.cap_as4 = true;
	TAP_CHECK(bgp_open_negotiate(&local, &o, true, &ctx) == 30 &&
		  ctx.as4 && ctx.afs == BGP_AFS(BGP_AF_IPV6) &&
		  ctx.peer_as == 65001 && ctx.ebgp,
		  "negotiate: hold 30, 4-octet AS, IPv6 only in common");
	local.n_mp = 0;
	o2 = o;
	o2.n_mp = 0;
	o2.cap_as4 = false;
	TAP_CHECK(bgp_open_negotiate(&local, &o2, false, &ctx) == 30 &&
		  !ctx.as4 && ctx.afs == BGP_AFS(BGP_AF_IPV4),
		  "negotiate: no multiprotocol capabilities is IPv4 unicast, 2-octet AS");

	/* RFC 4271 6.2 */
	open_fails("\x03\xfd\xe9\x00\x5a\xc0\x00\x02\x01", "", 0, -1, NULL,
		   1, "version 3 (4 supported)", "version 3");
	ML = mk_open(M, "\x03\xfd\xe9\x00\x5a\xc0\x00\x02\x01", "", 0, -1);
	TAP_CHECK(bgp_open_decode(M, ML, NULL, &o, &err) == -1 && err.len == 2 &&
		  err.data[0] == 0 && err.data[1] == 4,
		  "OPEN version 3: data is our version 4");
	open_fails("\x04\x00\x00\x00\x5a\xc0\x00\x02\x01", "", 0, -1, NULL,
		   2, "My AS is 0 (RFC 7607)", "My AS 0");
	open_fails("\x04\xfd\xe9\x00\x01\xc0\x00\x02\x01", "", 0, -1, NULL,
		   6, "hold time 1 (0 or at least 3 allowed)", "hold time 1");
	open_fails("\x04\xfd\xe9\x00\x02\xc0\x00\x02\x01", "", 0, -1, NULL,
		   6, NULL, "hold time 2");
	ML = mk_open(M, "\x04\xfd\xe9\x00\x00\xc0\x00\x02\x01", "", 0, -1);
	TAP_CHECK(bgp_open_decode(M, ML, NULL, &o, &err) == 0 && o.hold_time == 0,
		  "OPEN hold time 0 accepted");
	ML = mk_open(M, "\x04\xfd\xe9\x00\x03\xc0\x00\x02\x01", "", 0, -1);
	TAP_CHECK(bgp_open_decode(M, ML, NULL, &o, &err) == 0 && o.hold_time == 3,
		  "OPEN hold time 3 accepted");
	exp.min_hold = 9;
	open_fails("\x04\xfd\xe9\x00\x03\xc0\x00\x02\x01", "", 0, -1, &exp,
		   6, "hold time 3 below the 9 configured", "hold time below the minimum");
	exp.min_hold = 0;
	open_fails("\x04\xfd\xe9\x00\x5a\x00\x00\x00\x00", "", 0, -1, NULL,
		   3, "BGP identifier 0.0.0.0", "identifier 0");
	open_fails("\x04\xfd\xea\x00\x5a\xc0\x00\x02\x01", "", 0, -1, &exp,
		   2, "peer says AS 65002, AS 65001 configured", "peer AS 65002");
	open_fails(OPEN_FIXED, S("\x02\x06\x41\x04\x00\x00\x00\x00"), -1, NULL,
		   2, "4-octet AS capability says AS 0 (RFC 7607)", "4-octet AS 0");
	{
		struct bgp_open_expect same = { .local_as = 65001,
						.local_id = 0xc0000201 };

		open_fails(OPEN_FIXED, "", 0, -1, &same, 3,
			   "internal peer uses our BGP identifier (RFC 6286)",
			   "iBGP peer with our identifier");
		same.local_as = 65002;
		ML = mk_open(M, OPEN_FIXED, "", 0, -1);
		TAP_CHECK(bgp_open_decode(M, ML, &same, &o, &err) == 0,
			  "OPEN eBGP peer with our identifier accepted (RFC 6286)");
	}
	open_fails(OPEN_FIXED, S("\x01\x02\xab\xcd"), -1, NULL, 4,
		   "optional parameter type 1 is not supported",
		   "authentication parameter");
	/* CVE-2022-43681's shape: the OPEN ends after Opt Parm Len */
	open_fails(OPEN_FIXED, "", 0, 8, NULL, 0,
		   "optional parameters length 8, the message has 0",
		   "ending right after Opt Parm Len (CVE-2022-43681 shape)");
	ML = mk_open(M, OPEN_FIXED, "", 0, 8);
	seed("cve-2022-43681", &ebgp4, M, ML);
	/* CVE-2022-40302/40318: type 255 and not the 3 bytes it needs */
	open_fails(OPEN_FIXED, S("\xff\x00"), 255, NULL, 0,
		   "extended parameters length truncated (2 bytes)",
		   "RFC 9072 marker with 2 bytes (CVE-2022-40302 shape)");
	ML = mk_open(M, OPEN_FIXED, S("\xff\x00"), 255);
	seed("cve-2022-40302", &ebgp4, M, ML);
	open_fails(OPEN_FIXED, S("\xff\x00\x00"), 3, NULL, 0,
		   "extended parameters marker with length 3 (255 expected)",
		   "RFC 9072 marker with Opt Parm Len 3");
	open_fails(OPEN_FIXED, S("\xff\x00\x06\x02\x00\x02\x02\x00"), 255, NULL, 0,
		   "extended parameters length 6, the message has 5",
		   "RFC 9072 length one too long");
	open_fails(OPEN_FIXED, S("\xff\x00\x05\x02\x00\x03\x02\x00"), 255, NULL, 0,
		   "optional parameter 2 length 3 overruns the message (2 bytes left)",
		   "RFC 9072 parameter overrunning the extended length");
	ML = mk_open(M, OPEN_FIXED, S("\xff\x00\x05\x02\x00\x02\x02\x00"), 255);
	TAP_CHECK(bgp_open_decode(M, ML, NULL, &o, &err) == 0 &&
		  o.ext_params && o.cap_rr,
		  "RFC 9072 extended parameters with a 2-octet parameter length");
	seed("open-ext", &ebgp4, M, ML);
	open_fails(OPEN_FIXED, S("\x02\x04\x41\x04\x00\x00"), -1, NULL, 0,
		   "capability 65 length 4 overruns its parameter (2 bytes left)",
		   "capability overrunning its parameter");
	open_fails(OPEN_FIXED, S("\x02\x03\x02\x00\x46"), -1, NULL, 0,
		   "capability header truncated (1 byte left)",
		   "capability header cut");
	open_fails(OPEN_FIXED, S("\x02\x05\x02\x00\x46\x00"), -1, NULL, 0,
		   "optional parameter 2 length 5 overruns the message (4 bytes left)",
		   "parameter overrunning the message");
	open_fails(OPEN_FIXED, S("\x02"), -1, NULL, 0,
		   "optional parameter header truncated (1 bytes left)",
		   "parameter header cut");
	ML = mk_open(M, OPEN_FIXED, S("\x02\x05\x01\x03\x00\x01\x00"), -1);
	TAP_CHECK(bgp_open_decode(M, ML, NULL, &o, &err) == 0 && o.n_mp == 0 &&
		  !strcmp(o.why, "multiprotocol capability of length 3 ignored (4 expected)"),
		  "OPEN multiprotocol capability of length 3: ignored and said");
	ML = mk_open(M, OPEN_FIXED, S("\x02\x05\x40\x03\x00\x78\x00"), -1);
	TAP_CHECK(bgp_open_decode(M, ML, NULL, &o, &err) == 0 && !o.cap_gr &&
		  strstr(o.why, "graceful restart capability of length 3 ignored"),
		  "OPEN graceful restart capability of length 3: ignored");
	ML = mk_open(M, OPEN_FIXED, S("\x02\x04\x41\x02\x00\x01"), -1);
	TAP_CHECK(bgp_open_decode(M, ML, NULL, &o, &err) == 0 && !o.cap_as4 &&
		  o.as == 65001, "OPEN 4-octet AS capability of length 2: ignored");
	ML = mk_open(M, OPEN_FIXED, S("\x02\x03\x02\x01\x00"), -1);
	TAP_CHECK(bgp_open_decode(M, ML, NULL, &o, &err) == 0 && !o.cap_rr,
		  "OPEN route refresh capability of length 1: ignored");
	ML = mk_open(M, OPEN_FIXED, S("\x02\x0c\x01\x04\x00\x01\x00\x01\x01\x04\x00\x01\x00\x01"), -1);
	TAP_CHECK(bgp_open_decode(M, ML, NULL, &o, &err) == 0 && o.n_mp == 1,
		  "OPEN the same family twice: once");
	ML = mk_open(M, OPEN_FIXED, S("\x02\x00\x02\x02\x02\x00"), -1);
	TAP_CHECK(bgp_open_decode(M, ML, NULL, &o, &err) == 0 && o.cap_rr,
		  "OPEN with an empty parameter, then another");

	/* 17 unknown capabilities: 16 kept; more than 253 bytes: RFC 9072 */
	{
		uint8_t caps[17 * 16];

		for (i = 0; i < 17; i++) {
			caps[16 * i] = (uint8_t)(100 + i);
			caps[16 * i + 1] = 14;
			memset(caps + 16 * i + 2, i, 14);
		}
		memset(&o, 0, sizeof(o));
		o.as = 65001;
		o.hold_time = 90;
		o.bgp_id = 1;
		for (i = 0; i < 16; i++) {
			o.other[i].code = caps[16 * i];
			o.other[i].len = 14;
			o.other[i].val = caps + 16 * i + 2;
		}
		o.n_other = 15;		/* 15 x 16 = 240 bytes + 2 < 255 */
		len = bgp_build_open(&o, b, sizeof(b), e, sizeof(e));
		TAP_CHECK(len == 29 + 2 + 240 && b[28] == 242,
			  "OPEN with 240 bytes of capabilities: the classic form");
		o.other[14].len = 13;
		o.other[13].len = 13;
		o.other[12].len = 13;
		o.n_other = 16;
		len = bgp_build_open(&o, b, sizeof(b), e, sizeof(e));
		TAP_CHECK(len == 29 + 2 + 253 && b[28] == 255 && b[29] == 2,
			  "OPEN with 253 bytes of capabilities: still classic");
		o.other[12].len = 14;
		len = bgp_build_open(&o, b, sizeof(b), e, sizeof(e));
		TAP_CHECK(len == 29 + 6 + 254 && b[28] == 255 && b[29] == 255,
			  "OPEN with 254 bytes of capabilities: RFC 9072 form");
		TAP_CHECK(bgp_open_decode(b, (size_t)len, NULL, &o2, &err) == 0 &&
			  o2.ext_params && o2.n_other == 16 &&
			  o2.other[12].len == 14,
			  "and it decodes with all 16 capabilities");
		seed("open-ext-16caps", &ebgp4, b, (size_t)len);
		ML = (size_t)len;
		memcpy(M, b, ML);
		/* a 17th in the message: kept out, said */
		M[ML] = 120;
		M[ML + 1] = 0;
		ML += 2;
		M[16] = (uint8_t)(ML >> 8);
		M[17] = (uint8_t)ML;
		put_be16(M + 30, get_be16(M + 30) + 2);	/* ext length */
		put_be16(M + 33, get_be16(M + 33) + 2);	/* param length */
		TAP_CHECK(bgp_open_decode(M, ML, NULL, &o2, &err) == 0 &&
			  o2.n_other == 16 &&
			  !strcmp(o2.why, "more than 16 unknown capabilities; code 120 ignored"),
			  "OPEN with 17 unknown capabilities: 16 kept, the 17th said");
	}
	memset(&o, 0, sizeof(o));
	o.as = 65001;
	o.hold_time = 90;
	o.bgp_id = 1;
	o.n_other = 1;
	o.other[0].code = BGP_CAP_AS4;
	TAP_CHECK(bgp_build_open(&o, b, sizeof(b), e, sizeof(e)) == -1,
		  "OPEN encoder refuses a known capability given raw");
	o.n_other = 0;
	o.bgp_id = 0;
	TAP_CHECK(bgp_build_open(&o, b, sizeof(b), e, sizeof(e)) == -1,
		  "OPEN encoder refuses identifier 0");
	TAP_CHECK(bgp_open_decode(M, 28, NULL, &o, &err) == -1 && err.code == 1,
		  "OPEN decoder refuses 28 bytes");
}

/* ---- UPDATE: the RFC 7606 rows ---- */

#define TWA	BGP_UPD_TREAT_AS_WITHDRAW
#define DISC	BGP_UPD_ATTR_DISCARD
#define AFD	BGP_UPD_AF_DISABLE
#define RESET	BGP_UPD_SESSION_RESET
#define OK	BGP_UPD_OK
#define A(x)	x, sizeof(x) - 1

struct row {
	const char *name;
	const struct bgp_ctx *ctx;
	const char *attrs;
	size_t alen;
	const char *nlri;
	size_t nlen;
	enum bgp_decision d;
	const char *reason;	/* one note exactly so; NULL: none looked at */
	unsigned int wd, an;	/* prefixes withdrawn and announced */
	uint8_t sub;		/* UPDATE error subcode of a reset/disable */
};

static const struct row rows[] = {
	/* 7606 7.1 ORIGIN */
	{ "ORIGIN of length 2", &ebgp4,
	  A("\x40\x01\x02\x00\x00" ASP4_65001 NH_192_0_2_1), A(PFX_10_0_1), TWA,
	  "ORIGIN: length 2 (1 expected); treat-as-withdraw", 1, 0, 0 },
	{ "ORIGIN value 3", &ebgp4,
	  A("\x40\x01\x01\x03" ASP4_65001 NH_192_0_2_1), A(PFX_10_0_1), TWA,
	  "ORIGIN: undefined value 3; treat-as-withdraw", 1, 0, 0 },
	{ "ORIGIN with the optional bit (7606 3 c)", &ebgp4,
	  A("\xc0\x01\x01\x00" ASP4_65001 NH_192_0_2_1), A(PFX_10_0_1), TWA,
	  "ORIGIN: flags 0xc0 (optional transitive), well-known expected; treat-as-withdraw",
	  1, 0, 0 },
	/* 7606 3 d: missing well-known mandatory */
	{ "ORIGIN missing", &ebgp4, A(ASP4_65001 NH_192_0_2_1), A(PFX_10_0_1),
	  TWA, "ORIGIN: missing (well-known mandatory); treat-as-withdraw",
	  1, 0, 0 },
	{ "AS_PATH missing", &ebgp4, A(ORIGIN_IGP NH_192_0_2_1), A(PFX_10_0_1),
	  TWA, "AS_PATH: missing (well-known mandatory); treat-as-withdraw",
	  1, 0, 0 },
	{ "NEXT_HOP missing", &ebgp4, A(ORIGIN_IGP ASP4_65001), A(PFX_10_0_1),
	  TWA, "NEXT_HOP: missing (well-known mandatory); treat-as-withdraw",
	  1, 0, 0 },
	{ "NEXT_HOP missing, IPv6 routes only: not needed", &ebgp4,
	  A(MPR6 ORIGIN_IGP ASP4_65001), A(""), OK, NULL, 0, 1, 0 },
	/* 7606 7.2 AS_PATH */
	{ "AS_PATH segment overrun (2-octet)", &ibgp2,
	  A(ORIGIN_IGP "\x40\x02\x07\x02\x07\xfd\xe9\xfd\xea\xfd" NH_192_0_2_1),
	  A(PFX_10_0_1), TWA,
	  "AS_PATH: segment length 7 overruns the attribute (5 bytes left); treat-as-withdraw",
	  1, 0, 0 },
	{ "AS_PATH segment of length 0", &ebgp4,
	  A(ORIGIN_IGP "\x40\x02\x02\x02\x00" NH_192_0_2_1), A(PFX_10_0_1), TWA,
	  "AS_PATH: segment of length 0; treat-as-withdraw", 1, 0, 0 },
	{ "AS_PATH segment type 5", &ebgp4,
	  A(ORIGIN_IGP "\x40\x02\x06\x05\x01\x00\x00\xfd\xe9" NH_192_0_2_1),
	  A(PFX_10_0_1), TWA, "AS_PATH: unknown segment type 5; treat-as-withdraw",
	  1, 0, 0 },
	{ "AS_PATH with a byte after the last segment", &ebgp4,
	  A(ORIGIN_IGP "\x40\x02\x07\x02\x01\x00\x00\xfd\xe9\x02" NH_192_0_2_1),
	  A(PFX_10_0_1), TWA,
	  "AS_PATH: 1 byte after the last segment, too few for a segment header; treat-as-withdraw",
	  1, 0, 0 },
	{ "AS_PATH with AS 0 (RFC 7607)", &ebgp4,
	  A(ORIGIN_IGP "\x40\x02\x0a\x02\x02\x00\x00\xfd\xe9\x00\x00\x00\x00" NH_192_0_2_1),
	  A(PFX_10_0_1), TWA, "AS_PATH: AS 0 in the path (RFC 7607); treat-as-withdraw",
	  1, 0, 0 },
	{ "AS_PATH not starting with the peer's AS", &ebgp4,
	  A(ORIGIN_IGP "\x40\x02\x06\x02\x01\x00\x00\xfd\xea" NH_192_0_2_1),
	  A(PFX_10_0_1), TWA,
	  "AS_PATH: first AS 65002 is not the peer's AS 65001; treat-as-withdraw",
	  1, 0, 0 },
	{ "AS_PATH empty from an external peer", &ebgp4,
	  A(ORIGIN_IGP "\x40\x02\x00" NH_192_0_2_1), A(PFX_10_0_1), TWA,
	  "AS_PATH: first AS 0 is not the peer's AS 65001; treat-as-withdraw",
	  1, 0, 0 },
	{ "AS_PATH empty from an internal peer", &ibgp4,
	  A(ORIGIN_IGP "\x40\x02\x00" NH_192_0_2_1), A(PFX_10_0_1), OK, NULL,
	  0, 1, 0 },
	{ "AS_PATH confederation segment from an external peer", &ebgp4,
	  A(ORIGIN_IGP "\x40\x02\x0c\x03\x01\x00\x00\xfd\xe8\x02\x01\x00\x00\xfd\xe9" NH_192_0_2_1),
	  A(PFX_10_0_1), TWA,
	  "AS_PATH: confederation segment from an external peer (RFC 5065); treat-as-withdraw",
	  1, 0, 0 },
	{ "AS_PATH confederation segment after a sequence", &ibgp4,
	  A(ORIGIN_IGP "\x40\x02\x0c\x02\x01\x00\x00\xfd\xe9\x03\x01\x00\x00\xfd\xe8" NH_192_0_2_1),
	  A(PFX_10_0_1), TWA,
	  "AS_PATH: confederation segment after another segment (RFC 5065); treat-as-withdraw",
	  1, 0, 0 },
	{ "AS_PATH leading confederation segment, internal peer", &ibgp4,
	  A(ORIGIN_IGP "\x40\x02\x0c\x03\x01\x00\x00\xfd\xe8\x02\x01\x00\x00\xfd\xe9" NH_192_0_2_1),
	  A(PFX_10_0_1), OK, NULL, 0, 1, 0 },
	/* 7606 7.3 NEXT_HOP */
	{ "NEXT_HOP of length 3 (GoBGP CVE-2026-30405 shape)", &ebgp4,
	  A(ORIGIN_IGP ASP4_65001 "\x40\x03\x03\xc0\x00\x02"), A(PFX_10_0_1),
	  TWA, "NEXT_HOP: length 3 (4 expected); treat-as-withdraw", 1, 0, 0 },
	{ "NEXT_HOP 0.0.0.0", &ebgp4,
	  A(ORIGIN_IGP ASP4_65001 "\x40\x03\x04\x00\x00\x00\x00"), A(PFX_10_0_1),
	  TWA, "NEXT_HOP: 0.0.0.0 is in 0.0.0.0/8; treat-as-withdraw", 1, 0, 0 },
	{ "NEXT_HOP 127.0.0.1", &ebgp4,
	  A(ORIGIN_IGP ASP4_65001 "\x40\x03\x04\x7f\x00\x00\x01"), A(PFX_10_0_1),
	  TWA, "NEXT_HOP: 127.0.0.1 is a loopback address; treat-as-withdraw",
	  1, 0, 0 },
	{ "NEXT_HOP 224.0.0.5", &ebgp4,
	  A(ORIGIN_IGP ASP4_65001 "\x40\x03\x04\xe0\x00\x00\x05"), A(PFX_10_0_1),
	  TWA, "NEXT_HOP: 224.0.0.5 is a multicast address; treat-as-withdraw",
	  1, 0, 0 },
	{ "NEXT_HOP 255.255.255.255", &ebgp4,
	  A(ORIGIN_IGP ASP4_65001 "\x40\x03\x04\xff\xff\xff\xff"), A(PFX_10_0_1),
	  TWA, "NEXT_HOP: 255.255.255.255 is in 240.0.0.0/4; treat-as-withdraw",
	  1, 0, 0 },
	{ "NEXT_HOP our own address", &ebgp4,
	  A(ORIGIN_IGP ASP4_65001 "\x40\x03\x04\xc0\x00\x02\xfe"), A(PFX_10_0_1),
	  TWA, "NEXT_HOP: 192.0.2.254 is our own address; treat-as-withdraw",
	  1, 0, 0 },
	{ "NEXT_HOP broken without IPv4 NLRI: ignored (RFC 4760 3)", &ebgp4,
	  A(MPR6 ORIGIN_IGP ASP4_65001 "\x40\x03\x01\x00"), A(""), OK,
	  "NEXT_HOP: no IPv4 NLRI field (RFC 4760 3); ignored", 0, 1, 0 },
	/* 7606 7.4, 7.5 */
	{ "MULTI_EXIT_DISC of length 3", &ebgp4,
	  A(BASE4 "\x80\x04\x03\x00\x00\x01"), A(PFX_10_0_1), TWA,
	  "MULTI_EXIT_DISC: length 3 (4 expected); treat-as-withdraw", 1, 0, 0 },
	{ "MULTI_EXIT_DISC marked well-known", &ebgp4,
	  A(BASE4 "\x40\x04\x04\x00\x00\x00\x01"), A(PFX_10_0_1), TWA,
	  "MULTI_EXIT_DISC: flags 0x40 (well-known), optional non-transitive expected; treat-as-withdraw",
	  1, 0, 0 },
	{ "LOCAL_PREF from an external peer", &ebgp4,
	  A(BASE4 "\x40\x05\x04\x00\x00\x00\x64"), A(PFX_10_0_1), DISC,
	  "LOCAL_PREF: from an external peer; attribute discarded", 0, 1, 0 },
	{ "LOCAL_PREF of length 2 from an internal peer", &ibgp4,
	  A(BASE4 "\x40\x05\x02\x00\x64"), A(PFX_10_0_1), TWA,
	  "LOCAL_PREF: length 2 (4 expected); treat-as-withdraw", 1, 0, 0 },
	/* 7606 7.6, 7.7 */
	{ "ATOMIC_AGGREGATE of length 1", &ebgp4,
	  A(BASE4 "\x40\x06\x01\x00"), A(PFX_10_0_1), DISC,
	  "ATOMIC_AGGREGATE: length 1 (0 expected); attribute discarded",
	  0, 1, 0 },
	{ "AGGREGATOR of length 6 on a 4-octet session", &ebgp4,
	  A(BASE4 "\xc0\x07\x06\xfd\xe9\xc0\x00\x02\x01"), A(PFX_10_0_1), DISC,
	  "AGGREGATOR: length 6 (8 expected); attribute discarded", 0, 1, 0 },
	{ "AGGREGATOR of length 8 on a 2-octet session", &ebgp2,
	  A(BASE2 "\xc0\x07\x08\x00\x00\xfd\xe9\xc0\x00\x02\x01"), A(PFX_10_0_1),
	  DISC, "AGGREGATOR: length 8 (6 expected); attribute discarded",
	  0, 1, 0 },
	{ "AGGREGATOR with AS 0 (RFC 7607)", &ebgp4,
	  A(BASE4 "\xc0\x07\x08\x00\x00\x00\x00\xc0\x00\x02\x01"), A(PFX_10_0_1),
	  DISC, "AGGREGATOR: AS 0 (RFC 7607); attribute discarded", 0, 1, 0 },
	{ "AGGREGATOR marked non-transitive", &ebgp4,
	  A(BASE4 "\x80\x07\x08\x00\x00\xfd\xe9\xc0\x00\x02\x01"), A(PFX_10_0_1),
	  DISC,
	  "AGGREGATOR: flags 0x80 (optional non-transitive), optional transitive expected; attribute discarded",
	  0, 1, 0 },
	/* 7606 7.8, RFC 8092, 7606 7.14, RFC 5701, RFC 9234 */
	{ "COMMUNITIES of length 5", &ebgp4,
	  A(BASE4 "\xc0\x08\x05\xfd\xe9\x00\x01\x00"), A(PFX_10_0_1), TWA,
	  "COMMUNITIES: length 5 (a non-zero multiple of 4 expected); treat-as-withdraw",
	  1, 0, 0 },
	{ "COMMUNITIES of length 0", &ebgp4, A(BASE4 "\xc0\x08\x00"),
	  A(PFX_10_0_1), TWA,
	  "COMMUNITIES: length 0 (a non-zero multiple of 4 expected); treat-as-withdraw",
	  1, 0, 0 },
	{ "LARGE_COMMUNITY of length 13", &ebgp4,
	  A(BASE4 "\xc0\x20\x0d\x00\x00\xfd\xe9\x00\x00\x00\x01\x00\x00\x00\x02\x03"),
	  A(PFX_10_0_1), TWA,
	  "LARGE_COMMUNITY: length 13 (a non-zero multiple of 12 expected); treat-as-withdraw",
	  1, 0, 0 },
	{ "LARGE_COMMUNITY of length 0", &ebgp4, A(BASE4 "\xc0\x20\x00"),
	  A(PFX_10_0_1), TWA,
	  "LARGE_COMMUNITY: length 0 (a non-zero multiple of 12 expected); treat-as-withdraw",
	  1, 0, 0 },
	{ "EXTENDED_COMMUNITIES of length 7", &ebgp4,
	  A(BASE4 "\xc0\x10\x07\x00\x02\xfd\xe9\x00\x00\x00"), A(PFX_10_0_1),
	  TWA,
	  "EXTENDED_COMMUNITIES: length 7 (a non-zero multiple of 8 expected); treat-as-withdraw",
	  1, 0, 0 },
	{ "IPv6 extended communities of length 19 (GoBGP CVE-2026-37461 shape)",
	  &ebgp4,
	  A(BASE4 "\xc0\x19\x13\x00\x02\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00"),
	  A(PFX_10_0_1), TWA,
	  "IPV6_EXT_COMMUNITIES: length 19 (a non-zero multiple of 20 expected); treat-as-withdraw",
	  1, 0, 0 },
	{ "ONLY_TO_CUSTOMER of length 5 (BIRD's rebuilt OTC shape)", &ebgp4,
	  A(BASE4 "\xc0\x23\x05\x00\x00\xfd\xe9\x00"), A(PFX_10_0_1), TWA,
	  "ONLY_TO_CUSTOMER: length 5 (4 expected); treat-as-withdraw", 1, 0, 0 },
	/* 7606 7.9, 7.10 */
	{ "ORIGINATOR_ID from an external peer", &ebgp4,
	  A(BASE4 "\x80\x09\x04\x0a\x00\x00\x01"), A(PFX_10_0_1), DISC,
	  "ORIGINATOR_ID: from an external peer; attribute discarded", 0, 1, 0 },
	{ "ORIGINATOR_ID of length 3 from an internal peer", &ibgp4,
	  A(BASE4 "\x80\x09\x03\x0a\x00\x00"), A(PFX_10_0_1), TWA,
	  "ORIGINATOR_ID: length 3 (4 expected); treat-as-withdraw", 1, 0, 0 },
	{ "CLUSTER_LIST of length 6 from an internal peer", &ibgp4,
	  A(BASE4 "\x80\x0a\x06\x0a\x00\x00\x01\x00\x00"), A(PFX_10_0_1), TWA,
	  "CLUSTER_LIST: length 6 (a non-zero multiple of 4 expected); treat-as-withdraw",
	  1, 0, 0 },
	/* RFC 6793 */
	{ "AS4_PATH on a 4-octet session", &ebgp4,
	  A(BASE4 "\xc0\x11\x06\x02\x01\x00\x00\xfd\xe9"), A(PFX_10_0_1), DISC,
	  "AS4_PATH: sent on a 4-octet AS session (RFC 6793 4.1); attribute discarded",
	  0, 1, 0 },
	{ "AS4_PATH with a segment of length 0", &ebgp2,
	  A(BASE2 "\xc0\x11\x02\x02\x00"), A(PFX_10_0_1), DISC,
	  "AS4_PATH: segment of length 0; attribute discarded", 0, 1, 0 },
	{ "malformed AS4_PATH before AS_PATH (GoBGP CVE-2026-41643 shape)",
	  &ebgp2,
	  A(ORIGIN_IGP "\xc0\x11\x05\x02\x01\x00\x00\xfd" ASP2_65001 NH_192_0_2_1),
	  A(PFX_10_0_1), DISC,
	  "AS4_PATH: segment length 1 overruns the attribute (3 bytes left); attribute discarded",
	  0, 1, 0 },
	{ "AS4_AGGREGATOR on a 4-octet session", &ebgp4,
	  A(BASE4 "\xc0\x12\x08\x00\x00\xfd\xe9\xc0\x00\x02\x01"), A(PFX_10_0_1),
	  DISC,
	  "AS4_AGGREGATOR: sent on a 4-octet AS session (RFC 6793 4.1); attribute discarded",
	  0, 1, 0 },
	{ "AS4_AGGREGATOR of length 6", &ebgp2,
	  A(BASE2 "\xc0\x07\x06\x5b\xa0\xc0\x00\x02\x01\xc0\x12\x06\x00\x01\x00\x00\x00\x00"),
	  A(PFX_10_0_1), DISC,
	  "AS4_AGGREGATOR: length 6 (8 expected); attribute discarded", 0, 1, 0 },
	/* 7606 3 g: repeats */
	{ "COMMUNITIES twice", &ebgp4,
	  A(BASE4 "\xc0\x08\x04\xfd\xe9\x00\x01\xc0\x08\x04\xfd\xe9\x00\x02"),
	  A(PFX_10_0_1), DISC,
	  "COMMUNITIES: repeated, the first one kept; attribute discarded",
	  0, 1, 0 },
	{ "MP_REACH_NLRI twice", &ebgp4, A(MPR6 MPR6 ORIGIN_IGP ASP4_65001),
	  A(""), RESET, "MP_REACH_NLRI: repeated; session reset", 0, 0, 1 },
	{ "MP_UNREACH_NLRI twice", &ebgp4, A(MPU6 MPU6), A(""), RESET,
	  "MP_UNREACH_NLRI: repeated; session reset", 0, 0, 1 },
	/* unknown attributes */
	{ "unknown well-known attribute 99", &ebgp4,
	  A(BASE4 "\x40\x63\x02\xab\xcd"), A(PFX_10_0_1), RESET,
	  "attribute 99: unrecognized well-known attribute; session reset",
	  0, 0, 2 },
	{ "unknown optional non-transitive attribute 99: dropped", &ebgp4,
	  A(BASE4 "\x80\x63\x02\xab\xcd"), A(PFX_10_0_1), OK,
	  "attribute 99: unknown and non-transitive; ignored", 0, 1, 0 },
	{ "unknown optional transitive attribute 99: kept", &ebgp4,
	  A(BASE4 "\xc0\x63\x02\xab\xcd"), A(PFX_10_0_1), OK, NULL, 0, 1, 0 },
	/* attributes that must not be empty */
	{ "ORIGIN of length 0", &ebgp4,
	  A("\x40\x01\x00" ASP4_65001 NH_192_0_2_1), A(PFX_10_0_1), TWA,
	  "ORIGIN: length 0 (1 expected); treat-as-withdraw", 1, 0, 0 },
	{ "NEXT_HOP of length 0", &ebgp4,
	  A(ORIGIN_IGP ASP4_65001 "\x40\x03\x00"), A(PFX_10_0_1), TWA,
	  "NEXT_HOP: length 0 (4 expected); treat-as-withdraw", 1, 0, 0 },
	{ "MULTI_EXIT_DISC of length 0", &ebgp4, A(BASE4 "\x80\x04\x00"),
	  A(PFX_10_0_1), TWA,
	  "MULTI_EXIT_DISC: length 0 (4 expected); treat-as-withdraw", 1, 0, 0 },
	{ "AGGREGATOR of length 0", &ebgp4, A(BASE4 "\xc0\x07\x00"),
	  A(PFX_10_0_1), DISC,
	  "AGGREGATOR: length 0 (8 expected); attribute discarded", 0, 1, 0 },
	{ "AS4_AGGREGATOR of length 0", &ebgp2, A(BASE2 "\xc0\x12\x00"),
	  A(PFX_10_0_1), DISC,
	  "AS4_AGGREGATOR: length 0 (8 expected); attribute discarded", 0, 1, 0 },
	{ "MP_UNREACH_NLRI of length 0", &ebgp4, A("\x80\x0f\x00"), A(""),
	  RESET, "MP_UNREACH_NLRI: length 0, too short for AFI and SAFI; session reset",
	  0, 0, 9 },
	{ "ATOMIC_AGGREGATE of length 0, its only length", &ebgp4,
	  A(BASE4 "\x40\x06\x00"), A(PFX_10_0_1), OK, NULL, 0, 1, 0 },
	/* 7606 4: the attribute section */
	{ "Extended Length bit, 2-octet length past the section", &ebgp4,
	  A(BASE4 "\xd0\x08\x01\x00\xfd\xe9\x00\x01"), A(PFX_10_0_1), TWA,
	  "COMMUNITIES: length 256 overruns the path attributes (4 bytes left); treat-as-withdraw",
	  1, 0, 0 },
	{ "attribute overrunning the path attributes", &ebgp4,
	  A(BASE4 "\xc0\x08\x08\xfd\xe9\x00\x01"), A(PFX_10_0_1), TWA,
	  "COMMUNITIES: length 8 overruns the path attributes (4 bytes left); treat-as-withdraw",
	  1, 0, 0 },
	{ "one byte after the last attribute", &ebgp4, A(BASE4 "\xc0"),
	  A(PFX_10_0_1), TWA,
	  "UPDATE: 1 byte after the last path attribute, too few for a header; treat-as-withdraw",
	  1, 0, 0 },
	{ "extended-length header cut after 3 bytes", &ebgp4,
	  A(BASE4 "\xd0\x08\x00"), A(PFX_10_0_1), TWA,
	  "COMMUNITIES: header truncated (3 bytes left); treat-as-withdraw",
	  1, 0, 0 },
	{ "MP_REACH_NLRI overrunning the path attributes", &ebgp4,
	  A(ORIGIN_IGP ASP4_65001 "\x80\x0e\x40\x00\x02"), A(""), RESET,
	  "MP_REACH_NLRI: length 64 overruns the path attributes (2 bytes left); session reset",
	  0, 0, 1 },
	{ "Extended Length bit on a 4-byte MED: accepted", &ebgp4,
	  A(BASE4 "\x90\x04\x00\x04\x00\x00\x00\x05"), A(PFX_10_0_1), OK, NULL,
	  0, 1, 0 },
	/* 7606 7.11, 7.12 (and 5.3): MP attributes */
	{ "MP_REACH_NLRI of length 2", &ebgp4,
	  A("\x80\x0e\x02\x00\x02" ORIGIN_IGP ASP4_65001), A(""), RESET,
	  "MP_REACH_NLRI: length 2, too short for AFI and SAFI; session reset",
	  0, 0, 9 },
	{ "MP_REACH_NLRI IPv6 next hop of 8 bytes (CVE-2023-46752 shape)", &ebgp4,
	  A("\x80\x0e\x14\x00\x02\x01\x08\x20\x01\x0d\xb8\x00\x00\x00\x01\x00" PFX6_DOC1
	    ORIGIN_IGP ASP4_65001), A(""), AFD,
	  "MP_REACH_NLRI: next hop length 8 for IPv6 unicast (16 or 32 expected); AFI/SAFI disable",
	  0, 0, 9 },
	{ "MP_REACH_NLRI next hop overrunning it", &ebgp4,
	  A("\x80\x0e\x06\x00\x02\x01\x10\x20\x01" ORIGIN_IGP ASP4_65001), A(""),
	  AFD,
	  "MP_REACH_NLRI: next hop length 16 overruns the attribute (2 bytes left); AFI/SAFI disable",
	  0, 0, 9 },
	{ "MP_REACH_NLRI IPv6 prefix /129", &ebgp4,
	  A("\x80\x0e\x17\x00\x02\x01\x10" NH6_DOC "\x00\x81\x20" ORIGIN_IGP ASP4_65001),
	  A(""), AFD,
	  "MP_REACH_NLRI: prefix 1 has length 129 (at most 128); AFI/SAFI disable",
	  0, 0, 9 },
	{ "MP_REACH_NLRI IPv6 broken, IPv4 NLRI fine", &ebgp4,
	  A("\x80\x0e\x17\x00\x02\x01\x10" NH6_DOC "\x00\x81\x20" BASE4),
	  A(PFX_10_0_1), AFD, NULL, 0, 1, 9 },
	{ "MP_UNREACH_NLRI prefix overrunning it", &ebgp4,
	  A("\x80\x0f\x05\x00\x02\x01\x40\x20"), A(""), AFD,
	  "MP_UNREACH_NLRI: prefix 1 of length 64 needs 8 bytes, 1 left; AFI/SAFI disable",
	  0, 0, 9 },
	{ "MP_UNREACH_NLRI of length 1", &ebgp4, A("\x80\x0f\x01\x00"), A(""),
	  RESET, "MP_UNREACH_NLRI: length 1, too short for AFI and SAFI; session reset",
	  0, 0, 9 },
	{ "MP_REACH_NLRI and MP_UNREACH_NLRI of two families broken", &ebgp4,
	  A("\x80\x0e\x17\x00\x02\x01\x10" NH6_DOC "\x00\x81\x20"
	    "\x80\x0f\x05\x00\x01\x01\x20\x0a" ORIGIN_IGP ASP4_65001), A(""),
	  RESET, NULL, 0, 0, 9 },
	{ "MP_REACH_NLRI next hop ::", &ebgp4,
	  A("\x80\x0e\x1c\x00\x02\x01\x10" "\x00\x00\x00\x00\x00\x00\x00\x00"
	    "\x00\x00\x00\x00\x00\x00\x00\x00" "\x00" PFX6_DOC1 ORIGIN_IGP ASP4_65001),
	  A(""), TWA,
	  "MP_REACH_NLRI: next hop :: is the unspecified address; treat-as-withdraw",
	  1, 0, 0 },
	{ "MP_REACH_NLRI next hop ff02::1", &ebgp4,
	  A("\x80\x0e\x1c\x00\x02\x01\x10" "\xff\x02\x00\x00\x00\x00\x00\x00"
	    "\x00\x00\x00\x00\x00\x00\x00\x01" "\x00" PFX6_DOC1 ORIGIN_IGP ASP4_65001),
	  A(""), TWA,
	  "MP_REACH_NLRI: next hop ff02::1 is a multicast address; treat-as-withdraw",
	  1, 0, 0 },
	{ "MP_REACH_NLRI second next hop not link-local", &ebgp4,
	  A("\x80\x0e\x2c\x00\x02\x01\x20" NH6_DOC "\x20\x01\x0d\xb8\x00\x00\x00\x00"
	    "\x00\x00\x00\x00\x00\x00\x00\x02" "\x00" PFX6_DOC1 ORIGIN_IGP ASP4_65001),
	  A(""), TWA,
	  "MP_REACH_NLRI: link-local next hop 2001:db8::2 is not link-local; treat-as-withdraw",
	  1, 0, 0 },
	{ "MP_REACH_NLRI marked transitive: its NLRI still withdrawn", &ebgp4,
	  A("\xc0\x0e\x1c\x00\x02\x01\x10" NH6_DOC "\x00" PFX6_DOC1 ORIGIN_IGP ASP4_65001),
	  A(""), TWA,
	  "MP_REACH_NLRI: flags 0xc0 (optional transitive), optional non-transitive expected; treat-as-withdraw",
	  1, 0, 0 },
	{ "MP_REACH_NLRI flowspec with empty NLRI (CVE-2023-38406 shape)", &ebgp4,
	  A("\x80\x0e\x05\x00\x01\x85\x00\x00" ORIGIN_IGP ASP4_65001), A(""), OK,
	  "MP_REACH_NLRI: AFI 1 SAFI 133 not supported; ignored", 0, 0, 0 },
	{ "MP_REACH_NLRI labeled unicast cut short (CVE-2023-38407 shape)", &ebgp4,
	  A("\x80\x0e\x0b\x00\x01\x04\x04\xc0\x00\x02\x01\x00\x38\x00"
	    ORIGIN_IGP ASP4_65001), A(""), OK,
	  "MP_REACH_NLRI: AFI 1 SAFI 4 not supported; ignored", 0, 0, 0 },
	{ "MP_REACH_NLRI IPv6 on an IPv4-only session", &v4only,
	  A(MPR6 ORIGIN_IGP ASP4_65001), A(""), OK,
	  "MP_REACH_NLRI: IPv6 unicast not negotiated; ignored", 0, 0, 0 },
	/* the FRR CVE shapes that need no attribute of their own */
	{ "path attribute length 0 and NLRI (CVE-2023-41358 shape)", &ebgp4,
	  A(""), A(PFX_10_0_1), TWA,
	  "ORIGIN: missing (well-known mandatory); treat-as-withdraw", 1, 0, 0 },
	{ "only an unknown transitive attribute, no NLRI (CVE-2023-46753 shape)",
	  &ebgp4, A("\xc0\x63\x01\x00"), A(""), OK, NULL, 0, 0, 0 },
	{ "MP_UNREACH_NLRI and NLRI, nothing else (CVE-2023-47234 shape)", &ebgp4,
	  A(MPU6), A(PFX_10_0_1), TWA,
	  "AS_PATH: missing (well-known mandatory); treat-as-withdraw", 2, 0, 0 },
	{ "empty MP_UNREACH_NLRI with a bad ORIGIN (CVE-2023-47235 shape)", &ebgp4,
	  A("\x80\x0f\x03\x00\x02\x01\x40\x01\x01\x05"), A(""), TWA,
	  "ORIGIN: undefined value 5; treat-as-withdraw", 0, 0, 0 },
	{ "broken TUNNEL_ENCAPSULATION sub-TLV (CVE-2023-38802, CVE-2024-44070 shapes)",
	  &ebgp4, A(BASE4 "\xc0\x17\x07\x00\x01\x00\x03\x01\x00\x01"),
	  A(PFX_10_0_1), OK, NULL, 0, 1, 0 },
	{ "AIGP of one byte (CVE-2023-41359 shape)", &ebgp4,
	  A(BASE4 "\x80\x1a\x01\x01"), A(PFX_10_0_1), OK,
	  "AIGP: unknown and non-transitive; ignored", 0, 1, 0 },
	{ "PREFIX_SID with broken TLVs (CVE-2024-31948 shape)", &ebgp4,
	  A(BASE4 "\xc0\x28\x02\x01\xff"), A(PFX_10_0_1), OK, NULL, 0, 1, 0 },
	{ "IPv4 NLRI on an IPv6-only session", &(const struct bgp_ctx){ .as4 = true, .afs = 2 },
	  A(BASE4), A(PFX_10_0_1), OK,
	  "UPDATE: IPv4 unicast not negotiated, 1 prefixes; ignored", 0, 0, 0 },
};

/* "07-as-path-segment-overrun-2-octet": a seed's file name */
static void slug(char *out, size_t len, unsigned int i, const char *name)
{
	size_t o;

	o = (size_t)snprintf(out, len, "%02u-", i);
	for (; *name && o + 1 < len; name++) {
		char c = *name;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '-';
		if (c == '-' && out[o - 1] == '-')
			continue;
		out[o++] = c;
	}
	while (o > 3 && out[o - 1] == '-')
		o--;
	out[o] = '\0';
}

static void test_rows(void)
{
	const struct row *r;
	unsigned int i, wd, an;
	char name[80];

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		r = &rows[i];
		dec(r->ctx, "", 0, r->attrs, r->alen, r->nlri, r->nlen);
		slug(name, sizeof(name), i, r->name);
		seed(name, r->ctx, M, ML);
		TAP_CHECK(U.decision == r->d, "%s: %s (got %s)", r->name,
			  bgp_decision_name(r->d), bgp_decision_name(U.decision));
		if (r->reason)
			TAP_CHECK(note_is(r->reason), "%s: \"%s\"", r->name,
				  r->reason);
		wd = count_runs(U.withdrawn, U.n_withdrawn);
		an = count_runs(U.announced, U.n_announced);
		TAP_CHECK(wd == r->wd && an == r->an,
			  "%s: %u withdrawn, %u announced (got %u, %u)",
			  r->name, r->wd, r->an, wd, an);
		if (r->d >= AFD)
			TAP_CHECK(U.notif.code == 3 && U.notif.subcode == r->sub,
				  "%s: NOTIFICATION 3/%u (got %u/%u)", r->name,
				  r->sub, U.notif.code, U.notif.subcode);
		if (r->d == DISC)
			TAP_CHECK(U.n_notes && bgp_update_discarded(&U, U.notes[0].attr),
				  "%s: the attribute is named as discarded", r->name);
	}
}

/* ---- UPDATE: the message's own lengths and prefixes ---- */

static void test_update_lengths(void)
{
	uint8_t body[64];

	/* GoBGP CVE-2026-37462's shape: lengths that would underflow */
	ML = mk(M, BGP_MSG_UPDATE, "\x00\x05\x00\x00", 4);
	TAP_CHECK(bgp_update_decode(&ebgp4, M, ML, &U) == RESET &&
		  U.notif.code == 3 && U.notif.subcode == 1 &&
		  note_is("UPDATE: withdrawn routes length 5 overruns the message (0 bytes left); session reset"),
		  "withdrawn routes length past the end (GoBGP CVE-2026-37462 shape): reset 3/1");
	seed("cve-2026-37462", &ebgp4, M, ML);
	ML = mk(M, BGP_MSG_UPDATE, "\xff\xff\x00\x00", 4);
	TAP_CHECK(bgp_update_decode(&ebgp4, M, ML, &U) == RESET,
		  "withdrawn routes length 65535: reset");
	ML = mk(M, BGP_MSG_UPDATE, "\x00\x00\x00\x08" ORIGIN_IGP, 8);
	TAP_CHECK(bgp_update_decode(&ebgp4, M, ML, &U) == RESET &&
		  U.notif.subcode == 1 &&
		  note_is("UPDATE: total path attribute length 8 overruns the message (4 bytes left); session reset"),
		  "total path attribute length past the end: reset 3/1");
	ML = mk(M, BGP_MSG_UPDATE, "\x00\x00\x00\x04" ORIGIN_IGP, 8);
	TAP_CHECK(bgp_update_decode(&ebgp4, M, ML, &U) == OK,
		  "total path attribute length exactly to the end");
	ML = mk(M, BGP_MSG_UPDATE, "\x00\x01\x21\x00\x00", 5);
	TAP_CHECK(bgp_update_decode(&ebgp4, M, ML, &U) == RESET &&
		  U.notif.subcode == 10 &&
		  note_is("UPDATE: withdrawn routes: prefix 1 has length 33 (at most 32); session reset"),
		  "withdrawn prefix /33: reset 3/10 (RFC 7606 5.3)");
	dec(&ebgp4, "", 0, S(BASE4), S("\x21\x0a\x00\x00\x00\x00"));
	TAP_CHECK(U.decision == RESET && U.notif.subcode == 10 &&
		  note_is("UPDATE: NLRI: prefix 1 has length 33 (at most 32); session reset"),
		  "NLRI prefix /33: reset 3/10");
	dec(&ebgp4, "", 0, S(BASE4), S(PFX_10_0_1 "\x18\x0a\x00"));
	TAP_CHECK(U.decision == RESET && U.notif.subcode == 10 &&
		  note_is("UPDATE: NLRI: prefix 2 of length 24 needs 3 bytes, 2 left; session reset"),
		  "NLRI prefix cut short: reset 3/10");
	TAP_CHECK(U.n_withdrawn == 0 && U.n_announced == 0,
		  "a reset leaves no routes to act on");
	dec(&ebgp4, "", 0, S(BASE4), S("\x20\x0a\x00\x01\x02" "\x00"));
	TAP_CHECK(U.decision == OK && count_runs(U.announced, U.n_announced) == 2,
		  "NLRI /32 and /0 (the longest and the shortest)");
	/* 4096 bytes exactly: 4073 bytes of /0 withdrawals */
	memset(body, 0, sizeof(body));
	{
		static uint8_t big[4096];
		size_t wl = 4096 - 23;

		big[0] = (uint8_t)(wl >> 8);
		big[1] = (uint8_t)wl;
		ML = mk(M, BGP_MSG_UPDATE, big, 4096 - 19);
		TAP_CHECK(bgp_update_decode(&ebgp4, M, ML, &U) == OK &&
			  U.n_withdrawn == 1 && U.withdrawn[0].count == 4073,
			  "UPDATE of 4096 bytes withdrawing 4073 default routes");
	}
	TAP_CHECK(bgp_update_decode(&ebgp4, M, 22, &U) == RESET &&
		  U.notif.code == 1, "UPDATE of 22 bytes refused (header error)");
	(void)body;
}

static void test_prefixes(void)
{
	struct bgp_prefix_iter it;
	struct bgp_prefix p;
	char s[64];
	bool ok;

	/* 10.1.2.255/24 as a peer may send it: the host bits are masked */
	dec(&ebgp4, "", 0, S(BASE4), S("\x18\x0a\x01\x02" "\x17\x0a\x01\x03" "\x01\xff"));
	TAP_CHECK(U.decision == OK && U.n_announced == 1 &&
		  U.announced[0].count == 3, "three IPv4 prefixes");
	bgp_prefix_iter_init(&it, &U.announced[0]);
	ok = bgp_prefix_next(&it, &p);
	TAP_CHECK(ok && !strcmp(bgp_prefix_fmt(&p, s, sizeof(s)), "10.1.2.0/24"),
		  "first prefix 10.1.2.0/24");
	ok = bgp_prefix_next(&it, &p);
	TAP_CHECK(ok && !strcmp(bgp_prefix_fmt(&p, s, sizeof(s)), "10.1.2.0/23"),
		  "trailing bit of 10.1.3.0/23 masked: 10.1.2.0/23");
	ok = bgp_prefix_next(&it, &p);
	TAP_CHECK(ok && !strcmp(bgp_prefix_fmt(&p, s, sizeof(s)), "128.0.0.0/1") &&
		  p.addr[0] == 0x80 && p.addr[1] == 0,
		  "0xff under /1 is 128.0.0.0/1");
	TAP_CHECK(!bgp_prefix_next(&it, &p), "and no fourth");
	dec(&ebgp4, "", 0, S(MPR6 ORIGIN_IGP ASP4_65001), S(""));
	bgp_prefix_iter_init(&it, &U.announced[0]);
	TAP_CHECK(U.decision == OK && bgp_prefix_next(&it, &p) &&
		  p.af == BGP_AF_IPV6 &&
		  !strcmp(bgp_prefix_fmt(&p, s, sizeof(s)), "2001:db8:1::/48"),
		  "IPv6 prefix 2001:db8:1::/48 from MP_REACH_NLRI");
	dec(&ebgp4, "", 0,
	    S("\x80\x0e\x37\x00\x02\x01\x10" NH6_DOC "\x00"
	      "\x80\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"
	      "\x7f\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff"
	      ORIGIN_IGP ASP4_65001), S(""));
	bgp_prefix_iter_init(&it, &U.announced[0]);
	ok = bgp_prefix_next(&it, &p);
	TAP_CHECK(U.decision == OK && ok && p.len == 128, "IPv6 /128 accepted");
	ok = bgp_prefix_next(&it, &p);
	TAP_CHECK(ok && p.len == 127 && p.addr[15] == 0xfe,
		  "IPv6 /127: the last bit masked");
}

/* ---- UPDATE: what a good one gives ---- */

static void test_update_full(void)
{
	/* iBGP, everything: MED 50, LP 200, atomic, aggregator, 3
	 * communities (one twice, out of order), one large, an unknown
	 * transitive attribute and EXTENDED_COMMUNITIES */
	static const char attrs[] =
		ORIGIN_INC
		"\x40\x02\x14\x02\x02\x00\x00\xfd\xe9\x00\x00\xfd\xea"
		"\x01\x02\x00\x00\xfd\xec\x00\x00\xfd\xeb"
		NH_192_0_2_1
		"\x80\x04\x04\x00\x00\x00\x32"
		"\x40\x05\x04\x00\x00\x00\xc8"
		"\x40\x06\x00"
		"\xc0\x07\x08\x00\x00\xfd\xe9\x0a\x00\x00\x01"
		"\xc0\x08\x0c\xff\xff\xff\x01\xfd\xe9\x00\x64\xfd\xe9\x00\x64"
		"\xc0\x10\x08\x00\x02\xfd\xe9\x00\x00\x00\x01"
		"\xc0\x20\x0c\x00\x00\xfd\xe9\x00\x00\x00\x01\x00\x00\x00\x02"
		"\xc0\x63\x02\xab\xcd";
	struct bgp_attrs *a = &U.attrs, r;
	struct bgp_raw_attr raw;
	struct bgp_rank rk;
	uint32_t l3[3];
	size_t off = 0;
	char s[128];

	dec(&ibgp4, "", 0, S(attrs), S(PFX_10_0_1 PFX_10_0_2));
	seed("update-full", &ibgp4, M, ML);
	TAP_CHECK(U.decision == OK && U.n_notes == 0 && U.n_announced == 1 &&
		  U.announced[0].count == 2, "full IPv4 UPDATE: OK, 2 prefixes");
	TAP_CHECK(a->origin == BGP_ORIGIN_INCOMPLETE && a->nh_len == 4 &&
		  !memcmp(a->nh, "\xc0\x00\x02\x01", 4), "origin and next hop");
	TAP_CHECK(BGP_ATTRS_HAS(a, BGP_ATTR_MED) && a->med == 50 &&
		  BGP_ATTRS_HAS(a, BGP_ATTR_LOCAL_PREF) && a->local_pref == 200,
		  "MED 50, LOCAL_PREF 200");
	TAP_CHECK(BGP_ATTRS_HAS(a, BGP_ATTR_ATOMIC_AGGR) &&
		  BGP_ATTRS_HAS(a, BGP_ATTR_AGGREGATOR) && a->aggr_as == 65001 &&
		  a->aggr_id == 0x0a000001, "ATOMIC_AGGREGATE, AGGREGATOR 65001 10.0.0.1");
	TAP_STREQ(bgp_aspath_fmt(a, s, sizeof(s)), "65001 65002 {65003,65004}",
		  "AS path, the set sorted");
	TAP_CHECK(bgp_aspath_length(a) == 3 && bgp_aspath_first(a) == 65001,
		  "AS path length 3 (the set counts 1), neighbour 65001");
	TAP_CHECK(bgp_attrs_n_communities(a) == 2 &&
		  bgp_attrs_community(a, 0) == 0xfde90064 &&
		  bgp_attrs_community(a, 1) == 0xffffff01,
		  "communities sorted, the repeat dropped");
	bgp_attrs_large(a, 0, l3);
	TAP_CHECK(bgp_attrs_n_large(a) == 1 && l3[0] == 65001 && l3[1] == 1 &&
		  l3[2] == 2, "large community 65001:1:2");
	TAP_CHECK(bgp_attrs_other_next(a, &off, &raw) && raw.type == 16 &&
		  raw.flags == 0xc0 && raw.len == 8,
		  "EXTENDED_COMMUNITIES kept as they came");
	TAP_CHECK(bgp_attrs_other_next(a, &off, &raw) && raw.type == 99 &&
		  raw.flags == 0xe0 && raw.len == 2 && !memcmp(raw.val, "\xab\xcd", 2),
		  "unknown transitive attribute 99 kept with the Partial bit");
	TAP_CHECK(!bgp_attrs_other_next(a, &off, &raw), "no more others");
	bgp_attrs_rank(a, &rk);
	TAP_CHECK(rk.local_pref == 200 && rk.path_len == 3 && rk.origin == 2 &&
		  rk.med == 50 && rk.neighbor_as == 65001, "rank inputs");
	bgp_update_route_attrs(&U, &U.announced[0], &r);
	TAP_CHECK(bgp_attrs_cmp(&r, a) == 0 && bgp_attrs_hash(&r) == bgp_attrs_hash(a),
		  "route attributes of the IPv4 run are the update's");
	TAP_CHECK(bgp_attrs_size(a) < 200, "the set is %zu bytes to keep",
		  bgp_attrs_size(a));

	/* the same content in another order is the same canonical set */
	dec(&ibgp4, "", 0,
	    S("\xc0\x63\x02\xab\xcd"
	      "\xc0\x20\x0c\x00\x00\xfd\xe9\x00\x00\x00\x01\x00\x00\x00\x02"
	      "\xc0\x08\x08\xfd\xe9\x00\x64\xff\xff\xff\x01"
	      "\xc0\x10\x08\x00\x02\xfd\xe9\x00\x00\x00\x01"
	      "\xc0\x07\x08\x00\x00\xfd\xe9\x0a\x00\x00\x01"
	      "\x40\x06\x00" "\x40\x05\x04\x00\x00\x00\xc8"
	      "\x80\x04\x04\x00\x00\x00\x32" NH_192_0_2_1
	      "\x40\x02\x16\x02\x01\x00\x00\xfd\xe9" "\x02\x01\x00\x00\xfd\xea"
	      "\x01\x02\x00\x00\xfd\xeb\x00\x00\xfd\xec"
	      ORIGIN_INC), S(PFX_10_0_1));
	TAP_CHECK(U.decision == OK && bgp_attrs_cmp(&U.attrs, &r) == 0,
		  "same attributes, other order, split sequence, set unsorted: equal");
	r.med = 49;
	TAP_CHECK(bgp_attrs_cmp(&U.attrs, &r) > 0 &&
		  bgp_attrs_hash(&U.attrs) != bgp_attrs_hash(&r),
		  "a different MED compares unequal");
}

/*
 * BIRD CVE-2026-49943's shape: the longest AS path a 4096-byte UPDATE
 * holds (2019 ASes on a 2-octet session). Nothing here recurses and the
 * canonical set holds it; the encoder cuts it into 255-AS segments again.
 */
static void test_longest_path(void)
{
	static uint8_t attrs[4096];
	static struct bgp_prefix p = { .af = BGP_AF_IPV4, .len = 24,
				       .addr = { 10, 0, 1 } };
	uint8_t buf[BGP_MSG_MAX];
	size_t o = 0, i, used, left = 2019;
	char err[160];
	int len;

	memcpy(attrs, ORIGIN_IGP, 4);
	o = 4;
	attrs[o++] = 0x50;
	attrs[o++] = BGP_ATTR_AS_PATH;
	attrs[o++] = 4054 >> 8;
	attrs[o++] = 4054 & 0xff;
	while (left) {
		size_t k = left > 255 ? 255 : left;

		attrs[o++] = BGP_SEG_SEQUENCE;
		attrs[o++] = (uint8_t)k;
		for (i = 0; i < k; i++, left--) {
			unsigned int asn = left == 2019 ? 65001 : 1 + (unsigned int)left;

			attrs[o++] = (uint8_t)(asn >> 8);
			attrs[o++] = (uint8_t)asn;
		}
	}
	memcpy(attrs + o, NH_192_0_2_1, 7);
	o += 7;
	dec(&ebgp2, "", 0, attrs, o, S(PFX_10_0_1));
	TAP_CHECK(ML == BGP_MSG_MAX && U.decision == OK &&
		  bgp_aspath_length(&U.attrs) == 2019 &&
		  U.attrs.aspath_len == 3 + 4 * 2019,
		  "AS path of 2019 ASes in a 4096-byte UPDATE (BIRD CVE-2026-49943 shape)");
	seed("bird-cve-2026-49943-longest-path", &ebgp2, M, ML);
	len = bgp_build_announce(&ebgp2, &U.attrs, BGP_AF_IPV4, &p, 1, &used,
				 buf, sizeof(buf), err, sizeof(err));
	TAP_CHECK(len == BGP_MSG_MAX && !memcmp(buf, M, ML),
		  "and it encodes back to the same 4096 bytes");
}

static void test_rank(void)
{
	struct bgp_rank a = { 100, 3, 0, 10, 65001 }, b = a;

	b.local_pref = 200;
	TAP_CHECK(bgp_rank_cmp(&a, &b) > 0, "rank: higher LOCAL_PREF wins");
	b = a;
	b.path_len = 2;
	TAP_CHECK(bgp_rank_cmp(&a, &b) > 0, "rank: shorter AS path wins");
	b = a;
	b.origin = 1;
	TAP_CHECK(bgp_rank_cmp(&a, &b) < 0, "rank: lower origin wins");
	b = a;
	b.med = 5;
	TAP_CHECK(bgp_rank_cmp(&a, &b) > 0, "rank: lower MED wins, same neighbour");
	b.neighbor_as = 65002;
	TAP_CHECK(bgp_rank_cmp(&a, &b) == 0,
		  "rank: MED not compared across neighbours");
}

static void test_eor(void)
{
	uint8_t b[64];
	int len;

	ML = mk(M, BGP_MSG_UPDATE, "\x00\x00\x00\x00", 4);
	TAP_CHECK(bgp_update_decode(&ebgp4, M, ML, &U) == OK &&
		  U.eor == BGP_AF_IPV4, "empty UPDATE is IPv4 End-of-RIB");
	seed("eor-v4", &ebgp4, M, ML);
	len = bgp_build_eor(BGP_AF_IPV4, b, sizeof(b));
	TAP_CHECK(len == 23 && tap_bytes_eq(b, 23, M, ML), "IPv4 End-of-RIB bytes");
	len = bgp_build_eor(BGP_AF_IPV6, b, sizeof(b));
	TAP_CHECK(len == 29 && tap_bytes_eq(b, 29, S(MARKER "\x00\x1d\x02\x00\x00\x00\x06"
						 "\x80\x0f\x03\x00\x02\x01")),
		  "IPv6 End-of-RIB bytes");
	seed("eor-v6", &ebgp4, b, 29);
	TAP_CHECK(bgp_update_decode(&ebgp4, b, 29, &U) == OK &&
		  U.eor == BGP_AF_IPV6, "empty MP_UNREACH_NLRI is IPv6 End-of-RIB");
	dec(&ebgp4, "", 0, S("\x80\x0f\x03\x00\x02\x01" ORIGIN_IGP), S(""));
	TAP_CHECK(U.decision == OK && U.eor == -1,
		  "empty MP_UNREACH_NLRI with ORIGIN beside it: no End-of-RIB");
	dec(&ebgp4, "", 0, S("\x80\x0f\x03\x00\x02\x01\x40\x01\x01\x05"), S(""));
	TAP_CHECK(U.decision == TWA && U.eor == -1,
		  "malformed UPDATE that looks like End-of-RIB (CVE-2023-47235 shape): not one");
	dec(&v4only, "", 0, S("\x80\x0f\x03\x00\x02\x01"), S(""));
	TAP_CHECK(U.eor == -1, "IPv6 End-of-RIB on an IPv4-only session: ignored");
	dec(&ebgp4, "", 0, S("\x80\x0f\x03\x00\x01\x01"), S(""));
	TAP_CHECK(U.eor == BGP_AF_IPV4, "empty MP_UNREACH_NLRI for IPv4 also ends IPv4");
	dec(&ebgp4, S(PFX_10_0_1), S(""), S(""));
	TAP_CHECK(U.decision == OK && U.eor == -1 && U.n_withdrawn == 1,
		  "a withdrawal is no End-of-RIB");
}

static void test_unknown_wk_data(void)
{
	dec(&ebgp4, "", 0, S(BASE4 "\x40\x63\x02\xab\xcd"), S(PFX_10_0_1));
	TAP_CHECK(U.notif.len == 5 && !memcmp(U.notif.data, "\x40\x63\x02\xab\xcd", 5),
		  "unrecognized well-known: the data is the attribute");
	dec(&ebgp4, "", 0, S("\x80\x0e\x14\x00\x02\x01\x08\x20\x01\x0d\xb8\x00\x00\x00\x01\x00"
			     PFX6_DOC1), S(""));
	TAP_CHECK(U.disable_af == BGP_AF_IPV6 && U.notif.len == 23 &&
		  U.notif.data[1] == 14,
		  "AFI/SAFI disable names IPv6 and carries MP_REACH_NLRI as data");
	dec(&ebgp4, "", 0, S(MPR6 ORIGIN_IGP ASP4_65001 "\x80\x1a\x01\x01"), S(""));
	TAP_CHECK(U.decision == OK && U.attrs.other_len == 0,
		  "unknown non-transitive attribute dropped from the set");
}

/* ---- RFC 6793 4.2.3: a 2-octet session's paths ---- */

static void test_as4_merge(void)
{
	char s[128];

	/* AS_PATH 65001 23456 23456 65010, AS4_PATH 4200000001 4200000002 65010 */
	dec(&ebgp2, "", 0,
	    S(ORIGIN_IGP "\x40\x02\x0a\x02\x04\xfd\xe9\x5b\xa0\x5b\xa0\xfd\xf2"
	      NH_192_0_2_1
	      "\xc0\x11\x0e\x02\x03\xfa\x56\xea\x01\xfa\x56\xea\x02\x00\x00\xfd\xf2"),
	    S(PFX_10_0_1));
	seed("as4-merge", &ebgp2, M, ML);
	TAP_CHECK(U.decision == OK, "AS4_PATH merge: OK");
	TAP_STREQ(bgp_aspath_fmt(&U.attrs, s, sizeof(s)),
		  "65001 4200000001 4200000002 65010",
		  "AS4_PATH merged: the lead from AS_PATH, the rest from AS4_PATH");
	TAP_CHECK(bgp_aspath_length(&U.attrs) == 4, "merged path length 4");
	/* the fuzzer's find: an AS4_PATH as long as AS_PATH from an eBGP
	 * peer would replace the peer's own AS at the front */
	dec(&ebgp2, "", 0,
	    S(ORIGIN_IGP "\x40\x02\x08\x02\x03\xfd\xe9\x5b\xa0\xfd\xf2"
	      NH_192_0_2_1
	      "\xc0\x11\x0e\x02\x03\x0a\x00\xfd\xe9\xfa\x56\xea\x01\x00\x00\xfd\xf2"),
	    S(PFX_10_0_1));
	seed("as4-front", &ebgp2, M, ML);
	TAP_CHECK(U.decision == DISC &&
		  note_is("AS4_PATH: would put AS 167837161 before the peer's AS 65001; attribute discarded"),
		  "AS4_PATH that would displace the eBGP peer's AS: discarded");
	TAP_STREQ(bgp_aspath_fmt(&U.attrs, s, sizeof(s)), "65001 23456 65010",
		  "and AS_PATH is the path");
	/* AS4_PATH longer than AS_PATH: ignored */
	dec(&ebgp2, "", 0,
	    S(ORIGIN_IGP "\x40\x02\x04\x02\x01\xfd\xe9" NH_192_0_2_1
	      "\xc0\x11\x0a\x02\x02\xfa\x56\xea\x01\xfa\x56\xea\x02"),
	    S(PFX_10_0_1));
	TAP_CHECK(U.decision == DISC &&
		  note_is("AS4_PATH: 2 ASes, AS_PATH only 1 (RFC 6793 4.2.3); attribute discarded"),
		  "AS4_PATH with more ASes than AS_PATH: discarded");
	TAP_STREQ(bgp_aspath_fmt(&U.attrs, s, sizeof(s)), "65001",
		  "and AS_PATH is the path");
	/* AGGREGATOR not AS_TRANS: AS4_AGGREGATOR and AS4_PATH ignored */
	dec(&ebgp2, "", 0,
	    S(BASE2 "\xc0\x07\x06\xfd\xe9\x0a\x00\x00\x01"
	      "\xc0\x11\x06\x02\x01\xfa\x56\xea\x01"
	      "\xc0\x12\x08\xfa\x56\xea\x01\x0a\x00\x00\x01"), S(PFX_10_0_1));
	TAP_CHECK(U.decision == DISC && U.attrs.aggr_as == 65001 &&
		  note_is("AS4_AGGREGATOR: AGGREGATOR has AS 65001, not AS_TRANS (RFC 6793 4.2.3); attribute discarded") &&
		  note_is("AS4_PATH: AGGREGATOR has AS 65001, not AS_TRANS (RFC 6793 4.2.3); attribute discarded"),
		  "AGGREGATOR not AS_TRANS: both AS4 attributes ignored");
	TAP_STREQ(bgp_aspath_fmt(&U.attrs, s, sizeof(s)), "65001",
		  "and the path is AS_PATH");
	/* AGGREGATOR AS_TRANS: AS4_AGGREGATOR taken */
	dec(&ebgp2, "", 0,
	    S(BASE2 "\xc0\x07\x06\x5b\xa0\x0a\x00\x00\x02"
	      "\xc0\x12\x08\xfa\x56\xea\x01\x0a\x00\x00\x01"), S(PFX_10_0_1));
	TAP_CHECK(U.decision == OK && U.attrs.aggr_as == 4200000001u &&
		  U.attrs.aggr_id == 0x0a000001,
		  "AGGREGATOR AS_TRANS: the aggregator from AS4_AGGREGATOR");
	dec(&ebgp2, "", 0, S(BASE2 "\xc0\x12\x08\xfa\x56\xea\x01\x0a\x00\x00\x01"),
	    S(PFX_10_0_1));
	TAP_CHECK(U.decision == DISC && !BGP_ATTRS_HAS(&U.attrs, BGP_ATTR_AGGREGATOR),
		  "AS4_AGGREGATOR without AGGREGATOR: discarded");
	/* confederation segments lead and stay; AS4_PATH's are removed */
	dec(&ibgp2, "", 0,
	    S(ORIGIN_IGP "\x40\x02\x0a\x03\x01\xfd\xe8\x02\x02\x5b\xa0\xfd\xf2"
	      NH_192_0_2_1
	      "\xc0\x11\x10\x04\x01\x00\x00\x00\x07\x02\x02\xfa\x56\xea\x01\x00\x00\xfd\xf2"),
	    S(PFX_10_0_1));
	TAP_CHECK(U.decision == OK &&
		  note_is("AS4_PATH: confederation segments removed (RFC 6793 6); ignored"),
		  "AS4_PATH confederation segment removed and said");
	TAP_STREQ(bgp_aspath_fmt(&U.attrs, s, sizeof(s)), "(65000) 4200000001 65010",
		  "the leading confederation segment of AS_PATH kept");
	TAP_CHECK(bgp_aspath_length(&U.attrs) == 2, "confederation counts 0");
	/* an AS_SET in the lead is taken whole */
	dec(&ibgp2, "", 0,
	    S(ORIGIN_IGP "\x40\x02\x0a\x01\x02\xfd\xeb\xfd\xea\x02\x01\x5b\xa0"
	      NH_192_0_2_1 "\xc0\x11\x06\x02\x01\xfa\x56\xea\x01"), S(PFX_10_0_1));
	TAP_STREQ(bgp_aspath_fmt(&U.attrs, s, sizeof(s)), "{65002,65003} 4200000001",
		  "an AS_SET in front is taken whole");
}

/* ---- encoders ---- */

static struct bgp_update U2;
static struct bgp_prefix P[8192], Q[8192];

static int pfx_cmp(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct bgp_prefix));
}

/* the prefixes of some runs of u, into out */
static size_t collect(const struct bgp_nlri *runs, unsigned int n,
		      struct bgp_prefix *out, size_t max)
{
	struct bgp_prefix_iter it;
	unsigned int i;
	size_t k = 0;

	for (i = 0; i < n; i++) {
		bgp_prefix_iter_init(&it, &runs[i]);
		while (k < max && bgp_prefix_next(&it, &out[k]))
			k++;
	}
	return k;
}

/*
 * Sends pfx[0..n) with a (or withdraws them, a == NULL) and decodes
 * every message back: all OK, all prefixes there, attributes equal.
 * Returns the number of messages, 0 on any difference.
 */
static unsigned int send_back(const struct bgp_ctx *c, const struct bgp_attrs *a,
			      enum bgp_af af, struct bgp_prefix *pfx, size_t n,
			      size_t *maxlen)
{
	static uint8_t buf[BGP_MSG_MAX];
	static struct bgp_attrs back;
	size_t used, got = 0, k;
	unsigned int msgs = 0;
	char err[160];
	int len;

	*maxlen = 0;
	memcpy(Q, pfx, n * sizeof(*pfx));
	while (got < n) {
		if (a)
			len = bgp_build_announce(c, a, af, pfx + got, n - got,
						 &used, buf, sizeof(buf), err,
						 sizeof(err));
		else
			len = bgp_build_withdraw(af, pfx + got, n - got, &used,
						 buf, sizeof(buf), err,
						 sizeof(err));
		if (len < 0 || !used) {
			printf("#   build: %s\n", err);
			return 0;
		}
		if ((size_t)len > *maxlen)
			*maxlen = (size_t)len;
		msgs++;
		if (bgp_update_decode(c, buf, (size_t)len, &U2) != OK) {
			printf("#   decode: %s\n", U2.n_notes ? U2.notes[0].reason : "?");
			return 0;
		}
		if (a) {
			if (U2.n_announced != 1 || U2.n_withdrawn)
				return 0;
			bgp_update_route_attrs(&U2, &U2.announced[0], &back);
			if (bgp_attrs_cmp(&back, a)) {
				printf("#   attributes differ\n");
				return 0;
			}
			k = collect(U2.announced, U2.n_announced, P + got,
				    n - got);
		} else {
			if (U2.n_withdrawn != 1 || U2.n_announced)
				return 0;
			k = collect(U2.withdrawn, U2.n_withdrawn, P + got,
				    n - got);
		}
		if (k != used)
			return 0;
		got += used;
	}
	qsort(P, n, sizeof(*P), pfx_cmp);
	qsort(Q, n, sizeof(*Q), pfx_cmp);
	return memcmp(P, Q, n * sizeof(*P)) ? 0 : msgs;
}

static void test_build_update(void)
{
	static struct bgp_prefix pfx[4000];
	struct bgp_attrs a;
	uint32_t comm[100], path[3] = { 65001, 4200000001u, 65010 };
	uint8_t buf[BGP_MSG_MAX];
	size_t i, maxlen, used, bytes;
	unsigned int msgs, lower;
	char err[160];
	int len;

	bgp_attrs_init(&a);
	a.nh_len = 4;
	memcpy(a.nh, "\xc0\x00\x02\x01", 4);
	TAP_CHECK(bgp_attrs_set_path(&a, path, 1) == 0, "set a path of one AS");
	pfx[0].af = BGP_AF_IPV4;
	pfx[0].len = 24;
	memcpy(pfx[0].addr, "\x0a\x00\x01", 3);
	len = bgp_build_announce(&ebgp4, &a, BGP_AF_IPV4, pfx, 1, &used, buf,
				 sizeof(buf), err, sizeof(err));
	TAP_CHECK(len > 0 && used == 1 &&
		  tap_bytes_eq(buf, (size_t)len,
			   S(MARKER "\x00\x2f\x02\x00\x00\x00\x14" BASE4 PFX_10_0_1)),
		  "UPDATE announcing 10.0.1.0/24: the bytes of RFC 4271");
	seed("update-one", &ebgp4, buf, (size_t)len);

	/* 4000 IPv4 /24s and /20s: messages as full as they can be */
	for (i = 0; i < 4000; i++) {
		memset(&pfx[i], 0, sizeof(pfx[i]));
		pfx[i].af = BGP_AF_IPV4;
		pfx[i].len = i % 3 ? 24 : 20;
		pfx[i].addr[0] = 10;
		pfx[i].addr[1] = (uint8_t)(i >> 4);
		pfx[i].addr[2] = (uint8_t)(pfx[i].len == 24 ? i << 4 : (i << 4) & 0xf0);
	}
	for (i = 0; i < 100; i++)
		comm[i] = 0xfde90000u + (uint32_t)i;
	TAP_CHECK(bgp_attrs_set_communities(&a, comm, 100) == 0 &&
		  bgp_attrs_n_communities(&a) == 100, "100 communities set");
	for (i = 0, bytes = 0; i < 4000; i++)
		bytes += 1 + (pfx[i].len + 7u) / 8;
	msgs = send_back(&ebgp4, &a, BGP_AF_IPV4, pfx, 4000, &maxlen);
	lower = (unsigned int)((bytes + (BGP_MSG_MAX - 23 - bgp_attrs_encoded_len(&ebgp4, &a, BGP_AF_IPV4)) - 1) /
			       (BGP_MSG_MAX - 23 - bgp_attrs_encoded_len(&ebgp4, &a, BGP_AF_IPV4)));
	TAP_CHECK(msgs == lower && maxlen <= BGP_MSG_MAX,
		  "4000 IPv4 prefixes with 100 communities: %u messages (at least %u needed), at most %zu bytes",
		  msgs, lower, maxlen);
	TAP_CHECK(bgp_attrs_encoded_len(&ebgp4, &a, BGP_AF_IPV4) > 400,
		  "(COMMUNITIES of 400 bytes: the Extended Length flag)");
	len = bgp_build_announce(&ebgp4, &a, BGP_AF_IPV4, pfx, 1, &used, buf,
				 sizeof(buf), err, sizeof(err));
	TAP_CHECK(len > 0 && buf[23 + 4 + 9 + 7] == 0xd0 && buf[23 + 4 + 9 + 7 + 1] == 8 &&
		  buf[23 + 4 + 9 + 7 + 2] == 0x01 && buf[23 + 4 + 9 + 7 + 3] == 0x90,
		  "COMMUNITIES of 400 bytes: flags 0xd0 and a 2-octet length");
	msgs = send_back(&ebgp4, NULL, BGP_AF_IPV4, pfx, 4000, &maxlen);
	lower = (unsigned int)((bytes + 4072) / 4073);
	TAP_CHECK(msgs == lower && maxlen <= BGP_MSG_MAX,
		  "4000 IPv4 withdrawals: %u messages (at least %u needed)", msgs,
		  lower);

	/* IPv6 through MP_REACH_NLRI / MP_UNREACH_NLRI */
	for (i = 0; i < 3000; i++) {
		memset(&pfx[i], 0, sizeof(pfx[i]));
		pfx[i].af = BGP_AF_IPV6;
		pfx[i].len = i % 2 ? 64 : 48;
		memcpy(pfx[i].addr, "\x20\x01\x0d\xb8", 4);
		pfx[i].addr[4] = (uint8_t)(i >> 8);
		pfx[i].addr[5] = (uint8_t)i;
		pfx[i].addr[6] = pfx[i].len == 64 ? 0x12 : 0;
	}
	a.nh_len = 32;
	memcpy(a.nh, NH6_DOC "\xfe\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", 32);
	for (i = 0, bytes = 0; i < 3000; i++)
		bytes += 1 + (pfx[i].len + 7u) / 8;
	msgs = send_back(&ebgp4, &a, BGP_AF_IPV6, pfx, 3000, &maxlen);
	lower = (unsigned int)((bytes + 4096 - 23 - 4 - 37 - bgp_attrs_encoded_len(&ebgp4, &a, BGP_AF_IPV6) + 37 + 3 - 1) /
			       (4096 - 23 - 4 - bgp_attrs_encoded_len(&ebgp4, &a, BGP_AF_IPV6) + 3));
	TAP_CHECK(msgs > 0 && msgs <= lower + 1 && maxlen <= BGP_MSG_MAX,
		  "3000 IPv6 prefixes: %u messages (%u or so needed)", msgs, lower);
	len = bgp_build_announce(&ebgp4, &a, BGP_AF_IPV6, pfx, 3000, &used, buf,
				 sizeof(buf), err, sizeof(err));
	TAP_CHECK(len > 0 && buf[23] == 0x90 && buf[24] == BGP_ATTR_MP_REACH,
		  "MP_REACH_NLRI first, with the Extended Length flag");
	seed("update-v6-full", &ebgp4, buf, (size_t)len);
	TAP_CHECK(len >= 4096 - 16, "the message is full: %d bytes", len);
	msgs = send_back(&ebgp4, NULL, BGP_AF_IPV6, pfx, 3000, &maxlen);
	TAP_CHECK(msgs > 0 && maxlen <= BGP_MSG_MAX,
		  "3000 IPv6 withdrawals in %u messages", msgs);
	len = bgp_build_withdraw(BGP_AF_IPV6, pfx, 1, &used, buf, sizeof(buf),
				 err, sizeof(err));
	TAP_CHECK(len == 23 + 3 + 3 + 7 && buf[23] == 0x80 && buf[24] == 15 &&
		  buf[25] == 10, "one IPv6 withdrawal: MP_UNREACH_NLRI of 10 bytes");
	seed("withdraw-v6", &ebgp4, buf, (size_t)len);

	/* first fit: a /32 that does not fit leaves room to a /0 behind */
	a.nh_len = 4;
	bgp_attrs_set_communities(&a, comm, 0);
	for (i = 0; i < 1000; i++) {
		memset(&pfx[i], 0, sizeof(pfx[i]));
		pfx[i].af = BGP_AF_IPV4;
		pfx[i].len = 32;
		pfx[i].addr[3] = (uint8_t)i;
		pfx[i].addr[2] = (uint8_t)(i >> 8);
	}
	pfx[850].len = 0;
	memset(pfx[850].addr, 0, 4);
	len = bgp_build_announce(&ebgp4, &a, BGP_AF_IPV4, pfx, 1000, &used, buf,
				 sizeof(buf), err, sizeof(err));
	TAP_CHECK(len == 4094 && used == 811 && pfx[used - 1].len == 0,
		  "first fit: a /0 behind the /32 that did not fit goes in (%d bytes, %zu prefixes)",
		  len, used);

	/* 2-octet session: AS_TRANS in AS_PATH, AS4_PATH, AS4_AGGREGATOR */
	bgp_attrs_init(&a);
	a.nh_len = 4;
	memcpy(a.nh, "\xc0\x00\x02\x01", 4);
	bgp_attrs_set_path(&a, path, 3);
	a.present |= 1u << BGP_ATTR_AGGREGATOR;
	a.aggr_as = 4200000001u;
	a.aggr_id = 0x0a000001;
	len = bgp_build_announce(&ebgp2, &a, BGP_AF_IPV4, pfx, 1, &used, buf,
				 sizeof(buf), err, sizeof(err));
	TAP_CHECK(len > 0 && tap_bytes_eq(buf, (size_t)len,
		S(MARKER "\x00\x57\x02\x00\x00\x00\x3b"
		  ORIGIN_IGP "\x40\x02\x08\x02\x03\xfd\xe9\x5b\xa0\xfd\xf2" NH_192_0_2_1
		  "\xc0\x07\x06\x5b\xa0\x0a\x00\x00\x01"
		  "\xc0\x11\x0e\x02\x03\x00\x00\xfd\xe9\xfa\x56\xea\x01\x00\x00\xfd\xf2"
		  "\xc0\x12\x08\xfa\x56\xea\x01\x0a\x00\x00\x01"
		  "\x20\x00\x00\x00\x00")),
		  "2-octet session: AS_TRANS, AS4_PATH, AS4_AGGREGATOR (RFC 6793 4.2.2)");
	seed("update-as2", &ebgp2, buf, (size_t)len);
	TAP_CHECK(bgp_update_decode(&ebgp2, buf, (size_t)len, &U) == OK &&
		  bgp_attrs_cmp(&U.attrs, &a) == 0,
		  "and decodes back to the 4-octet path and aggregator");
	len = bgp_build_announce(&ebgp4, &a, BGP_AF_IPV4, pfx, 1, &used, buf,
				 sizeof(buf), err, sizeof(err));
	TAP_CHECK(len == 19 + 4 + 4 + 17 + 7 + 11 + 5 &&
		  bgp_update_decode(&ebgp4, buf, (size_t)len, &U) == OK &&
		  bgp_attrs_cmp(&U.attrs, &a) == 0,
		  "4-octet session: no AS4 attributes, the same set back");
	TAP_CHECK(bgp_attrs_prepend(&a, 65000, 2) == 0 &&
		  bgp_aspath_length(&a) == 5 && bgp_aspath_first(&a) == 65000,
		  "prepend 65000 twice: path length 5");

	/* a sequence longer than 255 ASes goes out in two segments */
	{
		static uint32_t many[600];
		char s[16];

		for (i = 0; i < 600; i++)
			many[i] = 64512 + (uint32_t)i;
		bgp_attrs_init(&a);
		a.nh_len = 4;
		memcpy(a.nh, "\xc0\x00\x02\x01", 4);
		many[0] = 65001;
		bgp_attrs_set_path(&a, many, 600);
		len = bgp_build_announce(&ebgp4, &a, BGP_AF_IPV4, pfx, 1, &used,
					 buf, sizeof(buf), err, sizeof(err));
		TAP_CHECK(len > 0 && bgp_update_decode(&ebgp4, buf, (size_t)len, &U) == OK &&
			  bgp_attrs_cmp(&U.attrs, &a) == 0 &&
			  bgp_aspath_length(&U.attrs) == 600,
			  "an AS path of 600 ASes: three segments out, one sequence back");
		seed("update-long-path", &ebgp4, buf, (size_t)len);
		TAP_CHECK(!strcmp(bgp_aspath_fmt(&a, s, sizeof(s)), "65001 ...") ||
			  !strncmp(s, "65001", 5), "formatting a long path is cut: \"%s\"", s);
		many[1000 % 600] = 0;
		bgp_attrs_set_path(&a, many, 1000 > 600 ? 600 : 1000);
	}

	/* refusals */
	bgp_attrs_init(&a);
	TAP_CHECK(bgp_build_announce(&ebgp4, &a, BGP_AF_IPV4, pfx, 1, &used, buf,
				     sizeof(buf), err, sizeof(err)) == -1 &&
		  !strcmp(err, "next hop of 0 bytes for IPv4 unicast"),
		  "announce without a next hop refused");
	a.nh_len = 4;
	pfx[0].af = BGP_AF_IPV6;
	TAP_CHECK(bgp_build_announce(&ebgp4, &a, BGP_AF_IPV4, pfx, 1, &used, buf,
				     sizeof(buf), err, sizeof(err)) == -1 &&
		  !strcmp(err, "prefix 0 is not an IPv4 unicast prefix"),
		  "an IPv6 prefix in an IPv4 announcement refused");
	TAP_CHECK(bgp_build_withdraw(BGP_AF_IPV4, pfx, 0, &used, buf, sizeof(buf),
				     err, sizeof(err)) == -1,
		  "withdrawing nothing refused");
	TAP_CHECK(bgp_build_eor(BGP_AF_IPV6, buf, 28) == -1,
		  "End-of-RIB into 28 bytes refused");
}

static void test_setters(void)
{
	static struct bgp_attrs a, b;
	uint32_t c[] = { 3, 1, 2, 1 }, l[] = { 1, 2, 3, 1, 2, 3, 0, 0, 1 };
	uint32_t l3[3];
	char s[64];

	bgp_attrs_init(&a);
	TAP_CHECK(bgp_attrs_set_communities(&a, c, 4) == 0 &&
		  bgp_attrs_n_communities(&a) == 3 && bgp_attrs_community(&a, 0) == 1 &&
		  bgp_attrs_community(&a, 2) == 3, "communities set sorted, once each");
	TAP_CHECK(bgp_attrs_set_large(&a, l, 3) == 0 && bgp_attrs_n_large(&a) == 2,
		  "large communities set sorted, once each");
	bgp_attrs_large(&a, 0, l3);
	TAP_CHECK(l3[0] == 0 && l3[2] == 1, "the smallest large community first");
	TAP_CHECK(bgp_attrs_prepend(&a, 65001, 1) == 0 &&
		  bgp_attrs_n_communities(&a) == 3 && bgp_attrs_community(&a, 1) == 2,
		  "prepend moves the communities along");
	TAP_STREQ(bgp_aspath_fmt(&a, s, sizeof(s)), "65001", "path 65001");
	b = a;
	TAP_CHECK(bgp_attrs_cmp(&a, &b) == 0, "a copy compares equal");
	memcpy(&b, &a, bgp_attrs_size(&a));
	TAP_CHECK(bgp_attrs_cmp(&a, &b) == 0 && bgp_attrs_hash(&a) == bgp_attrs_hash(&b),
		  "a copy of bgp_attrs_size() bytes compares equal");
	bgp_attrs_set_communities(&b, c, 1);
	TAP_CHECK(bgp_attrs_cmp(&a, &b) != 0, "fewer communities: unequal");
	TAP_CHECK(bgp_attrs_set_path(&a, c, 5000) == -1, "a path of 5000 ASes refused");
}

static void test_names(void)
{
	TAP_STREQ(bgp_msg_name(BGP_MSG_ROUTE_REFRESH), "ROUTE-REFRESH",
		  "name of message type 5");
	TAP_STREQ(bgp_msg_name(9), "unknown", "name of message type 9");
	TAP_STREQ(bgp_err_name(6), "Cease", "name of error 6");
	TAP_STREQ(bgp_suberr_name(3, 11), "Malformed AS_PATH", "name of 3/11");
	TAP_STREQ(bgp_suberr_name(6, 2), "Administrative Shutdown", "name of 6/2");
	TAP_STREQ(bgp_suberr_name(1, 2), "Bad Message Length", "name of 1/2");
	TAP_STREQ(bgp_suberr_name(2, 0), "Unspecific", "name of 2/0");
	TAP_STREQ(bgp_suberr_name(9, 9), "unknown", "name of 9/9");
	TAP_STREQ(bgp_cap_name(65), "4-octet AS", "name of capability 65");
	TAP_STREQ(bgp_cap_name(200), "unknown", "name of capability 200");
	TAP_STREQ(bgp_attr_name(14), "MP_REACH_NLRI", "name of attribute 14");
	TAP_STREQ(bgp_attr_name(255), "unknown", "name of attribute 255");
	TAP_STREQ(bgp_decision_name(TWA), "treat-as-withdraw", "decision name");
	TAP_STREQ(bgp_af_name(BGP_AF_IPV6), "IPv6 unicast", "family name");
}

int main(void)
{
	test_frame();
	test_keepalive();
	test_notification();
	test_route_refresh();
	test_open();
	test_rows();
	test_update_lengths();
	test_prefixes();
	test_update_full();
	test_longest_path();
	test_rank();
	test_eor();
	test_unknown_wk_data();
	test_as4_merge();
	test_build_update();
	test_setters();
	test_names();
	return tap_done();
}
