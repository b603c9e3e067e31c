// SPDX-License-Identifier: GPL-2.0
/* vpnrtd's log (log.h). */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static int min_level = LOG_INFO;
static FILE *log_out;

void log_set_level(int level)
{
	if (level < LOG_EMERG)
		level = LOG_EMERG;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	min_level = level;
}

int log_get_level(void)
{
	return min_level;
}

void log_set_file(FILE *f)
{
	log_out = f;
}

void vlog(int level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX + 8];
	va_list ap;
	int n, len;

	if (level > min_level)
		return;
	if (level < LOG_EMERG)
		level = LOG_EMERG;
	n = snprintf(line, sizeof(line), "<%d>", level);
	va_start(ap, fmt);
	len = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (len < 0)
		len = 0;
	if ((size_t)len > sizeof(line) - n - 2)
		len = sizeof(line) - n - 2;	/* truncated */
	len += n;
	for (int i = n; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	line[len++] = '\n';
	/* one write per line, so concurrent writers do not interleave */
	fwrite(line, 1, len, log_out ? log_out : stderr);
	fflush(log_out ? log_out : stderr);
}
