#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Self-test of the verdict logic, no kernel build needed (only the base
# tree's tools/testing/kunit parser). Each sample log must get its verdict.
. "$(dirname "$0")/../lib.sh"
kunit_dir=$("$TESTBED/fetch-base.sh")/tools/testing/kunit
here=$TESTBED/selftest
pass=0 fail=0
# log             verdict  what the summary must name
cases="failing-case     fail     alpha.alpha_two: FAILURE
lockdep          fail     possible circular locking dependency
truncated        fail     guest did not finish
clean            pass     3 passed, 0 failed
expected-warn    pass     3 passed, 0 failed
unexpected-warn  fail     ttm_bo.c:900
lockdep-off      fail     lockdep is off
missing-suite    fail     beta: suite missing"
echo "KTAP version 1"
echo "1..$(echo "$cases" | wc -l)"
n=0
while read -r name want why; do
	n=$((n + 1))
	out=$("$TESTBED/verdict.py" --ktap --kunit-dir "$kunit_dir" \
		--expect "$here/expect" --log "$here/logs/$name.log" 2>&1) && got=pass || got=fail
	if [ "$got" = "$want" ] && grep -qF "$why" <<< "$out"; then
		pass=$((pass + 1))
		echo "ok $n verdict_$name # $want: $(echo "$out" | tail -n 1)"
	else
		fail=$((fail + 1))
		echo "not ok $n verdict_$name # expected $want naming '$why', got $got"
		echo "$out" | sed 's/^/# /'
	fi
done <<< "$cases"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
