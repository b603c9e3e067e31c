/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vpnrtd's event loop: one thread, epoll for file descriptors, a sorted
 * list of one-shot timers on CLOCK_MONOTONIC. Nothing in the daemon
 * blocks; every socket is non-blocking and registered here.
 */
#ifndef VPNRTD_LOOP_H
#define VPNRTD_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

struct loop;

typedef void (*loop_fd_cb)(void *arg, uint32_t events);
typedef void (*loop_timer_cb)(void *arg);

struct loop_timer {
	loop_timer_cb cb;
	void *arg;
	uint64_t due_ms;	/* loop_now_ms() when it fires */
	bool armed;
	struct loop_timer *next;
};

struct loop *loop_new(void);
void loop_free(struct loop *l);

/* events: EPOLLIN, EPOLLOUT; 0 or -errno */
int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_cb cb,
		void *arg);
int loop_mod_fd(struct loop *l, int fd, uint32_t events);
void loop_del_fd(struct loop *l, int fd);

void loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *arg);
/* (re)arm to fire once after delay_ms */
void loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t delay_ms);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);

/* CLOCK_MONOTONIC in ms */
uint64_t loop_now_ms(void);

/*
 * Wait for and dispatch events, at most max_wait_ms (-1: until a timer
 * or fd fires). Returns the number dispatched, or -errno (EINTR is 0).
 */
int loop_run_once(struct loop *l, int max_wait_ms);

#endif
