# SPDX-License-Identifier: GPL-2.0
# Debian kernel headers found on this machine (newest of each series).
KDIR_6_1 := $(lastword $(sort $(wildcard /usr/src/linux-headers-6.1.*-amd64)))
KDIR_6_12 := $(lastword $(sort $(wildcard /usr/src/linux-headers-6.12.*-amd64)))
ifeq ($(KDIR_6_1),)
KDIR_6_1 = $(error no Debian 6.1 kernel headers; run scripts/install-deps)
endif
