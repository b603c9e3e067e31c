// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtctl: `agent show|reload`, `ike show [CONN]` and `bgp ...`,
 * answered by vpnrtd over its control socket (VPNRTD_CONTROL, default
 * /run/vpnrt/vpnrtd.sock; root only). One request line goes out; the
 * answer, text or one JSON document, is copied to the output as it
 * comes. An answer that is an error makes the command fail with that
 * text. `monitor` also keeps a connection here for vpnrtd's BGP events
 * (agent_monitor_open()).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vpnrtctl.h"

#define AGENT_DEF_CONTROL	"/run/vpnrt/vpnrtd.sock"
#define AGENT_TIMEOUT_MS	10000
#define AGENT_CHUNK		(64 * 1024)

/*
 * Connect to vpnrtd's control socket and send req (+ " json" with -j).
 * The socket, or -1: with c->err set, or, when quiet and vpnrtd is
 * simply not there (no socket, nobody listening), with *absent true.
 */
static int agent_connect(struct vpnrtctl *c, const char *req, bool json,
			 bool *absent)
{
	const char *path = getenv("VPNRTD_CONTROL");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char line[600];
	int fd, n;

	if (absent)
		*absent = false;
	if (!path || !*path)
		path = AGENT_DEF_CONTROL;
	if (strlen(path) >= sizeof(sun.sun_path))
		return cli_err(c, "control socket path %s is too long", path);
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cli_err(c, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		int e = errno;

		close(fd);
		if (absent && (e == ENOENT || e == ECONNREFUSED)) {
			*absent = true;
			return -1;
		}
		return cli_err(c, "cannot reach vpnrtd at %s: %s%s", path, strerror(e),
			       e == ENOENT || e == ECONNREFUSED ?
			       " (is vpnrtd running? set VPNRTD_CONTROL if it listens elsewhere)" : "");
	}
	n = snprintf(line, sizeof(line), "%s%s\n", req, json ? " json" : "");
	if (n >= (int)sizeof(line) || send(fd, line, (size_t)n, MSG_NOSIGNAL) != n) {
		close(fd);
		return cli_err(c, "sending to vpnrtd: %s", strerror(errno));
	}
	return fd;
}

/* up to cap bytes into buf; the count (0 at the end), or -1 after c->err */
static ssize_t agent_read(struct vpnrtctl *c, int fd, char *buf, size_t cap)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t got;

		if (poll(&p, 1, AGENT_TIMEOUT_MS) != 1)
			return cli_err(c, "vpnrtd did not answer within %d s",
				       AGENT_TIMEOUT_MS / 1000);
		got = recv(fd, buf, cap, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return cli_err(c, "reading from vpnrtd: %s", strerror(errno));
		return got;
	}
}

/*
 * Ask and copy the answer to the output as it comes (a `bgp routes`
 * answer can be a million lines): only its start is looked at, an
 * error answer being "error: ..." or {"error": ...}, which then makes
 * the command fail.
 */
static int agent_ask(struct vpnrtctl *c, const char *req)
{
	char buf[AGENT_CHUNK + 1];
	size_t len = 0;
	ssize_t got;
	int fd = agent_connect(c, req, c->json, NULL);

	if (fd < 0)
		return -1;
	/* enough to tell an error from an answer */
	while (len < 9) {
		got = agent_read(c, fd, buf + len, sizeof(buf) - 1 - len);
		if (got < 0) {
			close(fd);
			return -1;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	if (!len) {
		close(fd);
		return cli_err(c, "vpnrtd closed the connection without an answer");
	}
	buf[len] = '\0';
	if (!strncmp(buf, "error: ", 7) ||
	    (c->json && !strncmp(buf, "{\"error\":", 9))) {
		bool text = buf[0] == 'e';

		/* an error is one short line: the rest of it, bounded */
		while (len < sizeof(buf) - 1 &&
		       (got = agent_read(c, fd, buf + len, sizeof(buf) - 1 - len)) > 0)
			len += (size_t)got;
		close(fd);
		buf[len] = '\0';
		if (text) {
			buf[strcspn(buf, "\n")] = '\0';
			return cli_err(c, "vpnrtd: %s", buf + 7);
		}
		fputs(buf, c->out);
		return cli_err(c, "vpnrtd refused the request (see its answer)");
	}
	for (;;) {
		if (fwrite(buf, 1, len, c->out) != len) {
			close(fd);
			return cli_err(c, "writing the answer: %s", strerror(errno));
		}
		got = agent_read(c, fd, buf, sizeof(buf) - 1);
		if (got < 0) {
			close(fd);
			return -1;
		}
		if (got == 0)
			break;
		len = (size_t)got;
	}
	close(fd);
	return 0;
}

int agent_monitor_open(struct vpnrtctl *c)
{
	bool absent;
	int fd = agent_connect(c, "monitor", c->json, &absent);

	/* absent: vpnrtd may start later, agent_monitor_retry() will see */
	c->agent_retry = fd >= 0 || absent;
	c->agent_lost = false;
	if (fd < 0 && !absent) {
		/* not fatal: the kernel's events still come */
		fprintf(stderr, "vpnrtctl: warning: %s; BGP events will not be shown\n",
			c->err);
		c->err[0] = '\0';
	}
	return fd;
}

int do_agent(struct vpnrtctl *c, int argc, char **argv)
{
	static const char *const cmds[] = { "show", "reload", NULL };
	char list[64];
	int k;

	if (argc < 1)
		return cli_err(c, "missing command; allowed: agent %s",
			       kw_join(cmds, list, sizeof(list)));
	k = kw_find(argv[0], cmds);
	if (k < 0)
		return cli_err(c, "unknown command \"agent %s\"; allowed: agent %s",
			       argv[0], kw_join(cmds, list, sizeof(list)));
	if (argc > 1)
		return cli_err(c, "\"agent %s\" takes no arguments, got \"%s\"",
			       cmds[k], argv[1]);
	return agent_ask(c, k == 0 ? "agent show" : "agent reload");
}

int do_ike(struct vpnrtctl *c, int argc, char **argv)
{
	char req[64];

	if (argc < 1 || kw_find(argv[0], (const char *const[]){ "show", NULL }) < 0)
		return cli_err(c, "%s; allowed: ike show [CONN]",
			       argc < 1 ? "missing command" : "unknown command");
	if (argc > 2)
		return cli_err(c, "\"ike show\" takes at most a connection name, got \"%s\"",
			       argv[2]);
	if (argc == 2 && check_conn_name(c, argv[1]))
		return -1;
	snprintf(req, sizeof(req), "ike show%s%s", argc == 2 ? " " : "",
		 argc == 2 ? argv[1] : "");
	return agent_ask(c, req);
}

int agent_monitor_read(struct vpnrtctl *c)
{
	ssize_t got = recv(c->agent_fd, c->agent_buf + c->agent_len,
			   sizeof(c->agent_buf) - c->agent_len, MSG_DONTWAIT);
	const char *why = NULL;
	char *nl, *p;

	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (got <= 0) {
		why = got ? strerror(errno) : "vpnrtd closed it";
	} else {
		c->agent_len += (size_t)got;
		p = c->agent_buf;
		while ((nl = memchr(p, '\n', c->agent_len - (size_t)(p - c->agent_buf)))) {
			*nl = '\0';
			if (!strncmp(p, "error: ", 7) || !strncmp(p, "{\"error\":", 9)) {
				fprintf(stderr, "vpnrtctl: warning: vpnrtd refused the event stream: %s\n",
					p);
				why = "refused";
				break;
			}
			fprintf(c->out, "%s\n", p);
			p = nl + 1;
		}
		fflush(c->out);
		c->agent_len -= (size_t)(p - c->agent_buf);
		memmove(c->agent_buf, p, c->agent_len);
		if (!why && c->agent_len == sizeof(c->agent_buf))
			why = "a line longer than 4 KiB";
	}
	if (!why)
		return 0;
	if (strcmp(why, "refused")) {
		fprintf(stderr, "vpnrtctl: warning: vpnrtd's event stream ended (%s); kernel events only until it is back\n",
			why);
		c->agent_lost = true;
	} else {
		/* vpnrtd is there and said no: asking again would not help */
		c->agent_retry = false;
	}
	close(c->agent_fd);
	c->agent_fd = -1;
	c->agent_mon = false;
	c->agent_len = 0;
	return -1;
}

int agent_monitor_retry(struct vpnrtctl *c)
{
	bool absent;
	int fd = agent_connect(c, "monitor", c->json, &absent);

	if (fd < 0) {
		/* not there yet (or not reachable): the next try says more */
		c->err[0] = '\0';
		return -1;
	}
	c->agent_fd = fd;
	c->agent_mon = true;
	c->agent_len = 0;
	if (c->agent_lost)
		fprintf(stderr, "vpnrtctl: vpnrtd's event stream is back\n");
	c->agent_lost = false;
	return 0;
}

int do_bgp(struct vpnrtctl *c, int argc, char **argv)
{
	static const char *const cmds[] = { "show", "routes", "refresh", "reset", NULL };
	static const char *const views[] = { "received", "advertised", NULL };
	static const char usage[] = "bgp show [CONN], bgp routes [CONN] [received|advertised], "
		"bgp refresh CONN, bgp reset CONN";
	char req[160];
	int k, v = -1;

	if (argc < 1)
		return cli_err(c, "missing command; allowed: %s", usage);
	k = kw_find(argv[0], cmds);
	if (k < 0)
		return cli_err(c, "%s command \"bgp %s\"; allowed: %s",
			       k == -2 ? "ambiguous" : "unknown", argv[0], usage);
	switch (k) {
	case 0:	/* show [CONN] */
		if (argc > 2)
			return cli_err(c, "\"bgp show\" takes at most a connection name, got \"%s\"",
				       argv[2]);
		if (argc == 2 && check_conn_name(c, argv[1]))
			return -1;
		snprintf(req, sizeof(req), "bgp show%s%s", argc == 2 ? " " : "",
			 argc == 2 ? argv[1] : "");
		break;
	case 1:	/* routes [CONN] [received|advertised] */
		if (argc > 3)
			return cli_err(c, "\"bgp routes\" takes [CONN] [received|advertised], got \"%s\" too",
				       argv[3]);
		if (argc == 3) {
			v = kw_expect(c, argv[2], views, "bgp routes CONN");
			if (v < 0)
				return -1;
		}
		if (argc >= 2 && check_conn_name(c, argv[1]))
			return -1;
		/* a lone received or advertised: the view (vpnrtd takes it
		 * as a connection's name if one is so called) */
		snprintf(req, sizeof(req), "bgp routes%s%s%s%s", argc >= 2 ? " " : "",
			 argc >= 2 ? argv[1] : "", v >= 0 ? " " : "",
			 v >= 0 ? views[v] : "");
		break;
	default:	/* refresh|reset CONN */
		if (argc != 2)
			return cli_err(c, "\"bgp %s\" takes one connection name%s%s",
				       cmds[k], argc > 2 ? ", got also " : "",
				       argc > 2 ? argv[2] : "");
		if (check_conn_name(c, argv[1]))
			return -1;
		snprintf(req, sizeof(req), "bgp %s %s", cmds[k], argv[1]);
		break;
	}
	return agent_ask(c, req);
}
