#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Reproducibility of the i915_refct_sgt -> ttm_refct_sgt conversion, no kernel
# build needed. scripts/coccinelle/api/i915_refct_sgt.cocci is run on the
# pristine base, in a scratch copy, and must give exactly the generated patch
# committed in patches/; the hand edits that follow it are a patch of their
# own. Cases (KTAP, one line each):
#   1. the selection: the pristine files of drivers/gpu/drm/i915 that mention
#      refct_sgt are exactly the files the generated patch touches;
#   2. spatch runs on the selection without an error;
#   3. the script's output equals the pristine files with the generated patch
#      applied, file by file;
#   4. the script is idempotent: run again on its own output, it changes
#      nothing;
#   5. the hand-edit patch applies on top with no fuzz or offset;
#   6. with every patch of the series that touches drivers/gpu/drm/i915
#      applied, no i915_refct_sgt is left there (code or comment).
# Ends with "N passed, N failed"; exits non-zero on a failure.
. "$(dirname "$0")/../lib.sh"
need spatch coccinelle
need patch patch

cocci=$REPO/scripts/coccinelle/api/i915_refct_sgt.cocci
gen=drm-i915-convert-i915_refct_sgt-to-ttm_refct_sgt.patch
hand=drm-i915-ttm_refct_sgt-comments-and-alignment.patch
i915=drivers/gpu/drm/i915

n=0 pass=0 fail=0
result() { # ok|fail name [detail]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		pass=$((pass + 1)); echo "ok $n $2"
	else
		fail=$((fail + 1)); echo "not ok $n $2"
		[ -z "${3:-}" ] || sed 's/^/# /' <<< "$3"
	fi
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

base=$("$TESTBED/fetch-base.sh")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "KTAP version 1"
echo "1..6"

# files a patch touches, from its +++ lines
touched() { grep -E '^\+\+\+ b/' "$1" | sed 's#^+++ b/##' | LC_ALL=C sort -u; }

# 1. the selection
sel=$(cd "$base" && grep -rl refct_sgt "$i915" | LC_ALL=C sort)
if [ ! -f "$REPO/patches/$gen" ]; then
	result fail selection "patches/$gen is missing"
	finish
fi
want=$(touched "$REPO/patches/$gen")
if [ "$sel" = "$want" ]; then
	result ok "selection # $(wc -l <<< "$sel") files"
else
	result fail selection "$(diff <(echo "$want") <(echo "$sel") || true)"
fi

# 2. spatch on a scratch copy of the pristine selection
mkdir -p "$scratch/cocci" "$scratch/patched"
(cd "$base" && cp --parents $sel "$scratch/cocci" && cp --parents $sel "$scratch/patched")
if err=$(cd "$scratch/cocci" && nice -n 10 spatch --very-quiet --include-headers \
		--no-includes -D patch --in-place --sp-file "$cocci" $sel 2>&1 >/dev/null); then
	result ok spatch
else
	result fail spatch "$err"
fi

# 3. the script's output is the committed patch
if ! out=$(cd "$scratch/patched" && patch -p1 --no-backup-if-mismatch -s -F0 < "$REPO/patches/$gen" 2>&1); then
	result fail reproduces "patches/$gen does not apply to the pristine tree: $out"
elif d=$(cd "$scratch" && diff -ru patched cocci); then
	result ok reproduces
else
	result fail reproduces "$d"
fi

# 4. idempotent
rm -rf "$scratch/again"
cp -a "$scratch/cocci" "$scratch/again"
out=$(cd "$scratch/again" && nice -n 10 spatch --very-quiet --include-headers \
	--no-includes -D patch --sp-file "$cocci" $sel 2>/dev/null || true)
if [ -z "$out" ]; then
	result ok idempotent
else
	result fail idempotent "$out"
fi

# 5. the hand edits apply on top, exactly
hfiles=$(touched "$REPO/patches/$hand")
missing=$(comm -13 <(echo "$sel") <(echo "$hfiles"))
if [ -n "$missing" ]; then
	result fail hand_edits "$hand touches files the generated patch does not: $missing"
elif out=$(cd "$scratch/patched" && patch -p1 --no-backup-if-mismatch -F0 < "$REPO/patches/$hand" 2>&1) &&
		! grep -qE 'offset|fuzz' <<< "$out"; then
	result ok "hand_edits # $(wc -l <<< "$hfiles") files"
else
	result fail hand_edits "$out"
fi

# 6. nothing left, with the whole series' i915 patches applied
mkdir -p "$scratch/series"
(cd "$base" && cp -a --parents "$i915" "$scratch/series")
ok=true detail=
for p in $(grep -v '^#' "$REPO/patches/series" | sed '/^\s*$/d'); do
	grep -qE "^\+\+\+ b/$i915/" "$REPO/patches/$p" || continue
	# the files it touches outside i915 too (Kconfig, headers)
	for f in $(touched "$REPO/patches/$p"); do
		[ -e "$scratch/series/$f" ] || [ ! -e "$base/$f" ] ||
			(cd "$base" && cp --parents "$f" "$scratch/series")
	done
	if ! out=$(cd "$scratch/series" && patch -p1 --no-backup-if-mismatch -s < "$REPO/patches/$p" 2>&1); then
		ok=false detail="$p does not apply: $out"
		break
	fi
done
if $ok; then
	left=$(cd "$scratch/series" && grep -rn i915_refct_sgt "$i915" || true)
	[ -z "$left" ] || ok=false detail=$left
fi
if $ok; then
	result ok no_i915_refct_sgt_left
else
	result fail no_i915_refct_sgt_left "$detail"
fi

finish
