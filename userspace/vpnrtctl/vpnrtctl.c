// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtctl: configure and inspect vpnrt gateways, iproute2 style.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/vpnrt.h>

#include "genl.h"
#include "json.h"

#ifndef VPNRT_VERSION
#define VPNRT_VERSION "unknown"
#endif

struct ctx {
	bool json;
	bool pretty;
};

static bool matches(const char *arg, const char *word)
{
	size_t n = strlen(arg);

	return n && n <= strlen(word) && !strncmp(arg, word, n);
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vpnrtctl [OPTIONS] OBJECT COMMAND [ARGS]\n"
		"OBJECT := { family }\n"
		"OPTIONS := { -j[son] | -p[retty] | -V[ersion] | -h[elp] }\n"
		"\n"
		"       vpnrtctl family show     the kernel family: id, version, groups\n");
}

static int do_family(struct ctx *c, int argc, char **argv)
{
	struct vpnrt_nl nl;
	struct json j;

	if (argc > 0 && !matches(argv[0], "show")) {
		fprintf(stderr, "vpnrtctl: unknown command \"family %s\"; allowed: family show\n",
			argv[0]);
		return 1;
	}
	if (argc > 1) {
		fprintf(stderr, "vpnrtctl: \"family show\" takes no arguments, got \"%s\"\n",
			argv[1]);
		return 1;
	}
	if (vpnrt_nl_open(&nl))
		return 1;
	if (c->json) {
		json_init(&j, stdout, c->pretty);
		json_obj_open(&j, NULL);
		json_str(&j, "name", VPNRT_GENL_NAME);
		json_u64(&j, "id", (uint64_t)nl.family_id);
		json_u64(&j, "version", nl.version);
		json_arr_open(&j, "mcast_groups");
		if (nl.events_grp >= 0) {
			json_obj_open(&j, NULL);
			json_str(&j, "name", VPNRT_MCGRP_EVENTS);
			json_u64(&j, "id", (uint64_t)nl.events_grp);
			json_obj_close(&j);
		}
		json_arr_close(&j);
		json_obj_close(&j);
		json_end(&j);
	} else {
		printf("family %s id %d version %u", VPNRT_GENL_NAME,
		       nl.family_id, nl.version);
		if (nl.events_grp >= 0)
			printf(" mcast %s id %d", VPNRT_MCGRP_EVENTS, nl.events_grp);
		printf("\n");
	}
	vpnrt_nl_close(&nl);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "Version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct ctx c = {};
	int o;

	while ((o = getopt_long(argc, argv, "+jpVh", opts, NULL)) != -1) {
		switch (o) {
		case 'j':
			c.json = true;
			break;
		case 'p':
			c.pretty = true;
			break;
		case 'V':
			printf("vpnrtctl %s (netlink ABI version %d)\n",
			       VPNRT_VERSION, VPNRT_GENL_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return 1;
	}
	if (matches(argv[0], "family"))
		return do_family(&c, argc - 1, argv + 1);
	if (matches(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "vpnrtctl: unknown object \"%s\"; allowed: family, help\n",
		argv[0]);
	return 1;
}
