#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make the guest's initramfs: busybox-static, our init, the modules of the
# build, the boot scripts (testbed/boots/<name>.sh), the guest programs of
# testbed/progs/ (built static) and any static test programs listed in
# $TTMUB_PROGS.
#   testbed/initramfs.sh <build dir> <output.cpio.gz>
. "$(dirname "$0")/lib.sh"
bld=$1 outf=$2

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,lib/modules,boot.d,usr/bin}
cp /bin/busybox "$stage/bin/busybox"
cp "$TESTBED/initramfs/init" "$stage/init"
chmod 755 "$stage/init"
for s in "$TESTBED"/boots/*.sh; do
	[ -e "$s" ] || continue
	install -m 755 "$s" "$stage/boot.d/$(basename "$s" .sh)"
done
if [ -d "$bld/modroot/lib/modules" ]; then
	cp -a "$bld/modroot/lib/modules/." "$stage/lib/modules/"
fi
# i915 mock selftest groups: "<module parameter> <group>", in header order
hdr=$bld/source/drivers/gpu/drm/i915/selftests/i915_mock_selftests.h
mkdir -p "$stage/etc"
if [ -f "$hdr" ]; then
	awk '/^selftest\(/ { n = $0; sub(/^selftest\(/, "", n); sub(/,.*/, "", n);
		printf "i915.igt__%d__mock_%s %s\n", NR, n, n }' "$hdr" |
		sed 's/^i915\.//' > "$stage/etc/i915-mock-groups"
fi
for c in "$TESTBED"/progs/*.c; do
	[ -e "$c" ] || continue
	gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$stage/usr/bin/$(basename "$c" .c)" "$c" ||
		die "could not build $c"
done
for p in ${TTMUB_PROGS:-}; do
	install -m 755 "$p" "$stage/usr/bin/"
done
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$outf"
