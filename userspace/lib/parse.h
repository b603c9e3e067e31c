/* SPDX-License-Identifier: GPL-2.0 */
/* Parsing of command-line values: addresses, prefixes, numbers, durations. */
#ifndef VPNRT_PARSE_H
#define VPNRT_PARSE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct prefix {
	int family;			/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	} addr;
	uint8_t len;
};

/*
 * Each parser returns 0 on success, or -1 with a message in err[errlen]
 * saying what was wrong and what is allowed.
 */
int parse_addr(const char *s, struct prefix *p, char *err, size_t errlen);
/* "A/len"; a bare address is a host prefix; host bits must be clear */
int parse_prefix(const char *s, struct prefix *p, char *err, size_t errlen);
int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v,
	      char *err, size_t errlen);
/*
 * A duration with its unit: "100ms", "3s", "1.5s" (decimals as long as
 * the result is a whole number of ms); a bare number is refused, it would
 * be ambiguous. The result in ms, min_ms..max_ms.
 */
int parse_duration_ms(const char *s, uint32_t min_ms, uint32_t max_ms,
		      uint32_t *ms, char *err, size_t errlen);
/* "100ms", "3s", "1.5s", "1.234s": what parse_duration_ms() reads back */
const char *format_duration_ms(uint64_t ms, char *buf, size_t len);
/* print "A/len" (or "A" for a host prefix when host_bare) into buf */
const char *format_prefix(const struct prefix *p, bool host_bare,
			  char *buf, size_t len);

#define PREFIX_STRLEN (INET6_ADDRSTRLEN + 4)

#endif
