#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one guest boot from its serial log.

usage: verdict.py --kunit-dir DIR --log LOG [--expect FILE] [--baseline FILE]
                  [--config NAME] [--ktap] [--suites GLOB] [--summary FILE]

Cases: every KTAP document in the log (the built-in KUnit run, and any
printed later by a module or a boot script) is parsed by the kernel's own
tools/testing/kunit/kunit_parser.py. A leaf case
  - passes when it passed and no log finding happened while it ran;
  - fails when it failed or crashed, when a finding happened while it ran,
    or when it skipped without a "skip" line in the expect file allowing it;
  - is "known" when the baseline lists it with the same status and a
    failure message that still matches (never counted as passed); a known
    case that now fails differently fails.

Findings are log lines that must never appear: a lockdep report, WARN, BUG,
oops, panic, KASAN, UBSAN, kmemleak or debugobjects report, a hung task or
RCU stall, a sanitizer switching itself off. Exceptions: a WARN whose site an
expect "warn" line lists, the canaries the guest fires on purpose to prove a
checker live (between "ttmub: canary <name> begins/ends"), and kmemleak
reports whose allocation backtrace a baseline "leak" line lists (never one
that touches ttm_user_bo). An allowed report covers its own block only: the
next report header inside it is judged again.

The boot (one more failure) fails when a finding happened outside any case,
an expected suite is missing or ran another number of cases, the log lacks
"ttmub: boot done", QEMU's exit status is missing or not 0, lockdep is off
at the end (debug_locks != 1), or a checker the expect file requires for
this config was not shown live in the log.

Expect file lines:
  suite <name> <cases>            the suite runs exactly <cases> cases
  skip <case glob> -- <reason>    these cases may skip
  warn <regex> [in <case glob>] -- <reason>
                                  a WARN at a site matching <regex> is expected
                                  (only while a case matching <glob> runs)
  checker <name> [<config>...]    <name> must be live (in every config, or only
                                  in the ones listed); names: lockdep, warn,
                                  dma-debug, kasan, kmemleak, ubsan
  nolockdep <config>... -- <reason>
                                  these configs have no lockdep: debug_locks
                                  "unknown" is fine (0 still fails) and the
                                  lockdep checker is not required there
Baseline file lines:
  case <suite>.<case>[.<param>] <FAILURE|CRASHED> <regex> -- <evidence>
  leak <backtrace regex> [max <n>] -- <evidence>
                                  (at most <n> such reports, when given)

Prints the parser's output, the failures, a "findings:" line, and last
"N passed, N failed[, N skipped]". Exit status 0 when the boot passed.
"""
import argparse
import fnmatch
import io
import json
import re
import sys

DONE = 'ttmub: boot done'
DEBUG_LOCKS = re.compile(r'ttmub: debug_locks=(\S+)')
QEMU_RC = re.compile(r'ttmub: host: qemu exit status (\S+)')
CUT = '------------[ cut here ]------------'
END_TRACE = re.compile(r'---\[ end trace( [0-9a-f]+)? \]---')
WARN_SITE = re.compile(r'WARNING: CPU: \d+ PID: \d+ at (\S+)')
UBSAN_SITE = re.compile(r'UBSAN: \S+ in (\S+)')
CANARY = re.compile(r'ttmub: canary (\S+) (begins|ends)')
CANARY_SITE = {'warn': re.compile(r'drivers/misc/lkdtm/'),
               'ubsan': re.compile(r'drivers/misc/lkdtm/')}
LEAK_REPORT = re.compile(r'ttmub: kmemleak report (follows|ends)')
LEAK_OBJECT = re.compile(r'unreferenced object 0x')
# a backtrace frame: "    func+0x1a/0x30" (6.12), "    [<addr>] func+0x.." (older)
LEAK_FRAME = re.compile(r'^\s+(?:\[<[0-9a-f]+>\] )?([A-Za-z_][\w.]*\+0x[0-9a-f]+/0x[0-9a-f]+)')
# Our code: a leak that touches it is never baselined: the helper, the
# refcounted sg-table (ttm_refct_sgt, i915's rsgt constructors) and the
# userptr paths of the drivers and their tests.
OURS = re.compile(r'ttm_user_(bo|tt)|ttm_refct_sgt|userptr|rsgt')
# A checker is live when the log shows this (the guest prints the ttmub
# lines; the others are the checkers' own start-up lines).
LIVE = {
    'lockdep': re.compile(r'ttmub: checker lockdep: /proc/lockdep_chains'),
    'dma-debug': re.compile(r'ttmub: checker dma-debug: disabled=N'),
    'kasan': re.compile(r'KernelAddressSanitizer initialized'),
    'kmemleak': re.compile(r'ttmub: checker kmemleak: scanned'),
}
CANARY_CHECKERS = ('warn', 'ubsan')
# Anything matching one of these is a finding, unless allowed (see above).
BAD = [
    re.compile(p) for p in (
        r'WARNING:',                 # WARN_ON and every lockdep "WARNING: possible ..."
        r'\bBUG[: ]',                # BUG:, kernel BUG at, BUG kmalloc-..
        r'DEBUG_LOCKS_WARN_ON',
        r'INFO: (possible|inconsistent|trying to register|task .* blocked)',
        r'inconsistent lock state',
        r'turning off the locking correctness validator',
        r'\bOops\b',
        r'general protection fault',
        r'Kernel panic',
        r'KASAN',
        r'UBSAN',
        r'kmemleak: \d+ new suspected memory leaks',
        r'kmemleak: .*(disabled|Cannot allocate|[Mm]emory pool empty)',
        r'unreferenced object 0x',
        r'ODEBUG:',
        r'DMA-API: .*(disabl|out of memory|ENOMEM)',
        r'detected (expedited )?stalls?',
        r'soft lockup',
        r'Call Trace:',
        r'ttmub: host: guest killed',
    )
]
# Strip the printk timestamp (the indentation after it is KTAP's).
PREFIX = re.compile(r'^\[\s*\d+\.\d+\]\s?')
KTAP_START = re.compile(r'^(K?TAP) version \d+\s*$')
SUBTEST = re.compile(r'^(\s*)# Subtest: (.+?)\s*$')
RESULT = re.compile(r'^(\s*)(ok|not ok) \d+ (.*?)\s*(#.*)?$')
# What the KTAP parser is fed: KTAP lines, and KUnit's diagnostics (indented
# by at least one level). Other kernel messages printed in between
# ("Freeing initrd memory" between a version line and its subtest header)
# would derail it; scan_log() judges them on the full log.
KTAP_LINE = re.compile(r'^(\s*(K?TAP version \d+|\d+\.\.\d+|(not )?ok \d+|#)| {4})')


def _reason_line(path, n, rest):
    what, sep, reason = rest.partition(' -- ')
    if not sep or not reason.strip() or not what.strip():
        raise SystemExit(f'{path}:{n}: needs "<what> -- <reason>"')
    return what.strip(), reason.strip()


def load_expect(path):
    exp = {'suites': {}, 'skips': [], 'warns': [], 'checkers': [], 'nolockdep': []}
    if not path:
        return exp
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            kind, _, rest = line.strip().partition(' ')
            if kind == 'suite':
                name, count = rest.split()
                exp['suites'][name] = int(count)
            elif kind == 'skip':
                exp['skips'].append(_reason_line(path, n, rest))
            elif kind == 'warn':
                what, _ = _reason_line(path, n, rest)
                regex, sep, glob = what.partition(' in ')
                exp['warns'].append((re.compile(regex.strip()), glob.strip() if sep else None))
            elif kind == 'checker':
                name, *configs = rest.split()
                exp['checkers'].append((name, configs))
            elif kind == 'nolockdep':
                configs, _ = _reason_line(path, n, rest)
                exp['nolockdep'] += configs.split()
            else:
                raise SystemExit(f'{path}:{n}: unknown line "{line}"')
    return exp


def load_baseline(path):
    bl = {'cases': {}, 'leaks': []}
    if not path:
        return bl
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line.strip() or line.startswith('#'):
                continue
            kind, _, rest = line.partition(' ')
            what, evidence = _reason_line(path, n, rest)
            if kind == 'case':
                parts = what.split(None, 2)
                if len(parts) != 3 or parts[1] not in ('FAILURE', 'CRASHED'):
                    raise SystemExit(f'{path}:{n}: "case <name> <FAILURE|CRASHED> <regex> -- ..."')
                bl['cases'][parts[0]] = (parts[1], re.compile(parts[2]), evidence)
            elif kind == 'leak':
                if OURS.search(what):
                    raise SystemExit(f'{path}:{n}: a leak of ttm_user_bo, the refcounted sg-table or userptr code is never baselined')
                m = re.fullmatch(r'(.*?)\s+max\s+(\d+)', what)
                regex, limit = (m.group(1), int(m.group(2))) if m else (what, None)
                bl['leaks'].append([re.compile(regex), evidence, limit])
            else:
                raise SystemExit(f'{path}:{n}: unknown line "{line}"')
    return bl


def report_header(line):
    """The first BAD pattern the line matches, or None."""
    for bad in BAD:
        if bad.search(line):
            return bad
    return None


def scan_log(text, owners, exp, bl):
    """Return (findings, live, known_leaks): findings as (line index, text)."""
    findings, live, known_leaks = [], set(), []
    canary = None           # the canary whose region we are in
    block = None            # None, 'open' (judged) or 'allowed'
    in_leaks, leak = False, None
    # With the guest's kmemleak report in the log, each object in it is judged
    # (against the baseline) and the automatic scan's summary line is not.
    full_report = any(LEAK_REPORT.search(l) for l in text)

    def end_leak():
        nonlocal leak
        if leak is None:
            return
        i, head, frames = leak
        leak = None
        # the outermost frame a baseline line names decides (the test)
        hits = [e for f in reversed(frames) for e in bl['leaks'] if e[0].search(f)]
        if hits and not any(OURS.search(f) for f in frames):
            entry = hits[0]
            if entry[2] is None or entry[2] > 0:
                if entry[2] is not None:
                    entry[2] -= 1
                known_leaks.append(head)
                return
            findings.append((i, f'{head}: more reports through "{entry[0].pattern}" '
                                'than the baseline allows'))
            return
        where = ' <- '.join(frames[:4]) or 'no backtrace'
        findings.append((i, f'{head} ({where})'))

    for i, line in enumerate(text):
        m = CANARY.search(line)
        if m:
            canary = m.group(1) if m.group(2) == 'begins' else None
            block = None
            continue
        m = LEAK_REPORT.search(line)
        if m:
            end_leak()
            in_leaks = m.group(1) == 'follows'
            continue
        if in_leaks:
            if LEAK_OBJECT.search(line):
                end_leak()
                leak = (i, line.strip(), [])
            elif leak is not None:
                f = LEAK_FRAME.search(line)
                if f:
                    leak[2].append(f.group(1))
            continue
        if CUT in line:
            block = 'open'
            continue
        if canary and line.startswith('lkdtm: '):
            continue            # lkdtm narrating its own canary
        if block == 'open':
            m = WARN_SITE.search(line) or UBSAN_SITE.search(line)
            if m:
                site = m.group(1)
                if canary in CANARY_CHECKERS and CANARY_SITE[canary].search(site) and \
                        line.lstrip().startswith('WARNING' if canary == 'warn' else 'UBSAN'):
                    live.add(canary)
                    block = 'allowed'
                    continue
                if line.lstrip().startswith('WARNING') and any(
                        w.search(site) and (g is None or (owners[i] is not None and
                                                          fnmatch.fnmatchcase(owners[i], g)))
                        for w, g in exp['warns']):
                    block = 'allowed'
                    continue
        if END_TRACE.search(line):
            block = None
            continue
        bad = report_header(line)
        if bad is None:
            continue
        if full_report and bad.pattern.startswith(r'kmemleak: \d+ new'):
            continue
        if block == 'allowed' and bad.pattern == r'Call Trace:':
            continue
        # A new report: it ends an allowed block and is judged on its own.
        if block == 'allowed':
            block = 'open'
        findings.append((i, line.strip()))
    end_leak()
    for name, regex in LIVE.items():
        if any(regex.search(l) for l in text):
            live.add(name)
    return findings, live, known_leaks


def ktap_documents(text):
    """Split the log into KTAP documents: (first line index, lines)."""
    starts = [i for i, l in enumerate(text) if KTAP_START.match(l)]
    return [(s, text[s:e]) for s, e in zip(starts, starts[1:] + [len(text)])]


def line_owners(text):
    """The leaf case each log line belongs to, or None (the boot).

    KUnit prints a case's output before its result line: a line belongs to
    the next leaf result in the same KTAP document. Lines after a suite's
    last case, between documents or outside KTAP belong to the boot.
    """
    owners = [None] * len(text)
    stack, pending = [], []
    for i, line in enumerate(text):
        if KTAP_START.match(line):
            stack, pending = [], []
        pending.append(i)
        m = SUBTEST.match(line)
        if m:
            stack.append((len(m.group(1)), m.group(2)))
            continue
        m = RESULT.match(line)
        if not m or not stack:
            continue
        indent, name = len(m.group(1)), m.group(3)
        if stack[-1][0] == indent + 4 and stack[-1][1] == name:
            stack.pop()
            owner = None            # suite or parameterised case teardown
        else:
            owner = '.'.join([s for _, s in stack] + [name])
        for j in pending:
            owners[j] = owner
        pending = []
    return owners


def attribute(owners, findings):
    """Map each owner (leaf case or None) to the findings it printed."""
    at = {}
    for i, f in findings:
        at.setdefault(owners[i], []).append(f)
    return at


def leaves(test, path=()):
    """Yield (name, Test) of every leaf case of a kunit_parser Test."""
    name = path + (test.name or '<missing>',)
    if not test.subtests:
        yield '.'.join(name), test
        return
    for sub in test.subtests:
        yield from leaves(sub, name)


def parse_ktap(text, kunit_dir, res):
    """Parse every KTAP document; return [(suite name, [(case, Test)])]."""
    sys.path.insert(0, kunit_dir)
    import kunit_parser  # noqa: E402  (the kernel's KTAP parser)
    from kunit_parser import TestStatus

    out = io.StringIO()
    kunit_parser.stdout._output = out
    kunit_parser.stdout._use_color = False
    suites = []
    docs = ktap_documents(text)
    if not docs:
        res['boot'].append('no KTAP results in the log')
    for start, lines in docs:
        top = kunit_parser.parse_run_tests([l for l in lines if KTAP_LINE.match(l)])
        if top.status in (TestStatus.FAILURE_TO_PARSE_TESTS, TestStatus.NO_TESTS):
            res['boot'].append(f'KTAP document at log line {start + 1}: no results parsed')
            continue
        for suite in (top.subtests if top.name == '' or top.subtests else [top]):
            suites.append((suite, list(leaves(suite))))
            if suite.counts.errors:
                res['boot'].append(f'suite {suite.name}: {suite.counts.errors} KTAP error(s)')
    res['parser_output'] = out.getvalue()
    return suites, TestStatus


def judge(log_lines, exp, bl, ktap, kunit_dir, config='base'):
    res = {'passed': 0, 'failed': 0, 'skipped': 0, 'known': 0, 'boot': [],
           'failures': [], 'known_cases': [], 'findings': [], 'suites': [],
           'live': [], 'known_leaks': 0}
    text = [PREFIX.sub('', l.rstrip('\n')) for l in log_lines]
    owners = line_owners(text)
    findings, live, known_leaks = scan_log(text, owners, exp, bl)
    res['findings'] = [f for _, f in findings]
    res['live'] = sorted(live)
    res['known_leaks'] = len(known_leaks)
    at = attribute(owners, findings)

    if ktap:
        suites, TestStatus = parse_ktap(text, kunit_dir, res)
        seen, cases = {}, set()
        for suite, cs in suites:
            res['suites'].append((suite.name, len(cs)))
            seen[suite.name] = seen.get(suite.name, 0) + len(cs)
            for name, test in cs:
                cases.add(name)
                st = test.status
                found = at.get(name, [])
                if name in bl['cases']:
                    want, regex, evidence = bl['cases'][name]
                    msg = '\n'.join(test.log)
                    if st.name == want and regex.search(msg) and not found:
                        res['known'] += 1
                        res['known_cases'].append(f'{name} ({evidence})')
                        continue
                    res['failed'] += 1
                    res['failures'].append(f'{name}: {st.name}, baseline expects {want} '
                                           f'matching "{regex.pattern}": fails differently')
                    continue
                if st == TestStatus.SKIPPED:
                    if any(fnmatch.fnmatchcase(name, g) for g, _ in exp['skips']) and not found:
                        res['skipped'] += 1
                        continue
                    res['failed'] += 1
                    res['failures'].append(f'{name}: SKIPPED, and no "skip" line allows it')
                elif st != TestStatus.SUCCESS:
                    res['failed'] += 1
                    res['failures'].append(f'{name}: {st.name}')
                elif found:
                    res['failed'] += 1
                    res['failures'].append(f'{name}: passed, but the log has '
                                           f'{len(found)} finding(s) while it ran: {found[0]}')
                else:
                    res['passed'] += 1
        for name, want in exp['suites'].items():
            got = seen.get(name)
            if got is None:
                res['boot'].append(f'{name}: suite missing ({want} cases expected)')
            elif got != want:
                res['boot'].append(f'{name}: ran {got} cases, expected {want}')
        for name in seen:
            if exp['suites'] and name not in exp['suites']:
                res['boot'].append(f'{name}: suite not in the expect file')
        for name in sorted(set(bl['cases']) - cases):
            res['boot'].append(f'{name}: listed in the baseline but did not run')
        for owner in at:
            if owner is not None and owner not in cases:
                res['boot'] += [f'log ({owner}): {f}' for f in at[owner]]
    else:
        for fs in at.values():
            res['boot'] += ['log: ' + f for f in fs]
    res['boot'] += ['log: ' + f for f in at.get(None, [])]

    if not any(DONE in l for l in text):
        res['boot'].append('guest did not finish (no "%s": died, hung or was killed)' % DONE)
    rc = [m.group(1) for m in (QEMU_RC.search(l) for l in text) if m]
    if not rc or rc[-1] != '0':
        res['boot'].append('QEMU exit status %s' % (rc[-1] if rc else 'not reported'))
    dl = [m.group(1) for m in (DEBUG_LOCKS.search(l) for l in text) if m]
    if dl and dl[-1] == 'unknown' and config in exp['nolockdep']:
        pass
    elif not dl or dl[-1] != '1':
        res['boot'].append('lockdep is off at the end of the boot (debug_locks=%s)'
                           % (dl[-1] if dl else 'not reported'))
    for name, configs in exp['checkers']:
        if name == 'lockdep' and config in exp['nolockdep']:
            continue
        if (not configs or config in configs) and name not in live:
            res['boot'].append(f'checker {name} is not live in this boot '
                               f'(required for config {config})')
    if res['boot']:
        res['failed'] += 1
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kunit-dir', required=True)
    ap.add_argument('--log', required=True)
    ap.add_argument('--expect')
    ap.add_argument('--baseline')
    ap.add_argument('--config', default='base', help='the kernel config the boot ran')
    ap.add_argument('--ktap', action='store_true')
    ap.add_argument('--suites', default='*',
                    help='only suites matching this glob are expected (kunit.filter_glob)')
    ap.add_argument('--summary', help='write the counts as JSON here')
    ap.add_argument('--dump-suites', action='store_true',
                    help='print "suite <name> <cases>" lines for an expect file')
    args = ap.parse_args()

    with open(args.log, errors='replace') as f:
        lines = f.readlines()
    exp = load_expect(args.expect)
    exp['suites'] = {k: v for k, v in exp['suites'].items()
                     if fnmatch.fnmatchcase(k, args.suites)}
    bl = load_baseline(args.baseline)
    res = judge(lines, exp, bl, args.ktap, args.kunit_dir, args.config)

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
    for p in res['boot'][:50]:
        print(f'FAILED: boot: {p}')
    if len(res['boot']) > 50:
        print(f'FAILED: boot: ... and {len(res["boot"]) - 50} more')
    print('checkers live: ' + (' '.join(res['live']) or 'none'))
    if res['known_leaks']:
        print(f'{res["known_leaks"]} kmemleak reports of upstream code (baseline "leak" lines)')
    if args.summary:
        with open(args.summary, 'w') as f:
            json.dump({k: res[k] for k in ('passed', 'failed', 'skipped', 'known', 'failures',
                                           'boot', 'findings', 'live', 'known_leaks')},
                      f, indent=1)
    if res['known']:
        print(f'{res["known"]} known upstream failures (in the baseline; not counted)')
    fs = res['findings']
    print(f'findings: {len(fs)}' + (': ' + ' | '.join(fs[:5]) if fs else '') +
          (f' | ... and {len(fs) - 5} more' if len(fs) > 5 else ''))
    tail = f', {res["skipped"]} skipped' if res['skipped'] else ''
    print(f'{res["passed"]} passed, {res["failed"]} failed{tail}')
    return 0 if res['failed'] == 0 and res['passed'] + res['known'] > 0 else 1


if __name__ == '__main__':
    sys.exit(main())
