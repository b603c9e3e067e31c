# SPDX-License-Identifier: GPL-2.0
# The test network, sourced by data-path selftests after lib.sh:
#
#   vpc --- gw (vpngw0) ===xfrm1,xfrm3 (ESP over u1)=== dc1
#                       ===xfrm2,xfrm4 (ESP over u2)=== dc2
#
# vpc 10.10.0.2/24 fd10::2/64, default via gw. gw routes 172.16.0.0/12 and
# fd20::/16 to vpngw0; vpnrt routes pick the tunnel. dc1 and dc2 accept
# everything in 172.16.0.0/12 and fd20::/16 as local, and route the health
# probe sources 10.99.N.0/24 and fd99:N::/64 back through tunnel N. Each
# xfrmN is a real ESP tunnel (AES-GCM) with if_id N on both sides.

# esp_tunnel NS_A NS_B IF ID UNDER_A UNDER_B OUTER_A OUTER_B: ip -batch lines
esp_side() {
	local ifn=$1 id=$2 under=$3 la=$4 ra=$5 spi_out=$6 spi_in=$7
	local key=0x$(printf '%02x' "$id")0102030405060708090a0b0c0d0e0f10111213
	cat <<EOB
link add $ifn type xfrm dev $under if_id $id
link set $ifn addrgenmode none
link set $ifn up
xfrm state add src $la dst $ra proto esp spi $spi_out reqid $id mode tunnel if_id $id flag af-unspec aead rfc4106(gcm(aes)) $key 128
xfrm state add src $ra dst $la proto esp spi $spi_in reqid $id mode tunnel if_id $id flag af-unspec aead rfc4106(gcm(aes)) $key 128
xfrm policy add dir out src 0.0.0.0/0 dst 0.0.0.0/0 if_id $id tmpl src $la dst $ra proto esp reqid $id mode tunnel
xfrm policy add dir in src 0.0.0.0/0 dst 0.0.0.0/0 if_id $id tmpl src $ra dst $la proto esp reqid $id mode tunnel
xfrm policy add dir fwd src 0.0.0.0/0 dst 0.0.0.0/0 if_id $id tmpl src $ra dst $la proto esp reqid $id mode tunnel
xfrm policy add dir out src ::/0 dst ::/0 if_id $id tmpl src $la dst $ra proto esp reqid $id mode tunnel
xfrm policy add dir in src ::/0 dst ::/0 if_id $id tmpl src $ra dst $la proto esp reqid $id mode tunnel
xfrm policy add dir fwd src ::/0 dst ::/0 if_id $id tmpl src $ra dst $la proto esp reqid $id mode tunnel
EOB
}

topo_setup() {
	setup_ns vpc gw dc1 dc2 || return 1
	ip link add v0 netns "$vpc" type veth peer name v0 netns "$gw" &&
	ip link add u1 netns "$gw" type veth peer name u1 netns "$dc1" &&
	ip link add u2 netns "$gw" type veth peer name u2 netns "$dc2" || return 1

	ip -n "$vpc" -batch - <<EOB || return 1
link set v0 up
addr add 10.10.0.2/24 dev v0
addr add fd10::2/64 dev v0 nodad
route add default via 10.10.0.1
route add ::/0 via fd10::1
EOB
	{
		cat <<EOB
link set v0 up
link set u1 up
link set u2 up
addr add 10.10.0.1/24 dev v0
addr add fd10::1/64 dev v0 nodad
addr add 192.0.2.1/30 dev u1
addr add 192.0.2.5/30 dev u2
EOB
		esp_side xfrm1 1 u1 192.0.2.1 192.0.2.2 0x1001 0x2001
		esp_side xfrm3 3 u1 192.0.2.1 192.0.2.2 0x1003 0x2003
		esp_side xfrm2 2 u2 192.0.2.5 192.0.2.6 0x1002 0x2002
		esp_side xfrm4 4 u2 192.0.2.5 192.0.2.6 0x1004 0x2004
	} | ip -n "$gw" -batch - || return 1
	for dc in 1 2; do
		local ns a b
		ns=$([ $dc = 1 ] && echo "$dc1" || echo "$dc2")
		a=$([ $dc = 1 ] && echo 192.0.2.2 || echo 192.0.2.6)
		b=$([ $dc = 1 ] && echo 192.0.2.1 || echo 192.0.2.5)
		{
			cat <<EOB
link set u$dc up
addr add $a/30 dev u$dc
route add local 172.16.0.0/12 dev lo
route add local fd20::/16 dev lo
EOB
			esp_side xfrm$dc $dc u$dc "$a" "$b" 0x200$dc 0x100$dc
			esp_side xfrm$((dc + 2)) $((dc + 2)) u$dc "$a" "$b" \
				0x200$((dc + 2)) 0x100$((dc + 2))
			# health probe sources of tunnel N: 10.99.N.0/24, fd99:N::/64
			echo "route add 10.99.$dc.0/24 dev xfrm$dc"
			echo "route add 10.99.$((dc + 2)).0/24 dev xfrm$((dc + 2))"
			echo "route add fd99:$dc::/64 dev xfrm$dc"
			echo "route add fd99:$((dc + 2))::/64 dev xfrm$((dc + 2))"
		} | ip -n "$ns" -batch - || return 1
	done
	ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 || return 1
	for ns in "$dc1" "$dc2"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 || return 1
	done
	vpnrt_load || return 1
	ip netns exec "$gw" "$VPNRTCTL" gateway add vpngw0 || return 1
	ip -n "$gw" -batch - <<EOB
route add 172.16.0.0/12 dev vpngw0
route add fd20::/16 dev vpngw0
EOB
}

# vpnrtctl in the gateway's netns
gwctl() {
	ip netns exec "$gw" "$VPNRTCTL" "$@"
}

# rx packet counts of the dc side tunnels: "xfrm1 N xfrm3 N" style, one
# process per namespace
dc_rx() {
	local ns
	for ns in "$dc1" "$dc2"; do
		ip -n "$ns" -s -o link show type xfrm 2>/dev/null
	done | awk '{ name = $2; sub(":$", "", name); sub("@.*", "", name);
		for (i = 1; i <= NF; i++) if ($i == "RX:") { print name, $(i + 9); break } }'
}

# send N UDP datagrams from vpc to DST, each from a new socket (a new
# source port, so a new flow); one process in all
send_flows() {
	local dst=$1 n=$2 port=${3:-9}
	ip netns exec "$vpc" bash -c '
		for ((i = 0; i < $2; i++)); do
			exec 3>/dev/udp/$1/$3 && echo x >&3
			exec 3>&-
		done 2>/dev/null' send "$dst" "$n" "$port"
}
