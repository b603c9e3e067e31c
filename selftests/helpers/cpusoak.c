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

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--cpu"))
			cpu = strtol(argv[i + 1], &e, 10);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = strtod(argv[i + 1], &e);
		else
			break;
		if (*e || e == argv[i + 1])
			break;
	}
	if (i != argc || cpu < 0 || cpu >= CPU_SETSIZE || seconds <= 0 ||
	    seconds > 3600) {
		fprintf(stderr, "usage: cpusoak --cpu N --seconds S (0 < S <= 3600)\n");
		return 2;
	}
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
