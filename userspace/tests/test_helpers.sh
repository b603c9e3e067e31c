#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The selftest helpers' command lines (TAP): bad input gets a message that
# names it, the helper's synopsis and its usage exit status, and does
# nothing; cpusoak, which needs no network namespace, also runs.
# Usage: test_helpers.sh DIR (where the helpers were built)
h=${1:?usage: test_helpers.sh HELPERS_DIR}
n=0 failed=0

# expect NAME STATUS TEXT... -- CMD...: CMD exits STATUS and its stderr
# contains every TEXT
expect() {
	name=$1 want=$2
	shift 2
	texts=
	while [ "$1" != -- ]; do
		texts="$texts
$1"
		shift
	done
	shift
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	ok=1
	[ "$rc" = "$want" ] || ok=0
	missing=
	while IFS= read -r t; do
		[ -n "$t" ] || continue
		case $err in *"$t"*) ;; *) ok=0 missing="$missing [$t]" ;; esac
	done <<EOT
$texts
EOT
	n=$((n + 1))
	if [ $ok = 1 ]; then
		echo "ok $n - $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name"
		echo "#   exit $rc (want $want), missing:$missing"
		printf '%s\n' "$err" | sed 's/^/#   | /'
	fi
}

expect "udpflood: nothing given" 2 "udpflood: --ns, --dst, --port (1..65535) and --seconds (> 0) are required" \
	"usage: udpflood --ns NS --dst IP" -- "$h/udpflood"
expect "udpflood: unknown option" 2 "udpflood: unknown option --bogus" "usage: udpflood" -- \
	"$h/udpflood" --bogus 1
expect "udpflood: --flows out of range" 2 "--flows must be 1..1024" -- \
	"$h/udpflood" --ns x --dst 10.0.0.1 --port 9 --seconds 1 --flows 0
expect "lossmeter: option without its value" 2 "lossmeter: --port needs a value" \
	"usage: lossmeter --tx-ns NS --dst IP --port P --rate PPS" -- "$h/lossmeter" --port
expect "forge_echo: --count out of range (exit 1, as documented)" 1 \
	'forge_echo: --count: "0" is not in 1..1000000' "usage: forge_echo --sniff-ns NS" -- \
	"$h/forge_echo" --count 0
expect "nlstress: nothing given" 2 "nlstress: --gateway, --seconds (> 0) and --tunnels are required" \
	"usage: nlstress --gateway GW --seconds S --tunnels" -- "$h/nlstress"
expect "nlstress: too few tunnels" 2 "--tunnels: 2 given; 2 route and 2 churn workers need 2 each" -- \
	"$h/nlstress" --gateway g --seconds 1 --tunnels a,b
expect "nlstress: --route-workers out of range" 2 'nlstress: --route-workers: "9" is not in 0..8' -- \
	"$h/nlstress" --route-workers 9
expect "nlstress: --expect without a conn" 2 'nlstress: --expect: "10.0.0.1" is not ADDR=CONN' -- \
	"$h/nlstress" --expect 10.0.0.1
expect "nlstress: option without its value" 2 "nlstress: --seconds needs a value" -- \
	"$h/nlstress" --seconds
expect "cpusoak: nothing given" 2 "cpusoak: --cpu and --seconds are required" \
	"usage: cpusoak --cpu N --seconds S" -- "$h/cpusoak"
expect "cpusoak: --cpu not a number" 2 'cpusoak: --cpu: "x" is not a CPU number' -- \
	"$h/cpusoak" --cpu x --seconds 1
expect "cpusoak: --seconds out of range" 2 'cpusoak: --seconds: "0" is not in (0, 3600]' -- \
	"$h/cpusoak" --cpu 0 --seconds 0
expect "cpusoak: option without its value" 2 "cpusoak: --seconds needs a value" -- \
	"$h/cpusoak" --cpu 0 --seconds
expect "cpusoak: unknown option" 2 "cpusoak: unknown option --cpus" -- \
	"$h/cpusoak" --cpus 0 --seconds 1
expect "routecount: nothing given" 2 \
	"routecount: give --ns, --until and either --table and --proto or --gateway" \
	"usage: routecount" -- "$h/routecount"
expect "routecount: a table and a gateway at once" 2 \
	"routecount: give --ns, --until and either --table and --proto or --gateway" -- \
	"$h/routecount" --ns x --until 1 --table 100 --proto 12 --gateway vpngw0
expect "routecount: a table without a protocol" 2 \
	"routecount: give --ns, --until and either --table and --proto or --gateway" -- \
	"$h/routecount" --ns x --until 1 --table 100

# a short run counts loops over at least the time asked for, and the time
# it reports is no longer than what a clock outside it saw (so it cannot
# report the time asked for without running it). Its overshoot has no
# bound here: cpusoak runs at SCHED_IDLE, and on a 2-core host under load
# (load average 5) runs of 0.1-0.2 s took up to 2.4 s, starved between two clock
# reads.
t0=$(date +%s%N)
out=$("$h/cpusoak" --cpu 0 --seconds 0.2)
rc=$?
t1=$(date +%s%N)
wall=$((t1 - t0))
loops=$(printf '%s\n' "$out" | awk '$1 == "loops" { print $2 }')
ns=$(printf '%s\n' "$out" | awk '$1 == "ns" { print $2 }')
n=$((n + 1))
if [ "$rc" = 0 ] && [ "${loops:-0}" -gt 0 ] && [ "${ns:-0}" -ge 200000000 ] &&
   [ "$ns" -le "$wall" ]; then
	echo "ok $n - cpusoak: 0.2 s counted $loops loops in $ns ns, $wall ns outside"
else
	failed=$((failed + 1))
	echo "not ok $n - cpusoak: 0.2 s: exit $rc, loops '$loops', ns '$ns' (want >= 200000000 and <= the $wall ns seen outside)"
fi
echo "1..$n"
[ $failed = 0 ]
