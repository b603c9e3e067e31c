// SPDX-License-Identifier: GPL-2.0
/*
 * The health probe state machine. Pure logic: no timers, no packets, no
 * locking (the prober holds its lock around every call), and the clock is
 * an argument, so KUnit can drive it on a fake one.
 *
 *   INIT --answer--> UP --RETRIES lost in a row--> DOWN --RISE answers--> UP
 *   INIT --RETRIES lost in a row--> DOWN
 *
 * Every probe has its own deadline, its send time plus the timeout: it is
 * lost when that passes unanswered, and only then. With a timeout longer
 * than the interval several probes are outstanding at once, each answer
 * matched to its probe by sequence number (a ring of VPNRT_HSM_RING send
 * times and deadlines, indexed by the sequence number); an answer counts
 * only for an outstanding probe (until the timer judges it), so a late
 * answer, a duplicate or a reply to a sequence number never sent (or too
 * old to be in the ring) changes nothing but the ignored counter.
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
 * @timeout: ns a probe may wait for its answer, from its send time
 * @seq0: the first probe's sequence number
 * @now: the time, ns
 */
void vpnrt_hsm_init(struct vpnrt_hsm *h, u32 retries, u32 rise, u64 timeout,
		    u16 seq0, u64 now)
{
	memset(h, 0, sizeof(*h));
	h->retries = retries;
	h->rise = rise;
	h->timeout = timeout;
	h->state = VPNRT_HEALTH_INIT;
	h->seq = seq0;
	h->changed_at = now;
}

/* the probe in ring slot @i is lost; true if that changed the state */
static bool lose(struct vpnrt_hsm *h, unsigned int i, u64 now,
		 struct vpnrt_hsm_change *ch)
{
	h->out &= ~BIT(i);
	if (!h->consec_lost)
		h->loss_start = h->sent_at[i];
	h->consec_lost++;
	h->consec_ok = 0;
	hist_add(h, true);
	if (h->consec_lost >= h->retries && h->state != VPNRT_HEALTH_DOWN) {
		change(h, VPNRT_HEALTH_DOWN, VPNRT_HEALTH_R_LOST, now, ch);
		return true;
	}
	return false;
}

/**
 * vpnrt_hsm_expire() - judge the probes whose deadline passed
 * @h: the machine
 * @now: the time, ns
 * @ch: the change of state, if any
 *
 * Judge every outstanding probe whose deadline is @now or before lost,
 * oldest first. Losses only ever go down, so the state changes at most once.
 *
 * Return: true if the state changed (described in @ch)
 */
bool vpnrt_hsm_expire(struct vpnrt_hsm *h, u64 now,
		      struct vpnrt_hsm_change *ch)
{
	bool changed = false;
	unsigned int d, i;

	for (d = VPNRT_HSM_RING; h->out && d-- > 0;) {
		i = (u16)(h->seq - d) % VPNRT_HSM_RING;
		if ((h->out & BIT(i)) && h->due[i] <= now)
			changed |= lose(h, i, now, ch);
	}
	return changed;
}

/**
 * vpnrt_hsm_send() - a probe goes out
 * @h: the machine
 * @now: the time, ns: its send time, from which its round trip and its
 *	deadline (@now plus the timeout) run
 * @seq: its sequence number
 * @ch: the change of state, if any
 *
 * Probes whose deadline has passed are not judged here: the caller does that
 * first with vpnrt_hsm_expire(), when it judges. Only the probe of
 * VPNRT_HSM_RING sequence numbers back, if still outstanding, is judged lost
 * here, to free its slot of the ring.
 *
 * Return: true if the state changed (described in @ch)
 */
bool vpnrt_hsm_send(struct vpnrt_hsm *h, u64 now, u16 *seq,
		    struct vpnrt_hsm_change *ch)
{
	bool changed = false;
	unsigned int i;

	h->seq++;
	i = h->seq % VPNRT_HSM_RING;
	if (h->out & BIT(i))
		changed = lose(h, i, now, ch);
	h->out |= BIT(i);
	h->sent_at[i] = now;
	h->due[i] = now + h->timeout;
	h->sent++;
	*seq = h->seq;
	return changed;
}

/**
 * vpnrt_hsm_next_due() - the earliest deadline of an outstanding probe
 * @h: the machine
 *
 * Return: that deadline, ns; U64_MAX if no probe is outstanding
 */
u64 vpnrt_hsm_next_due(const struct vpnrt_hsm *h)
{
	unsigned int d, i;
	u64 due = U64_MAX;

	for (d = 0; d < VPNRT_HSM_RING; d++) {
		i = (u16)(h->seq - d) % VPNRT_HSM_RING;
		if (h->out & BIT(i))
			due = min(due, h->due[i]);
	}
	return due;
}

/**
 * vpnrt_hsm_reply() - an echo reply came back
 * @h: the machine
 * @seq: its sequence number
 * @now: the time, ns
 * @ch: the change of state, if any
 *
 * A probe stays outstanding until vpnrt_hsm_expire() judges it after its
 * deadline: an answer that comes in the timer's latency after the deadline
 * still counts.
 *
 * Return: -1 if it answers no outstanding probe (ignored), 1 if it changed
 * the state (see @ch), 0 otherwise
 */
int vpnrt_hsm_reply(struct vpnrt_hsm *h, u16 seq, u64 now,
		    struct vpnrt_hsm_change *ch)
{
	unsigned int i = seq % VPNRT_HSM_RING;
	u64 rtt;

	if ((u16)(h->seq - seq) >= VPNRT_HSM_RING || !(h->out & BIT(i))) {
		h->ignored++;
		return -1;
	}
	h->out &= ~BIT(i);
	h->answered++;
	rtt = div_u64(now - h->sent_at[i], NSEC_PER_USEC);
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
