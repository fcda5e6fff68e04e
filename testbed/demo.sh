#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The main job: build the patched kernel and show ttm_user_bo at work in
# QEMU: boot it, run the TTM KUnit suites (upstream and the helper's), and
# print what the helper's cases did. The last line is the verdict.
. "$(dirname "$0")/lib.sh"
rc=0
out=$("$TESTBED/test.sh" demo 2>&1) || rc=$?
run=$OUT/latest
echo "$out" | sed '$d'
echo "=== ttm_user_bo in the guest ($run/demo.log)"
grep -E '\] (=+ )?(ttm_user_bo|\[(PASSED|FAILED|SKIPPED|CRASHED)\] ttm_user_bo)' "$run/demo.verdict" || true
grep -E '# ttm_user_bo_race: ' "$run/demo.log" | sed 's/^\[[^]]*\] *//' || true
echo "$out" | tail -n 1
exit $rc
