// SPDX-License-Identifier: GPL-2.0
/* Corpus for scripts/coccinelle/api/ttm_user_bo.cocci: invalidate
 * callbacks. Never compiled; expected output in the .expected file.
 */

/* true positives: the callback reserves, maps the mm, allocates */
static bool bad_invalidate(struct mmu_interval_notifier *mni,
			   const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct my_bo *bo = container_of(mni, struct my_bo, notifier);

	if (!mmu_notifier_range_blockable(range))
		return false;
	my_bo_reserve(bo, true);
	mmap_read_lock(bo->mm);
	bo->scratch = kzalloc(64, GFP_KERNEL | __GFP_NOWARN);
	mmap_read_unlock(bo->mm);
	my_bo_unreserve(bo);
	return true;
}

/* reached through two functions of this file */
static void deep_evict(struct my_bo *bo)
{
	dma_resv_lock(bo->tbo.base.resv, NULL);
	ttm_bo_validate(&bo->tbo, &bo->placement, &bo->ctx);
	dma_resv_unlock(bo->tbo.base.resv);
	ww_mutex_lock(&bo->tbo.base.resv->lock, NULL);
	ww_mutex_unlock(&bo->tbo.base.resv->lock);
}

static void evict(struct my_bo *bo)
{
	mutex_lock(&bo->dev->notifier_lock);
	deep_evict(bo);
	mutex_unlock(&bo->dev->notifier_lock);
}

static bool indirect_invalidate(struct mmu_interval_notifier *mni,
				const struct mmu_notifier_range *range,
				unsigned long cur_seq)
{
	evict(container_of(mni, struct my_bo, notifier));
	return true;
}

static const struct mmu_interval_notifier_ops bad_ops = {
	.invalidate = bad_invalidate,
};

static const struct mmu_interval_notifier_ops indirect_ops = {
	.invalidate = indirect_invalidate,
};

/* near misses: nothing below may be reported */
static bool good_invalidate(struct mmu_interval_notifier *mni,
			    const struct mmu_notifier_range *range,
			    unsigned long cur_seq)
{
	struct my_bo *bo = container_of(mni, struct my_bo, notifier);
	void *tmp;

	if (!mmu_notifier_range_blockable(range))
		return false;
	down_write(&bo->dev->notifier_lock);
	mmu_interval_set_seq(mni, cur_seq);
	dma_resv_wait_timeout(bo->tbo.base.resv, DMA_RESV_USAGE_BOOKKEEP,
			      false, MAX_SCHEDULE_TIMEOUT);
	tmp = kmalloc(16, GFP_NOWAIT);
	kfree(tmp);
	ww_mutex_lock(&bo->dev->other_ww, NULL);
	ww_mutex_unlock(&bo->dev->other_ww);
	up_write(&bo->dev->notifier_lock);
	return true;
}

static const struct mmu_interval_notifier_ops good_ops = {
	.invalidate = good_invalidate,
};

/* not a callback: reserving and allocating here is fine */
static int not_a_callback(struct my_bo *bo)
{
	int r = my_bo_reserve(bo, true);

	if (r)
		return r;
	bo->scratch = kzalloc(64, GFP_KERNEL);
	my_bo_unreserve(bo);
	return 0;
}

/* parse trap: a drm_exec loop in the callback's file must still parse */
static int exec_user(struct my_bo *bo)
{
	struct drm_exec exec;
	int r = 0;

	drm_exec_init(&exec, 0, 1);
	drm_exec_until_all_locked(&exec) {
		r = drm_exec_prepare_obj(&exec, &bo->tbo.base, 1);
		drm_exec_retry_on_contention(&exec);
		if (r)
			break;
	}
	drm_exec_fini(&exec);
	return r;
}
