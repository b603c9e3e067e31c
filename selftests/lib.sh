# SPDX-License-Identifier: GPL-2.0
# Helpers for vpnrt selftests, sourced by each test. Tests run as root in a
# VM (scripts/vm-run) and print KTAP: one "ok N - what" / "not ok N - what"
# per check, a plan at the end, and exit 0 (pass), 1 (fail) or 4 (skip).

set -u

readonly KSFT_PASS=0 KSFT_FAIL=1 KSFT_SKIP=4
export TMPDIR=${TMPDIR:-/tmp}
SELFTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VPNRT_TOP=$(cd "$SELFTEST_DIR/.." && pwd)
VPNRTCTL=${VPNRTCTL:-$VPNRT_TOP/build/userspace/vpnrtctl}

ktap_n=0
ktap_failed=0
NS_LIST=()
# VPNRT_CHECK_TIMES=1: a "# +S.SSs" line before each check, the seconds
# since the one before (where a test spends its time)
ktap_last=${EPOCHREALTIME//[.,]/}

ktap_time() {
	[ -n "${VPNRT_CHECK_TIMES:-}" ] || return 0
	local now=${EPOCHREALTIME//[.,]/} d
	d=$(((now - ktap_last) / 10000))
	printf '# +%d.%02ds\n' $((d / 100)) $((d % 100))
	ktap_last=$now
}

ktap_ok() {
	ktap_time
	ktap_n=$((ktap_n + 1))
	echo "ok $ktap_n - $*"
}

ktap_fail() {
	ktap_time
	ktap_n=$((ktap_n + 1))
	ktap_failed=$((ktap_failed + 1))
	echo "not ok $ktap_n - $*"
}

# check "what" CMD...: one KTAP line from CMD's exit status
check() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		ktap_ok "$what"
	else
		ktap_fail "$what"
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
	fi
}

# check_fail "what" CMD...: CMD must fail
check_fail() {
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then
		ktap_fail "$what (unexpectedly succeeded)"
	else
		ktap_ok "$what"
	fi
}

# check_fail_msg "what" WANT CMD...: CMD must fail and its output (stdout
# and stderr) must contain the fixed string WANT; a failure for any other
# reason (a usage error, a missing file) is a failed check
check_fail_msg() {
	local what=$1 want=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		ktap_fail "$what (unexpectedly succeeded)"
	elif grep -qF -- "$want" <<<"$out"; then
		ktap_ok "$what"
	else
		ktap_fail "$what: output lacks \"$want\""
		printf '%s\n' "$out" | head -n 5 | sed 's/^/#   /'
	fi
}

# check_nonempty "what" VALUE: a value a later comparison depends on (a
# snapshot, a counter read) must not be empty, or the comparison is void
check_nonempty() {
	if [ -n "$2" ]; then
		ktap_ok "$1"
	else
		ktap_fail "$1 (empty)"
	fi
}

# check_eq "what" EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		ktap_ok "$1"
	else
		ktap_fail "$1"
		echo "#   expected: $2"
		echo "#   actual:   $3"
	fi
}

# skip_all REASON: the test cannot run here. `make check` fails a skip
# unless selftests/skips allows it for this test and kernel.
skip_all() {
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

# a missing precondition is a failure, with a plan: a missing tool is a
# bug in scripts/install-deps, not a reason to skip
fail_all() {
	ktap_fail "$*"
	ktap_finish
}

require_root() {
	[ "$(id -u)" = 0 ] || fail_all "needs root"
}

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null ||
			fail_all "needs $c, which scripts/install-deps should have installed"
	done
}

# require_ynl: the ynl tool of Linux 6.12 from the cache (scripts/ynl-setup
# on the host; VPNRT_YNL_TREE= overrides): its tree in $tree, and in
# $VPNRT_YNL (exported) the directory of its cli.py
require_ynl() {
	local d
	tree=${VPNRT_YNL_TREE:-$("$VPNRT_TOP/scripts/ynl-setup" --check 2>/dev/null)} ||
		fail_all "no ynl of Linux 6.12 in the cache; run scripts/ynl-setup on the host"
	VPNRT_YNL=
	for d in "$tree/tools/net/ynl/pyynl" "$tree/tools/net/ynl"; do
		[ -f "$d/cli.py" ] && { VPNRT_YNL=$d; break; }
	done
	[ -n "$VPNRT_YNL" ] || fail_all "no ynl cli.py under $tree"
	export VPNRT_YNL
}

# setup_ns NAME...: make one network namespace per NAME, store its unique
# name in the variable NAME, bring its loopback up. Removed at exit.
setup_ns() {
	local __var __ns
	for __var in "$@"; do
		__ns="$__var-$(mktemp -u XXXXXX)"
		ip netns add "$__ns" || return 1
		ip -n "$__ns" link set lo up || return 1
		NS_LIST+=("$__ns")
		printf -v "$__var" '%s' "$__ns"
	done
}

cleanup_ns() {
	local ns
	for ns in "${NS_LIST[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	NS_LIST=()
}

# load the module under test, built for the running kernel
vpnrt_load() {
	local ko=${VPNRT_KO:-}
	[ -n "$ko" ] || { echo "# VPNRT_KO not set" >&2; return 1; }
	lsmod | grep -q '^vpnrt ' && return 0
	insmod "$ko"
}

vpnrt_unload() {
	lsmod | grep -q '^vpnrt ' || return 0
	rmmod vpnrt
}

ktap_finish() {
	echo "1..$ktap_n"
	[ $ktap_failed = 0 ] && exit $KSFT_PASS
	exit $KSFT_FAIL
}

trap cleanup_ns EXIT

# monitor_ready FILE CONN: a `vpnrtctl [-j] monitor` writing to FILE is
# listening once a no-op change of ours (CONN set admin up) shows up in it
# (gwctl: topo.sh's or ike_lib.sh's);
# monitors are slow to start under ASan
monitor_ready() {
	local i
	for i in $(seq 30); do
		gwctl conn set "$2" admin up
		sleep 0.3
		grep -qE '"conn-set"|^conn set ' "$1" && return 0
	done
	return 1
}
