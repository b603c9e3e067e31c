#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The control plane through vpnrtctl: every bad input in a table is
# rejected with its message and changes nothing; a failed batch applies
# nothing; changes need CAP_NET_ADMIN in the netns's user namespace;
# events reach `vpnrtctl monitor`; state is per netns.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd ip jq setpriv unshare

setup_ns ns other || { ktap_fail "netns"; ktap_finish; }
vpnrt_load || { ktap_fail "insmod"; ktap_finish; }
C() { ip netns exec "$ns" "$VPNRTCTL" "$@"; }

prep() {
	ip -n "$ns" -batch - <<EOB || return 1
link add xfrm1 type xfrm if_id 1
link add xfrm2 type xfrm if_id 2
link add xfrm3 type xfrm if_id 3
link add veth0 type veth peer name veth1
link set xfrm1 up
link set xfrm2 up
EOB
	ip -n "$other" link add xfrm9 type xfrm if_id 9 &&
	C gateway add vpngw0 max-conns 3 max-bgp-routes 2 max-peer-routes 1 \
		max-policy-routes 1 max-routes 4 &&
	C conn add c1 gateway vpngw0 tunnel xfrm1 &&
	C conn add c2 gateway vpngw0 tunnel xfrm2 ike managed &&
	C conn add fp gateway vpngw0 tunnel xfrm3 flow-protection \
		local 10.10.0.0/24 peer 172.20.0.0/16 &&
	C -b - <<EOB
route add 172.16.0.0/16 conn c1
route add 172.17.0.0/16 from 10.10.0.0/24 conn c1 priority 5
route add 172.18.0.0/16 conn c1 proto bgp pref 7
EOB
}
check "gateway with small quotas, 3 conns, routes" prep

snapshot() {
	{
		C -j gateway show
		C -j conn show
		C -j route show
	} | jq -c 'walk(if type == "object" then del(.stats) else . end)'
}
before=$(snapshot)

# command | what the error must say
bad_inputs=$(cat <<'EOT'
route add 10.0.0.1/8 conn c1|host bits set
route add 10.0.0.0/33 conn c1|must be 0..32
route add 10.0.0.0/8 conn nosuch|no conn named nosuch
route add 10.0.0.0/8 conn c1 weight 50|weight must be 100 or 0
route add 10.0.0.0/8 from 1.0.0.0/8 conn c1 priority 0|priority
route add 10.0.0.0/8 from 1.0.0.0/8 conn c1 priority 101|priority
route add 10.0.0.0/8 conn c1 pref 5|pref
route add 172.16.0.0/16 conn c1|route exists
route add 172.19.0.0/16 from 10.0.0.0/8 conn c1|policy route quota of vpngw0 reached
route add 172.19.0.0/16 conn c1 proto bgp|BGP route quota of conn c1 reached
route del 172.20.0.0/16 conn fp|owned by flow protection of conn fp
route del 10.9.0.0/16 conn c1|no such route
conn add c1 gateway vpngw0 tunnel xfrm3|c1 exists
conn add c4 gateway vpngw0 tunnel xfrm1|max-conns
conn set c1 ike up|not IKE-managed
conn set c1 admin sideways|admin
conn set nosuch admin down|no conn named nosuch
gateway set vpngw0 max-conns 2|below the 3 in use
gateway set vpngw0 max-paths 17|max-paths
gateway set vpngw0 ecmp-hash l5|ecmp-hash
gateway add vpngw0|exists
gateway del nosuch|nosuch
route get 10.0.0.1 gateway vpngw0|no route to 10.0.0.1 in vpngw0
EOT
)
while IFS='|' read -r cmd want; do
	# shellcheck disable=SC2086
	if out=$(C $cmd 2>&1); then
		ktap_fail "rejected: $cmd (it succeeded)"
	elif grep -qF -- "$want" <<<"$out"; then
		ktap_ok "rejected: $cmd: $out"
	else
		ktap_fail "rejected: $cmd: message \"$out\" lacks \"$want\""
	fi
done <<<"$bad_inputs"

# the kernel's own checks, in a fresh gateway where quotas are not hit
prep2() {
	ip -n "$ns" link add xfrm4 type xfrm if_id 4 &&
	C gateway add vpngw1 &&
	C conn add d1 gateway vpngw1 tunnel xfrm4
}
check "second gateway for the kernel-side checks" prep2
before=$(snapshot)
kernel_inputs=$(cat <<'EOT'
conn add d2 gateway vpngw1 tunnel veth0|not an L3 tunnel
conn add d2 gateway vpngw1 tunnel xfrm4|already used by conn d1
conn add d2 gateway vpngw1 tunnel vpngw0|vpnrt gateway, not a tunnel
conn add d2 gateway vpngw1 tunnel xfrm1 tunnel xfrm1|given twice
conn add d2 gateway vpngw1 tunnel lo|not an L3 tunnel
conn add d2 gateway vpngw1 tunnel xfrm9|xfrm9
conn add bad/name gateway vpngw1 tunnel veth1|name
conn add d2 gateway veth0 tunnel xfrm1|no vpnrt gateway
EOT
)
while IFS='|' read -r cmd want; do
	# shellcheck disable=SC2086
	if out=$(C $cmd 2>&1); then
		ktap_fail "rejected: $cmd (it succeeded)"
	elif grep -qF -- "$want" <<<"$out"; then
		ktap_ok "rejected: $cmd: $out"
	else
		ktap_fail "rejected: $cmd: message \"$out\" lacks \"$want\""
	fi
done <<<"$kernel_inputs"
check_eq "nothing changed by any rejected command" "$before" "$(snapshot)"

# a batch is applied chunk by chunk, each chunk all or nothing
out=$(C -b - 2>&1 <<EOB
route add 10.1.0.0/16 conn d1
route add 10.2.0.0/16 conn d1
route add 10.3.0.0/16 conn nosuch
route add 10.4.0.0/16 conn d1
EOB
)
check "failed batch reports the line" grep -q "line 3" <<<"$out"
check_eq "failed batch applied none of its chunk" 0 \
	"$(C -j route show gateway vpngw1 | jq 'map(select(.prefix | startswith("10."))) | length')"

# permissions: CAP_NET_ADMIN in the netns's user namespace
check_fail "unprivileged user cannot add a gateway" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	ip netns exec "$ns" "$VPNRTCTL" gateway add gwx
check "unprivileged user can read" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$VPNRTCTL" gateway show
uns_out=$(unshare -Urn bash -c "
	'$VPNRTCTL' gateway add gwu && ip link add xu type xfrm if_id 7 &&
	'$VPNRTCTL' conn add u1 gateway gwu tunnel xu &&
	'$VPNRTCTL' route add 10.0.0.0/8 conn u1 &&
	'$VPNRTCTL' -j route show" 2>&1)
check_eq "root of a new user+net namespace manages its own gateway" "1" \
	"$(jq 'length' <<<"$uns_out" 2>/dev/null || echo "$uns_out")"
check_eq "state is per netns: the initial netns sees no gateway" "[]" \
	"$("$VPNRTCTL" -j gateway show)"

# events: monitor sees conn and route changes
ip netns exec "$ns" timeout 20 "$VPNRTCTL" -j monitor >"$TMPDIR/mon.json" 2>&1 &
mpid=$!
sleep 1.5
C conn set c1 admin down
C route add 10.5.0.0/16 conn d1
C conn set c1 admin up
ip -n "$ns" link del xfrm2
sleep 1
kill $mpid 2>/dev/null
wait $mpid 2>/dev/null
events=$(jq -r '[.event, (.name // .conn // ""), (.state // .prefix // "")] | join(" ")' \
	"$TMPDIR/mon.json" 2>/dev/null | tr '\n' ';')
echo "# events: $events"
check "event: conn c1 set down" grep -q "conn-set c1 down" <<<"$events"
check "event: route added" grep -q "route-new d1 10.5.0.0/16" <<<"$events"
check "event: conn c1 back up" grep -q "conn-set c1 up" <<<"$events"
check "event: tunnel deleted takes c2 down" grep -q "conn-set c2 down" <<<"$events"

ktap_finish
