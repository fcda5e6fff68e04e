// SPDX-License-Identifier: GPL-2.0
/* Corpus for scripts/coccinelle/api/ttm_user_bo.cocci: pages used before
 * the sequence check. Never compiled.
 */

static int map_pages(struct my_dev *dev, struct sg_table *sgt)
{
	return dma_map_sgtable(dev->dev, sgt, DMA_BIDIRECTIONAL, 0);
}

/* true positives */
static int map_before_check(struct my_dev *dev, struct my_bo *bo,
			    struct hmm_range *range)
{
	int r;

	range->notifier_seq = mmu_interval_read_begin(range->notifier);
	mmap_read_lock(bo->mm);
	r = hmm_range_fault(range);
	mmap_read_unlock(bo->mm);
	if (r)
		return r;
	r = dma_map_sgtable(dev->dev, bo->sgt, DMA_BIDIRECTIONAL, 0);
	if (r)
		return r;
	mutex_lock(&dev->notifier_lock);
	if (mmu_interval_read_retry(range->notifier, range->notifier_seq))
		r = -EAGAIN;
	mutex_unlock(&dev->notifier_lock);
	return r;
}

/* returns the pages unchecked: calling it makes its caller a fault site */
static int get_pages(struct my_bo *bo, struct hmm_range *range)
{
	int r;

	range->notifier_seq = mmu_interval_read_begin(range->notifier);
	mmap_read_lock(bo->mm);
	r = hmm_range_fault(range);
	mmap_read_unlock(bo->mm);
	return r;
}

static int bind_before_check(struct my_dev *dev, struct my_bo *bo,
			     struct hmm_range *range)
{
	int r = get_pages(bo, range);

	if (r)
		return r;
	r = map_pages(dev, bo->sgt);
	if (r)
		return r;
	return mmu_interval_read_retry(range->notifier,
				       range->notifier_seq) ? -EAGAIN : 0;
}

/* near misses */
static int check_then_map(struct my_dev *dev, struct my_bo *bo,
			  struct hmm_range *range)
{
	int r;

again:
	range->notifier_seq = mmu_interval_read_begin(range->notifier);
	mmap_read_lock(bo->mm);
	r = hmm_range_fault(range);
	mmap_read_unlock(bo->mm);
	if (r == -EBUSY)
		goto again;
	if (r)
		return r;
	mutex_lock(&dev->notifier_lock);
	if (mmu_interval_read_retry(range->notifier, range->notifier_seq)) {
		mutex_unlock(&dev->notifier_lock);
		goto again;
	}
	r = dma_map_sgtable(dev->dev, bo->sgt, DMA_BIDIRECTIONAL, 0);
	mutex_unlock(&dev->notifier_lock);
	return r;
}

/* recording page pointers is not using them */
static int record_pages(struct my_bo *bo, struct hmm_range *range,
			struct page **pages)
{
	unsigned long i;
	int r = hmm_range_fault(range);

	for (i = 0; !r && i < bo->npages; i++)
		pages[i] = hmm_pfn_to_page(range->hmm_pfns[i]);
	return r;
}
