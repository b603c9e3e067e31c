/* SPDX-License-Identifier: GPL-2.0 */
/* A small streaming JSON writer in the spirit of iproute2's json_writer. */
#ifndef VPNRT_JSON_H
#define VPNRT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *out;
	bool pretty;
	int depth;
	bool first[JSON_MAX_DEPTH];	/* no member written yet at this depth */
};

void json_init(struct json *j, FILE *out, bool pretty);
void json_obj_open(struct json *j, const char *key);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j, const char *key);
void json_arr_close(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_s64(struct json *j, const char *key, int64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);
/* end of document: closes nothing, prints the final newline */
void json_end(struct json *j);

#endif
