#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tests of the userptr Coccinelle scripts, no kernel build needed:
#   1. the corpus: every testbed/cocci/corpus/<script>-<name>.c, run through
#      scripts/coccinelle/api/<script>.cocci in report mode (and in patch
#      mode when a .patch file is next to it), must give exactly the
#      committed .expected (.patch) output;
#   2. the real tree: the files of the pristine base that mention what the
#      scripts look for (the selection, itself a checked result) must give
#      exactly testbed/cocci/tree/<script>.expected, where every report
#      carries a "# TP: reason" or "# FP: reason" label.
# Each comparison is one KTAP case. With --update the outputs are written
# back (labels of unchanged lines are kept; new lines get "# ??:").
. "$(dirname "$0")/../lib.sh"
need spatch coccinelle
here=$TESTBED/cocci
update=false
[ "${1:-}" = --update ] && update=true
declare -A script=([lock_order]=ttm_user_bo [open_coded]=ttm_user_bo_open_coded)
# the tree directories with interval-notifier users (mm/, which implements
# them, is left out), and what a file must mention for any rule to match
dirs="drivers/gpu/drm drivers/infiniband drivers/xen lib"
select_re='mmu_interval_notifier_ops|hmm_range_fault|mmu_interval_read_(begin|retry)|mmu_interval_check_retry|get_user_pages|pin_user_pages|mmap_(read|write)_lock|ttm_user_bo_|amdgpu_hmm_range_get_pages'

run_spatch() { # mode cocci file...: one spatch per file (a file group would merge them)
	local mode=$1 cocci=$2 f
	shift 2
	for f in "$@"; do
		nice -n 10 spatch --very-quiet --timeout 120 -D "$mode" --sp-file "$cocci" "$f" 2>/dev/null || true
	done
}

n=0 pass=0 fail=0
result() { # ok name [diff]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		pass=$((pass + 1)); echo "ok $n $2"
	else
		fail=$((fail + 1)); echo "not ok $n $2"; sed 's/^/# /' <<< "$3"
	fi
}
check() { # name expected-file actual-text
	local d
	if $update; then
		printf '%s\n' "$3" | sed '/^$/d' > "$2"
	fi
	if d=$(diff <(sed '/^$/d' "$2" 2>/dev/null) <(printf '%s\n' "$3" | sed '/^$/d')); then
		result ok "$1"
	else
		result fail "$1" "$d"
	fi
}

echo "KTAP version 1"
corpus=$(cd "$here/corpus" && ls *.c)
echo "1..$(( $(echo "$corpus" | wc -l) + $(cd "$here/corpus" && ls *.patch 2>/dev/null | wc -l) + 1 + 2 * ${#script[@]} ))"

cd "$here/corpus"
for c in $corpus; do
	s=${script[${c%%-*}]}
	out=$(run_spatch report "$REPO/scripts/coccinelle/api/$s.cocci" "$c" | sort)
	check "corpus_${c%.c}" "${c%.c}.expected" "$out"
	if [ -f "${c%.c}.patch" ]; then
		out=$(run_spatch patch "$REPO/scripts/coccinelle/api/$s.cocci" "$c" |
			grep -v '^diff -u -p' | sed 's/^+++ .*/+++ (patched)/')
		check "corpus_${c%.c}_patch" "${c%.c}.patch" "$out"
	fi
done

base=$("$TESTBED/fetch-base.sh")
cd "$base"
sel=$(grep -rlE --include='*.c' "$select_re" $dirs | sort)
check tree_selection "$here/tree/selection" "$sel"
for k in "${!script[@]}"; do
	s=${script[$k]}
	exp=$here/tree/$s.expected
	out=$(run_spatch report "$REPO/scripts/coccinelle/api/$s.cocci" $sel | sort -u)
	if $update && [ -f "$exp" ]; then
		out=$(while IFS= read -r l; do
			[ -n "$l" ] || continue
			lab=$(grep -F -- "$l	#" "$exp" | head -n 1 | sed 's/.*	#/#/')
			printf '%s\t%s\n' "$l" "${lab:-# ??: unlabelled}"
		done <<< "$out")
	elif $update; then
		out=$(sed '/^$/d; s/$/\t# ??: unlabelled/' <<< "$out")
	fi
	if $update; then
		check "tree_$s" "$exp" "$out"
	else
		check "tree_$s" <(sed 's/\t#.*//' "$exp") "$out"
	fi
	bad=$(grep -cvE '	# (TP|FP): .' "$exp" || true)
	if [ "$bad" -eq 0 ]; then
		result ok "tree_${s}_labelled # $(grep -c '	# TP:' "$exp") TP, $(grep -c '	# FP:' "$exp") FP"
	else
		result fail "tree_${s}_labelled" "$bad reports without a TP/FP label in $exp"
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
