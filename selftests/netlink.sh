#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The netlink ABI of Documentation/netlink.rst at the level of messages,
# with requests vpnrtctl never sends: do requests of dump-only and
# event-only commands (EOPNOTSUPP), objects and routes missing
# ("<object> attributes missing", NLMSGERR_ATTR_MISS_TYPE), ROUTE_DEL all
# or none ("route K: same as route J"), GW_SET and CONN_SET all or nothing
# and the attributes CONN_SET refuses, messages cut at 79 characters,
# strict dump requests, no route events with CONN_DEL, GW_DEL and ip link
# del, GW_NEW events of ip link add, the lowest free conn id, no
# NLM_F_DUMP_INTR for state and counter changes, owners (given at creation,
# fixed), IKE state per tunnel (by position or ifindex, the conn-level
# state setting every tunnel's) and tunnels rebound to other devices
# (after a delete and re-create, health check kept), with their
# rejections, and `vpnrtctl -V`. Then the same through vpnrtctl with
# traffic, over the ESP tunnels of topo.sh: a tunnel's SA down moves an
# active-standby conn to tunnel 2 (the conn stays up) and leaves an ECMP
# conn's set, the conn-level ike still sets every tunnel's, and a tunnel
# whose device was deleted and re-created carries again once rebound,
# with its health check and counters.
#
# Each rejection is checked for its errno, message and attribute, and the
# gateways, connections and routes dumped after it must equal those
# before it, with no event. selftests/netlink.py does the requests, in
# one python process (starts cost seconds under TCG), and prints its
# results as records that become the checks here.
. "$(dirname "$0")/lib.sh"

require_root
require_cmd ip python3 jq
require_ynl
python3 -c 'import yaml' 2>/dev/null || fail_all "needs python3-yaml"
spec=$VPNRT_TOP/Documentation/netlink/vpnrt.yaml

setup_ns ns || fail_all "cannot create a netns"
vpnrt_load || fail_all "cannot load vpnrt.ko"
for i in $(seq 1 14); do
	echo "link add xfrm$i type xfrm if_id $i"
	echo "link set xfrm$i up"
done | ip -n "$ns" -batch - || fail_all "cannot create xfrm1..xfrm14"

res=$(mktemp) && err=$(mktemp) || fail_all "mktemp"
trap 'rm -f "$res" "$err"; cleanup_ns' EXIT
ip netns exec "$ns" python3 "$SELFTEST_DIR/netlink.py" --spec "$spec" \
	>"$res" 2>"$err"
rc=$?

family_version=
while IFS= read -r -d '' kind && IFS= read -r -d '' what &&
	IFS= read -r -d '' a && IFS= read -r -d '' b; do
	case $kind in
	eq) check_eq "$what" "$a" "$b" ;;
	nonempty) check_nonempty "$what" "$a" ;;
	var) printf -v "$what" '%s' "$a" ;;
	*) ktap_fail "netlink.py printed a record of kind \"$kind\"" ;;
	esac
done <"$res"
check_eq "netlink.py ran to its end" 0 "$rc"
[ $rc = 0 ] || sed 's/^/#   /' "$err" | tail -n 20

check_nonempty "the family's version from the genl controller" "$family_version"
check_eq "vpnrtctl -V: its version and the family's (ABI) version" \
	"vpnrtctl X (netlink ABI version $family_version)" \
	"$("$VPNRTCTL" -V 2>&1 | sed -E 's/^vpnrtctl [0-9A-Za-z][0-9A-Za-z.+~-]* /vpnrtctl X /')"

# IKE state per tunnel and tunnels rebound, with traffic: the ESP
# topology of topo.sh (its own netns), a1 active-standby over xfrm1 and
# xfrm3 to dc1, e2 ECMP over xfrm2 and xfrm4 to dc2, both IKE-managed
. "$SELFTEST_DIR/topo.sh"
if topo_setup; then
	ktap_ok "ESP topology: vpc, gw, dc1, dc2"
else
	ktap_fail "ESP topology: vpc, gw, dc1, dc2"
	ktap_finish
fi
check "a1 (active-standby) and e2 (ecmp), IKE-managed, IKE up, routes" \
	gwctl -b - <<EOB
conn add a1 gateway vpngw0 tunnel xfrm1 tunnel xfrm3 ike managed
conn add e2 gateway vpngw0 tunnel xfrm2 tunnel xfrm4 mode ecmp ike managed
conn set a1 ike up
conn set e2 ike up
route add 172.16.1.0/24 conn a1
route add 172.16.2.0/24 conn e2
EOB
# flows DST N DEV...: N new flows from vpc to DST; what each dc-side DEV
# received, as "DEV +n ..."
flows() {
	local dst=$1 n=$2 b a d out=
	shift 2
	b=$(dc_rx)
	send_flows "$dst" "$n"
	sleep 0.3
	a=$(dc_rx)
	for d in "$@"; do
		out+="$d +$(($(awk -v d="$d" '$1 == d { print $2 }' <<<"$a") -
			$(awk -v d="$d" '$1 == d { print $2 }' <<<"$b"))) "
	done
	echo "${out% }"
}
# tstate CONN: "conn-state conn-ike | per tunnel: dev ike state reasons"
tstate() {
	gwctl -j conn show "$1" | jq -r '.[0] | "\(.state) \(.ike) owner \(.owner)" +
		([.tunnels[] | " | \(.position) \(.dev) \(.ike) \(.state) \(.down_reason | join(","))"] | join(""))' 2>&1
}
check_eq "a1: both SAs up, 20 flows on tunnel 1 (xfrm1)" "xfrm1 +20 xfrm3 +0" \
	"$(flows 172.16.1.5 20 xfrm1 xfrm3)"
check "a1: tunnel xfrm1's IKE down" gwctl conn set a1 tunnel xfrm1 ike down
check_eq "a1 stays up; tunnel 1 down (ike), tunnel 2 up; owner none" \
	"up up owner none | 1 xfrm1 down down ike | 2 xfrm3 up up " "$(tstate a1)"
check_eq "a1: 20 flows on tunnel 2 (xfrm3)" "xfrm1 +0 xfrm3 +20" \
	"$(flows 172.16.1.5 20 xfrm1 xfrm3)"
check_eq "conn show: the tunnels' ike in text" \
	"    tunnel xfrm1 ike down state down reason ike|    tunnel xfrm3 ike up state up" \
	"$(gwctl conn show a1 | grep '^    tunnel' | paste -sd'|')"
check "a1: tunnel 1's IKE up (by position)" gwctl conn set a1 tunnel 1 ike up
check_eq "a1: back on tunnel 1" "xfrm1 +20 xfrm3 +0" \
	"$(flows 172.16.1.5 20 xfrm1 xfrm3)"
check "a1: the conn-level ike down" gwctl conn set a1 ike down
check_eq "conn-level ike down: every tunnel's; the conn says ike alone" \
	"down down owner none | 1 xfrm1 down down ike | 2 xfrm3 down down ike" "$(tstate a1)"
check_eq "route get: a1 alone, the all-down rule" "fallback xfrm1" \
	"$(gwctl -j route get 172.16.1.5 gateway vpngw0 | jq -r '"\(.reason) \(.tunnel)"' 2>&1)"
check "a1: the conn-level ike up" gwctl conn set a1 ike up
check_eq "conn-level ike up: every tunnel's" \
	"up up owner none | 1 xfrm1 up up  | 2 xfrm3 up up " "$(tstate a1)"
out=$(flows 172.16.2.5 40 xfrm2 xfrm4)
check "e2 (ecmp), both SAs up: 40 flows over both tunnels ($out)" \
	awk -v s="$out" 'BEGIN { split(s, f, " "); exit !(f[2] + 0 > 0 && f[4] + 0 > 0 && f[2] + f[4] == 40) }'
check "e2: tunnel 2's IKE down" gwctl conn set e2 tunnel 2 ike down
check_eq "e2: ECMP drops tunnel 2, all 40 flows on xfrm2" "xfrm2 +40 xfrm4 +0" \
	"$(flows 172.16.2.5 40 xfrm2 xfrm4)"
check "e2: tunnel xfrm4's IKE up" gwctl conn set e2 tunnel xfrm4 ike up
out=$(flows 172.16.2.5 40 xfrm2 xfrm4)
check "e2: tunnel 2 back in the set ($out)" \
	awk -v s="$out" 'BEGIN { split(s, f, " "); exit !(f[2] + 0 > 0 && f[4] + 0 > 0 && f[2] + f[4] == 40) }'

# rebinding: a1's tunnel 1 device deleted and re-created
check "a1: a health check on tunnel xfrm1 (60 s: one probe now)" \
	gwctl conn set a1 tunnel xfrm1 health dst 172.16.255.1 src 10.99.1.1 interval 60s
# health_of CONN POS: the health state of a tunnel, or null
health_of() {
	gwctl -j conn show "$1" | jq -r ".[0].tunnels[$(($2 - 1))].health.state" 2>&1
}
# wait_health CONN POS STATE: within 5 s
wait_health() {
	local i
	for i in $(seq 25); do
		[ "$(health_of "$1" "$2")" = "$3" ] && return 0
		sleep 0.2
	done
	return 1
}
check "a1 tunnel 1: health up" wait_health a1 1 up
tx_before=$(gwctl -j -s conn show a1 | jq '.[0].tunnels[0].stats.tx_packets')
check "xfrm1 deleted in gw" ip -n "$gw" link del xfrm1
check_eq "a1: tunnel 1 no-device, its check stopped, the conn up" \
	"up up owner none | 1 xfrm1 up down no-device,link | 2 xfrm3 up up |null" \
	"$(tstate a1)|$(health_of a1 1)"
check_eq "a1: 20 flows on tunnel 2" "xfrm1 +0 xfrm3 +20" \
	"$(flows 172.16.1.5 20 xfrm1 xfrm3)"
check "xfrm1 re-created in gw (same if_id: the SAs stay)" ip -n "$gw" -batch - <<EOB
link add xfrm1 type xfrm dev u1 if_id 1
link set xfrm1 addrgenmode none
link set xfrm1 up
EOB
check_eq "a re-created device is not taken by itself" \
	"up up owner none | 1 xfrm1 up down no-device,link | 2 xfrm3 up up " "$(tstate a1)"
check "a1: tunnel 1 rebound: conn set a1 tunnel 1 dev xfrm1" \
	gwctl conn set a1 tunnel 1 dev xfrm1
check_eq "a1: tunnel 1 up on the new xfrm1, its ifindex" \
	"up up owner none | 1 xfrm1 up up  | 2 xfrm3 up up |$(ip -n "$gw" -o link show xfrm1 | cut -d: -f1)" \
	"$(tstate a1)|$(gwctl -j conn show a1 | jq '.[0].tunnels[0].ifindex')"
check "a1 tunnel 1: the kept health check answered through the new device" \
	wait_health a1 1 up
check_eq "a1: traffic back on tunnel 1" "xfrm1 +20 xfrm3 +0" \
	"$(flows 172.16.1.5 20 xfrm1 xfrm3)"
check_eq "a1 tunnel 1's tx counter went on across the rebind" $((tx_before + 20)) \
	"$(gwctl -j -s conn show a1 | jq '.[0].tunnels[0].stats.tx_packets')"
check_fail_msg "rebind to the conn's own tunnel 2: refused" \
	"tunnel xfrm3 is already used by conn a1" gwctl conn set a1 tunnel 1 dev xfrm3
check_eq "gateway show: owner none (made by hand)" none \
	"$(gwctl -j gateway show vpngw0 | jq -r '.[0].owner' 2>&1)"

ktap_finish
