// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtd's IKE module against a fake charon: a unix socket under build/
 * (or $TMPDIR) that this test listens on, reading the module's packets
 * through the VICI parser and answering as charon 5.9.8 would. Time is
 * driven by running the module's loop with short waits.
 *
 * With VPNRT_TEST_CHARON=unix:///path set, the mapping is also checked
 * against a real charon listening there: every load-conn of the proposal
 * matrix must be accepted, and load-shared, get-conns, list-sas and an
 * initiate towards an unreachable peer must work; then the module itself
 * runs against it (sync, stale cleanup, no duplicate initiates, a conn
 * unloaded behind its back, removal). VPNRT_TEST_CHARON_RESTART=CMD also
 * restarts that charon under the module (CMD must do it). A private
 * charon on a build host, no root netns changes needed:
 *
 *   # build/charon/strongswan.conf
 *   include /etc/strongswan.conf
 *   charon-systemd {
 *	load_modular = no
 *	# on one line:
 *	load = random nonce openssl aes sha1 sha2 md5 hmac gmp kdf pem
 *	       pkcs1 x509 pubkey kernel-netlink socket-default vici updown
 *	port = 0
 *	port_nat_t = 0
 *	install_routes = no
 *	install_virtual_ip = no
 *	routing_table = 0
 *	plugins {
 *		vici {
 *			socket = unix:///work/main/build/charon/charon.vici
 *		}
 *	}
 *   }
 *
 *   STRONGSWAN_CONF=$PWD/build/charon/strongswan.conf charon-systemd &
 *   VPNRT_TEST_CHARON=unix://$PWD/build/charon/charon.vici build/test_ike
 *
 * (port 0: random IKE ports, no clash with another charon; the peers are
 * unreachable documentation addresses, so SAs stay CONNECTING.)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ike.h"
#include "ike_map.h"
#include "log.h"
#include "loop.h"
#include "parse.h"
#include "vici.h"
#include "tap.h"

static struct loop *L;
static FILE *logf_;

/* ---- tunnel state as the daemon would see it ---- */

struct rec {
	const char *conn;
	int pos;
	bool up;
	int ups, downs;
	char why[128];
};

static struct rec recs[] = {
	{ .conn = "dc1", .pos = 1 }, { .conn = "dc2", .pos = 1 },
	{ .conn = "dc3", .pos = 1 }, { .conn = "r1", .pos = 1 },
	{ .conn = "r2", .pos = 1 },
};
static int charon_up, charon_down;

static struct rec *rec_of(const char *conn, int pos)
{
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		if (!strcmp(recs[i].conn, conn) && recs[i].pos == pos)
			return &recs[i];
	return NULL;
}

static void on_state(void *arg, const char *conn, int pos, bool up,
		     const char *why)
{
	struct rec *r = rec_of(conn, pos);

	(void)arg;
	if (!r)
		return;
	r->up = up;
	if (up)
		r->ups++;
	else
		r->downs++;
	snprintf(r->why, sizeof(r->why), "%s", why);
}

static void on_charon(void *arg, bool connected)
{
	(void)arg;
	if (connected)
		charon_up++;
	else
		charon_down++;
}

static const struct ike_ops ops = { .charon = on_charon,
				    .tunnel_state = on_state };

/* ---- config ---- */

static struct cfg_tunnel mk(const char *local, const char *remote,
			    uint32_t if_id, int version)
{
	struct cfg_tunnel t;
	char err[128];

	memset(&t, 0, sizeof(t));
	parse_addr(local, &t.local, err, sizeof(err));
	parse_addr(remote, &t.remote, err, sizeof(err));
	t.if_id = if_id;
	t.ike.version = version;
	snprintf(t.ike.psk, sizeof(t.ike.psk), "s3cret-psk");
	t.ike.ike = (struct cfg_proposal){ CFG_ENCR_AES, CFG_INTEG_SHA1, 2,
					   86400 };
	t.ike.ipsec = t.ike.ike;
	t.ike.dpd = true;
	t.ike.dpd_delay = 10;
	t.ike.dpd_timeout = 30;
	t.ike.nat_traversal = true;
	t.ike.initiate = true;
	return t;
}

/* ---- packets as a test sees them ---- */

struct fpkt {
	int type;
	char name[VICI_NAME_MAX + 1];
	struct vici_node *root;
	uint8_t raw[1024];
	size_t raw_len;
};

static void fpkt_free(struct fpkt *p)
{
	vici_free(p->root);
	p->root = NULL;
}

static const char *str_of(const struct vici_node *sec, const char *key)
{
	const char *s = vici_get_str(sec, key);

	return s ? s : "(none)";
}

/* the items of a list, comma-joined */
static const char *items(const struct vici_node *sec, const char *key)
{
	static char buf[512];
	const struct vici_node *l = vici_find_type(sec, VICI_N_LIST, key);
	const struct vici_node *it;

	if (!l)
		return "(no list)";
	buf[0] = '\0';
	vici_for_each(it, l) {
		if (buf[0])
			strcat(buf, ",");
		strncat(buf, vici_str(it) ? vici_str(it) : "?",
			sizeof(buf) - strlen(buf) - 2);
	}
	return buf;
}

static int build_conn(const struct cfg_tunnel *t, const char *conn,
		      struct fpkt *p, char *err)
{
	struct ike_tunnel it = { .pos = 1, .t = t };
	struct vici_builder b;
	struct vici_packet pkt;
	struct vici_err verr;
	const uint8_t *d;
	size_t len;

	snprintf(it.conn, sizeof(it.conn), "%s", conn);
	memset(p, 0, sizeof(*p));
	if (ike_map_load_conn(&b, &it, err, IKE_MAP_ERR_LEN)) {
		vici_build_free(&b);
		return -1;
	}
	vici_build_finish(&b, &d, &len);
	p->root = vici_parse_packet(d, len, &pkt, &verr);
	p->type = pkt.type;
	snprintf(p->name, sizeof(p->name), "%s", pkt.name);
	vici_build_free(&b);
	return p->root ? 0 : -1;
}

/* ---- the fake charon ---- */

struct fsock {
	int fd;
	uint8_t buf[1 << 17];
	size_t len;
	bool eof;
};

static int lfd = -1;
static char sock_path[108];
static struct fsock fev, fcmd;

static void pump(int ms)
{
	uint64_t end = loop_now_ms() + ms;

	while (loop_now_ms() < end)
		loop_run_once(L, 2);
}

static void fs_close(struct fsock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->len = 0;
	s->eof = false;
}

/* read what is there; false on EOF or error */
static bool fs_fill(struct fsock *s)
{
	ssize_t n;

	if (s->fd < 0)
		return false;
	n = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);
	if (n == 0 || (n < 0 && errno != EAGAIN))
		s->eof = true;
	if (n > 0)
		s->len += n;
	return !s->eof;
}

/* the next packet from the module within ms; -1 if none */
static int fs_recv(struct fsock *s, struct fpkt *p, int ms)
{
	uint64_t end = loop_now_ms() + ms;
	struct vici_packet pkt;
	struct vici_err err;

	memset(p, 0, sizeof(*p));
	for (;;) {
		int r = vici_split(s->buf, s->len, &pkt, &err);

		if (r < 0)
			return -1;
		if (r > 0) {
			p->type = pkt.type;
			snprintf(p->name, sizeof(p->name), "%s", pkt.name);
			p->root = vici_parse(pkt.body, pkt.body_len, &err);
			p->raw_len = pkt.total < sizeof(p->raw) ? pkt.total :
								  sizeof(p->raw);
			memcpy(p->raw, s->buf, p->raw_len);
			memmove(s->buf, s->buf + pkt.total, s->len - pkt.total);
			s->len -= pkt.total;
			return p->root ? 0 : -1;
		}
		if (loop_now_ms() >= end)
			return -1;
		fs_fill(s);
		loop_run_once(L, 2);
	}
}

/* a request named name; its tree in *p (free it) */
static bool expect(struct fsock *s, int type, const char *name,
		   struct fpkt *p)
{
	if (fs_recv(s, p, 2000))
		return false;
	if (p->type != type || strcmp(p->name, name)) {
		printf("# got packet type %d \"%s\", want %d \"%s\"\n", p->type,
		       p->name, type, name);
		return false;
	}
	return true;
}

/* nothing from the module within ms */
static bool quiet(struct fsock *s, int ms)
{
	struct fpkt p;

	if (fs_recv(s, &p, ms))
		return true;
	printf("# unexpected packet type %d \"%s\"\n", p.type, p.name);
	fpkt_free(&p);
	return false;
}

/* EOF from the module within ms */
static bool closed(struct fsock *s, int ms)
{
	uint64_t end = loop_now_ms() + ms;

	while (loop_now_ms() < end) {
		s->len = 0;
		if (!fs_fill(s))
			return true;
		loop_run_once(L, 2);
	}
	return false;
}

/* one byte per write, the module's loop run in between */
static bool dribble;

static void fs_write(struct fsock *s, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(s->fd, p, dribble ? 1 : n);

		if (dribble)
			loop_run_once(L, 0);
		if (w < 0 && errno == EAGAIN) {
			loop_run_once(L, 2);
			continue;
		}
		if (w <= 0)
			return;
		p += w;
		n -= w;
	}
}

static void fs_send(struct fsock *s, struct vici_builder *b)
{
	const uint8_t *p;
	size_t n;

	if (vici_build_finish(b, &p, &n) == 0)
		fs_write(s, p, n);
	else
		printf("# test bug: %s\n", b->err.msg);
	vici_build_free(b);
}

static void confirm(struct fsock *s)
{
	struct vici_builder b;

	vici_build_init(&b, VICI_EVENT_CONFIRM, NULL);
	fs_send(s, &b);
}

static void answer(struct fsock *s, const char *success, const char *errmsg)
{
	struct vici_builder b;

	vici_build_init(&b, VICI_CMD_RESPONSE, NULL);
	if (success)
		vici_build_kv_str(&b, "success", success);
	if (errmsg)
		vici_build_kv_str(&b, "errmsg", errmsg);
	fs_send(s, &b);
}

static void answer_list(struct fsock *s, const char *key,
			const char *const *names)
{
	struct vici_builder b;

	vici_build_init(&b, VICI_CMD_RESPONSE, NULL);
	vici_build_list(&b, key);
	for (; names && *names; names++)
		vici_build_item_str(&b, *names);
	vici_build_list_end(&b);
	fs_send(s, &b);
}

static bool accept_both(void)
{
	uint64_t end = loop_now_ms() + 3000;
	int got = 0;

	fs_close(&fev);
	fs_close(&fcmd);
	while (got < 2 && loop_now_ms() < end) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			loop_run_once(L, 2);
			continue;
		}
		fcntl(fd, F_SETFL, O_NONBLOCK);
		/* the module connects its event connection first */
		if (got++ == 0)
			fev.fd = fd;
		else
			fcmd.fd = fd;
	}
	return got == 2;
}

/* IKE fields of an SA section, as charon 5.9.8 lists them */
static void ike_fields(struct vici_builder *b, unsigned int uid,
		       const char *state)
{
	char s[16];

	snprintf(s, sizeof(s), "%u", uid);
	vici_build_kv_str(b, "uniqueid", s);
	vici_build_kv_str(b, "version", "2");
	vici_build_kv_str(b, "state", state);
	vici_build_kv_str(b, "local-host", "192.0.2.1");
	vici_build_kv_str(b, "local-port", "500");
	vici_build_kv_str(b, "local-id", "192.0.2.1");
	vici_build_kv_str(b, "remote-host", "198.51.100.1");
	vici_build_kv_str(b, "remote-port", "500");
	vici_build_kv_str(b, "remote-id", "198.51.100.1");
	vici_build_kv_str(b, "initiator", "yes");
	vici_build_kv_str(b, "initiator-spi", "1122334455667788");
	vici_build_kv_str(b, "responder-spi", "99aabbccddeeff00");
	vici_build_kv_str(b, "encr-alg", "AES_CBC");
	vici_build_kv_str(b, "encr-keysize", "128");
	vici_build_kv_str(b, "integ-alg", "HMAC_SHA1_96");
	vici_build_kv_str(b, "prf-alg", "PRF_HMAC_SHA1");
	vici_build_kv_str(b, "dh-group", "MODP_1024");
	vici_build_kv_str(b, "established", "5");
	vici_build_kv_str(b, "rekey-time", "3000");
}

static void child_fields(struct vici_builder *b, const char *conn,
			 unsigned int uid, const char *state)
{
	char s[16];

	snprintf(s, sizeof(s), "%u", uid);
	vici_build_kv_str(b, "name", conn);
	vici_build_kv_str(b, "uniqueid", s);
	vici_build_kv_str(b, "reqid", "1");
	vici_build_kv_str(b, "state", state);
	vici_build_kv_str(b, "mode", "TUNNEL");
	vici_build_kv_str(b, "protocol", "ESP");
	snprintf(s, sizeof(s), "c%07x", uid);
	vici_build_kv_str(b, "spi-in", s);
	snprintf(s, sizeof(s), "d%07x", uid);
	vici_build_kv_str(b, "spi-out", s);
	vici_build_kv_str(b, "encr-alg", "AES_CBC");
	vici_build_kv_str(b, "encr-keysize", "128");
	vici_build_kv_str(b, "integ-alg", "HMAC_SHA1_96");
	vici_build_kv_str(b, "bytes-in", "1000");
	vici_build_kv_str(b, "packets-in", "10");
	vici_build_kv_str(b, "bytes-out", "2000");
	vici_build_kv_str(b, "packets-out", "20");
	vici_build_kv_str(b, "rekey-time", "3000");
	vici_build_kv_str(b, "life-time", "3300");
	vici_build_kv_str(b, "install-time", "5");
}

/* child-updown or list-sa (child_uid 0: an IKE SA without children) */
static void send_sa(struct fsock *s, const char *ev, int up,
		    const char *conn, unsigned int ike_uid,
		    const char *ike_state, unsigned int child_uid,
		    const char *child_state)
{
	struct vici_builder b;
	char n[96];

	vici_build_init(&b, VICI_EVENT, ev);
	if (up)
		vici_build_kv_str(&b, "up", "yes");
	vici_build_section(&b, conn);
	ike_fields(&b, ike_uid, ike_state);
	vici_build_section(&b, "child-sas");
	if (child_uid) {
		snprintf(n, sizeof(n), "%s-%u", conn, child_uid);
		vici_build_section(&b, n);
		child_fields(&b, conn, child_uid, child_state);
		vici_build_section_end(&b);
	}
	vici_build_section_end(&b);
	vici_build_section_end(&b);
	fs_send(s, &b);
}

static void send_ike_updown(struct fsock *s, int up, const char *conn,
			    unsigned int uid)
{
	struct vici_builder b;

	vici_build_init(&b, VICI_EVENT, "ike-updown");
	if (up)
		vici_build_kv_str(&b, "up", "yes");
	vici_build_section(&b, conn);
	ike_fields(&b, uid, up ? "ESTABLISHED" : "DELETING");
	vici_build_section(&b, "child-sas");
	vici_build_section_end(&b);
	vici_build_section_end(&b);
	fs_send(s, &b);
}

static void send_ike_rekey(struct fsock *s, const char *conn,
			   unsigned int old, unsigned int new)
{
	struct vici_builder b;

	vici_build_init(&b, VICI_EVENT, "ike-rekey");
	vici_build_section(&b, conn);
	vici_build_section(&b, "old");
	ike_fields(&b, old, "REKEYED");
	vici_build_section_end(&b);
	vici_build_section(&b, "new");
	ike_fields(&b, new, "ESTABLISHED");
	vici_build_section_end(&b);
	vici_build_section_end(&b);
	fs_send(s, &b);
}

static void send_child_rekey(struct fsock *s, const char *conn,
			     unsigned int ike_uid, unsigned int old,
			     unsigned int new)
{
	struct vici_builder b;

	vici_build_init(&b, VICI_EVENT, "child-rekey");
	vici_build_section(&b, conn);
	ike_fields(&b, ike_uid, "ESTABLISHED");
	vici_build_section(&b, "child-sas");
	vici_build_section(&b, conn);
	vici_build_section(&b, "old");
	child_fields(&b, conn, old, "REKEYED");
	vici_build_section_end(&b);
	vici_build_section(&b, "new");
	child_fields(&b, conn, new, "INSTALLED");
	vici_build_section_end(&b);
	vici_build_section_end(&b);
	vici_build_section_end(&b);
	vici_build_section_end(&b);
	fs_send(s, &b);
}

/* charon_sync() closes the command connection right after its last
 * answer: the module's first request then fails to send */
static bool close_after_sync;

struct sa_spec {
	const char *conn;
	unsigned int ike_uid;
	const char *ike_state;
	unsigned int child_uid;
	const char *child_state;
};

/*
 * The module's start: six registrations (one outstanding at a time),
 * list-sas answered with sas, get-conns and get-shared with the names.
 */
static bool charon_sync(const char *const *conns, const char *const *keys,
			const struct sa_spec *sas, bool check_one_at_a_time)
{
	static const char *const evs[] = { "ike-updown", "child-updown",
					   "ike-rekey", "child-rekey",
					   "list-sa", "log" };
	struct fpkt p;
	bool ok = true;

	for (int i = 0; i < 6; i++) {
		ok &= expect(&fev, VICI_EVENT_REGISTER, evs[i], &p);
		fpkt_free(&p);
		if (check_one_at_a_time && i == 0)
			TAP_CHECK(quiet(&fev, 60),
				  "one registration outstanding: the second waits for EVENT_CONFIRM");
		confirm(&fev);
	}
	ok &= expect(&fev, VICI_CMD_REQUEST, "list-sas", &p);
	fpkt_free(&p);
	for (; sas && sas->conn; sas++)
		send_sa(&fev, "list-sa", 0, sas->conn, sas->ike_uid,
			sas->ike_state, sas->child_uid, sas->child_state);
	answer(&fev, NULL, NULL);
	ok &= expect(&fcmd, VICI_CMD_REQUEST, "get-conns", &p);
	fpkt_free(&p);
	if (check_one_at_a_time)
		TAP_CHECK(quiet(&fcmd, 60),
			  "one command outstanding: get-shared waits for get-conns' answer");
	answer_list(&fcmd, "conns", conns);
	ok &= expect(&fcmd, VICI_CMD_REQUEST, "get-shared", &p);
	fpkt_free(&p);
	answer_list(&fcmd, "keys", keys);
	if (close_after_sync)
		fs_close(&fcmd);	/* before the module reads the answer */
	return ok;
}

/* a request on the command connection with key=val, answered yes */
static bool expect_cmd(const char *cmd, const char *key, const char *val)
{
	struct fpkt p;
	bool ok = expect(&fcmd, VICI_CMD_REQUEST, cmd, &p);

	if (ok && key && strcmp(str_of(p.root, key), val)) {
		printf("# %s: %s=%s, want %s\n", cmd, key, str_of(p.root, key),
		       val);
		ok = false;
	}
	fpkt_free(&p);
	answer(&fcmd, "yes", NULL);
	return ok;
}

/* load-conn's conn name (the one section of the message) */
static const char *conn_of(const struct fpkt *p)
{
	static char n[IKE_NAME_MAX];

	snprintf(n, sizeof(n), "%s",
		 p->root && p->root->first ? p->root->first->name : "");
	return n;
}

/* where the log ends now, for log_has_from() */
static long log_mark(void)
{
	fflush(logf_);
	fseek(logf_, 0, SEEK_END);
	return ftell(logf_);
}

static bool log_has_from(long from, const char *needle)
{
	char line[LOG_LINE_MAX + 16];
	bool found = false;

	fflush(logf_);
	fseek(logf_, from, SEEK_SET);
	while (fgets(line, sizeof(line), logf_))
		found |= strstr(line, needle) != NULL;
	fseek(logf_, 0, SEEK_END);
	return found;
}

static bool log_has(const char *needle)
{
	char line[LOG_LINE_MAX + 16];
	bool found = false;

	fflush(logf_);
	rewind(logf_);
	while (fgets(line, sizeof(line), logf_))
		found |= strstr(line, needle) != NULL;
	fseek(logf_, 0, SEEK_END);
	return found;
}

/* ---- the mapping ---- */

static void test_mapping(void)
{
	char err[IKE_MAP_ERR_LEN], buf[64];
	const struct vici_node *c, *ch, *n;
	struct cfg_tunnel t;
	struct fpkt p;
	int bad = 0, total = 0;

	/* IKEv2, the defaults */
	t = mk("192.0.2.1", "198.51.100.1", 101, 2);
	TAP_CHECK(!build_conn(&t, "dc1", &p, err), "IKEv2 load-conn builds");
	TAP_CHECK(p.type == VICI_CMD_REQUEST && !strcmp(p.name, "load-conn"),
		  "it is a load-conn request");
	c = vici_find_type(p.root, VICI_N_SECTION, "vpnrt.dc1.1");
	TAP_CHECK(c && vici_count(p.root) == 1, "one conn named vpnrt.dc1.1");
	TAP_STREQ(str_of(c, "version"), "2", "IKEv2: version=2");
	TAP_STREQ(str_of(c, "aggressive"), "no", "IKEv2: aggressive=no");
	TAP_STREQ(items(c, "local_addrs"), "192.0.2.1", "local_addrs=[local]");
	TAP_STREQ(items(c, "remote_addrs"), "198.51.100.1",
		  "remote_addrs=[remote]");
	TAP_STREQ(items(c, "proposals"), "aes128-sha1-modp1024",
		  "IKEv2: one proposal item, aes -> aes128, dh 2 -> modp1024");
	TAP_STREQ(str_of(c, "encap"), "no", "encap=no");
	TAP_STREQ(str_of(c, "dpd_delay"), "10", "dpd_delay=10");
	TAP_STREQ(str_of(c, "dpd_timeout"), "(none)",
		  "IKEv2: no dpd_timeout (IKEv1 only)");
	TAP_STREQ(str_of(c, "rekey_time"), "86400",
		  "IKEv2: rekey_time = ike lifetime");
	TAP_STREQ(str_of(c, "reauth_time"), "0", "IKEv2: reauth_time=0");
	TAP_STREQ(str_of(c, "keyingtries"), "1", "keyingtries=1");
	TAP_STREQ(str_of(c, "unique"), "no", "unique=no");
	TAP_STREQ(str_of(c, "if_id_in"), "101", "if_id_in=101 (decimal)");
	TAP_STREQ(str_of(c, "if_id_out"), "101", "if_id_out=101");
	n = vici_find_type(c, VICI_N_SECTION, "local");
	TAP_CHECK(n && !strcmp(str_of(n, "auth"), "psk") &&
		  !strcmp(str_of(n, "id"), "192.0.2.1"),
		  "local { auth=psk, id=local address }");
	n = vici_find_type(c, VICI_N_SECTION, "remote");
	TAP_CHECK(n && !strcmp(str_of(n, "auth"), "psk") &&
		  !strcmp(str_of(n, "id"), "198.51.100.1"),
		  "remote { auth=psk, id=remote address }");
	ch = vici_path(c, "children", "vpnrt.dc1.1", NULL);
	TAP_CHECK(ch != NULL, "child vpnrt.dc1.1");
	TAP_STREQ(str_of(ch, "mode"), "tunnel", "child mode=tunnel");
	TAP_STREQ(items(ch, "local_ts"), "0.0.0.0/0,::/0",
		  "local_ts=[0.0.0.0/0, ::/0] as two items");
	TAP_STREQ(items(ch, "remote_ts"), "0.0.0.0/0,::/0",
		  "remote_ts=[0.0.0.0/0, ::/0]");
	TAP_STREQ(items(ch, "esp_proposals"), "aes128-sha1-modp1024",
		  "esp_proposals with the PFS group");
	TAP_STREQ(str_of(ch, "rekey_time"), "86400",
		  "child rekey_time = ipsec lifetime");
	TAP_STREQ(str_of(ch, "life_time"), "95040",
		  "child life_time = rekey + 10%%");
	TAP_STREQ(str_of(ch, "rand_time"), "8640",
		  "child rand_time = 10%% of the lifetime");
	TAP_STREQ(str_of(c, "over_time"), "8640",
		  "IKE over_time = 10%% of the lifetime (over 30 s)");
	TAP_CHECK(!strcmp(str_of(ch, "dpd_action"), "restart") &&
		  !strcmp(str_of(ch, "start_action"), "none") &&
		  !strcmp(str_of(ch, "close_action"), "none"),
		  "dpd_action=restart, start_action=none, close_action=none");
	TAP_CHECK(!strcmp(str_of(ch, "if_id_in"), "101") &&
		  !strcmp(str_of(ch, "if_id_out"), "101"),
		  "child if_id_in/out=101");
	fpkt_free(&p);

	/* IKEv1 main mode, other algorithms */
	t = mk("192.0.2.1", "198.51.100.1", 8, 1);
	t.ike.ike = (struct cfg_proposal){ CFG_ENCR_AES256, CFG_INTEG_SHA256,
					   14, 28800 };
	t.ike.ipsec = (struct cfg_proposal){ CFG_ENCR_AES192,
					     CFG_INTEG_SHA512, 5, 3600 };
	TAP_CHECK(!build_conn(&t, "dc2", &p, err), "IKEv1 load-conn builds");
	c = vici_find_type(p.root, VICI_N_SECTION, "vpnrt.dc2.1");
	TAP_STREQ(str_of(c, "version"), "1", "IKEv1: version=1");
	TAP_STREQ(str_of(c, "aggressive"), "no", "IKEv1 main: aggressive=no");
	TAP_CHECK(vici_count(vici_find_type(c, VICI_N_LIST, "proposals")) == 1,
		  "IKEv1: exactly one proposal item");
	TAP_STREQ(items(c, "proposals"), "aes256-sha256-modp2048",
		  "IKEv1 proposal aes256-sha256-modp2048");
	TAP_STREQ(items(vici_path(c, "children", "vpnrt.dc2.1", NULL),
			"esp_proposals"), "aes192-sha512-modp1536",
		  "IKEv1 esp proposal aes192-sha512-modp1536");
	TAP_STREQ(str_of(c, "dpd_timeout"), "30", "IKEv1: dpd_timeout=30");
	TAP_CHECK(!strcmp(str_of(c, "rekey_time"), "0") &&
		  !strcmp(str_of(c, "reauth_time"), "28800"),
		  "IKEv1: no IKE rekey, reauth_time = ike lifetime");
	TAP_STREQ(str_of(c, "if_id_in"), "8", "if_id 8 is \"8\", never octal");
	fpkt_free(&p);

	/* aggressive, PFS disabled, legacy, no DPD, nat-traversal off */
	t = mk("192.0.2.1", "198.51.100.1", 4000000000u, 1);
	t.ike.aggressive = true;
	t.ike.ike = (struct cfg_proposal){ CFG_ENCR_3DES, CFG_INTEG_MD5, 2,
					   86400 };
	t.ike.ipsec = (struct cfg_proposal){ CFG_ENCR_3DES, CFG_INTEG_MD5, 2,
					     86400 };
	t.ike.dpd = false;
	t.ike.nat_traversal = false;
	snprintf(t.ike.local_id, sizeof(t.ike.local_id), "gw.example.com");
	TAP_CHECK(!build_conn(&t, "dc3", &p, err), "aggressive legacy builds");
	c = vici_find_type(p.root, VICI_N_SECTION, "vpnrt.dc3.1");
	TAP_STREQ(str_of(c, "aggressive"), "yes", "aggressive=yes");
	TAP_STREQ(items(c, "proposals"), "3des-md5-modp1024",
		  "legacy IKE proposal 3des-md5-modp1024");
	TAP_STREQ(items(vici_path(c, "children", "vpnrt.dc3.1", NULL),
			"esp_proposals"), "3des-md5-modp1024",
		  "legacy ESP proposal 3des-md5-modp1024");
	TAP_CHECK(!strcmp(str_of(c, "dpd_delay"), "0") &&
		  !strcmp(str_of(c, "dpd_timeout"), "(none)"),
		  "dpd off: dpd_delay=0, no dpd_timeout");
	TAP_STREQ(str_of(c, "encap"), "no",
		  "nat-traversal off: encap=no (never forced)");
	TAP_STREQ(str_of(c, "if_id_out"), "4000000000",
		  "a large if_id in decimal");
	TAP_STREQ(str_of(vici_find_type(c, VICI_N_SECTION, "local"), "id"),
		  "gw.example.com", "local-id overrides the address");
	fpkt_free(&p);
	t.ike.initiate = false;
	TAP_CHECK(!build_conn(&t, "dc3", &p, err) &&
		  !strcmp(str_of(vici_path(p.root, "vpnrt.dc3.1", "children",
					   "vpnrt.dc3.1", NULL), "dpd_action"),
			  "clear"),
		  "responder only (initiate: false): dpd_action=clear, the peer re-establishes");
	fpkt_free(&p);

	t = mk("2001:db8::1", "2001:db8::2", 7, 2);
	t.ike.ipsec.dh_group = 0;
	t.ike.ipsec.lifetime = 0;
	snprintf(t.ike.remote_id, sizeof(t.ike.remote_id), "peer.example.net");
	TAP_CHECK(!build_conn(&t, "dc1", &p, err), "IPv6, PFS disabled builds");
	c = vici_find_type(p.root, VICI_N_SECTION, "vpnrt.dc1.1");
	ch = vici_path(c, "children", "vpnrt.dc1.1", NULL);
	TAP_STREQ(items(ch, "esp_proposals"), "aes128-sha1",
		  "PFS disabled: esp proposal without a group");
	TAP_STREQ(items(c, "proposals"), "aes128-sha1-modp1024",
		  "PFS disabled leaves the IKE group");
	TAP_CHECK(!strcmp(str_of(ch, "rekey_time"), "0") &&
		  !strcmp(str_of(ch, "life_time"), "0"),
		  "ipsec lifetime 0: no rekey, no expiry");
	TAP_STREQ(items(c, "local_addrs"), "2001:db8::1", "IPv6 local_addrs");
	TAP_STREQ(str_of(vici_find_type(c, VICI_N_SECTION, "remote"), "id"),
		  "peer.example.net", "remote-id overrides the address");
	fpkt_free(&p);

	/* load-shared */
	{
		struct ike_tunnel it = { .conn = "dc1", .pos = 2, .t = &t };
		struct vici_builder b;
		const uint8_t *d;
		size_t len;
		struct vici_packet pkt;
		struct vici_err verr;
		struct vici_node *r;

		TAP_CHECK(!ike_map_load_shared(&b, &it, err, sizeof(err)),
			  "load-shared builds");
		vici_build_finish(&b, &d, &len);
		r = vici_parse_packet(d, len, &pkt, &verr);
		TAP_CHECK(r && !strcmp(pkt.name, "load-shared") &&
			  !strcmp(str_of(r, "id"), "vpnrt.dc1.2") &&
			  !strcmp(str_of(r, "type"), "IKE") &&
			  !strcmp(str_of(r, "data"), "s3cret-psk"),
			  "load-shared {id=vpnrt.dc1.2, type=IKE, data=<psk>}");
		TAP_STREQ(items(r, "owners"), "2001:db8::1,peer.example.net",
			  "owners=[local id, remote id]");
		vici_free(r);
		vici_build_free(&b);
	}

	/* what config.c should refuse is refused here too, and says why */
	t = mk("192.0.2.1", "198.51.100.1", 0, 2);
	TAP_CHECK(build_conn(&t, "dc1", &p, err) &&
		  strstr(err, "if-id 0") && strstr(err, "1..4294967295"),
		  "if_id 0 refused: %s", err);
	t = mk("192.0.2.1", "198.51.100.1", 1, 2);
	t.ike.ike.dh_group = 0;
	TAP_CHECK(build_conn(&t, "dc1", &p, err) &&
		  strstr(err, "IKE needs a DH group; 1, 2, 5, 14 allowed"),
		  "IKE without a DH group refused: %s", err);
	t = mk("192.0.2.1", "198.51.100.1", 1, 2);
	t.ike.ipsec.dh_group = 3;
	TAP_CHECK(build_conn(&t, "dc1", &p, err) &&
		  strstr(err, "ipsec.dh-group 3 unknown; 1, 2, 5, 14, disabled allowed"),
		  "unknown DH group refused: %s", err);
	t = mk("192.0.2.1", "198.51.100.1", 1, 2);
	t.ike.aggressive = true;
	TAP_CHECK(build_conn(&t, "dc1", &p, err) &&
		  strstr(err, "aggressive is allowed with ikev1 only"),
		  "aggressive with IKEv2 refused: %s", err);
	t = mk("192.0.2.1", "2001:db8::2", 1, 2);
	TAP_CHECK(build_conn(&t, "dc1", &p, err) &&
		  strstr(err, "differ in family"),
		  "mixed address families refused: %s", err);
	t = mk("192.0.2.1", "198.51.100.1", 1, 2);
	t.ike.psk[0] = '\0';
	TAP_CHECK(build_conn(&t, "dc1", &p, err) &&
		  strstr(err, "empty psk; 1..100 characters allowed"),
		  "empty psk refused: %s", err);
	TAP_CHECK(ike_map_name("dc1", 3, buf, sizeof(buf), err, sizeof(err)) &&
		  strstr(err, "position 3; 1..2 allowed"),
		  "tunnel position 3 refused: %s", err);

	/* the whole proposal matrix maps to keyword strings */
	for (int e = CFG_ENCR_AES; e <= CFG_ENCR_3DES; e++) {
		for (int i = CFG_INTEG_MD5; i <= CFG_INTEG_SHA512; i++) {
			static const int dh[] = { 0, 1, 2, 5, 14 };

			for (int d = 0; d < 5; d++) {
				struct cfg_proposal pr = { e, i, dh[d], 3600 };
				bool ike_ok = !ike_map_proposal(&pr, true, buf,
								sizeof(buf),
								err,
								sizeof(err));
				bool esp_ok = !ike_map_proposal(&pr, false,
								buf,
								sizeof(buf),
								err,
								sizeof(err));

				total++;
				bad += ike_ok != (dh[d] != 0) || !esp_ok ||
				       (dh[d] == 0 && strchr(buf, 'm') &&
					strstr(buf, "modp"));
			}
		}
	}
	TAP_CHECK(total == 150 && bad == 0,
		  "all %d encryption x integrity x group combinations map (%d bad)",
		  total, bad);
}

/* ---- the module against the fake charon ---- */

static struct cfg_tunnel T1, T2, T3;

static int set3(struct ike *ike, bool with1)
{
	struct ike_tunnel tt[3] = {
		{ .conn = "dc1", .pos = 1, .t = &T1 },
		{ .conn = "dc2", .pos = 1, .t = &T2 },
		{ .conn = "dc3", .pos = 1, .t = &T3 },
	};

	return with1 ? ike_set_tunnels(ike, tt, 3) :
		       ike_set_tunnels(ike, tt + 1, 2);
}

/* ike_show_json()'s document for conn, malloc'ed */
static char *show_json(struct ike *ike, const char *conn)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	json_init(&j, f, false);
	json_obj_open(&j, NULL);
	ike_show_json(ike, conn, &j);
	json_obj_close(&j);
	json_end(&j);
	fclose(f);
	return buf;
}

static bool show_has(struct ike *ike, const char *conn, const char *needle)
{
	char *buf = show_json(ike, conn);
	bool found = strstr(buf, needle) != NULL;

	if (!found)
		printf("# \"%s\" not in %s", needle, buf);
	free(buf);
	return found;
}

/* true if needle IS in the output (quietly) */
static bool show_lacks_fails(struct ike *ike, const char *conn,
			     const char *needle)
{
	char *buf = show_json(ike, conn);
	bool found = strstr(buf, needle) != NULL;

	free(buf);
	return found;
}

/* a list-sas for one tunnel, then initiate; answers given */
static bool expect_check(const char *name, const char *init_success,
			 const char *errmsg)
{
	struct fpkt p;
	bool ok = expect(&fev, VICI_CMD_REQUEST, "list-sas", &p);

	ok = ok && !strcmp(str_of(p.root, "ike"), name) &&
	     !vici_get_str(p.root, "noblock");
	fpkt_free(&p);
	answer(&fev, NULL, NULL);
	if (!init_success)
		return ok;
	ok = ok && expect(&fcmd, VICI_CMD_REQUEST, "initiate", &p);
	ok = ok && !strcmp(str_of(p.root, "child"), name) &&
	     !strcmp(str_of(p.root, "ike"), name) &&
	     !strcmp(str_of(p.root, "timeout"), "-1");
	fpkt_free(&p);
	answer(&fcmd, init_success, errmsg);
	return ok;
}

static void test_module(void)
{
	struct ike_timing tm = { .retry_min_ms = 10000, .retry_max_ms = 60000,
				 .up_deadline_ms = 10000,
				 .stable_ms = 100000,
				 .reconnect_min_ms = 20,
				 .reconnect_max_ms = 80,
				 .cmd_timeout_ms = 5000 };
	static const uint8_t reg0[] = "\0\0\0\014\003\012ike-updown";
	const char *d1 = "vpnrt.dc1.1", *d2 = "vpnrt.dc2.1";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char uri[400];
	struct ike *ike;
	struct fpkt p;
	bool ok;
	int ups, downs;
	long mark;

	T1 = mk("192.0.2.1", "198.51.100.1", 101, 2);
	T2 = mk("192.0.2.1", "198.51.100.2", 201, 1);
	T2.ike.initiate = false;	/* responder only */
	T3 = mk("192.0.2.1", "198.51.100.3", 301, 2);
	T3.ike.initiate = false;

	snprintf(sock_path, sizeof(sock_path), "%s/test_ike.%d.vici",
		 access("build", W_OK) == 0 ? "build" :
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	unlink(sock_path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 8)) {
		TAP_CHECK(0, "fake charon listens on %s: %s", sock_path,
			  strerror(errno));
		return;
	}
	fev.fd = fcmd.fd = -1;

	TAP_CHECK(ike_new(L, "tcp://127.0.0.1:4502", &ops, NULL) == NULL &&
		  log_has("only unix:///path is allowed"),
		  "a non-unix URI is refused and the message says what is allowed");
	snprintf(uri, sizeof(uri), "unix://%s", sock_path);
	/* abs path for the URI */
	if (sock_path[0] != '/') {
		char cwd[256];

		if (getcwd(cwd, sizeof(cwd)))
			snprintf(uri, sizeof(uri), "unix://%s/%s", cwd,
				 sock_path);
	}
	ike = ike_new(L, uri, &ops, NULL);
	TAP_CHECK(ike != NULL, "ike_new(%s)", uri);
	if (!ike)
		return;
	ike_set_timing(ike, &tm);
	TAP_CHECK(set3(ike, true) == 0, "three tunnels set before charon answers");
	TAP_CHECK(accept_both(), "the module opens two connections");

	/* registration, byte for byte for the first one */
	TAP_CHECK(fs_recv(&fev, &p, 2000) == 0 && p.raw_len == 16 &&
		  !memcmp(p.raw, reg0, 16),
		  "first packet on the event connection: EVENT_REGISTER ike-updown, byte for byte");
	fpkt_free(&p);
	TAP_CHECK(quiet(&fev, 60),
		  "one registration outstanding: the second waits for EVENT_CONFIRM");
	confirm(&fev);
	{
		static const char *const evs[] = { "child-updown", "ike-rekey",
						   "child-rekey", "list-sa", "log" };

		ok = true;
		for (int i = 0; i < 5; i++) {
			ok &= expect(&fev, VICI_EVENT_REGISTER, evs[i], &p);
			fpkt_free(&p);
			confirm(&fev);
		}
		TAP_CHECK(ok, "child-updown, ike-rekey, child-rekey, list-sa and log registered in turn");
	}
	ok = expect(&fev, VICI_CMD_REQUEST, "list-sas", &p);
	TAP_CHECK(ok && !vici_get_str(p.root, "noblock") &&
		  !vici_get_str(p.root, "ike"),
		  "then list-sas for all SAs on the event connection, without noblock (it skips SAs in use)");
	fpkt_free(&p);
	/* dc3 has survived a vpnrtd restart: adopted, never initiated */
	send_sa(&fev, "list-sa", 0, "vpnrt.dc3.1", 40, "ESTABLISHED", 41,
		"INSTALLED");
	send_sa(&fev, "list-sa", 0, "foreign", 50, "ESTABLISHED", 51,
		"INSTALLED");
	answer(&fev, NULL, NULL);
	ok = expect(&fcmd, VICI_CMD_REQUEST, "get-conns", &p);
	fpkt_free(&p);
	TAP_CHECK(ok && quiet(&fcmd, 60),
		  "get-conns on the command connection; get-shared waits for its answer");
	{
		static const char *const conns[] = { "vpnrt.old.1", "foreign",
						     "vpnrt.dc3.1", NULL };
		static const char *const keys[] = { "vpnrt.old.1", "foreign-key",
						    "vpnrt.dc3.1", NULL };

		answer_list(&fcmd, "conns", conns);
		TAP_CHECK(expect(&fcmd, VICI_CMD_REQUEST, "get-shared", &p),
			  "get-shared after get-conns' answer");
		fpkt_free(&p);
		answer_list(&fcmd, "keys", keys);
	}
	TAP_CHECK(recs[2].up && recs[2].ups == 1 &&
		  !strcmp(recs[2].why, "child SA found by list-sas"),
		  "dc3's surviving SA adopted from list-sas: up (%s)",
		  recs[2].why);
	/* reconcile: stale vpnrt.old.1 away, SAs first; foreign untouched */
	TAP_CHECK(expect_cmd("terminate", "ike", "vpnrt.old.1"),
		  "stale vpnrt.old.1: its SAs terminated first");
	TAP_CHECK(expect_cmd("unload-conn", "name", "vpnrt.old.1"),
		  "then the stale conn unloaded");
	TAP_CHECK(expect_cmd("unload-shared", "id", "vpnrt.old.1"),
		  "and the stale shared key unloaded");
	TAP_CHECK(log_has("not named vpnrt.*, left alone: foreign"),
		  "the foreign conn is logged, not touched");
	/* the desired tunnels: keys and conns */
	{
		int conns = 0, keys = 0, foreign = 0, seen3 = 0;

		for (int i = 0; i < 6; i++) {
			if (fs_recv(&fcmd, &p, 2000))
				break;
			if (!strcmp(p.name, "load-conn")) {
				conns++;
				seen3 += !strcmp(conn_of(&p), "vpnrt.dc3.1");
			}
			keys += !strcmp(p.name, "load-shared");
			foreign += strstr(conn_of(&p), "foreign") != NULL ||
				   !strcmp(str_of(p.root, "id"), "foreign-key");
			fpkt_free(&p);
			answer(&fcmd, "yes", NULL);
		}
		TAP_CHECK(conns == 3 && keys == 3 && foreign == 0,
			  "load-shared and load-conn for each desired tunnel (%d, %d), nothing foreign",
			  keys, conns);
		TAP_CHECK(seen3 == 1,
			  "dc3 reloaded once after a vpnrtd restart (no memory of what was loaded; identical = no-op in charon)");
	}
	TAP_CHECK(charon_up == 1 && ike_connected(ike),
		  "charon reported connected after the sync");
	TAP_CHECK(recs[0].downs == 1 && recs[1].downs == 1 &&
		  !strcmp(recs[1].why, "no installed child SA in charon") &&
		  recs[2].downs == 0 && recs[2].ups == 1,
		  "after the sync every tunnel's state is known: dc1, dc2 reported down (%s), dc3 up",
		  recs[1].why);
	/* dc1 initiates: list-sas for it first, then initiate */
	TAP_CHECK(expect_check(d1, "yes", NULL),
		  "dc1: list-sas {ike=vpnrt.dc1.1} then initiate {child, ike, timeout=-1}");
	TAP_CHECK(quiet(&fcmd, 100) && quiet(&fev, 1),
		  "responder-only dc2 and adopted dc3 are not initiated");
	TAP_CHECK(!recs[0].up, "dc1 still down after initiate");
	send_sa(&fev, "child-updown", 1, d1, 1, "ESTABLISHED", 2, "INSTALLED");
	pump(30);
	TAP_CHECK(recs[0].up && !strcmp(recs[0].why, "child SA installed"),
		  "child-updown up: dc1 up (%s)", recs[0].why);
	if (getenv("VPNRT_TEST_SHOW_JSON")) {
		/* a sample for documentation and jq checks */
		FILE *f = fopen(getenv("VPNRT_TEST_SHOW_JSON"), "w");
		struct json j;

		if (f) {
			json_init(&j, f, true);
			json_obj_open(&j, NULL);
			ike_show_json(ike, NULL, &j);
			json_obj_close(&j);
			json_end(&j);
			fclose(f);
		}
	}
	TAP_CHECK(show_has(ike, "dc1",
			   "\"child_sas\":[{\"uniqueid\":2,\"ike_uniqueid\":1,\"reqid\":1,\"state\":\"INSTALLED\""),
		  "ike show JSON: tunnels[].child_sas[] with uniqueid, its IKE SA, state");
	TAP_CHECK(show_has(ike, "dc1", "\"spi-in\":\"c0000002\"") &&
		  show_has(ike, "dc1", "\"encr-alg\":\"AES_CBC\"") &&
		  show_has(ike, "dc1", "\"initiator-spi\":\"1122334455667788\"") &&
		  show_has(ike, "dc1", "\"bytes-out\":2000"),
		  "ike show JSON has the child's SPI, algorithms, IKE SPI, bytes");
	TAP_CHECK(show_has(ike, "dc2", "\"name\":\"vpnrt.dc2.1\"") &&
		  !show_lacks_fails(ike, "dc2", "vpnrt.dc1.1"),
		  "ike show for dc2 leaves dc1 out");

	/* unchanged: nothing sent; changed: reload */
	TAP_CHECK(set3(ike, true) == 0 && quiet(&fcmd, 80),
		  "the same config again: no load-conn, no load-shared");
	T2.ike.ike.encr = CFG_ENCR_AES256;
	TAP_CHECK(set3(ike, true) == 0, "dc2's IKE encryption changed");
	TAP_CHECK(expect_cmd("terminate", "ike", d2),
		  "changed conn: its SAs terminated (start_action=none SAs survive a replace)");
	ok = expect(&fcmd, VICI_CMD_REQUEST, "load-conn", &p);
	TAP_CHECK(ok && !strcmp(conn_of(&p), d2) &&
		  !strcmp(items(p.root->first, "proposals"),
			  "aes256-sha1-modp1024"),
		  "then the changed conn reloaded with aes256");
	fpkt_free(&p);
	answer(&fcmd, "yes", NULL);
	TAP_CHECK(quiet(&fcmd, 80), "the unchanged shared key is not reloaded");

	/* rekeys; the first one arrives one byte per read */
	ups = recs[0].ups;
	downs = recs[0].downs;
	dribble = true;
	send_child_rekey(&fev, d1, 1, 2, 3);
	dribble = false;
	pump(30);
	TAP_CHECK(show_has(ike, "dc1", "\"spi-in\":\"c0000003\"") &&
		  ike_connected(ike),
		  "an event read one byte at a time is put together and handled");
	TAP_CHECK(recs[0].up && recs[0].downs == downs && recs[0].ups == ups,
		  "child-rekey 2 -> 3: no down, no second up");
	send_sa(&fev, "child-updown", 0, d1, 1, "ESTABLISHED", 2, "DELETED");
	pump(30);
	TAP_CHECK(recs[0].up && recs[0].downs == downs,
		  "a stale child-updown down for #2 (retired by the rekey) is ignored");
	TAP_CHECK(log_has("ignoring down for child SA #2: already retired"),
		  "and the log says why");
	send_ike_rekey(&fev, d1, 1, 4);
	pump(30);
	TAP_CHECK(recs[0].up && recs[0].downs == downs &&
		  show_has(ike, "dc1", "\"ike_sas\":[{\"uniqueid\":4,") &&
		  show_has(ike, "dc1", "\"ike_uniqueid\":4,") &&
		  !show_lacks_fails(ike, "dc1", "\"uniqueid\":1,"),
		  "ike-rekey 1 -> 4: no down, IKE SA now #4 with the child, #1 gone");
	/* a 480 kB event (1500 children of a foreign conn): many reads */
	{
		struct vici_builder b;
		char n[32];
		int before = charon_down;

		vici_build_init(&b, VICI_EVENT, "list-sa");
		vici_build_section(&b, "foreign");
		ike_fields(&b, 90, "ESTABLISHED");
		vici_build_section(&b, "child-sas");
		for (int i = 0; i < 1500; i++) {
			snprintf(n, sizeof(n), "foreign-%d", 100 + i);
			vici_build_section(&b, n);
			child_fields(&b, "foreign", 100 + i, "INSTALLED");
			vici_build_section_end(&b);
		}
		vici_build_section_end(&b);
		vici_build_section_end(&b);
		TAP_CHECK(b.len > 300000, "test: a %zu byte event", b.len);
		fs_send(&fev, &b);
		pump(100);
		TAP_CHECK(ike_connected(ike) && charon_down == before &&
			  recs[0].up,
			  "a 480 kB event over many reads: handled, foreign SAs ignored, still connected");
	}
	/* duplicates */
	send_sa(&fev, "child-updown", 1, d1, 5, "ESTABLISHED", 6, "INSTALLED");
	pump(30);
	TAP_CHECK(show_has(ike, "dc1", "\"installed_child_sas\":2") &&
		  recs[0].ups == ups,
		  "a duplicate child SA from another IKE SA is counted (2), no new up");
	/* charon's log says why a negotiation failed: the tunnel keeps it */
	{
		static const char *const msgs[][2] = {
			{ "vpnrt.dc1.1", "received NO_PROPOSAL_CHOSEN notify error" },
			{ "vpnrt.dc1.1", "sending DPD request" },	/* not a failure */
			/* the consequence comes after the cause */
			{ "vpnrt.dc1.1", "failed to establish CHILD_SA, keeping IKE_SA" },
			{ "foreign", "received AUTHENTICATION_FAILED notify error" },
		};
		int before = charon_down;

		for (size_t i = 0; i < sizeof(msgs) / sizeof(*msgs); i++) {
			struct vici_builder b;

			vici_build_init(&b, VICI_EVENT, "log");
			vici_build_kv_str(&b, "group", "IKE");
			vici_build_kv_str(&b, "level", "1");
			vici_build_kv_str(&b, "ikesa-name", msgs[i][0]);
			vici_build_kv_str(&b, "ikesa-uniqueid", "4");
			vici_build_kv_str(&b, "msg", msgs[i][1]);
			fs_send(&fev, &b);
		}
		pump(30);
		TAP_CHECK(ike_connected(ike) && charon_down == before &&
			  show_has(ike, "dc1", "\"last_error\":\"charon: received NO_PROPOSAL_CHOSEN notify error; failed to establish CHILD_SA, keeping IKE_SA\""),
			  "log events: a failure of ours becomes the tunnel's last error, its consequence after it; others and foreign ones do not");
	}
	send_sa(&fev, "child-updown", 0, d1, 4, "ESTABLISHED", 3, "DELETING");
	pump(30);
	TAP_CHECK(recs[0].up && recs[0].downs == downs &&
		  show_has(ike, "dc1", "\"installed_child_sas\":1"),
		  "one of two duplicates down: still up with 1");
	send_ike_updown(&fev, 0, d1, 5);
	pump(30);
	TAP_CHECK(!recs[0].up && recs[0].downs == downs + 1 &&
		  !strcmp(recs[0].why, "IKE SA down"),
		  "ike-updown down of the last IKE SA: dc1 down (%s)",
		  recs[0].why);
	send_sa(&fev, "child-updown", 0, d1, 5, "DELETING", 6, "DELETING");
	pump(30);
	TAP_CHECK(recs[0].downs == downs + 1,
		  "the implicit child-updown after the IKE down changes nothing");

	/* retry: CONNECTING found -> no initiate; then initiate fails ->
	 * backoff doubling */
	tm.retry_min_ms = 60;
	tm.retry_max_ms = 240;
	tm.up_deadline_ms = 150;
	ike_set_timing(ike, &tm);
	send_sa(&fev, "child-updown", 1, d1, 7, "ESTABLISHED", 8, "INSTALLED");
	pump(20);
	send_ike_updown(&fev, 0, d1, 7);
	/* the down armed the old 10 s backoff: the first check is due
	 * later; a fresh down under the new timing arms 60 ms */
	pump(20);
	TAP_CHECK(!recs[0].up, "dc1 down again");
	{
		struct fpkt q;

		/* re-arm with the short timing: set the same config, which
		 * schedules an immediate check only if nothing is armed, so
		 * use a second up/down */
		send_sa(&fev, "child-updown", 1, d1, 9, "ESTABLISHED", 10,
			"INSTALLED");
		pump(20);
		send_ike_updown(&fev, 0, d1, 9);
		ok = expect(&fev, VICI_CMD_REQUEST, "list-sas", &q);
		TAP_CHECK(ok && !strcmp(str_of(q.root, "ike"), d1),
			  "after a down: list-sas for dc1 before any initiate");
		fpkt_free(&q);
		send_sa(&fev, "list-sa", 0, d1, 11, "CONNECTING", 0, NULL);
		answer(&fev, NULL, NULL);
		TAP_CHECK(quiet(&fcmd, 40),
			  "an IKE SA CONNECTING (charon's DPD restart): no duplicate initiate");
		TAP_CHECK(log_has("not initiating: IKE SA #11 is being established"),
			  "and the log says why");
	}
	{
		uint64_t t0, gaps[4];
		bool all = true;
		struct fpkt q;

		/* the next check finds nothing: initiate fails, thrice */
		TAP_CHECK(expect_check(d1, "no",
				       "CHILD_SA config 'vpnrt.dc1.1' not found"),
			  "the next check finds no SA (the CONNECTING one vanished): initiate");
		t0 = loop_now_ms();
		{
			static const char *const three[] = { "vpnrt.dc1.1",
							     "vpnrt.dc2.1",
							     "vpnrt.dc3.1",
							     NULL };

			ok = expect(&fcmd, VICI_CMD_REQUEST, "get-conns", &q);
			fpkt_free(&q);
			answer_list(&fcmd, "conns", three);
			ok &= expect(&fcmd, VICI_CMD_REQUEST, "get-shared", &q);
			fpkt_free(&q);
			answer_list(&fcmd, "keys", three);
			TAP_CHECK(ok && quiet(&fcmd, 30),
				  "\"config not found\": the module re-reads charon's conns and keys at once (all there: nothing reloaded)");
		}
		TAP_CHECK(show_has(ike, "dc1",
				   "\"last_error\":\"initiate failed: CHILD_SA config 'vpnrt.dc1.1' not found\""),
			  "ike show: last error \"initiate failed: <errmsg>\"");
		TAP_CHECK(show_has(ike, "dc1", "\"next_retry_in_ms\":") &&
			  !show_lacks_fails(ike, "dc1",
					    "\"next_retry_in_ms\":null"),
			  "ike show: next retry in (a number of ms)");
		for (int i = 0; i < 4; i++) {
			all &= expect_check(d1, "no", "failed");
			gaps[i] = loop_now_ms() - t0;
			t0 = loop_now_ms();
		}
		/* attempts 4..7 wait 60<<3.. capped at 240, minus <= 20% */
		printf("# gaps between attempts: %llu %llu %llu %llu ms\n",
		       (unsigned long long)gaps[0], (unsigned long long)gaps[1],
		       (unsigned long long)gaps[2], (unsigned long long)gaps[3]);
		TAP_CHECK(all, "each retry: list-sas, then initiate");
		for (int i = 0; i < 4; i++)
			all &= gaps[i] >= 190 && gaps[i] <= 900;
		/* uncapped these would be 960 ms and more; the upper bound
		 * leaves room for a loaded machine */
		TAP_CHECK(all,
			  "backoff capped at 240 ms (with at most 20%% jitter)");
	}
	/* a fresh streak: 60 ms, 120 ms, 240 ms */
	send_sa(&fev, "child-updown", 1, d1, 12, "ESTABLISHED", 13, "INSTALLED");
	pump(20);
	TAP_CHECK(recs[0].up, "dc1 up again after the failures");
	tm.stable_ms = 0;	/* the next down starts a new streak */
	ike_set_timing(ike, &tm);
	mark = log_mark();
	send_ike_updown(&fev, 0, d1, 12);
	{
		uint64_t t0 = loop_now_ms(), g[3];
		bool all = true;

		for (int i = 0; i < 3; i++) {
			all &= expect_check(d1, "no", "failed");
			g[i] = loop_now_ms() - t0;
			t0 = loop_now_ms();
		}
		printf("# new streak gaps: %llu %llu %llu ms\n",
		       (unsigned long long)g[0], (unsigned long long)g[1],
		       (unsigned long long)g[2]);
		/* timers never fire early: the lower bounds show the
		 * doubling; the log's attempt number the restart */
		TAP_CHECK(all && log_has_from(mark, "(IKE SA down; attempt 1)") &&
			  g[0] >= 46 && g[1] >= 94 && g[2] >= 190 &&
			  g[2] < 900,
			  "after a stable up the backoff restarts at 60 ms (attempt 1) and doubles");
	}
	/* initiate accepted but no SA within the deadline: check again */
	{
		uint64_t t0;

		TAP_CHECK(expect_check(d1, "yes", NULL),
			  "a later attempt: initiate accepted");
		t0 = loop_now_ms();
		ok = expect(&fev, VICI_CMD_REQUEST, "list-sas", &p);
		fpkt_free(&p);
		TAP_CHECK(ok && loop_now_ms() - t0 >= 140,
			  "no child SA within up_deadline (150 ms): checked again after %llu ms",
			  (unsigned long long)(loop_now_ms() - t0));
		answer(&fev, NULL, NULL);
		TAP_CHECK(log_has("no child SA 150 ms after initiate"),
			  "the deadline is logged as the last error");
		ok = expect(&fcmd, VICI_CMD_REQUEST, "initiate", &p);
		fpkt_free(&p);
		answer(&fcmd, "yes", NULL);
		TAP_CHECK(ok, "and initiated again");
		send_sa(&fev, "child-updown", 1, d1, 14, "ESTABLISHED", 15,
			"INSTALLED");
		pump(30);
		TAP_CHECK(recs[0].up && quiet(&fev, 200),
			  "up: no further checks after the deadline");
	}

	/* charon goes away */
	tm.retry_min_ms = 10000;
	tm.stable_ms = 100000;
	ike_set_timing(ike, &tm);
	downs = recs[0].downs;
	fs_close(&fev);
	fs_close(&fcmd);
	pump(10);
	TAP_CHECK(!recs[0].up && !recs[2].up &&
		  !strcmp(recs[0].why, "charon disconnected") &&
		  !strcmp(recs[2].why, "charon disconnected") &&
		  charon_down == 1 && !ike_connected(ike),
		  "charon disconnected: every tunnel down (%s), charon lost",
		  recs[0].why);
	TAP_CHECK(accept_both(), "the module reconnects after a backoff");
	{
		static const char *const conns[] = { "vpnrt.dc1.1",
						     "vpnrt.dc2.1",
						     "vpnrt.dc3.1", NULL };
		static const struct sa_spec sas[] = {
			{ "vpnrt.dc1.1", 14, "ESTABLISHED", 15, "INSTALLED" },
			{ NULL, 0, NULL, 0, NULL },
		};

		ups = recs[0].ups;
		TAP_CHECK(charon_sync(conns, conns, sas, false),
			  "sync after reconnecting: registrations, list-sas, get-conns, get-shared");
		pump(30);
		TAP_CHECK(recs[0].up && recs[0].ups == ups + 1 &&
			  !strcmp(recs[0].why, "child SA found by list-sas"),
			  "dc1's SA survived: adopted from list-sas (%s)",
			  recs[0].why);
		TAP_CHECK(quiet(&fcmd, 100) && quiet(&fev, 1),
			  "nothing reloaded (same config, charon has it), nothing initiated");
		TAP_CHECK(charon_up == 2, "charon reported connected again");
	}

	/* malformed packets: reconnect */
	{
		static const uint8_t bad[] = { 0, 0, 0, 1, 9 };

		fs_write(&fev, bad, sizeof(bad));
		TAP_CHECK(closed(&fev, 1000) && closed(&fcmd, 100),
			  "unknown packet type 9: the module drops both connections");
		TAP_CHECK(log_has("malformed packet from charon on the event connection: unknown packet type 9"),
			  "and logs what was wrong");
		TAP_CHECK(!recs[0].up, "tunnels down while disconnected");
		TAP_CHECK(accept_both() && charon_sync(NULL, NULL, NULL, false),
			  "reconnected and synced");
	}
	/* charon restarted empty: everything loaded again */
	{
		int conns = 0, keys = 0;

		for (int i = 0; i < 6; i++) {
			if (fs_recv(&fcmd, &p, 2000))
				break;
			conns += !strcmp(p.name, "load-conn");
			keys += !strcmp(p.name, "load-shared");
			fpkt_free(&p);
			answer(&fcmd, "yes", NULL);
		}
		TAP_CHECK(conns == 3 && keys == 3,
			  "a charon without our conns gets all three loaded again");
		TAP_CHECK(expect_check(d1, "yes", NULL),
			  "and dc1 initiated (no SA in list-sas)");
		/* a restarted charon counts from 1 again: #2 was retired by
		 * a rekey in the old one, in this one it is new */
		send_sa(&fev, "child-updown", 1, d1, 1, "ESTABLISHED", 2,
			"INSTALLED");
		pump(30);
		TAP_CHECK(recs[0].up,
			  "uniqueids retired before a reconnect do not count after it (charon restarted: #2 is a new SA)");
		send_ike_updown(&fev, 0, d1, 1);
		pump(30);
	}
	{
		struct vici_builder b;

		/* an event without a uniqueid */
		vici_build_init(&b, VICI_EVENT, "child-updown");
		vici_build_kv_str(&b, "up", "yes");
		vici_build_section(&b, d1);
		vici_build_kv_str(&b, "state", "ESTABLISHED");
		vici_build_section_end(&b);
		fs_send(&fev, &b);
		TAP_CHECK(closed(&fev, 1000) &&
			  log_has("malformed child-updown event"),
			  "an event without its uniqueid: reconnect");
		TAP_CHECK(accept_both() && charon_sync(NULL, NULL, NULL, false),
			  "reconnected and synced");
		for (int i = 0; i < 6; i++) {
			if (fs_recv(&fcmd, &p, 2000))
				break;
			fpkt_free(&p);
			answer(&fcmd, "yes", NULL);
		}
		expect_check(d1, "yes", NULL);
		/* an answer nobody asked for */
		answer(&fcmd, "yes", NULL);
		TAP_CHECK(closed(&fcmd, 1000) &&
			  log_has("CMD_RESPONSE from charon on the command connection without a request"),
			  "an answer without a request: reconnect");
		TAP_CHECK(accept_both() && charon_sync(NULL, NULL, NULL, false),
			  "reconnected and synced");
		for (int i = 0; i < 6; i++) {
			if (fs_recv(&fcmd, &p, 2000))
				break;
			fpkt_free(&p);
			answer(&fcmd, "yes", NULL);
		}
		/* initiate never answered: the command times out (only
		 * here a short timeout: a stalled test could miss it) */
		tm.cmd_timeout_ms = 400;
		ike_set_timing(ike, &tm);
		ok = expect(&fev, VICI_CMD_REQUEST, "list-sas", &p);
		fpkt_free(&p);
		answer(&fev, NULL, NULL);
		ok &= expect(&fcmd, VICI_CMD_REQUEST, "initiate", &p);
		fpkt_free(&p);
		TAP_CHECK(ok && closed(&fcmd, 1500) &&
			  log_has("no answer to initiate vpnrt.dc1.1 on the command connection within 400 ms"),
			  "an unanswered command (400 ms timeout): connection treated as lost");
		tm.cmd_timeout_ms = 5000;
		ike_set_timing(ike, &tm);
		TAP_CHECK(accept_both() && charon_sync(NULL, NULL, NULL, false),
			  "reconnected and synced");
		for (int i = 0; i < 6; i++) {
			if (fs_recv(&fcmd, &p, 2000))
				break;
			fpkt_free(&p);
			answer(&fcmd, "yes", NULL);
		}
		expect_check(d1, "yes", NULL);
		send_sa(&fev, "child-updown", 1, d1, 20, "ESTABLISHED", 21,
			"INSTALLED");
		pump(30);
	}
	/* the text view */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		ike_show_text(ike, NULL, f);
		fclose(f);
		TAP_CHECK(strstr(buf, "dc1 tunnel 1 (vpnrt.dc1.1): up, 1 installed child SA(s)") &&
			  strstr(buf, "vpnrt.dc1.1: #21, reqid 1, INSTALLED, TUNNEL, ESP:AES_CBC-128/HMAC_SHA1_96") &&
			  strstr(buf, "in  c0000015, 1000 bytes, 10 packets") &&
			  strstr(buf, "dc2 tunnel 1 (vpnrt.dc2.1): down"),
			  "ike show text: tunnel lines, child SA with SPIs and counters");
		if (getenv("VPNRT_TEST_LOG"))
			fputs(buf, stdout);
		free(buf);
	}
	/* charon gone just as the module starts reconciling */
	{
		static const char *const stale[] = { "vpnrt.stale.1",
						     "vpnrt.stale.2",
						     "vpnrt.dc1.1", NULL };

		fs_close(&fev);
		fs_close(&fcmd);
		ok = accept_both();
		close_after_sync = true;
		ok = ok && charon_sync(stale, stale, NULL, false);
		close_after_sync = false;
		pump(50);
		TAP_CHECK(ok && closed(&fev, 1000) && !ike_connected(ike),
			  "a send failing while stale conns are being unloaded: a clean disconnect");
		TAP_CHECK(accept_both() && charon_sync(NULL, NULL, NULL, false),
			  "reconnected and synced");
		for (int i = 0; i < 6; i++) {
			if (fs_recv(&fcmd, &p, 2000))
				break;
			fpkt_free(&p);
			answer(&fcmd, "yes", NULL);
		}
		expect_check(d1, "yes", NULL);
		send_sa(&fev, "child-updown", 1, d1, 20, "ESTABLISHED", 21,
			"INSTALLED");
		pump(30);
		TAP_CHECK(recs[0].up, "dc1 up again");
	}
	/* someone (swanctl --load-all) unloaded dc2's conn and key */
	{
		static const char *const left[] = { "vpnrt.dc1.1", "vpnrt.dc3.1",
						    NULL };

		/* a CONNECTING IKE SA that later failed without an event */
		send_sa(&fev, "list-sa", 0, d2, 77, "CONNECTING", 0, NULL);
		pump(20);
		TAP_CHECK(show_has(ike, "dc2", "\"state\":\"CONNECTING\""),
			  "a CONNECTING IKE SA of responder dc2 is recorded");
		tm.resync_ms = 100;
		ike_set_timing(ike, &tm);
		ok = expect(&fcmd, VICI_CMD_REQUEST, "get-conns", &p);
		fpkt_free(&p);
		answer_list(&fcmd, "conns", left);
		ok &= expect(&fcmd, VICI_CMD_REQUEST, "get-shared", &p);
		fpkt_free(&p);
		tm.resync_ms = 0;	/* no further rounds in this test */
		ike_set_timing(ike, &tm);
		answer_list(&fcmd, "keys", left);
		TAP_CHECK(ok, "every resync_ms: get-conns and get-shared again");
		ok = expect(&fev, VICI_CMD_REQUEST, "list-sas", &p);
		TAP_CHECK(ok && !vici_get_str(p.root, "ike"),
			  "and a full list-sas on the event connection");
		fpkt_free(&p);
		send_sa(&fev, "list-sa", 0, d1, 20, "ESTABLISHED", 21,
			"INSTALLED");
		answer(&fev, NULL, NULL);
		pump(20);
		TAP_CHECK(!show_lacks_fails(ike, "dc2", "CONNECTING") &&
			  recs[0].up,
			  "the CONNECTING record charon no longer lists is dropped; dc1 stays up");
		TAP_CHECK(expect_cmd("load-shared", "id", d2) &&
			  expect_cmd("load-conn", NULL, NULL) && quiet(&fcmd, 80),
			  "dc2's vanished key and conn are loaded again, nothing else");
		TAP_CHECK(log_has("vpnrt.dc2.1: charon no longer has the conn vpnrtd loaded (unloaded by someone else, e.g. swanctl --load-all); loading it again"),
			  "and the log says why");
		TAP_CHECK(recs[0].up, "dc1 untouched by the resync");
	}
	/* charon gone while a config change is being sent */
	{
		static const char *const conns[] = { "vpnrt.dc1.1",
						     "vpnrt.dc2.1",
						     "vpnrt.dc3.1", NULL };
		static const struct sa_spec sas[] = {
			{ "vpnrt.dc1.1", 20, "ESTABLISHED", 21, "INSTALLED" },
			{ NULL, 0, NULL, 0, NULL },
		};

		/* dc3 up, after the changing dc2 in the list */
		send_sa(&fev, "child-updown", 1, "vpnrt.dc3.1", 30,
			"ESTABLISHED", 31, "INSTALLED");
		pump(20);
		TAP_CHECK(recs[2].up, "dc3 up");
		fs_close(&fev);
		fs_close(&fcmd);
		T2.ike.ipsec.encr = CFG_ENCR_AES192;
		TAP_CHECK(set3(ike, true) == 0 && !ike_connected(ike) &&
			  !recs[0].up && !recs[2].up &&
			  !strcmp(recs[2].why, "charon disconnected"),
			  "a change sent to a charon that just went away: the send fails, the module disconnects at once, every tunnel down");
		TAP_CHECK(accept_both() && charon_sync(conns, conns, sas, false),
			  "after reconnecting the sync comes first: nothing stale was left queued");
		TAP_CHECK(expect_cmd("terminate", "ike", d2) &&
			  expect_cmd("load-conn", NULL, NULL) &&
			  quiet(&fcmd, 80),
			  "then only the changed conn is reloaded");
		pump(20);
		TAP_CHECK(recs[0].up, "dc1 adopted again");
	}
	/* dc1 removed from the config */
	downs = recs[0].downs;
	TAP_CHECK(set3(ike, false) == 0, "dc1 removed from the tunnels");
	TAP_CHECK(expect_cmd("terminate", "ike", d1) &&
		  expect_cmd("unload-conn", "name", d1) &&
		  expect_cmd("unload-shared", "id", d1),
		  "removed tunnel: terminate, unload-conn, unload-shared");
	TAP_CHECK(recs[0].downs == downs + 1 &&
		  !strcmp(recs[0].why, "removed from the configuration"),
		  "and reported down (%s)", recs[0].why);
	/* a bad tunnel refuses the whole set */
	T3.if_id = 0;
	TAP_CHECK(set3(ike, false) == -1 && quiet(&fcmd, 60) &&
		  log_has("IKE configuration left as it was"),
		  "a set with a bad tunnel changes nothing");
	T3.if_id = 301;
	/* dc1 back: known down at once, then loaded */
	TAP_CHECK(set3(ike, true) == 0 && !recs[0].up &&
		  !strcmp(recs[0].why, "new tunnel, no SA yet"),
		  "a tunnel added while connected is reported down at once (%s)",
		  recs[0].why);
	TAP_CHECK(expect_cmd("load-shared", "id", d1) &&
		  expect_cmd("load-conn", NULL, NULL),
		  "and loaded");
	ike_free(ike);
	fs_close(&fev);
	fs_close(&fcmd);
	close(lfd);
	unlink(sock_path);
}

static void test_log(void)
{
	int old = log_get_level();

	log_set_level(LOG_WARNING);
	vlog(LOG_INFO, "test-log: info hidden");
	vlog(LOG_WARNING, "test-log: warn %d\nsecond", 7);
	log_set_level(old);
	TAP_CHECK(!log_has("test-log: info hidden"),
		  "log: a line under the minimum level is dropped");
	TAP_CHECK(log_has("<4>test-log: warn 7?second\n"),
		  "log: \"<4>\" level prefix, one line (newline inside replaced)");
}

/* ---- loop.c: a slot reused within one batch of events ---- */

static struct loop *lp;
static int lp_calls[3], lp_fds[3][2];
static bool lp_swapped;

static void lp_cb(void *arg, uint32_t events)
{
	int i = (int)(intptr_t)arg;
	char c;

	(void)events;
	lp_calls[i]++;
	if (read(lp_fds[i][0], &c, 1) < 0)
		return;
	/* whichever of 0 and 1 runs first removes the other and puts
	 * fd 2 in the slot just freed, while the other's event is pending */
	if (i < 2 && !lp_swapped) {
		lp_swapped = true;
		loop_del_fd(lp, lp_fds[1 - i][0]);
		loop_add_fd(lp, lp_fds[2][0], EPOLLIN, lp_cb, (void *)(intptr_t)2);
	}
}

static void test_loop_slot(void)
{
	bool ok = true;

	lp = loop_new();
	for (int i = 0; i < 3; i++)
		ok &= socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
				 lp_fds[i]) == 0;
	for (int i = 0; i < 2; i++) {
		ok &= loop_add_fd(lp, lp_fds[i][0], EPOLLIN, lp_cb,
				  (void *)(intptr_t)i) == 0;
		ok &= write(lp_fds[i][1], "x", 1) == 1;
	}
	loop_run_once(lp, 100);
	TAP_CHECK(ok && lp_swapped && lp_calls[0] + lp_calls[1] == 1 &&
		  lp_calls[2] == 0,
		  "loop: an event of a removed fd does not reach the fd that took its slot in the same batch");
	ok = write(lp_fds[2][1], "y", 1) == 1;
	loop_run_once(lp, 100);
	TAP_CHECK(ok && lp_calls[2] == 1, "loop: the new fd gets its own events");
	for (int i = 0; i < 3; i++) {
		close(lp_fds[i][0]);
		close(lp_fds[i][1]);
	}
	loop_free(lp);
}

/* ---- the real charon ---- */

static int real_fd = -1;
static struct fsock rs;
/* IKE SAs seen in list-sa events since the last reset, by name */
static char listed[4096];
/* the last list-conn event */
static struct vici_node *last_conn;

static bool real_req(struct vici_builder *b, struct vici_node **reply)
{
	const uint8_t *d;
	size_t n;
	struct vici_packet pkt;
	struct vici_err err;
	uint64_t end = loop_now_ms() + 10000;

	if (vici_build_finish(b, &d, &n)) {
		vici_build_free(b);
		return false;
	}
	if (write(real_fd, d, n) != (ssize_t)n) {
		vici_build_free(b);
		return false;
	}
	vici_build_free(b);
	for (;;) {
		int r = vici_split(rs.buf, rs.len, &pkt, &err);
		struct pollfd pfd = { .fd = real_fd, .events = POLLIN };

		if (r < 0)
			return false;
		if (r > 0) {
			if (pkt.type == VICI_EVENT) {	/* list-sa */
				struct vici_node *ev = vici_parse(pkt.body,
								  pkt.body_len,
								  &err);
				const struct vici_node *c;

				if (!strcmp(pkt.name, "list-conn")) {
					vici_free(last_conn);
					last_conn = ev;
					memmove(rs.buf, rs.buf + pkt.total,
						rs.len - pkt.total);
					rs.len -= pkt.total;
					continue;
				}

				vici_for_each(c, ev) {
					if (c->type != VICI_N_SECTION ||
					    strlen(listed) + strlen(c->name) + 40 >
					    sizeof(listed))
						continue;
					strcat(listed, c->name);
					strcat(listed, ":");
					strcat(listed, str_of(c, "state"));
					strcat(listed, " ");
				}
				vici_free(ev);
				memmove(rs.buf, rs.buf + pkt.total,
					rs.len - pkt.total);
				rs.len -= pkt.total;
				continue;
			}
			*reply = vici_parse(pkt.body, pkt.body_len, &err);
			memmove(rs.buf, rs.buf + pkt.total, rs.len - pkt.total);
			rs.len -= pkt.total;
			return pkt.type == VICI_CMD_RESPONSE ||
			       pkt.type == VICI_EVENT_CONFIRM;
		}
		if (loop_now_ms() > end || poll(&pfd, 1, 1000) < 0)
			return false;
		rs.fd = real_fd;
		if (!fs_fill(&rs))
			return false;
	}
}

static void test_real(const char *uri)
{
	static const uint8_t encrs[] = { CFG_ENCR_AES, CFG_ENCR_AES192,
					 CFG_ENCR_AES256, CFG_ENCR_DES,
					 CFG_ENCR_3DES };
	static const int dhs[] = { 1, 2, 5, 14 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int loaded = 0, refused = 0, n = 0;
	struct vici_builder b;
	struct vici_node *r = NULL;
	char err[IKE_MAP_ERR_LEN];

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", uri + 7);
	real_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (strncmp(uri, "unix://", 7) ||
	    connect(real_fd, (struct sockaddr *)&sa, sizeof(sa))) {
		TAP_CHECK(0, "connect to the real charon at %s: %s", uri,
			  strerror(errno));
		return;
	}
	vici_build_init(&b, VICI_EVENT_REGISTER, "list-sa");
	TAP_CHECK(real_req(&b, &r), "real charon: list-sa registered");
	vici_free(r);
	r = NULL;
	vici_build_init(&b, VICI_CMD_REQUEST, "version");
	TAP_CHECK(real_req(&b, &r), "real charon: version");
	printf("# charon: %s %s\n", str_of(r, "daemon"), str_of(r, "version"));
	vici_free(r);
	/* every version x mode x IKE proposal x ESP proposal (incl. no PFS) */
	for (int v = 1; v <= 2; v++)
	for (int ag = 0; ag <= (v == 1); ag++)
	for (size_t e = 0; e < sizeof(encrs); e++)
	for (int i = CFG_INTEG_MD5; i <= CFG_INTEG_SHA512; i++)
	for (size_t d = 0; d < 4; d++)
	for (int pfs = 0; pfs <= 1; pfs++) {
		struct cfg_tunnel t = mk("192.0.2.1", "198.51.100.77",
					 1000 + n, v);
		struct ike_tunnel it = { .pos = 1, .t = &t };
		const char *ok, *msg;

		t.ike.aggressive = ag;
		t.ike.ike = (struct cfg_proposal){ encrs[e], i, dhs[d], 3600 };
		t.ike.ipsec = (struct cfg_proposal){ encrs[e], i,
						     pfs ? dhs[d] : 0, 1800 };
		/* the other keys vary along: every value meets charon */
		t.ike.initiate = n & 1;
		t.ike.dpd = n % 3 != 0;
		t.ike.nat_traversal = n & 2;
		if (n % 5 == 0)
			t.ike.ike.lifetime = t.ike.ipsec.lifetime = 0;
		if (n % 7 == 0)
			snprintf(t.ike.local_id, sizeof(t.ike.local_id),
				 "gw%d.example.com", n);
		if (n % 4 == 0) {
			char e6[64];

			parse_addr("2001:db8::1", &t.local, e6, sizeof(e6));
			parse_addr("2001:db8::77", &t.remote, e6, sizeof(e6));
		}
		snprintf(it.conn, sizeof(it.conn), "m%d", n++);
		if (ike_map_load_conn(&b, &it, err, sizeof(err))) {
			vici_build_free(&b);
			refused++;
			printf("# map: %s\n", err);
			continue;
		}
		r = NULL;
		if (!real_req(&b, &r)) {
			refused++;
			printf("# %s: no answer\n", it.conn);
			continue;
		}
		ok = vici_get_str(r, "success");
		msg = vici_get_str(r, "errmsg");
		if (ok && !strcmp(ok, "yes")) {
			loaded++;
		} else {
			refused++;
			char ip[64], ep[64];

			ike_map_proposal(&t.ike.ike, true, ip, sizeof(ip), err,
					 sizeof(err));
			ike_map_proposal(&t.ike.ipsec, false, ep, sizeof(ep),
					 err, sizeof(err));
			printf("# charon refused vpnrt.%s.1 (IKEv%d%s, %s / %s): %s\n",
			       it.conn, v, ag ? " aggressive" : "", ip, ep,
			       msg ? msg : "?");
		}
		vici_free(r);
		/* unload at once: charon keeps the test small */
		if (n > 1 && strcmp(it.conn, "m0")) {
			char name[64];

			snprintf(name, sizeof(name), "vpnrt.%s.1", it.conn);
			vici_build_init(&b, VICI_CMD_REQUEST, "unload-conn");
			vici_build_kv_str(&b, "name", name);
			r = NULL;
			real_req(&b, &r);
			vici_free(r);
		}
	}
	printf("# real charon: %d load-conn accepted, %d refused\n", loaded,
	       refused);
	TAP_CHECK(loaded == n && !refused,
		  "real charon accepts all %d load-conns of the matrix (versions, modes, proposals, PFS, DPD, lifetime 0, responder only, FQDN ids, IPv6)",
		  n);
	{
		struct cfg_tunnel t = mk("192.0.2.1", "198.51.100.77", 999, 2);
		struct ike_tunnel it = { .conn = "m0", .pos = 1, .t = &t };

		ike_map_load_shared(&b, &it, err, sizeof(err));
		r = NULL;
		TAP_CHECK(real_req(&b, &r) &&
			  !strcmp(str_of(r, "success"), "yes"),
			  "real charon: load-shared accepted");
		vici_free(r);
		vici_build_init(&b, VICI_CMD_REQUEST, "get-shared");
		r = NULL;
		TAP_CHECK(real_req(&b, &r) &&
			  strstr(items(r, "keys"), "vpnrt.m0.1"),
			  "real charon: get-shared lists vpnrt.m0.1 (%s)",
			  items(r, "keys"));
		vici_free(r);
		vici_build_init(&b, VICI_CMD_REQUEST, "get-conns");
		r = NULL;
		TAP_CHECK(real_req(&b, &r) &&
			  strstr(items(r, "conns"), "vpnrt.m0.1"),
			  "real charon: get-conns lists vpnrt.m0.1 (%s)",
			  items(r, "conns"));
		vici_free(r);
		vici_build_init(&b, VICI_CMD_REQUEST, "initiate");
		vici_build_kv_str(&b, "child", "vpnrt.m0.1");
		vici_build_kv_str(&b, "ike", "vpnrt.m0.1");
		vici_build_kv_str(&b, "timeout", "-1");
		r = NULL;
		TAP_CHECK(real_req(&b, &r) &&
			  !strcmp(str_of(r, "success"), "yes"),
			  "real charon: initiate timeout=-1 answers at once (%s %s)",
			  str_of(r, "success"), str_of(r, "errmsg"));
		vici_free(r);
		vici_build_init(&b, VICI_CMD_REQUEST, "list-sas");
		vici_build_kv_str(&b, "noblock", "yes");
		vici_build_kv_str(&b, "ike", "vpnrt.m0.1");
		r = NULL;
		TAP_CHECK(real_req(&b, &r), "real charon: list-sas answers");
		vici_free(r);
		vici_build_init(&b, VICI_CMD_REQUEST, "terminate");
		vici_build_kv_str(&b, "ike", "vpnrt.m0.1");
		vici_build_kv_str(&b, "timeout", "-1");
		r = NULL;
		TAP_CHECK(real_req(&b, &r), "real charon: terminate answers (%s %s)",
			  str_of(r, "success"), str_of(r, "errmsg"));
		vici_free(r);
	}
	close(real_fd);
}

static int real_open(const char *uri)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vici_builder b;
	struct vici_node *r = NULL;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", uri + 7);
	real_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	rs.len = 0;
	rs.eof = false;
	if (connect(real_fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	vici_build_init(&b, VICI_EVENT_REGISTER, "list-sa");
	if (!real_req(&b, &r))
		return -1;
	vici_free(r);
	r = NULL;
	vici_build_init(&b, VICI_EVENT_REGISTER, "list-conn");
	if (!real_req(&b, &r))
		return -1;
	vici_free(r);
	return 0;
}

/* a command without arguments (or one key) to the real charon */
static const char *real_list(const char *cmd, const char *key,
			     const char *val, const char *list)
{
	static char out[4096];
	struct vici_builder b;
	struct vici_node *r = NULL;

	listed[0] = '\0';
	vici_build_init(&b, VICI_CMD_REQUEST, cmd);
	if (key)
		vici_build_kv_str(&b, key, val);
	if (!real_req(&b, &r))
		return "(no answer)";
	snprintf(out, sizeof(out), "%s", list ? items(r, list) : "");
	vici_free(r);
	return out;
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* the module itself against the real charon */
static void test_real_module(const char *uri)
{
	struct ike_timing tm = { .retry_min_ms = 300, .retry_max_ms = 1200,
				 .up_deadline_ms = 1500, .stable_ms = 60000,
				 .reconnect_min_ms = 200,
				 .reconnect_max_ms = 1000,
				 .cmd_timeout_ms = 5000 };
	struct cfg_tunnel a = mk("192.0.2.1", "198.51.100.88", 71, 2);
	struct cfg_tunnel b = mk("192.0.2.1", "198.51.100.89", 72, 1);
	struct ike_tunnel tt[2] = { { .conn = "r1", .pos = 1, .t = &a },
				    { .conn = "r2", .pos = 1, .t = &b } };
	uint64_t end;
	const char *s;
	struct ike *ike;
	int before = charon_up;

	ike = ike_new(L, uri, &ops, NULL);
	if (!ike) {
		TAP_CHECK(0, "real charon: ike_new");
		return;
	}
	ike_set_timing(ike, &tm);
	ike_set_tunnels(ike, tt, 2);
	end = loop_now_ms() + 5000;
	while (!ike_connected(ike) && loop_now_ms() < end)
		loop_run_once(L, 10);
	TAP_CHECK(ike_connected(ike) && charon_up == before + 1,
		  "real charon: the module connects and syncs");
	/* deadline 1.5 s, then checks every 0.3..1.2 s: CONNECTING */
	pump(4500);
	if (real_open(uri)) {
		TAP_CHECK(0, "real charon: raw connection");
		ike_free(ike);
		return;
	}
	s = real_list("get-conns", NULL, NULL, "conns");
	printf("# real charon conns: %s\n", s);
	TAP_CHECK(strstr(s, "vpnrt.r1.1") && strstr(s, "vpnrt.r2.1") &&
		  !strstr(s, "vpnrt.m0.1"),
		  "real charon: the module loaded r1 and r2 and unloaded the stale vpnrt.m0.1");
	/* what charon made of the keys, as list-conns shows them */
	real_list("list-conns", "ike", "vpnrt.r1.1", NULL);
	{
		const struct vici_node *c = vici_find_type(last_conn,
							   VICI_N_SECTION,
							   "vpnrt.r1.1");
		const struct vici_node *ch = vici_path(c, "children",
						       "vpnrt.r1.1", NULL);

		printf("# list-conns vpnrt.r1.1: version=%s rekey_time=%s reauth_time=%s dpd_delay=%s unique=%s; child rekey_time=%s dpd_action=%s close_action=%s local-ts=%s\n",
		       str_of(c, "version"), str_of(c, "rekey_time"),
		       str_of(c, "reauth_time"), str_of(c, "dpd_delay"),
		       str_of(c, "unique"), str_of(ch, "rekey_time"),
		       str_of(ch, "dpd_action"), str_of(ch, "close_action"),
		       items(ch, "local-ts"));
		TAP_CHECK(!strcmp(str_of(c, "version"), "IKEv2") &&
			  !strcmp(str_of(c, "rekey_time"), "86400") &&
			  !strcmp(str_of(c, "reauth_time"), "0") &&
			  !strcmp(str_of(c, "dpd_delay"), "10") &&
			  !strcmp(str_of(c, "unique"), "UNIQUE_NO") &&
			  !strcmp(str_of(ch, "rekey_time"), "86400") &&
			  !strcmp(str_of(ch, "close_action"), "none") &&
			  !strcmp(items(ch, "local-ts"), "0.0.0.0/0,::/0") &&
			  !strcmp(items(ch, "remote-ts"), "0.0.0.0/0,::/0"),
			  "real charon: list-conns shows what the module asked for (IKEv2, rekey 86400, no reauth, DPD 10 s, unique no, 0/0 and ::/0)");
	}
	real_list("list-conns", "ike", "vpnrt.r2.1", NULL);
	{
		const struct vici_node *c = vici_find_type(last_conn,
							   VICI_N_SECTION,
							   "vpnrt.r2.1");

		TAP_CHECK(!strcmp(str_of(c, "version"), "IKEv1") &&
			  !strcmp(str_of(c, "rekey_time"), "0") &&
			  !strcmp(str_of(c, "reauth_time"), "86400") &&
			  !strcmp(str_of(c, "dpd_timeout"), "30"),
			  "real charon: IKEv1 conn: no rekey, reauth 86400, DPD timeout 30 (%s %s %s %s)",
			  str_of(c, "version"), str_of(c, "rekey_time"),
			  str_of(c, "reauth_time"), str_of(c, "dpd_timeout"));
	}
	s = real_list("get-shared", NULL, NULL, "keys");
	TAP_CHECK(strstr(s, "vpnrt.r1.1") && strstr(s, "vpnrt.r2.1") &&
		  !strstr(s, "vpnrt.m0.1"),
		  "real charon: shared keys r1, r2 loaded, stale m0 unloaded (%s)",
		  s);
	real_list("list-sas", "noblock", "yes", NULL);
	printf("# real charon SAs: %s\n", listed);
	TAP_CHECK(count_of(listed, "vpnrt.r1.1:CONNECTING") == 1 &&
		  count_of(listed, "vpnrt.r2.1:CONNECTING") == 1 &&
		  count_of(listed, "vpnrt.r1.1:") == 1,
		  "real charon: one CONNECTING IKE SA per tunnel after 4.5 s of deadlines and checks (no duplicates)");
	TAP_CHECK(log_has("ike: vpnrt.r1.1: not initiating: IKE SA #") &&
		  log_has("ike: vpnrt.r2.1: not initiating: IKE SA #"),
		  "real charon: the module saw the CONNECTING SAs and did not initiate again");
	TAP_CHECK(show_has(ike, "r1", "\"state\":\"CONNECTING\""),
		  "real charon: ike show has the CONNECTING IKE SA");
	/* what swanctl --load-all does to conns it does not know */
	tm.resync_ms = 500;
	ike_set_timing(ike, &tm);
	real_list("unload-conn", "name", "vpnrt.r1.1", NULL);
	real_list("unload-shared", "id", "vpnrt.r1.1", NULL);
	s = real_list("get-conns", NULL, NULL, "conns");
	TAP_CHECK(!strstr(s, "vpnrt.r1.1"),
		  "real charon: r1's conn and key unloaded behind the module's back (%s)",
		  s);
	pump(1500);
	s = real_list("get-conns", NULL, NULL, "conns");
	TAP_CHECK(strstr(s, "vpnrt.r1.1") != NULL,
		  "real charon: the module's resync loaded r1's conn again (%s)", s);
	s = real_list("get-shared", NULL, NULL, "keys");
	TAP_CHECK(strstr(s, "vpnrt.r1.1") != NULL,
		  "real charon: and its key (%s)", s);
	tm.resync_ms = 0;
	ike_set_timing(ike, &tm);
	if (getenv("VPNRT_TEST_CHARON_RESTART")) {
		int down = charon_down, up = charon_up;

		/* charon restarted under the module: reconnect, reload */
		close(real_fd);
		if (system(getenv("VPNRT_TEST_CHARON_RESTART")))
			printf("# restart command failed\n");
		end = loop_now_ms() + 15000;
		while (charon_up == up && loop_now_ms() < end)
			loop_run_once(L, 10);
		TAP_CHECK(charon_down == down + 1 && charon_up == up + 1,
			  "real charon restarted: the module noticed and reconnected in %llu ms",
			  (unsigned long long)(loop_now_ms() + 15000 - end));
		pump(1500);
		if (real_open(uri)) {
			TAP_CHECK(0, "real charon: raw connection after restart");
			ike_free(ike);
			return;
		}
		s = real_list("get-conns", NULL, NULL, "conns");
		TAP_CHECK(strstr(s, "vpnrt.r1.1") && strstr(s, "vpnrt.r2.1"),
			  "real charon restarted: conns loaded again (%s)", s);
		s = real_list("get-shared", NULL, NULL, "keys");
		TAP_CHECK(strstr(s, "vpnrt.r1.1") && strstr(s, "vpnrt.r2.1"),
			  "real charon restarted: keys loaded again (%s)", s);
		real_list("list-sas", "noblock", "yes", NULL);
		TAP_CHECK(count_of(listed, "vpnrt.r1.1:CONNECTING") == 1 &&
			  count_of(listed, "vpnrt.r2.1:CONNECTING") == 1,
			  "real charon restarted: each tunnel initiated again, once (%s)",
			  listed);
	}
	ike_set_tunnels(ike, NULL, 0);
	pump(1000);
	s = real_list("get-conns", NULL, NULL, "conns");
	TAP_CHECK(!strstr(s, "vpnrt."),
		  "real charon: tunnels removed: conns unloaded (%s)", s);
	real_list("list-sas", "noblock", "yes", NULL);
	TAP_CHECK(!strstr(listed, "vpnrt.r"),
		  "real charon: and their SAs terminated (%s)", listed);
	s = real_list("get-shared", NULL, NULL, "keys");
	TAP_CHECK(!strstr(s, "vpnrt."),
		  "real charon: and their keys unloaded (%s)", s);
	close(real_fd);
	vici_free(last_conn);
	last_conn = NULL;
	ike_free(ike);
}

int main(void)
{
	const char *real = getenv("VPNRT_TEST_CHARON");

	/* the module's log goes to a file the checks read (log_has());
	 * VPNRT_TEST_LOG=1 copies it to stderr at the end */
	logf_ = tmpfile();
	log_set_file(logf_);
	/* a check that fails may leave the fake writing to a closed socket */
	signal(SIGPIPE, SIG_IGN);
	log_set_level(LOG_DEBUG);
	L = loop_new();
	test_mapping();
	test_log();
	test_loop_slot();
	test_module();
	if (real) {
		test_real(real);
		test_real_module(real);
	}
	loop_free(L);
	if (getenv("VPNRT_TEST_LOG")) {
		char line[LOG_LINE_MAX + 16];

		rewind(logf_);
		while (fgets(line, sizeof(line), logf_))
			fputs(line, stderr);
	}
	fclose(logf_);
	return tap_done();
}
