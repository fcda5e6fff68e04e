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
# add <verdict summary json>: add a boot's counts to the totals
add() {
	local c
	if [ ! -s "$1" ] || ! c=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(d["passed"], d["failed"], d["skipped"], d["known"])' "$1"); then
		echo "verdict did not complete for $1"
		failed=$((failed + 1))
		return
	fi
	set -- $c
	passed=$((passed + $1)) failed=$((failed + $2))
	skipped=$((skipped + $3)) known=$((known + $4))
}

# selftest <title> <script>: run a self-test that ends with "N passed, N failed";
# a self-test that fails or ends otherwise counts as one more failure
selftest() {
	local logf=$run/selftest-$(basename "$2" .sh).log last
	echo "=== $1"
	"$2" > "$logf" 2>&1 || st=1
	last=$(tail -n 1 "$logf")
	echo "$last"
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2]))
	else
		echo "$1 did not finish; see $logf"
		failed=$((failed + 1)) st=1
	fi
}

st=0
selftest "verdict self-test" "$TESTBED/selftest/run.sh"
selftest "Coccinelle checker self-test" "$TESTBED/selftest/cocci.sh"

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
