#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the GPU documentation (make SPHINXDIRS=gpu htmldocs) of the
# assembled tree and fail on any warning or error in what we add or change:
# Documentation/gpu/drm-ttm-user-bo.rst, the kernel-doc it pulls from
# ttm_user_bo.[ch], and the TTM section of drm-mm.rst and index.rst.
. "$(dirname "$0")/lib.sh"
need sphinx-build python3-sphinx
tree=$("$TESTBED/assemble.sh")
out=$WORK/docs
logf=$OUT/docs.log
mkdir -p "$out" "$OUT"
log "building the GPU docs in $out (log: $logf)"
if ! make -s -C "$tree" O="$out" SPHINXDIRS=gpu htmldocs >"$logf" 2>&1; then
	tail -n 20 "$logf"
	die "htmldocs failed"
fi
ours='drm-ttm-user-bo|ttm_user_bo|gpu/drm-mm\.rst|gpu/index\.rst'
bad=$(grep -E "$ours" "$logf" | grep -Ei 'warning|error' || true)
[ -z "$bad" ] || { echo "$bad"; die "documentation warnings in our files"; }
html=$out/Documentation/output/gpu/drm-ttm-user-bo.html
[ -s "$html" ] || die "no $html"
for f in ttm_user_bo_commit ttm_user_bo_snapshot ttm_user_bo_submit_begin \
	 ttm_user_tt_populate ttm_refct_sgt; do
	grep -q "$f" "$html" || die "$html lacks $f"
done
echo "docs: $(grep -ci 'warning' "$logf" || true) warnings in the whole GPU build, none in ours; $html"
