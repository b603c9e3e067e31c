// SPDX-License-Identifier: GPL-2.0
/*
 * Selftest helper: dump the routes of the current netns one datagram at
 * a time and, after the first, run a command that changes them. Prints
 * how many routes the dump returned and whether any message carried
 * NLM_F_DUMP_INTR. With "-" as the command nothing is run.
 *
 *   dump_intr CMD	prints "routes N interrupted 0|1"
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/vpnrt.h>

int main(int argc, char **argv)
{
	static char buf[65536];
	struct nl_sock *sk;
	struct nl_msg *msg;
	unsigned long routes = 0;
	int fam, fd, intr = 0, done = 0, first = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CMD|-\n", argv[0]);
		return 2;
	}
	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk) < 0)
		return 1;
	fam = genl_ctrl_resolve(sk, VPNRT_GENL_NAME);
	if (fam < 0) {
		fprintf(stderr, "dump_intr: no vpnrt family\n");
		return 1;
	}
	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, fam, 0,
				 NLM_F_DUMP, VPNRT_CMD_ROUTE_GET, 1) ||
	    nl_send_auto(sk, msg) < 0) {
		fprintf(stderr, "dump_intr: cannot send the dump request\n");
		return 1;
	}
	nlmsg_free(msg);
	fd = nl_socket_get_fd(sk);

	while (!done) {
		struct nlmsghdr *h;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("dump_intr: recv");
			return 1;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = 1;
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				fprintf(stderr, "dump_intr: error %d\n",
					((struct nlmsgerr *)NLMSG_DATA(h))->error);
				return 1;
			}
			routes++;
		}
		if (first && strcmp(argv[1], "-")) {
			first = 0;
			if (system(argv[1]) != 0) {
				fprintf(stderr, "dump_intr: \"%s\" failed\n", argv[1]);
				return 1;
			}
		}
	}
	printf("routes %lu interrupted %d\n", routes, intr);
	nl_socket_free(sk);
	return 0;
}
