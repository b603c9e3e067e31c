# SPDX-License-Identifier: GPL-2.0
# vpnrt top-level Makefile. `make` builds the module (against Debian's 6.1
# headers unless KDIR= says otherwise) and the userspace tools.

include scripts/kernels.mk

KDIR ?= $(KDIR_6_1)
export KDIR

.PHONY: all module userspace modules-all check bench demo clean debug-kernel

all: module userspace

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

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

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C userspace clean
	rm -rf build
