// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtd's `bgp show`, `bgp routes` and monitor lines (vpnrtd/bgp_show.c)
 * over real objects: two sessions Established with each other on the
 * loopback (127.0.240.1 and .2, port 17979), two more left Idle, and a
 * table with routes announced, accepted, installed and refused for each
 * reason. bgp.c's query functions (bgp.h) are faked here over those
 * objects. Outputs are compared with golden texts (times substituted),
 * JSON is checked to parse, and a 100,000-route listing to come in
 * bounded chunks. BGP_SHOW_DUMP=1 prints every output.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bgp_show.h"
#include "bgp_test.h"
#include "log.h"
#include "loop.h"
#include "tap.h"

#define PORT		17979
#define AS_A		65000
#define AS_B		65001

static struct loop *L;
static bool DUMP;

#include "bgp_fake.h"

/* ---- helpers ---- */

static void pump_until_up(struct bgp_session *a, struct bgp_session *b, int ms)
{
	uint64_t end = loop_now_ms() + (uint64_t)ms;

	while (loop_now_ms() < end &&
	       (bgp_session_state(a) != BGP_ESTABLISHED ||
		bgp_session_state(b) != BGP_ESTABLISHED))
		loop_run_once(L, 5);
}

static void pump(int ms)
{
	uint64_t end = loop_now_ms() + (uint64_t)ms;

	while (loop_now_ms() < end)
		loop_run_once(L, 5);
}

static void addr4(struct bgp_addr *a, const char *s)
{
	a->family = AF_INET;
	inet_pton(AF_INET, s, &a->v4);
}

static struct bgp_prefix pfx(const char *s)
{
	return test_prefix(s);
}

static const char *iso(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/* want with each @KEY@ of subs replaced; subs: key, value, ..., NULL */
static char *subst(const char *want, const char *const *subs)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	while (*want) {
		bool done = false;

		for (int i = 0; subs && subs[i]; i += 2) {
			size_t kl = strlen(subs[i]);

			if (!strncmp(want, subs[i], kl)) {
				fputs(subs[i + 1], f);
				want += kl;
				done = true;
				break;
			}
		}
		if (!done)
			fputc(*want++, f);
	}
	fclose(f);
	return out;
}

/* the first differing line, for the failure's comment */
static void diff_lines(const char *got, const char *want)
{
	int line = 1;

	while (*got && *got == *want) {
		if (*got == '\n')
			line++;
		got++;
		want++;
	}
	printf("#   first difference on line %d:\n#   got:  %.*s\n#   want: %.*s\n",
	       line, (int)strcspn(got, "\n"), got, (int)strcspn(want, "\n"), want);
}

static void check_golden(const char *got, const char *want,
			 const char *const *subs, const char *what)
{
	char *w = subst(want, subs);
	bool ok = !strcmp(got, w);

	TAP_CHECK(ok, "%s: output as expected", what);
	if (!ok)
		diff_lines(got, w);
	if (DUMP || !ok)
		printf("# ---- %s:\n%s# ----\n", what, got);
	free(w);
}

/* ---- a strict little JSON checker (RFC 8259 grammar, no semantics) ---- */

static const char *js_val(const char *p, int depth);

static const char *js_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *js_str(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
						return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
		p++;
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *js_num(const char *p)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p > s ? p : NULL;
}

static const char *js_val(const char *p, int depth)
{
	if (depth > 64)
		return NULL;
	p = js_ws(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		bool obj = *p == '{';

		p = js_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (obj) {
				p = js_str(js_ws(p));
				if (!p)
					return NULL;
				p = js_ws(p);
				if (*p++ != ':')
					return NULL;
			}
			p = js_val(p, depth + 1);
			if (!p)
				return NULL;
			p = js_ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (*p == '"')
		return js_str(p);
	if (!strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (!strncmp(p, "null", 4))
		return p + 4;
	return js_num(p);
}

/* one JSON document and a newline, nothing else */
static bool json_ok(const char *s)
{
	const char *e = js_val(s, 0);

	return e && !strcmp(e, "\n");
}

/* jq's opinion of doc with filter, or "" when jq is not there */
static char *jq(const char *doc, const char *filter)
{
	char path[] = "/tmp/test_bgp_show.XXXXXX", cmd[512], *out = NULL;
	size_t len = 0, n;
	char buf[4096];
	FILE *f, *p, *o;
	int fd = mkstemp(path);

	if (fd < 0)
		return strdup("");
	f = fdopen(fd, "w");
	fputs(doc, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "jq -c '%s' %s 2>&1", filter, path);
	p = popen(cmd, "r");
	o = open_memstream(&out, &len);
	while (p && (n = fread(buf, 1, sizeof(buf), p)) > 0)
		fwrite(buf, 1, n, o);
	if (p)
		pclose(p);
	fclose(o);
	unlink(path);
	return out;
}

static bool have_jq(void)
{
	return system("jq --version >/dev/null 2>&1") == 0;
}

/* ---- objects ---- */

static struct bgp_session *SA, *SB, *SI1, *SI2;
static struct bgp_rib *RIB;
static struct vpnrtd *D;	/* never looked into: the fakes ignore it */

static const struct bgp_session_ops NOOPS;

static struct bgp_session *session(const char *name, const char *local,
				   const char *peer, uint32_t las, uint32_t pas,
				   uint32_t id, bool passive, uint16_t gr)
{
	struct bgp_session_cfg c = { 0 };
	struct bgp_session *s;
	char e[128];

	snprintf(c.name, sizeof(c.name), "%s", name);
	addr4(&c.local, local);
	addr4(&c.peer, peer);
	c.local_port = c.peer_port = PORT;
	c.local_as = las;
	c.peer_as = pas;
	c.bgp_id = id;
	c.hold_time = 90;
	c.afs = BGP_AFS(BGP_AF_IPV4) | BGP_AFS(BGP_AF_IPV6);
	c.gr_time = gr;
	c.passive = passive;
	c.connect_retry_ms = 200;
	c.idle_hold_min_ms = 50;
	c.idle_hold_max_ms = 200;
	s = bgp_session_new(L, &c, &NOOPS, NULL, e, sizeof(e));
	if (!s)
		printf("# session %s: %s\n", name, e);
	return s;
}

static void attrs(struct bgp_attrs *a, const uint32_t *path, size_t n,
		  uint8_t origin, const char *nh)
{
	bgp_attrs_init(a);
	bgp_attrs_set_path(a, path, n);
	a->origin = origin;
	if (strchr(nh, ':')) {
		a->nh_len = 16;
		inet_pton(AF_INET6, nh, a->nh);
	} else {
		a->nh_len = 4;
		inet_pton(AF_INET, nh, a->nh);
	}
}

static enum bgp_rib_reason announce(int peer, const char *p, const struct bgp_attrs *a)
{
	struct bgp_prefix x = pfx(p);
	enum bgp_rib_reason why = BGP_RIB_OK;

	bgp_rib_announce(RIB, peer, &x, a, &why);
	return why;
}

static bool setup(void)
{
	static const uint32_t p1[] = { AS_B, 65010 }, p2[] = { AS_B },
			      p3[] = { AS_B, AS_A }, p4[] = { AS_B, 65020, 65030 },
			      comm[] = { (AS_B << 16) | 200, (AS_B << 16) | 100 },
			      large[] = { AS_B, 1, 2 };
	struct bgp_rib_config rc;
	struct bgp_rib_peer_conf pc = { 0 };
	struct bgp_attrs a;
	int r0, r1, r2;

	SB = session("b", "127.0.240.2", "127.0.240.1", AS_B, AS_A, 0x0a000002,
		     true, 0);
	SA = session("dc1/1", "127.0.240.1", "127.0.240.2", AS_A, AS_B, 0x0a000001,
		     false, 120);
	SI1 = session("dc1/2", "169.254.11.1", "169.254.11.2", AS_A, AS_B,
		      0x0a000001, false, 0);
	SI2 = session("dc2/1", "169.254.20.1", "169.254.20.2", AS_A, 65002,
		      0x0a000001, false, 0);
	if (!SA || !SB || !SI1 || !SI2)
		return false;
	bgp_session_start(SB);
	bgp_session_start(SA);
	pump_until_up(SA, SB, 5000);

	bgp_rib_config_init(&rc);
	rc.local_as = AS_A;
	rc.n_own = 1;
	rc.own[0] = pfx("10.0.0.0/16");
	RIB = bgp_rib_new(&rc);
	pc.conn = "dc1";
	pc.tunnel = 1;
	pc.addr = pfx("127.0.240.2/32");
	pc.peer_as = AS_B;
	pc.max_routes = 4;
	r0 = bgp_rib_peer_add(RIB, &pc);
	pc.tunnel = 2;
	pc.addr = pfx("169.254.11.2/32");
	r1 = bgp_rib_peer_add(RIB, &pc);
	pc.conn = "dc2";
	pc.tunnel = 1;
	pc.addr = pfx("169.254.20.2/32");
	pc.peer_as = 65002;
	pc.action = BGP_RIB_ACT_TEARDOWN;
	r2 = bgp_rib_peer_add(RIB, &pc);
	if (!RIB || r0 < 0 || r1 < 0 || r2 < 0)
		return false;

	P[0] = (struct fake_peer){ "gw1", "dc1", 1, SA, RIB, r0, true, 2,
				   { pfx("10.0.0.0/16"), pfx("2001:db8:10::/48") } };
	P[1] = (struct fake_peer){ "gw1", "dc1", 2, SI1, RIB, r1, false, 0, { { 0 } } };
	P[2] = (struct fake_peer){ "gw1", "dc2", 1, SI2, RIB, r2, true, 0, { { 0 } } };
	N_P = 3;

	/* dc1/1: every kind */
	attrs(&a, p1, 2, BGP_ORIGIN_IGP, "127.0.240.2");
	a.present |= 1u << BGP_ATTR_MED;
	a.med = 10;
	bgp_attrs_set_communities(&a, comm, 2);
	bgp_attrs_set_large(&a, large, 1);
	announce(r0, "192.168.1.0/24", &a);
	attrs(&a, p2, 1, BGP_ORIGIN_INCOMPLETE, "127.0.240.2");
	announce(r0, "192.168.2.0/24", &a);
	announce(r0, "10.0.1.0/24", &a);	/* own-prefix */
	announce(r0, "0.0.0.0/0", &a);		/* import-deny */
	attrs(&a, p3, 2, BGP_ORIGIN_IGP, "127.0.240.2");
	announce(r0, "192.168.3.0/24", &a);	/* as-loop */
	attrs(&a, p2, 1, BGP_ORIGIN_IGP, "2001:db8::2");
	announce(r0, "2001:db8:1::/48", &a);
	attrs(&a, p2, 1, BGP_ORIGIN_EGP, "127.0.240.2");
	announce(r0, "192.168.5.0/24", &a);
	announce(r0, "192.168.6.0/24", &a);	/* peer-routes: 4 accepted */
	/* dc1/2: the same prefix with a longer path, not installed, stale */
	attrs(&a, p4, 3, BGP_ORIGIN_IGP, "169.254.11.2");
	a.present |= 1u << BGP_ATTR_LOCAL_PREF;
	a.local_pref = 50;
	announce(r1, "192.168.1.0/24", &a);
	bgp_rib_peer_stale(RIB, r1, BGP_AFS(BGP_AF_IPV4));
	return true;
}

/* ---- the checks ---- */

static char *show(const char *conn, bool json, time_t now, int *rc,
		  char *err, size_t errlen)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	*rc = bgp_show_peers(D, conn, json, now, f, err, errlen);
	fclose(f);
	return out;
}

static char *routes(const char *conn, bool adv, bool json, size_t chunk,
		    int *rc, int *chunks)
{
	struct bgp_routes_walk w;
	char *out = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	bool end = false;

	*chunks = 0;
	*rc = bgp_routes_begin(&w, D, conn, adv, json, err, sizeof(err));
	if (*rc) {
		fprintf(f, "error: %s\n", err);
	} else {
		while (!end && *chunks < 1000000) {
			end = bgp_routes_next(&w, D, f, chunk);
			(*chunks)++;
		}
	}
	fclose(f);
	return out;
}

static const char SHOW_DC1[] =
"dc1/1 gateway gw1: Established, up 1h02m03s\n"
"  peer           127.0.240.2 AS65001 id 10.0.0.2 (eBGP)\n"
"  local          127.0.240.1 AS65000 id 10.0.0.1\n"
"  tunnel         up\n"
"  state          Established since @A_SINCE@, connection outgoing\n"
"  hold time      90 s, keepalive 30 s\n"
"  families       IPv4 unicast, IPv6 unicast; 4-octet AS numbers\n"
"  local caps     multiprotocol IPv4 unicast, IPv6 unicast; route refresh; enhanced route refresh; graceful restart 120 s IPv4 unicast, IPv6 unicast; 4-octet AS\n"
"  peer caps      multiprotocol IPv4 unicast, IPv6 unicast; route refresh; enhanced route refresh; 4-octet AS\n"
"  prefixes       received 8, accepted 4, refused 4, installed 4, stale 0, advertised 2\n"
"  refused        import-deny 1, own-prefix 1, as-loop 1, peer-routes 1\n"
"  peer-routes    4, then refuse\n"
"  updates        8 announced, 0 withdrawn\n"
"  messages in    OPEN 2, UPDATE 0, NOTIFICATION 1, KEEPALIVE 2, ROUTE-REFRESH 0 (@A_IN_BYTES@ bytes)\n"
"  messages out   OPEN 2, UPDATE 0, NOTIFICATION 0, KEEPALIVE 2, ROUTE-REFRESH 0 (@A_OUT_BYTES@ bytes)\n"
"  connections    @A_COUNTS@\n"
"  notif received Cease/Administrative Reset (6/4) \"maintenance window\" at @A_NOTIF@\n"
"\n"
"dc1/2 gateway gw1: Idle\n"
"  peer           169.254.11.2 AS65001 id unknown (eBGP)\n"
"  local          169.254.11.1 AS65000 id 10.0.0.1\n"
"  tunnel         down\n"
"  state          Idle since @I1_SINCE@\n"
"  hold time      90 s configured\n"
"  local caps     multiprotocol IPv4 unicast, IPv6 unicast; route refresh; enhanced route refresh; 4-octet AS\n"
"  prefixes       received 1, accepted 1, refused 0, installed 0, stale 1, advertised 0\n"
"  peer-routes    4, then refuse\n"
"  updates        1 announced, 0 withdrawn\n"
"  messages in    OPEN 0, UPDATE 0, NOTIFICATION 0, KEEPALIVE 0, ROUTE-REFRESH 0 (0 bytes)\n"
"  messages out   OPEN 0, UPDATE 0, NOTIFICATION 0, KEEPALIVE 0, ROUTE-REFRESH 0 (0 bytes)\n"
"  connections    0 attempts, 0 flaps, 0 failures, 0 collisions, 0 refused\n";

static void test_show(void)
{
	const struct bgp_session_info *ia = bgp_session_info(SA),
				      *i1 = bgp_session_info(SI1);
	char a_since[32], i1_since[32], a_notif[32], in_b[32], out_b[32], att[160];
	char err[256], *out, *doc;
	uint64_t ib = 0, ob = 0;
	int rc;

	for (int t = 0; t <= BGP_MSG_ROUTE_REFRESH; t++) {
		ib += ia->in[t].bytes;
		ob += ia->out[t].bytes;
	}
	snprintf(in_b, sizeof(in_b), "%llu", (unsigned long long)ib);
	snprintf(out_b, sizeof(out_b), "%llu", (unsigned long long)ob);
	/* how many tries the reconnection took depends on timing */
	snprintf(att, sizeof(att), "%u attempts, %u flaps, %u failures, %u collisions, %u refused",
		 ia->connect_attempts, ia->flaps, ia->failures, ia->collisions,
		 ia->refused);
	{
		const char *subs[] = {
			"@A_SINCE@", iso(ia->since, a_since, sizeof(a_since)),
			"@I1_SINCE@", iso(i1->since, i1_since, sizeof(i1_since)),
			"@A_NOTIF@", iso(ia->notif_rcvd.when, a_notif, sizeof(a_notif)),
			"@A_IN_BYTES@", in_b, "@A_OUT_BYTES@", out_b,
			"@A_COUNTS@", att, NULL
		};

		TAP_CHECK(ia->state == BGP_ESTABLISHED && ia->up_since,
			  "show: the loopback session is Established again after the reset");
		out = show("dc1", false, ia->up_since + 3723, &rc, err, sizeof(err));
		TAP_CHECK(rc == 0, "show dc1: answered");
		check_golden(out, SHOW_DC1, subs, "show dc1 (text)");
		TAP_CHECK(ia->flaps == 1 && ia->connect_attempts >= 2,
			  "show: one flap, %u connection attempts", ia->connect_attempts);
		free(out);
	}

	out = show(NULL, false, time(NULL), &rc, err, sizeof(err));
	TAP_CHECK(rc == 0 && strstr(out, "\n\ndc2/1 gateway gw1: Idle\n") &&
		  strstr(out, "  peer           169.254.20.2 AS65002 id unknown (eBGP)\n") &&
		  strstr(out, "  peer-routes    4, then teardown\n"),
		  "show: every peer, dc2/1 last, with its teardown action");
	free(out);

	out = show("dc9", false, 0, &rc, err, sizeof(err));
	TAP_CHECK(rc == -1 && !*out, "show dc9: refused, nothing written");
	TAP_STREQ(err, "connection dc9 has no BGP peer (no tunnel of it has bgp:)",
		  "show dc9: the reason");
	free(out);

	doc = show("dc1", true, ia->up_since + 3723, &rc, err, sizeof(err));
	TAP_CHECK(rc == 0 && json_ok(doc), "show dc1 json: one valid JSON document");
	if (DUMP)
		printf("# %s", doc);
	if (have_jq()) {
		char *q;

		q = jq(doc, "[.peers[] | [.conn, .tunnel, .state, .uptime_s, .hold_time, .keepalive, .type, .connection]]");
		TAP_STREQ(q, "[[\"dc1\",1,\"Established\",3723,90,30,\"ebgp\",\"outgoing\"],"
			  "[\"dc1\",2,\"Idle\",null,null,null,\"ebgp\",null]]\n",
			  "show json (jq): state, uptime, timers");
		free(q);
		q = jq(doc, ".peers[0].prefixes");
		TAP_STREQ(q, "{\"received\":8,\"accepted\":4,\"refused\":4,\"installed\":4,"
			  "\"stale\":0,\"advertised\":2,\"refused_by_reason\":{\"import_deny\":1,"
			  "\"own_prefix\":1,\"as_loop\":1,\"peer_routes\":1,\"bgp_routes\":0},"
			  "\"refused_not_held\":0,\"announcements\":8,\"withdrawals\":0}\n",
			  "show json (jq): prefix counts by reason");
		free(q);
		q = jq(doc, ".peers[0] | [.notification_received.code, .notification_received.subcode, .notification_received.text, .notification_sent, .negotiated.families, .negotiated.as4, .local_capabilities.graceful_restart.restart_time, .peer_capabilities.graceful_restart, .messages.received.open.count, .limit]");
		TAP_STREQ(q, "[6,4,\"maintenance window\",null,[\"ipv4_unicast\",\"ipv6_unicast\"],true,120,null,2,"
			  "{\"peer_routes\":4,\"action\":\"refuse\",\"teardown_pending\":false}]\n",
			  "show json (jq): notification, negotiation, capabilities, limit");
		free(q);
	} else {
		TAP_CHECK(strstr(doc, "\"uptime_s\":3723") != NULL,
			  "show json: uptime (no jq here)");
		TAP_CHECK(strstr(doc, "\"refused_by_reason\":{\"import_deny\":1,") != NULL,
			  "show json: refusals (no jq here)");
		TAP_CHECK(strstr(doc, "\"text\":\"maintenance window\"") != NULL,
			  "show json: notification (no jq here)");
	}
	free(doc);

	doc = show(NULL, true, time(NULL), &rc, err, sizeof(err));
	TAP_CHECK(rc == 0 && json_ok(doc) && strstr(doc, "\"conn\":\"dc2\""),
		  "show json, every peer: valid, dc2 in it");
	free(doc);
}

static const char ROUTES_DC1[] =
"dc1/1 gateway gw1 peer 127.0.240.2 AS65001 (Established): received 8, accepted 4, refused 4, installed 4\n"
"@DC1_1@"
"\n"
"dc1/2 gateway gw1 peer 169.254.11.2 AS65001 (Idle): received 1, accepted 1, refused 0, installed 0\n"
"  192.168.1.0/24     accepted             as-path 65001 65020 65030 origin igp local-pref 50 next-hop 169.254.11.2 stale\n"
"\n"
"9 received routes\n";

/* dc1/1's lines, in any order (the table walks its hash) */
static const char *const DC1_1[] = {
	"  192.168.1.0/24     installed pref 1     as-path 65001 65010 origin igp med 10 communities 65001:100 65001:200 large-communities 65001:1:2 next-hop 127.0.240.2\n",
	"  192.168.2.0/24     installed pref 1     as-path 65001 origin incomplete next-hop 127.0.240.2\n",
	"  10.0.1.0/24        refused own-prefix   as-path 65001 origin incomplete next-hop 127.0.240.2\n",
	"  0.0.0.0/0          refused import-deny  as-path 65001 origin incomplete next-hop 127.0.240.2\n",
	"  192.168.3.0/24     refused as-loop      as-path 65001 65000 origin igp next-hop 127.0.240.2\n",
	"  2001:db8:1::/48    installed pref 1     as-path 65001 origin igp next-hop 2001:db8::2\n",
	"  192.168.5.0/24     installed pref 1     as-path 65001 origin egp next-hop 127.0.240.2\n",
	"  192.168.6.0/24     refused peer-routes  as-path 65001 origin egp next-hop 127.0.240.2\n",
};

static void test_routes(void)
{
	char *out, *dc1_1, *start, *end;
	int rc, chunks;
	size_t n = sizeof(DC1_1) / sizeof(*DC1_1);
	bool all = true;

	out = routes("dc1", false, false, BGP_SHOW_CHUNK, &rc, &chunks);
	/* dc1/1's 8 lines are in table order: check them as a set */
	start = strchr(out, '\n') + 1;
	end = strstr(start, "\n\ndc1/2");
	TAP_CHECK(rc == 0 && end, "routes dc1: two peer blocks");
	if (!end) {
		printf("# %s", out);
		free(out);
		return;
	}
	dc1_1 = strndup(start, (size_t)(end - start) + 1);
	for (size_t i = 0; i < n; i++)
		if (!strstr(dc1_1, DC1_1[i])) {
			printf("#   missing: %s", DC1_1[i]);
			all = false;
		}
	{
		size_t lines = 0;

		for (const char *p = dc1_1; *p; p++)
			lines += *p == '\n';
		TAP_CHECK(all && lines == n, "routes dc1: dc1/1's 8 routes, each as expected");
	}
	{
		const char *subs[] = { "@DC1_1@", dc1_1, NULL };

		check_golden(out, ROUTES_DC1, subs, "routes dc1 (text)");
	}
	free(dc1_1);
	free(out);

	/* the same in chunks of one route: the same bytes */
	{
		char *one = routes("dc1", false, false, 1, &rc, &chunks), *all_ =
			routes("dc1", false, false, BGP_SHOW_CHUNK, &rc, &chunks);

		(void)all_;
		free(all_);
		out = routes("dc1", false, false, BGP_SHOW_CHUNK, &rc, &chunks);
		TAP_CHECK(!strcmp(one, out), "routes dc1: chunks of 1 give the same listing");
		free(one);
		free(out);
	}

	out = routes("dc1", true, false, BGP_SHOW_CHUNK, &rc, &chunks);
	TAP_STREQ(out,
		  "dc1/1 gateway gw1 peer 127.0.240.2 AS65001 (Established): advertised 2\n"
		  "  10.0.0.0/16\n"
		  "  2001:db8:10::/48\n"
		  "\n"
		  "dc1/2 gateway gw1 peer 169.254.11.2 AS65001 (Idle): advertised 0\n"
		  "\n"
		  "2 advertised routes\n", "routes dc1 advertised (text)");
	free(out);

	out = routes("dc1", true, true, 1, &rc, &chunks);
	TAP_STREQ(out,
		  "{\"view\":\"advertised\",\"routes\":[{\"prefix\":\"10.0.0.0/16\",\"gateway\":\"gw1\",\"conn\":\"dc1\",\"tunnel\":1},"
		  "{\"prefix\":\"2001:db8:10::/48\",\"gateway\":\"gw1\",\"conn\":\"dc1\",\"tunnel\":1}],"
		  "\"count\":2,\"interrupted\":false}\n", "routes dc1 advertised (JSON, chunks of 1)");
	free(out);

	out = routes("dc2", false, false, BGP_SHOW_CHUNK, &rc, &chunks);
	TAP_STREQ(out,
		  "dc2/1 gateway gw1 peer 169.254.20.2 AS65002 (Idle): received 0, accepted 0, refused 0, installed 0\n"
		  "\n"
		  "0 received routes\n", "routes dc2: none");
	free(out);

	out = routes("nope", false, false, BGP_SHOW_CHUNK, &rc, &chunks);
	TAP_CHECK(rc == -1, "routes nope: refused");
	TAP_STREQ(out, "error: connection nope has no BGP peer (no tunnel of it has bgp:)\n",
		  "routes nope: the reason");
	free(out);

	out = routes(NULL, false, true, BGP_SHOW_CHUNK, &rc, &chunks);
	TAP_CHECK(rc == 0 && json_ok(out), "routes json: one valid JSON document");
	if (DUMP)
		printf("# %s", out);
	if (have_jq()) {
		char *q = jq(out, "[.count, .interrupted, .view, ([.routes[] | .status] | group_by(.) | map([.[0], length]))]");

		TAP_STREQ(q, "[9,false,\"received\",[[\"accepted\",1],[\"installed\",4],[\"refused\",4]]]\n",
			  "routes json (jq): count and statuses");
		free(q);
		q = jq(out, ".routes[] | select(.prefix == \"192.168.1.0/24\" and .tunnel == 1)");
		TAP_STREQ(q, "{\"prefix\":\"192.168.1.0/24\",\"gateway\":\"gw1\",\"conn\":\"dc1\",\"tunnel\":1,"
			  "\"peer\":\"127.0.240.2\",\"status\":\"installed\",\"refused_reason\":null,\"pref\":1,"
			  "\"stale\":false,\"as_path\":\"65001 65010\",\"as_path_length\":2,\"origin\":\"igp\","
			  "\"med\":10,\"local_pref\":null,\"communities\":[\"65001:100\",\"65001:200\"],"
			  "\"large_communities\":[\"65001:1:2\"],\"next_hop\":\"127.0.240.2\"}\n",
			  "routes json (jq): one route's every field");
		free(q);
		q = jq(out, "[.routes[] | select(.status == \"refused\") | .refused_reason] | sort");
		TAP_STREQ(q, "[\"as-loop\",\"import-deny\",\"own-prefix\",\"peer-routes\"]\n",
			  "routes json (jq): the refusal reasons");
		free(q);
	} else {
		TAP_CHECK(strstr(out, "\"count\":9,") != NULL, "routes json: count (no jq)");
		TAP_CHECK(strstr(out, "\"refused_reason\":\"as-loop\"") != NULL,
			  "routes json: a reason (no jq)");
		TAP_CHECK(strstr(out, "\"communities\":[\"65001:100\",\"65001:200\"]") != NULL,
			  "routes json: communities (no jq)");
	}
	free(out);
}

/* 100,000 routes from one peer: bounded chunks, all of them, JSON valid */
static void test_big(void)
{
	static const uint32_t path[] = { 65100, 65101, 65102 };
	struct bgp_rib_config rc;
	struct bgp_rib_peer_conf pc = { 0 };
	struct bgp_routes_walk w;
	struct bgp_attrs a;
	struct fake_peer save[4];
	int save_n = N_P, peer, chunks = 0;
	size_t max_chunk = 0, total = 0, lines = 0;
	bool end = false, accepted = true;
	char err[128], *doc = NULL;
	size_t doclen = 0;
	FILE *all;

	bgp_rib_config_init(&rc);
	rc.local_as = AS_A;
	rc.max_routes = 1000000;
	rc.n_deny = 0;
	struct bgp_rib *big = bgp_rib_new(&rc);

	pc.conn = "big";
	pc.tunnel = 1;
	pc.addr = pfx("169.254.30.2/32");
	pc.peer_as = 65100;
	pc.max_routes = 1000000;
	peer = bgp_rib_peer_add(big, &pc);
	attrs(&a, path, 3, BGP_ORIGIN_IGP, "169.254.30.2");
	for (uint32_t i = 0; i < 100000; i++) {
		struct bgp_prefix p = { .af = BGP_AF_IPV4, .len = 32 };
		uint32_t addr = 0x0b000000 + i;

		p.addr[0] = (uint8_t)(addr >> 24);
		p.addr[1] = (uint8_t)(addr >> 16);
		p.addr[2] = (uint8_t)(addr >> 8);
		p.addr[3] = (uint8_t)addr;
		if (bgp_rib_announce(big, peer, &p, &a, NULL) != BGP_RIB_ACCEPTED)
			accepted = false;
	}
	TAP_CHECK(big && accepted, "big: 100,000 routes accepted");
	memcpy(save, P, sizeof(save));
	P[0] = (struct fake_peer){ "gw2", "big", 1, SI2, big, peer, true, 0, { { 0 } } };
	N_P = 1;

	/* JSON in chunks, each into its own buffer as control.c does */
	all = open_memstream(&doc, &doclen);
	TAP_CHECK(bgp_routes_begin(&w, D, "big", false, true, err, sizeof(err)) == 0,
		  "big: walk begins");
	while (!end && chunks < 10000) {
		char *c = NULL;
		size_t clen = 0;
		FILE *f = open_memstream(&c, &clen);

		end = bgp_routes_next(&w, D, f, BGP_SHOW_CHUNK);
		fclose(f);
		if (clen > max_chunk)
			max_chunk = clen;
		total += clen;
		fwrite(c, 1, clen, all);
		free(c);
		chunks++;
	}
	fclose(all);
	TAP_CHECK(end && chunks == 100000 / BGP_SHOW_CHUNK + 1,
		  "big: %d chunks of %d routes", chunks, BGP_SHOW_CHUNK);
	TAP_CHECK(max_chunk < 200 * 1024, "big: the largest chunk is %zu bytes (< 200 KiB)",
		  max_chunk);
	TAP_CHECK(json_ok(doc), "big: the chunks make one valid JSON document (%zu bytes)",
		  total);
	TAP_CHECK(strstr(doc, "],\"count\":100000,\"interrupted\":false}\n") != NULL,
		  "big: count 100000, not interrupted");
	free(doc);

	/* text, and the table changing in the middle */
	doc = NULL;
	all = open_memstream(&doc, &doclen);
	bgp_routes_begin(&w, D, NULL, false, false, err, sizeof(err));
	end = bgp_routes_next(&w, D, all, BGP_SHOW_CHUNK);
	{
		struct bgp_prefix p = pfx("12.0.0.0/8");

		bgp_rib_announce(big, peer, &p, &a, NULL);
	}
	while (!end)
		end = bgp_routes_next(&w, D, all, BGP_SHOW_CHUNK);
	fclose(all);
	for (const char *p = doc; *p; p++)
		lines += *p == '\n';
	TAP_CHECK(lines >= 100000 + 3 && strstr(doc, "\ninterrupted: the table changed during the listing; a route may be shown twice or be missing\n"),
		  "big: a change between chunks is reported at the end");
	free(doc);

	/* the speaker going away mid-listing */
	doc = NULL;
	all = open_memstream(&doc, &doclen);
	bgp_routes_begin(&w, D, NULL, false, true, err, sizeof(err));
	bgp_routes_next(&w, D, all, 2);
	bgp_routes_abort(&w, all);
	fclose(all);
	TAP_CHECK(json_ok(doc) && strstr(doc, "],\"count\":2,\"interrupted\":true}\n"),
		  "big: an aborted listing is valid JSON marked interrupted");
	free(doc);

	memcpy(P, save, sizeof(save));
	N_P = save_n;
	bgp_rib_free(big);
}

static void test_event(void)
{
	struct bgp_event ev = {
		.gw = "gw1", .conn = "dc1", .pos = 2, .peer = "169.254.11.2",
		.peer_as = 65001, .from = BGP_OPENCONFIRM, .to = BGP_ESTABLISHED,
		.why = "KEEPALIVE \"received\"",
	};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	bgp_show_event(&ev, false, f);
	ev.why = "two\nlines\tand a tab";
	bgp_show_event(&ev, false, f);
	ev.why = NULL;
	ev.from = BGP_ESTABLISHED;
	ev.to = BGP_IDLE;
	bgp_show_event(&ev, false, f);
	fclose(f);
	TAP_STREQ(out, "bgp state dc1/2 gateway gw1 peer 169.254.11.2 AS65001 OpenConfirm -> Established: KEEPALIVE \"received\"\n"
		  "bgp state dc1/2 gateway gw1 peer 169.254.11.2 AS65001 OpenConfirm -> Established: two lines and a tab\n"
		  "bgp state dc1/2 gateway gw1 peer 169.254.11.2 AS65001 Established -> Idle\n",
		  "event: text lines, a reason's control characters made spaces");
	free(out);
	out = NULL;
	f = open_memstream(&out, &len);
	ev.why = "hold timer expired";
	bgp_show_event(&ev, true, f);
	fclose(f);
	TAP_STREQ(out, "{\"event\":\"bgp-state\",\"gateway\":\"gw1\",\"conn\":\"dc1\",\"tunnel\":2,"
		  "\"peer\":\"169.254.11.2\",\"peer_as\":65001,\"from\":\"Established\",\"to\":\"Idle\","
		  "\"why\":\"hold timer expired\"}\n", "event: one JSON line");
	TAP_CHECK(json_ok(out), "event: valid JSON");
	free(out);
}

static void test_duration(void)
{
	char b[32];

	TAP_STREQ(bgp_show_duration(0, b, sizeof(b)), "0s", "duration 0");
	TAP_STREQ(bgp_show_duration(300, b, sizeof(b)), "5m00s", "duration 5 min");
	TAP_STREQ(bgp_show_duration(93784, b, sizeof(b)), "1d02h03m04s", "duration a day");
	TAP_CHECK(json_ok("{\"a\":[1,-2.5,true,null,\"x\\u00e9\"]}\n") &&
		  !json_ok("{\"a\":[1,]}\n") && !json_ok("{\"a\":1}{}\n") &&
		  !json_ok("{\"a\":\"\x01\"}\n"), "the JSON checker itself");
}

int main(void)
{
	FILE *log = tmpfile();

	DUMP = getenv("BGP_SHOW_DUMP") != NULL;
	log_set_file(log);
	log_set_level(LOG_DEBUG);
	L = loop_new();
	test_duration();
	test_event();
	TAP_CHECK(setup(), "setup: sessions, table and routes");
	if (bgp_session_state(SA) == BGP_ESTABLISHED) {
		/* a reset from the other side: a NOTIFICATION and a flap */
		bgp_session_reset(SB, "maintenance window");
		pump(100);
		pump_until_up(SA, SB, 5000);
	}
	test_show();
	test_routes();
	test_big();
	bgp_session_free(SA);
	bgp_session_free(SB);
	bgp_session_free(SI1);
	bgp_session_free(SI2);
	bgp_rib_free(RIB);
	loop_free(L);
	fclose(log);
	return tap_done();
}
