# SPDX-License-Identifier: GPL-2.0
# vpnrt top-level Makefile. `make` builds the module (against Debian's 6.1
# headers unless KDIR= says otherwise) and the userspace tools.

# KDIR= builds the module against another kernel tree

.PHONY: all module userspace modules-all check demo bench clean debug-kernel \
	fuzz genl-fuzz stress

all: module userspace

module:
	scripts/build-module $(if $(KDIR),--kdir $(KDIR),6.1)

userspace:
	$(MAKE) -C userspace

# W=1 builds against every supported kernel; any warning fails.
modules-all:
	scripts/build-modules-all

debug-kernel:
	scripts/build-debug-kernel >/dev/null

demo: all debug-kernel
	scripts/demo

check:
	scripts/check

# benchmarks against same-run baselines; results/ (Documentation/benchmarks.rst)
bench:
	scripts/bench

# the fuzzers: libFuzzer runs of the userspace parsers (FUZZ_SECONDS each),
# then the genetlink family's, GENL_FUZZ_COUNT messages (1,000,000) on the
# debug kernel (scripts/genl-fuzz; hours under TCG)
fuzz:
	$(MAKE) -C userspace fuzz
	scripts/genl-fuzz

genl-fuzz:
	scripts/genl-fuzz

# the concurrency stress of the genetlink family: STRESS_SECONDS (600) of
# selftests/stress.sh on the debug kernel (scripts/stress)
stress:
	scripts/stress

clean:
	rm -rf build
