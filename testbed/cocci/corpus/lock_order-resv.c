// SPDX-License-Identifier: GPL-2.0
/* Corpus for scripts/coccinelle/api/ttm_user_bo.cocci: faulting user
 * pages with a reservation held. Never compiled.
 */

/* true positives */
static int fault_reserved(struct my_bo *bo, struct hmm_range *range)
{
	int r = ttm_bo_reserve(&bo->tbo, true, false, NULL);

	if (r)
		return r;
	mmap_read_lock(bo->mm);
	r = hmm_range_fault(range);
	mmap_read_unlock(bo->mm);
	ttm_bo_unreserve(&bo->tbo);
	return r;
}

static int gup_reserved(struct my_bo *bo, struct page **pages)
{
	int r;

	dma_resv_lock(bo->tbo.base.resv, NULL);
	r = pin_user_pages_fast(bo->start, bo->npages, FOLL_WRITE, pages);
	dma_resv_unlock(bo->tbo.base.resv);
	return r;
}

/* parse trap and true positive: drm_exec holds every lock it took */
static int exec_then_gup(struct my_bo *bo, struct page **pages)
{
	struct drm_exec exec;
	int r = 0;

	drm_exec_init(&exec, 0, 1);
	drm_exec_until_all_locked(&exec) {
		r = drm_exec_prepare_obj(&exec, &bo->tbo.base, 1);
		drm_exec_retry_on_contention(&exec);
		if (r)
			goto out;
	}
	r = get_user_pages(bo->start, bo->npages, 0, pages);
out:
	drm_exec_fini(&exec);
	return r;
}

/* near misses */
static int fault_then_reserve(struct my_bo *bo, struct hmm_range *range)
{
	int r;

	mmap_read_lock(bo->mm);
	r = hmm_range_fault(range);
	mmap_read_unlock(bo->mm);
	if (r)
		return r;
	r = ttm_bo_reserve(&bo->tbo, true, false, NULL);
	if (r)
		return r;
	ttm_bo_unreserve(&bo->tbo);
	return 0;
}

static int mmap_then_reserve(struct my_bo *bo)
{
	int r;

	mmap_read_lock(current->mm);
	r = my_bo_reserve(bo, true);
	if (!r)
		my_bo_unreserve(bo);
	mmap_read_unlock(current->mm);
	return r;
}

static int unreserve_then_fault(struct my_bo *bo)
{
	dma_resv_lock(bo->tbo.base.resv, NULL);
	bo->busy = false;
	dma_resv_unlock(bo->tbo.base.resv);
	return ttm_user_bo_snapshot(&bo->user);
}
