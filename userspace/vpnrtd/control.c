// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtd's control socket: a unix stream socket (default
 * /run/vpnrt/vpnrtd.sock, mode 0600, and only uid 0 is answered) that
 * vpnrtctl talks to. A client sends one request line and reads the
 * answer until the daemon closes:
 *
 *   agent show [json]       the daemon's own state
 *   ike show [CONN] [json]  per tunnel IKE and child SAs
 *   agent reload [json]     re-read the config file
 *   bgp show [CONN] [json]  per BGP peer: state, timers, capabilities,
 *                           prefix counts, errors (bgp_show.c)
 *   bgp routes [CONN] [received|advertised] [json]
 *                           the routes each peer sent (received, the
 *                           default: accepted, installed or refused and
 *                           why) or that we announce to it
 *   bgp refresh CONN [json] ROUTE-REFRESH to CONN's peers
 *   bgp reset CONN [json]   Cease/4 to CONN's peers, then reconnect
 *   monitor [json]          stay connected: one line per BGP state
 *                           change until the client closes
 *
 * The answer is text for people, or one JSON document with "json". An
 * error answer starts with "error: " (text) or is {"error": "..."}.
 * Clients are non-blocking and bounded in number and request size, so a
 * stuck one costs the daemon nothing: an answer is dropped when the
 * client reads nothing of it for CTL_IDLE_MS.
 *
 * Answers are built in memory, except `bgp routes`, which may list a
 * million routes: it is produced BGP_SHOW_CHUNK routes at a time, the
 * next chunk only once the client has read the previous one, so it
 * costs one chunk of memory (about 100 KiB) however long it is.
 *
 * Monitors: at most CTL_MONITORS clients; each has an event buffer of
 * CTL_MON_BUF bytes. An event is queued to every monitor without
 * blocking; a monitor whose buffer would overflow (it does not read)
 * is dropped with a log line.
 */
#define _GNU_SOURCE	/* accept4, SO_PEERCRED, pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "bgp_show.h"
#include "log.h"
#include "vpnrtd.h"

#define CTL_CLIENTS	16
#define CTL_MONITORS	8
#define CTL_MON_BUF	(64 * 1024)
#define CTL_REQ_MAX	512
#define CTL_IDLE_MS	5000

struct ctl_client {
	struct vpnrtd *d;
	int fd;
	char req[CTL_REQ_MAX];
	size_t req_len;
	char *out;		/* the answer, being written */
	size_t out_len, out_off;
	struct loop_timer idle;
	struct bgp_routes_walk *walk;	/* bgp routes: the chunks to come */
	bool monitor, mon_json;	/* out is the event buffer, CTL_MON_BUF */
};

static struct ctl_client clients[CTL_CLIENTS];

static void client_close(struct ctl_client *cl)
{
	if (cl->fd < 0)
		return;
	loop_del_fd(cl->d->loop, cl->fd);
	loop_timer_cancel(cl->d->loop, &cl->idle);
	close(cl->fd);
	cl->fd = -1;
	free(cl->out);
	cl->out = NULL;
	free(cl->walk);
	cl->walk = NULL;
	cl->monitor = false;
}

static void client_idle(void *arg)
{
	client_close(arg);
}

static const char *fmt_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!t || !gmtime_r(&t, &tm))
		return "never";
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static void agent_show(struct vpnrtd *d, bool json, FILE *f)
{
	time_t now = time(NULL);
	char tbuf[32];
	int n_conns = 0;

	for (int g = 0; d->cfg && g < d->cfg->n_gws; g++)
		n_conns += d->cfg->gws[g].n_conns;
	if (json) {
		struct json j;

		json_init(&j, f, false);
		json_obj_open(&j, NULL);
		json_str(&j, "config", d->cfg_file);
		json_str(&j, "version", VPNRT_VERSION);
		json_u64(&j, "pid", (uint64_t)getpid());
		json_u64(&j, "uptime_s", (uint64_t)(now - d->started));
		json_str(&j, "vici", d->vici_uri);
		json_bool(&j, "charon_connected", d->ike && ike_connected(d->ike));
		json_u64(&j, "gateways", d->cfg ? (uint64_t)d->cfg->n_gws : 0);
		json_u64(&j, "connections", (uint64_t)n_conns);
		json_obj_open(&j, "last_reload");
		if (d->reload_time) {
			json_str(&j, "time", fmt_time(d->reload_time, tbuf, sizeof(tbuf)));
			json_bool(&j, "ok", d->reload_ok);
			json_str(&j, "result", d->reload_msg);
			json_u64(&j, "errors", (uint64_t)d->n_reload_errs);
		}
		json_obj_close(&j);
		json_bool(&j, "in_sync", !d->reconcile_failed);
		json_arr_open(&j, "tunnels");
		for (int i = 0; i < d->n_tuns; i++) {
			const struct tun_state *t = &d->tuns[i];

			json_obj_open(&j, NULL);
			json_str(&j, "conn", t->conn);
			json_u64(&j, "tunnel", (uint64_t)t->pos);
			json_u64(&j, "ifindex", t->ifindex);
			json_str(&j, "ike", !t->ike_known ? "unknown" :
				 t->ike_up ? "up" : "down");
			json_str(&j, "why", t->ike_why);
			json_obj_close(&j);
		}
		json_arr_close(&j);
		json_obj_close(&j);
		json_end(&j);
		return;
	}
	fprintf(f, "config %s\n", d->cfg_file);
	fprintf(f, "version %s pid %d uptime %llds\n", VPNRT_VERSION, (int)getpid(),
		(long long)(now - d->started));
	fprintf(f, "charon %s (%s)\n",
		d->ike && ike_connected(d->ike) ? "connected" : "not connected",
		d->vici_uri);
	fprintf(f, "gateways %d connections %d %s\n", d->cfg ? d->cfg->n_gws : 0,
		n_conns, d->reconcile_failed ? "out of sync (retrying)" : "in sync");
	if (d->reload_time)
		fprintf(f, "last reload %s: %s\n",
			fmt_time(d->reload_time, tbuf, sizeof(tbuf)), d->reload_msg);
	else
		fprintf(f, "last reload never\n");
	for (int i = 0; i < d->n_tuns; i++) {
		const struct tun_state *t = &d->tuns[i];

		fprintf(f, "tunnel %s/%d ike %s%s%s\n", t->conn, t->pos,
			!t->ike_known ? "unknown" : t->ike_up ? "up" : "down",
			*t->ike_why ? ": " : "", t->ike_why);
	}
}

static void answer_error(FILE *f, bool json, const char *msg)
{
	if (json) {
		struct json j;

		json_init(&j, f, false);
		json_obj_open(&j, NULL);
		json_str(&j, "error", msg);
		json_obj_close(&j);
		json_end(&j);
	} else {
		fprintf(f, "error: %s\n", msg);
	}
}

static int cfg_bgp_peers(const struct cfg *cfg)
{
	int n = 0;

	for (int g = 0; cfg && g < cfg->n_gws; g++)
		n += cfg->gws[g].bgp.n_peers;
	return n;
}

/*
 * Can a bgp request about conn (NULL: every connection) be answered? 0,
 * or -1 with why in err.
 */
static int bgp_check(struct vpnrtd *d, const char *conn, char *err, size_t len)
{
	if (conn && !cfg_find_conn(d->cfg, conn, NULL)) {
		snprintf(err, len, "no connection %.40s in the config", conn);
		return -1;
	}
	if (!d->bgp || !bgp_n_peers(d)) {
		if (cfg_bgp_peers(d->cfg))
			snprintf(err, len, "BGP is configured but its speaker is not running (see vpnrtd's log)");
		else
			snprintf(err, len, "no BGP configured: no tunnel has bgp: in %s",
				 d->cfg_file ? d->cfg_file : "the config");
		return -1;
	}
	return 0;
}

static void answer_ok(FILE *f, bool json, const char *msg)
{
	if (json) {
		struct json j;

		json_init(&j, f, false);
		json_obj_open(&j, NULL);
		json_bool(&j, "ok", true);
		json_str(&j, "result", msg);
		json_obj_close(&j);
		json_end(&j);
	} else {
		fprintf(f, "%s\n", msg);
	}
}

#define BGP_USAGE "allowed: bgp show [CONN], bgp routes [CONN] [received|advertised], bgp refresh CONN, bgp reset CONN"

/* w[0] is "bgp", n words in all */
static void handle_bgp(struct ctl_client *cl, char **w, int n, bool json, FILE *f)
{
	struct vpnrtd *d = cl->d;
	char err[256], msg[256];

	if (n < 2) {
		answer_error(f, json, "missing bgp command; " BGP_USAGE);
		return;
	}
	if (!strcmp(w[1], "show")) {
		const char *conn = n > 2 ? w[2] : NULL;

		if (n > 3) {
			answer_error(f, json, "bgp show takes at most a connection name; " BGP_USAGE);
			return;
		}
		if (bgp_check(d, conn, err, sizeof(err)) ||
		    bgp_show_peers(d, conn, json, time(NULL), f, err, sizeof(err)))
			answer_error(f, json, err);
		return;
	}
	if (!strcmp(w[1], "routes")) {
		const char *conn = NULL, *view = NULL;
		struct bgp_routes_walk *wk;

		/* [CONN] [received|advertised]: a lone word that is a view
		 * and not a connection's name is the view */
		if (n == 3 && (!strcmp(w[2], "received") || !strcmp(w[2], "advertised")) &&
		    !cfg_find_conn(d->cfg, w[2], NULL))
			view = w[2];
		else if (n >= 3)
			conn = w[2];
		if (n == 4)
			view = w[3];
		if (n > 4 || (view && strcmp(view, "received") && strcmp(view, "advertised"))) {
			snprintf(msg, sizeof(msg), "bad bgp routes request (\"%.40s\"); allowed: bgp routes [CONN] [received|advertised]",
				 n > 4 ? w[4] : view);
			answer_error(f, json, msg);
			return;
		}
		if (bgp_check(d, conn, err, sizeof(err))) {
			answer_error(f, json, err);
			return;
		}
		wk = malloc(sizeof(*wk));
		if (!wk) {
			answer_error(f, json, "out of memory");
			return;
		}
		if (bgp_routes_begin(wk, d, conn, view && !strcmp(view, "advertised"),
				     json, err, sizeof(err))) {
			free(wk);
			answer_error(f, json, err);
			return;
		}
		/* the first chunk now, the others as the client reads */
		if (bgp_routes_next(wk, d, f, BGP_SHOW_CHUNK))
			free(wk);
		else
			cl->walk = wk;
		return;
	}
	if (!strcmp(w[1], "refresh") || !strcmp(w[1], "reset")) {
		bool reset = !strcmp(w[1], "reset");
		int r;

		if (n != 3) {
			snprintf(msg, sizeof(msg), "bgp %s takes one connection name; " BGP_USAGE,
				 w[1]);
			answer_error(f, json, msg);
			return;
		}
		if (bgp_check(d, w[2], err, sizeof(err))) {
			answer_error(f, json, err);
			return;
		}
		err[0] = '\0';
		r = reset ? bgp_reset(d, w[2], err, sizeof(err)) :
			    bgp_refresh(d, w[2], err, sizeof(err));
		if (r) {
			answer_error(f, json, *err ? err : "failed");
			return;
		}
		snprintf(msg, sizeof(msg), "%s %.40s: %s", reset ? "reset" : "refresh",
			 w[2], reset ? "Cease/4 sent to its peers, reconnecting" :
			 "ROUTE-REFRESH sent to its Established peers");
		vlog(LOG_NOTICE, "control: bgp %s", msg);
		answer_ok(f, json, msg);
		return;
	}
	snprintf(msg, sizeof(msg), "unknown bgp command \"%.40s\"; " BGP_USAGE, w[1]);
	answer_error(f, json, msg);
}

static int n_monitors(void)
{
	int n = 0;

	for (int i = 0; i < CTL_CLIENTS; i++)
		n += clients[i].fd >= 0 && clients[i].monitor;
	return n;
}

/* split the request into at most 5 words; json is taken off the end */
static void handle(struct ctl_client *cl, char *req, FILE *f)
{
	struct vpnrtd *d = cl->d;
	char *w[6] = { 0 }, *save = NULL, *tok;
	bool json = false;
	int n = 0;

	for (tok = strtok_r(req, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (n == 5) {
			answer_error(f, false, "too many words in the request");
			return;
		}
		w[n++] = tok;
	}
	if (n && !strcmp(w[n - 1], "json")) {
		json = true;
		w[--n] = NULL;
	}
	if (n == 2 && !strcmp(w[0], "agent") && !strcmp(w[1], "show")) {
		agent_show(d, json, f);
	} else if (n == 2 && !strcmp(w[0], "agent") && !strcmp(w[1], "reload")) {
		int ok = vpnrtd_reload(d) == 0;

		if (json) {
			struct json j;

			json_init(&j, f, false);
			json_obj_open(&j, NULL);
			json_bool(&j, "ok", ok);
			json_str(&j, "result", d->reload_msg);
			json_obj_close(&j);
			json_end(&j);
		} else {
			fprintf(f, "%s%s\n", ok ? "" : "error: ", d->reload_msg);
		}
	} else if ((n == 2 || n == 3) && !strcmp(w[0], "ike") && !strcmp(w[1], "show")) {
		const char *conn = n == 3 ? w[2] : NULL;

		if (conn && !cfg_find_conn(d->cfg, conn, NULL)) {
			char msg[128];

			snprintf(msg, sizeof(msg), "no connection %.40s in the config", conn);
			answer_error(f, json, msg);
		} else if (!d->ike) {
			answer_error(f, json, "IKE is not running");
		} else if (json) {
			struct json j;

			json_init(&j, f, false);
			json_obj_open(&j, NULL);
			ike_show_json(d->ike, conn, &j);
			json_obj_close(&j);
			json_end(&j);
		} else {
			ike_show_text(d->ike, conn, f);
		}
	} else if (n >= 1 && !strcmp(w[0], "bgp")) {
		handle_bgp(cl, w, n, json, f);
	} else if (n == 1 && !strcmp(w[0], "monitor")) {
		if (n_monitors() >= CTL_MONITORS) {
			answer_error(f, json, "too many monitors already");
			return;
		}
		cl->monitor = true;
		cl->mon_json = json;
	} else {
		answer_error(f, json, "unknown request; known: agent show, agent reload, ike show [CONN], bgp show [CONN], bgp routes [CONN] [received|advertised], bgp refresh CONN, bgp reset CONN, monitor (each optionally followed by json)");
	}
}

/* the next chunk of a bgp routes answer into cl->out; -1: no memory */
static int client_fill(struct ctl_client *cl)
{
	FILE *f;

	free(cl->out);
	cl->out = NULL;
	cl->out_len = cl->out_off = 0;
	f = open_memstream(&cl->out, &cl->out_len);
	if (!f)
		return -1;
	if (!cl->d->bgp) {
		bgp_routes_abort(cl->walk, f);	/* the speaker is gone */
		free(cl->walk);
		cl->walk = NULL;
	} else if (bgp_routes_next(cl->walk, cl->d, f, BGP_SHOW_CHUNK)) {
		free(cl->walk);
		cl->walk = NULL;
	}
	fclose(f);
	return 0;
}

static void client_write(struct ctl_client *cl)
{
	for (;;) {
		while (cl->out_off < cl->out_len) {
			ssize_t n = send(cl->fd, cl->out + cl->out_off,
					 cl->out_len - cl->out_off, MSG_NOSIGNAL);

			if (n < 0 && errno == EAGAIN) {
				if (cl->monitor)
					loop_mod_fd(cl->d->loop, cl->fd, EPOLLIN | EPOLLOUT);
				return;
			}
			if (n <= 0) {
				client_close(cl);
				return;
			}
			cl->out_off += (size_t)n;
			/* progress: the client is alive */
			if (!cl->monitor)
				loop_timer_arm(cl->d->loop, &cl->idle, CTL_IDLE_MS);
		}
		if (cl->monitor) {
			cl->out_len = cl->out_off = 0;
			loop_mod_fd(cl->d->loop, cl->fd, EPOLLIN);
			return;
		}
		if (!cl->walk)
			break;
		if (client_fill(cl)) {
			client_close(cl);
			return;
		}
	}
	client_close(cl);
}

/* a monitor only reads to see the client go */
static void monitor_event(struct ctl_client *cl, uint32_t events)
{
	if (events & EPOLLOUT)
		client_write(cl);
	if (cl->fd >= 0 && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		char buf[256];
		ssize_t n = recv(cl->fd, buf, sizeof(buf), 0);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			client_close(cl);
	}
}

static void monitor_start(struct ctl_client *cl)
{
	free(cl->out);
	cl->out = malloc(CTL_MON_BUF);
	cl->out_len = cl->out_off = 0;
	if (!cl->out) {
		client_close(cl);
		return;
	}
	loop_timer_cancel(cl->d->loop, &cl->idle);
	loop_mod_fd(cl->d->loop, cl->fd, EPOLLIN);
}

/* d->bgp_event: one line to every monitor, never blocking */
static void control_bgp_event(struct vpnrtd *d, const struct bgp_event *ev)
{
	char line[2][2048];
	size_t len[2] = { 0, 0 };

	for (int i = 0; i < CTL_CLIENTS; i++) {
		struct ctl_client *cl = &clients[i];
		int k = cl->mon_json;

		if (cl->fd < 0 || !cl->monitor || cl->d != d)
			continue;
		if (!len[k]) {
			FILE *f = fmemopen(line[k], sizeof(line[k]), "w");

			if (!f)
				return;
			bgp_show_event(ev, k, f);
			fclose(f);
			line[k][sizeof(line[k]) - 1] = '\0';
			len[k] = strlen(line[k]);
			if (len[k] && line[k][len[k] - 1] != '\n')
				line[k][len[k] - 1] = '\n';	/* cut */
		}
		if (cl->out_off) {
			memmove(cl->out, cl->out + cl->out_off, cl->out_len - cl->out_off);
			cl->out_len -= cl->out_off;
			cl->out_off = 0;
		}
		if (cl->out_len + len[k] > CTL_MON_BUF) {
			vlog(LOG_WARNING, "control: a monitor reads too slowly (%zu bytes of events unread); dropped",
			     cl->out_len);
			client_close(cl);
			continue;
		}
		memcpy(cl->out + cl->out_len, line[k], len[k]);
		cl->out_len += len[k];
		client_write(cl);
	}
}

static void client_event(void *arg, uint32_t events)
{
	struct ctl_client *cl = arg;
	ssize_t n;
	char *nl;

	if (cl->monitor) {
		monitor_event(cl, events);
		return;
	}
	if (cl->out) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			client_write(cl);
		return;
	}
	n = recv(cl->fd, cl->req + cl->req_len, sizeof(cl->req) - 1 - cl->req_len, 0);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) {
		client_close(cl);
		return;
	}
	cl->req_len += (size_t)n;
	cl->req[cl->req_len] = '\0';
	nl = strchr(cl->req, '\n');
	if (!nl) {
		if (cl->req_len == sizeof(cl->req) - 1) {
			vlog(LOG_WARNING, "control: request longer than %d bytes; closed",
			     CTL_REQ_MAX - 1);
			client_close(cl);
		}
		return;
	}
	*nl = '\0';
	{
		FILE *f = open_memstream(&cl->out, &cl->out_len);

		if (!f) {
			client_close(cl);
			return;
		}
		handle(cl, cl->req, f);
		fclose(f);
	}
	if (cl->monitor) {
		monitor_start(cl);
		return;
	}
	cl->out_off = 0;
	loop_mod_fd(cl->d->loop, cl->fd, EPOLLOUT);
	client_write(cl);
}

static void control_accept(void *arg, uint32_t events)
{
	struct vpnrtd *d = arg;
	struct ctl_client *cl = NULL;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd;

	(void)events;
	fd = accept4(d->control_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.uid != 0) {
		const char msg[] = "error: vpnrtd answers root only\n";

		send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	for (int i = 0; i < CTL_CLIENTS && !cl; i++)
		if (clients[i].fd < 0)
			cl = &clients[i];
	if (!cl) {
		vlog(LOG_WARNING, "control: %d clients already; one refused", CTL_CLIENTS);
		close(fd);
		return;
	}
	*cl = (struct ctl_client){ .d = d, .fd = fd };
	loop_timer_init(&cl->idle, client_idle, cl);
	if (loop_add_fd(d->loop, fd, EPOLLIN, client_event, cl)) {
		close(fd);
		cl->fd = -1;
		return;
	}
	loop_timer_arm(d->loop, &cl->idle, CTL_IDLE_MS);
}

int control_open(struct vpnrtd *d)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[sizeof(sun.sun_path)];
	char *slash;
	mode_t old;
	int fd;

	for (int i = 0; i < CTL_CLIENTS; i++)
		clients[i].fd = -1;
	d->bgp_event = control_bgp_event;
	if (strlen(d->control_path) >= sizeof(sun.sun_path)) {
		vlog(LOG_ERR, "control: path %s longer than %zu bytes", d->control_path,
		     sizeof(sun.sun_path) - 1);
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", d->control_path);
	snprintf(dir, sizeof(dir), "%s", d->control_path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			vlog(LOG_ERR, "control: cannot create %s: %s", dir, strerror(errno));
			return -1;
		}
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		vlog(LOG_ERR, "control: socket: %s", strerror(errno));
		return -1;
	}
	unlink(d->control_path);
	old = umask(0077);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || listen(fd, 16)) {
		umask(old);
		vlog(LOG_ERR, "control: cannot listen on %s: %s", d->control_path,
		     strerror(errno));
		close(fd);
		return -1;
	}
	umask(old);
	d->control_fd = fd;
	if (loop_add_fd(d->loop, fd, EPOLLIN, control_accept, d)) {
		close(fd);
		d->control_fd = -1;
		return -1;
	}
	return 0;
}

void control_close(struct vpnrtd *d)
{
	for (int i = 0; i < CTL_CLIENTS; i++)
		if (clients[i].d == d)
			client_close(&clients[i]);
	d->bgp_event = NULL;
	if (d->control_fd >= 0) {
		loop_del_fd(d->loop, d->control_fd);
		close(d->control_fd);
		d->control_fd = -1;
		unlink(d->control_path);
	}
}
