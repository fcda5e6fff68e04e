#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Self-test of scripts/coccinelle/api/ttm_user_bo.cocci: on
# testbed/selftest/cocci/bad.c it must report exactly the lines marked
# "/* BAD */", one KTAP case each, and nothing else (one more case).
. "$(dirname "$0")/../lib.sh"
need spatch coccinelle
cocci=$REPO/scripts/coccinelle/api/ttm_user_bo.cocci
sample=$TESTBED/selftest/cocci/bad.c
reported=$(spatch --very-quiet -D report --sp-file "$cocci" "$sample" 2>/dev/null |
	sed -n 's/^[^:]*:\([0-9]*\):.*/\1/p' | sort -un)
wanted=$(grep -n '/\* BAD \*/' "$sample" | cut -d: -f1 | sort -un)
n=$(($(echo "$wanted" | grep -c .) + 1))
echo "KTAP version 1"
echo "1..$n"
i=0 pass=0 fail=0
for l in $wanted; do
	i=$((i + 1))
	if grep -qx "$l" <<< "$reported"; then
		pass=$((pass + 1)); echo "ok $i cocci_reports_line_$l"
	else
		fail=$((fail + 1)); echo "not ok $i cocci_reports_line_$l # not reported: $(sed -n "${l}p" "$sample")"
	fi
done
extra=$(comm -13 <(echo "$wanted") <(echo "$reported") | grep . || true)
i=$((i + 1))
if [ -z "$extra" ]; then
	pass=$((pass + 1)); echo "ok $i cocci_no_false_reports"
else
	fail=$((fail + 1)); echo "not ok $i cocci_no_false_reports # lines $(echo $extra)"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
