#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Self-test of the benchmark's parser and plotter (testbed/bench/report.py),
# no kernel and no QEMU: testbed/bench/sample.log (a guest log of a quick
# bench run) must give the expected JSON, table and targets and a PNG; logs
# that lack points or carry a malformed one must be refused.
. "$(dirname "$0")/../lib.sh"
need gnuplot gnuplot-nox
here=$TESTBED/bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 n=0
check() { # name, then the command that must succeed
	local name=$1
	shift
	n=$((n + 1))
	if "$@" > "$tmp/out" 2>&1; then
		pass=$((pass + 1))
		echo "ok $n $name"
	else
		fail=$((fail + 1))
		echo "not ok $n $name"
		sed 's/^/# /' "$tmp/out"
	fi
}
echo "KTAP version 1"
echo "1..8"

report() { "$here/report.py" "$@"; }
check report_runs report --log "$here/sample.log" --json "$tmp/r.json" \
	--png "$tmp/r.png" --machine "selftest machine" --date 2026-01-01T00:00:00Z
cp "$tmp/out" "$tmp/report.txt"
# every point of the log, shaped as issue 13 asks, ratios recomputable
check json_shape python3 - "$tmp/r.json" "$here/sample.log" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
assert r['date'] == '2026-01-01T00:00:00Z' and r['machine'] == 'selftest machine', r
assert r['kernel'].startswith('6.12.'), r['kernel']
lines = [l for l in open(sys.argv[2]) if 'bench: path=' in l]
assert len(r['points']) == len(lines) > 0, (len(r['points']), len(lines))
keys = {'path', 'backing', 'size', 'threads', 'median_ns', 'min_ns', 'max_ns',
        'runs', 'sg_entries', 'bytes_per_page'}
for p, l in zip(r['points'], lines):
    assert keys <= set(p), p
    assert p['min_ns'] <= p['median_ns'] <= p['max_ns'], p
    assert f"median_ns={p['median_ns']} " in l and f"path={p['path']} " in l, (p, l)
    m = re.search(r'bytes_per_page_milli=(\d+)', l)
    assert abs(p['bytes_per_page'] - int(m.group(1)) / 1000) < 1e-9, p
paths = {p['path'] for p in r['points']}
assert {'helper-mirror', 'helper-pinned', 'gup', 'amdgpu', 'bare', 'revalidate',
        'invalidate', 'notifier'} <= paths, paths
PY
# the table's ratio is the JSON's medians divided
check table_ratio python3 - "$tmp/r.json" "$tmp/report.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
txt = open(sys.argv[2]).read()
pts = {(p['path'], p['backing'], p['size']): p for p in r['points'] if p['threads'] == 1}
hm, bare = pts[('helper-mirror', '4k', 65536)], pts[('bare', '4k', 65536)]
want = f"{hm['median_ns'] / bare['median_ns']:.2f}"
row = [l for l in txt.splitlines() if l.startswith('| 4k | 64 KiB |')]
assert len(row) == 1 and f'| {want} |' in row[0], (want, row)
assert 'helper-mirror / bare <= 1.25 at >= 1 MiB: worst' in txt, txt
assert 'contention: throughput against 1 thread' in txt, txt
PY
check png_written python3 - "$tmp/r.png" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n', d[:8]
w, h = struct.unpack('>II', d[16:24])
assert (w, h) == (1400, 600) and len(d) > 20000, (w, h, len(d))
PY
# the JSON alone gives the same table (results.json is enough to redo it)
check from_json sh -c "'$here/report.py' --from-json '$tmp/r.json' | tail -n +2 > '$tmp/again' &&
	tail -n +2 '$tmp/report.txt' | grep -v '^plot:' | diff - '$tmp/again'"
# refused: no point, a malformed point, an inconsistent one
grep -v 'bench: path=' "$here/sample.log" > "$tmp/none.log"
check refuses_empty_log sh -c "! '$here/report.py' --log '$tmp/none.log' --json '$tmp/x.json'"
sed '0,/median_ns=[0-9]*/s//median_ns=12x/' "$here/sample.log" > "$tmp/bad.log"
check refuses_malformed_point sh -c "! '$here/report.py' --log '$tmp/bad.log' --json '$tmp/x.json'"
sed '0,/min_ns=[0-9]*/s//min_ns=999999999999/' "$here/sample.log" > "$tmp/inc.log"
check refuses_min_above_median sh -c "! '$here/report.py' --log '$tmp/inc.log' --json '$tmp/x.json'"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
