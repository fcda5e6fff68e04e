#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of the vmwgfx-probe boot: is QEMU's SVGA II device there, does
# vmwgfx bind to it and create a DRM node? One KTAP case each, on /dev/kmsg.
k() { echo "$*" > /dev/kmsg; }
k "KTAP version 1"
k "1..1"
k "    KTAP version 1"
k "    # Subtest: vmwgfx_probe"
k "    1..3"
if grep -qx 0x15ad /sys/bus/pci/devices/*/vendor 2>/dev/null; then
	k "    ok 1 svga_device_present"
else
	k "    not ok 1 svga_device_present"
fi
modprobe vmwgfx
if ls /sys/bus/pci/drivers/vmwgfx/ 2>/dev/null | grep -q ':'; then
	k "    ok 2 vmwgfx_bound"
else
	k "    not ok 2 vmwgfx_bound"
fi
if ls /dev/dri/card* >/dev/null 2>&1 || ls /sys/class/drm/ 2>/dev/null | grep -q '^card'; then
	k "    ok 3 drm_node_created"
else
	k "    not ok 3 drm_node_created"
fi
k "ok 1 vmwgfx_probe"
