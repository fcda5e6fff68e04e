#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Self-test of the verdict logic, no kernel build needed (only the base
# tree's tools/testing/kunit parser). Each sample log in logs/ must get its
# verdict, and the summary must name what it found; expect and baseline
# here are the sample boot's expectations.
. "$(dirname "$0")/../lib.sh"
kunit_dir=$("$TESTBED/fetch-base.sh")/tools/testing/kunit
here=$TESTBED/selftest
pass=0 fail=0
# log                      config       verdict  what the summary must name
# (baseline-* logs are judged with baseline-cases, leak logs with baseline-leaks)
cases="clean                     base         pass     3 passed, 0 failed
failing-case              base         fail     alpha.alpha_two: FAILURE
lockdep                   base         fail     possible circular locking dependency
truncated                 base         fail     guest did not finish
expected-warn             base         pass     3 passed, 0 failed
unexpected-warn           base         fail     ttm_bo.c:900
lockdep-off               base         fail     lockdep is off
missing-suite             base         fail     beta: suite missing
all-skipped               base         fail     beta.beta_one: SKIPPED, and no \"skip\" line allows it
allowed-skip              base         pass     2 passed, 0 failed, 1 skipped
kmemleak-banner           reliability  pass     3 passed, 0 failed
dma-debug-oom             base         fail     DMA-API: debugging out of memory - disabling
dma-debug-cacheline       base         fail     alpha.alpha_two: passed, but the log has 1 finding(s) while it ran: DMA-API: cacheline tracking ENOMEM
rcu-expedited             base         fail     detected expedited stalls
allowed-warn-no-end       base         fail     BUG: KASAN: slab-use-after-free
allowed-warn-interleaved  base         fail     possible circular locking dependency
second-ktap               base         fail     delta.delta_one: FAILURE
baseline-same             base         pass     known upstream failure (baseline, not counted as passed): beta.beta_one
baseline-differs          base         fail     beta.beta_one: FAILURE, baseline expects FAILURE matching
qemu-rc                   base         fail     QEMU exit status 1
no-lockdep-proof          base         fail     checker lockdep is not live
no-warn-canary            base         fail     checker warn is not live
no-kasan                  reliability  fail     checker kasan is not live
no-kmemleak-scan          reliability  fail     checker kmemleak is not live
reliability-clean         reliability  pass     1 kmemleak reports of upstream code
leak-ours                 reliability  fail     ttm_user_bo_snapshot
leak-sgt                  reliability  fail     i915_rsgt_from_buddy_resource
leak-over-limit           reliability  fail     more reports through \"ttm_tt_simple_create\" than the baseline allows
finding-in-case           base         fail     2 passed, 1 failed
interleaved-kmsg          base         pass     3 passed, 0 failed
warn-wrong-case           base         fail     alpha.alpha_two: passed, but the log has 2 finding(s) while it ran: WARNING: CPU: 0 PID: 42 at drivers/gpu/drm/drm_rect.c:123
nolockdep-bench           bench        pass     3 passed, 0 failed
nolockdep-base            base         fail     lockdep is off at the end of the boot (debug_locks=unknown)
nolockdep-zero            bench        fail     lockdep is off at the end of the boot (debug_locks=0)"
n=$(echo "$cases" | wc -l)
echo "KTAP version 1"
echo "1..$((n + 1))"
n=0
while read -r name cfg want why; do
	n=$((n + 1))
	why=${why//\\\"/\"}
	bl=()
	case $name in
	baseline-*) bl=(--baseline "$here/baseline-cases") ;;
	reliability-*|leak-*) bl=(--baseline "$here/baseline-leaks") ;;
	esac
	out=$("$TESTBED/verdict.py" --ktap --kunit-dir "$kunit_dir" --config "$cfg" \
		--expect "$here/expect" "${bl[@]}" --log "$here/logs/$name.log" 2>&1) &&
		got=pass || got=fail
	if [ "$got" = "$want" ] && grep -qF -- "$why" <<< "$out"; then
		pass=$((pass + 1))
		echo "ok $n verdict_$name # $want: $(echo "$out" | tail -n 1)"
	else
		fail=$((fail + 1))
		echo "not ok $n verdict_$name # expected $want naming '$why', got $got"
		echo "$out" | sed 's/^/# /'
	fi
done <<< "$cases"

# test.sh's tally: a verdict that exits non-zero fails the run even when its
# JSON counts no failure (an older verdict did exactly that for all-skipped).
n=$((n + 1))
tmp=$(mktemp)
echo '{"passed": 589, "failed": 0, "skipped": 24, "known": 0}' > "$tmp"
got=$(. "$TESTBED/tally.sh"; add "$tmp" 1 >/dev/null; echo "$passed $failed")
rm -f "$tmp"
if [ "$got" = "589 1" ]; then
	pass=$((pass + 1))
	echo "ok $n tally_verdict_exit_status # 589 passed, 1 failed"
else
	fail=$((fail + 1))
	echo "not ok $n tally_verdict_exit_status # expected '589 1', got '$got'"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
