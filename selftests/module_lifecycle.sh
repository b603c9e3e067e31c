#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vpnrt.ko loads, registers its generic netlink family (seen from userspace
# through both iproute2's genl and vpnrtctl, in the initial and in a new
# netns), and unloads leaving nothing behind; three times over. A module
# left loaded by an earlier test is unloaded first, so that each round's
# insmod loads VPNRT_KO itself.
. "$(dirname "$0")/lib.sh"
require_root
for c in genl ip insmod rmmod; do
	command -v "$c" >/dev/null || { ktap_fail "needs $c"; ktap_finish; }
done

setup_ns ns1 || { ktap_fail "netns"; ktap_finish; }
check_nonempty "VPNRT_KO names the module under test" "${VPNRT_KO:-}"

check "an earlier test's vpnrt is unloaded" vpnrt_unload
check "vpnrt is not loaded before round 1" test ! -e /sys/module/vpnrt

for round in 1 2 3; do
	# insmod itself (not vpnrt_load): it fails if vpnrt is still loaded
	check "round $round: insmod vpnrt.ko" insmod "${VPNRT_KO:-}"
	check "round $round: /sys/module/vpnrt is live" \
		grep -qx live /sys/module/vpnrt/initstate
	check "round $round: genl ctrl lists family vpnrt" \
		bash -c 'genl ctrl get name vpnrt | grep -q "Name: vpnrt"'
	check "round $round: family has multicast group events" \
		bash -c 'genl ctrl get name vpnrt | grep -A3 "multicast groups" | grep -q "name: events"'
	check "round $round: vpnrtctl resolves the family" \
		bash -c "'$VPNRTCTL' family show | grep -q '^family vpnrt id [0-9]* version 1 mcast events'"
	check_eq "round $round: the family is visible in another netns" "vpnrt 1" \
		"$(ip netns exec "$ns1" "$VPNRTCTL" -j family show 2>&1 |
		   jq -r '"\(.name) \(.version)"' 2>&1)"
	check "round $round: rmmod vpnrt" rmmod vpnrt
	# genl's error for a family the kernel does not know (ENOENT)
	check_fail_msg "round $round: family gone after rmmod" \
		"RTNETLINK answers: No such file or directory" \
		genl ctrl get name vpnrt
	check "round $round: /sys/module/vpnrt gone" test ! -e /sys/module/vpnrt
done

# gateways per netns: the module parameter max_gateways, read at each add
Q1() { ip netns exec "$ns1" "$VPNRTCTL" "$@"; }
quota_msg="gateway quota of this netns reached (module parameter max_gateways 2)"
check "insmod with max_gateways=2" insmod "${VPNRT_KO:-}" max_gateways=2
check "two gateways in a netns (ip link, vpnrtctl)" bash -c \
	"ip -n '$ns1' link add q1 type vpnrt && ip netns exec '$ns1' '$VPNRTCTL' gateway add q2"
check_fail_msg "a third by ip link: the netns' quota" "$quota_msg" \
	ip -n "$ns1" link add q3 type vpnrt
check_fail_msg "a third by vpnrtctl: the same" "$quota_msg" Q1 gateway add q3
check "the initial netns has a quota of its own" bash -c \
	"ip link add q3 type vpnrt && ip link del q3"
check "one deleted: room for another" bash -c \
	"ip -n '$ns1' link del q1 && ip -n '$ns1' link add q1 type vpnrt"
check "raised to 3 at run time: a third" bash -c \
	"echo 3 >/sys/module/vpnrt/parameters/max_gateways && ip -n '$ns1' link add q3 type vpnrt"
check "rmmod with them" rmmod vpnrt
check_eq "they went with the module" "" \
	"$(ip -n "$ns1" -o link show 2>&1 | grep -o ' q[1-4][:@]')"

json=$(insmod "${VPNRT_KO:-}" && "$VPNRTCTL" -j family show)
check_eq "JSON names the family and its version" \
	'"name":"vpnrt" "version":1' \
	"$(grep -o '"name":"vpnrt"\|"version":[0-9]*' <<<"$json" | tr '\n' ' ' | sed 's/ $//')"
check "rmmod vpnrt at the end" rmmod vpnrt
ktap_finish
