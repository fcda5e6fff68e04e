// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ttm_user_bo: buffer objects backed by a range of a process's memory.
 */

#include <linux/debugfs.h>
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fault-inject.h>
#include <linux/hmm.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/uaccess.h>

#include <kunit/static_stub.h>

#include <drm/drm_prime.h>
#include <drm/drm_util.h>
#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_device.h>
#include <drm/ttm/ttm_user_bo.h>

/**
 * DOC: Overview
 *
 * A user BO (userptr) is a buffer object whose backing store is a range of
 * a process's address space. The helper mirrors that range for the device
 * without pinning it: a *snapshot* records the pages that currently back
 * the range (hmm_range_fault() under an mmu_interval_notifier), a *commit*
 * publishes them, DMA-mapped, under the BO's reservation if and only if the
 * range has not changed since the snapshot, and the *notifier* takes them
 * away again whenever the CPU page tables change: it waits for the BO's
 * fences, lets the driver stop the device, and DMA-unmaps.
 *
 * The core needs only a &struct device and a &struct dma_resv, so drivers
 * whose objects are not TTM BOs use it too. On top of it, &struct
 * ttm_user_tt plugs the committed pages into a ttm_tt for TTM drivers.
 *
 * Devices that cannot stop using pages from the notifier (no GPU page
 * faults, no unbind in reclaim context) select the %TTM_USER_BO_PINNED
 * residency policy: the snapshot pins the pages, the notifier only moves
 * the sequence, and the driver unbinds in process context before the
 * helper drops the pages (&ttm_user_bo_ops.release).
 */

/**
 * DOC: Locking
 *
 * The helper keeps the kernel's order, primed by dma_resv_lockdep()::
 *
 *   mmap_lock                      ttm_user_bo_snapshot() takes it, never
 *     |                            under a reservation
 *     v
 *   dma_resv (ww_mutex)            ttm_user_bo_commit(), the driver's
 *     |                            submission
 *     v
 *   fs_reclaim                     memory allocation
 *     |
 *     v
 *   mmu notifier (invalidation)    the notifier callback
 *     |
 *     v
 *   ttm_user_bo_device.notifier_lock
 *
 * * A snapshot runs with no reservation held and takes the mmap_lock
 *   itself. It allocates freely.
 * * A commit runs under the BO's reservation. It allocates the sg-table
 *   first, then takes the notifier lock for reading, checks the sequence
 *   with mmu_interval_read_retry() and only then publishes and DMA-maps.
 * * The notifier takes the notifier lock for writing to move the
 *   sequence, drops it to wait for the BO's fences (reading the reservation
 *   object without locking it), and takes it again to call the driver's
 *   invalidate hook and DMA-unmap. It never takes a reservation or an
 *   mmap_lock and never allocates. A non-blockable invalidation never
 *   waits: with pages mapped it is refused.
 * * A driver's last check before a job runs holds the notifier lock for
 *   reading from ttm_user_bo_submit_begin() until its fence is in the
 *   reservation object, with no allocation in between (reserve fence slots
 *   before). An invalidation then either happens before the check, which
 *   fails, or after the fence is visible, which it waits for.
 * * Every job that accesses the pages must add its fence that way: the
 *   notifier waits only for fences in the BO's reservation object, and
 *   only those added before it moved the sequence are guaranteed to be
 *   seen.
 *
 * ttm_user_bo_device_init() primes fs_reclaim -> notifier_lock and
 * notifier_lock -> fence wait, so lockdep reports an allocation under the
 * notifier lock, or the notifier lock taken in a fence-signalling critical
 * section, at its first occurrence. The helper can prime only its own
 * lock: a driver whose invalidate hook takes locks of its own (a VM lock,
 * a TLB-invalidation mutex) primes fs_reclaim -> each of them and
 * notifier_lock -> each of them itself at init, the same way.
 */

/**
 * DOC: Using the pages
 *
 * Committed pages are valid from a successful ttm_user_bo_commit() until
 * the next invalidation of the range (mirror policy) or the next release
 * (pinned policy: an invalidation only makes ttm_user_bo_submit_valid()
 * fail). So, before every use, a driver
 *
 * 1. calls ttm_user_bo_snapshot() with no reservation held,
 * 2. locks the reservation and calls ttm_user_bo_commit() (TTM drivers:
 *    before ttm_bo_validate(); TTM populates a tt only once and does not
 *    know when the helper unpublishes it),
 * 3. allocates what binding the pages needs (page-table memory, fence
 *    slots) and takes ttm_user_bo_get_sgt() (or uses the tt's
 *    dma_address[]),
 * 4. inside ttm_user_bo_submit_begin(): checks ttm_user_bo_submit_valid(),
 *    only then writes the device's page-table entries from the table,
 *    with no allocation, and adds the job's fence before
 *    ttm_user_bo_submit_end().
 *
 * A binding written before the check may use DMA addresses the notifier
 * has already unmapped (an invalidation between get_sgt and the bind runs
 * the invalidate hook while nothing is bound yet, and none follows to zap
 * the binding): a driver that binds before step 4 must unbind before it
 * backs off from a failed check.
 *
 * -EAGAIN from any step means: back off, snapshot again, retry. After an
 * invalidation of a mirrored BO the attached tt lists no pages (pages[]
 * and dma_address[] are cleared under the notifier lock), so a stale user
 * finds NULL, never a freed page. TTM never maps a user BO to the CPU: its
 * tt is TTM_TT_FLAG_EXTERNAL without TTM_TT_FLAG_EXTERNAL_MAPPABLE, so a
 * CPU fault through TTM raises SIGBUS (the process has the pages in its own
 * address space anyway). Kernel access through TTM (ttm_bo_kmap(),
 * ttm_bo_vmap()) does not check that the tt still lists pages: use it only
 * for %TTM_USER_BO_PINNED BOs, between a successful commit and the release
 * hook, which drops the mapping.
 *
 * A ttm_tt that TTM hands to a ghost object (a pipelined move, or
 * ttm_bo_pipeline_gutting() of a busy BO) is detached from the user BO:
 * destroying it releases nothing, the committed pages stay with the live
 * BO. User BOs belong in placements that use a tt (system, GTT).
 */

#define TTM_USER_BO_CHUNK_PAGES 512

/*
 * struct ttm_user_bo_snapshot - the pages backing a range at one sequence
 * @seq: the notifier sequence read before the page-table walk
 * @pinned: @pages hold FOLL_PIN references
 * @nents: the sg entries @pages need with segments of at most @max_segment
 *	bytes, counted by the page-table walk; 0 if not counted
 * @max_segment: the segment size @nents was counted for
 * @pages: one per page of the range
 */
struct ttm_user_bo_snapshot {
	unsigned long seq;
	bool pinned;
	unsigned int nents;
	unsigned int max_segment;
	struct page *pages[];
};

#ifdef CONFIG_FAULT_INJECTION
/*
 * Fault injection for the helper's allocations: every allocation consults
 * it, so tests (current->fail_nth) and debugfs users (see
 * ttm_user_bo_debugfs_init()) can make any one of them fail.
 */
struct fault_attr ttm_user_bo_fail_alloc = FAULT_ATTR_INITIALIZER;
EXPORT_SYMBOL_FOR_TESTS_ONLY(ttm_user_bo_fail_alloc);

static bool ttm_user_bo_inject(void)
{
	return should_fail(&ttm_user_bo_fail_alloc, 1);
}
#else
static bool ttm_user_bo_inject(void)
{
	return false;
}
#endif

static enum dma_data_direction ttm_user_bo_dir(const struct ttm_user_bo *ubo)
{
	return ubo->flags & TTM_USER_BO_READ_ONLY ? DMA_TO_DEVICE :
						    DMA_BIDIRECTIONAL;
}

static void ttm_user_sgt_release(struct kref *ref)
{
	struct ttm_refct_sgt *rsgt = container_of(ref, typeof(*rsgt), kref);

	sg_free_table(&rsgt->table);
	kfree(rsgt);
}

static const struct ttm_refct_sgt_ops ttm_user_sgt_ops = {
	.release = ttm_user_sgt_release,
};

/*
 * The length of the run of consecutive page frames at @pages[@i], at most
 * @max_run pages. Only page_to_pfn() is used, never the contents of a
 * struct page: until the sequence is checked under the notifier lock, the
 * pages of a mirrored BO are not referenced and may be freed at any time.
 * One load per page and no store, so the loop stays cheap.
 */
static unsigned long ttm_user_bo_run(struct page **pages, unsigned long i,
				     unsigned long n, unsigned long max_run)
{
	unsigned long pfn = page_to_pfn(pages[i]), run = 1;

	while (i + run < n && run < max_run &&
	       page_to_pfn(pages[i + run]) == pfn + run)
		run++;
	return run;
}

/*
 * The sg entries @pages need with segments of at most @max_segment bytes:
 * runs of consecutive page frames, split at @max_segment.
 */
static unsigned int ttm_user_bo_count_segments(struct page **pages,
					       unsigned long n,
					       unsigned int max_segment)
{
	unsigned long i, max_run = max_segment >> PAGE_SHIFT;
	unsigned int nents = 0;

	for (i = 0; i < n; nents++)
		i += ttm_user_bo_run(pages, i, n, max_run);
	return nents;
}

/*
 * Fill a table allocated for ttm_user_bo_count_segments() entries with the
 * same runs. Writes only the table: no allocation, no struct page read.
 */
static void ttm_user_bo_fill_sgt(struct sg_table *st, struct page **pages,
				 unsigned long n, unsigned int max_segment)
{
	unsigned long i, run, max_run = max_segment >> PAGE_SHIFT;
	struct scatterlist *sg = NULL;

	for (i = 0; i < n; i += run) {
		run = ttm_user_bo_run(pages, i, n, max_run);
		sg = sg ? sg_next(sg) : st->sgl;
		sg_set_page(sg, pages[i], run << PAGE_SHIFT, 0);
	}
}

/*
 * Allocate, but do not fill, the sg-table for @snap's pages; the walk
 * counted its entries already, unless it was for another segment size.
 */
static struct ttm_refct_sgt *
ttm_user_bo_alloc_sgt(struct ttm_user_bo *ubo,
		      struct ttm_user_bo_snapshot *snap,
		      unsigned int max_segment)
{
	unsigned int nents = snap->nents && snap->max_segment == max_segment ?
		snap->nents :
		ttm_user_bo_count_segments(snap->pages, ubo->num_pages,
					   max_segment);
	struct ttm_refct_sgt *rsgt;
	int ret;

	if (ttm_user_bo_inject())
		return ERR_PTR(-ENOMEM);
	rsgt = kmalloc(sizeof(*rsgt), GFP_KERNEL);
	if (!rsgt)
		return ERR_PTR(-ENOMEM);
	ttm_refct_sgt_init(rsgt, ubo->num_pages << PAGE_SHIFT, &ttm_user_sgt_ops);

	ret = ttm_user_bo_inject() ? -ENOMEM :
		sg_alloc_table(&rsgt->table, nents, GFP_KERNEL);
	if (ret) {
		kfree(rsgt);
		return ERR_PTR(ret);
	}
	return rsgt;
}

/**
 * ttm_user_bo_commit_hook() - test hook of ttm_user_bo_commit()
 * @ubo: the user BO being committed
 * @sgt: its new, allocated but not yet filled sg-table
 *
 * Called after the sg-table is allocated and before the notifier lock is
 * taken to check the sequence. Does nothing; KUnit tests replace it with
 * kunit_activate_static_stub() to act in that window.
 */
void ttm_user_bo_commit_hook(struct ttm_user_bo *ubo, struct ttm_refct_sgt *sgt)
{
	KUNIT_STATIC_STUB_REDIRECT(ttm_user_bo_commit_hook, ubo, sgt);
}
EXPORT_SYMBOL_FOR_TESTS_ONLY(ttm_user_bo_commit_hook);

static int ttm_user_bo_stats_show(struct seq_file *m, void *data)
{
	struct ttm_user_bo_device *udev = m->private;
	struct ttm_user_bo_stats *s = &udev->stats;

	seq_printf(m, "snapshots: %ld\n", atomic_long_read(&s->snapshots));
	seq_printf(m, "fast_paths: %ld\n", atomic_long_read(&s->fast_paths));
	seq_printf(m, "retries: %ld\n", atomic_long_read(&s->retries));
	seq_printf(m, "commits: %ld\n", atomic_long_read(&s->commits));
	seq_printf(m, "stale_commits: %ld\n", atomic_long_read(&s->stale_commits));
	seq_printf(m, "invalidations: %ld\n", atomic_long_read(&s->invalidations));
	seq_printf(m, "fence_waits: %ld\n", atomic_long_read(&s->fence_waits));
	seq_printf(m, "nonblock_busy: %ld\n", atomic_long_read(&s->nonblock_busy));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ttm_user_bo_stats);

/**
 * ttm_user_bo_device_init() - initialise the per-device state
 * @udev: the state to initialise
 * @dma_dev: the device the pages will be DMA-mapped for
 *
 * Takes the largest sg segment from dma_max_mapping_size() and
 * dma_get_max_seg_size() of @dma_dev, so set the device's DMA limits first.
 * A device whose mappings may bounce (swiotlb forced, as in
 * confidential-computing guests; a DMA mask that does not cover all memory;
 * any DMA layer with a finite dma_max_mapping_size(), such as Xen's swiotlb
 * or iommu-dma for an untrusted device) gets no user BOs:
 * ttm_user_bo_init() returns -EOPNOTSUPP.
 * Primes lockdep with fs_reclaim -> notifier_lock and notifier_lock ->
 * fence wait, so an allocation under the notifier lock, or the notifier
 * lock taken in a fence-signalling critical section
 * (dma_fence_begin_signalling()), is reported at its first occurrence.
 *
 * Context: process context, may sleep; no lock held.
 */
void ttm_user_bo_device_init(struct ttm_user_bo_device *udev,
			     struct device *dma_dev)
{
	size_t max = min_t(size_t, dma_max_mapping_size(dma_dev),
			   dma_get_max_seg_size(dma_dev));

	memset(udev, 0, sizeof(*udev));
	init_rwsem(&udev->notifier_lock);
	udev->dma_dev = dma_dev;
	max = min_t(size_t, max, UINT_MAX);
	udev->max_segment = max_t(size_t, rounddown(max, PAGE_SIZE), PAGE_SIZE);
	/*
	 * Bounce buffering breaks a mirror of user memory: the device sees a
	 * copy taken at map time, and the unmap copies the bounce buffer
	 * back over whatever the CPU wrote since. Every DMA layer that may
	 * bounce also limits the mapping size to its bounce buffer: dma-direct
	 * with swiotlb forced or for an addressing-limited device, Xen's
	 * swiotlb (machine-discontiguous pages), iommu-dma for an untrusted
	 * device.
	 */
	udev->bounce = is_swiotlb_force_bounce(dma_dev) ||
		dma_addressing_limited(dma_dev) ||
		dma_max_mapping_size(dma_dev) != SIZE_MAX;

	if (IS_ENABLED(CONFIG_LOCKDEP)) {
		struct dma_fence *stub = dma_fence_get_stub();

		fs_reclaim_acquire(GFP_KERNEL);
		might_lock(&udev->notifier_lock);
		fs_reclaim_release(GFP_KERNEL);
		/*
		 * The invalidate hook may wait for fences under the lock, so a
		 * fence-signalling path must never take it: record the wait
		 * (dma_fence_wait() annotates it even for a signaled fence).
		 */
		down_write(&udev->notifier_lock);
		dma_fence_wait(stub, false);
		up_write(&udev->notifier_lock);
		dma_fence_put(stub);
	}
}
EXPORT_SYMBOL(ttm_user_bo_device_init);

/**
 * ttm_user_bo_debugfs_init() - expose the helper's counters in debugfs
 * @udev: the per-device state
 * @root: the driver's debugfs directory
 *
 * Creates ttm_user_bo_stats and, with CONFIG_FAULT_INJECTION_DEBUG_FS,
 * the ttm_user_bo_fail_alloc fault-injection directory.
 */
void ttm_user_bo_debugfs_init(struct ttm_user_bo_device *udev,
			      struct dentry *root)
{
	debugfs_create_file("ttm_user_bo_stats", 0444, root, udev,
			    &ttm_user_bo_stats_fops);
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	fault_create_debugfs_attr("ttm_user_bo_fail_alloc", root,
				  &ttm_user_bo_fail_alloc);
#endif
}
EXPORT_SYMBOL(ttm_user_bo_debugfs_init);

/* The committed pages are DMA-mapped at a sequence that has not moved. */
static bool ttm_user_bo_valid_locked(struct ttm_user_bo *ubo)
{
	lockdep_assert_held(&ubo->udev->notifier_lock);

	return ubo->committed && ubo->mapped &&
		!mmu_interval_read_retry(&ubo->notifier, ubo->seq);
}

/*
 * Mark what the device may have written dirty, never sleeping and never
 * allocating. Swap-backed folios (anonymous, swap cache, shmem) use
 * noop_dirty_folio(), which needs neither the folio lock nor protection
 * against truncation and allocates nothing, so this is safe under the
 * notifier lock, in the notifier, where reclaim and migration hold the
 * folio lock. File-backed folios of a mirrored BO are covered by the
 * write-fault and page_mkclean() protocol; pinned ones are marked by
 * ttm_user_bo_dirty_files() once the notifier lock is dropped. See DOC:
 * Dirty pages.
 */
static void ttm_user_bo_dirty(struct ttm_user_bo *ubo)
{
	struct folio *last = NULL;
	unsigned long i;

	/* the pages stay valid only while no invalidation can complete */
	lockdep_assert_held(&ubo->udev->notifier_lock);
	if (ubo->flags & TTM_USER_BO_READ_ONLY)
		return;
	for (i = 0; i < ubo->num_pages; i++) {
		struct folio *folio = page_folio(ubo->committed->pages[i]);

		if (folio == last)
			continue;
		last = folio;
		if (folio_test_swapbacked(folio))
			folio_mark_dirty(folio);
	}
}

/*
 * Mark the file-backed folios of released pinned pages dirty. Their
 * ->dirty_folio may allocate (iomap_dirty_folio() does), and an
 * allocation may recurse into reclaim and from there into a notifier of
 * this device, so this runs without the notifier lock: the pins keep the
 * pages. folio_trylock() (skipped when someone else holds the lock, as
 * i915 does) keeps a release from the shrinker from waiting on a folio
 * lock held by reclaim or writeback, and protects against truncation.
 */
static void ttm_user_bo_dirty_files(struct ttm_user_bo *ubo,
				    struct ttm_user_bo_snapshot *snap)
{
	struct folio *last = NULL;
	unsigned long i;

	if (!snap->pinned || (ubo->flags & TTM_USER_BO_READ_ONLY))
		return;
	lockdep_assert_not_held(&ubo->udev->notifier_lock);
	for (i = 0; i < ubo->num_pages; i++) {
		struct folio *folio = page_folio(snap->pages[i]);

		if (folio == last)
			continue;
		last = folio;
		if (folio_test_swapbacked(folio) || folio_test_dirty(folio) ||
		    !folio_trylock(folio))
			continue;
		if (folio->mapping)
			folio_mark_dirty(folio);
		folio_unlock(folio);
	}
}

/*
 * Take the committed pages out of the attached ttm_tt: after an
 * invalidation or a release a user of the tt finds no page rather than one
 * that may have been freed.
 */
static void ttm_user_bo_unpublish_tt(struct ttm_user_bo *ubo)
{
	lockdep_assert_held(&ubo->udev->notifier_lock);

	if (ubo->tt && ubo->tt_published) {
		memset(ubo->tt->pages, 0, ubo->num_pages * sizeof(*ubo->tt->pages));
		memset(ubo->tt->dma_address, 0,
		       ubo->num_pages * sizeof(*ubo->tt->dma_address));
	}
	ubo->tt_published = false;
}

/*
 * Stop every access through the helper's mappings: unpublish the tt, mark
 * the pages dirty and DMA-unmap them. Called with the notifier lock held,
 * for writing by the notifier, for reading by a release (which the BO's
 * reservation or its last reference makes exclusive).
 */
static void ttm_user_bo_unmap_locked(struct ttm_user_bo *ubo)
{
	lockdep_assert_held(&ubo->udev->notifier_lock);

	ttm_user_bo_unpublish_tt(ubo);
	if (!ubo->mapped)
		return;
	ttm_user_bo_dirty(ubo);
	/* CPU sync apart from the unmap: see ttm_user_bo_map() */
	dma_sync_sgtable_for_cpu(ubo->udev->dma_dev, &ubo->sgt->table,
				 ttm_user_bo_dir(ubo));
	dma_unmap_sgtable(ubo->udev->dma_dev, &ubo->sgt->table,
			  ttm_user_bo_dir(ubo), DMA_ATTR_SKIP_CPU_SYNC);
	WRITE_ONCE(ubo->mapped, false);
}

/**
 * DOC: Dirty pages
 *
 * Data the device wrote must survive writeback and reclaim. The snapshot
 * asks hmm_range_fault() for writable pages, which write-faults every page
 * whose PTE is not writable. Case by case:
 *
 * * Regular file, MAP_SHARED: the mapping is write-notified, so a writable
 *   PTE exists only after a write fault dirtied the folio. Before writeback
 *   cleans the folio, page_mkclean() write-protects the PTE, which
 *   invalidates the range: the notifier waits for the device and unmaps,
 *   and the next snapshot write-faults (dirtying the folio) again. Device
 *   writes before page_mkclean() are written back with the folio.
 * * Private file mappings: a write fault replaces the page by an anonymous
 *   copy (below).
 * * Private anonymous memory: a PTE can be writable but clean (a read fault
 *   on an exclusive page swapped back in maps it writable and leaves the
 *   folio clean in the swap cache), so hmm_range_fault() does not fault and
 *   reclaim could drop the folio without writing the device's data to
 *   swap. The notifier therefore marks the folios dirty before it unmaps,
 *   and so does the release of committed pages.
 * * shmem and memfd, MAP_SHARED: shmem is not write-notified; its folios
 *   are swap-backed and marked dirty the same way.
 *
 * Marking swap-backed folios dirty needs no folio lock (their address
 * spaces use noop_dirty_folio()), so the notifier cannot deadlock against
 * reclaim or migration holding that lock, unlike set_page_dirty_lock().
 * %TTM_USER_BO_PINNED BOs mark their pages dirty when they are unpinned.
 */

static void ttm_user_bo_snapshot_free(struct ttm_user_bo *ubo,
				      struct ttm_user_bo_snapshot *snap)
{
	if (!snap)
		return;
	/*
	 * Committed pages were marked dirty when they were unmapped
	 * (ttm_user_bo_dirty(), ttm_user_bo_dirty_files()); unused snapshots
	 * were never written. So nothing here waits for a folio lock, and a
	 * release is safe from a shrinker.
	 */
	if (snap->pinned)
		unpin_user_pages(snap->pages, ubo->num_pages);
	kvfree(snap);
}

static bool ttm_user_bo_invalidate(struct mmu_interval_notifier *mni,
				   const struct mmu_notifier_range *range,
				   unsigned long cur_seq)
{
	struct ttm_user_bo *ubo = container_of(mni, typeof(*ubo), notifier);
	struct ttm_user_bo_device *udev = ubo->udev;
	bool pinned = ubo->flags & TTM_USER_BO_PINNED;
	bool mapped;

	if (!mmu_notifier_range_blockable(range)) {
		if (!down_write_trylock(&udev->notifier_lock))
			goto busy;
		/*
		 * Fences can be added outside the submission critical section
		 * (TTM moves, shared reservation objects), so a BO that looks
		 * idle may not stay idle, and the hook and the unmap may
		 * sleep: with pages mapped, refuse; the core retries in a
		 * blockable context. With nothing mapped (or pinned pages,
		 * which stay valid) moving the sequence is all there is to do.
		 */
		if (!pinned && ubo->mapped) {
			up_write(&udev->notifier_lock);
			goto busy;
		}
		mmu_interval_set_seq(mni, cur_seq);
		atomic_long_inc(&udev->stats.invalidations);
		up_write(&udev->notifier_lock);
		return true;
	}

	down_write(&udev->notifier_lock);
	mmu_interval_set_seq(mni, cur_seq);
	atomic_long_inc(&udev->stats.invalidations);
	mapped = ubo->mapped;
	up_write(&udev->notifier_lock);

	/*
	 * Pinned pages stay valid until the driver unbinds and releases them.
	 * With nothing mapped the device cannot reach the pages (a commit at
	 * the old sequence can no longer map them): do not stall the mm on
	 * the BO's jobs.
	 */
	if (pinned || !mapped)
		return true;

	/*
	 * With the sequence moved, no check, commit or submission succeeds
	 * at the old one, and no snapshot completes until this invalidation
	 * ends (mmu_interval_read_begin() waits for it): no new job can
	 * start on the pages. Wait for the ones in the reservation object
	 * without the lock, so that one slow job does not stall every
	 * commit and submission of the device.
	 */
	if (!dma_resv_test_signaled(ubo->resv, DMA_RESV_USAGE_BOOKKEEP)) {
		atomic_long_inc(&udev->stats.fence_waits);
		dma_resv_wait_timeout(ubo->resv, DMA_RESV_USAGE_BOOKKEEP, false,
				      MAX_SCHEDULE_TIMEOUT);
	}

	/* A release may have dropped the pages meanwhile: look again. */
	down_write(&udev->notifier_lock);
	if (ubo->mapped && ubo->ops && ubo->ops->invalidate)
		ubo->ops->invalidate(ubo, range);
	ttm_user_bo_unmap_locked(ubo);
	up_write(&udev->notifier_lock);
	return true;

busy:
	atomic_long_inc(&udev->stats.nonblock_busy);
	return false;
}

static const struct mmu_interval_notifier_ops ttm_user_bo_notifier_ops = {
	.invalidate = ttm_user_bo_invalidate,
};

/**
 * ttm_user_bo_init() - register a range of the calling process's memory
 * @ubo: the user BO to initialise (embedded in the driver's BO)
 * @udev: the per-device state
 * @ops: driver hooks, or NULL
 * @resv: the reservation object of the BO; the notifier waits for its
 *	fences, commits require it held. It must outlive @ubo.
 * @start: user address of the range, page aligned
 * @size: size of the range in bytes, page aligned
 * @flags: &enum ttm_user_bo_flags
 *
 * Inserts an interval notifier on current->mm; @start is untagged first
 * (untagged_addr()). Pages are not touched until ttm_user_bo_snapshot(),
 * which works on this mm whichever task calls it.
 *
 * Context: process context of the task whose memory backs the BO, may
 * sleep; no reservation held: the first notifier of an mm takes its
 * mmap_lock.
 *
 * Return: 0 on success;
 * -EINVAL for unknown @flags, %TTM_USER_BO_LONGTERM without
 * %TTM_USER_BO_PINNED, a zero or unaligned
 * @start or @size, or a range that wraps around;
 * -E2BIG for more than %TTM_USER_BO_MAX_PAGES pages;
 * -EFAULT if the range is not a user range (access_ok());
 * -ESRCH if the caller has no mm (kernel thread);
 * -EINTR if a fatal signal interrupted inserting the first notifier of the
 * mm (mm_take_all_locks());
 * -EOPNOTSUPP if the device's DMA mappings may bounce (see
 * ttm_user_bo_device_init());
 * -ENOMEM if the notifier could not be inserted.
 */
int ttm_user_bo_init(struct ttm_user_bo *ubo, struct ttm_user_bo_device *udev,
		     const struct ttm_user_bo_ops *ops, struct dma_resv *resv,
		     unsigned long start, unsigned long size, u32 flags)
{
	struct mm_struct *mm = current->mm;
	unsigned long end;

	start = untagged_addr(start);
	if (flags & ~TTM_USER_BO_FLAGS_VALID)
		return -EINVAL;
	/* only pins can be long-term */
	if ((flags & TTM_USER_BO_LONGTERM) &&
	    !(flags & TTM_USER_BO_PINNED))
		return -EINVAL;
	if (!start || !size || !PAGE_ALIGNED(start) || !PAGE_ALIGNED(size))
		return -EINVAL;
	if (check_add_overflow(start, size, &end))
		return -EINVAL;
	if ((size >> PAGE_SHIFT) > TTM_USER_BO_MAX_PAGES)
		return -E2BIG;
	if (!access_ok((void __user *)start, size))
		return -EFAULT;
	if (!mm)
		return -ESRCH;
	if (udev->bounce)
		return -EOPNOTSUPP;

	might_lock(&mm->mmap_lock);
	lockdep_assert_not_held(&resv->lock.base);

	memset(ubo, 0, sizeof(*ubo));
	ubo->udev = udev;
	ubo->ops = ops;
	ubo->resv = resv;
	ubo->start = start;
	ubo->num_pages = size >> PAGE_SHIFT;
	ubo->flags = flags;

	return mmu_interval_notifier_insert(&ubo->notifier, mm, start, size,
					    &ttm_user_bo_notifier_ops);
}
EXPORT_SYMBOL(ttm_user_bo_init);

/**
 * ttm_user_bo_walk_hook() - test hook of ttm_user_bo_snapshot()
 * @ubo: the user BO being snapshotted
 *
 * Called by the page-table walk of the mirror policy after each
 * mmu_interval_read_begin(), with no lock held. Does nothing; KUnit tests
 * replace it with kunit_activate_static_stub() to invalidate the range
 * there.
 */
void ttm_user_bo_walk_hook(struct ttm_user_bo *ubo)
{
	KUNIT_STATIC_STUB_REDIRECT(ttm_user_bo_walk_hook, ubo);
}
EXPORT_SYMBOL_FOR_TESTS_ONLY(ttm_user_bo_walk_hook);

static int ttm_user_bo_walk(struct ttm_user_bo *ubo, struct mm_struct *mm,
			    struct ttm_user_bo_snapshot *snap)
{
	unsigned long timeout = jiffies + msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT);
	unsigned long chunk = min_t(unsigned long, ubo->num_pages,
				    TTM_USER_BO_CHUNK_PAGES);
	unsigned int max_segment = ubo->udev->max_segment;
	unsigned long max_run = max_segment >> PAGE_SHIFT;
	unsigned long run, pfn, prev = 0;
	unsigned int nents;
	struct hmm_range range = {
		.notifier = &ubo->notifier,
		.default_flags = HMM_PFN_REQ_FAULT,
	};
	unsigned long i, j, n;
	unsigned long *pfns;
	int ret = 0;

	if (!(ubo->flags & TTM_USER_BO_READ_ONLY))
		range.default_flags |= HMM_PFN_REQ_WRITE;

	pfns = ttm_user_bo_inject() ? NULL :
		kvmalloc_array(chunk, sizeof(*pfns), GFP_KERNEL);
	if (!pfns)
		return -ENOMEM;

retry:
	range.notifier_seq = mmu_interval_read_begin(&ubo->notifier);
	ttm_user_bo_walk_hook(ubo);
	nents = 0;
	run = 0;
	for (i = 0; i < ubo->num_pages; i += n) {
		n = min(ubo->num_pages - i, chunk);
		range.start = ubo->start + (i << PAGE_SHIFT);
		range.end = range.start + (n << PAGE_SHIFT);
		range.hmm_pfns = pfns;

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto out;
		}
		if (mmap_read_lock_killable(mm)) {
			ret = -EINTR;
			goto out;
		}
		ret = hmm_range_fault(&range);
		mmap_read_unlock(mm);

		if (ret == -EBUSY) {
			atomic_long_inc(&ubo->udev->stats.retries);
			if (time_after(jiffies, timeout))
				goto out;
			goto retry;
		}
		if (ret)
			goto out;

		/*
		 * Count the sg entries here, while the pfns are at hand, as
		 * ttm_user_bo_count_segments() would: the commit then only
		 * fills the table.
		 */
		for (j = 0; j < n; j++) {
			if (WARN_ON_ONCE(!(pfns[j] & HMM_PFN_VALID))) {
				ret = -EFAULT;
				goto out;
			}
			snap->pages[i + j] = hmm_pfn_to_page(pfns[j]);
			pfn = pfns[j] & ~HMM_PFN_FLAGS;
			if (run && run < max_run && pfn == prev + 1) {
				run++;
			} else {
				nents++;
				run = 1;
			}
			prev = pfn;
		}
	}
	snap->seq = range.notifier_seq;
	snap->nents = nents;
	snap->max_segment = max_segment;
out:
	kvfree(pfns);
	return ret;
}

static int ttm_user_bo_pin(struct ttm_user_bo *ubo, struct mm_struct *mm,
			   struct ttm_user_bo_snapshot *snap)
{
	unsigned int gup = 0;
	unsigned long done = 0;
	long ret = 0;

	if (!(ubo->flags & TTM_USER_BO_READ_ONLY))
		gup |= FOLL_WRITE;
	if (ubo->flags & TTM_USER_BO_LONGTERM)
		gup |= FOLL_LONGTERM;

	snap->seq = mmu_interval_read_begin(&ubo->notifier);
	/*
	 * The caller's own memory (a driver acting for the process that owns
	 * the BO): pin_user_pages_fast() walks the page tables without the
	 * mmap_lock and faults in only what is missing, as i915 did. What it
	 * does not pin, the loop below pins, or reports as an error.
	 */
	if (current->mm == mm) {
		while (done < ubo->num_pages) {
			unsigned long n = min_t(unsigned long, ubo->num_pages - done,
						TTM_USER_BO_CHUNK_PAGES);

			if (fatal_signal_pending(current)) {
				unpin_user_pages(snap->pages, done);
				return -EINTR;
			}
			ret = pin_user_pages_fast(ubo->start + (done << PAGE_SHIFT), n,
						  gup, snap->pages + done);
			if (ret <= 0)
				break;
			done += ret;
		}
		ret = 0;
		if (done == ubo->num_pages)
			goto pinned;
	}

	if (mmap_read_lock_killable(mm)) {
		unpin_user_pages(snap->pages, done);
		return -EINTR;
	}
	while (done < ubo->num_pages) {
		unsigned long n = min_t(unsigned long, ubo->num_pages - done,
					TTM_USER_BO_CHUNK_PAGES);

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		unsigned long addr = ubo->start + (done << PAGE_SHIFT);
		struct vm_area_struct *vma;

		ret = pin_user_pages_remote(mm, addr, n, gup, snap->pages + done,
					    NULL);
		if (ret <= 0) {
			ret = ret ?: -EFAULT;
			/* as hmm_range_fault(): a write to a read-only mapping */
			vma = vma_lookup(mm, addr);
			if (ret == -EFAULT && (gup & FOLL_WRITE) && vma &&
			    !(vma->vm_flags & (VM_IO | VM_PFNMAP)) &&
			    (vma->vm_flags & VM_READ) && !(vma->vm_flags & VM_WRITE))
				ret = -EPERM;
			break;
		}
		done += ret;
		ret = 0;
	}
	mmap_read_unlock(mm);

	if (ret) {
		unpin_user_pages(snap->pages, done);
		return ret;
	}
pinned:
	snap->pinned = true;
	return 0;
}

/**
 * ttm_user_bo_snapshot() - record the pages currently backing the range
 * @ubo: the user BO
 *
 * Faults the range in (writable unless %TTM_USER_BO_READ_ONLY) with
 * hmm_range_fault(), or pins it for %TTM_USER_BO_PINNED, and keeps the
 * result for the next ttm_user_bo_commit(). Walks the range in chunks of
 * 512 pages; an invalidation during the walk restarts it with a fresh
 * sequence, for at most HMM_RANGE_DEFAULT_TIMEOUT milliseconds. If the
 * committed pages are still valid it returns at once without walking.
 *
 * Call with no reservation held: it takes the mmap_lock of the range's mm,
 * which nests outside every dma_resv. Any thread may call it, a kernel
 * thread without an mm or a task of another process included: it always
 * works on the mm the BO was registered on.
 *
 * Context: process context or kernel thread, may sleep; no reservation
 * held. Takes the range's mmap_lock for reading.
 *
 * Return: 0 on success;
 * -ESRCH if the mm has exited;
 * -EFAULT if part of the range is unmapped, PROT_NONE, VM_IO or VM_PFNMAP;
 * -EPERM if a writable BO covers a read-only mapping (either policy);
 * -EBUSY if the range kept being invalidated until the deadline passed,
 * or (%TTM_USER_BO_LONGTERM) pages could not be migrated for a long-term pin;
 * -EINTR if a fatal signal is pending;
 * -EOPNOTSUPP (%TTM_USER_BO_LONGTERM) for a mapping that cannot be pinned
 * long-term (fsdax);
 * -ENOMEM on allocation failure.
 */
int ttm_user_bo_snapshot(struct ttm_user_bo *ubo)
{
	struct ttm_user_bo_device *udev = ubo->udev;
	struct mm_struct *mm = ubo->notifier.mm;
	struct ttm_user_bo_snapshot *snap;
	int ret;

	lockdep_assert_not_held(&ubo->resv->lock.base);
	might_lock_read(&mm->mmap_lock);

	/* Lockless hint; ttm_user_bo_commit() decides under the lock. */
	if (READ_ONCE(ubo->committed) && READ_ONCE(ubo->mapped) &&
	    !mmu_interval_check_retry(&ubo->notifier, READ_ONCE(ubo->seq))) {
		atomic_long_inc(&udev->stats.fast_paths);
		return 0;
	}

	if (!mmget_not_zero(mm))
		return -ESRCH;

	snap = ttm_user_bo_inject() ? NULL :
		kvmalloc(struct_size(snap, pages, ubo->num_pages), GFP_KERNEL);
	if (!snap) {
		ret = -ENOMEM;
		goto out;
	}
	snap->pinned = false;
	snap->nents = 0;

	if (ubo->flags & TTM_USER_BO_PINNED)
		ret = ttm_user_bo_pin(ubo, mm, snap);
	else
		ret = ttm_user_bo_walk(ubo, mm, snap);
	if (ret) {
		kvfree(snap);
		goto out;
	}

	atomic_long_inc(&udev->stats.snapshots);
	ttm_user_bo_snapshot_free(ubo, xchg(&ubo->pending, snap));
out:
	mmput(mm);
	return ret;
}
EXPORT_SYMBOL(ttm_user_bo_snapshot);

/* Drop the committed pages. The caller excludes other committers. */
static void __ttm_user_bo_release_pages(struct ttm_user_bo *ubo)
{
	struct ttm_user_bo_device *udev = ubo->udev;
	struct ttm_user_bo_snapshot *committed;
	struct ttm_refct_sgt *sgt;

	if (!ubo->committed)
		return;

	down_read(&udev->notifier_lock);
	ttm_user_bo_unmap_locked(ubo);
	committed = ubo->committed;
	sgt = ubo->sgt;
	WRITE_ONCE(ubo->committed, NULL);
	ubo->sgt = NULL;
	up_read(&udev->notifier_lock);

	ttm_refct_sgt_put(sgt);
	ttm_user_bo_dirty_files(ubo, committed);
	ttm_user_bo_snapshot_free(ubo, committed);
}

/*
 * ttm_user_bo_release_pages() without the reservation check: TTM destroys
 * a BO whose reservation object is shared under the BO's own, individual
 * one (ttm_bo_individualize_resv()), which excludes every other user of
 * the dying BO just as well.
 */
static void ttm_user_bo_release(struct ttm_user_bo *ubo)
{
	if (!ubo->committed)
		return;
	if (ubo->ops && ubo->ops->release)
		ubo->ops->release(ubo);
	/*
	 * A job may still use the pages: the pinned notifier never waits, and
	 * nothing else guarantees the BO is idle. Unmapping or unpinning
	 * under it would let it write freed memory.
	 */
	dma_resv_wait_timeout(ubo->resv, DMA_RESV_USAGE_BOOKKEEP, false,
			      MAX_SCHEDULE_TIMEOUT);
	__ttm_user_bo_release_pages(ubo);
}

/**
 * ttm_user_bo_release_pages() - drop the committed pages
 * @ubo: the user BO
 *
 * Calls &ttm_user_bo_ops.release, waits (uninterruptibly) until every
 * fence of the BO's reservation object signaled, marks the pages dirty
 * (writable BOs), DMA-unmaps them if the notifier has not, clears them from
 * the attached ttm_tt, drops the helper's reference on the sg-table and,
 * for %TTM_USER_BO_PINNED, unpins the pages. Holders of an sg-table
 * reference keep the table, not the mapping. Does nothing if no pages are
 * committed. Never takes an mmap_lock.
 *
 * Context: process context, may sleep; the BO's reservation must be held.
 * Takes the notifier lock for reading.
 */
void ttm_user_bo_release_pages(struct ttm_user_bo *ubo)
{
	dma_resv_assert_held(ubo->resv);
	ttm_user_bo_release(ubo);
}
EXPORT_SYMBOL(ttm_user_bo_release_pages);

/* Copy the committed pages and DMA addresses into the attached ttm_tt. */
static void ttm_user_bo_publish_tt(struct ttm_user_bo *ubo)
{
	lockdep_assert_held(&ubo->udev->notifier_lock);

	if (!ubo->tt || ubo->tt_published)
		return;
	memcpy(ubo->tt->pages, ubo->committed->pages,
	       ubo->num_pages * sizeof(*ubo->tt->pages));
	drm_prime_sg_to_dma_addr_array(&ubo->sgt->table, ubo->tt->dma_address,
				       ubo->num_pages);
	ubo->tt_published = true;
}

/*
 * Publish @snap in @sgt: under the notifier lock and only if the range did
 * not change since the snapshot, fill the table, DMA-map it and make it
 * the BO's pages. Nothing here reads a page before the check, and nothing
 * allocates under the lock except what DMA mapping itself needs.
 */
static int ttm_user_bo_map(struct ttm_user_bo *ubo,
			   struct ttm_user_bo_snapshot *snap,
			   struct ttm_refct_sgt *sgt, unsigned int max_segment)
{
	struct ttm_user_bo_device *udev = ubo->udev;
	int ret;

	down_read(&udev->notifier_lock);
	if (mmu_interval_read_retry(&ubo->notifier, snap->seq)) {
		ret = -EAGAIN;
		goto out;
	}
	ttm_user_bo_fill_sgt(&sgt->table, snap->pages, ubo->num_pages,
			     max_segment);
	/*
	 * User BOs may overlap (two BOs on one range, or on ranges sharing a
	 * page), so a page can be in several mappings at once, which the DMA
	 * API allows only without CPU syncs in the map and unmap (DMA-API
	 * debugging reports "overlapping mappings" otherwise). The syncs are
	 * done apart, so non-coherent devices still see the CPU's writes.
	 */
	ret = dma_map_sgtable(udev->dma_dev, &sgt->table, ttm_user_bo_dir(ubo),
			      DMA_ATTR_SKIP_CPU_SYNC);
	if (ret)
		goto out;
	dma_sync_sgtable_for_device(udev->dma_dev, &sgt->table,
				    ttm_user_bo_dir(ubo));

	WRITE_ONCE(ubo->seq, snap->seq);
	ubo->sgt = sgt;
	WRITE_ONCE(ubo->committed, snap);
	WRITE_ONCE(ubo->mapped, true);
	ubo->tt_published = false;
	ttm_user_bo_publish_tt(ubo);
out:
	up_read(&udev->notifier_lock);
	return ret;
}

/*
 * A pinned snapshot of exactly the committed, still mapped pages: the
 * invalidation was benign (fork's copy-on-write protection, NUMA hinting,
 * a KSM scan that merged nothing). Both sets of pages are pinned, so
 * comparing them is safe.
 */
static bool ttm_user_bo_same_pages(struct ttm_user_bo *ubo,
				   struct ttm_user_bo_snapshot *snap)
{
	return snap->pinned && ubo->committed && ubo->mapped &&
		!memcmp(ubo->committed->pages, snap->pages,
			ubo->num_pages * sizeof(*snap->pages));
}

/*
 * Keep the committed pages, their mapping and the driver's bindings, and
 * take the snapshot's sequence if it is still current.
 */
static int ttm_user_bo_keep(struct ttm_user_bo *ubo,
			    struct ttm_user_bo_snapshot *snap)
{
	struct ttm_user_bo_device *udev = ubo->udev;
	int ret = 0;

	down_read(&udev->notifier_lock);
	if (mmu_interval_read_retry(&ubo->notifier, snap->seq)) {
		ret = -EAGAIN;
	} else {
		WRITE_ONCE(ubo->seq, snap->seq);
		ttm_user_bo_publish_tt(ubo);
	}
	up_read(&udev->notifier_lock);
	return ret;
}

/* ttm_user_bo_commit(), with an interruptible wait before the release */
static int __ttm_user_bo_commit(struct ttm_user_bo *ubo, bool intr)
{
	struct ttm_user_bo_device *udev = ubo->udev;
	unsigned int max_segment = udev->max_segment;
	struct ttm_user_bo_snapshot *snap;
	struct ttm_refct_sgt *sgt;
	bool valid;
	int ret;

	dma_resv_assert_held(ubo->resv);

	down_read(&udev->notifier_lock);
	valid = ttm_user_bo_valid_locked(ubo);
	if (valid)
		ttm_user_bo_publish_tt(ubo);
	up_read(&udev->notifier_lock);

	snap = xchg(&ubo->pending, NULL);
	if (valid) {
		/* a snapshot of the same pages: drop it (and its pins) */
		ttm_user_bo_snapshot_free(ubo, snap);
		return 0;
	}
	if (!snap)
		return -EAGAIN;
	/* cheap early exit; ttm_user_bo_map() decides under the lock */
	if (mmu_interval_check_retry(&ubo->notifier, snap->seq)) {
		ret = -EAGAIN;
		goto stale;
	}

	if (ttm_user_bo_same_pages(ubo, snap)) {
		ret = ttm_user_bo_keep(ubo, snap);
		if (ret)
			goto stale;
		ttm_user_bo_snapshot_free(ubo, snap);
		return 0;
	}

	if (intr && ubo->committed) {
		long lret = dma_resv_wait_timeout(ubo->resv,
						  DMA_RESV_USAGE_BOOKKEEP, true,
						  MAX_SCHEDULE_TIMEOUT);

		if (lret < 0) {
			ret = lret;
			goto fail;
		}
	}
	ttm_user_bo_release_pages(ubo);
	for (;;) {
		sgt = ttm_user_bo_alloc_sgt(ubo, snap, max_segment);
		if (IS_ERR(sgt)) {
			ret = PTR_ERR(sgt);
			goto fail;
		}
		ttm_user_bo_commit_hook(ubo, sgt);
		ret = ttm_user_bo_map(ubo, snap, sgt, max_segment);
		if (!ret)
			break;
		ttm_refct_sgt_put(sgt);
		if (ret == -EAGAIN)
			goto stale;
		/* a DMA mapping error: once more with PAGE_SIZE segments */
		if (max_segment == PAGE_SIZE)
			goto fail;
		max_segment = PAGE_SIZE;
	}
	atomic_long_inc(&udev->stats.commits);
	return 0;

stale:
	atomic_long_inc(&udev->stats.stale_commits);
fail:
	ttm_user_bo_snapshot_free(ubo, snap);
	return ret;
}

/**
 * ttm_user_bo_commit() - make the last snapshot the BO's pages
 * @ubo: the user BO
 *
 * If the committed pages are still valid, does nothing (and drops the
 * pending snapshot). If a %TTM_USER_BO_PINNED snapshot has exactly the
 * committed pages (a benign invalidation), keeps them, their mapping and
 * the driver's bindings (&ttm_user_bo_ops.release is not called) and only
 * takes the new sequence. Otherwise takes the snapshot from
 * ttm_user_bo_snapshot(), releases the old pages
 * (ttm_user_bo_release_pages(), which waits for the BO's fences), allocates
 * an sg-table for the new ones (segments no larger than the device allows;
 * physically contiguous pages, huge pages included, merge) and, under the
 * notifier lock, checks with mmu_interval_read_retry() that the range did
 * not change since the snapshot. Only then is the table filled, DMA-mapped
 * and published, to the ttm_tt if one is attached; if mapping fails with
 * large segments, it is retried once with PAGE_SIZE segments.
 *
 * Context: process context, may sleep; the BO's reservation must be held.
 * Takes the notifier lock for reading. Never takes an mmap_lock.
 *
 * Return: 0 when the BO's pages are valid and mapped;
 * -EAGAIN if there is no snapshot to commit or the range changed since the
 * snapshot: back off the reservation (ww transaction), call
 * ttm_user_bo_snapshot() and try again;
 * -ENOMEM on allocation failure;
 * another negative error code from dma_map_sgtable().
 * On an error the snapshot is dropped. An -EAGAIN before the old pages
 * were released (a stale snapshot) leaves the old commit in place, no
 * longer valid; any other error leaves no pages committed.
 */
int ttm_user_bo_commit(struct ttm_user_bo *ubo)
{
	return __ttm_user_bo_commit(ubo, false);
}
EXPORT_SYMBOL(ttm_user_bo_commit);

/**
 * ttm_user_bo_commit_interruptible() - ttm_user_bo_commit(), interruptibly
 * @ubo: the user BO
 *
 * As ttm_user_bo_commit(), but the wait for the BO's fences before the old
 * pages are released can be interrupted: nothing has changed then (the
 * release hook has not been called) and the snapshot is dropped.
 *
 * Context: as ttm_user_bo_commit().
 *
 * Return: as ttm_user_bo_commit(), or -ERESTARTSYS if a signal interrupted
 * the wait.
 */
int ttm_user_bo_commit_interruptible(struct ttm_user_bo *ubo)
{
	return __ttm_user_bo_commit(ubo, true);
}
EXPORT_SYMBOL(ttm_user_bo_commit_interruptible);

/**
 * ttm_user_bo_get_sgt() - a reference on the committed, mapped sg-table
 * @ubo: the user BO
 *
 * Returns the table only while the BO is valid: pages committed, DMA-mapped
 * and the range not invalidated since (checked under the notifier lock).
 * The reference keeps the table and its page list allocated, even after
 * the pages are released; it does not keep the DMA mapping or the pages.
 * The DMA addresses stay mapped until the next invalidation or release of
 * the BO's pages, and an invalidation waits only for fences in the BO's
 * reservation object: program the device from the table and add the job's
 * fence inside one ttm_user_bo_submit_begin() section, after
 * ttm_user_bo_submit_valid().
 *
 * Context: the BO's reservation must be held. Takes the notifier lock for
 * reading.
 *
 * Return: the table with a new reference, or ERR_PTR(-EAGAIN) if no valid
 * pages are committed (commit, or snapshot and commit, first).
 */
struct ttm_refct_sgt *ttm_user_bo_get_sgt(struct ttm_user_bo *ubo)
{
	struct ttm_refct_sgt *sgt = ERR_PTR(-EAGAIN);

	dma_resv_assert_held(ubo->resv);

	down_read(&ubo->udev->notifier_lock);
	if (ttm_user_bo_valid_locked(ubo))
		sgt = ttm_refct_sgt_get(ubo->sgt);
	up_read(&ubo->udev->notifier_lock);
	return sgt;
}
EXPORT_SYMBOL(ttm_user_bo_get_sgt);

/**
 * ttm_user_bo_submit_begin() - start the last-check critical section
 * @udev: the per-device state
 *
 * Takes the notifier lock for reading. Between this and
 * ttm_user_bo_submit_end() the driver checks every user BO of the job with
 * ttm_user_bo_submit_valid() and, if all are valid, adds the job's fence to
 * their reservation objects. No invalidation can run in between, so none
 * can miss the fence. Nothing in the section may allocate memory (reserve
 * fence slots before), take a reservation or wait for a fence.
 *
 * Context: process context, may sleep (an invalidation holds the lock for
 * writing only to move the sequence and, after the BO's fences signaled,
 * while the driver's invalidate hook runs and the pages are unmapped;
 * never while the helper waits for fences); the reservations
 * of the job's BOs held. Takes the notifier lock for reading.
 */
void ttm_user_bo_submit_begin(struct ttm_user_bo_device *udev)
	__acquires(&udev->notifier_lock)
{
	down_read(&udev->notifier_lock);
	__acquire(&udev->notifier_lock);
}
EXPORT_SYMBOL(ttm_user_bo_submit_begin);

/**
 * ttm_user_bo_submit_begin_interruptible() - ttm_user_bo_submit_begin(),
 *	interruptibly
 * @udev: the per-device state
 *
 * Context: as ttm_user_bo_submit_begin().
 *
 * Return: 0 with the notifier lock held for reading (end the section with
 * ttm_user_bo_submit_end(); for sparse, mark it __acquire() on that path),
 * or -EINTR if a signal interrupted the wait for it (then it is not held).
 */
int ttm_user_bo_submit_begin_interruptible(struct ttm_user_bo_device *udev)
{
	return down_read_interruptible(&udev->notifier_lock);
}
EXPORT_SYMBOL(ttm_user_bo_submit_begin_interruptible);

/**
 * ttm_user_bo_submit_valid() - may the job use the BO's pages?
 * @ubo: the user BO
 *
 * Context: inside ttm_user_bo_submit_begin() / ttm_user_bo_submit_end(),
 * with the BO's reservation held.
 *
 * Return: true if pages are committed, DMA-mapped and the range has not
 * been invalidated since; false means -EAGAIN for the submission.
 */
bool ttm_user_bo_submit_valid(struct ttm_user_bo *ubo)
{
	dma_resv_assert_held(ubo->resv);
	return ttm_user_bo_valid_locked(ubo);
}
EXPORT_SYMBOL(ttm_user_bo_submit_valid);

/**
 * ttm_user_bo_get_info() - describe what a user BO holds
 * @ubo: the user BO
 * @info: filled with the committed pages, their sequence, whether they are
 *	still valid and the DMA segments of their sg-table
 *
 * For debugfs listings and tests: drivers show what the kernel holds
 * without reading the helper's private fields.
 *
 * Context: the BO's reservation must be held. Takes the notifier lock for
 * reading.
 */
void ttm_user_bo_get_info(struct ttm_user_bo *ubo,
			  struct ttm_user_bo_info *info)
{
	dma_resv_assert_held(ubo->resv);

	memset(info, 0, sizeof(*info));
	down_read(&ubo->udev->notifier_lock);
	if (ubo->committed) {
		info->committed_pages = ubo->num_pages;
		info->seq = ubo->seq;
		if (ubo->sgt && ubo->mapped)
			info->sg_entries = ubo->sgt->table.nents;
	}
	info->valid = ttm_user_bo_valid_locked(ubo);
	up_read(&ubo->udev->notifier_lock);
}
EXPORT_SYMBOL(ttm_user_bo_get_info);

/**
 * ttm_user_bo_submit_end() - end the last-check critical section
 * @udev: the per-device state
 *
 * Context: after ttm_user_bo_submit_begin(); releases the notifier lock.
 */
void ttm_user_bo_submit_end(struct ttm_user_bo_device *udev)
	__releases(&udev->notifier_lock)
{
	__release(&udev->notifier_lock);
	up_read(&udev->notifier_lock);
}
EXPORT_SYMBOL(ttm_user_bo_submit_end);

/**
 * ttm_user_bo_fini() - tear a user BO down
 * @ubo: the user BO
 *
 * Waits until every fence of the BO's reservation object signaled, drops
 * the pending snapshot and the committed pages (marked dirty and
 * DMA-unmapped under the notifier lock while the notifier is still
 * registered, so a concurrent munmap() cannot free them underneath), then
 * removes the notifier: it never runs again afterwards.
 * &ttm_user_bo_ops.release is not called: the driver has unbound the BO by
 * now. Works whether or not the mm is still alive.
 *
 * Context: process context, no reservation held; may sleep. Takes the
 * notifier lock for reading.
 */
void ttm_user_bo_fini(struct ttm_user_bo *ubo)
{
	lockdep_assert_not_held(&ubo->resv->lock.base);

	dma_resv_wait_timeout(ubo->resv, DMA_RESV_USAGE_BOOKKEEP, false,
			      MAX_SCHEDULE_TIMEOUT);
	ttm_user_bo_snapshot_free(ubo, xchg(&ubo->pending, NULL));
	/*
	 * Until the notifier is removed, an invalidation of the range waits
	 * for the notifier lock that the release holds, so the committed
	 * pages cannot be freed while they are dirtied and unmapped.
	 */
	__ttm_user_bo_release_pages(ubo);
	mmu_interval_notifier_remove(&ubo->notifier);
}
EXPORT_SYMBOL(ttm_user_bo_fini);

/**
 * ttm_user_tt_init() - initialise a ttm_tt filled by a user BO
 * @utt: the tt, usually embedded in the driver's tt
 * @bo: the TTM BO; its size must equal the user BO's
 * @ubo: the user BO; it must outlive @utt
 * @page_flags: TTM_TT_FLAG_* the driver wants besides EXTERNAL
 *
 * The tt is TTM_TT_FLAG_EXTERNAL (never swapped out, not accounted) and
 * never TTM_TT_FLAG_EXTERNAL_MAPPABLE, whatever @page_flags asks (no CPU
 * mapping through TTM; see DOC: Using the pages), with both pages[]
 * and dma_address[], which ttm_user_bo_commit() fills. It becomes the user
 * BO's tt, replacing any earlier one: only the user BO's current tt, while
 * it is also @bo's tt, publishes or releases the user BO's pages. A tt TTM
 * has handed to a ghost object (a pipelined move or
 * ttm_bo_pipeline_gutting() of a busy BO) is detached: unpopulating and
 * destroying it touches nothing of the user BO, whose committed pages stay
 * with the live BO.
 *
 * Context: the BO's reservation must be held (TTM holds it when it calls
 * &ttm_device_funcs.ttm_tt_create). Takes the notifier lock for writing.
 *
 * Return: 0, -EINVAL if the sizes differ, or -ENOMEM.
 */
int ttm_user_tt_init(struct ttm_user_tt *utt, struct ttm_buffer_object *bo,
		     struct ttm_user_bo *ubo, u32 page_flags)
{
	int ret;

	dma_resv_assert_held(ubo->resv);
	if (PAGE_ALIGN(bo->base.size) >> PAGE_SHIFT != ubo->num_pages)
		return -EINVAL;

	/* Without EXTERNAL, ttm_sg_tt_init() allocates pages[] too. */
	ret = ttm_sg_tt_init(&utt->ttm, bo,
			     page_flags & ~(TTM_TT_FLAG_EXTERNAL |
					    TTM_TT_FLAG_EXTERNAL_MAPPABLE),
			     ttm_cached);
	if (ret)
		return ret;
	utt->ttm.page_flags |= TTM_TT_FLAG_EXTERNAL;
	utt->ubo = ubo;
	utt->bo = bo;

	down_write(&ubo->udev->notifier_lock);
	ubo->tt = &utt->ttm;
	ubo->tt_published = false;
	up_write(&ubo->udev->notifier_lock);
	return 0;
}
EXPORT_SYMBOL(ttm_user_tt_init);

/*
 * Is @utt the tt of its user BO and of the live TTM BO? A ghost's tt is
 * neither @utt->bo's tt any more (TTM cleared or replaced bo->ttm) nor, in
 * most cases, the user BO's; the ghost holds a reference on the live BO, so
 * @utt->bo is valid while the ghost destroys the tt.
 */
static bool ttm_user_tt_attached(struct ttm_user_tt *utt)
{
	return READ_ONCE(utt->ubo->tt) == &utt->ttm &&
		READ_ONCE(utt->bo->ttm) == &utt->ttm;
}

/**
 * ttm_user_tt_create() - &ttm_device_funcs.ttm_tt_create for a user BO
 * @bo: the TTM BO
 * @ubo: the user BO backing it
 * @page_flags: as passed to ttm_tt_create
 *
 * Return: the new tt, or NULL on failure (TTM reports -ENOMEM).
 */
struct ttm_tt *ttm_user_tt_create(struct ttm_buffer_object *bo,
				  struct ttm_user_bo *ubo, u32 page_flags)
{
	struct ttm_user_tt *utt;

	utt = kzalloc(sizeof(*utt), GFP_KERNEL);
	if (!utt)
		return NULL;
	if (ttm_user_tt_init(utt, bo, ubo, page_flags)) {
		kfree(utt);
		return NULL;
	}
	return &utt->ttm;
}
EXPORT_SYMBOL(ttm_user_tt_create);

/**
 * ttm_user_tt_populate() - &ttm_device_funcs.ttm_tt_populate for a user BO
 * @bdev: the TTM device
 * @ttm: a tt from ttm_user_tt_init()
 * @ctx: the operation context (unused: nothing is allocated from the pool)
 *
 * Commits the BO's last snapshot (ttm_user_bo_commit()). Never faults and
 * never takes an mmap_lock. TTM calls it only for an unpopulated tt: once
 * populated, a tt keeps whatever the helper last published, so drivers call
 * ttm_user_bo_commit() themselves before every use (see DOC: Using the
 * pages).
 *
 * Context: the BO's reservation must be held.
 *
 * Return: 0, or a ttm_user_bo_commit() error: -EAGAIN means snapshot first;
 * -EINVAL for a tt that is not both its user BO's and its TTM BO's (a
 * ghost's, or one a newer ttm_user_tt_init() replaced): a commit would not
 * publish to it.
 */
int ttm_user_tt_populate(struct ttm_device *bdev, struct ttm_tt *ttm,
			 struct ttm_operation_ctx *ctx)
{
	struct ttm_user_tt *utt = to_ttm_user_tt(ttm);

	if (!ttm_user_tt_attached(utt))
		return -EINVAL;
	return ttm_user_bo_commit(utt->ubo);
}
EXPORT_SYMBOL(ttm_user_tt_populate);

/**
 * ttm_user_tt_unpopulate() - &ttm_device_funcs.ttm_tt_unpopulate
 * @bdev: the TTM device
 * @ttm: a tt from ttm_user_tt_init()
 *
 * Releases the committed pages (ttm_user_bo_release_pages()) if @ttm is
 * the user BO's current tt; a detached tt (a ghost's, see
 * ttm_user_tt_init()) releases nothing.
 *
 * Context: the reservation of the TTM BO that owns @ttm must be held, as
 * TTM holds it: the live BO's for the current tt (its individual one when
 * TTM destroys a BO whose reservation object is shared), the ghost's for a
 * detached one. Not from ttm_device_clear_dma_mappings(), which holds no
 * reservation: release or finalise user BOs before calling it.
 */
void ttm_user_tt_unpopulate(struct ttm_device *bdev, struct ttm_tt *ttm)
{
	struct ttm_user_tt *utt = to_ttm_user_tt(ttm);

	if (ttm_user_tt_attached(utt)) {
		dma_resv_assert_held(utt->bo->base.resv);
		ttm_user_bo_release(utt->ubo);
	}
}
EXPORT_SYMBOL(ttm_user_tt_unpopulate);

/**
 * ttm_user_tt_fini() - finalise a tt from ttm_user_tt_init()
 * @utt: the tt
 *
 * Detaches it from its user BO and frees its arrays. If @utt is the user
 * BO's tt but its TTM BO has another tt (the error path of
 * ttm_bo_pipeline_gutting()), that one becomes the user BO's tt again,
 * emptied: commit to republish the pages. Every tt of a TTM BO backed by a
 * user BO must be a &struct ttm_user_tt of that user BO.
 *
 * Context: the reservation of the BO that owns @utt must be held, as it is
 * when TTM destroys a tt. Takes the notifier lock for writing.
 */
void ttm_user_tt_fini(struct ttm_user_tt *utt)
{
	struct ttm_user_bo *ubo = utt->ubo;

	if (ubo) {
		if (ttm_user_tt_attached(utt))
			dma_resv_assert_held(utt->bo->base.resv);
		down_write(&ubo->udev->notifier_lock);
		if (ubo->tt == &utt->ttm) {
			struct ttm_tt *live = READ_ONCE(utt->bo->ttm);

			/*
			 * ttm_bo_pipeline_gutting() creates a new tt (which
			 * became the user BO's) and, when the transfer to the
			 * ghost fails, destroys it and keeps the old one: the
			 * old one is the BO's tt again, and it must be
			 * attached again, or invalidations would leave its
			 * pages in it. Empty: it may list pages an
			 * invalidation freed meanwhile; a commit republishes.
			 */
			if (live && live != &utt->ttm &&
			    to_ttm_user_tt(live)->ubo == ubo) {
				ubo->tt = live;
				ubo->tt_published = true;
				ttm_user_bo_unpublish_tt(ubo);
			} else {
				ubo->tt = NULL;
				ubo->tt_published = false;
			}
		}
		up_write(&ubo->udev->notifier_lock);
	}
	ttm_tt_fini(&utt->ttm);
}
EXPORT_SYMBOL(ttm_user_tt_fini);

/**
 * ttm_user_tt_destroy() - &ttm_device_funcs.ttm_tt_destroy
 * @bdev: the TTM device
 * @ttm: a tt from ttm_user_tt_create()
 */
void ttm_user_tt_destroy(struct ttm_device *bdev, struct ttm_tt *ttm)
{
	struct ttm_user_tt *utt = to_ttm_user_tt(ttm);

	ttm_user_tt_fini(utt);
	kfree(utt);
}
EXPORT_SYMBOL(ttm_user_tt_destroy);
