#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The baseline: build the pristine base (no overlay, no patches) with the
# same config and run the same boots, so that a failure that is already
# upstream is known, with its evidence, and anything new fails.
#
#   testbed/baseline.sh [boot...]      default: kunit-all kunit
#
# It writes out/baseline-<date>/ (logs and verdicts) and prints, per boot,
# the failing cases and log findings. Copy what is upstream into
# testbed/baseline/<boot> ("<case> -- <evidence>") and testbed/baseline/README.md.
. "$(dirname "$0")/lib.sh"
boots=${*:-kunit-all kunit}
TTMUB_BOOTS=$boots exec "$TESTBED/test.sh" --pristine
