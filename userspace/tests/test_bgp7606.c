// SPDX-License-Identifier: GPL-2.0
/*
 * The RFC 7606 table (selftests/bgp7606.table) through vpnrtd's BGP codec:
 * every case's message, as selftests/helpers/bgp_craft.py encodes it
 * (tests/bgp7606/cases.txt, made by bgp_craft.py --emit-hex), must get
 * the decision the table gives for vpnrtd (its "vpnrtd" key, else
 * "expect"), with the NOTIFICATION code/subcode where one is sent. The
 * context is the emitter's: eBGP, IPv4 and IPv6, peer AS 65001, our address
 * 192.0.2.254, 4-octet AS unless the case's session is "as2".
 *
 * With BGP_CORPUS_DIR set, each case's message is also written there as a
 * libFuzzer seed for fuzz/bgp_fuzz.c ("7606-NN-NAME": the context octet,
 * then the message).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_wire.h"
#include "tap.h"

/* fuzz/bgp_fuzz.c's context octet: 4-octet AS, eBGP, IPv4, IPv6, peer AS
 * 65001, local address 192.0.2.254 */
#define FZ_CTX 0x3f
#define FZ_AS4 0x01

static const struct bgp_ctx ctx4 = {
	.as4 = true, .afs = 3, .peer_as = 65001, .ebgp = true,
	.local_ip4 = 0xc00002fe,
};
/* "as2": no 4-octet AS capability on one side */
static const struct bgp_ctx ctx2 = {
	.as4 = false, .afs = 3, .peer_as = 65001, .ebgp = true,
	.local_ip4 = 0xc00002fe,
};

static struct bgp_update U;

static int unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned int b;

	while (s[0] && s[1]) {
		if (n == cap || sscanf(s, "%2x", &b) != 1)
			return -1;
		out[n++] = (uint8_t)b;
		s += 2;
	}
	return *s ? -1 : (int)n;
}

static const char *decision_word(enum bgp_decision d)
{
	switch (d) {
	case BGP_UPD_OK: return "ok";
	case BGP_UPD_ATTR_DISCARD: return "attribute-discard";
	case BGP_UPD_TREAT_AS_WITHDRAW: return "treat-as-withdraw";
	case BGP_UPD_AF_DISABLE: return "af-disable";
	case BGP_UPD_SESSION_RESET: return "session-reset";
	}
	return "?";
}

static unsigned int count_prefixes(const struct bgp_nlri *r, unsigned int n)
{
	unsigned int i, c = 0;

	for (i = 0; i < n; i++)
		c += r[i].count;
	return c;
}

/* what the codec makes of one message: decision word, notif, why */
static const char *judge(const struct bgp_ctx *ctx, const uint8_t *m,
			 size_t len, uint8_t *code,
			 uint8_t *sub, char *why, size_t whylen)
{
	struct bgp_notification err;
	struct bgp_open o;
	struct bgp_open_expect exp = { .peer_as = 65001 };
	size_t msglen = 0;

	*code = *sub = 0;
	*why = '\0';
	switch (bgp_frame(m, len, &msglen, &err)) {
	case BGP_FRAME_ERROR:
		*code = err.code;
		*sub = err.subcode;
		snprintf(why, whylen, "header");
		return "session-reset";
	case BGP_FRAME_MORE:
		snprintf(why, whylen, "incomplete: %zu bytes wanted", msglen);
		return "incomplete";
	case BGP_FRAME_MSG:
		break;
	}
	if (msglen != len) {
		snprintf(why, whylen, "framed %zu of %zu bytes", msglen, len);
		return "trailing";
	}
	switch (m[18]) {
	case BGP_MSG_OPEN:
		if (bgp_open_decode(m, len, &exp, &o, &err) < 0) {
			*code = err.code;
			*sub = err.subcode;
			snprintf(why, whylen, "%s", o.why);
			return "session-reset";
		}
		return "ok";
	case BGP_MSG_UPDATE:
		bgp_update_decode(ctx, m, len, &U);
		if (U.decision >= BGP_UPD_AF_DISABLE) {
			*code = U.notif.code;
			*sub = U.notif.subcode;
		}
		if (U.n_notes)
			snprintf(why, whylen, "%s", U.notes[0].reason);
		return decision_word(U.decision);
	default:
		snprintf(why, whylen, "message type %u", m[18]);
		return "other";
	}
}

static FILE *open_cases(void)
{
	const char *env = getenv("BGP7606_CASES");
	static const char *const paths[] = {
		"tests/bgp7606/cases.txt", "userspace/tests/bgp7606/cases.txt",
		"bgp7606/cases.txt",
	};
	FILE *f;
	size_t i;

	if (env)
		return fopen(env, "r");
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		f = fopen(paths[i], "r");
		if (f)
			return f;
	}
	return NULL;
}

int main(void)
{
	static char line[4 * BGP_MSG_MAX + 512];
	static uint8_t msg[BGP_MSG_MAX + 16];
	char name[128], sess[8], role[16], expect[32], notif[16];
	static char hex[2 * BGP_MSG_MAX + 40];
	const struct bgp_ctx *ctx;
	char seedname[160], why[BGP_REASON_LEN];
	unsigned int ncases = 0, want_code, want_sub, lineno = 0;
	uint8_t code, sub, o;
	const char *got;
	FILE *f = open_cases();
	int len;

	if (!f) {
		TAP_CHECK(0, "tests/bgp7606/cases.txt opened (%s)",
			  strerror(errno));
		return tap_done();
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%127s %7s %15s %31s %15s %8231s", name, sess,
			   role, expect, notif, hex) != 6) {
			TAP_CHECK(0, "line %u parsed", lineno);
			continue;
		}
		len = unhex(hex, msg, sizeof(msg));
		if (len < 0) {
			TAP_CHECK(0, "%s: hex on line %u", name, lineno);
			continue;
		}
		if (strcmp(role, "pre"))
			ncases++;
		ctx = strcmp(sess, "as2") ? &ctx4 : &ctx2;
		o = strcmp(sess, "as2") ? FZ_CTX : FZ_CTX & ~FZ_AS4;
		got = judge(ctx, msg, (size_t)len, &code, &sub, why, sizeof(why));
		if (!strcmp(role, "pre")) {
			TAP_CHECK(!strcmp(got, "ok") &&
				  count_prefixes(U.announced, U.n_announced) == 1,
				  "%s: the well-formed announcement before it is ok (got %s: %s)",
				  name, got, why);
			continue;
		}
		snprintf(seedname, sizeof(seedname), "7606-%02u-%s", ncases, name);
		tap_seed("BGP_CORPUS_DIR", seedname, &o, 1, msg, (size_t)len);
		TAP_CHECK(!strcmp(got, expect), "%s: %s (got %s%s%s)", name,
			  expect, got, *why ? ": " : "", why);
		if (sscanf(notif, "%u/%u", &want_code, &want_sub) == 2)
			TAP_CHECK(code == want_code && sub == want_sub,
				  "%s: NOTIFICATION %u/%u (got %u/%u)", name,
				  want_code, want_sub, code, sub);
		if (!strcmp(expect, "treat-as-withdraw"))
			TAP_CHECK(count_prefixes(U.announced, U.n_announced) == 0,
				  "%s: nothing announced", name);
		if (!strcmp(expect, "attribute-discard")) {
			unsigned int i, any = 0;

			for (i = 0; i < sizeof(U.discarded); i++)
				any |= U.discarded[i];
			TAP_CHECK(any && count_prefixes(U.announced,
							U.n_announced) == 1,
				  "%s: an attribute discarded, the route kept", name);
		}
	}
	fclose(f);
	TAP_CHECK(ncases >= 30, "the table has %u cases (at least 30)", ncases);
	return tap_done();
}
