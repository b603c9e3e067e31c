// SPDX-License-Identifier: GPL-2.0
/*
 * VICI codec on byte vectors written by hand from vici/README.md.
 * With VICI_CORPUS_DIR set, the vectors are also written there as
 * libFuzzer seeds (make fuzz does that).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vici.h"
#include "tap.h"

/* string literals hold the vectors: B() gives pointer and length */
#define B(s) (const uint8_t *)(s), sizeof(s) - 1

static void seed(const char *name, const uint8_t *p, size_t n)
{
	tap_seed("VICI_CORPUS_DIR", name, NULL, 0, p, n);
}

/* TAP_STREQ wants strings, lookups may give NULL */
static const char *or_null(const char *s)
{
	return s ? s : "(null)";
}

static const char initiate_pkt[] =
	"\x00\x00\x00\x32"
	"\x00" "\x08" "initiate"
	"\x03" "\x05" "child" "\x00\x05" "vpn-1"
	"\x03" "\x03" "ike" "\x00\x03" "vpn"
	"\x03" "\x07" "timeout" "\x00\x05" "10000";

static void test_initiate(void)
{
	struct vici_builder b;
	const uint8_t *p;
	size_t n;

	vici_build_init(&b, VICI_CMD_REQUEST, "initiate");
	vici_build_kv_str(&b, "child", "vpn-1");
	vici_build_kv_str(&b, "ike", "vpn");
	vici_build_kv_str(&b, "timeout", "10000");
	TAP_CHECK(vici_build_finish(&b, &p, &n) == 0, "initiate builds");
	TAP_CHECK(!b.failed && tap_bytes_eq(p, n, B(initiate_pkt)),
		  "initiate request bytes");
	seed("initiate", p, n);
	vici_build_free(&b);
}

static const char load_conn_pkt[] =
	"\x00\x00\x00\x74"
	"\x00" "\x09" "load-conn"
	"\x01" "\x03" "gw1"
	"\x03" "\x07" "version" "\x00\x01" "2"
	"\x04" "\x0b" "local_addrs"
	"\x05" "\x00\x09" "192.0.2.1"
	"\x06"
	"\x01" "\x08" "children"
	"\x01" "\x03" "net"
	"\x04" "\x08" "local_ts"
	"\x05" "\x00\x09" "0.0.0.0/0"
	"\x05" "\x00\x04" "::/0"
	"\x06"
	"\x03" "\x08" "if_id_in" "\x00\x02" "42"
	"\x02" "\x02" "\x02";

static void test_load_conn(void)
{
	struct vici_builder b;
	const uint8_t *p;
	size_t n;

	vici_build_init(&b, VICI_CMD_REQUEST, "load-conn");
	vici_build_section(&b, "gw1");
	vici_build_kv_str(&b, "version", "2");
	vici_build_list(&b, "local_addrs");
	vici_build_item_str(&b, "192.0.2.1");
	vici_build_list_end(&b);
	vici_build_section(&b, "children");
	vici_build_section(&b, "net");
	vici_build_list(&b, "local_ts");
	vici_build_item_str(&b, "0.0.0.0/0");
	vici_build_item_str(&b, "::/0");
	vici_build_list_end(&b);
	vici_build_kv_str(&b, "if_id_in", "42");
	vici_build_section_end(&b);
	vici_build_section_end(&b);
	vici_build_section_end(&b);
	TAP_CHECK(vici_build_finish(&b, &p, &n) == 0, "load-conn builds");
	TAP_CHECK(tap_bytes_eq(p, n, B(load_conn_pkt)),
		  "load-conn request bytes (nested sections, lists)");
	seed("load-conn", p, n);
	vici_build_free(&b);
}

static const char register_pkt[] =
	"\x00\x00\x00\x0c" "\x03" "\x0a" "ike-updown";

static void test_register(void)
{
	struct vici_builder b;
	const uint8_t *p;
	size_t n;

	vici_build_init(&b, VICI_EVENT_REGISTER, "ike-updown");
	TAP_CHECK(vici_build_finish(&b, &p, &n) == 0 &&
		  tap_bytes_eq(p, n, B(register_pkt)),
		  "ike-updown event registration bytes");
	seed("register", p, n);
	vici_build_free(&b);
}

/* a list-sa event as charon streams it for list-sas, cut down */
static const char list_sa_pkt[] =
	"\x00\x00\x01\x2a"
	"\x07" "\x07" "list-sa"
	"\x01" "\x03" "gw1"
	"\x03" "\x08" "uniqueid" "\x00\x01" "7"
	"\x03" "\x07" "version" "\x00\x01" "2"
	"\x03" "\x05" "state" "\x00\x0b" "ESTABLISHED"
	"\x03" "\x0a" "local-host" "\x00\x09" "192.0.2.1"
	"\x03" "\x04" "blob" "\x00\x03" "a\x00" "b"
	"\x01" "\x09" "child-sas"
	"\x01" "\x05" "net-3"
	"\x03" "\x04" "name" "\x00\x03" "net"
	"\x03" "\x08" "uniqueid" "\x00\x01" "3"
	"\x03" "\x05" "state" "\x00\x09" "INSTALLED"
	"\x03" "\x06" "spi-in" "\x00\x08" "c1a2b3c4"
	"\x03" "\x08" "bytes-in" "\x00\x0c" "123456789012"
	"\x03" "\x09" "bytes-out" "\x00\x14" "18446744073709551616"
	"\x04" "\x08" "local-ts"
	"\x05" "\x00\x09" "0.0.0.0/0"
	"\x05" "\x00\x04" "::/0"
	"\x06"
	"\x04" "\x09" "remote-ts"
	"\x06"
	"\x02"
	"\x01" "\x05" "net-4"
	"\x03" "\x05" "state" "\x00\x08" "REKEYING"
	"\x02"
	"\x02"
	"\x02";

static void test_list_sa(void)
{
	const struct vici_node *ike, *child, *ts, *c;
	struct vici_builder b;
	struct vici_packet pkt;
	struct vici_node *root;
	struct vici_err err = { "" };
	const uint8_t *p;
	uint64_t v = 0;
	size_t n;
	int i = 0;

	seed("list-sa", B(list_sa_pkt));
	root = vici_parse_packet(B(list_sa_pkt), &pkt, &err);
	TAP_CHECK(root != NULL, "list-sa event parses (%s)", err.msg);
	if (!root)
		return;
	TAP_CHECK(pkt.type == VICI_EVENT && !strcmp(pkt.name, "list-sa") &&
		  pkt.total == sizeof(list_sa_pkt) - 1,
		  "packet type, name and size");
	ike = vici_find_type(root, VICI_N_SECTION, "gw1");
	TAP_CHECK(ike && vici_count(root) == 1, "one IKE_SA section");
	TAP_STREQ(or_null(vici_get_str(ike, "state")), "ESTABLISHED",
		  "IKE state");
	TAP_CHECK(vici_get_u64(ike, "uniqueid", &v) == 0 && v == 7,
		  "IKE uniqueid as a number");
	c = vici_find(ike, "blob");
	TAP_CHECK(c && c->len == 3 && !memcmp(c->value, "a\0b", 3) &&
		  !vici_str(c), "binary value kept, refused as a string");
	child = vici_path(root, "gw1", "child-sas", "net-3", NULL);
	TAP_CHECK(child && child->type == VICI_N_SECTION,
		  "path gw1/child-sas/net-3");
	TAP_STREQ(or_null(vici_get_str(child, "spi-in")), "c1a2b3c4",
		  "child spi-in");
	TAP_CHECK(vici_get_u64(child, "bytes-in", &v) == 0 &&
		  v == 123456789012ULL, "bytes-in above 32 bits");
	TAP_CHECK(vici_get_u64(child, "bytes-out", &v) == -1 &&
		  vici_get_u64(child, "state", &v) == -1 &&
		  vici_get_u64(child, "missing", &v) == -1,
		  "u64 refuses overflow, text and missing keys");
	ts = vici_find_type(child, VICI_N_LIST, "local-ts");
	TAP_CHECK(ts && vici_count(ts) == 2, "local-ts has two items");
	vici_for_each(c, ts)
		i += !strcmp(or_null(vici_str(c)), i ? "::/0" : "0.0.0.0/0");
	TAP_CHECK(i == 2, "local-ts items in order");
	ts = vici_find(child, "remote-ts");
	TAP_CHECK(ts && ts->type == VICI_N_LIST && vici_count(ts) == 0,
		  "empty remote-ts list");
	TAP_CHECK(!vici_find_type(child, VICI_N_SECTION, "state") &&
		  !vici_get_str(child, "local-ts") &&
		  !vici_path(root, "gw1", "state", "x", NULL) &&
		  !vici_find(ts, "x"), "lookups refuse the wrong type");
	c = vici_path(root, "gw1", "child-sas", "net-4", NULL);
	TAP_STREQ(or_null(vici_get_str(c, "state")), "REKEYING",
		  "second child");
	vici_build_init(&b, pkt.type, pkt.name);
	vici_build_tree(&b, root);
	TAP_CHECK(vici_build_finish(&b, &p, &n) == 0 &&
		  tap_bytes_eq(p, n, B(list_sa_pkt)),
		  "tree re-encodes to the same bytes");
	vici_build_free(&b);
	vici_free(root);
}

static void test_split(void)
{
	static const char two[] =
		"\x00\x00\x00\x01" "\x01"
		"\x00\x00\x00\x0c" "\x03" "\x0a" "ike-updown";
	struct vici_packet pkt;
	struct vici_err err;
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(initiate_pkt) - 1; i++)
		bad += vici_split((const uint8_t *)initiate_pkt, i, &pkt,
				  &err) != 0 ||
		       pkt.total != (i < 4 ? 0 : sizeof(initiate_pkt) - 1);
	TAP_CHECK(!bad, "every partial packet asks for more bytes");
	TAP_CHECK(vici_split(B(two), &pkt, &err) == 1 &&
		  pkt.type == VICI_CMD_RESPONSE && pkt.total == 5 &&
		  pkt.body_len == 0 && !pkt.name[0],
		  "first of two packets: empty CMD_RESPONSE");
	TAP_CHECK(vici_split((const uint8_t *)two + 5, sizeof(two) - 6,
			     &pkt, &err) == 1 &&
		  pkt.type == VICI_EVENT_REGISTER &&
		  !strcmp(pkt.name, "ike-updown") && pkt.total == 16,
		  "second packet: event registration");
}

struct bad {
	const char *what;
	const char *in;
	size_t len;
	const char *want;
};

#define BAD(what, in, want) { what, in, sizeof(in) - 1, want }

static const struct bad bad_msgs[] = {
	BAD("unknown element type", "\x09", "unknown element type 9 at offset 0"),
	BAD("element type 0", "\x03\x01k\x00\x00\x00",
	    "unknown element type 0 at offset 5"),
	BAD("name length missing", "\x03", "truncated key-value name at offset 0"),
	BAD("name cut short", "\x03\x05" "ab",
	    "truncated key-value name at offset 0"),
	BAD("value length cut", "\x03\x01k\x00",
	    "truncated key-value value at offset 0"),
	BAD("value cut short", "\x03\x01k\x00\x05" "ab",
	    "truncated key-value value at offset 0"),
	BAD("list item value cut", "\x04\x01l\x05\x00\x02x",
	    "truncated list item value at offset 3"),
	BAD("empty name", "\x01\x00", "empty section start name at offset 0"),
	BAD("NUL in name", "\x01\x02" "a\x00" "\x02",
	    "NUL byte in section start name at offset 0"),
	BAD("section end at top", "\x02",
	    "section end without open section at offset 0"),
	BAD("trailing section end", "\x01\x01s\x02\x02",
	    "section end without open section at offset 4"),
	BAD("unclosed section", "\x01\x01s\x01\x01t\x02",
	    "unterminated section opened at offset 0"),
	BAD("unclosed list", "\x04\x01l\x05\x00\x01x",
	    "unterminated list opened at offset 0"),
	BAD("item outside list", "\x05\x00\x00",
	    "list item outside a list at offset 0"),
	BAD("list end outside list", "\x04\x01l\x06\x06",
	    "list end outside a list at offset 4"),
	BAD("section in list", "\x04\x01l\x01\x01s\x02\x06",
	    "section start inside a list at offset 3"),
	BAD("key-value in list", "\x04\x01l\x03\x01k\x00\x00\x06",
	    "key-value inside a list at offset 3"),
	BAD("list in list", "\x04\x01l\x04\x01m\x06\x06",
	    "list start inside a list at offset 3"),
	BAD("section end in list", "\x01\x01s\x04\x01l\x02",
	    "section end inside a list at offset 6"),
};

static const struct bad bad_pkts[] = {
	BAD("length over the cap", "\x00\x08\x00\x01\x01",
	    "packet length 524289 exceeds limit 524288"),
	BAD("huge length", "\xff\xff\xff\xff",
	    "packet length 4294967295 exceeds limit 524288"),
	BAD("zero length", "\x00\x00\x00\x00", "empty packet at offset 0"),
	BAD("unknown packet type", "\x00\x00\x00\x01\x08",
	    "unknown packet type 8 at offset 4"),
	BAD("named type without name", "\x00\x00\x00\x01\x00",
	    "truncated packet name at offset 5"),
	BAD("packet name cut", "\x00\x00\x00\x03\x07\x05" "a",
	    "truncated packet name at offset 5"),
	BAD("empty packet name", "\x00\x00\x00\x02\x03\x00",
	    "empty packet name at offset 5"),
	BAD("NUL in packet name", "\x00\x00\x00\x04\x00\x02" "a\x00",
	    "NUL byte in packet name at offset 5"),
	BAD("truncated packet", "\x00\x00\x00\x0c\x03\x0a" "ike",
	    "truncated packet: 9 of 16 bytes"),
	BAD("trailing garbage", "\x00\x00\x00\x01\x01" "\x02",
	    "1 trailing bytes after packet at offset 5"),
	BAD("bad message in packet", "\x00\x00\x00\x03\x01" "\x03\x01",
	    "truncated key-value name at offset 0"),
};

static void test_bad(void)
{
	struct vici_packet pkt;
	struct vici_err err;
	struct vici_node *root;
	char name[32];
	size_t i;

	for (i = 0; i < sizeof(bad_msgs) / sizeof(bad_msgs[0]); i++) {
		const struct bad *t = &bad_msgs[i];

		snprintf(name, sizeof(name), "bad-msg-%02zu", i);
		seed(name, (const uint8_t *)t->in, t->len);
		strcpy(err.msg, "");
		root = vici_parse((const uint8_t *)t->in, t->len, &err);
		TAP_CHECK(!root, "%s: refused", t->what);
		TAP_STREQ(err.msg, t->want, "%s: message", t->what);
		vici_free(root);
	}
	for (i = 0; i < sizeof(bad_pkts) / sizeof(bad_pkts[0]); i++) {
		const struct bad *t = &bad_pkts[i];

		snprintf(name, sizeof(name), "bad-pkt-%02zu", i);
		seed(name, (const uint8_t *)t->in, t->len);
		strcpy(err.msg, "");
		root = vici_parse_packet((const uint8_t *)t->in, t->len, &pkt,
					 &err);
		TAP_CHECK(!root, "%s: refused", t->what);
		TAP_STREQ(err.msg, t->want, "%s: message", t->what);
		vici_free(root);
	}
}

/* 32 sections below the root are fine, the 33rd is not */
static void test_depth(void)
{
	uint8_t buf[33 * 4];
	struct vici_err err = { "" };
	struct vici_node *root;
	struct vici_builder b;
	const uint8_t *p;
	size_t n;
	int i, ok = 1;

	for (i = 0; i < 33; i++)
		memcpy(buf + 3 * i, "\x01\x01s", 3);
	memset(buf + 99, VICI_SECTION_END, 33);
	root = vici_parse(buf + 3, 32 * 3 + 32, &err);
	TAP_CHECK(root && vici_path(root, "s", "s", "s", NULL),
		  "32 nested sections parse (%s)", err.msg);
	vici_free(root);
	root = vici_parse(buf, sizeof(buf), &err);
	TAP_CHECK(!root, "33 nested sections refused");
	TAP_STREQ(err.msg, "sections nested deeper than 32 at offset 96",
		  "depth message");
	vici_build_init(&b, VICI_CMD_RESPONSE, NULL);
	for (i = 0; i < 32; i++)
		ok &= !vici_build_section(&b, "s");
	TAP_CHECK(ok && vici_build_section(&b, "s") == -1,
		  "builder nests 32 sections, not 33");
	TAP_STREQ(b.err.msg, "sections nested deeper than 32",
		  "builder depth message");
	TAP_CHECK(vici_build_finish(&b, &p, &n) == -1, "and cannot finish");
	vici_build_free(&b);
}

static void test_builder_errors(void)
{
	static char big[VICI_VALUE_MAX + 2];
	char name[VICI_NAME_MAX + 2];
	struct vici_builder b;
	const uint8_t *p;
	size_t n;
	int i, r = 0;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	vici_build_init(&b, VICI_CMD_REQUEST, "x");
	TAP_CHECK(vici_build_kv_str(&b, name, "v") == -1, "256-byte key refused");
	TAP_STREQ(b.err.msg, "key-value name of 256 bytes exceeds 255",
		  "long name message");
	TAP_CHECK(vici_build_kv_str(&b, "k", "v") == -1 &&
		  !strcmp(b.err.msg, "key-value name of 256 bytes exceeds 255") &&
		  vici_build_finish(&b, &p, &n) == -1,
		  "errors stick: later calls and finish fail, first message kept");
	vici_build_free(&b);

	name[VICI_NAME_MAX] = '\0';
	vici_build_init(&b, VICI_CMD_REQUEST, "x");
	TAP_CHECK(vici_build_section(&b, name) == 0 &&
		  vici_build_kv(&b, "k", big, VICI_VALUE_MAX) == 0,
		  "255-byte name and 65535-byte value accepted");
	TAP_CHECK(vici_build_kv(&b, "k", big, VICI_VALUE_MAX + 1) == -1,
		  "65536-byte value refused");
	TAP_STREQ(b.err.msg, "key-value value of 65536 bytes exceeds 65535",
		  "long value message");
	vici_build_free(&b);

	vici_build_init(&b, VICI_CMD_REQUEST, "x");
	vici_build_list(&b, "l");
	TAP_CHECK(vici_build_item(&b, big, VICI_VALUE_MAX + 1) == -1 &&
		  !strcmp(b.err.msg,
			  "list item value of 65536 bytes exceeds 65535"),
		  "65536-byte list item refused");
	vici_build_free(&b);

	vici_build_init(&b, VICI_CMD_REQUEST, name);
	TAP_CHECK(!b.failed, "255-byte command name accepted");
	vici_build_free(&b);
	name[VICI_NAME_MAX] = 'n';
	TAP_CHECK(vici_build_init(&b, VICI_CMD_REQUEST, name) == -1, "256-byte command name refused");
	TAP_STREQ(b.err.msg, "packet name of 256 bytes exceeds 255",
		  "long command name message");
	vici_build_free(&b);
	vici_build_init(&b, VICI_CMD_REQUEST, NULL);
	TAP_STREQ(b.err.msg, "packet without a name", "named type needs a name");
	vici_build_free(&b);
	vici_build_init(&b, VICI_CMD_RESPONSE, "x");
	TAP_STREQ(b.err.msg, "packet type 1 takes no name",
		  "unnamed type refuses a name");
	vici_build_free(&b);

	vici_build_init(&b, VICI_CMD_REQUEST, "x");
	vici_build_section_end(&b);
	TAP_STREQ(b.err.msg, "section end without open section",
		  "builder: unbalanced section end");
	vici_build_free(&b);
	vici_build_init(&b, VICI_CMD_REQUEST, "x");
	vici_build_list(&b, "l");
	vici_build_kv_str(&b, "k", "v");
	TAP_STREQ(b.err.msg, "key-value inside a list", "builder: key in list");
	vici_build_free(&b);
	vici_build_init(&b, VICI_CMD_REQUEST, "x");
	vici_build_item_str(&b, "v");
	TAP_STREQ(b.err.msg, "list item outside a list",
		  "builder: item outside a list");
	vici_build_free(&b);
	vici_build_init(&b, VICI_CMD_REQUEST, "x");
	vici_build_section(&b, "s");
	vici_build_finish(&b, &p, &n);
	TAP_STREQ(b.err.msg, "1 unterminated section(s) at end of message",
		  "builder: unclosed section at finish");
	vici_build_free(&b);
	vici_build_init(&b, VICI_CMD_REQUEST, "x");
	vici_build_list(&b, "l");
	vici_build_finish(&b, &p, &n);
	TAP_STREQ(b.err.msg, "unterminated list at end of message",
		  "builder: unclosed list at finish");
	vici_build_free(&b);

	/* seven full values fit in 512 KiB, the eighth does not */
	vici_build_init(&b, VICI_CMD_REQUEST, "x");
	for (i = 0; i < 9; i++)
		r |= vici_build_kv(&b, "k", big, VICI_VALUE_MAX);
	TAP_CHECK(r == -1 && b.len <= 4 + VICI_PACKET_MAX,
		  "packet over 512 KiB refused");
	TAP_STREQ(b.err.msg, "packet exceeds 524288 bytes", "size message");
	vici_build_free(&b);
}

static void test_empty(void)
{
	struct vici_builder b;
	struct vici_err err;
	struct vici_node *root;
	const uint8_t *p;
	size_t n;

	root = vici_parse((const uint8_t *)"", 0, &err);
	TAP_CHECK(root && root->type == VICI_N_SECTION && !root->first,
		  "empty message is an empty root");
	vici_free(root);
	vici_build_init(&b, VICI_CMD_RESPONSE, NULL);
	TAP_CHECK(vici_build_finish(&b, &p, &n) == 0 &&
		  tap_bytes_eq(p, n, B("\x00\x00\x00\x01\x01")),
		  "empty CMD_RESPONSE bytes");
	vici_build_free(&b);
}

int main(void)
{
	test_initiate();
	test_load_conn();
	test_register();
	test_list_sa();
	test_split();
	test_bad();
	test_depth();
	test_builder_errors();
	test_empty();
	return tap_done();
}
