// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Benchmark of ttm_user_bo against the userptr paths it replaces.
 *
 * Not a test: a KUnit suite only so that it runs on real user memory
 * (kunit_vm_mmap()) in a kernel built for it (testbed/configs/bench.config,
 * run by testbed/bench.sh). Every point prints one "bench:" line; the host
 * turns them into bench/results.json and a plot. The suite checks what the
 * paths produce (return codes, sg entries, counters), never a time.
 *
 * Paths, each timed from nothing to a DMA-mapped table (release_ns is the
 * teardown, timed separately):
 *
 * helper-mirror, helper-pinned: ttm_user_bo_snapshot() + ttm_user_bo_commit()
 *	under the reservation; teardown ttm_user_bo_release_pages().
 * gup: i915 6.12's sequence (i915_gem_object_userptr_submit_init() and
 *	i915_gem_userptr_get_pages()): kvmalloc the page vector,
 *	pin_user_pages_fast(), sg_alloc_table_from_pages_segment(),
 *	dma_map_sg_attrs(); teardown i915_gem_userptr_put_pages(): unmap,
 *	set_page_dirty() under trylock_page(), mark_page_accessed(), free the
 *	table, unpin_user_pages().
 * amdgpu: amdgpu 6.12's sequence (amdgpu_ttm_tt_get_user_pages(),
 *	amdgpu_hmm_range_get_pages(), amdgpu_ttm_tt_pin_userptr()): kvmalloc
 *	the pfns, hmm_range_fault() over the range under the mmap_lock, pages
 *	into the tt's page array, the sequence check, sg_alloc_table_from_pages(),
 *	dma_map_sgtable(), drm_prime_sg_to_dma_addr_array(); teardown
 *	dma_unmap_sgtable() and sg_free_table(). The tt's arrays live as long
 *	as the BO, so they are allocated once.
 * bare: the floor, mmu_interval_read_begin() and one hmm_range_fault()
 *	over the range into a preallocated pfn array, no sg-table.
 * revalidate: snapshot + commit of a committed BO whose sequence has not
 *	moved (the fast path).
 * notifier: the helper's interval-notifier callback alone, called directly
 *	on a committed BO, as the mm calls it for an unmap.
 * invalidate: munmap() of an idle, committed BO's range.
 * contention, contention-invalidate: threads committing distinct BOs of one
 *	device; time per commit cycle against the number of threads, without
 *	and with another thread invalidating a BO of the same device.
 */
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/hmm.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/sort.h>
#include <linux/swap.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>

#include <kunit/device.h>
#include <kunit/test.h>

#include <drm/drm_prime.h>
#include <drm/ttm/ttm_user_bo.h>

static unsigned int budget_ms = 2000;
module_param(budget_ms, uint, 0444);
MODULE_PARM_DESC(budget_ms, "time per path and point after the minimum runs (ms)");

static unsigned int min_runs = 5;
module_param(min_runs, uint, 0444);
MODULE_PARM_DESC(min_runs, "least timed runs per path and point");

static unsigned int max_runs = 101;
module_param(max_runs, uint, 0444);
MODULE_PARM_DESC(max_runs, "most timed runs per path and point");

static unsigned long max_size = SZ_1G;
module_param(max_size, ulong, 0444);
MODULE_PARM_DESC(max_size, "largest BO size measured (bytes)");

/* the snapshot's header in ttm_user_bo.c: its sequence and pinned flag */
#define BENCH_SNAPSHOT_HEADER 16

struct bench_path;

/* The timed runs of one path at one point, and what it produced */
struct bench_result {
	const struct bench_path *path;
	u64 *t_run;
	u64 *t_post;
	u64 *t_snap;
	unsigned int sg_entries;
	unsigned long bookkeeping;
	/* the snapshot's part of a helper run, 0 for other paths */
	u64 snapshot_ns;
};

struct bench_point {
	struct kunit *test;
	struct device *dev;
	struct device_dma_parameters dma_parms;
	u64 dma_mask;
	struct ttm_user_bo_device udev;
	struct mm_struct *mm;

	unsigned long addr;
	unsigned long size;
	unsigned long npages;
	bool thp;
	bool unmapped;

	/* one reservation object for both BOs */
	struct dma_resv resv;
	struct ttm_user_bo ubo;
	bool ubo_live;
	struct ttm_user_bo ubo_pinned;
	bool pinned_live;

	/* the drivers' paths: their own interval notifier */
	struct mmu_interval_notifier mni;
	/* the drivers' notifier lock: mmu_interval_set_seq() against the check */
	struct mutex mni_lock;
	bool mni_live;
	unsigned long *pfns;
	struct page **pages;
	dma_addr_t *dma_addr;
	struct sg_table st;
	struct page **pvec;

	/* the path being run */
	struct bench_result *res;
};

struct bench_param {
	bool thp;
	unsigned long size;
};

static const struct bench_param bench_params[] = {
	{ false, SZ_4K }, { false, SZ_64K }, { false, SZ_1M }, { false, SZ_2M },
	{ false, SZ_16M }, { false, SZ_64M }, { false, SZ_256M }, { false, SZ_1G },
	{ true, SZ_4K }, { true, SZ_64K }, { true, SZ_1M }, { true, SZ_2M },
	{ true, SZ_16M }, { true, SZ_64M }, { true, SZ_256M }, { true, SZ_1G },
};

static void bench_param_desc(const struct bench_param *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s-%luk", p->thp ? "thp" : "4k",
		 p->size >> 10);
}

KUNIT_ARRAY_PARAM(bench, bench_params, bench_param_desc);

static int bench_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* The bytes sg_alloc_table() allocates for @nents entries (chained chunks). */
static unsigned long bench_sgt_bytes(unsigned int nents)
{
	unsigned long left = nents, total = 0;

	while (left) {
		unsigned long alloc = left, used = left;

		if (alloc > SG_MAX_SINGLE_ALLOC) {
			alloc = SG_MAX_SINGLE_ALLOC;
			used = alloc - 1;
		}
		left -= used;
		total += alloc;
	}
	return total * sizeof(struct scatterlist);
}

static void bench_device(struct kunit *test, struct bench_point *pt)
{
	pt->test = test;
	pt->dev = kunit_device_register(test, "ttm_user_bo_bench");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pt->dev);
	pt->dma_mask = DMA_BIT_MASK(64);
	pt->dev->dma_mask = &pt->dma_mask;
	pt->dev->coherent_dma_mask = DMA_BIT_MASK(64);
	pt->dev->dma_parms = &pt->dma_parms;
	/* as a GPU: segments as large as the DMA layer maps */
	dma_set_max_seg_size(pt->dev, UINT_MAX);
	ttm_user_bo_device_init(&pt->udev, pt->dev);
}

/* Map @size bytes (2 MiB aligned, THP or 4 KiB pages) at @pt->addr. */
static int bench_map(struct bench_point *pt, unsigned long fixed,
		     unsigned long size)
{
	int advice = pt->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE;
	unsigned long addr;

	if (fixed)
		addr = vm_mmap(NULL, fixed, size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	else
		addr = kunit_vm_mmap(pt->test, NULL, 0, size + SZ_2M,
				     PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(addr) || !addr)
		return -ENOMEM;
	addr = ALIGN(addr, SZ_2M);
	if (fixed && addr != fixed)
		return -EINVAL;
	/* kunit_vm_mmap() gave the test thread an mm */
	pt->mm = current->mm;
	pt->addr = addr;
	return do_madvise(pt->mm, addr, size, advice);
}

/* --- the helper ---------------------------------------------------------- */

static void bench_ubo_fini(struct ttm_user_bo *ubo, bool *live)
{
	if (*live) {
		dma_resv_lock(ubo->resv, NULL);
		ttm_user_bo_release_pages(ubo);
		dma_resv_unlock(ubo->resv);
		ttm_user_bo_fini(ubo);
	}
	*live = false;
}

static int bench_commit(struct ttm_user_bo *ubo)
{
	int ret;

	dma_resv_lock(ubo->resv, NULL);
	ret = ttm_user_bo_commit(ubo);
	dma_resv_unlock(ubo->resv);
	return ret;
}

static int bench_helper_run(struct bench_point *pt, struct ttm_user_bo *ubo)
{
	struct bench_result *res = pt->res;
	struct ttm_user_bo_info info;
	u64 t0 = ktime_get_ns();
	int ret;

	ret = ttm_user_bo_snapshot(ubo);
	res->snapshot_ns = ktime_get_ns() - t0;
	if (ret)
		return ret;
	dma_resv_lock(&pt->resv, NULL);
	ret = ttm_user_bo_commit(ubo);
	ttm_user_bo_get_info(ubo, &info);
	dma_resv_unlock(&pt->resv);
	res->sg_entries = info.sg_entries;
	/* the BO, its snapshot (page array) and its refcounted sg-table */
	res->bookkeeping = sizeof(*ubo) + BENCH_SNAPSHOT_HEADER +
		pt->npages * sizeof(struct page *) +
		sizeof(struct ttm_refct_sgt) + bench_sgt_bytes(info.sg_entries);
	return ret;
}

static int bench_mirror_run(struct bench_point *pt)
{
	return bench_helper_run(pt, &pt->ubo);
}

static int bench_pinned_run(struct bench_point *pt)
{
	return bench_helper_run(pt, &pt->ubo_pinned);
}

static int bench_helper_post(struct bench_point *pt, struct ttm_user_bo *ubo)
{
	dma_resv_lock(&pt->resv, NULL);
	ttm_user_bo_release_pages(ubo);
	dma_resv_unlock(&pt->resv);
	return 0;
}

static int bench_mirror_post(struct bench_point *pt)
{
	return bench_helper_post(pt, &pt->ubo);
}

static int bench_pinned_post(struct bench_point *pt)
{
	return bench_helper_post(pt, &pt->ubo_pinned);
}

/* Snapshot and commit, untimed: the BO holds mapped pages. */
static int bench_helper_prep(struct bench_point *pt)
{
	int ret;

	if (pt->unmapped) {
		ret = bench_map(pt, pt->addr, round_up(pt->size, SZ_2M));
		if (ret)
			return ret;
		pt->unmapped = false;
	}
	ret = ttm_user_bo_snapshot(&pt->ubo);
	return ret ?: bench_commit(&pt->ubo);
}

static int bench_revalidate_run(struct bench_point *pt)
{
	int ret = ttm_user_bo_snapshot(&pt->ubo);

	return ret ?: bench_commit(&pt->ubo);
}

static int bench_notifier_run(struct bench_point *pt)
{
	struct mmu_interval_notifier *mni = &pt->ubo.notifier;
	struct mmu_notifier_range range = {
		.mm = pt->mm,
		.start = pt->addr,
		.end = pt->addr + pt->size,
		.flags = MMU_NOTIFIER_RANGE_BLOCKABLE,
		.event = MMU_NOTIFY_UNMAP,
	};
	/*
	 * An odd sequence below the mm's current one: it moves the BO's
	 * sequence as an unmap would, and mmu_interval_read_begin() never
	 * takes it for an invalidation in progress.
	 */
	unsigned long seq = READ_ONCE(mni->invalidate_seq) - 2;

	return mni->ops->invalidate(mni, &range, seq) ? 0 : -EBUSY;
}

/* munmap() of the whole 2 MiB-aligned area, so THP comes back on remap */
static int bench_munmap_run(struct bench_point *pt)
{
	int ret = vm_munmap(pt->addr, round_up(pt->size, SZ_2M));

	pt->unmapped = !ret;
	return ret;
}

/* --- i915 6.12: pin_user_pages_fast() ------------------------------------ */

static int bench_gup_run(struct bench_point *pt)
{
	unsigned int max_segment = rounddown(min_t(size_t, UINT_MAX,
						   dma_max_mapping_size(pt->dev)),
					     PAGE_SIZE);
	unsigned long pinned = 0;
	int ret;

	pt->pvec = kvmalloc_array(pt->npages, sizeof(*pt->pvec), GFP_KERNEL);
	if (!pt->pvec)
		return -ENOMEM;
	mmu_interval_read_begin(&pt->mni);
	while (pinned < pt->npages) {
		ret = pin_user_pages_fast(pt->addr + pinned * PAGE_SIZE,
					  pt->npages - pinned, FOLL_WRITE,
					  pt->pvec + pinned);
		if (ret < 0)
			goto err_unpin;
		pinned += ret;
	}
	ret = sg_alloc_table_from_pages_segment(&pt->st, pt->pvec, pt->npages,
						0, pt->size, max_segment,
						GFP_KERNEL);
	if (ret)
		goto err_unpin;
	if (!dma_map_sg_attrs(pt->dev, pt->st.sgl, pt->st.nents,
			      DMA_BIDIRECTIONAL,
			      DMA_ATTR_SKIP_CPU_SYNC | DMA_ATTR_NO_KERNEL_MAPPING |
			      DMA_ATTR_NO_WARN)) {
		ret = -ENOMEM;
		sg_free_table(&pt->st);
		goto err_unpin;
	}
	pt->res->sg_entries = pt->st.nents;
	/* i915 keeps the page vector and the table */
	pt->res->bookkeeping = pt->npages * sizeof(struct page *) +
		bench_sgt_bytes(pt->st.orig_nents);
	return 0;

err_unpin:
	unpin_user_pages(pt->pvec, pinned);
	kvfree(pt->pvec);
	pt->pvec = NULL;
	return ret;
}

static int bench_gup_post(struct bench_point *pt)
{
	struct sg_page_iter iter;

	dma_unmap_sg(pt->dev, pt->st.sgl, pt->st.orig_nents, DMA_BIDIRECTIONAL);
	for_each_sgtable_page(&pt->st, &iter, 0) {
		struct page *page = sg_page_iter_page(&iter);

		if (trylock_page(page)) {
			set_page_dirty(page);
			unlock_page(page);
		}
		mark_page_accessed(page);
	}
	sg_free_table(&pt->st);
	unpin_user_pages(pt->pvec, pt->npages);
	kvfree(pt->pvec);
	pt->pvec = NULL;
	return 0;
}

/* --- amdgpu 6.12: hmm_range_fault() -------------------------------------- */

static int bench_hmm_fault(struct bench_point *pt, struct hmm_range *range)
{
	int ret;

	do {
		range->notifier_seq = mmu_interval_read_begin(&pt->mni);
		mmap_read_lock(pt->mm);
		ret = hmm_range_fault(range);
		mmap_read_unlock(pt->mm);
	} while (ret == -EBUSY);
	return ret;
}

static int bench_amdgpu_run(struct bench_point *pt)
{
	struct hmm_range range = {
		.notifier = &pt->mni,
		.start = pt->addr,
		.end = pt->addr + pt->size,
		.default_flags = HMM_PFN_REQ_FAULT | HMM_PFN_REQ_WRITE,
	};
	unsigned long *pfns, i;
	bool stale;
	int ret;

	pfns = kvmalloc_array(pt->npages, sizeof(*pfns), GFP_KERNEL);
	if (!pfns)
		return -ENOMEM;
	range.hmm_pfns = pfns;
	ret = bench_hmm_fault(pt, &range);
	if (ret)
		goto out;
	for (i = 0; i < pt->npages; i++)
		pt->pages[i] = hmm_pfn_to_page(pfns[i]);

	mutex_lock(&pt->mni_lock);
	stale = mmu_interval_read_retry(&pt->mni, range.notifier_seq);
	mutex_unlock(&pt->mni_lock);
	if (stale) {
		ret = -EAGAIN;
		goto out;
	}

	ret = sg_alloc_table_from_pages(&pt->st, pt->pages, pt->npages, 0,
					pt->size, GFP_KERNEL);
	if (ret)
		goto out;
	ret = dma_map_sgtable(pt->dev, &pt->st, DMA_BIDIRECTIONAL, 0);
	if (ret) {
		sg_free_table(&pt->st);
		goto out;
	}
	drm_prime_sg_to_dma_addr_array(&pt->st, pt->dma_addr, pt->npages);
	pt->res->sg_entries = pt->st.nents;
	/* the tt's page and DMA address arrays and the table */
	pt->res->bookkeeping = pt->npages * (sizeof(struct page *) + sizeof(dma_addr_t)) +
		bench_sgt_bytes(pt->st.orig_nents);
out:
	kvfree(pfns);
	return ret;
}

static int bench_amdgpu_post(struct bench_point *pt)
{
	dma_unmap_sgtable(pt->dev, &pt->st, DMA_BIDIRECTIONAL, 0);
	sg_free_table(&pt->st);
	return 0;
}

static int bench_bare_run(struct bench_point *pt)
{
	struct hmm_range range = {
		.notifier = &pt->mni,
		.start = pt->addr,
		.end = pt->addr + pt->size,
		.hmm_pfns = pt->pfns,
		.default_flags = HMM_PFN_REQ_FAULT | HMM_PFN_REQ_WRITE,
	};

	return bench_hmm_fault(pt, &range);
}

static bool bench_mni_invalidate(struct mmu_interval_notifier *mni,
				 const struct mmu_notifier_range *range,
				 unsigned long cur_seq)
{
	struct bench_point *pt = container_of(mni, struct bench_point, mni);

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&pt->mni_lock);
	else if (!mutex_trylock(&pt->mni_lock))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&pt->mni_lock);
	return true;
}

static const struct mmu_interval_notifier_ops bench_mni_ops = {
	.invalidate = bench_mni_invalidate,
};

/* --- the measurement loop -------------------------------------------------- */

struct bench_path {
	const char *name;
	/* untimed, before each run */
	int (*prep)(struct bench_point *pt);
	/* timed */
	int (*run)(struct bench_point *pt);
	/* timed apart (release_ns), after each run */
	int (*post)(struct bench_point *pt);
};

static const struct bench_path bench_path_bare = {
	"bare", NULL, bench_bare_run, NULL
};

static const struct bench_path bench_path_amdgpu = {
	"amdgpu", NULL, bench_amdgpu_run, bench_amdgpu_post
};

static const struct bench_path bench_path_gup = {
	"gup", NULL, bench_gup_run, bench_gup_post
};

static const struct bench_path bench_path_pinned = {
	"helper-pinned", NULL, bench_pinned_run, bench_pinned_post
};

static const struct bench_path bench_path_mirror = {
	"helper-mirror", NULL, bench_mirror_run, bench_mirror_post
};

/* measured side by side, one run of each in turn */
static const struct bench_path *const bench_paths_sg[] = {
	&bench_path_bare, &bench_path_amdgpu, &bench_path_gup,
	&bench_path_pinned, &bench_path_mirror,
};

static const struct bench_path bench_path_revalidate = {
	"revalidate", NULL, bench_revalidate_run, NULL
};

static const struct bench_path bench_path_notifier = {
	"notifier", bench_helper_prep, bench_notifier_run, NULL
};

static const struct bench_path bench_path_invalidate = {
	"invalidate", bench_helper_prep, bench_munmap_run, NULL
};

static u64 bench_median(u64 *t, unsigned int n)
{
	sort(t, n, sizeof(*t), bench_cmp, NULL);
	return n & 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static void bench_once(struct bench_point *pt, struct bench_result *res,
		       unsigned int n)
{
	const struct bench_path *path = res->path;
	struct kunit *test = pt->test;
	u64 t0, t1, t2;

	pt->res = res;
	if (path->prep)
		KUNIT_ASSERT_EQ_MSG(test, path->prep(pt), 0, "%s prep", path->name);
	t0 = ktime_get_ns();
	KUNIT_ASSERT_EQ_MSG(test, path->run(pt), 0, "%s", path->name);
	t1 = ktime_get_ns();
	if (path->post)
		KUNIT_ASSERT_EQ_MSG(test, path->post(pt), 0, "%s post", path->name);
	t2 = ktime_get_ns();
	res->t_run[n] = t1 - t0;
	res->t_post[n] = t2 - t1;
	res->t_snap[n] = res->snapshot_ns;
	cond_resched();
}

/*
 * Time @npaths paths side by side: one warm-up run of each, then rounds of
 * one timed run of each in turn, so that whatever else the machine does
 * falls on every path alike; at least min_runs rounds, then more until
 * budget_ms per path has passed or max_runs rounds are done. Prints one
 * "bench:" line per path and returns the results (test-managed memory).
 */
static struct bench_result *bench_measure(struct bench_point *pt,
					  const struct bench_path *const *paths,
					  unsigned int npaths)
{
	struct kunit *test = pt->test;
	struct bench_result *res;
	unsigned int i, n;
	u64 start;

	res = kunit_kcalloc(test, npaths, sizeof(*res), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, res);
	for (i = 0; i < npaths; i++) {
		res[i].path = paths[i];
		res[i].t_run = kunit_kcalloc(test, max_runs + 1, sizeof(u64), GFP_KERNEL);
		res[i].t_post = kunit_kcalloc(test, max_runs + 1, sizeof(u64), GFP_KERNEL);
		res[i].t_snap = kunit_kcalloc(test, max_runs + 1, sizeof(u64), GFP_KERNEL);
		KUNIT_ASSERT_TRUE(test, res[i].t_run && res[i].t_post && res[i].t_snap);
		/* warm-up, into the spare slot */
		bench_once(pt, &res[i], max_runs);
	}

	start = ktime_get_ns();
	for (n = 0; n < max_runs; n++) {
		if (n >= min_runs &&
		    ktime_get_ns() - start > (u64)budget_ms * npaths * NSEC_PER_MSEC)
			break;
		for (i = 0; i < npaths; i++)
			bench_once(pt, &res[i], n);
	}

	for (i = 0; i < npaths; i++) {
		u64 med = bench_median(res[i].t_run, n);
		u64 rel = res[i].path->post ? bench_median(res[i].t_post, n) : 0;
		u64 snap = bench_median(res[i].t_snap, n);

		kunit_info(test,
			   "bench: path=%s backing=%s size=%lu threads=1 runs=%u median_ns=%llu min_ns=%llu max_ns=%llu release_ns=%llu snapshot_ns=%llu sg_entries=%u bytes_per_page_milli=%lu\n",
			   res[i].path->name, pt->thp ? "thp" : "4k", pt->size, n,
			   med, res[i].t_run[0], res[i].t_run[n - 1], rel, snap,
			   res[i].sg_entries,
			   res[i].bookkeeping * 1000 / pt->npages);
	}
	return res;
}

static void bench_cleanup(struct bench_point *pt)
{
	bench_ubo_fini(&pt->ubo, &pt->ubo_live);
	bench_ubo_fini(&pt->ubo_pinned, &pt->pinned_live);
	if (pt->mni_live)
		mmu_interval_notifier_remove(&pt->mni);
	pt->mni_live = false;
	dma_resv_fini(&pt->resv);
	kvfree(pt->pfns);
	kvfree(pt->pages);
	kvfree(pt->dma_addr);
}

static void ttm_user_bo_bench_paths(struct kunit *test)
{
	const struct bench_param *param = test->param_value;
	const struct bench_path *single[1];
	struct ttm_user_bo_stats *s;
	struct bench_result *res;
	struct bench_point *pt;
	long fast, walks;

	if (param->size > max_size)
		kunit_skip(test, "larger than max_size (%lu)", max_size);

	pt = kunit_kzalloc(test, sizeof(*pt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pt);
	bench_device(test, pt);
	s = &pt->udev.stats;
	pt->thp = param->thp;
	pt->size = param->size;
	pt->npages = param->size >> PAGE_SHIFT;
	dma_resv_init(&pt->resv);
	mutex_init(&pt->mni_lock);
	/* from here ttm_user_bo_bench_exit() cleans up */
	test->priv = pt;

	pt->pfns = kvmalloc_array(pt->npages, sizeof(*pt->pfns), GFP_KERNEL);
	pt->pages = kvmalloc_array(pt->npages, sizeof(*pt->pages), GFP_KERNEL);
	pt->dma_addr = kvmalloc_array(pt->npages, sizeof(*pt->dma_addr), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, pt->pfns && pt->pages && pt->dma_addr);

	KUNIT_ASSERT_EQ(test, bench_map(pt, 0, round_up(pt->size, SZ_2M)), 0);
	/* fault every page in, writable (and every huge page) */
	KUNIT_ASSERT_EQ(test, clear_user((void __user *)pt->addr, pt->size), 0);

	/* every path that builds a table, side by side */
	KUNIT_ASSERT_EQ(test, mmu_interval_notifier_insert(&pt->mni, pt->mm, pt->addr,
							   pt->size, &bench_mni_ops), 0);
	pt->mni_live = true;
	KUNIT_ASSERT_EQ(test, ttm_user_bo_init(&pt->ubo_pinned, &pt->udev, NULL,
					       &pt->resv, pt->addr, pt->size,
					       TTM_USER_BO_PINNED), 0);
	pt->pinned_live = true;
	KUNIT_ASSERT_EQ(test, ttm_user_bo_init(&pt->ubo, &pt->udev, NULL, &pt->resv,
					       pt->addr, pt->size, 0), 0);
	pt->ubo_live = true;
	walks = atomic_long_read(&s->snapshots);
	res = bench_measure(pt, bench_paths_sg, ARRAY_SIZE(bench_paths_sg));
	/* every helper run walked or pinned */
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->snapshots), walks);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->fast_paths), 0);
	/* the helper's table has the drivers' segments (helper-mirror vs gup) */
	KUNIT_EXPECT_EQ(test, res[4].sg_entries, res[2].sg_entries);
	if (pt->thp)
		/* THP: at most one segment per huge page */
		KUNIT_EXPECT_LE(test, res[4].sg_entries,
				DIV_ROUND_UP(pt->size, SZ_2M));
	KUNIT_EXPECT_LE(test, res[4].sg_entries, pt->npages);

	/* the mirrored BO's notifier alone on the range from here */
	bench_ubo_fini(&pt->ubo_pinned, &pt->pinned_live);
	mmu_interval_notifier_remove(&pt->mni);
	pt->mni_live = false;

	/* the same pages, committed: the fast path, no walk */
	KUNIT_ASSERT_EQ(test, bench_helper_prep(pt), 0);
	walks = atomic_long_read(&s->snapshots);
	fast = atomic_long_read(&s->fast_paths);
	single[0] = &bench_path_revalidate;
	bench_measure(pt, single, 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->snapshots), walks);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->fast_paths), fast);

	walks = atomic_long_read(&s->invalidations);
	single[0] = &bench_path_notifier;
	bench_measure(pt, single, 1);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->invalidations), walks);

	walks = atomic_long_read(&s->invalidations);
	single[0] = &bench_path_invalidate;
	bench_measure(pt, single, 1);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->invalidations), walks);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->nonblock_busy), 0);
}

/* --- contention ------------------------------------------------------------ */

#define BENCH_CONT_SIZE SZ_1M
#define BENCH_CONT_CYCLES 64
#define BENCH_CONT_MAX 4
/* a control cycle: this much arithmetic, no memory, no lock */
#define BENCH_CONT_SPIN 20000

struct bench_shared {
	struct mm_struct *mm;
	atomic_t ready;
	struct completion all_ready;
	struct completion go;
	atomic_t left;
	struct completion done;
	/* the workers spin instead of committing (the control) */
	bool control;
};

struct bench_worker {
	struct bench_shared *sh;
	struct task_struct *task;
	struct dma_resv resv;
	struct ttm_user_bo ubo;
	unsigned long cycles;
	int err;
	/* when this worker started and finished its cycles */
	u64 t_start, t_end;
};

static void bench_wait_stop(void)
{
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
}

static void bench_ready(struct bench_shared *sh)
{
	if (atomic_dec_and_test(&sh->ready))
		complete(&sh->all_ready);
	wait_for_completion(&sh->go);
}

static int bench_cycle(struct ttm_user_bo *ubo)
{
	int ret = ttm_user_bo_snapshot(ubo);

	if (ret)
		return ret;
	dma_resv_lock(ubo->resv, NULL);
	ret = ttm_user_bo_commit(ubo);
	if (!ret)
		ttm_user_bo_release_pages(ubo);
	dma_resv_unlock(ubo->resv);
	return ret;
}

static int bench_worker_fn(void *data)
{
	struct bench_worker *w = data;
	struct bench_shared *sh = w->sh;
	unsigned int i;

	bench_ready(sh);
	w->t_start = ktime_get_ns();
	for (i = 0; i < BENCH_CONT_CYCLES && !w->err; i++) {
		if (sh->control) {
			u64 x = i;
			unsigned int j;

			for (j = 0; j < BENCH_CONT_SPIN; j++) {
				x = x * 6364136223846793005ULL + 1442695040888963407ULL;
				OPTIMIZER_HIDE_VAR(x);
			}
		} else {
			w->err = bench_cycle(&w->ubo);
		}
		w->cycles += !w->err;
	}
	w->t_end = ktime_get_ns();
	if (atomic_dec_and_test(&sh->left))
		complete(&sh->done);
	bench_wait_stop();
	return 0;
}

/* Commit its BO, zap the range (MADV_DONTNEED): the notifier unmaps. */
static int bench_invalidator_fn(void *data)
{
	struct bench_worker *w = data;
	struct bench_shared *sh = w->sh;

	kthread_use_mm(sh->mm);
	bench_ready(sh);
	while (!kthread_should_stop() && !w->err) {
		w->err = ttm_user_bo_snapshot(&w->ubo);
		if (!w->err)
			w->err = bench_commit(&w->ubo);
		if (!w->err)
			w->err = do_madvise(sh->mm, w->ubo.start, BENCH_CONT_SIZE,
					    MADV_DONTNEED);
		w->cycles += !w->err;
		cond_resched();
	}
	kthread_unuse_mm(sh->mm);
	bench_wait_stop();
	return 0;
}

/* One timed run with @nthreads workers (and the invalidator if @inv). */
static u64 bench_cont_run(struct kunit *test, struct bench_shared *sh,
			  struct bench_worker *w, unsigned int nthreads,
			  struct bench_worker *inv)
{
	u64 t0 = U64_MAX, t1 = 0;
	unsigned int i;

	atomic_set(&sh->ready, nthreads + !!inv);
	atomic_set(&sh->left, nthreads);
	init_completion(&sh->all_ready);
	init_completion(&sh->go);
	init_completion(&sh->done);
	for (i = 0; i < nthreads; i++) {
		w[i].cycles = 0;
		w[i].task = kthread_run(bench_worker_fn, &w[i], "ttmub-bench/%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(w[i].task));
	}
	if (inv) {
		inv->task = kthread_run(bench_invalidator_fn, inv, "ttmub-bench/inv");
		KUNIT_ASSERT_FALSE(test, IS_ERR(inv->task));
	}
	wait_for_completion(&sh->all_ready);
	complete_all(&sh->go);
	wait_for_completion(&sh->done);
	for (i = 0; i < nthreads; i++) {
		kthread_stop(w[i].task);
		KUNIT_EXPECT_EQ(test, w[i].err, 0);
		KUNIT_EXPECT_EQ(test, w[i].cycles, BENCH_CONT_CYCLES);
		/*
		 * From the first worker's start to the last one's end, as the
		 * workers saw it: not the latency of waking them up.
		 */
		t0 = min(t0, w[i].t_start);
		t1 = max(t1, w[i].t_end);
	}
	if (inv) {
		kthread_stop(inv->task);
		KUNIT_EXPECT_EQ(test, inv->err, 0);
	}
	return (t1 - t0) / (nthreads * BENCH_CONT_CYCLES);
}

static const unsigned int bench_cont_threads[] = { 1, 2, BENCH_CONT_MAX };

/*
 * 1, 2 and 4 threads each committing (snapshot, commit, release) its own
 * 1 MiB BO of one device, in turn within each round so that the machine's
 * noise falls on every thread count alike; with param true, another thread
 * keeps invalidating a fifth BO of the device (commit, MADV_DONTNEED), so
 * its notifier takes the device's notifier lock for writing.
 */
static void ttm_user_bo_bench_contention(struct kunit *test)
{
	const bool *invalidate = test->param_value;
	unsigned int nbo = BENCH_CONT_MAX + 1, i, k, n;
	struct bench_shared sh = {};
	struct bench_worker *w, *inv;
	struct bench_point *pt;
	u64 *t[ARRAY_SIZE(bench_cont_threads)];
	u64 *c[ARRAY_SIZE(bench_cont_threads)];
	long inv0, inv_cycles = 0;
	u64 start;

	pt = kunit_kzalloc(test, sizeof(*pt), GFP_KERNEL);
	w = kunit_kcalloc(test, nbo, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, pt && w);
	inv = *invalidate ? &w[BENCH_CONT_MAX] : NULL;
	for (k = 0; k < ARRAY_SIZE(t); k++) {
		t[k] = kunit_kcalloc(test, max_runs, sizeof(u64), GFP_KERNEL);
		c[k] = kunit_kcalloc(test, max_runs, sizeof(u64), GFP_KERNEL);
		KUNIT_ASSERT_TRUE(test, t[k] && c[k]);
	}
	bench_device(test, pt);
	pt->size = nbo * BENCH_CONT_SIZE;
	KUNIT_ASSERT_EQ(test, bench_map(pt, 0, pt->size), 0);
	sh.mm = pt->mm;
	KUNIT_ASSERT_EQ(test, clear_user((void __user *)pt->addr, pt->size), 0);

	for (i = 0; i < nbo; i++) {
		w[i].sh = &sh;
		dma_resv_init(&w[i].resv);
		KUNIT_ASSERT_EQ(test, ttm_user_bo_init(&w[i].ubo, &pt->udev, NULL,
						       &w[i].resv,
						       pt->addr + i * BENCH_CONT_SIZE,
						       BENCH_CONT_SIZE, 0), 0);
	}

	inv0 = atomic_long_read(&pt->udev.stats.invalidations);
	start = ktime_get_ns();
	for (n = 0; n < max_runs; n++) {
		if (n >= min_runs &&
		    ktime_get_ns() - start > (u64)budget_ms * 2 * ARRAY_SIZE(t) * NSEC_PER_MSEC)
			break;
		for (k = 0; k < ARRAY_SIZE(t); k++) {
			t[k][n] = bench_cont_run(test, &sh, w, bench_cont_threads[k], inv);
			if (inv) {
				inv_cycles += inv->cycles;
				inv->cycles = 0;
			}
		}
		/* the control: what the vCPUs give threads that share nothing */
		sh.control = !inv;
		for (k = 0; sh.control && k < ARRAY_SIZE(c); k++)
			c[k][n] = bench_cont_run(test, &sh, w, bench_cont_threads[k], NULL);
		sh.control = false;
	}
	if (inv)
		KUNIT_EXPECT_GT(test, atomic_long_read(&pt->udev.stats.invalidations), inv0);

	for (i = 0; i < nbo; i++) {
		bool live = true;

		bench_ubo_fini(&w[i].ubo, &live);
		dma_resv_fini(&w[i].resv);
	}
	for (k = 0; k < ARRAY_SIZE(t); k++) {
		u64 med = bench_median(t[k], n);

		kunit_info(test,
			   "bench: path=%s backing=4k size=%lu threads=%u runs=%u median_ns=%llu min_ns=%llu max_ns=%llu release_ns=0 snapshot_ns=0 sg_entries=0 bytes_per_page_milli=0 invalidations=%ld\n",
			   inv ? "contention-invalidate" : "contention",
			   (unsigned long)BENCH_CONT_SIZE, bench_cont_threads[k], n,
			   med, t[k][0], t[k][n - 1], inv_cycles);
	}
	for (k = 0; !inv && k < ARRAY_SIZE(c); k++) {
		u64 med = bench_median(c[k], n);

		kunit_info(test,
			   "bench: path=contention-control backing=4k size=0 threads=%u runs=%u median_ns=%llu min_ns=%llu max_ns=%llu release_ns=0 snapshot_ns=0 sg_entries=0 bytes_per_page_milli=0\n",
			   bench_cont_threads[k], n, med, c[k][0], c[k][n - 1]);
	}
}

static const bool bench_cont_params[] = { false, true };

static void bench_cont_desc(const bool *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", *p ? "invalidating" : "idle");
}

KUNIT_ARRAY_PARAM(bench_cont, bench_cont_params, bench_cont_desc);

static int ttm_user_bo_bench_suite_init(struct kunit_suite *suite)
{
	pr_info("ttm_user_bo_bench: bench: kernel=%s version=%s budget_ms=%u min_runs=%u max_runs=%u\n",
		init_utsname()->release, init_utsname()->version, budget_ms,
		min_runs, max_runs);
	return 0;
}

static void ttm_user_bo_bench_exit(struct kunit *test)
{
	struct bench_point *pt = test->priv;

	if (pt)
		bench_cleanup(pt);
	/* the next parameter runs with the same struct kunit */
	test->priv = NULL;
}

static struct kunit_case ttm_user_bo_bench_cases[] = {
	KUNIT_CASE_PARAM(ttm_user_bo_bench_paths, bench_gen_params),
	KUNIT_CASE_PARAM(ttm_user_bo_bench_contention, bench_cont_gen_params),
	{}
};

static struct kunit_suite ttm_user_bo_bench_suite = {
	.name = "ttm_user_bo_bench",
	.suite_init = ttm_user_bo_bench_suite_init,
	.exit = ttm_user_bo_bench_exit,
	.test_cases = ttm_user_bo_bench_cases,
};

kunit_test_suites(&ttm_user_bo_bench_suite);

MODULE_DESCRIPTION("Benchmark of the ttm_user_bo helper");
MODULE_LICENSE("GPL and additional rights");
