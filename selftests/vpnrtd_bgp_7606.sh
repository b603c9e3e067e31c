#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RFC 7606 over the wire against a running vpnrtd, over an `ike: none`
# tunnel (an ipip device, no charon):
#
#   gw (vpngw0, vpnrtd, 169.254.10.1) --u1 / ipip1-- dc1 (169.254.10.2)
#
# Part 1, ExaBGP (a real peer, AS 65001): the malformed UPDATEs it can
# make, from selftests/bgp7606_exabgp.table, each on its own prefix
# 10.77.N.0/24 (announced well-formed first) followed by a well-formed
# sentinel 10.78.N.0/24. The handling comes from the matching case of
# selftests/bgp7606.table (its vpnrtd key, else expect). The cases that
# keep the session go in one batch, read back with one `bgp routes -j`,
# one `bgp show -j` and one kernel route dump: treat-as-withdraw removes
# the prefix (vpnrtd and kernel), ok and attribute-discard take the new
# announcement (MED 2; LOCAL_PREF from eBGP gone, AS_PATH untouched by an
# AS4_PATH), the sentinel arrives, the session never went down. The
# session-reset cases run one at a time: the NOTIFICATION code/subcode,
# then ExaBGP restarted without the case, the session back, the sentinel.
#
# Part 2, selftests/helpers/bgp_craft.py from dc1: the whole
# bgp7606.table over the wire, each case's outcome (up, reset C/S) and
# what vpnrtd's table holds for the case's prefixes afterwards, one TAP
# line a case.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ike_lib.sh"
. "$(dirname "$0")/bgp_lib.sh"

require_root
require_cmd jq ip python3 exabgp

TOP=$(cd "$(dirname "$0")/.." && pwd)
TABLE=$TOP/selftests/bgp7606.table
XTABLE=$TOP/selftests/bgp7606_exabgp.table
CRAFT=$TOP/selftests/helpers/bgp_craft.py

ike_init || fail_all "ike_init"
bgp_init || fail_all "bgp_init"
trap 'bgp_cleanup; ike_cleanup; cleanup_ns' EXIT
vpnrtd_init || fail_all "no vpnrtd"
D=$VPNRTD_DIR

# ---- the cases of part 1, resolved against bgp7606.table ----
# one line a case: NAME|HANDLING|RFC|ATTRS
python3 - "$TABLE" "$XTABLE" >"$D/xcases" <<'EOF' || fail_all "bgp7606_exabgp.table"
import sys, tomllib
t = {c["name"]: c for c in tomllib.load(open(sys.argv[1], "rb"))["case"]}
for ln in open(sys.argv[2]):
    f = ln.split("#")[0].split()
    if not f:
        continue
    name, ref, attrs = f[0], f[1], " ".join(f[2:])
    if ref.startswith("="):
        h, rfc = ref[1:].split(":", 1)
        rfc = rfc.replace("-", " ")
    else:
        if ref not in t:
            sys.exit("%s: no case %s in bgp7606.table" % (name, ref))
        h, rfc = t[ref].get("vpnrtd", t[ref]["expect"]), t[ref]["rfc"]
    print("%s|%s|%s|%s" % (name, h, rfc, attrs))
EOF

bgp_ipip_net -t 1 || fail_all "network"
vpnrt_load || fail_all "vpnrt.ko"

cat >"$CONF" <<EOC
gateways:
  - name: vpngw0
    quotas: {bgp-routes: 1000, peer-routes: 1000}
    bgp:
      local-asn: 65010
      advertise: [10.10.0.0/16]
      vpc-table: none
    connections:
      - name: dc1
        tunnels:
          - ike: none
            device: ipip1
            bgp: {tunnel-cidr: 169.254.10.0/30, local-ip: 169.254.10.1,
                  peer-asn: 65001, hold-time: 30}
EOC

bgp_peer_start exabgp "$dc1" dc1 local=169.254.10.2 peer=169.254.10.1 \
	local_as=65001 peer_as=65010 families=v4,v6 || fail_all "ExaBGP"
vpnrtd_start
t0=$EPOCHREALTIME
if bgp_peer_wait_established dc1 60; then
	ktap_ok "ExaBGP Established with vpnrtd over ipip1 ($(ms_since "$t0") ms)"
else
	ktap_fail "ExaBGP Established with vpnrtd (state $(bgp_peer_state dc1))"
	bgp_dump_log dc1 20
	vpnrtd_dump_log 40
	fail_all "no session"
fi

# ROUTES: vpnrtd's received routes of dc1 as "PFX status med local_pref
# as_path" lines; SHOW: dc1's peer in `bgp show -j`
ROUTES="" SHOW=""
read_routes() {
	ROUTES=$(agentctl -j bgp routes dc1 2>&1 | jq -r '.. | objects |
		select(has("prefix") and has("status")) |
		"\(.prefix) \(.status) \(.med // "-") \(.local_pref // "-") \(.as_path | gsub(" "; ","))"' 2>&1)
}
read_show() {
	SHOW=$(agentctl -j bgp show dc1 2>&1 | jq -c '.peers[0] |
		{state, flaps, last_error, sent: (.notification_sent //
		{} | "\(.code)/\(.subcode)"), at: .notification_sent.time}' 2>&1)
}
show_field() {
	jq -r ".$1" <<<"$SHOW"
}
# has_route PFX: in ROUTES (any status)
has_route() {
	[[ $'\n'$ROUTES$'\n' == *$'\n'"$1 "* ]]
}
route_line() {
	local l
	while read -r l; do
		[[ $l == "$1 "* ]] && { echo "$l"; return; }
	done <<<"$ROUTES"
}
# wait_routes SECS PFX...: until every PFX is in vpnrtd's table
wait_routes() {
	local end=$((SECONDS + $1)) p miss
	shift
	while :; do
		read_routes
		miss=
		for p in "$@"; do has_route "$p" || miss+=" $p"; done
		[ -z "$miss" ] && return 0
		[ $SECONDS -ge $end ] && { MISSING=$miss; return 1; }
		bgp_nap 0.3
	done
}

# exa_announce PFX ATTR...: bgp_peer_announce for dc1 without rewriting
# ExaBGP's configuration each time, and without a process (a fork costs
# tens of ms under TCG); exa_conf writes it once after a batch
exa_announce() {
	local pfx=$1
	shift
	_bgp_check_attrs exabgp "$@" || return 1
	_bgp_routes_set dc1 "$pfx" "$pfx${*:+ $*}"
	local r
	_bgp_exa_route_v r dc1 "$pfx" "$*"
	_bgp_exa dc1 "announce $r"
}
exa_conf() {
	_bgp_exabgp_conf dc1
}

# ---- part 1: ExaBGP ----
T1=$EPOCHREALTIME
declare -a XN XH XR XA BATCH SERIAL
i=0
while IFS='|' read -r name h rfc attrs; do
	i=$((i + 1))
	XN[i]=$name XH[i]=$h XR[i]=$rfc XA[i]=$attrs
	case $h in
	session-reset*|af-disable*) SERIAL+=("$i") ;;
	*) BATCH+=("$i") ;;
	esac
done <"$D/xcases"
echo "# part 1: ${#BATCH[@]} cases in a batch, ${#SERIAL[@]} one at a time"

# the well-formed announcements first, MED 1
pfxs=()
for i in "${BATCH[@]}"; do
	exa_announce "10.77.$i.0/24" med=1 || fail_all "announce"
	pfxs+=("10.77.$i.0/24")
done
exa_conf
t0=$EPOCHREALTIME
if wait_routes 60 "${pfxs[@]}"; then
	ktap_ok "${#pfxs[@]} well-formed prefixes in vpnrtd ($(ms_since "$t0") ms)"
else
	ktap_fail "well-formed prefixes in vpnrtd: missing$MISSING"
	vpnrtd_dump_log 30
fi
read_show
flaps0=$(show_field flaps)

# then each case, MED 2 where its attribute is not the MED, and its
# sentinel with a MED of its own (its own UPDATE, after the case's)
sent=()
for i in "${BATCH[@]}"; do
	a=${XA[i]}
	[[ $a == *raw=0x04:* ]] || a+=" med=2"
	# shellcheck disable=SC2086
	exa_announce "10.77.$i.0/24" $a || fail_all "announce ${XN[i]}"
	exa_announce "10.78.$i.0/24" med=$((1000 + i)) || fail_all "sentinel"
	sent+=("10.78.$i.0/24")
done
exa_conf
t0=$EPOCHREALTIME
if wait_routes 90 "${sent[@]}"; then
	ktap_ok "all ${#sent[@]} sentinels arrived after their cases ($(ms_since "$t0") ms)"
else
	ktap_fail "sentinels arrived: missing$MISSING"
fi
read_show
KROUTES=$(gwctl -j route show | jq -r '.[] | select(.proto == "bgp") | .prefix')
check_eq "the session stayed up through the batch (state, flaps, NOTIFICATION sent)" \
	"Established $flaps0 null/null" \
	"$(show_field state) $(show_field flaps) $(show_field sent)"

# RESULT[i]: vpnrtd's outcome of case i, for the table at the end
declare -a RESULT
in_kernel() {
	[[ $'\n'$KROUTES$'\n' == *$'\n'"$1"$'\n'* ]]
}
for i in "${BATCH[@]}"; do
	p=10.77.$i.0/24 s=10.78.$i.0/24 h=${XH[i]#=}
	h=${h%%:*}
	l=$(route_line "$p")
	read -r _ st med lp path <<<"$l"
	if has_route "$p"; then
		k=no
		in_kernel "$p" && k=yes
		got="in (status $st, med $med, local_pref $lp, as_path $path, kernel $k)"
	else
		got="withdrawn"
		in_kernel "$p" && got+=" in vpnrtd, still in the kernel"
	fi
	has_route "$s" && got+=", sentinel in" || got+=", sentinel missing"
	ok=no
	case $h in
	treat-as-withdraw)
		[ "$got" = "withdrawn, sentinel in" ] && ok=yes ;;
	ok|attribute-discard)
		want=2
		[[ ${XA[i]} == *raw=0x04:* ]] && want=-
		[ "$st" = installed ] && [ "$med" = "$want" ] &&
			[ "$lp" = - ] && [ "$path" = 65001 ] &&
			[[ $got == *"kernel yes), sentinel in" ]] && ok=yes ;;
	esac
	RESULT[i]=$got
	if [ $ok = yes ]; then
		ktap_ok "${XN[i]}: $h (${XR[i]}): $got"
	else
		ktap_fail "${XN[i]}: $h (${XR[i]}): $got"
		echo "#   route: ${l:-none}"
	fi
done

# the session-reset (and af-disable) cases, one at a time
echo "# part 1 batch took $(ms_since "$T1") ms"
for i in "${SERIAL[@]}"; do
	p=10.77.$i.0/24 s=10.78.$i.0/24 h=${XH[i]} t0=$EPOCHREALTIME
	read_show
	at0=$(show_field at)
	mark=$(wc -l <"$D/vpnrtd.log")
	# shellcheck disable=SC2086
	bgp_peer_announce dc1 "$p" ${XA[i]} || fail_all "announce ${XN[i]}"
	end=$((SECONDS + 30))
	got=
	while [ $SECONDS -lt $end ]; do
		read_show
		if [ "$(show_field at)" != "$at0" ]; then
			got="reset $(show_field sent)"
			break
		fi
		if tail -n +$((mark + 1)) "$D/vpnrtd.log" | grep -q "disabled for this session (RFC 7606)"; then
			got="up, family disabled"
			break
		fi
		bgp_nap 0.3
	done
	[ -n "$got" ] || got="no reaction in 30 s (state $(show_field state), flaps $(show_field flaps))"
	# the case withdrawn from ExaBGP's RIB (through its API while the
	# session is down: it would send it again on the next one), and
	# vpnrtd's idle hold, which doubles with each failure in a row (up to
	# 60 s), started afresh by an administrative reset; restarting ExaBGP
	# instead costs about 60 s a case in the guest, so only if the
	# sentinel does not come
	bgp_peer_withdraw dc1 "$p"
	agentctl bgp reset dc1 >/dev/null 2>&1
	bgp_peer_announce dc1 "$s" med=$((1000 + i))
	if ! wait_routes 30 "$s"; then
		echo "# ${XN[i]}: no sentinel in 30 s, ExaBGP restarted"
		bgp_peer_restart dc1 || fail_all "ExaBGP restart"
		agentctl bgp reset dc1 >/dev/null 2>&1
	fi
	if wait_routes 90 "$s"; then
		read_show
		got+=", session back ($(show_field state)), sentinel in"
	else
		read_show
		got+=", sentinel missing (state $(show_field state))"
	fi
	has_route "$p" && got+=", but the case's prefix is in"
	RESULT[i]=$got
	echo "# ${XN[i]}: $(ms_since "$t0") ms"
	case $h in
	session-reset*) want="reset ${h#session-reset }, session back (Established), sentinel in" ;;
	af-disable*) want="up, family disabled, session back (Established), sentinel in"
		[ "${got%%,*}" = "reset ${h#af-disable }" ] &&
			want="reset ${h#af-disable }, session back (Established), sentinel in" ;;
	esac
	if [ "$got" = "$want" ]; then
		ktap_ok "${XN[i]}: $h (${XR[i]}): $got"
	else
		ktap_fail "${XN[i]}: $h (${XR[i]}): $got"
		tail -n +$((mark + 1)) "$D/vpnrtd.log" | head -20 | sed 's/^/#   /'
	fi
done

echo "# part 1 outcomes (case | handling | vpnrtd):"
for ((i = 1; i <= ${#XN[@]}; i++)); do
	echo "#   ${XN[i]} | ${XH[i]} | ${RESULT[i]}"
done

echo "# part 1 took $(ms_since "$T1") ms"

# ---- part 2: bgp_craft.py, the whole table ----
bgp_peer_stop dc1 || bgp_peer_kill dc1
agentctl bgp reset dc1 >/dev/null 2>&1
# after each case: what vpnrtd holds for the case's two prefixes; after a
# reset, `bgp reset dc1` too: vpnrtd's idle hold doubles with each failure
# in a row (1 s up to 60 s, RFC 4271 DampPeerOscillations), 26 resets in a
# row would wait for many minutes; an administrative reset starts afresh.
# After a reset one vpnrtctl for both (a batch); bgp_craft.py's sh -c
# sources the file (no second sh) and sh's builtins read the text listing
# (no jq): the first line of each prefix, its status; nothing without the
# listing's last line ("N received routes"), an answer that is no listing
cat >"$D/after-case" <<EOF
#!/bin/sh
export VPNRTD_CONTROL=$D/vpnrtd.sock
case \$BGP7606_OUTCOME in
up) "$VPNRTCTL" bgp routes dc1 ;;
*) printf 'bgp reset dc1\\nbgp routes dc1\\n' | "$VPNRTCTL" -b - ;;
esac 2>&1 | {
	v4=- v6=- end= first=
	while read -r w1 w2 w3; do
		[ -n "\$first" ] || first="\$w1 \$w2 \$w3"
		[ "\$w1" = "\$BGP7606_PREFIX" ] && [ "\$v4" = - ] && v4=\$w2
		[ "\$w1" = "\$BGP7606_PREFIX6" ] && [ "\$v6" = - ] && v6=\$w2
		case "\$w2 \$w3" in "received route"|"received routes") end=1 ;; esac
	done
	if [ -n "\$end" ]; then
		echo "v4=\$v4 v6=\$v6"
	else
		echo "no route listing: \$first"
	fi
}
EOF
chmod 755 "$D/after-case"
t0=$EPOCHREALTIME
ip netns exec "$dc1" python3 "$CRAFT" --peer 169.254.10.1 --bind 169.254.10.2 \
	--local-as 65001 --table "$TABLE" --timeout 15 --connect-timeout 60 \
	--after-case ". $D/after-case" --json 2>"$D/craft.err" | tee "$D/craft.out" |
	while IFS= read -r l; do
		# its TAP lines as comments as they come (a timeout shows how far)
		[[ $l == "{"* ]] || echo "#   $(ms_since "$t0") ms: $l"
	done
rc=${PIPESTATUS[0]}
secs=$(($(ms_since "$t0") / 1000))
echo "# bgp_craft.py: exit $rc in $secs s; $(tail -n 1 "$D/craft.out")"
# one TAP line a case: the wire outcome as the table says and vpnrtd's
# table after it: nothing for treat-as-withdraw, resets, af-disable and
# OPENs; the route for ok and attribute-discard where the case announces
python3 - "$TABLE" "$D/craft.out" >"$D/craft.verdicts" <<'EOF'
import json, sys, tomllib
t = {c["name"]: c for c in tomllib.load(open(sys.argv[1], "rb"))["case"]}
seen = set()
for ln in open(sys.argv[2]):
    if not ln.startswith("{"):
        continue
    r = json.loads(ln)
    c = t[r["case"]]
    seen.add(r["case"])
    exp, chk = r["expect"], r["check"]
    st = dict(kv.split("=", 1) for kv in chk.split()) if "v4=" in chk else {}
    announces = (c.get("nlri") != [] and "nlri_hex" not in c
                 and c.get("kind") is None and "raw" not in c) or \
        "mp_reach6" in c.get("attrs", [])
    if exp in ("ok", "attribute-discard") and announces:
        table_ok = "installed" in st.values()
        want = "installed"
    else:
        table_ok = st.get("v4") == "-" and st.get("v6") == "-"
        want = "nothing"
    ok = r["ok"] and table_ok
    print("%s|%s: %s (%s), wire %s, vpnrtd table %s (want %s), %.1f s" % (
        "ok" if ok else "fail", r["case"], exp, r["rfc"], r["outcome"],
        chk or "?", want, r["seconds"]))
for name in t:
    if name not in seen:
        print("fail|%s: not run" % name)
EOF
while IFS='|' read -r v text; do
	if [ "$v" = ok ]; then
		ktap_ok "craft $text"
	else
		ktap_fail "craft $text"
		grep -A1 "^not ok [0-9]* - ${text%%:*}:" "$D/craft.out" | sed 's/^/#   /'
	fi
done <"$D/craft.verdicts"
check_eq "bgp_craft.py ran the whole table" \
	"$(grep -c '^name = ' "$TABLE")" "$(grep -c '^{' "$D/craft.out")"
[ -s "$D/craft.err" ] && sed 's/^/# craft stderr: /' "$D/craft.err" | head -20

[ $ktap_failed = 0 ] || vpnrtd_dump_log 60
ktap_finish
