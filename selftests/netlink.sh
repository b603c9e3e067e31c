#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The netlink ABI of Documentation/netlink.rst at the level of messages,
# with requests vpnrtctl never sends: do requests of dump-only and
# event-only commands (EOPNOTSUPP), objects and routes missing
# ("<object> attributes missing", NLMSGERR_ATTR_MISS_TYPE), ROUTE_DEL all
# or none ("route K: same as route J"), GW_SET and CONN_SET all or nothing
# and the attributes CONN_SET refuses, messages cut at 79 characters,
# strict dump requests, no route events with CONN_DEL, GW_DEL and ip link
# del, GW_NEW events of ip link add, the lowest free conn id, no
# NLM_F_DUMP_INTR for state and counter changes, owners (given at creation,
# fixed), IKE state per tunnel (by position or ifindex, the conn-level
# state setting every tunnel's) and tunnels rebound to other devices
# (after a delete and re-create, health check kept), with their
# rejections, and `vpnrtctl -V`.
#
# Each rejection is checked for its errno, message and attribute, and the
# gateways, connections and routes dumped after it must equal those
# before it, with no event. selftests/netlink.py does the requests, in
# one python process (starts cost seconds under TCG), and prints its
# results as records that become the checks here.
. "$(dirname "$0")/lib.sh"

require_root
require_cmd ip python3
require_ynl
python3 -c 'import yaml' 2>/dev/null || fail_all "needs python3-yaml"
spec=$VPNRT_TOP/Documentation/netlink/vpnrt.yaml

setup_ns ns || fail_all "cannot create a netns"
vpnrt_load || fail_all "cannot load vpnrt.ko"
for i in $(seq 1 14); do
	echo "link add xfrm$i type xfrm if_id $i"
	echo "link set xfrm$i up"
done | ip -n "$ns" -batch - || fail_all "cannot create xfrm1..xfrm14"

res=$(mktemp) && err=$(mktemp) || fail_all "mktemp"
trap 'rm -f "$res" "$err"; cleanup_ns' EXIT
ip netns exec "$ns" python3 "$SELFTEST_DIR/netlink.py" --spec "$spec" \
	>"$res" 2>"$err"
rc=$?

family_version=
while IFS= read -r -d '' kind && IFS= read -r -d '' what &&
	IFS= read -r -d '' a && IFS= read -r -d '' b; do
	case $kind in
	eq) check_eq "$what" "$a" "$b" ;;
	nonempty) check_nonempty "$what" "$a" ;;
	var) printf -v "$what" '%s' "$a" ;;
	*) ktap_fail "netlink.py printed a record of kind \"$kind\"" ;;
	esac
done <"$res"
check_eq "netlink.py ran to its end" 0 "$rc"
[ $rc = 0 ] || sed 's/^/#   /' "$err" | tail -n 20

check_nonempty "the family's version from the genl controller" "$family_version"
check_eq "vpnrtctl -V: its version and the family's (ABI) version" \
	"vpnrtctl X (netlink ABI version $family_version)" \
	"$("$VPNRTCTL" -V 2>&1 | sed -E 's/^vpnrtctl [0-9A-Za-z][0-9A-Za-z.+~-]* /vpnrtctl X /')"

ktap_finish
