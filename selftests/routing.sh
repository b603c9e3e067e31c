#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The routing rules of Documentation/routing.rst on the data path: real
# packets from vpc through the gateway and four ESP tunnels (topo.sh), each
# one found again on the dc-side tunnel device it arrived on
# (helpers/flowmap), and `vpnrtctl route get` asked about the same flows
# must name the same tunnel. Covered: a longer source prefix at equal
# policy priority, ECMP among policy routes, UDP-Lite/SCTP/TCP ports in
# the flow hash and protocols without ports, fragments (together, ports
# ignored, addresses only), ecmp-hash l3 against l4, the all-down rule
# through a policy group and through the longest prefix with its
# `fallback` counter, and no route: the no_route counter and the ICMP /
# ICMPv6 unreachable the sender gets. Then route replace under a stream
# of datagrams (nothing lost, nothing without a route) against delete and
# add in the same run (the window shows), and stale routes: marked by
# scope, forwarding, refreshed by add and by replace, swept (with events),
# swept by the kernel after a timeout, the timeout cancelled by a sweep,
# a gateway deleted and the module removed with a timed sweep pending.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
HELPERS=${HELPERS:-$(dirname "$VPNRTCTL")/selftest-helpers}
FLOWMAP=$HELPERS/flowmap

# no skip: a missing tool or helper fails the test
missing=
for c in ip jq ping "$FLOWMAP" "$VPNRTCTL"; do
	command -v "$c" >/dev/null || missing="$missing $c"
done
[ "$(id -u)" = 0 ] || missing="$missing root"
check_eq "tools, helpers and root present" "" "$missing"
[ -z "$missing" ] || ktap_finish

topo_setup || { ktap_fail "topology set up"; ktap_finish; }
ktap_ok "topology: vpc, gw, dc1, dc2 with four ESP tunnels"

# every ICMP error the gateway owes is sent (no rate limit in this test)
ip netns exec "$gw" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0

# one single-tunnel connection per tunnel, so that every tunnel is a path
# of its own; IKE-managed, so that a connection can be made unusable
# (ike down) while it stays administratively up with its device
setup() {
	gwctl -b - <<EOB
conn add c1 gateway vpngw0 tunnel xfrm1 ike managed
conn add c2 gateway vpngw0 tunnel xfrm2 ike managed
conn add c3 gateway vpngw0 tunnel xfrm3 ike managed
conn add c4 gateway vpngw0 tunnel xfrm4 ike managed
conn set c1 ike up
conn set c2 ike up
conn set c3 ike up
conn set c4 ike up
route add 172.16.10.0/24 from 10.10.0.2/32 conn c4 priority 6
route add 172.16.10.0/24 from 10.10.0.0/16 conn c1 priority 5
route add 172.16.10.0/24 from 10.10.0.0/24 conn c2 priority 5
route add 172.16.10.0/25 from 10.10.0.0/16 conn c3 priority 5
route add 172.16.10.0/24 conn c4
route add 172.16.11.0/24 from 10.10.0.0/24 conn c3 priority 5 weight 0
route add 172.16.11.0/24 from 10.10.0.0/24 conn c1 priority 5
route add 172.16.11.0/24 from 10.10.0.0/24 conn c4 priority 9
route add 172.16.11.0/24 from 10.10.0.0/24 conn c2 priority 5
route add 172.16.14.0/24 conn c1
route add 172.16.14.0/24 conn c2
route add fd20:14::/64 conn c1
route add fd20:14::/64 conn c2
route add 172.16.16.0/24 conn c1
route add 172.16.16.0/24 conn c2
route add 172.16.16.0/24 conn c3
route add 172.16.16.0/24 conn c4
EOB
}
check "conns c1..c4 over xfrm1..xfrm4 (IKE up), policy and ECMP routes" setup

# flowmap ARGS...: send from vpc, report the dc-side tunnel of each datagram
flowmap() {
	"$FLOWMAP" --ns "$vpc" --watch "$dc1:xfrm1" --watch "$dc1:xfrm3" \
		--watch "$dc2:xfrm2" --watch "$dc2:xfrm4" "$@"
}

# tally: flowmap lines in, "xfrm1=N xfrm2=M ..." out (tunnels in order,
# then "-=N" for datagrams that did not arrive, then anything else)
tally() {
	awk '{ c[$5]++ }
	     END { n = split("xfrm1 xfrm2 xfrm3 xfrm4 -", o, " ")
		   for (i = 1; i <= n; i++)
			if (o[i] in c) { printf "%s%s=%d", s, o[i], c[o[i]]; s = " "; delete c[o[i]] }
		   for (k in c) { printf "%s%s=%d", s, k, c[k]; s = " " } }'
}

# agree SRC [N]: flowmap lines in; asks route get (one vpnrtctl, one
# batch) about the first N (default 16) flows of each protocol, prints
# "K of M" flows whose tunnel route get names, then "; REASON/PATHS" for
# each distinct answer
agree() {
	local lines gets
	lines=$(awk -v n="${2:-16}" 'c[$2]++ < n')
	gets=$(awk -v s="$1" '{ printf "route get %s gateway vpngw0 from %s ipproto %s sport %s dport %s\n", $1, s, $2, $3, $4 }' <<<"$lines" |
		gwctl -j -b - | jq -r '"\(.tunnel // "none") \(.reason)/\(.paths)"')
	awk 'NR == FNR { t[FNR] = $1; if (!($2 in r)) { r[$2] = 1; rs = rs "; " $2 }; n = FNR; next }
	     { m++; if (t[m] == $5) ok++ }
	     END { printf "%d of %d%s", ok, m, rs; if (n != m) printf " (%d answers)", n }' \
		<(printf '%s\n' "$gets") <(printf '%s\n' "$lines")
}

# split2 TALLY MIN: TALLY is exactly "xfrm1=A xfrm2=B", A and B >= MIN
split2() {
	[[ $1 =~ ^xfrm1=([0-9]+)\ xfrm2=([0-9]+)$ ]] &&
		[ "${BASH_REMATCH[1]}" -ge "$2" ] && [ "${BASH_REMATCH[2]}" -ge "$2" ]
}

# one_of TALLY N: all N on xfrm1 or all on xfrm2
one_of() {
	[[ $1 =~ ^xfrm[12]=$2$ ]]
}

# paths TALLY K MIN: TALLY names exactly K tunnels, each with at least MIN
paths() {
	local w n=0
	for w in $1; do
		[[ $w =~ ^xfrm[1-4]=([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge "$3" ] || return 1
		n=$((n + 1))
	done
	[ $n = "$2" ]
}

# route get's JSON as "conn tunnel reason fallback paths skipped"
LK='"\(.conn) \(.tunnel) \(.reason) \(.fallback) \(.paths) \(.skipped)"'

# lookup_stats DST SRC: route get as LK, then " / no_route fallback"
lookup_stats() {
	gwctl -j -b - <<EOB | jq -rs ".[0] as \$r | .[1][0].stats as \$s | (\$r | $LK) + \" / \(\$s.no_route) \(\$s.fallback)\""
route get $1 gateway vpngw0 from $2
gateway show vpngw0 -s
EOB
}

# gateway counters "no_route fallback"
gstats() {
	gwctl -j -s gateway show vpngw0 | jq -r '.[0].stats | "\(.no_route) \(.fallback)"'
}

### rule 1: at equal priority the longer destination, then the longer source
# 172.16.10.0/24: from 10.10.0.0/16 via c1 and from 10.10.0.0/24 via c2 at
# priority 5 (the shorter source added first), from 10.10.0.2/32 via c4 at
# priority 6, 172.16.10.0/25 from 10.10.0.0/16 via c3 at priority 5, and a
# static route via c4
a1=$(flowmap --src 10.10.0.2 --dst 172.16.10.200 --flows 8)
a2=$(flowmap --src 10.10.0.2 --dst 172.16.10.5 --flows 8)
a3=$(flowmap --src 10.10.1.2 --dst 172.16.10.200 --flows 8)
a4=$(flowmap --src 10.20.0.2 --dst 172.16.10.200 --flows 8)
gets=$(gwctl -j -b - <<EOB | jq -r "$LK"
route get 172.16.10.200 gateway vpngw0 from 10.10.0.2 ipproto udp sport 10000 dport 9
route get 172.16.10.5 gateway vpngw0 from 10.10.0.2
route get 172.16.10.200 gateway vpngw0 from 10.10.1.2
route get 172.16.10.200 gateway vpngw0 from 10.20.0.2
EOB
)
check_eq "policy, equal priority: the longer source /24 beats /16 (dc2 xfrm2)" \
	"xfrm2=8" "$(tally <<<"$a1")"
check_eq "route get agrees: c2 xfrm2 policy" "c2 xfrm2 policy false 1 0" \
	"$(sed -n 1p <<<"$gets")"
check_eq "policy, equal priority: the longer destination /25 before the longer source (xfrm3)" \
	"xfrm3=8" "$(tally <<<"$a2")"
check_eq "route get agrees: c3 xfrm3 policy" "c3 xfrm3 policy false 1 0" \
	"$(sed -n 2p <<<"$gets")"
check_eq "policy: from 10.10.1.2 only the /16 source matches (xfrm1)" \
	"xfrm1=8" "$(tally <<<"$a3")"
check_eq "route get agrees: c1 xfrm1 policy" "c1 xfrm1 policy false 1 0" \
	"$(sed -n 3p <<<"$gets")"
check_eq "no policy route matches 10.20.0.2: the static route (xfrm4)" \
	"xfrm4=8" "$(tally <<<"$a4")"
check_eq "route get agrees: c4 xfrm4 prefix" "c4 xfrm4 prefix false 1 0" \
	"$(sed -n 4p <<<"$gets")"

### ECMP among policy routes: c1 and c2 at priority 5 share the flows, c3
### (weight 0) and c4 (priority 9) get none
out=$(flowmap --src 10.10.0.2 --dst 172.16.11.5 --flows 64)
t=$(tally <<<"$out")
echo "# policy ECMP, 64 flows: $t"
check "policy ECMP: 64 flows all on xfrm1 and xfrm2, each at least 12 ($t)" \
	split2 "$t" 12
check_eq "policy ECMP: route get names the tunnel of 16 flows, reason ecmp over 2 paths" \
	"16 of 16; ecmp/2" "$(agree 10.10.0.2 <<<"$out")"

### the flow hash (ecmp-hash l4, the default): ports of TCP, UDP-Lite and
### SCTP count; a protocol without ports hashes without those bytes
# spread SRC DST PROTO...: 64 flows of each protocol to DST, each spread
# over xfrm1/xfrm2; route get names the tunnel of 16 flows of each
spread() {
	local src=$1 dst=$2 out t p n=0
	shift 2
	out=$(flowmap --src "$src" --dst "$dst" --proto "$(IFS=,; echo "$*")" --flows 64)
	for p in "$@"; do
		t=$(awk -v p="${PROTO[$p]}" '$2 == p' <<<"$out" | tally)
		echo "# $p to $dst, 64 flows: $t"
		check "l4: $p ports spread 64 flows to $dst over xfrm1 and xfrm2, each at least 12 ($t)" \
			split2 "$t" 12
		n=$((n + 16))
	done
	check_eq "l4: route get names the tunnel of 16 flows of each of $* to $dst" \
		"$n of $n; ecmp/2" "$(agree "$src" <<<"$out")"
}
declare -A PROTO=([udplite]=136 [sctp]=132 [tcp]=6)
spread 10.10.0.2 172.16.14.5 udplite sctp tcp
spread fd10::2 fd20:14::5 udplite sctp
out=$(flowmap --src 10.10.0.2 --dst 172.16.14.5 --proto 47 --flows 64)
t=$(tally <<<"$out")
check "l4: GRE (no ports): 64 packets with different bytes 0-3 take one tunnel ($t)" \
	one_of "$t" 64
check_eq "l4: route get ipproto 47 (no ports) names that tunnel" \
	"${t%=64}" "$(gwctl -j route get 172.16.14.5 gateway vpngw0 from 10.10.0.2 ipproto 47 | jq -r .tunnel)"

### fragments hash on addresses only: both fragments of a datagram take one
### tunnel, ports do not count (4 source ports per destination), the
### protocol does not count (UDP and SCTP fragments between the same
### addresses), and the addresses still spread (32 destinations)
# fragcheck FAMILY SRC DST: the three checks over 32 destinations
fragcheck() {
	local fam=$1 src=$2 dst=$3 udp sctp split mixed proto_diff t rg
	udp=$(flowmap --src "$src" --dst "$dst" --ndst 32 --flows 4 --frag)
	sctp=$(flowmap --src "$src" --dst "$dst" --ndst 32 --flows 1 --frag --proto sctp)
	t=$(awk '{ c[$5]++ } END { for (k in c) printf "%s=%d ", k, c[k] }' <<<"$udp")
	echo "# $fam UDP fragments, 32 destinations x 4 ports: $t"
	split=$(awk '{ split($5, w, "/"); if (w[1] != w[2] || w[1] == "-") n++ } END { print n + 0 }' \
		<<<"$udp$(printf '\n%s' "$sctp")")
	check_eq "$fam fragments: both fragments of each of 160 datagrams arrive on one tunnel" \
		0 "$split"
	mixed=$(awk '{ if (!($1 in w)) { w[$1] = $5; d++ } else if (w[$1] != $5) bad[$1] = 1 }
		     END { n = 0; for (k in bad) n++; print n }' <<<"$udp")
	check_eq "$fam fragments: ports do not count (4 source ports per destination, one tunnel each)" \
		0 "$mixed"
	proto_diff=$(awk 'NR == FNR { w[$1] = $5; next } w[$1] != $5 { n++ } END { print n + 0 }' \
		<(printf '%s\n' "$udp") <(printf '%s\n' "$sctp"))
	check_eq "$fam fragments: addresses only (UDP and SCTP fragments of 32 pairs take the same tunnels)" \
		0 "$proto_diff"
	# route get without ipproto and ports is a flow of addresses only
	rg=$(awk -v s="$src" '!seen[$1]++ { printf "route get %s gateway vpngw0 from %s\n", $1, s }' <<<"$udp" |
		gwctl -j -b - | jq -r '.tunnel // "none"')
	check_eq "$fam fragments: route get DST from SRC (no protocol, no ports) names their tunnel" \
		"32 of 32" "$(awk 'NR == FNR { t[FNR] = $1; next }
			!($1 in seen) { seen[$1] = 1; k++; split($5, w, "/")
					if (w[1] == t[k] && w[2] == t[k]) ok++ }
			END { printf "%d of %d", ok, k }' <(printf '%s\n' "$rg") <(printf '%s\n' "$udp"))"
	check "$fam fragments: 32 destinations use both xfrm1 and xfrm2 ($t)" \
		eval '[[ $udp == *xfrm1/xfrm1* && $udp == *xfrm2/xfrm2* ]]'
}
fragcheck IPv4 10.10.0.2 172.16.14.1
fragcheck IPv6 fd10::2 fd20:14::1

### ecmp-hash l3: all ports and protocols of one address pair take one
### tunnel; addresses still spread; l4 again spreads the ports
check "gateway set vpngw0 ecmp-hash l3" gwctl gateway set vpngw0 ecmp-hash l3
out=$(flowmap --src 10.10.0.2 --dst 172.16.14.5 --flows 64)
tcp=$(flowmap --src 10.10.0.2 --dst 172.16.14.5 --flows 64 --proto tcp)
t=$(tally <<<"$out")
check "l3: 64 UDP flows (64 ports) to 172.16.14.5 take one tunnel ($t)" \
	one_of "$t" 64
check_eq "l3: 64 TCP flows to 172.16.14.5 take that tunnel too" "$t" "$(tally <<<"$tcp")"
check_eq "l3: route get names that tunnel for 16 of the UDP flows" "16 of 16; ecmp/2" \
	"$(agree 10.10.0.2 <<<"$out")"
out6=$(flowmap --src fd10::2 --dst fd20:14::5 --flows 64)
t6=$(tally <<<"$out6")
check "l3: 64 IPv6 UDP flows to fd20:14::5 take one tunnel ($t6)" \
	one_of "$t6" 64
many=$(flowmap --src 10.10.0.2 --dst 172.16.14.64 --ndst 32 --flows 2)
tm=$(tally <<<"$many")
check "l3: 32 destinations (2 flows each) still spread over xfrm1 and xfrm2 ($tm)" \
	split2 "$tm" 1
check_eq "l3: route get names the tunnel of 16 of them (8 destinations)" "16 of 16; ecmp/2" \
	"$(agree 10.10.0.2 <<<"$many")"
check "gateway set vpngw0 ecmp-hash l4" gwctl gateway set vpngw0 ecmp-hash l4
out=$(flowmap --src 10.10.0.2 --dst 172.16.14.5 --flows 64)
t=$(tally <<<"$out")
check "l4 again: the same 64 UDP flows spread over xfrm1 and xfrm2, each at least 12 ($t)" \
	split2 "$t" 12

### rule 5: routes still equal share the flows, at most max-paths of them
out=$(flowmap --src 10.10.0.2 --dst 172.16.16.5 --flows 128)
t=$(tally <<<"$out")
check "4 equal routes: 128 flows use all four tunnels, each at least 8 ($t)" \
	paths "$t" 4 8
check "gateway set vpngw0 max-paths 2" gwctl gateway set vpngw0 max-paths 2
out=$(flowmap --src 10.10.0.2 --dst 172.16.16.5 --flows 128)
t=$(tally <<<"$out")
check "max-paths 2: 128 flows on two tunnels only, each at least 16 ($t)" \
	paths "$t" 2 16
check_eq "max-paths 2: route get names the tunnel of 16 flows, ecmp over 2 paths" \
	"16 of 16; ecmp/2" "$(agree 10.10.0.2 <<<"$out")"
check "gateway set vpngw0 max-paths 16" gwctl gateway set vpngw0 max-paths 16

### the all-down rule. 172.16.12.0/24: policy from 10.10.0.0/24 via c1
### (priority 5) and c3 (priority 5, weight 0: the same group, ranked
### lower), via c2 (priority 7); destination routes via c4 (active) and
### c3 (standby), and 172.16.0.0/16 via c2
fb_routes() {
	gwctl -b - <<EOB
route add 172.16.12.0/24 from 10.10.0.0/24 conn c3 priority 5 weight 0
route add 172.16.12.0/24 from 10.10.0.0/24 conn c1 priority 5
route add 172.16.12.0/24 from 10.10.0.0/24 conn c2 priority 7
route add 172.16.12.0/24 conn c3 weight 0
route add 172.16.12.0/24 conn c4
route add 172.16.0.0/16 conn c2
conn set c1 ike down
conn set c3 ike down
EOB
}
check "all-down routes on 172.16.12.0/24; c1 and c3 IKE down" fb_routes
s0=$(gstats)
check_nonempty "gateway counters read" "$s0"
read -r nr0 fb0 <<<"$s0"
# fb_step SRC: 16 flows from SRC to 172.16.12.5; sets out, t (tally),
# rg (route get as LK without skipped) and st (counters "no_route fallback")
fb_step() {
	local r
	out=$(flowmap --src "$1" --dst 172.16.12.5 --flows 16)
	t=$(tally <<<"$out")
	r=$(lookup_stats 172.16.12.5 "$1")
	rg=${r% / *}
	rg=${rg% *}
	st=${r#* / }
}
fb_step 10.10.0.2
check_eq "priority 5 group unusable: the priority 7 policy route (xfrm2)" "xfrm2=16" "$t"
check_eq "route get agrees: c2 xfrm2 failover" "c2 xfrm2 failover false 1" "$rg"
check "c2 IKE down" gwctl conn set c2 ike down
fb_step 10.10.0.2
check_eq "every policy route unusable: the destination lookup (c4, xfrm4)" "xfrm4=16" "$t"
check_eq "route get agrees: c4 xfrm4 failover, not fallback" "c4 xfrm4 failover false 1" "$rg"
check_eq "no fallback and no drop while a route was usable (no_route fallback)" "$s0" "$st"

check "c4 IKE down: nothing usable" gwctl conn set c4 ike down
fb_step 10.10.0.2
check_eq "all down: the best route of the first policy group (c1, xfrm1)" "xfrm1=16" "$t"
check_eq "route get agrees: c1 xfrm1 fallback" "c1 xfrm1 fallback true 1" "$rg"
check "c1 admin down" gwctl conn set c1 admin down
fb_step 10.10.0.2
check_eq "all down, c1 admin down: never c1; the group's next route (c3, xfrm3)" "xfrm3=16" "$t"
check_eq "route get agrees: c3 xfrm3 fallback" "c3 xfrm3 fallback true 1" "$rg"
fb_step 10.20.0.2
check_eq "all down, no policy match: the best route of the longest prefix (c4, xfrm4)" \
	"xfrm4=16" "$t"
check_eq "route get agrees: c4 xfrm4 fallback" "c4 xfrm4 fallback true 1" "$rg"
check_eq "counters: fallback +48 (the three all-down sends), no_route +0" \
	"$nr0 $((fb0 + 48))" "$st"
# the first policy group has no admin-up connection left: routing.rst does
# not say where the flow goes then, but the data path and route get agree
check "c3 admin down" gwctl conn set c3 admin down
out=$(flowmap --src 10.10.0.2 --dst 172.16.12.5 --flows 16)
t=$(tally <<<"$out")
want=$(gwctl -j route get 172.16.12.5 gateway vpngw0 from 10.10.0.2 2>&1 | jq -r .tunnel)
echo "# first policy group admin down: data path $t, route get $want"
check_eq "first group all admin down: route get names where all 16 went" "$want=16" "$t"
check "restore c1..c4 (admin up, IKE up)" gwctl -b - <<EOB
conn set c1 admin up
conn set c3 admin up
conn set c1 ike up
conn set c2 ike up
conn set c3 ike up
conn set c4 ike up
EOB

### no route: dropped, counted, answered with ICMP net unreachable /
### ICMPv6 no route, also when the all-down rule finds no connection
### (the only route's connection is admin down)
nr_routes() {
	gwctl -b - <<EOB
route add 172.17.13.0/24 conn c1
route add fd20:13::/64 conn c1
conn set c1 admin down
EOB
}
check "172.17.13.0/24 and fd20:13::/64 via c1 only; c1 admin down" nr_routes
s3=$(gstats)
check_nonempty "gateway counters read" "$s3"
# ping4/ping6 DST: the sender's view, one line
p4=$(ip netns exec "$vpc" ping -n -c 1 -W 2 172.20.0.1 2>&1)
p6=$(ip netns exec "$vpc" ping -n -6 -c 1 -W 2 fd20:ffff::1 2>&1)
p4d=$(ip netns exec "$vpc" ping -n -c 1 -W 2 172.17.13.1 2>&1)
p6d=$(ip netns exec "$vpc" ping -n -6 -c 1 -W 2 fd20:13::1 2>&1)
# has TEXT WORDS: TEXT holds the line WORDS
has() {
	[[ $'\n'$1 == *$'\n'"$2"* ]]
}
check "no route (IPv4): the gateway answers net unreachable" \
	has "$p4" "From 10.10.0.1 icmp_seq=1 Destination Net Unreachable"
check "no route (IPv6): the gateway answers ICMPv6 no route" \
	has "$p6" "From fd10::1 icmp_seq=1 Destination unreachable: No route"
check "admin down, no fallback (IPv4): net unreachable" \
	has "$p4d" "From 10.10.0.1 icmp_seq=1 Destination Net Unreachable"
check "admin down, no fallback (IPv6): ICMPv6 no route" \
	has "$p6d" "From fd10::1 icmp_seq=1 Destination unreachable: No route"
out=$(flowmap --src 10.10.0.2 --dst 172.20.0.1 --flows 8 --timeout 300)
check_eq "no route: 8 datagrams arrive nowhere" "-=8" "$(tally <<<"$out")"
s4=$(gstats)
read -r nr3 fb3 <<<"$s3"
check_eq "counters: no_route +12 (4 pings, 8 datagrams), fallback +0" \
	"$((nr3 + 12)) $fb3" "$s4"
check_fail_msg "route get: no route to 172.20.0.1" "lookup: no route to 172.20.0.1 in vpngw0" \
	gwctl route get 172.20.0.1 gateway vpngw0 from 10.10.0.2
check_fail_msg "route get: admin down and no fallback, no route to fd20:13::1" \
	"lookup: no route to fd20:13::1 in vpngw0" gwctl route get fd20:13::1 gateway vpngw0 from fd10::2

### route replace under traffic: 1000 datagrams per second to 172.18.1.5,
### whose only route (via c1) changes weight $N_FLIP times; then, in the
### same run, the same number of delete+add. Both batches send two
### requests per change (a replace and an unrelated route change, or the
### delete and the add), so they go at the same pace.
check "c1 admin up; 172.18.1.0/24 via c1 alone" gwctl -b - <<EOB
conn set c1 admin up
route add 172.18.1.0/24 conn c1
EOB
N_FLIP=150
rb=$TMPDIR/replace.$RANDOM db=$TMPDIR/deladd.$RANDOM
for ((i = 0; i < N_FLIP / 2; i++)); do
	echo "route replace 172.18.1.0/24 conn c1 weight 0"
	echo "route add 172.18.9.0/24 conn c2"
	echo "route replace 172.18.1.0/24 conn c1 weight 100"
	echo "route del 172.18.9.0/24 conn c2"
done >"$rb"
for ((i = 0; i < N_FLIP; i++)); do
	echo "route del 172.18.1.0/24 conn c1"
	echo "route add 172.18.1.0/24 conn c1"
done >"$db"
# udp_drops: datagrams the dc sides' UDP sockets dropped (receive buffer
# full, the receiver not scheduled in time): a loss of the measurement,
# not of the data path
udp_drops() {
	local ns n=0 v
	for ns in "$dc1" "$dc2"; do
		v=$(ip netns exec "$ns" awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ { print $6 }' /proc/net/snmp)
		n=$((n + ${v:-0}))
	done
	echo "$n"
}
# the receivers' buffers: the debug kernel under TCG stalls them long
rmem0=$(sysctl -n net.core.rmem_max)
sysctl -qw net.core.rmem_max=8388608
# stream BATCH: the batch run under the stream; "LOST SENT NO_ROUTE_DELTA",
# the stream's numbers and the receivers' drops as a comment
stream() {
	local out=$TMPDIR/rl.$RANDOM ready=$TMPDIR/rr.$RANDOM stop=$TMPDIR/rs.$RANDOM
	local pid i nr0 nr1 ud0 ud1
	nr0=$(gstats)
	ud0=$(udp_drops)
	"$HELPERS/lossmeter" --tx-ns "$vpc" --dst 172.18.1.5 --port 7100 --rate 1000 \
		--duration 120 --until-file "$stop" --ready "$ready" \
		--rx-ns "$dc1" --rx-ns "$dc2" >"$out" 2>&1 &
	pid=$!
	for i in $(seq 100); do
		[ -e "$ready" ] && break
		sleep 0.1
	done
	sleep 0.3
	gwctl -b "$1" >/dev/null 2>&1 || echo "# the batch $1 failed" >&2
	sleep 0.3
	touch "$stop"
	wait $pid
	nr1=$(gstats)
	ud1=$(udp_drops)
	echo "# $1: $(paste -sd ' ' "$out"); receive buffer drops $((ud1 - ud0))" >>"$TMPDIR/streams"
	awk -v d=$((${nr1% *} - ${nr0% *})) '$1 == "sent" { s = $2 } $1 == "lost" { l = $2 }
		END { print l + 0, s + 0, d }' "$out"
	rm -f "$out" "$ready" "$stop"
}
read -r rl rs rn < <(stream "$rb")
read -r dl ds dn < <(stream "$db")
sysctl -qw net.core.rmem_max="$rmem0"
cat "$TMPDIR/streams" 2>/dev/null
rm -f "$TMPDIR/streams"
echo "# $N_FLIP changes of 172.18.1.0/24 under 1000 datagrams/s: replace: $rl of $rs lost, no_route +$rn; delete+add: $dl of $ds lost, no_route +$dn"
check "the streams ran (replace $rs, delete+add $ds datagrams sent)" \
	test "${rs:-0}" -gt 200 -a "${ds:-0}" -gt 200
check_eq "replace x$N_FLIP under traffic: 0 datagrams lost, 0 met no route" "0 0" "$rl $rn"
check "delete+add x$N_FLIP (the baseline, same run): the window shows ($dl lost, no_route +$dn)" \
	test "${dl:-0}" -gt 0 -a "${dn:-0}" -gt 0
check_eq "after both: 172.18.1.0/24 via c1, weight 100, once" \
	"172.18.1.0/24 conn c1 proto static weight 100 gateway vpngw0" \
	"$(gwctl route show conn c1 | grep '^172\.18\.1\.0/24 ')"
rm -f "$rb" "$db"

### stale routes (graceful restart of BGP routes)
mon=$TMPDIR/mon.$RANDOM
gwctl -j monitor >"$mon" 2>&1 &
monpid=$!
check "monitor listening" monitor_ready "$mon" c1
# stale_of: the stale routes of 172.18.0.0/16, "PREFIX:CONN ..." in order
stale_of() {
	gwctl -j route show | jq -r '[.[] | select(.prefix | startswith("172.18.")) |
		select(.stale) | "\(.prefix):\(.conn)"] | join(" ")'
}
check_eq "BGP routes 172.18.2-4.0/24 (c1, c1, c2) and a static 172.18.5.0/24; route stale vpngw0 proto bgp" \
	"vpngw0 proto bgp marked 3" "$(gwctl -b - <<EOB 2>&1
route add 172.18.2.0/24 conn c1 proto bgp pref 10
route add 172.18.3.0/24 conn c1 proto bgp pref 10
route add 172.18.4.0/24 conn c2 proto bgp pref 10
route add 172.18.5.0/24 conn c1
route stale vpngw0 proto bgp
EOB
)"
check_eq "route show: the three BGP routes stale, the static one not" \
	"172.18.2.0/24:c1 172.18.3.0/24:c1 172.18.4.0/24:c2" "$(stale_of)"
check_eq "route show text says stale" \
	"172.18.2.0/24 conn c1 proto bgp pref 10 gateway vpngw0 stale" \
	"$(gwctl route show conn c1 proto bgp | grep '^172\.18\.2\.0/24 ')"
out=$(flowmap --src 10.10.0.2 --dst 172.18.2.5 --flows 8)
check_eq "a stale route forwards (8 flows on xfrm1)" "xfrm1=8" "$(tally <<<"$out")"
check_eq "route get shows the stale route" "c1 true" \
	"$(gwctl -j route get 172.18.2.5 gateway vpngw0 | jq -r '"\(.conn) \(.stale)"')"
check "refresh: route add of the stale 172.18.2.0/24 is accepted; route replace 172.18.3.0/24 pref 20" \
	gwctl -b - <<EOB
route add 172.18.2.0/24 conn c1 proto bgp pref 10
route replace 172.18.3.0/24 conn c1 proto bgp pref 20
EOB
check_eq "refreshed: only 172.18.4.0/24 stale" "172.18.4.0/24:c2" "$(stale_of)"
check_fail_msg "a fresh route added again: route exists" "route exists" \
	gwctl route add 172.18.2.0/24 conn c1 proto bgp pref 10
check_eq "route sweep vpngw0 proto bgp: one swept" "vpngw0 proto bgp swept 1" \
	"$(gwctl route sweep vpngw0 proto bgp 2>&1)"
check_eq "after the sweep: 172.18.2-3 (bgp, pref 10 and 20) and 172.18.5 (static) stay, 172.18.4 is gone" \
	"172.18.2.0/24 bgp 10|172.18.3.0/24 bgp 20|172.18.5.0/24 static null" \
	"$(gwctl -j route show | jq -r '[.[] | select(.prefix | startswith("172.18.")) |
		select(.prefix != "172.18.1.0/24") | "\(.prefix) \(.proto) \(.pref)"] | join("|")')"
check_fail_msg "route stale of an unknown conn: the kernel's message" "stale: no conn named nosuch" \
	gwctl route stale vpngw0 conn nosuch
check_fail_msg "route stale timeout 90000: refused" "timeout must be 0..86400 seconds" \
	gwctl route stale vpngw0 timeout 90000

# the timed sweep: 172.18.6.0/24 via c2, marked with a 2 s timeout
check_eq "route stale vpngw0 conn c2 proto bgp timeout 2" \
	"vpngw0 conn c2 proto bgp marked 1 timeout 2s" "$(gwctl -b - <<EOB 2>&1
route add 172.18.6.0/24 conn c2 proto bgp
route stale vpngw0 conn c2 proto bgp timeout 2
EOB
)"
sleep 3.5
check_eq "after 3.5 s the kernel swept 172.18.6.0/24" "" \
	"$(gwctl route show conn c2 proto bgp | grep '^172\.18\.6\.')"
# a timeout cancelled by a sweep of its scope: a later mark of a smaller
# scope without a timeout must stay
check_eq "mark everything bgp with a 2 s timeout, refresh, sweep (0), mark c1's bgp routes without" \
	"vpngw0 proto bgp marked 2 timeout 2s|vpngw0 proto bgp swept 0|vpngw0 conn c1 proto bgp marked 2" \
	"$(gwctl -b - <<EOB 2>&1 | paste -sd '|'
route stale vpngw0 proto bgp timeout 2
route add 172.18.2.0/24 conn c1 proto bgp pref 10
route add 172.18.3.0/24 conn c1 proto bgp pref 20
route sweep vpngw0 proto bgp
route stale vpngw0 conn c1 proto bgp
EOB
)"
sleep 3.5
check_eq "3.5 s later: the cancelled timeout swept nothing (both still there, stale)" \
	"172.18.2.0/24:c1 172.18.3.0/24:c1" "$(stale_of)"
sleep 0.5
kill "$monpid" 2>/dev/null
wait "$monpid" 2>/dev/null
check_eq "events: route-del for the swept 172.18.4.0/24 and the timed sweep's 172.18.6.0/24, none for the rest" \
	"172.18.4.0/24 172.18.6.0/24" \
	"$(jq -r 'select(.event == "route-del") | .prefix' "$mon" 2>/dev/null | grep '^172\.18\.[2-7]\.' | paste -sd ' ')"
rm -f "$mon"

# a gateway deleted, and the module removed, with a timed sweep pending
check "a second gateway vpngw1 over xfrm9 with a BGP route, marked with a 2 s timeout, deleted" \
	eval 'ip -n "$gw" link add xfrm9 type xfrm dev u1 if_id 9 && ip -n "$gw" link set xfrm9 up &&
	gwctl -b - <<EOB
gateway add vpngw1
conn add g2 gateway vpngw1 tunnel xfrm9
route add 172.19.0.0/16 conn g2 proto bgp
route stale vpngw1 timeout 2
gateway del vpngw1
EOB'
sleep 3
check_fail "vpngw1 is gone" ip -n "$gw" link show vpngw1
check_eq "route stale vpngw0 timeout 2 (every route), then rmmod" "0" \
	"$(gwctl route stale vpngw0 timeout 2 >/dev/null 2>&1; vpnrt_unload; echo $?)"
sleep 3
check_fail "vpnrt is unloaded" eval 'lsmod | grep -q "^vpnrt "'

ktap_finish
