#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fail when an option a config fragment asks for is not in the final .config.

merge_config.sh only warns; kunit.py fails. We fail too, for every config.
usage: checkconfig.py <.config> <fragment>...
"""
import re
import sys

SET = re.compile(r'^(CONFIG_\w+)=(.*)$')
UNSET = re.compile(r'^# (CONFIG_\w+) is not set$')


def read(path):
    opts = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            m = SET.match(line)
            if m:
                opts[m.group(1)] = 'n' if m.group(2) == 'n' else m.group(2)
                continue
            m = UNSET.match(line)
            if m:
                opts[m.group(1)] = 'n'
    return opts


def main():
    final = read(sys.argv[1])
    bad = 0
    for frag in sys.argv[2:]:
        for opt, want in read(frag).items():
            got = final.get(opt, 'n')
            if got != want:
                print(f'{frag}: {opt}={want} requested, but .config has '
                      f'{opt}={got} (a dependency is missing)', file=sys.stderr)
                bad += 1
    if bad:
        print(f'checkconfig: {bad} requested option(s) dropped', file=sys.stderr)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
