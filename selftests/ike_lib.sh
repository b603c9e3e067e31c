# SPDX-License-Identifier: GPL-2.0
# strongSwan for the IKE selftests, sourced after lib.sh (and optionally
# topo.sh; this file does not need it). One charon-systemd per network
# namespace, each configured by a plain swanctl.conf loaded over its own
# VICI socket, the way a data-centre's customer gateway would be; the
# gateway's side is the same until vpnrtd drives its charon.
#
#   ike_init                          scratch dir, swanctl client conf, trap
#                                     (a test's own EXIT trap must call
#                                     ike_cleanup, then cleanup_ns)
#   charon_start NS INST [EXTRA]      start charon-systemd INST inside NS
#   charon_stop INST / charon_kill INST / charon_restart INST
#   ike_swanctl INST ARGS...          swanctl against INST's VICI socket
#   ike_conn INST NAME key=value...   add a conn (+ its PSK) to INST's config
#   ike_forget INST / ike_load INST   start afresh / write and load it
#   ike_sas INST, ike_field LINE KEY, ike_child_line SAS CHILD
#                                     one line per IKE and CHILD SA
#   ike_wait_installed INST SECS CHILD...   ike_wait_gone INST SECS IKE...
#   ike_log_wait INST ERE SECS        a line in INST's log (no processes)
#   ike_log_open INST, ike_log_count ERE...   count new lines of a log
#   ike_dump_log INST [LINES]         the end of INST's log as TAP comments
#   ike_crypto_warmup ENC:AUTH...     the kernel's ESP algorithms, made once
#   ike_xfrm_lines DEV IF_ID UNDERLAY ip -batch lines for an xfrm device
#   ike_topo_setup, ike_tunnel_lines  vpc - gw (vpngw0) - dc1, dc2; ends
#   ike_check "what" CMD...           check, in this shell; ike_nap SECS
#
# vpnrtd driving the charon of the gw netns (instance "$gw"):
#   vpnrtd_init                       $VPNRTD (default build/userspace/vpnrtd)
#                                     checked; $VPNRTD_DIR (state/) and $CONF,
#                                     its vpnrtd.yaml, under $IKE_DIR
#   vpnrtd_start [NAME=VALUE...]      vpnrtd -c $CONF in $gw in the background,
#                                     with that environment added; its pid in
#                                     $VPNRTD_PID, its output appended to
#                                     $VPNRTD_DIR/vpnrtd.log
#   vpnrtd_dump_log [LINES]           the end of that log as TAP comments
#   gwctl ARGS... / agentctl ARGS...  vpnrtctl in $gw / against vpnrtd's
#                                     control socket (a path: any netns)
#
# Paths: everything of a run lives in $IKE_DIR, a fresh directory under
# /run (not /tmp or /var/tmp); each instance's VICI socket is
# /run/charon.INST.vici, a name the Debian AppArmor profiles of charon
# allow (/run/charon.* rw). INST must be unique on the machine while the
# test runs: use the netns name (setup_ns makes it unique).
#
# Every process costs about 150 ms under TCG, swanctl about 260 ms with
# the short plugin list below (700 ms with Debian's default list, and its
# first run in a fresh guest took 8 s: af-alg probing loads dozens of
# crypto modules), charon-systemd about 1.7 s to answer on VICI. The wait
# functions poll with one swanctl per round, for all SAs at once.

IKE_SWANCTL=${IKE_SWANCTL:-swanctl}
IKE_CHARON=${IKE_CHARON:-/usr/sbin/charon-systemd}

# The daemon's plugins (Debian's modular default loads 70+, among them
# test-vectors and af-alg, which cost 10 s per start under TCG, and
# error-notify and lookip, whose fixed sockets /run/charon.enfy and
# /run/charon.lkp every instance would fight over). openssl brings DES and
# 3DES (through OpenSSL 3's legacy provider, which it loads by default),
# AES, MD5, SHA1/2 and the MODP groups. kdf is not optional: the KDF of
# the openssl plugin fails IKEv2 ("KDF_PRF with PRF_HMAC_SHA2_256 not
# supported", "key derivation failed") and kdf is the fallback that
# works; aes sha1 sha2 md5 hmac gmp are fallbacks too.
IKE_PLUGINS=${IKE_PLUGINS:-"random nonce openssl kdf aes sha1 sha2 md5 hmac gmp pem pkcs1 x509 pubkey kernel-netlink socket-default vici updown counters"}

# IKE retransmissions (strongswan.conf(5) "IKEv2 RETRANSMISSION"): the
# request is resent after timeout * base^(n-1) s for n = 1..tries, and
# the SA is given up timeout * base^tries s after the last resend. Here
# 1 + 1.5 + 2.25 + 3.375 = 8.1 s in all, instead of 165 s by default: a
# dead peer is found dpd_delay + 8.1 s after the last packet from it. A
# slower timeout would make TCG guests resend needlessly; shorter tries
# would give up on a peer busy with modp2048 under emulation.
IKE_RETRANSMIT_TIMEOUT=${IKE_RETRANSMIT_TIMEOUT:-1.0}
IKE_RETRANSMIT_BASE=${IKE_RETRANSMIT_BASE:-1.5}
IKE_RETRANSMIT_TRIES=${IKE_RETRANSMIT_TRIES:-3}

IKE_DIR=
IKE_INSTANCES=()
declare -A IKE_PID=() IKE_NS=() IKE_EXTRA=()

# ike_init: the scratch dir, the client conf of swanctl, the cleanup trap
ike_init() {
	IKE_DIR=$(mktemp -d /run/vpnrt-ike.XXXXXX) || return 1
	# swanctl loads plugins too; for PSK configs it needs none of them,
	# and pem alone keeps it from loading the 40 of Debian's list
	cat >"$IKE_DIR/swanctl-client.conf" <<EOC || return 1
swanctl {
	load = pem
}
EOC
	# swanctl --load-all --file F also reads credentials from x509/,
	# private/ ... beside F, and complains about each one missing
	mkdir -p "$IKE_DIR"/swanctl/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12} ||
		return 1
	trap 'ike_cleanup; cleanup_ns' EXIT
	# a pipe nobody writes to: ike_nap sleeps on it without a process
	exec {IKE_NAPFD}<> <(:)
}

# ike_nap SECS: sleep with a bash builtin (sleep(1) is a process start)
ike_nap() {
	read -r -t "$1" -u "$IKE_NAPFD" _ || :
}

# ike_check "what" CMD...: one KTAP line from CMD run in this shell (not
# in a subshell as lib.sh's check does, so charon_start's pid and
# IKE_LAST_SAS survive); CMD prints only "#" comments
ike_check() {
	local what=$1
	shift
	if "$@"; then
		ktap_ok "$what"
	else
		ktap_fail "$what"
	fi
}

ike_uri() {
	echo "unix:///run/charon.$1.vici"
}

# ike_swanctl INST ARGS...: swanctl against instance INST
ike_swanctl() {
	local inst=$1
	shift
	STRONGSWAN_CONF=$IKE_DIR/swanctl-client.conf \
		"$IKE_SWANCTL" "$@" --uri "$(ike_uri "$inst")"
}

# charon_write_conf INST EXTRA: INST's strongswan.conf. It includes
# Debian's file (so charon.* plugin settings apply) and overrides under
# charon-systemd, the namespace charon-systemd reads first (it falls back
# to charon.*). EXTRA is text inside that section, e.g.
# "i_dont_care_about_security_and_use_aggressive_mode_psk = yes".
charon_write_conf() {
	local inst=$1 extra=$2
	cat >"$IKE_DIR/$inst.strongswan.conf" <<EOC
include /etc/strongswan.conf

charon-systemd {
	load_modular = no
	load = $IKE_PLUGINS
	# vpnrt, not charon, routes into the tunnels; charon's table 220
	# and its ip rule would only be in the way
	install_routes = no
	install_virtual_ip = no
	routing_table = 0
	retransmit_timeout = $IKE_RETRANSMIT_TIMEOUT
	retransmit_base = $IKE_RETRANSMIT_BASE
	retransmit_tries = $IKE_RETRANSMIT_TRIES
	retransmit_jitter = 0
	# no journald in the guest
	journal {
		default = -1
	}
	plugins {
		vici {
			socket = $(ike_uri "$inst")
		}
	}
	filelog {
		ike {
			path = $IKE_DIR/$inst.log
			default = 1
			ike_name = yes
			flush_line = yes
			append = yes
			# epoch seconds with milliseconds, to compare with
			# $EPOCHREALTIME or date +%s.%N
			time_format = %s
			time_add_ms = yes
		}
	}
$extra
}
EOC
}

# charon_start NS INST [EXTRA_CONF]: start charon-systemd INST in netns NS
# in the background; returns once its VICI socket answers (20 s at most)
charon_start() {
	local ns=$1 inst=$2 extra=${3:-} sock i
	sock=/run/charon.$inst.vici
	case " ${IKE_INSTANCES[*]} " in
	*" $inst "*) ;;
	*) IKE_INSTANCES+=("$inst") ;;
	esac
	IKE_NS[$inst]=$ns
	IKE_EXTRA[$inst]=$extra
	charon_write_conf "$inst" "$extra" || return 1
	# a socket left by a killed instance would answer nothing
	rm -f "$sock"
	echo "--- start $EPOCHREALTIME" >>"$IKE_DIR/$inst.out"
	# ip netns exec and env exec: the pid is charon's own
	ip netns exec "$ns" env STRONGSWAN_CONF="$IKE_DIR/$inst.strongswan.conf" \
		"$IKE_CHARON" >>"$IKE_DIR/$inst.out" 2>&1 </dev/null &
	IKE_PID[$inst]=$!
	# no "Killed" job notice from bash when charon_kill ends it; bash
	# still reaps it, so kill -0 tells when it is gone
	disown "${IKE_PID[$inst]}"
	# wait for the socket with builtins, then ask once through it
	for ((i = 0; i < 200; i++)); do
		[ -S "$sock" ] && break
		if ! kill -0 "${IKE_PID[$inst]}" 2>/dev/null; then
			echo "# charon $inst exited during start-up:" >&2
			sed 's/^/#   /' "$IKE_DIR/$inst.out" >&2
			return 1
		fi
		ike_nap 0.1
	done
	for ((i = 0; i < 20; i++)); do
		ike_swanctl "$inst" --stats >/dev/null 2>&1 && return 0
		ike_nap 0.5
	done
	echo "# charon $inst: no answer on $(ike_uri "$inst") after 20 s" >&2
	return 1
}

# charon_wait_exit INST SECS: wait for INST's process to end
charon_wait_exit() {
	local pid=${IKE_PID[$1]:-} i
	[ -n "$pid" ] || return 0
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		ike_nap 0.1
	done
	kill -0 "$pid" 2>/dev/null && return 1
	IKE_PID[$1]=
	return 0
}

# charon_stop INST: SIGTERM (charon deletes its SAs), wait up to 10 s
charon_stop() {
	local pid=${IKE_PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	charon_wait_exit "$1" 10 || {
		echo "# charon $1 ignored SIGTERM for 10 s" >&2
		return 1
	}
}

# charon_kill INST: SIGKILL, as a crash: SAs stay in the kernel
charon_kill() {
	local pid=${IKE_PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill -KILL "$pid" 2>/dev/null
	charon_wait_exit "$1" 5
}

# charon_restart INST: stop and start again with the same netns and conf
# (its swanctl.conf must be loaded again: ike_load)
charon_restart() {
	charon_stop "$1" || charon_kill "$1"
	charon_start "${IKE_NS[$1]}" "$1" "${IKE_EXTRA[$1]}"
}

ike_cleanup() {
	local inst
	[ -n "${VPNRTD_PID:-}" ] && kill -KILL "$VPNRTD_PID" 2>/dev/null
	for inst in "${IKE_INSTANCES[@]}"; do
		[ -n "${IKE_PID[$inst]:-}" ] && kill -KILL "${IKE_PID[$inst]}" 2>/dev/null
	done
	for inst in "${IKE_INSTANCES[@]}"; do
		charon_wait_exit "$inst" 5
		rm -f "/run/charon.$inst.vici"
	done
	IKE_INSTANCES=()
	[ -n "$IKE_DIR" ] && [ -z "${IKE_KEEP:-}" ] && rm -rf "$IKE_DIR"
}

# ike_dump_log INST [LINES]: the end of INST's log as TAP comments
ike_dump_log() {
	echo "# --- last ${2:-40} lines of charon $1's log"
	tail -n "${2:-40}" "$IKE_DIR/$1.log" 2>/dev/null | sed 's/^/#   /'
}

# ike_conn INST NAME key=value...: add connection NAME, with one child
# of the same name, to INST's swanctl.conf (written by ike_load). Keys:
#   local= remote=      underlay addresses (required)
#   local_id= remote_id=  IKE identities (default: the addresses)
#   psk=                pre-shared key (required)
#   version=2           1 or 2
#   aggressive=no       yes: IKEv1 Aggressive Mode
#   ike=PROPS esp=PROPS comma-separated proposals (required); an ESP
#                       proposal without a DH group is PFS disabled
#   if_id=N             the xfrm interface's if_id, in and out (required)
#   dpd_delay=0s dpd_timeout= dpd_action=restart
#   start_action=none   none | start | trap
#   close_action=none
#   keyingtries=1       0: for ever
#   ike_rekey=4h reauth=0 over_time= ike_rand=
#   child_rekey=1h child_life= child_rand=
# (times in whole seconds with an s/m/h suffix: "0.4s" discards the conn)
# The child is route-based: 0.0.0.0/0 and ::/0 both ways, tunnel mode.
ike_conn() {
	local inst=$1 name=$2 kv k v
	shift 2
	local local= remote= local_id= remote_id= psk= version=2 aggressive=no
	local ike= esp= if_id= dpd_delay=0s dpd_timeout= dpd_action=restart
	local start_action=none close_action=none keyingtries=1
	local ike_rekey=4h reauth=0 over_time= ike_rand= child_rekey=1h
	local child_life= child_rand=
	for kv in "$@"; do
		k=${kv%%=*} v=${kv#*=}
		case $k in
		local|remote|local_id|remote_id|psk|version|aggressive|ike|esp|\
		if_id|dpd_delay|dpd_timeout|dpd_action|start_action|close_action|\
		keyingtries|ike_rekey|reauth|over_time|ike_rand|child_rekey|\
		child_life|child_rand)
			printf -v "$k" '%s' "$v" ;;
		*)	echo "ike_conn $name: unknown key '$k'" >&2
			return 1 ;;
		esac
	done
	for k in local remote psk ike esp if_id; do
		[ -n "${!k}" ] || { echo "ike_conn $name: $k= is required" >&2; return 1; }
	done
	case $psk in
	*'"'*|*'\'*)
		echo "ike_conn $name: psk= with \" or \\ does not fit swanctl.conf's quoted string" >&2
		return 1 ;;
	esac
	local_id=${local_id:-$local} remote_id=${remote_id:-$remote}
	cat >>"$IKE_DIR/$inst.conns" <<EOC
	$name {
		version = $version
		aggressive = $aggressive
		local_addrs = $local
		remote_addrs = $remote
		proposals = $ike
		dpd_delay = $dpd_delay
		${dpd_timeout:+dpd_timeout = $dpd_timeout}
		keyingtries = $keyingtries
		rekey_time = $ike_rekey
		reauth_time = $reauth
		${over_time:+over_time = $over_time}
		${ike_rand:+rand_time = $ike_rand}
		if_id_in = $if_id
		if_id_out = $if_id
		local {
			auth = psk
			id = $local_id
		}
		remote {
			auth = psk
			id = $remote_id
		}
		children {
			$name {
				mode = tunnel
				local_ts = 0.0.0.0/0,::/0
				remote_ts = 0.0.0.0/0,::/0
				esp_proposals = $esp
				rekey_time = $child_rekey
				${child_life:+life_time = $child_life}
				${child_rand:+rand_time = $child_rand}
				start_action = $start_action
				close_action = $close_action
				dpd_action = $dpd_action
			}
		}
	}
EOC
	cat >>"$IKE_DIR/$inst.secrets" <<EOC
	ike-$name {
		id-1 = $local_id
		id-2 = $remote_id
		secret = "$psk"
	}
EOC
}

# ike_forget INST: start INST's swanctl.conf afresh
ike_forget() {
	rm -f "$IKE_DIR/$1.conns" "$IKE_DIR/$1.secrets"
}

# ike_load INST: write INST's swanctl.conf from its ike_conn calls and
# load it (swanctl --load-all: secrets, then conns; with
# start_action=start the initiation begins now). swanctl's output is in
# $IKE_DIR/INST.load.
ike_load() {
	local inst=$1 f=$IKE_DIR/swanctl/$1.conf
	{
		echo "connections {"
		cat "$IKE_DIR/$inst.conns" 2>/dev/null
		echo "}"
		echo "secrets {"
		cat "$IKE_DIR/$inst.secrets" 2>/dev/null
		echo "}"
	} >"$f"
	if ! ike_swanctl "$inst" --load-all --noprompt --file "$f" >"$IKE_DIR/$inst.load" 2>&1; then
		echo "# swanctl --load-all of $f into charon $inst failed:"
		sed 's/^/#   /' "$IKE_DIR/$inst.load"
		return 1
	fi
}

# ike_sas INST: INST's SAs, from one swanctl --list-sas --pretty:
#   IKE <name> key=value...           (uniqueid state version encr-alg ...)
#   CHILD <ike name> <child name> key=value...   (uniqueid state spi-in ...)
# list values (local-ts, tasks) are left out
ike_sas() {
	ike_swanctl "$1" --list-sas --pretty 2>/dev/null | awk '
		/ \{$/ { stack[++d] = $1; n[d] = ""; next }
		/^ *}$/ {
			if (d == 2) print "IKE " stack[2] n[2]
			else if (d == 4 && stack[3] == "child-sas")
				print "CHILD " stack[2] " " child[4] n[4]
			d--; next }
		/^ *[^ ]+ = \[$/ { inlist = 1; next }
		inlist { if ($0 ~ /^ *\]$/) inlist = 0; next }
		/^ *[^ ]+ = / { k = $1; v = $0; sub(/^ *[^ ]+ = /, "", v)
			gsub(/ /, "_", v)
			n[d] = n[d] " " k "=" v
			if (k == "name") child[d] = v }'
}

# ike_field LINE KEY: the value of KEY in one ike_sas line
ike_field() {
	local f
	for f in $1; do
		case $f in "$2="*) echo "${f#*=}"; return 0 ;; esac
	done
	return 1
}

# ike_child_line INST_SAS_TEXT CHILD: the first INSTALLED CHILD line of
# CHILD in a saved ike_sas output
ike_child_line() {
	awk -v c="$2" '$1 == "CHILD" && $3 == c && / state=INSTALLED/ { print; exit }' <<<"$1"
}

# ike_wait_installed INST SECS CHILD...: until each CHILD has an INSTALLED
# CHILD_SA in INST (true), or SECS passed (false; the missing ones are
# named on stderr). The last listing stays in $IKE_LAST_SAS.
ike_wait_installed() {
	local inst=$1 secs=$2 c missing end=$((SECONDS + $2))
	shift 2
	while :; do
		IKE_LAST_SAS=$(ike_sas "$inst")
		missing=
		for c in "$@"; do
			[ -n "$(ike_child_line "$IKE_LAST_SAS" "$c")" ] || missing+=" $c"
		done
		[ -z "$missing" ] && return 0
		[ $SECONDS -ge $end ] && break
		ike_nap 0.5
	done
	echo "# charon $inst: no INSTALLED CHILD_SA after ${secs}s for:$missing" >&2
	return 1
}

# ike_wait_gone INST SECS IKE...: until INST has no ESTABLISHED IKE_SA
# named IKE (a CONNECTING retry of it counts as gone), or SECS passed
ike_wait_gone() {
	local inst=$1 secs=$2 c left end=$((SECONDS + $2))
	shift 2
	while :; do
		IKE_LAST_SAS=$(ike_sas "$inst")
		left=
		for c in "$@"; do
			awk -v c="$c" '$1 == "IKE" && $2 == c && / state=ESTABLISHED/ { f = 1 }
				END { exit !f }' <<<"$IKE_LAST_SAS" && left+=" $c"
		done
		[ -z "$left" ] && return 0
		[ $SECONDS -ge $end ] && break
		ike_nap 0.5
	done
	echo "# charon $inst: IKE_SA still ESTABLISHED after ${secs}s:$left" >&2
	return 1
}

# ike_log_wait INST PATTERN SECS: until INST's log has a line matching
# the ERE PATTERN (bash builtins only, no process per round); the line is
# left in $IKE_LOG_LINE
ike_log_wait() {
	local f=$IKE_DIR/$1.log end=$((SECONDS + $3)) line
	while :; do
		while IFS= read -r line; do
			[[ $line =~ $2 ]] && { IKE_LOG_LINE=$line; return 0; }
		done <"$f"
		[ $SECONDS -ge $end ] && return 1
		ike_nap 0.2
	done
}

# ike_crypto_warmup ENC:AUTH...: add and drop one ESP SA of each
# combination (kernel names: cbc(aes):hmac(sha256), cbc(des3_ede):hmac(md5))
# in a throw-away netns, before any IKE timer runs. On a stock kernel the
# first SA of a combination makes the crypto API ask modprobe for every
# name it does not know yet (esp4, crypto-authenc(...), crypto-...-all,
# echainiv, des_generic ...); under TCG that took 3 to 19 s per SA while
# ten SAs were negotiated, and the peers' IKE retransmissions gave up
# before charon's SA install returned. Later SAs find the instances made
# here. On the debug kernel (all built in) it costs one ip process.
ike_crypto_warmup() {
	local c enc auth ek ak tl spi=256 lines=
	for c in "$@"; do
		enc=${c%%:*} auth=${c#*:}
		case $enc in
		"cbc(aes)") ek=16 ;;
		"cbc(des3_ede)") ek=24 ;;
		"cbc(des)") ek=8 ;;
		*) echo "ike_crypto_warmup: no key length for $enc" >&2; return 1 ;;
		esac
		case $auth in
		"hmac(md5)") ak=16 tl=96 ;;
		"hmac(sha1)") ak=20 tl=96 ;;
		"hmac(sha256)") ak=32 tl=128 ;;
		"hmac(sha384)") ak=48 tl=192 ;;
		"hmac(sha512)") ak=64 tl=256 ;;
		*) echo "ike_crypto_warmup: no key length for $auth" >&2; return 1 ;;
		esac
		spi=$((spi + 1))
		lines+="xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi $spi mode tunnel"
		lines+=" enc $enc 0x$(printf '%0*d' $((ek * 2)) 1)"
		lines+=" auth-trunc $auth 0x$(printf '%0*d' $((ak * 2)) 2) $tl"$'\n'
	done
	setup_ns ike_warm || return 1
	# shellcheck disable=SC2154 # set by setup_ns
	ip -n "$ike_warm" -batch - <<<"$lines" || return 1
	ip netns del "$ike_warm"
}

# ike_log_open INST: follow INST's log from its current end; then each
# ike_log_count ERE... adds the new lines matching the Nth ERE to
# ${IKE_LOG_N[N-1]} (bash builtins only, reading each line once:
# re-reading a log of thousands of lines every round costs the debug
# guest seconds)
ike_log_open() {
	[ -n "${IKE_LOGFD:-}" ] && exec {IKE_LOGFD}<&-
	exec {IKE_LOGFD}<"$IKE_DIR/$1.log" || return 1
	IKE_LOG_PART=
	ike_log_count	# skip what is there
	IKE_LOG_N=()
}

ike_log_count() {
	local line i
	while IFS= read -r -u "$IKE_LOGFD" line; do
		line=$IKE_LOG_PART$line IKE_LOG_PART=
		for ((i = 1; i <= $#; i++)); do
			[[ $line =~ ${!i} ]] && IKE_LOG_N[i - 1]=$((${IKE_LOG_N[i - 1]:-0} + 1))
		done
	done
	# a line charon has not finished writing: kept for the next round
	IKE_LOG_PART+=$line
}

# ike_xfrm_lines DEV IF_ID UNDERLAY: ip -batch lines for an xfrm interface
# (the first one autoloads xfrm_interface on a stock kernel)
ike_xfrm_lines() {
	cat <<EOB
link add $1 type xfrm dev $3 if_id $2
link set $1 addrgenmode none
link set $1 up
EOB
}

# ike_topo_setup: the test network of the IKE tests (the pattern of
# topo.sh, without its hand-set SAs):
#
#   vpc --v0-- gw (vpngw0) --u1-- dc1
#                          --u2-- dc2
#
# vpc 10.10.0.2/24 default via gw (10.10.0.1); gw routes 172.16.0.0/12 to
# vpngw0 and forwards; rp_filter off everywhere. The underlays carry no
# address yet: ike_tunnel adds one pair per tunnel.
ike_topo_setup() {
	setup_ns vpc gw dc1 dc2 || return 1
	ip link add v0 netns "$vpc" type veth peer name v0 netns "$gw" &&
	ip link add u1 netns "$gw" type veth peer name u1 netns "$dc1" &&
	ip link add u2 netns "$gw" type veth peer name u2 netns "$dc2" || return 1
	ip -n "$vpc" -batch - <<EOB || return 1
link set v0 up
addr add 10.10.0.2/24 dev v0
route add default via 10.10.0.1
EOB
	ip -n "$gw" -batch - <<EOB || return 1
link set v0 up
link set u1 up
link set u2 up
addr add 10.10.0.1/24 dev v0
EOB
	ip -n "$dc1" link set u1 up && ip -n "$dc2" link set u2 up || return 1
	local ns
	for ns in "$gw" "$dc1" "$dc2"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 || return 1
	done
	vpnrt_load || return 1
	ip netns exec "$gw" "$VPNRTCTL" gateway add vpngw0 &&
	ip -n "$gw" route add 172.16.0.0/12 dev vpngw0
}

# ike_tunnel_lines gw|dc K UNDER GW_ADDR DC_ADDR: ip -batch lines for
# tunnel K's end: the underlay address, xfrmK (if_id K) and, on the dc
# side, 172.16.K.0/24 as local and its replies back through xfrmK (rule
# from 172.16.K.0/24 to table 100+K), so a ping of 172.16.K.1 from vpc
# proves both directions of that one tunnel
ike_tunnel_lines() {
	local side=$1 k=$2 under=$3 ga=$4 da=$5
	if [ "$side" = gw ]; then
		echo "addr add $ga/24 dev $under"
		ike_xfrm_lines "xfrm$k" "$k" "$under"
	else
		echo "addr add $da/24 dev $under"
		ike_xfrm_lines "xfrm$k" "$k" "$under"
		echo "route add local 172.16.$k.0/24 dev lo"
		echo "route add 10.10.0.0/24 dev xfrm$k table $((100 + k))"
		echo "rule add from 172.16.$k.0/24 lookup $((100 + k)) pref $((100 + k))"
	fi
}

# ---- vpnrtd ----

VPNRTD_PID=
vpnrtd_init() {
	VPNRTD=${VPNRTD:-$VPNRT_TOP/build/userspace/vpnrtd}
	[ -x "$VPNRTD" ] || { echo "# no $VPNRTD: run make -C userspace" >&2; return 1; }
	VPNRTD_DIR=$IKE_DIR/vpnrtd
	CONF=$VPNRTD_DIR/vpnrtd.yaml
	mkdir -p "$VPNRTD_DIR/state"
}

vpnrtd_start() {
	ip netns exec "$gw" env "$@" "$VPNRTD" --foreground -c "$CONF" \
		--vici "$(ike_uri "$gw")" --control "$VPNRTD_DIR/vpnrtd.sock" \
		--state-dir "$VPNRTD_DIR/state" >>"$VPNRTD_DIR/vpnrtd.log" 2>&1 &
	VPNRTD_PID=$!
}

vpnrtd_dump_log() {
	echo "# --- vpnrtd's log (last ${1:-30} lines)"
	tail -n "${1:-30}" "$VPNRTD_DIR/vpnrtd.log" | sed 's/^/#   /'
}

gwctl() {
	ip netns exec "$gw" "$VPNRTCTL" "$@"
}

agentctl() {
	VPNRTD_CONTROL=$VPNRTD_DIR/vpnrtd.sock "$VPNRTCTL" "$@"
}

# conn_wait SECS JQ: until `gwctl -j conn show` satisfies JQ (jq -e), at
# most SECS seconds; WAITED says how many it took. On a timeout the
# connections as they are go to the TAP output as comments.
conn_wait() {
	local secs=$1 expr=$2 t0=$SECONDS
	while :; do
		gwctl -j conn show 2>/dev/null | jq -e "$expr" >/dev/null && {
			WAITED=$((SECONDS - t0))
			return 0
		}
		[ $((SECONDS - t0)) -ge "$secs" ] && break
		ike_nap 0.3
	done
	echo "# after ${secs}s:"
	gwctl conn show 2>&1 | sed 's/^/#   /'
	return 1
}
