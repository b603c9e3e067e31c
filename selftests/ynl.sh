#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vpnrt driven by a generic client: the ynl CLI of Linux 6.12 with the
# family's spec, Documentation/netlink/vpnrt.yaml. The spec validates
# against genetlink-legacy.yaml; requests built from it create a gateway,
# a connection over an xfrm interface and static, policy and BGP routes,
# dump, look up and delete them; replies and events decode as the spec
# says, and rejected requests carry the kernel's extack message.
#
# The ynl tree comes from the cache (scripts/ynl-setup, run on the host);
# selftests/ynl_cli.py is its CLI plus indexed-array encoding, which 6.12's
# ynl lacks. Every python start costs seconds under TCG: few calls, each
# checked for several things.
. "$(dirname "$0")/lib.sh"

require_root
require_cmd ip jq python3
require_ynl
schema=$tree/Documentation/netlink/genetlink-legacy.yaml
spec=$VPNRT_TOP/Documentation/netlink/vpnrt.yaml
[ -f "$schema" ] || fail_all "no $schema"
python3 -c 'import yaml, jsonschema' 2>/dev/null ||
	fail_all "needs python3-yaml and python3-jsonschema"

setup_ns ns || fail_all "cannot create a netns"
vpnrt_load || fail_all "cannot load vpnrt.ko"
ip -n "$ns" link add xfrm1 type xfrm if_id 1 && ip -n "$ns" link set xfrm1 up ||
	fail_all "cannot create xfrm1"
xfrm1=$(ip -n "$ns" -o link show xfrm1 | cut -d: -f1)

# ynl ARGS...: the CLI in $ns, JSON out; the spec is checked by the first call
ynl() {
	ip netns exec "$ns" python3 "$SELFTEST_DIR/ynl_cli.py" --spec "$spec" \
		--output-json "$@" 2>&1
}
# jqr [-s] FILTER JSON: values from JSON text (-s: of several documents)
jqr() {
	local slurp=()
	[ "$1" = -s ] && { slurp=(-s); shift; }
	jq -r "${slurp[@]}" "$1" <<<"$2" 2>&1
}
# a route element as one line
route_line='"\(.proto) \(.dst)/\(.["dst-len"])\(if .src then " from \(.src)/\(.["src-len"]) prio \(.priority)" else "" end)\(if .pref != null then " pref \(.pref)" else " weight \(.weight)" end) \(.conn)#\(.["conn-id"]) gw \(.["gw-ifindex"]) usable \(.usable) flags \(.flags | length)"'

# 1: gateway
out=$(ynl --schema "$schema" --do gw-new \
	--json '{"gw": {"ifname": "vpngw0", "max-paths": 4, "ecmp-hash": "l3"}}')
check_eq "spec validates against genetlink-legacy.yaml; gw-new acks" null "$out"

out=$(ynl --no-schema --do gw-get --json '{"gw": {"ifname": "vpngw0"}}')
gw=$(jqr '.gw.ifindex' "$out")
check_eq "gw-get: settings, default quotas, counters, owner none" \
	"vpngw0 $(ip -n "$ns" -o link show vpngw0 | cut -d: -f1) l3 4 50 50 100 100 1048576 0 0 0 0 0 none" \
	"$(jqr '.gw | "\(.ifname) \(.ifindex) \(.["ecmp-hash"]) \(.["max-paths"]) \(.["max-conns"]) \(.["max-bgp-routes"]) \(.["max-peer-routes"]) \(.["max-policy-routes"]) \(.["max-routes"]) \(.["n-conns"]) \(.["n-routes"]) \(.["n-policy-routes"]) \(.["n-bgp-routes"]) \(.stats["tx-packets"]) \(.owner)"' "$out")"

# 2: connection over xfrm1, with its event
out=$(ynl --no-schema --subscribe events --do conn-new \
	--json "{\"conn\": {\"name\": \"c1\", \"gw-ifindex\": $gw, \"owner\": \"agent\", \"tunnels\": [{\"ifindex\": $xfrm1}]}}")
check_eq "conn-new acks; event conn-new-ntf with the connection" \
	"null conn-new-ntf c1 1 $gw xfrm1" \
	"$(jqr -s '"\(.[0]) \(.[1][0].name) \(.[1][0].msg.conn.name) \(.[1][0].msg.conn.id) \(.[1][0].msg.conn["gw-ifindex"]) \(.[1][0].msg.conn.tunnels[0]["1"].ifname)"' "$out")"

# 3: one batch of static, policy, BGP and IPv6 routes, with its events
out=$(ynl --no-schema --subscribe events --do route-new --json '{"routes": [
	{"family": 2, "dst": "0a010000", "dst-len": 16, "proto": "static", "conn": "c1"},
	{"family": 2, "dst": "0a020000", "dst-len": 16, "proto": "policy", "conn": "c1",
	 "src": "c0a80000", "src-len": 16, "priority": 5},
	{"family": 2, "dst": "0a030000", "dst-len": 16, "proto": "bgp", "conn-id": 1, "pref": 200},
	{"family": 10, "dst": "20010db8000000000000000000000000", "dst-len": 32,
	 "proto": "static", "conn": "c1", "weight": 0}]}')
check_eq "route-new acks; one route-new-ntf event with the 4 routes" \
	"null route-new-ntf 4" \
	"$(jqr -s '"\(.[0]) \([.[1][].name] | unique | join(",")) \([.[1][].msg.routes[]] | length)"' "$out")"

out=$(ynl --no-schema --do conn-get --json '{"conn": {"name": "c1"}}')
check_eq "conn-get: modes, states, owner, tunnel with its ike and position, route counts" \
	"c1 1 $gw active-standby destination up up 0 up 0 4 1 agent $xfrm1 xfrm1 up 0 up 1" \
	"$(jqr '.conn | "\(.name) \(.id) \(.["gw-ifindex"]) \(.mode) \(.routing) \(.admin) \(.state) \(.["down-reason"] | length) \(.ike) \(.["ike-managed"]) \(.["n-routes"]) \(.["n-bgp-routes"]) \(.owner) \(.tunnels[0]["1"].ifindex) \(.tunnels[0]["1"].ifname) \(.tunnels[0]["1"].state) \(.tunnels[0]["1"]["tx-packets"]) \(.tunnels[0]["1"].ike) \(.tunnels[0]["1"].position)"' "$out")"

# 4: dump, one route per message
out=$(ynl --no-schema --dump route-get)
check_eq "route-get dump: every route, with its attributes" \
	"static 0a010000/16 weight 100 c1#1 gw $gw usable 1 flags 0
policy 0a020000/16 from c0a80000/16 prio 5 weight 100 c1#1 gw $gw usable 1 flags 0
bgp 0a030000/16 pref 200 c1#1 gw $gw usable 1 flags 0
static 20010db8000000000000000000000000/32 weight 0 c1#1 gw $gw usable 1 flags 0" \
	"$(jqr ".[] | .routes | length as \$n | if \$n != 1 then \"\(\$n) routes in one message\" else .[0][] | $route_line end" "$out")"

# 5: lookups, two in one request
out=$(ynl --no-schema \
	--multi route-lookup "{\"lookup\": {\"gw-ifindex\": $gw, \"family\": 2, \"dst\": \"0a020101\", \"src\": \"c0a80101\", \"ipproto\": 6, \"sport\": 1000, \"dport\": 443}}" \
	--multi route-lookup "{\"lookup\": {\"gw-ifindex\": $gw, \"family\": 2, \"dst\": \"0a030405\"}}")
check_eq "route-lookup: policy route for 10.2.1.1 from 192.168.1.1, BGP for 10.3.4.5" \
	"policy xfrm1 $xfrm1 0 1 0 policy 0a020000/16 prio 5
prefix xfrm1 $xfrm1 0 1 0 bgp 0a030000/16 pref 200" \
	"$(jqr '.[].lookup | "\(.reason) \(.["tunnel-ifname"]) \(.["tunnel-ifindex"]) \(.fallback) \(.["n-paths"]) \(.skipped) \(.route.proto) \(.route.dst)/\(.route["dst-len"])\(if .route.priority then " prio \(.route.priority)" else " pref \(.route.pref)" end)"' "$out")"

# 6: errors come back with errno and the kernel's message
out=$(ynl --no-schema --do route-lookup \
	--json "{\"lookup\": {\"gw-ifindex\": $gw, \"family\": 2, \"dst\": \"08080808\"}}")
rc=$?
check_eq "route-lookup without a route: ENETUNREACH and its message" \
	"1 Netlink error: Network is unreachable|'msg': 'lookup: no route to 8.8.8.8 in vpngw0'" \
	"$rc $(grep -o "^Netlink error: .*" <<<"$out")|$(grep -o "'msg': '[^']*'" <<<"$out")"

out=$(ynl --no-schema --do route-new --json '{"routes": [
	{"family": 2, "dst": "0a090000", "dst-len": 16, "proto": "static", "conn": "c1"},
	{"family": 2, "dst": "0a0a0000", "dst-len": 16, "proto": "static", "conn": "c1", "weight": 50}]}')
rc=$?
check_eq "route-new with weight 50 in route 2: EINVAL, message and attribute" \
	"1 Netlink error: Invalid argument|'msg': 'route 2: weight 50; allowed 100 (active), 0 (standby)'|'bad-attr': '.routes[2].weight'" \
	"$rc $(grep -o "^Netlink error: .*" <<<"$out")|$(grep -o "'msg': '[^']*'" <<<"$out")|$(grep -o "'bad-attr': '[^']*'" <<<"$out")"

# 7: delete the BGP route (pref is checked, not matched), with its event
out=$(ynl --no-schema --subscribe events --do route-del --json '{"routes": [
	{"family": 2, "dst": "0a030000", "dst-len": 16, "proto": "bgp", "conn": "c1", "pref": 7}]}')
check_eq "route-del acks; event route-del-ntf with the route as it was" \
	"null route-del-ntf bgp 0a030000/16 pref 200 c1#1 gw $gw usable 1 flags 0" \
	"$(jqr -s ".[0] as \$r | .[1][] | \"\(\$r) \(.name) \(.msg.routes[0][] | $route_line)\"" "$out")"

# 8: filtered dump: what is left of c1's IPv4 routes; route 1 of the
# rejected batch was not kept
out=$(ynl --no-schema --dump route-get --json '{"routes": [{"conn": "c1", "family": 2}]}')
check_eq "route-get dump filtered by conn and family after the changes" \
	"static 0a010000/16 policy 0a020000/16" \
	"$(jqr '[.[].routes[][] | "\(.proto) \(.dst)/\(.["dst-len"])"] | join(" ")' "$out")"

# 9: the gateway goes, with its connection and routes
out=$(ynl --no-schema --do gw-del --json '{"gw": {"ifname": "vpngw0"}}')
check_eq "gw-del acks" null "$out"
check_fail "vpngw0 is gone" ip -n "$ns" link show vpngw0

ktap_finish
