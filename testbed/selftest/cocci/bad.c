// SPDX-License-Identifier: GPL-2.0
/* Sample driver code that breaks the ttm_user_bo contract in every way
 * scripts/coccinelle/api/ttm_user_bo.cocci checks; each line the checker
 * must report ends with a BAD marker comment. Never compiled.
 */
static int submit_allocates(struct my_dev *mdev, struct my_bo *bo, struct my_job *job)
{
	struct my_fence *f;

	ttm_user_bo_submit_begin(&mdev->udev);
	if (!ttm_user_bo_submit_valid(&bo->user)) {
		ttm_user_bo_submit_end(&mdev->udev);
		return -EAGAIN;
	}
	f = kzalloc(sizeof(*f), GFP_KERNEL); /* BAD */
	dma_resv_reserve_fences(bo->tbo.base.resv, 1); /* BAD */
	my_fence_init(f, GFP_KERNEL); /* BAD */
	dma_resv_add_fence(bo->tbo.base.resv, &f->base, DMA_RESV_USAGE_WRITE);
	ttm_user_bo_submit_end(&mdev->udev);
	return 0;
}

static int submit_waits(struct my_dev *mdev, struct my_bo *bo, struct dma_fence *f)
{
	ttm_user_bo_submit_begin(&mdev->udev);
	dma_fence_wait(f, false); /* BAD */
	dma_resv_lock(bo->tbo.base.resv, NULL); /* BAD */
	ttm_user_bo_submit_end(&mdev->udev);
	return 0;
}

static int snapshot_reserved(struct my_bo *bo)
{
	int ret;

	dma_resv_lock(bo->tbo.base.resv, NULL);
	ret = ttm_user_bo_snapshot(&bo->user); /* BAD */
	dma_resv_unlock(bo->tbo.base.resv);
	return ret;
}

static int snapshot_ttm_reserved(struct my_bo *bo)
{
	int ret = ttm_bo_reserve(&bo->tbo, true, false, NULL);

	if (ret)
		return ret;
	ret = ttm_user_bo_snapshot(&bo->user); /* BAD */
	ttm_bo_unreserve(&bo->tbo);
	return ret;
}

/* Correct use: nothing to report below. */
static int submit_ok(struct my_dev *mdev, struct my_bo *bo, struct my_job *job)
{
	int ret;

	ret = ttm_user_bo_snapshot(&bo->user);
	if (ret)
		return ret;
	dma_resv_lock(bo->tbo.base.resv, NULL);
	ret = ttm_user_bo_commit(&bo->user);
	if (!ret)
		ret = dma_resv_reserve_fences(bo->tbo.base.resv, 1);
	if (ret) {
		dma_resv_unlock(bo->tbo.base.resv);
		return ret;
	}
	ttm_user_bo_submit_begin(&mdev->udev);
	if (ttm_user_bo_submit_valid(&bo->user))
		dma_resv_add_fence(bo->tbo.base.resv, job->fence, DMA_RESV_USAGE_WRITE);
	else
		ret = -EAGAIN;
	ttm_user_bo_submit_end(&mdev->udev);
	dma_resv_unlock(bo->tbo.base.resv);
	kfree(job->scratch);
	return ret;
}
