// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the health probe state machine, on a fake clock: losses
 * and rises, flapping, late, duplicated and stray answers, sequence
 * number wrap, the loss window and the round-trip estimates; a timeout
 * shorter and longer than the interval, overlapping probes each matched
 * to its answer, late answers.
 */
#include <kunit/test.h>
#include <linux/time64.h>
#include <linux/vpnrt.h>

#include "health.h"

#define MS	NSEC_PER_MSEC
#define IVL	(100 * MS)		/* the interval of these tests */

/* a machine and its fake clock */
struct sim {
	struct vpnrt_hsm h;
	struct vpnrt_hsm_change ch;
	u64 now;
	u16 seq;			/* of the outstanding probe */
	unsigned int changes;
};

static void sim_init(struct sim *s, u32 retries, u32 rise, u16 seq0)
{
	memset(s, 0, sizeof(*s));
	s->now = 1000 * MS;
	vpnrt_hsm_init(&s->h, retries, rise, IVL, seq0, s->now);
}

/* the next interval: the timer fires, a probe goes out */
static bool sim_tick(struct sim *s)
{
	bool changed;

	s->now += IVL;
	changed = vpnrt_hsm_expire(&s->h, s->now, &s->ch);
	changed |= vpnrt_hsm_send(&s->h, s->now, &s->seq, &s->ch);
	s->changes += changed;
	return changed;
}

/* the outstanding probe is answered @rtt ns after it went out */
static int sim_answer(struct sim *s, u64 rtt)
{
	int r = vpnrt_hsm_reply(&s->h, s->seq, s->now + rtt, &s->ch);

	s->changes += r > 0;
	return r;
}

static void health_first_answer_is_up(struct kunit *test)
{
	struct sim s;

	sim_init(&s, 3, 2, 0);
	KUNIT_EXPECT_EQ(test, s.h.state, VPNRT_HEALTH_INIT);
	KUNIT_EXPECT_FALSE(test, sim_tick(&s));
	KUNIT_EXPECT_EQ(test, s.seq, 1);
	KUNIT_EXPECT_EQ(test, sim_answer(&s, 5 * MS), 1);
	KUNIT_EXPECT_EQ(test, s.ch.old, VPNRT_HEALTH_INIT);
	KUNIT_EXPECT_EQ(test, s.ch.new, VPNRT_HEALTH_UP);
	KUNIT_EXPECT_EQ(test, s.ch.reason, VPNRT_HEALTH_R_ANSWERED);
	KUNIT_EXPECT_EQ(test, s.ch.at, s.now + 5 * MS);
	KUNIT_EXPECT_EQ(test, s.h.rtt_us, 5000);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_srtt_us(&s.h), 5000);
	KUNIT_EXPECT_EQ(test, s.h.answered, 1);
}

/* exactly @retries losses in a row make it down, at the tick that judges
 * the last of them; the change says when the first lost probe went out
 */
static void health_retries_losses_down(struct kunit *test)
{
	u64 first_lost;
	struct sim s;
	int i;

	sim_init(&s, 3, 1, 100);
	sim_tick(&s);
	sim_answer(&s, MS);
	KUNIT_ASSERT_EQ(test, s.h.state, VPNRT_HEALTH_UP);
	sim_tick(&s);			/* probe 2: will be lost */
	first_lost = s.now;
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_FALSE(test, sim_tick(&s));
		KUNIT_EXPECT_EQ(test, s.h.state, VPNRT_HEALTH_UP);
		KUNIT_EXPECT_EQ(test, s.h.consec_lost, i + 1);
	}
	KUNIT_EXPECT_TRUE(test, sim_tick(&s));
	KUNIT_EXPECT_EQ(test, s.h.state, VPNRT_HEALTH_DOWN);
	KUNIT_EXPECT_EQ(test, s.ch.old, VPNRT_HEALTH_UP);
	KUNIT_EXPECT_EQ(test, s.ch.new, VPNRT_HEALTH_DOWN);
	KUNIT_EXPECT_EQ(test, s.ch.reason, VPNRT_HEALTH_R_LOST);
	KUNIT_EXPECT_EQ(test, s.ch.loss_start, first_lost);
	/* detected retries intervals after the first lost probe went out */
	KUNIT_EXPECT_EQ(test, s.ch.at - first_lost, 3 * IVL);
	KUNIT_EXPECT_EQ(test, s.h.consec_lost, 3);
	/* more losses change nothing */
	KUNIT_EXPECT_FALSE(test, sim_tick(&s));
	KUNIT_EXPECT_EQ(test, s.changes, 2);
}

static void health_init_to_down(struct kunit *test)
{
	struct sim s;

	sim_init(&s, 2, 1, 0);
	sim_tick(&s);
	KUNIT_EXPECT_FALSE(test, sim_tick(&s));
	KUNIT_EXPECT_TRUE(test, sim_tick(&s));
	KUNIT_EXPECT_EQ(test, s.ch.old, VPNRT_HEALTH_INIT);
	KUNIT_EXPECT_EQ(test, s.ch.new, VPNRT_HEALTH_DOWN);
}

/* @rise answers in a row bring it back; a loss in between starts over */
static void health_rise(struct kunit *test)
{
	struct sim s;
	int i;

	sim_init(&s, 1, 3, 0);
	sim_tick(&s);
	KUNIT_EXPECT_TRUE(test, sim_tick(&s));
	KUNIT_ASSERT_EQ(test, s.h.state, VPNRT_HEALTH_DOWN);
	KUNIT_EXPECT_EQ(test, sim_answer(&s, MS), 0);
	sim_tick(&s);
	KUNIT_EXPECT_EQ(test, sim_answer(&s, MS), 0);
	sim_tick(&s);			/* lost: the rise starts over */
	sim_tick(&s);
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_EQ(test, sim_answer(&s, MS), 0);
		KUNIT_EXPECT_EQ(test, s.h.state, VPNRT_HEALTH_DOWN);
		sim_tick(&s);
	}
	KUNIT_EXPECT_EQ(test, sim_answer(&s, 2 * MS), 1);
	KUNIT_EXPECT_EQ(test, s.ch.old, VPNRT_HEALTH_DOWN);
	KUNIT_EXPECT_EQ(test, s.ch.new, VPNRT_HEALTH_UP);
	KUNIT_EXPECT_EQ(test, s.ch.reason, VPNRT_HEALTH_R_ANSWERED);
	KUNIT_EXPECT_EQ(test, s.ch.loss_start, 0);
}

/* a path that loses every other probe never has retries=2 in a row */
static void health_flapping_stays_up(struct kunit *test)
{
	struct sim s;
	int i;

	sim_init(&s, 2, 1, 0);
	sim_tick(&s);
	sim_answer(&s, MS);
	for (i = 0; i < 200; i++) {
		sim_tick(&s);
		if (i & 1)
			sim_answer(&s, MS);
	}
	KUNIT_EXPECT_EQ(test, s.h.state, VPNRT_HEALTH_UP);
	KUNIT_EXPECT_EQ(test, s.changes, 1);
	/* the window holds the last 100: half of them lost */
	KUNIT_EXPECT_EQ(test, s.h.hist_n, VPNRT_HEALTH_WINDOW);
	KUNIT_EXPECT_EQ(test, s.h.hist_lost, 50);
}

/* flapping with rise 1 and retries 1: every change is reported */
static void health_flapping_transitions(struct kunit *test)
{
	struct sim s;
	int i;

	sim_init(&s, 1, 1, 0);
	sim_tick(&s);
	sim_answer(&s, MS);		/* INIT -> UP */
	for (i = 0; i < 10; i++) {
		sim_tick(&s);
		KUNIT_EXPECT_TRUE(test, sim_tick(&s));	/* lost: DOWN */
		KUNIT_EXPECT_EQ(test, sim_answer(&s, MS), 1);	/* UP */
	}
	KUNIT_EXPECT_EQ(test, s.h.transitions, 21);
	KUNIT_EXPECT_EQ(test, s.changes, 21);
}

/* an answer after its probe was judged lost counts for nothing */
static void health_late_answer_ignored(struct kunit *test)
{
	struct sim s;
	u16 old;

	sim_init(&s, 2, 1, 0);
	sim_tick(&s);
	old = s.seq;
	sim_tick(&s);			/* probe old is lost */
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_reply(&s.h, old, s.now + MS, &s.ch), -1);
	KUNIT_EXPECT_EQ(test, s.h.ignored, 1);
	KUNIT_EXPECT_EQ(test, s.h.answered, 0);
	KUNIT_EXPECT_EQ(test, s.h.consec_lost, 1);
	KUNIT_EXPECT_TRUE(test, sim_tick(&s));	/* second loss: down */
	KUNIT_EXPECT_EQ(test, s.h.state, VPNRT_HEALTH_DOWN);
}

/* a duplicate, a future sequence number, an answer with nothing sent */
static void health_stray_answers_ignored(struct kunit *test)
{
	struct sim s;

	sim_init(&s, 3, 1, 7);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_reply(&s.h, 7, s.now, &s.ch), -1);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_reply(&s.h, 8, s.now, &s.ch), -1);
	sim_tick(&s);
	KUNIT_EXPECT_EQ(test, s.seq, 8);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_reply(&s.h, 9, s.now, &s.ch), -1);
	KUNIT_EXPECT_EQ(test, sim_answer(&s, MS), 1);
	KUNIT_EXPECT_EQ(test, sim_answer(&s, MS), -1);	/* duplicate */
	KUNIT_EXPECT_EQ(test, s.h.ignored, 4);
	KUNIT_EXPECT_EQ(test, s.h.answered, 1);
	KUNIT_EXPECT_EQ(test, s.h.sent, 1);
}

/* sequence numbers wrap at 16 bits without losing an answer */
static void health_sequence_wrap(struct kunit *test)
{
	struct sim s;
	int i;

	sim_init(&s, 3, 1, 0xfffd);
	for (i = 0; i < 6; i++) {
		sim_tick(&s);
		KUNIT_EXPECT_GE(test, sim_answer(&s, MS), 0);
	}
	KUNIT_EXPECT_EQ(test, s.seq, 3);
	KUNIT_EXPECT_EQ(test, s.h.answered, 6);
	KUNIT_EXPECT_EQ(test, s.h.ignored, 0);
	/* an answer to the number before the wrap is stale */
	sim_tick(&s);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_reply(&s.h, 0xffff, s.now, &s.ch), -1);
}

/* the loss window slides over the last 100 probes judged */
static void health_loss_window(struct kunit *test)
{
	struct sim s;
	int i;

	sim_init(&s, 100, 1, 0);
	for (i = 0; i < 30; i++) {	/* 30 lost (judged by the next tick) */
		sim_tick(&s);
	}
	sim_tick(&s);
	sim_answer(&s, MS);
	KUNIT_EXPECT_EQ(test, s.h.hist_n, 31);
	KUNIT_EXPECT_EQ(test, s.h.hist_lost, 30);
	for (i = 0; i < 100; i++) {
		sim_tick(&s);
		sim_answer(&s, MS);
	}
	KUNIT_EXPECT_EQ(test, s.h.hist_n, 100);
	KUNIT_EXPECT_EQ(test, s.h.hist_lost, 0);
	for (i = 0; i < 5; i++)
		sim_tick(&s);
	sim_tick(&s);
	KUNIT_EXPECT_EQ(test, s.h.hist_lost, 5);
}

/* smoothed RTT follows 7/8 old + 1/8 new, both ways */
static void health_rtt(struct kunit *test)
{
	struct sim s;

	sim_init(&s, 3, 1, 0);
	sim_tick(&s);
	sim_answer(&s, 8 * MS);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_srtt_us(&s.h), 8000);
	sim_tick(&s);
	sim_answer(&s, 16 * MS);
	KUNIT_EXPECT_EQ(test, s.h.rtt_us, 16000);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_srtt_us(&s.h), 9000);
	sim_tick(&s);
	sim_answer(&s, 1 * MS);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_srtt_us(&s.h), 8000);
}

/*
 * A timeout shorter than the interval: a probe is lost at its own
 * deadline, well before the next probe; an answer after it was judged is
 * late, one in the timer's latency (deadline passed, not judged) counts.
 */
static void health_timeout_short(struct kunit *test)
{
	struct vpnrt_hsm_change ch;
	struct vpnrt_hsm h;
	u64 t = 1000 * MS, first;
	u16 seq;
	int i;

	vpnrt_hsm_init(&h, 2, 1, 30 * MS, 0, t);
	KUNIT_EXPECT_FALSE(test, vpnrt_hsm_send(&h, t, &seq, &ch));
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_next_due(&h), t + 30 * MS);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_reply(&h, seq, t + 20 * MS, &ch), 1);
	KUNIT_EXPECT_EQ(test, h.rtt_us, 20000);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_next_due(&h), U64_MAX);
	/* two probes unanswered: down 30 ms after the second went out */
	for (i = 0; i < 2; i++) {
		t += IVL;
		if (!i)
			first = t;
		vpnrt_hsm_send(&h, t, &seq, &ch);
		KUNIT_EXPECT_FALSE(test, vpnrt_hsm_expire(&h, t + 30 * MS - 1, &ch));
		KUNIT_EXPECT_EQ(test, h.consec_lost, i);
		KUNIT_EXPECT_EQ(test, vpnrt_hsm_expire(&h, t + 30 * MS, &ch), i == 1);
		KUNIT_EXPECT_EQ(test, h.consec_lost, i + 1);
	}
	KUNIT_EXPECT_EQ(test, h.state, VPNRT_HEALTH_DOWN);
	KUNIT_EXPECT_EQ(test, ch.at, t + 30 * MS);
	KUNIT_EXPECT_EQ(test, ch.loss_start, first);
	/* judged at 30 ms: its answer at 31 ms is late, ignored */
	t += IVL;
	vpnrt_hsm_send(&h, t, &seq, &ch);
	vpnrt_hsm_expire(&h, t + 30 * MS, &ch);
	KUNIT_EXPECT_EQ(test, h.consec_lost, 3);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_reply(&h, seq, t + 31 * MS, &ch), -1);
	KUNIT_EXPECT_EQ(test, h.ignored, 1);
	/* the timer's latency: not judged yet at 32 ms, the answer counts */
	t += IVL;
	vpnrt_hsm_send(&h, t, &seq, &ch);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_reply(&h, seq, t + 32 * MS, &ch), 1);
	KUNIT_EXPECT_EQ(test, h.rtt_us, 32000);
	KUNIT_EXPECT_EQ(test, h.answered, 2);
	KUNIT_EXPECT_EQ(test, h.sent, 5);
}

/*
 * A timeout of 3.5 intervals: four probes out at once, answered out of
 * order, each matched to its own probe (its round trip from its own send
 * time); an unanswered one is lost at its deadline, not at the next send.
 */
static void health_overlapping_probes(struct kunit *test)
{
	struct vpnrt_hsm_change ch;
	struct vpnrt_hsm h;
	u64 t0 = 1000 * MS, t;
	u16 seq[6];
	int i;

	vpnrt_hsm_init(&h, 1, 1, 350 * MS, 0xfffd, t0);
	for (i = 0; i < 4; i++) {
		t = t0 + i * IVL;
		KUNIT_EXPECT_FALSE(test, vpnrt_hsm_send(&h, t + MS, &seq[i], &ch));
	}
	KUNIT_EXPECT_EQ(test, seq[3], 1);	/* across the wrap */
	KUNIT_EXPECT_EQ(test, hweight32(h.out), 4);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_next_due(&h), t0 + 351 * MS);
	/* answers to 3, 2 and 0 (at 340 ms: its deadline is 350), not 1 */
	t = t0 + 3 * IVL;
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_reply(&h, seq[3], t + 5 * MS, &ch), 1);
	KUNIT_EXPECT_EQ(test, h.rtt_us, 4000);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_reply(&h, seq[2], t + 10 * MS, &ch), 0);
	KUNIT_EXPECT_EQ(test, h.rtt_us, 109000);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_reply(&h, seq[0], t0 + 340 * MS, &ch), 0);
	KUNIT_EXPECT_EQ(test, h.rtt_us, 339000);
	KUNIT_EXPECT_EQ(test, h.answered, 3);
	KUNIT_EXPECT_EQ(test, h.state, VPNRT_HEALTH_UP);
	/* duplicates of each: ignored */
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_reply(&h, seq[3], t + 20 * MS, &ch), -1);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_reply(&h, seq[0], t + 20 * MS, &ch), -1);
	KUNIT_EXPECT_EQ(test, h.ignored, 2);
	/*
	 * probe 1, sent at 101 ms, is lost at 451 ms, no earlier: the probe
	 * at 400 ms leaves it
	 */
	t = t0 + 4 * IVL;
	KUNIT_EXPECT_FALSE(test, vpnrt_hsm_expire(&h, t, &ch));
	KUNIT_EXPECT_FALSE(test, vpnrt_hsm_send(&h, t, &seq[4], &ch));
	KUNIT_EXPECT_EQ(test, h.consec_lost, 0);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_next_due(&h), t0 + 451 * MS);
	KUNIT_EXPECT_FALSE(test, vpnrt_hsm_expire(&h, t0 + 451 * MS - 1, &ch));
	KUNIT_EXPECT_TRUE(test, vpnrt_hsm_expire(&h, t0 + 451 * MS, &ch));
	KUNIT_EXPECT_EQ(test, ch.new, VPNRT_HEALTH_DOWN);
	KUNIT_EXPECT_EQ(test, ch.loss_start, t0 + IVL + MS);
	/* its answer now is late; probe 4, still out, counts */
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_reply(&h, seq[1], t0 + 451 * MS, &ch), -1);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_reply(&h, seq[4], t0 + 451 * MS, &ch), 1);
	KUNIT_EXPECT_EQ(test, h.rtt_us, 51000);
	KUNIT_EXPECT_EQ(test, h.out, 0);
	KUNIT_EXPECT_EQ(test, h.ignored, 3);
}

/*
 * The most outstanding: a timeout of VPNRT_HSM_RING intervals. All the
 * probes out are answerable; a reply VPNRT_HSM_RING or more numbers back,
 * or ahead of the last sent, is unknown; at the deadline of the oldest
 * the next send judges it first and reuses its slot.
 */
static void health_ring_full(struct kunit *test)
{
	struct vpnrt_hsm_change ch;
	struct vpnrt_hsm h;
	u64 t0 = 1000 * MS, t = t0;
	u16 seq, first = 0;
	int i;

	vpnrt_hsm_init(&h, 100, 1, VPNRT_HSM_RING * IVL, 0x1234, t0);
	for (i = 0; i < VPNRT_HSM_RING; i++, t += IVL) {
		vpnrt_hsm_send(&h, t, &seq, &ch);
		if (!i)
			first = seq;
	}
	KUNIT_EXPECT_EQ(test, hweight32(h.out), VPNRT_HSM_RING);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_reply(&h, seq + 1, t, &ch), -1);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_reply(&h, first - 1, t, &ch), -1);
	KUNIT_EXPECT_EQ(test, h.ignored, 2);
	KUNIT_EXPECT_EQ(test, h.consec_lost, 0);
	/* t is the oldest's deadline and the next probe's time */
	vpnrt_hsm_send(&h, t, &seq, &ch);
	KUNIT_EXPECT_EQ(test, h.consec_lost, 1);
	KUNIT_EXPECT_EQ(test, h.loss_start, t0);
	KUNIT_EXPECT_EQ(test, hweight32(h.out), VPNRT_HSM_RING);
	KUNIT_EXPECT_EQ(test, vpnrt_hsm_reply(&h, first, t, &ch), -1);
	/* the others, newest first, all answered */
	for (i = 0; i < VPNRT_HSM_RING; i++)
		KUNIT_EXPECT_GE(test, vpnrt_hsm_reply(&h, seq - i, t + MS, &ch), 0);
	KUNIT_EXPECT_EQ(test, h.answered, VPNRT_HSM_RING);
	KUNIT_EXPECT_EQ(test, h.out, 0);
	/* a timer later than the timeout: the slot's old probe is lost */
	vpnrt_hsm_init(&h, 100, 1, VPNRT_HSM_RING * IVL, 0, t0);
	for (i = 0; i <= VPNRT_HSM_RING; i++)
		vpnrt_hsm_send(&h, t0, &seq, &ch);
	KUNIT_EXPECT_EQ(test, h.consec_lost, 1);
	KUNIT_EXPECT_EQ(test, hweight32(h.out), VPNRT_HSM_RING);
}

static struct kunit_case vpnrt_health_cases[] = {
	KUNIT_CASE(health_first_answer_is_up),
	KUNIT_CASE(health_retries_losses_down),
	KUNIT_CASE(health_init_to_down),
	KUNIT_CASE(health_rise),
	KUNIT_CASE(health_flapping_stays_up),
	KUNIT_CASE(health_flapping_transitions),
	KUNIT_CASE(health_late_answer_ignored),
	KUNIT_CASE(health_stray_answers_ignored),
	KUNIT_CASE(health_sequence_wrap),
	KUNIT_CASE(health_loss_window),
	KUNIT_CASE(health_rtt),
	KUNIT_CASE(health_timeout_short),
	KUNIT_CASE(health_overlapping_probes),
	KUNIT_CASE(health_ring_full),
	{}
};

static struct kunit_suite vpnrt_health_suite = {
	.name = "vpnrt_health",
	.test_cases = vpnrt_health_cases,
};

kunit_test_suite(vpnrt_health_suite);
