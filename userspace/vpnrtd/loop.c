// SPDX-License-Identifier: GPL-2.0
/* vpnrtd's event loop (loop.h). */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

#define LOOP_MAX_FDS	64

struct loop_fd {
	int fd;
	loop_fd_cb cb;
	void *arg;
	bool used;
	/*
	 * Bumped on every add: an event fetched for an fd that a callback
	 * of the same batch removed must not reach a new fd that took over
	 * the slot (epoll data carries slot index and generation).
	 */
	uint32_t gen;
};

struct loop {
	int epfd;
	struct loop_fd fds[LOOP_MAX_FDS];
	struct loop_timer *timers;	/* sorted by due_ms */
};

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	close(l->epfd);
	free(l);
}

static uint64_t ev_data(struct loop *l, struct loop_fd *slot, uint32_t gen)
{
	return (uint64_t)gen << 32 | (uint64_t)(slot - l->fds);
}

static struct loop_fd *find_fd(struct loop *l, int fd)
{
	for (int i = 0; i < LOOP_MAX_FDS; i++)
		if (l->fds[i].used && l->fds[i].fd == fd)
			return &l->fds[i];
	return NULL;
}

int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_cb cb,
		void *arg)
{
	struct epoll_event ev = { .events = events };
	struct loop_fd *slot = NULL;

	if (find_fd(l, fd))
		return -EEXIST;
	for (int i = 0; i < LOOP_MAX_FDS && !slot; i++)
		if (!l->fds[i].used)
			slot = &l->fds[i];
	if (!slot)
		return -ENOSPC;
	ev.data.u64 = ev_data(l, slot, slot->gen + 1);
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	*slot = (struct loop_fd){ .fd = fd, .cb = cb, .arg = arg, .used = true,
				  .gen = slot->gen + 1 };
	return 0;
}

int loop_mod_fd(struct loop *l, int fd, uint32_t events)
{
	struct loop_fd *slot = find_fd(l, fd);
	struct epoll_event ev = { .events = events };

	if (!slot)
		return -ENOENT;
	ev.data.u64 = ev_data(l, slot, slot->gen);
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	return 0;
}

void loop_del_fd(struct loop *l, int fd)
{
	struct loop_fd *slot = find_fd(l, fd);

	if (!slot)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	slot->used = false;
	slot->fd = -1;
}

void loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *arg)
{
	*t = (struct loop_timer){ .cb = cb, .arg = arg };
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	struct loop_timer **pp;

	if (!t->armed)
		return;
	for (pp = &l->timers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->armed = false;
	t->next = NULL;
}

void loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t delay_ms)
{
	struct loop_timer **pp;

	loop_timer_cancel(l, t);
	t->due_ms = loop_now_ms() + delay_ms;
	for (pp = &l->timers; *pp && (*pp)->due_ms <= t->due_ms; pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	t->armed = true;
}

static int run_timers(struct loop *l)
{
	uint64_t now = loop_now_ms();
	int n = 0;

	/* a callback may arm or cancel any timer: take one at a time */
	while (l->timers && l->timers->due_ms <= now) {
		struct loop_timer *t = l->timers;

		l->timers = t->next;
		t->next = NULL;
		t->armed = false;
		t->cb(t->arg);
		n++;
	}
	return n;
}

int loop_run_once(struct loop *l, int max_wait_ms)
{
	struct epoll_event evs[16];
	int wait = max_wait_ms, n, done;

	if (l->timers) {
		uint64_t now = loop_now_ms();
		int64_t left = (int64_t)(l->timers->due_ms - now);

		if (left < 0)
			left = 0;
		if (wait < 0 || left < wait)
			wait = (int)left;
	}
	n = epoll_wait(l->epfd, evs, 16, wait);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	done = 0;
	for (int i = 0; i < n; i++) {
		uint32_t idx = (uint32_t)evs[i].data.u64;
		struct loop_fd *slot;

		if (idx >= LOOP_MAX_FDS)
			continue;
		slot = &l->fds[idx];
		/* an earlier callback may have removed it, or even put
		 * another fd in its slot */
		if (!slot->used || slot->gen != (uint32_t)(evs[i].data.u64 >> 32))
			continue;
		slot->cb(slot->arg, evs[i].events);
		done++;
	}
	return done + run_timers(l);
}
