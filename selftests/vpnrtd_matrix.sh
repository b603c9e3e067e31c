#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vpnrtd against a customer gateway's charon, ten connections at once,
# and what an operator does to a running agent:
#
#  * the proposal matrix, from vpnrtd's YAML (IKEv2 with three proposal
#    sets and with single DES and group 1, IKEv1 Main Mode, IKEv1
#    Aggressive Mode, ESP without PFS, 3des-md5-group 2): each SA comes up
#    with exactly the algorithms configured (charon's list-sas) and
#    carries pings from vpc; an IKE and an ESP proposal mismatch stay
#    down in the kernel and `vpnrtctl ike show` says why;
#  * kill -9, hand changes to the agent's objects while it is dead, a
#    restart: kernel and charon state equal those of the fresh start;
#  * every file of userspace/tests/configs/bad/ given by `vpnrtctl agent
#    reload`: each refused with its first message and line, every
#    message in the log, nothing changed in the kernel or charon;
#  * charon restarted under vpnrtd: the tunnels go IKE-down, vpnrtd
#    reconnects, loads its conns again and re-establishes every tunnel;
#  * a reload that adds, changes and removes a connection while an
#    untouched one carries 100 datagrams/s: nothing lost, its SA kept;
#  * sd_notify through a NOTIFY_SOCKET of our own: READY, STATUS,
#    RELOADING then READY per reload, STOPPING, and WATCHDOG=1 never
#    further apart than WATCHDOG_USEC, whatever the agent was doing.
#
#   vpc --v0-- gw (vpngw0, vpnrtd, charon gw) --u1-- dc1 (charon dc1)
#
# Tunnel K: gw 192.0.2.K, dc1 192.0.2.(100+K), xfrmK with if_id K on both
# ends, vpnrt connection NAME with the route 172.16.K.0/24, which dc1
# answers through xfrmK.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ike_lib.sh"

require_root
require_cmd jq ip ping swanctl python3 "$IKE_CHARON"
HELPERS=${HELPERS:-$VPNRT_TOP/build/userspace/selftest-helpers}
[ -x "$HELPERS/lossmeter" ] || fail_all "no $HELPERS/lossmeter"
BAD=${VPNRTD_BAD_CONFIGS:-$VPNRT_TOP/userspace/tests/configs/bad}
[ -d "$BAD" ] || fail_all "no $BAD"

stamp() {
	echo "# $* (at ${SECONDS}s)"
}

# K|name|ike: version mode enc/integ/dh|ipsec: enc/integ/dh|dc1's
# proposals: IKE, ESP (strongSwan's syntax)|expect: "up IKE ESP" as
# charon's list-sas shows them, ENCR[-KEYSIZE]/INTEG/DH (DH "-" for an
# IKEv2 first child, which never does DH), or "down WHY" for a mismatch
TUNNELS=(
	"1|v2a|ikev2 main aes128/sha256/14|aes128/sha256/14|aes128-sha256-modp2048 aes128-sha256-modp2048|up AES_CBC-128/HMAC_SHA2_256_128/MODP_2048 AES_CBC-128/HMAC_SHA2_256_128/-"
	"2|v2b|ikev2 main aes256/sha1/2|aes256/sha1/disabled|aes256-sha1-modp1024 aes256-sha1|up AES_CBC-256/HMAC_SHA1_96/MODP_1024 AES_CBC-256/HMAC_SHA1_96/-"
	"3|v2c|ikev2 main aes192/sha512/5|aes192/sha384/5|aes192-sha512-modp1536 aes192-sha384-modp1536|up AES_CBC-192/HMAC_SHA2_512_256/MODP_1536 AES_CBC-192/HMAC_SHA2_384_192/-"
	"4|v1main|ikev1 main aes128/sha1/2|aes128/sha1/2|aes128-sha1-modp1024 aes128-sha1-modp1024|up AES_CBC-128/HMAC_SHA1_96/MODP_1024 AES_CBC-128/HMAC_SHA1_96/MODP_1024"
	"5|v1aggr|ikev1 aggressive aes256/sha256/14|aes256/sha256/14|aes256-sha256-modp2048 aes256-sha256-modp2048|up AES_CBC-256/HMAC_SHA2_256_128/MODP_2048 AES_CBC-256/HMAC_SHA2_256_128/MODP_2048"
	"6|nopfs|ikev1 main aes/sha256/14|aes/sha256/disabled|aes128-sha256-modp2048 aes128-sha256|up AES_CBC-128/HMAC_SHA2_256_128/MODP_2048 AES_CBC-128/HMAC_SHA2_256_128/-"
	"7|legacy|ikev1 main 3des/md5/2|3des/md5/2|3des-md5-modp1024 3des-md5-modp1024|up 3DES_CBC/HMAC_MD5_96/MODP_1024 3DES_CBC/HMAC_MD5_96/MODP_1024"
	"8|des|ikev2 main des/sha1/1|des/md5/disabled|des-sha1-modp768 des-md5|up DES_CBC/HMAC_SHA1_96/MODP_768 DES_CBC/HMAC_MD5_96/-"
	"9|ikemis|ikev2 main aes256/sha512/14|aes256/sha512/14|aes128-sha1-modp1024 aes256-sha512-modp2048|down NO_PROPOSAL_CHOSEN"
	"10|espmis|ikev2 main aes128/sha256/14|aes256/sha256/disabled|aes128-sha256-modp2048 aes128-sha1|down NO_PROPOSAL_CHOSEN"
	# added by the last reload
	"11|v2d|ikev2 main aes128/sha256/14|aes128/sha256/14|aes128-sha256-modp2048 aes128-sha256-modp2048|late"
)
PSK=vpnrtd-matrix-key

ike_init || fail_all "ike_init"
vpnrtd_init || fail_all "no vpnrtd"
ike_topo_setup || fail_all "topology"
ip netns exec "$gw" "$VPNRTCTL" gateway del vpngw0 || fail_all "gateway del"

D=$VPNRTD_DIR
gwl= dcl= up=() down=() ks=()
# conn_yaml SPEC [PREFIX]: one connection of vpnrtd.yaml, PREFIX a route more
conn_yaml() {
	local k name ike esp ver mode ialg ie ii ig ee ei eg
	IFS='|' read -r k name ike esp _ <<<"$1"
	read -r ver mode ialg <<<"$ike"
	IFS=/ read -r ie ii ig <<<"$ialg"
	IFS=/ read -r ee ei eg <<<"$esp"
	cat <<EOC
      - name: $name
        ike: {version: $ver, mode: $mode, psk: "$PSK-$k", encryption: $ie, integrity: $ii, dh-group: $ig}
        ipsec: {encryption: $ee, integrity: $ei, dh-group: $eg}
        tunnels:
          - {local-address: 192.0.2.$k, remote-address: 192.0.2.$((100 + k)), device: xfrm$k, if-id: $k}
        routes:
          - {prefix: 172.16.$k.0/24}
EOC
	[ -z "${2:-}" ] || echo "          - {prefix: $2}"
}
# write_conf [final]: the ten connections; final: des removed, v2a with
# a route more, v2d added
write_conf() {
	local spec name expect
	{
		echo "gateways:"
		echo "  - name: vpngw0"
		echo "    connections:"
		for spec in "${TUNNELS[@]}"; do
			IFS='|' read -r _ name _ _ _ expect <<<"$spec"
			case ${1:-}:$name:$expect in
			:*:late|final:des:*) ;;
			final:v2a:*) conn_yaml "$spec" 172.16.41.0/24 ;;
			*) conn_yaml "$spec" ;;
			esac
		done
	} >"$CONF"
}
write_conf
for spec in "${TUNNELS[@]}"; do
	IFS='|' read -r k name ike _ dcp expect <<<"$spec"
	read -r ver mode _ <<<"$ike"
	read -r dike desp <<<"$dcp"
	ga=192.0.2.$k da=192.0.2.$((100 + k))
	gwl+="addr add $ga/24 dev u1"$'\n'
	dcl+=$(ike_tunnel_lines dc "$k" u1 "$ga" "$da")$'\n'
	ike_conn "$dc1" "gw$k" local="$da" remote="$ga" psk="$PSK-$k" \
		version="${ver#ikev}" aggressive="$([ "$mode" = aggressive ] && echo yes || echo no)" \
		ike="$dike" esp="$desp" if_id="$k"
	case $expect in
	up*) up+=("$name") ks+=("$k") ;;
	down*) down+=("$name") ks+=("$k") ;;
	esac
done
ip -n "$gw" -batch - <<<"$gwl" || fail_all "gw's underlay addresses"
ip -n "$dc1" -batch - <<<"$dcl" || fail_all "dc1's tunnel ends"
ike_crypto_warmup "cbc(aes):hmac(sha256)" "cbc(aes):hmac(sha1)" \
	"cbc(aes):hmac(sha384)" "cbc(des3_ede):hmac(md5)" "cbc(des):hmac(md5)" ||
	fail_all "ESP crypto warm-up"
charon_start "$gw" "$gw" || fail_all "charon in gw"
charon_start "$dc1" "$dc1" "i_dont_care_about_security_and_use_aggressive_mode_psk = yes" ||
	fail_all "charon in dc1"
ike_load "$dc1" || fail_all "dc1's swanctl.conf"

# sd_notify's datagrams, each as "SECONDS PID TEXT" (the kernel gives
# the sender's pid with SO_PASSCRED), one line per datagram
NOTIFY=$D/notify.sock NOTES=$D/notify.log
python3 -c '
import socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(sys.argv[1])
out = open(sys.argv[2], "a", buffering=1)
while True:
    msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
    pid = 0
    for lvl, typ, data in anc:
        if lvl == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", data[:12])[0]
    text = msg.decode("utf-8", "replace").strip().replace("\n", "|")
    out.write("%.3f %d %s\n" % (time.time(), pid, text))
' "$NOTIFY" "$NOTES" &
NOTIFY_PID=$!
for ((i = 0; i < 100; i++)); do [ -S "$NOTIFY" ] && break; ike_nap 0.1; done
[ -S "$NOTIFY" ] || fail_all "the NOTIFY_SOCKET listener did not start"
WATCHDOG_SEC=6

cleanup() {
	kill "$NOTIFY_PID" 2>/dev/null
	ike_cleanup
	cleanup_ns
}
trap cleanup EXIT

# jq: true when every tunnel of the connections in $names has ike $want
ike_is() {
	printf '[.[] | select(.name | IN(%s)) | .tunnels[].ike == "%s"] | length == %d and all' \
		"$(printf '"%s",' "$@" | sed 's/,$//')" "$IKE_WANT" $#
}
# tunnels_wait UP|DOWN SECS NAME...: until each NAME's tunnel is IKE-up
# (or down) in the kernel; the seconds it took are in $WAITED
tunnels_wait() {
	local want=$1 secs=$2
	shift 2
	conn_wait "$secs" "$(IKE_WANT=$want ike_is "$@")"
}

# one bash in vpc: "K ok|lost" per tunnel, 2 pings each
ping_all() {
	ip netns exec "$vpc" bash -c '
		for k; do
			if ping -n -q -c 2 -i 0.2 -W 2 172.16.$k.1 >/dev/null 2>&1
			then echo "$k ok"; else echo "$k lost"; fi
		done' ping_all "$@"
}
# traffic_ok WHAT: every "up" tunnel answers, no "down" one does
traffic_ok() {
	local pings spec k name expect bad=
	pings=$(ping_all "${ks[@]}")
	for spec in "${TUNNELS[@]}"; do
		IFS='|' read -r k name _ _ _ expect <<<"$spec"
		[ "$expect" = late ] && continue
		case "${expect%% *} $(awk -v k="$k" '$1 == k { print $2 }' <<<"$pings")" in
		"up ok"|"down lost") ;;
		*) bad+=" $name" ;;
		esac
	done
	if [ -z "$bad" ]; then
		ktap_ok "$1"
	else
		ktap_fail "$1 (wrong:$bad)"
	fi
}

# what the config decides, in the kernel and in charon: connections,
# tunnels (device, if_id, IKE state), routes, charon's conns, and which
# SAs are up. Not: counters, uniqueids, SPIs, times.
# One vpnrtctl (a batch) and one jq for both of the kernel's lists.
snapshot() {
	{
		gwctl -j -b - <<<$'conn show\nroute show' | jq -S -n '
			(input | [.[] | {name, owner, mode, state,
				tunnels: [.tunnels[] | {dev, ike, state}]}]),
			(input | sort_by(.conn, .prefix))'
		ike_swanctl "$gw" --list-conns --raw
		# the installed children (a mismatch's retries come and go)
		ike_sas "$gw" | awk '$1 == "CHILD" && / state=INSTALLED/ { print $2, $3 }' |
			sort -u
	} 2>&1
}

# ---- the proposal matrix ----
check "vpnrtd --check accepts the ten connections" "$VPNRTD" --check -c "$CONF"
stamp "vpnrtd starts"
vpnrtd_start NOTIFY_SOCKET="$NOTIFY" WATCHDOG_USEC=$((WATCHDOG_SEC * 1000000))
if tunnels_wait up 150 "${up[@]}"; then
	ktap_ok "vpnrtd brings the ${#up[@]} matching tunnels IKE-up in the kernel (${WAITED}s for all)"
else
	ktap_fail "vpnrtd brings the ${#up[@]} matching tunnels IKE-up in the kernel"
	vpnrtd_dump_log
	ike_dump_log "$gw"
	ktap_finish
fi
ip -n "$gw" route add 172.16.0.0/12 dev vpngw0
gw_sas=$(ike_sas "$gw")

# algs LINE: ENCR[-KEYSIZE]/INTEG/DH of one ike_sas line
algs() {
	local e ks i d
	e=$(ike_field "$1" encr-alg) || e=?
	ks=$(ike_field "$1" encr-keysize) && e+="-$ks"
	i=$(ike_field "$1" integ-alg) || i=?
	d=$(ike_field "$1" dh-group) || d=-
	echo "$e/$i/$d"
}
for spec in "${TUNNELS[@]}"; do
	IFS='|' read -r k name ike esp _ expect <<<"$spec"
	[ "${expect%% *}" = up ] || continue
	read -r _ want_ike want_esp <<<"$expect"
	read -r ver mode _ <<<"$ike"
	ikel=$(awk -v c="vpnrt.$name.1" '$1 == "IKE" && $2 == c && / state=ESTABLISHED/ { print; exit }' <<<"$gw_sas")
	childl=$(ike_child_line "$gw_sas" "vpnrt.$name.1")
	check_eq "$name: $ver $mode, IKE $ike" "${ver#ikev} $want_ike" \
		"$(ike_field "$ikel" version) $(algs "$ikel")"
	check_eq "$name: CHILD_SA $esp, if_id $k both ways" \
		"$want_esp $(printf '%08x %08x' "$k" "$k")" \
		"$(algs "$childl") $(ike_field "$childl" if-id-in) $(ike_field "$childl" if-id-out)"
done
for spec in "${TUNNELS[@]}"; do
	IFS='|' read -r k name _ _ _ expect <<<"$spec"
	[ "${expect%% *}" = down ] || continue
	why=
	for ((i = 0; i < 60; i++)); do
		why=$(agentctl -j ike show "$name" | jq -r '.tunnels[0].last_error // empty')
		grep -q "${expect#down }" <<<"$why" && break
		ike_nap 0.5
	done
	check_eq "$name: a proposal mismatch; ike show says why (\"$why\")" "${expect#down }" \
		"$(grep -o "${expect#down }" <<<"$why" | head -n1)"
	check_eq "$name: its tunnel stays IKE-down in the kernel" down \
		"$(gwctl -j conn show "$name" | jq -r '.[0].tunnels[0].ike')"
done
traffic_ok "vpc pings every matching tunnel's far end through vpngw0; the mismatched carry nothing"
ike=$(agentctl -j ike show v1aggr)
check "ike show -j v1aggr: an INSTALLED child SA, as charon has" \
	jq -e '[.tunnels[0].child_sas[]? | select(.state == "INSTALLED")] | length >= 1' <<<"$ike"
fresh=$(snapshot)

# ---- kill -9, hand changes while it is dead, restart ----
stamp "kill -9"
kill -KILL "$VPNRTD_PID"
wait "$VPNRTD_PID" 2>/dev/null
gwctl -b - <<EOB
route del 172.16.1.0/24 conn v2a
route add 172.16.201.0/24 conn v2b
conn set v2c ike down
EOB
check "while vpnrtd is dead: v2a's route deleted, a route added to v2b, v2c set IKE-down by hand" \
	bash -c "[ \"\$(ip netns exec '$gw' '$VPNRTCTL' -j conn show v2c | jq -r '.[0].tunnels[0].ike')\" = down ]"
vpnrtd_start NOTIFY_SOCKET="$NOTIFY" WATCHDOG_USEC=$((WATCHDOG_SEC * 1000000))
t0=$SECONDS
while [ "$(snapshot)" != "$fresh" ] && [ $((SECONDS - t0)) -lt 60 ]; do
	ike_nap 1
done
after=$(snapshot)
check_eq "after the restart, kernel and charon equal the fresh start ($((SECONDS - t0))s)" \
	"$fresh" "$after"
[ "$after" = "$fresh" ] || diff <(echo "$fresh") <(echo "$after") | sed 's/^/#   /'
check "the restarted vpnrtd said what it mended: v2a's route back, v2b's extra one gone" \
	bash -c "grep -q 'connection v2a: routes: 1 added, 0 removed' '$D/vpnrtd.log' &&
		grep -q 'connection v2b: routes: 0 added, 1 removed' '$D/vpnrtd.log'"
traffic_ok "after the restart, every matching tunnel carries traffic"

# ---- every bad file of the unit tests, by reload ----
# SIGHUP (a builtin) and vpnrtd's log, read with builtins: a vpnrtctl per
# file would cost the guest a process start each; two go through
# `vpnrtctl agent reload` and its answer
stamp "bad files by reload"
cp "$CONF" "$D/good.yaml"
log_lines=$(wc -l <"$D/vpnrtd.log")
exec {LOGFD}<"$D/vpnrtd.log"
while IFS= read -r -u "$LOGFD" _; do :; done
log_part=
# reload_messages: after a SIGHUP, the "FILE:..." messages vpnrtd logs
# until it says the reload is refused (or applied), one per line
reload_messages() {
	local line end=$((SECONDS + 30)) out=
	while :; do
		if IFS= read -r -u "$LOGFD" line; then
			line=$log_part$line log_part=
			case $line in
			*"reload: $CONF has "*|*"reload: $CONF read"*) break ;;
			*"$CONF:"*) out+="$CONF:${line#*"$CONF:"}"$'\n' ;;
			esac
		else
			log_part+=$line
			[ $SECONDS -ge $end ] && { out+="(no end of the reload in 30 s)"$'\n'; break; }
			ike_nap 0.05
		fi
	done
	printf '%s' "$out"
}
nbad=0 n_reloads=0 files=("$BAD"/*.yaml)
# the debug kernel (KASAN) and ASan make each reload cost about 1.8 s
# there: every 4th file (still more than 30), all of them on stock kernels;
# the unit tests give each file to the loader on every run anyway
step=1
case $(uname -r) in *debug*) step=4 ;; esac
# copy_conf FILE: FILE to $CONF with builtins (cp is a process start, as
# are sed and wc: about half a second a file in the guest); a file with a
# NUL octet, which a shell variable cannot hold, with cp
copy_conf() {
	local text
	if IFS= read -r -d '' text <"$1"; then
		cp "$1" "$CONF"
	else
		printf '%s' "$text" >"$CONF"
	fi
}
for ((fi = 0; fi < ${#files[@]}; fi += step)); do
	f=${files[fi]}
	name=${f##*/}
	name=${name%.yaml}
	copy_conf "$f"
	kill -HUP "$VPNRTD_PID"
	n_reloads=$((n_reloads + 1))
	got=$(reload_messages)
	# the .want file's lines, each prefixed with "$CONF:", and how many
	want= nwant=0 first=
	while IFS= read -r line || [ -n "$line" ]; do
		[ $nwant = 0 ] && first=$line
		want+="$CONF:$line"$'\n'
		nwant=$((nwant + 1))
	done <"$BAD/$name.want"
	want=${want%$'\n'}
	if [ "$got" = "$want" ]; then
		nbad=$((nbad + 1))
		ktap_ok "bad $name: refused by reload with its $nwant message(s): ${first:0:70}"
	else
		ktap_fail "bad $name: refused by reload with its messages"
		diff <(echo "$want") <(echo "$got") | sed 's/^/#   /'
	fi
done
check "$nbad bad files (of ${#files[@]}, every ${step}) refused with exactly their messages: at least 30" \
	test "$nbad" -ge 30
for name in crlf-lines syntax-tab; do
	cp "$BAD/$name.yaml" "$CONF"
	IFS= read -r first <"$BAD/$name.want"
	n_reloads=$((n_reloads + 1))
	check_fail_msg "vpnrtctl agent reload of $name: refused, its answer names the file and line" \
		"$CONF:$first" agentctl agent reload
	reload_messages >/dev/null
done
check "agent show: the last reload failed" \
	bash -c "VPNRTD_CONTROL='$D/vpnrtd.sock' '$VPNRTCTL' -j agent show | jq -e '.last_reload.ok == false'"
check_eq "after $n_reloads refused reloads, kernel and charon are unchanged" "$fresh" "$(snapshot)"
check "the log says nothing was applied" \
	bash -c "! tail -n +$((log_lines + 1)) '$D/vpnrtd.log' | grep -E 'applying|created|deleted|routes: [0-9]+ added'"
cp "$D/good.yaml" "$CONF"
n_reloads=$((n_reloads + 1))
check "the good file again: reload accepted" agentctl agent reload
check_eq "and nothing changes" "$fresh" "$(snapshot)"
exec {LOGFD}<&-

# ---- charon restarted under vpnrtd ----
stamp "charon restart"
check "charon of gw stopped (SIGTERM: it deletes its SAs)" charon_stop "$gw"
if tunnels_wait down 30 "${up[@]}"; then
	ktap_ok "every tunnel goes IKE-down in the kernel (${WAITED}s)"
else
	ktap_fail "every tunnel goes IKE-down in the kernel"
fi
check "charon of gw started again" charon_start "$gw" "$gw"
if tunnels_wait up 150 "${up[@]}"; then
	ktap_ok "vpnrtd reconnects, loads its conns and brings every tunnel up again (${WAITED}s after charon answered)"
else
	ktap_fail "vpnrtd reconnects and brings every tunnel up again"
	vpnrtd_dump_log
fi
for ((i = 0; i < 30; i++)); do
	[ "$(snapshot)" = "$fresh" ] && break
	ike_nap 1
done
check_eq "kernel and charon state equal the fresh start again" "$fresh" "$(snapshot)"
traffic_ok "after charon's restart, every matching tunnel carries traffic"

# ---- reload: one added, one changed, one removed; an untouched one loses nothing ----
stamp "reload: v2d added, v2a changed, des removed"
stop=$D/lm.stop ready=$D/lm.ready
"$HELPERS/lossmeter" --tx-ns "$vpc" --dst 172.16.2.1 --port 7200 --rate 100 \
	--duration 60 --until-file "$stop" --ready "$ready" --rx-ns "$dc1" \
	>"$D/loss" 2>&1 &
lm=$!
for ((i = 0; i < 50; i++)); do [ -e "$ready" ] && break; ike_nap 0.1; done
ike_nap 1
v2b_child=$(ike_field "$(ike_child_line "$(ike_sas "$gw")" vpnrt.v2b.1)" uniqueid)
write_conf final
n_reloads=$((n_reloads + 1))
check "agent reload: v2d added, v2a changed (a route more), des removed" agentctl agent reload
if tunnels_wait up 60 v2d; then
	ktap_ok "v2d comes up (${WAITED}s)"
else
	ktap_fail "v2d comes up"
fi
ike_nap 1
touch "$stop"
wait "$lm"
check_eq "v2b, untouched, lost nothing of $(awk '$1 == "sent" { print $2 }' "$D/loss") datagrams at 100/s" \
	0 "$(awk '$1 == "lost" { print $2 }' "$D/loss")"
check_eq "v2b keeps its child SA" "$v2b_child" \
	"$(ike_field "$(ike_child_line "$(ike_sas "$gw")" vpnrt.v2b.1)" uniqueid)"
check_eq "v2a has its new route" "172.16.1.0/24 172.16.41.0/24" \
	"$(gwctl -j route show conn v2a | jq -r '[.[].prefix] | sort | join(" ")')"
check_eq "des is gone: no connection, no xfrm8, no charon conn" "0 no no" \
	"$(gwctl -j conn show | jq '[.[] | select(.name == "des")] | length') \
$(ip -n "$gw" link show xfrm8 >/dev/null 2>&1 && echo yes || echo no) \
$(ike_swanctl "$gw" --list-conns --raw 2>/dev/null | grep -q vpnrt.des && echo yes || echo no)"
check "v2d carries traffic" ip netns exec "$vpc" ping -n -q -c 2 -i 0.2 -W 2 172.16.11.1

# ---- sd_notify ----
kill -TERM "$VPNRTD_PID"
wait "$VPNRTD_PID"
check_eq "vpnrtd stops on SIGTERM with status 0" 0 $?
ike_nap 0.5
pids=$(awk '$3 == "READY=1" { print $2 }' "$NOTES" | sort -u | xargs)
check_eq "both vpnrtd processes (the fresh one, the restarted one) said READY=1" 2 \
	"$(wc -w <<<"$pids")"
check "STATUS= lines say what the agent is doing" grep -q ' STATUS=' "$NOTES"
check_eq "each of the $n_reloads reloads: RELOADING=1, then READY=1" "$n_reloads" \
	"$(awk '$3 == "RELOADING=1" { r = 1; next } r && $3 == "READY=1" { n++; r = 0 } END { print n + 0 }' "$NOTES")"
check "STOPPING=1 at SIGTERM" grep -q ' STOPPING=1$' "$NOTES"
# per process: the longest gap between WATCHDOG=1 (and from READY=1)
gaps=$(awk '$3 == "WATCHDOG=1" || $3 == "READY=1" {
		if ($2 in last && $1 - last[$2] > max[$2]) max[$2] = $1 - last[$2]
		last[$2] = $1; if ($3 == "WATCHDOG=1") n[$2]++ }
	END { for (p in n) printf "%d %.1f\n", n[p], max[p] }' "$NOTES")
echo "# WATCHDOG=1 per process: count, longest gap in s: $(tr '\n' ';' <<<"$gaps")"
check "WATCHDOG=1 every WATCHDOG_USEC/2 from both processes, never ${WATCHDOG_SEC}s apart" \
	awk -v w="$WATCHDOG_SEC" '{ n++ } $1 < 3 || $2 >= w { bad = 1 }
		END { exit n != 2 || bad }' <<<"$gaps"
[ $ktap_failed = 0 ] || vpnrtd_dump_log 60
ktap_finish
