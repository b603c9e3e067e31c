// SPDX-License-Identifier: GPL-2.0
/* -b FILE: coalescing of route add/del lines, line numbers of errors */
#include <stdlib.h>

#include "fake.h"
#include "tap.h"

static int batch(struct vpnrtctl *c, const char *text)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	int rc = vpnrtctl_batch_stream(c, in);

	fclose(in);
	return rc;
}

static char *many_routes(int n, const char *verb)
{
	size_t cap = (size_t)n * 64 + 1, off = 0;
	char *s = malloc(cap);

	for (int i = 0; i < n; i++)
		off += (size_t)snprintf(s + off, cap - off, "route %s %d.%d.%d.0/24 conn c1\n",
					verb, 10 + i / 65536, i / 256 % 256, i % 256);
	return s;
}

static void test_chunks(void)
{
	struct vpnrtctl c;
	struct fake f;
	char *text = many_routes(1000, "add");
	bool all_new = true, small = true;
	int rc, total = 0;

	fake_init(&c, &f);
	rc = batch(&c, text);
	for (int i = 0; i < f.n_sent && i < FAKE_MAX; i++) {
		all_new = all_new && f.cmd[i] == VPNRT_CMD_ROUTE_NEW;
		small = small && f.len[i] < 60 * 1024;
		total += f.n_routes[i];
	}
	TAP_CHECK(rc == 0 && f.n_sent == (1000 + VPNRTCTL_ROUTE_CHUNK - 1) / VPNRTCTL_ROUTE_CHUNK,
		  "1000 route add lines -> %d ROUTE_NEW messages (chunk %d)", f.n_sent,
		  VPNRTCTL_ROUTE_CHUNK);
	TAP_CHECK(all_new && total == 1000 && f.n_routes[0] == VPNRTCTL_ROUTE_CHUNK &&
		  f.n_routes[3] == 1000 - 3 * VPNRTCTL_ROUTE_CHUNK,
		  "every route sent once, full chunks first");
	TAP_CHECK(small, "each message is under 60 KiB (first: %u bytes)", f.len[0]);
	fake_fini(&c, &f);
	free(text);

	/* 100,000 routes: one round trip per chunk */
	text = many_routes(100000, "add");
	fake_init(&c, &f);
	rc = batch(&c, text);
	TAP_CHECK(rc == 0 && f.n_sent == (100000 + VPNRTCTL_ROUTE_CHUNK - 1) / VPNRTCTL_ROUTE_CHUNK,
		  "100000 route add lines -> %d messages", f.n_sent);
	fake_fini(&c, &f);
	free(text);

	text = many_routes(7, "delete");
	fake_init(&c, &f);
	rc = batch(&c, text);
	TAP_CHECK(rc == 0 && f.n_sent == 1 && f.cmd[0] == VPNRT_CMD_ROUTE_DEL &&
		  f.n_routes[0] == 7, "7 route delete lines -> one ROUTE_DEL with 7 routes");
	fake_fini(&c, &f);
	free(text);
}

static void test_split(void)
{
	static const char text[] =
		"route add 10.0.0.0/24 conn c1\n"
		"route add 10.0.1.0/24 conn c1\n"
		"route add 10.0.2.0/24 conn c1\n"
		"route add 10.0.3.0/24 conn c1\n"
		"route add 10.0.4.0/24 conn c1\n"
		"conn add c2 gateway vpngw0 tunnel xfrm2\n"
		"route add 10.0.5.0/24 conn c2\n"
		"route add 10.0.6.0/24 from 10.9.0.0/16 conn c2 priority 3\n"
		"route del 10.0.0.0/24 conn c1\n"
		"route del 10.0.1.0/24 conn c1\n"
		"route add 10.0.7.0/24 conn c2 proto bgp pref 10\n";
	static const uint8_t want_cmd[] = {
		VPNRT_CMD_ROUTE_NEW, VPNRT_CMD_ROUTE_NEW, VPNRT_CMD_CONN_NEW,
		VPNRT_CMD_ROUTE_NEW, VPNRT_CMD_ROUTE_DEL, VPNRT_CMD_ROUTE_NEW,
	};
	static const int want_n[] = { 3, 2, 0, 2, 2, 1 };
	struct vpnrtctl c;
	struct fake f;
	bool ok = true;
	int rc;

	fake_init(&c, &f);
	c.route_chunk = 3;
	rc = batch(&c, text);
	for (int i = 0; i < 6 && i < f.n_sent; i++)
		ok = ok && f.cmd[i] == want_cmd[i] && f.n_routes[i] == want_n[i];
	TAP_CHECK(rc == 0 && f.n_sent == 6 && ok,
		  "chunk 3: 5 adds, conn add, 2 adds, 2 dels, 1 add -> 3+2, conn, 2, 2 del, 1");
	fake_fini(&c, &f);

	/* the byte limit splits too */
	fake_init(&c, &f);
	c.chunk_bytes = 200;
	rc = batch(&c, "route add 10.0.0.0/24 conn c1\nroute add 10.0.1.0/24 conn c1\n"
		   "route add 10.0.2.0/24 conn c1\nroute add 10.0.3.0/24 conn c1\n"
		   "route add 10.0.4.0/24 conn c1\nroute add 10.0.5.0/24 conn c1\n");
	ok = true;
	for (int i = 0; i < f.n_sent; i++)
		ok = ok && f.n_routes[i] >= 1 && f.len[i] <= 200 + 64;
	TAP_CHECK(rc == 0 && f.n_sent > 1 && ok,
		  "a 200-byte limit splits 6 routes into %d messages", f.n_sent);
	fake_fini(&c, &f);
}

static void test_errors(void)
{
	struct vpnrtctl c;
	struct fake f;
	int rc;

	/* line numbers count comments and blank lines */
	fake_init(&c, &f);
	f.fail_at = 0;
	f.fail_msg = "route 4: connection \"cX\" not found";
	rc = batch(&c,
		   "# routes\n"				/* 1 */
		   "route add 10.0.0.0/24 conn c1\n"	/* 2: route 1 */
		   "\n"					/* 3 */
		   "route add 10.0.1.0/24 conn c1\n"	/* 4: route 2 */
		   "  # indented comment\n"		/* 5 */
		   "route add 10.0.2.0/24 conn c1\n"	/* 6: route 3 */
		   "route add 10.0.3.0/24 conn cX\n"	/* 7: route 4 */
		   "route add 10.0.4.0/24 conn c1\n");	/* 8: route 5 */
	TAP_STREQ(c.err, "line 7: connection \"cX\" not found",
		  "kernel \"route 4: ...\" maps to the line of the 4th route");
	TAP_CHECK(rc == -1 && f.n_sent == 1 && f.n_routes[0] == 5,
		  "the chunk was one message of 5 routes");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	f.fail_at = 0;
	f.fail_msg = "Operation not permitted";
	rc = batch(&c, "route add 10.0.0.0/24 conn c1\nroute add 10.0.1.0/24 conn c1\n");
	TAP_STREQ(c.err, "lines 1-2: Operation not permitted",
		  "an error naming no route reports the chunk's lines");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	f.fail_at = 1;
	f.fail_msg = "route 9: out of range";
	c.route_chunk = 2;
	rc = batch(&c, "route add 10.0.0.0/24 conn c1\nroute add 10.0.1.0/24 conn c1\n"
		   "route add 10.0.2.0/24 conn c1\nroute add 10.0.3.0/24 conn c1\n");
	TAP_STREQ(c.err, "lines 3-4: route 9: out of range",
		  "a route index outside the chunk is not trusted");
	fake_fini(&c, &f);

	/* a bad line: the routes before it are sent, then it is reported */
	fake_init(&c, &f);
	rc = batch(&c, "route add 10.0.0.0/24 conn c1\nroute add 10.0.1.0/24 conn c1\n"
		   "route add 10.0.2.0/24 conn c1 weight 50\nroute add 10.0.3.0/24 conn c1\n");
	TAP_CHECK(rc == -1 && f.n_sent == 1 && f.n_routes[0] == 2,
		  "lines before a bad line are sent first (%d messages)", f.n_sent);
	TAP_STREQ(c.err, "line 3: weight must be 100 or 0, not \"50\"",
		  "the bad line is reported with its number");
	fake_fini(&c, &f);

	/* ... unless sending them fails: that error comes first */
	fake_init(&c, &f);
	f.fail_at = 0;
	f.fail_msg = "route 2: route exists";
	rc = batch(&c, "route add 10.0.0.0/24 conn c1\nroute add 10.0.1.0/24 conn c1\n"
		   "route add 10.0.2.0/24 conn c1 weight 50\n");
	TAP_STREQ(c.err, "line 2: route exists", "the earlier failure is reported");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	rc = batch(&c, "conn set c1 admin down\ngateway set nosuch0 max-conns 3\nconn set c1 admin up\n");
	TAP_CHECK(rc == -1 && f.n_sent == 1 &&
		  !strcmp(c.err, "line 2: device \"nosuch0\" does not exist"),
		  "other commands run one by one and the first failure stops: %s", c.err);
	fake_fini(&c, &f);

	fake_init(&c, &f);
	rc = batch(&c, "route add 10.0.0.0/24 conn c1\nconn set c1 admin down\n"
		   "route add 10.0.1.0/24 conn \"c1\"   # quoted, with a comment\n"
		   "route add 10.0.2.0/24 conn 'c1\n");
	TAP_CHECK(rc == -1 && f.n_sent == 3 && !strcmp(c.err, "line 4: unterminated quote or more than 256 words"),
		  "quotes and comments; an unterminated quote is an error: %s", c.err);
	fake_fini(&c, &f);

	fake_init(&c, &f);
	f.fail_at = 1;
	f.fail_msg = "connection c1 does not exist";
	rc = batch(&c, "route add 10.0.0.0/24 conn c1\nconn set c1 admin down\n");
	TAP_STREQ(c.err, "line 2: connection c1 does not exist", "a failing conn set names its line");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	rc = vpnrtctl_batch(&c, "/nonexistent/batch.txt");
	TAP_CHECK(rc == -1 && strstr(c.err, "cannot open batch file \"/nonexistent/batch.txt\""),
		  "a missing batch file: %s", c.err);
	fake_fini(&c, &f);

	/* health checks set between route chunks, one request per line */
	fake_init(&c, &f);
	rc = batch(&c, "route add 10.0.0.0/24 conn c1\n"
		   "conn set c1 health dst 172.16.255.1 src 10.99.1.1 interval 100ms retries 3\n"
		   "conn set c2 tunnel xfrm2 health dst fd20:ff::2 src fd99:2::1 interval 0.1s\n"
		   "route add 10.1.0.0/24 conn c1\n");
	TAP_CHECK(rc == 0 && f.n_sent == 4 && f.cmd[0] == VPNRT_CMD_ROUTE_NEW &&
		  f.cmd[1] == VPNRT_CMD_CONN_SET && f.cmd[2] == VPNRT_CMD_CONN_SET &&
		  f.cmd[3] == VPNRT_CMD_ROUTE_NEW,
		  "batch: conn set ... health lines end the route chunk, one CONN_SET each");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	rc = batch(&c, "conn set c1 health dst 172.16.255.1 src 10.99.1.1\n"
		   "conn set c2 health dst 172.16.255.2 src 10.99.2.1 interval 5ms\n");
	TAP_CHECK(rc == -1 && f.n_sent == 1 &&
		  !strcmp(c.err, "line 2: health interval: 5ms is out of range (allowed: 10ms..60s)"),
		  "batch: a bad health line names its line: %s", c.err);
	fake_fini(&c, &f);

	fake_init(&c, &f);
	rc = batch(&c, "\n# nothing\n   \n");
	TAP_CHECK(rc == 0 && f.n_sent == 0, "an empty batch sends nothing");
	fake_fini(&c, &f);
}

/* route replace lines: chunks of their own, with VPNRT_A_REPLACE */
static void test_replace(void)
{
	static const char text[] =
		"route add 10.0.0.0/24 conn c1\n"
		"route add 10.0.1.0/24 conn c1\n"
		"route replace 10.0.0.0/24 conn c1 weight 0\n"
		"route replace 10.0.1.0/24 conn c1 weight 0\n"
		"route replace 10.0.2.0/24 conn c1\n"
		"route add 10.0.3.0/24 conn c1\n"
		"route stale vpngw0 proto bgp\n";
	struct vpnrtctl c;
	struct fake f;
	bool fl[4] = { false };
	int rc;

	fake_init(&c, &f);
	f.fail_at = -1;
	rc = batch(&c, text);
	for (int i = 0; i < f.n_sent && i < 4; i++) {
		struct nlattr *tb[VPNRT_A_MAX + 1];

		fl[i] = sent_parse(&f, i, tb) && tb[VPNRT_A_REPLACE];
	}
	TAP_CHECK(f.n_sent == 4 && f.cmd[0] == VPNRT_CMD_ROUTE_NEW && f.n_routes[0] == 2 &&
		  !fl[0] && f.cmd[1] == VPNRT_CMD_ROUTE_NEW && f.n_routes[1] == 3 && fl[1] &&
		  f.cmd[2] == VPNRT_CMD_ROUTE_NEW && f.n_routes[2] == 1 && !fl[2] &&
		  f.cmd[3] == VPNRT_CMD_ROUTE_STALE,
		  "add x2, replace x3, add, stale: ROUTE_NEW(2), ROUTE_NEW+REPLACE(3), ROUTE_NEW(1), ROUTE_STALE");
	/* the fake acks route stale without its reply: an error on line 7 */
	TAP_CHECK(rc == -1 && !strncmp(c.err, "line 7: ", 8), "the stale line's error names it: %s",
		  c.err);
	fake_fini(&c, &f);

	fake_init(&c, &f);
	f.fail_at = 0;
	f.fail_msg = "route 2: owned by flow protection of conn c1";
	rc = batch(&c, "route replace 10.0.0.0/24 conn c1\nroute replace 10.9.0.0/16 conn c1\n");
	TAP_CHECK(rc == -1 && !strcmp(c.err, "line 2: owned by flow protection of conn c1"),
		  "a replace chunk's error names the line of the route: %s", c.err);
	fake_fini(&c, &f);
}

int main(void)
{
	test_chunks();
	test_replace();
	test_split();
	test_errors();
	return tap_done();
}
