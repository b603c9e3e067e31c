#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In-kernel health checks over real ESP tunnels. Continuous numbered
# traffic from vpc to dc1 while dc1's path is broken three ways (ESP
# dropped, underlay down, everything dropped after decryption with the SA
# up): the loss window must stay within interval x (retries + 1) + 100 ms,
# with 10 and with 10,000 prefixes on the connection, and traffic must come
# back after the repair. Also: reserve_route keeps the routes, forged
# replies keep nothing alive, IPv6 probes, events, timer accuracy with 100
# probed tunnels, and teardown with probes in flight.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
require_root
require_cmd ip jq tc
HELPERS=${HELPERS:-$(dirname "$VPNRTCTL")/selftest-helpers}
[ -x "$HELPERS/lossmeter" ] && [ -x "$HELPERS/forge_echo" ] ||
	skip_all "selftest helpers not built ($HELPERS)"

INTERVAL=100 RETRIES=3
BOUND=$((INTERVAL * (RETRIES + 1) + 100))
# numbered datagrams per second: fewer on the debug kernel, where ESP under
# KASAN and TCG would otherwise saturate the guest and delay them
RATE=100
case $(uname -r) in *debug*) RATE=50 ;; esac

topo_setup || { ktap_fail "topology set up"; ktap_finish; }

setup() {
	gwctl conn add c1 gateway vpngw0 tunnel xfrm1 &&
	gwctl conn add c2 gateway vpngw0 tunnel xfrm2 &&
	gwctl -b - <<EOB
conn set c1 health dst 172.16.255.1 src 10.99.1.1 interval ${INTERVAL}ms retries $RETRIES
conn set c2 health dst 172.16.255.2 src 10.99.2.1 interval ${INTERVAL}ms retries $RETRIES
EOB
}
check "c1 (xfrm1 to dc1), c2 (xfrm2 to dc2), health every ${INTERVAL}ms" setup

# health STATE of CONN's tunnel IDX (0 or 1)
hstate() {
	gwctl -j conn show "$1" | jq -r ".[0].tunnels[${2:-0}].health.state"
}

# wait_health CONN IDX STATE [SECONDS]
wait_health() {
	local end=$((SECONDS + ${4:-5})) s
	while :; do
		s=$(hstate "$1" "$2")
		[ "$s" = "$3" ] && return 0
		if [ $SECONDS -ge $end ]; then
			echo "# $1 tunnel $2: health $s, wanted $3"
			return 1
		fi
		sleep 0.1
	done
}

# the -s JSON of CONN's tunnel IDX health
hstats() {
	gwctl -j -s conn show "$1" | jq -c ".[0].tunnels[${2:-0}].health"
}

check "c1 health up: dc1 answers through xfrm1" wait_health c1 0 up
check "c2 health up" wait_health c2 0 up
h=$(hstats c1)
echo "# c1 health: $h"
check "c1: probes answered, RTT measured" \
	jq -e '.stats.answered > 0 and .stats.rtt_us > 0 and .stats.srtt_us > 0' <<<"$h"
check "c1: the request's settings are shown" \
	jq -e '.dst == "172.16.255.1" and .src == "10.99.1.1" and .interval_ms == 100 and
	       .retries == 3 and .rise == 1 and .policy == "revoke_route"' <<<"$h"

# events of the whole test, as JSON lines
ip netns exec "$gw" "$VPNRTCTL" -j monitor >"$TMPDIR/events" 2>&1 &
monitor=$!
# listening once a change of ours shows up (slow to start under ASan)
monitor_ready() {
	local i
	for i in $(seq 30); do
		gwctl conn set c2 admin up
		sleep 0.3
		grep -q '"conn-set"' "$TMPDIR/events" && return 0
	done
	return 1
}
check "vpnrtctl monitor is listening" monitor_ready

add_routes() {
	local i
	for i in $(seq 1 10); do
		echo "route add 172.16.$i.0/24 conn c1"
		echo "route add 172.16.$i.0/24 conn c2 weight 0"
	done | gwctl -b -
}
check "10 prefixes, each active on c1 and standby on c2" add_routes

# failover WHAT DST BREAK REPAIR: numbered traffic vpc -> DST ($RATE per
# second) while dc1's path is broken by BREAK, then repaired by REPAIR;
# checks the loss window, the move to dc2 and the return to dc1
failover() {
	local what=$1 dst=$2 brk=$3 fix=$4 out=$TMPDIR/loss.$RANDOM
	local ready=$TMPDIR/ready.$RANDOM stop=$TMPDIR/stop.$RANDOM pid i
	local gap lost sent rx1 rx2 last1 last2 first2 late

	"$HELPERS/lossmeter" --tx-ns "$vpc" --dst "$dst" --port 7000 \
		--rate "$RATE" --duration 40 --until-file "$stop" --ready "$ready" \
		--rx-ns "$dc1" --rx-ns "$dc2" >"$out" 2>&1 &
	pid=$!
	for i in $(seq 50); do
		[ -e "$ready" ] && break
		sleep 0.1
	done
	sleep 0.5
	eval "$brk"
	wait_health c1 0 down 5 || echo "# c1 never went down"
	sleep 0.5
	eval "$fix"
	wait_health c1 0 up 5 || echo "# c1 never came back"
	sleep 0.5
	touch "$stop"
	wait $pid
	sed 's/^/#   /' "$out"
	gap=$(awk '$1 == "gap_ms" { print $2 }' "$out")
	lost=$(awk '$1 == "lost" { print $2 }' "$out")
	late=$(awk '$1 == "delayed" { print $2 }' "$out")
	sent=$(awk '$1 == "sent" { print $2 }' "$out")
	rx1=$(awk -v n="$dc1" '$1 == "rx" && $2 == n { print $3 }' "$out")
	rx2=$(awk -v n="$dc2" '$1 == "rx" && $2 == n { print $3 }' "$out")
	first2=$(awk -v n="$dc2" '$1 == "first_rx" && $2 == n { print $3 }' "$out")
	last1=$(awk -v n="$dc1" '$1 == "last_rx" && $2 == n { print $3 }' "$out")
	last2=$(awk -v n="$dc2" '$1 == "last_rx" && $2 == n { print $3 }' "$out")
	echo "# loss window ($what): ${gap:-?} ms, $lost of $sent datagrams lost, $late delayed over 100 ms (bound $BOUND ms)"
	echo "LOSS_WINDOW $what ${gap:-?}" >>"$TMPDIR/windows"
	check "$what: traffic moved to dc2 ($rx2 datagrams) and back to dc1" \
		test "${rx2:-0}" -gt 0 -a "${first2:--1}" -gt 0 -a "${last1:--1}" -gt "${last2:--1}"
	check "$what: loss window ${gap:-?} ms <= $BOUND ms" \
		awk -v g="${gap:-99999}" -v b="$BOUND" 'BEGIN { exit !(g > 0 && g <= b) }'
	check_eq "$what: all of it arrived but the window ($rx1 + $rx2 + $lost)" \
		"$sent" $((${rx1:-0} + ${rx2:-0} + ${lost:-0}))
}

ESP_DROP="tc -n \$dc1 qdisc add dev u1 clsact &&
	tc -n \$dc1 filter add dev u1 ingress protocol ip u32 match ip protocol 50 0xff action drop"
ESP_FIX="tc -n \$dc1 qdisc del dev u1 clsact"
failover "10 prefixes, ESP dropped in dc1" 172.16.5.9 "$ESP_DROP" "$ESP_FIX"

# the far side takes the ESP but drops whatever comes out of the tunnel
DECAP_DROP="tc -n \$dc1 qdisc add dev xfrm1 clsact &&
	tc -n \$dc1 filter add dev xfrm1 ingress protocol all u32 match u32 0 0 action drop"
DECAP_FIX="tc -n \$dc1 qdisc del dev xfrm1 clsact"
failover "10 prefixes, SA up but dc1 drops all it decrypts" 172.16.7.9 \
	"$DECAP_DROP" "$DECAP_FIX"

many_routes() {
	local i
	for ((i = 0; i < 10000; i++)); do
		echo "route add 172.20.$((i / 250)).$((i % 250 + 1))/32 conn c1"
		echo "route add 172.20.$((i / 250)).$((i % 250 + 1))/32 conn c2 weight 0"
	done | gwctl -b -
}
check "10,000 more prefixes on c1, standby on c2" many_routes
check_eq "c1 carries 10,010 routes" 10010 \
	"$(gwctl -j conn show c1 | jq '.[0].n_routes // .[0].routes')"
failover "10,010 prefixes, dc1 underlay down" 172.20.39.250 \
	"ip -n \$dc1 link set u1 down" "ip -n \$dc1 link set u1 up"

# the events of those failovers: up -> down (lost), down -> up (answered);
# the monitor may lag behind the 20,000 route events: wait for a marker
monitor_sync() {
	local n i
	n=$(grep -c '"conn-set"' "$TMPDIR/events")
	gwctl conn set c2 admin up
	for i in $(seq 300); do
		[ "$(grep -c '"conn-set"' "$TMPDIR/events")" -gt "$n" ] && return 0
		sleep 0.1
	done
	return 1
}
check "vpnrtctl monitor caught up" monitor_sync
kill $monitor 2>/dev/null
wait $monitor 2>/dev/null
downs=$(jq -c 'select(.event == "health" and .conn == "c1" and .new == "down")' \
	"$TMPDIR/events" 2>/dev/null)
ups=$(jq -c 'select(.event == "health" and .conn == "c1" and .old == "down" and .new == "up")' \
	"$TMPDIR/events" 2>/dev/null)
jq -r 'select(.event == "health") | "# event: \(.conn) \(.tunnel) \(.old) -> \(.new) (\(.reason))"' \
	"$TMPDIR/events" 2>/dev/null
check_fail "the monitor lost no event" grep -q "events were lost" "$TMPDIR/events"
check_eq "3 down events for c1" 3 "$(grep -c . <<<"$downs")"
check_eq "3 up events for c1" 3 "$(grep -c . <<<"$ups")"
check "down events: reason lost, tunnel xfrm1, old state up, a loss start" \
	jq -e -s 'all(.reason == "lost" and .tunnel == "xfrm1" and .old == "up" and
		      .loss_start_ns > 0 and .time_ns > .loss_start_ns)' <<<"$downs"
check "up events: reason answered" jq -e -s 'all(.reason == "answered")' <<<"$ups"
jq -r -s '.[] | "# detected \((.time_ns - .loss_start_ns) / 1000000 | floor) ms after the first lost probe went out"' \
	<<<"$downs"
check "detection <= interval x retries + 50 ms after the first lost probe" \
	jq -e -s "all((.time_ns - .loss_start_ns) <= ($INTERVAL * $RETRIES + 50) * 1000000)" <<<"$downs"

# reserve_route: reported down, routes kept
check "c1 policy reserve_route" gwctl conn set c1 health dst 172.16.255.1 \
	src 10.99.1.1 interval ${INTERVAL}ms retries $RETRIES policy reserve_route
check "reserve_route: up again after the change" wait_health c1 0 up
ip -n "$dc1" link set u1 down
check "reserve_route: health goes down" wait_health c1 0 down
check_eq "reserve_route: the tunnel stays usable" "up" \
	"$(gwctl -j conn show c1 | jq -r '.[0].tunnels[0].state')"
check "reserve_route: the route still leads to c1" bash -c \
	"ip netns exec '$gw' '$VPNRTCTL' -j route get 172.16.3.1 | jq -e '.conn == \"c1\" or .[0].conn == \"c1\"'"
ip -n "$dc1" link set u1 up
check "reserve_route: health up after the repair" wait_health c1 0 up
check "back to revoke_route" gwctl conn set c1 health dst 172.16.255.1 \
	src 10.99.1.1 interval ${INTERVAL}ms retries $RETRIES

# all-down rule: a prefix on c1 alone keeps using it while c1 is down
check "172.16.11.0/24 on c1 alone" gwctl route add 172.16.11.0/24 conn c1

# forged replies: dc1 drops everything it decrypts, so c1 must go down,
# while every probe is copied off xfrm1 and answered, exactly, from the
# VPC side and from dc2 through its own tunnel
check "c1 up before the forgery" wait_health c1 0 up
ip -n "$dc2" route add 10.99.1.0/24 dev xfrm2
eval "$DECAP_DROP"
a0=$(hstats c1 | jq '.stats.answered')
"$HELPERS/forge_echo" --sniff-ns "$gw" --sniff-dev xfrm1 \
	--inject-ns "$vpc" --inject-ns "$dc2:xfrm2" --count 15 --timeout 6 \
	>"$TMPDIR/forge" 2>&1 &
forger=$!
check "forged replies do not keep the dead tunnel up" wait_health c1 0 down 5
wait $forger
sed 's/^/#   /' "$TMPDIR/forge"
check "the forger answered probes (captured and injected)" \
	awk '$1 == "injected" && NF == 2 && $2 > 0 { ok = 1 } END { exit !ok }' "$TMPDIR/forge"
a1=$(hstats c1 | jq '.stats.answered')
check_eq "no forged reply counted as an answer" "$a0" "$a1"
check_eq "c1 down: its lone prefix still uses it (all-down rule)" "fallback xfrm1" \
	"$(gwctl -j route get 172.16.11.5 gateway vpngw0 | jq -r '"\(.reason) \(.tunnel)"')"
check_eq "c1 down: a prefix with a standby uses the standby" "failover xfrm2" \
	"$(gwctl -j route get 172.16.3.5 gateway vpngw0 | jq -r '"\(.reason) \(.tunnel)"')"
eval "$DECAP_FIX"
ip -n "$dc2" route del 10.99.1.0/24 dev xfrm2
check "c1 up again once dc1 answers" wait_health c1 0 up

# IPv6 probes on c2
check "c2: IPv6 health check" gwctl conn set c2 health dst fd20:ff::2 \
	src fd99:2::1 interval ${INTERVAL}ms retries $RETRIES
check "c2: IPv6 health up" wait_health c2 0 up
ip -n "$dc2" link set u2 down
check "c2: IPv6 health down with dc2's underlay" wait_health c2 0 down
check_eq "c2: down for health" "health" \
	"$(gwctl -j conn show c2 | jq -r '.[0].tunnels[0].down_reason | join(",")')"
ip -n "$dc2" link set u2 up
check "c2: IPv6 health up again" wait_health c2 0 up
check "health off" gwctl conn set c2 health off
check_eq "health off: no health shown" "null" "$(hstate c2 0)"

# kernel checks: each refusal names what was wrong
check_fail "two-tunnel conn needs the tunnel named" bash -c "
	ip netns exec '$gw' '$VPNRTCTL' conn add c3 gateway vpngw0 tunnel xfrm3 tunnel xfrm4 &&
	ip netns exec '$gw' '$VPNRTCTL' conn set c3 health dst 172.16.255.3 src 10.99.3.1"
out=$(gwctl conn set c3 health dst 224.0.0.1 src 10.99.3.1 tunnel xfrm3 2>&1)
check "multicast dst refused: $out" grep -q "unicast" <<<"$out"
out=$(gwctl conn set c1 tunnel xfrm3 health dst 172.16.255.3 src 10.99.3.1 2>&1)
check "a tunnel of another conn refused: $out" grep -q "not a tunnel of conn c1" <<<"$out"

# timers: 100 probed tunnels at 100 ms stay on time
many_tunnels() {
	local i
	{
		echo "link add gwx type vpnrt"
		for i in $(seq 1 100); do
			echo "link add t$i type xfrm dev u1 if_id $((1000 + i))"
			echo "link set t$i up"
		done
	} | ip -n "$gw" -batch - || return 1
	{
		echo "gateway set gwx max-conns 50"
		for i in $(seq 1 50); do
			echo "conn add m$i gateway gwx tunnel t$((2 * i - 1)) tunnel t$((2 * i))"
		done
		for i in $(seq 1 50); do
			echo "conn set m$i tunnel t$((2 * i - 1)) health dst 172.16.254.1 src 10.98.$i.1 interval 100ms"
			echo "conn set m$i tunnel t$((2 * i)) health dst 172.16.254.2 src 10.98.$i.2 interval 100ms"
		done
	} | gwctl -b -
}
check "50 conns over 100 tunnels, each probed every 100 ms" many_tunnels
s0=$(gwctl -j -s conn show | jq '[.[] | select(.name | startswith("m")) | .tunnels[].health.stats.sent] | add')
t0=$(date +%s%N)
sleep 3
s1=$(gwctl -j -s conn show | jq '[.[] | select(.name | startswith("m")) | .tunnels[].health.stats.sent] | add')
t1=$(date +%s%N)
want=$(((t1 - t0) / 1000000 / 100 * 100))
echo "# 100 tunnels: $((s1 - s0)) probes in $(((t1 - t0) / 1000000)) ms (expected about $want)"
check "100 tunnels at 100 ms: probe count within 10 % of the clock" \
	awk -v g=$((s1 - s0)) -v w="$want" 'BEGIN { exit !(g >= w * 0.9 && g <= w * 1.1 + 200) }'

# teardown with probes in flight (10 ms): a tunnel deleted, a conn
# deleted, then rmmod with 100 probers still running
fast() {
	gwctl conn set c1 health dst 172.16.255.1 src 10.99.1.1 interval 10ms &&
	gwctl conn set c2 health dst 172.16.255.2 src 10.99.2.1 interval 10ms
}
check "c1, c2 probing every 10 ms" fast
sleep 0.5
check "tunnel device xfrm2 deleted while probed" ip -n "$gw" link del xfrm2
check_eq "c2: its tunnel is gone, and so is the check" "down no-device null" \
	"$(gwctl -j conn show c2 | jq -r '.[0].tunnels[0] | "\(.state) \(.down_reason | map(select(. != "link")) | join(",")) \(.health)"')"
check "conn c1 deleted while probed" gwctl conn del c1
nsdel() {
	local n=vpnrt-hdel-$$
	ip netns add $n &&
	ip -n $n link add xa type xfrm if_id 7 && ip -n $n link set xa up &&
	ip -n $n link add xb type xfrm if_id 8 && ip -n $n link set xb up &&
	ip netns exec $n "$VPNRTCTL" -b - <<EOB &&
gateway add g0
conn add a gateway g0 tunnel xa tunnel xb
conn set a tunnel xa health dst 192.0.2.99 src 198.51.100.1 interval 10ms
conn set a tunnel xb health dst 2001:db8::99 src 2001:db8::1 interval 10ms
EOB
	sleep 0.3 &&
	ip netns del $n
}
check "netns deleted with two tunnels probed every 10 ms" nsdel
sleep 2
check "rmmod with 100 probers running" timeout 60 rmmod vpnrt
ktap_finish
