/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Health checking of tunnels: the probe state machine (health_sm.c, pure
 * logic on a clock the caller passes in) and the prober that drives it
 * with a timer, ICMP echoes and a receive hook (health.c).
 */
#ifndef _VPNRT_HEALTH_H
#define _VPNRT_HEALTH_H

#include <linux/types.h>
#include <linux/vpnrt.h>

/* probes outstanding at most: the timeout is at most this many intervals */
#define VPNRT_HSM_RING		VPNRT_HEALTH_TIMEOUT_RATIO_MAX

/*
 * One tunnel's probe history. Every interval the prober sends a probe
 * (vpnrt_hsm_send()); each probe has its own deadline, its send time plus
 * the timeout, which may be shorter or longer than the interval, so that
 * up to VPNRT_HSM_RING probes are outstanding at once. A probe is lost
 * when its deadline passes unanswered (vpnrt_hsm_expire(), called by the
 * prober at the earliest deadline, vpnrt_hsm_next_due()); an answer
 * counts for the outstanding probe of its sequence number, until that is
 * judged; anything else (late, duplicated, forged, unknown) is ignored.
 * Outcomes count in the order they become known. Times are ns on any
 * monotonic clock.
 */
struct vpnrt_hsm {
	u32 retries, rise;		/* configuration */
	u64 timeout;			/* ns */
	u8 state;			/* enum vpnrt_health_state */
	u16 seq;			/* of the last probe sent */
	u32 out;			/* bit seq % VPNRT_HSM_RING: probe
					 * seq awaits its answer
					 */
	u64 sent_at[VPNRT_HSM_RING];	/* when each went out (round trip) */
	u64 due[VPNRT_HSM_RING];	/* when each is lost unanswered */
	u64 changed_at;			/* last state change (or start) */
	u64 loss_start;			/* send time of the first lost probe
					 * of the current run of losses
					 */
	u32 consec_lost, consec_ok;
	u64 sent, answered, ignored;
	u32 rtt_us, srtt_us8;		/* last; smoothed, times 8 */
	u32 transitions;
	u64 hist[2];			/* outcomes of the last 100, 1 = lost */
	u8 hist_pos, hist_n, hist_lost;
};

/* a state change */
struct vpnrt_hsm_change {
	u8 old, new, reason;		/* enum vpnrt_health_{state,reason} */
	u64 at;				/* when */
	u64 loss_start;			/* down: first lost probe's send time */
};

void vpnrt_hsm_init(struct vpnrt_hsm *h, u32 retries, u32 rise, u64 timeout,
		    u16 seq0, u64 now);
bool vpnrt_hsm_expire(struct vpnrt_hsm *h, u64 now,
		      struct vpnrt_hsm_change *ch);
bool vpnrt_hsm_send(struct vpnrt_hsm *h, u64 now, u16 *seq,
		    struct vpnrt_hsm_change *ch);
u64 vpnrt_hsm_next_due(const struct vpnrt_hsm *h);
int vpnrt_hsm_reply(struct vpnrt_hsm *h, u16 seq, u64 now,
		    struct vpnrt_hsm_change *ch);

static inline u32 vpnrt_hsm_srtt_us(const struct vpnrt_hsm *h)
{
	return h->srtt_us8 >> 3;
}

#endif /* _VPNRT_HEALTH_H */
