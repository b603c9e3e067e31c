#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 100,000 routes (VPNRT_SCALE_ROUTES): loaded by one `vpnrtctl -b` batch,
# dumped whole, looked up, flushed with their connection; a dump
# interrupted by a change says so (NLM_F_DUMP_INTR), an undisturbed one
# does not. Loaded again, the gateway is deleted with them. The loads run
# in a memory cgroup (cgroup v2, where the kernel has the controller: not
# the debug kernel): the routes are charged to it and uncharged when they
# go, and a cgroup at its memory.max gets ENOMEM with a message, not an
# OOM kill. Times (ms) are printed as diagnostics.
. "$(dirname "$0")/lib.sh"
require_root
for c in ip jq awk; do
	command -v "$c" >/dev/null || { ktap_fail "needs $c"; ktap_finish; }
done
DUMP_INTR=${DUMP_INTR:-$(dirname "$VPNRTCTL")/selftest-helpers/dump_intr}
N=${VPNRT_SCALE_ROUTES:-100000}

setup_ns ns || { ktap_fail "netns"; ktap_finish; }
vpnrt_load || { ktap_fail "insmod"; ktap_finish; }
C() { ip netns exec "$ns" "$VPNRTCTL" "$@"; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }

# memory cgroups: CG (no limit) loads the routes, CGL has a memory.max
CG=/sys/fs/cgroup/vpnrt-scale CGL=/sys/fs/cgroup/vpnrt-scale-limit memcg=0
memcg_setup() {
	[ -e /sys/fs/cgroup/cgroup.controllers ] ||
		mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null || return 1
	grep -qw memory /sys/fs/cgroup/cgroup.controllers || return 1
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control &&
	mkdir -p "$CG" "$CGL"
}
memcg_setup && memcg=1
memcg_cleanup() {
	[ $memcg = 1 ] && rmdir "$CG" "$CGL" 2>/dev/null
	cleanup_ns
}
trap memcg_cleanup EXIT
# in_cg CGROUP CMD...: CMD in that cgroup (plain if there are none)
in_cg() {
	local cg=$1
	shift
	if [ $memcg = 1 ]; then
		bash -c 'echo $BASHPID >"$0/cgroup.procs" && exec "$@"' "$cg" "$@"
	else
		"$@"
	fi
}
cur() { cat "$1/memory.current"; }
# memcg_check "what" CMD...: a check that needs the memory controller
memcg_check() {
	if [ $memcg = 1 ]; then
		check "$@"
	else
		ktap_ok "$1 # SKIP no memory cgroup controller in this kernel"
	fi
}
# until_below CGROUP BYTES: memory.current falls to BYTES within 30 s
# (freeing waits for a grace period, in a work item)
until_below() {
	local end=$((SECONDS + 30))
	while [ "$(cur "$1")" -gt "$2" ]; do
		[ $SECONDS -lt $end ] || { echo "memory.current $(cur "$1") > $2"; return 1; }
		sleep 0.2
	done
}

prep() {
	ip -n "$ns" link add xfrm1 type xfrm if_id 1 &&
	ip -n "$ns" link set xfrm1 up &&
	C gateway add vpngw0 &&
	C conn add c1 gateway vpngw0 tunnel xfrm1
}
check "gateway and conn" prep

# N distinct /24s from 10.0.0.0 upwards
awk -v n=$N 'BEGIN { for (i = 0; i < n; i++)
	printf "route add %d.%d.%d.0/24 conn c1\n", 10 + int(i / 65536),
		int(i / 256) % 256, i % 256 }' >"$TMPDIR/routes.batch"
[ $memcg = 1 ] && m0=$(cur "$CG")
t0=$(ms)
check "load $N routes with one batch" in_cg "$CG" ip netns exec "$ns" "$VPNRTCTL" -b "$TMPDIR/routes.batch"
t1=$(ms)
echo "# load: $N routes in $((t1 - t0)) ms"
# a route and its trie node are a cache line each: at least 100 B a route
if [ $memcg = 1 ]; then
	m1=$(cur "$CG")
	echo "# memory cgroup: $(( (m1 - m0) / N )) B a route"
fi
memcg_check "the routes are charged to the loader's memory cgroup" \
	test $(( ${m1:-0} - ${m0:-0} )) -ge $((N * 100))
check_eq "gateway counts $N static routes" $N \
	"$(C -j gateway show vpngw0 | jq '.[0].routes')"

t0=$(ms)
lines=$(C route show | wc -l)
t1=$(ms)
echo "# dump: $lines routes in $((t1 - t0)) ms"
check_eq "text dump has every route" $N "$lines"
last=$(awk -v i=$((N - 1)) 'BEGIN { printf "%d.%d.%d.0/24", 10 + int(i / 65536), int(i / 256) % 256, i % 256 }')
check_eq "JSON dump has every route, in order" \
	"$N 10.0.0.0/24 $last" \
	"$(C -j route show | jq -r '"\(length) \(.[0].prefix) \(.[-1].prefix)"')"
check_eq "lookup of the last route" "$last" \
	"$(C -j route get "${last%.0/24}.9" gateway vpngw0 | jq -r .prefix)"

check_eq "undisturbed dump is not flagged" "routes $N interrupted 0" \
	"$(ip netns exec "$ns" "$DUMP_INTR" -)"
check_eq "dump with a change in between is flagged NLM_F_DUMP_INTR" \
	"interrupted 1" \
	"$(ip netns exec "$ns" "$DUMP_INTR" "$VPNRTCTL route add 12.0.0.0/8 conn c1" |
	   grep -o 'interrupted [01]')"

t0=$(ms)
check "delete the conn and its $((N + 1)) routes" C conn del c1
t1=$(ms)
echo "# flush: $((N + 1)) routes in $((t1 - t0)) ms"
check_eq "gateway has no routes left" 0 \
	"$(C -j gateway show vpngw0 | jq '.[0].routes')"
# the jump tables shrink with their tries (none below 32 prefixes); what
# stays is what slabs keep cached, far below what the routes took (about
# 300 B a route at 100,000 routes)
memcg_check "the conn's routes are uncharged once freed" \
	until_below "$CG" $(( ${m0:-0} + 1048576 + N * 40 ))
[ $memcg = 1 ] && echo "# memory cgroup after the conn's deletion: $(( $(cur "$CG") - m0 )) B above where it was"

# a cgroup at its limit: its vpnrtctl's own peak plus 8 MiB, while 400,000
# more routes would need 80 MiB. The batch must fail with the kernel's
# ENOMEM, which only the kernel's allocations can give: once the routes
# fill the cgroup, any page the process itself faults in meets the limit
# and has the memory cgroup's OOM killer kill it. An ASan vpnrtctl grows
# by megabytes over a batch (its allocator's regions and their shadow:
# 9 MB of anon at the kill, 2.3 MB of routes), so the plain build runs
# this step when it is there (build/userspace beside build/userspace-san;
# make check builds both), with ASan's quarantine and LeakSanitizer off
# otherwise. An OOM kill prints its report: the allocation that met the
# limit, a page fault (the process) or a kernel path (the module).
check "conn c1 again" C conn add c1 gateway vpngw0 tunnel xfrm1
check "$N routes again" in_cg "$CG" ip netns exec "$ns" "$VPNRTCTL" -b "$TMPDIR/routes.batch"
if [ $memcg = 1 ]; then
	LCTL=$VPNRTCTL
	case $VPNRTCTL in
	*/userspace-san/vpnrtctl)
		[ -x "${VPNRTCTL%-san/vpnrtctl}/vpnrtctl" ] &&
			LCTL=${VPNRTCTL%-san/vpnrtctl}/vpnrtctl ;;
	esac
	echo "# limited cgroup: $LCTL"
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:detect_leaks=0
	# its page cache charged outside the limited cgroup: pages it read
	# first there would be reclaimed and faulted in again for every
	# charge at the limit (a thrash, not an error: this step ran out
	# of its 600 s once)
	ip netns exec "$ns" "$LCTL" gateway show >/dev/null
	in_cg "$CGL" ip netns exec "$ns" "$LCTL" gateway show >/dev/null
	peak=$(cat "$CGL/memory.peak" 2>/dev/null || cur "$CGL")
	base=$(cur "$CGL")
	echo $((peak + 8 * 1048576)) >"$CGL/memory.max"
	awk 'BEGIN { for (i = 0; i < 400000; i++)
		printf "route add 11.%d.%d.%d/32 conn c1\n", int(i / 65536),
			int(i / 256) % 256, i % 256 }' >"$TMPDIR/more.batch"
	ooms=$(awk '$1 == "oom_kill" { print $2 }' "$CGL/memory.events")
	dmesg_at=$(dmesg | wc -l)
	out=$(in_cg "$CGL" ip netns exec "$ns" "$LCTL" -b "$TMPDIR/more.batch" 2>&1)
	rc=$?
	echo "# limited cgroup: exit $rc: $(grep -m1 'out of memory' <<<"$out" || tail -n1 <<<"$out")"
	# an OOM kill: the allocation that met the limit, from its report
	[ "$(awk '$1 == "oom_kill" { print $2 }' "$CGL/memory.events")" = "$ooms" ] ||
		dmesg | tail -n +$((dmesg_at + 1)) |
		grep -A30 'invoked oom-killer' | head -n 40 | sed 's/^/# /'
	check_eq "routes past the cgroup's memory.max: ENOMEM with a message, no OOM kill" \
		"exit 1, out of memory, oom_kill $ooms" \
		"exit $rc, $(grep -o 'out of memory' <<<"$out" | head -n1), oom_kill $(awk '$1 == "oom_kill" { print $2 }' "$CGL/memory.events")"
	# chunks of the batch went in before the one that failed: at least
	# 100 B each (a route and its trie node, a cache line each)
	fit=$(( $(C -j gateway show vpngw0 | jq '.[0].routes') - N ))
	check_eq "the module still answers: $N routes and some that fit" true \
		"$([ "$fit" -gt 0 ] && [ "$fit" -lt 400000 ] && echo true || echo "false: $fit fit")"
	check "the $fit routes that fit are charged to the limited cgroup ($(( $(cur "$CGL") - base )) B)" \
		test $(( $(cur "$CGL") - base )) -ge $(( fit * 100 ))
else
	memcg_check "routes past a cgroup's memory.max" false
	memcg_check "the module still answers" false
	memcg_check "the routes that fit are charged to the limited cgroup" false
fi

# deleting the gateway: O(conns) under RTNL, the routes freed after one
# grace period by a work item
# how long rtnl_dellink() ran, i.e. held RTNL (function_graph), if traceable
T=/sys/kernel/tracing
[ -e $T/trace ] || mount -t tracefs nodev $T 2>/dev/null
traced=0
if echo rtnl_dellink >$T/set_graph_function 2>/dev/null; then
	echo 1 >$T/max_graph_depth && echo function_graph >$T/current_tracer &&
	echo >$T/trace && echo 1 >$T/tracing_on && traced=1
fi
t0=$(ms)
check "delete the gateway with its $N+ routes" ip -n "$ns" link del vpngw0
t1=$(ms)
rtnl=unknown
if [ $traced = 1 ]; then
	echo 0 >$T/tracing_on
	rtnl=$(awk '/rtnl_dellink/ { for (i = 1; i < NF; i++)
		if ($(i + 1) == "us") { sub(/^[^0-9]*/, "", $i); printf "%.1f ms\n", $i / 1000; exit } }' $T/trace)
	echo nop >$T/current_tracer
	echo >$T/set_graph_function
fi
echo "# gateway delete: $N+ routes in $((t1 - t0)) ms (ip link del returned), RTNL held ${rtnl:-unknown}"
memcg_check "the gateway's routes are uncharged once freed" \
	until_below "$CG" $(( ${m0:-0} + N * 10 ))
[ $memcg = 1 ] && echo "# gateway delete: freed after $(( $(ms) - t0 )) ms"
memcg_check "so are those of the limited cgroup" \
	until_below "$CGL" $(( ${base:-0} + 1048576 ))
ktap_finish
