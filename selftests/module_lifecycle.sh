#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vpnrt.ko loads, registers its generic netlink family (seen from userspace
# through both iproute2's genl and vpnrtctl, in the initial and in a new
# netns), and unloads leaving nothing behind; three times over.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd genl ip

setup_ns ns1 || { echo "# cannot create netns"; exit $KSFT_FAIL; }

for round in 1 2 3; do
	check "round $round: insmod vpnrt.ko" vpnrt_load
	check "round $round: genl ctrl lists family vpnrt" \
		bash -c 'genl ctrl get name vpnrt | grep -q "Name: vpnrt"'
	check "round $round: family has multicast group events" \
		bash -c 'genl ctrl get name vpnrt | grep -A3 "multicast groups" | grep -q "name: events"'
	check "round $round: vpnrtctl resolves the family" \
		bash -c "'$VPNRTCTL' family show | grep -q '^family vpnrt id [0-9]* version 1 mcast events'"
	check "round $round: the family is visible in another netns" \
		ip netns exec "$ns1" "$VPNRTCTL" -j family show
	check "round $round: rmmod vpnrt" vpnrt_unload
	check_fail "round $round: family gone after rmmod" genl ctrl get name vpnrt
	check_fail "round $round: /sys/module/vpnrt gone" test -e /sys/module/vpnrt
done

json=$(vpnrt_load && "$VPNRTCTL" -j family show)
check_eq "JSON names the family and its version" \
	'"name":"vpnrt" "version":1' \
	"$(grep -o '"name":"vpnrt"\|"version":[0-9]*' <<<"$json" | tr '\n' ' ' | sed 's/ $//')"
vpnrt_unload
ktap_finish
