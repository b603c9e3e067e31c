#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The control plane through vpnrtctl: every bad input in a table is
# rejected with its own message and changes nothing (the state is read
# after each rejection and compared with the state before it); a failed
# batch applies nothing; every changing command (gateway, conn, route,
# health) gets the kernel's EPERM in a process of the netns without
# CAP_NET_ADMIN over it (capabilities dropped, or root of a child user
# namespace), which can still read the state and join the events group;
# the root of a new user+net namespace manages its own gateways; events
# reach the monitors of the netns of the change and no other; state is
# per netns.
. "$(dirname "$0")/lib.sh"
require_root
for c in ip jq setpriv unshare timeout; do
	command -v "$c" >/dev/null || { ktap_fail "needs $c"; ktap_finish; }
done

setup_ns ns other || { ktap_fail "netns"; ktap_finish; }
vpnrt_load || { ktap_fail "insmod"; ktap_finish; }
C() { ip netns exec "$ns" "$VPNRTCTL" "$@"; }
O() { ip netns exec "$other" "$VPNRTCTL" "$@"; }
# a process of $ns without capabilities
UNPRIV=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all
	--bounding-set=-all)

prep() {
	ip -n "$ns" -batch - <<EOB || return 1
link add xfrm1 type xfrm if_id 1
link add xfrm2 type xfrm if_id 2
link add xfrm3 type xfrm if_id 3
link add xfrm4 type xfrm if_id 4
link add xfrm5 type xfrm if_id 5
link add veth0 type veth peer name veth1
link set xfrm1 up
link set xfrm2 up
EOB
	ip -n "$other" link add xfrm9 type xfrm if_id 9 &&
	C -b - <<EOB
gateway add vpngw0 max-conns 3 max-bgp-routes 2 max-peer-routes 1 max-policy-routes 1 max-routes 4
conn add c1 gateway vpngw0 tunnel xfrm1
conn add c2 gateway vpngw0 tunnel xfrm2 ike managed
conn add fp gateway vpngw0 tunnel xfrm3 flow-protection local 10.10.0.0/24 peer 172.20.0.0/16
route add 172.16.0.0/16 conn c1
route add 172.17.0.0/16 from 10.10.0.0/24 conn c1 priority 5
route add 172.18.0.0/16 conn c1 proto bgp pref 7
gateway add vpngw1
conn add d1 gateway vpngw1 tunnel xfrm4
EOB
}
check "gateways vpngw0 (small quotas, 3 conns, routes) and vpngw1" prep

# the state: gateways, conns and routes (no statistics: nothing here
# changes by itself), one vpnrtctl
SNAP_CMDS=$'gateway show\nconn show\nroute show'
before=$(C -j -b - <<<"$SNAP_CMDS" 2>&1)
check_nonempty "snapshot of the state" "$before"
check_eq "snapshot: 3 lists, of 2 gateways, 4 conns, 4 routes" "3 2 4 4" \
	"$(jq -rs '"\(length) \(.[0] | length) \(.[1] | length) \(.[2] | length)"' \
		<<<"$before" 2>&1)"

replay() { printf '%s' "$2"; return "$1"; }

# reject_table WRAPPER... <TABLE: one shell started by WRAPPER (in $ns)
# runs, for each "commands|message" line of TABLE, one `vpnrtctl -j -b -`
# that reads the state (the snapshot) and then runs the commands (lines
# separated by \n), which must fail with the message; a last one reads
# the state after the last line. So each rejection is followed by a
# snapshot, which must be the one before it.
reject_table() {
	local table recs cmd want rc all line snap msg i
	local -a cmds=() wants=() rcs=() snaps=() msgs=()
	table=$(cat)
	recs=$("$@" bash -c '
		while IFS="|" read -r cmd want; do
			all=$(printf "%s\n%b\n" "$1" "$cmd" | "$0" -j -b - 2>&1)
			printf "%s\x1f%s\x1f%s\x1f%s\x1e" "$cmd" "$want" "$?" "$all"
		done
		all=$(printf "%s\n" "$1" | "$0" -j -b - 2>&1)
		printf "%s\x1f%s\x1f%s\x1f%s\x1e" "" "" "$?" "$all"' \
		"$VPNRTCTL" "$SNAP_CMDS" <<<"$table" 2>&1)
	while IFS=$'\x1f' read -r -d $'\x1e' cmd want rc all; do
		snap='' msg=''
		while IFS= read -r line; do
			case $line in
			'['*) snap+=$line$'\n' ;;
			*) msg+=$line$'\n' ;;
			esac
		done <<<"$all"
		cmds+=("$cmd") wants+=("$want") rcs+=("$rc") snaps+=("$snap") msgs+=("$msg")
	done <<<"$recs"
	check_eq "all $(wc -l <<<"$table") commands and a last snapshot ran" \
		$(($(wc -l <<<"$table") + 1)) ${#cmds[@]}
	[ ${#cmds[@]} -gt 1 ] || { printf '%s\n' "$recs" | head -n 5 | sed 's/^/#   /'; return; }
	check_eq "the state read there is the state" "$before" "${snaps[0]%$'\n'}"
	for ((i = 0; i < ${#cmds[@]} - 1; i++)); do
		check_fail_msg "rejected: ${cmds[i]}" "${wants[i]}" \
			replay "${rcs[i]}" "${msgs[i]}"
		check_eq "  ${cmds[i]}: nothing changed" "${snaps[i]}" "${snaps[i + 1]}"
	done
	check_eq "the last snapshot read the state" "" "${msgs[-1]}"
}

# what vpnrtctl and the kernel say, word for word. The snapshot's three
# commands are lines 1-3, so the command under test is line 4 (a
# kernel's "route K:" becomes the batch's "line N:").
reject_table ip netns exec "$ns" <<EOT
route add 10.0.0.1/8 conn c1|vpnrtctl: line 4: "10.0.0.1/8" has host bits set; did you mean 10.0.0.0/8?
route add 10.0.0.0/33 conn c1|vpnrtctl: line 4: prefix length in "10.0.0.0/33" must be 0..32
route add 10.0.0.0/8 conn nosuch|vpnrtctl: line 4: no conn named nosuch
route add 10.0.0.0/8 conn c1 weight 50|vpnrtctl: line 4: weight must be 100 or 0, not "50"
route add 10.0.0.0/8 from 1.0.0.0/8 conn c1 priority 0|vpnrtctl: line 4: priority must be 1..100, not "0"
route add 10.0.0.0/8 from 1.0.0.0/8 conn c1 priority 101|vpnrtctl: line 4: priority must be 1..100, not "101"
route add 10.0.0.0/8 conn c1 pref 5|vpnrtctl: line 4: pref is only for BGP routes (proto bgp)
route add 172.16.0.0/16 conn c1|vpnrtctl: line 4: route exists
route add 10.30.0.0/16 conn c1\\nroute add 172.16.0.0/16 conn c1|vpnrtctl: line 5: route exists
route add 10.31.0.0/16 conn c1\\nroute add 10.32.0.0/16 conn c1\\nroute add 10.33.0.0/16 conn c1|vpnrtctl: line 6: static route quota of vpngw0 reached (max-routes 4)
route add 172.19.0.0/16 from 10.0.0.0/8 conn c1|vpnrtctl: line 4: policy route quota of vpngw0 reached (max-policy-routes 1)
route add 172.19.0.0/16 conn c1 proto bgp|vpnrtctl: line 4: BGP route quota of conn c1 reached (max-peer-routes 1)
route del 172.20.0.0/16 conn fp|vpnrtctl: line 4: owned by flow protection of conn fp
route del 10.9.0.0/16 conn c1|vpnrtctl: line 4: no such route
conn add c1 gateway vpngw0 tunnel xfrm5|vpnrtctl: line 4: conn: c1 exists
conn add c4 gateway vpngw0 tunnel xfrm5|vpnrtctl: line 4: conn: vpngw0 has 3 conns, its max-conns
conn set c1 ike up|vpnrtctl: line 4: ike: conn is not IKE-managed (ike none)
conn set c1 admin down ike up|vpnrtctl: line 4: ike: conn is not IKE-managed (ike none)
conn set c1 admin sideways|vpnrtctl: line 4: admin must be up or down, not "sideways"
conn set c1 tunnel xfrm1 ike up|vpnrtctl: line 4: tunnel ike: conn is not IKE-managed (ike none)
conn set c1 admin down tunnel 1 ike down|vpnrtctl: line 4: tunnel ike: conn is not IKE-managed (ike none)
conn set c2 tunnel 2 ike up|vpnrtctl: line 4: tunnel: position 2; conn c2 has 1..1
conn set c2 ike up tunnel 1 dev xfrm4|vpnrtctl: line 4: tunnel xfrm4 is already used by conn d1
conn set c2 tunnel 1 dev xfrm1|vpnrtctl: line 4: tunnel xfrm1 is already used by conn c1
conn set c2 tunnel 1 dev vpngw1|vpnrtctl: line 4: tunnel vpngw1 is a vpnrt gateway, not a tunnel
conn set c2 tunnel 1 dev veth0|vpnrtctl: line 4: veth0 is not an L3 tunnel (xfrm, vti, gre, ipip, wireguard...)
conn set c2 tunnel 1 dev xfrm5 health dst 10.0.0.1 src 10.0.0.1|vpnrtctl: line 4: health: src and dst must differ
conn set c2 tunnel 1 dev xfrm9|vpnrtctl: line 4: device "xfrm9" does not exist
conn set c2 tunnel xfrm2 dev xfrm5|vpnrtctl: line 4: "dev xfrm5" rebinds a tunnel named by its position: tunnel 1|2 dev DEV
conn set c2 tunnel 3 ike up|vpnrtctl: line 4: tunnel position must be 1..2 (or a device name), not "3"
conn set nosuch admin down|vpnrtctl: line 4: conn: no conn named nosuch
gateway set vpngw0 max-conns 2|vpnrtctl: line 4: max-conns 2 is below the 3 in use
gateway set vpngw0 max-paths 8 ecmp-hash l3 max-conns 2|vpnrtctl: line 4: max-conns 2 is below the 3 in use
gateway set vpngw0 max-routes 1|vpnrtctl: line 4: max-routes 1 is below the 2 in use
gateway set vpngw0 max-policy-routes 0|vpnrtctl: line 4: max-policy-routes 0 is below the 1 in use
gateway set vpngw0 max-bgp-routes 0|vpnrtctl: line 4: max-bgp-routes 0 is below the 1 in use
gateway set vpngw0 max-paths 17|vpnrtctl: line 4: max-paths must be 1..16, not "17"
gateway set vpngw0 ecmp-hash l5|vpnrtctl: line 4: ecmp-hash must be l3 or l4, not "l5"
gateway add vpngw0|vpnrtctl: line 4: a device named vpngw0 exists
gateway del nosuch|vpnrtctl: line 4: device "nosuch" does not exist
route get 10.0.0.1 gateway vpngw0|vpnrtctl: line 4: lookup: no route to 10.0.0.1 in vpngw0
conn add d2 gateway vpngw1 tunnel veth0|vpnrtctl: line 4: veth0 is not an L3 tunnel (xfrm, vti, gre, ipip, wireguard...)
conn add d2 gateway vpngw1 tunnel xfrm4|vpnrtctl: line 4: tunnel xfrm4 is already used by conn d1
conn add d2 gateway vpngw1 tunnel xfrm1|vpnrtctl: line 4: tunnel xfrm1 is already used by conn c1
conn add d2 gateway vpngw1 tunnel vpngw0|vpnrtctl: line 4: tunnel vpngw0 is a vpnrt gateway, not a tunnel
conn add d2 gateway vpngw1 tunnel xfrm5 tunnel xfrm5|vpnrtctl: line 4: tunnel "xfrm5" given twice
conn add d2 gateway vpngw1 tunnel lo|vpnrtctl: line 4: lo is not an L3 tunnel (xfrm, vti, gre, ipip, wireguard...)
conn add d2 gateway vpngw1 tunnel xfrm9|vpnrtctl: line 4: device "xfrm9" does not exist
conn add bad/name gateway vpngw1 tunnel xfrm5|vpnrtctl: line 4: conn: name must be letters, digits, '-', '_' or '.'
conn add d2 gateway veth0 tunnel xfrm5|vpnrtctl: line 4: conn: no vpnrt gateway with ifindex
EOT
# the same through a lone command: the kernel's message names the route
check_fail_msg "rejected alone: route add 172.16.0.0/16 conn c1" \
	"vpnrtctl: route 1: route exists" C route add 172.16.0.0/16 conn c1

# a batch is applied chunk by chunk, each chunk all or nothing
out=$(C -b - 2>&1 <<EOB
route add 10.1.0.0/16 conn d1
route add 10.2.0.0/16 conn d1
route add 10.3.0.0/16 conn nosuch
route add 10.4.0.0/16 conn d1
EOB
)
check_eq "failed batch names line 3 and why" \
	"vpnrtctl: line 3: no conn named nosuch" "$out"
check_eq "failed batch applied none of its chunk" 0 \
	"$(C -j route show gateway vpngw1 | jq 'map(select(.prefix | startswith("10."))) | length')"

# permissions: CAP_NET_ADMIN in the user namespace owning the netns, for
# every changing command. The process is in $ns already (ip netns exec
# enters it as root), then loses its capabilities; in the second table it
# is the root of a child user namespace, with every capability there but
# none over $ns, whose owner is the initial user namespace. Both read the
# snapshots themselves: reading needs no privilege.
perm_table="gateway add gwx|vpnrtctl: line 4: Operation not permitted
gateway set vpngw1 max-paths 4|vpnrtctl: line 4: Operation not permitted
gateway del vpngw1|vpnrtctl: line 4: Operation not permitted
conn add d2 gateway vpngw1 tunnel xfrm5|vpnrtctl: line 4: Operation not permitted
conn set d1 admin down|vpnrtctl: line 4: Operation not permitted
conn del d1|vpnrtctl: line 4: Operation not permitted
route add 10.6.0.0/16 conn d1|vpnrtctl: line 4: Operation not permitted
route add 10.41.0.0/16 conn d1\\nroute add 10.42.0.0/16 conn d1|vpnrtctl: lines 4-5: Operation not permitted
route del 172.16.0.0/16 conn c1|vpnrtctl: line 4: Operation not permitted
conn set d1 tunnel xfrm4 health dst 10.0.0.1 src 10.0.0.2|vpnrtctl: line 4: Operation not permitted"
echo "# without capabilities, in the netns"
reject_table ip netns exec "$ns" "${UNPRIV[@]}" <<<"$perm_table"
echo "# root of a child user namespace, in the netns"
reject_table ip netns exec "$ns" unshare --user --map-root-user <<<"$perm_table"

uns_out=$(unshare -Urn bash -c "ip link add xu type xfrm if_id 7 &&
	'$VPNRTCTL' -j -b - <<EOB
gateway add gwu
conn add u1 gateway gwu tunnel xu
route add 10.0.0.0/8 conn u1
route show
EOB" 2>&1)
check_eq "root of a new user+net namespace manages its own gateway" \
	"10.0.0.0/8 u1 gwu" \
	"$(jq -r '.[] | "\(.prefix) \(.conn) \(.gateway)"' <<<"$uns_out" 2>/dev/null ||
	   echo "$uns_out")"
check_eq "state is per netns: the initial netns sees no gateway" "[]" \
	"$("$VPNRTCTL" -j gateway show 2>&1)"

# events: a monitor in $ns, one in $ns without capabilities (joining the
# group needs no privilege), one in $other. Each netns changes a gateway
# of its own until its monitors have shown one such change (they listen),
# then $ns changes conns and routes, then both netns mark the end.
check "a gateway in the other netns" O gateway add gwo
mon=$TMPDIR/mon
ip netns exec "$ns" timeout 120 "$VPNRTCTL" -j monitor >"$mon.ns" 2>&1 &
m1=$!
ip netns exec "$ns" "${UNPRIV[@]}" timeout 120 "$VPNRTCTL" -j monitor \
	>"$mon.unpriv" 2>&1 &
m2=$!
ip netns exec "$other" timeout 120 "$VPNRTCTL" -j monitor >"$mon.other" 2>&1 &
m3=$!
# has FILE shown a gw-set of GW with max_paths N (N empty: any)
seen() {
	[[ -s $1 && $(<"$1") == *'"event":"gw-set","ifname":"'$2'"'*'"max_paths":'${3-}* ]]
}
listening=0
for i in $(seq 2 14); do
	C gateway set vpngw1 max-paths "$i"
	O gateway set gwo max-paths "$i"
	sleep 0.5
	if seen "$mon.ns" vpngw1 && seen "$mon.unpriv" vpngw1 &&
	   seen "$mon.other" gwo; then
		listening=1
		break
	fi
done
check_eq "the three monitors listen" 1 $listening
C -b - <<EOB
conn set c1 admin down
route add 10.5.0.0/16 conn d1
conn set c1 admin up
EOB
ip -n "$ns" link del xfrm2
C gateway set vpngw1 max-paths 16
O gateway set gwo max-paths 16
for i in $(seq 20); do
	seen "$mon.ns" vpngw1 16 && seen "$mon.unpriv" vpngw1 16 &&
		seen "$mon.other" gwo 16 && break
	sleep 0.5
done
kill $m1 $m2 $m3 2>/dev/null
wait $m1 $m2 $m3 2>/dev/null
ev() {
	jq -r 'select(.event != "gw-set") |
		[.event, (.name // .conn // ""), (.state // .prefix // "")] | join(" ")' \
		"$1" 2>&1 | tr '\n' ';'
}
events=$(ev "$mon.ns")
echo "# events: $events"
check "event: conn c1 set down" grep -q "conn-set c1 down" <<<"$events"
check "event: route added" grep -q "route-new d1 10.5.0.0/16" <<<"$events"
check "event: conn c1 back up" grep -q "conn-set c1 up" <<<"$events"
check "event: tunnel deleted takes c2 down" grep -q "conn-set c2 down" <<<"$events"
check "the monitor without capabilities saw the end" seen "$mon.unpriv" vpngw1 16
check_eq "the monitor without capabilities sees the same events" \
	"$events" "$(ev "$mon.unpriv")"
check "the other netns's monitor saw the end" seen "$mon.other" gwo 16
check_eq "the other netns's monitor saw only its own netns's changes" "" \
	"$(jq -c 'select(.event != "gw-set" or .ifname != "gwo")' "$mon.other" 2>&1)"

ktap_finish
