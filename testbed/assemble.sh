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
need quilt quilt
quilt() { command quilt --quiltrc "$TESTBED/quiltrc" "$@"; }
ln -sfn "$REPO/patches" "$tree/patches"
series_hash=$(series_hash)
if [ "$(cat "$stamp/series" 2>/dev/null)" != "$series_hash" ]; then
	cd "$tree"
	if [ -n "$(quilt applied 2>/dev/null || true)" ]; then
		quilt pop -a -f -q >/dev/null
	fi
	if [ -s patches/series ] && [ -n "$(grep -v '^#' patches/series | grep -v '^\s*$' || true)" ]; then
		if ! out=$(quilt push -a -q --leave-rejects 2>&1); then
			echo "$out" >&2
			failed=$(quilt next 2>/dev/null || true)
			echo "testbed: patch ${failed#patches/} does not apply to $(basename "$base")" >&2
			for rej in $(find . -name '*.rej' -newer "$stamp/base" 2>/dev/null); do
				echo "--- failing hunk(s): $rej" >&2
				cat "$rej" >&2
				rm -f "$rej"
			done
			quilt pop -a -f -q >/dev/null 2>&1 || true
			rm -f "$stamp/series"
			exit 1
		fi
	fi
	echo "$series_hash" > "$stamp/series"
	cd - >/dev/null
fi

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
