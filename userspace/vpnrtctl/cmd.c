// SPDX-License-Identifier: GPL-2.0
/* vpnrtctl: the command dispatcher, usage and `family show` */
#include <string.h>

#include "vpnrtctl.h"

void vpnrtctl_usage(FILE *out)
{
	fprintf(out,
		"Usage: vpnrtctl [OPTIONS] OBJECT COMMAND [ARGS]\n"
		"       vpnrtctl [OPTIONS] -b FILE\n"
		"OBJECT := { gateway | conn | route | monitor | family | agent | ike | bgp }\n"
		"OPTIONS := { -j[son] | -p[retty] | -s[tatistics] | -b[atch] FILE | -V[ersion] | -h[elp] }\n"
		"\n"
		"  gateway add|set NAME [ecmp-hash l3|l4] [max-paths N] [max-conns N]\n"
		"          [max-bgp-routes N] [max-peer-routes N] [max-policy-routes N]\n"
		"          [max-routes N]\n"
		"  gateway del NAME\n"
		"  gateway show [NAME] [-s]\n"
		"  conn add NAME gateway GW tunnel DEV [tunnel DEV2] [mode active-standby|ecmp]\n"
		"          [id N] [flow-protection local CIDR peer CIDR] [ike managed|none]\n"
		"          [admin up|down]\n"
		"  conn set NAME [admin up|down] [ike up|down] [tunnel DEV] [health HEALTH]\n"
		"  conn del NAME\n"
		"  conn show [NAME] [gateway GW] [-s]\n"
		"  route add|del PREFIX conn NAME [weight 100|0]\n"
		"  route add|del PREFIX from SRC-PREFIX conn NAME [priority N] [weight 100|0]\n"
		"  route add|del PREFIX conn NAME proto bgp [pref N]\n"
		"  route replace ROUTE    (as route add; an existing route takes the values)\n"
		"  route stale [gateway] GW [conn NAME] [proto static|policy|bgp] [timeout SECS]\n"
		"  route sweep [gateway] GW [conn NAME] [proto static|policy|bgp]\n"
		"  route show [gateway GW] [conn NAME] [proto static|policy|bgp] [family inet|inet6]\n"
		"  route get ADDR gateway GW [from SRC] [ipproto tcp|udp|icmp|N] [sport N] [dport N]\n"
		"  monitor                (kernel events, and vpnrtd's BGP events when it runs)\n"
		"  family show\n"
		"  agent show|reload      (asks vpnrtd: VPNRTD_CONTROL, default /run/vpnrt/vpnrtd.sock)\n"
		"  ike show [CONN]\n"
		"  bgp show [CONN]\n"
		"  bgp routes [CONN] [received|advertised]\n"
		"  bgp refresh|reset CONN\n"
		"HEALTH := { dst IP src IP [interval DURATION] [timeout DURATION]\n"
		"            [retries N] [rise N] [policy revoke-route|reserve-route] | off }\n"
		"DURATION := a number with ms or s: 100ms, 3s, 1.5s (10ms..60s)\n");
}

int do_family(struct vpnrtctl *c, int argc, char **argv)
{
	if (argc > 0 && kw_find(argv[0], (const char *const[]){ "show", NULL }) < 0)
		return cli_err(c, "unknown command \"family %s\"; allowed: family show",
			       argv[0]);
	if (argc > 1)
		return cli_err(c, "\"family show\" takes no arguments, got \"%s\"",
			       argv[1]);
	if (ctl_open(c))
		return -1;
	if (c->json) {
		struct json *j = &c->j;

		json_init(j, c->out, c->pretty);
		json_obj_open(j, NULL);
		json_str(j, "name", VPNRT_GENL_NAME);
		json_u64(j, "id", (uint64_t)c->family_id);
		json_u64(j, "version", c->nl.version);
		json_arr_open(j, "mcast_groups");
		if (c->nl.events_grp >= 0) {
			json_obj_open(j, NULL);
			json_str(j, "name", VPNRT_MCGRP_EVENTS);
			json_u64(j, "id", (uint64_t)c->nl.events_grp);
			json_obj_close(j);
		}
		json_arr_close(j);
		json_obj_close(j);
		json_end(j);
	} else {
		fprintf(c->out, "family %s id %d version %u", VPNRT_GENL_NAME,
			c->family_id, c->nl.version);
		if (c->nl.events_grp >= 0)
			fprintf(c->out, " mcast %s id %d", VPNRT_MCGRP_EVENTS,
				c->nl.events_grp);
		fprintf(c->out, "\n");
	}
	return 0;
}

static int do_help(struct vpnrtctl *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	vpnrtctl_usage(c->out);
	return 0;
}

int vpnrtctl_run(struct vpnrtctl *c, int argc, char **argv)
{
	static const char *const objs[] = {
		"gateway", "conn", "route", "monitor", "family", "agent", "ike",
		"bgp", "help", NULL
	};
	static int (*const fns[])(struct vpnrtctl *, int, char **) = {
		do_gateway, do_conn, do_route, do_monitor, do_family, do_agent,
		do_ike, do_bgp, do_help,
	};
	char list[128];
	int k;

	c->err[0] = '\0';
	c->err_kernel = false;
	if (argc < 1)
		return cli_err(c, "missing OBJECT; allowed: %s",
			       kw_join(objs, list, sizeof(list)));
	k = kw_find(argv[0], objs);
	if (k < 0)
		return cli_err(c, "%s object \"%s\"; allowed: %s",
			       k == -2 ? "ambiguous" : "unknown", argv[0],
			       kw_join(objs, list, sizeof(list)));
	return fns[k](c, argc - 1, argv + 1);
}
