// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtctl: configure and inspect vpnrt gateways, iproute2 style.
 */
#include <getopt.h>
#include <stdio.h>

#include "vpnrtctl.h"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "stats", no_argument, NULL, 's' },
		{ "statistics", no_argument, NULL, 's' },
		{ "batch", required_argument, NULL, 'b' },
		{ "Version", no_argument, NULL, 'V' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *batch = NULL;
	struct vpnrtctl c;
	int o, rc;

	vpnrtctl_init(&c);
	while ((o = getopt_long(argc, argv, "+jpsb:Vh", opts, NULL)) != -1) {
		switch (o) {
		case 'j':
			c.json = true;
			break;
		case 'p':
			c.pretty = true;
			break;
		case 's':
			c.stats = true;
			break;
		case 'b':
			batch = optarg;
			break;
		case 'V':
			printf("vpnrtctl %s (netlink ABI version %d)\n",
			       VPNRT_VERSION, VPNRT_GENL_VERSION);
			return 0;
		case 'h':
			vpnrtctl_usage(stdout);
			return 0;
		default:
			vpnrtctl_usage(stderr);
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	if (batch && argc) {
		fprintf(stderr, "vpnrtctl: -b FILE takes no command, got \"%s\"\n", argv[0]);
		return 1;
	}
	if (!batch && argc < 1) {
		vpnrtctl_usage(stderr);
		return 1;
	}
	rc = batch ? vpnrtctl_batch(&c, batch) : vpnrtctl_run(&c, argc, argv);
	fflush(stdout);
	if (rc)
		fprintf(stderr, "vpnrtctl: %s\n", c.err);
	vpnrtctl_fini(&c);
	return rc ? 1 : 0;
}
