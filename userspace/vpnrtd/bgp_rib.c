// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtd's BGP table: bgp_rib.h says what it does, this file how, and
 * why the open choices were made as they were.
 *
 * Layout, for a low memory per route:
 *  - one open-addressing hash table per family of fixed-size entries
 *    keyed by (peer, prefix): 24 bytes an IPv4 path, 40 an IPv6 one, no
 *    allocation per route. Linear probing with backward-shift deletion,
 *    so withdrawals leave no tombstones and churn does not slow lookups;
 *  - attribute sets interned: one refcounted copy of bgp_attrs_size()
 *    bytes per distinct set, shared by every path that has it, with its
 *    best-path rank and AS-loop verdict computed once;
 *  - no per-prefix object: a prefix's state is its paths. The path a
 *    connection has in the kernel carries F_INST and the pref the kernel
 *    was given, which is what the next change is compared with;
 *  - pending kernel operations: one record per touched (prefix,
 *    connection) or (prefix, VPC) with the state the kernel had at the
 *    last drain and the state now; the drain emits the difference, which
 *    is the coalescing.
 *
 * Why the choices of bgp_rib.h:
 *  - the gateway quota counts kernel routes, not paths nor prefixes:
 *    counting paths would let a dual-tunnel connection's second tunnel
 *    (the same prefixes, for redundancy) eat half the quota and leave it
 *    refused, without a backup; counting prefixes would let kernel
 *    routes exceed the kernel's max-bgp-routes, which counts routes, so
 *    the kernel would refuse adds the agent had accepted;
 *  - refused routes wait for a re-announcement or a refresh: which
 *    refused route got a freed slot would otherwise depend on the timing
 *    of other peers' withdrawals, a flap elsewhere would make routes
 *    appear, and the operator who sees "refused: bgp-routes" decides
 *    (raise the quota, refresh). This is the block-and-wait model of
 *    BIRD's import limit with action block (as we read its manual, not
 *    checked against its code), not a refuse-then-fill one; FRR's
 *    maximum-prefix has no refusing action to compare with (it tears
 *    down, or with warning-only accepts everything);
 *  - own prefixes and what is inside them are refused because a BGP
 *    route there would pull the gateway's own (VPC) traffic into a
 *    tunnel and, in the VPC table, shadow the host's own route; a less
 *    specific route leaves the longer own route in charge;
 *  - the default route is denied exactly (a /0 covering everything
 *    would deny all), 100.64.0.0/10 with everything inside (shared
 *    address space, used by the cloud itself).
 *
 * Every allocation is bounded by the quotas: accepted paths by each
 * peer's peer-routes, refused ones by refused_max per peer, attribute
 * sets by the paths, pending records by twice the kernel routes plus
 * the prefixes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_rib.h"

#define F_STALE		0x01
#define F_INST		0x02	/* its connection's kernel route */
#define F_GONE		0x04	/* being removed: no longer a candidate,
				 * F_INST still says what the kernel has */

#define NONE		UINT32_MAX
#define TAB_MIN		64
#define TAB_CAP_MAX	(1u << 27)

struct rib_ent {
	uint64_t seq;		/* arrival: lower is older */
	uint32_t attr;		/* interned set id; 0: empty slot */
	uint32_t pref;		/* with F_INST: what the kernel has */
	uint8_t peer;
	uint8_t len;
	uint8_t why;		/* enum bgp_rib_reason */
	uint8_t flags;
	uint8_t addr[];		/* 4 or 16 bytes */
};

struct rib_tab {
	uint8_t *slots;
	uint32_t cap;		/* a power of two, or 0 */
	uint32_t n;
	uint8_t alen;
	uint8_t esz;
};

struct rib_attr {
	uint32_t refs;
	uint32_t hash;
	uint32_t size;
	bool loop;		/* our ASN in the path */
	struct bgp_rank rank;
	struct bgp_attrs a;	/* only size bytes of it are allocated */
};

struct rib_conn {
	char name[BGP_RIB_NAME_MAX];	/* "": free */
	int8_t peer[2];			/* by tunnel position - 1, or -1 */
	uint32_t pend;			/* pending records naming it: the
					 * id is not reused before a drain */
};

struct rib_peer {
	bool used;
	bool teardown;
	uint8_t tunnel;
	uint8_t action;
	uint16_t conn;
	struct bgp_prefix addr;
	uint32_t peer_as;
	uint32_t max_routes;
	uint32_t received, accepted, installed, stale;
	uint32_t refused[BGP_RIB_NREASONS];
	uint32_t n_refused;
	uint64_t refused_dropped, announcements, withdrawals;
	uint8_t td_reason, td_af;
	uint32_t td_limit;
};

struct rib_pend {
	struct bgp_prefix pfx;
	uint16_t conn;
	bool old_in, new_in, done;
	uint32_t old_pref, new_pref;
};

struct bgp_rib {
	struct bgp_rib_config cfg;
	struct rib_tab tab[BGP_AF_COUNT];
	/* interned sets by id (1..) and, in attr_idx, by content */
	struct rib_attr **attr;
	uint32_t *attr_free;		/* stack of released ids */
	uint32_t attr_cap, attr_next, n_free, n_attrs;
	uint32_t *attr_idx;
	uint32_t attr_idx_cap;
	struct rib_peer peer[BGP_RIB_PEERS_MAX];
	uint8_t active[BGP_RIB_PEERS_MAX];
	unsigned int n_active;
	struct rib_conn conn[BGP_RIB_CONNS_MAX];
	struct rib_pend *pend;
	uint32_t n_pend, pend_cap;
	uint32_t *pend_idx;		/* record index + 1; 0 empty */
	uint32_t pend_idx_cap;
	uint32_t drain_t, drain_r;	/* where a drain that filled its
					 * array goes on (type, record) */
	uint64_t seq;
	uint32_t routes, prefixes, paths, accepted, refused;
	size_t mem;
	struct bgp_attrs scratch;	/* bgp_rib_update()'s run attrs */
};

/* ---- small helpers ---- */

static void *rib_calloc(struct bgp_rib *rib, size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p)
		rib->mem += n * size;
	return p;
}

static void rib_free(struct bgp_rib *rib, void *p, size_t size)
{
	if (p)
		rib->mem -= size;
	free(p);
}

static uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

static uint64_t key_hash(unsigned int tag, uint8_t len, const uint8_t *addr,
			 unsigned int alen)
{
	uint64_t h = ((uint64_t)tag << 8 | len) << 32, w;
	unsigned int i;

	for (i = 0; i < alen; i += 8) {
		w = 0;
		memcpy(&w, addr + i, alen - i < 8 ? alen - i : 8);
		h = fmix64(h ^ w);
	}
	return h;
}

static unsigned int af_alen(unsigned int af)
{
	return af == BGP_AF_IPV4 ? 4 : 16;
}

/* p valid? out: p with the bits beyond its length cleared */
static bool pfx_norm(const struct bgp_prefix *p, struct bgp_prefix *out)
{
	unsigned int alen, i;

	if (p->af >= BGP_AF_COUNT)
		return false;
	alen = af_alen(p->af);
	if (p->len > alen * 8)
		return false;
	memset(out, 0, sizeof(*out));
	out->af = p->af;
	out->len = p->len;
	for (i = 0; i < alen; i++) {
		unsigned int bits = p->len > i * 8 ? p->len - i * 8 : 0;

		out->addr[i] = bits >= 8 ? p->addr[i] :
			       p->addr[i] & (uint8_t)(0xff00 >> bits);
	}
	return true;
}

static bool pfx_eq(const struct bgp_prefix *a, const struct bgp_prefix *b)
{
	return a->af == b->af && a->len == b->len &&
	       !memcmp(a->addr, b->addr, af_alen(a->af));
}

/* p is outer or inside it (both normalized) */
static bool pfx_covers(const struct bgp_prefix *outer,
		       const struct bgp_prefix *p)
{
	unsigned int full = outer->len / 8, rest = outer->len % 8;

	if (outer->af != p->af || p->len < outer->len)
		return false;
	if (memcmp(outer->addr, p->addr, full))
		return false;
	return !rest || !((outer->addr[full] ^ p->addr[full]) &
			  (uint8_t)(0xff00 >> rest));
}

static int addr_cmp(const struct bgp_prefix *a, const struct bgp_prefix *b)
{
	if (a->af != b->af)
		return a->af < b->af ? -1 : 1;
	return memcmp(a->addr, b->addr, af_alen(a->af));
}

/* ---- the path tables ---- */

static struct rib_ent *ent_at(const struct rib_tab *t, uint32_t i)
{
	return (struct rib_ent *)(t->slots + (size_t)i * t->esz);
}

static uint32_t ent_home(const struct rib_tab *t, const struct rib_ent *e)
{
	return (uint32_t)key_hash(e->peer, e->len, e->addr, t->alen) &
	       (t->cap - 1);
}

static uint32_t tab_find(const struct rib_tab *t, unsigned int peer,
			 const struct bgp_prefix *p)
{
	uint32_t mask = t->cap - 1, i;
	struct rib_ent *e;

	if (!t->cap)
		return NONE;
	i = (uint32_t)key_hash(peer, p->len, p->addr, t->alen) & mask;
	for (;; i = (i + 1) & mask) {
		e = ent_at(t, i);
		if (!e->attr)
			return NONE;
		if (e->peer == peer && e->len == p->len &&
		    !memcmp(e->addr, p->addr, t->alen))
			return i;
	}
}

/* the entry is moved in whole; the caller has made room */
static uint32_t tab_place(struct rib_tab *t, const struct rib_ent *src)
{
	uint32_t mask = t->cap - 1, i = ent_home(t, src);

	while (ent_at(t, i)->attr)
		i = (i + 1) & mask;
	memcpy(ent_at(t, i), src, t->esz);
	t->n++;
	return i;
}

static int tab_resize(struct bgp_rib *rib, struct rib_tab *t, uint32_t cap)
{
	struct rib_tab old = *t;
	uint32_t i;

	if (cap > TAB_CAP_MAX)
		return -ENOMEM;
	t->slots = rib_calloc(rib, cap, t->esz);
	if (!t->slots) {
		*t = old;
		return -ENOMEM;
	}
	t->cap = cap;
	t->n = 0;
	for (i = 0; i < old.cap; i++)
		if (ent_at(&old, i)->attr)
			tab_place(t, ent_at(&old, i));
	rib_free(rib, old.slots, (size_t)old.cap * old.esz);
	return 0;
}

/*
 * Room for one more at a load of at most 13/16: at 100,000 IPv4 paths
 * that is 131,072 slots, 3 MiB.
 */
static int tab_reserve(struct bgp_rib *rib, struct rib_tab *t)
{
	if ((uint64_t)(t->n + 1) * 16 <= (uint64_t)t->cap * 13)
		return 0;
	return tab_resize(rib, t, t->cap ? t->cap * 2 : TAB_MIN);
}

/* give memory back after mass withdrawals; never during an iteration */
static void tab_shrink(struct bgp_rib *rib, struct rib_tab *t)
{
	uint32_t cap = t->cap;

	if (!t->n && cap) {
		rib_free(rib, t->slots, (size_t)cap * t->esz);
		t->slots = NULL;
		t->cap = 0;
		return;
	}
	while (cap > TAB_MIN && (uint64_t)t->n * 4 < cap / 2)
		cap /= 2;
	if (cap != t->cap)
		tab_resize(rib, t, cap);	/* failure: keep the big one */
}

static void tab_del(struct rib_tab *t, uint32_t i)
{
	uint32_t mask = t->cap - 1, j = i, k;
	struct rib_ent *e;

	for (;;) {
		j = (j + 1) & mask;
		e = ent_at(t, j);
		if (!e->attr)
			break;
		k = ent_home(t, e);
		/* e may fill the hole unless its home lies in (i, j] */
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			memcpy(ent_at(t, i), e, t->esz);
			i = j;
		}
	}
	memset(ent_at(t, i), 0, t->esz);
	t->n--;
}

static void ent_pfx(const struct rib_tab *t, const struct rib_ent *e,
		    unsigned int af, struct bgp_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->af = af;
	p->len = e->len;
	memcpy(p->addr, e->addr, t->alen);
}

/* ---- interned attribute sets ---- */

static bool path_has_as(const struct bgp_attrs *a, uint32_t asn)
{
	struct bgp_aspath_iter it;
	struct bgp_aspath_seg s;
	unsigned int i;

	bgp_aspath_iter_init(&it, a);
	while (bgp_aspath_next(&it, &s))
		for (i = 0; i < s.count; i++)
			if (bgp_aspath_asn(&s, i) == asn)
				return true;
	return false;
}

static int attr_idx_resize(struct bgp_rib *rib, uint32_t cap)
{
	uint32_t *idx = rib_calloc(rib, cap, sizeof(*idx)), i, j, id;

	if (!idx)
		return -ENOMEM;
	for (i = 0; i < rib->attr_idx_cap; i++) {
		id = rib->attr_idx[i];
		if (!id)
			continue;
		for (j = rib->attr[id]->hash & (cap - 1); idx[j];
		     j = (j + 1) & (cap - 1))
			;
		idx[j] = id;
	}
	rib_free(rib, rib->attr_idx, rib->attr_idx_cap * sizeof(*idx));
	rib->attr_idx = idx;
	rib->attr_idx_cap = cap;
	return 0;
}

/* a free id, growing the id arrays if need be; 0 when out of memory */
static uint32_t attr_id_get(struct bgp_rib *rib)
{
	uint32_t cap = rib->attr_cap ? rib->attr_cap * 2 : 64;
	struct rib_attr **na;
	uint32_t *nf;

	if (rib->n_free)
		return rib->attr_free[--rib->n_free];
	if (rib->attr_next < rib->attr_cap)
		return rib->attr_next++;
	if (cap > TAB_CAP_MAX)
		return 0;
	na = rib_calloc(rib, cap, sizeof(*na));
	nf = rib_calloc(rib, cap, sizeof(*nf));
	if (!na || !nf) {
		rib_free(rib, na, cap * sizeof(*na));
		rib_free(rib, nf, cap * sizeof(*nf));
		return 0;
	}
	if (rib->attr_cap)
		memcpy(na, rib->attr, rib->attr_cap * sizeof(*na));
	rib_free(rib, rib->attr, rib->attr_cap * sizeof(*na));
	rib_free(rib, rib->attr_free, rib->attr_cap * sizeof(*nf));
	rib->attr = na;
	rib->attr_free = nf;
	rib->attr_cap = cap;
	if (!rib->attr_next)
		rib->attr_next = 1;	/* id 0 marks an empty slot */
	return rib->attr_next++;
}

/* the id of a's interned copy with one more reference; 0: no memory */
static uint32_t attr_intern(struct bgp_rib *rib, const struct bgp_attrs *a)
{
	uint32_t h = bgp_attrs_hash(a), mask, i, id;
	size_t size = bgp_attrs_size(a);
	struct rib_attr *ra;

	if ((rib->n_attrs + 1) * 2 > rib->attr_idx_cap &&
	    attr_idx_resize(rib, rib->attr_idx_cap ?
			    rib->attr_idx_cap * 2 : 64))
		return 0;
	mask = rib->attr_idx_cap - 1;
	for (i = h & mask; (id = rib->attr_idx[i]); i = (i + 1) & mask) {
		ra = rib->attr[id];
		if (ra->hash == h && !bgp_attrs_cmp(&ra->a, a)) {
			ra->refs++;
			return id;
		}
	}
	id = attr_id_get(rib);
	if (!id)
		return 0;
	ra = rib_calloc(rib, 1, offsetof(struct rib_attr, a) + size);
	if (!ra) {
		rib->attr_free[rib->n_free++] = id;
		return 0;
	}
	ra->refs = 1;
	ra->hash = h;
	ra->size = (uint32_t)size;
	memcpy(&ra->a, a, size);
	ra->loop = path_has_as(a, rib->cfg.local_as);
	bgp_attrs_rank(a, &ra->rank);
	rib->attr[id] = ra;
	rib->attr_idx[i] = id;
	rib->n_attrs++;
	return id;
}

static void attr_unref(struct bgp_rib *rib, uint32_t id)
{
	struct rib_attr *ra = rib->attr[id];
	uint32_t mask = rib->attr_idx_cap - 1, i, j, k;

	if (--ra->refs)
		return;
	for (i = ra->hash & mask; rib->attr_idx[i] != id; i = (i + 1) & mask)
		;
	for (j = i;;) {		/* backward shift, as tab_del() */
		j = (j + 1) & mask;
		if (!rib->attr_idx[j])
			break;
		k = rib->attr[rib->attr_idx[j]]->hash & mask;
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			rib->attr_idx[i] = rib->attr_idx[j];
			i = j;
		}
	}
	rib->attr_idx[i] = 0;
	rib_free(rib, ra, offsetof(struct rib_attr, a) + ra->size);
	rib->attr[id] = NULL;
	rib->attr_free[rib->n_free++] = id;
	rib->n_attrs--;
}

/* ---- pending kernel operations ---- */

static uint32_t pend_hash(const struct bgp_prefix *p, uint16_t conn)
{
	return (uint32_t)key_hash(conn, p->len, p->addr, af_alen(p->af)) ^
	       p->af;
}

static void pend_index(struct bgp_rib *rib, uint32_t r)
{
	uint32_t mask = rib->pend_idx_cap - 1, i;

	i = pend_hash(&rib->pend[r].pfx, rib->pend[r].conn) & mask;
	while (rib->pend_idx[i])
		i = (i + 1) & mask;
	rib->pend_idx[i] = r + 1;
}

/* room for k more records: done before any change, so none is lost */
static int pend_reserve(struct bgp_rib *rib, uint32_t k)
{
	uint32_t cap = rib->pend_cap ? rib->pend_cap : 64, icap, r;
	struct rib_pend *np;
	uint32_t *ni;

	if (rib->n_pend + k <= rib->pend_cap)
		return 0;
	while (cap < rib->n_pend + k)
		cap *= 2;
	if (cap > TAB_CAP_MAX)
		return -ENOMEM;
	icap = cap * 2;
	np = rib_calloc(rib, cap, sizeof(*np));
	ni = rib_calloc(rib, icap, sizeof(*ni));
	if (!np || !ni) {
		rib_free(rib, np, cap * sizeof(*np));
		rib_free(rib, ni, icap * sizeof(*ni));
		return -ENOMEM;
	}
	if (rib->n_pend)
		memcpy(np, rib->pend, rib->n_pend * sizeof(*np));
	rib_free(rib, rib->pend, rib->pend_cap * sizeof(*np));
	rib_free(rib, rib->pend_idx, rib->pend_idx_cap * sizeof(*ni));
	rib->pend = np;
	rib->pend_cap = cap;
	rib->pend_idx = ni;
	rib->pend_idx_cap = icap;
	for (r = 0; r < rib->n_pend; r++)
		pend_index(rib, r);
	return 0;
}

static unsigned int pend_type(const struct rib_pend *pe);

/*
 * A drain that filled its array goes on from (drain_t, drain_r): every
 * record still to drain must lie at or after it, by type then index. A
 * record touched behind it (new, or a replace become a delete) moves it
 * back to itself; the records between were drained or have nothing to do.
 */
static void drain_back(struct bgp_rib *rib, const struct rib_pend *pe,
		       uint32_t idx)
{
	unsigned int t = pend_type(pe);

	if (t == BGP_RIB_OP_NTYPES)
		return;
	if (t < rib->drain_t || (t == rib->drain_t && idx < rib->drain_r)) {
		rib->drain_t = t;
		rib->drain_r = idx;
	}
}

/* a route (or VPC entry) went from old to new: keep the first old */
static void pend_touch(struct bgp_rib *rib, const struct bgp_prefix *p,
		       uint16_t conn, bool old_in, uint32_t old_pref,
		       bool new_in, uint32_t new_pref)
{
	uint32_t mask = rib->pend_idx_cap - 1, i, r;
	struct rib_pend *pe;

	for (i = pend_hash(p, conn) & mask; (r = rib->pend_idx[i]);
	     i = (i + 1) & mask) {
		pe = &rib->pend[r - 1];
		if (pe->conn == conn && pfx_eq(&pe->pfx, p)) {
			if (pe->done) {
				/* drained: the kernel has its new state */
				pe->old_in = pe->new_in;
				pe->old_pref = pe->new_pref;
				pe->done = false;
			}
			pe->new_in = new_in;
			pe->new_pref = new_pref;
			drain_back(rib, pe, r - 1);
			return;
		}
	}
	pe = &rib->pend[rib->n_pend];
	memset(pe, 0, sizeof(*pe));
	pe->pfx = *p;
	pe->conn = conn;
	pe->old_in = old_in;
	pe->old_pref = old_pref;
	pe->new_in = new_in;
	pe->new_pref = new_pref;
	rib->pend_idx[i] = ++rib->n_pend;
	if (conn != BGP_RIB_CONN_VPC)
		rib->conn[conn].pend++;
	drain_back(rib, pe, rib->n_pend - 1);
}

/* what the kernel must do for a record, or BGP_RIB_OP_NTYPES: nothing */
static unsigned int pend_type(const struct rib_pend *pe)
{
	if (pe->conn == BGP_RIB_CONN_VPC) {
		if (pe->old_in == pe->new_in)
			return BGP_RIB_OP_NTYPES;
		return pe->new_in ? BGP_RIB_OP_VPC_ADD : BGP_RIB_OP_VPC_DEL;
	}
	if (!pe->old_in)
		return pe->new_in ? BGP_RIB_OP_ADD : BGP_RIB_OP_NTYPES;
	if (!pe->new_in)
		return BGP_RIB_OP_DEL;
	return pe->old_pref != pe->new_pref ? BGP_RIB_OP_REPLACE :
	       BGP_RIB_OP_NTYPES;
}

static bool conn_free(const struct rib_conn *c)
{
	return c->peer[0] < 0 && c->peer[1] < 0 && !c->pend;
}

static void pend_compact(struct bgp_rib *rib)
{
	uint32_t r, n = 0;
	struct rib_pend *pe;

	for (r = 0; r < rib->n_pend; r++) {
		pe = &rib->pend[r];
		if (!pe->done && pend_type(pe) != BGP_RIB_OP_NTYPES) {
			rib->pend[n++] = *pe;
			continue;
		}
		if (pe->conn != BGP_RIB_CONN_VPC &&
		    !--rib->conn[pe->conn].pend &&
		    conn_free(&rib->conn[pe->conn]))
			rib->conn[pe->conn].name[0] = '\0';
	}
	rib->n_pend = n;
	memset(rib->pend_idx, 0, rib->pend_idx_cap * sizeof(*rib->pend_idx));
	for (r = 0; r < n; r++)
		pend_index(rib, r);
}

/* a big batch drained: give its records back */
static void pend_release(struct bgp_rib *rib)
{
	rib_free(rib, rib->pend, rib->pend_cap * sizeof(*rib->pend));
	rib_free(rib, rib->pend_idx,
		 rib->pend_idx_cap * sizeof(*rib->pend_idx));
	rib->pend = NULL;
	rib->pend_idx = NULL;
	rib->pend_cap = rib->pend_idx_cap = 0;
}

size_t bgp_rib_pending(const struct bgp_rib *rib)
{
	return rib->n_pend;
}

size_t bgp_rib_drain(struct bgp_rib *rib, struct bgp_rib_op *ops, size_t max)
{
	size_t out = 0;
	unsigned int t;
	uint32_t r;

	/*
	 * A full array: the next call goes on from here, and the records
	 * are compacted once all are drained, not at every call (that made
	 * draining n records in arrays of max cost n * n / max)
	 */
	for (t = rib->drain_t; t < BGP_RIB_OP_NTYPES && out < max; t++) {
		r = t == rib->drain_t ? rib->drain_r : 0;
		for (; r < rib->n_pend && out < max; r++) {
			struct rib_pend *pe = &rib->pend[r];

			if (pe->done || pend_type(pe) != t)
				continue;
			ops[out].type = (uint8_t)t;
			ops[out].conn = pe->conn;
			ops[out].pref = t == BGP_RIB_OP_ADD ||
					t == BGP_RIB_OP_REPLACE ?
					pe->new_pref : 0;
			ops[out].pfx = pe->pfx;
			pe->done = true;
			out++;
		}
		if (out == max) {
			rib->drain_t = t;
			rib->drain_r = r;
			return out;
		}
	}
	rib->drain_t = rib->drain_r = 0;
	if (rib->n_pend)
		pend_compact(rib);
	if (!rib->n_pend && rib->pend_cap > 1024)
		pend_release(rib);
	return out;
}

/* ---- selection ---- */

static const struct rib_attr *ent_attr(const struct bgp_rib *rib,
				       const struct rib_ent *e)
{
	return rib->attr[e->attr];
}

static int rank_cmp(const struct bgp_rib *rib, const struct bgp_rank *a,
		    const struct bgp_rank *b)
{
	struct bgp_rank x, y;

	if (!rib->cfg.med_always_compare)
		return bgp_rank_cmp(a, b);
	x = *a;
	y = *b;
	x.neighbor_as = y.neighbor_as = 0;
	return bgp_rank_cmp(&x, &y);
}

/* RFC 4271 9.1.2.2 a) to d), then the older path, the lower address */
static bool path_better(const struct bgp_rib *rib, const struct rib_ent *a,
			const struct rib_ent *b)
{
	int c = rank_cmp(rib, &ent_attr(rib, a)->rank,
			 &ent_attr(rib, b)->rank);

	if (c)
		return c < 0;
	if (a->seq != b->seq)
		return a->seq < b->seq;
	c = addr_cmp(&rib->peer[a->peer].addr, &rib->peer[b->peer].addr);
	if (c)
		return c < 0;
	return a->peer < b->peer;
}

/* one connection's view of a prefix during prefix_update() */
struct sel {
	uint16_t conn;
	struct rib_ent *best;	/* accepted, best of its peers */
	struct rib_ent *old;	/* the one with F_INST */
	uint32_t pref;
};

static struct sel *sel_get(struct sel *s, unsigned int *n, uint16_t conn)
{
	unsigned int i;

	for (i = 0; i < *n; i++)
		if (s[i].conn == conn)
			return &s[i];
	memset(&s[*n], 0, sizeof(s[0]));
	s[*n].conn = conn;
	return &s[(*n)++];
}

/*
 * 1 + the number of distinct ranks among the other connections' best
 * paths that are better than s[i]'s (two are distinct unless they rank
 * equal): a dense rank, so connections whose best paths rank equal get
 * the same pref (ECMP in the kernel), and nothing outside this prefix is
 * ever renumbered. With MED compared per neighbouring AS "better" is not
 * transitive; counting only what is better than each path keeps every
 * pref defined and still ranks a path below a same-AS path with a lower
 * MED.
 */
static uint32_t sel_pref(const struct bgp_rib *rib, const struct sel *s,
			 unsigned int n, unsigned int i)
{
	const struct bgp_rank *me = &ent_attr(rib, s[i].best)->rank, *rj, *rk;
	uint32_t pref = 1;
	unsigned int j, k;

	for (j = 0; j < n; j++) {
		if (j == i || !s[j].best)
			continue;
		rj = &ent_attr(rib, s[j].best)->rank;
		if (rank_cmp(rib, rj, me) >= 0)
			continue;
		for (k = 0; k < j; k++) {
			if (k == i || !s[k].best)
				continue;
			rk = &ent_attr(rib, s[k].best)->rank;
			if (rank_cmp(rib, rk, me) < 0 &&
			    !rank_cmp(rib, rk, rj))
				break;
		}
		if (k == j)
			pref++;
	}
	return pref;
}

static void sel_apply(struct bgp_rib *rib, const struct bgp_prefix *p,
		      struct sel *sl)
{
	struct rib_ent *old = sl->old, *best = sl->best;
	uint32_t old_pref = old ? old->pref : 0;

	if (old && old != best) {
		old->flags &= (uint8_t)~F_INST;
		old->pref = 0;
		rib->peer[old->peer].installed--;
		rib->routes--;
	}
	if (best && best != old) {
		best->flags |= F_INST;
		rib->peer[best->peer].installed++;
		rib->routes++;
	}
	if (best)
		best->pref = sl->pref;
	if (!old != !best || (best && old_pref != sl->pref))
		pend_touch(rib, p, sl->conn, old != NULL, old_pref,
			   best != NULL, sl->pref);
}

/*
 * Recompute one prefix: each connection's best path and its pref, the
 * kernel routes and the VPC entry that follow. Touches only p's paths,
 * moves none (so entry pointers stay valid around it) and allocates
 * nothing: the caller has reserved n_active + 1 pending records.
 */
static void prefix_update(struct bgp_rib *rib, const struct bgp_prefix *p)
{
	const struct rib_tab *t = &rib->tab[p->af];
	struct sel s[BGP_RIB_CONNS_MAX];
	bool old_any = false, new_any = false;
	unsigned int n = 0, i;
	struct rib_ent *e;
	struct sel *sl;
	uint32_t idx;

	for (i = 0; i < rib->n_active; i++) {
		idx = tab_find(t, rib->active[i], p);
		if (idx == NONE)
			continue;
		e = ent_at(t, idx);
		sl = sel_get(s, &n, rib->peer[e->peer].conn);
		if (e->flags & F_INST) {
			sl->old = e;
			old_any = true;
		}
		if (e->why != BGP_RIB_OK || (e->flags & F_GONE))
			continue;
		if (!sl->best || path_better(rib, e, sl->best))
			sl->best = e;
	}
	for (i = 0; i < n; i++)
		if (s[i].best)
			s[i].pref = sel_pref(rib, s, n, i);
	for (i = 0; i < n; i++) {
		sel_apply(rib, p, &s[i]);
		new_any |= s[i].best != NULL;
	}
	if (old_any != new_any) {
		pend_touch(rib, p, BGP_RIB_CONN_VPC, old_any, 0, new_any, 0);
		if (new_any)
			rib->prefixes++;
		else
			rib->prefixes--;
	}
}

/* ---- policy and quotas ---- */

static enum bgp_rib_reason policy(const struct bgp_rib *rib,
				  const struct bgp_prefix *p,
				  const struct rib_attr *ra)
{
	const struct bgp_rib_deny *d;
	unsigned int i;

	for (i = 0; i < rib->cfg.n_deny; i++) {
		d = &rib->cfg.deny[i];
		if (d->exact ? pfx_eq(&d->pfx, p) : pfx_covers(&d->pfx, p))
			return BGP_RIB_DENY;
	}
	for (i = 0; i < rib->cfg.n_own; i++)
		if (pfx_covers(&rib->cfg.own[i], p))
			return BGP_RIB_OWN;
	return ra->loop ? BGP_RIB_LOOP : BGP_RIB_OK;
}

/* the connection has a kernel route for p */
static bool conn_has_route(const struct bgp_rib *rib, uint16_t conn,
			   const struct bgp_prefix *p)
{
	const struct rib_tab *t = &rib->tab[p->af];
	unsigned int i;
	uint32_t idx;
	int q;

	for (i = 0; i < 2; i++) {
		q = rib->conn[conn].peer[i];
		if (q < 0)
			continue;
		idx = tab_find(t, (unsigned int)q, p);
		if (idx != NONE && (ent_at(t, idx)->flags & F_INST))
			return true;
	}
	return false;
}

/*
 * Room for one more accepted path of peer for p? The peer's quota counts
 * its accepted prefixes; the gateway's counts kernel routes, so a path
 * for a prefix its connection already routes (the other tunnel's) is
 * free there.
 */
static enum bgp_rib_reason quota(const struct bgp_rib *rib, unsigned int peer,
				 const struct bgp_prefix *p)
{
	const struct rib_peer *pr = &rib->peer[peer];

	if (pr->accepted >= pr->max_routes)
		return BGP_RIB_QUOTA_PEER;
	if (rib->routes >= rib->cfg.max_routes &&
	    !conn_has_route(rib, pr->conn, p))
		return BGP_RIB_QUOTA_GW;
	return BGP_RIB_OK;
}

/* ---- path state changes ---- */

static void count_state(struct bgp_rib *rib, struct rib_ent *e, int d)
{
	struct rib_peer *pr = &rib->peer[e->peer];

	if (e->why == BGP_RIB_OK) {
		pr->accepted += (uint32_t)d;
		rib->accepted += (uint32_t)d;
	} else {
		pr->refused[e->why] += (uint32_t)d;
		pr->n_refused += (uint32_t)d;
		rib->refused += (uint32_t)d;
	}
	if (e->flags & F_STALE)
		pr->stale += (uint32_t)d;
}

/* remove the path at idx; the caller has reserved pending records */
static void path_remove(struct bgp_rib *rib, unsigned int af, uint32_t idx)
{
	struct rib_tab *t = &rib->tab[af];
	struct rib_ent *e = ent_at(t, idx);
	struct bgp_prefix p;
	uint32_t id = e->attr;

	ent_pfx(t, e, af, &p);
	count_state(rib, e, -1);
	rib->peer[e->peer].received--;
	rib->paths--;
	if (e->why == BGP_RIB_OK) {
		e->flags |= F_GONE;
		prefix_update(rib, &p);
	}
	tab_del(t, idx);
	attr_unref(rib, id);
}

/* a held path gets a new verdict */
static void path_set_why(struct bgp_rib *rib, unsigned int af, uint32_t idx,
			 enum bgp_rib_reason why)
{
	struct rib_tab *t = &rib->tab[af];
	struct rib_ent *e = ent_at(t, idx);
	bool recompute = e->why == BGP_RIB_OK || why == BGP_RIB_OK;
	struct bgp_prefix p;

	count_state(rib, e, -1);
	e->why = (uint8_t)why;
	count_state(rib, e, 1);
	if (recompute) {
		ent_pfx(t, e, af, &p);
		prefix_update(rib, &p);
	}
}

static bool peer_ok(const struct bgp_rib *rib, int peer)
{
	return peer >= 0 && peer < BGP_RIB_PEERS_MAX && rib->peer[peer].used;
}

static enum bgp_rib_result teardown(struct bgp_rib *rib, unsigned int peer,
				    enum bgp_rib_reason why, unsigned int af)
{
	struct rib_peer *pr = &rib->peer[peer];

	pr->teardown = true;
	pr->td_reason = (uint8_t)why;
	pr->td_af = (uint8_t)af;
	pr->td_limit = why == BGP_RIB_QUOTA_PEER ? pr->max_routes :
		       rib->cfg.max_routes;
	return BGP_RIB_TEARDOWN;
}

/*
 * A refused path is held while the peer holds fewer than refused_max, so
 * `bgp routes received` can say why; beyond that it is only counted (and
 * the peer's previous path for the prefix, withdrawn implicitly, goes).
 */
static bool refused_room(const struct bgp_rib *rib, unsigned int peer,
			 const struct rib_ent *e)
{
	const struct rib_peer *pr = &rib->peer[peer];

	return (e && e->why != BGP_RIB_OK) ||
	       pr->n_refused < rib->cfg.refused_max;
}

/* a new path to hold; idx NONE: none yet (the table has room) */
static uint32_t path_new(struct bgp_rib *rib, unsigned int peer,
			 const struct bgp_prefix *p)
{
	struct rib_tab *t = &rib->tab[p->af];
	uint8_t buf[sizeof(struct rib_ent) + 16];
	struct rib_ent *e = (struct rib_ent *)buf;

	memset(buf, 0, sizeof(buf));
	e->peer = (uint8_t)peer;
	e->len = p->len;
	e->attr = NONE;		/* a placeholder: not empty */
	memcpy(e->addr, p->addr, t->alen);
	rib->peer[peer].received++;
	rib->paths++;
	return tab_place(t, e);
}

static enum bgp_rib_result announce_id(struct bgp_rib *rib, unsigned int peer,
				       const struct bgp_prefix *p, uint32_t id,
				       enum bgp_rib_reason *why)
{
	struct rib_peer *pr = &rib->peer[peer];
	struct rib_tab *t = &rib->tab[p->af];
	enum bgp_rib_reason r;
	struct rib_ent *e;
	uint32_t idx, old = 0;
	bool was_ok;

	pr->announcements++;
	if (pend_reserve(rib, rib->n_active + 1) || tab_reserve(rib, t))
		return BGP_RIB_ENOMEM;
	idx = tab_find(t, peer, p);
	e = idx == NONE ? NULL : ent_at(t, idx);
	was_ok = e && e->why == BGP_RIB_OK;
	r = policy(rib, p, rib->attr[id]);
	if (!r && !was_ok)
		r = quota(rib, peer, p);
	*why = r;
	if (r >= BGP_RIB_QUOTA_PEER && pr->action == BGP_RIB_ACT_TEARDOWN)
		return teardown(rib, peer, r, p->af);
	if (r && !refused_room(rib, peer, e)) {
		pr->refused_dropped++;
		if (e)
			path_remove(rib, p->af, idx);
		return BGP_RIB_REFUSED;
	}
	if (!e) {
		idx = path_new(rib, peer, p);
		e = ent_at(t, idx);
	} else {
		count_state(rib, e, -1);
		e->flags &= (uint8_t)~F_STALE;
		old = e->attr;
	}
	/* an identical re-announcement (a refresh) keeps its age */
	if (old != id)
		e->seq = ++rib->seq;
	e->attr = id;
	rib->attr[id]->refs++;
	e->why = (uint8_t)r;
	count_state(rib, e, 1);
	if (was_ok || !r)
		prefix_update(rib, p);
	if (old)
		attr_unref(rib, old);
	return r ? BGP_RIB_REFUSED : BGP_RIB_ACCEPTED;
}

enum bgp_rib_result bgp_rib_announce(struct bgp_rib *rib, int peer,
				     const struct bgp_prefix *p,
				     const struct bgp_attrs *a,
				     enum bgp_rib_reason *why)
{
	enum bgp_rib_reason dummy;
	enum bgp_rib_result res;
	struct bgp_prefix np;
	uint32_t id;

	if (!why)
		why = &dummy;
	*why = BGP_RIB_OK;
	if (!peer_ok(rib, peer) || rib->peer[peer].teardown ||
	    !pfx_norm(p, &np))
		return BGP_RIB_IGNORED;
	id = attr_intern(rib, a);
	if (!id)
		return BGP_RIB_ENOMEM;
	res = announce_id(rib, (unsigned int)peer, &np, id, why);
	attr_unref(rib, id);
	return res;
}

void bgp_rib_withdraw(struct bgp_rib *rib, int peer,
		      const struct bgp_prefix *p)
{
	struct bgp_prefix np;
	uint32_t idx;

	if (!peer_ok(rib, peer) || !pfx_norm(p, &np))
		return;
	rib->peer[peer].withdrawals++;
	idx = tab_find(&rib->tab[np.af], (unsigned int)peer, &np);
	if (idx == NONE || pend_reserve(rib, rib->n_active + 1))
		return;
	path_remove(rib, np.af, idx);
	tab_shrink(rib, &rib->tab[np.af]);
}

/* ---- per-peer walks ---- */

enum walk_op { W_STALE, W_SWEEP, W_FLUSH };

/*
 * Every path of peer in the families afs. Removal shifts later entries
 * back into the slot just seen, so a removal looks at the same slot
 * again; what wraps around from the table's start was seen already and
 * did not match.
 */
static size_t walk(struct bgp_rib *rib, unsigned int peer, unsigned int afs,
		   enum walk_op op)
{
	unsigned int af;
	size_t n = 0;
	uint32_t i;

	for (af = 0; af < BGP_AF_COUNT; af++) {
		struct rib_tab *t = &rib->tab[af];

		if (!(afs & BGP_AFS(af)))
			continue;
		for (i = 0; i < t->cap;) {
			struct rib_ent *e = ent_at(t, i);

			if (!e->attr || e->peer != peer) {
				i++;
				continue;
			}
			if (op == W_STALE) {
				if (!(e->flags & F_STALE)) {
					e->flags |= F_STALE;
					rib->peer[peer].stale++;
					n++;
				}
				i++;
				continue;
			}
			if (op == W_SWEEP && !(e->flags & F_STALE)) {
				i++;
				continue;
			}
			if (pend_reserve(rib, rib->n_active + 1))
				return n;	/* the rest stays */
			path_remove(rib, af, i);
			n++;
		}
		tab_shrink(rib, t);
	}
	return n;
}

void bgp_rib_peer_stale(struct bgp_rib *rib, int peer, unsigned int afs)
{
	if (peer_ok(rib, peer))
		walk(rib, (unsigned int)peer, afs, W_STALE);
}

size_t bgp_rib_peer_sweep(struct bgp_rib *rib, int peer, unsigned int afs)
{
	if (!peer_ok(rib, peer))
		return 0;
	return walk(rib, (unsigned int)peer, afs, W_SWEEP);
}

void bgp_rib_peer_flush(struct bgp_rib *rib, int peer, unsigned int afs)
{
	if (peer_ok(rib, peer))
		walk(rib, (unsigned int)peer, afs, W_FLUSH);
}

void bgp_rib_peer_down(struct bgp_rib *rib, int peer, bool graceful)
{
	if (!peer_ok(rib, peer))
		return;
	rib->peer[peer].teardown = false;
	walk(rib, (unsigned int)peer, BGP_AFS(BGP_AF_IPV4) |
	     BGP_AFS(BGP_AF_IPV6), graceful ? W_STALE : W_FLUSH);
}

struct refused_ref {
	uint64_t seq;
	uint32_t idx;
	uint8_t af;
};

static int refused_cmp(const void *a, const void *b)
{
	const struct refused_ref *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* accepted paths the policy now refuses become refused */
static void refresh_policy(struct bgp_rib *rib, unsigned int peer)
{
	enum bgp_rib_reason r;
	struct bgp_prefix p;
	unsigned int af;
	uint32_t i;

	for (af = 0; af < BGP_AF_COUNT; af++) {
		struct rib_tab *t = &rib->tab[af];

		for (i = 0; i < t->cap; i++) {
			struct rib_ent *e = ent_at(t, i);

			if (!e->attr || e->peer != peer || e->why)
				continue;
			ent_pfx(t, e, af, &p);
			r = policy(rib, &p, ent_attr(rib, e));
			if (r && !pend_reserve(rib, rib->n_active + 1))
				path_set_why(rib, af, i, r);
		}
	}
}

int bgp_rib_peer_refresh(struct bgp_rib *rib, int peer)
{
	struct rib_peer *pr;
	struct refused_ref *v;
	enum bgp_rib_reason r;
	struct bgp_prefix p;
	uint32_t n = 0, i, cap;
	unsigned int af;
	int accepted = 0;

	if (!peer_ok(rib, peer))
		return -EINVAL;
	pr = &rib->peer[peer];
	refresh_policy(rib, (unsigned int)peer);
	cap = pr->n_refused;
	if (!cap)
		return 0;
	v = calloc(cap, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (af = 0; af < BGP_AF_COUNT; af++)
		for (i = 0; i < rib->tab[af].cap && n < cap; i++) {
			struct rib_ent *e = ent_at(&rib->tab[af], i);

			if (e->attr && e->peer == peer && e->why)
				v[n++] = (struct refused_ref){ e->seq, i, af };
		}
	/* oldest first: who waited longest gets the room */
	qsort(v, n, sizeof(*v), refused_cmp);
	for (i = 0; i < n; i++) {
		struct rib_tab *t = &rib->tab[v[i].af];
		struct rib_ent *e = ent_at(t, v[i].idx);

		ent_pfx(t, e, v[i].af, &p);
		r = policy(rib, &p, ent_attr(rib, e));
		if (!r)
			r = quota(rib, (unsigned int)peer, &p);
		if (r == e->why)
			continue;
		if (pend_reserve(rib, rib->n_active + 1))
			break;
		path_set_why(rib, v[i].af, v[i].idx, r);
		accepted += !r;
	}
	free(v);
	return accepted;
}

enum bgp_rib_result bgp_rib_update(struct bgp_rib *rib, int peer,
				   const struct bgp_update *u)
{
	enum bgp_rib_result res = BGP_RIB_ACCEPTED, r;
	struct bgp_prefix_iter it;
	enum bgp_rib_reason why;
	struct bgp_prefix p;
	unsigned int i;
	uint32_t id;

	if (!peer_ok(rib, peer) || rib->peer[peer].teardown ||
	    u->decision == BGP_UPD_SESSION_RESET)
		return BGP_RIB_IGNORED;
	if (u->decision == BGP_UPD_AF_DISABLE)
		bgp_rib_peer_flush(rib, peer, BGP_AFS(u->disable_af));
	for (i = 0; i < u->n_withdrawn; i++) {
		bgp_prefix_iter_init(&it, &u->withdrawn[i]);
		while (bgp_prefix_next(&it, &p))
			bgp_rib_withdraw(rib, peer, &p);
	}
	for (i = 0; i < u->n_announced; i++) {
		bgp_update_route_attrs(u, &u->announced[i], &rib->scratch);
		id = attr_intern(rib, &rib->scratch);
		if (!id)
			return BGP_RIB_ENOMEM;
		bgp_prefix_iter_init(&it, &u->announced[i]);
		while (bgp_prefix_next(&it, &p)) {
			struct bgp_prefix np;

			if (!pfx_norm(&p, &np))
				continue;
			r = announce_id(rib, (unsigned int)peer, &np, id, &why);
			if (r == BGP_RIB_TEARDOWN || r == BGP_RIB_ENOMEM) {
				attr_unref(rib, id);
				return r;
			}
			if (r == BGP_RIB_REFUSED)
				res = r;
		}
		attr_unref(rib, id);
	}
	if (u->eor >= 0 && u->eor < BGP_AF_COUNT)
		bgp_rib_peer_sweep(rib, peer, BGP_AFS(u->eor));
	return res;
}

void bgp_rib_teardown_notif(const struct bgp_rib *rib, int peer,
			    struct bgp_notification *n)
{
	const struct rib_peer *pr;

	if (!peer_ok(rib, peer))
		return;
	pr = &rib->peer[peer];
	bgp_notif_maxprefix(n, pr->td_af == BGP_AF_IPV6 ? BGP_AFI_IPV6 :
			    BGP_AFI_IPV4, BGP_SAFI_UNICAST, pr->td_limit);
}

/* ---- configuration, peers, connections ---- */

static bool pfx_valid(const struct bgp_prefix *p)
{
	struct bgp_prefix np;

	return pfx_norm(p, &np) && !memcmp(&np, p, sizeof(np));
}

static void pfx_set4(struct bgp_prefix *p, uint32_t a, uint8_t len)
{
	memset(p, 0, sizeof(*p));
	p->af = BGP_AF_IPV4;
	p->len = len;
	p->addr[0] = (uint8_t)(a >> 24);
	p->addr[1] = (uint8_t)(a >> 16);
	p->addr[2] = (uint8_t)(a >> 8);
	p->addr[3] = (uint8_t)a;
}

void bgp_rib_config_init(struct bgp_rib_config *c)
{
	memset(c, 0, sizeof(*c));
	c->local_as = 45104;
	c->max_routes = 50;
	c->refused_max = 256;
	pfx_set4(&c->deny[0].pfx, 0, 0);
	c->deny[0].exact = true;
	c->deny[1].pfx.af = BGP_AF_IPV6;	/* ::/0 */
	c->deny[1].exact = true;
	pfx_set4(&c->deny[2].pfx, 0x64400000, 10);	/* 100.64.0.0/10 */
	c->n_deny = 3;
}

static bool config_ok(const struct bgp_rib_config *c)
{
	unsigned int i;

	if (!c->local_as || c->max_routes > BGP_RIB_QUOTA_MAX ||
	    c->refused_max > BGP_RIB_REFUSED_MAX ||
	    c->n_deny > BGP_RIB_DENY_MAX || c->n_own > BGP_RIB_OWN_MAX)
		return false;
	for (i = 0; i < c->n_deny; i++)
		if (!pfx_valid(&c->deny[i].pfx))
			return false;
	for (i = 0; i < c->n_own; i++)
		if (!pfx_valid(&c->own[i]))
			return false;
	return true;
}

struct bgp_rib *bgp_rib_new(const struct bgp_rib_config *c)
{
	struct bgp_rib *rib;
	unsigned int i;

	if (!config_ok(c))
		return NULL;
	rib = calloc(1, sizeof(*rib));
	if (!rib)
		return NULL;
	rib->mem = sizeof(*rib);
	rib->cfg = *c;
	for (i = 0; i < BGP_AF_COUNT; i++) {
		rib->tab[i].alen = (uint8_t)af_alen(i);
		rib->tab[i].esz = (uint8_t)((offsetof(struct rib_ent, addr) +
					     af_alen(i) + 7) & ~7u);
	}
	for (i = 0; i < BGP_RIB_CONNS_MAX; i++)
		rib->conn[i].peer[0] = rib->conn[i].peer[1] = -1;
	return rib;
}

void bgp_rib_free(struct bgp_rib *rib)
{
	uint32_t id;
	unsigned int i;

	if (!rib)
		return;
	for (i = 0; i < BGP_AF_COUNT; i++)
		free(rib->tab[i].slots);
	for (id = 1; id < rib->attr_next; id++)
		free(rib->attr[id]);
	free(rib->attr);
	free(rib->attr_free);
	free(rib->attr_idx);
	free(rib->pend);
	free(rib->pend_idx);
	free(rib);
}

int bgp_rib_reconfigure(struct bgp_rib *rib, const struct bgp_rib_config *c)
{
	if (!config_ok(c))
		return -EINVAL;
	rib->cfg.max_routes = c->max_routes;
	rib->cfg.refused_max = c->refused_max;
	rib->cfg.n_deny = c->n_deny;
	memcpy(rib->cfg.deny, c->deny, sizeof(c->deny));
	rib->cfg.n_own = c->n_own;
	memcpy(rib->cfg.own, c->own, sizeof(c->own));
	return 0;
}

int bgp_rib_conn_id(const struct bgp_rib *rib, const char *name)
{
	unsigned int i;

	for (i = 0; i < BGP_RIB_CONNS_MAX; i++)
		if (rib->conn[i].name[0] && !strcmp(rib->conn[i].name, name))
			return (int)i;
	return -ENOENT;
}

const char *bgp_rib_conn_name(const struct bgp_rib *rib, unsigned int conn)
{
	return conn < BGP_RIB_CONNS_MAX ? rib->conn[conn].name : "";
}

static int conn_get(struct bgp_rib *rib, const char *name)
{
	int c = bgp_rib_conn_id(rib, name);
	unsigned int i;

	if (c >= 0)
		return c;
	for (i = 0; i < BGP_RIB_CONNS_MAX; i++)
		if (!rib->conn[i].name[0] && conn_free(&rib->conn[i])) {
			strcpy(rib->conn[i].name, name);
			return (int)i;
		}
	return -ENOSPC;
}

int bgp_rib_peer_add(struct bgp_rib *rib, const struct bgp_rib_peer_conf *pc)
{
	struct rib_peer *pr;
	int c, id;

	if (!pc->conn || !pc->conn[0] ||
	    strlen(pc->conn) >= BGP_RIB_NAME_MAX ||
	    pc->tunnel < 1 || pc->tunnel > 2 ||
	    pc->addr.af >= BGP_AF_COUNT ||
	    pc->max_routes > BGP_RIB_QUOTA_MAX ||
	    pc->action > BGP_RIB_ACT_TEARDOWN)
		return -EINVAL;
	c = bgp_rib_conn_id(rib, pc->conn);
	if (c >= 0 && rib->conn[c].peer[pc->tunnel - 1] >= 0)
		return -EEXIST;
	for (id = 0; id < BGP_RIB_PEERS_MAX && rib->peer[id].used; id++)
		;
	if (id == BGP_RIB_PEERS_MAX)
		return -ENOSPC;
	c = conn_get(rib, pc->conn);
	if (c < 0)
		return c;
	pr = &rib->peer[id];
	memset(pr, 0, sizeof(*pr));
	pr->used = true;
	pr->tunnel = pc->tunnel;
	pr->action = pc->action;
	pr->conn = (uint16_t)c;
	pr->addr = pc->addr;
	pr->addr.len = 0;
	pr->peer_as = pc->peer_as;
	pr->max_routes = pc->max_routes;
	rib->conn[c].peer[pc->tunnel - 1] = (int8_t)id;
	rib->active[rib->n_active++] = (uint8_t)id;
	return id;
}

int bgp_rib_peer_del(struct bgp_rib *rib, int peer)
{
	struct rib_peer *pr;
	struct rib_conn *c;
	unsigned int i;

	if (!peer_ok(rib, peer))
		return -EINVAL;
	pr = &rib->peer[peer];
	walk(rib, (unsigned int)peer, BGP_AFS(BGP_AF_IPV4) |
	     BGP_AFS(BGP_AF_IPV6), W_FLUSH);
	if (pr->received)
		return -ENOMEM;		/* some routes could not go yet */
	c = &rib->conn[pr->conn];
	c->peer[pr->tunnel - 1] = -1;
	if (conn_free(c))
		c->name[0] = '\0';
	for (i = 0; i < rib->n_active; i++)
		if (rib->active[i] == peer) {
			rib->active[i] = rib->active[--rib->n_active];
			break;
		}
	memset(pr, 0, sizeof(*pr));
	return 0;
}

int bgp_rib_peer_set_limit(struct bgp_rib *rib, int peer, uint32_t max,
			   uint8_t action)
{
	if (!peer_ok(rib, peer) || max > BGP_RIB_QUOTA_MAX ||
	    action > BGP_RIB_ACT_TEARDOWN)
		return -EINVAL;
	rib->peer[peer].max_routes = max;
	rib->peer[peer].action = action;
	return 0;
}

/* ---- queries ---- */

static void route_fill(const struct bgp_rib *rib, unsigned int af,
		       const struct rib_ent *e, struct bgp_rib_route *r)
{
	ent_pfx(&rib->tab[af], e, af, &r->pfx);
	r->peer = e->peer;
	r->conn = rib->peer[e->peer].conn;
	r->attrs = &ent_attr(rib, e)->a;
	r->why = (enum bgp_rib_reason)e->why;
	r->stale = e->flags & F_STALE;
	r->installed = e->flags & F_INST;
	r->pref = e->pref;
	r->seq = e->seq;
}

void bgp_rib_iter_init(struct bgp_rib_iter *it, int peer, int conn,
		       bool received)
{
	memset(it, 0, sizeof(*it));
	it->peer = peer;
	it->conn = conn;
	it->received = received;
}

bool bgp_rib_iter_next(const struct bgp_rib *rib, struct bgp_rib_iter *it,
		       struct bgp_rib_route *r)
{
	for (; it->af < BGP_AF_COUNT; it->af++, it->pos = 0) {
		const struct rib_tab *t = &rib->tab[it->af];

		while (it->pos < t->cap) {
			const struct rib_ent *e = ent_at(t, it->pos++);

			if (!e->attr ||
			    (it->peer >= 0 && e->peer != it->peer) ||
			    (it->conn >= 0 &&
			     rib->peer[e->peer].conn != it->conn) ||
			    (!it->received && !(e->flags & F_INST)))
				continue;
			route_fill(rib, it->af, e, r);
			return true;
		}
	}
	return false;
}

int bgp_rib_lookup(const struct bgp_rib *rib, int peer,
		   const struct bgp_prefix *p, struct bgp_rib_route *r)
{
	struct bgp_prefix np;
	uint32_t idx;

	if (!peer_ok(rib, peer) || !pfx_norm(p, &np))
		return -ENOENT;
	idx = tab_find(&rib->tab[np.af], (unsigned int)peer, &np);
	if (idx == NONE)
		return -ENOENT;
	route_fill(rib, np.af, ent_at(&rib->tab[np.af], idx), r);
	return 0;
}

int bgp_rib_peer_stats(const struct bgp_rib *rib, int peer,
		       struct bgp_rib_peer_stats *s)
{
	const struct rib_peer *pr;

	if (!peer_ok(rib, peer))
		return -ENOENT;
	pr = &rib->peer[peer];
	memset(s, 0, sizeof(*s));
	s->conn = pr->conn;
	s->tunnel = pr->tunnel;
	s->max_routes = pr->max_routes;
	s->action = pr->action;
	s->received = pr->received;
	s->accepted = pr->accepted;
	s->installed = pr->installed;
	s->stale = pr->stale;
	memcpy(s->refused, pr->refused, sizeof(s->refused));
	s->refused_dropped = pr->refused_dropped;
	s->announcements = pr->announcements;
	s->withdrawals = pr->withdrawals;
	s->teardown = pr->teardown;
	s->td_reason = pr->td_reason;
	s->td_af = pr->td_af;
	s->td_limit = pr->td_limit;
	return 0;
}

void bgp_rib_stats(const struct bgp_rib *rib, struct bgp_rib_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->routes = rib->routes;
	s->max_routes = rib->cfg.max_routes;
	s->prefixes = rib->prefixes;
	s->paths = rib->paths;
	s->accepted = rib->accepted;
	s->refused = rib->refused;
	s->attrs = rib->n_attrs;
	s->peers = rib->n_active;
	s->mem = rib->mem;
}

const char *bgp_rib_reason_name(unsigned int why)
{
	static const char *const names[] = {
		[BGP_RIB_OK] = "accepted",
		[BGP_RIB_DENY] = "import-deny",
		[BGP_RIB_OWN] = "own-prefix",
		[BGP_RIB_LOOP] = "as-loop",
		[BGP_RIB_QUOTA_PEER] = "peer-routes",
		[BGP_RIB_QUOTA_GW] = "bgp-routes",
	};

	return why < BGP_RIB_NREASONS ? names[why] : "unknown";
}

const char *bgp_rib_op_name(unsigned int type)
{
	static const char *const names[] = {
		[BGP_RIB_OP_VPC_DEL] = "vpc-del",
		[BGP_RIB_OP_DEL] = "del",
		[BGP_RIB_OP_REPLACE] = "replace",
		[BGP_RIB_OP_ADD] = "add",
		[BGP_RIB_OP_VPC_ADD] = "vpc-add",
	};

	return type < BGP_RIB_OP_NTYPES ? names[type] : "unknown";
}
