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
# Every slab cache but the checkers' own (init made none failable):
# debugobjects refills its pool (silently, __GFP_NOWARN) in whichever task
# runs low, which would shift a test's nth allocation by a varying number;
# kmemleak's metadata likewise; and dma-debug turns itself off when the
# GFP_ATOMIC radix-tree node of a new mapping cannot be allocated (idr and
# xarray nodes are in that cache too: idr_alloc() after idr_preload()
# recovers from one failure anyway).
echo Y > $dbg/failslab/cache-filter
for c in /sys/kernel/slab/*; do
	case ${c##*/} in
	debug_objects_cache | kmemleak_object | kmemleak_scan_area | radix_tree_node) ;;
	*) echo 1 > "$c/failslab" ;;
	esac
done
# no newline: the glob would have to match it
printf '%s' 'vmwgfx*' > /sys/module/kunit/parameters/filter_glob
modprobe vmwgfx
