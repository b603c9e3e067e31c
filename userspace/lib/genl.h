/* SPDX-License-Identifier: GPL-2.0 */
/* Talking to the vpnrt generic netlink family with libnl-genl-3. */
#ifndef VPNRT_GENL_H
#define VPNRT_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netlink/netlink.h>
#include <netlink/handlers.h>

struct vpnrt_nl {
	struct nl_sock *sk;
	int family_id;
	uint32_t version;
	int events_grp;		/* multicast group id, or -1 */
};

/* socket buffer sizes asked for (the kernel may cap them) */
#define VPNRT_NL_RCVBUF		(8 << 20)
#define VPNRT_NL_SNDBUF		(1 << 20)

/*
 * Open a socket and resolve the family. Extended ACKs are enabled (and
 * acks capped, so a 60 KiB request is not echoed back), automatic acks
 * are off (requests set NLM_F_ACK themselves), buffers are large.
 * 0, or -1 with the reason in err (module not loaded, ...).
 */
int vpnrt_nl_open(struct vpnrt_nl *nl, char *err, size_t errlen);
void vpnrt_nl_close(struct vpnrt_nl *nl);

/* The outcome of one request. */
struct vpnrt_xfer {
	/* called for each reply message (not for acks and errors) */
	int (*fn)(struct nl_msg *msg, void *arg);	/* NL_OK, NL_STOP, ... */
	void *arg;
	uint32_t seq;		/* of the request; replies with others are skipped */
	bool check_seq;
	bool done;		/* ack, error or end of dump seen */
	bool dump_intr;		/* a reply had NLM_F_DUMP_INTR */
	int error;		/* the kernel's -errno, or a negative libnl error
				 * (nl_error set), 0 on success */
	bool nl_error;
	char msg[512];		/* the extack message, "" if none */
	uint32_t offset;	/* extack NLMSGERR_ATTR_OFFS, 0 if none */
};

/*
 * Extract the error and the extended-ACK message of an NLMSG_ERROR
 * message (with or without NLM_F_CAPPED). Returns the error (0 for an
 * ack, -errno), or 1 if nlh is not a well-formed NLMSG_ERROR. msg gets
 * NLMSGERR_ATTR_MSG or "", offset NLMSGERR_ATTR_OFFS or 0.
 */
int vpnrt_extack_parse(const struct nlmsghdr *nlh, char *msg, size_t len,
		       uint32_t *offset);

/*
 * Install the handlers that fill x into cb: valid replies to x->fn, acks,
 * end of dump, errors (with the extack message), NLM_F_DUMP_INTR.
 */
void vpnrt_xfer_set_cb(struct nl_cb *cb, struct vpnrt_xfer *x);
/*
 * Receive until the request's ack, error or end of dump. cb: a callback
 * set to clone (NULL: the socket's). 0 on success, else x->error.
 */
int vpnrt_nl_wait(struct nl_sock *sk, struct nl_cb *cb, struct vpnrt_xfer *x);
/* Send msg (completing port and sequence number) and vpnrt_nl_wait(). */
int vpnrt_nl_xfer(struct nl_sock *sk, struct nl_msg *msg, struct vpnrt_xfer *x);
/* "msg" or strerror(-error) or nl_geterror(), for printing */
const char *vpnrt_xfer_strerror(const struct vpnrt_xfer *x);

#endif
