// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for vpnrtd's configuration loader. The input is a
 * configuration file. Beyond what ASan and UBSan see, the loader's
 * promises are checked and a broken one aborts:
 *  - it succeeds with a config and no error, or fails with no config and
 *    at least one error;
 *  - every error is "fuzz.yaml:LINE: PATH: what; allowed" (or, with no
 *    line, "fuzz.yaml: what; allowed"), with LINE within the input, and
 *    the errors come in file order;
 *  - a loaded config keeps the kernel's rules: names valid and unique,
 *    1 or 2 tunnels, if-ids non-zero and unique, devices unique, every
 *    value in its range.
 * Seeds: CFG_CORPUS_DIR=DIR build/.../test_config writes the unit
 * tests' files there; Documentation/examples/ holds a realistic one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "broken: %s (%s:%d)\n", #c, __FILE__, __LINE__); abort(); } } while (0)

static long lines_in(const uint8_t *d, size_t n)
{
	long l = 1;
	size_t i;

	for (i = 0; i < n; i++)
		if (d[i] == '\n')	/* lines end at '\n' only */
			l++;
	return l;
}

/* the line of a message, 0 for a file-level one */
static long msg_line(const char *m, long max)
{
	static const char pre[] = "fuzz.yaml:";
	const char *p = m + sizeof(pre) - 1;
	char *end;
	long line;

	CHECK(!strncmp(m, pre, sizeof(pre) - 1));
	CHECK(strstr(m, "; "));
	if (*p == ' ')
		return 0;
	line = strtol(p, &end, 10);
	CHECK(end != p && *end == ':' && end[1] == ' ');
	CHECK(line >= 1 && line <= max);
	CHECK(strstr(end + 2, ": "));	/* PATH: */
	return line;
}

static int name_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	return n > 0 && n < max;
}

static void check_cfg(const struct cfg *c)
{
	int g, i, t, r, g2, i2, t2;

	CHECK(c->n_gws >= 0);
	for (g = 0; g < c->n_gws; g++) {
		const struct cfg_gw *gw = &c->gws[g];

		CHECK(name_ok(gw->name, IFNAMSIZ));
		CHECK(gw->max_paths >= 1 && gw->max_paths <= VPNRT_MAX_PATHS);
		CHECK(gw->ecmp_hash <= VPNRT_HASH_L3);
		CHECK(gw->n_conns >= 0 && (uint32_t)gw->n_conns <= gw->quotas.connections);
		for (g2 = 0; g2 < g; g2++)
			CHECK(strcmp(gw->name, c->gws[g2].name));
		for (i = 0; i < gw->n_conns; i++) {
			const struct cfg_conn *cn = &gw->conns[i];
			const struct cfg_gw *owner = NULL;

			CHECK(name_ok(cn->name, VPNRT_CONN_NAME_MAX));
			CHECK(cfg_find_conn(c, cn->name, &owner) == cn && owner == gw);
			CHECK(cn->n_tunnels == 1 || cn->n_tunnels == 2);
			CHECK(cn->mode != VPNRT_MODE_ECMP || cn->n_tunnels == 2);
			CHECK(cn->n_routes >= 0 && cn->n_routes <= CFG_MAX_ROUTES);
			if (cn->routing == VPNRT_ROUTING_FLOW)
				CHECK(cn->local_cidr.family == cn->peer_cidr.family &&
				      cn->local_cidr.family != 0);
			for (r = 0; r < cn->n_routes; r++) {
				const struct cfg_route *rt = &cn->routes[r];

				CHECK(rt->weight == 0 || rt->weight == 100);
				CHECK(rt->priority >= 1 && rt->priority <= 100);
				CHECK(!rt->policy || rt->src.family == rt->dst.family);
			}
			for (t = 0; t < cn->n_tunnels; t++) {
				const struct cfg_tunnel *tu = &cn->tunnels[t];
				const struct cfg_ike *k = &tu->ike;

				CHECK(name_ok(tu->device, IFNAMSIZ));
				if (tu->health.enabled) {
					CHECK(tu->health.dst.family == tu->health.src.family);
					CHECK(tu->health.interval_ms >= 10 && tu->health.interval_ms <= 60000);
					CHECK(tu->health.retries >= 1 && tu->health.retries <= 100);
					CHECK(tu->health.rise >= 1 && tu->health.rise <= 100);
				}
				if (tu->ike_none) {
					CHECK(tu->if_id == 0 && tu->device_given);
					continue;
				}
				CHECK(tu->if_id != 0);
				CHECK(tu->local.family && tu->local.family == tu->remote.family);
				CHECK(!tu->mtu || (tu->mtu >= (tu->local.family == AF_INET6 ? 1280u : 576u) &&
						   tu->mtu <= 9000));
				CHECK(k->version == 1 || k->version == 2);
				CHECK(!k->aggressive || k->version == 1);
				CHECK(k->version == 2 || k->dpd_timeout > k->dpd_delay);
				CHECK(k->psk_generated ? !k->psk[0] :
				      (strlen(k->psk) >= 1 && strlen(k->psk) <= CFG_PSK_MAX));
				CHECK(k->ike.lifetime <= CFG_LIFETIME_MAX && k->ipsec.lifetime <= CFG_LIFETIME_MAX);
				CHECK(k->ike.dh_group != 0);
				CHECK(strcmp(cfg_encr_name(k->ike.encr), "?") &&
				      strcmp(cfg_integ_name(k->ipsec.integ), "?"));
				/* if-ids and devices unique across the file */
				for (g2 = 0; g2 <= g; g2++)
					for (i2 = 0; i2 < c->gws[g2].n_conns; i2++)
						for (t2 = 0; t2 < c->gws[g2].conns[i2].n_tunnels; t2++) {
							const struct cfg_tunnel *o = &c->gws[g2].conns[i2].tunnels[t2];

							if (o == tu)
								goto next;
							CHECK(o->ike_none || o->if_id != tu->if_id);
							CHECK(strcmp(o->device, tu->device));
						}
next:
				;
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_errors e = { 0 };
	struct cfg *c = NULL;
	long max = lines_in(data, size), prev = 0, line;
	int r, i;

	r = cfg_load_buf("fuzz.yaml", (const char *)data, size, &c, &e);
	if (r == 0) {
		CHECK(c && e.n == 0);
		check_cfg(c);
	} else {
		CHECK(r == -1 && !c && e.n >= 1);
		for (i = 0; i < e.n; i++) {
			line = msg_line(e.msg[i], max);
			if (!line)	/* about the file: no place in it */
				continue;
			CHECK(line >= prev);
			prev = line;
		}
	}
	cfg_free(c);
	cfg_errors_free(&e);
	return 0;
}
