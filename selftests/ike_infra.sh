#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Real IKE and ESP in the guest: the infrastructure vpnrtd's tests stand
# on (ike_lib.sh), proven with one charon-systemd per netns, both ends
# configured by swanctl (vpnrtd does not drive the gateway's yet):
#
#   vpc --- gw (vpngw0, charon gw) ---u1--- dc1 (charon dc1): tunnels 1-10
#                                  ---u2--- dc2 (charon dc2): tunnels 11, 12
#
# Tunnel K is xfrmK (if_id K) on both ends, a vpnrt connection tK with
# the route 172.16.K.0/24; the gateway initiates, the data centres
# answer. Checks:
#  * the proposal matrix (IKEv2 with three proposal sets and with single
#    DES and group 1, IKEv1 Main Mode, IKEv1 Aggressive Mode, ESP without
#    PFS, 3des-md5-modp1024) comes up with exactly the algorithms
#    configured and carries pings from vpc through vpngw0 and that tunnel
#    (replies come back through it too);
#  * an IKE proposal mismatch and an ESP proposal mismatch do not come
#    up, carry nothing, and the logs say why (the lines are printed);
#  * child SA rekeys (every ~4 s) and IKE SA rekeys (every ~5 s) under
#    100 datagrams/s lose nothing over 3 rekeys each;
#  * dc2's charon killed (kill -9, its kernel SAs flushed as in a crash):
#    the gateway's DPD declares it dead within dpd_delay + the retransmit
#    schedule; dc2 restarted: the gateway re-establishes by itself.
# Measured and printed: charon start-up, SA establishment, rekey loss,
# DPD detection time.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ike_lib.sh"
require_root
require_cmd ip ping swanctl "$IKE_CHARON" bc
HELPERS=${HELPERS:-$(dirname "$VPNRTCTL")/selftest-helpers}
[ -x "$HELPERS/lossmeter" ] ||
	fail_all "no $HELPERS/lossmeter: build it with make -C userspace"

stamp() {
	echo "# $* (at ${SECONDS}s)"
}

# the time, with a builtin: a date process would add its own start-up
# (150 ms and more in the guest) to every time measured
now() {
	echo "$EPOCHREALTIME"
}

# ms A B: B - A in ms, one decimal
ms() {
	echo "scale=1; ($2 - $1) * 1000 / 1" | bc
}

PSK=vpnrt-ike-infra-test-key
DPD_DELAY=2
RATE=100

# K|name|dc|version|aggressive|gw ike|gw esp|dc ike|dc esp|expect
#   expect: "up IKE-ALGS ESP-ALGS", each ENCR[-KEYSIZE]/INTEG/DH (DH
#   "-" when the SA has none: an IKEv2 first child never does DH), or
#   "down" for a mismatch
TUNNELS=(
	"1|v2a|dc1|2|no|aes128-sha256-modp2048|aes128-sha256-modp2048|aes128-sha256-modp2048|aes128-sha256-modp2048|up AES_CBC-128/HMAC_SHA2_256_128/MODP_2048 AES_CBC-128/HMAC_SHA2_256_128/-"
	"2|v2b|dc1|2|no|aes256-sha1-modp1024|aes256-sha1-modp1024|aes256-sha1-modp1024|aes256-sha1-modp1024|up AES_CBC-256/HMAC_SHA1_96/MODP_1024 AES_CBC-256/HMAC_SHA1_96/-"
	"3|v2c|dc1|2|no|aes-sha512-modp1536|aes192-sha384-modp1536|aes-sha512-modp1536|aes192-sha384-modp1536|up AES_CBC-128/HMAC_SHA2_512_256/MODP_1536 AES_CBC-192/HMAC_SHA2_384_192/-"
	"4|v1main|dc1|1|no|aes128-sha1-modp1024|aes128-sha1-modp1024|aes128-sha1-modp1024|aes128-sha1-modp1024|up AES_CBC-128/HMAC_SHA1_96/MODP_1024 AES_CBC-128/HMAC_SHA1_96/MODP_1024"
	"5|v1aggr|dc1|1|yes|aes256-sha256-modp2048|aes256-sha256-modp2048|aes256-sha256-modp2048|aes256-sha256-modp2048|up AES_CBC-256/HMAC_SHA2_256_128/MODP_2048 AES_CBC-256/HMAC_SHA2_256_128/MODP_2048"
	"6|nopfs|dc1|1|no|aes128-sha256-modp2048|aes128-sha256|aes128-sha256-modp2048|aes128-sha256|up AES_CBC-128/HMAC_SHA2_256_128/MODP_2048 AES_CBC-128/HMAC_SHA2_256_128/-"
	"7|legacy|dc1|1|no|3des-md5-modp1024|3des-md5-modp1024|3des-md5-modp1024|3des-md5-modp1024|up 3DES_CBC/HMAC_MD5_96/MODP_1024 3DES_CBC/HMAC_MD5_96/MODP_1024"
	"8|des|dc1|2|no|des-sha1-modp768|des-md5|des-sha1-modp768|des-md5|up DES_CBC/HMAC_SHA1_96/MODP_768 DES_CBC/HMAC_MD5_96/-"
	"9|ikemis|dc1|2|no|aes256-sha512-modp2048|aes256-sha512-modp2048|aes128-sha1-modp1024|aes256-sha512-modp2048|down"
	"10|espmis|dc1|2|no|aes128-sha256-modp2048|aes256-sha256|aes128-sha256-modp2048|aes128-sha1|down"
)
# on dc2: child rekeys, IKE rekeys, DPD (set up after the matrix)
RK=11 RI=12

# the underlay addresses of tunnel K: dc1's on u1 in 192.0.2.0/24, dc2's
# on u2 in 198.51.100.0/24; gw .K, dc .(100+K)
addrs() {
	case $1 in
	dc1) echo "u1 192.0.2.$2 192.0.2.$((100 + $2))" ;;
	dc2) echo "u2 198.51.100.$2 198.51.100.$((100 + $2))" ;;
	esac
}

ike_init || fail_all "ike_init: cannot make the scratch dir under /run"
stamp "topology"
ike_topo_setup || fail_all "topology: vpc, gw (vpngw0), dc1, dc2"
ktap_ok "topology: vpc, gw (vpngw0), dc1, dc2"

# every tunnel's ends, vpnrt connection and route: one batch per netns
tunnels_setup() {
	local spec k name dc under ga da gwl= d1l= d2l= ctl=
	for spec in "${TUNNELS[@]}" "$RK|rk|dc2" "$RI|ri|dc2"; do
		IFS='|' read -r k name dc _ <<<"$spec"
		read -r under ga da <<<"$(addrs "$dc" "$k")"
		gwl+=$(ike_tunnel_lines gw "$k" "$under" "$ga" "$da")$'\n'
		if [ "$dc" = dc1 ]; then
			d1l+=$(ike_tunnel_lines dc "$k" "$under" "$ga" "$da")$'\n'
		else
			d2l+=$(ike_tunnel_lines dc "$k" "$under" "$ga" "$da")$'\n'
		fi
		ctl+="conn add t$k gateway vpngw0 tunnel xfrm$k"$'\n'
		ctl+="route add 172.16.$k.0/24 conn t$k"$'\n'
	done
	ip -n "$gw" -batch - <<<"$gwl" &&
	ip -n "$dc1" -batch - <<<"$d1l" &&
	ip -n "$dc2" -batch - <<<"$d2l" &&
	ip netns exec "$gw" "$VPNRTCTL" -b - <<<"$ctl"
}
check "12 xfrm tunnels' ends, vpnrt connections t1..t12 and routes" tunnels_setup

# the ESP algorithms of the tunnels below, before any IKE timer runs
t0=$(now)
check "kernel crypto for ESP warmed up (aes, 3des, des with md5, sha1, sha2)" \
	ike_crypto_warmup "cbc(aes):hmac(sha256)" "cbc(aes):hmac(sha1)" \
	"cbc(aes):hmac(sha384)" "cbc(des3_ede):hmac(md5)" "cbc(des):hmac(md5)"
echo "# crypto warm-up (module autoload, template instances): $(ms "$t0" "$(now)") ms"

# --- charon in each netns -------------------------------------------------
stamp "charon-systemd"
declare -A START_MS
for inst in gw dc1 dc2; do
	extra=
	# dc1 answers IKEv1 Aggressive Mode with a PSK (tunnel 5)
	[ $inst = dc1 ] && extra="i_dont_care_about_security_and_use_aggressive_mode_psk = yes"
	t0=$(now)
	if charon_start "${!inst}" "$inst" "$extra"; then
		START_MS[$inst]=$(ms "$t0" "$(now)")
		ktap_ok "charon-systemd $inst answers on $(ike_uri $inst) (${START_MS[$inst]} ms)"
	else
		ktap_fail "charon-systemd $inst answers on $(ike_uri $inst)"
		ike_dump_log "$inst"
		ktap_finish
	fi
done
echo "# charon-systemd start until VICI answers: gw ${START_MS[gw]} ms, dc1 ${START_MS[dc1]} ms, dc2 ${START_MS[dc2]} ms"
check "the charon of gw added no ip rule (routing_table = 0)" \
	test "$(ip -n "$gw" rule | wc -l)" = 3

# --- configuration: dc side answers, gw initiates ------------------------
for spec in "${TUNNELS[@]}"; do
	IFS='|' read -r k name dc ver aggr gike gesp dike desp expect <<<"$spec"
	read -r under ga da <<<"$(addrs "$dc" "$k")"
	ike_conn "$dc" "$name" local="$da" remote="$ga" psk="$PSK-$k" \
		version="$ver" aggressive="$aggr" ike="$dike" esp="$desp" if_id="$k"
	# a slow host may lose the first try; a mismatch fails once
	tries=3
	[ "$expect" = down ] && tries=1
	ike_conn gw "$name" local="$ga" remote="$da" psk="$PSK-$k" \
		version="$ver" aggressive="$aggr" ike="$gike" esp="$gesp" if_id="$k" \
		start_action=start keyingtries=$tries
done
# rk: child SAs rekeyed by the gateway every 4 to 5 s (rekey_time less
# up to rand_time); ri: its IKE SA every 5 to 6 s. Their hard lifetimes
# are 15 s later: on the debug kernel a rekey under traffic took up to
# 5 s with retransmissions, and an SA that expires before its rekey is
# done (life_time, over_time) is deleted, not replaced. dc2 would rekey after 60 s only, so
# the gateway always starts the rekeys. Both with DPD and retrying for
# ever, initiated by hand to time one establishment alone.
read -r _ ga da <<<"$(addrs dc2 $RK)"
ike_conn dc2 rk local="$da" remote="$ga" psk="$PSK-$RK" \
	ike=aes128-sha256-modp2048 esp=aes128-sha256-modp2048 if_id=$RK \
	child_rekey=60s
ike_conn gw rk local="$ga" remote="$da" psk="$PSK-$RK" \
	ike=aes128-sha256-modp2048 esp=aes128-sha256-modp2048 if_id=$RK \
	child_rekey=5s child_life=20s child_rand=1s \
	dpd_delay=${DPD_DELAY}s keyingtries=0
read -r _ ga da <<<"$(addrs dc2 $RI)"
ike_conn dc2 ri local="$da" remote="$ga" psk="$PSK-$RI" \
	ike=aes256-sha256-modp2048 esp=aes256-sha256-modp2048 if_id=$RI \
	ike_rekey=60s
ike_conn gw ri local="$ga" remote="$da" psk="$PSK-$RI" \
	ike=aes256-sha256-modp2048 esp=aes256-sha256-modp2048 if_id=$RI \
	ike_rekey=6s ike_rand=1s over_time=15s dpd_delay=${DPD_DELAY}s keyingtries=0

check "swanctl --load-all on dc1 (10 conns)" ike_load dc1
check "swanctl --load-all on dc2 (2 conns)" ike_load dc2
stamp "loading gw's conns: the matrix initiates"
t_load=$(now)
check "swanctl --load-all on gw (12 conns, 10 start at once)" ike_load gw

# --- the proposal matrix ---------------------------------------------------
up=() down=()
for spec in "${TUNNELS[@]}"; do
	IFS='|' read -r k name _ _ _ _ _ _ _ expect <<<"$spec"
	case $expect in up*) up+=("$name") ;; *) down+=("$name") ;; esac
done
ike_check "gw: the ${#up[@]} matching tunnels are INSTALLED (${up[*]})" \
	ike_wait_installed gw 90 "${up[@]}"
t_up=$(now)
gw_sas=$IKE_LAST_SAS
echo "# ${#up[@]} tunnels at once: all INSTALLED $(ms "$t_load" "$t_up") ms after the load began"
ike_check "dc1: the same tunnels are INSTALLED" ike_wait_installed dc1 10 "${up[@]}"
dc1_sas=$IKE_LAST_SAS

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
	IFS='|' read -r k name _ ver aggr gike gesp _ _ expect <<<"$spec"
	[ "${expect%% *}" = up ] || continue
	read -r _ want_ike want_esp <<<"$expect"
	ikel=$(awk -v c="$name" '$1 == "IKE" && $2 == c && / state=ESTABLISHED/ { print; exit }' <<<"$gw_sas")
	childl=$(ike_child_line "$gw_sas" "$name")
	check_eq "$name: IKEv$ver$([ "$aggr" = yes ] && echo " aggressive") IKE_SA $gike" \
		"$ver $want_ike" "$(ike_field "$ikel" version) $(algs "$ikel")"
	check_eq "$name: CHILD_SA $gesp, if_id $k both ways" \
		"$want_esp $(printf '%08x %08x' "$k" "$k")" \
		"$(algs "$childl") $(ike_field "$childl" if-id-in) $(ike_field "$childl" if-id-out)"
done
for name in "${down[@]}"; do
	check "$name: no CHILD_SA on gw (a proposal mismatch)" \
		test -z "$(ike_child_line "$gw_sas" "$name")"
done

# establishment times from gw's log: "initiating IKE_SA NAME[" to
# "CHILD_SA NAME{N} established" (the daemon's own clock)
est_times() {
	awk '$3 ~ /^<.*\|[0-9]+>$/ {
		n = $3; sub(/^</, "", n); sub(/\|.*/, "", n) }
	/ initiating .*IKE_SA / && !(n in start) { start[n] = $1 }
	/ CHILD_SA .*\{[0-9]+\} established / && !(n in done) { done[n] = $1 }
	END { for (n in done) if (n in start)
		printf "%s=%.0fms ", n, (done[n] - start[n]) * 1000 }' "$IKE_DIR/gw.log"
}
echo "# establishment (gw log, initiating to CHILD_SA established, ${#up[@]} at once): $(est_times)"

# --- traffic through each tunnel ---------------------------------------------
stamp "traffic"
rx_snap() {
	ip -n "$dc1" -s -o link show type xfrm | awk '{ n = $2; sub(/@.*/, "", n)
		for (i = 1; i <= NF; i++) if ($i == "RX:") { print n, $(i + 9); break } }'
}
before=$(rx_snap)
# one bash in vpc: "K ok|lost" per tunnel, 2 pings each, 2 s to answer
ping_all() {
	ip netns exec "$vpc" bash -c '
		for k; do
			if ping -n -q -c 2 -i 0.2 -W 2 172.16.$k.1 >/dev/null 2>&1
			then echo "$k ok"; else echo "$k lost"; fi
		done' ping_all "$@"
}
ks=()
for spec in "${TUNNELS[@]}"; do ks+=("${spec%%|*}"); done
pings=$(ping_all "${ks[@]}")
after=$(rx_snap)
for spec in "${TUNNELS[@]}"; do
	IFS='|' read -r k name _ _ _ _ _ _ _ expect <<<"$spec"
	res=$(awk -v k="$k" '$1 == k { print $2 }' <<<"$pings")
	rx=$(awk -v d="xfrm$k" 'NR == FNR { if ($1 == d) b = $2; next }
		$1 == d { print $2 - b }' <(echo "$before") <(echo "$after"))
	if [ "${expect%% *}" = up ]; then
		check_eq "$name: vpc pings 172.16.$k.1 through vpngw0 and xfrm$k ($rx in on dc1's xfrm$k)" \
			"ok 1" "$res $([ "${rx:-0}" -ge 2 ] && echo 1 || echo 0)"
	else
		check_eq "$name: nothing passes (no SA for if_id $k)" "lost 0" "$res ${rx:-?}"
	fi
done

# --- why the mismatches stay down -----------------------------------------------
stamp "mismatch diagnostics"
# grep_log INST NAME ADDR: the lines of INST's log for conn NAME that say why
# (a responder logs "<ID>" without the conn's name until it picked the
# conn, so its lines are found by the IKE_SA ids that had packets from
# the gateway's address ADDR)
grep_log() {
	awk -v c="$2" -v a="$3" '
		{ id = $3 }
		id ~ "^<" c "\\|" { print; next }
		/ received packet: from / && index($0, "from " a "[") { ids[id] = 1 }
		id in ids { print }' "$IKE_DIR/$1.log" |
		grep -Ei 'proposal|NO_PROP|unacceptable|fail|giving up|TS_UNACC|notify|error'
}
for spec in "${TUNNELS[@]}"; do
	IFS='|' read -r k name dc _ _ _ _ _ _ expect <<<"$spec"
	[ "$expect" = down ] || continue
	read -r _ ga da <<<"$(addrs "$dc" "$k")"
	for inst in gw dc1; do
		lines=$(grep_log "$inst" "$name" "$([ $inst = gw ] && echo "$da" || echo "$ga")")
		check "$name: charon $inst's log says why" test -n "$lines"
		printf '%s\n' "$lines" | head -n 8 | sed "s/^/#   $inst: /"
	done
done

# --- rekeys under traffic --------------------------------------------------------
stamp "rk and ri: initiate"
t0=$(now)
out=$(ike_swanctl gw --initiate --child rk --timeout 30 2>&1)
t1=$(now)
check "gw: swanctl --initiate --child rk" test $? = 0
out=$(ike_swanctl gw --initiate --child ri --timeout 30 2>&1)
check "gw: swanctl --initiate --child ri" test $? = 0
echo "# one SA alone (rk, IKEv2 modp2048 + ESP): swanctl --initiate returned after $(ms "$t0" "$t1") ms; gw log: $(est_times | tr ' ' '\n' | grep '^rk=')"
ike_check "gw: rk and ri INSTALLED" ike_wait_installed gw 20 rk ri

# a rekey's new SA logs "inbound CHILD_SA" and "outbound CHILD_SA ...
# established" (the first SA of a conn: "CHILD_SA ... established")
CHILD_REKEYED='<rk\|[0-9]+> outbound CHILD_SA rk\{[0-9]+\} established'
IKE_REKEYED='<ri\|[0-9]+> IKE_SA ri\[[0-9]+\] rekeyed'

stamp "rekeys under $RATE datagrams/s"
ike_log_open gw
stop=$IKE_DIR/lm.stop
"$HELPERS/lossmeter" --tx-ns "$vpc" --dst 172.16.$RK.1 --port 7011 \
	--rate $RATE --duration 90 --until-file "$stop" --rx-ns "$dc2" \
	>"$IKE_DIR/lm.rk" 2>&1 &
lm1=$!
"$HELPERS/lossmeter" --tx-ns "$vpc" --dst 172.16.$RI.1 --port 7012 \
	--rate $RATE --duration 90 --until-file "$stop" --rx-ns "$dc2" \
	>"$IKE_DIR/lm.ri" 2>&1 &
lm2=$!
end=$((SECONDS + 60))
while [ $SECONDS -lt $end ]; do
	ike_log_count "$CHILD_REKEYED" "$IKE_REKEYED"
	[ "${IKE_LOG_N[0]:-0}" -ge 3 ] && [ "${IKE_LOG_N[1]:-0}" -ge 3 ] && break
	ike_nap 0.5
done
ike_nap 1	# the last rekey's old SAs go: traffic goes on over the new ones
touch "$stop"
wait $lm1 $lm2
ike_log_count "$CHILD_REKEYED" "$IKE_REKEYED"
c=${IKE_LOG_N[0]:-0} i=${IKE_LOG_N[1]:-0}
check "rk: 3 child SA rekeys under traffic (saw $c)" test "$c" -ge 3
check "ri: 3 IKE SA rekeys under traffic (saw $i)" test "$i" -ge 3
declare -A LOST
for t in rk ri; do
	sent= lost= delayed= gap=
	while read -r k v _; do
		echo "#   $t: $k $v"
		case $k in
		sent) sent=$v ;; lost) lost=$v ;; delayed) delayed=$v ;;
		gap_ms) gap=$v ;;
		esac
	done <"$IKE_DIR/lm.$t"
	LOST[$t]=${lost:-?}
	check "$t: ${sent:-?} datagrams over the rekeys, ${lost:-?} lost (longest gap ${gap:-?} ms), ${delayed:-?} over 100 ms late" \
		test "${sent:-0}" -gt $((RATE * 5)) -a "${lost:-1}" = 0
done
echo "# rekeys under $RATE datagrams/s each: rk $c child rekeys, ${LOST[rk]} lost; ri $i IKE rekeys, ${LOST[ri]} lost"

# --- DPD: the peer dies ---------------------------------------------------------
stamp "DPD: dc2's charon killed"
# the peer's box is gone: its charon killed, its kernel SAs flushed (left
# in place, ESP from dc2 would keep DPD quiet, as DPD only probes after
# dpd_delay without any packet from the peer) and its underlay addresses
# removed, so that nothing answers the gateway until dc2 is back with its
# conns loaded (a charon without conns answers IKE_SA_INIT with
# NO_PROPOSAL_CHOSEN, which ends the gateway's retries for good)
t_kill=$(now)
charon_kill dc2
ip -n "$dc2" -batch - <<EOB
xfrm state flush
xfrm policy flush
addr flush dev u2
EOB
bound=$(echo "$DPD_DELAY + $IKE_RETRANSMIT_TIMEOUT * (1 + $IKE_RETRANSMIT_BASE + $IKE_RETRANSMIT_BASE^2 + $IKE_RETRANSMIT_BASE^3) + 5" | bc)
if ike_log_wait gw '<rk\|[0-9]+> giving up after [0-9]+ retransmits' 60; then
	t_dead=${IKE_LOG_LINE%% *}
	dpd_ms=$(ms "$t_kill" "$t_dead")
	check "rk: DPD declares dc2 dead in $dpd_ms ms (bound ${bound}s: dpd_delay + retransmits + 5)" \
		awk -v d="$dpd_ms" -v b="$bound" 'BEGIN { exit !(d > 0 && d <= b * 1000) }'
	echo "#   $IKE_LOG_LINE"
else
	ktap_fail "rk: DPD declares dc2 dead within 60 s"
	ike_dump_log gw
fi
if ike_log_wait gw '<ri\|[0-9]+> giving up after [0-9]+ retransmits' 30; then
	echo "# ri: DPD declared dc2 dead $(ms "$t_kill" "${IKE_LOG_LINE%% *}") ms after the kill"
fi
check "gw: rk and ri no longer ESTABLISHED" ike_wait_gone gw 20 rk ri
check_eq "rk: nothing passes while dc2 is dead" "$RK lost" "$(ping_all $RK)"

stamp "DPD: dc2 back"
t0=$(now)
ike_check "charon-systemd dc2 restarted" charon_restart dc2
check "swanctl --load-all on dc2 again" ike_load dc2
read -r _ _ rk_da <<<"$(addrs dc2 $RK)"
read -r _ _ ri_da <<<"$(addrs dc2 $RI)"
check "dc2's underlay addresses back" ip -n "$dc2" -batch - <<EOB
addr add $rk_da/24 dev u2
addr add $ri_da/24 dev u2
EOB
# rk's dpd_action=restart and keyingtries=0 retry by themselves
ike_check "gw: rk re-established without help" ike_wait_installed gw 60 rk
echo "# dc2 restarted and loaded: rk INSTALLED again $(ms "$t0" "$(now)") ms later"
# ri may not be: when the dead peer is found by ri's IKE rekey timing out
# rather than by DPD, charon 5.9.8 logs "rekeying IKE_SA failed, peer not
# responding", destroys the IKE_SA and applies no dpd_action; it is up to
# the agent (vpnrtd) to initiate again, as done here
if [ -z "$(ike_child_line "$IKE_LAST_SAS" ri)" ]; then
	grep -E '<ri\|[0-9]+> (rekeying IKE_SA failed|restarting CHILD_SA)' "$IKE_DIR/gw.log" |
		tail -n 2 | sed 's/^/#   ri not restarted by charon: /'
	ike_swanctl gw --initiate --child ri --timeout 30 >/dev/null 2>&1
fi
ike_check "gw: ri re-established" ike_wait_installed gw 30 ri
check_eq "rk, ri: vpc reaches dc2 again" "$RK ok $RI ok" "$(ping_all $RK $RI | tr '\n' ' ' | sed 's/ $//')"

if [ $ktap_failed != 0 ]; then
	for inst in gw dc1 dc2; do ike_dump_log "$inst" 60; done
fi
ktap_finish
