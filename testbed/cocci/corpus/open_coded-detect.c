// SPDX-License-Identifier: GPL-2.0
/* Corpus for scripts/coccinelle/api/ttm_user_bo_open_coded.cocci. Never
 * compiled; expected output in the .expected file.
 */

/* true positives */
static int snapshot_loop(struct my_bo *bo, struct hmm_range *range)
{
	int r;

	do {
		range->notifier_seq = mmu_interval_read_begin(range->notifier);
		mmap_read_lock(bo->mm);
		r = hmm_range_fault(range);
		mmap_read_unlock(bo->mm);
	} while (r == -EBUSY);
	if (r)
		return r;
	mutex_lock(&bo->dev->notifier_lock);
	if (mmu_interval_read_retry(range->notifier, range->notifier_seq))
		r = -EAGAIN;
	mutex_unlock(&bo->dev->notifier_lock);
	return r;
}

static int fault_with_given_seq(struct hmm_range *range)
{
	return hmm_range_fault(range);
}

static bool submit_check(struct my_bo *bo)
{
	return !mmu_interval_read_retry(&bo->notifier, bo->seq);
}

static int my_ttm_pin_userptr(struct ttm_device *bdev, struct ttm_tt *ttm)
{
	struct my_ttm *gtt = container_of(ttm, struct my_ttm, ttm);
	unsigned long pinned = 0;
	long r;

	do {
		r = get_user_pages(gtt->userptr + pinned * PAGE_SIZE,
				   ttm->num_pages - pinned, FOLL_WRITE,
				   ttm->pages + pinned);
		if (r < 0)
			return r;
		pinned += r;
	} while (pinned < ttm->num_pages);
	return 0;
}

/* near misses */
static int gup_not_a_ttm(struct my_obj *obj, struct page **pages)
{
	return pin_user_pages_fast(obj->ptr, obj->npages, FOLL_WRITE, pages);
}

static bool invalidate_only(struct mmu_interval_notifier *mni,
			    const struct mmu_notifier_range *range,
			    unsigned long cur_seq)
{
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

static int helper_user(struct my_bo *bo)
{
	int r = ttm_user_bo_snapshot(&bo->user);

	return r ?: ttm_user_bo_commit(&bo->user);
}

/* parse trap: drm_exec loop before the fault */
static int exec_then_fault(struct my_bo *bo, struct hmm_range *range)
{
	struct drm_exec exec;
	int r = 0;

	drm_exec_init(&exec, 0, 1);
	drm_exec_until_all_locked(&exec) {
		r = drm_exec_prepare_obj(&exec, &bo->tbo.base, 1);
		drm_exec_retry_on_contention(&exec);
	}
	drm_exec_fini(&exec);
	return r ?: hmm_range_fault(range);
}
