#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The netlink ABI of Documentation/netlink.rst at the level of messages,
# with requests vpnrtctl never sends: do requests of dump-only and
# event-only commands (EOPNOTSUPP), objects and routes missing
# ("<object> attributes missing", NLMSGERR_ATTR_MISS_TYPE), ROUTE_DEL all
# or none ("route K: same as route J"), GW_SET and CONN_SET all or nothing
# and the attributes CONN_SET refuses, messages cut at 79 characters,
# strict dump requests (filters checked before the first row: what is
# no filter, a gateway or conn that does not exist), GW_GET and CONN_GET
# naming two objects, a route dump resuming by key while routes (the one
# at its cursor too) are deleted, replaced and added between its rounds,
# who may read and who may look up (a user, root of another user
# namespace), no route events with CONN_DEL, GW_DEL and ip link
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
# xfrm3 to dc1, e2 ECMP over xfrm2 and xfrm4 to dc2, both IKE-managed.
# Few processes (each costs much under TCG on the debug kernel): one
# vpnrtctl batch per step, counters read with one ip per measurement.
. "$SELFTEST_DIR/topo.sh"
if topo_setup; then
	ktap_ok "ESP topology: vpc, gw, dc1, dc2"
else
	ktap_fail "ESP topology: vpc, gw, dc1, dc2"
	ktap_finish
fi
# B CMDS: a vpnrtctl batch in gw; its output, lines joined by "|", the
# ages of health states (" since 1.2s") left out
B() {
	local s
	s=$(gwctl -b - <<<"$1" 2>&1)
	s=${s//$'\n'/|}
	while [[ $s =~ (.*)\ since\ [^|]*(.*) ]]; do
		s=${BASH_REMATCH[1]}${BASH_REMATCH[2]}
	done
	printf '%s' "$s"
}
# rx NS: "DEV PACKETS ..." of NS's xfrm devices, one process
rx() {
	local -a w
	local i out=
	while read -r -a w; do
		for ((i = 0; i < ${#w[@]}; i++)); do
			[ "${w[i]}" = RX: ] || continue
			out+="${w[1]%%@*} ${w[i + 9]} "
			break
		done
	done < <(ip -n "$1" -s -o link show type xfrm)
	printf '%s' "$out"
}
# flows NS DST N DEV DEV: N new flows from vpc to DST; what the two
# devices of dc NS received, "DEV +n DEV +n"
flows() {
	local ns=$1 dst=$2 n=$3 d out= b a b1 a1
	shift 3
	b=" $(rx "$ns")"
	send_flows "$dst" "$n"
	sleep 0.3
	a=" $(rx "$ns")"
	for d in "$@"; do
		[[ $b =~ \ $d:?\ ([0-9]+) ]] && b1=${BASH_REMATCH[1]}
		[[ $a =~ \ $d:?\ ([0-9]+) ]] && a1=${BASH_REMATCH[1]}
		out+="$d +$((a1 - b1)) "
	done
	printf '%s' "${out% }"
}
# both DEV +a DEV +b: both got flows, N in all
both() {
	local -a f=($1)
	[ "${f[1]#+}" -gt 0 ] && [ "${f[3]#+}" -gt 0 ] &&
		[ $((${f[1]#+} + ${f[3]#+})) = "$2" ]
}
A1="a1 id 1 gateway vpngw0 mode active-standby admin up"
check_eq "a1 (active-standby) and e2 (ecmp), IKE-managed: tunnels IKE down at first, then up" \
	"$A1 ike down state down reason ike routes 1 bgp-routes 0|    tunnel xfrm1 ike down state down reason ike|    tunnel xfrm3 ike down state down reason ike|$A1 ike up state up routes 1 bgp-routes 0|    tunnel xfrm1 ike up state up|    tunnel xfrm3 ike up state up" \
	"$(B $'conn add a1 gateway vpngw0 tunnel xfrm1 tunnel xfrm3 ike managed
conn add e2 gateway vpngw0 tunnel xfrm2 tunnel xfrm4 mode ecmp ike managed
route add 172.16.1.0/24 conn a1
route add 172.16.2.0/24 conn e2
conn show a1
conn set a1 ike up
conn set e2 ike up
conn show a1')"
check_eq "a1: 16 flows on tunnel 1 (xfrm1)" "xfrm1 +16 xfrm3 +0" \
	"$(flows "$dc1" 172.16.1.5 16 xfrm1 xfrm3)"
check_eq "a1: tunnel xfrm1's SA down: a1 stays up, tunnel 1 down (ike)" \
	"$A1 ike up state up routes 1 bgp-routes 0|    tunnel xfrm1 ike down state down reason ike|    tunnel xfrm3 ike up state up" \
	"$(B $'conn set a1 tunnel xfrm1 ike down\nconn show a1')"
check_eq "a1: the 16 flows move to tunnel 2 (xfrm3)" "xfrm1 +0 xfrm3 +16" \
	"$(flows "$dc1" 172.16.1.5 16 xfrm1 xfrm3)"
out=$(B $'conn set a1 tunnel 1 ike up
conn show a1
conn set a1 ike down
conn show a1
route get 172.16.1.5 gateway vpngw0
conn set a1 ike up
conn show a1')
re='(.*)\|172\.16\.1\.5 route 172\.16\.1\.0/24 conn a1 [^|]* tunnel xfrm1 reason fallback fallback [^|]*\|(.*)'
[[ $out =~ $re ]] && out="${BASH_REMATCH[1]}|route get|${BASH_REMATCH[2]}"
check_eq "a1: tunnel 1 up by position; the conn-level ike down sets every tunnel's (the conn says ike alone; route get: the all-down rule); up again" \
	"$A1 ike up state up routes 1 bgp-routes 0|    tunnel xfrm1 ike up state up|    tunnel xfrm3 ike up state up|$A1 ike down state down reason ike routes 1 bgp-routes 0|    tunnel xfrm1 ike down state down reason ike|    tunnel xfrm3 ike down state down reason ike|route get|$A1 ike up state up routes 1 bgp-routes 0|    tunnel xfrm1 ike up state up|    tunnel xfrm3 ike up state up" \
	"$out"
check_eq "a1: back on tunnel 1" "xfrm1 +16 xfrm3 +0" \
	"$(flows "$dc1" 172.16.1.5 16 xfrm1 xfrm3)"
out=$(flows "$dc2" 172.16.2.5 16 xfrm2 xfrm4)
check "e2 (ecmp), both SAs up: 16 flows over both tunnels ($out)" both "$out" 16
check_eq "e2: tunnel 2's SA down" "" "$(B 'conn set e2 tunnel 2 ike down')"
check_eq "e2: ECMP drops tunnel 2, the 16 flows on xfrm2" "xfrm2 +16 xfrm4 +0" \
	"$(flows "$dc2" 172.16.2.5 16 xfrm2 xfrm4)"
check_eq "e2: tunnel xfrm4's SA up; a1: a health check on xfrm1 (60 s: one probe now)" "" \
	"$(B $'conn set e2 tunnel xfrm4 ike up
conn set a1 tunnel xfrm1 health dst 172.16.255.1 src 10.99.1.1 interval 60s')"
out=$(flows "$dc2" 172.16.2.5 16 xfrm2 xfrm4)
check "e2: tunnel 2 back in the set ($out)" both "$out" 16

# rebinding: a1's tunnel 1 device deleted and re-created
H1="        health up dst 172.16.255.1 src 10.99.1.1 interval 60s timeout 60s retries 3 rise 1 policy revoke-route"
# health_up: a1 tunnel 1's check up within 5 s; then $shown holds conn show -s a1
health_up() {
	local i
	for i in $(seq 10); do
		shown=$(B 'conn show -s a1')
		[[ $shown == *"|$H1|"* ]] && return 0
		sleep 0.5
	done
	return 1
}
# probes_sent: the probes a1 tunnel 1's check sent, from $shown
probes_sent() {
	[[ $shown =~ \|\ +probes\ sent\ ([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}
health_up
check_eq "a1 tunnel 1: health up" 0 $?
[[ $shown =~ tunnel\ xfrm1\ ike\ up\ state\ up\|\ +tx\ packets\ ([0-9]+) ]]
tx_before=${BASH_REMATCH[1]:-none}
check "xfrm1 deleted in gw" ip -n "$gw" link del xfrm1
check_eq "a1: tunnel 1 no-device, its check stopped, the conn up" \
	"$A1 ike up state up routes 1 bgp-routes 0|    tunnel xfrm1 ike up state down reason no-device,link|    tunnel xfrm3 ike up state up" \
	"$(B 'conn show a1')"
check_eq "a1: 16 flows on tunnel 2" "xfrm1 +0 xfrm3 +16" \
	"$(flows "$dc1" 172.16.1.5 16 xfrm1 xfrm3)"
check "xfrm1 re-created in gw (same if_id: the SAs stay)" ip -n "$gw" -batch - <<EOB
link add xfrm1 type xfrm dev u1 if_id 1
link set xfrm1 addrgenmode none
link set xfrm1 up
EOB
check_eq "a re-created device is not taken by itself; conn set a1 tunnel 1 dev xfrm1 rebinds it" \
	"$A1 ike up state up routes 1 bgp-routes 0|    tunnel xfrm1 ike up state down reason no-device,link|    tunnel xfrm3 ike up state up|$A1 ike up state up routes 1 bgp-routes 0|    tunnel xfrm1 ike up state up|    tunnel xfrm3 ike up state up" \
	"$(B $'conn show a1\nconn set a1 tunnel 1 dev xfrm1\nconn show a1' | sed 's/|        health [^|]*//')"
health_up
check_eq "a1 tunnel 1: the kept health check answered through the new device" 0 $?
# the check's next probe, at its phase in the 60 s, may fall among the
# flows: xfrm1 may have those probes more than the 16 flows, no fewer
sent0=$(probes_sent)
out=$(flows "$dc1" 172.16.1.5 16 xfrm1 xfrm3)
shown=$(B 'conn show -s a1')
probes=$(($(probes_sent) - ${sent0:-0}))
[[ $out =~ ^xfrm1\ \+([0-9]+)\ xfrm3\ \+0$ ]] &&
	[ "${BASH_REMATCH[1]}" -ge 16 ] && [ "${BASH_REMATCH[1]}" -le $((16 + probes)) ] &&
	out="xfrm1 +16 xfrm3 +0"
check_eq "a1: traffic back on tunnel 1 (and any probe of its check)" \
	"xfrm1 +16 xfrm3 +0" "$out"
[[ $shown =~ tunnel\ xfrm1\ ike\ up\ state\ up\|\ +tx\ packets\ ([0-9]+) ]]
check_eq "a1 tunnel 1's tx counter went on across the rebind" \
	"$((tx_before + 16))" "${BASH_REMATCH[1]:-none}"
check_eq "rebind to the conn's own tunnel 2: refused" \
	"vpnrtctl: line 1: tunnel xfrm3 is already used by conn a1" \
	"$(B 'conn set a1 tunnel 1 dev xfrm3')"

ktap_finish
