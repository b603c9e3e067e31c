// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtctl: `agent show|reload` and `ike show [CONN]`, answered by vpnrtd
 * over its control socket (VPNRTD_CONTROL, default /run/vpnrt/vpnrtd.sock;
 * root only). One request line goes out; the answer, text or one JSON
 * document, is copied to the output. An answer that is an error makes
 * the command fail with that text.
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
#define AGENT_ANSWER_MAX	(4 << 20)

static int agent_ask(struct vpnrtctl *c, const char *req)
{
	const char *path = getenv("VPNRTD_CONTROL");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *buf = NULL, line[600];
	size_t len = 0, cap = 0;
	int fd, n;

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
		return cli_err(c, "cannot reach vpnrtd at %s: %s%s", path, strerror(e),
			       e == ENOENT || e == ECONNREFUSED ?
			       " (is vpnrtd running? set VPNRTD_CONTROL if it listens elsewhere)" : "");
	}
	n = snprintf(line, sizeof(line), "%s%s\n", req, c->json ? " json" : "");
	if (send(fd, line, (size_t)n, MSG_NOSIGNAL) != n) {
		close(fd);
		return cli_err(c, "sending to vpnrtd: %s", strerror(errno));
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t got;

		if (poll(&p, 1, AGENT_TIMEOUT_MS) != 1) {
			free(buf);
			close(fd);
			return cli_err(c, "vpnrtd did not answer within %d s",
				       AGENT_TIMEOUT_MS / 1000);
		}
		if (len + 4096 + 1 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			if (cap > AGENT_ANSWER_MAX) {
				free(buf);
				close(fd);
				return cli_err(c, "vpnrtd's answer exceeds %d bytes",
					       AGENT_ANSWER_MAX);
			}
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				close(fd);
				return cli_err(c, "out of memory");
			}
			buf = nb;
		}
		got = recv(fd, buf + len, cap - len - 1, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			free(buf);
			close(fd);
			return cli_err(c, "reading from vpnrtd: %s", strerror(errno));
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	if (!buf)
		return cli_err(c, "vpnrtd closed the connection without an answer");
	buf[len] = '\0';
	if (!strncmp(buf, "error: ", 7)) {
		buf[strcspn(buf, "\n")] = '\0';
		cli_err(c, "vpnrtd: %s", buf + 7);
		free(buf);
		return -1;
	}
	if (c->json && !strncmp(buf, "{\"error\":", 9)) {
		fputs(buf, c->out);
		free(buf);
		return cli_err(c, "vpnrtd refused the request (see its answer)");
	}
	fputs(buf, c->out);
	free(buf);
	return 0;
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
