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
#define HELPER_NAME "udpflood"
#define HELPER_USAGE HELPER_NAME \
	" --ns NS --dst IP --port P --seconds S [--flows F] [--size B]"
#include "helper.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define BATCH		64
#define MAX_FLOWS	1024

static double now(void)
{
	return now_ns() / 1e9;
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
			usage_err("%s needs a value", o);
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
			usage_err("unknown option %s", o);
	}
	if (!ns || !dst || port <= 0 || port > 65535 || seconds <= 0)
		usage_err("--ns, --dst, --port (1..65535) and --seconds (> 0) are required");
	if (flows < 1 || flows > MAX_FLOWS)
		usage_err("--flows must be 1..%d", MAX_FLOWS);
	if (size < 1 || size > (long)sizeof(payload))
		usage_err("--size must be 1..%zu", sizeof(payload));
	enter_netns(ns);

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
		usage_err("--dst %s is not an IP address", dst);
	}
	for (f = 0; f < flows; f++) {
		fds[f] = socket(sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fds[f] < 0 || connect(fds[f], (struct sockaddr *)&sa, salen) < 0)
			die("socket/connect to %s: %s", dst, strerror(errno));
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
