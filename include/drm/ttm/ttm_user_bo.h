/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Buffer objects backed by a range of a process's memory (userptr), for TTM
 * drivers and for any driver with a struct device and a dma_resv.
 */
#ifndef _TTM_USER_BO_H_
#define _TTM_USER_BO_H_

#include <linux/mmu_notifier.h>
#include <linux/rwsem.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

#include <drm/ttm/ttm_refct_sgt.h>
#include <drm/ttm/ttm_tt.h>

struct dentry;
struct device;
struct fault_attr;
struct dma_resv;
struct ttm_buffer_object;
struct ttm_device;
struct ttm_operation_ctx;
struct ttm_user_bo;
struct ttm_user_bo_snapshot;

/**
 * struct ttm_user_bo_stats - counters of one &struct ttm_user_bo_device
 * @snapshots: snapshots that walked the page tables
 * @fast_paths: snapshots that found the committed pages still valid
 * @retries: page-table walks restarted because the range was invalidated
 * @commits: commits that published new pages
 * @stale_commits: commits refused with -EAGAIN because the range changed
 * @invalidations: notifier calls that invalidated a BO
 * @fence_waits: invalidations that had to wait for an unsignaled fence
 * @nonblock_busy: non-blockable invalidations refused because a BO was busy
 *
 * Read them in debugfs (ttm_user_bo_debugfs_init()).
 */
struct ttm_user_bo_stats {
	atomic_long_t snapshots;
	atomic_long_t fast_paths;
	atomic_long_t retries;
	atomic_long_t commits;
	atomic_long_t stale_commits;
	atomic_long_t invalidations;
	atomic_long_t fence_waits;
	atomic_long_t nonblock_busy;
};

/**
 * struct ttm_user_bo_device - per-device state of the user BO helper
 * @notifier_lock: taken for writing by the invalidation callback, for
 *	reading by ttm_user_bo_commit() and by the driver's submission
 *	critical section (ttm_user_bo_submit_begin()). Nothing may allocate
 *	memory, take a dma_resv or take an mmap_lock while holding it.
 * @dma_dev: the device the pages are DMA-mapped for
 * @max_segment: the largest sg segment, from the DMA limits of @dma_dev
 * @bounce: DMA mappings of @dma_dev may bounce through swiotlb; no user BO
 *	can be created for it
 * @stats: counters
 *
 * One per device (or per GPU VM); every user BO of the device shares its
 * notifier lock, so one submission can check all of its BOs at once.
 */
struct ttm_user_bo_device {
	struct rw_semaphore notifier_lock;
	struct device *dma_dev;
	unsigned int max_segment;
	bool bounce;
	struct ttm_user_bo_stats stats;
};

/**
 * enum ttm_user_bo_flags - flags of ttm_user_bo_init()
 * @TTM_USER_BO_READ_ONLY: the device only reads the range; the range may be
 *	mapped read-only, pages are mapped DMA_TO_DEVICE and never dirtied.
 * @TTM_USER_BO_PINNED: residency policy for devices that cannot stop using
 *	pages from the notifier (no GPU faults, no unbind in reclaim context):
 *	the snapshot pins the pages (FOLL_PIN), the notifier only moves the
 *	sequence, and the pages are released, after
 *	&ttm_user_bo_ops.release and after the BO's fences signaled, when
 *	different pages are committed or the BO is unpopulated. Without it
 *	the helper is an HMM mirror: no page is pinned, and the notifier waits
 *	for the BO's fences and unmaps.
 * @TTM_USER_BO_LONGTERM: only with %TTM_USER_BO_PINNED: pin with
 *	FOLL_LONGTERM, which first migrates the pages out of ZONE_MOVABLE
 *	and CMA, so a BO bound for a long time does not block memory
 *	offlining and CMA allocations. Off by default: it changes what can
 *	be pinned (a writable long-term pin of a file mapping that needs
 *	dirty tracking fails with -EFAULT) and costs a migration.
 */
enum ttm_user_bo_flags {
	TTM_USER_BO_READ_ONLY = BIT(0),
	TTM_USER_BO_PINNED = BIT(1),
	/* BIT(2) is not used: TTM never maps a user BO to the CPU */
	TTM_USER_BO_LONGTERM = BIT(3),
};

/**
 * TTM_USER_BO_MAX_PAGES - the most pages one user BO may have
 *
 * What the snapshot's page array and a ttm_tt's pages[] and dma_address[]
 * can hold in one kvmalloc() (at most INT_MAX bytes): 2^27 - 1 pages on
 * 64-bit. ttm_user_bo_init() refuses larger ranges with -E2BIG.
 */
#define TTM_USER_BO_MAX_PAGES \
	((unsigned long)INT_MAX / (sizeof(struct page *) + sizeof(dma_addr_t)))

#define TTM_USER_BO_FLAGS_VALID \
	(TTM_USER_BO_READ_ONLY | TTM_USER_BO_PINNED | TTM_USER_BO_LONGTERM)

/**
 * struct ttm_user_bo_ops - driver hooks of a user BO
 * @invalidate: called by the notifier, with the notifier lock held for
 *	writing, after every fence of the BO's reservation object signaled
 *	and before the pages are DMA-unmapped, only if pages are mapped:
 *	stop the device from using the pages (zap GPU page-table entries,
 *	flush TLBs). It runs in reclaim context: it must not allocate memory,
 *	take a dma_resv or an mmap_lock, or wait for anything that does;
 *	locks it takes must be primed by the driver (see DOC: Locking). Not
 *	called for %TTM_USER_BO_PINNED BOs, nor for a non-blockable
 *	invalidation (refused while pages are mapped).
 * @release: called with the BO's reservation held (or, while TTM destroys
 *	a BO whose reservation object is shared, the BO's individual one),
 *	in process context, before the helper waits for the BO's fences and
 *	drops the committed pages (a commit of different pages, unpopulate of
 *	the BO's current tt, a direct call): unbind them from the device and
 *	drop kernel mappings of them. May sleep; may allocate unless the
 *	driver releases from its shrinker (i915 does), where it must only
 *	use what reclaim allows (GFP_NOWAIT, preallocated memory). Not called by
 *	ttm_user_bo_fini() (the driver has unbound the BO by then), nor when
 *	a pinned commit keeps the same pages.
 *
 * @invalidate and @release of one BO may run at the same time (an
 * invalidation does not take the reservation): @release must not assume
 * the pages are still mapped, @invalidate must not assume a binding the
 * release hook is tearing down is still there.
 *
 * Both are optional. Without @release the helper still never unmaps or
 * unpins pages a job in the reservation object may use: it waits first.
 */
struct ttm_user_bo_ops {
	void (*invalidate)(struct ttm_user_bo *ubo,
			   const struct mmu_notifier_range *range);
	void (*release)(struct ttm_user_bo *ubo);
};

/**
 * struct ttm_user_bo - a buffer object backed by a range of user memory
 * @notifier: the interval notifier over [@start, @start + @num_pages pages)
 * @udev: the helper device
 * @ops: driver hooks, may be NULL
 * @resv: the reservation object whose fences the notifier waits for
 * @start: user address of the range
 * @num_pages: number of pages
 * @flags: &enum ttm_user_bo_flags
 *
 * Drivers embed it in their BO. Every field is owned by the helper and
 * read-only for drivers; the private ones may change without notice: use
 * the functions below.
 */
struct ttm_user_bo {
	struct mmu_interval_notifier notifier;
	struct ttm_user_bo_device *udev;
	const struct ttm_user_bo_ops *ops;
	struct dma_resv *resv;
	unsigned long start;
	unsigned long num_pages;
	u32 flags;

	/* private: */
	/* the newest snapshot not yet committed (exchanged atomically) */
	struct ttm_user_bo_snapshot *pending;
	/*
	 * The committed pages: written under @resv and the notifier lock
	 * (read), cleared by the notifier (write) for @mapped and the tt.
	 */
	struct ttm_user_bo_snapshot *committed;
	unsigned long seq;
	struct ttm_refct_sgt *sgt;
	bool mapped;
	/* the tt the pages are published to; written under the notifier lock */
	struct ttm_tt *tt;
	bool tt_published;
};

/**
 * struct ttm_user_bo_info - what a user BO holds, for debugfs and tests
 * @committed_pages: pages of the committed snapshot, 0 if none
 * @seq: the interval-notifier sequence the pages were committed at
 * @valid: the committed pages are DMA-mapped and the range has not been
 *	invalidated since (what ttm_user_bo_submit_valid() answers now)
 * @sg_entries: DMA segments of the committed, mapped sg-table, 0 if none
 */
struct ttm_user_bo_info {
	unsigned long committed_pages;
	unsigned long seq;
	bool valid;
	unsigned int sg_entries;
};

#ifdef CONFIG_FAULT_INJECTION
/*
 * Fault injection for every allocation the helper makes (snapshot page
 * array, page-walk buffer, sg-table), exported for tests: set
 * current->fail_nth, or use the debugfs attribute that
 * ttm_user_bo_debugfs_init() creates.
 */
extern struct fault_attr ttm_user_bo_fail_alloc;
#endif

/* For KUnit tests only: see ttm_user_bo_commit_hook(), ttm_user_bo_walk_hook(). */
void ttm_user_bo_commit_hook(struct ttm_user_bo *ubo, struct ttm_refct_sgt *sgt);
void ttm_user_bo_walk_hook(struct ttm_user_bo *ubo);

void ttm_user_bo_device_init(struct ttm_user_bo_device *udev,
			     struct device *dma_dev);
void ttm_user_bo_debugfs_init(struct ttm_user_bo_device *udev,
			      struct dentry *root);

int ttm_user_bo_init(struct ttm_user_bo *ubo, struct ttm_user_bo_device *udev,
		     const struct ttm_user_bo_ops *ops, struct dma_resv *resv,
		     unsigned long start, unsigned long size, u32 flags);
void ttm_user_bo_fini(struct ttm_user_bo *ubo);

int ttm_user_bo_snapshot(struct ttm_user_bo *ubo);
int ttm_user_bo_commit(struct ttm_user_bo *ubo);
int ttm_user_bo_commit_interruptible(struct ttm_user_bo *ubo);
void ttm_user_bo_release_pages(struct ttm_user_bo *ubo);
struct ttm_refct_sgt *ttm_user_bo_get_sgt(struct ttm_user_bo *ubo);
void ttm_user_bo_get_info(struct ttm_user_bo *ubo,
			  struct ttm_user_bo_info *info);

void ttm_user_bo_submit_begin(struct ttm_user_bo_device *udev)
	__acquires(&udev->notifier_lock);
int ttm_user_bo_submit_begin_interruptible(struct ttm_user_bo_device *udev);
bool ttm_user_bo_submit_valid(struct ttm_user_bo *ubo);
void ttm_user_bo_submit_end(struct ttm_user_bo_device *udev)
	__releases(&udev->notifier_lock);

/**
 * ttm_user_bo_check_retry() - has the range been invalidated since commit?
 * @ubo: the user BO
 *
 * A lockless hint for early exits; only ttm_user_bo_submit_valid() under
 * the notifier lock decides.
 *
 * Return: true if the committed pages are stale.
 */
static inline bool ttm_user_bo_check_retry(struct ttm_user_bo *ubo)
{
	return mmu_interval_check_retry(&ubo->notifier, READ_ONCE(ubo->seq));
}

/**
 * struct ttm_user_tt - a ttm_tt whose pages come from a user BO
 * @ttm: the ttm_tt; TTM_TT_FLAG_EXTERNAL, with pages[] and dma_address[]
 * @ubo: the user BO filling it
 * @bo: the TTM BO it was created for; a tt that is no longer @bo's (TTM
 *	gave it to a ghost object) touches nothing of @ubo
 */
struct ttm_user_tt {
	struct ttm_tt ttm;
	struct ttm_user_bo *ubo;
	struct ttm_buffer_object *bo;
};

int ttm_user_tt_init(struct ttm_user_tt *utt, struct ttm_buffer_object *bo,
		     struct ttm_user_bo *ubo, u32 page_flags);
struct ttm_tt *ttm_user_tt_create(struct ttm_buffer_object *bo,
				  struct ttm_user_bo *ubo, u32 page_flags);
int ttm_user_tt_populate(struct ttm_device *bdev, struct ttm_tt *ttm,
			 struct ttm_operation_ctx *ctx);
void ttm_user_tt_unpopulate(struct ttm_device *bdev, struct ttm_tt *ttm);
void ttm_user_tt_fini(struct ttm_user_tt *utt);
void ttm_user_tt_destroy(struct ttm_device *bdev, struct ttm_tt *ttm);

/**
 * to_ttm_user_tt() - the &struct ttm_user_tt of a ttm_tt
 * @ttm: a ttm_tt initialised by ttm_user_tt_init()
 *
 * Return: the containing &struct ttm_user_tt.
 */
static inline struct ttm_user_tt *to_ttm_user_tt(struct ttm_tt *ttm)
{
	return container_of(ttm, struct ttm_user_tt, ttm);
}

#endif
