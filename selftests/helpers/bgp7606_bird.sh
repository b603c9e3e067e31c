#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The RFC 7606 table against BIRD 2, on the host (root, network
# namespaces): checks that bgp_craft.py sends what the table says, and
# prints BIRD's reaction per case, the source of the table's "bird" keys
# (informative: no selftest asserts them). Not part of make check.
#
#   selftests/helpers/bgp7606_bird.sh [bgp_craft.py options, e.g. --only X]
#
# LISTEN=1: BIRD connects, bgp_craft.py --listen accepts. MD5=KEY: TCP MD5
# on both sides.
#
# Two namespaces joined by a veth pair: b7606-bird (BIRD, 192.0.2.254,
# AS 65000, passive) and b7606-tool (bgp_craft.py, 192.0.2.1, AS 65001).
# After each case, birdc shows whether the case's prefix is in BIRD's
# table (and its attributes): that is the [..] at the end of each line.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d /tmp/bgp7606.XXXXXX)
nsb=b7606-bird nst=b7606-tool
cleanup() {
	[ -f "$d/bird.pid" ] && kill "$(cat "$d/bird.pid")" 2>/dev/null
	ip netns del $nsb 2>/dev/null
	ip netns del $nst 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$d"
}
trap cleanup EXIT
ip netns add $nsb && ip netns add $nst || exit 1
ip link add b7606b netns $nsb type veth peer name b7606t netns $nst || exit 1
ip -n $nsb addr add 192.0.2.254/24 dev b7606b
ip -n $nst addr add 192.0.2.1/24 dev b7606t
ip -n $nsb link set lo up; ip -n $nst link set lo up
ip -n $nsb link set b7606b up; ip -n $nst link set b7606t up

cat >"$d/bird.conf" <<EOF
router id 192.0.2.254;
log "$d/bird.log" all;
timeformat log "%F %T.%3f";
protocol device {}
protocol bgp peer {
	local 192.0.2.254 as 65000;
	neighbor 192.0.2.1 as 65001;
	$([ -n "${LISTEN:-}" ] && echo "connect delay time 1; connect retry time 1;" || echo "passive on;")
	hold time 9;
	$([ -n "${MD5:-}" ] && echo "password \"$MD5\";")
	error wait time 1, 2;
	error forget time 1;
	debug { states, events };
	ipv4 { import all; export none; };
	ipv6 { import all; export none; };
}
EOF
ip netns exec $nsb bird -f -c "$d/bird.conf" -s "$d/bird.ctl" -P "$d/bird.pid" \
	>"$d/bird.out" 2>&1 </dev/null &
for _ in $(seq 50); do
	[ -S "$d/bird.ctl" ] && birdc -s "$d/bird.ctl" show status >/dev/null 2>&1 && break
	sleep 0.1
done

# after each case: the case's prefixes in BIRD's table, on one line
cat >"$d/after" <<EOF
#!/bin/bash
for p in "\$BGP7606_PREFIX" "\$BGP7606_PREFIX6"; do
	out=\$(birdc -s "$d/bird.ctl" show route for "\$p" all 2>/dev/null |
	      sed -n 's/^[[:space:]]*BGP\.\([a-z_0-9]*\): \(.*\)/\1=\2/p' |
	      grep -v '^\(next_hop\|local_pref\)=' | tr '\n' ' ')
	[ -n "\$out" ] && printf '%s: %s' "\$p" "\$out"
done
true
EOF
chmod +x "$d/after"
ip netns exec $nst python3 "$top/selftests/helpers/bgp_craft.py" \
	--table "$top/selftests/bgp7606.table" --peer 192.0.2.254 \
	--bind 192.0.2.1 --local-as 65001 --expect-key bird ${LISTEN:+--listen} ${MD5:+--md5 "$MD5"} \
	--after-case "$d/after" "$@"
rc=$?
echo "# BIRD's log: error lines"
grep -i 'error\|malformed\|invalid\|discard\|withdraw' "$d/bird.log" | sed 's/^/# /' | tail -120
exit $rc
