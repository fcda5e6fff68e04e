#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the static userspace programs a boot runs (BOOT_PROGS in
# testbed/boots/<name>) against the uAPI headers of the build, with the
# selftest's own Makefile; print the path of each, one a line.
#   testbed/progs.sh <build dir> <selftest dir>:<program>...
# e.g. testbed/progs.sh "$bld" drivers/gpu/vmwgfx:vmwgfx_userptr
. "$(dirname "$0")/lib.sh"
bld=$1
shift
tree=$(readlink -f "$bld/source")
log "uAPI headers in $bld/usr/include"
make -s -C "$tree" O="$bld" ARCH=x86_64 headers >/dev/null
for p in "$@"; do
	dir=${p%%:*} prog=${p#*:}
	out=$bld/selftests/$dir
	mkdir -p "$out"
	log "building $dir/$prog (static)"
	make -s -C "$tree/tools/testing/selftests/$dir" OUTPUT="$out" \
		KHDR_INCLUDES="-isystem $bld/usr/include" CC=gcc "$out/$prog" >&2
	echo "$out/$prog"
done
