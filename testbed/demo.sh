#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The main job: build the patched kernel and show ttm_user_bo at work in
# QEMU: boot it and run the TTM KUnit suites, the helper's among them.
exec "$(dirname "$0")/test.sh" demo
