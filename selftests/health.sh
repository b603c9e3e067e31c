#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In-kernel health checks over real ESP tunnels, with strict rp_filter on
# the gateway (the answers are taken before the host routes them).
# Continuous numbered traffic from vpc to dc1 while dc1's path is broken
# three ways (ESP dropped, underlay down, everything dropped after
# decryption with the SA up): the loss window must stay within
# interval x retries + timeout (from the measured round trip) + a grace +
# 100 ms, everything outside it must arrive (all but 2 % within the
# timeout), and the module's down event must fall where the traffic says
# the path broke, with 10 and with 10,000 prefixes on the connection. Also:
# defaults, `since`, the START events of a new and a replaced check,
# reserve-route, replies forged on the probed tunnel itself (through dc1's
# SA) with a wrong identifier, address or cookie, exact copies and
# duplicates, the all-down rule with packets, IPv6 probes, the refusals,
# a timeout apart from the interval over a path made slow (answers late
# at the interval's timeout, matched with probes overlapping at a longer
# one), 100 probed tunnels spread over their interval (counted on the
# wire), and teardown with probes in flight.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
require_root
require_cmd ip jq tc
HELPERS=${HELPERS:-$(dirname "$VPNRTCTL")/selftest-helpers}

INTERVAL=100 RETRIES=3
# TIMEOUT (ms) of c1's and c2's probes in the failovers, and BOUND on
# their detection and loss window, are set from the round trip measured
# once c1 is up (see below)
# numbered datagrams per second: fewer on the debug kernel, where ESP under
# KASAN and TCG would otherwise saturate the guest and delay them
RATE=100
case $(uname -r) in *debug*) RATE=50 ;; esac
# datagrams outside the loss window allowed to be lost or late (over
# TIMEOUT): fewer than half an interval's worth, so a switch-back that
# loses a probe interval of traffic fails
STRAY=$((RATE * INTERVAL / 1000 / 2 - 1))

check "selftest helpers built ($HELPERS)" \
	test -x "$HELPERS/lossmeter" -a -x "$HELPERS/forge_echo"
[ -x "$HELPERS/lossmeter" ] && [ -x "$HELPERS/forge_echo" ] || ktap_finish
topo_setup || { ktap_fail "topology set up"; ktap_finish; }

# topo.sh turns rp_filter off; health checks must not need that
strict_rp() {
	ip netns exec "$gw" sysctl -qw net.ipv4.conf.all.rp_filter=1 \
		net.ipv4.conf.default.rp_filter=1 net.ipv4.conf.xfrm1.rp_filter=1 \
		net.ipv4.conf.xfrm2.rp_filter=1
}
check "gw: strict rp_filter (1) on all devices, xfrm1 and xfrm2" strict_rp

conns() {
	gwctl conn add c1 gateway vpngw0 tunnel xfrm1 &&
	gwctl conn add c2 gateway vpngw0 tunnel xfrm2
}
check "c1 (xfrm1 to dc1), c2 (xfrm2 to dc2)" conns

# events of the whole test, as JSON lines; the failovers' windows (a
# file of this run's: a run before it in the same guest left its own)
: >"$TMPDIR/windows"
ip netns exec "$gw" "$VPNRTCTL" -j monitor >"$TMPDIR/events" 2>&1 &
monitor=$!
check "vpnrtctl monitor is listening" monitor_ready "$TMPDIR/events" c2
# the events not read yet, for wait_event
exec {evfd}<"$TMPDIR/events"
# a pipe nobody writes to: read -t on it sleeps without starting a process
exec {napfd}<> <(:)
nap() {
	read -r -t "$1" -u "$napfd" _ || :
}
# wait_line PATTERN SECONDS WHAT: the next event matching the bash
# PATTERN, read off the monitor's output with bash builtins alone: no
# process is started while a failover is measured (on the debug kernel
# each start costs the guest's only vCPU most of a second)
ev_part=
wait_line() {
	local end=$((SECONDS + $2)) l
	while :; do
		while IFS= read -r -u "$evfd" l || { ev_part+=$l; false; }; do
			l=$ev_part$l
			ev_part=
			# shellcheck disable=SC2053
			[[ $l == $1 ]] && return 0
		done
		if [ $SECONDS -ge $end ]; then
			echo "# no $3 within $2 s"
			return 1
		fi
		nap 0.05
	done
}

# wait_event NEW SECONDS: the next health event of c1 to state NEW
wait_event() {
	wait_line '*"event":"health"*"conn":"c1"*"new":"'"$1"'"*' "$2" \
		"health event of c1 to $1"
}

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
		nap 0.1
	done
}

# the -s JSON of CONN's tunnel IDX health
hstats() {
	gwctl -j -s conn show "$1" | jq -c ".[0].tunnels[${2:-0}].health"
}

check "c1: health with dst and src only" \
	gwctl conn set c1 health dst 172.16.255.1 src 10.99.1.1
check_eq "c1: the defaults shown: interval 3000 ms, retries 3, rise 1, revoke-route" \
	"3000 3 1 revoke-route" \
	"$(gwctl -j conn show c1 | jq -r '.[0].tunnels[0].health | "\(.interval_ms) \(.retries) \(.rise) \(.policy)"')"
check "c1 health up: the first probe goes out within 1 s" \
	wait_health c1 0 up 3
# the failovers' timeout: four times the round trip of c1's first probe
# (through ESP, on this guest, as loaded as it is now), at least two
# intervals, at most eight; a datagram slower than it is late. BOUND:
# RETRIES probes lost, the last judged TIMEOUT after it went out, plus a
# late timer's grace (TIMEOUT / 4) and 100 ms
rtt0=$(hstats c1 | jq '.stats.rtt_us // 0')
TIMEOUT=$(((${rtt0:-0} * 4 / 1000 + 9) / 10 * 10))
[ "$TIMEOUT" -ge $((2 * INTERVAL)) ] || TIMEOUT=$((2 * INTERVAL))
[ "$TIMEOUT" -le $((8 * INTERVAL)) ] || TIMEOUT=$((8 * INTERVAL))
BOUND=$((INTERVAL * RETRIES + TIMEOUT + TIMEOUT / 4 + 100))
echo "# first probe's round trip ${rtt0} us: timeout ${TIMEOUT} ms, bound ${BOUND} ms"

# replace c1's check (old state up) and start c2's
t_set=$EPOCHREALTIME
setup() {
	gwctl -b - <<EOB
conn set c1 health dst 172.16.255.1 src 10.99.1.1 interval ${INTERVAL}ms timeout ${TIMEOUT}ms retries $RETRIES
conn set c2 health dst 172.16.255.2 src 10.99.2.1 interval ${INTERVAL}ms timeout ${TIMEOUT}ms retries $RETRIES
EOB
}
check "c1 (replaced), c2: health every ${INTERVAL}ms" setup
check "c1 health up: dc1 answers through xfrm1, rp_filter 1" wait_health c1 0 up
t_up=$EPOCHREALTIME
check "c2 health up" wait_health c2 0 up
nap 1
t_a=$EPOCHREALTIME
h=$(hstats c1)
t_b=$EPOCHREALTIME
echo "# c1 health: $h"
check "c1: probes answered, RTT measured" \
	jq -e '.stats.answered > 0 and .stats.rtt_us > 0 and .stats.srtt_us > 0' <<<"$h"
check "c1: the request's settings are shown" \
	jq -e --argjson t "$TIMEOUT" '.dst == "172.16.255.1" and .src == "10.99.1.1" and
	       .interval_ms == 100 and .timeout_ms == $t and .retries == 3 and .rise == 1 and
	       .policy == "revoke-route"' <<<"$h"
# the last change (init -> up) came after the request and before we saw
# it up: since_ms lies between those two ages, read on our clock
since=$(jq '.since_ms' <<<"$h")
check "c1: since_ms $since within our clock's bounds of the last change" \
	awk -v s="${since:-x}" -v set="$t_set" -v up="$t_up" -v a="$t_a" -v b="$t_b" \
	'BEGIN { lo = (a - up) * 1000 - 1; hi = (b - set) * 1000 + 1
		 print "# since " s " ms, allowed " lo " .. " hi
		 exit !(s ~ /^[0-9]+$/ && s >= lo && s <= hi) }'

# rp_filter: the kernel exempts what comes out of IPsec (it has a
# secpath), so over xfrm rp_filter cannot matter. Over GRE it does: c5
# probes dc1 through a plain GRE tunnel gr1 from 10.99.5.1, an address
# of the gateway, and the answers come from 172.16.255.1, which the
# gateway routes to vpngw0, not gr1. The host would drop them (strict
# rp_filter); the prober must take them first.
rp_gre() {
	ip -n "$gw" -batch - <<EOB &&
link add gr1 type gre local 192.0.2.1 remote 192.0.2.2
link set gr1 up
route add local 10.99.5.0/24 dev lo
EOB
	ip -n "$dc1" -batch - <<EOB &&
link add gr1 type gre local 192.0.2.2 remote 192.0.2.1
link set gr1 up
route add 10.99.5.0/24 dev gr1
EOB
	ip netns exec "$gw" sysctl -qw net.ipv4.conf.gr1.rp_filter=1 &&
	gwctl conn add c5 gateway vpngw0 tunnel gr1 &&
	gwctl conn set c5 health dst 172.16.255.1 src 10.99.5.1 interval ${INTERVAL}ms
}
check "c5 over GRE (gr1, no IPsec) to dc1, strict rp_filter on gr1" rp_gre
check "c5 health up through GRE despite strict rp_filter" wait_health c5 0 up
# gw_netstat FIELD...: the gateway's /proc/net/netstat counters
gw_netstat() {
	ip netns exec "$gw" awk -v want="$*" '
		BEGIN { n = split(want, w, " ") }
		{ if (hdr[$1] == "") { hdr[$1] = $0; next }
		  split(hdr[$1], h, " ")
		  for (i = 2; i <= NF; i++) v[substr($1, 1, length($1) - 1) ":" h[i]] = $i
		  hdr[$1] = "" }
		END { for (i = 1; i <= n; i++) printf "%s%s", v[w[i]], i < n ? " " : "\n" }' \
		/proc/net/netstat
}
rp0=$(gw_netstat TcpExt:IPReversePathFilter)
ip netns exec "$dc1" ping -n -q -c 3 -i 0.2 -W 1 -I 172.16.255.1 10.99.5.7 >/dev/null 2>&1
rp1=$(gw_netstat TcpExt:IPReversePathFilter)
check_eq "control: 3 pings from 172.16.255.1 over gr1 to the gateway are dropped by rp_filter" \
	3 "$((${rp1:-0} - ${rp0:-0}))"
check_eq "c5 still up, and its check still answered" "up true" \
	"$(hstats c5 | jq -r '"\(.state) \(.stats.answered > 5 and .stats.consecutive_lost == 0)"')"
check "c5 deleted" gwctl conn del c5

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
# checks c1 going down and up, the loss window, that nothing else was
# lost or late, the move to dc2 and the return to dc1
failover() {
	local what=$1 dst=$2 brk=$3 fix=$4 out=$TMPDIR/loss.$RANDOM
	local ready=$TMPDIR/ready.$RANDOM stop=$TMPDIR/stop.$RANDOM pid i
	local lm_sent lm_lost lm_delayed lm_gap_ms lm_gap_len lm_dup
	local lm_lost_outside lm_delayed_outside lm_gap_from_real_ns
	local lm_rx_dc1 lm_rx_dc2 lm_first_rx_dc2 lm_last_rx_dc1 lm_last_rx_dc2

	"$HELPERS/lossmeter" --tx-ns "$vpc" --dst "$dst" --port 7000 \
		--rate "$RATE" --duration 40 --until-file "$stop" --ready "$ready" \
		--max-delay "$TIMEOUT" \
		--rx-ns "$dc1" --rx-ns "$dc2" >"$out" 2>&1 &
	pid=$!
	for i in $(seq 50); do
		[ -e "$ready" ] && break
		nap 0.1
	done
	nap 0.5
	eval "$brk"
	# not in check's subshell: ev_part must survive
	if wait_event down 15; then
		ktap_ok "$what: c1 goes down (event)"
	else
		ktap_fail "$what: c1 goes down (event)"
	fi
	nap 0.5
	eval "$fix"
	if wait_event up 15; then
		ktap_ok "$what: c1 comes back up (event)"
	else
		ktap_fail "$what: c1 comes back up (event)"
	fi
	nap 0.5
	touch "$stop"
	wait $pid
	sed 's/^/#   /' "$out"
	# lm_KEY=VALUE, lm_KEY_dc1=VALUE for per-receiver lines
	eval "$(awk -v d1="$dc1" -v d2="$dc2" '
		NF == 2 && $2 ~ /^-?[0-9.]+$/ { print "lm_" $1 "=" $2 }
		NF == 3 && ($2 == d1 || $2 == d2) && $3 ~ /^-?[0-9]+$/ {
			print "lm_" $1 "_" ($2 == d1 ? "dc1" : "dc2") "=" $3 }' "$out")"
	echo "# loss window ($what): ${lm_gap_ms:-?} ms, $lm_lost of $lm_sent datagrams lost, $lm_delayed delayed over $TIMEOUT ms (bound $BOUND ms)"
	echo "$what|${lm_gap_from_real_ns:-0}" >>"$TMPDIR/windows"
	check "$what: traffic moved to dc2 (${lm_rx_dc2:-?} datagrams) and back to dc1" \
		test "${lm_rx_dc2:-0}" -gt 0 -a "${lm_first_rx_dc2:--1}" -gt 0 -a \
		"${lm_last_rx_dc1:--1}" -gt "${lm_last_rx_dc2:--1}"
	check "$what: loss window ${lm_gap_ms:-?} ms <= $BOUND ms" \
		awk -v g="${lm_gap_ms:-99999}" -v b="$BOUND" 'BEGIN { exit !(g > 0 && g <= b) }'
	# late (over TIMEOUT) outside the window: a loaded guest delays a few
	# datagrams whatever the path; at most 2 % of them
	check "$what: outside the window none lost, all but 2 % in time (${lm_lost_outside:-?} lost, at most $STRAY; ${lm_delayed_outside:-?} late, at most $((${lm_sent:-0} / 50)))" \
		test "${lm_lost_outside:-99}" -le "$STRAY" -a \
		"${lm_delayed_outside:-99}" -le $((${lm_sent:-0} / 50))
	check_eq "$what: no datagram arrived twice (one path each)" 0 "${lm_dup:-?}"
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
	"$(gwctl -j conn show c1 | jq '.[0].routes')"
# the monitor prints the 10,000 route events first (slow under ASan on the
# debug kernel): the failover's events must not wait behind them
gwctl conn set c2 admin up
# (not in check's subshell: ev_part must survive)
if wait_line '*"event":"conn-set"*"c2"*' 300 "conn-set event of c2"; then
	ktap_ok "the monitor caught up with the 10,000 route events"
else
	ktap_fail "the monitor caught up with the 10,000 route events"
fi
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
		nap 0.1
	done
	return 1
}
check "vpnrtctl monitor caught up" monitor_sync
kill $monitor 2>/dev/null
wait $monitor 2>/dev/null
health_ev=$(jq -c 'select(.event == "health" and .conn == "c1")' "$TMPDIR/events" 2>/dev/null)
jq -r '"# event: \(.conn) \(.tunnel) \(.old) -> \(.new) (\(.reason)) interval \(.interval_ms)"' \
	<<<"$health_ev"
check_fail "the monitor lost no event" grep -q "events were lost" "$TMPDIR/events"
# a new check starts from init, the replaced one (up) starts over
check_eq "c1: START events: new check init -> init (3000 ms), replaced up -> init (100 ms)" \
	"init>init:3000 up>init:100" \
	"$(jq -r -s 'map(select(.reason == "start") | "\(.old)>\(.new):\(.interval_ms)") | join(" ")' <<<"$health_ev")"
check_eq "c1: each START answered: init -> up twice" "2" \
	"$(jq -s 'map(select(.old == "init" and .new == "up" and .reason == "answered")) | length' <<<"$health_ev")"
downs=$(jq -c 'select(.new == "down")' <<<"$health_ev")
ups=$(jq -c 'select(.old == "down" and .new == "up")' <<<"$health_ev")
check_eq "3 down events for c1" 3 "$(grep -c . <<<"$downs")"
check_eq "3 up events for c1" 3 "$(grep -c . <<<"$ups")"
check "down events: reason lost, tunnel xfrm1, old state up, a loss start" \
	jq -e -s 'length == 3 and all(.reason == "lost" and .tunnel == "xfrm1" and
		  .old == "up" and .loss_start_ns > 0 and .time_ns > .loss_start_ns)' <<<"$downs"
check "up events: reason answered" jq -e -s 'length == 3 and all(.reason == "answered")' <<<"$ups"

# detection on an outside clock: L, the send time of the last datagram
# that got through before each break (lossmeter's clock). The path broke
# less than one datagram (10 ms at 100/s, 20 at 50/s) after L, so the first
# lost probe went out within (-RTT, interval + that] of L, and the down
# event came retries intervals after it, plus the tick's latency
det=$(jq -c -s -R --slurpfile d <(printf '%s\n' "$downs" | jq -s .) '
	split("\n") | map(select(length > 0) | split("|")) |
	map(.[1] | tonumber) as $Ls | [$Ls[] as $L |
	  [$d[0][] | select(.time_ns > $L - 1e9 and .time_ns < $L + 3e9)] |
	  if length == 1 then
	    { det: ((.[0].time_ns - $L) / 1e6 | floor),
	      first_lost: ((.[0].loss_start_ns - $L) / 1e6 | floor) }
	  else { det: null, first_lost: null, events: length } end ]' \
	"$TMPDIR/windows" 2>&1)
jq -r '.[] | "# down event \(.det) ms after the last datagram through, first lost probe at \(.first_lost) ms"' \
	<<<"$det" 2>/dev/null
DET_LO=$((INTERVAL * (RETRIES - 1) + TIMEOUT - 50))
check "detection: $DET_LO .. $BOUND ms after the last datagram through, each failover" \
	jq -e "length == 3 and all(.det != null and .det >= $DET_LO and
	       .det <= $BOUND)" <<<"$det"
check "loss start: the first lost probe went out -50 .. $((INTERVAL + 50)) ms after the last datagram through" \
	jq -e "length == 3 and all(.first_lost != null and .first_lost >= -50 and
	       .first_lost <= $((INTERVAL + 50)))" <<<"$det"

# reserve-route: reported down, routes kept
check "c1 policy reserve-route" gwctl conn set c1 health dst 172.16.255.1 \
	src 10.99.1.1 interval ${INTERVAL}ms timeout ${TIMEOUT}ms retries $RETRIES \
	policy reserve-route
check "reserve-route: up again after the change" wait_health c1 0 up
ip -n "$dc1" link set u1 down
check "reserve-route: health goes down" wait_health c1 0 down
check_eq "reserve-route: the tunnel stays usable" "up" \
	"$(gwctl -j conn show c1 | jq -r '.[0].tunnels[0].state')"
check_eq "reserve-route: the route still leads to c1 (weight, xfrm1)" "c1 weight xfrm1" \
	"$(gwctl -j route get 172.16.3.1 gateway vpngw0 | jq -r '"\(.conn) \(.reason) \(.tunnel)"')"
ip -n "$dc1" link set u1 up
check "reserve-route: health up after the repair" wait_health c1 0 up
check "back to revoke-route" gwctl conn set c1 health dst 172.16.255.1 \
	src 10.99.1.1 interval ${INTERVAL}ms retries $RETRIES

# a timeout apart from the interval: dc1's answers leave 250 ms late
# (netem on its underlay). At a timeout of 1 s three probes are out at
# once and each answer is matched to its own probe; at the default
# timeout, the interval (100 ms), every probe is lost and its late answer
# ignored
check "dc1's answers delayed 250 ms (netem)" \
	ip netns exec "$dc1" tc qdisc add dev u1 root netem delay 250ms
check "c1 timeout 1s, interval ${INTERVAL}ms" gwctl conn set c1 health \
	dst 172.16.255.1 src 10.99.1.1 interval ${INTERVAL}ms timeout 1s retries $RETRIES
check "timeout 1s: up through the slow path" wait_health c1 0 up
nap 0.3
h=$(hstats c1)
echo "# c1 health: $h"
check "timeout 1s: shown; answers matched to their own probes (RTT 250..999 ms), none ignored or lost" \
	jq -e '.timeout_ms == 1000 and .interval_ms == 100 and .stats.answered >= 2 and
	       .stats.rtt_us >= 250000 and .stats.rtt_us < 1000000 and
	       .stats.ignored == 0 and .stats.window_lost == 0' <<<"$h"
check "back to the interval's timeout" gwctl conn set c1 health dst 172.16.255.1 \
	src 10.99.1.1 interval ${INTERVAL}ms retries $RETRIES
check "late answers, timeout = interval (100 ms): health goes down" wait_health c1 0 down
# (a timer run after a stall of the guest judges one grace later: an
# answer may then count, rarely; most are ignored)
check "late answers ignored, probes lost" \
	jq -e '.timeout_ms == 100 and .stats.ignored > 0 and
	       .stats.ignored > 2 * .stats.answered and
	       .stats.consecutive_lost >= 3' <<<"$(hstats c1)"
ip netns exec "$dc1" tc qdisc del dev u1 root

# forged replies on the probed tunnel itself: dc1 drops everything it
# decrypts, so c1 must go down, while every probe is copied off the
# gateway's xfrm1, answered with one thing wrong (identifier, source,
# destination, or a replayed cookie, in turn) and sent back from dc1
# through xfrm1's SA, so that it arrives decrypted on the gateway's xfrm1
# where the prober's receive handler looks. Those that fail the identifier
# or address match pass on to the host, which has no route to 10.99.1.0/24
# and drops them (InNoRoutes).
# gw_counters: "XFRM1_RX_PACKETS IN_NO_ROUTES"
gw_counters() {
	echo "$(ip netns exec "$gw" cat /sys/class/net/xfrm1/statistics/rx_packets)" \
		"$(gw_netstat IpExt:InNoRoutes)"
}
# forge MODES COUNT: forged replies for COUNT probes, from dc1 through xfrm1
forge() {
	"$HELPERS/forge_echo" --sniff-ns "$gw" --sniff-dev xfrm1 \
		--inject-ns "$dc1:xfrm1" --mangle "$1" --count "$2" --timeout 6 \
		>"$TMPDIR/forge" 2>&1
}
# fval KEY [MODE]: a number from the last forge_echo output
fval() {
	awk -v k="$1" -v m="${2:-}" '$1 == k && (m == "" ? NF == 2 : $2 == m) { print $NF }' \
		"$TMPDIR/forge"
}
check "c1 up before the forgery" wait_health c1 0 up
eval "$DECAP_DROP"
h0=$(hstats c1)
read -r rx0 nr0 < <(gw_counters)
forge id,src,dst,cookie 16
sed 's/^/#   /' "$TMPDIR/forge"
h1=$(hstats c1)
read -r rx1 nr1 < <(gw_counters)
check_nonempty "counters read before and after (xfrm1 rx, no-route drops)" "$rx0$nr0$rx1$nr1"
inj=$(fval injected)
check "forged replies (wrong id, src, dst, cookie) kept nothing up: c1 down, every forged probe lost" \
	jq -e --argjson n "${inj:-99}" '.state == "down" and .stats.consecutive_lost >= $n - 1' <<<"$h1"
check_eq "the forger answered 16 probes, 4 of each kind, all injected" \
	"16 16 4 4 4 4 0" \
	"$(fval captured) $inj $(fval mangled id) $(fval mangled src) $(fval mangled dst) $(fval mangled cookie) $(fval inject_errors)"
check_eq "all $inj forgeries arrived on the gateway's xfrm1 (its rx counter)" \
	"${inj:-?}" "$((rx1 - rx0))"
check_eq "no forged reply counted as an answer" \
	"$(jq '.stats.answered' <<<"$h0")" "$(jq '.stats.answered' <<<"$h1")"
check_eq "the replayed cookies, and only they, counted as ignored" \
	"$(fval mangled cookie)" "$(($(jq '.stats.ignored' <<<"$h1") - $(jq '.stats.ignored' <<<"$h0")))"
check_eq "the wrong id, src and dst passed on to the host (dropped: no route)" \
	"$(($(fval mangled id) + $(fval mangled src) + $(fval mangled dst)))" "$((nr1 - nr0))"
# the same path with nothing wrong: exact copies are answers, with a
# timeout long enough for the forger, a process (16 intervals), the check
# started over (init; dc1 still drops, so only a copy can answer)
check "c1 timeout $((16 * INTERVAL)) ms for the forger's copies" \
	gwctl conn set c1 health dst 172.16.255.1 src 10.99.1.1 \
	interval ${INTERVAL}ms timeout $((16 * INTERVAL))ms retries $RETRIES
# Counted, not polled: c1 is up only from the first copy to three
# probes after the last, a window a loaded guest's polling can miss.
# The copies are the only replies, so each is an answer or, later than
# the timeout (a stalled guest), ignored; most must be answers.
forge none 8
h=$(hstats c1)
echo "# c1 health: $h"
check_eq "the exact copies: 8 injected" "8" "$(fval injected)"
check "exact copies through xfrm1 are answers while dc1 still drops: answered + ignored = injected, most answered" \
	jq -e --argjson n "$(fval injected)" \
	'.stats.answered + .stats.ignored == $n and 2 * .stats.answered > $n' <<<"$h"
eval "$DECAP_FIX"
# and with dc1 answering too, every probe has two answers: one counts,
# the other (whichever came second) is ignored
nap 0.3
h0=$(hstats c1)
forge none 10
h1=$(hstats c1)
check "duplicates: at least $(fval injected) more ignored, probes still answered" \
	jq -e -n --argjson a "$h0" --argjson b "$h1" --argjson n "$(fval injected)" \
	'$n == 10 and $b.stats.ignored - $a.stats.ignored >= $n and
	 $b.stats.answered - $a.stats.answered >= $n - 2 and $b.state == "up"'
check "c1 back to the failovers' timeout" gwctl conn set c1 health \
	dst 172.16.255.1 src 10.99.1.1 interval ${INTERVAL}ms timeout ${TIMEOUT}ms \
	retries $RETRIES

# the all-down rule with packets: dc1 and dc2 drop only the probes (ICMP)
# coming out of their tunnels, so c1 and c2 both go down for health while
# the tunnels still carry data. Traffic must then take the best-ranked
# route of its prefix: c1's for .12 (c2 standby), c2's for .13.
ALL_DOWN="tc -n \$dc1 qdisc add dev xfrm1 clsact &&
	tc -n \$dc1 filter add dev xfrm1 ingress protocol ip u32 match ip protocol 1 0xff action drop &&
	tc -n \$dc2 qdisc add dev xfrm2 clsact &&
	tc -n \$dc2 filter add dev xfrm2 ingress protocol ip u32 match ip protocol 1 0xff action drop"
ALL_FIX="tc -n \$dc1 qdisc del dev xfrm1 clsact; tc -n \$dc2 qdisc del dev xfrm2 clsact"
check "172.16.12.0/24 on c1 (c2 standby), 172.16.13.0/24 on c2 (c1 standby)" gwctl -b - <<EOB
route add 172.16.12.0/24 conn c1
route add 172.16.12.0/24 conn c2 weight 0
route add 172.16.13.0/24 conn c2
route add 172.16.13.0/24 conn c1 weight 0
EOB
check "c1 up before the all-down test" wait_health c1 0 up
eval "$ALL_DOWN"
check "c1 down: its probes are dropped" wait_health c1 0 down
check "c2 down: its probes are dropped" wait_health c2 0 down
# alldown DST: "SENT RX_DC1 RX_DC2 SEND_ERRORS" of 0.5 s of numbered traffic
alldown() {
	"$HELPERS/lossmeter" --tx-ns "$vpc" --dst "$1" --port 7001 --rate "$RATE" \
		--duration 0.5 --linger 300 --rx-ns "$dc1" --rx-ns "$dc2" |
		awk -v d1="$dc1" -v d2="$dc2" '$1 == "sent" { s = $2 } $1 == "send_errors" { e = $2 }
			$1 == "rx" && $2 == d1 { r1 = $3 } $1 == "rx" && $2 == d2 { r2 = $3 }
			END { print s + 0, r1 + 0, r2 + 0, e + 0 }'
}
f0=$(gwctl -j -s gateway show vpngw0 | jq '.[0].stats.fallback')
read -r s12 a12 b12 e12 < <(alldown 172.16.12.9)
read -r s13 a13 b13 e13 < <(alldown 172.16.13.9)
f1=$(gwctl -j -s gateway show vpngw0 | jq '.[0].stats.fallback')
# (a loaded guest may starve the sender: any datagram will do, the
# checks below count exactly what was sent)
check "all down: datagrams were sent ($s12, $s13)" \
	test "${s12:-0}" -gt 0 -a "${s13:-0}" -gt 0 -a "$e12$e13" = 00
check_eq "all down: 172.16.12.9 arrives through c1, the best-ranked (dc1 dc2)" \
	"$s12 0" "$a12 $b12"
check_eq "all down: 172.16.13.9 arrives through c2, the best-ranked (dc1 dc2)" \
	"0 $s13" "$a13 $b13"
check_eq "all down: the gateway counted each datagram as a fallback" \
	"$((s12 + s13))" "$((f1 - f0))"
check_eq "all down: route get says fallback xfrm1 for .12" "fallback xfrm1" \
	"$(gwctl -j route get 172.16.12.5 gateway vpngw0 | jq -r '"\(.reason) \(.tunnel)"')"
eval "$ALL_FIX"
check "c1 up again once its probes pass" wait_health c1 0 up
check "c2 up again once its probes pass" wait_health c2 0 up

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
check "c3 with two tunnels (xfrm3, xfrm4)" \
	gwctl conn add c3 gateway vpngw0 tunnel xfrm3 tunnel xfrm4
check_fail_msg "two-tunnel conn: the tunnel must be named" \
	"conn c3 has two tunnels; give the ifindex" \
	gwctl conn set c3 health dst 172.16.255.3 src 10.99.3.1
check_fail_msg "multicast dst refused" "health: dst must be a unicast address" \
	gwctl conn set c3 health dst 224.0.0.1 src 10.99.3.1 tunnel xfrm3
check_fail_msg "a tunnel of another conn refused" "is not a tunnel of conn c1" \
	gwctl conn set c1 tunnel xfrm3 health dst 172.16.255.3 src 10.99.3.1
check_fail_msg "src equal to dst refused" "health: src and dst must differ" \
	gwctl conn set c3 tunnel xfrm3 health dst 172.16.255.3 src 172.16.255.3
check_fail_msg "a timeout over 16 intervals refused" \
	"health timeout (ms) 161 over 16 x interval (10 ms)" \
	gwctl conn set c3 tunnel xfrm3 health dst 172.16.255.3 src 10.99.3.1 \
	interval 10ms timeout 161ms
enslave() {
	ip -n "$gw" -batch - <<EOB
link add vb0 type bond mode active-backup
link set xfrm4 down
link set xfrm4 master vb0
EOB
}
check "xfrm4 enslaved to a bond" enslave
check_fail_msg "an enslaved tunnel refused (EBUSY)" \
	"health: xfrm4 already has a receive handler (enslaved?)" \
	gwctl conn set c3 tunnel xfrm4 health dst 172.16.255.3 src 10.99.3.1
ip -n "$gw" link del vb0

# timers: 100 probed tunnels at 100 ms, in a namespace of their own, keep
# their period, each at its own phase, spread over the interval: their
# probes are counted leaving the devices, by the capture's timestamps,
# over a window timed by forge_echo itself, and their times past the
# grid of multiples of 100 ms spread over all of it
setup_ns tn
many_tunnels() {
	local i
	{
		echo "link add gwx type vpnrt"
		for i in $(seq 1 100); do
			echo "link add t$i type xfrm if_id $((1000 + i))"
			echo "link set t$i up"
		done
	} | ip -n "$tn" -batch - || return 1
	{
		echo "gateway set gwx max-conns 50"
		for i in $(seq 1 50); do
			echo "conn add m$i gateway gwx tunnel t$((2 * i - 1)) tunnel t$((2 * i))"
		done
		for i in $(seq 1 50); do
			echo "conn set m$i tunnel t$((2 * i - 1)) health dst 172.16.254.1 src 10.98.$i.1 interval 100ms"
			echo "conn set m$i tunnel t$((2 * i)) health dst 172.16.254.2 src 10.98.$i.2 interval 100ms"
		done
	} | ip netns exec "$tn" "$VPNRTCTL" -b -
}
check "50 conns over 100 tunnels, each probed every 100 ms" many_tunnels
nap 0.5
"$HELPERS/forge_echo" --sniff-ns "$tn" --sniff-dev any --timeout 3 --grid 100 \
	--silence 20 >"$TMPDIR/timer" 2>&1
sed 's/^/#   /' "$TMPDIR/timer"
# each tunnel fires once per grid point in the window: W / 100 ms of
# them, give or take one at either end. A stalled guest sends nothing
# and its timers skip the probes they missed: the window's silences
# (gaps over 20 ms, where the 100 phases leave about 1 ms) may lack one
# probe per ms (100 tunnels / 100 ms), no more
check "100 tunnels at 100 ms: probes on the wire = 100 x window / 100 ms, +-100, less 1 per ms of silence" \
	awk '$1 == "captured" && NF == 2 { n = $2 } $1 == "window_ms" { w = $2 }
	     $1 == "untimed" { u = $2 } $1 == "silent_ms" { q = $2 }
	     END { lo = 100 * (int(w / 100) - 1) - int(q); hi = 100 * (int(w / 100) + 2)
		   print "# " n " probes in " w " ms (" q " ms silent), allowed " lo " .. " hi
		   exit !(u == 0 && q != "" && q < w / 2 && n >= lo && n <= hi) }' "$TMPDIR/timer"
# spread evenly, half of them would be more than 50 ms past the grid and
# a tenth more than 90; all in one timer interrupt, the median would be
# a few ms (the timer's latency)
check "100 tunnels at 100 ms: spread over the interval (median 25..75 ms, 90 % >= 65 ms past the grid)" \
	awk '$1 == "grid_late_p50_ms" { m = $2 } $1 == "grid_late_p90_ms" { p = $2 }
	     END { print "# median " m " ms, 90 % " p " ms"
		   exit !(m != "" && m >= 25 && m <= 75 && p >= 65) }' "$TMPDIR/timer"

# teardown with probes in flight (10 ms): a tunnel deleted, a conn
# deleted, then rmmod with 100 probers running
fast() {
	gwctl conn set c1 health dst 172.16.255.1 src 10.99.1.1 interval 10ms &&
	gwctl conn set c2 health dst 172.16.255.2 src 10.99.2.1 interval 10ms
}
check "c1, c2 probing every 10 ms" fast
nap 0.5
check "tunnel device xfrm2 deleted while probed" ip -n "$gw" link del xfrm2
check_eq "c2: its tunnel is gone, and so is the check" "down no-device,link null" \
	"$(gwctl -j conn show c2 | jq -r '.[0].tunnels[0] | "\(.state) \(.down_reason | join(",")) \(.health)"')"
check_fail_msg "no health check on a deleted tunnel (ENODEV)" \
	"health: tunnel xfrm2 was deleted" \
	gwctl conn set c2 health dst 172.16.255.2 src 10.99.2.1
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
	nap 0.3 &&
	ip netns del $n
}
check "netns deleted with two tunnels probed every 10 ms" nsdel
nap 2
check "rmmod with 100 probers running" timeout 60 rmmod vpnrt
ktap_finish
