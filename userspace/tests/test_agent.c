// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtctl's side of vpnrtd's control socket (vpnrtctl/agent.c): the
 * request lines `bgp ...` sends, argument errors, error answers, an
 * answer of 6 MB copied as it comes, and the monitor's reading of
 * vpnrtd's event lines. vpnrtd is a forked child on a socket in /tmp
 * that answers each request with "req <line>" (or as the test asks).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "vpnrtctl.h"

static char SOCK[108];
static pid_t CHILD;

static void serve(int lfd)
{
	for (;;) {
		char req[600];
		size_t n = 0;
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			_exit(0);
		while (n < sizeof(req) - 1) {
			ssize_t r = recv(fd, req + n, 1, 0);

			if (r <= 0 || req[n] == '\n')
				break;
			n++;
		}
		req[n] = '\0';
		if (!strcmp(req, "bgp routes big")) {
			char line[128];

			for (int i = 0; i < 100000; i++) {
				int l = snprintf(line, sizeof(line), "  10.%d.%d.0/24     installed pref 1     as-path 65001 65002 origin igp next-hop 169.254.10.2\n",
						 i / 256 % 256, i % 256);

				if (send(fd, line, (size_t)l, MSG_NOSIGNAL) != l)
					break;
			}
			send(fd, "100000 received routes\n", 23, MSG_NOSIGNAL);
		} else if (!strcmp(req, "bgp show dc9")) {
			send(fd, "error: no connection dc9 in the config\n", 39, MSG_NOSIGNAL);
		} else if (!strcmp(req, "bgp show dc9 json")) {
			send(fd, "{\"error\":\"no connection dc9 in the config\"}\n", 44,
			     MSG_NOSIGNAL);
		} else {
			dprintf(fd, "req %s\n", req);
		}
		close(fd);
	}
}

static void start_server(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(SOCK, sizeof(SOCK), "/tmp/test_agent.%d.sock", (int)getpid());
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", SOCK);
	unlink(SOCK);
	if (bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) || listen(lfd, 8)) {
		printf("# listen %s: %s\n", SOCK, strerror(errno));
		return;
	}
	CHILD = fork();
	if (CHILD == 0)
		serve(lfd);
	close(lfd);
	setenv("VPNRTD_CONTROL", SOCK, 1);
}

/* run "vpnrtctl [-j] ARGS": rc, output in *out, error text in err */
static int run(bool json, const char *args, char **out, char *err, size_t errlen)
{
	struct vpnrtctl c;
	char buf[256], *argv[16], *save = NULL;
	size_t len = 0;
	int argc = 0, rc;

	vpnrtctl_init(&c);
	c.json = json;
	c.out = open_memstream(out, &len);
	snprintf(buf, sizeof(buf), "%s", args);
	for (char *t = strtok_r(buf, " ", &save); t && argc < 15; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	rc = vpnrtctl_run(&c, argc, argv);
	fclose(c.out);
	snprintf(err, errlen, "%s", c.err);
	return rc;
}

static void check_req(const char *args, bool json, const char *want)
{
	char *out = NULL, err[1024];
	int rc = run(json, args, &out, err, sizeof(err));

	TAP_CHECK(rc == 0 && !strcmp(out, want), "vpnrtctl %s%s: asks \"%.*s\"",
		  json ? "-j " : "", args, (int)strlen(want) - 1, want);
	if (rc || strcmp(out, want))
		printf("#   got \"%s\" (%s)\n", out, err);
	free(out);
}

static void check_err(const char *args, const char *want)
{
	char *out = NULL, err[1024];
	int rc = run(false, args, &out, err, sizeof(err));

	TAP_CHECK(rc == -1 && !*out, "vpnrtctl %s: refused", args);
	TAP_STREQ(err, want, "vpnrtctl %s: why", args);
	free(out);
}

static void test_requests(void)
{
	check_req("bgp show", false, "req bgp show\n");
	check_req("bgp sh dc1", true, "req bgp show dc1 json\n");
	check_req("bgp routes", false, "req bgp routes\n");
	check_req("bgp routes received", false, "req bgp routes received\n");
	check_req("bgp ro dc1 adv", true, "req bgp routes dc1 advertised json\n");
	check_req("bgp refresh dc1", false, "req bgp refresh dc1\n");
	check_req("bgp reset dc1", false, "req bgp reset dc1\n");
	check_err("bgp", "missing command; allowed: bgp show [CONN], bgp routes [CONN] [received|advertised], bgp refresh CONN, bgp reset CONN");
	check_err("bgp re dc1", "ambiguous command \"bgp re\"; allowed: bgp show [CONN], bgp routes [CONN] [received|advertised], bgp refresh CONN, bgp reset CONN");
	check_err("bgp routes dc1 sideways", "unknown keyword \"sideways\" after \"bgp routes CONN\"; allowed: received, advertised");
	check_err("bgp reset", "\"bgp reset\" takes one connection name");
	check_err("bgp refresh a b", "\"bgp refresh\" takes one connection name, got also b");
	check_err("bgp show a b", "\"bgp show\" takes at most a connection name, got \"b\"");
	check_err("bgp show dc9", "vpnrtd: no connection dc9 in the config");
	{
		char *out = NULL, err[1024];
		int rc = run(true, "bgp show dc9", &out, err, sizeof(err));

		TAP_CHECK(rc == -1 && !strcmp(out, "{\"error\":\"no connection dc9 in the config\"}\n") &&
			  !strcmp(err, "vpnrtd refused the request (see its answer)"),
			  "vpnrtctl -j bgp show dc9: the JSON error printed, the command fails");
		free(out);
	}
	{
		char *out = NULL, err[1024];
		int rc = run(false, "bgp routes big", &out, err, sizeof(err));
		size_t lines = 0, len = out ? strlen(out) : 0;

		for (size_t i = 0; i < len; i++)
			lines += out[i] == '\n';
		TAP_CHECK(rc == 0 && lines == 100001 && len > 4 << 20 &&
			  !strcmp(out + len - 23, "100000 received routes\n"),
			  "vpnrtctl bgp routes big: all %zu lines, %zu bytes (more than the old 4 MiB bound)",
			  lines, len);
		free(out);
	}
	{
		char *out = NULL, err[1024];
		int rc;

		setenv("VPNRTD_CONTROL", "/tmp/test_agent.nothing-here.sock", 1);
		rc = run(false, "bgp show", &out, err, sizeof(err));
		TAP_CHECK(rc == -1 && strstr(err, "cannot reach vpnrtd at /tmp/test_agent.nothing-here.sock: No such file or directory (is vpnrtd running?"),
			  "no vpnrtd: said so");
		free(out);
		setenv("VPNRTD_CONTROL", SOCK, 1);
	}
}

static void test_monitor_read(void)
{
	struct vpnrtctl c;
	char *out = NULL;
	size_t len = 0;
	int sv[2];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	vpnrtctl_init(&c);
	c.out = open_memstream(&out, &len);
	c.agent_mon = true;
	c.agent_fd = sv[0];
	send(sv[1], "bgp state a\nbgp st", 18, 0);
	TAP_CHECK(agent_monitor_read(&c) == 0, "monitor: a line and a half read");
	fflush(c.out);
	TAP_STREQ(out, "bgp state a\n", "monitor: the whole line printed, the half kept");
	send(sv[1], "ate b\n", 6, 0);
	agent_monitor_read(&c);
	fflush(c.out);
	TAP_STREQ(out, "bgp state a\nbgp state b\n", "monitor: the second line completed");
	TAP_CHECK(agent_monitor_read(&c) == 0 && c.agent_mon, "monitor: nothing to read is no end");
	close(sv[1]);
	c.agent_retry = true;
	TAP_CHECK(agent_monitor_read(&c) == -1 && !c.agent_mon && c.agent_fd == -1,
		  "monitor: vpnrtd closing ends the stream (kernel events go on)");
	TAP_CHECK(c.agent_retry && c.agent_lost,
		  "monitor: ... lost, to be asked for again (vpnrtd restarting)");
	setenv("VPNRTD_CONTROL", "/tmp/test_agent.nothing-here.sock", 1);
	TAP_CHECK(agent_monitor_retry(&c) == -1 && !c.agent_mon && !c.err[0] && c.agent_retry,
		  "monitor: vpnrtd not back yet: no stream, no error, asked again later");
	setenv("VPNRTD_CONTROL", SOCK, 1);
	TAP_CHECK(agent_monitor_retry(&c) == 0 && c.agent_mon && c.agent_fd >= 0 && !c.agent_lost,
		  "monitor: vpnrtd back: the stream is open again");
	/* the fake vpnrtd answers the request line and closes */
	for (int i = 0; i < 50 && c.agent_mon; i++) {
		struct pollfd p = { .fd = c.agent_fd, .events = POLLIN };

		poll(&p, 1, 100);
		agent_monitor_read(&c);
	}
	fflush(c.out);
	TAP_STREQ(out, "bgp state a\nbgp state b\nreq monitor\n",
		  "monitor: the new stream asked for \"monitor\" and its lines are printed");

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	c.agent_mon = true;
	c.agent_fd = sv[0];
	c.agent_retry = true;
	send(sv[1], "error: too many monitors already\n", 33, 0);
	TAP_CHECK(agent_monitor_read(&c) == -1 && !c.agent_mon && !c.agent_retry,
		  "monitor: vpnrtd refusing ends the stream, not to be asked again");
	fflush(c.out);
	TAP_STREQ(out, "bgp state a\nbgp state b\nreq monitor\n",
		  "monitor: the refusal is not printed as an event");
	close(sv[1]);
	fclose(c.out);
	free(out);
}

int main(void)
{
	start_server();
	test_requests();
	test_monitor_read();
	if (CHILD > 0) {
		kill(CHILD, SIGTERM);
		waitpid(CHILD, NULL, 0);
	}
	unlink(SOCK);
	return tap_done();
}
