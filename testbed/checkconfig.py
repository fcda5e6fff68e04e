#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fail when an option a config fragment asks for is not in the final .config.

merge_config.sh only warns; kunit.py fails, and so do we, with kunit.py's own
Kconfig parser and subset check (tools/testing/kunit/kunit_config.py).
usage: checkconfig.py <kunit dir> <.config> <fragment>...
"""
import sys

sys.path.insert(0, sys.argv[1])
import kunit_config  # noqa: E402


def main():
    final = kunit_config.parse_file(sys.argv[2])
    bad = 0
    for frag in sys.argv[3:]:
        want = kunit_config.parse_file(frag)
        if want.is_subset_of(final):
            continue
        got = {e.name: e.value for e in final.as_entries()}
        for e in sorted(set(want.as_entries()) - set(final.as_entries()),
                        key=lambda e: e.name):
            if e.value == 'n' and e.name not in got:
                continue
            print(f'{frag}: CONFIG_{e.name}={e.value} requested, but .config has '
                  f'{got.get(e.name, "n")} (a missing dependency, or a select)', file=sys.stderr)
            bad += 1
    if bad:
        print(f'checkconfig: {bad} requested option(s) dropped', file=sys.stderr)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
