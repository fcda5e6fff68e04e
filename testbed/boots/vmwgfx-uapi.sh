#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of the vmwgfx-uapi boot: bind vmwgfx render-only (the probe
# suite), then run the userptr uAPI kselftests. Their TAP goes to /dev/kmsg
# as one KTAP suite, indented one level, as the lines come (the program
# line-buffers stdout), so a kernel report lands in the case that caused it.
k() { echo "$*" > /dev/kmsg; }
/boot.d/vmwgfx-probe
k "KTAP version 1"
k "1..1"
k "    KTAP version 1"
k "    # Subtest: vmwgfx_userptr_uapi"
rm -f /tmp/uapi.rc
{ vmwgfx_userptr; echo $? > /tmp/uapi.rc; } 2>&1 | while IFS= read -r l; do
	case $l in
	"TAP version"*) ;;
	*) k "    $l" ;;
	esac
done
if [ "$(cat /tmp/uapi.rc 2>/dev/null)" = 0 ]; then
	k "ok 1 vmwgfx_userptr_uapi"
else
	k "not ok 1 vmwgfx_userptr_uapi"
fi
