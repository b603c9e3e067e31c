// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the VICI codec (make fuzz). The input is used
 * twice: as a byte stream cut into packets by vici_split(), and as a
 * bare message. Whatever parses must re-encode to the very same bytes,
 * so the parser can neither drop nor invent anything the builder knows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vici.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* want: the expected output from byte skip on (a bare message lacks
 * the prefix and type byte the builder writes) */
static void round_trip(const struct vici_node *root, enum vici_op op,
		       const char *name, const uint8_t *want, size_t len,
		       size_t skip)
{
	struct vici_builder b;
	const uint8_t *p;
	size_t n;

	vici_build_init(&b, op, name);
	if (vici_build_tree(&b, root) || vici_build_finish(&b, &p, &n))
		abort();
	if (n != skip + len || memcmp(p + skip, want, len))
		abort();
	vici_build_free(&b);
}

/* read every value the way a client would; ASan checks the bounds */
static size_t walk(const struct vici_node *sec, int depth)
{
	const struct vici_node *c, *i;
	size_t sum = 0;
	uint64_t v;

	if (depth > VICI_DEPTH_MAX)
		abort();
	vici_for_each(c, sec) {
		if (vici_find(sec, c->name) == NULL)
			abort();
		if (c->type == VICI_N_SECTION)
			sum += walk(c, depth + 1);
		if (c->type == VICI_N_KV) {
			const char *s = vici_str(c);

			if (s && strlen(s) != c->len)
				abort();
			if (!vici_get_u64(sec, c->name, &v))
				sum += v & 1;
		}
		if (c->type == VICI_N_LIST)
			vici_for_each(i, c)
				sum += i->len && i->value[i->len - 1];
	}
	return sum;
}

static void one_message(const uint8_t *msg, size_t len, enum vici_op op,
			const char *name, const uint8_t *want, size_t wlen,
			size_t skip)
{
	struct vici_err err;
	struct vici_node *root;

	root = vici_parse(msg, len, &err);
	if (!root) {
		if (!memchr(err.msg, '\0', sizeof(err.msg)) || !err.msg[0])
			abort();
		return;
	}
	walk(root, 0);
	round_trip(root, op, name, want, wlen, skip);
	vici_free(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vici_packet pkt;
	struct vici_err err;
	size_t off = 0;
	int r;

	/* a bare message, rebuilt as a CMD_RESPONSE (prefix + type byte) */
	one_message(data, size, VICI_CMD_RESPONSE, NULL, data, size, 5);
	while (off < size) {
		r = vici_split(data + off, size - off, &pkt, &err);
		if (r <= 0)
			break;
		if (pkt.total > size - off || pkt.total < 5)
			abort();
		/* the whole segment must come back, prefix and name too */
		one_message(pkt.body, pkt.body_len, pkt.type,
			    pkt.name[0] ? pkt.name : NULL, data + off,
			    pkt.total, 0);
		off += pkt.total;
	}
	return 0;
}
