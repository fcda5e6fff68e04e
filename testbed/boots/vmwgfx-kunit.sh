#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of the vmwgfx-kunit boot: load vmwgfx, whose KUnit suites print
# their own KTAP document; print nothing else.
#
# Allocation faults for the fault tests (vmw_userptr_alloc_fail,
# ue_alloc_fail), which fail the nth allocation of their own task with
# current->fail_nth: failslab and fail_page_alloc must count GFP_KERNEL
# (ignore-gfp-wait), highmem pages (ignore-gfp-highmem) and order-0 pages
# (min-order), and print nothing when they fail one (verbose 0: no stack for
# the verdict to flag). probability stays 0, so nothing fails that a test
# did not ask for. The tests check that these took effect.
dbg=/sys/kernel/debug
for attr in failslab fail_page_alloc; do
	echo N > $dbg/$attr/ignore-gfp-wait
	echo 0 > $dbg/$attr/verbose
done
echo N > $dbg/fail_page_alloc/ignore-gfp-highmem
echo 0 > $dbg/fail_page_alloc/min-order
# no newline: the glob would have to match it
printf '%s' 'vmwgfx*' > /sys/module/kunit/parameters/filter_glob
modprobe vmwgfx
