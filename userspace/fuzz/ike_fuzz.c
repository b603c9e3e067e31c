// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for vpnrtd's IKE module: what charon sends, fed to
 * the module's packet handling (ike.c is included, so its internals are
 * reachable) as if it came from the event connection of a synced
 * module with two tunnels.
 *
 * The input is a program: each step builds one well-formed event from a
 * few bytes (child-updown up/down, ike-updown up/down, ike-rekey,
 * child-rekey, list-sa, for our two conns or a foreign one, with small
 * uniqueids and any state), or appends raw bytes to the stream, or an
 * answer to the outstanding request (plain, or listing conns or keys),
 * or starts a resync, or closes charon's end of a connection (the next
 * request then fails to send), or runs due timers. After every
 * step the invariants must hold:
 *   - a synced module reports a tunnel up exactly while it counts an
 *     installed child SA for it;
 *   - reports alternate: never up twice or down twice in a row;
 *   - a malformed packet ends in a disconnect with every tunnel down.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Iuapi -Iuserspace/lib \
 *	-Iuserspace/vpnrtd userspace/fuzz/ike_fuzz.c userspace/vpnrtd/ike_map.c \
 *	userspace/vpnrtd/loop.c userspace/vpnrtd/log.c userspace/lib/vici.c \
 *	userspace/lib/json.c userspace/lib/parse.c
 */
#include "../vpnrtd/ike.c"

#include <stdio.h>
#include <sys/socket.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool reported[2], known[2];
static const char *const conns[] = { "a", "b" };

static void on_state(void *arg, const char *conn, int pos, bool up,
		     const char *why)
{
	int i = !strcmp(conn, "b");

	(void)arg;
	(void)why;
	if (pos != 1 || (strcmp(conn, "a") && strcmp(conn, "b")))
		abort();
	/* alternation: a report always changes the state */
	if (known[i] && reported[i] == up)
		abort();
	known[i] = true;
	reported[i] = up;
}

static const struct ike_ops fops = { .tunnel_state = on_state };

struct in {
	const uint8_t *p;
	size_t n;
};

static unsigned int next(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static const char *const names[] = { "vpnrt.a.1", "vpnrt.b.1", "other",
				     "vpnrt.z.1" };
static int peer[2];	/* the far ends of the module's two connections */
static const char *const states[] = {
	"INSTALLED", "REKEYING", "REKEYED", "DELETING", "CONNECTING",
	"ESTABLISHED", "CREATED", "INSTALLING", "", "UPDATING",
};

static void uid_kv(struct vici_builder *b, const char *key, unsigned int v)
{
	char s[12];

	snprintf(s, sizeof(s), "%u", v);
	vici_build_kv_str(b, key, s);
}

static void child_sec(struct vici_builder *b, const char *sec,
		      const char *name, unsigned int uid, const char *state)
{
	vici_build_section(b, sec);
	vici_build_kv_str(b, "name", name);
	uid_kv(b, "uniqueid", uid);
	vici_build_kv_str(b, "state", state);
	vici_build_kv_str(b, "spi-in", "c0ffee01");
	vici_build_kv_str(b, "bytes-in", "12345");
	vici_build_section_end(b);
}

/* one step of the program: bytes for the event connection's stream */
static void step(struct ike *ike, struct in *in)
{
	unsigned int kind = next(in) % 13;
	const char *conn = names[next(in) % 4];
	unsigned int iu = next(in) % 8 + 1, cu = next(in) % 16 + 1;
	unsigned int nu = next(in) % 16 + 1;
	const char *st = states[next(in) % 10];
	struct vconn *vc = &ike->ev;
	struct vici_builder b;
	const uint8_t *pkt;
	size_t len;

	switch (kind) {
	case 0: case 1: case 6:
		vici_build_init(&b, VICI_EVENT,
				kind == 6 ? "list-sa" : "child-updown");
		if (kind == 0)
			vici_build_kv_str(&b, "up", "yes");
		vici_build_section(&b, conn);
		uid_kv(&b, "uniqueid", iu);
		vici_build_kv_str(&b, "state", "ESTABLISHED");
		vici_build_section(&b, "child-sas");
		child_sec(&b, "x", conn, cu, st);
		vici_build_section_end(&b);
		vici_build_section_end(&b);
		break;
	case 2: case 3:
		vici_build_init(&b, VICI_EVENT, "ike-updown");
		if (kind == 2)
			vici_build_kv_str(&b, "up", "yes");
		vici_build_section(&b, conn);
		uid_kv(&b, "uniqueid", iu);
		vici_build_kv_str(&b, "state", st);
		vici_build_section_end(&b);
		break;
	case 4:
		vici_build_init(&b, VICI_EVENT, "ike-rekey");
		vici_build_section(&b, conn);
		vici_build_section(&b, "old");
		uid_kv(&b, "uniqueid", iu);
		vici_build_section_end(&b);
		vici_build_section(&b, "new");
		uid_kv(&b, "uniqueid", nu % 8 + 1);
		vici_build_section_end(&b);
		vici_build_section_end(&b);
		break;
	case 5:
		vici_build_init(&b, VICI_EVENT, "child-rekey");
		vici_build_section(&b, conn);
		uid_kv(&b, "uniqueid", iu);
		vici_build_section(&b, "child-sas");
		vici_build_section(&b, conn);
		child_sec(&b, "old", conn, cu, "REKEYED");
		child_sec(&b, "new", conn, nu, st);
		vici_build_section_end(&b);
		vici_build_section_end(&b);
		vici_build_section_end(&b);
		break;
	case 7: {
		/* raw bytes: anything at all */
		size_t n = next(in) % 64;

		if (n > in->n)
			n = in->n;
		if (vc->in_cap < vc->in_len + n + 1) {
			uint8_t *p = realloc(vc->in, vc->in_len + n + 1);

			if (!p)
				abort();
			vc->in = p;
			vc->in_cap = vc->in_len + n + 1;
		}
		memcpy(vc->in + vc->in_len, in->p, n);
		vc->in_len += n;
		in->p += n;
		in->n -= n;
		vc_process(vc);
		return;
	}
	case 8:
		vici_build_init(&b, VICI_CMD_RESPONSE, NULL);
		vici_build_kv_str(&b, "success", (iu & 1) ? "yes" : "no");
		vc = (cu & 1) ? &ike->ev : &ike->cmd;
		break;
	case 9:
		loop_run_once(ike->loop, 0);
		return;
	case 10:
		resync_start(ike, iu & 1);
		return;
	case 11:
		/* charon goes away: the next request fails to send */
		if (peer[cu & 1] >= 0) {
			close(peer[cu & 1]);
			peer[cu & 1] = -1;
		}
		return;
	default:
		/* an answer listing conns and keys, like get-conns/-shared */
		vici_build_init(&b, VICI_CMD_RESPONSE, NULL);
		vici_build_list(&b, (iu & 1) ? "conns" : "keys");
		for (unsigned int i = 0; i < cu % 4; i++)
			vici_build_item_str(&b, names[(nu + i) % 4]);
		vici_build_list_end(&b);
		vc = (iu & 2) ? &ike->ev : &ike->cmd;
		break;
	}
	if (vici_build_finish(&b, &pkt, &len))
		abort();
	if (vc->in_cap < vc->in_len + len) {
		uint8_t *p = realloc(vc->in, vc->in_len + len);

		if (!p)
			abort();
		vc->in = p;
		vc->in_cap = vc->in_len + len;
	}
	memcpy(vc->in + vc->in_len, pkt, len);
	vc->in_len += len;
	vici_build_free(&b);
	vc_process(vc);
}

static void check(struct ike *ike)
{
	for (struct tun *t = ike->tuns; t; t = t->next) {
		int i = !strcmp(t->conn, "b");

		if (ike->synced && t->up != (tun_installed(t) > 0))
			abort();
		if (!ike->synced && (t->up || t->ikes || t->children))
			abort();
		if (t->up != (known[i] && reported[i]))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct loop *loop;
	static FILE *null;
	struct ike_timing tm = { 1, 4, 2, 0, 100000, 100000, 100000, 0 };
	struct cfg_tunnel ct[2];
	struct ike_tunnel tt[2];
	int sp[2][2];
	struct in in = { data, size };
	struct ike *ike;
	struct json j;
	char err[64];

	if (!loop) {
		loop = loop_new();
		null = fopen("/dev/null", "w");
		log_set_level(LOG_EMERG);
	}
	memset(ct, 0, sizeof(ct));
	memset(known, 0, sizeof(known));
	for (int i = 0; i < 2; i++) {
		parse_addr("192.0.2.1", &ct[i].local, err, sizeof(err));
		parse_addr(i ? "198.51.100.2" : "198.51.100.1", &ct[i].remote,
			   err, sizeof(err));
		ct[i].if_id = 10 + i;
		ct[i].ike.version = 2;
		strcpy(ct[i].ike.psk, "k");
		ct[i].ike.ike = (struct cfg_proposal){ 0, 1, 2, 3600 };
		ct[i].ike.ipsec = ct[i].ike.ike;
		ct[i].ike.initiate = true;
		tt[i] = (struct ike_tunnel){ .pos = 1, .t = &ct[i] };
		strcpy(tt[i].conn, conns[i]);
	}
	/* no charon there: ike_new's connect fails and arms a reconnect */
	ike = ike_new(loop, "unix:///nonexistent/vpnrt-fuzz.vici", &fops, NULL);
	if (!ike)
		abort();
	ike_set_timing(ike, &tm);
	loop_timer_cancel(loop, &ike->reconnect);
	if (ike_set_tunnels(ike, tt, 2))
		abort();
	/* a synced module on two socketpairs nobody reads much */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sp[0]) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sp[1]))
		abort();
	ike->ev.fd = sp[0][0];
	ike->cmd.fd = sp[1][0];
	loop_add_fd(loop, sp[0][0], EPOLLIN, vc_io, &ike->ev);
	loop_add_fd(loop, sp[1][0], EPOLLIN, vc_io, &ike->cmd);
	ike->ev.up = ike->cmd.up = true;
	ike->synced = true;
	for (struct tun *t = ike->tuns; t; t = t->next)
		t->conn_ok = t->in_charon_conn = t->in_charon_key = true;
	peer[0] = sp[0][1];
	peer[1] = sp[1][1];
	while (in.n && ike->synced) {
		char drain[4096];

		step(ike, &in);
		check(ike);
		while ((peer[0] >= 0 &&
			read(peer[0], drain, sizeof(drain)) > 0) ||
		       (peer[1] >= 0 &&
			read(peer[1], drain, sizeof(drain)) > 0))
			;
	}
	check(ike);
	json_init(&j, null, false);
	json_obj_open(&j, NULL);
	ike_show_json(ike, NULL, &j);
	json_obj_close(&j);
	json_end(&j);
	ike_show_text(ike, NULL, null);
	loop_timer_cancel(loop, &ike->reconnect);
	ike_free(ike);
	for (int i = 0; i < 2; i++)
		if (peer[i] >= 0)
			close(peer[i]);
	return 0;
}
