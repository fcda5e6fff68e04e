#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the ttm_user_bo benchmark's guest log into results, a table and a plot.

usage: report.py --log LOG --json OUT [--machine TEXT] [--date TEXT]
                 [--config NAME] [--png OUT] [--gnuplot PATH]
       report.py --from-json RESULTS [--png OUT]

The guest (drivers/gpu/drm/ttm/tests/ttm_user_bo_bench.c) prints one line
per point:
  bench: path=<p> backing=<4k|thp> size=<bytes> threads=<n> runs=<n>
         median_ns=.. min_ns=.. max_ns=.. release_ns=.. sg_entries=..
         bytes_per_page_milli=.. [invalidations=..]
and once "bench: kernel=<release> version=<uts version> ...". Writes
  {"date", "machine", "kernel", "config", "points": [{"path", "backing",
   "size", "threads", "median_ns", "min_ns", "max_ns", "runs", "sg_entries",
   "bytes_per_page", "release_ns"[, "invalidations"]}]}
prints a markdown table and the targets' ratios, and draws throughput
against size for every path (gnuplot, PNG). Exits 1 when the log has no
point or a point is malformed.
"""
import argparse
import datetime
import json
import math
import os
import re
import subprocess
import sys
import tempfile

POINT = re.compile(r'bench: (path=\S+(?: [a-z_]+=\S+)+)\s*$')
KERNEL = re.compile(r'bench: kernel=(\S+) version=(.*?) budget_ms=')
INTS = ('size', 'threads', 'runs', 'median_ns', 'min_ns', 'max_ns',
        'release_ns', 'snapshot_ns', 'sg_entries', 'bytes_per_page_milli', 'invalidations')
PATHS = ('helper-mirror', 'helper-pinned', 'gup', 'amdgpu', 'bare',
         'revalidate', 'invalidate', 'notifier', 'contention',
         'contention-invalidate', 'contention-control')
PLOTTED = ('helper-mirror', 'helper-pinned', 'gup', 'amdgpu', 'bare')
MIB = 1 << 20


def parse_log(path):
    """Return (kernel, points) from a guest log."""
    kernel = None
    points = []
    with open(path, errors='replace') as f:
        for n, line in enumerate(f, 1):
            m = KERNEL.search(line)
            if m:
                kernel = f'{m.group(1)} {m.group(2)}'.strip()
                continue
            m = POINT.search(line)
            if not m:
                continue
            kv = dict(item.split('=', 1) for item in m.group(1).split())
            try:
                pt = {k: (int(v) if k in INTS else v) for k, v in kv.items()}
            except ValueError as e:
                raise SystemExit(f'{path}:{n}: malformed point: {e}')
            missing = [k for k in ('path', 'backing', 'size', 'threads', 'runs',
                                   'median_ns', 'min_ns', 'max_ns') if k not in pt]
            if missing or pt['path'] not in PATHS or pt['backing'] not in ('4k', 'thp'):
                raise SystemExit(f'{path}:{n}: malformed point (missing {missing}): {line.strip()}')
            if not pt['min_ns'] <= pt['median_ns'] <= pt['max_ns'] or pt['runs'] < 1:
                raise SystemExit(f'{path}:{n}: inconsistent point: {line.strip()}')
            pt['bytes_per_page'] = pt.pop('bytes_per_page_milli', 0) / 1000
            points.append(pt)
    return kernel, points


def find(points, path, backing, size=None, threads=1):
    for p in points:
        if (p['path'], p['backing'], p['threads']) == (path, backing, threads) and \
           (size is None or p['size'] == size):
            return p
    return None


def human(size):
    for unit, shift in (('GiB', 30), ('MiB', 20), ('KiB', 10)):
        if size >= 1 << shift and size % (1 << shift) == 0:
            return f'{size >> shift} {unit}'
    return f'{size} B'


def us(ns):
    return f'{ns / 1000:.1f}' if ns < 10_000_000 else f'{ns / 1000:.0f}'


def table(points):
    """The markdown table of the sg paths, revalidation and invalidation."""
    out = []
    cols = ('helper-mirror', 'helper-pinned', 'gup', 'amdgpu', 'bare',
            'revalidate', 'notifier', 'invalidate')
    out.append('| backing | size | ' + ' | '.join(cols) +
               ' | mirror/bare | mirror/gup | sg entries | bytes/page |')
    out.append('|' + '---|' * (len(cols) + 6))
    sizes = sorted({p['size'] for p in points if p['threads'] == 1})
    for backing in ('4k', 'thp'):
        for size in sizes:
            row = {c: find(points, c, backing, size) for c in cols}
            if not any(row.values()):
                continue
            cells = [us(row[c]['median_ns']) if row[c] else '-' for c in cols]
            hm, bare, gup = row['helper-mirror'], row['bare'], row['gup']
            r_bare = f"{hm['median_ns'] / bare['median_ns']:.2f}" if hm and bare else '-'
            r_gup = f"{hm['median_ns'] / gup['median_ns']:.2f}" if hm and gup else '-'
            sg = str(hm['sg_entries']) if hm else '-'
            bpp = f"{hm['bytes_per_page']:.2f}" if hm else '-'
            out.append(f'| {backing} | {human(size)} | ' + ' | '.join(cells) +
                       f' | {r_bare} | {r_gup} | {sg} | {bpp} |')
    out.append('')
    out.append('Medians in microseconds, each path timed from nothing to a DMA-mapped '
               'table (bare: the page walk alone); mirror/bare and mirror/gup are '
               'helper-mirror median over the other median.')
    cont = [p for p in points if p['path'].startswith('contention')]
    if cont:
        out.append('')
        out.append('| contention | threads | us per commit cycle (median) | commits/s | '
                   'speed-up (median) | us per cycle (best run) | speed-up (best run) |')
        out.append('|---|---|---|---|---|---|---|')
        for path in ('contention', 'contention-invalidate', 'contention-control'):
            one = find(points, path, '4k', threads=1)
            for p in sorted((p for p in cont if p['path'] == path), key=lambda p: p['threads']):
                rate = 1e9 / p['median_ns']
                sp = f"{one['median_ns'] / p['median_ns']:.2f}" if one else '-'
                spb = f"{one['min_ns'] / p['min_ns']:.2f}" if one else '-'
                out.append(f"| {path} | {p['threads']} | {us(p['median_ns'])} | "
                           f"{rate:.0f} | {sp} | {us(p['min_ns'])} | {spb} |")
    return '\n'.join(out)


def targets(points):
    """Each target of issue 13 with its measured worst ratio."""
    out = []

    def worst(pairs):
        pairs = [x for x in pairs if x[1] is not None]
        return max(pairs, key=lambda x: x[1]) if pairs else (None, None)

    for path in ('helper-mirror', 'helper-pinned'):
        r = []
        for p in points:
            if p['path'] == path and p['size'] >= MIB and p['threads'] == 1:
                b = find(points, 'bare', p['backing'], p['size'])
                r.append((f"{p['backing']} {human(p['size'])}",
                          p['median_ns'] / b['median_ns'] if b else None))
        where, val = worst(r)
        if val is not None:
            out.append(f"- {path} / bare <= 1.25 at >= 1 MiB: worst {val:.2f} ({where}) "
                       f"{'met' if val <= 1.25 else 'MISSED'}")
        r = []
        for p in points:
            if p['path'] == path and p['size'] >= 64 << 10 and p['threads'] == 1:
                g = find(points, 'gup', p['backing'], p['size'])
                r.append((f"{p['backing']} {human(p['size'])}",
                          p['median_ns'] / g['median_ns'] if g else None))
        where, val = worst(r)
        if val is not None:
            out.append(f"- {path} / gup <= 1.00 at >= 64 KiB: worst {val:.2f} ({where}) "
                       f"{'met' if val <= 1.0 else 'MISSED'}")
    r = []
    for p in points:
        if p['path'] == 'helper-mirror' and p['backing'] == 'thp':
            r.append((human(p['size']), p['sg_entries'] / max(1, math.ceil(p['size'] / (2 * MIB)))))
    where, val = worst(r)
    if val is not None:
        out.append(f'- THP: sg entries per 2 MiB <= 1: worst {val:.2f} ({where}) '
                   f"{'met' if val <= 1 else 'MISSED'}")
    for backing in ('4k', 'thp'):
        small = find(points, 'revalidate', backing, 4096)
        big = find(points, 'revalidate', backing, 1 << 30)
        if small and big:
            val = big['median_ns'] / small['median_ns']
            out.append(f'- revalidate 1 GiB / 4 KiB <= 2 ({backing}): {val:.2f} '
                       f"{'met' if val <= 2 else 'MISSED'}")
    for backing in ('4k', 'thp'):
        r = [(human(p['size']), p['bytes_per_page']) for p in points
             if p['path'] == 'helper-mirror' and p['backing'] == backing and p['size'] >= MIB]
        where, val = worst(r)
        if val is not None:
            out.append(f'- bookkeeping <= 16 bytes/page at >= 1 MiB ({backing}): worst '
                       f"{val:.2f} ({where}) {'met' if val <= 16 else 'MISSED'}")
    for path in ('contention', 'contention-invalidate', 'contention-control'):
        c = sorted((p for p in points if p['path'] == path), key=lambda p: p['threads'])
        if c:
            rates = ', '.join(f"{p['threads']}: {c[0]['median_ns'] / p['median_ns']:.2f}x"
                              for p in c)
            best = ', '.join(f"{p['threads']}: {c[0]['min_ns'] / p['min_ns']:.2f}x"
                             for p in c)
            out.append(f'- {path}: throughput against 1 thread (2 vCPUs): medians {rates}; '
                       f'best runs {best}')
    return '\n'.join(out)


def plot(points, png, title, gnuplot='gnuplot'):
    """Throughput (MiB/s) against size, one line per path and backing."""
    with tempfile.TemporaryDirectory() as tmp:
        series = []
        for backing in ('4k', 'thp'):
            for path in PLOTTED:
                rows = sorted((p for p in points if p['path'] == path and
                               p['backing'] == backing and p['threads'] == 1),
                              key=lambda p: p['size'])
                if not rows:
                    continue
                dat = os.path.join(tmp, f'{path}-{backing}.dat')
                with open(dat, 'w') as f:
                    for p in rows:
                        mibs = p['size'] / MIB / (p['median_ns'] / 1e9)
                        lo = p['size'] / MIB / (p['max_ns'] / 1e9)
                        hi = p['size'] / MIB / (p['min_ns'] / 1e9)
                        f.write(f"{p['size'] / 1024} {mibs} {lo} {hi}\n")
                series.append((backing, path, dat))
        if not series:
            raise SystemExit('report: nothing to plot')
        gp = os.path.join(tmp, 'plot.gp')
        with open(gp, 'w') as f:
            f.write(f"""set terminal pngcairo size 1400,600 font ',10'
set output '{png}'
set termoption noenhanced
set multiplot layout 1,2 title '{title}'
set logscale x 2
set logscale y 10
set xtics ('4K' 4, '64K' 64, '1M' 1024, '16M' 16384, '256M' 262144, '1G' 1048576)
set xlabel 'BO size'
set ylabel 'throughput (MiB/s of BO, median of the runs)'
set key top left
set grid
""")
            for backing in ('4k', 'thp'):
                plots = [f"'{dat}' using 1:2 with linespoints lw 2 title '{path}'"
                         for b, path, dat in series if b == backing]
                if plots:
                    f.write(f"set title '{backing} backing'\n")
                    f.write('plot ' + ', '.join(plots) + '\n')
            f.write('unset multiplot\n')
        subprocess.run([gnuplot, gp], check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--log')
    ap.add_argument('--from-json')
    ap.add_argument('--json')
    ap.add_argument('--png')
    ap.add_argument('--machine', default='unknown')
    ap.add_argument('--date')
    ap.add_argument('--config', default='bench')
    ap.add_argument('--gnuplot', default='gnuplot')
    a = ap.parse_args()

    if a.from_json:
        with open(a.from_json) as f:
            res = json.load(f)
    elif a.log:
        kernel, points = parse_log(a.log)
        if not points:
            raise SystemExit(f'report: no "bench:" point in {a.log}')
        res = {'date': a.date or datetime.datetime.now(datetime.timezone.utc)
               .strftime('%Y-%m-%dT%H:%M:%SZ'),
               'machine': a.machine, 'kernel': kernel or 'unknown',
               'config': a.config, 'points': points}
    else:
        ap.error('--log or --from-json')
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(res, f, indent=1)
            f.write('\n')
    print(f"ttm_user_bo benchmark, {res['date']}, {res['machine']}, kernel {res['kernel']}")
    print()
    print(table(res['points']))
    print()
    print('Targets (ratios from this run):')
    print(targets(res['points']))
    if a.png:
        plot(res['points'], a.png, f"ttm_user_bo benchmark {res['date']} ({res['kernel']})",
             a.gnuplot)
        print(f'plot: {a.png}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
