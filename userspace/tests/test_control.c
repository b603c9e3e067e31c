// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtd's control socket (vpnrtd/control.c) on a real unix socket and
 * loop: the bgp requests and their errors, a 100,000-route `bgp routes`
 * streamed to a slow reader while another client is served, and
 * `monitor` clients getting BGP events, a slow one dropped. The BGP
 * speaker (bgp.h) is faked over real sessions and a table
 * (bgp_fake.h); charon, the config and reload are stubs. Needs root
 * (the socket answers uid 0 only): otherwise it skips.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bgp_show.h"
#include "log.h"
#include "loop.h"
#include "tap.h"
#include "vpnrtd.h"

#include "bgp_fake.h"

static struct loop *L;
static struct vpnrtd D;
static FILE *LOG;
static char SOCK[108];
static int REFRESHES, RESETS;
static char LAST_CONN[64];

/* ---- stubs of the rest of the daemon ---- */

bool ike_connected(const struct ike *ike)
{
	(void)ike;
	return false;
}

void ike_show_json(struct ike *ike, const char *conn, struct json *j)
{
	(void)ike;
	(void)conn;
	(void)j;
}

void ike_show_text(struct ike *ike, const char *conn, FILE *out)
{
	(void)ike;
	(void)conn;
	(void)out;
}

int vpnrtd_reload(struct vpnrtd *d)
{
	(void)d;
	return -1;
}

/* the config has dc1, dc2, big (with BGP peers) and plain (without) */
const struct cfg_conn *cfg_find_conn(const struct cfg *cfg, const char *name,
				     const struct cfg_gw **gw)
{
	static struct cfg_conn c;

	(void)cfg;
	if (gw)
		*gw = NULL;
	if (strcmp(name, "dc1") && strcmp(name, "dc2") && strcmp(name, "big") &&
	    strcmp(name, "plain"))
		return NULL;
	snprintf(c.name, sizeof(c.name), "%s", name);
	return &c;
}

int bgp_refresh(struct vpnrtd *d, const char *conn, char *err, size_t len)
{
	(void)d;
	snprintf(LAST_CONN, sizeof(LAST_CONN), "%s", conn);
	if (!strcmp(conn, "dc2")) {
		snprintf(err, len, "no peer of dc2 is Established");
		return -1;
	}
	REFRESHES++;
	return 0;
}

int bgp_reset(struct vpnrtd *d, const char *conn, char *err, size_t len)
{
	(void)d;
	(void)err;
	(void)len;
	snprintf(LAST_CONN, sizeof(LAST_CONN), "%s", conn);
	RESETS++;
	return 0;
}

/* ---- a client ---- */

static int client(const char *req)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", SOCK);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		printf("# connect %s: %s\n", SOCK, strerror(errno));
		close(fd);
		return -1;
	}
	loop_run_once(L, 5);	/* accepted */
	if (req)
		send(fd, req, strlen(req), MSG_NOSIGNAL);
	return fd;
}

/*
 * Read what is there (at most max bytes, 0: all) into *buf, running the
 * loop; true at EOF.
 */
static bool drain(int fd, char **buf, size_t *len, size_t max, int ms)
{
	uint64_t end = loop_now_ms() + (uint64_t)ms;
	size_t got = 0;

	while (loop_now_ms() < end) {
		char tmp[65536];
		size_t want = max && max - got < sizeof(tmp) ? max - got : sizeof(tmp);
		ssize_t n;

		loop_run_once(L, 1);
		n = recv(fd, tmp, want, 0);
		if (n == 0)
			return true;
		if (n < 0) {
			if (errno == EAGAIN)
				continue;
			return true;	/* reset: as good as closed */
		}
		*buf = realloc(*buf, *len + (size_t)n + 1);
		memcpy(*buf + *len, tmp, (size_t)n);
		*len += (size_t)n;
		(*buf)[*len] = '\0';
		got += (size_t)n;
		if (max && got >= max)
			return false;
	}
	return false;
}

/* the whole answer to req */
static char *ask(const char *req)
{
	int fd = client(req);
	char *buf = NULL;
	size_t len = 0;

	if (fd < 0)
		return strdup("");
	if (!drain(fd, &buf, &len, 0, 5000))
		printf("# no end of answer to %s", req);
	close(fd);
	return buf ? buf : strdup("");
}

static char *direct_show(const char *conn, bool json)
{
	char *out = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	bgp_show_peers(&D, conn, json, time(NULL), f, err, sizeof(err));
	fclose(f);
	return out;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static size_t log_count(const char *needle)
{
	char line[1024];
	size_t n = 0;

	fflush(LOG);
	rewind(LOG);
	while (fgets(line, sizeof(line), LOG))
		n += strstr(line, needle) != NULL;
	fseek(LOG, 0, SEEK_END);
	return n;
}

/* ---- objects ---- */

static struct bgp_session *session(const char *name, const char *peer)
{
	static const struct bgp_session_ops ops;
	struct bgp_session_cfg c = { 0 };
	char e[128];

	snprintf(c.name, sizeof(c.name), "%s", name);
	c.local.family = c.peer.family = AF_INET;
	inet_pton(AF_INET, "169.254.50.1", &c.local.v4);
	inet_pton(AF_INET, peer, &c.peer.v4);
	c.local_as = 65000;
	c.peer_as = 65001;
	c.bgp_id = 0x0a000001;
	c.hold_time = 90;
	c.afs = BGP_AFS(BGP_AF_IPV4);
	return bgp_session_new(L, &c, &ops, NULL, e, sizeof(e));
}

static struct bgp_rib *RIB;
static struct bgp_session *S1, *S2, *S3;

static bool setup(void)
{
	static const uint32_t path[] = { 65001, 65100 };
	struct bgp_rib_config rc;
	struct bgp_rib_peer_conf pc = { 0 };
	struct bgp_attrs a;
	int r1, r2, r3;

	S1 = session("dc1/1", "169.254.50.2");
	S2 = session("dc2/1", "169.254.50.6");
	S3 = session("big/1", "169.254.50.10");
	bgp_rib_config_init(&rc);
	rc.local_as = 65000;
	rc.max_routes = 1000000;
	RIB = bgp_rib_new(&rc);
	if (!S1 || !S2 || !S3 || !RIB)
		return false;
	pc.tunnel = 1;
	pc.peer_as = 65001;
	pc.max_routes = 1000000;
	pc.conn = "dc1";
	r1 = bgp_rib_peer_add(RIB, &pc);
	pc.conn = "dc2";
	r2 = bgp_rib_peer_add(RIB, &pc);
	pc.conn = "big";
	r3 = bgp_rib_peer_add(RIB, &pc);
	bgp_attrs_init(&a);
	bgp_attrs_set_path(&a, path, 2);
	a.nh_len = 4;
	inet_pton(AF_INET, "169.254.50.2", a.nh);
	for (uint32_t i = 0; i < 100003; i++) {
		struct bgp_prefix p = { .af = BGP_AF_IPV4, .len = 32 };
		uint32_t addr = 0x0b000000 + i;

		p.addr[0] = (uint8_t)(addr >> 24);
		p.addr[1] = (uint8_t)(addr >> 16);
		p.addr[2] = (uint8_t)(addr >> 8);
		p.addr[3] = (uint8_t)addr;
		/* 3 to dc1, the rest to big */
		bgp_rib_announce(RIB, i < 3 ? r1 : r3, &p, &a, NULL);
	}
	P[0] = (struct fake_peer){ "gw1", "dc1", 1, S1, RIB, r1, true, 1,
				   { { .af = BGP_AF_IPV4, .len = 16, .addr = { 10, 0 } } } };
	P[1] = (struct fake_peer){ "gw1", "dc2", 1, S2, RIB, r2, false, 0, { { 0 } } };
	P[2] = (struct fake_peer){ "gw1", "big", 1, S3, RIB, r3, true, 0, { { 0 } } };
	N_P = 3;
	return true;
}

/* ---- the checks ---- */

static void test_requests(void)
{
	char *got, *want;

	got = ask("bgp show dc1\n");
	want = direct_show("dc1", false);
	TAP_CHECK(!strcmp(got, want) && strstr(got, "dc1/1 gateway gw1: Idle\n"),
		  "bgp show dc1: bgp_show's text");
	free(got);
	free(want);
	got = ask("bgp show json\n");
	TAP_CHECK(!strncmp(got, "{\"peers\":[{\"gateway\":\"gw1\",\"conn\":\"dc1\",", 40) &&
		  strstr(got, "\"conn\":\"big\"") && got[strlen(got) - 1] == '\n',
		  "bgp show json: every peer");
	free(got);

	got = ask("bgp show dc9\n");
	TAP_STREQ(got, "error: no connection dc9 in the config\n", "bgp show dc9: unknown connection");
	free(got);
	got = ask("bgp show plain json\n");
	TAP_STREQ(got, "{\"error\":\"connection plain has no BGP peer (no tunnel of it has bgp:)\"}\n",
		  "bgp show plain json: a connection without BGP");
	free(got);
	got = ask("bgp frob\n");
	TAP_STREQ(got, "error: unknown bgp command \"frob\"; allowed: bgp show [CONN], bgp routes [CONN] [received|advertised], bgp refresh CONN, bgp reset CONN\n",
		  "bgp frob: the commands allowed");
	free(got);
	got = ask("bgp\n");
	TAP_CHECK(!strncmp(got, "error: missing bgp command; allowed: bgp show", 45),
		  "bgp: missing command");
	free(got);
	got = ask("bgp routes dc1 sideways\n");
	TAP_STREQ(got, "error: bad bgp routes request (\"sideways\"); allowed: bgp routes [CONN] [received|advertised]\n",
		  "bgp routes dc1 sideways: the views allowed");
	free(got);
	got = ask("bgp show dc1 dc2\n");
	TAP_CHECK(!strncmp(got, "error: bgp show takes at most a connection name;", 48),
		  "bgp show with two names: refused");
	free(got);

	got = ask("bgp routes dc1\n");
	TAP_CHECK(!strncmp(got, "dc1/1 gateway gw1 peer 169.254.50.2 AS65001 (Idle): received 3, accepted 3, refused 0, installed 3\n", 99) &&
		  count_lines(got) == 6 && strstr(got, "\n3 received routes\n"),
		  "bgp routes dc1: 3 routes");
	free(got);
	got = ask("bgp routes dc1 advertised json\n");
	TAP_STREQ(got, "{\"view\":\"advertised\",\"routes\":[{\"prefix\":\"10.0.0.0/16\",\"gateway\":\"gw1\",\"conn\":\"dc1\",\"tunnel\":1}],\"count\":1,\"interrupted\":false}\n",
		  "bgp routes dc1 advertised json");
	free(got);
	got = ask("bgp routes advertised\n");
	TAP_CHECK(strstr(got, "\n1 advertised route\n") != NULL,
		  "bgp routes advertised: a lone view word is the view");
	free(got);

	got = ask("bgp refresh dc1\n");
	TAP_STREQ(got, "refresh dc1: ROUTE-REFRESH sent to its Established peers\n",
		  "bgp refresh dc1: done");
	TAP_CHECK(REFRESHES == 1 && !strcmp(LAST_CONN, "dc1"), "bgp refresh dc1: bgp_refresh called");
	free(got);
	got = ask("bgp refresh dc2 json\n");
	TAP_STREQ(got, "{\"error\":\"no peer of dc2 is Established\"}\n",
		  "bgp refresh dc2 json: bgp_refresh's reason");
	free(got);
	got = ask("bgp reset dc1 json\n");
	TAP_STREQ(got, "{\"ok\":true,\"result\":\"reset dc1: Cease/4 sent to its peers, reconnecting\"}\n",
		  "bgp reset dc1 json: done");
	TAP_CHECK(RESETS == 1, "bgp reset: bgp_reset called");
	free(got);
	got = ask("bgp reset\n");
	TAP_CHECK(!strncmp(got, "error: bgp reset takes one connection name;", 43) && RESETS == 1,
		  "bgp reset without a name: refused, nothing reset");
	free(got);

	got = ask("frob\n");
	TAP_CHECK(strstr(got, "bgp routes [CONN] [received|advertised]") && strstr(got, "monitor"),
		  "unknown request: the bgp and monitor requests listed");
	free(got);

	/* no BGP running */
	N_P = 0;
	got = ask("bgp show\n");
	TAP_STREQ(got, "error: no BGP configured: no tunnel has bgp: in test.yaml\n",
		  "no BGP: said so");
	free(got);
	N_P = 3;
}

/* a long listing read slowly, while others are answered */
static void test_stream(void)
{
	int fd = client("bgp routes big json\n"), fd2;
	char *buf = NULL, *other = NULL;
	size_t len = 0, olen = 0;
	bool eof, eof2;

	eof = drain(fd, &buf, &len, 200000, 2000);
	TAP_CHECK(!eof && len == 200000, "stream: the first 200000 bytes");
	/* the reader pauses; another client is served meanwhile */
	fd2 = client("bgp show dc1\n");
	eof2 = drain(fd2, &other, &olen, 0, 2000);
	TAP_CHECK(eof2 && !strncmp(other, "dc1/1 gateway gw1: Idle\n", 24),
		  "stream: another client answered during the listing");
	free(other);
	close(fd2);
	eof = drain(fd, &buf, &len, 0, 20000);
	TAP_CHECK(eof && len > 100000 * 250, "stream: the whole listing (%zu bytes)", len);
	TAP_CHECK(len > 60 && strstr(buf + len - 60, "],\"count\":100000,\"interrupted\":false}\n"),
		  "stream: 100000 routes, not interrupted");
	close(fd);
	free(buf);

	/* a client going away mid-listing */
	fd = client("bgp routes big\n");
	buf = NULL;
	len = 0;
	drain(fd, &buf, &len, 10000, 2000);
	close(fd);
	for (int i = 0; i < 20; i++)
		loop_run_once(L, 5);
	free(buf);
	buf = ask("bgp show big\n");
	TAP_CHECK(!strncmp(buf, "big/1 gateway gw1: Idle\n", 24),
		  "stream: a client that left mid-listing costs nothing");
	free(buf);
}

static void test_monitor(void)
{
	struct bgp_event ev = {
		.gw = "gw1", .conn = "dc1", .pos = 1, .peer = "169.254.50.2",
		.peer_as = 65001, .from = BGP_OPENCONFIRM, .to = BGP_ESTABLISHED,
		.why = "KEEPALIVE received",
	};
	int text = client("monitor\n"), json = client("monitor json\n"),
	    slow = client("monitor\n"), fds[8], extra, n = 0;
	char *t = NULL, *j = NULL, *s = NULL;
	size_t tl = 0, jl = 0, sl = 0, total = 0, jtotal = 0;
	bool gone = false;

	for (int i = 0; i < 20; i++)
		loop_run_once(L, 1);
	TAP_CHECK(D.bgp_event != NULL, "monitor: control_open set d->bgp_event");
	D.bgp_event(&D, &ev);
	drain(text, &t, &tl, 0, 200);
	drain(json, &j, &jl, 0, 200);
	TAP_STREQ(t ? t : "", "bgp state dc1/1 gateway gw1 peer 169.254.50.2 AS65001 OpenConfirm -> Established: KEEPALIVE received\n",
		  "monitor: the text line");
	TAP_STREQ(j ? j : "", "{\"event\":\"bgp-state\",\"gateway\":\"gw1\",\"conn\":\"dc1\",\"tunnel\":1,\"peer\":\"169.254.50.2\",\"peer_as\":65001,\"from\":\"OpenConfirm\",\"to\":\"Established\",\"why\":\"KEEPALIVE received\"}\n",
		  "monitor json: the JSON line");
	/* the idle timeout of requests is not for monitors */
	{
		uint64_t end = loop_now_ms() + 5500;

		while (loop_now_ms() < end)
			loop_run_once(L, 50);
	}
	free(t);
	t = NULL;
	tl = 0;
	free(j);
	j = NULL;
	jl = 0;
	D.bgp_event(&D, &ev);
	drain(text, &t, &tl, 0, 200);
	drain(json, &j, &jl, 0, 200);
	TAP_CHECK(tl == 101, "monitor: still there after the 5 s request idle timeout (%zu bytes)", tl);

	/* the slow one never reads: dropped, the others get everything */
	free(t);
	t = NULL;
	tl = 0;
	free(j);
	j = NULL;
	jl = 0;
	for (int i = 0; i < 20000; i++) {
		D.bgp_event(&D, &ev);
		if (i % 100 == 0) {
			drain(text, &t, &tl, 0, 1);
			total += tl;
			free(t);
			t = NULL;
			tl = 0;
			drain(json, &j, &jl, 0, 1);
			jtotal += jl;
			free(j);
			j = NULL;
			jl = 0;
		}
	}
	drain(text, &t, &tl, 0, 300);
	total += tl;
	free(t);
	drain(json, &j, &jl, 0, 300);
	jtotal += jl;
	TAP_CHECK(total == 20000 * 101 && jtotal == 20000 * 167,
		  "monitor: the reading monitors got all 20000 events (%zu and %zu bytes)",
		  total, jtotal);
	TAP_CHECK(log_count("a monitor reads too slowly") == 1,
		  "monitor: the slow one dropped with a log line");
	gone = drain(slow, &s, &sl, 0, 1000);
	TAP_CHECK(gone && sl < 20000 * 101, "monitor: the slow one sees the end after %zu bytes", sl);
	free(s);
	close(slow);

	/* at most 8 monitors */
	for (n = 0; n < 6; n++)
		fds[n] = client("monitor\n");
	for (int i = 0; i < 20; i++)
		loop_run_once(L, 1);
	extra = client("monitor\n");
	s = NULL;
	sl = 0;
	drain(extra, &s, &sl, 0, 1000);
	TAP_STREQ(s ? s : "", "error: too many monitors already\n", "monitor: the ninth refused");
	free(s);
	close(extra);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	close(text);
	close(json);
	free(j);
	for (int i = 0; i < 20; i++)
		loop_run_once(L, 1);
	/* closed monitors are noticed: events go nowhere, no crash */
	D.bgp_event(&D, &ev);
	fds[0] = client("monitor\n");
	for (int i = 0; i < 20; i++)
		loop_run_once(L, 1);
	s = NULL;
	sl = 0;
	D.bgp_event(&D, &ev);
	drain(fds[0], &s, &sl, 0, 200);
	TAP_CHECK(sl == 101, "monitor: a new one after the others left (%zu bytes)", sl);
	free(s);
	close(fds[0]);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("1..0 # SKIP the control socket answers root only\n");
		return 4;
	}
	LOG = tmpfile();
	log_set_file(LOG);
	log_set_level(LOG_DEBUG);
	L = loop_new();
	snprintf(SOCK, sizeof(SOCK), "/tmp/test_control.%d.sock", (int)getpid());
	D.loop = L;
	D.control_path = SOCK;
	D.cfg_file = "test.yaml";
	D.control_fd = -1;
	D.bgp = (struct bgp *)&D;	/* not NULL: the fakes answer */
	TAP_CHECK(setup(), "setup: sessions, a table of 100003 routes");
	TAP_CHECK(control_open(&D) == 0, "control socket at %s", SOCK);
	test_requests();
	test_stream();
	test_monitor();
	control_close(&D);
	TAP_CHECK(D.bgp_event == NULL && access(SOCK, F_OK) != 0,
		  "control_close: hook cleared, socket removed");
	bgp_session_free(S1);
	bgp_session_free(S2);
	bgp_session_free(S3);
	bgp_rib_free(RIB);
	loop_free(L);
	if (getenv("CTL_TEST_LOG")) {
		char line[1024];

		rewind(LOG);
		while (fgets(line, sizeof(line), LOG))
			printf("# %s", line);
	}
	return tap_done();
}
