// SPDX-License-Identifier: GPL-2.0
/*
 * What the gateway announces to one peer: the difference between the set
 * it should have (the gateway's advertise prefixes) and the set it was
 * sent, carried in UPDATEs of as many prefixes as fit 4096 bytes.
 *
 * Split horizon by construction: the only input is the gateway's own
 * prefix set, never the table of learned routes. A new session starts
 * from an empty "sent" set (so the whole set goes, then End-of-RIB); a
 * reload changes "want" (so only the difference goes); a ROUTE-REFRESH
 * empties "sent" for its family (so the family goes again, between BoRR
 * and EoRR when the peer has enhanced route refresh). A send that the
 * session's queue refuses stops the sync; what was sent is recorded, so
 * the writable callback resumes where it stopped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_int.h"
#include "log.h"

static int pfx_qcmp(const void *a, const void *b)
{
	return bgp_prefix_cmp(a, b);
}

void bgp_pset_free(struct bgp_pset *s)
{
	free(s->v);
	*s = (struct bgp_pset){ 0 };
}

void bgp_pset_sort(struct bgp_pset *s)
{
	size_t k = 0;

	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(s->v[0]), pfx_qcmp);
	for (size_t i = 1; i < s->n; i++)
		if (bgp_prefix_cmp(&s->v[k], &s->v[i]))
			s->v[++k] = s->v[i];
	s->n = k + 1;
}

/* appends (unsorted): sort before the next lookup */
int bgp_pset_add(struct bgp_pset *s, const struct bgp_prefix *p)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct bgp_prefix *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = *p;
	return 0;
}

bool bgp_pset_has(const struct bgp_pset *s, const struct bgp_prefix *p)
{
	return s->n && bsearch(p, s->v, s->n, sizeof(s->v[0]), pfx_qcmp);
}

void bgp_adv_attrs(struct bgp_attrs *a, uint32_t local_as, uint32_t nh4,
		   enum bgp_af af)
{
	bgp_attrs_init(a);
	bgp_attrs_set_path(a, &local_as, 1);
	if (af == BGP_AF_IPV4) {
		a->nh_len = 4;
		memcpy(a->nh, &nh4, 4);
	} else {
		a->nh_len = 16;
		memset(a->nh, 0, 16);
		a->nh[10] = 0xff;
		a->nh[11] = 0xff;
		memcpy(a->nh + 12, &nh4, 4);
	}
}

/* the prefixes of af in a but not in b (both sorted) */
static int pset_minus(const struct bgp_pset *a, const struct bgp_pset *b,
		      uint8_t af, struct bgp_pset *out)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].af == af && !bgp_pset_has(b, &a->v[i]) &&
		    bgp_pset_add(out, &a->v[i]))
			return -1;
	return 0;
}

/* sent minus gone[0..n) */
static void pset_remove(struct bgp_pset *sent, struct bgp_prefix *gone,
			size_t n)
{
	struct bgp_pset g = { .n = n, .cap = n, .v = gone };
	size_t k = 0;

	if (!n)
		return;
	qsort(gone, n, sizeof(*gone), pfx_qcmp);
	for (size_t i = 0; i < sent->n; i++)
		if (!bgp_pset_has(&g, &sent->v[i]))
			sent->v[k++] = sent->v[i];
	sent->n = k;
}

/* UPDATEs for todo, withdrawals or announcements; -1 when a send failed */
static int send_run(struct bgp_adv *adv, struct bgp_pset *todo, bool announce,
		    enum bgp_af af, const struct bgp_ctx *ctx,
		    bgp_adv_send_fn send, void *arg, size_t *n_msgs)
{
	struct bgp_attrs *attrs = NULL;
	uint8_t buf[BGP_MSG_MAX];
	size_t off = 0;
	int ret = 0;

	if (announce) {
		attrs = malloc(sizeof(*attrs));
		if (!attrs)
			return -1;
		bgp_adv_attrs(attrs, adv->local_as, adv->next_hop, af);
	}
	while (off < todo->n) {
		char err[128];
		size_t used = 0;
		int len;

		if (announce)
			len = bgp_build_announce(ctx, attrs, af, todo->v + off,
						 todo->n - off, &used, buf,
						 sizeof(buf), err, sizeof(err));
		else
			len = bgp_build_withdraw(af, todo->v + off,
						 todo->n - off, &used, buf,
						 sizeof(buf), err, sizeof(err));
		if (len < 0 || !used) {
			vlog(LOG_ERR, "bgp: cannot build an UPDATE: %s", err);
			ret = -1;
			break;
		}
		if (send(arg, buf, (size_t)len)) {
			ret = -1;
			break;
		}
		off += used;
		(*n_msgs)++;
	}
	/* todo[0..off) went */
	if (announce) {
		for (size_t i = 0; i < off; i++)
			if (bgp_pset_add(&adv->sent, &todo->v[i]))
				ret = -1;
		bgp_pset_sort(&adv->sent);
	} else {
		pset_remove(&adv->sent, todo->v, off);
	}
	free(attrs);
	return ret;
}

int bgp_adv_sync(struct bgp_adv *adv, const struct bgp_pset *want,
		 uint8_t afs, const struct bgp_ctx *ctx, bgp_adv_send_fn send,
		 int (*send_marker)(void *arg, enum bgp_af af, uint8_t subtype),
		 void *arg, size_t *n_msgs)
{
	for (int af = 0; af < BGP_AF_COUNT; af++) {
		struct bgp_pset todo = { 0 };
		int err;

		if (!(afs & BGP_AFS(af)))
			continue;
		if (adv->borr_pending & BGP_AFS(af)) {
			if (send_marker(arg, (enum bgp_af)af, BGP_RR_BORR))
				return -1;
			adv->borr_pending &= (uint8_t)~BGP_AFS(af);
		}
		err = pset_minus(&adv->sent, want, (uint8_t)af, &todo);
		if (!err)
			err = send_run(adv, &todo, false, (enum bgp_af)af, ctx,
				       send, arg, n_msgs);
		todo.n = 0;
		if (!err)
			err = pset_minus(want, &adv->sent, (uint8_t)af, &todo);
		if (!err)
			err = send_run(adv, &todo, true, (enum bgp_af)af, ctx,
				       send, arg, n_msgs);
		bgp_pset_free(&todo);
		if (err)
			return -1;
		if (adv->eorr_pending & BGP_AFS(af)) {
			if (send_marker(arg, (enum bgp_af)af, BGP_RR_EORR))
				return -1;
			adv->eorr_pending &= (uint8_t)~BGP_AFS(af);
		}
		if (adv->eor_pending & BGP_AFS(af)) {
			if (send_marker(arg, (enum bgp_af)af, BGP_ADV_MARK_EOR))
				return -1;
			adv->eor_pending &= (uint8_t)~BGP_AFS(af);
		}
	}
	return 0;
}
