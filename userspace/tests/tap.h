/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal TAP for userspace unit tests. */
#ifndef VPNRT_TAP_H
#define VPNRT_TAP_H

#include <stdio.h>
#include <stdlib.h>
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

/*
 * got[0..glen) equals want[0..wlen)? If not, says where they first
 * differ (for the check's comment lines). For byte-vector tests.
 */
static inline int tap_bytes_eq(const void *gotp, size_t glen,
			       const void *wantp, size_t wlen)
{
	const unsigned char *got = gotp, *want = wantp;
	size_t i;

	if (glen == wlen && !memcmp(got, want, wlen))
		return 1;
	printf("#   got %zu bytes, want %zu:", glen, wlen);
	for (i = 0; i < glen || i < wlen; i++)
		if (i >= glen || i >= wlen || got[i] != want[i]) {
			printf(" first difference at %zu", i);
			break;
		}
	printf("\n");
	return 0;
}

/*
 * With the environment variable env set to a directory, write there the
 * file name holding prefix[0..plen) then buf[0..len): a byte vector of
 * the tests kept as a libFuzzer seed (make fuzz sets it). Best effort.
 */
static inline void tap_seed(const char *env, const char *name,
			    const void *prefix, size_t plen,
			    const void *buf, size_t len)
{
	const char *dir = getenv(env);
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return;
	if (plen)
		fwrite(prefix, 1, plen, f);
	fwrite(buf, 1, len, f);
	fclose(f);
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
