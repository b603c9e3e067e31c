/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vpnrtd's log: one line per call on stderr, prefixed "<N>" with the
 * syslog level (sd-daemon(3)), so the journal keeps the levels. Lines
 * below the minimum level are dropped. Control characters in the message
 * (which may quote what a peer or charon sent) become '?', so one call
 * is always one line.
 */
#ifndef VPNRTD_LOG_H
#define VPNRTD_LOG_H

#include <stdio.h>
#include <syslog.h>

#define LOG_LINE_MAX	1024

void vlog(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* LOG_ERR..LOG_DEBUG; default LOG_INFO; out-of-range values are clamped */
void log_set_level(int level);
int log_get_level(void);
/* where lines go; NULL: stderr (tests capture with a tmpfile) */
void log_set_file(FILE *f);

#endif
