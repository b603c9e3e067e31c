// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

int parse_addr(const char *s, struct prefix *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, s, &p->addr.v4) == 1) {
		p->family = AF_INET;
		p->len = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &p->addr.v6) == 1) {
		p->family = AF_INET6;
		p->len = 128;
		return 0;
	}
	return ERR("\"%s\" is not an IPv4 or IPv6 address", s);
}

int parse_prefix(const char *s, struct prefix *p, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	unsigned int max, i;
	uint32_t len;

	if (strlen(s) >= sizeof(buf))
		return ERR("\"%.20s...\" is too long for a prefix", s);
	strcpy(buf, s);
	if (slash)
		buf[slash - s] = '\0';
	if (parse_addr(buf, p, err, errlen))
		return ERR("\"%s\" is not a prefix: expected ADDRESS/LENGTH, e.g. 10.0.0.0/8 or 2001:db8::/32", s);
	max = p->family == AF_INET ? 32 : 128;
	if (slash) {
		char lerr[64];

		if (parse_u32(slash + 1, 0, max, &len, lerr, sizeof(lerr)))
			return ERR("prefix length in \"%s\" must be 0..%u", s, max);
		p->len = (uint8_t)len;
	}
	for (i = p->len; i < max; i++) {
		if (p->addr.bytes[i / 8] & (0x80 >> (i % 8))) {
			char ok[PREFIX_STRLEN];
			struct prefix m = *p;

			for (; i < max; i++)
				m.addr.bytes[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
			return ERR("\"%s\" has host bits set; did you mean %s?", s,
				   format_prefix(&m, false, ok, sizeof(ok)));
		}
	}
	return 0;
}

int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v,
	      char *err, size_t errlen)
{
	unsigned long long n;
	char *end;

	if (!*s || !isdigit((unsigned char)*s))
		return ERR("\"%s\" is not a number (allowed: %u..%u)", s, min, max);
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || *end)
		return ERR("\"%s\" is not a number (allowed: %u..%u)", s, min, max);
	if (n < min || n > max)
		return ERR("%s is out of range (allowed: %u..%u)", s, min, max);
	*v = (uint32_t)n;
	return 0;
}

int parse_duration_ms(const char *s, uint32_t min_ms, uint32_t max_ms,
		      uint32_t *ms, char *err, size_t errlen)
{
	unsigned long long whole, frac = 0, denom = 1, mult, v;
	char lo[16], hi[16];
	const char *p;
	char *end;

	if (!*s || !isdigit((unsigned char)*s))
		goto bad;
	errno = 0;
	whole = strtoull(s, &end, 10);
	if (errno || whole > UINT32_MAX)
		goto range;
	p = end;
	if (*p == '.') {
		if (!isdigit((unsigned char)p[1]))
			goto bad;
		for (p++; isdigit((unsigned char)*p); p++) {
			if (denom >= 1000000000ULL)	/* 9 decimals at most */
				goto bad;
			frac = frac * 10 + (unsigned long long)(*p - '0');
			denom *= 10;
		}
	}
	if (!*p)
		return ERR("\"%s\" has no unit: write %sms or %ss (allowed units: ms, s)",
			   s, s, s);
	if (!strcmp(p, "ms"))
		mult = 1;
	else if (!strcmp(p, "s"))
		mult = 1000;
	else
		goto bad;
	if ((frac * mult) % denom)
		return ERR("%s is not a whole number of milliseconds", s);
	v = whole * mult + frac * mult / denom;
	if (v < min_ms || v > max_ms)
		goto range;
	*ms = (uint32_t)v;
	return 0;
range:
	return ERR("%s is out of range (allowed: %s..%s)", s,
		   format_duration_ms(min_ms, lo, sizeof(lo)),
		   format_duration_ms(max_ms, hi, sizeof(hi)));
bad:
	return ERR("\"%s\" is not a duration: expected a number with unit ms or s, e.g. 100ms, 3s or 1.5s",
		   s);
}

const char *format_duration_ms(uint64_t ms, char *buf, size_t len)
{
	unsigned long long s = ms / 1000, r = ms % 1000;

	if (ms < 1000)
		snprintf(buf, len, "%llums", (unsigned long long)ms);
	else if (!r)
		snprintf(buf, len, "%llus", s);
	else if (r % 100 == 0)
		snprintf(buf, len, "%llu.%llus", s, r / 100);
	else if (r % 10 == 0)
		snprintf(buf, len, "%llu.%02llus", s, r / 10);
	else
		snprintf(buf, len, "%llu.%03llus", s, r);
	return buf;
}

const char *format_prefix(const struct prefix *p, bool host_bare,
			  char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	unsigned int max = p->family == AF_INET ? 32 : 128;

	inet_ntop(p->family, &p->addr, a, sizeof(a));
	if (host_bare && p->len == max)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, p->len);
	return buf;
}
