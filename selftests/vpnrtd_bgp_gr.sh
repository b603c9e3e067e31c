#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vpnrtd's BGP graceful restart (RFC 4724) over `ike: none` tunnels (ipip
# devices, no IPsec, so no charon SA is needed), with BIRD in dc1 and
# FRR's bgpd in dc2 as graceful-restart helpers:
#
#   vpc --v0-- gw (vpngw0, vpnrtd) --u1 / ipip1-- dc1 (BIRD 2)
#                                  --u2 / ipip2-- dc2 (FRR bgpd, F bit on)
#   inside 169.254.10.0/30: gw .1, dc1 .2; 169.254.20.0/30: gw .1, dc2 .2
#
# Checks: the sessions come up as soon as the devices exist; learned
# routes in vpnrt (proto bgp, per connection, in batches); the gateway's
# advertise prefixes in both peers; a reload adding a prefix announces
# only it; SIGTERM: no NOTIFICATION, the peers keep our prefixes.
# kill -9 vpnrtd under 100 pkt/s to a learned prefix behind each peer
# (lossmeter): the routes stay in the kernel, both peers keep our prefixes
# as stale, BIRD and FRR each withdraw one prefix meanwhile; the restart
# marks the kernel's BGP routes stale, the sessions come back with the R
# bit, each resent route is refreshed (the kernel's stale mark cleared),
# each withdrawn one is swept at its connection's End-of-RIB (FRR held
# stopped meanwhile, so that its routes are seen stale in the kernel
# while BIRD's are already refreshed and swept), and in the VPC table;
# the peers' view sampled through the restart: our prefixes never left,
# no withdrawal reached them (BIRD's import withdraw counter, FRR's
# update debug log), both got our End-of-RIB; 0 of the datagrams lost.
# vpnrtd as helper (RFC 4724 4.2): BIRD and FRR killed and started again;
# BIRD comes back with the F bit 0 and its stale routes go at once, FRR
# with the F bit (preserve-fw-state) and its stale routes wait for its
# End-of-RIB, which sweeps the one withdrawn while it was down. Last, the
# tunnel going away stops its session and removes its routes at once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ike_lib.sh"
. "$(dirname "$0")/bgp_lib.sh"

require_root
require_cmd jq ip python3 bird birdc vtysh
[ -x "$BGP_FRR_BGPD" ] || skip_all "no $BGP_FRR_BGPD"

ike_init || fail_all "ike_init"
bgp_init || fail_all "bgp_init"
trap 'bgp_cleanup; ike_cleanup; cleanup_ns' EXIT
vpnrtd_init || fail_all "no vpnrtd"
D=$VPNRTD_DIR
HELPERS=${HELPERS:-$(dirname "$VPNRTCTL")/selftest-helpers}
[ -x "$HELPERS/lossmeter" ] || fail_all "no $HELPERS/lossmeter"
RATE=100

vr_bgp() {
	gwctl -j route show | jq -r '[.[] | select(.proto == "bgp") |
		"\(.prefix)@\(.conn)\(if .stale then "(stale)" else "" end)"] | sort | join(" ")'
}
peer_prefixes() {
	bgp_peer_rib "$1" | awk '{ printf "%s%s", (NR > 1 ? " " : ""), $1 }'
}
# vpnrtd's log since line $1 matches the extended regex $2
log_since() {
	tail -n +$(($1 + 1)) "$D/vpnrtd.log" | grep -qE "$2"
}
log_lines() {
	wc -l <"$D/vpnrtd.log"
}
# BIRD's "Import withdraws" received on its session with vpnrtd, then
# "Import updates" received (a counter that moves: the parse works)
bird_wd() {
	_bgp_birdc dc1 show protocols all peer 2>/dev/null |
		awk '/Import withdraws:/ { w = $3 } /Import updates:/ { u = $3 }
			END { print (w == "" ? "?" : w), (u == "" ? "?" : u) }'
}
# FRR's paths from vpnrtd: "PFX(stale)" or "PFX", sorted
frr_paths() {
	_bgp_vtysh dc2 -c "show bgp ipv4 unicast json" 2>/dev/null |
		jq -r '[.routes // {} | to_entries[] | .key as $p | .value[]
			| select(.peerId == "169.254.20.1")
			| "\($p)\(if .stale then "(stale)" else "" end)"] | sort | join(" ")'
}
# the peer's OPEN as vpnrtd saw it: the F bit of its first GR family
peer_f_bit() {
	agentctl -j bgp show "$1" 2>/dev/null | jq -r '[.. | objects
		| select(has("peer_capabilities")) | .peer_capabilities
		| .graceful_restart // {} | .families // []
		| if length > 0 then .[0].forwarding | tostring else "none" end]
		| first // "none"'
}

# its R bit and first family's F bit: "true false"
peer_rf() {
	agentctl -j bgp show "$1" 2>/dev/null | jq -r '[.. | objects
		| select(has("peer_capabilities")) | .peer_capabilities
		| .graceful_restart // {}
		| "\(.restarting | tostring) \(.families // [] | if length > 0
			then .[0].forwarding | tostring else "none" end)"]
		| first // "none"'
}

# dc K: 172.16.K.0/24 is local, the vpc's replies go back through ipipK
dc_routes() {
	echo "route add local 172.16.$1.0/24 dev lo"
	echo "route add 10.10.0.0/24 dev ipip$1"
}
bgp_ipip_net -v -f -d dc_routes 2 || fail_all "network"
vpnrt_load || fail_all "vpnrt.ko"

bgp_peer_start bird "$dc1" dc1 local=169.254.10.2 peer=169.254.10.1 \
	local_as=65001 peer_as=65010 gr=120 \
	announce="172.16.1.0/24,172.16.11.0/24" || fail_all "BIRD"
bgp_peer_start frr "$dc2" dc2 local=169.254.20.2 peer=169.254.20.1 \
	local_as=65002 peer_as=65010 gr=120 gr_fwd=yes \
	announce="172.16.2.0/24,172.16.12.0/24" || fail_all "FRR"
# FRR logs every UPDATE it receives, withdrawals included
_bgp_vtysh dc2 -c "debug bgp updates in" -c "configure terminal" \
	-c "log file $BGP_DIR/dc2.log debugging" >/dev/null ||
	fail_all "FRR update debugging"

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
      - name: dc2
        tunnels:
          - ike: none
            device: ipip2
            bgp: {tunnel-cidr: 169.254.20.0/30, local-ip: 169.254.20.1,
                  peer-asn: 65002, hold-time: 30, graceful-restart: 120}
EOC
}
write_conf "10.10.0.0/16"

# the devices come a little after vpnrtd: the sessions must follow them
vpnrtd_start
t0=$EPOCHREALTIME
bgp_ipip_lines gw 1 2 | ip -n "$gw" -batch - || fail_all "ipip1/2"
for n in dc1 dc2; do
	if bgp_peer_wait_established $n 40; then
		ktap_ok "${BGP_KIND[$n]} ($n) Established with vpnrtd over its ike: none ipip device ($(ms_since "$t0") ms)"
	else
		ktap_fail "${BGP_KIND[$n]} ($n) Established with vpnrtd (state $(bgp_peer_state $n))"
		bgp_dump_log $n 15
		vpnrtd_dump_log 40
	fi
done
ALL4="172.16.1.0/24@dc1 172.16.11.0/24@dc1 172.16.12.0/24@dc2 172.16.2.0/24@dc2"
check_until "learned routes in vpnrt, proto bgp, connections dc1 and dc2" 30 \
	"$ALL4" vr_bgp
check "batches: each peer's 2 routes (or all 4) added in 1 request" \
	grep -qE "BGP routes: [24] added, 0 replaced, 0 removed in 1 request" "$D/vpnrtd.log"
check_until "BIRD has the advertise prefix" 30 "10.10.0.0/16" peer_prefixes dc1
check_until "FRR has the advertise prefix" 30 "10.10.0.0/16" peer_prefixes dc2

write_conf "10.10.0.0/16, 10.30.0.0/24"
agentctl agent reload >/dev/null 2>&1 || kill -HUP "$VPNRTD_PID"
OURS="10.10.0.0/16 10.30.0.0/24"
check_until "reload: the new prefix announced to BIRD" 30 "$OURS" peer_prefixes dc1
check_until "reload: ... and to FRR" 30 "$OURS" peer_prefixes dc2

# a clean stop: exit 0, no NOTIFICATION (the peers keep our routes)
mark=$(log_lines)
kill -TERM "$VPNRTD_PID"
wait "$VPNRTD_PID"
rc=$?
check_eq "vpnrtd stops on SIGTERM with 0" 0 "$rc"
[ "$rc" = 0 ] || tail -n +$((mark + 1)) "$D/vpnrtd.log" | head -60 | sed 's/^/#   /'
check_eq "BIRD keeps our prefixes after the stop (no NOTIFICATION)" \
	"$OURS" "$(peer_prefixes dc1)"
check_eq "FRR keeps them too" "$OURS" "$(peer_prefixes dc2)"
vpnrtd_start
for n in dc1 dc2; do
	if bgp_peer_wait_established $n 40; then
		ktap_ok "restarted: $n Established again"
	else
		ktap_fail "restarted: $n Established again (state $(bgp_peer_state $n))"
	fi
done
check_until "restarted: routes back, none stale" 40 "$ALL4" vr_bgp

vpc_routes() {
	ip -n "$gw" -j route show table main proto 245 |
		jq -r '[.[] | "\(.dst)@\(.dev)"] | sort | join(" ")'
}
check_until "learned prefixes in the VPC table (main, proto 245, via vpngw0)" 30 \
	"172.16.1.0/24@vpngw0 172.16.11.0/24@vpngw0 172.16.12.0/24@vpngw0 172.16.2.0/24@vpngw0" \
	vpc_routes
check "vpc reaches 172.16.1.1 (dc1) and 172.16.2.1 (dc2) through the learned routes" \
	bash -c "ip netns exec '$vpc' ping -n -q -c 1 -W 3 172.16.1.1 >/dev/null &&
		ip netns exec '$vpc' ping -n -q -c 1 -W 3 172.16.2.1 >/dev/null"
check_until "the sweep after the SIGTERM restart is over (both End-of-RIB)" 30 yes \
	bash -c "grep -q 'bgp: graceful restart complete' '$D/vpnrtd.log' && echo yes"

# ---- kill -9 under traffic, vpnrtd restarting, BIRD and FRR helping ----
read -r wd0 up0 <<<"$(bird_wd)"
check "BIRD's counters read (Import updates received $up0, withdraws $wd0)" \
	test "$up0" != "?" -a "$wd0" != "?"
frr_mark=$(wc -l <"$BGP_DIR/dc2.log")
STOP=$D/lm.stop
for n in 1 2; do
	"$HELPERS/lossmeter" --tx-ns "$vpc" --dst 172.16.$n.1 --port 700$n \
		--rate $RATE --duration 300 --until-file "$STOP" \
		--ready "$D/lm$n.ready" --rx-ns "$(eval echo "\$dc$n")" \
		>"$D/lm$n.out" 2>&1 &
	eval "LM$n=\$!"
done
for ((i = 0; i < 50; i++)); do
	[ -e "$D/lm1.ready" ] && [ -e "$D/lm2.ready" ] && break
	bgp_nap 0.1
done
check "lossmeters sending $RATE pkt/s to 172.16.1.1 (dc1) and 172.16.2.1 (dc2)" \
	test -e "$D/lm1.ready" -a -e "$D/lm2.ready"
bgp_nap 1
t_kill=$EPOCHREALTIME
kill -9 "$VPNRTD_PID"
wait "$VPNRTD_PID" 2>/dev/null
# while vpnrtd is dead each peer stops announcing one prefix
bgp_peer_withdraw dc1 172.16.11.0/24
bgp_peer_withdraw dc2 172.16.12.0/24
check_until "vpnrtd killed: FRR keeps our prefixes, as stale (helper)" 30 \
	"10.10.0.0/16(stale) 10.30.0.0/24(stale)" frr_paths
bird_gr_view() {
	local gr=none
	_bgp_birdc dc1 show protocols all peer 2>/dev/null |
		grep -q "Neighbor graceful restart active" && gr=active
	echo "$(peer_prefixes dc1) $gr"
}
check_until "vpnrtd killed: BIRD keeps our prefixes, its graceful restart timer running" 30 \
	"$OURS active" bird_gr_view
check_eq "vpnrtd killed: the routes stay in the kernel" "$ALL4" "$(vr_bgp)"
# FRR held still: its session cannot come back before we look
bgp_peer_freeze dc2
mark=$(log_lines)
vpnrtd_start
t_start=$EPOCHREALTIME
check_until "restart: the kernel's 4 BGP routes marked stale" 40 yes \
	bash -c "tail -n +$((mark + 1)) '$D/vpnrtd.log' | grep -q 'graceful restart: 4 BGP routes kept forwarding, marked stale' && echo yes"
# the peers' view sampled through the restart window (BIRD: FRR is held)
bad_view=
sample_views() {
	local v
	v=$(peer_prefixes dc1)
	[ "$v" = "$OURS" ] || bad_view+=" [BIRD at +$(ms_since "$t_kill") ms: $v]"
}
sample_views
check_until "BIRD back with the R bit: dc1's resent route refreshed (not stale), the withdrawn one swept; dc2's still stale" 40 \
	"172.16.1.0/24@dc1 172.16.12.0/24@dc2(stale) 172.16.2.0/24@dc2(stale)" \
	vr_bgp
check "dc1's sweep at End-of-RIB logged with its count" \
	log_since "$mark" "connection dc1: graceful restart done \(End-of-RIB from every peer\): 1 stale BGP route swept"
check "vpnrtd sent the R bit to BIRD" \
	log_since "$mark" "bgp dc1/1 169.254.10.2 AS65001: up: .*we are restarting \(R bit sent\)"
sample_views
bgp_peer_thaw dc2
check_until "FRR back: dc2's resent route refreshed, the withdrawn one swept at its End-of-RIB" 40 \
	"172.16.1.0/24@dc1 172.16.2.0/24@dc2" vr_bgp
t_done=$EPOCHREALTIME
for i in 1 2 3; do sample_views; done
check "dc2's sweep logged with its count, then graceful restart complete" \
	bash -c "tail -n +$((mark + 1)) '$D/vpnrtd.log' | grep -q 'connection dc2: graceful restart done (End-of-RIB from every peer): 1 stale BGP route swept' &&
		tail -n +$((mark + 1)) '$D/vpnrtd.log' | grep -q 'bgp: graceful restart complete'"
check "End-of-RIB from both peers seen by vpnrtd" \
	bash -c "tail -n +$((mark + 1)) '$D/vpnrtd.log' | grep -q 'bgp dc1/1 169.254.10.2 AS65001: End-of-RIB IPv4' &&
		tail -n +$((mark + 1)) '$D/vpnrtd.log' | grep -q 'bgp dc2/1 169.254.20.2 AS65002: End-of-RIB IPv4'"
check_until "... and from the VPC table" 30 "172.16.1.0/24@vpngw0 172.16.2.0/24@vpngw0" vpc_routes
check_eq "BIRD's view through the restart: our prefixes every time it was asked" "" "$bad_view"
check_eq "BIRD still has our prefixes" "$OURS" "$(peer_prefixes dc1)"
check_until "FRR has our prefixes again fresh (no longer stale)" 40 "$OURS" frr_paths
read -r wd1 up1 <<<"$(bird_wd)"
check_eq "BIRD received no withdrawal (Import withdraws received; updates $up0 -> $up1)" \
	"$wd0" "$wd1"
check "BIRD: neighbor graceful restart detected and done (our End-of-RIB)" \
	bash -c "grep -q 'Neighbor graceful restart detected' '$BGP_DIR/dc1.log' &&
		grep -q 'Neighbor graceful restart done' '$BGP_DIR/dc1.log'"
frr_log=$(tail -n +$((frr_mark + 1)) "$BGP_DIR/dc2.log")
check "FRR logged the UPDATEs it received (rcvd 10.10.0.0/16) and our End-of-RIB" \
	bash -c "grep -q 'rcvd 10.10.0.0/16' <<<\"\$1\" && grep -qi 'rcvd End-of-RIB' <<<\"\$1\"" _ "$frr_log"
check_eq "FRR received no withdrawal" "" "$(grep -i 'withdrawn' <<<"$frr_log" | head -3)"
touch "$STOP"
wait "$LM1" "$LM2"
for n in 1 2; do
	peer=$([ $n = 1 ] && echo BIRD || echo FRR)
	lm_sent=$(awk '$1 == "sent" { print $2 }' "$D/lm$n.out")
	lm_lost=$(awk '$1 == "lost" { print $2 }' "$D/lm$n.out")
	lm_del=$(awk '$1 == "delayed" { print $2 }' "$D/lm$n.out")
	echo "# lossmeter to 172.16.$n.1 ($peer, dc$n): sent $lm_sent lost $lm_lost delayed $lm_del, gap $(awk '$1 == "gap_ms" { print $2 }' "$D/lm$n.out") ms; vpnrtd dead $((($(ms_since "$t_kill") - $(ms_since "$t_start")))) ms, kill -9 to both peers' routes swept $((($(ms_since "$t_kill") - $(ms_since "$t_done")))) ms"
	if [ -n "$lm_sent" ] && [ "$lm_sent" -ge $((RATE * 5)) ] && [ "$lm_lost" = 0 ]; then
		ktap_ok "no datagram to dc$n ($peer) lost across kill -9 and restart: $lm_sent sent at $RATE/s, 0 lost"
	else
		ktap_fail "no datagram to dc$n ($peer) lost across kill -9 and restart"
		sed 's/^/#   /' "$D/lm$n.out"
	fi
done

# ---- vpnrtd as helper: the peers restart (RFC 4724 4.2) ----
mark=$(log_lines)
bgp_peer_kill dc1
bgp_peer_kill dc2
check_until "BIRD and FRR killed: vpnrtd keeps their routes stale (helper)" 30 2 \
	bash -c "tail -n +$((mark + 1)) '$D/vpnrtd.log' | grep -c 'its routes are kept stale (graceful restart)'"
check_eq "... in the kernel meanwhile" "172.16.1.0/24@dc1 172.16.2.0/24@dc2" "$(vr_bgp)"
# FRR comes back without 172.16.2.0/24, with 172.16.22.0/24
_bgp_routes_set dc2 172.16.2.0/24 ""
_bgp_routes_set dc2 172.16.22.0/24 "172.16.22.0/24"
_bgp_launch dc1 || fail_all "BIRD again"
_bgp_launch dc2 || fail_all "FRR again"
check_until "BIRD back with the F bit 0: its stale route removed at once, not at End-of-RIB" 40 yes \
	bash -c "tail -n +$((mark + 1)) '$D/vpnrtd.log' | grep -q 'bgp dc1/1 169.254.10.2 AS65001: back without forwarding state for IPv4 (F bit 0 or family not in its capability): 1 stale route removed at once' && echo yes"
check_eq "BIRD's new OPEN: GR IPv4 without the F bit" false "$(peer_f_bit dc1)"
check_until "FRR back with the F bit: its stale route kept until its End-of-RIB, which swept it" 40 yes \
	bash -c "tail -n +$((mark + 1)) '$D/vpnrtd.log' | grep -q 'bgp dc2/1 169.254.20.2 AS65002: End-of-RIB IPv4 unicast: 1 stale route swept' && echo yes"
check_eq "FRR's new OPEN: GR IPv4 with the F bit" true "$(peer_f_bit dc2)"
check "... and nothing removed at once for FRR" \
	bash -c "! tail -n +$((mark + 1)) '$D/vpnrtd.log' | grep -q 'bgp dc2/1.*back without forwarding state'"
check_until "the peers' routes after their restart" 30 \
	"172.16.1.0/24@dc1 172.16.22.0/24@dc2" vr_bgp

# ---- vpnrtd and FRR restart together (RFC 4724 4.2 while we restart) ----
# FRR starts again without preserve-fw-state: within its restart time its
# OPEN has the R bit, and the F bit 0: the routes it gave the previous run
# must go at once; BIRD's (no R bit: it did not restart) wait as usual
mark=$(log_lines)
kill -9 "$VPNRTD_PID"
wait "$VPNRTD_PID" 2>/dev/null
bgp_peer_kill dc2
bgp_peer_start frr "$dc2" dc2 local=169.254.20.2 peer=169.254.20.1 \
	local_as=65002 peer_as=65010 gr=120 announce="172.16.22.0/24" ||
	fail_all "FRR without preserve-fw-state"
vpnrtd_start
check_until "FRR restarted too, R bit and F bit 0: dc2's stale kernel route swept at once" 40 yes \
	bash -c "tail -n +$((mark + 1)) '$D/vpnrtd.log' | grep -q 'connection dc2: graceful restart done (the peer restarted too, without forwarding state): 1 stale BGP route swept' && echo yes"
check_eq "FRR's OPEN: restarting, IPv4 without the F bit" "true false" "$(peer_rf dc2)"
check_until "dc1's (BIRD: no R bit) waited for its End-of-RIB, then graceful restart complete" 40 yes \
	bash -c "tail -n +$((mark + 1)) '$D/vpnrtd.log' | grep -q 'connection dc1: graceful restart done (End-of-RIB from every peer): 0 stale BGP routes swept' &&
		tail -n +$((mark + 1)) '$D/vpnrtd.log' | grep -q 'bgp: graceful restart complete' && echo yes"
check_until "FRR's route back after the sweep" 30 \
	"172.16.1.0/24@dc1 172.16.22.0/24@dc2" vr_bgp

# ---- the tunnel goes: the session stops and its routes go at once ----
ip -n "$gw" link del ipip1
check_until "ipip1 deleted: dc1's routes removed at once (no hold timer)" 35 \
	"172.16.22.0/24@dc2" vr_bgp

[ $ktap_failed = 0 ] || vpnrtd_dump_log 80
ktap_finish
