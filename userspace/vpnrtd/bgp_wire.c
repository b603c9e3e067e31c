// SPDX-License-Identifier: GPL-2.0
/*
 * BGP-4 wire codec (bgp_wire.h). How it is built, and why:
 *
 * - Reading: every length is compared with what is left before a byte is
 *   read, with the subtraction on the side that cannot wrap (n - off,
 *   never off + x). Messages are at most 4096 bytes, so every count fits
 *   16 bits and no loop can run longer than the message.
 * - UPDATEs are decoded in three passes: the attribute section is cut
 *   into attributes first (only the first of each type is kept, so
 *   duplicates and RFC 7606 section 4's overruns are seen before any
 *   meaning is given), then each attribute is checked in type order
 *   (MP_REACH/MP_UNREACH first: their NLRI is needed even when the
 *   update is treated as withdraw), and only an update that keeps its
 *   routes gets its canonical attribute set built. Decisions only ever
 *   get stronger.
 * - The canonical set (struct bgp_attrs) owns its bytes, so the RIB can
 *   keep it after the message buffer is gone and compare sets with
 *   memcmp-like cost. An RFC 6793 2-octet session's AS_PATH and AS4_PATH
 *   are merged into one 4-octet path here, and split again on encoding.
 * - Builders write into the caller's buffer through a writer with a
 *   sticky error, and measure with the same code (a writer without a
 *   buffer), so a size computed is the size written.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_wire.h"

static const uint8_t marker[BGP_MARKER_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/* ---- writer: p == NULL only counts ---- */

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	bool err;
};

static void wn(struct wbuf *w, const void *d, size_t n)
{
	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return;
	}
	if (w->p && n)
		memcpy(w->p + w->len, d, n);
	w->len += n;
}

static void w8(struct wbuf *w, uint8_t v)
{
	wn(w, &v, 1);
}

static void w16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2];

	put16(b, v);
	wn(w, b, 2);
}

static void w32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	wn(w, b, 4);
}

/* writes the message header; the length goes in at w_finish() */
static void w_header(struct wbuf *w, uint8_t type)
{
	wn(w, marker, sizeof(marker));
	w16(w, 0);
	w8(w, type);
}

static int w_finish(struct wbuf *w)
{
	if (w->err || w->len > BGP_MSG_MAX || w->len < BGP_HDR_LEN)
		return -1;
	if (w->p)
		put16(w->p + BGP_MARKER_LEN, (uint16_t)w->len);
	return (int)w->len;
}

static void wbuf_init(struct wbuf *w, uint8_t *buf, size_t cap)
{
	w->p = buf;
	w->len = 0;
	w->cap = cap;
	w->err = buf == NULL && cap != SIZE_MAX;
}

__attribute__((format(printf, 3, 4)))
static int set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- NOTIFICATION helpers ---- */

void bgp_notif_set(struct bgp_notification *n, uint8_t code,
		   uint8_t subcode, const void *data, size_t len)
{
	n->code = code;
	n->subcode = subcode;
	if (len > BGP_NOTIF_DATA_MAX)
		len = BGP_NOTIF_DATA_MAX;
	n->len = (uint16_t)len;
	if (len)
		memcpy(n->data, data, len);
}

void bgp_notif_maxprefix(struct bgp_notification *n, uint16_t afi,
			 uint8_t safi, uint32_t limit)
{
	uint8_t d[7];

	put16(d, afi);
	d[2] = safi;
	put32(d + 3, limit);
	bgp_notif_set(n, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIX, d, sizeof(d));
}

/* ---- header and framing (RFC 4271 4.1, 6.1) ---- */

/* the smallest (and for KEEPALIVE the only) length of each type */
static bool type_len_ok(uint8_t type, uint16_t len)
{
	switch (type) {
	case BGP_MSG_OPEN:
		return len >= BGP_OPEN_MIN;
	case BGP_MSG_UPDATE:
		return len >= BGP_UPDATE_MIN;
	case BGP_MSG_NOTIFICATION:
		return len >= BGP_NOTIF_MIN;
	case BGP_MSG_KEEPALIVE:
		return len == BGP_HDR_LEN;
	case BGP_MSG_ROUTE_REFRESH:
		/* RFC 7313 5 has its own error for a wrong length */
		return true;
	}
	return false;
}

/* checks the 19 header bytes at h: the type, or -1 with err */
static int header_check(const uint8_t *h, struct bgp_notification *err)
{
	uint16_t len = get16(h + BGP_MARKER_LEN);
	uint8_t type = h[18];

	if (memcmp(h, marker, sizeof(marker))) {
		bgp_notif_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_SYNC, NULL, 0);
		return -1;
	}
	if (len < BGP_HDR_LEN || len > BGP_MSG_MAX) {
		bgp_notif_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_LEN,
			      h + BGP_MARKER_LEN, 2);
		return -1;
	}
	if (type < BGP_MSG_OPEN || type > BGP_MSG_ROUTE_REFRESH) {
		bgp_notif_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_TYPE, &type, 1);
		return -1;
	}
	if (!type_len_ok(type, len)) {
		bgp_notif_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_LEN,
			      h + BGP_MARKER_LEN, 2);
		return -1;
	}
	return type;
}

enum bgp_frame_result bgp_frame(const uint8_t *buf, size_t avail,
				size_t *msglen, struct bgp_notification *err)
{
	size_t i, n = avail < BGP_MARKER_LEN ? avail : BGP_MARKER_LEN;

	/* a stream out of sync is told at once, not after 19 bytes */
	for (i = 0; i < n; i++)
		if (buf[i] != 0xff) {
			bgp_notif_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_SYNC,
				      NULL, 0);
			return BGP_FRAME_ERROR;
		}
	*msglen = BGP_HDR_LEN;
	if (avail < BGP_HDR_LEN)
		return BGP_FRAME_MORE;
	if (header_check(buf, err) < 0)
		return BGP_FRAME_ERROR;
	*msglen = get16(buf + BGP_MARKER_LEN);
	return avail < *msglen ? BGP_FRAME_MORE : BGP_FRAME_MSG;
}

/*
 * A decoder's input must be one whole message of the type wanted; the
 * speaker gets that from bgp_frame(), anything else is refused here.
 */
static int msg_check(const uint8_t *msg, size_t len, uint8_t want,
		     struct bgp_notification *err)
{
	if (!msg || len < BGP_HDR_LEN || len > BGP_MSG_MAX) {
		uint8_t l[2];

		put16(l, len > 0xffff ? 0xffff : (uint16_t)len);
		bgp_notif_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_LEN, l, 2);
		return -1;
	}
	if (header_check(msg, err) < 0)
		return -1;
	if (get16(msg + BGP_MARKER_LEN) != len) {
		bgp_notif_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_LEN,
			      msg + BGP_MARKER_LEN, 2);
		return -1;
	}
	if (msg[18] != want) {
		bgp_notif_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_TYPE,
			      msg + 18, 1);
		return -1;
	}
	return 0;
}

/* ---- KEEPALIVE, NOTIFICATION, ROUTE-REFRESH ---- */

int bgp_build_keepalive(uint8_t *buf, size_t cap)
{
	struct wbuf w;

	wbuf_init(&w, buf, cap);
	w_header(&w, BGP_MSG_KEEPALIVE);
	return w_finish(&w);
}

int bgp_notification_decode(const uint8_t *msg, size_t len,
			    struct bgp_notification *n)
{
	if (msg_check(msg, len, BGP_MSG_NOTIFICATION, n) < 0)
		return -1;
	bgp_notif_set(n, msg[19], msg[20], msg + BGP_NOTIF_MIN,
		      len - BGP_NOTIF_MIN);
	return 0;
}

int bgp_build_notification(const struct bgp_notification *n, uint8_t *buf,
			   size_t cap)
{
	struct wbuf w;

	if (n->len > BGP_NOTIF_DATA_MAX)
		return -1;
	wbuf_init(&w, buf, cap);
	w_header(&w, BGP_MSG_NOTIFICATION);
	w8(&w, n->code);
	w8(&w, n->subcode);
	wn(&w, n->data, n->len);
	return w_finish(&w);
}

int bgp_notification_maxprefix(const struct bgp_notification *n,
			       uint16_t *afi, uint8_t *safi, uint32_t *limit)
{
	if (n->code != BGP_ERR_CEASE || n->subcode != BGP_CEASE_MAX_PREFIX ||
	    n->len < 7)
		return -1;
	*afi = get16(n->data);
	*safi = n->data[2];
	*limit = get32(n->data + 3);
	return 0;
}

/* length of the UTF-8 sequence at s (n bytes left), 0 if invalid */
static size_t utf8_seq(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, min = 0x80, c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, min = 0x800, c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

bool bgp_utf8_valid(const uint8_t *s, size_t len)
{
	size_t off = 0, k;
	uint32_t cp;

	while (off < len) {
		k = utf8_seq(s + off, len - off, &cp);
		if (!k)
			return false;
		off += k;
	}
	return true;
}

/* characters that could rewrite or hide a log line */
static bool cp_unsafe(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0xad ||
	       (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
	       (c >= 0x2060 && c <= 0x206f) || c == 0xfeff ||
	       (c >= 0xfff9 && c <= 0xfffb) || (c >= 0xe0000 && c <= 0xe007f);
}

size_t bgp_sanitize(const uint8_t *s, size_t len, char *out, size_t outlen)
{
	size_t off = 0, o = 0, k;
	char esc[16];
	uint32_t cp;

	if (!outlen)
		return 0;
	while (off < len) {
		const char *piece = esc;
		size_t plen;

		k = utf8_seq(s + off, len - off, &cp);
		if (!k) {
			snprintf(esc, sizeof(esc), "\\x%02x", s[off]);
			k = 1;
		} else if (cp == '\\' || cp == '"') {
			snprintf(esc, sizeof(esc), "\\%c", (char)cp);
		} else if (cp_unsafe(cp)) {
			snprintf(esc, sizeof(esc), "\\u{%04x}", (unsigned int)cp);
		} else {
			piece = (const char *)s + off;
		}
		plen = piece == esc ? strlen(esc) : k;
		/* never half a character or half an escape */
		if (plen >= outlen - o)
			break;
		memcpy(out + o, piece, plen);
		o += plen;
		off += k;
	}
	out[o] = '\0';
	return o;
}

int bgp_notification_shutdown(const struct bgp_notification *n,
			      const uint8_t **txt, size_t *txtlen,
			      char *why, size_t whylen)
{
	size_t l;

	*txt = NULL;
	*txtlen = 0;
	if (why && whylen)
		why[0] = '\0';
	if (n->code != BGP_ERR_CEASE || (n->subcode != BGP_CEASE_SHUTDOWN &&
					 n->subcode != BGP_CEASE_RESET))
		return 0;
	if (n->len == 0)
		return 0;
	l = n->data[0];
	if (l > (size_t)n->len - 1)
		return set_err(why, whylen, "shutdown communication length %zu overruns the data (%u bytes left)",
			       l, n->len - 1);
	if (!bgp_utf8_valid(n->data + 1, l))
		return set_err(why, whylen, "shutdown communication of %zu bytes is not valid UTF-8",
			       l);
	if (l == 0)
		return 0;
	*txt = n->data + 1;
	*txtlen = l;
	return 1;
}

int bgp_notif_shutdown(struct bgp_notification *n, uint8_t subcode,
		       const char *text)
{
	const uint8_t *s = (const uint8_t *)text;
	size_t len = strlen(text), off = 0, k;
	uint8_t d[1 + BGP_SHUTDOWN_MAX];
	uint32_t cp;

	if (!bgp_utf8_valid(s, len))
		return -1;
	while (off < len) {
		k = utf8_seq(s + off, len - off, &cp);
		if (off + k > BGP_SHUTDOWN_MAX)
			break;
		off += k;
	}
	d[0] = (uint8_t)off;
	memcpy(d + 1, s, off);
	bgp_notif_set(n, BGP_ERR_CEASE, subcode, d, off + 1);
	return 0;
}

int bgp_route_refresh_decode(const uint8_t *msg, size_t len,
			     struct bgp_route_refresh *rr,
			     struct bgp_notification *err)
{
	if (msg_check(msg, len, BGP_MSG_ROUTE_REFRESH, err) < 0)
		return -1;
	/* RFC 7313 5: the data is the whole message */
	if (len < BGP_HDR_LEN + 4) {
		bgp_notif_set(err, BGP_ERR_ROUTE_REFRESH, BGP_ERR_RR_LEN,
			      msg, len);
		return -1;
	}
	rr->afi = get16(msg + 19);
	rr->subtype = msg[21];
	rr->safi = msg[22];
	if (rr->subtype > BGP_RR_EORR)
		return 1;
	/* no ORF negotiated, so nothing may follow */
	if (len != BGP_HDR_LEN + 4) {
		bgp_notif_set(err, BGP_ERR_ROUTE_REFRESH, BGP_ERR_RR_LEN,
			      msg, len);
		return -1;
	}
	return 0;
}

int bgp_build_route_refresh(const struct bgp_route_refresh *rr,
			    uint8_t *buf, size_t cap)
{
	struct wbuf w;

	wbuf_init(&w, buf, cap);
	w_header(&w, BGP_MSG_ROUTE_REFRESH);
	w16(&w, rr->afi);
	w8(&w, rr->subtype);
	w8(&w, rr->safi);
	return w_finish(&w);
}

/* ---- OPEN (RFC 4271 4.2, 6.2; RFC 5492; RFC 9072) ---- */

/* the first thing ignored is kept for the log; an error overwrites it */
__attribute__((format(printf, 2, 3)))
static void open_warn(struct bgp_open *o, const char *fmt, ...)
{
	va_list ap;

	if (o->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(o->why, sizeof(o->why), fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 5, 6)))
static int open_fail(struct bgp_open *o, struct bgp_notification *err,
		     uint8_t subcode, const uint16_t *data, const char *fmt,
		     ...)
{
	uint8_t d[2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->why, sizeof(o->why), fmt, ap);
	va_end(ap);
	if (data)
		put16(d, *data);
	bgp_notif_set(err, BGP_ERR_OPEN, subcode, d, data ? 2 : 0);
	return -1;
}

static void cap_mp(struct bgp_open *o, const uint8_t *v, uint8_t len)
{
	struct bgp_afi_safi as;
	unsigned int i;

	if (len != 4) {
		open_warn(o, "multiprotocol capability of length %u ignored (4 expected)",
			  len);
		return;
	}
	as.afi = get16(v);
	as.safi = v[3];
	as.flags = 0;
	for (i = 0; i < o->n_mp; i++)
		if (o->mp[i].afi == as.afi && o->mp[i].safi == as.safi)
			return;
	if (o->n_mp == BGP_OPEN_AF_MAX) {
		open_warn(o, "more than %d multiprotocol capabilities; AFI %u SAFI %u ignored",
			  BGP_OPEN_AF_MAX, as.afi, as.safi);
		return;
	}
	o->mp[o->n_mp++] = as;
}

static void cap_gr(struct bgp_open *o, const uint8_t *v, uint8_t len)
{
	unsigned int off;

	if (len < 2 || (len - 2) % 4) {
		open_warn(o, "graceful restart capability of length %u ignored (2 + 4 per family expected)",
			  len);
		return;
	}
	if (o->cap_gr) {
		open_warn(o, "graceful restart capability repeated; the first kept");
		return;
	}
	o->cap_gr = true;
	o->gr_flags = v[0] >> 4;
	o->gr_time = get16(v) & BGP_GR_TIME_MAX;
	for (off = 2; off < len; off += 4) {
		if (o->n_gr == BGP_OPEN_AF_MAX) {
			open_warn(o, "graceful restart for more than %d families; the rest ignored",
				  BGP_OPEN_AF_MAX);
			return;
		}
		o->gr[o->n_gr].afi = get16(v + off);
		o->gr[o->n_gr].safi = v[off + 2];
		o->gr[o->n_gr].flags = v[off + 3];
		o->n_gr++;
	}
}

/* one capability; -1 only for a 4-octet AS of 0 (RFC 7607) */
static int cap_one(struct bgp_open *o, uint8_t code, const uint8_t *v,
		   uint8_t len, struct bgp_notification *err)
{
	switch (code) {
	case BGP_CAP_MP:
		cap_mp(o, v, len);
		return 0;
	case BGP_CAP_ROUTE_REFRESH:
	case BGP_CAP_ENHANCED_RR:
		if (len)
			open_warn(o, "%s capability of length %u ignored (0 expected)",
				  bgp_cap_name(code), len);
		else if (code == BGP_CAP_ROUTE_REFRESH)
			o->cap_rr = true;
		else
			o->cap_err = true;
		return 0;
	case BGP_CAP_AS4:
		if (len != 4) {
			open_warn(o, "4-octet AS capability of length %u ignored (4 expected)",
				  len);
			return 0;
		}
		if (get32(v) == 0)
			return open_fail(o, err, BGP_ERR_OPEN_PEER_AS, NULL,
					 "4-octet AS capability says AS 0 (RFC 7607)");
		if (o->cap_as4) {
			if (get32(v) != o->as)
				open_warn(o, "4-octet AS capability repeated with AS %u; AS %u kept",
					  get32(v), o->as);
			return 0;
		}
		o->cap_as4 = true;
		o->as = get32(v);
		return 0;
	case BGP_CAP_GRACEFUL:
		cap_gr(o, v, len);
		return 0;
	}
	if (o->n_other == BGP_OPEN_CAP_MAX) {
		open_warn(o, "more than %d unknown capabilities; code %u ignored",
			  BGP_OPEN_CAP_MAX, code);
		return 0;
	}
	o->other[o->n_other].code = code;
	o->other[o->n_other].len = len;
	o->other[o->n_other].val = v;
	o->n_other++;
	return 0;
}

/* the value of a capabilities parameter: code, length, value... */
static int caps_parse(struct bgp_open *o, const uint8_t *v, size_t n,
		      struct bgp_notification *err)
{
	size_t off = 0;
	uint8_t code, len;

	while (off < n) {
		if (n - off < 2)
			return open_fail(o, err, BGP_ERR_OPEN_UNSPEC, NULL,
					 "capability header truncated (%zu byte left)",
					 n - off);
		code = v[off];
		len = v[off + 1];
		if (len > n - off - 2)
			return open_fail(o, err, BGP_ERR_OPEN_UNSPEC, NULL,
					 "capability %u length %u overruns its parameter (%zu bytes left)",
					 code, len, n - off - 2);
		if (cap_one(o, code, v + off + 2, len, err) < 0)
			return -1;
		off += 2 + (size_t)len;
	}
	return 0;
}

/*
 * The optional parameters at p (n bytes, exactly what the message has
 * after the Opt Parm Len octet). RFC 9072: a first parameter type of 255
 * says the real length and the parameter lengths are 2 octets.
 */
static int params_parse(struct bgp_open *o, uint8_t optlen, const uint8_t *p,
			size_t n, struct bgp_notification *err)
{
	size_t off = 0, hl = 2, plen;
	uint8_t type;

	if (optlen && n >= 1 && p[0] == 255) {
		if (optlen != 255)
			return open_fail(o, err, BGP_ERR_OPEN_UNSPEC, NULL,
					 "extended parameters marker with length %u (255 expected)",
					 optlen);
		if (n < 3)
			return open_fail(o, err, BGP_ERR_OPEN_UNSPEC, NULL,
					 "extended parameters length truncated (%zu bytes)",
					 n);
		if (get16(p + 1) != n - 3)
			return open_fail(o, err, BGP_ERR_OPEN_UNSPEC, NULL,
					 "extended parameters length %u, the message has %zu",
					 get16(p + 1), n - 3);
		o->ext_params = true;
		off = 3;
		hl = 3;
	} else if (optlen != n) {
		return open_fail(o, err, BGP_ERR_OPEN_UNSPEC, NULL,
				 "optional parameters length %u, the message has %zu",
				 optlen, n);
	}
	while (off < n) {
		if (n - off < hl)
			return open_fail(o, err, BGP_ERR_OPEN_UNSPEC, NULL,
					 "optional parameter header truncated (%zu bytes left)",
					 n - off);
		type = p[off];
		plen = hl == 3 ? get16(p + off + 1) : p[off + 1];
		if (plen > n - off - hl)
			return open_fail(o, err, BGP_ERR_OPEN_UNSPEC, NULL,
					 "optional parameter %u length %zu overruns the message (%zu bytes left)",
					 type, plen, n - off - hl);
		if (type != 2)
			return open_fail(o, err, BGP_ERR_OPEN_OPT_PARAM, NULL,
					 "optional parameter type %u is not supported",
					 type);
		if (caps_parse(o, p + off + hl, plen, err) < 0)
			return -1;
		off += hl + plen;
	}
	return 0;
}

int bgp_open_decode(const uint8_t *msg, size_t len,
		    const struct bgp_open_expect *exp, struct bgp_open *o,
		    struct bgp_notification *err)
{
	static const uint16_t version = 4;
	const uint8_t *b = msg + BGP_HDR_LEN;

	memset(o, 0, sizeof(*o));
	if (msg_check(msg, len, BGP_MSG_OPEN, err) < 0) {
		snprintf(o->why, sizeof(o->why), "not a whole OPEN message");
		return -1;
	}
	o->version = b[0];
	o->as2 = get16(b + 1);
	o->as = o->as2;
	o->hold_time = get16(b + 3);
	o->bgp_id = get32(b + 5);
	if (o->version != 4)
		return open_fail(o, err, BGP_ERR_OPEN_VERSION, &version,
				 "version %u (4 supported)", o->version);
	if (o->as2 == 0)
		return open_fail(o, err, BGP_ERR_OPEN_PEER_AS, NULL,
				 "My AS is 0 (RFC 7607)");
	if (o->hold_time == 1 || o->hold_time == 2)
		return open_fail(o, err, BGP_ERR_OPEN_HOLD, NULL,
				 "hold time %u (0 or at least 3 allowed)",
				 o->hold_time);
	if (o->bgp_id == 0)
		return open_fail(o, err, BGP_ERR_OPEN_BGP_ID, NULL,
				 "BGP identifier 0.0.0.0");
	if (params_parse(o, b[9], b + 10, len - BGP_OPEN_MIN, err) < 0)
		return -1;
	if (!exp)
		return 0;
	if (exp->peer_as && o->as != exp->peer_as)
		return open_fail(o, err, BGP_ERR_OPEN_PEER_AS, NULL,
				 "peer says AS %u, AS %u configured",
				 o->as, exp->peer_as);
	if (exp->local_id && exp->local_as && o->as == exp->local_as &&
	    o->bgp_id == exp->local_id)
		return open_fail(o, err, BGP_ERR_OPEN_BGP_ID, NULL,
				 "internal peer uses our BGP identifier (RFC 6286)");
	if (exp->min_hold && o->hold_time && o->hold_time < exp->min_hold)
		return open_fail(o, err, BGP_ERR_OPEN_HOLD, NULL,
				 "hold time %u below the %u configured",
				 o->hold_time, exp->min_hold);
	return 0;
}

static bool open_has_af(const struct bgp_open *o, uint16_t afi, uint8_t safi)
{
	unsigned int i;

	/* no multiprotocol capability at all: IPv4 unicast (RFC 4760 8) */
	if (!o->n_mp)
		return afi == BGP_AFI_IPV4 && safi == BGP_SAFI_UNICAST;
	for (i = 0; i < o->n_mp; i++)
		if (o->mp[i].afi == afi && o->mp[i].safi == safi)
			return true;
	return false;
}

uint16_t bgp_open_negotiate(const struct bgp_open *local,
			    const struct bgp_open *peer, bool ebgp,
			    struct bgp_ctx *ctx)
{
	ctx->as4 = local->cap_as4 && peer->cap_as4;
	ctx->afs = 0;
	if (open_has_af(local, BGP_AFI_IPV4, BGP_SAFI_UNICAST) &&
	    open_has_af(peer, BGP_AFI_IPV4, BGP_SAFI_UNICAST))
		ctx->afs |= BGP_AFS(BGP_AF_IPV4);
	if (open_has_af(local, BGP_AFI_IPV6, BGP_SAFI_UNICAST) &&
	    open_has_af(peer, BGP_AFI_IPV6, BGP_SAFI_UNICAST))
		ctx->afs |= BGP_AFS(BGP_AF_IPV6);
	ctx->ebgp = ebgp;
	ctx->peer_as = peer->as;
	return local->hold_time < peer->hold_time ? local->hold_time :
						     peer->hold_time;
}

/* the capabilities, in the order the decoder lists them back */
static void caps_write(const struct bgp_open *o, struct wbuf *w)
{
	unsigned int i;

	for (i = 0; i < o->n_mp; i++) {
		w8(w, BGP_CAP_MP);
		w8(w, 4);
		w16(w, o->mp[i].afi);
		w8(w, 0);
		w8(w, o->mp[i].safi);
	}
	if (o->cap_rr) {
		w8(w, BGP_CAP_ROUTE_REFRESH);
		w8(w, 0);
	}
	if (o->cap_err) {
		w8(w, BGP_CAP_ENHANCED_RR);
		w8(w, 0);
	}
	if (o->cap_as4) {
		w8(w, BGP_CAP_AS4);
		w8(w, 4);
		w32(w, o->as);
	}
	if (o->cap_gr) {
		w8(w, BGP_CAP_GRACEFUL);
		w8(w, (uint8_t)(2 + 4 * o->n_gr));
		w16(w, (uint16_t)((o->gr_flags & 0xf) << 12 |
				  (o->gr_time & BGP_GR_TIME_MAX)));
		for (i = 0; i < o->n_gr; i++) {
			w16(w, o->gr[i].afi);
			w8(w, o->gr[i].safi);
			w8(w, o->gr[i].flags);
		}
	}
	for (i = 0; i < o->n_other; i++) {
		w8(w, o->other[i].code);
		w8(w, o->other[i].len);
		wn(w, o->other[i].val, o->other[i].len);
	}
}

int bgp_build_open(const struct bgp_open *o, uint8_t *buf, size_t cap,
		   char *err, size_t errlen)
{
	struct wbuf w, m;
	unsigned int i;
	size_t clen;

	if (o->as == 0 || (o->as > 0xffff && !o->cap_as4))
		return set_err(err, errlen, "AS %u cannot be sent without the 4-octet AS capability",
			       o->as);
	if (o->bgp_id == 0 || o->hold_time == 1 || o->hold_time == 2)
		return set_err(err, errlen, "BGP identifier 0 or hold time 1 or 2");
	if (o->n_mp > BGP_OPEN_AF_MAX || o->n_gr > BGP_OPEN_AF_MAX ||
	    o->n_other > BGP_OPEN_CAP_MAX)
		return set_err(err, errlen, "too many capabilities");
	for (i = 0; i < o->n_other; i++)
		switch (o->other[i].code) {
		case BGP_CAP_MP: case BGP_CAP_ROUTE_REFRESH:
		case BGP_CAP_GRACEFUL: case BGP_CAP_AS4:
		case BGP_CAP_ENHANCED_RR:
			return set_err(err, errlen, "capability %u given raw",
				       o->other[i].code);
		}
	wbuf_init(&m, NULL, SIZE_MAX);
	caps_write(o, &m);
	clen = m.len;
	wbuf_init(&w, buf, cap);
	w_header(&w, BGP_MSG_OPEN);
	w8(&w, 4);
	w16(&w, o->as > 0xffff ? BGP_AS_TRANS : (uint16_t)o->as);
	w16(&w, o->hold_time);
	w32(&w, o->bgp_id);
	if (clen == 0) {
		w8(&w, 0);
	} else if (clen + 2 <= 255) {
		w8(&w, (uint8_t)(clen + 2));
		w8(&w, 2);
		w8(&w, (uint8_t)clen);
	} else {
		/* RFC 9072: only when the one parameter does not fit */
		w8(&w, 255);
		w8(&w, 255);
		w16(&w, (uint16_t)(clen + 3));
		w8(&w, 2);
		w16(&w, (uint16_t)clen);
	}
	caps_write(o, &w);
	if (w_finish(&w) < 0)
		return set_err(err, errlen, "OPEN longer than %d bytes or the buffer",
			       BGP_MSG_MAX);
	return (int)w.len;
}

/* ---- prefixes ---- */

static unsigned int af_bits(unsigned int af)
{
	return af == BGP_AF_IPV6 ? 128 : 32;
}

/* checks a run of prefixes: 0 with *count, or -1 with why */
static int nlri_check(const uint8_t *p, size_t len, unsigned int maxbits,
		      uint16_t *count, char *why, size_t whylen)
{
	size_t off = 0, bytes;
	unsigned int n = 0, bits;

	while (off < len) {
		bits = p[off];
		if (bits > maxbits)
			return set_err(why, whylen, "prefix %u has length %u (at most %u)",
				       n + 1, bits, maxbits);
		bytes = (bits + 7) / 8;
		if (bytes > len - off - 1)
			return set_err(why, whylen, "prefix %u of length %u needs %zu bytes, %zu left",
				       n + 1, bits, bytes, len - off - 1);
		off += 1 + bytes;
		n++;
	}
	*count = (uint16_t)n;
	return 0;
}

void bgp_prefix_iter_init(struct bgp_prefix_iter *it,
			  const struct bgp_nlri *run)
{
	it->run = run;
	it->off = 0;
}

bool bgp_prefix_next(struct bgp_prefix_iter *it, struct bgp_prefix *pfx)
{
	const struct bgp_nlri *r = it->run;
	unsigned int bits;
	size_t bytes;

	/* the run was checked, but an iterator never trusts that */
	if (it->off >= r->len)
		return false;
	bits = r->p[it->off];
	bytes = (bits + 7) / 8;
	if (bits > af_bits(r->af) || bytes > r->len - it->off - 1) {
		it->off = r->len;
		return false;
	}
	memset(pfx, 0, sizeof(*pfx));
	pfx->af = r->af;
	pfx->len = (uint8_t)bits;
	memcpy(pfx->addr, r->p + it->off + 1, bytes);
	/* bits beyond the length are the sender's noise: masked */
	if (bits % 8)
		pfx->addr[bytes - 1] &= (uint8_t)(0xff << (8 - bits % 8));
	it->off += 1 + bytes;
	return true;
}

int bgp_prefix_cmp(const struct bgp_prefix *a, const struct bgp_prefix *b)
{
	int c;

	if (a->af != b->af)
		return a->af < b->af ? -1 : 1;
	c = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (c)
		return c;
	return a->len == b->len ? 0 : a->len < b->len ? -1 : 1;
}

const char *bgp_prefix_fmt(const struct bgp_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(p->af == BGP_AF_IPV6 ? AF_INET6 : AF_INET, p->addr, a,
		       sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "%s/%u", a, p->len);
	return buf;
}

/* ---- the canonical attribute set ---- */

static size_t var_len(const struct bgp_attrs *a)
{
	return (size_t)a->aspath_len + a->comm_len + a->lcomm_len +
	       a->other_len;
}

void bgp_attrs_init(struct bgp_attrs *a)
{
	memset(a, 0, offsetof(struct bgp_attrs, var));
	a->origin = BGP_ORIGIN_IGP;
	a->present = 1u << BGP_ATTR_ORIGIN | 1u << BGP_ATTR_AS_PATH;
}

size_t bgp_attrs_size(const struct bgp_attrs *a)
{
	return offsetof(struct bgp_attrs, var) + var_len(a);
}

/* the fields compared, in order; var is compared after them */
#define ATTRS_FIXED(a) \
	(a)->present, (a)->origin, (a)->nh_len, (a)->med, (a)->local_pref, \
	(a)->aggr_as, (a)->aggr_id, (a)->aspath_len, (a)->comm_len, \
	(a)->lcomm_len, (a)->other_len

static void attrs_fixed(const struct bgp_attrs *a, uint32_t f[11])
{
	uint32_t v[] = { ATTRS_FIXED(a) };

	memcpy(f, v, sizeof(v));
}

int bgp_attrs_cmp(const struct bgp_attrs *a, const struct bgp_attrs *b)
{
	uint32_t fa[11], fb[11];
	unsigned int i;
	int r;

	attrs_fixed(a, fa);
	attrs_fixed(b, fb);
	for (i = 0; i < 11; i++)
		if (fa[i] != fb[i])
			return fa[i] < fb[i] ? -1 : 1;
	r = memcmp(a->nh, b->nh, a->nh_len);
	if (r)
		return r;
	return memcmp(a->var, b->var, var_len(a));
}

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 16777619u;
	return h;
}

uint32_t bgp_attrs_hash(const struct bgp_attrs *a)
{
	uint32_t f[11];

	attrs_fixed(a, f);
	return fnv(fnv(fnv(2166136261u, f, sizeof(f)), a->nh, a->nh_len),
		   a->var, var_len(a));
}

/*
 * Replaces del bytes at off of var with ins bytes (ins == NULL: make
 * room, left for the caller to fill); -1 if it would not fit.
 */
static int var_splice(struct bgp_attrs *a, size_t off, size_t del,
		      const void *ins, size_t inslen)
{
	size_t len = var_len(a);

	if (off > len || del > len - off ||
	    inslen > BGP_ATTRS_VAR_MAX - (len - del))
		return -1;
	memmove(a->var + off + inslen, a->var + off + del, len - off - del);
	if (ins && inslen)
		memcpy(a->var + off, ins, inslen);
	return 0;
}

static int cmp4(const void *x, const void *y)
{
	return memcmp(x, y, 4);
}

static int cmp12(const void *x, const void *y)
{
	return memcmp(x, y, 12);
}

/* sorts n elements of size sz at p and drops repeats: the new n */
static size_t sort_uniq(uint8_t *p, size_t n, size_t sz)
{
	size_t i, k;

	if (n < 2)
		return n;
	qsort(p, n, sz, sz == 4 ? cmp4 : cmp12);
	for (i = 1, k = 1; i < n; i++)
		if (memcmp(p + (k - 1) * sz, p + i * sz, sz))
			memmove(p + k++ * sz, p + i * sz, sz);
	return k;
}

int bgp_attrs_set_path(struct bgp_attrs *a, const uint32_t *asns, size_t n)
{
	uint8_t seg[3 + 4 * 1024];
	size_t i;

	if (n > 1024)
		return -1;
	seg[0] = BGP_SEG_SEQUENCE;
	put16(seg + 1, (uint16_t)n);
	for (i = 0; i < n; i++)
		put32(seg + 3 + 4 * i, asns[i]);
	if (var_splice(a, 0, a->aspath_len, seg, n ? 3 + 4 * n : 0) < 0)
		return -1;
	a->aspath_len = (uint16_t)(n ? 3 + 4 * n : 0);
	a->present |= 1u << BGP_ATTR_AS_PATH;
	return 0;
}

int bgp_attrs_prepend(struct bgp_attrs *a, uint32_t asn, unsigned int times)
{
	uint8_t b[4];
	uint16_t cnt;

	put32(b, asn);
	while (times--) {
		if (a->aspath_len && a->var[0] == BGP_SEG_SEQUENCE &&
		    get16(a->var + 1) < 0xffff) {
			if (var_splice(a, 3, 0, b, 4) < 0)
				return -1;
			cnt = get16(a->var + 1);
			put16(a->var + 1, cnt + 1);
			a->aspath_len += 4;
			continue;
		}
		if (var_splice(a, 0, 0, NULL, 7) < 0)
			return -1;
		a->var[0] = BGP_SEG_SEQUENCE;
		put16(a->var + 1, 1);
		memcpy(a->var + 3, b, 4);
		a->aspath_len += 7;
	}
	a->present |= 1u << BGP_ATTR_AS_PATH;
	return 0;
}

/* replaces the section at off (old bytes) with n sorted elements */
static int set_section(struct bgp_attrs *a, size_t off, uint16_t *seclen,
		       const uint32_t *v, size_t n, size_t per)
{
	uint8_t tmp[BGP_ATTRS_VAR_MAX];
	size_t i;

	if (n * per * 4 > sizeof(tmp))
		return -1;
	for (i = 0; i < n * per; i++)
		put32(tmp + 4 * i, v[i]);
	n = sort_uniq(tmp, n, per * 4);
	if (var_splice(a, off, *seclen, tmp, n * per * 4) < 0)
		return -1;
	*seclen = (uint16_t)(n * per * 4);
	return 0;
}

int bgp_attrs_set_communities(struct bgp_attrs *a, const uint32_t *c,
			      size_t n)
{
	if (set_section(a, a->aspath_len, &a->comm_len, c, n, 1) < 0)
		return -1;
	if (a->comm_len)
		a->present |= 1u << BGP_ATTR_COMMUNITIES;
	else
		a->present &= ~(1u << BGP_ATTR_COMMUNITIES);
	return 0;
}

int bgp_attrs_set_large(struct bgp_attrs *a, const uint32_t *l3, size_t n)
{
	return set_section(a, (size_t)a->aspath_len + a->comm_len,
			   &a->lcomm_len, l3, n, 3);
}

void bgp_aspath_iter_init(struct bgp_aspath_iter *it,
			  const struct bgp_attrs *a)
{
	it->a = a;
	it->off = 0;
}

bool bgp_aspath_next(struct bgp_aspath_iter *it, struct bgp_aspath_seg *s)
{
	const uint8_t *v = it->a->var;
	size_t len = it->a->aspath_len;

	if (it->off >= len || len - it->off < 3)
		return false;
	s->type = v[it->off];
	s->count = get16(v + it->off + 1);
	if ((size_t)s->count * 4 > len - it->off - 3) {
		it->off = len;
		return false;
	}
	s->asns = v + it->off + 3;
	it->off += 3 + (size_t)s->count * 4;
	return true;
}

uint32_t bgp_aspath_asn(const struct bgp_aspath_seg *s, unsigned int i)
{
	return i < s->count ? get32(s->asns + 4 * i) : 0;
}

static unsigned int seg_weight(uint8_t type, unsigned int count)
{
	switch (type) {
	case BGP_SEG_SEQUENCE:
		return count;
	case BGP_SEG_SET:
		return 1;
	}
	return 0;	/* confederation segments */
}

unsigned int bgp_aspath_length(const struct bgp_attrs *a)
{
	struct bgp_aspath_iter it;
	struct bgp_aspath_seg s;
	unsigned int n = 0;

	bgp_aspath_iter_init(&it, a);
	while (bgp_aspath_next(&it, &s))
		n += seg_weight(s.type, s.count);
	return n;
}

uint32_t bgp_aspath_first(const struct bgp_attrs *a)
{
	struct bgp_aspath_iter it;
	struct bgp_aspath_seg s;

	bgp_aspath_iter_init(&it, a);
	while (bgp_aspath_next(&it, &s)) {
		if (s.type == BGP_SEG_SEQUENCE)
			return bgp_aspath_asn(&s, 0);
		if (s.type == BGP_SEG_SET)
			return 0;
	}
	return 0;
}

/* appends to buf; once it is full, "..." ends it and *o stays put */
__attribute__((format(printf, 4, 5)))
static void fmt_add(char *buf, size_t len, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*o >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *o, len - *o, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n + 4 <= len - *o) {
		*o += (size_t)n;
		return;
	}
	buf[*o] = '\0';
	if (len - *o > 3)
		memcpy(buf + *o, "...", 4);
	*o = len;
}

const char *bgp_aspath_fmt(const struct bgp_attrs *a, char *buf, size_t len)
{
	/* SET {a,b}, SEQUENCE a b, CONFED_SEQUENCE (a b), CONFED_SET [a,b] */
	static const char *const open[] = { "", "{", "", "(", "[" };
	static const char *const close[] = { "", "}", "", ")", "]" };
	struct bgp_aspath_iter it;
	struct bgp_aspath_seg s;
	size_t o = 0;
	unsigned int i;

	if (!len)
		return buf;
	buf[0] = '\0';
	bgp_aspath_iter_init(&it, a);
	while (bgp_aspath_next(&it, &s)) {
		unsigned int k = s.type <= 4 ? s.type : 0;
		const char *sep = k == 1 || k == 4 ? "," : " ";

		fmt_add(buf, len, &o, "%s%s", o ? " " : "", open[k]);
		for (i = 0; i < s.count; i++)
			fmt_add(buf, len, &o, "%s%u", i ? sep : "",
				bgp_aspath_asn(&s, i));
		fmt_add(buf, len, &o, "%s", close[k]);
	}
	return buf;
}

size_t bgp_attrs_n_communities(const struct bgp_attrs *a)
{
	return a->comm_len / 4;
}

uint32_t bgp_attrs_community(const struct bgp_attrs *a, size_t i)
{
	if (i >= a->comm_len / 4)
		return 0;
	return get32(a->var + a->aspath_len + 4 * i);
}

size_t bgp_attrs_n_large(const struct bgp_attrs *a)
{
	return a->lcomm_len / 12;
}

void bgp_attrs_large(const struct bgp_attrs *a, size_t i, uint32_t l3[3])
{
	const uint8_t *p = a->var + a->aspath_len + a->comm_len + 12 * i;

	if (i >= a->lcomm_len / 12) {
		l3[0] = l3[1] = l3[2] = 0;
		return;
	}
	l3[0] = get32(p);
	l3[1] = get32(p + 4);
	l3[2] = get32(p + 8);
}

bool bgp_attrs_other_next(const struct bgp_attrs *a, size_t *off,
			  struct bgp_raw_attr *r)
{
	const uint8_t *v = a->var + a->aspath_len + a->comm_len + a->lcomm_len;
	size_t len = a->other_len;

	if (*off >= len || len - *off < 4)
		return false;
	r->flags = v[*off];
	r->type = v[*off + 1];
	r->len = get16(v + *off + 2);
	if (r->len > len - *off - 4) {
		*off = len;
		return false;
	}
	r->val = v + *off + 4;
	*off += 4 + (size_t)r->len;
	return true;
}

void bgp_attrs_rank(const struct bgp_attrs *a, struct bgp_rank *r)
{
	r->local_pref = BGP_ATTRS_HAS(a, BGP_ATTR_LOCAL_PREF) ?
			a->local_pref : 100;
	r->path_len = bgp_aspath_length(a);
	r->origin = a->origin;
	r->med = BGP_ATTRS_HAS(a, BGP_ATTR_MED) ? a->med : 0;
	r->neighbor_as = bgp_aspath_first(a);
}

int bgp_rank_cmp(const struct bgp_rank *a, const struct bgp_rank *b)
{
	if (a->local_pref != b->local_pref)
		return a->local_pref > b->local_pref ? -1 : 1;
	if (a->path_len != b->path_len)
		return a->path_len < b->path_len ? -1 : 1;
	if (a->origin != b->origin)
		return a->origin < b->origin ? -1 : 1;
	if (a->neighbor_as == b->neighbor_as && a->med != b->med)
		return a->med < b->med ? -1 : 1;
	return 0;
}

/* ---- UPDATE decoding (RFC 4271 4.3, 6.3; 4760; 6793; 7606) ---- */

/* one attribute as cut out of the section (the first of its type) */
struct slot {
	const uint8_t *hdr;	/* the flags octet */
	const uint8_t *val;
	uint16_t len;		/* value */
	uint16_t total;		/* header and value */
	uint8_t flags;
	bool seen;
	bool ok;		/* checked and to be used */
};

struct upd {
	const struct bgp_ctx *ctx;
	struct bgp_update *u;
	bool twa;		/* some error asked for treat-as-withdraw */
	unsigned int n_attrs;
	unsigned int path_count, as4_count;
	struct bgp_nlri cw, cr;	/* classic withdrawn routes and NLRI */
	struct bgp_nlri mw, mr;	/* MP_UNREACH, MP_REACH (count 0: none) */
	bool have_mw, have_mr;
	struct slot slot[256];
	bool keep[256];		/* transitive attributes passed on */
};

static const char *const decision_text[] = {
	[BGP_UPD_OK] = "ignored",
	[BGP_UPD_ATTR_DISCARD] = "attribute discarded",
	[BGP_UPD_TREAT_AS_WITHDRAW] = "treat-as-withdraw",
	[BGP_UPD_AF_DISABLE] = "AFI/SAFI disable",
	[BGP_UPD_SESSION_RESET] = "session reset",
};

static const char *attr_label(unsigned int type, char *buf, size_t len)
{
	const char *n = bgp_attr_name(type);

	if (strcmp(n, "unknown"))
		return n;
	snprintf(buf, len, "attribute %u", type);
	return buf;
}

__attribute__((format(printf, 4, 0)))
static void vnote(struct upd *s, unsigned int attr, enum bgp_decision d,
		  const char *fmt, va_list ap)
{
	struct bgp_update *u = s->u;
	char detail[BGP_REASON_LEN], label[24];
	struct bgp_note *n;

	if (d > u->decision)
		u->decision = d;
	if (d == BGP_UPD_TREAT_AS_WITHDRAW)
		s->twa = true;
	if (d == BGP_UPD_ATTR_DISCARD)
		u->discarded[attr / 8] |= (uint8_t)(1 << (attr % 8));
	if (u->n_notes == BGP_UPD_NOTES_MAX) {
		if (u->notes_lost < 0xffff)
			u->notes_lost++;
		return;
	}
	vsnprintf(detail, sizeof(detail), fmt, ap);
	n = &u->notes[u->n_notes++];
	n->attr = (uint8_t)attr;
	n->decision = (uint8_t)d;
	snprintf(n->reason, sizeof(n->reason), "%.24s: %.100s; %s",
		 attr ? attr_label(attr, label, sizeof(label)) : "UPDATE",
		 detail, decision_text[d]);
}

__attribute__((format(printf, 4, 5)))
static void note(struct upd *s, unsigned int attr, enum bgp_decision d,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(s, attr, d, fmt, ap);
	va_end(ap);
}

/* the first reset's NOTIFICATION is the one sent */
__attribute__((format(printf, 5, 6)))
static void reset(struct upd *s, unsigned int attr, uint8_t subcode,
		  const struct slot *data, const char *fmt, ...)
{
	va_list ap;

	if (s->u->decision != BGP_UPD_SESSION_RESET)
		bgp_notif_set(&s->u->notif, BGP_ERR_UPDATE, subcode,
			      data ? data->hdr : NULL, data ? data->total : 0);
	va_start(ap, fmt);
	vnote(s, attr, BGP_UPD_SESSION_RESET, fmt, ap);
	va_end(ap);
}

/*
 * RFC 7606 7.11, 7.12 (and 5.3): an MP attribute whose NLRI cannot be
 * found. The family can be disabled; a second family too cannot.
 */
__attribute__((format(printf, 4, 5)))
static void af_disable(struct upd *s, const struct slot *sl, unsigned int af,
		       const char *fmt, ...)
{
	struct bgp_update *u = s->u;
	unsigned int type = sl->hdr[1];
	char d[BGP_REASON_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d, sizeof(d), fmt, ap);
	va_end(ap);
	if (u->decision == BGP_UPD_SESSION_RESET ||
	    (u->decision == BGP_UPD_AF_DISABLE && u->disable_af != af)) {
		reset(s, type, BGP_ERR_UPD_OPT_ATTR, sl, "%s", d);
		return;
	}
	if (u->decision != BGP_UPD_AF_DISABLE)
		bgp_notif_set(&u->notif, BGP_ERR_UPDATE, BGP_ERR_UPD_OPT_ATTR,
			      sl->hdr, sl->total);
	u->disable_af = (uint8_t)af;
	note(s, type, BGP_UPD_AF_DISABLE, "%s", d);
}

/* why an IPv4 next hop cannot be one, or NULL */
static const char *nh4_bad(const uint8_t *a, uint32_t local)
{
	if (a[0] == 0)
		return "is in 0.0.0.0/8";
	if (a[0] == 127)
		return "is a loopback address";
	if (a[0] >= 224 && a[0] < 240)
		return "is a multicast address";
	if (a[0] >= 240)
		return "is in 240.0.0.0/4";
	if (local && get32(a) == local)
		return "is our own address";
	return NULL;
}

static const char *nh6_bad(const uint8_t *a)
{
	static const uint8_t zero[16];

	if (!memcmp(a, zero, 16))
		return "is the unspecified address";
	if (!memcmp(a, zero, 15) && a[15] == 1)
		return "is the loopback address";
	if (a[0] == 0xff)
		return "is a multicast address";
	return NULL;
}

static const char *addr_str(const uint8_t *a, bool v6, char *buf, size_t len)
{
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

static int af_of(uint16_t afi, uint8_t safi)
{
	if (safi != BGP_SAFI_UNICAST)
		return -1;
	if (afi == BGP_AFI_IPV4)
		return BGP_AF_IPV4;
	if (afi == BGP_AFI_IPV6)
		return BGP_AF_IPV6;
	return -1;
}

/*
 * The AFI/SAFI of an MP attribute: the family, or -1 when it is ignored
 * (not a family of ours, or not negotiated: RFC 4760 leaves it to us).
 */
static int mp_family(struct upd *s, const struct slot *sl)
{
	uint16_t afi = get16(sl->val);
	uint8_t safi = sl->val[2];
	int af = af_of(afi, safi);

	if (af < 0) {
		note(s, sl->hdr[1], BGP_UPD_OK, "AFI %u SAFI %u not supported",
		     afi, safi);
		return -1;
	}
	if (!(s->ctx->afs & BGP_AFS(af))) {
		note(s, sl->hdr[1], BGP_UPD_OK, "%s not negotiated",
		     bgp_af_name((unsigned int)af));
		return -1;
	}
	return af;
}

static void chk_mp_next_hop(struct upd *s, const struct slot *sl, int af,
			    const uint8_t *nh, uint8_t nhl)
{
	static const uint8_t zero[16];
	const char *bad;
	char a[INET6_ADDRSTRLEN];

	if (af == BGP_AF_IPV4) {
		bad = nh4_bad(nh, s->ctx->local_ip4);
		if (bad)
			note(s, sl->hdr[1], BGP_UPD_TREAT_AS_WITHDRAW,
			     "next hop %s %s", addr_str(nh, false, a, sizeof(a)),
			     bad);
		return;
	}
	bad = nh6_bad(nh);
	if (bad) {
		note(s, sl->hdr[1], BGP_UPD_TREAT_AS_WITHDRAW, "next hop %s %s",
		     addr_str(nh, true, a, sizeof(a)), bad);
		return;
	}
	/* RFC 2545: the second address is link-local (or left zero) */
	if (nhl == 32 && memcmp(nh + 16, zero, 16) &&
	    !(nh[16] == 0xfe && (nh[17] & 0xc0) == 0x80))
		note(s, sl->hdr[1], BGP_UPD_TREAT_AS_WITHDRAW,
		     "link-local next hop %s is not link-local",
		     addr_str(nh + 16, true, a, sizeof(a)));
}

static void chk_mp_reach(struct upd *s, struct slot *sl)
{
	const uint8_t *v = sl->val;
	char why[BGP_REASON_LEN];
	uint8_t nhl;
	uint16_t cnt;
	size_t nlen;
	int af;

	if (sl->len < 3) {
		reset(s, BGP_ATTR_MP_REACH, BGP_ERR_UPD_OPT_ATTR, sl,
		      "length %u, too short for AFI and SAFI", sl->len);
		return;
	}
	af = mp_family(s, sl);
	if (af < 0)
		return;
	if (sl->len < 5) {
		af_disable(s, sl, (unsigned int)af,
			   "length %u, too short for a next hop", sl->len);
		return;
	}
	nhl = v[3];
	if (nhl > sl->len - 5) {
		af_disable(s, sl, (unsigned int)af,
			   "next hop length %u overruns the attribute (%u bytes left)",
			   nhl, sl->len - 4);
		return;
	}
	if (af == BGP_AF_IPV4 ? nhl != 4 : nhl != 16 && nhl != 32) {
		af_disable(s, sl, (unsigned int)af,
			   "next hop length %u for %s (%s expected)", nhl,
			   bgp_af_name((unsigned int)af),
			   af == BGP_AF_IPV4 ? "4" : "16 or 32");
		return;
	}
	/* v[4 + nhl] is the reserved octet (once SNPAs): ignored */
	nlen = sl->len - 5 - (size_t)nhl;
	if (nlri_check(v + 5 + nhl, nlen, af_bits((unsigned int)af), &cnt, why,
		       sizeof(why)) < 0) {
		af_disable(s, sl, (unsigned int)af, "%s", why);
		return;
	}
	s->have_mr = true;
	s->mr.p = v + 5 + nhl;
	s->mr.len = (uint16_t)nlen;
	s->mr.count = cnt;
	s->mr.af = (uint8_t)af;
	s->mr.mp = true;
	s->u->mp_nh_len = nhl;
	memcpy(s->u->mp_nh, v + 4, nhl);
	if (cnt)
		chk_mp_next_hop(s, sl, af, v + 4, nhl);
}

static void chk_mp_unreach(struct upd *s, struct slot *sl)
{
	char why[BGP_REASON_LEN];
	uint16_t cnt;
	int af;

	if (sl->len < 3) {
		reset(s, BGP_ATTR_MP_UNREACH, BGP_ERR_UPD_OPT_ATTR, sl,
		      "length %u, too short for AFI and SAFI", sl->len);
		return;
	}
	af = mp_family(s, sl);
	if (af < 0)
		return;
	if (nlri_check(sl->val + 3, sl->len - 3u, af_bits((unsigned int)af),
		       &cnt, why, sizeof(why)) < 0) {
		af_disable(s, sl, (unsigned int)af, "%s", why);
		return;
	}
	s->have_mw = true;
	s->mw.p = sl->val + 3;
	s->mw.len = sl->len - 3;
	s->mw.count = cnt;
	s->mw.af = (uint8_t)af;
	s->mw.mp = true;
}

/*
 * RFC 7606 7.2 with RFC 4271, RFC 5065 5 and RFC 7607: a malformed
 * AS_PATH or AS4_PATH gives -1 and why; else the ASes it counts for
 * RFC 6793 4.2.3 (an AS_SET 1, confederation segments 0).
 */
static int path_check(const uint8_t *p, size_t n, size_t asz, bool as4path,
		      bool ebgp, unsigned int *count, char *why, size_t wl)
{
	bool plain_seen = false;
	unsigned int cnt = 0, i;
	size_t off = 0;
	uint8_t type, segn;

	while (off < n) {
		if (n - off < 2)
			return set_err(why, wl, "%zu byte after the last segment, too few for a segment header",
				       n - off);
		type = p[off];
		segn = p[off + 1];
		if (type < BGP_SEG_SET || type > BGP_SEG_CONFED_SET)
			return set_err(why, wl, "unknown segment type %u", type);
		if (segn == 0)
			return set_err(why, wl, "segment of length 0");
		if ((size_t)segn * asz > n - off - 2)
			return set_err(why, wl, "segment length %u overruns the attribute (%zu bytes left)",
				       segn, n - off - 2);
		for (i = 0; i < segn; i++)
			if ((asz == 4 ? get32(p + off + 2 + 4 * i) :
					get16(p + off + 2 + 2 * i)) == 0)
				return set_err(why, wl, "AS 0 in the path (RFC 7607)");
		if (type >= BGP_SEG_CONFED_SEQUENCE && !as4path) {
			if (ebgp)
				return set_err(why, wl, "confederation segment from an external peer (RFC 5065)");
			if (plain_seen)
				return set_err(why, wl, "confederation segment after another segment (RFC 5065)");
		}
		if (type < BGP_SEG_CONFED_SEQUENCE)
			plain_seen = true;
		cnt += seg_weight(type, segn);
		off += 2 + (size_t)segn * asz;
	}
	*count = cnt;
	return 0;
}

/* the first AS of a checked path, 0 unless it starts with AS_SEQUENCE */
static uint32_t path_first(const uint8_t *p, size_t n, size_t asz)
{
	if (n < 2 + asz || p[0] != BGP_SEG_SEQUENCE)
		return 0;
	return asz == 4 ? get32(p + 2) : get16(p + 2);
}

static void chk_as_path(struct upd *s, struct slot *sl)
{
	const struct bgp_ctx *c = s->ctx;
	size_t asz = c->as4 ? 4 : 2;
	char why[BGP_REASON_LEN];
	uint32_t first, want;

	if (path_check(sl->val, sl->len, asz, false, c->ebgp, &s->path_count,
		       why, sizeof(why)) < 0) {
		note(s, BGP_ATTR_AS_PATH, BGP_UPD_TREAT_AS_WITHDRAW, "%s", why);
		return;
	}
	if (c->ebgp && c->peer_as) {
		/* RFC 4271 6.3; a 2-octet session shows a big AS as AS_TRANS */
		want = c->as4 || c->peer_as <= 0xffff ? c->peer_as : BGP_AS_TRANS;
		first = path_first(sl->val, sl->len, asz);
		if (first != want) {
			note(s, BGP_ATTR_AS_PATH, BGP_UPD_TREAT_AS_WITHDRAW,
			     "first AS %u is not the peer's AS %u", first, want);
			return;
		}
	}
	sl->ok = true;
}

static void chk_as4_path(struct upd *s, struct slot *sl)
{
	char why[BGP_REASON_LEN];
	size_t off;

	if (s->ctx->as4) {
		note(s, BGP_ATTR_AS4_PATH, BGP_UPD_ATTR_DISCARD,
		     "sent on a 4-octet AS session (RFC 6793 4.1)");
		return;
	}
	if (path_check(sl->val, sl->len, 4, true, false, &s->as4_count, why,
		       sizeof(why)) < 0) {
		note(s, BGP_ATTR_AS4_PATH, BGP_UPD_ATTR_DISCARD, "%s", why);
		return;
	}
	/* RFC 6793 6: confederation segments are removed, and logged */
	for (off = 0; off < sl->len; off += 2 + 4 * (size_t)sl->val[off + 1])
		if (sl->val[off] >= BGP_SEG_CONFED_SEQUENCE) {
			note(s, BGP_ATTR_AS4_PATH, BGP_UPD_OK,
			     "confederation segments removed (RFC 6793 6)");
			break;
		}
	sl->ok = true;
}

/* an exact length, or treat-as-withdraw */
static bool len_is(struct upd *s, struct slot *sl, unsigned int want,
		   enum bgp_decision d)
{
	if (sl->len == want)
		return true;
	note(s, sl->hdr[1], d, "length %u (%u expected)", sl->len, want);
	return false;
}

/* a non-zero multiple of unit, or treat-as-withdraw (RFC 7606 7.8, 7.14) */
static bool len_mult(struct upd *s, struct slot *sl, unsigned int unit)
{
	if (sl->len && sl->len % unit == 0)
		return true;
	note(s, sl->hdr[1], BGP_UPD_TREAT_AS_WITHDRAW,
	     "length %u (a non-zero multiple of %u expected)", sl->len, unit);
	return false;
}

static void chk_origin(struct upd *s, struct slot *sl)
{
	if (!len_is(s, sl, 1, BGP_UPD_TREAT_AS_WITHDRAW))
		return;
	if (sl->val[0] > BGP_ORIGIN_INCOMPLETE) {
		note(s, BGP_ATTR_ORIGIN, BGP_UPD_TREAT_AS_WITHDRAW,
		     "undefined value %u", sl->val[0]);
		return;
	}
	sl->ok = true;
}

static void chk_next_hop(struct upd *s, struct slot *sl)
{
	char a[INET_ADDRSTRLEN];
	const char *bad;

	/* RFC 4760 3: without NLRI field it means nothing, and is ignored */
	if (!s->cr.count) {
		note(s, BGP_ATTR_NEXT_HOP, BGP_UPD_OK,
		     "no IPv4 NLRI field (RFC 4760 3)");
		return;
	}
	if (!len_is(s, sl, 4, BGP_UPD_TREAT_AS_WITHDRAW))
		return;
	bad = nh4_bad(sl->val, s->ctx->local_ip4);
	if (bad) {
		note(s, BGP_ATTR_NEXT_HOP, BGP_UPD_TREAT_AS_WITHDRAW, "%s %s",
		     addr_str(sl->val, false, a, sizeof(a)), bad);
		return;
	}
	sl->ok = true;
}

static void chk_len4(struct upd *s, struct slot *sl)
{
	sl->ok = len_is(s, sl, 4, BGP_UPD_TREAT_AS_WITHDRAW);
}

static void chk_atomic(struct upd *s, struct slot *sl)
{
	sl->ok = len_is(s, sl, 0, BGP_UPD_ATTR_DISCARD);
}

static void chk_aggregator(struct upd *s, struct slot *sl)
{
	bool as4 = sl->hdr[1] == BGP_ATTR_AS4_AGGREGATOR || s->ctx->as4;

	if (sl->hdr[1] == BGP_ATTR_AS4_AGGREGATOR && s->ctx->as4) {
		note(s, sl->hdr[1], BGP_UPD_ATTR_DISCARD,
		     "sent on a 4-octet AS session (RFC 6793 4.1)");
		return;
	}
	if (sl->len != (as4 ? 8 : 6)) {
		note(s, sl->hdr[1], BGP_UPD_ATTR_DISCARD,
		     "length %u (%u expected)", sl->len, as4 ? 8 : 6);
		return;
	}
	if ((as4 ? get32(sl->val) : get16(sl->val)) == 0) {
		note(s, sl->hdr[1], BGP_UPD_ATTR_DISCARD, "AS 0 (RFC 7607)");
		return;
	}
	sl->ok = true;
}

static void chk_communities(struct upd *s, struct slot *sl)
{
	sl->ok = len_mult(s, sl, 4);
}

static void chk_large(struct upd *s, struct slot *sl)
{
	sl->ok = len_mult(s, sl, 12);	/* RFC 8092 6 */
}

/* checked, then passed on as they are */
static void chk_ext_communities(struct upd *s, struct slot *sl)
{
	s->keep[sl->hdr[1]] = len_mult(s, sl, 8);
}

static void chk_ipv6_ext_communities(struct upd *s, struct slot *sl)
{
	s->keep[sl->hdr[1]] = len_mult(s, sl, 20);	/* RFC 5701 */
}

static void chk_otc(struct upd *s, struct slot *sl)
{
	/* RFC 9234 5 */
	s->keep[sl->hdr[1]] = len_is(s, sl, 4, BGP_UPD_TREAT_AS_WITHDRAW);
}

/* route reflection is not ours: checked (RFC 7606 7.9, 7.10), dropped */
static void chk_rr(struct upd *s, struct slot *sl)
{
	if (sl->hdr[1] == BGP_ATTR_ORIGINATOR_ID)
		len_is(s, sl, 4, BGP_UPD_TREAT_AS_WITHDRAW);
	else
		len_mult(s, sl, 4);
}

#define WK	BGP_AF_TRANSITIVE
#define ONT	BGP_AF_OPTIONAL
#define OT	(BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE)

struct attr_rule {
	void (*check)(struct upd *s, struct slot *sl);
	uint8_t flags;		/* Optional and Transitive as they must be */
	uint8_t flags_err;	/* decision when they are not */
	bool ebgp_discard;	/* RFC 7606 7.5, 7.9, 7.10 */
};

#define RULE(fn, fl, err, eb) \
	{ .check = (fn), .flags = (fl), .flags_err = (err), .ebgp_discard = (eb) }
#define TWA	BGP_UPD_TREAT_AS_WITHDRAW
#define DISCARD	BGP_UPD_ATTR_DISCARD

static const struct attr_rule rules[256] = {
	[BGP_ATTR_ORIGIN] = RULE(chk_origin, WK, TWA, false),
	[BGP_ATTR_AS_PATH] = RULE(chk_as_path, WK, TWA, false),
	[BGP_ATTR_NEXT_HOP] = RULE(chk_next_hop, WK, TWA, false),
	[BGP_ATTR_MED] = RULE(chk_len4, ONT, TWA, false),
	[BGP_ATTR_LOCAL_PREF] = RULE(chk_len4, WK, TWA, true),
	[BGP_ATTR_ATOMIC_AGGR] = RULE(chk_atomic, WK, DISCARD, false),
	[BGP_ATTR_AGGREGATOR] = RULE(chk_aggregator, OT, DISCARD, false),
	[BGP_ATTR_COMMUNITIES] = RULE(chk_communities, OT, TWA, false),
	[BGP_ATTR_ORIGINATOR_ID] = RULE(chk_rr, ONT, TWA, true),
	[BGP_ATTR_CLUSTER_LIST] = RULE(chk_rr, ONT, TWA, true),
	[BGP_ATTR_MP_REACH] = RULE(chk_mp_reach, ONT, TWA, false),
	[BGP_ATTR_MP_UNREACH] = RULE(chk_mp_unreach, ONT, TWA, false),
	[BGP_ATTR_EXT_COMMUNITIES] = RULE(chk_ext_communities, OT, TWA, false),
	[BGP_ATTR_AS4_PATH] = RULE(chk_as4_path, OT, DISCARD, false),
	[BGP_ATTR_AS4_AGGREGATOR] = RULE(chk_aggregator, OT, DISCARD, false),
	[BGP_ATTR_IPV6_EXT_COMM] = RULE(chk_ipv6_ext_communities, OT, TWA,
					false),
	[BGP_ATTR_LARGE_COMMUNITY] = RULE(chk_large, OT, TWA, false),
	[BGP_ATTR_OTC] = RULE(chk_otc, OT, TWA, false),
};

static const char *flags_text(uint8_t f)
{
	switch (f & OT) {
	case WK:
		return "well-known";
	case ONT:
		return "optional non-transitive";
	case OT:
		return "optional transitive";
	}
	return "optional and transitive both 0";
}

static void chk_unknown(struct upd *s, struct slot *sl)
{
	unsigned int type = sl->hdr[1];

	if (!(sl->flags & BGP_AF_OPTIONAL)) {
		/* RFC 4271 6.3, which RFC 7606 leaves as it is */
		reset(s, type, BGP_ERR_UPD_UNKNOWN_WK, sl,
		      "unrecognized well-known attribute");
		return;
	}
	/* RFC 4271 9: transitive ones go on, the others are dropped */
	if (sl->flags & BGP_AF_TRANSITIVE)
		s->keep[type] = true;
	else
		note(s, type, BGP_UPD_OK, "unknown and non-transitive");
}

static void check_one(struct upd *s, unsigned int type)
{
	const struct attr_rule *r = &rules[type];
	struct slot *sl = &s->slot[type];

	if (!sl->seen)
		return;
	if (!r->check) {
		chk_unknown(s, sl);
		return;
	}
	if (r->ebgp_discard && s->ctx->ebgp) {
		note(s, type, BGP_UPD_ATTR_DISCARD, "from an external peer");
		return;
	}
	if ((sl->flags & OT) != r->flags) {
		note(s, type, r->flags_err, "flags 0x%02x (%s), %s expected",
		     sl->flags, flags_text(sl->flags), flags_text(r->flags));
		/* the NLRI in MP attributes is still needed to withdraw */
		if (type != BGP_ATTR_MP_REACH && type != BGP_ATTR_MP_UNREACH)
			return;
	}
	r->check(s, sl);
}

/*
 * Cuts the attribute section into slots. RFC 7606 4: an attribute
 * overrunning the section, or too few bytes left for a header, is
 * treat-as-withdraw (the NLRI is found from the total length), unless
 * it is an MP attribute, whose NLRI then cannot be found (session
 * reset); 7606 3 g: repeats are dropped, of MP attributes a reset.
 */
static void attrs_scan(struct upd *s, const uint8_t *a, size_t alen)
{
	size_t off = 0, left, hl, len;
	uint8_t flags, type;
	struct slot *sl;

	while (off < alen) {
		left = alen - off;
		if (left < 2) {
			note(s, 0, BGP_UPD_TREAT_AS_WITHDRAW,
			     "%zu byte after the last path attribute, too few for a header",
			     left);
			return;
		}
		flags = a[off];
		type = a[off + 1];
		hl = flags & BGP_AF_EXTLEN ? 4 : 3;
		len = left < hl ? 0 : hl == 4 ? get16(a + off + 2) : a[off + 2];
		if (left < hl || len > left - hl) {
			bool mp = type == BGP_ATTR_MP_REACH ||
				  type == BGP_ATTR_MP_UNREACH;
			char d[BGP_REASON_LEN];

			if (left < hl)
				snprintf(d, sizeof(d), "header truncated (%zu bytes left)",
					 left);
			else
				snprintf(d, sizeof(d), "length %zu overruns the path attributes (%zu bytes left)",
					 len, left - hl);
			if (mp)
				reset(s, type, BGP_ERR_UPD_ATTR_LIST, NULL,
				      "%s", d);
			else
				note(s, type, BGP_UPD_TREAT_AS_WITHDRAW, "%s", d);
			return;
		}
		s->n_attrs++;
		sl = &s->slot[type];
		if (sl->seen) {
			if (type == BGP_ATTR_MP_REACH ||
			    type == BGP_ATTR_MP_UNREACH)
				reset(s, type, BGP_ERR_UPD_ATTR_LIST, NULL,
				      "repeated");
			else
				note(s, type, BGP_UPD_ATTR_DISCARD,
				     "repeated, the first one kept");
		} else {
			sl->seen = true;
			sl->hdr = a + off;
			sl->val = a + off + hl;
			sl->len = (uint16_t)len;
			sl->total = (uint16_t)(hl + len);
			sl->flags = flags;
		}
		off += hl + len;
	}
}

/* RFC 7606 3 d: well-known mandatory attributes, when there are routes */
static void chk_mandatory(struct upd *s)
{
	static const uint8_t wk[] = { BGP_ATTR_ORIGIN, BGP_ATTR_AS_PATH,
				      BGP_ATTR_NEXT_HOP };
	unsigned int i;

	if (!s->cr.count && !(s->have_mr && s->mr.count))
		return;
	for (i = 0; i < sizeof(wk); i++) {
		/* RFC 4760 3: NEXT_HOP only with the NLRI field */
		if (wk[i] == BGP_ATTR_NEXT_HOP && !s->cr.count)
			continue;
		if (!s->slot[wk[i]].seen)
			note(s, wk[i], BGP_UPD_TREAT_AS_WITHDRAW,
			     "missing (well-known mandatory)");
	}
}

/* ---- the canonical set from checked attributes ---- */

/* appends to var: the AS path first, then the other sections in order */
struct vw {
	struct bgp_attrs *a;
	size_t len;
	size_t last;		/* the last AS path segment's offset */
	bool has_last;
	bool err;
};

static uint8_t *vw_room(struct vw *w, size_t n)
{
	uint8_t *p;

	if (w->err || n > BGP_ATTRS_VAR_MAX - w->len) {
		w->err = true;
		return NULL;
	}
	p = w->a->var + w->len;
	w->len += n;
	return p;
}

/* one segment of n ASes (asz octets each), joined to a like sequence */
static void vw_seg(struct vw *w, uint8_t type, const uint8_t *asns,
		   size_t asz, size_t n)
{
	uint8_t *v = w->a->var, *p;
	size_t i, start, cnt;
	bool join;

	if (!n)
		return;
	join = w->has_last && v[w->last] == type &&
	       (type == BGP_SEG_SEQUENCE || type == BGP_SEG_CONFED_SEQUENCE);
	if (!join) {
		p = vw_room(w, 3);
		if (!p)
			return;
		w->last = w->len - 3;
		w->has_last = true;
		p[0] = type;
		put16(p + 1, 0);
	}
	start = w->len;
	p = vw_room(w, 4 * n);
	if (!p)
		return;
	for (i = 0; i < n; i++)
		put32(p + 4 * i, asz == 4 ? get32(asns + 4 * i) :
					    get16(asns + 2 * i));
	cnt = get16(v + w->last + 1) + n;
	if (type == BGP_SEG_SET || type == BGP_SEG_CONFED_SET) {
		cnt = sort_uniq(v + start, n, 4);
		w->len = start + 4 * cnt;
	}
	put16(v + w->last + 1, (uint16_t)cnt);
}

/* a checked wire path, all of it or (confed == false) without confeds */
static void vw_path(struct vw *w, const uint8_t *p, size_t n, size_t asz,
		    bool confed)
{
	size_t off = 0;
	uint8_t type, segn;

	while (n - off >= 2) {
		type = p[off];
		segn = p[off + 1];
		if ((size_t)segn * asz > n - off - 2)
			return;
		if (confed || type < BGP_SEG_CONFED_SEQUENCE)
			vw_seg(w, type, p + off + 2, asz, segn);
		off += 2 + (size_t)segn * asz;
	}
}

/*
 * RFC 6793 4.2.3: as many ASes from the front of AS_PATH as AS4_PATH
 * lacks (an AS_SET whole, confederation segments, which can only lead,
 * with them), then AS4_PATH.
 */
static void vw_merge(struct vw *w, const struct slot *p2,
		     const struct slot *p4, unsigned int need)
{
	const uint8_t *p = p2->val;
	size_t off = 0, take;
	uint8_t type, segn;

	while (p2->len - off >= 2) {
		type = p[off];
		segn = p[off + 1];
		if ((size_t)segn * 2 > p2->len - off - 2)
			break;
		if (type >= BGP_SEG_CONFED_SEQUENCE) {
			vw_seg(w, type, p + off + 2, 2, segn);
		} else if (!need) {
			break;
		} else if (type == BGP_SEG_SET) {
			vw_seg(w, type, p + off + 2, 2, segn);
			need--;
		} else {
			take = segn < need ? segn : need;
			vw_seg(w, type, p + off + 2, 2, take);
			need -= (unsigned int)take;
			if (take < segn)
				break;
		}
		off += 2 + (size_t)segn * 2;
	}
	vw_path(w, p4->val, p4->len, 4, false);
}

/* sorted, repeats dropped: communities (sz 4) or large ones (sz 12) */
static size_t vw_set(struct vw *w, const struct slot *sl, size_t sz)
{
	uint8_t *p;

	if (!sl->ok)
		return 0;
	p = vw_room(w, sl->len);
	if (!p)
		return 0;
	memcpy(p, sl->val, sl->len);
	w->len -= sl->len;
	w->len += sort_uniq(p, sl->len / sz, sz) * sz;
	return w->len;
}

/* AGGREGATOR and AS4_AGGREGATOR, and whether AS4_PATH is still usable */
static bool build_aggregator(struct upd *s, struct bgp_attrs *a)
{
	struct slot *ag = &s->slot[BGP_ATTR_AGGREGATOR];
	struct slot *ag4 = &s->slot[BGP_ATTR_AS4_AGGREGATOR];
	bool use4 = s->slot[BGP_ATTR_AS4_PATH].ok;

	if (ag->ok) {
		a->present |= 1u << BGP_ATTR_AGGREGATOR;
		a->aggr_as = s->ctx->as4 ? get32(ag->val) : get16(ag->val);
		a->aggr_id = get32(ag->val + (s->ctx->as4 ? 4 : 2));
	}
	if (!ag4->ok)
		return use4;
	if (!ag->ok) {
		note(s, BGP_ATTR_AS4_AGGREGATOR, BGP_UPD_ATTR_DISCARD,
		     "no AGGREGATOR beside it (RFC 6793 4.2.3)");
		return use4;
	}
	if (a->aggr_as != BGP_AS_TRANS) {
		note(s, BGP_ATTR_AS4_AGGREGATOR, BGP_UPD_ATTR_DISCARD,
		     "AGGREGATOR has AS %u, not AS_TRANS (RFC 6793 4.2.3)",
		     a->aggr_as);
		if (use4)
			note(s, BGP_ATTR_AS4_PATH, BGP_UPD_ATTR_DISCARD,
			     "AGGREGATOR has AS %u, not AS_TRANS (RFC 6793 4.2.3)",
			     a->aggr_as);
		return false;
	}
	a->aggr_as = get32(ag4->val);
	a->aggr_id = get32(ag4->val + 4);
	return use4;
}

static void build_path(struct upd *s, struct vw *w, bool use4)
{
	const struct slot *p2 = &s->slot[BGP_ATTR_AS_PATH];
	const struct slot *p4 = &s->slot[BGP_ATTR_AS4_PATH];
	uint32_t first;

	if (!p2->ok)
		return;
	w->a->present |= 1u << BGP_ATTR_AS_PATH;
	if (s->ctx->as4) {
		vw_path(w, p2->val, p2->len, 4, true);
		return;
	}
	if (use4 && s->path_count < s->as4_count) {
		note(s, BGP_ATTR_AS4_PATH, BGP_UPD_ATTR_DISCARD,
		     "%u ASes, AS_PATH only %u (RFC 6793 4.2.3)", s->as4_count,
		     s->path_count);
		use4 = false;
	}
	if (!use4) {
		vw_path(w, p2->val, p2->len, 2, true);
		return;
	}
	vw_merge(w, p2, p4, s->path_count - s->as4_count);
	/*
	 * An old speaker cannot have put itself into AS4_PATH: one that
	 * would take the peer's place at the front of the path is not
	 * believed (the AS_PATH check of RFC 4271 6.3 must still hold).
	 */
	w->a->aspath_len = (uint16_t)w->len;
	first = bgp_aspath_first(w->a);
	if (s->ctx->ebgp && s->ctx->peer_as && first != s->ctx->peer_as &&
	    !w->err) {
		note(s, BGP_ATTR_AS4_PATH, BGP_UPD_ATTR_DISCARD,
		     "would put AS %u before the peer's AS %u", first,
		     s->ctx->peer_as);
		w->len = 0;
		w->has_last = false;
		vw_path(w, p2->val, p2->len, 2, true);
	}
}

static void build_others(struct upd *s, struct vw *w)
{
	const struct slot *sl;
	unsigned int t;
	uint8_t *p;

	for (t = 0; t < 256; t++) {
		if (!s->keep[t])
			continue;
		sl = &s->slot[t];
		p = vw_room(w, 4 + (size_t)sl->len);
		if (!p)
			return;
		p[0] = sl->flags & (OT | BGP_AF_PARTIAL);
		/* RFC 4271 5: unrecognized ones go on marked Partial */
		if (!rules[t].check)
			p[0] |= BGP_AF_PARTIAL;
		p[1] = (uint8_t)t;
		put16(p + 2, sl->len);
		memcpy(p + 4, sl->val, sl->len);
	}
}

static void attrs_build(struct upd *s)
{
	struct bgp_attrs *a = &s->u->attrs;
	struct slot *sl = s->slot;
	struct vw w = { .a = a };
	size_t mark;
	bool use4;

	memset(a, 0, offsetof(struct bgp_attrs, var));
	if (sl[BGP_ATTR_ORIGIN].ok) {
		a->present |= 1u << BGP_ATTR_ORIGIN;
		a->origin = sl[BGP_ATTR_ORIGIN].val[0];
	}
	if (sl[BGP_ATTR_NEXT_HOP].ok) {
		a->nh_len = 4;
		memcpy(a->nh, sl[BGP_ATTR_NEXT_HOP].val, 4);
	}
	if (sl[BGP_ATTR_MED].ok) {
		a->present |= 1u << BGP_ATTR_MED;
		a->med = get32(sl[BGP_ATTR_MED].val);
	}
	if (sl[BGP_ATTR_LOCAL_PREF].ok) {
		a->present |= 1u << BGP_ATTR_LOCAL_PREF;
		a->local_pref = get32(sl[BGP_ATTR_LOCAL_PREF].val);
	}
	if (sl[BGP_ATTR_ATOMIC_AGGR].ok)
		a->present |= 1u << BGP_ATTR_ATOMIC_AGGR;
	use4 = build_aggregator(s, a);
	build_path(s, &w, use4);
	a->aspath_len = (uint16_t)w.len;
	mark = w.len;
	vw_set(&w, &sl[BGP_ATTR_COMMUNITIES], 4);
	a->comm_len = (uint16_t)(w.len - mark);
	if (a->comm_len)
		a->present |= 1u << BGP_ATTR_COMMUNITIES;
	mark = w.len;
	vw_set(&w, &sl[BGP_ATTR_LARGE_COMMUNITY], 12);
	a->lcomm_len = (uint16_t)(w.len - mark);
	mark = w.len;
	build_others(s, &w);
	a->other_len = (uint16_t)(w.len - mark);
	/* cannot happen (var holds twice a message), but never trust that */
	if (w.err)
		note(s, 0, BGP_UPD_TREAT_AS_WITHDRAW,
		     "attributes do not fit %d bytes", BGP_ATTRS_VAR_MAX);
}

static void add_run(struct bgp_nlri *runs, uint8_t *n, unsigned int max,
		    const struct bgp_nlri *r, const struct bgp_update *u)
{
	if (!r->count || *n >= max)
		return;
	if (u->decision == BGP_UPD_AF_DISABLE && r->af == u->disable_af)
		return;
	runs[(*n)++] = *r;
}

/* the runs as the decision leaves them, and End-of-RIB */
static void finish(struct upd *s, size_t wlen, size_t alen, size_t nlen)
{
	struct bgp_update *u = s->u;

	if (u->decision == BGP_UPD_SESSION_RESET)
		return;
	add_run(u->withdrawn, &u->n_withdrawn, 4, &s->cw, u);
	if (s->have_mw)
		add_run(u->withdrawn, &u->n_withdrawn, 4, &s->mw, u);
	/* RFC 7606 2: treat-as-withdraw withdraws every route it carries */
	if (s->twa) {
		add_run(u->withdrawn, &u->n_withdrawn, 4, &s->cr, u);
		if (s->have_mr)
			add_run(u->withdrawn, &u->n_withdrawn, 4, &s->mr, u);
	} else {
		add_run(u->announced, &u->n_announced, 2, &s->cr, u);
		if (s->have_mr)
			add_run(u->announced, &u->n_announced, 2, &s->mr, u);
	}
	if (u->decision != BGP_UPD_OK || u->n_withdrawn || u->n_announced ||
	    wlen || nlen)
		return;
	/* RFC 4724 2: nothing at all, or one empty MP_UNREACH_NLRI */
	if (!alen && (s->ctx->afs & BGP_AFS(BGP_AF_IPV4)))
		u->eor = BGP_AF_IPV4;
	else if (s->n_attrs == 1 && s->have_mw && !s->mw.len)
		u->eor = (int8_t)s->mw.af;
}

enum bgp_decision bgp_update_decode(const struct bgp_ctx *ctx,
				    const uint8_t *msg, size_t len,
				    struct bgp_update *u)
{
	char why[BGP_REASON_LEN];
	const uint8_t *b, *a, *nl;
	size_t blen, wlen, alen, nlen;
	struct upd *s, st;
	unsigned int t;

	memset(u, 0, offsetof(struct bgp_update, attrs));
	memset(&u->attrs, 0, offsetof(struct bgp_attrs, var));
	memset(&u->mp_nh_len, 0, sizeof(*u) - offsetof(struct bgp_update, mp_nh_len));
	u->eor = -1;
	s = &st;
	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->u = u;
	if (msg_check(msg, len, BGP_MSG_UPDATE, &u->notif) < 0) {
		u->decision = BGP_UPD_SESSION_RESET;
		note(s, 0, BGP_UPD_SESSION_RESET, "not a whole UPDATE message");
		return u->decision;
	}
	b = msg + BGP_HDR_LEN;
	blen = len - BGP_HDR_LEN;
	wlen = get16(b);
	/* RFC 7606 4 (and RFC 4271 6.3): where NLRI is cannot be known */
	if (wlen > blen - 4) {
		reset(s, 0, BGP_ERR_UPD_ATTR_LIST, NULL,
		      "withdrawn routes length %zu overruns the message (%zu bytes left)",
		      wlen, blen - 4);
		return u->decision;
	}
	alen = get16(b + 2 + wlen);
	if (alen > blen - 4 - wlen) {
		reset(s, 0, BGP_ERR_UPD_ATTR_LIST, NULL,
		      "total path attribute length %zu overruns the message (%zu bytes left)",
		      alen, blen - 4 - wlen);
		return u->decision;
	}
	a = b + 4 + wlen;
	nl = a + alen;
	nlen = blen - 4 - wlen - alen;
	/* RFC 7606 5.3: NLRI that cannot be parsed is a reset */
	if (nlri_check(b + 2, wlen, 32, &s->cw.count, why, sizeof(why)) < 0) {
		reset(s, 0, BGP_ERR_UPD_NETWORK, NULL, "withdrawn routes: %s",
		      why);
		return u->decision;
	}
	if (nlri_check(nl, nlen, 32, &s->cr.count, why, sizeof(why)) < 0) {
		reset(s, 0, BGP_ERR_UPD_NETWORK, NULL, "NLRI: %s", why);
		return u->decision;
	}
	s->cw.p = b + 2;
	s->cw.len = (uint16_t)wlen;
	s->cr.p = nl;
	s->cr.len = (uint16_t)nlen;
	if (!(ctx->afs & BGP_AFS(BGP_AF_IPV4)) && (s->cw.count || s->cr.count)) {
		note(s, 0, BGP_UPD_OK, "IPv4 unicast not negotiated, %u prefixes",
		     s->cw.count + s->cr.count);
		s->cw.count = s->cr.count = 0;
	}
	attrs_scan(s, a, alen);
	if (u->decision != BGP_UPD_SESSION_RESET) {
		check_one(s, BGP_ATTR_MP_REACH);
		check_one(s, BGP_ATTR_MP_UNREACH);
		for (t = 0; t < 256; t++)
			if (t != BGP_ATTR_MP_REACH && t != BGP_ATTR_MP_UNREACH)
				check_one(s, t);
		chk_mandatory(s);
	}
	if (!s->twa && u->decision != BGP_UPD_SESSION_RESET &&
	    (s->cr.count || (s->have_mr && s->mr.count)))
		attrs_build(s);
	finish(s, wlen, alen, nlen);
	return u->decision;
}

void bgp_update_route_attrs(const struct bgp_update *u,
			    const struct bgp_nlri *run,
			    struct bgp_attrs *out)
{
	memcpy(out, &u->attrs, bgp_attrs_size(&u->attrs));
	if (!run->mp)
		return;
	out->nh_len = u->mp_nh_len;
	memset(out->nh, 0, sizeof(out->nh));
	memcpy(out->nh, u->mp_nh, u->mp_nh_len);
}

bool bgp_update_discarded(const struct bgp_update *u, uint8_t type)
{
	return (u->discarded[type / 8] >> (type % 8)) & 1;
}

/* ---- UPDATE encoding ---- */

/* how far the first-fit packing looks past a prefix that did not fit */
#define PACK_LOOKAHEAD	64

static void attr_hdr(struct wbuf *w, uint8_t flags, uint8_t type, size_t len)
{
	if (len > 0xffff) {
		w->err = true;
		return;
	}
	flags &= OT | BGP_AF_PARTIAL;
	if (len > 255) {
		w8(w, flags | BGP_AF_EXTLEN);
		w8(w, type);
		w16(w, (uint16_t)len);
	} else {
		w8(w, flags);
		w8(w, type);
		w8(w, (uint8_t)len);
	}
}

/*
 * The AS path as AS_PATH (asz 2: a big AS becomes AS_TRANS) or as
 * AS4_PATH (confed false: RFC 6793 keeps confederations out of it).
 * Long sequences are cut into segments of 255; a longer AS_SET cannot be.
 */
static void path_write(struct wbuf *w, const struct bgp_attrs *a, size_t asz,
		       bool confed)
{
	struct bgp_aspath_iter it;
	struct bgp_aspath_seg s;
	unsigned int i, k, left;
	uint32_t asn;

	bgp_aspath_iter_init(&it, a);
	while (bgp_aspath_next(&it, &s)) {
		if (!confed && s.type >= BGP_SEG_CONFED_SEQUENCE)
			continue;
		if (s.count > 255 && (s.type == BGP_SEG_SET ||
				      s.type == BGP_SEG_CONFED_SET)) {
			w->err = true;
			return;
		}
		for (i = 0; i < s.count; i += k) {
			left = s.count - i;
			k = left > 255 ? 255 : left;
			w8(w, s.type);
			w8(w, (uint8_t)k);
			for (left = 0; left < k; left++) {
				asn = bgp_aspath_asn(&s, i + left);
				if (asz == 4)
					w32(w, asn);
				else
					w16(w, asn > 0xffff ? BGP_AS_TRANS :
							      (uint16_t)asn);
			}
		}
	}
}

static bool path_needs_as4(const struct bgp_attrs *a)
{
	struct bgp_aspath_iter it;
	struct bgp_aspath_seg s;
	unsigned int i;

	bgp_aspath_iter_init(&it, a);
	while (bgp_aspath_next(&it, &s))
		for (i = 0; i < s.count; i++)
			if (s.type < BGP_SEG_CONFED_SEQUENCE &&
			    bgp_aspath_asn(&s, i) > 0xffff)
				return true;
	return false;
}

static void path_attr(struct wbuf *w, const struct bgp_attrs *a, uint8_t type,
		      size_t asz, bool confed)
{
	struct wbuf m;

	wbuf_init(&m, NULL, SIZE_MAX);
	path_write(&m, a, asz, confed);
	if (m.err) {
		w->err = true;
		return;
	}
	attr_hdr(w, type == BGP_ATTR_AS_PATH ? WK : OT, type, m.len);
	path_write(w, a, asz, confed);
}

/* the types this codec writes itself: never taken from the others */
static bool own_type(unsigned int t)
{
	return (t >= BGP_ATTR_ORIGIN && t <= BGP_ATTR_COMMUNITIES) ||
	       t == BGP_ATTR_MP_REACH || t == BGP_ATTR_MP_UNREACH ||
	       t == BGP_ATTR_AS4_PATH || t == BGP_ATTR_AS4_AGGREGATOR ||
	       t == BGP_ATTR_LARGE_COMMUNITY;
}

static void attr_known(struct wbuf *w, const struct bgp_ctx *ctx,
		       const struct bgp_attrs *a, enum bgp_af af,
		       unsigned int t)
{
	const uint8_t *var = a->var + a->aspath_len;

	switch (t) {
	case BGP_ATTR_ORIGIN:
		attr_hdr(w, WK, BGP_ATTR_ORIGIN, 1);
		w8(w, a->origin);
		break;
	case BGP_ATTR_AS_PATH:
		path_attr(w, a, BGP_ATTR_AS_PATH, ctx->as4 ? 4 : 2, true);
		break;
	case BGP_ATTR_NEXT_HOP:
		if (af != BGP_AF_IPV4)
			break;
		attr_hdr(w, WK, BGP_ATTR_NEXT_HOP, 4);
		wn(w, a->nh, 4);
		break;
	case BGP_ATTR_MED:
		if (!BGP_ATTRS_HAS(a, BGP_ATTR_MED))
			break;
		attr_hdr(w, ONT, BGP_ATTR_MED, 4);
		w32(w, a->med);
		break;
	case BGP_ATTR_LOCAL_PREF:
		if (!BGP_ATTRS_HAS(a, BGP_ATTR_LOCAL_PREF))
			break;
		attr_hdr(w, WK, BGP_ATTR_LOCAL_PREF, 4);
		w32(w, a->local_pref);
		break;
	case BGP_ATTR_ATOMIC_AGGR:
		if (BGP_ATTRS_HAS(a, BGP_ATTR_ATOMIC_AGGR))
			attr_hdr(w, WK, BGP_ATTR_ATOMIC_AGGR, 0);
		break;
	case BGP_ATTR_AGGREGATOR:
		if (!BGP_ATTRS_HAS(a, BGP_ATTR_AGGREGATOR))
			break;
		attr_hdr(w, OT, BGP_ATTR_AGGREGATOR, ctx->as4 ? 8 : 6);
		if (ctx->as4)
			w32(w, a->aggr_as);
		else
			w16(w, a->aggr_as > 0xffff ? BGP_AS_TRANS :
						     (uint16_t)a->aggr_as);
		w32(w, a->aggr_id);
		break;
	case BGP_ATTR_COMMUNITIES:
		if (!a->comm_len)
			break;
		attr_hdr(w, OT, BGP_ATTR_COMMUNITIES, a->comm_len);
		wn(w, var, a->comm_len);
		break;
	case BGP_ATTR_AS4_PATH:
		if (!ctx->as4 && path_needs_as4(a))
			path_attr(w, a, BGP_ATTR_AS4_PATH, 4, false);
		break;
	case BGP_ATTR_AS4_AGGREGATOR:
		if (ctx->as4 || !BGP_ATTRS_HAS(a, BGP_ATTR_AGGREGATOR) ||
		    a->aggr_as <= 0xffff)
			break;
		attr_hdr(w, OT, BGP_ATTR_AS4_AGGREGATOR, 8);
		w32(w, a->aggr_as);
		w32(w, a->aggr_id);
		break;
	case BGP_ATTR_LARGE_COMMUNITY:
		if (!a->lcomm_len)
			break;
		attr_hdr(w, OT, BGP_ATTR_LARGE_COMMUNITY, a->lcomm_len);
		wn(w, var + a->comm_len, a->lcomm_len);
		break;
	}
}

/* every path attribute but MP_REACH_NLRI, in type order (RFC 4271 5) */
static void attrs_write(struct wbuf *w, const struct bgp_ctx *ctx,
			const struct bgp_attrs *a, enum bgp_af af)
{
	struct bgp_raw_attr r;
	size_t off = 0;
	bool more;
	unsigned int t;

	more = bgp_attrs_other_next(a, &off, &r);
	for (t = 0; t < 256; t++) {
		attr_known(w, ctx, a, af, t);
		while (more && r.type == t) {
			if (own_type(t)) {
				w->err = true;
				return;
			}
			attr_hdr(w, r.flags, r.type, r.len);
			wn(w, r.val, r.len);
			more = bgp_attrs_other_next(a, &off, &r);
		}
	}
	/* others out of order were not written */
	if (more)
		w->err = true;
}

size_t bgp_attrs_encoded_len(const struct bgp_ctx *ctx,
			     const struct bgp_attrs *a, enum bgp_af af)
{
	struct wbuf m;

	wbuf_init(&m, NULL, SIZE_MAX);
	attrs_write(&m, ctx, a, af);
	if (af == BGP_AF_IPV6)
		m.len += 3 + 5 + (size_t)a->nh_len;
	return m.len;
}

struct pack {
	size_t fixed;		/* the message without the NLRI (and MP attr) */
	bool mp;		/* NLRI inside an MP attribute ... */
	size_t mp_fixed;	/* ... whose value has this much before it */
	size_t max;
};

static size_t pack_total(const struct pack *pk, size_t nlri)
{
	size_t val = pk->mp_fixed + nlri;

	if (!pk->mp)
		return pk->fixed + nlri;
	return pk->fixed + (val > 255 ? 4 : 3) + val;
}

/*
 * First fit: prefixes that fit are swapped to the front in their order,
 * one that does not is skipped for smaller ones behind it. Returns how
 * many (their bytes in *nlri), or -1 for a prefix not of af.
 */
static int pack(const struct pack *pk, enum bgp_af af, struct bgp_prefix *pfx,
		size_t n, size_t *nlri, char *err, size_t errlen)
{
	size_t i, k = 0, bytes = 0, skipped = 0, sz;
	struct bgp_prefix t;

	for (i = 0; i < n; i++) {
		if (pfx[i].af != af || pfx[i].len > af_bits(af))
			return set_err(err, errlen, "prefix %zu is not an %s prefix",
				       i, bgp_af_name(af));
		sz = 1 + (pfx[i].len + 7u) / 8;
		if (pack_total(pk, bytes + sz) <= pk->max) {
			if (i != k) {
				t = pfx[k];
				pfx[k] = pfx[i];
				pfx[i] = t;
			}
			k++;
			bytes += sz;
			continue;
		}
		if (++skipped > PACK_LOOKAHEAD ||
		    pack_total(pk, bytes + 1) > pk->max)
			break;
	}
	*nlri = bytes;
	return (int)k;
}

static void prefixes_write(struct wbuf *w, const struct bgp_prefix *pfx,
			   size_t n)
{
	uint8_t b[17];
	size_t i, bytes;

	for (i = 0; i < n; i++) {
		bytes = (pfx[i].len + 7u) / 8;
		b[0] = pfx[i].len;
		memcpy(b + 1, pfx[i].addr, bytes);
		if (pfx[i].len % 8)
			b[bytes] &= (uint8_t)(0xff << (8 - pfx[i].len % 8));
		wn(w, b, 1 + bytes);
	}
}

static size_t msg_max(size_t cap)
{
	return cap < BGP_MSG_MAX ? cap : BGP_MSG_MAX;
}

int bgp_build_announce(const struct bgp_ctx *ctx, const struct bgp_attrs *a,
		       enum bgp_af af, struct bgp_prefix *pfx, size_t n,
		       size_t *used, uint8_t *buf, size_t cap,
		       char *err, size_t errlen)
{
	struct pack pk = { .max = msg_max(cap) };
	size_t alen, nlri, mpval;
	struct wbuf m, w;
	int k;

	*used = 0;
	if (!n || af >= BGP_AF_COUNT)
		return set_err(err, errlen, "no prefixes, or no family");
	if (!BGP_ATTRS_HAS(a, BGP_ATTR_ORIGIN) ||
	    !BGP_ATTRS_HAS(a, BGP_ATTR_AS_PATH) || a->origin > 2)
		return set_err(err, errlen, "ORIGIN and AS_PATH are mandatory");
	if (af == BGP_AF_IPV4 ? a->nh_len != 4 :
				a->nh_len != 16 && a->nh_len != 32)
		return set_err(err, errlen, "next hop of %u bytes for %s",
			       a->nh_len, bgp_af_name(af));
	wbuf_init(&m, NULL, SIZE_MAX);
	attrs_write(&m, ctx, a, af);
	if (m.err)
		return set_err(err, errlen, "attributes cannot be encoded (an AS_SET of more than 255, or others out of order)");
	alen = m.len;
	pk.fixed = BGP_UPDATE_MIN + alen;
	pk.mp = af == BGP_AF_IPV6;
	pk.mp_fixed = 5 + (size_t)a->nh_len;
	k = pack(&pk, af, pfx, n, &nlri, err, errlen);
	if (k < 0)
		return -1;
	if (k == 0)
		return set_err(err, errlen, "%zu bytes of attributes leave no room for a prefix",
			       alen);
	mpval = pk.mp_fixed + nlri;
	wbuf_init(&w, buf, cap);
	w_header(&w, BGP_MSG_UPDATE);
	w16(&w, 0);
	w16(&w, (uint16_t)(pack_total(&pk, nlri) - BGP_UPDATE_MIN -
			   (pk.mp ? 0 : nlri)));
	if (pk.mp) {
		/* RFC 7606 5.1: MP_REACH_NLRI comes first */
		attr_hdr(&w, ONT, BGP_ATTR_MP_REACH, mpval);
		w16(&w, BGP_AFI_IPV6);
		w8(&w, BGP_SAFI_UNICAST);
		w8(&w, a->nh_len);
		wn(&w, a->nh, a->nh_len);
		w8(&w, 0);
		prefixes_write(&w, pfx, (size_t)k);
		attrs_write(&w, ctx, a, af);
	} else {
		attrs_write(&w, ctx, a, af);
		prefixes_write(&w, pfx, (size_t)k);
	}
	if (w_finish(&w) < 0)
		return set_err(err, errlen, "buffer of %zu bytes too small", cap);
	*used = (size_t)k;
	return (int)w.len;
}

int bgp_build_withdraw(enum bgp_af af, struct bgp_prefix *pfx, size_t n,
		       size_t *used, uint8_t *buf, size_t cap,
		       char *err, size_t errlen)
{
	struct pack pk = { .fixed = BGP_UPDATE_MIN, .mp = af == BGP_AF_IPV6,
			   .mp_fixed = 3, .max = msg_max(cap) };
	size_t nlri;
	struct wbuf w;
	int k;

	*used = 0;
	if (!n || af >= BGP_AF_COUNT)
		return set_err(err, errlen, "no prefixes, or no family");
	k = pack(&pk, af, pfx, n, &nlri, err, errlen);
	if (k <= 0)
		return k < 0 ? -1 : set_err(err, errlen, "buffer too small");
	wbuf_init(&w, buf, cap);
	w_header(&w, BGP_MSG_UPDATE);
	if (!pk.mp) {
		w16(&w, (uint16_t)nlri);
		prefixes_write(&w, pfx, (size_t)k);
		w16(&w, 0);
	} else {
		w16(&w, 0);
		w16(&w, (uint16_t)(pack_total(&pk, nlri) - BGP_UPDATE_MIN));
		attr_hdr(&w, ONT, BGP_ATTR_MP_UNREACH, 3 + nlri);
		w16(&w, BGP_AFI_IPV6);
		w8(&w, BGP_SAFI_UNICAST);
		prefixes_write(&w, pfx, (size_t)k);
	}
	if (w_finish(&w) < 0)
		return set_err(err, errlen, "buffer of %zu bytes too small", cap);
	*used = (size_t)k;
	return (int)w.len;
}

int bgp_build_eor(enum bgp_af af, uint8_t *buf, size_t cap)
{
	struct wbuf w;

	if (af >= BGP_AF_COUNT)
		return -1;
	wbuf_init(&w, buf, cap);
	w_header(&w, BGP_MSG_UPDATE);
	w16(&w, 0);
	if (af == BGP_AF_IPV4) {
		w16(&w, 0);
	} else {
		w16(&w, 6);
		attr_hdr(&w, ONT, BGP_ATTR_MP_UNREACH, 3);
		w16(&w, BGP_AFI_IPV6);
		w8(&w, BGP_SAFI_UNICAST);
	}
	return w_finish(&w);
}

/* ---- names ---- */

#define NAME(tab, i) ((i) < sizeof(tab) / sizeof(tab[0]) && (tab)[i] ? \
		      (tab)[i] : "unknown")

const char *bgp_msg_name(unsigned int type)
{
	static const char *const n[] = {
		[BGP_MSG_OPEN] = "OPEN", [BGP_MSG_UPDATE] = "UPDATE",
		[BGP_MSG_NOTIFICATION] = "NOTIFICATION",
		[BGP_MSG_KEEPALIVE] = "KEEPALIVE",
		[BGP_MSG_ROUTE_REFRESH] = "ROUTE-REFRESH",
	};

	return NAME(n, type);
}

const char *bgp_err_name(unsigned int code)
{
	static const char *const n[] = {
		[BGP_ERR_HEADER] = "Message Header Error",
		[BGP_ERR_OPEN] = "OPEN Message Error",
		[BGP_ERR_UPDATE] = "UPDATE Message Error",
		[BGP_ERR_HOLD] = "Hold Timer Expired",
		[BGP_ERR_FSM] = "Finite State Machine Error",
		[BGP_ERR_CEASE] = "Cease",
		[BGP_ERR_ROUTE_REFRESH] = "ROUTE-REFRESH Message Error",
	};

	return NAME(n, code);
}

const char *bgp_suberr_name(unsigned int code, unsigned int sub)
{
	static const char *const hdr[] = {
		[1] = "Connection Not Synchronized",
		[2] = "Bad Message Length", [3] = "Bad Message Type",
	};
	static const char *const open[] = {
		[0] = "Unspecific", [1] = "Unsupported Version Number",
		[2] = "Bad Peer AS", [3] = "Bad BGP Identifier",
		[4] = "Unsupported Optional Parameter",
		[6] = "Unacceptable Hold Time",
		[7] = "Unsupported Capability", [11] = "Role Mismatch",
	};
	static const char *const upd[] = {
		[0] = "Unspecific", [1] = "Malformed Attribute List",
		[2] = "Unrecognized Well-known Attribute",
		[3] = "Missing Well-known Attribute",
		[4] = "Attribute Flags Error", [5] = "Attribute Length Error",
		[6] = "Invalid ORIGIN Attribute",
		[8] = "Invalid NEXT_HOP Attribute",
		[9] = "Optional Attribute Error",
		[10] = "Invalid Network Field", [11] = "Malformed AS_PATH",
	};
	static const char *const fsm[] = {
		[0] = "Unspecified Error",
		[1] = "Unexpected Message in OpenSent State",
		[2] = "Unexpected Message in OpenConfirm State",
		[3] = "Unexpected Message in Established State",
	};
	static const char *const cease[] = {
		[1] = "Maximum Number of Prefixes Reached",
		[2] = "Administrative Shutdown", [3] = "Peer De-configured",
		[4] = "Administrative Reset", [5] = "Connection Rejected",
		[6] = "Other Configuration Change",
		[7] = "Connection Collision Resolution",
		[8] = "Out of Resources", [9] = "Hard Reset",
		[10] = "BFD Down",
	};
	static const char *const rr[] = {
		[1] = "Invalid Message Length",
	};

	switch (code) {
	case BGP_ERR_HEADER:
		return NAME(hdr, sub);
	case BGP_ERR_OPEN:
		return NAME(open, sub);
	case BGP_ERR_UPDATE:
		return NAME(upd, sub);
	case BGP_ERR_FSM:
		return NAME(fsm, sub);
	case BGP_ERR_CEASE:
		return NAME(cease, sub);
	case BGP_ERR_ROUTE_REFRESH:
		return NAME(rr, sub);
	}
	return sub == 0 ? "Unspecific" : "unknown";
}

const char *bgp_cap_name(unsigned int code)
{
	static const char *const n[] = {
		[1] = "multiprotocol", [2] = "route refresh",
		[3] = "outbound route filtering", [5] = "extended next hop",
		[6] = "extended message", [9] = "BGP role",
		[64] = "graceful restart", [65] = "4-octet AS",
		[67] = "dynamic capability", [69] = "ADD-PATH",
		[70] = "enhanced route refresh",
		[71] = "long-lived graceful restart", [73] = "FQDN",
		[75] = "software version", [128] = "route refresh (old)",
	};

	return NAME(n, code);
}

const char *bgp_attr_name(unsigned int type)
{
	static const char *const n[] = {
		[1] = "ORIGIN", [2] = "AS_PATH", [3] = "NEXT_HOP",
		[4] = "MULTI_EXIT_DISC", [5] = "LOCAL_PREF",
		[6] = "ATOMIC_AGGREGATE", [7] = "AGGREGATOR",
		[8] = "COMMUNITIES", [9] = "ORIGINATOR_ID",
		[10] = "CLUSTER_LIST", [14] = "MP_REACH_NLRI",
		[15] = "MP_UNREACH_NLRI", [16] = "EXTENDED_COMMUNITIES",
		[17] = "AS4_PATH", [18] = "AS4_AGGREGATOR",
		[22] = "PMSI_TUNNEL", [23] = "TUNNEL_ENCAPSULATION",
		[25] = "IPV6_EXT_COMMUNITIES", [26] = "AIGP",
		[29] = "BGP-LS", [32] = "LARGE_COMMUNITY",
		[33] = "BGPsec_PATH", [35] = "ONLY_TO_CUSTOMER",
		[40] = "PREFIX_SID", [128] = "ATTR_SET",
	};

	return NAME(n, type);
}

const char *bgp_decision_name(enum bgp_decision d)
{
	return (unsigned int)d <= BGP_UPD_SESSION_RESET ?
	       decision_text[d] : "unknown";
}

const char *bgp_af_name(unsigned int af)
{
	static const char *const n[] = {
		[BGP_AF_IPV4] = "IPv4 unicast", [BGP_AF_IPV6] = "IPv6 unicast",
	};

	return NAME(n, af);
}
