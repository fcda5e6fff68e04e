// SPDX-License-Identifier: GPL-2.0
/* Patch-mode corpus for ttm_user_bo_open_coded.cocci: the lockless check
 * on a struct ttm_user_bo is rewritten, nothing else. Never compiled.
 */

static bool stale_ptr(struct ttm_user_bo *ubo)
{
	return mmu_interval_check_retry(&ubo->notifier, ubo->seq);
}

static bool stale_embedded(struct my_bo *bo)
{
	struct ttm_user_bo u = bo->user;

	return mmu_interval_check_retry(&u.notifier, u.seq);
}

/* near misses: not a ttm_user_bo, and the locked check */
static bool stale_other(struct my_bo *bo)
{
	return mmu_interval_check_retry(&bo->notifier, bo->seq);
}

static bool valid_locked(struct ttm_user_bo *ubo)
{
	return !mmu_interval_read_retry(&ubo->notifier, ubo->seq);
}
