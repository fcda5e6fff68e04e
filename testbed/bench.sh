#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The ttm_user_bo benchmark (make bench): build the bench kernel
# (testbed/configs/bench.config, no debugging), boot it once under QEMU with
# only the ttm_user_bo_bench KUnit suite, judge the boot (testbed/verdict.py:
# no WARN, BUG or oops, every point ran), then write the results, print the
# table and the targets' ratios and draw the plot.
#
#   testbed/bench.sh [output dir]      (default: bench/ in the repository)
#
# Writes <dir>/results.json, <dir>/results.png and <dir>/results.md; the guest
# log stays in out/. Never run by testbed/test.sh: it takes about 15 minutes.
# TTMUB_BENCH_ARGS adds kernel parameters, e.g.
# "ttm_user_bo_bench.max_size=16777216 ttm_user_bo_bench.budget_ms=200" for
# a quick run.
. "$(dirname "$0")/lib.sh"
dest=${1:-$REPO/bench}

"$TESTBED/deps.sh"
need gnuplot gnuplot-nox
t0=$(date +%s)
bld=$("$TESTBED/build.sh" bench)
log "bench kernel built in $(($(date +%s) - t0))s"

run=$OUT/$(date +%Y%m%d-%H%M%S)-bench
mkdir -p "$run" "$dest"
logf=$run/bench.log
"$TESTBED/qemu.sh" "$bld" bench "$logf"
kunit_dir=$(base_tree)/tools/testing/kunit
if ! "$TESTBED/verdict.py" --ktap --kunit-dir "$kunit_dir" --log "$logf" \
	--expect "$TESTBED/expect/bench" --config bench > "$run/bench.verdict" 2>&1; then
	grep -E '^(FAILED|findings)|FAILED\]|CRASHED\]' "$run/bench.verdict" | head -n 40 >&2 || true
	die "the bench boot failed ($(tail -n 1 "$run/bench.verdict")); see $run/bench.verdict and $logf"
fi

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
qemu=$(qemu-system-x86_64 --version | awk 'NR == 1 {print $4}')
machine="$(nproc)-core $cpu, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM; guest: QEMU $qemu TCG (no KVM), -smp 2 -m 4G; config bench (testbed/configs/bench.config)"
"$TESTBED/bench/report.py" --log "$logf" --json "$dest/results.json" \
	--png "$dest/results.png" --machine "$machine" --config bench | tee "$dest/results.md"
log "benchmark took $(($(date +%s) - t0))s; guest log: $logf"
