#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prove that an edit in the overlay reaches the next build with no manual
# step and that the rebuild is incremental: append one line to an overlay
# file, build, and check which objects were compiled; then undo the edit
# and build again. Needs a completed testbed/build.sh first.
#   testbed/incremental.sh [overlay file]   (default: the helper's .c)
. "$(dirname "$0")/lib.sh"
f=${1:-drivers/gpu/drm/ttm/ttm_user_bo.c}
[ -f "$REPO/$f" ] || die "no overlay file $f"
bld=$(build_dir base)
[ -f "$bld/vmlinux" ] || die "build first: testbed/build.sh"
tree=$("$TESTBED/assemble.sh")
obj=${f%.c}.o

backup=$(mktemp)
cp -p "$REPO/$f" "$backup"
trap 'cp -p "$backup" "$REPO/$f"; rm -f "$backup"' EXIT
echo "/* testbed/incremental.sh was here */" >> "$REPO/$f"

build() {
	make -C "$tree" O="$bld" ARCH=x86_64 CC="ccache gcc" HOSTCC="ccache gcc" \
		-j"$NPROC" bzImage modules 2>&1 | grep -E '^\s+CC ' || true
}
t0=$(date +%s)
cc=$(build)
t1=$(date +%s)
echo "$cc"
n=$(echo "$cc" | grep -c . || true)
grep -q "$obj" <<< "$cc" || die "$obj was not rebuilt after editing $f"
[ "$n" -le 5 ] || die "$n objects compiled for a one-line change"
cp -p "$backup" "$REPO/$f"
touch "$REPO/$f"
build >/dev/null
echo "incremental: editing $f rebuilt $n object(s) in $((t1 - t0))s"
