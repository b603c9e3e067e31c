/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the selftest helpers share: fatal errors, a monotonic clock, and
 * entering a network namespace by name. Define HELPER_NAME before
 * including it; the helpers are single-file programs.
 */
#ifndef VPNRT_HELPER_H
#define VPNRT_HELPER_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* "HELPER_NAME: message" on stderr */
static inline void helper_vmsg(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", HELPER_NAME);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* print "HELPER_NAME: message" and exit 1 */
__attribute__((format(printf, 1, 2), noreturn))
static inline void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	helper_vmsg(fmt, ap);
	va_end(ap);
	exit(1);
}

/*
 * A usage error: "HELPER_NAME: message", then "usage: HELPER_USAGE" if
 * the helper defines its synopsis, and exit HELPER_USAGE_EXIT (2 unless
 * the helper says otherwise).
 */
#ifndef HELPER_USAGE_EXIT
#define HELPER_USAGE_EXIT 2
#endif
__attribute__((format(printf, 1, 2), noreturn, unused))
static void usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	helper_vmsg(fmt, ap);
	va_end(ap);
#ifdef HELPER_USAGE
	fputs("usage: " HELPER_USAGE "\n", stderr);
#endif
	exit(HELPER_USAGE_EXIT);
}

static inline int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* enter the network namespace NAME (in /run/netns) or PATH (has a '/') */
static inline void enter_netns(const char *ns)
{
	char path[PATH_MAX];
	int fd;

	if (strchr(ns, '/'))
		snprintf(path, sizeof(path), "%s", ns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("netns %s: open %s: %s", ns, path, strerror(errno));
	if (setns(fd, CLONE_NEWNET) < 0)
		die("netns %s: setns: %s", ns, strerror(errno));
	close(fd);
}

#endif /* VPNRT_HELPER_H */
