# SPDX-License-Identifier: GPL-2.0
# BGP peers for vpnrtd's BGP selftests, sourced after lib.sh (and beside
# ike_lib.sh if the test needs IKE too). One real BGP speaker per network
# namespace, each with its own config, control socket and log under a
# scratch dir, the way a data-centre's router would peer with vpnrtd over
# one IPsec tunnel: BIRD 2, FRR's bgpd alone (no zebra), GoBGP, and
# ExaBGP for crafted and malformed UPDATEs.
#
#   bgp_init                          scratch dir $BGP_DIR, trap (a test's
#                                     own EXIT trap must call bgp_cleanup,
#                                     then ike_cleanup if used, then
#                                     cleanup_ns)
#   bgp_peer_start KIND NS NAME key=value...
#                                     KIND bird | frr | gobgp | exabgp;
#                                     returns once its control socket
#                                     answers (keys below)
#   bgp_peer_state NAME               Established, Idle, Active, Connect,
#                                     OpenSent, OpenConfirm or Down (one
#                                     process at most)
#   bgp_peer_wait_established NAME SECS / bgp_peer_wait_state NAME STATE SECS
#   bgp_peer_rib NAME                 the routes NAME received from its
#                                     peer (vpnrtd's side), one sorted line
#                                     each (format below)
#   bgp_peer_announce NAME PFX [ATTR...] / bgp_peer_withdraw NAME PFX
#                                     at run time
#   bgp_peer_refresh NAME             ask the peer for its routes again
#                                     (ROUTE-REFRESH / soft in)
#   bgp_peer_stop NAME [TEXT]         graceful: a Cease, with the shutdown
#                                     communication TEXT where supported
#   bgp_peer_kill NAME                SIGKILL, as a crash: no NOTIFICATION,
#                                     but the kernel closes the socket, so
#                                     the other side sees the connection
#                                     close at once (GR helper mode: its
#                                     routes are kept stale)
#   bgp_peer_freeze NAME / bgp_peer_thaw NAME
#                                     SIGSTOP / SIGCONT: silent but
#                                     connected, for hold timer expiry
#   bgp_peer_restart NAME             stop (kill if that fails) and start
#                                     again with the same keys and the
#                                     routes announced at that time
#   bgp_peer_pid NAME                 the daemon's pid (empty if not running)
#   bgp_dump_log NAME [LINES]         the end of NAME's log as TAP comments
#   bgp_nap SECS                      sleep with a bash builtin
#   bgp_asplain AS                    asdot (1.10) to asplain (65546)
#   bgp_peers_restart WHY START WHAT KEY...
#                                     stop dc1..dcN, start each again
#                                     with the test's START K KEY
#   bgp_ipip_net [-v] [-t] [-f] [-d FUNC] N
#                                     netns gw, dc1..dcN, veths uK and
#                                     ipip tunnels (`ike: none`); below
#   bgp_ipip_lines gw|dc K...         `ip -batch` lines adding ipipK
#
# bgp_peer_start keys:
#   local=ADDR peer=ADDR   NAME's address in NS / the vpnrtd side's
#                          address (required; one family per session)
#   local_as=AS peer_as=AS asplain, or asdot (X.Y): ExaBGP 4.2 takes
#                          asdot itself; BIRD 2.0.12 ("syntax error,
#                          unexpected '.'"), FRR 8.4 (asdot came in 9.1)
#                          and GoBGP 3.10 (a TOML integer) do not, so the
#                          library hands them the asplain value
#   router_id=A.B.C.D      default: local if IPv4, else 10.255.0.N
#   md5=SECRET             TCP MD5 (RFC 2385); no " or \ in it
#   hold=30                hold time (s); keepalive hold/3
#   gr=SECS                graceful restart capability with that restart
#                          time, helper mode on (empty: no GR)
#   gr_fwd=yes             frr only, with gr=: the F bit (forwarding state
#                          preserved) in its OPEN, `bgp graceful-restart
#                          preserve-fw-state`; without it FRR sends F=0,
#                          and so does BIRD (it sets F only when started
#                          in graceful restart recovery, bird -R)
#   ttl_security=no        yes: GTSM (RFC 5082), one hop
#   passive=no             yes: wait for vpnrtd to connect
#   families=              v4, v6 or v4,v6 (default: the session's own)
#   announce="PFX[ ATTR...][,PFX[ ATTR...]...]"   routes announced from
#                          the start, e.g. "10.1.0.0/24 med=5 comm=65000:1,
#                          10.1.1.0/24"
#
# Route attributes (ATTR of announce= and bgp_peer_announce), whitespace
# separated, comm/lcomm/raw repeatable:
#   med=N                  MULTI_EXIT_DISC
#   prepend=N              the local AS N more times (N+1 in the path)
#   origin=igp|egp|incomplete
#   comm=A:B               a community (RFC 1997)
#   lcomm=A:B:C            a large community (RFC 8092)
#   raw=CODE:FLAGS:HEX     ExaBGP only: a generic attribute, e.g.
#                          raw=0x01:0x40:05 (ORIGIN 5); see
#                          Documentation/testing.rst for what it can and
#                          cannot make
#   nh=ADDR                ExaBGP only: the route's next hop (default: self),
#                          e.g. nh=0.0.0.0 for a bad NEXT_HOP
# LOCAL_PREF is not sent over eBGP, so there is no local_pref attribute.
#
# bgp_peer_rib line: "PFX next_hop=X as_path=A,B,C origin=igp med=N
# communities=A:B,C:D large_communities=A:B:C" with "-" for an absent
# MED, empty path or no communities; AS_SET segments as {A,B}. Sorted.
#
# How each daemon runs, and its times on the 2-core host with nice 19
# while another suite loaded it (expect 3-5x that in the TCG guest):
#   bird   bird -f -c CONF -s SOCK -P PIDFILE, birdc -s SOCK. From the
#          start to birdc's first answer 0.13-0.16 s; connect delay 1 s.
#   frr    /usr/lib/frr/bgpd -Z -S -u root -g root -f CONF -i PIDFILE
#          --vty_socket DIR -P 0 (no zebra, no vty TCP port), vtysh
#          --vty_socket DIR -d bgpd. vtysh answers after 0.16-0.22 s;
#          FRR sends its routes about 1 s after Established.
#   gobgp  gobgpd -f CONF.toml -p --pprof-disable --api-hosts
#          unix://SOCK, gobgp --target unix://SOCK (-u/-p cannot name a
#          unix socket: "context deadline exceeded"). Answers after
#          0.16-0.22 s (once 1.24 s), routes added by one gobgp each.
#   exabgp env exabgp_daemon_user=root exabgp_api_cli=false
#          exabgp_api_ack=false exabgp_log_destination=LOG ... exabgp
#          CONF; commands written to the FIFO NAME.api, which its API
#          process (cat) hands on; what it receives (JSON) in NAME.rx.
#          Its API process runs after 0.43-0.45 s.
# Established, from the first start of a pair to both sides: BIRD-FRR
# 1.0-1.7 s (MD5, GTSM, GR), FRR-GoBGP 1.2-1.5 s, GoBGP-BIRD 2.4 s
# (5.1 s with BIRD's default connect delay of 5 s), ExaBGP-BIRD 1.5 s.
# One bgp_peer_state: 0.01-0.03 s.

BGP_BIRD=${BGP_BIRD:-bird}
BGP_BIRDC=${BGP_BIRDC:-birdc}
BGP_FRR_BGPD=${BGP_FRR_BGPD:-/usr/lib/frr/bgpd}
BGP_VTYSH=${BGP_VTYSH:-vtysh}
BGP_GOBGPD=${BGP_GOBGPD:-gobgpd}
BGP_GOBGP=${BGP_GOBGP:-gobgp}
BGP_EXABGP=${BGP_EXABGP:-exabgp}
# how long a daemon may take to answer on its control socket: by the
# clock, since a debug guest on a loaded host took 15 s to FRR's first
# log line, and 100 rounds of 0.1 s (with a client start each) gave up
BGP_START_SECS=${BGP_START_SECS:-120}

BGP_DIR=
BGP_PEERS=()
declare -A BGP_KIND=() BGP_NS=() BGP_PID=() BGP_OPT=()

# bgp_init: the scratch dir, the helpers, the cleanup trap
bgp_init() {
	BGP_DIR=$(mktemp -d /run/vpnrt-bgp.XXXXXX) || return 1
	trap 'bgp_cleanup; cleanup_ns' EXIT
	# a pipe nobody writes to: bgp_nap sleeps on it without a process
	exec {BGP_NAPFD}<> <(:)
	# ExaBGP's API process: what ExaBGP sends it (JSON, one message a
	# line) is appended to NAME.rx; what the test writes to the FIFO
	# NAME.api goes to ExaBGP. The FIFO is opened read-write, so cat
	# never sees an end of file between two writers.
	cat >"$BGP_DIR/exabgp-api" <<'EOS' || return 1
#!/bin/sh
d=$(dirname "$0")
echo $$ >"$d/$1.api.pid"
# an asynchronous command's stdin is /dev/null in sh, even with <&0
exec 3<&0
cat <&3 >>"$d/$1.rx" &
exec 3<&-
exec cat 0<>"$d/$1.api"
EOS
	chmod 755 "$BGP_DIR/exabgp-api"
	# ExaBGP's received UPDATEs (NAME.rx) replayed into a RIB
	cat >"$BGP_DIR/exabgp-rib.py" <<'EOS' || return 1
import json, sys
rib = {}
for line in open(sys.argv[1]):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("type") == "state" and m["neighbor"].get("state") == "down":
        rib = {}
        continue
    if m.get("type") != "update":
        continue
    u = m["neighbor"]["message"].get("update", {})
    for fam, lst in u.get("withdraw", {}).items():
        for n in lst:
            rib.pop(n["nlri"], None)
    a = u.get("attribute", {})
    path = ",".join("{%s}" % ",".join(map(str, x)) if isinstance(x, list)
                    else str(x) for x in a.get("as-path", [])) or "-"
    comm = ",".join("%d:%d" % tuple(c) for c in a.get("community", [])) or "-"
    lcomm = ",".join("%d:%d:%d" % tuple(c) for c in a.get("large-community", [])) or "-"
    for fam, nhs in u.get("announce", {}).items():
        for nh, lst in nhs.items():
            for n in lst:
                rib[n["nlri"]] = "%s next_hop=%s as_path=%s origin=%s med=%s communities=%s large_communities=%s" % (
                    n["nlri"], nh, path, a.get("origin", "-"), a.get("med", "-"), comm, lcomm)
for k in sorted(rib):
    print(rib[k])
EOS
}

# ---- waiting in the tests ----

# ms_since T0: milliseconds since $EPOCHREALTIME T0, no process
ms_since() {
	local n=${EPOCHREALTIME/./} s=${1/./}
	echo $(((10#$n - 10#$s) / 1000))
}

# secs MS: "1.234"
secs() {
	printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
}

# WAIT_CAP: the most any wait may take; a test lowers it once no session
# came up at all, so that a vpnrtd without a speaker fails fast
WAIT_CAP=${WAIT_CAP:-999}

# until_eq SECS WANT CMD...: poll CMD every 0.3 s until its output is
# WANT (true) or SECS passed (false); the last output in GOT, the time
# taken in TOOK_MS
until_eq() {
	local s=$1 want=$2 t0=$EPOCHREALTIME end
	shift 2
	[ "$s" -gt "$WAIT_CAP" ] && s=$WAIT_CAP
	end=$((SECONDS + s))
	while :; do
		GOT=$("$@" 2>&1)
		[ "$GOT" = "$want" ] && { TOOK_MS=$(ms_since "$t0"); return 0; }
		[ $SECONDS -ge $end ] && break
		bgp_nap 0.3
	done
	TOOK_MS=$(ms_since "$t0")
	return 1
}

# check_until "what" SECS WANT CMD...: one KTAP line; on failure both
# values and the time waited
check_until() {
	local what=$1
	shift
	if until_eq "$@"; then
		ktap_ok "$what ($(secs "$TOOK_MS") s)"
	else
		ktap_fail "$what"
		echo "#   expected: $2"
		echo "#   actual:   $GOT (after $(secs "$TOOK_MS") s)"
		return 1
	fi
}

# bgp_nap SECS: sleep with a bash builtin (sleep(1) is a process start)
bgp_nap() {
	read -r -t "$1" -u "$BGP_NAPFD" _ || :
}

# bgp_asplain AS: an asdot AS (X.Y) as asplain; asplain unchanged
bgp_asplain() {
	case $1 in
	*.*) echo $(((${1%%.*} << 16) + ${1#*.})) ;;
	*) echo "$1" ;;
	esac
}

# _bgp_o NAME KEY: one of NAME's keys
_bgp_o() {
	echo "${BGP_OPT[$1.$2]:-}"
}

# _bgp_fam PFX|ADDR: v4 or v6
_bgp_fam() {
	case $1 in *:*) echo v6 ;; *) echo v4 ;; esac
}

# _bgp_routes NAME: NAME's announced routes, "PFX ATTR..." a line
_bgp_routes() {
	cat "$BGP_DIR/$1.routes" 2>/dev/null
}

# _bgp_attr ATTRS KEY: the values of KEY= in a route's ATTRS, one a line
_bgp_attr() {
	local a
	for a in $1; do
		case $a in "$2="*) echo "${a#*=}" ;; esac
	done
}

# _bgp_check_attrs KIND ATTR...: refuse unknown route attributes
_bgp_check_attrs() {
	local kind=$1 a
	shift
	for a in "$@"; do
		case $a in
		med=*|prepend=*|origin=*|comm=*|lcomm=*) ;;
		raw=*|nh=*) [ "$kind" = exabgp ] || {
				echo "bgp_lib: ${a%%=*}= is for exabgp peers only" >&2
				return 1
			} ;;
		*)	echo "bgp_lib: unknown route attribute '$a'" >&2
			return 1 ;;
		esac
	done
}

# ---- BIRD ----

_bgp_bird_conf() {
	local n=$1 d=$BGP_DIR pfx attrs v f las fams
	las=$(bgp_asplain "$(_bgp_o "$n" local_as)")
	fams=$(_bgp_o "$n" families)
	{
		echo "router id $(_bgp_o "$n" router_id);"
		echo "log \"$d/$n.log\" all;"
		echo "timeformat log \"%F %T.%3f\";"
		echo "protocol device {}"
		for f in v4 v6; do
			[[ $fams == *$f* ]] || continue
			echo "protocol static st_$f {"
			echo "	ip$f;"
			while read -r pfx attrs; do
				[ "$(_bgp_fam "$pfx")" = "$f" ] && echo "	route $pfx blackhole;"
			done < <(_bgp_routes "$n")
			echo "}"
		done
		# attributes in the export filter: BIRD drops a MED set on
		# the static route when it exports to an eBGP peer
		echo "filter bgp_out {"
		echo "	if source != RTS_STATIC then reject;"
		while read -r pfx attrs; do
			[ -n "$attrs" ] || continue
			echo "	if net = $pfx then {"
			for v in $(_bgp_attr "$attrs" med); do echo "		bgp_med = $v;"; done
			for v in $(_bgp_attr "$attrs" origin); do
				echo "		bgp_origin = ORIGIN_${v^^};"
			done
			for v in $(_bgp_attr "$attrs" prepend); do
				for ((i = 0; i < v; i++)); do echo "		bgp_path.prepend($las);"; done
			done
			for v in $(_bgp_attr "$attrs" comm); do
				echo "		bgp_community.add(($(tr : , <<<"$v")));"
			done
			for v in $(_bgp_attr "$attrs" lcomm); do
				echo "		bgp_large_community.add(($(tr : , <<<"$v")));"
			done
			echo "	}"
		done < <(_bgp_routes "$n")
		echo "	accept;"
		echo "}"
		echo "protocol bgp peer {"
		echo "	local $(_bgp_o "$n" local) as $las;"
		echo "	neighbor $(_bgp_o "$n" peer) as $(bgp_asplain "$(_bgp_o "$n" peer_as)");"
		echo "	hold time $(_bgp_o "$n" hold);"
		echo "	keepalive time $(($(_bgp_o "$n" hold) / 3));"
		# BIRD waits 5 s before its first connect, 120 s before it
		# connects again, 60 s after an error
		echo "	connect delay time 1;"
		echo "	connect retry time 2;"
		echo "	error wait time 1, 8;"
		# state changes and errors in the log
		echo "	debug { states, events };"
		[ -n "$(_bgp_o "$n" md5)" ] && echo "	password \"$(_bgp_o "$n" md5)\";"
		[ "$(_bgp_o "$n" ttl_security)" = yes ] && echo "	ttl security on;"
		[ "$(_bgp_o "$n" passive)" = yes ] && echo "	passive on;"
		if [ -n "$(_bgp_o "$n" gr)" ]; then
			echo "	graceful restart on;"
			echo "	graceful restart time $(_bgp_o "$n" gr);"
		else
			echo "	graceful restart off;"
		fi
		for f in v4 v6; do
			[[ $fams == *$f* ]] || continue
			echo "	ip$f { import all; export filter bgp_out; };"
		done
		echo "}"
	} >"$d/$n.conf"
}

_bgp_birdc() {
	"$BGP_BIRDC" -s "$BGP_DIR/$1.ctl" "${@:2}"
}

_bgp_bird_start() {
	local n=$1
	rm -f "$BGP_DIR/$n.ctl"
	ip netns exec "${BGP_NS[$n]}" "$BGP_BIRD" -f -c "$BGP_DIR/$n.conf" \
		-s "$BGP_DIR/$n.ctl" -P "$BGP_DIR/$n.pid" >>"$BGP_DIR/$n.out" 2>&1 </dev/null &
	BGP_PID[$n]=$!
	disown "${BGP_PID[$n]}"
	local end=$((SECONDS + BGP_START_SECS))
	while [ $SECONDS -lt $end ]; do
		[ -S "$BGP_DIR/$n.ctl" ] && _bgp_birdc "$n" show status >/dev/null 2>&1 && return 0
		_bgp_alive "$n" || return 1
		bgp_nap 0.1
	done
	echo "# bgp bird $n: no answer on its control socket within $BGP_START_SECS s" >&2
	return 1
}

# ---- FRR's bgpd, without zebra ----

# _bgp_frr_rm PFX: the route-map name of an announced prefix
_bgp_frr_rm() {
	local r=${1//\//_}
	echo "ann_${r//:/_}"
}

# _bgp_frr_rmap NAME PFX ATTRS: the route-map lines of one prefix
_bgp_frr_rmap() {
	local n=$1 pfx=$2 attrs=$3 v p las i c=
	las=$(bgp_asplain "$(_bgp_o "$n" local_as)")
	echo "route-map $(_bgp_frr_rm "$pfx") permit 10"
	for v in $(_bgp_attr "$attrs" med); do echo " set metric $v"; done
	for v in $(_bgp_attr "$attrs" origin); do echo " set origin $v"; done
	for v in $(_bgp_attr "$attrs" prepend); do
		p=
		for ((i = 0; i < v; i++)); do p+=" $las"; done
		echo " set as-path prepend$p"
	done
	for v in $(_bgp_attr "$attrs" comm); do c+=" $v"; done
	[ -n "$c" ] && echo " set community$c"
	c=
	for v in $(_bgp_attr "$attrs" lcomm); do c+=" $v"; done
	[ -n "$c" ] && echo " set large-community$c"
	echo "exit"
}

_bgp_frr_conf() {
	local n=$1 d=$BGP_DIR p f fams pfx attrs hold
	p=$(_bgp_o "$n" peer) fams=$(_bgp_o "$n" families) hold=$(_bgp_o "$n" hold)
	{
		echo "frr defaults traditional"
		echo "hostname $n"
		echo "log file $d/$n.log informational"
		echo "log timestamp precision 3"
		while read -r pfx attrs; do
			_bgp_frr_rmap "$n" "$pfx" "$attrs"
		done < <(_bgp_routes "$n")
		echo "router bgp $(bgp_asplain "$(_bgp_o "$n" local_as)")"
		echo " bgp router-id $(_bgp_o "$n" router_id)"
		# up/down and NOTIFICATIONs in the log ("traditional" logs none)
		echo " bgp log-neighbor-changes"
		# "traditional" refuses eBGP routes without a policy (RFC 8212)
		echo " no bgp ebgp-requires-policy"
		# without zebra a network statement would wait for a route in
		# the RIB that never comes
		echo " no bgp network import-check"
		echo " no bgp default ipv4-unicast"
		if [ -n "$(_bgp_o "$n" gr)" ]; then
			echo " bgp graceful-restart"
			echo " bgp graceful-restart restart-time $(_bgp_o "$n" gr)"
			[ "$(_bgp_o "$n" gr_fwd)" = yes ] &&
				echo " bgp graceful-restart preserve-fw-state"
		fi
		echo " neighbor $p remote-as $(bgp_asplain "$(_bgp_o "$n" peer_as)")"
		echo " neighbor $p update-source $(_bgp_o "$n" local)"
		echo " neighbor $p timers $((hold / 3)) $hold"
		echo " neighbor $p timers connect 2"
		[ -n "$(_bgp_o "$n" md5)" ] && echo " neighbor $p password $(_bgp_o "$n" md5)"
		[ "$(_bgp_o "$n" ttl_security)" = yes ] && echo " neighbor $p ttl-security hops 1"
		[ "$(_bgp_o "$n" passive)" = yes ] && echo " neighbor $p passive"
		for f in v4 v6; do
			[[ $fams == *$f* ]] || continue
			echo " address-family ip$f unicast"
			echo "  neighbor $p activate"
			while read -r pfx attrs; do
				[ "$(_bgp_fam "$pfx")" = "$f" ] || continue
				echo "  network $pfx${attrs:+ route-map $(_bgp_frr_rm "$pfx")}"
			done < <(_bgp_routes "$n")
			echo " exit-address-family"
		done
		echo "exit"
	} >"$d/$n.conf"
}

_bgp_vtysh() {
	"$BGP_VTYSH" --vty_socket "$BGP_DIR/$1.vty" -d bgpd "${@:2}"
}

_bgp_frr_start() {
	local n=$1
	mkdir -p "$BGP_DIR/$n.vty"
	rm -f "$BGP_DIR/$n.vty/bgpd.vty"
	# -Z: no zebra; -S: no capability and user checks (root already);
	# -P 0: no vty TCP port; the vty socket dir is per instance
	ip netns exec "${BGP_NS[$n]}" "$BGP_FRR_BGPD" -Z -S -u root -g root \
		-f "$BGP_DIR/$n.conf" -i "$BGP_DIR/$n.pid" \
		--vty_socket "$BGP_DIR/$n.vty" -P 0 --log "file:$BGP_DIR/$n.log" \
		>>"$BGP_DIR/$n.out" 2>&1 </dev/null &
	BGP_PID[$n]=$!
	disown "${BGP_PID[$n]}"
	local end=$((SECONDS + BGP_START_SECS))
	while [ $SECONDS -lt $end ]; do
		[ -S "$BGP_DIR/$n.vty/bgpd.vty" ] &&
			_bgp_vtysh "$n" -c "show bgp summary" >/dev/null 2>&1 && return 0
		_bgp_alive "$n" || return 1
		bgp_nap 0.1
	done
	echo "# bgp frr $n: no answer on its vty within $BGP_START_SECS s" >&2
	return 1
}

# ---- GoBGP ----

_bgp_gobgp_conf() {
	local n=$1 f fams
	fams=$(_bgp_o "$n" families)
	{
		echo "[global.config]"
		echo "  as = $(bgp_asplain "$(_bgp_o "$n" local_as)")"
		echo "  router-id = \"$(_bgp_o "$n" router_id)\""
		echo "  local-address-list = [\"$(_bgp_o "$n" local)\"]"
		echo "[[neighbors]]"
		echo "  [neighbors.config]"
		echo "    neighbor-address = \"$(_bgp_o "$n" peer)\""
		echo "    peer-as = $(bgp_asplain "$(_bgp_o "$n" peer_as)")"
		[ -n "$(_bgp_o "$n" md5)" ] && echo "    auth-password = \"$(_bgp_o "$n" md5)\""
		echo "  [neighbors.timers.config]"
		echo "    hold-time = $(_bgp_o "$n" hold)"
		echo "    keepalive-interval = $(($(_bgp_o "$n" hold) / 3))"
		echo "    connect-retry = 2"
		echo "  [neighbors.transport.config]"
		echo "    local-address = \"$(_bgp_o "$n" local)\""
		[ "$(_bgp_o "$n" passive)" = yes ] && echo "    passive-mode = true"
		if [ "$(_bgp_o "$n" ttl_security)" = yes ]; then
			echo "  [neighbors.ttl-security.config]"
			echo "    enabled = true"
			echo "    ttl-min = 255"
		fi
		if [ -n "$(_bgp_o "$n" gr)" ]; then
			echo "  [neighbors.graceful-restart.config]"
			echo "    enabled = true"
			echo "    restart-time = $(_bgp_o "$n" gr)"
		fi
		for f in v4 v6; do
			[[ $fams == *$f* ]] || continue
			echo "  [[neighbors.afi-safis]]"
			echo "    [neighbors.afi-safis.config]"
			echo "      afi-safi-name = \"ip$f-unicast\""
			if [ -n "$(_bgp_o "$n" gr)" ]; then
				echo "    [neighbors.afi-safis.mp-graceful-restart.config]"
				echo "      enabled = true"
			fi
		done
	} >"$BGP_DIR/$n.toml"
}

_bgp_gobgp() {
	"$BGP_GOBGP" --target "unix://$BGP_DIR/$1.sock" "${@:2}"
}

# _bgp_gobgp_add NAME PFX ATTRS: gobgp global rib add
_bgp_gobgp_add() {
	local n=$1 pfx=$2 attrs=$3 v i args=() las path='' c='' origin=igp
	las=$(bgp_asplain "$(_bgp_o "$n" local_as)")
	for v in $(_bgp_attr "$attrs" med); do args+=(med "$v"); done
	# the gobgp client's default origin is incomplete; the others' igp
	for v in $(_bgp_attr "$attrs" origin); do origin=$v; done
	args+=(origin "$origin")
	for v in $(_bgp_attr "$attrs" prepend); do
		for ((i = 0; i < v; i++)); do path+=" $las"; done
	done
	[ -n "$path" ] && args+=(aspath "${path# }")
	for v in $(_bgp_attr "$attrs" comm); do c+=",$v"; done
	[ -n "$c" ] && args+=(community "${c#,}")
	c=
	for v in $(_bgp_attr "$attrs" lcomm); do c+=",$v"; done
	[ -n "$c" ] && args+=(large-community "${c#,}")
	_bgp_gobgp "$n" global rib -a "ip$(_bgp_fam "$pfx")" add "$pfx" "${args[@]}"
}

_bgp_gobgp_start() {
	local n=$1 pfx attrs
	rm -f "$BGP_DIR/$n.sock"
	ip netns exec "${BGP_NS[$n]}" "$BGP_GOBGPD" -f "$BGP_DIR/$n.toml" -p \
		--pprof-disable --api-hosts "unix://$BGP_DIR/$n.sock" \
		>>"$BGP_DIR/$n.log" 2>&1 </dev/null &
	BGP_PID[$n]=$!
	disown "${BGP_PID[$n]}"
	local end=$((SECONDS + BGP_START_SECS))
	until [ -S "$BGP_DIR/$n.sock" ] && _bgp_gobgp "$n" global >/dev/null 2>&1; do
		_bgp_alive "$n" || return 1
		if [ $SECONDS -ge $end ]; then
			echo "# bgp gobgp $n: no answer on its API socket within $BGP_START_SECS s" >&2
			return 1
		fi
		bgp_nap 0.1
	done
	while read -r pfx attrs; do
		_bgp_gobgp_add "$n" "$pfx" "$attrs" >/dev/null || return 1
	done < <(_bgp_routes "$n")
}

# ---- ExaBGP ----

# _bgp_exa_route NAME PFX ATTRS: "route PFX next-hop self ..." of ExaBGP
_bgp_exa_route() {
	local r
	_bgp_exa_route_v r "$@"
	echo "$r"
}

# _bgp_exa_route_v VAR NAME PFX ATTRS: _bgp_exa_route's line in VAR, with
# builtins only (a command substitution is a fork: tens of ms each in a
# TCG guest, and a route took ten of them)
_bgp_exa_route_v() {
	local __n=$2 __pfx=$3 __attrs=$4 __las __nh= __raw= __med= __org= \
		__path __c= __lc= __a __v __i __code __flags __hex __out
	# its as-path takes asplain only (local-as takes asdot)
	__las=${BGP_OPT[$__n.local_as]:-}
	case $__las in *.*) __las=$(((${__las%%.*} << 16) + ${__las#*.})) ;; esac
	__path=$__las
	for __a in $__attrs; do
		__v=${__a#*=}
		case $__a in
		nh=*) __nh=$__v ;;
		# generic attributes first: ExaBGP keeps the first attribute
		# of a type code, so a raw AS_PATH (0x02) wins over the as-path
		raw=*)	IFS=: read -r __code __flags __hex <<<"$__v"
			__raw+=" attribute [ $__code $__flags 0x$__hex ]" ;;
		med=*) __med+=" med $__v" ;;
		origin=*) __org+=" origin $__v" ;;
		# ExaBGP does not put its own AS in front on eBGP: the path
		# is sent as given (without as-path: its own AS alone)
		prepend=*) for ((__i = 0; __i < __v; __i++)); do __path+=" $__las"; done ;;
		comm=*) __c+=" $__v" ;;
		lcomm=*) __lc+=" $__v" ;;
		esac
	done
	__out="route $__pfx next-hop ${__nh:-self}$__raw$__med$__org as-path [ $__path ]"
	[ -n "$__c" ] && __out+=" community [$__c ]"
	[ -n "$__lc" ] && __out+=" large-community [$__lc ]"
	printf -v "$1" '%s' "$__out"
}

_bgp_exabgp_conf() {
	local n=$1 f fams pfx attrs r
	fams=${BGP_OPT[$n.families]:-}
	{
		echo "process api {"
		echo "	run $BGP_DIR/exabgp-api $n;"
		echo "	encoder json;"
		echo "}"
		echo "neighbor ${BGP_OPT[$n.peer]:-} {"
		echo "	router-id ${BGP_OPT[$n.router_id]:-};"
		echo "	local-address ${BGP_OPT[$n.local]:-};"
		echo "	local-as ${BGP_OPT[$n.local_as]:-};"
		echo "	peer-as ${BGP_OPT[$n.peer_as]:-};"
		echo "	hold-time ${BGP_OPT[$n.hold]:-};"
		[ -n "${BGP_OPT[$n.md5]:-}" ] && echo "	md5-password \"${BGP_OPT[$n.md5]}\";"
		if [ "${BGP_OPT[$n.ttl_security]:-}" = yes ]; then
			echo "	outgoing-ttl 255;"
			echo "	incoming-ttl 255;"
		fi
		[ "${BGP_OPT[$n.passive]:-}" = yes ] && echo "	passive true;"
		echo "	family {"
		for f in v4 v6; do
			[[ $fams == *$f* ]] && echo "		ip$f unicast;"
		done
		echo "	}"
		echo "	capability {"
		echo "		route-refresh;"
		[ -n "${BGP_OPT[$n.gr]:-}" ] && echo "		graceful-restart ${BGP_OPT[$n.gr]};"
		echo "	}"
		echo "	api {"
		echo "		processes [ api ];"
		echo "		neighbor-changes;"
		echo "		receive { parsed; update; notification; }"
		echo "	}"
		echo "	static {"
		while read -r pfx attrs; do
			_bgp_exa_route_v r "$n" "$pfx" "$attrs"
			echo "		$r;"
		done <"$BGP_DIR/$n.routes"
		echo "	}"
		echo "}"
	} >"$BGP_DIR/$n.conf"
}

_bgp_exabgp_start() {
	local n=$1 i
	rm -f "$BGP_DIR/$n.api" "$BGP_DIR/$n.api.pid"
	mkfifo "$BGP_DIR/$n.api" || return 1
	echo "--- start $EPOCHREALTIME" >>"$BGP_DIR/$n.rx"
	# the tcp.bind address makes it listen (passive, or a collision)
	ip netns exec "${BGP_NS[$n]}" env exabgp_daemon_user=root \
		exabgp_daemon_drop=false exabgp_api_cli=false exabgp_api_ack=false \
		exabgp_log_destination="$BGP_DIR/$n.log" exabgp_log_packets=true \
		exabgp_tcp_bind="$(_bgp_o "$n" local)" exabgp_tcp_port=179 \
		"$BGP_EXABGP" "$BGP_DIR/$n.conf" >>"$BGP_DIR/$n.out" 2>&1 </dev/null &
	BGP_PID[$n]=$!
	disown "${BGP_PID[$n]}"
	# ready when its API process runs: Python's imports alone take
	# 10-20 s in a TCG guest (0.4 s on the host)
	for ((i = 0; i < 600; i++)); do
		[ -s "$BGP_DIR/$n.api.pid" ] && return 0
		_bgp_alive "$n" || return 1
		bgp_nap 0.1
	done
	return 1
}

# _bgp_exa NAME COMMAND: one API command (no process: a FIFO write)
_bgp_exa() {
	echo "$2" >"$BGP_DIR/$1.api"
}

# ---- common ----

_bgp_alive() {
	[ -n "${BGP_PID[$1]:-}" ] && kill -0 "${BGP_PID[$1]}" 2>/dev/null
}

bgp_peer_pid() {
	_bgp_alive "$1" && echo "${BGP_PID[$1]}"
}

# _bgp_launch NAME: write NAME's config and start its daemon
_bgp_launch() {
	local n=$1 kind=${BGP_KIND[$1]}
	"_bgp_${kind}_conf" "$n" || return 1
	echo "--- start $EPOCHREALTIME" >>"$BGP_DIR/$n.out"
	if ! "_bgp_${kind}_start" "$n"; then
		echo "# bgp $kind $n did not start or answer:" >&2
		tail -n 20 "$BGP_DIR/$n.out" "$BGP_DIR/$n.log" 2>/dev/null | sed 's/^/#   /' >&2
		return 1
	fi
}

bgp_peer_start() {
	local kind=$1 ns=$2 n=$3 kv k v item items pfx attrs
	shift 3
	case $kind in
	bird|frr|gobgp|exabgp) ;;
	*) echo "bgp_peer_start: unknown kind '$kind'" >&2; return 1 ;;
	esac
	case " ${BGP_PEERS[*]} " in
	*" $n "*) ;;
	*) BGP_PEERS+=("$n") ;;
	esac
	BGP_KIND[$n]=$kind BGP_NS[$n]=$ns
	for k in local peer local_as peer_as router_id md5 gr gr_fwd families announce; do
		BGP_OPT[$n.$k]=
	done
	BGP_OPT[$n.hold]=30 BGP_OPT[$n.ttl_security]=no BGP_OPT[$n.passive]=no
	for kv in "$@"; do
		k=${kv%%=*} v=${kv#*=}
		case $k in
		local|peer|local_as|peer_as|router_id|md5|hold|gr|gr_fwd|\
		ttl_security|passive|families|announce)
			BGP_OPT[$n.$k]=$v ;;
		*)	echo "bgp_peer_start $n: unknown key '$k'" >&2
			return 1 ;;
		esac
	done
	for k in local peer local_as peer_as; do
		[ -n "${BGP_OPT[$n.$k]}" ] || { echo "bgp_peer_start $n: $k= is required" >&2; return 1; }
	done
	if [ -n "${BGP_OPT[$n.gr_fwd]}" ] && [ "$kind" != frr ]; then
		echo "bgp_peer_start $n: gr_fwd= is for frr peers only" >&2
		return 1
	fi
	case ${BGP_OPT[$n.md5]} in
	*'"'*|*\\*|*' '*)
		echo "bgp_peer_start $n: md5= with a quote, backslash or space" >&2
		return 1 ;;
	esac
	[ -n "${BGP_OPT[$n.families]}" ] || BGP_OPT[$n.families]=$(_bgp_fam "${BGP_OPT[$n.local]}")
	if [ -z "${BGP_OPT[$n.router_id]}" ]; then
		if [ "$(_bgp_fam "${BGP_OPT[$n.local]}")" = v4 ]; then
			BGP_OPT[$n.router_id]=${BGP_OPT[$n.local]}
		else
			BGP_OPT[$n.router_id]=10.255.0.${#BGP_PEERS[@]}
		fi
	fi
	: >"$BGP_DIR/$n.routes"
	IFS=, read -r -a items <<<"${BGP_OPT[$n.announce]}"
	for item in "${items[@]}"; do
		read -r pfx attrs <<<"$item"
		[ -n "$pfx" ] || continue
		# shellcheck disable=SC2086 # the attributes are words
		_bgp_check_attrs "$kind" $attrs || return 1
		echo "$pfx${attrs:+ $attrs}" >>"$BGP_DIR/$n.routes"
	done
	_bgp_launch "$n"
}

# bgp_peer_state NAME: Established, Idle, Connect, Active, OpenSent,
# OpenConfirm, or Down (the daemon is not running)
bgp_peer_state() {
	local n=$1 out s=
	_bgp_alive "$n" || { echo Down; return 0; }
	case ${BGP_KIND[$n]} in
	bird)
		# "peer BGP --- up 21:50:51.794 Established"
		local re='(^|'$'\n'')peer +BGP +[^ ]+ +[a-z]+ +[^ ]+ +([A-Za-z]+)'
		out=$(_bgp_birdc "$n" show protocols peer 2>/dev/null)
		[[ $out =~ $re ]] && s=${BASH_REMATCH[2]} ;;
	frr)
		out=$(_bgp_vtysh "$n" -c "show bgp neighbors $(_bgp_o "$n" peer) json" 2>/dev/null)
		[[ $out =~ \"bgpState\":\"([A-Za-z]+)\" ]] && s=${BASH_REMATCH[1]} ;;
	gobgp)
		out=$(_bgp_gobgp "$n" neighbor "$(_bgp_o "$n" peer)" 2>/dev/null)
		[[ $out =~ BGP\ state\ =\ ([A-Za-z]+) ]] && s=${BASH_REMATCH[1],,}
		case $s in
		established) s=Established ;; active) s=Active ;; idle) s=Idle ;;
		connect) s=Connect ;; opensent) s=OpenSent ;;
		openconfirm) s=OpenConfirm ;;
		esac ;;
	exabgp)
		# the last neighbor-changes message of its API
		local line
		s=Idle
		while IFS= read -r line; do
			[[ $line == "--- start"* ]] && s=Idle
			[[ $line =~ \"type\":\ \"state\".*\"state\":\ \"([a-z]+)\" ]] || continue
			case ${BASH_REMATCH[1]} in
			up) s=Established ;; connected) s=OpenSent ;; *) s=Idle ;;
			esac
		done <"$BGP_DIR/$n.rx" ;;
	esac
	echo "${s:-Idle}"
}

# bgp_peer_wait_state NAME STATE SECS: until NAME is in STATE (true) or
# SECS passed (false, the last state on stderr)
bgp_peer_wait_state() {
	local n=$1 want=$2 end=$((SECONDS + $3)) s
	while :; do
		s=$(bgp_peer_state "$n")
		[ "$s" = "$want" ] && return 0
		[ $SECONDS -ge $end ] && break
		bgp_nap 0.3
	done
	echo "# bgp $n: $s, not $want, after $3 s" >&2
	return 1
}

bgp_peer_wait_established() {
	bgp_peer_wait_state "$1" Established "$2"
}

# bgp_peer_rib NAME: see the header for the line format
bgp_peer_rib() {
	local n=$1 p f
	p=$(_bgp_o "$n" peer)
	case ${BGP_KIND[$n]} in
	bird)
		_bgp_birdc "$n" show route protocol peer all 2>/dev/null | awk '
			function out() {
				if (pfx == "") return
				printf "%s next_hop=%s as_path=%s origin=%s med=%s communities=%s large_communities=%s\n",
					pfx, nh, path, org, med, comm, lcomm
				pfx = "" }
			/^[0-9a-f.:]+\/[0-9]+ / { out(); pfx = $1; nh = "-"; path = "-"; org = "-"
				med = "-"; comm = "-"; lcomm = "-"; next }
			/^\tBGP\.origin:/ { org = tolower($2) }
			/^\tBGP\.next_hop:/ { nh = $2 }
			/^\tBGP\.med:/ { med = $2 }
			/^\tBGP\.as_path:/ { sub(/^\tBGP\.as_path: */, ""); gsub(/\{ */, "{")
				gsub(/ *\}/, "}"); gsub(/ +/, ","); path = ($0 == "" ? "-" : $0) }
			/^\tBGP\.community:/ { sub(/^\tBGP\.community: */, ""); gsub(/[()]/, "")
				gsub(/,/, ":"); gsub(/ +/, ","); comm = $0 }
			/^\tBGP\.large_community:/ { sub(/^\tBGP\.large_community: */, "")
				gsub(/\) \(/, ";"); gsub(/[() ]/, ""); gsub(/,/, ":"); gsub(/;/, ",")
				lcomm = $0 }
			END { out() }' | sort ;;
	frr)
		for f in $(_bgp_o "$n" families | tr , ' '); do
			_bgp_vtysh "$n" -c "show bgp ip$f unicast json detail" 2>/dev/null
		done | jq -r --arg p "$p" '.routes // {} | to_entries[] | .key as $pfx | .value[]
			| select(.peer?.peerId == $p)
			| "\($pfx) next_hop=\(.nexthops[0].ip) as_path=\(
				[.aspath.segments[] | if .type == "as-set" then "{" + (.list | map(tostring) | join(",")) + "}"
				else (.list | map(tostring) | join(",")) end] | join(",") | if . == "" then "-" else . end
			) origin=\(.origin | ascii_downcase) med=\(.metric // "-") communities=\(
				.community.list // ["-"] | join(",")) large_communities=\(
				.largeCommunity.list // ["-"] | join(","))"' | sort ;;
	gobgp)
		for f in $(_bgp_o "$n" families | tr , ' '); do
			_bgp_gobgp "$n" -j neighbor "$p" adj-in -a "ip$f" 2>/dev/null
		# adj-in also holds what GoBGP drops as a loop (its own AS
		# in the path): left out, as BIRD and FRR show no such route
		done | jq -r --argjson las "$(bgp_asplain "$(_bgp_o "$n" local_as)")" '.[]? // empty | .[]? | . as $r
			| ($r.attrs // []) as $a
			| select([$a[] | select(.type == 2) | .as_paths[]?.asns[]] | index($las) | not)
			| "\($r.nlri.prefix) next_hop=\(
				([$a[] | select(.type == 3) | .nexthop] + [$a[] | select(.type == 14) | .nexthop][0:1] | first) // "-"
			) as_path=\(
				[$a[] | select(.type == 2) | .as_paths[]? | if .segment_type == 1
				then "{" + (.asns | map(tostring) | join(",")) + "}"
				else (.asns | map(tostring) | join(",")) end] | join(",") | if . == "" then "-" else . end
			) origin=\(
				[$a[] | select(.type == 1) | .value] | first | if . == 0 then "igp" elif . == 1 then "egp" elif . == 2 then "incomplete" else "-" end
			) med=\([$a[] | select(.type == 4) | .metric] | first // "-") communities=\(
				[$a[] | select(.type == 8) | .communities[] | "\(. / 65536 | floor):\(. % 65536)"] | join(",") | if . == "" then "-" else . end
			) large_communities=\(
				[$a[] | select(.type == 32) | .value[] | "\(.ASN):\(.LocalData1):\(.LocalData2)"] | join(",") | if . == "" then "-" else . end)"' | sort ;;
	exabgp)
		python3 "$BGP_DIR/exabgp-rib.py" "$BGP_DIR/$n.rx" ;;
	esac
}

# bgp_peer_announce NAME PFX [ATTR...]: announce PFX (or change its
# attributes) at run time
bgp_peer_announce() {
	local n=$1 pfx=$2 attrs
	shift 2
	_bgp_check_attrs "${BGP_KIND[$n]}" "$@" || return 1
	attrs="$*"
	_bgp_routes_set "$n" "$pfx" "$pfx${attrs:+ $attrs}"
	case ${BGP_KIND[$n]} in
	bird)	_bgp_bird_conf "$n" && _bgp_bird_reconf "$n" ;;
	frr)	_bgp_frr_conf "$n"
		{
			echo "configure terminal"
			echo "no route-map $(_bgp_frr_rm "$pfx")"
			[ -n "$attrs" ] && _bgp_frr_rmap "$n" "$pfx" "$attrs"
			echo "router bgp $(bgp_asplain "$(_bgp_o "$n" local_as)")"
			echo "address-family ip$(_bgp_fam "$pfx") unicast"
			echo "network $pfx${attrs:+ route-map $(_bgp_frr_rm "$pfx")}"
		} | _bgp_vtysh_batch "$n" ;;
	gobgp)	_bgp_gobgp "$n" global rib -a "ip$(_bgp_fam "$pfx")" del "$pfx" >/dev/null 2>&1
		_bgp_gobgp_add "$n" "$pfx" "$attrs" >/dev/null ;;
	exabgp)	_bgp_exabgp_conf "$n"
		local r
		_bgp_exa_route_v r "$n" "$pfx" "$attrs"
		_bgp_exa "$n" "announce $r" ;;
	esac
}

# bgp_peer_withdraw NAME PFX
bgp_peer_withdraw() {
	local n=$1 pfx=$2
	_bgp_routes_set "$n" "$pfx" ""
	case ${BGP_KIND[$n]} in
	bird)	_bgp_bird_conf "$n" && _bgp_bird_reconf "$n" ;;
	frr)	_bgp_frr_conf "$n"
		{
			echo "configure terminal"
			echo "router bgp $(bgp_asplain "$(_bgp_o "$n" local_as)")"
			echo "address-family ip$(_bgp_fam "$pfx") unicast"
			echo "no network $pfx"
			echo "exit"
			echo "exit"
			echo "no route-map $(_bgp_frr_rm "$pfx")"
		} | _bgp_vtysh_batch "$n" ;;
	gobgp)	_bgp_gobgp "$n" global rib -a "ip$(_bgp_fam "$pfx")" del "$pfx" >/dev/null ;;
	exabgp)	_bgp_exabgp_conf "$n"
		_bgp_exa "$n" "withdraw route $pfx next-hop self" ;;
	esac
}

# _bgp_routes_set NAME PFX LINE: replace PFX's line (empty: remove it)
_bgp_routes_set() {
	local f=$BGP_DIR/$1.routes pfx attrs out=
	while read -r pfx attrs; do
		[ "$pfx" = "$2" ] || out+="$pfx${attrs:+ $attrs}"$'\n'
	done <"$f"
	[ -n "$3" ] && out+="$3"$'\n'
	printf '%s' "$out" >"$f"
}

# _bgp_bird_reconf NAME: birdc configure, true only if BIRD says so
_bgp_bird_reconf() {
	local out
	out=$(_bgp_birdc "$1" configure 2>&1)
	[[ $out == *"Reconfigured"* ]] && return 0
	echo "# birdc configure of $1: $out" >&2
	return 1
}

# _bgp_vtysh_batch NAME: the lines on stdin as one vtysh call (-c each)
_bgp_vtysh_batch() {
	local line args=() out
	while IFS= read -r line; do args+=(-c "$line"); done
	out=$(_bgp_vtysh "$1" "${args[@]}" 2>&1)
	# vtysh exits 0 even when a line is refused
	[[ $out == *"% "* ]] && { echo "# vtysh $1: $out" >&2; return 1; }
	return 0
}

# bgp_peer_refresh NAME: ROUTE-REFRESH to the peer (soft reset in)
bgp_peer_refresh() {
	local n=$1 p
	p=$(_bgp_o "$n" peer)
	case ${BGP_KIND[$n]} in
	bird)	_bgp_birdc "$n" reload in peer >/dev/null ;;
	frr)	_bgp_vtysh "$n" -c "clear bgp $p soft in" >/dev/null ;;
	gobgp)	_bgp_gobgp "$n" neighbor "$p" softresetin >/dev/null ;;
	exabgp)	local f
		for f in $(_bgp_o "$n" families | tr , ' '); do
			_bgp_exa "$n" "announce route-refresh ip$f unicast"
		done ;;
	esac
}

# bgp_peer_stop NAME [TEXT]: a Cease to the peer, with the shutdown
# communication TEXT (RFC 8203) from BIRD, FRR and GoBGP (ExaBGP 4.2
# sends a plain Cease when it ends), then the daemon ends (SIGTERM)
bgp_peer_stop() {
	local n=$1 msg=${2:-bgp_lib stop} p i
	p=$(_bgp_o "$n" peer)
	_bgp_alive "$n" || return 0
	case ${BGP_KIND[$n]} in
	bird)	_bgp_birdc "$n" disable peer "\"$msg\"" >/dev/null ;;
	frr)	_bgp_vtysh "$n" -c "configure terminal" -c "router bgp $(bgp_asplain "$(_bgp_o "$n" local_as)")" \
			-c "neighbor $p shutdown message $msg" >/dev/null ;;
	gobgp)	_bgp_gobgp "$n" neighbor "$p" shutdown --reason "$msg" >/dev/null ;;
	esac
	kill -TERM "${BGP_PID[$n]}" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		_bgp_alive "$n" || break
		bgp_nap 0.1
	done
	_bgp_exa_helper_kill "$n"
	_bgp_alive "$n" && { echo "# bgp $n ignored SIGTERM for 10 s" >&2; return 1; }
	BGP_PID[$n]=
}

# ExaBGP's API process (cat on the FIFO) outlives a killed ExaBGP
_bgp_exa_helper_kill() {
	local pid
	[ "${BGP_KIND[$1]}" = exabgp ] || return 0
	read -r pid 2>/dev/null <"$BGP_DIR/$1.api.pid" || return 0
	kill -KILL "$pid" 2>/dev/null
	rm -f "$BGP_DIR/$1.api.pid"
}

# bgp_peer_kill NAME: SIGKILL, as a crash
bgp_peer_kill() {
	local n=$1 i
	_bgp_alive "$n" || return 0
	kill -KILL "${BGP_PID[$n]}" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		_bgp_alive "$n" || break
		bgp_nap 0.1
	done
	_bgp_exa_helper_kill "$n"
	BGP_PID[$n]=
}

# bgp_peer_restart NAME: stop, or kill if that fails, and start again
bgp_peer_restart() {
	bgp_peer_stop "$1" || bgp_peer_kill "$1"
	_bgp_launch "$1"
}

# bgp_dump_log NAME [LINES]: the end of NAME's log as TAP comments
bgp_dump_log() {
	echo "# --- last ${2:-40} lines of ${BGP_KIND[$1]:-bgp} $1's log"
	tail -n "${2:-40}" "$BGP_DIR/$1.log" 2>/dev/null | sed 's/^/#   /'
}

bgp_cleanup() {
	local n
	for n in "${BGP_PEERS[@]}"; do
		bgp_peer_kill "$n"
	done
	BGP_PEERS=()
	[ -n "$BGP_DIR" ] && [ -z "${BGP_KEEP:-}" ] && rm -rf "$BGP_DIR"
}

# bgp_peer_freeze NAME / bgp_peer_thaw NAME: SIGSTOP / SIGCONT. A frozen
# daemon's TCP connection stays open (the kernel still ACKs) but it sends
# no KEEPALIVE: the way to make the other side's hold timer expire (a
# killed daemon's socket is closed by the kernel, which the other side
# sees at once)
bgp_peer_freeze() {
	_bgp_alive "$1" && kill -STOP "${BGP_PID[$1]}"
}

bgp_peer_thaw() {
	_bgp_alive "$1" && kill -CONT "${BGP_PID[$1]}"
}

# bgp_peers_restart WHY START WHAT KEY...: stop the peers dc1..dcN (N the
# number of KEYs) with the shutdown communication WHY, all of them first,
# then start each again with `START K KEY` (the test's own start function,
# K from 1); a start that fails is a KTAP failure "KIND restarted WHAT"
bgp_peers_restart() {
	local why=$1 start=$2 what=$3 k key
	shift 3
	for ((k = 1; k <= $#; k++)); do
		bgp_peer_stop "dc$k" "$why"
	done
	k=0
	for key; do
		k=$((k + 1))
		"$start" "$k" "$key" || ktap_fail "${BGP_KIND[dc$k]} restarted $what"
	done
}

# ---- the network of the `ike: none` tests ----
# dc K's underlay: the veth uK between the gw (.1) and dcK (.2) in
# BGP_UNDERLAY[K].0/24; ipipK over it, inside 169.254.K0.0/30 (the dc .2,
# vpnrtd's local-ip .1)
BGP_UNDERLAY=([1]=192.0.2 [2]=198.51.100 [3]=203.0.113)

# bgp_ipip_lines gw|dc K...: the `ip -batch` lines adding ipipK (over uK)
# on that side and setting it up, for each K
bgp_ipip_lines() {
	local a=1 b=2 k
	[ "$1" = dc ] && a=2 b=1
	shift
	for k; do
		echo "link add ipip$k type ipip local ${BGP_UNDERLAY[$k]}.$a remote ${BGP_UNDERLAY[$k]}.$b"
		echo "link set ipip$k up"
	done
}

# bgp_ipip_net [-v] [-t] [-f] [-d FUNC] N: the netns gw and dc1..dcN
# (setup_ns: $gw, $dc1, ...), each dc joined to the gw by its veth uK,
# with ipipK in the dc (169.254.K0.2/30);
#   -v  a netns vpc first, joined to the gw by the veth v0 (vpc
#       10.10.0.2/24, default route via the gw's 10.10.0.1/24)
#   -t  ipipK in the gw too (else the test adds them later:
#       bgp_ipip_lines gw K... | ip -n "$gw" -batch -)
#   -f  forwarding on, rp_filter off in the gw and the dcs
#   -d  FUNC K prints more `ip -batch` lines for dc K (routes)
# Non-zero, with a TAP comment naming the part, on a failure.
bgp_ipip_net() {
	local opt vpc_ns="" gw_tun="" fwd="" dc_fn="" n k ks=() dcs=() dns
	OPTIND=1
	while getopts vtfd: opt; do
		case $opt in
		v) vpc_ns=vpc ;;
		t) gw_tun=1 ;;
		f) fwd=1 ;;
		d) dc_fn=$OPTARG ;;
		*) return 1 ;;
		esac
	done
	shift $((OPTIND - 1))
	n=$1
	for ((k = 1; k <= n; k++)); do
		ks+=("$k") dcs+=("dc$k")
	done
	setup_ns $vpc_ns gw "${dcs[@]}" || { echo "# bgp_ipip_net: netns"; return 1; }
	{
		[ -n "$vpc_ns" ] && echo "link add v0 netns $vpc type veth peer name v0 netns $gw"
		for k in "${ks[@]}"; do
			dns=dc$k
			echo "link add u$k netns $gw type veth peer name u$k netns ${!dns}"
		done
	} | ip -batch - || { echo "# bgp_ipip_net: veths"; return 1; }
	if [ -n "$vpc_ns" ]; then
		ip -n "$vpc" -batch - <<EOB || { echo "# bgp_ipip_net: vpc"; return 1; }
link set v0 up
addr add 10.10.0.2/24 dev v0
route add default via 10.10.0.1
EOB
	fi
	{
		[ -n "$vpc_ns" ] && printf '%s\n' "link set v0 up" "addr add 10.10.0.1/24 dev v0"
		for k in "${ks[@]}"; do
			echo "link set u$k up"
			echo "addr add ${BGP_UNDERLAY[$k]}.1/24 dev u$k"
		done
		[ -n "$gw_tun" ] && bgp_ipip_lines gw "${ks[@]}"
	} | ip -n "$gw" -batch - || { echo "# bgp_ipip_net: gw"; return 1; }
	for k in "${ks[@]}"; do
		dns=dc$k
		{
			echo "link set u$k up"
			echo "addr add ${BGP_UNDERLAY[$k]}.2/24 dev u$k"
			bgp_ipip_lines dc "$k"
			echo "addr add 169.254.${k}0.2/30 dev ipip$k"
			[ -z "$dc_fn" ] || "$dc_fn" "$k"
		} | ip -n "${!dns}" -batch - || { echo "# bgp_ipip_net: dc$k"; return 1; }
	done
	[ -n "$fwd" ] || return 0
	for dns in gw "${dcs[@]}"; do
		ip netns exec "${!dns}" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 ||
			{ echo "# bgp_ipip_net: sysctl in $dns"; return 1; }
	done
}
