// SPDX-License-Identifier: GPL-2.0
/*
 * Config -> charon mapping (ike_map.h). The choices, and why:
 *
 * - keyingtries=1 and start_action=none: vpnrtd initiates and retries
 *   itself with its own backoff, so there is exactly one party deciding
 *   when to (re)initiate; charon retrying as well would race with it and
 *   make duplicate IKE SAs.
 * - unique=no: when both ends initiate at once each side may end up with
 *   two IKE SAs. "replace" would let the second one delete the first,
 *   which can tear down a working SA (and with both ends doing it, both);
 *   "keep" would refuse a rebooted peer's new SA while our stale one
 *   lives on until DPD. With "no" the duplicates are tolerated (vpnrtd
 *   counts INSTALLED children, so they do no harm), and a rebooted peer's
 *   INITIAL_CONTACT still clears the stale SAs (charon honours it for
 *   every policy but "never").
 * - close_action=none: a peer's DELETE is reported by child-updown and
 *   vpnrtd re-initiates with backoff; dpd_action=restart: charon
 *   re-establishes after DPD itself (vpnrtd sees the CONNECTING IKE SA in
 *   list-sas and does not initiate a second one). A tunnel with
 *   initiate: false is responder only: dpd_action=clear, the peer
 *   re-establishes.
 * - IKEv2: rekey_time = ike lifetime, reauth_time = 0 (5.9.8 reauthenticates
 *   break-before-make). IKEv1 has no IKE rekey: reauth_time = lifetime.
 * - NAT traversal: strongSwan always detects NAT and floats to UDP 4500
 *   when it finds one; it has no switch to turn that off. encap=yes would
 *   force UDP encapsulation without NAT, which neither setting asks for,
 *   so both map to encap=no (never force); nat-traversal: false cannot be
 *   honoured beyond that, and vpnrtd logs so when it loads such a conn.
 * - child life_time = rekey_time + 10 % (at least 30 s more), IKE
 *   over_time the same, so a rekey has room for retransmissions;
 *   rand_time 10 % of the lifetime spreads rekeys; lifetime 0 = no
 *   rekey, no expiry.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ike_map.h"

__attribute__((format(printf, 3, 4)))
static int map_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int ike_map_name(const char *conn, int pos, char *buf, size_t len,
		 char *err, size_t errlen)
{
	int n;

	if (!conn || !*conn)
		return map_err(err, errlen, "empty connection name; 1..%d characters allowed",
			       VPNRT_CONN_NAME_MAX - 1);
	if (pos < 1 || pos > VPNRT_MAX_TUNNELS)
		return map_err(err, errlen, "tunnel position %d; 1..%d allowed",
			       pos, VPNRT_MAX_TUNNELS);
	n = snprintf(buf, len, "vpnrt.%s.%d", conn, pos);
	if (n < 0 || (size_t)n >= len || n > VICI_NAME_MAX)
		return map_err(err, errlen, "connection name \"%.40s\" too long for a charon conn name; at most %zu characters allowed",
			       conn, (len < VICI_NAME_MAX ? len : VICI_NAME_MAX) - 9);
	return 0;
}

static const char *const encr_kw[] = {
	[CFG_ENCR_AES] = "aes128",	/* "aes" means 128 bits */
	[CFG_ENCR_AES128] = "aes128",
	[CFG_ENCR_AES192] = "aes192",
	[CFG_ENCR_AES256] = "aes256",
	[CFG_ENCR_DES] = "des",
	[CFG_ENCR_3DES] = "3des",
};

static const char *const integ_kw[] = {
	[CFG_INTEG_MD5] = "md5",
	[CFG_INTEG_SHA1] = "sha1",
	[CFG_INTEG_SHA256] = "sha256",
	[CFG_INTEG_SHA384] = "sha384",
	[CFG_INTEG_SHA512] = "sha512",
};

static const char *dh_kw(unsigned int g)
{
	switch (g) {
	case 1: return "modp768";
	case 2: return "modp1024";
	case 5: return "modp1536";
	case 14: return "modp2048";
	default: return NULL;
	}
}

int ike_map_proposal(const struct cfg_proposal *p, bool ike, char *buf,
		     size_t len, char *err, size_t errlen)
{
	const char *phase = ike ? "ike" : "ipsec";
	int n;

	if (p->encr >= sizeof(encr_kw) / sizeof(encr_kw[0]))
		return map_err(err, errlen, "%s.encryption %u unknown; aes, aes128, aes192, aes256, des, 3des allowed",
			       phase, p->encr);
	if (p->integ >= sizeof(integ_kw) / sizeof(integ_kw[0]))
		return map_err(err, errlen, "%s.integrity %u unknown; md5, sha1, sha256, sha384, sha512 allowed",
			       phase, p->integ);
	if (p->dh_group == 0 && ike)
		return map_err(err, errlen, "ike.dh-group disabled: IKE needs a DH group; 1, 2, 5, 14 allowed");
	if (p->dh_group && !dh_kw(p->dh_group))
		return map_err(err, errlen, "%s.dh-group %u unknown; 1, 2, 5, 14%s allowed",
			       phase, p->dh_group, ike ? "" : ", disabled");
	if (p->dh_group)
		n = snprintf(buf, len, "%s-%s-%s", encr_kw[p->encr],
			     integ_kw[p->integ], dh_kw(p->dh_group));
	else
		n = snprintf(buf, len, "%s-%s", encr_kw[p->encr],
			     integ_kw[p->integ]);
	if (n < 0 || (size_t)n >= len)
		return map_err(err, errlen, "proposal buffer of %zu bytes too small", len);
	return 0;
}

static const char *addr_str(const struct prefix *p, char *buf, size_t len)
{
	if (p->family != AF_INET && p->family != AF_INET6)
		return NULL;
	return inet_ntop(p->family, p->addr.bytes, buf, len);
}

const char *ike_map_local_id(const struct cfg_tunnel *t, char *buf,
			     size_t len)
{
	if (t->ike.local_id[0]) {
		snprintf(buf, len, "%s", t->ike.local_id);
		return buf;
	}
	return addr_str(&t->local, buf, len);
}

const char *ike_map_remote_id(const struct cfg_tunnel *t, char *buf,
			      size_t len)
{
	if (t->ike.remote_id[0]) {
		snprintf(buf, len, "%s", t->ike.remote_id);
		return buf;
	}
	return addr_str(&t->remote, buf, len);
}

static int kv_u32(struct vici_builder *b, const char *key, uint32_t v)
{
	char s[16];

	/* decimal without leading zeros: charon reads "010" as octal */
	snprintf(s, sizeof(s), "%u", v);
	return vici_build_kv_str(b, key, s);
}

static int list1(struct vici_builder *b, const char *key, const char *item)
{
	vici_build_list(b, key);
	vici_build_item_str(b, item);
	return vici_build_list_end(b);
}

static int list_any(struct vici_builder *b, const char *key)
{
	vici_build_list(b, key);
	vici_build_item_str(b, "0.0.0.0/0");
	vici_build_item_str(b, "::/0");
	return vici_build_list_end(b);
}

static int auth_section(struct vici_builder *b, const char *name,
			const char *id)
{
	vici_build_section(b, name);
	vici_build_kv_str(b, "auth", "psk");
	vici_build_kv_str(b, "id", id);
	return vici_build_section_end(b);
}

/* everything load-conn and load-shared need, checked once */
struct mapped {
	char name[IKE_NAME_MAX];
	char local[INET6_ADDRSTRLEN], remote[INET6_ADDRSTRLEN];
	char lid[CFG_ID_MAX + 1], rid[CFG_ID_MAX + 1];
	char ike_prop[64], esp_prop[64];
};

static int map_common(const struct ike_tunnel *tun, struct mapped *m,
		      char *err, size_t errlen)
{
	const struct cfg_tunnel *t = tun->t;
	const struct cfg_ike *c;

	if (ike_map_name(tun->conn, tun->pos, m->name, sizeof(m->name), err,
			 errlen))
		return -1;
	if (!t)
		return map_err(err, errlen, "%s: no tunnel config", m->name);
	c = &t->ike;
	if (t->ike_none)
		return map_err(err, errlen, "%s: tunnel has ike: none; only IKE-managed tunnels are loaded into charon",
			       m->name);
	if (c->version != 1 && c->version != 2)
		return map_err(err, errlen, "%s: ike.version %u; 1 (ikev1) or 2 (ikev2) allowed",
			       m->name, c->version);
	if (c->aggressive && c->version != 1)
		return map_err(err, errlen, "%s: ike.mode aggressive with IKEv2; aggressive is allowed with ikev1 only",
			       m->name);
	if (!addr_str(&t->local, m->local, sizeof(m->local)) ||
	    !addr_str(&t->remote, m->remote, sizeof(m->remote)))
		return map_err(err, errlen, "%s: local-address or remote-address missing; an IPv4 or IPv6 address allowed",
			       m->name);
	if (t->local.family != t->remote.family)
		return map_err(err, errlen, "%s: local-address %s and remote-address %s differ in family; both IPv4 or both IPv6 allowed",
			       m->name, m->local, m->remote);
	if (!t->if_id)
		return map_err(err, errlen, "%s: if-id 0; xfrm interfaces need 1..4294967295",
			       m->name);
	if (!c->psk[0])
		return map_err(err, errlen, "%s: empty psk; 1..%d characters allowed",
			       m->name, CFG_PSK_MAX);
	if (strnlen(c->psk, sizeof(c->psk)) > CFG_PSK_MAX)
		return map_err(err, errlen, "%s: psk longer than %d characters; 1..%d allowed",
			       m->name, CFG_PSK_MAX, CFG_PSK_MAX);
	if (strnlen(c->local_id, sizeof(c->local_id)) > CFG_ID_MAX ||
	    strnlen(c->remote_id, sizeof(c->remote_id)) > CFG_ID_MAX)
		return map_err(err, errlen, "%s: local-id or remote-id longer than %d characters",
			       m->name, CFG_ID_MAX);
	if (c->ike.lifetime > CFG_LIFETIME_MAX ||
	    c->ipsec.lifetime > CFG_LIFETIME_MAX)
		return map_err(err, errlen, "%s: lifetime over %d s; 0..%d allowed",
			       m->name, CFG_LIFETIME_MAX, CFG_LIFETIME_MAX);
	ike_map_local_id(t, m->lid, sizeof(m->lid));
	ike_map_remote_id(t, m->rid, sizeof(m->rid));
	if (ike_map_proposal(&c->ike, true, m->ike_prop, sizeof(m->ike_prop),
			     err, errlen) ||
	    ike_map_proposal(&c->ipsec, false, m->esp_prop,
			     sizeof(m->esp_prop), err, errlen)) {
		char tmp[IKE_MAP_ERR_LEN];

		snprintf(tmp, sizeof(tmp), "%s", err ? err : "");
		return map_err(err, errlen, "%s: %s", m->name, tmp);
	}
	return 0;
}

/*
 * Room between the rekey and the hard end of an SA: 10 % of the
 * lifetime, but at least 30 s, which a rekey needs when its first
 * messages are lost and retransmitted (an SA that expires before its
 * rekey is done is deleted, not replaced: traffic stops). 0: no rekey.
 */
static uint32_t rekey_margin(uint32_t rekey)
{
	uint32_t extra = rekey / 10;

	if (!rekey)
		return 0;
	return extra > 30 ? extra : 30;
}

static uint32_t child_life(uint32_t rekey)
{
	return rekey ? rekey + rekey_margin(rekey) : 0;
}

int ike_map_load_conn(struct vici_builder *b, const struct ike_tunnel *tun,
		      char *err, size_t errlen)
{
	const struct cfg_ike *c;
	struct mapped m;
	const uint8_t *pkt;
	size_t len;

	memset(b, 0, sizeof(*b));
	if (map_common(tun, &m, err, errlen))
		return -1;
	c = &tun->t->ike;
	vici_build_init(b, VICI_CMD_REQUEST, "load-conn");
	vici_build_section(b, m.name);
	kv_u32(b, "version", c->version);
	vici_build_kv_str(b, "aggressive", c->aggressive ? "yes" : "no");
	list1(b, "local_addrs", m.local);
	list1(b, "remote_addrs", m.remote);
	/* one combination per phase in the config: one proposal, one item */
	list1(b, "proposals", m.ike_prop);
	vici_build_kv_str(b, "encap", "no");
	kv_u32(b, "dpd_delay", c->dpd ? c->dpd_delay : 0);
	if (c->version == 1 && c->dpd)
		kv_u32(b, "dpd_timeout", c->dpd_timeout);
	if (c->version == 2) {
		kv_u32(b, "rekey_time", c->ike.lifetime);
		kv_u32(b, "reauth_time", 0);
	} else {
		kv_u32(b, "rekey_time", 0);
		kv_u32(b, "reauth_time", c->ike.lifetime);
	}
	/* the IKE SA's hard end, and the spread of the rekey before it */
	kv_u32(b, "over_time", rekey_margin(c->ike.lifetime));
	kv_u32(b, "rand_time", c->ike.lifetime / 10);
	kv_u32(b, "keyingtries", 1);
	vici_build_kv_str(b, "unique", "no");
	kv_u32(b, "if_id_in", tun->t->if_id);
	kv_u32(b, "if_id_out", tun->t->if_id);
	auth_section(b, "local", m.lid);
	auth_section(b, "remote", m.rid);
	vici_build_section(b, "children");
	vici_build_section(b, m.name);
	vici_build_kv_str(b, "mode", "tunnel");
	list_any(b, "local_ts");
	list_any(b, "remote_ts");
	list1(b, "esp_proposals", m.esp_prop);
	kv_u32(b, "rekey_time", c->ipsec.lifetime);
	kv_u32(b, "life_time", child_life(c->ipsec.lifetime));
	kv_u32(b, "rand_time", c->ipsec.lifetime / 10);
	/* a responder-only tunnel leaves re-establishing to the peer */
	vici_build_kv_str(b, "dpd_action", c->initiate ? "restart" : "clear");
	vici_build_kv_str(b, "start_action", "none");
	vici_build_kv_str(b, "close_action", "none");
	kv_u32(b, "if_id_in", tun->t->if_id);
	kv_u32(b, "if_id_out", tun->t->if_id);
	vici_build_section_end(b);	/* the child */
	vici_build_section_end(b);	/* children */
	vici_build_section_end(b);	/* the conn */
	if (vici_build_finish(b, &pkt, &len))
		return map_err(err, errlen, "%s: load-conn: %s", m.name,
			       b->err.msg);
	return 0;
}

int ike_map_load_shared(struct vici_builder *b, const struct ike_tunnel *tun,
			char *err, size_t errlen)
{
	struct mapped m;
	const uint8_t *pkt;
	size_t len;

	memset(b, 0, sizeof(*b));
	if (map_common(tun, &m, err, errlen))
		return -1;
	vici_build_init(b, VICI_CMD_REQUEST, "load-shared");
	vici_build_kv_str(b, "id", m.name);
	vici_build_kv_str(b, "type", "IKE");
	/* raw bytes: charon decodes no 0x/0s prefixes (swanctl does) */
	vici_build_kv(b, "data", tun->t->ike.psk, strlen(tun->t->ike.psk));
	vici_build_list(b, "owners");
	vici_build_item_str(b, m.lid);
	vici_build_item_str(b, m.rid);
	vici_build_list_end(b);
	if (vici_build_finish(b, &pkt, &len))
		return map_err(err, errlen, "%s: load-shared: %s", m.name,
			       b->err.msg);
	return 0;
}
