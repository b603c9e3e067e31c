// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "tap.h"

static char *render(bool pretty, void (*fn)(struct json *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	json_init(&j, f, pretty);
	fn(&j);
	json_end(&j);
	fclose(f);
	return buf;
}

static void doc(struct json *j)
{
	json_obj_open(j, NULL);
	json_str(j, "name", "a\"b\\c\n\x01");
	json_u64(j, "big", 18446744073709551615ULL);
	json_s64(j, "neg", -5);
	json_bool(j, "t", true);
	json_null(j, "n");
	json_arr_open(j, "empty");
	json_arr_close(j);
	json_arr_open(j, "list");
	json_obj_open(j, NULL);
	json_u64(j, "x", 1);
	json_obj_close(j);
	json_obj_open(j, NULL);
	json_obj_close(j);
	json_arr_close(j);
	json_obj_close(j);
}

static void arr(struct json *j)
{
	json_arr_open(j, NULL);
	json_str(j, NULL, "x");
	json_u64(j, NULL, 2);
	json_arr_close(j);
}

int main(void)
{
	char *s;

	s = render(false, doc);
	TAP_STREQ(s, "{\"name\":\"a\\\"b\\\\c\\n\\u0001\",\"big\":18446744073709551615,"
		  "\"neg\":-5,\"t\":true,\"n\":null,\"empty\":[],\"list\":[{\"x\":1},{}]}\n",
		  "compact object with escapes and nesting");
	free(s);
	s = render(true, arr);
	TAP_STREQ(s, "[\n    \"x\",\n    2\n]\n", "pretty array");
	free(s);
	return tap_done();
}
