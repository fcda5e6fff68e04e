#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sort the kmemleak report at the end of a guest log by test.

usage: leaks.py [--baseline <evidence>] <guest log> [function prefix ...]

Prints how many unreferenced objects each test (the outermost igt_ frame
of the backtrace for the i915 selftests, else their group's
*_mock_selftests frame, else the outermost ttm_/drm_ frame; creds of
exited kthreads under copy_creds) left, and every report whose backtrace
has a function starting with one of the prefixes (default: ttm_user_bo,
ttm_user_tt, ub_) or one the verdict never baselines (verdict.py OURS:
ttm_user_bo/tt, ttm_refct_sgt, userptr, rsgt). Exits 1 when any such
report exists.

With --baseline, prints instead one baseline line per test,
"leak ^<test>\\+ max <count> -- <evidence>", for testbed/baseline/<boot>
(run it on a pristine log: what the pristine base leaks is upstream's).
"""
import re
import sys
from collections import Counter

args = sys.argv[1:]
evidence = None
if args and args[0] == '--baseline':
    evidence, args = args[1], args[2:]
log = open(args[0], errors='replace').read()
prefixes = tuple(args[1:]) or ('ttm_user_bo', 'ttm_user_tt', 'ub_')
# what verdict.py never baselines (its OURS)
OURS = re.compile(r'ttm_user_(bo|tt)|ttm_refct_sgt|userptr|rsgt')
try:
    rep = log[log.index('ttmub: kmemleak report follows'):log.index('ttmub: kmemleak report ends')]
except ValueError:
    sys.exit('no kmemleak report in the log')
blocks = re.split(r'(?=unreferenced object)', rep)[1:]
by_test = Counter()
ours = []
for b in blocks:
    fns = re.findall(r'(?:\]\s+|^\s+)([A-Za-z_][A-Za-z_0-9.]*)\+0x', b, re.M)
    igts = [f for f in fns if f.startswith('igt_')]
    groups = [f for f in fns if f.endswith('_mock_selftests')]
    tests = [f for f in fns if f.startswith(('ttm_', 'drm_'))]
    if igts:
        key = igts[-1]
    elif groups:
        key = groups[-1]
    elif tests:
        key = tests[-1]
    elif 'copy_creds' in fns:
        key = 'copy_creds'
    else:
        key = fns[-5] if len(fns) >= 5 else '?'
    by_test[key] += 1
    if any(f.startswith(prefixes) or OURS.search(f) for f in fns):
        ours.append(b.strip())
if evidence is not None:
    for name, n in sorted(by_test.items()):
        print(f'leak ^{re.escape(name)}\\+ max {n} -- {evidence}')
    sys.exit(1 if ours else 0)
print(f'{len(blocks)} unreferenced objects')
for name, n in by_test.most_common():
    print(f'{n:5} {name}')
print(f'{len(ours)} involve {", ".join(prefixes)}')
for b in ours:
    print(b)
sys.exit(1 if ours else 0)
