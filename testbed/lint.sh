#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lint everything this repository adds or changes in the kernel:
#   - scripts/checkpatch.pl --strict: new files with -f, the series as patches
#   - scripts/kernel-doc -none -Wall: new .c and .h files
#   - scripts/coccinelle/api/ttm_user_bo.cocci: new .c files
#   - sparse (C=2) and W=1: the objects built from new .c files and from
#     the .c files the series touches, in a lint build directory of its own
#     (so the main build's flags are never switched back and forth)
# Findings are errors unless testbed/lint-exceptions lists them, one per line:
#   <tool> <file> <regex> -- <reason>
. "$(dirname "$0")/lib.sh"

tree=$("$TESTBED/assemble.sh")
exc=$TESTBED/lint-exceptions
findings=$(mktemp)
trap 'rm -f "$findings"' EXIT

overlay=$(cat "$tree/.ttmub/overlay")
code=$(echo "$overlay" | grep -E '\.(c|h)$' | grep -v '^tools/' || true)
touched=$(cd "$tree" && for p in $(grep -v '^#' patches/series 2>/dev/null); do
	grep -E '^\+\+\+ b/' "patches/$p" | sed 's#^+++ b/##'
done | sort -u)

report() { # tool file text
	local tool=$1 file=$2 text=$3
	# (under pipefail the loop must not fail on a line that does not
	# match, and grep must read every hit, or only the last line counts)
	if [ -f "$exc" ] && grep -v '^#' "$exc" | while read -r t f re _; do
		if [ "$t" = "$tool" ] && [ "$f" = "$file" ] && grep -qE -- "$re" <<< "$text"; then
			echo hit
		fi
	done | grep hit >/dev/null; then
		return 0
	fi
	echo "$tool: $file: $text" >> "$findings"
}

cd "$tree"
# checkpatch, NPROC at a time: "<file>\t<finding>" lines, then reported
# new files with -f (kernel paths only; the testbed is not kernel code)
# and the series as patches
checkpatch_one() { # -f file | patch
	local pat='^[^ ]+:[0-9]+: |ERROR|WARNING|CHECK' f=${!#}
	[ "$1" = -f ] && pat='^[^ ]+:[0-9]+: '
	scripts/checkpatch.pl --strict --no-tree --terse --show-types "$@" 2>&1 |
		grep -E "$pat" | sed "s#^#$f\t#" || true
}
export -f checkpatch_one
out=$({ echo "$overlay" | grep -E '\.(c|h|rst|cocci)$|Kconfig|Makefile' | sed 's/^/-f /' || true
	grep -v '^#' patches/series 2>/dev/null | sed 's#^#patches/#' || true
      } | xargs -r -P"$NPROC" -L1 bash -c 'checkpatch_one "$@"' _)
while IFS=$'\t' read -r f l; do [ -n "$l" ] && report checkpatch "$f" "$l"; done <<< "$out"
# kernel-doc
for f in $code; do
	out=$(scripts/kernel-doc -none -Wall "$f" 2>&1 || true)
	while IFS= read -r l; do [ -n "$l" ] && report kernel-doc "$f" "$l"; done <<< "$out"
done

# Coccinelle: the ttm_user_bo contract checker on every new .c file
cocci=$REPO/scripts/coccinelle/api/ttm_user_bo.cocci
if [ -f "$cocci" ]; then
	need spatch coccinelle
	for f in $(echo "$code" | grep '\.c$' || true); do
		out=$(spatch --very-quiet -D report --sp-file "$cocci" "$f" 2>/dev/null || true)
		while IFS= read -r l; do [ -n "$l" ] && report coccinelle "$f" "$l"; done <<< "$out"
	done
fi

# sparse + W=1 on the objects we build
# A .c file that another .c file #includes (i915's selftests) is no object
# of its own: it is built, and its findings reported, with its parent.
included_c() {
	local f=$1 g inc
	grep -rsE --include='*.c' "^#include \"([^\"]*/)?$(basename "$f")\"" \
		"$(dirname "$f")" "$(dirname "$f")/.." |
	while IFS=: read -r g inc; do
		inc=${inc#*\"}
		[ "$(realpath -m "$(dirname "$g")/${inc%\"*}")" = "$(realpath -m "$f")" ] &&
			echo yes
	done | grep -q yes
}
objs=$(for f in $code $(echo "$touched" | grep '\.c$' || true); do
	case $f in *.c) [ -e "$f" ] && ! included_c "$f" && echo "${f%.c}.o" || true ;; esac
done | sort -u)
if [ -n "$objs" ]; then
	need sparse sparse
	bld=$(build_dir base)
	lbld=$(build_dir lint)
	[ -f "$bld/.config" ] || die "no configured build in $bld; run testbed/build.sh first"
	mkdir -p "$lbld"
	if ! cmp -s "$bld/.config" "$lbld/.config"; then
		cp "$bld/.config" "$lbld/.config"
		make -s -C "$tree" O="$lbld" ARCH=x86_64 CC="ccache gcc" -j"$NPROC" olddefconfig prepare >/dev/null
	fi
	# one make for every object; a finding counts in a file of ours (a new
	# file, or a .c file the series touches), and is reported against it
	ours="$code $(echo "$touched" | grep '\.c$' || true)"
	# shellcheck disable=SC2086 # $objs is a list of targets
	out=$(make -s -C "$tree" O="$lbld" ARCH=x86_64 CC="ccache gcc" C=2 W=1 -j"$NPROC" $objs 2>&1 |
		grep -E '(warning|error):' || true)
	while IFS= read -r l; do
		[ -n "$l" ] || continue
		for mine in $ours; do
			case $l in *"$mine":*) report build "$mine" "$l"; break ;; esac
		done
	done <<< "$out"
fi

n=$(wc -l < "$findings")
cat "$findings"
echo "lint: $(echo "$overlay" | grep -c . || true) overlay files, $(echo "$touched" | grep -c . || true) patched files, $(echo "$objs" | grep -c . || true) objects: $n findings"
[ "$n" -eq 0 ]
