// SPDX-License-Identifier: GPL-2.0
/*
 * genlfuzz: a fuzzer of the vpnrt generic netlink family, driven by its
 * YAML spec (Documentation/netlink/vpnrt.yaml, read with libyaml at run
 * time), for selftests/genl_fuzz.sh.
 *
 *   genlfuzz --spec FILE --tunnels IF[,IF...] --keep-tunnel IF
 *            [-s SEED] [-n COUNT] [-t SECONDS] [--batch B] [--gateways G]
 *            [--round R] [--answer-timeout S] [--ns NS]
 *
 * Every command of the spec with a do or dump request gets messages built
 * from the spec's attribute sets: valid ones (names, ifindexes and
 * addresses from small pools so that objects do get created, found and
 * deleted), the same with one to three mutations (attributes dropped,
 * duplicated, of the wrong length or type, strings without their NUL or
 * over max-len, unknown types, nests flattened or leaves nested, nest
 * flags flipped, wrapped 40 deep, lengths past or short of their data,
 * messages cut), attributes picked at random from the whole set (read-only
 * ones too), arrays of 0 elements, as many as one attribute holds (nla_len
 * is 16 bits: 16,382 empty elements, or as many valid routes as fit) and
 * elements numbered 0 to 65,535, and headers with other commands,
 * versions, flags and lengths. B messages (default 32) go in one
 * sendmsg(); their answers are read back together.
 *
 * Objects: gateways fz0..fz(G-1) (G default 4, netns cap 256), conns
 * fc0..fc7 on the tunnel devices of --tunnels; every R messages (default
 * 1000) the pool gateways are deleted, with their conns and routes.
 *
 * State check: what exists at the start (the traffic's gateway, conns,
 * routes) and a sentinel gateway fzkeep with conn keep0 (on
 * --keep-tunnel) are out of the fuzzed messages' reach: names, ifindexes
 * and ids of them are replaced in every message. Every 16th message is a
 * valid change of the sentinel (a route of 10.200.0.0/16 added or deleted,
 * keep0's admin state) whose answer the model predicts; the kernel's
 * answer must match and the model follows what it accepted. At the end:
 * full dumps of gateways, conns and routes must parse, be consistent (each
 * conn's gateway exists, n-conns and n-routes match the dumps), hold the
 * pre-existing objects unchanged and the sentinel as the model says, and
 * only pool objects besides; then the pool and the sentinel are deleted
 * and the dumps must equal those of the start.
 *
 * A run is reproducible from its seed (-s; printed first): the messages
 * depend on the seed, not on the answers. A failure prints the seed and
 * the message's number. Exit 0, 1 on a failure, 2 on a usage error.
 */
#define _GNU_SOURCE
#define HELPER_NAME "genlfuzz"
#define HELPER_USAGE HELPER_NAME \
	" --spec FILE --tunnels IF[,IF...] --keep-tunnel IF [-s SEED] [-n COUNT]" \
	" [-t SECONDS] [--batch B] [--gateways G] [--round R] [--answer-timeout S] [--ns NS]"
#include "helper.h"

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <yaml.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

/* ---------------------------------------------------------------- spec */

enum atype { T_UNUSED, T_FLAG, T_U8, T_U16, T_U32, T_U64, T_S32, T_STRING,
	     T_BINARY, T_NEST, T_IARRAY, T_PAD };

struct sset;

struct sattr {
	char name[40];
	enum atype type;
	int val;
	int maxlen;		/* checks: max-len, -1 if none */
	int enum_n;		/* entries of its enum or flags, 0 if none */
	bool flags;		/* a flags enum: a bit mask */
	char nest_name[40];
	struct sset *nest;
};

#define MAX_ATTRS 48
struct sset {
	char name[40];
	char subset_of[40];
	struct sattr a[MAX_ATTRS];
	int n;
	int maxval;
};

struct sop {
	char name[40];
	int cmd;
	struct sset *set;
	char req[8][40];	/* request attribute names, do or dump */
	int nreq;
	bool has_do, has_dump;
};

struct sdef {
	char name[40];
	long value;		/* const value, or entries of enum/flags */
	int kind;		/* 0 const, 1 enum, 2 flags */
};

#define MAX_SETS 24
#define MAX_OPS 40
#define MAX_DEFS 64
static struct {
	char family[32];
	int version;
	struct sset sets[MAX_SETS];
	int nsets;
	struct sop ops[MAX_OPS];
	int nops;
	int maxcmd;
	struct sdef defs[MAX_DEFS];
	int ndefs;
} spec;

static yaml_document_t ydoc;

static yaml_node_t *ynode(int i)
{
	return yaml_document_get_node(&ydoc, i);
}

static const char *ystr(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *yget(yaml_node_t *m, const char *key)
{
	yaml_node_pair_t *p;

	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k = ystr(ynode(p->key));

		if (k && !strcmp(k, key))
			return ynode(p->value);
	}
	return NULL;
}

/* the items of sequence @s: *n of them */
static yaml_node_item_t *yseq(yaml_node_t *s, int *n)
{
	if (!s || s->type != YAML_SEQUENCE_NODE) {
		*n = 0;
		return NULL;
	}
	*n = (int)(s->data.sequence.items.top - s->data.sequence.items.start);
	return s->data.sequence.items.start;
}

static void cpy(char *dst, size_t size, const char *src)
{
	size_t l = src ? strnlen(src, size - 1) : 0;

	if (l)
		memcpy(dst, src, l);
	dst[l] = 0;
}

static struct sdef *def_find(const char *name)
{
	for (int i = 0; i < spec.ndefs; i++)
		if (!strcmp(spec.defs[i].name, name))
			return &spec.defs[i];
	return NULL;
}

/* "32", "conn-name-max - 1": a number, or a const plus or minus one */
static long spec_expr(const char *s)
{
	char word[64], op[4] = "";
	long v, k = 0;
	struct sdef *d;

	if (sscanf(s, "%63s %3s %ld", word, op, &k) < 1)
		die("spec: bad expression '%s'", s);
	d = def_find(word);
	if (d)
		v = d->value;
	else
		v = strtol(word, NULL, 0);
	if (!strcmp(op, "-"))
		v -= k;
	else if (!strcmp(op, "+"))
		v += k;
	return v;
}

static enum atype spec_type(const char *t)
{
	static const struct { const char *n; enum atype t; } m[] = {
		{ "unused", T_UNUSED }, { "flag", T_FLAG }, { "u8", T_U8 },
		{ "u16", T_U16 }, { "u32", T_U32 }, { "u64", T_U64 },
		{ "s32", T_S32 }, { "string", T_STRING }, { "binary", T_BINARY },
		{ "nest", T_NEST }, { "indexed-array", T_IARRAY }, { "pad", T_PAD },
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (t && !strcmp(t, m[i].n))
			return m[i].t;
	die("spec: unknown attribute type '%s'", t ? t : "(none)");
}

static struct sset *set_find(const char *name)
{
	for (int i = 0; i < spec.nsets; i++)
		if (!strcmp(spec.sets[i].name, name))
			return &spec.sets[i];
	return NULL;
}

static const struct sattr *attr_find(const struct sset *s, const char *name)
{
	for (int i = 0; s && i < s->n; i++)
		if (!strcmp(s->a[i].name, name))
			return &s->a[i];
	return NULL;
}

static void spec_load(const char *path)
{
	yaml_parser_t parser;
	yaml_node_t *root, *n;
	yaml_node_item_t *it;
	FILE *f;
	int cnt, i, j;

	f = fopen(path, "r");
	if (!f)
		die("spec %s: %s", path, strerror(errno));
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &ydoc))
		die("spec %s: line %zu: %s", path, parser.problem_mark.line + 1,
		    parser.problem ? parser.problem : "parse error");
	yaml_parser_delete(&parser);
	fclose(f);
	root = yaml_document_get_root_node(&ydoc);
	cpy(spec.family, sizeof(spec.family), ystr(yget(root, "name")));
	spec.version = ystr(yget(root, "version")) ?
		atoi(ystr(yget(root, "version"))) : 1;

	it = yseq(yget(root, "definitions"), &cnt);
	for (i = 0; i < cnt && spec.ndefs < MAX_DEFS; i++) {
		struct sdef *d = &spec.defs[spec.ndefs++];
		const char *type;
		int ne;

		n = ynode(it[i]);
		cpy(d->name, sizeof(d->name), ystr(yget(n, "name")));
		type = ystr(yget(n, "type"));
		if (type && !strcmp(type, "const")) {
			d->kind = 0;
			d->value = ystr(yget(n, "value")) ?
				strtol(ystr(yget(n, "value")), NULL, 0) : 0;
		} else {
			d->kind = type && !strcmp(type, "flags") ? 2 : 1;
			yseq(yget(n, "entries"), &ne);
			d->value = ne;
		}
	}

	it = yseq(yget(root, "attribute-sets"), &cnt);
	for (i = 0; i < cnt && spec.nsets < MAX_SETS; i++) {
		struct sset *s = &spec.sets[spec.nsets++];
		yaml_node_item_t *ai;
		int na, next = 0;

		n = ynode(it[i]);
		cpy(s->name, sizeof(s->name), ystr(yget(n, "name")));
		cpy(s->subset_of, sizeof(s->subset_of), ystr(yget(n, "subset-of")));
		ai = yseq(yget(n, "attributes"), &na);
		for (j = 0; j < na && s->n < MAX_ATTRS; j++) {
			yaml_node_t *an = ynode(ai[j]), *chk;
			struct sattr *a = &s->a[s->n++];
			const char *v, *e;

			cpy(a->name, sizeof(a->name), ystr(yget(an, "name")));
			a->maxlen = -1;
			if (s->subset_of[0])
				continue;	/* filled from the parent below */
			a->type = spec_type(ystr(yget(an, "type")));
			v = ystr(yget(an, "value"));
			a->val = v ? atoi(v) : next;
			next = a->val + 1;
			cpy(a->nest_name, sizeof(a->nest_name),
			    ystr(yget(an, "nested-attributes")));
			chk = yget(an, "checks");
			if (ystr(yget(chk, "max-len")))
				a->maxlen = (int)spec_expr(ystr(yget(chk, "max-len")));
			e = ystr(yget(an, "enum"));
			if (e && def_find(e)) {
				a->enum_n = (int)def_find(e)->value;
				a->flags = def_find(e)->kind == 2;
			}
			if (a->val > s->maxval)
				s->maxval = a->val;
		}
	}
	/* subsets: their attributes as in the parent set; nests resolved */
	for (i = 0; i < spec.nsets; i++) {
		struct sset *s = &spec.sets[i];

		if (s->subset_of[0]) {
			struct sset *p = set_find(s->subset_of);

			if (!p)
				die("spec: %s: subset of unknown set %s", s->name, s->subset_of);
			for (j = 0; j < s->n; j++) {
				const struct sattr *pa = attr_find(p, s->a[j].name);

				if (!pa)
					die("spec: %s.%s not in %s", s->name, s->a[j].name, p->name);
				s->a[j] = *pa;
			}
			s->maxval = p->maxval;
		}
	}
	for (i = 0; i < spec.nsets; i++)
		for (j = 0; j < spec.sets[i].n; j++) {
			struct sattr *a = &spec.sets[i].a[j];

			if (a->nest_name[0] && !(a->nest = set_find(a->nest_name)))
				die("spec: %s.%s: unknown set %s", spec.sets[i].name,
				    a->name, a->nest_name);
		}

	it = yseq(yget(yget(root, "operations"), "list"), &cnt);
	for (i = 0, j = 0; i < cnt; i++) {
		yaml_node_t *doit, *dump, *req;
		struct sop *o;
		const char *v;
		yaml_node_item_t *ri;
		int nr, k;

		n = ynode(it[i]);
		v = ystr(yget(n, "value"));
		j = v ? atoi(v) : j + 1;
		doit = yget(n, "do");
		dump = yget(n, "dump");
		if (j > spec.maxcmd && !yget(n, "notify") && !yget(n, "event"))
			spec.maxcmd = j;
		if ((!doit && !dump) || spec.nops >= MAX_OPS)
			continue;
		o = &spec.ops[spec.nops++];
		cpy(o->name, sizeof(o->name), ystr(yget(n, "name")));
		o->cmd = j;
		o->set = set_find(ystr(yget(n, "attribute-set")) ?: "");
		if (!o->set)
			die("spec: op %s: unknown attribute set", o->name);
		o->has_do = doit && yget(doit, "request");
		o->has_dump = dump != NULL;
		req = yget(yget(doit ? doit : dump, "request"), "attributes");
		if (!req && dump)
			req = yget(yget(dump, "request"), "attributes");
		ri = yseq(req, &nr);
		for (k = 0; k < nr && o->nreq < 8; k++)
			cpy(o->req[o->nreq++], sizeof(o->req[0]), ystr(ynode(ri[k])));
	}
	if (!spec.nops || !spec.family[0])
		die("spec %s: no family name or no operations", path);
}

static const struct sop *op_find(const char *name)
{
	for (int i = 0; i < spec.nops; i++)
		if (!strcmp(spec.ops[i].name, name))
			return &spec.ops[i];
	return NULL;
}

/* the id of attribute SET.NAME; dies if the spec has none */
static int aid(const char *set, const char *name)
{
	const struct sattr *a = attr_find(set_find(set), name);

	if (!a)
		die("spec: no attribute %s.%s", set, name);
	return a->val;
}

/* -------------------------------------------------------------- random */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

/* true with probability P percent */
static bool pct(unsigned int p)
{
	return rnd(100) < p;
}

/* --------------------------------------------------------------- pools */

#define MAX_POOL 64
#define N_CONNS 8
static int n_gws = 4;
static char tun_names[16][IFNAMSIZ];
static int n_tuns;
static uint32_t tun_ifindex[16];
static char keep_tunnel[IFNAMSIZ];

/* what the fuzzed messages must not name: the sentinel and what existed */
static uint32_t prot_ifindex[MAX_POOL];
static int n_prot_ifindex;
static uint32_t prot_id[MAX_POOL];
static int n_prot_id;
static char prot_name[MAX_POOL][40];
static int n_prot_name;

static void gw_name(int i, char *buf, size_t size)
{
	snprintf(buf, size, "fz%d", i);
}

/* pool gateways' ifindexes (0: absent), looked up once per batch */
static uint32_t gw_ifx[256];

/*
 * ifindex of device NAME, 0 if none: SIOCGIFINDEX on one socket kept
 * open. Only for devices that exist: for a missing one the kernel asks
 * modprobe for a module "netdev-NAME", a second in a guest.
 */
static uint32_t name_to_index(const char *name)
{
	static int fd = -1;
	struct ifreq ifr;

	if (fd < 0)
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	cpy(ifr.ifr_name, sizeof(ifr.ifr_name), name);
	if (fd < 0 || ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		return 0;
	return (uint32_t)ifr.ifr_ifindex;
}

/* set again when a gw-new or gw-del was accepted */
static bool gw_dirty = true;

/* the pool gateways' ifindexes from one RTM_GETLINK dump */
static void gw_refresh(void)
{
	struct if_nameindex *ni = if_nameindex(), *p;

	memset(gw_ifx, 0, sizeof(gw_ifx));
	for (p = ni; p && p->if_index; p++) {
		int k;
		char end;

		if (sscanf(p->if_name, "fz%d%c", &k, &end) == 1 && k >= 0 && k < n_gws)
			gw_ifx[k] = p->if_index;
	}
	if (ni)
		if_freenameindex(ni);
	gw_dirty = false;
}

static uint32_t gw_ifindex(int i)
{
	return gw_ifx[i];
}

static bool protected_u32(uint32_t v)
{
	for (int i = 0; i < n_prot_ifindex; i++)
		if (prot_ifindex[i] == v)
			return true;
	for (int i = 0; i < n_prot_id; i++)
		if (prot_id[i] == v)
			return true;
	return false;
}

static bool protected_name(const char *s, size_t len)
{
	for (int i = 0; i < n_prot_name; i++)
		if (strnlen(s, len) == strlen(prot_name[i]) &&
		    !strncmp(s, prot_name[i], len))
			return true;
	return false;
}

/* ---------------------------------------------------------- attr trees */

struct node {
	uint16_t type;		/* with NLA_F_NESTED / NLA_F_NET_BYTEORDER */
	bool nest;
	const struct sattr *sa;	/* NULL: unknown or array element */
	uint8_t *data;
	uint32_t len;
	struct node *kid, *next;
	struct node *last;	/* of kid's list, if node_add() built it */
};

#define MAX_NODES 40000
#define DATA_ARENA (1 << 20)
static struct node nodes[MAX_NODES];
static int n_nodes;
static uint8_t arena[DATA_ARENA];
static size_t arena_used;

static void tree_reset(void)
{
	n_nodes = 0;
	arena_used = 0;
}

static struct node *node_new(uint16_t type, bool nest, const struct sattr *sa)
{
	struct node *n;

	if (n_nodes >= MAX_NODES)
		return NULL;
	n = &nodes[n_nodes++];
	memset(n, 0, sizeof(*n));
	n->type = type | (nest ? NLA_F_NESTED : 0);
	n->nest = nest;
	n->sa = sa;
	return n;
}

static uint8_t *data_new(size_t len)
{
	uint8_t *p;

	if (arena_used + len > DATA_ARENA)
		return NULL;
	p = arena + arena_used;
	arena_used += (len + 3) & ~(size_t)3;
	return p;
}

static void node_set(struct node *n, const void *d, size_t len)
{
	uint8_t *p = data_new(len);

	if (!p)
		len = 0;
	else if (len)
		memcpy(p, d, len);
	n->data = p;
	n->len = (uint32_t)len;
}

static void node_add(struct node *parent, struct node *kid)
{
	struct node **pp = &parent->kid;

	if (!kid)
		return;
	/* the tail, if still the last of the list (mutations may cut it) */
	if (parent->last && parent->kid && !parent->last->next)
		pp = &parent->last->next;
	while (*pp)
		pp = &(*pp)->next;
	*pp = kid;
	parent->last = kid;
}

/* ---------------------------------------------------------- generation */

/* what a valid message of an op carries: "set.attr" words, "a|b" one of */
struct plan {
	const char *op, *req, *opt;
};

static const struct plan plans[] = {
	{ "gw-new", "vpnrt.gw gw.ifname",
	  "gw.ecmp-hash gw.max-paths gw.max-conns gw.max-bgp-routes gw.max-peer-routes "
	  "gw.max-policy-routes gw.max-routes gw.owner" },
	{ "gw-del", "vpnrt.gw gw.ifname|gw.ifindex", "" },
	{ "gw-set", "vpnrt.gw gw.ifname|gw.ifindex",
	  "gw.ecmp-hash gw.max-paths gw.max-conns gw.max-bgp-routes gw.max-peer-routes "
	  "gw.max-policy-routes gw.max-routes" },
	{ "gw-get", "vpnrt.gw gw.ifname|gw.ifindex", "" },
	{ "conn-new", "vpnrt.conn conn.name conn.gw-ifindex conn.tunnels tunnel.ifindex",
	  "conn.mode conn.admin conn.ike-managed conn.owner tunnel.position conn.routing" },
	{ "conn-del", "vpnrt.conn conn.name|conn.id", "" },
	{ "conn-set", "vpnrt.conn conn.name|conn.id health.family health.dst health.src",
	  "conn.admin conn.ike conn.tunnels tunnel.position tunnel.health tunnel.ike "
	  "health.interval health.retries health.rise health.policy" },
	{ "conn-get", "vpnrt.conn conn.name|conn.id", "" },
	{ "route-new", "vpnrt.routes route.family route.dst route.dst-len route.proto "
	  "route.conn|route.conn-id", "vpnrt.replace route.weight route.pref route.gw-ifindex" },
	{ "route-del", "vpnrt.routes route.family route.dst route.dst-len route.proto "
	  "route.conn|route.conn-id", "route.gw-ifindex" },
	{ "route-get", "", "vpnrt.routes route.gw-ifindex route.conn route.proto route.family" },
	{ "route-lookup", "vpnrt.lookup lookup.gw-ifindex lookup.family lookup.dst",
	  "lookup.src lookup.ipproto lookup.sport lookup.dport" },
	{ "route-stale", "vpnrt.stale stale.gw-ifindex", "stale.conn stale.proto stale.timeout" },
	{ "route-sweep", "vpnrt.stale stale.gw-ifindex", "stale.conn stale.proto" },
};

/* does WORDS (space separated, "a|b" alternatives) name SET.ATTR? */
static int plan_has(const char *words, const char *set, const char *attr)
{
	char key[96];
	const char *p;
	size_t kl;

	if (!words)
		return 0;
	kl = (size_t)snprintf(key, sizeof(key), "%s.%s", set, attr);
	for (p = words; (p = strstr(p, key)); p += kl) {
		bool start = p == words || p[-1] == ' ' || p[-1] == '|';
		bool end = !p[kl] || p[kl] == ' ' || p[kl] == '|';

		if (start && end) {
			/* in an alternative: 2 + its index in the group */
			const char *g = p, *e;
			int idx = 0, cnt = 1;

			while (g > words && g[-1] != ' ')
				g--;
			e = g + strcspn(g, " ");
			for (const char *q = g; q < e; q++)
				if (*q == '|') {
					cnt++;
					if (q < p)
						idx++;
				}
			return cnt == 1 ? 1 : 2 + idx * 16 + cnt;
		}
	}
	return 0;
}

/* plan_has() of a plan's req (0) or opt (1) for each set and attribute */
#define N_PLANS (sizeof(plans) / sizeof(plans[0]))
static int plan_cache[N_PLANS][2][MAX_SETS][MAX_ATTRS];
static bool plan_cached;

static void plan_cache_fill(void)
{
	for (size_t p = 0; p < N_PLANS; p++)
		for (int s = 0; s < spec.nsets; s++)
			for (int a = 0; a < spec.sets[s].n; a++) {
				plan_cache[p][0][s][a] = plan_has(plans[p].req, spec.sets[s].name,
								  spec.sets[s].a[a].name);
				plan_cache[p][1][s][a] = plan_has(plans[p].opt, spec.sets[s].name,
								  spec.sets[s].a[a].name);
			}
	plan_cached = true;
}

/* plan_has() of plan P's req (which 0) or opt (1) for attribute A of set S */
static int plan_lookup(const struct plan *p, int which, const struct sset *s,
		       const struct sattr *a)
{
	if (!p)
		return 0;
	if (!plan_cached)
		plan_cache_fill();
	return plan_cache[p - plans][which][s - spec.sets][a - s->a];
}

/* generation state of one message */
struct gctx {
	const struct plan *plan;
	bool valid;		/* plan and realistic values only */
	int family;		/* of the nest being built */
	int proto;		/* of the route being built */
	int alt_pick[8];	/* which alternative of a group, per nest */
	int route_base;		/* routes of one array differ */
	int elem;
};

static const uint32_t u32_edges[] = {
	0, 1, 2, 3, 15, 16, 17, 50, 99, 100, 101, 255, 256, 4095, 4096, 4097,
	65535, 65536, 86400, 86401, 100000, 100001, 1000000, 1000001, 1048576,
	0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
};

static uint32_t rnd_u32_edge(void)
{
	if (pct(70))
		return u32_edges[rnd(sizeof(u32_edges) / sizeof(u32_edges[0]))];
	return (uint32_t)rnd64();
}

static void put_u32(struct node *n, uint32_t v)
{
	node_set(n, &v, 4);
}

static void put_str(struct node *n, const char *s)
{
	node_set(n, s, strlen(s) + 1);
}

static const char *const bad_names[] = {
	"", "a b", "fz/0", "..", "-", "x\ty", "fz0:1", "0123456789abcdef",
	"0123456789abcde", "verylongnameverylongnameverylong",
	"verylongnameverylongnameverylon", "\xff\xfe",
};

static void gen_addr(struct node *n, struct gctx *c, const char *what)
{
	uint8_t a[16] = { 0 };
	size_t len = c->family == AF_INET6 ? 16 : 4;

	if (c->family == AF_INET6) {
		a[0] = 0xfd;
		a[1] = (uint8_t)(strstr(what, "src") ? 0x98 : rnd(4));
		a[2] = (uint8_t)rnd(4);
		a[15] = 1;
	} else {
		a[0] = 10;
		a[1] = (uint8_t)(strstr(what, "src") ? 98 : 1 + rnd(3));
		a[2] = (uint8_t)(c->route_base + c->elem + rnd(2));
		a[3] = strstr(what, "src") ? 1 : 0;
	}
	if (!c->valid && pct(20)) {
		static const size_t lens[] = { 0, 1, 3, 5, 15, 16, 17 };

		len = lens[rnd(7)];
		for (size_t i = 0; i < len && i < 16; i++)
			a[i] = (uint8_t)rnd64();
		if (len > 16) {
			uint8_t big[17];

			memcpy(big, a, 16);
			big[16] = 0xaa;
			node_set(n, big, 17);
			return;
		}
	}
	node_set(n, a, len);
}

/* the value of leaf A of set S */
static void gen_leaf(struct node *n, const struct sset *s, const struct sattr *a,
		     struct gctx *c)
{
	const char *nm = a->name;
	bool bad = !c->valid && pct(25);
	uint32_t v;
	char buf[64];

	switch (a->type) {
	case T_FLAG:
		if (bad)
			put_u32(n, (uint32_t)rnd64());
		return;
	case T_STRING:
		if (bad) {
			if (pct(30)) {
				/* over max-len, maybe without its NUL */
				size_t l = (size_t)(a->maxlen > 0 ? a->maxlen : 15) + 1 + rnd(300);
				uint8_t *p = data_new(l);

				if (p) {
					memset(p, 'x', l);
					if (pct(50))
						p[l - 1] = 0;
					n->data = p;
					n->len = (uint32_t)l;
				}
			} else {
				put_str(n, bad_names[rnd(sizeof(bad_names) / sizeof(bad_names[0]))]);
			}
			return;
		}
		if (!strcmp(nm, "ifname") && !strcmp(s->name, "gw")) {
			gw_name((int)rnd((uint32_t)n_gws), buf, sizeof(buf));
		} else if (!strcmp(nm, "ifname") || !strcmp(nm, "tunnel-ifname")) {
			cpy(buf, IFNAMSIZ, tun_names[rnd((uint32_t)n_tuns)]);
		} else {
			snprintf(buf, sizeof(buf), "fc%u", rnd(N_CONNS));
		}
		put_str(n, buf);
		return;
	case T_BINARY:
		gen_addr(n, c, nm);
		return;
	case T_U8:
	case T_U16:
	case T_U32:
	case T_S32:
		break;
	case T_U64:
	case T_PAD:
	default: {
		uint64_t q = pct(50) ? rnd64() : rnd(3);

		node_set(n, &q, a->type == T_PAD ? rnd(5) : 8);
		return;
	}
	}

	/* integers */
	if (!strcmp(nm, "family")) {
		v = (uint32_t)c->family;
		if (bad)
			v = pct(50) ? rnd(12) : 0xffff;
	} else if (strstr(nm, "ifindex")) {
		if (!strcmp(s->name, "tunnel") || strstr(nm, "tunnel"))
			v = tun_ifindex[rnd((uint32_t)n_tuns)];
		else
			v = gw_ifindex((int)rnd((uint32_t)n_gws));
		if (bad || !v)
			v = pct(50) ? rnd(64) : rnd_u32_edge();
	} else if (!strcmp(nm, "id") || !strcmp(nm, "conn-id")) {
		v = 1 + rnd(24);
		if (bad)
			v = rnd_u32_edge();
	} else if (strstr(nm, "-len")) {
		uint32_t max = c->family == AF_INET6 ? 128 : 32;

		v = max - rnd(3) * 8;
		if (bad)
			v = pct(50) ? max + 1 + rnd(3) : 255;
	} else if (!strcmp(nm, "proto")) {
		v = (uint32_t)c->proto;
		if (bad)
			v = pct(50) ? 0 : 4 + rnd(252);
	} else if (!strcmp(nm, "weight")) {
		v = bad ? 101 + rnd(155) : rnd(101);
	} else if (!strcmp(nm, "priority")) {
		v = bad ? (pct(50) ? 0 : 101 + rnd(155)) : 1 + rnd(100);
	} else if (!strcmp(nm, "interval")) {
		v = bad ? rnd_u32_edge() : 1000 + rnd(4000);
	} else if (!strcmp(nm, "retries") || !strcmp(nm, "rise")) {
		v = bad ? (pct(50) ? 0 : 101) : 1 + rnd(5);
	} else if (!strcmp(nm, "timeout")) {
		v = bad ? (pct(50) ? 86400 : 86401) : rnd(3);
	} else if (!strcmp(nm, "position")) {
		v = bad ? (pct(50) ? 0 : 3 + rnd(253)) : 1 + (uint32_t)c->elem % 2;
	} else if (!strcmp(nm, "routing")) {
		v = bad ? 2 + rnd(254) : 0;	/* flow needs CIDRs: left to mutation */
	} else if (!strcmp(nm, "ike-managed") || !strcmp(nm, "ike") ||
		   !strcmp(nm, "admin")) {
		v = bad ? 2 + rnd(254) : rnd(2);
	} else if (!strcmp(nm, "max-paths")) {
		v = bad ? (pct(50) ? 0 : 17) : 1 + rnd(16);
	} else if (!strncmp(nm, "max-", 4)) {
		v = bad ? rnd_u32_edge() : 1 + rnd(200);
	} else if (a->enum_n) {
		if (a->flags)
			v = bad ? (uint32_t)rnd64() : rnd(1u << a->enum_n);
		else
			v = bad ? (uint32_t)a->enum_n + rnd(3) : rnd((uint32_t)a->enum_n);
	} else {
		v = c->valid ? rnd(100) : rnd_u32_edge();
	}
	if (a->type == T_U8) {
		uint8_t b = (uint8_t)v;

		node_set(n, &b, 1);
	} else if (a->type == T_U16) {
		uint16_t h = (uint16_t)v;

		node_set(n, &h, 2);
	} else {
		put_u32(n, v);
	}
}

static struct node *gen_set(const struct sset *s, uint16_t type, const struct sattr *sa,
			    struct gctx *c, int depth, bool random_attrs);

/* an indexed array of nests of set S: elements numbered 1.. */
static struct node *gen_array(const struct sattr *a, struct gctx *c, int depth,
			      bool random_attrs)
{
	struct node *arr = node_new((uint16_t)a->val, true, a);
	int n, i;

	if (!arr)
		return NULL;
	if (!strcmp(a->name, "tunnels"))
		n = 1 + (int)rnd(2);
	else
		n = pct(90) ? 1 + (int)rnd(3) : 1 + (int)rnd(64);
	c->route_base = (int)rnd(8);
	for (i = 0; i < n; i++) {
		c->elem = i;
		node_add(arr, gen_set(a->nest, (uint16_t)(i + 1), NULL, c, depth + 1,
				      random_attrs));
	}
	return arr;
}

static struct node *gen_set(const struct sset *s, uint16_t type, const struct sattr *sa,
			    struct gctx *c, int depth, bool random_attrs)
{
	struct node *nest = node_new(type, true, sa);
	int picks[8];

	if (!nest || !s)
		return nest;
	for (int g = 0; g < 8; g++)
		picks[g] = -1;
	c->family = pct(70) ? AF_INET : AF_INET6;
	c->proto = 1 + (int)rnd(3);
	if (c->proto == 2)
		c->proto = 1;	/* policy routes need src: rare, by mutation */
	for (int i = 0; i < s->n; i++) {
		const struct sattr *a = &s->a[i];
		int h = plan_lookup(c->plan, 0, s, a);
		bool take;
		struct node *k;

		if (a->type == T_UNUSED)
			continue;
		if (random_attrs || !c->plan) {
			take = pct(25);
		} else if (h == 1) {
			take = true;
		} else if (h > 1) {
			int idx = (h - 2) / 16, cnt = (h - 2) % 16, g = 0;

			/* one of the group: pick it once per nest */
			if (picks[g] < 0)
				picks[g] = (int)rnd((uint32_t)cnt);
			take = picks[g] == idx;
		} else {
			take = plan_lookup(c->plan, 1, s, a) && pct(35);
		}
		if (!take)
			continue;
		if (depth > 6)
			continue;
		if (a->type == T_NEST) {
			int fam = c->family;

			k = gen_set(a->nest, (uint16_t)a->val, a, c, depth + 1, random_attrs);
			c->family = fam;
		} else if (a->type == T_IARRAY) {
			k = gen_array(a, c, depth, random_attrs);
		} else {
			k = node_new((uint16_t)a->val, false, a);
			if (k)
				gen_leaf(k, s, a, c);
		}
		node_add(nest, k);
	}
	return nest;
}

/* ------------------------------------------------------------ mutation */

static struct node *all[MAX_NODES];
static struct node *parent_of[MAX_NODES];
static int n_all;

static void collect(struct node *p, struct node *n)
{
	for (; n; n = n->next) {
		if (n_all < MAX_NODES) {
			all[n_all] = n;
			parent_of[n_all++] = p;
		}
		if (n->nest)
			collect(n, n->kid);
	}
}

static void unlink_node(struct node *p, struct node *n)
{
	struct node **pp = &p->kid;

	while (*pp && *pp != n)
		pp = &(*pp)->next;
	if (*pp)
		*pp = n->next;
}

static const char *const mut_names[] = {
	"drop", "duplicate", "length", "string", "big", "unknown", "nestflag",
	"byteorder", "flatten", "nest-leaf", "value", "deep", "type0",
};
#define N_MUT (int)(sizeof(mut_names) / sizeof(mut_names[0]))

/* one mutation of the tree under ROOT (a pseudo nest of the top level) */
static void mutate(struct node *root, const struct sset *top)
{
	struct node *n, *p, *k;
	int m = (int)rnd(N_MUT), i;
	uint8_t junk[16];

	n_all = 0;
	collect(root, root->kid);
	if (!n_all) {
		m = 5;
		n = root;
		p = root;
	} else {
		i = (int)rnd((uint32_t)n_all);
		n = all[i];
		p = parent_of[i];
	}
	for (i = 0; i < 16; i++)
		junk[i] = (uint8_t)rnd64();
	switch (m) {
	case 0:
		if (n != root)
			unlink_node(p, n);
		break;
	case 1:
		if (n != root && (k = node_new(0, false, NULL))) {
			*k = *n;
			k->next = n->next;
			n->next = k;
		}
		break;
	case 2:
		if (!n->nest)
			node_set(n, junk, rnd(10));
		break;
	case 3: {
		size_t l = 1 + rnd(64);
		uint8_t *d = data_new(l);

		if (d && !n->nest) {
			memset(d, 'A' + (int)rnd(26), l);	/* no NUL */
			n->data = d;
			n->len = (uint32_t)l;
		}
		break;
	}
	case 4: {
		size_t l = 300 + rnd(4000);
		uint8_t *d = data_new(l);

		if (d && !n->nest) {
			memset(d, (int)rnd(256), l);
			n->data = d;
			n->len = (uint32_t)l;
		}
		break;
	}
	case 5: {
		const struct sset *s = p == root ? top :
			(p->sa && p->sa->nest ? p->sa->nest : NULL);
		uint16_t t = (uint16_t)(s ? (uint32_t)s->maxval + 1 + rnd(3) : 200 + rnd(50));

		if (pct(20))
			t = 0x3fff;
		k = node_new(t, false, NULL);
		if (k) {
			node_set(k, junk, rnd(17));
			node_add(p, k);
		}
		break;
	}
	case 6:
		n->type ^= NLA_F_NESTED;
		break;
	case 7:
		n->type |= NLA_F_NET_BYTEORDER;
		break;
	case 8:
		if (n->nest) {
			n->nest = false;
			n->type &= (uint16_t)~NLA_F_NESTED;
			node_set(n, junk, rnd(17));
		}
		break;
	case 9:
		if (!n->nest && (k = node_new(1 + rnd(4), false, NULL))) {
			n->nest = true;
			n->kid = NULL;
			n->type |= NLA_F_NESTED;
			node_set(k, junk, 4);
			node_add(n, k);
		}
		break;
	case 10:
		if (!n->nest && n->len) {
			uint8_t *d = data_new(n->len);

			if (d) {
				for (uint32_t j = 0; j < n->len; j++)
					d[j] = (uint8_t)rnd64();
				n->data = d;
			}
		}
		break;
	case 11:
		if (n != root) {
			int depth = 2 + (int)rnd(40);
			struct node copy = *n, *inner;

			inner = node_new(0, false, NULL);
			if (!inner)
				break;
			*inner = copy;
			inner->next = NULL;
			for (i = 0; i < depth; i++) {
				struct node *w = node_new(copy.type & NLA_TYPE_MASK, true, copy.sa);

				if (!w)
					break;
				w->kid = inner;
				inner = w;
			}
			inner->next = n->next;
			*n = *inner;
		}
		break;
	default:
		n->type &= (uint16_t)~NLA_TYPE_MASK;
		break;
	}
}

/* names, ifindexes and ids of protected objects out of the tree */
static void shield(struct node *n)
{
	for (; n; n = n->next) {
		if (n->nest) {
			shield(n->kid);
			continue;
		}
		if (n->len >= 4 && n->len <= 8 && n->sa &&
		    (strstr(n->sa->name, "ifindex") || !strcmp(n->sa->name, "id") ||
		     !strcmp(n->sa->name, "conn-id"))) {
			uint32_t v;

			memcpy(&v, n->data, 4);
			if (protected_u32(v)) {
				v = 0xfffffff0u;
				memcpy(n->data, &v, 4);
			}
		}
		if (n->len && protected_name((const char *)n->data, n->len))
			n->data[0] = '#';
	}
}

/* --------------------------------------------------------- serializing */

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	bool full;
};

static void *wput(struct wbuf *w, const void *d, size_t len)
{
	void *at;

	if (w->len + NLA_ALIGN(len) > w->cap) {
		w->full = true;
		return NULL;
	}
	at = w->p + w->len;
	if (d)
		memcpy(at, d, len);
	else
		memset(at, 0, len);
	memset((uint8_t *)at + len, 0, NLA_ALIGN(len) - len);
	w->len += NLA_ALIGN(len);
	return at;
}

/* attribute header offsets written, for length mutations */
static size_t hdr_off[MAX_NODES];
static int n_hdr;

static void ser(struct wbuf *w, const struct node *n)
{
	for (; n; n = n->next) {
		size_t start = w->len, total;
		struct nlattr *h = wput(w, NULL, NLA_HDRLEN);

		if (!h)
			return;
		if (n_hdr < MAX_NODES)
			hdr_off[n_hdr++] = start;
		if (n->nest)
			ser(w, n->kid);
		else if (n->len)
			wput(w, n->data, n->len);
		total = n->nest ? w->len - start : NLA_HDRLEN + n->len;
		h = (struct nlattr *)(w->p + start);
		h->nla_len = total > 0xffff ? 0xffff : (uint16_t)total;
		h->nla_type = n->type;
	}
}

/* ----------------------------------------------------------- messages */

enum mkind { K_VALID, K_MUTATED, K_RANDOM, K_ARRAY, K_HEADER, K_SENTINEL, K_ROUND };

static const char *const kind_names[] = {
	"valid", "mutated", "random-attrs", "array-edges", "header", "sentinel", "round",
};

/* what is known of one message of a batch */
struct msgmeta {
	uint64_t no;		/* message number of the run, from 1 */
	uint32_t seq;
	int op;			/* index into spec.ops, -1: not a spec op */
	enum mkind kind;
	bool dump, noack, done;
	int expect;		/* sentinel: the answer the model predicts */
	int sent_op;		/* sentinel: 0 route add, 1 route del, 2 admin */
	int sent_arg;
	int err;
	char extack[160];
};

static int nl_fd;
static uint16_t family_id;
static uint32_t nl_seq = 1000;
static uint64_t msg_no;
static uint64_t seed;

#define BATCH_MAX 256
#define SEND_CAP (4 << 20)
static uint8_t sendbuf[SEND_CAP];
static struct msgmeta meta[BATCH_MAX];
static int n_meta;
static size_t send_len;

/* statistics per op: sent, accepted, and errnos */
static struct {
	uint64_t sent, ok;
	uint64_t err[140];
} stats[MAX_OPS + 1];
static uint64_t kind_count[7];
static uint64_t total_ok, total_err, total_noack, replies_checked;
/* the slowest batch: seconds, its first message and what it held */
static double slow_secs;
static uint64_t slow_no;
static char slow_ops[256];

/* start message HDR of op O (index) in the send buffer: its genl header */
static struct wbuf msg_begin(struct nlmsghdr **hp, uint8_t cmd, uint16_t flags)
{
	struct wbuf w = { sendbuf + send_len, 0, SEND_CAP - send_len, false };
	struct nlmsghdr *h = wput(&w, NULL, NLMSG_HDRLEN);
	struct genlmsghdr *g = wput(&w, NULL, GENL_HDRLEN);

	*hp = h;
	if (!h || !g)
		return w;
	h->nlmsg_type = family_id;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	h->nlmsg_seq = ++nl_seq;
	g->cmd = cmd;
	g->version = (uint8_t)spec.version;
	return w;
}

static struct msgmeta *msg_end(struct wbuf *w, struct nlmsghdr *h, int op,
			       enum mkind kind)
{
	struct msgmeta *m;

	if (!h || w->full)
		return NULL;
	h->nlmsg_len = (uint32_t)w->len;
	send_len += NLMSG_ALIGN(w->len);
	m = &meta[n_meta++];
	memset(m, 0, sizeof(*m));
	m->no = ++msg_no;
	m->seq = h->nlmsg_seq;
	m->op = op;
	m->kind = kind;
	m->dump = h->nlmsg_flags & NLM_F_DUMP;
	kind_count[kind]++;
	if (op >= 0)
		stats[op].sent++;
	else
		stats[MAX_OPS].sent++;
	return m;
}

static int op_index(const struct sop *o)
{
	return o ? (int)(o - spec.ops) : -1;
}

static const struct plan *plan_of(const struct sop *o)
{
	for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]); i++)
		if (!strcmp(plans[i].op, o->name))
			return &plans[i];
	return NULL;
}

/* attribute A of op O's top-level set: a nest, an array or a value */
static struct node *gen_top_attr(const struct sop *o, const struct sattr *a,
				 struct gctx *c, bool random_attrs)
{
	struct node *k;

	if (a->type == T_NEST)
		return gen_set(a->nest, (uint16_t)a->val, a, c, 1, random_attrs);
	if (a->type == T_IARRAY)
		return gen_array(a, c, 0, random_attrs);
	if ((k = node_new((uint16_t)a->val, false, a)))
		gen_leaf(k, o->set, a, c);
	return k;
}

/* the top level of op O as a tree under a pseudo root */
static void gen_top(struct node *root, const struct sop *o, struct gctx *c, bool random_attrs)
{
	for (int i = 0; i < o->nreq; i++) {
		const struct sattr *a = attr_find(o->set, o->req[i]);
		int h;

		if (!a)
			continue;
		h = plan_has(c->plan ? c->plan->req : NULL, o->set->name, a->name);
		if (!random_attrs && c->plan && !h &&
		    !(plan_has(c->plan->opt, o->set->name, a->name) && pct(60)))
			continue;
		if (random_attrs && pct(20))
			continue;
		node_add(root, gen_top_attr(o, a, c, random_attrs));
	}
	if (random_attrs) {
		/* any attribute of the top set, read-only and unused ones too */
		int extra = (int)rnd(3);

		for (int i = 0; i < extra; i++) {
			const struct sattr *a = &o->set->a[rnd((uint32_t)o->set->n)];

			node_add(root, gen_top_attr(o, a, c, true));
		}
	}
}

/* an indexed array at its edges: 0 elements, full, elements 0 and 65535 */
static void gen_array_edges(struct node *root, const struct sop *o, struct gctx *c)
{
	const struct sattr *arr = NULL;
	struct node *a;
	/* the full ones cost most to build: a quarter */
	int how = pct(25) ? 1 + (int)rnd(2) : pct(40) ? 0 : 3;

	for (int i = 0; i < o->set->n; i++)
		if (o->set->a[i].type == T_IARRAY)
			arr = &o->set->a[i];
	if (!strncmp(o->name, "conn-", 5))
		arr = attr_find(set_find("conn"), "tunnels");
	if (!arr)
		return;
	if (attr_find(o->set, "conn") && !strcmp(arr->name, "tunnels")) {
		/* conn.tunnels lives in the conn nest */
		struct node *cn = node_new((uint16_t)aid("vpnrt", "conn"), true,
					   attr_find(o->set, "conn"));

		node_add(root, cn);
		root = cn;
	}
	a = node_new((uint16_t)arr->val, true, arr);
	if (!a)
		return;
	node_add(root, a);
	switch (how) {
	case 0:		/* no element */
		break;
	case 1:		/* as many empty elements as one attribute holds */
		for (int i = 0; i < (0xffff - NLA_HDRLEN) / NLA_HDRLEN; i++)
			node_add(a, node_new((uint16_t)(i + 1), true, NULL));
		break;
	case 2: {	/* as many valid elements as fit */
		struct wbuf w;
		uint8_t tmp[256];
		struct node *e;
		size_t esz;

		c->elem = 0;
		e = gen_set(arr->nest, 1, NULL, c, 2, false);
		w = (struct wbuf){ tmp, 0, sizeof(tmp), false };
		n_hdr = 0;
		ser(&w, e);
		esz = w.len ? w.len : 4;
		a->kid = NULL;
		for (size_t i = 0; i < (0xffff - NLA_HDRLEN) / esz; i++) {
			c->elem = (int)i;
			c->route_base = (int)(i / 2);
			node_add(a, gen_set(arr->nest, (uint16_t)(i + 1), NULL, c, 2, false));
		}
		break;
	}
	default: {	/* elements numbered 0, 65535, twice the same */
		static const uint16_t types[] = { 0, 0xffff, 1, 1, 2, 0x3fff, 0x7fff };

		for (int i = 0; i < 1 + (int)rnd(4); i++) {
			c->elem = i;
			node_add(a, gen_set(arr->nest, types[rnd(7)], NULL, c, 2, false));
		}
		break;
	}
	}
}

/* a fuzz message of a random op into the batch; false if it is full */
static bool add_fuzz_msg(void)
{
	const struct sop *o;
	struct gctx c = { 0 };
	struct node root = { 0 };
	struct nlmsghdr *h;
	struct wbuf w;
	struct msgmeta *m;
	enum mkind kind;
	uint16_t flags = 0;
	uint8_t cmd;
	int r = (int)rnd(100), oi;
	bool dump, cut = false, badlen = false;
	size_t save_len = send_len;
	int save_meta = n_meta;

	/* gateways are costly to create and delete (rcu_barrier): rarely */
	do {
		oi = (int)rnd((uint32_t)spec.nops);
		o = &spec.ops[oi];
	} while ((!strcmp(o->name, "gw-new") || !strcmp(o->name, "gw-del")) && pct(85));
	kind = r < 30 ? K_VALID : r < 78 ? K_MUTATED : r < 90 ? K_RANDOM :
		r < 93 ? K_ARRAY : K_HEADER;
	dump = o->has_dump && (!o->has_do || pct(50));
	if (dump)
		flags |= NLM_F_DUMP;
	c.plan = plan_of(o);
	/* mutations start from a valid message */
	c.valid = kind == K_VALID || kind == K_MUTATED;
	tree_reset();
	if (kind == K_ARRAY)
		gen_array_edges(&root, o, &c);
	else
		gen_top(&root, o, &c, kind == K_RANDOM);
	if (kind == K_MUTATED)
		for (int i = 0, nm = 1 + (int)rnd(3); i < nm; i++)
			mutate(&root, o->set);
	cmd = (uint8_t)o->cmd;
	if (kind == K_HEADER) {
		switch (rnd(6)) {
		case 0:
			cmd = (uint8_t)(pct(50) ? rnd((uint32_t)spec.maxcmd + 3) : rnd(256));
			break;
		case 1:
			flags ^= NLM_F_DUMP;
			break;
		case 2:
			flags |= (uint16_t)(0x100 << rnd(4));	/* ROOT..APPEND */
			break;
		case 3:
			flags |= NLM_F_ECHO;
			break;
		case 4:
			cut = true;
			break;
		default:
			badlen = true;
			break;
		}
	}
	shield(root.kid);
	w = msg_begin(&h, cmd, flags);
	if (!h)
		return false;
	if (kind == K_HEADER && pct(30))
		((struct genlmsghdr *)(h + 1))->version = (uint8_t)rnd(256);
	if (kind == K_HEADER && pct(20))
		((struct genlmsghdr *)(h + 1))->reserved = (uint16_t)rnd64();
	n_hdr = 0;
	ser(&w, root.kid);
	if (w.full) {
		send_len = save_len;
		n_meta = save_meta;
		return false;
	}
	if (kind == K_MUTATED && n_hdr && pct(30)) {
		/* an attribute's length past or short of its data */
		struct nlattr *a = (struct nlattr *)(w.p + hdr_off[rnd((uint32_t)n_hdr)]);
		static const int d[] = { -4, -1, 1, 3, 4, 8, 64, 4096 };

		a->nla_len = pct(15) ? (uint16_t)rnd(4) :
			(uint16_t)(a->nla_len + d[rnd(8)]);
	}
	if (cut && w.len > NLMSG_HDRLEN)
		w.len = NLMSG_HDRLEN + rnd((uint32_t)(w.len - NLMSG_HDRLEN));
	m = msg_end(&w, h, oi, kind);
	if (!m)
		return false;
	if (dump || (flags & NLM_F_DUMP))
		m->dump = true;
	if (badlen) {
		/* nlmsg_len short of the header or past the buffer: the
		 * kernel stops reading the batch there, no answer; last */
		h->nlmsg_len = pct(50) ? rnd(NLMSG_HDRLEN) : (uint32_t)w.len + 4 + rnd(64);
		m->noack = true;
	}
	return true;
}

/* ------------------------------------------------- sentinel and model */

static uint32_t keep_gw;		/* ifindex of fzkeep */
static bool keep_routes[64];		/* 10.200.N.0/24 on keep0 */
static int keep_admin = 1;

static void put_attr(struct wbuf *w, uint16_t type, const void *d, size_t len)
{
	struct nlattr *a = wput(w, NULL, NLA_HDRLEN);

	if (!a)
		return;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	wput(w, d, len);
}

static struct nlattr *nest_begin(struct wbuf *w, uint16_t type)
{
	struct nlattr *a = wput(w, NULL, NLA_HDRLEN);

	if (a)
		a->nla_type = type | NLA_F_NESTED;
	return a;
}

static void nest_end(struct wbuf *w, struct nlattr *a)
{
	if (a)
		a->nla_len = (uint16_t)((uint8_t *)w->p + w->len - (uint8_t *)a);
}

/* route 10.200.N.0/24 static of CONN into w, as element 1 */
static void put_route(struct wbuf *w, const char *conn, int n)
{
	struct nlattr *arr = nest_begin(w, (uint16_t)aid("vpnrt", "routes"));
	struct nlattr *e = nest_begin(w, 1);
	uint16_t fam = AF_INET;
	uint8_t dst[4] = { 10, 200, (uint8_t)n, 0 }, len = 24, proto = 1;

	put_attr(w, (uint16_t)aid("route", "family"), &fam, 2);
	put_attr(w, (uint16_t)aid("route", "dst"), dst, 4);
	put_attr(w, (uint16_t)aid("route", "dst-len"), &len, 1);
	put_attr(w, (uint16_t)aid("route", "proto"), &proto, 1);
	put_attr(w, (uint16_t)aid("route", "conn"), conn, strlen(conn) + 1);
	nest_end(w, e);
	nest_end(w, arr);
}

/* a valid change of the sentinel, its answer predicted */
static bool add_sentinel_msg(void)
{
	const struct sop *o;
	struct nlmsghdr *h;
	struct wbuf w;
	struct msgmeta *m;
	int what = (int)rnd(5), n = (int)rnd(64);

	if (what < 4) {
		bool del = what >= 2;

		o = op_find(del ? "route-del" : "route-new");
		w = msg_begin(&h, (uint8_t)o->cmd, 0);
		put_route(&w, "keep0", n);
		m = msg_end(&w, h, op_index(o), K_SENTINEL);
		if (!m)
			return false;
		m->sent_op = del;
		m->sent_arg = n;
		/* predicted from what was accepted before this batch's own */
		m->expect = 1;	/* decided when the answer comes, in order */
	} else {
		struct nlattr *cn;
		uint8_t admin = (uint8_t)rnd(2);

		o = op_find("conn-set");
		w = msg_begin(&h, (uint8_t)o->cmd, 0);
		cn = nest_begin(&w, (uint16_t)aid("vpnrt", "conn"));
		put_attr(&w, (uint16_t)aid("conn", "name"), "keep0", 6);
		put_attr(&w, (uint16_t)aid("conn", "admin"), &admin, 1);
		nest_end(&w, cn);
		m = msg_end(&w, h, op_index(o), K_SENTINEL);
		if (!m)
			return false;
		m->sent_op = 2;
		m->sent_arg = admin;
	}
	return true;
}

/* ------------------------------------------------------------ netlink */

static void nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, big = 16 << 20;

	nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl_fd < 0)
		die("socket: %s", strerror(errno));
	if (bind(nl_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind: %s", strerror(errno));
	setsockopt(nl_fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(nl_fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(nl_fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (setsockopt(nl_fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(nl_fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
}

static uint8_t rbuf[1 << 20];

/* reply handler of the final dumps: called with each genl message */
typedef void (*reply_fn)(const struct nlmsghdr *h, void *arg);

static struct msgmeta *meta_by_seq(uint32_t seq)
{
	for (int i = 0; i < n_meta; i++)
		if (meta[i].seq == seq)
			return &meta[i];
	return NULL;
}

static void fail_at(const struct msgmeta *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

static void fail_at(const struct msgmeta *m, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "genlfuzz: FAIL seed %llu message %llu (%s %s), slowest batch so far %.1f s from %llu (%s): ",
		(unsigned long long)seed, m ? (unsigned long long)m->no : 0ull,
		m && m->op >= 0 ? spec.ops[m->op].name : "-",
		m ? kind_names[m->kind] : "-", slow_secs, (unsigned long long)slow_no,
		slow_ops);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/*
 * nested attributes at P..P+LEN of set S well formed (a kernel reply):
 * lengths inside their parent, nests of nests recursively
 */
static bool attrs_ok(const uint8_t *p, size_t len, const struct sset *s, int depth)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		uint16_t t = a->nla_type & NLA_TYPE_MASK;
		const struct sattr *sa = NULL;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return false;
		for (int i = 0; s && i < s->n; i++)
			if (s->a[i].val == t)
				sa = &s->a[i];
		if (sa && depth < 8) {
			const uint8_t *d = p + NLA_HDRLEN;
			size_t dl = a->nla_len - NLA_HDRLEN;

			if (sa->type == T_NEST && !attrs_ok(d, dl, sa->nest, depth + 1))
				return false;
			if (sa->type == T_IARRAY) {
				while (dl >= NLA_HDRLEN) {
					const struct nlattr *e = (const struct nlattr *)d;

					if (e->nla_len < NLA_HDRLEN || e->nla_len > dl ||
					    !attrs_ok(d + NLA_HDRLEN, e->nla_len - NLA_HDRLEN,
						      sa->nest, depth + 1))
						return false;
					d += (size_t)NLA_ALIGN(e->nla_len);
					dl = dl > (size_t)NLA_ALIGN(e->nla_len) ? dl - (size_t)NLA_ALIGN(e->nla_len) : 0;
				}
			}
		}
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
		len -= (size_t)NLA_ALIGN(a->nla_len);
		p += (size_t)NLA_ALIGN(a->nla_len);
	}
	return true;
}

static void sentinel_answer(struct msgmeta *m)
{
	int want;

	switch (m->sent_op) {
	case 0:
		want = keep_routes[m->sent_arg] ? -EEXIST : 0;
		break;
	case 1:
		want = keep_routes[m->sent_arg] ? 0 : -ESRCH;
		break;
	default:
		want = 0;
		break;
	}
	if (m->err != want)
		fail_at(m, "sentinel %s: the model says %d (%s), the kernel answered %d (%s)%s%s",
			m->sent_op == 2 ? "conn-set keep0 admin" :
			m->sent_op ? "route-del 10.200.N.0/24" : "route-new 10.200.N.0/24",
			want, want ? strerror(-want) : "ok", m->err,
			m->err ? strerror(-m->err) : "ok",
			m->extack[0] ? ": " : "", m->extack);
	if (!m->err) {
		if (m->sent_op == 0)
			keep_routes[m->sent_arg] = true;
		else if (m->sent_op == 1)
			keep_routes[m->sent_arg] = false;
		else
			keep_admin = m->sent_arg;
	}
}

static void record_answer(struct msgmeta *m, int err)
{
	int o = m->op >= 0 ? m->op : MAX_OPS;

	m->done = true;
	m->err = err;
	if (!err && m->op >= 0 && (!strcmp(spec.ops[m->op].name, "gw-new") ||
				   !strcmp(spec.ops[m->op].name, "gw-del")))
		gw_dirty = true;
	if (!err) {
		stats[o].ok++;
		total_ok++;
	} else {
		stats[o].err[-err < 139 && -err > 0 ? -err : 139]++;
		total_err++;
	}
}

/* send the batch, read every answer back; FN gets the replies */
static void batch_run(reply_fn fn, void *arg, int timeout_ms)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct iovec iov = { sendbuf, send_len };
	struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa),
			     .msg_iov = &iov, .msg_iovlen = 1 };
	int pending = 0, i;
	double t_start, took;
	ssize_t r;

	if (!n_meta)
		return;
	for (i = 0; i < n_meta; i++)
		if (!meta[i].noack)
			pending++;
		else
			total_noack++;
	t_start = now_ns() / 1e9;
	r = sendmsg(nl_fd, &mh, 0);
	if (r < 0)
		fail_at(&meta[0], "sendmsg of %d messages (%zu bytes): %s", n_meta,
			send_len, strerror(errno));
	while (pending > 0) {
		struct pollfd pfd = { nl_fd, POLLIN, 0 };
		struct nlmsghdr *h;
		int rem;

		if (poll(&pfd, 1, timeout_ms) <= 0) {
			for (i = 0; i < n_meta && (meta[i].done || meta[i].noack); i++)
				;
			fail_at(&meta[i], "no answer within %d s (the module hangs?); "
				"%d of the batch's %d messages unanswered", timeout_ms / 1000,
				pending, n_meta);
		}
		r = recv(nl_fd, rbuf, sizeof(rbuf), 0);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fail_at(&meta[0], "recv: %s", strerror(errno));
		}
		rem = (int)r;
		for (h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, rem); h = NLMSG_NEXT(h, rem)) {
			struct msgmeta *m = meta_by_seq(h->nlmsg_seq);

			if (!m || m->done)
				continue;	/* a dump's late ack, an echo */
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				size_t off = NLMSG_HDRLEN + sizeof(*e);
				const uint8_t *tl = (const uint8_t *)h + off;

				if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
					size_t tlen = h->nlmsg_len > off ? h->nlmsg_len - off : 0;

					/* CAP_ACK: no request echoed */
					while (tlen >= NLA_HDRLEN) {
						const struct nlattr *a = (const struct nlattr *)tl;

						if (a->nla_len < NLA_HDRLEN || a->nla_len > tlen)
							fail_at(m, "malformed extack TLV");
						if (a->nla_type == NLMSGERR_ATTR_MSG)
							snprintf(m->extack, sizeof(m->extack), "%.*s",
								 (int)(a->nla_len - NLA_HDRLEN),
								 (const char *)(a + 1));
						if ((size_t)NLA_ALIGN(a->nla_len) >= tlen)
							break;
						tlen -= (size_t)NLA_ALIGN(a->nla_len);
						tl += (size_t)NLA_ALIGN(a->nla_len);
					}
				}
				record_answer(m, e->error);
				pending--;
				if (m->kind == K_SENTINEL)
					sentinel_answer(m);
			} else if (h->nlmsg_type == NLMSG_DONE) {
				int err = 0;

				if (h->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
					memcpy(&err, NLMSG_DATA(h), sizeof(int));
				record_answer(m, err);
				pending--;
			} else if (h->nlmsg_type == family_id) {
				const struct sop *o = m->op >= 0 ? &spec.ops[m->op] : NULL;

				if (h->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN ||
				    !attrs_ok((uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN,
					      h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN,
					      o ? o->set : set_find("vpnrt"), 0))
					fail_at(m, "malformed reply from the kernel");
				replies_checked++;
				if (fn)
					fn(h, arg);
			}
		}
	}
	took = now_ns() / 1e9 - t_start;
	if (took > slow_secs) {
		size_t l = 0;

		slow_secs = took;
		slow_no = meta[0].no;
		slow_ops[0] = 0;
		for (i = 0; i < n_meta && l < sizeof(slow_ops) - 40; i++)
			l += (size_t)snprintf(slow_ops + l, sizeof(slow_ops) - l, "%s%s/%s",
					      i ? " " : "", meta[i].op >= 0 ?
					      spec.ops[meta[i].op].name : "-",
					      kind_names[meta[i].kind]);
	}
	send_len = 0;
	n_meta = 0;
}

static void resolve_family(void)
{
	struct nlmsghdr *h;
	struct wbuf w = { sendbuf, 0, SEND_CAP, false };
	struct genlmsghdr *g;
	char buf[8192];
	ssize_t r;

	h = wput(&w, NULL, NLMSG_HDRLEN);
	g = wput(&w, NULL, GENL_HDRLEN);
	h->nlmsg_type = GENL_ID_CTRL;
	h->nlmsg_flags = NLM_F_REQUEST;
	h->nlmsg_seq = 1;
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	put_attr(&w, CTRL_ATTR_FAMILY_NAME, spec.family, strlen(spec.family) + 1);
	h->nlmsg_len = (uint32_t)w.len;
	if (send(nl_fd, sendbuf, w.len, 0) < 0)
		die("send: %s", strerror(errno));
	r = recv(nl_fd, buf, sizeof(buf), 0);
	h = (struct nlmsghdr *)buf;
	if (r < 0 || !NLMSG_OK(h, (int)r))
		die("family %s: no answer", spec.family);
	if (h->nlmsg_type == NLMSG_ERROR)
		die("family %s: %s (module not loaded?)", spec.family,
		    strerror(-((struct nlmsgerr *)NLMSG_DATA(h))->error));
	{
		uint8_t *p = (uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN;
		int len = (int)h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

		while (len >= NLA_HDRLEN) {
			struct nlattr *a = (struct nlattr *)p;

			if (a->nla_len < NLA_HDRLEN)
				break;
			if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
				memcpy(&family_id, a + 1, 2);
			len -= (size_t)NLA_ALIGN(a->nla_len);
			p += (size_t)NLA_ALIGN(a->nla_len);
		}
	}
	if (!family_id)
		die("family %s: no id", spec.family);
}

/* --------------------------------------------------------- full dumps */

/* one object of a dump, as text: "kind key=value ..." of its stable
 * leaves (not states, counters, stats, tunnels' health) */
#define MAX_OBJS 8192
struct obj {
	char kind;		/* g, c, r */
	uint32_t gw;		/* its gateway's ifindex */
	uint32_t ifindex;	/* gateways */
	char name[40];		/* gateway ifname, conn name, route conn */
	uint32_t n_conns, n_routes;
	char text[512];
};

struct dump {
	struct obj o[MAX_OBJS];
	int n;
};

static struct dump dump_start, dump_now;

static bool volatile_leaf(const char *name)
{
	static const char *const v[] = { "state", "down-reason", "usable", "stats",
					 "tunnels", "pad", "ike", NULL };

	for (int i = 0; v[i]; i++)
		if (!strcmp(name, v[i]))
			return true;
	return false;
}

static void obj_from(struct obj *ob, char kind, const uint8_t *p, size_t len,
		     const struct sset *s)
{
	size_t tl = 0;

	memset(ob, 0, sizeof(*ob));
	ob->kind = kind;
	tl += (size_t)snprintf(ob->text, sizeof(ob->text), "%c", kind);
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		const uint8_t *d = p + NLA_HDRLEN;
		size_t dl = a->nla_len - NLA_HDRLEN;
		const struct sattr *sa = NULL;
		uint32_t u = 0;

		for (int i = 0; i < s->n; i++)
			if (s->a[i].val == (a->nla_type & NLA_TYPE_MASK))
				sa = &s->a[i];
		if (dl == 1)
			u = d[0];
		else if (dl == 2)
			u = *(const uint16_t *)d;
		else if (dl >= 4)
			memcpy(&u, d, 4);
		if (sa) {
			if (!strcmp(sa->name, "ifindex") && kind == 'g')
				ob->ifindex = u;
			if (!strcmp(sa->name, "gw-ifindex"))
				ob->gw = u;
			if (!strcmp(sa->name, "n-conns"))
				ob->n_conns = u;
			if (!strcmp(sa->name, "n-routes"))
				ob->n_routes = u;
			if ((!strcmp(sa->name, "ifname") && kind == 'g') ||
			    (!strcmp(sa->name, "name") && kind == 'c') ||
			    (!strcmp(sa->name, "conn") && kind == 'r'))
				snprintf(ob->name, sizeof(ob->name), "%.*s", (int)dl, d);
		}
		if (sa && !volatile_leaf(sa->name) && sa->type != T_NEST &&
		    sa->type != T_IARRAY && tl < sizeof(ob->text) - 64) {
			tl += (size_t)snprintf(ob->text + tl, sizeof(ob->text) - tl, " %s=",
					       sa->name);
			if (sa->type == T_STRING)
				tl += (size_t)snprintf(ob->text + tl, sizeof(ob->text) - tl,
						       "%.*s", (int)strnlen((const char *)d, dl), d);
			else
				for (size_t i = 0; i < dl && i < 16; i++)
					tl += (size_t)snprintf(ob->text + tl,
							       sizeof(ob->text) - tl, "%02x", d[i]);
		}
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
		len -= (size_t)NLA_ALIGN(a->nla_len);
		p += (size_t)NLA_ALIGN(a->nla_len);
	}
}

static void dump_reply(const struct nlmsghdr *h, void *arg)
{
	struct dump *dp = arg;
	const uint8_t *p = (const uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN;
	size_t len = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

	while (len >= NLA_HDRLEN && dp->n < MAX_OBJS) {
		const struct nlattr *a = (const struct nlattr *)p;
		uint16_t t = a->nla_type & NLA_TYPE_MASK;

		if (t == aid("vpnrt", "gw"))
			obj_from(&dp->o[dp->n++], 'g', p + NLA_HDRLEN,
				 a->nla_len - NLA_HDRLEN, set_find("gw"));
		else if (t == aid("vpnrt", "conn"))
			obj_from(&dp->o[dp->n++], 'c', p + NLA_HDRLEN,
				 a->nla_len - NLA_HDRLEN, set_find("conn"));
		else if (t == aid("vpnrt", "routes")) {
			const uint8_t *e = p + NLA_HDRLEN;
			size_t el = a->nla_len - NLA_HDRLEN;

			while (el >= NLA_HDRLEN && dp->n < MAX_OBJS) {
				const struct nlattr *ea = (const struct nlattr *)e;

				obj_from(&dp->o[dp->n++], 'r', e + NLA_HDRLEN,
					 ea->nla_len - NLA_HDRLEN, set_find("route"));
				if ((size_t)NLA_ALIGN(ea->nla_len) >= el)
					break;
				el -= (size_t)NLA_ALIGN(ea->nla_len);
				e += (size_t)NLA_ALIGN(ea->nla_len);
			}
		}
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
		len -= (size_t)NLA_ALIGN(a->nla_len);
		p += (size_t)NLA_ALIGN(a->nla_len);
	}
}

static void full_dump(struct dump *dp)
{
	static const char *const ops[] = { "gw-get", "conn-get", "route-get" };

	dp->n = 0;
	for (int i = 0; i < 3; i++) {
		const struct sop *o = op_find(ops[i]);
		struct nlmsghdr *h;
		struct wbuf w = msg_begin(&h, (uint8_t)o->cmd, NLM_F_DUMP);
		struct msgmeta *m = msg_end(&w, h, op_index(o), K_ROUND);

		if (!m)
			die("dump request did not fit");
		m->dump = true;
		batch_run(dump_reply, dp, 120000);
		if (meta[0].err)	/* batch_run reset n_meta; meta[0] is it */
			fail_at(&meta[0], "%s dump: %s", ops[i], strerror(-meta[0].err));
	}
	if (dp->n >= MAX_OBJS)
		die("more than %d objects dumped", MAX_OBJS);
}

static const struct obj *obj_find(const struct dump *dp, const struct obj *o)
{
	for (int i = 0; i < dp->n; i++)
		if (!strcmp(dp->o[i].text, o->text))
			return &dp->o[i];
	return NULL;
}

static int fails;

static void check_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void check_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "genlfuzz: FAIL seed %llu, state after %llu messages: ",
		(unsigned long long)seed, (unsigned long long)msg_no);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fails++;
}

static bool pre_existing_gw(uint32_t ifindex)
{
	for (int i = 0; i < dump_start.n; i++)
		if (dump_start.o[i].kind == 'g' && dump_start.o[i].ifindex == ifindex)
			return true;
	return false;
}

/* the dumps now against the start, the sentinel model and themselves */
static void state_check(const struct dump *d, bool pool_gone)
{
	int i, j, keep_n = 0;
	bool keep_conn = false;

	/* everything of the start is there unchanged */
	for (i = 0; i < dump_start.n; i++)
		if (!obj_find(d, &dump_start.o[i]))
			check_fail("object of the start changed or gone: %s",
				   dump_start.o[i].text);
	for (i = 0; i < d->n; i++) {
		const struct obj *o = &d->o[i];
		uint32_t nc = 0, nr = 0;
		bool pool = false;

		if (obj_find(&dump_start, o))
			continue;
		if (o->kind == 'g') {
			for (j = 0; j < n_gws; j++) {
				char nm[IFNAMSIZ];

				gw_name(j, nm, sizeof(nm));
				pool |= !strcmp(nm, o->name);
			}
			/* names meant to be refused that are valid device names */
			for (j = 0; j < (int)(sizeof(bad_names) / sizeof(bad_names[0])); j++)
				pool |= !strcmp(bad_names[j], o->name);
			if (pre_existing_gw(o->ifindex))
				check_fail("gateway of the start changed: %s", o->text);
			else if (!pool && strcmp(o->name, "fzkeep"))
				check_fail("gateway nobody asked for: %s", o->text);
			else if (pool && pool_gone)
				check_fail("pool gateway left after its gw-del: %s", o->text);
			for (j = 0; j < d->n; j++) {
				nc += d->o[j].kind == 'c' && d->o[j].gw == o->ifindex;
				nr += d->o[j].kind == 'r' && d->o[j].gw == o->ifindex;
			}
			if (nc != o->n_conns || nr != o->n_routes)
				check_fail("%s says %u conns, %u routes; the dumps have %u, %u",
					   o->name, o->n_conns, o->n_routes, nc, nr);
		} else {
			const struct obj *g = NULL;

			for (j = 0; j < d->n; j++)
				if (d->o[j].kind == 'g' && d->o[j].ifindex == o->gw)
					g = &d->o[j];
			if (!g)
				check_fail("%s of a gateway not dumped: %s",
					   o->kind == 'c' ? "conn" : "route", o->text);
			else if (pre_existing_gw(g->ifindex))
				check_fail("new object on a gateway of the start: %s", o->text);
			if (o->kind == 'c') {
				for (j = 0; j < d->n; j++)
					nr += d->o[j].kind == 'r' &&
					      !strcmp(d->o[j].name, o->name);
				if (nr != o->n_routes)
					check_fail("conn %s says %u routes; the dump has %u",
						   o->name, o->n_routes, nr);
				if (!strcmp(o->name, "keep0")) {
					char want[16];

					keep_conn = true;
					snprintf(want, sizeof(want), " admin=%02x", keep_admin);
					if (!strstr(o->text, want))
						check_fail("keep0: the model says admin %d: %s",
							   keep_admin, o->text);
				}
			} else if (!strcmp(o->name, "keep0")) {
				char want[64];
				int k;

				keep_n++;
				for (k = 0; k < 64; k++) {
					snprintf(want, sizeof(want), " dst=0ac8%02x00 ", k);
					if (strstr(o->text, want))
						break;
				}
				if (k == 64 || !keep_routes[k])
					check_fail("keep0 route the model has not: %s", o->text);
			}
		}
	}
	if (!pool_gone) {
		int want_n = 0;

		for (i = 0; i < 64; i++)
			want_n += keep_routes[i];
		if (!keep_conn)
			check_fail("conn keep0 gone");
		if (keep_n != want_n)
			check_fail("keep0 has %d routes; the model %d", keep_n, want_n);
	}
}

/* ---------------------------------------------------------------- main */

static void setup_sentinel(void)
{
	const struct sop *o;
	struct nlmsghdr *h;
	struct wbuf w;
	struct nlattr *n, *arr, *e;
	uint32_t ti = name_to_index(keep_tunnel);

	if (!ti)
		die("--keep-tunnel %s: no such device", keep_tunnel);
	o = op_find("gw-new");
	w = msg_begin(&h, (uint8_t)o->cmd, 0);
	n = nest_begin(&w, (uint16_t)aid("vpnrt", "gw"));
	put_attr(&w, (uint16_t)aid("gw", "ifname"), "fzkeep", 7);
	nest_end(&w, n);
	msg_end(&w, h, op_index(o), K_ROUND);
	batch_run(NULL, NULL, 120000);
	if (meta[0].err)
		die("gw-new fzkeep: %s: %s", strerror(-meta[0].err), meta[0].extack);
	keep_gw = name_to_index("fzkeep");
	o = op_find("conn-new");
	w = msg_begin(&h, (uint8_t)o->cmd, 0);
	n = nest_begin(&w, (uint16_t)aid("vpnrt", "conn"));
	put_attr(&w, (uint16_t)aid("conn", "name"), "keep0", 6);
	put_attr(&w, (uint16_t)aid("conn", "gw-ifindex"), &keep_gw, 4);
	arr = nest_begin(&w, (uint16_t)aid("conn", "tunnels"));
	e = nest_begin(&w, 1);
	put_attr(&w, (uint16_t)aid("tunnel", "ifindex"), &ti, 4);
	nest_end(&w, e);
	nest_end(&w, arr);
	nest_end(&w, n);
	msg_end(&w, h, op_index(o), K_ROUND);
	batch_run(NULL, NULL, 120000);
	if (meta[0].err)
		die("conn-new keep0: %s: %s", strerror(-meta[0].err), meta[0].extack);
}

/* names, ifindex and id of O out of the fuzzed messages' reach */
static void protect(const struct obj *o)
{
	{
		const char *id;

		if (o->kind == 'g' && n_prot_ifindex < MAX_POOL)
			prot_ifindex[n_prot_ifindex++] = o->ifindex;
		if ((o->kind == 'g' || o->kind == 'c') && n_prot_name < MAX_POOL)
			cpy(prot_name[n_prot_name++], sizeof(prot_name[0]), o->name);
		if (o->kind == 'c' && (id = strstr(o->text, " id=")) &&
		    n_prot_id < MAX_POOL) {
			uint32_t v = 0;

			/* little-endian hex of the u32 */
			for (int b = 3; b >= 0; b--) {
				unsigned int x;

				if (sscanf(id + 4 + 2 * b, "%2x", &x) == 1)
					v = v << 8 | x;
			}
			prot_id[n_prot_id++] = v;
		}
	}
}

static int answer_ms = 120000;

/*
 * every gateway the fuzzer made deleted: its pool's, and those of names
 * meant to be refused that the kernel took ("-", "0123456789abcde",
 * "\xff\xfe" are valid device names)
 */
static void pool_round(void)
{
	static struct dump gws;
	const struct sop *o = op_find("gw-get");
	struct nlmsghdr *h;
	struct wbuf w = msg_begin(&h, (uint8_t)o->cmd, NLM_F_DUMP);
	struct msgmeta *m = msg_end(&w, h, op_index(o), K_ROUND);

	if (!m)
		die("dump request did not fit");
	m->dump = true;
	gws.n = 0;
	batch_run(dump_reply, &gws, answer_ms);
	for (int i = 0; i < gws.n; i++) {
		const struct sop *d = op_find("gw-del");
		struct nlattr *n;

		if (gws.o[i].kind != 'g' || protected_u32(gws.o[i].ifindex))
			continue;
		w = msg_begin(&h, (uint8_t)d->cmd, 0);
		n = nest_begin(&w, (uint16_t)aid("vpnrt", "gw"));
		put_attr(&w, (uint16_t)aid("gw", "ifindex"), &gws.o[i].ifindex, 4);
		nest_end(&w, n);
		if (!msg_end(&w, h, op_index(d), K_ROUND))
			break;
	}
	batch_run(NULL, NULL, answer_ms);
	gw_dirty = true;
}

/* option O's value V, a whole number in MIN..MAX, or a usage error */
static long long num_arg(const char *o, const char *v, long long min, long long max)
{
	char *end;
	long long x;

	errno = 0;
	x = strtoll(v, &end, 0);
	if (errno || end == v || *end || x < min || x > max)
		usage_err("%s: \"%s\" is not in %lld..%lld", o, v, min, max);
	return x;
}

int main(int argc, char **argv)
{
	const char *spec_path = NULL, *ns = NULL, *tunnels = NULL;
	long long count = 1000000;
	double seconds = 0, t0, elapsed, last_print, tg;
	double t_gen = 0, t_kern = 0, t_refresh = 0;
	unsigned long n_batches = 0;
	int batch = 32, round = 1000, i;
	uint64_t since_round = 0, since_sentinel = 0, seed_given = 0;
	bool have_seed = false;

	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			usage_err("%s needs a value", o);
		i++;
		if (!strcmp(o, "--spec"))
			spec_path = v;
		else if (!strcmp(o, "--ns"))
			ns = v;
		else if (!strcmp(o, "-s") || !strcmp(o, "--seed")) {
			seed_given = (uint64_t)num_arg(o, v, 0, LLONG_MAX);
			have_seed = true;
		} else if (!strcmp(o, "-n") || !strcmp(o, "--count"))
			count = num_arg(o, v, 1, LLONG_MAX);
		else if (!strcmp(o, "-t") || !strcmp(o, "--seconds"))
			seconds = (double)num_arg(o, v, 0, 86400 * 30);
		else if (!strcmp(o, "--batch"))
			batch = (int)num_arg(o, v, 1, BATCH_MAX - 16);
		else if (!strcmp(o, "--gateways"))
			n_gws = (int)num_arg(o, v, 1, 250);
		else if (!strcmp(o, "--round"))
			round = (int)num_arg(o, v, 1, INT_MAX);
		else if (!strcmp(o, "--tunnels"))
			tunnels = v;
		else if (!strcmp(o, "--answer-timeout"))
			answer_ms = (int)num_arg(o, v, 1, 86400) * 1000;
		else if (!strcmp(o, "--keep-tunnel"))
			cpy(keep_tunnel, sizeof(keep_tunnel), v);
		else
			usage_err("unknown option %s", o);
	}
	if (!spec_path || !tunnels || !keep_tunnel[0])
		usage_err("--spec, --tunnels and --keep-tunnel are required");
	if (count < 1 || batch < 1 || batch > BATCH_MAX - 16 || n_gws < 1 ||
	    n_gws > 250 || round < 1 || seconds < 0)
		usage_err("-n >= 1, --batch 1..%d, --gateways 1..250, --round >= 1, -t >= 0",
			  BATCH_MAX - 16);
	if (ns)
		enter_netns(ns);
	seed = have_seed ? seed_given : (uint64_t)now_ns() ^ (uint64_t)getpid() << 32;
	rng_state = seed ? seed : 1;
	printf("genlfuzz: seed %llu\n", (unsigned long long)seed);
	fflush(stdout);

	spec_load(spec_path);
	for (char *t = strdup(tunnels), *s = strtok(t, ","); s && n_tuns < 16;
	     s = strtok(NULL, ",")) {
		cpy(tun_names[n_tuns], IFNAMSIZ, s);
		tun_ifindex[n_tuns] = name_to_index(s);
		if (!tun_ifindex[n_tuns++])
			die("--tunnels: no device %s", s);
	}
	nl_open();
	resolve_family();
	printf("genlfuzz: family %s id %u version %d, %d request ops, %d attribute sets\n",
	       spec.family, family_id, spec.version, spec.nops, spec.nsets);

	full_dump(&dump_start);
	setup_sentinel();
	for (i = 0; i < dump_start.n; i++)
		protect(&dump_start.o[i]);
	prot_ifindex[n_prot_ifindex++] = keep_gw;
	cpy(prot_name[n_prot_name++], sizeof(prot_name[0]), "fzkeep");
	cpy(prot_name[n_prot_name++], sizeof(prot_name[0]), "keep0");
	{
		/* keep0's id */
		struct dump *d = &dump_now;

		full_dump(d);
		for (i = 0; i < d->n; i++)
			if (d->o[i].kind == 'c' && !strcmp(d->o[i].name, "keep0"))
				protect(&d->o[i]);
	}
	printf("genlfuzz: %d objects at the start, protected: %d ifindexes, %d ids, %d names\n",
	       dump_start.n, n_prot_ifindex, n_prot_id, n_prot_name);
	fflush(stdout);

	t0 = now_ns() / 1e9;
	last_print = t0;
	memset(stats, 0, sizeof(stats));
	memset(kind_count, 0, sizeof(kind_count));
	total_ok = total_err = total_noack = 0;
	msg_no = 0;
	while ((long long)msg_no < count &&
	       (seconds <= 0 || now_ns() / 1e9 - t0 < seconds)) {
		bool last = false;

		tg = now_ns() / 1e9;
		if (gw_dirty)
			gw_refresh();
		t_refresh += now_ns() / 1e9 - tg;
		tg = now_ns() / 1e9;
		for (i = 0; i < batch && (long long)msg_no + n_meta < count && !last; i++) {
			if (since_sentinel++ >= 15) {
				since_sentinel = 0;
				if (!add_sentinel_msg())
					break;
				continue;
			}
			if (!add_fuzz_msg())
				break;
			last = meta[n_meta - 1].noack;
			/* one dump per batch: a second one would be EBUSY only */
			if (meta[n_meta - 1].dump)
				break;
		}
		since_round += (uint64_t)n_meta;
		t_gen += now_ns() / 1e9 - tg;
		tg = now_ns() / 1e9;
		batch_run(NULL, NULL, answer_ms);
		t_kern += now_ns() / 1e9 - tg;
		n_batches++;
		if (since_round >= (uint64_t)round) {
			since_round = 0;
			pool_round();
		}
		if (now_ns() / 1e9 - last_print >= 60) {
			last_print = now_ns() / 1e9;
			elapsed = last_print - t0;
			printf("genlfuzz: %llu messages, %.0f s, %.0f msg/s\n",
			       (unsigned long long)msg_no, elapsed, msg_no / elapsed);
			fflush(stdout);
		}
	}
	elapsed = now_ns() / 1e9 - t0;

	printf("genlfuzz: seed %llu: sent %llu messages in %.1f s, %.0f msg/s: "
	       "%llu accepted, %llu refused, %llu unanswered by design, %llu replies checked\n",
	       (unsigned long long)seed, (unsigned long long)msg_no, elapsed,
	       elapsed > 0 ? msg_no / elapsed : 0.0, (unsigned long long)total_ok,
	       (unsigned long long)total_err, (unsigned long long)total_noack,
	       (unsigned long long)replies_checked);
	printf("genlfuzz: %lu batches; %.1f s building messages, %.1f s sending and "
	       "reading answers, %.1f s looking up pool devices\n", n_batches, t_gen,
	       t_kern, t_refresh);
	printf("genlfuzz: slowest batch %.1f s from message %llu: %s\n", slow_secs,
	       (unsigned long long)slow_no, slow_ops);
	printf("genlfuzz: kinds:");
	for (i = 0; i < 7; i++)
		printf(" %s %llu", kind_names[i], (unsigned long long)kind_count[i]);
	printf("\n");
	for (i = 0; i <= spec.nops; i++) {
		if (!stats[i].sent)
			continue;
		printf("genlfuzz: %-12s sent %llu ok %llu", i < spec.nops ? spec.ops[i].name :
		       "(other)", (unsigned long long)stats[i].sent,
		       (unsigned long long)stats[i].ok);
		for (int e = 1; e < 140; e++)
			if (stats[i].err[e])
				printf(" %s %llu", e < 139 ? strerrorname_np(e) ?: "?" : "other",
				       (unsigned long long)stats[i].err[e]);
		printf("\n");
	}
	fflush(stdout);

	/* the module answers, its state is what the accepted requests say */
	full_dump(&dump_now);
	printf("genlfuzz: after the run: %d objects dumped\n", dump_now.n);
	state_check(&dump_now, false);
	pool_round();
	{
		const struct sop *o = op_find("gw-del");
		struct nlmsghdr *h;
		struct wbuf w = msg_begin(&h, (uint8_t)o->cmd, 0);
		struct nlattr *n = nest_begin(&w, (uint16_t)aid("vpnrt", "gw"));

		put_attr(&w, (uint16_t)aid("gw", "ifindex"), &keep_gw, 4);
		nest_end(&w, n);
		msg_end(&w, h, op_index(o), K_ROUND);
		batch_run(NULL, NULL, 600000);
		if (meta[0].err)
			check_fail("gw-del fzkeep: %s %s", strerror(-meta[0].err), meta[0].extack);
	}
	full_dump(&dump_now);
	state_check(&dump_now, true);
	if (dump_now.n != dump_start.n)
		check_fail("%d objects after deleting the pool and fzkeep, %d at the start",
			   dump_now.n, dump_start.n);
	printf("genlfuzz: %s: %d objects back as at the start\n",
	       fails ? "FAIL" : "ok", dump_now.n);
	yaml_document_delete(&ydoc);
	return fails ? 1 : 0;
}
