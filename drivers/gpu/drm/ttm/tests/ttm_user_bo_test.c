// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests for ttm_user_bo, on real user memory (kunit_vm_mmap()).
 */
#include <linux/anon_inodes.h>
#include <linux/dma-fence.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fault-inject.h>
#include <linux/highmem.h>
#include <linux/hmm.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/swiotlb.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <asm/tlb.h>

#include <kunit/static_stub.h>

#include <drm/drm_vma_manager.h>
#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_placement.h>
#include <drm/ttm/ttm_range_manager.h>
#include <drm/ttm/ttm_refct_sgt.h>
#include <drm/ttm/ttm_tt.h>
#include <drm/ttm/ttm_user_bo.h>

#include "ttm_kunit_helpers.h"

#define UB_PAGES 16

struct ub_priv {
	struct ttm_test_devices *devs;
	struct device *dev;
	struct device_dma_parameters dma_parms;
	u64 dma_mask;
	struct ttm_user_bo_device udev;
	struct dma_resv resv;
	struct ttm_user_bo ubo;
	bool ubo_live;

	/* what the invalidate and release hooks saw */
	atomic_t hook_calls;
	atomic_t release_calls;
	int last_event;
	bool fence_signaled_in_hook;
	struct dma_fence *fence;
	struct completion released;

	/* called by ub_hook_dma_ops when the helper DMA-unmaps */
	void (*unmap_hook)(struct ub_priv *priv);
	void *hook_data;
	enum dma_data_direction last_dir;
};

static struct ub_priv *ub(struct kunit *test)
{
	return test->priv;
}

/* --- fences ------------------------------------------------------------- */

static const char *ub_fence_name(struct dma_fence *f)
{
	return "ttm_user_bo_test";
}

static const struct dma_fence_ops ub_fence_ops = {
	.get_driver_name = ub_fence_name,
	.get_timeline_name = ub_fence_name,
};

static DEFINE_SPINLOCK(ub_fence_lock);

static struct dma_fence *ub_fence_create(struct kunit *test)
{
	struct dma_fence *f = kzalloc(sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	dma_fence_init(f, &ub_fence_ops, &ub_fence_lock,
		       dma_fence_context_alloc(1), 1);
	return f;
}

static void ub_add_fence(struct kunit *test, struct dma_resv *resv,
			 struct dma_fence *f)
{
	KUNIT_ASSERT_EQ(test, dma_resv_lock(resv, NULL), 0);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(resv, 1), 0);
	dma_resv_add_fence(resv, f, DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_unlock(resv);
}

/* --- user memory -------------------------------------------------------- */

static unsigned long ub_mmap(struct kunit *test, struct file *file,
			     unsigned long npages, unsigned long prot,
			     unsigned long flags)
{
	unsigned long addr;

	addr = kunit_vm_mmap(test, file, 0, npages << PAGE_SHIFT, prot,
			     flags, 0);
	KUNIT_ASSERT_NE(test, addr, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	return addr;
}

static unsigned long ub_anon(struct kunit *test, unsigned long npages)
{
	return ub_mmap(test, NULL, npages, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS);
}

/*
 * munmap() of a range of the test's mm from a worker, as another thread of
 * the process would do it; ub_munmap_wait() waits for it to return.
 */
struct ub_munmap {
	struct work_struct work;
	struct mm_struct *mm;
	unsigned long addr, size;
	int ret;
	struct completion done;
};

static void ub_munmap_fn(struct work_struct *work)
{
	struct ub_munmap *m = container_of(work, typeof(*m), work);

	kthread_use_mm(m->mm);
	m->ret = vm_munmap(m->addr, m->size);
	kthread_unuse_mm(m->mm);
	complete(&m->done);
}

static void ub_munmap_init(struct ub_munmap *m, unsigned long addr,
			   unsigned long npages)
{
	INIT_WORK_ONSTACK(&m->work, ub_munmap_fn);
	init_completion(&m->done);
	m->mm = current->mm;
	mmget(m->mm);
	m->addr = addr;
	m->size = npages << PAGE_SHIFT;
	m->ret = -EINPROGRESS;
}

static void ub_munmap_start(struct ub_munmap *m)
{
	queue_work(system_unbound_wq, &m->work);
}

static int ub_munmap_wait(struct ub_munmap *m)
{
	flush_work(&m->work);
	destroy_work_on_stack(&m->work);
	mmput(m->mm);
	return m->ret;
}

/* Does a task wait for @f? (dma_fence_wait() adds a callback.) */
static bool ub_fence_has_waiter(struct dma_fence *f)
{
	unsigned long flags;
	bool ret;

	spin_lock_irqsave(f->lock, flags);
	ret = !test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &f->flags) &&
		!list_empty(&f->cb_list);
	spin_unlock_irqrestore(f->lock, flags);
	return ret;
}

static u32 ub_word(unsigned long page, unsigned int word, u32 seed)
{
	return seed ^ (page << 12) ^ word;
}

static void ub_fill(struct kunit *test, unsigned long addr,
		    unsigned long npages, u32 seed)
{
	u32 *buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned long i;
	unsigned int w;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < npages; i++) {
		for (w = 0; w < PAGE_SIZE / sizeof(u32); w++)
			buf[w] = ub_word(i, w, seed);
		KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)(addr + (i << PAGE_SHIFT)),
						   buf, PAGE_SIZE), 0);
	}
	kunit_kfree(test, buf);
}

/* Every page of @sgt holds what ub_fill(@seed) wrote. */
static void ub_check_sgt(struct kunit *test, struct sg_table *sgt,
			 unsigned long npages, u32 seed)
{
	struct sg_page_iter iter;
	unsigned long i = 0, bad = 0;

	for_each_sgtable_page(sgt, &iter, 0) {
		u32 *p = kmap_local_page(sg_page_iter_page(&iter));
		unsigned int w;

		for (w = 0; w < PAGE_SIZE / sizeof(u32); w++)
			bad += p[w] != ub_word(i, w, seed);
		kunmap_local(p);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, npages);
	KUNIT_EXPECT_EQ(test, bad, 0);
}

static unsigned long ub_dma_bytes(struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned long bytes = 0;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i)
		bytes += sg_dma_len(sg);
	return bytes;
}

/* --- helper wrappers ----------------------------------------------------- */

static void ub_hook_invalidate(struct ttm_user_bo *ubo,
			       const struct mmu_notifier_range *range)
{
	struct ub_priv *priv = container_of(ubo, struct ub_priv, ubo);

	atomic_inc(&priv->hook_calls);
	priv->last_event = range->event;
	if (priv->fence)
		priv->fence_signaled_in_hook = dma_fence_is_signaled(priv->fence);
	if (range->event == MMU_NOTIFY_RELEASE)
		complete(&priv->released);
}

static void ub_hook_release(struct ttm_user_bo *ubo)
{
	struct ub_priv *priv = container_of(ubo, struct ub_priv, ubo);

	dma_resv_assert_held(ubo->resv);
	atomic_inc(&priv->release_calls);
}

static const struct ttm_user_bo_ops ub_ops = {
	.invalidate = ub_hook_invalidate,
	.release = ub_hook_release,
};

static int ub_init(struct kunit *test, unsigned long addr, unsigned long npages,
		   u32 flags)
{
	struct ub_priv *priv = ub(test);
	int ret;

	ret = ttm_user_bo_init(&priv->ubo, &priv->udev, &ub_ops, &priv->resv,
			       addr, npages << PAGE_SHIFT, flags);
	priv->ubo_live = !ret;
	return ret;
}

static void ub_fini(struct kunit *test)
{
	struct ub_priv *priv = ub(test);

	if (priv->ubo_live)
		ttm_user_bo_fini(&priv->ubo);
	priv->ubo_live = false;
}

static int ub_commit(struct ttm_user_bo *ubo)
{
	int ret;

	dma_resv_lock(ubo->resv, NULL);
	ret = ttm_user_bo_commit(ubo);
	dma_resv_unlock(ubo->resv);
	return ret;
}

static int ub_snap_commit(struct ttm_user_bo *ubo)
{
	int ret = ttm_user_bo_snapshot(ubo);

	return ret ?: ub_commit(ubo);
}

/* The submission critical section, as a driver runs it. */
static bool ub_valid(struct ttm_user_bo *ubo)
{
	bool valid;

	dma_resv_lock(ubo->resv, NULL);
	ttm_user_bo_submit_begin(ubo->udev);
	valid = ttm_user_bo_submit_valid(ubo);
	ttm_user_bo_submit_end(ubo->udev);
	dma_resv_unlock(ubo->resv);
	return valid;
}

static struct ttm_refct_sgt *ub_get_sgt(struct kunit *test,
					struct ttm_user_bo *ubo)
{
	struct ttm_refct_sgt *sgt;

	dma_resv_lock(ubo->resv, NULL);
	sgt = ttm_user_bo_get_sgt(ubo);
	dma_resv_unlock(ubo->resv);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	return sgt;
}

/* Write ub_fill(@seed) to @addr, register the BO over it and commit it. */
static void ub_fill_commit(struct kunit *test, unsigned long addr,
			   unsigned long npages, u32 seed, u32 flags)
{
	ub_fill(test, addr, npages, seed);
	KUNIT_ASSERT_EQ(test, ub_init(test, addr, npages, flags), 0);
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&ub(test)->ubo), 0);
}

/* The committed sg-table of @ubo holds what ub_fill(@seed) wrote. */
static void ub_expect_pages(struct kunit *test, struct ttm_user_bo *ubo,
			    unsigned long npages, u32 seed)
{
	struct ttm_refct_sgt *sgt = ub_get_sgt(test, ubo);

	ub_check_sgt(test, &sgt->table, npages, seed);
	ttm_refct_sgt_put(sgt);
}

/* Every committed page is the page the range maps now. */
static void ub_expect_current(struct kunit *test, struct ttm_user_bo *ubo)
{
	struct ttm_refct_sgt *sgt = ub_get_sgt(test, ubo);
	struct sg_page_iter iter;
	unsigned long i = 0, other = 0;

	for_each_sgtable_page(&sgt->table, &iter, 0) {
		struct page *page;

		KUNIT_ASSERT_EQ(test, get_user_pages_fast(ubo->start + (i << PAGE_SHIFT),
							  1, 0, &page), 1);
		other += page != sg_page_iter_page(&iter);
		put_page(page);
		i++;
	}
	ttm_refct_sgt_put(sgt);
	KUNIT_EXPECT_EQ(test, i, ubo->num_pages);
	KUNIT_EXPECT_EQ(test, other, 0);
}

static long ub_stat(atomic_long_t *s)
{
	return atomic_long_read(s);
}

static void ub_set_max_seg(struct kunit *test, unsigned int size)
{
	struct ub_priv *priv = ub(test);

	dma_set_max_seg_size(priv->dev, size);
	ttm_user_bo_device_init(&priv->udev, priv->dev);
}

static int ub_test_init(struct kunit *test)
{
	struct ub_priv *priv;

	priv = kunit_kzalloc(test, sizeof(*priv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, priv);
	test->priv = priv;

	priv->devs = ttm_test_devices_basic(test);
	priv->dev = priv->devs->dev;
	priv->dma_mask = DMA_BIT_MASK(64);
	priv->dev->dma_mask = &priv->dma_mask;
	priv->dev->coherent_dma_mask = DMA_BIT_MASK(64);
	priv->dev->dma_parms = &priv->dma_parms;

	ttm_user_bo_device_init(&priv->udev, priv->dev);
	dma_resv_init(&priv->resv);
	init_completion(&priv->released);
	return 0;
}

static void ub_test_exit(struct kunit *test)
{
	struct ub_priv *priv = ub(test);

	/* A hook's data may have lived on the test's stack. */
	priv->unmap_hook = NULL;
	/* Runs after the test thread and its mm are gone: teardown w/o mm. */
	ub_fini(test);
	dma_resv_fini(&priv->resv);
	if (priv->fence) {
		dma_fence_signal(priv->fence);
		dma_fence_put(priv->fence);
	}
	priv->dev->dma_parms = NULL;
	ttm_test_devices_put(test, priv->devs);
}

/* --- cases: the core, with a device and a dma_resv only ------------------- */

static void ttm_user_bo_contents(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ttm_refct_sgt *sgt;

	ub_fill(test, addr, UB_PAGES, 0x5a5a0000);
	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES, 0), 0);
	KUNIT_EXPECT_FALSE(test, ub_valid(&priv->ubo));

	KUNIT_ASSERT_EQ(test, ttm_user_bo_snapshot(&priv->ubo), 0);
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.snapshots), 1);
	/* A snapshot alone publishes nothing. */
	KUNIT_EXPECT_FALSE(test, ub_valid(&priv->ubo));
	KUNIT_ASSERT_EQ(test, ub_commit(&priv->ubo), 0);
	KUNIT_EXPECT_TRUE(test, ub_valid(&priv->ubo));
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.commits), 1);
	KUNIT_EXPECT_FALSE(test, mmu_interval_read_retry(&priv->ubo.notifier,
							 priv->ubo.seq));

	sgt = ub_get_sgt(test, &priv->ubo);
	KUNIT_EXPECT_EQ(test, sgt->size, UB_PAGES * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, ub_dma_bytes(&sgt->table), UB_PAGES * PAGE_SIZE);
	ub_check_sgt(test, &sgt->table, UB_PAGES, 0x5a5a0000);
	ttm_refct_sgt_put(sgt);

	/* Nothing changed: the next snapshot takes the fast path. */
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.snapshots), 1);
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.fast_paths), 1);
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.commits), 1);

	/* Teardown with a live mm. */
	ub_fini(test);
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->hook_calls), 0);
}

static void ttm_user_bo_multi_vma(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	unsigned long half = UB_PAGES / 2;
	struct file *file;
	unsigned long ret;

	/* Second half: a shmem mapping of its own, so two VMAs. */
	file = shmem_file_setup("ttm_user_bo_test", half << PAGE_SHIFT, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	ret = vm_mmap(file, addr + (half << PAGE_SHIFT), half << PAGE_SHIFT,
		      PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, 0);
	fput(file);
	KUNIT_ASSERT_EQ(test, ret, addr + (half << PAGE_SHIFT));

	mmap_read_lock(current->mm);
	KUNIT_EXPECT_PTR_NE(test, find_vma(current->mm, addr),
			    find_vma(current->mm, addr + (half << PAGE_SHIFT)));
	mmap_read_unlock(current->mm);

	ub_fill_commit(test, addr, UB_PAGES, 0x11110000, 0);
	ub_expect_pages(test, &priv->ubo, UB_PAGES, 0x11110000);
}

static void ttm_user_bo_hole(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);

	KUNIT_ASSERT_EQ(test, vm_munmap(addr + 4 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES, 0), 0);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_snapshot(&priv->ubo), -EFAULT);
	KUNIT_EXPECT_EQ(test, ub_commit(&priv->ubo), -EAGAIN);
	KUNIT_EXPECT_NULL(test, priv->ubo.pending);
	KUNIT_EXPECT_FALSE(test, ub_valid(&priv->ubo));
}

static void ttm_user_bo_prot_none(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_mmap(test, NULL, UB_PAGES, PROT_NONE,
				     MAP_PRIVATE | MAP_ANONYMOUS);

	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES, 0), 0);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_snapshot(&priv->ubo), -EFAULT);
	ub_fini(test);
	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES, TTM_USER_BO_READ_ONLY), 0);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_snapshot(&priv->ubo), -EFAULT);
}

static void ttm_user_bo_read_only(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long rw, ro;
	struct file *file;

	/* One shmem object, written through a writable mapping ... */
	file = shmem_file_setup("ttm_user_bo_test", UB_PAGES << PAGE_SHIFT, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	rw = ub_mmap(test, file, UB_PAGES, PROT_READ | PROT_WRITE, MAP_SHARED);
	ro = ub_mmap(test, file, UB_PAGES, PROT_READ, MAP_SHARED);
	fput(file);
	ub_fill(test, rw, UB_PAGES, 0x0e0e0000);

	/* ... seen through a read-only one: writable BO refused ... */
	KUNIT_ASSERT_EQ(test, ub_init(test, ro, UB_PAGES, 0), 0);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_snapshot(&priv->ubo), -EPERM);
	ub_fini(test);

	/* ... a read-only BO sees the data. */
	KUNIT_ASSERT_EQ(test, ub_init(test, ro, UB_PAGES, TTM_USER_BO_READ_ONLY), 0);
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	ub_expect_pages(test, &priv->ubo, UB_PAGES, 0x0e0e0000);
}

static void ttm_user_bo_bad_args(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	struct ttm_user_bo *ubo = &priv->ubo;
	unsigned long addr;

	/* The test thread has no mm until it maps something. */
	KUNIT_EXPECT_NULL(test, current->mm);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_init(ubo, &priv->udev, NULL, &priv->resv,
					       0x100000, PAGE_SIZE, 0), -ESRCH);

	addr = ub_anon(test, UB_PAGES);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_init(ubo, &priv->udev, NULL, &priv->resv,
					       addr, PAGE_SIZE, BIT(31)), -EINVAL);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_init(ubo, &priv->udev, NULL, &priv->resv,
					       addr, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_init(ubo, &priv->udev, NULL, &priv->resv,
					       addr + 8, PAGE_SIZE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_init(ubo, &priv->udev, NULL, &priv->resv,
					       addr, PAGE_SIZE + 8, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_init(ubo, &priv->udev, NULL, &priv->resv,
					       PAGE_MASK, 2 * PAGE_SIZE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_init(ubo, &priv->udev, NULL, &priv->resv,
					       PAGE_SIZE, (U32_MAX + 1UL) << PAGE_SHIFT, 0),
			-E2BIG);
	/* more than a snapshot or a tt can hold in one kvmalloc() */
	KUNIT_EXPECT_EQ(test, ttm_user_bo_init(ubo, &priv->udev, NULL, &priv->resv,
					       addr, (TTM_USER_BO_MAX_PAGES + 1) << PAGE_SHIFT,
					       0), -E2BIG);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_init(ubo, &priv->udev, NULL, &priv->resv,
					       0, PAGE_SIZE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_init(ubo, &priv->udev, NULL, &priv->resv,
					       TASK_SIZE_MAX, PAGE_SIZE, 0), -EFAULT);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_init(ubo, &priv->udev, NULL, &priv->resv,
					       TASK_SIZE_MAX - PAGE_SIZE,
					       2 * PAGE_SIZE, 0), -EFAULT);
	/* None of them registered a notifier. */
	KUNIT_EXPECT_NULL(test, ubo->notifier.mm);

	/* The largest size is accepted (nothing needs to be mapped yet). */
	KUNIT_EXPECT_EQ(test, ub_init(test, SZ_1G, TTM_USER_BO_MAX_PAGES, 0), 0);
}

struct ub_snap_work {
	struct work_struct work;
	struct ttm_user_bo *ubo;
	struct mm_struct *mm;	/* run in this mm, if set */
	int ret;
};

static void ub_snap_fn(struct work_struct *work)
{
	struct ub_snap_work *w = container_of(work, typeof(*w), work);

	if (w->mm)
		kthread_use_mm(w->mm);
	w->ret = ttm_user_bo_snapshot(w->ubo);
	if (w->mm)
		kthread_unuse_mm(w->mm);
}

static int ub_snapshot_from(struct ttm_user_bo *ubo, struct mm_struct *mm)
{
	struct ub_snap_work w = { .ubo = ubo, .mm = mm, .ret = -EINPROGRESS };

	INIT_WORK_ONSTACK(&w.work, ub_snap_fn);
	queue_work(system_unbound_wq, &w.work);
	flush_work(&w.work);
	destroy_work_on_stack(&w.work);
	return w.ret;
}

/*
 * A snapshot taken by a kernel thread with no mm, or by a task in another
 * mm, works on the BO's mm.
 */
static void ttm_user_bo_foreign_snapshot(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct mm_struct *other;

	ub_fill(test, addr, UB_PAGES, 0x6e6e);
	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES, 0), 0);
	KUNIT_ASSERT_EQ(test, ub_snapshot_from(&priv->ubo, NULL), 0);
	KUNIT_ASSERT_EQ(test, ub_commit(&priv->ubo), 0);
	ub_expect_pages(test, &priv->ubo, UB_PAGES, 0x6e6e);

	/* new pages; then from another process's mm, where nothing is mapped */
	other = mm_alloc();
	KUNIT_ASSERT_NOT_NULL(test, other);
	KUNIT_ASSERT_EQ(test, vm_mmap(NULL, addr, UB_PAGES << PAGE_SHIFT,
				      PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0), addr);
	ub_fill(test, addr, UB_PAGES, 0x7f7f);
	KUNIT_EXPECT_EQ(test, ub_snapshot_from(&priv->ubo, other), 0);
	mmput(other);
	KUNIT_ASSERT_EQ(test, ub_commit(&priv->ubo), 0);
	ub_expect_pages(test, &priv->ubo, UB_PAGES, 0x7f7f);
}

static void ttm_user_bo_tt_size_mismatch(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ttm_buffer_object *bo;
	struct ttm_user_tt *utt;

	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES / 2, 0), 0);
	bo = kunit_kzalloc(test, sizeof(*bo), GFP_KERNEL);
	utt = kunit_kzalloc(test, sizeof(*utt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bo);
	KUNIT_ASSERT_NOT_NULL(test, utt);
	bo->base.size = UB_PAGES << PAGE_SHIFT;

	/* a tt must describe exactly the user range */
	dma_resv_lock(&priv->resv, NULL);
	KUNIT_EXPECT_EQ(test, ttm_user_tt_init(utt, bo, &priv->ubo, 0), -EINVAL);
	KUNIT_EXPECT_NULL(test, priv->ubo.tt);
	KUNIT_EXPECT_NULL(test, utt->ttm.pages);
	KUNIT_EXPECT_NULL(test, ttm_user_tt_create(bo, &priv->ubo, 0));
	dma_resv_unlock(&priv->resv);
}

/* A fatal signal stops a snapshot, of either policy, with -EINTR. */
static void ttm_user_bo_fatal_signal(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	u32 flags[] = { 0, TTM_USER_BO_PINNED };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES, flags[i]), 0);

		/* kthreads ignore signals unless they allow them */
		allow_signal(SIGKILL);
		send_sig(SIGKILL, current, 1);
		KUNIT_EXPECT_TRUE(test, fatal_signal_pending(current));
		KUNIT_EXPECT_EQ(test, ttm_user_bo_snapshot(&priv->ubo), -EINTR);
		flush_signals(current);
		disallow_signal(SIGKILL);

		KUNIT_EXPECT_NULL(test, priv->ubo.pending);
		KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.snapshots), i);
		/* nothing left behind: the next snapshot works */
		KUNIT_EXPECT_EQ(test, ub_snap_commit(&priv->ubo), 0);
		KUNIT_EXPECT_TRUE(test, ub_valid(&priv->ubo));
		ub_fini(test);
	}
}

/* munmap: sequence moves, commit and submission refuse, next snapshot fails */
static void ttm_user_bo_munmap(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	unsigned long seq;

	ub_fill_commit(test, addr, UB_PAGES, 1, 0);
	seq = priv->ubo.seq;

	KUNIT_ASSERT_EQ(test, vm_munmap(addr, UB_PAGES << PAGE_SHIFT), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->hook_calls), 1);
	KUNIT_EXPECT_EQ(test, priv->last_event, MMU_NOTIFY_UNMAP);
	KUNIT_EXPECT_TRUE(test, mmu_interval_read_retry(&priv->ubo.notifier, seq));
	KUNIT_EXPECT_TRUE(test, ttm_user_bo_check_retry(&priv->ubo));
	KUNIT_EXPECT_FALSE(test, priv->ubo.mapped);
	KUNIT_EXPECT_FALSE(test, ub_valid(&priv->ubo));

	KUNIT_EXPECT_EQ(test, ub_commit(&priv->ubo), -EAGAIN);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_snapshot(&priv->ubo), -EFAULT);
	KUNIT_EXPECT_EQ(test, ub_commit(&priv->ubo), -EAGAIN);
}

/* ttm_user_bo_get_info() follows the commit and the invalidation. */
static void ttm_user_bo_info(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ttm_user_bo_info info;

	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES, 0), 0);
	dma_resv_lock(priv->ubo.resv, NULL);
	ttm_user_bo_get_info(&priv->ubo, &info);
	dma_resv_unlock(priv->ubo.resv);
	KUNIT_EXPECT_EQ(test, info.committed_pages, 0);
	KUNIT_EXPECT_FALSE(test, info.valid);
	KUNIT_EXPECT_EQ(test, info.sg_entries, 0);

	ub_fill(test, addr, UB_PAGES, 0x1f0);
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	dma_resv_lock(priv->ubo.resv, NULL);
	ttm_user_bo_get_info(&priv->ubo, &info);
	dma_resv_unlock(priv->ubo.resv);
	KUNIT_EXPECT_EQ(test, info.committed_pages, UB_PAGES);
	KUNIT_EXPECT_EQ(test, info.seq, priv->ubo.seq);
	KUNIT_EXPECT_TRUE(test, info.valid);
	KUNIT_EXPECT_GE(test, info.sg_entries, 1);
	KUNIT_EXPECT_LE(test, info.sg_entries, UB_PAGES);

	KUNIT_ASSERT_EQ(test, vm_munmap(addr, UB_PAGES << PAGE_SHIFT), 0);
	dma_resv_lock(priv->ubo.resv, NULL);
	ttm_user_bo_get_info(&priv->ubo, &info);
	dma_resv_unlock(priv->ubo.resv);
	KUNIT_EXPECT_FALSE(test, info.valid);
	KUNIT_EXPECT_EQ(test, info.sg_entries, 0);
}

/* A snapshot invalidated before its commit is refused, not published. */
static void ttm_user_bo_stale_snapshot(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);

	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES, 0), 0);
	KUNIT_ASSERT_EQ(test, ttm_user_bo_snapshot(&priv->ubo), 0);
	KUNIT_EXPECT_NOT_NULL(test, priv->ubo.pending);

	KUNIT_ASSERT_EQ(test, vm_munmap(addr, UB_PAGES << PAGE_SHIFT), 0);
	/* nothing was committed: the hook has nothing to stop */
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->hook_calls), 0);
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.invalidations), 1);

	KUNIT_EXPECT_EQ(test, ub_commit(&priv->ubo), -EAGAIN);
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.stale_commits), 1);
	KUNIT_EXPECT_NULL(test, priv->ubo.pending);
	KUNIT_EXPECT_NULL(test, priv->ubo.committed);
	KUNIT_EXPECT_FALSE(test, ub_valid(&priv->ubo));
}

/* A new mapping at the same address: the next snapshot sees the new pages. */
static void ttm_user_bo_remap(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	unsigned long ret;

	ub_fill_commit(test, addr, UB_PAGES, 0xaaaa0000, 0);

	ret = vm_mmap(NULL, addr, UB_PAGES << PAGE_SHIFT, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	KUNIT_ASSERT_EQ(test, ret, addr);
	KUNIT_EXPECT_FALSE(test, ub_valid(&priv->ubo));
	ub_fill(test, addr, UB_PAGES, 0xbbbb0000);

	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	KUNIT_EXPECT_TRUE(test, ub_valid(&priv->ubo));
	ub_expect_pages(test, &priv->ubo, UB_PAGES, 0xbbbb0000);
}

static void ttm_user_bo_madv_dontneed(struct kunit *test)
{
#if IS_BUILTIN(CONFIG_DRM_TTM_KUNIT_TEST) && IS_ENABLED(CONFIG_ADVISE_SYSCALLS)
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ttm_refct_sgt *sgt;

	ub_fill_commit(test, addr, UB_PAGES, 0xcccc0000, 0);

	KUNIT_ASSERT_EQ(test, do_madvise(current->mm, addr, UB_PAGES << PAGE_SHIFT,
					 MADV_DONTNEED), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->hook_calls), 1);
	KUNIT_EXPECT_EQ(test, priv->last_event, MMU_NOTIFY_CLEAR);
	KUNIT_EXPECT_FALSE(test, ub_valid(&priv->ubo));
	KUNIT_EXPECT_EQ(test, ub_commit(&priv->ubo), -EAGAIN);

	/* Private anonymous memory reads back as zeroes after DONTNEED. */
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	sgt = ub_get_sgt(test, &priv->ubo);
	{
		struct sg_page_iter iter;
		unsigned long nonzero = 0;

		for_each_sgtable_page(&sgt->table, &iter, 0) {
			u8 *p = kmap_local_page(sg_page_iter_page(&iter));

			nonzero += !!memchr_inv(p, 0, PAGE_SIZE);
			kunmap_local(p);
		}
		KUNIT_EXPECT_EQ(test, nonzero, 0);
	}
	ttm_refct_sgt_put(sgt);
#else
	kunit_skip(test, "do_madvise() needs the test built in and ADVISE_SYSCALLS");
#endif
}

#if IS_BUILTIN(CONFIG_DRM_TTM_KUNIT_TEST)
/* mprotect(2) on one whole VMA, as do_mprotect_pkey() does it. */
static int ub_mprotect_vma(unsigned long start, unsigned long end,
			   unsigned long prot_flags)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma, *prev;
	struct mmu_gather tlb;
	int ret = -EINVAL;

	VMA_ITERATOR(vmi, mm, start);

	mmap_write_lock(mm);
	vma = vma_find(&vmi, end);
	if (!vma || vma->vm_start != start || vma->vm_end != end)
		goto out;
	prev = vma_prev(&vmi);
	vma = vma_find(&vmi, end);
	tlb_gather_mmu(&tlb, mm);
	ret = mprotect_fixup(&vmi, &tlb, vma, &prev, start, end,
			     (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC)) |
			     prot_flags);
	tlb_finish_mmu(&tlb);
out:
	mmap_write_unlock(mm);
	return ret;
}
#endif

static void ttm_user_bo_mprotect(struct kunit *test)
{
#if IS_BUILTIN(CONFIG_DRM_TTM_KUNIT_TEST)
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	unsigned long end = addr + (UB_PAGES << PAGE_SHIFT);

	ub_fill_commit(test, addr, UB_PAGES, 0xdddd0000, 0);

	KUNIT_ASSERT_EQ(test, ub_mprotect_vma(addr, end, VM_READ), 0);
	KUNIT_EXPECT_GE(test, atomic_read(&priv->hook_calls), 1);
	KUNIT_EXPECT_EQ(test, priv->last_event, MMU_NOTIFY_PROTECTION_VMA);
	KUNIT_EXPECT_FALSE(test, ub_valid(&priv->ubo));
	KUNIT_EXPECT_EQ(test, ub_commit(&priv->ubo), -EAGAIN);
	/* Now read-only: a writable BO cannot snapshot it ... */
	KUNIT_EXPECT_EQ(test, ttm_user_bo_snapshot(&priv->ubo), -EPERM);

	/* ... until it is writable again; the data is still there. */
	KUNIT_ASSERT_EQ(test, ub_mprotect_vma(addr, end, VM_READ | VM_WRITE), 0);
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	ub_expect_pages(test, &priv->ubo, UB_PAGES, 0xdddd0000);
#else
	kunit_skip(test, "mprotect_fixup() is reachable only when built in");
#endif
}

/* --- mm exit while the BO lives --------------------------------------- */

struct ub_exit_ctx {
	struct kunit *test;
	int ret;
	struct completion done;
};

static int ub_exit_thread(void *data)
{
	struct ub_exit_ctx *ctx = data;
	struct kunit *test = ctx->test;
	struct ub_priv *priv = ub(test);
	unsigned long addr;

	/* kunit_vm_mmap() gives this thread an mm of its own. */
	addr = kunit_vm_mmap(test, NULL, 0, UB_PAGES << PAGE_SHIFT,
			     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	ctx->ret = -ENOMEM;
	if (addr && !IS_ERR_VALUE(addr))
		ctx->ret = ub_init(test, addr, UB_PAGES, 0);
	if (!ctx->ret)
		ctx->ret = ub_snap_commit(&priv->ubo);
	complete(&ctx->done);
	return 0;	/* exiting drops the mm: MMU_NOTIFY_RELEASE */
}

static void ttm_user_bo_mm_exit(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	struct ub_exit_ctx ctx = { .test = test };
	struct task_struct *t;

	init_completion(&ctx.done);
	t = kthread_run(ub_exit_thread, &ctx, "ttm_user_bo_exit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wait_for_completion(&ctx.done);
	KUNIT_ASSERT_EQ(test, ctx.ret, 0);

	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&priv->released, 10 * HZ), 0);
	KUNIT_EXPECT_EQ(test, priv->last_event, MMU_NOTIFY_RELEASE);
	/*
	 * The hook ran inside the notifier, which may still be unmapping:
	 * ub_valid() takes the notifier lock, so it returns after it is done.
	 */
	KUNIT_EXPECT_FALSE(test, ub_valid(&priv->ubo));
	KUNIT_EXPECT_FALSE(test, priv->ubo.mapped);
	/* The mm is gone: snapshots fail cleanly, commits have nothing. */
	KUNIT_EXPECT_EQ(test, ttm_user_bo_snapshot(&priv->ubo), -ESRCH);
	KUNIT_EXPECT_EQ(test, ub_commit(&priv->ubo), -EAGAIN);
	/* Teardown without a live mm. */
	ub_fini(test);
}

/* --- sg-tables ----------------------------------------------------------- */

/* An aligned range of @npages backed by transparent huge pages. */
static unsigned long ub_thp(struct kunit *test, unsigned long npages, u32 seed)
{
	unsigned long addr = ub_anon(test, npages + (SZ_2M >> PAGE_SHIFT));
	struct page *page;
	bool large;

	addr = ALIGN(addr, SZ_2M);
	ub_fill(test, addr, npages, seed);
	KUNIT_ASSERT_EQ(test, get_user_pages_fast(addr, 1, 0, &page), 1);
	large = folio_test_large(page_folio(page));
	put_page(page);
	/* THP disabled or no huge page available: not the helper's failure */
	if (!large)
		kunit_skip(test, "no transparent huge page at %#lx", addr);
	return addr;
}

static void ttm_user_bo_thp(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long npages = SZ_4M >> PAGE_SHIFT;
	struct ttm_refct_sgt *sgt;
	unsigned long addr;

	ub_set_max_seg(test, UINT_MAX & PAGE_MASK);
	addr = ub_thp(test, npages, 0x7777);
	KUNIT_ASSERT_EQ(test, ub_init(test, addr, npages, 0), 0);
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	sgt = ub_get_sgt(test, &priv->ubo);
	/* at most one entry per 2 MiB */
	KUNIT_EXPECT_LE(test, sgt->table.orig_nents, SZ_4M / SZ_2M);
	KUNIT_EXPECT_LE(test, sgt->table.nents, SZ_4M / SZ_2M);
	KUNIT_EXPECT_EQ(test, ub_dma_bytes(&sgt->table), SZ_4M);
	ub_check_sgt(test, &sgt->table, npages, 0x7777);
	ttm_refct_sgt_put(sgt);
}

static void ttm_user_bo_max_segment(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long npages = SZ_2M >> PAGE_SHIFT;
	struct ttm_refct_sgt *sgt;
	struct scatterlist *sg;
	unsigned long addr, too_long = 0;
	unsigned int i;

	ub_set_max_seg(test, 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, priv->udev.max_segment, 2 * PAGE_SIZE);
	addr = ub_thp(test, npages, 0x8888);
	KUNIT_ASSERT_EQ(test, ub_init(test, addr, npages, 0), 0);
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	sgt = ub_get_sgt(test, &priv->ubo);
	/* physically contiguous, so exactly size / max_segment entries */
	KUNIT_EXPECT_EQ(test, sgt->table.orig_nents, npages / 2);
	for_each_sgtable_sg(&sgt->table, sg, i)
		too_long += sg->length > 2 * PAGE_SIZE;
	for_each_sgtable_dma_sg(&sgt->table, sg, i)
		too_long += sg_dma_len(sg) > 2 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, too_long, 0);
	ub_check_sgt(test, &sgt->table, npages, 0x8888);
	ttm_refct_sgt_put(sgt);
}

#ifdef CONFIG_ARCH_HAS_DMA_OPS
/*
 * A device whose DMA mapping refuses any segment longer than a page, as a
 * device behind a broken IOMMU path might: the helper must retry with
 * PAGE_SIZE segments.
 */
static atomic_t ub_map_calls, ub_map_refused;

static int ub_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
		     enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *sg;
	int i;

	atomic_inc(&ub_map_calls);
	for_each_sg(sgl, sg, nents, i) {
		if (sg->length > PAGE_SIZE) {
			atomic_inc(&ub_map_refused);
			return -EIO;
		}
		sg->dma_address = sg_phys(sg);
		sg_dma_len(sg) = sg->length;
	}
	return nents;
}

static void ub_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
			enum dma_data_direction dir, unsigned long attrs)
{
}

static const struct dma_map_ops ub_page_only_dma_ops = {
	.map_sg = ub_map_sg,
	.unmap_sg = ub_unmap_sg,
};
#endif

static void ttm_user_bo_map_fallback(struct kunit *test)
{
#ifdef CONFIG_ARCH_HAS_DMA_OPS
	struct ub_priv *priv = ub(test);
	unsigned long npages = SZ_2M >> PAGE_SHIFT;
	struct ttm_refct_sgt *sgt;
	struct scatterlist *sg;
	unsigned long addr, too_long = 0;
	unsigned int i;

	atomic_set(&ub_map_calls, 0);
	atomic_set(&ub_map_refused, 0);
	set_dma_ops(priv->dev, &ub_page_only_dma_ops);
	ub_set_max_seg(test, SZ_64K);
	addr = ub_thp(test, npages, 0x2424);	/* contiguous: 64K segments */
	KUNIT_ASSERT_EQ(test, ub_init(test, addr, npages, 0), 0);
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	/* refused once with 64K segments, mapped with 4K ones */
	KUNIT_EXPECT_EQ(test, atomic_read(&ub_map_calls), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&ub_map_refused), 1);
	KUNIT_EXPECT_TRUE(test, ub_valid(&priv->ubo));

	sgt = ub_get_sgt(test, &priv->ubo);
	KUNIT_EXPECT_EQ(test, sgt->table.orig_nents, npages);
	for_each_sgtable_dma_sg(&sgt->table, sg, i)
		too_long += sg_dma_len(sg) > PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, too_long, 0);
	ub_check_sgt(test, &sgt->table, npages, 0x2424);
	ttm_refct_sgt_put(sgt);

	ub_fini(test);
	set_dma_ops(priv->dev, NULL);
#else
	kunit_skip(test, "needs CONFIG_ARCH_HAS_DMA_OPS");
#endif
}

#ifdef CONFIG_ARCH_HAS_DMA_OPS
/*
 * A device with identity DMA mappings whose unmap calls the running test's
 * unmap_hook, to act at the moment the helper DMA-unmaps.
 */
static struct ub_priv *ub_hook_priv;

static int ub_ident_map_sg(struct device *dev, struct scatterlist *sgl,
			   int nents, enum dma_data_direction dir,
			   unsigned long attrs)
{
	struct scatterlist *sg;
	int i;

	if (ub_hook_priv)
		ub_hook_priv->last_dir = dir;

	for_each_sg(sgl, sg, nents, i) {
		sg->dma_address = sg_phys(sg);
		sg_dma_len(sg) = sg->length;
	}
	return nents;
}

static void ub_hook_unmap_sg(struct device *dev, struct scatterlist *sgl,
			     int nents, enum dma_data_direction dir,
			     unsigned long attrs)
{
	struct ub_priv *priv = ub_hook_priv;

	if (priv && priv->unmap_hook)
		priv->unmap_hook(priv);
}

static const struct dma_map_ops ub_hook_dma_ops = {
	.map_sg = ub_ident_map_sg,
	.unmap_sg = ub_hook_unmap_sg,
};

static void ub_use_hook_dma_ops(struct kunit *test)
{
	struct ub_priv *priv = ub(test);

	ub_hook_priv = priv;
	set_dma_ops(priv->dev, &ub_hook_dma_ops);
}

static void ub_drop_hook_dma_ops(struct kunit *test)
{
	struct ub_priv *priv = ub(test);

	priv->unmap_hook = NULL;
	set_dma_ops(priv->dev, NULL);
	ub_hook_priv = NULL;
}

/*
 * While the helper unmaps in fini, another thread munmaps the range: the
 * munmap must wait in the notifier (the helper holds the notifier lock)
 * rather than free the pages under the helper.
 */
struct ub_fini_race {
	struct ub_munmap munmap;
	bool started;
	bool munmap_won;
};

static void ub_fini_race_hook(struct ub_priv *priv)
{
	struct ub_fini_race *r = priv->hook_data;

	if (r->started)
		return;
	r->started = true;
	ub_munmap_start(&r->munmap);
	/* observed, not timed: the munmap returns, or waits for the helper */
	while (!completion_done(&r->munmap.done) &&
	       !rwsem_is_contended(&priv->udev.notifier_lock))
		cond_resched();
	r->munmap_won = completion_done(&r->munmap.done);
}
#endif

/* A table the notifier has unmapped is not handed out. */
static void ttm_user_bo_get_sgt_stale(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ttm_refct_sgt *sgt;

	ub_fill_commit(test, addr, UB_PAGES, 0x3d3d, 0);
	KUNIT_ASSERT_EQ(test, vm_munmap(addr, UB_PAGES << PAGE_SHIFT), 0);
	KUNIT_EXPECT_FALSE(test, priv->ubo.mapped);

	dma_resv_lock(&priv->resv, NULL);
	sgt = ttm_user_bo_get_sgt(&priv->ubo);
	dma_resv_unlock(&priv->resv);
	KUNIT_EXPECT_PTR_EQ_MSG(test, sgt, ERR_PTR(-EAGAIN),
				"got a table the notifier unmapped");
	if (!IS_ERR(sgt))
		ttm_refct_sgt_put(sgt);

	/* Pinned: mapped, but invalidated: refused too. */
	ub_fini(test);
	addr = ub_anon(test, UB_PAGES);
	ub_fill_commit(test, addr, UB_PAGES, 0x3e3e, TTM_USER_BO_PINNED);
	KUNIT_ASSERT_EQ(test, vm_munmap(addr, UB_PAGES << PAGE_SHIFT), 0);
	KUNIT_EXPECT_TRUE(test, priv->ubo.mapped);
	dma_resv_lock(&priv->resv, NULL);
	sgt = ttm_user_bo_get_sgt(&priv->ubo);
	dma_resv_unlock(&priv->resv);
	KUNIT_EXPECT_PTR_EQ(test, sgt, ERR_PTR(-EAGAIN));
	if (!IS_ERR(sgt))
		ttm_refct_sgt_put(sgt);
}

struct ub_commit_work {
	struct work_struct work;
	struct ttm_user_bo *ubo;
	int ret;
	struct completion done;
};

static void ub_commit_fn(struct work_struct *work)
{
	struct ub_commit_work *w = container_of(work, typeof(*w), work);

	w->ret = ub_commit(w->ubo);
	complete(&w->done);
}

/*
 * A pinned BO whose range was replaced is committed again while a job
 * still runs on the old pages, and the driver has no release hook: the
 * old pages stay pinned (and mapped) until the job is done.
 */
static void ttm_user_bo_pinned_busy_release(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ub_commit_work w = { .ubo = &priv->ubo };
	struct ttm_refct_sgt *sgt;
	struct folio *folio;
	unsigned long ret;

	/* no driver hooks: the helper alone must keep the job's pages */
	ub_fill(test, addr, UB_PAGES, 0x5151);
	KUNIT_ASSERT_EQ(test, ttm_user_bo_init(&priv->ubo, &priv->udev, NULL,
					       &priv->resv, addr,
					       UB_PAGES << PAGE_SHIFT,
					       TTM_USER_BO_PINNED), 0);
	priv->ubo_live = true;
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	sgt = ub_get_sgt(test, &priv->ubo);
	folio = page_folio(sg_page(sgt->table.sgl));
	folio_get(folio);
	ttm_refct_sgt_put(sgt);

	priv->fence = ub_fence_create(test);
	ub_add_fence(test, &priv->resv, priv->fence);

	/* new pages at the same address; the notifier only moves the sequence */
	ret = vm_mmap(NULL, addr, UB_PAGES << PAGE_SHIFT, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	KUNIT_ASSERT_EQ(test, ret, addr);
	KUNIT_EXPECT_FALSE(test, ub_valid(&priv->ubo));
	ub_fill(test, addr, UB_PAGES, 0x5252);
	KUNIT_ASSERT_EQ(test, ttm_user_bo_snapshot(&priv->ubo), 0);

	INIT_WORK_ONSTACK(&w.work, ub_commit_fn);
	init_completion(&w.done);
	queue_work(system_unbound_wq, &w.work);
	/* observed, not timed: the commit returns, or waits for the job */
	while (!completion_done(&w.done) && !ub_fence_has_waiter(priv->fence))
		cond_resched();
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&w.done),
			       "commit released pages a running job uses");
	KUNIT_EXPECT_TRUE(test, folio_maybe_dma_pinned(folio));

	dma_fence_signal(priv->fence);
	flush_work(&w.work);
	destroy_work_on_stack(&w.work);
	KUNIT_EXPECT_EQ(test, w.ret, 0);
	KUNIT_EXPECT_FALSE(test, folio_maybe_dma_pinned(folio));
	folio_put(folio);
	ub_expect_pages(test, &priv->ubo, UB_PAGES, 0x5252);
}

/*
 * Between allocating the sg-table and taking the notifier lock, commit
 * must not have read or recorded a page: the pages of a mirrored BO may
 * be freed until the sequence is checked under the lock.
 */
static void ub_hook_expect_empty(struct ttm_user_bo *ubo, struct ttm_refct_sgt *sgt)
{
	struct kunit *test = kunit_get_current_test();
	struct scatterlist *sg;
	unsigned long filled = 0;
	unsigned int i;

	for_each_sgtable_sg(&sgt->table, sg, i)
		filled += !!sg_page(sg);
	KUNIT_EXPECT_EQ_MSG(test, filled, 0,
			    "sg-table filled from the pages before the sequence check");
	atomic_inc(&ub(test)->hook_calls);
}

static void ttm_user_bo_sgt_filled_locked(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);

	ub_fill(test, addr, UB_PAGES, 0x4e4e);
	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES, 0), 0);
	kunit_activate_static_stub(test, ttm_user_bo_commit_hook,
				   ub_hook_expect_empty);
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	kunit_deactivate_static_stub(test, ttm_user_bo_commit_hook);
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->hook_calls), 1);
	ub_expect_pages(test, &priv->ubo, UB_PAGES, 0x4e4e);
}

/*
 * The range is unmapped after commit's early check but before its locked
 * check: only the check under the notifier lock can refuse the snapshot.
 */
static void ub_hook_munmap(struct ttm_user_bo *ubo, struct ttm_refct_sgt *sgt)
{
	struct ub_munmap *m = ub(kunit_get_current_test())->hook_data;

	ub_munmap_start(m);
	wait_for_completion(&m->done);
}

static void ttm_user_bo_commit_recheck(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ub_munmap m;

	ub_fill(test, addr, UB_PAGES, 0x4f4f);
	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES, 0), 0);
	KUNIT_ASSERT_EQ(test, ttm_user_bo_snapshot(&priv->ubo), 0);
	ub_munmap_init(&m, addr, UB_PAGES);
	priv->hook_data = &m;
	kunit_activate_static_stub(test, ttm_user_bo_commit_hook, ub_hook_munmap);
	KUNIT_EXPECT_EQ_MSG(test, ub_commit(&priv->ubo), -EAGAIN,
			    "published a snapshot the range no longer has");
	kunit_deactivate_static_stub(test, ttm_user_bo_commit_hook);
	KUNIT_EXPECT_EQ(test, ub_munmap_wait(&m), 0);
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.stale_commits), 1);
	KUNIT_EXPECT_NULL(test, priv->ubo.committed);
	KUNIT_EXPECT_FALSE(test, ub_valid(&priv->ubo));
}

/* Read-only BOs are mapped DMA_TO_DEVICE, writable ones BIDIRECTIONAL. */
static void ttm_user_bo_dma_direction(struct kunit *test)
{
#ifdef CONFIG_ARCH_HAS_DMA_OPS
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);

	ub_use_hook_dma_ops(test);
	ub_fill_commit(test, addr, UB_PAGES, 0x1d1d, TTM_USER_BO_READ_ONLY);
	KUNIT_EXPECT_EQ(test, priv->last_dir, DMA_TO_DEVICE);
	ub_expect_pages(test, &priv->ubo, UB_PAGES, 0x1d1d);
	ub_fini(test);
	ub_fill_commit(test, addr, UB_PAGES, 0x1e1e, 0);
	KUNIT_EXPECT_EQ(test, priv->last_dir, DMA_BIDIRECTIONAL);
	ub_fini(test);
	ub_drop_hook_dma_ops(test);
#else
	kunit_skip(test, "needs CONFIG_ARCH_HAS_DMA_OPS");
#endif
}

static void ttm_user_bo_fini_munmap_race(struct kunit *test)
{
#ifdef CONFIG_ARCH_HAS_DMA_OPS
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ub_fini_race r = { };

	ub_use_hook_dma_ops(test);
	ub_fill_commit(test, addr, UB_PAGES, 0x0f0f, 0);
	ub_munmap_init(&r.munmap, addr, UB_PAGES);
	priv->hook_data = &r;
	priv->unmap_hook = ub_fini_race_hook;

	ub_fini(test);
	KUNIT_EXPECT_EQ(test, ub_munmap_wait(&r.munmap), 0);
	KUNIT_EXPECT_TRUE(test, r.started);
	KUNIT_EXPECT_FALSE_MSG(test, r.munmap_won,
			       "munmap freed the pages while fini unmapped them");
	ub_drop_hook_dma_ops(test);
#else
	kunit_skip(test, "needs CONFIG_ARCH_HAS_DMA_OPS");
#endif
}

static void ttm_user_bo_sgt_outlives(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ttm_refct_sgt *sgt;

	ub_fill_commit(test, addr, UB_PAGES, 0x3c3c0000, 0);
	sgt = ub_get_sgt(test, &priv->ubo);
	KUNIT_EXPECT_EQ(test, kref_read(&sgt->kref), 2);

	dma_resv_lock(&priv->resv, NULL);
	ttm_user_bo_release_pages(&priv->ubo);
	KUNIT_EXPECT_PTR_EQ(test, ttm_user_bo_get_sgt(&priv->ubo), ERR_PTR(-EAGAIN));
	dma_resv_unlock(&priv->resv);
	KUNIT_EXPECT_FALSE(test, ub_valid(&priv->ubo));

	/* Ours is the last reference; the table and its page list remain. */
	KUNIT_EXPECT_EQ(test, kref_read(&sgt->kref), 1);
	KUNIT_EXPECT_EQ(test, sgt->size, UB_PAGES * PAGE_SIZE);
	ub_check_sgt(test, &sgt->table, UB_PAGES, 0x3c3c0000);
	ttm_refct_sgt_put(sgt);

	/* And the BO can be committed again. */
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	KUNIT_EXPECT_TRUE(test, ub_valid(&priv->ubo));
}

/* --- invalidation and fences ------------------------------------------ */

static void ttm_user_bo_fence_wait(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ub_munmap m;

	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES, 0), 0);
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);

	/* A job using the BO, added in the submission critical section. */
	priv->fence = ub_fence_create(test);
	KUNIT_ASSERT_EQ(test, dma_resv_lock(&priv->resv, NULL), 0);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&priv->resv, 1), 0);
	ttm_user_bo_submit_begin(&priv->udev);
	KUNIT_ASSERT_TRUE(test, ttm_user_bo_submit_valid(&priv->ubo));
	dma_resv_add_fence(&priv->resv, priv->fence, DMA_RESV_USAGE_BOOKKEEP);
	ttm_user_bo_submit_end(&priv->udev);
	dma_resv_unlock(&priv->resv);

	/* munmap from another thread: it must wait for the job's fence. */
	ub_munmap_init(&m, addr, UB_PAGES);
	ub_munmap_start(&m);
	while (!completion_done(&m.done) && !ub_fence_has_waiter(priv->fence))
		cond_resched();
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&m.done),
			       "munmap returned while the job ran");
	KUNIT_EXPECT_TRUE(test, priv->ubo.mapped);
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->hook_calls), 0);

	dma_fence_signal(priv->fence);
	KUNIT_EXPECT_EQ(test, ub_munmap_wait(&m), 0);
	KUNIT_EXPECT_TRUE(test, priv->fence_signaled_in_hook);
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->hook_calls), 1);
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.fence_waits), 1);
	KUNIT_EXPECT_FALSE(test, priv->ubo.mapped);
}

/*
 * An invalidation that arrives while a submission is between its last
 * check and adding its fence waits for the section to end, then for the
 * fence it added.
 */
static void ttm_user_bo_submit_section(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ub_munmap m;

	ub_fill_commit(test, addr, UB_PAGES, 0x9a9a, 0);
	priv->fence = ub_fence_create(test);
	KUNIT_ASSERT_EQ(test, dma_resv_lock(&priv->resv, NULL), 0);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&priv->resv, 1), 0);
	ttm_user_bo_submit_begin(&priv->udev);
	KUNIT_ASSERT_TRUE(test, ttm_user_bo_submit_valid(&priv->ubo));

	ub_munmap_init(&m, addr, UB_PAGES);
	ub_munmap_start(&m);
	/* the notifier waits for the section (the notifier lock) */
	while (!completion_done(&m.done) &&
	       !rwsem_is_contended(&priv->udev.notifier_lock))
		cond_resched();
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&m.done),
			       "munmap ran through an open submission section");
	/* still valid: the invalidation has not moved the sequence yet */
	KUNIT_EXPECT_TRUE(test, ttm_user_bo_submit_valid(&priv->ubo));
	dma_resv_add_fence(&priv->resv, priv->fence, DMA_RESV_USAGE_BOOKKEEP);
	ttm_user_bo_submit_end(&priv->udev);
	dma_resv_unlock(&priv->resv);

	/* ... and then for the job the section started */
	while (!completion_done(&m.done) && !ub_fence_has_waiter(priv->fence))
		cond_resched();
	KUNIT_EXPECT_FALSE(test, completion_done(&m.done));
	KUNIT_EXPECT_TRUE(test, priv->ubo.mapped);
	dma_fence_signal(priv->fence);
	KUNIT_EXPECT_EQ(test, ub_munmap_wait(&m), 0);
	KUNIT_EXPECT_TRUE(test, priv->fence_signaled_in_hook);
	KUNIT_EXPECT_FALSE(test, priv->ubo.mapped);
	KUNIT_EXPECT_FALSE(test, ub_valid(&priv->ubo));
}

/*
 * While the notifier waits for one BO's job, the rest of the device (the
 * notifier lock) stays available: another BO commits meanwhile.
 */
static void ttm_user_bo_slow_job(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	unsigned long addr2 = ub_anon(test, UB_PAGES);
	struct ttm_user_bo *other = kunit_kzalloc(test, sizeof(*other), GFP_KERNEL);
	struct dma_resv *resv2 = kunit_kzalloc(test, sizeof(*resv2), GFP_KERNEL);
	struct ub_munmap m;
	bool free;

	KUNIT_ASSERT_NOT_NULL(test, other);
	KUNIT_ASSERT_NOT_NULL(test, resv2);
	ub_fill_commit(test, addr, UB_PAGES, 0x1212, 0);
	priv->fence = ub_fence_create(test);
	ub_add_fence(test, &priv->resv, priv->fence);

	dma_resv_init(resv2);
	KUNIT_ASSERT_EQ(test, ttm_user_bo_init(other, &priv->udev, NULL, resv2, addr2,
					       UB_PAGES << PAGE_SHIFT, 0), 0);
	KUNIT_ASSERT_EQ(test, ttm_user_bo_snapshot(other), 0);

	ub_munmap_init(&m, addr, UB_PAGES);
	ub_munmap_start(&m);
	while (!ub_fence_has_waiter(priv->fence))
		cond_resched();

	/* never blocks: a failure must not hang the test */
	free = down_read_trylock(&priv->udev.notifier_lock);
	if (free)
		up_read(&priv->udev.notifier_lock);
	KUNIT_EXPECT_TRUE_MSG(test, free,
			      "one BO's fence wait holds the device's notifier lock");
	if (free) {
		dma_resv_lock(resv2, NULL);
		KUNIT_EXPECT_EQ(test, ttm_user_bo_commit(other), 0);
		dma_resv_unlock(resv2);
		KUNIT_EXPECT_TRUE(test, ub_valid(other));
	}

	dma_fence_signal(priv->fence);
	KUNIT_EXPECT_EQ(test, ub_munmap_wait(&m), 0);
	KUNIT_EXPECT_FALSE(test, priv->ubo.mapped);
	KUNIT_EXPECT_TRUE(test, priv->fence_signaled_in_hook);
	ttm_user_bo_fini(other);
	dma_resv_fini(resv2);
}

#if IS_BUILTIN(CONFIG_DRM_TTM_KUNIT_TEST)
/*
 * Invalidate the whole BO through the mm core: non-blockable as the OOM
 * reaper does it, or blockable as fork's copy-on-write protection and NUMA
 * hinting do it, leaving the pages in place. Returns what
 * mmu_notifier_invalidate_range_start*() returned.
 */
static int ub_mm_invalidate(struct ttm_user_bo *ubo, bool blockable,
			    enum mmu_notifier_event event)
{
	struct mm_struct *mm = ubo->notifier.mm;
	struct mmu_notifier_range range;
	int ret = 0;

	mmu_notifier_range_init(&range, event, 0, mm, ubo->start,
				ubo->start + (ubo->num_pages << PAGE_SHIFT));
	mmap_read_lock(mm);
	if (blockable)
		mmu_notifier_invalidate_range_start(&range);
	else
		ret = mmu_notifier_invalidate_range_start_nonblock(&range);
	if (!ret)
		mmu_notifier_invalidate_range_end(&range);
	mmap_read_unlock(mm);
	return ret;
}
#endif

/*
 * An invalidation of a BO whose pages are already unmapped does not wait
 * for its fences: the device cannot reach the pages, and a job of another
 * BO sharing the reservation object must not stall the mm.
 */
static void ttm_user_bo_unmapped_no_wait(struct kunit *test)
{
#if IS_BUILTIN(CONFIG_DRM_TTM_KUNIT_TEST)
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ub_munmap m;

	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES, 0), 0);
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	KUNIT_ASSERT_EQ(test, ub_mm_invalidate(&priv->ubo, true, MMU_NOTIFY_CLEAR), 0);
	KUNIT_ASSERT_FALSE(test, priv->ubo.mapped);

	/* a later job of another BO sharing the reservation object */
	priv->fence = ub_fence_create(test);
	ub_add_fence(test, &priv->resv, priv->fence);

	ub_munmap_init(&m, addr, UB_PAGES);
	ub_munmap_start(&m);
	while (!completion_done(&m.done) && !ub_fence_has_waiter(priv->fence))
		cond_resched();
	KUNIT_EXPECT_TRUE_MSG(test, completion_done(&m.done),
			      "munmap of an unmapped BO waited for an unrelated job");
	dma_fence_signal(priv->fence);
	KUNIT_EXPECT_EQ(test, ub_munmap_wait(&m), 0);
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.fence_waits), 0);
#else
	kunit_skip(test, "needs the mm notifier API (built-in tests)");
#endif
}

static void ttm_user_bo_nonblock(struct kunit *test)
{
#if IS_BUILTIN(CONFIG_DRM_TTM_KUNIT_TEST)
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	unsigned long seq;

	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES, 0), 0);
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	seq = priv->ubo.seq;

	/* Mapped and idle: the hook and the unmap may sleep, so refuse. */
	KUNIT_EXPECT_EQ(test, ub_mm_invalidate(&priv->ubo, false, MMU_NOTIFY_CLEAR),
			-EAGAIN);
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.nonblock_busy), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->hook_calls), 0);
	KUNIT_EXPECT_FALSE(test, mmu_interval_read_retry(&priv->ubo.notifier, seq));
	KUNIT_EXPECT_TRUE(test, ub_valid(&priv->ubo));

	/* A fence added outside any submission section: refused, no wait. */
	priv->fence = ub_fence_create(test);
	ub_add_fence(test, &priv->resv, priv->fence);
	KUNIT_EXPECT_EQ(test, ub_mm_invalidate(&priv->ubo, false, MMU_NOTIFY_CLEAR),
			-EAGAIN);
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.fence_waits), 0);
	KUNIT_EXPECT_TRUE(test, ub_valid(&priv->ubo));

	/* Nothing mapped (released; a snapshot pending), busy: done at once. */
	dma_resv_lock(&priv->resv, NULL);
	dma_fence_signal(priv->fence);
	ttm_user_bo_release_pages(&priv->ubo);
	dma_resv_unlock(&priv->resv);
	dma_fence_put(priv->fence);
	priv->fence = ub_fence_create(test);
	KUNIT_ASSERT_EQ(test, ttm_user_bo_snapshot(&priv->ubo), 0);
	ub_add_fence(test, &priv->resv, priv->fence);
	KUNIT_EXPECT_EQ(test, ub_mm_invalidate(&priv->ubo, false, MMU_NOTIFY_CLEAR), 0);
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.nonblock_busy), 2);
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.invalidations), 1);
	/* the pending snapshot went stale */
	KUNIT_EXPECT_EQ(test, ub_commit(&priv->ubo), -EAGAIN);

	/* Idle again: a blockable invalidation unmaps as usual. */
	dma_fence_signal(priv->fence);
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	KUNIT_EXPECT_EQ(test, ub_mm_invalidate(&priv->ubo, true, MMU_NOTIFY_CLEAR), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->hook_calls), 1);
	KUNIT_EXPECT_FALSE(test, priv->ubo.mapped);
	KUNIT_EXPECT_FALSE(test, ub_valid(&priv->ubo));
	KUNIT_EXPECT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	KUNIT_EXPECT_TRUE(test, ub_valid(&priv->ubo));
#else
	kunit_skip(test, "the mm notifier calls need the test built in");
#endif
}

#if IS_BUILTIN(CONFIG_DRM_TTM_KUNIT_TEST)
/* Every walk of the range is invalidated before it can finish. */
static void ub_hook_invalidate_walk(struct ttm_user_bo *ubo)
{
	ub_mm_invalidate(ubo, true, MMU_NOTIFY_CLEAR);
}
#endif

/*
 * A range that keeps changing: the snapshot retries with a fresh sequence
 * until HMM_RANGE_DEFAULT_TIMEOUT passed, then gives up with -EBUSY.
 */
static void ttm_user_bo_deadline(struct kunit *test)
{
#if IS_BUILTIN(CONFIG_DRM_TTM_KUNIT_TEST)
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	unsigned long start = jiffies;

	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES, 0), 0);
	kunit_activate_static_stub(test, ttm_user_bo_walk_hook,
				   ub_hook_invalidate_walk);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_snapshot(&priv->ubo), -EBUSY);
	kunit_deactivate_static_stub(test, ttm_user_bo_walk_hook);
	KUNIT_EXPECT_GE(test, jiffies - start,
			msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT));
	KUNIT_EXPECT_GT(test, ub_stat(&priv->udev.stats.retries), 1);
	KUNIT_EXPECT_NULL(test, priv->ubo.pending);
	/* quiet again: the next snapshot works */
	KUNIT_EXPECT_EQ(test, ub_snap_commit(&priv->ubo), 0);
#else
	kunit_skip(test, "the mm notifier calls need the test built in");
#endif
}

/*
 * Interruptible variants: a signal stops the wait for a busy BO's fences
 * before anything is released, and the wait for the notifier lock.
 */
struct ub_writer {
	struct work_struct work;
	struct ttm_user_bo_device *udev;
	struct completion held, release;
};

static void ub_writer_fn(struct work_struct *work)
{
	struct ub_writer *w = container_of(work, typeof(*w), work);

	down_write(&w->udev->notifier_lock);
	complete(&w->held);
	wait_for_completion(&w->release);
	up_write(&w->udev->notifier_lock);
}

static void ttm_user_bo_interruptible(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	struct ub_writer w;
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ttm_refct_sgt *sgt;
	struct folio *folio;
	int ret;

	ub_fill_commit(test, addr, UB_PAGES, 0x3a3a, TTM_USER_BO_PINNED);
	sgt = ub_get_sgt(test, &priv->ubo);
	folio = page_folio(sg_page(sgt->table.sgl));
	ttm_refct_sgt_put(sgt);
	priv->fence = ub_fence_create(test);
	ub_add_fence(test, &priv->resv, priv->fence);
	KUNIT_ASSERT_EQ(test, vm_mmap(NULL, addr, UB_PAGES << PAGE_SHIFT,
				      PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0), addr);
	KUNIT_ASSERT_EQ(test, ttm_user_bo_snapshot(&priv->ubo), 0);

	allow_signal(SIGKILL);
	send_sig(SIGKILL, current, 1);
	dma_resv_lock(&priv->resv, NULL);
	ret = ttm_user_bo_commit_interruptible(&priv->ubo);
	dma_resv_unlock(&priv->resv);
	KUNIT_EXPECT_EQ(test, ret, -ERESTARTSYS);
	/* nothing released: no hook call, the old pages still pinned */
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->release_calls), 0);
	KUNIT_EXPECT_TRUE(test, folio_maybe_dma_pinned(folio));
	KUNIT_EXPECT_NULL(test, priv->ubo.pending);

	/* the notifier lock, held by another thread for writing */
	w.udev = &priv->udev;
	init_completion(&w.held);
	init_completion(&w.release);
	INIT_WORK_ONSTACK(&w.work, ub_writer_fn);
	queue_work(system_unbound_wq, &w.work);
	wait_for_completion(&w.held);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_submit_begin_interruptible(&priv->udev),
			-EINTR);
	complete(&w.release);
	flush_work(&w.work);
	destroy_work_on_stack(&w.work);
	flush_signals(current);
	disallow_signal(SIGKILL);

	KUNIT_ASSERT_EQ(test, ttm_user_bo_submit_begin_interruptible(&priv->udev), 0);
	__acquire(&priv->udev.notifier_lock);	/* for sparse: held on success */
	ttm_user_bo_submit_end(&priv->udev);

	dma_fence_signal(priv->fence);
	KUNIT_ASSERT_EQ(test, ttm_user_bo_snapshot(&priv->ubo), 0);
	dma_resv_lock(&priv->resv, NULL);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_commit_interruptible(&priv->ubo), 0);
	dma_resv_unlock(&priv->resv);
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->release_calls), 1);
	KUNIT_EXPECT_TRUE(test, ub_valid(&priv->ubo));
}

/* A pinned BO's non-blockable invalidation only moves the sequence. */
static void ttm_user_bo_nonblock_pinned(struct kunit *test)
{
#if IS_BUILTIN(CONFIG_DRM_TTM_KUNIT_TEST)
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);

	ub_fill_commit(test, addr, UB_PAGES, 0x2b2b, TTM_USER_BO_PINNED);
	priv->fence = ub_fence_create(test);
	ub_add_fence(test, &priv->resv, priv->fence);

	KUNIT_EXPECT_EQ(test, ub_mm_invalidate(&priv->ubo, false, MMU_NOTIFY_CLEAR), 0);
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.nonblock_busy), 0);
	KUNIT_EXPECT_TRUE(test, priv->ubo.mapped);
	KUNIT_EXPECT_FALSE(test, ub_valid(&priv->ubo));
	dma_fence_signal(priv->fence);
#else
	kunit_skip(test, "the mm notifier calls need the test built in");
#endif
}

struct ub_race_ctx {
	struct mm_struct *mm;
	unsigned long addr, size;
	unsigned long remaps;
	long error;
	struct completion started;
};

static int ub_race_thread(void *data)
{
	struct ub_race_ctx *ctx = data;

	kthread_use_mm(ctx->mm);
	complete(&ctx->started);
	while (!kthread_should_stop()) {
		unsigned long ret;

		ret = vm_mmap(NULL, ctx->addr, ctx->size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
		if (ret != ctx->addr) {
			ctx->error = IS_ERR_VALUE(ret) ? (long)ret : -EINVAL;
			break;
		}
		ctx->remaps++;
		cond_resched();
	}
	kthread_unuse_mm(ctx->mm);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/*
 * Inside the submission section, with the BO valid, the range must still
 * map exactly the committed pages: an invalidation cannot complete while
 * the section holds the notifier lock. Compares with GUP-fast, which takes
 * no lock (the mmap_lock would nest the wrong way here) and never faults;
 * a page GUP-fast cannot reach counts as a mismatch. Returns the number of
 * mismatching pages, or -1 if the BO was not valid.
 */
static long ub_check_in_section(struct ub_priv *priv)
{
	struct ttm_user_bo *ubo = &priv->ubo;
	struct ttm_refct_sgt *sgt;
	struct sg_page_iter iter;
	long i = 0, other = 0;

	dma_resv_lock(ubo->resv, NULL);
	sgt = ttm_user_bo_get_sgt(ubo);
	if (IS_ERR(sgt)) {
		dma_resv_unlock(ubo->resv);
		return -1;
	}
	ttm_user_bo_submit_begin(&priv->udev);
	if (!ttm_user_bo_submit_valid(ubo)) {
		other = -1;
		goto out;
	}
	for_each_sgtable_page(&sgt->table, &iter, 0) {
		struct page *page;

		if (get_user_pages_fast_only(ubo->start + (i << PAGE_SHIFT), 1, 0,
					     &page) != 1) {
			other++;
		} else {
			other += page != sg_page_iter_page(&iter);
			put_page(page);
		}
		i++;
	}
out:
	ttm_user_bo_submit_end(&priv->udev);
	ttm_refct_sgt_put(sgt);
	dma_resv_unlock(ubo->resv);
	return other;
}

static void ttm_user_bo_race(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long npages = 256;
	unsigned long addr = ub_anon(test, npages);
	struct ub_race_ctx ctx = {
		.mm = current->mm, .addr = addr, .size = npages << PAGE_SHIFT,
	};
	unsigned long ok = 0, busy = 0, stale = 0, other = 0;
	unsigned long checked = 0, mismatched = 0, tries;
	struct task_struct *t;

	KUNIT_ASSERT_EQ(test, ub_init(test, addr, npages, 0), 0);
	init_completion(&ctx.started);
	mmget(ctx.mm);
	t = kthread_run(ub_race_thread, &ctx, "ttm_user_bo_race");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wait_for_completion(&ctx.started);

	/* until enough commits met enough remaps (events, not time), bounded */
	for (tries = 0; tries < 20000 && (checked < 32 || ctx.remaps < 32); tries++) {
		int ret = ttm_user_bo_snapshot(&priv->ubo);

		if (!ret)
			ret = ub_commit(&priv->ubo);
		if (!ret) {
			long bad = ub_check_in_section(priv);

			ok++;
			if (bad >= 0) {
				checked++;
				mismatched += bad;
			}
		} else if (ret == -EBUSY) {
			busy++;
		} else if (ret == -EAGAIN) {
			stale++;
		} else {
			other++;
		}
		cond_resched();
	}
	kthread_stop(t);
	mmput(ctx.mm);

	kunit_info(test, "%lu remaps; %lu commits (%lu checked valid in the section), %lu deadline, %lu stale\n",
		   ctx.remaps, ok, checked, busy, stale);
	/* Every attempt completed with success or a defined retry error. */
	KUNIT_EXPECT_EQ(test, other, 0);
	KUNIT_EXPECT_EQ(test, ctx.error, 0);
	KUNIT_EXPECT_GT(test, ctx.remaps, 0);
	KUNIT_EXPECT_GT(test, checked, 0);
	/* every page a valid BO hands out is the page the range maps then */
	KUNIT_EXPECT_EQ_MSG(test, mismatched, 0,
			    "a valid BO's pages differ from what the range maps");
	/* Quiet again: it converges, to the pages the range has now. */
	ub_fill(test, addr, npages, 0xc0c00000);
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	KUNIT_EXPECT_TRUE(test, ub_valid(&priv->ubo));
	ub_expect_pages(test, &priv->ubo, npages, 0xc0c00000);
	ub_expect_current(test, &priv->ubo);
}

/* --- allocation failures ------------------------------------------------- */

static void ttm_user_bo_alloc_fail(struct kunit *test)
{
#ifdef CONFIG_FAULT_INJECTION
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	unsigned long verbose = ttm_user_bo_fail_alloc.verbose;
	unsigned int nth;

	ub_fill(test, addr, UB_PAGES, 0x9999);
	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES, 0), 0);

	ttm_user_bo_fail_alloc.verbose = 0;
	/* snapshot: two allocations, commit: two; fail each in turn */
	for (nth = 1; nth <= 4; nth++) {
		int ret;

		current->fail_nth = nth;
		ret = ub_snap_commit(&priv->ubo);
		current->fail_nth = 0;
		KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "allocation %u", nth);
		KUNIT_EXPECT_NULL(test, priv->ubo.pending);
		KUNIT_EXPECT_NULL(test, priv->ubo.committed);
		KUNIT_EXPECT_NULL(test, priv->ubo.sgt);
		KUNIT_EXPECT_FALSE(test, ub_valid(&priv->ubo));
	}
	/*
	 * Exactly four injection points: a fifth would fail. Counted by the
	 * attribute's own budget (space), not by fail_nth: with failslab and
	 * fail_page_alloc built in, fail_nth counts GFP_ATOMIC allocations
	 * too, and a fifth point would fail one of the DMA mapping's (when
	 * dma-debug cannot allocate its radix-tree node it turns itself off).
	 */
	ttm_user_bo_fail_alloc.probability = 100;
	atomic_set(&ttm_user_bo_fail_alloc.times, 1);
	atomic_set(&ttm_user_bo_fail_alloc.space, 5);
	KUNIT_EXPECT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ttm_user_bo_fail_alloc.space), 1);
	ttm_user_bo_fail_alloc.probability = 0;
	atomic_set(&ttm_user_bo_fail_alloc.space, 0);
	ttm_user_bo_fail_alloc.verbose = verbose;

	ub_expect_pages(test, &priv->ubo, UB_PAGES, 0x9999);
#else
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#endif
}

/* --- dirty pages ----------------------------------------------------------- */

static void ttm_user_bo_shmem_dirty(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	struct ttm_refct_sgt *sgt;
	struct sg_page_iter iter;
	struct folio *folios[UB_PAGES];
	unsigned long addr, i = 0, clean = 0;
	struct file *file;
	u32 *buf;

	file = shmem_file_setup("ttm_user_bo_test", UB_PAGES << PAGE_SHIFT, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	addr = ub_mmap(test, file, UB_PAGES, PROT_READ | PROT_WRITE, MAP_SHARED);
	ub_fill_commit(test, addr, UB_PAGES, 0x1234, 0);

	/* "The device" writes every page; the CPU page tables never see it. */
	sgt = ub_get_sgt(test, &priv->ubo);
	for_each_sgtable_page(&sgt->table, &iter, 0) {
		struct page *page = sg_page_iter_page(&iter);
		u32 *p = kmap_local_page(page);

		p[0] = 0xdeadbeef;
		kunmap_local(p);
		folios[i] = page_folio(page);
		folio_get(folios[i]);
		i++;
	}
	ttm_refct_sgt_put(sgt);

	KUNIT_ASSERT_EQ(test, vm_munmap(addr, UB_PAGES << PAGE_SHIFT), 0);
	KUNIT_EXPECT_FALSE(test, priv->ubo.mapped);
	for (i = 0; i < UB_PAGES; i++) {
		clean += !folio_test_dirty(folios[i]);
		folio_put(folios[i]);
	}
	KUNIT_EXPECT_EQ(test, clean, 0);

	/* What the device wrote is in the file. */
	addr = ub_mmap(test, file, UB_PAGES, PROT_READ, MAP_SHARED);
	buf = kunit_kmalloc(test, sizeof(*buf), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < UB_PAGES; i++) {
		KUNIT_ASSERT_EQ(test, copy_from_user(buf, (void __user *)(addr + i * PAGE_SIZE),
						     sizeof(*buf)), 0);
		KUNIT_EXPECT_EQ(test, *buf, 0xdeadbeef);
	}
	fput(file);
}

/*
 * Only the helper's marking keeps what the device wrote: the pages were
 * read-faulted, so their PTEs are writable (shmem is not write-notified)
 * but clean, the snapshot does not write-fault them, and the munmap's zap
 * finds no dirty PTE to transfer.
 */
static void ttm_user_bo_shmem_dirty_clean_pte(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	struct folio *folios[UB_PAGES];
	struct ttm_refct_sgt *sgt;
	struct sg_page_iter iter;
	unsigned long addr, i = 0, dirty = 0, clean = 0;
	struct file *file;
	u32 word;

	file = shmem_file_setup("ttm_user_bo_test", UB_PAGES << PAGE_SHIFT, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	addr = ub_mmap(test, file, UB_PAGES, PROT_READ | PROT_WRITE, MAP_SHARED);
	for (i = 0; i < UB_PAGES; i++)
		KUNIT_ASSERT_EQ(test, copy_from_user(&word, (void __user *)(addr + i * PAGE_SIZE),
						     sizeof(word)), 0);
	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES, 0), 0);
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);

	i = 0;
	sgt = ub_get_sgt(test, &priv->ubo);
	for_each_sgtable_page(&sgt->table, &iter, 0) {
		struct page *page = sg_page_iter_page(&iter);
		u32 *p = kmap_local_page(page);

		folios[i] = page_folio(page);
		folio_get(folios[i]);
		dirty += folio_test_dirty(folios[i]);
		p[0] = 0xfeedf00d;	/* "the device" writes */
		kunmap_local(p);
		i++;
	}
	ttm_refct_sgt_put(sgt);
	if (dirty) {
		for (i = 0; i < UB_PAGES; i++)
			folio_put(folios[i]);
		fput(file);
		kunit_skip(test, "%lu folios were already dirty", dirty);
	}

	KUNIT_ASSERT_EQ(test, vm_munmap(addr, UB_PAGES << PAGE_SHIFT), 0);
	for (i = 0; i < UB_PAGES; i++) {
		clean += !folio_test_dirty(folios[i]);
		folio_put(folios[i]);
	}
	KUNIT_EXPECT_EQ_MSG(test, clean, 0,
			    "folios the device wrote were left clean");
	fput(file);
}

/* A read-only BO never dirties the pages it mirrors. */
static void ttm_user_bo_read_only_clean(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	struct folio *folios[UB_PAGES];
	struct ttm_refct_sgt *sgt;
	struct sg_page_iter iter;
	unsigned long addr, i = 0, dirty = 0;
	struct file *file;
	u32 word;

	/* read-faulted shmem pages: clean folios, clean PTEs */
	file = shmem_file_setup("ttm_user_bo_test", UB_PAGES << PAGE_SHIFT, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	addr = ub_mmap(test, file, UB_PAGES, PROT_READ, MAP_SHARED);
	fput(file);
	for (i = 0; i < UB_PAGES; i++)
		KUNIT_ASSERT_EQ(test, copy_from_user(&word, (void __user *)(addr + i * PAGE_SIZE),
						     sizeof(word)), 0);
	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES, TTM_USER_BO_READ_ONLY), 0);
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);

	i = 0;
	sgt = ub_get_sgt(test, &priv->ubo);
	for_each_sgtable_page(&sgt->table, &iter, 0) {
		folios[i] = page_folio(sg_page_iter_page(&iter));
		folio_get(folios[i]);
		dirty += folio_test_dirty(folios[i]);
		i++;
	}
	ttm_refct_sgt_put(sgt);
	if (dirty) {
		for (i = 0; i < UB_PAGES; i++)
			folio_put(folios[i]);
		kunit_skip(test, "%lu folios were already dirty", dirty);
	}

	KUNIT_ASSERT_EQ(test, vm_munmap(addr, UB_PAGES << PAGE_SHIFT), 0);
	for (i = 0; i < UB_PAGES; i++) {
		dirty += folio_test_dirty(folios[i]);
		folio_put(folios[i]);
	}
	KUNIT_EXPECT_EQ_MSG(test, dirty, 0, "a read-only BO dirtied its pages");
}

/* --- the pinned residency policy ------------------------------------------ */

static void ttm_user_bo_pinned(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ttm_refct_sgt *sgt;
	struct sg_page_iter iter;
	struct folio *folio;
	unsigned long unpinned = 0;

	ub_fill_commit(test, addr, UB_PAGES, 0x4242, TTM_USER_BO_PINNED);
	sgt = ub_get_sgt(test, &priv->ubo);
	for_each_sgtable_page(&sgt->table, &iter, 0)
		unpinned += !folio_maybe_dma_pinned(page_folio(sg_page_iter_page(&iter)));
	KUNIT_EXPECT_EQ(test, unpinned, 0);
	folio = page_folio(sg_page(sgt->table.sgl));
	folio_get(folio);

	/* The notifier only moves the sequence: no hook, no unmap. */
	KUNIT_ASSERT_EQ(test, vm_munmap(addr, UB_PAGES << PAGE_SHIFT), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->hook_calls), 0);
	KUNIT_EXPECT_TRUE(test, priv->ubo.mapped);
	KUNIT_EXPECT_FALSE(test, ub_valid(&priv->ubo));
	/* Pinned pages stay usable until released. */
	KUNIT_EXPECT_TRUE(test, folio_maybe_dma_pinned(folio));
	ub_check_sgt(test, &sgt->table, UB_PAGES, 0x4242);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_snapshot(&priv->ubo), -EFAULT);

	dma_resv_lock(&priv->resv, NULL);
	ttm_user_bo_release_pages(&priv->ubo);
	dma_resv_unlock(&priv->resv);
	KUNIT_EXPECT_FALSE(test, priv->ubo.mapped);
	KUNIT_EXPECT_FALSE(test, folio_maybe_dma_pinned(folio));
	folio_put(folio);
	ttm_refct_sgt_put(sgt);
}

/* A writable pinned BO over a read-only mapping: -EPERM, as mirrored. */
static void ttm_user_bo_pinned_read_only(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_mmap(test, NULL, UB_PAGES, PROT_READ,
				     MAP_PRIVATE | MAP_ANONYMOUS);

	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES, TTM_USER_BO_PINNED), 0);
	KUNIT_EXPECT_EQ(test, ttm_user_bo_snapshot(&priv->ubo), -EPERM);
	ub_fini(test);
	KUNIT_ASSERT_EQ(test, ub_init(test, addr, UB_PAGES,
				      TTM_USER_BO_PINNED | TTM_USER_BO_READ_ONLY), 0);
	KUNIT_EXPECT_EQ(test, ub_snap_commit(&priv->ubo), 0);
}

/*
 * A benign invalidation (fork's copy-on-write protection, NUMA hinting)
 * leaves a pinned BO's pages in place: the next commit keeps them and the
 * driver's bindings instead of releasing and remapping the same pages.
 */
static void ttm_user_bo_pinned_benign(struct kunit *test)
{
#if IS_BUILTIN(CONFIG_DRM_TTM_KUNIT_TEST)
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ttm_refct_sgt *before, *after;

	ub_fill_commit(test, addr, UB_PAGES, 0x7a7a, TTM_USER_BO_PINNED);
	before = ub_get_sgt(test, &priv->ubo);

	KUNIT_ASSERT_EQ(test, ub_mm_invalidate(&priv->ubo, true,
					       MMU_NOTIFY_PROTECTION_PAGE), 0);
	KUNIT_EXPECT_FALSE(test, ub_valid(&priv->ubo));
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	KUNIT_EXPECT_TRUE(test, ub_valid(&priv->ubo));
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&priv->release_calls), 0,
			    "released and rebound the same pages");
	after = ub_get_sgt(test, &priv->ubo);
	KUNIT_EXPECT_PTR_EQ(test, after, before);
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.commits), 1);
	ttm_refct_sgt_put(after);
	ttm_refct_sgt_put(before);

	/* Different pages are committed as usual, after the release hook. */
	KUNIT_ASSERT_EQ(test, vm_mmap(NULL, addr, UB_PAGES << PAGE_SHIFT,
				      PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0), addr);
	ub_fill(test, addr, UB_PAGES, 0x7b7b);
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&priv->ubo), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->release_calls), 1);
	ub_expect_pages(test, &priv->ubo, UB_PAGES, 0x7b7b);
#else
	kunit_skip(test, "the mm notifier calls need the test built in");
#endif
}

/* FOLL_LONGTERM pins, only for the pinned policy. */
static void ttm_user_bo_longterm(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ttm_refct_sgt *sgt;
	struct sg_page_iter iter;
	unsigned long unpinned = 0;

	KUNIT_EXPECT_EQ(test, ub_init(test, addr, UB_PAGES, TTM_USER_BO_LONGTERM),
			-EINVAL);
	ub_fill_commit(test, addr, UB_PAGES, 0x8c8c,
		       TTM_USER_BO_PINNED | TTM_USER_BO_LONGTERM);
	sgt = ub_get_sgt(test, &priv->ubo);
	for_each_sgtable_page(&sgt->table, &iter, 0)
		unpinned += !folio_maybe_dma_pinned(page_folio(sg_page_iter_page(&iter)));
	KUNIT_EXPECT_EQ(test, unpinned, 0);
	ub_check_sgt(test, &sgt->table, UB_PAGES, 0x8c8c);
	ttm_refct_sgt_put(sgt);
}

#ifdef CONFIG_ARCH_HAS_DMA_OPS
/* as Xen's swiotlb and iommu-dma for untrusted devices say they bounce */
static size_t ub_bounce_max_mapping_size(struct device *dev)
{
	return SZ_256K;
}

static const struct dma_map_ops ub_bounce_dma_ops = {
	.map_sg = ub_map_sg,
	.unmap_sg = ub_unmap_sg,
	.max_mapping_size = ub_bounce_max_mapping_size,
};
#endif

/* A device whose mappings bounce through swiotlb gets no user BOs. */
static void ttm_user_bo_bounce(struct kunit *test)
{
#ifdef CONFIG_SWIOTLB
	struct ub_priv *priv = ub(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct io_tlb_mem *orig = priv->dev->dma_io_tlb_mem;
	struct io_tlb_mem *mem = kunit_kzalloc(test, sizeof(*mem), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_EXPECT_FALSE(test, priv->udev.bounce);

	/* only read by is_swiotlb_force_bounce(); nothing is mapped */
	mem->force_bounce = true;
	priv->dev->dma_io_tlb_mem = mem;
	ttm_user_bo_device_init(&priv->udev, priv->dev);
	priv->dev->dma_io_tlb_mem = orig;
	KUNIT_EXPECT_TRUE(test, priv->udev.bounce);
	KUNIT_EXPECT_EQ(test, ub_init(test, addr, UB_PAGES, 0), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, ub_init(test, addr, UB_PAGES, TTM_USER_BO_PINNED),
			-EOPNOTSUPP);
#ifdef CONFIG_ARCH_HAS_DMA_OPS
	/* DMA ops that bounce (a finite mapping size) */
	set_dma_ops(priv->dev, &ub_bounce_dma_ops);
	ttm_user_bo_device_init(&priv->udev, priv->dev);
	set_dma_ops(priv->dev, NULL);
	KUNIT_EXPECT_TRUE(test, priv->udev.bounce);
	KUNIT_EXPECT_EQ(test, ub_init(test, addr, UB_PAGES, 0), -EOPNOTSUPP);
#endif
#else
	kunit_skip(test, "needs CONFIG_SWIOTLB");
#endif
}

/* The refcounted sg-table on its own: any owner, its own release. */
struct ub_rsgt {
	struct ttm_refct_sgt rsgt;
	int *released;
};

static void ub_rsgt_release(struct kref *ref)
{
	struct ub_rsgt *r = container_of(ref, struct ub_rsgt, rsgt.kref);

	sg_free_table(&r->rsgt.table);
	(*r->released)++;
	kfree(r);
}

static const struct ttm_refct_sgt_ops ub_rsgt_ops = {
	.release = ub_rsgt_release,
};

static void ttm_user_bo_refct_sgt(struct kunit *test)
{
	struct ub_rsgt *r = kzalloc(sizeof(*r), GFP_KERNEL);
	int released = 0;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->released = &released;
	ttm_refct_sgt_init(&r->rsgt, SZ_64K, &ub_rsgt_ops);
	KUNIT_ASSERT_EQ(test, sg_alloc_table(&r->rsgt.table, 4, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, kref_read(&r->rsgt.kref), 1);
	KUNIT_EXPECT_PTR_EQ(test, ttm_refct_sgt_get(&r->rsgt), &r->rsgt);
	ttm_refct_sgt_put(&r->rsgt);
	KUNIT_EXPECT_EQ(test, released, 0);
	ttm_refct_sgt_put(&r->rsgt);
	KUNIT_EXPECT_EQ(test, released, 1);
	ttm_refct_sgt_put(NULL);
}

static struct kunit_case ttm_user_bo_core_cases[] = {
	KUNIT_CASE(ttm_user_bo_contents),
	KUNIT_CASE(ttm_user_bo_multi_vma),
	KUNIT_CASE(ttm_user_bo_hole),
	KUNIT_CASE(ttm_user_bo_prot_none),
	KUNIT_CASE(ttm_user_bo_read_only),
	KUNIT_CASE(ttm_user_bo_bad_args),
	KUNIT_CASE(ttm_user_bo_foreign_snapshot),
	KUNIT_CASE(ttm_user_bo_tt_size_mismatch),
	KUNIT_CASE(ttm_user_bo_fatal_signal),
	KUNIT_CASE(ttm_user_bo_munmap),
	KUNIT_CASE(ttm_user_bo_info),
	KUNIT_CASE(ttm_user_bo_stale_snapshot),
	KUNIT_CASE(ttm_user_bo_remap),
	KUNIT_CASE(ttm_user_bo_madv_dontneed),
	KUNIT_CASE(ttm_user_bo_mprotect),
	KUNIT_CASE(ttm_user_bo_mm_exit),
	KUNIT_CASE(ttm_user_bo_thp),
	KUNIT_CASE(ttm_user_bo_max_segment),
	KUNIT_CASE(ttm_user_bo_map_fallback),
	KUNIT_CASE(ttm_user_bo_sgt_outlives),
	KUNIT_CASE(ttm_user_bo_fini_munmap_race),
	KUNIT_CASE(ttm_user_bo_dma_direction),
	KUNIT_CASE(ttm_user_bo_get_sgt_stale),
	KUNIT_CASE(ttm_user_bo_pinned_busy_release),
	KUNIT_CASE(ttm_user_bo_sgt_filled_locked),
	KUNIT_CASE(ttm_user_bo_commit_recheck),
	KUNIT_CASE(ttm_user_bo_fence_wait),
	KUNIT_CASE(ttm_user_bo_slow_job),
	KUNIT_CASE(ttm_user_bo_submit_section),
	KUNIT_CASE(ttm_user_bo_interruptible),
	KUNIT_CASE(ttm_user_bo_nonblock),
	KUNIT_CASE(ttm_user_bo_unmapped_no_wait),
	KUNIT_CASE(ttm_user_bo_nonblock_pinned),
	KUNIT_CASE_SLOW(ttm_user_bo_deadline),
	KUNIT_CASE_SLOW(ttm_user_bo_race),
	KUNIT_CASE(ttm_user_bo_alloc_fail),
	KUNIT_CASE(ttm_user_bo_shmem_dirty),
	KUNIT_CASE(ttm_user_bo_shmem_dirty_clean_pte),
	KUNIT_CASE(ttm_user_bo_read_only_clean),
	KUNIT_CASE(ttm_user_bo_pinned),
	KUNIT_CASE(ttm_user_bo_pinned_read_only),
	KUNIT_CASE(ttm_user_bo_pinned_benign),
	KUNIT_CASE(ttm_user_bo_longterm),
	KUNIT_CASE(ttm_user_bo_refct_sgt),
	KUNIT_CASE(ttm_user_bo_bounce),
	{}
};

static struct kunit_suite ttm_user_bo_core_suite = {
	.name = "ttm_user_bo_core",
	.init = ub_test_init,
	.exit = ub_test_exit,
	.test_cases = ttm_user_bo_core_cases,
};

/* --- cases: through a TTM buffer object ------------------------------------ */

struct ub_ttm_bo {
	struct ttm_buffer_object tbo;
	struct ttm_user_bo ubo;
	/* if set, moves are "accelerated": pipelined behind this fence */
	struct dma_fence *move_fence;
};

static struct ttm_tt *ub_tt_create(struct ttm_buffer_object *bo, u32 page_flags)
{
	return ttm_user_tt_create(bo, &container_of(bo, struct ub_ttm_bo, tbo)->ubo,
				  page_flags);
}

static int ub_move(struct ttm_buffer_object *bo, bool evict,
		   struct ttm_operation_ctx *ctx, struct ttm_resource *new_mem,
		   struct ttm_place *hop)
{
	struct ub_ttm_bo *ubo = container_of(bo, struct ub_ttm_bo, tbo);

	if (ubo->move_fence)
		return ttm_bo_move_accel_cleanup(bo, ubo->move_fence, evict,
						 false, new_mem);
	/* user BOs live in TTM_PL_SYSTEM; nothing to copy */
	ttm_bo_move_null(bo, new_mem);
	return 0;
}

static struct ttm_device_funcs ub_ttm_funcs = {
	.move = ub_move,
	.ttm_tt_create = ub_tt_create,
	.ttm_tt_populate = ttm_user_tt_populate,
	.ttm_tt_unpopulate = ttm_user_tt_unpopulate,
	.ttm_tt_destroy = ttm_user_tt_destroy,
};

static void ub_ttm_bo_destroy(struct ttm_buffer_object *bo)
{
	struct ub_ttm_bo *ubo = container_of(bo, struct ub_ttm_bo, tbo);

	/* TTM unpopulated and destroyed the tt; the BO is idle. */
	ttm_user_bo_fini(&ubo->ubo);
	drm_gem_object_release(&bo->base);
	kfree(ubo);
}

/*
 * A TTM BO backed by a user BO: with @resv NULL, on the BO's own
 * reservation object (initialised by TTM), otherwise sharing @resv.
 */
static struct ub_ttm_bo *__ub_ttm_bo_create(struct kunit *test,
					    struct ttm_device *bdev,
					    unsigned long addr,
					    unsigned long npages, u32 flags,
					    const struct ttm_user_bo_ops *ops,
					    struct dma_resv *resv)
{
	struct ttm_place sys = { .mem_type = TTM_PL_SYSTEM };
	struct ttm_placement placement = { .num_placement = 1, .placement = &sys };
	struct ttm_operation_ctx ctx = { };
	struct ub_priv *priv = ub(test);
	struct ub_ttm_bo *bo;
	int ret;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bo);
	drm_gem_private_object_init(priv->devs->drm, &bo->tbo.base,
				    npages << PAGE_SHIFT);
	ret = ttm_user_bo_init(&bo->ubo, &priv->udev, ops,
			       resv ?: &bo->tbo.base._resv, addr,
			       npages << PAGE_SHIFT, flags);
	KUNIT_ASSERT_EQ(test, ret, 0);
	if (resv)
		KUNIT_ASSERT_EQ(test, dma_resv_lock(resv, NULL), 0);
	ret = ttm_bo_init_reserved(bdev, &bo->tbo, ttm_bo_type_device, &placement,
				   PAGE_SIZE, &ctx, NULL, resv, ub_ttm_bo_destroy);
	KUNIT_ASSERT_EQ(test, ret, 0);
	dma_resv_unlock(bo->tbo.base.resv);
	return bo;
}

static struct ub_ttm_bo *ub_ttm_bo_create(struct kunit *test,
					  struct ttm_device *bdev,
					  unsigned long addr,
					  unsigned long npages, u32 flags)
{
	return __ub_ttm_bo_create(test, bdev, addr, npages, flags, NULL, NULL);
}

/* How many pages or DMA addresses @tt still lists (under its BO's lock). */
static unsigned long ub_tt_listed(struct ub_ttm_bo *bo, struct ttm_tt *tt)
{
	unsigned long i, n = 0;

	dma_resv_lock(bo->tbo.base.resv, NULL);
	for (i = 0; i < tt->num_pages; i++)
		n += tt->pages[i] || tt->dma_address[i];
	dma_resv_unlock(bo->tbo.base.resv);
	return n;
}

static struct ttm_device *ub_ttm_device(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	struct ttm_device *bdev = kunit_kzalloc(test, sizeof(*bdev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, bdev);
	KUNIT_ASSERT_EQ(test, ttm_device_init(bdev, &ub_ttm_funcs, priv->dev,
					      priv->devs->drm->anon_inode->i_mapping,
					      priv->devs->drm->vma_offset_manager,
					      false, false), 0);
	return bdev;
}

/* ttm_tt_populate() as TTM calls it: under the BO's reservation. */
static int ub_ttm_populate(struct ub_ttm_bo *bo)
{
	struct ttm_operation_ctx ctx = { };
	int ret;

	dma_resv_lock(bo->tbo.base.resv, NULL);
	ret = ttm_tt_populate(bo->tbo.bdev, bo->tbo.ttm, &ctx);
	dma_resv_unlock(bo->tbo.base.resv);
	return ret;
}

static void ttm_user_bo_ttm_populate(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	struct ttm_device *bdev = ub_ttm_device(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ub_ttm_bo *bo;
	struct ttm_tt *tt;
	unsigned long i, bad = 0;

	ub_fill(test, addr, UB_PAGES, 0x6060);
	bo = ub_ttm_bo_create(test, bdev, addr, UB_PAGES, 0);
	tt = bo->tbo.ttm;
	KUNIT_ASSERT_NOT_NULL(test, tt);
	KUNIT_EXPECT_TRUE(test, tt->page_flags & TTM_TT_FLAG_EXTERNAL);
	KUNIT_EXPECT_FALSE(test, tt->page_flags & TTM_TT_FLAG_EXTERNAL_MAPPABLE);
	KUNIT_EXPECT_FALSE(test, ttm_tt_is_populated(tt));

	/* populate without a snapshot: it never faults, it asks for one */
	KUNIT_EXPECT_EQ(test, ub_ttm_populate(bo), -EAGAIN);

	KUNIT_ASSERT_EQ(test, ttm_user_bo_snapshot(&bo->ubo), 0);
	KUNIT_ASSERT_EQ(test, ub_ttm_populate(bo), 0);
	dma_resv_lock(bo->tbo.base.resv, NULL);
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(tt));
	for (i = 0; i < UB_PAGES; i++) {
		u32 *p = kmap_local_page(tt->pages[i]);

		bad += p[5] != ub_word(i, 5, 0x6060);
		bad += !tt->dma_address[i];
		kunmap_local(p);
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.commits), 1);

	ttm_tt_unpopulate(bdev, tt);
	KUNIT_EXPECT_NULL(test, tt->pages[0]);
	KUNIT_EXPECT_NULL(test, bo->ubo.committed);
	dma_resv_unlock(bo->tbo.base.resv);

	ttm_bo_put(&bo->tbo);
	ttm_device_fini(bdev);
}

static void ttm_user_bo_ttm_invalidate(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	struct ttm_device *bdev = ub_ttm_device(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ub_ttm_bo *bo;

	ub_fill(test, addr, UB_PAGES, 0x7070);
	bo = ub_ttm_bo_create(test, bdev, addr, UB_PAGES, TTM_USER_BO_PINNED);
	KUNIT_EXPECT_FALSE(test, bo->tbo.ttm->page_flags & TTM_TT_FLAG_EXTERNAL_MAPPABLE);
	KUNIT_ASSERT_EQ(test, ttm_user_bo_snapshot(&bo->ubo), 0);
	KUNIT_ASSERT_EQ(test, ub_ttm_populate(bo), 0);
	KUNIT_EXPECT_TRUE(test, ub_valid(&bo->ubo));

	KUNIT_ASSERT_EQ(test, vm_munmap(addr, UB_PAGES << PAGE_SHIFT), 0);
	KUNIT_EXPECT_FALSE(test, ub_valid(&bo->ubo));
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.invalidations), 1);
	/* pinned pages stay in the tt until released */
	dma_resv_lock(bo->tbo.base.resv, NULL);
	KUNIT_EXPECT_NOT_NULL(test, bo->tbo.ttm->pages[0]);
	dma_resv_unlock(bo->tbo.base.resv);

	/* BO destroyed with its mm alive but the range gone. */
	ttm_bo_put(&bo->tbo);
	ttm_device_fini(bdev);
}

/* After an invalidation the tt lists no page that may have been freed. */
static void ttm_user_bo_ttm_stale_pages(struct kunit *test)
{
	struct ttm_device *bdev = ub_ttm_device(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ub_ttm_bo *bo;
	struct ttm_tt *tt;

	ub_fill(test, addr, UB_PAGES, 0x7171);
	bo = ub_ttm_bo_create(test, bdev, addr, UB_PAGES, 0);
	tt = bo->tbo.ttm;
	KUNIT_EXPECT_FALSE(test, tt->page_flags & TTM_TT_FLAG_EXTERNAL_MAPPABLE);
	KUNIT_ASSERT_EQ(test, ttm_user_bo_snapshot(&bo->ubo), 0);
	KUNIT_ASSERT_EQ(test, ub_ttm_populate(bo), 0);

	KUNIT_ASSERT_EQ(test, vm_munmap(addr, UB_PAGES << PAGE_SHIFT), 0);
	KUNIT_EXPECT_EQ_MSG(test, ub_tt_listed(bo, tt), 0,
			    "the tt still lists pages the notifier unmapped");

	ttm_bo_put(&bo->tbo);
	ttm_device_fini(bdev);
}

/* Pages committed through the core before TTM creates the tt. */
static void ttm_user_bo_ttm_late_tt(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	struct ttm_device *bdev = ub_ttm_device(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ub_ttm_bo *bo;
	struct ttm_tt *tt;

	ub_fill(test, addr, UB_PAGES, 0x5050);
	bo = ub_ttm_bo_create(test, bdev, addr, UB_PAGES, 0);
	dma_resv_lock(bo->tbo.base.resv, NULL);
	/* drop the tt TTM made at init, commit with none attached ... */
	ttm_tt_destroy(bdev, bo->tbo.ttm);
	bo->tbo.ttm = NULL;
	KUNIT_EXPECT_NULL(test, bo->ubo.tt);
	dma_resv_unlock(bo->tbo.base.resv);
	KUNIT_ASSERT_EQ(test, ub_snap_commit(&bo->ubo), 0);

	/* ... then a new tt gets the already committed pages. */
	dma_resv_lock(bo->tbo.base.resv, NULL);
	KUNIT_ASSERT_EQ(test, ttm_tt_create(&bo->tbo, false), 0);
	dma_resv_unlock(bo->tbo.base.resv);
	KUNIT_ASSERT_EQ(test, ub_ttm_populate(bo), 0);
	dma_resv_lock(bo->tbo.base.resv, NULL);
	tt = bo->tbo.ttm;
	KUNIT_EXPECT_EQ(test, ub_stat(&priv->udev.stats.commits), 1);
	KUNIT_ASSERT_NOT_NULL(test, tt->pages[UB_PAGES - 1]);
	{
		u32 *p = kmap_local_page(tt->pages[UB_PAGES - 1]);

		KUNIT_EXPECT_EQ(test, p[7], ub_word(UB_PAGES - 1, 7, 0x5050));
		kunmap_local(p);
	}
	KUNIT_EXPECT_NE(test, tt->dma_address[0], 0);
	dma_resv_unlock(bo->tbo.base.resv);

	ttm_bo_put(&bo->tbo);
	ttm_device_fini(bdev);
}

/*
 * A busy BO gutted by ttm_bo_validate() with no placement: TTM hands the
 * populated tt to a ghost object, destroyed once the job is done. The
 * ghost's tt must not release the live BO's pages.
 */
static void ttm_user_bo_ttm_ghost(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	struct ttm_device *bdev = ub_ttm_device(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ttm_placement none = { };
	struct ttm_operation_ctx ctx = { };
	struct ub_ttm_bo *bo;
	struct ttm_tt *old;

	ub_fill(test, addr, UB_PAGES, 0x6161);
	bo = ub_ttm_bo_create(test, bdev, addr, UB_PAGES, 0);
	KUNIT_ASSERT_EQ(test, ttm_user_bo_snapshot(&bo->ubo), 0);
	KUNIT_ASSERT_EQ(test, ub_ttm_populate(bo), 0);
	old = bo->tbo.ttm;

	/* a job still runs on the BO */
	priv->fence = ub_fence_create(test);
	ub_add_fence(test, bo->tbo.base.resv, priv->fence);

	dma_resv_lock(bo->tbo.base.resv, NULL);
	KUNIT_ASSERT_EQ(test, ttm_bo_validate(&bo->tbo, &none, &ctx), 0);
	KUNIT_EXPECT_PTR_NE(test, bo->tbo.ttm, old);
	KUNIT_EXPECT_PTR_EQ(test, bo->ubo.tt, bo->tbo.ttm);
	dma_resv_unlock(bo->tbo.base.resv);

	/* the ghost is destroyed once the job is done ... */
	dma_fence_signal(priv->fence);
	flush_workqueue(bdev->wq);

	/* ... and leaves the live BO's commit alone */
	KUNIT_EXPECT_TRUE(test, ub_valid(&bo->ubo));
	KUNIT_EXPECT_NOT_NULL(test, bo->ubo.committed);
	ub_expect_pages(test, &bo->ubo, UB_PAGES, 0x6161);

	/* the live BO's new tt gets them when it is populated */
	KUNIT_ASSERT_EQ(test, ub_ttm_populate(bo), 0);
	dma_resv_lock(bo->tbo.base.resv, NULL);
	KUNIT_EXPECT_NOT_NULL(test, bo->tbo.ttm->pages[UB_PAGES - 1]);
	dma_resv_unlock(bo->tbo.base.resv);

	ttm_bo_put(&bo->tbo);
	ttm_device_fini(bdev);
}

/*
 * A pipelined move of a busy BO to memory without a tt: TTM hands the tt
 * to the ghost (ttm_bo_move_to_ghost()) while it is still the user BO's
 * tt. Destroying the ghost must release nothing: the tt is no longer its
 * TTM BO's.
 */
static void ttm_user_bo_ttm_ghost_move(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	struct ttm_device *bdev = ub_ttm_device(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ttm_place vram = { .mem_type = TTM_PL_VRAM };
	struct ttm_placement placement = { .num_placement = 1, .placement = &vram };
	struct ttm_operation_ctx ctx = { };
	struct ub_ttm_bo *bo;
	struct ttm_tt *old;

	KUNIT_ASSERT_EQ(test, ttm_range_man_init(bdev, TTM_PL_VRAM, false,
						 4 * UB_PAGES), 0);
	ub_fill(test, addr, UB_PAGES, 0x6262);
	bo = ub_ttm_bo_create(test, bdev, addr, UB_PAGES, 0);
	KUNIT_ASSERT_EQ(test, ttm_user_bo_snapshot(&bo->ubo), 0);
	KUNIT_ASSERT_EQ(test, ub_ttm_populate(bo), 0);
	old = bo->tbo.ttm;

	/* the copy job of the move, still running */
	priv->fence = ub_fence_create(test);
	bo->move_fence = priv->fence;
	dma_resv_lock(bo->tbo.base.resv, NULL);
	KUNIT_ASSERT_EQ(test, ttm_bo_validate(&bo->tbo, &placement, &ctx), 0);
	KUNIT_EXPECT_NULL(test, bo->tbo.ttm);
	dma_resv_unlock(bo->tbo.base.resv);
	bo->move_fence = NULL;
	KUNIT_EXPECT_PTR_EQ(test, bo->ubo.tt, old);

	dma_fence_signal(priv->fence);
	flush_workqueue(bdev->wq);

	/* the ghost released nothing, and detached its tt */
	KUNIT_EXPECT_TRUE(test, ub_valid(&bo->ubo));
	KUNIT_EXPECT_NULL(test, bo->ubo.tt);
	ub_expect_pages(test, &bo->ubo, UB_PAGES, 0x6262);

	ttm_bo_put(&bo->tbo);
	ttm_range_man_fini(bdev, TTM_PL_VRAM);
	ttm_device_fini(bdev);
}

static int ub_bo_mmap(struct file *file, struct vm_area_struct *vma)
{
	/* mmap_region() left the dummy ops; TTM installs its own on NULL */
	vma->vm_ops = NULL;
	return ttm_bo_mmap_obj(vma, file->private_data);
}

static const struct file_operations ub_bo_fops = {
	.owner = THIS_MODULE,
	.mmap = ub_bo_mmap,
};

/*
 * TTM never maps a user BO to the CPU: its tt is never EXTERNAL_MAPPABLE,
 * even when the driver's ttm_tt_create passes the flag, so a CPU fault
 * through the BO's mmap raises SIGBUS instead of reaching pages that an
 * invalidation or a release may free.
 */
static void ttm_user_bo_ttm_no_cpu_map(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	struct ttm_device *bdev = ub_ttm_device(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ttm_user_tt utt = { };
	struct ub_ttm_bo *bo;
	struct file *file;
	unsigned long map;
	u32 word;

	ub_fill(test, addr, UB_PAGES, 0x9191);
	bo = ub_ttm_bo_create(test, bdev, addr, UB_PAGES, TTM_USER_BO_PINNED);
	KUNIT_ASSERT_EQ(test, ttm_user_bo_snapshot(&bo->ubo), 0);
	KUNIT_ASSERT_EQ(test, ub_ttm_populate(bo), 0);

	/* the BO's mmap, as drm_gem_mmap() sets it up */
	file = anon_inode_getfile("ttm_user_bo_test", &ub_bo_fops, &bo->tbo, O_RDWR);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	file->f_mapping = priv->devs->drm->anon_inode->i_mapping;
	map = vm_mmap(file, 0, UB_PAGES << PAGE_SHIFT, PROT_READ, MAP_SHARED,
		      drm_vma_node_offset_addr(&bo->tbo.base.vma_node));
	fput(file);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(map));
	KUNIT_EXPECT_NE_MSG(test, copy_from_user(&word, (void __user *)map, sizeof(word)),
			    0, "a CPU fault through TTM reached a user BO's pages");
	KUNIT_ASSERT_EQ(test, vm_munmap(map, UB_PAGES << PAGE_SHIFT), 0);

	/* a driver asking for a CPU-mappable tt does not get one */
	dma_resv_lock(bo->tbo.base.resv, NULL);
	KUNIT_ASSERT_EQ(test, ttm_user_tt_init(&utt, &bo->tbo, &bo->ubo,
					       TTM_TT_FLAG_EXTERNAL_MAPPABLE), 0);
	KUNIT_EXPECT_TRUE(test, utt.ttm.page_flags & TTM_TT_FLAG_EXTERNAL);
	KUNIT_EXPECT_FALSE(test, utt.ttm.page_flags & TTM_TT_FLAG_EXTERNAL_MAPPABLE);
	ttm_user_tt_fini(&utt);
	dma_resv_unlock(bo->tbo.base.resv);

	ttm_bo_put(&bo->tbo);
	ttm_device_fini(bdev);
}

/*
 * ttm_bo_pipeline_gutting()'s error path: TTM creates a new tt (it becomes
 * the user BO's), the transfer to the ghost fails, the new tt is destroyed
 * and the old one stays the BO's. It must be the user BO's again, so an
 * invalidation takes the pages out of it.
 */
static void ttm_user_bo_ttm_gutting_error(struct kunit *test)
{
	struct ttm_device *bdev = ub_ttm_device(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ub_ttm_bo *bo;
	struct ttm_tt *old, *tmp;

	ub_fill(test, addr, UB_PAGES, 0x9494);
	bo = ub_ttm_bo_create(test, bdev, addr, UB_PAGES, 0);
	old = bo->tbo.ttm;
	KUNIT_ASSERT_EQ(test, ttm_user_bo_snapshot(&bo->ubo), 0);
	KUNIT_ASSERT_EQ(test, ub_ttm_populate(bo), 0);
	KUNIT_ASSERT_NOT_NULL(test, old->pages[0]);

	dma_resv_lock(bo->tbo.base.resv, NULL);
	tmp = ttm_user_tt_create(&bo->tbo, &bo->ubo, 0);
	KUNIT_ASSERT_NOT_NULL(test, tmp);
	/* meanwhile the BO's tt is detached: populating it would publish nothing */
	KUNIT_EXPECT_EQ(test, ttm_user_tt_populate(bdev, old, NULL), -EINVAL);
	ttm_user_tt_destroy(bdev, tmp);
	KUNIT_EXPECT_PTR_EQ(test, bo->ubo.tt, old);
	/* a commit publishes the still valid pages to it again */
	KUNIT_EXPECT_EQ(test, ttm_user_bo_commit(&bo->ubo), 0);
	KUNIT_EXPECT_NOT_NULL(test, old->pages[0]);
	dma_resv_unlock(bo->tbo.base.resv);

	KUNIT_ASSERT_EQ(test, vm_munmap(addr, UB_PAGES << PAGE_SHIFT), 0);
	KUNIT_EXPECT_EQ_MSG(test, ub_tt_listed(bo, old), 0,
			    "the BO's tt kept pages the notifier unmapped");

	ttm_bo_put(&bo->tbo);
	ttm_device_fini(bdev);
}

/* counts releases of a user BO embedded in a TTM BO (not in ub_priv) */
static void ub_ttm_hook_release(struct ttm_user_bo *ubo)
{
	atomic_inc(&ub(kunit_get_current_test())->release_calls);
}

static const struct ttm_user_bo_ops ub_ttm_ops = {
	.release = ub_ttm_hook_release,
};

/*
 * TTM destroys a BO whose reservation object is shared (here the user BO's
 * too) under the BO's individual one (ttm_bo_individualize_resv()); the
 * unpopulate that releases the user pages must accept that.
 */
static void ttm_user_bo_ttm_shared_resv(struct kunit *test)
{
	struct ub_priv *priv = ub(test);
	struct ttm_device *bdev = ub_ttm_device(test);
	unsigned long addr = ub_anon(test, UB_PAGES);
	struct ub_ttm_bo *bo;
	long released;

	ub_fill(test, addr, UB_PAGES, 0x9393);
	bo = __ub_ttm_bo_create(test, bdev, addr, UB_PAGES, 0, &ub_ttm_ops,
				&priv->resv);
	KUNIT_ASSERT_EQ(test, ttm_user_bo_snapshot(&bo->ubo), 0);
	KUNIT_ASSERT_EQ(test, ub_ttm_populate(bo), 0);
	KUNIT_EXPECT_TRUE(test, ub_valid(&bo->ubo));

	released = atomic_read(&priv->release_calls);
	ttm_bo_put(&bo->tbo);
	/* the BO was idle: TTM destroyed it at once, releasing the pages */
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->release_calls), released + 1);
	ttm_device_fini(bdev);
}

static struct kunit_case ttm_user_bo_ttm_cases[] = {
	KUNIT_CASE(ttm_user_bo_ttm_ghost),
	KUNIT_CASE(ttm_user_bo_ttm_ghost_move),
	KUNIT_CASE(ttm_user_bo_ttm_populate),
	KUNIT_CASE(ttm_user_bo_ttm_late_tt),
	KUNIT_CASE(ttm_user_bo_ttm_invalidate),
	KUNIT_CASE(ttm_user_bo_ttm_stale_pages),
	KUNIT_CASE(ttm_user_bo_ttm_no_cpu_map),
	KUNIT_CASE(ttm_user_bo_ttm_shared_resv),
	KUNIT_CASE(ttm_user_bo_ttm_gutting_error),
	{}
};

static struct kunit_suite ttm_user_bo_ttm_suite = {
	.name = "ttm_user_bo_ttm",
	.init = ub_test_init,
	.exit = ub_test_exit,
	.test_cases = ttm_user_bo_ttm_cases,
};

kunit_test_suites(&ttm_user_bo_core_suite, &ttm_user_bo_ttm_suite);

MODULE_DESCRIPTION("KUnit tests for ttm_user_bo");
MODULE_LICENSE("GPL and additional rights");
