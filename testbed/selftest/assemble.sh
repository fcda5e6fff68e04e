#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Self-test of apply_series (testbed/lib.sh), the step of assemble.sh that
# keeps a work tree's applied quilt series in step with patches/. A work tree
# outlives commits (CI reuses it), so every change a commit can make to the
# series must leave the tree as a fresh push of the new series would: a patch
# inserted mid-series, a patch edited, a patch removed, a patch that does not
# apply. Runs on a three-file toy tree.
. "$(dirname "$0")/../lib.sh"
need quilt quilt

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the quilt settings, in a copy a case may change
mkdir "$tmp/testbed"
cp "$TESTBED/quiltrc" "$tmp/testbed/quiltrc"
TESTBED=$tmp/testbed
tree=$tmp/src
mkdir -p "$tree" "$tmp/patches"
for f in a b c; do echo "$f" > "$tree/$f"; done
ln -s "$tmp/patches" "$tree/patches"
stampf=$tree/.stamp

# mkpatch <name> <file> <line>: a patch appending <line> to <file>'s one
# original line
mkpatch() {
	printf -- '--- a/%s\n+++ b/%s\n@@ -1 +1,2 @@\n %s\n+%s\n' \
		"$2" "$2" "$2" "$3" > "$tmp/patches/$1"
}
series() { printf '%s\n' "$@" > "$tmp/patches/series"; }
apply() { apply_series "$tree" "$stampf" toy 2>"$tmp/err"; }
content() { cat "$tree/a" "$tree/b" "$tree/c" | tr '\n' ' '; }

echo "KTAP version 1"
echo "1..10"
i=0 pass=0 fail=0
# check <name> <wanted content> [applied patches]: the tree's files and the
# patches quilt lists as applied
check() {
	local got applied
	i=$((i + 1))
	got=$(content)
	applied=$(cd "$tree" && command quilt --quiltrc "$TESTBED/quiltrc" \
		applied 2>/dev/null | sed 's|^patches/||' | tr '\n' ' ' || true)
	if [ "$got" = "$2" ] && [ "$applied" = "${3:-}" ]; then
		pass=$((pass + 1)); echo "ok $i $1"
	else
		fail=$((fail + 1))
		echo "not ok $i $1 # files '$got' (want '$2'), applied '$applied' (want '${3:-}')"
		sed 's/^/# /' "$tmp/err"
	fi
}

mkpatch A.patch a A; mkpatch B.patch b B
series A.patch B.patch
apply || :
check first_apply "a A b B c " "A.patch B.patch "

# an untouched series leaves .pc/ as it was
touch -d '2000-01-01' "$tree/.pc/applied-patches"
apply || :
i=$((i + 1))
if [ "$(stat -c %Y "$tree/.pc/applied-patches")" = "$(date -d '2000-01-01' +%s)" ]; then
	pass=$((pass + 1)); echo "ok $i unchanged_series_is_not_reapplied"
else
	fail=$((fail + 1)); echo "not ok $i unchanged_series_is_not_reapplied # the series was popped and pushed again"
fi

# The CI failure of 2026-11-30: quilt refuses to list what is applied once
# the series has a patch inserted before an applied one.
mkpatch C.patch c C
series A.patch C.patch B.patch
apply || :
check patch_inserted_mid_series "a A b B c C " "A.patch C.patch B.patch "

mkpatch A.patch a A2
apply || :
check applied_patch_edited "a A2 b B c C " "A.patch C.patch B.patch "

series A.patch B.patch
rm "$tmp/patches/C.patch"
apply || :
check patch_removed "a A2 b B c " "A.patch B.patch "

printf -- '--- a/c\n+++ b/c\n@@ -1 +1 @@\n-not-c\n+X\n' > "$tmp/patches/X.patch"
series A.patch X.patch B.patch
i=$((i + 1))
if apply; then
	fail=$((fail + 1)); echo "not ok $i patch_not_applying_fails # apply_series returned 0"
elif ! grep -q 'patch X.patch does not apply to toy' "$tmp/err" ||
     [ -e "$stampf" ] || [ -n "$(find "$tree" -name '*.rej')" ] ||
     [ "$(content)" != "a b c " ]; then
	fail=$((fail + 1))
	echo "not ok $i patch_not_applying_fails # not named, a stamp or reject left, or the tree not pristine: '$(content)'"
	sed 's/^/# /' "$tmp/err"
else
	pass=$((pass + 1)); echo "ok $i patch_not_applying_fails"
fi

# a context line that differs: patch(1) would apply it with fuzz 1
printf -- '--- a/c\n+++ b/c\n@@ -1 +1,2 @@\n not-c\n+X\n' > "$tmp/patches/X.patch"
i=$((i + 1))
if apply; then
	fail=$((fail + 1)); echo "not ok $i patch_needing_fuzz_fails # applied: '$(content)'"
else
	pass=$((pass + 1)); echo "ok $i patch_needing_fuzz_fails"
fi

mkpatch X.patch c X
apply || :
check fixed_patch_applies "a A2 b B c X " "A.patch X.patch B.patch "

# other quilt settings: pushed again
touch -d '2000-01-01' "$tree/.pc/applied-patches"
echo "# changed" >> "$TESTBED/quiltrc"
apply || :
i=$((i + 1))
if [ "$(stat -c %Y "$tree/.pc/applied-patches")" != "$(date -d '2000-01-01' +%s)" ] &&
   [ "$(content)" = "a A2 b B c X " ]; then
	pass=$((pass + 1)); echo "ok $i quilt_settings_changed_reapplies"
else
	fail=$((fail + 1)); echo "not ok $i quilt_settings_changed_reapplies # not pushed again, or '$(content)'"
fi

# A run killed while it popped or pushed leaves its mark: the tree cannot
# be trusted (assemble.sh copies the base again), whatever the stamp says.
touch "$stampf.busy"
rc=0
apply || rc=$?
i=$((i + 1))
if [ $rc -eq 2 ]; then
	pass=$((pass + 1)); echo "ok $i interrupted_run_is_not_trusted"
else
	fail=$((fail + 1)); echo "not ok $i interrupted_run_is_not_trusted # returned $rc, not 2"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
