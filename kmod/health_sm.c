// SPDX-License-Identifier: GPL-2.0
/*
 * The health probe state machine. Pure logic: no timers, no packets, no
 * locking (the prober holds its lock around every call), and the clock is
 * an argument, so KUnit can drive it on a fake one.
 *
 *   INIT --answer--> UP --RETRIES lost in a row--> DOWN --RISE answers--> UP
 *   INIT --RETRIES lost in a row--> DOWN
 *
 * A probe is lost when the next tick comes and it is still unanswered: the
 * timeout is one interval. An answer counts only for the one outstanding
 * probe, so a late answer (its probe already judged lost), a duplicate or
 * a reply to a sequence number never sent changes nothing.
 */
#include <linux/bitops.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/time64.h>
#include <linux/string.h>
#include <linux/vpnrt.h>

#include "health.h"

#define HIST_BITS	VPNRT_HEALTH_WINDOW

static void hist_add(struct vpnrt_hsm *h, bool lost)
{
	unsigned int w = h->hist_pos / 64, b = h->hist_pos % 64;
	bool old = h->hist[w] & BIT_ULL(b);

	if (h->hist_n == HIST_BITS)
		h->hist_lost -= old;
	else
		h->hist_n++;
	if (lost)
		h->hist[w] |= BIT_ULL(b);
	else
		h->hist[w] &= ~BIT_ULL(b);
	h->hist_lost += lost;
	h->hist_pos = (h->hist_pos + 1) % HIST_BITS;
}

static void change(struct vpnrt_hsm *h, u8 state, u8 reason, u64 now,
		   struct vpnrt_hsm_change *ch)
{
	ch->old = h->state;
	ch->new = state;
	ch->reason = reason;
	ch->at = now;
	ch->loss_start = state == VPNRT_HEALTH_DOWN ? h->loss_start : 0;
	h->state = state;
	h->changed_at = now;
	h->transitions++;
}

/**
 * vpnrt_hsm_init() - a health state machine, in state init
 * @h: the machine
 * @retries: probes lost in a row that make a tunnel down
 * @rise: probes answered in a row that make it up
 * @seq0: the first probe's sequence number
 * @now: the time, ns
 */
void vpnrt_hsm_init(struct vpnrt_hsm *h, u32 retries, u32 rise, u16 seq0,
		    u64 now)
{
	memset(h, 0, sizeof(*h));
	h->retries = retries;
	h->rise = rise;
	h->state = VPNRT_HEALTH_INIT;
	h->seq = seq0;
	h->changed_at = now;
}

/**
 * vpnrt_hsm_tick() - an interval has passed
 * @h: the machine
 * @now: the time, ns
 * @seq: the next probe's sequence number
 * @ch: the change of state, if any
 *
 * An interval has passed: judge the outstanding probe lost, then send the next
 * one, whose sequence number goes to @seq. True if the state changed
 * (described in @ch).
 *
 * Return: true if the state changed
 */
bool vpnrt_hsm_tick(struct vpnrt_hsm *h, u64 now, u16 *seq,
		    struct vpnrt_hsm_change *ch)
{
	bool changed = false;

	if (h->outstanding) {
		if (!h->consec_lost)
			h->loss_start = h->sent_at;
		h->consec_lost++;
		h->consec_ok = 0;
		hist_add(h, true);
		if (h->consec_lost >= h->retries &&
		    h->state != VPNRT_HEALTH_DOWN) {
			change(h, VPNRT_HEALTH_DOWN, VPNRT_HEALTH_R_LOST, now, ch);
			changed = true;
		}
	}
	h->seq++;
	h->outstanding = true;
	h->sent_at = now;
	h->sent++;
	*seq = h->seq;
	return changed;
}

/**
 * vpnrt_hsm_reply() - an echo reply came back
 * @h: the machine
 * @seq: its sequence number
 * @now: the time, ns
 * @ch: the change of state, if any
 *
 * An echo reply with sequence number @seq came back. Returns -1 if it answers
 * nothing outstanding (ignored), 1 if it changed the state (see @ch), 0
 * otherwise.
 *
 * Return: -1 if it answers nothing outstanding (ignored), 1 if it changed the
 * state, 0 otherwise
 */
int vpnrt_hsm_reply(struct vpnrt_hsm *h, u16 seq, u64 now,
		    struct vpnrt_hsm_change *ch)
{
	u64 rtt;

	if (!h->outstanding || seq != h->seq) {
		h->ignored++;
		return -1;
	}
	h->outstanding = false;
	h->answered++;
	rtt = div_u64(now - h->sent_at, NSEC_PER_USEC);
	h->rtt_us = min_t(u64, rtt, U32_MAX >> 3);
	if (!h->srtt_us8)
		h->srtt_us8 = h->rtt_us << 3;
	else	/* srtt = 7/8 srtt + 1/8 rtt, as TCP does */
		h->srtt_us8 += h->rtt_us - (h->srtt_us8 >> 3);
	h->consec_lost = 0;
	h->consec_ok++;
	hist_add(h, false);
	if (h->state == VPNRT_HEALTH_INIT ||
	    (h->state == VPNRT_HEALTH_DOWN && h->consec_ok >= h->rise)) {
		change(h, VPNRT_HEALTH_UP, VPNRT_HEALTH_R_ANSWERED, now, ch);
		return 1;
	}
	return 0;
}
