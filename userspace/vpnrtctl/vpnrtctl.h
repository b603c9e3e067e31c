/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vpnrtctl internals. Every command parses its arguments into vpnrt
 * objects (lib/msg.h), builds a request with vpnrt_msg_new() and hands it
 * to c->ops->xfer(); printing goes to c->out; an error leaves its text in
 * c->err (without the "vpnrtctl: " prefix, which main() adds). The ops
 * are replaced by a recorder in the unit tests.
 */
#ifndef VPNRTCTL_H
#define VPNRTCTL_H

#include <stdbool.h>
#include <stdio.h>
#include <netlink/netlink.h>

#include "genl.h"
#include "json.h"
#include "msg.h"

#ifndef VPNRT_VERSION
#define VPNRT_VERSION "unknown"
#endif

/* batch mode: routes per ROUTE_NEW/ROUTE_DEL message, and bytes */
#define VPNRTCTL_ROUTE_CHUNK	256
#define VPNRTCTL_CHUNK_BYTES	(60 * 1024)

struct vpnrtctl;

/* a reply handler: NL_OK to go on, NL_STOP to stop, NL_SKIP */
typedef int (*vpnrtctl_reply_fn)(struct nl_msg *msg, void *arg);

struct vpnrtctl_ops {
	/* make c->family_id valid (open the socket once); 0 or -1 */
	int (*open)(struct vpnrtctl *c);
	/*
	 * Send msg (not consumed) and call fn for each reply until the ack,
	 * the error or the end of the dump. 0, or -1 with c->err set (and
	 * c->err_kernel when the kernel refused). Sets c->dump_intr.
	 */
	int (*xfer)(struct vpnrtctl *c, struct nl_msg *msg,
		    vpnrtctl_reply_fn fn, void *arg);
	/* device name -> ifindex, 0 if none; ifindex -> name, NULL if none */
	unsigned int (*name2index)(struct vpnrtctl *c, const char *name);
	const char *(*index2name)(struct vpnrtctl *c, unsigned int ifindex,
				  char *buf);
	/* monitor: join the events group and deliver events to fn forever */
	int (*listen)(struct vpnrtctl *c, vpnrtctl_reply_fn fn, void *arg);
	void (*close)(struct vpnrtctl *c);
};

struct vpnrtctl {
	bool json, pretty, stats;
	FILE *out;
	const struct vpnrtctl_ops *ops;
	void *priv;			/* for the ops (tests) */

	struct vpnrt_nl nl;		/* default ops: the socket, once open */
	int family_id;

	char err[1024];
	bool err_kernel;		/* c->err came from the kernel */
	bool dump_intr;

	struct json j;
	/* monitor: vpnrtd's event stream (agent_monitor_open()) when
	 * agent_mon; its lines are copied to out between kernel events */
	bool agent_mon;
	int agent_fd;
	char agent_buf[4096];
	size_t agent_len;
	/* monitor: while !agent_mon, try vpnrtd again every
	 * AGENT_RETRY_MS (it starts later, or restarts); agent_lost: a
	 * stream was lost, say so when it is back */
	bool agent_retry, agent_lost;
	int route_chunk;		/* batch: routes per message */
	size_t chunk_bytes;		/* batch: max bytes per message */
};

extern const struct vpnrtctl_ops vpnrtctl_nl_ops;

void vpnrtctl_init(struct vpnrtctl *c);
void vpnrtctl_fini(struct vpnrtctl *c);

/* run one command line (OBJECT COMMAND ARGS); 0 or -1 (c->err) */
int vpnrtctl_run(struct vpnrtctl *c, int argc, char **argv);
/* run the commands of a file ("-" is stdin); 0 or -1 (c->err) */
int vpnrtctl_batch(struct vpnrtctl *c, const char *file);
int vpnrtctl_batch_stream(struct vpnrtctl *c, FILE *in);
void vpnrtctl_usage(FILE *out);

/* objects */
int do_gateway(struct vpnrtctl *c, int argc, char **argv);
int do_conn(struct vpnrtctl *c, int argc, char **argv);
int do_route(struct vpnrtctl *c, int argc, char **argv);
int do_monitor(struct vpnrtctl *c, int argc, char **argv);
int do_family(struct vpnrtctl *c, int argc, char **argv);
int do_agent(struct vpnrtctl *c, int argc, char **argv);
int do_ike(struct vpnrtctl *c, int argc, char **argv);
int do_bgp(struct vpnrtctl *c, int argc, char **argv);
/*
 * monitor: vpnrtd's event stream (the socket), or -1 when vpnrtd is not
 * there (a warning on stderr when it is but refuses); sets
 * c->agent_retry unless it refused
 */
int agent_monitor_open(struct vpnrtctl *c);
/* a readable event stream: copy its complete lines; -1 when it ended */
int agent_monitor_read(struct vpnrtctl *c);
/* how often monitor tries to reach vpnrtd while it has no stream */
#define AGENT_RETRY_MS	1000
/*
 * monitor without a stream (c->agent_retry): try to open it again,
 * quietly; 0 once open (a note on stderr if one was lost), else -1
 */
int agent_monitor_retry(struct vpnrtctl *c);

/*
 * Building without sending (the tests call these): argv is what follows
 * the verb. *cmd gets the netlink command.
 */
int gateway_build(struct vpnrtctl *c, const char *verb, int argc, char **argv,
		  struct nl_msg **msg);
int conn_build(struct vpnrtctl *c, const char *verb, int argc, char **argv,
	       struct nl_msg **msg);
/* route add|del: one route; route show: the filter; route get: the query */
int route_parse_change(struct vpnrtctl *c, const char *verb, int argc,
		       char **argv, struct vpnrt_route *r);
int route_build(struct vpnrtctl *c, const char *verb, int argc, char **argv,
		struct nl_msg **msg);
/* a ROUTE_NEW/ROUTE_DEL request for routes[0..n-1]; VPNRT_A_REPLACE if replace */
struct nl_msg *route_change_msg(struct vpnrtctl *c, uint8_t cmd, bool replace,
				const struct vpnrt_route *routes, int n);
/* route stale|sweep: the scope (and timeout) */
int route_parse_stale(struct vpnrtctl *c, const char *verb, int argc,
		      char **argv, struct vpnrt_stale *st);

/* printers: one object; event is NULL, or the monitor's event name */
void gateway_print(struct vpnrtctl *c, const struct vpnrt_gw *gw,
		   const char *event);
void conn_print(struct vpnrtctl *c, const struct vpnrt_conn *conn,
		const char *event);
void route_print(struct vpnrtctl *c, const struct vpnrt_route *r,
		 const char *event);
void lookup_print(struct vpnrtctl *c, const struct vpnrt_lookup *lk);
/* a VPNRT_CMD_HEALTH event: conn has the one tunnel, with its health */
void health_event_print(struct vpnrtctl *c, const struct vpnrt_conn *conn);
/* one event message of the multicast group; NL_OK */
int monitor_print(struct nl_msg *msg, void *arg);

/* ---- helpers (util.c) ---- */

#define VPNRTCTL_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* set c->err; returns -1 */
int cli_err(struct vpnrtctl *c, const char *fmt, ...) VPNRTCTL_PRINTF(2, 3);

/*
 * Keyword lookup: exact match, else a unique prefix of one of kws
 * (NULL-terminated). The index, -1 if none, -2 if ambiguous.
 */
int kw_find(const char *arg, const char *const *kws);
/* "a, b, c" */
const char *kw_join(const char *const *kws, char *buf, size_t len);
/*
 * The index of arg among kws, or -1 after setting c->err:
 * unknown keyword "arg" after "ctx"; allowed: ...
 */
int kw_expect(struct vpnrtctl *c, const char *arg, const char *const *kws,
	      const char *ctx);

/* a value token after keyword kw: NULL (and c->err) when missing */
const char *next_arg(struct vpnrtctl *c, int *i, int argc, char **argv,
		     const char *kw);

/* device name -> ifindex, -1 (c->err names it) if it does not exist */
int dev_index(struct vpnrtctl *c, const char *name, uint32_t *ifindex);
/* ifindex -> name; "if%u" when it has none */
const char *dev_name(struct vpnrtctl *c, uint32_t ifindex, char *buf);
/* a connection name: 1..VPNRT_CONN_NAME_MAX-1 characters */
int check_conn_name(struct vpnrtctl *c, const char *name);

/* open the socket (once) */
int ctl_open(struct vpnrtctl *c);
/* a new request, or NULL after c->err */
struct nl_msg *ctl_msg(struct vpnrtctl *c, uint8_t cmd, int flags,
		       size_t size);
/* xfer and free msg; 0 or -1; a dump interrupted is an error */
int ctl_xfer(struct vpnrtctl *c, struct nl_msg *msg, vpnrtctl_reply_fn fn,
	     void *arg);

/* start and end of a JSON array of objects for a show command */
void show_begin(struct vpnrtctl *c);
void show_end(struct vpnrtctl *c);

#define DUMP_INTR_MSG \
	"dump was interrupted by a concurrent change; output may be inconsistent"

#endif
