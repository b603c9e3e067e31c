#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vpnrtd's BGP glue over an `ike: none` tunnel (an ipip device, no IPsec,
# so the test needs no charon SA), with BIRD in dc1 as graceful-restart
# helper:
#
#   vpc --v0-- gw (vpngw0, vpnrtd) --u1 / ipip1-- dc1 (BIRD)
#   inside 169.254.10.0/30: gw .1, dc1 .2
#
# Checks: the session comes up as soon as the device exists; learned
# routes in vpnrt (proto bgp, conn dc1, one batch); the gateway's
# advertise prefix in BIRD; a reload adding a prefix announces only it;
# kill -9 vpnrtd under traffic: the route stays, BIRD keeps our prefix;
# the restart marks the kernel's BGP routes stale, the session comes
# back with the R bit, the resent route is refreshed (not stale), the
# one BIRD dropped meanwhile is swept at End-of-RIB; no packet of the
# vpc's 50 pkt/s is lost; the tunnel going away stops the session and
# removes the routes at once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ike_lib.sh"
. "$(dirname "$0")/bgp_lib.sh"

require_root
require_cmd jq ip python3 bird birdc

ike_init || fail_all "ike_init"
bgp_init || fail_all "bgp_init"
trap 'bgp_cleanup; ike_cleanup; cleanup_ns' EXIT
vpnrtd_init || fail_all "no vpnrtd"
D=$VPNRTD_DIR

ms_since() {
	local n=${EPOCHREALTIME/./} s=${1/./}
	echo $(((10#$n - 10#$s) / 1000))
}
until_eq() {
	local s=$1 want=$2 end
	shift 2
	end=$((SECONDS + s))
	while :; do
		GOT=$("$@" 2>&1)
		[ "$GOT" = "$want" ] && return 0
		[ $SECONDS -ge $end ] && return 1
		bgp_nap 0.3
	done
}
check_until() {
	local what=$1 t0=$EPOCHREALTIME
	shift
	if until_eq "$@"; then
		ktap_ok "$what ($(ms_since "$t0") ms)"
	else
		ktap_fail "$what"
		echo "#   expected: $2"
		echo "#   actual:   $GOT"
	fi
}
vr_bgp() {
	gwctl -j route show | jq -r '[.[] | select(.proto == "bgp") |
		"\(.prefix)@\(.conn)\(if .stale then "(stale)" else "" end)"] | sort | join(" ")'
}
peer_prefixes() {
	bgp_peer_rib "$1" | awk '{ printf "%s%s", (NR > 1 ? " " : ""), $1 }'
}

setup_ns vpc gw dc1 || fail_all "netns"
ip link add v0 netns "$vpc" type veth peer name v0 netns "$gw" &&
ip link add u1 netns "$gw" type veth peer name u1 netns "$dc1" || fail_all "veths"
ip -n "$vpc" -batch - <<EOB || fail_all "vpc"
link set v0 up
addr add 10.10.0.2/24 dev v0
route add default via 10.10.0.1
EOB
ip -n "$gw" -batch - <<EOB || fail_all "gw"
link set v0 up
addr add 10.10.0.1/24 dev v0
link set u1 up
addr add 192.0.2.1/24 dev u1
EOB
ip -n "$dc1" -batch - <<EOB || fail_all "dc1"
link set u1 up
addr add 192.0.2.2/24 dev u1
link add ipip1 type ipip local 192.0.2.2 remote 192.0.2.1
link set ipip1 up
addr add 169.254.10.2/30 dev ipip1
route add local 172.16.1.0/24 dev lo
route add 10.10.0.0/24 dev ipip1
EOB
for ns in "$gw" "$dc1"; do
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 ||
		fail_all "sysctl"
done
vpnrt_load || fail_all "vpnrt.ko"

bgp_peer_start bird "$dc1" dc1 local=169.254.10.2 peer=169.254.10.1 \
	local_as=65001 peer_as=65010 gr=120 \
	announce="172.16.1.0/24,172.16.11.0/24" || fail_all "BIRD"

write_conf() {
	cat >"$CONF" <<EOC
gateways:
  - name: vpngw0
    bgp:
      local-asn: 65010
      advertise: [$1]
    connections:
      - name: dc1
        tunnels:
          - ike: none
            device: ipip1
            bgp: {tunnel-cidr: 169.254.10.0/30, local-ip: 169.254.10.1,
                  peer-asn: 65001, hold-time: 30, graceful-restart: 120}
EOC
}
write_conf "10.10.0.0/16"

# the device comes a little after vpnrtd: the session must follow it
vpnrtd_start
t0=$EPOCHREALTIME
ip -n "$gw" -batch - <<EOB || fail_all "ipip1"
link add ipip1 type ipip local 192.0.2.1 remote 192.0.2.2
link set ipip1 up
EOB
if bgp_peer_wait_established dc1 40; then
	ktap_ok "BIRD Established with vpnrtd over the ike: none ipip1 ($(ms_since "$t0") ms)"
else
	ktap_fail "BIRD Established with vpnrtd over ipip1 (state $(bgp_peer_state dc1))"
	bgp_dump_log dc1 15
	vpnrtd_dump_log 40
fi
check_until "learned routes in vpnrt, proto bgp, connection dc1" 20 \
	"172.16.1.0/24@dc1 172.16.11.0/24@dc1" vr_bgp
check "one batch: '2 added ... in 1 request' in the log" \
	grep -q "BGP routes: 2 added, 0 replaced, 0 removed in 1 request" "$D/vpnrtd.log"
check_until "BIRD has the advertise prefix" 15 "10.10.0.0/16" peer_prefixes dc1

write_conf "10.10.0.0/16, 10.30.0.0/24"
agentctl agent reload >/dev/null 2>&1 || kill -HUP "$VPNRTD_PID"
check_until "reload: the new prefix announced too" 15 \
	"10.10.0.0/16 10.30.0.0/24" peer_prefixes dc1

# a clean stop: exit 0, no NOTIFICATION (BIRD keeps our routes)
mark=$(wc -l <"$D/vpnrtd.log")
kill -TERM "$VPNRTD_PID"
wait "$VPNRTD_PID"
rc=$?
check_eq "vpnrtd stops on SIGTERM with 0" 0 "$rc"
[ "$rc" = 0 ] || tail -n +$((mark + 1)) "$D/vpnrtd.log" | head -60 | sed 's/^/#   /'
check_eq "BIRD keeps our prefixes after the stop (no NOTIFICATION)" \
	"10.10.0.0/16 10.30.0.0/24" "$(peer_prefixes dc1)"
vpnrtd_start
if bgp_peer_wait_established dc1 40; then
	ktap_ok "restarted: BIRD Established again"
else
	ktap_fail "restarted: BIRD Established again (state $(bgp_peer_state dc1))"
fi
check_until "restarted: routes back, none stale" 40 \
	"172.16.1.0/24@dc1 172.16.11.0/24@dc1" vr_bgp

vpc_routes() {
	ip -n "$gw" -j route show table main proto 245 |
		jq -r '[.[] | "\(.dst)@\(.dev)"] | sort | join(" ")'
}
check_until "learned prefixes in the VPC table (main, proto 245, via vpngw0)" 10 \
	"172.16.1.0/24@vpngw0 172.16.11.0/24@vpngw0" vpc_routes
check "vpc reaches 172.16.1.1 through the learned route" \
	ip netns exec "$vpc" ping -n -q -c 1 -W 3 172.16.1.1

# ---- graceful restart under traffic ----
ip netns exec "$vpc" ping -n -q -i 0.02 -c 1000 -W 1 172.16.1.1 >"$D/ping.out" 2>&1 &
PING=$!
bgp_nap 2
kill -9 "$VPNRTD_PID"
wait "$VPNRTD_PID" 2>/dev/null
bgp_peer_withdraw dc1 172.16.11.0/24
bgp_nap 2
check_eq "vpnrtd killed: the routes stay in the kernel" \
	"172.16.1.0/24@dc1 172.16.11.0/24@dc1" "$(vr_bgp)"
check_eq "BIRD keeps our prefixes as helper" "10.10.0.0/16 10.30.0.0/24" \
	"$(peer_prefixes dc1)"
mark=$(wc -l <"$D/vpnrtd.log")
vpnrtd_start
check_until "restart: the kernel's 2 BGP routes marked stale" 10 yes \
	bash -c "tail -n +$((mark + 1)) '$D/vpnrtd.log' | grep -q 'graceful restart: 2 BGP routes kept forwarding, marked stale' && echo yes"
check_until "the resent route refreshed, the withdrawn one swept at End-of-RIB" 40 \
	"172.16.1.0/24@dc1" vr_bgp
check "the sweep logged with its count" \
	bash -c "tail -n +$((mark + 1)) '$D/vpnrtd.log' | grep -q 'graceful restart done (End-of-RIB from every peer): 1 stale BGP route swept'"
check_until "... and from the VPC table" 10 "172.16.1.0/24@vpngw0" vpc_routes
check_eq "BIRD still has our prefixes" "10.10.0.0/16 10.30.0.0/24" \
	"$(peer_prefixes dc1)"
wait "$PING"
loss=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$D/ping.out")
check_eq "no packet lost across kill -9 and restart (1000 sent at 50/s)" 1000 "$loss"
grep -E "packets|rtt" "$D/ping.out" | sed 's/^/#   /'

# ---- the tunnel goes: the session stops and its routes go at once ----
ip -n "$gw" link del ipip1
check_until "ipip1 deleted: the routes removed at once (no hold timer)" 35 "" vr_bgp

[ $ktap_failed = 0 ] || vpnrtd_dump_log 60
ktap_finish
