// SPDX-License-Identifier: GPL-2.0
/// Check userptr code against the kernel's lock order (mmap_lock, then
/// dma_resv, then the driver's notifier lock) and against the HMM sequence
/// rules, in every driver, and check the ttm_user_bo helper's contract:
/// - an mmu_interval_notifier_ops .invalidate callback, or a function of
///   the same file it calls, must not take a reservation (dma_resv_lock,
///   *_bo_reserve, drm_exec, a ww_mutex on a resv), an mmap_lock, fault
///   user pages or allocate with a sleeping GFP mask: it runs in reclaim;
/// - no function may fault user pages (hmm_range_fault, get_user_pages*,
///   pin_user_pages*, mmap_read_lock, ttm_user_bo_snapshot) while it holds
///   a reservation it took itself: the mmap_lock nests outside dma_resv;
/// - pages from hmm_range_fault (or a wrapper that returns them unchecked)
///   must not be DMA-mapped, kmapped or bound (ttm_bo_validate) before the
///   mmu_interval_read_retry that validates them; a call of a function of
///   the same file that does so counts too;
/// - nothing between ttm_user_bo_submit_begin() and ttm_user_bo_submit_end()
///   may allocate memory, reserve fence slots, take a dma_resv or an
///   mmap_lock, wait for a fence or snapshot user pages.
///
// Confidence: Moderate
// Copyright: (C) 2026 The ttm_user_bo authors.
// Comments: See Documentation/gpu/drm-ttm-user-bo.rst. Unchecked wrappers
//  of hmm_range_fault in other files are listed by name in FAULT_WRAPPERS.
// Options: --no-includes --include-headers
// Keywords: ttm_user_bo userptr hmm mmu_interval_notifier dma_resv mmap_lock

virtual context
virtual org
virtual report

@initialize:python@
@@
import re

# hmm_range_fault() wrappers, defined in another file, whose pages are
# valid only after the paired check (mmu_interval_read_retry inside).
FAULT_WRAPPERS = {'amdgpu_hmm_range_get_pages', 'amdgpu_ttm_tt_get_user_pages'}
CHECK_WRAPPERS = {'amdgpu_hmm_range_get_pages_done',
                  'amdgpu_ttm_tt_get_user_pages_done'}
# What uses the pages: DMA mapping, CPU mapping, binding into a GPU domain.
USES = {'dma_map_page', 'dma_map_page_attrs', 'dma_map_sg',
        'dma_map_sg_attrs', 'dma_map_sgtable', 'kmap', 'kmap_local_page',
        'kmap_atomic', 'page_address', 'ttm_bo_validate'}

# per-file state, reset when spatch moves to the next file
cur = {'file': None}
calls = {}
notifiers = {}
local_faults = set()

msgs = {}

def note(rule, p, text):
    # False if this rule already reported this place
    key = (rule, p[0].file, p[0].line, p[0].column)
    if key in msgs:
        return False
    msgs[key] = text
    return True

def msg(rule, q):
    return msgs[(rule, q[0].file, q[0].line, q[0].column)]

def enter(f):
    if cur['file'] != f:
        cur['file'] = f
        calls.clear()
        notifiers.clear()
        local_faults.clear()

def closure(seeds):
    seen = {}
    todo = [(s, s) for s in seeds]
    while todo:
        fn, root = todo.pop()
        if fn in seen:
            continue
        seen[fn] = root
        for g in calls.get(fn, ()):
            if g in calls:
                todo.append((g, root))
    return seen

def reaches(fn, targets):
    # fn calls (through functions of this file) one of targets
    done = set()
    todo = [fn]
    while todo:
        f = todo.pop()
        if f in done:
            continue
        done.add(f)
        for g in calls.get(f, ()):
            if g in targets:
                return True
            if g in calls:
                todo.append(g)
    return False

def is_fault(fn):
    return (fn == 'hmm_range_fault' or fn in FAULT_WRAPPERS or
            fn in local_faults)

def is_use(fn):
    return fn in USES or (fn in calls and reaches(fn, USES))

// drm_exec_until_all_locked(exec) { } is a loop; spatch must know it to
// parse the functions that use it.
@parse_traps@
iterator name drm_exec_until_all_locked;
@@
drm_exec_until_all_locked(...) { ... }

// The call graph of the file: which function calls which.
@edge@
identifier g;
position p;
@@
g@p(...)

@script:python@
p << edge.p;
g << edge.g;
@@
enter(p[0].file)
calls.setdefault(p[0].current_element, set()).add(g)

@ops@
identifier ops, inv;
@@
struct mmu_interval_notifier_ops ops = { ..., .invalidate = inv, ... };

@script:python@
inv << ops.inv;
@@
notifiers[inv] = True

// --- in the invalidate callback and what it calls in this file ---

@nlock@
identifier fn =~ "^(dma_resv_lock|dma_resv_lock_interruptible|dma_resv_lock_slow|dma_resv_lock_slow_interruptible|ttm_bo_reserve|ttm_bo_reserve_slowpath|[a-z0-9_]+_bo_reserve|drm_exec_lock_obj|drm_exec_prepare_obj|drm_exec_prepare_array|i915_gem_object_lock|i915_gem_object_lock_interruptible|mmap_read_lock|mmap_read_lock_killable|mmap_write_lock|mmap_write_lock_killable|hmm_range_fault|get_user_pages|get_user_pages_fast|get_user_pages_remote|get_user_pages_unlocked|pin_user_pages|pin_user_pages_fast|pin_user_pages_remote|pin_user_pages_unlocked|vmalloc|vzalloc)$";
position p;
@@
fn@p(...)

@nww@
identifier fn =~ "^(ww_mutex_lock|ww_mutex_lock_interruptible|ww_mutex_lock_slow|ww_mutex_lock_slow_interruptible)$";
expression e;
position p;
@@
fn@p(e, ...)

@nalloc@
identifier fn;
identifier mask =~ "^(GFP_KERNEL|GFP_KERNEL_ACCOUNT|GFP_NOFS|GFP_NOIO|GFP_USER|GFP_HIGHUSER|GFP_HIGHUSER_MOVABLE)$";
position p;
@@
fn@p(..., <+... mask ...+>, ...)

@script:python nlock_in@
p << nlock.p;
fn << nlock.fn;
@@
via = closure(notifiers).get(p[0].current_element)
if via is None:
    cocci.include_match(False)
else:
    if not note("nlock", p, "%s() in mmu_interval_notifier callback %s%s: it runs in reclaim and must not take a reservation or an mmap_lock, fault or allocate" % (fn, via, "" if via == p[0].current_element else " (via %s())" % p[0].current_element)):
        cocci.include_match(False)

@script:python nww_in@
p << nww.p;
fn << nww.fn;
e << nww.e;
@@
via = closure(notifiers).get(p[0].current_element)
if via is None or 'resv' not in e:
    cocci.include_match(False)
else:
    if not note("nww", p, "%s() on a reservation in mmu_interval_notifier callback %s%s" % (fn, via, "" if via == p[0].current_element else " (via %s())" % p[0].current_element)):
        cocci.include_match(False)

@script:python nalloc_in@
p << nalloc.p;
fn << nalloc.fn;
mask << nalloc.mask;
@@
via = closure(notifiers).get(p[0].current_element)
if via is None:
    cocci.include_match(False)
else:
    if not note("nalloc", p, "%s(%s) in mmu_interval_notifier callback %s%s: a sleeping allocation recurses into reclaim" % (fn, mask, via, "" if via == p[0].current_element else " (via %s())" % p[0].current_element)):
        cocci.include_match(False)

// --- faulting with a reservation held ---

@resv_fault exists@
identifier res =~ "^(dma_resv_lock|dma_resv_lock_interruptible|dma_resv_lock_slow|dma_resv_lock_slow_interruptible|ttm_bo_reserve|ttm_bo_reserve_slowpath|[a-z0-9_]+_bo_reserve|drm_exec_lock_obj|drm_exec_prepare_obj|drm_exec_prepare_array|i915_gem_object_lock|i915_gem_object_lock_interruptible)$";
identifier unres =~ "^(dma_resv_unlock|ttm_bo_unreserve|[a-z0-9_]+_bo_unreserve|drm_exec_unlock_obj|drm_exec_fini|i915_gem_object_unlock)$";
identifier fault =~ "^(hmm_range_fault|get_user_pages|get_user_pages_fast|get_user_pages_remote|get_user_pages_unlocked|pin_user_pages|pin_user_pages_fast|pin_user_pages_remote|pin_user_pages_unlocked|mmap_read_lock|mmap_read_lock_killable|mmap_write_lock|mmap_write_lock_killable|ttm_user_bo_snapshot)$";
position p, r;
@@
res@r(...)
... when != unres(...)
fault@p(...)

@script:python resv_fault_in@
p << resv_fault.p;
r << resv_fault.r;
fault << resv_fault.fault;
res << resv_fault.res;
@@
if not note("resv_fault", p, "%s() with the reservation from %s() on line %s held: the mmap_lock nests outside dma_resv" % (fault, res, r[0].line)):
    cocci.include_match(False)

// --- pages used before the sequence check ---

// functions of this file that fault pages and return them unchecked
@lfault exists@
identifier f;
position p;
@@
f@p(...) {
... when != mmu_interval_read_retry(...)
hmm_range_fault(...)
... when != mmu_interval_read_retry(...)
}

@script:python@
p << lfault.p;
f << lfault.f;
@@
enter(p[0].file)
local_faults.add(f)

@early exists@
identifier fault : script:python () { is_fault(fault) };
identifier check =~ "^(mmu_interval_read_retry|amdgpu_hmm_range_get_pages_done|amdgpu_ttm_tt_get_user_pages_done)$";
identifier use : script:python () { is_use(use) };
position p, r;
@@
fault@r(...)
... when != check(...)
use@p(...)

@script:python early_in@
p << early.p;
r << early.r;
fault << early.fault;
use << early.use;
@@
if fault == p[0].current_element or use == fault:
    cocci.include_match(False)
else:
    if not note("early", p, "%s() uses the pages %s() returned on line %s before mmu_interval_read_retry() validated them" % (use, fault, r[0].line)):
        cocci.include_match(False)

// --- the ttm_user_bo submission section ---

@section@
expression udev;
position p;
identifier fn =~ "^(kmalloc|kzalloc|kcalloc|kvmalloc|kvzalloc|kvmalloc_array|kvcalloc|krealloc|kmalloc_array|kmem_cache_alloc|kmem_cache_zalloc|vmalloc|vzalloc|alloc_pages|__get_free_pages|dma_fence_wait|dma_fence_wait_timeout|dma_resv_wait_timeout|dma_resv_reserve_fences|dma_resv_lock|dma_resv_lock_interruptible|dma_resv_lock_slow|ttm_bo_reserve|drm_exec_lock_obj|drm_exec_prepare_obj|mmap_read_lock|mmap_read_lock_killable|mmap_write_lock|ttm_user_bo_snapshot|ttm_user_bo_commit|ttm_bo_validate|might_fault|copy_from_user|copy_to_user|get_user|put_user)$";
@@

ttm_user_bo_submit_begin(udev);
... when != ttm_user_bo_submit_end(udev)
    when any
fn@p(...)

// any other call passing GFP_KERNEL (the allocators are matched above)
@gfp@
expression udev;
position p;
identifier fn !~ "^(kmalloc|kzalloc|kcalloc|kvmalloc|kvzalloc|kvmalloc_array|kvcalloc|krealloc|kmalloc_array|kmem_cache_alloc|kmem_cache_zalloc|vmalloc|vzalloc|alloc_pages|__get_free_pages)$";
@@

ttm_user_bo_submit_begin(udev);
... when != ttm_user_bo_submit_end(udev)
    when any
fn@p(..., GFP_KERNEL, ...)

@script:python section_in@
p << section.p;
fn << section.fn;
@@
if not note("section", p, "%s() inside the ttm_user_bo submission section (the notifier waits for it from reclaim)" % fn):
    cocci.include_match(False)

@script:python gfp_in@
p << gfp.p;
fn << gfp.fn;
@@
if not note("gfp", p, "GFP_KERNEL allocation %s() inside the ttm_user_bo submission section" % fn):
    cocci.include_match(False)

// --- output: one finding per rule above ---

@script:python depends on report@
q << nlock.p;
@@
coccilib.report.print_report(q[0], "ERROR: " + msg("nlock", q))

@script:python depends on report@
q << nww.p;
@@
coccilib.report.print_report(q[0], "ERROR: " + msg("nww", q))

@script:python depends on report@
q << nalloc.p;
@@
coccilib.report.print_report(q[0], "ERROR: " + msg("nalloc", q))

@script:python depends on report@
q << resv_fault.p;
@@
coccilib.report.print_report(q[0], "ERROR: " + msg("resv_fault", q))

@script:python depends on report@
q << early.p;
@@
coccilib.report.print_report(q[0], "ERROR: " + msg("early", q))

@script:python depends on report@
q << section.p;
@@
coccilib.report.print_report(q[0], "ERROR: " + msg("section", q))

@script:python depends on report@
q << gfp.p;
@@
coccilib.report.print_report(q[0], "ERROR: " + msg("gfp", q))

@script:python depends on org@
q << nlock.p;
@@
coccilib.org.print_todo(q[0], msg("nlock", q))

@script:python depends on org@
q << nww.p;
@@
coccilib.org.print_todo(q[0], msg("nww", q))

@script:python depends on org@
q << nalloc.p;
@@
coccilib.org.print_todo(q[0], msg("nalloc", q))

@script:python depends on org@
q << resv_fault.p;
@@
coccilib.org.print_todo(q[0], msg("resv_fault", q))

@script:python depends on org@
q << early.p;
@@
coccilib.org.print_todo(q[0], msg("early", q))

@script:python depends on org@
q << section.p;
@@
coccilib.org.print_todo(q[0], msg("section", q))

@script:python depends on org@
q << gfp.p;
@@
coccilib.org.print_todo(q[0], msg("gfp", q))

@depends on context@
position nlock.p;
identifier fn;
@@
* fn@p(...)

@depends on context@
position nww.p;
identifier fn;
@@
* fn@p(...)

@depends on context@
position nalloc.p;
identifier fn;
@@
* fn@p(...)

@depends on context@
position resv_fault.p;
identifier fn;
@@
* fn@p(...)

@depends on context@
position early.p;
identifier fn;
@@
* fn@p(...)

@depends on context@
position section.p;
identifier fn;
@@
* fn@p(...)

@depends on context@
position gfp.p;
identifier fn;
@@
* fn@p(...)
