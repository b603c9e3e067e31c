/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal TAP for userspace unit tests. */
#ifndef VPNRT_TAP_H
#define VPNRT_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

/* cond is evaluated once */
#define TAP_CHECK(cond, ...) do {					\
	int _tap_ok = !!(cond);						\
	tap_n++;							\
	if (_tap_ok) {							\
		printf("ok %d - ", tap_n);				\
	} else {							\
		tap_failed++;						\
		printf("not ok %d - ", tap_n);				\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!_tap_ok)							\
		printf("#   failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
} while (0)

#define TAP_STREQ(a, b, ...) do {					\
	const char *_a = (a), *_b = (b);				\
	TAP_CHECK(!strcmp(_a, _b), __VA_ARGS__);			\
	if (strcmp(_a, _b))						\
		printf("#   got \"%s\", want \"%s\"\n", _a, _b);	\
} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
