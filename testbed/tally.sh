# SPDX-License-Identifier: GPL-2.0
# Sourced by test.sh (and the verdict self-test): the run's totals.
# shellcheck shell=bash
passed=0 failed=0 skipped=0 known=0

# add <verdict summary json> <verdict exit status>: add a boot's counts to
# the totals. A non-zero exit fails the run whatever the JSON says.
add() {
	local c vrc=$2
	if [ ! -s "$1" ] || ! c=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(d["passed"], d["failed"], d["skipped"], d["known"])' "$1"); then
		echo "verdict did not complete for $1 (exit status $vrc)"
		failed=$((failed + 1))
		return
	fi
	set -- $c
	passed=$((passed + $1)) failed=$((failed + $2))
	skipped=$((skipped + $3)) known=$((known + $4))
	if [ "$vrc" -ne 0 ] && [ "$2" -eq 0 ]; then
		echo "verdict exited $vrc although it counted no failure: one more failure"
		failed=$((failed + 1))
	fi
}

