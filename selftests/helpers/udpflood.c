// SPDX-License-Identifier: GPL-2.0
/*
 * udpflood: send UDP datagrams as fast as one process can, for the
 * forwarding benchmark (scripts/bench), from inside a network namespace.
 *
 *   udpflood --ns NS --dst IP --port P --seconds S [--flows F] [--size B]
 *
 * F flows (default 64) are F sockets connected to DST:P, each with its own
 * source port; batches of 64 datagrams go out with sendmmsg() on each in
 * turn, so an ECMP hash sees F different 5-tuples. Prints "sent N" and
 * "errors N" (sends the kernel refused, e.g. a full queue). Exit 0, or 1
 * with a message on a setup error, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH		64
#define MAX_FLOWS	1024

static void die(int code, const char *what, const char *arg)
{
	fprintf(stderr, "udpflood: %s%s%s\n", what, arg ? " " : "", arg ? arg : "");
	exit(code);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void enter_ns(const char *ns)
{
	char path[256];
	int fd;

	if (strchr(ns, '/'))
		snprintf(path, sizeof(path), "%s", ns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
		die(1, "cannot enter netns", ns);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *ns = NULL, *dst = NULL;
	long port = -1, flows = 64, size = 64;
	double seconds = -1, end;
	struct sockaddr_storage sa = { 0 };
	socklen_t salen;
	static struct mmsghdr msgs[BATCH];
	static struct iovec iov[BATCH];
	static char payload[1500];
	unsigned long long sent = 0, errors = 0;
	int fds[MAX_FLOWS], i, f;

	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			die(2, "needs a value:", o);
		i++;
		if (!strcmp(o, "--ns"))
			ns = v;
		else if (!strcmp(o, "--dst"))
			dst = v;
		else if (!strcmp(o, "--port"))
			port = strtol(v, NULL, 10);
		else if (!strcmp(o, "--seconds"))
			seconds = strtod(v, NULL);
		else if (!strcmp(o, "--flows"))
			flows = strtol(v, NULL, 10);
		else if (!strcmp(o, "--size"))
			size = strtol(v, NULL, 10);
		else
			die(2, "unknown option", o);
	}
	if (!ns || !dst || port <= 0 || port > 65535 || seconds <= 0)
		die(2, "usage: udpflood --ns NS --dst IP --port P --seconds S [--flows F] [--size B]", NULL);
	if (flows < 1 || flows > MAX_FLOWS)
		die(2, "--flows must be 1..1024", NULL);
	if (size < 1 || size > (long)sizeof(payload))
		die(2, "--size must be 1..1500", NULL);
	enter_ns(ns);

	if (inet_pton(AF_INET, dst, &((struct sockaddr_in *)&sa)->sin_addr) == 1) {
		((struct sockaddr_in *)&sa)->sin_family = AF_INET;
		((struct sockaddr_in *)&sa)->sin_port = htons(port);
		salen = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, dst,
			     &((struct sockaddr_in6 *)&sa)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&sa)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&sa)->sin6_port = htons(port);
		salen = sizeof(struct sockaddr_in6);
	} else {
		die(2, "--dst is not an IP address:", dst);
	}
	for (f = 0; f < flows; f++) {
		fds[f] = socket(sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fds[f] < 0 || connect(fds[f], (struct sockaddr *)&sa, salen) < 0)
			die(1, "socket/connect failed for", dst);
	}
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = payload;
		iov[i].iov_len = size;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	end = now() + seconds;
	for (f = 0; now() < end; f = (f + 1) % flows) {
		int n = sendmmsg(fds[f], msgs, BATCH, MSG_DONTWAIT);

		if (n > 0)
			sent += n;
		else
			errors++;
	}
	printf("sent %llu\nerrors %llu\n", sent, errors);
	for (f = 0; f < flows; f++)
		close(fds[f]);
	return 0;
}
