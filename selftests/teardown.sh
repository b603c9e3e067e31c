#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tearing down with live state: rmmod while traffic crosses the gateway,
# a netns deleted with gateways, conns and routes in it, a gateway deleted
# with `ip link del`. Leaks show up as kmemleak reports (debug kernel),
# stuck device references as "waiting for ... to become free" or a hang.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
require_root
for c in ip jq; do
	command -v "$c" >/dev/null || { ktap_fail "needs $c"; ktap_finish; }
done

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

# traffic for a few seconds, from another process, which counts its
# sends: each must succeed (vpc routes to gw, whatever gw then does)
ip netns exec "$vpc" bash -c '
	end=$((SECONDS + 6)) ok=0 failed=0
	while [ $SECONDS -lt $end ]; do
		for i in 1 2 3 4 5 6 7 8; do
			if exec 3>/dev/udp/172.16.$i.1/9 && echo x >&3; then
				ok=$((ok + 1))
			else
				failed=$((failed + 1))
			fi
			exec 3>&-
		done 2>/dev/null
	done
	echo "failed $failed"
	[ $failed = 0 ] && [ $ok -gt 0 ]' >"$TMPDIR/sender.out" 2>&1 &
traffic=$!
sleep 2
rx_before=$(dc_rx | awk '{ s += $2 } END { print s }')
check "traffic is flowing ($rx_before packets arrived)" test "$rx_before" -gt 0
check "rmmod vpnrt under traffic" rmmod vpnrt
check_fail_msg "vpngw0 went with the module" 'Device "vpngw0" does not exist' \
	ip -n "$gw" link show vpngw0
wait $traffic
rc=$?
check_eq "the sender ran to its end, every send succeeded" "failed 0, exit 0" \
	"$(cat "$TMPDIR/sender.out"), exit $rc"

# a netns with live state, deleted: gateways g0 (vpnrtctl) and g1 (ip
# link), conn a with two tunnels on g0, conn b on g1, routes of each kind
check "insmod again" vpnrt_load
setup_ns delns || ktap_fail "netns to delete"
D() { ip netns exec "$delns" "$VPNRTCTL" "$@"; }
nsfill() {
	ip -n "$delns" -batch - <<EOB &&
link add xa type xfrm if_id 1
link add xb type xfrm if_id 2
link add xc type xfrm if_id 3
link add g1 type vpnrt
EOB
	D -b - <<EOB &&
gateway add g0
conn add a gateway g0 tunnel xa tunnel xb
conn add b gateway g1 tunnel xc
route add 10.0.0.0/8 conn a
route add 10.1.0.0/16 from 192.168.0.0/16 conn a
route add 2001:db8::/32 conn a proto bgp pref 1
route add 10.0.0.0/8 conn b
EOB
	D -j conn show | jq -r 'sort_by(.name) | map("\(.name) \(.gateway) \(.routes)") | join(", ")'
}
check_eq "netns with conns a (g0, 3 routes) and b (g1, 1 route)" \
	"a g0 3, b g1 1" "$(nsfill 2>&1)"
check "that netns deleted" ip netns del "$delns"
check "ip link del of a gateway with state" bash -c "
	ip -n '$gw' link add g2 type vpnrt &&
	ip netns exec '$gw' '$VPNRTCTL' conn add c9 gateway g2 tunnel xfrm1 &&
	ip netns exec '$gw' '$VPNRTCTL' route add 10.0.0.0/8 conn c9 &&
	ip -n '$gw' link del g2"
# a gateway whose four tunnels are probed (every 10 ms, answered), deleted:
# its probers go with one grace period for all of them; each tunnel's
# receive handler must be gone, or the next gateway's probers could not
# take them; conn names and ids are free again
probed() {
	ip -n "$gw" link add "$1" type vpnrt &&
	gwctl -b - <<EOB &&
conn add p1 gateway $1 tunnel xfrm1 tunnel xfrm3 id 7
conn add p2 gateway $1 tunnel xfrm2 tunnel xfrm4
conn set p1 tunnel xfrm1 health dst 172.16.255.1 src 10.99.1.1 interval 10ms
conn set p1 tunnel xfrm3 health dst 172.16.255.1 src 10.99.3.1 interval 10ms
conn set p2 tunnel xfrm2 health dst 172.16.255.2 src 10.99.2.1 interval 10ms
conn set p2 tunnel xfrm4 health dst 172.16.255.2 src 10.99.4.1 interval 10ms
route add 10.200.0.0/16 conn p1
route add 10.200.0.0/16 conn p2
EOB
	gwctl -j conn show | jq -r 'sort_by(.name) | map("\(.name) \(.id)") | join(", ")'
}
check_eq "gateway g3: conns p1 (id 7) and p2, four probed tunnels" "p1 7, p2 1" \
	"$(probed g3 2>&1)"
check "g3 deleted with its probers running" ip -n "$gw" link del g3
check_eq "g4 takes the same tunnels, names and ids, probed again" "p1 7, p2 1" \
	"$(probed g4 2>&1)"
check "g4 deleted" ip -n "$gw" link del g4
# a netns whose gateway has 8 conns, each probed over an xfrm interface
# of that netns, deleted: the gateway goes first (vpnrt's pre_exit), its
# probers with one grace period for all; none is waited for per tunnel.
# The xfrm interface module loaded after vpnrt (as at boot, vpnrt first)
# has its netns exit run before vpnrt's exit_batch, and reached the conns
# one device at a time: it is reloaded here (the topology's interfaces
# are unused by now). Counted from kprobe events on the synchronize
# functions, with their stacks, until cleanup_net() returns; kernels
# without kprobe events (debug) skip the check.
gp_nsdel() {
	local T=/sys/kernel/tracing ev i n ns
	ev="p:vpnrt_td/gp synchronize_rcu
p:vpnrt_td/gp_exp synchronize_rcu_expedited
r:vpnrt_td/done cleanup_net"
	if [ -e /sys/module/xfrm_interface/initstate ]; then
		rmmod xfrm_interface || return 1
	fi
	setup_ns ns || return 1
	for i in 1 2 3 4 5 6 7 8; do
		echo "link add px$i type xfrm if_id $((500 + i))"
		echo "link set px$i up"
	done | ip -n "$ns" -batch - || return 1
	{
		echo "gateway add gp0"
		for i in 1 2 3 4 5 6 7 8; do
			echo "conn add q$i gateway gp0 tunnel px$i"
			echo "conn set q$i health dst 192.0.2.$i src 10.97.$i.1 interval 100ms"
		done
	} | ip netns exec "$ns" "$VPNRTCTL" -b - || return 1
	echo 0 >"$T"/tracing_on
	echo >"$T"/trace
	echo "$ev" >>"$T"/kprobe_events || return 1
	echo 1 >"$T"/options/stacktrace
	echo 1 >"$T"/events/vpnrt_td/enable
	echo 1 >"$T"/tracing_on
	ip netns del "$ns"
	for ((n = 0; n < 300; n++)); do
		grep -q ' done: ' "$T"/trace && break
		sleep 0.1
	done
	echo 0 >"$T"/tracing_on
	cp "$T"/trace "$TMPDIR/gp.trace"
	echo 0 >"$T"/events/vpnrt_td/enable
	echo 0 >"$T"/options/stacktrace
	# shellcheck disable=SC2001 # one line per event
	sed 's/^\([pr]\):\([^ ]*\) .*/-:\2/' <<<"$ev" >>"$T"/kprobe_events
	[ $n -lt 300 ] || { echo "cleanup_net did not return in 30 s"; return 1; }
	# per tunnel: vpnrt_netdev_event waiting; for all: the gateway's
	awk '/ (gp|gp_exp): / { ev = 1; next }
		/ done: / { ev = 0 }
		/^ *=> / && ev && $2 == "vpnrt_netdev_event" { tun++; ev = 0 }
		/^ *=> / && ev && $2 == "vpnrt_conn_destroy_all" { all++; ev = 0 }
		END { printf "per tunnel %d, for all %d\n", tun, all }' "$TMPDIR/gp.trace"
}
mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
if [ -e /sys/kernel/tracing/kprobe_events ]; then
	check_eq "netns with 8 probed tunnels deleted: one grace period for the probers" \
		"per tunnel 0, for all 1" "$(gp_nsdel 2>&1)"
else
	ktap_ok "netns with 8 probed tunnels deleted # SKIP no kprobe events in this kernel"
fi
# cleanup_net runs in the background: give it a moment, then the module
# must go (a leaked device reference would hang the netns cleanup)
sleep 2
check "rmmod after the netns is gone" timeout 60 rmmod vpnrt
ktap_finish
