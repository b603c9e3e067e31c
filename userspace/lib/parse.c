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
	unsigned long long n, mult = 1000;
	char *end;

	if (!*s || !isdigit((unsigned char)*s))
		goto bad;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		goto bad;
	if (!strcmp(end, "ms"))
		mult = 1;
	else if (!strcmp(end, "s") || !*end)
		mult = 1000;
	else if (!strcmp(end, "m"))
		mult = 60000;
	else
		goto bad;
	if (n > UINT32_MAX / mult || n * mult < min_ms || n * mult > max_ms)
		return ERR("duration %s is out of range (allowed: %ums..%ums)",
			   s, min_ms, max_ms);
	*ms = (uint32_t)(n * mult);
	return 0;
bad:
	return ERR("\"%s\" is not a duration: expected a number with ms, s or m, e.g. 100ms or 3s", s);
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
