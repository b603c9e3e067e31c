/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Health checking of tunnels: the probe state machine (health_sm.c, pure
 * logic on a clock the caller passes in) and the prober that drives it
 * with a timer, ICMP echoes and a receive hook (health.c).
 */
#ifndef _VPNRT_HEALTH_H
#define _VPNRT_HEALTH_H

#include <linux/types.h>

/*
 * One tunnel's probe history. Every interval the prober calls tick(): the
 * probe still outstanding, if any, is lost, and a new one goes out. An
 * answer to the outstanding probe, and only to it, counts; anything else
 * (late, duplicated, forged) is ignored. Times are ns on any monotonic
 * clock.
 */
struct vpnrt_hsm {
	u32 retries, rise;		/* configuration */
	u8 state;			/* enum vpnrt_health_state */
	bool outstanding;		/* the probe @seq awaits its answer */
	u16 seq;			/* of the last probe sent */
	u64 sent_at;			/* when @seq was sent */
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

void vpnrt_hsm_init(struct vpnrt_hsm *h, u32 retries, u32 rise, u16 seq0,
		    u64 now);
bool vpnrt_hsm_tick(struct vpnrt_hsm *h, u64 now, u16 *seq,
		    struct vpnrt_hsm_change *ch);
int vpnrt_hsm_reply(struct vpnrt_hsm *h, u16 seq, u64 now,
		    struct vpnrt_hsm_change *ch);

static inline u32 vpnrt_hsm_srtt_us(const struct vpnrt_hsm *h)
{
	return h->srtt_us8 >> 3;
}

#endif /* _VPNRT_HEALTH_H */
