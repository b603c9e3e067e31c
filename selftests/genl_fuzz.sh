#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The genetlink family fuzzed (issue 13): helpers/genlfuzz builds valid,
# boundary and mutated messages of every command of
# Documentation/netlink/vpnrt.yaml (read at run time) and sends them in
# batches from the gateway's netns of topo.sh, while traffic crosses the
# gateway (a ping from vpc through conn c1's ESP tunnel, topo.sh's network
# with one tunnel) and c1's health
# check probes every 500 ms. Then: the module answers, the state is what
# the accepted requests say (genlfuzz's own checks: what existed before is
# unchanged, its sentinel gateway matches its model, the dumps are
# consistent, and once it deleted its gateways the dumps equal those of
# the start), traffic and the health check still work, everything deleted
# leaves empty dumps, and the module unloads (kmemleak: vm-run's scan at
# the guest's end, and one here when GENL_FUZZ_KMEMLEAK=1).
#
# GENL_FUZZ_COUNT (default 1000000) and GENL_FUZZ_SECONDS (default 25)
# bound the run, whichever comes first; GENL_FUZZ_MIN (default 1000) is
# the fewest messages that pass; GENL_FUZZ_SEED replays a run. make check
# runs the defaults (about 25 s of sending); `make fuzz` (scripts/fuzz)
# the full million on the debug kernel.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
. "$(dirname "$0")/lean_lib.sh"
require_root
require_cmd ip jq ping

HELPERS=${HELPERS:-$(dirname "$VPNRTCTL")/selftest-helpers}
COUNT=${GENL_FUZZ_COUNT:-1000000}
SECONDS_MAX=${GENL_FUZZ_SECONDS:-25}
MIN=${GENL_FUZZ_MIN:-1000}
SPEC=$VPNRT_TOP/Documentation/netlink/vpnrt.yaml
[ -x "$HELPERS/genlfuzz" ] || fail_all "no $HELPERS/genlfuzz (make -C userspace)"

# lean_lib.sh's vpc --- gw (vpngw0) ===xfrm1=== dc1
lean_setup || { ktap_fail "topology set up"; ktap_finish; }
# pool tunnels for the fuzzer's conns, one for its sentinel conn
setup() {
	ip -n "$gw" -batch - <<EOB &&
link add ft0 type xfrm dev u1 if_id 20
link add ft1 type xfrm dev u1 if_id 21
link add ft2 type xfrm dev u1 if_id 22
link add ft3 type xfrm dev u1 if_id 23
link add fk0 type xfrm dev u1 if_id 24
link set ft0 up
link set ft1 up
link set fk0 up
EOB
	lean_c1
}
check "traffic gateway vpngw0, conn c1 probed every 500 ms, routes" setup

check "c1 health up" lean_c1_up

# traffic during the whole run: 5 pings a second through c1
ip netns exec "$vpc" ping -q -i 0.2 -W 2 172.16.1.1 >"$TMPDIR/fuzz-ping.out" 2>&1 &
pinger=$!

# a hang ends with the fuzzer's message (an answer 60 s late), or here
limit=
[ "$SECONDS_MAX" = 0 ] || limit="timeout -s INT $((SECONDS_MAX + 150))"
start=$(date +%s)
ip netns exec "$gw" $limit "$HELPERS/genlfuzz" --spec "$SPEC" --answer-timeout 60 \
	--tunnels ft0,ft1,ft2,ft3 --keep-tunnel fk0 \
	-n "$COUNT" -t "$SECONDS_MAX" ${GENL_FUZZ_SEED:+-s "$GENL_FUZZ_SEED"} \
	>"$TMPDIR/fuzz.out" 2>&1
rc=$?
if [ $rc = 124 ]; then
	echo "# genlfuzz killed after $((SECONDS_MAX + 150)) s; blocked tasks:"
	echo w >/proc/sysrq-trigger
	dmesg | tail -n 60 | sed 's/^/#   /'
fi
took=$(($(date +%s) - start))
sed 's/^/# /' "$TMPDIR/fuzz.out" | grep -v '^# genlfuzz: [0-9]* messages, ' | head -n 40
sent=$(sed -n 's/.*: sent \([0-9]*\) messages.*/\1/p' "$TMPDIR/fuzz.out")
seed=$(sed -n 's/^genlfuzz: seed \([0-9]*\)$/\1/p' "$TMPDIR/fuzz.out" | head -n 1)
check_eq "genlfuzz (seed $seed) ran to its end, state checks passed, in ${took}s" \
	"exit 0" "exit $rc"
check "at least $MIN messages sent (${sent:-0})" test "${sent:-0}" -ge "$MIN"

kill -INT $pinger 2>/dev/null
wait $pinger
# "N packets transmitted, M received"
read -r tx rx < <(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' \
	"$TMPDIR/fuzz-ping.out")
check "traffic flowed during the fuzz (${rx:-0} of ${tx:-0} pings answered)" \
	test "${rx:-0}" -gt 0 -a "$((${rx:-0} * 10))" -ge "$((${tx:-1} * 9))"
check "c1 health still up" lean_c1_up
# everything deleted: the dumps are empty
lean_end "${GENL_FUZZ_KMEMLEAK:-0}"
ktap_finish
