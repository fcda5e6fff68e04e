#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a built test kernel once under QEMU TCG and keep the serial log.
#   testbed/qemu.sh <build dir> <boot name> <log file>
# The boot is defined by testbed/boots/<name>: BOOT_CMDLINE (kernel command
# line), BOOT_TIMEOUT (seconds), BOOT_SCRIPT (guest script in boots/, default
# the boot's name), BOOT_QEMU_ARGS (extra devices, e.g. -device vmware-svga),
# BOOT_PROGS (static programs for /usr/bin, "<selftest dir>:<program>", built
# by testbed/progs.sh against the build's uAPI headers),
# BOOT_EXPECT and BOOT_SUITES (for verdict.py, see test.sh).
# A guest that outlives its budget is killed; the log then lacks the
# "ttmub: boot done" marker, which verdict.py counts as a failure.
. "$(dirname "$0")/lib.sh"
bld=$1 boot=$2 logf=$3
[ -f "$TESTBED/boots/$boot" ] || die "no boot definition testbed/boots/$boot"
BOOT_CMDLINE= BOOT_TIMEOUT=600 BOOT_SCRIPT=$boot BOOT_QEMU_ARGS= BOOT_PROGS=
. "$TESTBED/boots/$boot"
[ -f "$bld/arch/x86/boot/bzImage" ] || die "no kernel in $bld; run testbed/build.sh"

initrd=$bld/initramfs.cpio.gz
if [ -n "$BOOT_PROGS" ]; then
	# shellcheck disable=SC2086 # a list
	TTMUB_PROGS=$("$TESTBED/progs.sh" "$bld" $BOOT_PROGS | tr '\n' ' ')
	export TTMUB_PROGS
fi
"$TESTBED/initramfs.sh" "$bld" "$initrd"
mkdir -p "$(dirname "$logf")"
log "booting '$boot' (budget ${BOOT_TIMEOUT}s), log: $logf"
start=$(date +%s)
set +e
timeout --signal=KILL "$BOOT_TIMEOUT" \
	qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 2G \
	-nographic -no-reboot -monitor none -serial stdio -display none \
	$BOOT_QEMU_ARGS \
	-kernel "$bld/arch/x86/boot/bzImage" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 printk.devkmsg=on ttmub.boot=$boot ttmub.script=$BOOT_SCRIPT $BOOT_CMDLINE" \
	</dev/null >"$logf" 2>&1
rc=$?
set -e
end=$(date +%s)
[ $rc -eq 137 ] && echo "ttmub: host: guest killed after ${BOOT_TIMEOUT}s budget" >>"$logf"
# verdict.py fails the boot unless this says 0
echo "ttmub: host: qemu exit status $rc" >>"$logf"
log "boot '$boot' ended after $((end - start))s (qemu rc=$rc)"
echo "$((end - start))" > "$logf.seconds"
exit 0
