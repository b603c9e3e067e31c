#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 100,000 routes (VPNRT_SCALE_ROUTES): loaded by one `vpnrtctl -b` batch,
# dumped whole, looked up, flushed with their connection; a dump
# interrupted by a change says so (NLM_F_DUMP_INTR), an undisturbed one
# does not.
. "$(dirname "$0")/lib.sh"
require_root
for c in ip jq awk; do
	command -v "$c" >/dev/null || { ktap_fail "needs $c"; ktap_finish; }
done
DUMP_INTR=${DUMP_INTR:-$(dirname "$VPNRTCTL")/selftest-helpers/dump_intr}
N=${VPNRT_SCALE_ROUTES:-100000}

setup_ns ns || { ktap_fail "netns"; ktap_finish; }
vpnrt_load || { ktap_fail "insmod"; ktap_finish; }
C() { ip netns exec "$ns" "$VPNRTCTL" "$@"; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }

prep() {
	ip -n "$ns" link add xfrm1 type xfrm if_id 1 &&
	ip -n "$ns" link set xfrm1 up &&
	C gateway add vpngw0 &&
	C conn add c1 gateway vpngw0 tunnel xfrm1
}
check "gateway and conn" prep

# N distinct /24s from 10.0.0.0 upwards
awk -v n=$N 'BEGIN { for (i = 0; i < n; i++)
	printf "route add %d.%d.%d.0/24 conn c1\n", 10 + int(i / 65536),
		int(i / 256) % 256, i % 256 }' >"$TMPDIR/routes.batch"
t0=$(ms)
check "load $N routes with one batch" C -b "$TMPDIR/routes.batch"
t1=$(ms)
echo "# load: $N routes in $((t1 - t0)) ms"
check_eq "gateway counts $N static routes" $N \
	"$(C -j gateway show vpngw0 | jq '.[0].routes')"

t0=$(ms)
lines=$(C route show | wc -l)
t1=$(ms)
echo "# dump: $lines routes in $((t1 - t0)) ms"
check_eq "text dump has every route" $N "$lines"
last=$(awk -v i=$((N - 1)) 'BEGIN { printf "%d.%d.%d.0/24", 10 + int(i / 65536), int(i / 256) % 256, i % 256 }')
check_eq "JSON dump has every route, in order" \
	"$N 10.0.0.0/24 $last" \
	"$(C -j route show | jq -r '"\(length) \(.[0].prefix) \(.[-1].prefix)"')"
check_eq "lookup of the last route" "$last" \
	"$(C -j route get "${last%.0/24}.9" gateway vpngw0 | jq -r .prefix)"

check_eq "undisturbed dump is not flagged" "routes $N interrupted 0" \
	"$(ip netns exec "$ns" "$DUMP_INTR" -)"
check_eq "dump with a change in between is flagged NLM_F_DUMP_INTR" \
	"interrupted 1" \
	"$(ip netns exec "$ns" "$DUMP_INTR" "$VPNRTCTL route add 12.0.0.0/8 conn c1" |
	   grep -o 'interrupted [01]')"

t0=$(ms)
check "delete the conn and its $((N + 1)) routes" C conn del c1
t1=$(ms)
echo "# flush: $((N + 1)) routes in $((t1 - t0)) ms"
check_eq "gateway has no routes left" 0 \
	"$(C -j gateway show vpngw0 | jq '.[0].routes')"
ktap_finish
