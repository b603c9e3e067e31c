#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What the gateway's tunnels receive (topo.sh, real ESP over xfrm1, xfrm2):
#
#  * rp-check: c1 (xfrm1, dc1) routes 172.16.1.0/24 and fd20:1::/48, c2
#    (xfrm2, dc2) 172.16.2.0/24 and fd20:2::/48. dc1 pings vpc from
#    sources of its own (c1's), of dc2's (c2's) and of nobody's
#    (172.16.9.0/24, fd20:9::/48), a new source per mode so that vpc's
#    nftables counters tell each ping apart. strict: only c1's arrive;
#    loose: c1's and c2's; off: all. Each drop is counted in rp_drops;
#  * the inbound MSS clamp: TCP SYNs from dc1 to vpc through xfrm1 (gw
#    side MTU 1400) with mss-clamp auto, 1200 and off, counted in vpc by
#    MSS option, and in mss_clamped;
#  * bad input: rp-check with a value it does not allow.
#
# Few processes: the pings of a mode run at once from one bash in dc1,
# which also sets the modes; vpc's counters are read by one nft.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
require_root

for t in ip ping nft; do
	check "tool $t is installed" command -v $t
done

topo_setup || { ktap_fail "topology set up"; ktap_finish; }

# sources dc1 pings from, by mode (strict 1, loose 2, off 3): 172.16.N.1M
# and fd20:N::1M for N = 1 (c1's), 2 (c2's), 9 (nobody's)
SRCS=""
for m in 1 2 3; do
	for n in 1 2 9; do
		SRCS="$SRCS 172.16.$n.1$m fd20:$n::1$m"
	done
done

setup() {
	gwctl -b - <<EOB || return 1
conn add c1 gateway vpngw0 tunnel xfrm1
conn add c2 gateway vpngw0 tunnel xfrm2
route add 172.16.1.0/24 conn c1
route add fd20:1::/48 conn c1
route add 172.16.2.0/24 conn c2
route add fd20:2::/48 conn c2
EOB
	ip -n "$gw" link set xfrm1 mtu 1400 || return 1
	{
		for s in $SRCS; do
			case $s in
			*:*) echo "addr add $s/128 dev lo nodad" ;;
			*) echo "addr add $s/32 dev lo" ;;
			esac
		done
		echo "addr add 172.16.1.1/32 dev lo"
		echo "addr add fd20:1::1/128 dev lo nodad"
		echo "route add 10.10.0.0/24 dev xfrm1 src 172.16.1.1"
		echo "route add fd10::/64 dev xfrm1 src fd20:1::1"
	} | ip -n "$dc1" -batch - || return 1
	{
		echo "add table inet rp"
		echo "add chain inet rp in { type filter hook input priority 0; }"
		for s in $SRCS; do
			case $s in
			*:*) echo "add rule inet rp in ip6 saddr $s icmpv6 type echo-request counter comment \"$s\"" ;;
			*) echo "add rule inet rp in ip saddr $s icmp type echo-request counter comment \"$s\"" ;;
			esac
		done
		for r in 7001:4:1360 7001:6:1340 7002:4:1200 7002:6:1200 \
			 7003:4:1460 7003:6:1440; do
			IFS=: read -r p f m <<<"$r"
			echo "add rule inet rp in meta nfproto ipv$f tcp dport $p tcp flags & (syn | ack) == syn tcp option maxseg size $m counter comment \"$r\""
		done
	} | ip netns exec "$vpc" nft -f -
}
check "conns c1 (xfrm1, dc1) and c2 (xfrm2, dc2) with their prefixes; dc1's sources, vpc's counters" setup

# gateway counters "rp_drops mss_clamped", from the text of -s
gw_counts() {
	local re='mss-clamped ([0-9]+) rp-drops ([0-9]+)'
	[[ $(gwctl -s gateway show vpngw0) =~ $re ]] &&
		echo "${BASH_REMATCH[2]} ${BASH_REMATCH[1]}"
}
read -r rp0 mc0 <<<"$(gw_counts)"
has() {
	[[ $2 == *"$1"* ]] || { echo "$2"; return 1; }
}

check_fail_msg "rp-check both is refused, naming what is allowed" \
	"rp-check must be strict, loose or off" gwctl gateway set vpngw0 rp-check both
check_eq "gateway show: rp-check off by default (not shown)" "vpngw0:" \
	"$(gwctl gateway show vpngw0 | cut -d' ' -f1)"

# one bash in dc1: per mode, set it, ping vpc from each source at once;
# then the SYNs with mss-clamp auto, 1200, off (rp-check strict)
out=$(ip netns exec "$dc1" timeout 60 bash -c '
	gw=$1 ctl=$2
	m=0
	for mode in strict loose off; do
		m=$((m + 1))
		ip netns exec "$gw" "$ctl" gateway set vpngw0 rp-check $mode ||
			echo "set rp-check $mode failed"
		for n in 1 2 9; do
			ping -n -c 1 -W 0.5 -I 172.16.$n.1$m 10.10.0.2 >/dev/null 2>&1 &
			ping -6 -n -c 1 -W 0.5 -I fd20:$n::1$m fd10::2 >/dev/null 2>&1 &
		done
		wait
	done
	ip netns exec "$gw" "$ctl" gateway set vpngw0 rp-check strict
	ip netns exec "$gw" "$ctl" -j gateway show vpngw0
	echo
	for step in auto:7001 1200:7002 off:7003; do
		ip netns exec "$gw" "$ctl" gateway set vpngw0 mss-clamp ${step%:*} ||
			echo "set mss-clamp ${step%:*} failed"
		for d in 10.10.0.2 fd10::2; do
			(exec 3<>/dev/tcp/$d/${step#*:}) 2>/dev/null
		done
	done' rp "$gw" "$VPNRTCTL")
check "gateway show -j: rp_check strict" has '"rp_check":"strict"' "$out"

# vpc's counters: "comment packets" for each rule, one nft
counts=$(ip netns exec "$vpc" nft list table inet rp |
	awk '/counter packets/ { for (i = 1; i <= NF; i++) {
		if ($i == "packets") p = $(i + 1); if ($i == "comment") c = $(i + 1) }
		gsub("\"", "", c); print c, p }')
arrived() {	# the sources in $1 that arrived, in order
	local s got=""
	for s in $1; do
		[ "$(awk -v s="$s" '$1 == s { print $2 }' <<<"$counts")" = 1 ] && got="$got $s"
	done
	echo "${got# }"
}
check_eq "strict: only c1's sources arrive from c1's tunnel (v4, v6)" \
	"172.16.1.11 fd20:1::11" "$(arrived "172.16.1.11 fd20:1::11 172.16.2.11 fd20:2::11 172.16.9.11 fd20:9::11")"
check_eq "loose: c1's and c2's sources arrive, nobody's do not" \
	"172.16.1.12 fd20:1::12 172.16.2.12 fd20:2::12" \
	"$(arrived "172.16.1.12 fd20:1::12 172.16.2.12 fd20:2::12 172.16.9.12 fd20:9::12")"
check_eq "off: every source arrives" \
	"172.16.1.13 fd20:1::13 172.16.2.13 fd20:2::13 172.16.9.13 fd20:9::13" \
	"$(arrived "172.16.1.13 fd20:1::13 172.16.2.13 fd20:2::13 172.16.9.13 fd20:9::13")"
check_eq "inbound SYNs from xfrm1 clamped: auto 1360/1340 (MTU 1400), 1200, off untouched" \
	"7001:4:1360 7001:6:1340 7002:4:1200 7002:6:1200 7003:4:1460 7003:6:1440" \
	"$(arrived "7001:4:1360 7001:6:1340 7002:4:1200 7002:6:1200 7003:4:1460 7003:6:1440")"
read -r rp1 mc1 <<<"$(gw_counts)"
check_eq "rp_drops counts the 6 dropped pings (4 strict, 2 loose)" 6 $((rp1 - rp0))
check_eq "mss_clamped counts the 4 inbound SYNs clamped" 4 $((mc1 - mc0))

# an enslaved tunnel: its device's receive handler is the bond's
enslave() {
	gwctl -b - <<EOB || return 1
gateway set vpngw0 rp-check off mss-clamp off
conn add c3 gateway vpngw0 tunnel xfrm4
EOB
	ip -n "$gw" -batch - <<EOB
link add vb0 type bond mode active-backup
link set xfrm4 down
link set xfrm4 master vb0
EOB
}
check "rp-check, mss-clamp off; conn c3 over xfrm4, which a bond enslaves" enslave
check_fail_msg "rp-check strict refused: c3's tunnel has the bond's handler" \
	"tunnel xfrm4 has another rx handler (bridge, bond, macvlan?)" \
	gwctl gateway set vpngw0 rp-check strict
check_fail_msg "mss-clamp auto refused the same way" \
	"tunnel xfrm4 has another rx handler" gwctl gateway set vpngw0 mss-clamp auto
none_on() {
	local s
	s=$(gwctl gateway show vpngw0)
	[[ $s != *rp-check* && $s != *mss-clamp* ]] || { echo "$s"; return 1; }
}
check "... and nothing changed: rp-check and mss-clamp still off" none_on
check_fail_msg "with rp-check on, a conn over the enslaved tunnel is refused" \
	"tunnel xfrm4 has another rx handler" bash -c "
	ip netns exec '$gw' '$VPNRTCTL' conn del c3 &&
	ip netns exec '$gw' '$VPNRTCTL' gateway set vpngw0 rp-check strict &&
	ip netns exec '$gw' '$VPNRTCTL' conn add c4 gateway vpngw0 tunnel xfrm4"

ktap_finish
