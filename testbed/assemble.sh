#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Assemble a kernel source tree: base + quilt series (patches/) + overlay.
#
#   testbed/assemble.sh            -> $WORK/src           (our tree)
#   testbed/assemble.sh pristine   -> $WORK/src-pristine  (base only, for the baseline)
#
# The overlay is every file of this repository below a top-level directory
# that also exists at the top of the kernel tree (drivers/, include/,
# Documentation/, scripts/, tools/, ...). Each is a symlink in the tree that
# points back into the repository, so an edit is seen by the next build with
# no copy step; make follows the link for timestamps. An overlay file may not
# shadow an upstream file: upstream files change only through patches/.
#
# The series is applied with quilt; the tree's patches/ is a symlink to the
# repository's, so "quilt push / edit / quilt refresh" in the tree updates the
# repository (see README.md). When the series changes, it is re-applied.
. "$(dirname "$0")/lib.sh"

mode=${1:-}
base=$("$TESTBED/fetch-base.sh")
tree=$(tree_dir "$mode")
stamp=$tree/.ttmub

if [ ! -f "$stamp/base" ] || [ "$(cat "$stamp/base")" != "$base" ]; then
	log "copying base $base -> $tree"
	rm -rf "$tree"
	mkdir -p "$(dirname "$tree")"
	cp -a "$base" "$tree.tmp"
	mv "$tree.tmp" "$tree"
	mkdir -p "$stamp"
	echo "$base" > "$stamp/base"
fi

if [ "$mode" = pristine ]; then
	echo "$tree"
	exit 0
fi

# --- quilt series ------------------------------------------------------------
ln -sfn "$REPO/patches" "$tree/patches"
rc=0
apply_series "$tree" "$stamp/series" "$(basename "$base")" || rc=$?
if [ $rc -eq 2 ]; then
	log "$tree was left half-patched (an interrupted run?): starting again from the base"
	rm -f "$stamp/base"
	exec "$0" "$@"
fi
[ $rc -eq 0 ] || exit 1

# --- overlay symlinks --------------------------------------------------------
new=$(mktemp)
trap 'rm -f "$new"' EXIT
shadow=0
while read -r f; do
	top=${f%%/*}
	[ "$top" != "$f" ] && [ -d "$base/$top" ] || continue
	[ -e "$REPO/$f" ] || continue
	if [ -e "$base/$f" ]; then
		echo "testbed: overlay file $f shadows an upstream file;" \
		     "change upstream files through patches/" >&2
		shadow=1
	fi
	echo "$f" >> "$new"
done < <(cd "$REPO" && git ls-files -co --exclude-standard | sort)
[ $shadow -eq 0 ] || exit 1
for f in $(comm -23 <(sort "$stamp/overlay" 2>/dev/null || true) "$new"); do
	if [ -L "$tree/$f" ]; then rm -f "$tree/$f"; fi
done
while read -r f; do
	if [ "$(readlink "$tree/$f" 2>/dev/null)" != "$REPO/$f" ]; then
		mkdir -p "$(dirname "$tree/$f")"
		ln -sfn "$REPO/$f" "$tree/$f"
	fi
done < "$new"
cp "$new" "$stamp/overlay"
echo "$tree"
