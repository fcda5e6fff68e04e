#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one guest boot from its serial log.

usage: verdict.py --kunit-dir DIR --log LOG [--expect FILE] [--baseline FILE]
                  [--ktap] [--summary FILE]

The boot fails when
  - the log lacks the "ttmub: boot done" marker (guest died, hung or was
    killed), or lockdep was switched off (debug_locks != 1) by the end;
  - a KUnit case failed or crashed (KTAP parsed by the kernel's own
    tools/testing/kunit/kunit_parser.py), unless the baseline lists it as
    failing on the pristine base too; such cases are reported as "known",
    never counted as passed;
  - an expected suite is missing or ran fewer (or more) cases than expected;
  - the log has a lockdep report, WARN, BUG, oops, panic, KASAN, UBSAN,
    kmemleak, debugobjects or DMA-API report, unless it is a WARN whose site
    the expect file lists (upstream tests that WARN on purpose).

Expect file lines:
  suite <name> <cases>          the suite must run exactly <cases> cases
  warn <regex> -- <reason>      a WARN at a site matching <regex> is expected
Baseline file lines:
  <suite>.<case>[.<param>] -- <evidence>

Prints a summary; the last line is "N passed, N failed[, N skipped]".
Exit status 0 when the boot passed, 1 otherwise.
"""
import argparse
import io
import json
import re
import sys
import fnmatch

DONE = 'ttmub: boot done'
DEBUG_LOCKS = re.compile(r'ttmub: debug_locks=(\S+)')
CUT = '------------[ cut here ]------------'
END_TRACE = re.compile(r'---\[ end trace [0-9a-f]+ \]---')
WARN_SITE = re.compile(r'WARNING: CPU: \d+ PID: \d+ at (\S+)')
# Anything matching one of these outside an expected WARN block fails the boot.
BAD = [
    re.compile(p) for p in (
        r'WARNING:',                 # WARN_ON and every lockdep "WARNING: possible ..."
        r'\bBUG[: ]',                # BUG:, kernel BUG at, BUG kmalloc-..
        r'DEBUG_LOCKS_WARN_ON',
        r'INFO: (possible|inconsistent|trying to register|task .* blocked)',
        r'inconsistent lock state',
        r'\bOops\b',
        r'general protection fault',
        r'Kernel panic',
        r'KASAN',
        r'UBSAN',
        r'kmemleak: .*(leak|suspect)',
        r'unreferenced object 0x',
        r'ODEBUG:',
        r'detected stall',
        r'Call Trace:',
        r'ttmub: host: guest killed',
    )
]
# Strip the printk timestamp and the KUnit indentation.
PREFIX = re.compile(r'^\[\s*\d+\.\d+\]\s?')


def load_expect(path):
    suites, warns = {}, []
    if not path:
        return suites, warns
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split('#', 1)[0].strip() if not line.startswith('warn') else line.strip()
            if not line:
                continue
            kind, _, rest = line.partition(' ')
            if kind == 'suite':
                name, count = rest.split()
                suites[name] = int(count)
            elif kind == 'warn':
                regex, sep, reason = rest.partition(' -- ')
                if not sep or not reason.strip():
                    raise SystemExit(f'{path}:{n}: a warn line needs " -- <reason>"')
                warns.append(re.compile(regex.strip()))
            else:
                raise SystemExit(f'{path}:{n}: unknown line "{line}"')
    return suites, warns


def load_baseline(path):
    known = {}
    if not path:
        return known
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith('#'):
                continue
            name, _, evidence = line.partition(' -- ')
            known[name.strip()] = evidence.strip()
    return known


def scan_log(lines, warns):
    """Return the list of problems in the log (one string each)."""
    problems = []
    in_block, allowed = False, False
    for raw in lines:
        line = PREFIX.sub('', raw.rstrip('\n'))
        if CUT in line:
            in_block, allowed = True, False
            continue
        if in_block:
            m = WARN_SITE.search(line)
            if m and any(w.search(m.group(1)) for w in warns):
                allowed = True
            if END_TRACE.search(line):
                in_block = False
                if allowed:
                    continue
        if in_block and allowed:
            continue
        for bad in BAD:
            if bad.search(line):
                problems.append(line.strip())
                break
    return problems


def leaves(test, path=()):
    """Yield (name, status) of every leaf case of a kunit_parser Test."""
    name = path + (test.name or '<missing>',)
    if not test.subtests:
        yield '.'.join(name), test.status
        return
    for sub in test.subtests:
        yield from leaves(sub, name)


def judge(log_lines, expect_suites, warns, known, ktap, kunit_dir):
    res = {'passed': 0, 'failed': 0, 'skipped': 0, 'known': 0,
           'problems': [], 'failures': [], 'known_cases': [], 'known_names': [], 'suites': []}

    if ktap:
        sys.path.insert(0, kunit_dir)
        import kunit_parser  # noqa: E402  (the kernel's KTAP parser)
        from kunit_parser import TestStatus

        # kunit_printer binds sys.stdout at import: point it at a buffer.
        out = io.StringIO()
        kunit_parser.stdout._output = out
        kunit_parser.stdout._use_color = False
        top = kunit_parser.parse_run_tests(log_lines)
        res['parser_output'] = out.getvalue()
        if top.status in (TestStatus.FAILURE_TO_PARSE_TESTS, TestStatus.NO_TESTS):
            res['problems'].append('no KUnit results in the log')
        seen = {}
        suites = top.subtests if top.name == '' or top.subtests else [top]
        for suite in suites:
            count = 0
            for name, status in leaves(suite):
                count += 1
                if status == TestStatus.SUCCESS:
                    res['passed'] += 1
                elif status == TestStatus.SKIPPED:
                    res['skipped'] += 1
                elif name in known:
                    res['known'] += 1
                    res['known_cases'].append(f'{name} ({known[name]})')
                    res['known_names'].append(name)
                else:
                    res['failed'] += 1
                    res['failures'].append(f'{name}: {status.name}')
            seen[suite.name] = count
            res['suites'].append((suite.name, count))
            if suite.counts.errors:
                res['problems'].append(f'suite {suite.name}: {suite.counts.errors} KTAP error(s)')
        for name, want in expect_suites.items():
            got = seen.get(name)
            if got is None:
                res['failed'] += want
                res['failures'].append(f'{name}: suite missing ({want} cases expected)')
            elif got != want:
                res['problems'].append(f'{name}: ran {got} cases, expected {want}')
        for name in seen:
            if expect_suites and name not in expect_suites:
                res['problems'].append(f'{name}: suite not in the expect file')
        for name in sorted(set(known) - set(res['known_names'])):
            res['problems'].append(f'{name}: listed in the baseline but did not fail '
                                   '(update the baseline)')

    text = [PREFIX.sub('', l.rstrip('\n')) for l in log_lines]
    if not any(DONE in l for l in text):
        res['problems'].append('guest did not finish (no "%s": died, hung or was killed)' % DONE)
    dl = [m.group(1) for m in (DEBUG_LOCKS.search(l) for l in text) if m]
    if not dl or dl[-1] != '1':
        res['problems'].append('lockdep is off at the end of the boot (debug_locks=%s)'
                               % (dl[-1] if dl else 'not reported'))
    res['problems'] += ['log: ' + p for p in scan_log(log_lines, warns)]
    res['failed'] += len(res['problems'])
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kunit-dir', required=True)
    ap.add_argument('--log', required=True)
    ap.add_argument('--expect')
    ap.add_argument('--baseline')
    ap.add_argument('--ktap', action='store_true')
    ap.add_argument('--suites', default='*',
                    help='only suites matching this glob are expected (kunit.filter_glob)')
    ap.add_argument('--summary', help='write the counts as JSON here')
    ap.add_argument('--dump-suites', action='store_true',
                    help='print "suite <name> <cases>" lines for an expect file')
    args = ap.parse_args()

    with open(args.log, errors='replace') as f:
        lines = f.readlines()
    suites, warns = load_expect(args.expect)
    suites = {k: v for k, v in suites.items() if fnmatch.fnmatchcase(k, args.suites)}
    known = load_baseline(args.baseline)
    res = judge(lines, suites, warns, known, args.ktap, args.kunit_dir)

    if args.dump_suites:
        for name, count in res['suites']:
            print(f'suite {name} {count}')
        return 0
    if res.get('parser_output'):
        print(res['parser_output'], end='')
    for c in res['known_cases']:
        print(f'known upstream failure (baseline, not counted as passed): {c}')
    for f in res['failures']:
        print(f'FAILED: {f}')
    for p in res['problems'][:50]:
        print(f'FAILED: {p}')
    if len(res['problems']) > 50:
        print(f'FAILED: ... and {len(res["problems"]) - 50} more log findings')
    if args.summary:
        with open(args.summary, 'w') as f:
            json.dump({k: res[k] for k in ('passed', 'failed', 'skipped', 'known',
                                           'failures', 'problems')}, f, indent=1)
    tail = f', {res["skipped"]} skipped' if res['skipped'] else ''
    if res['known']:
        print(f'{res["known"]} known upstream failures (in the baseline; not counted)')
    print(f'{res["passed"]} passed, {res["failed"]} failed{tail}')
    return 0 if res['failed'] == 0 and res['passed'] + res['known'] > 0 else 1


if __name__ == '__main__':
    sys.exit(main())
