// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtd: the agent's main loop, signals, config (re)loading and the
 * systemd protocol.
 *
 *   vpnrtd [-c FILE] [--vici URI] [--control PATH] [--state-dir DIR]
 *          [--check] [--foreground] [-v|--verbose]
 *
 * Start: read and validate the config (any error: exit 1, nothing
 * touched), open the kernel, rtnetlink and control sockets, connect to
 * charon, reconcile. SIGHUP or `vpnrtctl agent reload` re-reads the file
 * and applies only the difference; a file that fails validation changes
 * nothing. SIGTERM stops the daemon and leaves everything in place: the
 * kernel keeps forwarding and probing, charon keeps its SAs, and the
 * next start adopts them.
 */
#define _GNU_SOURCE	/* accept4, SO_PEERCRED, pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "hostroute.h"
#include "log.h"
#include "vpnrtd.h"

#define RECONCILE_PERIOD_MS	30000
#define RECONCILE_RETRY_MS	3000

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vpnrtd [-c FILE] [--vici URI] [--control PATH] [--state-dir DIR]\n"
		"              [--check] [--foreground] [-v]\n"
		"  -c, --config FILE   the configuration (default %s)\n"
		"  --vici URI          charon's VICI socket (default %s)\n"
		"  --control PATH      the control socket vpnrtctl uses (default %s)\n"
		"  --state-dir DIR     generated keys and state (default %s)\n"
		"  --check             validate FILE, print every error, exit 0 or 1\n"
		"  --foreground        do not detach (the default under systemd)\n"
		"  -v, --verbose       log debug messages too\n",
		CFG_DEFAULT_FILE, VPNRTD_DEF_VICI, VPNRTD_DEF_CONTROL,
		VPNRTD_DEF_STATE_DIR);
}

struct tun_state *vpnrtd_tun(struct vpnrtd *d, const char *conn, int pos)
{
	for (int i = 0; i < d->n_tuns; i++)
		if (d->tuns[i].pos == pos && !strcmp(d->tuns[i].conn, conn))
			return &d->tuns[i];
	return NULL;
}

/* ---- generated pre-shared keys ---- */

static int mkdirs(const char *path, mode_t mode)
{
	char buf[4096];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -1;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, mode) && errno != EEXIST ? -1 : 0;
}

/*
 * The key of a tunnel with no psk in the file: kept in
 * STATE_DIR/psk/<conn>.<pos> (0600), made once from the kernel's random
 * source and logged once, so the operator can give it to the peer.
 */
static int psk_fill(struct vpnrtd *d, const char *conn, int pos, struct cfg_ike *ike)
{
	static const char alphabet[] =
		"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
	char dir[4096], path[4200], key[VPNRTD_GEN_PSK_LEN + 1];
	unsigned char rnd[VPNRTD_GEN_PSK_LEN];
	FILE *f;
	int fd;

	snprintf(dir, sizeof(dir), "%s/psk", d->state_dir);
	snprintf(path, sizeof(path), "%s/%s.%d", dir, conn, pos);
	f = fopen(path, "r");
	if (f) {
		char line[CFG_PSK_MAX + 2];
		size_t n;

		if (!fgets(line, sizeof(line), f)) {
			fclose(f);
			vlog(LOG_ERR, "connection %s: tunnel %d: %s is empty; delete it to make a new key",
			     conn, pos, path);
			return -1;
		}
		fclose(f);
		n = strcspn(line, "\n");
		line[n] = '\0';
		if (n < 1 || n > CFG_PSK_MAX) {
			vlog(LOG_ERR, "connection %s: tunnel %d: the key in %s has %zu characters; 1..%d allowed",
			     conn, pos, path, n, CFG_PSK_MAX);
			return -1;
		}
		memcpy(ike->psk, line, n + 1);
		return 0;
	}
	if (mkdirs(dir, 0700)) {
		vlog(LOG_ERR, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		vlog(LOG_ERR, "no random bytes for a key: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < VPNRTD_GEN_PSK_LEN; i++)
		key[i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
	key[VPNRTD_GEN_PSK_LEN] = '\0';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || dprintf(fd, "%s\n", key) < 0 || fsync(fd)) {
		vlog(LOG_ERR, "cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	memcpy(ike->psk, key, sizeof(key));
	vlog(LOG_NOTICE, "connection %s: tunnel %d: no psk configured; generated %s (kept in %s; give it to the peer)",
	     conn, pos, key, path);
	return 0;
}

static int psks_fill(struct vpnrtd *d, struct cfg *cfg)
{
	for (int g = 0; g < cfg->n_gws; g++)
		for (int c = 0; c < cfg->gws[g].n_conns; c++) {
			struct cfg_conn *cc = &cfg->gws[g].conns[c];

			for (int t = 0; t < cc->n_tunnels; t++) {
				struct cfg_tunnel *ct = &cc->tunnels[t];

				if (!ct->ike_none && ct->ike.psk_generated &&
				    psk_fill(d, cc->name, t + 1, &ct->ike))
					return -1;
			}
		}
	return 0;
}

/* ---- applying a config ---- */

/* the tunnel table for cfg, keeping what is known of tunnels that stay */
static int tuns_rebuild(struct vpnrtd *d, const struct cfg *cfg)
{
	struct tun_state *v;
	int n = 0, k = 0;

	for (int g = 0; g < cfg->n_gws; g++)
		for (int c = 0; c < cfg->gws[g].n_conns; c++)
			n += cfg->gws[g].conns[c].n_tunnels;
	v = calloc((size_t)n + 1, sizeof(*v));
	if (!v)
		return -1;
	for (int g = 0; g < cfg->n_gws; g++)
		for (int c = 0; c < cfg->gws[g].n_conns; c++) {
			const struct cfg_conn *cc = &cfg->gws[g].conns[c];

			for (int t = 0; t < cc->n_tunnels; t++, k++) {
				struct tun_state *old = vpnrtd_tun(d, cc->name, t + 1);

				if (old)
					v[k] = *old;
				snprintf(v[k].conn, sizeof(v[k].conn), "%s", cc->name);
				v[k].pos = t + 1;
			}
		}
	free(d->tuns);
	d->tuns = v;
	d->n_tuns = n;
	return 0;
}

/* hand cfg's IKE tunnels to the IKE module; 0, or -1 (logged, unchanged) */
static int ike_apply(struct vpnrtd *d, const struct cfg *cfg)
{
	struct ike_tunnel *v;
	int n = 0, cap = 0, err;

	for (int g = 0; g < cfg->n_gws; g++)
		for (int c = 0; c < cfg->gws[g].n_conns; c++)
			cap += cfg->gws[g].conns[c].n_tunnels;
	v = calloc((size_t)cap + 1, sizeof(*v));
	if (!v)
		return -1;
	for (int g = 0; g < cfg->n_gws; g++)
		for (int c = 0; c < cfg->gws[g].n_conns; c++) {
			const struct cfg_conn *cc = &cfg->gws[g].conns[c];

			for (int t = 0; t < cc->n_tunnels; t++) {
				if (cc->tunnels[t].ike_none)
					continue;
				snprintf(v[n].conn, sizeof(v[n].conn), "%s", cc->name);
				v[n].pos = t + 1;
				v[n].t = &cc->tunnels[t];
				n++;
			}
		}
	err = ike_set_tunnels(d->ike, v, n);
	free(v);
	return err;
}

static void reconcile(void *arg)
{
	struct vpnrtd *d = arg;
	int err;

	err = kernel_reconcile(d);
	if (!err)
		link_prune(d);
	/* ike: none devices found, IKE states missed: the BGP sessions follow */
	bgp_sync_tunnels(d);
	d->announce = false;
	if (err != 0 && !d->reconcile_failed)
		vlog(LOG_WARNING, "not everything could be applied; retrying every %d s",
		     RECONCILE_RETRY_MS / 1000);
	else if (!err && d->reconcile_failed)
		vlog(LOG_NOTICE, "kernel state matches the config again");
	d->reconcile_failed = err != 0;
	sd_notifyf(0, "STATUS=%s", err ? "out of sync with the config, retrying" :
		   "running, in sync with the config");
	loop_timer_arm(d->loop, &d->reconcile_timer,
		       err ? RECONCILE_RETRY_MS : RECONCILE_PERIOD_MS);
}

void vpnrtd_kick(struct vpnrtd *d, uint64_t delay_ms)
{
	if (d->reconcile_timer.armed &&
	    d->reconcile_timer.due_ms <= loop_now_ms() + delay_ms)
		return;
	loop_timer_arm(d->loop, &d->reconcile_timer, delay_ms);
}

static void print_errors(const struct cfg_errors *errs)
{
	for (int i = 0; i < errs->n; i++)
		vlog(LOG_ERR, "%s", errs->msg[i]);
}

int vpnrtd_reload(struct vpnrtd *d)
{
	struct cfg_errors errs = { 0 };
	struct cfg *cfg = NULL, *old;

	sd_notify(0, "RELOADING=1");
	d->reload_time = time(NULL);
	if (cfg_load(d->cfg_file, &cfg, &errs) || psks_fill(d, cfg)) {
		print_errors(&errs);
		d->reload_ok = false;
		d->n_reload_errs = errs.n ? errs.n : 1;
		snprintf(d->reload_msg, sizeof(d->reload_msg),
			 "refused, nothing changed: %s%s",
			 errs.n ? errs.msg[0] : "a generated key could not be read or made",
			 errs.n > 1 ? " (and more: see the log)" : "");
		vlog(LOG_ERR, "reload: %s has %d error%s; the running configuration stays",
		     d->cfg_file, d->n_reload_errs, d->n_reload_errs > 1 ? "s" : "");
		cfg_errors_free(&errs);
		cfg_free(cfg);
		sd_notify(0, "READY=1");
		return -1;
	}
	old = d->cfg;
	if (ike_apply(d, cfg)) {
		cfg_free(cfg);
		snprintf(d->reload_msg, sizeof(d->reload_msg),
			 "refused, nothing changed: the IKE settings could not be mapped for charon (see the log)");
		d->reload_ok = false;
		sd_notify(0, "READY=1");
		return -1;
	}
	if (tuns_rebuild(d, cfg)) {
		/* the IKE module has the new tunnels: go back to the old ones */
		ike_apply(d, old);
		cfg_free(cfg);
		snprintf(d->reload_msg, sizeof(d->reload_msg), "refused: out of memory");
		d->reload_ok = false;
		sd_notify(0, "READY=1");
		return -1;
	}
	d->cfg = cfg;
	cfg_free(old);
	d->reload_ok = true;
	d->n_reload_errs = 0;
	snprintf(d->reload_msg, sizeof(d->reload_msg), "applied %s", d->cfg_file);
	vlog(LOG_NOTICE, "reload: %s read; applying the difference", d->cfg_file);
	d->announce = true;
	reconcile(d);
	if (bgp_apply(d))
		vlog(LOG_WARNING, "reload: not every BGP setting could be applied (see above)");
	sd_notify(0, "READY=1");
	return 0;
}

/* ---- IKE events ---- */

static void on_charon(void *arg, bool connected)
{
	struct vpnrtd *d = arg;

	vlog(connected ? LOG_NOTICE : LOG_WARNING, "charon %s (%s)",
	     connected ? "connected" : "connection lost", d->vici_uri);
}

static void on_tunnel(void *arg, const char *conn, int pos, bool up, const char *why)
{
	struct vpnrtd *d = arg;
	struct tun_state *ts = vpnrtd_tun(d, conn, pos);
	bool first;

	if (!ts)
		return;
	snprintf(ts->ike_why, sizeof(ts->ike_why), "%s", why ? why : "");
	if (ts->ike_known && ts->ike_up == up)
		return;
	first = !ts->ike_known;
	ts->ike_known = true;
	ts->ike_up = up;
	vlog(LOG_NOTICE, "connection %s: tunnel %d: IKE %s: %s", conn, pos,
	     up ? "up" : "down", ts->ike_why);
	/*
	 * The first word after a start is compared with the kernel by a
	 * reconcile (a restart changes nothing that is already right); a
	 * change goes to the kernel at once.
	 */
	if (first)
		vpnrtd_kick(d, 0);
	else if (kernel_set_tunnel_ike(d, conn, pos, up))
		vpnrtd_kick(d, RECONCILE_RETRY_MS);
	bgp_tunnel(d, conn, pos, up);
}

static const struct ike_ops ike_ops = {
	.charon = on_charon,
	.tunnel_state = on_tunnel,
};

/* ---- signals, watchdog ---- */

static void on_signal(void *arg, uint32_t events)
{
	struct vpnrtd *d = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(d->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			vlog(LOG_NOTICE, "SIGHUP: reloading %s", d->cfg_file);
			vpnrtd_reload(d);
			break;
		case SIGTERM:
		case SIGINT:
			vlog(LOG_NOTICE, "signal %u: stopping; the kernel keeps forwarding and charon keeps its SAs",
			     si.ssi_signo);
			d->stop = true;
			break;
		}
	}
}

static void on_watchdog(void *arg)
{
	struct vpnrtd *d = arg;

	sd_notify(0, "WATCHDOG=1");
	loop_timer_arm(d->loop, &d->watchdog_timer, d->watchdog_usec / 2000);
}

static int check_only(const char *file)
{
	struct cfg_errors errs = { 0 };
	struct cfg *cfg = NULL;
	int n_conns = 0, n_tuns = 0;

	if (cfg_load(file, &cfg, &errs)) {
		for (int i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msg[i]);
		fprintf(stderr, "vpnrtd: %s: %d error%s\n", file, errs.n,
			errs.n == 1 ? "" : "s");
		cfg_errors_free(&errs);
		return 1;
	}
	for (int g = 0; g < cfg->n_gws; g++)
		for (int c = 0; c < cfg->gws[g].n_conns; c++) {
			n_conns++;
			n_tuns += cfg->gws[g].conns[c].n_tunnels;
		}
	printf("vpnrtd: %s: valid (%d gateway%s, %d connection%s, %d tunnel%s)\n", file,
	       cfg->n_gws, cfg->n_gws == 1 ? "" : "s", n_conns, n_conns == 1 ? "" : "s",
	       n_tuns, n_tuns == 1 ? "" : "s");
	cfg_free(cfg);
	return 0;
}

/*
 * Without --foreground and outside systemd: detach once set up; the
 * parent exits 0 when the child is ready, 1 if it failed to start.
 */
static int detach(int *ready_fd)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 1 ? 0 : 1);
	}
	close(p[0]);
	setsid();
	*ready_fd = p[1];
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "vici", required_argument, NULL, 'V' },
		{ "control", required_argument, NULL, 'C' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "check", no_argument, NULL, 'k' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct vpnrtd d = {
		.cfg_file = CFG_DEFAULT_FILE,
		.control_path = VPNRTD_DEF_CONTROL,
		.state_dir = VPNRTD_DEF_STATE_DIR,
		.vici_uri = VPNRTD_DEF_VICI,
		.control_fd = -1,
		.signal_fd = -1,
	};
	struct cfg_errors errs = { 0 };
	bool check = false, foreground = false;
	int opt, ready_fd = -1, ret = 1;
	sigset_t mask;

	while ((opt = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': d.cfg_file = optarg; break;
		case 'V': d.vici_uri = optarg; break;
		case 'C': d.control_path = optarg; break;
		case 'S': d.state_dir = optarg; break;
		case 'k': check = true; break;
		case 'f': foreground = true; break;
		case 'v': log_set_level(LOG_DEBUG); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "vpnrtd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (check)
		return check_only(d.cfg_file);

	if (cfg_load(d.cfg_file, &d.cfg, &errs)) {
		print_errors(&errs);
		vlog(LOG_ERR, "%s: %d error%s; not starting, nothing changed", d.cfg_file,
		     errs.n, errs.n == 1 ? "" : "s");
		cfg_errors_free(&errs);
		return 1;
	}
	if (!foreground && !getenv("NOTIFY_SOCKET") && detach(&ready_fd)) {
		vlog(LOG_ERR, "cannot detach: %s", strerror(errno));
		return 1;
	}
	d.started = time(NULL);
	d.loop = loop_new();
	if (!d.loop || psks_fill(&d, d.cfg) || tuns_rebuild(&d, d.cfg))
		goto out;
	loop_timer_init(&d.reconcile_timer, reconcile, &d);
	loop_timer_init(&d.watchdog_timer, on_watchdog, &d);

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d.signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d.signal_fd < 0 || loop_add_fd(d.loop, d.signal_fd, EPOLLIN, on_signal, &d)) {
		vlog(LOG_ERR, "cannot watch signals: %s", strerror(errno));
		goto out;
	}
	if (kernel_open(&d) || link_open(&d) || control_open(&d))
		goto out;
	{
		char err[256];

		/* without it BGP runs, learned routes stay out of the VPC table */
		d.hostroute = hostroute_new(d.loop, err, sizeof(err));
		if (!d.hostroute)
			vlog(LOG_ERR, "host routes (VPC table): %s", err);
	}
	d.ike = ike_new(d.loop, d.vici_uri, &ike_ops, &d);
	if (!d.ike) {
		vlog(LOG_ERR, "cannot start the IKE client");
		goto out;
	}
	if (ike_apply(&d, d.cfg))
		goto out;
	vlog(LOG_NOTICE, "vpnrtd %s started: %s, charon at %s, control %s", VPNRT_VERSION,
	     d.cfg_file, d.vici_uri, d.control_path);
	/*
	 * BGP after the first reconcile (the connections its routes name
	 * exist), graceful restart first: the kernel's BGP routes are marked
	 * stale before any session can refresh them.
	 */
	d.announce = true;
	reconcile(&d);
	if ((bgp_open(&d) | bgp_apply(&d)) != 0)
		vlog(LOG_WARNING, "BGP: not everything could be set up (see above); the rest runs");
	if (sd_watchdog_enabled(0, &d.watchdog_usec) > 0 && d.watchdog_usec >= 2000)
		on_watchdog(&d);
	sd_notify(0, "READY=1");
	if (ready_fd >= 0) {
		int devnull = open("/dev/null", O_RDWR);

		if (write(ready_fd, "r", 1) != 1)
			vlog(LOG_WARNING, "could not tell the parent we are ready");
		close(ready_fd);
		ready_fd = -1;
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			close(devnull);
		}
	}
	while (!d.stop) {
		int n = loop_run_once(d.loop, -1);

		if (n < 0) {
			vlog(LOG_ERR, "event loop: %s", strerror(-n));
			goto out;
		}
	}
	sd_notify(0, "STOPPING=1");
	ret = 0;
out:
	/* no NOTIFICATION: the peers keep our routes, the kernel keeps its */
	bgp_close(&d);
	if (d.hostroute)
		hostroute_free(d.hostroute);	/* leaves its routes */
	if (d.ike)
		ike_free(d.ike);
	control_close(&d);
	link_close(&d);
	kernel_close(&d);
	if (d.signal_fd >= 0)
		close(d.signal_fd);
	loop_free(d.loop);
	cfg_free(d.cfg);
	free(d.tuns);
	return ret;
}
