#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of the vmwgfx-probe boot (and the start of vmwgfx-uapi): is
# QEMU's SVGA II device there; does vmwgfx refuse it without render_only,
# exactly as upstream; does it bind with vmwgfx.render_only=1 and create a
# render node but no KMS? One KTAP case each, on /dev/kmsg. Leaves vmwgfx
# loaded with render_only=1.
k() { echo "$*" > /dev/kmsg; }
# ok <n> <name> <shell test...>: one KTAP case from a command's status
ok() {
	n=$1 name=$2
	shift 2
	if "$@"; then k "    ok $n $name"; else k "    not ok $n $name"; fi
}
bound() { ls /sys/bus/pci/drivers/vmwgfx/ 2>/dev/null | grep -q ':'; }
unbound() { ! bound; }
refused() { dmesg | grep -q 'Hardware has no pitchlock' && unbound; }
render_node() { ls /dev/dri/renderD* >/dev/null 2>&1; }
# render-only: a primary node for debugfs and a render node, no connectors
no_kms() { ! ls /sys/class/drm/ 2>/dev/null | grep -q '^card[0-9]*-'; }
said_render_only() { dmesg | grep -q 'render_only: no display support'; }

# vmwgfx.ko's KUnit suites are the vmwgfx-kunit boot's: match none here, so
# loading the module prints no KTAP header of its own (no newline: the glob
# would have to match it)
printf '%s' 'vmwgfx-probe-runs-no-kunit-suite' > /sys/module/kunit/parameters/filter_glob
k "KTAP version 1"
k "1..1"
k "    KTAP version 1"
k "    # Subtest: vmwgfx_probe"
k "    1..6"
svga() { grep -qx 0x15ad /sys/bus/pci/devices/*/vendor 2>/dev/null; }
ok 1 svga_device_present svga
modprobe vmwgfx
ok 2 refused_without_render_only refused
rmmod vmwgfx
modprobe vmwgfx render_only=1
ok 3 bound_with_render_only bound
ok 4 said_render_only said_render_only
ok 5 render_node_created render_node
ok 6 no_kms_connectors no_kms
k "ok 1 vmwgfx_probe"
