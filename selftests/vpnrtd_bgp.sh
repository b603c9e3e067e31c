#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vpnrtd's BGP speaker against real peers over real IPsec tunnels that
# vpnrtd brings up: BIRD 2 (dc1, AS 65001, hold 9 s), FRR's bgpd (dc2,
# AS 65002, hold 15 s) and GoBGP (dc3, 4-octet AS 4200000001, hold 15 s),
# each session with its own TCP MD5 key; the gateway's ASN is given in
# asdot ("1.10" = 65546), so every session tests an asdot local AS (and
# the 4-octet ASN capability: 65546 does not fit in 2 octets). One eBGP
# session per tunnel, between the inside addresses of its /30 (vpnrtd
# puts its local-ip on the tunnel device).
#
#   vpc --v0-- gw (vpngw0, vpnrtd, charon) --u1-- dc1 (charon, BIRD)
#                                          --u2-- dc2 (charon, FRR bgpd)
#                                          --u3-- dc3 (charon, GoBGP)
#   tunnel K: xfrmK (if_id K) on both ends, inside 169.254.K0.0/30
#   (gw .1, dc .2); lab: an `ike: none` xfrm9 of the operator's with bgp:
#
# Checks: the inside addresses (added, marked ours, the operator's left
# alone, a stale one of ours removed, put back when deleted, removed
# when the config drops them, nothing changed by a restart); pings over
# each tunnel's inside addresses; the peers not Established before
# vpnrtd runs; then with each peer: Established, its routes in vpnrt
# (proto bgp, its connection) and in the VPC table (main, proto 245, via
# vpngw0) and carrying traffic from the vpc; the gateway's advertise
# prefixes in every peer's RIB with next hop the tunnel's local-ip and
# AS path 65546; split horizon; import-deny (0.0.0.0/0, 100.64.0.0/10);
# a withdrawal by each peer and an announcement at run time; route
# refresh: BIRD's and FRR's ROUTE-REFRESH answered (GoBGP 3.10 sends
# none: its softresetin re-reads its own Adj-RIB-In), and vpnrtctl bgp
# refresh answered by each (their export or sent-UPDATE counters); MD5
# with each: all three restarted with wrong keys at once (no session,
# MD5 failures counted in every netns) and with the right ones again;
# hold timer expiry with each (hold 9 s and 15 s) when the three ESP
# paths die at once with IKE still up, no DPD and no health check, and
# recovery; advertise-table (a host table's routes announced and
# followed live, those via the gateway device not); the VPC table moved
# to another table by a reload, then turned off; a health check added to
# dc3 by a reload taking its BGP routes out of use before its hold timer
# would; an IKE SA deleted by the peer ending the session and its routes
# at once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ike_lib.sh"
. "$(dirname "$0")/bgp_lib.sh"

require_root
require_cmd jq ip swanctl python3 bird birdc vtysh gobgpd gobgp

ike_init || fail_all "ike_init"
bgp_init || fail_all "bgp_init"
trap 'bgp_cleanup; ike_cleanup; cleanup_ns' EXIT
vpnrtd_init || fail_all "no vpnrtd"
D=$VPNRTD_DIR

# ---- helpers ----

# the protocol of vpnrtd's VPC table routes and of the inside addresses
# it adds (HOSTROUTE_PROTO in userspace/vpnrtd/hostroute.h; 194 is FRR's
# sharpd in Debian's rt_protos.d)
VPNRT_PROTO=245

# the BGP routes in vpnrt, "PREFIX@CONN" sorted, one line
vr_bgp() {
	gwctl -j route show | jq -r '[.[] | select(.proto == "bgp") |
		"\(.prefix)@\(.conn)"] | sort | join(" ")'
}
# the VPC table's vpnrtd routes (main, or table $1; proto $VPNRT_PROTO),
# "PREFIX@DEV"
vpc_routes() {
	ip -n "$gw" -j route show table "${1:-main}" proto $VPNRT_PROTO |
		jq -r '[.[] | "\(.dst)@\(.dev)"] | sort | join(" ")'
}
# PEER's RIB as "PREFIX next_hop=X as_path=P" sorted, one line
peer_rib() {
	bgp_peer_rib "$1" | awk '{ printf "%s%s %s %s", (NR > 1 ? " | " : ""), $1, $2, $3 }'
}
peer_prefixes() {
	bgp_peer_rib "$1" | awk '{ printf "%s%s", (NR > 1 ? " " : ""), $1 }'
}
# the gw's IPv4 addresses in 169.254.0.0/16, "DEV ADDR/LEN proto=N"
inside_addrs() {
	ip netns exec "$gw" python3 "$D/addrs.py" dump 169.254.
}
# TcpExt counter NAME in netns NS (absolute)
tcpext() {
	ip netns exec "$1" awk -v k="$2" '$1 == "TcpExt:" {
		if (!h) { for (i = 2; i <= NF; i++) col[$i] = i; h = 1 }
		else { print $col[k] + 0; exit } }' /proc/net/netstat
}
# vpnrtd's lines since the mark (a line count of its log)
log_since() {
	tail -n +$(($1 + 1)) "$D/vpnrtd.log"
}
log_mark() {
	wc -l <"$D/vpnrtd.log"
}

# addrs.py: "dump PREFIX": the IPv4 addresses starting with PREFIX with
# their IFA_PROTO (iproute2 6.1 does not show it), "DEV ADDR/LEN
# proto=N" comma-separated; "add DEV ADDR/LEN PROTO": add one so marked
cat >"$D/addrs.py" <<'EOS'
import os, socket, struct, sys
RTM_NEWADDR, RTM_GETADDR, IFA_ADDRESS, IFA_LOCAL, IFA_PROTO = 20, 22, 1, 2, 11
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.bind((0, 0))
def attr(t, v):
    a = struct.pack("HH", 4 + len(v), t) + v
    return a + b"\0" * (-len(a) % 4)
def send(typ, flags, body):
    s.send(struct.pack("IHHII", 16 + len(body), typ, flags, 1, 0) + body)
if sys.argv[1] == "dump":
    send(RTM_GETADDR, 0x301, struct.pack("BBBBI", socket.AF_INET, 0, 0, 0, 0))
    out, done = [], False
    while not done:
        buf = s.recv(65536)
        o = 0
        while o < len(buf):
            ln, typ = struct.unpack_from("IH", buf, o)
            if typ == 3:
                done = True
                break
            if typ == RTM_NEWADDR:
                plen, idx = struct.unpack_from("=xBxxI", buf, o + 16)
                a, at = o + 24, {}
                while a < o + ln:
                    al, t = struct.unpack_from("HH", buf, a)
                    at[t] = buf[a + 4:a + al]
                    a += (al + 3) & ~3
                loc = at.get(IFA_LOCAL, at.get(IFA_ADDRESS))
                proto = at[IFA_PROTO][0] if IFA_PROTO in at else 0
                try:
                    dev = socket.if_indextoname(idx)
                except OSError:
                    dev = "ifindex%d" % idx
                if socket.inet_ntoa(loc).startswith(sys.argv[2]):
                    out.append("%s %s/%d proto=%d" % (dev, socket.inet_ntoa(loc), plen, proto))
            o += (ln + 3) & ~3
    print(",".join(sorted(out)))
else:
    dev, pfx, proto = sys.argv[2], sys.argv[3], int(sys.argv[4])
    a, plen = pfx.split("/")
    ab = socket.inet_aton(a)
    send(RTM_NEWADDR, 0x605, struct.pack("BBBBI", socket.AF_INET, int(plen), 0, 0,
         socket.if_nametoindex(dev)) + attr(IFA_LOCAL, ab) + attr(IFA_ADDRESS, ab) +
         attr(IFA_PROTO, bytes([proto])))
    err = struct.unpack_from("i", s.recv(65536), 16)[0]
    if err:
        sys.exit("addrs.py: add %s to %s: %s" % (pfx, dev, os.strerror(-err)))
EOS

# ---- the network ----
t_start=$EPOCHREALTIME
setup_ns vpc gw dc1 dc2 dc3 || fail_all "netns"
GW1=192.0.2.1 DC1=192.0.2.2 GW2=198.51.100.1 DC2=198.51.100.2
GW3=203.0.113.1 DC3=203.0.113.2
ip link add v0 netns "$vpc" type veth peer name v0 netns "$gw" &&
ip link add u1 netns "$gw" type veth peer name u1 netns "$dc1" &&
ip link add u2 netns "$gw" type veth peer name u2 netns "$dc2" &&
ip link add u3 netns "$gw" type veth peer name u3 netns "$dc3" || fail_all "veths"
ip -n "$vpc" -batch - <<EOB || fail_all "vpc"
link set v0 up
addr add 10.10.0.2/24 dev v0
route add default via 10.10.0.1
EOB
# xfrm9: the operator's device of the ike: none tunnel, with an address
# of the operator's in 169.254.0.0/16 that vpnrtd must leave alone
ip -n "$gw" -batch - <<EOB || fail_all "gw"
link set v0 up
addr add 10.10.0.1/24 dev v0
link set u1 up
link set u2 up
link set u3 up
addr add $GW1/24 dev u1
addr add $GW2/24 dev u2
addr add $GW3/24 dev u3
$(ike_xfrm_lines xfrm9 9 u1)
addr add 169.254.99.1/30 dev xfrm9
EOB
for k in 1 2 3; do
	ns=dc$k da=DC$k
	{
		echo "link set u$k up"
		echo "addr add ${!da}/24 dev u$k"
		ike_xfrm_lines "xfrm$k" "$k" "u$k"
		echo "addr add 169.254.${k}0.2/30 dev xfrm$k"
		# 172.16.K.0/24 is local; its replies to the vpc go back
		# through the tunnel
		echo "route add local 172.16.$k.0/24 dev lo"
		echo "route add 10.10.0.0/24 dev xfrm$k table $((100 + k))"
		echo "rule add from 172.16.$k.0/24 lookup $((100 + k)) pref $((100 + k))"
	} | ip -n "${!ns}" -batch - || fail_all "dc$k"
done
for ns in "$gw" "$dc1" "$dc2" "$dc3"; do
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 ||
		fail_all "sysctl"
done
vpnrt_load || fail_all "vpnrt.ko"
# the first SA of an algorithm pair loads its crypto modules: pay that
# before any IKE timer runs (ike_lib.sh)
ike_crypto_warmup "cbc(aes):hmac(sha256)" || fail_all "crypto warm-up"
# a leftover of ours (IFA_PROTO $VPNRT_PROTO) that the config does not name: a
# previous run's inside address
ip netns exec "$gw" python3 "$D/addrs.py" add xfrm9 169.254.77.1/30 $VPNRT_PROTO ||
	fail_all "stale inside address"

charon_start "$gw" "$gw" && charon_start "$dc1" "$dc1" &&
	charon_start "$dc2" "$dc2" && charon_start "$dc3" "$dc3" || fail_all "charon"
for k in 1 2 3; do
	ns=dc$k da=DC$k ga=GW$k
	ike_conn "${!ns}" gw local="${!da}" remote="${!ga}" psk="dc$k-key" \
		ike=aes128-sha256-modp2048 esp=aes128-sha256-modp2048 if_id=$k &&
		ike_load "${!ns}" || fail_all "dc$k conn"
done

# ---- the peers, before vpnrtd runs ----
# each session's TCP MD5 key (vpnrtd's tunnel bgp: md5:)
MD5=([1]=dc1-md5-key [2]=dc2-md5-key [3]=dc3-md5-key)
# what each peer announces at its (re)start, kept up to date below
ANNOUNCE=([1]="172.16.1.0/24,172.16.11.0/24 med=5,0.0.0.0/0,100.64.1.0/24"
	[2]="172.16.2.0/24,172.16.22.0/24" [3]="172.16.3.0/24,172.16.44.0/24")
# start_dc K KEY: dc K's peer with MD5 key KEY
start_dc() {
	case $1 in
	1) bgp_peer_start bird "$dc1" dc1 local=169.254.10.2 peer=169.254.10.1 \
		local_as=65001 peer_as=1.10 hold=9 md5="$2" announce="${ANNOUNCE[1]}" ;;
	2) bgp_peer_start frr "$dc2" dc2 local=169.254.20.2 peer=169.254.20.1 \
		local_as=65002 peer_as=1.10 hold=15 md5="$2" announce="${ANNOUNCE[2]}" ;;
	3) bgp_peer_start gobgp "$dc3" dc3 local=169.254.30.2 peer=169.254.30.1 \
		local_as=4200000001 peer_as=1.10 hold=15 md5="$2" announce="${ANNOUNCE[3]}" ;;
	esac
}
start_dc 1 "${MD5[1]}" || fail_all "BIRD in dc1"
start_dc 2 "${MD5[2]}" || fail_all "FRR in dc2"
start_dc 3 "${MD5[3]}" || fail_all "GoBGP in dc3"
echo "# network, 4 charons and 3 peers up after $(secs "$(ms_since "$t_start")") s"

cat >"$CONF" <<EOC
gateways:
  - name: vpngw0
    bgp:
      local-asn: "1.10"
      advertise: [10.10.0.0/16, 10.20.0.0/24]
    connections:
      - name: dc1
        # no DPD and no health check (dc3's is added by a reload after
        # the hold timer part): only the hold timer can tell that the
        # tunnel stopped carrying
        ike: {version: ikev2, psk: dc1-key, encryption: aes128, integrity: sha256,
              dh-group: 14, dpd: false}
        ipsec: {encryption: aes128, integrity: sha256, dh-group: 14}
        tunnels:
          - local-address: $GW1
            remote-address: $DC1
            if-id: 1
            device: xfrm1
            bgp: {tunnel-cidr: 169.254.10.0/30, local-ip: 169.254.10.1,
                  peer-asn: 65001, md5: "${MD5[1]}", hold-time: 9}
      - name: dc2
        ike: {version: ikev2, psk: dc2-key, encryption: aes128, integrity: sha256,
              dh-group: 14, dpd: false}
        ipsec: {encryption: aes128, integrity: sha256, dh-group: 14}
        tunnels:
          - local-address: $GW2
            remote-address: $DC2
            if-id: 2
            device: xfrm2
            bgp: {tunnel-cidr: 169.254.20.0/30, local-ip: 169.254.20.1,
                  peer-asn: 65002, md5: "${MD5[2]}", hold-time: 15}
      - name: dc3
        ike: {version: ikev2, psk: dc3-key, encryption: aes128, integrity: sha256,
              dh-group: 14, dpd: false}
        ipsec: {encryption: aes128, integrity: sha256, dh-group: 14}
        tunnels:
          - local-address: $GW3
            remote-address: $DC3
            if-id: 3
            device: xfrm3
            bgp: {tunnel-cidr: 169.254.30.0/30, local-ip: 169.254.30.1,
                  peer-asn: 4200000001, md5: "${MD5[3]}", hold-time: 15}
      - name: lab
        tunnels:
          - ike: none
            device: xfrm9
            bgp: {tunnel-cidr: 169.254.40.0/30, local-ip: 169.254.40.1,
                  peer-asn: 65040}
EOC
check "vpnrtd --check accepts the config" "$VPNRTD" --check -c "$CONF"

# no tunnel yet: no peer can be Established
states() {
	echo "$(bgp_peer_state dc1) $(bgp_peer_state dc2) $(bgp_peer_state dc3)"
}
st=$(states)
check "before vpnrtd runs, no peer is Established (BIRD, FRR, GoBGP: $st)" \
	bash -c "[[ '$st' != *Established* && '$st' != *Down* ]]"

# ---- vpnrtd: tunnels, inside addresses ----
vpnrtd_start
all_up='[.[] | select(.name | startswith("dc")) | .tunnels[] | .ike == "up"] | length == 3 and all'
t0=$EPOCHREALTIME
end=$((SECONDS + 90))
until gwctl -j conn show 2>/dev/null | jq -e "$all_up" >/dev/null; do
	[ $SECONDS -lt $end ] || break
	bgp_nap 0.5
done
if gwctl -j conn show 2>/dev/null | jq -e "$all_up" >/dev/null; then
	ktap_ok "vpnrtd brings up the three tunnels ($(secs "$(ms_since "$t0")") s)"
else
	ktap_fail "vpnrtd brings up the three tunnels"
	gwctl conn show 2>&1 | sed 's/^/#   /'
	vpnrtd_dump_log 40
	ike_dump_log "$gw" 20
	ktap_finish
fi
T_TUNNELS=$(ms_since "$t0")

want_addrs="xfrm1 169.254.10.1/30 proto=$VPNRT_PROTO,xfrm2 169.254.20.1/30 proto=$VPNRT_PROTO,xfrm3 169.254.30.1/30 proto=$VPNRT_PROTO,xfrm9 169.254.40.1/30 proto=$VPNRT_PROTO,xfrm9 169.254.99.1/30 proto=0"
check_until "inside addresses: each tunnel's local-ip/30 on its device marked ours (IFA_PROTO $VPNRT_PROTO), ike: none xfrm9 too; the operator's 169.254.99.1/30 kept, the stale 169.254.77.1/30 of ours removed" \
	10 "$want_addrs" inside_addrs
check "vpnrtd logged each address it added and the one it removed" \
	bash -c "grep -q 'added BGP inside address 169.254.10.1/30 to xfrm1' '$D/vpnrtd.log' &&
		grep -q 'added BGP inside address 169.254.40.1/30 to xfrm9' '$D/vpnrtd.log' &&
		grep -q 'removed BGP inside address 169.254.77.1/30 from xfrm9' '$D/vpnrtd.log' &&
		! grep -q '169.254.99.1' '$D/vpnrtd.log'"
for k in 1 2 3; do
	check "gw reaches dc$k's inside address 169.254.${k}0.2 through xfrm$k" \
		ip netns exec "$gw" ping -n -q -c 1 -W 5 -I xfrm$k 169.254.${k}0.2
done

# ---- sessions ----
NOSPEAKER=0
grep -q 'no session is started' "$D/vpnrtd.log" && NOSPEAKER=1
if [ $NOSPEAKER = 1 ]; then
	echo "# vpnrtd says it starts no BGP session yet: the BGP checks below must fail"
	# the tunnel carries the peer's TCP to the gateway, where nothing
	# listens: refused at once, not a timeout
	check "no speaker: dc1's TCP to 169.254.10.1:179 goes through the tunnel and is refused" \
		ip netns exec "$dc1" bash -c \
		'out=$(timeout 5 bash -c "exec 3<>/dev/tcp/169.254.10.1/179" 2>&1); [[ $out == *"refused"* ]]'
	st=$(states)
	check "no speaker: the peers stay un-Established ($st)" \
		bash -c "[[ '$st' != *Established* && '$st' != *Down* ]]"
fi
t0=$EPOCHREALTIME
n_est=0
for p in dc1 dc2 dc3; do
	kind=${BGP_KIND[$p]}
	w=15
	[ $p = dc1 ] && w=40
	[ $NOSPEAKER = 1 ] && w=10
	[ $p != dc1 ] && [ $n_est = 0 ] && w=2
	if bgp_peer_wait_established $p $w 2>/dev/null; then
		ktap_ok "$kind in $p: session with vpnrtd Established over the tunnel ($(secs "$(ms_since "$t0")") s after the tunnels)"
		n_est=$((n_est + 1))
	else
		ktap_fail "$kind in $p: session with vpnrtd Established over the tunnel (state $(bgp_peer_state $p))"
		bgp_dump_log $p 15
	fi
done
if [ $n_est = 0 ]; then
	WAIT_CAP=2
	echo "# no session came up: every wait below is cut to $WAIT_CAP s"
	vpnrtd_dump_log 30
fi

# what vpnrtd shows of its peers, if it has the command yet
BGPSHOW=0
if bs=$(agentctl -j bgp show 2>&1) && jq -e . >/dev/null 2>&1 <<<"$bs"; then
	BGPSHOW=1
	echo "# vpnrtctl -j bgp show:"
	jq -c '.[]? // .' <<<"$bs" 2>/dev/null | head -n 8 | sed 's/^/#   /'
else
	echo "# vpnrtctl bgp show does not answer yet: ${bs:0:200}"
fi

# ---- learned routes: vpnrt, the VPC table, traffic ----
want_vr="172.16.1.0/24@dc1 172.16.11.0/24@dc1 172.16.2.0/24@dc2 172.16.22.0/24@dc2 172.16.3.0/24@dc3 172.16.44.0/24@dc3"
check_until "the peers' routes in vpnrt, proto bgp, each with its connection (4-octet AS 4200000001's too; all three sessions with TCP MD5)" \
	30 "$want_vr" vr_bgp
want_vpc="172.16.1.0/24@vpngw0 172.16.11.0/24@vpngw0 172.16.2.0/24@vpngw0 172.16.22.0/24@vpngw0 172.16.3.0/24@vpngw0 172.16.44.0/24@vpngw0"
check_until "the same routes in the VPC table (main, proto $VPNRT_PROTO) via vpngw0" \
	10 "$want_vpc" vpc_routes
for k in 1 2 3; do
	check "vpc reaches 172.16.$k.1 (dc$k) by the learned route" \
		ip netns exec "$vpc" ping -n -q -c 1 -W 5 172.16.$k.1
done

# ---- import rules ----
check_eq "BIRD does send 0.0.0.0/0 and 100.64.1.0/24 to vpnrtd" "0.0.0.0/0 100.64.1.0/24" \
	"$(_bgp_birdc dc1 show route export peer | awk '$1 ~ /^(0\.0\.0\.0\/0|100\.64\.)/ { print $1 }' | sort | paste -sd' ')"
check_eq "import-deny: neither 0.0.0.0/0 nor 100.64.1.0/24 is in vpnrt" "" \
	"$(gwctl -j route show | jq -r '[.[] | select(.prefix == "0.0.0.0/0" or (.prefix | startswith("100.64.")))] | map(.prefix) | join(" ")')"
check_eq "import-deny: the gw has no default route and nothing in 100.64.0.0/10" "" \
	"$(ip -n "$gw" -j route show table all | jq -r '[.[] | select(.dst == "default" or (.dst | startswith("100.64.")))] | map(.dst) | join(" ")')"
if [ $BGPSHOW = 1 ]; then
	check "bgp show: dc1's peer counts 2 routes refused" \
		bash -c "agentctl -j bgp show dc1 | jq -e '[.. | objects | select(has(\"refused\")) | .refused] | any(. == 2)'"
fi

# ---- what the peers receive: the gateway's prefixes, split horizon ----
# peer_diag K: what the peer and vpnrtd say of dc K's session
peer_diag() {
	case $1 in
	1) _bgp_birdc dc1 show protocols all peer | grep -E 'BGP state|Routes:|Neighbor caps|Session:' ;;
	2) _bgp_vtysh dc2 -c "show bgp neighbors 169.254.20.1 json" |
		jq -c '.[] | {bgpState, messageStats, addressFamilyInfo}' ;;
	3) _bgp_gobgp dc3 neighbor 169.254.30.1 | grep -E -A6 'BGP state|Message statistics' ;;
	esac 2>&1 | head -n 12 | sed 's/^/#   peer: /'
	grep -E "bgp dc$1/|advertis|graceful|End-of-RIB" "$D/vpnrtd.log" | head -n 25 | sed 's/^/#   vpnrtd: /'
}
for k in 1 2 3; do
	want="10.10.0.0/16 next_hop=169.254.${k}0.1 as_path=65546 | 10.20.0.0/24 next_hop=169.254.${k}0.1 as_path=65546"
	check_until "${BGP_KIND[dc$k]} in dc$k has the advertise prefixes, next hop 169.254.${k}0.1, AS path 65546 (asdot 1.10)" \
		15 "$want" peer_rib dc$k || peer_diag $k
done
# the routes of the other data centres were learned above; give them
# time to leak before looking
bgp_nap 3
for k in 1 2 3; do
	check_eq "split horizon: dc$k receives nothing learned from the other data centres" \
		"10.10.0.0/16 10.20.0.0/24" "$(peer_prefixes dc$k)"
done

# ---- withdrawals and announcements at run time: one by each peer ----
bgp_peer_withdraw dc1 172.16.11.0/24
bgp_peer_withdraw dc2 172.16.22.0/24
bgp_peer_withdraw dc3 172.16.44.0/24
bgp_peer_announce dc3 172.16.33.0/24
ANNOUNCE=([1]="172.16.1.0/24,0.0.0.0/0,100.64.1.0/24" [2]="172.16.2.0/24"
	[3]="172.16.3.0/24,172.16.33.0/24")
check_until "BIRD withdraws 172.16.11.0/24, FRR 172.16.22.0/24, GoBGP 172.16.44.0/24 (and announces 172.16.33.0/24): vpnrt follows" 15 \
	"172.16.1.0/24@dc1 172.16.2.0/24@dc2 172.16.3.0/24@dc3 172.16.33.0/24@dc3" vr_bgp
check_until "... and so does the VPC table" 10 \
	"172.16.1.0/24@vpngw0 172.16.2.0/24@vpngw0 172.16.3.0/24@vpngw0 172.16.33.0/24@vpngw0" vpc_routes

# ---- route refresh ----
frr_stat() {
	_bgp_vtysh dc2 -c "show bgp neighbors 169.254.20.1 json" 2>/dev/null |
		jq -r ".[\"169.254.20.1\"].messageStats.$1 // empty"
}
# bird_stat Import|Export: BIRD's "updates received" count of that direction
bird_stat() {
	_bgp_birdc dc1 show protocols all peer 2>/dev/null |
		awk -v d="$1" '$1 == d && $2 == "updates:" { print $3 }'
}
# above JSON NAME BEFORE...: "yes" once each named counter of JSON (a
# jq path below it) is above its value before, else what it is
above() {
	local st=$1 k v out=yes
	shift
	while [ $# -gt 0 ]; do
		k=$1 v=$2
		shift 2
		[ "$(jq -r ".$k // 0" <<<"$st")" -gt "${v:-0}" ] 2>/dev/null || out="$k=$(jq -r ".$k // 0" <<<"$st") (was $v)"
	done
	echo "$out"
}
frr_more() {
	above "$(_bgp_vtysh dc2 -c "show bgp neighbors 169.254.20.1 json" 2>/dev/null |
		jq -c '.["169.254.20.1"].messageStats')" "$@"
}
# GoBGP's message counters: {received: {update, refresh, ...}, sent: {...}}
# (a zero counter is left out)
gobgp_msgs() {
	_bgp_gobgp dc3 -j neighbor 169.254.30.1 2>/dev/null | jq -c '.state.messages'
}
gobgp_more() {
	above "$(gobgp_msgs)" "$@"
}
gobgp_stat() {
	gobgp_msgs | jq -r ".$1 // 0"
}
# bird_more DIR BEFORE MIN: "yes" once BIRD's DIR updates are MIN above BEFORE
bird_more() {
	local n
	n=$(bird_stat "$1")
	[ "${n:-0}" -ge $((${2:-0} + $3)) ] 2>/dev/null && echo yes || echo "$1 updates received $n (was $2)"
}
u0=$(frr_stat updatesRecv) r0=$(frr_stat routeRefreshSent) b0=$(bird_stat Import)
check_nonempty "FRR's message counters before the refresh ($u0 UPDATEs received)" "$u0"
check_nonempty "BIRD's import counter before the refresh ($b0)" "$b0"
# the three at once; GoBGP 3.10's softresetin sends no ROUTE-REFRESH (it
# runs its own Adj-RIB-In through its import policy again): what is
# checked of it is that its RIB is intact
bgp_peer_refresh dc2
bgp_peer_refresh dc1
bgp_peer_refresh dc3
check_until "FRR sends ROUTE-REFRESH (clear soft in): vpnrtd sends its routes again (more UPDATEs)" 20 \
	yes frr_more routeRefreshSent "$r0" updatesRecv "$u0"
check_until "BIRD sends ROUTE-REFRESH (reload in): it receives vpnrtd's 2 routes again" 20 \
	yes bird_more Import "$b0" 2
# whatever the peers had before, vpnrtd has answered the refreshes now
for k in 1 2 3; do
	check_until "after the refresh ${BGP_KIND[dc$k]} in dc$k holds exactly the advertise prefixes, next hop 169.254.${k}0.1 (split horizon)" \
		15 "10.10.0.0/16 next_hop=169.254.${k}0.1 as_path=65546 | 10.20.0.0/24 next_hop=169.254.${k}0.1 as_path=65546" \
		peer_rib dc$k
done
check_eq "the refreshes change no route in vpnrt" \
	"172.16.1.0/24@dc1 172.16.2.0/24@dc2 172.16.3.0/24@dc3 172.16.33.0/24@dc3" "$(vr_bgp)"
# vpnrtd asks each peer: they send their routes again
rr0=$(frr_stat routeRefreshRecv) us0=$(frr_stat updatesSent) e0=$(bird_stat Export)
gr0=$(gobgp_stat received.refresh) gu0=$(gobgp_stat sent.update)
check_nonempty "BIRD's export counter before vpnrtctl bgp refresh ($e0)" "$e0"
for k in 1 2 3; do
	out=$(agentctl bgp refresh dc$k 2>&1) || ktap_fail "vpnrtctl bgp refresh dc$k: ${out:0:200}"
done
check_until "vpnrtctl bgp refresh dc1: BIRD feeds its exports to vpnrtd again (its Export updates rise)" 10 \
	yes bird_more Export "$e0" 1
check_until "vpnrtctl bgp refresh dc2: FRR receives a ROUTE-REFRESH and sends its routes again" 10 \
	yes frr_more routeRefreshRecv "$rr0" updatesSent "$us0"
check_until "vpnrtctl bgp refresh dc3: GoBGP receives a ROUTE-REFRESH and sends its routes again" 10 \
	yes gobgp_more received.refresh "$gr0" sent.update "$gu0"
check_eq "vpnrtd's refreshes change no route in vpnrt" \
	"172.16.1.0/24@dc1 172.16.2.0/24@dc2 172.16.3.0/24@dc3 172.16.33.0/24@dc3" "$(vr_bgp)"

# ---- MD5, with each peer at once ----
ALL_VR="172.16.1.0/24@dc1 172.16.2.0/24@dc2 172.16.3.0/24@dc3 172.16.33.0/24@dc3"
# est_all SECS: until the three peers are Established (true) or SECS
# passed; how long each took in EST_MS[K] (unset: not Established)
est_all() {
	local s=$1 end t0=$EPOCHREALTIME k n
	[ "$s" -gt "$WAIT_CAP" ] && s=$WAIT_CAP
	end=$((SECONDS + s))
	EST_MS=()
	while :; do
		n=0
		for k in 1 2 3; do
			[ -n "${EST_MS[$k]:-}" ] ||
				[ "$(bgp_peer_state dc$k)" != Established ] || EST_MS[$k]=$(ms_since "$t0")
			[ -n "${EST_MS[$k]:-}" ] && n=$((n + 1))
		done
		[ $n = 3 ] && return 0
		[ $SECONDS -ge $end ] && return 1
		bgp_nap 0.3
	done
}
# est_report WHAT: a KTAP line per peer from est_all's EST_MS
est_report() {
	local k
	for k in 1 2 3; do
		if [ -n "${EST_MS[$k]:-}" ]; then
			ktap_ok "$1: ${BGP_KIND[dc$k]} in dc$k Established ($(secs "${EST_MS[$k]}") s)"
		else
			ktap_fail "$1: ${BGP_KIND[dc$k]} in dc$k Established (state $(bgp_peer_state dc$k))"
			bgp_dump_log dc$k 10
		fi
	done
}
# md5_fail: TCPMD5Failure of the gw and of dc1, dc2, dc3
md5_fail() {
	echo "$(tcpext "$gw" TCPMD5Failure) $(tcpext "$dc1" TCPMD5Failure) $(tcpext "$dc2" TCPMD5Failure) $(tcpext "$dc3" TCPMD5Failure)"
}
# md5_rose BEFORE: "yes" once every netns counts more MD5 failures than
# BEFORE (its md5_fail), else the counters
md5_rose() {
	local now i out=yes
	read -r -a now <<<"$(md5_fail)"
	for i in 0 1 2 3; do
		[ "${now[$i]:-0}" -gt "${BEFORE_MD5[$i]:-0}" ] 2>/dev/null || out="gw dc1 dc2 dc3: ${now[*]} (was ${BEFORE_MD5[*]})"
	done
	echo "$out"
}
check_eq "MD5: BIRD, FRR and GoBGP, each with the same key as vpnrtd, are Established" \
	"Established Established Established" "$(states)"
read -r -a BEFORE_MD5 <<<"$(md5_fail)"
fu0=$(tcpext "$gw" TCPMD5Unexpected)
bgp_peers_restart "md5 test" start_dc "with another MD5 key" \
	wrong-md5-key-1 wrong-md5-key-2 wrong-md5-key-3
check_until "the three stopped (Cease) and restarted with other MD5 keys: their routes leave vpnrt" 15 \
	"" vr_bgp
bgp_nap 8
for k in 1 2 3; do
	s=$(bgp_peer_state dc$k)
	check "MD5 mismatch: ${BGP_KIND[dc$k]} in dc$k not Established 8 s after its restart ($s)" \
		test "$s" != Established
done
# the peers' SYNs are refused at the gw, vpnrtd's (ConnectRetry 5 s) in
# each dc
check_until "MD5 mismatch: segments signed with the other key are dropped: TCPMD5Failure rises at the gw (the peers' connects) and in dc1, dc2, dc3 (vpnrtd's)" \
	7 yes md5_rose
echo "# MD5 mismatch: TCPMD5Failure gw dc1 dc2 dc3: ${BEFORE_MD5[*]} -> $(md5_fail)"
check_eq "MD5 mismatch: vpnrtd's listening socket has each peer's key (no TCPMD5Unexpected at the gw)" \
	"${fu0:-x}" "$(tcpext "$gw" TCPMD5Unexpected)"
check_eq "MD5 mismatch: no route of theirs in vpnrt" "" "$(vr_bgp)"
bgp_peers_restart "md5 test" start_dc "with the right MD5 key" \
	"${MD5[1]}" "${MD5[2]}" "${MD5[3]}"
est_all 30
est_report "MD5 match again"
check_until "their routes back in vpnrt" 15 "$ALL_VR" vr_bgp

# ---- hold timer: the three ESP paths die, IKE stays up (no DPD on the
# gw), no health check: hold 9 s (BIRD) and 15 s (FRR, GoBGP) ----
check_eq "the three Established before their paths die" \
	"Established Established Established" "$(states)"
blog=$(wc -l <"$BGP_DIR/dc1.log")
mark=$(log_mark)
t0=$EPOCHREALTIME
# nothing a dc sends reaches the gw any more (ESP and IKE alike); the gw
# sends no DPD, so its IKE SAs stay up
for k in 1 2 3; do
	ga=GW$k ns=dc$k
	ip -n "${!ns}" route add blackhole "${!ga}/32"
done
# the time each connection's routes leave vpnrt, in GONE_MS[K]
GONE_MS=()
end=$((SECONDS + 30))
while :; do
	vr=$(vr_bgp) n=0
	for k in 1 2 3; do
		[ -n "${GONE_MS[$k]:-}" ] || [[ $vr == *@dc$k* ]] || GONE_MS[$k]=$(ms_since "$t0")
		[ -n "${GONE_MS[$k]:-}" ] && n=$((n + 1))
	done
	[ $n = 3 ] || [ $SECONDS -ge $end ] && break
	bgp_nap 0.3
done
# the last KEEPALIVE came up to a third of the hold time before the path
# died; polls cost about a second on a loaded host
for k in 1 2 3; do
	hold=15 lo=9500 hi=20000
	[ $k = 1 ] && hold=9 lo=5500 hi=14000
	if [ -n "${GONE_MS[$k]:-}" ]; then
		ktap_ok "hold timer: dc$k's routes leave vpnrt $(secs "${GONE_MS[$k]}") s after its path died"
		check "hold timer: for dc$k that is its hold time ($hold s, the last KEEPALIVE up to $((hold / 3)) s before): $(secs $lo)..$(secs $hi) s" \
			test "${GONE_MS[$k]}" -ge $lo -a "${GONE_MS[$k]}" -le $hi
	else
		ktap_fail "hold timer: dc$k's routes leave vpnrt within 30 s of its path dying"
		echo "#   vpnrt: $vr"
	fi
done
check_eq "hold timer: the three tunnels are still IKE-up in the kernel (not what took the sessions down)" \
	"up up up" "$(gwctl -j conn show | jq -r '[.[] | select(.name | startswith("dc")) | .tunnels[0].ike] | join(" ")')"
check_until "hold timer: their routes leave the VPC table too" 10 "" vpc_routes
for k in 1 2 3; do
	check "hold timer: vpnrtd logs dc$k's expiry" \
		bash -c "tail -n +$((mark + 1)) '$D/vpnrtd.log' | grep -qi 'dc$k/.*hold timer expired'"
done
# the peers' own hold timers ran out too
no_est() {
	local st
	st=$(states)
	[[ $st == *Established* ]] && echo "$st" || echo none
}
check_until "hold timer: none of the peers is Established any more (their hold timers too)" 10 \
	none no_est
check "hold timer: BIRD's log says Hold timer expired (its own, or vpnrtd's NOTIFICATION)" \
	bash -c "tail -n +$((blog + 1)) '$BGP_DIR/dc1.log' | grep -q 'Hold timer expired'"
for k in 1 2 3; do
	ga=GW$k ns=dc$k
	ip -n "${!ns}" route del blackhole "${!ga}/32"
done
est_all 40
est_report "path back"
check_until "path back: their routes in vpnrt again" 15 "$ALL_VR" vr_bgp
if [ $BGPSHOW = 1 ]; then
	echo "# bgp show at the end:"
	agentctl bgp show 2>&1 | head -n 30 | sed 's/^/#   /'
fi

# ---- advertise-table, and vpc-table changed by a reload ----
# table 100 has a route of the operator's (announced) and one through
# the gateway device (never announced: learned routes live there)
ip -n "$gw" -batch - <<EOB || ktap_fail "routes of table 100"
route add 10.30.0.0/24 dev v0 table 100
route add 10.31.0.0/24 dev vpngw0 table 100
EOB
python3 - "$CONF" <<'EOS'
import sys
f = sys.argv[1]
t = open(f).read()
a = "      advertise: [10.10.0.0/16, 10.20.0.0/24]\n"
t = t.replace(a, a + "      advertise-table: 100\n      vpc-table: 101\n", 1)
open(f, "w").write(t)
EOS
check "agent reload with advertise-table: 100, vpc-table: 101" agentctl agent reload
# adv_want K PFX...: dc K's RIB holding exactly PFX..., next hop the tunnel's local-ip
adv_want() {
	local k=$1 p out=
	shift
	for p in "$@"; do
		out+="${out:+ | }$p next_hop=169.254.${k}0.1 as_path=65546"
	done
	echo "$out"
}
for k in 1 2 3; do
	check_until "advertise-table 100: ${BGP_KIND[dc$k]} in dc$k gets 10.30.0.0/24 (not 10.31.0.0/24, via vpngw0), next hop 169.254.${k}0.1" \
		15 "$(adv_want $k 10.10.0.0/16 10.20.0.0/24 10.30.0.0/24)" peer_rib dc$k
done
learned="172.16.1.0/24@vpngw0 172.16.2.0/24@vpngw0 172.16.3.0/24@vpngw0 172.16.33.0/24@vpngw0"
check_until "vpc-table 101: the learned routes move to table 101" 10 "$learned" vpc_routes 101
check_eq "vpc-table 101: ... and leave main" "" "$(vpc_routes)"
ip -n "$gw" -batch - <<EOB || ktap_fail "table 100 changed"
route add 10.32.0.0/24 dev v0 table 100
route del 10.30.0.0/24 dev v0 table 100
EOB
for k in 1 3; do
	check_until "advertise-table followed live: dc$k gets 10.32.0.0/24 and loses 10.30.0.0/24" \
		15 "$(adv_want $k 10.10.0.0/16 10.20.0.0/24 10.32.0.0/24)" peer_rib dc$k
done
sed -i 's/^      vpc-table: 101$/      vpc-table: none/' "$CONF"
check "agent reload with vpc-table: none" agentctl agent reload
check_until "vpc-table none: vpnrtd's routes leave table 101" 10 "" vpc_routes 101
check_eq "vpc-table none: the learned routes stay in vpnrt" \
	"172.16.1.0/24@dc1 172.16.2.0/24@dc2 172.16.3.0/24@dc3 172.16.33.0/24@dc3" "$(vr_bgp)"
check_eq "vpc-table none: the operator's routes of table 100 are untouched" \
	"10.31.0.0/24@vpngw0 10.32.0.0/24@v0" \
	"$(ip -n "$gw" -j route show table 100 | jq -r '[.[] | "\(.dst)@\(.dev)"] | sort | join(" ")')"

# ---- a health check takes dc3's tunnel down: its BGP routes stop
# carrying at once, the session (hold time 15 s) is not waited for ----
# the kernel's probe over the inside addresses, added by a reload (in
# place: the tunnel's SAs and session are not touched)
python3 - "$CONF" <<'EOS'
import sys
f = sys.argv[1]
t = open(f).read()
b = "                  peer-asn: 4200000001, md5: \"dc3-md5-key\", hold-time: 15}\n"
assert b in t
t = t.replace(b, b + "            health: {dst: 169.254.30.2, src: 169.254.30.1, interval: 1s, retries: 2}\n", 1)
open(f, "w").write(t)
EOS
check "agent reload adding dc3's health check" agentctl agent reload
bgp_peer_announce dc2 172.16.99.0/24
bgp_peer_announce dc3 172.16.99.0/24
# "CONN REASON" of route get for 172.16.99.1
rg99() {
	gwctl -j route get 172.16.99.1 gateway vpngw0 2>&1 | jq -r '"\(.conn) \(.reason)"' 2>&1
}
rg99_ecmp() { rg99 | awk '{ print $2 }'; }
check_until "172.16.99.0/24 from FRR (dc2) and GoBGP (dc3), equal paths: ECMP in the kernel" 15 \
	ecmp rg99_ecmp
dc3_state() {
	gwctl -j conn show dc3 | jq -r '.[0].tunnels[0] | "\(.state) \(.health.state // "none")"'
}
check_until "dc3's tunnel is up, its new health check too" 10 "up up" dc3_state
check_eq "... and its session was not touched by the reload" Established "$(bgp_peer_state dc3)"
t0=$EPOCHREALTIME
ip -n "$dc3" route add blackhole $GW3/32
# the one usable route left of two equal ones: reason "prefix" (failover
# is for a better route being unusable)
if until_eq 10 "dc2 prefix" rg99; then
	ktap_ok "dc3's path dies: 172.16.99.0/24 goes to dc2 alone after $(secs "$TOOK_MS") s (probes 1 s, 2 lost: down)"
else
	ktap_fail "dc3's path dies: 172.16.99.0/24 goes to dc2 alone within 10 s (got: $GOT)"
	echo "#   dc3: $(dc3_state)"
fi
check_eq "... while dc3's BGP session is still Established (hold time 15 s not run out)" \
	Established "$(bgp_peer_state dc3)"
check_eq "... and dc3's routes are still in vpnrt: the kernel stopped using them" \
	"172.16.1.0/24@dc1 172.16.2.0/24@dc2 172.16.3.0/24@dc3 172.16.33.0/24@dc3 172.16.99.0/24@dc2 172.16.99.0/24@dc3" \
	"$(vr_bgp)"
ip -n "$dc3" route del blackhole $GW3/32
check_until "dc3's path back: its probes answered, ECMP again" 15 ecmp rg99_ecmp
check_eq "the session never went down" Established "$(bgp_peer_state dc3)"

# ---- IKE takes dc2's tunnel down: its session stops and its routes go at
# once, the hold time (15 s) is not waited for; vpnrtd initiates again ----
ip netns exec "$gw" env VPNRTD_CONTROL="$VPNRTD_DIR/vpnrtd.sock" "$VPNRTCTL" monitor \
	>"$D/mon-ike" 2>&1 &
monpid=$!
check "vpnrtctl monitor is listening" monitor_ready "$D/mon-ike" dc1
# the monitor keeps what a quick re-initiation would hide from a poll
ike_out() {
	local r=no s=no
	grep -q '^route del 172\.16\.2\.0/24 conn dc2 ' "$D/mon-ike" && r=yes
	grep -q '^bgp state dc2/.* Established -> ' "$D/mon-ike" && s=yes
	echo "routes deleted $r, session ended $s"
}
t0=$EPOCHREALTIME
mark=$(log_mark)
ike_swanctl "$dc2" --terminate --ike gw --timeout 30 >/dev/null 2>&1
check_until "dc2 deletes its IKE SA: dc2's routes deleted from vpnrt and its session ended within 10 s (hold time 15 s)" \
	10 "routes deleted yes, session ended yes" ike_out
[ "$GOT" = "routes deleted yes, session ended yes" ] || sed 's/^/#   mon: /' "$D/mon-ike" | tail -n 15
check "... by the tunnel going down, not by dc2's hold timer (vpnrtd's log)" \
	bash -c "! tail -n +$((mark + 1)) '$D/vpnrtd.log' | grep -qi 'dc2/.*hold timer expired'"
check_until "vpnrtd initiates dc2's tunnel again: FRR Established, its routes back" 60 \
	"172.16.1.0/24@dc1 172.16.2.0/24@dc2 172.16.3.0/24@dc3 172.16.33.0/24@dc3 172.16.99.0/24@dc2 172.16.99.0/24@dc3" vr_bgp
kill "$monpid" 2>/dev/null
wait "$monpid" 2>/dev/null

# ---- inside addresses over time ----
ip -n "$gw" addr del 169.254.10.1/30 dev xfrm1
check_until "169.254.10.1/30 deleted by hand: vpnrtd puts it back (address event)" 5 \
	"$want_addrs" inside_addrs
# lab's bgp: goes away; the operator's address on its device stays
cp "$CONF" "$D/full.yaml"
python3 - "$CONF" <<'EOS'
import sys
f = sys.argv[1]
t = open(f).read()
i = t.index("      - name: lab")
t = t[:i] + "      - name: lab\n        tunnels:\n          - {ike: none, device: xfrm9}\n"
open(f, "w").write(t)
EOS
check "agent reload without lab's bgp:" agentctl agent reload
want_addrs2="xfrm1 169.254.10.1/30 proto=$VPNRT_PROTO,xfrm2 169.254.20.1/30 proto=$VPNRT_PROTO,xfrm3 169.254.30.1/30 proto=$VPNRT_PROTO,xfrm9 169.254.99.1/30 proto=0"
check_until "lab's inside address 169.254.40.1/30 removed, the operator's 169.254.99.1/30 kept" 10 \
	"$want_addrs2" inside_addrs
# a monitor across the restart: kernel events all along, and vpnrtd's
# BGP events again once it is back (it asks every second)
ip netns exec "$gw" env VPNRTD_CONTROL="$VPNRTD_DIR/vpnrtd.sock" "$VPNRTCTL" monitor \
	>"$D/mon" 2>"$D/mon.err" &
monpid=$!
check "vpnrtctl monitor (kernel and BGP events) is listening" monitor_ready "$D/mon" dc1
mon0=$(wc -l <"$D/mon")
kill -TERM "$VPNRTD_PID"
wait "$VPNRTD_PID"
check_eq "vpnrtd stops on SIGTERM" 0 $?
mark=$(log_mark)
vpnrtd_start
end=$((SECONDS + 30))
until agentctl -j agent show 2>/dev/null | jq -e '.in_sync == true' >/dev/null; do
	[ $SECONDS -lt $end ] || break
	bgp_nap 0.5
done
check_until "after the restart: the three sessions Established again" 30 \
	"Established Established Established" states
# the "-> Established" lines the monitor saw from the new vpnrtd: the
# sessions may come up before the monitor is back (it asks every
# second), so these are only shown
mon_back() {
	tail -n +$((mon0 + 1)) "$D/mon" |
		awk '/^bgp state .* -> Established/ { split($3, a, "/"); print a[1] }' | sort -u | xargs
}
echo "# monitor across the restart: Established seen for: $(mon_back)"
# once the stream is back for good, a reset of dc1's session must reach
# the same monitor: its way down and up again
stream_back() {
	local e b
	e=$(grep -c 'event stream ended' "$D/mon.err")
	b=$(grep -c 'event stream is back' "$D/mon.err")
	[ "$e" -ge 1 ] && [ "$b" -ge "$e" ] && echo yes || echo "ended $e, back $b"
}
check_until "monitor: it said the stream ended and came back" 15 yes stream_back
bgp_nap 1
mon1=$(wc -l <"$D/mon")
out=$(agentctl bgp reset dc1 2>&1) || echo "# vpnrtctl bgp reset dc1: ${out:0:200}"
mon_dc1() {
	tail -n +$((mon1 + 1)) "$D/mon" | awk '
		/^bgp state dc1\/.* Established -> / { d = 1 }
		/^bgp state dc1\/.* -> Established/ && d { u = 1 }
		END { print (d ? "down" : "no down") ", " (u ? "up" : "no up") }'
}
check_until "monitor after the restart: vpnrtd's BGP events again (dc1's session reset: down and Established again)" 20 \
	"down, up" mon_dc1
kill "$monpid" 2>/dev/null
wait "$monpid" 2>/dev/null
[ $ktap_failed = 0 ] || sed 's/^/#   mon: /' "$D/mon.err" | head -n 5
check_eq "restart with the same config: the inside addresses are as they were" \
	"$want_addrs2" "$(inside_addrs)"
check "restart: vpnrtd added and removed no address" \
	bash -c "! tail -n +$((mark + 1)) '$D/vpnrtd.log' | grep -E 'BGP inside address'"

echo "# times: tunnels up $(secs "$T_TUNNELS") s after the start; whole test $(secs "$(ms_since "$t_start")") s"
[ $ktap_failed = 0 ] || vpnrtd_dump_log 60
ktap_finish
