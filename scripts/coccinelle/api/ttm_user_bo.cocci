// SPDX-License-Identifier: GPL-2.0
///
/// Check drivers that use the ttm_user_bo helper against its lock order:
/// - nothing between ttm_user_bo_submit_begin() and ttm_user_bo_submit_end()
///   may allocate memory, reserve fence slots, take a dma_resv or an
///   mmap_lock, wait for a fence or snapshot user pages: the invalidation
///   notifier runs in reclaim context and waits for that section;
/// - ttm_user_bo_snapshot() must not run with a reservation held: it takes
///   the mmap_lock, which nests outside every dma_resv.
///
//  Confidence: High
//  Keywords: ttm_user_bo userptr dma_resv mmap_lock
//  Comment: See Documentation/gpu/drm-ttm-user-bo.rst

virtual context
virtual org
virtual report

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

@snap@
expression resv, obj, ubo, ret;
identifier x;
type T;
position p;
@@

(
dma_resv_lock(resv, ...);
|
ret = dma_resv_lock(resv, ...);
|
T x = dma_resv_lock(resv, ...);
|
ret = dma_resv_lock_interruptible(resv, ...);
|
T x = dma_resv_lock_interruptible(resv, ...);
|
ttm_bo_reserve(obj, ...);
|
ret = ttm_bo_reserve(obj, ...);
|
T x = ttm_bo_reserve(obj, ...);
)
... when != dma_resv_unlock(resv)
    when != ttm_bo_unreserve(obj)
    when any
ttm_user_bo_snapshot@p(ubo)

@script:python depends on report@
p << section.p;
fn << section.fn;
@@
coccilib.report.print_report(p[0], "ERROR: %s() inside the ttm_user_bo submission section (the notifier waits for it from reclaim)" % fn)

@script:python depends on report@
p << gfp.p;
fn << gfp.fn;
@@
coccilib.report.print_report(p[0], "ERROR: GFP_KERNEL allocation %s() inside the ttm_user_bo submission section" % fn)

@script:python depends on report@
p << snap.p;
@@
coccilib.report.print_report(p[0], "ERROR: ttm_user_bo_snapshot() with a reservation held (takes the mmap_lock, which nests outside dma_resv)")

@script:python depends on org@
p << section.p;
fn << section.fn;
@@
coccilib.org.print_todo(p[0], "%s() inside the ttm_user_bo submission section" % fn)

@script:python depends on org@
p << gfp.p;
fn << gfp.fn;
@@
coccilib.org.print_todo(p[0], "GFP_KERNEL allocation %s() inside the ttm_user_bo submission section" % fn)

@script:python depends on org@
p << snap.p;
@@
coccilib.org.print_todo(p[0], "ttm_user_bo_snapshot() with a reservation held")

@depends on context@
position section.p;
identifier section.fn;
@@
* fn@p(...)

@depends on context@
position snap.p;
expression ubo;
@@
* ttm_user_bo_snapshot@p(ubo)
