#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The data path over real ESP tunnels: traffic from vpc is counted (and
# captured) arriving in dc1/dc2, proving that each priority rule picks
# the tunnel it should, that ECMP spreads flows, and that admin down and
# a deleted tunnel device move traffic at once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
require_root
require_cmd ip jq tcpdump ping

topo_setup || { ktap_fail "topology set up"; ktap_finish; }
ktap_ok "topology: vpc, gw, dc1, dc2 with four ESP tunnels"

add_conns() {
	gwctl conn add c1 gateway vpngw0 tunnel xfrm1 &&
	gwctl conn add c2 gateway vpngw0 tunnel xfrm2 &&
	gwctl conn add c3 gateway vpngw0 tunnel xfrm3 tunnel xfrm4 mode active-standby
}
check "conns c1 (xfrm1), c2 (xfrm2), c3 (xfrm3 + xfrm4 active-standby)" add_conns

# send N flows to DST and compare per-tunnel arrivals with "xfrmA=N xfrmB=M"
# (tunnels not named must see nothing)
expect_path() {
	local what=$1 dst=$2 n=$3 want=$4 before after got
	before=$(dc_rx)
	send_flows "$dst" "$n"
	sleep 0.2
	after=$(dc_rx)
	got=$(awk 'NR == FNR { b[$1] = $2; next }
		   { d = $2 - b[$1]; if (d) printf "%s=%d ", $1, d }' \
		<(echo "$before") <(echo "$after"))
	check_eq "$what" "$want" "${got% }"
}

# expect_drop WHAT DST: nothing usable and no fallback: 3 datagrams and
# a ping to DST reach the gateway, are dropped there and counted
# (no_route), the ping is answered with ICMP net unreachable, and
# nothing arrives in dc1 or dc2
expect_drop() {
	local what=$1 dst=$2 before after nr0 nr1 out got
	before=$(dc_rx)
	nr0=$(gwctl -j -s gateway show vpngw0 | jq '.[0].stats.no_route')
	send_flows "$dst" 3
	out=$(ip netns exec "$vpc" ping -n -c 1 -W 2 "$dst" 2>&1)
	nr1=$(gwctl -j -s gateway show vpngw0 | jq '.[0].stats.no_route')
	after=$(dc_rx)
	got=$(awk 'NR == FNR { b[$1] = $2; next }
		   { d = $2 - b[$1]; if (d) printf "%s=%d ", $1, d }' \
		<(echo "$before") <(echo "$after"))
	check_eq "$what: nothing arrives in dc1 or dc2" "" "${got% }"
	check_eq "$what: the 3 datagrams and the ping counted as no_route" 4 \
		"$((${nr1:-0} - ${nr0:-0}))"
	check "$what: ping answered with net unreachable by the gateway" \
		grep -q "^From 10.10.0.1 .*Destination Net Unreachable" <<<"$out"
}

add_routes() {
	gwctl -b - <<EOB
route add 172.16.0.0/16 conn c2
route add 172.16.1.0/24 conn c1
route add 172.16.3.0/24 conn c1 weight 0
route add 172.16.3.0/24 conn c2
route add 172.16.4.0/24 conn c1 proto bgp pref 10
route add 172.16.4.0/24 conn c2
route add 172.16.6.0/24 conn c3
route add fd20:1::/32 conn c1
route add fd20::/16 conn c2
EOB
}
check "routes: static, more specific, standby, BGP, IPv6 (one batch)" add_routes

expect_path "rule 2: 172.16.1.0/24 beats 172.16.0.0/16 (dc1)" 172.16.1.5 10 "xfrm1=10"
expect_path "rule 2: the /16 for the rest (dc2)" 172.16.2.5 10 "xfrm2=10"
check "policy route 172.16.2.0/24 from 10.10.0.0/24 via c1" \
	gwctl route add 172.16.2.0/24 from 10.10.0.0/24 conn c1 priority 5
expect_path "rule 1: policy route first (dc1)" 172.16.2.5 10 "xfrm1=10"
check "policy route deleted" \
	gwctl route del 172.16.2.0/24 from 10.10.0.0/24 conn c1
expect_path "back to the destination route (dc2)" 172.16.2.5 10 "xfrm2=10"
expect_path "rule 3: static beats BGP (dc2)" 172.16.4.5 10 "xfrm2=10"
check "static route deleted" gwctl route del 172.16.4.0/24 conn c2
expect_path "the BGP route remains (dc1)" 172.16.4.5 10 "xfrm1=10"
expect_path "rule 4: active weight 100 over standby 0 (dc2)" 172.16.3.5 10 "xfrm2=10"
check "admin down c2" gwctl conn set c2 admin down
expect_path "admin down: at once to the standby (dc1)" 172.16.3.5 10 "xfrm1=10"
expect_drop "admin down: the /16 (c2 only) never uses an admin-down conn" 172.16.2.5
check "admin up c2" gwctl conn set c2 admin up
expect_path "switch back to the active (dc2)" 172.16.3.5 10 "xfrm2=10"
expect_path "IPv6: fd20:1::/32 (dc1)" fd20:1::5 10 "xfrm1=10"
expect_path "IPv6: fd20::/16 (dc2)" fd20:2::5 10 "xfrm2=10"

# ECMP: 200 flows over c1 and c2, each within 35..65 %
ecmp_routes() {
	gwctl route add 172.16.5.0/24 conn c1 && gwctl route add 172.16.5.0/24 conn c2
}
check "ECMP routes 172.16.5.0/24 via c1 and c2" ecmp_routes
before=$(dc_rx)
send_flows 172.16.5.5 200
sleep 0.2
after=$(dc_rx)
read -r e1 e2 < <(awk 'NR == FNR { b[$1] = $2; next } { d[$1] = $2 - b[$1] }
	END { print d["xfrm1"], d["xfrm2"] }' <(echo "$before") <(echo "$after"))
echo "# ECMP: 200 flows -> dc1 $e1, dc2 $e2"
check "ECMP: all 200 flows arrive" test $((e1 + e2)) -eq 200
check "ECMP: spread within 35/65 (dc1 $e1, dc2 $e2)" \
	bash -c "[ $e1 -ge 70 ] && [ $e1 -le 130 ]"

# active-standby inside one connection, and a tunnel device deleted
expect_path "dual tunnel: tunnel 1 active (xfrm3)" 172.16.6.5 10 "xfrm3=10"
check "delete the gateway side of xfrm3" ip -n "$gw" link del xfrm3
expect_path "deleted tunnel: at once to tunnel 2 (xfrm4)" 172.16.6.5 10 "xfrm4=10"
check_eq "conn show: xfrm3 is no-device (and link: it went down first)" \
	"down no-device,link" \
	"$(gwctl -j conn show c3 | jq -r '.[0].tunnels[0] | "\(.state) \(.down_reason | join(","))"')"

# capture: what dc1 receives is the packet vpc sent
ip netns exec "$dc1" timeout 90 tcpdump -n -i xfrm1 -c 5 -w "$TMPDIR/cap.pcap" \
	udp and dst host 172.16.1.7 2>"$TMPDIR/tcpdump.err" &
tpid=$!
for _ in $(seq 50); do
	grep -q listening "$TMPDIR/tcpdump.err" 2>/dev/null && break
	sleep 0.1
done
send_flows 172.16.1.7 5
wait $tpid
check_eq "capture in dc1: 5 datagrams 10.10.0.2 -> 172.16.1.7 after ESP" 5 \
	"$(tcpdump -n -r "$TMPDIR/cap.pcap" 2>/dev/null | grep -c 'IP 10.10.0.2.[0-9]* > 172.16.1.7.9: UDP')"

# no route: dropped, counted, ICMP net unreachable
nr0=$(gwctl -j -s gateway show vpngw0 | jq '.[0].stats.no_route')
out=$(ip netns exec "$vpc" ping -n -c 1 -W 2 172.31.0.1 2>&1)
nr1=$(gwctl -j -s gateway show vpngw0 | jq '.[0].stats.no_route')
check "no route: ICMP net unreachable to the sender" grep -q "Unreachable" <<<"$out"
check_eq "no route: counted" 1 $((nr1 - nr0))

# tunnel counters agree with what arrived
tx1=$(gwctl -j -s conn show c1 | jq '.[0].tunnels[0].stats.tx_packets')
rx1=$(dc_rx | awk '$1 == "xfrm1" { print $2 }')
check_eq "c1 tunnel tx counter equals dc1 xfrm1 rx" "$rx1" "$tx1"

ktap_finish
