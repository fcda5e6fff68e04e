#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of the demo boot: bind vmwgfx render-only, run the userptr
# demo; each line it prints goes to /dev/kmsg as "    # demo: <line>" in
# one KTAP case, which passes if the demo exits 0.
k() { echo "$*" > /dev/kmsg; }
/boot.d/vmwgfx-probe
k "KTAP version 1"
k "1..1"
k "    KTAP version 1"
k "    # Subtest: vmwgfx_userptr_demo"
k "    1..1"
rm -f /tmp/demo.rc
{ vmwgfx_userptr_demo; echo $? > /tmp/demo.rc; } 2>&1 | while IFS= read -r l; do
	k "    # demo: $l"
done
if [ "$(cat /tmp/demo.rc 2>/dev/null)" = 0 ]; then
	k "    ok 1 userptr_bo_lifecycle"
	k "ok 1 vmwgfx_userptr_demo"
else
	k "    not ok 1 userptr_bo_lifecycle"
	k "not ok 1 vmwgfx_userptr_demo"
fi
