# SPDX-License-Identifier: GPL-2.0
# Sourced by genl_fuzz.sh and stress.sh, after lib.sh and topo.sh: topo.sh's
# network with one ESP tunnel, vpc --- gw (vpngw0) ===xfrm1=== dc1 (the
# whole topo_setup costs a minute on the debug kernel), and the traffic
# conn c1 over it, probed every 500 ms.

# lean_setup [FN]: the network, the module and vpngw0 with 172.16.0.0/12
# routed to it; FN, if given, prints more `ip -batch` lines for gw (the
# test's own tunnel devices)
lean_setup() {
	local more=${1:-}

	setup_ns vpc gw dc1 || return 1
	ip link add v0 netns "$vpc" type veth peer name v0 netns "$gw" &&
	ip link add u1 netns "$gw" type veth peer name u1 netns "$dc1" || return 1
	ip -n "$vpc" -batch - <<EOB || return 1
link set v0 up
addr add 10.10.0.2/24 dev v0
route add default via 10.10.0.1
EOB
	{
		cat <<EOB
link set v0 up
link set u1 up
addr add 10.10.0.1/24 dev v0
addr add 192.0.2.1/30 dev u1
EOB
		esp_side xfrm1 1 u1 192.0.2.1 192.0.2.2 0x1001 0x2001
		[ -z "$more" ] || "$more"
	} | ip -n "$gw" -batch - || return 1
	{
		cat <<EOB
link set u1 up
addr add 192.0.2.2/30 dev u1
route add local 172.16.0.0/12 dev lo
EOB
		esp_side xfrm1 1 u1 192.0.2.2 192.0.2.1 0x2001 0x1001
		echo "route add 10.99.1.0/24 dev xfrm1"
		echo "route add 10.10.0.0/24 dev xfrm1"
	} | ip -n "$dc1" -batch - || return 1
	ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 &&
	ip netns exec "$dc1" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 &&
	vpnrt_load &&
	gwctl gateway add vpngw0 &&
	ip -n "$gw" route add 172.16.0.0/12 dev vpngw0
}

# the traffic conn c1 on xfrm1, probed every 500 ms, with a static, a
# policy and a BGP route
lean_c1() {
	gwctl -b - <<EOB
conn add c1 gateway vpngw0 tunnel xfrm1
conn set c1 health dst 172.16.255.1 src 10.99.1.1 interval 500ms
route add 172.16.0.0/12 conn c1
route add 172.17.0.0/16 from 10.10.0.0/24 conn c1 priority 3
route add fd20::/16 conn c1 proto bgp pref 2
EOB
}

lean_c1_health() {
	gwctl -j conn show c1 | jq -r '.[0].tunnels[0].health.state'
}

# c1's health is up, within 20 s
lean_c1_up() {
	local i

	for i in $(seq 40); do
		[ "$(lean_c1_health)" = up ] && return 0
		sleep 0.5
	done
	echo "# c1 health: $(lean_c1_health)"
	return 1
}

# no kmemleak report after two scans
lean_kmemleak() {
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	! grep -q unreferenced /sys/kernel/debug/kmemleak ||
		{ head -n 60 /sys/kernel/debug/kmemleak | sed 's/^/# /'; return 1; }
}

# the gateway's dumps are empty
lean_empty() {
	local what

	for what in gateway conn route; do
		[ "$(gwctl -j $what show | jq length)" = 0 ] ||
			{ echo "# $what show: $(gwctl -j $what show)"; return 1; }
	done
}

# lean_end KMEMLEAK: the end of a test on this network: the module still
# answers a lookup through c1, the gateway is deleted, every dump is
# empty and the module unloads; with KMEMLEAK=1, on a kernel with
# kmemleak, after rmmod, kmemleak has no report
lean_end() {
	check "the module answers: route lookup through c1" bash -c \
		"ip netns exec '$gw' '$VPNRTCTL' route get 172.16.1.1 gateway vpngw0 | grep -q c1"
	check "gateway deleted" gwctl gateway del vpngw0
	check "dumps of gateways, conns and routes are empty" lean_empty
	check "rmmod vpnrt" timeout 120 rmmod vpnrt
	[ "$1" = 1 ] && [ -w /sys/kernel/debug/kmemleak ] || return 0
	check "no kmemleak report after rmmod (two scans)" lean_kmemleak
}
