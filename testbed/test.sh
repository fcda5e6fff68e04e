#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The test command: install what is missing, check the verdict logic, build
# the patched kernel, run every boot under QEMU and judge each one.
#
#   testbed/test.sh [--config base|reliability] [--pristine] [boot[@config]...]
#
# Boots default to $TTMUB_BOOTS or testbed/boots.list; "<boot>@<config>"
# runs a boot on the kernel of that config (each config is built once), a
# bare "<boot>" on --config's (default base). Each boot is judged by
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
. "$TESTBED/tally.sh"

# selftest <title> <script>: run a self-test that ends with "N passed, N failed";
# a self-test that fails or ends otherwise counts as one more failure
selftest() {
	local logf=$run/selftest-$(basename "$2" .sh).log last
	echo "=== $1"
	local rc=0
	"$2" > "$logf" 2>&1 || rc=$?
	last=$(tail -n 1 "$logf")
	echo "$last"
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2]))
		if [ $rc -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then
			echo "$1 exited $rc although it counted no failure: one more failure"
			failed=$((failed + 1)) st=1
		fi
	else
		echo "$1 did not finish; see $logf"
		failed=$((failed + 1)) st=1
	fi
}

st=0
selftest "verdict self-test" "$TESTBED/selftest/run.sh"
selftest "assembling the tree: the quilt series follows patches/" "$TESTBED/selftest/assemble.sh"
selftest "Coccinelle checker self-test" "$TESTBED/selftest/cocci.sh"
selftest "Coccinelle userptr scripts: corpus and the real 6.12 tree" "$TESTBED/cocci/run.sh"
selftest "Coccinelle i915_refct_sgt conversion reproduces patches/" "$TESTBED/cocci/i915-refct.sh"
selftest "benchmark parser and plotter (no benchmark run)" "$TESTBED/bench/selftest.sh"

kunit_dir=$(base_tree)/tools/testing/kunit
# Boots as "<boot>@<config>"; a boot without @ runs in --config's config.
plan=()
for b in $boots; do
	[[ $b == *@* ]] || b=$b@$cfg
	plan+=("$b")
done
configs=$(printf '%s\n' "${plan[@]}" | sed 's/.*@//' | awk '!seen[$0]++')

for c in $configs; do
	echo "=== build ($c${pristine:+, pristine})"
	tb=$(date +%s)
	if ! bld=$("$TESTBED/build.sh" $pristine "$c" 2> >(tee "$run/build-$c.log" >&2)); then
		echo "build of $c failed; see $run/build-$c.log"
		failed=$((failed + 1))
		continue
	fi
	echo "build of $c took $(($(date +%s) - tb))s"
	for pb in "${plan[@]}"; do
		[ "${pb#*@}" = "$c" ] || continue
		boot=${pb%@*}
		name=$boot
		[ "$c" = base ] || name=$boot-$c
		echo "=== boot $boot ($c)"
		logf=$run/$name.log
		"$TESTBED/qemu.sh" "$bld" "$boot" "$logf"
		BOOT_EXPECT=$boot BOOT_SUITES='*'
		. "$TESTBED/boots/$boot"
		exp=$TESTBED/expect/$BOOT_EXPECT
		bl=$TESTBED/baseline/$BOOT_EXPECT
		args=(--ktap --kunit-dir "$kunit_dir" --log "$logf" --summary "$run/$name.json"
		      --suites "$BOOT_SUITES" --config "$c")
		[ -f "$exp" ] && args+=(--expect "$exp")
		[ -f "$bl" ] && [ -z "$pristine" ] && args+=(--baseline "$bl")
		rm -f "$run/$name.json"
		vrc=0
		"$TESTBED/verdict.py" "${args[@]}" > "$run/$name.verdict" 2>&1 || vrc=$?
		grep -E '^(FAILED|known)|^\[.*(PASSED|FAILED|SKIPPED|CRASHED)\] [a-z]' "$run/$name.verdict" |
			grep -v PASSED | head -n 60 || true
		grep -E '^(checkers live|findings):' "$run/$name.verdict" || true
		echo "boot $boot ($c): $(tail -n 1 "$run/$name.verdict")" \
			"($(cat "$logf.seconds")s, $(grep -o 'qemu exit status .*' "$logf" | tail -n 1)); log: $logf"
		add "$run/$name.json" "$vrc"
	done
done
[ $known -eq 0 ] || echo "$known known upstream failures (baseline), not counted as passed"
echo "total time $(($(date +%s) - t0))s; guest logs and verdicts in $run"
echo "$passed passed, $failed failed${skipped:+, $skipped skipped}" | sed 's/, 0 skipped$//'
[ $failed -eq 0 ] && [ $st -eq 0 ]
