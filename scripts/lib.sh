# SPDX-License-Identifier: GPL-2.0
# Shared helpers for vpnrt's build and test scripts. Source, do not run.

VPNRT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VPNRT_CACHE=${VPNRT_CACHE:-/var/cache/vpnrt}

die() { echo "${0##*/}: $*" >&2; exit 1; }

# newest installed Debian kernel of a series: prints its release (uname -r)
# e.g. kernel_release 6.1 -> 6.1.0-56-amd64
kernel_release() {
	local series=$1 r best=
	for r in /boot/vmlinuz-"$series".*-amd64; do
		[ -e "$r" ] || continue
		r=${r#/boot/vmlinuz-}
		[ -d "/usr/src/linux-headers-$r" ] || continue
		best=$(printf '%s\n%s\n' "$best" "$r" | sort -V | tail -n1)
	done
	[ -n "$best" ] || return 1
	echo "$best"
}

# version of the linux-source-6.1 package, part of the debug kernel's key
linux_source_version() {
	dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null
}

# Bump when scripts/build-debug-kernel changes what it builds.
DEBUG_KERNEL_RECIPE=1

# where the debug kernel for the current fragment lives (may not exist yet)
debug_kernel_dir() {
	local key
	key=$( { cat "$VPNRT_TOP/scripts/kconfig/debug.config"
		echo "recipe $DEBUG_KERNEL_RECIPE"; linux_source_version; } |
		sha256sum | cut -c1-16)
	echo "$VPNRT_CACHE/kernel-debug-$key"
}

# Debian's linux-source-6.1, extracted once into the cache; prints its path
linux_source_dir() {
	local tarball=/usr/src/linux-source-6.1.tar.xz ver src
	[ -f "$tarball" ] || die "$tarball missing; run scripts/install-deps"
	ver=$(linux_source_version)
	src=$VPNRT_CACHE/linux-source-6.1-$ver
	if [ ! -f "$src/.extracted" ]; then
		mkdir -p "$VPNRT_CACHE"
		(
			flock 8
			if [ ! -f "$src/.extracted" ]; then
				echo "${0##*/}: extracting $tarball" >&2
				rm -rf "$src" "$src.tmp"
				mkdir -p "$src.tmp"
				tar -C "$src.tmp" --strip-components=1 -xf "$tarball"
				mv "$src.tmp" "$src"
				touch "$src/.extracted"
			fi
		) 8>"$VPNRT_CACHE/.extract.lock" || exit 1
	fi
	echo "$src"
}

# resolve a --kernel name to "<bzImage> <release> <kdir>"
resolve_kernel() {
	local r d
	case $1 in
	6.1|6.12)
		r=$(kernel_release "$1") ||
			die "no Debian $1 kernel with headers installed; run scripts/install-deps"
		echo "/boot/vmlinuz-$r $r /usr/src/linux-headers-$r"
		;;
	debug)
		d=$(debug_kernel_dir)
		[ -f "$d/build/arch/x86/boot/bzImage" ] ||
			die "debug kernel not built; run scripts/build-debug-kernel"
		echo "$d/build/arch/x86/boot/bzImage $(cat "$d/build/include/config/kernel.release") $d/build"
		;;
	*)
		die "unknown kernel '$1' (allowed: 6.1, 6.12, debug)"
		;;
	esac
}
