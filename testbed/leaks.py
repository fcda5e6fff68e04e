#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sort the kmemleak report at the end of a guest log by test.

usage: leaks.py <guest log> [function prefix ...]

Prints how many unreferenced objects each test (the innermost ttm_/drm_
frame of the backtrace) left, and every report whose backtrace has a
function starting with one of the prefixes (default: ttm_user_bo, ub_).
Exits 1 when any such report exists.
"""
import re
import sys
from collections import Counter

log = open(sys.argv[1], errors='replace').read()
prefixes = tuple(sys.argv[2:]) or ('ttm_user_bo', 'ub_')
try:
    rep = log[log.index('ttmub: kmemleak report follows'):log.index('ttmub: kmemleak report ends')]
except ValueError:
    sys.exit('no kmemleak report in the log')
blocks = re.split(r'(?=unreferenced object)', rep)[1:]
by_test = Counter()
ours = []
for b in blocks:
    fns = re.findall(r'(?:\]\s+|^\s+)([A-Za-z_][A-Za-z_0-9.]*)\+0x', b, re.M)
    tests = [f for f in fns if f.startswith(('ttm_', 'drm_'))]
    by_test[tests[-1] if tests else (fns[-5] if len(fns) >= 5 else '?')] += 1
    if any(f.startswith(prefixes) for f in fns):
        ours.append(b.strip())
print(f'{len(blocks)} unreferenced objects')
for name, n in by_test.most_common():
    print(f'{n:5} {name}')
print(f'{len(ours)} involve {", ".join(prefixes)}')
for b in ours:
    print(b)
sys.exit(1 if ours else 0)
