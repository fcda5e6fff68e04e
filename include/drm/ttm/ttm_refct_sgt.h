/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A refcounted sg-table: an sg_table whose lifetime is decoupled from its
 * owner's, for consumers such as asynchronous unbind and error capture.
 * Not specific to user BOs; header-only, so usable wherever TTM is.
 */
#ifndef _TTM_REFCT_SGT_H_
#define _TTM_REFCT_SGT_H_

#include <linux/kref.h>
#include <linux/scatterlist.h>
#include <linux/string.h>
#include <linux/types.h>

/**
 * struct ttm_refct_sgt_ops - operations of a refcounted sg-table
 * @release: called when the last reference is dropped; frees the table and
 *	the memory holding it. May be called from any context that may sleep.
 */
struct ttm_refct_sgt_ops {
	void (*release)(struct kref *ref);
};

/**
 * struct ttm_refct_sgt - an sg_table with a reference count
 * @kref: the reference count; use ttm_refct_sgt_get() and ttm_refct_sgt_put()
 * @table: the sg_table
 * @size: the size in bytes the table describes
 * @ops: the release operation
 *
 * Consumers that outlive the owner's current state (asynchronous unbind,
 * error capture) take a reference and keep the table after the owner
 * dropped its own. A reference keeps the table and its page list; what it
 * says about the DMA mapping and the pages is up to the owner (see
 * ttm_user_bo_get_sgt() for user BOs).
 */
struct ttm_refct_sgt {
	struct kref kref;
	struct sg_table table;
	size_t size;
	const struct ttm_refct_sgt_ops *ops;
};

/**
 * ttm_refct_sgt_init() - initialise a refcounted sg-table
 * @rsgt: the table; its @table is left empty for the caller to allocate
 * @size: the size in bytes it describes
 * @ops: its operations; @ops->release frees it
 *
 * The reference count starts at one.
 */
static inline void ttm_refct_sgt_init(struct ttm_refct_sgt *rsgt, size_t size,
				      const struct ttm_refct_sgt_ops *ops)
{
	kref_init(&rsgt->kref);
	memset(&rsgt->table, 0, sizeof(rsgt->table));
	rsgt->size = size;
	rsgt->ops = ops;
}

/**
 * ttm_refct_sgt_get() - take a reference on a refcounted sg-table
 * @rsgt: the table
 *
 * Return: @rsgt.
 */
static inline struct ttm_refct_sgt *ttm_refct_sgt_get(struct ttm_refct_sgt *rsgt)
{
	kref_get(&rsgt->kref);
	return rsgt;
}

/**
 * ttm_refct_sgt_put() - drop a reference on a refcounted sg-table
 * @rsgt: the table, or NULL
 *
 * The last reference calls @rsgt->ops->release.
 */
static inline void ttm_refct_sgt_put(struct ttm_refct_sgt *rsgt)
{
	if (rsgt)
		kref_put(&rsgt->kref, rsgt->ops->release);
}

#endif
