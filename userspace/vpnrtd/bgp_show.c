// SPDX-License-Identifier: GPL-2.0
/*
 * `vpnrtctl bgp show`, `bgp routes` and the BGP monitor lines, as text
 * and JSON (bgp_show.h). Only bgp.h's query functions and the session,
 * table and codec read functions are used.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_show.h"

/* ---- small formatters ---- */

const char *bgp_show_duration(uint64_t secs, char *buf, size_t len)
{
	uint64_t d = secs / 86400, h = secs / 3600 % 24, m = secs / 60 % 60,
		 s = secs % 60;

	if (d)
		snprintf(buf, len, "%llud%02lluh%02llum%02llus",
			 (unsigned long long)d, (unsigned long long)h,
			 (unsigned long long)m, (unsigned long long)s);
	else if (h)
		snprintf(buf, len, "%lluh%02llum%02llus", (unsigned long long)h,
			 (unsigned long long)m, (unsigned long long)s);
	else if (m)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)m,
			 (unsigned long long)s);
	else
		snprintf(buf, len, "%llus", (unsigned long long)s);
	return buf;
}

static const char *iso_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!t || !gmtime_r(&t, &tm))
		return "never";
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static const char *addr_str(const struct bgp_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, a->family == AF_INET6 ? (const void *)&a->v6 :
		       (const void *)&a->v4, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

static const char *id_str(uint32_t id, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", id >> 24, (id >> 16) & 0xff,
		 (id >> 8) & 0xff, id & 0xff);
	return buf;
}

static const char *afi_safi_str(uint16_t afi, uint8_t safi, bool json,
				char *buf, size_t len)
{
	if (safi == BGP_SAFI_UNICAST && (afi == BGP_AFI_IPV4 || afi == BGP_AFI_IPV6))
		snprintf(buf, len, "%s", json ? (afi == BGP_AFI_IPV4 ?
			 "ipv4_unicast" : "ipv6_unicast") :
			 bgp_af_name(afi == BGP_AFI_IPV4 ? BGP_AF_IPV4 : BGP_AF_IPV6));
	else
		snprintf(buf, len, json ? "afi_%u_safi_%u" : "AFI %u SAFI %u",
			 afi, safi);
	return buf;
}

static const char *const af_json[BGP_AF_COUNT] = { "ipv4_unicast", "ipv6_unicast" };

/* JSON keys of the refusal reasons (bgp_rib_reason_name() in text) */
static const char *const reason_key[BGP_RIB_NREASONS] = {
	[BGP_RIB_OK] = "accepted",
	[BGP_RIB_DENY] = "import_deny",
	[BGP_RIB_OWN] = "own_prefix",
	[BGP_RIB_LOOP] = "as_loop",
	[BGP_RIB_QUOTA_PEER] = "peer_routes",
	[BGP_RIB_QUOTA_GW] = "bgp_routes",
};

static const char *const msg_key[BGP_MSG_ROUTE_REFRESH + 1] = {
	[BGP_MSG_OPEN] = "open", [BGP_MSG_UPDATE] = "update",
	[BGP_MSG_NOTIFICATION] = "notification",
	[BGP_MSG_KEEPALIVE] = "keepalive",
	[BGP_MSG_ROUTE_REFRESH] = "route_refresh",
};

static const char *action_name(uint8_t action)
{
	return action == BGP_RIB_ACT_TEARDOWN ? "teardown" : "refuse";
}

/* the i-th peer, if it is of conn (NULL: any) */
static bool peer_get(const struct vpnrtd *d, int i, const char *conn,
		     struct bgp_peer_view *v)
{
	if (bgp_peer_view(d, i, v))
		return false;
	return !conn || !*conn || !strcmp(v->conn, conn);
}

static bool conn_has_peer(const struct vpnrtd *d, const char *conn)
{
	struct bgp_peer_view v;
	int n = bgp_n_peers(d);

	for (int i = 0; i < n; i++)
		if (peer_get(d, i, conn, &v))
			return true;
	return false;
}

static void no_peer_err(const struct vpnrtd *d, const char *conn, char *err,
			size_t len)
{
	if (conn && *conn)
		snprintf(err, len, "connection %.40s has no BGP peer (no tunnel of it has bgp:)",
			 conn);
	else if (!bgp_n_peers(d))
		snprintf(err, len, "no BGP peer is configured (no tunnel has bgp:)");
	else
		snprintf(err, len, "no BGP peer");
}

/* ---- bgp show ---- */

static void caps_text(const struct bgp_open *o, FILE *f)
{
	char a[64];
	const char *sep = "";

	if (o->n_mp) {
		fputs("multiprotocol", f);
		for (unsigned int i = 0; i < o->n_mp; i++)
			fprintf(f, "%s%s", i ? ", " : " ",
				afi_safi_str(o->mp[i].afi, o->mp[i].safi, false,
					     a, sizeof(a)));
		sep = "; ";
	}
	if (o->cap_rr) {
		fprintf(f, "%sroute refresh", sep);
		sep = "; ";
	}
	if (o->cap_err) {
		fprintf(f, "%senhanced route refresh", sep);
		sep = "; ";
	}
	if (o->cap_gr) {
		fprintf(f, "%sgraceful restart %u s%s%s", sep, o->gr_time,
			o->gr_flags & BGP_GR_R ? " restarting" : "",
			o->gr_flags & BGP_GR_N ? " notification" : "");
		for (unsigned int i = 0; i < o->n_gr; i++)
			fprintf(f, "%s%s%s", i ? ", " : " ",
				afi_safi_str(o->gr[i].afi, o->gr[i].safi, false,
					     a, sizeof(a)),
				o->gr[i].flags & BGP_GR_AF_F ? " (forwarding)" : "");
		sep = "; ";
	}
	if (o->cap_as4) {
		fprintf(f, "%s4-octet AS", sep);
		sep = "; ";
	}
	for (unsigned int i = 0; i < o->n_other; i++) {
		fprintf(f, "%s%s (code %u, %u bytes)", sep,
			bgp_cap_name(o->other[i].code), o->other[i].code,
			o->other[i].len);
		sep = "; ";
	}
	if (!*sep)
		fputs("none", f);
}

static void caps_json(struct json *j, const char *key, const struct bgp_open *o)
{
	char a[64];

	json_obj_open(j, key);
	json_u64(j, "asn", o->as);
	json_u64(j, "hold_time", o->hold_time);
	json_str(j, "bgp_id", id_str(o->bgp_id, a, sizeof(a)));
	json_arr_open(j, "multiprotocol");
	for (unsigned int i = 0; i < o->n_mp; i++)
		json_str(j, NULL, afi_safi_str(o->mp[i].afi, o->mp[i].safi, true,
					       a, sizeof(a)));
	json_arr_close(j);
	json_bool(j, "route_refresh", o->cap_rr);
	json_bool(j, "enhanced_route_refresh", o->cap_err);
	json_bool(j, "as4", o->cap_as4);
	if (o->cap_gr) {
		json_obj_open(j, "graceful_restart");
		json_u64(j, "restart_time", o->gr_time);
		json_bool(j, "restarting", o->gr_flags & BGP_GR_R);
		json_bool(j, "notification", o->gr_flags & BGP_GR_N);
		json_arr_open(j, "families");
		for (unsigned int i = 0; i < o->n_gr; i++) {
			json_obj_open(j, NULL);
			json_str(j, "family", afi_safi_str(o->gr[i].afi,
				 o->gr[i].safi, true, a, sizeof(a)));
			json_bool(j, "forwarding", o->gr[i].flags & BGP_GR_AF_F);
			json_obj_close(j);
		}
		json_arr_close(j);
		json_obj_close(j);
	} else {
		json_null(j, "graceful_restart");
	}
	json_arr_open(j, "other");
	for (unsigned int i = 0; i < o->n_other; i++) {
		json_obj_open(j, NULL);
		json_u64(j, "code", o->other[i].code);
		json_str(j, "name", bgp_cap_name(o->other[i].code));
		json_u64(j, "length", o->other[i].len);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

static void afs_text(uint8_t afs, FILE *f)
{
	const char *sep = "";

	for (unsigned int af = 0; af < BGP_AF_COUNT; af++)
		if (afs & BGP_AFS(af)) {
			fprintf(f, "%s%s", sep, bgp_af_name(af));
			sep = ", ";
		}
	if (!*sep)
		fputs("none", f);
}

static void afs_json(struct json *j, const char *key, uint8_t afs)
{
	json_arr_open(j, key);
	for (unsigned int af = 0; af < BGP_AF_COUNT; af++)
		if (afs & BGP_AFS(af))
			json_str(j, NULL, af_json[af]);
	json_arr_close(j);
}

static void notif_text(const char *what, const struct bgp_notif_info *n, FILE *f)
{
	char t[32];

	if (!n->valid)
		return;
	fprintf(f, "  %-15s%s/%s (%u/%u)", what, n->code_name, n->subcode_name,
		n->code, n->subcode);
	if (*n->text)
		fprintf(f, " \"%s\"", n->text);
	fprintf(f, " at %s\n", iso_time(n->when, t, sizeof(t)));
}

static void notif_json(struct json *j, const char *key,
		       const struct bgp_notif_info *n)
{
	char t[32];

	if (!n->valid) {
		json_null(j, key);
		return;
	}
	json_obj_open(j, key);
	json_str(j, "time", iso_time(n->when, t, sizeof(t)));
	json_u64(j, "code", n->code);
	json_u64(j, "subcode", n->subcode);
	json_str(j, "code_name", n->code_name);
	json_str(j, "subcode_name", n->subcode_name);
	json_str(j, "text", n->text);
	json_obj_close(j);
}

static void str_or_null(struct json *j, const char *key, const char *s)
{
	if (*s)
		json_str(j, key, s);
	else
		json_null(j, key);
}

static uint32_t refused_total(const struct bgp_rib_peer_stats *st)
{
	uint32_t n = 0;

	for (unsigned int r = BGP_RIB_OK + 1; r < BGP_RIB_NREASONS; r++)
		n += st->refused[r];
	return n;
}

static void msgs_text(const char *what, const struct bgp_msg_count *m, FILE *f)
{
	uint64_t bytes = 0;

	fprintf(f, "  %-15s", what);
	for (unsigned int t = BGP_MSG_OPEN; t <= BGP_MSG_ROUTE_REFRESH; t++) {
		fprintf(f, "%s%s %llu", t == BGP_MSG_OPEN ? "" : ", ",
			bgp_msg_name(t), (unsigned long long)m[t].msgs);
		bytes += m[t].bytes;
	}
	fprintf(f, " (%llu bytes)\n", (unsigned long long)bytes);
}

static void msgs_json(struct json *j, const char *key,
		      const struct bgp_msg_count *m)
{
	json_obj_open(j, key);
	for (unsigned int t = BGP_MSG_OPEN; t <= BGP_MSG_ROUTE_REFRESH; t++) {
		json_obj_open(j, msg_key[t]);
		json_u64(j, "count", m[t].msgs);
		json_u64(j, "bytes", m[t].bytes);
		json_obj_close(j);
	}
	json_obj_close(j);
}

static void peer_text(const struct bgp_peer_view *v, time_t now, FILE *f)
{
	const struct bgp_session_info *in = bgp_session_info(v->s);
	const struct bgp_session_cfg *c = bgp_session_cfg(v->s);
	const struct bgp_rib_peer_stats *st = &v->st;
	bool up = in->state == BGP_ESTABLISHED;
	char a[64], b[64], t[32];

	fprintf(f, "%s/%d gateway %s: %s", v->conn, v->pos, v->gw,
		bgp_state_name(in->state));
	if (up && in->up_since)
		fprintf(f, ", up %s", bgp_show_duration(now > in->up_since ?
			(uint64_t)(now - in->up_since) : 0, a, sizeof(a)));
	fputc('\n', f);
	fprintf(f, "  %-15s%s AS%u id %s (%s)\n", "peer",
		addr_str(&c->peer, a, sizeof(a)), c->peer_as,
		in->have_peer_open ? id_str(in->peer_open.bgp_id, b, sizeof(b)) :
		"unknown", c->peer_as == c->local_as ? "iBGP" : "eBGP");
	fprintf(f, "  %-15s%s AS%u id %s\n", "local",
		addr_str(&c->local, a, sizeof(a)), c->local_as,
		id_str(c->bgp_id, b, sizeof(b)));
	fprintf(f, "  %-15s%s\n", "tunnel", v->tunnel_up ? "up" : "down");
	fprintf(f, "  %-15s%s since %s", "state", bgp_state_name(in->state),
		iso_time(in->since, t, sizeof(t)));
	if (up)
		fprintf(f, ", connection %s", in->outgoing ? "outgoing" : "incoming");
	fputc('\n', f);
	if (up)
		fprintf(f, "  %-15s%u s, keepalive %u s\n", "hold time",
			in->hold_time, in->keepalive);
	else
		fprintf(f, "  %-15s%u s configured\n", "hold time", c->hold_time);
	if (up) {
		fprintf(f, "  %-15s", "families");
		afs_text(in->ctx.afs, f);
		if (in->afs_disabled) {
			fputs(" (disabled: ", f);
			afs_text(in->afs_disabled, f);
			fputc(')', f);
		}
		fprintf(f, "; %s-octet AS numbers\n", in->ctx.as4 ? "4" : "2");
	}
	fprintf(f, "  %-15s", "local caps");
	caps_text(&in->local_open, f);
	fputc('\n', f);
	if (in->have_peer_open) {
		fprintf(f, "  %-15s", "peer caps");
		caps_text(&in->peer_open, f);
		fputc('\n', f);
	}
	fprintf(f, "  %-15sreceived %u, accepted %u, refused %u, installed %u, stale %u, advertised %u\n",
		"prefixes", st->received, st->accepted, refused_total(st),
		st->installed, st->stale, v->advertised);
	if (refused_total(st) || st->refused_dropped) {
		const char *sep = "";

		fprintf(f, "  %-15s", "refused");
		for (unsigned int r = BGP_RIB_OK + 1; r < BGP_RIB_NREASONS; r++)
			if (st->refused[r]) {
				fprintf(f, "%s%s %u", sep, bgp_rib_reason_name(r),
					st->refused[r]);
				sep = ", ";
			}
		if (st->refused_dropped)
			fprintf(f, "%s%llu more not held", sep,
				(unsigned long long)st->refused_dropped);
		fputc('\n', f);
	}
	fprintf(f, "  %-15s%u, then %s", "peer-routes", st->max_routes,
		action_name(st->action));
	if (st->teardown)
		fprintf(f, " (teardown pending: %s %s %u)",
			bgp_rib_reason_name(st->td_reason), bgp_af_name(st->td_af),
			st->td_limit);
	fputc('\n', f);
	fprintf(f, "  %-15s%llu announced, %llu withdrawn\n", "updates",
		(unsigned long long)st->announcements,
		(unsigned long long)st->withdrawals);
	msgs_text("messages in", in->in, f);
	msgs_text("messages out", in->out, f);
	fprintf(f, "  %-15s%u attempts, %u flaps, %u failures, %u collisions, %u refused\n",
		"connections", in->connect_attempts, in->flaps, in->failures,
		in->collisions, in->refused);
	if (*in->connect_error)
		fprintf(f, "  %-15s%s\n", "connect error", in->connect_error);
	if (*in->last_error)
		fprintf(f, "  %-15s%s\n", "last error", in->last_error);
	notif_text("notif sent", &in->notif_sent, f);
	notif_text("notif received", &in->notif_rcvd, f);
}

static void peer_json(struct json *j, const struct bgp_peer_view *v, time_t now)
{
	const struct bgp_session_info *in = bgp_session_info(v->s);
	const struct bgp_session_cfg *c = bgp_session_cfg(v->s);
	const struct bgp_rib_peer_stats *st = &v->st;
	bool up = in->state == BGP_ESTABLISHED;
	char a[64], t[32];

	json_obj_open(j, NULL);
	json_str(j, "gateway", v->gw);
	json_str(j, "conn", v->conn);
	json_u64(j, "tunnel", (uint64_t)v->pos);
	json_str(j, "peer", addr_str(&c->peer, a, sizeof(a)));
	json_u64(j, "peer_as", c->peer_as);
	if (in->have_peer_open)
		json_str(j, "peer_id", id_str(in->peer_open.bgp_id, a, sizeof(a)));
	else
		json_null(j, "peer_id");
	json_str(j, "local", addr_str(&c->local, a, sizeof(a)));
	json_u64(j, "local_as", c->local_as);
	json_str(j, "local_id", id_str(c->bgp_id, a, sizeof(a)));
	json_str(j, "type", c->peer_as == c->local_as ? "ibgp" : "ebgp");
	json_bool(j, "tunnel_up", v->tunnel_up);
	json_str(j, "state", bgp_state_name(in->state));
	json_str(j, "state_since", iso_time(in->since, t, sizeof(t)));
	if (up && in->up_since) {
		json_str(j, "established_since", iso_time(in->up_since, t, sizeof(t)));
		json_u64(j, "uptime_s", now > in->up_since ?
			 (uint64_t)(now - in->up_since) : 0);
		json_str(j, "connection", in->outgoing ? "outgoing" : "incoming");
		json_u64(j, "hold_time", in->hold_time);
		json_u64(j, "keepalive", in->keepalive);
	} else {
		json_null(j, "established_since");
		json_null(j, "uptime_s");
		json_null(j, "connection");
		json_null(j, "hold_time");
		json_null(j, "keepalive");
	}
	json_u64(j, "hold_time_configured", c->hold_time);
	if (up) {
		json_obj_open(j, "negotiated");
		afs_json(j, "families", in->ctx.afs);
		afs_json(j, "families_disabled", in->afs_disabled);
		json_bool(j, "as4", in->ctx.as4);
		json_obj_close(j);
	} else {
		json_null(j, "negotiated");
	}
	caps_json(j, "local_capabilities", &in->local_open);
	if (in->have_peer_open)
		caps_json(j, "peer_capabilities", &in->peer_open);
	else
		json_null(j, "peer_capabilities");
	json_obj_open(j, "prefixes");
	json_u64(j, "received", st->received);
	json_u64(j, "accepted", st->accepted);
	json_u64(j, "refused", refused_total(st));
	json_u64(j, "installed", st->installed);
	json_u64(j, "stale", st->stale);
	json_u64(j, "advertised", v->advertised);
	json_obj_open(j, "refused_by_reason");
	for (unsigned int r = BGP_RIB_OK + 1; r < BGP_RIB_NREASONS; r++)
		json_u64(j, reason_key[r], st->refused[r]);
	json_obj_close(j);
	json_u64(j, "refused_not_held", st->refused_dropped);
	json_u64(j, "announcements", st->announcements);
	json_u64(j, "withdrawals", st->withdrawals);
	json_obj_close(j);
	json_obj_open(j, "limit");
	json_u64(j, "peer_routes", st->max_routes);
	json_str(j, "action", action_name(st->action));
	json_bool(j, "teardown_pending", st->teardown);
	json_obj_close(j);
	json_obj_open(j, "messages");
	msgs_json(j, "received", in->in);
	msgs_json(j, "sent", in->out);
	json_obj_close(j);
	json_u64(j, "connect_attempts", in->connect_attempts);
	json_u64(j, "flaps", in->flaps);
	json_u64(j, "failures", in->failures);
	json_u64(j, "collisions", in->collisions);
	json_u64(j, "connections_refused", in->refused);
	json_u64(j, "send_queue_bytes", in->sendq_bytes);
	str_or_null(j, "connect_error", in->connect_error);
	str_or_null(j, "last_error", in->last_error);
	notif_json(j, "notification_sent", &in->notif_sent);
	notif_json(j, "notification_received", &in->notif_rcvd);
	json_obj_close(j);
}

int bgp_show_peers(const struct vpnrtd *d, const char *conn, bool json,
		   time_t now, FILE *f, char *err, size_t errlen)
{
	struct bgp_peer_view v;
	int n = bgp_n_peers(d), shown = 0;
	struct json j;

	if (!conn_has_peer(d, conn)) {
		no_peer_err(d, conn, err, errlen);
		return -1;
	}
	if (json) {
		json_init(&j, f, false);
		json_obj_open(&j, NULL);
		json_arr_open(&j, "peers");
	}
	for (int i = 0; i < n; i++) {
		if (!peer_get(d, i, conn, &v))
			continue;
		if (json) {
			peer_json(&j, &v, now);
		} else {
			if (shown)
				fputc('\n', f);
			peer_text(&v, now, f);
		}
		shown++;
	}
	if (json) {
		json_arr_close(&j);
		json_obj_close(&j);
		json_end(&j);
	}
	return 0;
}

/* ---- bgp routes ---- */

static const char *origin_name(uint8_t o)
{
	static const char *const n[] = { "igp", "egp", "incomplete" };

	return o < 3 ? n[o] : "unknown";
}

static const char *nh_str(const struct bgp_attrs *a, char *buf, size_t len)
{
	char g[INET6_ADDRSTRLEN], l[INET6_ADDRSTRLEN];

	if (a->nh_len == 4)
		inet_ntop(AF_INET, a->nh, buf, (socklen_t)len);
	else if (a->nh_len == 16)
		inet_ntop(AF_INET6, a->nh, buf, (socklen_t)len);
	else if (a->nh_len == 32)
		snprintf(buf, len, "%s %s", inet_ntop(AF_INET6, a->nh, g, sizeof(g)),
			 inet_ntop(AF_INET6, a->nh + 16, l, sizeof(l)));
	else
		buf[0] = '\0';
	return buf;
}

static const char *route_status(const struct bgp_rib_route *r)
{
	return r->why != BGP_RIB_OK ? "refused" : r->installed ? "installed" :
	       "accepted";
}

static void route_text(const struct bgp_rib_route *r, FILE *f)
{
	const struct bgp_attrs *a = r->attrs;
	char p[48], st[48], buf[512];
	size_t n;

	if (r->why != BGP_RIB_OK)
		snprintf(st, sizeof(st), "refused %s", bgp_rib_reason_name(r->why));
	else if (r->installed)
		snprintf(st, sizeof(st), "installed pref %u", r->pref);
	else
		snprintf(st, sizeof(st), "accepted");
	fprintf(f, "  %-18s %-20s as-path %s origin %s",
		bgp_prefix_fmt(&r->pfx, p, sizeof(p)), st,
		*bgp_aspath_fmt(a, buf, sizeof(buf)) ? buf : "empty",
		origin_name(a->origin));
	if (BGP_ATTRS_HAS(a, BGP_ATTR_MED))
		fprintf(f, " med %u", a->med);
	if (BGP_ATTRS_HAS(a, BGP_ATTR_LOCAL_PREF))
		fprintf(f, " local-pref %u", a->local_pref);
	n = bgp_attrs_n_communities(a);
	if (n) {
		fputs(" communities", f);
		for (size_t i = 0; i < n; i++) {
			uint32_t c = bgp_attrs_community(a, i);

			fprintf(f, " %u:%u", c >> 16, c & 0xffff);
		}
	}
	n = bgp_attrs_n_large(a);
	if (n) {
		fputs(" large-communities", f);
		for (size_t i = 0; i < n; i++) {
			uint32_t l3[3];

			bgp_attrs_large(a, i, l3);
			fprintf(f, " %u:%u:%u", l3[0], l3[1], l3[2]);
		}
	}
	if (a->nh_len)
		fprintf(f, " next-hop %s", nh_str(a, buf, sizeof(buf)));
	if (r->stale)
		fputs(" stale", f);
	fputc('\n', f);
}

static void route_json(struct json *j, const struct bgp_peer_view *v,
		       const struct bgp_rib_route *r)
{
	const struct bgp_attrs *a = r->attrs;
	char buf[512];
	size_t n;

	json_obj_open(j, NULL);
	json_str(j, "prefix", bgp_prefix_fmt(&r->pfx, buf, sizeof(buf)));
	json_str(j, "gateway", v->gw);
	json_str(j, "conn", v->conn);
	json_u64(j, "tunnel", (uint64_t)v->pos);
	json_str(j, "peer", addr_str(&bgp_session_cfg(v->s)->peer, buf, sizeof(buf)));
	json_str(j, "status", route_status(r));
	if (r->why != BGP_RIB_OK)
		json_str(j, "refused_reason", bgp_rib_reason_name(r->why));
	else
		json_null(j, "refused_reason");
	if (r->installed)
		json_u64(j, "pref", r->pref);
	else
		json_null(j, "pref");
	json_bool(j, "stale", r->stale);
	json_str(j, "as_path", bgp_aspath_fmt(a, buf, sizeof(buf)));
	json_u64(j, "as_path_length", bgp_aspath_length(a));
	json_str(j, "origin", origin_name(a->origin));
	if (BGP_ATTRS_HAS(a, BGP_ATTR_MED))
		json_u64(j, "med", a->med);
	else
		json_null(j, "med");
	if (BGP_ATTRS_HAS(a, BGP_ATTR_LOCAL_PREF))
		json_u64(j, "local_pref", a->local_pref);
	else
		json_null(j, "local_pref");
	json_arr_open(j, "communities");
	n = bgp_attrs_n_communities(a);
	for (size_t i = 0; i < n; i++) {
		uint32_t c = bgp_attrs_community(a, i);

		snprintf(buf, sizeof(buf), "%u:%u", c >> 16, c & 0xffff);
		json_str(j, NULL, buf);
	}
	json_arr_close(j);
	json_arr_open(j, "large_communities");
	n = bgp_attrs_n_large(a);
	for (size_t i = 0; i < n; i++) {
		uint32_t l3[3];

		bgp_attrs_large(a, i, l3);
		snprintf(buf, sizeof(buf), "%u:%u:%u", l3[0], l3[1], l3[2]);
		json_str(j, NULL, buf);
	}
	json_arr_close(j);
	if (a->nh_len)
		json_str(j, "next_hop", nh_str(a, buf, sizeof(buf)));
	else
		json_null(j, "next_hop");
	json_obj_close(j);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

/*
 * What changes whenever the table does: its counters and every peer's
 * announcement and withdrawal counts; for advertised listings the
 * number announced.
 */
static uint64_t fingerprint(const struct vpnrtd *d, const struct bgp_peer_view *pv,
			    bool advertised)
{
	struct bgp_rib_stats rs;
	struct bgp_peer_view v;
	uint64_t h = 0;
	int n = bgp_n_peers(d);

	if (advertised)
		return pv->advertised;
	bgp_rib_stats(pv->rib, &rs);
	h = mix(mix(mix(mix(mix(h, rs.routes), rs.paths), rs.accepted),
		    rs.attrs), rs.mem);
	for (int i = 0; i < n; i++)
		if (!bgp_peer_view(d, i, &v) && v.rib == pv->rib)
			h = mix(mix(mix(h, v.st.announcements), v.st.withdrawals),
				v.st.stale);
	return h;
}

int bgp_routes_begin(struct bgp_routes_walk *w, const struct vpnrtd *d,
		     const char *conn, bool advertised, bool json,
		     char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	if (conn && strlen(conn) >= sizeof(w->conn)) {
		snprintf(err, errlen, "connection name %.40s... is too long", conn);
		return -1;
	}
	if (!conn_has_peer(d, conn)) {
		no_peer_err(d, conn, err, errlen);
		return -1;
	}
	snprintf(w->conn, sizeof(w->conn), "%s", conn ? conn : "");
	w->json = json;
	w->advertised = advertised;
	return 0;
}

static void peer_header(struct bgp_routes_walk *w, const struct bgp_peer_view *v,
			FILE *f)
{
	const struct bgp_session_cfg *c = bgp_session_cfg(v->s);
	char a[64];

	if (w->json)
		return;
	if (w->n_peers)
		fputc('\n', f);
	fprintf(f, "%s/%d gateway %s peer %s AS%u (%s): ", v->conn, v->pos,
		v->gw, addr_str(&c->peer, a, sizeof(a)), c->peer_as,
		bgp_state_name(bgp_session_state(v->s)));
	if (w->advertised)
		fprintf(f, "advertised %u\n", v->advertised);
	else
		fprintf(f, "received %u, accepted %u, refused %u, installed %u\n",
			v->st.received, v->st.accepted, refused_total(&v->st),
			v->st.installed);
}

/* the peer the walk is on, found again by index; false: it is gone */
static bool walk_peer(struct bgp_routes_walk *w, const struct vpnrtd *d,
		      struct bgp_peer_view *v)
{
	if (bgp_peer_view(d, w->peer, v))
		return false;
	if (!w->in_peer)
		return true;
	return !strcmp(v->gw, w->peer_gw) && !strcmp(v->conn, w->peer_conn) &&
	       v->pos == w->peer_pos;
}

static void walk_end(struct bgp_routes_walk *w, FILE *f)
{
	if (w->json) {
		json_arr_close(&w->j);
		json_u64(&w->j, "count", w->n_routes);
		json_bool(&w->j, "interrupted", w->interrupted);
		json_obj_close(&w->j);
		json_end(&w->j);
	} else {
		fprintf(f, "%s%llu %s route%s\n", w->n_peers ? "\n" : "",
			(unsigned long long)w->n_routes,
			w->advertised ? "advertised" : "received",
			w->n_routes == 1 ? "" : "s");
		if (w->interrupted)
			fputs("interrupted: the table changed during the listing; a route may be shown twice or be missing\n",
			      f);
	}
	w->done = true;
}

bool bgp_routes_next(struct bgp_routes_walk *w, const struct vpnrtd *d,
		     FILE *f, size_t max)
{
	struct bgp_peer_view v;
	size_t done = 0;

	if (w->done)
		return true;
	if (!max)
		max = 1;
	if (w->json) {
		w->j.out = f;
		if (!w->started) {
			json_init(&w->j, f, false);
			json_obj_open(&w->j, NULL);
			json_str(&w->j, "view", w->advertised ? "advertised" : "received");
			json_arr_open(&w->j, "routes");
		}
	}
	w->started = true;
	while (done < max) {
		if (w->peer >= bgp_n_peers(d)) {
			walk_end(w, f);
			return true;
		}
		if (!walk_peer(w, d, &v)) {
			/* the peers changed (a reload) since the last chunk */
			w->interrupted = true;
			w->in_peer = false;
			w->peer++;
			continue;
		}
		if (*w->conn && strcmp(v.conn, w->conn)) {
			w->peer++;
			continue;
		}
		if (!w->in_peer) {
			peer_header(w, &v, f);
			w->n_peers++;
			w->in_peer = true;
			snprintf(w->peer_gw, sizeof(w->peer_gw), "%s", v.gw);
			snprintf(w->peer_conn, sizeof(w->peer_conn), "%s", v.conn);
			w->peer_pos = v.pos;
			bgp_rib_iter_init(&w->it, v.rib_peer, -1, true);
			w->adv_off = 0;
			w->adv_total = v.advertised;
			w->fp = fingerprint(d, &v, w->advertised);
		} else if (fingerprint(d, &v, w->advertised) != w->fp) {
			w->interrupted = true;
			w->fp = fingerprint(d, &v, w->advertised);
		}
		if (w->advertised) {
			struct bgp_prefix *p;
			size_t want = w->adv_off + (max - done), total, got;

			p = calloc(want, sizeof(*p));
			total = p ? bgp_peer_advertised(d, w->peer, p, want) : 0;
			got = total < want ? total : want;
			for (; w->adv_off < got && done < max; w->adv_off++, done++) {
				char s[48];

				bgp_prefix_fmt(&p[w->adv_off], s, sizeof(s));
				if (w->json) {
					json_obj_open(&w->j, NULL);
					json_str(&w->j, "prefix", s);
					json_str(&w->j, "gateway", v.gw);
					json_str(&w->j, "conn", v.conn);
					json_u64(&w->j, "tunnel", (uint64_t)v.pos);
					json_obj_close(&w->j);
				} else {
					fprintf(f, "  %s\n", s);
				}
				w->n_routes++;
			}
			free(p);
			if (w->adv_off >= total) {
				w->in_peer = false;
				w->peer++;
			}
			continue;
		}
		for (;;) {
			struct bgp_rib_route r;

			if (done >= max)
				return false;
			if (!bgp_rib_iter_next(v.rib, &w->it, &r)) {
				w->in_peer = false;
				w->peer++;
				break;
			}
			if (w->json)
				route_json(&w->j, &v, &r);
			else
				route_text(&r, f);
			w->n_routes++;
			done++;
		}
	}
	return false;
}

void bgp_routes_abort(struct bgp_routes_walk *w, FILE *f)
{
	if (w->done)
		return;
	if (w->json) {
		w->j.out = f;
		if (!w->started) {
			json_init(&w->j, f, false);
			json_obj_open(&w->j, NULL);
			json_str(&w->j, "view", w->advertised ? "advertised" : "received");
			json_arr_open(&w->j, "routes");
		}
	}
	w->started = true;
	w->interrupted = true;
	walk_end(w, f);
}

/* ---- monitor ---- */

void bgp_show_event(const struct bgp_event *ev, bool json, FILE *f)
{
	if (json) {
		struct json j;

		json_init(&j, f, false);
		json_obj_open(&j, NULL);
		json_str(&j, "event", "bgp-state");
		json_str(&j, "gateway", ev->gw ? ev->gw : "");
		json_str(&j, "conn", ev->conn ? ev->conn : "");
		json_u64(&j, "tunnel", (uint64_t)ev->pos);
		json_str(&j, "peer", ev->peer ? ev->peer : "");
		json_u64(&j, "peer_as", ev->peer_as);
		json_str(&j, "from", bgp_state_name(ev->from));
		json_str(&j, "to", bgp_state_name(ev->to));
		json_str(&j, "why", ev->why ? ev->why : "");
		json_obj_close(&j);
		json_end(&j);
		return;
	}
	fprintf(f, "bgp state %s/%d gateway %s peer %s AS%u %s -> %s",
		ev->conn ? ev->conn : "", ev->pos, ev->gw ? ev->gw : "",
		ev->peer ? ev->peer : "", ev->peer_as, bgp_state_name(ev->from),
		bgp_state_name(ev->to));
	if (ev->why && *ev->why) {
		/* one line per event, whatever the reason holds */
		fputs(": ", f);
		for (const char *p = ev->why; *p; p++)
			fputc((unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p, f);
	}
	fputc('\n', f);
}
