// SPDX-License-Identifier: GPL-2.0
/// Find userptr code that the ttm_user_bo helper replaces:
/// - hand-written mmu_interval_read_begin / hmm_range_fault /
///   mmu_interval_read_retry loops: ttm_user_bo_snapshot() faults the range
///   (bounded retry, chunked walk) and ttm_user_bo_commit() checks the
///   sequence and DMA-maps under the reservation;
/// - a sequence check outside the faulting function: under the notifier
///   lock ttm_user_bo_submit_valid(), lockless ttm_user_bo_check_retry();
/// - ttm_tt backends populated with get_user_pages / pin_user_pages:
///   ttm_user_tt_create() and ttm_user_tt_populate() fill a ttm_tt from
///   the helper's snapshot without pinning.
/// In patch mode only the exact equivalent is rewritten:
/// mmu_interval_check_retry(&ubo->notifier, ubo->seq) on a struct
/// ttm_user_bo becomes ttm_user_bo_check_retry(ubo). The other findings
/// need the driver's BO and lock layout and are reported only.
///
// Confidence: Moderate
// Copyright: (C) 2026 The ttm_user_bo authors.
// Comments: See Documentation/gpu/drm-ttm-user-bo.rst.
// Options: --no-includes --include-headers
// Keywords: ttm_user_bo userptr hmm_range_fault get_user_pages

virtual patch
virtual context
virtual org
virtual report

@initialize:python@
@@
faulting = set()

def own_check(p):
    # a check next to the fault it validates belongs to the loop
    return ((p[0].file, p[0].current_element) in faulting or
            p[0].current_element == 'ttm_user_bo_check_retry')

@parse_traps@
iterator name drm_exec_until_all_locked;
@@
drm_exec_until_all_locked(...) { ... }

// --- patch: the only mechanical rewrite ---

@check_retry depends on patch@
identifier f != ttm_user_bo_check_retry;
struct ttm_user_bo *ubo;
struct ttm_user_bo u;
@@
f(...) {
<...
(
- mmu_interval_check_retry(&ubo->notifier, ubo->seq)
+ ttm_user_bo_check_retry(ubo)
|
- mmu_interval_check_retry(&u.notifier, u.seq)
+ ttm_user_bo_check_retry(&u)
)
...>
}

// --- report ---

@loop depends on !patch exists@
identifier f;
position p;
@@
f(...) {
... when any
mmu_interval_read_begin(...)
... when any
hmm_range_fault@p(...)
... when any
}

@bare depends on !patch@
position p != loop.p;
@@
hmm_range_fault@p(...)

@script:python@
p << loop.p;
@@
faulting.add((p[0].file, p[0].current_element))

@script:python@
p << bare.p;
@@
faulting.add((p[0].file, p[0].current_element))

@check depends on !patch@
identifier fn =~ "^(mmu_interval_read_retry|mmu_interval_check_retry)$";
position p;
@@
fn@p(...)

@gup depends on !patch@
identifier f, ttm;
identifier fn =~ "^(get_user_pages|get_user_pages_fast|get_user_pages_remote|get_user_pages_unlocked|pin_user_pages|pin_user_pages_fast|pin_user_pages_remote|pin_user_pages_unlocked)$";
position p;
@@
f(..., struct ttm_tt *ttm, ...) {
<+... fn@p(...) ...+>
}

@script:python depends on report@
p << loop.p;
@@
coccilib.report.print_report(p[0], "WARNING: open-coded read_begin/hmm_range_fault/read_retry loop: use ttm_user_bo_snapshot() and ttm_user_bo_commit()")

@script:python depends on report@
p << bare.p;
@@
coccilib.report.print_report(p[0], "WARNING: open-coded hmm_range_fault() (sequence taken elsewhere): use ttm_user_bo_snapshot() and ttm_user_bo_commit()")

@script:python depends on report@
p << check.p;
fn << check.fn;
@@
if not own_check(p):
    coccilib.report.print_report(p[0], "WARNING: open-coded userptr validity check %s(): use ttm_user_bo_submit_valid() under ttm_user_bo_submit_begin(), or ttm_user_bo_check_retry()" % fn)

@script:python depends on report@
p << gup.p;
fn << gup.fn;
@@
coccilib.report.print_report(p[0], "WARNING: ttm_tt populated with %s(): use ttm_user_tt_create()/ttm_user_tt_populate() on a ttm_user_bo snapshot" % fn)

@script:python depends on org@
p << loop.p;
@@
coccilib.org.print_todo(p[0], "open-coded hmm_range_fault loop: ttm_user_bo_snapshot()/ttm_user_bo_commit()")

@script:python depends on org@
p << bare.p;
@@
coccilib.org.print_todo(p[0], "open-coded hmm_range_fault(): ttm_user_bo_snapshot()/ttm_user_bo_commit()")

@script:python depends on org@
p << check.p;
fn << check.fn;
@@
if not own_check(p):
    coccilib.org.print_todo(p[0], "open-coded %s(): ttm_user_bo_submit_valid()/ttm_user_bo_check_retry()" % fn)

@script:python depends on org@
p << gup.p;
fn << gup.fn;
@@
coccilib.org.print_todo(p[0], "ttm_tt populated with %s(): ttm_user_tt_populate()" % fn)

@depends on context@
position loop.p;
@@
* hmm_range_fault@p(...)

@depends on context@
position bare.p;
@@
* hmm_range_fault@p(...)

@depends on context@
position check.p;
identifier check.fn;
@@
* fn@p(...)

@depends on context@
position gup.p;
identifier gup.fn;
@@
* fn@p(...)
