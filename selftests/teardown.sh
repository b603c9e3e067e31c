#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tearing down with live state: rmmod while traffic crosses the gateway,
# a netns deleted with gateways, conns and routes in it, a gateway deleted
# with `ip link del`. Leaks show up as kmemleak reports (debug kernel),
# stuck device references as "waiting for ... to become free" or a hang.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
require_root
require_cmd ip jq

topo_setup || { ktap_fail "topology set up"; ktap_finish; }
populate() {
	gwctl conn add c1 gateway vpngw0 tunnel xfrm1 &&
	gwctl conn add c2 gateway vpngw0 tunnel xfrm2 tunnel xfrm4 mode ecmp &&
	gwctl -b - <<EOB
route add 172.16.0.0/12 conn c1
route add 172.16.0.0/12 conn c2
route add 172.17.0.0/16 from 10.10.0.0/24 conn c2 priority 3
route add 172.18.0.0/16 conn c1 proto bgp pref 3
route add fd20::/16 conn c2
EOB
}
check "gateway with two conns and routes of every kind" populate

# traffic for a few seconds, from another process
ip netns exec "$vpc" bash -c '
	end=$((SECONDS + 6))
	while [ $SECONDS -lt $end ]; do
		for i in 1 2 3 4 5 6 7 8; do
			exec 3>/dev/udp/172.16.$i.1/9 && echo x >&3
			exec 3>&-
		done 2>/dev/null
	done
	exit 0' &
traffic=$!
sleep 2
rx_before=$(dc_rx | awk '{ s += $2 } END { print s }')
check "traffic is flowing ($rx_before packets arrived)" test "$rx_before" -gt 0
check "rmmod vpnrt under traffic" rmmod vpnrt
check_fail "vpngw0 went with the module" ip -n "$gw" link show vpngw0
wait $traffic
check_eq "the sender ran to its end, unharmed" 0 $?

# a netns with live state, deleted
vpnrt_load || ktap_fail "insmod again"
nsdel() {
	local n
	n=vpnrt-del-$$
	ip netns add $n &&
	ip -n $n link add xa type xfrm if_id 1 &&
	ip -n $n link add xb type xfrm if_id 2 &&
	ip netns exec $n "$VPNRTCTL" gateway add g0 &&
	ip -n $n link add g1 type vpnrt &&
	ip netns exec $n "$VPNRTCTL" conn add a gateway g0 tunnel xa tunnel xb &&
	ip netns exec $n "$VPNRTCTL" conn add b gateway g1 tunnel xb 2>/dev/null;
	ip netns exec $n "$VPNRTCTL" -b - <<EOB &&
route add 10.0.0.0/8 conn a
route add 10.1.0.0/16 from 192.168.0.0/16 conn a
route add 2001:db8::/32 conn a proto bgp pref 1
EOB
	ip netns del $n
}
check "netns with two gateways, conns and routes deleted" nsdel
check "ip link del of a gateway with state" bash -c "
	ip -n '$gw' link add g2 type vpnrt &&
	ip netns exec '$gw' '$VPNRTCTL' conn add c9 gateway g2 tunnel xfrm1 &&
	ip netns exec '$gw' '$VPNRTCTL' route add 10.0.0.0/8 conn c9 &&
	ip -n '$gw' link del g2"
# cleanup_net runs in the background: give it a moment, then the module
# must go (a leaked device reference would hang the netns cleanup)
sleep 2
check "rmmod after the netns is gone" timeout 60 rmmod vpnrt
ktap_finish
