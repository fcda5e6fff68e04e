#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of the vmwgfx-kunit boot: load vmwgfx, whose KUnit suites print
# their own KTAP document; print nothing else.
# no newline: the glob would have to match it
printf '%s' 'vmwgfx*' > /sys/module/kunit/parameters/filter_glob
modprobe vmwgfx
