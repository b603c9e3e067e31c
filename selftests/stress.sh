#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The concurrency stress of the genetlink family (issue 13):
# helpers/nlstress forks workers that, at the same time and each on its
# own socket, add/delete/replace route batches (IPv4 and IPv6, over
# several conns, with all-or-none failures), create, change (admin,
# health, tunnel rebind) and delete conns, reconfigure the health check
# of the traffic conn c1, dump gateways, conns and routes, look routes up,
# and change the gateway's settings (and create and delete a second
# gateway), for STRESS_SECONDS (default 30), while pings cross the gateway
# through c1's ESP tunnel (topo.sh's network with one tunnel, as in
# genl_fuzz.sh) and more go to the stressed routes. Each worker checks
# every answer against its model; then every worker puts its objects into
# a fixed final state and nlstress checks the dumps against it exactly.
# Then: traffic passed, c1's health check is back at its final settings
# and up, the module answers, kmemleak (scanned twice) reports nothing,
# the gateway deletes to empty dumps and the module unloads.
#
# The TAP comments give each kind's operations and rate. STRESS_SEED
# replays the workers' choices (not their interleaving). make check runs
# 30 s on the debug kernel; `make stress` (scripts/stress) 10 minutes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
. "$(dirname "$0")/lean_lib.sh"
require_root
require_cmd ip jq ping

HELPERS=${HELPERS:-$(dirname "$VPNRTCTL")/selftest-helpers}
SECS=${STRESS_SECONDS:-30}
[ -x "$HELPERS/nlstress" ] || fail_all "no $HELPERS/nlstress (make -C userspace)"
[[ $SECS =~ ^[1-9][0-9]*$ ]] || fail_all "STRESS_SECONDS: '$SECS' is not a number of seconds"

# lean_lib.sh's vpc --- gw (vpngw0) ===xfrm1=== dc1, and the stressed
# conns' tunnels (no SA: what they get is dropped)
stress_tunnels() {
	local i

	for i in $(seq 0 7); do
		echo "link add st$i type xfrm dev u1 if_id $((30 + i))"
		echo "link set st$i up"
	done
}
stress_setup() {
	lean_setup stress_tunnels &&
	ip -n "$gw" route add 100.64.0.0/10 dev vpngw0
}
stress_setup || { ktap_fail "topology set up"; ktap_finish; }
# the workers are to run at once, not take turns on one CPU: make
# check's guest for this test has two vCPUs (selftests/vcpus), as make
# stress's has (vm-run's default)
ncpu=$(nproc)
check "the workers have $ncpu CPUs online (2 or more)" test "$ncpu" -ge 2
check "gateway vpngw0, traffic conn c1 probed every 500 ms, its routes" lean_c1
check "c1 health up" lean_c1_up

# traffic during the whole run: 5 pings a second through c1, 10 a second
# to destinations of the route workers (dropped on their tunnels: they
# only make the fast path look up routes being changed)
ip netns exec "$vpc" ping -q -i 0.2 -W 2 172.16.1.1 >"$TMPDIR/stress-ping.out" 2>&1 &
pinger=$!
ip netns exec "$vpc" ping -q -i 0.1 -W 1 100.64.0.65 >/dev/null 2>&1 &
pinger2=$!

start=$(date +%s)
ip netns exec "$gw" timeout -s INT $((SECS + 300)) "$HELPERS/nlstress" \
	--gateway vpngw0 --seconds "$SECS" --tunnels st0,st1,st2,st3,st4,st5,st6,st7 \
	--route-workers 2 --churn-workers 2 --dump-workers 1 --lookup-workers 1 \
	--health-conn c1 --health-dst 172.16.255.1 --health-src 10.99.1.1 \
	--fixed-conn c1 --expect 172.16.1.1=c1 --scratch-gw vpngw9 \
	${STRESS_SEED:+--seed "$STRESS_SEED"} >"$TMPDIR/stress.out" 2>&1
rc=$?
took=$(($(date +%s) - start))
if [ $rc = 124 ]; then
	echo "# nlstress killed after $((SECS + 300)) s; blocked tasks:"
	echo w >/proc/sysrq-trigger
	dmesg | tail -n 60 | sed 's/^/#   /'
fi
sed 's/^/# /' "$TMPDIR/stress.out" | head -n 60
seed=$(sed -n 's/^nlstress: seed \([0-9]*\)$/\1/p' "$TMPDIR/stress.out")
check_eq "nlstress (seed $seed): ${SECS}s of stress, every answer as modelled, final state exact, in ${took}s" \
	"exit 0" "exit $rc"
kinds() {
	local k
	for k in route churn health dump lookup gwset; do
		grep -Eq "^nlstress: $k: [0-9]+ workers, [1-9][0-9]* ops" "$TMPDIR/stress.out" ||
			{ echo "# no $k operations"; return 1; }
	done
}
check "every kind of worker did work" kinds

kill -INT $pinger $pinger2 2>/dev/null
wait $pinger
wait $pinger2
read -r tx rx < <(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' \
	"$TMPDIR/stress-ping.out")
check "traffic through c1 during the stress (${rx:-0} of ${tx:-0} pings answered)" \
	test "${rx:-0}" -gt 0 -a "$((${rx:-0} * 10))" -ge "$((${tx:-1} * 9))"
final_health() {
	gwctl -j conn show c1 | jq -e '.[0].tunnels[0].health.interval_ms == 500 and
		.[0].tunnels[0].health.retries == 3' >/dev/null ||
		{ echo "# c1: $(gwctl -j conn show c1)"; return 1; }
}
check "c1 health at its final settings (500 ms, 3 retries)" final_health
check "c1 health up again" lean_c1_up
check "traffic through c1 after the stress" ip netns exec "$vpc" ping -c 3 -i 0.2 -W 2 -q 172.16.1.1
# what the stress leaked (the guest's end scans again, vm-run's check)
lean_end 1
ktap_finish
