// SPDX-License-Identifier: GPL-2.0
/*
 * cpusoak: measure how much of one CPU is left, for the benchmarks
 * (scripts/bench). A loop pinned to the CPU at SCHED_IDLE priority counts
 * its iterations; whatever else the CPU does (interrupts, softirqs, other
 * tasks) takes time from it. Comparing its rate with and without a load
 * gives the load's share of the CPU, whether the kernel's tick accounting
 * sees it or not (a netperf-style CPU soaker).
 *
 *   cpusoak --cpu N --seconds S
 *
 * Prints "loops L" and "ns T" (the loop count and the time it ran). Exit
 * 0, or 1 with a message on a setup error, 2 on a usage error.
 */
#define _GNU_SOURCE
#define HELPER_NAME "cpusoak"
#define HELPER_USAGE HELPER_NAME " --cpu N --seconds S"
#include "helper.h"

#include <sched.h>

#define CHECK_EVERY	(1u << 16)	/* loops between clock reads */

int main(int argc, char **argv)
{
	struct sched_param sp = { .sched_priority = 0 };
	long cpu = -1;
	double seconds = -1;
	unsigned long long loops = 0;
	volatile unsigned int sink = 0;
	int64_t t0, end, t;
	cpu_set_t set;
	char *e;
	int i;

	for (i = 1; i < argc; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];

		if (!v)
			usage_err("%s needs a value", o);
		if (!strcmp(o, "--cpu")) {
			cpu = strtol(v, &e, 10);
			if (*e || e == v || cpu < 0 || cpu >= CPU_SETSIZE)
				usage_err("--cpu: \"%s\" is not a CPU number in 0..%d",
					  v, CPU_SETSIZE - 1);
		} else if (!strcmp(o, "--seconds")) {
			seconds = strtod(v, &e);
			if (*e || e == v || !(seconds > 0 && seconds <= 3600))
				usage_err("--seconds: \"%s\" is not in (0, 3600]", v);
		} else {
			usage_err("unknown option %s", o);
		}
	}
	if (cpu < 0 || seconds < 0)
		usage_err("--cpu and --seconds are required");
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("CPU %ld: %s", cpu, strerror(errno));
	if (sched_setscheduler(0, SCHED_IDLE, &sp))
		die("SCHED_IDLE: %s", strerror(errno));

	t0 = now_ns();
	end = t0 + (int64_t)(seconds * 1e9);
	do {
		unsigned int k;

		for (k = 0; k < CHECK_EVERY; k++)
			sink += k;
		loops += CHECK_EVERY;
		t = now_ns();
	} while (t < end);
	printf("loops %llu\nns %lld\n", loops, (long long)(t - t0));
	return 0;
}
