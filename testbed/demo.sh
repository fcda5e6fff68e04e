#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The main job: build the patched kernel (showing progress) and show a
# userptr buffer object live in QEMU: vmwgfx bound to QEMU's vmware-svga
# as a render-only device (vmwgfx.render_only=1, a test aid), a small
# static program maps and fills memory, creates a BO on it, takes its
# pages, shows what the kernel holds (PFNs and sg segments against
# /proc/self/pagemap, the helper's counters, the debugfs listing), unmaps
# the memory, shows the invalidation and the error on the next use, and
# closes. The guest's log is judged like every boot of the testbed
# (lockdep, WARN, DMA-API debugging); the last line is the verdict.
#
#   testbed/demo.sh           the userptr demo
#   testbed/demo.sh --kunit   the TTM KUnit suites and the helper's PASS lines
. "$(dirname "$0")/lib.sh"

if [ "${1:-}" = --kunit ]; then
	rc=0
	out=$("$TESTBED/test.sh" demo 2>&1) || rc=$?
	run=$OUT/latest
	echo "$out" | sed '$d'
	echo "=== ttm_user_bo in the guest ($run/demo.log)"
	grep -E '\] (=+ )?(ttm_user_bo|\[(PASSED|FAILED|SKIPPED|CRASHED)\] ttm_user_bo)' "$run/demo.verdict" || true
	grep -E '# ttm_user_bo_race: ' "$run/demo.log" | sed 's/^\[[^]]*\] *//' || true
	echo "$out" | tail -n 1
	exit $rc
fi
[ $# -eq 0 ] || die "usage: testbed/demo.sh [--kunit]"

"$TESTBED/deps.sh"
t0=$(date +%s)
echo "=== building the patched kernel (base config; the first build takes about 10 minutes)"
bld=$(TTMUB_PROGRESS=1 "$TESTBED/build.sh" base)
echo "=== built in $(($(date +%s) - t0))s; booting QEMU with -device vmware-svga"
run=$OUT/$(date +%Y%m%d-%H%M%S)-demo
mkdir -p "$run"
ln -sfn "$(basename "$run")" "$OUT/latest"
logf=$run/demo-userptr.log
"$TESTBED/qemu.sh" "$bld" demo-userptr "$logf"
rc=0
"$TESTBED/verdict.py" --ktap --kunit-dir "$(base_tree)/tools/testing/kunit" \
	--log "$logf" --expect "$TESTBED/expect/demo-userptr" \
	--summary "$run/demo-userptr.json" > "$run/demo-userptr.verdict" 2>&1 || rc=$?

echo "=== vmwgfx in the guest"
grep -E 'vmwgfx_probe|ok [0-9] (svga|refused|bound|said|render|no_kms)' "$logf" |
	grep -v Subtest | sed 's/^\[[^]]*\] *//' | sed 's/^/  /'
echo "=== a userptr BO, live (guest program vmwgfx_userptr_demo)"
sed -n 's/^\[[^]]*\]     # demo: //p' "$logf"
echo "=== verdict ($logf)"
grep -E '^(FAILED|checkers live|findings)' "$run/demo-userptr.verdict" || true
echo "demo took $(($(date +%s) - t0))s"
tail -n 1 "$run/demo-userptr.verdict"
exit $rc
