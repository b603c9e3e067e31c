#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vpnrtd and IKE over time: rekeys under traffic, one tunnel's SA of a
# dual-tunnel connection going away, a dead peer found by DPD, all with
# vpnrtd driving the gateway's charon and the kernel following each
# tunnel's SA.
#
#   vpc --v0-- gw (vpngw0, vpnrtd, charon) ==u1: t1 (if_id 1), t2 (if_id 3)== dc1
#                                          ==u2: if_id 2====================== dc2
#
# dc1 is active for 172.16.1.0/24 over two tunnels (active-standby), dc2
# its standby (weight 0). The gateway rekeys dc1's SAs every few seconds
# (child 6 s, IKE 8 s); the data centres would only after 300 s.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ike_lib.sh"

require_root
require_cmd jq ip swanctl
HELPERS=${HELPERS:-$VPNRT_TOP/build/userspace/selftest-helpers}
[ -x "$HELPERS/lossmeter" ] || fail_all "no $HELPERS/lossmeter"
RATE=100

ike_init || fail_all "ike_init"
vpnrtd_init || fail_all "no vpnrtd"
ike_topo_setup || fail_all "topology"
ip netns exec "$gw" "$VPNRTCTL" gateway del vpngw0 || fail_all "gateway del"
ip -n "$gw" -batch - <<EOB || fail_all "gw underlay"
addr add 192.0.2.1/24 dev u1
addr add 192.0.2.5/24 dev u1
addr add 198.51.100.1/24 dev u2
EOB
{
	ike_tunnel_lines dc 1 u1 "" 192.0.2.2
	echo "addr add 192.0.2.6/24 dev u1"
	ike_xfrm_lines xfrm3 3 u1
	echo "route add local 172.16.0.0/12 dev lo"
} | ip -n "$dc1" -batch - || fail_all "dc1 side"
# t1's address goes and comes back below; t2's must stay
ip netns exec "$dc1" sysctl -qw net.ipv4.conf.u1.promote_secondaries=1 ||
	fail_all "promote_secondaries"
{
	ike_tunnel_lines dc 2 u2 "" 198.51.100.2
	echo "route add local 172.16.0.0/12 dev lo"
} | ip -n "$dc2" -batch - || fail_all "dc2 side"

charon_start "$gw" "$gw" && charon_start "$dc1" "$dc1" && charon_start "$dc2" "$dc2" ||
	fail_all "charon"
dc1_t1() {
	ike_conn "$dc1" t1 local=192.0.2.2 remote=192.0.2.1 psk=t1-key \
		ike=aes128-sha256-modp1024 esp=aes128-sha256-modp1024 if_id=1 \
		dpd_delay=2s ike_rekey=300s child_rekey=300s
}
dc1_t2() {
	ike_conn "$dc1" t2 local=192.0.2.6 remote=192.0.2.5 psk=t2-key \
		ike=aes128-sha256-modp1024 esp=aes128-sha256-modp1024 if_id=3 \
		dpd_delay=2s ike_rekey=300s child_rekey=300s
}
dc1_conns() {
	dc1_t1 && dc1_t2
}
dc1_conns && ike_load "$dc1" || fail_all "dc1 conns"
ike_conn "$dc2" gw local=198.51.100.2 remote=198.51.100.1 psk=dc2-key \
	ike=aes128-sha1-modp1024 esp=aes128-sha1-modp1024 if_id=2 dpd_delay=2s &&
	ike_load "$dc2" || fail_all "dc2 conn"

D=$VPNRTD_DIR
cat >"$CONF" <<EOC
gateways:
  - name: vpngw0
    connections:
      - name: dc1
        mode: active-standby
        # modp1024: a rekey every few seconds with modp2048 kept the
        # debug kernel's charons so busy that tunnel 2's DPD (2 s, then
        # 8.1 s of retransmissions) timed out
        ike: {version: ikev2, encryption: aes128, integrity: sha256, dh-group: 2,
              lifetime: 8, dpd-delay: 2}
        ipsec: {encryption: aes128, integrity: sha256, dh-group: 2, lifetime: 6}
        tunnels:
          - {local-address: 192.0.2.1, remote-address: 192.0.2.2, if-id: 1,
             device: xfrm1, ike: {psk: t1-key}}
          # only tunnel 1 rekeys every few seconds; tunnel 2 carries
          # alone while tunnel 1 is away
          - {local-address: 192.0.2.5, remote-address: 192.0.2.6, if-id: 3,
             device: xfrm3, ike: {psk: t2-key, lifetime: 600},
             ipsec: {lifetime: 600}}
        routes:
          - {prefix: 172.16.1.0/24}
      - name: dc2
        ike: {version: ikev2, psk: dc2-key, encryption: aes128, integrity: sha1,
              dh-group: 2, dpd-delay: 2}
        ipsec: {encryption: aes128, integrity: sha1, dh-group: 2}
        tunnels:
          - {local-address: 198.51.100.1, remote-address: 198.51.100.2, if-id: 2,
             device: xfrm2}
        routes:
          - {prefix: 172.16.1.0/24, weight: 0}
EOC

MON=
cleanup() {
	[ -n "$MON" ] && kill "$MON" 2>/dev/null
	ike_cleanup
	cleanup_ns
}
trap cleanup EXIT
# tunnel_of DST: the tunnel `route get` picks
tunnel_of() {
	gwctl -j route get "$1" gateway vpngw0 | jq -r .tunnel
}
# lm_start PORT: 100 datagrams/s vpc -> 172.16.1.1, received at dc1 or dc2
lm_start() {
	LM_OUT=$D/lm.$1 LM_STOP=$D/lm.$1.stop
	"$HELPERS/lossmeter" --tx-ns "$vpc" --dst 172.16.1.1 --port "$1" \
		--rate $RATE --duration 120 --until-file "$LM_STOP" \
		--ready "$D/lm.$1.ready" --rx-ns "$dc1" --rx-ns "$dc2" >"$LM_OUT" 2>&1 &
	LM_PID=$!
	for i in $(seq 50); do [ -e "$D/lm.$1.ready" ] && break; sleep 0.1; done
}
lm_stop() {
	touch "$LM_STOP"
	wait "$LM_PID"
	while read -r k v r; do
		case $k in
		sent|lost|gap_ms|delayed) printf -v "lm_$k" '%s' "$v" ;;
		rx) printf -v "lm_rx_${v%%-*}" '%s' "$r" ;;
		last_rx) printf -v "lm_last_${v%%-*}" '%s' "$r" ;;
		esac
	done <"$LM_OUT"
}
all_up='[.[] | .tunnels[] | .ike == "up"] | length == 3 and all'

vpnrtd_start
if conn_wait 120 "$all_up"; then
	ktap_ok "vpnrtd brings up dc1's two tunnels and dc2's, each its own SA"
else
	ktap_fail "vpnrtd brings up dc1's two tunnels and dc2's, each its own SA"
	gwctl conn show | sed 's/^/#   /'
	vpnrtd_dump_log
	ktap_finish
fi
ip -n "$gw" route add 172.16.0.0/12 dev vpngw0
check_eq "172.16.1.1 goes through dc1's tunnel 1" xfrm1 "$(tunnel_of 172.16.1.1)"
gwctl monitor >"$D/events" 2>&1 &
MON=$!
check "vpnrtctl monitor is listening" monitor_ready "$D/events" dc1

# ---- rekeys under traffic ----
CHILD_REKEYED='<vpnrt\.dc1\.1\|[0-9]+> outbound CHILD_SA vpnrt\.dc1\.1\{[0-9]+\} established'
IKE_REKEYED='<vpnrt\.dc1\.1\|[0-9]+> IKE_SA vpnrt\.dc1\.1\[[0-9]+\] rekeyed'
ike_log_open "$gw"
lm_start 7200
end=$((SECONDS + 90))
while [ $SECONDS -lt $end ]; do
	ike_log_count "$CHILD_REKEYED" "$IKE_REKEYED"
	[ "${IKE_LOG_N[0]:-0}" -ge 3 ] && [ "${IKE_LOG_N[1]:-0}" -ge 3 ] && break
	sleep 0.5
done
sleep 1
lm_stop
ike_log_count "$CHILD_REKEYED" "$IKE_REKEYED"
c=${IKE_LOG_N[0]:-0} i=${IKE_LOG_N[1]:-0}
check "3 child SA rekeys of dc1 tunnel 1 under traffic (saw $c)" test "$c" -ge 3
check "3 IKE SA rekeys of dc1 tunnel 1 under traffic (saw $i)" test "$i" -ge 3
check "over the rekeys: $lm_sent sent, $lm_lost lost (longest gap $lm_gap_ms ms)" \
	test "$lm_sent" -gt $((RATE * 5)) -a "$lm_lost" = 0
echo "# rekeys under $RATE datagrams/s: $c child and $i IKE rekeys, $lm_lost of $lm_sent lost"
if grep -q 'ike down' "$D/events"; then
	ktap_fail "no rekey took a tunnel IKE-down in the kernel"
	grep -B3 -A3 'ike down' "$D/events" | head -n 20 | sed 's/^/#   /'
else
	ktap_ok "no rekey took a tunnel IKE-down in the kernel"
fi

# ---- dual tunnel: tunnel 1's SA goes, tunnel 2 carries, the connection stays up ----
lm_start 7201
sleep 1
# dc1 unloads t1 first: vpnrtd re-initiates about 1 s after the DELETE,
# and on a loaded debug guest that could land before the address below
# was gone, bringing t1 straight back
ike_forget "$dc1"
dc1_t2 && ike_load "$dc1" || ktap_fail "dc1 unloads t1"
# swanctl returns once the DELETE is answered (a loaded debug guest took
# more than 5 s). The gateway rekeys t1's IKE SA every 8 s: a rekey that
# crosses the DELETE leaves dc1 with the new SA, which the terminate did
# not see, so terminate until dc1 has no t1 SA at all
t1_left=yes
for i in 1 2 3 4; do
	ike_swanctl "$dc1" --terminate --ike t1 --timeout 30 >/dev/null 2>&1
	end=$((SECONDS + 5))
	while t1_left=$(ike_sas "$dc1" | awk '$1 == "IKE" && $2 == "t1"') &&
		[ -n "$t1_left" ] && [ $SECONDS -lt $end ]; do
		ike_nap 0.5
	done
	[ -z "$t1_left" ] && break
done
check_eq "dc1 has no IKE SA of t1 left after terminating it ($i rounds)" "" "$t1_left"
# and the path goes too, as when a link fails
ip -n "$dc1" addr del 192.0.2.2/24 dev u1
if conn_wait 20 '.[] | select(.name == "dc1") | .tunnels[0].ike == "down" and .tunnels[1].ike == "up" and .state == "up"'; then
	ktap_ok "tunnel 1's SA deleted: tunnel 1 IKE-down, tunnel 2 up, connection dc1 still up"
else
	ktap_fail "tunnel 1's SA deleted: tunnel 1 IKE-down, tunnel 2 up, connection dc1 still up"
	gwctl conn show dc1 | sed 's/^/#   /'
fi
check_eq "172.16.1.1 now goes through tunnel 2 (xfrm3)" xfrm3 "$(tunnel_of 172.16.1.1)"
sleep 1
lm_stop
check_eq "traffic stayed with dc1: none of the $lm_sent datagrams at dc2" 0 "${lm_rx_dc2:-none}"
check "dc1 received to the end, over tunnel 2: last datagram ${lm_last_dc1:-none} of $lm_sent ($lm_lost lost, gap $lm_gap_ms ms)" \
	test "${lm_last_dc1:--1}" -ge $((lm_sent - RATE / 2))
echo "# tunnel 1 -> tunnel 2: $lm_lost lost, longest gap $lm_gap_ms ms"
ip -n "$dc1" addr add 192.0.2.2/24 dev u1
ike_forget "$dc1"
dc1_conns && ike_load "$dc1" || ktap_fail "dc1 loads t1 again"
if conn_wait 90 "$all_up"; then
	ktap_ok "dc1's address back: vpnrtd re-initiates tunnel 1 (backoff), IKE up"
else
	ktap_fail "dc1's address back: vpnrtd re-initiates tunnel 1 (backoff), IKE up"
	vpnrtd_dump_log
fi
check_eq "172.16.1.1 back on tunnel 1 (active-standby switches back)" xfrm1 "$(tunnel_of 172.16.1.1)"

# ---- DPD: dc1's charon dies; its SAs stay in dc1's kernel, nothing answers IKE ----
lm_start 7202
sleep 1
t0=$(date +%s.%N)
charon_kill "$dc1"
if conn_wait 60 '.[] | select(.name == "dc1") | .state == "down"'; then
	t1=$(date +%s.%N)
	dpd=$(echo "$t1 - $t0" | bc)
	ktap_ok "dc1's charon killed: DPD takes dc1's tunnels IKE-down in ${dpd}s"
else
	dpd=
	ktap_fail "dc1's charon killed: DPD takes dc1's tunnels IKE-down"
	vpnrtd_dump_log
fi
# dpd-delay 2 s, then the retransmissions of ike_lib.sh (8.1 s), and TCG
check "DPD time ${dpd:-?}s within dpd-delay + retransmissions + 20 s (TCG)" \
	test -n "$dpd" -a "$(echo "${dpd:-99} < 2 + 8.1 + 20" | bc)" = 1
check_eq "172.16.1.1 moved to the standby dc2" xfrm2 "$(tunnel_of 172.16.1.1)"
sleep 1
lm_stop
check "traffic reached dc2 after the failover ($lm_rx_dc2 datagrams)" test "${lm_rx_dc2:-0}" -gt 0
echo "# DPD failover: ${dpd:-?} s after the kill; $lm_lost lost (longest gap $lm_gap_ms ms)"
charon_start "$dc1" "$dc1" && ike_forget "$dc1" && dc1_conns && ike_load "$dc1" ||
	ktap_fail "dc1's charon restarted"
if conn_wait 120 "$all_up"; then
	ktap_ok "dc1's charon back: vpnrtd re-establishes both tunnels"
else
	ktap_fail "dc1's charon back: vpnrtd re-establishes both tunnels"
	vpnrtd_dump_log
fi
check_eq "172.16.1.1 back on dc1's tunnel 1" xfrm1 "$(tunnel_of 172.16.1.1)"
kill "$MON" 2>/dev/null
MON=
[ $ktap_failed = 0 ] || vpnrtd_dump_log 60
ktap_finish
