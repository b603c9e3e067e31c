/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vpnrtd: the agent. It owns the chain config -> IKE SA -> tunnel device
 * -> vpnrt connection -> routes and reconciles it: main.c runs the loop
 * and the signals, kernel.c brings the vpnrt objects to the config,
 * link.c the tunnel devices, ike.c charon's conns and SAs, control.c the
 * socket vpnrtctl asks.
 */
#ifndef VPNRTD_H
#define VPNRTD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "bgp.h"
#include "config.h"
#include "genl.h"
#include "ike.h"
#include "loop.h"

#define VPNRTD_DEF_CONTROL	"/run/vpnrt/vpnrtd.sock"
#define VPNRTD_DEF_STATE_DIR	"/var/lib/vpnrt"
#define VPNRTD_DEF_VICI		"unix:///var/run/charon.vici"
#define VPNRTD_GEN_PSK_LEN	16

/* what the daemon knows of one configured tunnel between reconciles */
struct tun_state {
	char conn[VPNRT_CONN_NAME_MAX];
	int pos;			/* 1 or 2 */
	bool ike_known;			/* charon has told us */
	bool ike_up;
	char ike_why[128];
	uint32_t ifindex;		/* of its device, 0 if none */
};

struct vpnrtd {
	struct loop *loop;
	const char *cfg_file;
	const char *control_path;
	const char *state_dir;
	const char *vici_uri;
	struct cfg *cfg;		/* the running config */
	struct ike *ike;
	struct vpnrt_nl nl;		/* vpnrt generic netlink, requests */
	struct vpnrt_nl nl_ev;		/* vpnrt events */
	struct nl_sock *rtnl;		/* rtnetlink requests (libnl-route) */
	struct nl_sock *rtnl_ev;	/* link events */
	int control_fd;
	int signal_fd;
	bool stop;
	time_t started;
	/* the last reload: when, and its result ("ok" or the first error) */
	time_t reload_time;
	bool reload_ok;
	char reload_msg[512];
	int n_reload_errs;
	/* per configured tunnel, in config order */
	int n_tuns;
	struct tun_state *tuns;
	struct loop_timer reconcile_timer;
	struct loop_timer watchdog_timer;
	uint64_t watchdog_usec;
	bool reconcile_failed;		/* retry on the timer */
	bool announce;			/* first reconcile of a start or reload:
					 * say what is left alone (else debug) */
	struct bgp *bgp;		/* bgp.c's speakers; NULL: none */
	struct hostroute *hostroute;	/* VPC and advertised host tables */
	/* control.c's listener for BGP state changes (monitor); may be NULL */
	void (*bgp_event)(struct vpnrtd *d, const struct bgp_event *ev);
};

/* kernel.c */
int kernel_open(struct vpnrtd *d);
void kernel_close(struct vpnrtd *d);
/* Bring the kernel's vpnrt objects to d->cfg. 0, or -1 (logged). */
int kernel_reconcile(struct vpnrtd *d);
/* A tunnel's IKE state to the kernel; 0 or -1 (logged). */
int kernel_set_tunnel_ike(struct vpnrtd *d, const char *conn, int pos,
			  bool up);


/* link.c: the tunnel devices */
int link_open(struct vpnrtd *d);
void link_close(struct vpnrtd *d);
/*
 * Make tunnel t's device exist as configured (created by vpnrtd for IKE
 * tunnels, found for ike: none ones): its ifindex, or 0 with the reason
 * in err.
 */
uint32_t link_ensure(struct vpnrtd *d, const struct cfg_conn *c,
		     const struct cfg_tunnel *t, char *err, size_t errlen);
/* Delete devices vpnrtd created that the config no longer names. */
void link_prune(struct vpnrtd *d);
/* Bring the gateway device up if it is not; 0 or -1 (logged). */
int link_gw_up(struct vpnrtd *d, const char *name);
/* the most bytes ESP in tunnel mode adds to a packet of tunnel t */
unsigned int link_esp_overhead(const struct cfg_tunnel *t);

/* control.c */
int control_open(struct vpnrtd *d);
void control_close(struct vpnrtd *d);

/* main.c */
struct tun_state *vpnrtd_tun(struct vpnrtd *d, const char *conn, int pos);
/* schedule a reconcile soon (after events, failures) */
void vpnrtd_kick(struct vpnrtd *d, uint64_t delay_ms);
/* re-read the config file; 0 applied, -1 refused (state unchanged) */
int vpnrtd_reload(struct vpnrtd *d);

#endif
