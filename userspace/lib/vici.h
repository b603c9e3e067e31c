/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VICI wire codec (strongSwan's control protocol, vici/README.md):
 * a packet builder, a stream splitter and a strict message parser that
 * yields a tree. No I/O here; vpnrtd owns the sockets.
 *
 * Stream segment: u32 big-endian length (of what follows), then the
 * packet: u8 type, for named types a u8 name length + name, then the
 * message: a sequence of elements inside an implicit root section.
 */
#ifndef VPNRT_VICI_H
#define VPNRT_VICI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* the daemon disconnects a client that declares more (vici_socket.h) */
#define VICI_PACKET_MAX		(512 * 1024)
#define VICI_NAME_MAX		255
#define VICI_VALUE_MAX		65535
/* section nesting below the implicit root; deeper input is refused */
#define VICI_DEPTH_MAX		32
#define VICI_ERR_LEN		128

enum vici_op {
	VICI_CMD_REQUEST	= 0,	/* named */
	VICI_CMD_RESPONSE	= 1,
	VICI_CMD_UNKNOWN	= 2,
	VICI_EVENT_REGISTER	= 3,	/* named */
	VICI_EVENT_UNREGISTER	= 4,	/* named */
	VICI_EVENT_CONFIRM	= 5,
	VICI_EVENT_UNKNOWN	= 6,
	VICI_EVENT		= 7,	/* named */
};

enum vici_elem {
	VICI_SECTION_START	= 1,	/* name */
	VICI_SECTION_END	= 2,
	VICI_KEY_VALUE		= 3,	/* name, value */
	VICI_LIST_START		= 4,	/* name */
	VICI_LIST_ITEM		= 5,	/* value */
	VICI_LIST_END		= 6,
};

struct vici_node;

struct vici_err {
	char msg[VICI_ERR_LEN];
};

/* true for the packet types that carry a name */
bool vici_op_named(unsigned int op);

/* ---- builder ---- */

/*
 * Errors are sticky: the first one is kept in err.msg, every later call
 * returns -1 and vici_build_finish() fails, so a caller may check once.
 */
struct vici_builder {
	uint8_t *buf;		/* whole segment, length prefix included */
	size_t len, cap;
	int depth;		/* open sections below the root */
	bool in_list;
	bool failed;
	struct vici_err err;
};

/* name is required for named types and must be NULL for the others */
int vici_build_init(struct vici_builder *b, enum vici_op op,
		    const char *name);
int vici_build_section(struct vici_builder *b, const char *name);
int vici_build_section_end(struct vici_builder *b);
int vici_build_kv(struct vici_builder *b, const char *key,
		  const void *val, size_t len);
int vici_build_kv_str(struct vici_builder *b, const char *key,
		      const char *val);
int vici_build_list(struct vici_builder *b, const char *name);
int vici_build_item(struct vici_builder *b, const void *val, size_t len);
int vici_build_item_str(struct vici_builder *b, const char *val);
int vici_build_list_end(struct vici_builder *b);
/* appends the members of a parsed section (e.g. a root) */
int vici_build_tree(struct vici_builder *b, const struct vici_node *sec);
/* closes the segment; *pkt stays owned by b until vici_build_free() */
int vici_build_finish(struct vici_builder *b, const uint8_t **pkt,
		      size_t *len);
void vici_build_free(struct vici_builder *b);

/* ---- stream splitter ---- */

struct vici_packet {
	enum vici_op type;
	char name[VICI_NAME_MAX + 1];	/* "" for unnamed types */
	const uint8_t *body;		/* message, points into the input */
	size_t body_len;
	size_t total;			/* segment size, length prefix included */
};

/*
 * Looks at the start of a byte stream. Returns 1 and fills *pkt if a
 * whole segment is there (consume pkt->total bytes), 0 if more bytes are
 * needed (pkt->total is the segment size once the prefix is in, else 0),
 * -1 with err set if the stream is bad and the connection must be dropped.
 */
int vici_split(const uint8_t *buf, size_t len, struct vici_packet *pkt,
	       struct vici_err *err);

/* ---- message tree ---- */

enum vici_node_type {
	VICI_N_SECTION,		/* name (NULL for the root), children */
	VICI_N_KV,		/* name, value */
	VICI_N_LIST,		/* name, children are items */
	VICI_N_ITEM,		/* value */
};

struct vici_node {
	enum vici_node_type type;
	const char *name;
	/* binary, len bytes plus a NUL the wire does not carry */
	const uint8_t *value;
	size_t len;
	struct vici_node *first, *next;	/* children, in wire order */
};

/*
 * Parses a message (packet body). Returns the root section, one
 * allocation released by vici_free(), or NULL with err set.
 */
struct vici_node *vici_parse(const uint8_t *msg, size_t len,
			     struct vici_err *err);
/* a buffer holding exactly one segment: vici_split() plus vici_parse() */
struct vici_node *vici_parse_packet(const uint8_t *buf, size_t len,
				    struct vici_packet *pkt,
				    struct vici_err *err);
void vici_free(struct vici_node *root);

#define vici_for_each(c, parent) \
	for ((c) = (parent) ? (parent)->first : NULL; (c); (c) = (c)->next)

/* first member of a section with that name; NULL if none or not a section */
const struct vici_node *vici_find(const struct vici_node *sec,
				  const char *name);
/* the same, and only if it has that type */
const struct vici_node *vici_find_type(const struct vici_node *sec,
				       enum vici_node_type type,
				       const char *name);
/* walks names down from sec: vici_path(root, "child-sas", "net-1", NULL) */
const struct vici_node *vici_path(const struct vici_node *sec, ...)
	__attribute__((sentinel));
size_t vici_count(const struct vici_node *n);
/* a key/value or list item as a C string; NULL if it holds a NUL byte */
const char *vici_str(const struct vici_node *n);
/* vici_str() of the key/value key in sec */
const char *vici_get_str(const struct vici_node *sec, const char *key);
/* plain decimal without sign or spaces; -1 if missing, bad or too big */
int vici_get_u64(const struct vici_node *sec, const char *key,
		 uint64_t *out);

#endif
