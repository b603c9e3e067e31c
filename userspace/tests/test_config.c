// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtd's configuration loader (vpnrtd/config.c): a table of bad files
 * (tests/configs/bad/), each with every message it must give, line
 * numbers included; good
 * files with every default and the per-tunnel resolution of IKE
 * overrides; the shipped example (Documentation/examples/vpnrtd.yaml,
 * found through $VPNRTD_EXAMPLE, else ../Documentation/... from
 * userspace/, else Documentation/... from the top).
 * With CFG_CORPUS_DIR set, every file of the table is also written there
 * as a libFuzzer seed for fuzz/config_fuzz.c.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tap.h"

/* lines 1..7: one gateway, one connection, one tunnel */
#define BASE \
	"gateways:\n" \
	"  - name: vpngw0\n" \
	"    connections:\n" \
	"      - name: dc1\n" \
	"        tunnels:\n" \
	"          - local-address: 192.0.2.1\n" \
	"            remote-address: 198.51.100.1\n"

#define P "gateways[0].connections[0]."

static void write_seed(const char *name, const char *buf, size_t len)
{
	tap_seed("CFG_CORPUS_DIR", name, NULL, 0, buf, len);
}

/* errs joined, each message ending in \n; the caller frees */
static char *joined(const struct cfg_errors *e)
{
	size_t n = 1, o = 0;
	char *s;
	int i;

	for (i = 0; i < e->n; i++)
		n += strlen(e->msg[i]) + 1;
	s = malloc(n);
	if (!s)
		abort();
	for (i = 0; i < e->n; i++)
		o += (size_t)sprintf(s + o, "%s\n", e->msg[i]);
	s[o] = '\0';
	return s;
}

/* the whole of a file; NULL if it cannot be read. The caller frees. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0, r;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap + 1);
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap)
			buf = realloc(buf, (cap *= 2) + 1);
	}
	fclose(f);
	if (!buf)
		abort();
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* "LINE: ..." lines of a .want file, each given the file name in front */
static char *want_of(const char *raw, const char *file)
{
	size_t n = strlen(raw), fl = strlen(file), lines = 0, o = 0;
	const char *p;
	char *s;

	for (p = raw; *p; p++)
		lines += *p == '\n';
	s = malloc(n + lines * (fl + 1) + 1);
	if (!s)
		abort();
	for (p = raw; *p; ) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) + 1 : strlen(p);

		o += (size_t)sprintf(s + o, "%s:", file);
		memcpy(s + o, p, l);
		o += l;
		p += l;
	}
	s[o] = '\0';
	return s;
}

static int is_yaml(const struct dirent *d)
{
	size_t l = strlen(d->d_name);

	return l > 5 && !strcmp(d->d_name + l - 5, ".yaml");
}

/*
 * The table of bad files, userspace/tests/configs/bad/: NAME.yaml and,
 * in NAME.want, every message it must give without the file name
 * ("LINE: PATH: what; allowed"). selftests/vpnrtd_matrix.sh gives the
 * same files to a running vpnrtd by reload.
 */
static void test_bad(void)
{
	const char *env = getenv("VPNRTD_BAD_CONFIGS");
	const char *const tries[] = {
		env, "tests/configs/bad", "userspace/tests/configs/bad",
	};
	struct dirent **ents = NULL;
	const char *dir = NULL;
	int n = -1, i;

	for (i = 0; i < 3 && n < 0; i++) {
		if (!tries[i])
			continue;
		n = scandir(tries[i], &ents, is_yaml, alphasort);
		dir = tries[i];
		if (env)
			break;	/* given: that directory or nothing */
	}
	TAP_CHECK(n >= 100, "at least 100 bad files in %s (VPNRTD_BAD_CONFIGS or tests/configs/bad): %d",
		  dir ? dir : "?", n);
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t nl = strlen(name) - 5, len, wl;
		struct cfg_errors e = { 0 };
		struct cfg *c = (struct cfg *)1;
		char path[1024], seed[300];
		char *yaml, *raw, *want, *got;
		int r;

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		yaml = slurp(path, &len);
		snprintf(path, sizeof(path), "%s/%.*s.want", dir, (int)nl, name);
		raw = slurp(path, &wl);
		TAP_CHECK(yaml && raw && wl, "bad %.*s: the file and its .want", (int)nl, name);
		if (!yaml || !raw) {
			free(yaml);
			free(raw);
			free(ents[i]);
			continue;
		}
		snprintf(seed, sizeof(seed), "bad-%.*s", (int)nl, name);
		write_seed(seed, yaml, len);
		r = cfg_load_buf("vpnrtd.yaml", yaml, len, &c, &e);
		got = joined(&e);
		want = want_of(raw, "vpnrtd.yaml");
		TAP_CHECK(r == -1 && !c, "bad %.*s: refused, no config", (int)nl, name);
		TAP_STREQ(got, want, "bad %.*s: messages", (int)nl, name);
		free(got);
		free(want);
		free(raw);
		free(yaml);
		cfg_errors_free(&e);
		free(ents[i]);
	}
	free(ents);
}

/* load a good buffer; NULL (and the errors shown) if refused */
static struct cfg *good(const char *name, const char *yaml)
{
	struct cfg_errors e = { 0 };
	struct cfg *c = NULL;
	int r, i;

	write_seed(name, yaml, strlen(yaml));
	r = cfg_load_buf("good.yaml", yaml, strlen(yaml), &c, &e);
	TAP_CHECK(r == 0 && c && e.n == 0, "good %s: loads", name);
	for (i = 0; i < e.n; i++)
		printf("#   %s\n", e.msg[i]);
	cfg_errors_free(&e);
	return r ? NULL : c;
}

static int pfx_is(const struct prefix *p, const char *want)
{
	char buf[PREFIX_STRLEN];

	return !strcmp(format_prefix(p, false, buf, sizeof(buf)), want);
}

static void test_defaults(void)
{
	struct cfg *c = good("good-minimal", BASE);
	const struct cfg_gw *g;
	const struct cfg_conn *cn;
	const struct cfg_tunnel *t;
	const struct cfg_ike *k;

	if (!c) {
		TAP_CHECK(0, "defaults: no config to check");
		return;
	}
	TAP_STREQ(c->file, "good.yaml", "the file name is kept");
	TAP_CHECK(c->n_gws == 1, "one gateway");
	g = &c->gws[0];
	TAP_STREQ(g->name, "vpngw0", "gateway name");
	TAP_CHECK(g->line == 2, "gateway line 2 (got %d)", g->line);
	TAP_CHECK(g->ecmp_hash == VPNRT_HASH_L4, "ecmp-hash defaults to l4");
	TAP_CHECK(g->max_paths == 16, "max-paths defaults to 16");
	TAP_CHECK(g->quotas.connections == 50 && g->quotas.bgp_routes == 50 &&
		  g->quotas.peer_routes == 100 && g->quotas.bgp_peers == 8 &&
		  g->quotas.policy_routes == 100,
		  "quotas default to 50, 50, 100, 8, 100");
	TAP_CHECK(g->n_conns == 1, "one connection");
	cn = &g->conns[0];
	TAP_STREQ(cn->name, "dc1", "connection name");
	TAP_CHECK(cn->line == 4, "connection line 4 (got %d)", cn->line);
	TAP_CHECK(cn->id == 0, "no id: 0, the kernel picks");
	TAP_CHECK(cn->mode == VPNRT_MODE_ACTIVE_STANDBY, "mode defaults to active-standby");
	TAP_CHECK(cn->routing == VPNRT_ROUTING_DESTINATION, "routing defaults to destination");
	TAP_CHECK(cn->enabled, "enabled defaults to true");
	TAP_CHECK(cn->n_routes == 0 && !cn->routes, "no routes");
	TAP_CHECK(cn->n_tunnels == 1, "one tunnel");
	t = &cn->tunnels[0];
	TAP_CHECK(t->line == 6, "tunnel line 6 (got %d)", t->line);
	TAP_CHECK(pfx_is(&t->local, "192.0.2.1/32") && pfx_is(&t->remote, "198.51.100.1/32"),
		  "underlay addresses");
	TAP_CHECK(t->if_id == 1 && !t->if_id_given, "if-id defaults to 1 (no id, nothing taken)");
	TAP_STREQ(t->device, "xfrm1", "device defaults to xfrm<if-id>");
	TAP_CHECK(!t->device_given, "device not given");
	TAP_CHECK(t->mtu == 0, "mtu 0: derived");
	TAP_CHECK(!t->ike_none, "IKE-managed");
	TAP_CHECK(!t->health.enabled, "no health check");
	k = &t->ike;
	TAP_CHECK(k->version == 2 && !k->aggressive, "ikev2, main mode");
	TAP_CHECK(k->psk_generated && !k->psk[0], "no psk: generated by the daemon");
	TAP_CHECK(!k->local_id[0] && !k->remote_id[0], "ids default to the addresses (empty)");
	TAP_CHECK(k->ike.encr == CFG_ENCR_AES && k->ike.integ == CFG_INTEG_SHA1 &&
		  k->ike.dh_group == 2 && k->ike.lifetime == 86400,
		  "IKE proposal aes, sha1, group 2, 86400 s");
	TAP_CHECK(k->ipsec.encr == CFG_ENCR_AES && k->ipsec.integ == CFG_INTEG_SHA1 &&
		  k->ipsec.dh_group == 2 && k->ipsec.lifetime == 86400,
		  "IPsec proposal aes, sha1, group 2, 86400 s");
	TAP_CHECK(k->dpd && k->dpd_delay == 10 && k->dpd_timeout == 30,
		  "dpd on, delay 10, timeout 30");
	TAP_CHECK(k->nat_traversal && k->initiate, "nat-traversal and initiate on");
	TAP_CHECK(cfg_find_gw(c, "vpngw0") == g && !cfg_find_gw(c, "vpngw1"), "cfg_find_gw");
	g = NULL;
	TAP_CHECK(cfg_find_conn(c, "dc1", &g) == cn && g == &c->gws[0] &&
		  !cfg_find_conn(c, "dc2", NULL), "cfg_find_conn");
	cfg_free(c);

	c = good("good-empty", "gateways: []\n");
	TAP_CHECK(c && c->n_gws == 0, "gateways: [] is an empty config");
	cfg_free(c);
	c = good("good-no-conns", "gateways:\n  - name: vpngw0\n    connections: []\n  - name: vpngw1\n");
	TAP_CHECK(c && c->n_gws == 2 && c->gws[0].n_conns == 0 && c->gws[1].n_conns == 0,
		  "gateways without connections");
	cfg_free(c);
}

static void test_overrides(void)
{
	struct cfg *c = good("good-overrides",
		"gateways:\n"
		"  - name: vpngw0\n"
		"    ecmp-hash: l3\n"
		"    max-paths: 4\n"
		"    quotas: {connections: 3, bgp-routes: 1, peer-routes: 2, bgp-peers: 3, policy-routes: 4}\n"
		"    connections:\n"
		"      - name: dc1\n"
		"        id: 7\n"
		"        mode: ecmp\n"
		"        enabled: false\n"
		"        ike:\n"
		"          version: ikev1\n"
		"          mode: aggressive\n"
		"          psk: \"K~`!@#$%^&*()_-+={}[]\\\\|;:',.<>/?\"\n"
		"          local-id: vpn.example.com\n"
		"          remote-id: 2001:db8::9\n"
		"          encryption: aes256\n"
		"          integrity: sha512\n"
		"          dh-group: 14\n"
		"          lifetime: 8h\n"
		"          dpd: false\n"
		"          dpd-delay: 5\n"
		"          dpd-timeout: 1m\n"
		"          nat-traversal: false\n"
		"          initiate: False\n"
		"        ipsec: {encryption: 3des, integrity: md5, dh-group: disabled, lifetime: 30m}\n"
		"        tunnels:\n"
		"          - local-address: 192.0.2.1\n"
		"            remote-address: 198.51.100.1\n"
		"          - local-address: 2001:db8::1\n"
		"            remote-address: 2001:db8::2\n"
		"            mtu: 1280\n"
		"            ike: {version: ikev2, mode: main, psk: other, encryption: des, dpd-delay: 7, lifetime: 0}\n"
		"            ipsec: {dh-group: 5, lifetime: 3600s}\n"
		"            health: {dst: 2001:db8:1::1, src: 2001:db8:2::1, interval: 1.5s, retries: 5, rise: 2, policy: reserve_route, timeout: 4s}\n"
		"        routes:\n"
		"          - {prefix: 10.0.0.0/8}\n"
		"          - {prefix: 10.1.0.0/16, weight: 0}\n"
		"          - {prefix: 2001:db8:9::/48, from: 2001:db8:8::/48}\n"
		"          - {prefix: 10.2.0.0/16, from: 192.168.0.0/16, priority: 1, weight: 0}\n"
		"          - {prefix: 10.2.0.0/16, from: 192.168.1.0/24}\n");
	const struct cfg_conn *cn;
	const struct cfg_ike *a, *b;
	const struct cfg_route *r;

	if (!c) {
		TAP_CHECK(0, "overrides: no config to check");
		return;
	}
	TAP_CHECK(c->gws[0].ecmp_hash == VPNRT_HASH_L3 && c->gws[0].max_paths == 4, "l3, 4 paths");
	TAP_CHECK(c->gws[0].quotas.connections == 3 && c->gws[0].quotas.bgp_routes == 1 &&
		  c->gws[0].quotas.peer_routes == 2 && c->gws[0].quotas.bgp_peers == 3 &&
		  c->gws[0].quotas.policy_routes == 4, "quotas as given");
	cn = &c->gws[0].conns[0];
	TAP_CHECK(cn->id == 7 && cn->mode == VPNRT_MODE_ECMP && !cn->enabled, "id 7, ecmp, disabled");
	a = &cn->tunnels[0].ike;
	b = &cn->tunnels[1].ike;
	/* tunnel 1: the connection's settings */
	TAP_CHECK(a->version == 1 && a->aggressive, "t1: ikev1 aggressive");
	TAP_STREQ(a->psk, "K~`!@#$%^&*()_-+={}[]\\|;:',.<>/?", "t1: the connection's psk, every symbol");
	TAP_CHECK(!a->psk_generated, "t1: psk given");
	TAP_STREQ(a->local_id, "vpn.example.com", "t1: local-id");
	TAP_STREQ(a->remote_id, "2001:db8::9", "t1: remote-id");
	TAP_CHECK(a->ike.encr == CFG_ENCR_AES256 && a->ike.integ == CFG_INTEG_SHA512 &&
		  a->ike.dh_group == 14 && a->ike.lifetime == 28800, "t1: IKE aes256 sha512 14 8h");
	TAP_CHECK(a->ipsec.encr == CFG_ENCR_3DES && a->ipsec.integ == CFG_INTEG_MD5 &&
		  a->ipsec.dh_group == 0 && a->ipsec.lifetime == 1800,
		  "t1: IPsec 3des md5, PFS disabled (0), 30m");
	TAP_CHECK(!a->dpd && a->dpd_delay == 5 && a->dpd_timeout == 60, "t1: dpd off, 5, 1m");
	TAP_CHECK(!a->nat_traversal && !a->initiate, "t1: no NAT-T, no initiate");
	/* tunnel 2: its own keys over the connection's */
	TAP_CHECK(b->version == 2 && !b->aggressive, "t2: ikev2 main (overridden)");
	TAP_STREQ(b->psk, "other", "t2: own psk");
	TAP_STREQ(b->local_id, "vpn.example.com", "t2: local-id inherited");
	TAP_CHECK(b->ike.encr == CFG_ENCR_DES && b->ike.integ == CFG_INTEG_SHA512 &&
		  b->ike.dh_group == 14 && b->ike.lifetime == 0,
		  "t2: IKE des (own), sha512 and 14 (inherited), lifetime 0 (own)");
	TAP_CHECK(b->ipsec.encr == CFG_ENCR_3DES && b->ipsec.dh_group == 5 &&
		  b->ipsec.lifetime == 3600, "t2: IPsec 3des inherited, group 5 and 3600s own");
	TAP_CHECK(b->dpd_delay == 7 && b->dpd_timeout == 60 && !b->dpd,
		  "t2: own dpd-delay; the connection's dpd-timeout, unused under its own ikev2");
	TAP_CHECK(cn->tunnels[1].mtu == 1280, "t2: mtu 1280 over IPv6");
	TAP_CHECK(cn->tunnels[1].health.enabled && cn->tunnels[1].health.interval_ms == 1500 &&
		  cn->tunnels[1].health.timeout_ms == 4000 &&
		  cn->tunnels[1].health.retries == 5 && cn->tunnels[1].health.rise == 2 &&
		  cn->tunnels[1].health.policy == VPNRT_HEALTH_RESERVE_ROUTE &&
		  pfx_is(&cn->tunnels[1].health.dst, "2001:db8:1::1/128") &&
		  pfx_is(&cn->tunnels[1].health.src, "2001:db8:2::1/128"),
		  "t2: health as given");
	TAP_CHECK(cn->tunnels[0].if_id == 701 && cn->tunnels[1].if_id == 702,
		  "if-ids default to 100 * id + position");
	TAP_STREQ(cn->tunnels[1].device, "xfrm702", "device xfrm702");
	TAP_CHECK(cn->n_routes == 5, "five routes");
	r = cn->routes;
	TAP_CHECK(!r[0].policy && r[0].weight == 100 && pfx_is(&r[0].dst, "10.0.0.0/8") &&
		  r[0].line == 37, "route 1: static, weight 100, line 37");
	TAP_CHECK(!r[1].policy && r[1].weight == 0, "route 2: standby");
	TAP_CHECK(r[2].policy && r[2].priority == 10 && r[2].weight == 100 &&
		  pfx_is(&r[2].src, "2001:db8:8::/48"), "route 3: policy, priority 10 by default");
	TAP_CHECK(r[3].policy && r[3].priority == 1 && r[3].weight == 0, "route 4: priority 1, weight 0");
	TAP_CHECK(r[4].policy && pfx_is(&r[4].src, "192.168.1.0/24"),
		  "route 5: same destination, other source: not a duplicate");
	cfg_free(c);

	c = good("good-health-defaults",
		 BASE "            health: {dst: 10.0.0.1, src: 10.0.0.2}\n"
		 "        routing: flow-protection\n        local-cidr: 10.10.0.0/16\n        peer-cidr: 172.16.0.0/12\n"
		 "        ike: {lifetime: 3600, dpd: True, nat-traversal: TRUE, initiate: true}\n"
		 "        ipsec: {lifetime: 0}\n");
	if (c) {
		const struct cfg_health *h = &c->gws[0].conns[0].tunnels[0].health;

		TAP_CHECK(h->enabled && h->interval_ms == 3000 && h->retries == 3 && h->rise == 1 &&
			  h->policy == VPNRT_HEALTH_REVOKE_ROUTE && h->timeout_ms == 3000,
			  "health defaults: 3s, timeout the interval, 3 retries, rise 1, revoke-route");
		cn = &c->gws[0].conns[0];
		TAP_CHECK(cn->routing == VPNRT_ROUTING_FLOW && pfx_is(&cn->local_cidr, "10.10.0.0/16") &&
			  pfx_is(&cn->peer_cidr, "172.16.0.0/12"), "flow protection CIDRs");
		TAP_CHECK(cn->tunnels[0].ike.ike.lifetime == 3600 && cn->tunnels[0].ike.ipsec.lifetime == 0,
			  "lifetimes 3600 and 0");
		TAP_CHECK(cn->tunnels[0].ike.dpd && cn->tunnels[0].ike.nat_traversal &&
			  cn->tunnels[0].ike.initiate, "True, TRUE and true are true");
	}
	cfg_free(c);
}

/* defaulted if-ids: 100 * id + position, else the lowest free number */
static void test_if_ids(void)
{
	struct cfg *c = good("good-if-ids",
		"gateways:\n"
		"  - name: vpngw0\n"
		"    connections:\n"
		"      - name: a\n"
		"        id: 1\n"
		"        tunnels:\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.1}\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.2, if-id: 7}\n"
		"      - name: b\n"
		"        tunnels:\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.3}\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.4}\n"
		"      - name: c\n"
		"        tunnels:\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.5, if-id: 1}\n"
		"      - name: d\n"
		"        id: 2\n"
		"        tunnels:\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.6}\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.7, device: tun-d}\n"
		"      - name: e\n"
		"        tunnels:\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.8, if-id: 201}\n"
		"          - {ike: none, device: xfrm4}\n"
		"  - name: vpngw1\n"
		"    connections:\n"
		"      - name: f\n"
		"        id: 42949672\n"
		"        tunnels:\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.9}\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.10}\n");
	const struct cfg_gw *g;

	if (!c) {
		TAP_CHECK(0, "if-ids: no config to check");
		return;
	}
	g = &c->gws[0];
	TAP_CHECK(g->conns[0].tunnels[0].if_id == 101, "a.1: 101 (id 1)");
	TAP_CHECK(g->conns[0].tunnels[1].if_id == 7 && g->conns[0].tunnels[1].if_id_given, "a.2: 7 given");
	TAP_STREQ(g->conns[0].tunnels[1].device, "xfrm7", "a.2: device xfrm7");
	TAP_CHECK(g->conns[1].tunnels[0].if_id == 2 && g->conns[1].tunnels[1].if_id == 3,
		  "b: no id: 2 and 3 (1 is c's)");
	TAP_CHECK(g->conns[2].tunnels[0].if_id == 1, "c: 1 given");
	TAP_CHECK(g->conns[3].tunnels[0].if_id == 5,
		  "d.1: 201 is e's, so the lowest free number whose xfrm name is free: 5 (xfrm4 is e's)");
	TAP_STREQ(g->conns[3].tunnels[0].device, "xfrm5", "d.1: device xfrm5");
	TAP_CHECK(g->conns[3].tunnels[1].if_id == 202, "d.2: 202 (id 2)");
	TAP_STREQ(g->conns[3].tunnels[1].device, "tun-d", "d.2: its own device name");
	TAP_CHECK(g->conns[4].tunnels[1].ike_none && g->conns[4].tunnels[1].if_id == 0,
		  "e.2: ike none has no if-id");
	TAP_STREQ(g->conns[4].tunnels[1].device, "xfrm4", "e.2: its device");
	g = &c->gws[1];
	TAP_CHECK(g->conns[0].tunnels[0].if_id == 4294967201u && g->conns[0].tunnels[1].if_id == 4294967202u,
		  "f: 100 * 42949672 + 1 and + 2");
	cfg_free(c);

	c = good("good-if-ids-big-id",
		 "gateways:\n  - name: vpngw0\n    connections:\n      - name: a\n        id: 42949673\n"
		 "        tunnels: [{local-address: 192.0.2.1, remote-address: 198.51.100.1}]\n");
	TAP_CHECK(c && c->gws[0].conns[0].tunnels[0].if_id == 1,
		  "an id too big for 100 * id + 1: the lowest free number");
	cfg_free(c);
}

/* n connections of two tunnels each, named c0, c1, ... */
static char *conns_file(int n)
{
	char *buf = malloc(64 + (size_t)n * 200);
	size_t o;
	int i;

	if (!buf)
		abort();
	o = (size_t)sprintf(buf, "gateways:\n  - name: vpngw0\n    connections:\n");
	for (i = 0; i < n; i++)
		o += (size_t)sprintf(buf + o,
				     "      - name: c%d\n        tunnels:\n"
				     "          - {local-address: 192.0.2.1, remote-address: 198.51.%d.1}\n"
				     "          - {local-address: 192.0.2.1, remote-address: 198.51.%d.2}\n",
				     i, i, i);
	return buf;
}

static void test_many_conns(void)
{
	struct cfg_errors e = { 0 };
	struct cfg *c = NULL;
	char *buf = conns_file(50);
	bool ok = true;
	int i, r;

	r = cfg_load_buf("t.yaml", buf, strlen(buf), &c, &e);
	TAP_CHECK(r == 0 && c && c->gws[0].n_conns == 50, "50 connections load (the default quota)");
	for (i = 0; c && i < 50; i++) {
		char dev[IFNAMSIZ];

		snprintf(dev, sizeof(dev), "xfrm%d", 2 * i + 2);
		ok = ok && c->gws[0].conns[i].tunnels[0].if_id == (uint32_t)(2 * i + 1) &&
		     c->gws[0].conns[i].tunnels[1].if_id == (uint32_t)(2 * i + 2) &&
		     !strcmp(c->gws[0].conns[i].tunnels[1].device, dev);
	}
	TAP_CHECK(c && ok, "100 tunnels without ids: if-ids 1..100 in file order, devices xfrm1..xfrm100");
	cfg_free(c);
	cfg_errors_free(&e);
	free(buf);

	buf = conns_file(51);
	r = cfg_load_buf("t.yaml", buf, strlen(buf), &c, &e);
	TAP_CHECK(r == -1 && e.n == 1, "51 connections refused");
	if (e.n == 1)
		TAP_STREQ(e.msg[0], "t.yaml:204: gateways[0].connections[50]: connection 51 of gateway vpngw0; at most quotas.connections 50 (the default) allowed",
			  "51 connections: the message");
	cfg_errors_free(&e);
	free(buf);
}

static void test_many_routes(void)
{
	size_t n = CFG_MAX_ROUTES + 1, len = strlen(BASE) + 16 + n * 40, o;
	struct cfg_errors e = { 0 };
	struct cfg *c = NULL;
	char *buf = malloc(len);
	size_t i;
	int r;

	if (!buf)
		abort();
	o = (size_t)sprintf(buf, "%s        routes:\n", BASE);
	for (i = 0; i < n; i++)
		o += (size_t)sprintf(buf + o, "          - {prefix: %zu.%zu.%zu.0/24}\n",
				     1 + i / 65536, (i / 256) % 256, i % 256);
	r = cfg_load_buf("t.yaml", buf, o, &c, &e);
	TAP_CHECK(r == -1 && e.n == 1, "100001 routes: one error (got %d)", e.n);
	if (e.n)
		TAP_STREQ(e.msg[0],
			  "t.yaml:100009: " P "routes[100000]: route 100001 of connection dc1; at most 100000 routes per connection allowed",
			  "100001 routes: the message");
	cfg_errors_free(&e);
	r = cfg_load_buf("t.yaml", buf, o - strlen("          - {prefix: 1.134.160.0/24}\n"), &c, &e);
	TAP_CHECK(r == 0 && c && c->gws[0].conns[0].n_routes == CFG_MAX_ROUTES,
		  "100000 routes load");
	cfg_free(c);
	cfg_errors_free(&e);

	/* 100000 copies of one route: each names the first, in linear time */
	o = (size_t)sprintf(buf, "%s        routes:\n", BASE);
	for (i = 0; i < CFG_MAX_ROUTES; i++)
		o += (size_t)sprintf(buf + o, "          - {prefix: 10.0.0.0/8}\n");
	r = cfg_load_buf("t.yaml", buf, o, &c, &e);
	TAP_CHECK(r == -1 && e.n == 10000, "100000 equal routes: 10000 messages (got %d)", e.n);
	if (e.n == 10000) {
		TAP_STREQ(e.msg[9998],
			  "t.yaml:10008: " P "routes[9999]: a route to 10.0.0.0/8, as routes[0] (line 9); each prefix once per connection (weight 0 makes a standby on another connection)",
			  "the 9999th duplicate names the first");
		TAP_STREQ(e.msg[9999], "t.yaml: 90000 more errors not shown; fix the ones above first",
			  "and the count of the rest");
	}
	cfg_errors_free(&e);
	free(buf);
}

static void test_limits(void)
{
	size_t big = (4u << 20) + 1;
	struct cfg_errors e = { 0 };
	struct cfg *c = NULL;
	char *buf = malloc(big);
	int r;

	if (!buf)
		abort();
	memset(buf, '#', big);
	r = cfg_load_buf("t.yaml", buf, big, &c, &e);
	TAP_CHECK(r == -1 && !c && e.n == 1, "4 MiB + 1 refused");
	if (e.n)
		TAP_STREQ(e.msg[0], "t.yaml: 4194305 bytes; at most 4194304 (4 MiB) allowed",
			  "size message");
	cfg_errors_free(&e);
	free(buf);

	r = cfg_load("/nonexistent/vpnrtd.yaml", &c, &e);
	TAP_CHECK(r == -1 && !c && e.n == 1, "a missing file is an error");
	if (e.n)
		TAP_STREQ(e.msg[0],
			  "/nonexistent/vpnrtd.yaml: cannot open: No such file or directory; a readable YAML file required",
			  "missing file message");
	cfg_errors_free(&e);
	r = cfg_load("/", &c, &e);
	TAP_CHECK(r == -1 && e.n == 1 && strstr(e.msg[0], "/: "), "a directory is refused");
	cfg_errors_free(&e);

	r = cfg_load_buf("null.yaml", NULL, 0, &c, &e);
	TAP_CHECK(r == -1 && e.n == 1 && !strcmp(e.msg[0],
		  "null.yaml:1: gateways: the file is empty; a mapping with gateways: (a list) required"),
		  "no buffer at all: an empty file");
	cfg_errors_free(&e);

	/* errors append to what errs holds */
	cfg_load_buf("a.yaml", "gateways: 1\n", 12, &c, &e);
	cfg_load_buf("b.yaml", "gateways: 2\n", 12, &c, &e);
	TAP_CHECK(e.n == 2 && !strncmp(e.msg[0], "a.yaml:1:", 9) && !strncmp(e.msg[1], "b.yaml:1:", 9),
		  "errors of two loads append");
	cfg_errors_free(&e);
	TAP_CHECK(e.n == 0 && !e.msg, "cfg_errors_free empties");
}

/* more than 10000 errors: the first 9999 and how many more */
static void test_error_cap(void)
{
	size_t n = 10050, o, i;
	struct cfg_errors e = { 0 };
	struct cfg *c = NULL;
	char *buf = malloc(64 + n * 24);
	int r;

	if (!buf)
		abort();
	o = (size_t)sprintf(buf, "gateways:\n  - name: vpngw0\n");
	for (i = 0; i < n; i++)
		o += (size_t)sprintf(buf + o, "    k%zu: 1\n", i);
	r = cfg_load_buf("t.yaml", buf, o, &c, &e);
	TAP_CHECK(r == -1 && e.n == 10000, "10050 errors: 10000 messages (got %d)", e.n);
	if (e.n == 10000) {
		TAP_STREQ(e.msg[9998], "t.yaml:10001: gateways[0].k9998: unknown key; allowed keys: name, ecmp-hash, max-paths, quotas, connections, bgp",
			  "the last error shown");
		TAP_STREQ(e.msg[9999], "t.yaml: 51 more errors not shown; fix the ones above first",
			  "then how many more");
	}
	cfg_errors_free(&e);
	free(buf);
}

static void test_names(void)
{
	static const char *const encr[] = { "aes", "aes128", "aes192", "aes256", "des", "3des" };
	static const char *const integ[] = { "md5", "sha1", "sha256", "sha384", "sha512" };
	unsigned int i;

	for (i = 0; i < 6; i++)
		TAP_STREQ(cfg_encr_name((uint8_t)i), encr[i], "cfg_encr_name(%u)", i);
	for (i = 0; i < 5; i++)
		TAP_STREQ(cfg_integ_name((uint8_t)i), integ[i], "cfg_integ_name(%u)", i);
	TAP_STREQ(cfg_encr_name(6), "?", "cfg_encr_name out of range");
	TAP_STREQ(cfg_integ_name(5), "?", "cfg_integ_name out of range");
}

/* a tunnel's bgp: mapping, as the tests write it */
#define TBGP(cidr, ip, asn) \
	"bgp: {tunnel-cidr: " cidr ", local-ip: " ip ", peer-asn: " asn "}"

static bool v4_is(struct in_addr a, const char *want)
{
	char buf[INET_ADDRSTRLEN];

	return !strcmp(inet_ntop(AF_INET, &a, buf, sizeof(buf)), want);
}

/* a tunnel bgp: alone, every default of both levels */
static void test_bgp_defaults(void)
{
	struct cfg *c = good("good-bgp-defaults",
			     BASE "            " TBGP("169.254.10.0/30", "169.254.10.1", "65001") "\n");
	const struct cfg_bgp *b;
	const struct cfg_tunnel_bgp *tb;

	if (!c) {
		TAP_CHECK(0, "bgp defaults: no config to check");
		return;
	}
	b = &c->gws[0].bgp;
	tb = &c->gws[0].conns[0].tunnels[0].bgp;
	TAP_CHECK(!b->present && !b->line, "no gateway bgp: given");
	TAP_CHECK(b->n_peers == 1, "one peer: a speaker runs");
	TAP_CHECK(b->local_asn == 45104, "local-asn defaults to 45104");
	TAP_CHECK(!b->router_id_given && v4_is(b->router_id, "169.254.10.1"),
		  "router-id defaults to the one local-ip");
	TAP_CHECK(b->n_advertise == 0 && b->advertise_table == 0, "nothing advertised by default");
	TAP_CHECK(b->vpc_table == 254, "vpc-table defaults to main (254)");
	TAP_CHECK(b->n_import_deny == 2 && pfx_is(&b->import_deny[0], "0.0.0.0/0") &&
		  pfx_is(&b->import_deny[1], "100.64.0.0/10"),
		  "import-deny defaults to 0.0.0.0/0 and 100.64.0.0/10");
	TAP_CHECK(b->max_prefix_action == CFG_MAXPFX_REFUSE, "max-prefix-action defaults to refuse");
	TAP_CHECK(tb->present && tb->line == 8, "tunnel bgp present, line 8 (got %d)", tb->line);
	TAP_CHECK(pfx_is(&tb->cidr, "169.254.10.0/30") && pfx_is(&tb->local, "169.254.10.1/32") &&
		  pfx_is(&tb->peer, "169.254.10.2/32"), "cidr, local-ip and the peer: the other usable address");
	TAP_CHECK(tb->peer_asn == 65001, "peer-asn 65001");
	TAP_CHECK(!tb->md5[0], "no md5");
	TAP_CHECK(tb->hold_time == 90 && tb->keepalive == 30, "hold-time 90, keepalive 30");
	TAP_CHECK(!tb->ttl_security, "ttl-security off by default");
	TAP_CHECK(tb->graceful_restart == 120, "graceful-restart defaults to 120 s");
	cfg_free(c);

	/* no bgp anywhere: defaults filled all the same, no speaker */
	c = good("good-bgp-none", BASE);
	if (c) {
		b = &c->gws[0].bgp;
		TAP_CHECK(!b->present && b->n_peers == 0 && b->router_id.s_addr == 0 &&
			  b->local_asn == 45104 && b->vpc_table == 254 && b->n_import_deny == 2,
			  "no bgp: defaults filled, no peers, router-id 0.0.0.0");
		TAP_CHECK(!c->gws[0].conns[0].tunnels[0].bgp.present, "tunnel without bgp: not present");
	}
	cfg_free(c);
}

/* every key given, and each range's edges */
static void test_bgp_keys(void)
{
	static const char md5_80[] =
		"12345678901234567890123456789012345678901234567890123456789012345678901234567890";
	struct cfg *c = good("good-bgp-keys",
		"gateways:\n"
		"  - name: vpngw0\n"
		"    bgp:\n"
		"      local-asn: \"1.10\"\n"
		"      router-id: 10.0.0.1\n"
		"      advertise: [10.10.0.0/16, 2001:db8::/32, 0.0.0.0/0]\n"
		"      advertise-table: 100\n"
		"      vpc-table: none\n"
		"      import-deny: []\n"
		"      max-prefix-action: teardown\n"
		"    connections:\n"
		"      - name: dc1\n"
		"        routing: flow-protection\n"
		"        local-cidr: 10.10.0.0/16\n"
		"        peer-cidr: 172.16.0.0/12\n"
		"        tunnels:\n"
		"          - local-address: 192.0.2.1\n"
		"            remote-address: 198.51.100.1\n"
		"            bgp:\n"
		"              tunnel-cidr: 169.254.21.4/30\n"
		"              local-ip: 169.254.21.6\n"
		"              peer-asn: 4294967295\n"
		"              md5: \"12345678901234567890123456789012345678901234567890123456789012345678901234567890\"\n"
		"              hold-time: 0\n"
		"              ttl-security: true\n"
		"              graceful-restart: 0\n"
		"          - ike: none\n"
		"            device: wg1\n"
		"            bgp: {tunnel-cidr: 169.254.6.4/30, local-ip: 169.254.6.5, peer-asn: 1, md5: \"K~`!@#$%^&*()\", hold-time: 3, graceful-restart: 4095}\n"
		"      - name: dc2\n"
		"        tunnels:\n"
		"          - {ike: none, device: wg2, " TBGP("169.254.169.248/30", "169.254.169.249", "65535.65535") "}\n"
		"          - {ike: none, device: wg3, bgp: {tunnel-cidr: 169.254.7.0/30, local-ip: 169.254.7.2, peer-asn: 0.1, hold-time: 1m, graceful-restart: 1h}}\n"
		"  - name: vpngw1\n"
		"    bgp: {local-asn: 1.10, vpc-table: 4294967295, advertise-table: main}\n"
		"  - name: vpngw2\n"
		"    bgp: {local-asn: 65535, vpc-table: 252, advertise-table: 256}\n"
		"  - name: vpngw3\n"
		"    bgp: {local-asn: 65536, import-deny: [100.64.0.0/10, \"::/0\", 0.0.0.0/0]}\n");
	const struct cfg_bgp *b;
	const struct cfg_tunnel_bgp *t1, *t2, *t3, *t4;

	if (!c) {
		TAP_CHECK(0, "bgp keys: no config to check");
		return;
	}
	b = &c->gws[0].bgp;
	t1 = &c->gws[0].conns[0].tunnels[0].bgp;
	t2 = &c->gws[0].conns[0].tunnels[1].bgp;
	t3 = &c->gws[0].conns[1].tunnels[0].bgp;
	t4 = &c->gws[0].conns[1].tunnels[1].bgp;
	TAP_CHECK(b->present && b->line == 3, "gateway bgp present, line 3");
	TAP_CHECK(b->local_asn == 65546, "local-asn \"1.10\" (asdot, quoted) is 65546");
	TAP_CHECK(b->router_id_given && v4_is(b->router_id, "10.0.0.1"), "router-id as given");
	TAP_CHECK(b->n_advertise == 3 && pfx_is(&b->advertise[0], "10.10.0.0/16") &&
		  pfx_is(&b->advertise[1], "2001:db8::/32") && pfx_is(&b->advertise[2], "0.0.0.0/0"),
		  "advertise: IPv4, IPv6 and the default route");
	TAP_CHECK(b->advertise_table == 100 && b->vpc_table == 0, "advertise-table 100, vpc-table none (0)");
	TAP_CHECK(b->n_import_deny == 0, "import-deny: [] refuses nothing");
	TAP_CHECK(b->max_prefix_action == CFG_MAXPFX_TEARDOWN, "max-prefix-action teardown");
	TAP_CHECK(b->n_peers == 4, "four peers (the default quota is 8)");
	TAP_CHECK(c->gws[0].conns[0].routing == VPNRT_ROUTING_FLOW, "bgp on a flow-protection connection");
	TAP_CHECK(pfx_is(&t1->local, "169.254.21.6/32") && pfx_is(&t1->peer, "169.254.21.5/32"),
		  "local-ip .6: the peer is .5");
	TAP_CHECK(t1->peer_asn == 4294967295u, "peer-asn 4294967295, the top");
	TAP_STREQ(t1->md5, md5_80, "md5 of 80 characters");
	TAP_CHECK(t1->hold_time == 0 && t1->keepalive == 0, "hold-time 0: no keepalives");
	TAP_CHECK(t1->ttl_security && t1->graceful_restart == 0, "ttl-security on, graceful restart off");
	TAP_CHECK(pfx_is(&t2->cidr, "169.254.6.4/30") && t2->peer_asn == 1,
		  "169.254.6.4/30 (next to the reserved 169.254.6.0/30) on an ike: none tunnel; peer-asn 1");
	TAP_STREQ(t2->md5, "K~`!@#$%^&*()", "md5 with symbols");
	TAP_CHECK(t2->hold_time == 3 && t2->keepalive == 1 && t2->graceful_restart == 4095 &&
		  !t2->ttl_security, "hold-time 3 (keepalive 1), graceful-restart 4095");
	TAP_CHECK(t3->peer_asn == 4294967295u && pfx_is(&t3->cidr, "169.254.169.248/30"),
		  "asdot 65535.65535 is 4294967295; 169.254.169.248/30 is allowed");
	TAP_CHECK(t4->peer_asn == 1 && t4->hold_time == 60 && t4->keepalive == 20 &&
		  t4->graceful_restart == 3600 && pfx_is(&t4->peer, "169.254.7.1/32"),
		  "asdot 0.1 is 1; hold-time 1m, graceful-restart 1h; peer .1 of .2");
	b = &c->gws[1].bgp;
	TAP_CHECK(b->local_asn == 65546 && b->vpc_table == 4294967295u && b->advertise_table == 254 &&
		  b->n_peers == 0 && b->router_id.s_addr == 0,
		  "unquoted asdot 1.10; tables 4294967295 and main; a bgp: block without peers");
	b = &c->gws[2].bgp;
	TAP_CHECK(b->local_asn == 65535 && b->vpc_table == 252 && b->advertise_table == 256,
		  "local-asn 65535, tables 252 and 256");
	b = &c->gws[3].bgp;
	TAP_CHECK(b->local_asn == 65536 && b->n_import_deny == 3 && pfx_is(&b->import_deny[1], "::/0"),
		  "local-asn 65536, import-deny as given");
	cfg_free(c);
}

/* the default router-id: the numerically lowest local-ip of the gateway */
static void test_bgp_router_id(void)
{
	struct cfg *c = good("good-bgp-router-id",
		"gateways:\n"
		"  - name: vpngw0\n"
		"    bgp: {advertise: [10.10.0.0/16]}\n"
		"    connections:\n"
		"      - name: dc1\n"
		"        tunnels:\n"
		"          - {ike: none, device: wg1, " TBGP("169.254.30.0/30", "169.254.30.2", "65001") "}\n"
		"          - {ike: none, device: wg2}\n"
		"      - name: dc2\n"
		"        tunnels:\n"
		"          - {ike: none, device: wg3, " TBGP("169.254.200.0/30", "169.254.200.1", "65002") "}\n"
		"          - {ike: none, device: wg4, " TBGP("169.254.9.0/30", "169.254.9.2", "65002") "}\n"
		"  - name: vpngw1\n"
		"    connections:\n"
		"      - name: dc3\n"
		"        tunnels:\n"
		"          - {ike: none, device: wg5, " TBGP("169.254.9.0/30", "169.254.9.1", "45105") "}\n");
	const struct cfg_gw *g;

	if (!c) {
		TAP_CHECK(0, "bgp router-id: no config to check");
		return;
	}
	g = &c->gws[0];
	TAP_CHECK(g->bgp.present && !g->bgp.router_id_given && g->bgp.n_peers == 3,
		  "three peers, no router-id given");
	TAP_CHECK(v4_is(g->bgp.router_id, "169.254.9.2"),
		  "router-id: 169.254.9.2, the lowest by number (not by text)");
	TAP_CHECK(!g->conns[0].tunnels[1].bgp.present, "a tunnel without bgp beside one with");
	g = &c->gws[1];
	TAP_CHECK(g->bgp.n_peers == 1 && v4_is(g->bgp.router_id, "169.254.9.1") &&
		  pfx_is(&g->conns[0].tunnels[0].bgp.cidr, "169.254.9.0/30"),
		  "the same tunnel-cidr on another gateway is allowed; its own router-id");
	cfg_free(c);
}

static void test_asn_str(void)
{
	static const struct { uint32_t asn; const char *both, *asdot; } v[] = {
		{ 1, "1", "1" },
		{ 65001, "65001", "65001" },
		{ 65535, "65535", "65535" },
		{ 65536, "65536 (1.0)", "1.0" },
		{ 65546, "65546 (1.10)", "1.10" },
		{ 8061384, "8061384 (123.456)", "123.456" },
		{ 4294967295u, "4294967295 (65535.65535)", "65535.65535" },
	};
	char buf[CFG_ASN_STRLEN];
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		TAP_STREQ(cfg_asn_str(v[i].asn, buf, sizeof(buf)), v[i].both, "cfg_asn_str(%u)", v[i].asn);
		TAP_STREQ(cfg_asdot_str(v[i].asn, buf, sizeof(buf)), v[i].asdot, "cfg_asdot_str(%u)", v[i].asn);
	}
}

static void test_example(void)
{
	const char *env = getenv("VPNRTD_EXAMPLE");
	const char *const tries[] = {
		env, "../Documentation/examples/vpnrtd.yaml",
		"Documentation/examples/vpnrtd.yaml",
	};
	const char *path = NULL;
	struct cfg_errors e = { 0 };
	const struct cfg_conn *dc1, *dc2;
	struct cfg *c = NULL;
	unsigned int i;
	FILE *f;
	int r;

	for (i = 0; i < 3 && !path; i++) {
		if (!tries[i])
			continue;
		f = fopen(tries[i], "r");
		if (f) {
			fclose(f);
			path = tries[i];
		}
		if (env)
			break;	/* given: that file or nothing */
	}
	TAP_CHECK(path, "the example is found (VPNRTD_EXAMPLE or Documentation/examples/vpnrtd.yaml)");
	if (!path)
		return;
	r = cfg_load(path, &c, &e);
	TAP_CHECK(r == 0 && c, "the example loads cleanly");
	for (i = 0; i < (unsigned int)e.n; i++)
		printf("#   %s\n", e.msg[i]);
	cfg_errors_free(&e);
	if (!c)
		return;
	dc1 = cfg_find_conn(c, "dc1", NULL);
	dc2 = cfg_find_conn(c, "dc2", NULL);
	TAP_CHECK(c->n_gws == 1 && c->gws[0].n_conns == 2 && dc1 && dc2, "example: one gateway, dc1, dc2");
	if (dc1 && dc2) {
		TAP_CHECK(dc1->n_tunnels == 2 && dc1->mode == VPNRT_MODE_ACTIVE_STANDBY &&
			  dc1->tunnels[0].health.enabled && dc1->tunnels[1].health.enabled,
			  "example: dc1 two tunnels, active-standby, health checks");
		TAP_STREQ(dc1->tunnels[1].ike.remote_id, "cgw2.dc1.example.com",
			  "example: dc1 tunnel 2 overrides remote-id");
		TAP_CHECK(!dc1->tunnels[0].ike.remote_id[0], "example: dc1 tunnel 1 keeps the default id");
		TAP_CHECK(dc2->routing == VPNRT_ROUTING_FLOW && dc2->tunnels[1].ike_none,
			  "example: dc2 flow protection with an ike: none tunnel");
		TAP_STREQ(dc2->tunnels[1].device, "wg-dc2", "example: the WireGuard device");
		TAP_CHECK(dc2->tunnels[0].ike.version == 1 && dc2->tunnels[0].ike.aggressive &&
			  dc2->tunnels[0].ike.ipsec.dh_group == 0,
			  "example: dc2 IKEv1 aggressive, no PFS");
		TAP_CHECK(c->gws[0].bgp.present && c->gws[0].bgp.n_peers == 2 &&
			  dc1->tunnels[0].bgp.present && dc1->tunnels[1].bgp.present &&
			  v4_is(c->gws[0].bgp.router_id, "169.254.21.1"),
			  "example: dc1's two tunnels peer by BGP, router-id the lowest local-ip");
	}
	cfg_free(c);
}

int main(void)
{
	test_bad();
	test_defaults();
	test_overrides();
	test_if_ids();
	test_many_conns();
	test_many_routes();
	test_limits();
	test_error_cap();
	test_names();
	test_bgp_defaults();
	test_bgp_keys();
	test_bgp_router_id();
	test_asn_str();
	test_example();
	return tap_done();
}
