#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run quilt in the assembled tree on this repository's patches/.
#   testbed/quilt.sh push -a          apply the whole series
#   testbed/quilt.sh new foo.patch    start a patch on top
#   testbed/quilt.sh edit <file>      add an upstream file to it and edit it
#   testbed/quilt.sh refresh          write the patch back into patches/
# The tree's patches/ is a symlink to the repository's, so refresh updates
# the repository directly. Paths are relative to the kernel tree.
. "$(dirname "$0")/lib.sh"
tree=$("$TESTBED/assemble.sh")
quilt() { command quilt --quiltrc "$TESTBED/quiltrc" "$@"; }
cd "$tree"
rc=0
quilt "$@" || rc=$?
# the series changed: let assemble.sh know it is applied as it is now
if [ $rc -eq 0 ]; then
	series_hash > .ttmub/series
fi
exit $rc
