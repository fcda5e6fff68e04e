#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The test command: install what is missing, check the verdict logic, build
# the patched kernel, run every boot under QEMU and judge each one.
#
#   testbed/test.sh [--config base|reliability] [--pristine] [boot...]
#
# Boots default to $TTMUB_BOOTS or testbed/boots.list. Each boot is judged by
# verdict.py against testbed/expect/<boot> (suites, case counts, expected
# WARN sites) and testbed/baseline/<boot> (cases that fail on the pristine
# base too). The last line is "N passed, N failed[, N skipped]".
. "$(dirname "$0")/lib.sh"

cfg=base pristine=
while [ $# -gt 0 ]; do
	case $1 in
	--config) cfg=$2; shift 2 ;;
	--pristine) pristine=--pristine; shift ;;
	*) break ;;
	esac
done
boots=${*:-${TTMUB_BOOTS:-$(grep -v '^#' "$TESTBED/boots.list")}}

"$TESTBED/deps.sh"
t0=$(date +%s)
run=$OUT/$(date +%Y%m%d-%H%M%S)${pristine:+-pristine}
mkdir -p "$run"
ln -sfn "$(basename "$run")" "$OUT/latest"
passed=0 failed=0 skipped=0 known=0
add() {
	if [ ! -s "$1" ]; then
		echo "verdict did not complete for $1"
		failed=$((failed + 1))
		return
	fi
	passed=$((passed + $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["passed"])' "$1")))
	failed=$((failed + $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["failed"])' "$1")))
	skipped=$((skipped + $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["skipped"])' "$1")))
	known=$((known + $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["known"])' "$1")))
}

echo "=== verdict self-test"
if "$TESTBED/selftest/run.sh" > "$run/selftest.log" 2>&1; then st=0; else st=1; fi
tail -n 1 "$run/selftest.log"
sp=$(tail -n 1 "$run/selftest.log" | awk '{print $1}') sf=$(tail -n 1 "$run/selftest.log" | awk '{print $3}')
passed=$((passed + ${sp:-0})) failed=$((failed + ${sf:-1}))

echo "=== Coccinelle checker self-test"
if ! "$TESTBED/selftest/cocci.sh" > "$run/cocci.log" 2>&1; then st=1; fi
tail -n 1 "$run/cocci.log"
sp=$(tail -n 1 "$run/cocci.log" | awk '{print $1}') sf=$(tail -n 1 "$run/cocci.log" | awk '{print $3}')
passed=$((passed + ${sp:-0})) failed=$((failed + ${sf:-1}))

echo "=== build ($cfg${pristine:+, pristine})"
if ! bld=$("$TESTBED/build.sh" $pristine "$cfg" 2> >(tee "$run/build.log" >&2)); then
	echo "build failed; see $run/build.log"
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
fi
kunit_dir=$(base_tree)/tools/testing/kunit
t1=$(date +%s)
echo "build took $((t1 - t0))s"

for boot in $boots; do
	echo "=== boot $boot"
	logf=$run/$boot.log
	"$TESTBED/qemu.sh" "$bld" "$boot" "$logf"
	BOOT_EXPECT=$boot BOOT_SUITES='*'
	. "$TESTBED/boots/$boot"
	exp=$TESTBED/expect/$BOOT_EXPECT
	bl=$TESTBED/baseline/$BOOT_EXPECT
	args=(--ktap --kunit-dir "$kunit_dir" --log "$logf" --summary "$run/$boot.json"
	      --suites "$BOOT_SUITES")
	[ -f "$exp" ] && args+=(--expect "$exp")
	[ -f "$bl" ] && [ -z "$pristine" ] && args+=(--baseline "$bl")
	"$TESTBED/verdict.py" "${args[@]}" > "$run/$boot.verdict" 2>&1 || true
	grep -E '^(FAILED|known)|^\[.*(PASSED|FAILED|SKIPPED|CRASHED)\] [a-z]' "$run/$boot.verdict" |
		grep -v PASSED | head -n 60 || true
	echo "boot $boot: $(tail -n 1 "$run/$boot.verdict") ($(cat "$logf.seconds")s); log: $logf"
	add "$run/$boot.json"
done
[ $known -eq 0 ] || echo "$known known upstream failures (baseline), not counted as passed"
echo "total time $(($(date +%s) - t0))s; guest logs and verdicts in $run"
echo "$passed passed, $failed failed${skipped:+, $skipped skipped}" | sed 's/, 0 skipped$//'
[ $failed -eq 0 ] && [ $st -eq 0 ]
